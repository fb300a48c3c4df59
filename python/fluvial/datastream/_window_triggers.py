"""The built-in triggers (PyFlink's names): when a window is evaluated.

Triggers keep what they remember in partitioned state (scoped to key and
window) under names no user state is likely to take, since window functions
share the operator's state names.
"""

from typing import Any, Optional

from fluvial.datastream._window_types import (
    Trigger,
    TriggerResult,
    Window,
    check_positive,
    to_millis,
)
from fluvial.datastream.state import ReducingStateDescriptor

__all__ = [
    "EventTimeTrigger",
    "ProcessingTimeTrigger",
    "ContinuousEventTimeTrigger",
    "ContinuousProcessingTimeTrigger",
    "CountTrigger",
    "PurgingTrigger",
    "NeverTrigger",
]


def _sum(a: int, b: int) -> int:
    return a + b


class EventTimeTrigger(Trigger):
    """Fires once the watermark passes the end of the window (the default of event-time windows).

    Examples:
        >>> from fluvial.datastream.window import EventTimeTrigger, TimeWindow
        >>> trigger = EventTimeTrigger.create()
        >>> trigger.on_event_time(9999, TimeWindow(0, 10000), None)
        <TriggerResult.FIRE: (True, False)>
        >>> trigger.on_processing_time(9999, TimeWindow(0, 10000), None)
        <TriggerResult.CONTINUE: (False, False)>
    """

    @staticmethod
    def create() -> "EventTimeTrigger":
        return EventTimeTrigger()

    def on_element(self, element: Any, timestamp: Optional[int], window: Window,
                   ctx: Trigger.TriggerContext) -> TriggerResult:
        if window.max_timestamp() <= ctx.get_current_watermark():
            # A late element in a window still kept by allowed lateness: fire again now.
            return TriggerResult.FIRE
        ctx.register_event_time_timer(window.max_timestamp())
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Window,
                           ctx: Trigger.TriggerContext) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_event_time(self, time: int, window: Window, ctx: Trigger.TriggerContext) -> TriggerResult:
        return TriggerResult.FIRE if time == window.max_timestamp() else TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window: Window, ctx: Trigger.OnMergeContext) -> None:
        # Only if the merged window is not already due; a due one fires on its next element.
        if window.max_timestamp() > ctx.get_current_watermark():
            ctx.register_event_time_timer(window.max_timestamp())

    def clear(self, window: Window, ctx: Trigger.TriggerContext) -> None:
        ctx.delete_event_time_timer(window.max_timestamp())


class ProcessingTimeTrigger(Trigger):
    """Fires once the clock passes the end of the window (the default of processing-time windows).

    Examples:
        >>> from fluvial.datastream.window import ProcessingTimeTrigger, TimeWindow
        >>> trigger = ProcessingTimeTrigger.create()
        >>> trigger.on_processing_time(9999, TimeWindow(0, 10000), None)
        <TriggerResult.FIRE: (True, False)>
        >>> trigger.on_event_time(9999, TimeWindow(0, 10000), None)
        <TriggerResult.CONTINUE: (False, False)>
    """

    @staticmethod
    def create() -> "ProcessingTimeTrigger":
        return ProcessingTimeTrigger()

    def on_element(self, element: Any, timestamp: Optional[int], window: Window,
                   ctx: Trigger.TriggerContext) -> TriggerResult:
        ctx.register_processing_time_timer(window.max_timestamp())
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Window,
                           ctx: Trigger.TriggerContext) -> TriggerResult:
        return TriggerResult.FIRE

    def on_event_time(self, time: int, window: Window, ctx: Trigger.TriggerContext) -> TriggerResult:
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window: Window, ctx: Trigger.OnMergeContext) -> None:
        if window.max_timestamp() > ctx.get_current_processing_time():
            ctx.register_processing_time_timer(window.max_timestamp())

    def clear(self, window: Window, ctx: Trigger.TriggerContext) -> None:
        ctx.delete_processing_time_timer(window.max_timestamp())


