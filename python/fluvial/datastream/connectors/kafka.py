"""Kafka (PyFlink's pyflink.datastream.connectors.kafka): KafkaSource reads partitions
assigned to each subtask as Flink's enumerator assigns them, between starting and
optional stopping offsets; KafkaSink writes with a delivery guarantee, EXACTLY_ONCE
through Kafka transactions. The client is librdkafka (fluvial._core.KafkaConsumer /
KafkaProducer); properties are librdkafka's, which share the common Java names
(bootstrap.servers, group.id, isolation.level, security.protocol, ...).

Offsets and checkpoints (the contract in connectors/base.py):

- A reader's split state is ``(topic, partition, next_offset, stop_offset)`` per
  partition (stop -1 when unbounded); a subclass may append what it keeps per
  partition (the upsert-kafka table reader: the last row per key). notify_checkpoint_complete() commits the
  snapshotted offsets to the consumer group. Until a checkpoint is taken, a reader with a
  group.id commits its position every auto.commit.interval.ms (5 s) and when a bounded
  read ends, so a job started again with committed_offsets() continues where the last
  one stopped.
- EXACTLY_ONCE writers write into one transaction per subtask and checkpoint, with
  transactional id ``<prefix>-<subtask>-<n>`` (n: the checkpoint the transaction
  belongs to, from 1), as Flink names them. snapshot_state(n) flushes and pre-commits the
  open transaction and begins n+1; notify_checkpoint_complete(n) commits every
  transaction up to n. librdkafka cannot commit a prepared transaction from another
  producer (initialising its id aborts it), so the checkpoint is a write-ahead log: the
  writer's state holds the records of every transaction not committed yet, and each
  transaction carries a commit marker, the offset ``token`` of consumer group
  ``<prefix>-<subtask>-commits`` committed inside it (visible if and only if the
  transaction committed). On recovery restore_state() initialises each pending id (an
  open transaction is aborted, a commit under way completes), reads the markers, leaves
  the committed transactions alone and writes the others again from the log in a new
  transaction with the same marker; newer ids are initialised too, which aborts what
  they left open. Without checkpoints a bounded job commits at finish().
"""

import logging
import re
import time
import uuid
from array import array
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

from fluvial import _core
from fluvial.common.serialization import DeserializationSchema, SerializationSchema
from fluvial.datastream._checkpointing import FINAL_CHECKPOINT_ID, fault_point
from fluvial.datastream.connectors.base import (
    DeliveryGuarantee,
    Sink,
    SinkWriter,
    Source,
    SourceReader,
    SplitBatch,
)
from fluvial.datastream.formats._bad_records import BadRecords, describe_value
from fluvial.errors import ConnectorError

__all__ = [
    "FlinkFixedPartitioner",
    "FlinkKafkaConsumer",
    "FlinkKafkaProducer",
    "FlinkKafkaPartitioner",
    "KafkaOffsetResetStrategy",
    "KafkaOffsetsInitializer",
    "KafkaRecord",
    "KafkaRecordDeserializationSchema",
    "KafkaRecordSerializationSchema",
    "KafkaRecordSerializationSchemaBuilder",
    "KafkaSink",
    "KafkaSinkBuilder",
    "KafkaSource",
    "KafkaSourceBuilder",
    "KafkaTopicPartition",
    "KafkaTopicSelector",
    "Semantic",
]

_log = logging.getLogger("fluvial.kafka")

# Properties of Flink's Java connector that Fluvial reads itself (or that name Java
# classes) and never hands to librdkafka.
_FLINK_ONLY_PROPERTIES = {
    "partition.discovery.interval.ms", "commit.offsets.on.checkpoint", "client.id.prefix",
    "register.consumer.metrics", "key.deserializer", "value.deserializer", "key.serializer",
    "value.serializer", "max.poll.records", "auto.commit.interval.ms", "enable.auto.commit",
    "flink.partition-discovery.interval-millis",
}
_DEFAULT_DISCOVERY_INTERVAL_MS = 300_000  # Flink's default for unbounded sources
_POLL_TIMEOUT_MS = 50
_REQUEST_TIMEOUT_MS = 30_000
_ABORT_LOOKAHEAD = 5  # transactional ids past a restored checkpoint that may hold open transactions


def _request_timeout(properties: Dict[str, str]) -> int:
    return int(properties.get("fluvial.request.timeout.ms", _REQUEST_TIMEOUT_MS))


def _client_properties(properties: Dict[str, str]) -> List[Tuple[str, str]]:
    """The properties librdkafka gets; Java-only names give a clear error."""
    if "sasl.jaas.config" in properties:
        raise ConnectorError("Kafka property 'sasl.jaas.config' is Java's: Fluvial's client is "
                             "librdkafka; set sasl.mechanism, sasl.username and sasl.password")
    return [(k, str(v)) for k, v in properties.items() if k not in _FLINK_ONLY_PROPERTIES]


def _java_string_hash(text: str) -> int:
    value = 0
    for char in text:
        value = (31 * value + ord(char)) & 0xFFFFFFFF
    return value - (1 << 32) if value >= (1 << 31) else value


def _split_owner(topic: str, partition: int, parallelism: int) -> int:
    """The subtask reading a partition: Flink's KafkaSourceEnumerator.getSplitOwner."""
    start = ((_java_string_hash(topic) * 31) & 0x7FFFFFFF) % parallelism
    return (start + partition) % parallelism


class KafkaTopicPartition:
    """A topic and one of its partitions.

    Examples:
        >>> from fluvial.datastream.connectors.kafka import KafkaTopicPartition
        >>> orders0 = KafkaTopicPartition("orders", 0)
        >>> orders0.topic, orders0.partition, orders0 == KafkaTopicPartition("orders", 0)
        ('orders', 0, True)
        >>> KafkaTopicPartition("orders", -1)
        Traceback (most recent call last):
            ...
        ValueError: KafkaTopicPartition partition must be an int >= 0, got -1
    """

    def __init__(self, topic: str, partition: int):
        if not isinstance(topic, str) or not topic:
            raise TypeError(f"KafkaTopicPartition topic must be a non-empty str, got {topic!r}")
        if not isinstance(partition, int) or partition < 0:
            raise ValueError(f"KafkaTopicPartition partition must be an int >= 0, got {partition!r}")
        self._topic = topic
        self._partition = partition

    @property
    def topic(self) -> str:
        return self._topic

    @property
    def partition(self) -> int:
        return self._partition

    def _key(self) -> Tuple[str, int]:
        return self._topic, self._partition

    def __eq__(self, other) -> bool:
        return isinstance(other, KafkaTopicPartition) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"KafkaTopicPartition({self._topic!r}, {self._partition})"


class KafkaOffsetResetStrategy(Enum):
    """Where to start in a partition without a committed (or given) offset.

    Examples:
        >>> from fluvial.datastream.connectors.kafka import KafkaOffsetResetStrategy, KafkaOffsetsInitializer
        >>> [strategy.name for strategy in KafkaOffsetResetStrategy]
        ['LATEST', 'EARLIEST', 'NONE']
        >>> # the group's committed offsets; partitions without one start at the beginning
        >>> KafkaOffsetsInitializer.committed_offsets(KafkaOffsetResetStrategy.EARLIEST)
        KafkaOffsetsInitializer(committed)
    """

    LATEST = 0
    EARLIEST = 1
    NONE = 2


