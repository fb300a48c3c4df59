"""Rows of the error catalogue (test_error_catalogue.py) for bad data in Table/SQL jobs:
NOT NULL columns, integer UDF results, text that is not UTF-8, SQL expressions that fail on
a value, unbounded tables in batch mode. Each row has the fields of the catalogue's Entry."""

ROWS = [
    dict(
        key="sql-not-null",
        title="A null is written into a NOT NULL column",
        raises="JobExecutionError",
        cause_class="NotNullViolationError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
orders = t_env.from_elements([(1, "apple"), (2, None)], ["id", "item"])
t_env.create_temporary_view("orders", orders)
t_env.execute_sql("CREATE TABLE shipped (id BIGINT, item STRING NOT NULL) WITH ('connector' = 'print')")
t_env.execute_sql("INSERT INTO shipped SELECT id, item FROM orders").wait()
''',
        message="operator 'Sink(shipped)' (subtask 1/1) failed: Column 'item' of table 'shipped' is NOT NULL, "
                "however, a null value is being written into it (row {'id': 2, 'item': None}). You can set job "
                "configuration 'table.exec.sink.not-null-enforcer'='DROP' to suppress this exception and drop "
                "such records silently.",
        cause="a null value is being written into it (row {'id': 2, 'item': None})",
        where="Column 'item' of table 'shipped'",
        what_to_do="'table.exec.sink.not-null-enforcer'='DROP'",
        fix="Keep the nulls out of the query (`WHERE item IS NOT NULL`, `COALESCE(item, '')`), declare the "
            "column nullable, or drop such rows at the sink with "
            "`SET 'table.exec.sink.not-null-enforcer' = 'DROP'`. See [Configuration](table.md#configuration).",
        meaning="Every table sink (files, Kafka, JDBC, Redis, print, blackhole, and the results of "
                "`collect()` and `to_pandas()`) checks its `NOT NULL` columns, as Flink does; sources do "
                "not, so a JSON line without the field or an outer join can produce the null. The message "
                "names the column, the table and the row.",
    ),
    dict(
        key="udf-float-for-integer",
        title="A Python UDF declared INT returns a float",
        raises="JobExecutionError",
        cause_class="OutputTypeError",
        code='''\
from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import col
from fluvial.table.udf import udf


@udf(result_type=DataTypes.INT())
def average_rating(total, count):
    return total / count


t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
ratings = t_env.from_elements([("apple", 27, 10)], ["item", "total", "count"])
ratings.select(col("item"), average_rating(col("total"), col("count"))).execute().print()
''',
        message="operator 'PythonCalc(average_rating)' (subtask 1/1) failed: function 'average_rating' returned "
                "2.7 (float) which is not of its declared result type INT (Fluvial does not truncate a float into "
                "an integer); return an int (round(x) or int(x), as intended), or declare a DOUBLE result",
        cause="returned 2.7 (float) which is not of its declared result type INT",
        where="function 'average_rating'",
        what_to_do="return an int (round(x) or int(x), as intended), or declare a DOUBLE result",
        fix="Return an `int` (`round(total / count)`, `total // count`: whichever you mean), or declare "
            "`result_type=DataTypes.DOUBLE()`. See [Python functions](table.md#python-functions).",
        meaning="A value of an integer type (`TINYINT` … `BIGINT`) must be an `int`: a general function's "
                "float is refused, even `2.0`, as PyFlink's coders refuse it; a pandas function may return "
                "a float Series of integral values, but not one with a fraction. Nothing is truncated "
                "silently. The same holds for UDTFs, UDAFs, table aggregates and `map`.",
    ),
    dict(
        key="sql-not-utf8",
        title="A line of a SQL file table is not UTF-8",
        raises="JobExecutionError",
        cause_class="ConnectorError",
        code='''\
import os

from fluvial.table import EnvironmentSettings, TableEnvironment

os.makedirs("people", exist_ok=True)
with open("people/a.json", "wb") as file:
    file.write(b'{"id": 1, "name": "ada"}\\n{"id": 2, "name": "caf\\xe9"}\\n')  # Latin-1, not UTF-8
t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
t_env.execute_sql("CREATE TABLE people (id BIGINT, name STRING) "
                  "WITH ('connector' = 'filesystem', 'path' = 'people', 'format' = 'json')")
t_env.execute_sql("SELECT * FROM people").print()
''',
        message="operator 'TableSourceScan(people)' (subtask 1/1) failed: filesystem table 'people': line 2 of "
                "'people/a.json': cannot read it as JSON (id, name): the bytes are not valid UTF-8 (byte 0xe9 at "
                "byte 22: invalid continuation byte); the text must be written as UTF-8 (line <path>); fix the "
                "record or the table's columns, or skip bad records with 'json.ignore-parse-errors' = 'true' "
                "(they are counted in the job's numRecordsInErrors)",
        cause="the bytes are not valid UTF-8 (byte 0xe9 at byte 22",
        where="line 2 of 'people/a.json'",
        what_to_do="skip bad records with 'json.ignore-parse-errors' = 'true'",
        fix="Write the text as UTF-8 (re-encode the file: `iconv -f latin1 -t utf-8`), or skip such lines "
            "with `'json.ignore-parse-errors' = 'true'` (`csv.` for CSV); they are counted in "
            "`numRecordsInErrors`. A `raw` table reads any bytes into a `BYTES` column. See "
            "[SQL tables](connectors.md#sql-tables-filesystem-jdbc-redis).",
        meaning="CSV, JSON and raw `STRING` text must be UTF-8, as in Flink. A line (or a Kafka message: "
                "the message names the topic, partition and offset) whose bytes are not is a bad record, "
                "named by the file and line and the first byte that is wrong.",
    ),
    dict(
        key="sql-cast",
        title="A CAST fails on a value",
        raises="JobExecutionError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
t_env.create_temporary_view("prices", t_env.from_elements([("apple", "12"), ("pear", "n/a")], ["item", "price"]))
t_env.execute_sql("SELECT item, CAST(price AS INT) AS cents FROM prices").print()
''',
        message="operator 'Calc(select)' (subtask 1/1) failed: computing column 'cents' failed: cannot CAST 'n/a' "
                "to INT: it is not a valid INT (Flink's CAST fails too); use TRY_CAST(... AS INT) to get NULL for "
                "such values",
        cause="cannot CAST 'n/a' to INT",
        where="column 'cents'",
        what_to_do="use TRY_CAST(... AS INT) to get NULL for such values",
        fix="Use `TRY_CAST(price AS INT)`, which gives NULL where CAST fails, or filter the bad values out "
            "first. The same holds for timestamps (`CAST('2024-13-45' AS TIMESTAMP(3))`), dates, decimals "
            "and booleans.",
        meaning="As in Flink 2, a CAST of a string that is not a value of the type fails the job. The "
                "message names the column of the query (or its WHERE condition) and the value.",
    ),
    dict(
        key="sql-division-by-zero",
        title="An integer is divided by zero",
        raises="JobExecutionError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
visits = t_env.from_elements([("home", 10, 2), ("blog", 3, 0)], ["page", "views", "active"])
t_env.create_temporary_view("visits", visits)
t_env.execute_sql("SELECT page, views / active AS per_day FROM visits").print()
''',
        message="operator 'Calc(select)' (subtask 1/1) failed: computing column 'per_day' failed: division by "
                "zero (an integer divided by 0, which fails in Flink too); leave such rows out (WHERE divisor <> "
                "0) or divide by NULLIF(divisor, 0) to get NULL",
        cause="division by zero",
        where="column 'per_day'",
        what_to_do="divide by NULLIF(divisor, 0) to get NULL",
        fix="Divide by `NULLIF(active, 0)` (NULL for those rows), or leave the rows out with "
            "`WHERE active <> 0`.",
        meaning="An integer division by zero fails the job, as Java's does in Flink; a `DOUBLE` division "
                "by zero gives `Infinity` or `NaN` instead.",
    ),
    dict(
        key="sql-unbounded-in-batch",
        title="A batch query reads a table that never ends",
        raises="InvalidJobError",
        code='''\
from fluvial.table import EnvironmentSettings, TableEnvironment

t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
t_env.execute_sql("CREATE TABLE clicks (user_id BIGINT, url STRING) WITH ('connector' = 'datagen')")
t_env.execute_sql("SELECT url, COUNT(*) FROM clicks GROUP BY url").print()
''',
        message="Querying an unbounded table 'clicks' in batch mode is not allowed. The table source is "
                "unbounded ('connector' = 'datagen'): give it an end with 'number-of-rows', or run the query in "
                "streaming mode (EnvironmentSettings.in_streaming_mode())",
        cause="The table source is unbounded",
        where="unbounded table 'clicks'",
        what_to_do="give it an end with 'number-of-rows', or run the query in streaming mode",
        fix="Give the table an end (`'number-of-rows'` for datagen, `'scan.bounded.mode'` for Kafka, "
            "`'events.num'` for nexmark), or run the query in streaming mode.",
        meaning="Batch mode reads every source to its end before it gives results; an unbounded table "
                "would never end, so the job is refused when it is submitted (Flink's message, with what "
                "to do). A DataStream source without an end (a FileSource with `monitor_continuously()`, "
                "a KafkaSource without `set_bounded()`) is refused the same way.",
    ),
]
