"""examples/kafka_features_to_redis.py end to end: its --produce mode writes clicks into a
real broker, the job (run by `fluvial run`, as its docstring says) writes the features into
a real Redis, and every user's hash is checked against the same features computed in
plain Python."""

import collections
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / "tests" / "python" / "datastream"))
sys.path.insert(0, str(ROOT / "tests" / "python"))

from store_servers import redis_client, redis_server  # noqa: E402,F401 - fixtures

from test_examples import load_example  # noqa: E402

pytestmark = pytest.mark.slow


def run_example(*args: str) -> str:
    completed = subprocess.run([sys.executable, "-m", "fluvial", "run", "examples/kafka_features_to_redis.py",
                                *args], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT / "python")),
                               capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def expected_features(clicks, five_minutes: int, last: int):
    """Per user, the features as of the user's latest click."""
    by_user = collections.defaultdict(list)
    for click in clicks:
        by_user[click.user_id].append((click.ts, click.item_id))
    features = {}
    for user, user_clicks in by_user.items():
        user_clicks.sort()
        newest = user_clicks[-1][0]
        features[f"feature:{user}"] = {
            "clicks_5m": str(sum(1 for ts, _ in user_clicks if ts > newest - five_minutes)),
            "last_items": ",".join(item for _, item in user_clicks[-last:]),
            "last_click_ts": str(newest)}
    return features


@pytest.mark.parametrize("partitions", [1, 2])
def test_kafka_features_to_redis(kafka, redis_server, redis_client, partitions):  # noqa: F811
    example = load_example("kafka_features_to_redis")
    topic = f"clicks-{partitions}-{os.getpid()}"
    count = 400
    run_example("--bootstrap-servers", kafka.servers, "--topic", topic, "--produce", str(count),
                "--partitions", str(partitions))
    assert len(kafka.read(topic)) == count
    host, port = redis_server
    out = run_example("--bootstrap-servers", kafka.servers, "--topic", topic, "--redis-host", host,
                      "--redis-port", str(port), "--ttl", "600", "--bounded", "--parallelism", str(partitions))
    assert out == "", "the sample clicks are at most 5 s out of order: none is late"
    expected = expected_features(example.make_clicks(count), example.FIVE_MINUTES, example.LAST)
    assert sorted(redis_client.keys("feature:*")) == sorted(expected)
    assert {key: redis_client.hgetall(key) for key in expected} == expected
    assert all(590 < redis_client.ttl(key) <= 600 for key in expected)
    # The 5-minute count must differ from the total for the check to mean something.
    assert any(int(f["clicks_5m"]) < count // 10 for f in expected.values())
