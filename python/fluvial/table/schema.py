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
    """A declared schema (``Schema.new_builder().column(...).watermark(...).build()``): physical
    columns, computed columns (``column_by_expression``), metadata columns, a watermark and a
    primary key, in the order they were declared.

    Examples:
        >>> from fluvial.table import DataTypes
        >>> from fluvial.table.schema import Schema
        >>> s = Schema.new_builder().column("id", DataTypes.BIGINT()).column("ts", DataTypes.TIMESTAMP(3)) \\
        ...     .watermark("ts", "ts - INTERVAL '5' SECOND").build()
        >>> s.columns, s.watermark
        ([('id', BIGINT), ('ts', TIMESTAMP(3))], ('ts', "ts - INTERVAL '5' SECOND"))
        >>> print(s)
        (
          `id` BIGINT,
          `ts` TIMESTAMP(3),
          WATERMARK FOR `ts` AS [ts - INTERVAL '5' SECOND]
        )
    """

    def __init__(self, columns, computed, watermark, primary_key, metadata=None, order=None,
                 primary_key_name=None):
        self.columns = columns
        self.computed = computed
        self.watermark = watermark
        self.primary_key = primary_key
        self.metadata = metadata or []
        # ("physical" | "computed" | "metadata", name) in declaration order: the table's column order.
        self.order = order if order is not None else (
            [("physical", n) for n, _ in columns] + [("computed", n) for n, _ in computed]
            + [("metadata", m[0]) for m in self.metadata])
        self.primary_key_name = primary_key_name

    @staticmethod
    def new_builder() -> "Schema.Builder":
        return Schema.Builder()

    def __str__(self) -> str:
        physical = dict(self.columns)
        computed = dict(self.computed)
        metadata = {m[0]: m for m in self.metadata}
        lines = []
        for kind, name in self.order:
            if kind == "physical":
                lines.append(f"`{name}` {physical[name]!r}")
            elif kind == "computed":
                lines.append(f"`{name}` AS [{computed[name]}]")
            else:
                _, data_type, key, virtual = metadata[name]
                lines.append(f"`{name}` {data_type!r} METADATA" + (f" FROM '{key}'" if key and key != name else "")
                             + (" VIRTUAL" if virtual else ""))
        if self.watermark is not None:
            lines.append(f"WATERMARK FOR `{self.watermark[0]}` AS [{self.watermark[1]}]")
        if self.primary_key:
            name = self.primary_key_name or "PK_" + "_".join(self.primary_key)
            lines.append(f"CONSTRAINT `{name}` PRIMARY KEY (" + ", ".join(f"`{c}`" for c in self.primary_key)
                         + ") NOT ENFORCED")
        return "(\n" + ",\n".join("  " + line for line in lines) + "\n)"

    __repr__ = __str__

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Schema) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    class Builder:
        def __init__(self):
            self._columns: List[Any] = []
            self._computed: List[Any] = []
            self._watermark = None
            self._primary_key: List[str] = []
            self._primary_key_name: Optional[str] = None
            self._metadata: List[Any] = []
            self._order: List[Any] = []

        def _declare(self, kind: str, column_name: str) -> None:
            if not isinstance(column_name, str) or not column_name:
                raise ValueError(f"Schema: a column name must be a non-empty string, got {column_name!r}")
            if any(name == column_name for _, name in self._order):
                raise ValueError(f"Schema: column '{column_name}' is declared twice")
            self._order.append((kind, column_name))

        def from_schema(self, unresolved_schema: "Schema") -> "Schema.Builder":
            """Adds all of another Schema's columns, watermark and primary key."""
            physical = dict(unresolved_schema.columns)
            computed = dict(unresolved_schema.computed)
            metadata = {m[0]: m for m in unresolved_schema.metadata}
            for kind, name in unresolved_schema.order:
                if kind == "physical":
                    self.column(name, physical[name])
                elif kind == "computed":
                    self.column_by_expression(name, computed[name])
                else:
                    self.column_by_metadata(*metadata[name])
            if unresolved_schema.watermark is not None:
                self.watermark(*unresolved_schema.watermark)
            if unresolved_schema.primary_key:
                self._primary_key = list(unresolved_schema.primary_key)
                self._primary_key_name = unresolved_schema.primary_key_name
            return self

        def from_fields(self, field_names: List[str], field_data_types: List[Any]) -> "Schema.Builder":
            if len(field_names) != len(field_data_types):
                raise ValueError(f"Schema.from_fields: {len(field_names)} names but {len(field_data_types)} types")
            for name, data_type in zip(field_names, field_data_types):
                self.column(name, data_type)
            return self

        def column(self, column_name: str, data_type: Any) -> "Schema.Builder":
            if isinstance(data_type, str):
                from fluvial.table.sql.types import parse_type

                data_type = parse_type(data_type)
            self._declare("physical", column_name)
            self._columns.append((column_name, data_type))
            return self

        def column_by_metadata(self, column_name: str, data_type: Any, metadata_key: Optional[str] = None,
                               is_virtual: bool = False) -> "Schema.Builder":
            """A column filled from the records' metadata: 'rowtime' is the stream record's timestamp."""
            if isinstance(data_type, str):
                from fluvial.table.sql.types import parse_type

                data_type = parse_type(data_type)
            self._declare("metadata", column_name)
            self._metadata.append((column_name, data_type, metadata_key, is_virtual))
            return self

        def column_by_expression(self, column_name: str, expr: Any) -> "Schema.Builder":
            """A computed column: a SQL expression string (``"CAST(f0 AS TIMESTAMP_LTZ(3))"``,
            ``"PROCTIME()"``) or a Table API Expression over the other columns."""
            self._declare("computed", column_name)
            self._computed.append((column_name, expr))
            return self

        def watermark(self, column_name: str, watermark_expr: Any) -> "Schema.Builder":
            self._watermark = (column_name, watermark_expr)
            return self

        def primary_key(self, *column_names: str) -> "Schema.Builder":
            if len(column_names) == 1 and isinstance(column_names[0], (list, tuple)):
                column_names = tuple(column_names[0])
            self._primary_key = list(column_names)
            return self

        def primary_key_named(self, constraint_name: str, *column_names: str) -> "Schema.Builder":
            self.primary_key(*column_names)
            self._primary_key_name = constraint_name
            return self

        def from_row_data_type(self, data_type: DataType) -> "Schema.Builder":
            for field in data_type._children:
                self.column(field.name, field.data_type)
            return self

        def build(self) -> "Schema":
            return Schema(list(self._columns), list(self._computed), self._watermark, list(self._primary_key),
                          list(self._metadata), list(self._order), self._primary_key_name)
