# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/datastream/intro_to_datastream_api/#conversion-between-datastream-and-table
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.table import StreamTableEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
t_env = StreamTableEnvironment.create(stream_execution_environment=env)
ds = env.from_collection([(1, 'a', 'x'), (2, 'b', 'y')],
                         type_info=Types.ROW([Types.INT(), Types.STRING(), Types.STRING()]))

# convert a DataStream to a Table
table = t_env.from_data_stream(ds)

# convert a Table to a DataStream
ds = t_env.to_append_stream(table, Types.ROW([Types.INT(), Types.STRING(), Types.STRING()]))
ds.print()
# or
ds = t_env.to_retract_stream(table, Types.ROW([Types.INT(), Types.STRING(), Types.STRING()]))
ds.print()
env.execute()
