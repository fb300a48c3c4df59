"""JDBC: PyFlink's JdbcSink (pyflink.datastream.connectors.jdbc) for PostgreSQL, and a
lookup with a cache for lookup joins.

There is no JVM, so there is no JDBC driver either: a ``jdbc:postgresql://`` URL is parsed
into connection parameters for psycopg (version 3), PostgreSQL's Python driver. The SQL
keeps JDBC's ``?`` placeholders. Appends are ``INSERT`` statements, upserts
``INSERT ... ON CONFLICT (primary key) DO UPDATE`` (``upsert_sql`` writes one).

Writes are batched as Flink's JdbcOutputFormat batches them: a batch is written (one
``executemany`` in one transaction) when it holds ``batch_size`` records, when
``batch_interval_ms`` has passed since the first record of it, at a checkpoint barrier
(``snapshot_state``) and at the end of the input: at least once, exactly once with upserts.
"""

import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union
from urllib.parse import parse_qsl, unquote

from fluvial.common.typeinfo import RowTypeInfo
from fluvial.common.types import Row
from fluvial.datastream.connectors.base import Sink, SinkWriter
from fluvial.datastream.connectors.lookup import LookupFunction
from fluvial.datastream.functions import SinkFunction
from fluvial.errors import ConnectorError

__all__ = ["JdbcSink", "JdbcConnectionOptions", "JdbcExecutionOptions", "JdbcLookupFunction",
           "insert_sql", "upsert_sql", "parse_postgres_url"]

POSTGRES_DRIVER = "org.postgresql.Driver"
# pgjdbc URL parameters with a psycopg (libpq) meaning.
_URL_PARAMETERS = {"user": "user", "password": "password", "connectTimeout": "connect_timeout",
                   "sslmode": "sslmode", "ApplicationName": "application_name",
                   "applicationName": "application_name", "options": "options"}
# pgjdbc tuning parameters that have no counterpart here and change no result.
_IGNORED_URL_PARAMETERS = {"reWriteBatchedInserts", "prepareThreshold", "tcpKeepAlive",
                           "loginTimeout", "socketTimeout", "stringtype", "binaryTransfer",
                           "defaultRowFetchSize", "ssl"}


# ----------------------------------------------------------------------------- options

