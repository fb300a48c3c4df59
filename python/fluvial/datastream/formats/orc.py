"""ORC files (PyFlink's pyflink.datastream.formats.orc), read and written with Arrow:
OrcBulkWriters writes Rows through FileSink.for_bulk_format, and the Fluvial extra
OrcColumnarRowInputFormat (Flink Java's name; PyFlink has no ORC reader) reads them
through FileSource.for_bulk_file_format."""

from typing import Optional

import pyarrow as pa
import pyarrow.orc as orc

from fluvial.common.configuration import Configuration
from fluvial.common.serialization import BulkWriter, BulkWriterFactory
from fluvial.common.typeinfo import RowTypeInfo
from fluvial.datastream.connectors.file_system import BulkFormat
from fluvial.datastream.formats._arrow_rows import RowWriter
from fluvial.datastream.formats._bad_records import BadRecords
from fluvial.datastream.formats._columnar_reader import ColumnarFileReader, arrow_reason, file_columns
from fluvial.datastream.formats._row_types import arrow_schema, check_row_type
from fluvial.errors import ConnectorError, UnsupportedFeatureError

__all__ = ["OrcBulkWriters", "OrcColumnarRowInputFormat"]


def _check_orc_types(row_type: RowTypeInfo) -> None:
    for name, field in zip(row_type.get_field_names(), arrow_schema(row_type)):
        if pa.types.is_time(field.type):
            raise UnsupportedFeatureError(f"ORC has no time-of-day type: field '{name}' is "
                                          f"{row_type.get_field_types()[row_type.get_field_index(name)].to_type_string()}")


class OrcColumnarRowInputFormat(BulkFormat):
    """Fluvial extra: reads the columns of 'row_type' (a RowTypeInfo) from ORC files,
    stripe by stripe, 'batch_size' rows at a time; columns are matched by name and cast
    to the declared types. Bad values fail the job, or with with_ignore_parse_errors()
    are skipped and counted in numRecordsInErrors.

    Examples:
        >>> import os, tempfile
        >>> import pyarrow as pa
        >>> import pyarrow.orc as orc
        >>> from fluvial.common import Types, WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import FileSource
        >>> from fluvial.datastream.formats.orc import OrcColumnarRowInputFormat
        >>> path = os.path.join(tempfile.mkdtemp(), "clicks.orc")
        >>> table = pa.table({"user": ["alice", "bob"], "n": pa.array([1, 2], pa.int32())})
        >>> orc.write_table(table, path)
        >>> row_type = Types.ROW_NAMED(["user", "n"], [Types.STRING(), Types.INT()])
        >>> source = FileSource.for_bulk_file_format(OrcColumnarRowInputFormat(row_type), path).build()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> list(env.from_source(source, WatermarkStrategy.no_watermarks(), "clicks").execute_and_collect())
        [Row(user='alice', n=1), Row(user='bob', n=2)]
    """

    def __init__(self, row_type: RowTypeInfo, hadoop_config: Optional[Configuration] = None,
                 batch_size: int = 2048, is_case_sensitive: bool = True):
        self._row_type = check_row_type("row_type", row_type)
        _check_orc_types(self._row_type)
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self._batch_size = batch_size
        self._case_sensitive = is_case_sensitive
        self._ignore_parse_errors = False

    def with_ignore_parse_errors(self) -> "OrcColumnarRowInputFormat":
        self._ignore_parse_errors = True
        return self

    def _open_file(self, path, file, errors):
        try:
            orc_file = orc.ORCFile(file)
            available = orc_file.schema.names
        except (pa.ArrowException, OSError) as error:
            raise ConnectorError(f"FileSource: cannot read '{path}' as ORC: {arrow_reason(error)}") from None
        columns = file_columns(path, "ORC", self._row_type, available, self._case_sensitive)
        batch_size = self._batch_size

        def stripes():
            for stripe in range(orc_file.nstripes):
                batch = orc_file.read_stripe(stripe, columns=columns)
                for offset in range(0, batch.num_rows, batch_size):
                    yield batch.slice(offset, batch_size)

        def batches(first_row: int):
            return stripes(), 0  # ORC stripes are read to be skipped (no row counts in pyarrow)

        return ColumnarFileReader(path, "ORC", self._row_type, columns, batches,
                                  BadRecords(self._ignore_parse_errors, errors))


class _OrcWriter(BulkWriter):
    def __init__(self, file, row_writer: RowWriter, compression: str):
        self._rows = row_writer
        self._writer = orc.ORCWriter(file, compression=compression)

    def add_elements(self, elements) -> None:
        self._writer.write(pa.Table.from_batches([self._rows.batch(elements)]))

    def finish(self) -> None:
        self._writer.close()


class _OrcWriterFactory(BulkWriterFactory):
    def __init__(self, row_type: RowTypeInfo, compression: str):
        self._row_type = row_type
        self._compression = compression

    def _create_writer(self, file) -> BulkWriter:
        return _OrcWriter(file, RowWriter(self._row_type), self._compression)


class OrcBulkWriters:
    """Writes Rows of a row type as ORC part files.

    Examples:
        >>> import os, tempfile
        >>> import pyarrow.orc as orc
        >>> from fluvial.common import Row, Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import FileSink
        >>> from fluvial.datastream.formats.orc import OrcBulkWriters
        >>> row_type = Types.ROW_NAMED(["user", "n"], [Types.STRING(), Types.INT()])
        >>> out = tempfile.mkdtemp()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> rows = env.from_collection([Row(user="alice", n=1), Row(user="bob", n=2)], type_info=row_type)
        >>> sink = rows.sink_to(FileSink.for_bulk_format(out, OrcBulkWriters.for_row_type(row_type)).build())
        >>> result = env.execute()
        >>> [part] = [os.path.join(d, f) for d, _, files in os.walk(out) for f in files]
        >>> orc.read_table(part).to_pylist()
        [{'user': 'alice', 'n': 1}, {'user': 'bob', 'n': 2}]
    """

    @staticmethod
    def for_row_type(row_type: RowTypeInfo, writer_properties: Optional[Configuration] = None,
                     hadoop_config: Optional[Configuration] = None) -> BulkWriterFactory:
        """'row_type' is a RowTypeInfo (Types.ROW_NAMED) standing for PyFlink's RowType; of
        'writer_properties' only 'orc.compress' is read (ZLIB by default, or NONE, SNAPPY,
        LZ4, ZSTD); 'hadoop_config' is accepted and not used."""
        row_type = check_row_type("row_type", row_type)
        _check_orc_types(row_type)
        compression = "ZLIB"
        if writer_properties is not None:
            compression = writer_properties.get_string("orc.compress", compression)
        compression = "UNCOMPRESSED" if compression.upper() == "NONE" else compression.upper()
        return _OrcWriterFactory(row_type, compression)
