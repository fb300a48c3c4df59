"""Event-time windows: every time assigner with every window function kind, at
parallelism 1 and 4, on out-of-order input, checked against the plain-Python
reference in window_testing; then lateness, late side outputs, output
timestamps, the end of a bounded input, and mistakes."""

import json
import random

import pytest
from window_testing import (
    PARALLELISMS,
    CollectSink,
    ScriptedSource,
    event_time,
    reference_windows,
    sliding,
    sorted_repr,
    tumbling,
)

from fluvial.common.time import Duration, Time
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.functions import (
    AggregateFunction,
    ProcessFunction,
    ProcessWindowFunction,
    ReduceFunction,
    WindowFunction,
)
from fluvial.datastream.output_tag import OutputTag
from fluvial.datastream.window import (
    EventTimeSessionWindows,
    SessionWindowTimeGapExtractor,
    SlidingEventTimeWindows,
    TumblingEventTimeWindows,
)
from fluvial.errors import JobExecutionError

DELAY = 300  # the watermark's out-of-orderness bound, ms


# ---------------------------------------------------------------- window functions
# Records are (key, timestamp, value).


class SumReduce(ReduceFunction):
    def reduce(self, a, b):
        return (a[0], max(a[1], b[1]), a[2] + b[2])


class SumCountAggregate(AggregateFunction):
    def create_accumulator(self):
        return [0, 0]

    def add(self, value, accumulator):
        accumulator[0] += value[2]
        accumulator[1] += 1
        return accumulator

    def get_result(self, accumulator):
        return tuple(accumulator)

    def merge(self, acc_a, acc_b):
        return [acc_a[0] + acc_b[0], acc_a[1] + acc_b[1]]


class DescribeWindow(ProcessWindowFunction):
    """(key, start, end, the sorted values) for windows of records; (key, start, end, x) for one."""

    def process(self, key, context, elements):
        window = context.window()
        values = [e[2] if isinstance(e, tuple) and len(e) == 3 else e for e in elements]
        yield key, window.start, window.end, sorted(values, key=repr)


class ApplyDescribe(WindowFunction):
    def apply(self, key, window, inputs):
        values = [e[2] if isinstance(e, tuple) and len(e) == 3 else e for e in inputs]
        return [(key, window.start, window.end, sorted(values, key=repr))]


def _reduced(elements):
    return (elements[0][0], max(e[1] for e in elements), sum(e[2] for e in elements))


def _sum_count(elements):
    return (sum(e[2] for e in elements), len(elements))


def _described(fire, values):
    # As DescribeWindow and ApplyDescribe show them: a record by its value.
    values = [v[2] if isinstance(v, tuple) and len(v) == 3 else v for v in values]
    return (fire.key, fire.window[0], fire.window[1], sorted(values, key=repr))


# name -> (applies the function to a windowed stream, the outputs expected of a fire)
KINDS = {
    "reduce": (lambda ws: ws.reduce(SumReduce()), lambda f: [_reduced(f.elements)]),
    "reduce_lambda": (lambda ws: ws.reduce(lambda a, b: (a[0], max(a[1], b[1]), a[2] + b[2])),
                      lambda f: [_reduced(f.elements)]),
    "reduce_process": (lambda ws: ws.reduce(SumReduce(), DescribeWindow()),
                       lambda f: [_described(f, [_reduced(f.elements)])]),
    "reduce_apply": (lambda ws: ws.reduce(SumReduce(), ApplyDescribe()),
                     lambda f: [_described(f, [_reduced(f.elements)])]),
    "aggregate": (lambda ws: ws.aggregate(SumCountAggregate()),
                  lambda f: [_sum_count(f.elements)]),
    "aggregate_window": (lambda ws: ws.aggregate(SumCountAggregate(), ApplyDescribe()),
                         lambda f: [_described(f, [_sum_count(f.elements)])]),
    "aggregate_process": (lambda ws: ws.aggregate(SumCountAggregate(), DescribeWindow()),
                          lambda f: [_described(f, [_sum_count(f.elements)])]),
    "process": (lambda ws: ws.process(DescribeWindow()),
                lambda f: [_described(f, [e[2] for e in f.elements])]),
    "apply": (lambda ws: ws.apply(ApplyDescribe()),
              lambda f: [_described(f, [e[2] for e in f.elements])]),
}