class JdbcConnectionOptions:
    """Where the database is: URL, driver, user, password (build with the builder). The URL
    is checked when the options are built; nothing connects until the job runs.

    Examples:
        >>> from fluvial.datastream.connectors.jdbc import JdbcConnectionOptions
        >>> options = (JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
        ...            .with_url("jdbc:postgresql://127.0.0.1:5432/shop")
        ...            .with_driver_name("org.postgresql.Driver")
        ...            .with_user_name("app")
        ...            .with_password("secret")
        ...            .build())
        >>> options.get_db_url(), options.get_user_name(), options.get_connection_check_timeout_seconds()
        ('jdbc:postgresql://127.0.0.1:5432/shop', 'app', 60)
        >>> JdbcConnectionOptions.JdbcConnectionOptionsBuilder().with_url("jdbc:mysql://localhost/shop").build()
        Traceback (most recent call last):
        ...
        ValueError: JDBC URL 'jdbc:mysql://localhost/shop' is not a PostgreSQL URL: expected
        'jdbc:postgresql://host:port/database'
    """

    def __init__(self, url: str, driver_name: Optional[str], user_name: Optional[str],
                 password: Optional[str], connection_check_timeout_seconds: int):
        self._url = url
        self._driver_name = driver_name
        self._user_name = user_name
        self._password = password
        self._timeout = connection_check_timeout_seconds

    def get_db_url(self) -> str:
        return self._url

    def get_driver_name(self) -> Optional[str]:
        return self._driver_name

    def get_user_name(self) -> Optional[str]:
        return self._user_name

    def get_password(self) -> Optional[str]:
        return self._password

    def get_connection_check_timeout_seconds(self) -> int:
        return self._timeout

    def _connect_parameters(self) -> Dict[str, Any]:
        """psycopg.connect() keyword arguments: the URL's, then the builder's user and password."""
        if self._driver_name not in (None, POSTGRES_DRIVER):
            raise ConnectorError(f"JDBC driver {self._driver_name!r} is not supported: Fluvial connects to "
                                 f"PostgreSQL only ({POSTGRES_DRIVER}, jdbc:postgresql:// URLs)")
        parameters = parse_postgres_url(self._url)
        if self._user_name is not None:
            parameters["user"] = self._user_name
        if self._password is not None:
            parameters["password"] = self._password
        parameters.setdefault("connect_timeout", self._timeout)
        return parameters

    def _describe(self) -> str:
        parameters = parse_postgres_url(self._url)
        user = self._user_name or parameters.get("user")
        return (f"PostgreSQL at {parameters['host']}:{parameters['port']}, database "
                f"{parameters['dbname']!r}" + (f", user {user!r}" if user else ""))

    class JdbcConnectionOptionsBuilder:
        def __init__(self):
            self._url: Optional[str] = None
            self._driver_name: Optional[str] = None
            self._user_name: Optional[str] = None
            self._password: Optional[str] = None
            self._timeout = 60

        def with_url(self, url: str) -> "JdbcConnectionOptions.JdbcConnectionOptionsBuilder":
            self._url = url
            return self

        def with_driver_name(self, driver_name: str) -> "JdbcConnectionOptions.JdbcConnectionOptionsBuilder":
            self._driver_name = driver_name
            return self

        def with_user_name(self, user_name: str) -> "JdbcConnectionOptions.JdbcConnectionOptionsBuilder":
            self._user_name = user_name
            return self

        def with_password(self, password: str) -> "JdbcConnectionOptions.JdbcConnectionOptionsBuilder":
            self._password = password
            return self

        def with_connection_check_timeout_seconds(
                self, timeout_seconds: int) -> "JdbcConnectionOptions.JdbcConnectionOptionsBuilder":
            if not isinstance(timeout_seconds, int) or timeout_seconds <= 0:
                raise ValueError(f"connection check timeout must be a positive int, got {timeout_seconds!r}")
            self._timeout = timeout_seconds
            return self

        def build(self) -> "JdbcConnectionOptions":
            if self._url is None:
                raise ValueError("JdbcConnectionOptions need a URL: call with_url('jdbc:postgresql://...')")
            parse_postgres_url(self._url)  # a bad URL fails here, not in the running job
            return JdbcConnectionOptions(self._url, self._driver_name, self._user_name,
                                         self._password, self._timeout)


class JdbcExecutionOptions:
    """How writes are batched and retried (Flink's defaults: 5000 records, no interval, 3 retries).

    Examples:
        >>> from fluvial.datastream.connectors.jdbc import JdbcExecutionOptions
        >>> defaults = JdbcExecutionOptions.defaults()
        >>> defaults.get_batch_size(), defaults.get_batch_interval_ms(), defaults.get_max_retries()
        (5000, 0, 3)
        >>> options = (JdbcExecutionOptions.builder()
        ...            .with_batch_size(500)          # write every 500 records
        ...            .with_batch_interval_ms(200)   # or 200 ms after the first of a batch
        ...            .with_max_retries(5)
        ...            .build())
        >>> options.get_batch_size(), options.get_batch_interval_ms(), options.get_max_retries()
        (500, 200, 5)
    """

    def __init__(self, batch_interval_ms: int, batch_size: int, max_retries: int):
        self._batch_interval_ms = batch_interval_ms
        self._batch_size = batch_size
        self._max_retries = max_retries

    def get_batch_interval_ms(self) -> int:
        return self._batch_interval_ms

    def get_batch_size(self) -> int:
        return self._batch_size

    def get_max_retries(self) -> int:
        return self._max_retries

    @staticmethod
    def defaults() -> "JdbcExecutionOptions":
        return JdbcExecutionOptions.builder().build()

    @staticmethod
    def builder() -> "JdbcExecutionOptions.Builder":
        return JdbcExecutionOptions.Builder()

    class Builder:
        def __init__(self):
            self._batch_interval_ms = 0
            self._batch_size = 5000
            self._max_retries = 3

        @staticmethod
        def _check(name: str, value: Any, minimum: int) -> int:
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                raise ValueError(f"JdbcExecutionOptions {name} must be an int >= {minimum}, got {value!r}")
            return value

        def with_batch_size(self, size: int) -> "JdbcExecutionOptions.Builder":
            self._batch_size = self._check("batch size", size, 1)
            return self

        def with_batch_interval_ms(self, interval_ms: int) -> "JdbcExecutionOptions.Builder":
            self._batch_interval_ms = self._check("batch interval", interval_ms, 0)
            return self

        def with_max_retries(self, max_retries: int) -> "JdbcExecutionOptions.Builder":
            self._max_retries = self._check("max retries", max_retries, 0)
            return self

        def build(self) -> "JdbcExecutionOptions":
            return JdbcExecutionOptions(self._batch_interval_ms, self._batch_size, self._max_retries)


