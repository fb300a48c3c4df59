"""Exactly-once under SIGKILL: the generator job (fault_tolerance/generator_job.py) is killed
at random points — by a timer, and by the test hooks inside checkpoint writing, metadata
writing and sink commits — at least 20 times and restarted each time from its checkpoint
directory. Its committed output must equal a fault-free run and the plain-Python reference
(0 lost, 0 duplicated) and its final state the reference state.

Sinks are checked through SINKS: each name is a generator_job.SINK_BUILDERS entry (which
adds the sink to the job) mapped to a function reading back what that sink committed; a
Kafka entry (a builder writing a transactional topic, a reader with read_committed) joins
when the Kafka connector lands."""

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "fault_tolerance"))

from generator_job import committed_lines, reference  # noqa: E402

from fluvial.datastream._checkpoint_storage import CheckpointStorage  # noqa: E402

JOB = os.path.join(HERE, "fault_tolerance", "generator_job.py")
SEED, SPLITS, PER_SPLIT, KEYS = 11, 4, 20000, 40
# name -> reads the committed records of that sink from the job's output folder
SINKS = {"file": lambda output: committed_lines(output)}
FAULT_POINTS = ("checkpoint-write=0.02", "checkpoint-metadata=0.15", "file-sink-commit=0.01",
                "sink-commit=0.1")


def _command(output, checkpoints, ready=None):
    command = [sys.executable, JOB, "--seed", str(SEED), "--splits", str(SPLITS),
               "--per-split", str(PER_SPLIT), "--keys", str(KEYS), "--pause", "0.004",
               "--interval", "150", "--output", output, "--checkpoints", checkpoints,
               "--sinks", ",".join(SINKS)]
    return command + (["--ready", ready] if ready else [])


def _environment(faults=None):
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(HERE, "..", "..", "..", "python"), environment.get("PYTHONPATH", "")])
    environment.pop("FLUVIAL_FAULT_INJECTION", None)
    if faults:
        environment["FLUVIAL_FAULT_INJECTION"] = faults
    return environment


def _final_state(checkpoints):
    latest = CheckpointStorage(checkpoints).latest()
    assert latest is not None and latest.metadata["final"], "the job ended without a final checkpoint"
    state = {}
    for subtask_state in latest.states_of("uid:running-total").values():
        for parts in subtask_state["keyed"].values():
            _, values = parts["tables"]["total"]
            for (key, _), value in values.items():
                assert key not in state, f"key {key} restored twice"
                state[key] = value
    return state


@pytest.mark.slow
def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path):
    rng = random.Random(2024)
    expected_lines, expected_state = reference(SEED, SPLITS, PER_SPLIT, KEYS)

    # The fault-free run.
    clean_output, clean_checkpoints = str(tmp_path / "clean-out"), str(tmp_path / "clean-chk")
    subprocess.run(_command(clean_output, clean_checkpoints), env=_environment(), check=True,
                   timeout=120)

    output, checkpoints = str(tmp_path / "out"), str(tmp_path / "chk")
    ready = str(tmp_path / "ready")
    kills, hooked_kills, recovery_seconds = 0, 0, []
    killed_at = None
    started = time.monotonic()
    while True:
        if os.path.exists(ready):
            os.unlink(ready)
        use_hooks = kills < 20 and kills % 3 == 2
        process = subprocess.Popen(_command(output, checkpoints, ready),
                                   env=_environment(",".join(FAULT_POINTS) if use_hooks else None))
        if killed_at is not None:
            deadline = time.monotonic() + 60
            while not os.path.exists(ready) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            if os.path.exists(ready):
                recovery_seconds.append(float(open(ready).read() or 0) - killed_at)
        if kills >= 20:
            assert process.wait(timeout=120) == 0
            break
        if use_hooks:
            returncode = process.wait(timeout=120)
        else:
            time.sleep(rng.uniform(0.3, 1.4))
            process.send_signal(signal.SIGKILL)
            returncode = process.wait(timeout=30)
        if returncode == -signal.SIGKILL:
            kills += 1
            hooked_kills += use_hooks
            killed_at = time.time()
        else:
            assert returncode == 0, f"the job failed with exit code {returncode}"
            killed_at = None
            if kills < 20:  # finished before the kill: start over to reach 20 kills
                for folder in (output, checkpoints):
                    subprocess.run(["rm", "-rf", folder], check=True)
    elapsed = time.monotonic() - started

    expected = Counter(expected_lines)
    for name, read in SINKS.items():
        committed = Counter(read(output))
        clean = Counter(read(clean_output))
        lost = sum((expected - committed).values())
        duplicated = sum((committed - expected).values())
        assert clean == expected, f"{name}: the fault-free run differs from the reference"
        assert (lost, duplicated) == (0, 0), f"{name}: {lost} lost, {duplicated} duplicated"
    assert _final_state(checkpoints) == expected_state
    assert _final_state(clean_checkpoints) == expected_state

    checkpoint_count = max(CheckpointStorage(checkpoints).checkpoint_ids())
    figures = {"records": len(expected_lines), "kills": kills, "kills_in_hooks": hooked_kills,
               "checkpoints": checkpoint_count,
               "recovery_p50_s": round(statistics.median(recovery_seconds), 3),
               "recovery_max_s": round(max(recovery_seconds), 3),
               "lost": 0, "duplicated": 0, "seconds": round(elapsed, 1)}
    print("fault injection:", json.dumps(figures))
    assert kills >= 20 and hooked_kills >= 3
