"""SQL sinks into stores: INSERT INTO a 'connector' = 'jdbc' or 'redis' table. The writing
is the DataStream connectors' (datastream/connectors/jdbc.py and redis.py: their
connections, batching, retries and error messages); what is here is the table side,
which turns a changelog into appends, upserts and deletes.

Flink's semantics: a table without a PRIMARY KEY takes only inserts (an updating query is
refused when the job is planned); with one, +I and +U upsert the row of their key, -D
deletes it and -U is dropped (the +U after it replaces the row).
"""

import datetime
import decimal
import sys
from typing import Any, Callable, Dict, List, Optional, Tuple

import pyarrow as pa

from fluvial.table.expressions import PlanningError

__all__: List[str] = []  # used through CREATE TABLE ... WITH ('connector' = ...), not imported

_KINDS = {0: "+I", 1: "-U", 2: "+U", 3: "-D"}
LOOKUP_OPTIONS = ["lookup.cache.max-rows", "lookup.cache.ttl", "lookup.cache.caching-missing-key",
                  "lookup.max-retries"]
JDBC_OPTIONS = ["url", "table-name", "username", "password", "driver", "sink.buffer-flush.max-rows",
                "sink.buffer-flush.interval", "sink.max-retries"] + LOOKUP_OPTIONS
REDIS_OPTIONS = ["host", "port", "db", "password", "key-pattern", "data-type", "ttl"] + LOOKUP_OPTIONS


def _option_error(message: str) -> Exception:
    from fluvial.table.connectors import ConnectorOptionError

    return ConnectorOptionError(message)


def refuse_updates(table: str, connector: str, primary_key: List[str]) -> None:
    """Raised when an updating query is written into a store table that cannot take updates."""
    if connector in ("jdbc", "redis") and not primary_key:
        raise PlanningError(f"table '{table}' ('connector' = '{connector}') has no PRIMARY KEY, so it takes only "
                            f"inserts, but the query produces updates; declare the key the rows are upserted by, "
                            f"e.g. PRIMARY KEY (id) NOT ENFORCED")


def _rows(batch: pa.RecordBatch) -> List[tuple]:
    return list(zip(*(column.to_pylist() for column in batch.columns)))


def _changes(table: str, connector: str, batch: pa.RecordBatch, row_kinds: Optional[bytes],
             upsert: bool) -> List[Tuple[bool, tuple]]:
    """The batch as (delete, row) changes: -U dropped; without a key, inserts only."""
    rows = _rows(batch)
    if row_kinds is None:
        return [(False, row) for row in rows]
    if not upsert:
        if any(k != 0 for k in row_kinds):
            kind = _KINDS[next(k for k in row_kinds if k != 0)]
            raise PlanningError(f"table '{table}' ('connector' = '{connector}') has no PRIMARY KEY, so it takes "
                                f"only inserts, but the query produces updates ({kind} rows); declare the key the "
                                f"rows are upserted by, e.g. PRIMARY KEY (id) NOT ENFORCED")
        return [(False, row) for row in rows]
    return [(kind == 3, row) for row, kind in zip(rows, row_kinds) if kind != 1]


def _positive_int(options: Dict[str, str], name: str, default: int, minimum: int) -> int:
    text = options.get(name, str(default))
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise _option_error(f"option '{name}' must be an integer >= {minimum}, got {text!r}")
    return value


# -- jdbc ------------------------------------------------------------------------------------

def connection_options(options: Dict[str, str]) -> Any:
    """The table's JdbcConnectionOptions (url, driver, username, password)."""
    from fluvial.datastream.connectors.jdbc import JdbcConnectionOptions

    builder = JdbcConnectionOptions.JdbcConnectionOptionsBuilder().with_url(options["url"])
    if "driver" in options:
        builder = builder.with_driver_name(options["driver"])
    if "username" in options:
        builder = builder.with_user_name(options["username"])
    if "password" in options:
        builder = builder.with_password(options["password"])
    return builder.build()


