"""SQL filesystem tables: every format round-trips through INSERT and SELECT, partitioned tables
write Hive-style directories and read the partition values back from them."""

import random

import pytest

from fluvial.table import EnvironmentSettings, TableEnvironment
from fluvial.table.connectors import ConnectorOptionError

ROWS = [(i, f"name{i}", round(random.Random(i).uniform(0, 100), 2), f"2024-01-0{1 + i % 3}", i % 2)
        for i in range(60)]


def environment():
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.create_temporary_view("src", t_env.from_elements(ROWS, ["id", "name", "price", "dt", "hour"]))
    return t_env


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
@pytest.mark.parametrize("partitioned", [False, True])
def test_round_trip(tmp_path, fmt, partitioned):
    t_env = environment()
    partition = "PARTITIONED BY (dt, hour)" if partitioned else ""
    t_env.execute_sql(f"CREATE TABLE out_t (id BIGINT, name STRING, price DOUBLE, dt STRING, hour BIGINT) "
                      f"{partition} WITH ('connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = '{fmt}')")
    t_env.execute_sql("INSERT INTO out_t SELECT * FROM src").wait()
    if partitioned:
        directories = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("dt=*/hour=*"))
        assert directories == sorted({f"dt={dt}/hour={h}" for _, _, _, dt, h in ROWS})
    back = [tuple(r) for r in t_env.execute_sql("SELECT id, name, price, dt, hour FROM out_t").collect()]
    assert sorted(back) == sorted(ROWS)
    if partitioned:
        # A filter on a partition column reads the right rows.
        some = [tuple(r) for r in t_env.execute_sql("SELECT id FROM out_t WHERE dt = '2024-01-02'").collect()]
        assert sorted(some) == sorted((i,) for i, _, _, dt, _ in ROWS if dt == "2024-01-02")


def test_raw_format_round_trip(tmp_path):
    t_env = environment()
    t_env.execute_sql(f"CREATE TABLE lines (line STRING) WITH ('connector' = 'filesystem', 'path' = '{tmp_path}', "
                      f"'format' = 'raw')")
    t_env.execute_sql("INSERT INTO lines SELECT name FROM src").wait()
    back = sorted(r[0] for r in t_env.execute_sql("SELECT line FROM lines").collect())
    assert back == sorted(name for _, name, _, _, _ in ROWS)


def test_unknown_partition_column(tmp_path):
    from fluvial.table.sql.errors import SqlValidationError

    t_env = environment()
    with pytest.raises(SqlValidationError, match="PARTITIONED BY \\(day\\): no such column"):
        t_env.execute_sql(f"CREATE TABLE p (id BIGINT) PARTITIONED BY (day) WITH ('connector' = 'filesystem', "
                          f"'path' = '{tmp_path}', 'format' = 'csv')")


def test_unsupported_sink_format(tmp_path):
    t_env = environment()
    t_env.execute_sql(f"CREATE TABLE o (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '{tmp_path}', "
                      f"'format' = 'orc')")
    with pytest.raises(Exception, match="unsupported 'format' = 'orc' for a filesystem sink"):
        t_env.execute_sql("INSERT INTO o SELECT id FROM src").wait()


def test_unknown_option_is_refused(tmp_path):
    t_env = environment()
    t_env.execute_sql(f"CREATE TABLE f (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '{tmp_path}', "
                      f"'format' = 'csv', 'csv.field-delimter' = ';')")
    with pytest.raises(ConnectorOptionError, match="did you mean 'csv.field-delimiter'"):
        t_env.execute_sql("SELECT * FROM f")


def test_insert_values_into_a_file_table(tmp_path):
    # INSERT INTO ... VALUES: the literals cast to the table's column types, in column order.
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.execute_sql(f"CREATE TABLE people (id INT, name STRING, score DOUBLE) WITH ('connector' = 'filesystem', "
                      f"'path' = '{tmp_path / 'people'}', 'format' = 'csv')")
    t_env.execute_sql("INSERT INTO people VALUES (1, 'ada', 2.5), (2, 'bob', 3)").wait()
    rows = sorted(tuple(r) for r in t_env.execute_sql("SELECT * FROM people").collect())
    assert rows == [(1, "ada", 2.5), (2, "bob", 3.0)]
