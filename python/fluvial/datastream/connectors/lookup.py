"""Lookups against an external store, a batch of records at a time, with a cache.

A lookup join enriches each record with what a key-value store or a database holds for
its key (the feature table of a sample-joining job). ``LookupFunction`` is the shared
core of the Redis and JDBC lookups: it is a MapFunction, so ``ds.map(lookup)`` works as
in any PyFlink job, but DataStream.map() sees its ``map_batch`` and runs it on the
engine's batch map operator, which hands over a whole batch per call. The function then
looks up every distinct key of the batch that the cache does not hold in one round trip
(one Redis script call, one ``WHERE ... IN`` query) instead of one per record.

The cache follows Flink's JDBC lookup options: ``lookup.cache.max-rows`` (least recently
used rows are evicted past it; 0 disables the cache), ``lookup.cache.ttl`` (a row older
than this is fetched again) and ``lookup.cache.caching-missing-key`` (a key the store does
not hold is cached as missing too). ``lookup.max-retries`` is how often a failed fetch is
retried, reconnecting first, before the job fails.
"""

import collections
import time
from datetime import timedelta
from typing import Any, Callable, Dict, Hashable, List, Optional, Tuple, Union

from fluvial.common.time import Duration
from fluvial.datastream.functions import MapFunction, RuntimeContext
from fluvial.errors import ConnectorError

# to_seconds and field_getter are helpers of the Redis and JDBC connectors, not API.
__all__ = ["LookupCache", "LookupFunction", "MISSING"]

# What LookupCache.get returns for a key it does not hold (None is a cached "not in the store").
MISSING = object()


def to_seconds(value: Union[None, int, float, Duration, timedelta], what: str) -> Optional[float]:
    """A duration given as seconds, a Duration or a timedelta, as seconds (None stays None)."""
    if value is None:
        return None
    if isinstance(value, Duration):
        seconds = value.to_milliseconds() / 1000
    elif isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise TypeError(f"{what} must be seconds (int or float), a Duration or a timedelta, "
                        f"got {type(value).__name__} {value!r}")
    if seconds <= 0:
        raise ValueError(f"{what} must be positive, got {seconds} s")
    return seconds


def field_getter(spec: Union[str, int, Callable[[Any], Any]], what: str) -> Callable[[Any], Any]:
    """A function taking a record's key or value: a callable, a field name (Row field, dict
    key or attribute) or a position (tuple, list or Row index)."""
    if callable(spec):
        return spec
    if isinstance(spec, bool) or not isinstance(spec, (str, int)):
        raise TypeError(f"{what} must be a field name, a position or a function of the record, "
                        f"got {type(spec).__name__} {spec!r}")
    if isinstance(spec, int):
        def by_position(record: Any) -> Any:
            try:
                return record[spec]
            except (IndexError, TypeError, KeyError):
                raise ConnectorError(f"{what}: record {record!r} has no position {spec}") from None
        return by_position

    def by_name(record: Any) -> Any:
        if isinstance(record, dict):
            if spec in record:
                return record[spec]
        else:
            try:
                return getattr(record, spec)
            except AttributeError:
                pass
        raise ConnectorError(f"{what}: record {record!r} has no field '{spec}'")
    return by_name


