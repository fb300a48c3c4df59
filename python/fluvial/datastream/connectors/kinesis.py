"""Amazon Kinesis Data Streams (PyFlink's pyflink.datastream.connectors.kinesis) on boto3.

The source, FlinkKinesisConsumer, reads shards as splits. Like Flink's consumer it keeps its
shards' sequence numbers in union list state (snapshot_union_state): on recovery every
subtask sees every shard's position and takes those it owns, so a shard is read by exactly
one subtask whatever the old and new parallelism. A shard's owner is a hash of the oldest
ancestor this reader knows (ParentShardId chain), so a shard split in two is read by the
subtask that read its parent, after the parent's last record: parents before children. A
merge's second parent (AdjacentParentShardId) may be read by another subtask; the child
then waits only for its first parent. Shards are listed again every
'flink.shard.discovery.intervalmillis' (10 s); new ones are read from TRIM_HORIZON.

The sink, KinesisStreamsSink, buffers records and sends them with PutRecords (at most
'max_batch_size' ≤ 500 records and 5 MiB per call), sends again, with backoff, the entries
a partial failure names, and flushes at every checkpoint barrier: at-least-once (a replay
after a failure writes the records since the last checkpoint again).

Not here: enhanced fan-out (EFO, SubscribeToShard) and the KinesisFirehoseSink.
"""

import random
import time
import uuid
import zlib
from array import array
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from fluvial.common.serialization import DeserializationSchema, SerializationSchema
from fluvial.datastream.connectors._kinesis_client import (
    is_throttling,
    kinesis_client,
    list_shards,
    server_error,
)
from fluvial.datastream.connectors.base import Sink, SinkWriter, Source, SourceReader, SplitBatch
from fluvial.datastream.formats._bad_records import BadRecords, describe_value
from fluvial.datastream.functions import SourceFunction
from fluvial.errors import ConnectorError

__all__ = [
    "FlinkKinesisConsumer",
    "KinesisDeserializationSchema",
    "KinesisStreamsSink",
    "KinesisStreamsSinkBuilder",
    "PartitionKeyGenerator",
]

_INITIAL_POSITIONS = ("LATEST", "TRIM_HORIZON", "AT_TIMESTAMP")
_MAX_PUT_RECORDS = 500
_MAX_PUT_BYTES = 5 * 1024 * 1024
_MAX_RECORD_BYTES = 1024 * 1024
_SEND_ATTEMPTS = 10


class KinesisDeserializationSchema:
    """Turns a Kinesis record into a value, seeing where it comes from (Flink's
    KinesisDeserializationSchema.deserialize(recordValue, partitionKey, seqNum,
    approxArrivalTimestamp, stream, shardId)).

    Examples:
        >>> from fluvial.datastream.connectors.kinesis import KinesisDeserializationSchema
        >>> class WithShard(KinesisDeserializationSchema):
        ...     def deserialize(self, record_value, partition_key, seq_num, approx_arrival_timestamp,
        ...                     stream, shard_id):
        ...         return (shard_id, record_value.decode())
        >>> WithShard().deserialize(b"hi", "k", "4954", 0, "orders", "shardId-000000000000")
        ('shardId-000000000000', 'hi')
    """

    def deserialize(self, record_value: bytes, partition_key: str, seq_num: str,
                    approx_arrival_timestamp: int, stream: str, shard_id: str) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement deserialize()")


