"""The contracts between the engine and Python connectors.

A Source is partitioned: each parallel subtask gets a reader for its share
of the input. The engine calls reader.poll() in its source loop: a list of
records (empty if nothing is there yet) or None once a bounded input is
exhausted. A Sink gives each subtask a writer that receives whole batches.
Readers and writers run on the engine's worker threads, one thread each.
"""

from typing import Any, List, Optional

from fluvial.datastream.connectors.metrics import SourceReaderMetricGroup

BATCH_SIZE = 1024


class SourceReader:
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

    def close(self) -> None:
        pass


class Source:
    """Base of the sources accepted by StreamExecutionEnvironment.from_source()."""

    def _is_bounded(self) -> bool:
        return True

    def _is_non_parallel(self) -> bool:
        return False

    def _default_name(self) -> str:
        return type(self).__name__

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        raise NotImplementedError


class SinkWriter:
    def open(self) -> None:
        pass

    def write(self, records: List[Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once the input has ended (a bounded job finishes)."""

    def close(self) -> None:
        pass


class Sink:
    """Base of the sinks accepted by DataStream.sink_to()."""

    def _default_name(self) -> str:
        return type(self).__name__

    def _create_writer(self, subtask_index: int, parallelism: int) -> SinkWriter:
        raise NotImplementedError


def source_spec(reader: SourceReader) -> dict:
    return {"kind": "source", "poll": reader.poll, "open": reader.open, "close": reader.close}


def sink_spec(writer: SinkWriter) -> dict:
    return {"kind": "sink", "write": writer.write, "open": writer.open, "finish": writer.finish,
            "close": writer.close}
