"""The window operator, in Python on the engine's keyed_process operator
(cpp/python/keyed_process_operator.cc), with Flink's WindowOperator semantics.

Per element: the assigner gives its windows; session windows are merged with
the key's existing ones; the element goes into each window that is not late
(its end plus the allowed lateness still ahead of the watermark); the
trigger decides whether the window fires (the window function runs) and/or
purges (its contents go). Each window gets a cleanup timer at its end plus
the allowed lateness, when everything it holds is dropped. An element that
fit no window because all of them were late goes to the late-data side
output, or is dropped.

State, all per key in the engine cell's key group (_keyed.StateTable):
window contents (namespace: the window; for sessions the "state window"
that the merged window's contents live under), trigger state, the timer sets
(_window_contexts.WindowTimers) and, for sessions, the merged windows.
"""

from typing import Any, Dict, List, Optional

from fluvial.datastream._keyed import (
    EVENT_TIME,
    KEY,
    PROCESSING_TIME,
    TIME_DOMAIN,
    TIMESTAMP,
    KeyedRuntime,
    TimestampedOutputs,
)
from fluvial.datastream._keyed_state import KeyedStateStore
from fluvial.datastream._window_contexts import (
    WindowAssignerContext,
    WindowTimers,
    WindowTriggerContext,
)
from fluvial.datastream._window_functions import (
    MISSING,
    WindowContents,
    WindowFunctionCall,
    WindowFunctionContext,
)
from fluvial.datastream._window_triggers import EventTimeTrigger
from fluvial.datastream._window_types import (
    MAX_LONG_VALUE,
    MergingWindowAssigner,
    Trigger,
    TriggerResult,
    WindowAssigner,
    require_event_timestamp,
)
from fluvial.datastream.functions import RuntimeContext

_CONTINUE = TriggerResult.CONTINUE


class _MergeCollector(MergingWindowAssigner.MergeCallback):
    def __init__(self):
        self.merges: List[Any] = []

    def merge(self, to_be_merged, merge_result) -> None:
        self.merges.append((merge_result, list(dict.fromkeys(to_be_merged))))


