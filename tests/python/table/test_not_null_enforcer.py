"""NOT NULL columns at the sinks ('table.exec.sink.not-null-enforcer'): a null written into
one fails the job by default, naming the column, as Flink does; with 'DROP' the rows holding
such a null are dropped and the others written. Checked at every kind of sink; the rows
written are checked against a plain-Python filter of the input."""

import csv
import json

import pytest

from fluvial.errors import JobExecutionError, NotNullViolationError
from fluvial.table import EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import PlanningError

ROWS = [(1, "apple", 3), (2, None, 5), (3, "pear", None), (4, "plum", 7), (5, None, None)]
FLINK_HINT = ("You can set job configuration 'table.exec.sink.not-null-enforcer'='DROP' to suppress this exception "
              "and drop such records silently.")


def environment(mode, enforcer=None):
    settings = EnvironmentSettings.in_batch_mode() if mode == "batch" else EnvironmentSettings.in_streaming_mode()
    t_env = TableEnvironment.create(settings)
    if enforcer is not None:
        t_env.get_config().set("table.exec.sink.not-null-enforcer", enforcer)
    t_env.create_temporary_view("fruit", t_env.from_elements(ROWS, ["id", "name", "amount"]))
    return t_env


def without_null_names(rows):
    return [row for row in rows if row[1] is not None]


def assert_names_the_column(error, column, table):
    cause = error.value.__cause__
    assert isinstance(cause, NotNullViolationError), repr(cause)
    message = str(cause)
    assert message.startswith(f"Column '{column}' of table '{table}' is NOT NULL, however, a null value is being "
                              f"written into it"), message
    assert message.endswith(FLINK_HINT)
    assert "Arrow" not in message and "pyarrow" not in message


@pytest.mark.parametrize("mode", ["streaming", "batch"])
def test_a_null_into_a_not_null_column_of_a_file_table_fails_the_job(mode, tmp_path):
    t_env = environment(mode)
    t_env.execute_sql(f"CREATE TABLE out (id BIGINT, name STRING NOT NULL, amount BIGINT) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = 'json')")
    with pytest.raises(JobExecutionError) as error:
        t_env.execute_sql("INSERT INTO out SELECT * FROM fruit").wait()
    assert_names_the_column(error, "name", "out")
    assert "(row {'id': 2, 'name': None, 'amount': 5})" in str(error.value.__cause__)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_drop_writes_the_other_rows_to_a_file_table(fmt, tmp_path):
    t_env = environment("batch", "drop")
    t_env.execute_sql(f"CREATE TABLE out (id BIGINT NOT NULL, name STRING NOT NULL, amount BIGINT) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = '{fmt}')")
    t_env.execute_sql("INSERT INTO out SELECT * FROM fruit").wait()
    written = []
    for file in sorted(tmp_path.rglob("*")):
        if file.is_file() and not file.name.startswith((".", "_")):
            with open(file) as handle:
                if fmt == "json":
                    written += [tuple(json.loads(line).values()) for line in handle if line.strip()]
                else:
                    written += [(int(i), n, int(a) if a else None) for i, n, a in csv.reader(handle)]
    assert sorted(written, key=lambda r: r[0]) == without_null_names(ROWS)


def test_two_not_null_columns_drop_rows_with_a_null_in_either(tmp_path):
    t_env = environment("streaming", "DROP")
    t_env.execute_sql(f"CREATE TABLE out (id BIGINT, name STRING NOT NULL, amount BIGINT NOT NULL) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = 'json')")
    t_env.execute_sql("INSERT INTO out SELECT * FROM fruit").wait()
    t_env.execute_sql(f"CREATE TABLE back (id BIGINT, name STRING, amount BIGINT) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = 'json')")
    got = sorted(tuple(r) for r in t_env.execute_sql("SELECT * FROM back").collect())
    assert got == [r for r in ROWS if r[1] is not None and r[2] is not None]


@pytest.mark.parametrize("connector", ["print", "blackhole"])
def test_print_and_blackhole_sinks_check_too(connector, capsys):
    t_env = environment("streaming")
    t_env.execute_sql(f"CREATE TABLE out (id BIGINT, name STRING NOT NULL, amount BIGINT) "
                      f"WITH ('connector' = '{connector}')")
    with pytest.raises(JobExecutionError) as error:
        t_env.execute_sql("INSERT INTO out SELECT * FROM fruit").wait()
    assert_names_the_column(error, "name", "out")


