"""Retry strategies for AsyncDataStream.*_with_retry (PyFlink's
pyflink.datastream.async_retry_strategies): none, a fixed delay, or an exponential backoff.
Attempts count from 1 (the first call); an attempt may be retried while
can_retry(attempts) holds and the strategy's predicate asks for it.

Examples:
    >>> from fluvial.datastream.async_retry_strategies import ExponentialBackoffDelayRetryStrategy
    >>> strategy = ExponentialBackoffDelayRetryStrategy(5, 100, 1000, 3.0, None, None)
    >>> [strategy.get_backoff_time_millis(attempt) for attempt in (1, 2, 3, 4)]
    [100, 300, 900, 1000]
"""

from typing import Callable, Generic, List, Optional, TypeVar

from fluvial.datastream._async_functions import AsyncRetryPredicate, AsyncRetryStrategy

OUT = TypeVar("OUT")

__all__ = ["ExponentialBackoffDelayRetryStrategy", "FixedDelayRetryStrategy", "NoRetryStrategy",
           "RetryPredicate"]


def _positive(name: str, value) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} should be greater than zero, got {value!r}")


class RetryPredicate(AsyncRetryPredicate, Generic[OUT]):
    """A result predicate and an exception predicate (either may be None).

    Examples:
        >>> from fluvial.datastream.async_retry_strategies import RetryPredicate
        >>> RetryPredicate(None, lambda error: True).exception_predicate()(OSError())
        True
    """

    def __init__(self, result_predicate: Optional[Callable[[List[OUT]], bool]],
                 exception_predicate: Optional[Callable[[Exception], bool]]):
        self._result_predicate = result_predicate
        self._exception_predicate = exception_predicate

    def result_predicate(self) -> Optional[Callable[[List[OUT]], bool]]:
        return self._result_predicate

    def exception_predicate(self) -> Optional[Callable[[Exception], bool]]:
        return self._exception_predicate


class NoRetryStrategy(AsyncRetryStrategy, Generic[OUT]):
    """Never retries.

    Examples:
        >>> from fluvial.datastream.async_retry_strategies import NO_RETRY_STRATEGY
        >>> NO_RETRY_STRATEGY.can_retry(1), NO_RETRY_STRATEGY.get_backoff_time_millis(1)
        (False, -1)
    """

    def can_retry(self, current_attempts: int) -> bool:
        return False

    def get_backoff_time_millis(self, current_attempts: int) -> int:
        return -1

    def get_retry_predicate(self) -> AsyncRetryPredicate[OUT]:
        return RetryPredicate(None, None)


class FixedDelayRetryStrategy(AsyncRetryStrategy, Generic[OUT]):
    """Up to 'max_attempts' retries, each 'backoff_time_millis' after the failed attempt.

    Examples:
        >>> from fluvial.datastream.async_retry_strategies import FixedDelayRetryStrategy
        >>> strategy = FixedDelayRetryStrategy(2, 500, None, None)
        >>> [strategy.can_retry(n) for n in (1, 2, 3)], strategy.get_backoff_time_millis(2)
        ([True, True, False], 500)
    """

    def __init__(self, max_attempts: int, backoff_time_millis: int,
                 result_predicate: Optional[Callable[[List[OUT]], bool]],
                 exception_predicate: Optional[Callable[[Exception], bool]]):
        _positive("max_attempts", max_attempts)
        _positive("backoff_time_millis", backoff_time_millis)
        self._max_attempts = max_attempts
        self._backoff_time_millis = backoff_time_millis
        self._predicate = RetryPredicate(result_predicate, exception_predicate)

    def can_retry(self, current_attempts: int) -> bool:
        return current_attempts <= self._max_attempts

    def get_backoff_time_millis(self, current_attempts: int) -> int:
        return self._backoff_time_millis

    def get_retry_predicate(self) -> AsyncRetryPredicate[OUT]:
        return self._predicate


class ExponentialBackoffDelayRetryStrategy(AsyncRetryStrategy, Generic[OUT]):
    """Up to 'max_attempts' retries; the delay starts at 'initial_delay' and is multiplied
    by 'multiplier' after each retry, up to 'max_retry_delay' (milliseconds).

    Examples:
        >>> from fluvial.datastream.async_retry_strategies import ExponentialBackoffDelayRetryStrategy
        >>> strategy = ExponentialBackoffDelayRetryStrategy(3, 50, 150, 2.0, None, None)
        >>> [strategy.get_backoff_time_millis(n) for n in (1, 2, 3)]
        [50, 100, 150]
    """

    def __init__(self, max_attempts: int, initial_delay: int, max_retry_delay: int, multiplier: float,
                 result_predicate: Optional[Callable[[List[OUT]], bool]],
                 exception_predicate: Optional[Callable[[Exception], bool]]):
        for name, value in (("max_attempts", max_attempts), ("initial_delay", initial_delay),
                            ("max_retry_delay", max_retry_delay), ("multiplier", multiplier)):
            _positive(name, value)
        self._max_attempts = max_attempts
        self._initial_delay = initial_delay
        self._max_retry_delay = max_retry_delay
        self._multiplier = multiplier
        self._predicate = RetryPredicate(result_predicate, exception_predicate)

    def can_retry(self, current_attempts: int) -> bool:
        return current_attempts <= self._max_attempts

    def get_backoff_time_millis(self, current_attempts: int) -> int:
        # The delay before retry n: initial * multiplier^(n-1), capped (a pure function of
        # the attempt, so concurrent records do not share a running delay).
        delay = self._initial_delay * self._multiplier ** max(current_attempts - 1, 0)
        return int(min(delay, self._max_retry_delay))

    def get_retry_predicate(self) -> AsyncRetryPredicate[OUT]:
        return self._predicate


NO_RETRY_STRATEGY: AsyncRetryStrategy = NoRetryStrategy()
