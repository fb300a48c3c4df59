"""Every Python code block in README.md runs, through `fluvial run` as a user
would run it, and prints what a job of its kind should."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def python_blocks(markdown: str):
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)


def test_readme_python_blocks_run(tmp_path):
    blocks = python_blocks((ROOT / "README.md").read_text())
    assert blocks, "README.md shows at least one job"
    for number, block in enumerate(blocks):
        job = tmp_path / f"readme_{number}.py"
        job.write_text(block)
        env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
        completed = subprocess.run([sys.executable, "-m", "fluvial", "run", str(job)], env=env,
                                   capture_output=True, text=True, timeout=120)
        assert completed.returncode == 0, f"README block {number} failed:\n{completed.stderr}"
    # The word count block: each word with its running count, as Flink prints tuples.
    assert "(be,2)" in completed.stdout and "(to,2)" in completed.stdout
