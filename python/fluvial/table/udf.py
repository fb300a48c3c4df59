"""Python user-defined functions for the Table API and SQL: scalar functions
(per row, or vectorized over pandas Series), table functions and aggregate
functions, with PyFlink's names.

General scalar functions are called once per row with Python values; pandas
functions once per batch with whole columns (Arrow → pandas without a copy
where the type allows). Every result is checked against the declared type.

Examples:
    >>> from fluvial.table import DataTypes
    >>> from fluvial.table.udf import udf
    >>> add_one = udf(lambda x: x + 1, result_type=DataTypes.BIGINT())
    >>> add_one._evaluate([__import__("pyarrow").array([1, 2])]).to_pylist()
    [2, 3]
"""

import abc
import functools
import inspect
from typing import Any, Callable, Dict, List, Optional

import pyarrow as pa

from fluvial._arrow_messages import rewrite
from fluvial.errors import OutputTypeError
from fluvial.table._integer_results import FLOAT_ADVICE, FLOAT_REASON, first_float
from fluvial.table.expressions import UdfCall, _wrap
from fluvial.table.types import DataType


class FunctionContext:
    """What ``open()`` of a user-defined function can read: metrics and job parameters.

    Examples:
        >>> from fluvial.table.udf import FunctionContext
        >>> FunctionContext({"model": "v2"}).get_job_parameter("model", "v1")
        'v2'
    """

    def __init__(self, job_parameters: Optional[Dict[str, str]] = None):
        self._job_parameters = job_parameters or {}

    def get_metric_group(self):
        from fluvial.datastream.connectors.metrics import SourceReaderMetricGroup

        return SourceReaderMetricGroup()

    def get_job_parameter(self, key: str, default_value: str) -> str:
        return self._job_parameters.get(key, default_value)


class UserDefinedFunction(abc.ABC):
    """Base of the user-defined functions: ``open`` before the first call, ``close`` after the last.

    As in PyFlink, a subclass must define the methods the engine calls (``eval`` of a
    ScalarFunction or TableFunction): instantiating one without them is a TypeError.

    Examples:
        >>> from fluvial.table.udf import ScalarFunction, UserDefinedFunction
        >>> class Identity(ScalarFunction):
        ...     def eval(self, x):
        ...         return x
        >>> issubclass(ScalarFunction, UserDefinedFunction), Identity().is_deterministic()
        (True, True)
    """

    def open(self, function_context: FunctionContext) -> None:
        pass

    def close(self) -> None:
        pass

    def is_deterministic(self) -> bool:
        return True


