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
    """What a running function can learn about where it runs (given to open()).

    Examples:
        >>> from fluvial.datastream import MapFunction, StreamExecutionEnvironment
        >>> class Where(MapFunction):
        ...     def open(self, runtime_context):
        ...         self.where = runtime_context.get_task_name_with_subtasks()
        ...     def map(self, value):
        ...         return self.where
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> list(env.from_collection([1]).map(Where()).name("locate").execute_and_collect())
        ['locate (1/1)']
    """

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
    """Base of every user-function class: open() before the first record, close() after the last.

    Examples:
        >>> from fluvial.datastream import MapFunction, StreamExecutionEnvironment
        >>> class Scale(MapFunction):
        ...     def open(self, runtime_context):
        ...         self.factor = 10          # e.g. load a model once per parallel instance
        ...     def map(self, value):
        ...         return value * self.factor
        ...     def close(self):
        ...         print("closed")
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> list(env.from_collection([1, 2]).map(Scale()).execute_and_collect())
        closed
        [10, 20]
    """

    def open(self, runtime_context: RuntimeContext):
        pass

    def close(self):
        pass


class MapFunction(Function):
    """Turns each element into exactly one element.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import MapFunction, StreamExecutionEnvironment
        >>> class Lower(MapFunction):
        ...     def map(self, value):
        ...         return value.lower()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> list(env.from_collection(["A", "Bc"]).map(Lower(), output_type=Types.STRING()).execute_and_collect())
        ['a', 'bc']
    """

    @abstractmethod
    def map(self, value: Any) -> Any:
        pass


class FlatMapFunction(Function):
    """Turns each element into zero or more elements: flat_map() yields or returns an iterable.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import FlatMapFunction, StreamExecutionEnvironment
        >>> class Split(FlatMapFunction):
        ...     def flat_map(self, value):
        ...         yield from value.split()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> words = env.from_collection(["to be", "or not"]).flat_map(Split(), output_type=Types.STRING())
        >>> list(words.execute_and_collect())
        ['to', 'be', 'or', 'not']
    """

    @abstractmethod
    def flat_map(self, value: Any) -> Iterable[Any]:
        """Returns or yields any number of records."""


class FilterFunction(Function):
    """Keeps the elements for which filter() returns True.

    Examples:
        >>> from fluvial.datastream import FilterFunction, StreamExecutionEnvironment
        >>> class Even(FilterFunction):
        ...     def filter(self, value):
        ...         return value % 2 == 0
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> list(env.from_collection([1, 2, 3, 4]).filter(Even()).execute_and_collect())
        [2, 4]
    """

    @abstractmethod
    def filter(self, value: Any) -> bool:
        pass


class ReduceFunction(Function):
    """Combines two values of the same key into one, incrementally.

    Examples:
        >>> from fluvial.datastream import ReduceFunction, StreamExecutionEnvironment
        >>> class Total(ReduceFunction):
        ...     def reduce(self, value1, value2):
        ...         return value1[0], value1[1] + value2[1]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> orders = env.from_collection([("alice", 12.5), ("bob", 7.25), ("alice", 3.0)])
        >>> list(orders.key_by(lambda o: o[0]).reduce(Total()).execute_and_collect())
        [('alice', 12.5), ('bob', 7.25), ('alice', 15.5)]
    """

    @abstractmethod
    def reduce(self, value1: Any, value2: Any) -> Any:
        """Combines the current value for a key (value1) with a new record (value2)."""


class AggregateFunction(Function):
    """Aggregates values into an accumulator: create, add, merge, then get_result().

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import AggregateFunction, StreamExecutionEnvironment
        >>> class Average(AggregateFunction):
        ...     def create_accumulator(self):
        ...         return 0, 0
        ...     def add(self, value, accumulator):
        ...         return accumulator[0] + value[1], accumulator[1] + 1
        ...     def get_result(self, accumulator):
        ...         return accumulator[0] / accumulator[1]
        ...     def merge(self, a, b):
        ...         return a[0] + b[0], a[1] + b[1]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> scores = env.from_collection([("a", 1), ("a", 3), ("b", 10), ("a", 5)])
        >>> averages = scores.key_by(lambda s: s[0]).count_window(3).aggregate(Average())
        >>> list(averages.execute_and_collect())
        [3.0]
    """

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
    """Evaluates a window of a keyed stream (WindowedStream.apply()).

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment, WindowFunction
        >>> class Collect(WindowFunction):
        ...     def apply(self, key, window, inputs):
        ...         yield key, [value for _, value in inputs]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> items = env.from_collection([("u1", "x"), ("u1", "y"), ("u2", "z"), ("u1", "w")])
        >>> list(items.key_by(lambda i: i[0]).count_window(2).apply(Collect()).execute_and_collect())
        [('u1', ['x', 'y'])]
    """

    @abstractmethod
    def apply(self, key: Any, window: Any, inputs: Iterable[Any]) -> Iterable[Any]:
        pass