# ----------------------------------------------------------------------------- URL and SQL

def parse_postgres_url(url: str) -> Dict[str, Any]:
    """psycopg connection parameters from 'jdbc:postgresql://host[:port][/database][?k=v&...]'
    (or 'jdbc:postgresql:database'); ValueError naming what is wrong.

    Examples:
        >>> from fluvial.datastream.connectors.jdbc import parse_postgres_url
        >>> parse_postgres_url("jdbc:postgresql://db.example:6543/shop?user=app&currentSchema=sales")
        {'host': 'db.example', 'port': 6543, 'user': 'app', 'options': '-c search_path=sales', 'dbname': 'shop'}
        >>> parse_postgres_url("jdbc:postgresql:shop")
        {'host': 'localhost', 'port': 5432, 'dbname': 'shop'}
        >>> parse_postgres_url("jdbc:postgresql://localhost:port/shop")
        Traceback (most recent call last):
        ...
        ValueError: JDBC URL 'jdbc:postgresql://localhost:port/shop': port must be a number in [1, 65535], got 'port'
    """
    if not isinstance(url, str):
        raise TypeError(f"JDBC URL must be a str, got {type(url).__name__}")
    prefix = "jdbc:postgresql:"
    if not url.startswith(prefix):
        raise ValueError(f"JDBC URL {url!r} is not a PostgreSQL URL: expected "
                         f"'jdbc:postgresql://host:port/database'")
    rest, _, query = url[len(prefix):].partition("?")
    host, port, database = "localhost", 5432, None
    if rest.startswith("//"):
        authority, _, path = rest[2:].partition("/")
        if "," in authority:
            raise ValueError(f"JDBC URL {url!r}: several hosts are not supported, give one")
        if authority.startswith("["):  # [ipv6]:port
            end = authority.find("]")
            host, port_text = authority[1:end], authority[end + 2:] if end + 1 < len(authority) else ""
        else:
            host, _, port_text = authority.partition(":")
        host = host or "localhost"
        if port_text:
            if not port_text.isdigit() or not 0 < int(port_text) < 65536:
                raise ValueError(f"JDBC URL {url!r}: port must be a number in [1, 65535], got {port_text!r}")
            port = int(port_text)
        database = unquote(path) if path else None
    elif rest and not rest.startswith("/"):
        database = unquote(rest)
    else:
        raise ValueError(f"JDBC URL {url!r}: expected 'jdbc:postgresql://host:port/database'")
    parameters: Dict[str, Any] = {"host": host, "port": port}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in _URL_PARAMETERS:
            parameters[_URL_PARAMETERS[name]] = value
        elif name == "currentSchema":
            parameters["options"] = f"-c search_path={value}"
        elif name not in _IGNORED_URL_PARAMETERS:
            raise ValueError(f"JDBC URL {url!r}: parameter {name!r} is not supported (supported: "
                             f"{', '.join(sorted(set(_URL_PARAMETERS) | {'currentSchema'}))})")
    parameters["dbname"] = database or parameters.get("user") or "postgres"
    return parameters


def _to_psycopg_placeholders(sql: str) -> Tuple[str, int]:
    """JDBC '?' placeholders as psycopg '%s' (and '%' as '%%'), outside quotes and comments;
    also returns the number of placeholders."""
    out, count, index, length = [], 0, 0, len(sql)
    while index < length:
        char = sql[index]
        if char in ("'", '"'):
            end = index + 1
            while end < length:
                if sql[end] == char:
                    if end + 1 < length and sql[end + 1] == char:  # doubled quote
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[index:end + 1].replace("%", "%%"))
            index = end + 1
            continue
        if sql.startswith("--", index):
            end = sql.find("\n", index)
            end = length if end < 0 else end
            out.append(sql[index:end].replace("%", "%%"))
            index = end
            continue
        if char == "?":
            out.append("%s")
            count += 1
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
        index += 1
    return "".join(out), count


