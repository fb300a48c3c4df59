"""Nexmark: the online-auction event generator of the Nexmark benchmark, as a SQL connector
(``'connector' = 'nexmark'``) and a DataStream source (``NexmarkSource``).

Nexmark's own Flink SQL DDL declares one table of nested rows (``event_type``, ``person
ROW<...>``, ``auction ROW<...>``, ``bid ROW<...>``) and three views that pick a kind. Fluvial's
SQL has no ROW-typed columns yet, so the connector serves the three views directly as flat
tables: ``'table' = 'person' | 'auction' | 'bid'`` (the columns of ``TABLES``). Tables with the
same options see the same event stream, each keeping its own kind of event.

Options (nexmark-flink's names; see ``generator.py`` for the model):

=============================  ==========================================================
``table``                      person, auction or bid (required)
``events.num``                 events in all, of every kind (default 0: unbounded)
``first-event.rate``           events per second of *event time* (default 10000)
``next-event.rate``            accepted when equal to first-event.rate (one rate only)
``tps``                        wall-clock limit, events per second over all subtasks
                               (default 0: as fast as possible); also the event-time rate
                               when ``first-event.rate`` is not given, as Nexmark's TPS is
``person.proportion`` etc.     1 : 3 : 46 by default
``person.avg-size`` etc.       200 / 500 / 100 bytes (plain numbers or ``'200b'``)
``bid.hot-ratio.auctions``     2; ``bid.hot-ratio.bidders`` 4; ``auction.hot-ratio.sellers`` 4
``auction.in-flight``          100 auctions in flight; ``person.active`` 1000 active people
``out-of-order.group-size``    1 (events shuffled within groups of this many)
``base-time``                  event time of event 0, ms since the epoch (2024-01-01)
``seed``                       0 (every value is a function of seed and event id)
=============================  ==========================================================

Subtasks take blocks of 10,000 event numbers round-robin, so the union over any parallelism
is the same stream.
"""

import itertools
import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pyarrow as pa

from fluvial.nexmark.generator import TABLES, NexmarkConfig, blocks_of, check_block, generate, schema_of

__all__ = ["NexmarkConfig", "NexmarkSource", "TABLES", "config_from_options", "generate"]

BLOCK = 10_000

_OPTIONS = {
    "events.num": "events_num", "first-event.rate": "first_event_rate",
    "person.proportion": "person_proportion", "auction.proportion": "auction_proportion",
    "bid.proportion": "bid_proportion", "person.avg-size": "avg_person_byte_size",
    "auction.avg-size": "avg_auction_byte_size", "bid.avg-size": "avg_bid_byte_size",
    "bid.hot-ratio.auctions": "hot_auction_ratio", "bid.hot-ratio.bidders": "hot_bidders_ratio",
    "auction.hot-ratio.sellers": "hot_sellers_ratio", "bid.hot-ratio.channels": "hot_channels_ratio",
    "auction.in-flight": "num_in_flight_auctions", "person.active": "num_active_people",
    "out-of-order.group-size": "out_of_order_group_size", "base-time": "base_time", "seed": "seed",
}
OPTION_NAMES = sorted([*_OPTIONS, "table", "tps", "next-event.rate"])


def _integer(key: str, value: str) -> int:
    text = str(value).strip().lower()
    if key.endswith("avg-size") and text.endswith("b"):
        text = text[:-1].strip()
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"Nexmark option '{key}' must be an integer, got {value!r}") from None


def config_from_options(options: Dict[str, str]) -> NexmarkConfig:
    """A NexmarkConfig from connector options (unknown keys are the caller's to reject)."""
    values: Dict[str, Any] = {}
    for key, field in _OPTIONS.items():
        if key in options:
            values[field] = _integer(key, options[key])
    if values.get("events_num") == 0:
        values["events_num"] = None
    if "first_event_rate" not in values and "tps" in options and _integer("tps", options["tps"]) > 0:
        values["first_event_rate"] = _integer("tps", options["tps"])
    if "next-event.rate" in options and _integer("next-event.rate", options["next-event.rate"]) != values.get(
            "first_event_rate", NexmarkConfig.first_event_rate):
        raise ValueError("Nexmark option 'next-event.rate' must equal 'first-event.rate': Fluvial's generator "
                         "has one rate (Nexmark's SQUARE rate shape with equal rates)")
    return NexmarkConfig(**values)


