# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/table/udfs/vectorized_python_udfs/#vectorized-aggregate-functions
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
# The page also uses mean_udaf in a group window and an over window over a 'rowtime'
# column; here the group-by, select and SQL uses on a small batch table.
from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.expressions import col
from pyflink.table.udf import udaf


@udaf(result_type=DataTypes.FLOAT(), func_type="pandas")
def mean_udaf(v):
    return v.mean()


settings = EnvironmentSettings.in_batch_mode()
table_env = TableEnvironment.create(settings)
my_table = table_env.from_elements([('a', 1.0), ('a', 2.0), ('b', 4.0), ('b', 8.0), ('b', 9.0)],
                                   ['a', 'b'])
table_env.create_temporary_view('MyTable', my_table)

# use the vectorized Python aggregate function in Python Table API
print(my_table.group_by(my_table.a).select(my_table.a, mean_udaf(my_table.b)).to_pandas()
      .sort_values('a').reset_index(drop=True))

# use the vectorized Python aggregate function in SQL API
table_env.create_temporary_function("mean_udaf", mean_udaf)
print(table_env.sql_query("SELECT a, mean_udaf(b) FROM MyTable GROUP BY a").to_pandas()
      .sort_values('a').reset_index(drop=True))
