"""The DataStream API (PyFlink's pyflink.datastream), on Fluvial's native engine."""

from fluvial.datastream import async_retry_predicates as async_retry_predicates
from fluvial.datastream._async_functions import AsyncFunction, AsyncRetryPredicate, AsyncRetryStrategy
from fluvial.datastream._job import JobClient, JobExecutionResult, JobStatus
from fluvial.datastream.async_data_stream import AsyncDataStream
from fluvial.datastream.broadcast_stream import BroadcastConnectedStream, BroadcastStream
from fluvial.datastream.checkpoint_config import CheckpointConfig, ExternalizedCheckpointCleanup
from fluvial.datastream.checkpointing_mode import CheckpointingMode
from fluvial.datastream.connected_streams import ConnectedStreams
from fluvial.datastream.connectors.base import Sink, Source
from fluvial.datastream.data_stream import DataStream, DataStreamSink, KeyedStream
from fluvial.datastream.execution_mode import RuntimeExecutionMode
from fluvial.datastream.functions import (
    AggregateFunction,
    BroadcastProcessFunction,
    CoFlatMapFunction,
    CoMapFunction,
    CoProcessFunction,
    FilterFunction,
    FlatMapFunction,
    Function,
    KeyedBroadcastProcessFunction,
    KeyedCoProcessFunction,
    KeyedProcessFunction,
    KeySelector,
    MapFunction,
    NullByteKeySelector,
    Partitioner,
    ProcessFunction,
    ProcessWindowFunction,
    ReduceFunction,
    RuntimeContext,
    SinkFunction,
    SourceFunction,
    WindowFunction,
)
from fluvial.datastream.output_tag import OutputTag
from fluvial.datastream.stream_execution_environment import StreamExecutionEnvironment
from fluvial.datastream.time_domain import TimeDomain
from fluvial.datastream.timerservice import TimerService
from fluvial.datastream.window import (
    CountWindow,
    GlobalWindow,
    MergingWindowAssigner,
    TimeWindow,
    Trigger,
    TriggerResult,
    Window,
    WindowAssigner,
)
from fluvial.datastream.windowed_stream import AllWindowedStream, WindowedStream

__all__ = [
    "AggregateFunction",
    "AsyncDataStream",
    "AsyncFunction",
    "AsyncRetryPredicate",
    "AsyncRetryStrategy",
    "BroadcastConnectedStream",
    "BroadcastProcessFunction",
    "BroadcastStream",
    "CheckpointConfig",
    "CheckpointingMode",
    "CoFlatMapFunction",
    "CoMapFunction",
    "CoProcessFunction",
    "ConnectedStreams",
    "DataStream",
    "DataStreamSink",
    "ExternalizedCheckpointCleanup",
    "FilterFunction",
    "FlatMapFunction",
    "Function",
    "JobClient",
    "JobExecutionResult",
    "JobStatus",
    "KeySelector",
    "KeyedBroadcastProcessFunction",
    "KeyedCoProcessFunction",
    "KeyedProcessFunction",
    "KeyedStream",
    "MapFunction",
    "NullByteKeySelector",
    "OutputTag",
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
    "TimeDomain",
    "TimerService",
    # windows
    "AllWindowedStream",
    "CountWindow",
    "GlobalWindow",
    "MergingWindowAssigner",
    "ProcessWindowFunction",
    "TimeWindow",
    "Trigger",
    "TriggerResult",
    "Window",
    "WindowAssigner",
    "WindowFunction",
    "WindowedStream",
]
