# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/table/intro_to_table_api/#mix-the-table-api-and-sql
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.table import EnvironmentSettings, TableEnvironment
from pyflink.table.expressions import col

env_settings = EnvironmentSettings.in_batch_mode()
table_env = TableEnvironment.create(env_settings)

# create a table from a SQL query, then continue with the Table API
table = table_env.from_elements([(1, 'Hi'), (2, 'Hello')], ['id', 'data'])
table_env.create_temporary_view('table_api_table', table)
new_table = table_env.sql_query("SELECT * FROM table_api_table")
print(new_table.filter(col('id') > 1).to_pandas())

# create a SQL view over a Table API table, then query it with SQL
table_env.create_temporary_view('table_api_table2', table.select(col('id') + 1, col('data')))
print(table_env.sql_query("SELECT * FROM table_api_table2").to_pandas())
