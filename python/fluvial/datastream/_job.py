"""Running a translated plan on the native engine; the one place where the
engine's failures become Python exceptions."""

import atexit
import os
import threading
import time
import traceback
import uuid
import weakref
from collections import deque
from enum import Enum
from typing import Any, List, Optional

from fluvial.errors import FluvialError, InvalidJobError, JobExecutionError, UserFunctionError

_running_jobs: "weakref.WeakSet[RunningJob]" = weakref.WeakSet()


def _core():
    # Imported late so that building a job needs no native module. The module
    # finds Arrow's libraries in the pyarrow package by its run path, so
    # pyarrow itself (and numpy, with its BLAS threads) is not imported:
    # that keeps start-up short.
    from fluvial import _core

    return _core


class JobStatus(Enum):
    """The states of a job, as Flink names them.

    Examples:
        >>> from fluvial.datastream import JobStatus
        >>> JobStatus.FINISHED.is_globally_terminal_state(), JobStatus.RUNNING.is_terminal_state()
        (True, False)
    """

    CREATED = 0
    RUNNING = 1
    FAILING = 2
    FAILED = 3
    CANCELLING = 4
    CANCELED = 5
    FINISHED = 6
    RESTARTING = 7
    SUSPENDED = 8
    RECONCILING = 9
    INITIALIZING = 10

    def is_globally_terminal_state(self) -> bool:
        return self in (JobStatus.FAILED, JobStatus.CANCELED, JobStatus.FINISHED)

    def is_terminal_state(self) -> bool:
        return self.is_globally_terminal_state() or self is JobStatus.SUSPENDED


class JobID:
    def __init__(self):
        self._hex = uuid.uuid4().hex

    def to_hex_string(self) -> str:
        return self._hex

    def __str__(self) -> str:
        return self._hex

    def __repr__(self) -> str:
        return f"JobID({self._hex})"


class JobExecutionResult:
    """What execute() returns once a job finished: its id, run time and accumulators.

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> sink = env.from_collection(["x"]).print()
        >>> result = env.execute("one record")
        x
        >>> result.is_job_execution_result(), result.get_net_runtime() >= 0, result.get_all_accumulator_results()
        (True, True, {})
    """

    def __init__(self, job_id: JobID, net_runtime_ms: int, accumulators: Optional[dict] = None):
        self._job_id = job_id
        self._net_runtime_ms = net_runtime_ms
        # Fluvial reports connector counters here (see datastream/connectors/metrics.py).
        self._accumulators = dict(accumulators or {})

    def get_job_id(self) -> JobID:
        return self._job_id

    def get_net_runtime(self) -> int:
        """Milliseconds from start to end of the job."""
        return self._net_runtime_ms

    def is_job_execution_result(self) -> bool:
        return True

    def get_job_execution_result(self) -> "JobExecutionResult":
        return self

    def get_accumulator_result(self, accumulator_name: str):
        """The value of an accumulator, or None; 'numRecordsInErrors' counts the records
        sources skipped as bad (Fluvial reports that metric here)."""
        return self._accumulators.get(accumulator_name)

    def get_all_accumulator_results(self) -> dict:
        return dict(self._accumulators)

    def __str__(self) -> str:
        return f"Program execution finished\nJob with JobID {self._job_id} has finished.\n" \
               f"Job Runtime: {self._net_runtime_ms} ms\n"


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Libraries Fluvial's own steps call: an error raised in them, with no user code on the way,
# is not the user function's (the user's own calls into them are below the user's frame).
_LIBRARIES = ("pyarrow", "numpy", "pandas")


def _user_frame(exception: BaseException) -> Optional[traceback.FrameSummary]:
    """The outermost frame of the traceback outside Fluvial, which is the user's function
    the engine called; None when there is none, or when it is a library Fluvial called
    (the error came from Fluvial's own work: converting a column, hashing a key)."""
    for frame in traceback.extract_tb(exception.__traceback__):
        path = os.path.abspath(frame.filename)
        if not path.startswith(_PACKAGE + os.sep):
            if _in_library(path, frame.filename):
                return None
            return frame
    return None


def _in_library(path: str, filename: str) -> bool:
    """True for a frame of an installed pyarrow, numpy or pandas (not a user's folder named so)."""
    if filename.startswith(tuple(f"{library}/" for library in _LIBRARIES)):  # Cython: 'pyarrow/error.pxi'
        return True
    parts = path.split(os.sep)
    return any(part in ("site-packages", "dist-packages") and following in _LIBRARIES
               for part, following in zip(parts, parts[1:]))


