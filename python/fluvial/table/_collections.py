"""Flink's collection functions (ARRAY, MAP, ROW values).

Compiled to Arrow kernels where Arrow has one: CARDINALITY (list_value_length),
``array[i]`` and ``map[key]`` with a literal index or key (list_slice + list_element,
map_lookup), ROW(...) (make_struct), MAP_ENTRIES (a cast of the map to its entries).
Arrow has no kernel for the others, so they run in a Python step, either a batch at a time
over Arrow buffers (ARRAY[...], MAP[...] with distinct keys, MAP_KEYS, MAP_VALUES, ELEMENT,
ARRAY_CONTAINS, ARRAY_POSITION, ARRAY_REVERSE: list_flatten, list_parent_indices, take and
numpy) or row by row (ARRAY_DISTINCT, ARRAY_REMOVE, ARRAY_SLICE, ARRAY_UNION, ARRAY_CONCAT,
ARRAY_JOIN, ARRAY_MAX/MIN, MAP_FROM_ARRAYS, an index or key that is not a literal, MAP[...]
whose keys repeat in a row).
"""

from typing import Any, Callable, Dict, List, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fluvial.errors import FluvialError
from fluvial.table.expressions import PlanningError


class CollectionValueError(FluvialError, ValueError):
    """A value a collection function cannot take at run time (ELEMENT of a longer array, ...);
    the job fails naming the function and the value, not the user's code."""


def _sql_type(arrow_type: pa.DataType) -> str:
    from fluvial.table.types import from_arrow

    try:
        return repr(from_arrow(arrow_type))
    except (TypeError, ValueError, KeyError):
        return str(arrow_type)


def _is_list(arrow_type: pa.DataType) -> bool:
    return pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type)


def _expect(function: str, position: int, arrow_type: pa.DataType, what: str, ok: bool) -> None:
    if not ok:
        raise PlanningError(f"{function.upper()} expects {what} as argument {position}, got "
                            f"{_sql_type(arrow_type)}; see the collection functions in docs/table.md")


def _expect_array(function: str, arrow_type: pa.DataType, position: int = 1) -> pa.DataType:
    _expect(function, position, arrow_type, "an ARRAY", _is_list(arrow_type))
    return arrow_type.value_type


def _entries_type(map_type: pa.MapType) -> pa.DataType:
    return pa.list_(pa.struct([pa.field("key", map_type.key_type), pa.field("value", map_type.item_type)]))


def common_type(function: str, types: List[pa.DataType]) -> pa.DataType:
    """The type all of 'types' cast to (NULL literals take the others' type)."""
    known = [t for t in types if not pa.types.is_null(t)]
    if not known:
        return pa.null()
    if all(t == known[0] for t in known):
        return known[0]
    if all(pa.types.is_integer(t) for t in known):
        return pa.int64() if any(t == pa.int64() for t in known) else pa.int32()
    if all(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) for t in known):
        return pa.float64()
    if all(pa.types.is_string(t) or pa.types.is_large_string(t) for t in known):
        return pa.string()
    raise PlanningError(f"the values of {function.upper()} have types that do not mix: "
                        f"{', '.join(_sql_type(t) for t in known)}")


# -- native: Arrow kernels in the compiled expression ------------------------------------

NATIVE = ("cardinality", "at", "row", "map_entries")


