"""Flink's scalar built-in functions (string, math, temporal, conditional, hash, type).

Each is compiled to Arrow compute kernels where Arrow has one (:data:`NATIVE`: LPAD with a
one-character pad, REPEAT, REVERSE, INITCAP, LOCATE, REGEXP, REGEXP_REPLACE, CONCAT_WS,
LEFT/RIGHT, MOD, LOG, TRUNCATE, trigonometry, GREATEST/LEAST, EXTRACT and the date parts,
TIMESTAMPADD/TIMESTAMPDIFF, DATE_FORMAT with Java patterns, NULLIF, IS_ALPHA, ...).
The rest run as a Python step over whole batches (:data:`STEPS`: the hash functions,
base64, ASCII/CHR, BIN/HEX, RAND, CONVERT_TZ, PARSE_URL, the current time, ...).
Timestamps without a zone are read as UTC (Fluvial has no session time zone yet).
"""

import base64
import datetime as _dt
import hashlib
import math
import re
import uuid
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs, quote_plus, unquote_plus, urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fluvial.table.expressions import Call, Expression, Lit, PlanningError, UdfCall

_K = pc.Expression._call


def _lit(expr: Expression, what: str) -> Any:
    if not isinstance(expr, Lit):
        raise PlanningError(f"{what} must be a literal, got {expr!r}")
    return expr.value


def _arity(name: str, args: List[Any], low: int, high: Optional[int] = None) -> None:
    high = low if high is None else high
    if not low <= len(args) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise PlanningError(f"{name.upper()} takes {expected} argument(s), got {len(args)}")


def _string(value: pc.Expression) -> pc.Expression:
    return value.cast(pa.string())


def _false_if_null(value: pc.Expression) -> pc.Expression:
    return _K("coalesce", [value, pc.scalar(False)])


def _null(arrow_type: pa.DataType) -> pc.Expression:
    return pc.scalar(pa.scalar(None, type=arrow_type))


# -- Java date patterns (DATE_FORMAT, TO_TIMESTAMP, TO_DATE, UNIX_TIMESTAMP, FROM_UNIXTIME) --------

_JAVA_STRFTIME = {"yyyy": "%Y", "yyy": "%Y", "y": "%Y", "yy": "%y", "MMMM": "%B", "MMM": "%b", "MM": "%m",
                  "dd": "%d", "HH": "%H", "hh": "%I", "mm": "%M", "ss": "%S", "a": "%p", "EEEE": "%A",
                  "EEE": "%a", "E": "%a", "DDD": "%j", "Z": "%z", "XXX": "%Ez"}
_JAVA_UNPADDED = {"M": "month", "d": "day", "H": "hour", "m": "minute", "s": "second", "D": "day_of_year"}


def java_pattern(pattern: str) -> List[Any]:
    """A Java DateTimeFormatter pattern as segments: strftime text, or what strftime cannot print:
    ('fraction', digits) of a second, ('field', name) of an unpadded number.

    Examples:
        >>> from fluvial.table._builtins import java_pattern
        >>> java_pattern("yyyy-MM-dd HH:mm:ss.SSS 'at' d")
        ['%Y-%m-%d %H:%M:%S.', ('fraction', 3), ' at ', ('field', 'day')]
    """
    segments: List[Any] = []

    def text(value: str) -> None:
        if segments and isinstance(segments[-1], str):
            segments[-1] += value
        else:
            segments.append(value)

    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "'":
            end = pattern.find("'", i + 1)
            if end == -1:
                raise PlanningError(f"date pattern {pattern!r} has an unclosed quote")
            text("'" if end == i + 1 else pattern[i + 1:end].replace("%", "%%"))
            i = end + 1
            continue
        if not c.isalpha():
            text("%%" if c == "%" else c)
            i += 1
            continue
        j = i
        while j < len(pattern) and pattern[j] == c:
            j += 1
        run = pattern[i:j]
        if c == "S":
            segments.append(("fraction", len(run)))
        elif run in _JAVA_STRFTIME:
            text(_JAVA_STRFTIME[run])
        elif run in _JAVA_UNPADDED:
            segments.append(("field", _JAVA_UNPADDED[run]))
        else:
            raise PlanningError(f"unsupported letters {run!r} in date pattern {pattern!r} (supported: yyyy yy "
                                f"MMMM MMM MM M dd d HH H hh mm m ss s SSS a EEEE EEE DDD Z and 'quoted text'); "
                                f"quote literal text, see the built-in functions in docs/table.md")
        i = j
    return segments


def strptime_format(pattern: str) -> str:
    """The strptime format of a Java pattern used to parse (no fractions of a second)."""
    segments = java_pattern(pattern)
    if any(not isinstance(s, str) for s in segments):
        raise PlanningError(f"date pattern {pattern!r}: parsing supports padded fields only "
                            f"(yyyy MM dd HH mm ss ...), not S, M, d, H, m, s alone")
    return "".join(segments)


