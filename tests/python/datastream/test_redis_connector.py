"""The Redis sink and lookup against a real redis-server (started by scripts/redis.sh),
checked against plain-Python re-computations and Redis's own view (GET, HGETALL, TTL, and
INFO commandstats for how many lookups reached the server)."""

import random

import pytest
from store_servers import free_port, redis_client, redis_server  # noqa: F401 - fixtures

from fluvial.common import Row
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors.lookup import MISSING, LookupCache
from fluvial.datastream.connectors.redis import RedisLookupFunction, RedisSink
from fluvial.errors import ConnectorError, JobExecutionError

pytestmark = pytest.mark.slow


def environment(parallelism: int) -> StreamExecutionEnvironment:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    return env


def command_calls(client, command: str) -> int:
    stats = client.info("commandstats")
    return stats.get(f"cmdstat_{command}", {}).get("calls", 0)


@pytest.mark.parametrize("parallelism", [1, 2])
def test_string_sink_writes_every_record_with_its_ttl(redis_server, redis_client, parallelism):  # noqa: F811
    host, port = redis_server
    records = [(f"user:{i}", i * 7 % 1000) for i in range(3000)]
    env = environment(parallelism)
    env.from_collection(records).rebalance().sink_to(
        RedisSink(host, port, key=0, value=lambda r: str(r[1]), ttl=120))
    env.execute("redis strings")
    expected = {key: str(score) for key, score in records}
    keys = sorted(redis_client.keys("user:*"))
    assert keys == sorted(expected)
    assert dict(zip(keys, redis_client.mget(keys))) == expected
    ttls = {redis_client.ttl(key) for key in random.Random(1).sample(keys, 50)}
    assert all(100 < ttl <= 120 for ttl in ttls), ttls


def test_hash_sink_writes_row_fields_and_expires_them(redis_server, redis_client):  # noqa: F811
    host, port = redis_server
    rows = [Row(user_id=i % 40, clicks=i, ctr=i / 100) for i in range(400)]
    env = environment(1)
    # Without a TTL: hashes keep their last fields and never expire.
    env.from_collection(rows).sink_to(
        RedisSink(host, port, key=lambda r: f"features:{r.user_id}", value=["clicks", "ctr"],
                  data_type="hash"))
    env.execute("redis hashes")
    expected = {}
    for row in rows:  # in order at parallelism 1: the last write of a key wins
        expected[f"features:{row.user_id}"] = {"clicks": str(row.clicks), "ctr": str(row.ctr)}
    assert {key: redis_client.hgetall(key) for key in redis_client.keys("features:*")} == expected
    assert redis_client.ttl("features:1") == -1
    # With a TTL of 1.5 s (PEXPIRE), and every field of the Row.
    env = environment(1)
    env.from_collection(rows[:10]).sink_to(
        RedisSink(host, port, key=lambda r: f"short:{r.user_id}", data_type="hash", ttl=1.5))
    env.execute("redis hashes with ttl")
    assert redis_client.hgetall("short:3") == {"user_id": "3", "clicks": "3", "ctr": "0.03"}
    assert 0 < redis_client.pttl("short:3") <= 1500


def test_sink_reports_a_key_of_another_type(redis_server, redis_client):  # noqa: F811
    host, port = redis_server
    redis_client.set("features:7", "a string")
    env = environment(1)
    env.from_collection([Row(user_id=7, clicks=1)]).sink_to(
        RedisSink(host, port, key=lambda r: f"features:{r.user_id}", data_type="hash"))
    with pytest.raises(JobExecutionError, match=r"HSET on key 'features:7' failed: the key holds another type"):
        env.execute("wrong type")


def test_sink_rejects_a_value_redis_cannot_store(redis_server, redis_client):  # noqa: F811
    host, port = redis_server
    env = environment(1)
    env.from_collection([("k", None)]).sink_to(RedisSink(host, port, key=0, value=1))
    with pytest.raises(JobExecutionError, match=r"the value of key 'k' is a NoneType"):
        env.execute("bad value")