def compile_native(function: str, literal_args: List[Any], args: List[pc.Expression],
                   types: List[pa.DataType]) -> pc.Expression:
    """The Arrow expression of a native collection function; 'types' are the arguments' types."""
    if function == "cardinality":
        if pa.types.is_map(types[0]):
            return pc.list_value_length(args[0].cast(_entries_type(types[0])))
        _expect(function, 1, types[0], "an ARRAY or a MAP", _is_list(types[0]))
        return pc.list_value_length(args[0])
    if function == "at":
        container, key = types[0], literal_args[1]
        if pa.types.is_struct(container):
            # A ROW's field by name (or by position from 0, as PyFlink's get(index)).
            names = [f.name for f in container]
            if key not in names and not (isinstance(key, int) and 0 <= key < len(names)):
                raise PlanningError(f"the ROW has no field {key!r} (fields: {', '.join(names)})")
            return pc.Expression._call("struct_field", [args[0]], pc.StructFieldOptions(
                names.index(key) if key in names else key))
        if pa.types.is_map(container):
            return pc.map_lookup(args[0], pa.scalar(key, type=container.key_type), "last")
        element = _expect_array("at", container)
        if not isinstance(key, int) or isinstance(key, bool):
            raise PlanningError(f"an ARRAY index must be an INT, got {key!r}")
        if key < 1:
            return pc.scalar(pa.scalar(None, type=element))  # Flink: NULL outside 1..CARDINALITY
        # A fixed-size slice pads short lists with NULL, so an index past the end is NULL, not an error.
        return pc.list_element(pc.list_slice(args[0], key - 1, key, return_fixed_size_list=True), 0)
    if function == "row":
        return pc.make_struct(*args, field_names=[f"EXPR${i}" for i in range(len(args))])
    if function == "map_entries":
        _expect(function, 1, types[0], "a MAP", pa.types.is_map(types[0]))
        return args[0].cast(_entries_type(types[0]))
    raise PlanningError(f"internal: {function} is not a native collection function")


# -- Python steps ------------------------------------------------------------------------

class CollectionFunction:
    """A collection built-in run in a Python step; its result type follows its arguments' types
    (bound at planning by :meth:`_bind`)."""

    _is_aggregate = False
    _is_table_function = False

    def __init__(self, name: str, arity: range, typer: Callable[[List[pa.DataType]], pa.DataType],
                 evaluate: Callable[..., pa.Array], per_row: bool):
        self._name = name.upper()
        self._arity = arity
        self._typer = typer
        self._evaluate_columns = evaluate
        self._per_row = per_row
        self._result: Optional[pa.DataType] = None
        self._argument_types: List[pa.DataType] = []

    def _bind(self, argument_types: List[pa.DataType]) -> "CollectionFunction":
        if len(argument_types) not in self._arity:
            expected = f"{self._arity.start}" if len(self._arity) == 1 else \
                f"{self._arity.start} to {self._arity.stop - 1}"
            raise PlanningError(f"{self._name} takes {expected} argument(s), got {len(argument_types)}")
        bound = type(self)(self._name, self._arity, self._typer, self._evaluate_columns, self._per_row)
        bound._argument_types = list(argument_types)
        bound._result = self._typer(list(argument_types))
        if self._name == "AT" and pa.types.is_map(argument_types[0]):
            bound._evaluate_columns = _map_at
        return bound

    def _arrow_result_type(self) -> pa.DataType:
        if self._result is None:
            raise PlanningError(f"internal: {self._name} was not bound to its argument types")
        return self._result

    def _evaluate(self, columns: List[pa.Array]) -> pa.Array:
        columns = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in columns]
        if not self._per_row:
            return self._evaluate_columns(self._result, *columns)
        rows = zip(*(c.to_pylist() for c in columns))
        values = [self._evaluate_columns(*row) for row in rows]
        try:
            return pa.array(values, type=self._result)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as error:
            raise CollectionValueError(f"{self._name} produced a value that is not {self._result}: {error}") \
                from None

    def _open(self, job_parameters: Any) -> None:
        pass

    def _close(self) -> None:
        pass

    def __repr__(self) -> str:
        return self._name


