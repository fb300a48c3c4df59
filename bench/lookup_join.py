"""Lookup joins against real servers: a stream of N records, each enriched with the
Redis hash or the PostgreSQL row of one of 1,000 keys — Fluvial's batched lookups
(without and with a cache) beside a bare Python loop that asks per record, as a plain
MapFunction would.

Starts its own Redis and PostgreSQL (scripts/redis.sh, scripts/postgres.sh) on free
127.0.0.1 ports and stops them at the end.

    python bench/lookup_join.py                             # 200,000 records, 3 rounds
    python bench/lookup_join.py --records 2000 --rounds 1   # smoke run
"""

import argparse
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import redis

from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors import DiscardingSink, NumberSequenceSource
from fluvial.datastream.connectors.jdbc import JdbcConnectionOptions, JdbcLookupFunction
from fluvial.datastream.connectors.redis import RedisLookupFunction

KEYS = 1000
SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fluvial_rate(lookup, records: int, rounds: int, check: list) -> float:
    env = StreamExecutionEnvironment.get_execution_environment()
    sample = env.from_source(NumberSequenceSource(0, len(check) - 1), None, "records").map(lookup)
    assert list(sample.execute_and_collect()) == check, "Fluvial and the bare loop disagree"
    times = []
    for _ in range(rounds):
        env = StreamExecutionEnvironment.get_execution_environment()
        env.from_source(NumberSequenceSource(0, records - 1), None, "records").map(lookup).sink_to(DiscardingSink())
        start = time.perf_counter()
        env.execute("lookup join")
        times.append(time.perf_counter() - start)
    return records / statistics.median(times)


def loop_rate(fetch, records: int, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for n in range(records):
            (n, fetch(n))
        times.append(time.perf_counter() - start)
    return records / statistics.median(times)


def main(records: int, rounds: int) -> None:
    redis_dir = tempfile.mkdtemp(prefix="fluvial-redis-", dir="/tmp")
    pg_dir = tempfile.mkdtemp(prefix="fluvial-pg-", dir="/tmp")
    redis_port, pg_port = free_port(), free_port()
    subprocess.run(["bash", str(SCRIPTS / "redis.sh"), "start", redis_dir, str(redis_port)], check=True,
                   capture_output=True)
    try:
        subprocess.run(["bash", str(SCRIPTS / "postgres.sh"), "start", pg_dir, str(pg_port)], check=True,
                       capture_output=True)
        try:
            run(records, rounds, redis_port, pg_port)
        finally:
            subprocess.run(["bash", str(SCRIPTS / "postgres.sh"), "stop", pg_dir], capture_output=True)
    finally:
        subprocess.run(["bash", str(SCRIPTS / "redis.sh"), "stop", redis_dir], capture_output=True)
        shutil.rmtree(redis_dir, ignore_errors=True)
        shutil.rmtree(pg_dir, ignore_errors=True)


def run(records: int, rounds: int, redis_port: int, pg_port: int) -> None:
    client = redis.Redis(port=redis_port, decode_responses=True)
    for k in range(KEYS):
        client.hset(f"feature:{k}", mapping={"age": 20 + k % 50, "ctr": k / KEYS})
    db = psycopg.connect(host="127.0.0.1", port=pg_port, user="postgres", dbname="postgres", autocommit=True)
    db.execute("CREATE TABLE features (id int PRIMARY KEY, age int, ctr double precision)")
    db.execute(f"INSERT INTO features SELECT g, 20 + g % 50, g::float / {KEYS} FROM generate_series(0, {KEYS - 1}) g")
    options = (JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
               .with_url(f"jdbc:postgresql://127.0.0.1:{pg_port}/postgres").with_user_name("postgres").build())
    check = min(records, 5000)

    def redis_key(n):
        return f"feature:{n % KEYS}"

    redis_expected = [(n, client.hgetall(redis_key(n))) for n in range(check)]
    print(f"records: {records:,}  rounds: {rounds}  keys: {KEYS:,}")
    per_record = loop_rate(lambda n: client.hgetall(redis_key(n)), records, rounds)
    print(f"Redis HGETALL per record, bare loop : {per_record:12,.0f} records/s")
    batched = fluvial_rate(RedisLookupFunction(port=redis_port, key=redis_key), records, rounds, redis_expected)
    print(f"Redis lookup, Fluvial, no cache      : {batched:12,.0f} records/s")
    cached = fluvial_rate(RedisLookupFunction(port=redis_port, key=redis_key, cache_max_rows=KEYS),
                          records, rounds, redis_expected)
    print(f"Redis lookup, Fluvial, cache         : {cached:12,.0f} records/s")

    def select(n):
        return db.execute("SELECT age, ctr FROM features WHERE id = %s", (n % KEYS,)).fetchone()

    pg_expected = [(n, dict(zip(("age", "ctr"), select(n)))) for n in range(check)]
    pg_loop = loop_rate(select, records, rounds)
    print(f"PostgreSQL SELECT per record, bare   : {pg_loop:12,.0f} records/s")
    def join(n, row):
        return (n, row.as_dict())

    pg_batched = fluvial_rate(JdbcLookupFunction(options, "features", "id", key=lambda n: n % KEYS,
                                                 columns=["age", "ctr"], join=join), records, rounds, pg_expected)
    print(f"JDBC lookup, Fluvial, no cache       : {pg_batched:12,.0f} records/s")
    print(f"ratio Fluvial (no cache) / bare per-record loop: Redis {batched / per_record:.1f}, "
          f"PostgreSQL {pg_batched / pg_loop:.1f}")
    db.close()
    client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.records, arguments.rounds)
