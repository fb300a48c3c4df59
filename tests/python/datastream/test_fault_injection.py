"""Exactly-once under SIGKILL: the generator job (fault_tolerance/generator_job.py) is killed
at random points — by a timer, and by the test hooks inside checkpoint writing, metadata
writing and sink commits (each hook in turn) — at least 20 times and restarted each time
from its checkpoint directory. Its committed output must equal a fault-free run and the
plain-Python reference (0 lost, 0 duplicated) and its final state the reference state.

Sinks are checked through SINKS: each name is a generator_job.SINK_BUILDERS entry (which
adds the sink to the job) mapped to a function reading back what that sink committed: the
FileSink's finished part files, and the EXACTLY_ONCE KafkaSink's topic read with
isolation.level=read_committed (a real broker, the session's kafka fixture)."""

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
from fluvial.datastream._state_serialization import SerializedState  # noqa: E402

JOB = os.path.join(HERE, "fault_tolerance", "generator_job.py")
SEED, SPLITS, PER_SPLIT, KEYS = 11, 4, 20000, 40


class Run:
    """Where one run of the job writes: its output folder and its Kafka topic."""

    def __init__(self, kafka, output):
        self.kafka, self.output = kafka, output
        self.topic = kafka.topic(partitions=2, prefix="fault")

    def kafka_lines(self):
        return [value.decode() for *_, value in self.kafka.read(self.topic, "read_committed")]


# name -> reads the committed records of that sink of a Run
SINKS = {"file": lambda run: committed_lines(run.output), "kafka": Run.kafka_lines}
# Each hooked run enables the one of these that has fired least (so each kills the job at
# least once), and the one that fires while a recovering KafkaSink writes a transaction again.
FAULT_POINTS = ("checkpoint-write=0.02", "checkpoint-metadata=0.15", "checkpoint-latest=0.15",
                "file-sink-commit=0.01", "sink-commit=0.1", "kafka-sink-commit=0.1")
RECOMMIT_POINT = "kafka-sink-recommit=0.5"


def _command(run, checkpoints, ready=None):
    command = [sys.executable, JOB, "--seed", str(SEED), "--splits", str(SPLITS),
               "--per-split", str(PER_SPLIT), "--keys", str(KEYS), "--pause", "0.004",
               "--interval", "150", "--output", run.output, "--checkpoints", checkpoints,
               "--sinks", ",".join(SINKS), "--kafka-servers", run.kafka.servers,
               "--kafka-topic", run.topic]
    return command + (["--ready", ready] if ready else [])


def _environment(faults=None, log=None):
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(HERE, "..", "..", "..", "python"), environment.get("PYTHONPATH", "")])
    environment.pop("FLUVIAL_FAULT_INJECTION", None)
    if faults:
        environment["FLUVIAL_FAULT_INJECTION"] = faults
        environment["FLUVIAL_FAULT_INJECTION_LOG"] = log
    return environment


def _final_state(checkpoints):
    latest = CheckpointStorage(checkpoints).latest()
    assert latest is not None and latest.metadata["final"], "the job ended without a final checkpoint"
    state = {}
    for subtask_state in latest.states_of("uid:running-total").values():
        for parts in subtask_state["keyed"].values():
            _, values = parts["tables"]["total"]
            if isinstance(values, SerializedState):  # the declared type's serializer wrote it
                values = values.decode("total")
            for (key, _), value in values.items():
                assert key not in state, f"key {key} restored twice"
                state[key] = value
    return state


@pytest.mark.slow
def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path, kafka):
    rng = random.Random(2024)
    expected_lines, expected_state = reference(SEED, SPLITS, PER_SPLIT, KEYS)

    # The fault-free run.
    clean = Run(kafka, str(tmp_path / "clean-out"))
    clean_checkpoints = str(tmp_path / "clean-chk")
    subprocess.run(_command(clean, clean_checkpoints), env=_environment(), check=True, timeout=120)

    run, checkpoints = Run(kafka, str(tmp_path / "out")), str(tmp_path / "chk")
    ready, fired_log = str(tmp_path / "ready"), str(tmp_path / "fired")
    kills, hooked_kills, recovery_seconds = 0, 0, []
    killed_at = None
    started = time.monotonic()
    while True:
        if os.path.exists(ready):
            os.unlink(ready)
        use_hooks = kills < 20 and kills % 2 == 1
        fired = Counter(open(fired_log).read().split()) if os.path.exists(fired_log) else Counter()
        point = min(FAULT_POINTS, key=lambda p: fired[p.split("=")[0]])  # the one that fired least
        faults = f"{point},{RECOMMIT_POINT}"
        process = subprocess.Popen(_command(run, checkpoints, ready),
                                   env=_environment(faults if use_hooks else None, fired_log))
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
                for folder in (run.output, checkpoints):
                    subprocess.run(["rm", "-rf", folder], check=True)
                run = Run(kafka, run.output)
    elapsed = time.monotonic() - started

    expected = Counter(expected_lines)
    for name, read in SINKS.items():
        committed = Counter(read(run))
        lost = sum((expected - committed).values())
        duplicated = sum((committed - expected).values())
        assert Counter(read(clean)) == expected, f"{name}: the fault-free run differs from the reference"
        assert (lost, duplicated) == (0, 0), f"{name}: {lost} lost, {duplicated} duplicated"
    assert _final_state(checkpoints) == expected_state
    assert _final_state(clean_checkpoints) == expected_state

    fired = Counter(open(fired_log).read().split())
    checkpoint_count = max(CheckpointStorage(checkpoints).checkpoint_ids())
    figures = {"records": len(expected_lines), "kills": kills, "kills_in_hooks": dict(fired),
               "checkpoints": checkpoint_count,
               "recovery_p50_s": round(statistics.median(recovery_seconds), 3),
               "recovery_max_s": round(max(recovery_seconds), 3),
               "lost": 0, "duplicated": 0, "seconds": round(elapsed, 1)}
    print("fault injection:", json.dumps(figures))
    assert kills >= 20 and hooked_kills >= 10
    # Each hook killed the job at least once: during checkpoints and during sink commits.
    assert all(fired[point.split("=")[0]] >= 1 for point in FAULT_POINTS), fired
