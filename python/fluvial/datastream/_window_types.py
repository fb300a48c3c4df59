"""The vocabulary of windowing (PyFlink's pyflink.datastream.window): windows,
the Trigger and WindowAssigner contracts, TriggerResult.

Concrete triggers live in _window_triggers.py, concrete assigners in
_window_assigners.py; fluvial.datastream.window re-exports all of them.
"""

import struct
from abc import ABC, abstractmethod
from enum import Enum
from io import BytesIO
from typing import Any, Collection, Generic, Iterable, Optional, TypeVar

from fluvial.common.time import Duration, Time

# Type parameters of Trigger and the assigners, as in PyFlink (`Trigger[T, TimeWindow]`);
# they carry no runtime meaning.
T = TypeVar("T")
W = TypeVar("W")
W2 = TypeVar("W2")

# Java's Long range: the largest timestamp means "never" (global and count windows).
MAX_LONG_VALUE = 2 ** 63 - 1
MIN_LONG_VALUE = -(2 ** 63)


def to_millis(name: str, value: Any) -> int:
    """Returns a Time or Duration argument in milliseconds; other types are an error."""
    if isinstance(value, (Time, Duration)):
        return value.to_milliseconds()
    raise TypeError(f"{name} must be a Time or a Duration, such as Time.seconds(5), "
                    f"got {type(value).__name__} {value!r}")


def require_event_timestamp(assigner: Any, element: Any, timestamp: Optional[int]) -> int:
    """Returns 'timestamp'; None (an element without event time) is the user's mistake."""
    if timestamp is None:
        from fluvial.errors import InvalidJobError

        shown = repr(element)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise InvalidJobError(
            f"{assigner!r} assigns windows by event time, but an element has no timestamp: give "
            f"the source a WatermarkStrategy with a timestamp assigner, or call "
            f"assign_timestamps_and_watermarks() before the window (element: {shown})")
    return timestamp


def check_positive(name: str, millis: int, unit: str = " ms") -> int:
    if millis <= 0:
        raise ValueError(f"{name} must be positive, got {millis}{unit}")
    return millis


# ---------------------------------------------------------------- windows


class Window(ABC):
    """A finite bucket of elements; at max_timestamp() all its elements have arrived.

    Examples:
        >>> from fluvial.datastream.window import CountWindow, GlobalWindow, TimeWindow, Window
        >>> all(isinstance(w, Window) for w in (TimeWindow(0, 10), CountWindow(0), GlobalWindow.get()))
        True
        >>> TimeWindow(0, 10).max_timestamp()
        9
    """

    @abstractmethod
    def max_timestamp(self) -> int:
        pass


class TimeWindow(Window):
    """The time interval [start, end): start inclusive, end exclusive, in epoch milliseconds.

    Examples:
        >>> from fluvial.datastream.window import TimeWindow
        >>> window = TimeWindow(0, 5000)
        >>> window.max_timestamp(), window.intersects(TimeWindow(5000, 6000)), window.cover(TimeWindow(3000, 8000))
        (4999, True, TimeWindow(start=0, end=8000))
        >>> TimeWindow.get_window_start_with_offset(12345, 0, 5000)
        10000
    """

    __slots__ = ("start", "end", "_hash")

    def __init__(self, start: int, end: int):
        self.start = start
        self.end = end
        # Windows are dict keys of every state access: hash once.
        self._hash = hash((start, end))

    def max_timestamp(self) -> int:
        return self.end - 1

    def intersects(self, other: "TimeWindow") -> bool:
        """True if the windows overlap or touch (so sessions [0, 5) and [5, 9) merge)."""
        return self.start <= other.end and self.end >= other.start

    def cover(self, other: "TimeWindow") -> "TimeWindow":
        """The smallest window that contains both."""
        return TimeWindow(min(self.start, other.start), max(self.end, other.end))

    @staticmethod
    def get_window_start_with_offset(timestamp: int, offset: int, window_size: int) -> int:
        """The start of the window of 'window_size' shifted by 'offset' that contains 'timestamp'."""
        # Python's % floors, so negative timestamps land in the window below them too.
        return timestamp - (timestamp - offset + window_size) % window_size

    @staticmethod
    def merge_windows(windows: Iterable["TimeWindow"],
                      callback: "MergingWindowAssigner.MergeCallback") -> None:
        """Calls callback.merge(group, cover) for every group of two or more overlapping windows."""
        group: list = []
        cover: Optional[TimeWindow] = None
        for candidate in sorted(set(windows), key=lambda w: (w.start, w.end)):
            if cover is not None and cover.intersects(candidate):
                cover = cover.cover(candidate)
                group.append(candidate)
                continue
            if len(group) > 1:
                callback.merge(group, cover)
            group, cover = [candidate], candidate
        if len(group) > 1:
            callback.merge(group, cover)

    def __eq__(self, other) -> bool:
        return self is other or (type(other) is TimeWindow and self.start == other.start
                                 and self.end == other.end)

    def __hash__(self) -> int:
        return self._hash

    def __lt__(self, other: "TimeWindow") -> bool:
        if not isinstance(other, TimeWindow):
            return NotImplemented
        return (self.start, self.end) < (other.start, other.end)

    def __reduce__(self):
        return TimeWindow, (self.start, self.end)

    def __repr__(self) -> str:
        return f"TimeWindow(start={self.start}, end={self.end})"


