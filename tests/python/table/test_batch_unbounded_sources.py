"""BATCH mode reads every source to its end, so an unbounded source is refused when the job
is submitted, with Flink's message naming the table, instead of a job that never ends.
(Each query below used to hang: the check looked at the sinks, not at their sources.)"""

import pytest

from fluvial.common import Duration, Types, WatermarkStrategy
from fluvial.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
from fluvial.datastream.connectors import FileSource, StreamFormat
from fluvial.errors import InvalidJobError
from fluvial.table import EnvironmentSettings, StreamTableEnvironment, TableEnvironment


def batch():
    return TableEnvironment.create(EnvironmentSettings.in_batch_mode())


UNBOUNDED_TABLES = {
    "datagen": ("id BIGINT", "'connector' = 'datagen'", "'number-of-rows'"),
    "nexmark": ("auction BIGINT, price BIGINT", "'connector' = 'nexmark', 'table' = 'bid'", "'events.num'"),
    "kafka": ("id BIGINT", "'connector' = 'kafka', 'topic' = 'clicks', 'properties.bootstrap.servers' = "
                           "'127.0.0.1:9', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json'",
              "'scan.bounded.mode'"),
    "upsert-kafka": ("id BIGINT, PRIMARY KEY (id) NOT ENFORCED",
                     "'connector' = 'upsert-kafka', 'topic' = 'clicks', 'properties.bootstrap.servers' = "
                     "'127.0.0.1:9', 'key.format' = 'json', 'value.format' = 'json'", "'scan.bounded.mode'"),
}


@pytest.mark.parametrize("connector", sorted(UNBOUNDED_TABLES))
def test_select_from_an_unbounded_table_is_refused(connector):
    columns, options, bounding = UNBOUNDED_TABLES[connector]
    t_env = batch()
    t_env.execute_sql(f"CREATE TABLE events ({columns}) WITH ({options})")
    with pytest.raises(InvalidJobError) as error:
        t_env.execute_sql("SELECT * FROM events").collect()
    message = str(error.value)
    assert message.startswith("Querying an unbounded table 'events' in batch mode is not allowed. The table "
                              "source is unbounded"), message
    assert bounding in message and "streaming mode" in message


@pytest.mark.parametrize("connector", ["datagen", "nexmark"])
def test_insert_from_an_unbounded_table_is_refused(connector, tmp_path):
    columns, options, _ = UNBOUNDED_TABLES[connector]
    t_env = batch()
    t_env.execute_sql(f"CREATE TABLE events ({columns}) WITH ({options})")
    t_env.execute_sql(f"CREATE TABLE copy ({columns}) WITH ('connector' = 'filesystem', 'path' = '{tmp_path}', "
                      f"'format' = 'csv')")
    with pytest.raises(InvalidJobError, match="Querying an unbounded table 'events' in batch mode"):
        t_env.execute_sql("INSERT INTO copy SELECT * FROM events").wait()
    assert list(tmp_path.iterdir()) == []


def test_a_join_with_one_unbounded_side_is_refused():
    t_env = batch()
    t_env.execute_sql("CREATE TABLE users (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '5')")
    t_env.execute_sql("CREATE TABLE clicks (id BIGINT) WITH ('connector' = 'datagen')")
    with pytest.raises(InvalidJobError, match="unbounded table 'clicks'"):
        t_env.execute_sql("SELECT * FROM users JOIN clicks ON users.id = clicks.id").collect()


def test_bounded_tables_still_run_in_batch_mode():
    t_env = batch()
    t_env.execute_sql("CREATE TABLE events (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '7')")
    assert len(list(t_env.execute_sql("SELECT * FROM events").collect())) == 7


def test_an_unbounded_data_stream_in_a_batch_table_environment_is_refused(tmp_path):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_runtime_mode(RuntimeExecutionMode.BATCH)
    source = FileSource.for_record_stream_format(StreamFormat.text_line_format(), str(tmp_path)) \
        .monitor_continuously(Duration.of_millis(50)).build()
    lines = env.from_source(source, WatermarkStrategy.no_watermarks(), "watched files", Types.STRING())
    t_env = StreamTableEnvironment.create(env)
    table = t_env.from_data_stream(lines)
    with pytest.raises(InvalidJobError, match="BATCH execution needs bounded sources, but 'watched files' is "
                                              "unbounded"):
        table.execute().collect()
