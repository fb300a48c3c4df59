"""DataStream, KeyedStream and DataStreamSink: PyFlink's stream API, building
a plan (fluvial/datastream/_plan.py) that the native engine runs."""

from typing import Any, Callable, Optional, Union

from fluvial._unsupported import RefusesUnsupportedPyFlinkMethods
from fluvial.common.typeinfo import TypeInformation
from fluvial.common.watermark_strategy import WatermarkStrategy
from fluvial.datastream import _aggregations
from fluvial.datastream import _keyed_operator as keyed_operators
from fluvial.datastream._plan import SubtaskInfo, Transformation
from fluvial.datastream._user_function import (
    check_function,
    copy_for_subtask,
    operator_spec,
    output_validator,
    timestamp_spec,
)
from fluvial.datastream.connectors.base import Sink, sink_spec
from fluvial.datastream.functions import (
    FilterFunction,
    FlatMapFunction,
    Function,
    KeyedProcessFunction,
    KeySelector,
    MapFunction,
    Partitioner,
    ProcessFunction,
    ReduceFunction,
    RuntimeContext,
    SinkFunction,
)
from fluvial.datastream.output_tag import OutputTag

__all__ = ["DataStream", "KeyedStream", "DataStreamSink"]


class DataStream(RefusesUnsupportedPyFlinkMethods):
    """A stream of records of one type; every method returns a new stream.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> words = (env.from_collection(["to be or not to be"])
        ...          .flat_map(lambda line: line.split(), output_type=Types.STRING())
        ...          .filter(lambda word: word != "or")
        ...          .map(lambda word: (word, 1), output_type=Types.TUPLE([Types.STRING(), Types.INT()])))
        >>> words.get_type()
        TupleTypeInfo(String, Integer)
        >>> list(words.key_by(lambda pair: pair[0]).sum(1).execute_and_collect())[-2:]
        [('to', 2), ('be', 2)]
    """

    def __init__(self, env, transformation: Transformation):
        self._env = env
        self._transformation = transformation

    # ------------------------------------------------------------ properties

    def get_name(self) -> str:
        return self._transformation.name

    def name(self, name: str) -> "DataStream":
        self._physical("name").name = name
        return self

    def uid(self, uid: str) -> "DataStream":
        self._physical("uid").uid = uid
        return self

    def set_uid_hash(self, uid_hash: str) -> "DataStream":
        self._physical("set_uid_hash").uid = uid_hash
        return self

    def set_description(self, description: str) -> "DataStream":
        self._physical("set_description").description = description
        return self

    def get_type(self) -> Optional[TypeInformation]:
        return self._transformation.output_type

    def get_execution_environment(self):
        return self._env

    def set_parallelism(self, parallelism: int) -> "DataStream":
        if not isinstance(parallelism, int) or parallelism < 1:
            raise ValueError(f"parallelism must be a positive int, got {parallelism!r}")
        transformation = self._physical("set_parallelism")
        if transformation.non_parallel and parallelism != 1:
            raise ValueError(f"operator '{transformation.name}' is non-parallel: its parallelism "
                             f"must be 1, got {parallelism}")
        transformation.parallelism = parallelism
        return self

    def set_max_parallelism(self, max_parallelism: int) -> "DataStream":
        if not isinstance(max_parallelism, int) or not 0 < max_parallelism <= 32768:
            raise ValueError(f"max parallelism must be an int in [1, 32768], got {max_parallelism!r}")
        self._physical("set_max_parallelism").max_parallelism = max_parallelism
        return self

    def force_non_parallel(self) -> "DataStream":
        transformation = self._physical("force_non_parallel")
        transformation.parallelism = 1
        transformation.non_parallel = True
        return self

    def disable_chaining(self) -> "DataStream":
        self._physical("disable_chaining").chaining = False
        return self

    def start_new_chain(self) -> "DataStream":
        # Approximated by running the operator in its own worker.
        self._physical("start_new_chain").chaining = False
        return self

    def slot_sharing_group(self, slot_sharing_group: Any) -> "DataStream":
        return self  # one process: every operator shares it

    # ------------------------------------------------------------ operators

    def map(self, func: Union[Callable, MapFunction],
            output_type: Optional[TypeInformation] = None) -> "DataStream":
        """Applies func to every record (a MapFunction or a callable).

        A MapFunction that also defines ``map_batch(values) -> list`` (such as the Redis and
        JDBC lookups) is called once per batch of records instead, with the same results.
        """
        check_function(func, MapFunction, "map", "map()")
        if isinstance(func, MapFunction) and callable(getattr(type(func), "map_batch", None)):
            return self._one_input("map_batch", "Map", func, "map_batch", output_type)
        return self._one_input("map", "Map", func, "map", output_type)

    def flat_map(self, func: Union[Callable, FlatMapFunction],
                 output_type: Optional[TypeInformation] = None) -> "DataStream":
        """Emits every element func returns or yields for each record."""
        check_function(func, FlatMapFunction, "flat_map", "flat_map()")
        return self._one_input("flat_map", "FlatMap", func, "flat_map", output_type)

    def filter(self, func: Union[Callable, FilterFunction]) -> "DataStream":
        """Keeps the records for which func is true."""
        check_function(func, FilterFunction, "filter", "filter()")
        return self._one_input("filter", "Filter", func, "filter", None,
                               output_type=self._transformation.output_type)

    def process(self, func: ProcessFunction,
                output_type: Optional[TypeInformation] = None) -> "DataStream":
        """Calls func.process_element(value, ctx) for every record; it yields the outputs."""
        if not isinstance(func, ProcessFunction):
            hint = ": call key_by() first, keyed functions need a keyed stream" \
                if isinstance(func, KeyedProcessFunction) else ""
            raise TypeError(f"process() expects a ProcessFunction, got {type(func).__name__}{hint}")
        from fluvial.datastream import _keyed_operator as operators

        return operators.add_keyed_operator(self._env, "Process", [self._transformation], func,
                                            operators.adapt_process, keyed=False,
                                            declared_type=output_type)

    def key_by(self, key_selector: Union[Callable, KeySelector],
               key_type: Optional[TypeInformation] = None) -> "KeyedStream":
        """Partitions the stream by key; the keyed operators after it see one key at a time."""
        check_function(key_selector, KeySelector, "get_key", "key_by()")
        transformation = Transformation(
            kind="key_by", name="KeyBy", inputs=[self._transformation],
            key_selector=key_selector, output_type=self._transformation.output_type)
        keyed = KeyedStream(self._env, transformation, self)
        keyed._key_type = key_type
        return keyed

    def union(self, *streams: "DataStream") -> "DataStream":
        """Merges this stream with others of the same type."""
        for stream in streams:
            if not isinstance(stream, DataStream):
                raise TypeError(f"union() expects DataStreams, got {type(stream).__name__}")
            if stream._env is not self._env:
                raise ValueError("union() needs streams of the same execution environment")
        transformation = Transformation(
            kind="union", name="Union",
            inputs=[self._transformation] + [s._transformation for s in streams],
            output_type=self._transformation.output_type)
        return DataStream(self._env, transformation)

    def window_all(self, window_assigner):
        """Cuts the whole stream into windows (an AllWindowedStream); the window operator runs
        at parallelism 1."""
        from fluvial.datastream.windowed_stream import AllWindowedStream

        return AllWindowedStream(self, window_assigner)

    def count_window_all(self, size: int, slide: int = 0):
        """Windows of 'size' consecutive records of the whole stream, one every 'slide' records
        (0: tumbling)."""
        from fluvial.datastream.window import CountSlidingWindowAssigner, CountTumblingWindowAssigner
        from fluvial.datastream.windowed_stream import AllWindowedStream

        assigner = (CountTumblingWindowAssigner(size) if not slide
                    else CountSlidingWindowAssigner(size, slide))
        return AllWindowedStream(self, assigner)

    def shuffle(self) -> "DataStream":
        """Sends each record to a uniformly random subtask of the next operator."""
        return self._partition("shuffle")

    def rebalance(self) -> "DataStream":
        """Spreads records round-robin over all subtasks of the next operator."""
        return self._partition("rebalance")

    def rescale(self) -> "DataStream":
        """Spreads records round-robin over a local subset of the next operator's subtasks."""
        return self._partition("rescale")

    def forward(self) -> "DataStream":
        """Sends records of subtask i to subtask i (equal parallelism needed)."""
        return self._partition("forward")

    def broadcast(self, *broadcast_state_descriptors):
        """Sends every record to every subtask of the next operator.

        With MapStateDescriptors, returns a BroadcastStream to connect() another
        stream to; its function keeps the broadcast elements in those states.
        """
        stream = self._partition("broadcast")
        if not broadcast_state_descriptors:
            return stream
        from fluvial.datastream.broadcast_stream import BroadcastStream

        return BroadcastStream(self._env, stream._transformation, broadcast_state_descriptors)

    def connect(self, ds):
        """Connects a DataStream (-> ConnectedStreams) or a BroadcastStream
        (-> BroadcastConnectedStream) to this stream, for one two-input function."""
        from fluvial.datastream.broadcast_stream import BroadcastConnectedStream, BroadcastStream
        from fluvial.datastream.connected_streams import ConnectedStreams

        if isinstance(ds, BroadcastStream):
            return BroadcastConnectedStream(self, ds)
        if isinstance(ds, DataStream):
            return ConnectedStreams(self, ds)
        raise TypeError(f"connect() expects a DataStream or a BroadcastStream, got {type(ds).__name__}")

    def partition_custom(self, partitioner: Union[Callable, Partitioner],
                         key_selector: Union[Callable, KeySelector]) -> "DataStream":
        """Sends each record to partitioner(key_selector(record), num_partitions)."""
        check_function(partitioner, Partitioner, "partition", "partition_custom()")
        check_function(key_selector, KeySelector, "get_key", "partition_custom()")
        transformation = Transformation(
            kind="partition", name="CustomPartition", inputs=[self._transformation],
            partition="custom", partitioner=partitioner, key_selector=key_selector,
            output_type=self._transformation.output_type)
        return DataStream(self._env, transformation)

    def get_side_output(self, output_tag: OutputTag) -> "DataStream":
        """The stream of values this operator's function emitted with ``yield output_tag, value``."""
        if not isinstance(output_tag, OutputTag):
            raise TypeError(f"get_side_output() expects an OutputTag, got {type(output_tag).__name__}")
        self._physical("get_side_output")
        transformation = Transformation(
            kind="side_output", name=f"SideOutput({output_tag.tag_id})",
            inputs=[self._transformation], output_tag=output_tag,
            output_type=output_tag.type_info)
        return DataStream(self._env, transformation)

    def assign_timestamps_and_watermarks(self, watermark_strategy: WatermarkStrategy) -> "DataStream":
        """Gives records new timestamps and watermarks from 'watermark_strategy'."""
        if not isinstance(watermark_strategy, WatermarkStrategy):
            raise TypeError(f"assign_timestamps_and_watermarks() expects a WatermarkStrategy, got "
                            f"{type(watermark_strategy).__name__}")

        def make_spec(info: SubtaskInfo) -> dict:
            spec = {"kind": "timestamps"}
            spec.update(timestamp_spec(watermark_strategy))
            return spec

        transformation = Transformation(
            kind="timestamps", name="Timestamps/Watermarks", inputs=[self._transformation],
            make_spec=make_spec, output_type=self._transformation.output_type)
        self._env._add_transformation(transformation)
        return DataStream(self._env, transformation)

    # ------------------------------------------------------------ sinks

    def print(self, sink_identifier: Optional[str] = None) -> "DataStreamSink":
        """Prints every record to standard output ("2> value" when parallel, as Flink)."""
        from fluvial.common._display import print_text_for
        from fluvial.datastream._builtin import PrintSink

        # PyFlink's print() shows untyped records as str(record) and Row records as
        # +I[a,b]; other typed records as Java's toString (see common/_display.py).
        text = print_text_for(self._transformation.output_type)
        return self._sink_to(PrintSink(sink_identifier)._with_text(text))

    def sink_to(self, sink: Sink) -> "DataStreamSink":
        if not isinstance(sink, Sink):
            raise TypeError(f"sink_to() expects a Sink (such as FileSink), got "
                            f"{type(sink).__name__}; use add_sink() for a SinkFunction")
        return self._sink_to(sink._for_input_type(self._transformation.output_type))

    def _sink_to(self, sink: Sink) -> "DataStreamSink":

        def make_spec(info: SubtaskInfo) -> dict:
            return sink_spec(sink._create_writer(info.index, info.parallelism))

        return self._add_sink(sink._default_name(), make_spec)

    def add_sink(self, sink_func: SinkFunction) -> "DataStreamSink":
        """Calls sink_func.invoke(value, context) for every record."""
        from fluvial.datastream._builtin import _SinkFunctionWriter

        if isinstance(sink_func, Sink):  # a SinkFunction that writes batches, such as JdbcSink
            return self.sink_to(sink_func)
        if not isinstance(sink_func, SinkFunction):
            raise TypeError(f"add_sink() expects a SinkFunction, got {type(sink_func).__name__}")
        if hasattr(sink_func, "_for_input_type"):  # a sink that shows records as their type's text
            sink_func._for_input_type(self._transformation.output_type)

        def make_spec(info: SubtaskInfo) -> dict:
            function = copy_for_subtask(sink_func, info.operator_name)
            context = RuntimeContext(info.operator_name, info.index, info.parallelism,
                                     info.max_parallelism, info.job_parameters)
            return sink_spec(_SinkFunctionWriter(function, context))

        return self._add_sink("Sink: Unnamed", make_spec)

    def execute_and_collect(self, job_execution_name: Optional[str] = None,
                            limit: Optional[int] = None):
        """Runs the job and returns its records: an iterator, or a list of at most 'limit'."""
        from fluvial.datastream._builtin import CollectSink
        from fluvial.datastream._job import CollectBuffer

        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise ValueError(f"limit must be a non-negative int, got {limit!r}")
        buffer = CollectBuffer()
        sink = CollectSink(buffer)
        # One collecting subtask, as Flink's collect sink: the records of a non-parallel
        # stream arrive in their order.
        transformation = Transformation(
            kind="sink", name=sink._default_name(), inputs=[self._transformation],
            make_spec=lambda info: sink_spec(sink._create_writer(info.index, info.parallelism)),
            non_parallel=True, parallelism=1)
        iterator = self._env._execute_collect(job_execution_name, transformation, buffer)
        if limit is None:
            return iterator
        with iterator:
            results = []
            # Stops as soon as 'limit' records are there, without waiting for one more.
            while len(results) < limit:
                try:
                    results.append(next(iterator))
                except StopIteration:
                    break
            return results

    # ------------------------------------------------------------ internals

    def _physical(self, method: str) -> Transformation:
        if self._transformation.kind in ("union", "partition", "key_by"):
            raise ValueError(f"{method}() applies to an operator; this stream is the result of "
                             f"{self._transformation.name}, which is not one")
        return self._transformation

    def _partition(self, kind: str) -> "DataStream":
        transformation = Transformation(
            kind="partition", name=kind.capitalize(), inputs=[self._transformation],
            partition=kind, output_type=self._transformation.output_type)
        return DataStream(self._env, transformation)

    def _one_input(self, kind: str, name: str, function: Any, method: str,
                   declared_type: Optional[TypeInformation], output_type: Any = None,
                   **extra: Any) -> "DataStream":
        def make_spec(info: SubtaskInfo) -> dict:
            validate = output_validator(declared_type, info.operator_name)
            return operator_spec(kind, function, method, info, validate=validate, **extra)

        transformation = Transformation(
            kind=kind, name=name, inputs=[self._transformation], make_spec=make_spec,
            output_type=declared_type if declared_type is not None else output_type)
        self._env._add_transformation(transformation)
        return DataStream(self._env, transformation)

    def _add_sink(self, name: str, make_spec) -> "DataStreamSink":
        transformation = Transformation(kind="sink", name=name, inputs=[self._transformation],
                                        make_spec=make_spec)
        self._env._add_transformation(transformation)
        return DataStreamSink(transformation)


