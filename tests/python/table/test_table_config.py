"""TableConfig options set through get_config().set() and SQL SET / RESET."""

import pytest

from fluvial.table import EnvironmentSettings, TableEnvironment


def test_the_idle_timeout_option_is_checked_when_set():
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    config = t_env.get_config()
    assert config._source_idle_timeout() is None  # off by default, as '0' in Flink
    for text, millis in [("5 s", 5_000), ("500 ms", 500), ("250", 250), ("1 min", 60_000), ("0", None)]:
        t_env.execute_sql(f"SET 'table.exec.source.idle-timeout' = '{text}'")
        assert (config.get("table.exec.source.idle-timeout"), config._source_idle_timeout()) == (text, millis)
    assert [tuple(row) for row in t_env.execute_sql("SET").collect()] == [("table.exec.source.idle-timeout", "0")]
    with pytest.raises(ValueError, match="'table.exec.source.idle-timeout' expects a duration .* got 'soon'"):
        config.set("table.exec.source.idle-timeout", "soon")
    t_env.execute_sql("RESET 'table.exec.source.idle-timeout'")
    assert config.get("table.exec.source.idle-timeout") is None


def test_set_and_reset_statements_say_what_they_expect():
    from fluvial.table.sql.errors import SqlValidationError

    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    with pytest.raises(SqlValidationError, match=r"SET 'parallelism.default' needs a value: SET "):
        t_env.execute_sql("SET 'parallelism.default'")
    with pytest.raises(SqlValidationError, match=r"RESET takes a key only: RESET 'parallelism.default'"):
        t_env.execute_sql("RESET 'parallelism.default' = '2'")
    t_env.execute_sql("set 'parallelism.default' = '2';")
    t_env.execute_sql("SET 'table.local-time-zone' = 'UTC'")
    assert [tuple(r) for r in t_env.execute_sql("SET").collect()] == [
        ("parallelism.default", "2"), ("table.local-time-zone", "UTC")]
    t_env.execute_sql("RESET")
    assert list(t_env.execute_sql("SET").collect()) == []
