# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/datastream/operators/windows/#session-windows
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from typing import Iterable, Tuple

from pyflink.common import WatermarkStrategy
from pyflink.common.time import Time
from pyflink.common.typeinfo import Types
from pyflink.common.watermark_strategy import TimestampAssigner
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.datastream.window import EventTimeSessionWindows


class ElementTimestamp(TimestampAssigner):
    # completion: the inline input's event time, in seconds, is its value
    def extract_timestamp(self, value, record_timestamp):
        return value[1] * 1000


env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
input = env.from_collection(
    [("a", 1), ("b", 2), ("a", 3), ("a", 6), ("b", 7), ("b", 12)],
    type_info=Types.TUPLE([Types.STRING(), Types.LONG()])) \
    .assign_timestamps_and_watermarks(
        WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(ElementTimestamp()))

# event-time session windows with static gap
input.key_by(lambda x: x[0]) \
    .window(EventTimeSessionWindows.with_gap(Time.seconds(3))) \
    .reduce(lambda v1, v2: (v1[0], v1[1] + v2[1])) \
    .print()
env.execute()
