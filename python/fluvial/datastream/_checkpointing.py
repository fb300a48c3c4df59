"""Checkpoints of a running job: the coordinator that triggers them, collects every operator
subtask's snapshot and writes it, and the hooks that give each operator its share of a
restored checkpoint.

The engine (cpp/runtime/worker.cc) injects barriers at the sources when
``trigger_checkpoint(id)`` is called, aligns them at operators with several input
channels and calls each operator's ``snapshot`` hook (attached here) once the barrier
has passed it. The hook turns the operator's state into a snapshot (below), pickles it
on the worker thread (a consistent copy) and hands the bytes to the coordinator thread,
which writes them to storage while the worker goes on. When every subtask has reported,
the coordinator writes ``_metadata`` (last, atomically), records the checkpoint's id in the
directory's ``_latest`` and tells every operator that the checkpoint is complete: sinks
commit then.

A snapshot of one operator subtask is a dict of three parts, so it can be split when the
job resumes with another parallelism:

- ``keyed``: {key group: {component: value}} — keyed state tables, timers, reduce values,
  native windows. A new subtask gets the key groups it owns.
- ``list``: {component: [items]} — source splits, sink writer states. Items are dealt out
  round robin over the new subtasks.
- ``union``: {component: value} — broadcast state, the same in every subtask; each new
  subtask gets subtask 0's. Components named in UNION_LISTS (a source reader's
  ``snapshot_union_state``) are lists that differ per subtask: each new subtask gets the
  concatenation of all old subtasks' lists (Flink's union list state).

At the end of a bounded job every worker snapshots once more after its input has ended
(the engine's final snapshot) and waits until the job's *final checkpoint* is durable:
its notification commits the sinks' last output, and a restart from it produces nothing
more. Operators see that snapshot and its notification with the id FINAL_CHECKPOINT_ID,
larger than any other, so "commit everything up to it" commits everything. A worker's
final snapshot also stands for it in every checkpoint taken after it ended (its state no
longer changes), so a job with a short side input keeps checkpointing.
"""

import logging
import os
import queue
import random
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Optional, Tuple

import cloudpickle

from fluvial.datastream._checkpoint_storage import (
    CheckpointStorage,
    CompletedCheckpoint,
)
from fluvial.errors import JobExecutionError

logger = logging.getLogger("fluvial.checkpoint")

FINAL = -1  # the engine's id of the final snapshot (runtime::kFinalCheckpoint)
FINAL_CHECKPOINT_ID = 2 ** 62  # what operators see for it


def fault_point(name: str) -> None:
    """Test hook: kills this process with SIGKILL at 'name' with the probability given in
    FLUVIAL_FAULT_INJECTION ("point=probability,..."); does nothing when it is unset. The
    point's name is appended to the file FLUVIAL_FAULT_INJECTION_LOG names, if set, first."""
    spec = os.environ.get("FLUVIAL_FAULT_INJECTION")
    if not spec:
        return
    for item in spec.split(","):
        point, _, probability = item.partition("=")
        if point.strip() == name and random.random() < float(probability or 1):
            log = os.environ.get("FLUVIAL_FAULT_INJECTION_LOG")
            if log:
                with open(log, "a", encoding="utf-8") as file:
                    file.write(name + "\n")
            os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class CheckpointSettings:
    """What execute() needs to know about checkpointing for one job."""

    interval_ms: int
    exactly_once: bool
    timeout_ms: int
    min_pause_ms: int
    max_concurrent: int
    tolerable_failures: int
    retained: int
    storage: Optional[CheckpointStorage]
    delete_on_cancel: bool


def operator_key(node) -> str:
    """How a node's state is found in a checkpoint: its uid, else its place in the plan."""
    return f"uid:{node.uid}" if getattr(node, "uid", None) else f"auto:{node.id}:{node.name}"


# ---------------------------------------------------------------- snapshots per operator


# Union components whose value is a list per subtask, all of which every new subtask gets.
UNION_LISTS = frozenset({"reader"})


def _key_group_of(max_parallelism: int) -> Callable[[Any], int]:
    from fluvial._core import key_group

    return lambda key: key_group(key, max_parallelism)


