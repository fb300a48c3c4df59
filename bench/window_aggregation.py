"""A keyed event-time tumbling-window aggregation over N events: Fluvial
beside a bare Python implementation of the same logic.

Per key (1,000 keys) and 1-second tumbling event-time window, the sum of the
values, through an AggregateFunction; the bare implementation keeps a dict per
(key, window) and emits a window when the monotonous watermark passes its end.

    python bench/window_aggregation.py                   # 5M events, 3 rounds
    python bench/window_aggregation.py --events 100000 --rounds 1   # smoke run
"""


import _side_by_side

from fluvial.common import Time, WatermarkStrategy
from fluvial.common.watermark_strategy import TimestampAssigner
from fluvial.datastream import AggregateFunction, StreamExecutionEnvironment
from fluvial.datastream.connectors.number_seq import NumberSequenceSource
from fluvial.datastream.window import TumblingEventTimeWindows

KEYS = 1000
SIZE = 1000  # ms


class EventTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value // 10  # ten events per millisecond


def key_of(n):
    return n % KEYS


class Sum(AggregateFunction):
    def create_accumulator(self):
        return 0

    def add(self, value, accumulator):
        return accumulator + value

    def get_result(self, accumulator):
        return accumulator

    def merge(self, a, b):
        return a + b


def fluvial_job(events: int, collect: bool):
    env = StreamExecutionEnvironment.get_execution_environment()
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(EventTime())
    stream = env.from_source(NumberSequenceSource(0, events - 1), strategy, "events")
    sums = stream.key_by(key_of).window(TumblingEventTimeWindows.of(Time.milliseconds(SIZE))) \
        .aggregate(Sum())
    if collect:
        return sorted(sums.execute_and_collect())
    env.execute("window aggregation")
    return None


def bare_python(events: int, collect: bool):
    # window start -> {key: sum}; windows close in start order as the watermark passes.
    windows, out, batch = {}, [], 1024
    for start in range(0, events, batch):
        for n in range(start, min(start + batch, events)):
            window = (n // 10) // SIZE * SIZE
            sums = windows.get(window)
            if sums is None:
                sums = windows[window] = {}
            key = key_of(n)
            sums[key] = sums.get(key, 0) + n
        watermark = (min(start + batch, events) - 1) // 10 - 1
        for window in [w for w in windows if w + SIZE - 1 <= watermark]:
            out.extend(windows.pop(window).values())
    for sums in windows.values():
        out.extend(sums.values())
    return sorted(out) if collect else None


if __name__ == "__main__":
    _side_by_side.run(__doc__.splitlines()[0], fluvial_job, bare_python)
