"""What a window keeps and what the user's function sees when it fires.

A window keeps its elements in one of three forms, chosen by the
WindowedStream method: all elements (process, apply), their running
reduction (reduce) or an accumulator (aggregate). Keeping the reduction or
accumulator instead of the elements is why reduce() and aggregate() need
little memory however many elements a window has.

When the window fires, the stored form becomes the elements handed to the
window function: the list, [reduction] or [get_result(accumulator)]; with no
window function those elements are the output.
"""

from typing import Any, Callable, Iterable, List, Optional

from fluvial.datastream._keyed import KeyedRuntime, StateTable
from fluvial.datastream._keyed_state import KeyedStateStore
from fluvial.datastream.functions import (
    AggregateFunction,
    AllWindowFunction,
    Function,
    ProcessAllWindowFunction,
    ProcessWindowFunction,
    ReduceFunction,
    RuntimeContext,
    WindowFunction,
)

MISSING = object()  # an empty window (a reduction may legitimately be None)


# ---------------------------------------------------------------- window contents


class WindowContents:
    """The contents of every window of one operator subtask, per key and window."""

    def __init__(self, table: StateTable):
        self._table = table

    def get(self, window: Any) -> Any:
        return self._table.get(window, MISSING)

    def remove(self, window: Any) -> None:
        self._table.remove(window)

    def add(self, window: Any, value: Any) -> None:
        raise NotImplementedError

    def combine(self, target: Any, source: Any) -> Any:
        """The stored form of two merged windows (session windows)."""
        raise NotImplementedError

    def elements(self, stored: Any) -> List[Any]:
        """What the window function gets for the stored form."""
        return [stored]

    def merge(self, target_window: Any, source_windows: Iterable[Any]) -> None:
        """Moves the contents of 'source_windows' into 'target_window'."""
        merged = self.get(target_window)
        for window in source_windows:
            stored = self.get(window)
            if stored is MISSING:
                continue
            self.remove(window)
            merged = stored if merged is MISSING else self.combine(merged, stored)
        if merged is not MISSING:
            self._table.put(merged, target_window)


class ListContents(WindowContents):
    def add(self, window: Any, value: Any) -> None:
        values = self._table.get(window)
        if values is None:
            self._table.put([value], window)
        else:
            values.append(value)

    def combine(self, target: List[Any], source: List[Any]) -> List[Any]:
        target.extend(source)
        return target

    def elements(self, stored: List[Any]) -> List[Any]:
        return stored


class ReducingContents(WindowContents):
    def __init__(self, table: StateTable, reduce: Callable[[Any, Any], Any]):
        super().__init__(table)
        self._reduce = reduce

    def add(self, window: Any, value: Any) -> None:
        current = self._table.get(window, MISSING)
        self._table.put(value if current is MISSING else self._reduce(current, value), window)

    def combine(self, target: Any, source: Any) -> Any:
        return self._reduce(target, source)


class AggregatingContents(WindowContents):
    def __init__(self, table: StateTable, function: AggregateFunction):
        super().__init__(table)
        self._function = function

    def add(self, window: Any, value: Any) -> None:
        accumulator = self._table.get(window, MISSING)
        if accumulator is MISSING:
            accumulator = self._function.create_accumulator()
        self._table.put(self._function.add(value, accumulator), window)

    def combine(self, target: Any, source: Any) -> Any:
        return self._function.merge(target, source)

    def elements(self, stored: Any) -> List[Any]:
        return [self._function.get_result(stored)]


def reduce_call(function: Any) -> Callable[[Any, Any], Any]:
    return function.reduce if isinstance(function, ReduceFunction) else function


# ---------------------------------------------------------------- window function calls


class WindowFunctionContext(ProcessWindowFunction.Context, ProcessAllWindowFunction.Context):
    """The context of a firing window; one object re-pointed at each window it serves."""

    def __init__(self, runtime: KeyedRuntime, merging: bool = False):
        self._runtime = runtime
        self._merging = merging
        self._window: Any = None
        self._window_store: Optional["_WindowStateStore"] = None
        self._global_store: Optional[KeyedStateStore] = None

    def window(self) -> Any:
        return self._window

    def current_processing_time(self) -> int:
        return self._runtime.timer_service.current_processing_time()

    def current_watermark(self) -> int:
        return self._runtime.timer_service.current_watermark()

    def window_state(self) -> "_WindowStateStore":
        if self._merging:
            # As in Flink: a session's per-window state would have to merge with its
            # windows, which keyed state cannot do for every kind.
            from fluvial.errors import UnsupportedFeatureError

            raise UnsupportedFeatureError(
                "window_state() is not available with merging (session) windows; keep such "
                "state in global_state() or in the window contents")
        if self._window_store is None:
            self._window_store = _WindowStateStore(KeyedStateStore(self._runtime), self)
        return self._window_store

    def global_state(self) -> KeyedStateStore:
        if self._global_store is None:
            self._global_store = KeyedStateStore(self._runtime)
        return self._global_store


class _WindowStateStore:
    """A KeyedStateStore whose states are scoped to the context's current window.

    It keeps its own state objects (apart from global_state()'s), so pointing
    them at a window never moves a global state.
    """

    def __init__(self, store: KeyedStateStore, context: WindowFunctionContext):
        self._store = store
        self._context = context

    def _scoped(self, state: Any) -> Any:
        state.set_current_namespace(self._context._window)
        return state

    def get_state(self, state_descriptor):
        return self._scoped(self._store.get_state(state_descriptor))

    def get_list_state(self, state_descriptor):
        return self._scoped(self._store.get_list_state(state_descriptor))

    def get_map_state(self, state_descriptor):
        return self._scoped(self._store.get_map_state(state_descriptor))

    def get_reducing_state(self, state_descriptor):
        return self._scoped(self._store.get_reducing_state(state_descriptor))

    def get_aggregating_state(self, state_descriptor):
        return self._scoped(self._store.get_aggregating_state(state_descriptor))


class WindowFunctionCall:
    """Calls the user's window function (or passes the elements through, with none)."""

    def __init__(self, function: Any):
        self.function = function

    def emit(self, key: Any, window: Any, elements: List[Any],
             context: WindowFunctionContext) -> Optional[Iterable[Any]]:
        return elements

    def clear(self, context: WindowFunctionContext) -> None:
        pass


class _Apply(WindowFunctionCall):
    def emit(self, key, window, elements, context):
        return self.function.apply(key, window, elements)


class _AllApply(WindowFunctionCall):
    def emit(self, key, window, elements, context):
        return self.function.apply(window, elements)


class _Process(WindowFunctionCall):
    def emit(self, key, window, elements, context):
        return self.function.process(key, context, elements)

    def clear(self, context):
        self.function.clear(context)


class _AllProcess(WindowFunctionCall):
    def emit(self, key, window, elements, context):
        return self.function.process(context, elements)

    def clear(self, context):
        self.function.clear(context)


def window_function_call(function: Any) -> WindowFunctionCall:
    """The call for a window function of any of the four kinds, or None (pass-through)."""
    for function_class, call_class in ((ProcessWindowFunction, _Process),
                                       (WindowFunction, _Apply),
                                       (ProcessAllWindowFunction, _AllProcess),
                                       (AllWindowFunction, _AllApply)):
        if isinstance(function, function_class):
            return call_class(function)
    return WindowFunctionCall(None)


def open_functions(functions: Iterable[Any], runtime_context: RuntimeContext) -> None:
    for function in functions:
        if isinstance(function, Function):
            function.open(runtime_context)


def close_functions(functions: Iterable[Any]) -> None:
    for function in functions:
        if isinstance(function, Function):
            function.close()
