"""INSERT INTO 'connector' = 'jdbc' and 'redis' tables, against real PostgreSQL and Redis
servers started by the tests: appends, an updating GROUP BY upserted by the PRIMARY KEY,
and deletes (a two-level aggregation retracts the groups that empty). Each final store
content is checked against a plain-Python computation of the same data."""

import os
import random
from collections import Counter

import pytest
from checkpoint_job import make_fail_once, register_checked_source, rows_of, write_input
from store_servers import postgres, postgres_server, redis_client, redis_server  # noqa: F401 - fixtures

from fluvial.common import RestartStrategies
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.errors import JobExecutionError
from fluvial.table import EnvironmentSettings, StreamTableEnvironment, TableEnvironment
from fluvial.table.connectors import ConnectorOptionError
from fluvial.table.expressions import PlanningError

pytestmark = pytest.mark.slow

RNG = random.Random(11)
EVENTS = [(f"u{RNG.randint(1, 40)}", RNG.randint(1, 100)) for _ in range(600)]


def streaming():
    return TableEnvironment.create(EnvironmentSettings.in_streaming_mode())


def with_events(t_env):
    t_env.create_temporary_view("events", t_env.from_elements(EVENTS, ["user_name", "amount"]))
    return t_env


def totals_reference():
    totals = {}
    for user, amount in EVENTS:
        count, total = totals.get(user, (0, 0))
        totals[user] = (count + 1, total + amount)
    return totals


def histogram_reference():
    """Users per event count: what the two-level aggregation ends with."""
    return dict(Counter(Counter(user for user, _ in EVENTS).values()))


HISTOGRAM = ("INSERT INTO {table} SELECT cnt, COUNT(*) FROM "
             "(SELECT user_name, COUNT(*) AS cnt FROM events GROUP BY user_name) GROUP BY cnt")


def jdbc_options(postgres_server, table, **extra):  # noqa: F811
    host, port = postgres_server
    options = {"connector": "jdbc", "url": f"jdbc:postgresql://{host}:{port}/postgres", "table-name": table,
               "username": "postgres", **extra}
    return ", ".join(f"'{k}' = '{v}'" for k, v in options.items())


def pg_rows(postgres, sql):  # noqa: F811
    return sorted(postgres.execute(sql).fetchall())


def test_insert_appends_into_postgres(postgres_server, postgres):  # noqa: F811
    postgres.execute("DROP TABLE IF EXISTS sales")
    postgres.execute("CREATE TABLE sales (user_name TEXT, amount BIGINT, doubled BIGINT)")
    t_env = with_events(streaming())
    t_env.execute_sql(f"CREATE TABLE sales (user_name STRING, amount BIGINT, doubled BIGINT) "
                      f"WITH ({jdbc_options(postgres_server, 'sales', **{'sink.buffer-flush.max-rows': '64'})})")
    t_env.execute_sql("INSERT INTO sales SELECT user_name, amount, amount * 2 FROM events").wait()
    assert pg_rows(postgres, "SELECT * FROM sales") == sorted((u, a, a * 2) for u, a in EVENTS)


def test_updating_group_by_is_upserted_by_the_primary_key(postgres_server, postgres):  # noqa: F811
    postgres.execute("DROP TABLE IF EXISTS totals")
    postgres.execute("CREATE TABLE totals (user_name TEXT PRIMARY KEY, n BIGINT, total BIGINT)")
    postgres.execute("INSERT INTO totals VALUES ('u1', -1, -1)")  # replaced by the upsert
    t_env = with_events(streaming())
    t_env.execute_sql(f"CREATE TABLE totals (user_name STRING, n BIGINT, total BIGINT, "
                      f"PRIMARY KEY (user_name) NOT ENFORCED) "
                      f"WITH ({jdbc_options(postgres_server, 'totals', **{'sink.buffer-flush.max-rows': '7'})})")
    t_env.execute_sql("INSERT INTO totals SELECT user_name, COUNT(*), SUM(amount) FROM events "
                      "GROUP BY user_name").wait()
    expected = sorted((u, n, t) for u, (n, t) in totals_reference().items())
    assert pg_rows(postgres, "SELECT * FROM totals") == expected


