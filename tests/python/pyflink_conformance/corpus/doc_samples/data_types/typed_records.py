# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/python/datastream/data_types/#passing-python-records-to-java-operations
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
# The sample writes through StreamingFileSink (gone from PyFlink 2.x); here the typed
# records are collected to the client (its print() sink fails on real PyFlink 2.2: the map
# returns tuples for a ROW output type).
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment


def streaming_file_sink():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    records = env.from_collection(collection=[(1, 'aaa'), (2, 'bbb')]) \
        .map(lambda record: (record[0]+1, record[1].upper()),
             output_type=Types.ROW([Types.INT(), Types.STRING()])) \
        .execute_and_collect()
    for record in records:
        print(record)


if __name__ == '__main__':
    streaming_file_sink()
