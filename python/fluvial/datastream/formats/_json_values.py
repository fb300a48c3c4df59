"""JSON values to and from the Python values of a declared type, strictly: a JSON string
is not a number, a fraction is not an INT, as Flink's JSON format reads them."""

import base64
import datetime
import decimal
from typing import Any, Callable

from fluvial.common.typeinfo import (
    BasicType,
    BasicTypeInfo,
    DateTypeInfo,
    LocalTimeTypeInfo,
    MapTypeInfo,
    PrimitiveArrayTypeInfo,
    RowTypeInfo,
    TimestampTypeInfo,
    TimeTypeInfo,
    TypeInformation,
    _ElementTypeInfo,
)
from fluvial.common.types import Row
from fluvial.datastream.formats._row_types import field_values, make_row


class BadValue(Exception):
    """A value that does not fit its declared type; 'path' names the field."""

    def __init__(self, path: str, expected: str, value: Any, missing: bool = False):
        super().__init__(path, expected, value)
        self.path = path
        self.expected = expected
        self.value = value
        self.missing = missing


_INT_BITS = {BasicType.BYTE: 8, BasicType.SHORT: 16, BasicType.INT: 32, BasicType.LONG: 64}


def _parser(type_info: TypeInformation, fail_on_missing: bool) -> Callable[[Any, str], Any]:
    expected = type_info.to_type_string()

    def bad(value, path):
        raise BadValue(path, expected, value)

    if isinstance(type_info, RowTypeInfo):
        names = type_info.get_field_names()
        parsers = [_parser(field, fail_on_missing) for field in type_info.get_field_types()]

        def parse_row(value, path):
            if not isinstance(value, dict):
                bad(value, path)
            values = []
            for name, parse in zip(names, parsers):
                field_path = f"{path}.{name}" if path else name
                if name not in value:
                    if fail_on_missing:
                        raise BadValue(field_path, "", None, missing=True)
                    values.append(None)
                    continue
                item = value[name]
                values.append(None if item is None else parse(item, field_path))
            return make_row(names, values)
        return parse_row
    if isinstance(type_info, MapTypeInfo):
        parse_value = _parser(type_info.get_value_type(), fail_on_missing)

        def parse_map(value, path):
            if not isinstance(value, dict):
                bad(value, path)
            return {k: None if v is None else parse_value(v, f"{path}.{k}") for k, v in value.items()}
        return parse_map
    if isinstance(type_info, PrimitiveArrayTypeInfo) and type_info.get_element_type()._basic_type is BasicType.BYTE:
        def parse_bytes(value, path):
            try:
                return base64.b64decode(value, validate=True)
            except (TypeError, ValueError):
                bad(value, path)
        return parse_bytes
    if isinstance(type_info, _ElementTypeInfo):
        parse_element = _parser(type_info.get_element_type(), fail_on_missing)

        def parse_list(value, path):
            if not isinstance(value, list):
                bad(value, path)
            return [None if e is None else parse_element(e, f"{path}[{i}]") for i, e in enumerate(value)]
        return parse_list
    if isinstance(type_info, BasicTypeInfo):
        return _basic_parser(type_info._basic_type, bad)
    for kinds, parse_text in (((DateTypeInfo,), datetime.date.fromisoformat),
                              ((TimeTypeInfo,), datetime.time.fromisoformat),
                              ((TimestampTypeInfo,), datetime.datetime.fromisoformat)):
        if isinstance(type_info, kinds):
            return _text_parser(parse_text, bad)
    if isinstance(type_info, LocalTimeTypeInfo):
        parse_text = {LocalTimeTypeInfo.TimeType.LOCAL_DATE: datetime.date.fromisoformat,
                      LocalTimeTypeInfo.TimeType.LOCAL_TIME: datetime.time.fromisoformat,
                      LocalTimeTypeInfo.TimeType.LOCAL_DATE_TIME: datetime.datetime.fromisoformat}
        return _text_parser(parse_text[type_info._time_type], bad)
    return lambda value, path: value


def _text_parser(parse_text, bad):
    def parse(value, path):
        if not isinstance(value, str):
            bad(value, path)
        try:
            return parse_text(value)
        except ValueError:
            bad(value, path)
    return parse


def _basic_parser(basic: BasicType, bad):
    if basic is BasicType.STRING:
        return lambda value, path: value if isinstance(value, str) else bad(value, path)
    if basic is BasicType.BOOLEAN:
        return lambda value, path: value if isinstance(value, bool) else bad(value, path)
    if basic in _INT_BITS:
        low, high = -(1 << (_INT_BITS[basic] - 1)), (1 << (_INT_BITS[basic] - 1)) - 1

        def parse_int(value, path):
            if type(value) is not int or not low <= value <= high:
                bad(value, path)
            return value
        return parse_int
    if basic in (BasicType.FLOAT, BasicType.DOUBLE):
        def parse_float(value, path):
            if type(value) not in (int, float):
                bad(value, path)
            return float(value)
        return parse_float
    if basic is BasicType.BIG_DEC:
        def parse_decimal(value, path):
            if type(value) not in (int, float, str):
                bad(value, path)
            try:
                return decimal.Decimal(str(value))
            except decimal.InvalidOperation:
                bad(value, path)
        return parse_decimal
    if basic is BasicType.INSTANT:
        def parse_instant(value, path):
            try:
                parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except (AttributeError, ValueError):
                bad(value, path)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)
        return parse_instant
    return lambda value, path: value


def json_parser(row_type: RowTypeInfo, fail_on_missing: bool) -> Callable[[Any], Row]:
    """Returns what turns a decoded JSON object into a Row of 'row_type' (raising BadValue)."""
    parse = _parser(row_type, fail_on_missing)
    return lambda value: parse(value, "")


def to_json_value(value: Any) -> Any:
    """A Python value as json.dumps writes it (Rows as objects when their fields are named)."""
    if isinstance(value, Row):
        if value._names is None:
            return [to_json_value(v) for v in value]
        return {name: to_json_value(v) for name, v in zip(value._names, value)}
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        as_float = float(value)
        return as_float if decimal.Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def row_to_json_object(row_type: RowTypeInfo, record: Any) -> dict:
    names = row_type.get_field_names()
    return {name: to_json_value(v) for name, v in zip(names, field_values(record, names))}
