"""Orders into PostgreSQL and back: a PyFlink JdbcSink upserts the latest state of each
order by its primary key, then a second job enriches a stream of payments with the
order rows through a batched, cached JDBC lookup.

Start a PostgreSQL first (`scripts/postgres.sh start /tmp/pg 5432`), then run
`fluvial run examples/jdbc_orders.py [--url jdbc:postgresql://127.0.0.1:5432/postgres]`.
"""

import argparse
import sys

from pyflink.common import Row, Types
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.datastream.connectors.jdbc import JdbcConnectionOptions, JdbcExecutionOptions, JdbcSink

from fluvial.datastream.connectors.jdbc import JdbcLookupFunction, upsert_sql

ORDER = Types.ROW_NAMED(["order_id", "status", "amount"], [Types.INT(), Types.STRING(), Types.DOUBLE()])
STATUSES = ["created", "paid", "shipped"]


def order_updates(count: int):
    """Each order goes through created -> paid -> shipped; the table keeps the last state."""
    return [Row(order_id=n, status=status, amount=float(10 + n % 90))
            for status in STATUSES for n in range(count)]


def main(url: str, count: int):
    options = (JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
               .with_url(url)
               .with_driver_name("org.postgresql.Driver")
               .with_user_name("postgres")
               .build())
    import psycopg  # the table is created here; a real job writes into an existing one

    from fluvial.datastream.connectors.jdbc import parse_postgres_url
    with psycopg.connect(autocommit=True, **{**parse_postgres_url(url), "user": "postgres"}) as db:
        db.execute("DROP TABLE IF EXISTS orders")
        db.execute("CREATE TABLE orders (order_id int PRIMARY KEY, status text, amount double precision)")

    env = StreamExecutionEnvironment.get_execution_environment()
    env.from_collection(order_updates(count), type_info=ORDER) \
        .key_by(lambda order: order.order_id) \
        .add_sink(JdbcSink.sink(
            upsert_sql("orders", ["order_id", "status", "amount"], ["order_id"]), ORDER, options,
            JdbcExecutionOptions.builder().with_batch_size(500).with_batch_interval_ms(200).build()))
    env.execute("upsert orders")

    env = StreamExecutionEnvironment.get_execution_environment()
    payments = [Row(order_id=n * 3 % (count + 5), paid=float(n)) for n in range(count)]
    lookup = JdbcLookupFunction(options, "orders", "order_id", key="order_id", columns=["status", "amount"],
                                join=lambda payment, order: (payment.order_id, payment.paid,
                                                             order.status if order else None),
                                cache_max_rows=1000, cache_ttl=10)
    env.from_collection(payments).map(lookup).print()
    env.execute("enrich payments")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="jdbc:postgresql://127.0.0.1:5432/postgres")
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args(sys.argv[1:])
    main(args.url, args.count)
