"""Recent items per user: for every user, the last 5 items they clicked within a
5-minute window that slides by 30 seconds (a feature for a recommender).

An AggregateFunction keeps, per user and window, a pandas DataFrame of
(ts, item_id) rows trimmed to the 5 latest, so a window holds at most 5 rows
however many clicks it sees; a ProcessWindowFunction labels the result with
the user and the window's end. Clicks arrive up to 10 seconds out of order.

Run it with `fluvial run examples/last_items_per_user.py`; it prints one
"user window_end item item ..." line per user and window.
"""

import random

import pandas as pd
from pyflink.common import Duration, Time, WatermarkStrategy
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.datastream.functions import AggregateFunction, ProcessWindowFunction
from pyflink.datastream.window import SlidingEventTimeWindows

LAST = 5


def make_clicks(users: int = 8, clicks: int = 150, seed: int = 3):
    """(user_id, ts, item_id) over 20 minutes, shuffled within 10 seconds."""
    rng = random.Random(seed)
    times = sorted(rng.sample(range(0, 20 * 60_000), clicks))
    events = [(f"user{rng.randrange(users)}", ts, f"item{rng.randrange(50)}") for ts in times]
    events.sort(key=lambda e: e[1] + rng.randrange(0, 10_000))
    return events


class ClickTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[1]


# --8<-- [start:aggregate]
class LastItems(AggregateFunction):
    def create_accumulator(self):
        return pd.DataFrame({"ts": pd.Series(dtype="int64"), "item_id": pd.Series(dtype="object")})

    def add(self, value, accumulator):
        row = pd.DataFrame({"ts": [value[1]], "item_id": [value[2]]})
        # DataFrame.append is gone since pandas 2: concatenate, keep the latest rows.
        combined = row if accumulator.empty else pd.concat([accumulator, row], ignore_index=True)
        return combined if len(combined) <= LAST else combined.nlargest(LAST, "ts")

    def get_result(self, accumulator):
        return accumulator.sort_values("ts")["item_id"].tolist()

    def merge(self, acc_a, acc_b):
        return pd.concat([acc_a, acc_b], ignore_index=True).nlargest(LAST, "ts")
# --8<-- [end:aggregate]


# --8<-- [start:window_function]
class PerUser(ProcessWindowFunction):
    def process(self, key, context, elements):
        for items in elements:
            yield f"{key} {context.window().end} {' '.join(items)}"
# --8<-- [end:window_function]


# --8<-- [start:job]
def main():
    env = StreamExecutionEnvironment.get_execution_environment()
    watermarks = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(10)) \
        .with_timestamp_assigner(ClickTime())
    env.from_collection(make_clicks()) \
        .assign_timestamps_and_watermarks(watermarks) \
        .key_by(lambda click: click[0]) \
        .window(SlidingEventTimeWindows.of(Time.minutes(5), Time.seconds(30))) \
        .aggregate(LastItems(), PerUser()) \
        .print()
    env.execute("last items per user")
# --8<-- [end:job]


if __name__ == "__main__":
    main()
