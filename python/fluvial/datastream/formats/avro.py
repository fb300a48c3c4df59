"""Avro (PyFlink's pyflink.datastream.formats.avro), with fastavro: AvroInputFormat reads
Avro files as dicts (PyFlink's GenericRecords) through create_input(), AvroBulkWriters
writes them through FileSink.for_bulk_format, and the row schemas turn Rows into Avro
messages and back."""

import io
import json
from typing import Any, Optional

import fastavro
from fastavro.validation import validate

from fluvial.common.io import InputFormat
from fluvial.common.serialization import BulkWriter, BulkWriterFactory, DeserializationSchema, SerializationSchema
from fluvial.common.typeinfo import TypeInformation
from fluvial.common.types import Row
from fluvial.datastream.formats._avro_values import avro_row_type, avro_to_row, to_avro_datum
from fluvial.errors import ConnectorError, UnsupportedFeatureError

__all__ = [
    "AvroBulkWriters",
    "AvroInputFormat",
    "AvroRowDeserializationSchema",
    "AvroRowSerializationSchema",
    "AvroSchema",
    "GenericRecordAvroTypeInfo",
]


class AvroSchema:
    """An Avro schema, parsed by fastavro.

    Examples:
        >>> from fluvial.datastream.formats.avro import AvroSchema
        >>> schema = AvroSchema.parse_string('{"type": "record", "name": "Click", "fields": ['
        ...     '{"name": "user", "type": "string"}, {"name": "n", "type": "int"}]}')
        >>> schema
        AvroSchema({"name":"Click","type":"record","fields":[{"name":"user","type":"string"},{"name":"n","type":"int"}]})
    """

    def __init__(self, schema: Any):
        self._named: dict = {}
        try:
            self._parsed = fastavro.parse_schema(schema, named_schemas=self._named)
            # Named types inlined: each field's type stands alone, for validating values.
            self._expanded = fastavro.parse_schema(schema, expand=True)
        except (fastavro.schema.SchemaParseException, ValueError, TypeError, KeyError) as error:
            raise ValueError(f"not a valid Avro schema: {error}") from None
        self._json = json.dumps(schema) if not isinstance(schema, str) else schema

    @staticmethod
    def parse_string(json_schema: str) -> "AvroSchema":
        try:
            schema = json.loads(json_schema)
        except ValueError as error:
            raise ValueError(f"an Avro schema must be JSON: {error}") from None
        return AvroSchema(schema)

    @staticmethod
    def parse_file(file_path: str) -> "AvroSchema":
        with open(file_path, encoding="utf-8") as file:
            return AvroSchema.parse_string(file.read())

    def _canonical(self) -> str:
        return fastavro.schema.to_parsing_canonical_form(self._parsed)

    def __eq__(self, other) -> bool:
        return isinstance(other, AvroSchema) and self._canonical() == other._canonical()

    def __hash__(self) -> int:
        return hash(self._canonical())

    def __str__(self) -> str:
        return self._canonical()

    def __repr__(self) -> str:
        return f"AvroSchema({self._canonical()})"


class GenericRecordAvroTypeInfo(TypeInformation):
    """The type of Avro records (dicts) of one schema.

    Examples:
        >>> from fluvial.datastream.formats.avro import AvroSchema
        >>> schema = AvroSchema.parse_string('{"type": "record", "name": "Click", "fields": ['
        ...     '{"name": "user", "type": "string"}, {"name": "n", "type": "int"}]}')
        >>> from fluvial.datastream.formats.avro import GenericRecordAvroTypeInfo
        >>> type_info = GenericRecordAvroTypeInfo(schema)
        >>> type_info.make_validator()({"user": "alice", "n": "many"})
        Traceback (most recent call last):
            ...
        TypeError: ...
    """

    __slots__ = ("_schema",)

    def __init__(self, schema: AvroSchema):
        if not isinstance(schema, AvroSchema):
            raise TypeError(f"GenericRecordAvroTypeInfo expects an AvroSchema, got {type(schema).__name__}")
        self._schema = schema

    def make_validator(self):
        expanded = self._schema._expanded

        def check(value):
            if not validate(value, expanded, raise_errors=False):
                raise TypeError(f"expected an Avro record of {self._schema}, got {value!r}")
        return check

    def to_type_string(self) -> str:
        return f"GenericRecord<{self._schema._parsed.get('name', '')}>"

    def _key(self):
        return ("AVRO", str(self._schema))

    def _state(self):
        return (self._schema,)


