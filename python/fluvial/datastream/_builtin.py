"""Sources and sinks the environment and DataStream create themselves:
collections, Python SourceFunctions, print, discard, collect and SinkFunction sinks."""

import queue
import sys
import threading
from typing import Any, List, Optional

from fluvial.common._display import display
from fluvial.datastream.connectors.base import BATCH_SIZE, Sink, SinkWriter, Source, SourceReader
from fluvial.datastream.functions import RuntimeContext, SinkFunction, SourceFunction
from fluvial.errors import ConnectorError


class _ListReader(SourceReader):
    """Reads a list in order; its one split state is the position of the next element."""

    def __init__(self, records: List[Any]):
        self._records = records
        self._position = 0

    def snapshot_state(self, checkpoint_id: int) -> List[Any]:
        return [self._position]

    def restore_state(self, splits: List[Any]) -> None:
        # A non-parallel source: its one split comes back whole (all read if none does).
        self._position = splits[0] if splits else len(self._records)

    def poll(self) -> Optional[List[Any]]:
        if self._position >= len(self._records):
            return None
        batch = self._records[self._position:self._position + BATCH_SIZE]
        self._position += len(batch)
        return batch


class CollectionSource(Source):
    """from_collection(): the elements of a list, in order, from one subtask."""

    def __init__(self, records: List[Any]):
        self._records = records

    def _is_non_parallel(self) -> bool:
        return True

    def _default_name(self) -> str:
        return "Collection Source"

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        return _ListReader(self._records)


_END = object()


class _SourceFunctionReader(SourceReader):
    """Runs SourceFunction.run() on a thread of its own; poll() drains what it collected."""

    def __init__(self, function: SourceFunction, context: RuntimeContext):
        self._function = function
        self._context = context
        self._queue: "queue.Queue" = queue.Queue(maxsize=16 * BATCH_SIZE)
        self._thread: Optional[threading.Thread] = None
        self._error: Optional[BaseException] = None
        self._stopping = threading.Event()
        self._ended = False

    def open(self) -> None:
        self._function.open(self._context)
        self._thread = threading.Thread(target=self._run, name="fluvial-source-function",
                                        daemon=True)
        self._thread.start()

    def _emit(self, element: Any) -> None:
        while not self._stopping.is_set():
            try:
                self._queue.put(element, timeout=0.1)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        try:
            self._function.run(SourceFunction.SourceContext(self._emit))
        except BaseException as error:  # handed to the engine's thread by poll()
            self._error = error
        self._emit(_END)

    def poll(self) -> Optional[List[Any]]:
        if self._ended:
            return None
        try:
            batch = [self._queue.get(timeout=0.01)]
        except queue.Empty:
            return []
        while len(batch) < BATCH_SIZE:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if batch[-1] is _END:
            if self._error is not None:
                raise self._error
            # The end may come in one batch with the last records: hand those
            # over now and report the end on the next poll.
            self._ended = True
            batch.pop()
            return batch or None
        return batch

    def close(self) -> None:
        self._stopping.set()
        try:
            self._function.cancel()
        finally:
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._function.close()


class SourceFunctionSource(Source):
    """add_source(): a Python SourceFunction, non-parallel as in Flink."""

    def __init__(self, function: SourceFunction, bounded: bool):
        self._function = function
        self._bounded = bounded

    def _is_bounded(self) -> bool:
        return self._bounded

    def _is_non_parallel(self) -> bool:
        return True

    def _default_name(self) -> str:
        return "Custom Source"

    def create_reader_with_context(self, function: SourceFunction,
                                   context: RuntimeContext) -> SourceReader:
        return _SourceFunctionReader(function, context)


class _PrintWriter(SinkWriter):
    def __init__(self, prefix: str, stream_name: str):
        self._prefix = prefix
        self._stream_name = stream_name

    def write(self, records: List[Any]) -> None:
        # Looked up on every batch so redirected output (pytest, notebooks) is honoured.
        stream = getattr(sys, self._stream_name)
        prefix = self._prefix
        text = "".join(prefix + display(record, row_separator=",") + "\n" for record in records)
        try:
            stream.write(text)
            stream.flush()
        except OSError as error:  # e.g. the output piped into `head`, which has exited
            raise ConnectorError(f"print(): cannot write to standard {self._stream_name[3:]}: "
                                 f"{error.strerror or error}") from error


class PrintSink(Sink):
    """print(): each record's text on standard output (standard error with
    ``stderr=True``), prefixed as Flink does: ``"id> "`` with a ``sink_identifier``,
    ``"id:2> "`` or ``"2> "`` (the subtask, from 1) when the sink runs in parallel.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import PrintSink
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> sink = env.from_collection(["a", "b"]).sink_to(PrintSink("letters"))
        >>> result = env.execute()
        letters> a
        letters> b
    """

    def __init__(self, sink_identifier: Optional[str] = None, stderr: bool = False):
        self._identifier = sink_identifier
        self._stream_name = "stderr" if stderr else "stdout"

    def _default_name(self) -> str:
        return "Print to Std. Out" if self._stream_name == "stdout" else "Print to Std. Err"

    def _create_writer(self, subtask_index: int, parallelism: int) -> SinkWriter:
        # Flink: "id:2> x" with parallelism > 1, "id> x" or "2> x" or just "x".
        if self._identifier and parallelism > 1:
            prefix = f"{self._identifier}:{subtask_index + 1}> "
        elif self._identifier:
            prefix = f"{self._identifier}> "
        elif parallelism > 1:
            prefix = f"{subtask_index + 1}> "
        else:
            prefix = ""
        return _PrintWriter(prefix, self._stream_name)


class _DiscardingWriter(SinkWriter):
    def write(self, records: List[Any]) -> None:
        pass


class DiscardingSink(Sink):
    """Drops every record (Flink's DiscardingSink; the 'blackhole' SQL connector): for
    benchmarks and for jobs whose effect is elsewhere.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> from fluvial.datastream.connectors import DiscardingSink
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> numbers = env.from_collection(list(range(1, 1001)))
        >>> every_500th = numbers.filter(lambda n: n % 500 == 0).print()
        >>> everything = numbers.sink_to(DiscardingSink())  # read and dropped, nothing printed
        >>> result = env.execute()
        500
        1000
    """

    def _default_name(self) -> str:
        return "Discarding Sink"

    def _create_writer(self, subtask_index: int, parallelism: int) -> SinkWriter:
        return _DiscardingWriter()


class _CollectWriter(SinkWriter):
    def __init__(self, buffer):
        self._buffer = buffer

    def write(self, records: List[Any]) -> None:
        self._buffer.write(records)

    def finish(self) -> None:
        self._buffer.finish_writer()


class CollectSink(Sink):
    def __init__(self, buffer):
        self._buffer = buffer

    def _default_name(self) -> str:
        return "Collect Sink"

    def _create_writer(self, subtask_index: int, parallelism: int) -> SinkWriter:
        self._buffer.add_writer()
        return _CollectWriter(self._buffer)


class _SinkFunctionWriter(SinkWriter):
    def __init__(self, function: SinkFunction, context: RuntimeContext):
        self._function = function
        self._context = context
        self._sink_context = SinkFunction.Context()

    def open(self) -> None:
        self._function.open(self._context)

    def write(self, records: List[Any]) -> None:
        invoke, context = self._function.invoke, self._sink_context
        for record in records:
            invoke(record, context)

    def close(self) -> None:
        self._function.close()