class AllWindowFunction(Function):
    """Evaluates a window of a non-keyed stream (AllWindowedStream.apply()).

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.functions import AllWindowFunction
        >>> class Batch(AllWindowFunction):
        ...     def apply(self, window, inputs):
        ...         yield sorted(inputs)
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> batches = env.from_collection([5, 3, 4, 1, 2, 6]).count_window_all(3).apply(Batch())
        >>> list(batches.execute_and_collect())
        [[3, 4, 5], [1, 2, 6]]
    """

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
    """Evaluates a window of a keyed stream with a context (window, time, per-window state).

    Examples:
        >>> from fluvial.common import Time, TimestampAssigner, WatermarkStrategy
        >>> from fluvial.datastream import ProcessWindowFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.window import TumblingEventTimeWindows
        >>> class CountPerWindow(ProcessWindowFunction):
        ...     def process(self, key, context, elements):
        ...         window = context.window()
        ...         yield key, window.start, window.end, len(list(elements))
        >>> class EventTime(TimestampAssigner):
        ...     def extract_timestamp(self, value, record_timestamp):
        ...         return value[1]
        >>> strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(EventTime())
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> clicks = env.from_collection([("a", 100), ("a", 900), ("a", 1200)])
        >>> counts = (clicks.assign_timestamps_and_watermarks(strategy).key_by(lambda c: c[0])
        ...           .window(TumblingEventTimeWindows.of(Time.seconds(1))).process(CountPerWindow()))
        >>> list(counts.execute_and_collect())
        [('a', 0, 1000, 2), ('a', 1000, 2000, 1)]
    """

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
    """Evaluates a window of a non-keyed stream with a context.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.functions import ProcessAllWindowFunction
        >>> class Largest(ProcessAllWindowFunction):
        ...     def process(self, context, elements):
        ...         yield context.window().id, max(elements)
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> largest = env.from_collection([3, 9, 1, 4]).count_window_all(2).process(Largest())
        >>> list(largest.execute_and_collect())
        [(0, 9), (1, 4)]
    """

    class Context(_WindowContext):
        pass

    @abstractmethod
    def process(self, context: "ProcessAllWindowFunction.Context",
                elements: Iterable[Any]) -> Iterable[Any]:
        pass

    def clear(self, context: "ProcessAllWindowFunction.Context") -> None:
        """Called when the window is dropped: delete its window_state() here."""


class KeySelector(Function):
    """Extracts the key of an element for key_by() and partition_custom().

    Examples:
        >>> from fluvial.datastream import KeySelector, StreamExecutionEnvironment
        >>> class ByUser(KeySelector):
        ...     def get_key(self, value):
        ...         return value[0]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> orders = env.from_collection([("alice", 2), ("bob", 1), ("alice", 3)])
        >>> list(orders.key_by(ByUser()).sum(1).execute_and_collect())
        [('alice', 2), ('bob', 1), ('alice', 5)]
    """

    @abstractmethod
    def get_key(self, value: Any) -> Any:
        pass


class NullByteKeySelector(KeySelector):
    """Puts every record under the same key (used for non-keyed 'all' operations).

    Examples:
        >>> from fluvial.datastream import NullByteKeySelector, StreamExecutionEnvironment
        >>> NullByteKeySelector().get_key("anything")
        0
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> list(env.from_collection([1, 2, 3]).key_by(NullByteKeySelector()).sum().execute_and_collect())
        [1, 3, 6]
    """

    def get_key(self, value: Any) -> int:
        return 0