def test_retracted_groups_are_deleted_from_postgres(postgres_server, postgres):  # noqa: F811
    postgres.execute("DROP TABLE IF EXISTS histogram")
    postgres.execute("CREATE TABLE histogram (cnt BIGINT PRIMARY KEY, users BIGINT)")
    t_env = with_events(streaming())
    t_env.execute_sql(f"CREATE TABLE histogram (cnt BIGINT, users BIGINT, PRIMARY KEY (cnt) NOT ENFORCED) "
                      f"WITH ({jdbc_options(postgres_server, 'histogram', **{'sink.buffer-flush.max-rows': '3'})})")
    t_env.execute_sql(HISTOGRAM.format(table="histogram")).wait()
    assert dict(pg_rows(postgres, "SELECT * FROM histogram")) == histogram_reference()


@pytest.mark.parametrize("group_by", ["user_name", "user_name, amount > 1000"])
def test_upserts_at_parallelism_two(postgres_server, postgres, group_by):  # noqa: F811
    """The rows reach the sink subtasks keyed by the table's key (the second query's is not the table's)."""
    postgres.execute("DROP TABLE IF EXISTS totals2")
    postgres.execute("CREATE TABLE totals2 (name TEXT PRIMARY KEY, n BIGINT, total BIGINT)")
    t_env = with_events(streaming())
    t_env.get_config().set("parallelism.default", "2")
    t_env.execute_sql(f"CREATE TABLE totals2 (name STRING, n BIGINT, total BIGINT, PRIMARY KEY (name) NOT ENFORCED) "
                      f"WITH ({jdbc_options(postgres_server, 'totals2', **{'sink.buffer-flush.max-rows': '5'})})")
    t_env.execute_sql(f"INSERT INTO totals2 SELECT user_name, COUNT(*), SUM(amount) FROM events "
                      f"GROUP BY {group_by}").wait()
    expected = sorted((u, n, t) for u, (n, t) in totals_reference().items())
    assert pg_rows(postgres, "SELECT * FROM totals2") == expected


def test_an_updating_query_needs_a_primary_key(postgres_server):  # noqa: F811
    t_env = with_events(streaming())
    t_env.execute_sql(f"CREATE TABLE totals (user_name STRING, n BIGINT) "
                      f"WITH ({jdbc_options(postgres_server, 'totals')})")
    with pytest.raises(PlanningError, match=r"table 'totals' \('connector' = 'jdbc'\) has no PRIMARY KEY, so it "
                                            r"takes only inserts, but the query produces updates"):
        t_env.execute_sql("INSERT INTO totals SELECT user_name, COUNT(*) FROM events GROUP BY user_name")


def test_a_refused_row_is_named(postgres_server, postgres):  # noqa: F811
    postgres.execute("DROP TABLE IF EXISTS small")
    postgres.execute("CREATE TABLE small (user_name TEXT, amount BIGINT CHECK (amount < 90))")
    t_env = with_events(streaming())
    t_env.execute_sql(f"CREATE TABLE small (user_name STRING, amount BIGINT) "
                      f"WITH ({jdbc_options(postgres_server, 'small')})")
    first_refused = next(event for event in EVENTS if event[1] >= 90)
    with pytest.raises(JobExecutionError, match=rf"JDBC sink: 'INSERT INTO \"small\" .* failed at record "
                                                rf"\('{first_refused[0]}', {first_refused[1]}\).*\[23514\]"):
        t_env.execute_sql("INSERT INTO small SELECT user_name, amount FROM events").wait()


def test_jdbc_sink_options_are_checked(postgres_server):  # noqa: F811
    t_env = with_events(streaming())
    t_env.execute_sql(f"CREATE TABLE s (user_name STRING, amount BIGINT) "
                      f"WITH ({jdbc_options(postgres_server, 's', **{'sink.max-retries': 'many'})})")
    with pytest.raises(ConnectorOptionError, match="option 'sink.max-retries' must be an integer >= 0, got 'many'"):
        t_env.execute_sql("INSERT INTO s SELECT user_name, amount FROM events")


