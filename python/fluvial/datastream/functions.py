"""User-function classes of the DataStream API, with PyFlink's names.

Plain Python callables (lambdas, functions) are accepted wherever a function
class is; a class is needed for open()/close() and, later, for state.
"""

from abc import ABC, abstractmethod
from typing import Any, Dict, Iterable, Optional

__all__ = [
    "Function",
    "RuntimeContext",
    "MapFunction",
    "FlatMapFunction",
    "FilterFunction",
    "ReduceFunction",
    "KeySelector",
    "NullByteKeySelector",
    "ProcessFunction",
    "Partitioner",
    "SinkFunction",
    "SourceFunction",
]


class RuntimeContext:
    """What a running function can learn about where it runs (given to open())."""

    def __init__(self, task_name: str, index_of_this_subtask: int,
                 number_of_parallel_subtasks: int, max_number_of_parallel_subtasks: int,
                 job_parameters: Optional[Dict[str, str]] = None, attempt_number: int = 0):
        self._task_name = task_name
        self._index = index_of_this_subtask
        self._parallelism = number_of_parallel_subtasks
        self._max_parallelism = max_number_of_parallel_subtasks
        self._job_parameters = dict(job_parameters or {})
        self._attempt_number = attempt_number

    def get_task_name(self) -> str:
        return self._task_name

    def get_number_of_parallel_subtasks(self) -> int:
        return self._parallelism

    def get_max_number_of_parallel_subtasks(self) -> int:
        return self._max_parallelism

    def get_index_of_this_subtask(self) -> int:
        return self._index

    def get_attempt_number(self) -> int:
        return self._attempt_number

    def get_task_name_with_subtasks(self) -> str:
        return f"{self._task_name} ({self._index + 1}/{self._parallelism})"

    def get_job_parameter(self, key: str, default_value: str) -> str:
        """Returns the global job parameter `key` (ExecutionConfig.set_global_job_parameters)."""
        return self._job_parameters.get(key, default_value)


class Function(ABC):
    """Base of every user-function class: open() before the first record, close() after the last."""

    def open(self, runtime_context: RuntimeContext):
        pass

    def close(self):
        pass


class MapFunction(Function):
    @abstractmethod
    def map(self, value: Any) -> Any:
        pass


class FlatMapFunction(Function):
    @abstractmethod
    def flat_map(self, value: Any) -> Iterable[Any]:
        """Returns or yields any number of records."""


class FilterFunction(Function):
    @abstractmethod
    def filter(self, value: Any) -> bool:
        pass


class ReduceFunction(Function):
    @abstractmethod
    def reduce(self, value1: Any, value2: Any) -> Any:
        """Combines the current value for a key (value1) with a new record (value2)."""


class KeySelector(Function):
    @abstractmethod
    def get_key(self, value: Any) -> Any:
        pass


class NullByteKeySelector(KeySelector):
    """Puts every record under the same key (used for non-keyed 'all' operations)."""

    def get_key(self, value: Any) -> int:
        return 0


class Partitioner(Function):
    @abstractmethod
    def partition(self, key: Any, num_partitions: int) -> int:
        """Returns the index, in [0, num_partitions), of the subtask for `key`."""


class ProcessFunction(Function):
    """Processes each record with access to a context; yields any number of outputs."""

    class Context(ABC):
        @abstractmethod
        def timestamp(self) -> Optional[int]:
            """The record's event timestamp in ms, or None if it has none."""

        @abstractmethod
        def timer_service(self):
            pass

    @abstractmethod
    def process_element(self, value: Any, ctx: "ProcessFunction.Context") -> Iterable[Any]:
        pass


class SinkFunction(Function):
    """A sink written in Python: invoke() is called for every record."""

    class Context:
        def __init__(self):
            self._timestamp = None

        def timestamp(self) -> Optional[int]:
            return self._timestamp

        def current_processing_time(self) -> int:
            import time

            return int(time.time() * 1000)

    def invoke(self, value: Any, context: "SinkFunction.Context"):
        raise NotImplementedError(f"{type(self).__name__} must implement invoke(value, context)")


class SourceFunction(Function):
    """A source written in Python: run() emits records with ctx.collect() until it returns.

    run() runs on a thread of its own; cancel() is called when the job stops
    early and must make run() return.
    """

    class SourceContext:
        def __init__(self, emit):
            self._emit = emit

        def collect(self, element: Any):
            self._emit(element)

    def run(self, ctx: "SourceFunction.SourceContext"):
        raise NotImplementedError(f"{type(self).__name__} must implement run(ctx)")

    def cancel(self):
        pass
