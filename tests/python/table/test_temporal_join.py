"""Event-time temporal joins (FOR SYSTEM_TIME AS OF left.rowtime) against versioned tables —
a table with a primary key and a watermark, a changelog stream, a deduplication view — and
the Table API's temporal table functions, checked against a plain-Python reference: each
order joined with the rate version valid at its time."""

import bisect
import random
from datetime import datetime, timezone

import pytest

from fluvial.common import Duration, Row, RowKind, Types, WatermarkStrategy
from fluvial.common.watermark_strategy import TimestampAssigner
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.table import EnvironmentSettings, Schema, StreamTableEnvironment, TableEnvironment
from fluvial.table.expressions import PlanningError, call, col
from fluvial.table.sql.errors import SqlValidationError

DELAY = 300  # watermarks trail the largest time by this much; no row is later than that
CURRENCIES = ["EUR", "USD", "JPY", "GBP", "CHF"]


class FieldTime(TimestampAssigner):
    def __init__(self, position):
        self.position = position

    def extract_timestamp(self, value, record_timestamp):
        return value[self.position]


def out_of_order_times(rng, count, start, step):
    """Increasing base times, each moved back by up to DELAY - 1 ms: out of order, never late."""
    return [start + i * step - rng.randint(0, DELAY - 1) for i in range(count)]


def make_orders(seed=1, count=3000):
    rng = random.Random(seed)
    times = out_of_order_times(rng, count, 10_000, 7)
    # XXX has no rate; a NULL currency matches nothing (SQL equality), even the NULL-keyed rates.
    return [(f"o{i}", rng.randint(1, 500), rng.choice(CURRENCIES + ["XXX", None]), t) for i, t in enumerate(times)]


def make_rates(seed=2, count=600, per_key_in_order=False):
    """(currency, rate, update_time) with distinct times; out of order across keys, and within a key
    unless per_key_in_order (a deduplication drops the rows older than its key's latest)."""
    rng = random.Random(seed)
    seen, rows, latest = set(), [], {}
    for t in out_of_order_times(rng, count, 9_000, 37):
        currency = rng.choice(CURRENCIES + [None])
        if t in seen or (per_key_in_order and t < latest.get(currency, t)):
            continue
        seen.add(t)
        latest[currency] = t
        rows.append((currency, rng.randint(50, 150), t))
    return rows


def reference(orders, versions, left_outer):
    """versions: (currency, rate or None for a deletion, time). Each order with the rate valid at its time."""
    history = {}
    for currency, rate, t in sorted(versions, key=lambda v: v[2]):
        if currency is None:
            continue
        times, rates = history.setdefault(currency, ([], []))
        times.append(t)
        rates.append(rate)
    result = []
    for order_id, amount, currency, t in orders:
        times, rates = history.get(currency, ([], []))
        position = bisect.bisect_right(times, t)  # versions at or before t
        rate = rates[position - 1] if position else None
        if rate is not None:
            result.append((order_id, amount, currency, rate, t))
        elif left_outer:
            result.append((order_id, amount, currency, None, t))
    return sorted(result, key=repr)


def millis(value):
    return round(value.replace(tzinfo=timezone.utc).timestamp() * 1000) if isinstance(value, datetime) else value


def stream_of(env, rows, names, types, time_position, keyed=False):
    """A stream with event time from a field. keyed: each key's rows stay in order on one channel."""
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(DELAY)) \
        .with_timestamp_assigner(FieldTime(time_position))
    ds = env.from_collection(rows, type_info=Types.ROW_NAMED(names, types))
    if keyed:
        ds = ds.key_by(lambda row: row[0])
    return ds.assign_timestamps_and_watermarks(strategy)


def environment(parallelism, orders):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    t_env = StreamTableEnvironment.create(env)
    ds = stream_of(env, [Row(order_id=o, amount=a, currency=c, ts=t) for o, a, c, t in orders],
                   ["order_id", "amount", "currency", "ts"],
                   [Types.STRING(), Types.LONG(), Types.STRING(), Types.LONG()], 3)
    schema = Schema.new_builder().column_by_metadata("order_time", "TIMESTAMP_LTZ(3)") \
        .watermark("order_time", "SOURCE_WATERMARK()").build()
    t_env.create_temporary_view("orders", t_env.from_data_stream(ds, schema))
    return env, t_env


