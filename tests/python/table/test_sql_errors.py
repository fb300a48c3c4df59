"""SQL mistakes as a user meets them: each error names the cause, where it is
(line and column, table, option) and, where one is close, a suggestion."""

import pytest

from fluvial.table import EnvironmentSettings, TableEnvironment
from fluvial.table.connectors import ConnectorOptionError
from fluvial.table.expressions import PlanningError
from fluvial.table.sql.errors import SqlParseError, SqlValidationError


@pytest.fixture
def t_env():
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    env.create_temporary_view("orders", env.from_elements([(1, "apple", 2.5)], ["order_id", "item", "price"]))
    return env


def test_syntax_error_names_line_and_column(t_env):
    with pytest.raises(SqlParseError) as error:
        t_env.execute_sql("SELECT order_id,\n  price FROM orders WHERE (price > 1")
    assert error.value.line == 2 and "line 2" in str(error.value)


def test_unknown_column_with_position_and_suggestion(t_env):
    with pytest.raises(SqlValidationError) as error:
        t_env.execute_sql("SELECT order_id,\n       prise FROM orders")
    message = str(error.value)
    assert "unknown column 'prise'" in message
    assert "line 2, column" in message
    assert "did you mean 'price'" in message


def test_unknown_table_lists_what_exists(t_env):
    with pytest.raises(PlanningError, match=r"unknown table 'order'; did you mean 'orders'\?.*registered: orders"):
        t_env.execute_sql("SELECT * FROM `order`")


def test_unknown_function_with_suggestion(t_env):
    with pytest.raises(SqlValidationError, match=r"unknown function 'UPPPER' at line 1.*did you mean 'upper'"):
        t_env.execute_sql("SELECT UPPPER(item) FROM orders")


def test_misspelled_connector_option(t_env):
    t_env.execute_sql("CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'number-of-row' = '5')")
    with pytest.raises(ConnectorOptionError, match=r"unknown option 'number-of-row'.*did you mean 'number-of-rows'"):
        t_env.execute_sql("SELECT * FROM gen")


def test_missing_required_option(t_env):
    t_env.execute_sql("CREATE TABLE files (id BIGINT) WITH ('connector' = 'filesystem', 'format' = 'csv')")
    with pytest.raises(ConnectorOptionError, match="connector 'filesystem' needs the option 'path'"):
        t_env.execute_sql("SELECT * FROM files")


def test_unknown_connector(t_env):
    t_env.execute_sql("CREATE TABLE k (id BIGINT) WITH ('connector' = 'datagne')")
    with pytest.raises(ConnectorOptionError, match="did you mean 'datagen'"):
        t_env.execute_sql("SELECT * FROM k")


def test_watermark_on_a_non_timestamp_column(t_env):
    with pytest.raises(SqlValidationError, match="WATERMARK FOR 'id': the column must be TIMESTAMP"):
        t_env.execute_sql("CREATE TABLE w (id BIGINT, WATERMARK FOR id AS id) WITH ('connector' = 'datagen')")


def test_insert_column_count_mismatch(t_env):
    t_env.execute_sql("CREATE TABLE out1 (a BIGINT) WITH ('connector' = 'blackhole')")
    with pytest.raises(PlanningError, match="the query has 2 columns, the table 1"):
        t_env.execute_sql("INSERT INTO out1 SELECT order_id, item FROM orders")


def test_filter_must_be_boolean(t_env):
    with pytest.raises(PlanningError, match="must be BOOLEAN"):
        t_env.execute_sql("SELECT * FROM orders WHERE price + 1")


def test_values_rows_of_different_widths(t_env):
    with pytest.raises(SqlValidationError, match=r"VALUES rows must have the same number of values, got \[1, 2\]"):
        t_env.sql_query("SELECT * FROM (VALUES (1, 'a'), (2)) AS v(id, name)")
    with pytest.raises(SqlValidationError, match="VALUES rows have 2 values but the alias names 1 columns"):
        t_env.sql_query("SELECT * FROM (VALUES (1, 'a')) AS v(id)")
