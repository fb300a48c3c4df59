"""WindowedStream and AllWindowedStream (PyFlink's names): a keyed stream, or a
whole stream, cut into windows; reduce/aggregate/apply/process turn each
window into outputs.

    keyed.window(TumblingEventTimeWindows.of(Time.seconds(5))) \\
         .allowed_lateness(1000).side_output_late_data(late_tag) \\
         .reduce(lambda a, b: (a[0], a[1] + b[1]))

Both are API shells: the result is one keyed_process node per window
operation running _window_operator.WindowOperator. window_all() keys every
record by the same key and runs at parallelism 1, as Flink does.
"""

from typing import Any, Callable, List, Optional, Union

import cloudpickle

from fluvial._unsupported import RefusesUnsupportedPyFlinkMethods
from fluvial.common.time import Duration, Time
from fluvial.common.typeinfo import TypeInformation
from fluvial.datastream._keyed import KeyedRuntime, keyed_process_spec
from fluvial.datastream._plan import SubtaskInfo, Transformation
from fluvial.datastream._user_function import check_function, copy_for_subtask, output_validator
from fluvial.datastream._window_functions import (
    AggregatingContents,
    ListContents,
    ReducingContents,
    close_functions,
    open_functions,
    reduce_call,
    window_function_call,
)
from fluvial.datastream._window_operator import WindowOperator, window_runtime_context
from fluvial.datastream._window_types import MergingWindowAssigner, Trigger, WindowAssigner
from fluvial.datastream.data_stream import DataStream, KeyedStream
from fluvial.datastream.functions import (
    AggregateFunction,
    AllWindowFunction,
    ProcessAllWindowFunction,
    ProcessWindowFunction,
    ReduceFunction,
    WindowFunction,
)
from fluvial.datastream.output_tag import OutputTag

__all__ = ["WindowedStream", "AllWindowedStream"]

_CONTENTS_TABLE = "__fluvial_window_contents"


def _name_of(function: Any) -> str:
    if function is None:
        return ""
    return getattr(function, "__name__", None) or type(function).__name__


def _lateness_millis(time_ms: Any) -> int:
    if isinstance(time_ms, (Time, Duration)):
        time_ms = time_ms.to_milliseconds()
    if not isinstance(time_ms, int) or isinstance(time_ms, bool):
        raise TypeError(f"allowed_lateness() expects milliseconds as an int (or a Time or "
                        f"Duration), got {type(time_ms).__name__} {time_ms!r}")
    if time_ms < 0:
        raise ValueError(f"allowed lateness must not be negative, got {time_ms} ms")
    return time_ms


