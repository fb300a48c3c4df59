"""Window aggregation (TUMBLE, HOP, CUMULATE; SQL window TVFs, group-window
functions and the Table API) on out-of-order streams with late records,
checked against a plain-Python re-computation of the same events."""

import random
from collections import defaultdict
from datetime import datetime, timezone

import pytest

from fluvial.common import Duration, Row, Types, WatermarkStrategy
from fluvial.common.watermark_strategy import TimestampAssigner
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.table import Schema, StreamTableEnvironment
from fluvial.table.expressions import col, lit
from fluvial.table.window import Slide, Tumble

DELAY = 2_000  # the watermark trails the largest timestamp by this much
WINDOW = 10_000


class EventTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[2]


def events(seed=3, count=12000, with_late=True):
    """(user, amount, ts): mostly ascending, out of order within DELAY, plus clearly late records.

    A late record is stamped far behind records sent 5000 positions earlier, so every
    chunking of the source has moved the watermark past its window before it arrives."""
    rng = random.Random(seed)
    out, late = [], set()
    for i in range(count):
        base = 1_000_000 + i * 37
        if with_late and i > 6000 and rng.random() < 0.01:
            ts = out[i - 5000][2] - 3 * WINDOW
            late.add(i)
        else:
            ts = base - rng.randint(0, DELAY - 1)
        out.append((f"u{rng.randint(0, 4)}", rng.randint(1, 100), ts))
    return out, late


def windows_of(ts, kind, size, slide):
    if kind == "tumble":
        start = ts - ts % size
        return [(start, start + size)]
    if kind == "hop":
        result, start = [], ts - ts % slide
        while start > ts - size:
            result.append((start, start + size))
            start -= slide
        return result
    start = ts - ts % size  # cumulate: step = slide
    return [(start, end) for end in range(start + slide, start + size + 1, slide) if end > ts]


def reference(data, late, kind, size, slide):
    totals = defaultdict(lambda: [0, 0])
    for i, (user, amount, ts) in enumerate(data):
        if i in late:
            continue
        for start, end in windows_of(ts, kind, size, slide):
            totals[(start, end, user)][0] += 1
            totals[(start, end, user)][1] += amount
    return {k: tuple(v) for k, v in totals.items()}


def as_millis(value):
    return round(value.replace(tzinfo=timezone.utc).timestamp() * 1000) if isinstance(value, datetime) else value


def stream_table(parallelism=1):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    t_env = StreamTableEnvironment.create(env)
    # Across parallel channels, whether a record is late depends on how far each channel's
    # watermark got (in Flink too); the late records are checked at parallelism 1, where the
    # whole pipeline is one chain and lateness is exact.
    data, late = events(with_late=parallelism == 1)
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(DELAY)) \
        .with_timestamp_assigner(EventTime())
    ds = env.from_collection([Row(user=u, amount=a, ts=t) for u, a, t in data],
                             type_info=Types.ROW_NAMED(["user", "amount", "ts"],
                                                       [Types.STRING(), Types.LONG(), Types.LONG()])) \
        .assign_timestamps_and_watermarks(strategy)
    schema = Schema.new_builder().column_by_metadata("rowtime", "TIMESTAMP_LTZ(3)") \
        .watermark("rowtime", "SOURCE_WATERMARK()").build()
    table = t_env.from_data_stream(ds, schema)
    t_env.create_temporary_view("events", table)
    return t_env, table, data, late


SQL = {
    "tumble": "SELECT window_start, window_end, `user`, COUNT(*) AS n, SUM(amount) AS total "
              "FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(rowtime), INTERVAL '10' SECOND)) "
              "GROUP BY window_start, window_end, `user`",
    "hop": "SELECT window_start, window_end, `user`, COUNT(*) AS n, SUM(amount) AS total "
           "FROM TABLE(HOP(TABLE events, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) "
           "GROUP BY window_start, window_end, `user`",
    "cumulate": "SELECT window_start, window_end, `user`, COUNT(*) AS n, SUM(amount) AS total "
                "FROM TABLE(CUMULATE(TABLE events, DESCRIPTOR(rowtime), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) "
                "GROUP BY window_start, window_end, `user`",
}


@pytest.mark.parametrize("parallelism", [1, 2])
@pytest.mark.parametrize("kind", ["tumble", "hop", "cumulate"])
def test_window_tvf_matches_reference(kind, parallelism):
    t_env, _, data, late = stream_table(parallelism)
    rows = list(t_env.execute_sql(SQL[kind]).collect())
    got = {(as_millis(r.window_start), as_millis(r.window_end), r.user): (r.n, r.total) for r in rows}
    assert len(got) == len(rows), "a window fired twice"
    assert all(str(r.get_row_kind()) == "+I" for r in rows)
    assert got == reference(data, late, kind, WINDOW, 5_000)


def test_group_window_functions_match_reference():
    t_env, _, data, late = stream_table()
    rows = list(t_env.execute_sql(
        "SELECT `user`, HOP_START(rowtime, INTERVAL '5' SECOND, INTERVAL '10' SECOND) AS ws, "
        "HOP_END(rowtime, INTERVAL '5' SECOND, INTERVAL '10' SECOND) AS we, COUNT(*) AS n, SUM(amount) AS total "
        "FROM events GROUP BY HOP(rowtime, INTERVAL '5' SECOND, INTERVAL '10' SECOND), `user`").collect())
    got = {(as_millis(r.ws), as_millis(r.we), r.user): (r.n, r.total) for r in rows}
    assert got == reference(data, late, "hop", WINDOW, 5_000)


