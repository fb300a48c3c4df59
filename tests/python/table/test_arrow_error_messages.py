"""Failures of SQL expressions on bad data, as the user meets them: the message names the
column (or the WHERE condition), says what failed in SQL words (a CAST of 'abc' to INT, a
division by zero) and what to do, and shows none of Arrow's internals (class names such as
ArrowInvalid, type names such as int32, kernel names, the cast options). The behaviours are
Flink 2's: CAST of a bad string fails the job, TRY_CAST gives NULL, an integer divided by
zero fails, a double divided by zero is Infinity, integer + and * wrap around as Java's."""

import re

import pytest

from fluvial.errors import JobExecutionError, UserFunctionError
from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import col
from fluvial.table.udf import udf

ARROW_INTERNALS = re.compile(r"Arrow|pyarrow|\bint(8|16|32|64)\b|\bdouble\b|timestamp\[|date32|decimal128|"
                             r"cast_|allow_int_overflow|to_type=|\{|scalar of type")


@pytest.fixture(params=["streaming", "batch"])
def t_env(request):
    settings = (EnvironmentSettings.in_streaming_mode() if request.param == "streaming"
                else EnvironmentSettings.in_batch_mode())
    t_env = TableEnvironment.create(settings)
    t_env.create_temporary_view("v", t_env.from_elements(
        [("12", 2147483647, 0, "2024-01-02 03:04:05", 5.0), ("abc", 7, 0, "2024-13-45 00:00:00", 1.5)],
        ["s", "big", "zero", "ts", "d"]))
    return t_env


def failure(t_env, query) -> str:
    with pytest.raises(JobExecutionError) as error:
        list(t_env.execute_sql(query).collect())
    assert not isinstance(error.value, UserFunctionError), "Fluvial's own failure blamed on a user function"
    message = str(error.value)
    assert not ARROW_INTERNALS.search(message), message
    return message


@pytest.mark.parametrize("target, shown", [("INT", "INT"), ("BIGINT", "BIGINT"), ("DOUBLE", "DOUBLE"),
                                           ("DECIMAL(5, 2)", "DECIMAL")])
def test_a_cast_of_a_bad_string_names_the_column_value_and_try_cast(t_env, target, shown):
    message = failure(t_env, f"SELECT s, CAST(s AS {target}) AS n FROM v")
    assert f"computing column 'n' failed: cannot CAST 'abc' to {shown}: it is not a valid {shown}" in message, message
    assert f"use TRY_CAST(... AS {shown}) to get NULL for such values" in message


def test_try_cast_gives_null_for_the_bad_string(t_env):
    got = sorted(tuple(r) for r in t_env.execute_sql("SELECT s, TRY_CAST(s AS INT) FROM v").collect())
    assert got == [("12", 12), ("abc", None)]


def test_a_bad_timestamp_string_names_the_column(t_env):
    message = failure(t_env, "SELECT CAST(ts AS TIMESTAMP(3)) AS t FROM v")
    assert "computing column 't' failed: cannot CAST '2024-13-45 00:00:00' to TIMESTAMP(3)" in message


def test_a_bad_boolean_and_date(t_env):
    # (which bad value Arrow reports first is its own: either names a value of the column)
    assert re.search(r"computing column 'b' failed: cannot CAST '(12|abc)' to BOOLEAN: it is not TRUE or FALSE",
                     failure(t_env, "SELECT CAST(s AS BOOLEAN) AS b FROM v"))
    assert re.search(r"computing column 'b' failed: cannot CAST '(12|abc)' to DATE",
                     failure(t_env, "SELECT CAST(s AS DATE) AS b FROM v"))


def test_a_failing_where_condition_is_named(t_env):
    message = failure(t_env, "SELECT s FROM v WHERE CAST(s AS INT) > 1")
    assert "computing the WHERE condition failed: cannot CAST 'abc' to INT" in message


def test_an_integer_division_by_zero_fails_naming_the_column(t_env):
    message = failure(t_env, "SELECT big / zero AS ratio FROM v")
    assert "computing column 'ratio' failed: division by zero" in message
    assert "NULLIF(divisor, 0)" in message


