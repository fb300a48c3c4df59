"""Reading one CSV file: Arrow splits the fields of a chunk of lines (as strings), then
each column is cast to its declared type; lines that do not fit are rejected by line."""

import io
from typing import Any, BinaryIO, List, Optional

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from fluvial.common.typeinfo import BasicType, BasicTypeInfo, ListTypeInfo
from fluvial.datastream.connectors.file_system import FileRecordReader
from fluvial.datastream.formats._arrow_rows import RowReader
from fluvial.datastream.formats._bad_records import BadRecords, describe_value
from fluvial.datastream.formats._line_chunks import LineChunks
from fluvial.errors import ConnectorError


class CsvFileReader(FileRecordReader):
    def __init__(self, path: str, file: BinaryIO, schema, bad_records: BadRecords):
        self._path = path
        self._schema = schema
        self._bad = bad_records
        self._lines = LineChunks(file)
        self._rows = RowReader(schema.get_type_info())
        self._column_names = [f"c{i}" for i in range(len(schema.columns))]
        self._header_pending = schema.use_header
        self._skip_pending = schema.skip_first_data_row

    def position(self) -> Any:
        return self._lines.position(), self._header_pending, self._skip_pending

    def seek(self, position: Any) -> None:
        lines, self._header_pending, self._skip_pending = position
        self._lines.seek(lines)

    def read_batch(self) -> Optional[List[Any]]:
        chunk = self._lines.next_lines()
        if chunk is None:
            return None
        lines, numbers = chunk
        if self._header_pending and lines:
            self._header_pending = False
            self._check_header(lines[0], numbers[0])
            lines, numbers = lines[1:], numbers[1:]
        if self._skip_pending and lines:
            self._skip_pending = False
            lines, numbers = lines[1:], numbers[1:]
        if not lines:
            return []
        rejected: list = []  # (line number, message): reported in line order
        table, numbers = self._parse(lines, numbers, rejected)
        raw = [table.column(i).combine_chunks() for i in range(table.num_columns)]
        columns = [self._prepare(column, spec) for column, spec in zip(raw, self._schema.columns)]
        cast, bad = self._rows.cast(columns)
        for row, (field, _) in bad.items():
            rejected.append((numbers[row], f"FileSource: line {numbers[row]} of '{self._path}', "
                                           f"{self._rows.describe_bad(field, raw[field][row].as_py())}"))
        for _, message in sorted(rejected):
            self._bad.reject(message)
        return self._rows.rows(cast, skip=bad)

    def _options(self, invalid_rows: Optional[list] = None):
        schema = self._schema
        parse = pa_csv.ParseOptions(
            delimiter=schema.column_separator,
            quote_char=schema.quote_char if schema.quote_char is not None else False,
            escape_char=schema.escape_char if schema.escape_char is not None else False,
            newlines_in_values=False, ignore_empty_lines=False,
            invalid_row_handler=None if invalid_rows is None else self._invalid_row_handler(invalid_rows))
        read = pa_csv.ReadOptions(column_names=self._column_names, use_threads=False,
                                  block_size=1 << 30)
        convert = pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in self._column_names},
            strings_can_be_null=False, quoted_strings_can_be_null=False, null_values=[])
        return read, parse, convert

    @staticmethod
    def _invalid_row_handler(invalid_rows: list):
        def handle(row) -> str:
            invalid_rows.append(row)
            return "skip"
        return handle

    def _parse(self, lines: List[bytes], numbers: List[int], rejected: list):
        """The lines as a table of string columns, and the line number of each of its rows;
        lines that are not CSV records of the schema's width go to 'rejected'."""
        invalid: list = []
        read, parse, convert = self._options(invalid)
        try:
            table = pa_csv.read_csv(io.BytesIO(b"\n".join(lines)), read, parse, convert)
        except pa.ArrowInvalid:
            # Something Arrow rejects for the whole chunk (e.g. bytes that are not UTF-8):
            # find the lines it is about, one by one.
            return self._parse_line_by_line(lines, numbers, rejected)
        if not invalid:
            return table, numbers
        invalid_lines = set()
        for row in invalid:
            number = numbers[row.number - 1]
            invalid_lines.add(row.number - 1)
            rejected.append((number, f"FileSource: line {number} of '{self._path}': expected "
                                     f"{row.expected_columns} fields, got {row.actual_columns}"))
        return table, [n for i, n in enumerate(numbers) if i not in invalid_lines]

    def _parse_line_by_line(self, lines: List[bytes], numbers: List[int], rejected: list):
        good_lines, good_numbers = [], []
        for line, number in zip(lines, numbers):
            invalid: list = []
            read, parse, convert = self._options(invalid)
            try:
                pa_csv.read_csv(io.BytesIO(line), read, parse, convert)
            except pa.ArrowInvalid as error:
                rejected.append((number, f"FileSource: line {number} of '{self._path}' cannot be read "
                                         f"as CSV: {_arrow_reason(error)}"))
                continue
            if invalid:
                rejected.append((number, f"FileSource: line {number} of '{self._path}': expected "
                                         f"{invalid[0].expected_columns} fields, got "
                                         f"{invalid[0].actual_columns}"))
                continue
            good_lines.append(line)
            good_numbers.append(number)
        read, parse, convert = self._options()
        table = pa_csv.read_csv(io.BytesIO(b"\n".join(good_lines)), read, parse, convert) \
            if good_lines else pa.table({n: pa.array([], pa.string()) for n in self._column_names})
        return table, good_numbers

    def _prepare(self, column: pa.Array, spec) -> pa.Array:
        """A string column made ready for the cast to its type: nulls, array elements."""
        null_value = self._schema.null_value
        is_string = isinstance(spec.type_info, BasicTypeInfo) and spec.type_info._basic_type is BasicType.STRING
        if is_string:
            if null_value is None:
                return column
            return pc.if_else(pc.equal(column, null_value), pa.scalar(None, pa.string()), column)
        is_null = pc.equal(column, "")
        if null_value is not None:
            is_null = pc.or_(is_null, pc.equal(column, null_value))
        column = pc.if_else(is_null, pa.scalar(None, pa.string()), column)
        if isinstance(spec.type_info, ListTypeInfo):
            return pc.split_pattern(column, spec.array_separator)
        if isinstance(spec.type_info, BasicTypeInfo) and spec.type_info._basic_type is BasicType.BOOLEAN:
            return pc.utf8_lower(column)
        return column

    def _check_header(self, line: bytes, number: int) -> None:
        if not self._schema.strict_headers:
            return
        read, parse, convert = self._options()
        try:
            names = pa_csv.read_csv(io.BytesIO(line), read, parse, convert).to_pylist()[0]
        except (pa.ArrowInvalid, IndexError):
            names = None
        expected = [column.name for column in self._schema.columns]
        found = list(names.values()) if names else None
        if found != expected:
            header = describe_value(line.decode(errors="replace"))
            raise ConnectorError(f"FileSource: the header (line {number}) of '{self._path}' does not "
                                 f"match the schema: expected {expected}, got {header}")


def _arrow_reason(error: Exception) -> str:
    # Arrow's messages start with where it was ("CSV conversion error to string: ...").
    return str(error).strip().splitlines()[0]
