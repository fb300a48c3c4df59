"""Real-time samples (scenario 3 of the PyFlink talk): expose and click events
become labelled training samples.

Per (user, item): an expose opens a 10-minute event-time timer; a click before
it fires makes the sample positive (label 1); the timer firing first makes it
negative (label 0). Events arrive up to 30 seconds out of order.

Run it with `fluvial run examples/label_generator.py`; it prints one
"+I[user, item, label]" line per expose.
"""

import random

from pyflink.common import Duration, Row, Types, WatermarkStrategy
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import KeyedProcessFunction, StreamExecutionEnvironment
from pyflink.datastream.state import ValueStateDescriptor

TEN_MINUTES = 10 * 60 * 1000


def make_events(users: int = 20, items: int = 5, seed: int = 7):
    """Exposes, clicks 1 to 15 minutes after some of them, shuffled within 30 s."""
    rng = random.Random(seed)
    events = []
    for user in range(users):
        for item in range(items):
            shown = rng.randrange(0, 3_600_000)
            events.append(Row(user=f"u{user}", item=f"i{item}", event="expose", ts=shown))
            if rng.random() < 0.6:
                events.append(Row(user=f"u{user}", item=f"i{item}", event="click",
                                  ts=shown + rng.randrange(60_000, 15 * 60_000)))
    events.sort(key=lambda e: e.ts + rng.randrange(0, 30_000))
    return events


class EventTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value.ts


# --8<-- [start:function]
class LabelGenerator(KeyedProcessFunction):
    def open(self, runtime_context):
        self.expose = runtime_context.get_state(ValueStateDescriptor("expose", Types.PICKLED_BYTE_ARRAY()))

    def process_element(self, value, ctx):
        pending = self.expose.value()
        if value.event == "expose" and pending is None:
            self.expose.update(value)
            ctx.timer_service().register_event_time_timer(value.ts + TEN_MINUTES)
        elif value.event == "click" and pending is not None and value.ts < pending.ts + TEN_MINUTES:
            # A click after the deadline is left to the timer, even if it
            # arrives first: labels follow event time, not arrival order.
            ctx.timer_service().delete_event_time_timer(pending.ts + TEN_MINUTES)
            self.expose.clear()
            yield Row(value.user, value.item, 1)

    def on_timer(self, timestamp, ctx):
        pending = self.expose.value()
        if pending is not None:
            self.expose.clear()
            yield Row(pending.user, pending.item, 0)
# --8<-- [end:function]


# --8<-- [start:job]
def main():
    env = StreamExecutionEnvironment.get_execution_environment()
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(30)) \
        .with_timestamp_assigner(EventTime())
    env.from_collection(make_events()) \
        .assign_timestamps_and_watermarks(strategy) \
        .key_by(lambda e: (e.user, e.item)) \
        .process(LabelGenerator()) \
        .print()
    env.execute("label_generator")
# --8<-- [end:job]


if __name__ == "__main__":
    main()
