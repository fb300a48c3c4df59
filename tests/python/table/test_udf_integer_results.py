"""A Python function declared to return an integer type that returns a float: the job fails,
naming the function, the value and the declared type, instead of writing 2 for 2.7.

As PyFlink: general functions (UDF, UDTF, UDAF, table aggregates, map) must return ints, even
2.0 is refused (PyFlink's coders pack an integer result with struct.pack, which refuses every
float); a pandas UDF's float Series is converted when its values are integral (as PyFlink's
safe Arrow conversion does) and refused when one is not."""

from collections import Counter

import pandas as pd
import pytest

from fluvial.common import Row
from fluvial.errors import JobExecutionError, OutputTypeError
from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import col
from fluvial.table.udf import AggregateFunction, TableAggregateFunction, udaf, udf, udtaf, udtf

PRICES = [("apple", 2.7), ("pear", 1.0), ("plum", 4.5)]


@pytest.fixture(params=["streaming", "batch"])
def t_env(request):
    settings = (EnvironmentSettings.in_streaming_mode() if request.param == "streaming"
                else EnvironmentSettings.in_batch_mode())
    t_env = TableEnvironment.create(settings)
    t_env.create_temporary_view("prices", t_env.from_elements(PRICES, ["item", "price"]))
    return t_env


def failure(run) -> str:
    with pytest.raises(JobExecutionError) as error:
        run()
    cause = error.value.__cause__
    assert isinstance(cause, OutputTypeError), repr(cause)
    message = str(error.value)
    assert "Arrow" not in message and "int32" not in message and "int64" not in message, message
    return message


@pytest.mark.parametrize("declared", ["INT", "BIGINT", "SMALLINT", "TINYINT"])
def test_a_general_udf_returning_a_float_fails(t_env, declared):
    t_env.create_temporary_function("as_count", udf(lambda price: price, result_type=getattr(DataTypes, declared)()))
    message = failure(lambda: list(t_env.execute_sql("SELECT as_count(price) FROM prices").collect()))
    assert f"function '<lambda>' returned 2.7 (float) which is not of its declared result type {declared}" in message \
        or f"function 'as_count' returned 2.7 (float) which is not of its declared result type {declared}" in message
    assert "(Fluvial does not truncate a float into an integer); return an int (round(x) or int(x), as " \
           "intended), or declare a DOUBLE result" in message


def test_an_integral_float_is_refused_too_as_pyflink_does(t_env):
    @udf(result_type=DataTypes.BIGINT())
    def whole(price):
        return float(round(price))

    message = failure(lambda: t_env.from_path("prices").select(whole(col("price"))).to_pandas())
    assert "function 'whole' returned 3.0 (float) which is not of its declared result type BIGINT" in message


def test_an_int_result_is_written_as_before(t_env):
    @udf(result_type=DataTypes.INT())
    def cents(price):
        return round(price * 100)

    got = t_env.from_path("prices").select(col("item"), cents(col("price"))).to_pandas()
    assert [tuple(r) for r in got.itertuples(index=False)] == [(i, round(p * 100)) for i, p in PRICES]


def test_a_pandas_udf_with_fractions_fails(t_env):
    @udf(result_type=DataTypes.INT(), func_type="pandas")
    def halve(price):
        return price / 2

    message = failure(lambda: t_env.from_path("prices").select(halve(col("price"))).to_pandas())
    assert "function 'halve' returned 1.35 (float) which is not of its declared result type INT" in message


