"""CSV files (PyFlink's pyflink.datastream.formats.csv): a CsvSchema describes the
columns and the dialect; CsvReaderFormat reads files through FileSource, CsvBulkWriters
writes them through FileSink.for_bulk_format. Parsing and writing are Arrow's."""

import csv
import decimal
import io
from typing import Any, Callable, List, Optional

from fluvial.common.serialization import BulkWriter, BulkWriterFactory, DeserializationSchema, SerializationSchema
from fluvial.common.typeinfo import BasicType, BasicTypeInfo, ListTypeInfo, RowTypeInfo, TypeInformation, Types
from fluvial.common.types import Row
from fluvial.datastream.connectors.file_system import StreamFormat
from fluvial.datastream.formats._bad_records import describe_value
from fluvial.datastream.formats._row_types import check_row_type, field_values
from fluvial.errors import ConnectorError, UnsupportedFeatureError

__all__ = ["CsvBulkWriters", "CsvReaderFormat", "CsvRowDeserializationSchema",
           "CsvRowSerializationSchema", "CsvSchema", "CsvSchemaBuilder"]

_NUMBER_TYPES = (BasicType.BYTE, BasicType.SHORT, BasicType.INT, BasicType.LONG, BasicType.FLOAT,
                 BasicType.DOUBLE, BasicType.BIG_DEC)


def _check_char(what: str, char: str) -> str:
    if not isinstance(char, str) or len(char) != 1:
        raise ValueError(f"{what} must be a single character, got {char!r}")
    return char


class CsvColumn:
    """One column: its name, its type and, for arrays, the separator of its elements."""

    def __init__(self, name: str, type_info: TypeInformation, array_separator: Optional[str] = None):
        self.name = name
        self.type_info = type_info
        self.array_separator = array_separator


class CsvSchema:
    """The columns of a CSV file and how it is written: separators, quoting, header, nulls.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream.formats.csv import CsvSchema
        >>> schema = (CsvSchema.builder().add_string_column("name")
        ...           .add_number_column("price", number_type=Types.DOUBLE()).build())
        >>> schema.size(), schema.get_type_info()
        (2, RowTypeInfo(name: String, price: Double))
    """

    def __init__(self, columns: List[CsvColumn], column_separator: str = ",",
                 quote_char: Optional[str] = '"', escape_char: Optional[str] = None,
                 line_separator: str = "\n", null_value: Optional[str] = None,
                 use_header: bool = False, skip_first_data_row: bool = False,
                 strict_headers: bool = False):
        self.columns = list(columns)
        self.column_separator = column_separator
        self.quote_char = quote_char
        self.escape_char = escape_char
        self.line_separator = line_separator
        self.null_value = null_value
        self.use_header = use_header
        self.skip_first_data_row = skip_first_data_row
        self.strict_headers = strict_headers

    @staticmethod
    def builder() -> "CsvSchemaBuilder":
        return CsvSchemaBuilder()

    def get_type_info(self) -> RowTypeInfo:
        """The type of the rows read: Types.ROW_NAMED of the column names and types."""
        return Types.ROW_NAMED([c.name for c in self.columns], [c.type_info for c in self.columns])

    def size(self) -> int:
        return len(self.columns)

    def __len__(self) -> int:
        return self.size()

    def __str__(self) -> str:
        columns = ", ".join(f"{c.name} {c.type_info.to_type_string()}" for c in self.columns)
        return (f"CsvSchema(columns=[{columns}], column_separator={self.column_separator!r}, "
                f"quote_char={self.quote_char!r}, use_header={self.use_header})")

    def __repr__(self) -> str:
        return str(self)


