"""The window vocabulary (TimeWindow, merging, serializers, TriggerResult), the
checks on window arguments and their messages, and operator names."""

import json
from io import BytesIO

import pytest

from fluvial.common.time import Duration, Time
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.functions import (
    AggregateFunction,
    AllWindowFunction,
    ProcessWindowFunction,
    ReduceFunction,
    WindowFunction,
)
from fluvial.datastream.window import (
    ContinuousEventTimeTrigger,
    ContinuousProcessingTimeTrigger,
    CountSlidingWindowAssigner,
    CountTrigger,
    CountTumblingWindowAssigner,
    CountWindow,
    CountWindowSerializer,
    EventTimeSessionWindows,
    EventTimeTrigger,
    GlobalWindow,
    GlobalWindows,
    GlobalWindowSerializer,
    MergingWindowAssigner,
    NeverTrigger,
    ProcessingTimeSessionWindows,
    ProcessingTimeTrigger,
    PurgingTrigger,
    SessionWindowTimeGapExtractor,
    SlidingEventTimeWindows,
    SlidingProcessingTimeWindows,
    TimeWindow,
    TimeWindowSerializer,
    TriggerResult,
    TumblingEventTimeWindows,
    TumblingProcessingTimeWindows,
)
from fluvial.errors import JobExecutionError

# ---------------------------------------------------------------- windows


def test_time_window():
    window = TimeWindow(1000, 2000)
    assert window.max_timestamp() == 1999
    assert window == TimeWindow(1000, 2000) and hash(window) == hash(TimeWindow(1000, 2000))
    assert window != TimeWindow(1000, 2001) and window < TimeWindow(1000, 2001)
    assert window.intersects(TimeWindow(2000, 2500)) and not window.intersects(TimeWindow(2001, 2500))
    assert window.cover(TimeWindow(500, 1500)) == TimeWindow(500, 2000)
    assert repr(window) == "TimeWindow(start=1000, end=2000)"
    assert TimeWindow.get_window_start_with_offset(7300, 0, 1000) == 7000
    assert TimeWindow.get_window_start_with_offset(7300, 500, 1000) == 6500
    assert TimeWindow.get_window_start_with_offset(-1, 0, 1000) == -1000


def test_time_window_merge_windows():
    merges = []

    class Collect(MergingWindowAssigner.MergeCallback):
        def merge(self, to_be_merged, merge_result):
            merges.append((sorted(to_be_merged), merge_result))

    TimeWindow.merge_windows([TimeWindow(0, 10), TimeWindow(30, 40), TimeWindow(5, 15),
                              TimeWindow(15, 20), TimeWindow(50, 60)], Collect())
    assert merges == [([TimeWindow(0, 10), TimeWindow(5, 15), TimeWindow(15, 20)], TimeWindow(0, 20))]


def test_count_and_global_windows_and_serializers():
    assert CountWindow(3) == CountWindow(3) != CountWindow(4)
    assert CountWindow(3).max_timestamp() == GlobalWindow.get().max_timestamp() == 2 ** 63 - 1
    assert GlobalWindow() == GlobalWindow.get() and repr(GlobalWindow()) == "GlobalWindow"
    for serializer, window in ((TimeWindowSerializer(), TimeWindow(-5, 10)),
                               (CountWindowSerializer(), CountWindow(7)),
                               (GlobalWindowSerializer(), GlobalWindow())):
        stream = BytesIO()
        serializer.serialize(window, stream)
        stream.seek(0)
        assert serializer.deserialize(stream) == window


def test_trigger_result():
    assert [(r.is_fire(), r.is_purge()) for r in TriggerResult] == [
        (False, False), (True, True), (True, False), (False, True)]


def test_assigners_describe_themselves():
    assert repr(TumblingEventTimeWindows.of(Time.seconds(5))) == "TumblingEventTimeWindows(5000, 0)"
    assert repr(SlidingProcessingTimeWindows.of(Duration.of_minutes(1), Duration.of_seconds(10))) == \
        "SlidingProcessingTimeWindows(60000, 10000, 0)"
    assert repr(CountSlidingWindowAssigner.of(5, 2)) == "CountSlidingWindowAssigner(5, 2)"
    assert TumblingEventTimeWindows.of(Time.seconds(1)).is_event_time()
    assert not ProcessingTimeSessionWindows.with_gap(Time.seconds(1)).is_event_time()
    assert isinstance(EventTimeSessionWindows.with_gap(Time.seconds(1)), MergingWindowAssigner)
    defaults = [a.get_default_trigger(None) for a in (
        TumblingEventTimeWindows.of(Time.seconds(1)), TumblingProcessingTimeWindows.of(Time.seconds(1)),
        GlobalWindows.create(), CountTumblingWindowAssigner.of(3))]
    assert [type(t) for t in defaults] == [EventTimeTrigger, ProcessingTimeTrigger, NeverTrigger,
                                           CountTrigger]


# ---------------------------------------------------------------- argument checks


