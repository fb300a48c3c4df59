"""Python function results for integer columns: a float is refused, never truncated.

pyarrow's ``pa.array([2.7], pa.int32())`` gives 2, silently; a UDF declared INT that returns
2.7 would lose data. What counts as an integer follows PyFlink:

- general UDFs, UDTFs and UDAFs (values one by one): a Python ``int`` (or numpy integer),
  never a ``float``, not even ``2.0``: PyFlink's coders write a BIGINT/INT result with
  ``struct.pack`` (``pyflink/fn_execution/stream_slow.py``), which refuses every float;
- pandas UDFs (a whole Series): a float Series whose values are all integral (``2.0``, as a
  Series with a missing value holds integers) is converted, a non-integral value fails,
  as PyFlink's safe Arrow conversion of a pandas result does.
"""

from typing import Any, Iterable, Optional, Tuple

import pyarrow as pa


def holds_integers(arrow_type: pa.DataType) -> bool:
    """True when the type is, or nests, an integer type."""
    if pa.types.is_integer(arrow_type):
        return True
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return holds_integers(arrow_type.value_type)
    if pa.types.is_struct(arrow_type):
        return any(holds_integers(arrow_type.field(i).type) for i in range(arrow_type.num_fields))
    if pa.types.is_map(arrow_type):
        return holds_integers(arrow_type.key_type) or holds_integers(arrow_type.item_type)
    return False


def first_float(values: Iterable[Any], arrow_type: pa.DataType) -> Optional[Tuple[Any]]:
    """(the first float where the type wants an integer,) or None when there is none."""
    if not holds_integers(arrow_type):
        return None
    if pa.types.is_integer(arrow_type):
        # The types present, gathered at C speed: the scan below runs only when a float is there.
        kinds = set(map(type, values))
        if not any(issubclass(kind, float) or getattr(kind, "__module__", "") == "numpy" for kind in kinds):
            return None
    for value in values:
        found = _float_in(value, arrow_type)
        if found is not None:
            return found
    return None


def _float_in(value: Any, arrow_type: pa.DataType) -> Optional[Tuple[Any]]:
    if value is None:
        return None
    if pa.types.is_integer(arrow_type):
        return (float(value),) if _is_float(value) else None  # (numpy's floats shown as Python's)
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        if isinstance(value, (list, tuple)):
            return first_float(value, arrow_type.value_type)
        return None
    if pa.types.is_struct(arrow_type):
        fields = [arrow_type.field(i) for i in range(arrow_type.num_fields)]
        if isinstance(value, dict):
            items = [(value.get(f.name), f.type) for f in fields]
        elif isinstance(value, (list, tuple)):  # a Row is a tuple
            items = list(zip(value, (f.type for f in fields)))
        else:
            return None
        for item, item_type in items:
            found = _float_in(item, item_type)
            if found is not None:
                return found
        return None
    if pa.types.is_map(arrow_type):
        pairs = value.items() if isinstance(value, dict) else value if isinstance(value, list) else ()
        for pair in pairs:
            if isinstance(pair, tuple) and len(pair) == 2:
                found = (_float_in(pair[0], arrow_type.key_type) or _float_in(pair[1], arrow_type.item_type))
                if found is not None:
                    return found
    return None


def _is_float(value: Any) -> bool:
    if isinstance(value, float):  # numpy.float64 too
        return True
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    return kind == "f" and getattr(value, "ndim", 1) == 0  # numpy.float32, numpy.float16


# Why a float is refused for an integer type, and what to do, for the messages.
FLOAT_REASON = "Fluvial does not truncate a float into an integer"
FLOAT_ADVICE = "return an int (round(x) or int(x), as intended), or declare a DOUBLE result"


def float_misfit() -> str:
    """What is wrong with a float where an integer was declared, and what to do."""
    return f"{FLOAT_REASON}: {FLOAT_ADVICE}"
