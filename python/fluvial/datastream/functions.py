"""User-function classes of the DataStream API, with PyFlink's names.

Plain Python callables (lambdas, functions) are accepted wherever a function
class is; a class is needed for open()/close() and for keyed state.
"""

from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, Iterable, Optional

from fluvial._unsupported import RefusesUnsupportedPyFlinkMethods
from fluvial.datastream.time_domain import TimeDomain
from fluvial.datastream.timerservice import TimerService

__all__ = [
    "Function",
    "RuntimeContext",
    "MapFunction",
    "FlatMapFunction",
    "FilterFunction",
    "ReduceFunction",
    "AggregateFunction",
    "KeySelector",
    "NullByteKeySelector",
    "ProcessFunction",
    "KeyedProcessFunction",
    "CoMapFunction",
    "CoFlatMapFunction",
    "CoProcessFunction",
    "KeyedCoProcessFunction",
    "BaseBroadcastProcessFunction",
    "BroadcastProcessFunction",
    "KeyedBroadcastProcessFunction",
    "TimerService",
    "TimeDomain",
    "WindowFunction",
    "AllWindowFunction",
    "ProcessWindowFunction",
    "ProcessAllWindowFunction",
    "Partitioner",
    "SinkFunction",
    "SourceFunction",
]


class RuntimeContext(RefusesUnsupportedPyFlinkMethods):
    """What a running function can learn about where it runs (given to open())."""

    def __init__(self, task_name: str, index_of_this_subtask: int,
                 number_of_parallel_subtasks: int, max_number_of_parallel_subtasks: int,
                 job_parameters: Optional[Dict[str, str]] = None, attempt_number: int = 0,
                 keyed_state_store: Any = None):
        self._task_name = task_name
        self._index = index_of_this_subtask
        self._parallelism = number_of_parallel_subtasks
        self._max_parallelism = max_number_of_parallel_subtasks
        self._job_parameters = dict(job_parameters or {})
        self._attempt_number = attempt_number
        # A _keyed_state.KeyedStateStore in keyed operators, None elsewhere.
        self._keyed_state_store = keyed_state_store

    def get_task_name(self) -> str:
        return self._task_name

    def get_number_of_parallel_subtasks(self) -> int:
        return self._parallelism

    def get_max_number_of_parallel_subtasks(self) -> int:
        return self._max_parallelism

    def get_index_of_this_subtask(self) -> int:
        return self._index

    def get_attempt_number(self) -> int:
        return self._attempt_number

    def get_task_name_with_subtasks(self) -> str:
        return f"{self._task_name} ({self._index + 1}/{self._parallelism})"

    def get_job_parameter(self, key: str, default_value: str) -> str:
        """Returns the global job parameter `key` (ExecutionConfig.set_global_job_parameters)."""
        return self._job_parameters.get(key, default_value)

    # Keyed state: only in operators after key_by(), where each key sees its own values.

    def get_state(self, state_descriptor):
        """The ValueState named by a ValueStateDescriptor."""
        return self._keyed_state("get_state").get_state(state_descriptor)

    def get_list_state(self, state_descriptor):
        return self._keyed_state("get_list_state").get_list_state(state_descriptor)

    def get_map_state(self, state_descriptor):
        return self._keyed_state("get_map_state").get_map_state(state_descriptor)

    def get_reducing_state(self, state_descriptor):
        return self._keyed_state("get_reducing_state").get_reducing_state(state_descriptor)

    def get_aggregating_state(self, state_descriptor):
        return self._keyed_state("get_aggregating_state").get_aggregating_state(state_descriptor)

    def _keyed_state(self, method: str):
        if self._keyed_state_store is None:
            from fluvial.errors import InvalidJobError

            raise InvalidJobError(
                f"keyed state needs a keyed stream: call key_by() first ({method}() in operator "
                f"'{self._task_name}', which is not keyed)")
        return self._keyed_state_store


class Function(ABC):
    """Base of every user-function class: open() before the first record, close() after the last."""

    def open(self, runtime_context: RuntimeContext):
        pass

    def close(self):
        pass


class MapFunction(Function):
    @abstractmethod
    def map(self, value: Any) -> Any:
        pass


class FlatMapFunction(Function):
    @abstractmethod
    def flat_map(self, value: Any) -> Iterable[Any]:
        """Returns or yields any number of records."""


class FilterFunction(Function):
    @abstractmethod
    def filter(self, value: Any) -> bool:
        pass


class ReduceFunction(Function):
    @abstractmethod
    def reduce(self, value1: Any, value2: Any) -> Any:
        """Combines the current value for a key (value1) with a new record (value2)."""


class AggregateFunction(Function):
    """Aggregates values into an accumulator: create, add, merge, then get_result()."""

    @abstractmethod
    def create_accumulator(self) -> Any:
        pass

    @abstractmethod
    def add(self, value: Any, accumulator: Any) -> Any:
        """Returns the accumulator with 'value' added (it may be the same object)."""

    @abstractmethod
    def get_result(self, accumulator: Any) -> Any:
        pass

    @abstractmethod
    def merge(self, acc_a: Any, acc_b: Any) -> Any:
        """Returns the combination of two accumulators."""