class KafkaOffsetsInitializer:
    """Chooses a starting (or stopping) offset per partition; the offsets are looked up
    when the job starts.

    Examples:
        >>> from fluvial.datastream.connectors.kafka import KafkaOffsetsInitializer, KafkaTopicPartition
        >>> KafkaOffsetsInitializer.earliest(), KafkaOffsetsInitializer.latest()
        (KafkaOffsetsInitializer(earliest), KafkaOffsetsInitializer(latest))
        >>> # offset 42 of partition 0; the other partitions follow the reset strategy (EARLIEST)
        >>> KafkaOffsetsInitializer.offsets({KafkaTopicPartition("orders", 0): 42})
        KafkaOffsetsInitializer(specific)
        >>> KafkaOffsetsInitializer.timestamp(1700000000000)  # the first record at or after it
        KafkaOffsetsInitializer(timestamp)
        >>> KafkaOffsetsInitializer.timestamp(-1)
        Traceback (most recent call last):
            ...
        ValueError: KafkaOffsetsInitializer.timestamp() expects milliseconds >= 0, got -1
    """

    def __init__(self, kind: str, reset: KafkaOffsetResetStrategy = KafkaOffsetResetStrategy.EARLIEST,
                 timestamp: int = 0, offsets: Optional[Dict[KafkaTopicPartition, int]] = None):
        self._kind = kind
        self._reset = reset
        self._timestamp = timestamp
        self._offsets = offsets or {}

    @staticmethod
    def committed_offsets(offset_reset_strategy: KafkaOffsetResetStrategy = KafkaOffsetResetStrategy.NONE
                          ) -> "KafkaOffsetsInitializer":
        """The consumer group's committed offsets; partitions without one follow the strategy."""
        _check_reset(offset_reset_strategy)
        return KafkaOffsetsInitializer("committed", offset_reset_strategy)

    @staticmethod
    def timestamp(timestamp: int) -> "KafkaOffsetsInitializer":
        """The first record whose timestamp is at or after 'timestamp' (ms); the end if none."""
        if not isinstance(timestamp, int) or timestamp < 0:
            raise ValueError(f"KafkaOffsetsInitializer.timestamp() expects milliseconds >= 0, got {timestamp!r}")
        return KafkaOffsetsInitializer("timestamp", timestamp=timestamp)

    @staticmethod
    def earliest() -> "KafkaOffsetsInitializer":
        return KafkaOffsetsInitializer("earliest")

    @staticmethod
    def latest() -> "KafkaOffsetsInitializer":
        return KafkaOffsetsInitializer("latest")

    @staticmethod
    def offsets(offsets: Dict[KafkaTopicPartition, int],
                offset_reset_strategy: KafkaOffsetResetStrategy = KafkaOffsetResetStrategy.EARLIEST
                ) -> "KafkaOffsetsInitializer":
        """Given offsets; partitions not in 'offsets' follow the strategy."""
        _check_reset(offset_reset_strategy)
        for partition, offset in offsets.items():
            if not isinstance(partition, KafkaTopicPartition) or not isinstance(offset, int):
                raise TypeError(f"KafkaOffsetsInitializer.offsets() expects {{KafkaTopicPartition: int}}, "
                                f"got {partition!r}: {offset!r}")
        return KafkaOffsetsInitializer("specific", offset_reset_strategy, offsets=dict(offsets))

    def __repr__(self) -> str:
        return f"KafkaOffsetsInitializer({self._kind})"

    def _resolve(self, consumer, partitions: List[Tuple[str, int]], group_id: Optional[str],
                 timeout_ms: int) -> List[int]:
        """The offset of each partition, as a number."""
        if not partitions:
            return []
        marks = {}

        def watermarks(topic: str, partition: int) -> Tuple[int, int]:
            if (topic, partition) not in marks:
                marks[(topic, partition)] = consumer.watermark_offsets(topic, partition, timeout_ms)
            return marks[(topic, partition)]

        def reset(topic: str, partition: int, why: str) -> int:
            if self._reset is KafkaOffsetResetStrategy.NONE:
                raise ConnectorError(f"KafkaSource: topic '{topic}' partition {partition} has {why}, and "
                                     f"the offset reset strategy is NONE: commit offsets for group "
                                     f"{group_id!r} first or pass committed_offsets(KafkaOffsetResetStrategy."
                                     f"EARLIEST or LATEST)")
            low, high = watermarks(topic, partition)
            return low if self._reset is KafkaOffsetResetStrategy.EARLIEST else high

        if self._kind == "earliest":
            return [watermarks(t, p)[0] for t, p in partitions]
        if self._kind == "latest":
            return [watermarks(t, p)[1] for t, p in partitions]
        if self._kind == "timestamp":
            found = consumer.offsets_for_times([(t, p, self._timestamp) for t, p in partitions], timeout_ms)
            return [o if o >= 0 else watermarks(t, p)[1] for t, p, o in found]
        if self._kind == "committed":
            if group_id is None:
                raise ConnectorError("KafkaSource: committed_offsets() needs a consumer group: call "
                                     "set_group_id()")
            found = consumer.committed([(t, p, -1001) for t, p in partitions], timeout_ms)
            return [o if o >= 0 else reset(t, p, f"no committed offset in group {group_id!r}")
                    for t, p, o in found]
        result = []
        for topic, partition in partitions:
            offset = self._offsets.get(KafkaTopicPartition(topic, partition))
            result.append(offset if offset is not None else reset(topic, partition, "no given offset"))
        return result


def _check_reset(strategy) -> None:
    if not isinstance(strategy, KafkaOffsetResetStrategy):
        raise TypeError(f"expected a KafkaOffsetResetStrategy, got {strategy!r}")


class KafkaRecord:
    """One consumed message, as KafkaRecordDeserializationSchema.deserialize() receives it.

    Examples:
        >>> from fluvial.datastream.connectors.kafka import KafkaRecord
        >>> record = KafkaRecord("orders", 0, 42, 1700000000000, b"user-7", b"apple,3")
        >>> record.topic, record.partition, record.offset, record.timestamp
        ('orders', 0, 42, 1700000000000)
        >>> record.key, record.value
        (b'user-7', b'apple,3')
    """

    __slots__ = ("topic", "partition", "offset", "timestamp", "key", "value")

    def __init__(self, topic: str, partition: int, offset: int, timestamp: int,
                 key: Optional[bytes], value: Optional[bytes]):
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value

    def __repr__(self) -> str:
        return (f"KafkaRecord({self.topic!r}, {self.partition}, {self.offset}, {self.timestamp}, "
                f"{self.key!r}, {self.value!r})")


