# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/table/udfs/vectorized_python_udfs/#vectorized-scalar-functions
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.udf import udf


@udf(result_type='BIGINT', func_type='pandas')
def add(i, j):
  return i + j


settings = EnvironmentSettings.in_batch_mode()
table_env = TableEnvironment.create(settings)
my_table = table_env.from_elements([(1, 2), (3, 4), (5, 6)], ['bigint', 'bigint2'])
table_env.create_temporary_view('MyTable', my_table)

# use the vectorized Python scalar function in Python Table API
print(my_table.select(add(my_table.bigint, my_table.bigint2)).to_pandas())

# use the vectorized Python scalar function in SQL API
table_env.create_temporary_function("add", add)
# (quoted: BIGINT is a keyword of PyFlink 2.2's SQL parser)
print(table_env.sql_query("SELECT add(`bigint`, `bigint2`) FROM MyTable").to_pandas())
