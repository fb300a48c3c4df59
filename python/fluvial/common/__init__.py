"""Classes shared by the DataStream and Table APIs, under PyFlink's names (`pyflink.common`).

- Types, TypeInformation: record types, and validators that check values against them.
- Row, RowKind: the Row record and its changelog kind.
- Configuration, ExecutionConfig: job settings.
- Duration, Time, Instant: time amounts and points.
- SerializationSchema, DeserializationSchema, SimpleStringSchema, ByteArraySchema, Encoder:
  records to bytes and back.
- TypeSerializer: values of a declared type to bytes and back (checkpointed state).
- WatermarkStrategy, TimestampAssigner: how sources assign event time.
"""

from fluvial.common.configuration import Configuration
from fluvial.common.execution_config import ExecutionConfig
from fluvial.common.restart_strategy import RestartStrategies, RestartStrategyConfiguration
from fluvial.common.serialization import (
    ByteArraySchema,
    DeserializationSchema,
    Encoder,
    SerializationSchema,
    SimpleStringSchema,
)
from fluvial.common.serializer import TypeSerializer
from fluvial.common.time import Duration, Instant, Time
from fluvial.common.typeinfo import TypeInformation, Types
from fluvial.common.types import Row, RowKind
from fluvial.common.watermark_strategy import TimestampAssigner, WatermarkStrategy

__all__ = [
    "ByteArraySchema",
    "Configuration",
    "DeserializationSchema",
    "Duration",
    "Encoder",
    "ExecutionConfig",
    "Instant",
    "RestartStrategies",
    "RestartStrategyConfiguration",
    "Row",
    "RowKind",
    "SerializationSchema",
    "SimpleStringSchema",
    "Time",
    "TimestampAssigner",
    "TypeInformation",
    "TypeSerializer",
    "Types",
    "WatermarkStrategy",
]
