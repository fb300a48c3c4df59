"""Starting and stopping offsets, committed offsets across restarts, topic patterns,
partition discovery, bad records, and the split states the checkpoint contract uses."""

import json
import socket
import time
import uuid

import pytest

from fluvial.common.serialization import SimpleStringSchema
from fluvial.common.typeinfo import Types
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors.kafka import (
    KafkaOffsetResetStrategy,
    KafkaOffsetsInitializer,
    KafkaRecordDeserializationSchema,
    KafkaRecordSerializationSchema,
    KafkaSink,
    KafkaSource,
    KafkaTopicPartition,
)
from fluvial.datastream.formats.json import JsonRowDeserializationSchema
from fluvial.errors import ConnectorError, JobExecutionError

pytestmark = pytest.mark.slow


def collect(kafka, configure, parallelism=1, deserializer=None):
    builder = (KafkaSource.builder().set_bootstrap_servers(kafka.servers)
               .set_value_only_deserializer(deserializer or SimpleStringSchema()))
    configure(builder)
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    return list(env.from_source(builder.build(), None, "kafka").execute_and_collect())


def produce_numbered(kafka, topic, first, count, partitions=1, timestamps=None):
    kafka.produce(topic, [f"{i}".encode() for i in range(first, first + count)],
                  partitions=[i % partitions for i in range(first, first + count)], timestamps=timestamps)


def test_starting_offsets(kafka):
    topic = kafka.topic(partitions=2)
    produce_numbered(kafka, topic, 0, 100, partitions=2,
                     timestamps=[1_000_000 + i for i in range(100)])
    everything = sorted(range(100))

    def run(start, stop=None):
        stop = stop or KafkaOffsetsInitializer.latest()
        got = collect(kafka, lambda b: b.set_topics(topic).set_starting_offsets(start).set_bounded(stop))
        return sorted(int(v) for v in got)

    assert run(KafkaOffsetsInitializer.earliest()) == everything
    assert run(KafkaOffsetsInitializer.latest()) == []
    # Values i went to partition i % 2 with timestamp 1_000_000 + i.
    assert run(KafkaOffsetsInitializer.timestamp(1_000_060)) == list(range(60, 100))
    # Partition 0 holds the even values: offset 10 is value 20; partition 1 from offset 45 is 91...
    specific = KafkaOffsetsInitializer.offsets({KafkaTopicPartition(topic, 0): 10,
                                                KafkaTopicPartition(topic, 1): 45})
    assert run(specific) == [v for v in everything if (v % 2 == 0 and v >= 20) or (v % 2 == 1 and v >= 91)]
    # Bounded by offsets: partition 0 up to offset 5 (values 0..8), partition 1 none.
    stop = KafkaOffsetsInitializer.offsets({KafkaTopicPartition(topic, 0): 5, KafkaTopicPartition(topic, 1): 0})
    assert run(KafkaOffsetsInitializer.earliest(), stop) == [0, 2, 4, 6, 8]
    # Bounded by timestamp: everything before 1_000_030.
    assert run(KafkaOffsetsInitializer.earliest(), KafkaOffsetsInitializer.timestamp(1_000_030)) == list(range(30))


def test_committed_offsets_without_a_commit_follow_the_reset_strategy(kafka):
    topic = kafka.topic()
    produce_numbered(kafka, topic, 0, 10)
    group = f"g-{uuid.uuid4().hex}"
    start = KafkaOffsetsInitializer.committed_offsets(KafkaOffsetResetStrategy.EARLIEST)
    got = collect(kafka, lambda b: b.set_topics(topic).set_group_id(group).set_starting_offsets(start)
                  .set_bounded(KafkaOffsetsInitializer.latest()))
    assert sorted(int(v) for v in got) == list(range(10))
    with pytest.raises(JobExecutionError, match="no committed offset.*NONE"):
        collect(kafka, lambda b: b.set_topics(topic).set_group_id(f"g-{uuid.uuid4().hex}")
                .set_starting_offsets(KafkaOffsetsInitializer.committed_offsets())
                .set_bounded(KafkaOffsetsInitializer.latest()))