class AvroInputFormat(InputFormat):
    """Reads the Avro files at 'path' (a file or a directory) as dicts with the fields of
    'schema', for env.create_input(). Files written with another schema are resolved to
    it field by field: a record whose value does not fit fails the job naming the file,
    record and field, or, with with_ignore_parse_errors(), is skipped and counted in
    numRecordsInErrors. A file that is not Avro, or is cut short, always fails.

    Examples:
        >>> import os, tempfile, fastavro
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.formats.avro import AvroInputFormat, AvroSchema
        >>> click = {"type": "record", "name": "Click",
        ...          "fields": [{"name": "user", "type": "string"}, {"name": "n", "type": "int"}]}
        >>> path = os.path.join(tempfile.mkdtemp(), "clicks.avro")
        >>> with open(path, "wb") as file:
        ...     fastavro.writer(file, fastavro.parse_schema(click), [{"user": "carol", "n": 3}])
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> list(env.create_input(AvroInputFormat(path, AvroSchema(click))).execute_and_collect())
        [{'user': 'carol', 'n': 3}]
    """

    def __init__(self, path: str, schema: AvroSchema):
        if not isinstance(schema, AvroSchema):
            raise TypeError(f"AvroInputFormat expects an AvroSchema, got {type(schema).__name__}")
        self._path = str(path)
        self._schema = schema
        self._type_info = GenericRecordAvroTypeInfo(schema)
        self._ignore_parse_errors = False

    def with_ignore_parse_errors(self) -> "AvroInputFormat":
        """Fluvial extra: skips and counts the records that do not fit the schema."""
        self._ignore_parse_errors = True
        return self

    def get_produced_type(self) -> GenericRecordAvroTypeInfo:
        return self._type_info

    def _create_source(self):
        from fluvial.datastream.connectors.file_system import FileSource
        from fluvial.datastream.formats._avro_reader import AvroFileFormat

        file_format = AvroFileFormat(self._schema, self._ignore_parse_errors)
        return FileSource(file_format, [self._path], None)


class _AvroWriter(BulkWriter):
    def __init__(self, file, schema: AvroSchema, codec: str):
        self._schema = schema
        self._writer = fastavro.write.Writer(file, schema._parsed, codec=codec, validator=True)

    def add_elements(self, elements) -> None:
        for element in elements:
            datum = element.as_dict(recursive=True) if isinstance(element, Row) and \
                element._names is not None else element
            try:
                self._writer.write(datum)
            except (ValueError, TypeError, fastavro.validation.ValidationError) as error:
                raise ConnectorError(f"FileSink: a record does not fit the Avro schema {self._schema}: "
                                     f"{' '.join(str(error).split())} (record {element!r})") from None

    def finish(self) -> None:
        self._writer.flush()


class _AvroWriterFactory(BulkWriterFactory):
    def __init__(self, schema: AvroSchema, codec: str):
        self._schema = schema
        self._codec = codec

    def _create_writer(self, file) -> BulkWriter:
        return _AvroWriter(file, self._schema, self._codec)


class AvroBulkWriters:
    """Writes Avro records (dicts, or Rows named as the schema's fields) as Avro part files.

    Examples:
        >>> import os, tempfile
        >>> from fluvial.common import WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import FileSink
        >>> from fluvial.datastream.formats.avro import AvroBulkWriters, AvroInputFormat
        >>> from fluvial.datastream.formats.avro import AvroSchema
        >>> schema = AvroSchema.parse_string('{"type": "record", "name": "Click", "fields": ['
        ...     '{"name": "user", "type": "string"}, {"name": "n", "type": "int"}]}')
        >>> out = tempfile.mkdtemp()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> clicks = env.from_collection([{"user": "alice", "n": 1}, {"user": "bob", "n": 2}])
        >>> sink = clicks.sink_to(FileSink.for_bulk_format(out, AvroBulkWriters.for_generic_record(schema)).build())
        >>> result = env.execute()
        >>> list(env.create_input(AvroInputFormat(out, schema)).execute_and_collect())
        [{'user': 'alice', 'n': 1}, {'user': 'bob', 'n': 2}]
    """

    @staticmethod
    def for_generic_record(schema: AvroSchema, codec: str = "null") -> BulkWriterFactory:
        """'codec' is a Fluvial extra: 'null' (none, the default), 'deflate' or 'snappy'."""
        if not isinstance(schema, AvroSchema):
            raise TypeError(f"AvroBulkWriters.for_generic_record() expects an AvroSchema, "
                            f"got {type(schema).__name__}")
        return _AvroWriterFactory(schema, codec)


