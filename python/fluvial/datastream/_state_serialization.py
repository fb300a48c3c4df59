"""Keyed and broadcast state in checkpoints, written with the declared type's serializer.

A state whose descriptor declares a type (``ValueStateDescriptor("total", Types.LONG())``)
is written per key group as one SerializedState: the keys (pickled: a state does not know
its key type), the namespaces (pickled, only when some are not None: window state), and the
values as one column of the state's serializer (fluvial.common.serializer). The blob
records the serializer's name, version and the declared type, so a job restored with
another declared type fails naming the state and both types instead of mis-reading it.
A value that does not fit the declared type fails the snapshot, naming the state, the key
and the expected type. States without a declared type are pickled as before, and a
checkpoint written before typed state existed (everything pickled) restores as it did.

Restored blobs wait in their StateTable until the job's code registers the state (the
descriptor's type is known only then); a state that is never registered is carried into
the next checkpoint as it was.
"""

import operator
import pickle
from itertools import repeat
from typing import Any, Dict, List, Optional, Tuple

import cloudpickle

from fluvial.common._validators import short_repr
from fluvial.common.serializer import (
    FORMAT_VERSION,
    ColumnMismatch,
    TypeSerializer,
    _Reader,
    serializer_for,
)
from fluvial.common.typeinfo import TypeInformation, Types
from fluvial.errors import InvalidJobError

_TTL_STAMP = Types.LONG()


def _ttl_enabled(descriptor: Any) -> bool:
    config = getattr(descriptor, "_ttl_config", None)
    return config is not None and config.is_enabled()


def declared_type(descriptor: Any) -> str:
    """How a state's declared type is named in messages, e.g. MapState<STRING, LONG>."""
    if descriptor._kind == "MapState":
        key, value = descriptor.key_type_info, descriptor.value_type_info
        inner = ", ".join(t.to_type_string() if t is not None else "(none: pickled)"
                          for t in (key, value))
    else:
        inner = (descriptor.type_info.to_type_string() if descriptor.type_info is not None
                 else "(none: pickled)")
    return f"{descriptor._kind}<{inner}>" + (" with TTL" if _ttl_enabled(descriptor) else "")


def stored_type(descriptor: Any) -> Optional[TypeInformation]:
    """The type of what a StateTable holds per (key, namespace) for 'descriptor', or None
    when nothing is declared (pickled)."""
    ttl = _ttl_enabled(descriptor)
    kind = descriptor._kind
    if kind == "MapState":
        key, value = descriptor.key_type_info, descriptor.value_type_info
        if key is None and value is None:
            return None
        key = key if key is not None else Types.PICKLED_BYTE_ARRAY()
        value = value if value is not None else Types.PICKLED_BYTE_ARRAY()
        return Types.MAP(key, Types.TUPLE([value, _TTL_STAMP]) if ttl else value)
    element = descriptor.type_info
    if element is None or kind not in ("ValueState", "ListState", "ReducingState",
                                       "AggregatingState"):
        return None
    if ttl:
        element = Types.TUPLE([element, _TTL_STAMP])
    return Types.LIST(element) if kind == "ListState" else element


def broadcast_serializer(descriptor: Any) -> Optional[TypeSerializer]:
    """The serializer of a broadcast MapStateDescriptor's whole dict (None: pickled)."""
    key, value = descriptor.key_type_info, descriptor.value_type_info
    if key is None and value is None:
        return None
    return serializer_for(Types.MAP(key if key is not None else Types.PICKLED_BYTE_ARRAY(),
                                    value if value is not None else Types.PICKLED_BYTE_ARRAY()))