def _user_function_advice(frame: Optional[traceback.FrameSummary]) -> str:
    """Where the user's code raised and what to do: ' (at FILE, line N, in NAME; ...); fix ...'."""
    place = ""
    if frame is not None:
        place = (f" (at {frame.filename}, line {frame.lineno}, in {frame.name}; "
                 f"the traceback above shows the rest)")
        if frame.name == "open":
            return f"{place}; fix open(), which runs once per parallel instance before the first record"
    return f"{place}; fix the function, or catch the bad input in it and send it to a side output"


def raise_failure(failure) -> None:
    """Raises the Python exception for a failure tuple from the engine."""
    from fluvial._arrow_messages import is_arrow_error, rewrite

    kind, location, message, exception = failure
    if kind == "python":
        if isinstance(exception, FluvialError):
            raise JobExecutionError(f"{location} failed: {exception}") from exception
        frame = _user_frame(exception)
        if frame is None and is_arrow_error(exception):
            # Fluvial's own use of Arrow failed on the data (a cast, a conversion): not the
            # user function's doing, and Arrow's class and kernel names mean nothing to the user.
            raise JobExecutionError(f"{location} failed: {rewrite(str(exception))}") from exception
        raise UserFunctionError(
            f"the user function in {location} raised {type(exception).__name__}: {exception}"
            f"{_user_function_advice(frame)}"
        ) from exception
    if kind == "user":
        raise JobExecutionError(f"{location} failed: {rewrite(message)}")
    raise JobExecutionError(
        f"internal error in {location or 'the engine'}: {message} "
        f"(this is a bug in Fluvial, please report it)")


