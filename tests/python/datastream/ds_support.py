"""Helpers shared by the DataStream tests: functions, sources and sinks that report
back to the test, and independent re-computations of what a job should produce.

Fluvial copies every Function instance (with cloudpickle) for each parallel
subtask, so a function cannot hand results back through its own fields. The
classes here are defined at module level, so cloudpickle copies them by
reference, and they report through a Channel: a list living in this module,
which every copy of the same Channel appends to.

(This module has a name of its own, rather than living in conftest.py: pytest
may re-import a module called ``conftest``, and the copies must find the very
registry the test reads.)
"""

import collections
import itertools
import os
import threading
import time
from typing import Any, Callable, Dict, Iterable, List, Tuple

from fluvial.datastream import (
    FilterFunction,
    FlatMapFunction,
    KeySelector,
    MapFunction,
    Partitioner,
    ProcessFunction,
    ReduceFunction,
    SinkFunction,
    SourceFunction,
)

# ------------------------------------------------------------------ channels

_registry_lock = threading.Lock()
_registry: Dict[int, list] = {}
_channel_ids = itertools.count(1)


def _channel_by_id(channel_id: int) -> "Channel":
    channel = Channel.__new__(Channel)
    channel.id = channel_id
    return channel


class Channel:
    """An append-only list in the test process that every copy of a function shares."""

    def __init__(self):
        self.id = next(_channel_ids)
        with _registry_lock:
            _registry[self.id] = []

    def __reduce__(self):
        return _channel_by_id, (self.id,)

    def append(self, item: Any) -> None:
        with _registry_lock:
            _registry[self.id].append(item)

    def items(self) -> list:
        with _registry_lock:
            return list(_registry[self.id])

    def __len__(self) -> int:
        with _registry_lock:
            return len(_registry[self.id])

    def wait_for(self, predicate: Callable[[list], bool], timeout: float = 10.0) -> list:
        """Polls until predicate(items) holds; fails the test after 'timeout' seconds."""
        deadline = time.monotonic() + timeout
        while True:
            items = self.items()
            if predicate(items):
                return items
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting on channel; "
                                     f"it holds {len(items)} items: {items[:20]!r}...")
            time.sleep(0.005)


# --------------------------------------------------------- reporting functions


class CollectSink(SinkFunction):
    """Appends (subtask index, record) to a channel for every record."""

    def __init__(self, channel: Channel):
        self.channel = channel
        self.index = None

    def open(self, runtime_context):
        self.index = runtime_context.get_index_of_this_subtask()

    def invoke(self, value, context):
        self.channel.append((self.index, value))


class TagSubtask(MapFunction):
    """Maps a record to (index of this subtask, record)."""

    def open(self, runtime_context):
        self.index = runtime_context.get_index_of_this_subtask()

    def map(self, value):
        return self.index, value


class TagThread(MapFunction):
    """Maps a record to (thread ident, record): which worker thread ran the function."""

    def map(self, value):
        return threading.get_ident(), value


def lifecycle_event(runtime_context, event: str) -> Tuple:
    return (runtime_context.get_task_name(), runtime_context.get_index_of_this_subtask(),
            runtime_context.get_number_of_parallel_subtasks(), event)


class _Lifecycle:
    """Mixin: reports open (with the runtime context), records and close to a channel."""

    def __init__(self, channel: Channel):
        self.channel = channel
        self.context = None
        self.opened = 0
        self.seen = 0

    def open(self, runtime_context):
        self.opened += 1
        self.context = runtime_context
        self.channel.append(lifecycle_event(runtime_context, "open"))

    def close(self):
        self.channel.append(lifecycle_event(self.context, f"close after {self.seen}"))

    def _saw(self, value):
        assert self.opened == 1, "a record arrived before open()"
        self.seen += 1
        self.channel.append(lifecycle_event(self.context, "record"))


class LifecycleMap(_Lifecycle, MapFunction):
    def map(self, value):
        self._saw(value)
        return value


class LifecycleFlatMap(_Lifecycle, FlatMapFunction):
    def flat_map(self, value):
        self._saw(value)
        yield value


class LifecycleFilter(_Lifecycle, FilterFunction):
    def filter(self, value):
        self._saw(value)
        return True