class CsvSchemaBuilder:
    """Builds a CsvSchema column by column (Jackson's CsvSchema.Builder in PyFlink).

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream.formats.csv import CsvSchema
        >>> schema = (CsvSchema.builder()
        ...           .add_string_column("user").add_number_column("n", Types.INT())
        ...           .add_array_column("tags", separator="|", element_type=Types.STRING())
        ...           .set_column_separator(";").set_use_header().build())
        >>> schema.get_type_info()
        RowTypeInfo(user: String, n: Integer, tags: ListTypeInfo<String>)
    """

    def __init__(self):
        self._columns: List[CsvColumn] = []
        self._options = {}
        self._array_separator = ";"

    def build(self) -> CsvSchema:
        return CsvSchema(self._columns, **self._options)

    def add_array_column(self, name: str, separator: str = ";",
                         element_type: Optional[TypeInformation] = None) -> "CsvSchemaBuilder":
        """An array column whose elements ('element_type', STRING by default) are separated
        by 'separator'; its records hold lists."""
        element_type = Types.STRING() if element_type is None else element_type
        if not isinstance(element_type, BasicTypeInfo):
            raise TypeError(f"add_array_column element_type must be a basic type such as Types.INT(), "
                            f"got {element_type!r}")
        self._columns.append(CsvColumn(name, Types.LIST(element_type), separator))
        return self

    def add_boolean_column(self, name: str) -> "CsvSchemaBuilder":
        self._columns.append(CsvColumn(name, Types.BOOLEAN()))
        return self

    def add_number_column(self, name: str,
                          number_type: Optional[TypeInformation] = None) -> "CsvSchemaBuilder":
        """A number column of 'number_type' (Types.INT(), Types.DOUBLE(), ...; LONG by default)."""
        number_type = Types.LONG() if number_type is None else number_type
        if not isinstance(number_type, BasicTypeInfo) or number_type._basic_type not in _NUMBER_TYPES:
            raise TypeError(f"add_number_column number_type must be a numeric type such as Types.INT(), "
                            f"got {number_type!r}")
        self._columns.append(CsvColumn(name, number_type))
        return self

    def add_string_column(self, name: str) -> "CsvSchemaBuilder":
        self._columns.append(CsvColumn(name, Types.STRING()))
        return self

    def add_columns_from(self, schema: CsvSchema) -> "CsvSchemaBuilder":
        self._columns.extend(schema.columns)
        return self

    def clear_columns(self) -> "CsvSchemaBuilder":
        self._columns.clear()
        return self

    def set_allow_comments(self, allow: bool = True) -> "CsvSchemaBuilder":
        if allow:
            raise UnsupportedFeatureError("CsvSchemaBuilder.set_allow_comments: comment lines in CSV "
                                          "files are not supported by Fluvial yet")
        return self

    def set_any_property_name(self, name: str) -> "CsvSchemaBuilder":
        raise UnsupportedFeatureError("CsvSchemaBuilder.set_any_property_name is not supported by "
                                      "Fluvial yet")

    def disable_array_element_separator(self) -> "CsvSchemaBuilder":
        raise UnsupportedFeatureError("CsvSchemaBuilder.disable_array_element_separator is not "
                                      "supported by Fluvial yet")

    def remove_array_element_separator(self, index: int) -> "CsvSchemaBuilder":
        raise UnsupportedFeatureError("CsvSchemaBuilder.remove_array_element_separator is not "
                                      "supported by Fluvial yet")

    def set_array_element_separator(self, separator: str) -> "CsvSchemaBuilder":
        """Sets the separator of every array column added so far."""
        for column in self._columns:
            if column.array_separator is not None:
                column.array_separator = separator
        return self

    def set_column_separator(self, char: str) -> "CsvSchemaBuilder":
        self._options["column_separator"] = _check_char("the column separator", char)
        return self

    def disable_escape_char(self) -> "CsvSchemaBuilder":
        self._options["escape_char"] = None
        return self

    def set_escape_char(self, char: str) -> "CsvSchemaBuilder":
        self._options["escape_char"] = _check_char("the escape char", char)
        return self

    def set_line_separator(self, separator: str) -> "CsvSchemaBuilder":
        """The line separator written ('\\n' by default); reading accepts \\n and \\r\\n."""
        self._options["line_separator"] = separator
        return self

    def set_null_value(self, null_value: str) -> "CsvSchemaBuilder":
        """The text of a null field; unset, an empty field is null (and an empty string
        in a string column)."""
        self._options["null_value"] = null_value
        return self

    def disable_quote_char(self) -> "CsvSchemaBuilder":
        self._options["quote_char"] = None
        return self

    def set_quote_char(self, char: str) -> "CsvSchemaBuilder":
        self._options["quote_char"] = _check_char("the quote char", char)
        return self

    def set_skip_first_data_row(self, skip: bool = True) -> "CsvSchemaBuilder":
        self._options["skip_first_data_row"] = skip
        return self

    def set_strict_headers(self, strict: bool = True) -> "CsvSchemaBuilder":
        """With a header, checks that it names the schema's columns, in order."""
        self._options["strict_headers"] = strict
        return self

    def set_use_header(self, use: bool = True) -> "CsvSchemaBuilder":
        """The first line of each file is a header (read: skipped or checked; written: names)."""
        self._options["use_header"] = use
        return self

    def size(self) -> int:
        return len(self._columns)

    def __len__(self) -> int:
        return self.size()