class FlinkKinesisConsumer(Source, SourceFunction):
    """Reads Kinesis streams; each subtask reads some of the shards (see the module's notes).

    Properties (Flink's names): 'aws.region' (required), 'aws.endpoint',
    'aws.credentials.provider.basic.accesskeyid' / '.secretkey', 'flink.stream.initpos'
    (LATEST, the default, TRIM_HORIZON or AT_TIMESTAMP with 'flink.stream.initpos.timestamp'
    in seconds since the epoch), 'flink.shard.discovery.intervalmillis',
    'flink.shard.getrecords.maxrecordcount', 'flink.shard.getrecords.intervalmillis'.
    Fluvial's own 'fluvial.stream.stop-at-latest' = 'true' makes the source bounded: each
    shard ends once a read finds nothing newer.

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream.connectors.kinesis import FlinkKinesisConsumer
        >>> consumer = FlinkKinesisConsumer("orders", SimpleStringSchema(),
        ...                                 {"aws.region": "us-east-1", "flink.stream.initpos": "TRIM_HORIZON"})
        >>> consumer._streams, consumer._is_bounded()
        (['orders'], False)
        >>> FlinkKinesisConsumer("orders", SimpleStringSchema(), {"aws.region": "us-east-1",
        ...                      "flink.stream.initpos": "EARLIEST"})
        Traceback (most recent call last):
            ...
        fluvial.errors.ConnectorError: 'flink.stream.initpos' must be LATEST, TRIM_HORIZON or AT_TIMESTAMP, got ...
    """

    def __init__(self, streams: Union[str, List[str]],
                 deserializer: Union[DeserializationSchema, KinesisDeserializationSchema],
                 config_props: Dict[str, str]):
        self._streams = [streams] if isinstance(streams, str) else list(streams)
        if not self._streams or not all(isinstance(s, str) and s for s in self._streams):
            raise ConnectorError(f"FlinkKinesisConsumer needs stream names, got {streams!r}")
        if not isinstance(deserializer, (DeserializationSchema, KinesisDeserializationSchema)):
            raise TypeError(f"FlinkKinesisConsumer expects a DeserializationSchema or a "
                            f"KinesisDeserializationSchema, got {type(deserializer).__name__}")
        self._deserializer = deserializer
        self._properties = {str(k): str(v) for k, v in dict(config_props).items()}
        position = self._properties.get("flink.stream.initpos", "LATEST").upper()
        if position not in _INITIAL_POSITIONS:
            raise ConnectorError(f"'flink.stream.initpos' must be LATEST, TRIM_HORIZON or AT_TIMESTAMP, "
                                 f"got {self._properties['flink.stream.initpos']!r}")
        self._initial: Tuple[str, ...] = (position,)
        if position == "AT_TIMESTAMP":
            self._initial = (position, _initial_timestamp(self._properties.get("flink.stream.initpos.timestamp")))
        self._discovery_s = int(self._properties.get("flink.shard.discovery.intervalmillis", 10000)) / 1000
        self._max_records = int(self._properties.get("flink.shard.getrecords.maxrecordcount", 10000))
        self._fetch_interval_s = int(self._properties.get("flink.shard.getrecords.intervalmillis", 200)) / 1000
        self._stop_at_latest = self._properties.get("fluvial.stream.stop-at-latest", "false").lower() == "true"

    def set_shard_assigner(self, shard_assigner: Any) -> "FlinkKinesisConsumer":
        from fluvial.errors import UnsupportedFeatureError

        raise UnsupportedFeatureError("FlinkKinesisConsumer.set_shard_assigner: Fluvial assigns a shard to the "
                                      "subtask of its oldest known ancestor (parents before children)")

    def _is_bounded(self) -> bool:
        return self._stop_at_latest

    def _default_name(self) -> str:
        return "FlinkKinesisConsumer"

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        return _KinesisShardReader(self, subtask_index, parallelism)

    def _decode(self) -> Callable[[dict, str, str], Any]:
        """record, stream, shard -> value, with the schema the user gave."""
        deserializer = self._deserializer
        if isinstance(deserializer, KinesisDeserializationSchema):
            return lambda r, stream, shard: deserializer.deserialize(
                r["Data"], r.get("PartitionKey"), r["SequenceNumber"], _millis(r), stream, shard)
        read = getattr(deserializer, "_read", None) or deserializer.deserialize
        return lambda r, stream, shard: read(r["Data"])


