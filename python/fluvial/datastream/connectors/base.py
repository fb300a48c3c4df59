"""The contracts between the engine and Python connectors.

A Source is partitioned: each parallel subtask gets a reader for its share
of the input. The engine calls reader.poll() in its source loop: a list of
records (empty if nothing is there yet) or None once a bounded input is
exhausted. A Sink gives each subtask a writer that receives whole batches.
Readers and writers run on the engine's worker threads, one thread each.

Checkpoints (see docs/architecture.md) talk to connectors through four
calls, all made on the reader's or writer's own thread, between two polls or
two writes, so no locking is needed:

- ``SourceReader.snapshot_state(checkpoint_id)`` returns this reader's
  position as a list of split states (picklable; e.g. one
  ``(topic, partition, next_offset)`` per Kafka partition). On recovery the
  engine gathers the lists of all subtasks and hands each new subtask its
  share through ``restore_state(splits)`` before ``open()``: the parallelism
  may differ from the one that took the snapshot, so a split state must make
  sense on its own.
- ``SourceReader.snapshot_union_state(checkpoint_id)`` returns items that every
  new subtask must know, as Flink's union list state: on recovery each new
  subtask gets the items of all old subtasks through
  ``restore_union_state(items)``, before ``restore_state``. The FileSource keeps
  its processed paths there (its subtasks choose files by a hash of the path,
  so after a rescale any of them may meet any path).
- ``SinkWriter.snapshot_state(checkpoint_id)`` flushes everything written
  before the barrier and pre-commits it (a Kafka transaction prepared, a
  part file moved to pending); it returns what a restarted writer needs to
  finish or undo that work. ``notify_checkpoint_complete(checkpoint_id)``
  commits what was pre-committed up to that checkpoint. On recovery
  ``restore_state(state)`` runs before ``open()``: pre-committed work of the
  restored (complete) checkpoint is committed, idempotently, and anything
  newer is aborted.

Watermarks per split: a reader that reads several splits (Kafka partitions) may
return a ``SplitBatch`` from poll() instead of a list, naming the split of every
record. The engine then keeps one watermark per split and emits the minimum over
the splits that are not idle (cpp/runtime/split_watermarks.h), as Flink's
KafkaSource does, so a split far ahead does not make another split's records late.
"""

from array import array
from enum import Enum
from typing import Any, List, Optional, Sequence, Union

from fluvial.datastream.connectors.metrics import SourceReaderMetricGroup

# source_spec and sink_spec are the engine's plumbing, not API.
__all__ = ["Sink", "SinkWriter", "Source", "SourceReader", "SplitBatch"]

BATCH_SIZE = 1024


class DeliveryGuarantee(Enum):
    """What a sink promises about records reaching the external system (Flink's names):
    EXACTLY_ONCE (transactions committed on checkpoints), AT_LEAST_ONCE (flushed on
    checkpoints; a replay may write a record twice) or NONE (no promise).

    Examples:
        >>> from fluvial.datastream.connectors import DeliveryGuarantee
        >>> from fluvial.datastream.connectors.kafka import KafkaSink
        >>> [guarantee.name for guarantee in DeliveryGuarantee]
        ['EXACTLY_ONCE', 'AT_LEAST_ONCE', 'NONE']
        >>> builder = KafkaSink.builder().set_delivery_guarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        >>> KafkaSink.builder().set_delivery_guarantee("EXACTLY_ONCE")
        Traceback (most recent call last):
            ...
        TypeError: set_delivery_guarantee() expects a DeliveryGuarantee, got 'EXACTLY_ONCE'
    """

    EXACTLY_ONCE = 0
    AT_LEAST_ONCE = 1
    NONE = 2


class SourceReader:
    """Reads one subtask's share of a Source: poll() returns a batch of records, [] when none is
    ready yet, None once a bounded input is exhausted.

    Examples:
        >>> from fluvial.datastream.connectors.base import SourceReader
        >>> class Batches(SourceReader):
        ...     def __init__(self):
        ...         self.batches = [[1, 2], [3]]
        ...     def poll(self):
        ...         return self.batches.pop(0) if self.batches else None
        >>> reader = Batches()
        >>> reader.poll(), reader.poll(), reader.poll()
        ([1, 2], [3], None)
    """

    _metric_group: Optional[SourceReaderMetricGroup] = None

    @property
    def metric_group(self) -> SourceReaderMetricGroup:
        """This subtask's metrics; the environment sets the job's group before open()."""
        if self._metric_group is None:
            self._metric_group = SourceReaderMetricGroup()
        return self._metric_group

    @metric_group.setter
    def metric_group(self, group: SourceReaderMetricGroup) -> None:
        self._metric_group = group

    def open(self) -> None:
        pass

    def poll(self) -> Optional[List[Any]]:
        raise NotImplementedError

    def snapshot_state(self, checkpoint_id: int) -> List[Any]:
        """This reader's position as split states; a reader that cannot resume returns []."""
        return []

    def restore_state(self, splits: List[Any]) -> None:
        """Called before open() on recovery with this subtask's share of the snapshotted splits."""

    def snapshot_union_state(self, checkpoint_id: int) -> List[Any]:
        """Items every subtask gets back on recovery (union list state); [] by default."""
        return []

    def restore_union_state(self, items: List[Any]) -> None:
        """Called before restore_state() on recovery with the union-state items of all subtasks."""

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        """Called once every operator has stored the checkpoint (e.g. commit Kafka offsets)."""

    def close(self) -> None:
        pass