class ScalarFunction(UserDefinedFunction):
    """A scalar function: ``eval(*args)`` returns one value per row.

    Examples:
        >>> from fluvial.table import DataTypes
        >>> from fluvial.table.udf import ScalarFunction, udf
        >>> class Scale(ScalarFunction):
        ...     def open(self, function_context):
        ...         self.factor = 10
        ...     def eval(self, x):
        ...         return x * self.factor
        >>> scale = udf(Scale(), result_type=DataTypes.BIGINT())
        >>> scale._name
        'Scale'
    """

    @abc.abstractmethod
    def eval(self, *args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define eval()")


class TableFunction(UserDefinedFunction):
    """A table function: ``eval(*args)`` yields any number of rows per input row
    (``join_lateral`` is not in the executor yet).

    Examples:
        >>> from fluvial.table.udf import TableFunction
        >>> class Split(TableFunction):
        ...     def eval(self, text):
        ...         yield from text.split(",")
        >>> list(Split().eval("a,b"))
        ['a', 'b']
    """

    @abc.abstractmethod
    def eval(self, *args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define eval()")


class AggregateFunction(UserDefinedFunction):
    """An aggregate function over an accumulator (PyFlink's AggregateFunction).

    Examples:
        >>> from fluvial.table.udf import AggregateFunction
        >>> class Mean(AggregateFunction):
        ...     def create_accumulator(self):
        ...         return [0, 0]
        ...     def accumulate(self, acc, value):
        ...         acc[0] += value; acc[1] += 1
        ...     def get_value(self, acc):
        ...         return acc[0] / acc[1] if acc[1] else None
        >>> m = Mean(); acc = m.create_accumulator(); m.accumulate(acc, 2); m.accumulate(acc, 4); m.get_value(acc)
        3.0
    """

    def create_accumulator(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define create_accumulator()")

    def accumulate(self, accumulator: Any, *args: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define accumulate()")

    def get_value(self, accumulator: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define get_value()")

    def retract(self, accumulator: Any, *args: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} has no retract(): it cannot consume updates")

    def merge(self, accumulator: Any, accumulators: List[Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} has no merge()")

    def get_result_type(self) -> Optional[DataType]:
        return None

    def get_accumulator_type(self) -> Optional[DataType]:
        return None


class TableAggregateFunction(UserDefinedFunction):
    """A table aggregate function (PyFlink's TableAggregateFunction): an accumulator per group,
    and ``emit_value(accumulator)`` yields the group's result rows (any number). Used with
    ``flat_aggregate``; in a stream, a group's previous rows are retracted when it changes.

    Examples:
        >>> from fluvial.common import Row
        >>> from fluvial.table.udf import TableAggregateFunction
        >>> class Top2(TableAggregateFunction):
        ...     def create_accumulator(self):
        ...         return []
        ...     def accumulate(self, accumulator, value):
        ...         accumulator[:] = sorted(accumulator + [value], reverse=True)[:2]
        ...     def emit_value(self, accumulator):
        ...         for value in accumulator:
        ...             yield Row(value)
        >>> top2 = Top2(); acc = top2.create_accumulator()
        >>> for v in (3, 9, 4):
        ...     top2.accumulate(acc, v)
        >>> list(top2.emit_value(acc))
        [<Row(9)>, <Row(4)>]
    """

    def create_accumulator(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define create_accumulator()")

    def accumulate(self, accumulator: Any, *args: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define accumulate()")

    def emit_value(self, accumulator: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define emit_value()")

    def retract(self, accumulator: Any, *args: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} has no retract(): it cannot consume updates")

    def merge(self, accumulator: Any, accumulators: List[Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} has no merge()")

    def get_result_type(self) -> Optional[DataType]:
        return None

    def get_accumulator_type(self) -> Optional[DataType]:
        return None


class UserDefinedFunctionWrapper:
    """What udf()/udaf()/udtf() return: callable on expressions to build a call."""

    _is_aggregate = False
    _is_table_function = False

    def __init__(self, func: Any, result_type: Optional[Any], func_type: str, name: Optional[str],
                 kind: str, deterministic: Optional[bool] = None):
        if func_type not in ("general", "pandas"):
            raise ValueError(f"The func_type must be one of 'general, pandas', got {func_type!r}")
        if not isinstance(func, UserDefinedFunction) and not callable(func):
            raise TypeError(f"Invalid function: not a function or callable (__call__ is not defined): "
                            f"{type(func).__name__}")
        if isinstance(func, UserDefinedFunction):
            if deterministic is not None and deterministic != func.is_deterministic():
                raise ValueError(f"Inconsistent deterministic: {deterministic} and {func.is_deterministic()}")
            deterministic = func.is_deterministic()
        self._deterministic = True if deterministic is None else deterministic
        self._func = func
        self._func_type = func_type
        self._result_type = data_type_of(result_type, "result type")
        self._name = name or _function_name(func)
        self._kind = kind
        self._opened = False

    def __call__(self, *args: Any) -> UdfCall:
        return UdfCall(self, [_wrap(a) for a in args])

    def alias(self, *names: str) -> "UserDefinedFunctionWrapper":
        self._aliases = list(names)
        return self

    # -- runtime -----------------------------------------------------------------
    def _open(self, job_parameters: Optional[Dict[str, str]] = None) -> None:
        if not self._opened and isinstance(self._func, UserDefinedFunction):
            self._func.open(FunctionContext(job_parameters))
        self._opened = True

    def _close(self) -> None:
        if self._opened and isinstance(self._func, UserDefinedFunction):
            self._func.close()
        self._opened = False

    def _callable(self) -> Callable:
        if isinstance(self._func, (ScalarFunction, TableFunction)):
            return self._func.eval
        return self._func

    def _arrow_result_type(self) -> pa.DataType:
        if self._result_type is None:
            raise TypeError(f"function '{self._name}' needs a result_type (e.g. result_type=DataTypes.BIGINT())")
        return self._result_type.arrow_type

    def _to_array(self, values: Any, rows: int) -> pa.Array:
        target = self._arrow_result_type()
        try:
            if isinstance(values, pa.Array):
                array = values if values.type == target else values.cast(target)
            elif pa.types.is_struct(target) and hasattr(values, "columns"):  # a ROW result as a DataFrame
                array = pa.StructArray.from_arrays(
                    [pa.Array.from_pandas(values[column], type=f.type) for column, f in zip(values.columns, target)],
                    fields=list(target))
            elif hasattr(values, "dtype"):  # pandas Series / numpy array
                array = pa.Array.from_pandas(values, type=target)
            else:
                found = first_float(values, target)  # pa.array() would truncate it
                if found is not None:
                    raise self._result_error(found[0], FLOAT_REASON, advice=FLOAT_ADVICE)
                array = pa.array(values, type=target)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError) as error:
            if isinstance(error, OutputTypeError):
                raise
            fraction = _first_fraction(values, target)
            if fraction is not None:
                raise self._result_error(fraction, FLOAT_REASON, advice=FLOAT_ADVICE) from None
            raise self._result_error(_first_bad(values, target), rewrite(str(error)), described=True) from None
        if len(array) != rows:
            raise ValueError(f"function '{self._name}' returned {len(array)} values for {rows} rows "
                             f"(a pandas UDF must return one value per input row)")
        return array

    def _result_error(self, value: Any, reason: Any, described: bool = False,
                      advice: str = "return values of that type, or declare the type it returns in result_type="
                      ) -> OutputTypeError:
        shown = value if described else f"{value!r} ({type(value).__name__})"
        return OutputTypeError(
            f"function '{self._name}' returned {shown} which is not of its declared result type "
            f"{self._result_type!r} ({reason}); {advice}")

    def _evaluate(self, arguments: List[pa.Array], rows: Optional[int] = None) -> pa.Array:
        """Computes the function over columns of equal length (`rows` long: needed without arguments)."""
        if rows is None:
            rows = len(arguments[0]) if arguments else 0
        function = self._callable()
        if self._func_type == "pandas":
            series = [_to_pandas(a) for a in arguments]
            return self._to_array(function(*series), rows)
        from fluvial.table.table_result import _python_values

        # As PyFlink hands them: a MAP as a dict, a ROW as a Row, an ARRAY as a list.
        columns = [_python_values(a) for a in arguments]
        if not columns:
            return self._to_array([function() for _ in range(rows)], rows)
        return self._to_array([function(*values) for values in zip(*columns)], rows)


class UserDefinedAggregateFunctionWrapper(UserDefinedFunctionWrapper):
    _is_aggregate = True

    def _aggregate_groups(self, arguments: List[pa.Array], group_ids: List[int], num_groups: int) -> pa.Array:
        """One result per group: rows of group g are those with group_ids == g."""
        import numpy as np

        ids = np.asarray(group_ids)
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        bounds = np.searchsorted(sorted_ids, np.arange(num_groups + 1))
        function = self._func
        results = []
        if self._func_type == "pandas":
            taken = [a.take(pa.array(order)).to_pandas() for a in arguments]
            for g in range(num_groups):
                lo, hi = bounds[g], bounds[g + 1]
                results.append(function(*[s.iloc[lo:hi].reset_index(drop=True) for s in taken]))
        else:
            taken = [a.take(pa.array(order)).to_pylist() for a in arguments]
            for g in range(num_groups):
                lo, hi = bounds[g], bounds[g + 1]
                accumulator = function.create_accumulator()
                for i in range(lo, hi):
                    function.accumulate(accumulator, *[column[i] for column in taken])
                results.append(function.get_value(accumulator))
        return self._to_array(results, num_groups)


class UserDefinedTableFunctionWrapper(UserDefinedFunctionWrapper):
    _is_table_function = True


class UserDefinedTableAggregateFunctionWrapper(UserDefinedFunctionWrapper):
    """What udtaf() returns: used only in ``flat_aggregate`` (a call, or the function alone for whole rows)."""

    _is_table_aggregate = True

    def _result_fields(self) -> List[pa.Field]:
        """The columns of each emitted row: a ROW result's fields, or one column 'f0'."""
        arrow_type = self._arrow_result_type()
        if pa.types.is_struct(arrow_type):
            return list(arrow_type)
        return [pa.field("f0", arrow_type)]


def _to_pandas(array: pa.Array) -> Any:
    """A column as a pandas UDF gets it: a Series, or for a ROW a DataFrame of its fields."""
    if pa.types.is_struct(array.type):
        fields = list(array.type)
        return pa.Table.from_arrays(array.flatten(), names=[f.name for f in fields]).to_pandas()
    return array.to_pandas()


def data_type_of(value: Any, what: str) -> Any:
    """A DataType from what PyFlink accepts for a function's types: a DataType, a type string
    ('STRING', 'ROW<id BIGINT, data STRING>'), or a list of either (a table function's columns)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [data_type_of(v, what) for v in value]
    if isinstance(value, str):
        from fluvial.table.sql.types import parse_type

        try:
            return parse_type(value)
        except Exception as error:  # noqa: BLE001 - the parser's errors are many kinds
            raise ValueError(f"{what} {value!r} is not a Flink SQL type: {error}") from None
    return value


def _function_name(func: Any) -> str:
    if isinstance(func, functools.partial):
        func = func.func
    if isinstance(func, UserDefinedFunction):
        return type(func).__name__
    return getattr(func, "__name__", type(func).__name__)


def _first_fraction(values: Any, target: pa.DataType) -> Any:
    """The first non-integral float of a pandas/numpy result for an integer type, or None."""
    if not pa.types.is_integer(target) or getattr(getattr(values, "dtype", None), "kind", None) != "f":
        return None
    import numpy as np

    numbers = np.asarray(values, dtype="float64")
    bad = np.flatnonzero(np.isfinite(numbers) & (numbers != np.trunc(numbers)))
    return float(numbers[bad[0]]) if len(bad) else None


def _first_bad(values: Any, target: pa.DataType) -> str:
    try:
        for value in list(values):
            try:
                pa.array([value], type=target)
            except Exception:  # noqa: BLE001 - any failure marks the culprit
                return f"{value!r} ({type(value).__name__})"
    except TypeError:
        pass
    return f"a {type(values).__name__}"


def udf(f: Any = None, input_types: Any = None, result_type: Any = None, deterministic: Optional[bool] = None,
        name: Optional[str] = None, func_type: str = "general", udf_type: Optional[str] = None):
    """Makes a scalar function from a Python function, lambda or ScalarFunction.

    Examples:
        >>> from fluvial.table import DataTypes
        >>> from fluvial.table.udf import udf
        >>> @udf(result_type=DataTypes.STRING())
        ... def shout(s):
        ...     return s.upper() + "!"
        >>> shout._evaluate([__import__("pyarrow").array(["hi"])]).to_pylist()
        ['HI!']
    """
    func_type = udf_type or func_type
    if f is None:
        return functools.partial(udf, input_types=input_types, result_type=result_type,
                                 deterministic=deterministic, name=name, func_type=func_type)
    if inspect.isclass(f):
        raise TypeError(f"udf() takes a function or a ScalarFunction instance, got the class {f.__name__}; "
                        f"write udf({f.__name__}(), result_type=...)")
    return UserDefinedFunctionWrapper(f, result_type, func_type, name, "scalar", deterministic)


def udaf(f: Any = None, input_types: Any = None, result_type: Any = None, accumulator_type: Any = None,
         deterministic: Optional[bool] = None, name: Optional[str] = None, func_type: str = "general"):
    """Makes an aggregate function: an AggregateFunction (general) or a function of
    pandas Series returning one value (func_type="pandas").

    Examples:
        >>> import pandas as pd
        >>> from fluvial.table import DataTypes
        >>> from fluvial.table.udf import udaf
        >>> mean = udaf(lambda v: v.mean(), result_type=DataTypes.DOUBLE(), func_type="pandas")
        >>> mean._aggregate_groups([__import__("pyarrow").array([1.0, 3.0, 10.0])], [0, 0, 1], 2).to_pylist()
        [2.0, 10.0]
    """
    if f is None:
        return functools.partial(udaf, input_types=input_types, result_type=result_type,
                                 accumulator_type=accumulator_type, deterministic=deterministic, name=name,
                                 func_type=func_type)
    if func_type == "general" and not isinstance(f, AggregateFunction):
        raise TypeError("a general udaf needs an AggregateFunction instance; "
                        "for a function of pandas Series use func_type='pandas'")
    if result_type is None and isinstance(f, AggregateFunction):
        result_type = f.get_result_type()
    wrapper = UserDefinedAggregateFunctionWrapper(f, result_type, func_type, name, "aggregate", deterministic)
    wrapper._accumulator_type = data_type_of(
        accumulator_type if accumulator_type is not None else (
            f.get_accumulator_type() if isinstance(f, AggregateFunction) else None), "accumulator type")
    return wrapper


def udtaf(f: Any = None, input_types: Any = None, result_type: Any = None, accumulator_type: Any = None,
          deterministic: Optional[bool] = None, name: Optional[str] = None, func_type: str = "general"):
    """Makes a table aggregate function from a TableAggregateFunction (PyFlink has only general ones).

    Examples:
        >>> from fluvial.common import Row
        >>> from fluvial.table import DataTypes
        >>> from fluvial.table.udf import TableAggregateFunction, udtaf
        >>> class MinMax(TableAggregateFunction):
        ...     def create_accumulator(self):
        ...         return []
        ...     def accumulate(self, accumulator, value):
        ...         accumulator.append(value)
        ...     def emit_value(self, accumulator):
        ...         yield Row(min(accumulator), "min")
        ...         yield Row(max(accumulator), "max")
        >>> min_max = udtaf(MinMax(), result_type=DataTypes.ROW([DataTypes.FIELD("v", DataTypes.BIGINT()),
        ...                                                     DataTypes.FIELD("which", DataTypes.STRING())]))
        >>> [f.name for f in min_max._result_fields()]
        ['v', 'which']
    """
    if f is None:
        return functools.partial(udtaf, input_types=input_types, result_type=result_type,
                                 accumulator_type=accumulator_type, deterministic=deterministic, name=name,
                                 func_type=func_type)
    if func_type != "general":
        raise ValueError(f"udtaf supports only func_type='general' (as PyFlink), got {func_type!r}")
    if not isinstance(f, TableAggregateFunction):
        raise TypeError(f"udtaf() needs a TableAggregateFunction instance, got {f!r}")
    if result_type is None:
        result_type = f.get_result_type()
    if result_type is None:
        raise TypeError(f"table aggregate function '{_function_name(f)}' needs a result type: define "
                        f"get_result_type() or pass udtaf(..., result_type=...)")
    return UserDefinedTableAggregateFunctionWrapper(f, result_type, func_type, name, "table_aggregate",
                                                    deterministic)


def udtf(f: Any = None, input_types: Any = None, result_types: Any = None, deterministic: Optional[bool] = None,
         name: Optional[str] = None):
    """Makes a table function (yielding rows) from a generator function or a TableFunction.

    Examples:
        >>> from fluvial.table import DataTypes
        >>> from fluvial.table.udf import udtf
        >>> @udtf(result_types=[DataTypes.STRING()])
        ... def split(text):
        ...     yield from text.split(",")
        >>> split._name
        'split'
    """
    if f is None:
        return functools.partial(udtf, input_types=input_types, result_types=result_types,
                                 deterministic=deterministic, name=name)
    return UserDefinedTableFunctionWrapper(f, result_types, "general", name, "table", deterministic)

__all__ = ["AggregateFunction", "FunctionContext", "ScalarFunction", "TableAggregateFunction", "TableFunction",
           "UserDefinedFunction", "udaf", "udf", "udtaf", "udtf"]
