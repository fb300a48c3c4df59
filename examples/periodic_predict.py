"""Near-line inference (scenario 5 of the PyFlink talk): a model loaded once in
open() re-predicts each user's score every 5 minutes of event time, driven by
timers, from the features that arrived since.

The "model" is a small scikit-learn-style object with predict(); loading it
is the expensive step that open() does once per parallel instance.

Run it with `fluvial run examples/periodic_predict.py [--parallelism N]`;
it prints "+I[user, window_end, prediction]" lines.
"""

import argparse
import sys

from pyflink.common import Row, Types, WatermarkStrategy
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import KeyedProcessFunction, StreamExecutionEnvironment
from pyflink.datastream.state import MapStateDescriptor

FIVE_MINUTES = 5 * 60 * 1000


class MeanModel:
    """Stands in for a trained model: predicts the mean of the features, rounded."""

    loads = 0

    @classmethod
    def load(cls) -> "MeanModel":
        cls.loads += 1
        return cls()

    def predict(self, rows):
        return [round(sum(row) / len(row), 3) for row in rows]


def make_features(users: int = 5, per_user: int = 40):
    """(user, ts, feature) — one reading every 30 s per user, values from a formula."""
    return [Row(user=f"u{u}", ts=n * 30_000 + u, feature=float((n * 7 + u * 3) % 11))
            for n in range(per_user) for u in range(users)]


class EventTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value.ts


# --8<-- [start:function]
class PeriodicPredict(KeyedProcessFunction):
    def open(self, runtime_context):
        self.model = MeanModel.load()  # once per parallel instance, not per record
        # Features by the end of their period: records of later periods may
        # arrive before the watermark closes an earlier one.
        self.features = runtime_context.get_map_state(
            MapStateDescriptor("features", Types.LONG(), Types.LIST(Types.FLOAT())))

    def process_element(self, value, ctx):
        period_end = (value.ts // FIVE_MINUTES + 1) * FIVE_MINUTES
        features = self.features.get(period_end) or []
        self.features.put(period_end, features + [value.feature])
        # One timer per key and period: registering the same time again is a no-op.
        ctx.timer_service().register_event_time_timer(period_end)

    def on_timer(self, timestamp, ctx):
        features = self.features.get(timestamp)
        if features:
            yield Row(ctx.get_current_key(), timestamp, self.model.predict([features])[0])
        self.features.remove(timestamp)
# --8<-- [end:function]


# --8<-- [start:job]
def main(parallelism: int):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(EventTime())
    env.from_collection(make_features()) \
        .assign_timestamps_and_watermarks(strategy) \
        .key_by(lambda row: row.user) \
        .process(PeriodicPredict()) \
        .print()
    env.execute("periodic_predict")
# --8<-- [end:job]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--parallelism", type=int, default=1)
    main(parser.parse_args(sys.argv[1:]).parallelism)
