"""The Nexmark generator (proportions, references, event time, determinism, parallel split),
the 'nexmark' SQL connector and NexmarkSource, and the benchmark's query files run by Fluvial
and checked against a plain-Python re-computation of the same events."""

import datetime
import decimal
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from fluvial.nexmark import BLOCK, NexmarkConfig, NexmarkReader, NexmarkSource, generate
from fluvial.nexmark.generator import ID_LEAD, event_ids, kinds_of, last_auction, last_person
from fluvial.table import EnvironmentSettings, TableEnvironment
from fluvial.table.connectors import ConnectorOptionError

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench" / "nexmark"))
import _queries  # noqa: E402

EVENTS = 25_000


def everything(config, table):
    return pa.Table.from_batches([generate(config, table, 0, config.events_num)]).to_pylist()


def test_proportions_over_full_cycles():
    config = NexmarkConfig(events_num=50 * 400)
    kinds = kinds_of(config, event_ids(config, 0, config.events_num))
    assert np.bincount(kinds).tolist() == [400, 3 * 400, 46 * 400]
    assert [len(everything(config, t)) for t in ("person", "auction", "bid")] == [400, 1200, 18400]


def test_ids_and_references_are_consistent():
    config = NexmarkConfig(events_num=EVENTS)
    persons, auctions, bids = (everything(config, t) for t in ("person", "auction", "bid"))
    assert [p["id"] for p in persons] == list(range(1000, 1000 + len(persons)))
    assert [a["id"] for a in auctions] == list(range(1000, 1000 + len(auctions)))
    person_ids, auction_ids = {p["id"] for p in persons}, {a["id"] for a in auctions}
    # References point at persons/auctions created before, or at most ID_LEAD ahead (Nexmark's lead).
    created = {p["id"]: p["dateTime"] for p in persons}
    for auction in auctions:
        assert auction["seller"] in person_ids or auction["seller"] <= max(person_ids) + ID_LEAD
        if auction["seller"] in created:
            newest = max(i for i, t in created.items() if t <= auction["dateTime"])
            assert auction["seller"] <= newest + ID_LEAD
        assert auction["expires"] > auction["dateTime"]
        assert auction["reserve"] >= auction["initialBid"] > 0
        assert 10 <= auction["category"] < 15
    ids = event_ids(config, 0, EVENTS)
    bid_ids = ids[kinds_of(config, ids) == 2]
    for bid, event in zip(bids, bid_ids):
        assert 1000 <= bid["auction"] <= last_auction(config, np.array([event]))[0] + 1000 + ID_LEAD
        assert 1000 <= bid["bidder"] <= last_person(config, np.array([event]))[0] + 1000 + ID_LEAD
        assert bid["price"] > 0
    missing = [b["auction"] for b in bids if b["auction"] not in auction_ids]
    assert all(a > max(auction_ids) for a in missing) and len(missing) < len(bids) / 100
    assert sum(b["bidder"] in person_ids for b in bids) > 0.99 * len(bids)
    # Hot auctions: about half of the bids go to the first auction of the last block of 100.
    hot = sum((b["auction"] - 1000) % 100 == 0 for b in bids) / len(bids)
    assert 0.45 < hot < 0.6
    # Average sizes: a bid's extra pads 32 bytes of numbers to 100 on average.
    assert 64 < np.mean([len(b["extra"]) for b in bids]) < 72


@pytest.mark.parametrize("group", [1, 100])
def test_event_time_advances_at_the_rate_within_the_out_of_order_bound(group):
    config = NexmarkConfig(events_num=EVENTS, first_event_rate=5_000, out_of_order_group_size=group)
    times = np.array([b["dateTime"].timestamp() * 1000 for b in everything(config, "bid")])
    running_max = np.maximum.accumulate(times)
    bound = group * 1000 / 5_000  # ms a group spans
    assert (running_max - times).max() <= bound
    if group == 1:
        assert (np.diff(times) >= 0).all()
    else:
        assert (np.diff(times) < 0).any()
    span = (times.max() - times.min()) / 1000
    assert abs(span - EVENTS / 5_000) < 0.01 * EVENTS / 5_000
    assert sorted(event_ids(config, 0, EVENTS).tolist()) == list(range(EVENTS))  # every id once


def test_deterministic_and_seeded():
    config = NexmarkConfig(events_num=5_000)
    assert generate(config, "auction", 0, 5_000).equals(generate(config, "auction", 0, 5_000))
    other = generate(config.with_(seed=1), "auction", 0, 5_000)
    assert not other.equals(generate(config, "auction", 0, 5_000))


