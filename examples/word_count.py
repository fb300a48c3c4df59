"""Word count, written as a PyFlink program: run it with `fluvial run examples/word_count.py`.

Counts the words of --input (a text file or a directory of them), or of a
built-in text when none is given, and prints "(word,count)" per word, or
writes the counts as part files under --output.
"""

import argparse
import sys

from pyflink.common import Encoder, Types, WatermarkStrategy
from pyflink.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
from pyflink.datastream.connectors.file_system import (
    FileSink,
    FileSource,
    OutputFileConfig,
    RollingPolicy,
    StreamFormat,
)

WORD_COUNT_DATA = [
    "To be, or not to be,--that is the question:--",
    "Whether 'tis nobler in the mind to suffer",
    "The slings and arrows of outrageous fortune",
    "Or to take arms against a sea of troubles,",
    "And by opposing end them?--To die,--to sleep,--",
    "No more; and by a sleep to say we end",
    "The heartache, and the thousand natural shocks",
    "That flesh is heir to,--'tis a consummation",
    "Devoutly to be wish'd. To die,--to sleep;--",
]


def split(line: str):
    yield from line.split()


# --8<-- [start:job]
def word_count(input_path, output_path):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_runtime_mode(RuntimeExecutionMode.BATCH)
    env.set_parallelism(1)

    if input_path is not None:
        source = FileSource.for_record_stream_format(
            StreamFormat.text_line_format(), input_path).process_static_file_set().build()
        ds = env.from_source(source, WatermarkStrategy.for_monotonous_timestamps(), "file_source")
    else:
        ds = env.from_collection(WORD_COUNT_DATA)

    ds = ds.flat_map(split) \
        .map(lambda word: (word, 1), output_type=Types.TUPLE([Types.STRING(), Types.INT()])) \
        .key_by(lambda pair: pair[0]) \
        .reduce(lambda a, b: (a[0], a[1] + b[1]))

    if output_path is not None:
        ds.sink_to(
            FileSink.for_row_format(output_path, Encoder.simple_string_encoder())
            .with_output_file_config(
                OutputFileConfig.builder().with_part_prefix("prefix").with_part_suffix(".ext").build())
            .with_rolling_policy(RollingPolicy.default_rolling_policy())
            .build())
    else:
        ds.print()

    env.execute("word_count")
# --8<-- [end:job]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", dest="input", required=False, help="Input file or directory.")
    parser.add_argument("--output", dest="output", required=False, help="Output directory.")
    known_args, _ = parser.parse_known_args(sys.argv[1:])
    word_count(known_args.input, known_args.output)