class KeyedStream(DataStream):
    """A stream partitioned by key (DataStream.key_by).

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> temps = env.from_collection([("berlin", 3), ("oslo", -2), ("berlin", 7), ("oslo", -5)])
        >>> by_city = temps.key_by(lambda t: t[0])
        >>> list(by_city.max(1).execute_and_collect())
        [('berlin', 3), ('oslo', -2), ('berlin', 7), ('oslo', -2)]
        >>> list(by_city.reduce(lambda a, b: (a[0], a[1] + b[1])).execute_and_collect())
        [('berlin', 3), ('oslo', -2), ('berlin', 10), ('oslo', -7)]
    """

    # A keyed stream's partitioning is its key's, as in Flink: the other partitionings are refused.
    def _partition(self, kind: str) -> "DataStream":
        from fluvial.errors import InvalidJobError

        raise InvalidJobError(f"Cannot override partitioning for KeyedStream: {kind}() after key_by(); "
                              f"call it before key_by(), or on the result of an operator on the keyed stream")

    def broadcast(self, *broadcast_state_descriptors):
        return self._partition("broadcast")

    def partition_custom(self, partitioner: Any, key_selector: Any) -> "DataStream":
        return self._partition("partition_custom")

    def __init__(self, env, transformation: Transformation, original: DataStream):
        super().__init__(env, transformation)
        self._original = original
        # key_by()'s key_type: orders BATCH results as Flink's key comparison does.
        self._key_type: Optional[TypeInformation] = None

    def process(self, func: KeyedProcessFunction,
                output_type: Optional[TypeInformation] = None) -> DataStream:
        """Calls func.process_element(value, ctx) per record and func.on_timer(timestamp, ctx)
        per timer, one key at a time, with keyed state (RuntimeContext.get_state())."""
        if not isinstance(func, (KeyedProcessFunction, ProcessFunction)):
            raise TypeError(f"KeyedStream.process() expects a KeyedProcessFunction, got "
                            f"{type(func).__name__}")
        return self._keyed_operator("KeyedProcess", func, keyed_operators.adapt_keyed_process,
                                    output_type)

    # A function class gets a RuntimeContext with keyed state in open(), so it runs on the
    # keyed operator; a plain callable cannot reach state and keeps the faster native one.

    def map(self, func: Union[Callable, MapFunction],
            output_type: Optional[TypeInformation] = None) -> DataStream:
        if not isinstance(func, Function):
            return super().map(func, output_type)
        check_function(func, MapFunction, "map", "map()")
        return self._keyed_operator("Map", func, keyed_operators.adapt_map, output_type)

    def flat_map(self, func: Union[Callable, FlatMapFunction],
                 output_type: Optional[TypeInformation] = None) -> DataStream:
        if not isinstance(func, Function):
            return super().flat_map(func, output_type)
        check_function(func, FlatMapFunction, "flat_map", "flat_map()")
        return self._keyed_operator("FlatMap", func, keyed_operators.adapt_flat_map, output_type)

    def filter(self, func: Union[Callable, FilterFunction]) -> DataStream:
        if not isinstance(func, Function):
            return super().filter(func)
        check_function(func, FilterFunction, "filter", "filter()")
        return self._keyed_operator("Filter", func, keyed_operators.adapt_filter, None,
                                    output_type=self._transformation.output_type)

    def _keyed_operator(self, name: str, func: Any, adapt, declared_type, output_type=None):
        return keyed_operators.add_keyed_operator(
            self._env, name, [self._transformation], func, adapt, keyed=True,
            declared_type=declared_type, output_type=output_type)

    def window(self, window_assigner):
        """Cuts each key's records into windows (a WindowedStream)."""
        from fluvial.datastream.windowed_stream import WindowedStream

        return WindowedStream(self, window_assigner)

    def count_window(self, size: int, slide: int = 0):
        """Windows of 'size' consecutive records of a key, one every 'slide' records (0: tumbling)."""
        from fluvial.datastream.window import CountSlidingWindowAssigner, CountTumblingWindowAssigner
        from fluvial.datastream.windowed_stream import WindowedStream

        assigner = (CountTumblingWindowAssigner(size) if not slide
                    else CountSlidingWindowAssigner(size, slide))
        return WindowedStream(self, assigner)

    def reduce(self, func: Union[Callable, ReduceFunction]) -> DataStream:
        """Emits, per record, the key's running reduce(current, record) (in BATCH mode only the last)."""
        check_function(func, ReduceFunction, "reduce", "reduce()")
        return self._reduce("Keyed Reduce", func, "reduce")

    def sum(self, position_to_sum: Union[int, str] = 0) -> DataStream:
        return self._reduce("Keyed Aggregation", _aggregations.sum_reducer(position_to_sum), None)

    def min(self, position_to_min: Union[int, str] = 0) -> DataStream:
        return self._reduce("Keyed Aggregation", _aggregations.min_reducer(position_to_min), None)

    def max(self, position_to_max: Union[int, str] = 0) -> DataStream:
        return self._reduce("Keyed Aggregation", _aggregations.max_reducer(position_to_max), None)

    def min_by(self, position_to_min_by: Union[int, str] = 0) -> DataStream:
        return self._reduce("Keyed Aggregation", _aggregations.min_by_reducer(position_to_min_by), None)

    def max_by(self, position_to_max_by: Union[int, str] = 0) -> DataStream:
        return self._reduce("Keyed Aggregation", _aggregations.max_by_reducer(position_to_max_by), None)

    def _reduce(self, name: str, function: Any, method: Optional[str]) -> DataStream:
        output_type = self._transformation.output_type
        from fluvial.datastream._batch_order import final_order

        order = final_order(self._key_type)

        def make_spec(info: SubtaskInfo) -> dict:
            spec = operator_spec("reduce", function, method or "__call__", info,
                                 final_only=info.batch_mode)
            if info.batch_mode and order is not None:
                spec["final_order"] = order
            return spec

        transformation = Transformation(kind="reduce", name=name, inputs=[self._transformation],
                                        make_spec=make_spec, output_type=output_type)
        self._env._add_transformation(transformation)
        return DataStream(self._env, transformation)

    def set_parallelism(self, parallelism: int):
        raise ValueError("set_parallelism() cannot be called on a KeyedStream: set it on the "
                         "operator before key_by() or after the keyed operator")

    def name(self, name: str):
        raise ValueError("a KeyedStream has no operator of its own to name")


