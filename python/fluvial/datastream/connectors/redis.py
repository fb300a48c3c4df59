"""Redis: a sink that writes strings or hashes (with a time to live) and a lookup that
enriches records with what Redis holds for their key — the feature store of a
sample-joining job. Flink has no Redis connector of its own; the option names follow the
Bahir one and Flink's lookup options (see docs/connectors.md).

The client is redis-py. Each sink subtask and each lookup subtask has its own
connection, opened in open() (a connection cannot be pickled into the job).
"""

from datetime import timedelta
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

from fluvial.common.time import Duration
from fluvial.datastream.connectors.base import Sink, SinkWriter
from fluvial.datastream.connectors.lookup import LookupFunction, field_getter, to_seconds
from fluvial.errors import ConnectorError

__all__ = ["RedisSink", "RedisLookupFunction"]

_DATA_TYPES = ("string", "hash")
_SCALARS = (str, bytes, int, float)

KeySpec = Union[str, int, Callable[[Any], Any]]


def _check_data_type(data_type: str) -> None:
    if data_type not in _DATA_TYPES:
        raise ValueError(f"Redis data_type must be one of {', '.join(_DATA_TYPES)}, got {data_type!r}")


def _check_endpoint(host: str, port: int) -> None:
    if not isinstance(host, str) or not host:
        raise TypeError(f"Redis host must be a non-empty str, got {host!r}")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ValueError(f"Redis port must be an int in [1, 65535], got {port!r}")


def connect(host: str, port: int, db: int, password: Optional[str], timeout: float,
            decode_responses: bool = True):
    """A connected redis.Redis client; ConnectorError naming host:port if it cannot reach it."""
    import redis

    client = redis.Redis(host=host, port=port, db=db, password=password, socket_timeout=timeout,
                         socket_connect_timeout=timeout, decode_responses=decode_responses)
    try:
        client.ping()
    except redis.AuthenticationError as error:
        client.close()
        raise ConnectorError(f"Redis at {host}:{port} refused the password: {error}") from error
    except redis.RedisError as error:
        client.close()
        raise ConnectorError(
            f"cannot reach Redis at {host}:{port} ({error}): check that redis-server runs and "
            f"listens there (`redis-cli -h {host} -p {port} ping`; scripts/redis.sh start starts "
            f"one) and that host and port are right") from error
    return client


def _describe_wrong_type(error: Exception, command: str, key: Any) -> str:
    text = str(error)
    if text.startswith("WRONGTYPE"):
        return (f"Redis {command} on key {key!r} failed: the key holds another type of value "
                f"({text}); use another key or data_type, or delete the key")
    return f"Redis {command} on key {key!r} failed: {text}"