class KafkaRecordDeserializationSchema:
    """Turns a whole message (key, value, topic, partition, offset, timestamp) into a record.
    value_only(schema) reads the value alone, as set_value_only_deserializer() does; for
    more, subclass and override deserialize(record: KafkaRecord) (None drops the message).

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream.connectors.kafka import KafkaRecord, KafkaRecordDeserializationSchema
        >>> record = KafkaRecord("orders", 0, 42, 1700000000000, b"user-7", b"apple")
        >>> KafkaRecordDeserializationSchema.value_only(SimpleStringSchema()).deserialize(record)
        'apple'
        >>> class KeyValueOffset(KafkaRecordDeserializationSchema):
        ...     def deserialize(self, record):
        ...         return record.key.decode(), record.value.decode(), record.offset
        >>> KeyValueOffset().deserialize(record)  # KafkaSource.builder().set_deserializer(KeyValueOffset())
        ('user-7', 'apple', 42)
    """

    def deserialize(self, record: KafkaRecord) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not implement deserialize")

    def get_produced_type(self):
        return None

    @staticmethod
    def value_only(value_deserialization_schema: DeserializationSchema) -> "KafkaRecordDeserializationSchema":
        if not isinstance(value_deserialization_schema, DeserializationSchema):
            raise TypeError(f"value_only() expects a DeserializationSchema, got "
                            f"{type(value_deserialization_schema).__name__}")
        return _ValueOnly(value_deserialization_schema)


class _ValueOnly(KafkaRecordDeserializationSchema):
    def __init__(self, schema: DeserializationSchema):
        self.schema = schema

    def deserialize(self, record: KafkaRecord) -> Any:
        return self.schema.deserialize(record.value)

    def get_produced_type(self):
        return self.schema.get_produced_type()


class KafkaSource(Source):
    """Reads Kafka partitions; see KafkaSource.builder(). The brokers are contacted when
    the job runs (env.from_source(source, ...) then execute()), not when it is built.

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream import Source
        >>> from fluvial.datastream.connectors.kafka import KafkaOffsetsInitializer, KafkaSource
        >>> source = (KafkaSource.builder()
        ...           .set_bootstrap_servers("localhost:9092")
        ...           .set_topics("orders")
        ...           .set_group_id("billing")
        ...           .set_starting_offsets(KafkaOffsetsInitializer.earliest())
        ...           .set_value_only_deserializer(SimpleStringSchema())
        ...           .build())
        >>> isinstance(source, Source), source.get_produced_type()
        (True, String)
    """

    def __init__(self, builder: "KafkaSourceBuilder"):
        self._bootstrap_servers = builder._bootstrap_servers
        self._topics = list(builder._topics)
        self._topic_pattern = builder._topic_pattern
        self._partitions = set(builder._partitions)
        self._group_id = builder._properties.get("group.id")
        self._starting = builder._starting
        self._stopping = builder._stopping
        self._deserializer = builder._deserializer
        self._properties = dict(builder._properties)
        self._client_id_prefix = builder._client_id_prefix

    @staticmethod
    def builder() -> "KafkaSourceBuilder":
        return KafkaSourceBuilder()

    def get_produced_type(self):
        return self._deserializer.get_produced_type()

    def _is_bounded(self) -> bool:
        return self._stopping is not None

    def _default_name(self) -> str:
        return "KafkaSource"

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        return _KafkaSourceReader(self, subtask_index, parallelism)

    def _describe(self) -> str:
        what = (f"topics {self._topics}" if self._topics else
                f"topic pattern '{self._topic_pattern.pattern}'" if self._topic_pattern else
                f"partitions {sorted(p._key() for p in self._partitions)}")
        return f"KafkaSource ({what}, bootstrap.servers={self._bootstrap_servers})"


class KafkaSourceBuilder:
    """Builds a KafkaSource (KafkaSource.builder()): bootstrap servers, the topics (names, a
    pattern or partitions), a deserializer, and optionally offsets and client properties.
    With set_bounded() the source stops at the given offsets; otherwise it is unbounded.

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream.connectors.kafka import KafkaOffsetsInitializer, KafkaSource
        >>> builder = (KafkaSource.builder()
        ...            .set_bootstrap_servers("localhost:9092")
        ...            .set_topic_pattern("orders-.*")
        ...            .set_bounded(KafkaOffsetsInitializer.latest())  # what is there at the start
        ...            .set_property("fetch.min.bytes", "1"))
        >>> builder.build()
        Traceback (most recent call last):
            ...
        ValueError: KafkaSource: no deserializer: call set_value_only_deserializer() or set_deserializer()
        >>> type(builder.set_value_only_deserializer(SimpleStringSchema()).build()).__name__
        'KafkaSource'
    """

    def __init__(self):
        self._bootstrap_servers = None
        self._topics: List[str] = []
        self._topic_pattern = None
        self._partitions: Set[KafkaTopicPartition] = set()
        self._starting = KafkaOffsetsInitializer.earliest()
        self._stopping: Optional[KafkaOffsetsInitializer] = None
        self._deserializer: Optional[KafkaRecordDeserializationSchema] = None
        self._properties: Dict[str, str] = {}
        self._client_id_prefix = None

    def set_bootstrap_servers(self, bootstrap_servers: str) -> "KafkaSourceBuilder":
        self._bootstrap_servers = bootstrap_servers
        return self

    def set_topics(self, *topics: str) -> "KafkaSourceBuilder":
        if len(topics) == 1 and isinstance(topics[0], (list, tuple)):
            topics = tuple(topics[0])
        for topic in topics:
            if not isinstance(topic, str) or not topic:
                raise TypeError(f"set_topics() expects topic names, got {topic!r}")
        self._topics, self._topic_pattern, self._partitions = list(topics), None, set()
        return self

    def set_topic_pattern(self, topic_pattern: str) -> "KafkaSourceBuilder":
        """Reads every topic whose whole name matches the regular expression."""
        try:
            pattern = re.compile(topic_pattern)
        except re.error as error:
            raise ValueError(f"set_topic_pattern(): {topic_pattern!r} is not a regular expression: {error}") from None
        self._topics, self._topic_pattern, self._partitions = [], pattern, set()
        return self

    def set_partitions(self, partitions: Set[KafkaTopicPartition]) -> "KafkaSourceBuilder":
        for partition in partitions:
            if not isinstance(partition, KafkaTopicPartition):
                raise TypeError(f"set_partitions() expects KafkaTopicPartitions, got {partition!r}")
        self._topics, self._topic_pattern, self._partitions = [], None, set(partitions)
        return self

    def set_starting_offsets(self, starting_offsets_initializer: KafkaOffsetsInitializer) -> "KafkaSourceBuilder":
        self._starting = _check_initializer("set_starting_offsets", starting_offsets_initializer)
        return self

    def set_unbounded(self, stopping_offsets_initializer: KafkaOffsetsInitializer) -> "KafkaSourceBuilder":
        """Fluvial, like Flink in STREAMING mode, reads an unbounded source to these offsets and stops."""
        return self.set_bounded(stopping_offsets_initializer)

    def set_bounded(self, stopping_offsets_initializer: KafkaOffsetsInitializer) -> "KafkaSourceBuilder":
        """Reads up to these offsets (resolved when the job starts), then ends."""
        self._stopping = _check_initializer("set_bounded", stopping_offsets_initializer)
        return self

    def set_value_only_deserializer(self, deserialization_schema: DeserializationSchema) -> "KafkaSourceBuilder":
        self._deserializer = KafkaRecordDeserializationSchema.value_only(deserialization_schema)
        return self

    def set_deserializer(self, deserializer: KafkaRecordDeserializationSchema) -> "KafkaSourceBuilder":
        if not isinstance(deserializer, KafkaRecordDeserializationSchema):
            raise TypeError(f"set_deserializer() expects a KafkaRecordDeserializationSchema, got "
                            f"{type(deserializer).__name__}")
        self._deserializer = deserializer
        return self

    def set_client_id_prefix(self, prefix: str) -> "KafkaSourceBuilder":
        self._client_id_prefix = prefix
        return self

    def set_group_id(self, group_id: str) -> "KafkaSourceBuilder":
        return self.set_property("group.id", group_id)

    def set_property(self, key: str, value: str) -> "KafkaSourceBuilder":
        if key == "bootstrap.servers":
            self._bootstrap_servers = value
        self._properties[key] = str(value)
        return self

    def set_properties(self, props: Dict[str, str]) -> "KafkaSourceBuilder":
        for key, value in props.items():
            self.set_property(key, value)
        return self

    def build(self) -> KafkaSource:
        if not self._bootstrap_servers:
            raise ValueError("KafkaSource: bootstrap servers are not set: call set_bootstrap_servers()")
        if not (self._topics or self._topic_pattern or self._partitions):
            raise ValueError("KafkaSource: no topics to read: call set_topics(), set_topic_pattern() "
                             "or set_partitions()")
        if self._deserializer is None:
            raise ValueError("KafkaSource: no deserializer: call set_value_only_deserializer() or "
                             "set_deserializer()")
        return KafkaSource(self)


