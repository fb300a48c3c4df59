"""Watermarks per split (SplitBatch, connectors/base.py) without a broker: a fake reader of
two splits where split 0's timestamps run far ahead of split 1's, both delivered to one
source subtask. Event-time windows must count exactly what a plain-Python reference
counts (nothing dropped as late); the same records as plain lists lose split 1's rows.
An empty split holds event time back unless with_idleness marks it idle."""

import collections
import threading
import time
from array import array

import pytest

from fluvial.common import Duration, Time, WatermarkStrategy
from fluvial.common.watermark_strategy import TimestampAssigner
from fluvial.datastream import SinkFunction, StreamExecutionEnvironment
from fluvial.datastream.connectors.base import Source, SourceReader, SplitBatch
from fluvial.datastream.window import TumblingEventTimeWindows
from fluvial.errors import JobExecutionError

WINDOW_MS = 10_000


def two_splits():
    """(key, timestamp) records: split 0 covers 0..600 s, split 1 only 0..60 s."""
    ahead = [(f"k{i % 3}", i * 1_000) for i in range(600)]
    behind = [(f"k{i % 3}", i * 100 + 50) for i in range(600)]
    return ahead, behind


def reference(records):
    counts = collections.Counter((key, ts // WINDOW_MS * WINDOW_MS) for key, ts in records)
    return sorted((key, start, count) for (key, start), count in counts.items())


class _Polls(SourceReader):
    """Hands out prepared poll results, then None (a bounded source)."""

    def __init__(self, polls):
        self._polls = list(polls)

    def poll(self):
        return self._polls.pop(0) if self._polls else None


class Polls(Source):
    def __init__(self, polls):
        self._polls = polls

    def _is_non_parallel(self):
        return True

    def _create_reader(self, subtask_index, parallelism):
        return _Polls(self._polls)


class SecondField(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[1]


def windowed_counts(polls, strategy):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    counted = (env.from_source(Polls(polls), strategy, "splits")
               .map(lambda record: (record[0], record[1] // WINDOW_MS * WINDOW_MS, 1))
               .key_by(lambda record: (record[0], record[1]))
               .window(TumblingEventTimeWindows.of(Time.milliseconds(WINDOW_MS)))
               .reduce(lambda a, b: (a[0], a[1], a[2] + b[2])))
    return sorted(counted.execute_and_collect())


def split_polls(ahead, behind, with_timestamps):
    """Split 0's records in three polls, then split 1's in three, split 1 named from the start."""
    polls = []
    for split, records in ((0, ahead), (1, behind)):
        for part in range(3):
            chunk = records[part * 200:(part + 1) * 200]
            timestamps = [ts for _, ts in chunk] if with_timestamps else None
            polls.append(SplitBatch(chunk, split, timestamps, assigned=[0, 1] if not polls else None))
    return polls


@pytest.mark.parametrize("assigner", [False, True], ids=["source-timestamps", "timestamp-assigner"])
def test_a_split_far_ahead_does_not_make_the_other_late(assigner):
    ahead, behind = two_splits()
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(500))
    if assigner:
        strategy = strategy.with_timestamp_assigner(SecondField())
    got = windowed_counts(split_polls(ahead, behind, with_timestamps=not assigner), strategy)
    assert got == reference(ahead + behind)


def test_mixed_splits_in_one_poll_and_per_record_split_buffers():
    ahead, behind = two_splits()
    # Interleaved: every poll holds records of both splits, split 0's far ahead.
    polls = []
    for part in range(6):
        chunk = ahead[part * 100:(part + 1) * 100] + behind[part * 100:(part + 1) * 100]
        splits = array("i", [0] * 100 + [1] * 100)
        timestamps = array("q", [ts for _, ts in chunk])
        polls.append(SplitBatch(chunk, splits.tobytes(), timestamps.tobytes()))
    got = windowed_counts(polls, WatermarkStrategy.for_monotonous_timestamps())
    assert got == reference(ahead + behind)


def test_without_splits_the_records_behind_are_dropped_as_late():
    # The control: the same polls as plain lists, one watermark for the subtask.
    ahead, behind = two_splits()
    polls = [batch.records for batch in split_polls(ahead, behind, with_timestamps=False)]
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(500)) \
        .with_timestamp_assigner(SecondField())
    got = windowed_counts(polls, strategy)
    assert got == reference(ahead)  # split 1's rows all came after the watermark passed them


def test_a_split_batch_with_the_wrong_number_of_splits_fails_clearly():
    polls = [SplitBatch([("a", 1), ("b", 2)], array("i", [0]))]
    with pytest.raises(JobExecutionError, match="SplitBatch of 2 records but 1 splits"):
        windowed_counts(polls, WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(SecondField()))


# -- idleness -----------------------------------------------------------------------------

FIRED = []
FIRED_LOCK = threading.Lock()


class _Paced(SourceReader):
    """Splits 0 and 1 assigned; split 1 stays empty, split 0 gets a record every 10 ms
    (or all at once, in the poll that names the splits, when 'burst')."""

    def __init__(self, records, burst):
        self._records = list(records)
        self._burst = burst
        self._given = 0
        self._announced = False
        self._started = None

    def poll(self):
        now = time.monotonic()
        if self._started is None:
            self._started = now
        due = len(self._records) if self._burst else int((now - self._started) / 0.01) + 1
        due = min(len(self._records), due)
        ready = self._records[self._given:due]
        self._given = max(self._given, due)
        assigned = None if self._announced else [0, 1]
        self._announced = True
        return SplitBatch(ready, 0, assigned=assigned)


class Paced(Source):
    def __init__(self, records, burst):
        self._records = records
        self._burst = burst

    def _is_bounded(self):
        return False

    def _is_non_parallel(self):
        return True

    def _create_reader(self, subtask_index, parallelism):
        return _Paced(self._records, self._burst)


class Remember(SinkFunction):
    def invoke(self, value, context):
        with FIRED_LOCK:
            FIRED.append(value)


def fired_while_running(strategy, expected, wait_seconds, burst=False):
    FIRED.clear()
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    records = [("k", i * 1_000) for i in range(60)]
    (env.from_source(Paced(records, burst), strategy, "paced")
     .map(lambda record: (record[0], 1))
     .key_by(lambda record: record[0])
     .window(TumblingEventTimeWindows.of(Time.milliseconds(WINDOW_MS)))
     .reduce(lambda a, b: (a[0], a[1] + b[1]))
     .add_sink(Remember()))
    client = env.execute_async("idle split")
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        with FIRED_LOCK:
            if sorted(FIRED) == expected:
                break
        time.sleep(0.01)
    client.cancel().result()
    with FIRED_LOCK:
        return sorted(FIRED)


@pytest.mark.parametrize("burst", [False, True], ids=["paced", "burst"])
def test_an_empty_split_holds_event_time_back_until_it_is_idle(burst):
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(SecondField())
    # Largest timestamp 59 s: watermark 58999 closes the windows ending at 10 s .. 50 s.
    expected = [("k", 10)] * 5
    # burst: split 0 goes quiet the moment split 1 goes idle; split 0's watermark still counts.
    assert fired_while_running(strategy.with_idleness(Duration.of_millis(100)), expected, 20, burst) == expected
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(SecondField())
    assert fired_while_running(strategy, expected, 1.5, burst) == []


def test_records_without_splits_after_split_batches_go_back_to_one_watermark():
    # A HybridSource switching from Kafka to another source: SplitBatch polls, then lists.
    ahead, behind = two_splits()
    polls = split_polls(ahead[:300], behind[:300], with_timestamps=True)[:2]
    polls[-1] = SplitBatch(polls[-1].records, 0, polls[-1].timestamps, assigned=[])  # splits finished
    later = [("k9", 700_000 + i * 1_000) for i in range(100)]
    late = ("k9", 100_000)  # behind the lists' watermark (749 s): dropped, as in Flink
    polls += [later[:50], [late] + later[50:]]
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(SecondField())
    records = [r for batch in polls for r in batch if r != late]
    assert windowed_counts(polls, strategy) == reference(records)
