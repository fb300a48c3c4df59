"""PyFlink's legacy Kafka API (FlinkKafkaConsumer, FlinkKafkaProducer, Semantic), which
every 1.x Kafka example uses, as adapters over KafkaSource and KafkaSink: a consumer is a
KafkaSource that `env.add_source()` reads as `from_source()` does, a producer a KafkaSink
that `stream.add_sink()` writes as `sink_to()` does.

What the legacy classes did differently is kept: a consumer starts at the group's
committed offsets (falling back to the 'auto.offset.reset' property, 'latest' by
default) unless told otherwise, never stops, and the producer is AT_LEAST_ONCE by
default, letting Kafka's partitioner choose partitions (PyFlink passes no partitioner)."""

import warnings
from enum import Enum
from typing import Dict, List, Union

from fluvial.common.serialization import DeserializationSchema, SerializationSchema
from fluvial.datastream.connectors.base import DeliveryGuarantee
from fluvial.datastream.connectors.kafka import (
    KafkaOffsetResetStrategy,
    KafkaOffsetsInitializer,
    KafkaRecordSerializationSchema,
    KafkaSink,
    KafkaSinkBuilder,
    KafkaSource,
    KafkaSourceBuilder,
)

__all__ = ["FlinkKafkaConsumer", "FlinkKafkaProducer", "Semantic"]

_RESETS = {"earliest": KafkaOffsetResetStrategy.EARLIEST, "smallest": KafkaOffsetResetStrategy.EARLIEST,
           "latest": KafkaOffsetResetStrategy.LATEST, "largest": KafkaOffsetResetStrategy.LATEST,
           "none": KafkaOffsetResetStrategy.NONE}


def _properties(what: str, properties: Dict) -> Dict[str, str]:
    if not isinstance(properties, dict):
        raise TypeError(f"{what} expects its properties as a dict of str to str, got {type(properties).__name__}")
    if "bootstrap.servers" not in properties:
        raise ValueError(f"{what}: the properties have no 'bootstrap.servers' (the Kafka brokers, e.g. "
                         f"'localhost:9092')")
    return {str(key): str(value) for key, value in properties.items()}


class FlinkKafkaConsumer(KafkaSource):
    """PyFlink's legacy Kafka source (deprecated there since 1.16 in favour of KafkaSource),
    read with `env.add_source(consumer)`.

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream.connectors.kafka import FlinkKafkaConsumer
        >>> consumer = FlinkKafkaConsumer("orders", SimpleStringSchema(),
        ...                               {"bootstrap.servers": "localhost:9092", "group.id": "billing"})
        >>> consumer.set_start_from_earliest().get_produced_type()
        String
    """

    def __init__(self, topics: Union[str, List[str]], deserialization_schema: DeserializationSchema,
                 properties: Dict):
        warnings.warn("Deprecated in 1.16. Use KafkaSource instead.", DeprecationWarning, stacklevel=1)
        if not isinstance(deserialization_schema, DeserializationSchema):
            raise TypeError(f"FlinkKafkaConsumer expects a DeserializationSchema such as SimpleStringSchema, got "
                            f"{type(deserialization_schema).__name__}")
        properties = _properties("FlinkKafkaConsumer", properties)
        reset = properties.pop("auto.offset.reset", "latest").lower()
        if reset not in _RESETS:
            raise ValueError(f"FlinkKafkaConsumer: 'auto.offset.reset' must be earliest, latest or none, "
                             f"got {reset!r}")
        builder = KafkaSourceBuilder()
        builder.set_topics(*([topics] if isinstance(topics, str) else list(topics)))
        builder.set_value_only_deserializer(deserialization_schema)
        builder.set_properties(properties)
        builder.set_starting_offsets(KafkaOffsetsInitializer.committed_offsets(_RESETS[reset]))
        super().__init__(builder.build())
        self._group_reset = _RESETS[reset]

    def _start_at(self, initializer: KafkaOffsetsInitializer) -> "FlinkKafkaConsumer":
        self._starting = initializer
        return self

    def set_start_from_earliest(self) -> "FlinkKafkaConsumer":
        """Every partition from its first record, whatever the group committed."""
        return self._start_at(KafkaOffsetsInitializer.earliest())

    def set_start_from_latest(self) -> "FlinkKafkaConsumer":
        """Only records written after the job starts."""
        return self._start_at(KafkaOffsetsInitializer.latest())

    def set_start_from_timestamp(self, startup_offsets_timestamp: int) -> "FlinkKafkaConsumer":
        """From the first record at or after the timestamp (ms)."""
        return self._start_at(KafkaOffsetsInitializer.timestamp(startup_offsets_timestamp))

    def set_start_from_group_offsets(self) -> "FlinkKafkaConsumer":
        """The group's committed offsets; partitions without one follow 'auto.offset.reset' (the default)."""
        return self._start_at(KafkaOffsetsInitializer.committed_offsets(self._group_reset))

    def set_commit_offsets_on_checkpoints(self, commit_on_checkpoints: bool) -> "FlinkKafkaConsumer":
        """Whether completed checkpoints commit the offsets to the group (true by default)."""
        self._properties["commit.offsets.on.checkpoint"] = "true" if commit_on_checkpoints else "false"
        return self

    def disable_filter_restored_partitions_with_subscribed_topics(self) -> "FlinkKafkaConsumer":
        """Accepted for compatibility: a restored reader resumes the partitions of its own topics."""
        return self

    def _default_name(self) -> str:
        return "Custom Source"


