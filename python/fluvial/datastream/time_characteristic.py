"""TimeCharacteristic (Flink 1.x's pyflink.datastream.TimeCharacteristic), accepted.

Flink deprecated the stream-wide time characteristic in 1.12 and removed it in 2.0: each
window assigner and timer names its own time (TumblingEventTimeWindows,
register_processing_time_timer, ...), and event time works wherever timestamps are
assigned. Fluvial behaves that way too, so `set_stream_time_characteristic()` is accepted
and changes nothing; Flink 1.x programs run unmodified.

Examples:
    >>> from fluvial.datastream import StreamExecutionEnvironment
    >>> from fluvial.datastream.time_characteristic import TimeCharacteristic
    >>> env = StreamExecutionEnvironment.get_execution_environment()
    >>> env.set_stream_time_characteristic(TimeCharacteristic.EventTime)
    >>> env.get_stream_time_characteristic()
    <TimeCharacteristic.EventTime: 2>
"""

from enum import Enum

__all__ = ["TimeCharacteristic"]


class TimeCharacteristic(Enum):
    """Processing, ingestion or event time (Flink 1.x's stream-wide setting).

    Examples:
        >>> from fluvial.datastream.time_characteristic import TimeCharacteristic
        >>> [c.name for c in TimeCharacteristic]
        ['ProcessingTime', 'IngestionTime', 'EventTime']
    """

    ProcessingTime = 0
    IngestionTime = 1
    EventTime = 2
