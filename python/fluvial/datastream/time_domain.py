"""TimeDomain (PyFlink's pyflink.datastream.time_domain): which clock fired a timer."""

from enum import Enum

__all__ = ["TimeDomain"]


class TimeDomain(Enum):
    # The values are the ones the engine writes into the keyed cell (_keyed.EVENT_TIME, ...).
    """Whether a timer fired on event time or on processing time.

    Examples:
        >>> from fluvial.common import TimestampAssigner, WatermarkStrategy
        >>> from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment, TimeDomain
        >>> class Remind(KeyedProcessFunction):
        ...     def process_element(self, value, ctx):
        ...         ctx.timer_service().register_event_time_timer(value[1] + 100)
        ...     def on_timer(self, timestamp, ctx):
        ...         yield ctx.get_current_key(), timestamp, ctx.time_domain() == TimeDomain.EVENT_TIME
        >>> class Ts(TimestampAssigner):
        ...     def extract_timestamp(self, value, record_timestamp):
        ...         return value[1]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> events = env.from_collection([("a", 1000)]).assign_timestamps_and_watermarks(
        ...     WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Ts()))
        >>> list(events.key_by(lambda e: e[0]).process(Remind()).execute_and_collect())
        [('a', 1100, True)]
    """

    EVENT_TIME = 0
    PROCESSING_TIME = 1