def test_unreachable_server_names_host_and_port():
    port = free_port()  # nothing listens there
    env = environment(1)
    env.from_collection([("k", "v")]).sink_to(RedisSink("127.0.0.1", port, key=0, value=1, timeout=1))
    with pytest.raises(JobExecutionError, match=rf"cannot reach Redis at 127\.0\.0\.1:{port}.*redis-server") as info:
        env.execute("unreachable")
    assert isinstance(info.value.__cause__, ConnectorError)


def feature_key(sample) -> str:
    return f"feature:{sample.user_id}:{sample.item_id}:{sample.trace_id}"


def join_features(sample, features):
    # Scenario 4 of the user's document: label stream LEFT JOIN feature table on
    # (user_id, item_id, trace_id); a sample without features gets None.
    if features is None:
        return Row(**sample.as_dict(), age=None, ctr=None)
    return Row(**sample.as_dict(), age=int(features["age"]), ctr=float(features["ctr"]))


@pytest.mark.parametrize("parallelism", [1, 2])
def test_lookup_join_enriches_samples_from_feature_hashes(redis_server, redis_client, parallelism):  # noqa: F811
    host, port = redis_server
    rng = random.Random(4)
    features = {}
    for user in range(30):
        for item in range(5):
            trace = f"t{user * 5 + item}"
            if rng.random() < 0.8:  # some samples have no features
                features[(user, item, trace)] = {"age": str(18 + user), "ctr": str(round(rng.random(), 4))}
    for (user, item, trace), fields in features.items():
        redis_client.hset(f"feature:{user}:{item}:{trace}", mapping=fields)
    samples = []
    for _ in range(5000):
        user, item = rng.randrange(30), rng.randrange(5)
        samples.append(Row(user_id=user, item_id=item, trace_id=f"t{user * 5 + item}", label=rng.randrange(2)))
    redis_client.config_resetstat()

    env = environment(parallelism)
    lookup = RedisLookupFunction(host, port, key=feature_key, join=join_features, cache_max_rows=1000)
    results = env.from_collection(samples).rebalance().map(lookup).execute_and_collect()
    actual = sorted(tuple(row) for row in results)

    expected = []
    for sample in samples:
        found = features.get((sample.user_id, sample.item_id, sample.trace_id))
        age = int(found["age"]) if found else None
        ctr = float(found["ctr"]) if found else None
        expected.append((*sample, age, ctr))
    assert actual == sorted(expected)
    # Every subtask fetched each distinct key once (misses cached too), a batch per round trip.
    distinct = len({feature_key(s) for s in samples})
    calls = command_calls(redis_client, "hgetall")
    assert distinct <= calls <= distinct * parallelism


def test_lookup_of_strings_and_of_selected_hash_fields(redis_server, redis_client):  # noqa: F811
    host, port = redis_server
    redis_client.mset({f"name:{i}": f"user-{i}" for i in range(0, 100, 2)})
    for i in range(10):
        redis_client.hset(f"h:{i}", mapping={"a": i, "b": i * 2, "c": "x"})
    env = environment(1)
    names = env.from_collection(list(range(100))).map(
        RedisLookupFunction(host, port, key=lambda i: f"name:{i}", data_type="string")).execute_and_collect()
    assert sorted(names) == [(i, f"user-{i}" if i % 2 == 0 else None) for i in range(100)]
    env = environment(1)
    selected = env.from_collection(list(range(12))).map(
        RedisLookupFunction(host, port, key=lambda i: f"h:{i}", fields=["b", "missing"],
                            join=lambda i, found: (i, found))).execute_and_collect()
    assert sorted(selected, key=lambda pair: pair[0]) == [
        (i, {"b": str(i * 2), "missing": None} if i < 10 else None) for i in range(12)]


