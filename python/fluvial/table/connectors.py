"""The connectors behind CREATE TABLE ... WITH ('connector' = ...): sources
that produce Arrow record batches and sinks that consume them. Options use
Flink's names; a misspelled or missing option is an error naming it."""

import sys
from typing import Any, Callable, Dict, List, Optional

import pyarrow as pa

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
        if key == "connector" or key in allowed or any(key.startswith(p) for p in prefixes):
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
        self._rng = np.random.default_rng(int(options.get("seed", "0")) + subtask)
        total = int(options["number-of-rows"]) if "number-of-rows" in options else None
        self._remaining = None if total is None else total // parallelism + (1 if subtask < total % parallelism else 0)
        self._rate = float(options.get("rows-per-second", "10000")) / parallelism
        self._emitted = 0
        self._subtask, self._parallelism = subtask, parallelism
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

        if self._remaining is not None and self._remaining <= 0:
            return None
        if self._started is None:
            self._started = time.monotonic()
        allowed = int((time.monotonic() - self._started) * self._rate) + 1 - self._emitted
        if allowed <= 0:
            time.sleep(min(0.05, 1.0 / self._rate))
            return pa.RecordBatch.from_pylist([], schema=self._schema)
        count = min(self.BATCH, allowed, self._remaining if self._remaining is not None else self.BATCH)
        batch = pa.RecordBatch.from_arrays([self._column(f, count) for f in self._schema], schema=self._schema)
        self._emitted += count
        if self._remaining is not None:
            self._remaining -= count
        return batch

    def _column(self, field: pa.Field, count: int) -> pa.Array:
        import numpy as np

        o, name, t = self._options, field.name, field.type
        if o.get(f"fields.{name}.kind", "random") == "sequence":
            start, end = int(o[f"fields.{name}.start"]), int(o[f"fields.{name}.end"])
            first = start + self._subtask + self._emitted * self._parallelism
            values = np.arange(first, first + count * self._parallelism, self._parallelism)[:count]
            if values.size and values[-1] > end:
                raise ConnectorOptionError(f"sequence field '{name}' ran past its end {end}: raise "
                                           f"'fields.{name}.end' or lower 'number-of-rows'")
            return pa.array(values).cast(t) if not pa.types.is_string(t) else pa.array(values.astype(str))
        if pa.types.is_integer(t):
            low = int(o.get(f"fields.{name}.min", -(2 ** 31)))
            high = int(o.get(f"fields.{name}.max", 2 ** 31 - 1))
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

_FORMATS = {"csv": "csv", "json": "json", "parquet": "parquet", "orc": "orc"}


class FileReader:
    def __init__(self, schema: pa.Schema, options: Dict[str, str], subtask: int, parallelism: int):
        import pyarrow.dataset as ds

        fmt = options["format"]
        if fmt not in _FORMATS:
            raise ConnectorOptionError(f"unsupported 'format' = '{fmt}' for connector 'filesystem' "
                                       f"(supported: {', '.join(_FORMATS)})")
        path = options["path"]
        if path.startswith("file://"):
            path = path[len("file://"):]
        import os

        if not os.path.exists(path):
            raise FileNotFoundError(f"filesystem table: path '{path}' does not exist")
        if fmt == "csv":
            import pyarrow.csv as pacsv

            delimiter = options.get("csv.field-delimiter", ",")
            file_format = ds.CsvFileFormat(
                parse_options=pacsv.ParseOptions(delimiter=delimiter),
                read_options=pacsv.ReadOptions(column_names=schema.names),
                convert_options=pacsv.ConvertOptions(column_types=schema))
        elif fmt == "json":
            file_format = ds.JsonFileFormat()
        else:
            file_format = fmt
        dataset = ds.dataset(path, format=file_format)
        files = sorted(dataset.files)[subtask::parallelism]
        self._batches = iter(ds.dataset(files, format=file_format).to_batches(columns=schema.names)
                             if files else [])
        self._schema = schema

    def poll(self) -> Optional[pa.RecordBatch]:
        batch = next(self._batches, None)
        if batch is None:
            return None
        return pa.RecordBatch.from_arrays([c.cast(f.type) for c, f in zip(batch.columns, self._schema)],
                                          schema=self._schema)


