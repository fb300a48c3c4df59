"""Restart strategies (PyFlink's pyflink.common.restart_strategy): how often and how soon a
failed job is restarted, in the same process, from its latest complete checkpoint."""

import random
import re
import time
from datetime import timedelta
from typing import Optional, Union

__all__ = ["RestartStrategies", "RestartStrategyConfiguration"]

_UNITS_MS = {"ms": 1, "milli": 1, "millis": 1, "millisecond": 1, "milliseconds": 1,
             "s": 1000, "sec": 1000, "secs": 1000, "second": 1000, "seconds": 1000,
             "min": 60_000, "m": 60_000, "minute": 60_000, "minutes": 60_000,
             "h": 3_600_000, "hour": 3_600_000, "hours": 3_600_000}


def parse_duration_ms(text: str, key: str) -> int:
    """Milliseconds of a Flink duration string ('10 s', '500 ms', '1 min', '250')."""
    match = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", str(text))
    if match is None or (match.group(2) and match.group(2).lower() not in _UNITS_MS):
        raise ValueError(f"configuration '{key}': expected a duration such as '10 s' or "
                         f"'500 ms', got {text!r}")
    return int(match.group(1)) * _UNITS_MS[match.group(2).lower() or "ms"]


def _millis(value: Union[int, timedelta], name: str) -> int:
    if isinstance(value, timedelta):
        return int(value.total_seconds() * 1000)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError(f"{name} must be a timedelta or non-negative milliseconds, got {value!r}")


class RestartStrategyConfiguration:
    """Base of the restart strategy configurations.

    Examples:
        >>> from fluvial.common.restart_strategy import RestartStrategies, RestartStrategyConfiguration
        >>> isinstance(RestartStrategies.no_restart(), RestartStrategyConfiguration)
        True
    """

    def get_description(self) -> str:
        raise NotImplementedError

    def _new_policy(self) -> "_RestartPolicy":
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.get_description()


class _RestartPolicy:
    """One job run's restart decisions: next_delay() after each failure, or None to give up."""

    def next_delay(self) -> Optional[float]:
        raise NotImplementedError


class _NoRestart(_RestartPolicy):
    def next_delay(self) -> Optional[float]:
        return None


