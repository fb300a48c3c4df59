"""JdbcSink (append and upsert) and the JDBC lookup against a real PostgreSQL (started by
scripts/postgres.sh), checked against plain-Python re-computations of the table."""

import itertools
import random
import time

import pytest
from ds_support import Channel
from store_servers import free_port, postgres, postgres_server  # noqa: F401 - fixtures

from fluvial.common import Row, Types
from fluvial.datastream import SourceFunction, StreamExecutionEnvironment
from fluvial.datastream.connectors.jdbc import (
    JdbcConnectionOptions,
    JdbcExecutionOptions,
    JdbcLookupFunction,
    JdbcSink,
    parse_postgres_url,
    upsert_sql,
)
from fluvial.errors import ConnectorError, JobExecutionError

_tables = itertools.count()

BOOK = Types.ROW_NAMED(["id", "title", "price"], [Types.INT(), Types.STRING(), Types.DOUBLE()])


def environment(parallelism: int) -> StreamExecutionEnvironment:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    return env


def connection_options(server) -> JdbcConnectionOptions:
    host, port = server
    return (JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
            .with_url(f"jdbc:postgresql://{host}:{port}/postgres")
            .with_driver_name("org.postgresql.Driver")
            .with_user_name("postgres")
            .with_password("unused")
            .build())


def new_table(connection, columns: str) -> str:
    name = f"t{next(_tables)}_{random.randrange(10**6)}"
    connection.execute(f"CREATE TABLE {name} ({columns})")
    return name


def table_rows(connection, table: str):
    return sorted(connection.execute(f"SELECT * FROM {table}").fetchall())


@pytest.mark.slow
@pytest.mark.parametrize("parallelism", [1, 2])
def test_sink_appends_every_record(postgres_server, postgres, parallelism):  # noqa: F811
    table = new_table(postgres, "id int, title text, price double precision")
    books = [Row(id=i, title=f"book {i}", price=i / 4) for i in range(2500)]
    env = environment(parallelism)
    env.from_collection(books, type_info=BOOK).rebalance().add_sink(JdbcSink.sink(
        f"insert into {table} (id, title, price) values (?, ?, ?)", BOOK, connection_options(postgres_server),
        JdbcExecutionOptions.builder().with_batch_size(300).with_batch_interval_ms(0).with_max_retries(2).build()))
    env.execute("jdbc append")
    assert table_rows(postgres, table) == sorted(tuple(b) for b in books)


@pytest.mark.slow
@pytest.mark.parametrize("parallelism", [1, 2])
def test_sink_upserts_by_primary_key(postgres_server, postgres, parallelism):  # noqa: F811
    table = new_table(postgres, "id int primary key, title text, price double precision")
    postgres.execute(f"INSERT INTO {table} VALUES (1, 'old', 0.5), (999, 'untouched', 9.0)")
    rng = random.Random(7)
    updates = [Row(id=rng.randrange(100), title=f"v{n}", price=float(n)) for n in range(3000)]
    env = environment(parallelism)
    # Keyed by the primary key, each key's updates stay in order on one subtask.
    env.from_collection(updates, type_info=BOOK).key_by(lambda r: r.id).add_sink(JdbcSink.sink(
        upsert_sql(table, ["id", "title", "price"], ["id"]), BOOK, connection_options(postgres_server),
        JdbcExecutionOptions.builder().with_batch_size(128).build()))
    env.execute("jdbc upsert")
    expected = {1: (1, "old", 0.5), 999: (999, "untouched", 9.0)}
    for row in updates:
        expected[row.id] = tuple(row)
    assert table_rows(postgres, table) == sorted(expected.values())


class _WaitForFlush(SourceFunction):
    """Emits records, then waits (up to 10 s) until the sink's interval flush has written
    them, before ending: the batch size alone would only flush at the end."""

    def __init__(self, url_parts, table, channel):
        self._url_parts = url_parts
        self._table = table
        self._channel = channel

    def run(self, ctx):
        import psycopg

        for i in range(5):
            ctx.collect(Row(id=i, title="t", price=1.0))
        host, port = self._url_parts
        with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as db:
            deadline = time.monotonic() + 10
            count = 0
            while time.monotonic() < deadline:
                count = db.execute(f"SELECT count(*) FROM {self._table}").fetchone()[0]
                if count == 5:
                    break
                time.sleep(0.02)
        self._channel.append(count)