class CsvReaderFormat(StreamFormat):
    r"""Reads CSV files into Rows of the schema's get_type_info(), for
    FileSource.for_record_stream_format. A line that does not fit the schema fails the
    job, naming the file, line, field and expected type; with_ignore_parse_errors() skips
    and counts such lines instead (numRecordsInErrors).

    Examples:
        >>> import os, tempfile
        >>> from fluvial.common import WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import FileSource
        >>> from fluvial.datastream.formats.csv import CsvReaderFormat
        >>> from fluvial.common import Types
        >>> from fluvial.datastream.formats.csv import CsvSchema
        >>> schema = (CsvSchema.builder().add_string_column("name")
        ...           .add_number_column("price", number_type=Types.DOUBLE()).build())
        >>> path = os.path.join(tempfile.mkdtemp(), "prices.csv")
        >>> _ = open(path, "w").write("apple,1.5\npear,2\n")
        >>> source = FileSource.for_record_stream_format(CsvReaderFormat.for_schema(schema), path).build()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> list(env.from_source(source, WatermarkStrategy.no_watermarks(), "prices").execute_and_collect())
        [Row(name='apple', price=1.5), Row(name='pear', price=2.0)]
    """

    def __init__(self, schema: CsvSchema, ignore_parse_errors: bool = False):
        super().__init__()
        self._schema = schema
        self._ignore_parse_errors = ignore_parse_errors

    @staticmethod
    def for_schema(schema: CsvSchema) -> "CsvReaderFormat":
        if not isinstance(schema, CsvSchema):
            raise TypeError(f"CsvReaderFormat.for_schema() expects a CsvSchema, got {type(schema).__name__}")
        return CsvReaderFormat(schema)

    def with_ignore_parse_errors(self) -> "CsvReaderFormat":
        """Fluvial extra (Flink Java's CsvReaderFormat.withIgnoreParseErrors): skips the
        lines that do not fit the schema, counting them in numRecordsInErrors."""
        return CsvReaderFormat(self._schema, True)

    def _open_file(self, path, file, errors):
        from fluvial.datastream.formats._bad_records import BadRecords
        from fluvial.datastream.formats._csv_reader import CsvFileReader

        return CsvFileReader(path, file, self._schema, BadRecords(self._ignore_parse_errors, errors))


class _CsvWriterFactory(BulkWriterFactory):
    def __init__(self, schema: CsvSchema):
        self._schema = schema

    def _create_writer(self, file) -> BulkWriter:
        from fluvial.datastream.formats._csv_writer import CsvBulkWriter

        return CsvBulkWriter(file, self._schema)


