"""The checkpoint keys (fluvial/datastream/_checkpoint_keys.py): weak keys and key files
others can read are refused; a job picks from its directory only checkpoints written
there, so one job's checkpoint copied into another job's directory is never loaded by it;
savepoints, and checkpoint folders named explicitly, can be moved."""

import os
import shutil
import warnings

import cloudpickle
import pytest

from fluvial.datastream._checkpoint_storage import (
    CheckpointStorage,
    CorruptCheckpointError,
    checkpoint_key,
    open_restore_path,
)
from fluvial.errors import FluvialError

STATE = {"keyed": {}, "list": {"splits": [(0, 42)]}, "union": {}}


@pytest.fixture
def key_home(tmp_path, monkeypatch):
    """A private XDG_CONFIG_HOME and no FLUVIAL_CHECKPOINT_KEY."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("FLUVIAL_CHECKPOINT_KEY", raising=False)
    return tmp_path / "config" / "fluvial" / "checkpoint.key"


def _write_checkpoint(storage, checkpoint_id, folder=None):
    folder = folder or storage.folder(checkpoint_id)
    entry = storage.write_state(folder, "op-1-0.state", cloudpickle.dumps(STATE))
    entry["subtask"] = 0
    storage.write_metadata(folder, {
        "checkpoint_id": checkpoint_id, "final": False, "savepoint": folder != storage.folder(checkpoint_id),
        "timestamp": 0.0, "operators": {"uid:source": {"name": "source", "parallelism": 1,
                                                       "max_parallelism": 128, "files": [entry]}}})
    return folder


@pytest.mark.parametrize("key, problem", [("short key", "is 9 bytes long, expected at least 16"),
                                          ("0" * 32, "has only 1 distinct characters")])
def test_a_weak_environment_key_is_refused(key_home, monkeypatch, key, problem):
    monkeypatch.setenv("FLUVIAL_CHECKPOINT_KEY", key)
    with pytest.raises(FluvialError) as refused:
        checkpoint_key()
    assert refused.typename == "CheckpointKeyError"
    message = str(refused.value)
    assert f"the checkpoint key from the environment variable FLUVIAL_CHECKPOINT_KEY {problem}" in message
    assert "secrets.token_hex(32)" in message


def test_the_key_file_is_created_private_and_reused(key_home):
    key = checkpoint_key()
    assert len(key) == 32 and (key_home.stat().st_mode & 0o777) == 0o600
    assert (key_home.parent.stat().st_mode & 0o777) == 0o700
    assert checkpoint_key() == key


def test_a_key_file_others_can_read_is_refused(key_home):
    checkpoint_key()
    os.chmod(key_home, 0o644)
    with pytest.raises(FluvialError) as refused:
        checkpoint_key()
    assert refused.typename == "CheckpointKeyError"
    assert f"the checkpoint key file {key_home} has mode 0644: other users can read it" in str(refused.value)
    assert f"chmod 600 {key_home}" in str(refused.value)
    os.chmod(key_home, 0o620)  # group-writable: the group could replace the key
    with pytest.raises(FluvialError, match="has mode 0620"):
        checkpoint_key()


def test_a_key_file_its_group_can_read_is_accepted_with_a_warning(key_home):
    key = checkpoint_key()
    os.chmod(key_home, 0o640)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert checkpoint_key() == key
    assert any(f"{key_home} has mode 0640: its group can read it" in str(w.message) for w in caught)


def test_a_short_key_file_is_refused(key_home):
    key_home.parent.mkdir(parents=True)
    key_home.write_bytes(b"tiny")
    os.chmod(key_home, 0o600)
    with pytest.raises(FluvialError, match=f"the key file {key_home} is 4 bytes long.*rm {key_home}"):
        checkpoint_key()


def test_a_checkpoint_copied_into_another_jobs_directory_is_refused(key_home, tmp_path):
    first = CheckpointStorage(str(tmp_path / "job-a"))
    _write_checkpoint(first, 3)
    first.record_completed(3)
    assert first.latest().states_of("uid:source") == {0: STATE}
    second = CheckpointStorage(str(tmp_path / "job-b"))
    _write_checkpoint(second, 1)
    second.record_completed(1)
    shutil.copytree(tmp_path / "job-a" / "chk-3", tmp_path / "job-b" / "chk-3")
    with pytest.raises(CorruptCheckpointError) as refused:
        second.latest()
    assert refused.typename == "NewestCheckpointUnusableError"
    assert (f"{tmp_path / 'job-b' / 'chk-3'}/_metadata: HMAC mismatch: the checkpoint says it was "
            f"written in file://{tmp_path / 'job-a'}, and a job takes checkpoints from its directory "
            f"only if they were written there") in str(refused.value)
    # Named explicitly, as a savepoint would be, it is accepted where it is now.
    _, named = open_restore_path(str(tmp_path / "job-b" / "chk-3"))
    assert named.states_of("uid:source") == {0: STATE}
    # Its _latest does not verify there either.
    shutil.copy(tmp_path / "job-a" / "_latest", tmp_path / "job-b" / "_latest")
    with pytest.raises(CorruptCheckpointError, match="_latest fails its HMAC check"):
        second.latest()


def test_savepoints_can_be_moved_but_are_not_checkpoints(key_home, tmp_path):
    savepoints = CheckpointStorage(str(tmp_path / "savepoints"), savepoints=True)
    folder = _write_checkpoint(savepoints, 5, savepoints.savepoint_folder(5))
    moved = tmp_path / "elsewhere" / "savepoint-moved-5"
    shutil.copytree(folder, moved)
    assert CheckpointStorage(str(moved)).load(str(moved)).states_of("uid:source") == {0: STATE}
    # Put into a checkpoint directory as its newest checkpoint, it is refused there.
    directory = CheckpointStorage(str(tmp_path / "chk"))
    shutil.copytree(folder, tmp_path / "chk" / "chk-5")
    with pytest.raises(CorruptCheckpointError, match="describes a savepoint, not a checkpoint"):
        directory.latest()


def test_another_master_key_derives_other_keys(key_home, tmp_path):
    storage = CheckpointStorage(str(tmp_path / "chk"))
    _write_checkpoint(storage, 1)
    other = CheckpointStorage(str(tmp_path / "chk"), key=b"another master key, 32 bytes long")
    with pytest.raises(CorruptCheckpointError, match=r"HMAC mismatch \(tampered, or written with another key\)"):
        other.load(storage.folder(1))
