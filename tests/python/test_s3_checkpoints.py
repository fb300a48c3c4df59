"""Checkpoints in S3: a real S3 API (moto's server on 127.0.0.1) reached through pyarrow.fs
with Flink's s3.* options. A job checkpoints to s3://bucket/path, is cancelled midway, and
a new run resumes from the latest checkpoint there with the reference result; retention
deletes old checkpoints in the bucket too; savepoints go to S3 as well.

(Not under datastream/: its per-test thread check would count the AWS SDK's threads, which
pyarrow starts once per process, and the S3 server's request threads.)"""

import logging
import os
import socket
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "datastream",
                                "fault_tolerance"))

from typed_state_job import build, reference  # noqa: E402

from fluvial.common import Configuration  # noqa: E402
from fluvial.datastream import (  # noqa: E402
    ExternalizedCheckpointCleanup,
    JobStatus,
    StreamExecutionEnvironment,
)
from fluvial.datastream._checkpoint_storage import (  # noqa: E402
    CheckpointStorage,
    CorruptCheckpointError,
    open_restore_path,
)
from fluvial.errors import InvalidJobError  # noqa: E402

ACCESS_KEY, SECRET_KEY, BUCKET = "fluvial-test", "fluvial-test-secret", "checkpoints"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on 127.0.0.1 with one empty bucket; stopped afterwards."""
    from moto.server import ThreadedMotoServer
    from pyarrow import fs

    port = _free_port()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        admin = fs.S3FileSystem(access_key=ACCESS_KEY, secret_key=SECRET_KEY, scheme="http",
                                endpoint_override=f"127.0.0.1:{port}", region="us-east-1",
                                allow_bucket_creation=True)
        admin.create_dir(BUCKET)
        yield endpoint
    finally:
        server.stop()


def _configuration(endpoint, **extra):
    configuration = Configuration()
    for key, value in {"s3.endpoint": endpoint, "s3.access-key": ACCESS_KEY,
                       "s3.secret-key": SECRET_KEY, "s3.path.style.access": "true",
                       "s3.region": "us-east-1", **extra}.items():
        configuration.set_string(key, value)
    return configuration


def _options(endpoint):
    return {"s3.endpoint": endpoint, "s3.access-key": ACCESS_KEY, "s3.secret-key": SECRET_KEY,
            "s3.path.style.access": "true", "s3.region": "us-east-1"}


def _final_state(checkpoint):
    names = ("count", "sums", "last", "largest")
    entries = {name: checkpoint.state_entries("uid:every-state", name) for name in names}
    return {key: tuple(entries[name][(key, None)] for name in names) for key, _ in entries["count"]}


def test_job_checkpoints_to_s3_and_resumes_from_there(s3_endpoint):
    directory = f"s3://{BUCKET}/jobs/typed"
    configuration = _configuration(s3_endpoint, **{"state.checkpoints.dir": directory,
                                                   "state.checkpoints.num-retained": "2"})
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(2)
    env.enable_checkpointing(40)
    env.get_checkpoint_config().enable_externalized_checkpoints(
        ExternalizedCheckpointCleanup.RETAIN_ON_CANCELLATION)
    build(env, pause=0.02)  # about 3 s in all: cancelled well before its end
    client = env.execute_async("typed state to S3")
    statistics = client._job.checkpoint_statistics
    deadline = time.monotonic() + 60
    while len(statistics.completed) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(statistics.completed) >= 4, "fewer than 4 checkpoints completed in 60 s"
    savepoint = client.trigger_savepoint(f"s3://{BUCKET}/savepoints").result()
    client.cancel().result()
    assert client.get_job_status().result() == JobStatus.CANCELED

    storage = CheckpointStorage(directory, options=_options(s3_endpoint))
    kept = storage.checkpoint_ids()
    savepoint_id = int(savepoint.rstrip("/").rsplit("-", 1)[1])
    regular = [i for i in statistics.completed if i != savepoint_id]
    # Retention: the bucket holds the 2 newest complete checkpoints (plus at most one the
    # cancel cut short), not the older ones.
    assert len(regular) >= 4 and len(kept) <= 3 and min(kept) >= regular[-2], (kept, regular)
    latest = storage.latest()
    assert latest.checkpoint_id == regular[-1]
    assert storage.recorded_latest() == regular[-1]  # the _latest object in the bucket
    _, expected = reference()
    partial = _final_state(latest)
    assert partial and any(state[0] < expected[key][0] for key, state in partial.items()), \
        "the job finished before it was cancelled"
    assert savepoint.startswith(f"s3://{BUCKET}/savepoints/") or savepoint.startswith(
        f"{BUCKET}/savepoints/"), savepoint
    assert open_restore_path(savepoint if savepoint.startswith("s3://") else "s3://" + savepoint,
                             _options(s3_endpoint))[1].metadata["savepoint"]

    # A new run with the same directory resumes from the newest checkpoint in S3.
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(3)
    env.enable_checkpointing(40)
    build(env)
    resumed = env.execute_async("typed state from S3")
    resumed.get_job_execution_result().result()
    assert resumed._job.checkpoint_statistics.restored_from == latest.checkpoint_id
    final = CheckpointStorage(directory, options=_options(s3_endpoint)).latest()
    assert final.metadata["final"]
    assert _final_state(final) == expected
    assert len(CheckpointStorage(directory, options=_options(s3_endpoint)).checkpoint_ids()) <= 2


def test_a_damaged_or_lost_checkpoint_in_s3_is_refused(s3_endpoint):
    import cloudpickle

    directory = f"s3://{BUCKET}/jobs/damaged"
    storage = CheckpointStorage(directory, options=_options(s3_endpoint))
    for checkpoint_id in (1, 2):
        folder = storage.folder(checkpoint_id)
        entry = storage.write_state(folder, "op-1-0.state", cloudpickle.dumps({"position": checkpoint_id}))
        entry["subtask"] = 0
        storage.write_metadata(folder, {"checkpoint_id": checkpoint_id, "final": False, "savepoint": False,
                                        "timestamp": 0.0, "operators": {"uid:source": {
                                            "name": "source", "parallelism": 1, "max_parallelism": 128,
                                            "files": [entry]}}})
        storage.record_completed(checkpoint_id)
    assert storage.latest().states_of("uid:source") == {0: {"position": 2}}
    files = storage._files
    state = storage.folder(2) + "/op-1-0.state"
    files.write(state, files.read(state)[:-1])  # truncated
    with pytest.raises(CorruptCheckpointError, match=f"checkpoint, 2, is corrupt: {state}: checksum mismatch"):
        storage.latest()
    files.remove_folder(storage.folder(2))
    with pytest.raises(CorruptCheckpointError, match=r"checkpoint, 2, was completed \(recorded in "
                                                     rf"{BUCKET}/jobs/damaged/_latest\) but its folder"):
        storage.latest()
    # The explicit way back, accepting duplicates: the older checkpoint's folder.
    with pytest.warns(RuntimeWarning, match="older than its newest completed checkpoint 2"):
        _, older = open_restore_path(f"{directory}/chk-1", _options(s3_endpoint))
    assert older.states_of("uid:source") == {0: {"position": 1}}


def test_s3_keys_must_come_in_pairs(s3_endpoint):
    configuration = Configuration()
    configuration.set_string("s3.endpoint", s3_endpoint)
    configuration.set_string("s3.access-key", ACCESS_KEY)
    configuration.set_string("state.checkpoints.dir", f"s3://{BUCKET}/half")
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.enable_checkpointing(100)
    env.from_collection([1, 2]).print()
    with pytest.raises(InvalidJobError, match="s3.access-key and s3.secret-key go together"):
        env.execute("half configured")
