"""Files: FileSource reading text lines or the formats of fluvial.datastream.formats
(bounded, or watching directories), FileSink writing rows or bulk-encoded batches into
rolling part files (PyFlink's pyflink.datastream.connectors.file_system)."""

import copy
import os
import time
import uuid
import zlib
from datetime import datetime, timezone
from typing import Any, BinaryIO, Dict, List, Optional, Tuple, Union

from fluvial.common.serialization import BulkWriterFactory, Encoder
from fluvial.common.time import Duration
from fluvial.datastream.connectors.base import BATCH_SIZE, Sink, SinkWriter, Source, SourceReader
from fluvial.datastream.connectors.metrics import Counter
from fluvial.errors import ConnectorError

__all__ = [
    "BucketAssigner",
    "BulkFormat",
    "FileSink",
    "FileSource",
    "FileSourceBuilder",
    "OutputFileConfig",
    "RollingPolicy",
    "StreamFormat",
]


# ---------------------------------------------------------------- FileSource


class FileRecordReader:
    """Reads the records of one open file, a batch at a time."""

    def read_batch(self) -> Optional[List[Any]]:
        """Returns the next records (maybe none, when all were skipped as bad), None at the end."""
        raise NotImplementedError

    def position(self) -> Any:
        """Where the next read_batch() starts, for checkpoints (picklable), or None if this
        reader cannot seek: the FileSource then resumes by reading the file again and
        skipping the records it had emitted."""
        return None

    def seek(self, position: Any) -> None:
        """Continues from 'position' (what position() returned on a reader of the same file)."""
        raise NotImplementedError(f"{type(self).__name__} cannot seek")

    def close(self) -> None:
        pass


class StreamFormat:
    r"""How a file is turned into records, read as a stream of bytes (text lines by default;
    CsvReaderFormat and the other formats of fluvial.datastream.formats derive from it).

    Examples:
        >>> import os, tempfile
        >>> from fluvial.common import WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import FileSource, StreamFormat
        >>> path = os.path.join(tempfile.mkdtemp(), "latin1.txt")
        >>> _ = open(path, "w", encoding="latin-1").write("caf" + chr(233) + "\n")
        >>> source = FileSource.for_record_stream_format(StreamFormat.text_line_format("ISO-8859-1"), path).build()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> lines = env.from_source(source, WatermarkStrategy.no_watermarks(), "text")
        >>> [len(line) for line in lines.execute_and_collect()]
        [4]
    """

    def __init__(self, charset_name: str = "UTF-8"):
        self._charset_name = charset_name

    @staticmethod
    def text_line_format(charset_name: str = "UTF-8") -> "StreamFormat":
        """One record per line, as str without its line break."""
        "".encode(charset_name)  # fails early on an unknown charset
        return StreamFormat(charset_name)

    def _open_file(self, path: str, file: BinaryIO, errors: Counter) -> FileRecordReader:
        """Returns the reader of one file; 'errors' counts the records it skips as bad."""
        return _TextLineFileReader(path, file, self._charset_name)


class BulkFormat:
    """Reads and decodes whole batches of records at a time, e.g. from Parquet or ORC files;
    the formats of fluvial.datastream.formats derive from it.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream.connectors.file_system import BulkFormat
        >>> from fluvial.datastream.formats.parquet import ParquetColumnarRowInputFormat
        >>> row_type = Types.ROW_NAMED(["id"], [Types.INT()])
        >>> isinstance(ParquetColumnarRowInputFormat(row_type), BulkFormat)  # FileSource.for_bulk_file_format(...)
        True
    """

    def _open_file(self, path: str, file: BinaryIO, errors: Counter) -> FileRecordReader:
        raise NotImplementedError(f"{type(self).__name__} does not implement _open_file")


def _owner_of(path: str, parallelism: int) -> int:
    # A stable choice (not Python's salted hash), so every subtask agrees on
    # which of them reads a newly discovered file.
    return zlib.crc32(path.encode("utf-8")) % parallelism


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("_")