def _quote_identifier(name: str) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"a table or column name must be a non-empty str, got {name!r}")
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """'INSERT INTO table (columns) VALUES (?, ...)': an append statement for JdbcSink.sink.

    Examples:
        >>> from fluvial.datastream.connectors.jdbc import insert_sql
        >>> insert_sql("books", ["id", "title"])
        'INSERT INTO "books" ("id", "title") VALUES (?, ?)'
    """
    if not columns:
        raise ValueError(f"insert into {table!r}: no columns given")
    names = ", ".join(_quote_identifier(c) for c in columns)
    return f"INSERT INTO {_quote_identifier(table)} ({names}) VALUES ({', '.join('?' * len(columns))})"


def upsert_sql(table: str, columns: Sequence[str], primary_key: Sequence[str]) -> str:
    """An upsert for JdbcSink.sink: insert, or update the row with the same primary key
    (PostgreSQL's INSERT ... ON CONFLICT (key) DO UPDATE).

    Examples:
        >>> from fluvial.datastream.connectors.jdbc import upsert_sql
        >>> print(upsert_sql("books", ["id", "title", "price"], "id"))
        INSERT INTO "books" ("id", "title", "price") VALUES (?, ?, ?)
        ON CONFLICT ("id") DO UPDATE SET "title" = EXCLUDED."title", "price" = EXCLUDED."price"
        >>> print(upsert_sql("tags", ["book_id", "tag"], ["book_id", "tag"]))  # only a key: keep the row
        INSERT INTO "tags" ("book_id", "tag") VALUES (?, ?) ON CONFLICT ("book_id", "tag") DO NOTHING
    """
    if isinstance(primary_key, str):
        primary_key = [primary_key]
    missing = [k for k in primary_key if k not in columns]
    if not primary_key or missing:
        raise ValueError(f"upsert into {table!r}: primary key columns {list(primary_key)} must be among "
                         f"the columns {list(columns)}")
    updates = [c for c in columns if c not in primary_key]
    conflict = ", ".join(_quote_identifier(k) for k in primary_key)
    action = ("DO UPDATE SET " + ", ".join(f"{_quote_identifier(c)} = EXCLUDED.{_quote_identifier(c)}"
                                           for c in updates)) if updates else "DO NOTHING"
    return f"{insert_sql(table, columns)} ON CONFLICT ({conflict}) {action}"


def _sql_error_text(error: Exception) -> str:
    """A psycopg error as 'SQLSTATE message (table t, column c)'."""
    diag = getattr(error, "diag", None)
    text = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
    if diag is None:
        return text
    where = [f"{what} {name!r}" for what, name in (("table", diag.table_name), ("column", diag.column_name),
                                                   ("constraint", diag.constraint_name)) if name]
    state = getattr(error, "sqlstate", None)
    return (f"[{state}] " if state else "") + text + (f" ({', '.join(where)})" if where else "")


def _connect(options: JdbcConnectionOptions, autocommit: bool):
    import psycopg

    parameters = options._connect_parameters()
    try:
        return psycopg.connect(autocommit=autocommit, **parameters)
    except psycopg.Error as error:
        raise ConnectorError(
            f"cannot connect to {options._describe()} (URL {options.get_db_url()}): "
            f"{_sql_error_text(error)}; check that the server runs and listens there "
            f"(`pg_isready -h {parameters['host']} -p {parameters['port']}`; scripts/postgres.sh start "
            f"starts one) and that the database, user and password are right") from error


def _is_connection_error(error: Exception) -> bool:
    import psycopg

    return isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)) and \
        not isinstance(error, psycopg.errors.QueryCanceled)


# ----------------------------------------------------------------------------- sink

