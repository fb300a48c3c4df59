"""KeyedStream.sum/min/max/min_by/max_by as reduce functions, with Flink's
meaning: sum, min and max change one field of the first record of the key;
min_by and max_by keep the whole record holding the extreme (the earliest
one on ties)."""

from typing import Any, Callable, Union

from fluvial.common.types import Row


def _field_access(position: Union[int, str]):
    def get(value: Any) -> Any:
        if isinstance(value, (tuple, list, Row)):
            return value[position]
        if isinstance(value, dict):
            return value[position]
        if position in (0, None):
            return value  # a stream of plain numbers
        raise TypeError(f"cannot aggregate field {position!r} of a {type(value).__name__}: "
                        f"aggregate a tuple, list, Row or dict, or a plain number with position 0")

    def replace(value: Any, field: Any) -> Any:
        if isinstance(value, Row):
            copy = Row(*list(value))
            if value._names is not None:
                copy.set_field_names(list(value._names))
            copy.set_row_kind(value.get_row_kind())
            copy[position] = field
            return copy
        if isinstance(value, tuple):
            index = position
            return value[:index] + (field,) + value[index + 1:]
        if isinstance(value, (list, dict)):
            copy = value.copy()
            copy[position] = field
            return copy
        return field

    return get, replace


def sum_reducer(position: Union[int, str]) -> Callable[[Any, Any], Any]:
    get, replace = _field_access(position)
    return lambda current, value: replace(current, get(current) + get(value))


def min_reducer(position: Union[int, str]) -> Callable[[Any, Any], Any]:
    get, replace = _field_access(position)
    return lambda current, value: current if get(current) <= get(value) else replace(current, get(value))


def max_reducer(position: Union[int, str]) -> Callable[[Any, Any], Any]:
    get, replace = _field_access(position)
    return lambda current, value: current if get(current) >= get(value) else replace(current, get(value))


def min_by_reducer(position: Union[int, str]) -> Callable[[Any, Any], Any]:
    get, _ = _field_access(position)
    return lambda current, value: value if get(value) < get(current) else current


def max_by_reducer(position: Union[int, str]) -> Callable[[Any, Any], Any]:
    get, _ = _field_access(position)
    return lambda current, value: value if get(value) > get(current) else current
