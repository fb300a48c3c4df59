"""PyFlink's rules for user-defined functions and the table features its own unit tests use
(corpus 2): each checked against a plain-Python recomputation or PyFlink's documented behaviour."""

import os

import pytest

from fluvial.common import Configuration, Row
from fluvial.common.execution_config import ExecutionConfig
from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment, col
from fluvial.table.udf import AggregateFunction, ScalarFunction, udf


class _Minus(ScalarFunction):
    def eval(self, i):
        return i - 1


def _t_env(streaming=False):
    settings = EnvironmentSettings.in_streaming_mode() if streaming else EnvironmentSettings.in_batch_mode()
    return TableEnvironment.create(settings)


def _rows(table):
    return sorted(tuple(r) for r in table.execute().collect())


def test_udf_wrapper_rules():
    assert udf(lambda i: i, result_type=DataTypes.BIGINT())._deterministic
    assert not udf(lambda i: i, result_type=DataTypes.BIGINT(), deterministic=False)._deterministic
    with pytest.raises(ValueError, match="Inconsistent deterministic: False and True"):
        udf(_Minus(), result_type=DataTypes.BIGINT(), deterministic=False)
    assert udf(_Minus(), result_type=DataTypes.BIGINT())._name == "_Minus"

    class NoEval(ScalarFunction):
        pass

    with pytest.raises(TypeError):
        NoEval()

    class NotCallable:
        def eval(self, x):
            return x

    with pytest.raises(TypeError, match="Invalid function: not a function or callable"):
        udf(NotCallable(), result_type=DataTypes.BIGINT())
    with pytest.raises(ValueError, match="The func_type must be one of 'general, pandas'"):
        udf(lambda i: i, result_type=DataTypes.BIGINT(), func_type="other")


def test_udf_without_arguments_gives_a_value_per_row():
    t = _t_env().from_elements([(1,), (2,), (3,)], ["a"])
    one = udf(lambda: 1, result_type=DataTypes.BIGINT())
    assert _rows(t.select(t.a, one())) == [(1, 1), (2, 1), (3, 1)]


def test_udf_arguments_as_pyflink_passes_them():
    seen = []

    @udf(result_type=DataTypes.STRING())
    def describe(m, r):
        seen.append((m, r))
        return f"{type(m).__name__}/{type(r).__name__}"

    t = _t_env().from_elements(
        [({1: "x"}, Row(1, "a"))],
        DataTypes.ROW([DataTypes.FIELD("m", DataTypes.MAP(DataTypes.BIGINT(), DataTypes.STRING())),
                       DataTypes.FIELD("r", DataTypes.ROW([DataTypes.FIELD("i", DataTypes.INT()),
                                                           DataTypes.FIELD("s", DataTypes.STRING())]))]))
    assert _rows(t.select(describe(t.m, t.r))) == [("dict/Row",)]
    assert seen[0][0] == {1: "x"} and tuple(seen[0][1]) == (1, "a")


def test_join_on_an_equality_of_udf_calls():
    left = [(1, "Hi"), (2, "Hi"), (3, "Yo")]
    right = [(2, "Flink"), (4, "x")]
    t_env = _t_env()
    t1 = t_env.from_elements(left, ["a", "b"])
    t2 = t_env.from_elements(right, ["c", "d"])
    twice = udf(lambda i: i * 2, result_type=DataTypes.BIGINT())
    joined = t1.join(t2).where(twice(t1.a) == twice(t2.c) + 0)
    expected = sorted((a, b, c, d) for a, b in left for c, d in right if a * 2 == c * 2)
    assert _rows(joined) == expected
    assert joined.get_schema().get_field_names() == ["a", "b", "c", "d"]


def test_global_job_parameters_from_the_table_config():
    from fluvial.table.udf import FunctionContext

    class Minus(ScalarFunction):
        def open(self, function_context: FunctionContext):
            self.by = int(function_context.get_job_parameter("by", "1"))

        def eval(self, i):
            return i - self.by

    t_env = _t_env()
    t_env.get_config().set("pipeline.global-job-parameters", "by:5,other:x")
    t = t_env.from_elements([(10,), (20,)], ["a"])
    assert _rows(t.select(udf(Minus(), result_type=DataTypes.BIGINT())(t.a))) == [(5,), (15,)]


