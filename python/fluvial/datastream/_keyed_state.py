"""Keyed state on the heap: ValueState, ListState, MapState, ReducingState and
AggregatingState over _keyed.StateTable (per key group, key and namespace).

Every state object reads the current key from the operator's cell, so one object
serves all keys. Window operators point a state at a window with
set_current_namespace(); other operators leave the namespace None.

With a StateTtlConfig, each value (list element, map entry) is stored with the
processing time it was last written (or read, with OnReadAndWrite) and is
removed when a read finds it expired.
"""

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from fluvial.datastream import state as api
from fluvial.datastream._keyed import KEY, KEY_GROUP, KeyedRuntime, StateTable
from fluvial.errors import InvalidJobError


class _Ttl:
    """The expiry rules of one state, and the clock they are measured with."""

    __slots__ = ("millis", "refresh_on_read", "return_expired", "now")

    def __init__(self, config: api.StateTtlConfig, now: Callable[[], int]):
        self.millis = config.get_ttl().to_milliseconds()
        self.refresh_on_read = config.get_update_type() is api.StateTtlConfig.UpdateType.OnReadAndWrite
        self.return_expired = (config.get_state_visibility()
                               is api.StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp)
        self.now = now

    def expired(self, stamp: int, now: int) -> bool:
        # As Flink: a value written at t is gone from t + ttl on.
        return stamp + self.millis <= now


class _KeyedState:
    """What every kind shares: the table, the namespace and the current-key check."""

    def __init__(self, table: StateTable, cell: list, ttl: Optional[_Ttl]):
        self._table = table
        # The table's {key group: {(key, namespace): value}}, read directly: state is
        # touched per record, and each Python call saved counts.
        self._groups = table.key_groups()
        self._cell = cell
        self._ttl = ttl
        self._namespace: Any = None

    def set_current_namespace(self, namespace: Any) -> None:
        """Points the state at 'namespace' (a window) for the current key."""
        self._namespace = namespace

    def _check_key(self) -> None:
        if self._cell[KEY] is None:
            self._raise_no_key()

    def _raise_no_key(self) -> None:
        raise InvalidJobError(
            f"state '{self._table.name}' was used without a current key: keyed state is only "
            f"available while an element or timer of a keyed stream is processed (in a "
            f"KeyedBroadcastProcessFunction, reach it from process_broadcast_element() with "
            f"ctx.apply_to_keyed_state())")

    def _stored(self) -> Any:
        """What the table holds for the current key and namespace (None if nothing)."""
        cell = self._cell
        key = cell[KEY]
        if key is None:
            self._raise_no_key()
        values = self._groups.get(cell[KEY_GROUP])
        return None if values is None else values.get((key, self._namespace))

    def _store(self, stored: Any) -> None:
        cell = self._cell
        key = cell[KEY]
        if key is None:
            self._raise_no_key()
        values = self._groups.get(cell[KEY_GROUP])
        if values is None:
            values = self._groups[cell[KEY_GROUP]] = {}
        values[(key, self._namespace)] = stored

    def clear(self) -> None:
        self._table.remove(self._namespace)


class _SingleValueState(_KeyedState):
    """Value, reducing and aggregating state: one value per key, with TTL (value, stamp)."""

    def _read(self) -> Any:
        stored = self._stored()
        ttl = self._ttl
        if stored is None or ttl is None:
            return stored
        value, stamp = stored
        now = ttl.now()
        if ttl.expired(stamp, now):
            self.clear()
            return value if ttl.return_expired else None
        if ttl.refresh_on_read:
            self._store((value, now))
        return value

    def _write(self, value: Any) -> None:
        self._store(value if self._ttl is None else (value, self._ttl.now()))

    def _current(self) -> Any:
        """The value without refreshing its TTL (what add() combines with)."""
        stored = self._stored()
        if stored is None or self._ttl is None:
            return stored
        value, stamp = stored
        return None if self._ttl.expired(stamp, self._ttl.now()) else value


class HeapValueState(_SingleValueState, api.ValueState):
    # value() and update() are the hottest state calls: the common case (no TTL)
    # is written out here rather than going through _stored()/_store().

    def value(self) -> Any:
        if self._ttl is not None:
            return self._read()
        cell = self._cell
        key = cell[KEY]
        if key is None:
            self._raise_no_key()
        values = self._groups.get(cell[KEY_GROUP])
        return None if values is None else values.get((key, self._namespace))

    def update(self, value: Any) -> None:
        if value is None:
            self.clear()
            return
        if self._ttl is not None:
            value = (value, self._ttl.now())
        cell = self._cell
        key = cell[KEY]
        if key is None:
            self._raise_no_key()
        values = self._groups.get(cell[KEY_GROUP])
        if values is None:
            values = self._groups[cell[KEY_GROUP]] = {}
        values[(key, self._namespace)] = value


