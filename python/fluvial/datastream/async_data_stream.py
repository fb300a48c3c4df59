"""Async I/O (PyFlink 2.x's AsyncDataStream): an AsyncFunction's coroutine runs per record,
up to 'capacity' at once on the subtask's event loop, each within 'timeout' (retries
included), retried as an AsyncRetryStrategy says; a record whose time runs out gets
AsyncFunction.timeout(record)'s outputs.

The records of one batch the engine hands over are started together and their outputs
emitted in input order. That order is what ordered_wait promises, and one of the orders
unordered_wait allows (it only permits reordering), so both modes give the same output."""

import asyncio
import inspect
from typing import Any, List, Optional

from fluvial.common.time import Time
from fluvial.common.typeinfo import TypeInformation
from fluvial.datastream import async_retry_strategies
from fluvial.datastream._async_functions import AsyncFunction, AsyncRetryStrategy
from fluvial.datastream.functions import MapFunction, RuntimeContext

__all__ = ["AsyncDataStream"]


class AsyncDataStream:
    """Applies an AsyncFunction to a DataStream.

    Examples:
        >>> import asyncio
        >>> from fluvial.common import Time, Types
        >>> from fluvial.datastream import AsyncDataStream, AsyncFunction, StreamExecutionEnvironment
        >>> class Square(AsyncFunction):
        ...     async def async_invoke(self, value):
        ...         await asyncio.sleep(0.01 * (3 - value))  # the last request answers first
        ...         return [value * value]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> squares = AsyncDataStream.ordered_wait(env.from_collection([1, 2, 3]), Square(), Time.seconds(5),
        ...                                        capacity=10, output_type=Types.INT())
        >>> sorted(squares.execute_and_collect())
        [1, 4, 9]
    """

    @staticmethod
    def unordered_wait(data_stream, async_function: AsyncFunction, timeout: Time, capacity: int = 100,
                       output_type: Optional[TypeInformation] = None):
        """Outputs may come in any order (here: input order)."""
        return AsyncDataStream.unordered_wait_with_retry(
            data_stream, async_function, timeout, async_retry_strategies.NO_RETRY_STRATEGY, capacity, output_type)

    @staticmethod
    def unordered_wait_with_retry(data_stream, async_function: AsyncFunction, timeout: Time,
                                  async_retry_strategy: AsyncRetryStrategy, capacity: int = 100,
                                  output_type: Optional[TypeInformation] = None):
        """unordered_wait, retrying attempts as 'async_retry_strategy' says."""
        return _async_wait(data_stream, async_function, timeout, async_retry_strategy, capacity, output_type)

    @staticmethod
    def ordered_wait(data_stream, async_function: AsyncFunction, timeout: Time, capacity: int = 100,
                     output_type: Optional[TypeInformation] = None):
        """Outputs in the order of the input records."""
        return AsyncDataStream.ordered_wait_with_retry(
            data_stream, async_function, timeout, async_retry_strategies.NO_RETRY_STRATEGY, capacity, output_type)

    @staticmethod
    def ordered_wait_with_retry(data_stream, async_function: AsyncFunction, timeout: Time,
                                async_retry_strategy: AsyncRetryStrategy, capacity: int = 100,
                                output_type: Optional[TypeInformation] = None):
        """ordered_wait, retrying attempts as 'async_retry_strategy' says."""
        return _async_wait(data_stream, async_function, timeout, async_retry_strategy, capacity, output_type)


