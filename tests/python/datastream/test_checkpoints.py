"""Checkpoints, recovery, restart strategies and savepoints, in one process.

Jobs read the seeded generator of fault_tolerance/generator_job.py (each key belongs to
one split, so per-key results are known in advance) and write through the two-phase
FileSink; results are compared with plain-Python references."""

import errno
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import timedelta

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fault_tolerance"))

from generator_job import GeneratorSource, build, committed_lines, record_of, reference  # noqa: E402

from fluvial.common import Configuration, Duration, Encoder, RestartStrategies, Types  # noqa: E402
from fluvial.common.watermark_strategy import TimestampAssigner, WatermarkStrategy  # noqa: E402
from fluvial.datastream import (  # noqa: E402
    AggregateFunction,
    CheckpointingMode,
    ExternalizedCheckpointCleanup,
    KeyedBroadcastProcessFunction,
    KeyedProcessFunction,
    MapFunction,
    ProcessWindowFunction,
    StreamExecutionEnvironment,
)
from fluvial.datastream._checkpoint_storage import (  # noqa: E402
    CheckpointStorage,
    CorruptCheckpointError,
)
from fluvial.datastream.connectors.file_system import FileSink  # noqa: E402
from fluvial.datastream.state import MapStateDescriptor  # noqa: E402
from fluvial.datastream.window import TumblingEventTimeWindows  # noqa: E402
from fluvial.errors import JobExecutionError, UserFunctionError  # noqa: E402

SEED, SPLITS, KEYS = 5, 4, 12


def _env(parallelism=2, interval=40, directory=None):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.enable_checkpointing(interval)
    if directory is not None:
        env.get_checkpoint_config().set_checkpoint_storage_dir(str(directory))
    return env


def _sink(path):
    return FileSink.for_row_format(str(path), Encoder.simple_string_encoder()).build()


class FailOnce(MapFunction):
    """Raises at record 'index' of split 0 the first time (a marker file remembers)."""

    def __init__(self, marker, index):
        self.marker, self.index = str(marker), index

    def map(self, value):
        if value[2] == 0 and value[3] == self.index and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            raise ValueError(f"injected failure at {value}")
        return value


class AlwaysFail(MapFunction):
    def map(self, value):
        raise ValueError("always")


# ---------------------------------------------------------------- configuration


def test_checkpoint_config_methods_and_configuration_keys():
    env = StreamExecutionEnvironment.get_execution_environment()
    config = env.get_checkpoint_config()
    assert not config.is_checkpointing_enabled() and env.get_checkpoint_interval() == -1
    env.enable_checkpointing(500, CheckpointingMode.AT_LEAST_ONCE)
    assert env.get_checkpointing_mode() is CheckpointingMode.AT_LEAST_ONCE
    config.set_checkpoint_timeout(2000).set_min_pause_between_checkpoints(10)
    config.set_max_concurrent_checkpoints(2).set_tolerable_checkpoint_failure_number(3)
    config.enable_externalized_checkpoints(ExternalizedCheckpointCleanup.RETAIN_ON_CANCELLATION)
    assert (config.get_checkpoint_timeout(), config.get_min_pause_between_checkpoints(),
            config.get_max_concurrent_checkpoints(),
            config.get_tolerable_checkpoint_failure_number()) == (2000, 10, 2, 3)
    assert config.is_externalized_checkpoints_enabled()
    with pytest.raises(ValueError, match="checkpoint_interval must be a positive int"):
        env.enable_checkpointing(0)

    configuration = Configuration()
    for key, value in {"execution.checkpointing.interval": "2 s",
                       "execution.checkpointing.mode": "AT_LEAST_ONCE",
                       "execution.checkpointing.timeout": "1 min",
                       "state.checkpoints.dir": "file:///tmp/somewhere",
                       "state.checkpoints.num-retained": "3",
                       "restart-strategy.type": "fixed-delay",
                       "restart-strategy.fixed-delay.attempts": "4",
                       "restart-strategy.fixed-delay.delay": "250 ms"}.items():
        configuration.set_string(key, value)
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    config = env.get_checkpoint_config()
    assert (config.get_checkpoint_interval(), config.get_checkpoint_timeout()) == (2000, 60000)
    assert config.get_checkpointing_mode() is CheckpointingMode.AT_LEAST_ONCE
    assert config.get_checkpoint_storage_dir() == "file:///tmp/somewhere"
    assert config.get_max_retained_checkpoints() == 3
    strategy = env.get_restart_strategy()
    assert strategy.get_restart_attempts() == 4
    assert strategy.get_delay_between_attempts_interval() == timedelta(milliseconds=250)
    bad = Configuration()
    bad.set_string("execution.checkpointing.interval", "soon")
    with pytest.raises(ValueError, match="execution.checkpointing.interval.*'soon'"):
        StreamExecutionEnvironment.get_execution_environment(bad)


