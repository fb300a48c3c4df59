"""Connectors of the DataStream API (PyFlink's pyflink.datastream.connectors)."""

from fluvial.datastream.connectors.base import DeliveryGuarantee, Sink, Source
from fluvial.datastream.connectors.file_system import (
    BucketAssigner,
    FileSink,
    FileSource,
    FileSourceBuilder,
    OutputFileConfig,
    RollingPolicy,
    StreamFormat,
)
from fluvial.datastream.connectors.kafka import KafkaSink, KafkaSource
from fluvial.datastream.connectors.number_seq import NumberSequenceSource

__all__ = [
    "BucketAssigner",
    "DeliveryGuarantee",
    "FileSink",
    "FileSource",
    "FileSourceBuilder",
    "KafkaSink",
    "KafkaSource",
    "NumberSequenceSource",
    "OutputFileConfig",
    "RollingPolicy",
    "Sink",
    "Source",
    "StreamFormat",
]
