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

_FORMATS = {"csv": "csv", "json": "json", "parquet": "parquet", "orc": "orc", "raw": "raw"}


class FileReader:
    """The files of a filesystem table (csv, json, parquet, orc, raw), split among subtasks by
    file; with partition keys, the values come from Hive-style directories (dt=2024-01-01/)."""

    def __init__(self, schema: pa.Schema, options: Dict[str, str], subtask: int, parallelism: int):
        import os

        import pyarrow.dataset as ds

        fmt = options["format"]
        if fmt not in _FORMATS:
            raise ConnectorOptionError(f"unsupported 'format' = '{fmt}' for connector 'filesystem' "
                                       f"(supported: {', '.join(_FORMATS)})")
        path = options["path"]
        if path.startswith("file://"):
            path = path[len("file://"):]
        if not os.path.exists(path):
            raise FileNotFoundError(f"filesystem table: path '{path}' does not exist")
        keys = _partition_keys(options)
        data_schema = pa.schema([f for f in schema if f.name not in keys])
        partitioning = ds.partitioning(pa.schema([schema.field(k) for k in keys]), flavor="hive") if keys else None
        self._schema = schema
        self._raw = fmt == "raw"
        if self._raw:
            if len(data_schema) != 1:
                raise ConnectorOptionError("'format' = 'raw' reads one column (STRING or BYTES) per line")
            files = sorted(os.path.join(d, f) for d, _, names in os.walk(path) for f in names
                           if not f.startswith((".", "_")))
            self._batches = (self._raw_batch(file) for file in files[subtask::parallelism])
            return
        if fmt == "csv":
            import pyarrow.csv as pacsv

            delimiter = options.get("csv.field-delimiter", ",")
            file_format = ds.CsvFileFormat(
                parse_options=pacsv.ParseOptions(delimiter=delimiter),
                read_options=pacsv.ReadOptions(column_names=data_schema.names),
                convert_options=pacsv.ConvertOptions(column_types=data_schema))
        elif fmt == "json" and any(_has_map(f.type) for f in data_schema):
            # Arrow's JSON reader has no MAP type: JSON objects of such columns are read here.
            if keys:
                raise ConnectorOptionError("a partitioned 'json' table with MAP columns is not supported yet")
            files = sorted(os.path.join(d, f) for d, _, names in os.walk(path) for f in names
                           if not f.startswith((".", "_")))
            self._batches = (_json_batch(file, schema) for file in files[subtask::parallelism])
            return
        elif fmt == "json":
            import pyarrow.json as pajson

            # The declared types, not inferred ones ('2024-01-01' stays a STRING).
            file_format = ds.JsonFileFormat(parse_options=pajson.ParseOptions(explicit_schema=data_schema))
        else:
            file_format = fmt
        dataset = ds.dataset(path, format=file_format, partitioning=partitioning)
        files = sorted(dataset.files)[subtask::parallelism]
        # The declared schema, not one inferred from the first file (JSON would read '2024-01-01'
        # as a timestamp).
        self._batches = iter(ds.dataset(files, format=file_format, partitioning=partitioning,
                                        partition_base_dir=path, schema=schema).to_batches(columns=schema.names)
                             if files else [])

    def _raw_batch(self, file: str) -> pa.RecordBatch:
        with open(file, "rb") as handle:
            lines = handle.read().splitlines()
        field = self._schema.field(0)
        values = pa.array(lines, pa.binary())
        if not pa.types.is_binary(field.type):
            values = values.cast(pa.string())
        return pa.RecordBatch.from_arrays([values], schema=self._schema)

    def poll(self) -> Optional[pa.RecordBatch]:
        batch = next(self._batches, None)
        if batch is None:
            return None
        return pa.RecordBatch.from_arrays([c.cast(f.type) for c, f in zip(batch.columns, self._schema)],
                                          schema=self._schema)


def _has_map(arrow_type: pa.DataType) -> bool:
    if pa.types.is_map(arrow_type):
        return True
    return any(_has_map(arrow_type.field(i).type) for i in range(arrow_type.num_fields))


def _nested_columns(schema: pa.Schema) -> List[str]:
    return [f.name for f in schema if f.type.num_fields > 0]