def checkpointed_failing_once(tmp_path):
    """A checkpointed streaming job over checkpoint_job's input (k, v, name, ts), read through
    'src_checked' whose UDF fails once after a checkpoint completed, with restarts."""
    write_input(str(tmp_path / "input"), files=60)
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.enable_checkpointing(30)
    env.get_checkpoint_config().set_checkpoint_storage_dir(str(tmp_path / "checkpoints"))
    env.set_restart_strategy(RestartStrategies.fixed_delay_restart(2, 10))
    t_env = StreamTableEnvironment.create(env)
    fail_once = make_fail_once(str(tmp_path / "failed"), 300, str(tmp_path / "checkpoints"), 0.0002)
    register_checked_source(t_env, str(tmp_path / "input"), fail_once)
    return t_env


def test_upserts_into_postgres_recover_from_a_failure(postgres_server, postgres, tmp_path):  # noqa: F811
    """The buffered upserts are flushed at each checkpoint (the size and interval never flush
    here); after the failure the changes since the last checkpoint replay and converge."""
    postgres.execute("DROP TABLE IF EXISTS cp_totals")
    postgres.execute("CREATE TABLE cp_totals (k TEXT PRIMARY KEY, s BIGINT, c BIGINT)")
    t_env = checkpointed_failing_once(tmp_path)
    options = jdbc_options(postgres_server, "cp_totals", **{"sink.buffer-flush.max-rows": "0",
                                                            "sink.buffer-flush.interval": "1 h"})
    t_env.execute_sql(f"CREATE TABLE cp_totals (k STRING, s BIGINT, c BIGINT, PRIMARY KEY (k) NOT ENFORCED) "
                      f"WITH ({options})")
    t_env.execute_sql("INSERT INTO cp_totals SELECT k, SUM(v), COUNT(*) FROM src_checked GROUP BY k").wait()
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    expected = Counter()
    for k, v, _, _ in rows_of(files=60):
        expected[(k, "s")] += v
        expected[(k, "c")] += 1
    assert pg_rows(postgres, "SELECT * FROM cp_totals") == sorted(
        (k, expected[(k, "s")], expected[(k, "c")]) for k in {k for k, _ in expected})


def redis_options(redis_server, **extra):  # noqa: F811
    host, port = redis_server
    options = {"connector": "redis", "host": host, "port": port, **extra}
    return ", ".join(f"'{k}' = '{v}'" for k, v in options.items())


def test_updating_group_by_into_redis_hashes(redis_server, redis_client):  # noqa: F811
    redis_client.hset("total:u1", mapping={"n": -1, "stale": "x"})  # replaced whole by the upsert
    t_env = with_events(streaming())
    t_env.execute_sql(f"CREATE TABLE totals (user_name STRING, n BIGINT, total BIGINT, "
                      f"PRIMARY KEY (user_name) NOT ENFORCED) "
                      f"WITH ({redis_options(redis_server, **{'key-pattern': 'total:{user_name}'})})")
    t_env.execute_sql("INSERT INTO totals SELECT user_name, COUNT(*), SUM(amount) FROM events "
                      "GROUP BY user_name").wait()
    stored = {key: redis_client.hgetall(key) for key in redis_client.keys("*")}
    assert stored == {f"total:{u}": {"n": str(n), "total": str(t)} for u, (n, t) in totals_reference().items()}


def test_retracted_groups_are_deleted_from_redis(redis_server, redis_client):  # noqa: F811
    t_env = with_events(streaming())
    t_env.execute_sql(f"CREATE TABLE histogram (cnt BIGINT, users BIGINT, PRIMARY KEY (cnt) NOT ENFORCED) "
                      f"WITH ({redis_options(redis_server, **{'data-type': 'string', 'ttl': '1 h'})})")
    t_env.execute_sql(HISTOGRAM.format(table="histogram")).wait()
    keys = redis_client.keys("*")
    assert {int(k): int(redis_client.get(k)) for k in keys} == histogram_reference()
    assert all(3590 < redis_client.ttl(k) <= 3600 for k in keys)


