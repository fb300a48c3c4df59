"""TableDescriptor and FormatDescriptor: a table declared in Python rather than with
CREATE TABLE (``t_env.create_temporary_table('t', TableDescriptor.for_connector(...)...)``).

A descriptor is the same catalog entry CREATE TABLE makes: its schema (physical, computed
and metadata columns, watermark, primary key) and its connector options."""

from typing import Any, Dict, List, Optional, Union

from fluvial.table.expressions import PlanningError


def _option_key(key: Any) -> str:
    """An option key: a string, or a ConfigOption (anything with a key())."""
    if isinstance(key, str):
        return key
    key_of = getattr(key, "key", None)
    if callable(key_of):
        return str(key_of())
    raise TypeError(f"option key must be a string or a ConfigOption, got {key!r}")


def _option_value(value: Any) -> str:
    """Flink's options are strings; booleans are written as Java writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FormatDescriptor:
    """A format and its options (``FormatDescriptor.for_format('csv').option('field-delimiter', '|')``).

    Examples:
        >>> from fluvial.table.table_descriptor import FormatDescriptor
        >>> f = FormatDescriptor.for_format("json").option("ignore-parse-errors", "true").build()
        >>> f.get_format(), f.get_options()
        ('json', {'ignore-parse-errors': 'true'})
    """

    def __init__(self, format_name: str, options: Dict[str, str]):
        self._format = format_name
        self._options = dict(options)

    @staticmethod
    def for_format(format: str) -> "FormatDescriptor.Builder":
        if not isinstance(format, str) or not format:
            raise PlanningError(f"FormatDescriptor.for_format needs a format name such as 'csv', got {format!r}")
        return FormatDescriptor.Builder(format)

    def get_format(self) -> str:
        return self._format

    def get_options(self) -> Dict[str, str]:
        return dict(self._options)

    def __str__(self) -> str:
        options = ", ".join(f"'{k}' = '{v}'" for k, v in sorted(self._options.items()))
        return f"{self._format}[{options}]"

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, FormatDescriptor) and (self._format, self._options) == (other._format,
                                                                                         other._options)

    def __hash__(self) -> int:
        return hash((self._format, tuple(sorted(self._options.items()))))

    class Builder:
        def __init__(self, format_name: str):
            self._format = format_name
            self._options: Dict[str, str] = {}

        def option(self, key: Any, value: Any) -> "FormatDescriptor.Builder":
            """A format option without the format's prefix ('field-delimiter', not 'csv.field-delimiter')."""
            self._options[_option_key(key)] = _option_value(value)
            return self

        def build(self) -> "FormatDescriptor":
            return FormatDescriptor(self._format, self._options)


def _format_prefix(format_name: str, format_key: str) -> str:
    """Where a format's own options go: 'format' → 'csv.'; 'key.format' → 'key.csv.' (as Flink)."""
    if format_key == "format":
        return f"{format_name}."
    if format_key.endswith(".format"):
        return f"{format_key[:-len('format')]}{format_name}."
    raise PlanningError(f"format option '{format_key}': a format is set with the option 'format' or one "
                        f"ending in '.format' (such as 'key.format')")


class TableDescriptor:
    """A table's schema and connector options, the Python form of CREATE TABLE.

    Examples:
        >>> from fluvial.table import DataTypes, Schema
        >>> from fluvial.table.table_descriptor import FormatDescriptor, TableDescriptor
        >>> d = TableDescriptor.for_connector("filesystem") \\
        ...     .schema(Schema.new_builder().column("word", DataTypes.STRING()).build()) \\
        ...     .option("path", "/tmp/words") \\
        ...     .format(FormatDescriptor.for_format("csv").option("field-delimiter", "|").build()) \\
        ...     .build()
        >>> sorted(d.get_options().items())
        [('connector', 'filesystem'), ('csv.field-delimiter', '|'), ('format', 'csv'), ('path', '/tmp/words')]
    """

    def __init__(self, schema: Any, options: Dict[str, str], partition_keys: List[str], comment: Optional[str]):
        self._schema = schema
        self._options = dict(options)
        self._partition_keys = list(partition_keys)
        self._comment = comment

    @staticmethod
    def for_connector(connector: str) -> "TableDescriptor.Builder":
        if not isinstance(connector, str) or not connector:
            raise PlanningError(f"TableDescriptor.for_connector needs a connector name such as 'print', "
                                f"got {connector!r}")
        return TableDescriptor.Builder(connector)

    def get_schema(self) -> Any:
        return self._schema

    def get_options(self) -> Dict[str, str]:
        return dict(self._options)

    def get_partition_keys(self) -> List[str]:
        return list(self._partition_keys)

    def get_comment(self) -> Optional[str]:
        return self._comment

    def __str__(self) -> str:
        parts = [str(self._schema) if self._schema is not None else ""]
        if self._comment is not None:
            parts.append(f"COMMENT '{self._comment}'")
        if self._partition_keys:
            parts.append("PARTITIONED BY (" + ", ".join(f"`{k}`" for k in self._partition_keys) + ")")
        options = ",\n".join(f"  '{k}' = '{v}'" for k, v in sorted(self._options.items()))
        parts.append(f"WITH (\n{options}\n)")
        return "\n".join(p for p in parts if p)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, TableDescriptor) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    class Builder:
        def __init__(self, connector: str):
            self._schema: Any = None
            self._options: Dict[str, str] = {"connector": connector}
            self._partition_keys: List[str] = []
            self._comment: Optional[str] = None

        def schema(self, schema: Any) -> "TableDescriptor.Builder":
            from fluvial.table.schema import Schema

            if not isinstance(schema, Schema):
                raise PlanningError(f"TableDescriptor.schema takes a Schema (Schema.new_builder()...build()), "
                                    f"got {schema!r}")
            self._schema = schema
            return self

        def option(self, key: Any, value: Any) -> "TableDescriptor.Builder":
            self._options[_option_key(key)] = _option_value(value)
            return self

        def format(self, format: Union[str, FormatDescriptor], format_option: Any = None) -> "TableDescriptor.Builder":
            """The format: 'format' = name, and the FormatDescriptor's options prefixed with its name."""
            format_key = _option_key(format_option) if format_option is not None else "format"
            if isinstance(format, FormatDescriptor):
                self._options[format_key] = format.get_format()
                prefix = _format_prefix(format.get_format(), format_key)
                for key, value in format.get_options().items():
                    self._options[prefix + key] = value
            elif isinstance(format, str):
                self._options[format_key] = format
            else:
                raise PlanningError(f"TableDescriptor.format takes a format name or a FormatDescriptor, "
                                    f"got {format!r}")
            return self

        def partitioned_by(self, *partition_keys: str) -> "TableDescriptor.Builder":
            self._partition_keys = list(partition_keys)
            return self

        def comment(self, comment: str) -> "TableDescriptor.Builder":
            self._comment = comment
            return self

        def build(self) -> "TableDescriptor":
            return TableDescriptor(self._schema, self._options, self._partition_keys, self._comment)


