# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/datastream/operators/overview/#implementing-function-interfaces
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.datastream.functions import MapFunction

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)


# Implementing MapFunction
class MyMapFunction(MapFunction):

    def map(self, value):
        return value + 1


data_stream = env.from_collection([1, 2, 3, 4, 5], type_info=Types.INT())
mapped_stream = data_stream.map(MyMapFunction(), output_type=Types.INT())

mapped_stream.print()
env.execute()