class _TextLineFileReader(FileRecordReader):
    def __init__(self, path: str, file: BinaryIO, charset: str):
        self._path = path
        self._file = file
        self._charset = charset
        self._line_number = 0

    def position(self) -> Any:
        return (self._file.tell(), self._line_number)

    def seek(self, position: Any) -> None:
        offset, self._line_number = position
        self._file.seek(offset)

    def read_batch(self) -> Optional[List[str]]:
        lines = self._file.readlines(BATCH_SIZE * 64)
        if not lines:
            return None
        records = []
        for line in lines:
            self._line_number += 1
            if line.endswith(b"\n"):
                line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
            try:
                records.append(line.decode(self._charset))
            except UnicodeDecodeError as error:
                raise ConnectorError(
                    f"FileSource: line {self._line_number} of '{self._path}' is not valid "
                    f"{self._charset} (byte offset {error.start} in the line): {error.reason}") from None
        return records


class _FileSourceReader(SourceReader):
    """Finds the files of one subtask (each file is read whole by one subtask, chosen by
    its path) and reads them one after the other through the format's file readers.

    Checkpoints (as Flink's FileSource: the split positions of the readers, the set of
    processed paths of the enumerator):

    - list state (``snapshot_state``): one split per file this subtask has begun and not
      finished — ``{"path", "position", "records"}``, the format reader's position (a byte
      offset and line number for text, CSV and JSON lines; rows read for Parquet and ORC)
      or, for a format that cannot seek (Avro), the records emitted, which are skipped on
      restore; and the file's size, so a file cut short since is an error, not a silent
      loss. A restored split is resumed by the subtask it is dealt to, whatever its path.
    - union state (``snapshot_union_state``): the paths this subtask has begun (finished or
      not). Fluvial has no enumerator: every subtask scans the paths itself and takes the
      files whose path hashes to it (``_owner_of``), so after a restore at another
      parallelism a file can hash to a subtask that never saw it. Hence every new subtask
      gets the union of all processed paths and never starts them again; files that no
      checkpointed subtask had begun are dealt out again by the hash. The restored set is
      carried on by new subtask 0 only, so the checkpoint holds each path about once.
    """

    def __init__(self, paths: List[str], file_format, subtask_index: int, parallelism: int,
                 monitor_interval_ms: Optional[int], source_name: str = "FileSource"):
        self._paths = paths
        self._format = file_format
        self._subtask_index = subtask_index
        self._parallelism = parallelism
        self._monitor_interval_s = None if monitor_interval_ms is None else monitor_interval_ms / 1000
        self._source_name = source_name
        self._seen: set = set()
        self._queue: List[str] = []
        self._file = None
        self._reader: Optional[FileRecordReader] = None
        self._next_scan = 0.0
        # Checkpoint state: the file being read and the records emitted from it; the paths
        # this subtask began; restored splits still to resume; processed paths restored.
        self._path: Optional[str] = None
        self._records = 0
        self._skip = 0  # records still to skip in the current file (resuming by count)
        self._begun: List[str] = []
        self._resume: List[Dict[str, Any]] = []
        self._restored_paths: List[str] = []

    def restore_state(self, splits: List[Any]) -> None:
        self._resume = [dict(split) for split in splits]

    def restore_union_state(self, items: List[Any]) -> None:
        paths = sorted(set(items))
        self._seen.update(paths)
        if self._subtask_index == 0:
            self._restored_paths = paths

    def snapshot_state(self, checkpoint_id: int) -> List[Any]:
        splits = [dict(split) for split in self._resume]
        if self._path is not None:
            position = None if self._skip else self._reader.position()
            splits.insert(0, {"path": self._path, "position": position, "records": self._records,
                              "size": os.fstat(self._file.fileno()).st_size})
        return splits

    def snapshot_union_state(self, checkpoint_id: int) -> List[Any]:
        return self._restored_paths + self._begun

    def open(self) -> None:
        # Taken here, so that every subtask reports its count, even one without files.
        self._errors = self.metric_group.num_records_in_errors
        for path in self._paths:
            if not os.path.exists(path):
                relative = "" if os.path.isabs(path) else f" (relative to the working directory '{os.getcwd()}')"
                raise ConnectorError(f"{self._source_name}: no such file or directory: '{path}'{relative}; "
                                     f"check the path, or create it before the job starts")
        self._scan()

    def _scan(self) -> None:
        found = []
        for path in self._paths:
            if os.path.isfile(path):
                found.append(path)
                continue
            for directory, subdirectories, files in os.walk(path):
                subdirectories[:] = sorted(d for d in subdirectories if not _is_hidden(d))
                found.extend(os.path.join(directory, name) for name in files if not _is_hidden(name))
        for path in sorted(found):
            if path not in self._seen:
                self._seen.add(path)
                if _owner_of(path, self._parallelism) == self._subtask_index:
                    self._queue.append(path)
        if self._monitor_interval_s is not None:
            self._next_scan = time.monotonic() + self._monitor_interval_s

    def poll(self) -> Optional[List[Any]]:
        while True:
            if self._reader is None:
                if self._resume:
                    self._open_split(self._resume[0])
                    del self._resume[0]
                    continue
                if not self._queue:
                    if self._monitor_interval_s is None:
                        return None
                    if time.monotonic() >= self._next_scan:
                        self._scan()
                    if not self._queue:
                        return []
                path = self._queue.pop(0)
                self._begun.append(path)
                self._open(path)
            records = self._reader.read_batch()
            if records is None:
                if self._skip:
                    raise ConnectorError(
                        f"{self._source_name}: cannot resume '{self._path}' from a checkpoint: it "
                        f"ends {self._skip} records before the checkpointed position "
                        f"({self._records} records); files must not change once written: write a new "
                        f"file (under a hidden name, then rename it)")
                self._close_file()
            elif self._skip:
                skipped = min(self._skip, len(records))
                self._skip -= skipped
                if skipped < len(records):
                    self._records += len(records) - skipped
                    return records[skipped:]
            elif records:
                self._records += len(records)
                return records
            # else every record of that batch was skipped as bad: read on

    def _open_split(self, split: Dict[str, Any]) -> None:
        path = split["path"]
        if not os.path.isfile(path):
            raise ConnectorError(f"{self._source_name}: cannot resume '{path}' from a checkpoint: "
                                 f"the file is gone (it had been read up to record {split['records']})")
        self._begun.append(path)
        self._open(path)
        size = os.fstat(self._file.fileno()).st_size
        if size < split.get("size", 0):
            raise ConnectorError(
                f"{self._source_name}: cannot resume '{path}' from a checkpoint: it has {size} bytes, "
                f"{split['size']} when checkpointed (read up to record {split['records']}); files "
                f"must not change once written: write a new file (under a hidden name, then rename it)")
        if split["position"] is not None:
            self._reader.seek(split["position"])
        else:
            self._skip = split["records"]
        self._records = split["records"]

    def _open(self, path: str) -> None:
        try:
            self._file = open(path, "rb")
        except OSError as error:
            raise ConnectorError(f"{self._source_name}: cannot open '{path}': {error.strerror}") from error
        self._path = path
        self._records = 0
        self._skip = 0
        self._reader = self._format._open_file(path, self._file, self._errors)

    def _close_file(self) -> None:
        self._path = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._file is not None:
            self._file.close()
            self._file = None

    def close(self) -> None:
        self._close_file()