class _OperatorState:
    """Takes and restores the state of one operator subtask, whatever its kind."""

    def __init__(self, spec: Dict[str, Any], max_parallelism: int):
        self.spec = spec
        self.max_parallelism = max_parallelism
        self.kind = spec.get("kind")

    def snapshot(self, checkpoint_id: int, native: Any) -> Dict[str, Any]:
        keyed: Dict[int, Dict[str, Any]] = {}
        lists: Dict[str, List[Any]] = {}
        union: Dict[str, Any] = {}

        def component(key_group: int) -> Dict[str, Any]:
            return keyed.setdefault(key_group, {})

        spec = self.spec
        if "reader" in spec:
            lists["splits"] = list(spec["reader"].snapshot_state(checkpoint_id) or [])
            union_state = getattr(spec["reader"], "snapshot_union_state", None)
            shared = list(union_state(checkpoint_id) or []) if union_state else []
            if shared:
                union["reader"] = shared
        if "writer" in spec:
            state = spec["writer"].snapshot_state(checkpoint_id)
            if state is not None:
                lists["writer"] = [state]
        runtime = spec.get("runtime")
        if runtime is not None:
            for name, table in runtime.tables().items():
                for key_group, values in table.snapshot().items():
                    component(key_group).setdefault("tables", {})[name] = (table.kind, values)
        if self.kind == "keyed_process" and native is not None:
            for domain in ("event", "processing"):
                for timestamp, key, key_group in native.get(domain, ()):
                    component(key_group).setdefault("timers", []).append((domain, timestamp, key))
        if self.kind == "reduce" and native is not None:
            for key_group, values in native.items():
                if values:
                    component(key_group)["reduce"] = values
        if self.kind == "event_time_window" and native is not None:
            key_group_of = _key_group_of(self.max_parallelism)
            for start, fired, accumulators in native:
                for key, accumulator in accumulators.items():
                    component(key_group_of(key)).setdefault("windows", []).append(
                        (start, fired, key, accumulator))
        if isinstance(native, dict) and str(self.kind).startswith("table_"):
            from fluvial.table._table_state import split_by_key_group

            for key_group, pieces in split_by_key_group(native).items():
                component(key_group)["table"] = pieces
        keyed_state = spec.get("keyed_state")
        if keyed_state is not None:
            for key_group, value in keyed_state.snapshot().items():
                component(key_group)["step"] = value
        broadcast = spec.get("broadcast_store")
        if broadcast is not None:
            union["broadcast"] = broadcast.snapshot()
        return {"keyed": keyed, "list": lists, "union": union,
                "serializers": self._serializers(runtime, broadcast)}

    @staticmethod
    def _serializers(runtime: Any, broadcast: Any) -> Dict[str, str]:
        """{state name: serializer, version and type} of the states written with their
        declared type's serializer (recorded in the checkpoint's metadata)."""
        from fluvial.datastream._state_serialization import broadcast_serializer

        serializers = {}
        for name, table in (runtime.tables().items() if runtime is not None else ()):
            if table.serializer is not None:
                serializers[name] = table.serializer
        if broadcast is not None:
            for name, descriptor in broadcast._descriptors.items():
                serializer = broadcast_serializer(descriptor)
                if serializer is not None:
                    serializers[name] = serializer
        return {name: f"{serializer.name} v{serializer.version} {serializer.type_info.to_type_string()}"
                for name, serializer in serializers.items()}

    def restore(self, share: Dict[str, Any]) -> None:
        spec = self.spec
        keyed, lists, union = share["keyed"], share["list"], share["union"]
        if "reader" in spec:
            if hasattr(spec["reader"], "restore_union_state"):
                spec["reader"].restore_union_state(union.get("reader", []))
            spec["reader"].restore_state(lists.get("splits", []))
        if "writer" in spec:
            for state in lists.get("writer", []):
                spec["writer"].restore_state(state)
        runtime = spec.get("runtime")
        timers: Dict[str, list] = {"event": [], "processing": []}
        reduce: Dict[int, dict] = {}
        windows: Dict[int, Tuple[bool, dict]] = {}
        table_pieces: Dict[str, List[bytes]] = {}
        steps: Dict[int, Any] = {}
        for key_group, parts in keyed.items():
            for name, piece in parts.get("table", {}).items():
                table_pieces.setdefault(name, []).append(piece)
            if "step" in parts:
                steps[key_group] = parts["step"]
            for name, (kind, values) in parts.get("tables", {}).items():
                if runtime is None:
                    continue
                runtime.table(name, kind).restore(key_group, values)
            for domain, timestamp, key in parts.get("timers", ()):
                timers[domain].append((timestamp, key, key_group))
            if "reduce" in parts:
                reduce[key_group] = parts["reduce"]
            for start, fired, key, accumulator in parts.get("windows", ()):
                was_fired, accumulators = windows.setdefault(start, (fired, {}))
                accumulators[key] = accumulator
        broadcast = spec.get("broadcast_store")
        if broadcast is not None and "broadcast" in union:
            broadcast.restore(union["broadcast"])
        if steps and spec.get("keyed_state") is not None:
            spec["keyed_state"].restore(steps)
        if table_pieces:
            from fluvial.table._table_state import read_parts

            spec["restored_native"] = read_parts(table_pieces)
        if self.kind == "keyed_process" and (timers["event"] or timers["processing"]):
            for domain in timers:
                timers[domain].sort(key=lambda timer: timer[0])
            spec["restored_native"] = timers
        elif self.kind == "reduce" and reduce:
            spec["restored_native"] = reduce
        elif self.kind == "event_time_window" and windows:
            spec["restored_native"] = [(start, fired, accumulators)
                                       for start, (fired, accumulators) in sorted(windows.items())]


