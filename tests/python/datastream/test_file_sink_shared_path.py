"""Two jobs may write one base path: a file sink removes only the unfinished files that are
provably its own (its sink id — the job's checkpoint directory and name with the sink's uid —
and an earlier attempt), so a job started while another has pending files leaves them, and
that job restores from its checkpoint and commits everything. A sink's own leftovers of a
crashed attempt are removed when it restores. Both the DataStream FileSink and the SQL
filesystem sink (they share connectors/_part_files.py) are checked, on their writers and on
real processes killed with SIGKILL."""

import io
import os
import subprocess
import sys
from collections import Counter

import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "fault_tolerance"))

from generator_job import committed_lines, reference  # noqa: E402
from test_fault_injection import _environment  # noqa: E402

from fluvial.common import Encoder  # noqa: E402
from fluvial.datastream._checkpoint_storage import CheckpointStorage  # noqa: E402
from fluvial.datastream.connectors import BucketAssigner, FileSink  # noqa: E402
from fluvial.table.connectors import FileWriter  # noqa: E402

JOB = os.path.join(HERE, "fault_tolerance", "generator_job.py")
# The SQL writer's grouping and CSV writing start Arrow's CPU and IO threads (once per process):
# start them before the thread-leak check takes its first baseline.
pa.table({"v": ["x"]}).group_by(["v"]).aggregate([])
pa_csv.write_csv(pa.table({"v": ["x"]}), io.BytesIO())
SINK_A, SINK_B = "a" * 16, "b" * 16


def hidden_files(root):
    return sorted(os.path.join(d, n) for d, _, names in os.walk(root) for n in names if n.startswith("."))


# ------------------------------------------------------------------ the writers, step by step

class SinkDriver:
    """Drives a sink's writers as the engine does: restore, attempt, identity, open."""

    def writer(self, sink_id, attempt, restored=None):
        writer = self.new_writer()
        if restored is not None:
            writer.restore_state(restored)
        writer._enable_two_phase_commit(attempt)
        writer._identify_sink(sink_id)
        writer.open()
        return writer


class DataStreamSink(SinkDriver):
    """FileSink writers, one record a line."""

    def __init__(self, base):
        self.sink = FileSink.for_row_format(str(base), Encoder.simple_string_encoder()) \
            .with_bucket_assigner(BucketAssigner.base_path_bucket_assigner()).build()

    def new_writer(self):
        return self.sink._create_writer(0, 1)

    @staticmethod
    def write(writer, values):
        writer.write(list(values))

    @staticmethod
    def lines(base):
        return committed_lines(base)


class SqlSink(SinkDriver):
    """Filesystem-table writers: CSV, partitioned by the value's first letter."""

    SCHEMA = pa.schema([("v", pa.string()), ("p", pa.string())])

    def __init__(self, base):
        self.options = {"connector": "filesystem", "path": str(base), "format": "csv", "__partition_keys": "p"}

    def new_writer(self):
        return FileWriter(self.options, 0, "t", self.SCHEMA)

    @classmethod
    def write(cls, writer, values):
        values = list(values)
        writer.write(pa.RecordBatch.from_arrays([pa.array(values), pa.array([v[0] for v in values])],
                                                schema=cls.SCHEMA), None)

    @staticmethod
    def lines(base):
        return [line.strip('"') for line in committed_lines(base)]  # CSV quotes strings


@pytest.mark.parametrize("kind", [DataStreamSink, SqlSink], ids=["FileSink", "filesystem-table"])
def test_a_sink_leaves_another_sinks_files_and_removes_its_own_leftovers(tmp_path, kind):
    base = tmp_path / "shared"
    sinks = kind(base)
    # Sink A checkpoints twice: checkpoint 1 completes (its files are pending when A dies,
    # before the commit), checkpoint 2 never does; more rows are written after it.
    a = sinks.writer(SINK_A, "a00000000001")
    sinks.write(a, ["a1", "a2"])
    restore_point = a.snapshot_state(1)
    sinks.write(a, ["a3"])
    a.snapshot_state(2)
    sinks.write(a, ["a4"])
    a.snapshot_state(3)  # in progress (DataStream: open parts too) when the process dies
    leftovers_of_a = hidden_files(base)
    assert len(leftovers_of_a) >= 3

    # Sink B (another job) starts on the same path while A's files are there.
    b = sinks.writer(SINK_B, "b00000000001")
    assert hidden_files(base) == leftovers_of_a, "B removed files that are not its own"
    sinks.write(b, ["b1", "b2"])
    b.snapshot_state(1)
    b.notify_checkpoint_complete(1)

    # A restores from checkpoint 1: what it pre-committed is committed, its other leftovers
    # (checkpoints 2 and 3, never completed) are removed; it writes those rows again.
    restored = sinks.writer(SINK_A, "a00000000002", restored=restore_point)
    assert hidden_files(base) == []
    sinks.write(restored, ["a3", "a4"])
    restored.snapshot_state(2)
    restored.notify_checkpoint_complete(2)
    assert Counter(sinks.lines(base)) == Counter(["a1", "a2", "a3", "a4", "b1", "b2"])
    assert hidden_files(base) == []


