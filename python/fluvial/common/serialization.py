"""Turning records into bytes and back: schemas for sources and sinks, encoders for file sinks."""

import codecs
from typing import Any

from fluvial.common.typeinfo import TypeInformation, Types

__all__ = [
    "BulkWriter",
    "BulkWriterFactory",
    "ByteArraySchema",
    "DeserializationSchema",
    "Encoder",
    "SerializationSchema",
    "SimpleStringSchema",
]


def _check_charset(argument: str, charset: Any) -> str:
    """Returns the canonical codec name for `charset`, e.g. 'UTF-8' -> 'utf-8'."""
    if not isinstance(charset, str):
        raise TypeError(
            f"{argument} must be a str, got {type(charset).__name__} {charset!r}"
        )
    try:
        return codecs.lookup(charset).name
    except LookupError:
        raise ValueError(
            f"{argument} must name a known character set, got {charset!r}"
        ) from None


class SerializationSchema:
    """Turns a record into bytes, e.g. for a Kafka sink.

    Examples:
        >>> from fluvial.common import SerializationSchema
        >>> class Upper(SerializationSchema):
        ...     def serialize(self, element):
        ...         return element.upper().encode()
        >>> Upper().serialize("click")
        b'CLICK'
    """

    def serialize(self, element: Any) -> bytes:
        raise NotImplementedError(f"{type(self).__name__} does not implement serialize")


class DeserializationSchema:
    """Turns bytes from a source into a record of the type `get_produced_type()` names.

    Examples:
        >>> from fluvial.common import DeserializationSchema, Types
        >>> class CommaSeparated(DeserializationSchema):
        ...     def deserialize(self, message):
        ...         return message.decode().split(",")
        ...     def get_produced_type(self):
        ...         return Types.LIST(Types.STRING())
        >>> CommaSeparated().deserialize(b"alice,42")
        ['alice', '42']
    """

    def deserialize(self, message: bytes) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} does not implement deserialize"
        )

    def is_end_of_stream(self, next_element: Any) -> bool:
        """Returns whether `next_element` ends the stream; never, by default."""
        return False

    def get_produced_type(self) -> TypeInformation:
        raise NotImplementedError(
            f"{type(self).__name__} does not implement get_produced_type"
        )


class SimpleStringSchema(SerializationSchema, DeserializationSchema):
    """Strings to bytes and back in one character set, UTF-8 by default.

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> schema = SimpleStringSchema()
        >>> schema.serialize("hello"), schema.deserialize(b"hello"), schema.get_produced_type()
        (b'hello', 'hello', String)
    """

    def __init__(self, charset: str = "UTF-8") -> None:
        self._charset = _check_charset("charset", charset)

    def get_charset(self) -> str:
        return self._charset

    def serialize(self, element: str) -> bytes:
        if not isinstance(element, str):
            raise TypeError(
                f"SimpleStringSchema serializes str elements, got {type(element).__name__} {element!r}"
            )
        return element.encode(self._charset)

    def deserialize(self, message: bytes) -> str:
        return bytes(message).decode(self._charset)

    def get_produced_type(self) -> TypeInformation:
        return Types.STRING()

    def __eq__(self, other) -> bool:
        return isinstance(other, SimpleStringSchema) and self._charset == other._charset

    def __hash__(self) -> int:
        return hash(("SimpleStringSchema", self._charset))

    def __repr__(self) -> str:
        return f"SimpleStringSchema(charset={self._charset!r})"


class ByteArraySchema(SerializationSchema, DeserializationSchema):
    """Passes bytes through unchanged.

    Examples:
        >>> from fluvial.common import ByteArraySchema
        >>> schema = ByteArraySchema()
        >>> schema.serialize(b"raw"), schema.deserialize(b"raw"), schema.get_produced_type()
        (b'raw', b'raw', PrimitiveArrayTypeInfo<Byte>)
    """

    def serialize(self, element: bytes) -> bytes:
        if not isinstance(element, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"ByteArraySchema serializes bytes elements, got {type(element).__name__} {element!r}"
            )
        return bytes(element)

    def deserialize(self, message: bytes) -> bytes:
        return bytes(message)

    def get_produced_type(self) -> TypeInformation:
        return Types.PRIMITIVE_ARRAY(Types.BYTE())

    def __eq__(self, other) -> bool:
        return isinstance(other, ByteArraySchema)

    def __hash__(self) -> int:
        return hash("ByteArraySchema")

    def __repr__(self) -> str:
        return "ByteArraySchema()"


