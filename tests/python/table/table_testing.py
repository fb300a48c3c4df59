"""Helpers for the Table/SQL tests: final results of a changelog, and the
same query in an independent engine (duckdb) as the oracle."""

from collections import Counter
from typing import Any, Iterable, List

from fluvial.common.types import RowKind


def final_rows(rows: Iterable[Any]) -> Counter:
    """The multiset of rows a changelog leaves: +I/+U add, -U/-D remove (must be present)."""
    state: Counter = Counter()
    for row in rows:
        values = tuple(row)
        if row.get_row_kind() in (RowKind.INSERT, RowKind.UPDATE_AFTER):
            state[values] += 1
        else:
            assert state[values] > 0, f"retraction of a row never emitted: {row}"
            state[values] -= 1
            if state[values] == 0:
                del state[values]
    return state


def normalize(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
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
