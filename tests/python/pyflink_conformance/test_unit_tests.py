"""Corpus 2: PyFlink's own unit tests, vendored unmodified, run on Fluvial.

Runs every vendored test file under pytest with ``pyflink`` resolving to Fluvial (see
unit_tests_harness.py), classifies each test (passed, failed with the reason, not portable
with the reason; unit_tests_corpus.py), and checks

- no regression: every test recorded as passing in corpus/unit_tests/MANIFEST.json passes;
- the corpus-2 section of docs/pyflink-coverage.md is what this run gives (re-record with
  ``PYTHONPATH=python .venv/bin/python tests/python/pyflink_conformance/unit_tests_corpus.py record``).
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import unit_tests_corpus as corpus  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def classified():
    manifest = corpus.load_manifest()
    return manifest, corpus.classify(manifest, corpus.run_corpus(corpus.corpus_files(manifest)))


def test_every_vendored_file_is_listed_with_its_source():
    manifest = corpus.load_manifest()
    vendored = sorted(str(p.relative_to(corpus.CORPUS)) for p in corpus.CORPUS.rglob("test_*.py"))
    assert vendored == corpus.corpus_files(manifest)


def test_recorded_passing_tests_still_pass(classified):
    manifest, results = classified
    regressions = []
    for info, statuses in results:
        for test_id in manifest["passing"].get(info.file, []):
            status, reason = statuses.get(test_id, ("missing", "no longer collected"))
            if status != "passed":
                regressions.append(f"{info.file}::{test_id}: {status}: {reason}")
    assert not regressions, "PyFlink unit tests that passed on Fluvial now fail:\n" + "\n".join(regressions)


def _without_failure_reasons(text):
    # A failure's message can vary between runs (which subtask failed first); its status cannot.
    return "\n".join(line.split("`: ")[0] if line.startswith("- `") else line for line in text.splitlines())


def test_coverage_page_is_current(classified):
    manifest, results = classified
    document = corpus.COVERAGE_DOC.read_text()
    expected = corpus.with_section(document, corpus.render_section(manifest, results))
    assert _without_failure_reasons(document) == _without_failure_reasons(expected), (
        "docs/pyflink-coverage.md's corpus-2 section is stale (a test changed status): run\n"
        "  PYTHONPATH=python .venv/bin/python tests/python/pyflink_conformance/unit_tests_corpus.py record")


def test_static_portability_check_sees_the_jvm():
    # The classification must see a JVM call wherever a test makes one, and nothing in plain API use.
    import ast

    needs_jvm = ast.parse("def test_x(self):\n    gateway = get_gateway()\n    gateway.jvm.Foo()\n")
    wraps_java = ast.parse("def test_x(self):\n    self.t_env._j_tenv.compilePlanSql('x')\n")
    java_class = ast.parse("def test_x(self):\n    f('org.apache.flink.table.legacyutils.RichFunc0')\n")
    plain = ast.parse("def test_x(self):\n    t = self.t_env.from_elements([(1, 'a')])\n"
                      "    t.execute_insert('Results').wait()\n")
    assert "get_gateway" in corpus.jvm_reason(needs_jvm)
    assert "_j_tenv" in corpus.jvm_reason(wraps_java)
    assert "org.apache.flink.table.legacyutils.RichFunc0" in corpus.jvm_reason(java_class)
    assert corpus.jvm_reason(plain) is None