class LookupCache:
    """A least-recently-used cache whose entries expire 'ttl' seconds after they were stored.

    Counts hits and misses (a lookup of an expired entry is a miss). ``max_rows=0`` keeps
    nothing; ``ttl=None`` keeps entries until they are evicted.

    Examples:
        >>> from fluvial.datastream.connectors.lookup import MISSING, LookupCache
        >>> now = [0.0]
        >>> cache = LookupCache(max_rows=2, ttl=10, clock=lambda: now[0])
        >>> cache.put("a", 1); cache.put("b", None)  # None: cached as not in the store
        >>> cache.get("b"), cache.get("a"), cache.get("c") is MISSING
        (None, 1, True)
        >>> cache.put("c", 3)  # evicts "b", the least recently used
        >>> cache.get("b") is MISSING, len(cache)
        (True, 2)
        >>> now[0] = 10.0  # "a" and "c" were stored 10 s ago: expired
        >>> cache.get("a") is MISSING, cache.hits, cache.misses
        (True, 2, 3)
    """

    def __init__(self, max_rows: int, ttl: Optional[float], clock: Callable[[], float] = time.monotonic):
        if not isinstance(max_rows, int) or isinstance(max_rows, bool) or max_rows < 0:
            raise ValueError(f"lookup.cache.max-rows must be an int >= 0, got {max_rows!r}")
        self.max_rows = max_rows
        self.ttl = ttl
        self._clock = clock
        self._entries: "collections.OrderedDict[Hashable, Tuple[float, Any]]" = collections.OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, now: Optional[float] = None) -> Any:
        """The cached value, or MISSING (expired entries are dropped)."""
        entry = self._entries.get(key)
        if entry is not None:
            stored_at, value = entry
            if self.ttl is None or (self._clock() if now is None else now) - stored_at < self.ttl:
                self._entries.move_to_end(key)
                self.hits += 1
                return value
            del self._entries[key]
        self.misses += 1
        return MISSING

    def put(self, key: Hashable, value: Any, now: Optional[float] = None) -> None:
        if self.max_rows == 0:
            return
        self._entries[key] = (self._clock() if now is None else now, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_rows:
            self._entries.popitem(last=False)


def default_join(record: Any, found: Any) -> Any:
    return (record, found)


class LookupFunction(MapFunction):
    """Enriches each record with what the store holds for its key: join(record, found), where
    'found' is the store's value for key(record), or None if it holds none.

    Subclasses connect in ``_connect()``, fetch a list of distinct keys in one round trip in
    ``_fetch(keys) -> {key: value}`` (keys absent from the result are missing) and close in
    ``_disconnect()``; this class does the batching, the cache and the retries.

    Examples:
        >>> from fluvial.datastream.connectors.lookup import LookupFunction
        >>> class DictLookup(LookupFunction):  # a store that is a dict
        ...     def __init__(self, table, **options):
        ...         super().__init__(**options)
        ...         self.table = table
        ...     def _describe(self):
        ...         return "dict lookup"
        ...     def _connect(self):
        ...         pass
        ...     def _fetch(self, keys):
        ...         return {key: self.table[key] for key in keys if key in self.table}
        >>> lookup = DictLookup({1: "one", 2: "two"}, key=0, cache_max_rows=100)
        >>> lookup.open(None)
        >>> lookup.map_batch([(1, "a"), (2, "b"), (1, "c"), (3, "d")])  # one fetch of keys 1, 2, 3
        [((1, 'a'), 'one'), ((2, 'b'), 'two'), ((1, 'c'), 'one'), ((3, 'd'), None)]
        >>> lookup.map_batch([(2, "e"), (3, "f")])  # from the cache, 3 as missing
        [((2, 'e'), 'two'), ((3, 'f'), None)]
        >>> lookup.fetches, lookup.hits, lookup.misses
        (1, 3, 3)

        In a job, ``ds.map(lookup)`` hands it a batch of records per call:

        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> names = DictLookup({1: "one", 2: "two"}, key=lambda n: n, join=lambda n, name: f"{n}={name}")
        >>> list(env.from_collection([1, 2, 3]).map(names).execute_and_collect())
        ['1=one', '2=two', '3=None']
    """

    def __init__(self, key: Union[str, int, Callable[[Any], Any]],
                 join: Optional[Callable[[Any, Any], Any]] = None,
                 cache_max_rows: int = 0, cache_ttl: Union[None, int, float, Duration, timedelta] = None,
                 cache_missing_key: bool = True, max_retries: int = 3):
        self._key = field_getter(key, "lookup key")
        if join is not None and not callable(join):
            raise TypeError(f"join must be a function (record, found) -> output, got {join!r}")
        self._join = join or default_join
        if not isinstance(cache_max_rows, int) or isinstance(cache_max_rows, bool) or cache_max_rows < 0:
            raise ValueError(f"lookup.cache.max-rows must be an int >= 0, got {cache_max_rows!r}")
        self._cache_max_rows = cache_max_rows
        self._cache_ttl = to_seconds(cache_ttl, "lookup.cache.ttl")
        self._cache_missing_key = cache_missing_key
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise ValueError(f"lookup.max-retries must be an int >= 0, got {max_retries!r}")
        self._max_retries = max_retries
        self.cache: Optional[LookupCache] = None
        # Per record: a miss is the first record of a batch whose key had to be fetched,
        # a hit any other (served by the cache or by that fetch). Round trips: fetches.
        self.hits = 0
        self.misses = 0
        self.fetches = 0

    # -- to implement
    def _describe(self) -> str:
        raise NotImplementedError

    def _connect(self) -> None:
        raise NotImplementedError

    def _fetch(self, keys: List[Any]) -> Dict[Any, Any]:
        raise NotImplementedError

    def _disconnect(self) -> None:
        pass

    def _is_retriable(self, error: BaseException) -> bool:
        """Whether a failed fetch may succeed after reconnecting (a lost connection, a timeout)."""
        return False

    # -- MapFunction
    def open(self, runtime_context: RuntimeContext) -> None:
        self.cache = LookupCache(self._cache_max_rows, self._cache_ttl)
        self._connect()

    def close(self) -> None:
        self._disconnect()

    def map(self, value: Any) -> Any:
        return self.map_batch([value])[0]

    def map_batch(self, values: List[Any]) -> List[Any]:
        """The outputs for a batch of records: one fetch for the keys the cache lacks."""
        key_of, cache = self._key, self.cache
        keys = [key_of(value) for value in values]
        now = time.monotonic()
        found: Dict[Any, Any] = {}
        wanted: List[Any] = []
        for key in keys:
            if key in found:
                continue
            cached = cache.get(key, now) if cache.max_rows else MISSING
            if cached is MISSING:
                found[key] = MISSING
                wanted.append(key)
            else:
                found[key] = cached
        if wanted:
            fetched = self._fetch_with_retries(wanted)
            for key in wanted:
                value = fetched.get(key)
                found[key] = value
                if cache.max_rows and (value is not None or self._cache_missing_key):
                    cache.put(key, value, now)
        self.misses += len(wanted)
        self.hits += len(values) - len(wanted)
        join = self._join
        return [join(value, found[key]) for value, key in zip(values, keys)]

    def _fetch_with_retries(self, keys: List[Any]) -> Dict[Any, Any]:
        attempt = 0
        while True:
            try:
                self.fetches += 1
                return self._fetch(keys)
            except ConnectorError:
                raise
            except Exception as error:
                if attempt >= self._max_retries or not self._is_retriable(error):
                    tries = f" after {attempt + 1} attempts" if attempt else ""
                    raise ConnectorError(f"{self._describe()}: lookup of {len(keys)} keys failed{tries}: "
                                         f"{type(error).__name__}: {error}") from error
                attempt += 1
                time.sleep(min(0.1 * 2 ** attempt, 2.0))
                try:
                    self._disconnect()
                    self._connect()
                except Exception:  # noqa: S110 - the next fetch reports the failure
                    pass
