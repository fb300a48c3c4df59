"""The order in which BATCH mode emits a keyed reduce's final values: Flink's.

In BATCH execution Flink sorts a keyed operator's input by the serialized key and
emits each key's result when the next key begins, so results come out in key order.
PyFlink serializes a key without a declared key_type with `pickle.dumps` (its
PICKLED_BYTE_ARRAY type) and compares those bytes as Java's signed bytes, a shorter
array first when one is a prefix of the other. A key_type of STRING compares the same
way Flink's StringSerializer bytes (the length, then each UTF-16 unit, 7 bits a byte);
numeric key types compare by value.
"""

import pickle
from collections.abc import Callable
from typing import Any, List, Optional, Tuple

from fluvial.common.typeinfo import BasicType, BasicTypeInfo, TypeInformation

# Maps each byte to its rank as a Java (signed) byte: 0x80 first, 0x7f last.
_SIGNED_RANK = bytes((value ^ 0x80) for value in range(256))

# PyFlink's pickle protocol for keys: Python's default (4 up to Python 3.13).
_PICKLE_PROTOCOL = 4


def _pickled_key(key: Any) -> bytes:
    return pickle.dumps(key, protocol=_PICKLE_PROTOCOL).translate(_SIGNED_RANK)


def _varint(value: int, out: bytearray) -> None:
    # Flink's StringValue: 7 bits a byte, low bits first, the high bit set on all but the last.
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _string_key(key: Any) -> bytes:
    units = key.encode("utf-16-be", "surrogatepass")
    out = bytearray()
    _varint(len(units) // 2 + 1, out)  # the length plus one (zero stands for null)
    for index in range(0, len(units), 2):
        _varint(units[index] << 8 | units[index + 1], out)
    return bytes(out).translate(_SIGNED_RANK)


def _sort_key_for(key_type: Optional[TypeInformation]) -> Optional[Callable[[Any], Any]]:
    if key_type is None or key_type.to_type_string() == "PICKLED_BYTE_ARRAY":
        return _pickled_key
    if isinstance(key_type, BasicTypeInfo):
        if key_type._basic_type in (BasicType.STRING, BasicType.CHAR):
            return _string_key
        if key_type._basic_type in (BasicType.BYTE, BasicType.SHORT, BasicType.INT, BasicType.LONG,
                                    BasicType.FLOAT, BasicType.DOUBLE, BasicType.BIG_INT,
                                    BasicType.BIG_DEC, BasicType.BOOLEAN):
            return lambda key: key
    return None


def final_order(key_type: Optional[TypeInformation]) -> Optional[Callable[[List[Tuple[Any, Any]]], List[Any]]]:
    """The function that puts a reduce's [(key, final value)] in Flink's BATCH order, or
    None when the key type has no order Fluvial reproduces (results then come per key group)."""
    sort_key = _sort_key_for(key_type)
    if sort_key is None:
        return None

    def order(pairs: List[Tuple[Any, Any]]) -> List[Any]:
        try:
            pairs.sort(key=lambda pair: sort_key(pair[0]))
        except (TypeError, pickle.PicklingError, AttributeError):
            pass  # keys without that order (unpicklable, mixed types): leave them as they are
        return [value for _, value in pairs]

    return order