def test_a_redis_table_written_then_looked_up(redis_server, redis_client, tmp_path):  # noqa: F811
    t_env = with_events(streaming())
    t_env.execute_sql(f"CREATE TABLE profiles (user_name STRING, n BIGINT, total BIGINT, "
                      f"PRIMARY KEY (user_name) NOT ENFORCED) "
                      f"WITH ({redis_options(redis_server, **{'key-pattern': 'p:{user_name}'})})")
    t_env.execute_sql("INSERT INTO profiles SELECT user_name, COUNT(*), SUM(amount) FROM events "
                      "GROUP BY user_name").wait()
    (tmp_path / "names.csv").write_text("".join(f"u{i}\n" for i in range(1, 45)))
    t_env.execute_sql(f"CREATE TABLE names (user_name STRING, proc_time AS PROCTIME()) "
                      f"WITH ('connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = 'csv')")
    rows = t_env.execute_sql("SELECT names.user_name, p.n, p.total FROM names LEFT JOIN profiles "
                             "FOR SYSTEM_TIME AS OF names.proc_time AS p ON names.user_name = p.user_name").collect()
    totals = totals_reference()
    assert sorted(tuple(r) for r in rows) == sorted((f"u{i}", *totals.get(f"u{i}", (None, None)))
                                                    for i in range(1, 45))


def test_a_redis_string_table_written_then_looked_up(redis_server, redis_client, tmp_path):  # noqa: F811
    t_env = with_events(streaming())
    options = redis_options(redis_server, **{"key-pattern": "s:{user_name}", "data-type": "string"})
    t_env.execute_sql(f"CREATE TABLE spent (user_name STRING, total BIGINT, PRIMARY KEY (user_name) NOT ENFORCED) "
                      f"WITH ({options})")
    t_env.execute_sql("INSERT INTO spent SELECT user_name, SUM(amount) FROM events GROUP BY user_name").wait()
    totals = totals_reference()
    assert {k: int(redis_client.get(k)) for k in redis_client.keys("*")} == {
        f"s:{u}": t for u, (_, t) in totals.items()}
    (tmp_path / "names.csv").write_text("".join(f"u{i}\n" for i in range(1, 45)))
    t_env.execute_sql(f"CREATE TABLE names (user_name STRING, proc_time AS PROCTIME()) "
                      f"WITH ('connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = 'csv')")
    rows = t_env.execute_sql("SELECT names.user_name, s.total FROM names LEFT JOIN spent "
                             "FOR SYSTEM_TIME AS OF names.proc_time AS s ON names.user_name = s.user_name").collect()
    assert sorted(tuple(r) for r in rows) == sorted((f"u{i}", totals.get(f"u{i}", (None, None))[1])
                                                    for i in range(1, 45))


def test_redis_sink_options_are_checked(redis_server):  # noqa: F811
    t_env = with_events(streaming())
    t_env.execute_sql(f"CREATE TABLE t (user_name STRING, n BIGINT, total BIGINT) "
                      f"WITH ({redis_options(redis_server)})")
    with pytest.raises(ConnectorOptionError, match="needs a PRIMARY KEY or a 'key-pattern'"):
        t_env.execute_sql("INSERT INTO t SELECT user_name, amount, amount * 2 FROM events")
    t_env.execute_sql(f"CREATE TABLE s (user_name STRING, n BIGINT, total BIGINT, PRIMARY KEY (user_name) NOT "
                      f"ENFORCED) WITH ({redis_options(redis_server, **{'data-type': 'string'})})")
    with pytest.raises(ConnectorOptionError, match="'data-type' = 'string' stores one value column"):
        t_env.execute_sql("INSERT INTO s SELECT user_name, amount, amount * 2 FROM events")


def test_upserts_into_redis_recover_from_a_failure(redis_server, redis_client, tmp_path):  # noqa: F811
    """Each write is executed before the checkpoint completes; after the failure the replayed
    upserts converge on the plain-Python totals."""
    t_env = checkpointed_failing_once(tmp_path)
    t_env.execute_sql(f"CREATE TABLE cp_names (name STRING, c BIGINT, s BIGINT, PRIMARY KEY (name) NOT ENFORCED) "
                      f"WITH ({redis_options(redis_server, **{'key-pattern': 'cp:{name}'})})")
    t_env.execute_sql("INSERT INTO cp_names SELECT name, COUNT(*), SUM(v) FROM src_checked GROUP BY name").wait()
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    expected = {}
    for _, v, name, _ in rows_of(files=60):
        c, total = expected.get(name, (0, 0))
        expected[name] = (c + 1, total + v)
    stored = {key: redis_client.hgetall(key) for key in redis_client.keys("cp:*")}
    assert stored == {f"cp:{name}": {"c": str(c), "s": str(total)} for name, (c, total) in expected.items()}
