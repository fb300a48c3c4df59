# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/table/udfs/python_udfs/#table-functions
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.udf import TableFunction, udtf


class Split(TableFunction):
    def eval(self, string):
        for s in string.split(" "):
            yield s, len(s)


env_settings = EnvironmentSettings.in_streaming_mode()
table_env = TableEnvironment.create(env_settings)
table_env.get_config().set("parallelism.default", "1")
my_table = table_env.from_elements([('hello world',), ('flink',)], ['a'])  # type: Table, table schema: [a: String]
table_env.create_temporary_view('MyTable', my_table)

# register the Python Table Function
split = udtf(Split(), result_types=[DataTypes.STRING(), DataTypes.INT()])

# use the Python Table Function in Python Table API
print(my_table.join_lateral(split(my_table.a).alias("word", "length")).to_pandas())
print(my_table.left_outer_join_lateral(split(my_table.a).alias("word", "length")).to_pandas())

# use the Python Table function in SQL API
# (registered as 'my_split': PyFlink 2.2 has a built-in SPLIT that the page's name 'split'
# resolves to in SQL, "Function 'split' cannot be used as a table function")
table_env.create_temporary_function("my_split", udtf(Split(), result_types=[DataTypes.STRING(), DataTypes.INT()]))
print(table_env.sql_query("SELECT a, word, length FROM MyTable, LATERAL TABLE(my_split(a)) as T(word, length)")
      .to_pandas())
print(table_env.sql_query(
    "SELECT a, word, length FROM MyTable LEFT JOIN LATERAL TABLE(my_split(a)) as T(word, length) ON TRUE")
    .to_pandas())