@pytest.mark.parametrize("kind", [DataStreamSink, SqlSink], ids=["FileSink", "filesystem-table"])
def test_files_of_the_current_attempt_are_never_removed(tmp_path, kind):
    # Subtask 0 cleans while the other subtasks of the same attempt already write.
    base = tmp_path / "out"
    sinks = kind(base)
    first = sinks.writer(SINK_A, "a00000000002")
    sinks.write(first, ["x1"])
    first.snapshot_state(5)
    pending = hidden_files(base)
    sinks.writer(SINK_A, "a00000000002")  # another writer of the attempt opens
    assert hidden_files(base) == pending


def test_unfinished_files_of_old_versions_and_other_programs_are_left_alone(tmp_path):
    # Only names this sink made (its id, another attempt) are removed: never a file named otherwise.
    base = tmp_path / "out"
    base.mkdir()
    others = [".part-1.inprogress.attempt-0123456789ab-9f0c", ".part-2.inprogress",
              f".part-3.inprogress.{SINK_B}.000000000000.{'0' * 32}", ".hidden", "_SUCCESS"]
    for name in others:
        (base / name).write_text("not mine\n")
    DataStreamSink(base).writer(SINK_A, "a00000000001")
    assert sorted(os.listdir(base)) == sorted(others)


# ------------------------------------------------------------------ two real jobs, one killed

def run_job(output, checkpoints, seed, faults=None):
    environment = _environment(faults, log=os.devnull)
    command = [sys.executable, JOB, "--seed", str(seed), "--splits", "4", "--per-split", "3000",
               "--keys", "30", "--pause", "0.002", "--interval", "300", "--output", str(output),
               "--checkpoints", str(checkpoints)]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)


def pending_of_latest_checkpoint(checkpoints):
    """The unfinished files the latest complete checkpoint of the job pre-committed."""
    latest = CheckpointStorage(str(checkpoints)).latest()
    assert latest is not None, "the job was killed before its first checkpoint completed"
    files = []
    for subtask_state in latest.states_of("uid:file-sink").values():
        for writer_state in subtask_state["list"].get("writer", []):
            for parts in (writer_state or {}).get("pending", {}).values():
                files.extend(in_progress for in_progress, _ in parts)
    return files


@pytest.mark.slow
def test_a_job_started_beside_a_killed_one_leaves_its_files_and_both_commit_everything(tmp_path):
    output = tmp_path / "shared-output"
    # Job A is killed right after a checkpoint completes, before its sink commits anything:
    # the files that checkpoint pre-committed stay unfinished under the shared path.
    killed = run_job(output, tmp_path / "checkpoints-a", seed=1, faults="sink-commit=1")
    assert killed.returncode == -9, killed.stderr[-3000:]
    pending = pending_of_latest_checkpoint(tmp_path / "checkpoints-a")
    assert pending and all(os.path.exists(path) for path in pending), "A left no pending files to protect"
    stray = [path for path in hidden_files(output) if path not in pending]  # after the checkpoint

    # Job B writes the same path from start to end while A's files are there.
    other = run_job(output, tmp_path / "checkpoints-b", seed=2)
    assert other.returncode == 0, other.stderr[-3000:]
    assert all(os.path.exists(path) for path in pending + stray), "job B removed job A's unfinished files"

    # A resumes from its checkpoint: it commits what it had pre-committed, removes its own
    # leftovers written after the checkpoint, and writes those records again.
    resumed = run_job(output, tmp_path / "checkpoints-a", seed=1)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    expected = reference(1, 4, 3000, 30)[0] + reference(2, 4, 3000, 30)[0]
    got = Counter(committed_lines(output))
    want = Counter(expected)
    assert got == want, (f"{sum((want - got).values())} records lost, "
                         f"{sum((got - want).values())} duplicated")
    assert hidden_files(output) == [], "unfinished files were left behind"
