"""JSON: row (de)serialization schemas, and files of JSON lines written through the row
format FileSink and read back through JsonReaderFormat."""

import datetime
import decimal

import pytest
from format_testing import expect_failure, part_files, read_all, run_counting, stream_source

from fluvial.common import Encoder, Row, Types
from fluvial.datastream.connectors.file_system import BucketAssigner, FileSink
from fluvial.datastream.formats.json import (
    JsonReaderFormat,
    JsonRowDeserializationSchema,
    JsonRowSerializationSchema,
)
from fluvial.errors import ConnectorError, UnsupportedFeatureError

SIMPLE = Types.ROW_NAMED(["id", "name", "price", "tags"],
                         [Types.INT(), Types.STRING(), Types.DOUBLE(), Types.LIST(Types.STRING())])
RICH = Types.ROW_NAMED(
    ["id", "day", "ts", "amount", "attributes", "origin"],
    [Types.LONG(), Types.SQL_DATE(), Types.SQL_TIMESTAMP(), Types.BIG_DEC(),
     Types.MAP(Types.STRING(), Types.INT()), Types.ROW_NAMED(["country"], [Types.STRING()])])


def simple_rows(count=400):
    return [Row(id=i, name=None if i % 9 == 0 else f"naïve \"{i}\"", price=i / 8, tags=[f"t{i}"])
            for i in range(count)]


def rich_rows(count=50):
    return [Row(id=i, day=datetime.date(2026, 11, 24), ts=datetime.datetime(2026, 11, 24, 13, 0, i),
                amount=decimal.Decimal(f"{i}.5"), attributes={"k": i}, origin=Row(country="FR"))
            for i in range(count)]


def serializer(row_type):
    return JsonRowSerializationSchema.builder().with_type_info(row_type).build()


def deserializer(row_type, *options):
    builder = JsonRowDeserializationSchema.builder().type_info(row_type)
    for option in options:
        getattr(builder, option)()
    return builder.build()


@pytest.mark.parametrize("row_type, rows", [(SIMPLE, simple_rows()), (RICH, rich_rows())], ids=["simple", "rich"])
def test_file_round_trip(env, tmp_path, row_type, rows):
    schema = serializer(row_type)
    env.from_collection(rows, row_type) \
        .map(lambda row: schema.serialize(row).decode("utf-8"), Types.STRING()) \
        .sink_to(FileSink.for_row_format(str(tmp_path / "out"), Encoder.simple_string_encoder())
                 .with_bucket_assigner(BucketAssigner.base_path_bucket_assigner()).build())
    env.execute()
    assert part_files(tmp_path / "out")
    source = stream_source(JsonReaderFormat.for_schema(deserializer(row_type)), tmp_path / "out")
    assert sorted(read_all(env, source), key=lambda r: r.id) == rows


def test_schemas_round_trip_one_message():
    row = rich_rows(2)[1]
    message = serializer(RICH).serialize(row)
    assert message.startswith(b'{"id":1,"day":"2026-11-24","ts":"2026-11-24 13:00:01","amount":1.5,')
    assert deserializer(RICH).deserialize(message) == row


BAD_JSON = ('{"id": 1, "name": "a", "price": 1.5, "tags": []}\n'
            '\n'
            '{"id": 2, "name": "b", "price": "abc", "tags": []}\n'
            'not json\n'
            '[1, 2]\n'
            '{"id": 3.5}\n'
            '{"id": 4, "tags": ["x", 5]}\n'
            '{"id": 5, "price": 2}\n')


@pytest.mark.parametrize("line, message", [
    (3, "field 'price': expected DOUBLE, got 'abc'"),
    (4, "not valid JSON (Expecting value: line 1 column 1 (char 0))"),
    (5, "expected a JSON object, got [1, 2]"),
    (6, "field 'id': expected INT, got 3.5"),
    (7, "field 'tags[1]': expected STRING, got 5"),
])
def test_each_bad_line_fails_naming_file_line_field(env1, tmp_path, line, message):
    lines = BAD_JSON.splitlines(keepends=True)
    path = tmp_path / "bad.jsonl"
    # A good first line, then blank lines, then the bad one on its line number.
    path.write_text("".join(lines[:2]) + "\n" * (line - 3) + lines[line - 1])
    stream = env1.from_source(stream_source(JsonReaderFormat.for_schema(deserializer(SIMPLE)), path), None, "j")
    separator = ", " if message.startswith("field") else ": "
    got = expect_failure(env1, stream, message)
    assert got == f"FileSource: line {line} of '{path}'{separator}{message}"


def test_ignore_parse_errors_skips_and_counts(env, tmp_path):
    for n in range(3):
        (tmp_path / f"bad{n}.jsonl").write_text(BAD_JSON)
    source = stream_source(JsonReaderFormat.for_schema(deserializer(SIMPLE, "ignore_parse_errors")), tmp_path)
    records, result = run_counting(env, env.from_source(source, None, "json"))
    assert sorted(r.id for r in records) == [1, 1, 1, 5, 5, 5]
    assert Row(id=5, name=None, price=2.0, tags=None) in records
    assert result.get_accumulator_result("numRecordsInErrors") == 15


def test_fail_on_missing_field(env1, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "name": "a", "price": 1.5, "tags": []}\n{"id": 2, "name": "b"}\n')
    schema = deserializer(SIMPLE, "fail_on_missing_field")
    stream = env1.from_source(stream_source(JsonReaderFormat.for_schema(schema), path), None, "j")
    expect_failure(env1, stream,
                   f"FileSource: line 2 of '{path}', field 'price': missing, and fail_on_missing_field is set")


def test_deserialize_errors_and_ignore():
    with pytest.raises(ConnectorError, match="JsonRowDeserializationSchema: field 'price': expected DOUBLE"):
        deserializer(SIMPLE).deserialize(b'{"price": "x"}')
    assert deserializer(SIMPLE, "ignore_parse_errors").deserialize(b"{") is None
    with pytest.raises(ConnectorError, match="JsonRowSerializationSchema: the record does not fit"):
        serializer(SIMPLE).serialize(Row(id="x", name="a", price=1.0, tags=[]))
    with pytest.raises(UnsupportedFeatureError):
        JsonRowDeserializationSchema.builder().json_schema("{}")


def test_a_line_that_is_not_utf8_fails_naming_it(env1, tmp_path):
    # Arrow's JSON reader would let the Latin-1 byte into the string; Python's json does not.
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"id": 1, "name": "ada"}\n{"id": 2, "name": "caf\xe9"}\n')
    stream = env1.from_source(stream_source(JsonReaderFormat.for_schema(deserializer(SIMPLE)), path), None, "j")
    got = expect_failure(env1, stream, "can't decode byte 0xe9")
    assert got.startswith(f"FileSource: line 2 of '{path}': not valid JSON ('utf-8' codec can't decode byte 0xe9")
