"""Window results carry window.max_timestamp() as their timestamp, however the
window fired: by the watermark, by a count, or again for a late element."""

import pytest
from window_testing import ScriptedSource

from fluvial.common import Time, WatermarkStrategy
from fluvial.common.watermark_strategy import TimestampAssigner
from fluvial.datastream import ProcessFunction, StreamExecutionEnvironment
from fluvial.datastream.window import CountTrigger, TumblingEventTimeWindows


class FirstField(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[0]


class WithTimestamp(ProcessFunction):
    def process_element(self, value, ctx):
        yield value, ctx.timestamp()


def windowed(env, events, trigger=None, lateness=0):
    # One record per source batch, so a watermark follows every record.
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(FirstField())
    source = ScriptedSource([[event] for event in events])
    windows = env.from_source(source, strategy, "events") \
        .key_by(lambda e: e[1]).window(TumblingEventTimeWindows.of(Time.milliseconds(100)))
    if trigger is not None:
        windows = windows.trigger(trigger)
    if lateness:
        windows = windows.allowed_lateness(lateness)
    return windows.reduce(lambda a, b: (max(a[0], b[0]), a[1], a[2] + b[2])).process(WithTimestamp())


@pytest.mark.parametrize("parallelism", [1, 4])
def test_watermark_fired_windows_carry_their_last_moment(parallelism):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    events = [(t, "k" if t % 2 else "j", 1) for t in range(0, 450, 7)]
    results = list(windowed(env, events).execute_and_collect())
    assert results and all(ts == value[0] // 100 * 100 + 99 for value, ts in results)


def test_count_fired_windows_carry_their_last_moment():
    env = StreamExecutionEnvironment.get_execution_environment()
    events = [(t, "k", 1) for t in (10, 20, 30, 40, 150, 160)]
    results = list(windowed(env, events, trigger=CountTrigger.of(2)).execute_and_collect())
    assert [ts for _, ts in results] == [99, 99, 199]


def test_late_refire_carries_the_window_last_moment():
    env = StreamExecutionEnvironment.get_execution_environment()
    # 250 moves the watermark past [0, 100); 50 is late but within the lateness.
    events = [(10, "k", 1), (250, "k", 1), (50, "k", 1)]
    results = list(windowed(env, events, lateness=200).execute_and_collect())
    first_window = [(value, ts) for value, ts in results if value[0] < 100]
    assert [ts for _, ts in first_window] == [99, 99], results
