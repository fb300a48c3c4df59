"""Table types: PyFlink's DataTypes, each backed by the Arrow type that holds
its values in the columnar executor."""

from typing import Any, List, Optional

import pyarrow as pa


class DataType:
    """A SQL type. ``DataTypes.BIGINT()`` and friends build them; ``not_null()``
    and ``nullable()`` return copies with the other nullability.

    Examples:
        >>> from fluvial.table import DataTypes
        >>> DataTypes.BIGINT(), DataTypes.STRING().not_null(), DataTypes.TIMESTAMP(3)
        (BIGINT, STRING NOT NULL, TIMESTAMP(3))
    """

    def __init__(self, name: str, arrow: pa.DataType, nullable: bool = True, children: Optional[List[Any]] = None):
        self._name = name
        self._arrow = arrow
        self._nullable = nullable
        self._children = children or []

    def not_null(self) -> "DataType":
        return DataType(self._name, self._arrow, False, self._children)

    def nullable(self) -> "DataType":
        return DataType(self._name, self._arrow, True, self._children)

    @property
    def arrow_type(self) -> pa.DataType:
        return self._arrow

    def __repr__(self) -> str:
        return self._name + ("" if self._nullable else " NOT NULL")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DataType) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))


class DataTypeField:
    """A named field of a ROW type (``DataTypes.FIELD(name, type)``).

    Examples:
        >>> from fluvial.table import DataTypes
        >>> DataTypes.FIELD("price", DataTypes.DOUBLE())
        price DOUBLE
    """

    def __init__(self, name: str, data_type: DataType, description: Optional[str] = None):
        self.name = name
        self.data_type = data_type
        self.description = description

    def __repr__(self) -> str:
        return f"{self.name} {self.data_type!r}"


_TIME_UNITS = {0: "s", 1: "ms", 2: "ms", 3: "ms", 4: "us", 5: "us", 6: "us", 7: "ns", 8: "ns", 9: "ns"}


class DataTypes:
    """Factories of the SQL types, as in PyFlink's ``pyflink.table.DataTypes``.

    Examples:
        >>> from fluvial.table import DataTypes
        >>> DataTypes.ROW([DataTypes.FIELD("id", DataTypes.INT()), DataTypes.FIELD("name", DataTypes.STRING())])
        ROW<`id` INT, `name` STRING>
    """

    @staticmethod
    def NULL() -> DataType:  # noqa: N802 - PyFlink's names
        return DataType("NULL", pa.null())

    @staticmethod
    def BOOLEAN(nullable: bool = True) -> DataType:  # noqa: N802
        return DataType("BOOLEAN", pa.bool_(), nullable)

    @staticmethod
    def TINYINT(nullable: bool = True) -> DataType:  # noqa: N802
        return DataType("TINYINT", pa.int8(), nullable)

    @staticmethod
    def SMALLINT(nullable: bool = True) -> DataType:  # noqa: N802
        return DataType("SMALLINT", pa.int16(), nullable)

    @staticmethod
    def INT(nullable: bool = True) -> DataType:  # noqa: N802
        return DataType("INT", pa.int32(), nullable)

    @staticmethod
    def BIGINT(nullable: bool = True) -> DataType:  # noqa: N802
        return DataType("BIGINT", pa.int64(), nullable)

    @staticmethod
    def FLOAT(nullable: bool = True) -> DataType:  # noqa: N802
        return DataType("FLOAT", pa.float32(), nullable)

    @staticmethod
    def DOUBLE(nullable: bool = True) -> DataType:  # noqa: N802
        return DataType("DOUBLE", pa.float64(), nullable)

    @staticmethod
    def DECIMAL(precision: int = 10, scale: int = 0, nullable: bool = True) -> DataType:  # noqa: N802
        return DataType(f"DECIMAL({precision}, {scale})", pa.decimal128(precision, scale), nullable)

    @staticmethod
    def STRING(nullable: bool = True) -> DataType:  # noqa: N802
        return DataType("STRING", pa.string(), nullable)

    @staticmethod
    def VARCHAR(length: int = 2147483647, nullable: bool = True) -> DataType:  # noqa: N802
        return DataType("STRING" if length == 2147483647 else f"VARCHAR({length})", pa.string(), nullable)

    @staticmethod
    def CHAR(length: int = 1, nullable: bool = True) -> DataType:  # noqa: N802
        return DataType(f"CHAR({length})", pa.string(), nullable)

    @staticmethod
    def BYTES(nullable: bool = True) -> DataType:  # noqa: N802
        return DataType("BYTES", pa.binary(), nullable)

    @staticmethod
    def DATE(nullable: bool = True) -> DataType:  # noqa: N802
        return DataType("DATE", pa.date32(), nullable)

    @staticmethod
    def TIME(precision: int = 0, nullable: bool = True) -> DataType:  # noqa: N802
        return DataType(f"TIME({precision})", pa.time64("us"), nullable)

    @staticmethod
    def TIMESTAMP(precision: int = 6, nullable: bool = True) -> DataType:  # noqa: N802
        return DataType(f"TIMESTAMP({precision})", pa.timestamp(_TIME_UNITS[precision]), nullable)

    @staticmethod
    def TIMESTAMP_LTZ(precision: int = 6, nullable: bool = True) -> DataType:  # noqa: N802
        return DataType(f"TIMESTAMP_LTZ({precision})", pa.timestamp(_TIME_UNITS[precision], tz="UTC"), nullable)

    @staticmethod
    def ARRAY(element_type: DataType, nullable: bool = True) -> DataType:  # noqa: N802
        return DataType(f"ARRAY<{element_type!r}>", pa.list_(element_type.arrow_type), nullable, [element_type])

    @staticmethod
    def MAP(key_type: DataType, value_type: DataType, nullable: bool = True) -> DataType:  # noqa: N802
        return DataType(f"MAP<{key_type!r}, {value_type!r}>", pa.map_(key_type.arrow_type, value_type.arrow_type),
                        nullable, [key_type, value_type])

    @staticmethod
    def FIELD(name: str, data_type: DataType, description: Optional[str] = None) -> DataTypeField:  # noqa: N802
        return DataTypeField(name, data_type, description)

    @staticmethod
    def ROW(row_fields: Optional[List[DataTypeField]] = None, nullable: bool = True) -> DataType:  # noqa: N802
        row_fields = row_fields or []
        text = ", ".join(f"`{f.name}` {f.data_type!r}" for f in row_fields)
        arrow = pa.struct([pa.field(f.name, f.data_type.arrow_type) for f in row_fields])
        return DataType(f"ROW<{text}>", arrow, nullable, row_fields)