class HeapReducingState(_SingleValueState, api.ReducingState):
    def __init__(self, table: StateTable, cell: list, ttl: Optional[_Ttl],
                 reduce: Callable[[Any, Any], Any]):
        super().__init__(table, cell, ttl)
        self._reduce = reduce

    def get(self) -> Any:
        return self._read()

    def add(self, value: Any) -> None:
        current = self._current()
        self._write(value if current is None else self._reduce(current, value))

    def merge_namespaces(self, target: Any, sources: Iterable[Any]) -> None:
        """Reduces the values of 'sources' into 'target' (merging windows)."""
        _merge_single(self, target, sources, self._reduce)


class HeapAggregatingState(_SingleValueState, api.AggregatingState):
    """Stores the accumulator; get() is the function's result for it."""

    def __init__(self, table: StateTable, cell: list, ttl: Optional[_Ttl], function: Any):
        super().__init__(table, cell, ttl)
        self._function = function

    def get(self) -> Any:
        accumulator = self._read()
        return None if accumulator is None else self._function.get_result(accumulator)

    def add(self, value: Any) -> None:
        accumulator = self._current()
        if accumulator is None:
            accumulator = self._function.create_accumulator()
        self._write(self._function.add(value, accumulator))

    def merge_namespaces(self, target: Any, sources: Iterable[Any]) -> None:
        """Merges the accumulators of 'sources' into 'target' (merging windows)."""
        _merge_single(self, target, sources, self._function.merge)


def _merge_single(state: _SingleValueState, target: Any, sources: Iterable[Any],
                  combine: Callable[[Any, Any], Any]) -> None:
    original = state._namespace
    try:
        merged = None
        for namespace in list(sources) + [target]:
            state._namespace = namespace
            value = state._current()
            state.clear()
            if value is not None:
                merged = value if merged is None else combine(merged, value)
        state._namespace = target
        if merged is not None:
            state._write(merged)
    finally:
        state._namespace = original


class HeapListState(_KeyedState, api.ListState):
    """A Python list per key; with TTL a list of (element, stamp)."""

    def get(self) -> List[Any]:
        stored = self._stored()
        if stored is None:
            return []
        ttl = self._ttl
        if ttl is None:
            return list(stored)
        now = ttl.now()
        alive = [entry for entry in stored if not ttl.expired(entry[1], now)]
        returned = stored if ttl.return_expired else alive
        if ttl.refresh_on_read:
            alive = [(value, now) for value, _ in alive]
        if alive:
            self._store(alive)
        else:
            self.clear()
        return [value for value, _ in returned]

    def add(self, value: Any) -> None:
        self.add_all([value])

    def add_all(self, values: List[Any]) -> None:
        new = self._entries(values, "add")
        if not new:
            return
        stored = self._stored()
        if stored is None:
            self._store(new)
        else:
            stored.extend(new)

    def update(self, values: List[Any]) -> None:
        new = self._entries(values, "update")
        self._check_key()
        if new:
            self._store(new)
        else:
            self.clear()

    def merge_namespaces(self, target: Any, sources: Iterable[Any]) -> None:
        """Appends the elements of 'sources' to 'target' (merging windows)."""
        original = self._namespace
        try:
            merged: List[Any] = []
            for namespace in [target] + list(sources):
                self._namespace = namespace
                merged.extend(self._stored() or ())
                self.clear()
            self._namespace = target
            if merged:
                self._store(merged)
        finally:
            self._namespace = original

    def _entries(self, values: Any, method: str) -> List[Any]:
        if values is None or isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"ListState.{method}() expects a list of elements, got {values!r}")
        values = list(values)
        if any(value is None for value in values):
            raise ValueError(f"ListState.{method}(): a list state cannot hold None elements "
                             f"(state '{self._table.name}')")
        if self._ttl is None:
            return values
        now = self._ttl.now()
        return [(value, now) for value in values]


class HeapMapState(_KeyedState, api.MapState):
    """A dict per key; with TTL a dict of user key -> (value, stamp)."""

    def get(self, key: Any) -> Any:
        entries = self._stored()
        if entries is None or key not in entries:
            return None
        ttl = self._ttl
        if ttl is None:
            return entries[key]
        value, stamp = entries[key]
        now = ttl.now()
        if ttl.expired(stamp, now):
            self._drop(entries, key)
            return value if ttl.return_expired else None
        if ttl.refresh_on_read:
            entries[key] = (value, now)
        return value

    def put(self, key: Any, value: Any) -> None:
        self.put_all({key: value})

    def put_all(self, dict_value: Dict[Any, Any]) -> None:
        if not isinstance(dict_value, dict):
            raise TypeError(f"MapState.put_all() expects a dict, got {type(dict_value).__name__}")
        entries = self._stored()
        if not dict_value:
            return
        if entries is None:
            entries = {}
            self._store(entries)
        if self._ttl is None:
            entries.update(dict_value)
        else:
            now = self._ttl.now()
            entries.update((key, (value, now)) for key, value in dict_value.items())

    def remove(self, key: Any) -> None:
        entries = self._stored()
        if entries is not None and key in entries:
            self._drop(entries, key)

    def contains(self, key: Any) -> bool:
        entries = self._stored()
        if entries is None or key not in entries:
            return False
        ttl = self._ttl
        if ttl is not None and ttl.expired(entries[key][1], ttl.now()):
            self._drop(entries, key)
            return False
        return True

    def items(self) -> List[Tuple[Any, Any]]:
        """A snapshot of the entries: the state may be changed while iterating it."""
        entries = self._stored()
        if not entries:
            return []
        ttl = self._ttl
        if ttl is None:
            return list(entries.items())
        now = ttl.now()
        result = []
        for key, (value, stamp) in list(entries.items()):
            if ttl.expired(stamp, now):
                self._drop(entries, key)
                if not ttl.return_expired:
                    continue
            elif ttl.refresh_on_read:
                entries[key] = (value, now)
            result.append((key, value))
        return result

    def keys(self) -> List[Any]:
        return [key for key, _ in self.items()]

    def values(self) -> List[Any]:
        return [value for _, value in self.items()]

    def is_empty(self) -> bool:
        entries = self._stored()
        if not entries:
            return True
        ttl = self._ttl
        if ttl is None:
            return False
        now = ttl.now()
        return all(ttl.expired(stamp, now) for _, stamp in entries.values())

    def _drop(self, entries: Dict[Any, Any], key: Any) -> None:
        del entries[key]
        if not entries:
            # No empty dicts left behind: apply_to_keyed_state only visits keys with state.
            self.clear()