class NexmarkReader:
    """One subtask's share of a Nexmark table, as Arrow record batches (the SQL connector's reader)."""

    def __init__(self, config: NexmarkConfig, table: str, columns: List[str], subtask: int, parallelism: int,
                 tps: float = 0):
        check_block(BLOCK, config)
        self._config, self._table, self._columns = config, table, columns
        # Splits: [subtask, parallelism, blocks done] — one subtask's blocks at that parallelism;
        # checkpoints store them, so a job resumes at any parallelism.
        self._splits: List[List[int]] = [[subtask, parallelism, 0]]
        self._blocks: Optional[Iterator[Tuple[int, int]]] = None
        self._rate = tps / parallelism if tps else 0.0
        self._emitted = 0
        self._started: Optional[float] = None

    def poll(self) -> Optional[pa.RecordBatch]:
        if self._rate:
            if self._started is None:
                self._started = time.monotonic()
            ahead = self._emitted / self._rate - (time.monotonic() - self._started)
            if ahead > 0:
                time.sleep(min(ahead, 0.05))
                return pa.RecordBatch.from_pylist([], schema=_subset(self._table, self._columns))
        while self._splits:
            split = self._splits[0]
            if self._blocks is None:
                self._blocks = itertools.islice(blocks_of(self._config, split[0], split[1], BLOCK), split[2], None)
            block = next(self._blocks, None)
            if block is None:
                self._splits.pop(0)
                self._blocks = None
                continue
            split[2] += 1
            self._emitted += block[1] - block[0]
            return generate(self._config, self._table, block[0], block[1], self._columns)
        return None

    def snapshot_state(self, checkpoint_id: int) -> List[Tuple[int, int, int]]:
        return [tuple(split) for split in self._splits]

    def restore_state(self, splits: List[Tuple[int, int, int]]) -> None:
        self._splits = [list(split) for split in splits]
        self._blocks = None

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        pass


def _subset(table: str, columns: List[str]) -> pa.Schema:
    schema = schema_of(table)
    return pa.schema([schema.field(c) for c in columns])


def table_reader_factory(schema: pa.Schema, options: Dict[str, str]):
    """(make_reader(info), bounded) for a CREATE TABLE ... WITH ('connector' = 'nexmark')."""
    table = options.get("table")
    if table not in TABLES:
        raise ValueError(f"connector 'nexmark' needs the option 'table' = 'person', 'auction' or 'bid' (Fluvial "
                         f"serves Nexmark's three views as flat tables; ROW-typed columns are not supported yet), "
                         f"got {table!r}")
    config = config_from_options(options)
    produced = TABLES[table]
    columns = []
    for field in schema:
        if field.name not in produced.names:
            raise ValueError(f"Nexmark table '{table}' has no column '{field.name}' "
                             f"(columns: {', '.join(produced.names)})")
        columns.append(field.name)
    tps = _integer("tps", options.get("tps", "0"))

    def make(info: Any) -> Any:
        reader = NexmarkReader(config, table, columns, info.index, info.parallelism, tps)
        return _Cast(reader, schema)

    return make, config.events_num is not None


class _Cast:
    """Casts the generator's columns to the declared types (TIMESTAMP(3), VARCHAR, BIGINT ...)."""

    def __init__(self, reader: NexmarkReader, schema: pa.Schema):
        self._reader, self._schema = reader, schema
        self.snapshot_state = reader.snapshot_state
        self.restore_state = reader.restore_state
        self.notify_checkpoint_complete = reader.notify_checkpoint_complete

    def poll(self) -> Optional[pa.RecordBatch]:
        batch = self._reader.poll()
        if batch is None:
            return None
        if batch.schema.equals(self._schema):
            return batch
        return pa.RecordBatch.from_arrays([c.cast(f.type) for c, f in zip(batch.columns, self._schema)],
                                          schema=self._schema)


from fluvial.nexmark.source import NexmarkSource  # noqa: E402  (uses the names above)