class RestartStrategies:
    """Factories of the restart strategies (``env.set_restart_strategy(...)``).

    Examples:
        >>> from datetime import timedelta
        >>> from fluvial.common.restart_strategy import RestartStrategies
        >>> strategy = RestartStrategies.fixed_delay_restart(3, timedelta(seconds=2))
        >>> strategy.get_restart_attempts(), strategy.get_delay_between_attempts_interval()
        (3, datetime.timedelta(seconds=2))
    """

    class NoRestartStrategyConfiguration(RestartStrategyConfiguration):
        def get_description(self) -> str:
            return "Restart deactivated."

        def _new_policy(self) -> _RestartPolicy:
            return _NoRestart()

    class FallbackRestartStrategyConfiguration(RestartStrategyConfiguration):
        """Uses the strategy of the configuration (restart-strategy.type), else none."""

        def get_description(self) -> str:
            return "Cluster level default restart strategy"

        def _new_policy(self) -> _RestartPolicy:
            return _NoRestart()

    class FixedDelayRestartStrategyConfiguration(RestartStrategyConfiguration):
        def __init__(self, restart_attempts: int, delay_between_attempts_interval_ms: int):
            if not isinstance(restart_attempts, int) or restart_attempts < 0:
                raise ValueError(f"restart_attempts must be a non-negative int, got {restart_attempts!r}")
            self._attempts = restart_attempts
            self._delay_ms = delay_between_attempts_interval_ms

        def get_restart_attempts(self) -> int:
            return self._attempts

        def get_delay_between_attempts_interval(self) -> timedelta:
            return timedelta(milliseconds=self._delay_ms)

        def get_description(self) -> str:
            return (f"Restart with fixed delay ({self._delay_ms} ms). #{self._attempts} "
                    f"restart attempts.")

        def _new_policy(self) -> _RestartPolicy:
            attempts, delay = self._attempts, self._delay_ms / 1000

            class Policy(_RestartPolicy):
                used = 0

                def next_delay(self):
                    if self.used >= attempts:
                        return None
                    self.used += 1
                    return delay
            return Policy()

    class FailureRateRestartStrategyConfiguration(RestartStrategyConfiguration):
        def __init__(self, max_failure_rate: int, failure_interval_ms: int, delay_between_attempts_interval_ms: int):
            if not isinstance(max_failure_rate, int) or max_failure_rate < 1:
                raise ValueError(f"failure_rate must be a positive int, got {max_failure_rate!r}")
            self._rate = max_failure_rate
            self._interval_ms = failure_interval_ms
            self._delay_ms = delay_between_attempts_interval_ms

        def get_max_failure_rate(self) -> int:
            return self._rate

        def get_failure_interval(self) -> timedelta:
            return timedelta(milliseconds=self._interval_ms)

        def get_delay_between_attempts_interval(self) -> timedelta:
            return timedelta(milliseconds=self._delay_ms)

        def get_description(self) -> str:
            return (f"Failure rate restart with maximum of {self._rate} failures within interval "
                    f"{self._interval_ms} ms and fixed delay {self._delay_ms} ms.")

        def _new_policy(self) -> _RestartPolicy:
            rate, interval, delay = self._rate, self._interval_ms / 1000, self._delay_ms / 1000

            class Policy(_RestartPolicy):
                def __init__(self):
                    self.failures = []

                def next_delay(self):
                    now = time.monotonic()
                    self.failures = [t for t in self.failures if now - t < interval] + [now]
                    # As Flink: the job fails once more than 'rate' failures fall in the interval.
                    return None if len(self.failures) > rate else delay
            return Policy()

    class ExponentialDelayRestartStrategyConfiguration(RestartStrategyConfiguration):
        def __init__(self, initial_backoff_ms: int, max_backoff_ms: int, backoff_multiplier: float,
                     reset_backoff_threshold_ms: int, jitter_factor: float, attempts: Optional[int] = None):
            if backoff_multiplier < 1:
                raise ValueError(f"backoff_multiplier must be at least 1, got {backoff_multiplier!r}")
            if not 0 <= jitter_factor <= 1:
                raise ValueError(f"jitter_factor must be in [0, 1], got {jitter_factor!r}")
            self._initial_ms = initial_backoff_ms
            self._max_ms = max_backoff_ms
            self._multiplier = backoff_multiplier
            self._reset_ms = reset_backoff_threshold_ms
            self._jitter = jitter_factor
            self._attempts = attempts

        def get_initial_backoff(self) -> timedelta:
            return timedelta(milliseconds=self._initial_ms)

        def get_max_backoff(self) -> timedelta:
            return timedelta(milliseconds=self._max_ms)

        def get_backoff_multiplier(self) -> float:
            return self._multiplier

        def get_reset_backoff_threshold(self) -> timedelta:
            return timedelta(milliseconds=self._reset_ms)

        def get_jitter_factor(self) -> float:
            return self._jitter

        def get_description(self) -> str:
            return (f"Restart with exponential delay: starting at {self._initial_ms} ms, increasing "
                    f"by {self._multiplier}, with maximum {self._max_ms} ms. Delay resets after "
                    f"{self._reset_ms} ms with jitter {self._jitter}")

        def _new_policy(self) -> _RestartPolicy:
            config = self

            class Policy(_RestartPolicy):
                backoff = config._initial_ms
                last_failure = None
                used = 0

                def next_delay(self):
                    now = time.monotonic()
                    if self.last_failure is not None and (now - self.last_failure) * 1000 >= config._reset_ms:
                        self.backoff = config._initial_ms  # ran long enough: start over
                    self.last_failure = now
                    if config._attempts is not None and self.used >= config._attempts:
                        return None
                    self.used += 1
                    delay = self.backoff
                    self.backoff = min(self.backoff * config._multiplier, config._max_ms)
                    jitter = delay * config._jitter
                    return max(0.0, delay + random.uniform(-jitter, jitter)) / 1000
            return Policy()

    @staticmethod
    def no_restart() -> "RestartStrategies.NoRestartStrategyConfiguration":
        return RestartStrategies.NoRestartStrategyConfiguration()

    @staticmethod
    def fall_back_restart() -> "RestartStrategies.FallbackRestartStrategyConfiguration":
        return RestartStrategies.FallbackRestartStrategyConfiguration()

    @staticmethod
    def fixed_delay_restart(restart_attempts: int, delay_between_attempts: Union[int, timedelta]
                            ) -> "RestartStrategies.FixedDelayRestartStrategyConfiguration":
        return RestartStrategies.FixedDelayRestartStrategyConfiguration(
            restart_attempts, _millis(delay_between_attempts, "delay_between_attempts"))

    @staticmethod
    def failure_rate_restart(failure_rate: int, failure_interval: Union[int, timedelta],
                             delay_interval: Union[int, timedelta]
                             ) -> "RestartStrategies.FailureRateRestartStrategyConfiguration":
        return RestartStrategies.FailureRateRestartStrategyConfiguration(
            failure_rate, _millis(failure_interval, "failure_interval"),
            _millis(delay_interval, "delay_interval"))

    @staticmethod
    def exponential_delay_restart(initial_backoff: Union[int, timedelta], max_backoff: Union[int, timedelta],
                                  backoff_multiplier: float, reset_backoff_threshold: Union[int, timedelta],
                                  jitter_factor: float
                                  ) -> "RestartStrategies.ExponentialDelayRestartStrategyConfiguration":
        return RestartStrategies.ExponentialDelayRestartStrategyConfiguration(
            _millis(initial_backoff, "initial_backoff"), _millis(max_backoff, "max_backoff"),
            backoff_multiplier, _millis(reset_backoff_threshold, "reset_backoff_threshold"),
            jitter_factor)


