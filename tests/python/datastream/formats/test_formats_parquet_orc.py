"""Parquet and ORC: bulk writers -> columnar input formats round trips at parallelism 1
and 4, partitioned output, bad rows, files that are not what they claim."""

import datetime
import decimal

import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest
from format_testing import bulk_source, expect_failure, part_files, read_all, run_counting, write_bulk

from fluvial.common import Configuration, Row, Types
from fluvial.datastream.connectors.file_system import BucketAssigner, FileSink, RollingPolicy
from fluvial.datastream.formats.orc import OrcBulkWriters, OrcColumnarRowInputFormat
from fluvial.datastream.formats.parquet import ParquetBulkWriters, ParquetColumnarRowInputFormat

ROW_TYPE = Types.ROW_NAMED(
    ["id", "name", "price", "day", "ts", "tags", "attributes", "origin", "amount", "raw", "ok"],
    [Types.LONG(), Types.STRING(), Types.DOUBLE(), Types.SQL_DATE(), Types.SQL_TIMESTAMP(),
     Types.LIST(Types.INT()), Types.MAP(Types.STRING(), Types.LONG()),
     Types.ROW_NAMED(["country", "zip"], [Types.STRING(), Types.INT()]), Types.BIG_DEC(),
     Types.PRIMITIVE_ARRAY(Types.BYTE()), Types.BOOLEAN()])


def events(count=500):
    return [Row(id=i, name=None if i % 11 == 0 else f"item {i}", price=i / 4,
                day=datetime.date(2026, 11, 24 + i % 3), ts=datetime.datetime(2026, 11, 24, i % 24, 0, i % 60),
                tags=[i, None, 3], attributes={"a": i}, origin=Row(country="FR", zip=75000 + i),
                amount=decimal.Decimal(f"{i}.125"), raw=bytes([i % 256]), ok=i % 2 == 0)
            for i in range(count)]


FORMATS = {
    "parquet": (lambda: ParquetBulkWriters.for_row_type(ROW_TYPE),
                lambda row_type=ROW_TYPE: ParquetColumnarRowInputFormat(row_type, batch_size=64)),
    "orc": (lambda: OrcBulkWriters.for_row_type(ROW_TYPE),
            lambda row_type=ROW_TYPE: OrcColumnarRowInputFormat(row_type, batch_size=64)),
}


@pytest.mark.parametrize("name", FORMATS)
def test_round_trip(env, tmp_path, name):
    writer, reader = FORMATS[name]
    rows = events()
    write_bulk(env, rows, ROW_TYPE, tmp_path / "out", writer())
    files = part_files(tmp_path / "out")
    assert len(files) == env.get_parallelism() and all(f.name.startswith("part-") for f in files)
    got = read_all(env, bulk_source(reader(), tmp_path / "out"))
    assert sorted(got, key=lambda r: r.id) == rows


@pytest.mark.parametrize("name", FORMATS)
def test_partitioned_output(env, tmp_path, name):
    writer, reader = FORMATS[name]
    row_type = Types.ROW_NAMED(["dt", "hour", "user", "clicks"],
                               [Types.STRING(), Types.INT(), Types.STRING(), Types.LONG()])
    rows = [Row(dt=f"2026-11-{24 + i % 2}", hour=i % 3 + 12, user=f"u{i % 5}", clicks=i) for i in range(120)]
    factory = (ParquetBulkWriters if name == "parquet" else OrcBulkWriters).for_row_type(row_type)
    write_bulk(env, rows, row_type, tmp_path / "out", factory,
               assigner=BucketAssigner.field_bucket_assigner("dt", "hour"))
    directories = {p.parent.relative_to(tmp_path / "out").as_posix() for p in part_files(tmp_path / "out")}
    assert directories == {f"dt=2026-11-{d}/hour={h}" for d in (24, 25) for h in (12, 13, 14)}
    for directory in directories:
        dt, hour = (part.split("=")[1] for part in directory.split("/"))
        got = read_all(env, bulk_source(reader(row_type), tmp_path / "out" / directory))
        assert sorted(got, key=lambda r: r.clicks) == [r for r in rows if r.dt == dt and r.hour == int(hour)]


def test_partition_values_are_escaped(env1, tmp_path):
    row_type = Types.ROW_NAMED(["path", "n"], [Types.STRING(), Types.INT()])
    write_bulk(env1, [Row(path="a/b=c", n=1), Row(path=None, n=2)], row_type, tmp_path,
               ParquetBulkWriters.for_row_type(row_type), assigner=BucketAssigner.field_bucket_assigner("path"))
    assert {p.parent.name for p in part_files(tmp_path)} == {"path=a%2Fb%3Dc", "path=__DEFAULT_PARTITION__"}


def test_bulk_sink_rolls_on_checkpoint_only():
    builder = FileSink.for_bulk_format("/tmp/unused", ParquetBulkWriters.for_row_type(ROW_TYPE))
    with pytest.raises(TypeError, match="on_checkpoint_rolling_policy"):
        builder.with_rolling_policy(RollingPolicy.default_rolling_policy())
    builder.with_rolling_policy(RollingPolicy.on_checkpoint_rolling_policy())