def test_lookup_fetches_a_batch_in_one_round_trip(redis_server, redis_client):  # noqa: F811
    host, port = redis_server
    redis_client.mset({f"k{i}": f"v{i}" for i in range(0, 10, 2)})
    redis_client.config_resetstat()
    lookup = RedisLookupFunction(host, port, key=lambda x: f"k{x}", data_type="string")
    lookup.open(None)
    try:
        values = [i % 10 for i in range(3000)]
        enriched = lookup.map_batch(values)
    finally:
        lookup.close()
    assert enriched == [(v, f"v{v}" if v % 2 == 0 else None) for v in values]
    # One pipeline, one GET per distinct key, nothing per record.
    assert (lookup.fetches, lookup.misses, lookup.hits) == (1, 10, 2990)
    assert command_calls(redis_client, "get") == 10
    # Through a job, without a cache: every batch is fetched again, the results the same.
    env = environment(1)
    results = env.from_collection(values).map(
        RedisLookupFunction(host, port, key=lambda x: f"k{x}", data_type="string")).execute_and_collect()
    assert list(results) == enriched


def test_lookup_reports_a_key_of_another_type(redis_server, redis_client):  # noqa: F811
    host, port = redis_server
    redis_client.set("feature:1:1:t6", "not a hash")
    env = environment(1)
    env.from_collection([Row(user_id=1, item_id=1, trace_id="t6")]).map(
        RedisLookupFunction(host, port, key=feature_key))
    with pytest.raises(JobExecutionError, match=r"HGETALL on key 'feature:1:1:t6' failed: the key holds another"):
        env.execute("wrong type")


def test_lookup_rejects_bad_options():
    with pytest.raises(ValueError, match="data_type must be one of string, hash"):
        RedisLookupFunction(key="k", data_type="list")
    with pytest.raises(ValueError, match="lookup.cache.max-rows must be an int >= 0"):
        RedisLookupFunction(key="k", cache_max_rows=-1)
    with pytest.raises(ValueError, match="port must be an int"):
        RedisSink("127.0.0.1", 70000, key=0, value=1)
    with pytest.raises(TypeError, match="needs value="):
        RedisSink(key=0)


def test_cache_evicts_least_recently_used_and_expires_after_ttl():
    now = [0.0]
    cache = LookupCache(max_rows=2, ttl=10, clock=lambda: now[0])
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1          # a is now the most recently used
    cache.put("c", 3)                   # evicts b
    assert cache.get("b") is MISSING and len(cache) == 2
    now[0] = 9.9
    assert cache.get("c") == 3
    now[0] = 10.0
    assert cache.get("a") is MISSING  # expired
    assert (cache.hits, cache.misses) == (2, 2)


def test_sample_join_example(redis_server, redis_client):  # noqa: F811
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    host, port = redis_server
    completed = subprocess.run(
        [sys.executable, "-m", "fluvial", "run", "examples/sample_join.py", "--host", host, "--port", str(port),
         "--parallelism", "2", "--count", "60"],
        cwd=root, env=dict(os.environ, PYTHONPATH=str(root / "python")), capture_output=True, text=True,
        timeout=120)
    assert completed.returncode == 0, completed.stderr
    printed = sorted(re.sub(r"^\d+> ", "", line) for line in completed.stdout.splitlines())
    # The reference: the same feature table and labels, joined with a dict.
    stored = {}
    for n in range(60):
        if n % 4 != 3:
            stored[(n % 7, n % 5, f"tr{n}")] = (20 + n % 30, round((n % 13) / 13, 4))
    expected = []
    for n in range(60):
        age, ctr = stored.get((n % 7, n % 5, f"tr{n}"), (None, None))
        # An untyped stream of named Rows: PyFlink's print() shows str(row).
        expected.append(str(Row(user_id=n % 7, item_id=n % 5, trace_id=f"tr{n}", label=n % 2,
                                user_age=age, item_ctr=ctr)))
    assert printed == sorted(expected)
    assert 3500 < redis_client.ttl("feature:0:0:tr0") <= 3600


def test_lookup_survives_a_killed_connection(redis_server, redis_client):  # noqa: F811
    host, port = redis_server
    redis_client.set("k1", "v1")
    lookup = RedisLookupFunction(host, port, key=lambda x: x, data_type="string", max_retries=2)
    lookup.open(None)
    try:
        assert lookup.map_batch(["k1"]) == [("k1", "v1")]
        assert redis_client.client_kill_filter(_type="normal", skipme=True) >= 1
        assert lookup.map_batch(["k1", "k2"]) == [("k1", "v1"), ("k2", None)]
    finally:
        lookup.close()
