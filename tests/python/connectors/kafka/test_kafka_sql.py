"""SQL 'connector' = 'kafka' and 'upsert-kafka' against a real broker: INSERT INTO a topic,
SELECT it back bounded, checked against the rows written; an upsert-kafka round trip of a
GROUP BY checked against the same aggregation in plain Python."""

import collections
import datetime
import io
import json
import random

import fastavro
import pytest

from fluvial.common import RowKind
from fluvial.errors import JobExecutionError
from fluvial.table import EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import PlanningError

pytestmark = pytest.mark.slow


def streaming():
    return TableEnvironment.create(EnvironmentSettings.in_streaming_mode())


def with_options(servers: str, topic: str, fmt: str, **extra: str) -> str:
    options = {"properties.bootstrap.servers": servers, "topic": topic, "scan.startup.mode": "earliest-offset",
               "scan.bounded.mode": "latest-offset", "format": fmt, **extra}
    return ", ".join(f"'{k}' = '{v}'" for k, v in options.items())


def orders(count: int):
    rng = random.Random(5)
    start = datetime.datetime(2024, 3, 1, 12, 0, 0)
    return [(n, f"user{rng.randrange(7)}", round(rng.uniform(1, 100), 2), start + datetime.timedelta(seconds=n),
             None if n % 9 == 0 else f"note, {n}")
            for n in range(count)]


COLUMNS = "id BIGINT, user_name STRING, amount DOUBLE, ts TIMESTAMP(3), note STRING"


@pytest.mark.parametrize("fmt", ["json", "csv", "avro"])
@pytest.mark.parametrize("parallelism", [1, 2])
def test_insert_into_kafka_then_select(kafka, fmt, parallelism):
    topic = kafka.topic(partitions=2)
    rows = orders(300)
    writer = streaming()
    writer.get_config().set("parallelism.default", str(parallelism))
    writer.execute_sql(f"CREATE TABLE orders ({COLUMNS}) WITH ('connector' = 'kafka', "
                       f"{with_options(kafka.servers, topic, fmt)})")
    source = writer.from_elements(rows, ["id", "user_name", "amount", "ts", "note"])
    writer.create_temporary_view("input", source)
    writer.execute_sql("INSERT INTO orders SELECT * FROM input").wait()
    messages = kafka.read(topic)
    assert len(messages) == len(rows)
    if fmt == "json":
        first = min((json.loads(v) for _, _, _, v in messages), key=lambda r: r["id"])
        assert first == {"id": 0, "user_name": rows[0][1], "amount": rows[0][2], "ts": "2024-03-01 12:00:00.000",
                         "note": None}
    if fmt == "avro":  # schemaless Avro of the columns (Flink's 'avro' format)
        schema = {"type": "record", "name": "record", "fields": [
            {"name": name, "type": ["null", avro_type], "default": None} for name, avro_type in
            [("id", "long"), ("user_name", "string"), ("amount", "double"),
             ("ts", {"type": "long", "logicalType": "timestamp-millis"}), ("note", "string")]]}
        decoded = [fastavro.schemaless_reader(io.BytesIO(v), fastavro.parse_schema(schema), None)
                   for _, _, _, v in messages]
        first = min(decoded, key=lambda r: r["id"])
        assert (first["id"], first["user_name"], first["amount"], first["ts"].replace(tzinfo=None)) == rows[0][:4]

    reader = streaming()
    reader.get_config().set("parallelism.default", str(parallelism))
    reader.execute_sql(f"CREATE TABLE orders ({COLUMNS}) WITH ('connector' = 'kafka', "
                       f"{with_options(kafka.servers, topic, fmt)})")
    got = [tuple(r) for r in reader.execute_sql("SELECT * FROM orders").collect()]
    expected = [(i, u, a, t, "" if fmt == "csv" and n is None else n) for i, u, a, t, n in rows]
    assert sorted(got) == sorted(expected)


