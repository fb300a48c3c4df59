"""The short version of the chaos harness (bench/chaos, docs/fault-tolerance.md): each
scenario's job is SIGKILLed at random moments, within the first second after a restart and
inside the checkpoint/commit hooks, and its broker or stores are frozen or restarted under
it; what its sinks committed — read back by clients independent of the engine (kafka-python
with read_committed, the finished part files, redis-py, psycopg) — must equal the
plain-Python reference: 0 lost, 0 duplicated, and no job failing without an outage to blame.

Scenarios listed in bench/chaos/_scenarios.py's AWAITING (behaviour another branch builds)
join this test once their entry there is deleted."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "chaos"))

from _jobs import SinkCheck, compare_final_values, compare_multisets  # noqa: E402
from _scenarios import AWAITING, SCENARIOS, run_scenario  # noqa: E402
from _services import Services  # noqa: E402

# scenario -> (kills, records) of the short run
SHORT = {"datastream": (4, 20_000), "datastream-stores": (3, 9_000), "sql": (3, 5_000),
         "corrupt-checkpoint": (3, 16_000)}


@pytest.fixture(scope="module")
def services():
    started = Services(["kafka", "redis", "postgres"])
    yield started
    started.close()


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name in SCENARIOS if name not in AWAITING])
def test_scenario_loses_and_duplicates_nothing(name, services, tmp_path):
    kills, records = SHORT[name]
    result = run_scenario(SCENARIOS[name], services, str(tmp_path), kills, records, seed=7,
                          kills_per_round=kills, log=print)
    print(name, result.as_json())
    assert result.violations == []
    assert sum(result.kills.values()) >= kills
    if "hook-kill" in SCENARIOS[name].faults:
        assert result.kills["hook-kill"] >= 1, "no kill inside a checkpoint or commit hook"
    damages = {"checkpoint-corrupt", "checkpoint-truncate", "checkpoint-missing"}
    if damages & set(SCENARIOS[name].faults):
        assert sum(result.kills[fault] for fault in damages) >= 1, "no checkpoint was damaged"
    assert result.sinks and all(check.expected > 0 for check in result.sinks.values()), result.sinks
    assert {sink: (check.lost, check.duplicated) for sink, check in result.sinks.items()} == \
        {sink: (0, 0) for sink in result.sinks}


def test_the_comparisons_count_lost_and_duplicated_records():
    from collections import Counter

    expected = Counter(["a", "b", "b", "c"])
    assert vars(compare_multisets(expected, Counter(["a", "b", "c", "c", "d"]))) == \
        vars(SinkCheck(expected=4, lost=1, duplicated=2))
    assert vars(compare_final_values({"k1": "1,5", "k2": "2,9"}, {"k1": "1,5", "k2": "1,4", "k3": "1,1"})) == \
        vars(SinkCheck(expected=2, lost=1, duplicated=1))
