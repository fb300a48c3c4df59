"""Flink's datagen: a 'sequence' field bounds the source. The source ends when a sequence runs
out — without 'number-of-rows', or before it when it is larger (the Table API intro's DDL
samples rely on this) — and every value of the sequence comes exactly once at any parallelism."""

import pytest


@pytest.mark.parametrize("parallelism", [1, 3])
@pytest.mark.parametrize("rows_option", ["", ", 'number-of-rows' = '100'"])
def test_a_sequence_ends_the_source(t_env, parallelism, rows_option):
    t_env.get_config().set("parallelism.default", str(parallelism))
    t_env.execute_sql(f"""
        CREATE TABLE seq (id BIGINT, data TINYINT) WITH (
            'connector' = 'datagen',
            'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '7',
            'fields.data.kind' = 'sequence', 'fields.data.start' = '4', 'fields.data.end' = '20'{rows_option})""")
    with t_env.execute_sql("SELECT id, data FROM seq").collect() as rows:
        pairs = sorted((row[0], row[1]) for row in rows)
    # The shorter sequence (id: 1..7) ends the source.
    assert [id_ for id_, _ in pairs] == list(range(1, 8))
    assert len({data for _, data in pairs}) == 7 and all(4 <= data <= 20 for _, data in pairs)


def test_number_of_rows_smaller_than_the_sequence_still_bounds_it(t_env):
    t_env.execute_sql("""
        CREATE TABLE seq (id BIGINT) WITH (
            'connector' = 'datagen', 'number-of-rows' = '3',
            'fields.id.kind' = 'sequence', 'fields.id.start' = '10', 'fields.id.end' = '1000')""")
    with t_env.execute_sql("SELECT id FROM seq").collect() as rows:
        assert sorted(row[0] for row in rows) == [10, 11, 12]
