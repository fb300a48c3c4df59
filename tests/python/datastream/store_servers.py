"""Real Redis and PostgreSQL servers for the connector tests, one of each per test session,
started by the repository's own scripts (scripts/redis.sh, scripts/postgres.sh) on free
127.0.0.1 ports in temporary directories, and stopped at the end of the session.

Import the fixtures into a test module: ``from store_servers import redis_server, ...``.
"""

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run_script(script: str, *args: str) -> None:
    completed = subprocess.run(["bash", str(ROOT / "scripts" / script), *args], capture_output=True,
                               text=True, timeout=120)
    assert completed.returncode == 0, f"scripts/{script} {' '.join(args)} failed:\n{completed.stderr}"


class _Server:
    def __init__(self, script: str, prefix: str):
        # Under /tmp itself: PostgreSQL runs as the 'postgres' user when the tests run as
        # root, and must reach its directory (pytest's own temp dirs are private to root).
        self.script = script
        self.directory = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
        self.host = "127.0.0.1"
        self.port = free_port()

    def start(self) -> None:
        _run_script(self.script, "start", self.directory, str(self.port))

    def stop(self) -> None:
        try:
            _run_script(self.script, "stop", self.directory)
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server():
    """(host, port) of a Redis server for the session."""
    server = _Server("redis.sh", "fluvial-redis-")
    server.start()
    try:
        yield server.host, server.port
    finally:
        server.stop()


@pytest.fixture
def redis_client(redis_server):
    """A client of the session's Redis, emptied before the test."""
    import redis

    client = redis.Redis(*redis_server, decode_responses=True)
    client.flushall()
    yield client
    client.close()


@pytest.fixture(scope="session")
def postgres_server():
    """(host, port) of a PostgreSQL server for the session: user postgres, database postgres."""
    server = _Server("postgres.sh", "fluvial-pg-")
    server.start()
    try:
        yield server.host, server.port
    finally:
        server.stop()


@pytest.fixture
def postgres(postgres_server):
    """An autocommit psycopg connection to the session's PostgreSQL; the test's tables go
    into a fresh schema, dropped afterwards."""
    import psycopg

    host, port = postgres_server
    connection = psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True)
    yield connection
    connection.close()
