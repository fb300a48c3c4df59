"""The contexts the window operator gives triggers and assigners, and its timers.

The engine keeps at most one timer per key and time (cpp/python/timer_queue.h),
while Flink's window timers are per key, window and time: the window of a
sliding assigner and its neighbour may both want a timer at the same time.
WindowTimers keeps, per key and time, the set of windows waiting for that
time, and holds one engine timer while the set is not empty.
"""

from typing import Any, Callable, Dict, List, Sequence

from fluvial.datastream._keyed import EVENT_TIME, PROCESSING_TIME, KeyedRuntime
from fluvial.datastream._keyed_state import KeyedStateStore
from fluvial.datastream._window_types import Trigger, WindowAssigner


class WindowTimers:
    """Timers per key, time domain, time and window, over one engine timer per key and time."""

    def __init__(self, runtime: KeyedRuntime):
        self._runtime = runtime
        # namespace (domain, time) -> {window: None}, an insertion-ordered set.
        self._table = runtime.table("__fluvial_window_timers", "WindowTimers")

    def register(self, domain: int, time: int, window: Any) -> None:
        namespace = (domain, time)
        windows = self._table.get(namespace)
        if windows is not None:
            windows[window] = None
            return
        self._table.put({window: None}, namespace)
        service = self._runtime.timer_service
        if domain == EVENT_TIME:
            service.register_event_time_timer(time)
        else:
            service.register_processing_time_timer(time)

    def delete(self, domain: int, time: int, window: Any) -> None:
        namespace = (domain, time)
        windows = self._table.get(namespace)
        if windows is None or window not in windows:
            return
        del windows[window]
        if windows:
            return
        self._table.remove(namespace)
        service = self._runtime.timer_service
        if domain == EVENT_TIME:
            service.delete_event_time_timer(time)
        else:
            service.delete_processing_time_timer(time)

    def take(self, domain: int, time: int) -> List[Any]:
        """Removes and returns the windows whose timer at 'time' fires now."""
        namespace = (domain, time)
        windows = self._table.get(namespace)
        if windows is None:
            return []
        self._table.remove(namespace)
        return list(windows)


class WindowTriggerContext(Trigger.OnMergeContext):
    """The trigger's view of the current key and window: one object, re-pointed per call."""

    def __init__(self, runtime: KeyedRuntime, timers: WindowTimers):
        self._runtime = runtime
        self._timers = timers
        # Trigger state has its own state objects, so scoping them to a window
        # moves no state a window function holds.
        self._store = KeyedStateStore(runtime)
        self.window: Any = None
        self.merged_windows: Sequence[Any] = ()

    def get_current_processing_time(self) -> int:
        return self._runtime.timer_service.current_processing_time()

    def get_current_watermark(self) -> int:
        return self._runtime.timer_service.current_watermark()

    def register_processing_time_timer(self, time: int) -> None:
        self._timers.register(PROCESSING_TIME, time, self.window)

    def register_event_time_timer(self, time: int) -> None:
        self._timers.register(EVENT_TIME, time, self.window)

    def delete_processing_time_timer(self, time: int) -> None:
        self._timers.delete(PROCESSING_TIME, time, self.window)

    def delete_event_time_timer(self, time: int) -> None:
        self._timers.delete(EVENT_TIME, time, self.window)

    def get_partitioned_state(self, state_descriptor):
        state = self._store.state_of(state_descriptor)
        state.set_current_namespace(self.window)
        return state

    def merge_partitioned_state(self, state_descriptor) -> None:
        state = self._store.state_of(state_descriptor)
        merge = getattr(state, "merge_namespaces", None)
        if merge is None:
            raise TypeError(f"merge_partitioned_state() merges reducing, aggregating and list "
                            f"state; '{state_descriptor.name}' is a "
                            f"{type(state_descriptor).__name__}")
        if self.merged_windows:
            merge(self.window, list(self.merged_windows))


class WindowAssignerContext(WindowAssigner.WindowAssignerContext):
    """The assigner's view: the clock, the runtime context, and the count windows' counter."""

    def __init__(self, runtime: KeyedRuntime, runtime_context: Any,
                 on_window_complete: Callable[[Any], None]):
        self._runtime = runtime
        self._runtime_context = runtime_context
        self._counters: Dict[str, Any] = {}
        self._window_complete = on_window_complete

    def get_current_processing_time(self) -> int:
        return self._runtime.timer_service.current_processing_time()

    def get_runtime_context(self):
        return self._runtime_context

    def _next_count(self, name: str) -> int:
        """Returns how many elements of the current key came before this one (count windows)."""
        table = self._counters.get(name)
        if table is None:
            table = self._counters[name] = self._runtime.table(name, "Counter")
        count = table.get(None, 0)
        table.put(count + 1)
        return count
