"""Partition values from the data never make the filesystem sink write outside the table's
path: they are escaped as Flink's PartitionPathUtils escapes them (one directory name per
value) and unescaped when the table is read, so every value round-trips exactly; NULL, ''
and blank values go to the default partition and read back as NULL, as in Flink."""

import os

import pytest

from fluvial.datastream.connectors._partition_path import (
    escape_path_name,
    partition_path,
    unescape_path_name,
)
from fluvial.table import EnvironmentSettings, TableEnvironment

HOSTILE = ["../../../X", "a/b", "/abs", "..", ".", "%2F", "a=b", "a%b", "a+b", "a b", "c:\\d",
           "x\ny", "tab\there", "{[q]}^?*#'\"", "\x7f", "日本/語", "café", "ok", "", "   ", None]


def expected_value(value):
    # Flink: a NULL, empty or whitespace-only value is the default partition, read as NULL.
    return None if value is None or not value.strip() else value


def files_under(root):
    return sorted(os.path.join(directory, name) for directory, _, names in os.walk(root) for name in names)


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "avro"])
def test_hostile_partition_values_stay_inside_the_table_and_round_trip(tmp_path, fmt):
    # The table lies deep inside tmp_path, so a value that walked out would still land in tmp_path.
    table_path = tmp_path / "a" / "b" / "c" / "table"
    rows = [(i, value) for i, value in enumerate(HOSTILE)]
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.create_temporary_view("src", t_env.from_elements(rows, ["id", "p"]))
    t_env.execute_sql(f"CREATE TABLE t (id BIGINT, p STRING) PARTITIONED BY (p) WITH ('connector' = 'filesystem', "
                      f"'path' = '{table_path}', 'format' = '{fmt}')")
    t_env.execute_sql("INSERT INTO t SELECT id, p FROM src").wait()

    written = files_under(tmp_path)
    assert written, "the sink wrote nothing"
    outside = [f for f in written if not f.startswith(str(table_path) + os.sep)]
    assert outside == []
    # One directory level per partition key, named after the escaped value.
    directories = {os.path.relpath(os.path.dirname(f), table_path) for f in written}
    assert directories == {f"p={'__DEFAULT_PARTITION__' if expected_value(v) is None else escape_path_name(v)}"
                           for v in HOSTILE}

    back = sorted((r[0], r[1]) for r in t_env.execute_sql("SELECT id, p FROM t").collect())
    assert back == [(i, expected_value(value)) for i, value in rows]


def test_partition_default_name_option_is_written_and_read(tmp_path):
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.create_temporary_view("src", t_env.from_elements([(1, None), (2, "x")], ["id", "p"]))
    t_env.execute_sql(f"CREATE TABLE t (id BIGINT, p STRING) PARTITIONED BY (p) WITH ('connector' = 'filesystem', "
                      f"'path' = '{tmp_path}', 'format' = 'csv', 'partition.default-name' = 'none_here')")
    t_env.execute_sql("INSERT INTO t SELECT id, p FROM src").wait()
    assert sorted(os.listdir(tmp_path)) == ["p=none_here", "p=x"]
    assert sorted(tuple(r) for r in t_env.execute_sql("SELECT id, p FROM t").collect()) == [(1, None), (2, "x")]


def test_hostile_values_of_two_keys_and_an_int_key(tmp_path):
    rows = [(1, "../..", 7), (2, "/etc", None), (3, "a=b/c", -1)]
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.create_temporary_view("src", t_env.from_elements(rows, ["id", "p", "q"]))
    t_env.execute_sql(f"CREATE TABLE t (id BIGINT, p STRING, q BIGINT) PARTITIONED BY (p, q) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{tmp_path / 't'}', 'format' = 'json')")
    t_env.execute_sql("INSERT INTO t SELECT * FROM src").wait()
    assert all(f.startswith(str(tmp_path / "t") + os.sep) for f in files_under(tmp_path))
    assert sorted(os.path.relpath(os.path.dirname(f), tmp_path / "t") for f in files_under(tmp_path)) == [
        "p=%2Fetc/q=__DEFAULT_PARTITION__", "p=..%2F../q=7", "p=a%3Db%2Fc/q=-1"]
    assert sorted(tuple(r) for r in t_env.execute_sql("SELECT * FROM t").collect()) == rows


def test_escaping_is_flinks():
    # Flink's PartitionPathUtils.escapePathName on these (its escape set and %XX upper case).
    assert escape_path_name("../../../X") == "..%2F..%2F..%2FX"
    assert escape_path_name("a=b:c\\d%e") == "a%3Db%3Ac%5Cd%25e"
    assert escape_path_name("\x01\x1f\x7f#?*'\"{[]^") == "%01%1F%7F%23%3F%2A%27%22%7B%5B%5D%5E"
    assert escape_path_name("café ok-_.~+") == "café ok-_.~+"
    assert partition_path([("dt", "2024-01-01"), ("h", None), ("k=", "")]) == \
        "dt=2024-01-01/h=__DEFAULT_PARTITION__/k%3D=__DEFAULT_PARTITION__"
    for value in HOSTILE[:-1]:
        assert unescape_path_name(escape_path_name(value)) == value
    # A '%' that does not start an escape is kept, as Flink's unescapePathName keeps it.
    assert unescape_path_name("100%") == "100%" and unescape_path_name("%zz%4") == "%zz%4"
