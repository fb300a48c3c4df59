"""A KeyedProcessFunction with ValueState and an event-time timer per key,
over N events: Fluvial beside a bare Python implementation of the same logic.

Per key (1,000 keys), count the events; on each event register a timer one
second of event time later; when it fires, emit (key, count) and reset. The
bare implementation keeps the same dict state and a heap of timers, fired as
the (monotonous) watermark passes them.

    python bench/keyed_timers.py                      # 5M events, 3 rounds
    python bench/keyed_timers.py --events 100000 --rounds 1   # smoke run
"""

import heapq

import _side_by_side

from fluvial.common import Types, WatermarkStrategy
from fluvial.common.watermark_strategy import TimestampAssigner
from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment
from fluvial.datastream.connectors.number_seq import NumberSequenceSource
from fluvial.datastream.state import ValueStateDescriptor

KEYS = 1000
DELAY = 1000  # ms of event time


class EventTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value  # event n happens at n ms


def key_of(n):
    return n % KEYS


class CountUntilTimer(KeyedProcessFunction):
    def open(self, runtime_context):
        self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))

    def process_element(self, value, ctx):
        count = self.count.value()
        if count is None:
            ctx.timer_service().register_event_time_timer(ctx.timestamp() + DELAY)
            count = 0
        self.count.update(count + 1)

    def on_timer(self, timestamp, ctx):
        yield ctx.get_current_key(), self.count.value()
        self.count.clear()


def fluvial_job(events: int, collect: bool):
    env = StreamExecutionEnvironment.get_execution_environment()
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(EventTime())
    stream = env.from_source(NumberSequenceSource(0, events - 1), strategy, "events")
    results = stream.key_by(key_of).process(CountUntilTimer())
    if collect:
        return per_key_totals(results.execute_and_collect())
    env.execute("keyed timers")
    return None


def per_key_totals(outputs) -> list:
    """Events counted per key over all its timers. When a timer fires depends on how
    often watermarks come (the engine sends one after each chunk it hands down the
    chain), so single counts may differ from the reference's; the totals may not:
    every event counted exactly once."""
    totals = {}
    for key, count in outputs:
        totals[key] = totals.get(key, 0) + count
    return sorted(totals.items())


def bare_python(events: int, collect: bool):
    counts, timers, out = {}, [], []
    batch = 1024
    for start in range(0, events, batch):
        for n in range(start, min(start + batch, events)):
            key = key_of(n)
            count = counts.get(key)
            if count is None:
                heapq.heappush(timers, (n + DELAY, key))
                count = 0
            counts[key] = count + 1
        watermark = min(start + batch, events) - 2  # monotonous: max timestamp - 1
        while timers and timers[0][0] <= watermark:
            _, key = heapq.heappop(timers)
            out.append((key, counts.pop(key)))
    while timers:  # end of input: the watermark jumps to the maximum
        _, key = heapq.heappop(timers)
        out.append((key, counts.pop(key)))
    return per_key_totals(out) if collect else None


if __name__ == "__main__":
    _side_by_side.run(__doc__.splitlines()[0], fluvial_job, bare_python)
