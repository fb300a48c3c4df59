"""Keyed and broadcast state (PyFlink's pyflink.datastream.state): the descriptors a
function registers state with, the time-to-live configuration, and the interfaces of
the state objects.

The implementations live in _keyed_state.py (heap state per key group, key and
namespace, over _keyed.StateTable) and _broadcast_state.py.
"""

from abc import ABC, abstractmethod
from enum import Enum
from typing import (Any, Callable, Dict, Generic, Iterable, Iterator, List, Optional, Tuple, TypeVar,
                    Union)

from fluvial.common.time import Duration, Time

__all__ = [
    "ValueStateDescriptor",
    "ValueState",
    "ListStateDescriptor",
    "ListState",
    "MapStateDescriptor",
    "MapState",
    "ReducingStateDescriptor",
    "ReducingState",
    "AggregatingStateDescriptor",
    "AggregatingState",
    "ReadOnlyBroadcastState",
    "BroadcastState",
    "StateTtlConfig",
    "OperatorStateStore",
]

# Type parameters of the state classes, as in PyFlink (`ValueState[int]`); no runtime meaning.
T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
IN = TypeVar("IN")
OUT = TypeVar("OUT")


# ---------------------------------------------------------------- state interfaces


class State(ABC):
    @abstractmethod
    def clear(self) -> None:
        """Removes the value of the current key."""


class ValueState(State, Generic[T]):
    """One value per key: value() reads it, update() writes it, clear() removes it.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.state import ValueStateDescriptor
        >>> class Changes(KeyedProcessFunction):
        ...     def open(self, runtime_context):
        ...         self.last = runtime_context.get_state(ValueStateDescriptor("last", Types.STRING()))
        ...     def process_element(self, value, ctx):
        ...         if value[1] != self.last.value():
        ...             self.last.update(value[1])
        ...             yield value
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> events = env.from_collection([("a", "on"), ("a", "on"), ("a", "off")])
        >>> list(events.key_by(lambda e: e[0]).process(Changes()).execute_and_collect())
        [('a', 'on'), ('a', 'off')]
    """

    @abstractmethod
    def value(self) -> Any:
        """The current key's value, or None if it has none."""

    @abstractmethod
    def update(self, value: Any) -> None:
        """Sets the current key's value; None removes it."""


class AppendingState(State, Generic[IN, OUT]):
    @abstractmethod
    def get(self) -> Any:
        pass

    @abstractmethod
    def add(self, value: Any) -> None:
        pass


class MergingState(AppendingState[IN, OUT]):
    pass


class ReducingState(MergingState[T, T]):
    """get() is the reduction of every value add()ed, or None if there was none.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.state import ReducingStateDescriptor
        >>> class RunningMax(KeyedProcessFunction):
        ...     def open(self, runtime_context):
        ...         self.best = runtime_context.get_reducing_state(
        ...             ReducingStateDescriptor("best", max, Types.INT()))
        ...     def process_element(self, value, ctx):
        ...         self.best.add(value[1])
        ...         yield self.best.get()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> events = env.from_collection([("a", 3), ("a", 9), ("a", 4)])
        >>> list(events.key_by(lambda e: e[0]).process(RunningMax()).execute_and_collect())
        [3, 9, 9]
    """


class AggregatingState(MergingState[IN, OUT]):
    """add() feeds an AggregateFunction's accumulator; get() is its get_result(), or None.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import AggregateFunction, KeyedProcessFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.state import AggregatingStateDescriptor
        >>> class Mean(AggregateFunction):
        ...     def create_accumulator(self):
        ...         return [0, 0]
        ...     def add(self, value, acc):
        ...         return [acc[0] + value, acc[1] + 1]
        ...     def get_result(self, acc):
        ...         return acc[0] / acc[1]
        ...     def merge(self, a, b):
        ...         return [a[0] + b[0], a[1] + b[1]]
        >>> class RunningMean(KeyedProcessFunction):
        ...     def open(self, runtime_context):
        ...         self.mean = runtime_context.get_aggregating_state(
        ...             AggregatingStateDescriptor("mean", Mean(), Types.PICKLED_BYTE_ARRAY()))
        ...     def process_element(self, value, ctx):
        ...         self.mean.add(value[1])
        ...         yield self.mean.get()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> events = env.from_collection([("a", 2), ("a", 4), ("a", 9)])
        >>> list(events.key_by(lambda e: e[0]).process(RunningMean()).execute_and_collect())
        [2.0, 3.0, 5.0]
    """