def _array_value(result_type: pa.DataType, *columns: pa.Array) -> pa.Array:
    """ARRAY[a, b, ...]: row i's list is (a[i], b[i], ...)."""
    rows, width = len(columns[0]), len(columns)
    element = result_type.value_type
    values = pa.concat_arrays([c.cast(element) for c in columns])
    # Row-major order: element j of row i is at j * rows + i in 'values'.
    order = (np.arange(width)[None, :] * rows + np.arange(rows)[:, None]).ravel()
    offsets = pa.array(np.arange(0, rows * width + 1, width, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, values.take(pa.array(order)), type=result_type)


def _map_value(result_type: pa.MapType, *columns: pa.Array) -> pa.Array:
    """MAP[k1, v1, k2, v2, ...]; a key given twice keeps its last value (as Flink)."""
    rows, width = len(columns[0]), len(columns) // 2
    keys = [c.cast(result_type.key_type) for c in columns[0::2]]
    items = [c.cast(result_type.item_type) for c in columns[1::2]]
    for j, key in enumerate(keys):
        if key.null_count:
            row = pc.index(key.is_null(), True).as_py()
            raise CollectionValueError(f"MAP: key {j + 1} of row {row} of the batch is NULL; map keys must not "
                                       f"be NULL (COALESCE it)")
    repeated = any(pc.any(pc.equal(keys[j], keys[k])).as_py() for j in range(width) for k in range(j + 1, width))
    if not repeated:
        # All keys differ in every row: the entries interleave as ARRAY[...] does.
        order = pa.array((np.arange(width)[None, :] * rows + np.arange(rows)[:, None]).ravel())
        offsets = pa.array(np.arange(0, rows * width + 1, width, dtype=np.int32))
        return pa.MapArray.from_arrays(offsets, pa.concat_arrays(keys).take(order),
                                       pa.concat_arrays(items).take(order), type=result_type)
    entries = []
    for i in range(rows):
        row: Dict[Any, Any] = {}
        for j in range(width):
            row[keys[j][i].as_py()] = items[j][i].as_py()
        entries.append(list(row.items()))
    return pa.array(entries, type=result_type)


def _positions(lists: pa.Array):
    """(flattened elements, each one's row, each one's position in its list from 0) of a list column."""
    flat = pc.list_flatten(lists)
    parents = pc.list_parent_indices(lists).to_numpy()
    index = np.arange(len(parents))
    if len(parents):
        first = np.r_[True, parents[1:] != parents[:-1]]
        index = index - np.maximum.accumulate(np.where(first, index, 0))
    return flat, parents, index


def _matches(flat: pa.Array, parents: np.ndarray, needles: pa.Array) -> np.ndarray:
    """Whether each flattened element equals its row's needle (a NULL needle matches NULL elements)."""
    wanted = needles.cast(flat.type).take(pa.array(parents, type=pa.int64()))
    equal = pc.fill_null(pc.equal(flat, wanted), False)
    both_null = pc.and_(pc.is_null(flat), pc.is_null(wanted))
    return pc.or_(equal, both_null).to_numpy(zero_copy_only=False)


def _contains_vector(result_type: pa.DataType, lists: pa.Array, needles: pa.Array) -> pa.Array:
    flat, parents, _ = _positions(lists)
    found = np.zeros(len(lists), dtype=bool)
    found[parents[_matches(flat, parents, needles)]] = True
    return pa.array(found, mask=lists.is_null().to_numpy(zero_copy_only=False))


def _position_vector(result_type: pa.DataType, lists: pa.Array, needles: pa.Array) -> pa.Array:
    flat, parents, index = _positions(lists)
    first = np.full(len(lists), np.iinfo(np.int32).max, dtype=np.int64)
    hits = _matches(flat, parents, needles) & ~pc.is_null(flat).to_numpy(zero_copy_only=False)
    np.minimum.at(first, parents[hits], index[hits] + 1)
    first[first == np.iinfo(np.int32).max] = 0
    missing = pc.or_(lists.is_null(), needles.is_null()).to_numpy(zero_copy_only=False)
    return pa.array(first.astype(np.int32), mask=missing)


def _element_vector(result_type: pa.DataType, lists: pa.Array) -> pa.Array:
    lengths = pc.fill_null(pc.list_value_length(lists), 0)
    longest = pc.max(lengths).as_py() if len(lists) else 0
    if longest and longest > 1:
        row = pc.index(pc.greater(lengths, 1), True).as_py()
        raise CollectionValueError(f"ELEMENT: the array has {lengths[row].as_py()} elements, expected at most one: "
                                   f"{lists[row].as_py()!r}; check CARDINALITY(...) <= 1 first, or use array[1]")
    return pc.list_element(pc.list_slice(lists, 0, 1, return_fixed_size_list=True), 0)


def _reverse_vector(result_type: pa.DataType, lists: pa.Array) -> pa.Array:
    flat, parents, index = _positions(lists)
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy().astype(np.int64)
    starts = np.r_[0, np.cumsum(lengths)]
    order = starts[parents] + (lengths[parents] - 1 - index) if len(parents) else np.zeros(0, np.int64)
    values = flat.take(pa.array(order, type=pa.int64()))
    offsets = pa.array(starts.astype(np.int32))
    if lists.null_count:
        return pa.ListArray.from_arrays(offsets, values, type=result_type, mask=lists.is_null())
    return pa.ListArray.from_arrays(offsets, values, type=result_type)


def _map_part(part: str) -> Callable[..., pa.Array]:
    def evaluate(result_type: pa.DataType, maps: pa.Array) -> pa.Array:
        offsets = maps.offsets
        values = maps.keys if part == "keys" else maps.items
        if maps.null_count:
            return pa.ListArray.from_arrays(offsets, values, type=result_type, mask=maps.is_null())
        return pa.ListArray.from_arrays(offsets, values, type=result_type)

    return evaluate


def _at(array: Optional[list], index: Optional[int]) -> Any:
    if array is None or index is None:
        return None
    return array[index - 1] if 1 <= index <= len(array) else None  # 1-based; NULL outside


def _map_at(entries: Optional[list], key: Any) -> Any:
    if entries is None or key is None:
        return None
    found = None
    for entry_key, value in entries:  # a map's (key, value) pairs; the last duplicate wins
        if entry_key == key:
            found = value
    return found


def _unique(values: list) -> list:
    seen, out = set(), []
    for value in values:
        marker = (type(value).__name__, value) if value is not None else None
        if marker not in seen:
            seen.add(marker)
            out.append(value)
    return out


def _array_remove(array: Optional[list], needle: Any) -> Optional[list]:
    return None if array is None else [v for v in array if v != needle]


def _array_slice(array: Optional[list], start: Optional[int], end: Any = "absent") -> Optional[list]:
    if array is None or start is None or end is None:
        return None
    size = len(array)
    end = size if end == "absent" else end
    # 1-based and inclusive; 0 is the start, negative counts from the end.
    start = start + size + 1 if start < 0 else max(start, 1)
    end = end + size + 1 if end < 0 else min(end, size)
    if start > end or start > size or end < 1:
        return []
    return array[start - 1:end]


def _array_concat(*arrays: Optional[list]) -> Optional[list]:
    if any(a is None for a in arrays):
        return None
    return [v for a in arrays for v in a]


def _array_union(left: Optional[list], right: Optional[list]) -> Optional[list]:
    if left is None or right is None:
        return None
    return _unique(left + right)


def _array_join(array: Optional[list], delimiter: Optional[str], null_replacement: Any = "absent") -> Optional[str]:
    if array is None or delimiter is None or null_replacement is None:
        return None
    if null_replacement == "absent":
        return delimiter.join(v for v in array if v is not None)
    return delimiter.join(null_replacement if v is None else v for v in array)


def _extreme(pick: Callable[..., Any]) -> Callable[[Optional[list]], Any]:
    def evaluate(array: Optional[list]) -> Any:
        if array is None:
            return None
        present = [v for v in array if v is not None]
        return pick(present) if present else None

    return evaluate


def _map_from_arrays(keys: Optional[list], values: Optional[list]) -> Optional[list]:
    if keys is None or values is None:
        return None
    if len(keys) != len(values):
        raise CollectionValueError(f"MAP_FROM_ARRAYS: the key array has {len(keys)} elements and the value "
                                   f"array {len(values)}; they must be as long")
    return list(dict(zip(keys, values)).items())


class CollectionAggregate:
    """COLLECT and ARRAY_AGG in a window aggregation: computed from the window's rows when it
    fires (the Python aggregate step's interface); in GROUP BY they run in the Python GROUP BY step."""

    _is_aggregate = True
    _func_type = "general"

    def __init__(self, kind: str, input_type: pa.DataType):
        self._kind = kind
        self._name = kind.upper()
        self._input_type = input_type

    def _arrow_result_type(self) -> pa.DataType:
        if self._kind == "collect":
            return pa.map_(self._input_type, pa.int32())
        return pa.list_(self._input_type)

    def _aggregate_groups(self, arguments: List[pa.Array], group_ids: List[int], num_groups: int) -> pa.Array:
        ids = np.asarray(group_ids)
        order = np.argsort(ids, kind="stable")  # each group's rows in arrival order
        bounds = np.searchsorted(ids[order], np.arange(num_groups + 1))
        values = arguments[0].take(pa.array(order)).to_pylist()
        results: List[Any] = []
        for group in range(num_groups):
            rows = values[bounds[group]:bounds[group + 1]]
            if self._kind == "collect":  # a MULTISET: each non-NULL value with its count
                counts: Dict[Any, int] = {}
                for value in rows:
                    if value is not None:
                        counts[value] = counts.get(value, 0) + 1
                results.append(list(counts.items()))
            else:
                results.append(rows or None)
        return pa.array(results, type=self._arrow_result_type())

    def _open(self, job_parameters: Any) -> None:
        pass

    def _close(self) -> None:
        pass


# Result types from argument types.

def _t_array(types: List[pa.DataType]) -> pa.DataType:
    element = common_type("array", types)
    return pa.list_(pa.int32() if pa.types.is_null(element) else element)


def _t_map(types: List[pa.DataType]) -> pa.DataType:
    if len(types) % 2:
        raise PlanningError(f"MAP takes key, value pairs, got {len(types)} argument(s)")
    key, value = common_type("map keys", types[0::2]), common_type("map values", types[1::2])
    if pa.types.is_null(key):
        raise PlanningError("MAP keys must not be NULL")
    return pa.map_(key, pa.int32() if pa.types.is_null(value) else value)


def _t_same_array(name: str) -> Callable[[List[pa.DataType]], pa.DataType]:
    def typer(types: List[pa.DataType]) -> pa.DataType:
        _expect_array(name, types[0])
        return types[0]

    return typer


def _t_needle(name: str, result: Optional[pa.DataType]) -> Callable[[List[pa.DataType]], pa.DataType]:
    """An (array, value) function: the value must mix with the elements; 'result' None = the array's type."""
    def typer(types: List[pa.DataType]) -> pa.DataType:
        element = _expect_array(name, types[0])
        try:
            common_type(name, [element, types[1]])
        except PlanningError:
            raise PlanningError(f"{name.upper()} expects a value of the array's element type "
                                f"{_sql_type(element)} as argument 2, got {_sql_type(types[1])}") from None
        return types[0] if result is None else result

    return typer


def _t_element(name: str) -> Callable[[List[pa.DataType]], pa.DataType]:
    def typer(types: List[pa.DataType]) -> pa.DataType:
        return _expect_array(name, types[0])

    return typer


def _t_fixed(name: str, result: pa.DataType) -> Callable[[List[pa.DataType]], pa.DataType]:
    def typer(types: List[pa.DataType]) -> pa.DataType:
        _expect_array(name, types[0])
        return result

    return typer


def _t_arrays(name: str) -> Callable[[List[pa.DataType]], pa.DataType]:
    def typer(types: List[pa.DataType]) -> pa.DataType:
        elements = [_expect_array(name, t, i + 1) for i, t in enumerate(types)]
        return pa.list_(common_type(name, elements))

    return typer


def _t_at(types: List[pa.DataType]) -> pa.DataType:
    if pa.types.is_map(types[0]):
        return types[0].item_type
    _expect("at", 1, types[0], "an ARRAY or a MAP", _is_list(types[0]))
    _expect("at", 2, types[1], "an INT index", pa.types.is_integer(types[1]) or pa.types.is_null(types[1]))
    return types[0].value_type


def _t_join(types: List[pa.DataType]) -> pa.DataType:
    element = _expect_array("array_join", types[0])
    _expect("array_join", 1, types[0], "an ARRAY of strings", pa.types.is_string(element)
            or pa.types.is_large_string(element) or pa.types.is_null(element))
    return pa.string()


def _t_map_part(name: str, part: str) -> Callable[[List[pa.DataType]], pa.DataType]:
    def typer(types: List[pa.DataType]) -> pa.DataType:
        _expect(name, 1, types[0], "a MAP", pa.types.is_map(types[0]))
        return pa.list_(types[0].key_type if part == "keys" else types[0].item_type)

    return typer


def _t_map_from_arrays(types: List[pa.DataType]) -> pa.DataType:
    keys = _expect_array("map_from_arrays", types[0], 1)
    values = _expect_array("map_from_arrays", types[1], 2)
    return pa.map_(keys, values)


def _function(name: str, arity: range, typer: Callable, evaluate: Callable, per_row: bool = True
              ) -> CollectionFunction:
    return CollectionFunction(name, arity, typer, evaluate, per_row)


STEPS: Dict[str, CollectionFunction] = {
    "array": _function("array", range(1, 1000), _t_array, _array_value, per_row=False),
    "map": _function("map", range(2, 1000), _t_map, _map_value, per_row=False),
    "map_keys": _function("map_keys", range(1, 2), _t_map_part("map_keys", "keys"), _map_part("keys"), False),
    "map_values": _function("map_values", range(1, 2), _t_map_part("map_values", "values"), _map_part("values"),
                            False),
    "element": _function("element", range(1, 2), _t_element("element"), _element_vector, False),
    "at": _function("at", range(2, 3), _t_at, _at),
    "array_contains": _function("array_contains", range(2, 3), _t_needle("array_contains", pa.bool_()),
                                _contains_vector, False),
    "array_distinct": _function("array_distinct", range(1, 2), _t_same_array("array_distinct"),
                                lambda a: None if a is None else _unique(a)),
    "array_position": _function("array_position", range(2, 3), _t_needle("array_position", pa.int32()),
                                _position_vector, False),
    "array_remove": _function("array_remove", range(2, 3), _t_needle("array_remove", None), _array_remove),
    "array_reverse": _function("array_reverse", range(1, 2), _t_same_array("array_reverse"), _reverse_vector,
                               False),
    "array_slice": _function("array_slice", range(2, 4), _t_same_array("array_slice"), _array_slice),
    "array_union": _function("array_union", range(2, 3), _t_arrays("array_union"), _array_union),
    "array_concat": _function("array_concat", range(1, 1000), _t_arrays("array_concat"), _array_concat),
    "array_join": _function("array_join", range(2, 4), _t_join, _array_join),
    "array_max": _function("array_max", range(1, 2), _t_element("array_max"), _extreme(max)),
    "array_min": _function("array_min", range(1, 2), _t_element("array_min"), _extreme(min)),
    "map_from_arrays": _function("map_from_arrays", range(2, 3), _t_map_from_arrays, _map_from_arrays),
}

FUNCTIONS = sorted(set(STEPS) | set(NATIVE))


def call(name: str, args: List[Any]) -> Any:
    """The IR node of collection function 'name': a native Call, or a call of its Python step."""
    from fluvial.table.expressions import Call, Lit, UdfCall

    if name in NATIVE and (name != "at" or isinstance(args[1], Lit)):
        return Call(name, list(args))
    return UdfCall(STEPS[name], list(args))

__all__: list = []  # internal: reached through SQL and the Expression methods