@pytest.mark.slow
def test_sink_flushes_after_the_batch_interval(postgres_server, postgres):  # noqa: F811
    table = new_table(postgres, "id int, title text, price double precision")
    channel = Channel()
    env = environment(1)
    env.add_source(_WaitForFlush(postgres_server, table, channel), type_info=BOOK).add_sink(JdbcSink.sink(
        f"insert into {table} values (?, ?, ?)", BOOK, connection_options(postgres_server),
        JdbcExecutionOptions.builder().with_batch_size(1000).with_batch_interval_ms(100).build()))
    env.execute("jdbc interval")
    assert channel.items() == [5]


@pytest.mark.slow
def test_sink_errors_name_the_table_column_and_record(postgres_server, postgres):  # noqa: F811
    options = connection_options(postgres_server)
    env = environment(1)
    env.from_collection([Row(id=1, title="a", price=1.0)], type_info=BOOK).add_sink(
        JdbcSink.sink("insert into no_such_table values (?, ?, ?)", BOOK, options))
    with pytest.raises(JobExecutionError, match=r'no_such_table.*\[42P01\] relation "no_such_table" does not exist'):
        env.execute("missing table")

    table = new_table(postgres, "id int, title text not null, price double precision")
    rows = [Row(id=i, title="ok" if i != 37 else None, price=1.0) for i in range(100)]
    env = environment(1)
    env.from_collection(rows, type_info=BOOK).add_sink(
        JdbcSink.sink(f"insert into {table} values (?, ?, ?)", BOOK, options))
    with pytest.raises(JobExecutionError, match=r"at record \(37, None, 1\.0\).*\[23502\].*column 'title'"):
        env.execute("not null")
    assert table_rows(postgres, table) == []  # the failed batch was rolled back


@pytest.mark.slow
def test_unreachable_server_names_host_port_and_database():
    port = free_port()
    options = connection_options(("127.0.0.1", port))
    env = environment(1)
    env.from_collection([Row(id=1, title="a", price=1.0)], type_info=BOOK).add_sink(
        JdbcSink.sink("insert into t values (?, ?, ?)", BOOK, options))
    with pytest.raises(JobExecutionError,
                       match=rf"cannot connect to PostgreSQL at 127\.0\.0\.1:{port}, database 'postgres'") as info:
        env.execute("unreachable")
    assert isinstance(info.value.__cause__, ConnectorError)


class CountingLookup(JdbcLookupFunction):
    """Reports its cache's hits and misses and its round trips when it closes."""

    def __init__(self, channel, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._channel = channel

    def close(self):
        self._channel.append((self.hits, self.misses, self.fetches))
        super().close()


@pytest.mark.slow
def test_lookup_join_with_cache(postgres_server, postgres):  # noqa: F811
    table = new_table(postgres, "user_id bigint primary key, age int, city text")
    users = {u: (20 + u % 50, f"city{u % 7}") for u in range(0, 300, 3)}  # 2 of 3 ids missing
    with postgres.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s)",
                           [(u, age, city) for u, (age, city) in users.items()])
    rng = random.Random(3)
    events = [(rng.randrange(300), n) for n in range(6000)]
    channel = Channel()
    lookup = CountingLookup(channel, connection_options(postgres_server), table, "user_id", key=0,
                            columns=["age", "city"], cache_max_rows=10000, cache_ttl=60)
    env = environment(1)
    results = list(env.from_collection(events).map(lookup).execute_and_collect())
    expected = [((u, n), Row(age=users[u][0], city=users[u][1]) if u in users else None) for u, n in events]
    assert results == expected
    hits, misses, fetches = channel.items()[0]
    distinct = len({u for u, _ in events})
    # Each distinct user (found or not) is fetched once; everything else is a cache hit.
    assert (hits, misses) == (len(events) - distinct, distinct)
    assert 1 <= fetches <= misses  # a round trip fetches every key of a batch the cache lacks
    # One batch of records, one query, whatever the number of keys.
    lookup = JdbcLookupFunction(connection_options(postgres_server), table, "user_id", key=0, columns=["age"])
    lookup.open(None)
    try:
        enriched = lookup.map_batch(events[:3000])
    finally:
        lookup.close()
    assert lookup.fetches == 1
    assert enriched == [(e, Row(age=users[e[0]][0]) if e[0] in users else None) for e in events[:3000]]