class _ContinuousTrigger(Trigger):
    """Fires every 'interval' ms (aligned to multiples of it) until the window ends.

    The next fire time is kept as a min-reducing state, so merged windows keep
    the earliest one.
    """

    _event_time = True

    def __init__(self, interval: int):
        self.interval = check_positive("trigger interval", interval)
        self.state_desc = ReducingStateDescriptor("__fluvial_trigger_fire_time", min)

    def _now(self, ctx: Trigger.TriggerContext) -> int:
        raise NotImplementedError

    def _register(self, ctx: Trigger.TriggerContext, time: int) -> None:
        if self._event_time:
            ctx.register_event_time_timer(time)
        else:
            ctx.register_processing_time_timer(time)

    def _register_next(self, time: int, window: Window, ctx: Trigger.TriggerContext, state) -> None:
        next_fire = min(time + self.interval, window.max_timestamp())
        state.add(next_fire)
        self._register(ctx, next_fire)

    def _on_own_timer(self, time: int, window: Window, ctx: Trigger.TriggerContext) -> TriggerResult:
        state = ctx.get_partitioned_state(self.state_desc)
        if state.get() == time:
            state.clear()
            self._register_next(time, window, ctx, state)
            return TriggerResult.FIRE
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window: Window, ctx: Trigger.OnMergeContext) -> None:
        ctx.merge_partitioned_state(self.state_desc)
        next_fire = ctx.get_partitioned_state(self.state_desc).get()
        if next_fire is not None:
            self._register(ctx, next_fire)

    def clear(self, window: Window, ctx: Trigger.TriggerContext) -> None:
        state = ctx.get_partitioned_state(self.state_desc)
        next_fire = state.get()
        if next_fire is not None:
            if self._event_time:
                ctx.delete_event_time_timer(next_fire)
            else:
                ctx.delete_processing_time_timer(next_fire)
            state.clear()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.interval})"


class ContinuousEventTimeTrigger(_ContinuousTrigger):
    """Fires every 'interval' of event time, and once more when the watermark passes the window's end.

    Examples:
        >>> from fluvial.common import Time
        >>> from fluvial.datastream.window import ContinuousEventTimeTrigger, TumblingEventTimeWindows

        >>> from fluvial.common import Time, TimestampAssigner, WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> class Ts(TimestampAssigner):
        ...     def extract_timestamp(self, value, record_timestamp):
        ...         return value[1]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> def clicks(*events):
        ...     return env.from_collection(list(events)).assign_timestamps_and_watermarks(
        ...         WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Ts()))
        >>> early = (clicks(("a", 1000), ("a", 2500), ("a", 3500), ("a", 9000)).map(lambda c: (c[0], 1))
        ...          .key_by(lambda c: c[0]).window(TumblingEventTimeWindows.of(Time.seconds(10)))
        ...          .trigger(ContinuousEventTimeTrigger.of(Time.seconds(2)))
        ...          .reduce(lambda x, y: (x[0], x[1] + y[1])))
        >>> list(early.execute_and_collect())[-1]       # early results every 2 s, the last at the end
        ('a', 4)
    """

    @staticmethod
    def of(interval) -> "ContinuousEventTimeTrigger":
        return ContinuousEventTimeTrigger(to_millis("interval", interval))

    def on_element(self, element: Any, timestamp: Optional[int], window: Window,
                   ctx: Trigger.TriggerContext) -> TriggerResult:
        if window.max_timestamp() <= ctx.get_current_watermark():
            return TriggerResult.FIRE
        ctx.register_event_time_timer(window.max_timestamp())
        state = ctx.get_partitioned_state(self.state_desc)
        if state.get() is None:
            self._register_next(timestamp - timestamp % self.interval, window, ctx, state)
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Window,
                           ctx: Trigger.TriggerContext) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_event_time(self, time: int, window: Window, ctx: Trigger.TriggerContext) -> TriggerResult:
        if time == window.max_timestamp():
            return TriggerResult.FIRE
        return self._on_own_timer(time, window, ctx)


class ContinuousProcessingTimeTrigger(_ContinuousTrigger):
    """Fires every 'interval' of processing time while the window has elements.

    Examples:
        >>> from fluvial.common import Time
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.window import ContinuousProcessingTimeTrigger, GlobalWindows
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> windows = (env.from_collection([("k", 1)]).key_by(lambda e: e[0]).window(GlobalWindows.create())
        ...            .trigger(ContinuousProcessingTimeTrigger.of(Time.seconds(30))))
        >>> type(windows).__name__         # fires every 30 s of wall-clock time while elements arrive
        'WindowedStream'
    """

    _event_time = False

    @staticmethod
    def of(interval) -> "ContinuousProcessingTimeTrigger":
        return ContinuousProcessingTimeTrigger(to_millis("interval", interval))

    def on_element(self, element: Any, timestamp: Optional[int], window: Window,
                   ctx: Trigger.TriggerContext) -> TriggerResult:
        state = ctx.get_partitioned_state(self.state_desc)
        if state.get() is None:
            now = ctx.get_current_processing_time()
            self._register_next(now - now % self.interval, window, ctx, state)
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Window,
                           ctx: Trigger.TriggerContext) -> TriggerResult:
        return self._on_own_timer(time, window, ctx)

    def on_event_time(self, time: int, window: Window, ctx: Trigger.TriggerContext) -> TriggerResult:
        return TriggerResult.CONTINUE


