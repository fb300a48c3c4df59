"""Reading one file of JSON lines. Arrow's JSON reader reads a chunk of lines at once
when the row type holds only types it reads exactly as Python does (strings, booleans,
numbers, lists of them); otherwise, or when it rejects the chunk, or when missing fields
must be told from nulls, each line is decoded on its own, which names the bad line."""

import io
from typing import Any, BinaryIO, List, Optional

import pyarrow as pa
import pyarrow.json as pa_json

from fluvial.common.typeinfo import BasicType, BasicTypeInfo, ListTypeInfo, RowTypeInfo
from fluvial.datastream.connectors.file_system import FileRecordReader
from fluvial.datastream.formats._arrow_rows import RowReader
from fluvial.datastream.formats._bad_records import BadRecords
from fluvial.datastream.formats._line_chunks import LineChunks

_ARROW_EXACT = (BasicType.STRING, BasicType.BOOLEAN, BasicType.BYTE, BasicType.SHORT, BasicType.INT,
                BasicType.LONG, BasicType.FLOAT, BasicType.DOUBLE)


def _arrow_reads_exactly(type_info) -> bool:
    if type(type_info) is BasicTypeInfo:
        return type_info._basic_type in _ARROW_EXACT
    if isinstance(type_info, ListTypeInfo):
        return _arrow_reads_exactly(type_info.get_element_type())
    return False


class JsonLinesFileReader(FileRecordReader):
    def __init__(self, path: str, file: BinaryIO, schema, bad_records: BadRecords):
        self._path = path
        self._schema = schema
        self._bad = bad_records
        self._lines = LineChunks(file)
        row_type: RowTypeInfo = schema.get_produced_type()
        self._use_arrow = not schema._fail_on_missing_field and all(
            _arrow_reads_exactly(field) for field in row_type.get_field_types())
        if self._use_arrow:
            self._rows = RowReader(row_type)
            self._parse_options = pa_json.ParseOptions(explicit_schema=self._rows.schema,
                                                       unexpected_field_behavior="ignore")
            self._read_options = pa_json.ReadOptions(use_threads=False, block_size=1 << 30)

    def position(self) -> Any:
        return self._lines.position()

    def seek(self, position: Any) -> None:
        self._lines.seek(position)

    def read_batch(self) -> Optional[List[Any]]:
        chunk = self._lines.next_lines()
        if chunk is None:
            return None
        lines, numbers = chunk
        if self._use_arrow:
            data = b"\n".join(lines)
            try:
                if not data.isascii():
                    data.decode("utf-8")  # Arrow would let bytes that are not UTF-8 into a string
                table = pa_json.read_json(io.BytesIO(data), self._read_options, self._parse_options)
            except (pa.ArrowInvalid, UnicodeDecodeError):
                pass  # some line does not fit: find it line by line
            else:
                if table.num_rows == len(lines):
                    return self._rows.rows([table.column(i).combine_chunks()
                                            for i in range(table.num_columns)])
        records = []
        read = self._schema._read
        for line, number in zip(lines, numbers):
            try:
                records.append(read(line))
            except ValueError as error:
                reason = str(error)
                separator = ", " if reason.startswith("field") else ": "
                self._bad.reject(f"FileSource: line {number} of '{self._path}'{separator}{reason}")
        return records
