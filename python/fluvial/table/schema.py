"""Schema (the declared columns of a table, with its watermark) and TableSchema
(the resolved columns of a query result)."""

from typing import Any, List, Optional

import pyarrow as pa

from fluvial.table.types import DataType, from_arrow


class TableSchema:
    """The columns of a table: names and SQL types.

    Examples:
        >>> import pyarrow as pa
        >>> from fluvial.table.schema import TableSchema
        >>> TableSchema.from_arrow(pa.schema([("id", pa.int64()), ("name", pa.string())])).get_field_names()
        ['id', 'name']
    """

    def __init__(self, field_names: List[str], data_types: List[DataType], rowtime: Optional[str] = None,
                 proctime: Optional[str] = None):
        self._names = list(field_names)
        self._types = list(data_types)
        self._rowtime = rowtime
        self._proctime = proctime

    @staticmethod
    def from_arrow(schema: pa.Schema, rowtime: Optional[str] = None, proctime: Optional[str] = None) -> "TableSchema":
        return TableSchema(schema.names, [from_arrow(f.type) for f in schema], rowtime, proctime)

    def get_field_names(self) -> List[str]:
        return list(self._names)

    def get_field_data_types(self) -> List[DataType]:
        return list(self._types)

    def get_field_count(self) -> int:
        return len(self._names)

    def get_field_data_type(self, field: Any) -> Optional[DataType]:
        if isinstance(field, int):
            return self._types[field]
        return self._types[self._names.index(field)] if field in self._names else None

    def __str__(self) -> str:
        lines = []
        for name, data_type in zip(self._names, self._types):
            text = repr(data_type)
            if name == self._rowtime:
                text += " *ROWTIME*"
            if name == self._proctime:
                text = "TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*"
            lines.append(f"  `{name}` {text}")
        return "(\n" + ",\n".join(lines) + "\n)"

    __repr__ = __str__


class Schema:
    """A declared schema (``Schema.new_builder().column(...).watermark(...).build()``).

    Examples:
        >>> from fluvial.table import DataTypes
        >>> from fluvial.table.schema import Schema
        >>> s = Schema.new_builder().column("id", DataTypes.BIGINT()).column("ts", DataTypes.TIMESTAMP(3)) \\
        ...     .watermark("ts", "ts - INTERVAL '5' SECOND").build()
        >>> s.columns, s.watermark
        ([('id', BIGINT), ('ts', TIMESTAMP(3))], ('ts', "ts - INTERVAL '5' SECOND"))
    """

    def __init__(self, columns, computed, watermark, primary_key, metadata=None):
        self.columns = columns
        self.computed = computed
        self.watermark = watermark
        self.primary_key = primary_key
        self.metadata = metadata or []

    @staticmethod
    def new_builder() -> "Schema.Builder":
        return Schema.Builder()

    class Builder:
        def __init__(self):
            self._columns: List[Any] = []
            self._computed: List[Any] = []
            self._watermark = None
            self._primary_key: List[str] = []
            self._metadata: List[Any] = []

        def column(self, column_name: str, data_type: Any) -> "Schema.Builder":
            if isinstance(data_type, str):
                from fluvial.table.sql.types import parse_type

                data_type = parse_type(data_type)
            self._columns.append((column_name, data_type))
            return self

        def column_by_metadata(self, column_name: str, data_type: Any, metadata_key: Optional[str] = None,
                               is_virtual: bool = False) -> "Schema.Builder":
            """A column filled from the records' metadata: 'rowtime' is the stream record's timestamp."""
            self._metadata.append((column_name, data_type, metadata_key or "rowtime"))
            return self

        def column_by_expression(self, column_name: str, expr: Any) -> "Schema.Builder":
            self._computed.append((column_name, expr))
            return self

        def watermark(self, column_name: str, watermark_expr: Any) -> "Schema.Builder":
            self._watermark = (column_name, watermark_expr)
            return self

        def primary_key(self, *column_names: str) -> "Schema.Builder":
            self._primary_key = list(column_names)
            return self

        def from_row_data_type(self, data_type: DataType) -> "Schema.Builder":
            for field in data_type._children:
                self.column(field.name, field.data_type)
            return self

        def build(self) -> "Schema":
            return Schema(self._columns, self._computed, self._watermark, self._primary_key, self._metadata)