class KeyedStateStore:
    """get_state() and the other getters of one keyed operator subtask.

    A name gives the same state object every time; registering it with another kind
    of descriptor is an error (_keyed.KeyedRuntime.table).
    """

    _GETTERS = {
        "get_state": api.ValueStateDescriptor,
        "get_list_state": api.ListStateDescriptor,
        "get_map_state": api.MapStateDescriptor,
        "get_reducing_state": api.ReducingStateDescriptor,
        "get_aggregating_state": api.AggregatingStateDescriptor,
    }

    def __init__(self, runtime: KeyedRuntime):
        self._runtime = runtime
        self._states: Dict[str, _KeyedState] = {}

    def get_state(self, state_descriptor: api.ValueStateDescriptor) -> api.ValueState:
        return self._state("get_state", state_descriptor)

    def get_list_state(self, state_descriptor: api.ListStateDescriptor) -> api.ListState:
        return self._state("get_list_state", state_descriptor)

    def get_map_state(self, state_descriptor: api.MapStateDescriptor) -> api.MapState:
        return self._state("get_map_state", state_descriptor)

    def get_reducing_state(self, state_descriptor: api.ReducingStateDescriptor) -> api.ReducingState:
        return self._state("get_reducing_state", state_descriptor)

    def get_aggregating_state(self, state_descriptor: api.AggregatingStateDescriptor
                              ) -> api.AggregatingState:
        return self._state("get_aggregating_state", state_descriptor)

    def state_of(self, state_descriptor: api.StateDescriptor) -> _KeyedState:
        """The state for any kind of descriptor (apply_to_keyed_state)."""
        for method, descriptor_class in self._GETTERS.items():
            if isinstance(state_descriptor, descriptor_class):
                return self._state(method, state_descriptor)
        raise TypeError(f"expected a state descriptor (ValueStateDescriptor, ...), got "
                        f"{type(state_descriptor).__name__}")

    def _state(self, method: str, descriptor: Any) -> Any:
        expected = self._GETTERS[method]
        if not isinstance(descriptor, expected):
            raise TypeError(f"{method}() expects a {expected.__name__}, got "
                            f"{type(descriptor).__name__} {descriptor!r}")
        table = self._runtime.table(descriptor.name, descriptor._kind)
        state = self._states.get(descriptor.name)
        if state is None:
            table.declare(descriptor)
            state = self._states[descriptor.name] = self._create(descriptor, table)
        return state

    def _create(self, descriptor: Any, table: StateTable) -> _KeyedState:
        cell = self._runtime.cell
        ttl = None
        config = descriptor._ttl_config
        if config is not None and config.is_enabled():
            runtime = self._runtime
            ttl = _Ttl(config, lambda: runtime.timer_service.current_processing_time())
        if isinstance(descriptor, api.ValueStateDescriptor):
            return HeapValueState(table, cell, ttl)
        if isinstance(descriptor, api.ListStateDescriptor):
            return HeapListState(table, cell, ttl)
        if isinstance(descriptor, api.MapStateDescriptor):
            return HeapMapState(table, cell, ttl)
        if isinstance(descriptor, api.ReducingStateDescriptor):
            return HeapReducingState(table, cell, ttl, descriptor._reduce)
        return HeapAggregatingState(table, cell, ttl, descriptor.get_agg_function())

    def keys_with_state(self, state_descriptor: api.StateDescriptor) -> List[Tuple[int, Any]]:
        """(key group, key) of every key that has a value of that state (outside windows)."""
        table = self._runtime.table(state_descriptor.name, state_descriptor._kind)
        table.declare(state_descriptor)
        return [(key_group, key) for key_group, key, namespace, _ in table.entries()
                if namespace is None]
