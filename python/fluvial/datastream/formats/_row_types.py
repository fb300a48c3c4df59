"""The row type the formats read and write: a RowTypeInfo (Types.ROW_NAMED), mapped to
Arrow types, and the conversion of field values between Python and Arrow.

PyFlink's formats take a Table API RowType (DataTypes.ROW([...])); Fluvial's DataStream
formats take the equivalent RowTypeInfo, which names the same fields and types.
"""

import datetime
from typing import Any, Callable, List, Optional

import pyarrow as pa

from fluvial.common.time import Instant
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
from fluvial.errors import UnsupportedFeatureError

Converter = Optional[Callable[[Any], Any]]

_BASIC_ARROW_TYPES = {
    BasicType.STRING: pa.string(),
    BasicType.BOOLEAN: pa.bool_(),
    BasicType.BYTE: pa.int8(),
    BasicType.SHORT: pa.int16(),
    BasicType.INT: pa.int32(),
    BasicType.LONG: pa.int64(),
    BasicType.FLOAT: pa.float32(),
    BasicType.DOUBLE: pa.float64(),
    # Flink's legacy BigDecimal type is DECIMAL(38, 18).
    BasicType.BIG_DEC: pa.decimal128(38, 18),
    BasicType.INSTANT: pa.timestamp("us", tz="UTC"),
}

_LOCAL_TIME_ARROW_TYPES = {
    LocalTimeTypeInfo.TimeType.LOCAL_DATE: pa.date32(),
    LocalTimeTypeInfo.TimeType.LOCAL_TIME: pa.time64("us"),
    LocalTimeTypeInfo.TimeType.LOCAL_DATE_TIME: pa.timestamp("us"),
}


def check_row_type(argument: str, row_type: Any) -> RowTypeInfo:
    """Returns 'row_type' if it is a RowTypeInfo; the formats read and write named rows."""
    if not isinstance(row_type, RowTypeInfo):
        raise TypeError(f"{argument} must be a RowTypeInfo such as Types.ROW_NAMED(['id', 'name'], "
                        f"[Types.LONG(), Types.STRING()]), got {type(row_type).__name__} {row_type!r}")
    return row_type


def arrow_type(type_info: TypeInformation, where: str) -> pa.DataType:
    """Returns the Arrow type that stores values of 'type_info' ('where' names the field)."""
    if isinstance(type_info, BasicTypeInfo):
        found = _BASIC_ARROW_TYPES.get(type_info._basic_type)
        if found is not None:
            return found
    elif isinstance(type_info, DateTypeInfo):
        return pa.date32()
    elif isinstance(type_info, TimeTypeInfo):
        return pa.time64("us")
    elif isinstance(type_info, TimestampTypeInfo):
        return pa.timestamp("us")
    elif isinstance(type_info, LocalTimeTypeInfo):
        return _LOCAL_TIME_ARROW_TYPES[type_info._time_type]
    elif isinstance(type_info, PrimitiveArrayTypeInfo) and \
            type_info.get_element_type()._basic_type is BasicType.BYTE:
        return pa.binary()
    elif isinstance(type_info, _ElementTypeInfo):
        return pa.list_(arrow_type(type_info.get_element_type(), f"{where}[]"))
    elif isinstance(type_info, MapTypeInfo):
        return pa.map_(arrow_type(type_info.get_key_type(), f"{where}.key"),
                       arrow_type(type_info.get_value_type(), f"{where}.value"))
    elif isinstance(type_info, RowTypeInfo):
        return pa.struct([pa.field(name, arrow_type(field, f"{where}.{name}"))
                          for name, field in zip(type_info.get_field_names(), type_info.get_field_types())])
    raise UnsupportedFeatureError(
        f"field '{where}' has type {type_info.to_type_string()}, which the file formats cannot store yet")


def arrow_schema(row_type: RowTypeInfo) -> pa.Schema:
    return pa.schema([pa.field(name, arrow_type(field, name))
                      for name, field in zip(row_type.get_field_names(), row_type.get_field_types())])


def from_arrow(type_info: TypeInformation) -> Converter:
    """Returns what turns a value from Arrow's to_pylist() into the Python value of
    'type_info' (structs become Rows, maps dicts); None where they are the same."""
    if isinstance(type_info, RowTypeInfo):
        names = type_info.get_field_names()
        converters = [from_arrow(field) for field in type_info.get_field_types()]

        def to_row(value):
            if value is None:
                return None
            values = [value[name] for name in names]
            for index, convert in enumerate(converters):
                if convert is not None and values[index] is not None:
                    values[index] = convert(values[index])
            return make_row(names, values)
        return to_row
    if isinstance(type_info, MapTypeInfo):
        convert_value = from_arrow(type_info.get_value_type())
        if convert_value is None:
            return lambda value: None if value is None else dict(value)
        return lambda value: None if value is None else {k: convert_value(v) for k, v in value}
    if isinstance(type_info, _ElementTypeInfo) and arrow_type(type_info, "") != pa.binary():
        convert_element = from_arrow(type_info.get_element_type())
        if convert_element is not None:
            return lambda value: None if value is None else [convert_element(e) for e in value]
    return None


def to_arrow(type_info: TypeInformation) -> Converter:
    """Returns what turns a Python value of 'type_info' into one pyarrow.array() takes;
    None where no change is needed."""
    if isinstance(type_info, RowTypeInfo):
        names = type_info.get_field_names()
        converters = [to_arrow(field) for field in type_info.get_field_types()]

        def to_struct(value):
            if value is None:
                return None
            values = field_values(value, names)
            return {name: (v if c is None or v is None else c(v))
                    for name, v, c in zip(names, values, converters)}
        return to_struct
    if isinstance(type_info, MapTypeInfo):
        convert_value = to_arrow(type_info.get_value_type())
        return lambda value: None if value is None else [
            (k, v if convert_value is None or v is None else convert_value(v)) for k, v in value.items()]
    if isinstance(type_info, BasicTypeInfo) and type_info._basic_type is BasicType.INSTANT:
        return _instant_to_datetime
    if isinstance(type_info, _ElementTypeInfo):
        convert_element = to_arrow(type_info.get_element_type())
        if convert_element is not None:
            return lambda value: None if value is None else [
                None if e is None else convert_element(e) for e in value]
    return None


def _instant_to_datetime(value):
    if isinstance(value, Instant):
        return datetime.datetime.fromtimestamp(value.to_epoch_milli() / 1000, datetime.timezone.utc)
    return value


def make_row(names: List[str], values: List[Any]) -> Row:
    """A named Row; the rows of one batch share the list of names."""
    row = Row(*values)
    row._names = names
    return row


def field_values(record: Any, names: List[str]) -> List[Any]:
    """The values of a record's fields in the order of 'names': by name from a named Row
    or a dict, by position from a positional Row, a tuple or a list."""
    if isinstance(record, Row):
        if record._names is None:
            values = list(record)
        else:
            return record.get_fields_by_names(names)
    elif isinstance(record, dict):
        missing = [name for name in names if name not in record]
        if missing:
            raise ValueError(f"the record has no field {missing[0]!r}: {record!r}")
        return [record[name] for name in names]
    elif isinstance(record, (tuple, list)):
        values = list(record)
    else:
        raise ValueError(f"expected a Row, tuple, list or dict, got {type(record).__name__} {record!r}")
    if len(values) != len(names):
        raise ValueError(f"expected {len(names)} fields {names}, got {len(values)}: {record!r}")
    return values
