"""The DataStream Kinesis connector against moto's Kinesis server: FlinkKinesisConsumer and
KinesisStreamsSink round trips checked against what was put / read back with boto3 directly,
initial positions, shards added by a reshard (a parent's records before its children's),
bad records, server errors and unknown streams."""

import json

import pytest

from fluvial.common import SimpleStringSchema, Types
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors.kinesis import (
    FlinkKinesisConsumer,
    KinesisDeserializationSchema,
    KinesisStreamsSink,
    PartitionKeyGenerator,
)
from fluvial.datastream.formats.json import JsonRowDeserializationSchema
from fluvial.errors import ConnectorError, JobExecutionError


def _consumer(kinesis, stream, deserializer=None, **extra):
    properties = kinesis.properties(**{"flink.stream.initpos": "TRIM_HORIZON",
                                       "fluvial.stream.stop-at-latest": "true",
                                       "flink.shard.getrecords.maxrecordcount": "40", **extra})
    return FlinkKinesisConsumer(stream, deserializer or SimpleStringSchema(), properties)


def _env(parallelism):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    return env


@pytest.mark.parametrize("parallelism", [1, 3])
def test_source_reads_every_record_of_every_shard_once(kinesis, parallelism):
    stream = kinesis.stream(shards=4)
    values = [f"v{i}" for i in range(300)]
    kinesis.put(stream, values)
    got = list(_env(parallelism).add_source(_consumer(kinesis, stream), "kinesis").execute_and_collect())
    assert sorted(got) == sorted(values)


def test_records_of_a_shard_keep_their_order_and_carry_their_location(kinesis):
    stream = kinesis.stream(shards=2)
    kinesis.put(stream, [f"v{i}" for i in range(100)])

    class Located(KinesisDeserializationSchema):
        def deserialize(self, record_value, partition_key, seq_num, approx_arrival_timestamp, stream, shard_id):
            return (stream, shard_id, seq_num, partition_key, record_value.decode())

    got = list(_env(2).add_source(_consumer(kinesis, stream, Located()), "kinesis").execute_and_collect())
    expected = [(stream, shard, seq, key, data.decode())
                for shard, records in kinesis.read(stream).items() for seq, key, data in records]
    assert sorted(got) == sorted(expected) and len(got) == 100
    for shard in {g[1] for g in got}:
        in_job = [g[2] for g in got if g[1] == shard]
        assert in_job == [e[2] for e in expected if e[1] == shard]  # a shard's order is kept


def test_latest_initial_position_reads_nothing_already_there(kinesis):
    stream = kinesis.stream(shards=1)
    kinesis.put(stream, ["old"])
    consumer = _consumer(kinesis, stream, **{"flink.stream.initpos": "LATEST"})
    assert list(_env(1).add_source(consumer, "kinesis").execute_and_collect()) == []


def test_at_timestamp_reads_from_that_time(kinesis):
    stream = kinesis.stream(shards=1)
    kinesis.put(stream, ["before"])
    import time

    time.sleep(1.1)
    start = time.time()
    kinesis.put(stream, ["after-1", "after-2"])
    consumer = _consumer(kinesis, stream, **{"flink.stream.initpos": "AT_TIMESTAMP",
                                             "flink.stream.initpos.timestamp": str(start)})
    assert list(_env(1).add_source(consumer, "kinesis").execute_and_collect()) == ["after-1", "after-2"]
    from datetime import datetime, timezone

    iso = datetime.fromtimestamp(start, timezone.utc).isoformat(timespec="milliseconds")
    consumer = _consumer(kinesis, stream, **{"flink.stream.initpos": "AT_TIMESTAMP",
                                             "flink.stream.initpos.timestamp": iso})
    assert list(_env(1).add_source(consumer, "kinesis").execute_and_collect()) == ["after-1", "after-2"]
    with pytest.raises(ConnectorError, match="got 'yesterday'"):
        _consumer(kinesis, stream, **{"flink.stream.initpos": "AT_TIMESTAMP",
                                      "flink.stream.initpos.timestamp": "yesterday"})


