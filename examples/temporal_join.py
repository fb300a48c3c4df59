"""An event-time temporal join (Flink's currency example): every order converted with the
exchange rate that was valid when it was placed, from a versioned table of rates — a table
with a PRIMARY KEY and a watermark, whose rows are the versions of each currency's rate.

Orders and rates arrive out of order; an order waits until the watermark of both tables
passes its time, then joins the rate version valid at that time.

Run: fluvial run examples/temporal_join.py
"""

import os
import tempfile
from datetime import datetime, timedelta

from pyflink.table import EnvironmentSettings, TableEnvironment

START = datetime(2024, 1, 1, 9, 0, 0)
# (currency, rate to EUR, update_time): a few changes per currency during the morning.
RATES = [("USD", "0.92", START), ("JPY", "0.0063", START), ("GBP", "1.16", START),
         ("USD", "0.93", START + timedelta(minutes=40)), ("GBP", "1.17", START + timedelta(minutes=55)),
         ("USD", "0.91", START + timedelta(minutes=95)), ("JPY", "0.0061", START + timedelta(minutes=80)),
         ("GBP", "1.15", START + timedelta(minutes=130))]
# (order_id, price, currency, order_time): one order every 7 minutes, some a little late.
ORDERS = [(f"o{i:03}", f"{10 + (i * 37) % 90}.{i % 100:02}", ("USD", "JPY", "GBP", "CHF")[i % 4],
           START + timedelta(minutes=7 * i - (3 if i % 4 == 1 else 0))) for i in range(1, 24)]


def write_csv(directory: str, name: str, rows) -> str:
    path = os.path.join(directory, name)
    os.makedirs(path)
    with open(os.path.join(path, f"{name}.csv"), "w") as out:
        for row in rows:
            out.write(",".join(f"{v:%Y-%m-%d %H:%M:%S}" if isinstance(v, datetime) else v for v in row) + "\n")
    return path


def build(t_env: TableEnvironment, directory: str):
    t_env.execute_sql(f"""
        CREATE TABLE orders (
            order_id STRING,
            price DECIMAL(32, 2),
            currency STRING,
            order_time TIMESTAMP(3),
            WATERMARK FOR order_time AS order_time - INTERVAL '5' MINUTE
        ) WITH ('connector' = 'filesystem', 'path' = '{write_csv(directory, "orders", ORDERS)}',
                'format' = 'csv')""")
    t_env.execute_sql(f"""
        CREATE TABLE currency_rates (
            currency STRING,
            conversion_rate DECIMAL(32, 4),
            update_time TIMESTAMP(3),
            WATERMARK FOR update_time AS update_time - INTERVAL '30' MINUTE,
            PRIMARY KEY (currency) NOT ENFORCED
        ) WITH ('connector' = 'filesystem', 'path' = '{write_csv(directory, "rates", RATES)}',
                'format' = 'csv')""")
    # CHF has no rate: the LEFT JOIN keeps those orders with a NULL rate.
    return t_env.sql_query("""
        SELECT order_id, price, orders.currency, conversion_rate, order_time
        FROM orders
        LEFT JOIN currency_rates FOR SYSTEM_TIME AS OF orders.order_time
        ON orders.currency = currency_rates.currency""")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as directory:
        t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
        with build(t_env, directory).execute().collect() as results:
            for row in results:
                print(row.order_id, row.price, row.currency, row.conversion_rate, row.order_time)