class FileSource(Source):
    r"""Reads files or directories; build it with FileSource.for_record_stream_format().

    Examples:
        >>> import os, tempfile
        >>> from fluvial.common import WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import FileSource, StreamFormat
        >>> path = os.path.join(tempfile.mkdtemp(), "lines.txt")
        >>> _ = open(path, "w").write("first line\nsecond line\n")
        >>> source = FileSource.for_record_stream_format(StreamFormat.text_line_format(), path).build()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> lines = env.from_source(source, WatermarkStrategy.no_watermarks(), "lines")
        >>> list(lines.execute_and_collect())
        ['first line', 'second line']
    """

    def __init__(self, file_format: Union[StreamFormat, BulkFormat], paths: List[str],
                 monitor_interval_ms: Optional[int]):
        self._format = file_format
        self._paths = paths
        self._monitor_interval_ms = monitor_interval_ms

    @staticmethod
    def for_record_stream_format(stream_format: StreamFormat, *paths: str) -> "FileSourceBuilder":
        """Reads files record by record through a StreamFormat (text lines, CSV, ...)."""
        if not isinstance(stream_format, StreamFormat):
            raise TypeError(f"for_record_stream_format() expects a StreamFormat such as "
                            f"StreamFormat.text_line_format(), got {type(stream_format).__name__}")
        if not paths:
            raise ValueError("FileSource needs at least one path")
        return FileSourceBuilder(stream_format, [os.fspath(p) for p in paths])

    @staticmethod
    def for_bulk_file_format(bulk_format: BulkFormat, *paths: str) -> "FileSourceBuilder":
        """Reads files in batches through a BulkFormat (ParquetColumnarRowInputFormat, ...)."""
        if not isinstance(bulk_format, BulkFormat):
            raise TypeError(f"for_bulk_file_format() expects a BulkFormat such as "
                            f"ParquetColumnarRowInputFormat, got {type(bulk_format).__name__}")
        if not paths:
            raise ValueError("FileSource needs at least one path")
        return FileSourceBuilder(bulk_format, [os.fspath(p) for p in paths])

    def _is_bounded(self) -> bool:
        return self._monitor_interval_ms is None

    def _default_name(self) -> str:
        return "FileSource"

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        paths = [p[len("file://"):] if p.startswith("file://") else p for p in self._paths]
        return _FileSourceReader(paths, self._format, subtask_index, parallelism,
                                 self._monitor_interval_ms)