def _initial_timestamp(text: Optional[str]) -> float:
    """Seconds since the epoch, from seconds (e.g. '1700000000.5') or an ISO-8601 time with its
    offset (Flink's default format, yyyy-MM-dd'T'HH:mm:ss.SSSXXX)."""
    from datetime import datetime

    try:
        return float(text)
    except (TypeError, ValueError):
        pass
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            return moment.timestamp()
    except (TypeError, ValueError):
        pass
    raise ConnectorError(f"'flink.stream.initpos' = 'AT_TIMESTAMP' needs 'flink.stream.initpos.timestamp': "
                         f"seconds since the epoch or a time with its offset (2024-01-31T12:00:00.000+00:00), "
                         f"got {text!r}")


def _millis(record: dict) -> int:
    stamp = record.get("ApproximateArrivalTimestamp")
    return int(stamp.timestamp() * 1000) if stamp is not None else 0


class _Shard:
    """One shard being read: its position ('seq', n) after record n, ('start', kind[, time])
    before the first, ('end',) once read to its end; its iterator is not checkpointed."""

    __slots__ = ("stream", "shard_id", "parents", "position", "iterator", "split", "next_fetch", "closed")

    def __init__(self, stream: str, shard_id: str, parents: Tuple[Optional[str], Optional[str]],
                 position: tuple, split: int):
        self.stream, self.shard_id, self.parents = stream, shard_id, parents
        self.position, self.split = tuple(position), split
        self.iterator: Optional[str] = None
        self.next_fetch = 0.0
        self.closed = False  # listed with an EndingSequenceNumber: no record will be added

    def where(self) -> str:
        return f"stream '{self.stream}' shard '{self.shard_id}'"