def from_arrow(arrow: pa.DataType) -> DataType:
    """The SQL type whose values Arrow holds as 'arrow'."""
    if pa.types.is_boolean(arrow):
        return DataTypes.BOOLEAN()
    for name, maker in (("int8", DataTypes.TINYINT), ("int16", DataTypes.SMALLINT), ("int32", DataTypes.INT),
                        ("int64", DataTypes.BIGINT), ("float", DataTypes.FLOAT), ("double", DataTypes.DOUBLE),
                        ("string", DataTypes.STRING), ("large_string", DataTypes.STRING),
                        ("binary", DataTypes.BYTES), ("date32[day]", DataTypes.DATE)):
        if str(arrow) == name:
            return maker()
    if pa.types.is_unsigned_integer(arrow):
        return DataTypes.BIGINT()
    if pa.types.is_timestamp(arrow):
        precision = {"s": 0, "ms": 3, "us": 6, "ns": 9}[arrow.unit]
        return DataTypes.TIMESTAMP_LTZ(precision) if arrow.tz else DataTypes.TIMESTAMP(precision)
    if pa.types.is_decimal(arrow):
        return DataTypes.DECIMAL(arrow.precision, arrow.scale)
    if pa.types.is_list(arrow):
        return DataTypes.ARRAY(from_arrow(arrow.value_type))
    if pa.types.is_map(arrow):
        return DataTypes.MAP(from_arrow(arrow.key_type), from_arrow(arrow.item_type))
    if pa.types.is_struct(arrow):
        return DataTypes.ROW([DataTypes.FIELD(f.name, from_arrow(f.type)) for f in arrow])
    if pa.types.is_null(arrow):
        return DataTypes.NULL()
    if pa.types.is_time(arrow):
        return DataTypes.TIME()
    raise TypeError(f"no SQL type for Arrow type {arrow}")


def from_type_info(type_info: Any) -> DataType:
    """The SQL type for a DataStream TypeInformation (Types.INT(), Types.ROW_NAMED(...), ...)."""
    from fluvial.common.typeinfo import Types

    simple = {
        repr(Types.STRING()): DataTypes.STRING(), repr(Types.INT()): DataTypes.INT(),
        repr(Types.LONG()): DataTypes.BIGINT(), repr(Types.DOUBLE()): DataTypes.DOUBLE(),
        repr(Types.FLOAT()): DataTypes.FLOAT(), repr(Types.BOOLEAN()): DataTypes.BOOLEAN(),
        repr(Types.SHORT()): DataTypes.SMALLINT(), repr(Types.BYTE()): DataTypes.TINYINT(),
        repr(Types.SQL_TIMESTAMP()): DataTypes.TIMESTAMP(3), repr(Types.SQL_DATE()): DataTypes.DATE(),
        repr(Types.PRIMITIVE_ARRAY(Types.BYTE())): DataTypes.BYTES(),
    }
    found = simple.get(repr(type_info))
    if found is not None:
        return found
    names = getattr(type_info, "get_field_names", None)
    if names is not None:
        return DataTypes.ROW([DataTypes.FIELD(name, from_type_info(t))
                              for name, t in zip(type_info.get_field_names(), type_info.get_field_types())])
    raise TypeError(f"no SQL type for {type_info!r}: declare the stream's output type with Types.ROW_NAMED(...)")

__all__ = ["DataType", "DataTypeField", "DataTypes"]