def _schema_of(record_class: Optional[str], avro_schema_string: Optional[str], what: str) -> AvroSchema:
    if record_class is not None:
        raise UnsupportedFeatureError(f"{what}: record_class names a Java class; Fluvial takes "
                                      "avro_schema_string")
    if avro_schema_string is None:
        raise TypeError("record_class or avro_schema_string should be specified.")
    return AvroSchema.parse_string(avro_schema_string)


class AvroRowDeserializationSchema(DeserializationSchema):
    """Reads an Avro binary message (no header) into a Row (records as named Rows).

    Examples:
        >>> from fluvial.common import Row
        >>> from fluvial.datastream.formats.avro import AvroRowDeserializationSchema, AvroRowSerializationSchema
        >>> schema = ('{"type": "record", "name": "Click", "fields": ['
        ...           '{"name": "user", "type": "string"}, {"name": "n", "type": "int"}]}')
        >>> message = AvroRowSerializationSchema(avro_schema_string=schema).serialize(Row(user="alice", n=7))
        >>> AvroRowDeserializationSchema(avro_schema_string=schema).deserialize(message)
        Row(user='alice', n=7)
    """

    def __init__(self, record_class: Optional[str] = None, avro_schema_string: Optional[str] = None):
        self._schema = _schema_of(record_class, avro_schema_string, "AvroRowDeserializationSchema")

    def _read(self, message: bytes) -> Row:
        """The Row of one message, or raises ValueError with what is wrong (no location)."""
        try:
            datum = fastavro.schemaless_reader(io.BytesIO(message), self._schema._parsed)
        except (ValueError, EOFError, IndexError, UnicodeDecodeError, TypeError) as error:
            raise ValueError(f"not an Avro message of {self._schema}: {error}") from None
        return avro_to_row(datum, self._schema._parsed, self._schema._named)

    def deserialize(self, message: bytes) -> Row:
        try:
            return self._read(message)
        except ValueError as error:
            raise ConnectorError(f"AvroRowDeserializationSchema: {error}") from None

    def get_produced_type(self) -> TypeInformation:
        # Flink converts the record schema to a RowTypeInfo (AvroSchemaConverter); a schema
        # without a Row equivalent keeps the generic record type.
        return avro_row_type(self._schema._parsed, self._schema._named) or GenericRecordAvroTypeInfo(self._schema)


class AvroRowSerializationSchema(SerializationSchema):
    """Writes a Row (named, or positional in the schema's field order) as an Avro binary message.

    Examples:
        >>> from fluvial.common import Row
        >>> from fluvial.datastream.formats.avro import AvroRowDeserializationSchema, AvroRowSerializationSchema
        >>> schema = ('{"type": "record", "name": "Click", "fields": ['
        ...           '{"name": "user", "type": "string"}, {"name": "n", "type": "int"}]}')
        >>> message = AvroRowSerializationSchema(avro_schema_string=schema).serialize(Row(user="alice", n=7))
        >>> len(message), message[1:6]
        (7, b'alice')
    """

    def __init__(self, record_class: Optional[str] = None, avro_schema_string: Optional[str] = None):
        self._schema = _schema_of(record_class, avro_schema_string, "AvroRowSerializationSchema")

    def serialize(self, element: Any) -> bytes:
        datum = to_avro_datum(element, self._schema._parsed, self._schema._named)
        if not validate(datum, self._schema._expanded, raise_errors=False):
            raise ConnectorError(f"AvroRowSerializationSchema: the record does not fit the Avro "
                                 f"schema {self._schema}: {element!r}")
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, self._schema._parsed, datum)
        return buffer.getvalue()