@pytest.mark.parametrize("parallelism", [2, 3])
def test_parallel_split_is_the_same_stream_without_overlap(parallelism):
    config = NexmarkConfig(events_num=3 * BLOCK + 1234)
    whole = everything(config, "bid")
    parts = []
    for subtask in range(parallelism):
        reader = NexmarkReader(config, "bid", ["auction", "bidder", "price", "channel", "url", "dateTime", "extra"],
                               subtask, parallelism)
        while (batch := reader.poll()) is not None:
            parts.extend(batch.to_pylist())
    assert len(parts) == len(whole)
    key = lambda r: (r["dateTime"], r["auction"], r["bidder"], r["price"], r["extra"])  # noqa: E731
    assert sorted(parts, key=key) == sorted(whole, key=key)


def test_datastream_source_yields_rows():
    from fluvial.datastream import StreamExecutionEnvironment

    config = NexmarkConfig(events_num=2_000)
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    from fluvial.common import WatermarkStrategy

    rows = list(env.from_source(NexmarkSource("person", config), WatermarkStrategy.no_watermarks(), "nexmark")
                .execute_and_collect())
    assert sorted(r.id for r in rows) == [p["id"] for p in everything(config, "person")]
    assert all(isinstance(r.dateTime, datetime.datetime) for r in rows)


# -- SQL ---------------------------------------------------------------------------------

def nexmark_env(events):
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    for table in ("person", "auction", "bid"):
        t_env.execute_sql(_queries.source_ddl(table, {"connector": "nexmark", "table": table,
                                                      "events.num": str(events)}))
    return t_env


def query_rows(t_env, query):
    """The rows of a benchmark query file's INSERT ... SELECT, collected instead of black-holed."""
    insert = _queries.statements(query)[-1]
    select = insert[insert.index("SELECT"):]
    return [tuple(r) for r in t_env.execute_sql(select).collect()]


@pytest.fixture(scope="module")
def bids():
    return everything(NexmarkConfig(events_num=EVENTS), "bid")


def test_q0_passes_every_bid_through(bids):
    rows = query_rows(nexmark_env(EVENTS), "q0")
    assert sorted(rows) == sorted((b["auction"], b["bidder"], b["price"], b["dateTime"], b["extra"]) for b in bids)


def test_q1_converts_prices(bids):
    # Fluvial computes 0.908 * price in DOUBLE (Flink: DECIMAL); the DECIMAL(23, 3) sink rounds it.
    rows = query_rows(nexmark_env(EVENTS), "q1")
    expected = sorted((b["auction"], b["bidder"], decimal.Decimal("0.908") * b["price"]) for b in bids)
    assert sorted((a, b, round(decimal.Decimal(str(p)), 3)) for a, b, p, *_ in rows) == expected


def test_q2_selects_auctions(bids):
    rows = query_rows(nexmark_env(EVENTS), "q2")
    expected = sorted((b["auction"], b["price"]) for b in bids if b["auction"] % 123 == 0)
    assert expected and sorted(rows) == expected


def test_q10_formats_dates(bids):
    rows = query_rows(nexmark_env(EVENTS), "q10")
    expected = sorted((b["auction"], b["price"], b["dateTime"].strftime("%Y-%m-%d"), b["dateTime"].strftime("%H:%M"))
                      for b in bids)
    assert sorted((r[0], r[2], r[5], r[6]) for r in rows) == expected


def test_q14_classifies_and_counts(bids):
    t_env = nexmark_env(EVENTS)
    from fluvial.table import DataTypes
    from fluvial.table.udf import udf

    t_env.create_temporary_function("count_char", udf(_queries.count_char, result_type=DataTypes.BIGINT()))
    rows = query_rows(t_env, "q14")

    def kind(hour):
        return "dayTime" if 8 <= hour <= 18 else "nightTime" if hour <= 6 or hour >= 20 else "otherTime"

    expected = sorted((b["auction"], b["bidder"], kind(b["dateTime"].hour), b["extra"].count("c")) for b in bids
                      if 1_000_000 < 0.908 * b["price"] < 50_000_000)
    assert expected and sorted((r[0], r[1], r[3], r[6]) for r in rows) == expected


def test_connector_options_are_checked():
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.execute_sql("CREATE TABLE b1 (price BIGINT) WITH ('connector' = 'nexmark', 'table' = 'bid', "
                      "'event.num' = '10')")
    with pytest.raises(ConnectorOptionError, match="unknown option 'event.num'.*events.num"):
        t_env.from_path("b1")
    t_env.execute_sql("CREATE TABLE b2 (cost BIGINT) WITH ('connector' = 'nexmark', 'table' = 'bid')")
    with pytest.raises(ConnectorOptionError, match="no column 'cost'"):
        t_env.from_path("b2")
    t_env.execute_sql("CREATE TABLE b3 (price BIGINT) WITH ('connector' = 'nexmark', 'table' = 'bids')")
    with pytest.raises(ConnectorOptionError, match="'table' = 'person', 'auction' or 'bid'"):
        t_env.from_path("b3")