@pytest.mark.slow
def test_lookup_by_composite_key_without_cache(postgres_server, postgres):  # noqa: F811
    table = new_table(postgres, "user_id int, item_id int, trace_id text, score real, "
                                "primary key (user_id, item_id, trace_id)")
    stored = {(u, i, f"t{u}{i}"): u * 10 + i for u in range(10) for i in range(4) if (u + i) % 3}
    with postgres.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s, %s)",
                           [(*key, score) for key, score in stored.items()])
    samples = [Row(user_id=u, item_id=i, trace_id=f"t{u}{i}") for u in range(10) for i in range(4)] * 3
    env = environment(2)
    lookup = JdbcLookupFunction(connection_options(postgres_server), table, ["user_id", "item_id", "trace_id"],
                                key=lambda s: (s.user_id, s.item_id, s.trace_id), columns=["score"],
                                join=lambda s, found: (s.user_id, s.item_id, found.score if found else None))
    results = sorted(env.from_collection(samples).rebalance().map(lookup).execute_and_collect(),
                     key=lambda r: (r[0], r[1], r[2] is None, r[2] or 0))
    expected = sorted(((s.user_id, s.item_id, stored.get((s.user_id, s.item_id, s.trace_id))) for s in samples),
                      key=lambda r: (r[0], r[1], r[2] is None, r[2] or 0))
    assert results == expected


@pytest.mark.slow
def test_lookup_in_a_missing_table_names_it(postgres_server):  # noqa: F811
    env = environment(1)
    lookup = JdbcLookupFunction(connection_options(postgres_server), "nowhere", "id", key=lambda x: x)
    env.from_collection([1]).map(lookup)
    with pytest.raises(JobExecutionError, match=r"JDBC lookup in table 'nowhere'.*relation \"nowhere\" does not exist"):
        env.execute("missing table")


def test_postgres_urls_become_psycopg_parameters():
    assert parse_postgres_url("jdbc:postgresql://db.example:6543/shop?user=u&password=p&currentSchema=s") == {
        "host": "db.example", "port": 6543, "dbname": "shop", "user": "u", "password": "p",
        "options": "-c search_path=s"}
    assert parse_postgres_url("jdbc:postgresql://127.0.0.1/") == {"host": "127.0.0.1", "port": 5432,
                                                                  "dbname": "postgres"}
    assert parse_postgres_url("jdbc:postgresql:shop")["dbname"] == "shop"
    assert parse_postgres_url("jdbc:postgresql://[::1]:5433/x?reWriteBatchedInserts=true")["host"] == "::1"
    with pytest.raises(ValueError, match="is not a PostgreSQL URL"):
        parse_postgres_url("jdbc:mysql://localhost:3306/db")
    with pytest.raises(ValueError, match="port must be a number"):
        parse_postgres_url("jdbc:postgresql://localhost:port/db")
    with pytest.raises(ValueError, match="parameter 'frobnicate' is not supported"):
        parse_postgres_url("jdbc:postgresql://localhost/db?frobnicate=1")


