"""The Nexmark event generator, vectorized: numpy arrays in, Arrow record batches out.

It follows the model of the Nexmark benchmark's generator (``GeneratorConfig``,
``NexmarkGenerator`` and the person/auction/bid generators of nexmark-flink):

- Events are numbered 0, 1, 2, ...; with an out-of-order group size g, event number n
  has the *event id* ``(n // g) * g + (n * 953) % g`` (ids shuffled within each group of g;
  the last, partial group keeps its order so every id appears once). The id decides
  everything else.
- Kind: ``id % 50`` below 1 is a person, below 1 + 3 an auction, else a bid (the
  proportions 1:3:46, configurable).
- Time: ``base_time + floor(id * 1e6 / first_event_rate) / 1000`` ms, so event time
  advances at ``first_event_rate`` events per second and an out-of-order group of g
  events is at most ``g / rate`` seconds out of order.
- Persons get ids 1000, 1001, ... in order; auctions 1000, 1001, ... likewise. An auction's
  seller is a *hot* seller (the first person of the last block of 100) with probability
  1 - 1/``hot_sellers_ratio``, else one of the last ``num_active_people`` persons (plus a
  lead of 10 not yet created). A bid's auction is the hot auction (the first of the last 100)
  with probability 1 - 1/``hot_auction_ratio``, else one of the last
  ``num_in_flight_auctions`` auctions (plus a lead of 10); its bidder is a hot bidder
  (the second person of the last 100) with probability 1 - 1/``hot_bidders_ratio``, else an
  active person.
- Prices are ``round(10 ** (6u) * 100)``; an auction expires after a random time whose
  mean is the time until ``num_in_flight_auctions`` more auctions are generated;
  ``extra`` pads each event to the average sizes 200/500/100 bytes (±20 %).
- Bids carry a channel and a URL (nexmark-flink's later model, used by q14–q22): with
  probability 1 - 1/``hot_channels_ratio`` one of Apple, Google, Facebook, Baidu and its
  site, else ``channel-<k>`` with a URL under nexmark.com that names ``channel_id=<k>`` for
  nine in ten k.

Where Nexmark draws from an unseeded ``java.util.Random``, this generator derives every
random value from (seed, event id, field) with a counter-based hash (splitmix64), so an
event is the same however the stream is split: a subtask can generate any slice of event
numbers, or only the bids of a slice, and get exactly those events of the whole stream.
Random strings are windows into a seeded pool of letters, at a hashed offset.
"""

from dataclasses import dataclass, fields, replace
from typing import Dict, List, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["NexmarkConfig", "TABLES", "generate", "kinds_of", "schema_of"]

FIRST_PERSON_ID = 1000
FIRST_AUCTION_ID = 1000
FIRST_CATEGORY_ID = 10
NUM_CATEGORIES = 5
ID_LEAD = 10  # persons and auctions not yet created that may already be referenced
HOT_BLOCK = 100  # hot sellers/bidders/auctions are the first of the last block of 100
DEFAULT_BASE_TIME = 1_704_067_200_000  # 2024-01-01T00:00:00Z

PERSON, AUCTION, BID = 0, 1, 2

_TS = pa.timestamp("ms")
TABLES: Dict[str, pa.Schema] = {
    "person": pa.schema([("id", pa.int64()), ("name", pa.string()), ("emailAddress", pa.string()),
                         ("creditCard", pa.string()), ("city", pa.string()), ("state", pa.string()),
                         ("dateTime", _TS), ("extra", pa.string())]),
    "auction": pa.schema([("id", pa.int64()), ("itemName", pa.string()), ("description", pa.string()),
                          ("initialBid", pa.int64()), ("reserve", pa.int64()), ("dateTime", _TS),
                          ("expires", _TS), ("seller", pa.int64()), ("category", pa.int64()),
                          ("extra", pa.string())]),
    "bid": pa.schema([("auction", pa.int64()), ("bidder", pa.int64()), ("price", pa.int64()),
                      ("channel", pa.string()), ("url", pa.string()), ("dateTime", _TS), ("extra", pa.string())]),
}
_KIND = {"person": PERSON, "auction": AUCTION, "bid": BID}

