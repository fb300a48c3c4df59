"""Corpus 3 of issue #13: code samples of the PyFlink documentation pages, each completed
into a runnable program (corpus/doc_samples/<topic>/<name>.py; the page it is from on its
'# Source:' line), run through `fluvial run` and compared with what real PyFlink 2.2
printed (expected/doc_samples/, recorded by `scripts/pyflink_oracle.py record --corpus
doc_samples`), as oracle.py defines per program (doc_samples.toml).

A sample that does not pass yet carries its reason in doc_samples.toml and is an
xfail(strict=True): fixing it makes the test fail until the manifest says so."""

import pytest

from pyflink_conformance import oracle

SAMPLES = oracle.load_manifest(oracle.DOC_SAMPLES)


def _param(program: oracle.Program):
    marks = [pytest.mark.xfail(strict=True, reason=program.xfail)] if program.xfail else []
    return pytest.param(program, id=program.key, marks=marks)


@pytest.mark.parametrize("program", [_param(p) for p in SAMPLES.values()])
def test_doc_sample_matches_pyflink(program):
    result = oracle.run_program(oracle.fluvial_command(), program, oracle.fluvial_env())
    problem = oracle.verdict(program, result)
    assert problem is None, f"{program.key}: {problem}\n--- stderr (end) ---\n{result.stderr[-4000:]}"


def test_every_sample_is_recorded_and_names_its_page():
    missing = [p.key for p in SAMPLES.values() if not p.expected.exists()]
    assert not missing, f"no recorded PyFlink output for {missing}: run scripts/pyflink_oracle.py record " \
                        "--corpus doc_samples"
    root = oracle.HERE / "expected" / oracle.DOC_SAMPLES
    stale = {f"{oracle.DOC_SAMPLES}/" + path.relative_to(root).as_posix()[:-len(".out")]
             for path in root.rglob("*.out")} - set(SAMPLES)
    assert not stale, f"recordings of samples no longer in the corpus: {sorted(stale)}"
    for program in SAMPLES.values():
        assert oracle.sample_source_url(program).startswith("https://nightlies.apache.org/flink/"), program.key


def test_issue_target_of_forty_samples():
    # Issue #13: at least 40 documentation samples run (on PyFlink, recorded) in the corpus.
    assert len(SAMPLES) >= 40
