"""Produce → Fluvial job → consume against a real broker, in every format, checked
against the same transformation done in plain Python."""

import json
import random

import pytest

from fluvial.common.serialization import SimpleStringSchema
from fluvial.common.typeinfo import Types
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors.base import DeliveryGuarantee
from fluvial.datastream.connectors.kafka import (
    FlinkKafkaPartitioner,
    KafkaOffsetsInitializer,
    KafkaRecordSerializationSchema,
    KafkaSink,
    KafkaSource,
)
from fluvial.datastream.formats.avro import AvroRowDeserializationSchema, AvroRowSerializationSchema
from fluvial.datastream.formats.csv import CsvRowDeserializationSchema, CsvRowSerializationSchema
from fluvial.datastream.formats.json import JsonRowDeserializationSchema, JsonRowSerializationSchema

pytestmark = pytest.mark.slow

ROW = Types.ROW_NAMED(["user", "item", "score"], [Types.STRING(), Types.LONG(), Types.DOUBLE()])
AVRO = json.dumps({"type": "record", "name": "Click", "fields": [
    {"name": "user", "type": "string"}, {"name": "item", "type": "long"},
    {"name": "score", "type": "double"}]})


def rows(count: int):
    generator = random.Random(7)
    return [(f"user-{generator.randrange(20)}", generator.randrange(10**12), generator.random() * 100)
            for _ in range(count)]


FORMATS = {
    "raw": (SimpleStringSchema(), SimpleStringSchema(), Types.STRING(),
            lambda r: f"{r[0]}|{r[1]}|{r[2]!r}", lambda text: text.upper()),
    "json": (JsonRowSerializationSchema.builder().with_type_info(ROW).build(),
             JsonRowDeserializationSchema.builder().type_info(ROW).build(), ROW,
             None, lambda row: (row["user"].upper(), row["item"] + 1, row["score"] * 2)),
    "csv": (CsvRowSerializationSchema.Builder(ROW).build(),
            CsvRowDeserializationSchema.Builder(ROW).build(), ROW,
            None, lambda row: (row["user"].upper(), row["item"] + 1, row["score"] * 2)),
    "avro": (AvroRowSerializationSchema(avro_schema_string=AVRO),
             AvroRowDeserializationSchema(avro_schema_string=AVRO), ROW,
             None, lambda row: (row["user"].upper(), row["item"] + 1, row["score"] * 2)),
}


def source(kafka, topic, deserializer, **options):
    builder = (KafkaSource.builder().set_bootstrap_servers(kafka.servers).set_topics(topic)
               .set_value_only_deserializer(deserializer)
               .set_starting_offsets(options.get("start", KafkaOffsetsInitializer.earliest()))
               .set_bounded(options.get("stop", KafkaOffsetsInitializer.latest())))
    if "group" in options:
        builder.set_group_id(options["group"])
    return builder.build()


def sink(kafka, topic, serializer, guarantee=DeliveryGuarantee.AT_LEAST_ONCE, **options):
    record = KafkaRecordSerializationSchema.builder().set_topic(topic).set_value_serialization_schema(serializer)
    if "key" in options:
        record.set_key_serialization_schema(options["key"])
    if "partitioner" in options:
        record.set_partitioner(options["partitioner"])
    builder = (KafkaSink.builder().set_bootstrap_servers(kafka.servers).set_delivery_guarantee(guarantee)
               .set_record_serializer(record.build()))
    if "prefix" in options:
        builder.set_transactional_id_prefix(options["prefix"])
    return builder.build()


@pytest.mark.parametrize("parallelism", [1, 2])
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_round_trip(kafka, name, parallelism):
    serializer, deserializer, type_info, to_input, transform = FORMATS[name]
    records = rows(400)
    inputs = [to_input(r) for r in records] if to_input else records
    source_topic, sink_topic = kafka.topic(partitions=3), kafka.topic(partitions=2)
    kafka.produce(source_topic, [serializer.serialize(r) for r in inputs],
                  partitions=[i % 3 for i in range(len(inputs))])

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    output_type = Types.STRING() if name == "raw" else ROW
    env.from_source(source(kafka, source_topic, deserializer), None, "kafka", type_info) \
        .map(transform, output_type=output_type) \
        .sink_to(sink(kafka, sink_topic, serializer))
    env.execute(f"{name} round trip")

    # The reference: the same transformation, in plain Python, on what was produced.
    if name == "raw":
        expected = sorted(text.upper() for text in inputs)
    else:
        expected = sorted(transform(dict(zip(["user", "item", "score"], r))) for r in records)
    written = [deserializer.deserialize(value) for _, _, _, value in kafka.read(sink_topic)]
    found = sorted(written if name == "raw" else (tuple(row) for row in written))
    assert found == expected


def test_each_partition_keeps_its_order(kafka):
    topic = kafka.topic(partitions=3)
    values = [f"{i}" for i in range(300)]
    kafka.produce(topic, [v.encode() for v in values], partitions=[i % 3 for i in range(300)])
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    got = list(env.from_source(source(kafka, topic, SimpleStringSchema()), None, "kafka")
               .execute_and_collect())
    assert sorted(got, key=int) == values
    for partition in range(3):
        in_order = [v for v in got if int(v) % 3 == partition]
        assert in_order == sorted(in_order, key=int)


def test_exactly_once_job_output_is_committed(kafka):
    source_topic, sink_topic = kafka.topic(partitions=2), kafka.topic()
    kafka.produce(source_topic, [f"m{i}".encode() for i in range(200)])
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.from_source(source(kafka, source_topic, SimpleStringSchema()), None, "kafka") \
        .sink_to(sink(kafka, sink_topic, SimpleStringSchema(), DeliveryGuarantee.EXACTLY_ONCE,
                      prefix=f"eos-{sink_topic}"))
    env.execute("exactly once")
    committed = sorted(v.decode() for _, _, _, v in kafka.read(sink_topic, "read_committed"))
    assert committed == sorted(f"m{i}" for i in range(200))


class ByUser(FlinkKafkaPartitioner):
    def partition(self, record, key, value, target_topic, partitions):
        return partitions[int(record.split("-")[1]) % len(partitions)]


def test_keyed_sink_with_partitioner(kafka):
    sink_topic = kafka.topic(partitions=4)
    values = [f"user-{i % 7}-{i}" for i in range(140)]
    env = StreamExecutionEnvironment.get_execution_environment()
    env.from_collection(values, Types.STRING()) \
        .sink_to(sink(kafka, sink_topic, SimpleStringSchema(), key=KeyOfRecord(), partitioner=ByUser()))
    env.execute("keyed sink")
    found = kafka.read(sink_topic)
    assert sorted(v.decode() for _, _, _, v in found) == sorted(values)
    for partition, _, key, value in found:
        user = int(value.decode().split("-")[1])
        assert partition == user % 4
        assert key == f"user-{user}".encode()


class KeyOfRecord(SimpleStringSchema):
    def serialize(self, element: str) -> bytes:
        return "-".join(element.split("-")[:2]).encode()
