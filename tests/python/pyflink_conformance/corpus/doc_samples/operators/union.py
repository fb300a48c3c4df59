# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/datastream/operators/overview/#union
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
data_stream = env.from_collection(collection=[1, 2], type_info=Types.INT())
other_stream_1 = env.from_collection(collection=[3, 4], type_info=Types.INT())
other_stream_2 = env.from_collection(collection=[5], type_info=Types.INT())
data_stream.union(other_stream_1, other_stream_2).print()
env.execute()