class _JdbcWriter(SinkWriter):
    """Buffers records as rows of statement parameters and writes them in batches."""

    def __init__(self, connection_options: "JdbcConnectionOptions", execution_options: "JdbcExecutionOptions",
                 sql: str, to_values: Callable[[Any], Tuple[Any, ...]]):
        self._options = connection_options
        self._execution = execution_options
        self._sql = sql
        self._statement, _ = _to_psycopg_placeholders(sql)
        self._to_values = to_values
        self._buffer: Any = []
        self._first_buffered_at = 0.0
        self._connection = None
        self._lock = threading.Lock()  # the interval flusher and the writer share the buffer
        self._stop = threading.Event()
        self._flusher: Optional[threading.Thread] = None
        self._flush_error: Optional[BaseException] = None

    def open(self) -> None:
        self._connection = _connect(self._options, autocommit=False)
        interval_ms = self._execution.get_batch_interval_ms()
        if interval_ms > 0 and self._execution.get_batch_size() > 1:
            self._flusher = threading.Thread(target=self._flush_periodically, args=(interval_ms / 1000,),
                                             name="fluvial-jdbc-flusher", daemon=True)
            self._flusher.start()

    def _flush_periodically(self, interval: float) -> None:
        while not self._stop.wait(interval / 4):
            with self._lock:
                if self._buffer and time.monotonic() - self._first_buffered_at >= interval:
                    try:
                        self._flush_locked()
                    except BaseException as error:  # reported by the next write
                        self._flush_error = error
                        return

    def write(self, records: List[Any]) -> None:
        batch_size = self._execution.get_batch_size()
        with self._lock:
            if self._flush_error is not None:
                raise self._flush_error
            for record in records:
                if not self._buffer:
                    self._first_buffered_at = time.monotonic()
                self._add(record)
                if len(self._buffer) >= batch_size:
                    self._flush_locked()

    # What the buffer holds and how it is written (_JdbcUpsertWriter keeps one change per key).

    def _add(self, record: Any) -> None:
        self._buffer.append(self._to_values(record))

    def _take(self) -> List[Any]:
        rows, self._buffer = self._buffer, []
        return rows

    def _execute(self, cursor: Any, rows: List[Any]) -> None:
        cursor.executemany(self._statement, rows)

    def _one_by_one(self, rows: List[Any]) -> List[Tuple[str, str, Any, Tuple[Any, ...]]]:
        """(sql, statement, row, parameters) per row, to find the row the database refuses."""
        return [(self._sql, self._statement, row, row) for row in rows]

    def _flush_locked(self) -> None:
        rows = self._take()
        if not rows:
            return
        import psycopg

        max_retries = self._execution.get_max_retries()
        attempt = 0
        while True:
            try:
                with self._connection.cursor() as cursor:
                    self._execute(cursor, rows)
                self._connection.commit()
                return
            except psycopg.Error as error:
                self._rollback()
                if not _is_connection_error(error):
                    raise self._data_error(rows, error) from error
                if attempt >= max_retries:
                    raise ConnectorError(
                        f"JDBC sink: writing {len(rows)} records to {self._options._describe()} "
                        f"failed after {attempt + 1} attempts: {_sql_error_text(error)}") from error
                attempt += 1
                time.sleep(min(0.1 * 2 ** attempt, 2.0))
                self._reconnect()

    def _rollback(self) -> None:
        try:
            self._connection.rollback()
        except Exception:  # noqa: S110 - a broken connection is replaced by the retry
            pass

    def _reconnect(self) -> None:
        try:
            self._connection.close()
        finally:
            self._connection = _connect(self._options, autocommit=False)

    def _data_error(self, rows: List[Any], error: Exception) -> ConnectorError:
        """The batch failed for its data or SQL: find the first record the database refuses."""
        import psycopg

        steps = self._one_by_one(rows)
        culprit, sql = None, self._sql
        if len(steps) > 1:
            try:
                with self._connection.cursor() as cursor:
                    for step_sql, statement, row, parameters in steps:
                        try:
                            cursor.execute(statement, parameters)
                        except psycopg.Error as row_error:
                            culprit, sql, error = row, step_sql, row_error
                            break
            finally:
                self._rollback()
        else:
            sql, _, culprit, _ = steps[0]
        record = f" at record {culprit!r}" if culprit is not None else ""
        return ConnectorError(f"JDBC sink: {sql!r} failed{record} on "
                              f"{self._options._describe()}: {_sql_error_text(error)}")

    def _flush(self) -> None:
        with self._lock:
            if self._flush_error is not None:
                raise self._flush_error
            self._flush_locked()

    def finish(self) -> None:
        self._flush()

    def snapshot_state(self, checkpoint_id: int) -> Any:
        # At-least-once: everything written before the barrier is committed in the
        # database before the checkpoint can complete.
        self._flush()
        return None

    def close(self) -> None:
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join()
            self._flusher = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _JdbcAppendWriter(_JdbcWriter):
    """Appends rows to a table (the SQL sink of a table without a PRIMARY KEY) with COPY ...
    FROM STDIN, several times faster than INSERTs; a batch the database refuses is retried
    row by row with INSERT to name the row."""

    def __init__(self, connection_options: "JdbcConnectionOptions", execution_options: "JdbcExecutionOptions",
                 table: str, columns: Sequence[str]):
        super().__init__(connection_options, execution_options, insert_sql(table, columns), lambda values: values)
        names = ", ".join(_quote_identifier(c) for c in columns)
        self._copy = f"COPY {_quote_identifier(table)} ({names}) FROM STDIN"

    def _execute(self, cursor: Any, rows: List[Any]) -> None:
        with cursor.copy(self._copy) as copy:
            for row in rows:
                copy.write_row(row)