class BulkWriter:
    """Writes batches of records into one part file, in a bulk format (Parquet, ORC, ...).

    Examples:
        >>> from fluvial.common.serialization import BulkWriter
        >>> class Lines(BulkWriter):
        ...     def __init__(self):
        ...         self.lines = []
        ...     def add_elements(self, elements):
        ...         self.lines.extend(str(e) for e in elements)
        ...     def finish(self):
        ...         print("|".join(self.lines))
        >>> writer = Lines()
        >>> writer.add_elements([1, 2]); writer.add_elements([3]); writer.finish()
        1|2|3
    """

    def add_elements(self, elements: list) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not implement add_elements")

    def finish(self) -> None:
        """Completes the file (footers, indexes); the sink closes and publishes it after."""


class BulkWriterFactory:
    r"""Creates the BulkWriter of each part file a FileSink.for_bulk_format() sink opens;
    ParquetBulkWriters, OrcBulkWriters, AvroBulkWriters and CsvBulkWriters make them.

    Examples:
        >>> import os, tempfile
        >>> from fluvial.common import Row, Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import FileSink
        >>> from fluvial.datastream.formats.csv import CsvBulkWriters, CsvSchema
        >>> schema = CsvSchema.builder().add_string_column("name").add_number_column("n", Types.INT()).build()
        >>> factory = CsvBulkWriters.for_schema(schema)      # a BulkWriterFactory
        >>> out = tempfile.mkdtemp()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> rows = env.from_collection([Row("a", 1), Row("b", 2)], type_info=schema.get_type_info())
        >>> sink = rows.sink_to(FileSink.for_bulk_format(out, factory).build())
        >>> result = env.execute()
        >>> [open(os.path.join(d, f)).read() for d, _, files in os.walk(out) for f in files]
        ['"a","1"\n"b","2"\n']
    """

    def _create_writer(self, file) -> BulkWriter:
        """Returns the writer of the part file open for binary writing as 'file'."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _create_writer")


class Encoder:
    r"""Writes records into a row-format file sink, one record at a time.

    Examples:
        >>> from fluvial.common import Encoder
        >>> Encoder.simple_string_encoder().encode(("alice", 3))
        b'(alice,3)\n'
    """

    def __init__(self, charset_name: str = "UTF-8") -> None:
        self._charset_name = _check_charset("charset_name", charset_name)
        self._text = None  # set by _for_input_type(): the record text of a typed stream

    @staticmethod
    def simple_string_encoder(charset_name: str = "UTF-8") -> "Encoder":
        """Returns an encoder writing each record's text followed by a newline, as Flink's SimpleStringEncoder."""
        return Encoder(charset_name)

    def get_charset_name(self) -> str:
        return self._charset_name

    def encode(self, value: Any) -> bytes:
        """Returns the bytes of one record: its text as Flink shows it (Row as +I[...]) and a newline."""
        from fluvial.common._display import display

        text = self._text or display
        return (text(value) + "\n").encode(self._charset_name)

    def _for_input_type(self, type_info: Any) -> "Encoder":
        """This encoder as it writes a stream of `type_info`: typed records as Java shows them."""
        import copy

        from fluvial.common._display import sink_text_for

        encoder = copy.copy(self)
        encoder._text = sink_text_for(type_info)
        return encoder

    def __eq__(self, other) -> bool:
        return isinstance(other, Encoder) and self._charset_name == other._charset_name

    def __hash__(self) -> int:
        return hash(("Encoder", self._charset_name))

    def __repr__(self) -> str:
        return f"Encoder.simple_string_encoder({self._charset_name!r})"
