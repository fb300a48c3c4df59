"""A keyed, order-sensitive operator behind a filesystem table at parallelism > 1 sees each
key's rows in the file's order, as in Flink (each file is read by one subtask and forwarded),
not interleaved by a round-robin exchange after a single reading subtask."""

import csv

from fluvial.table import DataTypes, EnvironmentSettings, Schema, TableDescriptor, TableEnvironment, col
from fluvial.table.udf import AggregateFunction, udaf


class InArrivalOrder(AggregateFunction):
    """The values of a group joined in the order they arrive."""

    def create_accumulator(self):
        return []

    def accumulate(self, accumulator, value):
        accumulator.append(value)

    def get_value(self, accumulator):
        return ",".join(str(v) for v in accumulator)

    def get_result_type(self):
        return "STRING"


def test_each_keys_rows_keep_the_files_order(tmp_path):
    rows = [(f"k{i % 3}", i) for i in range(6000)]
    with open(tmp_path / "versions.csv", "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.get_config().set("parallelism.default", "2")
    t_env.create_temporary_table(
        "versions", TableDescriptor.for_connector("filesystem")
        .schema(Schema.new_builder().column("k", DataTypes.STRING()).column("v", DataTypes.BIGINT()).build())
        .option("path", str(tmp_path)).format("csv").build())
    ordered = udaf(InArrivalOrder())
    table = t_env.from_path("versions").where(col("v") >= 0).select(col("k"), col("v") + 1) \
        .alias("k", "v").group_by(col("k")).select(col("k"), ordered(col("v")))
    result = {r[0]: r[1] for r in table.execute().collect()}
    expected = {}
    for key, value in rows:
        expected.setdefault(key, []).append(str(value + 1))
    assert result == {k: ",".join(v) for k, v in expected.items()}
