"""Table/SQL throughput: Fluvial beside duckdb and pandas on the same Parquet
data (10M rows by default), for three workloads of issue #4:

1. filter + projection (SQL)      — Fluvial vs duckdb
2. windowed GROUP BY (TUMBLE, SQL) — Fluvial vs duckdb
3. a pandas UDF (Table API)        — Fluvial vs pandas on the whole DataFrame

Each engine reads the same Parquet file and produces the full result (duckdb and
pandas into memory, Fluvial into a blackhole table); rounds alternate; medians.

    python bench/table_sql.py                       # 10M rows, 3 rounds
    python bench/table_sql.py --rows 100000 --rounds 1   # smoke run
"""

import argparse
import os
import statistics
import tempfile
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import col
from fluvial.table.udf import udf


def write_data(directory: str, rows: int) -> str:
    rng = np.random.default_rng(1)
    start = np.datetime64("2024-01-01T00:00:00", "ms")
    table = pa.table({
        "user_id": rng.integers(0, 10_000, rows),
        "item": pa.array(rng.choice(np.array(["apple", "banana", "cherry", "durian"]), rows)),
        "price": rng.uniform(0, 100, rows),
        "qty": rng.integers(1, 10, rows),
        # 1,000 rows per second of event time, in order.
        "ts": pa.array(start + np.arange(rows, dtype="int64"), pa.timestamp("ms")),
    })
    path = os.path.join(directory, "events")
    os.makedirs(path)
    pq.write_table(table, os.path.join(path, "part-0.parquet"), row_group_size=128 * 1024)
    return path


def fluvial_env(path: str) -> TableEnvironment:
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.execute_sql(f"""
        CREATE TABLE events (user_id BIGINT, item STRING, price DOUBLE, qty BIGINT, ts TIMESTAMP(3),
                             WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
        WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'parquet')""")
    return t_env


FILTER_SQL = "SELECT user_id, price * qty AS revenue, UPPER(item) AS item FROM {t} WHERE price > 50"
WINDOW_FLUVIAL = ("SELECT window_start, user_id, SUM(price) AS total, COUNT(*) AS n "
                  "FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) "
                  "GROUP BY window_start, window_end, user_id")
WINDOW_DUCKDB = ("SELECT time_bucket(INTERVAL '1 minute', ts) AS window_start, user_id, SUM(price) AS total, "
                 "COUNT(*) AS n FROM read_parquet('{path}/*.parquet') GROUP BY 1, 2")


def fluvial_insert(path: str, query: str, columns: str) -> None:
    t_env = fluvial_env(path)
    t_env.execute_sql(f"CREATE TABLE sink ({columns}) WITH ('connector' = 'blackhole')")
    t_env.execute_sql(f"INSERT INTO sink {query}").wait()


@udf(result_type=DataTypes.DOUBLE(), func_type="pandas")
def discounted(price: pd.Series, qty: pd.Series) -> pd.Series:
    return price * qty * 0.9 + 1.0


def fluvial_pandas_udf(path: str) -> None:
    t_env = fluvial_env(path)
    t_env.execute_sql("CREATE TABLE sink (user_id BIGINT, value DOUBLE) WITH ('connector' = 'blackhole')")
    t_env.from_path("events").select(col("user_id"), discounted(col("price"), col("qty")).alias("value")) \
        .execute_insert("sink").wait()


def pandas_udf_reference(path: str) -> pd.DataFrame:
    frame = pd.read_parquet(path, columns=["user_id", "price", "qty"])
    return pd.DataFrame({"user_id": frame["user_id"], "value": discounted._func(frame["price"], frame["qty"])})


def check(path: str) -> None:
    """The engines agree on the data before anything is timed."""
    import duckdb

    t_env = fluvial_env(path)
    got = sorted(tuple(r) for r in t_env.execute_sql(FILTER_SQL.format(t="events")).collect())
    expected = sorted(duckdb.sql(FILTER_SQL.format(t=f"read_parquet('{path}/*.parquet')")).fetchall())
    assert len(got) == len(expected) and all(a[0] == b[0] and abs(a[1] - b[1]) < 1e-6 and a[2] == b[2]
                                             for a, b in zip(got, expected)), "filter+projection disagree"
    t_env = fluvial_env(path)
    got = {(r.window_start, r.user_id): (round(r.total, 6), r.n) for r in t_env.execute_sql(WINDOW_FLUVIAL).collect()}
    expected = {(w, u): (round(t, 6), n) for w, u, t, n in duckdb.sql(WINDOW_DUCKDB.format(path=path)).fetchall()}
    assert got == expected, "window aggregation disagrees"


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import duckdb

    with tempfile.TemporaryDirectory() as directory:
        path = write_data(directory, args.rows)
        check(path) if args.rows <= 200_000 else check(write_data(os.path.join(directory, "sample"), 100_000))
        workloads = {
            "filter + projection": (
                lambda: fluvial_insert(path, FILTER_SQL.format(t="events"),
                                       "user_id BIGINT, revenue DOUBLE, item STRING"),
                "duckdb",
                lambda: duckdb.sql(FILTER_SQL.format(t=f"read_parquet('{path}/*.parquet')")).fetch_arrow_table()),
            "windowed GROUP BY": (
                lambda: fluvial_insert(path, WINDOW_FLUVIAL,
                                       "window_start TIMESTAMP(3), user_id BIGINT, total DOUBLE, n BIGINT"),
                "duckdb", lambda: duckdb.sql(WINDOW_DUCKDB.format(path=path)).fetch_arrow_table()),
            "pandas UDF": (lambda: fluvial_pandas_udf(path), "pandas", lambda: pandas_udf_reference(path)),
        }
        print(f"rows: {args.rows:,}  rounds: {args.rounds}")
        for name, (fluvial_run, other_name, other_run) in workloads.items():
            ours, theirs = [], []
            for _ in range(args.rounds):
                theirs.append(timed(other_run))
                ours.append(timed(fluvial_run))
            ours_rate = args.rows / statistics.median(ours)
            theirs_rate = args.rows / statistics.median(theirs)
            print(f"{name:20s}: Fluvial {ours_rate:12,.0f} rows/s   {other_name} {theirs_rate:12,.0f} rows/s   "
                  f"ratio {ours_rate / theirs_rate:.2f}")


if __name__ == "__main__":
    main()
