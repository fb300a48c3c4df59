"""PyFlink's argument rule for the row-based operations: given the function itself, map /
flat_map / join_lateral call it with one Row of all the columns; given a call, with the call's
arguments. Results are checked against the same function applied in plain Python."""

from fluvial.common import Row
from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment, col, lit
from fluvial.table.udf import udf, udtf

LINES = ["To be, or not to be", "that is the question", "to be"]


def _env():
    return TableEnvironment.create(EnvironmentSettings.in_streaming_mode())


def test_word_count_counts_words_not_first_letters():
    # The Table API word count of Flink's examples: flat_map(split) hands split a Row.
    t_env = _env()

    @udtf(result_types=[DataTypes.STRING()])
    def split(line: Row):
        for word in line[0].split():
            yield Row(word)

    table = t_env.from_elements([(line,) for line in LINES],
                                DataTypes.ROW([DataTypes.FIELD("line", DataTypes.STRING())]))
    rows = table.flat_map(split).alias("word").group_by(col("word")).select(col("word"), lit(1).count) \
        .execute().collect()
    final = {}
    for row in rows:
        if row.get_row_kind().short_string() in ("+I", "+U"):
            final[row[0]] = row[1]
    expected = {}
    for line in LINES:
        for word in line.split():
            expected[word] = expected.get(word, 0) + 1
    assert final == expected


def test_flat_map_of_a_call_passes_its_arguments():
    t_env = _env()

    @udtf(result_types=["STRING", "INT"])
    def split(text, factor):
        for word in text.split():
            yield word, len(word) * factor

    table = t_env.from_elements([(line, 2) for line in LINES], ["line", "factor"])
    rows = [tuple(r) for r in table.flat_map(split(col("line"), col("factor"))).execute().collect()]
    assert rows == [(w, len(w) * 2) for line in LINES for w in line.split()]


def test_map_of_the_function_gets_a_named_row_and_of_a_call_its_arguments():
    t_env = _env()
    table = t_env.from_elements([(1, "ab"), (2, "cde")], ["id", "text"])

    @udf(result_type="ROW<id BIGINT, size INT>")
    def sized(row: Row):
        return Row(row.id, len(row.text))

    @udf(result_type=DataTypes.ROW([DataTypes.FIELD("label", DataTypes.STRING())]))
    def label(identifier, text):
        return Row(f"{identifier}-{text}")

    assert [tuple(r) for r in table.map(sized).execute().collect()] == [(1, 2), (2, 3)]
    mapped = table.map(sized)
    assert mapped.get_schema().get_field_names() == ["id", "size"]
    assert [tuple(r) for r in table.map(label(col("id"), col("text"))).execute().collect()] == [("1-ab",), ("2-cde",)]


def test_join_lateral_of_the_aliased_function_without_a_call():
    t_env = _env()

    @udtf(result_types=[DataTypes.STRING()])
    def pieces(row: Row):
        yield from row.name.split("i")

    table = t_env.from_elements([(1, "Flink"), (2, "hello")], ["id", "name"])
    rows = [tuple(r) for r in table.join_lateral(pieces.alias("piece")).execute().collect()]
    assert rows == [(i, n, p) for i, n in [(1, "Flink"), (2, "hello")] for p in n.split("i")]


def test_type_strings_for_udf_results():
    t_env = _env()

    @udf(result_type="string")
    def initial(name):
        return name[0]

    table = t_env.from_elements([("Alice",), ("Bob",)], ["name"])
    result = table.select(initial(col("name")).alias("i"))
    assert result.get_schema().get_field_data_types()[0].arrow_type == DataTypes.STRING().arrow_type
    assert [r[0] for r in result.execute().collect()] == ["A", "B"]


def test_alias_renames_the_first_columns():
    t_env = _env()
    table = t_env.from_elements([(1, "a", 2.0)], ["x", "y", "z"]).alias("p", "q")
    assert table.get_schema().get_field_names() == ["p", "q", "z"]


def test_str_of_a_table_is_an_inline_view_for_sql():
    t_env = _env()
    table = t_env.from_elements([(1, "a"), (2, "b"), (3, "c")], ["id", "name"])
    assert str(table) == str(table)  # one view per table, as PyFlink
    assert str(table).startswith("UnnamedTable$")
    rows = [tuple(r) for r in t_env.sql_query(f"SELECT name FROM {table} WHERE id >= 2").execute().collect()]
    assert rows == [("b",), ("c",)]


def test_from_pandas_maps_the_schema_by_position():
    import pandas as pd

    t_env = _env()
    frame = pd.DataFrame({0: [1.5, 2.5], 1: ["x", "y"]})
    table = t_env.from_pandas(frame, DataTypes.ROW([DataTypes.FIELD("a", DataTypes.DOUBLE()),
                                                    DataTypes.FIELD("b", DataTypes.STRING())]))
    assert [tuple(r) for r in table.execute().collect()] == [(1.5, "x"), (2.5, "y")]
    typed = t_env.from_pandas(pd.DataFrame({"u": [1], "v": ["w"]}), [DataTypes.BIGINT(), DataTypes.STRING()])
    assert typed.get_schema().get_field_names() == ["u", "v"]


def test_registered_bare_aggregate_function_with_a_list_view_accumulator():
    from fluvial.table import ListView
    from fluvial.table.udf import AggregateFunction

    class Distinct(AggregateFunction):
        def create_accumulator(self):
            return Row(ListView())

        def accumulate(self, accumulator, value):
            if value not in list(accumulator[0]):
                accumulator[0].add(value)

        def get_value(self, accumulator):
            return len(list(accumulator[0]))

        def get_result_type(self):
            return "BIGINT"

        def get_accumulator_type(self):
            return DataTypes.ROW([DataTypes.FIELD("seen", DataTypes.LIST_VIEW(DataTypes.STRING()))])

    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.create_temporary_function("distinct_count", Distinct())
    t_env.create_temporary_view("t", t_env.from_elements([("a", "x"), ("a", "y"), ("a", "x"), ("b", "z")],
                                                         ["k", "v"]))
    rows = sorted(tuple(r) for r in t_env.execute_sql(
        "SELECT k, distinct_count(v) FROM t GROUP BY k").collect())
    assert rows == [("a", 2), ("b", 1)]
