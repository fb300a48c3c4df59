"""The jobs the chaos harness kills, each with its plain-Python reference and its readers.

A Job makes Rounds: one round is one job run from an empty checkpoint directory to its end
over fresh outputs (its own folder, topics, keys or table), however often it is killed on
the way. ``Round.check()`` reads what the sinks committed with the independent readers of
_readers.py and compares it with the reference, per sink:

- insert-only exactly-once sinks (FileSink, EXACTLY_ONCE KafkaSink, SQL filesystem and
  kafka tables): as multisets — lost = expected − committed, duplicated = committed − expected;
- upsert sinks (Redis, PostgreSQL, upsert-kafka; at least once, idempotent per key): the
  final value per key — lost = keys missing or holding another value, duplicated = keys
  that should not exist.
"""

import csv
import os
import sys
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Dict, List

import _readers
from _faults import HOOK_POINTS

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))  # this checkout's fluvial, as the job processes get it
sys.path.insert(0, os.path.join(ROOT, "tests", "python", "datastream", "fault_tolerance"))
sys.path.insert(0, os.path.join(ROOT, "tests", "python", "table"))

import checkpoint_job  # noqa: E402
import generator_job  # noqa: E402
from sql_job import topics  # noqa: E402

GENERATOR_JOB = generator_job.__file__
SQL_JOB = os.path.join(HERE, "sql_job.py")


@dataclass
class SinkCheck:
    """What one sink committed against the reference."""

    expected: int  # records (insert-only sinks) or keys (upsert sinks) the reference holds
    lost: int
    duplicated: int


def compare_multisets(expected: Counter, committed: Counter) -> SinkCheck:
    return SinkCheck(sum(expected.values()), sum((expected - committed).values()),
                     sum((committed - expected).values()))


def compare_final_values(expected: Dict, committed: Dict) -> SinkCheck:
    lost = sum(1 for key, value in expected.items() if committed.get(key) != value)
    return SinkCheck(len(expected), lost, sum(1 for key in committed if key not in expected))


def create_topics(servers: str, names: List[str], partitions: int = 2) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=servers)
    try:
        admin.create_topics([NewTopic(name, partitions, 1) for name in names])
    finally:
        admin.close()


class Round:
    """One run of a job to its end: the command that (re)starts it (the harness adds
    --ready FILE) and the checks of its sinks."""

    hook_points = HOOK_POINTS  # the FLUVIAL_FAULT_INJECTION points the job passes through

    def __init__(self, directory: str, records: int):
        self.directory = directory
        self.records = records
        self.output = os.path.join(directory, "out")
        self.checkpoints = os.path.join(directory, "chk")
        os.makedirs(directory, exist_ok=True)

    def command(self) -> List[str]:
        raise NotImplementedError

    def committed(self) -> Dict[str, object]:
        """What each sink shows now (for 'nothing re-emitted' checks): sink -> a comparable view."""
        raise NotImplementedError

    def check(self) -> Dict[str, SinkCheck]:
        raise NotImplementedError


# ------------------------------------------------------------------ DataStream jobs

SEED, SPLITS, KEYS, BATCH = 11, 4, 40, 100