class Partitioner(Function):
    """Chooses the parallel instance a key goes to (DataStream.partition_custom()).

    Examples:
        >>> from fluvial.datastream import Partitioner, StreamExecutionEnvironment
        >>> class Modulo(Partitioner):
        ...     def partition(self, key, num_partitions):
        ...         return key % num_partitions
        >>> Modulo().partition(7, 2)
        1
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> spread = env.from_collection([1, 2, 3, 4]).partition_custom(Modulo(), lambda x: x)
        >>> sorted(spread.map(lambda x: x).set_parallelism(2).execute_and_collect())
        [1, 2, 3, 4]
    """

    @abstractmethod
    def partition(self, key: Any, num_partitions: int) -> int:
        """Returns the index, in [0, num_partitions), of the subtask for `key`."""


class ProcessFunction(Function):
    """Processes each record with access to a context; yields any number of outputs.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import OutputTag, ProcessFunction, StreamExecutionEnvironment
        >>> malformed = OutputTag("malformed", Types.STRING())
        >>> class Parse(ProcessFunction):
        ...     def process_element(self, value, ctx):
        ...         if value.isdigit():
        ...             yield int(value)
        ...         else:
        ...             yield malformed, value
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> numbers = env.from_collection(["1", "x", "22"]).process(Parse(), output_type=Types.INT())
        >>> bad = numbers.get_side_output(malformed)
        >>> list(numbers.execute_and_collect())
        [1, 22]
    """

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
    """Processes the elements of a KeyedStream one key at a time, with keyed state and timers.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.state import ValueStateDescriptor
        >>> class CountPerUser(KeyedProcessFunction):
        ...     def open(self, runtime_context):
        ...         self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))
        ...     def process_element(self, value, ctx):
        ...         self.count.update((self.count.value() or 0) + 1)
        ...         yield ctx.get_current_key(), self.count.value()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> clicks = env.from_collection(["alice", "bob", "alice"])
        >>> list(clicks.key_by(lambda user: user).process(CountPerUser()).execute_and_collect())
        [('alice', 1), ('bob', 1), ('alice', 2)]
    """

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
    """map1() maps the elements of the first connected stream, map2() those of the second.

    Examples:
        >>> from fluvial.datastream import CoMapFunction, StreamExecutionEnvironment
        >>> class Tag(CoMapFunction):
        ...     def map1(self, value):
        ...         return "click", value
        ...     def map2(self, value):
        ...         return "view", value
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> clicks, views = env.from_collection([1]), env.from_collection([2, 3])
        >>> sorted(clicks.connect(views).map(Tag()).execute_and_collect())
        [('click', 1), ('view', 2), ('view', 3)]
    """

    @abstractmethod
    def map1(self, value: Any) -> Any:
        pass

    @abstractmethod
    def map2(self, value: Any) -> Any:
        pass


class CoFlatMapFunction(Function):
    """flat_map1() and flat_map2() turn each element of the two connected streams into zero or more.

    Examples:
        >>> from fluvial.datastream import CoFlatMapFunction, StreamExecutionEnvironment
        >>> class Words(CoFlatMapFunction):
        ...     def flat_map1(self, value):
        ...         yield from value.split()
        ...     def flat_map2(self, value):
        ...         yield str(value)
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> lines, numbers = env.from_collection(["a b"]), env.from_collection([7])
        >>> sorted(lines.connect(numbers).flat_map(Words()).execute_and_collect())
        ['7', 'a', 'b']
    """

    @abstractmethod
    def flat_map1(self, value: Any) -> Iterable[Any]:
        pass

    @abstractmethod
    def flat_map2(self, value: Any) -> Iterable[Any]:
        pass


