"""Watermarks per Kafka partition against a real broker, and the upsert-kafka reader's
checkpointed rows per key.

A topic of 2 partitions, partition 0's timestamps far ahead of partition 1's, read at
parallelism 1: event-time tumbling windows (DataStream and SQL) count exactly what plain
Python counts. With one partition empty, with_idleness lets event time advance. An
upsert-kafka reader snapshotted, closed and restored (at the same or another
parallelism) goes on with the same changelog as a reader that never stopped."""

import collections
import datetime
import json
import threading
import time
import types

import pyarrow as pa
import pytest

from fluvial.common import Duration, Time, WatermarkStrategy
from fluvial.common.serialization import SimpleStringSchema
from fluvial.common.watermark_strategy import TimestampAssigner
from fluvial.datastream import SinkFunction, StreamExecutionEnvironment
from fluvial.datastream.connectors.kafka import KafkaOffsetsInitializer, KafkaSource
from fluvial.datastream.window import TumblingEventTimeWindows
from fluvial.table import EnvironmentSettings, TableEnvironment
from fluvial.table.kafka_table import reader_factory

pytestmark = pytest.mark.slow

# Two hours ago, on a minute: Kafka timestamps the broker's retention (7 days) keeps.
BASE = (int(time.time()) - 7_200) // 60 * 60_000  # ms
WINDOW_MS = 10_000


def skewed_topic(kafka, count=3000):
    """Partition 0 spans 3000 s, partition 1 only 300 s: (key, partition, timestamp) tuples."""
    topic = kafka.topic(partitions=2)
    ahead = [(f"k{i % 4}", 0, BASE + i * 1_000) for i in range(count)]
    behind = [(f"k{i % 4}", 1, BASE + i * 100 + 7) for i in range(count)]
    for records in (ahead, behind):  # partition 0 first: its messages are fetched first
        kafka.produce(topic, [f"{k},{ts}".encode() for k, _, ts in records],
                      partitions=[p for _, p, _ in records], timestamps=[ts for _, _, ts in records])
    return topic, ahead + behind


