"""Differential cases of the Table API forms fixed for issue #13: each program under
differential/ was run on real PyFlink 2.2.0 (its output recorded next to it, as
<program>.out, outside CI); here Fluvial runs it unmodified (`fluvial run`) and must print
exactly the same."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "differential"
ROOT = Path(__file__).resolve().parents[3]
PROGRAMS = sorted(p for p in HERE.glob("*.py") if p.with_suffix(".out").exists())


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_fluvial_prints_what_pyflink_printed(program, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    result = subprocess.run([sys.executable, "-m", "fluvial", "run", str(program)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == program.with_suffix(".out").read_text().splitlines()


def test_every_program_has_its_recording():
    assert {p.stem for p in HERE.glob("*.py")} <= {p.stem for p in HERE.glob("*.out")}