def changelog_rates(env, t_env, rows, name="currency_rates"):
    """A versioned table from a changelog stream: rows are (kind, currency, rate, time)."""
    records = [Row.of_kind(kind, currency, rate, t) for kind, currency, rate, t in rows]
    ds = stream_of(env, records, ["currency", "rate", "ts"], [Types.STRING(), Types.LONG(), Types.LONG()], 2)
    schema = Schema.new_builder().column_by_metadata("update_time", "TIMESTAMP_LTZ(3)") \
        .watermark("update_time", "SOURCE_WATERMARK()").primary_key("currency").build()
    t_env.create_temporary_view(name, t_env.from_changelog_stream(ds, schema))


def collected(table_result):
    rows = []
    for row in table_result.collect():
        assert row.get_row_kind() == RowKind.INSERT, f"a temporal join emits inserts only, got {row}"
        rows.append(row)
    return rows


QUERY = """SELECT o.order_id, o.amount, o.currency, r.rate, o.order_time
           FROM orders AS o {kind} JOIN currency_rates FOR SYSTEM_TIME AS OF o.order_time AS r
           ON o.currency = r.currency"""


def result_rows(t_env, query):
    return sorted(((r[0], r[1], r[2], r[3], millis(r[4])) for r in collected(t_env.execute_sql(query))), key=repr)


@pytest.mark.parametrize("parallelism", [1, 2])
@pytest.mark.parametrize("kind", ["", "LEFT"])
def test_orders_join_rates_valid_at_their_time(parallelism, kind):
    orders, rates = make_orders(), make_rates()
    env, t_env = environment(parallelism, orders)
    changelog_rates(env, t_env, [(RowKind.INSERT, c, r, t) for c, r, t in rates])
    expected = reference(orders, rates, left_outer=kind == "LEFT")
    assert len(expected) > 1000
    assert result_rows(t_env, QUERY.format(kind=kind)) == expected


@pytest.mark.parametrize("parallelism", [1, 2])
def test_windows_over_the_joined_rows(parallelism):
    """The result keeps the orders' time attribute: a TUMBLE window over it sums amount * rate per
    second, and no joined row comes too late for its window."""
    orders, rates = make_orders(seed=13), make_rates(seed=14)
    env, t_env = environment(parallelism, orders)
    changelog_rates(env, t_env, [(RowKind.INSERT, c, r, t) for c, r, t in rates])
    t_env.create_temporary_view("converted", t_env.sql_query(
        "SELECT o.amount * r.rate AS value, o.order_time FROM orders AS o JOIN currency_rates "
        "FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency"))
    rows = t_env.execute_sql("SELECT window_start, SUM(`value`) AS total FROM TABLE(TUMBLE(TABLE converted, "
                             "DESCRIPTOR(order_time), INTERVAL '1' SECOND)) GROUP BY window_start, window_end")
    got = {millis(r[0]): r[1] for r in rows.collect()}
    expected = {}
    for _, amount, _, rate, t in reference(orders, rates, left_outer=False):
        start = t - t % 1000
        expected[start] = expected.get(start, 0) + amount * rate
    assert got == expected


def test_many_versions_few_keys():
    """4,000 versions of 5 keys over the orders' time range: versions are dropped as the watermark
    passes them and the rows kept are compacted many times over (both sides), with every result
    still the reference's."""
    orders, rates = make_orders(seed=11, count=20_000), make_rates(seed=12, count=4_000)
    env, t_env = environment(1, orders)
    changelog_rates(env, t_env, [(RowKind.INSERT, c, r, t) for c, r, t in rates])
    assert result_rows(t_env, QUERY.format(kind="LEFT")) == reference(orders, rates, left_outer=True)


