"""Table API forms PyFlink programs use, each printed; recorded on real PyFlink 2.2.0
(expected output: table_api_forms.out) and replayed on Fluvial by test_differential.py."""


from pyflink.common import Row
from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.expressions import col
from pyflink.table.udf import udf, udtf

t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
t_env.get_config().set("parallelism.default", "1")

lines = t_env.from_elements([("a b a",), ("b c",), ("a",)], ["line"])


@udtf(result_types=["STRING"])
def split_row(row: Row):
    for word in row[0].split():
        yield word


@udtf(result_types=[DataTypes.STRING(), DataTypes.INT()])
def split_args(line):
    for word in line.split():
        yield word, len(word)


print("== flat_map of the function: one Row argument")
lines.flat_map(split_row).execute().print()
print("== flat_map of a call: its arguments")
lines.flat_map(split_args(col("line"))).alias("w", "n").execute().print()
print("== join_lateral of the aliased function")
lines.join_lateral(split_row.alias("word")).execute().print()

people = t_env.from_elements([(1, "Alice", 3.5), (2, "Bob", 4.25)], ["id", "name", "score"])


@udf(result_type=DataTypes.ROW([DataTypes.FIELD("id", DataTypes.BIGINT()),
                                DataTypes.FIELD("upper", DataTypes.STRING())]))
def upper_row(row: Row):
    return Row(row.id, row.name.upper())


@udf(result_type=DataTypes.ROW([DataTypes.FIELD("s", DataTypes.STRING())]))
def describe(name, score):
    return Row(f"{name}:{score}")


@udf(result_type="STRING")
def initial(name):
    return name[0]


print("== map of the function and of a call")
people.map(upper_row).execute().print()
people.map(describe(col("name"), col("score"))).execute().print()
print("== type strings")
people.select(initial(col("name")), col("id")).execute().print()
print("== str(table) in SQL")
t_env.sql_query(f"SELECT name FROM {people} WHERE id > 1").execute().print()
print("== alias with fewer names than columns")
people.alias("pid").print_schema()
