"""Count windows, global windows with count and purging triggers, the
continuous event-time trigger, a user-written trigger with partitioned
state, and what a ProcessWindowFunction's context offers (window state,
global state, clear(), the watermark), at parallelism 1 and 4, each checked
against a plain-Python replay of the same events."""

import random
from collections import defaultdict

import pytest
from window_testing import (
    PARALLELISMS,
    CollectSink,
    ScriptedSource,
    event_time,
    reference_windows,
    sorted_repr,
    tumbling,
)

from fluvial.common.time import Time
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.functions import (
    AllWindowFunction,
    ProcessAllWindowFunction,
    ProcessWindowFunction,
    WindowFunction,
)
from fluvial.datastream.state import ReducingStateDescriptor, ValueStateDescriptor
from fluvial.datastream.window import (
    ContinuousEventTimeTrigger,
    CountTrigger,
    CountWindow,
    EventTimeSessionWindows,
    GlobalWindow,
    GlobalWindows,
    PurgingTrigger,
    TimeWindow,
    Trigger,
    TriggerResult,
    TumblingEventTimeWindows,
)


def records(seed: int, count: int = 90, keys: str = "abcd"):
    rng = random.Random(seed)
    return [(rng.choice(keys), i * 10, i) for i in range(count)]


def batches(events, size=3):
    return [events[i:i + size] for i in range(0, len(events), size)]


def run(events, parallelism, build, timestamps=True, delay=0):
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    stream = env.from_source(ScriptedSource(batches(events)),
                             event_time(delay) if timestamps else None, "events")
    sink = CollectSink()
    build(stream).sink_to(sink)
    env.execute("triggers")
    return sink.records


class Values(WindowFunction):
    def apply(self, key, window, inputs):
        yield key, window, [e[2] for e in inputs]


class AllValues(AllWindowFunction):
    def apply(self, window, inputs):
        yield window, [e[2] for e in inputs]


def by_key(events):
    grouped = defaultdict(list)
    for event in events:
        grouped[event[0]].append(event)
    return grouped


# ---------------------------------------------------------------- count windows


def count_windows_reference(events, size, slide=0, key=lambda e: e[0]):
    """Window i of a key holds its elements i*slide .. i*slide+size-1 and fires when full."""
    slide = slide or size
    expected = []
    for k, own in by_key([(key(e),) + e[1:] for e in events]).items():
        for window_id in range(len(own)):
            first = window_id * slide
            if first + size <= len(own):
                expected.append((k, CountWindow(window_id), [e[2] for e in own[first:first + size]]))
    return expected


@pytest.mark.parametrize("parallelism", PARALLELISMS)
@pytest.mark.parametrize("size, slide", [(3, 0), (1, 0), (4, 1), (3, 2), (2, 5)])
def test_count_windows(size, slide, parallelism):
    events = records(seed=size * 10 + slide)
    outputs = run(events, parallelism,
                  lambda s: s.key_by(lambda e: e[0]).count_window(size, slide).apply(Values()),
                  timestamps=False)
    assert sorted_repr(outputs) == sorted_repr(count_windows_reference(events, size, slide))


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_count_window_reduce_and_count_window_all(parallelism):
    events = records(seed=3, count=40)
    sums = run(events, parallelism,
               lambda s: s.key_by(lambda e: e[0]).count_window(4).reduce(
                   lambda a, b: (a[0], a[1], a[2] + b[2])))
    expected = [(k, sum(values)) for k, _, values in count_windows_reference(events, 4)]
    assert sorted_repr([(k, v) for k, _, v in sums]) == sorted_repr(expected)

    all_windows = run(events, parallelism, lambda s: s.count_window_all(5, 3).apply(AllValues()))
    expected_all = [(w, values) for _, w, values in
                    count_windows_reference(events, 5, 3, key=lambda e: 0)]
    assert sorted_repr(all_windows) == sorted_repr(expected_all)


# ---------------------------------------------------------------- global windows


