"""The built-in window assigners (PyFlink's names): which windows an element belongs to.

Sizes, slides, gaps and offsets are Time or Duration values (kept in ms);
count assigners take ints. Arguments are checked when the assigner is built,
so a bad window fails where it is defined, not when the job runs.
"""

from typing import Any, Collection, Dict, List, Optional

from fluvial.datastream._window_triggers import (
    CountTrigger,
    EventTimeTrigger,
    NeverTrigger,
    ProcessingTimeTrigger,
)
from fluvial.datastream._window_types import (
    CountWindow,
    CountWindowSerializer,
    GlobalWindow,
    GlobalWindowSerializer,
    MergingWindowAssigner,
    SessionWindowTimeGapExtractor,
    TimeWindow,
    TimeWindowSerializer,
    Trigger,
    WindowAssigner,
    check_positive,
    require_event_timestamp,
    to_millis,
)

__all__ = [
    "TumblingEventTimeWindows",
    "TumblingProcessingTimeWindows",
    "SlidingEventTimeWindows",
    "SlidingProcessingTimeWindows",
    "EventTimeSessionWindows",
    "ProcessingTimeSessionWindows",
    "DynamicEventTimeSessionWindows",
    "DynamicProcessingTimeSessionWindows",
    "GlobalWindows",
    "CountTumblingWindowAssigner",
    "CountSlidingWindowAssigner",
]


def _check_offset(offset: int, limit: int, limit_name: str) -> int:
    if abs(offset) >= limit:
        raise ValueError(f"the window offset must be smaller than the {limit_name} in absolute "
                         f"value, got offset {offset} ms for {limit_name} {limit} ms")
    return offset


def _offset(offset) -> int:
    return 0 if offset is None else to_millis("offset", offset)


# ---------------------------------------------------------------- tumbling and sliding


class _RecentWindows:
    """The windows assigned lately, by start: handing out the same object again lets state
    lookups match it by identity instead of comparing fields."""

    _capacity = 512

    def __init__(self):
        self._recent: Dict[int, TimeWindow] = {}

    def _window(self, start: int, size: int) -> TimeWindow:
        window = self._recent.get(start)
        if window is None:
            if len(self._recent) >= self._capacity:
                self._recent.clear()
            window = self._recent[start] = TimeWindow(start, start + size)
        return window


class _TumblingWindows(_RecentWindows, WindowAssigner):
    def __init__(self, size: int, offset: int = 0):
        super().__init__()
        self._size = check_positive("window size", size)
        self._offset = _check_offset(offset, size, "window size")

    def _windows(self, time: int) -> List[TimeWindow]:
        start = time - (time - self._offset + self._size) % self._size
        return [self._window(start, self._size)]

    def get_window_serializer(self) -> TimeWindowSerializer:
        return TimeWindowSerializer()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._size}, {self._offset})"


class TumblingEventTimeWindows(_TumblingWindows):
    """Back-to-back windows of a fixed size, by event time: [0, size), [size, 2 size), ...

    Examples:
        >>> from fluvial.common import Time
        >>> from fluvial.datastream.window import TumblingEventTimeWindows
        >>> TumblingEventTimeWindows.of(Time.seconds(5)).assign_windows("click", 7200, None)
        [TimeWindow(start=5000, end=10000)]

        >>> from fluvial.common import Time, TimestampAssigner, WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> class Ts(TimestampAssigner):
        ...     def extract_timestamp(self, value, record_timestamp):
        ...         return value[1]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> def clicks(*events):
        ...     return env.from_collection(list(events)).assign_timestamps_and_watermarks(
        ...         WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Ts()))
        >>> totals = (clicks(("a", 1000), ("a", 4000), ("a", 7000))
        ...           .key_by(lambda c: c[0]).window(TumblingEventTimeWindows.of(Time.seconds(5)))
        ...           .reduce(lambda x, y: (x[0], x[1] + y[1])))
        >>> list(totals.execute_and_collect())
        [('a', 5000), ('a', 7000)]
    """

    @staticmethod
    def of(size, offset=None) -> "TumblingEventTimeWindows":
        """Windows of 'size', starting at multiples of it shifted by 'offset' (e.g. a time zone)."""
        return TumblingEventTimeWindows(to_millis("size", size), _offset(offset))

    def assign_windows(self, element: Any, timestamp: Optional[int], context) -> Collection[TimeWindow]:
        return self._windows(require_event_timestamp(self, element, timestamp))

    def get_default_trigger(self, env) -> Trigger:
        return EventTimeTrigger()

    def is_event_time(self) -> bool:
        return True


