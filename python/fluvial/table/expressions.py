"""The expression language of the Table API and the IR the SQL planner
produces: one tree for both, compiled to Arrow compute expressions that the
native executor evaluates (Python UDF calls excepted).

Examples:
    >>> from fluvial.table.expressions import col, lit
    >>> (col("price") * 2 + lit(1)).alias("doubled")
    (price * 2 + 1) AS doubled
"""

from typing import Any, List, Optional, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from fluvial._unsupported import RefusesUnsupportedPyFlinkMethods
from fluvial.table.types import DataType

# SQL aggregate functions computed natively (and their Table API method names).
AGGREGATES = ("sum", "count", "count_star", "count_distinct", "avg", "min", "max", "sum_distinct", "avg_distinct",
              "collect", "array_agg", "first_value", "last_value", "sum0")

_INFIX = {"plus": "+", "minus": "-", "times": "*", "divide": "/", "mod": "%", "eq": "=", "ne": "<>",
          "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "and": "AND", "or": "OR"}


class Expression(RefusesUnsupportedPyFlinkMethods):
    """A column expression. Build them with :func:`col`, :func:`lit`, :func:`call`
    and Python operators; read them in Table API calls such as ``select``.

    Examples:
        >>> from fluvial.table.expressions import col
        >>> col("a").sum.alias("total")
        SUM(a) AS total
    """

    # -- arithmetic and comparison -------------------------------------------
    def __add__(self, other: Any) -> "Expression":
        return Call("plus", [self, _wrap(other)])

    def __radd__(self, other: Any) -> "Expression":
        return Call("plus", [_wrap(other), self])

    def __sub__(self, other: Any) -> "Expression":
        return Call("minus", [self, _wrap(other)])

    def __rsub__(self, other: Any) -> "Expression":
        return Call("minus", [_wrap(other), self])

    def __mul__(self, other: Any) -> "Expression":
        return Call("times", [self, _wrap(other)])

    def __rmul__(self, other: Any) -> "Expression":
        return Call("times", [_wrap(other), self])

    def __truediv__(self, other: Any) -> "Expression":
        return Call("divide", [self, _wrap(other)])

    def __rtruediv__(self, other: Any) -> "Expression":
        return Call("divide", [_wrap(other), self])

    def __mod__(self, other: Any) -> "Expression":
        return Call("mod", [self, _wrap(other)])

    def __neg__(self) -> "Expression":
        return Call("minus", [Lit(0), self])

    def __eq__(self, other: Any) -> "Expression":  # type: ignore[override]
        return Call("eq", [self, _wrap(other)])

    def __ne__(self, other: Any) -> "Expression":  # type: ignore[override]
        return Call("ne", [self, _wrap(other)])

    def __lt__(self, other: Any) -> "Expression":
        return Call("lt", [self, _wrap(other)])

    def __le__(self, other: Any) -> "Expression":
        return Call("le", [self, _wrap(other)])

    def __gt__(self, other: Any) -> "Expression":
        return Call("gt", [self, _wrap(other)])

    def __ge__(self, other: Any) -> "Expression":
        return Call("ge", [self, _wrap(other)])

    def __and__(self, other: Any) -> "Expression":
        return Call("and", [self, _wrap(other)])

    def __or__(self, other: Any) -> "Expression":
        return Call("or", [self, _wrap(other)])

    def __invert__(self) -> "Expression":
        return Call("not", [self])

    __hash__ = object.__hash__

    # -- PyFlink's expression methods ------------------------------------------
    def alias(self, name: str, *extra_names: str) -> "Expression":
        return Alias(self, name, list(extra_names))

    def cast(self, data_type: DataType) -> "Expression":
        return Call("cast", [self], data_type=data_type)

    def try_cast(self, data_type: DataType) -> "Expression":
        return Call("try_cast", [self], data_type=data_type)

    @property
    def sum(self) -> "Expression":
        return Call("sum", [self])

    @property
    def count(self) -> "Expression":
        return Call("count", [self])

    @property
    def distinct(self) -> "Expression":
        """col('a').sum.distinct: the aggregate over the distinct values (COUNT, SUM, AVG, MIN, MAX)."""
        if not isinstance(self, Call):
            raise PlanningError(f"DISTINCT applies to an aggregate such as col('a').sum.distinct, not {self!r}")
        return distinct_aggregate(self.function, self.args)

    @property
    def avg(self) -> "Expression":
        return Call("avg", [self])

    @property
    def min(self) -> "Expression":
        return Call("min", [self])

    @property
    def max(self) -> "Expression":
        return Call("max", [self])

    @property
    def is_null(self) -> "Expression":
        return Call("is_null", [self])

    @property
    def is_not_null(self) -> "Expression":
        return Call("is_not_null", [self])

    @property
    def upper_case(self) -> "Expression":
        return Call("upper", [self])

    @property
    def lower_case(self) -> "Expression":
        return Call("lower", [self])

    @property
    def char_length(self) -> "Expression":
        return Call("char_length", [self])

    @property
    def trim(self) -> "Expression":
        return Call("trim", [self])

    @property
    def abs(self) -> "Expression":
        return Call("abs", [self])

    @property
    def floor(self) -> "Expression":
        return Call("floor", [self])

    @property
    def ceil(self) -> "Expression":
        return Call("ceil", [self])

    @property
    def sqrt(self) -> "Expression":
        return Call("sqrt", [self])

    @property
    def asc(self) -> "Expression":
        return Call("asc", [self])

    @property
    def desc(self) -> "Expression":
        return Call("desc", [self])

    def round(self, places: int = 0) -> "Expression":
        return Call("round", [self, _wrap(places)])

    def power(self, other: Any) -> "Expression":
        return Call("power", [self, _wrap(other)])

    def like(self, pattern: Any) -> "Expression":
        return Call("like", [self, _wrap(pattern)])

    def substring(self, begin_index: Any, length: Any = None) -> "Expression":
        args = [self, _wrap(begin_index)] + ([] if length is None else [_wrap(length)])
        return Call("substring", args)

    def in_(self, *values: Any) -> "Expression":
        return Call("in", [self] + [_wrap(v) for v in values])

    def between(self, lower: Any, upper: Any) -> "Expression":
        return Call("between", [self, _wrap(lower), _wrap(upper)])

    def then(self, true_value: Any, false_value: Any) -> "Expression":
        return Call("if", [self, _wrap(true_value), _wrap(false_value)])

    # -- collections (ARRAY and MAP values) ----------------------------------------
    def at(self, index: Any) -> "Expression":
        """The element at 'index' of an array (from 1; NULL outside) or the value of key 'index' of a map."""
        return _collection("at", self, index)

    @property
    def cardinality(self) -> "Expression":
        """The number of elements of an array or entries of a map."""
        return _collection("cardinality", self)

    @property
    def element(self) -> "Expression":
        """The sole element of an array: NULL if empty, an error if it has more than one."""
        return _collection("element", self)

    def array_contains(self, needle: Any) -> "Expression":
        return _collection("array_contains", self, needle)

    def array_distinct(self) -> "Expression":
        return _collection("array_distinct", self)

    def array_position(self, needle: Any) -> "Expression":
        return _collection("array_position", self, needle)

    def array_remove(self, needle: Any) -> "Expression":
        return _collection("array_remove", self, needle)

    def array_reverse(self) -> "Expression":
        return _collection("array_reverse", self)

    def array_slice(self, start_offset: Any, end_offset: Any = None) -> "Expression":
        extra = [] if end_offset is None else [end_offset]
        return _collection("array_slice", self, start_offset, *extra)

    def array_union(self, array: Any) -> "Expression":
        return _collection("array_union", self, array)

    def array_concat(self, *arrays: Any) -> "Expression":
        return _collection("array_concat", self, *arrays)

    def array_max(self) -> "Expression":
        return _collection("array_max", self)

    def array_min(self) -> "Expression":
        return _collection("array_min", self)

    def array_join(self, delimiter: Any, null_replacement: Any = None) -> "Expression":
        extra = [] if null_replacement is None else [null_replacement]
        return _collection("array_join", self, delimiter, *extra)

    @property
    def map_keys(self) -> "Expression":
        return _collection("map_keys", self)

    @property
    def map_values(self) -> "Expression":
        return _collection("map_values", self)

    @property
    def map_entries(self) -> "Expression":
        return _collection("map_entries", self)

    @property
    def collect(self) -> "Expression":
        """The aggregate multiset of the values: a MAP from each value to its count."""
        return Call("collect", [self])

    @property
    def array_agg(self) -> "Expression":
        """The aggregate ARRAY of the values (NULLs kept)."""
        return Call("array_agg", [self])

    # -- built-in scalar functions (PyFlink's names; see the function table in docs/table.md) -------
    def get(self, name_or_index: Any) -> "Expression":
        """The field of a ROW value by name (or by position from 0)."""
        return _collection("at", self, name_or_index)

    def flatten(self) -> "Expression":
        """All the fields of a ROW value as columns named ``r$field`` (in a select)."""
        return Call("flatten", [self])

    def sha2(self, hash_length: Any) -> "Expression":
        return _builtin("sha2", self, hash_length)

    def substr(self, begin_index: Any, length: Any = None) -> "Expression":
        return self.substring(begin_index, length)

    def trim_leading(self, character: Any = None) -> "Expression":
        if character is None:
            return _builtin("ltrim", self)
        return Call("trim_chars", [self, _wrap(character), Lit("LEADING")])

    def trim_trailing(self, character: Any = None) -> "Expression":
        if character is None:
            return _builtin("rtrim", self)
        return Call("trim_chars", [self, _wrap(character), Lit("TRAILING")])

    def if_null(self, null_replacement: Any) -> "Expression":
        return Call("coalesce", [self, _wrap(null_replacement)])

    def not_between(self, lower_bound: Any, upper_bound: Any) -> "Expression":
        return Call("not", [self.between(lower_bound, upper_bound)])

    def regexp_extract(self, regex: Any, extract_index: Any = None) -> "Expression":
        return Call("regexp_extract", [self, _wrap(regex)] + ([] if extract_index is None else [_wrap(extract_index)]))

    def split_index(self, separator: Any, index: Any) -> "Expression":
        return Call("split_index", [self, _wrap(separator), _wrap(index)])

    def lpad(self, length: Any, pad: Any) -> "Expression":
        return _builtin("lpad", self, length, pad)

    def rpad(self, length: Any, pad: Any) -> "Expression":
        return _builtin("rpad", self, length, pad)

    def repeat(self, n: Any) -> "Expression":
        return _builtin("repeat", self, n)

    def regexp(self, regex: Any) -> "Expression":
        return _builtin("regexp", self, regex)

    def regexp_replace(self, regex: Any, replacement: Any) -> "Expression":
        return _builtin("regexp_replace", self, regex, replacement)

    def regexp_count(self, regex: Any) -> "Expression":
        return _builtin("regexp_count", self, regex)

    def replace(self, search: Any = None, replacement: Any = None) -> "Expression":
        return _builtin("replace", self, search, replacement)

    def position(self, haystack: Any = None) -> "Expression":
        """lit('a').position(s): where this string first occurs in 'haystack', from 1; 0 if absent."""
        return _builtin("locate", self, haystack)

    def instr(self, s: Any) -> "Expression":
        return _builtin("instr", self, s)

    def left(self, length: Any) -> "Expression":
        return _builtin("left", self, length)

    def right(self, length: Any) -> "Expression":
        return _builtin("right", self, length)

    def starts_with(self, start_expr: Any) -> "Expression":
        return _builtin("startswith", self, start_expr)

    def ends_with(self, end_expr: Any) -> "Expression":
        return _builtin("endswith", self, end_expr)

    def log(self, base: Any = None) -> "Expression":
        """The natural logarithm, or the logarithm to 'base'."""
        return _builtin("log", self) if base is None else _builtin("log", base, self)

    def truncate(self, n: Any = 0) -> "Expression":
        return _builtin("truncate", self, n)

    def parse_url(self, part_to_extract: Any, key: Any = None) -> "Expression":
        return _builtin("parse_url", self, part_to_extract, *([] if key is None else [key]))

    def str_to_map(self, list_delimiter: Any = None, key_value_delimiter: Any = None) -> "Expression":
        extra = [list_delimiter or ",", key_value_delimiter or "="]
        return _builtin("str_to_map", self, *extra)

    def json_value(self, path: str, returning_type: Any = None, on_empty: Any = None, default_on_empty: Any = None,
                   on_error: Any = None, default_on_error: Any = None) -> "Expression":
        """JSON_VALUE: the scalar at a JSON path as a STRING, or cast to 'returning_type'; NULL
        when the path is missing or the text is not JSON (Flink's NULL ON EMPTY / NULL ON ERROR)."""
        for behaviour in (on_empty, on_error):
            if behaviour is not None and str(getattr(behaviour, "name", behaviour)).upper() != "NULL":
                from fluvial.errors import UnsupportedFeatureError

                raise UnsupportedFeatureError(
                    f"json_value(..., {getattr(behaviour, 'name', behaviour)} ON EMPTY/ERROR) is not supported by "
                    f"Fluvial yet; wrap the NULL it returns in coalesce(...) instead", name="Expression.json_value")
        value: Expression = Call("json_value", [self, _wrap(path)])
        if returning_type is not None and repr(returning_type.nullable()) not in ("STRING", "VARCHAR(2147483647)"):
            value = value.cast(returning_type)
        return value

    def json_query(self, path: str, wrapping_behavior: Any = None, on_empty: Any = None,
                   on_error: Any = None) -> "Expression":
        """JSON_QUERY: the object or array at a JSON path as JSON text (NULL otherwise)."""
        if wrapping_behavior is not None and str(getattr(wrapping_behavior, "name", wrapping_behavior)).upper() \
                != "WITHOUT_ARRAY":
            from fluvial.errors import UnsupportedFeatureError

            raise UnsupportedFeatureError("json_query with a wrapping behaviour other than WITHOUT_ARRAY is not "
                                          "supported by Fluvial yet", name="Expression.json_query")
        return Call("json_query", [self, _wrap(path)])

    def json_exists(self, path: Any) -> "Expression":
        return _builtin("json_exists", self, path)

    def is_json(self, json_type: Any = None) -> "Expression":
        return _builtin("is_json", self, *([] if json_type is None else [str(json_type).split(".")[-1].upper()]))

    # Intervals: lit(10).seconds, lit(5).minutes ... (milliseconds underneath).
    def _interval(self, millis: int) -> "Expression":
        if not isinstance(self, Lit) or not isinstance(self.value, (int, float)):
            raise ValueError("time intervals are built from numeric literals, e.g. lit(5).minutes")
        return Interval(int(self.value * millis))

    @property
    def millis(self) -> "Expression":
        return self._interval(1)

    @property
    def seconds(self) -> "Expression":
        return self._interval(1000)

    @property
    def minutes(self) -> "Expression":
        return self._interval(60_000)

    @property
    def hours(self) -> "Expression":
        return self._interval(3_600_000)

    @property
    def days(self) -> "Expression":
        return self._interval(86_400_000)

    second = seconds
    minute = minutes
    hour = hours
    day = days
    milli = millis

    def over(self, alias: "Expression") -> "Expression":
        """An aggregate over an OVER window: col('v').sum.over(col('w'))."""
        return Call("over", [self, alias])

    # Window properties of a group window alias: col('w').start, col('w').end.
    @property
    def start(self) -> "Expression":
        return Call("window_start", [self])

    @property
    def end(self) -> "Expression":
        return Call("window_end", [self])

    @property
    def rows(self) -> "Expression":
        return RowCount(int(self.value)) if isinstance(self, Lit) else self

    # -- tree helpers ----------------------------------------------------------
    def children(self) -> List["Expression"]:
        return []

    def replace_children(self, children: List["Expression"]) -> "Expression":
        return self


class Col(Expression):
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


class Lit(Expression):
    def __init__(self, value: Any, data_type: Optional[DataType] = None):
        self.value = value
        self.data_type = data_type

    def __repr__(self) -> str:
        return repr(self.value) if isinstance(self.value, str) else str(self.value)


class Interval(Expression):
    """A time interval in milliseconds (INTERVAL '5' MINUTE, lit(5).minutes)."""

    def __init__(self, millis: int):
        self.ms = millis

    def __repr__(self) -> str:
        return f"INTERVAL {self.ms} ms"


class RowCount(Expression):
    """A number of rows (row_interval(...), lit(2).rows) for OVER windows."""

    def __init__(self, count: int):
        self.row_count = count

    def __repr__(self) -> str:
        return f"{self.row_count} ROWS"


class Call(Expression):
    def __init__(self, function: str, args: List[Expression], data_type: Optional[DataType] = None, **options: Any):
        self.function = function
        self.args = args
        self.data_type = data_type
        self.options = options

    def children(self) -> List[Expression]:
        return list(self.args)

    def replace_children(self, children: List[Expression]) -> Expression:
        return Call(self.function, children, self.data_type, **self.options)

    @property
    def is_aggregate(self) -> bool:
        return self.function in AGGREGATES

    def __repr__(self) -> str:
        if self.function in _INFIX and len(self.args) == 2:
            left, right = self.args
            text = f"{left!r} {_INFIX[self.function]} {right!r}"
            return f"({text})" if self.function in ("plus", "minus", "or") else text
        if self.function == "count_star":
            return "COUNT(*)"
        if self.function.endswith("_distinct"):
            return f"{self.function[:-len('_distinct')].upper()}(DISTINCT {self.args[0]!r})"
        if self.function == "cast":
            return f"CAST({self.args[0]!r} AS {self.data_type!r})"
        return f"{self.function.upper()}({', '.join(repr(a) for a in self.args)})"


class UdfCall(Expression):
    """A call of a Python user-defined function (scalar, table or aggregate)."""

    def __init__(self, function: Any, args: List[Expression], takes_row: bool = False):
        self.function = function
        self.args = args
        # PyFlink's rule for map/flat_map/aggregate/join_lateral given the function itself: it is
        # called with one Row of all the columns, not with one argument per column.
        self.takes_row = takes_row

    def children(self) -> List[Expression]:
        return list(self.args)

    def replace_children(self, children: List[Expression]) -> Expression:
        return UdfCall(self.function, children, self.takes_row)

    @property
    def is_aggregate(self) -> bool:
        return getattr(self.function, "_is_aggregate", False)

    def __repr__(self) -> str:
        return f"{self.function._name}({', '.join(repr(a) for a in self.args)})"


class Alias(Expression):
    def __init__(self, expr: Expression, name: str, extra_names: Optional[List[str]] = None):
        self.expr = expr
        self.name = name
        self.extra_names = extra_names or []

    def children(self) -> List[Expression]:
        return [self.expr]

    def replace_children(self, children: List[Expression]) -> Expression:
        return Alias(children[0], self.name, self.extra_names)

    def __repr__(self) -> str:
        return f"{self.expr!r} AS {self.name}"


def distinct_aggregate(function: str, args: List[Expression]) -> Call:
    """AGG(DISTINCT x): COUNT, SUM and AVG count each distinct value once; MIN and MAX are unchanged."""
    if function in ("min", "max"):
        return Call(function, args)
    if function in ("count", "sum", "avg") and len(args) == 1:
        return Call(f"{function}_distinct", args)
    raise PlanningError(f"DISTINCT applies to COUNT, SUM, AVG, MIN and MAX of one argument, not "
                        f"{function.upper()}({', '.join(repr(a) for a in args)})")


def _wrap(value: Any) -> Expression:
    return value if isinstance(value, Expression) else Lit(value)


def _builtin(name: str, *args: Any) -> Expression:
    from fluvial.table import _builtins

    arguments = [_wrap(a) for a in args]
    builtin = _builtins.call(name, arguments)
    return builtin if builtin is not None else Call(name, arguments)


def _property(function: str) -> property:
    def getter(self: Expression) -> Expression:
        return _builtin(function, self)

    getter.__doc__ = f"{function.upper()} of this value (Flink's built-in function)."
    return property(getter)


# PyFlink's property-style built-ins: col('s').md5, col('x').ln, ...
for _name, _function in (("md5", "md5"), ("sha1", "sha1"), ("sha224", "sha224"), ("sha256", "sha256"),
                         ("sha384", "sha384"), ("sha512", "sha512"), ("to_base64", "to_base64"),
                         ("from_base64", "from_base64"), ("ascii", "ascii"), ("chr", "chr"), ("reverse", "reverse"),
                         ("init_cap", "initcap"), ("bin", "bin"), ("hex", "hex"), ("ln", "ln"), ("log10", "log10"),
                         ("log2", "log2"), ("exp", "exp"), ("sin", "sin"), ("cos", "cos"), ("tan", "tan"),
                         ("cot", "cot"), ("asin", "asin"), ("acos", "acos"), ("atan", "atan"), ("sinh", "sinh"),
                         ("cosh", "cosh"), ("tanh", "tanh"), ("degrees", "degrees"), ("radians", "radians"),
                         ("sign", "sign"), ("is_true", "is_true"), ("is_false", "is_false"),
                         ("is_not_true", "is_not_true"), ("is_not_false", "is_not_false"),
                         ("url_encode", "url_encode"), ("url_decode", "url_decode"), ("quarter", "quarter"),
                         ("to_date", "to_date"), ("to_timestamp", "to_timestamp")):
    setattr(Expression, _name, _property(_function))


def _collection(name: str, *args: Any) -> Expression:
    from fluvial.table import _collections

    return _collections.call(name, [_wrap(a) for a in args])


# -- PyFlink's expression functions (pyflink.table.expressions) -----------------

def col(name: str) -> Expression:
    """A column by name.

    Examples:
        >>> from fluvial.table.expressions import col
        >>> col("user_id")
        user_id
    """
    return Col(name)


def lit(value: Any, data_type: Optional[DataType] = None) -> Expression:
    """A literal value, optionally of a declared type.

    Examples:
        >>> from fluvial.table.expressions import lit
        >>> lit(42), lit("a")
        (42, 'a')
    """
    return Lit(value, data_type)


def call(f: Any, *args: Any) -> Expression:
    """Calls a function: a UDF object, or the name of a built-in or registered one.

    Examples:
        >>> from fluvial.table.expressions import call, col
        >>> call("upper", col("name"))
        UPPER(name)
    """
    arguments = [_wrap(a) for a in args]
    if isinstance(f, str):
        from fluvial.table import _collections

        if f.lower() in _collections.FUNCTIONS:
            return _collections.call(f.lower(), arguments)
        from fluvial.table import _builtins

        builtin = _builtins.call(f, arguments)
        return builtin if builtin is not None else Call(f.lower(), arguments)
    return UdfCall(f, arguments)


def if_then_else(condition: Any, if_true: Any, if_false: Any) -> Expression:
    """``condition ? if_true : if_false``.

    Examples:
        >>> from fluvial.table.expressions import col, if_then_else
        >>> if_then_else(col("a") > 0, "pos", "neg")
        IF(a > 0, 'pos', 'neg')
    """
    return Call("if", [_wrap(condition), _wrap(if_true), _wrap(if_false)])


def and_(*predicates: Any) -> Expression:
    """All predicates hold.

    Examples:
        >>> from fluvial.table.expressions import and_, col
        >>> and_(col("a") > 1, col("b") < 2, col("c") == 3)
        a > 1 AND b < 2 AND c = 3
    """
    result = _wrap(predicates[0])
    for each in predicates[1:]:
        result = result & _wrap(each)
    return result


def or_(*predicates: Any) -> Expression:
    """Any predicate holds.

    Examples:
        >>> from fluvial.table.expressions import col, or_
        >>> or_(col("a") > 1, col("b") < 2)
        (a > 1 OR b < 2)
    """
    result = _wrap(predicates[0])
    for each in predicates[1:]:
        result = result | _wrap(each)
    return result


def concat(first: Any, *others: Any) -> Expression:
    """Strings joined end to end.

    Examples:
        >>> from fluvial.table.expressions import col, concat
        >>> concat(col("first"), " ", col("last"))
        CONCAT(first, ' ', last)
    """
    return Call("concat", [_wrap(first)] + [_wrap(o) for o in others])


def coalesce(*args: Any) -> Expression:
    """The first argument that is not NULL.

    Examples:
        >>> from fluvial.table.expressions import coalesce, col
        >>> coalesce(col("nickname"), col("name"), "anonymous")
        COALESCE(nickname, name, 'anonymous')
    """
    return Call("coalesce", [_wrap(a) for a in args])


def array(head: Any, *tail: Any) -> Expression:
    """An ARRAY of the values (of one common type), like SQL's ``ARRAY[...]``.

    Examples:
        >>> from fluvial.table.expressions import array, col
        >>> array(col("a"), col("b"), 3)
        ARRAY(a, b, 3)
    """
    return _collection("array", head, *tail)


def map_(key: Any, value: Any, *tail: Any) -> Expression:
    """A MAP of key, value pairs, like SQL's ``MAP[k1, v1, k2, v2]``.

    Examples:
        >>> from fluvial.table.expressions import col, map_
        >>> map_("a", col("x"), "b", col("y"))
        MAP('a', x, 'b', y)
    """
    return _collection("map", key, value, *tail)


def row(head: Any, *tail: Any) -> Expression:
    """A ROW of the values, like SQL's ``ROW(...)``; its fields are named EXPR$0, EXPR$1, ...

    Examples:
        >>> from fluvial.table.expressions import col, row
        >>> row(col("id"), "x")
        ROW(id, 'x')
    """
    return _collection("row", head, *tail)


def row_interval(rows: int) -> Expression:
    """A number of rows, for the bounds of OVER windows.

    Examples:
        >>> from fluvial.table.expressions import row_interval
        >>> row_interval(10)
        10 ROWS
    """
    return RowCount(rows)


CURRENT_ROW = RowCount(0)
UNBOUNDED_ROW = RowCount(-1)
UNBOUNDED_RANGE = Interval(-1)
CURRENT_RANGE = Interval(0)


# -- compilation to Arrow ------------------------------------------------------

class PlanningError(ValueError):
    """A Table API or SQL mistake found while planning (unknown column, bad argument)."""


def to_arrow(expr: Expression, schema: pa.Schema, describe: str = "expression") -> pc.Expression:
    """Compiles 'expr' over a batch of 'schema' into an Arrow expression."""
    if isinstance(expr, Alias):
        return to_arrow(expr.expr, schema, describe)
    if isinstance(expr, Col):
        if expr.name not in schema.names:
            raise unknown_column(expr.name, schema.names)
        return pc.field(expr.name)
    if isinstance(expr, Lit):
        if expr.data_type is not None:
            return pc.scalar(pa.scalar(expr.value, type=expr.data_type.arrow_type))
        return pc.scalar(expr.value)
    if isinstance(expr, Interval):
        return pc.scalar(pa.scalar(expr.ms, type=pa.duration("ms")))
    if isinstance(expr, UdfCall):
        raise PlanningError(f"internal: Python function {expr!r} reached the native compiler")
    if not isinstance(expr, Call):
        raise PlanningError(f"cannot use {expr!r} in {describe}")
    if expr.is_aggregate:
        raise PlanningError(f"aggregate {expr!r} is not allowed in {describe}: use group_by(...).select(...) "
                            f"or GROUP BY")
    args = [to_arrow(a, schema, describe) for a in expr.args]
    from fluvial.table import _collections

    if expr.function in _collections.NATIVE:
        types = infer_schema(schema, args, [f"a{i}" for i in range(len(args))]).types
        literals = [a.value if isinstance(a, Lit) else None for a in expr.args]
        return _collections.compile_native(expr.function, literals, args, types)
    from fluvial.table import _builtins

    if expr.function in _builtins.NATIVE:
        types = infer_schema(schema, args, [f"a{i}" for i in range(len(args))]).types if args else []
        return _builtins.compile_native(expr, args, types)
    if expr.function in ("case", "if", "coalesce"):
        args = _common_type(expr, args, schema)
    return _compile_call(expr, args)


def _common_type(expr: Call, args: List[pc.Expression], schema: pa.Schema) -> List[pc.Expression]:
    """The value branches of CASE / IF / COALESCE cast to one type (SQL's common type), NULLs included."""
    if expr.function == "case":
        positions = list(range(1, len(args) - 1, 2)) + [len(args) - 1]
    elif expr.function == "if":
        positions = [1, 2]
    else:
        positions = list(range(len(args)))
    types = infer_schema(schema, [args[i] for i in positions], [f"v{i}" for i in positions]).types
    known = [t for t in types if not pa.types.is_null(t)]
    if not known:
        return args
    if all(t == known[0] for t in known):
        target = known[0]
    elif all(pa.types.is_integer(t) for t in known):
        target = pa.int64()
    elif all(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) for t in known):
        target = pa.float64()
    elif all(pa.types.is_string(t) or pa.types.is_large_string(t) for t in known):
        target = pa.string()
    else:
        raise PlanningError(f"the branches of {expr.function.upper()} have types that do not mix: "
                            f"{', '.join(str(t) for t in known)}")
    result = list(args)
    for position, arrow_type in zip(positions, types):
        if arrow_type != target:
            result[position] = args[position].cast(target)
    return result


