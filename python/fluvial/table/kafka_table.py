"""SQL 'connector' = 'kafka' and 'upsert-kafka': Flink's options mapped onto the DataStream
KafkaSource reader and KafkaSink writer (datastream/connectors/kafka.py), which keep the
client, partition assignment, offsets and transactions. What is here is the table side:
messages in and out as Arrow record batches in the 'json', 'csv' or 'raw' format.

A batch of messages is parsed at once (values joined by newlines, read by pyarrow.json or
pyarrow.csv with the table's schema); only when that fails are the messages parsed one by
one, to fail naming the bad one's topic, partition and offset, or to skip and count it
with 'json.ignore-parse-errors' / 'csv.ignore-parse-errors'.

upsert-kafka follows Flink: a message's key is the PRIMARY KEY's columns, a null value
(tombstone) deletes the key. Read back, each subtask turns the upserts into a changelog
(+I, -U/+U, -D) against the last row it saw per key, as Flink's ChangelogNormalize does
(a key's messages are in one partition, hence at one subtask). Those rows are kept per
partition and go into the partition's split state at a checkpoint, so a restored reader
goes on emitting -U/+U (not +I) for keys it saw before, whichever subtask the partition
moves to. Written, +I and +U become upserts, -D a tombstone, and -U is dropped.

Every batch names the partition of each row (SplitBatch), so a WATERMARK clause gives
watermarks per partition: the minimum over the partitions of each one's largest rowtime
minus the delay.
"""

from typing import Any, Callable, Dict, List, Optional, Tuple

import pyarrow as pa

from fluvial.common.serialization import SerializationSchema
from fluvial.datastream.connectors.base import DeliveryGuarantee
from fluvial.datastream.connectors.kafka import (
    FlinkFixedPartitioner,
    KafkaOffsetResetStrategy,
    KafkaOffsetsInitializer,
    KafkaRecordDeserializationSchema,
    KafkaRecordSerializationSchema,
    KafkaSink,
    KafkaSource,
    KafkaTopicPartition,
    _KafkaSinkWriter,
    _KafkaSourceReader,
)
from fluvial.datastream.formats._bad_records import BadRecords, describe_value
from fluvial.table.expressions import PlanningError
from fluvial.table.formats import FORMAT_OPTIONS, FORMATS, RowCodec, sql_advice

__all__: List[str] = []  # used through CREATE TABLE ... WITH ('connector' = 'kafka'), not imported

_COMMON = ["topic", "properties.bootstrap.servers", "properties.group.id", "sink.delivery-guarantee",
           "sink.transactional-id-prefix", "sink.partitioner", "value.fields-include",
           "scan.bounded.mode", "scan.bounded.timestamp-millis", "scan.bounded.specific-offsets"]
_KAFKA = _COMMON + ["topic-pattern", "format", "key.format", "key.fields", "value.format", "scan.startup.mode",
                    "scan.startup.timestamp-millis", "scan.startup.specific-offsets",
                    "scan.topic-partition-discovery.interval"]
_UPSERT = _COMMON + ["key.format", "value.format"]
_KINDS = {0: "+I", 1: "-U", 2: "+U", 3: "-D"}


def allowed_options(connector: str, options: Dict[str, str]) -> Tuple[List[str], List[str], List[str]]:
    """(allowed, required, prefixes) of the options, for connectors._check_options."""
    allowed = list(_KAFKA if connector == "kafka" else _UPSERT)
    for role in ("", "key.", "value."):
        fmt = options.get(f"{role}format")
        if fmt in FORMAT_OPTIONS:
            allowed += [f"{role}{fmt}.{name}" for name in FORMAT_OPTIONS[fmt]]
            if role == "":
                allowed += [f"value.{fmt}.{name}" for name in FORMAT_OPTIONS[fmt]]
    required = ["properties.bootstrap.servers"]
    required += ["key.format", "value.format"] if connector == "upsert-kafka" else []
    return allowed, required, ["properties."]


def _option_error(message: str) -> Exception:
    from fluvial.table.connectors import ConnectorOptionError

    return ConnectorOptionError(message)


# -- the table's layout: which columns the key and the value carry ------------------------

