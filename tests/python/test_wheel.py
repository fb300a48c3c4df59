"""The one-`pip install` promise: the package builds as a wheel with
scikit-build-core, installs into a clean virtualenv, and runs a PyFlink job
through the `fluvial` command there."""

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_installs_and_runs_a_job(tmp_path):
    wheels = tmp_path / "wheels"
    # No build isolation: the pinned build requirements are already in this
    # virtualenv, and the persistent build/wheel directory keeps it incremental.
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                    "--no-build-isolation", "-w", str(wheels), "-q"], check=True, timeout=1200)
    (wheel,) = wheels.glob("fluvial-*.whl")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=600)
    job = tmp_path / "job.py"
    job.write_text(
        "from pyflink.datastream import StreamExecutionEnvironment\n"
        "env = StreamExecutionEnvironment.get_execution_environment()\n"
        "env.from_collection([1, 2, 3]).map(lambda x: x * 10).print()\n"
        "env.execute()\n")
    completed = subprocess.run([str(environment / "bin" / "fluvial"), "run", str(job)],
                               capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["10", "20", "30"]