def test_reshard_children_are_read_after_their_parent(kinesis):
    """A shard split in two: the reader finds the children and reads none of them before the
    parent's end; every record is read once. (moto routes records put after a split into the
    closed parent, the first shard whose hash range holds the key, so the children stay
    empty there: the order is checked on the reader's GetRecords calls.)"""
    stream = kinesis.stream(shards=1)
    kinesis.put(stream, [f"p{i}" for i in range(50)])
    parent = kinesis.shards(stream)[0]
    low, high = int(parent["HashKeyRange"]["StartingHashKey"]), int(parent["HashKeyRange"]["EndingHashKey"])
    kinesis.client.split_shard(StreamName=stream, ShardToSplit=parent["ShardId"],
                               NewStartingHashKey=str((low + high) // 2))
    kinesis.wait_active(stream)
    kinesis.put(stream, [f"c{i}" for i in range(50)])
    expected = sorted(data.decode() for records in kinesis.read(stream).values() for _, _, data in records)
    got = list(_env(2).add_source(_consumer(kinesis, stream), "kinesis").execute_and_collect())
    assert sorted(got) == expected and len(got) == 100

    # The reader itself, the children first in its shard table: it fetches from them only
    # once the parent is read to its end.
    reader = _consumer(kinesis, stream)._create_reader(0, 1)
    reader.open()
    assert {shard_id for _, shard_id in reader._shards} == {s["ShardId"] for s in kinesis.shards(stream)}
    reader._shards = dict(reversed(list(reader._shards.items())))
    parent_state = reader._shards[(stream, parent["ShardId"])]
    fetches, fetch = [], reader._get_records

    def logged(shard):
        fetches.append((shard.shard_id, parent_state.position[0]))
        return fetch(shard)

    reader._get_records = logged
    got = []
    while (batch := reader.poll()) is not None:
        got.extend(batch)
    reader.close()
    assert sorted(got) == expected
    children = [position for shard_id, position in fetches if shard_id != parent["ShardId"]]
    assert children and all(position == "end" for position in children), fetches


def test_sink_round_trip_in_batches(kinesis):
    stream = kinesis.stream(shards=3)
    values = [json.dumps({"id": i, "pad": "x" * (i % 7)}) for i in range(1234)]
    env = _env(2)
    sink = KinesisStreamsSink.builder().set_kinesis_client_properties(kinesis.properties()) \
        .set_stream_name(stream).set_serialization_schema(SimpleStringSchema()) \
        .set_partition_key_generator(PartitionKeyGenerator.random()).set_max_batch_size(100).build()
    env.from_collection(values, Types.STRING()).sink_to(sink)
    env.execute("to kinesis")
    read = [data.decode() for records in kinesis.read(stream).values() for _, _, data in records]
    assert sorted(read) == sorted(values)


def test_sink_fixed_partition_key_is_the_subtask(kinesis):
    stream = kinesis.stream(shards=2)
    env = _env(2)
    sink = KinesisStreamsSink.builder().set_kinesis_client_properties(kinesis.properties()) \
        .set_stream_name(stream).set_serialization_schema(SimpleStringSchema()) \
        .set_partition_key_generator(PartitionKeyGenerator.fixed()).build()
    env.from_collection([f"v{i}" for i in range(40)], Types.STRING()).rebalance().sink_to(sink)
    env.execute("fixed keys")
    keys = {key for records in kinesis.read(stream).values() for _, key, _ in records}
    assert keys == {"0", "1"}


def test_bad_record_names_stream_shard_and_sequence_number(kinesis):
    stream = kinesis.stream(shards=1)
    kinesis.put(stream, ['{"id": 1}', "not json", '{"id": 3}'])
    bad = kinesis.read(stream)["shardId-000000000000"][1][0]
    schema = JsonRowDeserializationSchema.builder().type_info(Types.ROW_NAMED(["id"], [Types.INT()])).build()
    with pytest.raises(JobExecutionError) as failure:
        list(_env(1).add_source(_consumer(kinesis, stream, schema), "kinesis").execute_and_collect())
    message = str(failure.value)
    assert f"stream '{stream}' shard 'shardId-000000000000' sequence number {bad}" in message
    assert "cannot deserialize" in message and "not json" in message


def test_unknown_stream_is_named(kinesis):
    with pytest.raises(JobExecutionError) as failure:
        list(_env(1).add_source(_consumer(kinesis, "no-such-stream"), "kinesis").execute_and_collect())
    message = str(failure.value)
    assert "ListShards on stream 'no-such-stream'" in message and "does not exist" in message
    assert "no-such-stream" in message.split("does not exist", 1)[1]  # the server's own message


def test_sink_to_unknown_stream_reports_the_server_message(kinesis):
    env = _env(1)
    sink = KinesisStreamsSink.builder().set_kinesis_client_properties(kinesis.properties()) \
        .set_stream_name("no-such-stream").set_serialization_schema(SimpleStringSchema()).build()
    env.from_collection(["a"], Types.STRING()).sink_to(sink)
    with pytest.raises(JobExecutionError, match=r"PutRecords of 1 records to stream 'no-such-stream'.*not found"):
        env.execute("to nowhere")


def test_server_error_carries_the_server_message(kinesis):
    """A request the server refuses: a partition key over Kinesis' 256-character limit."""
    stream = kinesis.stream(shards=1)
    env = _env(1)

    sink = KinesisStreamsSink.builder().set_kinesis_client_properties(kinesis.properties()) \
        .set_stream_name(stream).set_serialization_schema(SimpleStringSchema()) \
        .set_partition_key_generator(PartitionKeyGenerator(lambda record, subtask: "k" * 300, "long")).build()
    env.from_collection(["a"], Types.STRING()).sink_to(sink)
    with pytest.raises(JobExecutionError) as failure:
        env.execute("bad key")
    message = str(failure.value)  # moto's code and message for the key it refuses
    assert f"PutRecords of 1 records to stream '{stream}' failed: InvalidArgumentException: partition_key" \
        in message, message


def test_oversized_record_is_refused_naming_the_stream(kinesis):
    stream = kinesis.stream(shards=1)
    env = _env(1)
    sink = KinesisStreamsSink.builder().set_kinesis_client_properties(kinesis.properties()) \
        .set_stream_name(stream).set_serialization_schema(SimpleStringSchema()).build()
    env.from_collection(["x" * (1024 * 1024 + 1)], Types.STRING()).sink_to(sink)
    with pytest.raises(JobExecutionError, match=f"stream '{stream}': a record of .* bytes .* exceeds"):
        env.execute("too big")


def test_pyflink_names_resolve_and_missing_ones_are_refused_by_name():
    from fluvial import _pyflink_alias
    from fluvial.errors import UnsupportedFeatureError

    _pyflink_alias.install()
    try:
        from pyflink.datastream.connectors.kinesis import FlinkKinesisConsumer as Aliased
        assert Aliased is FlinkKinesisConsumer
        with pytest.raises(UnsupportedFeatureError, match="pyflink.datastream.connectors.kinesis.KinesisFirehoseSink"):
            from pyflink.datastream.connectors.kinesis import KinesisFirehoseSink  # noqa: F401
    finally:
        _pyflink_alias.uninstall()


def _drain(reader, polls=None):
    got, count = [], 0
    while polls is None or count < polls:
        batch = reader.poll()
        if batch is None:
            break
        got.extend(batch)
        count += 1
    return got


def test_union_state_resumes_at_another_parallelism(kinesis):
    """Two readers read part of four shards and snapshot; three new readers restored from the
    union of their states read the rest: every record once, none skipped."""
    stream = kinesis.stream(shards=4)
    values = [f"v{i}" for i in range(400)]
    kinesis.put(stream, values)
    consumer = _consumer(kinesis, stream, **{"flink.shard.getrecords.maxrecordcount": "15"})
    first = [consumer._create_reader(index, 2) for index in range(2)]
    before = []
    for reader in first:
        reader.open()
        before.extend(_drain(reader, polls=3))
    state = [item for reader in first for item in reader.snapshot_union_state(1)]
    for reader in first:
        reader.close()
    assert 0 < len(before) < len(values)
    assert sorted(shard for _, shard, _, _, _ in state) == sorted(s["ShardId"] for s in kinesis.shards(stream))
    after, owners = [], []
    for index in range(3):
        reader = consumer._create_reader(index, 3)
        reader.restore_union_state(state)
        reader.open()
        owners.extend(reader._shards)
        after.extend(_drain(reader))
        reader.close()
    assert sorted(owners) == sorted((stream, s["ShardId"]) for s in kinesis.shards(stream))  # one reader each
    assert sorted(before + after) == sorted(values)


def _flaky(writer, failing_calls):
    """Wraps the writer's client: the first 'failing_calls' PutRecords refuse every third
    entry (as Kinesis does when a shard is throttled) and send the rest to the server."""
    real, calls = writer._client.put_records, []
    refused = {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded for shard"}

    def put_records(StreamName, Records):  # noqa: N803 - boto3's argument names
        calls.append(len(Records))
        if len(calls) > failing_calls:
            return real(StreamName=StreamName, Records=Records)
        kept = [record for index, record in enumerate(Records) if index % 3]
        results = iter(real(StreamName=StreamName, Records=kept)["Records"] if kept else [])
        return {"FailedRecordCount": len(Records) - len(kept),
                "Records": [next(results) if index % 3 else dict(refused) for index in range(len(Records))]}

    writer._client.put_records = put_records
    return calls


def _sink(kinesis, stream, **settings):
    builder = KinesisStreamsSink.builder().set_kinesis_client_properties(kinesis.properties()) \
        .set_stream_name(stream).set_serialization_schema(SimpleStringSchema())
    for name, value in settings.items():
        getattr(builder, name)(value)
    return builder.build()


def test_sink_sends_again_the_entries_a_partial_failure_names(kinesis):
    stream = kinesis.stream(shards=2)
    writer = _sink(kinesis, stream)._create_writer(0, 1)
    writer.open()
    calls = _flaky(writer, failing_calls=2)
    values = [f"v{i}" for i in range(700)]
    writer.write(values)
    writer.snapshot_state(1)  # the barrier: everything buffered is sent
    writer.close()
    # 500 (333 pass), then the 167 refused (111 pass), then 56 + the last 200 in new calls
    assert calls[:2] == [500, 167] and len(calls) > 2, calls
    read = [data.decode() for records in kinesis.read(stream).values() for _, _, data in records]
    assert sorted(read) == sorted(values)  # each once: only the refused entries were sent again


def test_sink_fail_on_error_names_the_server_error(kinesis):
    stream = kinesis.stream(shards=1)
    writer = _sink(kinesis, stream, set_fail_on_error=True)._create_writer(0, 1)
    writer.open()
    _flaky(writer, failing_calls=1)
    writer.write([f"v{i}" for i in range(9)])
    with pytest.raises(ConnectorError, match=f"stream '{stream}': 3 of 9 records failed after 1 attempt.*"
                                             f"ProvisionedThroughputExceededException: Rate exceeded for shard"):
        writer.finish()