class _Layout:
    def __init__(self, connector: str, table: str, schema: pa.Schema, options: Dict[str, str],
                 primary_key: List[str]):
        self.connector, self.table, self.schema = connector, table, schema
        if connector == "upsert-kafka":
            if not primary_key:
                raise PlanningError(f"table '{table}' ('connector' = 'upsert-kafka') needs a PRIMARY KEY: "
                                    f"its columns are the Kafka message key, e.g. PRIMARY KEY (user_id) NOT ENFORCED")
            key_fields = list(primary_key)
            value_format = options["value.format"]
        else:
            key_fields = [f.strip() for f in options.get("key.fields", "").split(";") if f.strip()]
            if key_fields and "key.format" not in options:
                raise _option_error(f"table '{table}': 'key.fields' needs 'key.format'")
            if "key.format" in options and not key_fields:
                raise _option_error(f"table '{table}': 'key.format' needs 'key.fields' (the key's columns, "
                                    f"separated by ';')")
            value_format = options.get("value.format", options.get("format"))
            if value_format is None:
                raise _option_error(f"connector 'kafka' (table '{table}') needs the option 'format' "
                                    f"(or 'value.format'): one of {', '.join(FORMATS)}")
        for name in key_fields:
            if name not in schema.names:
                raise _option_error(f"table '{table}': key column '{name}' is not a column "
                                    f"({', '.join(schema.names)})")
        include = options.get("value.fields-include", "ALL").upper()
        if include not in ("ALL", "EXCEPT_KEY"):
            raise _option_error(f"'value.fields-include' must be 'ALL' or 'EXCEPT_KEY', got {include!r}")
        self.key_fields = key_fields
        value_fields = [n for n in schema.names if include == "ALL" or n not in key_fields]
        if not value_fields:
            raise _option_error(f"table '{table}': 'value.fields-include' = 'EXCEPT_KEY' leaves no value columns")
        self.value_schema = pa.schema([schema.field(n) for n in value_fields])
        self.key_schema = pa.schema([schema.field(n) for n in key_fields])
        self.value = RowCodec(value_format, self.value_schema, options, ["value.", ""], "'value.format'")
        self.key = (RowCodec(options["key.format"], self.key_schema, options, ["key."], "'key.format'")
                    if key_fields else None)
        self.upsert = connector == "upsert-kafka"


# -- reading --------------------------------------------------------------------------------

def _offsets_initializer(mode: str, options: Dict[str, str], prefix: str, topics: List[str],
                         properties: Dict[str, str]) -> Optional[KafkaOffsetsInitializer]:
    """scan.startup.* or scan.bounded.* as a KafkaOffsetsInitializer (None: unbounded)."""
    if mode == "earliest-offset":
        return KafkaOffsetsInitializer.earliest()
    if mode == "latest-offset":
        return KafkaOffsetsInitializer.latest()
    if mode == "group-offsets":
        if "group.id" not in properties:
            raise _option_error(f"'{prefix}.mode' = 'group-offsets' needs 'properties.group.id'")
        reset = properties.get("auto.offset.reset", "none").upper()
        strategies = {"EARLIEST": KafkaOffsetResetStrategy.EARLIEST, "LATEST": KafkaOffsetResetStrategy.LATEST,
                      "NONE": KafkaOffsetResetStrategy.NONE}
        if reset not in strategies:
            raise _option_error(f"'properties.auto.offset.reset' must be earliest, latest or none, got {reset!r}")
        return KafkaOffsetsInitializer.committed_offsets(strategies[reset])
    if mode == "timestamp":
        text = options.get(f"{prefix}.timestamp-millis")
        if text is None or not text.strip().isdigit():
            raise _option_error(f"'{prefix}.mode' = 'timestamp' needs '{prefix}.timestamp-millis' (milliseconds "
                                f"since the epoch), got {text!r}")
        return KafkaOffsetsInitializer.timestamp(int(text))
    if mode == "specific-offsets":
        text = options.get(f"{prefix}.specific-offsets")
        if text is None:
            raise _option_error(f"'{prefix}.mode' = 'specific-offsets' needs '{prefix}.specific-offsets', e.g. "
                                f"'partition:0,offset:42;partition:1,offset:300'")
        if len(topics) != 1:
            raise _option_error(f"'{prefix}.specific-offsets' needs exactly one 'topic', got {topics}")
        offsets = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            fields = dict(item.split(":", 1) for item in part.split(",") if ":" in item)
            if set(fields) != {"partition", "offset"} or not all(v.strip().isdigit() for v in fields.values()):
                raise _option_error(f"'{prefix}.specific-offsets': expected 'partition:N,offset:M' items "
                                    f"separated by ';', got {part!r}")
            offsets[KafkaTopicPartition(topics[0], int(fields["partition"]))] = int(fields["offset"])
        return KafkaOffsetsInitializer.offsets(offsets)
    if mode == "unbounded" and prefix == "scan.bounded":
        return None
    modes = ["earliest-offset", "latest-offset", "group-offsets", "timestamp", "specific-offsets"]
    if prefix == "scan.bounded":
        modes = ["unbounded", "latest-offset", "group-offsets", "timestamp", "specific-offsets"]
    raise _option_error(f"'{prefix}.mode' must be one of {', '.join(modes)}, got {mode!r}")


