"""The connectors behind CREATE TABLE ... WITH ('connector' = ...): sources
that produce Arrow record batches and sinks that consume them. Options use
Flink's names; a misspelled or missing option is an error naming it."""

import os
import sys
import uuid
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pyarrow as pa

from fluvial.datastream.connectors._part_files import (
    commit,
    random_attempt,
    random_sink_id,
    remove_leftovers,
    unfinished_path,
)
from fluvial.datastream.connectors._partition_path import (
    DEFAULT_PARTITION_NAME,
    partition_path,
    partition_spec_of,
)
from fluvial.errors import ConnectorError
from fluvial.table.expressions import PlanningError, _suggest


class ConnectorOptionError(PlanningError):
    """A connector option is missing, unknown or has a bad value.

    Examples:
        >>> from fluvial.table import EnvironmentSettings, TableEnvironment
        >>> t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        >>> _ = t_env.execute_sql("CREATE TABLE g (id BIGINT) WITH ('connector' = 'datagen', 'row-per-second' = '5')")
        >>> t_env.from_path("g")
        Traceback (most recent call last):
        ...
        fluvial.table.connectors.ConnectorOptionError: unknown option 'row-per-second' ...
    """


def _check_options(connector: str, options: Dict[str, str], allowed: List[str], required: List[str],
                   prefixes: List[str] = ()) -> None:
    for key in options:
        if key == "connector" or key.startswith("__") or key in allowed \
                or any(key.startswith(p) for p in prefixes):
            continue
        raise ConnectorOptionError(f"unknown option '{key}' for connector '{connector}'"
                                   f"{_suggest(key, allowed)} (supported: {', '.join(sorted(allowed))})")
    for key in required:
        if key not in options:
            raise ConnectorOptionError(f"connector '{connector}' needs the option '{key}'")


# -- datagen ---------------------------------------------------------------------------