class _KinesisShardReader(SourceReader):
    def __init__(self, source: FlinkKinesisConsumer, subtask_index: int, parallelism: int):
        self._source = source
        self._subtask, self._parallelism = subtask_index, parallelism
        self._shards: Dict[Tuple[str, str], _Shard] = {}
        self._lineage: Dict[Tuple[str, str], Optional[str]] = {}  # shard -> its first parent
        self._restored: Optional[List[tuple]] = None
        self._client = None
        self._next_discovery = 0.0
        self._announced: Optional[List[int]] = None
        self._deserialize = source._decode()

    # -- checkpoints: every shard's position, for every subtask (union list state)

    def snapshot_union_state(self, checkpoint_id: int) -> List[Any]:
        return [(s.stream, s.shard_id, s.parents[0], s.parents[1], s.position) for s in self._shards.values()]

    def restore_union_state(self, items: List[Any]) -> None:
        self._restored = [tuple(item) for item in items]

    # -- which shards are this subtask's

    def _owner(self, stream: str, shard_id: str) -> int:
        root, seen = shard_id, set()
        while self._lineage.get((stream, root)) and root not in seen:
            seen.add(root)
            root = self._lineage[(stream, root)]
        return zlib.crc32(f"{stream}/{root}".encode()) % self._parallelism

    def _take(self, stream: str, shard_id: str, parents: tuple, position: tuple) -> None:
        if (stream, shard_id) in self._shards or self._owner(stream, shard_id) != self._subtask:
            return
        self._shards[(stream, shard_id)] = _Shard(stream, shard_id, parents, position, len(self._shards))

    def open(self) -> None:
        source = self._source
        self._client = kinesis_client(source._properties)
        self._bad_records = BadRecords(bool(getattr(source._deserializer, "_ignore_parse_errors", False)),
                                       self.metric_group.num_records_in_errors)
        for stream, shard_id, parent, _, _ in self._restored or []:
            self._lineage[(stream, shard_id)] = parent
        listed = self._list()
        for stream, shard_id, parent, adjacent, position in self._restored or []:
            self._take(stream, shard_id, (parent, adjacent), position)
        # At the first start, the initial position; shards found since a checkpoint: their start.
        initial = source._initial if self._restored is None else ("TRIM_HORIZON",)
        self._add_listed(listed, initial)
        self._next_discovery = time.monotonic() + source._discovery_s

    def _list(self) -> List[Tuple[str, dict]]:
        listed = [(stream, shard) for stream in self._source._streams for shard in list_shards(self._client, stream)]
        for stream, shard in listed:
            self._lineage.setdefault((stream, shard["ShardId"]), shard.get("ParentShardId"))
        return listed

    def _add_listed(self, listed: List[Tuple[str, dict]], initial: tuple) -> None:
        for stream, shard in listed:
            parents = (shard.get("ParentShardId"), shard.get("AdjacentParentShardId"))
            # A child of a shard we know is read from its start, after its parents.
            known_parent = any((stream, p) in self._lineage for p in parents if p)
            self._take(stream, shard["ShardId"], parents, ("TRIM_HORIZON",) if known_parent else initial)
            state = self._shards.get((stream, shard["ShardId"]))
            if state is not None and "EndingSequenceNumber" in shard.get("SequenceNumberRange", {}):
                state.closed = True

    def _parents_done(self, shard: _Shard) -> bool:
        for parent in shard.parents:
            state = self._shards.get((shard.stream, parent)) if parent else None
            if state is not None and state.position[0] != "end":
                return False
        return True

    # -- reading

    def _iterator(self, shard: _Shard) -> str:
        position = shard.position
        arguments: Dict[str, Any] = {"StreamName": shard.stream, "ShardId": shard.shard_id}
        if position[0] == "seq":
            arguments.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=position[1])
        elif position[0] == "AT_TIMESTAMP":
            arguments.update(ShardIteratorType="AT_TIMESTAMP", Timestamp=position[1])
        else:
            arguments.update(ShardIteratorType=position[0])
        try:
            return self._client.get_shard_iterator(**arguments)["ShardIterator"]
        except Exception as error:  # noqa: BLE001 - botocore's errors, with the server's message
            raise server_error(f"GetShardIterator on {shard.where()}", error) from error

    def _get_records(self, shard: _Shard) -> Optional[dict]:
        if shard.iterator is None:
            shard.iterator = self._iterator(shard)
        try:
            return self._client.get_records(ShardIterator=shard.iterator, Limit=self._source._max_records)
        except Exception as error:  # noqa: BLE001 - retried when throttled or expired, else reported
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code == "ExpiredIteratorException" or is_throttling(error):
                shard.iterator = None
                shard.next_fetch = time.monotonic() + self._source._fetch_interval_s
                return None
            raise server_error(f"GetRecords on {shard.where()}", error) from error

    def poll(self) -> Any:
        source = self._source
        now = time.monotonic()
        if now >= self._next_discovery:
            self._next_discovery = now + source._discovery_s
            self._add_listed(self._list(), ("TRIM_HORIZON",))
        records: List[Any] = []
        splits, stamps = array("i"), array("q")
        waiting = True
        for shard in list(self._shards.values()):
            if shard.position[0] == "end" or now < shard.next_fetch or not self._parents_done(shard):
                continue
            waiting = False
            response = self._get_records(shard)
            if response is None:
                continue
            for record in response["Records"]:
                value = self._read(record, shard)
                shard.position = ("seq", record["SequenceNumber"])
                if value is not None:
                    records.append(value)
                    splits.append(shard.split)
                    stamps.append(_millis(record))
            shard.iterator = response.get("NextShardIterator")
            caught_up = not response["Records"] and response.get("MillisBehindLatest", 0) == 0
            # The end of a shard: no next iterator (Kinesis), or closed and read to its last
            # record (an emulator may go on handing out iterators of a closed shard).
            if shard.iterator is None or (caught_up and (shard.closed or source._stop_at_latest)):
                shard.position, shard.iterator = ("end",), None
            elif not response["Records"]:
                shard.next_fetch = now + source._fetch_interval_s
            if len(records) >= source._max_records:
                break
        active = [s.split for s in self._shards.values() if s.position[0] != "end"]
        if source._stop_at_latest and not active and not records:
            return None
        assigned = None if active == self._announced else active
        self._announced = active
        if not records and waiting:
            time.sleep(min(0.05, source._fetch_interval_s))
        if not records and assigned is None:
            return []
        return SplitBatch(records, splits, stamps, assigned)

    def _read(self, record: dict, shard: _Shard) -> Any:
        try:
            return self._deserialize(record, shard.stream, shard.shard_id)
        except Exception as error:  # noqa: BLE001 - a bad record, whatever the schema raised
            reason = str(error) or type(error).__name__
            message = (f"FlinkKinesisConsumer: {shard.where()} sequence number {record['SequenceNumber']}: "
                       f"cannot deserialize the record: {reason} (value {describe_value(record['Data'])})")
            if not self._bad_records.ignore:
                raise ConnectorError(message) from error
            self._bad_records.reject(message)
            return None

    def close(self) -> None:
        self._client = None