class DataStreamSink(RefusesUnsupportedPyFlinkMethods):
    """What print(), add_sink() and sink_to() return: the sink operator's settings.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> sink = env.from_collection([1, 2]).print().name("show").set_parallelism(1)
        >>> type(sink).__name__
        'DataStreamSink'
        >>> result = env.execute()
        1
        2
    """

    def __init__(self, transformation: Transformation):
        self._transformation = transformation

    def name(self, name: str) -> "DataStreamSink":
        self._transformation.name = name
        return self

    def uid(self, uid: str) -> "DataStreamSink":
        self._transformation.uid = uid
        return self

    def set_uid_hash(self, uid_hash: str) -> "DataStreamSink":
        self._transformation.uid = uid_hash
        return self

    def set_description(self, description: str) -> "DataStreamSink":
        self._transformation.description = description
        return self

    def set_parallelism(self, parallelism: int) -> "DataStreamSink":
        if not isinstance(parallelism, int) or parallelism < 1:
            raise ValueError(f"parallelism must be a positive int, got {parallelism!r}")
        self._transformation.parallelism = parallelism
        return self

    def disable_chaining(self) -> "DataStreamSink":
        self._transformation.chaining = False
        return self

    def slot_sharing_group(self, slot_sharing_group: Any) -> "DataStreamSink":
        return self


def __getattr__(name: str):
    # PyFlink's data_stream module also holds these; here they have files of their own,
    # imported late because they build on DataStream.
    if name == "ConnectedStreams":
        from fluvial.datastream.connected_streams import ConnectedStreams

        return ConnectedStreams
    if name in ("BroadcastStream", "BroadcastConnectedStream"):
        from fluvial.datastream import broadcast_stream

        return getattr(broadcast_stream, name)
    if name in ("WindowedStream", "AllWindowedStream"):
        from fluvial.datastream import windowed_stream

        return getattr(windowed_stream, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