def reference(records):
    counts = collections.Counter((key, (ts - BASE) // WINDOW_MS) for key, _, ts in records)
    return sorted((key, window, count) for (key, window), count in counts.items())


class FromValue(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return int(value.split(",")[1])


def source(kafka, topic, bounded=True):
    builder = (KafkaSource.builder().set_bootstrap_servers(kafka.servers).set_topics(topic)
               .set_starting_offsets(KafkaOffsetsInitializer.earliest())
               .set_value_only_deserializer(SimpleStringSchema())
               .set_property("max.poll.records", "100"))
    if bounded:
        builder.set_bounded(KafkaOffsetsInitializer.latest())
    return builder.build()


def windowed(stream):
    return (stream.map(lambda value: (value.split(",")[0], (int(value.split(",")[1]) - BASE) // WINDOW_MS, 1))
            .key_by(lambda record: (record[0], record[1]))
            .window(TumblingEventTimeWindows.of(Time.milliseconds(WINDOW_MS)))
            .reduce(lambda a, b: (a[0], a[1], a[2] + b[2])))


@pytest.mark.parametrize("assigner", [False, True], ids=["kafka-timestamps", "timestamp-assigner"])
def test_datastream_windows_drop_nothing_when_one_partition_runs_ahead(kafka, assigner):
    topic, records = skewed_topic(kafka)
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(1))
    if assigner:
        strategy = strategy.with_timestamp_assigner(FromValue())
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    counts = windowed(env.from_source(source(kafka, topic), strategy, "skewed"))
    assert sorted(counts.execute_and_collect()) == reference(records)


def test_sql_window_counts_drop_nothing_when_one_partition_runs_ahead(kafka):
    topic = kafka.topic(partitions=2)
    start = datetime.datetime(2024, 3, 1, 12, 0, 0)
    rows = [(f"k{i % 4}", 0, start + datetime.timedelta(seconds=i)) for i in range(3000)]
    rows += [(f"k{i % 4}", 1, start + datetime.timedelta(milliseconds=i * 100 + 7)) for i in range(3000)]
    for partition in (0, 1):
        part = [r for r in rows if r[1] == partition]
        kafka.produce(topic, [json.dumps({"k": k, "ts": ts.isoformat(sep=" ", timespec="milliseconds")}).encode()
                              for k, _, ts in part], partitions=[partition] * len(part))
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.get_config().set("parallelism.default", "1")
    t_env.execute_sql(
        f"CREATE TABLE events (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) "
        f"WITH ('connector' = 'kafka', 'topic' = '{topic}', 'properties.bootstrap.servers' = '{kafka.servers}', "
        f"'properties.max.poll.records' = '100', 'scan.startup.mode' = 'earliest-offset', "
        f"'scan.bounded.mode' = 'latest-offset', 'format' = 'json')")
    got = sorted(tuple(row) for row in t_env.execute_sql(
        "SELECT k, window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) "
        "GROUP BY k, window_start, window_end").collect())
    counts = collections.Counter((k, start + datetime.timedelta(seconds=(ts - start).total_seconds() // 10 * 10))
                                 for k, _, ts in rows)
    assert got == sorted((k, window, n) for (k, window), n in counts.items())


FIRED = []
FIRED_LOCK = threading.Lock()


class Remember(SinkFunction):
    def invoke(self, value, context):
        with FIRED_LOCK:
            FIRED.append(value)


def test_an_empty_partition_stops_holding_event_time_back_with_idleness(kafka):
    topic = kafka.topic(partitions=2)
    FIRED.clear()
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_idleness(Duration.of_millis(300))
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    windowed(env.from_source(source(kafka, topic, bounded=False), strategy, "one empty")).add_sink(Remember())
    client = env.execute_async("idle partition")
    # Partition 0 gets records over ~2 s while the job runs; partition 1 never does.
    timestamps = [BASE + i * 1_000 for i in range(60)]
    for part in range(20):
        chunk = timestamps[part * 3:(part + 1) * 3]
        kafka.produce(topic, [f"k,{ts}".encode() for ts in chunk], partitions=[0] * len(chunk), timestamps=chunk)
        time.sleep(0.1)
    # The largest timestamp (59 s) closes the windows ending at 10 s .. 50 s.
    expected = [("k", window, 10) for window in range(5)]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with FIRED_LOCK:
            if sorted(FIRED) == expected:
                break
        time.sleep(0.05)
    client.cancel().result()
    with FIRED_LOCK:
        assert sorted(FIRED) == expected


# -- upsert-kafka: the rows per key in the checkpoint ------------------------------------

SCHEMA = pa.schema([("user_name", pa.string()), ("total", pa.int64())])


def upsert_reader(kafka, topic, index=0, parallelism=1):
    options = {"connector": "upsert-kafka", "topic": topic, "properties.bootstrap.servers": kafka.servers,
               "key.format": "json", "value.format": "json"}
    make_reader, _ = reader_factory("upsert-kafka", "totals", SCHEMA, options, ["user_name"])
    return make_reader(types.SimpleNamespace(index=index, parallelism=parallelism))


def changelog_of(result):
    records = getattr(result, "records", result)
    if records is None or isinstance(records, pa.RecordBatch):  # nothing arrived
        return []
    batch, kinds = records
    return [("+I-U+U-D"[2 * kind:2 * kind + 2], *row.values()) for kind, row in zip(kinds, batch.to_pylist())]


def read_all(readers, count, timeout=30):
    """Polls the readers until 'count' changelog rows arrived, then half a second more."""
    rows, deadline, quiet = [], time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        for reader in readers:
            rows += changelog_of(reader.poll())
        if len(rows) >= count:
            quiet = quiet or time.monotonic()
            if time.monotonic() - quiet > 0.5:
                break
    return rows


def per_key(changelog):
    """Each key's changelog rows in order (a key's messages are ordered within its partition)."""
    keys = collections.defaultdict(list)
    for row in changelog:
        keys[row[1]].append(row)
    return dict(keys)


def upserts(kafka, topic, changes):
    key = [json.dumps({"user_name": user}).encode() for user, _ in changes]
    value = [None if total is None else json.dumps({"user_name": user, "total": total}).encode()
             for user, total in changes]
    partitions = [int(user[-1]) % 2 for user, _ in changes]  # a key's messages in one partition
    kafka.produce(topic, value, keys=key, partitions=partitions)


def expected_changelog(changes):
    """Flink's ChangelogNormalize in plain Python, per partition order (a key's order)."""
    last, out = {}, []
    for user, total in changes:
        old = last.get(user)
        if total is None:
            if old is not None:
                out.append(("-D", user, old))
                del last[user]
        elif old is None:
            out.append(("+I", user, total))
            last[user] = total
        elif old != total:
            out += [("-U", user, old), ("+U", user, total)]
            last[user] = total
    return out


@pytest.mark.parametrize("restored_parallelism", [1, 2])
def test_upsert_kafka_rows_per_key_survive_a_checkpoint_restore(kafka, restored_parallelism):
    topic = kafka.topic(partitions=2)
    before = [(f"user{i % 6}", i) for i in range(30)] + [("user3", None)]
    after = [(f"user{i % 6}", 100 + i) for i in range(12)] + [("user1", None), ("user3", 7)]

    upserts(kafka, topic, before)
    reader = upsert_reader(kafka, topic)
    reader.open()
    first = read_all([reader], len(expected_changelog(before)))
    splits = reader.snapshot_state(1)
    reader.close()
    assert per_key(first) == per_key(expected_changelog(before))

    upserts(kafka, topic, after)
    # Restored as the engine does it: each new subtask gets its share of the split states.
    readers = [upsert_reader(kafka, topic, index, restored_parallelism) for index in range(restored_parallelism)]
    for index, restored in enumerate(readers):
        restored.restore_state([s for n, s in enumerate(splits) if n % restored_parallelism == index])
        restored.open()
    expected = expected_changelog(before + after)
    second = read_all(readers, len(expected) - len(first))
    for restored in readers:
        restored.close()

    # An uninterrupted reader of everything gives the same changelog.
    whole = upsert_reader(kafka, topic)
    whole.open()
    uninterrupted = read_all([whole], len(expected))
    whole.close()
    assert per_key(first + second) == per_key(uninterrupted) == per_key(expected)
    assert ("-U", "user0", 24) in second and ("+I", "user0", 100) not in second
