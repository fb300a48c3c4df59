"""Table API forms PyFlink programs use, each printed; recorded on real PyFlink 2.2.0
(expected output: table_changelog_and_texts.out) and replayed on Fluvial by test_differential.py."""
import decimal

import pandas as pd
from pyflink.table import DataTypes, EnvironmentSettings, FormatDescriptor, Schema, TableDescriptor, TableEnvironment
from pyflink.table.expressions import col, lit

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.get_config().set("parallelism.default", "1")

print("== a streaming GROUP BY: every record's change")
words = t_env.from_elements([("a",), ("b",), ("a",), ("a",), ("b",), ("c",)], ["word"])
t_env.create_temporary_table(
    "counts", TableDescriptor.for_connector("print")
    .schema(Schema.new_builder().column("word", DataTypes.STRING()).column("n", DataTypes.BIGINT()).build())
    .build())
words.group_by(col("word")).select(col("word"), lit(1).count).execute_insert("counts").wait()

print("== print connector texts")
values = t_env.from_elements(
    [(1.1, 130.1, decimal.Decimal("12.50"), 5000, 5123)],
    DataTypes.ROW([DataTypes.FIELD("f", DataTypes.FLOAT()), DataTypes.FIELD("d", DataTypes.DOUBLE()),
                   DataTypes.FIELD("m", DataTypes.DECIMAL(10, 2)), DataTypes.FIELD("s", DataTypes.BIGINT()),
                   DataTypes.FIELD("ms", DataTypes.BIGINT())]))
shown = values.select(col("f"), col("d"), col("m"),
                      col("s").cast(DataTypes.INT()).alias("i"))
shown.execute_insert(
    TableDescriptor.for_connector("print")
    .schema(Schema.new_builder().column("f", DataTypes.FLOAT()).column("d", DataTypes.DOUBLE())
            .column("m", DataTypes.DECIMAL(10, 2)).column("i", DataTypes.INT()).build())
    .build()).wait()
shown.execute().print()

print("== CREATE TEMPORARY TABLE and a FormatDescriptor")
t_env.execute_sql("CREATE TEMPORARY TABLE sink2 (word STRING, n BIGINT) WITH ('connector' = 'print', "
                  "'print-identifier' = 'out')")
words.group_by(col("word")).select(col("word"), col("word").count.alias("n")).execute_insert("sink2").wait()
descriptor = TableDescriptor.for_connector("filesystem") \
    .schema(Schema.new_builder().column("word", DataTypes.STRING()).build()) \
    .option("path", "/tmp/unused") \
    .format(FormatDescriptor.for_format("csv").option("field-delimiter", "|").build()) \
    .build()
print(sorted(descriptor.get_options().items()))

print("== from_pandas with a schema: columns by position")
frame = pd.DataFrame({"x": [1, 2], "y": ["p", "q"]})
t_env.from_pandas(frame, DataTypes.ROW([DataTypes.FIELD("a", DataTypes.BIGINT()),
                                        DataTypes.FIELD("b", DataTypes.STRING())])).execute().print()
