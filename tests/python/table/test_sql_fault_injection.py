"""A SQL job — filesystem source → TUMBLE GROUP BY and GROUP BY → two-phase file sinks —
killed with SIGKILL at random moments and started again each time with
``fluvial run --from-checkpoint DIR``: what it committed in the end equals the reference,
with no row lost and none duplicated."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "datastream", "fault_tolerance"))

from checkpoint_job import TOTAL_TYPES, apply_changelog, reference_totals, reference_windows, write_input  # noqa: E402
from generator_job import committed_lines  # noqa: E402

from fluvial.datastream._checkpoint_storage import CheckpointStorage  # noqa: E402

JOB = os.path.join(HERE, "checkpoint_job.py")
KILLS = 5


def _command(input_dir, output, checkpoints):
    command = [sys.executable, "-m", "fluvial", "run"]
    if CheckpointStorage(checkpoints).latest() is not None:
        command += ["--from-checkpoint", checkpoints]
    return command + [JOB, input_dir, output, checkpoints, "--pause", "0.0015"]


def _environment():
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([os.path.join(HERE, "..", "..", "..", "python"),
                                                 environment.get("PYTHONPATH", "")])
    return environment


@pytest.mark.slow
def test_sql_job_killed_at_random_points_loses_and_duplicates_nothing(tmp_path):
    rng = random.Random(11)
    input_dir, output, checkpoints = str(tmp_path / "in"), str(tmp_path / "out"), str(tmp_path / "chk")
    write_input(input_dir)
    kills, runs, started = 0, 0, time.monotonic()
    while True:
        process = subprocess.Popen(_command(input_dir, output, checkpoints), env=_environment())
        runs += 1
        if kills >= KILLS:
            assert process.wait(timeout=300) == 0
            break
        time.sleep(rng.uniform(1.0, 3.0))
        process.send_signal(signal.SIGKILL)
        returncode = process.wait(timeout=60)
        if returncode == -signal.SIGKILL:
            kills += 1
        else:
            assert returncode == 0, f"the job failed with exit code {returncode}"
            break  # it finished before the kill: what it committed is checked all the same
    windows = Counter(tuple(t(v) for t, v in zip((str, str, int, int), line.split("|")))
                      for line in committed_lines(os.path.join(output, "windows")))
    totals = apply_changelog(committed_lines(os.path.join(output, "totals")), TOTAL_TYPES)
    expected_windows = reference_windows()
    lost = sum((expected_windows - windows).values())
    duplicated = sum((windows - expected_windows).values())
    print("sql fault injection:", json.dumps({
        "kills": kills, "runs": runs, "checkpoints": max(CheckpointStorage(checkpoints).checkpoint_ids()),
        "window_rows": sum(expected_windows.values()), "lost": lost, "duplicated": duplicated,
        "seconds": round(time.monotonic() - started, 1)}))
    assert (lost, duplicated) == (0, 0), f"windows: {lost} lost, {duplicated} duplicated"
    assert totals == reference_totals()
    assert kills >= 3, f"the job finished after {kills} kills: make it slower (--pause)"
    # Each restore removed the unfinished files its killed attempts had left (they are the
    # sinks' own: same checkpoint directory, job and operators).
    unfinished = [name for _, _, names in os.walk(output) for name in names if name.startswith(".")]
    assert unfinished == [], f"{len(unfinished)} unfinished files left behind, e.g. {unfinished[:3]}"
