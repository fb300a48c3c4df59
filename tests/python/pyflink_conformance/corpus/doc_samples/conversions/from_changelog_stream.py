# Source: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/data_stream_api/#examples-for-fromchangelogstream
# A code sample of this PyFlink documentation page (Apache License 2.0, like the Flink docs),
# completed into a runnable program: imports, an environment, a small inline input, a print.
from pyflink.common import Row, RowKind
from pyflink.common.typeinfo import Types
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.table import StreamTableEnvironment

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
t_env = StreamTableEnvironment.create(env)

# === EXAMPLE 1 ===

# interpret the stream as a retract stream

# create a changelog DataStream
ds = env.from_collection([
    Row.of_kind(RowKind.INSERT, "Alice", 12),
    Row.of_kind(RowKind.INSERT, "Bob", 5),
    Row.of_kind(RowKind.UPDATE_BEFORE, "Alice", 12),
    Row.of_kind(RowKind.UPDATE_AFTER, "Alice", 100)],
    type_info=Types.ROW([Types.STRING(), Types.INT()]))

# interpret the DataStream as a Table
table = t_env.from_changelog_stream(ds)

# register the table under a name and perform an aggregation
t_env.create_temporary_view("InputTable", table)
t_env.execute_sql("SELECT f0 AS name, SUM(f1) AS score FROM InputTable GROUP BY f0").print()

# prints:
# +----+--------------------------------+-------------+
# | op |                           name |       score |
# +----+--------------------------------+-------------+
# | +I |                            Bob |           5 |
# | +I |                          Alice |          12 |
# | -D |                          Alice |          12 |
# | +I |                          Alice |         100 |
# +----+--------------------------------+-------------+
