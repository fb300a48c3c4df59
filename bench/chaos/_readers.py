"""Reading back what the jobs committed, with clients independent of the engine's own:

- Kafka through kafka-python (pure Python, not librdkafka) with isolation.level =
  read_committed: aborted and still-open transactions are invisible to it;
- part files: only finished ones (an in-progress or pending part file starts with '.');
- Redis through redis-py, PostgreSQL through psycopg.
"""

import os
import time
from typing import Dict, List, Optional, Tuple

Message = Tuple[Optional[bytes], Optional[bytes]]


def kafka_committed(servers: str, topic: str, patience_s: float = 30.0) -> List[Message]:
    """(key, value) of every committed message of 'topic', partition by partition in order.

    Reads until each partition's position reaches its end offset (taken once the producers
    are done, so the last stable offset equals it) — or fails after patience_s without progress."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=servers, isolation_level="read_committed",
                             enable_auto_commit=False, group_id=None, consumer_timeout_ms=1000,
                             max_partition_fetch_bytes=8 * 1024 * 1024)
    try:
        deadline = time.monotonic() + patience_s
        partitions = None
        while partitions is None:
            partitions = consumer.partitions_for_topic(topic)
            if partitions is None:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"topic {topic} does not exist on {servers}")
                time.sleep(0.2)
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        ends = consumer.end_offsets(assigned)
        found: Dict[int, list] = {p.partition: [] for p in assigned}
        deadline = time.monotonic() + patience_s
        while any(consumer.position(p) < ends[p] for p in assigned):
            batch = consumer.poll(timeout_ms=500, max_records=20000)
            for partition, messages in batch.items():
                found[partition.partition].extend((m.key, m.value) for m in messages)
                deadline = time.monotonic() + patience_s
            if time.monotonic() > deadline:
                behind = {p.partition: (consumer.position(p), ends[p]) for p in assigned}
                raise RuntimeError(f"reading {topic} with read_committed made no progress for {patience_s} s: "
                                   f"(position, end) per partition {behind}")
        return [message for p in sorted(found) for message in found[p]]
    finally:
        consumer.close()


def committed_files(directory: str) -> List[str]:
    """Every line of the finished part files under 'directory'."""
    lines = []
    for root, _, names in os.walk(directory):
        for name in sorted(names):
            if not name.startswith("."):
                with open(os.path.join(root, name), encoding="utf-8") as file:
                    lines.extend(line for line in file.read().split("\n") if line)
    return lines


def redis_strings(address: str, namespace: str) -> Dict[str, str]:
    """key (without 'NAMESPACE:') -> value of every string under NAMESPACE: in Redis."""
    import redis

    host, _, port = address.rpartition(":")
    client = redis.Redis(host, int(port), decode_responses=True)
    try:
        keys = sorted(client.scan_iter(match=f"{namespace}:*", count=1000))
        values = client.mget(keys) if keys else []
        return {key.split(":", 1)[1]: value for key, value in zip(keys, values)}
    finally:
        client.close()


def postgres_connect(address: str):
    import psycopg

    host, _, port = address.rpartition(":")
    return psycopg.connect(host=host, port=int(port), user="postgres", dbname="postgres", autocommit=True)


def postgres_rows(address: str, table: str) -> Dict[str, str]:
    """k -> 'c,total' of every row of 'table'."""
    with postgres_connect(address) as connection:
        rows = connection.execute(f'SELECT k, c, total FROM "{table}"').fetchall()
    return {k: f"{c},{total}" for k, c, total in rows}
