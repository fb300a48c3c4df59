"""HybridSource: several sources read one after the other, as one source (PyFlink's
pyflink.datastream.connectors.hybrid_source) — typically bounded files with the history,
then Kafka from where the files end.

As in Flink, the switch is global: a subtask that has read its share of one source waits
(idle) until every subtask has, and only then do they all move on to the next source, so
no record of a later source comes before the last record of an earlier one. Every source
but the last must be bounded; the hybrid source is bounded if the last one is.

Any Source works as a stage (FileSource, NumberSequenceSource, DataGenSource, a
KafkaSource): each subtask creates the stage's reader with that source's own
``_create_reader(subtask, parallelism)``. A non-parallel stage (a collection) is read by
subtask 0 only.

Checkpoints: a reader's state is one ``("hybrid", stage, split)`` per split of the current
stage's reader (``split`` None for a subtask that has finished the stage and is waiting),
so a restored reader resumes the same stage where its splits left off. A stage reader's
union state (the FileSource's processed paths) is kept as ``(stage, item)`` pairs, also
while the subtask waits for the others to finish the stage, and handed back to the
restored stage's reader.
"""

import threading
from typing import Any, List, Optional, Set

from fluvial.datastream.connectors.base import Source, SourceReader

__all__ = ["HybridSource", "HybridSourceBuilder"]


class _Switch:
    """The subtasks of one run of a hybrid source: who has finished which stage."""

    def __init__(self, parallelism: int):
        self.parallelism = parallelism
        self.registered: Set[int] = set()
        self._finished: dict = {}
        self._lock = threading.Lock()

    def finish(self, stage: int, subtask: int) -> bool:
        """Records that 'subtask' has finished 'stage'; True once every subtask has."""
        with self._lock:
            done = self._finished.setdefault(stage, set())
            done.add(subtask)
            return len(done) >= self.parallelism


class _HybridReader(SourceReader):
    def __init__(self, source: "HybridSource", subtask_index: int, parallelism: int, switch: _Switch):
        self._source = source
        self._subtask = subtask_index
        self._parallelism = parallelism
        self._switch = switch
        self._stage = 0
        self._reader: Optional[SourceReader] = None
        self._stage_done = False
        self._restored_splits: Optional[List[Any]] = None
        self._restored_union: Optional[List[Any]] = None
        self._finished_union: List[Any] = []  # of the stage finished, while waiting

    # -- checkpoints
    def snapshot_state(self, checkpoint_id: int) -> List[Any]:
        if self._stage_done or self._reader is None:
            return [("hybrid", self._stage, None)]
        return [("hybrid", self._stage, split) for split in self._reader.snapshot_state(checkpoint_id)] \
            or [("hybrid", self._stage, None)]

    def snapshot_union_state(self, checkpoint_id: int) -> List[Any]:
        if self._reader is None:
            return list(self._finished_union)
        return [(self._stage, item) for item in self._reader.snapshot_union_state(checkpoint_id)]

    def restore_union_state(self, items: List[Any]) -> None:
        self._restored_union = list(items)

    def restore_state(self, splits: List[Any]) -> None:
        stages = set()
        for state in splits:
            if not (isinstance(state, tuple) and len(state) == 3 and state[0] == "hybrid"):
                raise ValueError(f"HybridSource cannot restore the split state {state!r}")
            stages.add(state[1])
        if len(stages) > 1:
            raise ValueError(f"HybridSource: the restored splits belong to several stages {sorted(stages)}")
        if stages:
            self._stage = stages.pop()
        self._restored_splits = [state[2] for state in splits if state[2] is not None]

    # -- reading
    def open(self) -> None:
        self._start_stage()

    def _start_stage(self) -> None:
        source = self._source._sources[self._stage]
        self._stage_done = False
        if source._is_non_parallel() and self._subtask != 0:
            self._reader = None
            return
        reader = source._create_reader(self._subtask if not source._is_non_parallel() else 0,
                                       self._parallelism if not source._is_non_parallel() else 1)
        reader.metric_group = self.metric_group
        self._finished_union = []
        if self._restored_union is not None:
            reader.restore_union_state([item for stage, item in self._restored_union
                                        if stage == self._stage])
            self._restored_union = None
        if self._restored_splits is not None:
            reader.restore_state(self._restored_splits)
            self._restored_splits = None
        reader.open()
        self._reader = reader

    def _close_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            self._finished_union = [(self._stage, item) for item in reader.snapshot_union_state(0)]
            reader.close()

    def poll(self) -> Optional[List[Any]]:
        while True:
            if not self._stage_done:
                batch = self._reader.poll() if self._reader is not None else None
                if batch is not None:
                    return batch
                self._close_reader()
                self._stage_done = True
                last = self._stage == len(self._source._sources) - 1
                everyone = self._switch.finish(self._stage, self._subtask)
                if last:
                    return None
                if not everyone:
                    return []
            elif not self._switch.finish(self._stage, self._subtask):
                return []  # waiting for the other subtasks to finish this stage
            self._stage += 1
            self._start_stage()

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        if self._reader is not None:
            self._reader.notify_checkpoint_complete(checkpoint_id)

    def close(self) -> None:
        self._close_reader()


