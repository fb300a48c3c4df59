# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/datastream/operators/overview/#custom-partitioning
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(2)
partition = 2
data_stream = env.from_collection(collection=[(1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')],
                                  type_info=Types.TUPLE([Types.INT(), Types.STRING()]))
data_stream = data_stream.partition_custom(lambda key, num_partition: key % partition, lambda x: x[0])
data_stream.map(lambda x: x, output_type=Types.TUPLE([Types.INT(), Types.STRING()])).print()
env.execute()
