"""One process of a job: started by the harness, watched through its 'ready' file (the job
writes the time it was running at) and its exit code, killed by its pid alone."""

import os
import signal
import subprocess
import time
from typing import Dict, List, Optional

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def job_environment(faults: Optional[str] = None, fired_log: Optional[str] = None) -> Dict[str, str]:
    """The environment of a job process: this checkout's fluvial first; with 'faults', the
    FLUVIAL_FAULT_INJECTION hooks armed (each firing appended to 'fired_log')."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "python"), environment.get("PYTHONPATH", "")])
    environment.pop("FLUVIAL_FAULT_INJECTION", None)
    environment.pop("FLUVIAL_FAULT_INJECTION_LOG", None)
    if faults:
        environment["FLUVIAL_FAULT_INJECTION"] = faults
        environment["FLUVIAL_FAULT_INJECTION_LOG"] = fired_log or os.devnull
    return environment


class Attempt:
    """A running job process; its output goes to LOG_DIR/attempt-N.log."""

    def __init__(self, command: List[str], log_dir: str, number: int, faults: Optional[str] = None,
                 fired_log: Optional[str] = None):
        self.ready = os.path.join(log_dir, f"ready-{number}")
        self.log = os.path.join(log_dir, f"attempt-{number}.log")
        self.faults = faults
        with open(self.log, "wb") as log:
            self.started = time.monotonic()
            self.process = subprocess.Popen(command + ["--ready", self.ready], stdout=log,
                                            stderr=subprocess.STDOUT, env=job_environment(faults, fired_log))

    def ready_seconds(self) -> Optional[float]:
        """Seconds from the process's start to the job running, if it got there."""
        try:
            with open(self.ready) as file:
                text = file.read()
        except FileNotFoundError:
            return None
        if not text:
            return None
        # The job wrote wall-clock time: the start's wall-clock time is now's less the monotonic age.
        return float(text) - (time.time() - (time.monotonic() - self.started))

    def wait_ready(self, timeout: float) -> Optional[float]:
        """Seconds from the start to the job running, or None if the process ended first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seconds = self.ready_seconds()
            if seconds is not None:
                return seconds
            if self.process.poll() is not None:
                return self.ready_seconds()
            time.sleep(0.01)
        raise TimeoutError(f"the job was not running {timeout} s after its start; see {self.log}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> Optional[int]:
        """SIGKILL; the exit code (-9, or the code it ended with before the signal came)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=60)

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise TimeoutError(f"the job did not end within {timeout} s; see {self.log}") from None

    def output(self) -> str:
        with open(self.log, encoding="utf-8", errors="replace") as file:
            return file.read()

