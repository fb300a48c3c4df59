"""Bad data through SQL kafka tables, against a real broker: message values that are not
UTF-8 (JSON, CSV, raw STRING) fail naming the topic, partition and offset, or are skipped
and counted with ignore-parse-errors; a null written into a NOT NULL column of a kafka or
upsert-kafka table fails the job, or is dropped with 'table.exec.sink.not-null-enforcer'."""

import json

import pytest

from fluvial.errors import JobExecutionError, NotNullViolationError
from fluvial.table import EnvironmentSettings, TableEnvironment

pytestmark = pytest.mark.slow

BAD = b"caf\xe9"


def streaming():
    return TableEnvironment.create(EnvironmentSettings.in_streaming_mode())


def with_options(servers: str, topic: str, fmt: str, **extra: str) -> str:
    options = {"properties.bootstrap.servers": servers, "topic": topic, "scan.startup.mode": "earliest-offset",
               "scan.bounded.mode": "latest-offset", "format": fmt, **extra}
    return ", ".join(f"'{k}' = '{v}'" for k, v in options.items())


MESSAGES = {
    "json": [b'{"id": 1, "name": "ada"}', b'{"id": 2, "name": "' + BAD + b'"}', b'{"id": 3, "name": "b\xc3\xa9a"}'],
    "csv": [b"1,ada", b"2," + BAD, b"3,b\xc3\xa9a"],
}


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_value_that_is_not_utf8_fails_naming_the_offset(kafka, fmt):
    topic = kafka.topic()
    kafka.produce(topic, MESSAGES[fmt])
    t_env = streaming()
    t_env.execute_sql(f"CREATE TABLE t (id BIGINT, name STRING) WITH ('connector' = 'kafka', "
                      f"{with_options(kafka.servers, topic, fmt)})")
    with pytest.raises(JobExecutionError, match=rf"topic '{topic}' partition 0 offset 1: cannot read the value as "
                                                rf"{fmt.upper()} \(id, name\): the bytes are not valid UTF-8 "
                                                r"\(byte 0xe9 at byte"):
        list(t_env.execute_sql("SELECT * FROM t").collect())


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_values_that_are_not_utf8_are_skipped_and_counted(kafka, fmt):
    topic = kafka.topic()
    kafka.produce(topic, MESSAGES[fmt])
    t_env = streaming()
    t_env.execute_sql(f"CREATE TABLE t (id BIGINT, name STRING) WITH ('connector' = 'kafka', "
                      f"{with_options(kafka.servers, topic, fmt, **{f'{fmt}.ignore-parse-errors': 'true'})})")
    result = t_env.execute_sql("SELECT * FROM t")
    assert sorted(tuple(r) for r in result.collect()) == [(1, "ada"), (3, "béa")]
    job = result.get_job_client().get_job_execution_result().result()
    assert job.get_accumulator_result("numRecordsInErrors") == 1


def test_a_raw_string_value_that_is_not_utf8_fails(kafka):
    topic = kafka.topic()
    kafka.produce(topic, [b"first", BAD])
    t_env = streaming()
    t_env.execute_sql(f"CREATE TABLE lines (line STRING) WITH ('connector' = 'kafka', "
                      f"{with_options(kafka.servers, topic, 'raw')})")
    with pytest.raises(JobExecutionError, match=rf"topic '{topic}' partition 0 offset 1: cannot read the value as "
                                                r"RAW \(line\): the bytes are not valid UTF-8"):
        list(t_env.execute_sql("SELECT * FROM lines").collect())


ROWS = [(1, "ada"), (2, None), (3, "cy")]


@pytest.mark.parametrize("enforcer", ["ERROR", "DROP"])
def test_a_null_into_a_not_null_column_of_a_kafka_table(kafka, enforcer):
    topic = kafka.topic()
    t_env = streaming()
    t_env.get_config().set("table.exec.sink.not-null-enforcer", enforcer)
    t_env.create_temporary_view("input", t_env.from_elements(ROWS, ["id", "name"]))
    t_env.execute_sql(f"CREATE TABLE out (id BIGINT, name STRING NOT NULL) WITH ('connector' = 'kafka', "
                      f"{with_options(kafka.servers, topic, 'json')})")
    if enforcer == "ERROR":
        with pytest.raises(JobExecutionError) as error:
            t_env.execute_sql("INSERT INTO out SELECT * FROM input").wait()
        assert isinstance(error.value.__cause__, NotNullViolationError)
        assert "Column 'name' of table 'out' is NOT NULL" in str(error.value)
        return
    t_env.execute_sql("INSERT INTO out SELECT * FROM input").wait()
    written = sorted(tuple(json.loads(value).values()) for _, _, _, value in kafka.read(topic))
    assert written == [row for row in ROWS if row[1] is not None]


def test_a_null_into_a_not_null_column_of_an_upsert_kafka_table(kafka):
    topic = kafka.topic()
    t_env = streaming()
    t_env.create_temporary_view("input", t_env.from_elements(ROWS, ["id", "name"]))
    t_env.execute_sql(f"CREATE TABLE out (id BIGINT, name STRING NOT NULL, PRIMARY KEY (id) NOT ENFORCED) WITH ("
                      f"'connector' = 'upsert-kafka', 'topic' = '{topic}', 'properties.bootstrap.servers' = "
                      f"'{kafka.servers}', 'key.format' = 'json', 'value.format' = 'json')")
    with pytest.raises(JobExecutionError, match="Column 'name' of table 'out' is NOT NULL, however, a null value"):
        t_env.execute_sql("INSERT INTO out SELECT * FROM input").wait()