# ---------------------------------------------------------------- window functions
# Called when a window fires; they return or yield the outputs. Their contexts
# are valid only during the call they are given to.


class WindowFunction(Function):
    """Evaluates a window of a keyed stream (WindowedStream.apply())."""

    @abstractmethod
    def apply(self, key: Any, window: Any, inputs: Iterable[Any]) -> Iterable[Any]:
        pass


class AllWindowFunction(Function):
    """Evaluates a window of a non-keyed stream (AllWindowedStream.apply())."""

    @abstractmethod
    def apply(self, window: Any, inputs: Iterable[Any]) -> Iterable[Any]:
        pass


class _WindowContext(ABC):
    @abstractmethod
    def window(self) -> Any:
        """The window being evaluated."""

    @abstractmethod
    def current_processing_time(self) -> int:
        pass

    @abstractmethod
    def current_watermark(self) -> int:
        pass

    @abstractmethod
    def window_state(self):
        """Keyed state scoped to this key and window (a KeyedStateStore: get_state(), ...);
        clean it up in clear()."""

    @abstractmethod
    def global_state(self):
        """Keyed state scoped to this key only, shared by all its windows."""


class ProcessWindowFunction(Function):
    """Evaluates a window of a keyed stream with a context (window, time, per-window state)."""

    class Context(_WindowContext):
        pass

    @abstractmethod
    def process(self, key: Any, context: "ProcessWindowFunction.Context",
                elements: Iterable[Any]) -> Iterable[Any]:
        pass

    def clear(self, context: "ProcessWindowFunction.Context") -> None:
        """Called when the window is dropped (the watermark passed its end plus the allowed
        lateness): delete its window_state() here."""


class ProcessAllWindowFunction(Function):
    """Evaluates a window of a non-keyed stream with a context."""

    class Context(_WindowContext):
        pass

    @abstractmethod
    def process(self, context: "ProcessAllWindowFunction.Context",
                elements: Iterable[Any]) -> Iterable[Any]:
        pass

    def clear(self, context: "ProcessAllWindowFunction.Context") -> None:
        """Called when the window is dropped: delete its window_state() here."""


class KeySelector(Function):
    @abstractmethod
    def get_key(self, value: Any) -> Any:
        pass


class NullByteKeySelector(KeySelector):
    """Puts every record under the same key (used for non-keyed 'all' operations)."""

    def get_key(self, value: Any) -> int:
        return 0


class Partitioner(Function):
    @abstractmethod
    def partition(self, key: Any, num_partitions: int) -> int:
        """Returns the index, in [0, num_partitions), of the subtask for `key`."""


class ProcessFunction(Function):
    """Processes each record with access to a context; yields any number of outputs."""

    class Context(ABC):
        @abstractmethod
        def timestamp(self) -> Optional[int]:
            """The record's event timestamp in ms, or None if it has none."""

        @abstractmethod
        def timer_service(self):
            pass

    @abstractmethod
    def process_element(self, value: Any, ctx: "ProcessFunction.Context") -> Iterable[Any]:
        pass


# ---------------------------------------------------------------- keyed and two-input functions
# Their methods return or yield outputs (``yield tag, value`` for a side output).
# Contexts are valid only during the call they are given to.


class _KeyedContext(ABC):
    @abstractmethod
    def get_current_key(self) -> Any:
        pass

    @abstractmethod
    def timer_service(self) -> TimerService:
        pass

    @abstractmethod
    def timestamp(self) -> Optional[int]:
        """The element's timestamp, or a firing timer's; None if the element has none."""


class KeyedProcessFunction(Function):
    """Processes the elements of a KeyedStream one key at a time, with keyed state and timers."""

    class Context(_KeyedContext):
        pass

    class OnTimerContext(Context):
        @abstractmethod
        def time_domain(self) -> TimeDomain:
            """Whether the firing timer is an event-time or a processing-time timer."""

    @abstractmethod
    def process_element(self, value: Any, ctx: "KeyedProcessFunction.Context") -> Iterable[Any]:
        pass

    def on_timer(self, timestamp: int, ctx: "KeyedProcessFunction.OnTimerContext") -> Iterable[Any]:
        """Called when a timer registered for the current key fires."""


class CoMapFunction(Function):
    """map1() maps the elements of the first connected stream, map2() those of the second."""

    @abstractmethod
    def map1(self, value: Any) -> Any:
        pass

    @abstractmethod
    def map2(self, value: Any) -> Any:
        pass


class CoFlatMapFunction(Function):
    @abstractmethod
    def flat_map1(self, value: Any) -> Iterable[Any]:
        pass

    @abstractmethod
    def flat_map2(self, value: Any) -> Iterable[Any]:
        pass