class _JdbcUpsertWriter(_JdbcWriter):
    """Flink's JDBC upsert writer (the SQL sink of a table with a PRIMARY KEY): records are
    (delete, values) pairs; the buffer keeps the last change per key, and a flush deletes
    the keys whose last change is a delete and upserts the others, in one transaction."""

    def __init__(self, connection_options: "JdbcConnectionOptions", execution_options: "JdbcExecutionOptions",
                 table: str, columns: Sequence[str], primary_key: Sequence[str]):
        super().__init__(connection_options, execution_options, upsert_sql(table, columns, primary_key),
                         lambda values: values)
        self._key_positions = [list(columns).index(k) for k in primary_key]
        condition = " AND ".join(f"{_quote_identifier(k)} = ?" for k in primary_key)
        self._delete_sql = f"DELETE FROM {_quote_identifier(table)} WHERE {condition}"
        self._delete_statement, _ = _to_psycopg_placeholders(self._delete_sql)
        self._buffer = {}

    def _add(self, record: Tuple[bool, Tuple[Any, ...]]) -> None:
        delete, values = record
        self._buffer[tuple(values[i] for i in self._key_positions)] = (delete, tuple(values))

    def _take(self) -> List[Any]:
        changes, self._buffer = list(self._buffer.items()), {}
        return changes

    def _execute(self, cursor: Any, rows: List[Any]) -> None:
        deletes = [key for key, (delete, _) in rows if delete]
        upserts = [values for _, (delete, values) in rows if not delete]
        if deletes:
            cursor.executemany(self._delete_statement, deletes)
        if upserts:
            cursor.executemany(self._statement, upserts)

    def _one_by_one(self, rows: List[Any]) -> List[Tuple[str, str, Any, Tuple[Any, ...]]]:
        return [(self._delete_sql, self._delete_statement, key, key) if delete
                else (self._sql, self._statement, values, values) for key, (delete, values) in rows]


