"""Event-time temporal join throughput: orders joined with the currency rate valid at
their time (FOR SYSTEM_TIME AS OF o.order_time against a versioned table), Fluvial beside
duckdb's ASOF JOIN — the same answer computed over the whole data at once — on the same
Parquet files (2M orders and 200k rate versions over 1,000 currencies by default).

Fluvial writes the joined rows into a blackhole table, duckdb into an Arrow table; rounds
alternate; medians. Before timing, the two results are compared on a sample.

    python bench/temporal_join.py                              # 2M orders, 3 rounds
    python bench/temporal_join.py --orders 20000 --rounds 1    # smoke run
"""

import argparse
import os
import statistics
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from fluvial.table import EnvironmentSettings, TableEnvironment

CURRENCIES = 1_000


def write_data(directory: str, orders: int) -> str:
    """orders/ and rates/ Parquet files: times in order (no late rows), 10 orders per rate change."""
    rng = np.random.default_rng(4)
    start = np.datetime64("2024-01-01T00:00:00", "ms")
    rates = max(orders // 10, CURRENCIES)
    tables = {
        "orders": pa.table({
            "order_id": np.arange(orders, dtype="int64"),
            "price": rng.uniform(1, 100, orders),
            "currency": rng.integers(0, CURRENCIES + CURRENCIES // 10, orders),  # some have no rate
            "order_time": pa.array(start + np.arange(orders, dtype="int64") * 10, pa.timestamp("ms")),
        }),
        "rates": pa.table({
            "currency": np.concatenate([np.arange(CURRENCIES), rng.integers(0, CURRENCIES, rates - CURRENCIES)]),
            "rate": rng.uniform(0.5, 2.0, rates),
            "update_time": pa.array(start - 1 + np.arange(rates, dtype="int64") * (orders * 10 // rates),
                                    pa.timestamp("ms")),
        }),
    }
    for name, table in tables.items():
        os.makedirs(os.path.join(directory, name))
        pq.write_table(table, os.path.join(directory, name, "part-0.parquet"), row_group_size=64 * 1024)
    return directory


def fluvial_env(directory: str) -> TableEnvironment:
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.execute_sql(f"""
        CREATE TABLE orders (order_id BIGINT, price DOUBLE, currency BIGINT, order_time TIMESTAMP(3),
                             WATERMARK FOR order_time AS order_time - INTERVAL '1' SECOND)
        WITH ('connector' = 'filesystem', 'path' = '{directory}/orders', 'format' = 'parquet')""")
    t_env.execute_sql(f"""
        CREATE TABLE rates (currency BIGINT, rate DOUBLE, update_time TIMESTAMP(3),
                            WATERMARK FOR update_time AS update_time - INTERVAL '1' SECOND,
                            PRIMARY KEY (currency) NOT ENFORCED)
        WITH ('connector' = 'filesystem', 'path' = '{directory}/rates', 'format' = 'parquet')""")
    return t_env


FLUVIAL_SQL = """SELECT o.order_id, o.price * r.rate AS converted, o.order_time
                 FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r
                 ON o.currency = r.currency"""
DUCKDB_SQL = """SELECT o.order_id, o.price * r.rate AS converted, o.order_time
                FROM read_parquet('{d}/orders/*.parquet') AS o
                ASOF JOIN read_parquet('{d}/rates/*.parquet') AS r
                ON o.currency = r.currency AND o.order_time >= r.update_time"""


def fluvial_run(directory: str) -> None:
    t_env = fluvial_env(directory)
    t_env.execute_sql("CREATE TABLE sink (order_id BIGINT, converted DOUBLE, order_time TIMESTAMP(3)) "
                      "WITH ('connector' = 'blackhole')")
    t_env.execute_sql(f"INSERT INTO sink {FLUVIAL_SQL}").wait()


def check(directory: str) -> None:
    import duckdb

    got = {r.order_id: round(r.converted, 9) for r in fluvial_env(directory).execute_sql(FLUVIAL_SQL).collect()}
    expected = {i: round(c, 9) for i, c, _ in duckdb.sql(DUCKDB_SQL.format(d=directory)).fetchall()}
    assert got == expected, f"the temporal join disagrees with duckdb's ASOF JOIN ({len(got)} vs {len(expected)} rows)"


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import duckdb

    with tempfile.TemporaryDirectory() as directory:
        data = write_data(directory, args.orders)
        sample = data if args.orders <= 200_000 else write_data(os.path.join(directory, "sample"), 100_000)
        check(sample)
        ours, theirs = [], []
        for _ in range(args.rounds):
            theirs.append(timed(lambda: duckdb.sql(DUCKDB_SQL.format(d=data)).fetch_arrow_table()))
            ours.append(timed(lambda: fluvial_run(data)))
        ours_rate = args.orders / statistics.median(ours)
        theirs_rate = args.orders / statistics.median(theirs)
        print(f"orders: {args.orders:,}  rate versions: {max(args.orders // 10, CURRENCIES):,}  rounds: {args.rounds}")
        print(f"temporal join: Fluvial {ours_rate:12,.0f} orders/s   duckdb ASOF JOIN {theirs_rate:12,.0f} orders/s   "
              f"ratio {ours_rate / theirs_rate:.2f}")


if __name__ == "__main__":
    main()