def _compile_call(expr: Call, args: List[pc.Expression]) -> pc.Expression:
    f = expr.function
    binary = {"plus": "add", "minus": "subtract", "times": "multiply", "divide": "divide", "eq": "equal",
              "ne": "not_equal", "lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
              "and": "and_kleene", "or": "or_kleene"}
    if f in binary:
        return pc.Expression._call(binary[f], args)
    unary = {"not": "invert", "is_null": "is_null", "is_not_null": "is_valid", "upper": "utf8_upper",
             "lower": "utf8_lower", "char_length": "utf8_length", "trim": "utf8_trim_whitespace", "abs": "abs",
             "floor": "floor", "ceil": "ceil", "sqrt": "sqrt", "ln": "ln", "log10": "log10", "exp": "exp",
             "year": "year", "month": "month", "day": "day", "hour": "hour", "minute": "minute",
             "second": "second", "sign": "sign"}
    if f in unary:
        _arity(expr, 1)
        return pc.Expression._call(unary[f], args)
    if f == "try_cast":
        return args[0].cast(expr.data_type.arrow_type, safe=False)
    if f == "if":
        _arity(expr, 3)
        return pc.if_else(*args)
    if f == "coalesce":
        return pc.coalesce(*args)
    if f == "concat":
        return pc.binary_join_element_wise(*args, "")
    if f == "like":
        pattern = _literal(expr.args[1], "LIKE pattern")
        return pc.match_like(args[0], pattern)
    if f == "in":
        values = [_literal(v, "IN list") for v in expr.args[1:]]
        return pc.is_in(args[0], value_set=pa.array(values))
    if f == "between":
        return pc.and_kleene(pc.greater_equal(args[0], args[1]), pc.less_equal(args[0], args[2]))
    if f == "round":
        places = _literal(expr.args[1], "ROUND places") if len(expr.args) > 1 else 0
        # Flink rounds half away from zero (Java's HALF_UP): ROUND(-2.5) = -3.
        return pc.round(args[0], ndigits=places, round_mode="half_towards_infinity")
    if f == "substring":
        start = _literal(expr.args[1], "SUBSTRING start")
        begin = max(start - 1, 0)
        if len(expr.args) > 2:
            return pc.utf8_slice_codeunits(args[0], start=begin, stop=begin + _literal(expr.args[2], "length"))
        return pc.utf8_slice_codeunits(args[0], start=begin)
    if f == "case":
        # args: cond1, value1, cond2, value2, ..., else
        conditions = args[0:-1:2]
        values = args[1:-1:2]
        names = [str(i) for i in range(len(conditions))]
        return pc.case_when(pc.make_struct(*conditions, field_names=names), *values, args[-1])
    if f == "regexp_extract":
        # Flink's REGEXP_EXTRACT(s, regex, index): Arrow extracts named groups, so the groups are named.
        pattern = _literal(expr.args[1], "REGEXP_EXTRACT pattern")
        index = _literal(expr.args[2], "REGEXP_EXTRACT index") if len(expr.args) > 2 else 1
        named, groups = _name_groups(pattern)
        if not 0 <= index <= groups:
            raise PlanningError(f"REGEXP_EXTRACT index {index} but the pattern has {groups} group(s)")
        if index == 0:
            named, groups = f"(?P<g0>{named})", groups
        extracted = pc.extract_regex(args[0], pattern=f".*?{named}")
        return pc.struct_field(extracted, f"g{index}")
    if f == "tumble_start" or f == "tumble_end":
        raise PlanningError(f"{f.upper()} is only allowed in the SELECT of a GROUP BY TUMBLE(...) query")
    from fluvial.table._builtins import FUNCTIONS

    raise PlanningError(f"unknown function '{f.upper()}'" + _suggest(f, KNOWN_FUNCTIONS + FUNCTIONS))