def test_a_pandas_udf_with_integral_floats_is_converted(t_env):
    @udf(result_type=DataTypes.BIGINT(), func_type="pandas")
    def floor(price):
        return price // 1  # a float Series of integral values

    got = t_env.from_path("prices").select(floor(col("price"))).to_pandas()
    assert list(got.iloc[:, 0]) == [int(p // 1) for _, p in PRICES]


def test_a_table_function_yielding_a_float_fails(t_env):
    @udtf(result_types=[DataTypes.STRING(), DataTypes.INT()])
    def split_price(item, price):
        yield item, price

    message = failure(lambda: t_env.from_path("prices")
                      .join_lateral(split_price(col("item"), col("price")).alias("name", "whole"))
                      .select(col("name"), col("whole")).to_pandas())
    assert "function 'split_price' returned 2.7 (float) for field 'whole', which is not of its declared type INT" \
        in message


def test_a_map_returning_a_float_fails(t_env):
    @udf(result_type=DataTypes.ROW([DataTypes.FIELD("item", DataTypes.STRING()),
                                    DataTypes.FIELD("units", DataTypes.BIGINT())]))
    def units(row):
        return Row(row.item, row.price * 2)

    message = failure(lambda: t_env.from_path("prices").map(units).to_pandas())
    assert "function 'units' returned 5.4 (float) for field 'units', which is not of its declared type BIGINT" \
        in message


class Total(AggregateFunction):
    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, value):
        accumulator[0] += value

    def get_value(self, accumulator):
        return accumulator[0]


def test_a_general_aggregate_returning_a_float_fails(t_env):
    t_env.create_temporary_function("total", udaf(Total(), result_type=DataTypes.BIGINT()))
    message = failure(lambda: list(t_env.execute_sql("SELECT item, total(price) AS t FROM prices GROUP BY item")
                                   .collect()))
    assert "function 'Total' returned 2.7 (float), which is not of its declared type BIGINT" in message


def test_a_pandas_aggregate_returning_a_fraction_fails(t_env):
    t_env.create_temporary_function("mean", udaf(lambda v: v.mean(), result_type=DataTypes.INT(), func_type="pandas"))
    message = failure(lambda: list(t_env.execute_sql("SELECT item, mean(price) AS m FROM prices GROUP BY item")
                                   .collect()))
    assert "function '<lambda>' returned 2.7 (float), which is not of its declared type INT" in message


def test_a_general_aggregate_returning_ints_gives_the_sums(t_env):
    t_env.create_temporary_function("total", udaf(Total(), result_type=DataTypes.BIGINT()))
    rows = [(f"k{i % 3}", i) for i in range(30)]
    t_env.create_temporary_view("numbers", t_env.from_pandas(pd.DataFrame(rows, columns=["k", "v"]), splits_num=3))
    got = t_env.sql_query("SELECT k, total(v) AS t FROM numbers GROUP BY k").to_pandas()
    reference = Counter()
    for k, v in rows:
        reference[k] += v
    assert dict(zip(got["k"], got["t"])) == dict(reference)


class Largest(TableAggregateFunction):
    def create_accumulator(self):
        return []

    def accumulate(self, accumulator, value):
        accumulator.append(value)

    def emit_value(self, accumulator):
        yield Row(max(accumulator))

    def get_result_type(self):
        return DataTypes.ROW([DataTypes.FIELD("largest", DataTypes.BIGINT())])


def test_a_table_aggregate_emitting_a_float_fails(t_env):
    largest = udtaf(Largest())
    message = failure(lambda: t_env.from_path("prices").group_by(col("item"))
                      .flat_aggregate(largest(col("price"))).select(col("*")).to_pandas())
    assert "returned 2.7 (float) for field 'largest', which is not of its declared type BIGINT" in message


def test_nested_integers_are_checked():
    import pyarrow as pa

    from fluvial.table._integer_results import first_float

    assert first_float([[1, 2], [3, 4.5]], pa.list_(pa.int32())) == (4.5,)
    assert first_float([{"a": 1, "b": 2.0}], pa.struct([("a", pa.int8()), ("b", pa.int64())])) == (2.0,)
    assert first_float([[1, 2], None, [3]], pa.list_(pa.int32())) is None
    assert first_float([1.5], pa.float64()) is None


def test_a_window_aggregate_result_is_checked_the_same_way():
    # Window aggregations call the function per window through _aggregate_groups.
    import pyarrow as pa

    total = udaf(Total(), result_type=DataTypes.BIGINT())
    values = pa.array([1.5, 2.0, 3.0])
    assert total._aggregate_groups([pa.array([1, 2, 3])], [0, 0, 1], 2).to_pylist() == [3, 3]
    with pytest.raises(OutputTypeError, match=r"function 'Total' returned 3.5 \(float\) which is not of its "
                                              r"declared result type BIGINT"):
        total._aggregate_groups([values], [0, 0, 1], 2)
