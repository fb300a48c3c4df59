"""TableResult: what executing a query or statement returns (collect, print, wait)."""

import queue
from typing import Any, Iterator, List, Optional

import pyarrow as pa

from fluvial.common.types import Row, RowKind

_KINDS = [RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE]


class ResultKind:
    """What a TableResult holds: rows (SUCCESS_WITH_CONTENT) or just an acknowledgement (SUCCESS).

    Examples:
        >>> from fluvial.table import EnvironmentSettings, TableEnvironment
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        >>> t_env.execute_sql("CREATE TABLE t (x INT) WITH ('connector' = 'blackhole')").get_result_kind()
        'SUCCESS'
    """

    SUCCESS = "SUCCESS"
    SUCCESS_WITH_CONTENT = "SUCCESS_WITH_CONTENT"


def rows_of(batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> List[Row]:
    """Rows (with their kinds) of a record batch, values as Python objects."""
    names = batch.schema.names
    columns = [_python_values(c) for c in batch.columns]
    rows = []
    for index, values in enumerate(zip(*columns)):
        row = Row(*values)
        row._names = list(names)
        row._from_dict = True
        if row_kinds is not None:
            row.set_row_kind(_KINDS[row_kinds[index]])
        rows.append(row)
    return rows


def _nested(arrow_type: pa.DataType) -> bool:
    return pa.types.is_map(arrow_type) or pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) \
        or pa.types.is_struct(arrow_type)


def _python_values(column: pa.Array) -> List[Any]:
    """A column's values as PyFlink hands them out: a MAP as a dict, a ROW as a Row, an ARRAY as a list."""
    values = column.to_pylist()
    if not _nested(column.type):
        return values
    return [_python_value(v, column.type) for v in values]


def _python_value(value: Any, arrow_type: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_map(arrow_type):
        return {_python_value(k, arrow_type.key_type): _python_value(v, arrow_type.item_type) for k, v in value}
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return [_python_value(v, arrow_type.value_type) for v in value]
    if pa.types.is_struct(arrow_type):
        row = Row(*[_python_value(value[f.name], f.type) for f in arrow_type])
        row._names = [f.name for f in arrow_type]
        row._from_dict = True
        return row
    return value


def _text(value: Any, nested: bool = False) -> str:
    """Flink's tableau text of a value: ARRAY as [1, 2], MAP as {a=1}, ROW as (1, a), NULL inside them."""
    from fluvial.common._display import display

    if value is None:
        return "NULL" if nested else "<NULL>"
    if isinstance(value, Row):
        return "(" + ", ".join(_text(v, True) for v in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v, True) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_text(k, True)}={_text(v, True)}" for k, v in value.items()) + "}"
    if hasattr(value, "isoformat") and hasattr(value, "hour"):
        text = value.isoformat(sep=" ")
        return text[:-3] if len(text) > 23 and text[19] == "." else text
    return display(value)


