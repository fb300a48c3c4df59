"""TableDescriptor / FormatDescriptor / Schema builder: tables declared in Python as PyFlink
programs declare them, checked against plain-Python re-computations of the data."""

import csv

import pytest

from fluvial.errors import UnsupportedFeatureError
from fluvial.table import (
    DataTypes,
    EnvironmentSettings,
    FormatDescriptor,
    Schema,
    TableDescriptor,
    TableEnvironment,
    col,
)
from fluvial.table.expressions import PlanningError


def _batch_env():
    return TableEnvironment.create(EnvironmentSettings.in_batch_mode())


def test_format_descriptor_options_get_the_format_prefix():
    descriptor = TableDescriptor.for_connector("kafka") \
        .option("topic", "t") \
        .format(FormatDescriptor.for_format("json").option("ignore-parse-errors", True).build()) \
        .format(FormatDescriptor.for_format("csv").option("field-delimiter", ";").build(), "key.format") \
        .build()
    assert descriptor.get_options() == {
        "connector": "kafka", "topic": "t", "format": "json", "json.ignore-parse-errors": "true",
        "key.format": "csv", "key.csv.field-delimiter": ";"}


def test_create_temporary_table_reads_and_writes_files(tmp_path):
    source_dir, sink_dir = tmp_path / "in", tmp_path / "out"
    source_dir.mkdir()
    rows = [("a", 1), ("b", 2), ("a", 3)]
    with open(source_dir / "part-0.csv", "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    t_env = _batch_env()
    t_env.create_temporary_table(
        "source", TableDescriptor.for_connector("filesystem")
        .schema(Schema.new_builder().column("k", DataTypes.STRING()).column("v", "INT").build())
        .option("path", str(source_dir)).format("csv").build())
    sink = TableDescriptor.for_connector("filesystem") \
        .schema(Schema.new_builder().column("k", DataTypes.STRING()).column("total", DataTypes.BIGINT()).build()) \
        .option("path", str(sink_dir)).format(FormatDescriptor.for_format("csv").build()).build()
    t_env.from_path("source").group_by(col("k")).select(col("k"), col("v").sum.cast(DataTypes.BIGINT())) \
        .execute_insert(sink).wait()
    written = []
    for path in sorted(p for p in sink_dir.rglob("*") if p.is_file() and not p.name.startswith(".")):
        written += [tuple(r) for r in csv.reader(path.open())]
    expected = {}
    for key, value in rows:
        expected[key] = expected.get(key, 0) + value
    assert sorted(written) == sorted((k, str(v)) for k, v in expected.items())


def test_from_descriptor_and_computed_columns_in_declared_order():
    t_env = _batch_env()
    table = t_env.from_descriptor(
        TableDescriptor.for_connector("datagen")
        .schema(Schema.new_builder()
                .column("id", DataTypes.BIGINT())
                .column_by_expression("doubled", "id * 2")
                .column("name", DataTypes.STRING())
                .column_by_expression("shout", col("name").upper_case)
                .build())
        .option("number-of-rows", "5").option("fields.id.kind", "sequence")
        .option("fields.id.start", "1").option("fields.id.end", "5").option("fields.name.length", "3")
        .build())
    rows = [tuple(r) for r in table.execute().collect()]
    assert table.get_schema().get_field_names() == ["id", "doubled", "name", "shout"]
    assert sorted(r[0] for r in rows) == [1, 2, 3, 4, 5]
    assert all(r[1] == r[0] * 2 and r[3] == r[2].upper() for r in rows)


def test_create_temporary_table_twice_is_refused_unless_ignored():
    t_env = _batch_env()
    descriptor = TableDescriptor.for_connector("blackhole") \
        .schema(Schema.new_builder().column("x", DataTypes.INT()).build()).build()
    t_env.create_temporary_table("t", descriptor)
    t_env.create_temporary_table("t", descriptor, ignore_if_exists=True)
    with pytest.raises(PlanningError, match="exists already"):
        t_env.create_temporary_table("t", descriptor)


def test_descriptor_without_schema_names_what_is_missing():
    t_env = _batch_env()
    with pytest.raises(PlanningError, match="table 'nothing': the TableDescriptor has no schema"):
        t_env.create_temporary_table("nothing", TableDescriptor.for_connector("print").build())


def test_metadata_columns_in_a_descriptor_are_refused_clearly():
    t_env = _batch_env()
    schema = Schema.new_builder().column("x", DataTypes.INT()) \
        .column_by_metadata("ts", DataTypes.TIMESTAMP_LTZ(3), "timestamp").build()
    with pytest.raises(UnsupportedFeatureError, match="metadata columns"):
        t_env.create_temporary_table("k", TableDescriptor.for_connector("kafka").schema(schema).build())


def test_schema_prints_its_columns_watermark_and_key():
    schema = Schema.new_builder().column("id", "BIGINT").column_by_expression("ts", "CAST(id AS TIMESTAMP(3))") \
        .watermark("ts", "ts - INTERVAL '1' SECOND").primary_key("id").build()
    assert str(schema) == ("(\n  `id` BIGINT,\n  `ts` AS [CAST(id AS TIMESTAMP(3))],\n"
                           "  WATERMARK FOR `ts` AS [ts - INTERVAL '1' SECOND],\n"
                           "  CONSTRAINT `PK_id` PRIMARY KEY (`id`) NOT ENFORCED\n)")


def test_create_temporary_table_statement():
    t_env = _batch_env()
    t_env.execute_sql("CREATE TEMPORARY TABLE t (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3')")
    assert len(list(t_env.from_path("t").execute().collect())) == 3
