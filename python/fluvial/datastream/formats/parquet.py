"""Parquet files (PyFlink's pyflink.datastream.formats.parquet), read and written with
Arrow: ParquetColumnarRowInputFormat reads Rows through FileSource.for_bulk_file_format,
ParquetBulkWriters writes them through FileSink.for_bulk_format. The Avro-flavoured
readers and writers take an AvroSchema and records as dicts."""

from typing import Optional

import pyarrow as pa
import pyarrow.parquet as pq

from fluvial.common.configuration import Configuration
from fluvial.common.serialization import BulkWriter, BulkWriterFactory
from fluvial.common.typeinfo import RowTypeInfo
from fluvial.datastream.connectors.file_system import BulkFormat
from fluvial.datastream.formats._arrow_rows import RowWriter
from fluvial.datastream.formats._bad_records import BadRecords
from fluvial.datastream.formats._columnar_reader import ColumnarFileReader, arrow_reason, file_columns
from fluvial.datastream.formats._row_types import arrow_schema, check_row_type
from fluvial.errors import ConnectorError

__all__ = ["ParquetBulkWriters", "ParquetColumnarRowInputFormat"]


class ParquetColumnarRowInputFormat(BulkFormat):
    """Reads the columns of 'row_type' (a RowTypeInfo from Types.ROW_NAMED, standing for
    PyFlink's RowType) from Parquet files, 'batch_size' rows at a time. Columns are
    matched by name and cast to the declared types; a value that does not fit fails the
    job, naming the file, row, field and expected type, or with
    with_ignore_parse_errors() is skipped and counted in numRecordsInErrors.

    hadoop_config and is_utc_timestamp are accepted for PyFlink's sake and not used:
    timestamps are read as stored.

    Examples:
        >>> import os, tempfile
        >>> import pyarrow as pa
        >>> import pyarrow.parquet as pq
        >>> from fluvial.common import Types, WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import FileSource
        >>> from fluvial.datastream.formats.parquet import ParquetColumnarRowInputFormat
        >>> path = os.path.join(tempfile.mkdtemp(), "clicks.parquet")
        >>> table = pa.table({"user": ["alice", "bob"], "n": pa.array([1, 2], pa.int32())})
        >>> pq.write_table(table, path)
        >>> row_type = Types.ROW_NAMED(["user", "n"], [Types.STRING(), Types.INT()])
        >>> source = FileSource.for_bulk_file_format(ParquetColumnarRowInputFormat(row_type), path).build()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> list(env.from_source(source, WatermarkStrategy.no_watermarks(), "clicks").execute_and_collect())
        [Row(user='alice', n=1), Row(user='bob', n=2)]
    """

    def __init__(self, row_type: RowTypeInfo, hadoop_config: Optional[Configuration] = None,
                 batch_size: int = 2048, is_utc_timestamp: bool = False, is_case_sensitive: bool = True):
        self._row_type = check_row_type("row_type", row_type)
        arrow_schema(self._row_type)  # fails early on a type the formats cannot store
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self._batch_size = batch_size
        self._case_sensitive = is_case_sensitive
        self._ignore_parse_errors = False

    def with_ignore_parse_errors(self) -> "ParquetColumnarRowInputFormat":
        """Fluvial extra: skips rows whose values do not fit the row type, counting them in
        numRecordsInErrors (a file that is not Parquet still fails the job)."""
        self._ignore_parse_errors = True
        return self

    def _open_file(self, path, file, errors):
        try:
            parquet_file = pq.ParquetFile(file)
        except (pa.ArrowException, OSError) as error:
            raise ConnectorError(f"FileSource: cannot read '{path}' as Parquet: {arrow_reason(error)}") from None
        columns = file_columns(path, "Parquet", self._row_type, parquet_file.schema_arrow.names,
                               self._case_sensitive)

        def batches(first_row: int):
            # Whole row groups before 'first_row' are skipped from the footer's row counts.
            group, start = 0, 0
            metadata = parquet_file.metadata
            while group < metadata.num_row_groups and start + metadata.row_group(group).num_rows <= first_row:
                start += metadata.row_group(group).num_rows
                group += 1
            groups = list(range(group, metadata.num_row_groups))
            return parquet_file.iter_batches(batch_size=self._batch_size, row_groups=groups,
                                             columns=columns, use_threads=False), start

        return ColumnarFileReader(path, "Parquet", self._row_type, columns, batches,
                                  BadRecords(self._ignore_parse_errors, errors))


class _ParquetWriter(BulkWriter):
    def __init__(self, file, row_writer: RowWriter, compression: str):
        self._rows = row_writer
        self._writer = pq.ParquetWriter(file, row_writer.schema, compression=compression)

    def add_elements(self, elements) -> None:
        self._writer.write_batch(self._rows.batch(elements))

    def finish(self) -> None:
        self._writer.close()


class _ParquetWriterFactory(BulkWriterFactory):
    def __init__(self, row_type: RowTypeInfo, compression: str):
        self._row_type = row_type
        self._compression = compression

    def _create_writer(self, file) -> BulkWriter:
        return _ParquetWriter(file, RowWriter(self._row_type), self._compression)


class ParquetBulkWriters:
    """Writes Rows of a row type as Parquet part files.

    Examples:
        >>> import os, tempfile
        >>> import pyarrow.parquet as pq
        >>> from fluvial.common import Row, Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import FileSink
        >>> from fluvial.datastream.formats.parquet import ParquetBulkWriters
        >>> row_type = Types.ROW_NAMED(["user", "n"], [Types.STRING(), Types.INT()])
        >>> out = tempfile.mkdtemp()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> rows = env.from_collection([Row(user="alice", n=1), Row(user="bob", n=2)], type_info=row_type)
        >>> sink = rows.sink_to(FileSink.for_bulk_format(out, ParquetBulkWriters.for_row_type(row_type)).build())
        >>> result = env.execute()
        >>> [part] = [os.path.join(d, f) for d, _, files in os.walk(out) for f in files]
        >>> pq.read_table(part).to_pylist()
        [{'user': 'alice', 'n': 1}, {'user': 'bob', 'n': 2}]
    """

    @staticmethod
    def for_row_type(row_type: RowTypeInfo, hadoop_config: Optional[Configuration] = None,
                     utc_timestamp: bool = False) -> BulkWriterFactory:
        """'row_type' is a RowTypeInfo (Types.ROW_NAMED) standing for PyFlink's RowType; of
        'hadoop_config' only 'parquet.compression' is read (SNAPPY by default, or GZIP,
        ZSTD, LZ4, BROTLI, UNCOMPRESSED); 'utc_timestamp' is accepted and not used."""
        row_type = check_row_type("row_type", row_type)
        arrow_schema(row_type)
        compression = "SNAPPY"
        if hadoop_config is not None:
            compression = hadoop_config.get_string("parquet.compression", compression)
        compression = "NONE" if compression.upper() == "UNCOMPRESSED" else compression.upper()
        return _ParquetWriterFactory(row_type, compression)