class TableResult:
    """The result of execute()/execute_sql(): rows to collect or print, or a running job.

    Examples:
        >>> from fluvial.table import EnvironmentSettings, TableEnvironment
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        >>> t_env.from_elements([(1, "a"), (2, "b")], ["id", "name"]).execute().print()
        +----------------------+--------------------------------+
        |                   id |                           name |
        +----------------------+--------------------------------+
        |                    1 |                              a |
        |                    2 |                              b |
        +----------------------+--------------------------------+
        2 rows in set
    """

    def __init__(self, schema: Optional[pa.Schema], job: Any = None, buffer: Optional["queue.Queue"] = None,
                 rows: Optional[List[Row]] = None, streaming: bool = True, message: str = "OK"):
        self._schema = schema
        self._job = job
        self._buffer = buffer
        self._rows = rows
        self._streaming = streaming
        self._message = message

    def get_job_client(self):
        from fluvial.datastream._job import JobClient

        return JobClient(self._job) if self._job is not None else None

    def wait(self, timeout_ms: Optional[int] = None) -> None:
        if self._job is not None:
            if timeout_ms is None:
                self._job.result()
            else:
                self._job.wait(timeout_ms / 1000.0)

    def get_result_kind(self) -> str:
        return ResultKind.SUCCESS_WITH_CONTENT if self._schema is not None else ResultKind.SUCCESS

    def get_table_schema(self):
        from fluvial.table.schema import TableSchema

        return TableSchema.from_arrow(self._schema)

    def collect(self) -> Iterator[Row]:
        """The result rows, with their row kinds, as they come."""
        if self._rows is not None:
            return iter(self._rows)
        if self._job is None:
            return iter([])
        from fluvial.datastream._job import CloseableIterator

        return CloseableIterator(self._job, self._buffer)

    def print(self) -> None:
        """Prints the rows as Flink's tableau: an op column in streaming mode, columns as wide as
        their type needs (a query's result) or their content (a statement's), then 'N rows in set'."""
        rows = list(self.collect())
        if self._schema is None:
            print(self._message)
            return
        if not rows:
            print("Empty set")
            return
        names = list(self._schema.names)
        header = (["op"] if self._streaming else []) + names
        if self._rows is None:  # a query: Flink sizes the columns by their types
            columns = [_column_texts([row[i] for row in rows], field.type) for i, field in enumerate(self._schema)]
            body = [list(texts) for texts in zip(*columns)]
            widths = [max(len(name), _type_width(field.type), len(_NULL)) for name, field in zip(names, self._schema)]
        else:
            body = [[_text(v) for v in row] for row in rows]
            widths = [min(max([len(name)] + [_display_width(r[i]) for r in body]), _MAX_WIDTH)
                      for i, name in enumerate(names)]
        if self._streaming:
            body = [[row.get_row_kind().short_string()] + texts for row, texts in zip(rows, body)]
            widths = [2] + widths
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        print(line)
        print(_tableau_row(header, widths))
        print(line)
        for texts in body:
            print(_tableau_row(texts, widths))
        print(line)
        print(f"{len(rows)} row{'s' if len(rows) > 1 else ''} in set")


_NULL = "<NULL>"
_MAX_WIDTH = 30  # table.display.max-column-width


def _type_width(arrow_type: pa.DataType) -> int:
    """The width Flink gives a column of this type in a query's tableau."""
    if pa.types.is_int8(arrow_type):
        return 4
    if pa.types.is_int16(arrow_type):
        return 6
    if pa.types.is_int32(arrow_type):
        return 11
    if pa.types.is_int64(arrow_type):
        return 20
    if pa.types.is_decimal(arrow_type):
        return arrow_type.precision + 2
    if pa.types.is_boolean(arrow_type):
        return 5
    if pa.types.is_date(arrow_type):
        return 10
    if pa.types.is_time(arrow_type):
        precision = {"s": 0, "ms": 3, "us": 6, "ns": 9}[arrow_type.unit]
        return 8 if precision == 0 else precision + 9
    if pa.types.is_timestamp(arrow_type):
        return {"s": 19, "ms": 23, "us": 26, "ns": 29}[arrow_type.unit]
    return _MAX_WIDTH


def _column_texts(values: List[Any], arrow_type: pa.DataType) -> List[str]:
    from fluvial.table._java_text import float_text

    if pa.types.is_float32(arrow_type):
        return [_NULL if v is None else float_text(v) for v in values]
    return [_text(v) for v in values]


def _is_full_width(character: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(character) in ("F", "W")


def _display_width(text: str) -> int:
    return len(text) + sum(1 for c in text if _is_full_width(c))


def _tableau_row(texts: List[str], widths: List[int]) -> str:
    cells = []
    for text, width in zip(texts, widths):
        shown = _display_width(text)
        if shown <= width:
            cells.append(" " * (width - shown) + text)
            continue
        target, taken, used = width - 3, 0, 0  # truncated, with '...'
        for character in text:
            used += 2 if _is_full_width(character) else 1
            if used > target:
                break
            taken += 1
        kept = text[:taken]
        cells.append(" " * max(0, target - _display_width(kept)) + kept + "...")
    return "| " + " | ".join(cells) + " |"

__all__ = ["ResultKind", "TableResult"]