def redistribute(old_states: Dict[int, Dict[str, Any]], subtask: int, parallelism: int,
                 max_parallelism: int) -> Dict[str, Any]:
    """The share of new subtask 'subtask' (of 'parallelism') of the snapshots of all old
    subtasks: its key groups, every parallelism-th list item, subtask 0's union state
    (all subtasks' lists for UNION_LISTS)."""
    first = (subtask * max_parallelism + parallelism - 1) // parallelism
    end = ((subtask + 1) * max_parallelism + parallelism - 1) // parallelism
    keyed: Dict[int, Dict[str, Any]] = {}
    lists: Dict[str, List[Any]] = {}
    union: Dict[str, Any] = {}
    for old_subtask in sorted(old_states):
        state = old_states[old_subtask]
        for key_group, parts in state["keyed"].items():
            if first <= key_group < end:
                merged = keyed.setdefault(key_group, {})
                for name, value in parts.items():
                    merged[name] = value
        for name, items in state["list"].items():
            lists.setdefault(name, []).extend(items)
        for name, value in state["union"].items():
            if name in UNION_LISTS:
                union.setdefault(name, []).extend(value)
            else:
                union.setdefault(name, value)
    lists = {name: items[subtask::parallelism] for name, items in lists.items()}
    return {"keyed": keyed, "list": lists, "union": union}


# ---------------------------------------------------------------- the coordinator


@dataclass
class _Pending:
    checkpoint_id: int
    folder: str
    started: float
    files: Dict[Tuple[int, int], Optional[dict]] = field(default_factory=dict)
    final: bool = False
    savepoint: Optional["SavepointRequest"] = None


class SavepointRequest:
    """A savepoint being taken; result() waits for its path."""

    def __init__(self, folder: str):
        self.folder = folder
        self.storage: Optional[CheckpointStorage] = None
        self._done = threading.Event()
        self._error: Optional[BaseException] = None

    def finish(self, error: Optional[BaseException] = None) -> None:
        self._error = error
        self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def result(self, timeout: Optional[float] = None) -> str:
        if not self._done.wait(timeout):
            raise TimeoutError(f"savepoint {self.folder} is not complete after {timeout} s")
        if self._error is not None:
            raise JobExecutionError(f"savepoint {self.folder} failed: {self._error}") from self._error
        return self.folder


class CheckpointStatistics:
    """What happened to the checkpoints of one job run (for tests, docs and logs)."""

    def __init__(self):
        self.completed: List[int] = []
        self.failed: List[Tuple[int, str]] = []
        self.durations_ms: List[float] = []
        self.restored_from: Optional[int] = None
        # (checkpoint id, operator node id, subtask, ms): each snapshot's time on its worker
        # thread, serializing included (the worker does no other work meanwhile).
        self.snapshot_ms: List[Tuple[int, int, int, float]] = []