class TumblingProcessingTimeWindows(_TumblingWindows):
    """Back-to-back windows of a fixed size, by the clock of the machine.

    Examples:
        >>> from fluvial.common import Time
        >>> from fluvial.datastream.window import TumblingProcessingTimeWindows
        >>> class Clock:
        ...     def get_current_processing_time(self):
        ...         return 61500
        >>> windows = TumblingProcessingTimeWindows.of(Time.minutes(1))
        >>> windows.is_event_time(), windows.assign_windows("any element", None, Clock())
        (False, [TimeWindow(start=60000, end=120000)])
    """

    @staticmethod
    def of(size, offset=None) -> "TumblingProcessingTimeWindows":
        return TumblingProcessingTimeWindows(to_millis("size", size), _offset(offset))

    def assign_windows(self, element: Any, timestamp: Optional[int], context) -> Collection[TimeWindow]:
        return self._windows(context.get_current_processing_time())

    def get_default_trigger(self, env) -> Trigger:
        return ProcessingTimeTrigger()

    def is_event_time(self) -> bool:
        return False


class _SlidingWindows(_RecentWindows, WindowAssigner):
    def __init__(self, size: int, slide: int, offset: int = 0):
        super().__init__()
        self._size = check_positive("window size", size)
        self._slide = check_positive("window slide", slide)
        self._offset = _check_offset(offset, slide, "window slide")

    def _windows(self, time: int) -> List[TimeWindow]:
        size, slide = self._size, self._slide
        last_start = TimeWindow.get_window_start_with_offset(time, self._offset, slide)
        return [self._window(start, size) for start in range(last_start, time - size, -slide)]

    def get_window_serializer(self) -> TimeWindowSerializer:
        return TimeWindowSerializer()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._size}, {self._slide}, {self._offset})"


class SlidingEventTimeWindows(_SlidingWindows):
    """Windows of 'size' starting every 'slide', by event time; an element is in size/slide of them.

    Examples:
        >>> from fluvial.common import Time
        >>> from fluvial.datastream.window import SlidingEventTimeWindows
        >>> windows = SlidingEventTimeWindows.of(Time.seconds(10), Time.seconds(5))
        >>> sorted(w.start for w in windows.assign_windows("click", 12000, None))
        [5000, 10000]

        >>> from fluvial.common import Time, TimestampAssigner, WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> class Ts(TimestampAssigner):
        ...     def extract_timestamp(self, value, record_timestamp):
        ...         return value[1]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> def clicks(*events):
        ...     return env.from_collection(list(events)).assign_timestamps_and_watermarks(
        ...         WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Ts()))
        >>> counts = (clicks(("a", 1000), ("a", 6000)).map(lambda c: (c[0], 1))
        ...           .key_by(lambda c: c[0]).window(windows).reduce(lambda x, y: (x[0], x[1] + y[1])))
        >>> list(counts.execute_and_collect())
        [('a', 1), ('a', 2), ('a', 1)]
    """

    @staticmethod
    def of(size, slide, offset=None) -> "SlidingEventTimeWindows":
        return SlidingEventTimeWindows(to_millis("size", size), to_millis("slide", slide),
                                       _offset(offset))

    def assign_windows(self, element: Any, timestamp: Optional[int], context) -> Collection[TimeWindow]:
        return self._windows(require_event_timestamp(self, element, timestamp))

    def get_default_trigger(self, env) -> Trigger:
        return EventTimeTrigger()

    def is_event_time(self) -> bool:
        return True


class SlidingProcessingTimeWindows(_SlidingWindows):
    """Windows of 'size' starting every 'slide', by the clock of the machine.

    Examples:
        >>> from fluvial.common import Time
        >>> from fluvial.datastream.window import SlidingProcessingTimeWindows
        >>> class Clock:
        ...     def get_current_processing_time(self):
        ...         return 61500
        >>> windows = SlidingProcessingTimeWindows.of(Time.minutes(1), Time.seconds(30))
        >>> sorted(w.start for w in windows.assign_windows("any element", None, Clock()))
        [30000, 60000]
    """

    @staticmethod
    def of(size, slide, offset=None) -> "SlidingProcessingTimeWindows":
        return SlidingProcessingTimeWindows(to_millis("size", size), to_millis("slide", slide),
                                           _offset(offset))

    def assign_windows(self, element: Any, timestamp: Optional[int], context) -> Collection[TimeWindow]:
        return self._windows(context.get_current_processing_time())

    def get_default_trigger(self, env) -> Trigger:
        return ProcessingTimeTrigger()

    def is_event_time(self) -> bool:
        return False