def _check_initializer(what: str, initializer) -> KafkaOffsetsInitializer:
    if not isinstance(initializer, KafkaOffsetsInitializer):
        raise TypeError(f"{what}() expects a KafkaOffsetsInitializer, got {type(initializer).__name__}")
    return initializer


class _KafkaSourceReader(SourceReader):
    def __init__(self, source: KafkaSource, subtask_index: int, parallelism: int):
        self._source = source
        self._subtask = subtask_index
        self._parallelism = parallelism
        properties = source._properties
        self._user_group = properties.get("group.id")
        self._timeout_ms = _request_timeout(properties)
        self._batch_size = int(properties.get("max.poll.records", 1024))
        self._auto_commit = (self._user_group is not None
                             and properties.get("enable.auto.commit", "true").lower() != "false"
                             and properties.get("commit.offsets.on.checkpoint", "true").lower() != "false")
        self._commit_interval = int(properties.get("auto.commit.interval.ms", 5000)) / 1000
        discovery = int(properties.get("partition.discovery.interval.ms", _DEFAULT_DISCOVERY_INTERVAL_MS))
        self._discovery_interval = discovery / 1000 if discovery > 0 and not source._is_bounded() else None
        self._restored: Optional[List[tuple]] = None
        self._known: Set[Tuple[str, int]] = set()
        self._stops: Dict[Tuple[str, int], int] = {}
        self._consumer = None
        self._checkpointing = False
        self._pending_commits: Dict[int, List[tuple]] = {}
        self._last_committed: Optional[List[tuple]] = None
        self._next_commit = 0.0
        self._next_discovery = 0.0
        # Watermarks per partition: every poll names each record's partition (SplitBatch).
        self._announced: Optional[Tuple[int, ...]] = None  # the active splits the engine knows
        self._source_timestamps = True  # hand the messages' timestamps to the engine
        deserializer = source._deserializer
        if isinstance(deserializer, _ValueOnly):
            schema = deserializer.schema
            # The formats' schemas expose _read (raises ValueError saying what is wrong) and
            # their ignore-parse-errors option; others are called as they are.
            self._read_value = getattr(schema, "_read", None) or schema.deserialize
            self._ignore = bool(getattr(schema, "_ignore_parse_errors", False))
            self._read_record = None
        else:
            self._read_value = None
            self._ignore = False
            self._read_record = deserializer.deserialize

    def restore_state(self, splits: List[Any]) -> None:
        self._restored = [tuple(split) for split in splits]
        self._restore_extra({tuple(split[:2]): split[4:] for split in self._restored})

    def _restore_extra(self, extras: Dict[Tuple[str, int], tuple]) -> None:
        """What a subclass appended to the split states, per partition (see _split_extra)."""

    def _split_extra(self, topic: str, partition: int) -> tuple:
        """What a subclass keeps per partition and appends to its split state."""
        return ()

    def open(self) -> None:
        source = self._source
        prefix = source._client_id_prefix or "fluvial-kafka-source"
        properties = dict(source._properties)
        properties["bootstrap.servers"] = source._bootstrap_servers
        properties.setdefault("client.id", f"{prefix}-{self._subtask}")
        # Kafka's Java consumer reads uncommitted records unless told; librdkafka would not.
        properties.setdefault("isolation.level", "read_uncommitted")
        # librdkafka needs a group to assign partitions; without the user's, it only reads.
        properties.setdefault("group.id", f"fluvial-{uuid.uuid4().hex}")
        self._consumer = _core.KafkaConsumer(_client_properties(properties))
        self._bad_records = BadRecords(self._ignore, self.metric_group.num_records_in_errors)
        if self._restored is not None:
            ranges = [split[:4] for split in self._restored]
            self._known = {(t, p) for t, p, _, _ in ranges}
            self._stops = {(t, p): s for t, p, _, s in ranges}
            self._consumer.assign(ranges)
        else:
            self._assign_new(self._discover(), source._starting)
        now = time.monotonic()
        self._next_commit = now + self._commit_interval
        if self._discovery_interval is not None:
            self._next_discovery = now + self._discovery_interval

    def _discover(self) -> List[Tuple[str, int]]:
        """This subtask's partitions among those the brokers have now."""
        source = self._source
        if source._partitions:
            candidates = sorted(p._key() for p in source._partitions)
        else:
            topics = self._consumer.list_topics(self._timeout_ms)
            if source._topics:
                for topic in source._topics:
                    if topic not in topics:
                        raise ConnectorError(f"{source._describe()}: topic '{topic}' does not exist; "
                                             f"create it first or check its name")
                names = source._topics
            else:
                names = sorted(t for t in topics if source._topic_pattern.fullmatch(t))
            candidates = [(t, p) for t in names for p in range(topics[t])]
        return [(t, p) for t, p in candidates
                if _split_owner(t, p, self._parallelism) == self._subtask and (t, p) not in self._known]

    def _assign_new(self, partitions: List[Tuple[str, int]], starting: KafkaOffsetsInitializer) -> None:
        if not partitions:
            return
        group = self._user_group
        starts = starting._resolve(self._consumer, partitions, group, self._timeout_ms)
        stopping = self._source._stopping
        stops = (stopping._resolve(self._consumer, partitions, group, self._timeout_ms)
                 if stopping is not None else [-1] * len(partitions))
        self._consumer.assign([(t, p, start, stop) for (t, p), start, stop in zip(partitions, starts, stops)])
        self._known.update(partitions)
        self._stops.update(zip(partitions, stops))

    def poll(self) -> Optional[List[Any]]:
        now = time.monotonic()
        if self._discovery_interval is not None and now >= self._next_discovery:
            self._next_discovery = now + self._discovery_interval
            # Partitions found after the start are read from their beginning, as Flink does.
            self._assign_new(self._discover(), KafkaOffsetsInitializer.earliest())
        messages = self._consumer.consume(self._batch_size, _POLL_TIMEOUT_MS)
        if self._auto_commit and not self._checkpointing and now >= self._next_commit:
            self._next_commit = now + self._commit_interval
            self._commit(self._consumer.positions())
        if len(messages) == 0:
            if self._source._stopping is not None and self._consumer.finished():
                if self._auto_commit and not self._checkpointing:
                    self._commit(self._consumer.positions())
                return None
            assigned = self._assigned_if_changed()
            return [] if assigned is None else SplitBatch([], array("i"), None, assigned)
        try:
            records, origins = self._read_messages(messages)
            return self._split_batch(messages, records, origins)
        finally:
            # Even when an error's traceback keeps this batch alive, its messages must go.
            messages.release()

    def _assigned_if_changed(self) -> Optional[List[int]]:
        """The partitions (splits) being read, if they changed since the engine last heard."""
        active = tuple(self._consumer.active_splits())
        if active == self._announced:
            return None
        self._announced = active
        return list(active)

    def _split_batch(self, messages, records: Any, origins: Optional[List[int]]) -> SplitBatch:
        """'records' with each one's partition (and message timestamp) for watermarks per
        partition; 'origins': the message index of each record, None when one per message."""
        splits = self._consumer.splits_of(messages)
        timestamps = messages.timestamps() if self._source_timestamps else None
        if origins is not None:
            splits = array("i", splits)
            splits = array("i", [splits[i] for i in origins])
            if timestamps is not None:
                timestamps = array("q", timestamps)
                timestamps = array("q", [timestamps[i] for i in origins])
        return SplitBatch(records, splits, timestamps, self._assigned_if_changed())

    def _read_messages(self, messages) -> Tuple[Any, Optional[List[int]]]:
        """The records of a non-empty batch of messages and the message index of each, None
        when there is one per message (the SQL connector reads them into record batches
        instead, fluvial/table/kafka_table.py)."""
        if self._read_value is not None:
            values = messages.values()
            try:
                return [self._read_value(value) for value in values], None
            except Exception:  # noqa: BLE001 - located and reported one by one below
                return self._deserialize_one_by_one(messages, values)
        return self._deserialize_one_by_one(messages, None)

    def _deserialize_one_by_one(self, messages, values: Optional[list]) -> Tuple[List[Any], List[int]]:
        records, origins = [], []
        items = values if values is not None else messages.records()
        for index, item in enumerate(items):
            try:
                record = (self._read_value(item) if values is not None
                          else self._read_record(KafkaRecord(*item)))
            except Exception as error:  # noqa: BLE001 - a bad record, whatever the schema raised
                topic, partition, offset = messages.location(index)
                reason = str(error) or type(error).__name__
                message = (f"KafkaSource: topic '{topic}' partition {partition} offset {offset}: "
                           f"cannot deserialize the record: {reason}")
                if values is not None:
                    message += f" (value {describe_value(item)})"
                if not self._bad_records.ignore:
                    raise ConnectorError(message) from error
                self._bad_records.reject(message)
                continue
            if record is not None:
                records.append(record)
                origins.append(index)
        return records, origins

    def _commit(self, positions: List[tuple]) -> None:
        positions = [p for p in positions if p[2] >= 0]
        if positions and positions != self._last_committed:
            self._consumer.commit(positions)
            self._last_committed = positions

    def snapshot_state(self, checkpoint_id: int) -> List[Any]:
        self._checkpointing = True
        positions = self._consumer.positions()
        state = [(t, p, o, self._stops[(t, p)]) + self._split_extra(t, p) for t, p, o in positions]
        if self._user_group is not None:
            self._pending_commits[checkpoint_id] = positions
        return state

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        positions = self._pending_commits.pop(checkpoint_id, None)
        for older in [c for c in self._pending_commits if c < checkpoint_id]:
            del self._pending_commits[older]
        if positions is not None:
            self._commit(positions)

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None