__all__ = ["FormatDescriptor", "TableDescriptor"]


def sql_expression(t_env: Any, text: Any) -> Any:
    """A Table API Expression from a SQL expression string (a Schema's computed column or
    watermark); an Expression is returned as it is."""
    from fluvial.table.expressions import Expression

    if isinstance(text, Expression):
        return text
    if not isinstance(text, str):
        raise PlanningError(f"expected a SQL expression string or an Expression, got {text!r}")
    from fluvial.table.sql.dialect import parse
    from fluvial.table.sql.planner import ExpressionTranslator

    try:
        node = parse(f"SELECT {text}")[0].expressions[0]
    except Exception as error:  # noqa: BLE001 - the parser's own errors name the position
        raise PlanningError(f"cannot parse the SQL expression {text!r}: {error}") from None
    return ExpressionTranslator(t_env)(node)


def catalog_entry(t_env: Any, name: str, descriptor: TableDescriptor) -> Any:
    """The catalog entry (as CREATE TABLE makes) of a TableDescriptor."""
    import pyarrow as pa

    from fluvial.table.sql.statements import _watermark_delay
    from fluvial.table.table_environment import CatalogTable

    schema = descriptor.get_schema()
    if schema is None:
        raise PlanningError(f"table '{name}': the TableDescriptor has no schema; add "
                            f".schema(Schema.new_builder().column(...).build())")
    if schema.metadata:
        from fluvial.errors import UnsupportedFeatureError

        raise UnsupportedFeatureError(
            f"table '{name}': metadata columns ({', '.join(m[0] for m in schema.metadata)}) in a TableDescriptor "
            f"are not supported by Fluvial yet; declare a physical column instead", name="Schema.column_by_metadata")
    fields = [pa.field(column, data_type.arrow_type) for column, data_type in schema.columns]
    arrow_schema = pa.schema(fields)
    proctime = None
    computed = []
    for column, expression in schema.computed:
        translated = sql_expression(t_env, expression)
        if getattr(translated, "function", None) == "proctime":
            proctime = column
            continue
        computed.append((column, translated))
    options = descriptor.get_options()
    for key in descriptor.get_partition_keys():
        if key not in arrow_schema.names:
            raise PlanningError(f"partitioned_by('{key}'): no such column in table '{name}'")
    if descriptor.get_partition_keys():
        options["__partition_keys"] = ",".join(descriptor.get_partition_keys())  # read by the filesystem connector
    all_columns = [n for _, n in schema.order]
    for column in schema.primary_key:
        if column not in all_columns:
            raise PlanningError(f"primary_key('{column}'): no such column in table '{name}'")
    entry = CatalogTable(name, arrow_schema, options, proctime=proctime, computed=computed,
                         primary_key=list(schema.primary_key), data_types=[t for _, t in schema.columns],
                         column_order=all_columns)
    if schema.watermark is not None:
        column, expression = schema.watermark
        computed_names = [n for n, _ in computed]
        if column in computed_names:
            from fluvial.errors import UnsupportedFeatureError

            raise UnsupportedFeatureError(
                f"table '{name}': a watermark on the computed column '{column}' is not supported by Fluvial yet; "
                f"declare '{column}' as a physical TIMESTAMP(3) column", name="Schema.watermark")
        if column not in arrow_schema.names:
            raise PlanningError(f"watermark('{column}', ...): no such column in table '{name}'")
        if column in arrow_schema.names and not pa.types.is_timestamp(arrow_schema.field(column).type):
            raise PlanningError(f"watermark('{column}', ...): the column must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), "
                                f"it is {arrow_schema.field(column).type}")
        entry.rowtime = column
        entry.watermark_delay = _watermark_delay(sql_expression(t_env, expression), column)
    return entry