class CoProcessFunction(Function):
    """Processes the elements of two connected streams (timers need keyed streams).

    Examples:
        >>> from fluvial.datastream import CoProcessFunction, StreamExecutionEnvironment
        >>> class Merge(CoProcessFunction):
        ...     def process_element1(self, value, ctx):
        ...         yield value.upper()
        ...     def process_element2(self, value, ctx):
        ...         yield value * 10
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> merged = env.from_collection(["a"]).connect(env.from_collection([4])).process(Merge())
        >>> sorted(merged.execute_and_collect(), key=str)
        [40, 'A']
    """

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
    """Processes two connected keyed streams, with keyed state and timers shared by both.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import KeyedCoProcessFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.state import ValueStateDescriptor
        >>> class Count(KeyedCoProcessFunction):
        ...     def open(self, runtime_context):
        ...         self.seen = runtime_context.get_state(ValueStateDescriptor("seen", Types.INT()))
        ...     def process_element1(self, value, ctx):
        ...         self.seen.update((self.seen.value() or 0) + 1)
        ...     def process_element2(self, value, ctx):
        ...         self.seen.update((self.seen.value() or 0) + 1)
        ...         yield ctx.get_current_key(), self.seen.value()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> views = env.from_collection([("alice", "v")] * 3)
        >>> buys = env.from_collection([("alice", "b")])
        >>> joined = views.connect(buys).key_by(lambda v: v[0], lambda b: b[0]).process(Count())
        >>> len(list(joined.execute_and_collect()))
        1
    """

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
    """What the two broadcast process functions share: their contexts' clocks and broadcast state.

    Examples:
        >>> from fluvial.datastream import BroadcastProcessFunction, KeyedBroadcastProcessFunction
        >>> from fluvial.datastream.functions import BaseBroadcastProcessFunction
        >>> issubclass(BroadcastProcessFunction, BaseBroadcastProcessFunction)
        True
        >>> issubclass(KeyedBroadcastProcessFunction, BaseBroadcastProcessFunction)
        True
    """

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
    """Connects a non-keyed stream with a BroadcastStream (DataStream.broadcast(descriptor)).

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import BroadcastProcessFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.state import MapStateDescriptor
        >>> limits = MapStateDescriptor("limits", Types.STRING(), Types.INT())
        >>> class Check(BroadcastProcessFunction):
        ...     def process_element(self, value, ctx):
        ...         yield "seen", value
        ...     def process_broadcast_element(self, value, ctx):
        ...         ctx.get_broadcast_state(limits).put(value[0], value[1])
        ...         yield "stored", value[0]
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> rules = env.from_collection([("max", 10)]).broadcast(limits)
        >>> out = env.from_collection([3, 12]).connect(rules).process(Check())
        >>> sorted(out.execute_and_collect())
        [('seen', 3), ('seen', 12), ('stored', 'max')]
    """

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
    """Connects a KeyedStream with a BroadcastStream: keyed state and timers on the keyed side.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import KeyedBroadcastProcessFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.state import MapStateDescriptor
        >>> models = MapStateDescriptor("models", Types.STRING(), Types.STRING())
        >>> class Score(KeyedBroadcastProcessFunction):
        ...     def process_element(self, value, ctx):
        ...         yield "event of", ctx.get_current_key()
        ...     def process_broadcast_element(self, value, ctx):
        ...         ctx.get_broadcast_state(models).put("current", value)
        ...         yield "model", value
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> updates = env.from_collection(["v2"]).broadcast(models)
        >>> events = env.from_collection([("alice", 1), ("bob", 2)]).key_by(lambda e: e[0])
        >>> sorted(events.connect(updates).process(Score()).execute_and_collect())
        [('event of', 'alice'), ('event of', 'bob'), ('model', 'v2')]
    """

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
    """A sink written in Python: invoke() is called for every record.

    Examples:
        >>> from fluvial.datastream import SinkFunction, StreamExecutionEnvironment
        >>> class Show(SinkFunction):
        ...     def invoke(self, value, context):
        ...         print("got", value)
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> sink = env.from_collection(["a", "b"]).add_sink(Show())
        >>> result = env.execute()
        got a
        got b
    """

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

    Examples:
        >>> from fluvial.datastream import SourceFunction, StreamExecutionEnvironment
        >>> class Countdown(SourceFunction):
        ...     def run(self, ctx):
        ...         for n in (3, 2, 1):
        ...             ctx.collect(n)
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> list(env.add_source(Countdown(), "countdown").execute_and_collect())
        [3, 2, 1]
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


_ASYNC_FUNCTIONS = ("AsyncFunction", "AsyncRetryPredicate", "AsyncRetryStrategy")


def __getattr__(name: str):
    # PyFlink 2.x defines the async I/O function classes here too; they live in their own
    # module (which imports this one), so they are looked up on first use.
    if name in _ASYNC_FUNCTIONS:
        from fluvial.datastream import _async_functions

        return getattr(_async_functions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