@pytest.mark.parametrize("parallelism", [1, 2])
def test_changelog_updates_and_deletes(parallelism):
    """+U rows start versions, their -U halves are ignored, -D rows end a key's validity at their time."""
    rng = random.Random(5)
    rows, versions = [], []
    t = 9_000
    current = {}
    for _ in range(400):
        currency = rng.choice(CURRENCIES)
        t += rng.randint(5, 40)
        if currency in current and rng.random() < 0.2:
            rows.append((RowKind.DELETE, currency, current.pop(currency), t))
            versions.append((currency, None, t))
            continue
        rate = rng.randint(50, 150)
        if currency in current:
            old_rate, old_time = current[currency]
            rows.append((RowKind.UPDATE_BEFORE, currency, old_rate, old_time))
            rows.append((RowKind.UPDATE_AFTER, currency, rate, t))
        else:
            rows.append((RowKind.INSERT, currency, rate, t))
        current[currency] = (rate, t)
        versions.append((currency, rate, t))
    rows = [(k, c, r[0] if isinstance(r, tuple) else r, ts) for k, c, r, ts in rows]
    orders = make_orders(seed=6, count=2000)
    env, t_env = environment(parallelism, orders)
    changelog_rates(env, t_env, rows)
    assert result_rows(t_env, QUERY.format(kind="LEFT")) == reference(orders, versions, left_outer=True)


@pytest.mark.parametrize("parallelism", [1, 2])
def test_versioned_view_from_a_deduplication_query(parallelism):
    orders, rates = make_orders(seed=7), make_rates(seed=8, per_key_in_order=True)
    env, t_env = environment(parallelism, orders)
    ds = stream_of(env, [Row(currency=c, rate=r, ts=t) for c, r, t in rates], ["currency", "rate", "ts"],
                   [Types.STRING(), Types.LONG(), Types.LONG()], 2, keyed=True)
    schema = Schema.new_builder().column_by_metadata("update_time", "TIMESTAMP_LTZ(3)") \
        .watermark("update_time", "SOURCE_WATERMARK()").build()
    t_env.create_temporary_view("rates_history", t_env.from_data_stream(ds, schema))
    t_env.create_temporary_view("currency_rates", t_env.sql_query(
        "SELECT currency, rate, update_time FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY currency "
        "ORDER BY update_time DESC) AS rownum FROM rates_history) WHERE rownum = 1"))
    assert result_rows(t_env, QUERY.format(kind="")) == reference(orders, rates, left_outer=False)


def test_temporal_table_function_join():
    orders, rates = make_orders(seed=9, count=1500), make_rates(seed=10)
    env, t_env = environment(2, orders)
    ds = stream_of(env, [Row(r_currency=c, r_rate=r, ts=t) for c, r, t in rates], ["r_currency", "r_rate", "ts"],
                   [Types.STRING(), Types.LONG(), Types.LONG()], 2)
    schema = Schema.new_builder().column_by_metadata("r_time", "TIMESTAMP_LTZ(3)") \
        .watermark("r_time", "SOURCE_WATERMARK()").build()
    history = t_env.from_data_stream(ds, schema).select(col("r_currency"), col("r_rate"), col("r_time"))
    t_env.create_temporary_system_function("rates", history.create_temporal_table_function(col("r_time"),
                                                                                            col("r_currency")))
    result = t_env.from_path("orders") \
        .join_lateral(call("rates", col("order_time")).alias("c", "rate", "rate_time"), col("currency") == col("c")) \
        .select(col("order_id"), col("amount"), col("currency"), col("rate"), col("order_time"))
    rows = sorted(((r[0], r[1], r[2], r[3], millis(r[4])) for r in collected(result.execute())), key=repr)
    assert rows == reference(orders, rates, left_outer=False)
    # Flink SQL's form of the same join.
    sql = t_env.sql_query("SELECT order_id, amount, currency, r_rate, order_time FROM orders, "
                          "LATERAL TABLE (rates(order_time)) WHERE r_currency = currency")
    rows = sorted(((r[0], r[1], r[2], r[3], millis(r[4])) for r in collected(sql.execute())), key=repr)
    assert rows == reference(orders, rates, left_outer=False)


