"""Sample joining against a feature store (scenario 4 of the PyFlink talk): labelled
samples are enriched with the features stored in Redis for their (user_id, item_id,
trace_id) — the trace id keeps a sample from meeting features computed after it.

Two jobs: the first writes the feature table into Redis hashes (with a TTL), the second
joins the label stream against it with a batched, cached lookup and prints the samples.
Start a Redis first (`scripts/redis.sh start /tmp/redis 6379`), then run
`fluvial run examples/sample_join.py [--host H] [--port P] [--parallelism N]`.
"""

import argparse
import sys

from pyflink.common import Row
from pyflink.datastream import StreamExecutionEnvironment

from fluvial.datastream.connectors.redis import RedisLookupFunction, RedisSink


def features(count: int):
    """The feature table: one row per (user_id, item_id, trace_id); every 4th trace has none."""
    return [Row(user_id=n % 7, item_id=n % 5, trace_id=f"tr{n}", user_age=20 + n % 30,
                item_ctr=round((n % 13) / 13, 4))
            for n in range(count) if n % 4 != 3]


def labels(count: int):
    """The label stream of the sample generator: one sample per trace."""
    return [Row(user_id=n % 7, item_id=n % 5, trace_id=f"tr{n}", label=n % 2) for n in range(count)]


def feature_key(row: Row) -> str:
    return f"feature:{row.user_id}:{row.item_id}:{row.trace_id}"


def join(sample: Row, found):
    if found is None:  # no features for this trace: a LEFT JOIN keeps the sample
        return Row(**sample.as_dict(), user_age=None, item_ctr=None)
    return Row(**sample.as_dict(), user_age=int(found["user_age"]), item_ctr=float(found["item_ctr"]))


def main(host: str, port: int, parallelism: int, count: int):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.from_collection(features(count)).sink_to(RedisSink(
        host, port, key=feature_key, value=["user_age", "item_ctr"], data_type="hash", ttl=3600))
    env.execute("write features")

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    lookup = RedisLookupFunction(host, port, key=feature_key, join=join,
                                 cache_max_rows=10000, cache_ttl=60)
    env.from_collection(labels(count)).rebalance().map(lookup).print()
    env.execute("sample join")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--parallelism", type=int, default=1)
    parser.add_argument("--count", type=int, default=40)
    args = parser.parse_args(sys.argv[1:])
    main(args.host, args.port, args.parallelism, args.count)