def from_configuration(get) -> Optional[RestartStrategyConfiguration]:
    """The strategy the restart-strategy.* keys describe ('get' reads a key), or None."""
    kind = (get("restart-strategy.type") or get("restart-strategy") or "").strip().lower()
    if not kind:
        return None
    if kind in ("none", "off", "disable", "no-restart"):
        return RestartStrategies.no_restart()

    def duration(key: str, default: str) -> int:
        return parse_duration_ms(get(key) or default, key)

    def integer(key: str, default: str) -> int:
        value = get(key) or default
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"configuration '{key}': expected an integer, got {value!r}") from None

    if kind in ("fixed-delay", "fixeddelay"):
        return RestartStrategies.fixed_delay_restart(
            integer("restart-strategy.fixed-delay.attempts", "1"),
            duration("restart-strategy.fixed-delay.delay", "1 s"))
    if kind in ("failure-rate", "failurerate"):
        return RestartStrategies.failure_rate_restart(
            integer("restart-strategy.failure-rate.max-failures-per-interval", "1"),
            duration("restart-strategy.failure-rate.failure-rate-interval", "1 min"),
            duration("restart-strategy.failure-rate.delay", "1 s"))
    if kind in ("exponential-delay", "exponentialdelay"):
        prefix = "restart-strategy.exponential-delay."
        attempts = get(prefix + "attempts-before-reset-backoff")
        return RestartStrategies.ExponentialDelayRestartStrategyConfiguration(
            duration(prefix + "initial-backoff", "1 s"), duration(prefix + "max-backoff", "1 min"),
            float(get(prefix + "backoff-multiplier") or 2.0),
            duration(prefix + "reset-backoff-threshold", "1 h"),
            float(get(prefix + "jitter-factor") or 0.1),
            int(attempts) if attempts else None)
    raise ValueError(f"configuration 'restart-strategy.type': expected none, fixed-delay, "
                     f"failure-rate or exponential-delay, got {kind!r}")
