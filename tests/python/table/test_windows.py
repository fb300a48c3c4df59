"""Window aggregation (TUMBLE, HOP, CUMULATE; SQL window TVFs, group-window
functions and the Table API) on out-of-order streams with late records,
checked against a plain-Python re-computation of the same events."""

import random
from collections import Counter, defaultdict
from datetime import datetime, timezone

import pytest

from fluvial.common import Duration, Row, Types, WatermarkStrategy
from fluvial.common.watermark_strategy import TimestampAssigner
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors.base import Source, SourceReader
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


# -- processing-time session windows ---------------------------------------------------------

GAP = 1_000


class ClockAt:
    """A script step: set the job's manual clock to 'time' (the source then emits nothing)."""

    def __init__(self, time):
        self.time = time


class ClockScript(Source):
    """Plays batches of (user, v) rows and ClockAt steps, one per poll."""

    def __init__(self, steps, clock):
        self.steps = list(steps)
        self.clock = clock

    def _is_non_parallel(self):
        return True

    def _create_reader(self, subtask_index, parallelism):
        return _ClockScriptReader(self.steps, self.clock)


class _ClockScriptReader(SourceReader):
    def __init__(self, steps, clock):
        self._steps = list(steps)
        self._clock = clock

    def poll(self):
        if not self._steps:
            return None
        step = self._steps.pop(0)
        if isinstance(step, ClockAt):
            self._clock.set(step.time)
            return []
        return [Row(user=u, v=v) for u, v in step]


def clock_script(seed, steps=60, users=("u1",)):
    rng = random.Random(seed)
    script, now, value = [], 10_000, 0
    for _ in range(steps):
        now += rng.choice((100, 300, 700, 999, 1000, 1500, 4000))
        script.append(ClockAt(now))
        batch = []
        for _ in range(rng.randint(0, 3)):
            batch.append((rng.choice(users), value))
            value += 1
        if batch:
            script.append(batch)
    return script


def proctime_session_reference(script):
    """Per user: sessions of rows stamped with the clock when they arrive, merged when they touch,
    fired when the clock reaches a session's last millisecond; open ones fire at the end."""
    now, open_sessions, fired = 0, defaultdict(list), []
    for step in script:
        if isinstance(step, ClockAt):
            now = step.time
            for user, sessions in open_sessions.items():
                fired += [(user, s) for s in sessions if s[1] - 1 <= now]
                sessions[:] = [s for s in sessions if s[1] - 1 > now]
            continue
        for user, value in step:
            merged = [now, now + GAP, [value]]
            for session in list(open_sessions[user]):
                if session[0] <= merged[1] and merged[0] <= session[1]:
                    merged = [min(session[0], merged[0]), max(session[1], merged[1]), session[2] + merged[2]]
                    open_sessions[user].remove(session)
            open_sessions[user].append(merged)
    fired += [(user, s) for user, sessions in open_sessions.items() for s in sessions]
    return {(user, start, end): (len(values), sum(values)) for user, (start, end, values) in fired}


def proctime_table(script, parallelism):
    from fluvial import _core

    clock = _core.ManualClock(0)
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    env._set_processing_time_clock(clock)
    t_env = StreamTableEnvironment.create(env)
    ds = env.from_source(ClockScript(script, clock), None, "script",
                         type_info=Types.ROW_NAMED(["user", "v"], [Types.STRING(), Types.LONG()]))
    table = t_env.from_data_stream(ds, Schema.new_builder().column_by_expression("pt", "PROCTIME()").build())
    t_env.create_temporary_view("clicks", table)
    return t_env, table


def test_processing_time_sessions_table_api_match_reference():
    # One global session window: the plan runs in the source's thread, so each row is stamped
    # with the clock the script set before it, and each ClockAt step fires what it closes.
    from fluvial.table.window import Session

    script = clock_script(seed=21)
    _, table = proctime_table(script, parallelism=1)
    result = table.window(Session.with_gap(lit(1).seconds).on(col("pt")).alias("w")).group_by(col("w")) \
        .select(col("w").start.alias("ws"), col("w").end.alias("we"), col("v").count.alias("n"),
                col("v").sum.alias("total"))
    rows = list(result.execute().collect())
    got = {("u1", as_millis(r.ws), as_millis(r.we)): (r.n, r.total) for r in rows}
    expected = proctime_session_reference(script)
    assert len(got) == len(rows) == len(expected)
    assert got == expected
    assert any(end - start > GAP for _, start, end in expected), "some sessions must have merged"


