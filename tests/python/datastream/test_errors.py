"""Failures: a user function that raises fails the job with a UserFunctionError that
names the operator and subtask, whose __cause__ is the user's exception with the
user's traceback; the whole job stops (no hang), leaving no thread behind."""

import threading
import time
import traceback

import pytest
from ds_support import Channel, EndlessSource, os_thread_count, os_thread_count_settles_at

from fluvial.common.typeinfo import Types
from fluvial.datastream import (
    FlatMapFunction,
    JobStatus,
    KeySelector,
    MapFunction,
    Partitioner,
    ProcessFunction,
    ReduceFunction,
    SinkFunction,
    SourceFunction,
)
from fluvial.datastream.connectors import NumberSequenceSource
from fluvial.errors import JobExecutionError, OutputTypeError, UserFunctionError


class UserBoom(Exception):
    """The user's own exception type, with a field of its own."""

    def __init__(self, message, detail):
        super().__init__(message)
        self.detail = detail


def boom_in_user_code(value):
    raise UserBoom(f"boom at {value!r}", detail=value)


class BoomMap(MapFunction):
    def map(self, value):
        return boom_in_user_code(value) if value == 37 else value


class BoomFlatMap(FlatMapFunction):
    def flat_map(self, value):
        yield value
        if value == 37:
            boom_in_user_code(value)  # in the middle of a generator
        yield value


class BoomProcess(ProcessFunction):
    def process_element(self, value, ctx):
        if value == 37:
            boom_in_user_code(value)
        yield value


class BoomReduce(ReduceFunction):
    def reduce(self, value1, value2):
        if value2 == 37:
            boom_in_user_code(value2)
        return value1 + value2


class BoomKeySelector(KeySelector):
    def get_key(self, value):
        if value == 37:
            boom_in_user_code(value)
        return value % 5


class BoomPartitioner(Partitioner):
    def partition(self, key, num_partitions):
        if key == 37:
            boom_in_user_code(key)
        return key % num_partitions


class BoomSink(SinkFunction):
    def invoke(self, value, context):
        if value == 37:
            boom_in_user_code(value)


class BoomSource(SourceFunction):
    def run(self, ctx):
        for value in range(100):
            if value == 37:
                boom_in_user_code(value)
            ctx.collect(value)


def numbers(env):
    return env.from_source(NumberSequenceSource(0, 99), None, "numbers")