class CheckpointCoordinator:
    """Triggers the checkpoints of one attempt of a job and writes what the operators
    report (on its own thread, so workers never wait for storage)."""

    def __init__(self, settings: CheckpointSettings, nodes: list, first_id: int,
                 statistics: CheckpointStatistics):
        self.settings = settings
        self.storage = settings.storage
        self.statistics = statistics
        self._reporters = {(node.id, subtask) for node in nodes for subtask in range(node.parallelism)}
        self._nodes = {node.id: node for node in nodes}
        self._events: "queue.Queue[tuple]" = queue.Queue()
        self._lock = threading.Lock()
        self._next_id = first_id
        self._final_reports: Dict[Tuple[int, int], Optional[Tuple[bytes, Dict[str, str]]]] = {}
        self._pending: Dict[int, _Pending] = {}
        self._savepoints: "List[SavepointRequest]" = []
        self._triggering = True
        self._consecutive_failures = 0
        self._last_trigger = time.monotonic()
        self._last_completion = 0.0
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.handle = None
        self.failure: Optional[BaseException] = None
        # Names this attempt (e.g. in the FileSink's in-progress files).
        self.attempt = uuid.uuid4().hex[:12]

    # ---- called by operators on worker threads

    @staticmethod
    def resolve(checkpoint_id: int) -> int:
        """The id operators see: the final snapshot's -1 becomes FINAL_CHECKPOINT_ID."""
        return FINAL_CHECKPOINT_ID if checkpoint_id == FINAL else checkpoint_id

    def report(self, node_id: int, subtask: int, checkpoint_id: int, state: Dict[str, Any]) -> None:
        serializers = state.pop("serializers", None) or {}
        empty = not (state["keyed"] or any(state["list"].values()) or state["union"])
        # Pickled here, on the worker thread: the bytes are the consistent copy, and the
        # worker goes on while the coordinator writes them. (Typed state was serialized
        # with its declared type's serializer already, in the snapshot.)
        payload = None if empty else (cloudpickle.dumps(state), serializers)
        self._events.put(("ack", checkpoint_id, node_id, subtask, payload))

    # ---- control

    def start(self, handle) -> None:
        self.handle = handle
        self._last_trigger = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="fluvial-checkpoint-coordinator",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._events.put(("wake",))
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        for pending in list(self._pending.values()):
            self._abort(pending, "the job ended first", count=False)

    def trigger_savepoint(self, directory: str) -> SavepointRequest:
        storage = CheckpointStorage(directory, options=self.storage.options if self.storage else None,
                                    savepoints=True)
        request = SavepointRequest(storage.savepoint_folder(0))
        self._events.put(("savepoint", storage, request))
        return request

    # ---- the coordinator thread

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                event = self._events.get(timeout=self._wait_time())
            except queue.Empty:
                event = None
            try:
                if event is not None:
                    self._handle(event)
                self._expire()
                self._maybe_trigger()
            except BaseException as error:  # a coordinator bug must not hang the job
                logger.exception("checkpoint coordinator failed")
                self._fail_job(error)
                return

    def _wait_time(self) -> float:
        settings = self.settings
        if not self._triggering or settings.interval_ms <= 0:
            return 0.1
        due = self._last_trigger + settings.interval_ms / 1000 - time.monotonic()
        return min(max(due, 0.001), 0.1)

    def _handle(self, event: tuple) -> None:
        kind = event[0]
        if kind == "ack":
            _, checkpoint_id, node_id, subtask, payload = event
            if checkpoint_id == FINAL_CHECKPOINT_ID:
                self._final_reports[(node_id, subtask)] = payload
                if len(self._final_reports) == len(self._reporters):
                    with self._lock:
                        self._triggering = False
                        final_id = self._next_id
                        self._next_id += 1
                    self._begin(final_id, final=True)
                for pending in sorted(self._pending.values(), key=lambda p: p.checkpoint_id):
                    self._try_complete(pending)
                return
            pending = self._pending.get(checkpoint_id)
            if pending is None:
                return  # aborted already
            if self._store(pending, node_id, subtask, payload):
                self._try_complete(pending)
        elif kind == "savepoint":
            _, storage, request = event
            self._trigger(storage, request)

    def _store(self, pending: _Pending, node_id: int, subtask: int,
               payload: Optional[Tuple[bytes, Dict[str, str]]]) -> bool:
        """Writes one subtask's state into 'pending'; False if that failed it."""
        entry = None
        if payload is not None:
            data, serializers = payload
            name = f"op-{node_id}-{subtask}.state"
            try:
                fault_point("checkpoint-write")
                entry = self.storage_of(pending).write_state(pending.folder, name, data)
            except OSError as error:
                self._abort(pending, f"writing {name} failed: {error}")
                return False
            entry["subtask"] = subtask
            if serializers:
                entry["serializers"] = serializers
        pending.files[(node_id, subtask)] = entry
        return True

    def _try_complete(self, pending: _Pending) -> None:
        # Subtasks that have ended are in every checkpoint with their final state.
        for reporter, payload in list(self._final_reports.items()):
            if pending.checkpoint_id not in self._pending:
                return
            if reporter not in pending.files and not self._store(pending, *reporter, payload):
                return
        if len(pending.files) == len(self._reporters):
            self._complete(pending)

    def storage_of(self, pending: _Pending) -> CheckpointStorage:
        return pending.savepoint.storage if pending.savepoint is not None else self.storage

    def _begin(self, checkpoint_id: int, final: bool = False,
               savepoint: Optional[Tuple[CheckpointStorage, SavepointRequest]] = None) -> _Pending:
        if savepoint is not None:
            storage, request = savepoint
            folder = storage.savepoint_folder(checkpoint_id)
            request.folder = folder
            request.storage = storage
            pending = _Pending(checkpoint_id, folder, time.monotonic(), final=final, savepoint=request)
        else:
            pending = _Pending(checkpoint_id, self.storage.folder(checkpoint_id), time.monotonic(),
                               final=final)
        self._pending[checkpoint_id] = pending
        return pending

    def _maybe_trigger(self) -> None:
        settings = self.settings
        if not self._triggering or settings.interval_ms <= 0 or self.storage is None:
            return
        now = time.monotonic()
        regular = [p for p in self._pending.values() if not p.final]
        if (now - self._last_trigger < settings.interval_ms / 1000
                or len(regular) >= settings.max_concurrent
                or now - self._last_completion < settings.min_pause_ms / 1000):
            return
        self._trigger(None, None)

    def _trigger(self, storage: Optional[CheckpointStorage], request: Optional[SavepointRequest]) -> None:
        with self._lock:
            if not self._triggering:
                if request is not None:
                    request.finish(JobExecutionError("the job has finished: no savepoint can be taken"))
                return
            checkpoint_id = self._next_id
            self._next_id += 1
        self._last_trigger = time.monotonic()
        pending = self._begin(checkpoint_id, savepoint=(storage, request) if request else None)
        self.handle.trigger_checkpoint(checkpoint_id)
        self._try_complete(pending)  # if every subtask has ended already

    def _expire(self) -> None:
        timeout = self.settings.timeout_ms / 1000
        now = time.monotonic()
        for pending in list(self._pending.values()):
            if not pending.final and now - pending.started > timeout:
                self._abort(pending, f"it did not complete within {self.settings.timeout_ms} ms")

    def _complete(self, pending: _Pending) -> None:
        storage = self.storage_of(pending)
        operators: Dict[str, Dict[str, Any]] = {}
        for node_id, node in self._nodes.items():
            files = [entry for (reported, _), entry in pending.files.items()
                     if reported == node_id and entry is not None]
            operators[operator_key(node)] = {
                "name": node.name, "parallelism": node.parallelism,
                "max_parallelism": node.max_parallelism, "files": sorted(files, key=lambda e: e["subtask"])}
        metadata = {"checkpoint_id": pending.checkpoint_id, "final": pending.final,
                    "savepoint": pending.savepoint is not None, "timestamp": time.time(),
                    "operators": operators}
        try:
            fault_point("checkpoint-metadata")
            storage.write_metadata(pending.folder, metadata)
            if pending.savepoint is None:
                # Before any sink commits: from now on a missing chk-N is noticed (lost),
                # not taken for one that never completed.
                fault_point("checkpoint-latest")
                storage.record_completed(pending.checkpoint_id)
        except OSError as error:
            self._abort(pending, f"writing its metadata failed: {error}")
            return
        del self._pending[pending.checkpoint_id]
        self._consecutive_failures = 0
        self._last_completion = time.monotonic()
        self.statistics.completed.append(pending.checkpoint_id)
        self.statistics.durations_ms.append((self._last_completion - pending.started) * 1000)
        logger.info("checkpoint %d complete (%s)", pending.checkpoint_id, pending.folder)
        # Older pending checkpoints can no longer be useful.
        for older in [p for p in self._pending.values() if p.checkpoint_id < pending.checkpoint_id
                      and not p.final and p.savepoint is None]:
            self._abort(older, f"checkpoint {pending.checkpoint_id} completed first", count=False)
        if pending.final:
            self.handle.complete_final_checkpoint(FINAL_CHECKPOINT_ID)
        else:
            self.handle.notify_checkpoint_complete(pending.checkpoint_id)
        if pending.savepoint is not None:
            pending.savepoint.finish()
        elif self.storage is not None:
            self.storage.retain(self.settings.retained)

    def _abort(self, pending: _Pending, reason: str, count: bool = True) -> None:
        self._pending.pop(pending.checkpoint_id, None)
        try:
            self.storage_of(pending).discard(pending.folder)
        except OSError:
            pass
        message = f"checkpoint {pending.checkpoint_id} failed: {reason}"
        self.statistics.failed.append((pending.checkpoint_id, reason))
        if pending.savepoint is not None:
            pending.savepoint.finish(JobExecutionError(message))
        if pending.final:
            self.failure = JobExecutionError(f"the final checkpoint failed: {reason}")
            self.handle.complete_final_checkpoint(0)
            return
        if not count:
            logger.info(message)
            return
        logger.warning(message)
        self._consecutive_failures += 1
        if self._consecutive_failures > self.settings.tolerable_failures:
            self._fail_job(JobExecutionError(
                f"{message}; {self._consecutive_failures} checkpoints failed in a row, more than "
                f"the {self.settings.tolerable_failures} tolerated "
                f"(CheckpointConfig.set_tolerable_checkpoint_failure_number)"))

    def _fail_job(self, error: BaseException) -> None:
        if self.failure is None:
            self.failure = error
        self.handle.cancel()