# ------------------------------------------------------------------ sink


class KafkaTopicSelector:
    """Chooses the topic of each record (set_topic_selector); a plain function works too.

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream.connectors.kafka import KafkaRecordSerializationSchema, KafkaTopicSelector
        >>> class ByRegion(KafkaTopicSelector):
        ...     def apply(self, data):
        ...         return "orders-" + data.split(":")[0]
        >>> ByRegion().apply("eu:apple")
        'orders-eu'
        >>> schema = (KafkaRecordSerializationSchema.builder()
        ...           .set_topic_selector(ByRegion())
        ...           .set_value_serialization_schema(SimpleStringSchema())
        ...           .build())
    """

    def apply(self, data: Any) -> str:
        raise NotImplementedError(f"{type(self).__name__} does not implement apply")


class FlinkKafkaPartitioner:
    """Chooses the partition of each record; open() gets the sink subtask's index and count.
    partition() receives the record, its serialized key and value, the topic and the
    topic's partitions, and returns one of them.

    Examples:
        >>> from fluvial.datastream.connectors.kafka import FlinkKafkaPartitioner
        >>> class ByLastKeyByte(FlinkKafkaPartitioner):
        ...     def partition(self, record, key, value, target_topic, partitions):
        ...         return partitions[key[-1] % len(partitions)]
        >>> partitioner = ByLastKeyByte()
        >>> partitioner.open(0, 1)
        >>> [partitioner.partition(None, key, b"", "orders", [0, 1, 2]) for key in (b"user-0", b"user-1")]
        [0, 1]
    """

    def open(self, parallel_instance_id: int, parallel_instances: int) -> None:
        pass

    def partition(self, record: Any, key: Optional[bytes], value: bytes, target_topic: str,
                  partitions: Sequence[int]) -> int:
        raise NotImplementedError(f"{type(self).__name__} does not implement partition")


class FlinkFixedPartitioner(FlinkKafkaPartitioner):
    """Each sink subtask writes to one partition: partitions[subtask % len(partitions)].

    Examples:
        >>> from fluvial.datastream.connectors.kafka import FlinkFixedPartitioner
        >>> partitioner = FlinkFixedPartitioner()
        >>> partitioner.open(4, 5)  # sink subtask 4 of 5
        >>> partitioner.partition("apple", None, b"apple", "orders", [0, 1, 2])
        1
    """

    def __init__(self):
        self._subtask = 0

    def open(self, parallel_instance_id: int, parallel_instances: int) -> None:
        self._subtask = parallel_instance_id

    def partition(self, record, key, value, target_topic, partitions) -> int:
        return partitions[self._subtask % len(partitions)]


class KafkaRecordSerializationSchema:
    """Turns a record into a Kafka message: topic (fixed or selected), value, key, partition.

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream.connectors.kafka import KafkaRecordSerializationSchema, KafkaSink
        >>> schema = (KafkaRecordSerializationSchema.builder()
        ...           .set_topic("orders")
        ...           .set_value_serialization_schema(SimpleStringSchema())
        ...           .build())
        >>> sink = KafkaSink.builder().set_bootstrap_servers("localhost:9092").set_record_serializer(schema).build()
        >>> type(sink).__name__
        'KafkaSink'
    """

    def __init__(self, builder: "KafkaRecordSerializationSchemaBuilder"):
        self._topic = builder._topic
        self._topic_selector = builder._topic_selector
        self._value_schema = builder._value_schema
        self._key_schema = builder._key_schema
        self._partitioner = builder._partitioner

    @staticmethod
    def builder() -> "KafkaRecordSerializationSchemaBuilder":
        return KafkaRecordSerializationSchemaBuilder()