class DataGenReader:
    """Flink's datagen: per field 'fields.<name>.kind' = random | sequence, with min/max/length or
    start/end; 'number-of-rows' bounds it; 'rows-per-second' throttles it."""

    BATCH = 4096

    def __init__(self, schema: pa.Schema, options: Dict[str, str], subtask: int, parallelism: int,
                 rowtime: Optional[str]):
        import numpy as np

        self._schema = schema
        self._options = options
        total = int(options["number-of-rows"]) if "number-of-rows" in options else None
        remaining = None if total is None else total // parallelism + (1 if subtask < total % parallelism else 0)
        # As in Flink, a sequence field bounds the source: it ends when a sequence runs out
        # (before 'number-of-rows', if that is larger, and without it).
        for field in schema:
            if options.get(f"fields.{field.name}.kind") == "sequence" and \
                    f"fields.{field.name}.start" in options and f"fields.{field.name}.end" in options:
                first = int(options[f"fields.{field.name}.start"]) + subtask
                left = max(0, (int(options[f"fields.{field.name}.end"]) - first) // parallelism + 1)
                remaining = left if remaining is None else min(remaining, left)
        # Splits: one subtask's stream at the job's parallelism — its random generator, rows
        # emitted and left. Checkpoints store them, so a job resumes at any parallelism.
        self._splits: List[Dict[str, Any]] = [{
            "subtask": subtask, "parallelism": parallelism, "emitted": 0, "remaining": remaining,
            "rng": np.random.default_rng(int(options.get("seed", "0")) + subtask).bit_generator.state}]
        self._rng = None
        self._rate = float(options.get("rows-per-second", "10000")) / parallelism
        self._throttled = 0
        self._started: Optional[float] = None
        for field in schema:
            kind = options.get(f"fields.{field.name}.kind", "random")
            if kind not in ("random", "sequence"):
                raise ConnectorOptionError(f"'fields.{field.name}.kind' must be 'random' or 'sequence', got {kind!r}")
            if kind == "sequence" and (f"fields.{field.name}.start" not in options
                                       or f"fields.{field.name}.end" not in options):
                raise ConnectorOptionError(f"sequence field '{field.name}' needs 'fields.{field.name}.start' and "
                                           f"'fields.{field.name}.end'")

    def poll(self) -> Optional[pa.RecordBatch]:
        import time

        import numpy as np

        while self._splits and self._splits[0]["remaining"] is not None and self._splits[0]["remaining"] <= 0:
            self._splits.pop(0)
            self._rng = None
        if not self._splits:
            return None
        split = self._splits[0]
        if self._started is None:
            self._started = time.monotonic()
        allowed = int((time.monotonic() - self._started) * self._rate) + 1 - self._throttled
        if allowed <= 0:
            time.sleep(min(0.05, 1.0 / self._rate))
            return pa.RecordBatch.from_pylist([], schema=self._schema)
        if self._rng is None:
            self._rng = np.random.default_rng()
            self._rng.bit_generator.state = split["rng"]
        count = min(self.BATCH, allowed, split["remaining"] if split["remaining"] is not None else self.BATCH)
        batch = pa.RecordBatch.from_arrays([self._column(f, count, split) for f in self._schema],
                                           schema=self._schema)
        split["emitted"] += count
        split["rng"] = self._rng.bit_generator.state
        self._throttled += count
        if split["remaining"] is not None:
            split["remaining"] -= count
        return batch

    def snapshot_state(self, checkpoint_id: int) -> List[Dict[str, Any]]:
        return [dict(split) for split in self._splits]

    def restore_state(self, splits: List[Dict[str, Any]]) -> None:
        self._splits = [dict(split) for split in splits]
        self._rng = None

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        pass

    def _column(self, field: pa.Field, count: int, split: Dict[str, Any]) -> pa.Array:
        import numpy as np

        o, name, t = self._options, field.name, field.type
        if o.get(f"fields.{name}.kind", "random") == "sequence":
            start, end = int(o[f"fields.{name}.start"]), int(o[f"fields.{name}.end"])
            parallelism = split["parallelism"]
            first = start + split["subtask"] + split["emitted"] * parallelism
            values = np.arange(first, first + count * parallelism, parallelism)[:count]
            assert not values.size or values[-1] <= end, "the split's row count is bounded by its sequences"
            return pa.array(values).cast(t) if not pa.types.is_string(t) else pa.array(values.astype(str))
        if pa.types.is_integer(t):
            # As Flink, by default the whole range of the type (BIGINT: all longs).
            info = np.iinfo(t.to_pandas_dtype())
            low = int(o.get(f"fields.{name}.min", info.min))
            high = int(o.get(f"fields.{name}.max", info.max))
            return pa.array(self._rng.integers(low, high, count, endpoint=True)).cast(t)
        if pa.types.is_floating(t) or pa.types.is_decimal(t):
            low = float(o.get(f"fields.{name}.min", 0))
            high = float(o.get(f"fields.{name}.max", 1))
            return pa.array(self._rng.uniform(low, high, count)).cast(t)
        if pa.types.is_boolean(t):
            return pa.array(self._rng.integers(0, 2, count).astype(bool))
        if pa.types.is_string(t):
            length = int(o.get(f"fields.{name}.length", 100))
            raw = self._rng.integers(0, 16, (count, length))
            digits = np.array(list("0123456789abcdef"))
            return pa.array(["".join(row) for row in digits[raw]])
        if pa.types.is_timestamp(t):
            import time

            now_ms = int(time.time() * 1000)
            back = int(o.get(f"fields.{name}.max-past", 0))
            offsets = self._rng.integers(0, back + 1, count) if back else np.zeros(count, dtype=np.int64)
            return pa.array(now_ms - offsets, pa.int64()).cast(pa.timestamp("ms")).cast(t)
        raise ConnectorOptionError(f"datagen cannot generate field '{name}' of type {t}")


# -- filesystem -----------------------------------------------------------------------

_FORMATS = ("csv", "json", "avro", "parquet", "orc", "raw")
# Options of the formats of a filesystem table, after the format's name ('csv.field-delimiter').
_FILE_FORMAT_OPTIONS = {"csv": ["field-delimiter", "quote-character", "disable-quote-character", "escape-character",
                                "null-literal", "ignore-parse-errors"],
                        "json": ["ignore-parse-errors", "fail-on-missing-field", "timestamp-format.standard"],
                        "avro": ["codec"]}
_LINES_PER_BATCH = 65536
_TEXT_CHUNK_BYTES = 16 << 20  # CSV and JSON files are parsed this much at a time
_AVRO_CODECS = ("null", "deflate", "bzip2", "xz")  # the ones Python's standard library compresses


def _file_options(options: Dict[str, str]) -> List[str]:
    fmt = options.get("format", "")
    return ["path", "format", "partition.default-name"] + [f"{fmt}.{o}" for o in _FILE_FORMAT_OPTIONS.get(fmt, [])]


def _local_path(options: Dict[str, str]) -> str:
    path = options["path"]
    return path[len("file://"):] if path.startswith("file://") else path


class FileReader:
    """The files of a filesystem table (csv, json, avro, parquet, orc, raw), split among subtasks
    by file; with partition keys, the values come from Hive-style directories (dt=2024-01-01/).

    CSV and JSON files are parsed a batch of lines at once; when a batch does not parse, line by
    line, so that a bad line is named (file and line number) or, with the format's
    'ignore-parse-errors', skipped and counted in the job's numRecordsInErrors."""

    def __init__(self, schema: pa.Schema, options: Dict[str, str], subtask: int, parallelism: int,
                 table: str = ""):
        import os

        fmt = options["format"]
        if fmt not in _FORMATS:
            raise ConnectorOptionError(f"unsupported 'format' = '{fmt}' for connector 'filesystem' "
                                       f"(supported: {', '.join(_FORMATS)})")
        path = _local_path(options)
        if not os.path.exists(path):
            raise FileNotFoundError(f"filesystem table: path '{path}' does not exist")
        self._keys = _partition_keys(options)
        self._data_schema = pa.schema([f for f in schema if f.name not in self._keys])
        self._schema, self._format, self._path, self._table = schema, fmt, path, table
        self._metric_group: Any = None
        self._bad: Any = None
        self._batches: Optional[Iterator[pa.RecordBatch]] = None
        if fmt in ("parquet", "orc"):
            import pyarrow.dataset as ds

            keys = self._keys
            # Values escaped as the sink writes them (%XX), the default partition name NULL.
            default = options.get("partition.default-name", DEFAULT_PARTITION_NAME)
            self._partitioning = ds.HivePartitioning(pa.schema([schema.field(k) for k in keys]),
                                                     null_fallback=default, segment_encoding="uri") if keys else None
            files = sorted(ds.dataset(path, format=fmt, partitioning=self._partitioning).files)
            # Splits: [file, batches read]; checkpoints store them, so a job resumes where it was.
            self._files = [[file, 0] for file in files[subtask::parallelism]]
            return
        if fmt == "raw" and len(self._data_schema) != 1:
            raise ConnectorOptionError("'format' = 'raw' reads one column (STRING or BYTES) per line")
        if fmt in ("csv", "json"):
            from fluvial.table.formats import RowCodec

            self._codec = RowCodec(fmt, self._data_schema, options, [""], "'format'")
        self._default_partition = options.get("partition.default-name", DEFAULT_PARTITION_NAME)
        files = sorted(os.path.join(d, f) for d, dirs, names in os.walk(path) for f in names
                       if not f.startswith((".", "_"))
                       and not any(p.startswith((".", "_")) for p in os.path.relpath(d, path).split(os.sep)
                                   if p != "."))
        if os.path.isfile(path):
            files = [path]
        # Splits: [file, batches read]; checkpoints store them, so a job resumes where it was.
        self._files = [[file, 0] for file in files[subtask::parallelism]]

    # The job's metrics: the planner hands the reader its subtask's group.
    @property
    def metric_group(self) -> Any:
        if self._metric_group is None:
            from fluvial.datastream.connectors.metrics import SourceReaderMetricGroup

            self._metric_group = SourceReaderMetricGroup()
        return self._metric_group

    @metric_group.setter
    def metric_group(self, group: Any) -> None:
        self._metric_group = group

    def _bad_records(self) -> Any:
        if self._bad is None:
            from fluvial.datastream.formats._bad_records import BadRecords
            from fluvial.table.formats import sql_advice

            self._bad = BadRecords(self._codec.ignore_parse_errors, self.metric_group.num_records_in_errors,
                                   sql_advice(self._format))
        return self._bad

    def _batches_of(self, file: str) -> Iterator[pa.RecordBatch]:
        """A file's batches: the same on every read, so a position counts them."""
        if self._format not in ("parquet", "orc"):
            return self._file_batches(file)
        import pyarrow.dataset as ds

        # The declared schema, not one inferred from the first file.
        return iter(ds.dataset([file], format=self._format, partitioning=self._partitioning,
                               partition_base_dir=self._path, schema=self._schema)
                    .to_batches(columns=self._schema.names))

    def _file_batches(self, file: str) -> Iterator[pa.RecordBatch]:
        if self._format == "avro":
            tables = self._avro_tables(file)
        elif self._format == "raw":
            with open(file, "rb") as handle:
                lines = handle.read().split(b"\n")
            if lines and lines[-1] == b"":
                lines.pop()
            tables = iter([self._raw_table(file, lines)])
        else:
            tables = self._text_tables(file)
        partition = self._partition_values(file)
        for table in tables:
            for name in self._keys:
                value = partition[name]
                column = pa.array([value] * table.num_rows, pa.string())
                try:
                    column = column.cast(self._schema.field(name).type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
                    from fluvial.errors import ConnectorError

                    raise ConnectorError(f"filesystem table '{self._table}': partition directory {name}={value} of "
                                         f"'{file}' is not a {self._schema.field(name).type}: {error}") from None
                table = table.append_column(self._schema.field(name), column)
            yield from table.select(self._schema.names).to_batches()

    def _partition_values(self, file: str) -> Dict[str, Optional[str]]:
        import os

        if not self._keys:
            return {}
        found = partition_spec_of(os.path.relpath(os.path.dirname(file), self._path), self._default_partition)
        missing = [k for k in self._keys if k not in found]
        if missing:
            from fluvial.errors import ConnectorError

            raise ConnectorError(f"filesystem table '{self._table}': '{file}' is not under a partition directory "
                                 f"{missing[0]}=... (PARTITIONED BY {', '.join(self._keys)})")
        return found

    def _raw_table(self, file: str, lines: List[bytes]) -> pa.Table:
        field = self._data_schema.field(0)
        values = pa.array(lines, pa.binary())
        if not pa.types.is_binary(field.type):
            try:
                values = values.cast(pa.string())
            except pa.ArrowInvalid:
                self._name_line_not_utf8(file, lines)
                raise
        return pa.Table.from_arrays([values], schema=self._data_schema)

    def _name_line_not_utf8(self, file: str, lines: List[bytes]) -> None:
        """Raises ConnectorError naming the first line of a raw STRING table that is not UTF-8."""
        from fluvial.datastream.formats._bad_records import describe_value
        from fluvial.errors import ConnectorError
        from fluvial.table.formats import check_utf8

        for number, line in enumerate(lines, 1):
            try:
                check_utf8(line)
            except ValueError as error:
                raise ConnectorError(
                    f"filesystem table '{self._table}': line {number} of '{file}': cannot read it as the raw "
                    f"STRING column '{self._data_schema.field(0).name}': {error} (line {describe_value(line)}); "
                    f"fix the file, or declare the column BYTES to read the bytes as they are") from None

    def _text_tables(self, file: str) -> Iterator[pa.Table]:
        """The CSV or JSON lines of a file, a chunk of whole lines at a time; blank lines are skipped."""
        codec = self._codec
        first_line = 1
        with open(file, "rb") as handle:
            rest = b""
            while True:
                block = handle.read(_TEXT_CHUNK_BYTES)
                data = rest + block
                if not data:
                    return
                end = data.rfind(b"\n") + 1 if block else len(data)
                if end == 0:  # a line longer than the chunk: read on
                    rest = data
                    continue
                chunk, rest = data[:end], data[end:]
                try:
                    yield codec.decode_lines(chunk)
                except ValueError:
                    table = self._line_by_line(file, chunk, first_line)  # name or skip the bad lines
                    if table is not None:
                        yield table
                first_line += chunk.count(b"\n")
                if not block:
                    return

    def _line_by_line(self, file: str, chunk: bytes, first_line: int) -> Optional[pa.Table]:
        lines = [(number, line.rstrip(b"\r")) for number, line in enumerate(chunk.split(b"\n"), first_line)
                 if line.strip()]
        tables = self._good_lines(file, lines)
        return pa.concat_tables(tables) if tables else None

    def _good_lines(self, file: str, lines: List[tuple]) -> List[pa.Table]:
        """The rows of the lines that parse, in order; halves the lines until the bad ones are
        found (a bad line among n costs about 2n line parses, not n parse calls)."""
        from fluvial.datastream.formats._bad_records import describe_value

        codec = self._codec
        if len(lines) > 16:
            try:
                return [codec.decode([line for _, line in lines])]
            except ValueError:
                middle = len(lines) // 2
                return self._good_lines(file, lines[:middle]) + self._good_lines(file, lines[middle:])
        tables = []
        for number, line in lines:
            try:
                tables.append(codec.decode([line]))
            except ValueError as error:
                self._bad_records().reject(
                    f"filesystem table '{self._table}': line {number} of '{file}': cannot read it as "
                    f"{self._format.upper()} ({', '.join(self._data_schema.names)}): {error} "
                    f"(line {describe_value(line)})")
        return tables

    def _avro_tables(self, file: str) -> Iterator[pa.Table]:
        """An Avro file read with the table's schema (fastavro resolves the file's own to it)."""
        import fastavro

        from fluvial.errors import ConnectorError
        from fluvial.table.formats import arrow_rows, avro_schema

        with open(file, "rb") as handle:
            try:
                # Avro resolves records of the same name: the table's record takes the file's.
                name = fastavro.reader(handle).writer_schema.get("name", "record")
                handle.seek(0)
                reader_schema = fastavro.parse_schema(avro_schema(self._data_schema, name.split(".")[-1]))
                records = fastavro.reader(handle, reader_schema=reader_schema)
            except Exception as error:  # fastavro raises many kinds for a file that is not Avro
                raise ConnectorError(f"filesystem table '{self._table}': cannot read '{file}' as Avro of the "
                                     f"table's columns: {_short(error)}") from None
            number, chunk = 0, []
            while True:
                try:
                    record = next(records, None)
                except Exception as error:  # corrupt, cut short, or not of the table's columns
                    raise ConnectorError(f"filesystem table '{self._table}': cannot read record {number + 1} of "
                                         f"'{file}' as Avro of the table's columns: {_short(error)}") from None
                if record is not None:
                    number += 1
                    chunk.append(record)
                if chunk and (record is None or len(chunk) >= _LINES_PER_BATCH):
                    try:
                        yield arrow_rows(chunk, self._data_schema)
                    except ValueError as error:
                        raise ConnectorError(f"filesystem table '{self._table}': records {number - len(chunk) + 1}"
                                             f" to {number} of '{file}' do not fit the table's columns: "
                                             f"{error}") from None
                    chunk = []
                if record is None:
                    return

    def poll(self) -> Optional[pa.RecordBatch]:
        import itertools

        batch = None
        while batch is None and self._files:
            file, done = self._files[0]
            if self._batches is None:
                self._batches = itertools.islice(self._batches_of(file), done, None)
            batch = next(self._batches, None)
            if batch is None:
                self._files.pop(0)
                self._batches = None
            else:
                self._files[0][1] += 1
        if batch is None:
            return None
        return pa.RecordBatch.from_arrays([c.cast(f.type) for c, f in zip(batch.columns, self._schema)],
                                          schema=self._schema)


    def snapshot_state(self, checkpoint_id: int) -> List[Tuple[str, int]]:
        return [(file, done) for file, done in self._files]

    def restore_state(self, splits: List[Tuple[str, int]]) -> None:
        # Sorted: after rescaling, a subtask's splits come from several old subtasks.
        self._files = sorted([file, done] for file, done in splits)
        self._batches = None

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        pass


def _short(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= 300 else text[:297] + "..."


def _nested_columns(schema: pa.Schema) -> List[str]:
    return [f.name for f in schema if f.type.num_fields > 0]


def _partition_keys(options: Dict[str, str]) -> List[str]:
    keys = options.get("__partition_keys", "")
    return [k for k in keys.split(",") if k]


# -- lookup tables (FOR SYSTEM_TIME AS OF) ----------------------------------------------

def parse_duration(text: str, option: str) -> float:
    """Flink's duration option values ('10s', '5 min', '1h', '100ms', '30') as seconds."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|milli|millis|s|sec|second|seconds|min|minute|minutes|h|hour|"
                         r"hours|d|day|days)?\s*", str(text))
    if not match:
        raise ConnectorOptionError(f"option '{option}': expected a duration such as '10s' or '5 min', got {text!r}")
    factor = {"ms": 0.001, "milli": 0.001, "millis": 0.001, "min": 60, "minute": 60, "minutes": 60, "h": 3600,
              "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400}.get(match.group(2) or "s", 1)
    return float(match.group(1)) * factor


def _lookup_arguments(options: Dict[str, str]) -> Dict[str, Any]:
    arguments: Dict[str, Any] = {"cache_max_rows": int(options.get("lookup.cache.max-rows", "0")),
                                 "max_retries": int(options.get("lookup.max-retries", "3")),
                                 "cache_missing_key": options.get("lookup.cache.caching-missing-key",
                                                                  "true").lower() == "true"}
    if "lookup.cache.ttl" in options:
        arguments["cache_ttl"] = parse_duration(options["lookup.cache.ttl"], "lookup.cache.ttl")
    return arguments


class LookupTable:
    """Adapts a DataStream lookup function (Redis, JDBC) to the table lookup join: one fetch per batch."""

    def __init__(self, function: Any, names: List[str], key_columns: List[str]):
        self._function = function
        self._names = names
        self._key_columns = key_columns

    def open(self) -> None:
        self._function.open(None)

    def close(self) -> None:
        self._function.close()

    def fetch(self, keys: List[tuple]) -> List[Optional[Dict[str, Any]]]:
        results = []
        for key, found in zip(keys, self._function.map_batch(keys)):
            if found is None:
                results.append(None)
                continue
            row = dict(found) if isinstance(found, dict) else dict(zip(self._names, found))
            row.update(zip(self._key_columns, key))
            results.append(row)
        return results


class FileLookupTable:
    """A bounded file table as a lookup table: read once, at open(), into a dict by key."""

    def __init__(self, schema: pa.Schema, options: Dict[str, str], key_columns: List[str], table: str):
        self._schema, self._options, self._key_columns, self._table = schema, options, key_columns, table
        self._rows: Dict[tuple, Dict[str, Any]] = {}

    def open(self) -> None:
        reader = FileReader(self._schema, self._options, 0, 1, self._table)
        while True:
            batch = reader.poll()
            if batch is None:
                break
            for row in batch.to_pylist():
                self._rows[tuple(row[k] for k in self._key_columns)] = row

    def close(self) -> None:
        self._rows = {}

    def fetch(self, keys: List[tuple]) -> List[Optional[Dict[str, Any]]]:
        return [self._rows.get(key) for key in keys]


def lookup_factory(connector: str, table: str, schema: pa.Schema, options: Dict[str, str],
                   key_columns: List[str]) -> Callable[[Any], LookupTable]:
    """make_lookup(info) for a lookup join against the table, keyed by 'key_columns'."""
    from fluvial.table import store_tables

    names = schema.names
    if connector == "jdbc":
        _check_options("jdbc", options, store_tables.JDBC_OPTIONS, ["url", "table-name"])

        def make_jdbc(info: Any) -> LookupTable:
            from fluvial.datastream.connectors.jdbc import JdbcLookupFunction

            single = len(key_columns) == 1
            function = JdbcLookupFunction(store_tables.connection_options(options), options["table-name"], key_columns,
                                          key=(lambda k: k[0]) if single else (lambda k: k), columns=names,
                                          join=lambda record, found: found, **_lookup_arguments(options))
            return LookupTable(function, names, key_columns)

        return make_jdbc
    if connector == "redis":
        _check_options("redis", options, store_tables.REDIS_OPTIONS, [])
        pattern = options.get("key-pattern", ":".join("{" + c + "}" for c in key_columns))
        fields = [n for n in names if n not in key_columns]
        data_type = options.get("data-type", "hash")
        if data_type not in ("hash", "string"):
            raise ConnectorOptionError(f"table '{table}': 'data-type' must be 'hash' or 'string', got {data_type!r}")
        if data_type == "string" and len(fields) != 1:
            raise ConnectorOptionError(f"table '{table}': 'data-type' = 'string' holds one value column, but the "
                                       f"columns besides the join keys are {', '.join(fields) or 'none'}")

        def join(record: Any, found: Any) -> Any:
            if data_type == "hash" or found is None:
                return found
            return {fields[0]: found}

        def make_redis(info: Any) -> LookupTable:
            from fluvial.datastream.connectors.redis import RedisLookupFunction

            def redis_key(key: tuple) -> str:
                try:
                    return pattern.format(**dict(zip(key_columns, key)))
                except KeyError as error:
                    raise ConnectorOptionError(f"table '{table}': 'key-pattern' {pattern!r} names {error}, which is "
                                               f"not a join key ({', '.join(key_columns)})") from None

            function = RedisLookupFunction(options.get("host", "127.0.0.1"), int(options.get("port", "6379")),
                                           key=redis_key, data_type=data_type,
                                           fields=(fields or None) if data_type == "hash" else None,
                                           join=join, db=int(options.get("db", "0")),
                                           password=options.get("password"), **_lookup_arguments(options))
            return LookupTable(function, names, key_columns)

        return make_redis
    if connector == "filesystem":
        _check_options("filesystem", options, _file_options(options), ["path", "format"])
        return lambda info: FileLookupTable(schema, options, key_columns, table)
    raise ConnectorOptionError(f"table '{table}' (connector '{connector}') cannot serve a lookup join: "
                               f"FOR SYSTEM_TIME AS OF a processing-time attribute needs a 'jdbc' or 'redis' table")


# -- registry -------------------------------------------------------------------------

def source_reader_factory(connector: str, schema: pa.Schema, options: Dict[str, str],
                          rowtime: Optional[str], table_name: str = "", primary_key: List[str] = ()
                          ) -> Callable[[Any], Any]:
    """Returns (make_reader(info), bounded)."""
    if connector in ("kafka", "upsert-kafka"):
        from fluvial.table import kafka_table

        _check_options(connector, options, *kafka_table.allowed_options(connector, options))
        return kafka_table.reader_factory(connector, table_name, schema, options, list(primary_key))
    if connector == "kinesis":
        from fluvial.table import kinesis_table

        _check_options("kinesis", options, *kinesis_table.allowed_options(options))
        return kinesis_table.reader_factory(table_name, schema, options)
    if connector == "datagen":
        _check_options("datagen", options, ["rows-per-second", "number-of-rows", "seed"], [],
                       prefixes=["fields."])
        # A sequence field ends the source too (DataGenReader), as in Flink.
        bounded = "number-of-rows" in options or any(
            options.get(f"fields.{field.name}.kind") == "sequence" for field in schema)
        return (lambda info: DataGenReader(schema, options, info.index, info.parallelism, rowtime)), bounded
    if connector == "filesystem":
        _check_options("filesystem", options, _file_options(options), ["path", "format"])
        return (lambda info: FileReader(schema, options, info.index, info.parallelism, table_name)), True
    if connector == "nexmark":
        from fluvial.nexmark import OPTION_NAMES, table_reader_factory

        _check_options("nexmark", options, OPTION_NAMES, ["table"])
        try:
            return table_reader_factory(schema, options)
        except ValueError as error:
            raise ConnectorOptionError(str(error)) from None
    sources = ['datagen', 'filesystem', 'nexmark', 'kafka', 'upsert-kafka', 'kinesis']
    raise ConnectorOptionError(f"connector '{connector}' cannot be read by Fluvial's SQL yet"
                               f"{_suggest(connector, sources)} (sources: {', '.join(sources)})")


_SINKS = ["print", "blackhole", "filesystem", "kafka", "upsert-kafka", "kinesis", "jdbc", "redis"]


def sink_writer_factory(connector: str, schema: pa.Schema, options: Dict[str, str], table_name: str,
                        primary_key: List[str] = ()):
    """Returns make_writer(info) → object with write(batch, row_kinds) and finish() (and
    optionally open() and close())."""
    if connector in ("kafka", "upsert-kafka"):
        from fluvial.table import kafka_table

        _check_options(connector, options, *kafka_table.allowed_options(connector, options))
        return kafka_table.writer_factory(connector, table_name, schema, options, list(primary_key))
    if connector == "kinesis":
        from fluvial.table import kinesis_table

        _check_options("kinesis", options, *kinesis_table.allowed_options(options))
        return kinesis_table.writer_factory(table_name, schema, options)
    if connector in ("jdbc", "redis"):
        from fluvial.table import store_tables

        if connector == "jdbc":
            _check_options("jdbc", options, store_tables.JDBC_OPTIONS, ["url", "table-name"])
            return store_tables.jdbc_writer_factory(table_name, schema, options, list(primary_key))
        _check_options("redis", options, store_tables.REDIS_OPTIONS, [])
        return store_tables.redis_writer_factory(table_name, schema, options, list(primary_key))
    if connector == "print":
        _check_options("print", options, ["print-identifier", "standard-error", "sink.parallelism"], [])
        return lambda info: PrintWriter(options, info.index, info.parallelism)
    if connector == "blackhole":
        _check_options("blackhole", options, [], [])
        return lambda info: BlackholeWriter()
    if connector == "test-sink":
        # PyFlink's test harness sink (pyflink.testing.source_sink_utils reads what it collects).
        from fluvial.testing.source_sink_utils import test_sink_writer_factory

        _check_options("test-sink", options, [], [])
        return test_sink_writer_factory(schema, options)
    if connector == "filesystem":
        _check_options("filesystem", options, _file_options(options), ["path", "format"])
        nested = _nested_columns(schema) if options.get("format") in ("csv", "raw") else []
        if nested:
            raise ConnectorOptionError(f"table '{table_name}': 'format' = '{options['format']}' cannot write ARRAY, "
                                       f"MAP or ROW column(s) {nested}; use 'json' or 'parquet'")
        return lambda info: FileWriter(options, info.index, table_name, schema)
    raise ConnectorOptionError(f"connector '{connector}' cannot be written by Fluvial's SQL yet"
                               f"{_suggest(connector, _SINKS)} (sinks: {', '.join(_SINKS)})")


class PrintWriter:
    """Prints each row as Flink's print connector: '+I[1, a]', prefixed by the identifier and subtask."""

    def __init__(self, options: Dict[str, str], subtask: int, parallelism: int):
        identifier = options.get("print-identifier")
        prefix = identifier or ""
        if parallelism > 1:
            prefix = f"{prefix}:{subtask + 1}" if prefix else str(subtask + 1)
        self._prefix = f"{prefix}> " if prefix else ""
        self._stream = sys.stderr if options.get("standard-error", "false") == "true" else None

    def write(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
        from fluvial.table._java_text import java_values, print_row_text

        stream = self._stream or sys.stdout
        columns = [java_values(c) for c in batch.columns]
        kinds = ("+I", "-U", "+U", "-D")
        for index, values in enumerate(zip(*columns)):
            kind = kinds[row_kinds[index]] if row_kinds else "+I"
            stream.write(self._prefix + print_row_text(kind, list(values)) + "\n")
        # As Java's System.out: what was printed is out even if the job is then killed.
        stream.flush()

    def finish(self) -> None:
        (self._stream or sys.stdout).flush()

    # Checkpoints: printed rows are not taken back (at least once, as Flink's print sink).
    def snapshot_state(self, checkpoint_id: int) -> None:
        (self._stream or sys.stdout).flush()

    def restore_state(self, state: Any) -> None:
        pass

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        pass


class BlackholeWriter:
    def write(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
        pass

    def finish(self) -> None:
        pass

    def snapshot_state(self, checkpoint_id: int) -> None:
        return None

    def restore_state(self, state: Any) -> None:
        pass

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        pass


class FileWriter:
    """Writes append-only rows into part files under 'path' (one per subtask and partition); with
    partition keys, into Hive-style directories (dt=2024-01-01/hour=10/) without those columns.

    Partition values are escaped as Flink escapes them (``_partition_path``: ``../x`` is one
    directory ``k=..%2Fx``, never a path out of the table); NULL, '' and blank values go to the
    default partition (``partition.default-name``, ``__DEFAULT_PARTITION__``).

    Every file is written hidden and renamed to a final name no other writer uses
    (``part-<random>-<subtask>-<n>``), so INSERTs into one table add files and never replace
    any. Without checkpoints the rows are written when the input ends. With checkpoints the
    writer commits in two phases, as the DataStream FileSink and with its file naming and
    cleanup (``_part_files``): at each checkpoint the rows since the last one go into hidden
    in-progress files (pre-commit, listed in the checkpoint), renamed to their final names when
    that checkpoint completes — or when a job resumes from it. A committed file is never
    overwritten; on a restart or restore, this sink's in-progress files of checkpoints that
    never completed are removed — only this sink's, never another job's in the same path."""

    def __init__(self, options: Dict[str, str], subtask: int, table_name: str, schema: pa.Schema):
        import os

        self._path = _local_path(options)
        self._format = options["format"]
        if self._format not in ("csv", "json", "avro", "parquet", "raw"):
            raise ConnectorOptionError(f"unsupported 'format' = '{self._format}' for a filesystem sink "
                                       f"(supported: csv, json, avro, parquet, raw)")
        if self._format == "avro":
            import fastavro

            from fluvial.table.formats import avro_schema

            self._avro = fastavro.parse_schema(avro_schema(pa.schema(
                [f for f in schema if f.name not in _partition_keys(options)])))
            self._avro_codec = options.get("avro.codec", "null")
            if self._avro_codec not in _AVRO_CODECS:
                raise ConnectorOptionError(f"'avro.codec' must be one of {', '.join(_AVRO_CODECS)}, "
                                           f"got {self._avro_codec!r}")
        if self._format == "json":
            from fluvial.table.formats import json_timestamp_standard

            self._iso_timestamps = json_timestamp_standard(options.get("json.timestamp-format.standard"),
                                                           f"table '{table_name}'")
        os.makedirs(self._path, exist_ok=True)
        self._subtask = subtask
        self._keys = _partition_keys(options)
        self._default_partition = options.get("partition.default-name", DEFAULT_PARTITION_NAME)
        self._batches: List[pa.RecordBatch] = []
        self._table = table_name
        self._sink_name = f"filesystem sink of table '{table_name}'"
        # Final file names: part-<this writer>-<subtask>-<checkpoint id, or 0>.
        self._writer_id = uuid.uuid4().hex
        # Who writes the in-progress files (see _part_files): this run only, or with
        # checkpoints the job's sink and this attempt (_identify_sink, _enable_two_phase_commit).
        self._sink_id = random_sink_id()
        self._attempt = random_attempt()
        self._two_phase = False
        self._pending: List[Tuple[int, str, str]] = []  # (checkpoint id, in-progress file, final file)

    def write(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
        if row_kinds is not None and any(k != 0 for k in row_kinds):
            raise PlanningError(f"table '{self._table}' (filesystem) takes only inserts, but the query produces "
                                f"updates; write it to an upsert-capable sink or aggregate in a window")
        self._batches.append(batch)

    def open(self) -> None:
        if self._two_phase and self._subtask == 0:
            # This sink's in-progress files of an earlier attempt that the restored checkpoint
            # does not hold (what it holds restore_state committed before any writer opened).
            remove_leftovers(self._path, self._sink_id, self._attempt)

    def finish(self) -> None:
        if self._two_phase:
            return  # the final checkpoint pre-commits the rest, its completion commits it
        for directory, table in self._parts():
            final = os.path.join(directory, self._file_name(0))
            hidden = unfinished_path(final, self._sink_id, self._attempt)
            self._write(table, hidden)
            commit(hidden, final, self._sink_name)

    def _file_name(self, number: int) -> str:
        extension = "txt" if self._format == "raw" else self._format
        return f"part-{self._writer_id}-{self._subtask}-{number}.{extension}"

    # -- checkpoints (two-phase commit)

    def _enable_two_phase_commit(self, attempt: str) -> None:
        self._two_phase = True
        self._attempt = attempt

    def _identify_sink(self, sink_id: str) -> None:
        self._sink_id = sink_id

    def snapshot_state(self, checkpoint_id: int) -> Dict[str, Any]:
        for directory, table in self._parts():
            final = os.path.join(directory, self._file_name(checkpoint_id))
            hidden = unfinished_path(final, self._sink_id, self._attempt)
            self._write(table, hidden)
            self._pending.append((checkpoint_id, hidden, final))
        self._batches = []
        return {"pending": list(self._pending)}

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        from fluvial.datastream._checkpointing import fault_point

        done = [p for p in self._pending if p[0] <= checkpoint_id]
        for _, hidden, final in done:
            fault_point("file-sink-commit")
            commit(hidden, final, self._sink_name)
        self._pending = [p for p in self._pending if p[0] > checkpoint_id]

    def restore_state(self, state: Dict[str, Any]) -> None:
        # Files pre-committed for the checkpoint the job resumes from: that checkpoint completed.
        for _, hidden, final in state.get("pending", []):
            commit(hidden, final, self._sink_name)

    # -- writing

    def _parts(self) -> Iterator[Tuple[str, pa.Table]]:
        """(directory, rows) per partition of the rows written since the last call."""
        import pyarrow.compute as pc

        if not self._batches:
            return
        table = pa.Table.from_batches(self._batches)
        self._batches = []
        if not self._keys:
            yield self._path, table
            return
        groups = table.group_by(self._keys).aggregate([]).to_pylist()
        # Escaped, so a value from the data is one directory name under the table's path.
        # Several groups can share one (NULL, '' and blank values: the default partition).
        masks: Dict[str, Any] = {}
        for group in groups:
            mask = None
            for key in self._keys:
                value = group[key]
                # (equal() is null on null rows: false here, or or_() below would drop them)
                column = table[key]
                condition = pc.is_null(column) if value is None else pc.fill_null(pc.equal(column, value), False)
                mask = condition if mask is None else pc.and_(mask, condition)
            directory = os.path.join(self._path, partition_path([(k, group[k]) for k in self._keys],
                                                                self._default_partition))
            masks[directory] = pc.or_(masks[directory], mask) if directory in masks else mask
        for directory, mask in masks.items():
            try:
                os.makedirs(directory, exist_ok=True)
            except OSError as error:
                raise ConnectorError(f"{self._sink_name}: cannot create the partition directory {directory!r}: "
                                     f"{error.strerror}") from None
            yield directory, table.filter(mask).drop_columns(self._keys)

    def _write(self, table: pa.Table, file: str) -> None:
        if self._format == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, file)
        elif self._format == "csv":
            import pyarrow.csv as pacsv

            pacsv.write_csv(table, file, pacsv.WriteOptions(include_header=False))
        elif self._format == "avro":
            import fastavro

            from fluvial.table.formats import avro_records

            with open(file, "wb") as out:
                fastavro.writer(out, self._avro, avro_records(table), codec=self._avro_codec)
        elif self._format == "raw":
            if table.num_columns != 1:
                raise ConnectorOptionError("'format' = 'raw' writes one column per line")
            with open(file, "wb") as out:
                for value in table.column(0).to_pylist():
                    out.write((value if isinstance(value, bytes) else str(value).encode()) + b"\n")
        else:
            import json

            with open(file, "w") as out:
                # MAP values as JSON objects, as Flink's JSON format writes them.
                from fluvial.table.formats import _iso_json_value, _json_value

                # Timestamps as Flink writes them, milliseconds when they fit (so TIMESTAMP(3) reads back).
                default = _iso_json_value if self._iso_timestamps else _json_value
                for row in table.to_pylist(maps_as_pydicts="lossy"):
                    out.write(json.dumps(row, default=default) + "\n")
        if self._two_phase:
            with open(file, "rb") as written:
                os.fsync(written.fileno())


__all__ = ["ConnectorOptionError"]
