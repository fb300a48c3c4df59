"""Kafka -> JSON UDF -> Kafka: a Fluvial job (KafkaSource, map, KafkaSink) beside a bare
Python loop driving the same native consumer and producer with the same function
(json.loads, lower-case one field, json.dumps, as PyFlink's published benchmark does).

    python bench/kafka_pipeline.py                                 # 200k records, 100 B and 1 KB
    python bench/kafka_pipeline.py --records 2000 --rounds 1       # a smoke run

Starts its own broker with scripts/kafka.sh on a free 127.0.0.1 port (or uses
--bootstrap-servers). Each round produces the input once, then times each side from
start to the last record acknowledged by the broker (AT_LEAST_ONCE). Prints records/s
and the ratio Fluvial / bare loop.
"""

import argparse
import json
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from fluvial import _core
from fluvial.common.serialization import SimpleStringSchema
from fluvial.common.typeinfo import Types
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors.base import DeliveryGuarantee
from fluvial.datastream.connectors.kafka import (
    KafkaOffsetsInitializer,
    KafkaRecordSerializationSchema,
    KafkaSink,
    KafkaSource,
)

ROOT = Path(__file__).resolve().parents[1]


def transform(text: str) -> str:
    record = json.loads(text)
    record["name"] = record["name"].lower()
    return json.dumps(record)


def make_record(index: int, size: int) -> bytes:
    record = {"id": index, "name": f"User-{index % 1000}", "payload": ""}
    padding = size - len(json.dumps(record))
    record["payload"] = "x" * max(padding, 0)
    return json.dumps(record).encode()


def create_topic(servers: str) -> str:
    name = f"bench-{uuid.uuid4().hex[:10]}"
    _core.KafkaProducer([("bootstrap.servers", servers)]).create_topic(name, 1)
    return name


def produce(servers: str, topic: str, records: int, size: int) -> None:
    producer = _core.KafkaProducer([("bootstrap.servers", servers), ("linger.ms", "20")])
    for start in range(0, records, 10_000):
        producer.send(topic, [make_record(i, size) for i in range(start, min(records, start + 10_000))])
    producer.flush(60_000)


def count(servers: str, topic: str) -> int:
    consumer = _core.KafkaConsumer([("bootstrap.servers", servers), ("group.id", "bench-count")])
    low, high = consumer.watermark_offsets(topic, 0, 10_000)
    consumer.close()
    return high - low


def fluvial_run(servers: str, source_topic: str, sink_topic: str) -> None:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    source = (KafkaSource.builder().set_bootstrap_servers(servers).set_topics(source_topic)
              .set_value_only_deserializer(SimpleStringSchema())
              .set_starting_offsets(KafkaOffsetsInitializer.earliest())
              .set_bounded(KafkaOffsetsInitializer.latest()).build())
    record = (KafkaRecordSerializationSchema.builder().set_topic(sink_topic)
              .set_value_serialization_schema(SimpleStringSchema()).build())
    sink = (KafkaSink.builder().set_bootstrap_servers(servers).set_record_serializer(record)
            .set_delivery_guarantee(DeliveryGuarantee.AT_LEAST_ONCE).set_property("linger.ms", "20").build())
    env.from_source(source, None, "kafka").map(transform, Types.STRING()).sink_to(sink)
    env.execute("kafka pipeline")


def loop_run(servers: str, source_topic: str, sink_topic: str) -> None:
    consumer = _core.KafkaConsumer([("bootstrap.servers", servers), ("group.id", f"loop-{uuid.uuid4().hex}"),
                                    ("isolation.level", "read_uncommitted")])
    producer = _core.KafkaProducer([("bootstrap.servers", servers), ("acks", "all"), ("linger.ms", "20")])
    low, high = consumer.watermark_offsets(source_topic, 0, 10_000)
    consumer.assign([(source_topic, 0, low, high)])
    while not consumer.finished():
        batch = consumer.consume(1024, 50)
        values = batch.values()
        batch.release()
        producer.send(sink_topic, [transform(v.decode()).encode() for v in values])
    producer.flush(60_000)
    consumer.close()


def measure(servers: str, records: int, size: int, rounds: int) -> dict:
    source_topic = create_topic(servers)
    produce(servers, source_topic, records, size)
    rates = {"loop": [], "fluvial": []}
    for _ in range(rounds):
        for name, run in (("loop", loop_run), ("fluvial", fluvial_run)):
            sink_topic = create_topic(servers)
            started = time.perf_counter()
            run(servers, source_topic, sink_topic)
            elapsed = time.perf_counter() - started
            written = count(servers, sink_topic)
            if written != records:
                raise SystemExit(f"{name}: wrote {written} records, expected {records}")
            rates[name].append(records / elapsed)
    return {name: statistics.median(values) for name, values in rates.items()}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="100,1000", help="record sizes in bytes")
    parser.add_argument("--bootstrap-servers", default=None, help="use this broker instead of starting one")
    args = parser.parse_args()
    directory = None
    servers = args.bootstrap_servers
    if servers is None:
        directory = tempfile.mkdtemp(prefix="fluvial-kafka-bench-")
        port = free_port()
        subprocess.run([str(ROOT / "scripts" / "kafka.sh"), "start", directory, str(port)], check=True)
        servers = f"127.0.0.1:{port}"
    try:
        print(f"{args.records} JSON records per run, median of {args.rounds} round(s), parallelism 1")
        print(f"{'record':>8} {'bare loop rec/s':>16} {'Fluvial rec/s':>14} {'ratio':>6}")
        for size in (int(s) for s in args.sizes.split(",")):
            rates = measure(servers, args.records, size, args.rounds)
            print(f"{size:>7}B {rates['loop']:>16,.0f} {rates['fluvial']:>14,.0f} "
                  f"{rates['fluvial'] / rates['loop']:>6.2f}")
        print("ratio = Fluvial / bare loop")
    finally:
        if directory is not None:
            subprocess.run([str(ROOT / "scripts" / "kafka.sh"), "stop", directory], check=True)


if __name__ == "__main__":
    main()
