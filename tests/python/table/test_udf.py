"""Python UDFs in the Table API and SQL: general (per row) and pandas (per
batch) scalar functions, ScalarFunction with open/close, map over rows and
DataFrames, aggregate functions in windows; results checked against Python,
wrong result types and exceptions reported with the function's name."""

import pandas as pd
import pytest

from fluvial.common import Row
from fluvial.errors import JobExecutionError
from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import call, col
from fluvial.table.udf import AggregateFunction, ScalarFunction, udaf, udf

DATA = [(i, f"name{i}", None if i % 5 == 0 else float(i) / 4) for i in range(200)]


def table(t_env, splits=4):
    frame = pd.DataFrame(DATA, columns=["id", "name", "score"])
    return t_env.from_pandas(frame, splits_num=splits)


@pytest.fixture
def t_env():
    return TableEnvironment.create(EnvironmentSettings.in_streaming_mode())


def rows(t):
    return [tuple(r) for r in t.execute().collect()]


def test_general_udf_is_called_per_row_with_python_values(t_env):
    seen_types = set()

    @udf(result_type=DataTypes.STRING())
    def describe(i, name, score):
        seen_types.update({type(i), type(name), type(score)})
        return f"{name}:{'-' if score is None else score * 2}"

    got = rows(table(t_env).select(describe(col("id"), col("name"), col("score")).alias("d")))
    assert sorted(got) == sorted((f"name{i}:{'-' if s is None else s * 2}",) for i, _, s in DATA)
    assert seen_types == {int, str, float, type(None)}


def test_pandas_udf_gets_whole_columns(t_env):
    sizes = []

    @udf(result_type=DataTypes.DOUBLE(), func_type="pandas")
    def scaled(score: pd.Series) -> pd.Series:
        sizes.append(len(score))
        return score.fillna(0) * 10

    got = rows(table(t_env, splits=4).select(col("id"), scaled(col("score")).alias("s")))
    assert sorted(got) == sorted((i, 0.0 if s is None else s * 10) for i, _, s in DATA)
    assert sum(sizes) == len(DATA) and max(sizes) > 1


def test_nested_udf_calls_and_builtins_around_them(t_env):
    plus_one = udf(lambda x: x + 1, result_type=DataTypes.BIGINT())
    times_two = udf(lambda x: x * 2, result_type=DataTypes.BIGINT())
    got = rows(table(t_env).select((times_two(plus_one(col("id") * 3)) + 1).alias("v"))
               .filter(col("v") % 4 == 1))
    expected = [((i * 3 + 1) * 2 + 1,) for i, _, _ in DATA if ((i * 3 + 1) * 2 + 1) % 4 == 1]
    assert sorted(got) == sorted(expected)


def test_scalar_function_open_is_called_once_per_instance(t_env):
    class Threshold(ScalarFunction):
        opened = 0

        def open(self, function_context):
            type(self).opened += 1
            self.limit = 20.0

        def eval(self, score):
            return score is not None and score > self.limit

    above = udf(Threshold(), result_type=DataTypes.BOOLEAN())
    got = rows(table(t_env, splits=8).filter(above(col("score"))).select(col("id")))
    assert sorted(got) == [(i,) for i, _, s in DATA if s is not None and s > 20.0]
    assert Threshold.opened == 1


def test_udf_in_sql_by_registered_name(t_env):
    t_env.create_temporary_function("shout", udf(lambda s: s.upper() + "!", result_type=DataTypes.STRING()))
    t_env.create_temporary_view("people", table(t_env))
    got = [tuple(r) for r in t_env.execute_sql("SELECT shout(name) AS s FROM people WHERE id < 3").collect()]
    assert sorted(got) == [("NAME0!",), ("NAME1!",), ("NAME2!",)]
    # call() by name reaches the same registered function from the Table API.
    got = [tuple(r) for r in table(t_env).filter(col("id") == 7).select(call("shout", col("name")).alias("s"))
           .execute().collect()]
    assert got == [("NAME7!",)]


def test_wrong_result_type_names_the_function(t_env):
    bad = udf(lambda i: "not a number", result_type=DataTypes.BIGINT(), name="count_things")
    with pytest.raises(JobExecutionError) as failure:
        rows(table(t_env).select(bad(col("id"))))
    message = str(failure.value.__cause__ or failure.value) + str(failure.value)
    assert "count_things" in message and "BIGINT" in message and "'not a number'" in message


def test_exception_in_udf_reaches_the_user_with_operator_and_traceback(t_env):
    @udf(result_type=DataTypes.DOUBLE())
    def fragile(score):
        return 1.0 / (score - 10.0)

    with pytest.raises(JobExecutionError) as failure:
        rows(table(t_env).select(fragile(col("score"))))
    assert "PythonCalc(fragile)" in str(failure.value)
    cause = failure.value.__cause__
    assert isinstance(cause, (ZeroDivisionError, TypeError))
    assert "fragile" in "".join(__import__("traceback").format_tb(cause.__traceback__))


