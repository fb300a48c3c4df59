"""TimerService (PyFlink's pyflink.datastream.timerservice): the clocks and timers a
keyed function sees through ctx.timer_service()."""

from abc import ABC, abstractmethod

__all__ = ["TimerService"]


class TimerService(ABC):
    """Queries time and registers timers for the key of the element being processed.

    Timers are per key and timestamp: registering the same one twice fires it once.
    Event-time timers fire when the watermark passes them (at the latest when a
    bounded input ends); processing-time timers when the job's clock reaches them.

    Examples:
        >>> from fluvial.common import TimestampAssigner, WatermarkStrategy
        >>> from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment
        >>> class Expire(KeyedProcessFunction):
        ...     def process_element(self, value, ctx):
        ...         timers = ctx.timer_service()
        ...         timers.register_event_time_timer(value[1] + 500)
        ...         if value[0] == "b":
        ...             timers.delete_event_time_timer(value[1] + 500)
        ...     def on_timer(self, timestamp, ctx):
        ...         yield ctx.get_current_key(), "expired at", timestamp
        >>> class Ts(TimestampAssigner):
        ...     def extract_timestamp(self, value, record_timestamp):
        ...         return value[1]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> events = env.from_collection([("a", 1000), ("b", 1200)]).assign_timestamps_and_watermarks(
        ...     WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Ts()))
        >>> list(events.key_by(lambda e: e[0]).process(Expire()).execute_and_collect())
        [('a', 'expired at', 1500)]
    """

    @abstractmethod
    def current_processing_time(self) -> int:
        """The job's processing time in epoch milliseconds."""

    @abstractmethod
    def current_watermark(self) -> int:
        """The operator's current event-time watermark in milliseconds."""

    @abstractmethod
    def register_processing_time_timer(self, timestamp: int) -> None:
        """Calls on_timer() when processing time reaches 'timestamp'."""

    @abstractmethod
    def register_event_time_timer(self, timestamp: int) -> None:
        """Calls on_timer() when the watermark reaches 'timestamp'."""

    @abstractmethod
    def delete_processing_time_timer(self, timestamp: int) -> None:
        """Deletes the current key's processing-time timer at 'timestamp', if there is one."""

    @abstractmethod
    def delete_event_time_timer(self, timestamp: int) -> None:
        """Deletes the current key's event-time timer at 'timestamp', if there is one."""