class CoProcessFunction(Function):
    """Processes the elements of two connected streams (timers need keyed streams)."""

    class Context(ABC):
        @abstractmethod
        def timer_service(self) -> TimerService:
            pass

        @abstractmethod
        def timestamp(self) -> Optional[int]:
            pass

    @abstractmethod
    def process_element1(self, value: Any, ctx: "CoProcessFunction.Context") -> Iterable[Any]:
        pass

    @abstractmethod
    def process_element2(self, value: Any, ctx: "CoProcessFunction.Context") -> Iterable[Any]:
        pass


class KeyedCoProcessFunction(Function):
    """Processes two connected keyed streams, with keyed state and timers shared by both."""

    class Context(_KeyedContext):
        pass

    class OnTimerContext(Context):
        @abstractmethod
        def time_domain(self) -> TimeDomain:
            pass

    @abstractmethod
    def process_element1(self, value: Any, ctx: "KeyedCoProcessFunction.Context") -> Iterable[Any]:
        pass

    @abstractmethod
    def process_element2(self, value: Any, ctx: "KeyedCoProcessFunction.Context") -> Iterable[Any]:
        pass

    def on_timer(self, timestamp: int, ctx: "KeyedCoProcessFunction.OnTimerContext") -> Iterable[Any]:
        pass


class BaseBroadcastProcessFunction(Function):
    """What the two broadcast process functions share: their contexts' clocks and broadcast state."""

    class BaseContext(ABC):
        @abstractmethod
        def timestamp(self) -> Optional[int]:
            pass

        @abstractmethod
        def current_processing_time(self) -> int:
            pass

        @abstractmethod
        def current_watermark(self) -> int:
            pass

    class Context(BaseContext):
        """The broadcast side's context: the broadcast state is writable."""

        @abstractmethod
        def get_broadcast_state(self, state_descriptor):
            pass

    class ReadOnlyContext(BaseContext):
        """The other side's context: the broadcast state is read-only."""

        @abstractmethod
        def get_broadcast_state(self, state_descriptor):
            pass


class BroadcastProcessFunction(BaseBroadcastProcessFunction):
    """Connects a non-keyed stream with a BroadcastStream (DataStream.broadcast(descriptor))."""

    class Context(BaseBroadcastProcessFunction.Context):
        pass

    class ReadOnlyContext(BaseBroadcastProcessFunction.ReadOnlyContext):
        pass

    @abstractmethod
    def process_element(self, value: Any, ctx: "BroadcastProcessFunction.ReadOnlyContext"
                        ) -> Iterable[Any]:
        pass

    @abstractmethod
    def process_broadcast_element(self, value: Any, ctx: "BroadcastProcessFunction.Context"
                                  ) -> Iterable[Any]:
        """Called in every parallel instance for every broadcast element."""


class KeyedBroadcastProcessFunction(BaseBroadcastProcessFunction):
    """Connects a KeyedStream with a BroadcastStream: keyed state and timers on the keyed side."""

    class Context(BaseBroadcastProcessFunction.Context):
        @abstractmethod
        def apply_to_keyed_state(self, state_descriptor, function: Callable[[Any, Any], None]) -> None:
            """Calls function(key, state) for every key of this instance that has that state."""

    class ReadOnlyContext(BaseBroadcastProcessFunction.ReadOnlyContext):
        @abstractmethod
        def timer_service(self) -> TimerService:
            pass

        @abstractmethod
        def get_current_key(self) -> Any:
            pass

    class OnTimerContext(ReadOnlyContext):
        @abstractmethod
        def time_domain(self) -> TimeDomain:
            pass

    @abstractmethod
    def process_element(self, value: Any, ctx: "KeyedBroadcastProcessFunction.ReadOnlyContext"
                        ) -> Iterable[Any]:
        pass

    @abstractmethod
    def process_broadcast_element(self, value: Any, ctx: "KeyedBroadcastProcessFunction.Context"
                                  ) -> Iterable[Any]:
        """Called in every parallel instance for every broadcast element."""

    def on_timer(self, timestamp: int, ctx: "KeyedBroadcastProcessFunction.OnTimerContext"
                 ) -> Iterable[Any]:
        pass


class SinkFunction(Function):
    """A sink written in Python: invoke() is called for every record."""

    class Context:
        def __init__(self):
            self._timestamp = None

        def timestamp(self) -> Optional[int]:
            return self._timestamp

        def current_processing_time(self) -> int:
            import time

            return int(time.time() * 1000)

    def invoke(self, value: Any, context: "SinkFunction.Context"):
        raise NotImplementedError(f"{type(self).__name__} must implement invoke(value, context)")


class SourceFunction(Function):
    """A source written in Python: run() emits records with ctx.collect() until it returns.

    run() runs on a thread of its own; cancel() is called when the job stops
    early and must make run() return.
    """

    class SourceContext:
        def __init__(self, emit):
            self._emit = emit

        def collect(self, element: Any):
            self._emit(element)

    def run(self, ctx: "SourceFunction.SourceContext"):
        raise NotImplementedError(f"{type(self).__name__} must implement run(ctx)")

    def cancel(self):
        pass