@pytest.mark.parametrize("parallelism", [1, 2])
def test_restart_from_committed_offsets_reads_nothing_twice_and_skips_nothing(kafka, parallelism):
    topic = kafka.topic(partitions=3)
    group = f"g-{uuid.uuid4().hex}"
    produce_numbered(kafka, topic, 0, 150, partitions=3)
    # Run 1 stops in the middle: partition p up to offset 20 + p.
    bound = KafkaOffsetsInitializer.offsets({KafkaTopicPartition(topic, p): 20 + p for p in range(3)})
    first = collect(kafka, lambda b: b.set_topics(topic).set_group_id(group).set_bounded(bound),
                    parallelism)
    assert kafka.committed(group, topic) == {0: 20, 1: 21, 2: 22}
    produce_numbered(kafka, topic, 150, 60, partitions=3)
    second = collect(kafka, lambda b: b.set_topics(topic).set_group_id(group)
                     .set_starting_offsets(KafkaOffsetsInitializer.committed_offsets())
                     .set_bounded(KafkaOffsetsInitializer.latest()), parallelism)
    assert len(first) == 63
    union = [int(v) for v in first + second]
    assert sorted(union) == list(range(210))  # nothing twice, nothing skipped
    assert kafka.committed(group, topic) == {0: 70, 1: 70, 2: 70}


def test_topic_pattern(kafka):
    tag = uuid.uuid4().hex[:8]
    matching = [kafka.topic(prefix=f"pat-{tag}-a"), kafka.topic(partitions=2, prefix=f"pat-{tag}-b")]
    other = kafka.topic(prefix=f"other-{tag}")
    for topic in matching + [other]:
        kafka.produce(topic, [f"{topic}:{i}".encode() for i in range(10)])
    got = collect(kafka, lambda b: b.set_topic_pattern(f"pat-{tag}-.*")
                  .set_bounded(KafkaOffsetsInitializer.latest()), parallelism=2)
    assert sorted(got) == sorted(f"{t}:{i}" for t in matching for i in range(10))


def test_unknown_topic_names_it(kafka):
    with pytest.raises(JobExecutionError, match="topic 'no-such-topic' does not exist"):
        collect(kafka, lambda b: b.set_topics("no-such-topic").set_bounded(KafkaOffsetsInitializer.latest()))


class WithLocation(KafkaRecordDeserializationSchema):
    def deserialize(self, record):
        return (record.topic, record.partition, record.offset, record.key, record.value.decode())


def test_record_deserializer_sees_key_and_location(kafka):
    topic = kafka.topic(partitions=2)
    kafka.produce(topic, [b"a", b"b", b"c"], keys=[b"k0", None, b"k2"], partitions=[0, 1, 0])
    builder = (KafkaSource.builder().set_bootstrap_servers(kafka.servers).set_topics(topic)
               .set_deserializer(WithLocation()).set_bounded(KafkaOffsetsInitializer.latest()))
    env = StreamExecutionEnvironment.get_execution_environment()
    got = sorted(env.from_source(builder.build(), None, "kafka").execute_and_collect())
    assert got == [(topic, 0, 0, b"k0", "a"), (topic, 0, 1, b"k2", "c"), (topic, 1, 0, None, "b")]


ROW = Types.ROW_NAMED(["id", "name"], [Types.INT(), Types.STRING()])


def test_bad_record_fails_naming_topic_partition_and_offset(kafka):
    topic = kafka.topic()
    kafka.produce(topic, [b'{"id": 1, "name": "a"}', b'{"id": "x", "name": "b"}', b'{"id": 3, "name": "c"}'])
    schema = JsonRowDeserializationSchema.builder().type_info(ROW).build()
    with pytest.raises(JobExecutionError) as failure:
        collect(kafka, lambda b: b.set_topics(topic).set_bounded(KafkaOffsetsInitializer.latest()),
                deserializer=schema)
    text = str(failure.value) + str(failure.value.__cause__)
    assert f"topic '{topic}' partition 0 offset 1" in text
    assert "field 'id'" in text


