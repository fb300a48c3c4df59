"""Test inputs for keyed, timer and state tests.

- OneByOneSource hands the engine one record per batch, so a watermark strategy
  given to from_source() emits a watermark after every record, as Flink's
  per-event watermarks would: event-time results are then deterministic.
- ControlledSource lets the test thread feed records while the job runs, and
  LiveResults reads the outputs with a timeout; together they let a test move a
  ManualClock between records (processing-time timers, state TTL) and wait for
  broadcast updates to reach every parallel instance.
"""

import queue
import threading
from typing import Any, List, Optional

from fluvial.common.time import Duration
from fluvial.common.watermark_strategy import TimestampAssigner, WatermarkStrategy
from fluvial.datastream.connectors.base import Source, SourceReader

PARALLELISMS = (1, 4)


class FieldTimestamp(TimestampAssigner):
    """The event time is the record's field 'index'."""

    def __init__(self, index: int):
        self._index = index

    def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
        return value[self._index]


def out_of_orderness(millis: int, timestamp_field: int) -> WatermarkStrategy:
    return (WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(millis))
            .with_timestamp_assigner(FieldTimestamp(timestamp_field)))


class _OneByOneReader(SourceReader):
    def __init__(self, records: List[Any]):
        self._records = list(records)

    def poll(self) -> Optional[List[Any]]:
        if not self._records:
            return None
        return [self._records.pop(0)]


class OneByOneSource(Source):
    """A bounded, non-parallel source emitting one record per batch."""

    def __init__(self, records: List[Any]):
        self._records = records

    def _is_non_parallel(self) -> bool:
        return True

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        return _OneByOneReader(self._records)


_END = object()


class _ControlledReader(SourceReader):
    def __init__(self, inbox: "queue.Queue"):
        self._inbox = inbox

    def poll(self) -> Optional[List[Any]]:
        try:
            record = self._inbox.get_nowait()
        except queue.Empty:
            return []  # the engine polls again shortly
        return None if record is _END else [record]


class ControlledSource(Source):
    """A non-parallel source the test feeds with push() and ends with end()."""

    def __init__(self):
        self._inbox: "queue.Queue" = queue.Queue()

    def push(self, *records: Any) -> None:
        for record in records:
            self._inbox.put(record)

    def end(self) -> None:
        self._inbox.put(_END)

    def _is_non_parallel(self) -> bool:
        return True

    def _create_reader(self, subtask_index: int, parallelism: int) -> SourceReader:
        return _ControlledReader(self._inbox)


class LiveResults:
    """Collects a running job's outputs on a thread, so the test can wait for them."""

    def __init__(self, iterator):
        self._iterator = iterator
        self._outputs: "queue.Queue" = queue.Queue()
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for record in self._iterator:
                self._outputs.put(record)
        except BaseException as error:  # handed to the test by take()/finish()
            self._error = error
        self._outputs.put(_END)

    def take(self, count: int, timeout: float = 10.0) -> List[Any]:
        """The next 'count' outputs; fails if they do not come within 'timeout' seconds."""
        taken = []
        while len(taken) < count:
            try:
                record = self._outputs.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(
                    f"expected {count} outputs, got {taken} within {timeout} s") from None
            if record is _END:
                self._raise_error()
                raise AssertionError(f"the job ended after {taken}, expected {count} outputs")
            taken.append(record)
        return taken

    def finish(self, timeout: float = 10.0) -> List[Any]:
        """Every remaining output, once the job has ended."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the job did not end"
        rest = []
        while True:
            record = self._outputs.get_nowait()
            if record is _END:
                break
            rest.append(record)
        self._raise_error()
        return rest

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error