def test_map_with_row_udf_and_pandas_udf(t_env):
    result_type = DataTypes.ROW([DataTypes.FIELD("id", DataTypes.BIGINT()),
                                 DataTypes.FIELD("score", DataTypes.DOUBLE())])

    @udf(result_type=result_type)
    def fill(row: Row) -> Row:
        return Row(row.id, -1.0 if row.score is None else row.score)

    @udf(result_type=result_type, func_type="pandas")
    def fill_frame(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"id": frame["id"], "score": frame["score"].fillna(-1.0)})

    expected = sorted((i, -1.0 if s is None else s) for i, _, s in DATA)
    source = table(t_env).select(col("id"), col("score"))
    assert sorted(rows(source.map(fill))) == expected
    assert sorted(rows(source.map(fill_frame))) == expected


def test_general_aggregate_function_in_a_window():
    from test_windows import as_millis, stream_table

    class Spread(AggregateFunction):
        def create_accumulator(self):
            return [None, None]

        def accumulate(self, acc, value):
            acc[0] = value if acc[0] is None else min(acc[0], value)
            acc[1] = value if acc[1] is None else max(acc[1], value)

        def get_value(self, acc):
            return acc[1] - acc[0]

    t_env, _, data, late = stream_table()
    t_env.create_temporary_function("spread", udaf(Spread(), result_type=DataTypes.BIGINT()))
    got = {(as_millis(r.window_start), r.user): r.s for r in t_env.execute_sql(
        "SELECT window_start, `user`, spread(amount) AS s FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(rowtime), "
        "INTERVAL '10' SECOND)) GROUP BY window_start, window_end, `user`").collect()}
    groups = {}
    for i, (user, amount, ts) in enumerate(data):
        if i not in late:
            groups.setdefault((ts - ts % 10_000, user), []).append(amount)
    assert got == {k: max(v) - min(v) for k, v in groups.items()}


class WeightedAvg(AggregateFunction):
    """PyFlink's docs example: a weighted average with retract and merge."""

    def create_accumulator(self):
        return [0, 0]

    def accumulate(self, accumulator, value, weight):
        accumulator[0] += value * weight
        accumulator[1] += weight

    def retract(self, accumulator, value, weight):
        accumulator[0] -= value * weight
        accumulator[1] -= weight

    def get_value(self, accumulator):
        return None if accumulator[1] == 0 else accumulator[0] / accumulator[1]


@pytest.mark.parametrize("mode", ["streaming", "batch"])
def test_python_aggregates_in_a_group_by(mode):
    from table_testing import final_rows

    settings = EnvironmentSettings.in_streaming_mode() if mode == "streaming" else EnvironmentSettings.in_batch_mode()
    t_env = TableEnvironment.create(settings)
    rows = [(f"k{i % 4}", i % 7 + 1, i % 3 + 1) for i in range(120)]
    t_env.create_temporary_view("t", t_env.from_pandas(pd.DataFrame(rows, columns=["k", "v", "w"]), splits_num=12))
    t_env.create_temporary_function("wavg", udaf(WeightedAvg(), result_type=DataTypes.DOUBLE()))
    t_env.create_temporary_function("spread", udaf(lambda v: float(v.max() - v.min()),
                                                   result_type=DataTypes.DOUBLE(), func_type="pandas"))
    result = list(t_env.execute_sql("SELECT k, wavg(v, w) AS a, spread(v) AS s, COUNT(*) AS n FROM t GROUP BY k")
                  .collect())
    expected = {}
    for key in {r[0] for r in rows}:
        group = [r for r in rows if r[0] == key]
        expected[(key, sum(v * w for _, v, w in group) / sum(w for _, _, w in group),
                  float(max(v for _, v, _ in group) - min(v for _, v, _ in group)), len(group))] = 1
    got = final_rows(result)
    assert {(k, round(a, 9), s, n): c for (k, a, s, n), c in got.items()} == \
        {(k, round(a, 9), s, n): c for (k, a, s, n), c in expected.items()}
    if mode == "batch":
        assert {str(r.get_row_kind()) for r in result} == {"+I"}


def test_python_aggregate_consumes_retractions():
    # A UDAF over an updating input (a per-user total) must retract the old totals.
    from table_testing import final_rows

    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    rows = [(f"u{i % 5}", i % 3 + 1) for i in range(60)]
    t_env.create_temporary_view("t", t_env.from_pandas(pd.DataFrame(rows, columns=["u", "w"]), splits_num=10))
    t_env.create_temporary_function("wavg", udaf(WeightedAvg(), result_type=DataTypes.DOUBLE()))
    result = t_env.execute_sql("SELECT wavg(total, 1) AS mean FROM (SELECT u, SUM(w) AS total FROM t GROUP BY u) AS s")
    totals = {}
    for u, w in rows:
        totals[u] = totals.get(u, 0) + w
    assert final_rows(result.collect()) == {(sum(totals.values()) / len(totals),): 1}
