"""The faults the harness injects into a running round, by name (scenarios.py lists which
ones each scenario cycles through).

Kills (each counts towards --kills):

- ``random-kill``: SIGKILL at a random moment 0.1–W s after the job is running (W: 2.5 s, or
  a round's expected run time over its kills when that is longer);
- ``early-kill``: SIGKILL within the first second after a restart (from the process's start:
  during start-up, restore, or the first records);
- ``hook-kill``: the FLUVIAL_FAULT_INJECTION hooks armed, and the process left to kill itself
  inside one: while writing a checkpoint's files or its metadata, between a checkpoint's
  completion and its sinks' commit (``sink-commit``), inside the FileSink's and the Kafka
  sink's commit, and while a recovering Kafka sink re-commits a transaction;
- ``checkpoint-corrupt`` / ``checkpoint-truncate`` / ``checkpoint-missing``: SIGKILL once a
  checkpoint is complete, then damage the newest complete checkpoint (flip bytes in a state
  file, cut one short, delete one). The restarted job must refuse to start, with an error
  naming that checkpoint, and emit nothing; the harness then puts the intact checkpoint back
  and the round goes on (so its final output is still checked against the reference).

Outages (the job may fail and is then restarted, as a supervisor would):

- ``broker-freeze`` / ``broker-restart``: the Kafka broker SIGSTOPped for 1–4 s, or stopped and
  started again on the same port with its data;
- ``redis-freeze``, ``postgres-restart``: the same for the stores the job writes to.
"""

import os
import random
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import List, Optional

from _attempt import Attempt

# Hooks of FLUVIAL_FAULT_INJECTION ("point=probability of killing at each pass"); each
# hook-kill arms the one that has fired least so far, plus the re-commit one. Likely enough
# to fire within the first few checkpoints (a checkpoint writes a file per operator subtask).
# The first is armed first: a kill between a checkpoint's completion and its sinks' commit.
HOOK_POINTS = ("sink-commit=0.3", "checkpoint-write=0.1", "checkpoint-metadata=0.3",
               "file-sink-commit=0.05", "kafka-sink-commit=0.3")
RECOMMIT_POINT = "kafka-sink-recommit=0.5"
KILLS = ("random-kill", "early-kill", "hook-kill", "checkpoint-corrupt", "checkpoint-truncate",
         "checkpoint-missing")
DAMAGES = {"checkpoint-corrupt", "checkpoint-truncate", "checkpoint-missing"}
OUTAGES = {"broker-freeze": ("kafka", "freeze"), "broker-restart": ("kafka", "restart"),
           "redis-freeze": ("redis", "freeze"), "postgres-restart": ("postgres", "restart")}


@dataclass
class Outcome:
    """What a fault did to the attempt it was given."""

    fault: str
    ended: bool  # the attempt is over (killed, failed or finished)
    returncode: Optional[int] = None
    violations: List[str] = field(default_factory=list)


def hook_faults(fired: Counter, points=HOOK_POINTS) -> str:
    point = min(points, key=lambda p: fired[p.split("=")[0]])
    return f"{point},{RECOMMIT_POINT}"


def fired_hooks(log: str) -> Counter:
    if not os.path.exists(log):
        return Counter()
    with open(log) as file:
        return Counter(file.read().split())


def random_kill(attempt: Attempt, rng: random.Random, timeout: float, window_s: float = 2.5) -> Outcome:
    if attempt.wait_ready(timeout) is not None:
        _sleep_while_alive(attempt, rng.uniform(0.1, window_s))
    return Outcome("random-kill", True, attempt.kill())


def early_kill(attempt: Attempt, rng: random.Random, timeout: float) -> Outcome:
    _sleep_while_alive(attempt, rng.uniform(0.0, 1.0) - (_now() - attempt.started))
    return Outcome("early-kill", True, attempt.kill())


def hook_kill(attempt: Attempt, rng: random.Random, timeout: float) -> Outcome:
    """The attempt was started with the hooks armed: wait for it to kill itself (or finish)."""
    return Outcome("hook-kill", True, attempt.wait(timeout))


def outage(name: str, services, attempt: Attempt, rng: random.Random, timeout: float) -> Outcome:
    service_name, mode = OUTAGES[name]
    service = getattr(services, service_name)
    if attempt.wait_ready(timeout) is not None:
        _sleep_while_alive(attempt, rng.uniform(0.2, 1.5))
    seconds = rng.uniform(1.0, 4.0)
    getattr(service, mode)(seconds)
    _sleep_while_alive(attempt, 0.5)
    if attempt.alive():
        return Outcome(name, False)
    return Outcome(name, True, attempt.process.returncode)


def newest_complete_checkpoint(directory: str) -> Optional[str]:
    """The newest chk-N folder with a _metadata file that is not the final checkpoint."""
    if not os.path.isdir(directory):
        return None
    found = []
    for name in os.listdir(directory):
        if name.startswith("chk-") and os.path.exists(os.path.join(directory, name, "_metadata")):
            found.append((int(name[4:]), name))
    return os.path.join(directory, max(found)[1]) if found else None


def newest_complete_id(directory: str) -> int:
    """The id of the newest complete checkpoint in 'directory', 0 if none."""
    folder = newest_complete_checkpoint(directory)
    return int(os.path.basename(folder)[4:]) if folder else 0


def damage_checkpoint(folder: str, kind: str, rng: random.Random) -> str:
    """Damages one state file of 'folder' (the largest, so it holds state); returns its path."""
    files = [os.path.join(folder, name) for name in os.listdir(folder) if name != "_metadata"]
    target = max(files, key=os.path.getsize)
    if kind == "checkpoint-missing":
        os.unlink(target)
    elif kind == "checkpoint-truncate":
        size = os.path.getsize(target)
        os.truncate(target, rng.randrange(0, max(1, size)))
    else:
        with open(target, "r+b") as file:
            data = bytearray(file.read())
            for _ in range(8):
                position = rng.randrange(len(data))
                data[position] ^= 0xFF
            file.seek(0)
            file.write(data)
    return target


def _now() -> float:
    return time.monotonic()


def _sleep_while_alive(attempt: Attempt, seconds: float) -> None:
    deadline = _now() + max(0.0, seconds)
    while _now() < deadline and attempt.alive():
        time.sleep(min(0.01, max(0.0, deadline - _now())))


def restore_folder(backup: str, folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(backup, folder)