def _properties(options: Dict[str, str]) -> Dict[str, str]:
    return {k[len("properties."):]: v for k, v in options.items() if k.startswith("properties.")}


class _Unused(KafkaRecordDeserializationSchema):
    """The table reader parses whole batches itself (_read_messages)."""

    def deserialize(self, record):
        raise AssertionError("not called")


def reader_factory(connector: str, table: str, schema: pa.Schema, options: Dict[str, str],
                   primary_key: List[str]) -> Tuple[Callable[[Any], Any], bool]:
    """(make_reader(info), bounded) for a kafka or upsert-kafka table."""
    layout = _Layout(connector, table, schema, options, primary_key)
    properties = _properties(options)
    topics = [t.strip() for t in options.get("topic", "").split(";") if t.strip()]
    builder = KafkaSource.builder().set_bootstrap_servers(options["properties.bootstrap.servers"])
    builder.set_properties(properties).set_deserializer(_Unused())
    if topics:
        builder.set_topics(*topics)
    elif "topic-pattern" in options:
        builder.set_topic_pattern(options["topic-pattern"])
    else:
        raise _option_error(f"table '{table}' ('connector' = '{connector}') needs the option 'topic'")
    startup = "earliest-offset" if connector == "upsert-kafka" else options.get("scan.startup.mode", "group-offsets")
    builder.set_starting_offsets(_offsets_initializer(startup, options, "scan.startup", topics, properties))
    stopping = _offsets_initializer(options.get("scan.bounded.mode", "unbounded"), options, "scan.bounded", topics,
                                    properties)
    if stopping is not None:
        builder.set_bounded(stopping)
    if "scan.topic-partition-discovery.interval" in options:
        from fluvial.table.connectors import parse_duration

        interval = parse_duration(options["scan.topic-partition-discovery.interval"],
                                  "scan.topic-partition-discovery.interval")
        builder.set_property("partition.discovery.interval.ms", str(int(interval * 1000)))
    source = builder.build()
    return (lambda info: KafkaTableReader(source, info.index, info.parallelism, layout)), stopping is not None