class Semantic(Enum):
    """The legacy producer's guarantee: EXACTLY_ONCE (Kafka transactions, committed on
    checkpoints), AT_LEAST_ONCE (flushed on checkpoints) or NONE.

    Examples:
        >>> from fluvial.datastream.connectors.kafka import Semantic
        >>> [semantic.name for semantic in Semantic]
        ['EXACTLY_ONCE', 'AT_LEAST_ONCE', 'NONE']
    """

    EXACTLY_ONCE = 0
    AT_LEAST_ONCE = 1
    NONE = 2


class FlinkKafkaProducer(KafkaSink):
    """PyFlink's legacy Kafka sink (deprecated there in favour of KafkaSink), written with
    `stream.add_sink(producer)`; the values are serialized with 'serialization_schema'.

    Examples:
        >>> from fluvial.common import SimpleStringSchema
        >>> from fluvial.datastream.connectors.kafka import FlinkKafkaProducer, Semantic
        >>> producer = FlinkKafkaProducer("orders", SimpleStringSchema(), {"bootstrap.servers": "localhost:9092"},
        ...                               semantic=Semantic.AT_LEAST_ONCE)
        >>> producer.set_write_timestamp_to_kafka(False) is producer
        True
    """

    def __init__(self, topic: str, serialization_schema: SerializationSchema, producer_config: Dict,
                 kafka_producer_pool_size: int = 5, semantic: Semantic = Semantic.AT_LEAST_ONCE):
        if not isinstance(serialization_schema, SerializationSchema):
            raise TypeError(f"FlinkKafkaProducer expects a SerializationSchema such as SimpleStringSchema, got "
                            f"{type(serialization_schema).__name__}")
        if not isinstance(semantic, Semantic):
            raise TypeError(f"FlinkKafkaProducer: semantic must be a Semantic (EXACTLY_ONCE, AT_LEAST_ONCE or "
                            f"NONE), got {semantic!r}")
        properties = _properties("FlinkKafkaProducer", producer_config)
        builder = KafkaSinkBuilder()
        for key, value in properties.items():
            builder.set_property(key, value)
        builder.set_record_serializer(KafkaRecordSerializationSchema.builder()
                                      .set_topic(topic)
                                      .set_value_serialization_schema(serialization_schema)
                                      .build())
        builder.set_delivery_guarantee(DeliveryGuarantee[semantic.name])
        if semantic is Semantic.EXACTLY_ONCE:
            # The legacy producer named its transactions after the operator; one per topic here.
            builder.set_transactional_id_prefix(properties.get("transactional.id", f"flink-kafka-producer-{topic}"))
        super().__init__(builder.build())

    def set_log_failures_only(self, log_failures_only: bool) -> "FlinkKafkaProducer":
        """Accepted for compatibility; a failed write fails the job, as with the default (false)."""
        if log_failures_only:
            raise ValueError("FlinkKafkaProducer.set_log_failures_only(True) is not supported by Fluvial: a "
                             "record Kafka does not take fails the job (it is never dropped silently)")
        return self

    def set_flush_on_checkpoint(self, flush_on_checkpoint: bool) -> "FlinkKafkaProducer":
        """Checkpoints flush the producer (the default, true); false is not offered."""
        if not flush_on_checkpoint:
            raise ValueError("FlinkKafkaProducer.set_flush_on_checkpoint(False) is not supported by Fluvial: "
                             "checkpoints always wait for Kafka to acknowledge what was written before them")
        return self

    def set_write_timestamp_to_kafka(self, write_timestamp_to_kafka: bool) -> "FlinkKafkaProducer":
        """Records carry the time they were written (the default, false); their event time is not offered."""
        if write_timestamp_to_kafka:
            from fluvial.errors import UnsupportedFeatureError

            raise UnsupportedFeatureError(
                "FlinkKafkaProducer.set_write_timestamp_to_kafka(True) is not supported by Fluvial yet: records "
                "carry the time they are written; put the event time into the value instead")
        return self

    def ignore_failures_after_transaction_timeout(self) -> "FlinkKafkaProducer":
        """Accepted for compatibility: Fluvial rewrites a timed-out transaction from its log on recovery."""
        return self
