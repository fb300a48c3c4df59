"""NOT NULL columns of 'jdbc' and 'redis' tables, against real PostgreSQL and Redis servers:
a null fails the job before anything is written, naming the column; with
'table.exec.sink.not-null-enforcer' = 'DROP' the other rows are stored, checked against a
plain-Python filter of the input."""

import pytest
from store_servers import postgres, postgres_server, redis_client, redis_server  # noqa: F401 - fixtures

from fluvial.errors import JobExecutionError, NotNullViolationError
from fluvial.table import EnvironmentSettings, TableEnvironment

pytestmark = pytest.mark.slow

ROWS = [("u1", 10), ("u2", None), ("u3", 30)]


def environment(enforcer=None):
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    if enforcer is not None:
        t_env.execute_sql(f"SET 'table.exec.sink.not-null-enforcer' = '{enforcer}'")
    t_env.create_temporary_view("scores", t_env.from_elements(ROWS, ["user_name", "score"]))
    return t_env


def jdbc_table(postgres_server, postgres):  # noqa: F811
    postgres.execute("DROP TABLE IF EXISTS scores")
    postgres.execute("CREATE TABLE scores (user_name TEXT, score BIGINT)")
    host, port = postgres_server
    return (f"CREATE TABLE scores_out (user_name STRING, score BIGINT NOT NULL) WITH ('connector' = 'jdbc', "
            f"'url' = 'jdbc:postgresql://{host}:{port}/postgres', 'table-name' = 'scores', "
            f"'username' = 'postgres')")


def test_jdbc_sink_fails_on_a_null(postgres_server, postgres):  # noqa: F811
    t_env = environment()
    t_env.execute_sql(jdbc_table(postgres_server, postgres))
    with pytest.raises(JobExecutionError) as error:
        t_env.execute_sql("INSERT INTO scores_out SELECT * FROM scores").wait()
    assert isinstance(error.value.__cause__, NotNullViolationError)
    assert "Column 'score' of table 'scores_out' is NOT NULL" in str(error.value)
    assert postgres.execute("SELECT COUNT(*) FROM scores").fetchone()[0] == 0


def test_jdbc_sink_drops_the_rows_with_nulls(postgres_server, postgres):  # noqa: F811
    t_env = environment("DROP")
    t_env.execute_sql(jdbc_table(postgres_server, postgres))
    t_env.execute_sql("INSERT INTO scores_out SELECT * FROM scores").wait()
    stored = sorted(postgres.execute("SELECT user_name, score FROM scores").fetchall())
    assert stored == [row for row in ROWS if row[1] is not None]


@pytest.mark.parametrize("enforcer", ["ERROR", "DROP"])
def test_redis_sink(redis_server, redis_client, enforcer):  # noqa: F811
    host, port = redis_server
    t_env = environment(enforcer)
    t_env.execute_sql(f"CREATE TABLE scores_out (user_name STRING, score BIGINT NOT NULL, "
                      f"PRIMARY KEY (user_name) NOT ENFORCED) WITH ('connector' = 'redis', 'host' = '{host}', "
                      f"'port' = '{port}', 'key-pattern' = 'score:{{user_name}}')")
    if enforcer == "ERROR":
        with pytest.raises(JobExecutionError, match="Column 'score' of table 'scores_out' is NOT NULL"):
            t_env.execute_sql("INSERT INTO scores_out SELECT * FROM scores").wait()
        assert redis_client.keys("*") == []
        return
    t_env.execute_sql("INSERT INTO scores_out SELECT * FROM scores").wait()
    stored = {key: redis_client.hgetall(key) for key in redis_client.keys("*")}
    assert stored == {f"score:{u}": {"score": str(s)} for u, s in ROWS if s is not None}