def test_sink_options_are_checked_when_the_job_is_built():
    with pytest.raises(ValueError, match="is not a PostgreSQL URL"):
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder().with_url("jdbc:oracle:thin:@h:1521:x").build()
    options = JdbcConnectionOptions.JdbcConnectionOptionsBuilder().with_url("jdbc:postgresql://h/db").build()
    with pytest.raises(ValueError, match="2 '\\?' placeholders but the row type .* has 3 fields"):
        JdbcSink.sink("insert into t values (?, ?)", BOOK, options)
    assert JdbcSink.sink("insert into t values (?, '?%', ?, ?)", BOOK, options)._statement == \
        "insert into t values (%s, '?%%', %s, %s)"
    with pytest.raises(ConnectorError, match="driver 'com.mysql.cj.jdbc.Driver' is not supported"):
        JdbcSink.sink("insert into t values (?, ?, ?)", BOOK,
                      JdbcConnectionOptions.JdbcConnectionOptionsBuilder().with_url("jdbc:postgresql://h/db")
                      .with_driver_name("com.mysql.cj.jdbc.Driver").build())
    defaults = JdbcExecutionOptions.defaults()
    assert (defaults.get_batch_size(), defaults.get_batch_interval_ms(), defaults.get_max_retries()) == (5000, 0, 3)
    with pytest.raises(ValueError, match="batch size must be an int >= 1"):
        JdbcExecutionOptions.builder().with_batch_size(0)
    assert upsert_sql("s.books", ["id", "title"], "id") == (
        'INSERT INTO "s"."books" ("id", "title") VALUES (?, ?) ON CONFLICT ("id") DO UPDATE SET '
        '"title" = EXCLUDED."title"')


@pytest.mark.slow
def test_jdbc_orders_example(postgres_server, postgres):  # noqa: F811
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    host, port = postgres_server
    completed = subprocess.run(
        [sys.executable, "-m", "fluvial", "run", "examples/jdbc_orders.py",
         "--url", f"jdbc:postgresql://{host}:{port}/postgres", "--count", "30"],
        cwd=root, env=dict(os.environ, PYTHONPATH=str(root / "python")), capture_output=True, text=True,
        timeout=120)
    assert completed.returncode == 0, completed.stderr
    # Every order ends 'shipped'; payments for order ids past the last order find none.
    assert table_rows(postgres, "orders") == [(n, "shipped", float(10 + n % 90)) for n in range(30)]
    expected = []
    for n in range(30):
        order_id = n * 3 % 35
        # An untyped stream of tuples: PyFlink's print() shows str(record).
        expected.append(str((order_id, float(n), 'shipped' if order_id < 30 else None)))
    assert completed.stdout.splitlines() == expected


def terminate_other_backends(connection) -> int:
    """Ends every other session of the server, as a restart or a network failure would."""
    return connection.execute(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'").fetchone()[0]


@pytest.mark.slow
def test_lost_connections_are_retried_after_reconnecting(postgres_server, postgres):  # noqa: F811
    table = new_table(postgres, "id int primary key, title text, price double precision")
    options = connection_options(postgres_server)
    sink = JdbcSink.sink(f"insert into {table} values (?, ?, ?)", BOOK, options,
                         JdbcExecutionOptions.builder().with_batch_size(10).with_max_retries(2).build())
    writer = sink._create_writer(0, 1)
    writer.open()
    try:
        writer.write([Row(id=i, title="a", price=1.0) for i in range(25)])  # two batches written, 5 pending
        assert terminate_other_backends(postgres) == 1
        writer.write([Row(id=i, title="b", price=2.0) for i in range(25, 40)])
        writer.snapshot_state(1)  # flushes what is pending
    finally:
        writer.close()
    assert [row[0] for row in table_rows(postgres, table)] == list(range(40))

    lookup = JdbcLookupFunction(options, table, "id", key=lambda x: x, columns=["title"], max_retries=1)
    lookup.open(None)
    try:
        assert lookup.map_batch([0, 30]) == [(0, Row(title="a")), (30, Row(title="b"))]
        assert terminate_other_backends(postgres) == 1
        assert lookup.map_batch([1, 99]) == [(1, Row(title="a")), (99, None)]
        assert lookup.fetches == 3  # the failed fetch, then its retry
    finally:
        lookup.close()

    lookup = JdbcLookupFunction(options, table, "id", key=lambda x: x, max_retries=0)
    lookup.open(None)
    try:
        terminate_other_backends(postgres)
        with pytest.raises(ConnectorError, match=rf"JDBC lookup in table '{table}' .*: lookup of 1 keys failed"):
            lookup.map_batch([1])
    finally:
        lookup.close()
