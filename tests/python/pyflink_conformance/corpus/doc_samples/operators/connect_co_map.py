# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/datastream/operators/overview/#connect
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.datastream.functions import CoMapFunction, CoFlatMapFunction

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
stream_1 = env.from_collection(collection=[(1, 'a'), (2, 'b')],
                               type_info=Types.TUPLE([Types.INT(), Types.STRING()]))
stream_2 = env.from_collection(collection=[(3, 'c')], type_info=Types.TUPLE([Types.INT(), Types.STRING()]))
connected_streams = stream_1.connect(stream_2)


class MyCoMapFunction(CoMapFunction):

    def map1(self, value):
        return value[0] + 1, value[1]

    def map2(self, value):
        return value[0], value[1] + 'flink'


class MyCoFlatMapFunction(CoFlatMapFunction):

    def flat_map1(self, value):
        for i in range(value[0]):
            yield i

    def flat_map2(self, value):
        yield value[0] + 1


connected_streams.map(MyCoMapFunction()).print()
connected_streams.flat_map(MyCoFlatMapFunction()).print()
env.execute()
