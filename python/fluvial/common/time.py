"""Time amounts and points: Duration (java.time.Duration), Time (a window size) and Instant."""

import functools

__all__ = ["Duration", "Instant", "Time"]

_NANOS_PER_MILLI = 1_000_000
_NANOS_PER_SECOND = 1_000_000_000


def _check_int(name: str, value) -> int:
    # bool is an int subclass, but Duration.of_days(True) is surely a mistake.
    if type(value) is not int and (
        not isinstance(value, int) or isinstance(value, bool)
    ):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    return int(value)


@functools.total_ordering
class Duration:
    """An amount of time with nanosecond precision, like java.time.Duration.

    Build one with the `of_*` factories; the constructor takes a count of nanoseconds.

    Examples:
        >>> from fluvial.common import Duration
        >>> Duration.of_minutes(2).to_milliseconds()
        120000
        >>> Duration.of_seconds(60) == Duration.of_minutes(1), Duration.of_millis(5)
        (True, Duration.of_millis(5))
    """

    __slots__ = ("_nanos",)

    def __init__(self, nanos: int = 0) -> None:
        self._nanos = _check_int("nanos", nanos)

    @staticmethod
    def of_days(days: int) -> "Duration":
        return Duration(_check_int("days", days) * 86_400 * _NANOS_PER_SECOND)

    @staticmethod
    def of_hours(hours: int) -> "Duration":
        return Duration(_check_int("hours", hours) * 3_600 * _NANOS_PER_SECOND)

    @staticmethod
    def of_minutes(minutes: int) -> "Duration":
        return Duration(_check_int("minutes", minutes) * 60 * _NANOS_PER_SECOND)

    @staticmethod
    def of_seconds(seconds: int) -> "Duration":
        return Duration(_check_int("seconds", seconds) * _NANOS_PER_SECOND)

    @staticmethod
    def of_millis(millis: int) -> "Duration":
        return Duration(_check_int("millis", millis) * _NANOS_PER_MILLI)

    @staticmethod
    def of_nanos(nanos: int) -> "Duration":
        return Duration(nanos)

    def to_milliseconds(self) -> int:
        """Returns the length in whole milliseconds, rounded toward negative infinity as Java's toMillis."""
        return self._nanos // _NANOS_PER_MILLI

    def to_nanos(self) -> int:
        return self._nanos

    def is_negative(self) -> bool:
        return self._nanos < 0

    def is_zero(self) -> bool:
        return self._nanos == 0

    def __eq__(self, other) -> bool:
        return isinstance(other, Duration) and self._nanos == other._nanos

    def __lt__(self, other: "Duration") -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self._nanos < other._nanos

    def __hash__(self) -> int:
        return hash(("Duration", self._nanos))

    def __reduce__(self):
        return Duration, (self._nanos,)

    def __repr__(self) -> str:
        if self._nanos % _NANOS_PER_MILLI == 0:
            return f"Duration.of_millis({self._nanos // _NANOS_PER_MILLI})"
        return f"Duration.of_nanos({self._nanos})"

    def __str__(self) -> str:
        """Returns the ISO-8601 form Java prints, e.g. PT1H30M or PT-0.5S."""
        if self._nanos == 0:
            return "PT0S"
        sign = "-" if self._nanos < 0 else ""
        total_seconds, nanos = divmod(abs(self._nanos), _NANOS_PER_SECOND)
        hours, rest = divmod(total_seconds, 3_600)
        minutes, seconds = divmod(rest, 60)
        text = "PT"
        if hours:
            text += f"{sign}{hours}H"
        if minutes:
            text += f"{sign}{minutes}M"
        if seconds or nanos:
            text += f"{sign}{seconds}"
            if nanos:
                text += "." + f"{nanos:09d}".rstrip("0")
            text += "S"
        return text


class Time:
    """A time interval in milliseconds, as used for window sizes and slides.

    Examples:
        >>> from fluvial.common import Time
        >>> Time.seconds(5).to_milliseconds(), Time.minutes(1)
        (5000, Time.milliseconds(60000))
    """

    __slots__ = ("_milliseconds",)

    def __init__(self, milliseconds: int) -> None:
        self._milliseconds = _check_int("milliseconds", milliseconds)

    def to_milliseconds(self) -> int:
        return self._milliseconds

    @staticmethod
    def milliseconds(milliseconds: int) -> "Time":
        return Time(milliseconds)

    @staticmethod
    def seconds(seconds: int) -> "Time":
        return Time(_check_int("seconds", seconds) * 1_000)

    @staticmethod
    def minutes(minutes: int) -> "Time":
        return Time(_check_int("minutes", minutes) * 60_000)

    @staticmethod
    def hours(hours: int) -> "Time":
        return Time(_check_int("hours", hours) * 3_600_000)

    @staticmethod
    def days(days: int) -> "Time":
        return Time(_check_int("days", days) * 86_400_000)

    def __eq__(self, other) -> bool:
        return isinstance(other, Time) and self._milliseconds == other._milliseconds

    def __hash__(self) -> int:
        return hash(("Time", self._milliseconds))

    def __reduce__(self):
        return Time, (self._milliseconds,)

    def __repr__(self) -> str:
        return f"Time.milliseconds({self._milliseconds})"

    def __str__(self) -> str:
        return f"{self._milliseconds} ms"


class Instant:
    """A point on the UTC time line: whole seconds since the epoch plus nanoseconds, like java.time.Instant.

    Examples:
        >>> from fluvial.common import Instant
        >>> instant = Instant.of_epoch_milli(1500)
        >>> instant, instant.seconds, instant.nanos, instant.to_epoch_milli()
        (Instant<1, 500000000>, 1, 500000000, 1500)
    """

    __slots__ = ("nanos", "seconds")

    def __init__(self, seconds: int, nanos: int) -> None:
        seconds = _check_int("seconds", seconds)
        nanos = _check_int("nanos", nanos)
        # Normalise so 0 <= nanos < 1e9, as Java does; a negative instant keeps positive nanos.
        extra_seconds, nanos = divmod(nanos, _NANOS_PER_SECOND)
        self.seconds = seconds + extra_seconds
        self.nanos = nanos

    @staticmethod
    def of_epoch_milli(epoch_milli: int) -> "Instant":
        seconds, millis = divmod(_check_int("epoch_milli", epoch_milli), 1_000)
        return Instant(seconds, millis * _NANOS_PER_MILLI)

    def to_epoch_milli(self) -> int:
        """Returns milliseconds since the epoch, rounded toward negative infinity."""
        return self.seconds * 1_000 + self.nanos // _NANOS_PER_MILLI

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Instant)
            and self.seconds == other.seconds
            and self.nanos == other.nanos
        )

    def __hash__(self) -> int:
        return hash(("Instant", self.seconds, self.nanos))

    def __reduce__(self):
        return Instant, (self.seconds, self.nanos)

    def __repr__(self) -> str:
        return f"Instant<{self.seconds}, {self.nanos}>"