class WindowOperator:
    """One subtask's window operator; process_element and on_timer are the engine's calls."""

    def __init__(self, runtime: KeyedRuntime, assigner: WindowAssigner, trigger: Trigger,
                 contents: WindowContents, function: WindowFunctionCall, allowed_lateness: int,
                 late_data_tag: Any, runtime_context: RuntimeContext):
        self._runtime = runtime
        self._cell = runtime.cell
        self._assigner = assigner
        self._trigger = trigger
        self._contents = contents
        self._function = function
        self._event_time = assigner.is_event_time()
        # Lateness only applies to event time: processing time is never behind.
        self._lateness = allowed_lateness if self._event_time else 0
        self._late_data_tag = late_data_tag
        self._merging = isinstance(assigner, MergingWindowAssigner)
        self._timers = WindowTimers(runtime)
        self._trigger_context = WindowTriggerContext(runtime, self._timers)
        self._function_context = WindowFunctionContext(runtime, self._merging)
        self._completed: List[Any] = []
        self._assigner_context = WindowAssignerContext(runtime, runtime_context,
                                                       self._completed.append)
        self._merged_windows = runtime.table("__fluvial_merging_windows", "MergingWindows")
        self._cleanup_domain = EVENT_TIME if self._event_time else PROCESSING_TIME
        # The default trigger of event-time windows, exactly (not a subclass): inlined.
        self._plain_event_time = (type(trigger) is EventTimeTrigger and self._event_time
                                  and not self._merging)

    # ------------------------------------------------------------ engine calls

    def process_element(self, value: Any, _context: Any) -> List[Any]:
        timestamp = self._cell[TIMESTAMP]
        if self._event_time and timestamp is None:
            require_event_timestamp(self._assigner, value, timestamp)
        windows = self._assigner.assign_windows(value, timestamp, self._assigner_context)
        watermark = self._runtime.timer_service.current_watermark()
        out = TimestampedOutputs(self._cell)
        if self._merging:
            skipped = self._add_to_sessions(value, timestamp, windows, watermark, out)
        else:
            skipped = True
            for window in windows:
                cleanup_time = self._cleanup_time(window)
                if self._event_time and cleanup_time <= watermark:
                    continue  # too late for this window
                skipped = False
                self._contents.add(window, value)
                if self._plain_event_time:
                    self._on_element_event_time(window, watermark, out, cleanup_time)
                else:
                    self._on_element(value, timestamp, window, window, out, cleanup_time)
        if self._completed:
            # Count windows that received their last element hold nothing more to wait for.
            for window in self._completed:
                self._clear_all_state(window, window)
            self._completed.clear()
        if (skipped and self._event_time and timestamp + self._lateness <= watermark
                and self._late_data_tag is not None):
            out.add((self._late_data_tag, value), timestamp)
        return out

    def on_timer(self, time: int, _context: Any) -> Optional[List[Any]]:
        domain = self._cell[TIME_DOMAIN]
        windows = self._timers.take(domain, time)
        if not windows:
            return None
        out = TimestampedOutputs(self._cell)
        for window in windows:
            self._on_timer(domain, time, window, out)
        return out

    # ------------------------------------------------------------ per window

    def _on_element(self, value: Any, timestamp: Optional[int], window: Any, state_window: Any,
                    out: TimestampedOutputs, cleanup_time: int) -> None:
        context = self._trigger_context
        context.window = window
        result = self._trigger.on_element(value, timestamp, window, context)
        if result is not _CONTINUE:
            if result.is_fire():
                self._emit(window, state_window, out)
            if result.is_purge():
                self._contents.remove(state_window)
        if cleanup_time != MAX_LONG_VALUE:  # global and count windows are never cleaned up by time
            self._timers.register(self._cleanup_domain, cleanup_time, window)

    def _on_element_event_time(self, window: Any, watermark: int, out: TimestampedOutputs,
                               cleanup_time: int) -> None:
        """_on_element() with EventTimeTrigger's rules written out: the most common window
        (tumbling or sliding by event time) then costs no trigger or context calls."""
        max_timestamp = window.max_timestamp()
        if max_timestamp <= watermark:
            self._emit(window, window, out)  # a late element within the allowed lateness
        else:
            self._timers.register(EVENT_TIME, max_timestamp, window)
        if cleanup_time != max_timestamp:
            self._timers.register(EVENT_TIME, cleanup_time, window)

    def _on_timer(self, domain: int, time: int, window: Any, out: TimestampedOutputs) -> None:
        if self._merging:
            sessions = self._merged_windows.get()
            state_window = sessions.get(window) if sessions else None
            if state_window is None:
                return  # the window was merged into another or dropped meanwhile
        else:
            state_window = window
        context = self._trigger_context
        context.window = window
        if domain == EVENT_TIME:
            result = self._trigger.on_event_time(time, window, context)
        else:
            result = self._trigger.on_processing_time(time, window, context)
        if result is not _CONTINUE:
            if result.is_fire():
                self._emit(window, state_window, out)
            if result.is_purge():
                self._contents.remove(state_window)
        if domain == self._cleanup_domain and time == self._cleanup_time(window):
            self._clear_all_state(window, state_window)

    def _emit(self, window: Any, state_window: Any, out: TimestampedOutputs) -> None:
        stored = self._contents.get(state_window)
        if stored is MISSING:
            return  # firing an empty window emits nothing
        context = self._function_context
        context._window = window
        result = self._function.emit(self._cell[KEY], window, self._contents.elements(stored),
                                     context)
        if result is not None:
            # Consumed now, while the context still points at this window;
            # stamped with the window's last moment, as Flink does.
            out.add_all(result, window.max_timestamp())

    def _clear_all_state(self, window: Any, state_window: Any) -> None:
        self._contents.remove(state_window)
        context = self._trigger_context
        context.window = window
        self._trigger.clear(window, context)
        self._function_context._window = window
        self._function.clear(self._function_context)
        if self._merging:
            sessions = self._merged_windows.get()
            if sessions is not None:
                sessions.pop(window, None)
                if not sessions:
                    self._merged_windows.remove()

    def _cleanup_time(self, window: Any) -> int:
        if not self._event_time:
            return window.max_timestamp()
        return min(window.max_timestamp() + self._lateness, MAX_LONG_VALUE)

    def _delete_cleanup_timer(self, window: Any) -> None:
        time = self._cleanup_time(window)
        if time != MAX_LONG_VALUE:
            self._timers.delete(self._cleanup_domain, time, window)

    # ------------------------------------------------------------ sessions

    def _add_to_sessions(self, value: Any, timestamp: Optional[int], windows, watermark: int,
                         out: TimestampedOutputs) -> bool:
        """Adds 'value' to its windows after merging them with the key's; True if it fit none."""
        sessions: Dict[Any, Any] = self._merged_windows.get()
        if sessions is None:
            sessions = {}
            self._merged_windows.put(sessions)
        skipped = True
        for window in windows:
            actual = self._merge(sessions, window)
            if self._event_time and self._cleanup_time(actual) <= watermark:
                sessions.pop(actual, None)
                continue
            skipped = False
            state_window = sessions[actual]
            self._contents.add(state_window, value)
            self._on_element(value, timestamp, actual, state_window, out, self._cleanup_time(actual))
        if not sessions:
            self._merged_windows.remove()
        return skipped

    def _merge(self, sessions: Dict[Any, Any], new_window: Any) -> Any:
        """Merges 'new_window' into the key's sessions (window -> state window); returns its session.

        A merged session keeps the state window of one of the sessions it
        absorbed, so only the others' contents move.
        """
        collector = _MergeCollector()
        self._assigner.merge_windows(list(sessions) + [new_window], collector)
        result = new_window
        for merge_result, group in collector.merges:
            if new_window in group:
                result = merge_result
                if new_window not in sessions:  # it has no contents of its own yet
                    group.remove(new_window)
            if not group:
                continue
            state_windows = [sessions.pop(window) for window in group]
            sessions[merge_result] = state_windows[0]
            if group == [merge_result]:
                continue  # an existing session took the new window in without growing
            self._on_merge(merge_result, group, state_windows[0], state_windows[1:])
        sessions.setdefault(result, result)
        return result

    def _on_merge(self, merge_result: Any, merged: List[Any], target_state_window: Any,
                  source_state_windows: List[Any]) -> None:
        context = self._trigger_context
        context.window = merge_result
        context.merged_windows = merged
        try:
            self._trigger.on_merge(merge_result, context)
        finally:
            context.merged_windows = ()
        for window in merged:
            # The merged windows are gone: their timers and trigger state with them.
            context.window = window
            self._trigger.clear(window, context)
            self._delete_cleanup_timer(window)
        self._contents.merge(target_state_window, source_state_windows)


def window_runtime_context(info: Any, runtime: KeyedRuntime) -> RuntimeContext:
    """The RuntimeContext given to open(): keyed state per key (not per window)."""
    return RuntimeContext(info.operator_name, info.index, info.parallelism, info.max_parallelism,
                          info.job_parameters, keyed_state_store=KeyedStateStore(runtime))