class SplitBatch:
    """What a reader of several splits returns from poll() for watermarks per split: the
    records, the split (a small int the reader chooses) of each record, optionally each
    record's timestamp from the source (the TimestampAssigner's ``record_timestamp``, and
    the event time when there is no assigner), and the splits it reads now when they
    changed (None: unchanged). A split that was named and has no record yet holds the
    watermark back until it has one, or until WatermarkStrategy.with_idleness() marks it
    idle; a split left out of ``assigned`` (finished) no longer counts.

    ``records`` is a list (DataStream sources) or what a table reader returns (a record
    batch, or a (batch, row kinds) pair); ``splits`` and ``timestamps`` are buffers of
    native int32 / int64 (``array('i')``, ``array('q')``, bytes) so that no Python object
    is built per record, or an int for "every record is of this split".

    Examples:
        >>> from fluvial.datastream.connectors.base import SplitBatch
        >>> batch = SplitBatch(["a", "b", "c"], [0, 1, 0], timestamps=[1000, 90, 1100], assigned=[0, 1])
        >>> batch.splits.tolist(), batch.timestamps.tolist(), batch.assigned
        ([0, 1, 0], [1000, 90, 1100], [0, 1])
        >>> SplitBatch(["x", "y"], 3).splits.tolist()   # every record of split 3
        [3, 3]
        >>> SplitBatch([], 0, assigned=[0, 1]).records  # no records, but the splits read now
        []
        >>> list(batch), len(batch)   # iterates over its records, as the list it stands for
        (['a', 'b', 'c'], 3)
    """

    __slots__ = ("records", "splits", "timestamps", "assigned")

    def __init__(self, records: Any, splits: Union[int, Sequence[int], bytes],
                 timestamps: Union[None, Sequence[int], bytes] = None,
                 assigned: Optional[Sequence[int]] = None):
        self.records = records
        if isinstance(splits, int):
            splits = array("i", [splits]) * len(records)
        elif not isinstance(splits, (array, bytes, memoryview)):
            splits = array("i", splits)
        if timestamps is not None and not isinstance(timestamps, (array, bytes, memoryview)):
            timestamps = array("q", timestamps)
        self.splits = splits
        self.timestamps = timestamps
        self.assigned = None if assigned is None else [int(split) for split in assigned]

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):
        return iter(self.records)


class Source:
    """Base of the sources accepted by StreamExecutionEnvironment.from_source().

    Examples:
        >>> from fluvial.datastream import Source
        >>> from fluvial.datastream.connectors import FileSource, NumberSequenceSource
        >>> issubclass(FileSource, Source), isinstance(NumberSequenceSource(1, 3), Source)
        (True, True)
    """

    def _is_bounded(self) -> bool:
        return True

    def _is_non_parallel(self) -> bool:
        return False

    def _default_name(self) -> str:
        return type(self).__name__

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        raise NotImplementedError


class SinkWriter:
    """Writes one subtask's share of a Sink: write() receives whole batches, finish() is called
    once the input has ended.

    Examples:
        >>> from fluvial.datastream.connectors.base import SinkWriter
        >>> class Collect(SinkWriter):
        ...     def __init__(self):
        ...         self.records = []
        ...     def write(self, records):
        ...         self.records.extend(records)
        ...     def finish(self):
        ...         print("wrote", self.records)
        >>> writer = Collect()
        >>> writer.write([1, 2]); writer.write([3]); writer.finish()
        wrote [1, 2, 3]
    """

    def open(self) -> None:
        pass

    def write(self, records: List[Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once the input has ended (a bounded job finishes)."""

    def snapshot_state(self, checkpoint_id: int) -> Any:
        """Flushes and pre-commits what was written before the barrier; returns what recovery needs."""
        return None

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        """Commits what was pre-committed up to 'checkpoint_id'."""

    def restore_state(self, state: Any) -> None:
        """Called before open() on recovery: commits the restored checkpoint's pending work, aborts newer."""

    def close(self) -> None:
        pass


class Sink:
    """Base of the sinks accepted by DataStream.sink_to().

    Examples:
        >>> from fluvial.datastream import Sink
        >>> from fluvial.datastream.connectors import FileSink
        >>> issubclass(FileSink, Sink)       # stream.sink_to(FileSink.for_row_format(...).build())
        True
    """

    def _default_name(self) -> str:
        return type(self).__name__

    def _create_writer(self, subtask_index: int, parallelism: int) -> SinkWriter:
        raise NotImplementedError

    def _for_input_type(self, type_info: Any) -> "Sink":
        """This sink as it writes a stream of `type_info` (sink_to() asks); sinks that write
        a record's text show typed records as Java does (see common/_display.py)."""
        return self


def source_spec(reader: SourceReader) -> dict:
    # "reader" is for checkpoints (datastream/_checkpointing.py); the engine ignores it.
    return {"kind": "source", "poll": reader.poll, "open": reader.open, "close": reader.close,
            "reader": reader}


def sink_spec(writer: SinkWriter) -> dict:
    return {"kind": "sink", "write": writer.write, "open": writer.open, "finish": writer.finish,
            "close": writer.close, "writer": writer}