class CsvBulkWriters:
    r"""Writes Rows of a CsvSchema as CSV part files through FileSink.for_bulk_format.

    Examples:
        >>> import os, tempfile
        >>> from fluvial.common import Row
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import FileSink
        >>> from fluvial.datastream.formats.csv import CsvBulkWriters
        >>> from fluvial.common import Types
        >>> from fluvial.datastream.formats.csv import CsvSchema
        >>> schema = (CsvSchema.builder().add_string_column("name")
        ...           .add_number_column("price", number_type=Types.DOUBLE()).build())
        >>> out = tempfile.mkdtemp()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> prices = env.from_collection([Row("apple", 1.5)], type_info=schema.get_type_info())
        >>> sink = prices.sink_to(FileSink.for_bulk_format(out, CsvBulkWriters.for_schema(schema)).build())
        >>> result = env.execute()
        >>> [open(os.path.join(d, f)).read() for d, _, files in os.walk(out) for f in files]
        ['"apple","1.5"\n']
    """

    @staticmethod
    def for_schema(schema: CsvSchema) -> BulkWriterFactory:
        if not isinstance(schema, CsvSchema):
            raise TypeError(f"CsvBulkWriters.for_schema() expects a CsvSchema, got {type(schema).__name__}")
        if schema.quote_char not in ('"', None) or schema.escape_char is not None:
            raise UnsupportedFeatureError(
                "CsvBulkWriters: Fluvial writes CSV with the quote char '\"' (doubled inside values) "
                f"and no escape char, got quote char {schema.quote_char!r} and escape char "
                f"{schema.escape_char!r}")
        return _CsvWriterFactory(schema)


# ------------------------------------------------------------------ one record per message


_CSV_INT_BITS = {BasicType.BYTE: 8, BasicType.SHORT: 16, BasicType.INT: 32, BasicType.LONG: 64}


def _parse_boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise ValueError
    return lowered == "true"


def _text_parser(type_info: TypeInformation, array_separator: str) -> Callable[[str], Any]:
    """What turns one field's text into its value (raising ValueError)."""
    if isinstance(type_info, ListTypeInfo):
        element = _text_parser(type_info.get_element_type(), array_separator)
        return lambda text: [element(part) for part in text.split(array_separator)]
    basic = type_info._basic_type if isinstance(type_info, BasicTypeInfo) else None
    if basic in (BasicType.STRING, BasicType.CHAR):
        return str
    if basic is BasicType.BOOLEAN:
        return _parse_boolean
    if basic in _CSV_INT_BITS or basic is BasicType.BIG_INT:
        bits = _CSV_INT_BITS.get(basic)

        def parse_int(text: str) -> int:
            value = int(text)
            if bits is not None and not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
                raise ValueError
            return value
        return parse_int
    if basic in (BasicType.FLOAT, BasicType.DOUBLE):
        return float
    if basic is BasicType.BIG_DEC:
        def parse_decimal(text: str) -> decimal.Decimal:
            try:
                return decimal.Decimal(text)
            except decimal.InvalidOperation:
                raise ValueError from None
        return parse_decimal
    raise UnsupportedFeatureError(f"CsvRowDeserializationSchema: fields of type "
                                  f"{type_info.to_type_string()} are not supported by Fluvial yet")


