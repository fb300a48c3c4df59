"""Test harness for window tests: a scripted source, a collecting sink, and a
plain-Python reference of Flink's windowing to check the operator against.

A script is a list of steps, played by a non-parallel source, one per poll:

- a list of records: one batch; with a WatermarkStrategy the source emits the
  watermark (max timestamp - delay - 1) right after it, so event time moves
  deterministically between batches, at every parallelism;
- Clock(t): sets the job's ManualClock to t, once every record emitted so far
  was fully processed by the window operator (its assigner read the clock and
  its trigger saw it: PROGRESS), then waits for the outputs the reference
  expects up to that moment. Processing-time windows are then deterministic
  even when the window runs on other threads than the source.

The reference (reference_windows) replays the same script with no timers,
state tables or engine: per key, a dict of windows and their elements,
fired and dropped by comparing window ends with the watermark (or the clock).
"""

import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from fluvial.common.time import Duration
from fluvial.common.watermark_strategy import TimestampAssigner, WatermarkStrategy
from fluvial.datastream.connectors.base import Sink, SinkWriter, Source, SourceReader
from fluvial.datastream.window import MergingWindowAssigner, Trigger, WindowAssigner

PARALLELISMS = (1, 4)
END_OF_TIME = 2 ** 63 - 1
WAIT_SECONDS = 10.0


class Clock:
    """A script step: move the manual processing-time clock to 'time'."""

    def __init__(self, time: int):
        self.time = time

    def __repr__(self) -> str:
        return f"Clock({self.time})"


# ---------------------------------------------------------------- progress barrier


class Progress:
    """How many elements the window operator has fully processed (all subtasks)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.elements = 0
            self._open_windows = 0

    def assigned(self, windows: int) -> None:
        with self._lock:
            self.elements += 1
            self._open_windows += windows

    def window_done(self) -> None:
        with self._lock:
            self._open_windows -= 1

    def done(self, emitted: int) -> bool:
        with self._lock:
            return self.elements >= emitted and self._open_windows == 0


PROGRESS = Progress()


class CountingTrigger(Trigger):
    """Delegates to 'inner'; tells PROGRESS when it has seen an element's window."""

    def __init__(self, inner: Trigger):
        self.inner = inner

    def on_element(self, element, timestamp, window, ctx):
        try:
            return self.inner.on_element(element, timestamp, window, ctx)
        finally:
            PROGRESS.window_done()

    def on_processing_time(self, time, window, ctx):
        return self.inner.on_processing_time(time, window, ctx)

    def on_event_time(self, time, window, ctx):
        return self.inner.on_event_time(time, window, ctx)

    def can_merge(self):
        return self.inner.can_merge()

    def on_merge(self, window, ctx):
        self.inner.on_merge(window, ctx)

    def clear(self, window, ctx):
        self.inner.clear(window, ctx)

    def __repr__(self):
        return repr(self.inner)


class _Counting:
    def __init__(self, inner: WindowAssigner):
        self.inner = inner

    def assign_windows(self, element, timestamp, context):
        windows = list(self.inner.assign_windows(element, timestamp, context))
        PROGRESS.assigned(len(windows))
        return windows

    def get_default_trigger(self, env):
        return CountingTrigger(self.inner.get_default_trigger(env))

    def is_event_time(self):
        return self.inner.is_event_time()

    def __repr__(self):
        return repr(self.inner)


class CountingAssigner(_Counting, WindowAssigner):
    pass


class CountingMergingAssigner(_Counting, MergingWindowAssigner):
    def merge_windows(self, windows, callback):
        self.inner.merge_windows(windows, callback)


def counting(assigner: WindowAssigner) -> WindowAssigner:
    """'assigner', reporting to PROGRESS (with the trigger from its get_default_trigger())."""
    if isinstance(assigner, MergingWindowAssigner):
        return CountingMergingAssigner(assigner)
    return CountingAssigner(assigner)


# ---------------------------------------------------------------- source and sink


class CollectSink(Sink):
    """Keeps every record written, from all subtasks."""

    def __init__(self):
        self.records: List[Any] = []
        self._lock = threading.Lock()

    def count(self) -> int:
        with self._lock:
            return len(self.records)

    def _create_writer(self, subtask_index: int, parallelism: int) -> SinkWriter:
        sink = self

        class _Writer(SinkWriter):
            def write(self, records: List[Any]) -> None:
                with sink._lock:
                    sink.records.extend(records)

        return _Writer()