class HybridSource(Source):
    """Reads its sources in order: ``HybridSource.builder(first).add_source(next).build()``.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import HybridSource, NumberSequenceSource
        >>> history, live = NumberSequenceSource(1, 3), NumberSequenceSource(10, 12)
        >>> source = HybridSource.builder(history).add_source(live).build()
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> _ = env.set_parallelism(2)
        >>> records = list(env.from_source(source, None, "history then live").execute_and_collect())
        >>> sorted(records[:3]), sorted(records[3:])  # every subtask finishes 'history' first
        ([1, 2, 3], [10, 11, 12])
    """

    def __init__(self, sources: List[Source]):
        for index, source in enumerate(sources):
            if not isinstance(source, Source):
                raise TypeError(f"HybridSource source {index} must be a Source (FileSource, KafkaSource, "
                                f"...), got {type(source).__name__}")
        for index, source in enumerate(sources[:-1]):
            if not source._is_bounded():
                raise ValueError(f"HybridSource: source {index} ({source._default_name()}) is unbounded; every "
                                 f"source but the last must be bounded")
        self._sources = list(sources)
        self._switch: Optional[_Switch] = None

    @staticmethod
    def builder(first_source: Source) -> "HybridSourceBuilder":
        return HybridSourceBuilder(first_source)

    def _is_bounded(self) -> bool:
        return self._sources[-1]._is_bounded()

    def _is_non_parallel(self) -> bool:
        return all(source._is_non_parallel() for source in self._sources)

    def _default_name(self) -> str:
        return "HybridSource"

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        # The engine creates the readers of one run together (in any order): a subtask
        # seen twice, or another parallelism, means a new run and a new switch.
        switch = self._switch
        if switch is None or switch.parallelism != parallelism or subtask_index in switch.registered:
            switch = self._switch = _Switch(parallelism)
        switch.registered.add(subtask_index)
        return _HybridReader(self, subtask_index, parallelism, switch)


class HybridSourceBuilder:
    """Collects the sources of a HybridSource in the order they are read
    (``HybridSource.builder(first)``); build() checks that every source but the last is
    bounded.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream.connectors import DataGenSource, HybridSource, NumberSequenceSource
        >>> builder = HybridSource.builder(NumberSequenceSource(1, 100))
        >>> type(builder.add_source(NumberSequenceSource(101, 200)).build()).__name__
        'HybridSource'
        >>> endless = DataGenSource(Types.ROW_NAMED(["x"], [Types.INT()]))
        >>> HybridSource.builder(endless).add_source(NumberSequenceSource(1, 3)).build()
        Traceback (most recent call last):
        ...
        ValueError: HybridSource: source 0 (DataGen Source) is unbounded; every source but the last must be bounded
    """

    def __init__(self, first_source: Source):
        self._sources = [first_source]

    def add_source(self, source: Source) -> "HybridSourceBuilder":
        self._sources.append(source)
        return self

    def build(self) -> HybridSource:
        return HybridSource(self._sources)
