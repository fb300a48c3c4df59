"""A value's text as Java's toString() gives it, typed by the column it came from.

PyFlink's test sinks are Java: they collect ``Row.toString()`` of each row, so expected
results read ``+I[2018-03-11T03:00, 4.3333335, [1, 2], {a=1}]``.  The type decides the
text: a FLOAT column prints the shortest decimal of the 32-bit value (Java's
``Float.toString``), a TIMESTAMP a ``LocalDateTime``, a TIMESTAMP_LTZ an ``Instant``,
BYTES a ``byte[]`` as ``Arrays.toString`` shows it (signed bytes).
"""

import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa

from fluvial.common._display import _display_float
from fluvial.common.types import Row


def java_text(value: Any, arrow_type: pa.DataType) -> str:
    """Text of `value`, read from a column of `arrow_type`, as Java prints it."""
    if value is None:
        return "null"
    if pa.types.is_struct(arrow_type):
        fields = [java_text(value[i] if isinstance(value, (Row, tuple, list)) else value[f.name], f.type)
                  for i, f in enumerate(arrow_type)]
        kind = value.get_row_kind().short_string() if isinstance(value, Row) else "+I"
        return f"{kind}[{', '.join(fields)}]"
    if pa.types.is_map(arrow_type):
        items = value.items() if isinstance(value, dict) else value
        return "{" + ", ".join(f"{java_text(k, arrow_type.key_type)}={java_text(v, arrow_type.item_type)}"
                               for k, v in items) + "}"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        return "[" + ", ".join(java_text(v, arrow_type.value_type) for v in value) + "]"
    if pa.types.is_float32(arrow_type):
        return java_float(float(value))
    return java_scalar(value)


def java_float(value: float) -> str:
    """Java's Float.toString: the shortest decimal that reads back as the same 32-bit float."""
    shortest = float(np.format_float_positional(np.float32(value), unique=True, trim="-"))
    return _display_float(shortest)


def java_scalar(value: Any) -> str:
    """Java's toString of a value whose type its Python class tells."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return _display_float(value)
    if isinstance(value, Decimal):
        return _big_decimal(value)
    if isinstance(value, (bytes, bytearray)):
        return "[" + ", ".join(str(b - 256 if b > 127 else b) for b in value) + "]"
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            return _instant(value)
        return value.date().isoformat() + "T" + _local_time(value.time())
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return _local_time(value)
    if isinstance(value, datetime.timedelta):
        return _duration(value)
    if isinstance(value, Row):
        return f"{value.get_row_kind().short_string()}[{', '.join(java_scalar(v) for v in value)}]"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(java_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{java_scalar(k)}={java_scalar(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "null"
    return str(value)


def _local_time(t: datetime.time) -> str:
    # java.time.LocalTime.toString: HH:mm, then :ss only if seconds or nanos, then the
    # fraction in groups of three digits.
    text = f"{t.hour:02d}:{t.minute:02d}"
    if t.second or t.microsecond:
        text += f":{t.second:02d}"
        if t.microsecond:
            text += f".{t.microsecond // 1000:03d}" if t.microsecond % 1000 == 0 else f".{t.microsecond:06d}"
    return text


def _instant(value: datetime.datetime) -> str:
    # java.time.Instant.toString (ISO_INSTANT): seconds always, fraction in groups of three.
    utc = value.astimezone(datetime.timezone.utc)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond // 1000:03d}" if utc.microsecond % 1000 == 0 else f".{utc.microsecond:06d}"
    return text + "Z"


def _duration(value: datetime.timedelta) -> str:
    # java.time.Duration.toString: PT8H6M12.345S.
    total = value.total_seconds()
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    text = "PT" + ("-" if total < 0 else "")
    if hours:
        text += f"{int(hours)}H"
    if minutes:
        text += f"{int(minutes)}M"
    if seconds or text in ("PT", "PT-"):
        text += (f"{seconds:.3f}".rstrip("0").rstrip(".") if seconds % 1 else str(int(seconds))) + "S"
    return text


def _big_decimal(value: Decimal) -> str:
    # BigDecimal.toString: plain digits unless the exponent is positive or the number very small.
    sign, digits, exponent = value.as_tuple()
    if exponent > 0 or (exponent < 0 and len(digits) + exponent < -5):
        return str(value).replace("e", "E")
    return format(value, "f")
