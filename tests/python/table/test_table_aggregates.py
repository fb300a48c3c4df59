"""Row-based aggregations of the Table API: flat_aggregate with table aggregate
functions (udtaf) and aggregate with aggregate functions returning rows (general
and pandas, grouped and windowed), checked against plain-Python references."""

import datetime
import math
import random
from collections import Counter, defaultdict

import pytest
from table_testing import final_rows

from fluvial import cli
from fluvial.common import Row, RowKind, Types
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.table import (
    DataTypes,
    EnvironmentSettings,
    Schema,
    StreamTableEnvironment,
    TableEnvironment,
    col,
    lit,
)
from fluvial.table.expressions import PlanningError, call
from fluvial.table.udf import AggregateFunction, TableAggregateFunction, udaf, udf, udtaf
from fluvial.table.window import Tumble

TOP2_EXAMPLE = '''
from pyflink.common import Row
from pyflink.table import DataTypes, TableEnvironment, EnvironmentSettings
from pyflink.table.udf import udtaf, TableAggregateFunction

class Top2(TableAggregateFunction):

    def emit_value(self, accumulator):
        yield Row(accumulator[0])
        yield Row(accumulator[1])

    def create_accumulator(self):
        return [None, None]

    def accumulate(self, accumulator, row):
        if row[0] is not None:
            if accumulator[0] is None or row[0] > accumulator[0]:
                accumulator[1] = accumulator[0]
                accumulator[0] = row[0]
            elif accumulator[1] is None or row[0] > accumulator[1]:
                accumulator[1] = row[0]

    def get_accumulator_type(self):
        return DataTypes.ARRAY(DataTypes.BIGINT())

    def get_result_type(self):
        return DataTypes.ROW(
            [DataTypes.FIELD("a", DataTypes.BIGINT())])


env_settings = EnvironmentSettings.in_streaming_mode()
table_env = TableEnvironment.create(env_settings)
# the result type and accumulator type can also be specified in the udtaf decorator:
# top2 = udtaf(Top2(), result_type=..., accumulator_type=...)  (the docs' comment, shortened to the line limit)
top2 = udtaf(Top2())
t = table_env.from_elements([(1, 'Hi', 'Hello'),
                              (3, 'Hi', 'hi'),
                              (5, 'Hi2', 'hi'),
                              (7, 'Hi', 'Hello'),
                              (2, 'Hi', 'Hello')], ['a', 'b', 'c'])

# call function "inline" without registration in Table API
result = t.group_by(t.b).flat_aggregate(top2).select('*').to_pandas()
print(result)
'''