class _Windowed(RefusesUnsupportedPyFlinkMethods):
    """What WindowedStream and AllWindowedStream share."""

    _operator_label = "Window"
    _window_function_classes: tuple = (WindowFunction, ProcessWindowFunction)

    def __init__(self, keyed_stream: KeyedStream, window_assigner: WindowAssigner):
        if not isinstance(window_assigner, WindowAssigner):
            raise TypeError(f"window() expects a WindowAssigner such as "
                            f"TumblingEventTimeWindows.of(...), got {type(window_assigner).__name__}")
        self._keyed_stream = keyed_stream
        self._window_assigner = window_assigner
        self._allowed_lateness = 0
        self._late_data_output_tag: Optional[OutputTag] = None
        self._window_trigger: Optional[Trigger] = None

    def get_execution_environment(self):
        return self._keyed_stream.get_execution_environment()

    def get_input_type(self) -> Optional[TypeInformation]:
        return self._keyed_stream.get_type()

    def trigger(self, trigger: Trigger):
        """Sets when windows fire, instead of the assigner's default trigger."""
        if not isinstance(trigger, Trigger):
            raise TypeError(f"trigger() expects a Trigger, got {type(trigger).__name__}")
        if isinstance(self._window_assigner, MergingWindowAssigner) and not trigger.can_merge():
            raise TypeError(f"{self._window_assigner!r} merges windows, so its trigger must "
                            f"support merging (can_merge() and on_merge()); {trigger!r} does not")
        self._window_trigger = trigger
        return self

    def allowed_lateness(self, time_ms: int):
        """Keeps event-time windows for 'time_ms' after they fired: late elements fire them again."""
        self._allowed_lateness = _lateness_millis(time_ms)
        return self

    def side_output_late_data(self, output_tag: OutputTag):
        """Sends elements too late for every window to this side output instead of dropping them."""
        if not isinstance(output_tag, OutputTag):
            raise TypeError(f"side_output_late_data() expects an OutputTag, got "
                            f"{type(output_tag).__name__}")
        self._late_data_output_tag = output_tag
        return self

    # ------------------------------------------------------------ window functions

    def reduce(self, reduce_function: Union[Callable, ReduceFunction], window_function=None,
               output_type: Optional[TypeInformation] = None) -> DataStream:
        """Reduces each window's elements as they come; the window emits the reduction (or hands
        it to 'window_function')."""
        check_function(reduce_function, ReduceFunction, "reduce", "reduce()")
        self._check_window_function(window_function, optional=True)
        if window_function is None and output_type is None:
            output_type = self.get_input_type()
        return self._build("reduce", reduce_function, window_function, output_type)

    def aggregate(self, aggregate_function: AggregateFunction, window_function=None,
                  accumulator_type: Optional[TypeInformation] = None,
                  output_type: Optional[TypeInformation] = None) -> DataStream:
        """Adds each window's elements to an accumulator as they come; the window emits
        get_result(accumulator) (or hands it to 'window_function')."""
        if not isinstance(aggregate_function, AggregateFunction):
            raise TypeError(f"aggregate() expects an AggregateFunction, got "
                            f"{type(aggregate_function).__name__}")
        self._check_window_function(window_function, optional=True)
        return self._build("aggregate", aggregate_function, window_function, output_type)

    def apply(self, window_function, output_type: Optional[TypeInformation] = None) -> DataStream:
        """Keeps every element of a window and hands them to window_function.apply()."""
        self._check_window_function(window_function, kinds=self._window_function_classes[:1])
        return self._build("list", None, window_function, output_type)

    def process(self, process_window_function,
                output_type: Optional[TypeInformation] = None) -> DataStream:
        """Keeps every element of a window and hands them, with a context, to process()."""
        self._check_window_function(process_window_function,
                                    kinds=self._window_function_classes[1:])
        return self._build("list", None, process_window_function, output_type)

    # ------------------------------------------------------------ internals

    def _check_window_function(self, function: Any, optional: bool = False,
                               kinds: Optional[tuple] = None) -> None:
        kinds = kinds or self._window_function_classes
        if function is None and optional:
            return
        if not isinstance(function, kinds):
            expected = " or ".join(kind.__name__ for kind in kinds)
            article = "an" if expected[0] in "AEIOU" else "a"
            raise TypeError(f"expected {article} {expected}, got {type(function).__name__}")

    def _build(self, contents_kind: str, incremental: Any, window_function: Any,
               output_type: Optional[TypeInformation]) -> DataStream:
        assigner = self._window_assigner
        env = self.get_execution_environment()
        trigger = self._window_trigger or assigner.get_default_trigger(env)
        lateness = self._allowed_lateness
        late_tag = self._late_data_output_tag
        functions = ", ".join(_name_of(f) for f in (incremental, window_function) if f is not None)
        name = f"{self._operator_label}({assigner!r}, {trigger!r}, {functions})"

        native = _native_window_spec(assigner, self._window_trigger, contents_kind, incremental,
                                     window_function, lateness, late_tag, output_type)

        def make_spec(info: SubtaskInfo) -> dict:
            if native is not None:
                return native(info)
            # Each subtask gets its own copies, as PyFlink ships functions to its workers.
            own_assigner, own_trigger = cloudpickle.loads(cloudpickle.dumps((assigner, trigger)))
            own_incremental = copy_for_subtask(incremental, info.operator_name)
            own_window_function = copy_for_subtask(window_function, info.operator_name)
            runtime = KeyedRuntime()
            table = runtime.table(_CONTENTS_TABLE, "WindowContents")
            if contents_kind == "reduce":
                contents = ReducingContents(table, reduce_call(own_incremental))
            elif contents_kind == "aggregate":
                contents = AggregatingContents(table, own_incremental)
            else:
                contents = ListContents(table)
            runtime_context = window_runtime_context(info, runtime)
            operator = WindowOperator(runtime, own_assigner, own_trigger, contents,
                                      window_function_call(own_window_function), lateness,
                                      late_tag, runtime_context)
            opened: List[Any] = [f for f in (own_incremental, own_window_function) if f is not None]
            return keyed_process_spec(
                runtime, [operator.process_element], operator.on_timer, None,
                dict(info.side_outputs),
                open_hook=lambda: open_functions(opened, runtime_context),
                close_hook=lambda: close_functions(opened),
                validate=output_validator(output_type, info.operator_name),
                stamps_outputs=True)

        transformation = Transformation(
            kind="window", name=name, inputs=[self._keyed_stream._transformation],
            make_spec=make_spec, output_type=output_type)
        self._configure(transformation)
        env._add_transformation(transformation)
        return DataStream(env, transformation)

    def _configure(self, transformation: Transformation) -> None:
        pass