class GapByKey(SessionWindowTimeGapExtractor):
    def extract(self, element):
        return 400 if element[0] in ("a", "c") else 900


# name -> (the assigner, the reference's window arguments)
ASSIGNERS = {
    "tumbling": (lambda: TumblingEventTimeWindows.of(Time.seconds(1)), {"assign": tumbling(1000)}),
    "tumbling_offset": (lambda: TumblingEventTimeWindows.of(Time.seconds(1), Time.milliseconds(250)),
                        {"assign": tumbling(1000, 250)}),
    "sliding": (lambda: SlidingEventTimeWindows.of(Duration.of_millis(1500), Duration.of_millis(500)),
                {"assign": sliding(1500, 500)}),
    "sliding_offset": (lambda: SlidingEventTimeWindows.of(Time.seconds(1), Time.milliseconds(300),
                                                          Time.milliseconds(-100)),
                       {"assign": sliding(1000, 300, -100)}),
    "session": (lambda: EventTimeSessionWindows.with_gap(Time.milliseconds(500)),
                {"session_gap": lambda record: 500}),
    "dynamic_session": (lambda: EventTimeSessionWindows.with_dynamic_gap(GapByKey()),
                        {"session_gap": GapByKey().extract}),
}


def random_script(seed: int, count: int = 120, keys: str = "abcde", jitter: int = 250):
    """Batches of 1-4 records, timestamps rising with out-of-order jitter and quiet gaps."""
    rng = random.Random(seed)
    records, now = [], 0
    for i in range(count):
        now += rng.choice((0, 40, 90, 150, 150, 700))
        records.append((rng.choice(keys), max(0, now + rng.randint(-jitter, jitter)), i))
    script, position = [], 0
    while position < len(records):
        size = rng.randint(1, 4)
        script.append(records[position:position + size])
        position += size
    return script


def run_windows(script, parallelism, build, delay=DELAY, late_tag=None):
    """Runs script -> key_by(field 0) -> build(keyed stream) into a sink; returns (outputs, late)."""
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    stream = env.from_source(ScriptedSource(script), event_time(delay), "script")
    result = build(stream.key_by(lambda r: r[0]))
    sink, late_sink = CollectSink(), CollectSink()
    result.sink_to(sink)
    if late_tag is not None:
        result.get_side_output(late_tag).sink_to(late_sink)
    env.execute("windows")
    return sink.records, late_sink.records


def expected_outputs(fires, expect):
    return sorted_repr([output for fire in fires for output in expect(fire)])


@pytest.mark.parametrize("parallelism", PARALLELISMS)
@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("assigner_name", sorted(ASSIGNERS))
def test_windows_match_reference(assigner_name, kind, parallelism):
    make_assigner, window_arguments = ASSIGNERS[assigner_name]
    apply_function, expect = KINDS[kind]
    script = random_script(seed=len(assigner_name) * 31 + len(kind))
    fires, late, _ = reference_windows(script, key=lambda r: r[0], time_of=lambda r, c: r[1],
                                       delay=DELAY, **window_arguments)
    outputs, _ = run_windows(script, parallelism,
                             lambda keyed: apply_function(keyed.window(make_assigner())))
    assert fires, "the script should fire windows"
    assert sorted_repr(outputs) == expected_outputs(fires, expect)


# ---------------------------------------------------------------- lateness


# With a watermark of max timestamp - 1 after each batch:
LATE_SCRIPT = [
    [("a", 100, 0), ("b", 200, 1)],
    [("a", 1200, 2)],                 # watermark 1199: [0, 1000) of a and of b fire
    [("a", 900, 3)],                  # after its window fired: refires it if lateness keeps it
    [("b", 2600, 4)],                 # watermark 2599: [0, 1000) is dropped at 999 + lateness
    [("a", 950, 5), ("b", 1500, 6)],  # a: too late for every lateness; b: [1000, 2000) if kept
    [("a", 4100, 7)],                 # watermark 4099
    [("a", 3000, 8), ("b", 10, 9)],   # a: [3000, 4000) if lateness keeps it; b: too late
    [("c", 5000, 10)],
]