@pytest.mark.parametrize("form", ["group_window", "tvf"])
def test_processing_time_sessions_in_sql_match_reference(form):
    script = clock_script(seed=22)
    t_env, _ = proctime_table(script, parallelism=1)
    if form == "group_window":
        query = ("SELECT SESSION_START(pt, INTERVAL '1' SECOND) AS ws, SESSION_END(pt, INTERVAL '1' SECOND) AS we, "
                 "COUNT(*) AS n, SUM(v) AS total FROM clicks GROUP BY SESSION(pt, INTERVAL '1' SECOND)")
    else:
        query = ("SELECT window_start AS ws, window_end AS we, COUNT(*) AS n, SUM(v) AS total FROM "
                 "TABLE(SESSION(TABLE clicks, DESCRIPTOR(pt), INTERVAL '1' SECOND)) GROUP BY window_start, window_end")
    rows = list(t_env.execute_sql(query).collect())
    got = {("u1", as_millis(r.ws), as_millis(r.we)): (r.n, r.total) for r in rows}
    assert got == proctime_session_reference(script)


def test_keyed_processing_time_sessions_keep_every_row_once():
    # Keyed sessions run behind a hash exchange, in other threads than the source: a row may be
    # stamped with a later clock value than the script's. Clock steps here are far apart (more
    # than the gap), so whatever the timing each session holds rows of one clock value: it
    # spans exactly the gap, starts at a value the script set, and every row is counted once.
    rng = random.Random(5)
    script, clocks, now, value = [], set(), 10_000, 0
    for _ in range(25):
        now += rng.choice((3_000, 5_000))
        clocks.add(now)
        script.append(ClockAt(now))
        batch = [(rng.choice(("a", "b", "c")), value + i) for i in range(rng.randint(1, 4))]
        value += len(batch)
        script.append(batch)
    t_env, _ = proctime_table(script, parallelism=2)
    rows = list(t_env.execute_sql(
        "SELECT `user`, SESSION_START(pt, INTERVAL '1' SECOND) AS ws, SESSION_END(pt, INTERVAL '1' SECOND) AS we, "
        "COUNT(*) AS n, SUM(v) AS total FROM clicks GROUP BY `user`, SESSION(pt, INTERVAL '1' SECOND)").collect())
    counts, totals = Counter(), Counter()
    for r in rows:
        assert as_millis(r.we) - as_millis(r.ws) == GAP
        assert as_millis(r.ws) in clocks
        counts[r.user] += r.n
        totals[r.user] += r.total
    expected_counts, expected_totals = Counter(), Counter()
    for step in script:
        if not isinstance(step, ClockAt):
            for user, v in step:
                expected_counts[user] += 1
                expected_totals[user] += v
    assert counts == expected_counts and totals == expected_totals


def test_processing_time_tumbling_windows_in_the_table_api_match_reference():
    script = clock_script(seed=23)
    _, table = proctime_table(script, parallelism=1)
    size = 2_000
    result = table.window(Tumble.over(lit(2).seconds).on(col("pt")).alias("w")).group_by(col("w")) \
        .select(col("w").start.alias("ws"), col("v").count.alias("n"), col("v").sum.alias("total"))
    got = {as_millis(r.ws): (r.n, r.total) for r in result.execute().collect()}
    now, expected = 0, defaultdict(lambda: [0, 0])
    for step in script:
        if isinstance(step, ClockAt):
            now = step.time
            continue
        for _, v in step:
            window = expected[now - now % size]
            window[0] += 1
            window[1] += v
    assert got == {start: tuple(value) for start, value in expected.items()}


def test_processing_time_sessions_aggregate_with_a_row_result():
    from fluvial.table import DataTypes
    from fluvial.table.udf import AggregateFunction, udaf
    from fluvial.table.window import Session

    class CountSum(AggregateFunction):
        def create_accumulator(self):
            return [0, 0]

        def accumulate(self, accumulator, value):
            accumulator[0] += 1
            accumulator[1] += value

        def get_value(self, accumulator):
            return Row(*accumulator)

    count_sum = udaf(CountSum(), result_type=DataTypes.ROW([DataTypes.FIELD("n", DataTypes.BIGINT()),
                                                            DataTypes.FIELD("total", DataTypes.BIGINT())]))
    script = clock_script(seed=24)
    _, table = proctime_table(script, parallelism=1)
    result = table.window(Session.with_gap(lit(1).seconds).on(col("pt")).alias("w")).group_by(col("w")) \
        .aggregate(count_sum(col("v"))).select(col("w").start, col("w").end, col("*"))
    rows = list(result.execute().collect())
    got = {("u1", as_millis(r[0]), as_millis(r[1])): (r.n, r.total) for r in rows}
    assert got == proctime_session_reference(script)
