"""Fixtures of the DataStream tests.

- ``parallelism`` / ``env``: most tests run at parallelism 1 and 4.
- ``channel``: a fresh ds_support.Channel for functions to report to.
- every test checks, on the way out, that its jobs left no thread behind:
  neither a Python thread (threading.active_count()) nor one of the engine's
  C++ worker threads (the kernel's /proc/self/task).
"""

import threading

import pytest
from ds_support import Channel, os_thread_count, wait_for_thread_counts

from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream._job import _core

# Loading the native module starts Arrow's own threads (once per process); do
# it before any baseline is taken.
_core()


@pytest.fixture(params=[1, 4], ids=lambda p: f"p{p}")
def parallelism(request) -> int:
    return request.param


@pytest.fixture
def env(parallelism) -> StreamExecutionEnvironment:
    environment = StreamExecutionEnvironment.get_execution_environment()
    environment.set_parallelism(parallelism)
    return environment


@pytest.fixture
def env1() -> StreamExecutionEnvironment:
    environment = StreamExecutionEnvironment.get_execution_environment()
    environment.set_parallelism(1)
    return environment


@pytest.fixture
def channel() -> Channel:
    return Channel()


@pytest.fixture(autouse=True)
def no_leaked_threads():
    python_before, os_before = threading.active_count(), os_thread_count()
    yield
    # Jobs that ended were joined; allow a moment for a thread that is
    # returning right now, but a real leak fails here.
    python_after, os_after = wait_for_thread_counts(python_before, os_before, timeout=2.0)
    assert (python_after, os_after) == (python_before, os_before), (
        f"the test left threads behind: Python threads {python_before} -> {python_after} "
        f"({[t.name for t in threading.enumerate()]}), OS threads {os_before} -> {os_after}")