def _json_batch(file: str, schema: pa.Schema) -> pa.RecordBatch:
    """A JSON-lines file as one batch of 'schema' (MAP columns from JSON objects)."""
    import json

    rows = []
    with open(file, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as error:
                raise ValueError(f"file '{file}', line {number}: not a JSON object: {error}") from None
            rows.append({name: _json_value(record.get(name), field_.type) for name, field_ in
                         zip(schema.names, schema)})
    try:
        return pa.RecordBatch.from_pylist(rows, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise ValueError(f"file '{file}': a record does not fit the declared schema: {error}") from None


def _json_value(value: Any, arrow_type: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_map(arrow_type):
        if not isinstance(value, dict):
            raise ValueError(f"expected a JSON object for {arrow_type}, got {value!r}")
        return [(k, _json_value(v, arrow_type.item_type)) for k, v in value.items()]
    if pa.types.is_list(arrow_type) and isinstance(value, list):
        return [_json_value(v, arrow_type.value_type) for v in value]
    return value


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


_LOOKUP_OPTIONS = ["lookup.cache.max-rows", "lookup.cache.ttl", "lookup.cache.caching-missing-key",
                   "lookup.max-retries"]


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

    def __init__(self, schema: pa.Schema, options: Dict[str, str], key_columns: List[str]):
        self._schema, self._options, self._key_columns = schema, options, key_columns
        self._rows: Dict[tuple, Dict[str, Any]] = {}

    def open(self) -> None:
        reader = FileReader(self._schema, self._options, 0, 1)
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
    names = schema.names
    if connector == "jdbc":
        _check_options("jdbc", options, ["url", "table-name", "username", "password", "driver"] + _LOOKUP_OPTIONS,
                       ["url", "table-name"])

        def make_jdbc(info: Any) -> LookupTable:
            from fluvial.datastream.connectors.jdbc import JdbcConnectionOptions, JdbcLookupFunction

            builder = JdbcConnectionOptions.JdbcConnectionOptionsBuilder().with_url(options["url"])
            if "driver" in options:
                builder = builder.with_driver_name(options["driver"])
            if "username" in options:
                builder = builder.with_user_name(options["username"])
            if "password" in options:
                builder = builder.with_password(options["password"])
            single = len(key_columns) == 1
            function = JdbcLookupFunction(builder.build(), options["table-name"], key_columns,
                                          key=(lambda k: k[0]) if single else (lambda k: k), columns=names,
                                          join=lambda record, found: found, **_lookup_arguments(options))
            return LookupTable(function, names, key_columns)

        return make_jdbc
    if connector == "redis":
        _check_options("redis", options, ["host", "port", "db", "password", "key-pattern"] + _LOOKUP_OPTIONS, [])
        pattern = options.get("key-pattern", ":".join("{" + c + "}" for c in key_columns))
        fields = [n for n in names if n not in key_columns]

        def make_redis(info: Any) -> LookupTable:
            from fluvial.datastream.connectors.redis import RedisLookupFunction

            def redis_key(key: tuple) -> str:
                try:
                    return pattern.format(**dict(zip(key_columns, key)))
                except KeyError as error:
                    raise ConnectorOptionError(f"table '{table}': 'key-pattern' {pattern!r} names {error}, which is "
                                               f"not a join key ({', '.join(key_columns)})") from None

            function = RedisLookupFunction(options.get("host", "127.0.0.1"), int(options.get("port", "6379")),
                                           key=redis_key, data_type="hash", fields=fields or None,
                                           join=lambda record, found: found, db=int(options.get("db", "0")),
                                           password=options.get("password"), **_lookup_arguments(options))
            return LookupTable(function, names, key_columns)

        return make_redis
    if connector == "filesystem":
        _check_options("filesystem", options, ["path", "format", "csv.field-delimiter"], ["path", "format"])
        return lambda info: FileLookupTable(schema, options, key_columns)
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
    if connector == "datagen":
        _check_options("datagen", options, ["rows-per-second", "number-of-rows", "seed"], [],
                       prefixes=["fields."])
        bounded = "number-of-rows" in options
        return (lambda info: DataGenReader(schema, options, info.index, info.parallelism, rowtime)), bounded
    if connector == "filesystem":
        # csv/json.ignore-parse-errors are not implemented for SQL file tables yet: refused, not ignored.
        _check_options("filesystem", options, ["path", "format", "csv.field-delimiter"], ["path", "format"])
        return (lambda info: FileReader(schema, options, info.index, info.parallelism)), True
    if connector == "nexmark":
        from fluvial.nexmark import OPTION_NAMES, table_reader_factory

        _check_options("nexmark", options, OPTION_NAMES, ["table"])
        try:
            return table_reader_factory(schema, options)
        except ValueError as error:
            raise ConnectorOptionError(str(error)) from None
    raise ConnectorOptionError(f"connector '{connector}' cannot be read by Fluvial's SQL yet"
                               f"{_suggest(connector, ['datagen', 'filesystem', 'nexmark', 'kafka', 'upsert-kafka'])} "
                               f"(sources: datagen, filesystem, nexmark, kafka, upsert-kafka)")


def sink_writer_factory(connector: str, schema: pa.Schema, options: Dict[str, str], table_name: str,
                        primary_key: List[str] = ()):
    """Returns make_writer(info) → object with write(batch, row_kinds) and finish() (and
    optionally open() and close())."""
    if connector in ("kafka", "upsert-kafka"):
        from fluvial.table import kafka_table

        _check_options(connector, options, *kafka_table.allowed_options(connector, options))
        return kafka_table.writer_factory(connector, table_name, schema, options, list(primary_key))
    if connector == "print":
        _check_options("print", options, ["print-identifier", "standard-error", "sink.parallelism"], [])
        return lambda info: PrintWriter(options, info.index, info.parallelism)
    if connector == "blackhole":
        _check_options("blackhole", options, [], [])
        return lambda info: BlackholeWriter()
    if connector == "filesystem":
        _check_options("filesystem", options, ["path", "format", "csv.field-delimiter"], ["path", "format"])
        nested = _nested_columns(schema) if options.get("format") in ("csv", "raw") else []
        if nested:
            raise ConnectorOptionError(f"table '{table_name}': 'format' = '{options['format']}' cannot write ARRAY, "
                                       f"MAP or ROW column(s) {nested}; use 'json' or 'parquet'")
        return lambda info: FileWriter(options, info.index, table_name)
    raise ConnectorOptionError(f"connector '{connector}' cannot be written by Fluvial's SQL yet"
                               f"{_suggest(connector, ['print', 'blackhole', 'filesystem', 'kafka', 'upsert-kafka'])} "
                               f"(sinks: print, blackhole, filesystem, kafka, upsert-kafka)")


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
    """Writes append-only rows into part files under 'path' (one per subtask and partition); with
    partition keys, into Hive-style directories (dt=2024-01-01/hour=10/) without those columns."""

    def __init__(self, options: Dict[str, str], subtask: int, table_name: str):
        import os

        self._path = options["path"][len("file://"):] if options["path"].startswith("file://") else options["path"]
        self._format = options["format"]
        if self._format not in ("csv", "json", "parquet", "raw"):
            raise ConnectorOptionError(f"unsupported 'format' = '{self._format}' for a filesystem sink "
                                       f"(supported: csv, json, parquet, raw)")
        os.makedirs(self._path, exist_ok=True)
        self._subtask = subtask
        self._keys = _partition_keys(options)
        self._batches: List[pa.RecordBatch] = []
        self._table = table_name

    def write(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
        if row_kinds is not None and any(k != 0 for k in row_kinds):
            raise PlanningError(f"table '{self._table}' (filesystem) takes only inserts, but the query produces "
                                f"updates; write it to an upsert-capable sink or aggregate in a window")
        self._batches.append(batch)

    def finish(self) -> None:
        import os

        import pyarrow.compute as pc

        if not self._batches:
            return
        table = pa.Table.from_batches(self._batches)
        if not self._keys:
            self._write(table, self._path)
            return
        groups = table.group_by(self._keys).aggregate([]).to_pylist()
        for group in groups:
            mask = None
            for key in self._keys:
                value = group[key]
                condition = pc.is_null(table[key]) if value is None else pc.equal(table[key], value)
                mask = condition if mask is None else pc.and_(mask, condition)
            part = table.filter(mask).drop_columns(self._keys)
            names = [f"{k}={'__HIVE_DEFAULT_PARTITION__' if group[k] is None else group[k]}" for k in self._keys]
            directory = os.path.join(self._path, *names)
            os.makedirs(directory, exist_ok=True)
            self._write(part, directory)

    def _write(self, table: pa.Table, directory: str) -> None:
        import os

        file = os.path.join(directory, f"part-{self._subtask}-0.{'txt' if self._format == 'raw' else self._format}")
        if self._format == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, file)
        elif self._format == "csv":
            import pyarrow.csv as pacsv

            pacsv.write_csv(table, file, pacsv.WriteOptions(include_header=False))
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
                for row in table.to_pylist(maps_as_pydicts="lossy"):
                    out.write(json.dumps(row, default=str) + "\n")


__all__ = ["ConnectorOptionError"]
