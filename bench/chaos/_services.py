"""The external systems the chaos jobs write to — a Kafka broker, Redis, PostgreSQL — started
by the repository's scripts (scripts/kafka.sh, redis.sh, postgres.sh) on free 127.0.0.1
ports, and the outages the harness gives them, always by the pid the script recorded:

- ``freeze(seconds)``: SIGSTOP, wait, SIGCONT — the server hangs, connections stay open,
  clients time out (a GC pause, a stuck disk, a network partition);
- ``restart(seconds)``: stop the server, wait, start it again on the same port with its
  data (a crash or a redeploy). Redis keeps nothing on disk here (redis.sh runs it without
  persistence), so its outage is a freeze: a restart would lose what the sink wrote.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _script(name: str, *args: str) -> None:
    completed = subprocess.run(["bash", str(ROOT / "scripts" / name), *args], capture_output=True, text=True,
                               timeout=240)
    if completed.returncode != 0:
        raise RuntimeError(f"scripts/{name} {' '.join(args)} failed (exit {completed.returncode}):\n"
                           f"{completed.stderr}{completed.stdout}")


class Service:
    """One server run by scripts/SCRIPT from its own temporary directory."""

    script = ""
    name = ""

    def __init__(self, directory: Optional[str] = None):
        # Under /tmp itself: as root, PostgreSQL runs as the 'postgres' user and must reach it.
        self.directory = directory or tempfile.mkdtemp(prefix=f"fluvial-chaos-{self.name}-", dir="/tmp")
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"

    def start(self) -> "Service":
        _script(self.script, "start", self.directory, str(self.port))
        return self

    def stop(self) -> None:
        _script(self.script, "stop", self.directory)

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def pid(self) -> int:
        raise NotImplementedError

    def freeze(self, seconds: float) -> None:
        pid = self.pid()
        os.kill(pid, signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            os.kill(pid, signal.SIGCONT)

    def restart(self, seconds: float) -> None:
        self.stop()
        time.sleep(seconds)
        self._start_again()

    def _start_again(self) -> None:
        _script(self.script, "start", self.directory, str(self.port))


class KafkaBroker(Service):
    script, name = "kafka.sh", "kafka"

    def pid(self) -> int:
        return int(Path(self.directory, "kafka.pid").read_text())

    def _start_again(self) -> None:
        _script(self.script, "restart", self.directory)  # same port, same data


class RedisServer(Service):
    script, name = "redis.sh", "redis"

    def pid(self) -> int:
        return int(Path(self.directory, "redis.pid").read_text())

    def restart(self, seconds: float) -> None:
        raise ValueError("Redis runs without persistence here: a restart would lose what was written "
                         "(use freeze)")


class PostgresServer(Service):
    script, name = "postgres.sh", "postgres"

    def pid(self) -> int:
        # The postmaster; its backends are children it stops and resumes with it.
        return int(Path(self.directory, "data", "postmaster.pid").read_text().split()[0])

    def freeze(self, seconds: float) -> None:
        # SIGSTOP on the postmaster alone leaves the backends serving: stop them all.
        pids = [self.pid()] + _children(self.pid())
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGCONT)


def _children(pid: int):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path("/proc", entry, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


SERVICE_CLASSES = {"kafka": KafkaBroker, "redis": RedisServer, "postgres": PostgresServer}


class Services:
    """The services some scenarios need (names of SERVICE_CLASSES), started at once and
    stopped by close(); each is an attribute by its name."""

    def __init__(self, names):
        self.started = []
        try:
            for name in sorted(set(names)):
                service = SERVICE_CLASSES[name]()
                setattr(self, name, service)
                service.start()
                self.started.append(service)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        for service in self.started:
            service.close()
