"""Avro: AvroBulkWriters -> AvroInputFormat round trips, schema resolution, bad records,
the row (de)serialization schemas."""

import json

import fastavro
import pytest
from format_testing import expect_failure, part_files, run_counting, write_bulk

from fluvial.common import Row
from fluvial.datastream.connectors.file_system import BucketAssigner, FileSink
from fluvial.datastream.formats.avro import (
    AvroBulkWriters,
    AvroInputFormat,
    AvroRowDeserializationSchema,
    AvroRowSerializationSchema,
    AvroSchema,
    GenericRecordAvroTypeInfo,
)
from fluvial.errors import ConnectorError, UnsupportedFeatureError

SCHEMA = json.dumps({
    "type": "record", "name": "Order", "fields": [
        {"name": "id", "type": "long"},
        {"name": "price", "type": "double"},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "suit", "type": {"type": "enum", "name": "Suit", "symbols": ["SPADES", "HEARTS"]}},
        {"name": "items", "type": {"type": "array", "items": {
            "type": "record", "name": "Item", "fields": [{"name": "sku", "type": "string"},
                                                         {"name": "qty", "type": "int"}]}}},
        {"name": "labels", "type": {"type": "map", "values": "long"}},
    ]})


def orders(count=300):
    return [{"id": i, "price": i / 4, "note": None if i % 3 else f"n{i}", "suit": ["SPADES", "HEARTS"][i % 2],
             "items": [{"sku": f"s{i}", "qty": i % 5}], "labels": {"k": i}} for i in range(count)]


def test_round_trip(env, tmp_path):
    schema = AvroSchema.parse_string(SCHEMA)
    records = orders()
    write_bulk(env, records, None, tmp_path / "out", AvroBulkWriters.for_generic_record(schema, codec="deflate"))
    files = part_files(tmp_path / "out")
    assert files and all(fastavro.is_avro(str(f)) for f in files)
    got = list(env.create_input(AvroInputFormat(str(tmp_path / "out"), schema)).execute_and_collect())
    assert sorted(got, key=lambda r: r["id"]) == records


def test_named_rows_are_written_as_records(env1, tmp_path):
    schema = AvroSchema.parse_string(json.dumps({"type": "record", "name": "P", "fields": [
        {"name": "x", "type": "int"}, {"name": "inner", "type": {"type": "record", "name": "I", "fields": [
            {"name": "y", "type": "string"}]}}]}))
    write_bulk(env1, [Row(x=1, inner=Row(y="a"))], None, tmp_path, AvroBulkWriters.for_generic_record(schema))
    got = list(env1.create_input(AvroInputFormat(str(tmp_path), schema)).execute_and_collect())
    assert got == [{"x": 1, "inner": {"y": "a"}}]


WRITER_SCHEMA = {"type": "record", "name": "Order", "fields": [
    {"name": "id", "type": "long"}, {"name": "price", "type": ["null", "string", "double"]}]}
READER_SCHEMA = json.dumps({"type": "record", "name": "Order", "fields": [
    {"name": "id", "type": "long"}, {"name": "price", "type": "double"},
    {"name": "currency", "type": "string", "default": "EUR"}]})


def write_evolved(path):
    with open(path, "wb") as file:
        fastavro.writer(file, fastavro.parse_schema(WRITER_SCHEMA),
                        [{"id": 1, "price": 1.5}, {"id": 2, "price": "abc"}, {"id": 3, "price": None},
                         {"id": 4, "price": 2.5}])


def test_resolution_fills_defaults_and_fails_on_bad_record(env1, tmp_path):
    path = tmp_path / "old.avro"
    write_evolved(path)
    stream = env1.create_input(AvroInputFormat(str(path), AvroSchema.parse_string(READER_SCHEMA)))
    message = expect_failure(env1, stream, "record 2")
    assert message == f"FileSource: record 2 of '{path}', field 'price': expected double, got 'abc'"