class KafkaRecordSerializationSchemaBuilder:
    """Builds a KafkaRecordSerializationSchema (KafkaRecordSerializationSchema.builder()):
    a topic or topic selector and a value schema are required; the key schema (without it
    messages have no key) and the partitioner (without it Kafka's own) are optional.

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream.connectors.kafka import FlinkFixedPartitioner, KafkaRecordSerializationSchema
        >>> builder = (KafkaRecordSerializationSchema.builder()
        ...            .set_value_serialization_schema(SimpleStringSchema())
        ...            .set_key_serialization_schema(SimpleStringSchema())
        ...            .set_partitioner(FlinkFixedPartitioner()))
        >>> builder.build()
        Traceback (most recent call last):
            ...
        ValueError: KafkaRecordSerializationSchema: no topic: call set_topic() or set_topic_selector()
        >>> type(builder.set_topic("orders").build()).__name__
        'KafkaRecordSerializationSchema'
    """

    def __init__(self):
        self._topic = None
        self._topic_selector = None
        self._value_schema = None
        self._key_schema = None
        self._partitioner = None

    def set_topic(self, topic: str) -> "KafkaRecordSerializationSchemaBuilder":
        if not isinstance(topic, str) or not topic:
            raise TypeError(f"set_topic() expects a topic name, got {topic!r}")
        self._topic, self._topic_selector = topic, None
        return self

    def set_topic_selector(self, topic_selector: Union[Callable[[Any], str], KafkaTopicSelector]
                           ) -> "KafkaRecordSerializationSchemaBuilder":
        if isinstance(topic_selector, KafkaTopicSelector):
            topic_selector = topic_selector.apply
        if not callable(topic_selector):
            raise TypeError(f"set_topic_selector() expects a callable or KafkaTopicSelector, got {topic_selector!r}")
        self._topic, self._topic_selector = None, topic_selector
        return self

    def set_key_serialization_schema(self, key_serialization_schema: SerializationSchema
                                     ) -> "KafkaRecordSerializationSchemaBuilder":
        self._key_schema = _check_serializer("set_key_serialization_schema", key_serialization_schema)
        return self

    def set_value_serialization_schema(self, value_serialization_schema: SerializationSchema
                                       ) -> "KafkaRecordSerializationSchemaBuilder":
        self._value_schema = _check_serializer("set_value_serialization_schema", value_serialization_schema)
        return self

    def set_partitioner(self, partitioner: FlinkKafkaPartitioner) -> "KafkaRecordSerializationSchemaBuilder":
        """Fluvial extra from Flink's Java builder: choose each record's partition."""
        if not isinstance(partitioner, FlinkKafkaPartitioner):
            raise TypeError(f"set_partitioner() expects a FlinkKafkaPartitioner, got {type(partitioner).__name__}")
        self._partitioner = partitioner
        return self

    def build(self) -> KafkaRecordSerializationSchema:
        if self._topic is None and self._topic_selector is None:
            raise ValueError("KafkaRecordSerializationSchema: no topic: call set_topic() or set_topic_selector()")
        if self._value_schema is None:
            raise ValueError("KafkaRecordSerializationSchema: no value serialization schema: call "
                             "set_value_serialization_schema()")
        return KafkaRecordSerializationSchema(self)


def _check_serializer(what: str, schema) -> SerializationSchema:
    if not isinstance(schema, SerializationSchema):
        raise TypeError(f"{what}() expects a SerializationSchema, got {type(schema).__name__}")
    return schema


class KafkaSink(Sink):
    """Writes records to Kafka; see KafkaSink.builder(). The brokers are contacted when
    the job runs (stream.sink_to(sink) then execute()), not when it is built.

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream import Sink
        >>> from fluvial.datastream.connectors import DeliveryGuarantee
        >>> from fluvial.datastream.connectors.kafka import KafkaRecordSerializationSchema, KafkaSink
        >>> sink = (KafkaSink.builder()
        ...         .set_bootstrap_servers("localhost:9092")
        ...         .set_record_serializer(KafkaRecordSerializationSchema.builder()
        ...                                .set_topic("orders")
        ...                                .set_value_serialization_schema(SimpleStringSchema())
        ...                                .build())
        ...         .set_delivery_guarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        ...         .build())
        >>> isinstance(sink, Sink)
        True
    """

    def __init__(self, builder: "KafkaSinkBuilder"):
        self._bootstrap_servers = builder._bootstrap_servers
        self._guarantee = builder._guarantee
        self._transactional_id_prefix = builder._transactional_id_prefix
        self._serializer = builder._serializer
        self._properties = dict(builder._properties)

    @staticmethod
    def builder() -> "KafkaSinkBuilder":
        return KafkaSinkBuilder()

    def _default_name(self) -> str:
        return "KafkaSink"

    def _create_writer(self, subtask_index: int, parallelism: int) -> SinkWriter:
        return _KafkaSinkWriter(self, subtask_index, parallelism)


class KafkaSinkBuilder:
    """Builds a KafkaSink (KafkaSink.builder()): bootstrap servers and a record serializer
    are required; the delivery guarantee is NONE unless set, and EXACTLY_ONCE (Kafka
    transactions) also needs a transactional id prefix.

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream.connectors import DeliveryGuarantee
        >>> from fluvial.datastream.connectors.kafka import KafkaRecordSerializationSchema, KafkaSink
        >>> serializer = (KafkaRecordSerializationSchema.builder()
        ...               .set_topic("orders")
        ...               .set_value_serialization_schema(SimpleStringSchema())
        ...               .build())
        >>> builder = (KafkaSink.builder()
        ...            .set_bootstrap_servers("localhost:9092")
        ...            .set_record_serializer(serializer)
        ...            .set_delivery_guarantee(DeliveryGuarantee.EXACTLY_ONCE))
        >>> builder.build()
        Traceback (most recent call last):
            ...
        ValueError: KafkaSink: EXACTLY_ONCE needs a transactional id prefix: call set_transactional_id_prefix()
        >>> type(builder.set_transactional_id_prefix("orders-job").build()).__name__
        'KafkaSink'
    """

    def __init__(self):
        self._bootstrap_servers = None
        self._guarantee = DeliveryGuarantee.NONE
        self._transactional_id_prefix = None
        self._serializer = None
        self._properties: Dict[str, str] = {}

    def set_bootstrap_servers(self, bootstrap_servers: str) -> "KafkaSinkBuilder":
        self._bootstrap_servers = bootstrap_servers
        return self

    def set_delivery_guarantee(self, delivery_guarantee: DeliveryGuarantee) -> "KafkaSinkBuilder":
        if not isinstance(delivery_guarantee, DeliveryGuarantee):
            raise TypeError(f"set_delivery_guarantee() expects a DeliveryGuarantee, got {delivery_guarantee!r}")
        self._guarantee = delivery_guarantee
        return self

    def set_transactional_id_prefix(self, transactional_id_prefix: str) -> "KafkaSinkBuilder":
        self._transactional_id_prefix = transactional_id_prefix
        return self

    def set_record_serializer(self, record_serializer: KafkaRecordSerializationSchema) -> "KafkaSinkBuilder":
        if not isinstance(record_serializer, KafkaRecordSerializationSchema):
            raise TypeError(f"set_record_serializer() expects a KafkaRecordSerializationSchema, got "
                            f"{type(record_serializer).__name__}")
        self._serializer = record_serializer
        return self

    def set_property(self, key: str, value: str) -> "KafkaSinkBuilder":
        if key == "bootstrap.servers":
            self._bootstrap_servers = value
        self._properties[key] = str(value)
        return self

    def build(self) -> KafkaSink:
        if not self._bootstrap_servers:
            raise ValueError("KafkaSink: bootstrap servers are not set: call set_bootstrap_servers()")
        if self._serializer is None:
            raise ValueError("KafkaSink: no record serializer: call set_record_serializer()")
        if self._guarantee is DeliveryGuarantee.EXACTLY_ONCE and not self._transactional_id_prefix:
            raise ValueError("KafkaSink: EXACTLY_ONCE needs a transactional id prefix: call "
                             "set_transactional_id_prefix()")
        return KafkaSink(self)


