"""SQL 'connector' = 'kinesis': Flink's options mapped onto the DataStream FlinkKinesisConsumer
reader and KinesisStreamsSink writer (datastream/connectors/kinesis.py), which keep the
client, the shards, their sequence numbers and the PutRecords batches. What is here is the
table side: records in and out as Arrow record batches in the 'json', 'csv' or 'raw' format.

A batch of records is parsed at once; only when that fails are the records parsed one by one,
to fail naming the bad one's stream, shard and sequence number, or to skip and count it with
'json.ignore-parse-errors' / 'csv.ignore-parse-errors'. Every batch names each row's shard
(SplitBatch), so a WATERMARK clause gives watermarks per shard.
"""

from array import array
from typing import Any, Callable, Dict, List, Optional, Tuple

import pyarrow as pa

from fluvial.datastream.connectors.base import SplitBatch
from fluvial.datastream.connectors.kinesis import (
    FlinkKinesisConsumer,
    KinesisDeserializationSchema,
    KinesisStreamsSink,
    PartitionKeyGenerator,
    _KinesisShardReader,
    _KinesisWriter,
)
from fluvial.datastream.formats._bad_records import BadRecords, describe_value
from fluvial.table.formats import FORMAT_OPTIONS, FORMATS, RowCodec, sql_advice

__all__: List[str] = []  # used through CREATE TABLE ... WITH ('connector' = 'kinesis'), not imported

_OPTIONS = ["stream", "format", "aws.region", "aws.endpoint", "aws.credentials.provider",
            "aws.credentials.basic.accesskeyid", "aws.credentials.basic.secretkey",
            "scan.stream.initpos", "scan.stream.initpos-timestamp", "scan.shard.discovery.intervalmillis",
            "scan.shard.getrecords.maxrecordcount", "scan.shard.getrecords.intervalmillis",
            "scan.stream.stop-at-latest", "sink.partitioner", "sink.partitioner-field-delimiter",
            "sink.batch.max-size", "sink.requests.max-inflight", "sink.requests.max-buffered",
            "sink.flush-buffer.size", "sink.flush-buffer.timeout", "sink.fail-on-error"]
# The table option -> the DataStream property it sets.
_SCAN = {"scan.stream.initpos": "flink.stream.initpos",
         "scan.stream.initpos-timestamp": "flink.stream.initpos.timestamp",
         "scan.shard.discovery.intervalmillis": "flink.shard.discovery.intervalmillis",
         "scan.shard.getrecords.maxrecordcount": "flink.shard.getrecords.maxrecordcount",
         "scan.shard.getrecords.intervalmillis": "flink.shard.getrecords.intervalmillis",
         "scan.stream.stop-at-latest": "fluvial.stream.stop-at-latest"}
_CLIENT = ["aws.region", "aws.endpoint", "aws.credentials.basic.accesskeyid", "aws.credentials.basic.secretkey"]


def allowed_options(options: Dict[str, str]) -> Tuple[List[str], List[str]]:
    """(allowed, required) of the options, for connectors._check_options."""
    allowed = list(_OPTIONS)
    fmt = options.get("format")
    if fmt in FORMAT_OPTIONS:
        allowed += [f"{fmt}.{name}" for name in FORMAT_OPTIONS[fmt]]
    return allowed, ["stream", "format"]


def _option_error(message: str) -> Exception:
    from fluvial.table.connectors import ConnectorOptionError

    return ConnectorOptionError(message)


def _codec(table: str, schema: pa.Schema, options: Dict[str, str]) -> RowCodec:
    if options["format"] not in FORMATS:
        raise _option_error(f"table '{table}' ('connector' = 'kinesis'): 'format' must be one of "
                            f"{', '.join(FORMATS)}, got {options['format']!r}")
    return RowCodec(options["format"], schema, options, [""], "'format'")


def _client_properties(options: Dict[str, str]) -> Dict[str, str]:
    return {name: options[name] for name in _CLIENT if name in options}


def _check_credentials_provider(table: str, options: Dict[str, str]) -> None:
    """AUTO (boto3's chain) or BASIC (the two aws.credentials.basic.* options)."""
    provider = options.get("aws.credentials.provider", "AUTO").upper()
    if provider not in ("AUTO", "BASIC"):
        raise _option_error(f"table '{table}' ('connector' = 'kinesis'): 'aws.credentials.provider' must be AUTO or "
                            f"BASIC in Fluvial, got {options['aws.credentials.provider']!r}")
    if provider == "BASIC" and not all(options.get(f"aws.credentials.basic.{k}") for k in ("accesskeyid", "secretkey")):
        raise _option_error(f"table '{table}' ('connector' = 'kinesis'): 'aws.credentials.provider' = 'BASIC' needs "
                            f"'aws.credentials.basic.accesskeyid' and 'aws.credentials.basic.secretkey'")


class _Located(KinesisDeserializationSchema):
    """The table reader parses whole batches itself: each record stays its bytes and location."""

    def deserialize(self, record_value, partition_key, seq_num, approx_arrival_timestamp, stream, shard_id):
        return record_value, stream, shard_id, seq_num


def reader_factory(table: str, schema: pa.Schema, options: Dict[str, str]) -> Tuple[Callable[[Any], Any], bool]:
    """(make_reader(info), bounded) for a kinesis table."""
    codec = _codec(table, schema, options)
    _check_credentials_provider(table, options)
    properties = _client_properties(options)
    properties.update({_SCAN[k]: v for k, v in options.items() if k in _SCAN})
    properties.setdefault("flink.stream.initpos", "LATEST")
    properties["flink.stream.initpos"] = properties["flink.stream.initpos"].upper()
    try:
        consumer = FlinkKinesisConsumer(options["stream"], _Located(), properties)
    except Exception as error:  # noqa: BLE001 - an option the consumer refused, with the table's name
        raise _option_error(f"table '{table}' ('connector' = 'kinesis'): "
                            f"{str(error).replace('flink.stream.', 'scan.stream.')}") from None
    return (lambda info: KinesisTableReader(consumer, info.index, info.parallelism, table, codec)), \
        consumer._is_bounded()