class LifecycleProcess(_Lifecycle, ProcessFunction):
    def process_element(self, value, ctx):
        self._saw(value)
        yield value


class LifecycleReduce(_Lifecycle, ReduceFunction):
    def reduce(self, value1, value2):
        self._saw(value2)
        return value1 + value2


class LifecycleKeySelector(_Lifecycle, KeySelector):
    def get_key(self, value):
        self._saw(value)
        return value % 3


class LifecyclePartitioner(_Lifecycle, Partitioner):
    def partition(self, key, num_partitions):
        self._saw(key)
        return key % num_partitions


class LifecycleSink(_Lifecycle, SinkFunction):
    def invoke(self, value, context):
        self._saw(value)


class ListSource(SourceFunction):
    """A bounded SourceFunction: run() collects the given records, then returns."""

    def __init__(self, records: Iterable[Any], channel: Channel = None):
        self.records = list(records)
        self.channel = channel

    def open(self, runtime_context):
        if self.channel is not None:
            self.channel.append(lifecycle_event(runtime_context, "open"))

    def run(self, ctx):
        for record in self.records:
            ctx.collect(record)

    def close(self):
        if self.channel is not None:
            self.channel.append("close")


class EndlessSource(SourceFunction):
    """Counts 0, 1, 2, ... until cancel(); reports 'cancel' and 'run returned'."""

    def __init__(self, channel: Channel = None, pause: float = 0.0):
        self.channel = channel
        self.pause = pause
        self.running = True

    def run(self, ctx):
        value = 0
        while self.running:
            ctx.collect(value)
            value += 1
            if self.pause:
                time.sleep(self.pause)
        if self.channel is not None:
            self.channel.append("run returned")

    def cancel(self):
        self.running = False
        if self.channel is not None:
            self.channel.append("cancel")


# ------------------------------------------------------------ checking results


def same_elements(actual: Iterable[Any], expected: Iterable[Any]) -> bool:
    return sorted(actual, key=repr) == sorted(expected, key=repr)


def assert_same_elements(actual: Iterable[Any], expected: Iterable[Any]) -> None:
    """Order-insensitive comparison of two multisets of records."""
    assert sorted(actual, key=repr) == sorted(expected, key=repr)


def group_by_first(pairs: Iterable[Tuple[Any, Any]]) -> Dict[Any, List[Any]]:
    """{first: [second, ...]} keeping the order in which the pairs came."""
    grouped: Dict[Any, List[Any]] = collections.defaultdict(list)
    for first, second in pairs:
        grouped[first].append(second)
    return dict(grouped)


def group_by_key(records: Iterable[Any], key: Callable[[Any], Any]) -> Dict[Any, List[Any]]:
    grouped: Dict[Any, List[Any]] = collections.defaultdict(list)
    for record in records:
        grouped[key(record)].append(record)
    return dict(grouped)


def sequence_share(start: int, end: int, subtask: int, parallelism: int) -> List[int]:
    """The numbers NumberSequenceSource(start, end) subtask 'subtask' of 'parallelism' reads:
    an even, contiguous split of [start, end]."""
    count = end - start + 1
    return list(range(start + count * subtask // parallelism,
                      start + count * (subtask + 1) // parallelism))


def is_subsequence(part: List[Any], whole: List[Any]) -> bool:
    iterator = iter(whole)
    return all(any(element == candidate for candidate in iterator) for element in part)


# ------------------------------------------------------------------ threads


def os_thread_count() -> int:
    """Threads of this process as the kernel sees them (C++ workers included)."""
    return len(os.listdir("/proc/self/task"))


def os_thread_count_settles_at(expected: int, timeout: float = 1.0) -> int:
    """The OS thread count once it reaches 'expected', or after 'timeout' seconds.

    A joined thread is gone for Python and for pthreads, but the kernel may list
    it under /proc/self/task a moment longer while it finishes exiting; a leaked
    thread stays there for good."""
    deadline = time.monotonic() + timeout
    while True:
        count = os_thread_count()
        if count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.002)


def wait_for_thread_counts(python_threads: int, os_threads: int, timeout: float) -> Tuple[int, int]:
    deadline = time.monotonic() + timeout
    while True:
        now = (threading.active_count(), os_thread_count())
        if now == (python_threads, os_threads) or time.monotonic() > deadline:
            return now
        time.sleep(0.005)