@pytest.mark.parametrize("parallelism", PARALLELISMS)
@pytest.mark.parametrize("purging", [False, True])
def test_global_windows_with_count_trigger(purging, parallelism):
    events = records(seed=8)
    trigger = PurgingTrigger.of(CountTrigger.of(3)) if purging else CountTrigger.of(3)
    outputs = run(events, parallelism, lambda s: s.key_by(lambda e: e[0])
                  .window(GlobalWindows.create()).trigger(trigger).apply(Values()))
    expected = []
    for k, own in by_key(events).items():
        for end in range(3, len(own) + 1, 3):
            start = end - 3 if purging else 0
            expected.append((k, GlobalWindow(), [e[2] for e in own[start:end]]))
    assert sorted_repr(outputs) == sorted_repr(expected)


def test_global_windows_never_fire_by_default():
    outputs = run(records(seed=1, count=10), 1, lambda s: s.key_by(lambda e: e[0])
                  .window(GlobalWindows.create()).apply(Values()))
    assert outputs == []


# ---------------------------------------------------------------- continuous event time


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_continuous_event_time_trigger(parallelism):
    rng = random.Random(4)
    events = [(rng.choice("ab"), t, t) for t in sorted(rng.sample(range(0, 6000), 60))]
    script = batches(events, size=2)
    fires, _, _ = reference_windows(script, key=lambda r: r[0], time_of=lambda r, c: r[1],
                                    assign=tumbling(2000), delay=0, continuous=500)
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    stream = env.from_source(ScriptedSource(script), event_time(0), "events")
    sink = CollectSink()
    stream.key_by(lambda e: e[0]).window(TumblingEventTimeWindows.of(Time.seconds(2))) \
        .trigger(ContinuousEventTimeTrigger.of(Time.milliseconds(500))).apply(Values()).sink_to(sink)
    env.execute("continuous")
    expected = [(f.key, TimeWindow(*f.window), [e[2] for e in f.elements]) for f in fires]
    assert len(expected) > len({(f.key, f.window) for f in fires})
    assert sorted_repr(sink.records) == sorted_repr(expected)


# ---------------------------------------------------------------- a user's trigger


class FireOnMarker(Trigger):
    """Fires (and purges) on a value divisible by 10, counting the elements in between in
    partitioned state; the window's end fires what is left."""

    def __init__(self):
        self.seen = ValueStateDescriptor("seen")

    def on_element(self, element, timestamp, window, ctx):
        seen = ctx.get_partitioned_state(self.seen)
        seen.update((seen.value() or 0) + 1)
        if element[2] % 10 == 0:
            seen.clear()
            return TriggerResult.FIRE_AND_PURGE
        ctx.register_event_time_timer(window.max_timestamp())
        return TriggerResult.CONTINUE

    def on_event_time(self, time, window, ctx):
        return TriggerResult.FIRE if time == window.max_timestamp() else TriggerResult.CONTINUE

    def on_processing_time(self, time, window, ctx):
        return TriggerResult.CONTINUE

    def clear(self, window, ctx):
        ctx.get_partitioned_state(self.seen).clear()
        ctx.delete_event_time_timer(window.max_timestamp())


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_user_trigger_with_partitioned_state(parallelism):
    events = records(seed=21, count=80)
    outputs = run(events, parallelism, lambda s: s.key_by(lambda e: e[0])
                  .window(TumblingEventTimeWindows.of(Time.milliseconds(300)))
                  .trigger(FireOnMarker()).apply(Values()))
    expected = []
    for k, own in by_key(events).items():
        panes = defaultdict(list)
        for e in own:
            window = TimeWindow(e[1] - e[1] % 300, e[1] - e[1] % 300 + 300)
            panes[window].append(e[2])
            if e[2] % 10 == 0:
                expected.append((k, window, panes.pop(window)))
        expected.extend((k, window, values) for window, values in panes.items())
    assert sorted_repr(outputs) == sorted_repr(expected)