CASES = {
    # name: (build the job on env, operator name, function name in the traceback, at p subtasks?)
    "map": (lambda env: numbers(env).map(BoomMap()).print(), "Map", "map"),
    "map-lambda": (lambda env: numbers(env).map(
        lambda x: boom_in_user_code(x) if x == 37 else x).print(), "Map", "<lambda>"),
    "flat_map": (lambda env: numbers(env).flat_map(BoomFlatMap()).print(), "FlatMap", "flat_map"),
    "filter": (lambda env: numbers(env).filter(
        lambda x: boom_in_user_code(x) if x == 37 else True).print(), "Filter", "<lambda>"),
    "process": (lambda env: numbers(env).process(BoomProcess()).print(), "Process",
                "process_element"),
    "reduce": (lambda env: numbers(env).key_by(lambda x: x % 5).reduce(BoomReduce()).print(),
               "Keyed Reduce", "reduce"),
    "key_selector": (lambda env: numbers(env).key_by(BoomKeySelector()).reduce(
        lambda a, b: a).print(), "KeyBy", "get_key"),
    "partitioner": (lambda env: numbers(env).partition_custom(BoomPartitioner(), lambda x: x).print(),
                    "CustomPartitioner", "partition"),
    "sink": (lambda env: numbers(env).add_sink(BoomSink()), "Sink: Unnamed", "invoke"),
    "source": (lambda env: env.add_source(BoomSource(), "boom source").print(), "boom source", "run"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_user_function_error_names_operator_and_keeps_cause(env, parallelism, case, capsys):
    build, operator, function_name = CASES[case]
    build(env)
    with pytest.raises(UserFunctionError) as info:
        env.execute()
    subtasks = 1 if case == "source" else parallelism
    message = str(info.value)
    assert f"the user function in operator '{operator}' (subtask " in message, message
    assert f"/{subtasks}) raised UserBoom: boom at 37" in message, message
    cause = info.value.__cause__
    assert isinstance(cause, UserBoom) and cause.detail == 37 and cause.args == ("boom at 37",)
    # The user's traceback is kept: the function that raised and the one that called it.
    frames = [frame.name for frame in traceback.extract_tb(cause.__traceback__)]
    assert frames[-1] == "boom_in_user_code", frames
    assert function_name in frames, frames
    assert isinstance(info.value, JobExecutionError)


class FailsInOpen(MapFunction):
    def open(self, runtime_context):
        last = runtime_context.get_number_of_parallel_subtasks() - 1
        if runtime_context.get_index_of_this_subtask() == last:
            raise RuntimeError("cannot connect")

    def map(self, value):
        return value


class FailsInClose(MapFunction):
    def map(self, value):
        return value

    def close(self):
        raise RuntimeError("cannot flush")


def test_error_in_open(env, parallelism):
    numbers(env).map(FailsInOpen()).name("connector").print()
    with pytest.raises(UserFunctionError,
                       match=rf"operator 'connector' \(subtask {parallelism}/{parallelism}\) raised "
                             r"RuntimeError: cannot connect"):
        env.execute()


def test_error_in_close(env, capsys):
    numbers(env).map(FailsInClose()).name("flusher").print()
    with pytest.raises(UserFunctionError, match=r"operator 'flusher' \(subtask \d/\d\) raised "
                                                r"RuntimeError: cannot flush"):
        env.execute()


def test_unhashable_key(env1):
    env1.from_collection([[1], [2]]).key_by(lambda x: x).reduce(lambda a, b: a).print()
    with pytest.raises(UserFunctionError, match=r"operator 'KeyBy' \(subtask 1/1\) raised "
                                                r"TypeError: unhashable type: 'list'"):
        env1.execute()


# ---------------------------------------------------------------- output_type


class WrongType(MapFunction):
    def map(self, value):
        return str(value) if value == 3 else value


@pytest.mark.parametrize("kind", ["map", "flat_map", "process"])
def test_value_not_fitting_output_type(env, kind):
    stream = env.from_collection(list(range(10)))

    class WrongElement(ProcessFunction):
        def process_element(self, value, ctx):
            yield value
            yield "text" if value == 3 else value

    if kind == "map":
        stream = stream.map(WrongType(), output_type=Types.INT()).name("typed")
    elif kind == "flat_map":
        stream = stream.flat_map(lambda x: [x, "text" if x == 3 else x],
                                 output_type=Types.INT()).name("typed")
    else:
        stream = stream.process(WrongElement(), output_type=Types.INT()).name("typed")
    stream.print()
    with pytest.raises(JobExecutionError) as info:
        env.execute()
    message = str(info.value)
    assert "the function of operator 'typed' returned a value that does not fit its " \
           "output_type INT" in message, message
    assert "'3'" in message or "'text'" in message, message
    assert isinstance(info.value.__cause__, OutputTypeError)


def test_values_fitting_output_type_pass(env):
    stream = env.from_collection([(i, str(i)) for i in range(10)]).map(
        lambda r: (r[0] * 2, r[1]), output_type=Types.TUPLE([Types.INT(), Types.STRING()]))
    assert sorted(stream.execute_and_collect()) == [(i * 2, str(i)) for i in range(10)]


def test_bad_functions_are_refused_when_the_job_is_defined(env1):
    stream = env1.from_collection([1])
    with pytest.raises(TypeError, match="map\\(\\) expects a MapFunction or a callable, got int"):
        stream.map(3)
    with pytest.raises(TypeError, match="got a BoomReduce \\(which has no map\\(\\)\\)"):
        stream.map(BoomReduce())
    with pytest.raises(TypeError, match="filter\\(\\) expects a FilterFunction"):
        stream.filter("x")
    with pytest.raises(TypeError, match="flat_map\\(\\) expects a FlatMapFunction"):
        stream.flat_map(None)
    with pytest.raises(TypeError, match="key_by\\(\\) expects a KeySelector"):
        stream.key_by(1)
    with pytest.raises(TypeError, match="reduce\\(\\) expects a ReduceFunction"):
        stream.key_by(lambda x: x).reduce(BoomMap())


# --------------------------------------------------- the whole job stops, no hang


class FailsOnOneSubtask(MapFunction):
    def open(self, runtime_context):
        self.index = runtime_context.get_index_of_this_subtask()
        self.seen = 0

    def map(self, value):
        self.seen += 1
        if self.index == 2 and self.seen == 100:
            raise ValueError("subtask 3 gives up")
        return value


def test_failure_in_one_subtask_stops_the_whole_job(channel):
    from fluvial.datastream import StreamExecutionEnvironment

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(4)
    # The source never ends: only the failure can end the job.
    env.add_source(EndlessSource(channel)).map(FailsOnOneSubtask()).map(lambda x: x).print()
    client = env.execute_async("fails")
    assert client.wait(10), "the job kept running after one subtask failed"
    assert client.get_job_status().result() == JobStatus.FAILED
    with pytest.raises(UserFunctionError, match=r"operator 'Map' \(subtask 3/4\) raised "
                                                r"ValueError: subtask 3 gives up"):
        client.get_job_execution_result().result()
    assert channel.items() == ["cancel", "run returned"]


class SlowSink(SinkFunction):
    def invoke(self, value, context):
        time.sleep(0.0005)


def test_failure_while_producers_wait_on_backpressure(channel):
    from fluvial.datastream import StreamExecutionEnvironment

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(4)
    # Fast producers, a slow sink: mailboxes fill up and senders wait for space
    # when the failure comes.
    stream = env.add_source(EndlessSource(channel)).rebalance().map(FailsOnOneSubtask())
    stream.rebalance().add_sink(SlowSink()).set_parallelism(2)
    client = env.execute_async()
    assert client.wait(10), "the job hangs after a failure under backpressure"
    assert client.get_job_status().result() == JobStatus.FAILED
    assert isinstance(client.get_job_execution_result().exception(), UserFunctionError)


def test_failed_job_leaves_no_thread_behind():
    from fluvial.datastream import StreamExecutionEnvironment

    python_before, os_before = threading.active_count(), os_thread_count()
    for parallelism in (1, 4):
        env = StreamExecutionEnvironment.get_execution_environment()
        env.set_parallelism(parallelism)
        env.add_source(EndlessSource(Channel())).map(FailsOnOneSubtask()).set_parallelism(4).map(
            lambda x: threading.current_thread() and x).print()
        with pytest.raises(UserFunctionError):
            env.execute()
        # Checked at once: execute() returns after every worker thread was joined.
        assert threading.active_count() == python_before, threading.enumerate()
        assert os_thread_count_settles_at(os_before) == os_before


def test_environment_is_usable_after_a_failure(env):
    numbers(env).map(BoomMap()).print()
    with pytest.raises(UserFunctionError):
        env.execute()
    assert sorted(numbers(env).map(lambda x: x + 1).execute_and_collect()) == list(range(1, 101))


def test_failure_while_collecting_raises_from_the_iterator(env):
    iterator = numbers(env).map(BoomMap()).execute_and_collect()
    with pytest.raises(UserFunctionError, match="boom at 37"):
        for _ in iterator:
            pass
    with pytest.raises(UserFunctionError, match="boom at 37"):
        numbers(env).map(BoomMap()).execute_and_collect(limit=1000)
