"""WatermarkStrategy and TimestampAssigner (PyFlink's pyflink.common.watermark_strategy).

A strategy gives each record its event time (the TimestampAssigner) and says
how far behind the largest timestamp seen the watermark trails: 0 for
monotonous timestamps, the given bound for out-of-order ones, no watermarks at
all (but the final one at the end of a bounded input) for no_watermarks().
The engine applies it per source subtask (cpp/python/timestamp_assigner.cc), and per
split for sources whose readers name each record's split (KafkaSource: one watermark per
partition, the subtask's is the minimum over its partitions that are not idle).
"""

from abc import ABC, abstractmethod
from typing import Any, Optional

from fluvial.common.time import Duration

__all__ = ["TimestampAssigner", "WatermarkStrategy"]


class TimestampAssigner(ABC):
    """Extracts the event time of a record (WatermarkStrategy.with_timestamp_assigner()).

    Examples:
        >>> from fluvial.common import Duration, TimestampAssigner, WatermarkStrategy
        >>> class FromField(TimestampAssigner):
        ...     def extract_timestamp(self, value, record_timestamp):
        ...         return value["ts"]
        >>> FromField().extract_timestamp({"user": "alice", "ts": 1700000000000}, 0)
        1700000000000
        >>> strategy = (WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(5))
        ...             .with_timestamp_assigner(FromField()))
    """

    @abstractmethod
    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        """Returns the event time of 'value' in epoch milliseconds."""


class WatermarkStrategy:
    """How a source assigns event time: a timestamp assigner and how far watermarks lag behind.

    Examples:
        >>> from fluvial.common import Time, TimestampAssigner, WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.window import TumblingEventTimeWindows
        >>> class SecondField(TimestampAssigner):
        ...     def extract_timestamp(self, value, record_timestamp):
        ...         return value[1]
        >>> strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(SecondField())
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> clicks = env.from_collection([("a", 1000), ("a", 4000), ("a", 6000)])
        >>> per_5s = (clicks.assign_timestamps_and_watermarks(strategy)
        ...           .key_by(lambda click: click[0])
        ...           .window(TumblingEventTimeWindows.of(Time.seconds(5)))
        ...           .reduce(lambda x, y: (x[0], x[1] + y[1])))
        >>> list(per_5s.execute_and_collect())
        [('a', 5000), ('a', 6000)]
    """

    def __init__(self, kind: str, max_out_of_orderness: Optional[Duration] = None):
        self._kind = kind
        self._max_out_of_orderness = max_out_of_orderness
        self._timestamp_assigner: Optional[TimestampAssigner] = None
        self._idleness: Optional[Duration] = None

    @staticmethod
    def for_monotonous_timestamps() -> "WatermarkStrategy":
        """Watermarks for timestamps that never decrease."""
        return WatermarkStrategy("monotonous", Duration.of_millis(0))

    @staticmethod
    def for_bounded_out_of_orderness(max_out_of_orderness: Duration) -> "WatermarkStrategy":
        """Watermarks trailing the largest timestamp seen by 'max_out_of_orderness'."""
        if not isinstance(max_out_of_orderness, Duration):
            raise TypeError(f"max_out_of_orderness must be a Duration, such as Duration.of_seconds(5), "
                            f"got {max_out_of_orderness!r}")
        return WatermarkStrategy("bounded_out_of_orderness", max_out_of_orderness)

    @staticmethod
    def no_watermarks() -> "WatermarkStrategy":
        return WatermarkStrategy("none")

    @staticmethod
    def for_generator(generator_supplier) -> "WatermarkStrategy":
        from fluvial.errors import UnsupportedFeatureError

        raise UnsupportedFeatureError(
            "WatermarkStrategy.for_generator(): custom watermark generators are not supported by "
            "Fluvial yet; use for_bounded_out_of_orderness() or for_monotonous_timestamps()")

    def with_timestamp_assigner(self, timestamp_assigner: TimestampAssigner) -> "WatermarkStrategy":
        if not isinstance(timestamp_assigner, TimestampAssigner):
            raise TypeError(f"with_timestamp_assigner() expects a TimestampAssigner, got "
                            f"{type(timestamp_assigner).__name__}: subclass TimestampAssigner and "
                            f"implement extract_timestamp(value, record_timestamp)")
        self._timestamp_assigner = timestamp_assigner
        return self

    def with_idleness(self, idle_timeout: Duration) -> "WatermarkStrategy":
        """Marks a source subtask idle after 'idle_timeout' without records, so event time
        downstream moves on without it until it sends records again; for a source with
        watermarks per split (KafkaSource), a partition without records for that long
        stops holding the subtask's watermark back."""
        if not isinstance(idle_timeout, Duration) or idle_timeout.to_milliseconds() <= 0:
            raise ValueError(f"with_idleness() needs a positive Duration, got {idle_timeout!r}")
        self._idleness = idle_timeout
        return self

    def __repr__(self) -> str:
        return f"WatermarkStrategy({self._kind})"
