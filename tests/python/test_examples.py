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
    tested = {"word_count.py", "keyed_reduce.py", "label_generator.py", "periodic_predict.py",
              "broadcast_rules.py", "train_test_split.py", "csv_to_parquet.py", "table_data_cleaning.py",
              "table_realtime_features.py", "table_nearline_inference.py",
              "temporal_join.py"}
    tested.add("last_items_per_user.py")  # in datastream/test_windows_scenario.py
    # With the real servers of datastream/store_servers.py:
    tested.add("sample_join.py")  # in datastream/test_redis_connector.py
    tested.add("jdbc_orders.py")  # in datastream/test_jdbc_connector.py
    tested.add("table_sample_join.py")  # in table/test_lookup_join.py
    # With the Kafka broker of connectors/kafka/conftest.py and the Redis above:
    tested.add("kafka_features_to_redis.py")  # in connectors/kafka/test_kafka_features_example.py
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
        match = re.fullmatch(r"(?:\d+> )?\+I\[(\w+),(\d+),(\d+)\]", line)
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


def rows_of(out: str, fields: int):
    """The fields of each "+I[a,b,...]" line (an "N> " prefix allowed)."""
    rows = []
    for line in out.splitlines():
        match = re.fullmatch(r"(?:[\w:]+> )?\+I\[(.*)\]", line)
        assert match, f"unexpected output line {line!r}"
        values = match.group(1).split(",")
        assert len(values) == fields, line
        rows.append(tuple(values))
    return rows


def test_label_generator():
    example = load_example("label_generator")
    events = example.make_events()
    exposes = {(e.user, e.item): e.ts for e in events if e.event == "expose"}
    clicks = {(e.user, e.item): e.ts for e in events if e.event == "click"}
    expected = sorted((user, item, "1" if (user, item) in clicks
                       and clicks[user, item] - shown < example.TEN_MINUTES else "0")
                      for (user, item), shown in exposes.items())
    assert sorted(rows_of(fluvial_run("examples/label_generator.py"), 3)) == expected
    assert {label for _, _, label in expected} == {"0", "1"}, "the data must give both labels"


