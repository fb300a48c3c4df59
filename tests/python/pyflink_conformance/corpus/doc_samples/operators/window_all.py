# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/datastream/operators/overview/#windowall
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.common import WatermarkStrategy
from pyflink.common.time import Time
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream.window import TumblingEventTimeWindows


class SecondFieldTimestamp(TimestampAssigner):
    # completion: event time (milliseconds) from the second field of the inline input
    def extract_timestamp(self, value, record_timestamp):
        return value[1]


env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
data_stream = env.from_collection(collection=[(1, 1000), (2, 3000), (3, 6000), (4, 11000)],
                                  type_info=Types.TUPLE([Types.INT(), Types.LONG()])) \
    .assign_timestamps_and_watermarks(
        WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(SecondFieldTimestamp()))
data_stream.window_all(TumblingEventTimeWindows.of(Time.seconds(5))) \
    .reduce(lambda a, b: (a[0] + b[0], b[1])) \
    .print()
env.execute()