class _ScriptReader(SourceReader):
    def __init__(self, source: "ScriptedSource"):
        self._steps = list(source.steps)
        self._source = source
        self._emitted = 0
        self._waiting_since: Optional[float] = None

    def _waited_too_long(self, what: str) -> None:
        if self._waiting_since is None:
            self._waiting_since = time.monotonic()
        elif time.monotonic() - self._waiting_since > WAIT_SECONDS:
            raise TimeoutError(f"the scripted source waited {WAIT_SECONDS} s for {what}")

    def poll(self) -> Optional[List[Any]]:
        if not self._steps:
            return None
        step = self._steps[0]
        if isinstance(step, Clock):
            if not PROGRESS.done(self._emitted):
                self._waited_too_long(f"the window to process {self._emitted} elements")
                return []
            self._source.clock.set(step.time)
            self._steps[0] = ("outputs", self._source.expected_outputs(len(self._source.steps)
                                                                       - len(self._steps)))
            return []
        if isinstance(step, tuple) and step[0] == "outputs":
            sink = self._source.sink
            if sink is not None and step[1] is not None and sink.count() < step[1]:
                self._waited_too_long(f"{step[1]} outputs (have {sink.count()})")
                return []
            self._steps.pop(0)
            self._waiting_since = None
            return []
        self._steps.pop(0)
        self._emitted += len(step)
        return list(step)


class ScriptedSource(Source):
    """Plays a script of batches and Clock steps (see the module docstring)."""

    def __init__(self, steps: Sequence[Any], clock: Any = None, sink: Optional[CollectSink] = None,
                 outputs_after_step: Optional[Callable[[int], Optional[int]]] = None):
        self.steps = list(steps)
        self.clock = clock
        self.sink = sink
        self._outputs_after_step = outputs_after_step

    def expected_outputs(self, step_index: int) -> Optional[int]:
        return None if self._outputs_after_step is None else self._outputs_after_step(step_index)

    def _is_non_parallel(self) -> bool:
        return True

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        return _ScriptReader(self)


class FieldTimestamp(TimestampAssigner):
    def __init__(self, index: int):
        self._index = index

    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        return value[self._index]


def event_time(delay: int = 0, field: int = 1) -> WatermarkStrategy:
    """Timestamps from record[field]; the watermark trails the largest one by 'delay' ms."""
    return (WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(delay))
            .with_timestamp_assigner(FieldTimestamp(field)))


# ---------------------------------------------------------------- the reference


Window = Tuple[int, int]  # (start, end), or ("count", id), or ("global",)


class Fire:
    """One evaluation of a window: its key, window and elements at that moment."""

    def __init__(self, key: Any, window: Any, elements: List[Any], step: int):
        self.key = key
        self.window = window
        self.elements = list(elements)
        self.step = step

    def __repr__(self) -> str:
        return f"Fire({self.key!r}, {self.window}, {self.elements}, step {self.step})"


def tumbling(size: int, offset: int = 0) -> Callable[[int], List[Window]]:
    def assign(t: int) -> List[Window]:
        start = t - (t - offset) % size
        return [(start, start + size)]
    return assign


def sliding(size: int, slide: int, offset: int = 0) -> Callable[[int], List[Window]]:
    def assign(t: int) -> List[Window]:
        last = t - (t - offset) % slide
        return [(start, start + size) for start in range(last, t - size, -slide)]
    return assign


class _Pane:
    def __init__(self, window: Window):
        self.window = window
        self.elements: List[Any] = []
        self.pending = True  # its end-of-window firing is still to come
        self.next_fire: Optional[int] = None  # continuous triggers


