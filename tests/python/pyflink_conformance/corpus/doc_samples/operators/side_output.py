# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/datastream/side_output/
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment, OutputTag
from pyflink.datastream.functions import ProcessFunction

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
input = env.from_collection(collection=[1, 2, 3], type_info=Types.INT())

output_tag = OutputTag("side-output", Types.STRING())


class MyProcessFunction(ProcessFunction):

    def process_element(self, value: int, ctx: ProcessFunction.Context):
        # emit data to regular output
        yield value

        # emit data to side output
        yield output_tag, "sideout-" + str(value)


main_data_stream = input \
    .process(MyProcessFunction(), Types.INT())

side_output_stream = main_data_stream.get_side_output(output_tag)
main_data_stream.print()
side_output_stream.print()
env.execute()