@pytest.mark.parametrize("build, error, message", [
    (lambda: TumblingEventTimeWindows.of(Time.milliseconds(-5)), ValueError,
     "window size must be positive, got -5 ms"),
    (lambda: TumblingProcessingTimeWindows.of(Time.seconds(0)), ValueError,
     "window size must be positive, got 0 ms"),
    (lambda: TumblingEventTimeWindows.of(Time.seconds(5), Time.seconds(5)), ValueError,
     "offset must be smaller than the window size in absolute value, got offset 5000 ms"),
    (lambda: SlidingEventTimeWindows.of(Time.seconds(5), Time.seconds(0)), ValueError,
     "window slide must be positive, got 0 ms"),
    (lambda: SlidingEventTimeWindows.of(Time.seconds(5), Time.seconds(1), Time.seconds(-2)),
     ValueError, "got offset -2000 ms for window slide 1000 ms"),
    (lambda: EventTimeSessionWindows.with_gap(Time.seconds(0)), ValueError,
     "session gap must be positive, got 0 ms"),
    (lambda: TumblingEventTimeWindows.of(5000), TypeError,
     "size must be a Time or a Duration, such as Time.seconds(5), got int 5000"),
    (lambda: CountTumblingWindowAssigner.of(0), ValueError,
     "count window size must be positive, got 0 elements"),
    (lambda: CountSlidingWindowAssigner.of(3, -1), ValueError,
     "count window slide must be positive, got -1 elements"),
    (lambda: CountTumblingWindowAssigner.of(2.5), TypeError, "count window size must be an int"),
    (lambda: CountTrigger.of(0), ValueError, "trigger count must be positive, got 0"),
    (lambda: ContinuousEventTimeTrigger.of(Time.seconds(0)), ValueError,
     "trigger interval must be positive, got 0 ms"),
    (lambda: ContinuousProcessingTimeTrigger.of(10), TypeError, "interval must be a Time"),
    (lambda: PurgingTrigger.of("count"), TypeError, "expects a Trigger"),
    (lambda: EventTimeSessionWindows.with_dynamic_gap(42), TypeError,
     "expects a SessionWindowTimeGapExtractor"),
])
def test_bad_window_arguments(build, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        build()


def keyed_windows(assigner=None):
    env = StreamExecutionEnvironment.get_execution_environment()
    return env.from_collection([("a", 1)]).key_by(lambda r: r[0]).window(
        assigner or TumblingEventTimeWindows.of(Time.seconds(1)))


class Sum(ReduceFunction):
    def reduce(self, a, b):
        return a


class Count(AggregateFunction):
    def create_accumulator(self):
        return 0

    def add(self, value, accumulator):
        return accumulator + 1

    def get_result(self, accumulator):
        return accumulator

    def merge(self, a, b):
        return a + b


class Everything(ProcessWindowFunction):
    def process(self, key, context, elements):
        yield list(elements)


class Apply(WindowFunction):
    def apply(self, key, window, inputs):
        yield list(inputs)


class ApplyAll(AllWindowFunction):
    def apply(self, window, inputs):
        yield list(inputs)


def test_windowed_stream_argument_checks():
    with pytest.raises(TypeError, match="expects a WindowAssigner"):
        keyed_windows("tumbling")
    with pytest.raises(ValueError, match="allowed lateness must not be negative, got -1 ms"):
        keyed_windows().allowed_lateness(-1)
    with pytest.raises(TypeError, match="expects milliseconds as an int"):
        keyed_windows().allowed_lateness("1s")
    assert keyed_windows().allowed_lateness(Time.seconds(2))._allowed_lateness == 2000
    with pytest.raises(TypeError, match="expects an OutputTag"):
        keyed_windows().side_output_late_data("late")
    with pytest.raises(TypeError, match="expects a Trigger"):
        keyed_windows().trigger(lambda: None)
    with pytest.raises(TypeError, match="reduce\\(\\) expects a ReduceFunction or a callable"):
        keyed_windows().reduce(42)
    with pytest.raises(TypeError, match="aggregate\\(\\) expects an AggregateFunction"):
        keyed_windows().aggregate(Sum())
    with pytest.raises(TypeError, match="expected a ProcessWindowFunction, got Apply"):
        keyed_windows().process(Apply())
    with pytest.raises(TypeError, match="expected a WindowFunction, got Everything"):
        keyed_windows().apply(Everything())
    with pytest.raises(TypeError, match="expected a WindowFunction or ProcessWindowFunction"):
        keyed_windows().reduce(Sum(), ApplyAll())
    env = StreamExecutionEnvironment.get_execution_environment()
    with pytest.raises(TypeError, match="expected an AllWindowFunction, got Apply"):
        env.from_collection([1]).count_window_all(2).apply(Apply())


def test_operator_names_follow_flink():
    env = StreamExecutionEnvironment.get_execution_environment()
    stream = env.from_collection([("a", 1)])
    stream.key_by(lambda r: r[0]).window(SlidingEventTimeWindows.of(Time.seconds(10), Time.seconds(5))) \
        .reduce(Sum(), Everything()).print()
    stream.count_window_all(3).aggregate(Count()).print()
    names = [node["type"] for node in json.loads(env.get_execution_plan())["nodes"]]
    assert "Window(SlidingEventTimeWindows(10000, 5000, 0), EventTimeTrigger(), Sum, Everything)" in names
    assert "AllWindow(CountTumblingWindowAssigner(3), CountTrigger(3), Count)" in names


def test_a_bad_dynamic_gap_fails_the_job():
    class Zero(SessionWindowTimeGapExtractor):
        def extract(self, element):
            return 0

    env = StreamExecutionEnvironment.get_execution_environment()
    result = env.from_collection([("a", 1)]).key_by(lambda r: r[0]) \
        .window(ProcessingTimeSessionWindows.with_dynamic_gap(Zero())).apply(Apply())
    with pytest.raises(JobExecutionError, match="session gap from Zero must be a positive int"):
        list(result.execute_and_collect())
