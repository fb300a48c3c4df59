"""CSV: CsvBulkWriters -> CsvReaderFormat round trips, dialect options, bad lines."""

import re

import pytest
from format_testing import expect_failure, part_files, read_all, run_counting, stream_source, write_bulk

from fluvial.common import Row, Types
from fluvial.datastream.connectors.file_system import BucketAssigner, FileSink
from fluvial.datastream.formats.csv import CsvBulkWriters, CsvReaderFormat, CsvSchema
from fluvial.errors import UnsupportedFeatureError


def product_schema(**options):
    builder = CsvSchema.builder() \
        .add_number_column("id", Types.INT()) \
        .add_string_column("name") \
        .add_number_column("price", Types.DOUBLE()) \
        .add_boolean_column("in_stock") \
        .add_array_column("tags", "|", Types.STRING())
    for name, value in options.items():
        getattr(builder, name)(*([] if value is True else [value]))
    return builder.build()


def products(count=300):
    return [Row(id=i, name=["plain", "with, comma", 'with "quotes"', ""][i % 4],
                price=None if i % 7 == 0 else i * 0.25, in_stock=i % 2 == 0,
                tags=[f"t{i}", "x y"]) for i in range(count)]


def test_round_trip(env, tmp_path):
    schema = product_schema(set_use_header=True)
    rows = products()
    write_bulk(env, rows, schema.get_type_info(), tmp_path / "out", CsvBulkWriters.for_schema(schema))
    files = part_files(tmp_path / "out")
    assert files and all(f.name.startswith("part-") for f in files)
    assert all(f.read_text().startswith('"id","name","price","in_stock","tags"\n') for f in files)
    got = read_all(env, stream_source(CsvReaderFormat.for_schema(schema), tmp_path / "out"))
    assert sorted(got, key=lambda r: r.id) == rows


def test_dialect_separator_and_null_value(env1, tmp_path):
    schema = product_schema(set_column_separator=";", set_null_value="NULL")
    rows = [Row(id=1, name=None, price=None, in_stock=None, tags=None),
            Row(id=2, name="a;b", price=1.5, in_stock=True, tags=["one"])]
    write_bulk(env1, rows, schema.get_type_info(), tmp_path / "out", CsvBulkWriters.for_schema(schema))
    text = part_files(tmp_path / "out")[0].read_text()
    assert text.splitlines()[0] == '"1";NULL;NULL;NULL;NULL'
    assert read_all(env1, stream_source(CsvReaderFormat.for_schema(schema), tmp_path / "out")) == rows


def test_reads_hand_written_file_with_header_and_blank_lines(env1, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,name,price,in_stock,tags\r\n1,a,1.5,TRUE,x|y\r\n\r\n2,,,false,\r\n")
    schema = product_schema(set_use_header=True, set_strict_headers=True)
    assert read_all(env1, stream_source(CsvReaderFormat.for_schema(schema), path)) == [
        Row(id=1, name="a", price=1.5, in_stock=True, tags=["x", "y"]),
        Row(id=2, name="", price=None, in_stock=False, tags=None)]


BAD_CSV = ("id,name,price,in_stock,tags\n"
           "1,a,1.5,true,x\n"
           "\n"
           "2,b,abc,true,x\n"
           "3,c\n"
           "4,d,2.5,maybe,x\n"
           "99999999999,e,1,true,x\n"
           "5,f,3.5,false,y\n")


def test_bad_value_fails_naming_file_line_field(env1, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV)
    schema = product_schema(set_use_header=True)
    stream = env1.from_source(stream_source(CsvReaderFormat.for_schema(schema), path), None, "csv")
    message = expect_failure(env1, stream, f"line 4 of '{path}'")
    assert message == f"FileSource: line 4 of '{path}', field 'price': expected DOUBLE, got 'abc'"


@pytest.mark.parametrize("line, text, message", [
    (2, "1,a\n", "expected 5 fields, got 2"),
    (2, "1,a,1.5,maybe,x\n", "field 'in_stock': expected BOOLEAN, got 'maybe'"),
    (2, "99999999999,a,1.5,true,x\n", "field 'id': expected INT, got '99999999999'"),
    (3, None, "cannot be read as CSV"),
])
def test_each_kind_of_bad_line(env1, tmp_path, line, text, message):
    path = tmp_path / "bad.csv"
    if text is None:  # bytes that are not UTF-8
        path.write_bytes(b"id,name,price,in_stock,tags\n1,a,1.5,true,x\n\xff\xfe,b,1,true,x\n")
    else:
        path.write_text("id,name,price,in_stock,tags\n" + text)
    schema = product_schema(set_use_header=True)
    stream = env1.from_source(stream_source(CsvReaderFormat.for_schema(schema), path), None, "csv")
    got = expect_failure(env1, stream, message)
    assert got.startswith(f"FileSource: line {line} of '{path}'")


def test_ignore_parse_errors_skips_and_counts(env, tmp_path):
    paths = []
    for n in range(3):
        paths.append(tmp_path / f"bad{n}.csv")
        paths[-1].write_text(BAD_CSV)
    schema = product_schema(set_use_header=True)
    source = stream_source(CsvReaderFormat.for_schema(schema).with_ignore_parse_errors(), *paths)
    records, result = run_counting(env, env.from_source(source, None, "csv"))
    assert sorted(r.id for r in records) == [1, 1, 1, 5, 5, 5]
    assert result.get_accumulator_result("numRecordsInErrors") == 12
    per_subtask = {k: v for k, v in result.get_all_accumulator_results().items()
                   if re.fullmatch(r"csv\.\d+\.numRecordsInErrors", k)}
    assert len(per_subtask) == env.get_parallelism() and sum(per_subtask.values()) == 12


def test_strict_header_mismatch(env1, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,title,price,in_stock,tags\n1,a,1.5,true,x\n")
    schema = product_schema(set_use_header=True, set_strict_headers=True)
    stream = env1.from_source(stream_source(CsvReaderFormat.for_schema(schema), path), None, "csv")
    expect_failure(env1, stream, f"FileSource: the header (line 1) of '{path}' does not match the schema: "
                                 "expected ['id', 'name', 'price', 'in_stock', 'tags'], got 'id,title,")


def test_writer_rejects_a_value_of_the_wrong_type(env1, tmp_path):
    schema = product_schema()
    writer = CsvBulkWriters.for_schema(schema)
    env1.from_collection([Row(id=1, name="a", price="abc", in_stock=True, tags=[])]) \
        .sink_to(FileSink.for_bulk_format(str(tmp_path), writer)
                 .with_bucket_assigner(BucketAssigner.base_path_bucket_assigner()).build())
    with pytest.raises(Exception) as info:
        env1.execute()
    assert "FileSink: field 'price' of record Row(id=1, name='a', price='abc', in_stock=True, tags=[]): " \
           "expected DOUBLE, got 'abc'" in str(info.value)
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and not p.name.startswith(".")]


def test_unsupported_options_are_refused():
    with pytest.raises(UnsupportedFeatureError):
        CsvSchema.builder().set_allow_comments()
    schema = CsvSchema.builder().add_string_column("a").set_quote_char("'").build()
    with pytest.raises(UnsupportedFeatureError, match="quote char"):
        CsvBulkWriters.for_schema(schema)
    with pytest.raises(ValueError, match="single character"):
        CsvSchema.builder().set_column_separator(";;")
