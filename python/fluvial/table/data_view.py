"""ListView and MapView: the collections PyFlink lets an aggregate function's accumulator hold
(declared in its accumulator type as DataTypes.LIST_VIEW / MAP_VIEW).

In Fluvial an accumulator lives in the aggregate's state as a Python object (snapshotted with
it), so the views are plain in-memory collections with PyFlink's methods."""

from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple


class DataView:
    """A collection in an accumulator (PyFlink's base class of ListView and MapView).

    Examples:
        >>> from fluvial.table.data_view import DataView, ListView
        >>> isinstance(ListView(), DataView)
        True
    """

    def clear(self) -> None:
        raise NotImplementedError


class ListView(DataView):
    """A list in an accumulator.

    Examples:
        >>> from fluvial.table.data_view import ListView
        >>> view = ListView()
        >>> view.add(1); view.add_all([2, 3])
        >>> list(view.get()), list(view)
        ([1, 2, 3], [1, 2, 3])
    """

    def __init__(self) -> None:
        self._list: List[Any] = []

    def get(self) -> Iterable[Any]:
        return self._list

    def add(self, value: Any) -> None:
        self._list.append(value)

    def add_all(self, values: Iterable[Any]) -> None:
        self._list.extend(values)

    def clear(self) -> None:
        self._list = []

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, ListView) and self._list == other._list

    def __hash__(self) -> int:
        return hash(tuple(self._list))

    def __iter__(self) -> Iterator[Any]:
        return iter(self._list)

    def __repr__(self) -> str:
        return f"ListView({self._list!r})"


class MapView(DataView):
    """A map in an accumulator.

    Examples:
        >>> from fluvial.table.data_view import MapView
        >>> view = MapView()
        >>> view.put("a", 1); view["b"] = 2
        >>> view.get("a"), view.contains("b"), sorted(view.keys()), view.is_empty()
        (1, True, ['a', 'b'], False)
    """

    def __init__(self) -> None:
        self._dict: Dict[Any, Any] = {}

    def get(self, key: Any) -> Optional[Any]:
        return self._dict.get(key)

    def put(self, key: Any, value: Any) -> None:
        self._dict[key] = value

    def put_all(self, mapping: Dict[Any, Any]) -> None:
        self._dict.update(mapping)

    def remove(self, key: Any) -> None:
        self._dict.pop(key, None)

    def contains(self, key: Any) -> bool:
        return key in self._dict

    def items(self) -> Iterable[Tuple[Any, Any]]:
        return _RemovableIterable(self._dict, lambda: list(self._dict.items()), lambda item: item[0])

    def keys(self) -> Iterable[Any]:
        return _RemovableIterable(self._dict, lambda: list(self._dict), lambda key: key)

    def values(self) -> Iterable[Any]:
        return self._dict.values()

    def is_empty(self) -> bool:
        return not self._dict

    def clear(self) -> None:
        self._dict = {}

    def __getitem__(self, key: Any) -> Any:
        return self._dict[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._dict[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._dict[key]

    def __contains__(self, key: Any) -> bool:
        return key in self._dict

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._dict))  # the keys as they were: the accumulator may change meanwhile

    def __len__(self) -> int:
        return len(self._dict)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, MapView) and self._dict == other._dict

    def __hash__(self) -> int:
        return hash(tuple(sorted(map(repr, self._dict.items()))))

    def __repr__(self) -> str:
        return f"MapView({self._dict!r})"


class _RemovableIterable:
    """keys()/items() of a MapView: its iterator's remove() deletes the entry last returned, as
    PyFlink's state-backed iterators allow (an aggregate's retract() may prune while iterating)."""

    def __init__(self, mapping: Dict[Any, Any], snapshot, key_of):
        self._mapping, self._snapshot, self._key_of = mapping, snapshot, key_of

    def __iter__(self) -> "_RemovableIterator":
        return _RemovableIterator(self._mapping, self._snapshot(), self._key_of)

    def __len__(self) -> int:
        return len(self._mapping)

    def __contains__(self, item: Any) -> bool:
        return item in self._snapshot()


class _RemovableIterator:
    def __init__(self, mapping: Dict[Any, Any], entries: List[Any], key_of):
        self._mapping, self._entries, self._key_of = mapping, iter(entries), key_of
        self._last: Any = None
        self._has_last = False

    def __iter__(self) -> "_RemovableIterator":
        return self

    def __next__(self) -> Any:
        self._last = next(self._entries)
        self._has_last = True
        return self._last

    def remove(self) -> None:
        if not self._has_last:
            raise RuntimeError("remove() before next(): there is no entry to remove")
        self._mapping.pop(self._key_of(self._last), None)
        self._has_last = False


__all__ = ["DataView", "ListView", "MapView"]
