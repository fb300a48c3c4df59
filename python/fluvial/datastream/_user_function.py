"""Turns what the user passed (a function class instance or a plain callable)
into the callables the engine calls per record, one fresh copy per subtask.

Function instances are copied with cloudpickle for every parallel instance,
as PyFlink does when it ships them to its workers, so each subtask has its own
fields to set in open(). Plain callables are shared: they hold no per-subtask
state by convention.
"""

from typing import Any, Callable, Dict, Optional, Tuple

import cloudpickle

from fluvial.datastream.functions import Function, RuntimeContext
from fluvial.errors import InvalidJobError, OutputTypeError


def check_function(function: Any, function_class: type, method: str, api: str) -> None:
    """Raises TypeError unless 'function' is a 'function_class' or a plain callable."""
    if isinstance(function, function_class):
        return
    if isinstance(function, Function):
        raise TypeError(f"{api} expects a {function_class.__name__} or a callable, got a "
                        f"{type(function).__name__} (which has no {method}())")
    if not callable(function):
        raise TypeError(f"{api} expects a {function_class.__name__} or a callable, got "
                        f"{type(function).__name__} {function!r}")


def copy_for_subtask(function: Any, operator_name: str) -> Any:
    if not isinstance(function, Function):
        return function
    try:
        return cloudpickle.loads(cloudpickle.dumps(function))
    except Exception as error:
        raise InvalidJobError(
            f"operator '{operator_name}': the function {type(function).__name__} cannot be "
            f"serialized for its parallel instances ({type(error).__name__}: {error}); keep "
            f"unpicklable things such as connections out of __init__ and create them in open()"
        ) from error


def function_calls(function: Any, method: str, info) -> Tuple[Callable, Optional[Callable],
                                                             Optional[Callable]]:
    """Returns (call, open, close) for one subtask: the per-record method and the lifecycle hooks."""
    instance = copy_for_subtask(function, info.operator_name)
    if not isinstance(instance, Function):
        return instance, None, None
    context = RuntimeContext(info.operator_name, info.index, info.parallelism,
                             info.max_parallelism, info.job_parameters)
    return getattr(instance, method), (lambda: instance.open(context)), instance.close


def operator_spec(kind: str, function: Any, method: str, info, **extra: Any) -> Dict[str, Any]:
    call, open_hook, close_hook = function_calls(function, method, info)
    spec = {"kind": kind, "call": call, "open": open_hook, "close": close_hook}
    spec.update(side_output_spec(info))
    spec.update(extra)
    return spec


def side_output_spec(info) -> Dict[str, Any]:
    """What an operator needs to route `yield tag, value` to its side outputs."""
    from fluvial.datastream.output_tag import OutputTag

    return {"output_tag_class": OutputTag, "side_outputs": dict(info.side_outputs)}


def timestamp_spec(watermark_strategy: Any) -> Dict[str, Any]:
    """The native form of a WatermarkStrategy: the assigner call and the watermark delay."""
    if watermark_strategy is None:
        return {}
    assigner = watermark_strategy._timestamp_assigner
    if assigner is not None:
        assigner = cloudpickle.loads(cloudpickle.dumps(assigner)).extract_timestamp
    delay = watermark_strategy._max_out_of_orderness
    idleness = watermark_strategy._idleness
    return {"timestamp_assigner": assigner,
            "watermark_delay": None if delay is None else delay.to_milliseconds(),
            "idle_timeout": None if idleness is None else idleness.to_milliseconds()}


def output_validator(output_type: Any, operator_name: str) -> Optional[Callable[[Any], None]]:
    """Returns a per-record check of a declared output_type, or None if none was declared."""
    if output_type is None:
        return None
    validate = output_type.make_validator()
    type_text = output_type.to_type_string()

    def check(value: Any) -> None:
        try:
            validate(value)
        except TypeError as error:
            raise OutputTypeError(
                f"the function of operator '{operator_name}' returned a value that does not fit "
                f"its output_type {type_text}: {error}; return a value of that type, or declare the "
                f"output_type the function returns") from None

    return check
