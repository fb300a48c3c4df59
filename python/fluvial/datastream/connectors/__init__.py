"""Connectors of the DataStream API (PyFlink's pyflink.datastream.connectors).

The Redis connector (connectors.redis) is imported from its module: it needs redis-py.
"""

from fluvial.datastream._builtin import DiscardingSink, PrintSink
from fluvial.datastream.connectors.base import DeliveryGuarantee, Sink, Source
from fluvial.datastream.connectors.datagen import DataGenSource
from fluvial.datastream.connectors.file_system import (
    BucketAssigner,
    FileSink,
    FileSource,
    FileSourceBuilder,
    OutputFileConfig,
    RollingPolicy,
    StreamFormat,
)
from fluvial.datastream.connectors.hybrid_source import HybridSource, HybridSourceBuilder
from fluvial.datastream.connectors.jdbc import JdbcConnectionOptions, JdbcExecutionOptions, JdbcSink
from fluvial.datastream.connectors.kafka import KafkaSink, KafkaSource
from fluvial.datastream.connectors.number_seq import NumberSequenceSource

__all__ = [
    "BucketAssigner",
    "DataGenSource",
    "DeliveryGuarantee",
    "DiscardingSink",
    "FileSink",
    "FileSource",
    "FileSourceBuilder",
    "HybridSource",
    "HybridSourceBuilder",
    "JdbcConnectionOptions",
    "JdbcExecutionOptions",
    "JdbcSink",
    "KafkaSink",
    "KafkaSource",
    "NumberSequenceSource",
    "OutputFileConfig",
    "PrintSink",
    "RollingPolicy",
    "Sink",
    "Source",
    "StreamFormat",
]
