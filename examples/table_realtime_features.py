"""Real-time features with SQL and a pandas UDAF (the talk's second scenario):
for every user, the last 5 items accessed in a 5-minute window sliding every
30 seconds, computed by a pandas aggregate function in a HOP window.

Run: fluvial run examples/table_realtime_features.py
"""

import os
import tempfile
from datetime import datetime, timedelta

import pandas as pd
from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.udf import udaf

START = datetime(2024, 1, 1, 12, 0, 0)
# (user, accessed_item, event_time): 3 users browsing, 7 seconds apart, slightly out of order.
EVENTS = [(f"user{i % 3}", f"item{(i * 7) % 13}",
           START + timedelta(seconds=7 * i + (3 if i % 5 == 0 else 0))) for i in range(120)]


@udaf(result_type=DataTypes.STRING(), func_type="pandas")
def accessed_item_seq(accessed_time: pd.Series, accessed_item: pd.Series) -> str:
    import pandas as pd
    df = pd.DataFrame({'ts': accessed_time, 'items': accessed_item})
    latest_5_df = df.sort_values(by="ts", ascending=True).tail(5)
    return '|'.join(latest_5_df['items'])


def write_events(directory: str) -> str:
    path = os.path.join(directory, "events.csv")
    with open(path, "w") as out:
        for user, item, ts in EVENTS:
            out.write(f"{user},{item},{ts:%Y-%m-%d %H:%M:%S}\n")
    return path


def build(t_env: TableEnvironment, path: str):
    t_env.execute_sql(f"""
        CREATE TABLE src_table (
            `user` STRING,
            accessed_item STRING,
            event_time TIMESTAMP(3),
            WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
        ) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'csv')""")
    t_env.create_temporary_function("accessed_item_seq", accessed_item_seq)
    return t_env.sql_query("""
        SELECT `user`, HOP_END(event_time, INTERVAL '30' SECOND, INTERVAL '5' MINUTE) AS window_end,
               accessed_item_seq(event_time, accessed_item) AS last_items
        FROM src_table
        GROUP BY `user`, HOP(event_time, INTERVAL '30' SECOND, INTERVAL '5' MINUTE)""")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as directory:
        t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
        with build(t_env, write_events(directory)).execute().collect() as results:
            for row in results:
                print(row.user, row.window_end, row.last_items)
