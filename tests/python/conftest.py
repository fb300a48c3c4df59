"""Fixtures shared by every test folder: a real Apache Kafka 3.9 broker for the Kafka
tests (connectors/kafka) and the Kafka leg of the fault-injection test
(datastream/test_fault_injection.py), started once per session by scripts/kafka.sh on a
free 127.0.0.1 port in a temporary directory, stopped at the end. The helpers produce
and read back with the native client directly, outside any job."""

import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from fluvial import _core

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory) -> str:
    """The broker's bootstrap servers, '127.0.0.1:PORT'."""
    directory = tmp_path_factory.mktemp("kafka")
    port = free_port()
    script = ROOT / "scripts" / "kafka.sh"
    subprocess.run([str(script), "start", str(directory), str(port)], check=True, timeout=180)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([str(script), "stop", str(directory)], check=True, timeout=60)


class Kafka:
    """Topics, producing and reading back, through librdkafka without a job."""

    def __init__(self, servers: str):
        self.servers = servers

    def topic(self, partitions: int = 1, prefix: str = "t") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        _core.KafkaProducer([("bootstrap.servers", self.servers)]).create_topic(name, partitions)
        return name

    def produce(self, topic: str, values, keys=None, partitions=None, timestamps=None) -> None:
        # Idempotent: a retry right after the topic is created must not reorder a partition.
        producer = _core.KafkaProducer([("bootstrap.servers", self.servers), ("enable.idempotence", "true")])
        producer.send(topic, list(values), keys, partitions, timestamps)
        producer.flush(20000)

    def read(self, topic: str, isolation: str = "read_uncommitted", quiet_ms: int = 600, patience_s: float = 10.0):
        """Every message of 'topic' now visible: (partition, offset, key, value) tuples.

        Reads until every partition's position is at its end (the high watermark, less the
        marker a transaction leaves last) and nothing came for 'quiet_ms' — or, when a partition
        cannot get there (an aborted transaction last), nothing came for 'patience_s': a loaded
        machine may take seconds before a consumer's first fetch."""
        consumer = _core.KafkaConsumer([("bootstrap.servers", self.servers),
                                        ("group.id", f"reader-{uuid.uuid4().hex}"),
                                        ("isolation.level", isolation)])
        count = consumer.partition_count(topic, 10000)
        ends = {p: consumer.watermark_offsets(topic, p, 10000)[1] for p in range(count)}
        consumer.assign([(topic, p, 0, -1) for p in range(count)])
        found, quiet_since = [], time.monotonic()
        while True:
            batch = consumer.consume(1000, 100)
            if len(batch):
                quiet_since = time.monotonic()
                found.extend((p, o, k, v) for _, p, o, _, k, v in batch.records())
            quiet = time.monotonic() - quiet_since
            positions = {p: o for _, p, o in consumer.positions()}
            at_end = all(end == 0 or positions.get(p, -1) >= end - 1 for p, end in ends.items())
            if (at_end and quiet >= quiet_ms / 1000) or quiet >= patience_s:
                break
        consumer.close()
        return found

    def committed(self, group: str, topic: str):
        consumer = _core.KafkaConsumer([("bootstrap.servers", self.servers), ("group.id", group)])
        count = consumer.partition_count(topic, 10000)
        offsets = consumer.committed([(topic, p, -1001) for p in range(count)], 10000)
        consumer.close()
        return {p: o for _, p, o in offsets}


@pytest.fixture
def kafka(kafka_broker) -> Kafka:
    return Kafka(kafka_broker)


# moto_server, but answering one request at a time: moto's Kinesis model numbers a shard's
# records without a lock ("not safe for concurrency", moto/kinesis/models.py), so two
# concurrent PutRecords could give two records one sequence number and lose one.
_MOTO_SERVER = """
import sys
from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app, run_simple
run_simple("127.0.0.1", int(sys.argv[1]), DomainDispatcherApplication(create_backend_app), threaded=False,
           request_handler=MotoRequestHandler)
"""


@pytest.fixture(scope="session")
def moto_endpoint() -> str:
    """moto's AWS emulator (S3, Kinesis, ...) on a free 127.0.0.1 port, started in a process
    of its own, 'http://127.0.0.1:PORT'; stopped by its pid at the end of the session."""
    import os
    import sys
    import urllib.request

    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", _MOTO_SERVER, str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "MOTO_PORT": str(port)})
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto's server did not start on {endpoint}") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