def reference_windows(script: Sequence[Any], *, key: Callable[[Any], Any],
                      time_of: Callable[[Any, int], int], assign: Optional[Callable] = None,
                      session_gap: Optional[Callable[[Any], int]] = None, lateness: int = 0,
                      delay: Optional[int] = 0, continuous: Optional[int] = None
                      ) -> Tuple[List[Fire], List[Any], Dict[int, int]]:
    """Replays 'script' through Flink's time-window semantics with the default triggers
    (or a continuous trigger of interval 'continuous').

    time_of(record, clock) is the record's time: its event timestamp, or the clock
    for processing time. delay is the watermark's out-of-orderness; None means
    processing time, where the clock steps of the script move time instead.
    Returns the fires, the late records (too late for every window) and, per
    script step, how many fires had happened by its end.
    """
    panes: Dict[Any, Dict[Window, _Pane]] = {}
    fires: List[Fire] = []
    late: List[Any] = []
    fires_by_step: Dict[int, int] = {}
    now = -END_OF_TIME - 1  # the watermark, or the clock
    max_seen = None
    clock = 0

    def max_ts(window: Window) -> int:
        return window[1] - 1

    def fire(k, pane: _Pane, step: int) -> None:
        fires.append(Fire(k, pane.window, pane.elements, step))

    def advance(step: int) -> None:
        for k, by_window in panes.items():
            for window, pane in list(by_window.items()):
                while continuous is not None and pane.next_fire is not None \
                        and pane.next_fire <= now and pane.next_fire < max_ts(window):
                    fire(k, pane, step)
                    pane.next_fire = min(pane.next_fire + continuous, max_ts(window))
                if pane.pending and max_ts(window) <= now:
                    fire(k, pane, step)
                    pane.pending = False
                if max_ts(window) + lateness <= now:
                    del by_window[window]

    for step, item in enumerate(script):
        if isinstance(item, Clock):
            clock = item.time
            if delay is None:
                now = max(now, clock)
                advance(step)
            fires_by_step[step] = len(fires)
            continue
        for record in item:
            k, t = key(record), time_of(record, clock)
            by_window = panes.setdefault(k, {})
            if session_gap is not None:
                windows = [(t, t + session_gap(record))]
            else:
                windows = assign(t)
            skipped = True
            for window in windows:
                if session_gap is not None:
                    # As Flink: merge first, then drop the result if late (only a new
                    # session that touches none can be, kept sessions are not late).
                    if max_ts(window) + lateness <= now and not _touching(by_window, window):
                        continue
                    window = _merge_session(by_window, window)
                elif max_ts(window) + lateness <= now:
                    continue
                skipped = False
                pane = by_window.setdefault(window, _Pane(window))
                pane.elements.append(record)
                if continuous is not None and pane.next_fire is None and max_ts(window) > now:
                    base = t if delay is not None else clock
                    pane.next_fire = min(base - base % continuous + continuous, max_ts(window))
                if max_ts(window) <= now:
                    fire(k, pane, step)  # already due: fires on the element
                    pane.pending = False
            if skipped and delay is not None and t + lateness <= now:
                late.append(record)
            if delay is not None:
                max_seen = t if max_seen is None else max(max_seen, t)
        if delay is not None and max_seen is not None and max_seen - delay - 1 > now:
            now = max_seen - delay - 1
            advance(step)
        fires_by_step[step] = len(fires)
    if delay is not None:
        now = END_OF_TIME
        advance(len(script))
    fires_by_step[len(script)] = len(fires)
    return fires, late, fires_by_step


def _touching(by_window: Dict[Window, _Pane], window: Window) -> List[Window]:
    start, end = window
    return [w for w in by_window if w[0] <= end and w[1] >= start]


def _merge_session(by_window: Dict[Window, _Pane], window: Window) -> Window:
    """Merges 'window' with every session of the key it overlaps or touches."""
    start, end = window
    merged = _touching(by_window, window)
    if not merged:
        return window
    if len(merged) == 1 and merged[0][0] <= start and merged[0][1] >= end:
        return merged[0]  # inside an existing session, which keeps its state
    elements: List[Any] = []
    for w in sorted(merged):
        pane = by_window.pop(w)
        elements.extend(pane.elements)
        start, end = min(start, w[0]), max(end, w[1])
    pane = by_window[(start, end)] = _Pane((start, end))
    pane.elements = elements
    return (start, end)


def sorted_repr(values: Sequence[Any]) -> List[Any]:
    """'values' in a canonical order (parallel subtasks interleave their outputs)."""
    return sorted(values, key=repr)
