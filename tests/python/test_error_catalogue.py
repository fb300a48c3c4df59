"""The error catalogue: every user-facing error, triggered the way a user meets it, with
its message checked for three things: the cause, where it happened (the operator, the
file and line, the argument or option) and what to do about it.

Each row of CATALOGUE is a small program that fails. The test runs it as a user's
``job.py`` (in an empty directory) and checks the exception it raises: its class, its
message against the row's template (``<...>`` stands for any text), and the row's cause,
where and what-to-do fragments one by one, so a failure says which of the three the
message lost. docs/errors.md is generated from the same rows, so the page and the
messages cannot drift: after changing a row or a message, regenerate it with

    PYTHONPATH=python .venv/bin/python tests/python/test_error_catalogue.py > docs/errors.md

(test_docs.py also runs each program of the page and checks that it fails with the
class named.)

Rows still to add, each when its feature lands (same shape: a program, a template, the
three fragments):

- Missing or misspelled connector option of the Kafka, Redis and JDBC connectors (the SQL
  ``WITH`` options have their row): names the option, the connector, and the option it is
  closest to.
"""

import os
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

from fluvial import _pyflink_alias

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "errors.md"


@dataclass(frozen=True)
class Entry:
    key: str          # the anchor of the row's section in docs/errors.md
    title: str        # what went wrong, in the user's words
    raises: str       # the exception class the program sees
    code: str         # a program that triggers the error
    message: str      # the message; <...> stands for any text (paths, values)
    cause: str        # the message names the cause ...
    where: str        # ... where it happened ...
    what_to_do: str   # ... and what to do
    fix: str          # for the docs page: what to do, in full
    meaning: str      # for the docs page: what the error means
    cause_class: str = ""  # the class of __cause__, when the raised error wraps another


