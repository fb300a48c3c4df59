"""Broadcast state: one dict per MapStateDescriptor given to DataStream.broadcast(),
per operator subtask. Every subtask receives every broadcast element and so builds
the same dicts; the non-broadcast side may only read them.
"""

from typing import Any, Dict, Iterable, List, Tuple

from fluvial.datastream.state import BroadcastState, MapStateDescriptor, ReadOnlyBroadcastState
from fluvial.errors import InvalidJobError


class HeapBroadcastState(BroadcastState):
    def __init__(self, name: str):
        self._name = name
        self._entries: Dict[Any, Any] = {}

    def get(self, key: Any) -> Any:
        return self._entries.get(key)

    def contains(self, key: Any) -> bool:
        return key in self._entries

    def items(self) -> List[Tuple[Any, Any]]:
        return list(self._entries.items())

    def keys(self) -> List[Any]:
        return list(self._entries)

    def values(self) -> List[Any]:
        return list(self._entries.values())

    def is_empty(self) -> bool:
        return not self._entries

    def put(self, key: Any, value: Any) -> None:
        self._entries[key] = value

    def put_all(self, dict_value: Dict[Any, Any]) -> None:
        self._entries.update(dict_value)

    def remove(self, key: Any) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


class ReadOnlyView(ReadOnlyBroadcastState):
    """What process_element() gets: reads go through, writes are refused."""

    def __init__(self, state: HeapBroadcastState):
        self._state = state

    def get(self, key: Any) -> Any:
        return self._state.get(key)

    def contains(self, key: Any) -> bool:
        return self._state.contains(key)

    def items(self) -> Iterable[Tuple[Any, Any]]:
        return self._state.items()

    def keys(self) -> Iterable[Any]:
        return self._state.keys()

    def values(self) -> Iterable[Any]:
        return self._state.values()

    def is_empty(self) -> bool:
        return self._state.is_empty()

    def put(self, key: Any, value: Any) -> None:
        self._refuse("put")

    def put_all(self, dict_value: Dict[Any, Any]) -> None:
        self._refuse("put_all")

    def remove(self, key: Any) -> None:
        self._refuse("remove")

    def clear(self) -> None:
        self._refuse("clear")

    def __setitem__(self, key: Any, value: Any) -> None:
        self._refuse("put")

    def __delitem__(self, key: Any) -> None:
        self._refuse("remove")

    def _refuse(self, method: str) -> None:
        raise InvalidJobError(
            f"broadcast state '{self._state._name}' is read-only in process_element() and "
            f"on_timer(), {method}() is not allowed: change it in process_broadcast_element(), "
            f"which every parallel instance runs for every broadcast element")


class BroadcastStateStore:
    """The broadcast states of one operator subtask, by descriptor name."""

    def __init__(self, descriptors: Iterable[MapStateDescriptor]):
        descriptors = list(descriptors)
        self._states = {d.name: HeapBroadcastState(d.name) for d in descriptors}
        self._descriptors = {d.name: d for d in descriptors}
        self._views = {name: ReadOnlyView(state) for name, state in self._states.items()}

    def snapshot(self) -> Dict[str, Any]:
        """{name: entries}: a SerializedState for a descriptor with declared types, else a
        copy of the dict (pickled with the rest of the snapshot)."""
        from fluvial.datastream import _state_serialization as serialization

        result: Dict[str, Any] = {}
        for name, state in self._states.items():
            descriptor = self._descriptors[name]
            serializer = serialization.broadcast_serializer(descriptor)
            if serializer is None:
                result[name] = dict(state._entries)
            else:
                result[name] = serialization.serialize_entries(
                    name, "broadcast " + serialization.declared_type(descriptor), serializer,
                    {(None, None): dict(state._entries)})
        return result

    def restore(self, states: Dict[str, Any]) -> None:
        """Puts back what snapshot() returned (or a pickled checkpoint's dicts)."""
        from fluvial.datastream import _state_serialization as serialization

        for name, entries in states.items():
            if name not in self._states:
                continue
            if isinstance(entries, serialization.SerializedState):
                descriptor = self._descriptors[name]
                serialization.check_compatible(
                    name, entries, serialization.broadcast_serializer(descriptor),
                    "broadcast " + serialization.declared_type(descriptor))
                entries = entries.decode(name)[(None, None)]
            self._states[name]._entries.update(entries)

    def get(self, descriptor: Any, writable: bool) -> ReadOnlyBroadcastState:
        if not isinstance(descriptor, MapStateDescriptor):
            raise TypeError(f"get_broadcast_state() expects a MapStateDescriptor, got "
                            f"{type(descriptor).__name__} {descriptor!r}")
        if descriptor.name not in self._states:
            known = ", ".join(repr(name) for name in self._states) or "none"
            raise InvalidJobError(
                f"broadcast state '{descriptor.name}' does not exist: pass its MapStateDescriptor "
                f"to DataStream.broadcast(...) (registered: {known})")
        return self._states[descriptor.name] if writable else self._views[descriptor.name]
