"""JSON (PyFlink's pyflink.datastream.formats.json): JsonRowSerializationSchema and
JsonRowDeserializationSchema turn Rows into JSON objects and back, e.g. for Kafka; the
Fluvial extra JsonReaderFormat reads files of JSON lines through FileSource. Write such
files with FileSink.for_row_format and an Encoder, after mapping Rows through the
serialization schema."""

import json
from typing import Any, Optional

from fluvial.common.serialization import DeserializationSchema, SerializationSchema
from fluvial.common.typeinfo import RowTypeInfo, TypeInformation
from fluvial.datastream.connectors.file_system import StreamFormat
from fluvial.datastream.formats._bad_records import describe_value
from fluvial.datastream.formats._json_values import BadValue, json_parser, row_to_json_object
from fluvial.datastream.formats._row_types import check_row_type
from fluvial.errors import ConnectorError, UnsupportedFeatureError

__all__ = ["JsonReaderFormat", "JsonRowDeserializationSchema", "JsonRowSerializationSchema"]


def describe_bad_value(error: BadValue) -> str:
    if error.missing:
        return f"field '{error.path}': missing, and fail_on_missing_field is set"
    if not error.path:
        return f"expected a JSON object, got {describe_value(error.value)}"
    return f"field '{error.path}': expected {error.expected}, got {describe_value(error.value)}"


class JsonRowDeserializationSchema(DeserializationSchema):
    """Reads a JSON object into a Row of the type_info's fields (by name). A message that
    is not JSON, or whose fields do not fit, raises ConnectorError; with
    ignore_parse_errors() deserialize() returns None for it instead, as Flink does. A
    missing field is None unless fail_on_missing_field() is set.

    Examples:
        >>> from fluvial.common import Row, Types
        >>> from fluvial.datastream.formats.json import JsonRowDeserializationSchema, JsonRowSerializationSchema
        >>> click = Types.ROW_NAMED(["user", "n"], [Types.STRING(), Types.INT()])
        >>> schema = JsonRowDeserializationSchema.builder().type_info(click).build()
        >>> schema.deserialize(b'{"n": 2, "user": "bob"}')
        Row(user='bob', n=2)
    """

    def __init__(self, type_info: RowTypeInfo, fail_on_missing_field: bool = False,
                 ignore_parse_errors: bool = False):
        self._type_info = type_info
        self._fail_on_missing_field = fail_on_missing_field
        self._ignore_parse_errors = ignore_parse_errors
        self._parse = json_parser(type_info, fail_on_missing_field)

    @staticmethod
    def builder() -> "JsonRowDeserializationSchema.Builder":
        return JsonRowDeserializationSchema.Builder()

    def get_produced_type(self) -> TypeInformation:
        return self._type_info

    def _read(self, message: Any) -> Any:
        """The Row of one message, or raises ValueError with what is wrong (no location)."""
        try:
            value = json.loads(message)
        except (ValueError, UnicodeDecodeError) as error:
            raise ValueError(f"not valid JSON ({error})") from None
        try:
            return self._parse(value)
        except BadValue as error:
            raise ValueError(describe_bad_value(error)) from None

    def deserialize(self, message: bytes) -> Optional[Any]:
        try:
            return self._read(message)
        except ValueError as error:
            if self._ignore_parse_errors:
                return None
            raise ConnectorError(f"JsonRowDeserializationSchema: {error}") from None

    class Builder:
        def __init__(self):
            self._type_info = None
            self._fail_on_missing_field = False
            self._ignore_parse_errors = False

        def type_info(self, type_info: RowTypeInfo) -> "JsonRowDeserializationSchema.Builder":
            """The row type: its field names are the JSON properties read."""
            self._type_info = check_row_type("type_info", type_info)
            return self

        def json_schema(self, json_schema: str) -> "JsonRowDeserializationSchema.Builder":
            raise UnsupportedFeatureError("JsonRowDeserializationSchema.Builder.json_schema is not "
                                          "supported by Fluvial yet: use type_info(Types.ROW_NAMED(...))")

        def fail_on_missing_field(self) -> "JsonRowDeserializationSchema.Builder":
            self._fail_on_missing_field = True
            return self

        def ignore_parse_errors(self) -> "JsonRowDeserializationSchema.Builder":
            self._ignore_parse_errors = True
            return self

        def build(self) -> "JsonRowDeserializationSchema":
            if self._type_info is None:
                raise TypeError("JsonRowDeserializationSchema needs a type_info")
            return JsonRowDeserializationSchema(self._type_info, self._fail_on_missing_field,
                                                self._ignore_parse_errors)


