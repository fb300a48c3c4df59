"""Differential DataStream cases (corpus/differential/datastream_*.py): small PyFlink
programs that pin down what a PyFlink user sees (print() text of each type, Rows, BATCH
key order), recorded on real PyFlink 2.2 into expected/differential/ and compared with
Fluvial by oracle.py's rules (each sample runs at parallelism 1: `ordered`).

Re-record (outside CI; needs PyFlink 2.2 and Java 17, as scripts/pyflink_oracle.py):

    PYTHONPATH=python:tests/python .venv/bin/python -m pyflink_conformance.samples record
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from pyflink_conformance import oracle

SAMPLES = oracle.HERE / "corpus" / "differential"
SAMPLES_EXPECTED = oracle.HERE / "expected" / "differential"
PATTERN = "datastream_*.py"


@dataclass(frozen=True)
class Sample(oracle.Program):
    """A corpus-3 program: same settings and rules as a corpus-1 one, its own directories."""

    @property
    def key(self) -> str:
        return f"differential/{self.path}"

    @property
    def source(self) -> Path:
        return SAMPLES / self.path

    @property
    def expected(self) -> Path:
        return SAMPLES_EXPECTED / (self.path + ".out")


def load() -> list[Sample]:
    return [Sample(version="2.2", path=source.name, mode="ordered", timeout=120.0)
            for source in sorted(SAMPLES.glob(PATTERN))]


def record() -> int:
    sys.path.insert(0, str(oracle.ROOT / "scripts"))
    import pyflink_oracle  # the corpus-1 recorder: its PyFlink venv and environment

    SAMPLES_EXPECTED.mkdir(parents=True, exist_ok=True)
    failed = 0
    for sample in load():
        command = [pyflink_oracle.pyflink_python("2.2")]
        result = oracle.run_program(command, sample, pyflink_oracle.pyflink_env("2.2", sample, SAMPLES),
                                    sample.record_timeout)
        if result.returncode != 0:
            print(f"{sample.key}: PyFlink failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
            failed += 1
            continue
        sample.expected.write_text(result.rendered())
        print(f"{sample.key}: recorded in {result.seconds:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:] != ["record"]:
        sys.exit(__doc__)
    sys.exit(record())
