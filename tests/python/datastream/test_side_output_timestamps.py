"""Side outputs (``yield tag, value`` and get_side_output()) and record timestamps
(assign_timestamps_and_watermarks() and ctx.timestamp()), at parallelism 1 and 4."""

import random
from collections import Counter

import pytest
from keyed_testing import PARALLELISMS, FieldTimestamp, OneByOneSource, out_of_orderness

from fluvial.common.watermark_strategy import WatermarkStrategy
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.functions import (
    CoProcessFunction,
    KeyedProcessFunction,
    MapFunction,
    ProcessFunction,
    SinkFunction,
)
from fluvial.datastream.output_tag import OutputTag

ODD = OutputTag("odd")
LATE = OutputTag("late")


def environment(parallelism):
    return StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)


class ListSink(SinkFunction):
    """Hands a second stream's records back to the test: every subtask's copy of the
    sink appends to the same list, found by the original's id."""

    lists = {}

    def __init__(self):
        self._id = id(self)
        ListSink.lists[self._id] = []

    def invoke(self, value, context):
        ListSink.lists[self._id].append(value)

    def records(self):
        return ListSink.lists.pop(self._id)


class SplitByParity(ProcessFunction):
    def process_element(self, value, ctx):
        if value % 2:
            yield ODD, f"odd {value}"
        else:
            yield value * 10


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_process_function_side_output(parallelism):
    values = list(range(100))
    env = environment(parallelism)
    main = env.from_collection(values).process(SplitByParity())
    side = main.get_side_output(ODD).map(str.upper)
    # Both in one job: the side stream is collected, the main one goes to a list sink.
    main_sink = ListSink()
    main.add_sink(main_sink)
    odd = list(side.execute_and_collect())
    assert Counter(odd) == Counter(f"ODD {v}" for v in values if v % 2)
    assert Counter(main_sink.records()) == Counter(v * 10 for v in values if not v % 2)


class LateToSide(KeyedProcessFunction):
    """Elements behind the watermark go to the LATE side output, the rest are counted."""

    def process_element(self, value, ctx):
        if ctx.timestamp() <= ctx.timer_service().current_watermark():
            yield LATE, value
        else:
            yield value


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_keyed_process_function_sends_late_elements_to_a_side_output(parallelism):
    rng = random.Random(parallelism)
    records, now = [], 0
    for _ in range(300):
        now += rng.randrange(0, 5)
        records.append((f"k{rng.randrange(5)}", now - rng.randrange(0, 12)))
    delay = 4
    env = environment(parallelism)
    stream = env.from_source(OneByOneSource(records), out_of_orderness(delay, 1), "events")
    main = stream.key_by(lambda r: r[0]).process(LateToSide())
    late_sink = ListSink()
    main.get_side_output(LATE).add_sink(late_sink)
    on_time = list(main.execute_and_collect())
    late = late_sink.records()

    watermark, expected_late, expected_on_time = -(2 ** 63), [], []
    for record in records:
        (expected_late if record[1] <= watermark else expected_on_time).append(record)
        watermark = max(watermark, record[1] - delay - 1)
    assert expected_late, "the input should have late elements"
    assert Counter(late) == Counter(expected_late)
    assert Counter(on_time) == Counter(expected_on_time)


class WithTimestamp(ProcessFunction):
    def process_element(self, value, ctx):
        yield value, ctx.timestamp()


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_assigned_timestamps_reach_ctx_timestamp(parallelism):
    records = [(f"e{i}", 1000 + 7 * i) for i in range(60)]
    env = environment(parallelism)
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(FieldTimestamp(1))
    stamped = env.from_collection(records).assign_timestamps_and_watermarks(strategy)
    outputs = list(stamped.process(WithTimestamp()).execute_and_collect())
    assert Counter(outputs) == Counter((r, r[1]) for r in records)


class Double(MapFunction):
    def map(self, value):
        return value[0], value[1] * 2


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_timestamps_survive_map_and_key_by(parallelism):
    records = [(f"k{i % 3}", 10 * i) for i in range(30)]
    env = environment(parallelism)
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(FieldTimestamp(1))
    stamped = env.from_collection(records).assign_timestamps_and_watermarks(strategy)
    outputs = list(stamped.map(Double()).key_by(lambda r: r[0]).process(_KeyedTimestamp())
                   .execute_and_collect())
    assert Counter(outputs) == Counter(((k, t * 2), t) for k, t in records)


class _KeyedTimestamp(KeyedProcessFunction):
    def process_element(self, value, ctx):
        yield value, ctx.timestamp()


def test_records_without_timestamps_have_none():
    env = environment(1)
    outputs = list(env.from_collection(["x", "y"]).process(WithTimestamp()).execute_and_collect())
    assert outputs == [("x", None), ("y", None)]


class SideFromBothInputs(CoProcessFunction):
    def process_element1(self, value, ctx):
        yield ODD, ("first", value)

    def process_element2(self, value, ctx):
        yield "second", value


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_two_input_function_side_output(parallelism):
    env = environment(parallelism)
    main = env.from_collection([1, 2]).connect(env.from_collection([3])).process(SideFromBothInputs())
    side_sink = ListSink()
    main.get_side_output(ODD).add_sink(side_sink)
    assert list(main.execute_and_collect()) == [("second", 3)]
    assert sorted(side_sink.records()) == [("first", 1), ("first", 2)]


def test_get_side_output_needs_an_output_tag():
    env = environment(1)
    with pytest.raises(TypeError, match="expects an OutputTag"):
        env.from_collection([1]).process(SplitByParity()).get_side_output("odd")


def test_a_process_function_on_a_stream_that_is_not_keyed_reads_the_clocks():
    from fluvial.common import WatermarkStrategy
    from fluvial.common.watermark_strategy import TimestampAssigner
    from fluvial.datastream import ProcessFunction, StreamExecutionEnvironment

    class Value(TimestampAssigner):
        def extract_timestamp(self, value, record_timestamp):
            return value

    class Clocks(ProcessFunction):
        def process_element(self, value, ctx):
            service = ctx.timer_service()
            yield value, ctx.timestamp(), service.current_watermark(), service.current_processing_time() > 0

    env = StreamExecutionEnvironment.get_execution_environment()
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Value())
    stream = env.from_collection([5, 7]).assign_timestamps_and_watermarks(strategy).process(Clocks())
    # One batch: no watermark has arrived before its records (Long.MIN_VALUE, as Flink reports).
    assert list(stream.execute_and_collect()) == [(5, 5, -2**63, True), (7, 7, -2**63, True)]
