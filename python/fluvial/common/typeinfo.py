"""Type information: what a stream's records are, and a fast check that a value fits.

`Types` is the factory users call (`Types.INT()`, `Types.ROW_NAMED([...], [...])`), as in
PyFlink. Every TypeInformation also builds a validator (`make_validator()`): a closure the
engine calls on each record at a Python boundary, raising TypeError naming the field path,
the expected type and the offending value. None fits every type (fields are nullable, as in
Flink) except where Flink cannot store a null: primitive-array elements and map keys.
"""

import datetime
import decimal
from collections.abc import Hashable, Sequence
from enum import Enum
from typing import Any

from fluvial.common._validators import (
    Validator,
    accept_any,
    bytes_validator,
    char_validator,
    class_validator,
    describe,
    fields_validator,
    int_range_validator,
    map_validator,
    sequence_validator,
)
from fluvial.common.time import Instant

__all__ = [
    "BasicArrayTypeInfo",
    "BasicType",
    "BasicTypeInfo",
    "DateTypeInfo",
    "InstantTypeInfo",
    "ListTypeInfo",
    "LocalTimeTypeInfo",
    "MapTypeInfo",
    "ObjectArrayTypeInfo",
    "PickledBytesTypeInfo",
    "PrimitiveArrayTypeInfo",
    "RowTypeInfo",
    "SqlTimeTypeInfo",
    "TimeTypeInfo",
    "TimestampTypeInfo",
    "TupleTypeInfo",
    "TypeInformation",
    "Types",
    "Validator",
]


def _check_type_info(argument: str, value: Any) -> "TypeInformation":
    if not isinstance(value, TypeInformation):
        raise TypeError(
            f"{argument} must be a TypeInformation such as Types.INT(), got {describe(value)}"
        )
    return value


