# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/datastream/state/#state-time-to-live-ttl
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
# The sample's descriptor is used by a keyed map function that keeps the last text per key.
from pyflink.common.time import Time
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment, MapFunction, RuntimeContext
from pyflink.datastream.state import ValueStateDescriptor, StateTtlConfig

ttl_config = StateTtlConfig \
  .new_builder(Time.seconds(1)) \
  .set_update_type(StateTtlConfig.UpdateType.OnCreateAndWrite) \
  .set_state_visibility(StateTtlConfig.StateVisibility.NeverReturnExpired) \
  .build()

state_descriptor = ValueStateDescriptor("text state", Types.STRING())
state_descriptor.enable_time_to_live(ttl_config)


class LastText(MapFunction):

    def open(self, runtime_context: RuntimeContext):
        self.text = runtime_context.get_state(state_descriptor)

    def map(self, value):
        previous = self.text.value()
        self.text.update(value[1])
        return value[0], str(previous), value[1]


env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
env.from_collection([(1, 'hello'), (2, 'hi'), (1, 'world')],
                    type_info=Types.TUPLE([Types.INT(), Types.STRING()])) \
    .key_by(lambda row: row[0]) \
    .map(LastText(), output_type=Types.TUPLE([Types.INT(), Types.STRING(), Types.STRING()])) \
    .print()
env.execute()
