# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/table/udfs/python_udfs/#scalar-functions
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.expressions import call
from pyflink.table.udf import ScalarFunction, udf


class HashCode(ScalarFunction):
  def __init__(self):
    self.factor = 12

  def eval(self, s):
    return hash(s) * self.factor


settings = EnvironmentSettings.in_batch_mode()
table_env = TableEnvironment.create(settings)
my_table = table_env.from_elements([('a', 1), ('b', 22), ('c', 333)], ['string', 'bigint'])
table_env.create_temporary_view('MyTable', my_table)

hash_code = udf(HashCode(), result_type=DataTypes.BIGINT())

# use the Python function in Python Table API
print(my_table.select(my_table.string, my_table.bigint, hash_code(my_table.bigint),
                      call(hash_code, my_table.bigint)).to_pandas())

# use the Python function in SQL API
# (quoted: PyFlink 2.2's SQL parser rejects the page's bare column names, STRING and BIGINT are keywords)
table_env.create_temporary_function("hash_code", udf(HashCode(), result_type=DataTypes.BIGINT()))
print(table_env.sql_query("SELECT `string`, `bigint`, hash_code(`bigint`) FROM MyTable").to_pandas())