def _format_timestamp(value: pc.Expression, arrow_type: pa.DataType, pattern: str) -> pc.Expression:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        value, arrow_type = pc.strptime(value, format="%Y-%m-%d %H:%M:%S", unit="ms", error_is_null=True), \
            pa.timestamp("ms")
    elif pa.types.is_date(arrow_type):
        value, arrow_type = value.cast(pa.timestamp("s")), pa.timestamp("s")
    elif not pa.types.is_timestamp(arrow_type):
        raise PlanningError(f"DATE_FORMAT expects a TIMESTAMP, DATE or STRING, got {arrow_type}")
    seconds = _K("floor_temporal", [value], pc.RoundTemporalOptions(unit="second")).cast(
        pa.timestamp("s", tz=arrow_type.tz))
    pieces = []
    for segment in java_pattern(pattern):
        if isinstance(segment, str):
            pieces.append(pc.strftime(seconds, format=segment))
        elif segment[0] == "fraction":
            digits = segment[1]
            millis = _K("subtract", [value.cast(pa.int64()), _K("multiply", [seconds.cast(pa.int64()),
                                                                               _per_second(arrow_type)])])
            scaled = _fraction_digits(millis, _per_second(arrow_type), digits)
            pieces.append(pc.utf8_lpad(_string(scaled), width=digits, padding="0"))
        else:
            pieces.append(_string(_K(segment[1], [seconds])))
    if len(pieces) == 1:
        return pieces[0]
    return pc.binary_join_element_wise(*pieces, "")


def _per_second(arrow_type: pa.DataType) -> int:
    return {"s": 1, "ms": 1000, "us": 1_000_000, "ns": 1_000_000_000}[arrow_type.unit]