class FileSourceBuilder:
    """Builds a FileSource: bounded over the files present (the default) or watching for new files.

    Examples:
        >>> from fluvial.common import Duration
        >>> from fluvial.datastream.connectors import FileSource, StreamFormat
        >>> builder = FileSource.for_record_stream_format(StreamFormat.text_line_format(), "incoming/")
        >>> # unbounded: new files are read as they appear
        >>> watching = builder.monitor_continuously(Duration.of_seconds(10)).build()
        >>> bounded = builder.process_static_file_set().build()
        >>> type(watching).__name__, type(bounded).__name__
        ('FileSource', 'FileSource')
    """

    def __init__(self, file_format: Union[StreamFormat, BulkFormat], paths: List[str]):
        self._format = file_format
        self._paths = paths
        self._monitor_interval_ms: Optional[int] = None

    def monitor_continuously(self, discovery_interval: Duration) -> "FileSourceBuilder":
        """Keeps watching the paths for new files (an unbounded source)."""
        interval = discovery_interval.to_milliseconds()
        if interval <= 0:
            raise ValueError(f"the discovery interval must be positive, got {interval} ms")
        self._monitor_interval_ms = interval
        return self

    def process_static_file_set(self) -> "FileSourceBuilder":
        """Reads the files present at start, then ends (the default)."""
        self._monitor_interval_ms = None
        return self

    def build(self) -> FileSource:
        return FileSource(self._format, self._paths, self._monitor_interval_ms)


# ------------------------------------------------------------------ FileSink


class BucketAssigner:
    """Chooses the sub-directory (bucket) of the base path a record is written to.

    Examples:
        >>> import os, tempfile
        >>> from fluvial.common import Encoder, Row, Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import BucketAssigner, FileSink
        >>> out = tempfile.mkdtemp()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> rows = env.from_collection([Row(dt="2024-01-01", n=1), Row(dt="2024-01-02", n=2)])
        >>> sink = rows.sink_to(FileSink.for_row_format(out, Encoder.simple_string_encoder())
        ...                     .with_bucket_assigner(BucketAssigner.field_bucket_assigner("dt")).build())
        >>> result = env.execute()
        >>> sorted(os.listdir(out))
        ['dt=2024-01-01', 'dt=2024-01-02']
    """

    def __init__(self, kind: str, format_str: str = "%Y-%m-%d--%H", tz: Optional[str] = None,
                 fields: tuple = ()):
        self._kind = kind
        self._format = format_str
        self._timezone = tz
        self._fields = fields

    @staticmethod
    def base_path_bucket_assigner() -> "BucketAssigner":
        """Writes every record directly into the base path."""
        return BucketAssigner("base_path")

    @staticmethod
    def date_time_bucket_assigner(format_str: str = "yyyy-MM-dd--HH",
                                  timezone_id: Optional[str] = None) -> "BucketAssigner":
        """One bucket per processing-time period, named by a Java date pattern."""
        return BucketAssigner("date_time", _java_to_strftime(format_str), timezone_id)

    @staticmethod
    def field_bucket_assigner(*field_names: Union[str, int]) -> "BucketAssigner":
        """Fluvial extra (PyFlink has no such assigner): one bucket per value of the given
        record fields, as Hive-style partition directories; field_bucket_assigner('dt', 'hour')
        writes Row(dt='2026-11-24', hour=13, ...) under dt=2026-11-24/hour=13. Fields are
        read by name from Rows and dicts, or by position when given as ints."""
        if not field_names:
            raise ValueError("field_bucket_assigner needs at least one field name")
        for name in field_names:
            if not isinstance(name, (str, int)) or isinstance(name, bool):
                raise TypeError(f"field_bucket_assigner field names must be str or int, got {name!r}")
        return BucketAssigner("fields", fields=tuple(field_names))

    def _bucket_of(self, record: Any) -> str:
        if self._kind == "base_path":
            return ""
        if self._kind == "fields":
            return "/".join(f"{_partition_text(field)}={_partition_text(_field_of(record, field))}"
                            for field in self._fields)
        if self._timezone is None:
            now = datetime.now()
        else:
            from zoneinfo import ZoneInfo
            now = datetime.now(timezone.utc).astimezone(ZoneInfo(self._timezone))
        return now.strftime(self._format)