def test_versions_older_than_the_watermark_are_dropped():
    """Once the watermark passes a newer version, older ones are gone (Flink's state cleanup): an order
    arriving long after the watermark passed its time no longer finds the version valid at its time
    (the one kept is newer), which the join would still find if it kept every version. Orders and
    rates come from one source, so the join sees them (and the watermark) in the source's order."""
    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    events = [("rate", "", "EUR", 100, 500), ("rate", "", "EUR", 200, 10_000), ("order", "o1", "EUR", 1, 1_000),
              ("order", "o2", "EUR", 1, 12_000)]
    events += [("order", f"p{i}", "USD", 1, 12_000 + i * 10) for i in range(1, 8000)]
    events += [("order", "late", "EUR", 1, 1_500)]
    names = ["kind", "order_id", "currency", "value", "ts"]
    types = [Types.STRING(), Types.STRING(), Types.STRING(), Types.LONG(), Types.LONG()]
    ds = stream_of(env, [Row(**dict(zip(names, e))) for e in events], names, types, 4)
    for kind, columns, key in (("order", ["order_id", "currency", "value", "ts"], []),
                               ("rate", ["currency", "value", "ts"], ["currency"])):
        branch = ds.filter(lambda row, kind=kind: row[0] == kind).map(
            lambda row, columns=columns: Row(**{c: row[c] for c in columns}),
            output_type=Types.ROW_NAMED(columns, [types[names.index(c)] for c in columns]))
        time = "order_time" if kind == "order" else "update_time"
        builder = Schema.new_builder().column_by_metadata(time, "TIMESTAMP_LTZ(3)").watermark(
            time, "SOURCE_WATERMARK()")
        if key:
            t_env.create_temporary_view("currency_rates", t_env.from_changelog_stream(
                branch, builder.primary_key(*key).build()))
        else:
            t_env.create_temporary_view("orders", t_env.from_data_stream(branch, builder.build()))
    query = """SELECT o.order_id, r.`value` FROM orders AS o LEFT JOIN currency_rates FOR SYSTEM_TIME AS OF
               o.order_time AS r ON o.currency = r.currency"""
    rows = {r[0]: r[1] for r in collected(t_env.execute_sql(query))}
    assert rows["o1"] == 100 and rows["o2"] == 200
    assert rows["late"] is None  # the 100 version (valid at 1500) was dropped once the watermark passed 10000


def test_docs_example_with_ddl_tables(tmp_path):
    """Flink's example: currency_rates with a PRIMARY KEY and a watermark, declared in DDL."""
    (tmp_path / "orders").mkdir()
    (tmp_path / "rates").mkdir()
    (tmp_path / "orders" / "o.csv").write_text(
        "o_001,11.11,EUR,2024-01-01 12:00:00\no_002,12.51,EUR,2024-01-01 12:06:00\n"
        "o_003,5.00,USD,2024-01-01 12:01:00\no_004,7.00,JPY,2024-01-01 11:00:00\n")
    (tmp_path / "rates" / "r.csv").write_text(
        "EUR,1.14,2024-01-01 11:59:00\nUSD,1.00,2024-01-01 11:00:00\nEUR,1.10,2024-01-01 12:05:00\n"
        "JPY,0.01,2024-01-01 11:30:00\n")
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.execute_sql(f"""CREATE TABLE orders (order_id STRING, price DECIMAL(32, 2), currency STRING,
        order_time TIMESTAMP(3), WATERMARK FOR order_time AS order_time)
        WITH ('connector' = 'filesystem', 'path' = '{tmp_path / "orders"}', 'format' = 'csv')""")
    t_env.execute_sql(f"""CREATE TABLE currency_rates (currency STRING, conversion_rate DECIMAL(32, 2),
        update_time TIMESTAMP(3), WATERMARK FOR update_time AS update_time, PRIMARY KEY (currency) NOT ENFORCED)
        WITH ('connector' = 'filesystem', 'path' = '{tmp_path / "rates"}', 'format' = 'csv')""")
    query = """SELECT order_id, price, orders.currency, conversion_rate, order_time FROM orders
               LEFT JOIN currency_rates FOR SYSTEM_TIME AS OF orders.order_time
               ON orders.currency = currency_rates.currency"""
    rows = sorted((r[0], str(r[1]), r[2], None if r[3] is None else str(r[3]), str(r[4]))
                  for r in collected(t_env.execute_sql(query)))
    assert rows == [("o_001", "11.11", "EUR", "1.14", "2024-01-01 12:00:00"),
                    ("o_002", "12.51", "EUR", "1.10", "2024-01-01 12:06:00"),
                    ("o_003", "5.00", "USD", "1.00", "2024-01-01 12:01:00"),
                    ("o_004", "7.00", "JPY", None, "2024-01-01 11:00:00")]
    plan = t_env.explain_sql(query)
    assert "TemporalJoin(LeftOuterJoin, table=currency_rates" in plan