def test_print_sink_with_drop_prints_the_other_rows(capsys):
    t_env = environment("streaming", "DROP")
    t_env.execute_sql("CREATE TABLE out (id BIGINT, name STRING NOT NULL, amount BIGINT) "
                      "WITH ('connector' = 'print')")
    t_env.execute_sql("INSERT INTO out SELECT * FROM fruit").wait()
    printed = capsys.readouterr().out.splitlines()
    expected = [f"+I[{i}, {n}, {'null' if a is None else a}]" for i, n, a in without_null_names(ROWS)]
    assert sorted(printed) == sorted(expected)


def source_table(t_env, tmp_path, lines):
    """A JSON file table with a NOT NULL column, whose lines may lack it (sources do not check)."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "part.json").write_text("".join(json.dumps(line) + "\n" for line in lines))
    t_env.execute_sql(f"CREATE TABLE src (id BIGINT, name STRING NOT NULL) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{tmp_path / 'in'}', 'format' = 'json')")


LINES = [{"id": 1, "name": "a"}, {"id": 2}, {"id": 3, "name": "c"}]


@pytest.mark.parametrize("mode", ["streaming", "batch"])
def test_collect_checks_the_not_null_columns_of_the_result(mode, tmp_path):
    t_env = environment(mode)
    source_table(t_env, tmp_path, LINES)
    with pytest.raises(JobExecutionError) as error:
        list(t_env.execute_sql("SELECT * FROM src").collect())
    cause = error.value.__cause__
    assert isinstance(cause, NotNullViolationError)
    assert str(cause).startswith("Column 'name' of the query's result is NOT NULL, however, a null value")


def test_to_pandas_with_drop_leaves_out_the_rows(tmp_path):
    t_env = environment("batch", "DROP")
    source_table(t_env, tmp_path, LINES)
    frame = t_env.from_path("src").to_pandas()
    assert [tuple(r) for r in frame.itertuples(index=False)] == [(1, "a"), (3, "c")]


def test_to_pandas_fails_by_default(tmp_path):
    t_env = environment("batch")
    source_table(t_env, tmp_path, LINES)
    with pytest.raises(JobExecutionError, match="Column 'name' of the query's result is NOT NULL"):
        t_env.from_path("src").to_pandas()


def test_drop_keeps_each_kept_row_with_its_row_kind():
    import pyarrow as pa

    from fluvial.table._not_null import NotNullEnforcer

    schema = pa.schema([pa.field("name", pa.string(), nullable=False), pa.field("total", pa.int64())])
    rows = [("a", 1), (None, 2), ("a", 3), (None, None), ("b", 4)]
    kinds = bytes([0, 1, 2, 3, 0])  # +I, -U, +U, -D, +I
    batch = pa.RecordBatch.from_arrays([pa.array([r[0] for r in rows]), pa.array([r[1] for r in rows])],
                                       schema=schema)
    kept, kept_kinds = NotNullEnforcer(schema, [], "DROP", "table 't'").apply(batch, kinds)
    reference = [(row, kind) for row, kind in zip(rows, kinds) if row[0] is not None]
    assert list(zip(kept.to_pylist(), kept_kinds)) == [({"name": n, "total": t}, k) for (n, t), k in reference]


def test_the_option_is_checked_when_set():
    t_env = environment("streaming")
    with pytest.raises(PlanningError, match="'table.exec.sink.not-null-enforcer' must be 'ERROR' or 'DROP', "
                                            "got 'SKIP'"):
        t_env.get_config().set("table.exec.sink.not-null-enforcer", "SKIP")


def test_nullable_columns_take_nulls_as_before(tmp_path):
    t_env = environment("batch")
    t_env.execute_sql(f"CREATE TABLE out (id BIGINT NOT NULL, name STRING, amount BIGINT) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = 'json')")
    t_env.execute_sql("INSERT INTO out SELECT * FROM fruit").wait()
    t_env.execute_sql(f"CREATE TABLE back (id BIGINT, name STRING, amount BIGINT) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = 'json')")
    assert sorted(tuple(r) for r in t_env.execute_sql("SELECT * FROM back").collect()) == ROWS
