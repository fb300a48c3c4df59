"""The Python half of the engine's keyed operator (cpp/python/keyed_process_operator.cc).

For every record and every timer it processes, the engine writes the current
timestamp, key, key group and time domain into a small list, the *cell*,
before calling Python. Contexts, timer services and keyed state read the cell
instead of being handed arguments: one list write per field instead of new
objects per call.

Keyed state lives in StateTables organised by key group (the unit that moves
when a job is rescaled), then by key, then, for window state, by namespace.
"""

from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

TIMESTAMP, KEY, KEY_GROUP, TIME_DOMAIN, OUTPUT_TIMESTAMP = 0, 1, 2, 3, 4
EVENT_TIME, PROCESSING_TIME = 0, 1

_NO_NAMESPACE = None


class StateTable:
    """The values of one named state for all keys of one operator subtask."""

    __slots__ = ("name", "kind", "_cell", "_groups", "serializer", "described", "declared",
                 "_restored")

    def __init__(self, name: str, kind: str, cell: list):
        self.name = name
        self.kind = kind
        self._cell = cell
        # key group -> {(key, namespace): value}
        self._groups: Dict[int, Dict[Tuple[Any, Any], Any]] = {}
        # The declared type's serializer (None: pickled), set by declare().
        self.serializer = None
        self.described = ""
        self.declared = False
        # Restored SerializedStates (key group, blob) waiting for declare().
        self._restored: List[Tuple[int, Any]] = []

    def declare(self, descriptor: Any) -> None:
        """Tells the table its descriptor (so its type): decodes what a checkpoint restored
        into it, failing if that was written for another type."""
        from fluvial.common.serializer import serializer_for
        from fluvial.datastream import _state_serialization as serialization

        if self.declared and not self._restored:
            return
        stored = serialization.stored_type(descriptor)
        self.serializer = serializer_for(stored) if stored is not None else None
        self.described = serialization.declared_type(descriptor)
        self.declared = True
        restored, self._restored = self._restored, []
        for key_group, blob in restored:
            self.restore(key_group, blob)

    def restore(self, key_group: int, values: Any) -> None:
        """Adds restored entries of one key group: a dict (pickled checkpoints) or a
        SerializedState (decoded once the state is declared)."""
        from fluvial.datastream import _state_serialization as serialization

        if isinstance(values, serialization.SerializedState):
            if not self.declared:
                self._restored.append((key_group, values))
                return
            serialization.check_compatible(self.name, values, self.serializer, self.described)
            values = values.decode(self.name)
        self._groups.setdefault(key_group, {}).update(values)

    def snapshot(self) -> Dict[int, Any]:
        """{key group: entries}: a SerializedState per key group when the state declares a
        type, else the dict itself (pickled with the rest of the snapshot)."""
        from fluvial.datastream import _state_serialization as serialization

        result: Dict[int, Any] = {}
        serializer = self.serializer
        for key_group, values in self._groups.items():
            if values:
                result[key_group] = (values if serializer is None else serialization.serialize_entries(
                    self.name, self.described, serializer, values))
        for key_group, blob in self._restored:  # never declared since the restore
            result[key_group] = blob
        return result

    def get(self, namespace: Any = _NO_NAMESPACE, default: Any = None) -> Any:
        cell = self._cell
        values = self._groups.get(cell[KEY_GROUP])
        if values is None:
            return default
        return values.get((cell[KEY], namespace), default)

    def put(self, value: Any, namespace: Any = _NO_NAMESPACE) -> None:
        cell = self._cell
        values = self._groups.get(cell[KEY_GROUP])
        if values is None:
            values = self._groups[cell[KEY_GROUP]] = {}
        values[(cell[KEY], namespace)] = value

    def remove(self, namespace: Any = _NO_NAMESPACE) -> None:
        cell = self._cell
        values = self._groups.get(cell[KEY_GROUP])
        if values is not None:
            values.pop((cell[KEY], namespace), None)

    def entries(self) -> Iterator[Tuple[int, Any, Any, Any]]:
        """Every (key group, key, namespace, value), e.g. for apply_to_keyed_state."""
        for key_group, values in list(self._groups.items()):
            for (key, namespace), value in list(values.items()):
                yield key_group, key, namespace, value

    def key_groups(self) -> Dict[int, Dict[Tuple[Any, Any], Any]]:
        """The raw per-key-group dicts (for snapshots and redistribution)."""
        return self._groups


