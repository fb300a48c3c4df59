"""Text of a record as Flink shows it (print sinks, string encoders).

PyFlink hands records to Java, so users see Java's toString: ``+I[1, a]`` for
a Row, ``(a,1)`` for a tuple, ``null``, ``true``. Fluvial keeps the same text
so output and expected-output files carry over unchanged.
"""

from decimal import Decimal
from typing import Any

from fluvial.common.types import Row


def display(value: Any, row_separator: str = ", ") -> str:
    """Returns the text Flink prints for `value`.

    A Row's fields are separated by ", " as the Table API prints them (print connector,
    TableResult); a DataStream's print() shows a Row as ``+I[1,hi]``, without the space
    (recorded from PyFlink 1.20 and 2.2), so the print sink passes ",".
    """
    def inner(item: Any) -> str:
        return display(item, row_separator)

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
        fields = row_separator.join(inner(field) for field in value)
        return f"{value.get_row_kind().short_string()}[{fields}]"
    if isinstance(value, tuple):
        return "(" + ",".join(inner(field) for field in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(inner(element) for element in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{inner(k)}={inner(v)}" for k, v in value.items()) + "}"
    return str(value)


def _display_float(value: float) -> str:
    # Java's Double.toString: 1.0, 0.001, 1.0E-4, 1.0E7, NaN, Infinity.
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    magnitude = abs(value)
    if magnitude == 0 or 1e-3 <= magnitude < 1e7:
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    decimal = Decimal(repr(value))
    digits = "".join(map(str, decimal.as_tuple().digits)).rstrip("0") or "0"
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{decimal.adjusted()}"
