"""Arrow columns to Rows and back, following a declared RowTypeInfo.

Reading casts each column to its declared Arrow type in one vectorised call; only when
that fails does it look at single values, to name the rows and fields that do not fit.
"""

from typing import Any, Dict, List, Sequence, Tuple

import pyarrow as pa
import pyarrow.compute as pc

from fluvial.common.typeinfo import RowTypeInfo
from fluvial.datastream.formats._bad_records import describe_value
from fluvial.datastream.formats._row_types import (
    arrow_schema,
    field_values,
    from_arrow,
    make_row,
    to_arrow,
)
from fluvial.errors import ConnectorError


class UnreadableColumn(Exception):
    """A column whose type cannot be cast to the declared one at all (not a per-row problem)."""

    def __init__(self, field_index: int, arrow_type: pa.DataType):
        super().__init__(field_index, arrow_type)
        self.field_index = field_index
        self.arrow_type = arrow_type


class RowReader:
    """Turns Arrow columns into named Rows of one declared row type."""

    def __init__(self, row_type: RowTypeInfo):
        self.row_type = row_type
        self.names = row_type.get_field_names()
        self.type_names = [field.to_type_string() for field in row_type.get_field_types()]
        self.schema = arrow_schema(row_type)
        self._converters = [from_arrow(field) for field in row_type.get_field_types()]

    def cast(self, columns: Sequence[pa.Array]) -> Tuple[List[pa.Array], Dict[int, Tuple[int, Any]]]:
        """Casts the columns (in declared order) to the declared types. Returns the cast
        columns and, for each row holding a value that does not fit, (field index, value)
        of its first such field; those rows hold nulls in the cast columns."""
        cast_columns: List[pa.Array] = []
        bad: Dict[int, Tuple[int, Any]] = {}
        for index, (column, field) in enumerate(zip(columns, self.schema)):
            if column.type == field.type:
                cast_columns.append(column)
                continue
            try:
                cast_columns.append(pc.cast(column, field.type, safe=True))
                continue
            except (pa.ArrowNotImplementedError, pa.ArrowTypeError):
                raise UnreadableColumn(index, column.type) from None
            except pa.ArrowInvalid:
                pass
            bad_here = []
            for row in range(len(column)):
                try:
                    pc.cast(column.slice(row, 1), field.type, safe=True)
                except pa.ArrowInvalid:
                    bad_here.append(row)
                    if row not in bad:
                        bad[row] = (index, column[row].as_py())
            mask = [False] * len(column)
            for row in bad_here:
                mask[row] = True
            cast_columns.append(pc.cast(pc.if_else(pa.array(mask), pa.scalar(None, column.type), column),
                                        field.type, safe=True))
        return cast_columns, bad

    def rows(self, columns: Sequence[pa.Array], skip: Any = ()) -> List[Any]:
        """Named Rows from cast columns, leaving out the row indexes in 'skip'."""
        values = []
        for column, convert in zip(columns, self._converters):
            python_values = column.to_pylist()
            if convert is not None:
                python_values = [None if v is None else convert(v) for v in python_values]
            values.append(python_values)
        names = self.names
        if not skip:
            return [make_row(names, list(row)) for row in zip(*values)]
        return [make_row(names, list(row)) for index, row in enumerate(zip(*values)) if index not in skip]

    def describe_bad(self, field_index: int, value: Any) -> str:
        return (f"field '{self.names[field_index]}': expected {self.type_names[field_index]}, "
                f"got {describe_value(value)}")


class RowWriter:
    """Turns records (Rows, tuples, lists or dicts) into Arrow record batches of one row type."""

    def __init__(self, row_type: RowTypeInfo, sink_name: str = "FileSink"):
        self.row_type = row_type
        self.names = row_type.get_field_names()
        self.schema = arrow_schema(row_type)
        self._sink_name = sink_name
        self._type_names = [field.to_type_string() for field in row_type.get_field_types()]
        self._converters = [to_arrow(field) for field in row_type.get_field_types()]

    def batch(self, records: Sequence[Any]) -> pa.RecordBatch:
        names = self.names
        columns: List[List[Any]] = [[] for _ in names]
        for record in records:
            try:
                values = field_values(record, names)
            except ValueError as error:
                raise ConnectorError(f"{self._sink_name}: a record does not fit "
                                     f"{self.row_type.to_type_string()}: {error}") from None
            for column, value in zip(columns, values):
                column.append(value)
        arrays = []
        for index, (column, field, convert) in enumerate(zip(columns, self.schema, self._converters)):
            if convert is not None:
                column = [None if v is None else convert(v) for v in column]
            try:
                arrays.append(pa.array(column, type=field.type))
            except (pa.ArrowException, TypeError, ValueError, OverflowError):
                self._raise_bad_value(index, column, records)
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _raise_bad_value(self, field_index: int, column: List[Any], records: Sequence[Any]) -> None:
        field = self.schema.field(field_index)
        for position, value in enumerate(column):
            try:
                pa.array([value], type=field.type)
            except (pa.ArrowException, TypeError, ValueError, OverflowError):
                raise ConnectorError(
                    f"{self._sink_name}: field '{self.names[field_index]}' of record "
                    f"{describe_value(records[position])}: expected {self._type_names[field_index]}, "
                    f"got {describe_value(value)}") from None
        raise ConnectorError(f"{self._sink_name}: field '{self.names[field_index]}' does not fit "
                             f"{self._type_names[field_index]}")