def test_writer_options(env1, tmp_path):
    row_type = Types.ROW_NAMED(["n"], [Types.INT()])
    config = Configuration()
    config.set_string("parquet.compression", "GZIP")
    write_bulk(env1, [Row(n=1)], row_type, tmp_path / "p", ParquetBulkWriters.for_row_type(row_type, config))
    parquet_file = pq.ParquetFile(part_files(tmp_path / "p")[0])
    assert parquet_file.metadata.row_group(0).column(0).compression == "GZIP"
    properties = Configuration()
    properties.set_string("orc.compress", "SNAPPY")
    write_bulk(env1, [Row(n=1)], row_type, tmp_path / "o", OrcBulkWriters.for_row_type(row_type, properties))
    assert orc.ORCFile(str(part_files(tmp_path / "o")[0])).compression == "SNAPPY"


BAD_TABLE = pa.table({"id": pa.array([1, 2, 3, 4, 5], pa.int64()),
                      "price": pa.array(["1.5", "abc", "2.5", "x", "3"])})
BAD_ROW_TYPE = Types.ROW_NAMED(["id", "price"], [Types.INT(), Types.DOUBLE()])


def write_bad(name, path):
    (pq.write_table if name == "parquet" else orc.write_table)(BAD_TABLE, str(path))


def bad_format(name):
    cls = ParquetColumnarRowInputFormat if name == "parquet" else OrcColumnarRowInputFormat
    return cls(BAD_ROW_TYPE)


@pytest.mark.parametrize("name", FORMATS)
def test_bad_row_fails_naming_file_row_field(env1, tmp_path, name):
    path = tmp_path / f"bad.{name}"
    write_bad(name, path)
    stream = env1.from_source(bulk_source(bad_format(name), path), None, "columns")
    message = expect_failure(env1, stream, "row 2")
    assert message == f"FileSource: row 2 of '{path}', field 'price': expected DOUBLE, got 'abc'"


@pytest.mark.parametrize("name", FORMATS)
def test_ignore_parse_errors_skips_and_counts(env, tmp_path, name):
    for n in range(4):
        write_bad(name, tmp_path / f"bad{n}.{name}")
    source = bulk_source(bad_format(name).with_ignore_parse_errors(), tmp_path)
    records, result = run_counting(env, env.from_source(source, None, "columns"))
    assert sorted((r.id, r.price) for r in records) == sorted([(1, 1.5), (3, 2.5), (5, 3.0)] * 4)
    assert result.get_accumulator_result("numRecordsInErrors") == 8


@pytest.mark.parametrize("name", FORMATS)
def test_out_of_range_value_is_a_bad_row(env1, tmp_path, name):
    path = tmp_path / f"big.{name}"
    table = pa.table({"id": pa.array([1, 2**40], pa.int64()), "price": pa.array([1.0, 2.0])})
    (pq.write_table if name == "parquet" else orc.write_table)(table, str(path))
    stream = env1.from_source(bulk_source(bad_format(name), path), None, "columns")
    expect_failure(env1, stream, f"FileSource: row 2 of '{path}', field 'id': expected INT, got {2**40}")


@pytest.mark.parametrize("name", FORMATS)
def test_missing_column_and_unreadable_type(env1, tmp_path, name):
    path = tmp_path / f"other.{name}"
    table = pa.table({"id": pa.array([[1]]), "cost": pa.array([1.0])})
    (pq.write_table if name == "parquet" else orc.write_table)(table, str(path))
    label = "Parquet" if name == "parquet" else "ORC"
    stream = env1.from_source(bulk_source(bad_format(name), path), None, "columns")
    expect_failure(env1, stream, f"FileSource: the {label} file '{path}' has no column 'price' "
                                 "(its columns: ['id', 'cost'])")
    row_type = Types.ROW_NAMED(["id"], [Types.INT()])
    cls = ParquetColumnarRowInputFormat if name == "parquet" else OrcColumnarRowInputFormat
    stream = env1.from_source(bulk_source(cls(row_type), path), None, "columns")
    expect_failure(env1, stream, f"FileSource: column 'id' of '{path}' holds list<")


@pytest.mark.parametrize("name", FORMATS)
def test_not_a_columnar_file(env1, tmp_path, name):
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    label = "Parquet" if name == "parquet" else "ORC"
    stream = env1.from_source(bulk_source(bad_format(name).with_ignore_parse_errors(), path), None, "c")
    expect_failure(env1, stream, f"FileSource: cannot read '{path}' as {label}: ")


def test_case_insensitive_columns(env1, tmp_path):
    pq.write_table(pa.table({"ID": [1], "Price": [2.0]}), str(tmp_path / "a.parquet"))
    source = bulk_source(ParquetColumnarRowInputFormat(BAD_ROW_TYPE, is_case_sensitive=False), tmp_path)
    assert read_all(env1, source) == [Row(id=1, price=2.0)]


def test_row_type_must_be_a_row_type_info():
    with pytest.raises(TypeError, match="RowTypeInfo such as Types.ROW_NAMED"):
        ParquetBulkWriters.for_row_type(Types.INT())