def _fraction_digits(sub: pc.Expression, per_second: int, digits: int) -> pc.Expression:
    scale = 10 ** digits
    if per_second >= scale:
        return _K("divide", [sub, pc.scalar(per_second // scale)])
    return _K("multiply", [sub, pc.scalar(scale // per_second)])


# -- native compilers: (call, compiled args, argument types) -> Arrow expression ------------------

Compiler = Callable[[Call, List[pc.Expression], List[pa.DataType]], pc.Expression]
NATIVE: Dict[str, Compiler] = {}


def _native(*names: str, arity: tuple = (1, 1)):
    def register(compiler: Compiler) -> Compiler:
        def checked(expr: Call, args: List[pc.Expression], types: List[pa.DataType]) -> pc.Expression:
            _arity(expr.function, args, *arity)
            return compiler(expr, args, types)

        for name in names:
            NATIVE[name] = checked
        return compiler

    return register


def _kernel(name: str, kernel: str, arity: int = 1) -> None:
    def compiler(expr: Call, args: List[pc.Expression], types: List[pa.DataType]) -> pc.Expression:
        _arity(name, args, arity)
        return _K(kernel, args)

    NATIVE[name] = compiler


for _name, _kernel_name in (("reverse", "utf8_reverse"), ("log2", "log2"),
                            ("sin", "sin"), ("cos", "cos"), ("tan", "tan"), ("asin", "asin"), ("acos", "acos"),
                            ("atan", "atan"), ("sinh", "sinh"), ("cosh", "cosh"), ("tanh", "tanh"),
                            ("quarter", "quarter"), ("week", "iso_week"), ("dayofyear", "day_of_year"),
                            ("dayofmonth", "day"), ("ltrim", "utf8_ltrim_whitespace"),
                            ("rtrim", "utf8_rtrim_whitespace"), ("btrim", "utf8_trim_whitespace")):
    _kernel(_name, _kernel_name)
_kernel("atan2", "atan2", 2)


def _double(value: pc.Expression) -> pc.Expression:
    return value.cast(pa.float64())


@_native("initcap", arity=(1, 2))
def _initcap(expr, args, types):
    return pc.utf8_title(args[0])  # sqlglot may add its default word delimiters as a second argument


@_native("cot")
def _cot(expr, args, types):
    return _K("divide", [pc.scalar(1.0), _K("tan", [_double(args[0])])])


@_native("degrees")
def _degrees(expr, args, types):
    return _K("multiply", [_double(args[0]), pc.scalar(180.0 / math.pi)])


@_native("radians")
def _radians(expr, args, types):
    return _K("multiply", [_double(args[0]), pc.scalar(math.pi / 180.0)])


@_native("pi", arity=(0, 0))
def _pi(expr, args, types):
    return pc.scalar(math.pi)


@_native("e", arity=(0, 0))
def _e(expr, args, types):
    return pc.scalar(math.e)


@_native("ceil", "floor")
def _ceil_floor(expr, args, types):
    if pa.types.is_integer(types[0]):
        return args[0]  # Flink: CEIL/FLOOR of an integer is that integer, of its type
    return _K(expr.function, args)


@_native("power", arity=(2, 2))
def _power(expr, args, types):
    return _K("power", [_double(args[0]), _double(args[1])])  # Flink: always DOUBLE


@_native("log", arity=(1, 2))
def _log(expr, args, types):
    if len(args) == 1:
        return _K("ln", [_double(args[0])])
    return _K("logb", [_double(args[1]), _double(args[0])])  # LOG(base, x)


@_native("mod", arity=(2, 2))
def _mod(expr, args, types):
    # Java's %: the sign of the dividend (a - trunc(a / b) * b); integers stay integers.
    a, b = args
    if all(pa.types.is_integer(t) for t in types):
        return _K("subtract", [a, _K("multiply", [_K("divide", [a, b]), b])])
    a, b = _double(a), _double(b)
    return _K("subtract", [a, _K("multiply", [_K("trunc", [_K("divide", [a, b])]), b])])


@_native("truncate", arity=(1, 2))
def _truncate(expr, args, types):
    digits = _lit(expr.args[1], "TRUNCATE digits") if len(args) > 1 else 0
    if pa.types.is_integer(types[0]) and digits >= 0:
        return args[0]
    return pc.round(args[0], ndigits=digits, round_mode="towards_zero")


@_native("greatest", "least", arity=(1, 1000))
def _extreme(expr, args, types):
    from fluvial.table._collections import common_type

    target = common_type(expr.function, types)
    cast = [a if t == target else a.cast(target) for a, t in zip(args, types)]
    kernel = "max_element_wise" if expr.function == "greatest" else "min_element_wise"
    # Flink: NULL if any argument is NULL.
    return _K(kernel, cast, pc.ElementWiseAggregateOptions(skip_nulls=False))


@_native("lpad", "rpad", arity=(3, 3))
def _pad(expr, args, types):
    width, padding = _lit(expr.args[1], "pad length"), _lit(expr.args[2], "pad string")
    if width is None or padding is None or width < 0 or padding == "":
        return _null(pa.string())
    pad = pc.utf8_lpad if expr.function == "lpad" else pc.utf8_rpad
    return pc.utf8_slice_codeunits(pad(args[0], width=width, padding=padding), start=0, stop=width)


@_native("repeat", arity=(2, 2))
def _repeat(expr, args, types):
    times = _K("max_element_wise", [args[1].cast(pa.int64()), pc.scalar(0)],
               pc.ElementWiseAggregateOptions(skip_nulls=False))
    return _K("binary_repeat", [args[0], times])


@_native("locate", arity=(2, 3))
def _locate(expr, args, types):
    """LOCATE(needle, s[, from]) / POSITION(needle IN s) / INSTR(s, needle): from 1; 0 if absent."""
    needle = _lit(expr.args[0], "the searched string")
    start = _lit(expr.args[2], "LOCATE start") if len(args) > 2 else 1
    if needle is None or start is None:
        return _null(pa.int32())
    begin = max(start - 1, 0)
    found = pc.find_substring(pc.utf8_slice_codeunits(args[1], start=begin), pattern=needle)
    return pc.if_else(pc.equal(found, -1), 0, _K("add", [found, pc.scalar(begin + 1)])).cast(pa.int32())


@_native("instr", "str_position", arity=(2, 3))
def _instr(expr, args, types):
    """INSTR(s, needle) and sqlglot's STR_POSITION(s, needle[, from])."""
    swapped = [expr.args[1], expr.args[0]] + expr.args[2:]
    return _locate(Call("locate", swapped), [args[1], args[0]] + args[2:], [types[1], types[0]] + types[2:])


@_native("regexp", arity=(2, 2))
def _regexp(expr, args, types):
    return pc.match_substring_regex(args[0], pattern=_lit(expr.args[1], "REGEXP pattern"))


@_native("regexp_count", arity=(2, 2))
def _regexp_count(expr, args, types):
    return pc.count_substring_regex(args[0], pattern=_lit(expr.args[1], "REGEXP_COUNT pattern")).cast(pa.int32())


@_native("regexp_replace", arity=(3, 3))
def _regexp_replace(expr, args, types):
    pattern = _lit(expr.args[1], "REGEXP_REPLACE pattern")
    replacement = _lit(expr.args[2], "REGEXP_REPLACE replacement")
    # Java's $1 group references are RE2's \1.
    replacement = re.sub(r"\$(\d)", r"\\\1", replacement.replace("\\", "\\\\"))
    return pc.replace_substring_regex(args[0], pattern=pattern, replacement=replacement)


@_native("replace", arity=(3, 3))
def _replace(expr, args, types):
    return pc.replace_substring(args[0], pattern=_lit(expr.args[1], "REPLACE search string"),
                                replacement=_lit(expr.args[2], "REPLACE replacement"))


@_native("startswith", "endswith", arity=(2, 2))
def _starts(expr, args, types):
    kernel = pc.starts_with if expr.function == "startswith" else pc.ends_with
    return kernel(args[0], pattern=_lit(expr.args[1], f"{expr.function.upper()} prefix"))


@_native("concat_ws", arity=(2, 1000))
def _concat_ws(expr, args, types):
    # NULL separator → NULL; NULL strings are skipped.
    return pc.binary_join_element_wise(*[_string(a) for a in args[1:]], _string(args[0]), null_handling="skip")


@_native("left", "right", arity=(2, 2))
def _left_right(expr, args, types):
    count = _lit(expr.args[1], f"{expr.function.upper()} length")
    if count is None:
        return _null(pa.string())
    if count <= 0:
        return pc.if_else(pc.is_null(args[0]), _null(pa.string()), pc.scalar(""))
    if expr.function == "left":
        return pc.utf8_slice_codeunits(args[0], start=0, stop=count)
    return pc.utf8_slice_codeunits(args[0], start=-count)


@_native("trim_chars", arity=(3, 3))
def _trim_chars(expr, args, types):
    """TRIM(BOTH|LEADING|TRAILING chars FROM s): args are s, chars, position."""
    chars, position = _lit(expr.args[1], "TRIM characters"), _lit(expr.args[2], "TRIM position")
    kernel = {"LEADING": pc.utf8_ltrim, "TRAILING": pc.utf8_rtrim}.get(position, pc.utf8_trim)
    return kernel(args[0], characters=chars)


@_native("nullif", arity=(2, 2))
def _nullif(expr, args, types):
    return pc.if_else(_false_if_null(pc.equal(args[0], args[1])), _null(types[0]), args[0])


@_native("is_alpha", "is_digit", "is_decimal")
def _is_class(expr, args, types):
    if expr.function == "is_alpha":
        test = pc.utf8_is_alpha(args[0])
    elif expr.function == "is_digit":
        test = pc.utf8_is_digit(args[0])
    else:
        test = pc.match_substring_regex(args[0], pattern=r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
    return _false_if_null(test)


@_native("is_true", "is_false", "is_not_true", "is_not_false")
def _is_truth(expr, args, types):
    # NULL (UNKNOWN) is neither TRUE nor FALSE.
    if expr.function in ("is_true", "is_not_true"):
        value = _false_if_null(args[0])
        return value if expr.function == "is_true" else pc.invert(value)
    value = _K("coalesce", [args[0], pc.scalar(True)])
    return value if expr.function == "is_not_false" else pc.invert(value)


@_native("is_distinct_from", "is_not_distinct_from", arity=(2, 2))
def _distinct_from(expr, args, types):
    a, b = args
    both = _K("and", [pc.is_valid(a), pc.is_valid(b)])
    different = pc.if_else(both, pc.not_equal(a, b), pc.not_equal(pc.is_null(a), pc.is_null(b)))
    return different if expr.function == "is_distinct_from" else pc.invert(different)


_INTEGER_TEXT = r"^\s*[+-]?\d{1,18}\s*$"
_NUMBER_TEXT = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"


@_native("try_cast")
def _try_cast(expr, args, types):
    """TRY_CAST: NULL where CAST would fail (a string that is not a number of the type, an overflow)."""
    target = expr.data_type.arrow_type
    value, source = args[0], types[0]
    if pa.types.is_string(source) or pa.types.is_large_string(source):
        if pa.types.is_integer(target) or pa.types.is_floating(target) or pa.types.is_decimal(target):
            pattern = _INTEGER_TEXT if pa.types.is_integer(target) else _NUMBER_TEXT
            valid = _false_if_null(pc.match_substring_regex(value, pattern=pattern))
            value = pc.if_else(valid, pc.utf8_trim_whitespace(value), _null(pa.string()))
            if pa.types.is_integer(target):
                value, source = value.cast(pa.int64()), pa.int64()
            else:
                return value.cast(target, safe=False)
        elif pa.types.is_timestamp(target) or pa.types.is_date(target):
            parsed = pc.strptime(value, format="%Y-%m-%d %H:%M:%S", unit="ms", error_is_null=True)
            day = pc.strptime(value, format="%Y-%m-%d", unit="ms", error_is_null=True)
            return _K("coalesce", [parsed, day]).cast(target, safe=False)
        elif pa.types.is_boolean(target):
            lowered = pc.utf8_lower(pc.utf8_trim_whitespace(value))
            return pc.if_else(pc.equal(lowered, "true"), True,
                              pc.if_else(pc.equal(lowered, "false"), False, _null(pa.bool_())))
    if pa.types.is_integer(target) and (pa.types.is_integer(source) or pa.types.is_floating(source)):
        info = np.iinfo(target.to_pandas_dtype())
        inside = _K("and", [pc.greater_equal(value, pc.scalar(int(info.min))),
                            pc.less_equal(value, pc.scalar(int(info.max)))])
        return pc.if_else(inside, value, _null(source)).cast(options=pc.CastOptions(target, allow_float_truncate=True))
    return value.cast(target, safe=False)


@_native("cast")
def _cast(expr, args, types):
    target = expr.data_type.arrow_type
    value, source = args[0], types[0]
    if pa.types.is_struct(target) and pa.types.is_struct(source):
        # Flink casts a ROW field by field in order; Arrow would match the fields by name.
        if source.num_fields != target.num_fields:
            raise PlanningError(f"cannot CAST a ROW of {source.num_fields} field(s) to {expr.data_type!r}")
        fields = [_K("struct_field", [value], pc.StructFieldOptions(i)).cast(f.type) for i, f in enumerate(target)]
        return pc.make_struct(*fields, field_names=[f.name for f in target])
    if (pa.types.is_string(source) or pa.types.is_large_string(source)) and \
            (pa.types.is_time(target) or pa.types.is_timestamp(target)):
        return _cast_text_to_time(expr.args[0], value, target)
    # Flink's CAST of a DOUBLE to an integer truncates.
    return value.cast(options=pc.CastOptions(target, allow_float_truncate=True))


def _cast_text_to_time(argument, value, target):
    """CAST of text to TIME ('12:00:00', '12:00:00.123') or TIMESTAMP ('1999-9-10 05:20:10': Flink
    takes one-digit months and days). A literal is parsed here (a bad one fails naming it);
    a column as Arrow parses it."""
    import datetime
    import re

    if not isinstance(argument, Lit):
        if pa.types.is_time(target):
            day = pc.binary_join_element_wise(pc.scalar("1970-01-01 "), value, pc.scalar(""))
            return pc.strptime(day, format="%Y-%m-%d %H:%M:%S", unit="us").cast(pa.time64("us")).cast(target)
        return value.cast(target)
    text = argument.value
    if text is None:
        return pc.scalar(pa.scalar(None, type=target))
    stripped = str(text).strip()
    try:
        if pa.types.is_time(target):
            return pc.scalar(pa.scalar(datetime.time.fromisoformat(stripped), type=pa.time64("us")).cast(target))
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?",
                             stripped)
        if match is None:
            raise ValueError(stripped)
        year, month, day, hour, minute, second, fraction = match.groups()
        micros = int((fraction or "0")[:6].ljust(6, "0"))
        moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                   int(second or 0), micros)
        return pc.scalar(pa.scalar(moment, type=pa.timestamp("us")).cast(target))
    except ValueError:
        kind = "TIME (HH:mm:ss[.fff])" if pa.types.is_time(target) else "TIMESTAMP (yyyy-MM-dd HH:mm:ss[.fff])"
        raise PlanningError(f"CAST: {text!r} is not a {kind}") from None


@_native("typeof", arity=(1, 2))
def _typeof(expr, args, types):
    from fluvial.table.types import from_arrow

    return pc.scalar(repr(from_arrow(types[0])))


# -- temporal -------------------------------------------------------------------------------

_EXTRACT = {"YEAR": "year", "QUARTER": "quarter", "MONTH": "month", "WEEK": "iso_week", "DAY": "day",
            "DOY": "day_of_year", "DAYOFYEAR": "day_of_year", "HOUR": "hour", "MINUTE": "minute",
            "SECOND": "second", "MILLISECOND": "millisecond", "MICROSECOND": "microsecond",
            "DOW": "day_of_week", "DAYOFWEEK": "day_of_week", "DAYOFMONTH": "day"}


@_native("extract", arity=(2, 2))
def _extract(expr, args, types):
    unit = str(_lit(expr.args[0], "EXTRACT unit")).upper()
    if unit not in _EXTRACT:
        raise PlanningError(f"EXTRACT({unit} FROM ...) is not supported (supported: {', '.join(_EXTRACT)})")
    if _EXTRACT[unit] == "day_of_week":
        return _dayofweek(Call("dayofweek", expr.args[1:]), args[1:], types[1:])
    return _K(_EXTRACT[unit], [args[1]])


@_native("dayofweek")
def _dayofweek(expr, args, types):
    # Flink: 1 = Sunday ... 7 = Saturday.
    return pc.day_of_week(args[0], count_from_zero=False, week_start=7)


_UNIT_MILLIS = {"MILLISECOND": 1, "SECOND": 1000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000,
                "WEEK": 7 * 86_400_000}
_MONTH_UNITS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}


def _unit(expr: Expression, function: str) -> str:
    unit = str(_lit(expr, f"{function} unit")).upper().removeprefix("SQL_TSI_")
    if unit not in _UNIT_MILLIS and unit not in _MONTH_UNITS:
        raise PlanningError(f"{function} unit {unit} is not supported (supported: "
                            f"{', '.join(list(_UNIT_MILLIS) + list(_MONTH_UNITS))})")
    return unit


def _as_timestamp(value: pc.Expression, arrow_type: pa.DataType, function: str) -> pc.Expression:
    if pa.types.is_timestamp(arrow_type):
        return value.cast(pa.timestamp("ms", tz=arrow_type.tz), safe=False)
    if pa.types.is_date(arrow_type):
        return value.cast(pa.timestamp("ms"))
    raise PlanningError(f"{function} expects a TIMESTAMP or DATE, got {arrow_type}")


@_native("timestampadd", arity=(3, 3))
def _timestampadd(expr, args, types):
    unit = _unit(expr.args[0], "TIMESTAMPADD")
    if unit in _MONTH_UNITS:
        return None  # a Python step (calendar months): see call()
    stamp = _as_timestamp(args[2], types[2], "TIMESTAMPADD")
    offset = _K("multiply", [args[1].cast(pa.int64()), pc.scalar(_UNIT_MILLIS[unit])]).cast(pa.duration("ms"))
    result = _K("add", [stamp, offset])
    if pa.types.is_date(types[2]) and unit in ("DAY", "WEEK"):
        return result.cast(pa.date32())
    return result


@_native("timestampdiff", arity=(3, 3))
def _timestampdiff(expr, args, types):
    unit = _unit(expr.args[0], "TIMESTAMPDIFF")
    first, second = (_as_timestamp(a, t, "TIMESTAMPDIFF") for a, t in zip(args[1:], types[1:]))
    if unit in _MONTH_UNITS:
        # Whole months from first to second (a month counts once its day and time are reached).
        months = _K("add", [_K("multiply", [_K("subtract", [pc.year(second), pc.year(first)]), pc.scalar(12)]),
                            _K("subtract", [pc.month(second), pc.month(first)])])
        rest_first = _K("subtract", [first.cast(pa.int64()), _K("floor_temporal", [first],
                                                                 pc.RoundTemporalOptions(unit="month")).cast(pa.int64())])
        rest_second = _K("subtract", [second.cast(pa.int64()), _K("floor_temporal", [second],
                                                                   pc.RoundTemporalOptions(unit="month")).cast(pa.int64())])
        adjust = pc.if_else(_K("and", [pc.greater(months, 0), pc.less(rest_second, rest_first)]), -1,
                            pc.if_else(_K("and", [pc.less(months, 0), pc.greater(rest_second, rest_first)]), 1, 0))
        return _K("divide", [_K("add", [months, adjust]), pc.scalar(_MONTH_UNITS[unit])]).cast(pa.int32())
    millis = _K("subtract", [second.cast(pa.int64()), first.cast(pa.int64())])
    return _K("divide", [millis, pc.scalar(_UNIT_MILLIS[unit])]).cast(pa.int32())


@_native("floor_to", "ceil_to", arity=(2, 2))
def _floor_ceil_to(expr, args, types):
    unit = str(_lit(expr.args[1], "FLOOR/CEIL unit")).upper()
    units = {"MILLISECOND": "millisecond", "SECOND": "second", "MINUTE": "minute", "HOUR": "hour", "DAY": "day",
             "WEEK": "week", "MONTH": "month", "QUARTER": "quarter", "YEAR": "year"}
    if unit not in units:
        raise PlanningError(f"FLOOR/CEIL(... TO {unit}) is not supported (supported: {', '.join(units)})")
    kernel = "floor_temporal" if expr.function == "floor_to" else "ceil_temporal"
    options = pc.RoundTemporalOptions(unit=units[unit], week_starts_monday=True)
    return _K(kernel, [args[0]], options)


@_native("date_format", arity=(2, 2))
def _date_format(expr, args, types):
    return _format_timestamp(args[0], types[0], _lit(expr.args[1], "DATE_FORMAT pattern"))


@_native("to_timestamp", arity=(1, 2))
def _to_timestamp(expr, args, types):
    fmt = strptime_format(_lit(expr.args[1], "TO_TIMESTAMP format")) if len(args) > 1 else "%Y-%m-%d %H:%M:%S"
    return pc.strptime(args[0], format=fmt, unit="ms", error_is_null=True)


@_native("to_date", arity=(1, 2))
def _to_date(expr, args, types):
    fmt = strptime_format(_lit(expr.args[1], "TO_DATE format")) if len(args) > 1 else "%Y-%m-%d"
    return pc.strptime(args[0], format=fmt, unit="s", error_is_null=True).cast(pa.date32())


@_native("unix_timestamp", arity=(1, 2))
def _unix_timestamp(expr, args, types):
    fmt = strptime_format(_lit(expr.args[1], "UNIX_TIMESTAMP format")) if len(args) > 1 else "%Y-%m-%d %H:%M:%S"
    return pc.strptime(args[0], format=fmt, unit="s", error_is_null=True).cast(pa.int64())


@_native("from_unixtime", arity=(1, 2))
def _from_unixtime(expr, args, types):
    pattern = _lit(expr.args[1], "FROM_UNIXTIME format") if len(args) > 1 else "yyyy-MM-dd HH:mm:ss"
    return _format_timestamp(args[0].cast(pa.int64()).cast(pa.timestamp("s")), pa.timestamp("s"), pattern)


@_native("to_timestamp_ltz", arity=(1, 2))
def _to_timestamp_ltz(expr, args, types):
    precision = _lit(expr.args[1], "TO_TIMESTAMP_LTZ precision") if len(args) > 1 else 3
    unit = {0: "s", 3: "ms"}.get(precision)
    if unit is None:
        raise PlanningError("TO_TIMESTAMP_LTZ precision must be 0 (seconds) or 3 (milliseconds)")
    return args[0].cast(pa.int64()).cast(pa.timestamp(unit, tz="UTC")).cast(pa.timestamp("ms", tz="UTC"))


# -- Python steps: batch functions without an Arrow kernel -----------------------------------------

def _per_row(function: Callable[..., Any]) -> Callable[..., Any]:
    """Lifts a function of non-NULL values to SQL's NULL in → NULL out."""
    def lifted(*values: Any) -> Any:
        return None if any(v is None for v in values) else function(*values)

    return lifted


def _hash(algorithm: str) -> Callable[[str], str]:
    return _per_row(lambda s: hashlib.new(algorithm, s.encode() if isinstance(s, str) else s).hexdigest())


def _sha2(s: Any, bits: int) -> Optional[str]:
    if bits not in (224, 256, 384, 512):
        return None  # Flink: NULL for an unsupported length
    return _hash(f"sha{bits}")(s)


def _bin(value: int) -> str:
    return format(value & 0xFFFFFFFFFFFFFFFF if value < 0 else value, "b")  # Java's Long.toBinaryString


def _hex(value: Any) -> str:
    if isinstance(value, str):
        return value.encode().hex().upper()
    if isinstance(value, bytes):
        return value.hex().upper()
    return format(int(value) & 0xFFFFFFFFFFFFFFFF if value < 0 else int(value), "X")


def _from_base64(text: str) -> Optional[str]:
    try:
        return base64.b64decode(text, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None


def _convert_tz(text: str, source: str, target: str) -> Optional[str]:
    from zoneinfo import ZoneInfo

    try:
        moment = _dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZoneInfo(source))
    except ValueError:
        return None
    return moment.astimezone(ZoneInfo(target)).strftime("%Y-%m-%d %H:%M:%S")


def _parse_url(url: str, part: str, key: Any = "absent") -> Optional[str]:
    parts = urlsplit(url)
    part = part.upper()
    if part == "QUERY" and key != "absent":
        values = parse_qs(parts.query, keep_blank_values=True).get(key)
        return values[0] if values else None
    value = {"HOST": parts.hostname, "PATH": parts.path, "QUERY": parts.query, "REF": parts.fragment,
             "PROTOCOL": parts.scheme, "AUTHORITY": parts.netloc, "USERINFO": parts.username and (
                 parts.username + (f":{parts.password}" if parts.password else "")),
             "FILE": parts.path + (f"?{parts.query}" if parts.query else "")}.get(part)
    return value if value != "" or part in ("PATH", "FILE") else None


def _str_to_map(text: str, pair_delimiter: str = ",", key_delimiter: str = "=") -> list:
    """Flink's STR_TO_MAP: both delimiters are regular expressions; a pair without one maps to NULL."""
    entries: Dict[str, Optional[str]] = {}
    for pair in re.split(pair_delimiter, text):
        key_value = re.split(key_delimiter, pair, maxsplit=1)
        entries[key_value[0]] = key_value[1] if len(key_value) > 1 else None
    return list(entries.items())


def _json(text: Any) -> Any:
    import json

    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return _NOT_JSON


_NOT_JSON = object()


def _is_json(text: Optional[str], kind: str = "VALUE") -> bool:
    """s IS JSON [VALUE|OBJECT|ARRAY|SCALAR]: FALSE (not NULL) for a NULL string, as Flink."""
    value = _NOT_JSON if text is None else _json(text)
    if value is _NOT_JSON:
        return False
    return {"OBJECT": isinstance(value, dict), "ARRAY": isinstance(value, list),
            "SCALAR": not isinstance(value, (dict, list))}.get(kind, True)


def _json_exists(text: str, path: str) -> Optional[bool]:
    from fluvial.table._python_builtins import _path

    value = _json(text)
    if value is _NOT_JSON:
        return False
    for step in _path(path):
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return False
        elif not isinstance(value, dict) or step not in value:
            return False
        value = value[step]
    return True


def _json_string(value: Any) -> Optional[str]:
    import json

    if value is None:
        return None
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        value = value.isoformat()
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _add_months(stamp: Any, count: int, unit: str) -> Any:
    months = count * _MONTH_UNITS[unit]
    total = stamp.year * 12 + stamp.month - 1 + months
    year, month = divmod(total, 12)
    import calendar

    day = min(stamp.day, calendar.monthrange(year, month + 1)[1])
    return stamp.replace(year=year, month=month + 1, day=day)


def _rows(count: int, value: Any, arrow_type: pa.DataType) -> pa.Array:
    return pa.array([value] * count, type=arrow_type)


def _now(arrow_type: pa.DataType) -> Callable[..., pa.Array]:
    def evaluate(result_type: pa.DataType, marker: pa.Array) -> pa.Array:
        now = _dt.datetime.now(_dt.timezone.utc)
        if pa.types.is_date(result_type):
            return _rows(len(marker), now.date(), result_type)
        if pa.types.is_time(result_type):
            return _rows(len(marker), now.time().replace(tzinfo=None), result_type)
        if pa.types.is_integer(result_type):
            return _rows(len(marker), int(now.timestamp()), result_type)
        return _rows(len(marker), now if result_type.tz else now.replace(tzinfo=None), result_type)

    return evaluate


class _Random:
    """RAND([seed]) and RAND_INTEGER([seed,] bound): one generator per plan, seeded if asked."""

    def __init__(self, integer: bool):
        self.integer = integer
        self.generators: Dict[Any, np.random.Generator] = {}

    def __call__(self, result_type: pa.DataType, seed: pa.Array, *bound: pa.Array) -> pa.Array:
        key = seed[0].as_py() if len(seed) else None
        generator = self.generators.get(key)
        if generator is None:
            generator = self.generators[key] = np.random.default_rng(key)
        if not self.integer:
            return pa.array(generator.random(len(seed)), type=result_type)
        bounds = bound[0].to_numpy(zero_copy_only=False)
        values = np.floor(generator.random(len(seed)) * bounds).astype(np.int64)
        return pa.array(values, type=result_type, mask=bound[0].is_null().to_numpy(zero_copy_only=False))


def _random_step(name: str, arity: range, result: pa.DataType, integer: bool) -> Any:
    from fluvial.table._collections import CollectionFunction

    class RandomStep(CollectionFunction):
        """A RAND step: each run of the job starts the seeded sequences afresh, as Flink."""

        def _open(self, job_parameters: Any) -> None:
            self._evaluate_columns = _Random(integer)

    return RandomStep(name, arity, _fixed(result), _Random(integer), per_row=False)


def _fixed(result: pa.DataType) -> Callable[[List[pa.DataType]], pa.DataType]:
    return lambda types: result


def _step(name: str, arity: range, result: Any, evaluate: Callable[..., Any], per_row: bool = True) -> Any:
    from fluvial.table._collections import CollectionFunction

    typer = result if callable(result) and not isinstance(result, pa.DataType) else _fixed(result)
    return CollectionFunction(name, arity, typer, evaluate, per_row)


def _timestamp_type(types: List[pa.DataType]) -> pa.DataType:
    return types[2] if pa.types.is_timestamp(types[2]) or pa.types.is_date(types[2]) else pa.timestamp("ms")


STEPS: Dict[str, Any] = {
    "md5": _step("md5", range(1, 2), pa.string(), _hash("md5")),
    "sha1": _step("sha1", range(1, 2), pa.string(), _hash("sha1")),
    "sha224": _step("sha224", range(1, 2), pa.string(), _hash("sha224")),
    "sha256": _step("sha256", range(1, 2), pa.string(), _hash("sha256")),
    "sha384": _step("sha384", range(1, 2), pa.string(), _hash("sha384")),
    "sha512": _step("sha512", range(1, 2), pa.string(), _hash("sha512")),
    "sha2": _step("sha2", range(2, 3), pa.string(), _per_row(_sha2)),
    "to_base64": _step("to_base64", range(1, 2), pa.string(), _per_row(
        lambda s: base64.b64encode(s.encode() if isinstance(s, str) else s).decode())),
    "from_base64": _step("from_base64", range(1, 2), pa.string(), _per_row(_from_base64)),
    "ascii": _step("ascii", range(1, 2), pa.int32(), _per_row(lambda s: ord(s[0]) if s else 0)),
    "chr": _step("chr", range(1, 2), pa.string(), _per_row(lambda i: chr(i % 256) if i >= 0 else None)),
    "bin": _step("bin", range(1, 2), pa.string(), _per_row(_bin)),
    "hex": _step("hex", range(1, 2), pa.string(), _per_row(_hex)),
    "url_encode": _step("url_encode", range(1, 2), pa.string(), _per_row(
        lambda s: quote_plus(s, safe="*").replace("~", "%7E"))),
    "url_decode": _step("url_decode", range(1, 2), pa.string(), _per_row(unquote_plus)),
    "parse_url": _step("parse_url", range(2, 4), pa.string(), _per_row(_parse_url)),
    "str_to_map": _step("str_to_map", range(1, 4), pa.map_(pa.string(), pa.string()), _per_row(_str_to_map)),
    "lpad": _step("lpad", range(3, 4), pa.string(), _per_row(
        lambda s, n, p: None if n < 0 or p == "" else ((p * n)[:max(n - len(s), 0)] + s)[:n])),
    "rpad": _step("rpad", range(3, 4), pa.string(), _per_row(
        lambda s, n, p: None if n < 0 or p == "" else (s + p * n)[:n])),
    "is_json": _step("is_json", range(1, 3), pa.bool_(), _is_json),
    "json_exists": _step("json_exists", range(2, 3), pa.bool_(), _per_row(_json_exists)),
    "json_string": _step("json_string", range(1, 2), pa.string(), _json_string),
    "convert_tz": _step("convert_tz", range(3, 4), pa.string(), _per_row(_convert_tz)),
    "timestampadd": _step("timestampadd", range(3, 4), _timestamp_type, _per_row(
        lambda unit, n, stamp: _add_months(stamp, n, unit))),
    "uuid": _step("uuid", range(1, 2), pa.string(), lambda _marker: str(uuid.uuid4())),
    "rand": _random_step("rand", range(1, 2), pa.float64(), False),
    "rand_integer": _random_step("rand_integer", range(2, 3), pa.int32(), True),
    "current_timestamp": _step("current_timestamp", range(1, 2), pa.timestamp("ms", tz="UTC"),
                               _now(pa.timestamp("ms", tz="UTC")), per_row=False),
    "localtimestamp": _step("localtimestamp", range(1, 2), pa.timestamp("ms"), _now(pa.timestamp("ms")),
                            per_row=False),
    "current_date": _step("current_date", range(1, 2), pa.date32(), _now(pa.date32()), per_row=False),
    "current_time": _step("current_time", range(1, 2), pa.time32("ms"), _now(pa.time32("ms")), per_row=False),
    "unix_timestamp_now": _step("unix_timestamp", range(1, 2), pa.int64(), _now(pa.int64()), per_row=False),
}

# Names that are another function's (SQL synonyms, sqlglot's spelling).
ALIASES = {"now": "current_timestamp", "localtime": "current_time", "current_row_timestamp": "current_timestamp",
           "position": "locate", "sha": "sha1", "day_of_year": "dayofyear",
           "day_of_month": "dayofmonth", "day_of_week": "dayofweek", "starts_with": "startswith",
           "ends_with": "endswith", "trunc": "truncate", "ceiling": "ceil", "character_length": "char_length",
           "substr": "substring", "ifnull": "coalesce", "rand_int": "rand_integer"}
_TIME_STEPS = ("current_timestamp", "localtimestamp", "current_date", "current_time")
FUNCTIONS = sorted((set(NATIVE) | set(STEPS) | set(ALIASES)) - {"trim_chars", "unix_timestamp_now", "str_position"})


def call(name: str, args: List[Expression]) -> Optional[Expression]:
    """The IR node of built-in 'name' (any case, synonyms included), or None if it is not one here.

    Examples:
        >>> from fluvial.table._builtins import call
        >>> from fluvial.table.expressions import col, lit
        >>> call("LPAD", [col("s"), lit(5), lit("0")]), call("lpad", [col("s"), lit(5), lit("ab")])
        (LPAD(s, 5, '0'), LPAD(s, 5, 'ab'))
    """
    name = ALIASES.get(name.lower(), name.lower())
    if name in _TIME_STEPS:
        _arity(name, args, 0, 1)
        return UdfCall(STEPS[name], [Lit(0)])
    if name == "unix_timestamp" and not args:
        return UdfCall(STEPS["unix_timestamp_now"], [Lit(0)])
    if name in ("rand", "rand_integer", "uuid"):
        seeded = name == "rand" and len(args) == 1 or name == "rand_integer" and len(args) == 2
        seed = args[0] if seeded else Lit(None)
        if seeded and not isinstance(seed, Lit):
            raise PlanningError(f"the seed of {name.upper()} must be a literal, got {seed!r}")
        rest = args[1:] if seeded else args
        _arity(name, rest, 1 if name == "rand_integer" else 0)
        return UdfCall(STEPS[name], [Lit(seed.value if seeded else None, None)] + rest)
    if name in ("lpad", "rpad"):
        _arity(name, args, 3)
    if name in ("lpad", "rpad") and not (
            all(isinstance(a, Lit) for a in args[1:]) and isinstance(args[2].value, str) and len(args[2].value) <= 1):
        return UdfCall(STEPS[name], args)
    if name == "timestampadd" and len(args) == 3 and isinstance(args[0], Lit) \
            and str(args[0].value).upper() in _MONTH_UNITS:
        return UdfCall(STEPS[name], [Lit(str(args[0].value).upper())] + args[1:])
    if name in NATIVE:
        return Call(name, list(args))
    if name in STEPS:
        return UdfCall(STEPS[name], list(args))
    return None


def compile_native(expr: Call, args: List[pc.Expression], types: List[pa.DataType]) -> pc.Expression:
    return NATIVE[expr.function](expr, args, types)


__all__: list = []  # internal: reached through SQL, call('name', ...) and the Expression methods
