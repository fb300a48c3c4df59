"""examples/kinesis_order_totals.py end to end against moto's Kinesis server: its --produce
mode creates the streams and puts orders, the job (run by `fluvial run`, as its docstring
says) writes running totals, and each customer's largest total in the output stream is
checked against the sums computed in plain Python."""

import collections
import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from test_examples import load_example  # noqa: E402

sample_orders = load_example("kinesis_order_totals").sample_orders


def run_example(*args: str) -> str:
    completed = subprocess.run([sys.executable, "-m", "fluvial", "run", "examples/kinesis_order_totals.py", *args],
                               cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT / "python")),
                               capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_kinesis_order_totals(kinesis):
    orders, totals = f"orders-{uuid.uuid4().hex[:8]}", f"totals-{uuid.uuid4().hex[:8]}"
    streams = ["--endpoint", kinesis.endpoint, "--orders", orders, "--totals", totals]
    assert "put 400 orders" in run_example(*streams, "--produce", "400")
    run_example(*streams, "--bounded")
    lines = [data.decode() for records in kinesis.read(totals).values() for _, _, data in records]
    expected = collections.Counter()
    for order in sample_orders(400):
        expected[order["customer"]] += order["amount"]
    largest = {}
    for line in lines:
        customer, total = line.split(",")
        largest[customer] = max(largest.get(customer, 0), int(total))
    assert largest == dict(expected)
    assert len(lines) == 400  # one running total per order
