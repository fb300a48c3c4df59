"""Lookup joins (JOIN t FOR SYSTEM_TIME AS OF left.proc_time) against a feature table in
Redis and in PostgreSQL — the talk's sample-joining scenario: labels joined with the
features logged for the same user_id, item_id and trace_id. Real servers, started by
the tests; results checked against a plain-Python join of the same data."""

import random

import pytest
from store_servers import postgres, postgres_server, redis_client, redis_server  # noqa: F401 - fixtures

from fluvial.table import EnvironmentSettings, TableEnvironment
from fluvial.table.connectors import ConnectorOptionError
from fluvial.table.sql.errors import SqlValidationError

pytestmark = pytest.mark.slow

LABELS = [(u, i, f"t{n}", n % 2) for n, (u, i) in enumerate(
    (random.Random(5).randint(1, 30), random.Random(n).randint(1, 20)) for n in range(400))]
FEATURES = {(u, i, t): (u * 0.5 + i, f"cat{i % 4}") for u, i, t, _ in LABELS if hash(t) % 5 != 0}


def label_table(t_env, tmp_path):
    path = tmp_path / "labels"
    path.mkdir()
    (path / "labels.csv").write_text("".join(f"{u},{i},{t},{c}\n" for u, i, t, c in LABELS))
    t_env.execute_sql(f"""
        CREATE TABLE label_table (user_id BIGINT, item_id BIGINT, trace_id STRING, clicked INT,
                                  proc_time AS PROCTIME())
        WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'csv')""")


JOIN = """
    SELECT label_table.user_id, label_table.item_id, label_table.trace_id, clicked, score, category
    FROM label_table
    {kind} JOIN feature_table FOR SYSTEM_TIME AS OF label_table.proc_time AS f
    ON label_table.user_id = f.user_id AND label_table.item_id = f.item_id AND label_table.trace_id = f.trace_id
"""


def expected(left_outer):
    rows = []
    for u, i, t, c in LABELS:
        found = FEATURES.get((u, i, t))
        if found is not None or left_outer:
            rows.append((u, i, t, c) + (found if found is not None else (None, None)))
    return sorted(rows, key=repr)


@pytest.mark.parametrize("kind", ["", "LEFT"])
def test_lookup_join_against_redis(redis_server, redis_client, tmp_path, kind):  # noqa: F811
    for (u, i, t), (score, category) in FEATURES.items():
        redis_client.hset(f"feature:{u}:{i}:{t}", mapping={"score": score, "category": category})
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    label_table(t_env, tmp_path)
    host, port = redis_server
    t_env.execute_sql(f"""
        CREATE TABLE feature_table (user_id BIGINT, item_id BIGINT, trace_id STRING, score DOUBLE, category STRING)
        WITH ('connector' = 'redis', 'host' = '{host}', 'port' = '{port}',
              'key-pattern' = 'feature:{{user_id}}:{{item_id}}:{{trace_id}}', 'lookup.cache.max-rows' = '1000',
              'lookup.cache.ttl' = '1 min')""")
    rows = [tuple(r) for r in t_env.execute_sql(JOIN.format(kind=kind)).collect()]
    assert sorted(rows, key=repr) == expected(kind == "LEFT")


@pytest.mark.parametrize("kind", ["", "LEFT"])
def test_lookup_join_against_postgres(postgres_server, postgres, tmp_path, kind):  # noqa: F811
    postgres.execute("DROP TABLE IF EXISTS features")
    postgres.execute("CREATE TABLE features (user_id BIGINT, item_id BIGINT, trace_id TEXT, score DOUBLE PRECISION, "
                     "category TEXT, PRIMARY KEY (user_id, item_id, trace_id))")
    with postgres.cursor() as cursor:
        cursor.executemany("INSERT INTO features VALUES (%s, %s, %s, %s, %s)",
                           [k + v for k, v in FEATURES.items()])
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    label_table(t_env, tmp_path)
    host, port = postgres_server
    t_env.execute_sql(f"""
        CREATE TABLE feature_table (user_id BIGINT, item_id BIGINT, trace_id STRING, score DOUBLE, category STRING,
                                    PRIMARY KEY (user_id, item_id, trace_id) NOT ENFORCED)
        WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://{host}:{port}/postgres', 'table-name' = 'features',
              'username' = 'postgres', 'lookup.cache.max-rows' = '500')""")
    rows = [tuple(r) for r in t_env.execute_sql(JOIN.format(kind=kind)).collect()]
    assert sorted(rows, key=repr) == expected(kind == "LEFT")


def test_lookup_join_needs_a_processing_time_attribute(tmp_path):
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    label_table(t_env, tmp_path)
    t_env.execute_sql("CREATE TABLE feature_table (user_id BIGINT, score DOUBLE) WITH ('connector' = 'jdbc', "
                      "'url' = 'jdbc:postgresql://127.0.0.1:1/x', 'table-name' = 'f')")
    with pytest.raises(SqlValidationError, match="processing-time attribute"):
        t_env.execute_sql("SELECT * FROM label_table JOIN feature_table FOR SYSTEM_TIME AS OF label_table.user_id "
                          "AS f ON label_table.user_id = f.user_id")
    with pytest.raises(ConnectorOptionError, match="connector .jdbc. cannot be read by Fluvial.s SQL yet"):
        t_env.execute_sql("SELECT * FROM label_table JOIN feature_table ON label_table.user_id = feature_table.user_id")


def test_table_sample_join_example(redis_server, redis_client):  # noqa: F811
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    host, port = redis_server
    completed = subprocess.run([sys.executable, "-m", "fluvial", "run", "examples/table_sample_join.py",
                                "--host", host, "--port", str(port)], cwd=root, capture_output=True, text=True,
                               env=dict(os.environ, PYTHONPATH=str(root / "python")), timeout=120)
    assert completed.returncode == 0, completed.stderr
    import importlib.util

    spec = importlib.util.spec_from_file_location("table_sample_join", root / "examples" / "table_sample_join.py")
    from fluvial import _pyflink_alias

    _pyflink_alias.install()
    try:
        example = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(example)
    finally:
        _pyflink_alias.uninstall()
    features = example.features(200)
    expected = sorted(f"{u} {i} {t} {label} {features[(u, i, t)][0]} {features[(u, i, t)][1]}"
                      for u, i, t, label in example.labels(200) if (u, i, t) in features)
    assert sorted(completed.stdout.splitlines()) == expected


def test_lookup_join_against_a_file_table_with_a_computed_key(tmp_path):
    # Nexmark q13's shape: a bounded side table in files, joined on an expression of the left row.
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    label_table(t_env, tmp_path)
    side = tmp_path / "side"
    side.mkdir()
    (side / "side.csv").write_text("".join(f"{k},name{k}\n" for k in range(0, 7)))
    t_env.execute_sql(f"CREATE TABLE side_input (k BIGINT, name STRING) WITH ('connector' = 'filesystem', "
                      f"'path' = '{side}', 'format' = 'csv')")
    rows = t_env.execute_sql("SELECT L.trace_id, S.name FROM label_table L JOIN side_input FOR SYSTEM_TIME AS OF "
                             "L.proc_time AS S ON MOD(L.user_id, 10) = S.k").collect()
    expected = sorted((t, f"name{u % 10}") for u, _, t, _ in LABELS if u % 10 < 7)
    assert sorted(tuple(r) for r in rows) == expected