def test_restart_policies_count_attempts_and_failure_rate():
    fixed = RestartStrategies.fixed_delay_restart(2, timedelta(milliseconds=30))._new_policy()
    assert [fixed.next_delay(), fixed.next_delay(), fixed.next_delay()] == [0.03, 0.03, None]
    rate = RestartStrategies.failure_rate_restart(2, timedelta(seconds=60), 5)._new_policy()
    assert [rate.next_delay(), rate.next_delay(), rate.next_delay()] == [0.005, 0.005, None]
    exponential = RestartStrategies.exponential_delay_restart(
        10, 40, 2.0, timedelta(hours=1), 0.0)._new_policy()
    assert [exponential.next_delay() for _ in range(4)] == [0.01, 0.02, 0.04, 0.04]
    assert RestartStrategies.no_restart()._new_policy().next_delay() is None


# ---------------------------------------------------------------- recovery


class WindowSum(AggregateFunction):
    def create_accumulator(self):
        return (None, 0, 0)

    def add(self, value, accumulator):
        return (value[0], accumulator[1] + value[1], accumulator[2] + 1)

    def get_result(self, accumulator):
        return f"{accumulator[0]},{accumulator[1]},{accumulator[2]}"

    def merge(self, a, b):
        return (a[0] or b[0], a[1] + b[1], a[2] + b[2])


class CountUntilTimer(KeyedProcessFunction):
    """Counts a key's records per 100 ms of event time; an event-time timer emits the count."""

    def open(self, runtime_context):
        self.counts = runtime_context.get_map_state(
            MapStateDescriptor("counts", Types.LONG(), Types.LONG()))

    def process_element(self, value, ctx):
        end = value[3] // 100 * 100 + 99
        self.counts.put(end, (self.counts.get(end) or 0) + 1)
        ctx.timer_service().register_event_time_timer(end)

    def on_timer(self, timestamp, ctx):
        yield f"{ctx.get_current_key()},{timestamp},{self.counts.get(timestamp)}"
        self.counts.remove(timestamp)


class CountPerWindow(ProcessWindowFunction):
    """The general (Python) window operator: contents in state tables, timers per window."""

    def process(self, key, context, elements):
        yield f"{key},{context.window().max_timestamp()},{len(list(elements))}"


class ApplyFactor(KeyedBroadcastProcessFunction):
    """Multiplies values by the broadcast 'factor' rule ('missing' before it arrived)."""

    RULES = MapStateDescriptor("rules", Types.STRING(), Types.LONG())

    def process_element(self, value, ctx):
        factor = ctx.get_broadcast_state(self.RULES).get("factor")
        yield f"{value[0]},{value[2]},{value[3]},{'missing' if factor is None else value[1] * factor}"

    def process_broadcast_element(self, value, ctx):
        ctx.get_broadcast_state(self.RULES).put(value[0], value[1])