# ---------------------------------------------------------------- wiring into the plan


def instrument(nodes: list, coordinator: CheckpointCoordinator,
               restored: Optional[CompletedCheckpoint]) -> list:
    """Copies of the plan's nodes whose specs report snapshots to 'coordinator' and start
    from their share of 'restored'."""
    restored_states: Dict[str, Optional[Dict[int, Dict[str, Any]]]] = {}
    if restored is not None:
        for node in nodes:
            key = operator_key(node)
            states = restored.states_of(key)
            if states:
                recorded = restored.operators[key]["max_parallelism"]
                if recorded != node.max_parallelism:
                    raise JobExecutionError(
                        f"operator '{node.name}' ({key}) was checkpointed with max parallelism "
                        f"{recorded} but now has {node.max_parallelism}: key groups cannot be "
                        f"mapped; keep the max parallelism when resuming")
            restored_states[key] = states
        known = {operator_key(node) for node in nodes}
        unknown = [key for key, operator in restored.operators.items()
                   if key not in known and operator["files"]]
        if unknown:
            raise JobExecutionError(
                f"the checkpoint {restored.path} holds state for operators this job does not "
                f"have: {', '.join(unknown)}; give operators stable ids with .uid(...)")

    def wrap(node):
        original = node.instantiate
        key = operator_key(node)

        def instantiate(subtask: int) -> Dict[str, Any]:
            spec = original(subtask)
            if str(spec.get("kind", "")).startswith("table_"):
                from fluvial.table._table_state import check_snapshot_capable

                if coordinator.settings.interval_ms > 0 or restored is not None:
                    check_snapshot_capable(node.name, spec)
                spec.setdefault("max_parallelism", node.max_parallelism)
            state = _OperatorState(spec, node.max_parallelism)
            old = restored_states.get(key)
            if old:
                state.restore(redistribute(old, subtask, node.parallelism, node.max_parallelism))
            elif restored is not None and "reader" in spec:
                spec["reader"].restore_state([])  # its splits are all done or elsewhere
            node_id = node.id

            def snapshot(checkpoint_id: int, native: Any) -> None:
                started = time.perf_counter()
                checkpoint_id = coordinator.resolve(checkpoint_id)
                coordinator.report(node_id, subtask, checkpoint_id, state.snapshot(checkpoint_id, native))
                coordinator.statistics.snapshot_ms.append(
                    (checkpoint_id, node_id, subtask, (time.perf_counter() - started) * 1000))

            notify = _notify_hook(spec)
            if spec.get("kind") == "source" or node.is_source:
                spec["snapshot"] = lambda checkpoint_id: snapshot(checkpoint_id, None)
            else:
                spec["snapshot"] = snapshot
            if notify is not None:
                spec["notify_checkpoint_complete"] = notify
            writer = spec.get("writer")
            if writer is not None and hasattr(writer, "_enable_two_phase_commit"):
                writer._enable_two_phase_commit(coordinator.attempt)
            return spec

        return replace(node, instantiate=instantiate)

    return [wrap(node) for node in nodes]


def _notify_hook(spec: Dict[str, Any]) -> Optional[Callable[[int], None]]:
    if "reader" in spec:
        return spec["reader"].notify_checkpoint_complete
    if "writer" in spec:
        writer = spec["writer"]

        def notify(checkpoint_id: int) -> None:
            fault_point("sink-commit")
            writer.notify_checkpoint_complete(checkpoint_id)
        return notify
    return None