class _Transaction:
    """An EXACTLY_ONCE writer's transaction: its producer, and the log of what it sent (the
    records as sent: topic, values, keys, partitions, timestamps per batch), kept until it
    commits so a checkpoint holds them. 'token' is the offset its commit marker carries."""

    __slots__ = ("producer", "log", "token", "marker")

    def __init__(self, producer):
        self.producer = producer
        self.log: List[tuple] = []
        self.token = uuid.uuid4().int % (2 ** 62) + 1  # never repeats, even if 'random' is seeded
        self.marker: Optional[Tuple[str, int]] = None  # (topic, partition) of the marker offset

    def entry(self, checkpoint_id: int) -> Dict[str, Any]:
        return {"id": self.producer.transactional_id, "checkpoint_id": checkpoint_id,
                "token": self.token, "marker": self.marker, "records": self.log}


def _marker_group(prefix: str, subtask: int) -> str:
    """The consumer group whose committed offsets are the commit markers of the
    transactions of subtask 'subtask' of the sink with transactional id prefix 'prefix'."""
    return f"{prefix}-{subtask}-commits"


class _KafkaSinkWriter(SinkWriter):
    def __init__(self, sink: KafkaSink, subtask_index: int, parallelism: int):
        self._sink = sink
        self._subtask = subtask_index
        self._parallelism = parallelism
        self._timeout_ms = _request_timeout(sink._properties)
        serializer = sink._serializer
        self._topic = serializer._topic
        self._select_topic = serializer._topic_selector
        self._serialize_value = serializer._value_schema.serialize
        self._serialize_key = serializer._key_schema.serialize if serializer._key_schema else None
        self._partitioner = serializer._partitioner
        self._exactly_once = sink._guarantee is DeliveryGuarantee.EXACTLY_ONCE
        self._two_phase = False  # set when the job checkpoints: commits wait for checkpoints
        self._producer = None
        self._open: Optional[_Transaction] = None  # EXACTLY_ONCE: the transaction being written
        self._prepared: Dict[int, _Transaction] = {}  # checkpoint id -> its pre-committed transaction
        self._transaction = 1  # the checkpoint the open transaction belongs to
        self._partitions: Dict[str, List[int]] = {}
        self._finished = False

    def _enable_two_phase_commit(self, attempt: str) -> None:
        """Called when the job checkpoints: finish() then only flushes, and the final
        checkpoint's notification commits the last transaction (as every other one)."""
        self._two_phase = True

    def _properties(self, transactional_id: Optional[str] = None) -> List[Tuple[str, str]]:
        properties = dict(self._sink._properties)
        properties["bootstrap.servers"] = self._sink._bootstrap_servers
        if self._sink._guarantee is not DeliveryGuarantee.NONE:
            properties.setdefault("acks", "all")
            # As Kafka's Java client (3.0+): retries never reorder or duplicate a partition's records.
            properties.setdefault("enable.idempotence", "true")
        if transactional_id is not None:
            properties["transactional.id"] = transactional_id
            # The broker's transaction.max.timeout.ms default: a transaction lives one checkpoint.
            properties.setdefault("transaction.timeout.ms", "900000")
        return _client_properties(properties)

    def _transactional_id(self, checkpoint: int) -> str:
        return f"{self._sink._transactional_id_prefix}-{self._subtask}-{checkpoint}"

    def _initialised(self, transactional_id: str):
        """A producer for 'transactional_id', initialised: any transaction the id left open
        is aborted (one being committed is completed first), and older producers fenced."""
        producer = _core.KafkaProducer(self._properties(transactional_id))
        producer.init_transactions(self._timeout_ms)
        return producer

    def _begin(self) -> _Transaction:
        producer = self._initialised(self._transactional_id(self._transaction))
        # A new producer learns a topic's partitions before its first transactional send;
        # otherwise librdkafka registers the partitions with the transaction only after
        # a 1 s retry, and every checkpoint's flush would wait for it.
        for topic in [self._topic] if self._topic is not None else list(self._partitions):
            producer.partition_count(topic, self._timeout_ms)
        producer.begin_transaction()
        return _Transaction(producer)

    def restore_state(self, state: Any) -> None:
        states = state if isinstance(state, list) else [state]
        newest = self._transaction - 1
        for entry in states:
            if not entry:
                continue
            prefix, subtask, checkpoint = entry["prefix"], entry["subtask"], entry["checkpoint_id"]
            # Transactions newer than the checkpoint were never part of a complete one:
            # initialising their ids aborts them, first, so none is open when the commit
            # markers are read. (Pending ones without a log, as in states written before
            # the log existed, can only be aborted too.)
            logged = {transaction["id"] for transaction in entry.get("transactions", [])}
            ids = [i for i in entry["pending"] if i not in logged] + [
                f"{prefix}-{subtask}-{checkpoint + n}" for n in range(1, _ABORT_LOOKAHEAD + 1)]
            for transactional_id in ids:
                self._initialised(transactional_id)
            self._recover(prefix, subtask, entry.get("transactions", []))
            newest = max(newest, checkpoint)
        self._transaction = newest + 1

    def _recover(self, prefix: str, subtask: int, transactions: List[Dict[str, Any]]) -> None:
        """Finishes the pre-committed transactions of a restored (complete) checkpoint, oldest
        first. librdkafka cannot commit a transaction prepared by another producer: a new
        producer initialising its id aborts it instead. So each transaction carries a commit
        marker, an offset of a consumer group committed inside it (it is visible if and only
        if the transaction committed); those found committed are left alone, the others are
        written again from the checkpoint's log in a new transaction (with the same marker)
        and committed."""
        if not transactions:
            return
        transactions = sorted(transactions, key=lambda t: t["checkpoint_id"])
        # Initialising each id settles its transaction: an open one is aborted, one whose
        # commit had begun is completed. Only then are the markers final.
        producers = [self._initialised(t["id"]) for t in transactions]
        group = _marker_group(prefix, subtask)
        markers = sorted({tuple(t["marker"]) for t in transactions if t["marker"]})
        found: Dict[Tuple[str, int], int] = {}
        if markers:
            # Committed offsets only, not those of transactions still open (of which there
            # should be none): only the pending transactions, settled above, can move them.
            consumer = _core.KafkaConsumer(_client_properties({
                **self._sink._properties, "bootstrap.servers": self._sink._bootstrap_servers,
                "group.id": group, "isolation.level": "read_uncommitted"}))
            try:
                found = {(topic, partition): offset for topic, partition, offset in
                         consumer.committed([(t, p, -1001) for t, p in markers], self._timeout_ms)}
            finally:
                consumer.close()
        # A lineage commits its transactions in checkpoint order and each commit moves its
        # marker, so the newest transaction whose marker is in place and every older one
        # are committed; the rest are not.
        committed = -1
        for index, transaction in enumerate(transactions):
            marker = transaction["marker"]
            if marker and found.get(tuple(marker)) == transaction["token"]:
                committed = index
        for index, (transaction, producer) in enumerate(zip(transactions, producers)):
            if index <= committed or not transaction["records"]:
                continue
            _log.warning("KafkaSink: writing the %d batches of transaction %s of checkpoint %d again",
                      len(transaction["records"]), transaction["id"], transaction["checkpoint_id"])
            for topic in sorted({batch[0] for batch in transaction["records"]}):
                producer.partition_count(topic, self._timeout_ms)  # as in _begin
            producer.begin_transaction()
            for topic, values, keys, partitions, timestamps in transaction["records"]:
                producer.send(topic, values, keys, partitions, timestamps)
            producer.flush(self._timeout_ms)
            topic, partition = transaction["marker"]
            producer.send_offsets_to_transaction([(topic, partition, transaction["token"])], group,
                                                 self._timeout_ms)
            producer.commit_transaction(self._timeout_ms)
            fault_point("kafka-sink-recommit")

    def open(self) -> None:
        if self._exactly_once:
            self._open = self._begin()
            self._producer = self._open.producer
        else:
            self._producer = _core.KafkaProducer(self._properties())
        if self._partitioner is not None:
            self._partitioner.open(self._subtask, self._parallelism)

    def _partitions_of(self, topic: str) -> List[int]:
        partitions = self._partitions.get(topic)
        if partitions is None:
            count = self._producer.partition_count(topic, self._timeout_ms)
            partitions = self._partitions[topic] = list(range(count))
        return partitions

    def _send(self, topic: str, values: list, keys: Optional[list], partitions: Optional[list]) -> None:
        transaction = self._open
        if transaction is None:
            self._producer.send(topic, values, keys, partitions)
            return
        # Explicit timestamps, so that a transaction written again is the same records.
        now = int(time.time() * 1000)
        timestamps = [now] * len(values)
        self._producer.send(topic, values, keys, partitions, timestamps)
        transaction.log.append((topic, values, keys, partitions, timestamps))
        if transaction.marker is None:
            transaction.marker = (topic, 0)

    def write(self, records: List[Any]) -> None:
        serialize_value, serialize_key = self._serialize_value, self._serialize_key
        if self._topic is not None and serialize_key is None and self._partitioner is None:
            try:
                values = [serialize_value(record) for record in records]
            except Exception:  # noqa: BLE001 - find the record below, to name it
                values = self._serialize_each(records)
            self._send(self._topic, values, None, None)
            return
        by_topic: Dict[str, Tuple[list, list, list]] = {}
        for record in records:
            topic = self._topic or self._select(record)
            value, key = self._serialize_one(record, topic)
            partition = -1
            if self._partitioner is not None:
                partition = self._partitioner.partition(record, key, value, topic, self._partitions_of(topic))
            columns = by_topic.setdefault(topic, ([], [], []))
            columns[0].append(value)
            columns[1].append(key)
            columns[2].append(partition)
        for topic, (values, keys, partitions) in by_topic.items():
            self._send(topic, values, keys if serialize_key else None,
                       partitions if self._partitioner is not None else None)

    def _select(self, record: Any) -> str:
        topic = self._select_topic(record)
        if not isinstance(topic, str) or not topic:
            raise ConnectorError(f"KafkaSink: the topic selector returned {topic!r} for record "
                                 f"{describe_value(record)}; expected a topic name")
        if topic not in self._partitions and self._exactly_once:
            self._partitions_of(topic)  # known to the next transaction's producer (_begin)
        return topic

    def _serialize_each(self, records: List[Any]) -> List[bytes]:
        return [self._serialize_one(record, self._topic)[0] for record in records]

    def _serialize_one(self, record: Any, topic: str) -> Tuple[bytes, Optional[bytes]]:
        try:
            value = self._serialize_value(record)
            key = self._serialize_key(record) if self._serialize_key is not None else None
        except Exception as error:  # noqa: BLE001 - named with the record and topic
            raise ConnectorError(f"KafkaSink (topic '{topic}'): cannot serialize record "
                                 f"{describe_value(record)}: {error}") from error
        return value, key

    def snapshot_state(self, checkpoint_id: int) -> Any:
        if self._sink._guarantee is DeliveryGuarantee.NONE:
            return None
        self._producer.flush(self._timeout_ms)
        if not self._exactly_once:
            return None
        transaction = self._open
        if transaction.marker is not None:
            transaction.producer.send_offsets_to_transaction(
                [(*transaction.marker, transaction.token)],
                _marker_group(self._sink._transactional_id_prefix, self._subtask), self._timeout_ms)
        self._prepared[checkpoint_id] = transaction
        if checkpoint_id == FINAL_CHECKPOINT_ID:
            self._open = self._producer = None  # the input has ended: nothing more to write
        else:
            self._transaction = checkpoint_id + 1
            self._open = self._begin()
            self._producer = self._open.producer
        # The log of every transaction not committed yet: recovery commits them from it.
        return {"prefix": self._sink._transactional_id_prefix, "subtask": self._subtask,
                "checkpoint_id": checkpoint_id,
                "pending": [t.producer.transactional_id for _, t in sorted(self._prepared.items())],
                "transactions": [t.entry(c) for c, t in sorted(self._prepared.items())]}

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        for checkpoint in sorted(c for c in self._prepared if c <= checkpoint_id):
            self._prepared.pop(checkpoint).producer.commit_transaction(self._timeout_ms)
            fault_point("kafka-sink-commit")

    def finish(self) -> None:
        self._producer.flush(self._timeout_ms)
        if not self._exactly_once or self._two_phase:
            return  # with checkpoints, the final checkpoint commits what is left
        # A bounded job without checkpoints: what it wrote commits when its input ends.
        self.notify_checkpoint_complete(max(self._prepared, default=0))
        self._producer.commit_transaction(self._timeout_ms)
        self._finished = True

    def close(self) -> None:
        producers = [t.producer for t in self._prepared.values()]
        if self._producer is not None:
            producers.insert(0, self._producer)
        self._producer, self._open, self._prepared = None, None, {}
        if self._exactly_once and not self._finished:
            for producer in producers:
                try:
                    producer.abort_transaction(5000)
                except ConnectorError as error:
                    _log.warning("KafkaSink: aborting transaction %s failed: %s",
                                 producer.transactional_id, error)


# The legacy API (FlinkKafkaConsumer/Producer) adapts the classes above; imported last.
from fluvial.datastream.connectors._kafka_legacy import FlinkKafkaConsumer, FlinkKafkaProducer, Semantic  # noqa: E402
