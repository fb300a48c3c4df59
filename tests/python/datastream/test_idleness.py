"""WatermarkStrategy.with_idleness(): a source subtask without records for the
idle timeout stops holding event time back, and counts again when it sends."""

import threading
import time

from fluvial.common import Duration, WatermarkStrategy
from fluvial.common.watermark_strategy import TimestampAssigner
from fluvial.datastream import KeyedProcessFunction, SinkFunction, StreamExecutionEnvironment
from fluvial.datastream.connectors.base import Source, SourceReader

FIRED = []
FIRED_LOCK = threading.Lock()


class _Trickle(SourceReader):
    """Emits its records one per poll, then nothing, forever (an unbounded source)."""

    def __init__(self, records):
        self._records = list(records)

    def poll(self):
        return [self._records.pop(0)] if self._records else []


class Trickle(Source):
    def __init__(self, records):
        self._records = records

    def _is_bounded(self):
        return False

    def _is_non_parallel(self):
        return True

    def _create_reader(self, subtask_index, parallelism):
        return _Trickle(self._records)


class FirstField(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[0]


class TimerAtEventTime(KeyedProcessFunction):
    def process_element(self, value, ctx):
        ctx.timer_service().register_event_time_timer(ctx.timestamp())

    def on_timer(self, timestamp, ctx):
        yield timestamp


class Remember(SinkFunction):
    def invoke(self, value, context):
        with FIRED_LOCK:
            FIRED.append(value)


def run_until(expected, strategy_a, wait_seconds):
    FIRED.clear()
    env = StreamExecutionEnvironment.get_execution_environment()
    strategy_b = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(FirstField())
    quiet = env.from_source(Trickle([(1000, "a")]), strategy_a, "quiet")
    busy = env.from_source(Trickle([(t, "b") for t in range(2000, 6001, 1000)]), strategy_b, "busy")
    quiet.union(busy).key_by(lambda e: e[1]).process(TimerAtEventTime()).add_sink(Remember())
    client = env.execute_async("idleness")
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        with FIRED_LOCK:
            if sorted(FIRED) == expected:
                break
        time.sleep(0.01)
    client.cancel().result()
    with FIRED_LOCK:
        return sorted(FIRED)


def test_an_idle_source_no_longer_holds_event_time_back():
    quiet = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(FirstField()) \
        .with_idleness(Duration.of_millis(50))
    # The busy source's largest timestamp is 6000: its watermark 5999 fires
    # every timer up to 5000 once the quiet source is idle.
    assert run_until([1000, 2000, 3000, 4000, 5000], quiet, 10) == [1000, 2000, 3000, 4000, 5000]


def test_without_idleness_the_quiet_source_holds_event_time_at_its_watermark():
    quiet = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(FirstField())
    # Event time stays at the quiet source's 999: no timer can fire.
    assert run_until([1000], quiet, 0.5) == []


def test_when_every_input_went_idle_event_time_moves_to_the_furthest_one():
    # The busy source goes idle first (50 ms after its last record), while the empty one
    # still holds event time back; once that one is idle too, nothing moves any more and
    # the furthest watermark (5999) stands, as Flink's StatusWatermarkValve flushes it.
    FIRED.clear()
    env = StreamExecutionEnvironment.get_execution_environment()
    assigned = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(FirstField())
    empty = env.from_source(Trickle([]), assigned.with_idleness(Duration.of_millis(400)), "empty")
    busy = env.from_source(Trickle([(t, "b") for t in range(2000, 6001, 1000)]),
                           assigned.with_idleness(Duration.of_millis(50)), "busy")
    empty.union(busy).key_by(lambda e: e[1]).process(TimerAtEventTime()).add_sink(Remember())
    client = env.execute_async("all idle")
    expected = [2000, 3000, 4000, 5000]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with FIRED_LOCK:
            if sorted(FIRED) == expected:
                break
        time.sleep(0.01)
    client.cancel().result()
    with FIRED_LOCK:
        assert sorted(FIRED) == expected
