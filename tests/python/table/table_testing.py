"""Helpers for the Table/SQL tests: final results of a changelog, and the
same query in an independent engine (duckdb) as the oracle."""

from collections import Counter
from typing import Any, Iterable, List

from fluvial.common.types import RowKind


def final_rows(rows: Iterable[Any]) -> Counter:
    """The multiset of rows a changelog leaves: +I/+U add, -U/-D remove (must be present)."""
    state: Counter = Counter()
    for row in rows:
        values = tuple(_hashable(v) for v in row)
        if row.get_row_kind() in (RowKind.INSERT, RowKind.UPDATE_AFTER):
            state[values] += 1
        else:
            assert state[values] > 0, f"retraction of a row never emitted: {row}"
            state[values] -= 1
            if state[values] == 0:
                del state[values]
    return state


def _hashable(value: Any) -> Any:
    """ARRAY and MAP values (lists, dicts) as tuples, so rows holding them can be counted."""
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((_hashable(k), _hashable(v)) for k, v in value.items()))
    return value


def normalize(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (list, tuple, dict)):
        value = _hashable(value)
        return tuple(normalize(v) for v in value)
    return value


def as_multiset(rows: Iterable[Iterable[Any]]) -> Counter:
    return Counter(tuple(normalize(v) for v in row) for row in rows)


def duckdb_rows(query: str, **tables: Any) -> List[tuple]:
    import duckdb
    import pyarrow as pa

    connection = duckdb.connect()
    for name, frame in tables.items():
        # Through Arrow: duckdb does not read pandas 3's string dtype directly.
        connection.register(name, pa.Table.from_pandas(frame, preserve_index=False))
    return connection.execute(query).fetchall()