@pytest.mark.parametrize("parallelism", [1, 4])
def test_periodic_predict(parallelism):
    example = load_example("periodic_predict")
    periods = collections.defaultdict(list)
    for row in example.make_features():
        end = (row.ts // example.FIVE_MINUTES + 1) * example.FIVE_MINUTES
        periods[row.user, end].append(row.feature)
    expected = sorted((user, str(end), repr(round(sum(f) / len(f), 3)))
                      for (user, end), f in periods.items())
    out = fluvial_run("examples/periodic_predict.py", "--parallelism", str(parallelism))
    assert sorted(rows_of(out, 3)) == expected


@pytest.mark.parametrize("parallelism", [1, 3])
def test_broadcast_rules(parallelism):
    example = load_example("broadcast_rules")
    limits = {rule.country: rule.limit for rule in example.RULES}
    transactions = {str(t.id): t for t in example.make_transactions()}
    rows = rows_of(fluvial_run("examples/broadcast_rules.py", "--parallelism", str(parallelism)), 5)
    assert sorted(row[0] for row in rows) == sorted(transactions)
    for transaction_id, country, amount, limit, flagged in rows:
        transaction = transactions[transaction_id]
        assert (country, int(amount)) == (transaction.country, transaction.amount)
        # Either the rule had not reached this instance yet, or it is the country's rule.
        assert limit in ("null", str(limits.get(country)))
        assert flagged == ("true" if limit != "null" and int(amount) > int(limit) else "false")


def test_train_test_split():
    example = load_example("train_test_split")
    expected = collections.defaultdict(list)
    newest = 0
    for line in example.RAW:
        sample = example.parse(line)
        if sample is None:
            expected["malformed"].append(line)
            continue
        newest = max(newest, sample.ts)
        side = "late" if sample.ts < newest - 2000 else "test" if example.is_test(sample.id) else "train"
        expected[side].append(f"+I[{sample.id},{sample.ts},{sample.feature},{sample.label}]")
    got = collections.defaultdict(list)
    for line in fluvial_run("examples/train_test_split.py").splitlines():
        side, text = line.split("> ", 1)
        got[side].append(text)
    assert got == expected
    assert set(expected) == {"train", "test", "malformed", "late"}, "the data must reach every output"


def read_parquet_dir(path):
    import pandas as pd

    frames = []
    for part in sorted(Path(path).rglob("part-*")):
        frame = pd.read_parquet(part)
        frame["partition"] = part.parent.name
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def test_csv_to_parquet(tmp_path):
    import pandas as pd

    example = load_example("csv_to_parquet")
    rows = [f"{i},2026-11-{24 + i % 3},customer{i % 7},{i * 1.25},{i % 4}" for i in range(1, 201)]
    rows[10] = "11,2026-11-24,eve,oops,1"  # a bad line: skipped and counted
    (tmp_path / "in").mkdir()
    header = "order_id,dt,customer,amount,quantity"
    (tmp_path / "in" / "a.csv").write_text("\n".join([header] + rows[:120]) + "\n")
    (tmp_path / "in" / "b.csv").write_text("\n".join([header] + rows[120:]) + "\n")
    out = fluvial_run("examples/csv_to_parquet.py", "--input", str(tmp_path / "in"),
                      "--output", str(tmp_path / "out"))
    assert "skipped 1 bad lines" in out
    expected = pd.concat([pd.read_csv(tmp_path / "in" / name) for name in ("a.csv", "b.csv")])
    expected = expected[pd.to_numeric(expected["amount"], errors="coerce").notna()].copy()
    expected["amount"] = expected["amount"].astype(float)
    got = read_parquet_dir(tmp_path / "out")
    assert (got["partition"] == "dt=" + got["dt"]).all()
    columns = list(example.ORDER_SCHEMA.get_type_info().get_field_names())
    got = got[columns].sort_values("order_id").reset_index(drop=True)
    expected = expected[columns].sort_values("order_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert str(got["quantity"].dtype) == "int32" and str(got["amount"].dtype) == "float64"


def test_csv_to_parquet_builtin_sample(tmp_path):
    out = fluvial_run("examples/csv_to_parquet.py", "--output", str(tmp_path))
    assert "skipped 1 bad lines" in out
    got = read_parquet_dir(tmp_path)
    assert sorted(got["order_id"]) == [1, 2, 3, 5]


def test_table_data_cleaning():
    example = load_example("table_data_cleaning")
    lines = fluvial_run("examples/table_data_cleaning.py").splitlines()
    expected = sorted(f"{variant} {price} {-1 if item is None else item}"
                      for variant in ("columns", "rows", "pandas")
                      for price, item in example.EVENTS if price > 0)
    assert sorted(lines) == expected


def test_table_realtime_features():
    example = load_example("table_realtime_features")
    lines = fluvial_run("examples/table_realtime_features.py").splitlines()
    # Reference: every HOP window (5 min, every 30 s) per user, the last 5 items by event time.
    from datetime import timedelta

    slide, size = timedelta(seconds=30), timedelta(minutes=5)
    windows = collections.defaultdict(list)
    for user, item, ts in example.EVENTS:
        offset = (ts - example.START) % slide
        start = ts - offset
        while start > ts - size:
            windows[(user, start + size)].append((ts, item))
            start -= slide
    expected = sorted(f"{user} {end} {'|'.join(i for _, i in sorted(items)[-5:])}"
                      for (user, end), items in windows.items())
    assert sorted(lines) == expected


def test_table_nearline_inference():
    import math

    example = load_example("table_nearline_inference")
    lines = fluvial_run("examples/table_nearline_inference.py").splitlines()
    w, b = example.MODEL["weights"], example.MODEL["bias"]
    expected = [f"+I[{1.0 / (1.0 + math.exp(-(w[0] * a + w[1] * c + b)))!r}]" for a, c in example.INPUTS]
    assert sorted(lines) == sorted(expected)


def test_temporal_join():
    from decimal import Decimal

    example = load_example("temporal_join")
    lines = fluvial_run("examples/temporal_join.py").splitlines()
    # Reference: each order with its currency's latest rate at or before the order's time.
    expected = []
    for order_id, price, currency, order_time in example.ORDERS:
        valid = [(t, rate) for c, rate, t in example.RATES if c == currency and t <= order_time]
        rate = Decimal(max(valid)[1]).quantize(Decimal("0.0001")) if valid else None  # DECIMAL(32, 4)
        expected.append(f"{order_id} {price} {currency} {rate} {order_time}")
    assert sorted(lines) == sorted(expected)