def test_raw_format_and_filter(kafka):
    topic = kafka.topic()
    lines = [f"line {n} é" for n in range(50)]
    kafka.produce(topic, [line.encode() for line in lines])
    t_env = streaming()
    t_env.execute_sql(f"CREATE TABLE lines (line STRING) WITH ('connector' = 'kafka', "
                      f"{with_options(kafka.servers, topic, 'raw')})")
    got = [r[0] for r in t_env.execute_sql("SELECT UPPER(line) FROM lines WHERE line LIKE '%5%'").collect()]
    assert sorted(got) == sorted(line.upper() for line in lines if "5" in line)


def test_bad_json_fails_naming_the_offset_or_is_skipped(kafka):
    topic = kafka.topic()
    kafka.produce(topic, [b'{"id": 1, "name": "a"}', b'{"id": "x", "name": "b"}', b"not json",
                          b'{"id": 4, "name": "d"}'])
    t_env = streaming()
    t_env.execute_sql(f"CREATE TABLE t (id BIGINT, name STRING) WITH ('connector' = 'kafka', "
                      f"{with_options(kafka.servers, topic, 'json')})")
    with pytest.raises(JobExecutionError, match=rf"topic '{topic}' partition 0 offset 1: cannot read the value as "
                                                r"JSON \(id, name\)"):
        list(t_env.execute_sql("SELECT * FROM t").collect())
    t_env = streaming()
    t_env.execute_sql(f"CREATE TABLE t (id BIGINT, name STRING) WITH ('connector' = 'kafka', "
                      f"{with_options(kafka.servers, topic, 'json', **{'json.ignore-parse-errors': 'true'})})")
    result = t_env.execute_sql("SELECT * FROM t")
    assert sorted(tuple(r) for r in result.collect()) == [(1, "a"), (4, "d")]
    job = result.get_job_client().get_job_execution_result().result()
    assert job.get_accumulator_result("numRecordsInErrors") == 2


def test_json_fail_on_missing_field(kafka):
    topic = kafka.topic()
    kafka.produce(topic, [b'{"id": 1, "name": "a"}', b'{"id": 2}', b'{"id": 3, "name": null}'])
    t_env = streaming()
    t_env.execute_sql(f"CREATE TABLE t (id BIGINT, name STRING) WITH ('connector' = 'kafka', "
                      f"{with_options(kafka.servers, topic, 'json')})")
    assert sorted(tuple(r) for r in t_env.execute_sql("SELECT * FROM t").collect()) == [
        (1, "a"), (2, None), (3, None)]
    t_env.execute_sql(f"CREATE TABLE f (id BIGINT, name STRING) WITH ('connector' = 'kafka', "
                      f"{with_options(kafka.servers, topic, 'json', **{'json.fail-on-missing-field': 'true'})})")
    with pytest.raises(JobExecutionError, match=rf"topic '{topic}' partition 0 offset 1: cannot read the value as "
                                                r"JSON \(id, name\): field 'name' is missing"):
        list(t_env.execute_sql("SELECT * FROM f").collect())


def test_bad_avro_is_named_by_offset(kafka):
    topic = kafka.topic()
    kafka.produce(topic, [b"\x02\x02\x02\x02a", b"\x02", b"\x02\x04\x00"])  # (1, 'a'), cut short, (2, NULL)
    t_env = streaming()
    t_env.execute_sql(f"CREATE TABLE t (id BIGINT, name STRING) WITH ('connector' = 'kafka', "
                      f"{with_options(kafka.servers, topic, 'avro')})")
    with pytest.raises(JobExecutionError, match=rf"topic '{topic}' partition 0 offset 1: cannot read the value as "
                                                r"AVRO \(id, name\): not Avro of the table's schema"):
        list(t_env.execute_sql("SELECT * FROM t").collect())


def test_options_are_checked(kafka):
    t_env = streaming()
    t_env.execute_sql(f"CREATE TABLE t (id BIGINT) WITH ('connector' = 'kafka', 'topic' = 'x', "
                      f"'properties.bootstrap.servers' = '{kafka.servers}', 'format' = 'json', "
                      f"'scan.startup.mode' = 'earliest')")
    with pytest.raises(PlanningError, match="'scan.startup.mode' must be one of earliest-offset"):
        t_env.from_path("t")
    t_env.execute_sql(f"CREATE TABLE u (id BIGINT, n BIGINT) WITH ('connector' = 'upsert-kafka', 'topic' = 'x', "
                      f"'properties.bootstrap.servers' = '{kafka.servers}', 'key.format' = 'json', "
                      f"'value.format' = 'json')")
    with pytest.raises(PlanningError, match="needs a PRIMARY KEY"):
        t_env.from_path("u")


