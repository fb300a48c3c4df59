# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/datastream/operators/overview/#task-chaining-and-resource-groups
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
some_stream = env.from_collection(collection=[1, 2, 3, 4], type_info=Types.INT())
some_stream.filter(lambda x: x % 2 == 0).map(lambda x: x * 10, output_type=Types.INT()) \
    .start_new_chain().map(lambda x: x + 1, output_type=Types.INT()) \
    .disable_chaining() \
    .print()
# (the page's .slot_sharing_group("name") is left out: PyFlink's local cluster has no slot
# for a second group and fails with NoResourceAvailableException)
env.execute()
