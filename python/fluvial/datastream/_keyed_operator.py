"""How keyed, two-input and broadcast functions run on the engine's keyed_process
operator (cpp/python/keyed_process_operator.cc, spec in _keyed.keyed_process_spec).

An *adapter* turns one subtask's copy of the user's function into what the operator
calls: process[i](value, context) for input i, on_timer(timestamp, context), and
the context object. add_keyed_operator() puts the step into the plan.
"""

from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Tuple

from fluvial.datastream._broadcast_state import BroadcastStateStore
from fluvial.datastream._contexts import (
    BroadcastContext,
    BroadcastReadOnlyContext,
    CoProcessContext,
    EngineTimerService,
    KeyedBroadcastContext,
    KeyedBroadcastReadOnlyContext,
    KeyedCoProcessContext,
    KeyedProcessContext,
    ProcessContext,
    StreamTimerService,
    UnkeyedTimerService,
)
from fluvial.datastream._keyed import KeyedRuntime, keyed_process_spec
from fluvial.datastream._keyed_state import KeyedStateStore
from fluvial.datastream._plan import SubtaskInfo, Transformation
from fluvial.datastream._user_function import copy_for_subtask, output_validator
from fluvial.datastream.functions import (
    FilterFunction,
    FlatMapFunction,
    Function,
    KeyedBroadcastProcessFunction,
    MapFunction,
    RuntimeContext,
)


@dataclass
class OperatorEnv:
    """What an adapter may hand to the function's contexts, for one subtask."""

    runtime: KeyedRuntime
    timers: EngineTimerService
    keyed_state: Optional[KeyedStateStore]
    broadcast: BroadcastStateStore


# process calls per input, on_timer, context
Parts = Tuple[List[Callable[[Any, Any], Any]], Optional[Callable[[int, Any], Any]], Any]
Adapter = Callable[[Any, OperatorEnv], Parts]


# ---------------------------------------------------------------- adapters


def adapt_map(function: Any, env: OperatorEnv) -> Parts:
    call = function.map if isinstance(function, MapFunction) else function
    return [lambda value, _: (call(value),)], None, None


def adapt_flat_map(function: Any, env: OperatorEnv) -> Parts:
    call = function.flat_map if isinstance(function, FlatMapFunction) else function
    return [lambda value, _: call(value)], None, None


def adapt_filter(function: Any, env: OperatorEnv) -> Parts:
    call = function.filter if isinstance(function, FilterFunction) else function
    return [lambda value, _: (value,) if call(value) else ()], None, None


def adapt_keyed_process(function: Any, env: OperatorEnv) -> Parts:
    # KeyedProcessFunction, or a ProcessFunction on a KeyedStream (which has no on_timer).
    context = KeyedProcessContext(env.runtime, env.timers)
    return [function.process_element], getattr(function, "on_timer", None), context


def adapt_process(function: Any, env: OperatorEnv) -> Parts:
    # A ProcessFunction on a stream that is not keyed: timestamps and clocks, no timers.
    context = ProcessContext(env.runtime, StreamTimerService(env.runtime))
    return [function.process_element], None, context


def adapt_co_map(function: Any, env: OperatorEnv) -> Parts:
    map1, map2 = function.map1, function.map2
    return [lambda value, _: (map1(value),), lambda value, _: (map2(value),)], None, None


def adapt_co_flat_map(function: Any, env: OperatorEnv) -> Parts:
    flat_map1, flat_map2 = function.flat_map1, function.flat_map2
    return [lambda value, _: flat_map1(value), lambda value, _: flat_map2(value)], None, None


def adapt_co_process(function: Any, env: OperatorEnv) -> Parts:
    # CoProcessFunction or KeyedCoProcessFunction; timers only when keyed.
    if env.keyed_state is not None:
        context = KeyedCoProcessContext(env.runtime, env.timers)
    else:
        context = CoProcessContext(env.runtime, env.timers)
    return ([function.process_element1, function.process_element2],
            getattr(function, "on_timer", None), context)


def adapt_broadcast_process(function: Any, env: OperatorEnv) -> Parts:
    # Input 0 is the non-broadcast side (read-only broadcast state), input 1 the
    # broadcast side; the operator's one context goes to input 0 and on_timer.
    if isinstance(function, KeyedBroadcastProcessFunction):
        read_only = KeyedBroadcastReadOnlyContext(env.runtime, env.timers, env.broadcast)
        writable = KeyedBroadcastContext(env.runtime, env.timers, env.broadcast, env.keyed_state)
        on_timer = function.on_timer
    else:
        read_only = BroadcastReadOnlyContext(env.runtime, env.timers, env.broadcast)
        writable = BroadcastContext(env.runtime, env.timers, env.broadcast)
        on_timer = None
    process_broadcast_element = function.process_broadcast_element
    return ([function.process_element, lambda value, _: process_broadcast_element(value, writable)],
            on_timer, read_only)


# ---------------------------------------------------------------- the plan step


def keyed_operator_spec(function: Any, adapt: Adapter, info: SubtaskInfo, keyed: bool,
                        broadcast_descriptors: Sequence[Any] = (),
                        declared_type: Any = None) -> dict:
    """The keyed_process spec of one subtask of 'function'."""
    instance = copy_for_subtask(function, info.operator_name)
    runtime = KeyedRuntime()
    timers = EngineTimerService(runtime) if keyed else UnkeyedTimerService(runtime)
    keyed_state = KeyedStateStore(runtime) if keyed else None
    env = OperatorEnv(runtime, timers, keyed_state, BroadcastStateStore(broadcast_descriptors))
    process, on_timer, context = adapt(instance, env)
    open_hook = close_hook = None
    if isinstance(instance, Function):
        runtime_context = RuntimeContext(info.operator_name, info.index, info.parallelism,
                                         info.max_parallelism, info.job_parameters,
                                         keyed_state_store=keyed_state)
        open_hook, close_hook = (lambda: instance.open(runtime_context)), instance.close
    spec = keyed_process_spec(runtime, process, on_timer, context, dict(info.side_outputs),
                              open_hook, close_hook,
                              output_validator(declared_type, info.operator_name))
    spec["broadcast_store"] = env.broadcast  # for checkpoints
    return spec


def add_keyed_operator(env: Any, name: str, inputs: List[Transformation], function: Any,
                       adapt: Adapter, *, keyed: bool, declared_type: Any = None,
                       output_type: Any = None, broadcast_descriptors: Sequence[Any] = ()):
    """Adds a keyed_process step reading 'inputs' (two: input 0 and input 1) and returns
    its DataStream."""
    from fluvial.datastream.data_stream import DataStream

    descriptors = tuple(broadcast_descriptors)

    def make_spec(info: SubtaskInfo) -> dict:
        return keyed_operator_spec(function, adapt, info, keyed, descriptors, declared_type)

    transformation = Transformation(
        kind="keyed_process", name=name, inputs=list(inputs), make_spec=make_spec,
        two_input=len(inputs) == 2,
        output_type=declared_type if declared_type is not None else output_type)
    env._add_transformation(transformation)
    return DataStream(env, transformation)