def _hash_mapping(spec: Union[None, Sequence[str], Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """The function giving a record's hash fields: a function, a list of field names, or
    (None) every field of a Row or dict."""
    if callable(spec):
        return spec
    if spec is None:
        def whole(record: Any) -> Any:
            if hasattr(record, "as_dict"):
                return record.as_dict()
            return record
        return whole
    if isinstance(spec, (list, tuple)) and all(isinstance(name, str) for name in spec):
        getters = [(name, field_getter(name, "Redis hash field")) for name in spec]

        def fields(record: Any) -> Dict[str, Any]:
            return {name: get(record) for name, get in getters}
        return fields
    raise TypeError(f"a Redis hash value must be a function of the record, a list of field names or "
                    f"None (every field), got {spec!r}")


def _check_scalar(value: Any, key: Any, field: Optional[str]) -> None:
    if isinstance(value, _SCALARS) and not isinstance(value, bool):
        return
    where = f"field {field!r} of key {key!r}" if field is not None else f"the value of key {key!r}"
    raise ConnectorError(f"Redis sink: {where} is a {type(value).__name__} ({value!r}); Redis stores "
                         f"str, bytes, int and float: convert it in the value function (e.g. json.dumps)")


class _RedisWriter(SinkWriter):
    def __init__(self, sink: "RedisSink"):
        self._sink = sink
        self._client = None

    def open(self) -> None:
        sink = self._sink
        self._client = connect(sink._host, sink._port, sink._db, sink._password, sink._timeout)

    def write(self, records: List[Any]) -> None:
        pipeline = self._client.pipeline(transaction=False)
        commands: List[tuple] = []  # (command, key) per queued command, to name a failure
        self._queue_writes(pipeline, commands, records, replace=False)
        self._execute(pipeline, commands, len(records))

    def _queue_writes(self, pipeline: Any, commands: List[tuple], records: List[Any], replace: bool) -> None:
        """Queues the records' writes; with replace, a hash key is deleted first, so that the
        record's fields are all it holds."""
        sink = self._sink
        key_of, ttl = sink._key, sink._ttl
        if sink._data_type == "string":
            value_of = sink._value
            for record in records:
                key, value = key_of(record), value_of(record)
                _check_scalar(value, key, None)
                if ttl is None:
                    pipeline.set(key, value)
                elif ttl == int(ttl):
                    pipeline.set(key, value, ex=int(ttl))
                else:
                    pipeline.set(key, value, px=int(ttl * 1000))
                commands.append(("SET", key))
        else:
            mapping_of = sink._value
            for record in records:
                key, mapping = key_of(record), mapping_of(record)
                if not isinstance(mapping, dict) or not mapping:
                    raise ConnectorError(f"Redis sink: the hash for key {key!r} must be a non-empty dict "
                                         f"of field -> value, got {mapping!r} from record {record!r}")
                for field, value in mapping.items():
                    _check_scalar(value, key, field)
                if replace:
                    pipeline.delete(key)
                    commands.append(("DEL", key))
                pipeline.hset(key, mapping=mapping)
                commands.append(("HSET", key))
                if ttl is not None:
                    pipeline.pexpire(key, int(ttl * 1000))
                    commands.append(("PEXPIRE", key))

    def _execute(self, pipeline: Any, commands: List[tuple], count: int) -> None:
        import redis

        sink = self._sink
        try:
            results = pipeline.execute(raise_on_error=False)
        except redis.RedisError as error:
            raise ConnectorError(f"Redis sink: writing {count} records to {sink._host}:{sink._port} "
                                 f"failed: {error}") from error
        for (command, key), result in zip(commands, results):
            if isinstance(result, Exception):
                raise ConnectorError("Redis sink: " + _describe_wrong_type(result, command, key)) from result

    def snapshot_state(self, checkpoint_id: int) -> Any:
        # Every write() ends with its pipeline executed: nothing written before the
        # barrier is still pending, so the writes are at least once.
        return None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class _RedisUpsertWriter(_RedisWriter):
    """The SQL sink of a redis table: records are (delete, record) pairs. Of each batch, the
    last change per key is written in one pipeline: a delete is DEL key, an upsert replaces
    what the key held (DEL then HSET for a hash, SET for a string)."""

    def write(self, records: List[Any]) -> None:
        key_of = self._sink._key
        last: Dict[Any, tuple] = {}
        for delete, record in records:
            last[key_of(record)] = (delete, record)
        pipeline = self._client.pipeline(transaction=False)
        commands: List[tuple] = []
        for key, (delete, _) in last.items():
            if delete:
                pipeline.delete(key)
                commands.append(("DEL", key))
        self._queue_writes(pipeline, commands, [r for delete, r in last.values() if not delete], replace=True)
        self._execute(pipeline, commands, len(records))


class RedisSink(Sink):
    """Writes each record to Redis, one pipeline per batch.

    - ``data_type="string"``: ``SET key value [PX ttl]``, with value(record) a str, bytes,
      int or float.
    - ``data_type="hash"``: ``HSET key field value ...`` (then ``PEXPIRE key ttl``): the
      fields are value(record) if value is a function, the named fields of the record if it
      is a list of names, or every field of a Row or dict if it is None.

    ``key`` and ``value`` are functions of the record, field names (Row field, dict key or
    attribute) or positions. ``ttl`` (seconds, Duration or timedelta) makes every written key
    expire. Use with ``ds.sink_to(RedisSink(...))``.

    Examples:
        >>> from datetime import timedelta
        >>> from fluvial.common import Row
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors.redis import RedisSink
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> users = env.from_collection([Row(id=7, name="ada", age=36), Row(id=8, name="bob", age=41)])
        >>> # SET user:7:name ada EX 3600, ...
        >>> names = RedisSink("127.0.0.1", 6379, key=lambda u: f"user:{u.id}:name", value="name",
        ...                   ttl=timedelta(hours=1))
        >>> # HSET user:7 name ada age 36, ...
        >>> profiles = RedisSink("127.0.0.1", 6379, key=lambda u: f"user:{u.id}", value=["name", "age"],
        ...                      data_type="hash")
        >>> _ = users.sink_to(names), users.sink_to(profiles)  # env.execute() writes them to Redis
        >>> RedisSink(key="id")
        Traceback (most recent call last):
        ...
        TypeError: a Redis string sink needs value=: a function of the record, a field name or a position
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 6379, *, key: KeySpec,
                 value: Union[None, KeySpec, Sequence[str]] = None, data_type: str = "string",
                 ttl: Union[None, int, float, Duration, timedelta] = None, db: int = 0,
                 password: Optional[str] = None, timeout: float = 5.0):
        _check_endpoint(host, port)
        _check_data_type(data_type)
        self._host, self._port, self._db, self._password = host, port, db, password
        self._timeout = timeout
        self._data_type = data_type
        self._key = field_getter(key, "Redis key")
        if data_type == "string":
            if value is None:
                raise TypeError("a Redis string sink needs value=: a function of the record, "
                                "a field name or a position")
            self._value = field_getter(value, "Redis value")
        else:
            self._value = _hash_mapping(value)
        self._ttl = to_seconds(ttl, "Redis ttl")

    def _default_name(self) -> str:
        return f"Redis Sink ({self._host}:{self._port})"

    def _create_writer(self, subtask_index: int, parallelism: int) -> SinkWriter:
        return _RedisWriter(self)


# Runs one read command per key inside Redis and returns {0, value} or {1, error} per key:
# one command for the whole batch (a pipeline costs redis-py ~15 us per command to pack
# and parse, the script ~1 us per key), and a key of another type is reported by name.
_LOOKUP_SCRIPT = """
local out = {}
for i, key in ipairs(KEYS) do
  local ok, value = pcall(redis.call, ARGV[1], key, unpack(ARGV, 2))
  if ok then
    out[i] = {0, value}
  else
    out[i] = {1, type(value) == 'table' and value.err or tostring(value)}
  end
end
return out
"""


class RedisLookupFunction(LookupFunction):
    """Looks up key(record) in Redis for each record: ``join(record, found)``, where found is
    the hash at that key as a dict (``data_type="hash"``; only ``fields`` if given, through
    HMGET), or the string at that key (``data_type="string"``), or None if there is none.

    One call per batch of records (a Lua script that reads every key the cache lacks). The cache options
    are Flink's lookup options: ``cache_max_rows`` (lookup.cache.max-rows, 0 = no cache),
    ``cache_ttl`` (lookup.cache.ttl), ``cache_missing_key`` and ``max_retries``
    (lookup.max-retries, for lost connections and timeouts). Use with ``ds.map(lookup)``.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors.redis import RedisLookupFunction
        >>> features = RedisLookupFunction("127.0.0.1", 6379, key=lambda click: f"user:{click[0]}",
        ...                                fields=["age", "country"], cache_max_rows=10000, cache_ttl=60,
        ...                                join=lambda click, user: (*click, (user or {}).get("country")))
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> clicks = env.from_collection([(7, "home"), (8, "cart")])
        >>> enriched = clicks.map(features)  # HMGET user:7 age country, ... when the job executes
        >>> RedisLookupFunction(key=0, data_type="string", fields=["age"])
        Traceback (most recent call last):
        ...
        ValueError: fields= selects hash fields: it needs data_type='hash'
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 6379, *, key: KeySpec,
                 data_type: str = "hash", fields: Optional[Sequence[str]] = None,
                 join: Optional[Callable[[Any, Any], Any]] = None, cache_max_rows: int = 0,
                 cache_ttl: Union[None, int, float, Duration, timedelta] = None,
                 cache_missing_key: bool = True, max_retries: int = 3, db: int = 0,
                 password: Optional[str] = None, timeout: float = 5.0):
        super().__init__(key, join, cache_max_rows, cache_ttl, cache_missing_key, max_retries)
        _check_endpoint(host, port)
        _check_data_type(data_type)
        if fields is not None:
            if data_type != "hash":
                raise ValueError("fields= selects hash fields: it needs data_type='hash'")
            if isinstance(fields, str) or not all(isinstance(f, str) for f in fields) or not fields:
                raise TypeError(f"fields must be a non-empty list of hash field names, got {fields!r}")
            fields = list(fields)
        self._host, self._port, self._db, self._password = host, port, db, password
        self._timeout = timeout
        self._data_type = data_type
        self._fields = fields
        self._client = None
        self._script = None

    def _describe(self) -> str:
        return f"Redis lookup at {self._host}:{self._port}"

    def _connect(self) -> None:
        self._client = connect(self._host, self._port, self._db, self._password, self._timeout)
        self._script = self._client.register_script(_LOOKUP_SCRIPT)

    def _disconnect(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _is_retriable(self, error: BaseException) -> bool:
        import redis

        return isinstance(error, (redis.ConnectionError, redis.TimeoutError))

    def _fetch(self, keys: List[Any]) -> Dict[Any, Any]:
        if self._data_type == "string":
            command, arguments = "GET", ["GET"]
        elif self._fields is None:
            command, arguments = "HGETALL", ["HGETALL"]
        else:
            command, arguments = "HMGET", ["HMGET", *self._fields]
        results = self._script(keys=keys, args=arguments)
        found: Dict[Any, Any] = {}
        fields = self._fields
        for key, (failed, value) in zip(keys, results):
            if failed:
                raise ConnectorError(f"{self._describe()}: " + _describe_wrong_type(Exception(value), command, key))
            if command == "GET":
                if value is not None:
                    found[key] = value
            elif command == "HGETALL":
                if value:  # a flat list: field, value, field, value, ...
                    found[key] = dict(zip(value[0::2], value[1::2]))
            elif any(v is not None for v in value):
                found[key] = dict(zip(fields, value))
        return found
