"""DataStream.process with a ProcessFunction: yielding, returning, the context."""

import pytest
from ds_support import assert_same_elements

from fluvial.common import Row
from fluvial.common.typeinfo import Types
from fluvial.datastream import ProcessFunction
from fluvial.errors import InvalidJobError, JobExecutionError

DATA = list(range(-10, 90))


def check(env, actual, expected):
    if env.get_parallelism() == 1:
        assert actual == expected
    else:
        assert_same_elements(actual, expected)


class Explode(ProcessFunction):
    """Yields value, value+1, ... value % 4 times."""

    def process_element(self, value, ctx):
        for i in range(value % 4):
            yield value + i


class ReturnsList(ProcessFunction):
    def process_element(self, value, ctx):
        return [value, str(value)]


class ReturnsNone(ProcessFunction):
    def __init__(self):
        self.count = 0

    def process_element(self, value, ctx):
        self.count += 1
        return None


class ReportsContext(ProcessFunction):
    def process_element(self, value, ctx):
        yield value, ctx.timestamp(), isinstance(ctx, ProcessFunction.Context)


class ToRow(ProcessFunction):
    def open(self, runtime_context):
        self.subtasks = runtime_context.get_number_of_parallel_subtasks()

    def process_element(self, value, ctx):
        if value % 5 == 0:
            yield Row(value=value, subtasks=self.subtasks)


class UsesTimers(ProcessFunction):
    def process_element(self, value, ctx):
        ctx.timer_service().register_event_time_timer(0)
        yield value


def test_process_yielding_any_number_of_records(env):
    result = list(env.from_collection(DATA).process(Explode()).execute_and_collect())
    check(env, result, [x + i for x in DATA for i in range(x % 4)])


def test_process_returning_a_list(env):
    result = list(env.from_collection(DATA).process(ReturnsList()).execute_and_collect())
    check(env, result, [y for x in DATA for y in (x, str(x))])


def test_process_returning_none_emits_nothing(env):
    assert list(env.from_collection(DATA).process(ReturnsNone()).execute_and_collect()) == []


def test_process_context_of_a_non_keyed_stream(env):
    result = list(env.from_collection(DATA).process(ReportsContext()).execute_and_collect())
    check(env, result, [(x, None, True) for x in DATA])


def test_process_with_open_and_rows(env, parallelism):
    stream = env.from_collection(DATA).process(ToRow())
    result = list(stream.execute_and_collect())
    check(env, result, [Row(value=x, subtasks=parallelism) for x in DATA if x % 5 == 0])


def test_process_with_output_type(env):
    stream = env.from_collection(DATA).process(Explode(), output_type=Types.LONG())
    assert stream.get_type() == Types.LONG()
    check(env, list(stream.execute_and_collect()), [x + i for x in DATA for i in range(x % 4)])


def test_process_after_process(env):
    stream = env.from_collection(DATA).process(Explode()).process(ReturnsList())
    expected = [y for x in DATA for i in range(x % 4) for y in (x + i, str(x + i))]
    check(env, list(stream.execute_and_collect()), expected)


def test_timers_on_a_non_keyed_stream_are_refused(env1):
    env1.from_collection([1]).process(UsesTimers()).print()
    with pytest.raises(JobExecutionError, match="timers need a keyed stream: use stream.key_by") as info:
        env1.execute()
    assert isinstance(info.value.__cause__, InvalidJobError)
    assert "operator 'Process' (subtask 1/1)" in str(info.value)


def test_process_needs_a_process_function(env1):
    stream = env1.from_collection([1])
    with pytest.raises(TypeError, match="process\\(\\) expects a ProcessFunction, got function"):
        stream.process(lambda x, ctx: [x])
