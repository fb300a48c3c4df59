"""OVER aggregations (ROWS and RANGE frames, named windows) on an event-time table,
checked against duckdb over the same rows."""

import random
from datetime import datetime, timedelta

import pandas as pd
import pytest
from table_testing import as_multiset, duckdb_rows

from fluvial.table import EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import PlanningError

START = datetime(2024, 1, 1)


def events():
    rng = random.Random(4)
    rows, seen = [], set()
    while len(rows) < 600:
        user, second = f"u{rng.randint(0, 5)}", rng.randint(0, 900)
        if (user, second) in seen:  # ROWS frames need a total order within a partition
            continue
        seen.add((user, second))
        rows.append((user, START + timedelta(seconds=second), rng.randint(1, 50)))
    rows.sort(key=lambda r: r[1])
    return rows


@pytest.fixture
def t_env(tmp_path):
    rows = events()
    path = tmp_path / "events"
    path.mkdir()
    (path / "e.csv").write_text("".join(f"{u},{ts:%Y-%m-%d %H:%M:%S},{v}\n" for u, ts, v in rows))
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    env.execute_sql(f"""CREATE TABLE events (`user` STRING, ts TIMESTAMP(3), v BIGINT,
                        WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
                        WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'csv')""")
    env.rows = rows
    return env


QUERIES = {
    "rows": ("SELECT `user`, ts, v, SUM(v) OVER (PARTITION BY `user` ORDER BY ts ROWS BETWEEN 3 PRECEDING AND "
             "CURRENT ROW) AS s, COUNT(*) OVER (PARTITION BY `user` ORDER BY ts ROWS BETWEEN 3 PRECEDING AND "
             "CURRENT ROW) AS c FROM events", None),
    "range": ("SELECT `user`, ts, v, SUM(v) OVER w AS s, MIN(v) OVER w AS lo, MAX(v) OVER w AS hi, AVG(v) OVER w AS a "
              "FROM events WINDOW w AS (PARTITION BY `user` ORDER BY ts RANGE BETWEEN INTERVAL '60' SECOND "
              "PRECEDING AND CURRENT ROW)",
              "SELECT \"user\", ts, v, SUM(v) OVER w AS s, MIN(v) OVER w AS lo, MAX(v) OVER w AS hi, "
              "CAST(TRUNC(AVG(v) OVER w) AS BIGINT) AS a FROM events WINDOW w AS (PARTITION BY \"user\" ORDER BY ts "
              "RANGE BETWEEN INTERVAL 60 SECOND PRECEDING AND CURRENT ROW)"),
    "distinct": ("SELECT `user`, ts, v, SUM(DISTINCT v / 10) OVER w AS s, COUNT(DISTINCT v / 10) OVER w AS c, "
                 "MAX(DISTINCT v) OVER w AS hi FROM events WINDOW w AS (PARTITION BY `user` ORDER BY ts ROWS "
                 "BETWEEN 5 PRECEDING AND CURRENT ROW)",
                 "SELECT \"user\", ts, v, SUM(DISTINCT v // 10) OVER w AS s, COUNT(DISTINCT v // 10) OVER w AS c, "
                 "MAX(DISTINCT v) OVER w AS hi FROM events WINDOW w AS (PARTITION BY \"user\" ORDER BY ts ROWS "
                 "BETWEEN 5 PRECEDING AND CURRENT ROW)"),
    "unbounded": ("SELECT `user`, ts, SUM(v) OVER (PARTITION BY `user` ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING "
                  "AND CURRENT ROW) AS running FROM events", None),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_over_matches_duckdb(t_env, name):
    query, oracle = QUERIES[name]
    got = [tuple(r) for r in t_env.execute_sql(query).collect()]
    frame = pd.DataFrame(t_env.rows, columns=["user", "ts", "v"])
    expected = duckdb_rows((oracle or query).replace("`", '"'), events=frame)
    assert as_multiset(got) == as_multiset(expected)


def test_over_needs_a_time_attribute(t_env):
    with pytest.raises(PlanningError, match="ordered by a time attribute"):
        t_env.execute_sql("SELECT SUM(v) OVER (PARTITION BY `user` ORDER BY v ROWS BETWEEN 1 PRECEDING AND CURRENT "
                          "ROW) FROM events")