class _StoreTableWriter:
    """Checkpoints of the jdbc and redis table sinks (over a DataStream writer ``_writer``):
    at a checkpoint the writer flushes what it buffered, so every change before the barrier
    is in the store when the checkpoint completes; nothing is stored in the checkpoint. After
    a recovery the changes since the last checkpoint are written again: upserts and deletes
    by key are idempotent, so the store converges on the exact result (an append-only jdbc
    table, without a PRIMARY KEY, gets those rows at least once)."""

    _writer: Any

    def snapshot_state(self, checkpoint_id: int) -> None:
        self._writer.snapshot_state(checkpoint_id)

    def restore_state(self, state: Any) -> None:
        pass  # snapshot_state stores nothing

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        pass  # written before the checkpoint completed: nothing to commit


def jdbc_writer_factory(table: str, schema: pa.Schema, options: Dict[str, str],
                        primary_key: List[str]) -> Callable[[Any], Any]:
    """make_writer(info) for INSERT INTO a jdbc table: appends, or upserts and deletes by the PRIMARY KEY."""
    from fluvial.datastream.connectors.jdbc import JdbcExecutionOptions
    from fluvial.table.connectors import parse_duration

    # Flink: 0 rows means no flush by size (then by interval, and at the end of the input).
    max_rows = _positive_int(options, "sink.buffer-flush.max-rows", 100, 0) or sys.maxsize
    execution = JdbcExecutionOptions.builder() \
        .with_batch_size(max_rows) \
        .with_batch_interval_ms(int(parse_duration(options.get("sink.buffer-flush.interval", "1s"),
                                                   "sink.buffer-flush.interval") * 1000)) \
        .with_max_retries(_positive_int(options, "sink.max-retries", 3, 0)).build()
    connection = connection_options(options)
    for name in primary_key:
        if name not in schema.names:
            raise _option_error(f"table '{table}': PRIMARY KEY column '{name}' is not a column "
                                f"({', '.join(schema.names)})")
    return lambda info: JdbcTableWriter(table, schema, options["table-name"], connection, execution,
                                        list(primary_key))


class JdbcTableWriter(_StoreTableWriter):
    """Hands a table's changes to the DataStream JDBC writer: appends (COPY), or upserts (INSERT
    ... ON CONFLICT DO UPDATE) and DELETEs by key, the last change per key of each flushed batch."""

    def __init__(self, table: str, schema: pa.Schema, table_name: str, connection: Any, execution: Any,
                 primary_key: List[str]):
        from fluvial.datastream.connectors.jdbc import _JdbcAppendWriter, _JdbcUpsertWriter

        self._table, self._upsert = table, bool(primary_key)
        if primary_key:
            self._writer = _JdbcUpsertWriter(connection, execution, table_name, schema.names, primary_key)
        else:
            self._writer = _JdbcAppendWriter(connection, execution, table_name, schema.names)

    def open(self) -> None:
        self._writer.open()

    def write(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
        changes = _changes(self._table, "jdbc", batch, row_kinds, self._upsert)
        self._writer.write(changes if self._upsert else [row for _, row in changes])

    def finish(self) -> None:
        self._writer.finish()

    def close(self) -> None:
        self._writer.close()


# -- redis -----------------------------------------------------------------------------------

def redis_key_function(table: str, pattern: str, names: List[str], key_columns: List[str]) -> Callable[[Any], str]:
    """The Redis key of a row (a tuple of the columns 'names') by 'key-pattern' ('user:{id}')."""
    positions = [(name, names.index(name)) for name in key_columns]

    def redis_key(row: tuple) -> str:
        try:
            return pattern.format(**{name: row[i] for name, i in positions})
        except KeyError as error:
            raise _option_error(f"table '{table}': 'key-pattern' {pattern!r} names {error}, which is not a key "
                                f"column ({', '.join(key_columns)})") from None

    return redis_key


def _pattern_columns(pattern: str) -> List[str]:
    import string

    return [field for _, field, _, _ in string.Formatter().parse(pattern) if field]


def _redis_value(value: Any) -> Any:
    """A column value as Redis stores it (str, bytes, int, float); None for a null."""
    if value is None or isinstance(value, (str, bytes, float)) or (isinstance(value, int)
                                                                    and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time, decimal.Decimal)):
        return str(value)
    import json

    return json.dumps(value, default=str)