class ListState(MergingState[T, Iterable[T]]):
    """A list per key: add(), add_all(), update() and get().

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.state import ListStateDescriptor
        >>> class LastTwo(KeyedProcessFunction):
        ...     def open(self, runtime_context):
        ...         self.items = runtime_context.get_list_state(ListStateDescriptor("items", Types.STRING()))
        ...     def process_element(self, value, ctx):
        ...         self.items.add(value[1])
        ...         self.items.update(list(self.items.get())[-2:])
        ...         yield ctx.get_current_key(), list(self.items.get())
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> events = env.from_collection([("u", "a"), ("u", "b"), ("u", "c")])
        >>> list(events.key_by(lambda e: e[0]).process(LastTwo()).execute_and_collect())
        [('u', ['a']), ('u', ['a', 'b']), ('u', ['b', 'c'])]
    """

    @abstractmethod
    def update(self, values: List[Any]) -> None:
        """Replaces the current key's elements."""

    @abstractmethod
    def add_all(self, values: List[Any]) -> None:
        """Appends every element of 'values'."""

    def __iter__(self) -> Iterator[Any]:
        return iter(self.get())


class _ReadableMap(State):
    @abstractmethod
    def get(self, key: Any) -> Any:
        """The value under 'key', or None."""

    @abstractmethod
    def contains(self, key: Any) -> bool:
        pass

    @abstractmethod
    def items(self) -> Iterable[Tuple[Any, Any]]:
        pass

    @abstractmethod
    def keys(self) -> Iterable[Any]:
        pass

    @abstractmethod
    def values(self) -> Iterable[Any]:
        pass

    @abstractmethod
    def is_empty(self) -> bool:
        pass

    def __getitem__(self, key: Any) -> Any:
        return self.get(key)

    def __contains__(self, key: Any) -> bool:
        return self.contains(key)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.keys())


class _WritableMap(_ReadableMap):
    @abstractmethod
    def put(self, key: Any, value: Any) -> None:
        pass

    @abstractmethod
    def put_all(self, dict_value: Dict[Any, Any]) -> None:
        pass

    @abstractmethod
    def remove(self, key: Any) -> None:
        pass

    def __setitem__(self, key: Any, value: Any) -> None:
        self.put(key, value)

    def __delitem__(self, key: Any) -> None:
        self.remove(key)


class MapState(_WritableMap, Generic[K, V]):
    """A dict per key: user keys to user values.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import KeyedProcessFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.state import MapStateDescriptor
        >>> class PerItem(KeyedProcessFunction):
        ...     def open(self, runtime_context):
        ...         self.counts = runtime_context.get_map_state(
        ...             MapStateDescriptor("counts", Types.STRING(), Types.INT()))
        ...     def process_element(self, value, ctx):
        ...         user, item = value
        ...         self.counts.put(item, (self.counts.get(item) or 0) + 1)
        ...         yield user, dict(self.counts.items())
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> events = env.from_collection([("u", "x"), ("u", "y"), ("u", "x")])
        >>> list(events.key_by(lambda e: e[0]).process(PerItem()).execute_and_collect())[-1]
        ('u', {'x': 2, 'y': 1})
    """


class ReadOnlyBroadcastState(_ReadableMap, Generic[K, V]):
    """The broadcast state as the non-broadcast side sees it: readable, not writable.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import BroadcastProcessFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.state import MapStateDescriptor, ReadOnlyBroadcastState
        >>> limits = MapStateDescriptor("limits", Types.STRING(), Types.INT())
        >>> class Check(BroadcastProcessFunction):
        ...     def process_element(self, value, ctx):
        ...         state = ctx.get_broadcast_state(limits)      # read-only on this side
        ...         yield isinstance(state, ReadOnlyBroadcastState), state.contains("unknown")
        ...     def process_broadcast_element(self, value, ctx):
        ...         ctx.get_broadcast_state(limits).put(*value)
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> rules = env.from_collection([("max", 10)]).broadcast(limits)
        >>> list(env.from_collection([5]).connect(rules).process(Check()).execute_and_collect())
        [(True, False)]
    """