class KafkaTableReader(_KafkaSourceReader):
    """The DataStream reader, polling record batches (with row kinds for upsert-kafka)."""

    def __init__(self, source: KafkaSource, subtask: int, parallelism: int, layout: _Layout):
        super().__init__(source, subtask, parallelism)
        self._layout = layout
        codecs = [layout.value] + ([layout.key] if layout.key else [])
        self._ignore = all(codec.ignore_parse_errors for codec in codecs)
        self._source_timestamps = False  # event time comes from the rowtime column
        # upsert-kafka: the last row per key, per partition (checkpointed with the partition)
        self._last: Dict[Tuple[str, int], Dict[tuple, tuple]] = {}

    def open(self) -> None:
        super().open()
        self._bad_records = BadRecords(self._ignore, self.metric_group.num_records_in_errors,
                                       sql_advice(self._layout.value.format))

    def poll(self) -> Any:
        result = super().poll()
        if result is None:
            return None
        empty = pa.RecordBatch.from_pylist([], schema=self._layout.schema)
        if isinstance(result, list):  # nothing arrived
            return empty
        if isinstance(result.records, list):  # nothing arrived, but the partitions changed
            result.records = empty
        return result

    def _split_extra(self, topic: str, partition: int) -> tuple:
        if not self._layout.upsert:
            return ()
        return (dict(self._last.get((topic, partition), {})),)

    def _restore_extra(self, extras: Dict[Tuple[str, int], tuple]) -> None:
        for location, extra in extras.items():
            if extra and self._layout.upsert:
                self._last[location] = dict(extra[0])

    def _read_messages(self, messages) -> Tuple[Any, Optional[List[int]]]:
        layout = self._layout
        if layout.key is None:
            values = messages.values()
            keys = records = None
        else:
            records = messages.records()
            keys = [r[4] for r in records]
            values = [r[5] for r in records]
        present = [i for i, v in enumerate(values) if v is not None]
        value_rows = self._decode(layout.value, [values[i] for i in present], present, messages, "value")
        key_rows = None
        if layout.key is not None:
            with_key = [i for i, k in enumerate(keys) if k is not None]
            key_rows = self._decode(layout.key, [keys[i] for i in with_key], with_key, messages, "key")
        if not layout.upsert:
            # Flink skips messages with a null value (tombstones) on a plain kafka table.
            rows, origins = [], []
            for index in present:
                row = self._row(index, value_rows, key_rows)
                if row is not None:
                    rows.append(row)
                    origins.append(index)
            batch = pa.RecordBatch.from_pylist(rows, schema=layout.schema)
            return batch, (None if len(origins) == len(values) else origins)
        return self._changelog(records, value_rows, key_rows, messages)

    def _decode(self, codec: RowCodec, values: List[bytes], indexes: List[int], messages,
                what: str) -> Dict[int, Dict[str, Any]]:
        """Message index → decoded columns, bad messages reported (or skipped and counted)."""
        if not values:
            return {}
        try:
            return dict(zip(indexes, codec.decode(values).to_pylist()))
        except ValueError:
            pass  # find the bad messages one by one
        rows = {}
        for index, value in zip(indexes, values):
            try:
                rows[index] = codec.decode([value]).to_pylist()[0]
            except ValueError as error:
                topic, partition, offset = messages.location(index)
                self._bad_records.reject(
                    f"kafka table '{self._layout.table}': topic '{topic}' partition {partition} offset {offset}: "
                    f"cannot read the {what} as {codec.format.upper()} ({', '.join(codec.schema.names)}): {error} "
                    f"({what} {describe_value(value)})")
        return rows

    def _row(self, index: int, value_rows, key_rows) -> Optional[Dict[str, Any]]:
        if index not in value_rows:
            return None  # a bad record, skipped
        row = dict(value_rows[index])
        if key_rows is not None:
            if index not in key_rows:
                return None
            row.update(key_rows[index])
        return row

    def _changelog(self, records, value_rows, key_rows,
                   messages) -> Tuple[Tuple[pa.RecordBatch, bytes], List[int]]:
        """The changelog rows and their kinds, and the message index of every row."""
        layout = self._layout
        names, key_fields = layout.schema.names, layout.key_fields
        rows, kinds, origins = [], bytearray(), []
        for index, (topic, partition, _, _, key_bytes, value) in enumerate(records):
            last = self._last.setdefault((topic, partition), {})
            if index not in key_rows:
                if key_bytes is None:  # (an unreadable key was reported by _decode)
                    topic, partition, offset = messages.location(index)
                    self._bad_records.reject(
                        f"upsert-kafka table '{layout.table}': topic '{topic}' partition {partition} offset "
                        f"{offset}: the message has no key; upsert-kafka keys every message by its PRIMARY "
                        f"KEY ({', '.join(key_fields)})")
                continue
            key = tuple(key_rows[index][name] for name in key_fields)
            if value is None:
                old = last.pop(key, None)
                if old is not None:
                    rows.append(old)
                    kinds.append(3)
                    origins.append(index)
                continue
            row = self._row(index, value_rows, key_rows)
            if row is None:
                continue
            new = tuple(row[name] for name in names)
            old = last.get(key)
            last[key] = new
            if old is None:
                rows.append(new)
                kinds.append(0)
                origins.append(index)
            elif old != new:
                rows.extend((old, new))
                kinds.extend((1, 2))
                origins.extend((index, index))
        columns = list(zip(*rows)) if rows else [[] for _ in names]
        batch = pa.RecordBatch.from_arrays([pa.array(list(c), f.type) for c, f in zip(columns, layout.schema)],
                                           schema=layout.schema)
        return (batch, bytes(kinds)), origins


# -- writing --------------------------------------------------------------------------------

class _Field(SerializationSchema):
    """The table writer hands the sink (value, key) pairs already in bytes."""

    def __init__(self, position: int):
        self._position = position

    def serialize(self, element):
        return element[self._position]


_GUARANTEES = {"none": DeliveryGuarantee.NONE, "at-least-once": DeliveryGuarantee.AT_LEAST_ONCE,
               "exactly-once": DeliveryGuarantee.EXACTLY_ONCE}