class CsvRowDeserializationSchema(DeserializationSchema):
    """Reads one CSV line per message (e.g. a Kafka value) into a Row of the type_info's
    fields. A line with the wrong number of fields or a field that does not parse raises
    ConnectorError naming the field; with set_ignore_parse_errors() the message is a bad
    record that sources skip and count.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream.formats.csv import CsvRowDeserializationSchema
        >>> row_type = Types.ROW_NAMED(["name", "count"], [Types.STRING(), Types.INT()])
        >>> schema = CsvRowDeserializationSchema.Builder(row_type).set_field_delimiter(";").build()
        >>> schema.deserialize(b"apple;3")  # KafkaSource.builder().set_value_only_deserializer(schema)
        Row(name='apple', count=3)
        >>> schema.deserialize(b"apple;many")
        Traceback (most recent call last):
            ...
        fluvial.errors.ConnectorError: CsvRowDeserializationSchema: field 'count': expected INT, got 'many'
        >>> lenient = CsvRowDeserializationSchema.Builder(row_type).set_ignore_parse_errors().build()
        >>> print(lenient.deserialize(b"apple,many"))
        None
    """

    def __init__(self, type_info: RowTypeInfo, field_delimiter: str = ",", allow_comments: bool = False,
                 array_element_delimiter: str = ";", quote_character: Optional[str] = '"',
                 escape_character: Optional[str] = None, null_literal: str = "",
                 ignore_parse_errors: bool = False):
        self._type_info = type_info
        self._names = type_info.get_field_names()
        self._types = [t.to_type_string() for t in type_info.get_field_types()]
        self._parsers = [_text_parser(t, array_element_delimiter) for t in type_info.get_field_types()]
        self._field_delimiter = field_delimiter
        self._allow_comments = allow_comments
        self._quote_character = quote_character
        self._escape_character = escape_character
        self._null_literal = null_literal
        self._ignore_parse_errors = ignore_parse_errors

    def get_produced_type(self) -> TypeInformation:
        return self._type_info

    def _read(self, message: bytes) -> Optional[Row]:
        """The Row of one message, or raises ValueError with what is wrong (no location)."""
        try:
            text = bytes(message).decode("utf-8").rstrip("\r\n")
        except (UnicodeDecodeError, TypeError) as error:
            raise ValueError(f"not UTF-8 text ({error})") from None
        if self._allow_comments and text.startswith("#"):
            return None
        reader = csv.reader([text], delimiter=self._field_delimiter,
                            quotechar=self._quote_character or '"',
                            quoting=csv.QUOTE_MINIMAL if self._quote_character else csv.QUOTE_NONE,
                            escapechar=self._escape_character, strict=True)
        try:
            fields = next(reader, [])
        except csv.Error as error:
            raise ValueError(f"not a CSV line ({error})") from None
        if len(fields) != len(self._names):
            raise ValueError(f"expected {len(self._names)} fields {self._names}, got {len(fields)}: "
                             f"{describe_value(text)}")
        values = []
        for name, type_name, parse, field in zip(self._names, self._types, self._parsers, fields):
            if field == self._null_literal:
                values.append(None)
                continue
            try:
                values.append(parse(field))
            except ValueError:
                raise ValueError(f"field '{name}': expected {type_name}, got {describe_value(field)}") from None
        row = Row(*values)
        row.set_field_names(self._names)
        return row

    def deserialize(self, message: bytes) -> Optional[Row]:
        try:
            return self._read(message)
        except ValueError as error:
            if self._ignore_parse_errors:
                return None
            raise ConnectorError(f"CsvRowDeserializationSchema: {error}") from None

    class Builder:
        def __init__(self, type_info: RowTypeInfo):
            self._type_info = check_row_type("type_info", type_info)
            self._options = {}

        def set_field_delimiter(self, c: str) -> "CsvRowDeserializationSchema.Builder":
            self._options["field_delimiter"] = _check_char("field delimiter", c)
            return self

        def set_allow_comments(self, allow_comments: bool = True) -> "CsvRowDeserializationSchema.Builder":
            self._options["allow_comments"] = bool(allow_comments)
            return self

        def set_array_element_delimiter(self, delimiter: str) -> "CsvRowDeserializationSchema.Builder":
            self._options["array_element_delimiter"] = delimiter
            return self

        def set_quote_character(self, c: str) -> "CsvRowDeserializationSchema.Builder":
            self._options["quote_character"] = _check_char("quote character", c)
            return self

        def set_escape_character(self, c: str) -> "CsvRowDeserializationSchema.Builder":
            self._options["escape_character"] = _check_char("escape character", c)
            return self

        def set_null_literal(self, null_literal: str) -> "CsvRowDeserializationSchema.Builder":
            self._options["null_literal"] = null_literal
            return self

        def set_ignore_parse_errors(self, ignore_parse_errors: bool = True) -> "CsvRowDeserializationSchema.Builder":
            self._options["ignore_parse_errors"] = bool(ignore_parse_errors)
            return self

        def build(self) -> "CsvRowDeserializationSchema":
            return CsvRowDeserializationSchema(self._type_info, **self._options)


