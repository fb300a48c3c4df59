"""The chaos scenarios: a job, its sinks, the services it needs and the faults it cycles
through; and how a scenario's share of kills and records is cut into rounds.

A scenario in AWAITING checks behaviour that another branch builds: it runs only when asked
for by name (``--jobs corrupt-checkpoint``) until that branch merges — then delete its entry
from AWAITING and it runs with ``--jobs all`` and in tests/python/test_chaos.py.
"""

import math
import os
import random
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

import _jobs
from _driver import RoundRunner, ScenarioResult


@dataclass
class Scenario:
    name: str
    description: str
    services: Tuple[str, ...]  # of 'kafka', 'redis', 'postgres'
    faults: Tuple[str, ...]  # cycled through, one per planned fault (_faults.py)
    make_round: Callable  # (directory, records, services, rate) -> _jobs.Round
    rate: float  # records/s the job is held to at speed 1 (so short rounds still get killed mid-way)
    throughput: float  # records/s it reaches flat out on a shared 2-core machine (measured), for sizing
    share: float  # its part of --records when several scenarios run


def _generator(sinks):
    def make(directory, records, services, rate):
        return _jobs.GeneratorRound(directory, records, list(sinks), services, rate, 150)
    return make


def _sql(directory, records, services, rate):
    return _jobs.SqlRound(directory, records, services, rate, 150)


SCENARIOS: Dict[str, Scenario] = {scenario.name: scenario for scenario in [
    Scenario("datastream", "generator → keyed ValueState running totals → FileSink + EXACTLY_ONCE KafkaSink",
             ("kafka",),
             ("random-kill", "early-kill", "hook-kill", "broker-freeze", "random-kill", "hook-kill",
              "early-kill", "broker-restart"),
             _generator(("file", "kafka")), 6000, 12000, 0.5),
    Scenario("datastream-stores", "generator → keyed running totals → RedisSink + JdbcSink upsert (PostgreSQL)",
             ("redis", "postgres"),
             ("hook-kill", "early-kill", "redis-freeze", "random-kill", "postgres-restart"),
             _generator(("redis", "postgres")), 3000, 7000, 0.3),
    Scenario("sql", "files → TUMBLE → filesystem + exactly-once kafka tables; GROUP BY → upsert-kafka",
             ("kafka",),
             ("hook-kill", "early-kill", "random-kill", "broker-freeze", "random-kill", "early-kill"),
             _sql, 1500, 3000, 0.2),
    Scenario("corrupt-checkpoint", "generator → FileSink + KafkaSink; the newest checkpoint corrupted, "
             "truncated or missing a file before a restart",
             ("kafka",),
             ("checkpoint-corrupt", "random-kill", "checkpoint-truncate", "early-kill", "checkpoint-missing"),
             _generator(("file", "kafka")), 6000, 12000, 0.5),
]}

# scenario -> the branch whose behaviour it checks, not merged yet (see the module docstring).
AWAITING: dict = {}

KILL_FAULTS = {"random-kill", "early-kill", "hook-kill", "checkpoint-corrupt", "checkpoint-truncate",
               "checkpoint-missing"}


def selected(names: str) -> List[str]:
    """'all' (every scenario not AWAITING) or a comma-separated list of names."""
    if names == "all":
        return [name for name in SCENARIOS if name not in AWAITING]
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown:
        raise ValueError(f"unknown scenario(s) {unknown}: expected 'all' or some of {sorted(SCENARIOS)}")
    return chosen


def round_faults(scenario: Scenario, position: int, kills_per_round: int) -> Tuple[List[str], int]:
    """The faults of the round that starts at 'position' in the scenario's cycle: up to and
    including its kills_per_round-th kill (outages in between come on top); and the next position."""
    faults: List[str] = []
    while sum(fault in KILL_FAULTS for fault in faults) < kills_per_round:
        faults.append(scenario.faults[position % len(scenario.faults)])
        position += 1
    return faults, position


def run_scenario(scenario: Scenario, services, directory: str, kills: int, records: int, seed: int,
                 kills_per_round: int = 5, speed: float = 1.0, timeout_s: float = 600.0,
                 log: Callable[[str], None] = lambda line: None) -> ScenarioResult:
    """Runs rounds of the scenario until it has taken 'kills' kills, over about 'records'
    records in all (a round the job finishes before its faults are all in counts the kills
    it took; more rounds follow). 'speed' scales the rate the job is held to (large: flat out)."""
    rng = random.Random(seed)
    result = ScenarioResult(scenario.name)
    started = time.monotonic()
    planned_rounds = max(1, math.ceil(kills / kills_per_round))
    per_round = max(1000, math.ceil(records / planned_rounds))
    # Random kills come within a round's share of its expected run time (at least 2.5 s).
    rate = min(scenario.rate * speed, scenario.throughput)
    kill_window_s = max(2.5, per_round / rate / kills_per_round)
    position, number = 0, 0
    while sum(result.kills.values()) < kills and number < 3 * planned_rounds:
        wanted = min(kills_per_round, kills - sum(result.kills.values()))
        faults, position = round_faults(scenario, position, wanted)
        job_round = scenario.make_round(os.path.join(directory, f"round-{number}"), per_round, services,
                                        scenario.rate * speed)
        number += 1
        log(f"{scenario.name}: round {number}, {job_round.records} records, faults {faults}")
        if RoundRunner(job_round, services, rng, result, timeout_s, kill_window_s).run(faults):
            result.rounds += 1
            result.records += job_round.records
        log(f"{scenario.name}: after round {number}: kills {sum(result.kills.values())}, "
            f"lost {result.lost}, duplicated {result.duplicated}, violations {len(result.violations)}")
    result.seconds = time.monotonic() - started
    return result