class CountWindow(Window):
    """The id-th window of a key's count windows (count_window()).

    Examples:
        >>> from fluvial.datastream.window import CountWindow
        >>> CountWindow(3), CountWindow(3).id, CountWindow(3) == CountWindow(3)
        (CountWindow(id=3), 3, True)
    """

    __slots__ = ("id",)

    def __init__(self, id: int):
        self.id = id

    def max_timestamp(self) -> int:
        return MAX_LONG_VALUE

    def __eq__(self, other) -> bool:
        return type(other) is CountWindow and self.id == other.id

    def __hash__(self) -> int:
        return hash(("CountWindow", self.id))

    def __reduce__(self):
        return CountWindow, (self.id,)

    def __repr__(self) -> str:
        return f"CountWindow(id={self.id})"


class GlobalWindow(Window):
    """The one window GlobalWindows puts every element of a key into.

    Examples:
        >>> from fluvial.datastream.window import GlobalWindow
        >>> GlobalWindow.get() == GlobalWindow.get(), GlobalWindow.get().max_timestamp()
        (True, 9223372036854775807)
    """

    @staticmethod
    def get() -> "GlobalWindow":
        return GlobalWindow()

    def max_timestamp(self) -> int:
        return MAX_LONG_VALUE

    def __eq__(self, other) -> bool:
        return type(other) is GlobalWindow

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "GlobalWindow"


# Windows as bytes, for the assigners' get_window_serializer() (PyFlink's names).

class TimeWindowSerializer:
    """Writes and reads TimeWindows as bytes (start and end).

    Examples:
        >>> import io
        >>> from fluvial.datastream.window import CountWindow, GlobalWindow, TimeWindowSerializer, TimeWindow
        >>> stream = io.BytesIO()
        >>> TimeWindowSerializer().serialize(TimeWindow(0, 5000), stream)
        >>> TimeWindowSerializer().deserialize(io.BytesIO(stream.getvalue())) == TimeWindow(0, 5000)
        True
    """

    def serialize(self, element: TimeWindow, stream: BytesIO) -> None:
        stream.write(struct.pack(">qq", element.start, element.end))

    def deserialize(self, stream: BytesIO) -> TimeWindow:
        return TimeWindow(*struct.unpack(">qq", stream.read(16)))


class CountWindowSerializer:
    """Writes and reads CountWindows as bytes (the id).

    Examples:
        >>> import io
        >>> from fluvial.datastream.window import CountWindow, GlobalWindow, CountWindowSerializer, TimeWindow
        >>> stream = io.BytesIO()
        >>> CountWindowSerializer().serialize(CountWindow(7), stream)
        >>> CountWindowSerializer().deserialize(io.BytesIO(stream.getvalue())) == CountWindow(7)
        True
    """

    def serialize(self, element: CountWindow, stream: BytesIO) -> None:
        stream.write(struct.pack(">q", element.id))

    def deserialize(self, stream: BytesIO) -> CountWindow:
        return CountWindow(struct.unpack(">q", stream.read(8))[0])