class JdbcSink(SinkFunction, Sink):
    """Writes each record with a SQL statement (``?`` placeholders, one per field of the
    row type), batched: ``ds.add_sink(JdbcSink.sink(sql, type_info, connection_options,
    execution_options))``.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors.jdbc import (
        ...     JdbcConnectionOptions, JdbcExecutionOptions, JdbcSink, upsert_sql)
        >>> book = Types.ROW_NAMED(["id", "title", "price"], [Types.INT(), Types.STRING(), Types.DOUBLE()])
        >>> options = (JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
        ...            .with_url("jdbc:postgresql://127.0.0.1:5432/shop").with_user_name("app").build())
        >>> sink = JdbcSink.sink(upsert_sql("books", ["id", "title", "price"], ["id"]), book, options,
        ...                      JdbcExecutionOptions.builder().with_batch_size(1000).build())
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> books = env.from_collection([(1, "Dune", 9.5), (2, "Emma", 7.0)], type_info=book)
        >>> _ = books.key_by(lambda b: b[0]).add_sink(sink)  # env.execute() writes them to PostgreSQL
        >>> JdbcSink.sink("INSERT INTO books (id, title) VALUES (?, ?)", book, options)
        Traceback (most recent call last):
        ...
        ValueError: JdbcSink: the statement has 2 '?' placeholders but the row type
        ROW<id INT, title STRING, price DOUBLE> has 3 fields: 'INSERT INTO books (id, title) VALUES (?, ?)'
    """

    def __init__(self, sql: str, type_info: RowTypeInfo, connection_options: JdbcConnectionOptions,
                 execution_options: JdbcExecutionOptions):
        if not isinstance(sql, str) or not sql.strip():
            raise ValueError(f"JdbcSink needs a SQL statement, got {sql!r}")
        if not isinstance(type_info, RowTypeInfo):
            raise TypeError(f"JdbcSink type_info must be a RowTypeInfo (Types.ROW or Types.ROW_NAMED), "
                            f"got {type_info!r}")
        if not isinstance(connection_options, JdbcConnectionOptions):
            raise TypeError(f"JdbcSink needs JdbcConnectionOptions, got {type(connection_options).__name__}")
        if not isinstance(execution_options, JdbcExecutionOptions):
            raise TypeError(f"JdbcSink needs JdbcExecutionOptions, got {type(execution_options).__name__}")
        statement, placeholders = _to_psycopg_placeholders(sql)
        arity = type_info.get_arity()
        if placeholders != arity:
            raise ValueError(f"JdbcSink: the statement has {placeholders} '?' placeholders but the row type "
                             f"{type_info.to_type_string()} has {arity} fields: {sql!r}")
        connection_options._connect_parameters()  # a bad driver name fails here
        self._sql = sql
        self._statement = statement
        self._type_info = type_info
        self._connection_options = connection_options
        self._execution_options = execution_options
        self._to_values = _row_values(type_info)

    @staticmethod
    def sink(sql: str, type_info: RowTypeInfo, jdbc_connection_options: JdbcConnectionOptions,
             jdbc_execution_options: Optional[JdbcExecutionOptions] = None) -> "JdbcSink":
        return JdbcSink(sql, type_info, jdbc_connection_options,
                        jdbc_execution_options or JdbcExecutionOptions.defaults())

    def invoke(self, value: Any, context: Any) -> None:
        raise TypeError("JdbcSink writes batches: pass it to DataStream.add_sink() or sink_to()")

    def _default_name(self) -> str:
        return "Sink: JdbcSink"

    def _create_writer(self, subtask_index: int, parallelism: int) -> SinkWriter:
        return _JdbcWriter(self._connection_options, self._execution_options, self._sql, self._to_values)


def _row_values(type_info: RowTypeInfo) -> Callable[[Any], Tuple[Any, ...]]:
    """Checks a record against the row type and returns its field values as a tuple."""
    validate = type_info.make_validator()
    names = type_info.get_field_names()
    type_text = type_info.to_type_string()

    def values(record: Any) -> Tuple[Any, ...]:
        try:
            validate(record)
        except TypeError as error:
            raise ConnectorError(f"JDBC sink: record {record!r} does not fit the row type {type_text}: "
                                 f"{error}") from None
        if isinstance(record, Row):
            fields = tuple(record)
        elif isinstance(record, (tuple, list)):
            fields = tuple(record)
        else:
            raise ConnectorError(f"JDBC sink: record {record!r} is a {type(record).__name__}, expected a "
                                 f"Row or tuple of the fields {names}")
        return fields

    return values


# ----------------------------------------------------------------------------- lookup

