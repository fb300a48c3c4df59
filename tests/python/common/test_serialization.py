import pickle

import cloudpickle
import pytest

from fluvial.common import (
    ByteArraySchema,
    DeserializationSchema,
    Encoder,
    Row,
    SerializationSchema,
    SimpleStringSchema,
    Types,
)


def test_simple_string_encoder_writes_one_line_per_record():
    encoder = Encoder.simple_string_encoder()
    assert encoder.encode("hello") == b"hello\n"
    assert encoder.encode(42) == b"42\n"
    assert encoder.encode("ü") == "ü\n".encode()
    # Flink writes Java's toString of the record: a Row as +I[...], a tuple as (a,b).
    assert encoder.encode(Row(a=1)) == b"+I[1]\n"
    assert encoder.encode(("a", 1)) == b"(a,1)\n"
    assert encoder.get_charset_name() == "utf-8"


def test_encoder_charset():
    encoder = Encoder.simple_string_encoder("ISO-8859-1")
    assert encoder.encode("ü") == b"\xfc\n"
    assert encoder == Encoder.simple_string_encoder("latin-1")
    with pytest.raises(
        ValueError, match="charset_name must name a known character set, got 'nope'"
    ):
        Encoder.simple_string_encoder("nope")


def test_simple_string_schema_round_trip():
    schema = SimpleStringSchema()
    assert isinstance(schema, SerializationSchema)
    assert isinstance(schema, DeserializationSchema)
    assert schema.serialize("héllo") == "héllo".encode()
    assert schema.deserialize("héllo".encode()) == "héllo"
    assert schema.deserialize(bytearray(b"ab")) == "ab"
    assert schema.get_produced_type() == Types.STRING()
    assert schema.is_end_of_stream("anything") is False


def test_simple_string_schema_other_charset_and_errors():
    schema = SimpleStringSchema("UTF-16-LE")
    assert schema.serialize("a") == b"a\x00"
    assert schema.get_charset() == "utf-16-le"
    with pytest.raises(TypeError, match="serializes str elements, got int 5"):
        schema.serialize(5)
    with pytest.raises(ValueError, match="charset must name a known character set"):
        SimpleStringSchema("klingon")


def test_byte_array_schema_passes_bytes_through():
    schema = ByteArraySchema()
    assert schema.serialize(bytearray(b"\x00\x01")) == b"\x00\x01"
    assert schema.deserialize(b"xy") == b"xy"
    assert schema.get_produced_type() == Types.PRIMITIVE_ARRAY(Types.BYTE())
    with pytest.raises(TypeError, match="serializes bytes elements, got str 'x'"):
        schema.serialize("x")


@pytest.mark.parametrize("dumps", [pickle.dumps, cloudpickle.dumps])
def test_schemas_pickle(dumps):
    for value in [
        SimpleStringSchema("latin-1"),
        ByteArraySchema(),
        Encoder.simple_string_encoder(),
    ]:
        assert pickle.loads(dumps(value)) == value