# -- registry -------------------------------------------------------------------------

def source_reader_factory(connector: str, schema: pa.Schema, options: Dict[str, str],
                          rowtime: Optional[str]) -> Callable[[Any], Any]:
    """Returns (make_reader(info), bounded)."""
    if connector == "datagen":
        _check_options("datagen", options, ["rows-per-second", "number-of-rows", "seed"], [],
                       prefixes=["fields."])
        bounded = "number-of-rows" in options
        return (lambda info: DataGenReader(schema, options, info.index, info.parallelism, rowtime)), bounded
    if connector == "filesystem":
        _check_options("filesystem", options, ["path", "format", "csv.field-delimiter", "csv.ignore-parse-errors",
                                               "json.ignore-parse-errors", "source.monitor-interval"],
                       ["path", "format"])
        return (lambda info: FileReader(schema, options, info.index, info.parallelism)), True
    raise ConnectorOptionError(f"connector '{connector}' cannot be read by Fluvial's SQL yet"
                               f"{_suggest(connector, ['datagen', 'filesystem'])} (sources: datagen, filesystem)")


def sink_writer_factory(connector: str, schema: pa.Schema, options: Dict[str, str], table_name: str):
    """Returns make_writer(info) → object with write(batch, row_kinds) and finish()."""
    if connector == "print":
        _check_options("print", options, ["print-identifier", "standard-error", "sink.parallelism"], [])
        return lambda info: PrintWriter(options, info.index, info.parallelism)
    if connector == "blackhole":
        _check_options("blackhole", options, [], [])
        return lambda info: BlackholeWriter()
    if connector == "filesystem":
        _check_options("filesystem", options, ["path", "format", "csv.field-delimiter"], ["path", "format"])
        return lambda info: FileWriter(options, info.index, table_name)
    raise ConnectorOptionError(f"connector '{connector}' cannot be written by Fluvial's SQL yet"
                               f"{_suggest(connector, ['print', 'blackhole', 'filesystem'])} "
                               f"(sinks: print, blackhole, filesystem)")


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
        from fluvial.common._display import display
        from fluvial.table.table_result import rows_of

        stream = self._stream or sys.stdout
        for row in rows_of(batch, row_kinds):
            stream.write(self._prefix + display(row) + "\n")

    def finish(self) -> None:
        (self._stream or sys.stdout).flush()


class BlackholeWriter:
    def write(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
        pass

    def finish(self) -> None:
        pass


class FileWriter:
    """Writes append-only rows into part files under 'path' (one per subtask)."""

    def __init__(self, options: Dict[str, str], subtask: int, table_name: str):
        import os

        self._path = options["path"][len("file://"):] if options["path"].startswith("file://") else options["path"]
        self._format = options["format"]
        if self._format not in ("csv", "json", "parquet"):
            raise ConnectorOptionError(f"unsupported 'format' = '{self._format}' for a filesystem sink")
        os.makedirs(self._path, exist_ok=True)
        self._file = os.path.join(self._path, f"part-{subtask}-0.{self._format}")
        self._batches: List[pa.RecordBatch] = []
        self._table = table_name

    def write(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
        if row_kinds is not None and any(k != 0 for k in row_kinds):
            raise PlanningError(f"table '{self._table}' (filesystem) takes only inserts, but the query produces "
                                f"updates; write it to an upsert-capable sink or aggregate in a window")
        self._batches.append(batch)

    def finish(self) -> None:
        if not self._batches:
            return
        table = pa.Table.from_batches(self._batches)
        if self._format == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, self._file)
        elif self._format == "csv":
            import pyarrow.csv as pacsv

            pacsv.write_csv(table, self._file, pacsv.WriteOptions(include_header=False))
        else:
            import json

            with open(self._file, "w") as out:
                for row in table.to_pylist():
                    out.write(json.dumps(row, default=str) + "\n")

__all__ = ["ConnectorOptionError"]
