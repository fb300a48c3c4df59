# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/datastream/intro_to_datastream_api/#common-structure-of-python-datastream-api-programs
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
# The sample writes to a FileSink under /opt/output/ (part files named by a random UUID);
# here it collects the results and prints them (its print() sink fails on real PyFlink: the
# map returns tuples for a ROW output type), at parallelism 1 so the order is fixed.
from pyflink.common import WatermarkStrategy, Row
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.datastream.connectors import NumberSequenceSource
from pyflink.datastream.functions import RuntimeContext, MapFunction
from pyflink.datastream.state import ValueStateDescriptor


class MyMapFunction(MapFunction):

    def open(self, runtime_context: RuntimeContext):
        state_desc = ValueStateDescriptor('cnt', Types.PICKLED_BYTE_ARRAY())
        self.cnt_state = runtime_context.get_state(state_desc)

    def map(self, value):
        cnt = self.cnt_state.value()
        if cnt is None or cnt < 2:
            self.cnt_state.update(1 if cnt is None else cnt + 1)
            return value[0], value[1] + 1
        else:
            return value[0], value[1]


def state_access_demo():
    # 1. create a StreamExecutionEnvironment
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)

    # 2. create source DataStream
    seq_num_source = NumberSequenceSource(1, 20)
    ds = env.from_source(
        source=seq_num_source,
        watermark_strategy=WatermarkStrategy.for_monotonous_timestamps(),
        source_name='seq_num_source',
        type_info=Types.LONG())

    # 3. define the execution logic
    ds = ds.map(lambda a: Row(a % 4, 1), output_type=Types.ROW([Types.LONG(), Types.LONG()])) \
           .key_by(lambda a: a[0]) \
           .map(MyMapFunction(), output_type=Types.ROW([Types.LONG(), Types.LONG()]))

    # 4. create sink and emit result to sink
    # 5. execute the job
    with ds.execute_and_collect('state_access_demo') as results:
        for result in results:
            print(result)


if __name__ == '__main__':
    state_access_demo()
