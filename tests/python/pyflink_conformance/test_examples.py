"""Corpus 1 of issue #13: every example program Flink ships (apache-flink 2.2 and 1.20
wheels, corpus/examples/, verbatim) runs through `fluvial run` and prints what real
PyFlink printed (expected/, recorded by scripts/pyflink_oracle.py), compared as
oracle.py defines per program (examples.toml).

A program that does not pass yet carries its reason in examples.toml and is an
xfail(strict=True): fixing it makes the test fail until the manifest says so."""

import pytest

from pyflink_conformance import oracle
from pyflink_conformance.example_broker import example_broker

PROGRAMS = oracle.load_manifest()


def _param(program: oracle.Program):
    marks = [pytest.mark.slow] if program.unbounded or program.kafka_topics else []
    if program.xfail:
        marks.append(pytest.mark.xfail(strict=True, reason=program.xfail))
    return pytest.param(program, id=program.key, marks=marks)


def run_on_fluvial(program: oracle.Program) -> oracle.RunResult:
    # An unbounded program stops once its output equals the recording (or at its timeout).
    done = oracle.matches_recording(program)
    if program.kafka_topics:
        with example_broker(program.kafka_topics):
            return oracle.run_program(oracle.fluvial_command(), program, oracle.fluvial_env(), done=done)
    return oracle.run_program(oracle.fluvial_command(), program, oracle.fluvial_env(), done=done)


@pytest.mark.parametrize("program", [_param(p) for p in PROGRAMS.values()])
def test_example_matches_pyflink(program):
    result = run_on_fluvial(program)
    problem = oracle.verdict(program, result)
    assert problem is None, f"{program.key}: {problem}\n--- stderr (end) ---\n{result.stderr[-4000:]}"


def test_every_recorded_program_has_its_recording():
    missing = [p.key for p in PROGRAMS.values() if p.record is None and not p.expected.exists()]
    assert not missing, f"no recorded PyFlink output for {missing}: run scripts/pyflink_oracle.py record"
    stale = {path.relative_to(oracle.EXPECTED).as_posix()[:-len(".out")]
             for path in oracle.EXPECTED.rglob("*.out")} - set(PROGRAMS)
    assert not stale, f"recordings of programs no longer in the corpus: {sorted(stale)}"


def test_both_versions_are_in_the_corpus():
    # 2.2: all 31 examples of the wheel; 1.20: the ones that differ from 2.2.
    assert sum(p.version == "2.2" for p in PROGRAMS.values()) == 31
    assert {p.path for p in PROGRAMS.values() if p.version == "1.20"} == {
        "datastream/connectors/kafka_avro_format.py", "datastream/connectors/kafka_csv_format.py",
        "datastream/connectors/kafka_json_format.py", "table/streaming_word_count.py"}


def test_comparison_modes_tell_differences_apart():
    # The comparison is not so loose that a wrong value passes.
    ordered = oracle.Program(version="2.2", path="x.py")
    assert oracle.compare(ordered, "a\nb\n", "a\nb\n") is None
    assert oracle.compare(ordered, "a\nb\n", "b\na\n") is not None
    assert oracle.compare(ordered, "(1, 'a')\n", "(1, 'a') \n") is not None
    multiset = oracle.Program(version="2.2", path="x.py", mode="multiset")
    assert oracle.compare(multiset, "1> a\n2> b\n", "b\n2> a\n") is None
    assert oracle.compare(multiset, "1> a\n2> b\n", "a\na\n") is not None
    assert oracle.compare(multiset, "1> +I[1,hi]\n", "1> +I[1, hi]\n") is not None
    pattern = oracle.Program(version="2.2", path="x.py", mode="pattern", line_pattern=r"\+I\[-?\d+\]")
    assert oracle.compare(pattern, "head\n1> +I[5]\n2> +I[-7]\n", "head\n+I[9]\n+I[3]\n") is None
    assert oracle.compare(pattern, "head\n1> +I[5]\n", "head\n+I[5.0]\n") is not None
    assert oracle.compare(pattern, "head\n1> +I[5]\n", "head\n") is not None
    assert oracle.compare(pattern, "head\n1> +I[5]\n2> +I[6]\n", "head\n+I[5]\n") is not None
