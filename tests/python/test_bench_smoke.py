"""Every benchmark runs at a tiny size, so none of them rots; each checks that
Fluvial and its bare-Python reference agree before it times anything."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMOKE_ARGUMENTS = {
    "datastream_pipeline.py": ["--records", "20000", "--rounds", "1"],
    "keyed_timers.py": ["--events", "20000", "--rounds", "1"],
    # Starts its own Kafka broker (scripts/kafka.sh) for the few seconds it runs.
    "kafka_pipeline.py": ["--records", "2000", "--rounds", "1"],
    "window_aggregation.py": ["--events", "20000", "--rounds", "1"],
    # Starts its own Redis and PostgreSQL (scripts/redis.sh, scripts/postgres.sh).
    "lookup_join.py": ["--records", "3000", "--rounds", "1"],
    "table_sql.py": ["--rows", "50000", "--rounds", "1"],
    "temporal_join.py": ["--orders", "20000", "--rounds", "1"],
    "state_checkpoint.py": ["--keys", "20000", "--rounds", "1"],
    # Fluvial alone, every query (those it cannot run listed with the reason); Flink stays out of CI.
    "nexmark/run.py": ["--events", "20000"],
    # The Fluvial side of the PyFlink comparison alone (PyFlink itself stays out of CI).
    "pyflink/compare.py": ["--quick", "--engines", "loop,fluvial,fluvial-table", "--results", ""],
}


# Entry points under bench/ that are not timed benchmarks, and the test that runs each.
NOT_BENCHMARKS = {
    # The chaos harness (kills, outages, damaged checkpoints): its short version is a test.
    "chaos/run.py": "tests/python/test_chaos.py",
    # The SQL job the chaos harness starts as a process (it needs a broker and a checkpoint dir).
    "chaos/sql_job.py": "tests/python/test_chaos.py",
}


def test_every_benchmark_has_a_smoke_run():
    # Entry points: bench/*.py and bench/*/*.py; helper modules start with an underscore.
    scripts = {p.relative_to(ROOT / "bench").as_posix()
               for pattern in ("*.py", "*/*.py") for p in (ROOT / "bench").glob(pattern)
               if not p.name.startswith("_")}
    assert scripts == set(SMOKE_ARGUMENTS) | set(NOT_BENCHMARKS)


@pytest.mark.parametrize("script", sorted(SMOKE_ARGUMENTS))
def test_benchmark_smoke_run(script):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    completed = subprocess.run([sys.executable, str(ROOT / "bench" / script), *SMOKE_ARGUMENTS[script]],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert "ratio" in completed.stdout