def test_a_double_division_by_zero_is_infinity(t_env):
    got = sorted(r[0] for r in t_env.execute_sql("SELECT d / zero FROM v").collect())
    assert got == [float("inf"), float("inf")]


def test_a_narrowing_cast_out_of_range_names_the_range(t_env):
    message = failure(t_env, "SELECT CAST(big AS TINYINT) AS small FROM v")
    assert "computing column 'small' failed: cannot CAST 2147483647 to TINYINT: it is out of its range " \
           "(-128 to 127)" in message


def test_a_python_udf_error_is_still_the_users(t_env):
    @udf(result_type=DataTypes.INT())
    def parse(s):
        return int(s)

    with pytest.raises(UserFunctionError, match=r"the user function in operator 'PythonCalc\(parse\)' .*raised "
                                                 r"ValueError: invalid literal for int\(\)"):
        t_env.from_path("v").select(parse(col("s"))).to_pandas()


def test_arrow_messages_are_rewritten():
    from fluvial._arrow_messages import rewrite

    assert rewrite("pyarrow.lib.ArrowInvalid: Invalid UTF8 payload") == "the bytes are not valid UTF-8 text"
    assert rewrite("Function 'cast_int32' has no kernel matching input types (list<item: int64>)") == \
        "cannot CAST a value of type ARRAY<BIGINT> to INT"
    assert rewrite("Float value 2.700000 was truncated converting to int32") == \
        "2.700000 has a fraction, so it is not INT; round it first (ROUND, FLOOR)"
    assert rewrite("overflow") == ("integer overflow: the result does not fit its type; CAST an operand to BIGINT "
                                   "or DECIMAL first")
    assert rewrite("a message Arrow did not write") == "a message Arrow did not write"


def test_a_cast_that_cannot_be_planned_names_the_column(t_env):
    from fluvial.table.expressions import PlanningError

    with pytest.raises(PlanningError) as error:
        t_env.execute_sql("SELECT s || CAST(ARRAY[1, 2] AS STRING) AS joined FROM v")
    assert str(error.value) == "column 'joined': cannot CAST a value of type ARRAY<BIGINT> to STRING"


def test_from_elements_refuses_a_float_for_an_integer_column(t_env):
    schema = DataTypes.ROW([DataTypes.FIELD("x", DataTypes.INT())])
    with pytest.raises(TypeError, match=r"column 'x' does not fit INT: 2.7 is a float, and Fluvial does not "
                                        r"truncate a float into an integer"):
        t_env.from_elements([(2.7,)], schema)
    with pytest.raises(TypeError, match=r"column 'x' does not fit INT: 'a' \(a Python str\) is not INT$"):
        t_env.from_elements([("a",)], schema)


def test_an_arrow_error_in_fluvials_own_python_step_is_not_the_users():
    import os

    import fluvial
    from fluvial.datastream._job import raise_failure

    # An Arrow error raised by code in Fluvial's package (as a Python table step's conversion
    # would be), with no user code on the traceback.
    # It is caught there too, as the engine catches it in C++: the traceback holds no test frame.
    source = ("import pyarrow as pa\n"
              "def convert():\n    pa.array(['x']).cast(pa.int32())\n"
              "def caught():\n    try:\n        convert()\n    except Exception as error:\n        return error\n")
    namespace = {}
    exec(compile(source, os.path.join(os.path.dirname(fluvial.__file__), "table", "a_step.py"), "exec"), namespace)
    arrow_error = namespace["caught"]()
    with pytest.raises(JobExecutionError) as raised:
        raise_failure(("python", "operator 'Calc' (subtask 1/1)", "", arrow_error))
    assert not isinstance(raised.value, UserFunctionError)
    assert str(raised.value) == ("operator 'Calc' (subtask 1/1) failed: cannot CAST 'x' to INT: it is not a valid "
                                 "INT (Flink's CAST fails too); use TRY_CAST(... AS INT) to get NULL for such values")
    assert raised.value.__cause__ is arrow_error