_STATES = pa.array("AZ,CA,ID,OR,WA,WY".split(","))
_CITIES = pa.array("Phoenix,Los Angeles,San Francisco,Boise,Portland,Bend,Redmond,Seattle,Kent,Cheyenne".split(","))
_FIRST_NAMES = pa.array("Peter,Paul,Luke,John,Saul,Vicky,Kate,Julie,Sarah,Deiter,Walter".split(","))
_LAST_NAMES = pa.array("Shultz,Abrams,Spencer,White,Bartels,Walton,Smith,Jones,Noris".split(","))
_HOT_CHANNELS = pa.array(["Google", "Facebook", "Baidu", "Apple"])
_HOT_URLS = pa.array([f"https://www.nexmark.com/{c.lower()}/item.htm?query=1" for c in
                      ["Google", "Facebook", "Baidu", "Apple"]])
_CHANNELS_NUMBER = 10_000
_POOL = 1 << 20  # random strings start in the first _POOL characters
_PAD = 1 << 16  # ... and may run this far past it


@dataclass(frozen=True)
class NexmarkConfig:
    """The generator's parameters, with Nexmark's defaults (``NexmarkConfiguration``)."""

    events_num: Optional[int] = None  # None: unbounded
    first_event_rate: float = 10_000  # events per second of event time
    person_proportion: int = 1
    auction_proportion: int = 3
    bid_proportion: int = 46
    avg_person_byte_size: int = 200
    avg_auction_byte_size: int = 500
    avg_bid_byte_size: int = 100
    hot_auction_ratio: int = 2
    hot_sellers_ratio: int = 4
    hot_bidders_ratio: int = 4
    hot_channels_ratio: int = 2
    num_in_flight_auctions: int = 100
    num_active_people: int = 1000
    out_of_order_group_size: int = 1
    base_time: int = DEFAULT_BASE_TIME  # ms since the epoch of event 0
    seed: int = 0

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("events_num",) and value is None:
                continue
            if f.name in ("base_time", "seed"):
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < (0 if f.name in (
                    "events_num",) else 1):
                raise ValueError(f"Nexmark parameter '{f.name}' must be a positive number, got {value!r}")
        if 953 % self.out_of_order_group_size == 0 and self.out_of_order_group_size > 1:
            raise ValueError("Nexmark parameter 'out_of_order_group_size' must not divide 953")

    @property
    def total_proportion(self) -> int:
        return self.person_proportion + self.auction_proportion + self.bid_proportion

    @property
    def inter_event_delay_us(self) -> float:
        return 1_000_000.0 / self.first_event_rate

    def with_(self, **changes) -> "NexmarkConfig":
        return replace(self, **changes)


def schema_of(table: str) -> pa.Schema:
    if table not in TABLES:
        raise ValueError(f"unknown Nexmark table {table!r} (tables: {', '.join(TABLES)})")
    return TABLES[table]


# -- randomness: a counter-based hash of (seed, event id, field) ------------------------

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