class TypeInformation:
    """Describes the type of a record or field; the root of Flink's type system.

    Examples:
        >>> from fluvial.common import Types
        >>> price = Types.DOUBLE()
        >>> price.to_type_string()
        'DOUBLE'
        >>> price.make_validator()("3.5")
        Traceback (most recent call last):
            ...
        TypeError: expected DOUBLE (a Python float or int), got str '3.5'
    """

    __slots__ = ()

    def make_validator(self) -> Validator:
        """Returns a callable that raises TypeError when its argument does not fit this type."""
        raise NotImplementedError(
            f"{type(self).__name__} does not implement make_validator"
        )

    def to_type_string(self) -> str:
        """Returns the name used in messages, e.g. INT or ROW<name STRING, price DOUBLE>."""
        raise NotImplementedError(
            f"{type(self).__name__} does not implement to_type_string"
        )

    def _key(self) -> Hashable:
        """Returns what identifies this type for equality and hashing."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _key")

    def __eq__(self, other) -> bool:
        return isinstance(other, TypeInformation) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self):
        return _rebuild, (type(self), self._state())

    def _state(self) -> tuple:
        return ()


def _rebuild(cls, state):
    return cls(*state)


# ----------------------------------------------------------------------------- basic types


class BasicType(Enum):
    """The basic types; the values are the Java class names PyFlink prints.

    Examples:
        >>> from fluvial.common.typeinfo import BasicType, BasicTypeInfo
        >>> BasicType.INT.value, BasicTypeInfo(BasicType.INT)
        ('Integer', Integer)
    """

    STRING = "String"
    BYTE = "Byte"
    BOOLEAN = "Boolean"
    SHORT = "Short"
    INT = "Integer"
    LONG = "Long"
    FLOAT = "Float"
    DOUBLE = "Double"
    CHAR = "Char"
    BIG_INT = "BigInteger"
    BIG_DEC = "BigDecimal"
    INSTANT = "Instant"


_BASIC_VALIDATOR_FACTORIES = {
    BasicType.STRING: lambda name: class_validator(name, "a Python str", (str,)),
    BasicType.BYTE: lambda name: int_range_validator(name, 8),
    BasicType.BOOLEAN: lambda name: class_validator(name, "a Python bool", (bool,)),
    BasicType.SHORT: lambda name: int_range_validator(name, 16),
    BasicType.INT: lambda name: int_range_validator(name, 32),
    BasicType.LONG: lambda name: int_range_validator(name, 64),
    BasicType.FLOAT: lambda name: class_validator(
        name, "a Python float or int", (float, int), (bool,)
    ),
    BasicType.DOUBLE: lambda name: class_validator(
        name, "a Python float or int", (float, int), (bool,)
    ),
    BasicType.CHAR: char_validator,
    BasicType.BIG_INT: lambda name: class_validator(
        name, "a Python int", (int,), (bool,)
    ),
    BasicType.BIG_DEC: lambda name: class_validator(
        name, "a decimal.Decimal or int", (decimal.Decimal, int), (bool,)
    ),
    BasicType.INSTANT: lambda name: class_validator(
        name,
        "a datetime.datetime or fluvial.common.Instant",
        (datetime.datetime, Instant),
    ),
}


class BasicTypeInfo(TypeInformation):
    """Type information for str, bool, the sized integers and floats, char, BigInteger and BigDecimal.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.common.typeinfo import BasicTypeInfo
        >>> BasicTypeInfo.INT_TYPE_INFO() == Types.INT(), Types.INT().to_type_string()
        (True, 'INT')
        >>> Types.INT().make_validator()(2 ** 40)
        Traceback (most recent call last):
            ...
        TypeError: expected INT (a Python int in [-2147483648, 2147483647]), got int 1099511627776
    """

    __slots__ = ("_basic_type",)

    def __init__(self, basic_type: BasicType) -> None:
        if not isinstance(basic_type, BasicType):
            raise TypeError(
                f"basic_type must be a BasicType, got {describe(basic_type)}"
            )
        self._basic_type = basic_type

    def make_validator(self) -> Validator:
        return _BASIC_VALIDATOR_FACTORIES[self._basic_type](self.to_type_string())

    def to_type_string(self) -> str:
        return self._basic_type.name

    def _key(self):
        return ("basic", self._basic_type)

    def _state(self):
        return (self._basic_type,)

    def __repr__(self) -> str:
        return self._basic_type.value

    @staticmethod
    def STRING_TYPE_INFO() -> "BasicTypeInfo":
        return BasicTypeInfo(BasicType.STRING)

    @staticmethod
    def BOOLEAN_TYPE_INFO() -> "BasicTypeInfo":
        return BasicTypeInfo(BasicType.BOOLEAN)

    @staticmethod
    def BYTE_TYPE_INFO() -> "BasicTypeInfo":
        return BasicTypeInfo(BasicType.BYTE)

    @staticmethod
    def SHORT_TYPE_INFO() -> "BasicTypeInfo":
        return BasicTypeInfo(BasicType.SHORT)

    @staticmethod
    def INT_TYPE_INFO() -> "BasicTypeInfo":
        return BasicTypeInfo(BasicType.INT)

    @staticmethod
    def LONG_TYPE_INFO() -> "BasicTypeInfo":
        return BasicTypeInfo(BasicType.LONG)

    @staticmethod
    def FLOAT_TYPE_INFO() -> "BasicTypeInfo":
        return BasicTypeInfo(BasicType.FLOAT)

    @staticmethod
    def DOUBLE_TYPE_INFO() -> "BasicTypeInfo":
        return BasicTypeInfo(BasicType.DOUBLE)

    @staticmethod
    def CHAR_TYPE_INFO() -> "BasicTypeInfo":
        return BasicTypeInfo(BasicType.CHAR)

    @staticmethod
    def BIG_INT_TYPE_INFO() -> "BasicTypeInfo":
        return BasicTypeInfo(BasicType.BIG_INT)

    @staticmethod
    def BIG_DEC_TYPE_INFO() -> "BasicTypeInfo":
        return BasicTypeInfo(BasicType.BIG_DEC)

    @staticmethod
    def INSTANT_TYPE_INFO() -> "InstantTypeInfo":
        return InstantTypeInfo(BasicType.INSTANT)


class InstantTypeInfo(BasicTypeInfo):
    """Type information for a point in time: a datetime.datetime or a fluvial Instant.

    Examples:
        >>> import datetime
        >>> from fluvial.common import Instant, Types
        >>> check = Types.INSTANT().make_validator()
        >>> check(Instant.of_epoch_milli(5)), check(datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
        (None, None)
    """

    __slots__ = ()

    def __init__(self, basic_type: BasicType = BasicType.INSTANT) -> None:
        if basic_type is not BasicType.INSTANT:
            raise ValueError(
                f"InstantTypeInfo needs BasicType.INSTANT, got {basic_type!r}"
            )
        super().__init__(basic_type)


# ------------------------------------------------------------------------------ time types


class _SingletonTypeInfo(TypeInformation):
    """Base of types without parameters: equal to every instance of the same class."""

    __slots__ = ()
    _type_string = ""
    _description = ""
    _accepted: tuple[type, ...] = ()
    _rejected: tuple[type, ...] = ()

    def make_validator(self) -> Validator:
        return class_validator(
            self._type_string, self._description, self._accepted, self._rejected
        )

    def to_type_string(self) -> str:
        return self._type_string

    def _key(self):
        return (self._type_string,)

    def __repr__(self) -> str:
        return type(self).__name__


class DateTypeInfo(_SingletonTypeInfo):
    """Type information for a SQL date: a datetime.date that is not a datetime.

    Examples:
        >>> import datetime
        >>> from fluvial.common import Types
        >>> Types.SQL_DATE().make_validator()(datetime.date(2024, 1, 31))
        >>> Types.SQL_DATE().make_validator()(datetime.datetime(2024, 1, 31))
        Traceback (most recent call last):
            ...
        TypeError: expected SQL_DATE (a datetime.date, not a datetime.datetime),
        got datetime datetime.datetime(2024, 1, 31, 0, 0)
    """

    __slots__ = ()
    _type_string = "SQL_DATE"
    _description = "a datetime.date, not a datetime.datetime"
    _accepted = (datetime.date,)
    _rejected = (datetime.datetime,)


class TimeTypeInfo(_SingletonTypeInfo):
    """Type information for a SQL time of day: a datetime.time.

    Examples:
        >>> import datetime
        >>> from fluvial.common import Types
        >>> Types.SQL_TIME().to_type_string()
        'SQL_TIME'
        >>> Types.SQL_TIME().make_validator()(datetime.time(12, 30))
    """

    __slots__ = ()
    _type_string = "SQL_TIME"
    _description = "a datetime.time"
    _accepted = (datetime.time,)


class TimestampTypeInfo(_SingletonTypeInfo):
    """Type information for a SQL timestamp: a datetime.datetime.

    Examples:
        >>> import datetime
        >>> from fluvial.common import Types
        >>> Types.SQL_TIMESTAMP().to_type_string()
        'SQL_TIMESTAMP'
        >>> Types.SQL_TIMESTAMP().make_validator()(datetime.datetime(2024, 1, 31, 12, 30))
    """

    __slots__ = ()
    _type_string = "SQL_TIMESTAMP"
    _description = "a datetime.datetime"
    _accepted = (datetime.datetime,)


class SqlTimeTypeInfo:
    """Factories of the SQL time types, as in PyFlink.

    Examples:
        >>> from fluvial.common.typeinfo import SqlTimeTypeInfo
        >>> SqlTimeTypeInfo.DATE(), SqlTimeTypeInfo.TIME(), SqlTimeTypeInfo.TIMESTAMP()
        (DateTypeInfo, TimeTypeInfo, TimestampTypeInfo)
    """

    @staticmethod
    def DATE() -> DateTypeInfo:
        return DateTypeInfo()

    @staticmethod
    def TIME() -> TimeTypeInfo:
        return TimeTypeInfo()

    @staticmethod
    def TIMESTAMP() -> TimestampTypeInfo:
        return TimestampTypeInfo()


class LocalTimeTypeInfo(TypeInformation):
    """Type information for java.time's LocalDate, LocalTime and LocalDateTime.

    Examples:
        >>> import datetime
        >>> from fluvial.common import Types
        >>> Types.LOCAL_DATE_TIME(), Types.LOCAL_DATE_TIME().to_type_string()
        (LocalTimeTypeInfo<LOCAL_DATE_TIME>, 'LOCAL_DATE_TIME')
        >>> Types.LOCAL_DATE_TIME().make_validator()(datetime.datetime(2024, 1, 31, 12, 0))
    """

    class TimeType(Enum):
        LOCAL_DATE = 0
        LOCAL_TIME = 1
        LOCAL_DATE_TIME = 2

    __slots__ = ("_time_type",)

    def __init__(self, time_type: "LocalTimeTypeInfo.TimeType") -> None:
        if not isinstance(time_type, LocalTimeTypeInfo.TimeType):
            raise TypeError(
                f"time_type must be a LocalTimeTypeInfo.TimeType, got {describe(time_type)}"
            )
        self._time_type = time_type

    def make_validator(self) -> Validator:
        description, accepted, rejected = _LOCAL_TIME_RULES[self._time_type]
        return class_validator(self.to_type_string(), description, accepted, rejected)

    def to_type_string(self) -> str:
        return self._time_type.name

    def _key(self):
        return ("local_time", self._time_type)

    def _state(self):
        return (self._time_type,)

    def __repr__(self) -> str:
        return f"LocalTimeTypeInfo<{self._time_type.name}>"


# What each local time type accepts: description, accepted classes, rejected classes.
_LOCAL_TIME_RULES = {
    LocalTimeTypeInfo.TimeType.LOCAL_DATE: (
        "a datetime.date, not a datetime.datetime",
        (datetime.date,),
        (datetime.datetime,),
    ),
    LocalTimeTypeInfo.TimeType.LOCAL_TIME: ("a datetime.time", (datetime.time,), ()),
    LocalTimeTypeInfo.TimeType.LOCAL_DATE_TIME: (
        "a datetime.datetime",
        (datetime.datetime,),
        (),
    ),
}


class PickledBytesTypeInfo(_SingletonTypeInfo):
    """Type information for any Python object, carried as pickled bytes.

    Examples:
        >>> from fluvial.common import Types
        >>> any_object = Types.PICKLED_BYTE_ARRAY()
        >>> any_object, any_object.to_type_string()
        (PickledByteArrayTypeInfo, 'PICKLED_BYTE_ARRAY')
        >>> any_object.make_validator()({"model": [0.1, 0.2]})      # anything goes
    """

    __slots__ = ()
    _type_string = "PICKLED_BYTE_ARRAY"

    def make_validator(self) -> Validator:
        return accept_any

    def __repr__(self) -> str:
        return "PickledByteArrayTypeInfo"


# --------------------------------------------------------------------- arrays, lists, maps


class _ElementTypeInfo(TypeInformation):
    """Base of the array types: one element type."""

    __slots__ = ("_element_type",)
    _type_name = ""
    _allowed_elements: tuple[BasicType, ...] | None = None

    def __init__(self, element_type: TypeInformation) -> None:
        _check_type_info("element_type", element_type)
        allowed = self._allowed_elements
        if allowed is not None and (
            type(element_type) is not BasicTypeInfo
            or element_type._basic_type not in allowed
        ):
            names = ", ".join(basic.name for basic in allowed)
            raise TypeError(
                f"{self._type_name} element type must be one of {names}, got {element_type.to_type_string()}"
            )
        self._element_type = element_type

    def get_element_type(self) -> TypeInformation:
        return self._element_type

    def make_validator(self) -> Validator:
        return sequence_validator(
            self.to_type_string(), self._element_type.make_validator()
        )

    def to_type_string(self) -> str:
        return f"{self._type_name}<{self._element_type.to_type_string()}>"

    def _key(self):
        return (self._type_name, self._element_type)

    def _state(self):
        return (self._element_type,)

    def __repr__(self) -> str:
        return f"{type(self).__name__}<{self._element_type!r}>"


_PRIMITIVE_ELEMENTS = (
    BasicType.BOOLEAN,
    BasicType.BYTE,
    BasicType.SHORT,
    BasicType.INT,
    BasicType.LONG,
    BasicType.FLOAT,
    BasicType.DOUBLE,
    BasicType.CHAR,
)


class PrimitiveArrayTypeInfo(_ElementTypeInfo):
    """Type information for an array of a primitive type; byte arrays are bytes or bytearray.

    Examples:
        >>> from fluvial.common import Types
        >>> Types.PRIMITIVE_ARRAY(Types.BYTE()).make_validator()(b"bytes are a byte array")
        >>> Types.PRIMITIVE_ARRAY(Types.INT()).make_validator()([1, None])
        Traceback (most recent call last):
            ...
        TypeError: element 1 of PRIMITIVE_ARRAY<INT>: expected INT (primitive arrays hold no None elements), got None
    """

    __slots__ = ()
    _type_name = "PRIMITIVE_ARRAY"
    _allowed_elements = _PRIMITIVE_ELEMENTS

    def make_validator(self) -> Validator:
        if self._element_type._basic_type is BasicType.BYTE:
            return bytes_validator(self.to_type_string())
        # Elements of a Java primitive array cannot be null.
        element_type_string = self._element_type.to_type_string()
        return sequence_validator(
            self.to_type_string(),
            self._element_type.make_validator(),
            f"expected {element_type_string} (primitive arrays hold no None elements)",
        )


class BasicArrayTypeInfo(_ElementTypeInfo):
    """Type information for an array of boxed basic values or strings; elements may be None.

    Examples:
        >>> from fluvial.common import Types
        >>> tags = Types.BASIC_ARRAY(Types.STRING())
        >>> tags, tags.to_type_string()
        (BasicArrayTypeInfo<String>, 'BASIC_ARRAY<STRING>')
        >>> tags.make_validator()(["a", None, "b"])     # elements may be None
    """

    __slots__ = ()
    _type_name = "BASIC_ARRAY"
    _allowed_elements = _PRIMITIVE_ELEMENTS + (BasicType.STRING,)


class ObjectArrayTypeInfo(_ElementTypeInfo):
    """Type information for an array of any type; elements may be None.

    Examples:
        >>> from fluvial.common import Types
        >>> points = Types.OBJECT_ARRAY(Types.TUPLE([Types.INT(), Types.INT()]))
        >>> points.to_type_string()
        'OBJECT_ARRAY<TUPLE<INT, INT>>'
        >>> points.make_validator()([(1, 2), None, (3, 4)])
    """

    __slots__ = ()
    _type_name = "OBJECT_ARRAY"


class ListTypeInfo(_ElementTypeInfo):
    """Type information for a list; elements may be None.

    Examples:
        >>> from fluvial.common import Types
        >>> Types.LIST(Types.INT()).make_validator()([1, "2"])
        Traceback (most recent call last):
            ...
        TypeError: element 1 of LIST<INT>: expected INT (a Python int in [-2147483648, 2147483647]), got str '2'
    """

    __slots__ = ()
    _type_name = "LIST"

    @property
    def elem_type(self) -> TypeInformation:
        """The element type, under the attribute name PyFlink uses."""
        return self._element_type


class MapTypeInfo(TypeInformation):
    """Type information for a dict; keys cannot be None, values can.

    Examples:
        >>> from fluvial.common import Types
        >>> counts = Types.MAP(Types.STRING(), Types.INT())
        >>> counts.get_key_type(), counts.get_value_type(), counts.to_type_string()
        (String, Integer, 'MAP<STRING, INT>')
        >>> counts.make_validator()({None: 1})
        Traceback (most recent call last):
            ...
        TypeError: key of MAP<STRING, INT>: expected STRING (map keys cannot be None), got None
    """

    __slots__ = ("_key_type_info", "_value_type_info")

    def __init__(
        self, key_type_info: TypeInformation, value_type_info: TypeInformation
    ) -> None:
        self._key_type_info = _check_type_info("key_type_info", key_type_info)
        self._value_type_info = _check_type_info("value_type_info", value_type_info)

    def get_key_type(self) -> TypeInformation:
        return self._key_type_info

    def get_value_type(self) -> TypeInformation:
        return self._value_type_info

    def make_validator(self) -> Validator:
        return map_validator(
            self.to_type_string(),
            self._key_type_info.to_type_string(),
            self._key_type_info.make_validator(),
            self._value_type_info.make_validator(),
        )

    def to_type_string(self) -> str:
        return f"MAP<{self._key_type_info.to_type_string()}, {self._value_type_info.to_type_string()}>"

    def _key(self):
        return ("MAP", self._key_type_info, self._value_type_info)

    def _state(self):
        return (self._key_type_info, self._value_type_info)

    def __repr__(self) -> str:
        return f"MapTypeInfo<{self._key_type_info!r}, {self._value_type_info!r}>"


# ------------------------------------------------------------------------ rows and tuples


def _check_field_types(
    field_types: Sequence[TypeInformation],
) -> tuple[TypeInformation, ...]:
    if isinstance(field_types, (str, bytes)) or not hasattr(field_types, "__iter__"):
        raise TypeError(
            f"field_types must be a list of TypeInformation, got {describe(field_types)}"
        )
    return tuple(
        _check_type_info(f"field_types[{index}]", field)
        for index, field in enumerate(field_types)
    )


class RowTypeInfo(TypeInformation):
    """Type information for Row records: field types and, optionally, field names.

    Without names the fields are called f0, f1, ... as in Flink.

    Examples:
        >>> from fluvial.common import Types
        >>> order = Types.ROW_NAMED(["user", "amount"], [Types.STRING(), Types.DOUBLE()])
        >>> order.get_field_names(), order.get_field_index("amount"), order.get_arity()
        (['user', 'amount'], 1, 2)
        >>> Types.ROW([Types.INT(), Types.STRING()]).get_field_names()
        ['f0', 'f1']
    """

    __slots__ = ("_field_names", "_field_types")

    def __init__(
        self, field_types: list[TypeInformation], field_names: list[str] | None = None
    ) -> None:
        self._field_types = _check_field_types(field_types)
        if field_names is not None:
            field_names = _check_field_names(field_names, len(self._field_types))
        self._field_names = field_names

    def get_field_names(self) -> list[str]:
        if self._field_names is None:
            return [f"f{index}" for index in range(len(self._field_types))]
        return list(self._field_names)

    def get_field_types(self) -> list[TypeInformation]:
        return list(self._field_types)

    def get_field_index(self, field_name: str) -> int:
        """Returns the position of the named field, or -1 when there is none (as Java does)."""
        try:
            return self.get_field_names().index(field_name)
        except ValueError:
            return -1

    def get_arity(self) -> int:
        return len(self._field_types)

    def make_validator(self) -> Validator:
        names = self.get_field_names()
        return fields_validator(
            self.to_type_string(),
            "a Row, tuple or list",
            [field.make_validator() for field in self._field_types],
            [f"{name!r} (index {index})" for index, name in enumerate(names)],
            self._field_names,
        )

    def to_type_string(self) -> str:
        fields = ", ".join(
            f"{name} {field.to_type_string()}"
            for name, field in zip(self.get_field_names(), self._field_types)
        )
        return f"ROW<{fields}>"

    def _key(self):
        # Names count, as in Java's RowTypeInfo.equals; unnamed rows are named f0, f1, ...
        return ("ROW", self._field_types, tuple(self.get_field_names()))

    def _state(self):
        names = list(self._field_names) if self._field_names is not None else None
        return (list(self._field_types), names)

    def __repr__(self) -> str:
        if self._field_names is None:
            fields = ", ".join(repr(field) for field in self._field_types)
        else:
            fields = ", ".join(
                f"{name}: {field!r}"
                for name, field in zip(self._field_names, self._field_types)
            )
        return f"RowTypeInfo({fields})"


def _check_field_names(field_names: Sequence[str], arity: int) -> tuple[str, ...]:
    if isinstance(field_names, (str, bytes)) or not hasattr(field_names, "__iter__"):
        raise TypeError(
            f"field_names must be a list of str, got {describe(field_names)}"
        )
    names = tuple(field_names)
    for index, name in enumerate(names):
        if not isinstance(name, str):
            raise TypeError(f"field_names[{index}] must be a str, got {describe(name)}")
    if len(names) != arity:
        raise ValueError(
            f"field_names needs one name per field type ({arity}), got {len(names)} names {list(names)!r}"
        )
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"field_names must be unique, got duplicates {duplicates!r}")
    return names


class TupleTypeInfo(TypeInformation):
    """Type information for tuples with a fixed number of typed fields.

    Examples:
        >>> from fluvial.common import Types
        >>> pair = Types.TUPLE([Types.INT(), Types.STRING()])
        >>> pair.get_arity(), pair.to_type_string()
        (2, 'TUPLE<INT, STRING>')
        >>> pair.make_validator()((1, 2))
        Traceback (most recent call last):
            ...
        TypeError: field 1 of TUPLE<INT, STRING>: expected STRING (a Python str), got int 2
    """

    __slots__ = ("_field_types",)

    def __init__(self, field_types: list[TypeInformation]) -> None:
        self._field_types = _check_field_types(field_types)

    def get_field_types(self) -> list[TypeInformation]:
        return list(self._field_types)

    def get_arity(self) -> int:
        return len(self._field_types)

    def make_validator(self) -> Validator:
        return fields_validator(
            self.to_type_string(),
            "a tuple, Row or list",
            [field.make_validator() for field in self._field_types],
            [str(index) for index in range(len(self._field_types))],
            None,
        )

    def to_type_string(self) -> str:
        fields = ", ".join(field.to_type_string() for field in self._field_types)
        return f"TUPLE<{fields}>"

    def _key(self):
        return ("TUPLE", self._field_types)

    def _state(self):
        return (list(self._field_types),)

    def __repr__(self) -> str:
        fields = ", ".join(repr(field) for field in self._field_types)
        return f"TupleTypeInfo({fields})"


# ------------------------------------------------------------------------------ factory


class Types:
    """Factories of the TypeInformation of common types, named as in PyFlink (`Types.INT()`).

    Examples:
        >>> from fluvial.common import Row, Types
        >>> order_type = Types.ROW_NAMED(["user", "amount"], [Types.STRING(), Types.DOUBLE()])
        >>> order_type, order_type.to_type_string()
        (RowTypeInfo(user: String, amount: Double), 'ROW<user STRING, amount DOUBLE>')
        >>> Types.TUPLE([Types.STRING(), Types.INT()]), Types.MAP(Types.STRING(), Types.LIST(Types.INT()))
        (TupleTypeInfo(String, Integer), MapTypeInfo<String, ListTypeInfo<Integer>>)
        >>> order_type.make_validator()(Row(user="alice", amount="12"))
        Traceback (most recent call last):
            ...
        TypeError: field 'amount' (index 1) of ROW<user STRING, amount DOUBLE>:
        expected DOUBLE (a Python float or int), got str '12'
    """

    @staticmethod
    def STRING() -> TypeInformation:
        """Returns the type of str values."""
        return BasicTypeInfo.STRING_TYPE_INFO()

    @staticmethod
    def BYTE() -> TypeInformation:
        """Returns the type of ints in [-128, 127]."""
        return BasicTypeInfo.BYTE_TYPE_INFO()

    @staticmethod
    def BOOLEAN() -> TypeInformation:
        """Returns the type of bool values."""
        return BasicTypeInfo.BOOLEAN_TYPE_INFO()

    @staticmethod
    def SHORT() -> TypeInformation:
        """Returns the type of ints in [-32768, 32767]."""
        return BasicTypeInfo.SHORT_TYPE_INFO()

    @staticmethod
    def INT() -> TypeInformation:
        """Returns the type of 32-bit signed ints."""
        return BasicTypeInfo.INT_TYPE_INFO()

    @staticmethod
    def LONG() -> TypeInformation:
        """Returns the type of 64-bit signed ints."""
        return BasicTypeInfo.LONG_TYPE_INFO()

    @staticmethod
    def FLOAT() -> TypeInformation:
        """Returns the type of 32-bit floats."""
        return BasicTypeInfo.FLOAT_TYPE_INFO()

    @staticmethod
    def DOUBLE() -> TypeInformation:
        """Returns the type of 64-bit floats."""
        return BasicTypeInfo.DOUBLE_TYPE_INFO()

    @staticmethod
    def CHAR() -> TypeInformation:
        """Returns the type of single-character strings."""
        return BasicTypeInfo.CHAR_TYPE_INFO()

    @staticmethod
    def BIG_INT() -> TypeInformation:
        """Returns the type of unbounded ints."""
        return BasicTypeInfo.BIG_INT_TYPE_INFO()

    @staticmethod
    def BIG_DEC() -> TypeInformation:
        """Returns the type of decimal.Decimal values."""
        return BasicTypeInfo.BIG_DEC_TYPE_INFO()

    @staticmethod
    def INSTANT() -> TypeInformation:
        """Returns the type of points in time."""
        return BasicTypeInfo.INSTANT_TYPE_INFO()

    @staticmethod
    def SQL_DATE() -> TypeInformation:
        """Returns the type of datetime.date values."""
        return SqlTimeTypeInfo.DATE()

    @staticmethod
    def SQL_TIME() -> TypeInformation:
        """Returns the type of datetime.time values."""
        return SqlTimeTypeInfo.TIME()

    @staticmethod
    def SQL_TIMESTAMP() -> TypeInformation:
        """Returns the type of datetime.datetime values."""
        return SqlTimeTypeInfo.TIMESTAMP()

    @staticmethod
    def LOCAL_DATE() -> TypeInformation:
        """Returns the type of datetime.date values (Java's LocalDate)."""
        return LocalTimeTypeInfo(LocalTimeTypeInfo.TimeType.LOCAL_DATE)

    @staticmethod
    def LOCAL_TIME() -> TypeInformation:
        """Returns the type of datetime.time values (Java's LocalTime)."""
        return LocalTimeTypeInfo(LocalTimeTypeInfo.TimeType.LOCAL_TIME)

    @staticmethod
    def LOCAL_DATE_TIME() -> TypeInformation:
        """Returns the type of datetime.datetime values (Java's LocalDateTime)."""
        return LocalTimeTypeInfo(LocalTimeTypeInfo.TimeType.LOCAL_DATE_TIME)

    @staticmethod
    def PICKLED_BYTE_ARRAY() -> TypeInformation:
        """Returns the type of arbitrary Python objects, carried pickled."""
        return PickledBytesTypeInfo()

    @staticmethod
    def ROW(field_types: list[TypeInformation]) -> RowTypeInfo:
        """Returns the type of rows with the given field types, named f0, f1, ..."""
        return RowTypeInfo(field_types)

    @staticmethod
    def ROW_NAMED(
        field_names: list[str], field_types: list[TypeInformation]
    ) -> RowTypeInfo:
        """Returns the type of rows with the given field names and types."""
        return RowTypeInfo(field_types, field_names)

    @staticmethod
    def TUPLE(field_types: list[TypeInformation]) -> TupleTypeInfo:
        """Returns the type of tuples with the given field types."""
        return TupleTypeInfo(field_types)

    @staticmethod
    def PRIMITIVE_ARRAY(element_type: TypeInformation) -> TypeInformation:
        """Returns the type of arrays of a primitive type; Types.BYTE() gives bytes."""
        return PrimitiveArrayTypeInfo(element_type)

    @staticmethod
    def BASIC_ARRAY(element_type: TypeInformation) -> TypeInformation:
        """Returns the type of arrays of a basic type or strings, with nullable elements."""
        return BasicArrayTypeInfo(element_type)

    @staticmethod
    def OBJECT_ARRAY(element_type: TypeInformation) -> TypeInformation:
        """Returns the type of arrays of any type, with nullable elements."""
        return ObjectArrayTypeInfo(element_type)

    @staticmethod
    def MAP(
        key_type_info: TypeInformation, value_type_info: TypeInformation
    ) -> TypeInformation:
        """Returns the type of dicts with the given key and value types."""
        return MapTypeInfo(key_type_info, value_type_info)

    @staticmethod
    def LIST(element_type_info: TypeInformation) -> TypeInformation:
        """Returns the type of lists with the given element type."""
        return ListTypeInfo(element_type_info)
