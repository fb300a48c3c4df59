"""The results of tables declared ``WITH ('connector' = 'test-sink')``, as PyFlink's tests read them.

In PyFlink the 'test-sink' connector is a Java sink that appends every row it receives,
with its kind, to one process-wide collector; ``results()`` takes (and clears) what was
collected.  Here the same: every subtask of every 'test-sink' table appends to the
collector below, each row in Flink's ``Row.toString()`` text typed by the sink's schema.

- ``results()`` / ``retract_results()``: the rows left after applying the changelog
  (a ``-U`` or ``-D`` takes back one equal earlier row), each shown as an insert
  (``+I[...]``), in no particular order (tests compare sorted).
- ``upsert_results(keys)``: the last row per key (the key being the fields at the
  positions in `keys`), deletions removing the key.
"""

import threading
from typing import Any, Dict, List, Optional, Sequence, Tuple

import pyarrow as pa

from fluvial.testing._java_text import java_text

_lock = threading.Lock()
# (is_addition, fields' texts) per row received, in arrival order.
_collected: List[Tuple[bool, Tuple[str, ...]]] = []


def results() -> List[str]:
    """Rows the test sinks received, after applying retractions (takes them, clears the collector)."""
    return retract_results()


def retract_results() -> List[str]:
    """Rows left after each -U/-D took back an equal earlier row; clears the collector."""
    counts: Dict[Tuple[str, ...], int] = {}
    for is_addition, fields in _take():
        counts[fields] = counts.get(fields, 0) + (1 if is_addition else -1)
    return [_as_insert(fields) for fields, count in counts.items() for _ in range(max(count, 0))]


def upsert_results(keys: Sequence[int]) -> List[str]:
    """The last row per key (fields at positions `keys`), a -D/-U removing it; clears the collector."""
    latest: Dict[Tuple[str, ...], Tuple[str, ...]] = {}
    for is_addition, fields in _take():
        key = tuple(fields[k] for k in keys)
        if is_addition:
            latest[key] = fields
        else:
            latest.pop(key, None)
    return [_as_insert(fields) for fields in latest.values()]


def _take() -> List[Tuple[bool, Tuple[str, ...]]]:
    with _lock:
        taken = list(_collected)
        _collected.clear()
    return taken


def _as_insert(fields: Tuple[str, ...]) -> str:
    return "+I[" + ", ".join(fields) + "]"


class TestSinkWriter:
    """The writer of one subtask of a 'test-sink' table: adds each row to the collector."""

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, schema: pa.Schema):
        self._types = [field.type for field in schema]

    def write(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
        columns = [column.to_pylist() for column in batch.columns]
        rows = []
        for index, values in enumerate(zip(*columns)):
            kind = row_kinds[index] if row_kinds is not None else 0
            # RowKind bytes: 0 +I, 1 -U, 2 +U, 3 -D.
            texts = tuple(java_text(v, t) for v, t in zip(values, self._types))
            rows.append((kind in (0, 2), texts))
        with _lock:
            _collected.extend(rows)

    def finish(self) -> None:
        pass

    # Rows are collected as they arrive (at least once), as Flink's test sink.
    def snapshot_state(self, checkpoint_id: int) -> None:
        return None

    def restore_state(self, state: Any) -> None:
        pass

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        pass


def test_sink_writer_factory(schema: pa.Schema, options: Dict[str, str]):
    """make_writer(info) for a table WITH ('connector' = 'test-sink')."""
    return lambda info: TestSinkWriter(schema)


test_sink_writer_factory.__test__ = False
