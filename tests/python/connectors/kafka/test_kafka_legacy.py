"""PyFlink's legacy Kafka API (FlinkKafkaConsumer / FlinkKafkaProducer, used by the 1.x
examples) against a real broker: what the producer writes is what the serialization
schema makes of each record, and the consumer reads it back as the schema parses it."""

import json

import pytest

from fluvial.common.serialization import SimpleStringSchema
from fluvial.common.typeinfo import Types
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors.kafka import FlinkKafkaConsumer, FlinkKafkaProducer, Semantic
from fluvial.datastream.formats.json import JsonRowDeserializationSchema, JsonRowSerializationSchema
from fluvial.errors import UnsupportedFeatureError

pytestmark = pytest.mark.slow

ROW = Types.ROW([Types.INT(), Types.STRING()])
DATA = [(1, "hi"), (2, "hello"), (3, "hi"), (4, "hello")]


def test_producer_writes_what_the_schema_serializes(kafka):
    topic = kafka.topic()
    env = StreamExecutionEnvironment.get_execution_environment()
    serializer = JsonRowSerializationSchema.Builder().with_type_info(ROW).build()
    producer = FlinkKafkaProducer(topic=topic, serialization_schema=serializer,
                                  producer_config={"bootstrap.servers": kafka.servers, "group.id": "ignored"})
    env.from_collection(DATA, type_info=ROW).add_sink(producer)
    env.execute()
    written = [json.loads(value) for _, _, _, value in kafka.read(topic)]
    # JsonRowSerializationSchema names unnamed fields f0, f1, ... as Flink does.
    assert written == [{"f0": number, "f1": text} for number, text in DATA]


def test_consumer_reads_from_the_earliest_offset(kafka):
    topic = kafka.topic()
    kafka.produce(topic, [json.dumps({"f0": n, "f1": t}).encode() for n, t in DATA])
    env = StreamExecutionEnvironment.get_execution_environment()
    consumer = FlinkKafkaConsumer(topics=topic,
                                  deserialization_schema=JsonRowDeserializationSchema.Builder().type_info(ROW).build(),
                                  properties={"bootstrap.servers": kafka.servers, "group.id": "legacy-1"})
    consumer.set_start_from_earliest()
    rows = env.add_source(consumer).execute_and_collect(limit=len(DATA))
    assert [tuple(row) for row in rows] == DATA


def test_consumer_default_start_follows_auto_offset_reset(kafka):
    topic = kafka.topic()
    kafka.produce(topic, [b"a", b"b", b"c"])
    env = StreamExecutionEnvironment.get_execution_environment()
    # No committed offsets for the group: 'auto.offset.reset' = earliest says where to start.
    consumer = FlinkKafkaConsumer([topic], SimpleStringSchema(), {"bootstrap.servers": kafka.servers,
                                                                 "group.id": "legacy-2",
                                                                 "auto.offset.reset": "earliest"})
    assert env.add_source(consumer).execute_and_collect(limit=3) == ["a", "b", "c"]


def test_what_the_legacy_api_cannot_do_is_refused_by_name(kafka):
    with pytest.raises(ValueError, match="FlinkKafkaConsumer: the properties have no 'bootstrap.servers'"):
        FlinkKafkaConsumer("t", SimpleStringSchema(), {"group.id": "g"})
    with pytest.raises(ValueError, match="'auto.offset.reset' must be earliest, latest or none, got 'soon'"):
        FlinkKafkaConsumer("t", SimpleStringSchema(), {"bootstrap.servers": kafka.servers,
                                                       "auto.offset.reset": "soon"})
    producer = FlinkKafkaProducer("t", SimpleStringSchema(), {"bootstrap.servers": kafka.servers},
                                  semantic=Semantic.NONE)
    with pytest.raises(UnsupportedFeatureError, match=r"set_write_timestamp_to_kafka\(True\)"):
        producer.set_write_timestamp_to_kafka(True)
    with pytest.raises(TypeError, match="semantic must be a Semantic"):
        FlinkKafkaProducer("t", SimpleStringSchema(), {"bootstrap.servers": kafka.servers}, semantic="NONE")
