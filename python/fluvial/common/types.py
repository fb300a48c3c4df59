"""Row, the record type of Row-typed streams and tables, and RowKind, its changelog flag."""

from collections.abc import Iterator
from enum import Enum
from typing import Any

__all__ = ["Row", "RowKind"]


class RowKind(Enum):
    """Kind of change a row stands for in a changelog.

    Examples:
        >>> from fluvial.common import Row, RowKind
        >>> row = Row.of_kind(RowKind.UPDATE_AFTER, "alice", 15.5)
        >>> row.get_row_kind(), row.get_row_kind().short_string(), RowKind.from_byte_value(3)
        (<RowKind.UPDATE_AFTER: 2>, '+U', <RowKind.DELETE: 3>)
    """

    INSERT = 0
    UPDATE_BEFORE = 1
    UPDATE_AFTER = 2
    DELETE = 3

    def __str__(self) -> str:
        return _SHORT_STRINGS[self.value]

    def short_string(self) -> str:
        """Returns the short form used when printing rows: +I, -U, +U or -D."""
        return _SHORT_STRINGS[self.value]

    def to_byte_value(self) -> int:
        """Returns the byte that encodes this kind on the wire (0 to 3)."""
        return self.value

    @staticmethod
    def from_byte_value(value: int) -> "RowKind":
        """Returns the kind encoded by `value`, the inverse of `to_byte_value`."""
        if type(value) is not int or not 0 <= value <= 3:
            raise ValueError(
                f"RowKind byte value must be an int in [0, 3], got {value!r}"
            )
        return _KINDS_BY_VALUE[value]


_SHORT_STRINGS = ("+I", "-U", "+U", "-D")
_KINDS_BY_VALUE = tuple(RowKind)


class _FieldNotFoundError(KeyError, ValueError):
    """Unknown field name; a KeyError for dict-like use, a ValueError as PyFlink raises."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a sentence reads better unquoted.
        return str(self.args[0])


def _create_row(
    fields: list[str] | None, values, row_kind: RowKind | None = None
) -> "Row":
    """Rebuilds a row; the target of Row's pickle reduction."""
    row = Row(*values)
    if fields is not None:
        row._names = list(fields)
    if row_kind is not None:
        row._row_kind = row_kind
    return row


