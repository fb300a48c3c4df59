"""Processing-time windows on a manual clock: tumbling, sliding and session
assigners and the continuous processing-time trigger, at parallelism 1 and 4,
checked against the plain-Python reference in window_testing.

Every record is given at a clock time that is no window's last millisecond,
so whether a window's timer or a record of that moment comes first cannot
change a result."""

import random

import pytest
from window_testing import (
    PARALLELISMS,
    PROGRESS,
    Clock,
    CollectSink,
    CountingTrigger,
    ScriptedSource,
    counting,
    reference_windows,
    sliding,
    sorted_repr,
    tumbling,
)

from fluvial.common.time import Time
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream._job import _core
from fluvial.datastream.functions import AggregateFunction, ProcessWindowFunction, WindowFunction
from fluvial.datastream.window import (
    ContinuousProcessingTimeTrigger,
    ProcessingTimeSessionWindows,
    SessionWindowTimeGapExtractor,
    SlidingProcessingTimeWindows,
    TumblingProcessingTimeWindows,
)

FAR_FUTURE = 10 ** 9


class Describe(ProcessWindowFunction):
    def process(self, key, context, elements):
        window = context.window()
        assert context.current_processing_time() >= window.max_timestamp()
        yield key, window.start, window.end, sorted(e[1] for e in elements)


class DescribeApply(WindowFunction):
    def apply(self, key, window, inputs):
        return [(key, window.start, window.end, sorted(e[1] for e in inputs))]


class CountAggregate(AggregateFunction):
    def create_accumulator(self):
        return 0

    def add(self, value, accumulator):
        return accumulator + 1

    def get_result(self, accumulator):
        return accumulator

    def merge(self, acc_a, acc_b):
        return acc_a + acc_b


class GapByKey(SessionWindowTimeGapExtractor):
    def extract(self, element):
        return 300 if element[0] == "a" else 600


def _described(fire):
    return (fire.key, fire.window[0], fire.window[1], sorted(e[1] for e in fire.elements))


KINDS = {
    "process": (lambda ws: ws.process(Describe()), _described),
    "apply": (lambda ws: ws.apply(DescribeApply()), _described),
    "reduce": (lambda ws: ws.reduce(lambda a, b: (a[0], a[1] + b[1])),
               lambda f: (f.key, sum(e[1] for e in f.elements))),
    "aggregate": (lambda ws: ws.aggregate(CountAggregate()), lambda f: len(f.elements)),
}

ASSIGNERS = {
    "tumbling": (lambda: TumblingProcessingTimeWindows.of(Time.seconds(1)), {"assign": tumbling(1000)}),
    "tumbling_offset": (lambda: TumblingProcessingTimeWindows.of(Time.seconds(1), Time.milliseconds(300)),
                        {"assign": tumbling(1000, 300)}),
    "sliding": (lambda: SlidingProcessingTimeWindows.of(Time.milliseconds(1200), Time.milliseconds(400)),
                {"assign": sliding(1200, 400)}),
    "session": (lambda: ProcessingTimeSessionWindows.with_gap(Time.milliseconds(500)),
                {"session_gap": lambda record: 500}),
    "dynamic_session": (lambda: ProcessingTimeSessionWindows.with_dynamic_gap(GapByKey()),
                        {"session_gap": GapByKey().extract}),
}


def clock_script(seed: int, steps: int = 40, keys: str = "abc"):
    """Clock moves (to x50 ms, never a window's last millisecond) and batches at each time."""
    rng = random.Random(seed)
    script, now, value = [], 50, 0
    for _ in range(steps):
        now += rng.choice((100, 200, 300, 700, 1500))
        script.append(Clock(now))
        batch = []
        for _ in range(rng.randint(0, 3)):
            batch.append((rng.choice(keys), value))
            value += 1
        if batch:
            script.append(batch)
    script.append(Clock(FAR_FUTURE))
    return script


def run(script, parallelism, build, outputs_per_step):
    """Runs script -> key_by(field 0) -> build on a manual clock; returns the outputs."""
    PROGRESS.reset()
    clock = _core().ManualClock(0)
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    env._set_processing_time_clock(clock)
    sink = CollectSink()
    source = ScriptedSource(script, clock=clock, sink=sink, outputs_after_step=outputs_per_step)
    build(env.from_source(source, None, "script").key_by(lambda r: r[0])).sink_to(sink)
    env.execute("processing-time windows")
    return sink.records


@pytest.mark.parametrize("parallelism", PARALLELISMS)
@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("assigner_name", sorted(ASSIGNERS))
def test_processing_time_windows_match_reference(assigner_name, kind, parallelism):
    make_assigner, window_arguments = ASSIGNERS[assigner_name]
    apply_function, expect = KINDS[kind]
    script = clock_script(seed=len(assigner_name) + 7 * len(kind))
    fires, _, by_step = reference_windows(script, key=lambda r: r[0], time_of=lambda r, clock: clock,
                                          delay=None, **window_arguments)
    outputs = run(script, parallelism,
                  lambda keyed: apply_function(keyed.window(counting(make_assigner()))),
                  lambda step: by_step[step])
    assert fires
    assert sorted_repr(outputs) == sorted_repr([expect(f) for f in fires])


@pytest.mark.parametrize("parallelism", PARALLELISMS)
@pytest.mark.parametrize("assigner_name", ["tumbling", "sliding"])
def test_continuous_processing_time_trigger_fires_every_interval(assigner_name, parallelism):
    make_assigner, window_arguments = ASSIGNERS[assigner_name]
    script = clock_script(seed=11, steps=30)
    fires, _, by_step = reference_windows(script, key=lambda r: r[0], time_of=lambda r, clock: clock,
                                          delay=None, continuous=300, **window_arguments)
    trigger = CountingTrigger(ContinuousProcessingTimeTrigger.of(Time.milliseconds(300)))
    outputs = run(script, parallelism,
                  lambda keyed: keyed.window(counting(make_assigner())).trigger(trigger)
                  .apply(DescribeApply()),
                  lambda step: by_step[step])
    assert len(fires) > len({(f.key, f.window) for f in fires}), "windows should fire repeatedly"
    assert sorted_repr(outputs) == sorted_repr([_described(f) for f in fires])


def test_processing_time_windows_do_not_fire_at_end_of_input():
    # As in Flink: at the end of a bounded input, processing-time timers are not fired.
    clock = _core().ManualClock(50)
    env = StreamExecutionEnvironment.get_execution_environment()
    env._set_processing_time_clock(clock)
    result = env.from_collection([("a", 1), ("a", 2)]).key_by(lambda r: r[0]) \
        .window(TumblingProcessingTimeWindows.of(Time.seconds(1))).reduce(lambda a, b: a)
    assert list(result.execute_and_collect()) == []
