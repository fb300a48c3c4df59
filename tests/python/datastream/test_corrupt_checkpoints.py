"""Damaged checkpoints: a completed checkpoint that is corrupt (a flipped byte, a truncated
or deleted state file) or lost (its _metadata or its folder deleted) is refused with
NewestCheckpointUnusableError naming the file, never replaced silently by an older one or
by a fresh start (both would commit output twice); an incomplete one (no _metadata, the
process died writing it) is skipped; an older checkpoint is used when asked for, with a
warning. The job is the seeded generator → FileSink of fault_tolerance/generator_job.py;
what the sink committed is compared with the plain-Python list of all records."""

import json
import os
import shutil
import subprocess
import sys
import warnings
from collections import Counter

import pytest

import fluvial

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "fault_tolerance"))

from generator_job import GeneratorSource, committed_lines, record_of  # noqa: E402

from fluvial.common import Configuration, Encoder, RestartStrategies, Types  # noqa: E402
from fluvial.datastream import MapFunction, StreamExecutionEnvironment  # noqa: E402
from fluvial.datastream._checkpoint_storage import (  # noqa: E402
    CheckpointStorage,
    CorruptCheckpointError,
)
from fluvial.datastream.connectors.file_system import FileSink  # noqa: E402
from fluvial.errors import UserFunctionError  # noqa: E402

SEED, SPLITS, KEYS, PER_SPLIT = 5, 4, 12, 2000
UNUSABLE = "NewestCheckpointUnusableError"


class FailOnce(MapFunction):
    """Raises at record 'index' of split 0 the first time (a marker file remembers)."""

    def __init__(self, marker, index):
        self.marker, self.index = str(marker), index

    def map(self, value):
        if value[2] == 0 and value[3] == self.index and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            raise ValueError(f"injected failure at {value}")
        return value


def _env(checkpoints, configuration=None, retained=1):
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(2)
    env.enable_checkpointing(25)
    env.get_checkpoint_config().set_checkpoint_storage_dir(str(checkpoints))
    env.get_checkpoint_config().set_max_retained_checkpoints(retained)
    return env


def _job(env, output, step):
    env.from_source(GeneratorSource(SEED, SPLITS, PER_SPLIT, KEYS, batch=20, pause=0.003), None,
                    "generator").uid("generator") \
        .map(step).uid("fail") \
        .key_by(lambda r: r[0]).map(lambda r: f"{r[0]},{r[2]},{r[3]}", output_type=Types.STRING()) \
        .uid("format") \
        .sink_to(FileSink.for_row_format(str(output), Encoder.simple_string_encoder()).build()).uid("sink")