class BroadcastState(ReadOnlyBroadcastState[K, V], _WritableMap):
    """A dict per operator instance that every instance builds from the same broadcast
    elements; the function must change it the same way in every instance.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import BroadcastProcessFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.state import MapStateDescriptor
        >>> limits = MapStateDescriptor("limits", Types.STRING(), Types.INT())
        >>> class Store(BroadcastProcessFunction):
        ...     def process_element(self, value, ctx):
        ...         return []
        ...     def process_broadcast_element(self, value, ctx):
        ...         state = ctx.get_broadcast_state(limits)       # writable on the broadcast side
        ...         state.put(value[0], value[1])
        ...         yield sorted(state.items())
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> rules = env.from_collection([("max", 10), ("min", 1)]).broadcast(limits)
        >>> list(env.from_collection([5]).connect(rules).process(Store()).execute_and_collect())
        [[('max', 10)], [('max', 10), ('min', 1)]]
    """


class OperatorStateStore(ABC):
    """Gives access to the broadcast state of an operator (get_broadcast_state()).

    Examples:
        >>> from fluvial.datastream.state import BroadcastState, OperatorStateStore
        >>> sorted(name for name in dir(OperatorStateStore) if not name.startswith("_"))
        ['get_broadcast_state']
    """

    @abstractmethod
    def get_broadcast_state(self, state_descriptor: "MapStateDescriptor") -> BroadcastState:
        pass


# ---------------------------------------------------------------- time-to-live


def _milliseconds(amount: Union[Time, Duration], what: str) -> int:
    if not isinstance(amount, (Time, Duration)):
        raise TypeError(f"{what} must be a Time or a Duration, got {type(amount).__name__} {amount!r}")
    millis = amount.to_milliseconds()
    if millis <= 0:
        raise ValueError(f"{what} must be positive, got {millis} ms")
    return millis