class _Random:
    """Random values per event id: draw(field) is the same for an id wherever it is generated."""

    def __init__(self, ids: np.ndarray, seed: int):
        self._keys = _mix(ids.astype(np.uint64) ^ _mix(np.full(1, seed & (2 ** 64 - 1), np.uint64)))

    def bits(self, field: int) -> np.ndarray:
        return _mix(self._keys + np.uint64((field * 0x9E3779B97F4A7C15) & (2 ** 64 - 1)))

    def below(self, field: int, bound) -> np.ndarray:
        """Integers in [0, bound) (bound a number or an array of positive numbers)."""
        return (self.bits(field) % np.asarray(bound, dtype=np.uint64)).astype(np.int64)

    def uniform(self, field: int) -> np.ndarray:
        return (self.bits(field) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


class _Pools:
    """Seeded pools of characters that random strings are cut from."""

    _cache: Dict[int, "_Pools"] = {}

    def __init__(self, seed: int):
        rng = np.random.default_rng([seed & (2 ** 63 - 1), 7])
        self.letters = rng.integers(ord("a"), ord("z") + 1, _POOL + _PAD, dtype=np.uint8)
        words = self.letters.copy()
        words[rng.integers(0, 13, _POOL + _PAD) == 0] = ord(" ")  # nextString: a space one time in 13
        self.words = words
        self.digits = rng.integers(ord("0"), ord("9") + 1, _POOL + _PAD, dtype=np.uint8)

    @classmethod
    def of(cls, seed: int) -> "_Pools":
        if seed not in cls._cache:
            cls._cache[seed] = cls(seed)
        return cls._cache[seed]


def _cut(pool: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> pa.StringArray:
    """Strings pool[start:start + length] as one Arrow string array."""
    lengths = lengths.astype(np.int32)
    offsets = np.zeros(len(lengths) + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    width = int(lengths.max()) if len(lengths) else 0
    windows = np.lib.stride_tricks.as_strided(pool, shape=(len(pool) - width, width), strides=(1, 1))
    rows = windows[starts.astype(np.int64)]  # one copy of width bytes per string
    data = rows[np.arange(width, dtype=np.int32) < lengths[:, None]]  # row-major: the strings one after another
    return pa.Array.from_buffers(pa.string(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def _fixed(pool: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """pool[start:start + width] for each start, as the rows of an (n, width) array."""
    windows = np.lib.stride_tricks.as_strided(pool, shape=(len(pool) - width, width), strides=(1, 1))
    return windows[starts.astype(np.int64)]


def _strings(rows: np.ndarray) -> pa.StringArray:
    """The rows of an (n, width) byte array as n strings of that width."""
    n, width = rows.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = pa.py_buffer(np.ascontiguousarray(rows))
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), data])


_URL_PREFIX = np.frombuffer(b"https://www.nexmark.com/", np.uint8)
_URL_SUFFIX = np.frombuffer(b"/item.htm?query=1", np.uint8)


def _urls(pools: "_Pools", starts: np.ndarray) -> pa.StringArray:
    """https://www.nexmark.com/<5 letters>/<5 letters>/<5 letters>/item.htm?query=1"""
    middle = _fixed(pools.letters, starts, 17).copy()
    middle[:, 5] = middle[:, 11] = ord("/")
    n = len(starts)
    return _strings(np.hstack([np.broadcast_to(_URL_PREFIX, (n, len(_URL_PREFIX))), middle,
                               np.broadcast_to(_URL_SUFFIX, (n, len(_URL_SUFFIX)))]))


def _random_string(rand: _Random, field: int, pools: _Pools, max_length: int) -> pa.Array:
    """nextString: 3..max_length-1 letters and spaces, trimmed."""
    lengths = 3 + rand.below(field, max_length - 3)
    starts = rand.below(field + 1, _POOL)
    return pc.utf8_trim(_cut(pools.words, starts, lengths), " ")


def _extra(rand: _Random, field: int, pools: _Pools, current_size: np.ndarray, average: int) -> pa.Array:
    """nextExtra: letters padding each event to 'average' bytes on average (±20 %)."""
    desired = average - current_size.astype(np.int64)
    delta = np.round(desired * 0.2).astype(np.int64)
    size = desired - delta + np.where(delta > 0, rand.below(field, np.maximum(2 * delta, 1)), 0)
    size = np.where(current_size > average, 0, np.maximum(size, 0))
    starts = rand.below(field + 1, _POOL)
    return _cut(pools.letters, starts, size)


def _price(rand: _Random, field: int) -> np.ndarray:
    return np.round(10.0 ** (rand.uniform(field) * 6.0) * 100.0).astype(np.int64)


# -- the model ------------------------------------------------------------------------

def event_ids(config: NexmarkConfig, first: int, last: int) -> np.ndarray:
    """The event ids of event numbers first..last-1 (shuffled within out-of-order groups)."""
    numbers = np.arange(first, last, dtype=np.int64)
    g = config.out_of_order_group_size
    if g == 1:
        return numbers
    shuffled = (numbers // g) * g + (numbers * 953) % g
    if config.events_num is not None:  # the last, partial group keeps its order
        tail = (config.events_num // g) * g
        shuffled = np.where(numbers >= tail, numbers, shuffled)
    return shuffled


def kinds_of(config: NexmarkConfig, ids: np.ndarray) -> np.ndarray:
    remainder = ids % config.total_proportion
    return np.where(remainder < config.person_proportion, PERSON,
                    np.where(remainder < config.person_proportion + config.auction_proportion, AUCTION, BID))


def timestamps(config: NexmarkConfig, ids: np.ndarray) -> np.ndarray:
    """Event time (ms since the epoch) of each event id."""
    return config.base_time + (ids * config.inter_event_delay_us).astype(np.int64) // 1000


def last_person(config: NexmarkConfig, ids: np.ndarray) -> np.ndarray:
    """The last person id (base 0) created at or before each event id."""
    epoch, offset = np.divmod(ids, config.total_proportion)
    offset = np.minimum(offset, config.person_proportion - 1)
    return epoch * config.person_proportion + offset


def last_auction(config: NexmarkConfig, ids: np.ndarray) -> np.ndarray:
    """The last auction id (base 0) created at or before each event id."""
    epoch, offset = np.divmod(ids, config.total_proportion)
    p, a = config.person_proportion, config.auction_proportion
    person = offset < p
    epoch = np.where(person, epoch - 1, epoch)
    offset = np.where(person | (offset >= p + a), a - 1, offset - p)
    return epoch * a + offset


def _some_person(config: NexmarkConfig, ids: np.ndarray, rand: _Random, field: int) -> np.ndarray:
    people = last_person(config, ids) + 1
    active = np.minimum(people, config.num_active_people)
    return people - active + rand.below(field, active + ID_LEAD)


def _some_auction(config: NexmarkConfig, ids: np.ndarray, rand: _Random, field: int) -> np.ndarray:
    newest = last_auction(config, ids)
    oldest = np.maximum(newest - config.num_in_flight_auctions, 0)
    return oldest + rand.below(field, newest - oldest + 1 + ID_LEAD)


def _persons(config: NexmarkConfig, ids: np.ndarray, columns: List[str]) -> Dict[str, pa.Array]:
    rand, pools = _Random(ids, config.seed), _Pools.of(config.seed)
    out: Dict[str, pa.Array] = {}
    out["id"] = pa.array(last_person(config, ids) + FIRST_PERSON_ID)
    first = _FIRST_NAMES.take(pa.array(rand.below(1, len(_FIRST_NAMES))))
    last = _LAST_NAMES.take(pa.array(rand.below(2, len(_LAST_NAMES))))
    out["name"] = pc.binary_join_element_wise(first, last, " ")
    address = pc.binary_join_element_wise(_random_string(rand, 3, pools, 7), _random_string(rand, 5, pools, 5), "@")
    out["emailAddress"] = pc.binary_join_element_wise(address, ".com", "")
    card = _fixed(pools.digits, rand.below(7, _POOL), 19).copy()
    card[:, 4] = card[:, 9] = card[:, 14] = ord(" ")
    out["creditCard"] = _strings(card)
    out["city"] = _CITIES.take(pa.array(rand.below(8, len(_CITIES))))
    out["state"] = _STATES.take(pa.array(rand.below(9, len(_STATES))))
    out["dateTime"] = pa.array(timestamps(config, ids), _TS)
    if "extra" in columns:
        size = 8 + sum(pc.binary_length(out[c]).to_numpy(zero_copy_only=False)
                       for c in ("name", "emailAddress", "creditCard", "city", "state"))
        out["extra"] = _extra(rand, 10, pools, size, config.avg_person_byte_size)
    return out


def _auctions(config: NexmarkConfig, ids: np.ndarray, columns: List[str]) -> Dict[str, pa.Array]:
    rand, pools = _Random(ids, config.seed), _Pools.of(config.seed)
    out: Dict[str, pa.Array] = {}
    out["id"] = pa.array(last_auction(config, ids) + FIRST_AUCTION_ID)
    hot = rand.below(1, config.hot_sellers_ratio) > 0
    seller = np.where(hot, (last_person(config, ids) // HOT_BLOCK) * HOT_BLOCK, _some_person(config, ids, rand, 2))
    out["seller"] = pa.array(seller + FIRST_PERSON_ID)
    out["category"] = pa.array(FIRST_CATEGORY_ID + rand.below(3, NUM_CATEGORIES))
    initial = _price(rand, 4)
    out["initialBid"] = pa.array(initial)
    now = timestamps(config, ids)
    events_ahead = config.num_in_flight_auctions * config.total_proportion // config.auction_proportion
    horizon = timestamps(config, ids + events_ahead) - now
    out["expires"] = pa.array(now + 1 + rand.below(5, np.maximum(horizon * 2, 1)), _TS)
    out["itemName"] = _random_string(rand, 6, pools, 20)
    out["description"] = _random_string(rand, 8, pools, 100)
    out["reserve"] = pa.array(initial + _price(rand, 10))
    out["dateTime"] = pa.array(now, _TS)
    if "extra" in columns:
        size = (8 + pc.binary_length(out["itemName"]).to_numpy(zero_copy_only=False)
                + pc.binary_length(out["description"]).to_numpy(zero_copy_only=False) + 40)
        out["extra"] = _extra(rand, 11, pools, size, config.avg_auction_byte_size)
    return out


def _bids(config: NexmarkConfig, ids: np.ndarray, columns: List[str]) -> Dict[str, pa.Array]:
    rand, pools = _Random(ids, config.seed), _Pools.of(config.seed)
    out: Dict[str, pa.Array] = {}
    hot = rand.below(1, config.hot_auction_ratio) > 0
    auction = np.where(hot, (last_auction(config, ids) // HOT_BLOCK) * HOT_BLOCK, _some_auction(config, ids, rand, 2))
    out["auction"] = pa.array(auction + FIRST_AUCTION_ID)
    hot = rand.below(3, config.hot_bidders_ratio) > 0
    bidder = np.where(hot, (last_person(config, ids) // HOT_BLOCK) * HOT_BLOCK + 1, _some_person(config, ids, rand, 4))
    out["bidder"] = pa.array(bidder + FIRST_PERSON_ID)
    out["price"] = pa.array(_price(rand, 5))
    if "channel" in columns or "url" in columns:
        hot = rand.below(6, config.hot_channels_ratio) > 0
        which = pa.array(rand.below(7, len(_HOT_CHANNELS)))
        number = rand.below(8, _CHANNELS_NUMBER)
        numbers = pa.array(number).cast(pa.string())
        channel = pc.binary_join_element_wise("channel-", numbers, "")
        base = _urls(pools, rand.below(9, _POOL))
        with_id = pc.binary_join_element_wise(base, numbers, "&channel_id=")
        url = pc.if_else(pa.array(number % 10 > 0), with_id, base)
        out["channel"] = pc.if_else(pa.array(hot), _HOT_CHANNELS.take(which), channel)
        out["url"] = pc.if_else(pa.array(hot), _HOT_URLS.take(which), url)
    out["dateTime"] = pa.array(timestamps(config, ids), _TS)
    if "extra" in columns:
        out["extra"] = _extra(rand, 12, pools, np.full(len(ids), 32), config.avg_bid_byte_size)
    return out


_GENERATORS = {PERSON: _persons, AUCTION: _auctions, BID: _bids}


def generate(config: NexmarkConfig, table: str, first: int, last: int,
             columns: Optional[List[str]] = None) -> pa.RecordBatch:
    """The events of one kind ('person', 'auction' or 'bid') among event numbers first..last-1,
    in event-number order, as a record batch of 'columns' (default: all of the table's)."""
    schema = schema_of(table)
    columns = list(schema.names) if columns is None else list(columns)
    for name in columns:
        if name not in schema.names:
            raise ValueError(f"Nexmark table '{table}' has no column '{name}' (columns: {', '.join(schema.names)})")
    ids = event_ids(config, first, last)
    ids = ids[kinds_of(config, ids) == _KIND[table]]
    values = _GENERATORS[_KIND[table]](config, ids, columns)
    return pa.RecordBatch.from_arrays([values[c] for c in columns],
                                      schema=pa.schema([schema.field(c) for c in columns]))


def blocks_of(config: NexmarkConfig, subtask: int, parallelism: int, block: int):
    """(first, last) event-number ranges of one subtask: blocks dealt round-robin."""
    b = subtask
    while config.events_num is None or b * block < config.events_num:
        first = b * block
        last = first + block if config.events_num is None else min(first + block, config.events_num)
        yield first, last
        b += parallelism


def check_block(block: int, config: NexmarkConfig) -> None:
    if block <= 0 or block % config.total_proportion:
        raise ValueError(f"a Nexmark block must be a positive multiple of {config.total_proportion} events, "
                         f"got {block}")