# ---- the sink --------------------------------------------------------------------------


class PartitionKeyGenerator:
    """The partition key of each record written (Kinesis hashes it to choose the shard).

    Examples:
        >>> from fluvial.datastream.connectors.kinesis import PartitionKeyGenerator
        >>> PartitionKeyGenerator.fixed()._key("any record", subtask=3)
        '3'
        >>> len(PartitionKeyGenerator.random()._key("any record", subtask=0))
        36
    """

    def __init__(self, function: Callable[[Any, int], str], name: str):
        self._function, self._name = function, name

    @staticmethod
    def fixed() -> "PartitionKeyGenerator":
        """The writing subtask's index: each subtask's records go to one shard."""
        return PartitionKeyGenerator(lambda record, subtask: str(subtask), "fixed")

    @staticmethod
    def random() -> "PartitionKeyGenerator":
        """A random key per record: records spread over all shards."""
        return PartitionKeyGenerator(lambda record, subtask: str(uuid.uuid4()), "random")

    def _key(self, record: Any, subtask: int) -> str:
        return self._function(record, subtask)

    def __repr__(self) -> str:
        return f"PartitionKeyGenerator.{self._name}()"


class KinesisStreamsSink(Sink):
    """Writes to a Kinesis stream with PutRecords; at-least-once (see the module's notes).

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream.connectors.kinesis import KinesisStreamsSink, PartitionKeyGenerator
        >>> sink = KinesisStreamsSink.builder().set_kinesis_client_properties({"aws.region": "us-east-1"}) \\
        ...     .set_stream_name("orders").set_serialization_schema(SimpleStringSchema()) \\
        ...     .set_partition_key_generator(PartitionKeyGenerator.random()).build()
        >>> sink._stream, sink._max_batch_size
        ('orders', 500)
        >>> KinesisStreamsSink.builder().set_stream_name("orders").set_max_batch_size(501)
        Traceback (most recent call last):
            ...
        fluvial.errors.ConnectorError: set_max_batch_size(): PutRecords takes 1 to 500 records, got 501
    """

    def __init__(self, builder: "KinesisStreamsSinkBuilder"):
        self._stream = builder._stream
        self._schema = builder._schema
        self._key = builder._key
        self._properties = dict(builder._properties)
        self._fail_on_error = builder._fail_on_error
        self._max_batch_size = builder._max_batch_size
        self._max_batch_bytes = builder._max_batch_bytes
        self._max_record_bytes = builder._max_record_bytes
        self._max_buffered = builder._max_buffered
        self._max_time_s = builder._max_time_ms / 1000

    @staticmethod
    def builder() -> "KinesisStreamsSinkBuilder":
        return KinesisStreamsSinkBuilder()

    def _default_name(self) -> str:
        return "KinesisStreamsSink"

    def _create_writer(self, subtask_index: int, parallelism: int) -> SinkWriter:
        return _KinesisWriter(self, subtask_index, self._schema.serialize)