class StateTtlConfig:
    """When the values of a state expire, measured in the job's processing time.

    A value (a list element, a map entry) expires 'ttl' after it was last written
    (or, with OnReadAndWrite, last read). Expired values are removed when they are
    read; NeverReturnExpired hides them at once, ReturnExpiredIfNotCleanedUp returns
    them one last time.

    Examples:
        >>> from fluvial.common import Time, Types
        >>> from fluvial.datastream.state import StateTtlConfig, ValueStateDescriptor
        >>> ttl = (StateTtlConfig.new_builder(Time.days(1))
        ...        .set_update_type(StateTtlConfig.UpdateType.OnReadAndWrite)
        ...        .build())
        >>> ttl.get_ttl(), ttl.is_enabled()
        (Time.milliseconds(86400000), True)
        >>> descriptor = ValueStateDescriptor("session", Types.STRING())
        >>> descriptor.enable_time_to_live(ttl)
    """

    class UpdateType(Enum):
        Disabled = 0
        OnCreateAndWrite = 1
        OnReadAndWrite = 2

    class StateVisibility(Enum):
        ReturnExpiredIfNotCleanedUp = 0
        NeverReturnExpired = 1

    class TtlTimeCharacteristic(Enum):
        ProcessingTime = 0

    class CleanupStrategies:
        """The cleanup options the builder was given. Fluvial always cleans up expired
        values when they are read; the background strategies are accepted and recorded."""

        def __init__(self, strategies: Dict[str, Any], is_cleanup_in_background: bool):
            self._strategies = dict(strategies)
            self._is_cleanup_in_background = is_cleanup_in_background

        def is_cleanup_in_background(self) -> bool:
            return self._is_cleanup_in_background

        def in_full_snapshot(self) -> bool:
            return "full_snapshot" in self._strategies

        def get_incremental_cleanup_strategy(self) -> Optional[Tuple[int, bool]]:
            return self._strategies.get("incremental")

        def get_rocksdb_compact_filter_cleanup_strategy(self) -> Optional[Tuple[int, Any]]:
            return self._strategies.get("rocksdb_compact_filter")

    class Builder:
        def __init__(self, ttl: Union[Time, Duration]):
            self._ttl = ttl
            self._update_type = StateTtlConfig.UpdateType.OnCreateAndWrite
            self._state_visibility = StateTtlConfig.StateVisibility.NeverReturnExpired
            self._time_characteristic = StateTtlConfig.TtlTimeCharacteristic.ProcessingTime
            self._strategies: Dict[str, Any] = {}
            self._is_cleanup_in_background = True

        def set_update_type(self, update_type: "StateTtlConfig.UpdateType") -> "StateTtlConfig.Builder":
            if not isinstance(update_type, StateTtlConfig.UpdateType):
                raise TypeError(f"set_update_type() expects a StateTtlConfig.UpdateType, got "
                                f"{update_type!r}")
            self._update_type = update_type
            return self

        def update_ttl_on_create_and_write(self) -> "StateTtlConfig.Builder":
            return self.set_update_type(StateTtlConfig.UpdateType.OnCreateAndWrite)

        def update_ttl_on_read_and_write(self) -> "StateTtlConfig.Builder":
            return self.set_update_type(StateTtlConfig.UpdateType.OnReadAndWrite)

        def set_state_visibility(self, state_visibility: "StateTtlConfig.StateVisibility"
                                 ) -> "StateTtlConfig.Builder":
            if not isinstance(state_visibility, StateTtlConfig.StateVisibility):
                raise TypeError(f"set_state_visibility() expects a StateTtlConfig.StateVisibility, "
                                f"got {state_visibility!r}")
            self._state_visibility = state_visibility
            return self

        def return_expired_if_not_cleaned_up(self) -> "StateTtlConfig.Builder":
            return self.set_state_visibility(StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp)

        def never_return_expired(self) -> "StateTtlConfig.Builder":
            return self.set_state_visibility(StateTtlConfig.StateVisibility.NeverReturnExpired)

        def set_ttl_time_characteristic(self, ttl_time_characteristic) -> "StateTtlConfig.Builder":
            if ttl_time_characteristic is not StateTtlConfig.TtlTimeCharacteristic.ProcessingTime:
                raise ValueError(f"state TTL is measured in processing time only, got "
                                 f"{ttl_time_characteristic!r}")
            return self

        def use_processing_time(self) -> "StateTtlConfig.Builder":
            return self

        def cleanup_full_snapshot(self) -> "StateTtlConfig.Builder":
            self._strategies["full_snapshot"] = True
            return self

        def cleanup_incrementally(self, cleanup_size: int,
                                  run_cleanup_for_every_record: bool) -> "StateTtlConfig.Builder":
            self._strategies["incremental"] = (cleanup_size, run_cleanup_for_every_record)
            return self

        def cleanup_in_rocksdb_compact_filter(self, query_time_after_num_entries: int,
                                              periodic_compaction_time: Optional[Duration] = None
                                              ) -> "StateTtlConfig.Builder":
            self._strategies["rocksdb_compact_filter"] = (query_time_after_num_entries,
                                                          periodic_compaction_time)
            return self

        def disable_cleanup_in_background(self) -> "StateTtlConfig.Builder":
            self._is_cleanup_in_background = False
            return self

        def set_ttl(self, ttl: Union[Time, Duration]) -> "StateTtlConfig.Builder":
            self._ttl = ttl
            return self

        def build(self) -> "StateTtlConfig":
            return StateTtlConfig(self._update_type, self._state_visibility, self._time_characteristic,
                                  self._ttl, StateTtlConfig.CleanupStrategies(
                                      self._strategies, self._is_cleanup_in_background))

    def __init__(self, update_type: "StateTtlConfig.UpdateType",
                 state_visibility: "StateTtlConfig.StateVisibility",
                 ttl_time_characteristic: "StateTtlConfig.TtlTimeCharacteristic",
                 ttl: Union[Time, Duration], cleanup_strategies: "StateTtlConfig.CleanupStrategies"):
        self._ttl_millis = _milliseconds(ttl, "the state TTL")
        self._update_type = update_type
        self._state_visibility = state_visibility
        self._ttl_time_characteristic = ttl_time_characteristic
        self._ttl = ttl
        self._cleanup_strategies = cleanup_strategies

    @staticmethod
    def new_builder(ttl: Union[Time, Duration]) -> "StateTtlConfig.Builder":
        return StateTtlConfig.Builder(ttl)

    def get_update_type(self) -> "StateTtlConfig.UpdateType":
        return self._update_type

    def get_state_visibility(self) -> "StateTtlConfig.StateVisibility":
        return self._state_visibility

    def get_ttl(self) -> Union[Time, Duration]:
        return self._ttl

    def get_ttl_time_characteristic(self) -> "StateTtlConfig.TtlTimeCharacteristic":
        return self._ttl_time_characteristic

    def get_cleanup_strategies(self) -> "StateTtlConfig.CleanupStrategies":
        return self._cleanup_strategies

    def is_enabled(self) -> bool:
        return self._update_type is not StateTtlConfig.UpdateType.Disabled

    def __repr__(self) -> str:
        return (f"StateTtlConfig<update_type={self._update_type}, state_visibility="
                f"{self._state_visibility}, ttl={self._ttl_millis} ms>")


# ---------------------------------------------------------------- descriptors