class ByIndex(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[3]


def _state_kinds_reference(per_split):
    reduce_lines, windows, timers = [], defaultdict(lambda: [0, 0]), Counter()
    totals = defaultdict(int)
    for split in range(SPLITS):
        for index in range(per_split):
            key, value, _, _ = record_of(SEED, split, index, KEYS)
            totals[key] += value
            reduce_lines.append(f"{key},{totals[key]}")
            windows[(key, index // 100)][0] += value
            windows[(key, index // 100)][1] += 1
            timers[(key, index // 100 * 100 + 99)] += 1
    return (Counter(reduce_lines),
            Counter(f"{key},{total},{count}" for (key, _), (total, count) in windows.items()),
            Counter(f"{key},{end},{count}" for (key, end), count in timers.items()))


def test_user_exception_restarts_from_checkpoint_with_every_kind_of_state(tmp_path):
    per_split = 3000
    env = _env(parallelism=2, interval=30, directory=tmp_path / "chk")
    env.set_restart_strategy(RestartStrategies.fixed_delay_restart(3, timedelta(milliseconds=20)))
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(500)) \
        .with_timestamp_assigner(ByIndex())
    records = env.from_source(GeneratorSource(SEED, SPLITS, per_split, KEYS, batch=25, pause=0.003),
                              strategy, "generator") \
        .map(FailOnce(tmp_path / "failed", 2000), output_type=None)
    keyed = records.key_by(lambda r: r[0])
    keyed.reduce(lambda a, b: (a[0], a[1] + b[1], b[2], b[3])) \
        .map(lambda r: f"{r[0]},{r[1]}", output_type=Types.STRING()).sink_to(_sink(tmp_path / "reduce"))
    keyed.window(TumblingEventTimeWindows.of(Duration.of_millis(100))).aggregate(WindowSum()) \
        .sink_to(_sink(tmp_path / "window"))
    keyed.process(CountUntilTimer(), output_type=Types.STRING()).sink_to(_sink(tmp_path / "timer"))
    keyed.window(TumblingEventTimeWindows.of(Duration.of_millis(100))) \
        .process(CountPerWindow(), output_type=Types.STRING()).sink_to(_sink(tmp_path / "python-window"))
    client = env.execute_async("state kinds")
    client.get_job_execution_result().result()
    statistics = client._job.checkpoint_statistics
    assert os.path.exists(tmp_path / "failed"), "the injected failure never happened"
    assert statistics.restored_from is not None, "the restart did not resume from a checkpoint"
    reduce, windows, timers = _state_kinds_reference(per_split)
    assert Counter(committed_lines(tmp_path / "reduce")) == reduce
    assert Counter(committed_lines(tmp_path / "window")) == windows
    assert Counter(committed_lines(tmp_path / "timer")) == timers
    assert Counter(committed_lines(tmp_path / "python-window")) == timers


def test_broadcast_state_and_collection_position_survive_a_restart(tmp_path):
    per_split, fail_at = 2000, 1500
    env = _env(parallelism=2, interval=25, directory=tmp_path / "chk")
    env.set_restart_strategy(RestartStrategies.fixed_delay_restart(1, 10))
    rules = env.from_collection([("factor", 3)]).broadcast(ApplyFactor.RULES)
    env.from_source(GeneratorSource(SEED, SPLITS, per_split, KEYS, batch=20, pause=0.003), None,
                    "generator") \
        .map(FailOnce(tmp_path / "failed", fail_at)).key_by(lambda r: r[0]) \
        .connect(rules).process(ApplyFactor(), output_type=Types.STRING()) \
        .sink_to(_sink(tmp_path / "out"))
    client = env.execute_async("broadcast")
    client.get_job_execution_result().result()
    assert client._job.checkpoint_statistics.restored_from is not None
    lines = [line.split(",") for line in committed_lines(tmp_path / "out")]
    assert Counter((key, int(split), int(index)) for key, split, index, _ in lines) == Counter(
        (record_of(SEED, s, i, KEYS)[0], s, i) for s in range(SPLITS) for i in range(per_split))
    for _key, split, index, result in lines:
        if int(index) >= fail_at:  # processed after the restart, with the restored rule
            assert result == str(record_of(SEED, int(split), int(index), KEYS)[1] * 3)


def test_restarts_give_up_after_the_strategy_attempts(tmp_path):
    env = _env(directory=tmp_path / "chk")
    env.set_restart_strategy(RestartStrategies.fixed_delay_restart(2, 5))
    env.from_source(GeneratorSource(SEED, 2, 100, KEYS), None, "generator") \
        .map(AlwaysFail()).sink_to(_sink(tmp_path / "out"))
    with pytest.raises(UserFunctionError, match="raised ValueError: always"):
        env.execute()


def test_without_restart_strategy_a_failure_fails_the_job(tmp_path):
    env = _env(directory=tmp_path / "chk")
    env.from_source(GeneratorSource(SEED, 2, 100, KEYS), None, "generator") \
        .map(AlwaysFail()).sink_to(_sink(tmp_path / "out"))
    with pytest.raises(UserFunctionError, match="always"):
        env.execute()


def test_at_least_once_mode_gives_complete_results(tmp_path):
    env = _env(parallelism=3, interval=20, directory=tmp_path / "chk")
    env.get_checkpoint_config().set_checkpointing_mode(CheckpointingMode.AT_LEAST_ONCE)
    build(env, SEED, SPLITS, 800, KEYS, str(tmp_path / "out"), batch=20, pause=0.002)
    client = env.execute_async("at least once")
    client.get_job_execution_result().result()
    assert len(client._job.checkpoint_statistics.completed) >= 2
    assert Counter(committed_lines(tmp_path / "out")) == Counter(reference(SEED, SPLITS, 800, KEYS)[0])


# ---------------------------------------------------------------- storage failures


def _fail_midway(tmp_path, checkpoints, output, per_split=2000, retained=3):
    """Runs the generator job until an injected failure (no restart): checkpoints stay."""
    env = _env(interval=25, directory=checkpoints)
    env.get_checkpoint_config().set_max_retained_checkpoints(retained)
    source = GeneratorSource(SEED, SPLITS, per_split, KEYS, batch=20, pause=0.003)
    env.from_source(source, None, "generator").uid("generator") \
        .map(FailOnce(tmp_path / "failed", per_split * 3 // 4)).uid("fail") \
        .key_by(lambda r: r[0]).map(lambda r: f"{r[0]},{r[2]},{r[3]}", output_type=Types.STRING()) \
        .uid("format").sink_to(_sink(output)).uid("sink")
    with pytest.raises(UserFunctionError):
        env.execute()
    return env


def _resume(checkpoints, output, per_split=2000, parallelism=2):
    env = _env(parallelism=parallelism, interval=25, directory=checkpoints)
    source = GeneratorSource(SEED, SPLITS, per_split, KEYS, batch=20, pause=0.0)
    env.from_source(source, None, "generator").uid("generator") \
        .map(lambda r: r).uid("fail") \
        .key_by(lambda r: r[0]).map(lambda r: f"{r[0]},{r[2]},{r[3]}", output_type=Types.STRING()) \
        .uid("format").sink_to(_sink(output)).uid("sink")
    client = env.execute_async("resumed")
    client.get_job_execution_result().result()
    return client._job.checkpoint_statistics


def _all_records(per_split=2000):
    return Counter(f"{record_of(SEED, s, i, KEYS)[0]},{s},{i}"
                   for s in range(SPLITS) for i in range(per_split))


def test_newest_checkpoint_corrupted_is_refused_not_replaced_by_the_previous_one(tmp_path):
    # Until issue #14 the previous checkpoint was used, with a warning, and the output the
    # newest one had committed was written again. (More cases: test_corrupt_checkpoints.py.)
    checkpoints, output = tmp_path / "chk", tmp_path / "out"
    _fail_midway(tmp_path, checkpoints, output)
    storage = CheckpointStorage(str(checkpoints))
    complete = [i for i in storage.checkpoint_ids()
                if os.path.exists(checkpoints / f"chk-{i}" / "_metadata")]
    assert len(complete) >= 2
    newest = checkpoints / f"chk-{complete[-1]}"
    state_file = sorted(p for p in newest.iterdir() if p.name.endswith(".state"))[0]
    data = bytearray(state_file.read_bytes())
    data[-1] ^= 0xFF
    state_file.write_bytes(bytes(data))
    with pytest.raises(CorruptCheckpointError, match="checksum mismatch"):
        storage.load(str(newest))
    committed = Counter(committed_lines(output))
    with pytest.raises(CorruptCheckpointError, match=f"checkpoint, {complete[-1]}, is corrupt: "
                                                     f"{state_file}: checksum mismatch") as refused:
        _resume(checkpoints, output)
    assert refused.typename == "NewestCheckpointUnusableError"
    assert str(checkpoints / f"chk-{complete[-2]}") in str(refused.value)
    assert Counter(committed_lines(output)) == committed  # nothing written twice


def test_tampered_state_is_refused_before_unpickling(tmp_path, monkeypatch):
    checkpoints = tmp_path / "chk"
    _fail_midway(tmp_path, checkpoints, tmp_path / "out")
    storage = CheckpointStorage(str(checkpoints))
    newest = checkpoints / f"chk-{storage.latest().checkpoint_id}"
    state_file = sorted(p for p in newest.iterdir() if p.name.endswith(".state"))[0]
    # Replace the payload and fix up the checksums the metadata lists: only the key is missing.
    import hashlib
    import json

    import cloudpickle
    data = state_file.read_bytes()
    forged = data[:16 + 32] + cloudpickle.dumps({"keyed": {}, "list": {}, "union": {}})
    state_file.write_bytes(forged)
    metadata = json.loads((newest / "_metadata").read_text())
    for operator in metadata["body"]["operators"].values():
        for entry in operator["files"]:
            if entry["file"] == state_file.name:
                entry["size"], entry["sha256"] = len(forged), hashlib.sha256(forged).hexdigest()
    (newest / "_metadata").write_text(json.dumps(metadata))
    monkeypatch.setattr(cloudpickle, "loads", lambda *_: pytest.fail("unpickled unverified state"))
    from fluvial.datastream._state_serialization import SerializedState
    monkeypatch.setattr(SerializedState, "decode", lambda *_: pytest.fail("decoded unverified state"))
    with pytest.raises(CorruptCheckpointError, match="HMAC mismatch"):
        storage.load(str(newest))
    wrong_key = CheckpointStorage(str(checkpoints), key=b"another key of sixteen+ bytes")
    with pytest.raises(CorruptCheckpointError, match="HMAC mismatch"):
        wrong_key.load(str(checkpoints / f"chk-{storage.checkpoint_ids()[0]}"))


def _mount_tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def test_disk_full_during_a_checkpoint_fails_it_and_the_job_goes_on(tmp_path, monkeypatch):
    checkpoints = tmp_path / "chk"
    real_disk = _mount_tmpfs(checkpoints, "2m")
    full = {"on": False}
    if not real_disk:
        # Not root: the storage's writes fail as a full disk's would.
        original = CheckpointStorage.write_state

        def write_state(self, folder, name, payload):
            if full["on"]:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return original(self, folder, name, payload)
        monkeypatch.setattr(CheckpointStorage, "write_state", write_state)
    try:
        env = _env(interval=20, directory=checkpoints)
        env.get_checkpoint_config().set_tolerable_checkpoint_failure_number(1000)
        build(env, SEED, SPLITS, 1500, KEYS, str(tmp_path / "out"), batch=10, pause=0.004)
        client = env.execute_async("disk full")
        statistics = client._job.checkpoint_statistics
        deadline = time.monotonic() + 30
        while not statistics.completed and time.monotonic() < deadline:
            time.sleep(0.005)
        filler = checkpoints / "filler"
        if real_disk:
            with open(filler, "wb", buffering=0) as file:
                try:
                    while True:
                        file.write(b"\0" * 4096)
                except OSError as error:
                    assert error.errno == errno.ENOSPC
        full["on"] = True
        while not statistics.failed and time.monotonic() < deadline:
            time.sleep(0.005)
        full["on"] = False
        if real_disk:
            os.unlink(filler)
        failed_at = len(statistics.completed)
        client.get_job_execution_result().result()
        assert any("No space left" in reason for _, reason in statistics.failed), statistics.failed
        assert len(statistics.completed) > failed_at, "no checkpoint completed after the disk was freed"
        assert Counter(committed_lines(tmp_path / "out")) == Counter(reference(SEED, SPLITS, 1500, KEYS)[0])
    finally:
        if real_disk:
            subprocess.run(["umount", str(checkpoints)], check=False)


def test_too_many_checkpoint_failures_fail_the_job(tmp_path, monkeypatch):
    def no_space(self, folder, name, payload):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(CheckpointStorage, "write_state", no_space)
    env = _env(interval=10, directory=tmp_path / "chk")
    build(env, SEED, SPLITS, 1000, KEYS, str(tmp_path / "out"), batch=10, pause=0.005)
    with pytest.raises(JobExecutionError, match="checkpoints failed in a row, more than the 0 tolerated"):
        env.execute()


# ---------------------------------------------------------------- savepoints


@pytest.mark.parametrize("before, after", [(2, 4), (4, 2)])
def test_savepoint_resumes_with_another_parallelism(tmp_path, before, after):
    per_split = 2500
    output = tmp_path / "out"
    env = _env(parallelism=before, interval=30, directory=tmp_path / "chk1")
    build(env, SEED, SPLITS, per_split, KEYS, str(output), batch=10, pause=0.004)
    client = env.execute_async("before")
    deadline = time.monotonic() + 30
    while not client._job.checkpoint_statistics.completed and time.monotonic() < deadline:
        time.sleep(0.01)
    savepoint = client.stop_with_savepoint(savepoint_directory=str(tmp_path / "savepoints")).result()
    assert os.path.exists(os.path.join(savepoint, "_metadata"))
    produced_before = len(committed_lines(output))
    assert produced_before < SPLITS * per_split, "the job ended before the savepoint"

    configuration = Configuration()
    configuration.set_string("execution.savepoint.path", savepoint)
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(after)
    env.enable_checkpointing(30)
    env.get_checkpoint_config().set_checkpoint_storage_dir(str(tmp_path / "chk2"))
    build(env, SEED, SPLITS, per_split, KEYS, str(output), batch=10, pause=0.0)
    env.execute("after")
    expected_lines, expected_state = reference(SEED, SPLITS, per_split, KEYS)
    assert Counter(committed_lines(output)) == Counter(expected_lines)
    final = CheckpointStorage(str(tmp_path / "chk2")).latest()
    state = {key: value for (key, _), value in final.state_entries("uid:running-total", "total").items()}
    assert state == expected_state
    assert final.operators["uid:running-total"]["parallelism"] == after


def test_savepoint_needs_checkpointing():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.from_collection([1, 2, 3]).map(lambda x: x).print()
    client = env.execute_async("no checkpoints")
    with pytest.raises(JobExecutionError, match="savepoints need checkpointing"):
        client.trigger_savepoint("/tmp/never")
    client.get_job_execution_result().result()


def test_state_of_unknown_operators_is_refused(tmp_path):
    checkpoints = tmp_path / "chk"
    _fail_midway(tmp_path, checkpoints, tmp_path / "out")
    env = _env(directory=checkpoints)
    env.from_source(GeneratorSource(SEED, SPLITS, 2000, KEYS), None, "generator").uid("other") \
        .sink_to(_sink(tmp_path / "out2"))
    with pytest.raises(JobExecutionError, match="holds state for operators this job does not have"):
        env.execute()


def test_cli_resumes_from_a_checkpoint_directory(tmp_path):
    checkpoints, output = tmp_path / "chk", tmp_path / "out"
    _fail_midway(tmp_path, checkpoints, output)
    job = tmp_path / "job.py"
    job.write_text(f"""
import sys
sys.path.insert(0, {os.path.join(os.path.dirname(os.path.abspath(__file__)), "fault_tolerance")!r})
from generator_job import GeneratorSource
from pyflink.common import Encoder, Types
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.datastream.connectors.file_system import FileSink

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(3)
env.enable_checkpointing(25)
env.get_checkpoint_config().set_checkpoint_storage_dir({str(tmp_path / "other")!r})
env.from_source(GeneratorSource({SEED}, {SPLITS}, 2000, {KEYS}), None, "generator").uid("generator") \\
    .map(lambda r: r).uid("fail") \\
    .key_by(lambda r: r[0]).map(lambda r: f"{{r[0]}},{{r[2]}},{{r[3]}}", output_type=Types.STRING()) \\
    .uid("format") \\
    .sink_to(FileSink.for_row_format({str(output)!r}, Encoder.simple_string_encoder()).build()).uid("sink")
env.execute("resumed by the CLI")
""")
    environment = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                           "..", "..", "..", "python"))
    completed = subprocess.run([sys.executable, "-m", "fluvial", "run", "--from-checkpoint",
                                str(checkpoints), str(job)], env=environment, capture_output=True,
                               text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert Counter(committed_lines(output)) == _all_records()
    assert CheckpointStorage(str(tmp_path / "other")).latest().checkpoint_id > \
        max(CheckpointStorage(str(checkpoints)).checkpoint_ids())


def test_trigger_savepoint_lets_the_job_run_on(tmp_path):
    per_split = 1500
    env = _env(parallelism=2, interval=1000, directory=tmp_path / "chk")
    build(env, SEED, SPLITS, per_split, KEYS, str(tmp_path / "out"), batch=10, pause=0.003)
    client = env.execute_async("savepoint while running")
    savepoint = client.trigger_savepoint(str(tmp_path / "savepoints")).result()
    client.get_job_execution_result().result()  # the job ran on to its end
    assert Counter(committed_lines(tmp_path / "out")) == Counter(reference(SEED, SPLITS, per_split, KEYS)[0])
    loaded = CheckpointStorage(savepoint).load(savepoint)
    assert loaded.metadata["savepoint"] and not loaded.metadata["final"]
    positions = [split for state in loaded.states_of("uid:generator").values()
                 for split in state["list"]["splits"]]
    assert sorted(split for split, _ in positions) == list(range(SPLITS))
    assert all(0 <= position <= per_split for _, position in positions)