# Characters Hive escapes in partition directory names (FileUtils.escapePathName).
_PARTITION_ESCAPED = set('"#%\'*/:=?\\\x7f{[]^')


def _partition_text(value: Any) -> str:
    if value is None:
        return "__HIVE_DEFAULT_PARTITION__"
    text = value if isinstance(value, str) else str(value)
    return "".join(f"%{ord(c):02X}" if c in _PARTITION_ESCAPED or ord(c) < 0x20 else c for c in text)


def _field_of(record: Any, field: Union[str, int]) -> Any:
    try:
        return record[field]
    except (KeyError, IndexError, TypeError, ValueError):
        raise ConnectorError(f"FileSink: field_bucket_assigner: the record has no field {field!r}: "
                             f"{record!r}") from None


def _java_to_strftime(pattern: str) -> str:
    # The Java date letters a bucket pattern uses, longest first.
    for java, python in (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"),
                         ("ss", "%S")):
        pattern = pattern.replace(java, python)
    return pattern


class RollingPolicy:
    """When an in-progress part file is closed and a new one started.

    Examples:
        >>> from fluvial.common import Encoder
        >>> from fluvial.datastream.connectors import FileSink, RollingPolicy
        >>> policy = RollingPolicy.default_rolling_policy(part_size=1024 * 1024, rollover_interval=60000)
        >>> sink = FileSink.for_row_format("out/", Encoder.simple_string_encoder()).with_rolling_policy(policy).build()
        >>> type(sink).__name__
        'FileSink'
    """

    def __init__(self, part_size: int, rollover_interval_ms: int, inactivity_interval_ms: int,
                 on_checkpoint: bool = False):
        self.part_size = part_size
        self.rollover_interval_ms = rollover_interval_ms
        self.inactivity_interval_ms = inactivity_interval_ms
        self.on_checkpoint = on_checkpoint

    @staticmethod
    def default_rolling_policy(part_size: int = 1024 * 1024 * 128,
                               rollover_interval: int = 60 * 1000,
                               inactivity_interval: int = 60 * 1000) -> "RollingPolicy":
        """Rolls at 'part_size' bytes, or after 'rollover_interval' ms, or after
        'inactivity_interval' ms without records."""
        for name, value in (("part_size", part_size), ("rollover_interval", rollover_interval),
                            ("inactivity_interval", inactivity_interval)):
            if value <= 0:
                raise ValueError(f"RollingPolicy {name} must be positive, got {value}")
        return RollingPolicy(part_size, rollover_interval, inactivity_interval)

    @staticmethod
    def on_checkpoint_rolling_policy() -> "RollingPolicy":
        """Rolls only when a checkpoint is taken (and at the end of the input)."""
        return RollingPolicy(2**63 - 1, 2**63 - 1, 2**63 - 1, on_checkpoint=True)


class OutputFileConfig:
    """The prefix and suffix of part file names: <prefix>-<uuid>-<subtask>-<counter><suffix>.

    Examples:
        >>> from fluvial.datastream.connectors import OutputFileConfig
        >>> config = OutputFileConfig.builder().with_part_prefix("clicks").with_part_suffix(".csv").build()
        >>> config.get_part_prefix(), config.get_part_suffix()
        ('clicks', '.csv')
    """

    def __init__(self, part_prefix: str = "part", part_suffix: str = ""):
        self.part_prefix = part_prefix
        self.part_suffix = part_suffix

    def get_part_prefix(self) -> str:
        return self.part_prefix

    def get_part_suffix(self) -> str:
        return self.part_suffix

    @staticmethod
    def builder() -> "OutputFileConfig.OutputFileConfigBuilder":
        return OutputFileConfig.OutputFileConfigBuilder()

    class OutputFileConfigBuilder:
        def __init__(self):
            self._prefix = "part"
            self._suffix = ""

        def with_part_prefix(self, prefix: str) -> "OutputFileConfig.OutputFileConfigBuilder":
            self._prefix = prefix
            return self

        def with_part_suffix(self, suffix: str) -> "OutputFileConfig.OutputFileConfigBuilder":
            self._suffix = suffix
            return self

        def build(self) -> "OutputFileConfig":
            return OutputFileConfig(self._prefix, self._suffix)


