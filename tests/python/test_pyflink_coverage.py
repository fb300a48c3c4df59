"""docs/pyflink-coverage.md, which Fluvial's errors point to, matches the code."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_coverage_document_is_current():
    spec = importlib.util.spec_from_file_location("pyflink_coverage", ROOT / "scripts" / "pyflink_coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "pyflink-coverage.md").read_text() == module.render(), (
        "docs/pyflink-coverage.md is stale: run scripts/pyflink_coverage.py")
