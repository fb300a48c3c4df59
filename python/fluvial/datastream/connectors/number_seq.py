"""NumberSequenceSource: the numbers from..to, split evenly over the subtasks."""

from typing import Any, List, Optional

from fluvial.datastream.connectors.base import BATCH_SIZE, Source, SourceReader

__all__ = ["NumberSequenceSource"]


class _RangeReader(SourceReader):
    """Reads ranges [next, end); its split states are (next, end) pairs."""

    def __init__(self, begin: int, end: int):
        self._ranges = [(begin, end)] if begin < end else []

    def snapshot_state(self, checkpoint_id: int) -> List[Any]:
        return list(self._ranges)

    def restore_state(self, splits: List[Any]) -> None:
        self._ranges = [(begin, end) for begin, end in splits if begin < end]

    def poll(self) -> Optional[List[int]]:
        if not self._ranges:
            return None
        begin, end = self._ranges[0]
        stop = min(begin + BATCH_SIZE, end)
        if stop < end:
            self._ranges[0] = (stop, end)
        else:
            self._ranges.pop(0)
        return list(range(begin, stop))


class NumberSequenceSource(Source):
    """A bounded source of the integers from ``start`` to ``end``, both included.

    Examples:
        >>> from fluvial.common import WatermarkStrategy
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import NumberSequenceSource
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> numbers = env.from_source(NumberSequenceSource(1, 5), WatermarkStrategy.no_watermarks(), "numbers")
        >>> list(numbers.map(lambda n: n * n).execute_and_collect())
        [1, 4, 9, 16, 25]
    """

    def __init__(self, start: int, end: int):
        for name, value in (("start", start), ("end", end)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"NumberSequenceSource {name} must be an int, got {value!r}")
        if end < start:
            raise ValueError(f"NumberSequenceSource end must be >= start ({start}), got {end}")
        self._start = start
        self._end = end

    def get_from(self) -> int:
        return self._start

    def get_to(self) -> int:
        return self._end

    def _default_name(self) -> str:
        return "Sequence Source"

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        count = self._end - self._start + 1
        begin = self._start + count * subtask_index // parallelism
        end = self._start + count * (subtask_index + 1) // parallelism
        return _RangeReader(begin, end)