def test_updates_into_a_plain_kafka_table_are_refused(kafka):
    topic = kafka.topic()
    t_env = streaming()
    t_env.execute_sql(f"CREATE TABLE totals (user_name STRING, n BIGINT) WITH ('connector' = 'kafka', "
                      f"{with_options(kafka.servers, topic, 'json')})")
    t_env.create_temporary_view("input", t_env.from_elements([("a",), ("a",)], ["user_name"]))
    with pytest.raises(PlanningError, match="takes only inserts.*upsert-kafka"):
        t_env.execute_sql("INSERT INTO totals SELECT user_name, COUNT(*) FROM input GROUP BY user_name").wait()


def final_rows(changelog, key_of):
    """Applies a changelog (+I/-U/+U/-D rows) to a table keyed by key_of(row)."""
    table = {}
    for row in changelog:
        kind = row.get_row_kind()
        values = tuple(row)
        if kind in (RowKind.INSERT, RowKind.UPDATE_AFTER):
            table[key_of(values)] = values
        else:
            assert table.pop(key_of(values)) == values, f"{kind} of a row that is not there: {values}"
    return table


def test_upsert_kafka_round_trip_of_a_group_by(kafka):
    topic = kafka.topic(partitions=2)
    rows = orders(400)
    upsert = (f"CREATE TABLE totals (user_name STRING, orders BIGINT, amount DOUBLE, "
              f"PRIMARY KEY (user_name) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'key.format' = 'json', "
              f"'value.format' = 'json', 'properties.bootstrap.servers' = '{kafka.servers}', 'topic' = '{topic}', "
              f"'scan.bounded.mode' = 'latest-offset')")
    writer = streaming()
    writer.execute_sql(upsert)
    writer.create_temporary_view("input", writer.from_elements(rows, ["id", "user_name", "amount", "ts", "note"]))
    writer.execute_sql("INSERT INTO totals SELECT user_name, COUNT(*), SUM(amount) FROM input "
                       "GROUP BY user_name").wait()
    messages = kafka.read(topic)
    assert all(json.loads(key) == {"user_name": json.loads(value)["user_name"]} for _, _, key, value in messages)

    # A tombstone for one user and a late upsert for another, as another producer would write them.
    kafka.produce(topic, [None, json.dumps({"user_name": "user1", "orders": -1, "amount": 0.5}).encode()],
                  keys=[json.dumps({"user_name": "user0"}).encode(), json.dumps({"user_name": "user1"}).encode()],
                  partitions=[p for p, _, k, _ in messages if json.loads(k)["user_name"] == "user0"][:1]
                  + [p for p, _, k, _ in messages if json.loads(k)["user_name"] == "user1"][:1])

    expected = collections.defaultdict(lambda: [0, 0.0])
    for _, user, amount, _, _ in rows:
        expected[user][0] += 1
        expected[user][1] += amount
    expected = {u: (u, n, a) for u, (n, a) in expected.items()}
    del expected["user0"]
    expected["user1"] = ("user1", -1, 0.5)

    reader = streaming()
    reader.get_config().set("parallelism.default", "2")
    reader.execute_sql(upsert)
    changelog = list(reader.execute_sql("SELECT * FROM totals").collect())
    got = final_rows(changelog, lambda row: row[0])
    assert got.keys() == expected.keys()
    for user, (_, n, amount) in expected.items():
        assert got[user][1] == n and got[user][2] == pytest.approx(amount), user
    kinds = collections.Counter(row.get_row_kind() for row in changelog)
    assert kinds[RowKind.DELETE] == 1 and kinds[RowKind.UPDATE_BEFORE] >= 1

    # And as a source of a query: the changelog feeds an aggregate that retracts.
    reader = streaming()
    reader.execute_sql(upsert)
    total = list(reader.execute_sql("SELECT SUM(orders) AS n FROM totals").collect())
    assert final_rows(total, lambda row: ())[()][0] == sum(n for _, n, _ in expected.values())