def ddl_env(tmp_path, rates_ddl):
    (tmp_path / "f.csv").write_text("")
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.execute_sql(f"""CREATE TABLE orders (order_id STRING, currency STRING, order_time TIMESTAMP(3),
        other_time TIMESTAMP(3), WATERMARK FOR order_time AS order_time)
        WITH ('connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = 'csv')""")
    t_env.execute_sql(f"CREATE TABLE currency_rates ({rates_ddl}) WITH ('connector' = 'filesystem', "
                      f"'path' = '{tmp_path}', 'format' = 'csv')")
    return t_env


VERSIONED = "currency STRING, rate INT, update_time TIMESTAMP(3), WATERMARK FOR update_time AS update_time, " \
            "PRIMARY KEY (currency) NOT ENFORCED"


@pytest.mark.parametrize("rates_ddl, query, message", [
    ("currency STRING, rate INT, update_time TIMESTAMP(3), WATERMARK FOR update_time AS update_time",
     QUERY.format(kind=""), "'currency_rates' is not a versioned table, it has no primary key"),
    ("currency STRING, rate INT, update_time TIMESTAMP(3), PRIMARY KEY (currency) NOT ENFORCED",
     QUERY.format(kind=""), "'currency_rates' is not a versioned table, it has no event-time attribute"),
    (VERSIONED, QUERY.format(kind="").replace("AS OF o.order_time", "AS OF o.other_time"),
     "takes the left table's event-time attribute 'order_time'"),
    (VERSIONED, QUERY.format(kind="").replace("o.currency = r.currency", "o.order_id = r.currency AND "
                                              "o.currency = r.currency").replace("currency_rates", "rates2"),
     "unknown table 'rates2'"),
    (VERSIONED, QUERY.format(kind="").replace("ON o.currency = r.currency", "ON o.order_id = CAST(r.rate AS STRING)"),
     "must contain the primary key equality of 'currency_rates'"),
])
def test_invalid_temporal_joins_are_refused(tmp_path, rates_ddl, query, message):
    t_env = ddl_env(tmp_path, rates_ddl)
    query = query.replace("o.order_id, o.amount, o.currency, r.rate, o.order_time", "*")
    with pytest.raises(SqlValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        t_env.sql_query(query)


def test_temporal_table_function_errors():
    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    rates = t_env.from_elements([("EUR", 1)], ["r_currency", "r_rate"])
    with pytest.raises(PlanningError, match="'r_currency' is not the table's event-time attribute"):
        rates.create_temporal_table_function(col("r_currency"), col("r_currency"))
    orders, history = make_orders(count=10), make_rates(count=10)
    env, t_env = environment(1, orders)
    ds = stream_of(env, [Row(c=c, r=r, ts=t) for c, r, t in history], ["c", "r", "ts"],
                   [Types.STRING(), Types.LONG(), Types.LONG()], 2)
    schema = Schema.new_builder().column_by_metadata("r_time", "TIMESTAMP_LTZ(3)") \
        .watermark("r_time", "SOURCE_WATERMARK()").build()
    history_table = t_env.from_data_stream(ds, schema)
    t_env.create_temporary_function("clashing", history_table.create_temporal_table_function("r_time", "c"))
    with pytest.raises(PlanningError, match=r"both have the column\(s\) \['ts'\]; alias the function's columns"):
        t_env.from_path("orders").join_lateral(call("clashing", col("order_time")), col("currency") == col("c"))
    function = history_table.select(col("c"), col("r"), col("r_time")).create_temporal_table_function(
        col("r_time"), col("c"))
    t_env.create_temporary_function("rates", function)
    with pytest.raises(PlanningError, match="needs the key equality as its predicate"):
        t_env.from_path("orders").join_lateral(call("rates", col("order_time")))
    with pytest.raises(PlanningError, match="must contain the primary key equality"):
        t_env.from_path("orders").join_lateral(call("rates", col("order_time")), col("amount") == col("r"))


def test_left_without_event_time_and_bad_primary_key_are_refused(tmp_path):
    t_env = ddl_env(tmp_path, VERSIONED)
    t_env.execute_sql(f"CREATE TABLE plain_orders (order_id STRING, currency STRING, order_time TIMESTAMP(3)) "
                      f"WITH ('connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = 'csv')")
    with pytest.raises(SqlValidationError, match="the left table has no event-time attribute"):
        t_env.sql_query("SELECT * FROM plain_orders AS o JOIN currency_rates FOR SYSTEM_TIME AS OF o.order_time "
                        "AS r ON o.currency = r.currency")
    env = StreamExecutionEnvironment.get_execution_environment()
    stream_env = StreamTableEnvironment.create(env)
    ds = env.from_collection([Row(currency="EUR", rate=1)],
                             type_info=Types.ROW_NAMED(["currency", "rate"], [Types.STRING(), Types.LONG()]))
    with pytest.raises(PlanningError, match="primary key column 'currnecy' is not a column of the stream"):
        stream_env.from_changelog_stream(ds, Schema.new_builder().primary_key("currnecy").build())


@pytest.mark.slow
def test_upsert_kafka_table_as_a_versioned_table(kafka):
    """Rates upserted into a compacted-topic style upsert-kafka table and read back as a versioned
    table (PRIMARY KEY + WATERMARK): each upsert is a version of its currency."""
    from datetime import timedelta

    topic = kafka.topic()
    orders = make_orders(seed=15, count=1000)
    rates = [r for r in make_rates(seed=16, count=200) if r[0] is not None]  # a Kafka key is never NULL
    epoch = datetime(1970, 1, 1)
    options = (f"'connector' = 'upsert-kafka', 'topic' = '{topic}', 'properties.bootstrap.servers' = "
               f"'{kafka.servers}', 'key.format' = 'json', 'value.format' = 'json', "
               f"'scan.bounded.mode' = 'latest-offset'")
    writer = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    writer.execute_sql(f"CREATE TABLE rates_topic (currency STRING, rate BIGINT, update_time TIMESTAMP(3), "
                       f"PRIMARY KEY (currency) NOT ENFORCED) WITH ({options})")
    writer.create_temporary_view("history", writer.from_elements(
        [(c, r, epoch + timedelta(milliseconds=t)) for c, r, t in rates], ["currency", "rate", "update_time"]))
    writer.execute_sql("INSERT INTO rates_topic SELECT currency, rate, update_time FROM history").wait()

    env, t_env = environment(1, orders)
    t_env.execute_sql(f"CREATE TABLE currency_rates (currency STRING, rate BIGINT, update_time TIMESTAMP(3), "
                      f"WATERMARK FOR update_time AS update_time - INTERVAL '1' SECOND, "
                      f"PRIMARY KEY (currency) NOT ENFORCED) WITH ({options})")
    assert result_rows(t_env, QUERY.format(kind="LEFT")) == reference(orders, rates, left_outer=True)
