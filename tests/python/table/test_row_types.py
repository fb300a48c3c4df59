"""ROW types: ROW<a INT, b STRING> and ROW(a INT, b STRING) in DDL and CAST, field access in
SQL (r.a, r['a'], (expr).a) and the Table API (get, flatten), ROW columns through JSON and
Parquet file tables and the print sink — checked against the plain-Python values written."""

import json
import random

import pytest

from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import PlanningError, col, row
from fluvial.table.sql.types import parse_type


def records(count=40):
    rng = random.Random(3)
    out = []
    for i in range(count):
        inner = None if i % 7 == 3 else {"a": rng.randint(-50, 50), "b": {"c": rng.choice(["x", "y", None])}}
        out.append({"id": i, "r": inner})
    return out


def source(t_env, tmp_path, rows):
    path = tmp_path / "in.json"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    t_env.execute_sql(f"CREATE TABLE src (id INT, r ROW<a INT, b ROW(c STRING)>) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{path}', 'format' = 'json')")


def test_row_type_text():
    assert repr(parse_type("ROW<a INT, b ROW<c STRING>>")) == "ROW<`a` INT, `b` ROW<`c` STRING>>"


@pytest.mark.parametrize("mode", ["batch", "streaming"])
def test_field_access_in_sql(tmp_path, mode):
    settings = EnvironmentSettings.in_batch_mode() if mode == "batch" else EnvironmentSettings.in_streaming_mode()
    t_env = TableEnvironment.create(settings)
    rows = records()
    source(t_env, tmp_path, rows)
    result = t_env.execute_sql("SELECT id, r.a, r.b.c, src.r.a AS qualified, r['a'] AS bracket FROM src "
                               "WHERE r.a > 0")
    assert result.get_table_schema().get_field_names() == ["id", "a", "c", "qualified", "bracket"]
    got = sorted(tuple(x) for x in result.collect())
    expected = sorted((r["id"], r["r"]["a"], r["r"]["b"]["c"], r["r"]["a"], r["r"]["a"])
                      for r in rows if r["r"] is not None and r["r"]["a"] > 0)
    assert got == expected


def test_cast_to_row_is_positional():
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.create_temporary_view("t", t_env.from_elements([(1, "one"), (2, None)], ["n", "s"]))
    rows = [tuple(r) for r in t_env.execute_sql(
        "SELECT CAST(ROW(n, s) AS ROW<k BIGINT, v STRING>) AS r, CAST(ROW(n, s) AS ROW(k INT, v STRING)).v AS v "
        "FROM t").collect()]
    assert [(r[0].k, r[0].v, r[1]) for r in rows] == [(1, "one", "one"), (2, None, None)]
    with pytest.raises(PlanningError, match="cannot CAST a ROW of 2 field"):
        t_env.execute_sql("SELECT CAST(ROW(n, s) AS ROW<k INT>) FROM t")


def test_table_api_get_and_flatten():
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    table = t_env.from_elements([(1, "a", 2.5), (2, "b", None)], ["id", "s", "d"])
    typed = DataTypes.ROW([DataTypes.FIELD("name", DataTypes.STRING()), DataTypes.FIELD("v", DataTypes.DOUBLE())])
    rows = table.select(col("id"), row(col("s"), col("d")).cast(typed).alias("r"))
    result = rows.select(col("id"), col("r").get("v").alias("v"), col("r").flatten())
    assert result.get_schema().get_field_names() == ["id", "v", "r$name", "r$v"]
    assert [tuple(x) for x in result.execute().collect()] == [(1, 2.5, "a", 2.5), (2, None, "b", None)]
    with pytest.raises(PlanningError, match="the ROW has no field 'w'"):
        rows.select(col("r").get("w"))
    with pytest.raises(PlanningError, match="flatten\\(\\) applies to a ROW value"):
        rows.select(col("id").flatten())


@pytest.mark.parametrize("fmt", ["json", "parquet"])
def test_rows_through_file_tables_and_print(fmt, tmp_path, capsys):
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    rows = records(12)
    (tmp_path / "in").mkdir()
    source(t_env, tmp_path / "in", rows)
    out = tmp_path / "out"
    t_env.execute_sql(f"CREATE TABLE out_t (id INT, r ROW<a INT, b ROW<c STRING>>) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{out}', 'format' = '{fmt}')")
    t_env.execute_sql("INSERT INTO out_t SELECT id, r FROM src").wait()
    back = {x[0]: x[1] for x in t_env.execute_sql("SELECT id, r FROM out_t").collect()}
    for r in rows:
        value = back[r["id"]]
        if r["r"] is None:
            assert value is None
        else:
            assert (value.a, value.b.c) == (r["r"]["a"], r["r"]["b"]["c"])
    t_env.execute_sql("CREATE TABLE shown (id INT, r ROW<a INT, b ROW<c STRING>>) WITH ('connector' = 'print')")
    capsys.readouterr()
    t_env.execute_sql("INSERT INTO shown SELECT id, r FROM out_t WHERE id = 0").wait()
    first = rows[0]["r"]
    c = first["b"]["c"]
    # The print connector shows Flink's Row.toString (nested rows too); print() its tableau text.
    assert capsys.readouterr().out == f"+I[0, +I[{first['a']}, +I[{'null' if c is None else c}]]]\n"
    t_env.execute_sql("SELECT r FROM out_t WHERE id = 0").print()
    text = f"({first['a']}, ({'NULL' if c is None else c}))"
    assert f"| {text:>30} |" in capsys.readouterr().out
