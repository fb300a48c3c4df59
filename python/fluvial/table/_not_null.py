"""The NOT NULL check at every table sink ('table.exec.sink.not-null-enforcer'), as Flink does
it: a null in a NOT NULL column fails the job (ERROR, the default) or drops its row (DROP).

Sources do not check: a JSON line without a NOT NULL field, an outer join or a UDF returning
None can all produce the null; the sink is where the declared schema is promised."""

from typing import Any, List, Optional, Tuple

import pyarrow as pa
import pyarrow.compute as pc

NOT_NULL_ENFORCER = "table.exec.sink.not-null-enforcer"
ENFORCER_VALUES = ("ERROR", "DROP")


def enforcer_mode(value: Optional[str]) -> str:
    """The option's value, checked: 'ERROR' (the default) or 'DROP'."""
    mode = (value or "ERROR").strip().upper()
    if mode not in ENFORCER_VALUES:
        from fluvial.table.expressions import PlanningError

        raise PlanningError(f"'{NOT_NULL_ENFORCER}' must be 'ERROR' or 'DROP', got {value!r}")
    return mode


class NotNullEnforcer:
    """Checks the NOT NULL columns of each batch written to one sink."""

    def __init__(self, schema: pa.Schema, not_null: List[str], mode: str, sink: str):
        self._columns: List[int] = [i for i, f in enumerate(schema) if not f.nullable or f.name in not_null]
        self._mode = mode
        self._sink = sink

    @property
    def active(self) -> bool:
        return bool(self._columns)

    def apply(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> Tuple[pa.RecordBatch, Optional[bytes]]:
        """The batch with its NOT NULL columns checked: raises (ERROR) or without the rows
        holding a null there (DROP)."""
        nullable = [i for i in self._columns if batch.column(i).null_count]
        if not nullable:
            return batch, row_kinds
        if self._mode == "ERROR":
            from fluvial.errors import NotNullViolationError

            index = nullable[0]
            name = batch.schema.field(index).name
            row = batch.slice(batch.column(index).is_null().to_pylist().index(True), 1).to_pylist()[0]
            raise NotNullViolationError(
                f"Column '{name}' of {self._sink} is NOT NULL, however, a null value is being written into "
                f"it (row {_describe(row)}). You can set job configuration '{NOT_NULL_ENFORCER}'='DROP' to "
                f"suppress this exception and drop such records silently.")
        keep = pc.is_valid(batch.column(nullable[0]))
        for index in nullable[1:]:
            keep = pc.and_(keep, pc.is_valid(batch.column(index)))
        if row_kinds is not None:
            row_kinds = bytes(kind for kind, kept in zip(row_kinds, keep.to_pylist()) if kept)
        return batch.filter(keep), row_kinds


def _describe(row: Any) -> str:
    text = repr(row)
    return text if len(text) <= 200 else text[:197] + "..."