class Row:
    """A fixed-length record whose fields may be named.

    Positional rows come from `Row(1, 'a')`, named rows from `Row(name='a', price=1.0)`.
    Fields are read by index (`row[0]`), by name (`row['name']`, `row.name`) and written
    by index or name (`row['price'] = 2.0`); attribute assignment is refused, as in PyFlink.
    A positional row of strings doubles as a template: `Row('name', 'age')('Bob', 3)`
    builds the named row `Row(name='Bob', age=3)`.

    Examples:
        >>> from fluvial.common import Row
        >>> order = Row(user="alice", amount=12.5)
        >>> order.user, order["amount"], order[0], order.as_dict()
        ('alice', 12.5, 'alice', {'user': 'alice', 'amount': 12.5})
        >>> Row("bob", 7.25)
        <Row('bob', 7.25)>
    """

    # `_names` is None on positional rows. PyFlink code tells the two kinds apart with
    # hasattr(row, '_fields'), so `_fields` is a property that is missing when unnamed.
    __slots__ = ("_from_dict", "_names", "_row_kind", "_values")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError(
                "Row takes either positional or keyword values, not both, "
                f"got {len(args)} positional and keywords {sorted(kwargs)}"
            )
        if kwargs:
            self._names = list(kwargs)
            self._values = list(kwargs.values())
            self._from_dict = True
        else:
            self._names = None
            self._values = list(args)
            self._from_dict = False
        self._row_kind = RowKind.INSERT

    @staticmethod
    def of_kind(row_kind: RowKind, *args: Any, **kwargs: Any) -> "Row":
        """Creates a row with the given kind and values."""
        row = Row(*args, **kwargs)
        row.set_row_kind(row_kind)
        return row

    def as_dict(self, recursive: bool = False) -> dict[str, Any]:
        """Returns the fields as a dict; with `recursive`, nested rows become dicts too."""
        fields = self._names
        if fields is None:
            raise TypeError(f"as_dict needs a row with field names, got {self!r}")
        if not recursive:
            return dict(zip(fields, self._values))
        return dict(zip(fields, (_to_plain(value) for value in self._values)))

    def get_row_kind(self) -> RowKind:
        return self._row_kind

    def set_row_kind(self, row_kind: RowKind) -> None:
        if not isinstance(row_kind, RowKind):
            raise TypeError(
                f"row_kind must be a RowKind, got {type(row_kind).__name__} {row_kind!r}"
            )
        self._row_kind = row_kind

    def set_field_names(self, field_names: list[str]) -> None:
        """Names the fields of this row, in order."""
        field_names = list(field_names)
        if len(field_names) != len(self._values):
            raise ValueError(
                f"set_field_names needs one name per field ({len(self._values)}), "
                f"got {len(field_names)} names {field_names!r}"
            )
        self._names = field_names

    def get_fields_by_names(self, names: list[str]) -> list[Any]:
        """Returns the values of the named fields, in the order of `names`."""
        fields = self._names
        if fields is None or names == fields:
            return self._values
        missing = [name for name in names if name not in fields]
        if missing:
            raise _FieldNotFoundError(
                f"Row has no fields named {missing}, its fields are {fields}"
            )
        return [self._values[fields.index(name)] for name in names]

    @property
    def _fields(self) -> list[str]:
        if self._names is None:
            raise AttributeError("positional Row has no _fields")
        return self._names

    @_fields.setter
    def _fields(self, names: list[str]) -> None:
        self._names = names

    def _index_of(self, name: str) -> int:
        fields = self._names
        if fields is None:
            raise _FieldNotFoundError(
                f"Row has no field names, cannot look up field {name!r} in {self!r}"
            )
        try:
            return fields.index(name)
        except ValueError:
            raise _FieldNotFoundError(
                f"Row has no field named {name!r}, its fields are {fields}"
            ) from None

    def _is_retract_msg(self) -> bool:
        return (
            self._row_kind is RowKind.UPDATE_BEFORE or self._row_kind is RowKind.DELETE
        )

    def _is_accumulate_msg(self) -> bool:
        return (
            self._row_kind is RowKind.INSERT or self._row_kind is RowKind.UPDATE_AFTER
        )

    def __call__(self, *args: Any) -> "Row":
        """Creates a named row whose field names are this row's values."""
        if len(args) > len(self._values):
            raise ValueError(
                f"Row template {self!r} takes at most {len(self._values)} values, "
                f"got {len(args)}: {args!r}"
            )
        return _create_row(self._values[: len(args)], args, self._row_kind)

    def __contains__(self, item: Any) -> bool:
        fields = self._names
        return item in (self._values if fields is None else fields)

    def __getitem__(self, item):
        if isinstance(item, (int, slice)):
            return self._values[item]
        return self._values[self._index_of(item)]

    def __setitem__(self, key, value) -> None:
        if isinstance(key, (int, slice)):
            self._values[key] = value
        else:
            self._values[self._index_of(key)] = value

    def __getattr__(self, name: str):
        # Only reached when normal lookup fails, i.e. for field names.
        if not name.startswith("_"):
            fields = self._names
            if fields is not None and name in fields:
                return self._values[fields.index(name)]
        raise AttributeError(f"Row has no field or attribute {name!r}")

    def __setattr__(self, name: str, value) -> None:
        if name not in _SETTABLE_ATTRIBUTES:
            raise AttributeError(
                f"Row fields cannot be set as attributes; use row[{name!r}] = value, "
                f"got attribute {name!r}"
            )
        object.__setattr__(self, name, value)

    def __reduce__(self):
        return _create_row, (self._names, tuple(self._values), self._row_kind)

    def __repr__(self) -> str:
        fields = self._names
        if fields is None:
            return f"<Row({', '.join(repr(value) for value in self._values)})>"
        named = ", ".join(
            f"{name}={value!r}" for name, value in zip(fields, self._values)
        )
        return f"Row({named})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, Row) or self._row_kind != other._row_kind:
            return False
        fields, other_fields = self._names, other._names
        if fields is None or other_fields is None:
            return (
                fields is None
                and other_fields is None
                and self._values == other._values
            )
        # Named rows compare by name, so field order does not matter (as in PyFlink).
        if fields == other_fields:
            return self._values == other._values
        if sorted(fields) != sorted(other_fields):
            return False
        return all(self[name] == other[name] for name in fields)

    def __hash__(self) -> int:
        fields = self._names
        if fields is None:
            return hash(tuple(self._values))
        # Hash in name order so rows equal by name hash alike.
        order = sorted(range(len(fields)), key=fields.__getitem__)
        return hash(tuple((fields[i], self._values[i]) for i in order))

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


_SETTABLE_ATTRIBUTES = frozenset(Row.__slots__) | {"_fields"}


def _to_plain(value):
    if isinstance(value, Row):
        return value.as_dict(True) if value._names is not None else value
    if isinstance(value, list):
        return [_to_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _to_plain(item) for key, item in value.items()}
    return value