def test_a_merging_assigner_needs_a_merging_trigger():
    env = StreamExecutionEnvironment.get_execution_environment()
    windowed = env.from_collection([1]).key_by(lambda v: v) \
        .window(EventTimeSessionWindows.with_gap(Time.seconds(1)))
    with pytest.raises(TypeError, match="its trigger must support merging"):
        windowed.trigger(FireOnMarker())


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_count_trigger_state_merges_with_sessions(parallelism):
    # Sessions of key a merge as elements come (the watermark lags far behind, so none is
    # late); the merged session keeps the count of the ones it absorbed.
    events = [("a", t, t) for t in (0, 100, 1000, 1100, 200, 300, 5000, 5100, 5200, 5300)]
    outputs = run(events, parallelism, lambda s: s.key_by(lambda e: e[0])
                  .window(EventTimeSessionWindows.with_gap(Time.milliseconds(150)))
                  .trigger(CountTrigger.of(4)).apply(Values()), delay=10_000)
    # [0, 450) gets 0, 100, 200, 300 (its 4th element fires it); [1000, 1250) only 2;
    # [5000, 5450) gets 4.
    assert sorted_repr(outputs) == sorted_repr([
        ("a", TimeWindow(0, 450), [0, 100, 200, 300]),
        ("a", TimeWindow(5000, 5450), [5000, 5100, 5200, 5300])])


# ---------------------------------------------------------------- the window function's context


class Running(ProcessWindowFunction):
    """Counts fires per window (window state) and per key (global state); checks clear()."""

    def open(self, runtime_context):
        self.descriptor = ValueStateDescriptor("fires")
        self.total = ReducingStateDescriptor("total", lambda a, b: a + b)

    def process(self, key, context, elements):
        fires = context.window_state().get_state(self.descriptor)
        fires.update((fires.value() or 0) + 1)
        total = context.global_state().get_reducing_state(self.total)
        total.add(1)
        yield ("fire", key, context.window().start, fires.value(), total.get(),
               context.current_watermark() >= context.window().max_timestamp())

    def clear(self, context):
        state = context.window_state().get_state(self.descriptor)
        Running.cleared.append((context.window().start, state.value()))
        state.clear()


Running.cleared = []


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_process_window_function_context_state_and_clear(parallelism):
    Running.cleared = []
    # Key a: window [0, 1000) fires at watermark 1199, again for two late elements
    # (allowed lateness 500), then is dropped at watermark 1499.
    script = [[("a", 100, 1)], [("a", 1200, 2)], [("a", 500, 3)], [("a", 900, 4)],
              [("a", 1600, 5)], [("a", 600, 6)]]
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    stream = env.from_source(ScriptedSource(script), event_time(0), "events")
    sink = CollectSink()
    stream.key_by(lambda e: e[0]).window(TumblingEventTimeWindows.of(Time.seconds(1))) \
        .allowed_lateness(500).process(Running()).sink_to(sink)
    env.execute("context")
    assert sorted_repr(sink.records) == sorted_repr([
        ("fire", "a", 0, 1, 1, True), ("fire", "a", 0, 2, 2, True), ("fire", "a", 0, 3, 3, True),
        ("fire", "a", 1000, 1, 4, True)])
    # Subtask copies of Running share the class attribute: both windows were cleared,
    # with the per-window count still there when clear() ran.
    assert sorted(Running.cleared) == [(0, 3), (1000, 1)]


def test_window_state_is_not_available_with_sessions():
    class TryWindowState(ProcessWindowFunction):
        def process(self, key, context, elements):
            try:
                context.window_state()
            except ImportError as error:  # UnsupportedFeatureError is one
                yield str(error)

    outputs = run([("a", 0, 0)], 1, lambda s: s.key_by(lambda e: e[0])
                  .window(EventTimeSessionWindows.with_gap(Time.seconds(1))).process(TryWindowState()))
    assert outputs == ["window_state() is not available with merging (session) windows; keep such "
                       "state in global_state() or in the window contents"]


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_process_all_window_function(parallelism):
    class Span(ProcessAllWindowFunction):
        def process(self, context, elements):
            values = sorted(e[2] for e in elements)
            yield context.window().start, values[0], values[-1], len(values)

    events = records(seed=2, count=50)
    outputs = run(events, parallelism, lambda s: s.window_all(
        TumblingEventTimeWindows.of(Time.milliseconds(100))).process(Span()))
    assert sorted(outputs) == [(start, start // 10, start // 10 + 9, 10) for start in range(0, 500, 100)]
