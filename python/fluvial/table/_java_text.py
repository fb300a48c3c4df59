"""The text Flink shows for a table column's values: what Java's toString gives for the
external classes of Flink's SQL types (Float.toString for FLOAT, Instant.toString for
TIMESTAMP_LTZ, LocalDateTime.toString for TIMESTAMP, BigDecimal.toString for DECIMAL).

The print connector prints rows with these texts (``+I[Alice, 130.1, 1970-01-01T00:00:05Z]``);
the tableau of ``TableResult.print()`` uses them for numbers too."""

import datetime
from typing import Any, List

import numpy as np
import pyarrow as pa

from fluvial.common._display import display


def _fraction(nanos: int) -> str:
    """java.time's fraction: none, or 3, 6 or 9 digits — as few groups as the value needs."""
    if nanos == 0:
        return ""
    if nanos % 1_000_000 == 0:
        return f".{nanos // 1_000_000:03d}"
    if nanos % 1_000 == 0:
        return f".{nanos // 1_000:06d}"
    return f".{nanos:09d}"


def local_date_time_text(value: datetime.datetime, nanos: int) -> str:
    """LocalDateTime.toString: seconds are left out when they and the fraction are zero."""
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}"
    if value.second or nanos:
        text += f":{value.second:02d}{_fraction(nanos)}"
    return text


def instant_text(value: datetime.datetime, nanos: int) -> str:
    """Instant.toString (ISO-8601 in UTC): seconds always, the fraction in groups of 3 digits."""
    value = value.astimezone(datetime.timezone.utc) if value.tzinfo is not None else value
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}:"
            f"{value.second:02d}{_fraction(nanos)}Z")


def float_text(value: float) -> str:
    """Float.toString of a FLOAT (32-bit) value: the shortest digits that read back as that float."""
    shortest = float(np.format_float_positional(np.float32(value), unique=True, trim="-"))
    return display(shortest)


def _timestamp_texts(column: pa.Array) -> List[Any]:
    unit = column.type.unit
    per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
    epoch = datetime.datetime(1970, 1, 1)
    with_zone = column.type.tz is not None
    texts: List[Any] = []
    for raw in column.cast(pa.int64()).to_pylist():
        if raw is None:
            texts.append(None)
            continue
        seconds, remainder = divmod(raw, per_second)
        nanos = remainder * (1_000_000_000 // per_second)
        value = epoch + datetime.timedelta(seconds=seconds)
        texts.append(instant_text(value, nanos) if with_zone else local_date_time_text(value, nanos))
    return texts


def java_values(column: pa.Array) -> List[Any]:
    """The column's values, with those whose Java text differs from Python's as that text
    (a string), others as Python values for ``display``; None stays None."""
    arrow_type = column.type
    if pa.types.is_float32(arrow_type):
        return [None if v is None else _Text(float_text(v)) for v in column.to_pylist()]
    if pa.types.is_timestamp(arrow_type):
        return [None if v is None else _Text(v) for v in _timestamp_texts(column)]
    if pa.types.is_decimal(arrow_type):
        return [None if v is None else _Text(_decimal_text(v)) for v in column.to_pylist()]
    if pa.types.is_time(arrow_type):
        return [None if v is None else _Text(_time_text(v)) for v in column.to_pylist()]
    from fluvial.table.table_result import _python_values

    return _python_values(column)


def _decimal_text(value: Any) -> str:
    """BigDecimal.toString: plain digits unless the exponent is small (as Python's Decimal, with 'E')."""
    return str(value).replace("e", "E")


def _time_text(value: datetime.time) -> str:
    """LocalTime.toString: HH:mm, then :ss and the fraction when not zero."""
    text = f"{value.hour:02d}:{value.minute:02d}"
    nanos = value.microsecond * 1000
    if value.second or nanos:
        text += f":{value.second:02d}{_fraction(nanos)}"
    return text


class _Text(str):
    """A value already in Java's text (so a STRING 'null' is not confused with it)."""


def print_row_text(kind: str, values: List[Any]) -> str:
    """A row as the print connector prints it: ``+I[a, 1]``."""
    return f"{kind}[" + ", ".join(str(v) if isinstance(v, _Text) else display(v) for v in values) + "]"


__all__ = ["float_text", "instant_text", "java_values", "local_date_time_text", "print_row_text"]