def _fail_midway(tmp_path, retained=1):
    """Runs the job until an injected failure (no restart strategy): its checkpoints and
    committed output stay. Returns (checkpoint directory, output folder)."""
    checkpoints, output = tmp_path / "chk", tmp_path / "out"
    env = _env(checkpoints, retained=retained)
    _job(env, output, FailOnce(tmp_path / "failed", PER_SPLIT * 3 // 4))
    with pytest.raises(UserFunctionError):
        env.execute("fails midway")
    committed = Counter(committed_lines(output))
    assert committed and max(committed.values()) == 1
    return checkpoints, output


def _resume(checkpoints, output, configuration=None):
    env = _env(checkpoints, configuration)
    _job(env, output, lambda r: r)
    client = env.execute_async("resumed")
    client.get_job_execution_result().result()
    return client._job.checkpoint_statistics


def _all_records():
    return Counter(f"{record_of(SEED, s, i, KEYS)[0]},{s},{i}" for s in range(SPLITS) for i in range(PER_SPLIT))


def _complete(checkpoints):
    return [i for i in CheckpointStorage(str(checkpoints)).checkpoint_ids()
            if os.path.exists(checkpoints / f"chk-{i}" / "_metadata")]


def _newest(checkpoints):
    """The newest complete checkpoint's id, older ones deleted (retention keeps one, but a
    job failing right after a checkpoint completes may stop before retention ran)."""
    complete = _complete(checkpoints)
    for older in complete[:-1]:
        shutil.rmtree(checkpoints / f"chk-{older}")
    return complete[-1]


def _state_file(folder):
    return sorted(p for p in folder.iterdir() if p.name.endswith(".state"))[-1]


def _flip_a_byte(folder):
    path = _state_file(folder)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    return path


def _truncate(folder):
    path = _state_file(folder)
    path.write_bytes(path.read_bytes()[:-7])
    return path


def _delete_state_file(folder):
    path = _state_file(folder)
    path.unlink()
    return path


def _delete_metadata(folder):
    (folder / "_metadata").unlink()
    return folder / "_metadata"


def _garble_metadata(folder):
    path = folder / "_metadata"
    path.write_bytes(path.read_bytes()[:40])
    return path


def _edit_metadata(folder):
    path = folder / "_metadata"
    document = json.loads(path.read_text())
    document["body"]["timestamp"] += 1  # valid JSON, but not what was authenticated
    path.write_text(json.dumps(document))
    return path


def _delete_folder(folder):
    shutil.rmtree(folder)
    return folder


DAMAGE = {
    "flipped byte": (_flip_a_byte, "is corrupt: {path}: checksum mismatch"),
    "truncated state file": (_truncate, "is corrupt: {path}: checksum mismatch"),
    "deleted state file": (_delete_state_file, "is corrupt: {path} is missing"),
    "garbled _metadata": (_garble_metadata, "is corrupt: {path} is not valid checkpoint metadata"),
    "edited _metadata": (_edit_metadata, "is corrupt: {path}: HMAC mismatch"),
    "deleted _metadata": (_delete_metadata, "was completed (recorded in {checkpoints}/_latest) but its "
                                            "_metadata is missing"),
    "deleted checkpoint folder": (_delete_folder, "was completed (recorded in {checkpoints}/_latest) but "
                                                  "its folder {path} is missing"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_only_checkpoint_is_refused_not_started_over(tmp_path, damage):
    checkpoints, output = _fail_midway(tmp_path)
    before = Counter(committed_lines(output))
    newest = _newest(checkpoints)
    damage_it, reason = DAMAGE[damage]
    path = damage_it(checkpoints / f"chk-{newest}")
    with pytest.raises(CorruptCheckpointError) as refused:
        _resume(checkpoints, output)
    assert refused.typename == UNUSABLE
    message = str(refused.value)
    assert message.startswith(f"cannot resume from the checkpoint directory {checkpoints}: its newest "
                              f"completed checkpoint, {newest}, "
                              + reason.format(path=path, checkpoints=checkpoints)), message
    assert "no older intact checkpoint is left" in message
    assert "--from-savepoint" in message and "empty checkpoint directory" in message
    assert (refused.value.checkpoint_id, refused.value.older) == (newest, [])
    # Nothing ran: the output the damaged checkpoint committed is there once, no more.
    assert Counter(committed_lines(output)) == before


def test_cli_from_checkpoint_names_the_corruption(tmp_path):
    checkpoints, output = _fail_midway(tmp_path)
    newest = _newest(checkpoints)
    path = _flip_a_byte(checkpoints / f"chk-{newest}")
    job = tmp_path / "job.py"
    job.write_text(f"""
import sys
sys.path.insert(0, {os.path.join(HERE, "fault_tolerance")!r})
from generator_job import GeneratorSource
from pyflink.common import Encoder, Types
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.datastream.connectors.file_system import FileSink

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(2)
env.enable_checkpointing(25)
env.get_checkpoint_config().set_checkpoint_storage_dir({str(tmp_path / "other")!r})
env.from_source(GeneratorSource({SEED}, {SPLITS}, {PER_SPLIT}, {KEYS}), None, "generator").uid("generator") \\
    .map(lambda r: r).uid("fail") \\
    .key_by(lambda r: r[0]).map(lambda r: f"{{r[0]}},{{r[2]}},{{r[3]}}", output_type=Types.STRING()) \\
    .uid("format") \\
    .sink_to(FileSink.for_row_format({str(output)!r}, Encoder.simple_string_encoder()).build()).uid("sink")
env.execute("resumed by the CLI")
""")
    # The fluvial this test imported (the checkout's python/ folder).
    environment = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(fluvial.__file__)))
    before = Counter(committed_lines(output))
    completed = subprocess.run([sys.executable, "-m", "fluvial", "run", "--from-checkpoint",
                                str(checkpoints), str(job)], env=environment, capture_output=True,
                               text=True, timeout=120)
    assert completed.returncode == 1, completed.stderr
    assert UNUSABLE in completed.stderr
    assert f"{path}: checksum mismatch" in completed.stderr
    assert "no complete checkpoint" not in completed.stderr
    assert Counter(committed_lines(output)) == before


@pytest.mark.parametrize("damage", ["flipped byte", "deleted _metadata", "deleted checkpoint folder"])
def test_damaged_newest_with_an_older_one_is_refused_and_the_older_one_used_on_request(tmp_path, damage):
    checkpoints, output = _fail_midway(tmp_path, retained=3)
    complete = _complete(checkpoints)
    assert len(complete) >= 2
    newest, older = complete[-1], complete[-2]
    before = Counter(committed_lines(output))
    DAMAGE[damage][0](checkpoints / f"chk-{newest}")
    with pytest.raises(CorruptCheckpointError) as refused:
        _resume(checkpoints, output)
    assert refused.typename == UNUSABLE
    assert refused.value.older[-1] == str(checkpoints / f"chk-{older}")
    assert f"--from-checkpoint {checkpoints / f'chk-{older}'} job.py" in str(refused.value)
    assert Counter(committed_lines(output)) == before

    # The explicit choice: resume from the older checkpoint, accepting duplicates.
    configuration = Configuration()
    configuration.set_string("execution.savepoint.path", str(checkpoints / f"chk-{older}"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        statistics = _resume(checkpoints, output, configuration)
    assert statistics.restored_from == older
    assert any(f"resuming from checkpoint {older} of {checkpoints}, older than its newest completed "
               f"checkpoint {newest}: output committed after checkpoint {older} is written again "
               f"(duplicates)" in str(w.message) for w in caught), [str(w.message) for w in caught]
    committed = Counter(committed_lines(output))
    assert not (_all_records() - committed), "a record was lost"
    assert set(committed) == set(_all_records())
    # The run's own checkpoints come after the damaged one (their ids too, when its folder
    # is gone), so a plain restart is fine again.
    assert min(statistics.completed) > newest
    assert CheckpointStorage(str(checkpoints)).latest().checkpoint_id > newest


def test_an_incomplete_newest_checkpoint_is_skipped(tmp_path):
    checkpoints, output = _fail_midway(tmp_path)
    newest = _newest(checkpoints)
    # As a process killed while writing checkpoint newest+1 leaves it: some state files,
    # no _metadata, and _latest still naming 'newest'.
    partial = checkpoints / f"chk-{newest + 1}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    shutil.copy(_state_file(checkpoints / f"chk-{newest}"), partial / "op-1-0.state")
    statistics = _resume(checkpoints, output)
    assert statistics.restored_from == newest
    assert Counter(committed_lines(output)) == _all_records()  # exactly once


def test_a_forged_latest_record_is_refused(tmp_path):
    checkpoints, output = _fail_midway(tmp_path)
    record = json.loads((checkpoints / "_latest").read_text())
    record["checkpoint_id"] -= 1  # claims an older checkpoint was the last one completed
    (checkpoints / "_latest").write_text(json.dumps(record))
    with pytest.raises(CorruptCheckpointError, match=f"{checkpoints}/_latest fails its HMAC check"):
        _resume(checkpoints, output)


def test_a_checkpoint_damaged_before_an_in_process_restart_fails_the_job(tmp_path, monkeypatch):
    from fluvial.datastream._recovery import Recovery

    checkpoints, output = tmp_path / "chk", tmp_path / "out"
    original = Recovery.prepare_attempt

    def prepare_attempt(self, nodes):
        if self._attempts == 1:  # the restart: the disk damaged the newest checkpoint meanwhile
            _flip_a_byte(checkpoints / f"chk-{_complete(checkpoints)[-1]}")
        return original(self, nodes)
    monkeypatch.setattr(Recovery, "prepare_attempt", prepare_attempt)
    env = _env(checkpoints, retained=3)
    env.set_restart_strategy(RestartStrategies.fixed_delay_restart(2, 5))
    _job(env, output, FailOnce(tmp_path / "failed", PER_SPLIT * 3 // 4))
    with pytest.raises(CorruptCheckpointError) as refused:
        env.execute("damaged before the restart")
    assert refused.typename == UNUSABLE and "checksum mismatch" in str(refused.value)
    assert max(Counter(committed_lines(output)).values()) == 1


def test_cancelling_deletes_the_latest_record_with_the_checkpoints(tmp_path):
    checkpoints, output = tmp_path / "chk", tmp_path / "out"
    env = _env(checkpoints)
    env.from_source(GeneratorSource(SEED, SPLITS, 100_000, KEYS, batch=20, pause=0.003), None,
                    "generator").map(str, output_type=Types.STRING()) \
        .sink_to(FileSink.for_row_format(str(output), Encoder.simple_string_encoder()).build())
    client = env.execute_async("cancelled")
    statistics = client._job.checkpoint_statistics
    while not statistics.completed and not client._job._ended.is_set():
        client._job._ended.wait(0.01)
    assert (checkpoints / "_latest").exists()
    client.cancel().result()
    client._job._ended.wait()
    assert not (checkpoints / "_latest").exists() and not _complete(checkpoints)
    assert CheckpointStorage(str(checkpoints)).latest() is None  # a fresh start, not "lost"


def test_checkpoint_files_are_private(tmp_path):
    checkpoints, _ = _fail_midway(tmp_path)
    newest = _newest(checkpoints)
    assert (checkpoints.stat().st_mode & 0o777) == 0o700
    folder = checkpoints / f"chk-{newest}"
    assert (folder.stat().st_mode & 0o777) == 0o700
    for path in [*folder.iterdir(), checkpoints / "_latest"]:
        assert (path.stat().st_mode & 0o777) == 0o600, path
