# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/table/udfs/vectorized_python_udfs/#vectorized-aggregate-functions
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.expressions import col, lit
from pyflink.table.udf import udaf
from pyflink.table.window import Tumble


@udaf(result_type=DataTypes.FLOAT(), func_type="pandas")
def mean_udaf(v):
    return v.mean()


settings = EnvironmentSettings.in_batch_mode()
table_env = TableEnvironment.create(settings)
table_env.get_config().set("parallelism.default", "1")
table_env.execute_sql("""
    CREATE TABLE my_table (
        a STRING,
        b DOUBLE,
        rowtime TIMESTAMP(3)
    ) WITH ('connector' = 'filesystem', 'path' = 'my_table.csv', 'format' = 'csv')
""")
my_table = table_env.from_path('my_table')

# use the vectorized Python aggregate function in GroupBy Window Aggregation
tumble_window = Tumble.over(lit(1).hours) \
            .on(col("rowtime")) \
            .alias("w")

print(my_table.window(tumble_window)
      .group_by(col("w"))
      .select(col('w').start, col('w').end, mean_udaf(col('b'))).to_pandas())
