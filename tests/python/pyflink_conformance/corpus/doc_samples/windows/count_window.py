# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/datastream/operators/windows/#count-windows
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
input = env.from_collection([("a", 1), ("b", 2), ("a", 3), ("a", 4), ("b", 5), ("a", 6)],
                            type_info=Types.TUPLE([Types.STRING(), Types.LONG()]))

input.key_by(lambda x: x[0]) \
    .count_window(2) \
    .reduce(lambda v1, v2: (v1[0], v1[1] + v2[1])) \
    .print()
env.execute()
