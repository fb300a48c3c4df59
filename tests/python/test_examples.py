"""Every example in examples/ runs here, through `fluvial run` with its pyflink
imports, and its output is checked against a plain-Python re-computation."""

import collections
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def fluvial_run(*args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
    completed = subprocess.run([sys.executable, "-m", "fluvial", "run", *args], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def load_example(name: str):
    # The examples import pyflink: load them under the alias to reuse their data.
    import importlib.util

    from fluvial import _pyflink_alias

    _pyflink_alias.install()
    try:
        spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        _pyflink_alias.uninstall()


def parse_pairs(lines):
    counts = {}
    for line in lines:
        match = re.fullmatch(r"\((.*),(\d+)\)", line)
        assert match, f"unexpected output line {line!r}"
        word, count = match.group(1), int(match.group(2))
        assert word not in counts, f"BATCH mode must print each word once, got {word!r} twice"
        counts[word] = count
    return counts


def test_every_example_has_a_test():
    tested = {"word_count.py", "keyed_reduce.py"}
    tested.add("last_items_per_user.py")  # in datastream/test_windows_scenario.py
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested


def test_word_count_builtin_text():
    data = load_example("word_count").WORD_COUNT_DATA
    expected = collections.Counter(word for line in data for word in line.split())
    assert parse_pairs(fluvial_run("examples/word_count.py").splitlines()) == expected


def test_word_count_file_to_part_files(tmp_path):
    text = "the quick brown fox\njumps over the lazy dog\n\nthe end\n"
    (tmp_path / "input.txt").write_text(text)
    output = tmp_path / "out"
    assert fluvial_run("examples/word_count.py", "--input", str(tmp_path / "input.txt"),
                       "--output", str(output)) == ""
    parts = [p for p in output.rglob("*") if p.is_file()]
    assert parts and all(p.name.startswith("prefix-") and p.name.endswith(".ext") for p in parts)
    lines = [line for p in parts for line in p.read_text().splitlines()]
    assert parse_pairs(lines) == collections.Counter(text.split())


@pytest.mark.parametrize("parallelism", [1, 4])
def test_keyed_reduce(parallelism):
    example = load_example("keyed_reduce")
    count = 200
    out = fluvial_run("examples/keyed_reduce.py", "--parallelism", str(parallelism),
                      "--count", str(count))
    rows = []
    for line in out.splitlines():
        match = re.fullmatch(r"(?:\d+> )?\+I\[(\w+), (\d+), (\d+)\]", line)
        assert match, f"unexpected output line {line!r}"
        rows.append((match.group(1), int(match.group(2)), int(match.group(3))))
    assert len(rows) == count, "a running reduce emits once per event"
    events = [example.purchase(n) for n in range(count)]
    expected_total = collections.Counter()
    expected_largest = collections.defaultdict(int)
    for event in events:
        expected_total[event.user] += event.amount
        expected_largest[event.user] = max(expected_largest[event.user], event.largest)
    final = {}
    for user, total, largest in rows:
        if user not in final or total >= final[user][0]:
            final[user] = (total, largest)
    assert final == {u: (expected_total[u], expected_largest[u]) for u in expected_total}
    if parallelism > 1:
        assert {line.split(">")[0] for line in out.splitlines()} <= {str(i) for i in range(1, 5)}
