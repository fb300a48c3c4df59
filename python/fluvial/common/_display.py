"""Text of a record as Flink shows it (print sinks, string encoders).

PyFlink hands records to Java, so users see Java's toString: ``+I[1, a]`` for
a Row, ``(a,1)`` for a tuple, ``null``, ``true``. Fluvial keeps the same text
so output and expected-output files carry over unchanged.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fluvial.common._conversion import converter_for, to_float32
from fluvial.common._java_hash_map import deserialized_order
from fluvial.common.typeinfo import (
    BasicType,
    BasicTypeInfo,
    MapTypeInfo,
    PickledBytesTypeInfo,
    PrimitiveArrayTypeInfo,
    RowTypeInfo,
    TupleTypeInfo,
    _ElementTypeInfo,
)
from fluvial.common.types import Row


def display(value: Any) -> str:
    """Returns the text Flink prints for `value`."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return _display_float(value)
    if isinstance(value, Row):
        fields = ", ".join(display(field) for field in value)
        return f"{value.get_row_kind().short_string()}[{fields}]"
    if isinstance(value, tuple):
        return "(" + ",".join(display(field) for field in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(display(element) for element in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{display(k)}={display(v)}" for k, v in value.items()) + "}"
    return str(value)


def _display_float(value: float) -> str:
    # Java's Double.toString: 1.0, 0.001, 1.0E-4, 1.0E7, NaN, Infinity.
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return _java_decimal_text(value, repr(value))


def display_float32(value: float) -> str:
    """Java's Float.toString: the shortest decimal that reads back as the same 32-bit float."""
    value = to_float32(value)
    if value != value or value in (float("inf"), float("-inf")):
        return _display_float(value)
    for precision in range(1, 10):
        text = f"{value:.{precision}g}"
        if to_float32(float(text)) == value:
            break
    return _java_decimal_text(value, text)


def _java_decimal_text(value: float, shortest: str) -> str:
    # 'shortest' is the shortest round-tripping decimal of 'value', in Python's notation.
    magnitude = abs(value)
    decimal = Decimal(shortest)
    sign = "-" if str(value).startswith("-") else ""
    digits = "".join(map(str, decimal.as_tuple().digits)).rstrip("0") or "0"
    if magnitude == 0 or 1e-3 <= magnitude < 1e7:
        exponent = decimal.adjusted()
        if exponent < 0:
            return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
        whole, fraction = digits[:exponent + 1], digits[exponent + 1:]
        return f"{sign}{whole.ljust(exponent + 1, '0')}.{fraction or '0'}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{decimal.adjusted()}"


# ---------------------------------------------------------------- text by declared type
# A typed stream's records reach Java in PyFlink, so its sinks show Java's toString of
# the Java object the type maps to: a TUPLE is a Tuple2 `(a,1)`, a FLOAT a Float `110.1`,
# an INSTANT `1970-01-01T00:00:00Z`. DataStream.print() differs for two kinds of stream:
# it first maps untyped records through Python's str() and ROW records to
# `+I[field,field]` (each field's str()), as PyFlink's print() does.


def print_text_for(type_info: Any) -> Callable[[Any], str]:
    """The text DataStream.print() shows for a record of a stream of `type_info`."""
    if type_info is None or isinstance(type_info, PickledBytesTypeInfo):
        return _python_text
    if isinstance(type_info, RowTypeInfo):
        convert = converter_for(type_info)

        def row_text(value):
            row = convert(value)
            items = ",".join(str(item) for item in row)
            return f"{row.get_row_kind().short_string()}[{items}]"

        return row_text
    return java_text_for(type_info)


def sink_text_for(type_info: Any) -> Callable[[Any], str]:
    """The text a string-encoding sink (PrintSink, a FileSink's simple string encoder)
    writes for a record of a stream of `type_info`; untyped streams keep `display()`."""
    if type_info is None or isinstance(type_info, PickledBytesTypeInfo):
        return display
    return java_text_for(type_info)


def _python_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def java_text_for(type_info: Any) -> Callable[[Any], str]:
    """Java's toString of the object PyFlink makes of a value of `type_info`."""
    convert = converter_for(type_info)
    text = _java_text(type_info)

    def java_text(value):
        return "null" if value is None else text(convert(value))

    return java_text


def _java_text(type_info: Any) -> Callable[[Any], str]:
    # Builds the text of a converted, non-None value.
    if isinstance(type_info, TupleTypeInfo):
        fields = [_field_text(field) for field in type_info.get_field_types()]
        # Flink's Tuple.toString: "(" + fields joined by "," + ")", arrays shown element-wise.
        return lambda value: "(" + ",".join(text(item) for text, item in zip(fields, value)) + ")"
    if isinstance(type_info, RowTypeInfo):
        fields = [_field_text(field) for field in type_info.get_field_types()]

        def row_text(row):
            items = ", ".join(text(item) for text, item in zip(fields, row))
            return f"{row.get_row_kind().short_string()}[{items}]"

        return row_text
    if isinstance(type_info, MapTypeInfo):
        key_text = _field_text(type_info.get_key_type())
        value_text = _field_text(type_info.get_value_type())
        # Java prints the HashMap Flink's MapSerializer reads the map into.
        return lambda value: "{" + ", ".join(
            f"{key_text(k)}={value_text(v)}" for k, v in deserialized_order(value)) + "}"
    if isinstance(type_info, _ElementTypeInfo):
        element = type_info._element_type
        if isinstance(type_info, PrimitiveArrayTypeInfo) and element._basic_type is BasicType.BYTE:
            return lambda value: "[" + ", ".join(str(b - 256 if b > 127 else b) for b in value) + "]"
        element_text = _field_text(element)
        return lambda value: "[" + ", ".join(element_text(item) for item in value) + "]"
    if isinstance(type_info, BasicTypeInfo):
        return _BASIC_TEXT.get(type_info._basic_type, display)
    return _TIME_TEXT.get(type_info.to_type_string(), display)


def _field_text(type_info: Any) -> Callable[[Any], str]:
    text = _java_text(type_info)
    return lambda value: "null" if value is None else text(value)


def _instant_text(value: Any) -> str:
    # java.time.Instant.toString (ISO-8601 in UTC): seconds always, fraction in groups of 3.
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        seconds = (value - _EPOCH) // datetime.timedelta(seconds=1)
        nanos = value.microsecond * 1000
    else:
        seconds, nanos = value.seconds, value.nanos
    moment = _EPOCH + datetime.timedelta(seconds=seconds)
    return f"{moment:%Y-%m-%dT%H:%M:%S}{_fraction(nanos)}Z"


def _fraction(nanos: int) -> str:
    # java.time prints the fraction in groups of 3 digits, none when zero.
    if nanos == 0:
        return ""
    if nanos % 1_000_000 == 0:
        return f".{nanos // 1_000_000:03d}"
    if nanos % 1000 == 0:
        return f".{nanos // 1000:06d}"
    return f".{nanos:09d}"


def _local_time_text(value: datetime.time) -> str:
    # java.time.LocalTime.toString: HH:mm, then :ss and a fraction only when not zero.
    text = f"{value.hour:02d}:{value.minute:02d}"
    if value.second or value.microsecond:
        text += f":{value.second:02d}{_fraction(value.microsecond * 1000)}"
    return text


def _sql_timestamp_text(value: datetime.datetime) -> str:
    # java.sql.Timestamp.toString: the fraction's trailing zeros dropped, at least ".0".
    fraction = f"{value.microsecond:06d}".rstrip("0") or "0"
    return f"{value:%Y-%m-%d %H:%M:%S}.{fraction}"


_EPOCH = datetime.datetime(1970, 1, 1)

_BASIC_TEXT = {
    BasicType.FLOAT: display_float32,
    BasicType.DOUBLE: _display_float,
    BasicType.INSTANT: _instant_text,
}

_TIME_TEXT = {
    "SQL_DATE": lambda value: value.isoformat(),
    "SQL_TIME": lambda value: f"{value:%H:%M:%S}",
    "SQL_TIMESTAMP": _sql_timestamp_text,
    "LOCAL_DATE": lambda value: value.isoformat(),
    "LOCAL_TIME": _local_time_text,
    "LOCAL_DATE_TIME": lambda value: f"{value.date().isoformat()}T{_local_time_text(value.time())}",
}
