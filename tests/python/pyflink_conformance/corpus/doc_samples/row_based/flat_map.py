# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/table/operations/row_based_operations/#flatmap
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.common import Row
from pyflink.table.udf import udtf
from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment

env_settings = EnvironmentSettings.in_streaming_mode()
table_env = TableEnvironment.create(env_settings)
table_env.get_config().set("parallelism.default", "1")

table = table_env.from_elements([(1, 'Hi,Flink'), (2, 'Hello')], ['id', 'data'])


@udtf(result_types=[DataTypes.INT(), DataTypes.STRING()])
def split(x: Row) -> Row:
    for s in x[1].split(","):
        yield x[0], s


# use split in `flat_map`
print(table.flat_map(split).to_pandas())
# result is
#    f0       f1
# 0   1       Hi
# 1   1    Flink
# 2   2    Hello