class GlobalWindowSerializer:
    """Writes and reads the GlobalWindow as bytes.

    Examples:
        >>> import io
        >>> from fluvial.datastream.window import CountWindow, GlobalWindow, GlobalWindowSerializer, TimeWindow
        >>> stream = io.BytesIO()
        >>> GlobalWindowSerializer().serialize(GlobalWindow.get(), stream)
        >>> GlobalWindowSerializer().deserialize(io.BytesIO(stream.getvalue())) == GlobalWindow.get()
        True
    """

    def serialize(self, element: GlobalWindow, stream: BytesIO) -> None:
        stream.write(b"\x00")

    def deserialize(self, stream: BytesIO) -> GlobalWindow:
        stream.read(1)
        return GlobalWindow()


# ---------------------------------------------------------------- triggers


class TriggerResult(Enum):
    """What a trigger asks for: evaluate the window (fire), drop its contents (purge), both or neither.

    Firing a window that holds no elements emits nothing.

    Examples:
        >>> from fluvial.datastream.window import TriggerResult
        >>> TriggerResult.FIRE_AND_PURGE.is_fire(), TriggerResult.FIRE_AND_PURGE.is_purge()
        (True, True)
        >>> TriggerResult.CONTINUE.is_fire()
        False
    """

    CONTINUE = (False, False)
    FIRE_AND_PURGE = (True, True)
    FIRE = (True, False)
    PURGE = (False, True)

    def is_fire(self) -> bool:
        return self.value[0]

    def is_purge(self) -> bool:
        return self.value[1]


