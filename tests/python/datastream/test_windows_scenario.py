"""The documented scenario: per user, the last 5 items seen in a 5-minute window
sliding by 30 seconds, computed by an AggregateFunction whose accumulator is a
pandas DataFrame, over (user_id, ts, item_id) records arriving slightly out of
order; checked against a plain-Python recomputation."""

import importlib.util
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from window_testing import PARALLELISMS, CollectSink, ScriptedSource, event_time, sorted_repr

from fluvial.common.time import Time
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.functions import ProcessWindowFunction
from fluvial.datastream.window import SlidingEventTimeWindows

ROOT = Path(__file__).resolve().parents[3]
WINDOW_MS, SLIDE_MS, LAST = 5 * 60_000, 30_000, 5


def load_example():
    """examples/last_items_per_user.py as a module (its pyflink imports through the alias)."""
    from fluvial import _pyflink_alias

    _pyflink_alias.install()
    try:
        spec = importlib.util.spec_from_file_location(
            "example_last_items", ROOT / "examples" / "last_items_per_user.py")
        example = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(example)
        return example
    finally:
        _pyflink_alias.uninstall()


# The scenario's aggregate, exactly as the example writes it (pandas accumulator).
LastItems = load_example().LastItems


class PerUser(ProcessWindowFunction):
    def process(self, key, context, elements):
        for items in elements:
            yield key, context.window().end, items


def events(seed: int, count: int = 120):
    """Clicks of 6 users over ~25 minutes, up to 8 s out of order."""
    rng = random.Random(seed)
    times = sorted(rng.sample(range(0, 25 * 60_000), count))
    records = [(f"user{rng.randrange(6)}", t, f"item{rng.randrange(40)}") for t in times]
    for i in range(len(records) - 1):  # swap neighbours less than 8 s apart
        if records[i + 1][1] - records[i][1] < 8_000 and rng.random() < 0.3:
            records[i], records[i + 1] = records[i + 1], records[i]
    return records


def expected_last_items(records):
    """Every (user, window end, last items) by direct recomputation."""
    expected = []
    for user in sorted({r[0] for r in records}):
        own = sorted((r for r in records if r[0] == user), key=lambda r: r[1])
        starts = {start for r in own
                  for start in range(r[1] - r[1] % SLIDE_MS, r[1] - WINDOW_MS, -SLIDE_MS)}
        for start in starts:
            inside = [r for r in own if start <= r[1] < start + WINDOW_MS]
            expected.append((user, start + WINDOW_MS, [r[2] for r in inside[-LAST:]]))
    return expected


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_last_five_items_per_user_in_sliding_windows(parallelism):
    records = events(seed=parallelism)
    script = [records[i:i + 7] for i in range(0, len(records), 7)]
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    clicks = env.from_source(ScriptedSource(script), event_time(delay=10_000), "clicks")
    sink = CollectSink()
    clicks.key_by(lambda click: click[0]) \
        .window(SlidingEventTimeWindows.of(Time.minutes(5), Time.seconds(30))) \
        .aggregate(LastItems(), PerUser()) \
        .sink_to(sink)
    env.execute("last items per user")
    assert len(sink.records) > 100
    assert sorted_repr(sink.records) == sorted_repr(expected_last_items(records))


# ---------------------------------------------------------------- the example




def test_last_items_example_runs_with_pyflink_imports():
    """examples/last_items_per_user.py through `fluvial run`, checked against a recomputation."""
    example = load_example()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    completed = subprocess.run(
        [sys.executable, "-m", "fluvial", "run", "examples/last_items_per_user.py"], cwd=ROOT,
        env=env, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    printed = [line.split(" ") for line in completed.stdout.splitlines()]
    expected = expected_last_items(example.make_clicks())
    assert sorted_repr([(user, int(end), items) for user, end, *items in printed]) == \
        sorted_repr(expected)