class JsonRowSerializationSchema(SerializationSchema):
    """Writes a Row (or tuple, list, dict) of the type_info's fields as a JSON object.

    Examples:
        >>> from fluvial.common import Row, Types
        >>> from fluvial.datastream.formats.json import JsonRowDeserializationSchema, JsonRowSerializationSchema
        >>> click = Types.ROW_NAMED(["user", "n"], [Types.STRING(), Types.INT()])
        >>> JsonRowSerializationSchema.builder().with_type_info(click).build().serialize(Row(user="alice", n=1))
        b'{"user":"alice","n":1}'
    """

    def __init__(self, type_info: RowTypeInfo):
        self._type_info = type_info
        self._validate = type_info.make_validator()

    @staticmethod
    def builder() -> "JsonRowSerializationSchema.Builder":
        return JsonRowSerializationSchema.Builder()

    def serialize(self, element: Any) -> bytes:
        try:
            self._validate(element)
            value = row_to_json_object(self._type_info, element)
        except (TypeError, ValueError) as error:
            raise ConnectorError(f"JsonRowSerializationSchema: the record does not fit "
                                 f"{self._type_info.to_type_string()}: {error}") from None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    class Builder:
        def __init__(self):
            self._type_info = None

        def with_type_info(self, type_info: RowTypeInfo) -> "JsonRowSerializationSchema.Builder":
            self._type_info = check_row_type("type_info", type_info)
            return self

        def build(self) -> "JsonRowSerializationSchema":
            if self._type_info is None:
                raise TypeError("Typeinfo should be set.")
            return JsonRowSerializationSchema(self._type_info)


class JsonReaderFormat(StreamFormat):
    r"""Fluvial extra (PyFlink has no JSON file format): reads files of JSON lines, one
    object per line, into Rows through a JsonRowDeserializationSchema, for
    FileSource.for_record_stream_format. Bad lines fail the job naming the file, line
    and field, or, when the schema ignores parse errors, are skipped and counted in
    numRecordsInErrors.

    Examples:
        >>> import os, tempfile
        >>> from fluvial.common import WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import FileSource
        >>> from fluvial.datastream.formats.json import JsonReaderFormat
        >>> from fluvial.common import Row, Types
        >>> from fluvial.datastream.formats.json import JsonRowDeserializationSchema, JsonRowSerializationSchema
        >>> click = Types.ROW_NAMED(["user", "n"], [Types.STRING(), Types.INT()])
        >>> path = os.path.join(tempfile.mkdtemp(), "clicks.jsonl")
        >>> _ = open(path, "w").write('{"user": "alice", "n": 1}\n{"user": "bob", "n": 2}\n')
        >>> lines = JsonReaderFormat.for_schema(JsonRowDeserializationSchema.builder().type_info(click).build())
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> source = FileSource.for_record_stream_format(lines, path).build()
        >>> list(env.from_source(source, WatermarkStrategy.no_watermarks(), "clicks").execute_and_collect())
        [Row(user='alice', n=1), Row(user='bob', n=2)]
    """

    def __init__(self, schema: JsonRowDeserializationSchema):
        super().__init__()
        self._schema = schema

    @staticmethod
    def for_schema(schema: JsonRowDeserializationSchema) -> "JsonReaderFormat":
        if not isinstance(schema, JsonRowDeserializationSchema):
            raise TypeError(f"JsonReaderFormat.for_schema() expects a JsonRowDeserializationSchema, "
                            f"got {type(schema).__name__}")
        return JsonReaderFormat(schema)

    def _open_file(self, path, file, errors):
        from fluvial.datastream.formats._bad_records import BadRecords
        from fluvial.datastream.formats._json_reader import JsonLinesFileReader

        return JsonLinesFileReader(path, file, self._schema,
                                   BadRecords(self._schema._ignore_parse_errors, errors))