class CsvRowSerializationSchema(SerializationSchema):
    """Writes a Row (or tuple, list, dict) of the type_info's fields as one CSV line.

    Examples:
        >>> from fluvial.common import Row, Types
        >>> from fluvial.datastream.formats.csv import CsvRowDeserializationSchema, CsvRowSerializationSchema
        >>> row_type = Types.ROW_NAMED(["name", "count"], [Types.STRING(), Types.INT()])
        >>> schema = CsvRowSerializationSchema.Builder(row_type).set_null_literal("null").build()
        >>> schema.serialize(Row("apple, red", 3)), schema.serialize(("pear", None))
        (b'"apple, red",3\\n', b'pear,null\\n')
        >>> CsvRowDeserializationSchema.Builder(row_type).build().deserialize(schema.serialize(Row("fig", 7)))
        Row(name='fig', count=7)
    """

    def __init__(self, type_info: RowTypeInfo, field_delimiter: str = ",", line_delimiter: str = "\n",
                 array_element_delimiter: str = ";", quote_character: Optional[str] = '"',
                 escape_character: Optional[str] = None, null_literal: str = ""):
        self._type_info = type_info
        self._names = type_info.get_field_names()
        self._validate = type_info.make_validator()
        self._array_element_delimiter = array_element_delimiter
        self._null_literal = null_literal
        self._line_delimiter = line_delimiter
        self._dialect = dict(delimiter=field_delimiter, quotechar=quote_character or '"',
                             quoting=csv.QUOTE_MINIMAL if quote_character else csv.QUOTE_NONE,
                             escapechar=escape_character, lineterminator="")

    def _text(self, value: Any) -> str:
        if value is None:
            return self._null_literal
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, decimal.Decimal):
            return format(value, "f")
        if isinstance(value, (list, tuple)):
            return self._array_element_delimiter.join(self._text(e) for e in value)
        return str(value)

    def serialize(self, element: Any) -> bytes:
        try:
            self._validate(element)
            values = field_values(element, self._names)
        except (TypeError, ValueError) as error:
            raise ConnectorError(f"CsvRowSerializationSchema: the record does not fit "
                                 f"{self._type_info.to_type_string()}: {error}") from None
        out = io.StringIO()
        csv.writer(out, **self._dialect).writerow([self._text(v) for v in values])
        return (out.getvalue() + self._line_delimiter).encode("utf-8")

    class Builder:
        def __init__(self, type_info: RowTypeInfo):
            self._type_info = check_row_type("type_info", type_info)
            self._options = {}

        def set_field_delimiter(self, c: str) -> "CsvRowSerializationSchema.Builder":
            self._options["field_delimiter"] = _check_char("field delimiter", c)
            return self

        def set_line_delimiter(self, delimiter: str) -> "CsvRowSerializationSchema.Builder":
            if delimiter not in ("\n", "\r", "\r\n", ""):
                raise ValueError(f"line delimiter must be one of '\\n', '\\r', '\\r\\n' or '', got {delimiter!r}")
            self._options["line_delimiter"] = delimiter
            return self

        def set_array_element_delimiter(self, delimiter: str) -> "CsvRowSerializationSchema.Builder":
            self._options["array_element_delimiter"] = delimiter
            return self

        def set_quote_character(self, c: str) -> "CsvRowSerializationSchema.Builder":
            self._options["quote_character"] = _check_char("quote character", c)
            return self

        def set_escape_character(self, c: str) -> "CsvRowSerializationSchema.Builder":
            self._options["escape_character"] = _check_char("escape character", c)
            return self

        def set_null_literal(self, s: str) -> "CsvRowSerializationSchema.Builder":
            self._options["null_literal"] = s
            return self

        def build(self) -> "CsvRowSerializationSchema":
            return CsvRowSerializationSchema(self._type_info, **self._options)