# ---------------------------------------------------------------- sessions


class _SessionWindows(MergingWindowAssigner):
    """A window [t, t + gap) per element; windows that overlap or touch merge into one session."""

    def __init__(self, session_gap: int):
        self._session_gap = check_positive("session gap", session_gap)

    def _gap(self, element: Any) -> int:
        return self._session_gap

    def _time(self, element: Any, timestamp: Optional[int], context) -> int:
        raise NotImplementedError

    def assign_windows(self, element: Any, timestamp: Optional[int], context) -> Collection[TimeWindow]:
        start = self._time(element, timestamp, context)
        return [TimeWindow(start, start + self._gap(element))]

    def merge_windows(self, windows, callback: MergingWindowAssigner.MergeCallback) -> None:
        TimeWindow.merge_windows(windows, callback)

    def get_window_serializer(self) -> TimeWindowSerializer:
        return TimeWindowSerializer()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._session_gap})"


class _DynamicGap:
    """Mixin: the gap comes from a SessionWindowTimeGapExtractor (or a callable) per element."""

    def __init__(self, extractor):
        if not isinstance(extractor, SessionWindowTimeGapExtractor) and not callable(extractor):
            raise TypeError(f"with_dynamic_gap() expects a SessionWindowTimeGapExtractor, got "
                            f"{type(extractor).__name__}")
        self._extractor = extractor

    def _gap(self, element: Any) -> int:
        extractor = self._extractor
        gap = (extractor.extract(element) if isinstance(extractor, SessionWindowTimeGapExtractor)
               else extractor(element))
        if not isinstance(gap, int) or isinstance(gap, bool) or gap <= 0:
            raise ValueError(f"the session gap from {type(extractor).__name__} must be a positive "
                             f"int of milliseconds, got {gap!r} for element {element!r}")
        return gap

    def __repr__(self) -> str:
        return f"{type(self).__name__}({type(self._extractor).__name__})"


class EventTimeSessionWindows(_SessionWindows):
    """Sessions by event time: a key's session ends after 'gap' without elements.

    Examples:
        >>> from fluvial.datastream.window import EventTimeSessionWindows

        >>> from fluvial.common import Time, TimestampAssigner, WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> class Ts(TimestampAssigner):
        ...     def extract_timestamp(self, value, record_timestamp):
        ...         return value[1]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> def clicks(*events):
        ...     return env.from_collection(list(events)).assign_timestamps_and_watermarks(
        ...         WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Ts()))
        >>> sessions = (clicks(("a", 0), ("a", 4000), ("a", 30000)).map(lambda c: (c[0], 1))
        ...             .key_by(lambda c: c[0]).window(EventTimeSessionWindows.with_gap(Time.seconds(10)))
        ...             .reduce(lambda x, y: (x[0], x[1] + y[1])))
        >>> list(sessions.execute_and_collect())
        [('a', 2), ('a', 1)]
    """

    @staticmethod
    def with_gap(size) -> "EventTimeSessionWindows":
        return EventTimeSessionWindows(to_millis("the session gap", size))

    @staticmethod
    def with_dynamic_gap(extractor: SessionWindowTimeGapExtractor) -> "DynamicEventTimeSessionWindows":
        return DynamicEventTimeSessionWindows(extractor)

    def _time(self, element: Any, timestamp: Optional[int], context) -> int:
        return require_event_timestamp(self, element, timestamp)

    def get_default_trigger(self, env) -> Trigger:
        return EventTimeTrigger()

    def is_event_time(self) -> bool:
        return True