class _PartFile:
    def __init__(self, directory: str, final_name: str, attempt: str = ""):
        self.final_path = os.path.join(directory, final_name)
        # In progress: hidden, so readers of the directory skip it until it is finished.
        self.in_progress_path = os.path.join(
            directory, f".{final_name}.inprogress.{attempt}{uuid.uuid4()}")
        self.file = open(self.in_progress_path, "wb")
        self.size = 0
        self.created = time.monotonic()
        self.last_write = self.created
        self.bulk_writer = None

    def close(self) -> None:
        """Completes the file's content (footers, indexes) and makes it durable."""
        if self.bulk_writer is not None:
            self.bulk_writer.finish()  # footers, indexes: the file is complete only then
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()

    def finish(self) -> None:
        self.close()
        _commit(self.in_progress_path, self.final_path)


def _commit(in_progress_path: str, final_path: str) -> None:
    """Gives a finished part file its final name, never replacing an existing file;
    idempotent: a part committed before (the source gone, the target there) is left as is."""
    try:
        os.link(in_progress_path, final_path)  # fails if the target exists: never overwrites
    except FileNotFoundError:
        if os.path.exists(final_path):
            return  # committed by an earlier attempt
        raise
    except FileExistsError:
        if not os.path.exists(in_progress_path) or os.path.samefile(in_progress_path, final_path):
            os.unlink(in_progress_path)
            return
        raise FileExistsError(f"FileSink: cannot commit {in_progress_path}: {final_path} "
                              f"exists and committed data is never overwritten") from None
    os.unlink(in_progress_path)


_ATTEMPT_MARK = "attempt-"