def redis_writer_factory(table: str, schema: pa.Schema, options: Dict[str, str],
                         primary_key: List[str]) -> Callable[[Any], Any]:
    """make_writer(info) for INSERT INTO a redis table: a hash (or string) per key, deleted on -D."""
    from fluvial.datastream.connectors.redis import RedisSink
    from fluvial.table.connectors import parse_duration

    names = schema.names
    pattern = options.get("key-pattern")
    if pattern is None:
        if not primary_key:
            raise _option_error(f"table '{table}' ('connector' = 'redis') needs a PRIMARY KEY or a 'key-pattern' "
                                f"to name each row's Redis key, e.g. PRIMARY KEY (id) NOT ENFORCED")
        pattern = ":".join("{" + c + "}" for c in primary_key)
    pattern_columns = _pattern_columns(pattern)
    for name in pattern_columns + list(primary_key):
        if name not in names:
            raise _option_error(f"table '{table}': 'key-pattern' {pattern!r} or the PRIMARY KEY names '{name}', "
                                f"which is not a column ({', '.join(names)})")
    key_columns = list(primary_key) or pattern_columns
    if not key_columns:
        raise _option_error(f"table '{table}': 'key-pattern' {pattern!r} names no column, so every row would "
                            f"write the same key; use e.g. 'user:{{id}}'")
    data_type = options.get("data-type", "hash")
    if data_type not in ("hash", "string"):
        raise _option_error(f"table '{table}': 'data-type' must be 'hash' or 'string', got {data_type!r}")
    fields = [(n, i) for i, n in enumerate(names) if n not in key_columns]
    if not fields:
        raise _option_error(f"table '{table}' ('connector' = 'redis'): every column is a key column, so there is "
                            f"no value to store")
    if data_type == "string" and len(fields) != 1:
        raise _option_error(f"table '{table}': 'data-type' = 'string' stores one value column, but the columns "
                            f"besides the key are {', '.join(n for n, _ in fields)}; use 'hash'")
    ttl = parse_duration(options["ttl"], "ttl") if "ttl" in options else None
    redis_key = redis_key_function(table, pattern, names, key_columns)
    if data_type == "string":
        position = fields[0][1]

        def value(row: tuple) -> Any:
            return _redis_value(row[position])
    else:
        def value(row: tuple) -> Any:
            return {name: _redis_value(row[i]) for name, i in fields if row[i] is not None}

    sink = RedisSink(options.get("host", "127.0.0.1"), int(options.get("port", "6379")), key=redis_key,
                     value=value, data_type=data_type, ttl=ttl, db=int(options.get("db", "0")),
                     password=options.get("password"))
    positions = [i for _, i in fields]
    return lambda info: RedisTableWriter(table, sink, positions, bool(primary_key))


class RedisTableWriter(_StoreTableWriter):
    """Hands a table's changes to the DataStream Redis writer. Redis has no null: a null column
    is not written into the hash, and a row whose value columns are all null deletes its key."""

    def __init__(self, table: str, sink: Any, value_positions: List[int], upsert: bool):
        from fluvial.datastream.connectors.redis import _RedisUpsertWriter

        self._table, self._upsert = table, upsert
        self._writer = _RedisUpsertWriter(sink)
        self._value_positions = value_positions

    def open(self) -> None:
        self._writer.open()

    def write(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
        changes = _changes(self._table, "redis", batch, row_kinds, self._upsert)
        positions = self._value_positions
        self._writer.write([(delete or all(row[i] is None for i in positions), row) for delete, row in changes])

    def finish(self) -> None:
        pass  # every write() ends with its pipeline executed

    def close(self) -> None:
        self._writer.close()