class JdbcLookupFunction(LookupFunction):
    """Looks up each record's key in a PostgreSQL table: ``join(record, found)`` where found
    is the table's row with that key as a Row of ``columns`` (every column if None), or None.

    ``key`` gives the key of a record (a function, field name or position): one value for
    one key column, a tuple for several (``key_columns``). One query per batch of records
    (``WHERE (k1, k2) IN (...)``) fetches the keys the cache lacks. Options as Flink's JDBC
    lookup: ``cache_max_rows`` (lookup.cache.max-rows), ``cache_ttl`` (lookup.cache.ttl),
    ``cache_missing_key``, ``max_retries`` (lookup.max-retries). The key columns must be
    unique in the table (a primary key): a key matching several rows fails the job.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors.jdbc import JdbcConnectionOptions, JdbcLookupFunction
        >>> options = (JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
        ...            .with_url("jdbc:postgresql://127.0.0.1:5432/shop").with_user_name("app").build())
        >>> ages = JdbcLookupFunction(options, "users", "user_id", key=0, columns=["age"],
        ...                           join=lambda click, user: (*click, user.age if user else None),
        ...                           cache_max_rows=10000, cache_ttl=60)
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> clicks = env.from_collection([(7, "home"), (8, "cart")])
        >>> with_age = clicks.map(ages)  # runs against PostgreSQL when the job executes
        >>> JdbcLookupFunction(options, "users", [], key=0)
        Traceback (most recent call last):
        ...
        ValueError: JdbcLookupFunction needs at least one key column
    """

    _MAX_PARAMETERS = 30000  # PostgreSQL takes at most 65535 per statement

    def __init__(self, connection_options: JdbcConnectionOptions, table: str,
                 key_columns: Union[str, Sequence[str]], key: Union[str, int, Callable[[Any], Any]],
                 columns: Optional[Sequence[str]] = None, join: Optional[Callable[[Any, Any], Any]] = None,
                 cache_max_rows: int = 0, cache_ttl: Any = None, cache_missing_key: bool = True,
                 max_retries: int = 3):
        super().__init__(key, join, cache_max_rows, cache_ttl, cache_missing_key, max_retries)
        if not isinstance(connection_options, JdbcConnectionOptions):
            raise TypeError(f"JdbcLookupFunction needs JdbcConnectionOptions, got "
                            f"{type(connection_options).__name__}")
        connection_options._connect_parameters()
        key_columns = [key_columns] if isinstance(key_columns, str) else list(key_columns)
        if not key_columns:
            raise ValueError("JdbcLookupFunction needs at least one key column")
        self._options = connection_options
        self._table = table
        self._key_columns = key_columns
        self._columns = list(columns) if columns is not None else None
        quoted_keys = ", ".join(_quote_identifier(c) for c in key_columns)
        selected = "*" if columns is None else ", ".join(_quote_identifier(c) for c in columns)
        # Key columns come first (to match rows to keys), then what the user asked for.
        self._select = f"SELECT {quoted_keys}, {selected} FROM {_quote_identifier(table)}"
        self._connection = None

    def _describe(self) -> str:
        return f"JDBC lookup in table {self._table!r} of {self._options._describe()}"

    def _connect(self) -> None:
        self._connection = _connect(self._options, autocommit=True)

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _is_retriable(self, error: BaseException) -> bool:
        return _is_connection_error(error)

    def _fetch(self, keys: List[Any]) -> Dict[Any, Any]:
        import psycopg

        width = len(self._key_columns)
        chunk = max(1, self._MAX_PARAMETERS // width)
        found: Dict[Any, Any] = {}
        for start in range(0, len(keys), chunk):
            part = keys[start:start + chunk]
            if width == 1:
                sql = f"{self._select} WHERE {_quote_identifier(self._key_columns[0])} = ANY(%s)"
                parameters: List[Any] = [list(part)]
            else:
                for key in part:
                    if not isinstance(key, tuple) or len(key) != width:
                        raise ConnectorError(f"{self._describe()}: the key of a record must be a tuple of "
                                             f"{width} values for {self._key_columns}, got {key!r}")
                row = "(" + ", ".join(["%s"] * width) + ")"
                quoted = ", ".join(_quote_identifier(c) for c in self._key_columns)
                sql = f"{self._select} WHERE ({quoted}) IN ({', '.join([row] * len(part))})"
                parameters = [value for key in part for value in key]
            try:
                with self._connection.cursor() as cursor:
                    cursor.execute(sql, parameters)
                    names = [column.name for column in cursor.description][width:]
                    rows = cursor.fetchall()
            except psycopg.Error as error:
                if _is_connection_error(error):
                    raise
                raise ConnectorError(f"{self._describe()}: {sql!r} failed: {_sql_error_text(error)}") from error
            for row in rows:
                key = row[0] if width == 1 else tuple(row[:width])
                if key in found:
                    raise ConnectorError(f"{self._describe()}: key {key!r} matches several rows; the key "
                                         f"columns {self._key_columns} must be unique (a primary key)")
                found[key] = Row(**dict(zip(names, row[width:])))
        return found