def _native_window_spec(assigner, trigger, contents_kind, incremental, window_function, lateness,
                        late_tag, output_type):
    """For the common window — tumbling or sliding event-time windows, the default trigger, an
    incremental reduce or aggregate and no window function — returns the spec factory of the
    engine's native window operator (cpp/python/event_time_window_operator.cc); None otherwise.
    Both paths give the same results; the native one calls Python only for add/reduce."""
    from fluvial.datastream._window_assigners import SlidingEventTimeWindows, TumblingEventTimeWindows
    from fluvial.datastream._window_triggers import EventTimeTrigger

    if type(assigner) not in (TumblingEventTimeWindows, SlidingEventTimeWindows):
        return None
    if trigger is not None and type(trigger) is not EventTimeTrigger:
        return None
    if window_function is not None or contents_kind not in ("reduce", "aggregate"):
        return None
    size = assigner._size
    slide = getattr(assigner, "_slide", size)
    missing = (f"{assigner!r} assigns windows by event time, but an element has no timestamp: give "
               f"the source a WatermarkStrategy with a timestamp assigner, or call "
               f"assign_timestamps_and_watermarks() before the window")

    def make_spec(info: SubtaskInfo) -> dict:
        function = copy_for_subtask(incremental, info.operator_name)
        runtime = KeyedRuntime()
        runtime_context = window_runtime_context(info, runtime)
        spec = {"kind": "event_time_window", "size": size, "slide": slide,
                "offset": assigner._offset, "lateness": lateness,
                "late_output": info.side_outputs.get(late_tag) if late_tag is not None else None,
                "missing_timestamp_message": missing,
                "open": lambda: open_functions([function], runtime_context),
                "close": lambda: close_functions([function])}
        if contents_kind == "reduce":
            spec["add"] = reduce_call(function)
        else:
            spec.update(create_accumulator=function.create_accumulator, add=function.add,
                        get_result=function.get_result)
        spec["validate"] = output_validator(output_type, info.operator_name)
        return spec

    return make_spec


class WindowedStream(_Windowed):
    """A KeyedStream cut into windows per key (KeyedStream.window(), count_window()).

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> sales = env.from_collection([("a", 1), ("b", 5), ("a", 2), ("a", 3), ("b", 6)])
        >>> windows = sales.key_by(lambda s: s[0]).count_window(2)
        >>> list(windows.reduce(lambda x, y: (x[0], x[1] + y[1])).execute_and_collect())
        [('a', 3), ('b', 11)]
    """


class AllWindowedStream(_Windowed):
    """A whole stream cut into windows (DataStream.window_all(), count_window_all()).

    Every record goes to one key, so the window operator runs at parallelism 1.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> windows = env.from_collection([1, 2, 3, 4, 5]).count_window_all(2)
        >>> type(windows).__name__, list(windows.reduce(lambda a, b: a + b).execute_and_collect())
        ('AllWindowedStream', [3, 7])
    """

    _operator_label = "AllWindow"
    _window_function_classes = (AllWindowFunction, ProcessAllWindowFunction)

    def __init__(self, data_stream: DataStream, window_assigner: WindowAssigner):
        from fluvial.datastream.functions import NullByteKeySelector

        super().__init__(data_stream.key_by(NullByteKeySelector()), window_assigner)

    def _configure(self, transformation: Transformation) -> None:
        transformation.parallelism = 1
        transformation.non_parallel = True