def test_bad_records_skipped_and_counted_with_ignore_parse_errors(kafka):
    topic = kafka.topic()
    messages = [json.dumps({"id": i, "name": f"n{i}"}).encode() for i in range(20)]
    messages[5], messages[13] = b"not json", b'{"id": "seven"}'
    kafka.produce(topic, messages)
    schema = JsonRowDeserializationSchema.builder().type_info(ROW).ignore_parse_errors().build()
    builder = (KafkaSource.builder().set_bootstrap_servers(kafka.servers).set_topics(topic)
               .set_value_only_deserializer(schema).set_bounded(KafkaOffsetsInitializer.latest()))
    env = StreamExecutionEnvironment.get_execution_environment()
    out = kafka.topic()
    record = (KafkaRecordSerializationSchema.builder().set_topic(out)
              .set_value_serialization_schema(SimpleStringSchema()).build())
    env.from_source(builder.build(), None, "kafka").map(lambda row: str(row["id"]), Types.STRING()) \
        .sink_to(KafkaSink.builder().set_bootstrap_servers(kafka.servers).set_record_serializer(record).build())
    result = env.execute("skip bad records")
    got = [int(v) for _, _, _, v in kafka.read(out)]
    assert sorted(got) == [i for i in range(20) if i not in (5, 13)]
    assert result.get_accumulator_result("numRecordsInErrors") == 2


def test_reader_split_states_and_restore(kafka):
    """The checkpoint contract on a reader: snapshot, commit on notify, restore elsewhere."""
    topic = kafka.topic(partitions=2)
    group = f"g-{uuid.uuid4().hex}"
    produce_numbered(kafka, topic, 0, 40, partitions=2)
    source = (KafkaSource.builder().set_bootstrap_servers(kafka.servers).set_topics(topic)
              .set_group_id(group).set_value_only_deserializer(SimpleStringSchema())
              .set_property("enable.auto.commit", "false").build())
    reader = source._create_reader(0, 1)
    reader.open()
    first = []
    while len(first) < 40:
        first.extend(reader.poll())
    state = reader.snapshot_state(1)
    assert sorted(state) == [(topic, 0, 20, -1), (topic, 1, 20, -1)]
    assert kafka.committed(group, topic) == {0: -1001, 1: -1001}  # nothing until notified
    reader.notify_checkpoint_complete(1)
    assert kafka.committed(group, topic) == {0: 20, 1: 20}
    reader.close()
    produce_numbered(kafka, topic, 40, 10, partitions=2)
    # Two subtasks share the restored splits; each resumes where the snapshot was.
    resumed = []
    for index, share in enumerate([state[:1], state[1:]]):
        restored = source._create_reader(index, 2)
        restored.restore_state(share)
        restored.open()
        deadline = time.monotonic() + 20
        got = []
        while len(got) < 5 and time.monotonic() < deadline:
            got.extend(restored.poll())
        restored.close()
        resumed.extend(got)
    assert sorted(int(v) for v in first + resumed) == list(range(50))


def test_partition_discovery_finds_new_topics(kafka):
    tag = uuid.uuid4().hex[:8]
    early = kafka.topic(prefix=f"disc-{tag}")
    kafka.produce(early, [b"early"])
    source = (KafkaSource.builder().set_bootstrap_servers(kafka.servers).set_topic_pattern(f"disc-{tag}.*")
              .set_value_only_deserializer(SimpleStringSchema())
              .set_property("partition.discovery.interval.ms", "200").build())
    reader = source._create_reader(0, 1)
    reader.open()
    got, deadline = [], time.monotonic() + 20
    while not got and time.monotonic() < deadline:
        got.extend(reader.poll())
    late = kafka.topic(prefix=f"disc-{tag}")
    kafka.produce(late, [b"late"])
    while len(got) < 2 and time.monotonic() < deadline:
        got.extend(reader.poll())
    reader.close()
    assert got == ["early", "late"]


def test_unreachable_broker_fails_fast():
    # No broker listens on this port: the job fails within the request timeout, saying so.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = (KafkaSource.builder().set_bootstrap_servers(f"127.0.0.1:{port}").set_topics("t")
              .set_value_only_deserializer(SimpleStringSchema())
              .set_property("fluvial.request.timeout.ms", "1500").build())
    env = StreamExecutionEnvironment.get_execution_environment()
    env.from_source(source, None, "kafka").print()
    started = time.monotonic()
    with pytest.raises(JobExecutionError) as failure:
        env.execute("unreachable")
    assert time.monotonic() - started < 10
    assert isinstance(failure.value.__cause__, ConnectorError)
    text = str(failure.value.__cause__)
    assert "bootstrap.servers=127.0.0.1:" in text and "no broker answered" in text