class ProcessingTimeSessionWindows(_SessionWindows):
    """Sessions by the clock of the machine.

    Examples:
        >>> from fluvial.common import Time
        >>> from fluvial.datastream.window import ProcessingTimeSessionWindows
        >>> class Clock:
        ...     def get_current_processing_time(self):
        ...         return 5000
        >>> sessions = ProcessingTimeSessionWindows.with_gap(Time.minutes(1))
        >>> sessions.is_event_time(), sessions.assign_windows("any element", None, Clock())
        (False, [TimeWindow(start=5000, end=65000)])
    """

    @staticmethod
    def with_gap(size) -> "ProcessingTimeSessionWindows":
        return ProcessingTimeSessionWindows(to_millis("the session gap", size))

    @staticmethod
    def with_dynamic_gap(extractor: SessionWindowTimeGapExtractor
                         ) -> "DynamicProcessingTimeSessionWindows":
        return DynamicProcessingTimeSessionWindows(extractor)

    def _time(self, element: Any, timestamp: Optional[int], context) -> int:
        return context.get_current_processing_time()

    def get_default_trigger(self, env) -> Trigger:
        return ProcessingTimeTrigger()

    def is_event_time(self) -> bool:
        return False


class DynamicEventTimeSessionWindows(_DynamicGap, EventTimeSessionWindows):
    """Event-time sessions whose gap a SessionWindowTimeGapExtractor gives per element.

    Examples:
        >>> from fluvial.datastream.window import EventTimeSessionWindows, SessionWindowTimeGapExtractor
        >>> class GapPerUser(SessionWindowTimeGapExtractor):
        ...     def extract(self, element):
        ...         return 1000 if element[0] == "bot" else 60000

        >>> from fluvial.common import Time, TimestampAssigner, WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> class Ts(TimestampAssigner):
        ...     def extract_timestamp(self, value, record_timestamp):
        ...         return value[1]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> def clicks(*events):
        ...     return env.from_collection(list(events)).assign_timestamps_and_watermarks(
        ...         WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Ts()))
        >>> windows = EventTimeSessionWindows.with_dynamic_gap(GapPerUser())
        >>> type(windows).__name__
        'DynamicEventTimeSessionWindows'
        >>> sessions = (clicks(("bot", 0), ("bot", 2000), ("human", 0), ("human", 2000))
        ...             .map(lambda c: (c[0], 1)).key_by(lambda c: c[0]).window(windows)
        ...             .reduce(lambda x, y: (x[0], x[1] + y[1])))
        >>> sorted(sessions.execute_and_collect())
        [('bot', 1), ('bot', 1), ('human', 2)]
    """

    def __init__(self, extractor: SessionWindowTimeGapExtractor):
        _DynamicGap.__init__(self, extractor)

    @staticmethod
    def with_dynamic_gap(extractor: SessionWindowTimeGapExtractor) -> "DynamicEventTimeSessionWindows":
        return DynamicEventTimeSessionWindows(extractor)


class DynamicProcessingTimeSessionWindows(_DynamicGap, ProcessingTimeSessionWindows):
    """Processing-time sessions whose gap a SessionWindowTimeGapExtractor gives per element.

    Examples:
        >>> from fluvial.datastream.window import ProcessingTimeSessionWindows, SessionWindowTimeGapExtractor
        >>> class Gap(SessionWindowTimeGapExtractor):
        ...     def extract(self, element):
        ...         return element["idle_ms"]
        >>> class Clock:
        ...     def get_current_processing_time(self):
        ...         return 1000
        >>> windows = ProcessingTimeSessionWindows.with_dynamic_gap(Gap())
        >>> type(windows).__name__, windows.assign_windows({"idle_ms": 500}, None, Clock())
        ('DynamicProcessingTimeSessionWindows', [TimeWindow(start=1000, end=1500)])
    """

    def __init__(self, extractor: SessionWindowTimeGapExtractor):
        _DynamicGap.__init__(self, extractor)

    @staticmethod
    def with_dynamic_gap(extractor: SessionWindowTimeGapExtractor
                         ) -> "DynamicProcessingTimeSessionWindows":
        return DynamicProcessingTimeSessionWindows(extractor)


# ---------------------------------------------------------------- global and count