class RunningJob:
    """A started job: wraps the native handle, owns its lifetime.

    With checkpointing or a restart strategy (``recovery``), a supervisor thread watches
    the job: a failed attempt is restarted, as the strategy allows, from the latest
    complete checkpoint, each attempt a fresh native job built from the same plan.
    """

    def __init__(self, name: str, nodes: list, clock=None, metrics=None, recovery=None):
        self.name = name
        self._metrics = metrics
        self._nodes = nodes
        self._clock = clock
        self._recovery = recovery  # fluvial.datastream._recovery.Recovery, or None
        self.job_id = JobID()
        self._started_at = None
        self._ended_at = None
        self._lock = threading.Lock()
        self._coordinator = None
        self._failure = None  # the engine's failure tuple, or an exception (kept after restarts gave up)
        self._user_cancelled = False
        self._restarting = False
        self._ended = threading.Event()
        self._supervisor: Optional[threading.Thread] = None
        self._handle = self._new_attempt()

    def _new_attempt(self):
        core = _core()
        nodes, checkpointing = self._nodes, False
        exactly_once = True
        if self._recovery is not None:
            nodes, self._coordinator = self._recovery.prepare_attempt(self._nodes, self.name)
            checkpointing = self._coordinator is not None
            exactly_once = self._recovery.exactly_once
        try:
            # clock: a _core.ManualClock for tests; None is the system clock.
            return core.Job(self.name, nodes, clock=self._clock, checkpointing=checkpointing,
                            exactly_once=exactly_once)
        except core.UserError as error:
            # The engine's check of the job graph (e.g. a forward edge between
            # different parallelisms): a mistake in the job, not in the engine.
            raise InvalidJobError(str(error)) from None

    def start(self) -> None:
        self._started_at = time.monotonic()
        self._start_attempt()
        _running_jobs.add(self)
        if self._recovery is not None:
            self._supervisor = threading.Thread(target=self._supervise, daemon=True,
                                                name=f"fluvial-supervisor-{self.job_id}")
            self._supervisor.start()

    def _start_attempt(self) -> None:
        if self._coordinator is not None:
            self._coordinator.start(self._handle)
        self._handle.start()

    def _supervise(self) -> None:
        """Waits for each attempt; restarts a failed one while the strategy allows."""
        import logging

        logger = logging.getLogger("fluvial")
        try:
            while True:
                self._handle.wait(-1.0)
                coordinator = self._coordinator
                if coordinator is not None:
                    coordinator.stop()
                failure = self._handle.failure()
                if failure is None and coordinator is not None and coordinator.failure is not None:
                    failure = coordinator.failure
                if failure is None or self._user_cancelled:
                    self._failure = failure if not self._user_cancelled else None
                    break
                delay = self._recovery.next_restart_delay()
                if delay is None:
                    self._failure = failure
                    break
                logger.warning("job '%s' failed (%s); restarting in %.3f s from the latest "
                               "checkpoint", self.name, _describe(failure), delay)
                with self._lock:
                    self._restarting = True
                if self._cancel_wait(delay):
                    break
                self._handle = self._new_attempt()
                with self._lock:
                    self._restarting = False
                    if self._user_cancelled:
                        break
                self._start_attempt()
        except BaseException as error:  # e.g. a corrupt checkpoint on restart: the job fails
            self._failure = error
        finally:
            with self._lock:
                self._restarting = False
            self._recovery.job_ended(cancelled=self._user_cancelled)
            self._ended_at = time.monotonic()
            self._ended.set()

    def _cancel_wait(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._user_cancelled:
                return True
            time.sleep(min(0.02, max(deadline - time.monotonic(), 0)))
        return self._user_cancelled

    def wait(self, timeout: Optional[float] = None) -> bool:
        if self._recovery is not None:
            ended = self._ended.wait(timeout)
        else:
            ended = self._handle.wait(-1.0 if timeout is None else timeout)
        if ended and self._ended_at is None:
            self._ended_at = time.monotonic()
        return ended

    def cancel(self) -> None:
        with self._lock:
            self._user_cancelled = True
        self._handle.cancel()

    def done(self) -> bool:
        if self._recovery is not None:
            return self._ended.is_set()
        return self._handle.done()

    def status(self) -> JobStatus:
        if self._recovery is not None and not self._ended.is_set():
            if self._restarting:
                return JobStatus.RESTARTING
            return JobStatus.CANCELLING if self._user_cancelled else JobStatus.RUNNING
        if not self.done():
            return JobStatus.CANCELLING if self._handle.cancelled() else JobStatus.RUNNING
        if self._current_failure() is not None:
            return JobStatus.FAILED
        return JobStatus.CANCELED if self._cancelled() else JobStatus.FINISHED

    def _cancelled(self) -> bool:
        return self._user_cancelled if self._recovery is not None else self._handle.cancelled()

    def _current_failure(self):
        if self._recovery is not None:
            return self._failure
        return self._handle.failure()

    def raise_if_failed(self) -> None:
        failure = self._current_failure()
        if failure is None:
            return
        if isinstance(failure, BaseException):
            raise failure
        raise_failure(failure)

    def trigger_savepoint(self, directory: str):
        """Starts a savepoint under 'directory'; returns its request (result() -> path)."""
        if self._coordinator is None:
            raise JobExecutionError(
                "savepoints need checkpointing: call env.enable_checkpointing(interval) before "
                "execute_async()")
        return self._coordinator.trigger_savepoint(directory)

    @property
    def checkpoint_statistics(self):
        """Fluvial extra: completed and failed checkpoints (None without checkpointing)."""
        return None if self._recovery is None else self._recovery.statistics

    def result(self) -> JobExecutionResult:
        """Waits for the end and returns the result, or raises the job's failure."""
        self.wait()
        self.raise_if_failed()
        if self._cancelled():
            # As Flink's JobCancellationException: a cancelled job has no result.
            raise JobExecutionError(f"job '{self.name}' ({self.job_id}) was cancelled")
        runtime = int(((self._ended_at or time.monotonic()) - (self._started_at or 0)) * 1000)
        accumulators = self._metrics.accumulator_results() if self._metrics is not None else {}
        return JobExecutionResult(self.job_id, runtime, accumulators)


def _describe(failure) -> str:
    if isinstance(failure, BaseException):
        return f"{type(failure).__name__}: {failure}"
    kind, location, message, exception = failure
    return f"{location}: {message}"


@atexit.register
def _cancel_running_jobs() -> None:
    # Worker threads must not outlive the interpreter they call into.
    for job in list(_running_jobs):
        job.cancel()
        job.wait()


class CompletableFuture:
    """The part of PyFlink's CompletableFuture that job clients return."""

    def __init__(self, compute, is_done):
        self._compute = compute
        self._is_done = is_done

    def result(self) -> Any:
        return self._compute()

    def done(self) -> bool:
        return self._is_done()

    def cancel(self) -> bool:
        return False

    def cancelled(self) -> bool:
        return False

    def exception(self):
        try:
            self._compute()
        except Exception as error:  # the future's failure, returned not raised
            return error
        return None


class JobClient:
    """A handle on a job started with execute_async().

    Examples:
        >>> from fluvial.datastream import StreamExecutionEnvironment
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> sink = env.from_collection([1, 2]).map(lambda x: x + 1).print()
        >>> client = env.execute_async("background")
        >>> client.wait(timeout=30)
        2
        3
        True
        >>> client.get_job_status().result()
        <JobStatus.FINISHED: 6>
    """

    def __init__(self, job: RunningJob):
        self._job = job

    def get_job_id(self) -> JobID:
        return self._job.job_id

    def get_job_status(self) -> CompletableFuture:
        return CompletableFuture(self._job.status, lambda: True)

    def cancel(self) -> CompletableFuture:
        self._job.cancel()
        return CompletableFuture(lambda: self._job.wait(), self._job.done)

    def get_job_execution_result(self) -> CompletableFuture:
        return CompletableFuture(self._job.result, self._job.done)

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Fluvial extra: waits for the end of the job; True if it has ended."""
        return self._job.wait(timeout)

    def trigger_savepoint(self, savepoint_directory: str, formatType=None) -> CompletableFuture:
        """Takes a savepoint under 'savepoint_directory'; the future's result is its path."""
        request = self._job.trigger_savepoint(savepoint_directory)
        return CompletableFuture(request.result, request.done)

    def stop_with_savepoint(self, advance_to_end_of_event_time: bool = False,
                            savepoint_directory: Optional[str] = None,
                            formatType=None) -> CompletableFuture:
        """Takes a savepoint, then stops the job; the future's result is the savepoint's path."""
        if savepoint_directory is None:
            raise ValueError("stop_with_savepoint() needs a savepoint_directory (Fluvial has no "
                             "cluster-wide default)")
        request = self._job.trigger_savepoint(savepoint_directory)
        stopped = threading.Event()

        def stop() -> None:
            # The job stops once the savepoint is stored (or failed), whoever waits for it.
            try:
                request.result()
                self._job.cancel()
                self._job.wait()
            except JobExecutionError:
                pass
            finally:
                stopped.set()

        threading.Thread(target=stop, daemon=True, name="fluvial-stop-with-savepoint").start()

        def finish() -> str:
            stopped.wait()
            return request.result()

        return CompletableFuture(finish, stopped.is_set)


class CollectBuffer:
    """Records handed from a collect sink (worker threads) to the reading thread."""

    def __init__(self):
        self._records: deque = deque()
        self._condition = threading.Condition()
        self._writers = 0
        self._finished_writers = 0

    def add_writer(self) -> None:
        """Counts one more collect sink subtask (while the job is built)."""
        with self._condition:
            self._writers += 1

    def write(self, records: List[Any]) -> None:
        with self._condition:
            self._records.extend(records)
            self._condition.notify_all()

    def finish_writer(self) -> None:
        """A collect sink subtask's input has ended: it writes nothing more."""
        with self._condition:
            self._finished_writers += 1
            self._condition.notify_all()

    def all_finished(self) -> bool:
        with self._condition:
            return self._writers > 0 and self._finished_writers >= self._writers

    def take(self, timeout: float) -> List[Any]:
        with self._condition:
            if not self._records and not (0 < self._writers <= self._finished_writers):
                self._condition.wait(timeout)
            taken = list(self._records)
            self._records.clear()
            return taken

    def wake(self) -> None:
        with self._condition:
            self._condition.notify_all()


class CloseableIterator:
    """Iterates the results of execute_and_collect() while the job runs."""

    def __init__(self, job: RunningJob, buffer: CollectBuffer):
        self._job = job
        self._buffer = buffer
        self._pending: deque = deque()
        self._closed = False

    def __iter__(self):
        return self

    def __next__(self) -> Any:
        while not self._pending:
            if self._closed:
                raise StopIteration
            # Check for the end before taking, so nothing written just before
            # the job ended is missed.
            ended = self._job.done()
            self._pending.extend(self._buffer.take(0.05))
            # Once every collect sink has finished, nothing more can come: wait
            # for the end of the job rather than polling for it.
            if not self._pending and (ended or self._buffer.all_finished()):
                self._job.wait()
                self._closed = True
                self._job.raise_if_failed()
                raise StopIteration
        return self._pending.popleft()

    def close(self) -> None:
        self._pending.clear()  # after close(), iterating ends at once
        if not self._closed:
            self._closed = True
            self._job.cancel()
            self._job.wait()

    def __enter__(self) -> "CloseableIterator":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