class SerializedState:
    """One state's entries in one key group, values written by a TypeSerializer."""

    __slots__ = ("serializer_name", "version", "type_info", "described", "count", "keys",
                 "namespaces", "values")

    def __init__(self, serializer_name: str, version: int, type_info: TypeInformation,
                 described: str, count: int, keys: bytes, namespaces: Optional[bytes],
                 values: bytes):
        self.serializer_name = serializer_name
        self.version = version
        self.type_info = type_info
        self.described = described
        self.count = count
        self.keys = keys
        self.namespaces = namespaces
        self.values = values

    def __reduce__(self):
        return SerializedState, (self.serializer_name, self.version, self.type_info,
                                 self.described, self.count, self.keys, self.namespaces,
                                 self.values)

    def decode(self, state_name: str) -> Dict[Tuple[Any, Any], Any]:
        """The entries {(key, namespace): value}."""
        if self.version > FORMAT_VERSION:
            raise InvalidJobError(
                f"state '{state_name}' was written by {self.serializer_name} version "
                f"{self.version}, newer than this Fluvial reads ({FORMAT_VERSION}): restore "
                f"it with the Fluvial version that wrote it")
        serializer = serializer_for(self.type_info)
        if serializer.name != self.serializer_name:
            raise InvalidJobError(
                f"state '{state_name}' was written by {self.serializer_name} for "
                f"{self.type_info.to_type_string()}, which this Fluvial reads with "
                f"{serializer.name}: restore it with the Fluvial version that wrote it")
        keys = pickle.loads(self.keys)
        namespaces = (pickle.loads(self.namespaces) if self.namespaces is not None
                      else repeat(None, self.count))
        reader = _Reader(self.values)
        try:
            values = serializer.decode(reader, self.count)
        except (ValueError, IndexError, OverflowError) as error:
            raise InvalidJobError(f"state '{state_name}' cannot be read: {error}") from None
        if (len(keys) != self.count or (self.namespaces is not None and len(namespaces) != self.count)
                or reader.offset != len(self.values)):
            raise InvalidJobError(f"state '{state_name}' cannot be read: its keys, namespaces "
                                  f"and values do not match in number")
        return dict(zip(zip(keys, namespaces), values))


def serialize_entries(state_name: str, described: str, serializer: TypeSerializer,
                      entries: Dict[Tuple[Any, Any], Any]) -> SerializedState:
    """One key group's entries of a state as a SerializedState; a value that does not fit
    raises InvalidJobError naming the state, the key and the expected type."""
    pairs = list(entries)
    try:
        column = serializer.serialize_column(list(entries.values()))
    except ColumnMismatch as mismatch:
        key, namespace = pairs[mismatch.index]
        where = ("the broadcast state" if key is None else f"key {short_repr(key)}") + (
            f", namespace {short_repr(namespace)}" if namespace is not None else "")
        raise InvalidJobError(
            f"state '{state_name}' ({described}) holds a value that does not fit its declared "
            f"type, for {where}: {mismatch}; store values of the declared type or change the "
            f"type in the state descriptor") from None
    except (TypeError, ValueError, OverflowError) as error:
        raise InvalidJobError(
            f"state '{state_name}' ({described}) cannot be written with "
            f"{serializer!r}: {error}") from None
    keys = list(map(_first, pairs))
    namespaces = list(map(_second, pairs))
    has_namespaces = namespaces.count(None) != len(namespaces)
    name, version, type_info = serializer.snapshot()
    return SerializedState(name, version, type_info, described, len(pairs), _pickled(keys),
                           _pickled(namespaces) if has_namespaces else None, column)


_first, _second = operator.itemgetter(0), operator.itemgetter(1)


def _pickled(objects: List[Any]) -> bytes:
    """Keys and namespaces: the standard pickler when it can (much faster on plain values),
    cloudpickle for what only it handles."""
    try:
        return pickle.dumps(objects, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        return cloudpickle.dumps(objects, protocol=5)


def check_compatible(state_name: str, blob: SerializedState, serializer: Optional[TypeSerializer],
                     described: str) -> None:
    """Raises InvalidJobError when 'blob' was written for another type than 'serializer''s
    (None: the state now declares no type, which reads any blob)."""
    if serializer is not None and serializer.type_info != blob.type_info:
        raise InvalidJobError(
            f"state '{state_name}' was checkpointed as {blob.described} but is now declared as "
            f"{described}: the stored values cannot be read as the new type; restore with the "
            f"old descriptor, or start without this checkpoint (or give the state a new name)")