class GlobalWindows(WindowAssigner):
    """Puts all elements of a key into one GlobalWindow; it fires only with a trigger you set.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.window import CountTrigger, GlobalWindows
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> events = env.from_collection([("k", 1), ("k", 2), ("k", 3), ("k", 4)])
        >>> windows = events.key_by(lambda e: e[0]).window(GlobalWindows.create()).trigger(CountTrigger.of(2))
        >>> list(windows.reduce(lambda a, b: (a[0], a[1] + b[1])).execute_and_collect())
        [('k', 3), ('k', 10)]
    """

    @staticmethod
    def create() -> "GlobalWindows":
        return GlobalWindows()

    def assign_windows(self, element: Any, timestamp: Optional[int], context) -> Collection[GlobalWindow]:
        return [GlobalWindow()]

    def get_default_trigger(self, env) -> Trigger:
        return NeverTrigger()

    def get_window_serializer(self) -> GlobalWindowSerializer:
        return GlobalWindowSerializer()

    def is_event_time(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "GlobalWindows()"


def _check_count(name: str, count: Any) -> int:
    if not isinstance(count, int) or isinstance(count, bool):
        raise TypeError(f"{name} must be an int (a number of elements), got {count!r}")
    return check_positive(name, count, " elements")


class _CountWindows(WindowAssigner):
    """Count windows number a key's elements 0, 1, 2, ... (a per-key counter in keyed state).

    A count window receives no element after its last one, so the operator is
    told (context._window_complete) to drop it then; Flink's count windows are
    purged the same way.
    """

    _counter_name = "__fluvial_count_assigner"

    def _next_index(self, context) -> int:
        return context._next_count(self._counter_name)

    def get_default_trigger(self, env) -> Trigger:
        return CountTrigger(self._window_size)

    def get_window_serializer(self) -> CountWindowSerializer:
        return CountWindowSerializer()

    def is_event_time(self) -> bool:
        return False


class CountTumblingWindowAssigner(_CountWindows):
    """Windows of 'window_size' consecutive elements of a key: elements 0..n-1, n..2n-1, ...

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.window import CountTumblingWindowAssigner
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> readings = env.from_collection([("s", 1), ("s", 2), ("s", 3), ("s", 4)])
        >>> pairs = readings.key_by(lambda r: r[0]).window(CountTumblingWindowAssigner.of(2))
        >>> list(pairs.reduce(lambda a, b: (a[0], a[1] + b[1])).execute_and_collect())
        [('s', 3), ('s', 7)]
    """

    def __init__(self, window_size: int):
        self._window_size = _check_count("count window size", window_size)

    @staticmethod
    def of(window_size: int) -> "CountTumblingWindowAssigner":
        return CountTumblingWindowAssigner(window_size)

    def assign_windows(self, element: Any, timestamp: Optional[int], context) -> Collection[CountWindow]:
        index = self._next_index(context)
        window = CountWindow(index // self._window_size)
        if index % self._window_size == self._window_size - 1:
            context._window_complete(window)
        return [window]

    def __repr__(self) -> str:
        return f"CountTumblingWindowAssigner({self._window_size})"


class CountSlidingWindowAssigner(_CountWindows):
    """Windows of 'window_size' elements of a key, a new one starting every 'window_slide' elements.

    Window i holds elements i*slide .. i*slide+size-1 and fires when it is full.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.window import CountSlidingWindowAssigner
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> readings = env.from_collection([("s", 1), ("s", 2), ("s", 3), ("s", 4)])
        >>> last_three = readings.key_by(lambda r: r[0]).window(CountSlidingWindowAssigner.of(3, 1))
        >>> list(last_three.reduce(lambda a, b: (a[0], a[1] + b[1])).execute_and_collect())
        [('s', 6), ('s', 9)]
    """

    def __init__(self, window_size: int, window_slide: int):
        self._window_size = _check_count("count window size", window_size)
        self._window_slide = _check_count("count window slide", window_slide)

    @staticmethod
    def of(window_size: int, window_slide: int) -> "CountSlidingWindowAssigner":
        return CountSlidingWindowAssigner(window_size, window_slide)

    def assign_windows(self, element: Any, timestamp: Optional[int], context) -> Collection[CountWindow]:
        index = self._next_index(context)
        size, slide = self._window_size, self._window_slide
        windows = []
        window_id = index // slide
        while window_id >= 0 and index <= window_id * slide + size - 1:
            window = CountWindow(window_id)
            windows.append(window)
            if index == window_id * slide + size - 1:
                context._window_complete(window)
            window_id -= 1
        return windows

    def __repr__(self) -> str:
        return f"CountSlidingWindowAssigner({self._window_size}, {self._window_slide})"