class CountTrigger(Trigger):
    """Fires each time the window has received another 'count' elements.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.window import CountTrigger, GlobalWindows
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> events = env.from_collection([("k", 1), ("k", 2), ("k", 3)])
        >>> every_two = events.key_by(lambda e: e[0]).window(GlobalWindows.create()).trigger(CountTrigger.of(2))
        >>> list(every_two.reduce(lambda a, b: (a[0], a[1] + b[1])).execute_and_collect())
        [('k', 3)]
    """

    def __init__(self, window_size: int):
        if not isinstance(window_size, int) or isinstance(window_size, bool):
            raise TypeError(f"the trigger count must be an int, got {window_size!r}")
        self._window_size = check_positive("trigger count", window_size, "")
        self._count_state_descriptor = ReducingStateDescriptor("__fluvial_trigger_count", _sum)

    @staticmethod
    def of(window_size: int) -> "CountTrigger":
        return CountTrigger(window_size)

    def on_element(self, element: Any, timestamp: Optional[int], window: Window,
                   ctx: Trigger.TriggerContext) -> TriggerResult:
        count = ctx.get_partitioned_state(self._count_state_descriptor)
        count.add(1)
        if count.get() >= self._window_size:
            count.clear()
            return TriggerResult.FIRE
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Window,
                           ctx: Trigger.TriggerContext) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_event_time(self, time: int, window: Window, ctx: Trigger.TriggerContext) -> TriggerResult:
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window: Window, ctx: Trigger.OnMergeContext) -> None:
        ctx.merge_partitioned_state(self._count_state_descriptor)

    def clear(self, window: Window, ctx: Trigger.TriggerContext) -> None:
        ctx.get_partitioned_state(self._count_state_descriptor).clear()

    def __repr__(self) -> str:
        return f"CountTrigger({self._window_size})"


class PurgingTrigger(Trigger):
    """Turns every FIRE of 'nested_trigger' into FIRE_AND_PURGE.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.window import CountTrigger, GlobalWindows, PurgingTrigger
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> events = env.from_collection([("k", 1), ("k", 2), ("k", 3), ("k", 4)])
        >>> windows = (events.key_by(lambda e: e[0]).window(GlobalWindows.create())
        ...            .trigger(PurgingTrigger.of(CountTrigger.of(2))))
        >>> list(windows.reduce(lambda a, b: (a[0], a[1] + b[1])).execute_and_collect())
        [('k', 3), ('k', 7)]
    """

    def __init__(self, nested_trigger: Trigger):
        if not isinstance(nested_trigger, Trigger):
            raise TypeError(f"PurgingTrigger.of() expects a Trigger, got "
                            f"{type(nested_trigger).__name__}")
        self.nested_trigger = nested_trigger

    @staticmethod
    def of(nested_trigger: Trigger) -> "PurgingTrigger":
        return PurgingTrigger(nested_trigger)

    @staticmethod
    def _purging(result: TriggerResult) -> TriggerResult:
        return TriggerResult.FIRE_AND_PURGE if result.is_fire() else result

    def on_element(self, element: Any, timestamp: Optional[int], window: Window,
                   ctx: Trigger.TriggerContext) -> TriggerResult:
        return self._purging(self.nested_trigger.on_element(element, timestamp, window, ctx))

    def on_processing_time(self, time: int, window: Window,
                           ctx: Trigger.TriggerContext) -> TriggerResult:
        return self._purging(self.nested_trigger.on_processing_time(time, window, ctx))

    def on_event_time(self, time: int, window: Window, ctx: Trigger.TriggerContext) -> TriggerResult:
        return self._purging(self.nested_trigger.on_event_time(time, window, ctx))

    def can_merge(self) -> bool:
        return self.nested_trigger.can_merge()

    def on_merge(self, window: Window, ctx: Trigger.OnMergeContext) -> None:
        self.nested_trigger.on_merge(window, ctx)

    def clear(self, window: Window, ctx: Trigger.TriggerContext) -> None:
        self.nested_trigger.clear(window, ctx)

    def __repr__(self) -> str:
        return f"PurgingTrigger({self.nested_trigger!r})"


class NeverTrigger(Trigger):
    """Never fires (the default of GlobalWindows: give them a trigger of your own).

    Examples:
        >>> from fluvial.datastream.window import GlobalWindow, GlobalWindows, NeverTrigger
        >>> isinstance(GlobalWindows.create().get_default_trigger(None), NeverTrigger)
        True
        >>> NeverTrigger().on_event_time(0, GlobalWindow.get(), None)
        <TriggerResult.CONTINUE: (False, False)>
    """

    def on_element(self, element: Any, timestamp: Optional[int], window: Window,
                   ctx: Trigger.TriggerContext) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_processing_time(self, time: int, window: Window,
                           ctx: Trigger.TriggerContext) -> TriggerResult:
        return TriggerResult.CONTINUE

    def on_event_time(self, time: int, window: Window, ctx: Trigger.TriggerContext) -> TriggerResult:
        return TriggerResult.CONTINUE

    def can_merge(self) -> bool:
        return True

    def on_merge(self, window: Window, ctx: Trigger.OnMergeContext) -> None:
        pass

    def clear(self, window: Window, ctx: Trigger.TriggerContext) -> None:
        pass
