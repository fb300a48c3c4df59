"""ConnectedStreams (PyFlink's DataStream.connect(other)): two streams, possibly of
different types, processed by one two-input function that can share state
between them (input 0 is the first stream, input 1 the second)."""

from typing import Any, Callable, Optional, Union

from fluvial._unsupported import RefusesUnsupportedPyFlinkMethods
from fluvial.common.typeinfo import TypeInformation
from fluvial.datastream import _keyed_operator as operators
from fluvial.datastream.functions import (
    CoFlatMapFunction,
    CoMapFunction,
    CoProcessFunction,
    KeyedCoProcessFunction,
    KeySelector,
)

__all__ = ["ConnectedStreams"]


class ConnectedStreams(RefusesUnsupportedPyFlinkMethods):
    """Two streams connected for one operator that sees both (DataStream.connect()).

    Examples:
        >>> from fluvial.datastream import CoMapFunction, StreamExecutionEnvironment
        >>> class Either(CoMapFunction):
        ...     def map1(self, value):
        ...         return value
        ...     def map2(self, value):
        ...         return -value
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> connected = env.from_collection([1, 2]).connect(env.from_collection([3]))
        >>> sorted(connected.map(Either()).execute_and_collect())
        [-3, 1, 2]
    """

    def __init__(self, stream1, stream2):
        from fluvial.datastream.data_stream import KeyedStream

        self.stream1 = stream1
        self.stream2 = stream2
        # Keyed state and timers need both sides keyed, so a key is always current.
        self._keyed = isinstance(stream1, KeyedStream) and isinstance(stream2, KeyedStream)

    def key_by(self, key_selector1: Union[Callable, KeySelector],
               key_selector2: Union[Callable, KeySelector],
               key_type: Optional[TypeInformation] = None) -> "ConnectedStreams":
        """Partitions both streams by key, so that equal keys of the two meet in one subtask."""
        return ConnectedStreams(self.stream1.key_by(key_selector1, key_type),
                                self.stream2.key_by(key_selector2, key_type))

    def map(self, func: CoMapFunction, output_type: Optional[TypeInformation] = None):
        """map1() for elements of the first stream, map2() for the second."""
        _expect(func, CoMapFunction, "map")
        return self._operator("CoMap", func, operators.adapt_co_map, output_type)

    def flat_map(self, func: CoFlatMapFunction, output_type: Optional[TypeInformation] = None):
        _expect(func, CoFlatMapFunction, "flat_map")
        return self._operator("CoFlatMap", func, operators.adapt_co_flat_map, output_type)

    def process(self, func: Union[CoProcessFunction, KeyedCoProcessFunction],
                output_type: Optional[TypeInformation] = None):
        """process_element1()/process_element2() per element; timers with keyed streams."""
        if isinstance(func, KeyedCoProcessFunction):
            if not self._keyed:
                raise TypeError("a KeyedCoProcessFunction needs keyed connected streams: call "
                                "connect(...).key_by(key_selector1, key_selector2) first, or use "
                                "a CoProcessFunction")
            name = "KeyedCoProcess"
        elif isinstance(func, CoProcessFunction):
            name = "CoProcess"
        else:
            raise TypeError(f"ConnectedStreams.process() expects a CoProcessFunction or a "
                            f"KeyedCoProcessFunction, got {type(func).__name__}")
        return self._operator(name, func, operators.adapt_co_process, output_type)

    def _operator(self, name: str, func: Any, adapt, output_type):
        if self.stream1._env is not self.stream2._env:
            raise ValueError("connect() needs streams of the same execution environment")
        return operators.add_keyed_operator(
            self.stream1._env, name, [self.stream1._transformation, self.stream2._transformation],
            func, adapt, keyed=self._keyed, declared_type=output_type)


def _expect(func: Any, function_class: type, method: str) -> None:
    if not isinstance(func, function_class):
        raise TypeError(f"ConnectedStreams.{method}() expects a {function_class.__name__}, got "
                        f"{type(func).__name__}")
