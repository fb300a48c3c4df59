"""Async I/O (AsyncDataStream with AsyncFunction, PyFlink 2.x): outputs, order, capacity,
retries and timeouts, checked against a plain-Python account of what each record's
attempts must give."""

import asyncio
import functools
import threading

import pytest

from fluvial.common import Time, Types
from fluvial.datastream import (
    AsyncDataStream,
    AsyncFunction,
    AsyncRetryStrategy,
    StreamExecutionEnvironment,
    async_retry_predicates,
)
from fluvial.datastream.async_retry_strategies import ExponentialBackoffDelayRetryStrategy
from fluvial.errors import FluvialError


def run(stream):
    return list(stream.execute_and_collect())


class Shuffled(AsyncFunction[int, str]):
    """Later records answer first; counts how many calls run at once (across subtasks)."""

    lock = threading.Lock()
    running = 0
    most = 0

    async def async_invoke(self, value):
        with Shuffled.lock:
            Shuffled.running += 1
            Shuffled.most = max(Shuffled.most, Shuffled.running)
        try:
            await asyncio.sleep(0.002 * (20 - value % 20))
            return [f"{value}a", f"{value}b"]
        finally:
            with Shuffled.lock:
                Shuffled.running -= 1


@pytest.mark.parametrize("wait", [AsyncDataStream.ordered_wait, AsyncDataStream.unordered_wait])
def test_every_record_gets_its_outputs_in_input_order(wait):
    env = StreamExecutionEnvironment.get_execution_environment()
    Shuffled.most = 0
    values = list(range(60))
    stream = wait(env.from_collection(values), Shuffled(), Time.seconds(30), capacity=5,
                  output_type=Types.STRING())
    assert run(stream) == [text for value in values for text in (f"{value}a", f"{value}b")]
    assert 1 < Shuffled.most <= 5  # concurrent, within the capacity


class FlakyOnce(AsyncFunction[int, int]):
    """Fails the first attempt of every third record; returns nothing for the first attempt of
    every fifth one."""

    def __init__(self):
        self.attempts = {}

    async def async_invoke(self, value):
        self.attempts[value] = self.attempts.get(value, 0) + 1
        await asyncio.sleep(0)
        if value % 3 == 0 and self.attempts[value] == 1:
            raise ConnectionError(f"lost {value}")
        if value % 5 == 0 and self.attempts[value] == 1:
            return []
        return [value * 100 + self.attempts[value]]


def test_retries_on_the_exception_and_result_predicates():
    env = StreamExecutionEnvironment.get_execution_environment()
    strategy = AsyncRetryStrategy.fixed_delay(
        max_attempts=2, backoff_time_millis=1,
        result_predicate=async_retry_predicates.empty_result_predicate,
        exception_predicate=functools.partial(async_retry_predicates.exception_type_predicate,
                                              expected_error_type=ConnectionError))
    stream = AsyncDataStream.ordered_wait_with_retry(env.from_collection(list(range(16))), FlakyOnce(),
                                                     Time.seconds(30), strategy, output_type=Types.INT())
    # The retried records succeed on their second attempt.
    expected = [value * 100 + (2 if value % 3 == 0 or value % 5 == 0 else 1) for value in range(16)]
    assert run(stream) == expected


def test_an_exception_the_strategy_does_not_retry_fails_the_job():
    env = StreamExecutionEnvironment.get_execution_environment()
    stream = AsyncDataStream.unordered_wait(env.from_collection([1, 3]), FlakyOnce(), Time.seconds(30))
    with pytest.raises(FluvialError, match="lost 3"):
        run(stream)


class Slow(AsyncFunction[int, str]):
    async def async_invoke(self, value):
        await asyncio.sleep(30 if value == 2 else 0)
        return [f"fast {value}"]

    def timeout(self, value):
        return [f"timed out {value}"]


def test_a_record_out_of_time_gets_the_timeout_outputs():
    env = StreamExecutionEnvironment.get_execution_environment()
    stream = AsyncDataStream.ordered_wait(env.from_collection([1, 2, 3]), Slow(), Time.milliseconds(300),
                                          output_type=Types.STRING())
    assert run(stream) == ["fast 1", "timed out 2", "fast 3"]


class SlowDefaultTimeout(AsyncFunction[int, str]):
    async def async_invoke(self, value):
        await asyncio.sleep(30)
        return [str(value)]


def test_the_default_timeout_fails_the_job_naming_the_record():
    env = StreamExecutionEnvironment.get_execution_environment()
    stream = AsyncDataStream.ordered_wait(env.from_collection([41]), SlowDefaultTimeout(), Time.milliseconds(100))
    with pytest.raises(FluvialError, match="timed out for input: 41"):
        run(stream)


class NotAsync(AsyncFunction):
    def async_invoke(self, value):
        return [value]


def test_bad_arguments_are_refused_with_what_was_expected():
    env = StreamExecutionEnvironment.get_execution_environment()
    stream = env.from_collection([1])
    with pytest.raises(TypeError, match="'async_invoke' of NotAsync must be declared 'async def'"):
        AsyncDataStream.ordered_wait(stream, NotAsync(), Time.seconds(1))
    with pytest.raises(ValueError, match="capacity must be a positive int, got 0"):
        AsyncDataStream.ordered_wait(stream, Slow(), Time.seconds(1), capacity=0)
    with pytest.raises(TypeError, match="timeout must be a Time"):
        AsyncDataStream.ordered_wait(stream, Slow(), 1000)


def test_a_result_that_is_not_a_list_names_the_function():
    class Scalar(AsyncFunction):
        async def async_invoke(self, value):
            return value

    env = StreamExecutionEnvironment.get_execution_environment()
    stream = AsyncDataStream.ordered_wait(env.from_collection([5]), Scalar(), Time.seconds(5))
    with pytest.raises(FluvialError, match=r"Scalar.async_invoke\(\) must return a list of outputs"):
        run(stream)


def test_exponential_backoff_delays():
    strategy = ExponentialBackoffDelayRetryStrategy(4, 10, 100, 2.0, None, None)
    assert [strategy.get_backoff_time_millis(attempt) for attempt in range(1, 6)] == [10, 20, 40, 80, 100]
    assert [strategy.can_retry(attempt) for attempt in (4, 5)] == [True, False]
    with pytest.raises(ValueError, match="multiplier should be greater than zero"):
        ExponentialBackoffDelayRetryStrategy(4, 10, 100, 0, None, None)