class KinesisStreamsSinkBuilder:
    """Builds a KinesisStreamsSink; the defaults are Flink's (500 records, 5 MiB per batch,
    1 MiB per record, 10000 buffered records, 5000 ms in the buffer, failOnError false).

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream.connectors.kinesis import KinesisStreamsSink
        >>> builder = KinesisStreamsSink.builder().set_stream_name("orders").set_max_batch_size(100)
        >>> builder.set_serialization_schema(SimpleStringSchema()).build()._max_batch_size
        100
        >>> KinesisStreamsSink.builder().set_stream_name("orders").build()
        Traceback (most recent call last):
            ...
        fluvial.errors.ConnectorError: KinesisStreamsSink needs set_serialization_schema()
    """

    def __init__(self):
        self._stream: Optional[str] = None
        self._schema: Optional[SerializationSchema] = None
        self._key = PartitionKeyGenerator.random()
        self._properties: Dict[str, str] = {}
        self._fail_on_error = False
        self._max_batch_size = _MAX_PUT_RECORDS
        self._max_batch_bytes = _MAX_PUT_BYTES
        self._max_record_bytes = _MAX_RECORD_BYTES
        self._max_buffered = 10000
        self._max_time_ms = 5000

    def set_stream_name(self, stream_name: str) -> "KinesisStreamsSinkBuilder":
        self._stream = stream_name
        return self

    def set_serialization_schema(self, serialization_schema: SerializationSchema) -> "KinesisStreamsSinkBuilder":
        if not isinstance(serialization_schema, SerializationSchema):
            raise TypeError(f"set_serialization_schema() expects a SerializationSchema, got "
                            f"{type(serialization_schema).__name__}")
        self._schema = serialization_schema
        return self

    def set_partition_key_generator(self, partition_key_generator: PartitionKeyGenerator
                                    ) -> "KinesisStreamsSinkBuilder":
        if not isinstance(partition_key_generator, PartitionKeyGenerator):
            raise TypeError(f"set_partition_key_generator() expects a PartitionKeyGenerator, got "
                            f"{type(partition_key_generator).__name__}")
        self._key = partition_key_generator
        return self

    def set_fail_on_error(self, fail_on_error: bool) -> "KinesisStreamsSinkBuilder":
        self._fail_on_error = bool(fail_on_error)
        return self

    def set_kinesis_client_properties(self, kinesis_client_properties: Dict) -> "KinesisStreamsSinkBuilder":
        self._properties = {str(k): str(v) for k, v in dict(kinesis_client_properties).items()}
        return self

    def set_max_batch_size(self, max_batch_size: int) -> "KinesisStreamsSinkBuilder":
        if not 1 <= int(max_batch_size) <= _MAX_PUT_RECORDS:
            raise ConnectorError(f"set_max_batch_size(): PutRecords takes 1 to {_MAX_PUT_RECORDS} records, "
                                 f"got {max_batch_size}")
        self._max_batch_size = int(max_batch_size)
        return self

    def set_max_in_flight_requests(self, max_in_flight_requests: int) -> "KinesisStreamsSinkBuilder":
        return self  # one request at a time per subtask: the limit is always met

    def set_max_buffered_requests(self, max_buffered_requests: int) -> "KinesisStreamsSinkBuilder":
        self._max_buffered = max(1, int(max_buffered_requests))
        return self

    def set_max_batch_size_in_bytes(self, max_batch_size_in_bytes: int) -> "KinesisStreamsSinkBuilder":
        self._max_batch_bytes = min(_MAX_PUT_BYTES, max(1, int(max_batch_size_in_bytes)))
        return self

    def set_max_time_in_buffer_ms(self, max_time_in_buffer_ms: int) -> "KinesisStreamsSinkBuilder":
        self._max_time_ms = max(0, int(max_time_in_buffer_ms))
        return self

    def set_max_record_size_in_bytes(self, max_record_size_in_bytes: int) -> "KinesisStreamsSinkBuilder":
        self._max_record_bytes = min(_MAX_RECORD_BYTES, max(1, int(max_record_size_in_bytes)))
        return self

    def build(self) -> KinesisStreamsSink:
        if not self._stream:
            raise ConnectorError("KinesisStreamsSink needs set_stream_name()")
        if self._schema is None:
            raise ConnectorError("KinesisStreamsSink needs set_serialization_schema()")
        return KinesisStreamsSink(self)


