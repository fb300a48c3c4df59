"""Differential DataStream cases: the programs in corpus/differential/datastream_*.py run
through `fluvial run` and print what real PyFlink 2.2 printed (expected/differential/,
recorded by `python -m pyflink_conformance.samples record`)."""

import pytest

from pyflink_conformance import oracle, samples

SAMPLES = samples.load()


def test_there_are_samples_and_each_has_its_recording():
    assert len(SAMPLES) >= 3
    missing = [s.key for s in SAMPLES if not s.expected.exists()]
    assert not missing, f"no recorded PyFlink output for {missing}: run pyflink_conformance.samples record"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.key)
def test_sample_matches_pyflink(sample):
    result = oracle.run_program(oracle.fluvial_command(), sample, oracle.fluvial_env())
    problem = oracle.verdict(sample, result)
    assert problem is None, f"{sample.key}: {problem}\n--- stderr (end) ---\n{result.stderr[-4000:]}"
