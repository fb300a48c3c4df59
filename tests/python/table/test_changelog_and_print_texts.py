"""A streaming GROUP BY emits each record's change as Flink does without mini-batch (checked
against a plain-Python re-computation of the changelog); the print connector and the tableau
show values as Flink shows them."""

import datetime
import decimal

from fluvial.table import DataTypes, EnvironmentSettings, Schema, TableDescriptor, TableEnvironment, col, lit
from fluvial.table.udf import AggregateFunction, udaf

WORDS = ["a", "b", "a", "a", "b", "c", "a"]


def _expected_changelog(words):
    """Flink's GroupAggFunction per record: +I for a new group, -U old / +U new for a changed one."""
    counts, log = {}, []
    for word in words:
        if word in counts:
            log += [("-U", word, counts[word]), ("+U", word, counts[word] + 1)]
            counts[word] += 1
        else:
            counts[word] = 1
            log.append(("+I", word, 1))
    return log


def _changelog(rows):
    return [(r.get_row_kind().short_string(), *r) for r in rows]


def test_streaming_group_by_emits_every_records_change():
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    table = t_env.from_elements([(w,) for w in WORDS], ["word"])
    rows = table.group_by(col("word")).select(col("word"), lit(1).count).execute().collect()
    assert _changelog(rows) == _expected_changelog(WORDS)


def test_python_aggregate_emits_every_records_change():
    class Count(AggregateFunction):
        def create_accumulator(self):
            return [0]

        def accumulate(self, accumulator, value):
            accumulator[0] += 1

        def get_value(self, accumulator):
            return accumulator[0]

        def get_result_type(self):
            return "BIGINT"

    count = udaf(Count())
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    table = t_env.from_elements([(w,) for w in WORDS], ["word"])
    rows = table.group_by(col("word")).select(col("word"), count(col("word"))).execute().collect()
    assert _changelog(rows) == _expected_changelog(WORDS)


def test_mini_batch_folds_the_changes_of_a_batch():
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.get_config().set("table.exec.mini-batch.enabled", "true")
    table = t_env.from_elements([(w,) for w in WORDS], ["word"])
    rows = _changelog(table.group_by(col("word")).select(col("word"), lit(1).count).execute().collect())
    # One bounded batch: each word once, with its final count.
    assert sorted(rows) == sorted(("+I", w, WORDS.count(w)) for w in set(WORDS))


def test_print_connector_texts_are_javas(capfd):
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    values = t_env.from_elements(
        [(1.1, 130.1, decimal.Decimal("12.50"), 5000, epoch, epoch + datetime.timedelta(seconds=5))],
        DataTypes.ROW([DataTypes.FIELD("f", DataTypes.FLOAT()), DataTypes.FIELD("d", DataTypes.DOUBLE()),
                       DataTypes.FIELD("m", DataTypes.DECIMAL(10, 2)), DataTypes.FIELD("ms", DataTypes.BIGINT()),
                       DataTypes.FIELD("t0", DataTypes.TIMESTAMP_LTZ(3)),
                       DataTypes.FIELD("t5", DataTypes.TIMESTAMP_LTZ(3))]))
    shown = values.select(col("f"), col("d"), col("m"), col("ms").cast(DataTypes.INT()), col("t0"), col("t5"))
    shown.execute_insert(
        TableDescriptor.for_connector("print")
        .schema(Schema.new_builder().column("f", DataTypes.FLOAT()).column("d", DataTypes.DOUBLE())
                .column("m", DataTypes.DECIMAL(10, 2)).column("i", DataTypes.INT())
                .column("t0", DataTypes.TIMESTAMP_LTZ(3)).column("t5", DataTypes.TIMESTAMP_LTZ(3)).build())
        .build()).wait()
    # Float.toString(1.1f) is 1.1, not the double 1.100000023841858; Instant.toString always has seconds.
    assert capfd.readouterr().out == "+I[1.1, 130.1, 12.50, 5000, 1970-01-01T00:00:00Z, 1970-01-01T00:00:05Z]\n"


def test_tableau_columns_are_as_wide_as_their_types(capfd):
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.from_elements([(1, '{"name": "PyFlink", "tel": 32, "x": 1}', 1.5)], ["id", "data", "x"]).execute().print()
    assert capfd.readouterr().out == (
        "+----+----------------------+--------------------------------+--------------------------------+\n"
        "| op |                   id |                           data |                              x |\n"
        "+----+----------------------+--------------------------------+--------------------------------+\n"
        "| +I |                    1 | {\"name\": \"PyFlink\", \"tel\": ... |                            1.5 |\n"
        "+----+----------------------+--------------------------------+--------------------------------+\n"
        "1 row in set\n")