class StateDescriptor:
    """Names a state and says its kind; RuntimeContext.get_*_state() turns it into the state."""

    # The StateTable kind; a name used with two kinds is an error (see _keyed.KeyedRuntime).
    _kind = ""

    def __init__(self, name: str, type_info: Any):
        if not isinstance(name, str) or not name:
            raise ValueError(f"a state needs a non-empty str name, got {name!r}")
        self.name = name
        self.type_info = type_info
        self._ttl_config: Optional[StateTtlConfig] = None

    def get_name(self) -> str:
        return self.name

    def enable_time_to_live(self, ttl_config: StateTtlConfig) -> None:
        """Lets the values of this state expire as 'ttl_config' says."""
        if not isinstance(ttl_config, StateTtlConfig):
            raise TypeError(f"enable_time_to_live() expects a StateTtlConfig (StateTtlConfig."
                            f"new_builder(Time.seconds(1)).build()), got {type(ttl_config).__name__}")
        self._ttl_config = ttl_config

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class ValueStateDescriptor(StateDescriptor):
    """Names a ValueState and the type of its value.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream.state import ValueStateDescriptor
        >>> descriptor = ValueStateDescriptor("last_click", Types.LONG())
        >>> descriptor.get_name()      # runtime_context.get_state(descriptor) in open()
        'last_click'
    """

    _kind = "ValueState"

    def __init__(self, name: str, value_type_info: Any = None):
        super().__init__(name, value_type_info)


class ListStateDescriptor(StateDescriptor):
    """Names a ListState and the type of its elements.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream.state import ListStateDescriptor
        >>> ListStateDescriptor("recent_items", Types.STRING()).get_name()
        'recent_items'
    """

    _kind = "ListState"

    def __init__(self, name: str, elem_type_info: Any = None):
        super().__init__(name, elem_type_info)
        self.elem_type_info = elem_type_info


class MapStateDescriptor(StateDescriptor):
    """Names a MapState (or a broadcast state) and the types of its keys and values.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream.state import MapStateDescriptor
        >>> MapStateDescriptor("clicks_per_item", Types.STRING(), Types.INT()).get_name()
        'clicks_per_item'
    """

    _kind = "MapState"

    def __init__(self, name: str, key_type_info: Any = None, value_type_info: Any = None):
        super().__init__(name, (key_type_info, value_type_info))
        self.key_type_info = key_type_info
        self.value_type_info = value_type_info


class ReducingStateDescriptor(StateDescriptor):
    """Names a ReducingState and the function that combines its values.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream.state import ReducingStateDescriptor
        >>> descriptor = ReducingStateDescriptor("total", lambda a, b: a + b, Types.LONG())
        >>> descriptor.get_name(), descriptor.get_reduce_function()(2, 3)
        ('total', 5)
    """

    _kind = "ReducingState"

    def __init__(self, name: str, reduce_function: Any, type_info: Any = None):
        from fluvial.datastream.functions import ReduceFunction

        super().__init__(name, type_info)
        if isinstance(reduce_function, ReduceFunction):
            self._reduce: Callable[[Any, Any], Any] = reduce_function.reduce
        elif callable(reduce_function):
            self._reduce = reduce_function
        else:
            raise TypeError(f"ReducingStateDescriptor expects a ReduceFunction or a callable, got "
                            f"{type(reduce_function).__name__}")
        self._reduce_function = reduce_function

    def get_reduce_function(self) -> Any:
        return self._reduce_function


class AggregatingStateDescriptor(StateDescriptor):
    """Names an AggregatingState and its AggregateFunction.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import AggregateFunction
        >>> from fluvial.datastream.state import AggregatingStateDescriptor
        >>> class Count(AggregateFunction):
        ...     def create_accumulator(self):
        ...         return 0
        ...     def add(self, value, acc):
        ...         return acc + 1
        ...     def get_result(self, acc):
        ...         return acc
        ...     def merge(self, a, b):
        ...         return a + b
        >>> descriptor = AggregatingStateDescriptor("count", Count(), Types.LONG())
        >>> descriptor.get_name(), type(descriptor.get_agg_function()).__name__
        ('count', 'Count')
    """

    _kind = "AggregatingState"

    def __init__(self, name: str, agg_function: Any, state_type_info: Any = None):
        from fluvial.datastream.functions import AggregateFunction

        super().__init__(name, state_type_info)
        if not isinstance(agg_function, AggregateFunction):
            raise TypeError(f"AggregatingStateDescriptor expects an AggregateFunction, got "
                            f"{type(agg_function).__name__}")
        self._agg_function = agg_function

    def get_agg_function(self) -> Any:
        return self._agg_function