def test_table_api_window_matches_reference():
    _, table, data, late = stream_table()
    result = table.window(Tumble.over(lit(10).seconds).on(col("rowtime")).alias("w")) \
        .group_by(col("w"), col("user")) \
        .select(col("user"), col("w").start.alias("ws"), col("w").end.alias("we"),
                col("amount").count.alias("n"), col("amount").sum.alias("total"))
    got = {(as_millis(r.ws), as_millis(r.we), r.user): (r.n, r.total) for r in result.execute().collect()}
    assert got == reference(data, late, "tumble", WINDOW, WINDOW)
    sliding = table.window(Slide.over(lit(10).seconds).every(lit(5).seconds).on(col("rowtime")).alias("w")) \
        .group_by(col("w"), col("user")) \
        .select(col("user"), col("w").start.alias("ws"), col("w").end.alias("we"),
                col("amount").count.alias("n"), col("amount").sum.alias("total"))
    got = {(as_millis(r.ws), as_millis(r.we), r.user): (r.n, r.total) for r in sliding.execute().collect()}
    assert got == reference(data, late, "hop", WINDOW, 5_000)


def test_late_records_are_dropped_not_counted():
    _, _, data, late = stream_table()
    assert late, "the generator must produce late records for this test to mean anything"
    with_late = reference(data, set(), "tumble", WINDOW, WINDOW)
    without = reference(data, late, "tumble", WINDOW, WINDOW)
    assert with_late != without


def test_window_on_a_column_that_is_not_a_time_attribute_is_refused():
    t_env, _, _, _ = stream_table()
    from fluvial.table.sql.errors import SqlValidationError

    with pytest.raises(SqlValidationError, match="not an event-time attribute"):
        t_env.execute_sql("SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), "
                          "INTERVAL '10' SECOND)) GROUP BY window_start, window_end")


SESSION_GAP = 1_000


def session_events(seed=9, count=8000):
    """Bursts of 400 rows over 2 s, 30 s apart; jitter below half the watermark delay, so a row
    that would extend a session never arrives after that session fired; plus clearly late rows."""
    rng = random.Random(seed)
    out, late = [], set()
    for i in range(count):
        base = 1_000_000 + (i // 400) * 30_000 + (i % 400) * 5
        if i > 4000 and rng.random() < 0.01:
            ts = out[i - 3000][2] - 30_000
            late.add(i)
        else:
            ts = base - rng.randint(0, 899)
        out.append((f"u{rng.randint(0, 4)}", rng.randint(1, 100), ts))
    return out, late


def session_reference(data, late):
    by_user = defaultdict(list)
    for i, (user, amount, ts) in enumerate(data):
        if i not in late:
            by_user[user].append((ts, amount))
    result = {}
    for user, rows in by_user.items():
        rows.sort()
        start, end, n, total = None, None, 0, 0
        for ts, amount in rows:
            if start is not None and ts <= end:
                end, n, total = max(end, ts + SESSION_GAP), n + 1, total + amount
                continue
            if start is not None:
                result[(start, end, user)] = (n, total)
            start, end, n, total = ts, ts + SESSION_GAP, 1, amount
        result[(start, end, user)] = (n, total)
    return result


def test_session_windows_match_reference():
    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    data, late = session_events()
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(DELAY)) \
        .with_timestamp_assigner(EventTime())
    ds = env.from_collection([Row(user=u, amount=a, ts=t) for u, a, t in data],
                             type_info=Types.ROW_NAMED(["user", "amount", "ts"],
                                                       [Types.STRING(), Types.LONG(), Types.LONG()])) \
        .assign_timestamps_and_watermarks(strategy)
    schema = Schema.new_builder().column_by_metadata("rowtime", "TIMESTAMP_LTZ(3)") \
        .watermark("rowtime", "SOURCE_WATERMARK()").build()
    t_env.create_temporary_view("events", t_env.from_data_stream(ds, schema))
    rows = list(t_env.execute_sql(
        "SELECT `user`, SESSION_START(rowtime, INTERVAL '1' SECOND) AS ws, SESSION_END(rowtime, INTERVAL '1' SECOND) "
        "AS we, COUNT(*) AS n, SUM(amount) AS total FROM events GROUP BY `user`, SESSION(rowtime, INTERVAL '1' SECOND)"
    ).collect())
    got = {(as_millis(r.ws), as_millis(r.we), r.user): (r.n, r.total) for r in rows}
    assert len(got) == len(rows)
    assert got == session_reference(data, late)
    assert session_reference(data, set()) != session_reference(data, late), "late rows must matter"


def test_processing_time_windows_count_every_row(tmp_path):
    # Which processing-time window a row falls in depends on when it arrives; every row is
    # counted exactly once, in windows of the declared size, and open windows fire at the end.
    path = tmp_path / "clicks"
    path.mkdir()
    rows = [(f"u{i % 3}", i) for i in range(300)]
    (path / "c.csv").write_text("".join(f"{u},{i}\n" for u, i in rows))
    from fluvial.table import EnvironmentSettings, TableEnvironment

    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.execute_sql(f"CREATE TABLE clicks (`user` STRING, n BIGINT, pt AS PROCTIME()) WITH "
                      f"('connector' = 'filesystem', 'path' = '{path}', 'format' = 'csv')")
    result = list(t_env.execute_sql(
        "SELECT `user`, window_start, window_end, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(pt), "
        "INTERVAL '10' SECOND)) GROUP BY window_start, window_end, `user`").collect())
    totals = defaultdict(int)
    for r in result:
        assert (as_millis(r.window_end) - as_millis(r.window_start)) == 10_000
        totals[r.user] += r.c
    assert dict(totals) == {"u0": 100, "u1": 100, "u2": 100}
