"""Connector metrics: counters that readers update while a job runs and that the
job's result reports when it ends.

Flink exposes a source's ``numRecordsInErrors`` through its metric system; Fluvial has
no metric reporter yet, so the counters of a job are read after it from its
JobExecutionResult: ``get_accumulator_result('numRecordsInErrors')`` is the total over
every source subtask, and ``get_all_accumulator_results()`` also holds one entry per
subtask, named ``'<operator name>.<subtask index>.numRecordsInErrors'``.
"""

import threading
from typing import Dict, Tuple

__all__ = ["Counter", "JobMetrics", "NUM_RECORDS_IN_ERRORS", "SourceReaderMetricGroup"]

NUM_RECORDS_IN_ERRORS = "numRecordsInErrors"


class Counter:
    """A count that one subtask's thread increments (PyFlink's metrics Counter methods).

    Examples:
        >>> from fluvial.datastream.connectors.metrics import Counter
        >>> counter = Counter()
        >>> counter.inc(); counter.inc(5); counter.dec()
        >>> counter.get_count()
        5
    """

    def __init__(self) -> None:
        self._count = 0

    def inc(self, n: int = 1) -> None:
        self._count += n

    def dec(self, n: int = 1) -> None:
        self._count -= n

    def get_count(self) -> int:
        return self._count


class SourceReaderMetricGroup:
    """The metrics of one source subtask. Only the sources that can skip records (the
    file formats) take the counter, and only theirs are reported.

    Examples:
        >>> from fluvial.datastream.connectors.metrics import SourceReaderMetricGroup
        >>> group = SourceReaderMetricGroup()
        >>> group.get_num_records_in_errors_counter().inc()
        >>> group.num_records_in_errors.get_count()
        1
    """

    def __init__(self) -> None:
        self._num_records_in_errors = Counter()
        self.used = False

    @property
    def num_records_in_errors(self) -> Counter:
        """The count of records the reader skipped as bad (Flink's numRecordsInErrors)."""
        self.used = True
        return self._num_records_in_errors

    def get_num_records_in_errors_counter(self) -> Counter:
        return self.num_records_in_errors


class JobMetrics:
    """The metric groups of one job, by operator name and subtask.

    Examples:
        >>> from fluvial.datastream.connectors.metrics import JobMetrics
        >>> metrics = JobMetrics()
        >>> metrics.source_reader_group("csv", 0).num_records_in_errors.inc(2)
        >>> metrics.source_reader_group("csv", 1).num_records_in_errors.inc(1)
        >>> metrics.accumulator_results()
        {'numRecordsInErrors': 3, 'csv.0.numRecordsInErrors': 2, 'csv.1.numRecordsInErrors': 1}
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._source_groups: Dict[Tuple[str, int], SourceReaderMetricGroup] = {}

    def source_reader_group(self, operator_name: str, subtask_index: int) -> SourceReaderMetricGroup:
        # Readers are instantiated when the job starts, on the caller's thread.
        with self._lock:
            key = (operator_name, subtask_index)
            group = self._source_groups.get(key)
            if group is None:
                group = self._source_groups[key] = SourceReaderMetricGroup()
            return group

    def accumulator_results(self) -> Dict[str, int]:
        """The counters as the job result reports them: a total and one entry per subtask."""
        with self._lock:
            groups = sorted((key, group) for key, group in self._source_groups.items() if group.used)
        if not groups:
            return {}
        results = {NUM_RECORDS_IN_ERRORS: sum(g.num_records_in_errors.get_count() for _, g in groups)}
        for (operator_name, subtask_index), group in groups:
            results[f"{operator_name}.{subtask_index}.{NUM_RECORDS_IN_ERRORS}"] = \
                group.num_records_in_errors.get_count()
        return results