def test_first_and_last_value_follow_the_changelog():
    # LAST_VALUE per key over a table whose rows are updated (a retracting input).
    events = [(1, "a", 10), (1, "b", 11), (2, "c", 20), (1, "d", 12), (2, "e", 21)]
    t_env = _t_env(streaming=True)
    t_env.create_temporary_view("events", t_env.from_elements(events, ["k", "v", "n"]))
    latest = t_env.sql_query("SELECT k, LAST_VALUE(v) AS v FROM events GROUP BY k")
    t_env.create_temporary_view("latest", latest)
    result = t_env.sql_query("SELECT FIRST_VALUE(v) AS f, LAST_VALUE(v) AS l, COUNT(*) AS n FROM latest")
    final = {}
    for k, v, _ in events:
        final[k] = v
    assert sorted(tuple(r) for r in latest.to_pandas().itertuples(index=False)) == sorted(final.items())
    rows = [tuple(r) for r in result.execute().collect()]
    last = rows[-1]
    assert last[2] == len(final) and {last[0], last[1]} <= set(final.values())


def test_configuration_bytes_typed_values_and_hash():
    conf = Configuration().set_bytearray("b", bytearray([1, 2, 3])).set_integer("i", 2)
    assert conf.get_bytearray("b", None) == bytearray([1, 2, 3])
    target = {}
    conf.add_all_to_dict(target)
    assert target == {"b": bytearray([1, 2, 3]), "i": 2}
    same = Configuration().set_bytearray("b", bytearray([1, 2, 3])).set_integer("i", 2)
    assert conf == same and hash(conf) == hash(same)
    assert hash(ExecutionConfig()) == hash(ExecutionConfig())


def test_bare_aggregate_function_registers_with_its_own_types():
    class Count(AggregateFunction):
        def create_accumulator(self):
            return [0]

        def accumulate(self, accumulator, *args):
            accumulator[0] += 1

        def get_value(self, accumulator):
            return accumulator[0]

        def get_result_type(self):
            return "BIGINT"

    t_env = _t_env()
    t_env.create_temporary_system_function("my_count", Count())
    t_env.create_temporary_view("w", t_env.from_elements([("a",), ("b",), ("a",)], ["x"]))
    assert sorted(tuple(r) for r in t_env.sql_query("SELECT x, my_count(x) FROM w GROUP BY x")
                  .execute().collect()) == [("a", 2), ("b", 1)]


def test_legacy_csv_filesystem_options(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("1,a\n2,b\n")
    t_env = _t_env()
    t_env.execute_sql(f"CREATE TABLE legacy (n INT, s STRING) WITH ('connector.type' = 'filesystem', "
                      f"'format.type' = 'csv', 'connector.path' = '{path}', 'format.field-delimiter' = ',')")
    assert _rows(t_env.from_path("legacy")) == [(1, "a"), (2, "b")]
    with pytest.raises(Exception, match="legacy 'connector.type' = 'kafka'"):
        t_env.execute_sql("CREATE TABLE old_kafka (n INT) WITH ('connector.type' = 'kafka')")


def test_add_python_file(tmp_path):
    from fluvial.datastream import StreamExecutionEnvironment

    module = tmp_path / "corpus2_helper_module.py"
    module.write_text("def triple(x):\n    return 3 * x\n")
    env = StreamExecutionEnvironment.get_execution_environment()
    env.add_python_file(str(module))

    def apply(x):
        from corpus2_helper_module import triple
        return triple(x)

    assert sorted(env.from_collection([1, 2]).map(apply).execute_and_collect()) == [3, 6]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        env.add_python_file(os.path.join(str(tmp_path), "missing.py"))


def test_pandas_udf_gets_a_row_as_a_dataframe():
    import pandas as pd

    row_type = DataTypes.ROW([DataTypes.FIELD("x", DataTypes.INT()), DataTypes.FIELD("y", DataTypes.STRING())])

    @udf(result_type=row_type, func_type="pandas")
    def swap_case(frame):
        assert isinstance(frame, pd.DataFrame)
        return pd.DataFrame({"x": frame.x + 1, "y": frame.y.str.upper()})

    t = _t_env().from_elements([(Row(1, "a"),), (Row(2, "b"),)], DataTypes.ROW([DataTypes.FIELD("r", row_type)]))
    assert sorted(tuple(r[0]) for r in t.select(swap_case(col("r"))).execute().collect()) == [(2, "A"), (3, "B")]
