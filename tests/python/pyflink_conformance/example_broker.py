"""The Kafka broker the Kafka examples expect: they hard-code 'localhost:9092' and
ask for their topic to exist before they start ("Make sure that the Kafka cluster is
started and the topic ... is created"). A fresh broker per run (scripts/kafka.sh on
127.0.0.1:9092) gives each run empty topics, so reading "from the earliest offset"
sees exactly what that run wrote — for real PyFlink when recording and for Fluvial
in the tests alike."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
KAFKA_SH = ROOT / "scripts" / "kafka.sh"
PORT = 9092  # the examples' bootstrap address is localhost:9092, verbatim


def port_in_use(port: int = PORT) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def kafka_jars() -> Path:
    subprocess.run([str(KAFKA_SH), "fetch"], check=True, timeout=600)
    cache = Path(os.environ.get("FLUVIAL_CACHE", Path.home() / ".cache" / "fluvial"))
    return cache / "kafka-3.9.1" / "jars"


@contextlib.contextmanager
def example_broker(topics: tuple[str, ...]):
    """A broker on 127.0.0.1:9092 with 'topics' (one partition each) created, stopped on exit."""
    if port_in_use():
        raise RuntimeError(
            f"the Kafka examples connect to localhost:{PORT}, verbatim, but something already "
            f"listens on 127.0.0.1:{PORT}: stop it to run them")
    with tempfile.TemporaryDirectory(prefix="example-kafka-") as directory:
        subprocess.run([str(KAFKA_SH), "start", directory, str(PORT)], check=True, timeout=180)
        try:
            jars = kafka_jars()
            if topics:
                subprocess.run(["java", "-cp", f"{jars}/*", str(ROOT / "scripts" / "kafka" / "CreateTopics.java"),
                                f"127.0.0.1:{PORT}", *topics], check=True, timeout=120)
            yield f"localhost:{PORT}"
        finally:
            subprocess.run([str(KAFKA_SH), "stop", directory], check=True, timeout=60)
