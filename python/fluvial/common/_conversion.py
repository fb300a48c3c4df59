"""The Python value PyFlink hands to user code for a value of a declared type.

In PyFlink a typed value crosses the Java boundary through the type's coder, and comes
back in a canonical form: a ROW (named or not) becomes a `Row` whose fields carry the
type's names (`f0`, `f1`, ... for `Types.ROW`), a TUPLE a tuple, a FLOAT the nearest
32-bit float, a DOUBLE a float, a LIST or array a list. `converter_for(type_info)` builds
that conversion once per type; it assumes the value was validated against the type.
"""

import decimal
import struct
from collections.abc import Callable
from typing import Any

from fluvial.common._java_hash_map import collection_order
from fluvial.common.typeinfo import (
    BasicType,
    BasicTypeInfo,
    MapTypeInfo,
    PrimitiveArrayTypeInfo,
    RowTypeInfo,
    TupleTypeInfo,
    TypeInformation,
    _ElementTypeInfo,
)
from fluvial.common.types import Row, RowKind

Converter = Callable[[Any], Any]

_FLOAT32 = struct.Struct("f")


def to_float32(value: float) -> float:
    """Returns `value` rounded to the nearest 32-bit float, as Java's `float` holds it."""
    try:
        return _FLOAT32.unpack(_FLOAT32.pack(value))[0]
    except OverflowError:  # beyond Float.MAX_VALUE: Java's (float) cast gives infinity
        return float("inf") if value > 0 else float("-inf")


def _identity(value: Any) -> Any:
    return value


def converter_for(type_info: TypeInformation | None, collection: bool = False) -> Converter:
    """Returns the conversion of values of `type_info` to PyFlink's Python form; with
    `collection`, as from_collection() hands them on (maps in the order Java gives them)."""
    if isinstance(type_info, RowTypeInfo):
        return _row_converter(type_info, collection)
    if isinstance(type_info, TupleTypeInfo):
        fields = [converter_for(field, collection) for field in type_info.get_field_types()]

        def convert_tuple(value):
            if value is None:
                return None
            return tuple(None if item is None else convert(item)
                         for convert, item in zip(fields, value))

        return convert_tuple
    if isinstance(type_info, MapTypeInfo):
        convert_key = converter_for(type_info.get_key_type(), collection)
        convert_value = converter_for(type_info.get_value_type(), collection)

        def convert_map(value):
            if value is None:
                return None
            converted = {convert_key(k): None if v is None else convert_value(v)
                         for k, v in value.items()}
            return collection_order(converted) if collection else converted

        return convert_map
    if isinstance(type_info, _ElementTypeInfo):
        element = type_info._element_type
        if isinstance(type_info, PrimitiveArrayTypeInfo) and element._basic_type is BasicType.BYTE:
            return _identity  # bytes stay bytes
        convert_element = converter_for(element, collection)

        def convert_list(value):
            if value is None:
                return None
            return [None if item is None else convert_element(item) for item in value]

        return convert_list
    if isinstance(type_info, BasicTypeInfo):
        return _BASIC_CONVERTERS.get(type_info._basic_type, _identity)
    return _identity


def _row_converter(type_info: RowTypeInfo, collection: bool) -> Converter:
    names = type_info.get_field_names()
    fields = [converter_for(field, collection) for field in type_info.get_field_types()]

    def convert_row(value):
        if value is None:
            return None
        kind = RowKind.INSERT
        if isinstance(value, Row):
            kind = value.get_row_kind()
            # A named Row is written by field name, as PyFlink's row coder does.
            value = value.get_fields_by_names(names)
        row = Row(*(None if item is None else convert(item)
                    for convert, item in zip(fields, value)))
        row._names = list(names)
        row._row_kind = kind
        return row

    return convert_row


def _convert_float(value):
    return None if value is None else to_float32(value)


def _convert_double(value):
    return None if value is None else float(value)


def _convert_decimal(value):
    return value if value is None or isinstance(value, decimal.Decimal) else decimal.Decimal(value)


_BASIC_CONVERTERS = {
    BasicType.FLOAT: _convert_float,
    BasicType.DOUBLE: _convert_double,
    BasicType.BIG_DEC: _convert_decimal,
}