def _async_wait(data_stream, function, timeout, strategy, capacity, output_type):
    if not isinstance(function, AsyncFunction):
        raise TypeError(f"AsyncDataStream expects an AsyncFunction, got {type(function).__name__}")
    if not inspect.iscoroutinefunction(function.async_invoke):
        raise TypeError(f"method 'async_invoke' of {type(function).__name__} must be declared 'async def'")
    if not isinstance(timeout, Time):
        raise TypeError(f"AsyncDataStream: timeout must be a Time such as Time.seconds(10), got {timeout!r}")
    if not isinstance(strategy, AsyncRetryStrategy):
        raise TypeError(f"AsyncDataStream: async_retry_strategy must be an AsyncRetryStrategy such as "
                        f"AsyncRetryStrategy.fixed_delay(...), got {strategy!r}")
    if strategy is not async_retry_strategies.NO_RETRY_STRATEGY and timeout.to_milliseconds() <= 0:
        raise ValueError("AsyncDataStream: a timeout > 0 is needed to retry")
    if strategy.get_retry_predicate() is None:
        raise ValueError(f"AsyncDataStream: the retry predicate of {type(strategy).__name__} is None")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity <= 0:
        raise ValueError(f"AsyncDataStream: capacity must be a positive int, got {capacity!r}")
    waiting = data_stream.map(_AsyncWait(function, timeout.to_milliseconds(), capacity, strategy))
    waiting.name("async wait operator")
    return waiting.flat_map(_flatten, output_type=output_type)


def _flatten(outputs: List[Any]) -> List[Any]:
    return outputs


class _AsyncWait(MapFunction):
    """Per batch: every record's attempts, concurrently (at most 'capacity'), in input order."""

    def __init__(self, function: AsyncFunction, timeout_ms: int, capacity: int, strategy: AsyncRetryStrategy):
        self._function = function
        self._timeout = timeout_ms / 1000 if timeout_ms > 0 else None
        self._capacity = capacity
        self._strategy = strategy
        self._loop = None

    def open(self, runtime_context: RuntimeContext) -> None:
        self._loop = asyncio.new_event_loop()
        self._function.open(runtime_context)

    def close(self) -> None:
        try:
            self._function.close()
        finally:
            if self._loop is not None:
                self._loop.close()

    def map(self, value: Any) -> List[Any]:
        return self.map_batch([value])[0]

    def map_batch(self, values: List[Any]) -> List[List[Any]]:
        return self._loop.run_until_complete(self._all(values))

    async def _all(self, values: List[Any]) -> List[List[Any]]:
        slots = asyncio.Semaphore(self._capacity)

        async def one(value):
            async with slots:
                return await self._attempts(value)

        return list(await asyncio.gather(*(one(value) for value in values)))

    async def _attempts(self, value: Any) -> List[Any]:
        loop = asyncio.get_running_loop()
        deadline = None if self._timeout is None else loop.time() + self._timeout
        predicate = self._strategy.get_retry_predicate()
        retry_on_result, retry_on_error = predicate.result_predicate(), predicate.exception_predicate()
        attempts = 0
        while True:
            attempts += 1
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return self._timed_out(value)
            task = asyncio.ensure_future(self._function.async_invoke(value))
            done, _ = await asyncio.wait({task}, timeout=remaining)
            if not done:
                task.cancel()
                return self._timed_out(value)
            error = task.exception()
            if error is not None:
                if retry_on_error is not None and retry_on_error(error) and self._strategy.can_retry(attempts):
                    await self._back_off(attempts, deadline)
                    continue
                raise error
            result = _as_list(task.result(), self._function)
            if retry_on_result is not None and retry_on_result(result) and self._strategy.can_retry(attempts):
                await self._back_off(attempts, deadline)
                continue
            return result

    async def _back_off(self, attempts: int, deadline: Optional[float]) -> None:
        delay = max(self._strategy.get_backoff_time_millis(attempts), 0) / 1000
        if deadline is not None:
            delay = min(delay, max(deadline - asyncio.get_running_loop().time(), 0))
        await asyncio.sleep(delay)

    def _timed_out(self, value: Any) -> List[Any]:
        return _as_list(self._function.timeout(value), self._function, "timeout")


def _as_list(result: Any, function: AsyncFunction, method: str = "async_invoke") -> List[Any]:
    if isinstance(result, (list, tuple)):
        return list(result)
    raise TypeError(f"{type(function).__name__}.{method}() must return a list of outputs (a collection even "
                    f"for one output), got {type(result).__name__} {result!r}")