def writer_factory(connector: str, table: str, schema: pa.Schema, options: Dict[str, str],
                   primary_key: List[str]) -> Callable[[Any], Any]:
    """make_writer(info) for a kafka or upsert-kafka table."""
    layout = _Layout(connector, table, schema, options, primary_key)
    topic = options.get("topic", "").strip()
    if not topic or ";" in topic:
        raise _option_error(f"table '{table}' ('connector' = '{connector}') is written to one 'topic', "
                            f"got {options.get('topic')!r}")
    guarantee_name = options.get("sink.delivery-guarantee", "at-least-once").lower()
    if guarantee_name not in _GUARANTEES:
        raise _option_error(f"'sink.delivery-guarantee' must be one of {', '.join(_GUARANTEES)}, "
                            f"got {guarantee_name!r}")
    if guarantee_name == "exactly-once" and not options.get("sink.transactional-id-prefix", "").strip():
        raise _option_error(f"table '{table}': 'sink.delivery-guarantee' = 'exactly-once' needs "
                            f"'sink.transactional-id-prefix' (the prefix of the sink's Kafka transactional ids, "
                            f"unique to this job among those writing to the cluster)")
    serializer = KafkaRecordSerializationSchema.builder().set_topic(topic).set_value_serialization_schema(_Field(0))
    if layout.key is not None:
        serializer.set_key_serialization_schema(_Field(1))
    partitioner = options.get("sink.partitioner", "default")
    if partitioner == "fixed":
        serializer.set_partitioner(FlinkFixedPartitioner())
    elif partitioner != "default":
        raise _option_error(f"'sink.partitioner' must be 'default' (Kafka's, by key) or 'fixed' (one partition "
                            f"per sink subtask), got {partitioner!r}")
    builder = KafkaSink.builder().set_bootstrap_servers(options["properties.bootstrap.servers"]) \
        .set_record_serializer(serializer.build()).set_delivery_guarantee(_GUARANTEES[guarantee_name])
    for key, value in _properties(options).items():
        builder.set_property(key, value)
    if "sink.transactional-id-prefix" in options:
        builder.set_transactional_id_prefix(options["sink.transactional-id-prefix"])
    try:
        sink = builder.build()
    except ValueError as error:
        raise _option_error(f"table '{table}': {error} ('sink.transactional-id-prefix')") from None
    return lambda info: KafkaTableWriter(sink, info.index, info.parallelism, layout)


class KafkaTableWriter:
    """Encodes record batches into messages and hands them to the DataStream KafkaSink writer."""

    def __init__(self, sink: KafkaSink, subtask: int, parallelism: int, layout: _Layout):
        self._writer = _KafkaSinkWriter(sink, subtask, parallelism)
        self._layout = layout

    def open(self) -> None:
        self._writer.open()

    def write(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
        layout = self._layout
        if row_kinds is not None and not layout.upsert and any(k != 0 for k in row_kinds):
            kind = _KINDS[next(k for k in row_kinds if k != 0)]
            raise PlanningError(f"table '{layout.table}' ('connector' = 'kafka') takes only inserts, but the query "
                                f"produces updates ({kind} rows); write it to an 'upsert-kafka' table with a PRIMARY "
                                f"KEY, or aggregate in a window")
        if row_kinds is not None and layout.upsert:
            keep = [i for i, k in enumerate(row_kinds) if k != 1]  # -U: the +U after it replaces the key
            if len(keep) != batch.num_rows:
                batch = batch.take(pa.array(keep, pa.int64()))
                row_kinds = bytes(row_kinds[i] for i in keep)
        values = layout.value.encode(batch.select(layout.value_schema.names))
        if row_kinds is not None:
            values = [None if kind == 3 else value for value, kind in zip(values, row_kinds)]  # -D: a tombstone
        if layout.key is None:
            self._writer.write([(value,) for value in values])
            return
        keys = layout.key.encode(batch.select(layout.key_fields))
        self._writer.write(list(zip(values, keys)))

    # Checkpoints: the DataStream writer's hooks. 'none' keeps nothing; 'at-least-once' flushes
    # at the checkpoint; 'exactly-once' pre-commits its transaction there (its state logs the
    # pending transactions' records), commits it when the checkpoint completes, and on restore
    # commits or writes again those a failure left uncommitted.
    def _enable_two_phase_commit(self, attempt: str) -> None:
        self._writer._enable_two_phase_commit(attempt)

    def snapshot_state(self, checkpoint_id: int) -> Any:
        return self._writer.snapshot_state(checkpoint_id)

    def restore_state(self, state: Any) -> None:
        self._writer.restore_state(state)

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        self._writer.notify_checkpoint_complete(checkpoint_id)

    def finish(self) -> None:
        self._writer.finish()

    def close(self) -> None:
        self._writer.close()
