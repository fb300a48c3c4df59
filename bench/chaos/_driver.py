"""Runs a scenario: rounds of its job, each killed, starved and damaged by the scenario's
faults in turn until it has taken its share of kills, then left to finish and checked
against the reference (_readers.py, _jobs.py). Restarts are immediate, as a supervisor's would
be; the recovery time of a restart is from the new process's start to the job running
again (its restore done: execute_async returned), Python's start-up included."""

import os
import random
import re
import shutil
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import _faults
from _attempt import Attempt
from _jobs import Round, SinkCheck

# A job that exits with an error while no outage was injected into it is a finding; after an
# outage it is restarted, up to this many times in a row (a service may be down a while).
FAILED_STARTS_IN_A_ROW = 30
# A failure this soon after an outage ended is put down to it (a transaction the broker
# timed out while frozen, a connection that breaks on first use).
OUTAGE_AFTERMATH_S = 60.0


@dataclass
class ScenarioResult:
    name: str
    rounds: int = 0
    records: int = 0
    kills: Counter = field(default_factory=Counter)
    outages: Counter = field(default_factory=Counter)
    failed_after_outage: int = 0
    hooks_fired: Counter = field(default_factory=Counter)
    sinks: Dict[str, SinkCheck] = field(default_factory=dict)
    recovery_s: List[float] = field(default_factory=list)
    violations: List[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def lost(self) -> int:
        return sum(check.lost for check in self.sinks.values())

    @property
    def duplicated(self) -> int:
        return sum(check.duplicated for check in self.sinks.values())

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and not self.violations

    def add_checks(self, checks: Dict[str, SinkCheck]) -> None:
        for name, check in checks.items():
            total = self.sinks.setdefault(name, SinkCheck(0, 0, 0))
            total.expected += check.expected
            total.lost += check.lost
            total.duplicated += check.duplicated

    def as_json(self) -> dict:
        recovery = sorted(self.recovery_s)
        return {"scenario": self.name, "rounds": self.rounds, "records": self.records,
                "kills": sum(self.kills.values()), "kills_by_fault": dict(self.kills),
                "outages": dict(self.outages), "failed_after_outage": self.failed_after_outage,
                "hooks_fired": dict(self.hooks_fired),
                "sinks": {name: vars(check) for name, check in self.sinks.items()},
                "lost": self.lost, "duplicated": self.duplicated,
                "recovery_p50_s": round(statistics.median(recovery), 3) if recovery else None,
                "recovery_max_s": round(recovery[-1], 3) if recovery else None,
                "restarts_measured": len(recovery), "violations": self.violations,
                "seconds": round(self.seconds, 1), "ok": self.ok}


class RoundRunner:
    """Drives one Round through a list of faults, then to its end."""

    def __init__(self, job_round: Round, services, rng: random.Random, result: ScenarioResult,
                 timeout_s: float, kill_window_s: float = 2.5):
        self.round, self.services, self.rng, self.result = job_round, services, rng, result
        self.timeout_s, self.kill_window_s = timeout_s, kill_window_s
        self.logs = os.path.join(job_round.directory, "logs")
        os.makedirs(self.logs, exist_ok=True)
        # One log per scenario (beside its rounds): each hook-kill arms the hook that has fired
        # least in the whole scenario, so a long run goes through all of them.
        self.fired_log = os.path.join(os.path.dirname(job_round.directory), "hooks-fired")
        self.attempts = 0
        self.attempt: Optional[Attempt] = None
        self.restarting = False  # the next attempt is a restart after a kill or a failure
        self.recovering: Optional[Attempt] = None  # a restart whose recovery time is not booked yet
        self.last_outage = -1e9  # when the last outage ended (monotonic)

    def run(self, plan: List[str]) -> bool:
        """Injects the faults of 'plan', lets the job finish and checks its sinks; False (and
        a violation booked) if the round could not be completed: a hang, endless failures."""
        try:
            for fault in plan:
                if not self._inject(fault):
                    break  # the job finished before the fault: the round is over
            self._finish()
            self._harvest_recovery()
            self.result.hooks_fired = _faults.fired_hooks(self.fired_log)
            self.result.add_checks(self.round.check())
            return True
        except (TimeoutError, RuntimeError) as error:
            self.result.violations.append(f"{self.round.directory}: the round could not finish: {error}")
            return False
        finally:
            if self.attempt is not None and self.attempt.alive():
                self.attempt.kill()

    def _start(self, hooks: Optional[str] = None) -> Attempt:
        self._harvest_recovery()
        self.attempts += 1
        self.attempt = Attempt(self.round.command(), self.logs, self.attempts, hooks, self.fired_log)
        if self.restarting:
            self.recovering, self.restarting = self.attempt, False
        return self.attempt

    def _harvest_recovery(self) -> None:
        """Books the recovery time of the last restart once its job was running (an attempt
        killed before that has none: the next restart's counts)."""
        attempt = self.recovering
        if attempt is not None:
            seconds = attempt.ready_seconds()
            if seconds is not None:
                self.result.recovery_s.append(seconds)
                self.recovering = None
            elif not attempt.alive():
                self.recovering = None

    def _running_attempt(self, hooks: Optional[str] = None) -> Attempt:
        """The live (or finished) attempt, or a new one: restarted after an ending nobody
        booked yet (a failure an outage caused, seconds later)."""
        failures = 0
        while True:
            attempt = self.attempt
            if attempt is not None:
                returncode = attempt.process.poll()
                if returncode == 0 or (returncode is None and hooks is None):
                    return attempt
                if returncode is None:
                    # Hooks are armed at a process's start: this SIGKILL (at a random moment) restarts it.
                    self._end(attempt.kill(), "random-kill")
                elif returncode != -9:
                    failures += 1
                    self._end(returncode, "no fault")
                if failures >= FAILED_STARTS_IN_A_ROW:
                    raise RuntimeError(f"the job failed {failures} times in a row; last: {attempt.log}")
                if failures:
                    time.sleep(0.5)
            attempt = self._start(hooks)
            if hooks is not None or attempt.alive() or attempt.process.returncode == 0:
                return attempt

    def _end(self, returncode: Optional[int], fault: str) -> None:
        """Books how an attempt ended (once per attempt)."""
        attempt = self.attempt
        if attempt is None or getattr(attempt, "booked", False) or returncode is None:
            return
        attempt.booked = True
        if returncode == -9:
            self.result.kills[fault] += 1
            self.restarting = True
        elif returncode != 0:
            self.restarting = True
            if fault in _faults.OUTAGES or time.monotonic() - self.last_outage < OUTAGE_AFTERMATH_S:
                self.result.failed_after_outage += 1
            else:
                self.result.violations.append(f"the job failed (exit {returncode}) under {fault}; "
                                              f"see {attempt.log}")

    def _inject(self, fault: str) -> bool:
        """Injects 'fault'; False when the job finished instead."""
        rng, timeout = self.rng, self.timeout_s
        if fault == "hook-kill":
            hooks = _faults.hook_faults(_faults.fired_hooks(self.fired_log), self.round.hook_points)
            attempt = self._running_attempt(hooks)
            outcome = _faults.hook_kill(attempt, rng, timeout)
        else:
            attempt = self._running_attempt()
            if attempt.process.poll() == 0:
                return False
            if fault == "early-kill" and time.monotonic() - attempt.started > 1.0:
                fault = "random-kill"  # the process is not a fresh restart (it outlived an outage)
            if fault in _faults.DAMAGES:
                return self._damage(fault, attempt)
            if fault in _faults.OUTAGES:
                self.result.outages[fault] += 1
                outcome = _faults.outage(fault, self.services, attempt, rng, timeout)
                self.last_outage = time.monotonic()
            elif fault == "early-kill":
                outcome = _faults.early_kill(attempt, rng, timeout)
            else:
                outcome = _faults.random_kill(attempt, rng, timeout, self.kill_window_s)
        if outcome.ended:
            self._end(outcome.returncode, outcome.fault)
        return not (outcome.ended and outcome.returncode == 0)

    def _damage(self, fault: str, attempt: Attempt) -> bool:
        """Kills the job once a checkpoint is complete, damages the newest complete checkpoint,
        and checks the restart refuses it — naming it — without emitting anything; then puts
        the intact checkpoint back."""
        checkpoints = self.round.checkpoints
        deadline = time.monotonic() + self.timeout_s
        # Not always the first checkpoint: the damaged one then has output committed before it.
        wanted = self.rng.randint(1, 4)
        while _faults.newest_complete_id(checkpoints) < wanted and attempt.alive():
            if time.monotonic() > deadline:
                raise TimeoutError(f"no checkpoint completed in {self.timeout_s} s; see {attempt.log}")
            time.sleep(0.02)
        returncode = attempt.kill()
        self._end(returncode, fault)
        if returncode == 0:
            return False
        folder = _faults.newest_complete_checkpoint(checkpoints)
        if folder is None:
            return True  # it failed before any checkpoint: nothing to damage this time
        name = os.path.basename(folder)
        backup = os.path.join(self.round.directory, f"intact-{name}")
        shutil.copytree(folder, backup)
        damaged = _faults.damage_checkpoint(folder, fault, self.rng)
        before = self.round.committed()
        refused = self._start()
        try:
            code = refused.wait(min(self.timeout_s, 90.0))
        except TimeoutError:
            code = None
        output = refused.output()
        refused.booked = True  # its failure is the expected refusal, not a fault to book
        if code in (0, None):
            self.result.violations.append(
                f"{fault}: the job started from {damaged} (damaged) instead of refusing it "
                f"({'it finished' if code == 0 else 'it ran on'}); see {refused.log}")
        elif not re.search(rf"\b{name}\b", output):  # chk-1 is not chk-12
            self.result.violations.append(f"{fault}: the job failed (exit {code}) but its error does not "
                                          f"name the damaged checkpoint {name}; see {refused.log}")
        after = self.round.committed()
        for sink in before:
            if before[sink] != after[sink]:
                self.result.violations.append(f"{fault}: {sink} committed more output while the job "
                                              f"refused the damaged {name}")
        if code == 0:
            return False
        _faults.restore_folder(backup, folder)
        shutil.rmtree(backup)
        self.restarting = True
        return True

    def _finish(self) -> None:
        """Lets the job run to its end (restarting it after failures an outage left behind)."""
        while True:
            attempt = self._running_attempt()
            if attempt.wait(self.timeout_s) == 0:
                return