class _RowFileWriter(SinkWriter):
    """Writes part files. Without checkpoints a part is committed (renamed to its final
    name) when it rolls or the input ends. With checkpoints (two-phase commit), rolled
    parts and the parts open at a barrier become *pending*; they are committed when the
    checkpoint that holds them completes, or on recovery from it."""

    def __init__(self, sink: "FileSink", subtask_index: int):
        self._sink = sink
        self._subtask_index = subtask_index
        self._writer_id = uuid.uuid4()
        self._counter = 0
        self._open_parts: Dict[str, _PartFile] = {}
        self._two_phase = False
        self._attempt = ""
        # Two-phase commit: parts closed since the last barrier, and per checkpoint id the
        # parts it pre-committed: [(in-progress path, final path)].
        self._closed: List[Tuple[str, str]] = []
        self._pending: Dict[int, List[Tuple[str, str]]] = {}

    def _enable_two_phase_commit(self, attempt: str) -> None:
        """Called by the engine's checkpointing before open(): commit only on checkpoints.
        'attempt' names this run of the job (the same for all its writers)."""
        self._two_phase = True
        self._attempt = f"{_ATTEMPT_MARK}{attempt}-"

    def open(self) -> None:
        os.makedirs(self._sink._base_path, exist_ok=True)
        if self._two_phase:
            self._remove_abandoned_parts()

    def _remove_abandoned_parts(self) -> None:
        # Parts in progress in an earlier attempt that no restored checkpoint holds (those
        # were committed by restore_state before any writer opened) are never committed:
        # remove them. This attempt's files carry its own mark.
        for directory, _, names in os.walk(self._sink._base_path):
            for name in names:
                marker = name.find(".inprogress." + _ATTEMPT_MARK)
                if name.startswith(".") and marker >= 0 and self._attempt not in name:
                    try:
                        os.unlink(os.path.join(directory, name))
                    except FileNotFoundError:
                        pass  # another subtask removed it first

    def _roll(self, part: _PartFile) -> None:
        if self._two_phase:
            part.close()
            self._closed.append((part.in_progress_path, part.final_path))
        else:
            part.finish()

    def snapshot_state(self, checkpoint_id: int) -> Any:
        if not self._two_phase:
            return None
        for part in self._open_parts.values():
            self._roll(part)
        self._open_parts.clear()
        if self._closed:
            self._pending[checkpoint_id] = self._closed
            self._closed = []
        return {"pending": {cid: list(parts) for cid, parts in self._pending.items()}}

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        from fluvial.datastream._checkpointing import fault_point

        for cid in sorted(self._pending):
            if cid > checkpoint_id:
                break
            for in_progress, final in self._pending.pop(cid):
                _commit(in_progress, final)
                fault_point("file-sink-commit")

    def restore_state(self, state: Any) -> None:
        # Everything a restored (complete) checkpoint pre-committed is committed now,
        # idempotently: a part committed before is left as it is.
        for parts in (state or {}).get("pending", {}).values():
            for in_progress, final in parts:
                _commit(in_progress, final)

    def write(self, records: List[Any]) -> None:
        encode = self._sink._encoder.encode
        assign = self._sink._bucket_assigner._bucket_of
        part_size = self._sink._rolling_policy.part_size
        now = time.monotonic()
        for record in records:
            bucket = assign(record)
            part = self._open_parts.get(bucket)
            if part is not None and part.size > part_size:
                # As Flink's DefaultRollingPolicy: a record that finds its part
                # file larger than part_size starts a new one.
                self._roll(part)
                del self._open_parts[bucket]
            part = self._part_for(bucket, now)
            data = encode(record)
            part.file.write(data)
            part.size += len(data)
            part.last_write = now
        self._roll_due(now)

    def _part_for(self, bucket: str, now: float) -> _PartFile:
        part = self._open_parts.get(bucket)
        if part is not None:
            return part
        directory = os.path.join(self._sink._base_path, bucket) if bucket else self._sink._base_path
        os.makedirs(directory, exist_ok=True)
        config = self._sink._output_file_config
        name = f"{config.part_prefix}-{self._writer_id}-{self._subtask_index}-{self._counter}{config.part_suffix}"
        self._counter += 1
        part = _PartFile(directory, name, self._attempt)
        self._open_parts[bucket] = part
        return part

    def _roll_due(self, now: float) -> None:
        policy = self._sink._rolling_policy
        for bucket, part in list(self._open_parts.items()):
            age_ms = (now - part.created) * 1000
            idle_ms = (now - part.last_write) * 1000
            if (part.size > policy.part_size or age_ms >= policy.rollover_interval_ms
                    or idle_ms >= policy.inactivity_interval_ms):
                self._roll(part)
                del self._open_parts[bucket]

    def finish(self) -> None:
        # With checkpoints the last parts become pending at the final checkpoint.
        for part in self._open_parts.values():
            self._roll(part)
        self._open_parts.clear()

    def close(self) -> None:
        # After a failure, in-progress files stay hidden and are never finished.
        for part in self._open_parts.values():
            part.file.close()
        self._open_parts.clear()


class _BulkFileWriter(_RowFileWriter):
    """Writes batches through a BulkWriterFactory, one part file per bucket; a part file
    is finished (footer written, renamed) only at the end of the input, as Flink's
    OnCheckpointRollingPolicy does on each checkpoint (Fluvial has no checkpoints yet)."""

    def write(self, records: List[Any]) -> None:
        assign = self._sink._bucket_assigner._bucket_of
        by_bucket: Dict[str, List[Any]] = {}
        for record in records:
            by_bucket.setdefault(assign(record), []).append(record)
        now = time.monotonic()
        for bucket, bucket_records in by_bucket.items():
            part = self._part_for(bucket, now)
            if part.bulk_writer is None:
                part.bulk_writer = self._sink._writer_factory._create_writer(part.file)
            part.bulk_writer.add_elements(bucket_records)
            part.last_write = now