def test_pyflink_top2_example_runs_verbatim(tmp_path, capsys):
    job = tmp_path / "top2.py"
    job.write_text(TOP2_EXAMPLE)
    assert cli.main(["run", str(job)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split() == ["b", "a"]
    rows = Counter((line.split()[1], line.split()[2]) for line in lines[1:])
    # As PyFlink's docs print it: the missing second value of Hi2 is NaN in pandas.
    assert rows == Counter({("Hi2", "5.0"): 1, ("Hi2", "NaN"): 1, ("Hi", "7.0"): 1, ("Hi", "3.0"): 1})


class Top2(TableAggregateFunction):
    """The two largest values, with their rank; retract removes a value."""

    def create_accumulator(self):
        return Counter()

    def accumulate(self, accumulator, value):
        accumulator[value] += 1

    def retract(self, accumulator, value):
        accumulator[value] -= 1
        if accumulator[value] == 0:
            del accumulator[value]

    def emit_value(self, accumulator):
        ordered = sorted(accumulator.elements(), reverse=True)[:2]
        for rank, value in enumerate(ordered, 1):
            yield Row(value, rank)

    def get_result_type(self):
        return DataTypes.ROW([DataTypes.FIELD("v", DataTypes.BIGINT()), DataTypes.FIELD("rank", DataTypes.INT())])


def top2_reference(values):
    return [(v, rank) for rank, v in enumerate(sorted(values, reverse=True)[:2], 1)]


def keyed_values(seed=5, count=300, keys=("a", "b", "c", "d")):
    rng = random.Random(seed)
    return [(rng.choice(keys), rng.randint(-50, 50)) for _ in range(count)]


def test_flat_aggregate_streaming_changelog_is_flinks():
    # Per input row: the group's earlier rows are retracted (-D), then the new ones inserted (+I).
    data = keyed_values()
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t = t_env.from_elements(data, ["k", "x"])
    top2 = udtaf(Top2())
    result = t.group_by(col("k")).flat_aggregate(top2(col("x")).alias("top", "rank")) \
        .select(col("k"), col("top"), col("rank"))
    rows = list(result.execute().collect())
    expected = defaultdict(list)
    seen = defaultdict(list)
    for key, value in data:
        expected[key] += [("-D", key, v, r) for v, r in top2_reference(seen[key])]
        seen[key].append(value)
        expected[key] += [("+I", key, v, r) for v, r in top2_reference(seen[key])]
    got = defaultdict(list)
    for row in rows:
        got[row.k].append((row.get_row_kind().short_string(), row.k, row.top, row.rank))
    assert dict(got) == dict(expected)
    assert result.get_schema().get_field_names() == ["k", "top", "rank"]


def test_flat_aggregate_batch_emits_final_rows_only():
    data = keyed_values(seed=8)
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t = t_env.from_elements(data, ["k", "x"])
    rows = list(t.group_by(col("k")).flat_aggregate(udtaf(Top2())(col("x"))).select("*").execute().collect())
    assert {r.get_row_kind() for r in rows} == {RowKind.INSERT}
    by_key = defaultdict(list)
    for key, value in data:
        by_key[key].append(value)
    assert Counter(tuple(r) for r in rows) == Counter((k, v, rank) for k, values in by_key.items()
                                                      for v, rank in top2_reference(values))


def test_flat_aggregate_without_keys_and_whole_row_input():
    class Extremes(TableAggregateFunction):
        def create_accumulator(self):
            return []

        def accumulate(self, accumulator, row):
            accumulator.append(row.x * 10 + len(row.k))

        def emit_value(self, accumulator):
            yield min(accumulator)
            yield max(accumulator)

    data = keyed_values(seed=2, count=50)
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    extremes = udtaf(Extremes(), result_type=DataTypes.BIGINT())
    rows = list(t_env.from_elements(data, ["k", "x"]).flat_aggregate(extremes.alias("e")).select(col("e"))
                .execute().collect())
    values = [x * 10 + len(k) for k, x in data]
    assert final_rows(rows) == Counter({(min(values),): 1, (max(values),): 1})


def test_flat_aggregate_over_a_retracting_input():
    # SUM per (k, sub) is an updating table; Top2 per k over it consumes its -U/+U.
    rng = random.Random(4)
    data = [(rng.choice("ab"), rng.randint(0, 5), rng.randint(1, 20)) for _ in range(200)]
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t = t_env.from_elements(data, ["k", "sub", "x"])
    sums = t.group_by(col("k"), col("sub")).select(col("k"), col("x").sum.alias("total"))
    rows = list(sums.group_by(col("k")).flat_aggregate(udtaf(Top2())(col("total"))).select("*").execute().collect())
    assert any(r.get_row_kind() == RowKind.DELETE for r in rows)
    totals = defaultdict(int)
    for k, sub, x in data:
        totals[(k, sub)] += x
    per_key = defaultdict(list)
    for (k, _), total in totals.items():
        per_key[k].append(total)
    expected = Counter((k, v, rank) for k, values in per_key.items() for v, rank in top2_reference(values))
    assert final_rows(rows) == expected


def test_flat_aggregate_of_a_registered_function_called_by_name():
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.create_temporary_function("top2", udtaf(Top2()))
    data = keyed_values(seed=3, count=60)
    t = t_env.from_elements(data, ["k", "x"])
    rows = t.group_by(col("k")).flat_aggregate(call("top2", col("x")).alias("best", "place")) \
        .select(col("k"), col("best"), col("place")).execute().collect()
    by_key = defaultdict(list)
    for key, value in data:
        by_key[key].append(value)
    assert Counter(tuple(r) for r in rows) == Counter((k, v, rank) for k, values in by_key.items()
                                                      for v, rank in top2_reference(values))


class CountAndSum(AggregateFunction):
    """PyFlink's row-based aggregate example: count and sum of the row's column 1."""

    def get_value(self, accumulator):
        return Row(accumulator[0], accumulator[1])

    def create_accumulator(self):
        return Row(0, 0)

    def accumulate(self, accumulator, *args):
        accumulator[0] += 1
        accumulator[1] += args[0][1]

    def retract(self, accumulator, *args):
        accumulator[0] -= 1
        accumulator[1] -= args[0][1]

    def get_result_type(self):
        return DataTypes.ROW([DataTypes.FIELD("a", DataTypes.BIGINT()), DataTypes.FIELD("b", DataTypes.BIGINT())])


def test_aggregate_with_a_row_result_general(t_env):
    function = CountAndSum()
    agg = udaf(function, result_type=function.get_result_type(), name="CountAndSum")
    data = [(1, 2), (2, 1), (1, 3)] + [(i % 4, i) for i in range(40)]
    t = t_env.from_elements(data, ["a", "b"])
    result = t.group_by(col("a")).aggregate(agg.alias("c", "d")).select(col("a"), col("c"), col("d"))
    expected = Counter()
    groups = defaultdict(list)
    for a, b in data:
        groups[a].append(b)
    expected = Counter((a, len(bs), sum(bs)) for a, bs in groups.items())
    assert final_rows(result.execute().collect()) == expected


def test_aggregate_with_a_call_and_star_expansion(t_env):
    class MinMax(AggregateFunction):
        def create_accumulator(self):
            return []

        def accumulate(self, accumulator, value, weight):
            accumulator.append(value * weight)

        def get_value(self, accumulator):
            return Row(min(accumulator), max(accumulator))

    min_max = udaf(MinMax(), result_type=DataTypes.ROW([DataTypes.FIELD("low", DataTypes.BIGINT()),
                                                        DataTypes.FIELD("high", DataTypes.BIGINT())]))
    data = [(k, v, w) for k in "xyz" for v, w in ((1, 2), (5, -1), (3, 3))] + [("x", 9, 1)]
    t = t_env.from_elements(data, ["k", "v", "w"])
    result = t.group_by(col("k")).aggregate(min_max(col("v"), col("w"))).select(col("*"))
    assert result.get_schema().get_field_names() == ["k", "low", "high"]
    groups = defaultdict(list)
    for k, v, w in data:
        groups[k].append(v * w)
    assert final_rows(result.execute().collect()) == Counter((k, min(p), max(p)) for k, p in groups.items())


def test_aggregate_with_a_pandas_row_result_pyflink_example():
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t = t_env.from_elements([(1, 2), (2, 1), (1, 3)], ['a', 'b'])
    pandas_udaf = udaf(lambda pd: (pd.b.mean(), pd.b.max()),
                       result_type=DataTypes.ROW([DataTypes.FIELD("a", DataTypes.FLOAT()),
                                                  DataTypes.FIELD("b", DataTypes.INT())]),
                       func_type="pandas")
    frame = t.aggregate(pandas_udaf.alias("a", "b")).select(col('a'), col('b')).to_pandas()
    assert frame.values.tolist() == [[2.0, 3]]


def test_grouped_pandas_aggregate_with_row_result(t_env):
    rng = random.Random(6)
    data = [(rng.choice("pq"), rng.random()) for _ in range(100)]
    spread = udaf(lambda frame: Row(frame.x.min(), frame.x.max() - frame.x.min(), len(frame)),
                  result_type=DataTypes.ROW([DataTypes.FIELD("low", DataTypes.DOUBLE()),
                                             DataTypes.FIELD("width", DataTypes.DOUBLE()),
                                             DataTypes.FIELD("n", DataTypes.BIGINT())]),
                  func_type="pandas")
    t = t_env.from_elements(data, ["k", "x"])
    rows = final_rows(t.group_by(col("k")).aggregate(spread).select(col("k"), col("low"), col("width"), col("n"))
                      .execute().collect())
    groups = defaultdict(list)
    for k, x in data:
        groups[k].append(x)
    expected = {(k, min(xs), max(xs) - min(xs), len(xs)) for k, xs in groups.items()}
    got = {(k, low, width, n) for (k, low, width, n), count in rows.items() for _ in range(count)}
    assert len(got) == len(expected)
    for row in expected:
        assert any(row[0] == g[0] and row[3] == g[3] and math.isclose(row[1], g[1]) and math.isclose(row[2], g[2])
                   for g in got)


def windowed_events(seed=9, count=400):
    rng = random.Random(seed)
    start = datetime.datetime(2024, 1, 1)
    rows = []
    for i in range(count):
        ts = start + datetime.timedelta(milliseconds=i * 250)
        rows.append((rng.choice(["u1", "u2", "u3"]), rng.randint(1, 100), ts))
    return rows


@pytest.mark.parametrize("kind", ["general", "pandas"])
def test_window_aggregate_with_row_results(kind):
    data = windowed_events()
    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    ds = env.from_collection([Row(user=u, v=v, ts=ts) for u, v, ts in data],
                             type_info=Types.ROW_NAMED(["user", "v", "ts"],
                                                       [Types.STRING(), Types.LONG(), Types.SQL_TIMESTAMP()]))
    t = t_env.from_data_stream(ds, Schema.new_builder().watermark("ts", "ts - INTERVAL '1' SECOND").build())
    result_type = DataTypes.ROW([DataTypes.FIELD("total", DataTypes.BIGINT()),
                                 DataTypes.FIELD("high", DataTypes.BIGINT())])
    if kind == "pandas":
        function = udaf(lambda v: Row(v.sum(), v.max()), result_type=result_type, func_type="pandas")
    else:
        class SumMax(AggregateFunction):
            def create_accumulator(self):
                return [0, None]

            def accumulate(self, accumulator, value):
                accumulator[0] += value
                accumulator[1] = value if accumulator[1] is None else max(accumulator[1], value)

            def get_value(self, accumulator):
                return Row(total=accumulator[0], high=accumulator[1])

        function = udaf(SumMax(), result_type=result_type)
    windowed = t.window(Tumble.over(lit(10).seconds).on(col("ts")).alias("w")).group_by(col("w"), col("user"))
    result = windowed.aggregate(function(col("v")).alias("s", "m")) \
        .select(col("user"), col("w").start.alias("ws"), col("w").end.alias("we"), col("s"), col("m"))
    rows = list(result.execute().collect())
    expected = defaultdict(list)
    for user, v, ts in data:
        window_start = ts.replace(second=ts.second - ts.second % 10, microsecond=0)
        expected[(user, window_start)].append(v)
    got = {(r.user, r.ws.replace(tzinfo=None) if hasattr(r.ws, "replace") else r.ws): (r.s, r.m,
                                                                                       r.we - r.ws)
           for r in rows}
    assert len(got) == len(rows)
    assert got == {key: (sum(vs), max(vs), datetime.timedelta(seconds=10)) for key, vs in expected.items()}


# -- errors ---------------------------------------------------------------------------------


class Pair(TableAggregateFunction):
    def create_accumulator(self):
        return []

    def accumulate(self, accumulator, value):
        accumulator.append(value)

    def emit_value(self, accumulator):
        yield Row(len(accumulator), sum(accumulator))

    def get_result_type(self):
        return DataTypes.ROW([DataTypes.FIELD("n", DataTypes.BIGINT()), DataTypes.FIELD("s", DataTypes.BIGINT())])


@pytest.fixture
def small():
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    return t_env, t_env.from_elements([("a", 1), ("b", 2)], ["k", "x"])


def test_udtaf_with_wrong_arity_names_the_function(small):
    _, t = small
    with pytest.raises(PlanningError, match=r"function 'Pair': accumulate\(\) takes 1 argument\(s\).*passes 2"):
        t.group_by(col("k")).flat_aggregate(udtaf(Pair())(col("x"), col("x")))


def test_udtaf_in_select_is_refused_naming_it(small):
    t_env, t = small
    pair = udtaf(Pair())
    with pytest.raises(PlanningError, match="'Pair' is a table aggregate function: use it in flat_aggregate"):
        t.select(pair(col("x")))
    t_env.create_temporary_function("pair", pair)
    with pytest.raises(PlanningError, match="'Pair' is a table aggregate function"):
        t.group_by(col("k")).select(col("k"), call("pair", col("x")))


def test_wrong_function_kinds_and_aliases_are_refused(small):
    _, t = small
    pair = udtaf(Pair())
    with pytest.raises(PlanningError, match="aggregate takes an aggregate function .* 'Pair' is not one; use "
                                            "flat_aggregate"):
        t.group_by(col("k")).aggregate(pair(col("x")))
    plus = udf(lambda v: v + 1, result_type=DataTypes.BIGINT(), name="plus")
    with pytest.raises(PlanningError, match="flat_aggregate takes a table aggregate function .* 'plus' is not one"):
        t.flat_aggregate(plus(col("x")))
    with pytest.raises(PlanningError, match=r"'Pair' returns 2 column\(s\) \(n, s\), but 1 alias"):
        t.flat_aggregate(pair(col("x")).alias("only"))
    with pytest.raises(PlanningError, match=r"'Pair': its column\(s\) \['n'\] clash with the group keys"):
        t.group_by(col("x").alias("n")).flat_aggregate(pair(col("x")))
    with pytest.raises(PlanningError, match="flat_aggregate takes a user-defined function or a call of one"):
        t.flat_aggregate(col("x"))
    with pytest.raises(PlanningError, match="cannot hold aggregate functions"):
        t.flat_aggregate(pair(col("x"))).select(col("n").sum)


def test_udtaf_without_retract_over_updating_input_is_refused(small):
    _, t = small
    sums = t.group_by(col("k")).select(col("k"), col("x").sum.alias("total"))
    with pytest.raises(PlanningError, match="'Pair' consumes an updating input, so it must define retract"):
        sums.flat_aggregate(udtaf(Pair())(col("total")))


def test_udtaf_emitting_a_row_of_the_wrong_width_fails_naming_it(small):
    class Bad(Pair):
        def emit_value(self, accumulator):
            yield Row(1, 2, 3)

    _, t = small
    with pytest.raises(Exception, match=r"table aggregate function 'Bad' emitted .*expected 2 value\(s\) \(n, s\)"):
        list(t.flat_aggregate(udtaf(Bad())(col("x"))).select("*").execute().collect())


def test_udtaf_needs_a_result_type_and_an_instance():
    class Untyped(TableAggregateFunction):
        pass

    with pytest.raises(TypeError, match="'Untyped' needs a result type"):
        udtaf(Untyped())
    with pytest.raises(TypeError, match="udtaf\\(\\) needs a TableAggregateFunction instance"):
        udtaf(lambda x: x, result_type=DataTypes.BIGINT())
    with pytest.raises(ValueError, match="only func_type='general'"):
        udtaf(Pair(), func_type="pandas")