class _KinesisWriter(SinkWriter):
    """Buffers (data, partition key) entries and sends them in PutRecords calls. 'serialize'
    turns a record into bytes (the SQL connector encodes record batches itself)."""

    def __init__(self, sink: KinesisStreamsSink, subtask: int, serialize: Callable[[Any], bytes],
                 key: Optional[Callable[[Any], str]] = None):
        self._sink, self._subtask, self._serialize = sink, subtask, serialize
        self._partition_key = key or (lambda record: sink._key._key(record, subtask))
        self._buffer: List[Tuple[bytes, str]] = []
        self._buffered_bytes = 0
        self._oldest = 0.0
        self._client = None

    def open(self) -> None:
        self._client = kinesis_client(self._sink._properties)

    def write(self, records: List[Any]) -> None:
        for record in records:
            self.add(self._serialize(record), self._partition_key(record))

    def add(self, data: Union[bytes, str], key: str) -> None:
        sink = self._sink
        if isinstance(data, str):
            data = data.encode()
        size = len(data) + len(key.encode())
        if size > sink._max_record_bytes:
            raise ConnectorError(f"KinesisStreamsSink: stream '{sink._stream}': a record of {size} bytes (data and "
                                 f"partition key) exceeds the {sink._max_record_bytes}-byte limit "
                                 f"(value {describe_value(data)})")
        if not self._buffer:
            self._oldest = time.monotonic()
        self._buffer.append((data, key))
        self._buffered_bytes += size
        if (len(self._buffer) >= min(sink._max_buffered, sink._max_batch_size)
                or self._buffered_bytes >= sink._max_batch_bytes
                or time.monotonic() - self._oldest >= sink._max_time_s):
            self.flush()

    def flush(self) -> None:
        """Sends everything buffered, in calls of at most max_batch_size records and bytes."""
        sink = self._sink
        while self._buffer:
            batch, size = [], 0
            for data, key in self._buffer:
                entry = len(data) + len(key.encode())
                if batch and (len(batch) >= sink._max_batch_size or size + entry > sink._max_batch_bytes):
                    break
                batch.append((data, key))
                size += entry
            self._send(batch)
            del self._buffer[:len(batch)]
            self._buffered_bytes -= size

    def _send(self, batch: List[Tuple[bytes, str]]) -> None:
        """PutRecords, then again the entries a partial failure names, with exponential backoff."""
        stream, pending, delay = self._sink._stream, batch, 0.05
        for attempt in range(1, _SEND_ATTEMPTS + 1):
            try:
                response = self._client.put_records(
                    StreamName=stream, Records=[{"Data": d, "PartitionKey": k} for d, k in pending])
            except Exception as error:  # noqa: BLE001 - throttling retried, the rest reported
                if not is_throttling(error) or attempt == _SEND_ATTEMPTS:
                    raise server_error(f"PutRecords of {len(pending)} records to stream '{stream}'", error) from error
                failed_entries = None
            else:
                failed_entries = [(entry, result) for entry, result in zip(pending, response["Records"])
                                  if result.get("ErrorCode")]
                if not failed_entries:
                    return
                if self._sink._fail_on_error or attempt == _SEND_ATTEMPTS:
                    _, first = failed_entries[0]
                    raise ConnectorError(
                        f"KinesisStreamsSink: stream '{stream}': {len(failed_entries)} of {len(pending)} records "
                        f"failed after {attempt} attempt(s); first: {first['ErrorCode']}: "
                        f"{first.get('ErrorMessage', '')}")
                pending = [entry for entry, _ in failed_entries]
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 2.0)

    def snapshot_state(self, checkpoint_id: int) -> Any:
        self.flush()  # at-least-once: what came before the barrier is in the stream
        return None

    def finish(self) -> None:
        self.flush()

    def close(self) -> None:
        self._client = None