class FileSink(Sink):
    r"""Writes records into part files under a base path; build it with for_row_format()
    or for_bulk_format().

    Part files are written hidden (.<name>.inprogress.<id>) and renamed to
    their final name when rolled or when the input ends.

    Examples:
        >>> import os, tempfile
        >>> from fluvial.common import Encoder
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import BucketAssigner, FileSink, OutputFileConfig
        >>> out = tempfile.mkdtemp()
        >>> sink = (FileSink.for_row_format(out, Encoder.simple_string_encoder())
        ...         .with_bucket_assigner(BucketAssigner.base_path_bucket_assigner())
        ...         .with_output_file_config(OutputFileConfig.builder().with_part_suffix(".txt").build())
        ...         .build())
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> written = env.from_collection(["a", "b"]).sink_to(sink)
        >>> result = env.execute()
        >>> [(name.endswith(".txt"), open(os.path.join(out, name)).read()) for name in os.listdir(out)]
        [(True, 'a\nb\n')]
    """

    def __init__(self, base_path: str, encoder: Optional[Encoder], bucket_assigner: BucketAssigner,
                 rolling_policy: RollingPolicy, output_file_config: OutputFileConfig,
                 writer_factory: Optional[BulkWriterFactory] = None):
        self._base_path = base_path
        self._encoder = encoder
        self._writer_factory = writer_factory
        self._bucket_assigner = bucket_assigner
        self._rolling_policy = rolling_policy
        self._output_file_config = output_file_config

    @staticmethod
    def for_row_format(base_path: str, encoder: Encoder) -> "FileSink.RowFormatBuilder":
        return FileSink.RowFormatBuilder(os.fspath(base_path), encoder)

    def _default_name(self) -> str:
        return "FileSink"

    @staticmethod
    def for_bulk_format(base_path: str, writer_factory: BulkWriterFactory) -> "FileSink.BulkFormatBuilder":
        """Writes batches of records through a bulk writer (Parquet, ORC, Avro, CSV)."""
        if not isinstance(writer_factory, BulkWriterFactory):
            raise TypeError(f"for_bulk_format() expects a BulkWriterFactory such as "
                            f"ParquetBulkWriters.for_row_type(...), got {type(writer_factory).__name__}")
        return FileSink.BulkFormatBuilder(os.fspath(base_path), writer_factory)

    def _create_writer(self, subtask_index: int, parallelism: int) -> SinkWriter:
        if self._writer_factory is not None:
            return _BulkFileWriter(self, subtask_index)
        return _RowFileWriter(self, subtask_index)

    def _for_input_type(self, type_info: Any) -> "FileSink":
        if self._encoder is None or not hasattr(self._encoder, "_for_input_type"):
            return self
        sink = copy.copy(self)
        sink._encoder = self._encoder._for_input_type(type_info)
        return sink

    class RowFormatBuilder:
        def __init__(self, base_path: str, encoder: Encoder):
            if base_path.startswith("file://"):
                base_path = base_path[len("file://"):]
            self._base_path = base_path
            self._encoder = encoder
            self._bucket_assigner = BucketAssigner.date_time_bucket_assigner()
            self._rolling_policy = RollingPolicy.default_rolling_policy()
            self._output_file_config = OutputFileConfig()

        def with_bucket_assigner(self, assigner: BucketAssigner) -> "FileSink.RowFormatBuilder":
            self._bucket_assigner = assigner
            return self

        def with_rolling_policy(self, policy: RollingPolicy) -> "FileSink.RowFormatBuilder":
            self._rolling_policy = policy
            return self

        def with_output_file_config(self, config: OutputFileConfig) -> "FileSink.RowFormatBuilder":
            self._output_file_config = config
            return self

        def build(self) -> "FileSink":
            return FileSink(self._base_path, self._encoder, self._bucket_assigner,
                            self._rolling_policy, self._output_file_config)

    class BulkFormatBuilder:
        def __init__(self, base_path: str, writer_factory: BulkWriterFactory):
            if base_path.startswith("file://"):
                base_path = base_path[len("file://"):]
            self._base_path = base_path
            self._writer_factory = writer_factory
            self._bucket_assigner = BucketAssigner.date_time_bucket_assigner()
            self._rolling_policy = RollingPolicy.on_checkpoint_rolling_policy()
            self._output_file_config = OutputFileConfig()

        def with_bucket_check_interval(self, interval: int) -> "FileSink.BulkFormatBuilder":
            return self  # bulk part files roll only at the end of the input: nothing to check

        def with_bucket_assigner(self, assigner: BucketAssigner) -> "FileSink.BulkFormatBuilder":
            self._bucket_assigner = assigner
            return self

        def with_rolling_policy(self, policy: RollingPolicy) -> "FileSink.BulkFormatBuilder":
            if not isinstance(policy, RollingPolicy) or not policy.on_checkpoint:
                raise TypeError("bulk formats roll on checkpoints only: use "
                                f"RollingPolicy.on_checkpoint_rolling_policy(), got {policy!r}")
            self._rolling_policy = policy
            return self

        def with_output_file_config(self, config: OutputFileConfig) -> "FileSink.BulkFormatBuilder":
            self._output_file_config = config
            return self

        def build(self) -> "FileSink":
            return FileSink(self._base_path, None, self._bucket_assigner, self._rolling_policy,
                            self._output_file_config, self._writer_factory)
