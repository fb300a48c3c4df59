"""BroadcastStream and BroadcastConnectedStream (PyFlink's broadcast state pattern).

DataStream.broadcast(descriptor, ...) sends every element to every parallel
instance of the next operator; connecting another stream to it gives a
BroadcastConnectedStream whose process function keeps the broadcast elements in
broadcast state (one dict per descriptor, the same in every instance) and reads
it for the other stream's elements.
"""

from typing import Optional, Sequence, Union

from fluvial._unsupported import RefusesUnsupportedPyFlinkMethods
from fluvial.common.typeinfo import TypeInformation
from fluvial.datastream import _keyed_operator as operators
from fluvial.datastream._plan import Transformation
from fluvial.datastream.functions import BroadcastProcessFunction, KeyedBroadcastProcessFunction
from fluvial.datastream.state import MapStateDescriptor

__all__ = ["BroadcastStream", "BroadcastConnectedStream"]


class BroadcastStream:
    """A stream sent whole to every instance, with the broadcast states it fills.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.state import MapStateDescriptor
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> descriptor = MapStateDescriptor("rules", Types.STRING(), Types.INT())
        >>> rules = env.from_collection([("max", 10)]).broadcast(descriptor)
        >>> type(rules).__name__
        'BroadcastStream'
    """

    def __init__(self, env, transformation: Transformation,
                 broadcast_state_descriptors: Sequence[MapStateDescriptor]):
        for descriptor in broadcast_state_descriptors:
            if not isinstance(descriptor, MapStateDescriptor):
                raise TypeError(f"broadcast() expects MapStateDescriptors, got "
                                f"{type(descriptor).__name__} {descriptor!r}")
        self._env = env
        self._transformation = transformation
        self.broadcast_state_descriptors = tuple(broadcast_state_descriptors)


class BroadcastConnectedStream(RefusesUnsupportedPyFlinkMethods):
    """A DataStream or KeyedStream (input 0) connected with a BroadcastStream (input 1).

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import BroadcastProcessFunction, StreamExecutionEnvironment
        >>> from fluvial.datastream.state import MapStateDescriptor
        >>> words = MapStateDescriptor("stop words", Types.STRING(), Types.BOOLEAN())
        >>> class Mark(BroadcastProcessFunction):
        ...     def process_element(self, value, ctx):
        ...         yield value
        ...     def process_broadcast_element(self, value, ctx):
        ...         ctx.get_broadcast_state(words).put(value, True)
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> connected = env.from_collection(["a", "the"]).connect(env.from_collection(["the"]).broadcast(words))
        >>> type(connected).__name__, sorted(connected.process(Mark()).execute_and_collect())
        ('BroadcastConnectedStream', ['a', 'the'])
    """

    def __init__(self, non_broadcast_stream, broadcast_stream: BroadcastStream):
        self.non_broadcast_stream = non_broadcast_stream
        self.broadcast_stream = broadcast_stream

    def process(self, func: Union[BroadcastProcessFunction, KeyedBroadcastProcessFunction],
                output_type: Optional[TypeInformation] = None):
        """process_element() for the other stream, process_broadcast_element() for the
        broadcast one (in every parallel instance)."""
        from fluvial.datastream.data_stream import KeyedStream

        keyed = isinstance(self.non_broadcast_stream, KeyedStream)
        if isinstance(func, KeyedBroadcastProcessFunction):
            if not keyed:
                raise TypeError("a KeyedBroadcastProcessFunction needs a KeyedStream: call "
                                "key_by() before connect(broadcast_stream), or use a "
                                "BroadcastProcessFunction")
            name = "KeyedBroadcastProcess"
        elif isinstance(func, BroadcastProcessFunction):
            if keyed:
                raise TypeError("a KeyedStream connected with a BroadcastStream needs a "
                                "KeyedBroadcastProcessFunction, got a BroadcastProcessFunction")
            name = "BroadcastProcess"
        else:
            raise TypeError(f"BroadcastConnectedStream.process() expects a BroadcastProcessFunction "
                            f"or a KeyedBroadcastProcessFunction, got {type(func).__name__}")
        if self.non_broadcast_stream._env is not self.broadcast_stream._env:
            raise ValueError("connect() needs streams of the same execution environment")
        return operators.add_keyed_operator(
            self.broadcast_stream._env, name,
            [self.non_broadcast_stream._transformation, self.broadcast_stream._transformation],
            func, operators.adapt_broadcast_process, keyed=keyed, declared_type=output_type,
            broadcast_descriptors=self.broadcast_stream.broadcast_state_descriptors)
