"""The state of the native Table/SQL operators in checkpoints.

A native columnar operator (cpp/table/table_state.h) hands its state to its snapshot hook
as {part name: [pyarrow.RecordBatch]}, each row carrying its key group in the last column
``__key_group``. Here the rows are split by key group, each key group's rows written as
Arrow IPC (no per-row Python objects), and put into the checkpoint's keyed parts, so a
job resumes at another parallelism as DataStream jobs do; on restore a subtask's key
groups are read back into {part name: [RecordBatch]} for the operator's constructor.

Which Table/SQL operators can be checkpointed is decided here too (``check_snapshot_capable``):
a whitelist, so an operator kind nobody taught to snapshot is refused when the job is
submitted instead of losing its state silently on recovery.
"""

from typing import Any, Dict, List

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fluvial.errors import UnsupportedFeatureError

KEY_GROUP_COLUMN = "__key_group"

# Columnar operators whose whole state is snapshotted (or that keep none).
_NATIVE_KINDS = {"table_calc", "table_key_by", "table_rowtime", "table_group_agg", "table_window_agg",
                 "table_join", "table_rank", "table_to_objects", "table_from_objects", "table_temporal_join",
                 "table_interval_join", "table_drop_late", "table_over_agg", "table_window_join",
                 "table_window_tvf"}


def split_by_key_group(parts: Dict[str, List[pa.RecordBatch]]) -> Dict[int, Dict[str, bytes]]:
    """{key group: {part name: Arrow IPC stream of that key group's rows}}."""
    result: Dict[int, Dict[str, bytes]] = {}
    for name, batches in parts.items():
        batches = [b for b in batches if b.num_rows]
        if not batches:
            continue
        table = pa.Table.from_batches(batches)
        table = table.take(pc.sort_indices(table.column(KEY_GROUP_COLUMN)))
        groups = table.column(KEY_GROUP_COLUMN).to_numpy()
        starts = np.flatnonzero(np.diff(groups, prepend=groups[0] - 1))
        ends = np.append(starts[1:], len(groups))
        for start, end in zip(starts, ends):
            sink = pa.BufferOutputStream()
            piece = table.slice(int(start), int(end - start))
            with pa.ipc.new_stream(sink, piece.schema) as writer:
                writer.write_table(piece)
            result.setdefault(int(groups[start]), {})[name] = sink.getvalue().to_pybytes()
    return result


def read_parts(pieces: Dict[str, List[bytes]]) -> Dict[str, List[pa.RecordBatch]]:
    """The inverse of split_by_key_group for the key groups one subtask restores."""
    result: Dict[str, List[pa.RecordBatch]] = {}
    for name, streams in pieces.items():
        batches = result.setdefault(name, [])
        for stream in streams:
            batches.extend(pa.ipc.open_stream(stream).read_all().to_batches())
    return result


def check_snapshot_capable(name: str, spec: Dict[str, Any]) -> None:
    """Raises UnsupportedFeatureError if the Table/SQL operator 'name' (its spec) cannot take
    part in checkpoints; a job with checkpointing must not start with it."""
    kind = spec.get("kind", "")
    if kind == "table_source":
        reader = spec.get("reader")
        if reader is None or not hasattr(reader, "snapshot_state"):
            _refuse(name, "its connector cannot store its read position in a checkpoint yet")
        return
    if not kind.startswith("table_"):
        return  # the DataStream operators all snapshot
    if kind == "table_sink":
        writer = spec.get("writer")
        if writer is None or not hasattr(writer, "snapshot_state"):
            _refuse(name, "its connector cannot take part in checkpoints yet")
        return
    if kind == "table_python_calc":
        if not (spec.get("stateless") or "keyed_state" in spec):
            _refuse(name, "this Python step keeps state that checkpoints do not cover yet")
        return
    if kind not in _NATIVE_KINDS:
        _refuse(name, f"its state ({kind}) is not snapshotted yet")


def _refuse(name: str, reason: str) -> None:
    raise UnsupportedFeatureError(
        f"checkpointing the Table/SQL operator '{name}' is not supported: {reason}; run the job "
        f"without checkpointing (its state would be lost on recovery), or see "
        f"docs/fault-tolerance.md for the operators and connectors that are checkpointed")
