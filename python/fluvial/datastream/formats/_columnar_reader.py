"""Reading one columnar file (Parquet, ORC) as Rows of a declared row type: columns are
found by name, cast to the declared types batch by batch, and rows that do not fit are
rejected by their row number in the file."""

from typing import Any, Callable, Iterator, List, Optional, Tuple

import pyarrow as pa

from fluvial.common.typeinfo import RowTypeInfo
from fluvial.datastream.connectors.file_system import FileRecordReader
from fluvial.datastream.formats._arrow_rows import RowReader, UnreadableColumn
from fluvial.datastream.formats._bad_records import BadRecords
from fluvial.errors import ConnectorError


def arrow_reason(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def file_columns(path: str, format_name: str, row_type: RowTypeInfo, available: List[str],
                 case_sensitive: bool) -> List[str]:
    """The file's names of the declared fields, in declared order."""
    if case_sensitive:
        by_name = {name: name for name in available}
    else:
        by_name = {name.lower(): name for name in available}
    found = []
    for name in row_type.get_field_names():
        column = by_name.get(name if case_sensitive else name.lower())
        if column is None:
            raise ConnectorError(f"FileSource: the {format_name} file '{path}' has no column '{name}' "
                                 f"(its columns: {available})")
        found.append(column)
    return found


class ColumnarFileReader(FileRecordReader):
    """'batches(first_row)' returns the file's batches from a row at or before 'first_row'
    (a row group's or stripe's first row, found from the file's metadata without reading
    data) and that row's number: a checkpointed position is resumed without decoding the
    row groups before it."""

    def __init__(self, path: str, format_name: str, row_type: RowTypeInfo, columns: List[str],
                 batches: Callable[[int], Tuple[Iterator[pa.RecordBatch], int]], bad_records: BadRecords):
        self._path = path
        self._format_name = format_name
        self._columns = columns
        self._rows = RowReader(row_type)
        self._open_batches = batches
        self._batches, _ = batches(0)
        self._bad = bad_records
        self._rows_read = 0
        self._skip = 0  # rows still to skip after a seek

    def position(self) -> Any:
        return self._rows_read

    def seek(self, position: Any) -> None:
        self._batches, self._rows_read = self._open_batches(position)
        self._skip = position - self._rows_read

    def read_batch(self) -> Optional[List[Any]]:
        while True:
            try:
                batch = next(self._batches, None)
            except (pa.ArrowException, OSError) as error:
                raise ConnectorError(f"FileSource: cannot read '{self._path}' as {self._format_name} "
                                     f"after row {self._rows_read}: {arrow_reason(error)}") from None
            if batch is None:
                return None
            if not self._skip:
                break
            skipped = min(self._skip, batch.num_rows)
            self._skip -= skipped
            self._rows_read += skipped
            if skipped < batch.num_rows:
                batch = batch.slice(skipped)
                break
        first_row = self._rows_read + 1
        self._rows_read += batch.num_rows
        columns = [batch.column(name) for name in self._columns]
        try:
            cast, bad = self._rows.cast(columns)
        except UnreadableColumn as error:
            declared = self._rows.type_names[error.field_index]
            raise ConnectorError(f"FileSource: column '{self._columns[error.field_index]}' of "
                                 f"'{self._path}' holds {error.arrow_type}, which cannot be read as "
                                 f"{declared}") from None
        for row in sorted(bad):
            field, value = bad[row]
            self._bad.reject(f"FileSource: row {first_row + row} of '{self._path}', "
                             f"{self._rows.describe_bad(field, value)}")
        return self._rows.rows(cast, skip=bad)
