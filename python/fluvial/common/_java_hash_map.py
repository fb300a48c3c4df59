"""The iteration order of a java.util.HashMap, for printing MAP values as Flink does.

A MAP value reaches Java as a HashMap (Flink's MapSerializer reads one back with
`new HashMap<>(size)`), and Java prints a HashMap in its table order: by bucket
(`(h ^ h >>> 16) & (capacity - 1)` of the key's hashCode), and within a bucket in
insertion order (resizing keeps that order). Keys whose Java hashCode Fluvial knows
(str, int, bool, float) are put in that order; a map with any other key keeps its order.
"""

import struct
from collections.abc import Iterable
from typing import Any

_INT32 = 0xFFFFFFFF
_DEFAULT_CAPACITY = 16


def _java_hash(key: Any) -> int | None:
    """Java's hashCode of the object PyFlink makes of `key`, as an unsigned 32-bit int."""
    if isinstance(key, bool):
        return 1231 if key else 1237
    if isinstance(key, int):
        if -(1 << 31) <= key < (1 << 31):
            return key & _INT32  # Integer.hashCode
        if -(1 << 63) <= key < (1 << 63):
            bits = key & 0xFFFFFFFFFFFFFFFF
            return (bits ^ (bits >> 32)) & _INT32  # Long.hashCode
        return None
    if isinstance(key, str):
        # String.hashCode over UTF-16 code units.
        units = key.encode("utf-16-be", "surrogatepass")
        value = 0
        for index in range(0, len(units), 2):
            value = (31 * value + (units[index] << 8 | units[index + 1])) & _INT32
        return value
    if isinstance(key, float):
        if key != key:
            bits = 0x7FF8000000000000  # Double.doubleToLongBits folds every NaN into one
        else:
            bits = struct.unpack(">Q", struct.pack(">d", key))[0]
        return (bits ^ (bits >> 32)) & _INT32
    return None


def _capacity(size: int, initial: int) -> int:
    capacity = initial
    while size > capacity * 3 // 4:
        capacity *= 2
    return capacity


def _table_size_for(size: int) -> int:
    # HashMap(int initialCapacity): the smallest power of two >= the size.
    capacity = 1
    while capacity < size:
        capacity *= 2
    return capacity


def hash_map_order(items: Iterable[tuple], initial_capacity: int | None = None) -> list:
    """The (key, value) pairs in the order a HashMap filled with them in this order iterates:
    `new HashMap<>()` when `initial_capacity` is None, else `new HashMap<>(initial_capacity)`."""
    items = list(items)
    hashes = [_java_hash(key) for key, _ in items]
    if any(value is None for value in hashes):
        return items
    initial = _DEFAULT_CAPACITY if initial_capacity is None else _table_size_for(initial_capacity)
    mask = _capacity(len(items), initial) - 1
    buckets = [(h ^ (h >> 16)) & mask for h in hashes]
    order = sorted(range(len(items)), key=lambda index: (buckets[index], index))
    return [items[index] for index in order]


def deserialized_order(value: dict) -> list:
    """The entries of `value` as Flink's MapSerializer reads them back (`new HashMap<>(size)`)."""
    return hash_map_order(value.items(), len(value))


def collection_order(value: dict) -> dict:
    """`value` as PyFlink's from_collection() hands it to Java: the Python pickle is read
    into a HashMap in reverse order (Pyrolite), and that map's order is what follows."""
    return dict(hash_map_order(reversed(list(value.items()))))