def test_ignore_parse_errors_skips_and_counts(env, tmp_path):
    for n in range(3):
        write_evolved(tmp_path / f"old{n}.avro")
    input_format = AvroInputFormat(str(tmp_path), AvroSchema.parse_string(READER_SCHEMA)).with_ignore_parse_errors()
    records, result = run_counting(env, env.create_input(input_format))
    assert sorted(r["id"] for r in records) == [1, 1, 1, 4, 4, 4]
    assert {"id": 4, "price": 2.5, "currency": "EUR"} in records
    assert result.get_accumulator_result("numRecordsInErrors") == 6


def test_missing_field_without_default(env1, tmp_path):
    path = tmp_path / "old.avro"
    write_evolved(path)
    schema = AvroSchema.parse_string(json.dumps({"type": "record", "name": "Order", "fields": [
        {"name": "id", "type": "long"}, {"name": "qty", "type": "int"}]}))
    expect_failure(env1, env1.create_input(AvroInputFormat(str(path), schema)),
                   f"FileSource: record 1 of '{path}', field 'qty': missing, and the schema gives no default")


def test_corrupt_and_foreign_files_always_fail(env1, tmp_path):
    path = tmp_path / "cut.avro"
    write_bulk(env1, orders(2000), None, tmp_path / "full", AvroBulkWriters.for_generic_record(
        AvroSchema.parse_string(SCHEMA)))
    data = part_files(tmp_path / "full")[0].read_bytes()
    path.write_bytes(data[:len(data) // 2])
    schema = AvroSchema.parse_string(SCHEMA)
    expect_failure(env1, env1.create_input(AvroInputFormat(str(path), schema).with_ignore_parse_errors()),
                   "as Avro: ")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    expect_failure(env1, env1.create_input(AvroInputFormat(str(text), schema)),
                   f"FileSource: cannot read '{text}' as Avro: ")


def test_writer_rejects_a_record_that_does_not_fit(env1, tmp_path):
    schema = AvroSchema.parse_string(READER_SCHEMA)
    env1.from_collection([{"id": "x", "price": 1.0, "currency": "EUR"}]).sink_to(
        FileSink.for_bulk_format(str(tmp_path), AvroBulkWriters.for_generic_record(schema))
        .with_bucket_assigner(BucketAssigner.base_path_bucket_assigner()).build())
    with pytest.raises(Exception, match="FileSink: a record does not fit the Avro schema"):
        env1.execute()


def test_row_schemas_round_trip():
    serializer = AvroRowSerializationSchema(avro_schema_string=SCHEMA)
    deserializer = AvroRowDeserializationSchema(avro_schema_string=SCHEMA)
    row = Row(id=1, price=2.5, note=None, suit="HEARTS", items=[Row(sku="a", qty=2)], labels={"k": 1})
    assert deserializer.deserialize(serializer.serialize(row)) == row
    positional = Row(1, 2.5, "n", "SPADES", [], {})
    assert deserializer.deserialize(serializer.serialize(positional))["note"] == "n"
    with pytest.raises(ConnectorError, match="AvroRowSerializationSchema: the record does not fit"):
        serializer.serialize(Row(id="x", price=2.5, note=None, suit="HEARTS", items=[], labels={}))
    with pytest.raises(ConnectorError, match="AvroRowDeserializationSchema: not an Avro message"):
        deserializer.deserialize(b"\x01")
    with pytest.raises(UnsupportedFeatureError):
        AvroRowSerializationSchema(record_class="com.example.Order")


def test_type_info_and_schema_errors():
    schema = AvroSchema.parse_string(SCHEMA)
    validate = GenericRecordAvroTypeInfo(schema).make_validator()
    validate(orders(1)[0])
    with pytest.raises(TypeError):
        validate({"id": "x"})
    with pytest.raises(ValueError, match="not a valid Avro schema"):
        AvroSchema.parse_string('{"type": "nothing"}')
