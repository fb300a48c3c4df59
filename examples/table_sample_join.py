"""Sample joining in SQL (scenario 4 of the PyFlink talk): the label stream is joined
with the feature table in a KV store (Redis) by user_id, item_id and trace_id, as a
lookup join FOR SYSTEM_TIME AS OF the labels' processing time. The trace id keeps a
sample from meeting features logged after it.

Start a Redis first (`scripts/redis.sh start /tmp/redis 6379`), then run
`fluvial run examples/table_sample_join.py [--host H] [--port P]`. The example writes
the feature table into Redis itself before joining.
"""

import argparse
import os
import tempfile

import redis
from pyflink.table import EnvironmentSettings, TableEnvironment


def features(count: int):
    """(user_id, item_id, trace_id) → (user_age, item_ctr); every 4th trace has none."""
    return {(n % 7, n % 5, f"tr{n}"): (20 + n % 30, round((n % 13) / 13, 4)) for n in range(count) if n % 4 != 3}


def labels(count: int):
    return [(n % 7, n % 5, f"tr{n}", n % 2) for n in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()

    # The feature store: one hash per (user_id, item_id, trace_id).
    client = redis.Redis(args.host, args.port)
    with client.pipeline() as pipe:
        for (user_id, item_id, trace_id), (age, ctr) in features(args.samples).items():
            pipe.hset(f"feature:{user_id}:{item_id}:{trace_id}", mapping={"user_age": age, "item_ctr": ctr})
        pipe.execute()

    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, "labels.csv"), "w") as out:
            out.writelines(f"{u},{i},{t},{label}\n" for u, i, t, label in labels(args.samples))

        table_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
        table_env.execute_sql(f"""
            CREATE TABLE label_table (user_id BIGINT, item_id BIGINT, trace_id STRING, label INT,
                                      proc_time AS PROCTIME())
            WITH ('connector' = 'filesystem', 'path' = '{directory}', 'format' = 'csv')""")
        table_env.execute_sql(f"""
            CREATE TABLE feature_table (user_id BIGINT, item_id BIGINT, trace_id STRING,
                                        user_age INT, item_ctr DOUBLE)
            WITH ('connector' = 'redis', 'host' = '{args.host}', 'port' = '{args.port}',
                  'key-pattern' = 'feature:{{user_id}}:{{item_id}}:{{trace_id}}',
                  'lookup.cache.max-rows' = '10000', 'lookup.cache.ttl' = '10 min')""")
        # The talk's query, as written there.
        result = table_env.execute_sql("""
            SELECT *
            FROM %s AS label_table
            JOIN %s FOR SYSTEM_TIME AS OF label_table.proc_time AS feature_table
            ON label_table.user_id == feature_table.user_id
            && label_table.item_id == feature_table.item_id
            && label_table.trace_id == feature_table.trace_id
        """ % ("label_table", "feature_table"))
        with result.collect() as rows:
            for row in rows:
                print(row.user_id, row.item_id, row.trace_id, row.label, row.user_age, row.item_ctr)


if __name__ == "__main__":
    main()