KNOWN_FUNCTIONS = ["regexp_extract",
                   "abs", "ceil", "char_length", "coalesce", "concat", "date_format", "exp", "floor", "if", "ln",
                   "log10", "lower", "power", "round", "sign", "sqrt", "substring", "to_timestamp",
                   "to_timestamp_ltz", "trim", "upper", "year", "month", "day", "hour", "minute", "second",
                   "sum", "count", "avg", "min", "max"]


def _name_groups(pattern: str):
    """The pattern with its capturing groups named g1, g2, ... (Arrow's extract_regex needs names)."""
    out, count, i = [], 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "(" and not pattern.startswith("(?", i):
            count += 1
            out.append(f"(?P<g{count}>")
        else:
            out.append(c)
        i += 1
    return "".join(out), count


def _arity(expr: Call, count: int) -> None:
    if len(expr.args) != count:
        raise PlanningError(f"{expr.function.upper()} takes {count} argument(s), got {len(expr.args)}")


def _literal(expr: Expression, what: str) -> Any:
    if not isinstance(expr, Lit):
        raise PlanningError(f"{what} must be a literal, got {expr!r}")
    return expr.value


def _suggest(name: str, candidates: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def unknown_column(name: str, names: Sequence[str]) -> PlanningError:
    visible = [n for n in names if not n.startswith("__")]
    return PlanningError(f"unknown column '{name}'{_suggest(name, visible)} (available: {', '.join(visible)})")


def output_name(expr: Expression, position: int) -> str:
    """The column name Flink gives a select item without an alias."""
    if isinstance(expr, Alias):
        return expr.name
    if isinstance(expr, Col):
        return expr.name
    return f"EXPR${position}"


def infer_schema(input_schema: pa.Schema, projections: List[pc.Expression], names: List[str]) -> pa.Schema:
    """The output schema of a projection: Acero plans it over an empty batch."""
    try:
        return _planned_schema(input_schema, projections, names)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
        from fluvial._arrow_messages import rewrite

        reason = rewrite(str(error).split("\n")[0])
        for projection, name in zip(projections, names):  # name the column that cannot be planned
            try:
                _planned_schema(input_schema, [projection], [name])
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                raise PlanningError(f"column '{name}': {reason}") from None
        raise PlanningError(reason) from None


def _planned_schema(input_schema: pa.Schema, projections: List[pc.Expression], names: List[str]) -> pa.Schema:
    import pyarrow.acero as acero

    empty = pa.Table.from_batches([], schema=input_schema)
    declaration = acero.Declaration.from_sequence([
        acero.Declaration("table_source", acero.TableSourceNodeOptions(empty)),
        acero.Declaration("project", acero.ProjectNodeOptions(projections, names)),
    ])
    return declaration.to_table().schema


def serialize(expression: pc.Expression) -> bytes:
    """The bytes the native executor deserializes (Arrow's own expression serialization)."""
    return expression.__reduce__()[1][0].to_pybytes()


def walk(expr: Expression):
    yield expr
    for child in expr.children():
        yield from walk(child)


def transform(expr: Expression, rewrite) -> Expression:
    """Rewrites bottom-up: rewrite(node) returns a replacement or None."""
    children = expr.children()
    if children:
        expr = expr.replace_children([transform(c, rewrite) for c in children])
    replaced = rewrite(expr)
    return expr if replaced is None else replaced


__all__ = ["Expression", "col", "lit", "call", "if_then_else", "and_", "or_", "concat", "coalesce",
           "row_interval", "array", "map_", "row", "CURRENT_ROW", "UNBOUNDED_ROW", "UNBOUNDED_RANGE", "CURRENT_RANGE"]