@pytest.mark.parametrize("parallelism", PARALLELISMS)
@pytest.mark.parametrize("lateness", [0, 1000, 1600])
@pytest.mark.parametrize("with_tag", [True, False])
def test_late_elements_are_dropped_or_refire_with_allowed_lateness(parallelism, lateness, with_tag):
    tag = OutputTag("late") if with_tag else None

    def build(keyed):
        windowed = keyed.window(TumblingEventTimeWindows.of(Time.seconds(1))).allowed_lateness(lateness)
        if tag is not None:
            windowed = windowed.side_output_late_data(tag)
        return windowed.process(DescribeWindow())

    outputs, late_outputs = run_windows(LATE_SCRIPT, parallelism, build, delay=0,
                                        late_tag=tag or OutputTag("unused"))
    fires, late, _ = reference_windows(LATE_SCRIPT, key=lambda r: r[0], time_of=lambda r, c: r[1],
                                       assign=tumbling(1000), delay=0, lateness=lateness)
    expect = KINDS["process"][1]
    assert sorted_repr(outputs) == expected_outputs(fires, expect)
    assert sorted_repr(late_outputs) == (sorted_repr(late) if with_tag else [])
    assert late, "the script has elements too late for any lateness tested"
    if lateness == 0:
        # [0, 1000) of a fired once, with its first element only.
        assert ("a", 0, 1000, [0]) in outputs and ("a", 0, 1000, [0, 3]) not in outputs
    if lateness == 1000:
        # the late element 3 made [0, 1000) of a fire again, with it
        assert ("a", 0, 1000, [0, 3]) in outputs


@pytest.mark.parametrize("parallelism", PARALLELISMS)
@pytest.mark.parametrize("lateness", [0, 150, 400])
@pytest.mark.parametrize("assigner_name", sorted(ASSIGNERS))
def test_random_late_input_matches_reference(assigner_name, lateness, parallelism):
    # Jitter beyond the watermark delay: some elements come after their windows fired.
    make_assigner, window_arguments = ASSIGNERS[assigner_name]
    script = random_script(seed=lateness + len(assigner_name), count=150, jitter=1000)
    fires, late, _ = reference_windows(script, key=lambda r: r[0], time_of=lambda r, c: r[1],
                                       delay=100, lateness=lateness, **window_arguments)
    tag = OutputTag("late")
    outputs, late_outputs = run_windows(
        script, parallelism,
        lambda keyed: keyed.window(make_assigner()).allowed_lateness(lateness)
        .side_output_late_data(tag).process(DescribeWindow()),
        delay=100, late_tag=tag)
    assert late, "the script should have late elements"
    assert sorted_repr(outputs) == expected_outputs(fires, KINDS["process"][1])
    assert sorted_repr(late_outputs) == sorted_repr(late)


@pytest.mark.parametrize("parallelism", PARALLELISMS)
@pytest.mark.parametrize("lateness", [0, 700])
def test_late_sessions_merge_with_fired_ones_within_lateness(parallelism, lateness):
    script = [
        [("a", 0, 0)],
        [("a", 300, 1)],             # session [0, 800)
        [("a", 1301, 2)],            # watermark 1300: [0, 800) fires, kept for its lateness
        [("a", 700, 3)],             # late window [700, 1200); with lateness it merges into [0, 1200)
        [("a", 2600, 4), ("b", 50, 5)],
        [("a", 3900, 6)],
    ]
    fires, late, _ = reference_windows(script, key=lambda r: r[0], time_of=lambda r, c: r[1],
                                       session_gap=lambda r: 500, delay=0, lateness=lateness)
    tag = OutputTag("late-sessions")
    outputs, late_outputs = run_windows(
        script, parallelism,
        lambda keyed: keyed.window(EventTimeSessionWindows.with_gap(Time.milliseconds(500)))
        .allowed_lateness(lateness).side_output_late_data(tag).process(DescribeWindow()),
        delay=0, late_tag=tag)
    assert sorted_repr(outputs) == expected_outputs(fires, KINDS["process"][1])
    assert sorted_repr(late_outputs) == sorted_repr(late)
    if lateness:
        assert ("a", 0, 1200, [0, 1, 3]) in outputs


# ---------------------------------------------------------------- timestamps and the end of input


