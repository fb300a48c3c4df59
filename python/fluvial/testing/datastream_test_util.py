"""PyFlink's ``pyflink.datastream.tests.test_util`` without a JVM: a sink collecting a stream's records.

In PyFlink, DataStreamTestSinkFunction wraps a Java sink that keeps every record it
receives: ``get_results()`` returns their Java ``toString()`` (``+I[1, a]`` for a Row,
``(a,1)`` for a tuple), ``get_results(True)`` the Python objects themselves, as ``str()``
unless ``stringify=False``.  Fluvial runs the sink's subtasks in this process, so they
append to one list per sink, shared across the copies each subtask gets.
"""

import itertools
import threading
from typing import Any, Dict, List

from fluvial.common._display import display, sink_text_for
from fluvial.common.watermark_strategy import TimestampAssigner
from fluvial.datastream.functions import SinkFunction

_lock = threading.Lock()
_records: Dict[int, List[Any]] = {}
_ids = itertools.count()


class DataStreamTestSinkFunction(SinkFunction):
    """Collects the records of the stream it is added to (``stream.add_sink(sink)``)."""

    def __init__(self):
        super().__init__()
        self._sink_id = next(_ids)  # the subtasks' copies keep the id, so they share the list
        self._text = display
        with _lock:
            _records[self._sink_id] = []

    def _for_input_type(self, type_info: Any) -> "DataStreamTestSinkFunction":
        # add_sink() tells the sink its stream's type: records show as the Java object PyFlink
        # makes of them (a Row '+I[a, 1]', a Tuple '(a,1)', a FLOAT '1.1'); untyped ones as display().
        self._text = sink_text_for(type_info)
        return self

    def invoke(self, value: Any, context: Any) -> None:
        with _lock:
            _records.setdefault(self._sink_id, []).append(value)

    def get_results(self, is_python_object: bool = False, stringify: bool = True) -> List[Any]:
        """The records received so far (and clears them): as Java shows them, or as Python objects."""
        with _lock:
            records = _records.get(self._sink_id, [])
            _records[self._sink_id] = []
        if not is_python_object:
            return [self._text(record) for record in records]
        return [str(record) for record in records] if stringify else records

    def clear(self) -> None:
        with _lock:
            _records[self._sink_id] = []


class SecondColumnTimestampAssigner(TimestampAssigner):
    """Event time from the record's second field."""

    def extract_timestamp(self, value, record_timestamp) -> int:
        return int(value[1])