class GeneratorRound(Round):
    """tests/python/datastream/fault_tolerance/generator_job.py: a seeded, resumable
    generator (4 splits) → keyed running totals in ValueState → the sinks 'sinks'."""

    def __init__(self, directory: str, records: int, sinks: List[str], services, rate: float,
                 interval_ms: int):
        super().__init__(directory, records)
        self.sinks, self.services = sinks, services
        self.per_split = max(1, -(-records // SPLITS))  # at least 'records'
        self.records = self.per_split * SPLITS
        # A poll yields BATCH records of each split and sleeps: at most 'rate' records/s in all.
        self.pause, self.interval_ms = SPLITS * BATCH / rate, interval_ms
        self.namespace = f"chaos_{uuid.uuid4().hex[:10]}"
        self.hook_points = tuple(point for point in HOOK_POINTS if point.split("-")[0] not in ("file", "kafka")
                                 or point.split("-")[0] in sinks)
        if "kafka" in sinks:
            create_topics(services.kafka.address, [self.namespace])
        if "postgres" in sinks:
            with _readers.postgres_connect(services.postgres.address) as connection:
                connection.execute(f'CREATE TABLE "{self.namespace}" (k TEXT PRIMARY KEY, c BIGINT, total BIGINT)')

    def command(self) -> List[str]:
        command = [sys.executable, GENERATOR_JOB, "--seed", str(SEED), "--splits", str(SPLITS),
                   "--per-split", str(self.per_split), "--keys", str(KEYS), "--batch", str(BATCH),
                   "--pause", str(self.pause), "--interval", str(self.interval_ms), "--output", self.output,
                   "--checkpoints", self.checkpoints, "--sinks", ",".join(self.sinks),
                   "--store-namespace", self.namespace]
        if "kafka" in self.sinks:
            command += ["--kafka-servers", self.services.kafka.address, "--kafka-topic", self.namespace]
        if "redis" in self.sinks:
            command += ["--redis", self.services.redis.address]
        if "postgres" in self.sinks:
            command += ["--postgres", self.services.postgres.address]
        return command

    def _read(self) -> Dict[str, Callable[[], object]]:
        return {"file": lambda: Counter(_readers.committed_files(self.output)),
                "kafka": lambda: Counter(value.decode() for _, value in
                                         _readers.kafka_committed(self.services.kafka.address, self.namespace)),
                "redis": lambda: _readers.redis_strings(self.services.redis.address, self.namespace),
                "postgres": lambda: _readers.postgres_rows(self.services.postgres.address, self.namespace)}

    def committed(self) -> Dict[str, object]:
        read = self._read()
        return {name: read[name]() for name in self.sinks}

    def check(self) -> Dict[str, SinkCheck]:
        lines, state = generator_job.reference(SEED, SPLITS, self.per_split, KEYS)
        expected_lines = Counter(lines)
        final = {key: f"{count},{total}" for key, (count, total) in state.items()}
        checks = {}
        for name, view in self.committed().items():
            if name in ("file", "kafka"):
                checks[name] = compare_multisets(expected_lines, view)
            else:
                checks[name] = compare_final_values(final, view)
        return checks


# ------------------------------------------------------------------ the SQL job

ROWS_PER_FILE = 1000


def _timestamp(text: str) -> str:
    """'2024-01-01T00:00:10', '2024-01-01 00:00:10.000' -> '2024-01-01 00:00:10'."""
    return f"{datetime.fromisoformat(text.replace(' ', 'T')):%Y-%m-%d %H:%M:%S}"


class SqlRound(Round):
    """bench/chaos/sql_job.py over FILES × 1000 input rows: TUMBLE windows into a filesystem
    table and an exactly-once kafka table, GROUP BY totals into an exactly-once upsert-kafka table."""

    def __init__(self, directory: str, records: int, services, rate: float, interval_ms: int):
        super().__init__(directory, records)
        self.files = max(2, -(-records // ROWS_PER_FILE))  # at least 'records'
        self.records = self.files * ROWS_PER_FILE
        # Two subtasks, each sleeping 'pause' per row: at most 'rate' rows/s in all.
        self.services, self.pause, self.interval_ms = services, 2 / rate, interval_ms
        self.input = os.path.join(directory, "in")
        checkpoint_job.write_input(self.input, self.files, ROWS_PER_FILE)
        self.prefix = f"chaos-sql-{uuid.uuid4().hex[:10]}"
        self.windows_topic, self.totals_topic = topics(self.prefix)
        create_topics(services.kafka.address, [self.windows_topic, self.totals_topic])

    def command(self) -> List[str]:
        return [sys.executable, SQL_JOB, self.input, self.output, self.checkpoints, "--kafka-servers",
                self.services.kafka.address, "--topic-prefix", self.prefix, "--pause", str(self.pause),
                "--interval", str(self.interval_ms)]

    def committed(self) -> Dict[str, object]:
        servers = self.services.kafka.address
        files = Counter()
        for k, ws, c, s in csv.reader(_readers.committed_files(os.path.join(self.output, "windows"))):
            files[(k, _timestamp(ws), int(c), int(s))] += 1
        topic = Counter()
        for _, value in _readers.kafka_committed(servers, self.windows_topic):
            row = _json(value)
            topic[(row["k"], _timestamp(row["ws"]), row["c"], row["s"])] += 1
        totals = {}
        for key, value in _readers.kafka_committed(servers, self.totals_topic):
            k = _json(key)["k"]
            if value is None:
                totals.pop(k, None)  # a tombstone
            else:
                row = _json(value)
                totals[k] = tuple(row[name] for name in ("k", "s", "c", "lo", "hi", "names", "first_name",
                                                         "last_name", "distinct_sum"))
        return {"windows-filesystem": files, "windows-kafka": topic, "totals-upsert-kafka": totals}

    def check(self) -> Dict[str, SinkCheck]:
        windows = checkpoint_job.reference_windows(self.files, ROWS_PER_FILE)
        totals = {row[0]: row for row in checkpoint_job.reference_totals(self.files, ROWS_PER_FILE)}
        view = self.committed()
        return {"windows-filesystem": compare_multisets(windows, view["windows-filesystem"]),
                "windows-kafka": compare_multisets(windows, view["windows-kafka"]),
                "totals-upsert-kafka": compare_final_values(totals, view["totals-upsert-kafka"])}


def _json(data: bytes):
    import json

    return json.loads(data)