class WithTimestamp(ProcessFunction):
    def process_element(self, value, ctx):
        yield value, ctx.timestamp()


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_outputs_carry_the_window_max_timestamp_and_windows_fire_at_end_of_input(parallelism):
    # The watermark never passes 5000 before the input ends: only the end fires these windows.
    script = [[("a", 100, 1), ("b", 4999, 2)], [("a", 4000, 3), ("a", 5200, 4)]]
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    stream = env.from_source(ScriptedSource(script), event_time(10_000), "script")
    windows = stream.key_by(lambda r: r[0]).window(TumblingEventTimeWindows.of(Time.seconds(5)))
    results = list(windows.reduce(SumReduce()).process(WithTimestamp()).execute_and_collect())
    assert sorted_repr(results) == sorted_repr([
        (("a", 4000, 4), 4999), (("b", 4999, 2), 4999), (("a", 5200, 4), 9999)])


def test_windows_of_a_collection_with_monotonous_timestamps():
    env = StreamExecutionEnvironment.get_execution_environment()
    events = [("x", t, 1) for t in range(0, 10_000, 250)]
    stream = env.from_collection(events).assign_timestamps_and_watermarks(event_time(0))
    counts = stream.key_by(lambda r: r[0]).window(TumblingEventTimeWindows.of(Time.seconds(2))) \
        .aggregate(SumCountAggregate()).execute_and_collect()
    assert list(counts) == [(8, 8)] * 5


# ---------------------------------------------------------------- window_all


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_window_all_puts_every_key_in_one_window(parallelism):
    from fluvial.datastream.functions import ProcessAllWindowFunction

    class Describe(ProcessAllWindowFunction):
        def process(self, context, elements):
            window = context.window()
            yield window.start, window.end, sorted(e[2] for e in elements)

    script = random_script(seed=5, count=60)
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    stream = env.from_source(ScriptedSource(script), event_time(DELAY), "script")
    result = stream.window_all(SlidingEventTimeWindows.of(Time.seconds(2), Time.seconds(1))) \
        .process(Describe())
    outputs = list(result.execute_and_collect())
    fires, _, _ = reference_windows(script, key=lambda r: 0, time_of=lambda r, c: r[1],
                                    assign=sliding(2000, 1000), delay=DELAY)
    assert sorted_repr(outputs) == sorted_repr(
        [(f.window[0], f.window[1], sorted(e[2] for e in f.elements)) for f in fires])


def test_window_all_runs_at_parallelism_one():
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(4)
    stream = env.from_collection([1, 2, 3]).assign_timestamps_and_watermarks(event_time_identity())
    result = stream.window_all(TumblingEventTimeWindows.of(Time.seconds(1))).reduce(lambda a, b: a + b)
    nodes = json.loads(env.get_execution_plan())["nodes"]
    assert [n["parallelism"] for n in nodes if n["type"].startswith("AllWindow(")] == [1]
    with pytest.raises(ValueError, match="non-parallel"):
        result.set_parallelism(2)
    assert list(result.execute_and_collect()) == [6]


def event_time_identity():
    from fluvial.common.watermark_strategy import TimestampAssigner, WatermarkStrategy

    class Identity(TimestampAssigner):
        def extract_timestamp(self, value, record_timestamp):
            return value

    return WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Identity())


# ---------------------------------------------------------------- mistakes


def test_event_time_windows_need_timestamps():
    env = StreamExecutionEnvironment.get_execution_environment()
    result = env.from_collection([("a", 1)]).key_by(lambda r: r[0]) \
        .window(TumblingEventTimeWindows.of(Time.seconds(1))).reduce(lambda a, b: a)
    with pytest.raises(JobExecutionError, match="no timestamp: give the source a WatermarkStrategy"):
        list(result.execute_and_collect())


def test_window_function_errors_name_the_operator():
    class Broken(ProcessWindowFunction):
        def process(self, key, context, elements):
            raise RuntimeError("broken window function")

    env = StreamExecutionEnvironment.get_execution_environment()
    result = env.from_collection([1, 2]).assign_timestamps_and_watermarks(event_time_identity()) \
        .key_by(lambda v: v % 2).window(TumblingEventTimeWindows.of(Time.seconds(1))).process(Broken())
    with pytest.raises(JobExecutionError, match="broken window function") as error:
        list(result.execute_and_collect())
    assert "Window(TumblingEventTimeWindows(1000, 0), EventTimeTrigger(), Broken)" in str(error.value)
