"""TimerService (PyFlink's pyflink.datastream.timerservice): the clocks and timers a
keyed function sees through ctx.timer_service()."""

from abc import ABC, abstractmethod

__all__ = ["TimerService"]


class TimerService(ABC):
    """Queries time and registers timers for the key of the element being processed.

    Timers are per key and timestamp: registering the same one twice fires it once.
    Event-time timers fire when the watermark passes them (at the latest when a
    bounded input ends); processing-time timers when the job's clock reaches them.
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