CATALOGUE = [
    Entry(
        key="missing-file",
        title="A FileSource path does not exist",
        raises="JobExecutionError",
        cause_class="ConnectorError",
        code='''\
from fluvial.common import WatermarkStrategy
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors import FileSource, StreamFormat

env = StreamExecutionEnvironment.get_execution_environment()
source = FileSource.for_record_stream_format(StreamFormat.text_line_format(), "input/clicks.txt").build()
env.from_source(source, WatermarkStrategy.no_watermarks(), "clicks").print()
env.execute()
''',
        message="operator 'clicks' (subtask 1/1) failed: FileSource: no such file or directory: "
                "'input/clicks.txt' (relative to the working directory '<cwd>'); check the path, "
                "or create it before the job starts",
        cause="no such file or directory: 'input/clicks.txt'",
        where="operator 'clicks'",
        what_to_do="check the path, or create it before the job starts",
        fix='Fix the path, or start the job from the directory it is relative to; for a directory '
            'that fills later, create it first and read it with `monitor_continuously()`.',
        meaning="A path given to the FileSource does not exist when the job starts. Relative "
                "paths are relative to the working directory of the process, which the message "
                "shows.",
    ),
    Entry(
        key="bad-record",
        title="A record does not fit the format's schema",
        raises="JobExecutionError",
        cause_class="ConnectorError",
        code='''\
from fluvial.common import Types, WatermarkStrategy
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors import FileSource
from fluvial.datastream.formats.csv import CsvReaderFormat, CsvSchema

with open("prices.csv", "w") as file:
    file.write("apple,1.5\\npear,abc\\n")
schema = CsvSchema.builder().add_string_column("name") \\
    .add_number_column("price", number_type=Types.DOUBLE()).build()
source = FileSource.for_record_stream_format(CsvReaderFormat.for_schema(schema), "prices.csv").build()
env = StreamExecutionEnvironment.get_execution_environment()
env.from_source(source, WatermarkStrategy.no_watermarks(), "prices").print()
env.execute()
''',
        message="operator 'prices' (subtask 1/1) failed: FileSource: line 2 of 'prices.csv', field "
                "'price': expected DOUBLE, got 'abc'; fix the record or the schema, or skip bad "
                "records with with_ignore_parse_errors() (they are counted in numRecordsInErrors)",
        cause="field 'price': expected DOUBLE, got 'abc'",
        where="line 2 of 'prices.csv'",
        what_to_do="skip bad records with with_ignore_parse_errors()",
        fix="Fix the record or the schema; or skip bad records with the format's "
            '`with_ignore_parse_errors()`: they are counted in `numRecordsInErrors` '
            '(`result.get_accumulator_result("numRecordsInErrors")`) and the first one is logged. See'
            ' [Connectors and formats](connectors.md#bad-records).',
        meaning="A record read by a format (CSV, JSON lines, Avro, Parquet, ORC) does not fit the "
                "declared schema. The message names the file, the line (CSV, JSON) or the "
                "record/row number (Avro, Parquet, ORC, from 1), the field, what was expected and "
                "what was found.",
    ),
    Entry(
        key="file-changed-since-checkpoint",
        title="A file the FileSource was reading changed before the job resumed",
        raises="JobExecutionError",
        cause_class="ConnectorError",
        code='''\
import time

from fluvial.common import Configuration, WatermarkStrategy
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors import FileSource, StreamFormat

with open("clicks.txt", "w") as file:
    file.write("".join(f"click {i}\\n" for i in range(20000)))


def run(configuration):
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.enable_checkpointing(20)
    source = FileSource.for_record_stream_format(StreamFormat.text_line_format(), "clicks.txt").build()
    env.from_source(source, WatermarkStrategy.no_watermarks(), "clicks").uid("clicks") \\
        .map(lambda line: time.sleep(0.0002) or line).uid("slow").filter(lambda line: False).print()
    return env.execute_async("clicks")


client = run(Configuration())
time.sleep(0.3)
savepoint = client.stop_with_savepoint(savepoint_directory="savepoints").result()
with open("clicks.txt", "w") as file:  # rewritten, shorter
    file.write("click 0\\n")
configuration = Configuration()
configuration.set_string("execution.savepoint.path", savepoint)
run(configuration).get_job_execution_result().result()
''',
        message="operator 'clicks' (subtask 1/1) failed: FileSource: cannot resume 'clicks.txt' from a "
                "checkpoint: it has 8 bytes, <path> when checkpointed (read up to record <path>); files "
                "must not change once written: write a new file (under a hidden name, then rename it)",
        cause="it has 8 bytes, ",
        where="cannot resume 'clicks.txt' from a checkpoint",
        what_to_do="write a new file (under a hidden name, then rename it)",
        fix="Do not rewrite or truncate input files: add new files instead, written under a hidden "
            "name (`.name` or `_name`, which the FileSource skips) and renamed when complete. To "
            "read changed input from the start, run the job without the checkpoint or savepoint. See "
            "[Connectors and formats](connectors.md#filesource-checkpoints).",
        meaning="The job resumed from a checkpoint or savepoint in which the FileSource was in the "
                "middle of a file, and that file is now shorter than it was then (or gone, or, for "
                "Avro, holds fewer records than were read): the checkpointed position no longer "
                "exists, and resuming would silently lose or repeat records.",
    ),
    Entry(
        key="user-function",
        title="Your function raised",
        raises="UserFunctionError",
        cause_class="ZeroDivisionError",
        code='''\
from fluvial.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
ratios = env.from_collection([4, 2, 0]).map(lambda x: 8 / x).name("ratio")
ratios.print()
env.execute()
''',
        message="the user function in operator 'ratio' (subtask 1/1) raised ZeroDivisionError: "
                "division by zero (at <dir>job.py, line 4, in <lambda>; the traceback above shows "
                "the rest); fix the function, or catch the bad input in it and send it to a side "
                "output",
        cause="raised ZeroDivisionError: division by zero",
        where="job.py, line 4, in <lambda>",
        what_to_do="fix the function, or catch the bad input in it and send it to a side output",
        fix="Read your exception's traceback (printed above the error) and fix the function; for bad "
            'input, catch it in the function and send it to a [side output](tutorials/train-test-'
            'split.md) instead of raising.',
        meaning="A function you passed to an operator raised while the job ran. The message names "
                "the operator (name operators with `.name(...)` to find them), the subtask, and "
                "the line of your code the engine called; your exception, with its own traceback, "
                "is the `__cause__` and is printed above.",
    ),
    Entry(
        key="user-function-open",
        title="Your function's open() raised",
        raises="UserFunctionError",
        cause_class="FileNotFoundError",
        code='''\
import pickle

from fluvial.datastream import MapFunction, StreamExecutionEnvironment

class Predict(MapFunction):
    def open(self, runtime_context):
        with open("model.pkl", "rb") as file:
            self.model = pickle.load(file)

    def map(self, features):
        return self.model.predict([features])[0]

env = StreamExecutionEnvironment.get_execution_environment()
env.from_collection([[0.1, 0.2]]).map(Predict()).name("predict").print()
env.execute()
''',
        message="the user function in operator 'predict' (subtask 1/1) raised FileNotFoundError: "
                "[Errno 2] No such file or directory: 'model.pkl' (at <dir>job.py, line 7, in open; "
                "the traceback above shows the rest); fix open(), which runs once per parallel "
                "instance before the first record",
        cause="raised FileNotFoundError: [Errno 2] No such file or directory: 'model.pkl'",
        where="job.py, line 7, in open",
        what_to_do="fix open()",
        fix="`open()` runs once per parallel instance before the first record: load models and "
            "open clients there, with paths that exist where the job runs (relative paths are "
            "relative to the working directory).",
        meaning="The same error as above, raised in `open()`: the line named is in `open`. The job "
                "fails before any record is processed.",
    ),
    Entry(
        key="output-type",
        title="A function returned a value that does not fit its output_type",
        raises="JobExecutionError",
        cause_class="OutputTypeError",
        code='''\
from fluvial.common import Types
from fluvial.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.from_collection([1, 2]).map(lambda x: str(x), output_type=Types.INT()).name("to text").print()
env.execute()
''',
        message="operator 'to text' (subtask 1/1) failed: the function of operator 'to text' "
                "returned a value that does not fit its output_type INT: expected INT (a Python int "
                "in [-2147483648, 2147483647]), got str '1'; return a value of that type, or "
                "declare the output_type the function returns",
        cause="expected INT (a Python int in [-2147483648, 2147483647]), got str '1'",
        where="operator 'to text'",
        what_to_do="return a value of that type, or declare the output_type the function returns",
        fix='Return a value of the declared type, or declare the type the function returns '
            '(`Types.STRING()` here).',
        meaning="The function declared an `output_type` and returned something else. Without "
                "`output_type` nothing is checked.",
    ),
    Entry(
        key="state-not-keyed",
        title="Keyed state used on a stream that is not keyed",
        raises="JobExecutionError",
        cause_class="InvalidJobError",
        code='''\
from fluvial.common import Types
from fluvial.datastream import MapFunction, StreamExecutionEnvironment
from fluvial.datastream.state import ValueStateDescriptor

class LastSeen(MapFunction):
    def open(self, runtime_context):
        self.last = runtime_context.get_state(ValueStateDescriptor("last", Types.STRING()))

    def map(self, value):
        return value

env = StreamExecutionEnvironment.get_execution_environment()
env.from_collection(["a", "b"]).map(LastSeen()).name("last seen").print()
env.execute()
''',
        message="operator 'last seen' (subtask 1/1) failed: keyed state needs a keyed stream: call "
                "key_by() first (get_state() in operator 'last seen', which is not keyed)",
        cause="keyed state needs a keyed stream",
        where="get_state() in operator 'last seen'",
        what_to_do="call key_by() first",
        fix='Call `key_by(...)` before the operator, and use the keyed function '
            '(`KeyedProcessFunction`, or a `MapFunction` on the `KeyedStream`).',
        meaning="`get_state()`, `get_list_state()`, ... give one value per key, so they need the "
                "function to run on a `KeyedStream`.",
    ),
    Entry(
        key="timers-not-keyed",
        title="Timers in a ProcessFunction on a stream that is not keyed",
        raises="JobExecutionError",
        cause_class="InvalidJobError",
        code='''\
from fluvial.datastream import ProcessFunction, StreamExecutionEnvironment

class Remind(ProcessFunction):
    def process_element(self, value, ctx):
        ctx.timer_service().register_processing_time_timer(1000)
        yield value

env = StreamExecutionEnvironment.get_execution_environment()
env.from_collection([1]).process(Remind()).name("remind").print()
env.execute()
''',
        message="operator 'remind' (subtask 1/1) failed: timers need a keyed stream: use "
                "stream.key_by(...).process(KeyedProcessFunction) instead of a ProcessFunction on a "
                "stream that is not keyed",
        cause="timers need a keyed stream",
        where="operator 'remind'",
        what_to_do="use stream.key_by(...).process(KeyedProcessFunction)",
        fix='Use `stream.key_by(...).process(KeyedProcessFunction)`.',
        meaning="Timers fire per key, so registering one needs a `KeyedProcessFunction` on a "
                "`KeyedStream`.",
    ),
    Entry(
        key="keyed-function-not-keyed",
        title="A KeyedProcessFunction on a stream that is not keyed",
        raises="TypeError",
        code='''\
from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment

class Count(KeyedProcessFunction):
    def process_element(self, value, ctx):
        yield value

env = StreamExecutionEnvironment.get_execution_environment()
env.from_collection([1]).process(Count())
''',
        message="process() expects a ProcessFunction, got Count: call key_by() first, keyed "
                "functions need a keyed stream",
        cause="expects a ProcessFunction, got Count",
        where="process()",
        what_to_do="call key_by() first",
        fix='Call `key_by(...)` before `process()`.',
        meaning="Raised where the job is defined (the traceback points at the line): a keyed "
                "function was given to a stream that is not keyed.",
    ),
    Entry(
        key="timestamp-assigner",
        title="with_timestamp_assigner() given a plain function",
        raises="TypeError",
        code='''\
from fluvial.common import WatermarkStrategy

WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(lambda event, ts: event[1])
''',
        message="with_timestamp_assigner() expects a TimestampAssigner, got function: subclass "
                "TimestampAssigner and implement extract_timestamp(value, record_timestamp)",
        cause="expects a TimestampAssigner, got function",
        where="with_timestamp_assigner()",
        what_to_do="subclass TimestampAssigner and implement extract_timestamp(value, record_timestamp)",
        fix='Subclass `TimestampAssigner` and implement `extract_timestamp(value, record_timestamp)`.',
        meaning="As in PyFlink, the timestamp assigner is a `TimestampAssigner` object, not a "
                "lambda.",
    ),
    Entry(
        key="timestamp-type",
        title="A TimestampAssigner that returns something else than epoch milliseconds",
        raises="JobExecutionError",
        code='''\
from fluvial.common import TimestampAssigner, WatermarkStrategy
from fluvial.datastream import StreamExecutionEnvironment

class EventTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value["time"]  # an ISO string, not epoch milliseconds

strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(EventTime())
env = StreamExecutionEnvironment.get_execution_environment()
events = env.from_collection([{"user": "alice", "time": "2024-01-31T12:00:00"}])
events.assign_timestamps_and_watermarks(strategy).print()
env.execute()
''',
        message="operator 'Timestamps/Watermarks' (subtask 1/1) failed: the TimestampAssigner must "
                "return an int (epoch milliseconds), got str",
        cause="got str",
        where="operator 'Timestamps/Watermarks'",
        what_to_do="must return an int (epoch milliseconds)",
        fix="Return the event time as an int of epoch milliseconds, e.g. "
            "`int(datetime.fromisoformat(value[\"time\"]).timestamp() * 1000)`.",
        meaning="Event time in Flink and Fluvial is a number of milliseconds since the epoch.",
    ),
    Entry(
        key="watermark-duration",
        title="A watermark delay given as a number",
        raises="TypeError",
        code='''\
from fluvial.common import WatermarkStrategy

WatermarkStrategy.for_bounded_out_of_orderness(5000)
''',
        message="max_out_of_orderness must be a Duration, such as Duration.of_seconds(5), got 5000",
        cause="must be a Duration",
        where="max_out_of_orderness",
        what_to_do="such as Duration.of_seconds(5)",
        fix='Pass a `Duration`: `Duration.of_seconds(5)`, `Duration.of_millis(500)`.',
        meaning="Time amounts are `Duration`s (or `Time`s for window sizes), never bare numbers, "
                "so the unit is always explicit.",
    ),
    Entry(
        key="window-size",
        title="A window size given as a number",
        raises="TypeError",
        code='''\
from fluvial.datastream.window import TumblingEventTimeWindows

TumblingEventTimeWindows.of(5000)
''',
        message="size must be a Time or a Duration, such as Time.seconds(5), got int 5000",
        cause="must be a Time or a Duration",
        where="size",
        what_to_do="such as Time.seconds(5)",
        fix='Pass a `Time` or a `Duration`: `Time.seconds(5)`, `Duration.of_minutes(1)`.',
        meaning="Window sizes, slides, offsets and session gaps are `Time` or `Duration` values.",
    ),
    Entry(
        key="event-time-without-timestamps",
        title="An event-time window on records without timestamps",
        raises="JobExecutionError",
        code='''\
from fluvial.common import Time
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.window import TumblingEventTimeWindows

env = StreamExecutionEnvironment.get_execution_environment()
env.from_collection([("a", 1)]).key_by(lambda e: e[0]) \\
    .window(TumblingEventTimeWindows.of(Time.seconds(1))).reduce(lambda a, b: a).print()
env.execute()
''',
        message="operator 'Window(TumblingEventTimeWindows(1000, 0), EventTimeTrigger(), <lambda>)' "
                "(subtask 1/1) failed: TumblingEventTimeWindows(1000, 0) assigns windows by event "
                "time, but an element has no timestamp: give the source a WatermarkStrategy with a "
                "timestamp assigner, or call assign_timestamps_and_watermarks() before the window "
                "(element: ('a', 1))",
        cause="an element has no timestamp",
        where="operator 'Window(TumblingEventTimeWindows(1000, 0)",
        what_to_do="call assign_timestamps_and_watermarks() before the window",
        fix='Call `assign_timestamps_and_watermarks(strategy)` before the window, or give the source '
            'a strategy with a timestamp assigner; for windows by arrival time use the processing-'
            'time assigners.',
        meaning="Event-time windows need each record's event time, which a `WatermarkStrategy` "
                "with a `TimestampAssigner` gives.",
    ),
    Entry(
        key="misspelled-option",
        title="A misspelled configuration option",
        raises="InvalidJobError",
        code='''\
from fluvial.common import Configuration
from fluvial.datastream import StreamExecutionEnvironment

config = Configuration()
config.set_string("parallelism.defualt", "4")
env = StreamExecutionEnvironment.get_execution_environment(config)
''',
        message="unknown configuration option 'parallelism.defualt' (value '4'): did you mean "
                "'parallelism.default'? Fluvial would ignore 'parallelism.defualt'; fix the name",
        cause="unknown configuration option 'parallelism.defualt'",
        where="'parallelism.defualt'",
        what_to_do="did you mean 'parallelism.default'?",
        fix='Fix the name to the one the message suggests.',
        meaning="A key of the `Configuration` is a near miss of an option Fluvial reads. Other "
                "unknown keys are accepted and ignored, as in Flink.",
    ),
    Entry(
        key="option-value",
        title="A configuration option with a value Fluvial cannot use",
        raises="InvalidJobError",
        code='''\
from fluvial.common import Configuration
from fluvial.datastream import StreamExecutionEnvironment

config = Configuration()
config.set_string("execution.runtime-mode", "realtime")
env = StreamExecutionEnvironment.get_execution_environment(config)
''',
        message="configuration option 'execution.runtime-mode' must be STREAMING or BATCH or "
                "AUTOMATIC, got 'realtime'",
        cause="got 'realtime'",
        where="configuration option 'execution.runtime-mode'",
        what_to_do="must be STREAMING or BATCH or AUTOMATIC",
        fix='Use one of the values the message lists.',
        meaning="An option Fluvial reads has a value it cannot use.",
    ),
    Entry(
        key="from-collection-type",
        title="A collection element that does not fit its type_info",
        raises="TypeError",
        code='''\
from fluvial.common import Types
from fluvial.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.from_collection([1, "2", 3], type_info=Types.INT())
''',
        message="from_collection(): element 1 does not fit type_info INT: expected INT (a Python "
                "int in [-2147483648, 2147483647]), got str '2'; fix the element or the type_info",
        cause="expected INT (a Python int in [-2147483648, 2147483647]), got str '2'",
        where="from_collection(): element 1",
        what_to_do="fix the element or the type_info",
        fix='Fix the element, or declare the type the elements have.',
        meaning="`from_collection(..., type_info=...)` checks every element against the type "
                "before the job runs.",
    ),
    Entry(
        key="forward-parallelism",
        title="forward() between operators of different parallelism",
        raises="InvalidJobError",
        code='''\
from fluvial.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.from_collection([1, 2, 3]).map(lambda x: x).name("parse").set_parallelism(2) \\
    .forward().map(lambda x: x + 1).name("score").set_parallelism(3).print()
env.execute()
''',
        message="forward partitioning needs equal parallelism on both sides, but operator 'parse' "
                "has parallelism 2 and operator 'score' has 3; use rebalance() or rescale() instead",
        cause="forward partitioning needs equal parallelism on both sides",
        where="operator 'parse' has parallelism 2 and operator 'score' has 3",
        what_to_do="use rebalance() or rescale() instead",
        fix='Give both operators the same parallelism, or use `rebalance()` or `rescale()` instead of'
            ' `forward()`.',
        meaning="`forward()` connects subtask i to subtask i, so both operators need the same "
                "parallelism. Raised by `execute()` before anything runs.",
    ),
    Entry(
        key="empty-job",
        title="execute() with nothing to run",
        raises="InvalidJobError",
        code='''\
from fluvial.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
other = StreamExecutionEnvironment.get_execution_environment()
other.from_collection([1, 2]).print()  # defined on another environment
env.execute()
''',
        message="no operators defined: add a source and a sink (print(), sink_to(), add_sink()) "
                "before calling execute()",
        cause="no operators defined",
        where="before calling execute()",
        what_to_do="add a source and a sink",
        fix="Build the job on the environment you execute, ending it in a sink: `print()`, "
            "`sink_to(...)` or `add_sink(...)`.",
        meaning="The environment `execute()` was called on has no operators: the job was "
                "defined on another environment, or not at all.",
    ),
    Entry(
        key="unsupported-feature",
        title="A PyFlink method or module Fluvial does not have yet",
        raises="UnsupportedFeatureError",
        code='''\
from fluvial.datastream import StreamExecutionEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.add_python_archive("venv.zip")
''',
        message="StreamExecutionEnvironment.add_python_archive() is not supported by Fluvial yet (see "
                "docs/pyflink-coverage.md)",
        cause="is not supported by Fluvial yet",
        where="StreamExecutionEnvironment.add_python_archive()",
        what_to_do="see docs/pyflink-coverage.md",
        fix='See [PyFlink API coverage](pyflink-coverage.md) for what Fluvial has and the '
            'alternatives.',
        meaning="The program uses a part of PyFlink's API that Fluvial lacks; the coverage page "
                "lists what exists and the alternatives. (What only a JVM needs, such as `add_jars`, "
                "is accepted with a warning: Fluvial's connectors are built in.)",
    ),
    Entry(
        key="table-checkpoint-unsupported",
        title="A checkpointed Table/SQL job with an operator that cannot snapshot",
        raises="UnsupportedFeatureError",
        code='''\
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.table import StreamTableEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.enable_checkpointing(1000)
t_env = StreamTableEnvironment.create(env)
t_env.execute_sql("CREATE TABLE a (k BIGINT, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) "
                  "WITH ('connector' = 'datagen', 'number-of-rows' = '10')")
t_env.execute_sql("CREATE TABLE out (k BIGINT, total BIGINT) WITH ('connector' = 'blackhole')")
t_env.execute_sql("INSERT INTO out SELECT k, v FROM a ORDER BY v LIMIT 3").wait()
''',
        message="checkpointing the Table/SQL operator 'SortLimit(v ASC, limit=3)' is not supported: its state "
                "(table_sort_limit) is not snapshotted yet; run the job "
                "without checkpointing (its state would be lost on recovery), or see docs/fault-tolerance.md for "
                "the operators and connectors that are checkpointed",
        cause="is not snapshotted yet",
        where="operator 'SortLimit(v ASC",
        what_to_do="run the job without checkpointing",
        fix="Run the job without checkpointing, or rewrite it with the operators that are checkpointed: "
            "see [Fault tolerance](fault-tolerance.md#table-api-and-sql).",
        meaning="Checkpointing is on, and the job has a Table/SQL operator or connector whose state is not "
                "in checkpoints yet (ORDER BY/LIMIT, Python aggregates in TUMBLE/HOP/CUMULATE windows, the "
                "collect sink behind `execute_sql(...).collect()`, Kafka tables). Rather than lose that "
                "state silently on recovery, the job is refused when it is submitted.",
    ),
    Entry(
        key="unsupported-module",
        title="A PyFlink module Fluvial does not have (under fluvial run)",
        raises="UnsupportedFeatureError",
        code='''\
from pyflink.datastream.connectors.kinesis import FlinkKinesisConsumer
''',
        message="pyflink.datastream.connectors.kinesis is not supported by Fluvial yet (see "
                "docs/pyflink-coverage.md)",
        cause="is not supported by Fluvial yet",
        where="pyflink.datastream.connectors.kinesis",
        what_to_do="see docs/pyflink-coverage.md",
        fix="See [PyFlink API coverage](pyflink-coverage.md); the import itself fails, so no "
            "part of the job has run.",
        meaning="A PyFlink program run with `fluvial run` imports a PyFlink module that Fluvial "
                "does not implement. (A name that is not a PyFlink module at all is a plain "
                "`ModuleNotFoundError`.)",
    ),
    Entry(
        key="sql-syntax",
        title="A SQL statement does not parse",
        raises="SqlParseError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.create_temporary_view("orders", t_env.from_elements([(1, 2.5)], ["order_id", "price"]))
t_env.execute_sql("SELECT order_id,\\n       price FROM orders WHERE (price > 1")
''',
        message="SQL parse error at line 2, column 41 near '<path>': Expecting ); check the "
                "statement's syntax there (Flink SQL)",
        cause="Expecting )",
        where="line 2, column 41",
        what_to_do="check the statement's syntax there",
        fix="Fix the statement at the line and column given; the text before the error is "
            "quoted. See [Table API and SQL](table.md) for the statements Fluvial runs.",
        meaning="The statement is not valid Flink SQL: the parser stopped at the position named.",
    ),
    Entry(
        key="sql-unknown-column",
        title="A SQL query names a column that does not exist",
        raises="SqlValidationError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.create_temporary_view("orders", t_env.from_elements([(1, 2.5)], ["order_id", "price"]))
t_env.execute_sql("SELECT order_id, prise FROM orders")
''',
        message="unknown column 'prise' at line 1, column 18; did you mean 'price'? (available: "
                "order_id, price)",
        cause="unknown column 'prise'",
        where="line 1, column 18",
        what_to_do="did you mean 'price'?",
        fix="Use one of the columns listed (the closest is suggested); `DESCRIBE table` shows a "
            "table's columns and types.",
        meaning="The query reads a column its input does not have.",
    ),
    Entry(
        key="sql-unknown-table",
        title="A SQL query names a table that is not registered",
        raises="PlanningError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.create_temporary_view("orders", t_env.from_elements([(1, 2.5)], ["order_id", "price"]))
t_env.execute_sql("SELECT * FROM order")
''',
        message="unknown table 'order'; did you mean 'orders'? (registered: orders)",
        cause="unknown table 'order'",
        where="registered: orders",
        what_to_do="did you mean 'orders'?",
        fix="Register the table first (`CREATE TABLE`, `create_temporary_view`) or use one of "
            "the names listed; `SHOW TABLES` lists them.",
        meaning="The statement reads a table or view the environment does not know.",
    ),
    Entry(
        key="sql-unknown-function",
        title="A SQL query calls a function that does not exist",
        raises="SqlValidationError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.create_temporary_view("orders", t_env.from_elements([(1, "apple")], ["order_id", "item"]))
t_env.execute_sql("SELECT UPPPER(item) FROM orders")
''',
        message="unknown function 'UPPPER' at line 1, column 8; did you mean 'upper'?",
        cause="unknown function 'UPPPER'",
        where="line 1, column 8",
        what_to_do="did you mean 'upper'?",
        fix="Use a built-in function (the closest name is suggested) or register your own with "
            "`create_temporary_function` / `CREATE TEMPORARY FUNCTION ... LANGUAGE PYTHON`.",
        meaning="The query calls a function that is neither built in nor registered.",
    ),
    Entry(
        key="sql-collection-argument",
        title="A collection function gets an argument of the wrong type",
        raises="PlanningError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.create_temporary_view("orders", t_env.from_elements([(1, 2.5)], ["order_id", "price"]))
t_env.execute_sql("SELECT CARDINALITY(order_id) FROM orders")
''',
        message="CARDINALITY expects an ARRAY or a MAP as argument 1, got BIGINT; see the collection functions "
                "in docs/table.md",
        cause="CARDINALITY expects an ARRAY or a MAP",
        where="argument 1, got BIGINT",
        what_to_do="see the collection functions in docs/table.md",
        fix="Pass a value of the type the function takes: build one with `ARRAY[...]` / `MAP[...]`, or "
            "check the order of the arguments (`ARRAY_CONTAINS(array, value)`).",
        meaning="A collection function (CARDINALITY, ELEMENT, ARRAY_*, MAP_*, UNNEST) was called on a value "
                "that is not an ARRAY or a MAP, or on an array of the wrong element type.",
    ),
    Entry(
        key="sql-date-pattern",
        title="DATE_FORMAT or TO_TIMESTAMP gets a date pattern it cannot read",
        raises="PlanningError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.create_temporary_view("orders", t_env.from_elements([(1, "2024-01-02 03:04:05")], ["order_id", "at"]))
t_env.execute_sql("SELECT DATE_FORMAT(at, 'yyyy-QQ') FROM orders")
''',
        message="unsupported letters 'QQ' in date pattern 'yyyy-QQ' (supported: yyyy yy MMMM MMM MM M dd d HH H "
                "hh mm m ss s SSS a EEEE EEE DDD Z and 'quoted text'); quote literal text, see the built-in "
                "functions in docs/table.md",
        cause="unsupported letters 'QQ'",
        where="in date pattern 'yyyy-QQ'",
        what_to_do="quote literal text",
        fix="Use the Java `DateTimeFormatter` letters listed, and put literal text in single quotes "
            "(`'at'`; `''` is a quote). For other fields, build the text with `EXTRACT` or `QUARTER(...)`.",
        meaning="DATE_FORMAT, TO_TIMESTAMP, TO_DATE, UNIX_TIMESTAMP and FROM_UNIXTIME take Java date "
                "patterns; the pattern has letters Fluvial does not translate (or, to parse, fields that "
                "are not padded).",
    ),
    Entry(
        key="temporal-join-not-versioned",
        title="An event-time temporal join against a table without a primary key",
        raises="SqlValidationError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.execute_sql("""CREATE TABLE orders (order_id STRING, currency STRING, order_time TIMESTAMP(3),
    WATERMARK FOR order_time AS order_time) WITH ('connector' = 'filesystem', 'path' = '.', 'format' = 'csv')""")
t_env.execute_sql("""CREATE TABLE rates (currency STRING, rate DOUBLE, update_time TIMESTAMP(3),
    WATERMARK FOR update_time AS update_time) WITH ('connector' = 'filesystem', 'path' = '.', 'format' = 'csv')""")
t_env.sql_query("""SELECT * FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r
                   ON o.currency = r.currency""")
''',
        message="temporal join: 'rates' is not a versioned table, it has no primary key; declare PRIMARY KEY (...) "
                "NOT ENFORCED in its DDL, or define it as a deduplication view (ROW_NUMBER() OVER (PARTITION BY "
                "key ORDER BY time DESC) = 1) at line 1, column 62",
        cause="'rates' is not a versioned table, it has no primary key",
        where="at line 1, column 62",
        what_to_do="declare PRIMARY KEY (...) NOT ENFORCED in its DDL",
        fix="Give the right table a primary key (`PRIMARY KEY (currency) NOT ENFORCED`) and an event-time "
            "attribute (`WATERMARK FOR`), or turn an append-only history into a versioned view with "
            "Flink's deduplication query.",
        meaning="`FOR SYSTEM_TIME AS OF` an event-time attribute joins against a versioned table: one "
                "with a primary key, whose rows are the versions of each key over time.",
    ),
    Entry(
        key="idle-timeout-value",
        title="table.exec.source.idle-timeout set to something that is not a duration",
        raises="ValueError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.execute_sql("SET 'table.exec.source.idle-timeout' = 'ten seconds'")
''',
        message="'table.exec.source.idle-timeout' expects a duration such as '5 s', '500 ms' or '0' (off), "
                "got 'ten seconds'",
        cause="got 'ten seconds'",
        where="'table.exec.source.idle-timeout'",
        what_to_do="expects a duration such as '5 s', '500 ms' or '0' (off)",
        fix="Give a number and a unit (`'10 s'`, `'1 min'`, `'500 ms'`), a number of milliseconds, or "
            "`'0'` to turn the timeout off.",
        meaning="The option says after how long without rows a source split or subtask stops holding "
                "a table's event time back; it is checked when it is set.",
    ),
    Entry(
        key="temporal-join-time",
        title="FOR SYSTEM_TIME AS OF a column that is not the left's time attribute",
        raises="SqlValidationError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.execute_sql("""CREATE TABLE orders (order_id STRING, currency STRING, order_time TIMESTAMP(3),
    paid_time TIMESTAMP(3), WATERMARK FOR order_time AS order_time)
    WITH ('connector' = 'filesystem', 'path' = '.', 'format' = 'csv')""")
t_env.execute_sql("""CREATE TABLE rates (currency STRING, rate DOUBLE, update_time TIMESTAMP(3),
    WATERMARK FOR update_time AS update_time, PRIMARY KEY (currency) NOT ENFORCED)
    WITH ('connector' = 'filesystem', 'path' = '.', 'format' = 'csv')""")
t_env.sql_query("""SELECT * FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.paid_time AS r
                   ON o.currency = r.currency""")
''',
        message="FOR SYSTEM_TIME AS OF 'paid_time': an event-time temporal join takes the left table's "
                "event-time attribute 'order_time' (a lookup join takes a PROCTIME() column) at line 1, column 62",
        cause="FOR SYSTEM_TIME AS OF 'paid_time'",
        where="at line 1, column 62",
        what_to_do="takes the left table's event-time attribute 'order_time'",
        fix="Use the left table's `WATERMARK` column in `FOR SYSTEM_TIME AS OF` (or a `PROCTIME()` "
            "column against a lookup table).",
        meaning="A temporal join picks each row's version by the left row's event time, so it needs "
                "the column the left table's watermark is defined on.",
    ),
    Entry(
        key="temporal-join-key",
        title="A temporal join whose condition misses the versioned table's primary key",
        raises="SqlValidationError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.execute_sql("""CREATE TABLE orders (order_id STRING, currency STRING, order_time TIMESTAMP(3),
    WATERMARK FOR order_time AS order_time) WITH ('connector' = 'filesystem', 'path' = '.', 'format' = 'csv')""")
t_env.execute_sql("""CREATE TABLE rates (currency STRING, region STRING, rate DOUBLE, update_time TIMESTAMP(3),
    WATERMARK FOR update_time AS update_time, PRIMARY KEY (currency, region) NOT ENFORCED)
    WITH ('connector' = 'filesystem', 'path' = '.', 'format' = 'csv')""")
t_env.sql_query("""SELECT * FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r
                   ON o.currency = r.currency""")
''',
        message="temporal join: the join condition must contain the primary key equality of 'rates': no "
                "equality with its key column(s) ['region'] (e.g. ON left.region = rates.region) at line 1, "
                "column 62",
        cause="the join condition must contain the primary key equality of 'rates'",
        where="at line 1, column 62",
        what_to_do="e.g. ON left.region = rates.region",
        fix="Add an equality for every primary key column of the versioned table to the `ON` clause.",
        meaning="A temporal join looks up each row's version by the versioned table's primary key, so "
                "the join condition must give a value for all of it.",
    ),
    Entry(
        key="udf-result-type",
        title="A Python UDF returns a value of another type than declared",
        raises="JobExecutionError",
        cause_class="OutputTypeError",
        code='''\
from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import col
from fluvial.table.udf import udf


@udf(result_type=DataTypes.BIGINT())
def item_count(item):
    return item + "s"


t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
items = t_env.from_elements([("apple",)], ["item"])
items.select(item_count(col("item"))).execute().print()
''',
        message="operator 'PythonCalc(item_count)' (subtask 1/1) failed: function 'item_count' "
                "returned 'apples' (str) which is not of its declared result type BIGINT (<path>); "
                "return values of that type, or declare the type it returns in result_type=",
        cause="returned 'apples' (str) which is not of its declared result type BIGINT",
        where="operator 'PythonCalc(item_count)'",
        what_to_do="declare the type it returns in result_type=",
        fix="Return values of the declared `result_type`, or declare the type the function "
            "returns.",
        meaning="Fluvial checks every UDF result against the declared type before it enters a "
                "column; the first value that does not fit fails the job, naming the function.",
    ),
    Entry(
        key="udtaf-in-select",
        title="A table aggregate function is used in a select",
        raises="PlanningError",
        code='''\
from fluvial.common import Row
from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import col
from fluvial.table.udf import TableAggregateFunction, udtaf


class Top2(TableAggregateFunction):
    def create_accumulator(self):
        return []

    def accumulate(self, accumulator, value):
        accumulator[:] = sorted(accumulator + [value], reverse=True)[:2]

    def emit_value(self, accumulator):
        yield from (Row(v) for v in accumulator)


top2 = udtaf(Top2(), result_type=DataTypes.BIGINT())
t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
scores = t_env.from_elements([("ann", 3), ("bob", 5)], ["name", "score"])
scores.group_by(col("name")).select(col("name"), top2(col("score"))).execute().print()
''',
        message="'Top2' is a table aggregate function: use it in flat_aggregate(Top2(...)), not in a select "
                "or filter",
        cause="'Top2' is a table aggregate function",
        where="not in a select or filter",
        what_to_do="use it in flat_aggregate(Top2(...))",
        fix="Call it through `group_by(...).flat_aggregate(top2(col(\"score\"))).select(...)` (or "
            "`Table.flat_aggregate`). See [Table API and SQL](table.md#python-functions).",
        meaning="A table aggregate function yields rows per group, so it cannot be one value of a "
                "`select`.",
    ),
    Entry(
        key="udaf-arity",
        title="An aggregate function is called with the wrong number of arguments",
        raises="PlanningError",
        code='''\
from fluvial.common import Row
from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import col
from fluvial.table.udf import AggregateFunction, udaf


class Stats(AggregateFunction):
    def create_accumulator(self):
        return [0, 0]

    def accumulate(self, accumulator, value):
        accumulator[0] += 1
        accumulator[1] += value

    def get_value(self, accumulator):
        return Row(accumulator[0], accumulator[1])


stats = udaf(Stats(), result_type=DataTypes.ROW([DataTypes.FIELD("n", DataTypes.BIGINT()),
                                                 DataTypes.FIELD("total", DataTypes.BIGINT())]))
t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
scores = t_env.from_elements([("ann", 3, 1)], ["name", "score", "weight"])
scores.group_by(col("name")).aggregate(stats(col("score"), col("weight"))).select("*").execute().print()
''',
        message="function 'Stats': accumulate() takes 1 argument(s) after the accumulator (value), but the "
                "call passes 2",
        cause="accumulate() takes 1 argument(s) after the accumulator (value), but the call passes 2",
        where="function 'Stats'",
        what_to_do="takes 1 argument(s)",
        fix="Pass as many arguments as `accumulate` takes after the accumulator, or give `accumulate` "
            "`*args`. Called without arguments (`aggregate(stats)`), the function gets the whole row.",
        meaning="Fluvial checks a Python aggregate function's `accumulate` signature against the call "
                "when planning, not when the first row arrives.",
    ),
    Entry(
        key="connector-option",
        title="A connector option is misspelled",
        raises="ConnectorOptionError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.execute_sql("CREATE TABLE clicks (id BIGINT) WITH ('connector' = 'datagen', 'row-per-second' = '10')")
t_env.execute_sql("SELECT * FROM clicks").print()
''',
        message="unknown option 'row-per-second' for connector 'datagen'; did you mean "
                "'rows-per-second'? (supported: number-of-rows, rows-per-second, seed)",
        cause="unknown option 'row-per-second'",
        where="connector 'datagen'",
        what_to_do="did you mean 'rows-per-second'?",
        fix="Use the option's Flink name (the closest is suggested; the supported ones are "
            "listed). See [Table API and SQL](table.md#statements).",
        meaning="A `WITH (...)` option of `CREATE TABLE` is not one the connector knows; it is "
                "refused rather than ignored.",
    ),
    Entry(
        key="kafka-exactly-once-prefix",
        title="An exactly-once Kafka table has no transactional id prefix",
        raises="ConnectorOptionError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.execute_sql("CREATE TABLE clicks (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '10')")
t_env.execute_sql("CREATE TABLE out_topic (id BIGINT) WITH ('connector' = 'kafka', 'topic' = 'out', "
                  "'properties.bootstrap.servers' = '127.0.0.1:9092', 'format' = 'json', "
                  "'sink.delivery-guarantee' = 'exactly-once')")
t_env.execute_sql("INSERT INTO out_topic SELECT id FROM clicks").wait()
''',
        message="table 'out_topic': 'sink.delivery-guarantee' = 'exactly-once' needs "
                "'sink.transactional-id-prefix' (the prefix of the sink's Kafka transactional ids, unique to "
                "this job among those writing to the cluster)",
        cause="'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'",
        where="table 'out_topic'",
        what_to_do="'sink.transactional-id-prefix'",
        fix="Add `'sink.transactional-id-prefix' = '...'`, a prefix no other job writing to the same "
            "Kafka cluster uses, or choose `'sink.delivery-guarantee' = 'at-least-once'`. See "
            "[Connectors](connectors.md#kafka-tables-sql-connector-kafka-and-upsert-kafka).",
        meaning="An exactly-once Kafka sink writes in Kafka transactions, whose ids are the prefix, the "
                "subtask and the checkpoint; Flink requires the prefix too. The table is refused when "
                "the INSERT is planned, before the job starts.",
    ),
    Entry(
        key="sql-bad-line",
        title="A line of a SQL file table does not fit its columns",
        raises="JobExecutionError",
        cause_class="ConnectorError",
        code='''\
import os

from fluvial.table import EnvironmentSettings, TableEnvironment

os.makedirs("prices", exist_ok=True)
with open("prices/a.csv", "w") as file:
    file.write("apple,1.5\\npear,abc\\n")
t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
t_env.execute_sql("CREATE TABLE prices (name STRING, price DOUBLE) "
                  "WITH ('connector' = 'filesystem', 'path' = 'prices', 'format' = 'csv')")
t_env.execute_sql("SELECT * FROM prices").print()
''',
        message="operator 'TableSourceScan(prices)' (subtask 1/1) failed: filesystem table 'prices': line 2 of "
                "'prices/a.csv': cannot read it as CSV (name, price): In CSV column #1: CSV conversion error to "
                "double: invalid value 'abc' (line b'pear,abc'); fix the record or the table's columns, or skip "
                "bad records with 'csv.ignore-parse-errors' = 'true' (they are counted in the job's "
                "numRecordsInErrors)",
        cause="CSV conversion error to double: invalid value 'abc'",
        where="line 2 of 'prices/a.csv'",
        what_to_do="skip bad records with 'csv.ignore-parse-errors' = 'true'",
        fix="Fix the line or the table's columns; or skip bad lines with `'csv.ignore-parse-errors' = 'true'` "
            "(`json.ignore-parse-errors` for JSON): they are counted in the job's `numRecordsInErrors`. See "
            "[SQL tables](connectors.md#sql-tables-filesystem-jdbc-redis).",
        meaning="A line of a CSV or JSON file of a `'connector' = 'filesystem'` table cannot be read with "
                "the table's column types (or, with `'json.fail-on-missing-field' = 'true'`, lacks a "
                "column). The message names the table, the file, the line and the reason.",
    ),
    Entry(
        key="sql-sink-needs-primary-key",
        title="An updating query is written into a table without a PRIMARY KEY",
        raises="PlanningError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.create_temporary_view("orders", t_env.from_elements([("ada", 3.5), ("ada", 1.0)], ["user_name", "amount"]))
t_env.execute_sql("CREATE TABLE totals (user_name STRING, amount DOUBLE) WITH ('connector' = 'jdbc', "
                  "'url' = 'jdbc:postgresql://127.0.0.1:5432/shop', 'table-name' = 'totals')")
t_env.execute_sql("INSERT INTO totals SELECT user_name, SUM(amount) FROM orders GROUP BY user_name")
''',
        message="table 'totals' ('connector' = 'jdbc') has no PRIMARY KEY, so it takes only inserts, but the "
                "query produces updates; declare the key the rows are upserted by, e.g. PRIMARY KEY (id) NOT "
                "ENFORCED",
        cause="the query produces updates",
        where="table 'totals' ('connector' = 'jdbc')",
        what_to_do="declare the key the rows are upserted by, e.g. PRIMARY KEY (id) NOT ENFORCED",
        fix="Declare the table's key, `PRIMARY KEY (user_name) NOT ENFORCED`: the sink then upserts and deletes "
            "by it (the database table needs a unique constraint on it). See "
            "[SQL tables](connectors.md#sql-tables-filesystem-jdbc-redis).",
        meaning="A streaming `GROUP BY` (or another updating query) changes rows it already emitted. A `jdbc` "
                "or `redis` table without a primary key can only append, as in Flink.",
    ),
    Entry(
        key="split-batch-count",
        title="A reader's SplitBatch names fewer splits than it has records",
        raises="JobExecutionError",
        code='''\
from fluvial.common import WatermarkStrategy
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors.base import Source, SourceReader, SplitBatch


class TwoPartitions(SourceReader):
    def __init__(self):
        self.done = False

    def poll(self):
        if self.done:
            return None
        self.done = True
        return SplitBatch(["a", "b"], [0], timestamps=[1000, 2000])  # one split for two records


class Events(Source):
    def _create_reader(self, subtask_index, parallelism):
        return TwoPartitions()


env = StreamExecutionEnvironment.get_execution_environment()
env.from_source(Events(), WatermarkStrategy.for_monotonous_timestamps(), "events").print()
env.execute()
''',
        message="operator 'events' (subtask 1/1) failed: poll() returned a SplitBatch of 2 records but 1 splits; "
                "give one split per record",
        cause="a SplitBatch of 2 records but 1 splits",
        where="operator 'events'",
        what_to_do="give one split per record",
        fix="Give `SplitBatch(records, splits, ...)` one split per record (an `array('i')` as long as the "
            "records, or one int for all of them), and as many timestamps, or None. See "
            "[Connectors](connectors.md#kafka-fluvialdatastreamconnectorskafka-librdkafka).",
        meaning="A source reader returned a `SplitBatch` (records tagged with their splits, for watermarks "
                "per split) whose `splits` or `timestamps` do not match its records one to one.",
    ),
    Entry(
        key="kafka-unreachable",
        title="The Kafka brokers cannot be reached",
        raises="JobExecutionError",
        cause_class="ConnectorError",
        code='''\
from fluvial.common import SimpleStringSchema
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors.kafka import KafkaSource

source = KafkaSource.builder().set_bootstrap_servers("127.0.0.1:1").set_topics("clicks") \\
    .set_value_only_deserializer(SimpleStringSchema()) \\
    .set_property("fluvial.request.timeout.ms", "1500").build()
env = StreamExecutionEnvironment.get_execution_environment()
env.from_source(source, None, "clicks").print()
env.execute()
''',
        message="operator 'clicks' (subtask 1/1) failed: Kafka consumer (bootstrap.servers=127.0.0.1:1): no "
                "broker answered a metadata request within 1500 ms: <path>; check that bootstrap.servers names "
                "running brokers reachable from here",
        cause="no broker answered a metadata request within 1500 ms",
        where="operator 'clicks'",
        what_to_do="check that bootstrap.servers names running brokers reachable from here",
        fix="Start the brokers (for tests and examples: `bash scripts/kafka.sh start /tmp/kafka 9092`) or "
            "fix `bootstrap.servers`; `fluvial.request.timeout.ms` (30 s by default) bounds the wait.",
        meaning="No broker named in `bootstrap.servers` answered in time. The job fails instead of "
                "waiting forever.",
    ),
    Entry(
        key="state-value-misfit",
        title="A state value does not fit the state's declared type",
        raises="JobExecutionError",
        cause_class="InvalidJobError",
        code='''\
from fluvial.common import Types
from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment
from fluvial.datastream.state import ValueStateDescriptor

class LastPrice(KeyedProcessFunction):
    def open(self, runtime_context):
        self.last = runtime_context.get_state(ValueStateDescriptor("last_price", Types.LONG()))

    def process_element(self, value, ctx):
        self.last.update(value[1])
        yield value

env = StreamExecutionEnvironment.get_execution_environment()
env.enable_checkpointing(1000)
env.get_checkpoint_config().set_checkpoint_storage_dir("checkpoints")
env.from_collection([("apple", 3), ("pear", 2.5)]).key_by(lambda sale: sale[0]) \\
    .process(LastPrice()).name("last price").print()
env.execute()
''',
        message="operator 'last price' (subtask 1/1) failed: state 'last_price' (ValueState<LONG>) "
                "holds a value that does not fit its declared type, for key 'pear': expected LONG "
                "(a Python int in [-9223372036854775808, 9223372036854775807]), got float 2.5; "
                "store values of the declared type or change the type in the state descriptor",
        cause="holds a value that does not fit its declared type",
        where="for key 'pear'",
        what_to_do="store values of the declared type or change the type in the state descriptor",
        fix="Store values of the declared type (here `int(price)`), or declare the type the "
            "state holds (`Types.DOUBLE()`; `Types.PICKLED_BYTE_ARRAY()` or none for any "
            "Python object). See [Fault tolerance](fault-tolerance.md#state-serializers).",
        meaning="Checkpoints write state with its declared type's serializer; a value that "
                "does not fit fails the checkpoint (and the job) instead of being coerced.",
    ),
    Entry(
        key="state-type-changed",
        title="A restored state's declared type changed",
        raises="JobExecutionError",
        cause_class="InvalidJobError",
        code='''\
from fluvial.common import Configuration, Types
from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment
from fluvial.datastream.state import ValueStateDescriptor

class Count(KeyedProcessFunction):
    def __init__(self, count_type):
        self.count_type = count_type

    def open(self, runtime_context):
        self.count = runtime_context.get_state(ValueStateDescriptor("count", self.count_type))

    def process_element(self, value, ctx):
        self.count.update((self.count.value() or 0) + 1)
        yield value

def run(count_type, configuration=None):
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.enable_checkpointing(1000)
    env.get_checkpoint_config().set_checkpoint_storage_dir("checkpoints")
    env.from_collection(["a", "b", "a"]).uid("words").key_by(lambda word: word) \\
        .process(Count(count_type)).uid("count").name("count").print()
    return env.execute_async("count")

client = run(Types.INT())
client.get_job_execution_result().result()
resume = Configuration()
resume.set_string("execution.savepoint.path", "checkpoints")
run(Types.LONG(), resume).get_job_execution_result().result()
''',
        message="operator 'count' (subtask 1/1) failed: state 'count' was checkpointed as "
                "ValueState<INT> but is now declared as ValueState<LONG>: the stored values cannot "
                "be read as the new type; restore with the old descriptor, or start without this "
                "checkpoint (or give the state a new name)",
        cause="was checkpointed as ValueState<INT> but is now declared as ValueState<LONG>",
        where="state 'count'",
        what_to_do="restore with the old descriptor, or start without this checkpoint",
        fix="Restore with the descriptor's old type; or start the job without the checkpoint "
            "(a fresh checkpoint directory), or under a new state name, to begin that state "
            "empty. See [Fault tolerance](fault-tolerance.md#state-serializers).",
        meaning="The checkpoint records each state's serializer and declared type; a job whose "
                "descriptor now declares another type would mis-read the stored bytes, so it "
                "fails before using them.",
    ),
    Entry(
        key="corrupt-checkpoint",
        title="The newest checkpoint is corrupt or lost",
        raises="NewestCheckpointUnusableError",
        code='''\
import glob

from fluvial.datastream import StreamExecutionEnvironment

def run():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.enable_checkpointing(3_600_000)
    env.get_checkpoint_config().set_checkpoint_storage_dir("checkpoints")
    env.from_collection([1, 2, 3]).key_by(lambda n: n % 2).reduce(lambda a, b: a + b).print()
    env.execute("sums")

run()  # its final checkpoint stays in "checkpoints"
[state_file] = glob.glob("checkpoints/chk-1/op-3-0.state")
data = bytearray(open(state_file, "rb").read())
data[-1] ^= 1  # one flipped bit, as a failing disk would
open(state_file, "wb").write(bytes(data))
run()
''',
        message="cannot resume from the checkpoint directory checkpoints: its newest completed "
                "checkpoint, 1, is corrupt: <dir>/checkpoints/chk-1/op-3-0.state: checksum mismatch "
                "(expected <path> bytes with SHA-256 <path>..., found <path> bytes). Its output may "
                "already be committed, so Fluvial does not fall back to an older checkpoint on its "
                "own (that would write the output again). Restore the damaged or missing files of "
                "<dir>/checkpoints/chk-1; no older intact checkpoint is left in it; or resume from a "
                "savepoint (`fluvial run --from-savepoint PATH job.py`); or start over with an empty "
                "checkpoint directory (see docs/fault-tolerance.md#corrupt-checkpoints)",
        cause="is corrupt",
        where="checkpoints/chk-1/op-3-0.state: checksum mismatch",
        what_to_do="Restore the damaged or missing files of",
        fix="Restore the damaged file (from a backup or replica); or resume from an older "
            "checkpoint accepting duplicate output (`fluvial run --from-checkpoint DIR/chk-N "
            "job.py`, offered when one is left: keep more with `state.checkpoints.num-retained`); "
            "or from a savepoint; or start over with an empty checkpoint directory. See "
            "[Fault tolerance](fault-tolerance.md#corrupt-checkpoints).",
        meaning="The job's newest completed checkpoint fails its checksum or HMAC check, or was "
                "deleted (its `_metadata` or folder gone while `_latest` records it). Its output "
                "may be committed already, so going back to an older checkpoint or starting over "
                "would write it again: the job does not start.",
    ),
    Entry(
        key="s3-credentials",
        title="Only one of the S3 access key and secret key is set",
        raises="InvalidJobError",
        code='''\
from fluvial.common import Configuration
from fluvial.datastream import StreamExecutionEnvironment

configuration = Configuration()
configuration.set_string("state.checkpoints.dir", "s3://my-bucket/checkpoints")
configuration.set_string("s3.access-key", "AKIAEXAMPLE")
env = StreamExecutionEnvironment.get_execution_environment(configuration)
env.enable_checkpointing(1000)
env.from_collection([1, 2, 3]).print()
env.execute()
''',
        message="configuration: s3.access-key and s3.secret-key go together; set both (or "
                "neither, to use the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment "
                "variables or ~/.aws/credentials)",
        cause="s3.access-key and s3.secret-key go together",
        where="configuration: s3.access-key",
        what_to_do="set both (or neither",
        fix="Set `s3.secret-key` too, or neither key to use the AWS environment variables or "
            "credentials file. See [Fault tolerance](fault-tolerance.md#s3).",
        meaning="S3 credentials are a pair: an access key without its secret cannot sign "
                "requests.",
    ),
]

def template_pattern(template: str) -> re.Pattern:
    """The template as a regular expression: <...> placeholders match any text."""
    parts = re.split(r"<(?:cwd|dir|path)>", template)
    return re.compile(".*?".join(re.escape(part) for part in parts), re.S)


def trigger(entry: Entry, directory: Path) -> BaseException:
    """Runs the entry's program as directory/job.py (cwd = directory); returns what it raised."""
    job = directory / "job.py"
    job.write_text(entry.code)
    previous = os.getcwd()
    os.chdir(directory)
    # A PyFlink program runs as `fluvial run` runs it: pyflink imports served by Fluvial.
    alias = re.search(r"^\s*(from|import) pyflink", entry.code, re.M) is not None
    if alias:
        _pyflink_alias.install()
    try:
        exec(compile(entry.code, str(job), "exec"), {"__name__": "__main__", "__file__": str(job)})
    except BaseException as error:  # noqa: B036 - the test is about what it raised
        return error
    finally:
        os.chdir(previous)
        if alias:
            _pyflink_alias.uninstall()
    pytest.fail(f"{entry.key}: the program ran without an error")


def test_the_catalogue_keys_are_unique():
    keys = [entry.key for entry in CATALOGUE]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("entry", CATALOGUE, ids=[entry.key for entry in CATALOGUE])
def test_error_message(entry, tmp_path):
    error = trigger(entry, tmp_path)
    message = str(error)
    assert type(error).__name__ == entry.raises, (type(error), message)
    if entry.cause_class:
        assert type(error.__cause__).__name__ == entry.cause_class, repr(error.__cause__)
    assert template_pattern(entry.message).fullmatch(message), \
        f"message changed (update the row and docs/errors.md):\n{message}"
    assert entry.cause in message, f"the message lost its cause ({entry.cause!r}):\n{message}"
    assert entry.where in message, f"the message lost where it happened ({entry.where!r}):\n{message}"
    assert entry.what_to_do in message, f"the message lost what to do ({entry.what_to_do!r}):\n{message}"
    # The traceback leads to the user's program: its own line for errors raised where the job
    # is defined, and through the cause to the failing function for errors in user code.
    frames = traceback.extract_tb(error.__traceback__)
    assert any(frame.filename == str(tmp_path / "job.py") for frame in frames)
    if entry.raises == "UserFunctionError":
        user_frames = traceback.extract_tb(error.__cause__.__traceback__)
        assert user_frames[-1].filename == str(tmp_path / "job.py"), user_frames
        assert f"line {user_frames[-1].lineno}," in message


def test_missing_file_names_the_working_directory(tmp_path):
    error = trigger(CATALOGUE[0], tmp_path)
    assert f"(relative to the working directory '{tmp_path}')" in str(error)


# ---------------------------------------------------------------------------- the docs page

HEADER = """\
# Error messages

Every error a Fluvial program can meet, with the message it prints, what it means and what
to do. Each message names its cause, where it happened (the operator, the file and line, the
argument or option) and what to do. In the messages, `<cwd>` and `<dir>` stand for paths
on your machine.

This page is generated from the error catalogue of the test suite
(`tests/python/test_error_catalogue.py`), which triggers each error and checks its message,
and each program below is run by the tests and fails with the error shown. When a job
fails while running, `execute()` raises `JobExecutionError` (or `UserFunctionError` when
your function raised) naming the operator, with the underlying error as its `__cause__`;
see also [Troubleshooting](troubleshooting.md).
"""


def render_page() -> str:
    sections = [HEADER]
    for entry in CATALOGUE:
        cause = f" (its cause: `{entry.cause_class}`)" if entry.cause_class else ""
        sections.append(
            f"\n## {entry.title} {{#{entry.key}}}\n\n"
            f"```text\n{entry.raises}: {entry.message}\n```\n\n"
            f"**What it means.** {entry.meaning}\n\n"
            f"**What to do.** {entry.fix}\n\n"
            f"The program that raises `{entry.raises}`{cause}:\n\n"
            f"<!-- docs-test: raises {entry.raises} -->\n```python\n{entry.code}```\n")
    return "".join(sections)


def test_the_errors_page_is_generated_from_the_catalogue():
    assert PAGE.read_text() == render_page(), (
        "docs/errors.md differs from the catalogue; regenerate it:\n"
        "  PYTHONPATH=python .venv/bin/python tests/python/test_error_catalogue.py > docs/errors.md")


if __name__ == "__main__":
    sys.stdout.write(render_page())
