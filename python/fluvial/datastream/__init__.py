"""The DataStream API (PyFlink's pyflink.datastream), on Fluvial's native engine."""

from fluvial.datastream._job import JobClient, JobExecutionResult, JobStatus
from fluvial.datastream.connectors.base import Sink, Source
from fluvial.datastream.data_stream import DataStream, DataStreamSink, KeyedStream
from fluvial.datastream.execution_mode import RuntimeExecutionMode
from fluvial.datastream.functions import (
    FilterFunction,
    FlatMapFunction,
    Function,
    KeySelector,
    MapFunction,
    NullByteKeySelector,
    Partitioner,
    ProcessFunction,
    ReduceFunction,
    RuntimeContext,
    SinkFunction,
    SourceFunction,
)
from fluvial.datastream.stream_execution_environment import StreamExecutionEnvironment

__all__ = [
    "DataStream",
    "DataStreamSink",
    "FilterFunction",
    "FlatMapFunction",
    "Function",
    "JobClient",
    "JobExecutionResult",
    "JobStatus",
    "KeySelector",
    "KeyedStream",
    "MapFunction",
    "NullByteKeySelector",
    "Partitioner",
    "ProcessFunction",
    "ReduceFunction",
    "RuntimeContext",
    "RuntimeExecutionMode",
    "Sink",
    "SinkFunction",
    "Source",
    "SourceFunction",
    "StreamExecutionEnvironment",
]