class KinesisTableReader(_KinesisShardReader):
    """The DataStream reader, polling record batches."""

    def __init__(self, consumer: FlinkKinesisConsumer, subtask: int, parallelism: int, table: str, codec: RowCodec):
        super().__init__(consumer, subtask, parallelism)
        self._table, self._codec = table, codec

    def open(self) -> None:
        super().open()
        self._bad_rows = BadRecords(self._codec.ignore_parse_errors, self.metric_group.num_records_in_errors,
                                    sql_advice(self._codec.format))

    def poll(self) -> Any:
        result = super().poll()
        if result is None:
            return None
        empty = pa.RecordBatch.from_pylist([], schema=self._codec.schema)
        if isinstance(result, list):
            return empty
        located = result.records
        if not located:
            result.records = empty
            return result
        rows, origins = self._decode(located)
        result.records = pa.RecordBatch.from_pylist(rows, schema=self._codec.schema)
        if len(origins) != len(located):
            splits, stamps = array("i", result.splits), array("q", result.timestamps)
            result.splits = array("i", [splits[i] for i in origins])
            result.timestamps = array("q", [stamps[i] for i in origins])
        return SplitBatch(result.records, result.splits, result.timestamps, result.assigned)

    def _decode(self, located: List[tuple]) -> Tuple[List[Dict[str, Any]], List[int]]:
        values = [value for value, _, _, _ in located]
        try:
            return self._codec.decode(values).to_pylist(), list(range(len(values)))
        except ValueError:
            pass  # find the bad records one by one
        rows, origins = [], []
        for index, (value, stream, shard, sequence) in enumerate(located):
            try:
                rows.append(self._codec.decode([value]).to_pylist()[0])
                origins.append(index)
            except ValueError as error:
                self._bad_rows.reject(
                    f"kinesis table '{self._table}': stream '{stream}' shard '{shard}' sequence number {sequence}: "
                    f"cannot read the record as {self._codec.format.upper()} ({', '.join(self._codec.schema.names)}): "
                    f"{error} (value {describe_value(value)})")
        return rows, origins


def writer_factory(table: str, schema: pa.Schema, options: Dict[str, str]) -> Callable[[Any], Any]:
    """make_writer(info) for a kinesis table."""
    from fluvial.common.serialization import SimpleStringSchema
    from fluvial.table.connectors import parse_duration

    codec = _codec(table, schema, options)
    _check_credentials_provider(table, options)
    builder = KinesisStreamsSink.builder().set_stream_name(options["stream"]) \
        .set_kinesis_client_properties(_client_properties(options)).set_serialization_schema(SimpleStringSchema())
    partitioner = options.get("sink.partitioner", "random")
    if partitioner not in ("random", "fixed"):
        raise _option_error(f"table '{table}' ('connector' = 'kinesis'): 'sink.partitioner' must be 'random' or "
                            f"'fixed', got {partitioner!r}")
    builder.set_partition_key_generator(PartitionKeyGenerator.random() if partitioner == "random"
                                        else PartitionKeyGenerator.fixed())
    try:
        if "sink.batch.max-size" in options:
            builder.set_max_batch_size(int(options["sink.batch.max-size"]))
        if "sink.requests.max-buffered" in options:
            builder.set_max_buffered_requests(int(options["sink.requests.max-buffered"]))
        if "sink.flush-buffer.size" in options:
            builder.set_max_batch_size_in_bytes(int(options["sink.flush-buffer.size"]))
    except ValueError as error:
        raise _option_error(f"table '{table}' ('connector' = 'kinesis'): {error}") from None
    if "sink.flush-buffer.timeout" in options:
        builder.set_max_time_in_buffer_ms(int(parse_duration(options["sink.flush-buffer.timeout"],
                                                             "sink.flush-buffer.timeout") * 1000))
    builder.set_fail_on_error(options.get("sink.fail-on-error", "false").lower() == "true")
    sink = builder.build()
    return lambda info: KinesisTableWriter(sink, info.index, table, codec)


class KinesisTableWriter:
    """Encodes each batch in the table's format and hands the records to the sink's writer."""

    def __init__(self, sink: KinesisStreamsSink, subtask: int, table: str, codec: RowCodec):
        self._writer = _KinesisWriter(sink, subtask, serialize=bytes)
        self._table, self._codec, self._key = table, codec, sink._key
        self._subtask = subtask

    def open(self) -> None:
        self._writer.open()

    def write(self, batch: pa.RecordBatch, row_kinds: Optional[bytes]) -> None:
        if row_kinds is not None and any(kind != 0 for kind in row_kinds):
            raise _option_error(f"table '{self._table}' ('connector' = 'kinesis') takes only inserts, but the "
                                f"query produces updates")
        for value in self._codec.encode(batch):
            self._writer.add(value, self._key._key(value, self._subtask))

    # At-least-once: the buffered records are sent at every checkpoint barrier.
    def snapshot_state(self, checkpoint_id: int) -> Any:
        return self._writer.snapshot_state(checkpoint_id)

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        """Nothing to commit: the records were sent at the barrier."""

    def restore_state(self, state: Any) -> None:
        """Nothing pending to finish after a restart (at-least-once)."""

    def finish(self) -> None:
        self._writer.finish()

    def close(self) -> None:
        self._writer.close()