class KeyedRuntime:
    """One keyed operator subtask's cell, timer service and state tables."""

    def __init__(self):
        self.cell: List[Any] = [None, None, 0, None, None]
        self.timer_service = None  # fluvial._core.TimerService, bound by the engine
        self._timer_listeners: List[Callable[[Any], None]] = []
        self._tables: Dict[str, StateTable] = {}

    def bind_timer_service(self, handle) -> None:
        self.timer_service = handle
        for listener in self._timer_listeners:
            listener(handle)

    def on_timer_service(self, listener: Callable[[Any], None]) -> None:
        """Calls 'listener' with the engine's timer service once it is bound."""
        self._timer_listeners.append(listener)
        if self.timer_service is not None:
            listener(self.timer_service)

    def current_key(self) -> Any:
        return self.cell[KEY]

    def table(self, name: str, kind: str) -> StateTable:
        """The table of state 'name'; a name registered before with another kind is an error."""
        table = self._tables.get(name)
        if table is None:
            table = self._tables[name] = StateTable(name, kind, self.cell)
        elif table.kind != kind:
            raise ValueError(f"state '{name}' is already registered as a {table.kind}, "
                             f"it cannot be used as a {kind} too: give each state its own name")
        return table

    def tables(self) -> Dict[str, StateTable]:
        return self._tables

    def with_key(self, key: Any, key_group: int) -> None:
        """Points the cell at another key (apply_to_keyed_state and similar)."""
        self.cell[KEY] = key
        self.cell[KEY_GROUP] = key_group


class TimestampedOutputs:
    """Outputs that each carry their own timestamp: iterating them sets
    cell[OUTPUT_TIMESTAMP] before each value, which the engine reads when the
    spec says "stamps_outputs" (the window operator: window.max_timestamp())."""

    __slots__ = ("_cell", "_values", "_stamps")

    def __init__(self, cell: List[Any]):
        self._cell = cell
        self._values: List[Any] = []
        self._stamps: List[Optional[int]] = []

    def add(self, value: Any, timestamp: Optional[int]) -> None:
        self._values.append(value)
        self._stamps.append(timestamp)

    def add_all(self, values: Iterable[Any], timestamp: Optional[int]) -> None:
        for value in values:
            self._values.append(value)
            self._stamps.append(timestamp)

    def __bool__(self) -> bool:
        return bool(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        cell = self._cell
        try:
            for value, stamp in zip(self._values, self._stamps):
                cell[OUTPUT_TIMESTAMP] = stamp
                yield value
        finally:
            cell[OUTPUT_TIMESTAMP] = None


def keyed_process_spec(runtime: KeyedRuntime, process: List[Callable], on_timer: Optional[Callable],
                       context: Any, side_outputs: dict, open_hook: Optional[Callable] = None,
                       close_hook: Optional[Callable] = None, validate: Optional[Callable] = None,
                       stamps_outputs: bool = False) -> Dict[str, Any]:
    """The spec of the engine's keyed_process operator.

    process[i] is called as process[i](value, context) for records of input i;
    on_timer(timestamp, context) for timers; both return or yield outputs
    (``(OutputTag, value)`` for side outputs).
    """
    from fluvial.datastream.output_tag import OutputTag

    return {
        "kind": "keyed_process",
        "process": list(process),
        "on_timer": on_timer,
        "context": context,
        "cell": runtime.cell,
        "runtime": runtime,  # its state tables, for checkpoints
        "bind_timer_service": runtime.bind_timer_service,
        "open": open_hook,
        "close": close_hook,
        "validate": validate,
        "output_tag_class": OutputTag,
        "side_outputs": side_outputs,
        "stamps_outputs": stamps_outputs,
    }
