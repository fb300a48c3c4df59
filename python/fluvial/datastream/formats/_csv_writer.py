"""Writing one CSV part file: each value becomes its text here (so that the reader
parses it back to the same value), Arrow's CSV writer quotes and writes the lines."""

import decimal
from typing import Any, Callable, List

import pyarrow as pa
import pyarrow.csv as pa_csv

from fluvial.common.serialization import BulkWriter
from fluvial.common.typeinfo import ListTypeInfo
from fluvial.datastream.formats._bad_records import describe_value
from fluvial.datastream.formats._row_types import field_values
from fluvial.errors import ConnectorError


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def _formatter(column) -> Callable[[Any], Any]:
    if isinstance(column.type_info, ListTypeInfo):
        separator = column.array_separator
        return lambda value: separator.join("" if e is None else _text(e) for e in value)
    return _text


class CsvBulkWriter(BulkWriter):
    def __init__(self, file, schema):
        self._file = file
        self._schema = schema
        self._names = [column.name for column in schema.columns]
        self._validators = [column.type_info.make_validator() for column in schema.columns]
        self._formatters = [_formatter(column) for column in schema.columns]
        self._type_names = [column.type_info.to_type_string() for column in schema.columns]
        self._arrow_schema = pa.schema([pa.field(name, pa.string()) for name in self._names])
        self._writer = None

    def add_elements(self, elements: List[Any]) -> None:
        columns: List[List[Any]] = [[] for _ in self._names]
        for record in elements:
            try:
                values = field_values(record, self._names)
            except ValueError as error:
                raise ConnectorError(f"FileSink: a record does not fit the CSV schema: {error}") from None
            for index, value in enumerate(values):
                if value is not None:
                    try:
                        self._validators[index](value)
                    except TypeError:
                        raise ConnectorError(
                            f"FileSink: field '{self._names[index]}' of record {describe_value(record)}: "
                            f"expected {self._type_names[index]}, got {describe_value(value)}") from None
                    value = self._formatters[index](value)
                columns[index].append(value)
        batch = pa.RecordBatch.from_arrays([pa.array(c, pa.string()) for c in columns],
                                           schema=self._arrow_schema)
        self._open().write_batch(batch)

    def _open(self) -> pa_csv.CSVWriter:
        if self._writer is None:
            schema = self._schema
            null_value = schema.null_value if schema.null_value is not None else ""
            options = pa_csv.WriteOptions(
                include_header=schema.use_header, delimiter=schema.column_separator,
                quoting_style="none" if schema.quote_char is None else "needed",
                null_string=null_value, eol=schema.line_separator)
            self._writer = pa_csv.CSVWriter(self._file, self._arrow_schema, write_options=options)
        return self._writer

    def finish(self) -> None:
        if self._writer is None and self._schema.use_header:
            self._open()  # an empty file still gets its header
        if self._writer is not None:
            self._writer.close()
