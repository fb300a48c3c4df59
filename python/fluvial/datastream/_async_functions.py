"""The function classes of async I/O (PyFlink 2.x): AsyncFunction, and the retry
strategy and predicate interfaces that AsyncDataStream's *_with_retry methods take."""

from abc import ABC, abstractmethod
from typing import Callable, Generic, List, Optional, TypeVar

from fluvial.datastream.functions import Function

IN = TypeVar("IN")
OUT = TypeVar("OUT")

__all__ = ["AsyncFunction", "AsyncRetryPredicate", "AsyncRetryStrategy"]


class AsyncFunction(Function, Generic[IN, OUT]):
    """Starts an asynchronous operation per record: `async def async_invoke(value)` returns
    the list of outputs; timeout(value) gives the outputs when it takes too long (by default
    it raises TimeoutError, which fails the job).

    Examples:
        >>> import asyncio
        >>> from fluvial.datastream import AsyncFunction
        >>> class Lookup(AsyncFunction[int, str]):
        ...     async def async_invoke(self, value):
        ...         await asyncio.sleep(0)  # e.g. an HTTP request
        ...         return [f"looked up {value}"]
        >>> asyncio.run(Lookup().async_invoke(7))
        ['looked up 7']
    """

    @abstractmethod
    async def async_invoke(self, value: IN) -> List[OUT]:
        pass

    def timeout(self, value: IN) -> List[OUT]:
        raise TimeoutError("Async function call has timed out for input: " + str(value))


class AsyncRetryPredicate(ABC, Generic[OUT]):
    """When an attempt is retried: on a result (result_predicate) or an exception
    (exception_predicate); either may be None.

    Examples:
        >>> from fluvial.datastream.async_retry_strategies import RetryPredicate
        >>> predicate = RetryPredicate(lambda result: not result, None)
        >>> predicate.result_predicate()([]), predicate.exception_predicate() is None
        (True, True)
    """

    @abstractmethod
    def result_predicate(self) -> Optional[Callable[[List[OUT]], bool]]:
        pass

    @abstractmethod
    def exception_predicate(self) -> Optional[Callable[[Exception], bool]]:
        pass


class AsyncRetryStrategy(ABC, Generic[OUT]):
    """How often and after what delay a failed attempt is tried again.

    Examples:
        >>> from fluvial.datastream import AsyncRetryStrategy
        >>> strategy = AsyncRetryStrategy.fixed_delay(3, 100, None, lambda error: True)
        >>> strategy.can_retry(3), strategy.can_retry(4), strategy.get_backoff_time_millis(1)
        (True, False, 100)
        >>> AsyncRetryStrategy.no_restart().can_retry(1)
        False
    """

    @abstractmethod
    def can_retry(self, current_attempts: int) -> bool:
        pass

    @abstractmethod
    def get_backoff_time_millis(self, current_attempts: int) -> int:
        pass

    @abstractmethod
    def get_retry_predicate(self) -> AsyncRetryPredicate[OUT]:
        pass

    @staticmethod
    def no_restart() -> "AsyncRetryStrategy":
        from fluvial.datastream import async_retry_strategies

        return async_retry_strategies.NO_RETRY_STRATEGY

    @staticmethod
    def fixed_delay(max_attempts: int, backoff_time_millis: int,
                    result_predicate: Optional[Callable[[List[OUT]], bool]],
                    exception_predicate: Optional[Callable[[Exception], bool]]) -> "AsyncRetryStrategy":
        from fluvial.datastream.async_retry_strategies import FixedDelayRetryStrategy

        return FixedDelayRetryStrategy(max_attempts, backoff_time_millis, result_predicate, exception_predicate)