class Trigger(ABC, Generic[T, W]):
    """Decides when the window of a key (a pane) is evaluated.

    A trigger object serves every key and window of an operator subtask, so it
    keeps no per-window fields: what it must remember goes into
    ctx.get_partitioned_state(descriptor), which is scoped to the key and window.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.window import GlobalWindows, Trigger, TriggerResult
        >>> class OnStop(Trigger):
        ...     def on_element(self, element, timestamp, window, ctx):
        ...         return TriggerResult.FIRE_AND_PURGE if element[1] == "stop" else TriggerResult.CONTINUE
        ...     def on_processing_time(self, time, window, ctx):
        ...         return TriggerResult.CONTINUE
        ...     def on_event_time(self, time, window, ctx):
        ...         return TriggerResult.CONTINUE
        ...     def clear(self, window, ctx):
        ...         pass
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> events = env.from_collection([("k", "a"), ("k", "b"), ("k", "stop"), ("k", "c")])
        >>> windows = events.key_by(lambda e: e[0]).window(GlobalWindows.create()).trigger(OnStop())
        >>> list(windows.reduce(lambda x, y: (x[0], x[1] + y[1])).execute_and_collect())
        [('k', 'abstop')]
    """

    class TriggerContext(ABC):
        """Timers and state of the current key and window, for the trigger's methods."""

        @abstractmethod
        def get_current_processing_time(self) -> int:
            pass

        def get_metric_group(self):
            from fluvial.errors import UnsupportedFeatureError

            raise UnsupportedFeatureError("metric groups are not supported by Fluvial yet")

        @abstractmethod
        def get_current_watermark(self) -> int:
            pass

        @abstractmethod
        def register_processing_time_timer(self, time: int) -> None:
            """on_processing_time(time, window, ...) is called once the clock reaches 'time'."""

        @abstractmethod
        def register_event_time_timer(self, time: int) -> None:
            """on_event_time(time, window, ...) is called once the watermark reaches 'time'."""

        @abstractmethod
        def delete_processing_time_timer(self, time: int) -> None:
            pass

        @abstractmethod
        def delete_event_time_timer(self, time: int) -> None:
            pass

        @abstractmethod
        def get_partitioned_state(self, state_descriptor):
            """The state named by 'state_descriptor' for the current key and window."""

    class OnMergeContext(TriggerContext):
        @abstractmethod
        def merge_partitioned_state(self, state_descriptor) -> None:
            """Merges that (reducing, aggregating or list) state of the merged windows into the new one."""

    @abstractmethod
    def on_element(self, element: Any, timestamp: Optional[int], window: Window,
                   ctx: "Trigger.TriggerContext") -> TriggerResult:
        """Called for every element added to 'window'."""

    @abstractmethod
    def on_processing_time(self, time: int, window: Window,
                           ctx: "Trigger.TriggerContext") -> TriggerResult:
        """Called when a processing-time timer of this window fires."""

    @abstractmethod
    def on_event_time(self, time: int, window: Window,
                      ctx: "Trigger.TriggerContext") -> TriggerResult:
        """Called when an event-time timer of this window fires."""

    def can_merge(self) -> bool:
        """True if on_merge() is implemented, so the trigger works with session windows."""
        return False

    def on_merge(self, window: Window, ctx: "Trigger.OnMergeContext") -> None:
        """Called when windows were merged into 'window' (session windows)."""
        raise NotImplementedError(f"{type(self).__name__} does not support merging windows")

    @abstractmethod
    def clear(self, window: Window, ctx: "Trigger.TriggerContext") -> None:
        """Deletes the trigger's timers and state of 'window' (called when the window is dropped)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


# ---------------------------------------------------------------- assigners


class WindowAssigner(ABC, Generic[T, W]):
    """Assigns each element to zero or more windows; comes with a default trigger.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.window import (EventTimeTrigger, TimeWindow, TimeWindowSerializer,
        ...                                        WindowAssigner)
        >>> class HourOfEvent(WindowAssigner):
        ...     def assign_windows(self, element, timestamp, context):
        ...         start = timestamp - timestamp % 3600000
        ...         return [TimeWindow(start, start + 3600000)]
        ...     def get_default_trigger(self, env):
        ...         return EventTimeTrigger.create()
        ...     def get_window_serializer(self):
        ...         return TimeWindowSerializer()
        ...     def is_event_time(self):
        ...         return True
        >>> HourOfEvent().assign_windows("click", 5400000, None)
        [TimeWindow(start=3600000, end=7200000)]
    """

    class WindowAssignerContext(ABC):
        @abstractmethod
        def get_current_processing_time(self) -> int:
            pass

        @abstractmethod
        def get_runtime_context(self):
            pass

    @abstractmethod
    def assign_windows(self, element: Any, timestamp: Optional[int],
                       context: "WindowAssigner.WindowAssignerContext") -> Collection[Window]:
        """The windows of 'element' ('timestamp' is its event time, None if it has none)."""

    @abstractmethod
    def get_default_trigger(self, env) -> Trigger:
        pass

    def get_window_serializer(self):
        return None

    @abstractmethod
    def is_event_time(self) -> bool:
        """True if windows follow event time (the watermark), False for processing time."""


class MergingWindowAssigner(WindowAssigner[T, W]):
    """An assigner whose windows can merge (sessions).

    Examples:
        >>> from fluvial.common import Time
        >>> from fluvial.datastream.window import EventTimeSessionWindows, MergingWindowAssigner, TimeWindow
        >>> sessions = EventTimeSessionWindows.with_gap(Time.seconds(10))
        >>> isinstance(sessions, MergingWindowAssigner)
        True
        >>> class Show:
        ...     def merge(self, to_be_merged, merge_result):
        ...         print(sorted(w.start for w in to_be_merged), "->", merge_result)
        >>> sessions.merge_windows([TimeWindow(0, 10000), TimeWindow(5000, 15000), TimeWindow(40000, 50000)], Show())
        [0, 5000] -> TimeWindow(start=0, end=15000)
    """

    class MergeCallback(ABC, Generic[W2]):
        @abstractmethod
        def merge(self, to_be_merged: Iterable[Window], merge_result: Window) -> None:
            """Says that the windows 'to_be_merged' become 'merge_result'."""

    @abstractmethod
    def merge_windows(self, windows: Iterable[Window],
                      callback: "MergingWindowAssigner.MergeCallback") -> None:
        """Calls callback.merge() for every group of 'windows' that should become one."""


class SessionWindowTimeGapExtractor(ABC):
    """Gives each element its own session gap (with_dynamic_gap()).

    Examples:
        >>> from fluvial.datastream.window import SessionWindowTimeGapExtractor
        >>> class FromRecord(SessionWindowTimeGapExtractor):
        ...     def extract(self, element):
        ...         return element["gap_ms"]
        >>> # EventTimeSessionWindows.with_dynamic_gap(FromRecord()) asks it for each element's gap
        >>> FromRecord().extract({"user": "a", "gap_ms": 30000})
        30000
    """

    @abstractmethod
    def extract(self, element: Any) -> int:
        """The session gap for 'element', in milliseconds."""
