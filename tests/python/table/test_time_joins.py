"""Interval joins and window joins on out-of-order streams with late rows, checked against a
plain-Python join of the same events (late rows left out), and the operators' state checked
to stay bounded over a long stream."""

import random
from collections import Counter, defaultdict
from datetime import datetime, timezone

import pytest

from fluvial.common import Duration, Row, Types, WatermarkStrategy
from fluvial.common.watermark_strategy import TimestampAssigner
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.table import Schema, StreamTableEnvironment, _time_joins
from fluvial.table.expressions import PlanningError, col, lit
from fluvial.table.sql.errors import SqlValidationError

DELAY = 2_000  # the watermark trails the largest timestamp by this much
STEP = 37  # ms between consecutive events
KEYS = 15


class EventTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[2]


class SideEventTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp):
        return value[3]


def events(seed, count, with_late, unique_keys=False):
    """(id, key, ts): ascending with jitter within DELAY, plus clearly late rows: stamped far
    behind a row sent 1500 positions earlier, so every chunking of the source has moved the
    watermark past them (and past every window and bound they could fall in)."""
    rng = random.Random(seed)
    out, late = [], set()
    for i in range(count):
        if with_late and i > 2000 and rng.random() < 0.02:
            ts = out[i - 1500][2] - 60_000
            late.add(i)
        else:
            ts = 1_000_000 + i * STEP - rng.randint(0, DELAY - 1)
        key = rng.randint(0, KEYS - 1) if rng.random() > 0.01 else None
        if unique_keys:
            key = i  # each key once per side, as order ids are
        out.append((i, key, ts))
    return out, late


def stream_env(parallelism, count=3000, with_late=None, one_source=False, unique_keys=False):
    """Two tables, l(lid, lk, lt) and r(rid, rk, rt), with event time from lt and rt.

    Two sources may run apart (one thread ahead of the other), and the join's watermark waits
    for the slower one; one_source=True reads both tables' rows from one source, interleaved,
    so their times advance together (for the tests that bound the state)."""
    if with_late is None:
        with_late = parallelism == 1
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    t_env = StreamTableEnvironment.create(env)
    data = {}
    if one_source:
        sides = {name: events(seed, count, with_late, unique_keys) for name, seed in (("l", 11), ("r", 12))}
        merged = [Row(name, *sides[name][0][i]) for i in range(count) for name in ("l", "r")]
        ds = env.from_collection(merged, type_info=Types.ROW_NAMED(
            ["side", "id", "k", "ms"], [Types.STRING(), Types.LONG(), Types.LONG(), Types.LONG()])) \
            .assign_timestamps_and_watermarks(
                WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(DELAY))
                .with_timestamp_assigner(SideEventTime()))
        schema = Schema.new_builder().column_by_metadata("t", "TIMESTAMP_LTZ(3)") \
            .watermark("t", "SOURCE_WATERMARK()").build()
        t_env.create_temporary_view("both", t_env.from_data_stream(ds, schema))
        for name, (rows, late) in sides.items():
            t_env.create_temporary_view(name, t_env.sql_query(
                f"SELECT id AS {name}id, k AS {name}k, t AS {name}t FROM both WHERE side = '{name}'"))
            data[name] = [row for i, row in enumerate(rows) if i not in late]
        return t_env, data
    for name, seed in (("l", 11), ("r", 12)):
        rows, late = events(seed, count, with_late)
        strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis(DELAY)) \
            .with_timestamp_assigner(EventTime())
        ds = env.from_collection([Row(i, k, t) for i, k, t in rows],
                                 type_info=Types.ROW_NAMED([f"{name}id", f"{name}k", f"{name}ms"],
                                                           [Types.LONG(), Types.LONG(), Types.LONG()])) \
            .assign_timestamps_and_watermarks(strategy)
        schema = Schema.new_builder().column_by_metadata(f"{name}t", "TIMESTAMP_LTZ(3)") \
            .watermark(f"{name}t", "SOURCE_WATERMARK()").build()
        t_env.create_temporary_view(name, t_env.from_data_stream(ds, schema))
        data[name] = [row for i, row in enumerate(rows) if i not in late]
    return t_env, data


def as_millis(value):
    return round(value.replace(tzinfo=timezone.utc).timestamp() * 1000) if isinstance(value, datetime) else value


# -- interval joins ----------------------------------------------------------------------

def interval_reference(data, lower, upper, join_type):
    """(left id, right id) pairs with equal keys and lower <= lt - rt <= upper; outer sides padded."""
    by_key = defaultdict(list)
    for rid, rk, rt in data["r"]:
        by_key[rk].append((rid, rt))
    pairs, matched_right = Counter(), set()
    for lid, lk, lt in data["l"]:
        found = [rid for rid, rt in by_key[lk] if lk is not None and lower <= lt - rt <= upper]
        for rid in found:
            pairs[(lid, rid)] += 1
            matched_right.add(rid)
        if not found and join_type in ("left", "full"):
            pairs[(lid, None)] += 1
    if join_type in ("right", "full"):
        for rid, _, _ in data["r"]:
            if rid not in matched_right:
                pairs[(None, rid)] += 1
    return pairs


JOIN_SQL = {"inner": "JOIN", "left": "LEFT JOIN", "right": "RIGHT JOIN", "full": "FULL OUTER JOIN"}
BOUNDS = {
    "between": ("l.lt BETWEEN r.rt - INTERVAL '1' SECOND AND r.rt + INTERVAL '2' SECOND", -1000, 2000),
    "strict": ("l.lt > r.rt - INTERVAL '3' SECOND AND r.rt >= l.lt", -2999, 0),
    "reversed": ("r.rt + INTERVAL '0.5' SECOND <= l.lt AND l.lt < r.rt + INTERVAL '4' SECOND", 500, 3999),
}


def run_interval_join(t_env, join_type, predicate):
    sql = (f"SELECT l.lid, r.rid, l.lt, r.rt FROM l {JOIN_SQL[join_type]} r "
           f"ON l.lk = r.rk AND {predicate}")
    table = t_env.sql_query(sql)
    rows = list(table.execute().collect())
    return table, rows


@pytest.mark.parametrize("join_type", ["inner", "left", "right", "full"])
def test_interval_join_matches_reference_with_late_rows(join_type):
    t_env, data = stream_env(parallelism=1)
    predicate, lower, upper = BOUNDS["between"]
    table, rows = run_interval_join(t_env, join_type, predicate)
    assert all(str(r.get_row_kind()) == "+I" for r in rows), "an interval join is insert-only"
    got = Counter((r.lid, r.rid) for r in rows)
    assert got == interval_reference(data, lower, upper, join_type)
    for r in rows:  # the time columns are kept, NULL only on a padded side
        assert (r.lt is None) == (r.lid is None) and (r.rt is None) == (r.rid is None)
    probes = _time_joins.state_probes(table._plan)
    assert probes and all(p[0] == 0 for p in probes), "every buffered row is let go at the end"


@pytest.mark.parametrize("bounds", ["strict", "reversed"])
def test_interval_join_bound_forms(bounds):
    t_env, data = stream_env(parallelism=1)
    predicate, lower, upper = BOUNDS[bounds]
    _, rows = run_interval_join(t_env, "left", predicate)
    assert Counter((r.lid, r.rid) for r in rows) == interval_reference(data, lower, upper, "left")


def test_interval_join_on_equal_times():
    t_env, data = stream_env(parallelism=1, count=1500)
    _, rows = run_interval_join(t_env, "inner", "l.lt = r.rt")
    assert Counter((r.lid, r.rid) for r in rows) == interval_reference(data, 0, 0, "inner")


@pytest.mark.parametrize("join_type", ["inner", "full"])
def test_interval_join_in_parallel(join_type):
    t_env, data = stream_env(parallelism=2)
    predicate, lower, upper = BOUNDS["between"]
    _, rows = run_interval_join(t_env, join_type, predicate)
    assert Counter((r.lid, r.rid) for r in rows) == interval_reference(data, lower, upper, join_type)


def test_interval_join_comma_syntax_and_residual_condition():
    t_env, data = stream_env(parallelism=1, count=1500)
    rows = list(t_env.execute_sql(
        "SELECT l.lid, r.rid FROM l, r WHERE l.lk = r.rk AND l.lt BETWEEN r.rt - INTERVAL '1' SECOND "
        "AND r.rt + INTERVAL '2' SECOND AND l.lid % 2 = 0").collect())
    expected = Counter({p: n for p, n in interval_reference(data, -1000, 2000, "inner").items() if p[0] % 2 == 0})
    assert Counter((r.lid, r.rid) for r in rows) == expected
    plan = t_env.explain_sql("SELECT l.lid, r.rid FROM l, r WHERE l.lk = r.rk AND l.lt BETWEEN "
                             "r.rt - INTERVAL '1' SECOND AND r.rt + INTERVAL '2' SECOND")
    assert "IntervalJoin(joinType=[InnerJoin]" in plan and "leftLowerBound=-1000, leftUpperBound=2000" in plan


def test_interval_join_table_api_join_where():
    t_env, data = stream_env(parallelism=1, count=1500)
    left, right = t_env.from_path("l"), t_env.from_path("r")
    joined = left.join(right).where((col("lk") == col("rk")) & (col("lt") >= col("rt") - lit(1).seconds)
                                    & (col("lt") <= col("rt") + lit(2).seconds))
    rows = list(joined.select(col("lid"), col("rid")).execute().collect())
    assert Counter((r.lid, r.rid) for r in rows) == interval_reference(data, -1000, 2000, "inner")
    outer = left.full_outer_join(right, (col("lk") == col("rk")) & col("lt").between(col("rt") - lit(1).seconds,
                                                                                        col("rt") + lit(2).seconds))
    rows = list(outer.select(col("lid"), col("rid")).execute().collect())
    assert Counter((r.lid, r.rid) for r in rows) == interval_reference(data, -1000, 2000, "full")


@pytest.mark.parametrize("join_type,time_column", [("inner", "lt"), ("left", "lt"), ("right", "rt")])
def test_interval_join_output_feeds_a_window_aggregation(join_type, time_column):
    # The time attribute of the output: the left time, the right one after a RIGHT join.
    t_env, data = stream_env(parallelism=1)
    joined = t_env.sql_query(f"SELECT l.lid, r.rid, {time_column} FROM l {JOIN_SQL[join_type]} r ON l.lk = r.rk "
                             f"AND l.lt BETWEEN r.rt - INTERVAL '1' SECOND AND r.rt + INTERVAL '2' SECOND")
    t_env.create_temporary_view("joined", joined)
    rows = list(t_env.execute_sql(
        f"SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE joined, DESCRIPTOR({time_column}), "
        f"INTERVAL '10' SECOND)) GROUP BY window_start, window_end").collect())
    side = 0 if time_column == "lt" else 1
    times = {row_id: ts for row_id, _, ts in data["l" if side == 0 else "r"]}
    expected = Counter()
    for pair, n in interval_reference(data, -1000, 2000, join_type).items():
        expected[times[pair[side]] - times[pair[side]] % 10_000] += n
    got = Counter({as_millis(r.window_start): r.n for r in rows})
    assert len(rows) == len(got) and got == expected


def test_interval_join_state_stays_bounded():
    t_env, data = stream_env(parallelism=1, count=40_000, with_late=False, one_source=True)
    table, rows = run_interval_join(t_env, "left", BOUNDS["between"][0])
    assert len(rows) >= 40_000
    probes = _time_joins.state_probes(table._plan)
    assert len(probes) == 1
    # Rows are let go as the watermark passes: a few seconds of both streams (~80 rows a second
    # each, plus the watermark's delay and a batch), never the 80,000 rows of the stream.
    assert 0 < probes[0][1] < 2_000, list(probes[0])


def test_interval_join_keys_that_come_and_go_do_not_pile_up():
    t_env, data = stream_env(parallelism=1, count=30_000, with_late=False, one_source=True, unique_keys=True)
    table, rows = run_interval_join(t_env, "full", BOUNDS["between"][0])
    assert Counter((r.lid, r.rid) for r in rows) == interval_reference(data, -1000, 2000, "full")
    (probe,) = _time_joins.state_probes(table._plan)
    # 30,000 keys went through; the key dictionary is rebuilt from the buffered rows' keys.
    assert 0 < probe[2] < 10_000, list(probe)


@pytest.mark.parametrize("join_type", ["inner", "full"])
def test_processing_time_interval_join(join_type):
    # Every row reaches the join within the hour: the bounds hold for every pair of equal keys.
    t_env, data = stream_env(parallelism=1, count=1000, with_late=False)
    t_env.create_temporary_view("lp", t_env.sql_query("SELECT lid, lk, PROCTIME() AS pt FROM l"))
    t_env.create_temporary_view("rp", t_env.sql_query("SELECT rid, rk, PROCTIME() AS qt FROM r"))
    table = t_env.sql_query(f"SELECT lid, rid FROM lp {JOIN_SQL[join_type]} rp ON lp.lk = rp.rk AND lp.pt "
                            f"BETWEEN rp.qt - INTERVAL '1' HOUR AND rp.qt + INTERVAL '1' HOUR")
    assert "isRowTime=False" in table.explain()
    rows = list(table.execute().collect())
    everything = 10**12  # every pair of equal keys lies within the bounds
    assert Counter((r.lid, r.rid) for r in rows) == interval_reference(data, -everything, everything, join_type)
    with pytest.raises(SqlValidationError, match="not one of each"):
        t_env.sql_query("SELECT * FROM lp JOIN r ON lp.lk = r.rk AND lp.pt BETWEEN r.rt - INTERVAL '1' SECOND "
                        "AND r.rt")


def test_a_join_without_condition_is_an_error():
    t_env, _ = stream_env(parallelism=1, count=10)
    assert "FullOuterJoin" in t_env.sql_query("SELECT * FROM l FULL OUTER JOIN r ON l.lk = r.rk").explain()
    with pytest.raises(PlanningError, match="cross join"):
        t_env.from_path("l").join(t_env.from_path("r")).select(col("lid"))


def test_time_bounds_extraction():
    lt, rt = col("lt"), col("rt")
    assert _time_joins.time_bounds([lt.between(rt - lit(5).minutes, rt + lit(10).seconds)], "lt", "rt")[:2] \
        == (-300_000, 10_000)
    assert _time_joins.time_bounds([lt > rt, lt < rt + lit(1).seconds], "lt", "rt")[:2] == (1, 999)
    assert _time_joins.time_bounds([rt - lit(2).seconds <= lt, rt >= lt], "lt", "rt")[:2] == (-2000, 0)
    assert _time_joins.time_bounds([lt >= rt], "lt", "rt") is None  # one bound only: a regular join
    rest = _time_joins.time_bounds([lt == rt, col("x") > 1], "lt", "rt")
    assert rest[:2] == (0, 0) and len(rest[2]) == 1


# -- window joins ------------------------------------------------------------------------

WINDOWS = {
    "tumble": ("TUMBLE", "INTERVAL '5' SECOND"),
    "hop": ("HOP", "INTERVAL '2' SECOND, INTERVAL '6' SECOND"),
    "cumulate": ("CUMULATE", "INTERVAL '2' SECOND, INTERVAL '6' SECOND"),
}


def windows_of(ts, kind):
    if kind == "tumble":
        start = ts - ts % 5000
        return [(start, start + 5000)]
    if kind == "hop":
        result, start = [], ts - ts % 2000
        while start > ts - 6000:
            result.append((start, start + 6000))
            start -= 2000
        return result
    start = ts - ts % 6000
    return [(start, end) for end in range(start + 2000, start + 6001, 2000) if end > ts]


def window_reference(data, kind, join_type):
    """((window start, end), left id, right id) per window and key; outer sides padded."""
    sides = {}
    for name in ("l", "r"):
        buckets = defaultdict(list)
        for row_id, key, ts in data[name]:
            for window in windows_of(ts, kind):
                buckets[window].append((row_id, key))
        sides[name] = buckets
    result = Counter()
    for window in set(sides["l"]) | set(sides["r"]):
        lefts, rights = sides["l"].get(window, []), sides["r"].get(window, [])
        matched_right = set()
        for lid, lk in lefts:
            found = [rid for rid, rk in rights if lk is not None and rk == lk]
            for rid in found:
                result[(window, lid, rid)] += 1
                matched_right.add(rid)
            if not found and join_type in ("left", "full"):
                result[(window, lid, None)] += 1
        if join_type in ("right", "full"):
            for rid, _ in rights:
                if rid not in matched_right:
                    result[(window, None, rid)] += 1
    return result


def window_join_sql(kind, join_type, select="L.lid, R.rid, COALESCE(L.window_start, R.window_start) AS ws, "
                                            "COALESCE(L.window_end, R.window_end) AS we"):
    function, sizes = WINDOWS[kind]
    return (f"SELECT {select} FROM "
            f"(SELECT * FROM TABLE({function}(TABLE l, DESCRIPTOR(lt), {sizes}))) L {JOIN_SQL[join_type]} "
            f"TABLE({function}(TABLE r, DESCRIPTOR(rt), {sizes})) R "
            f"ON L.lk = R.rk AND L.window_start = R.window_start AND L.window_end = R.window_end")


def window_rows(rows):
    return Counter(((as_millis(r.ws), as_millis(r.we)), r.lid, r.rid) for r in rows)


@pytest.mark.parametrize("kind,join_type", [("tumble", "inner"), ("tumble", "left"), ("tumble", "right"),
                                            ("tumble", "full"), ("hop", "inner"), ("cumulate", "full")])
def test_window_join_matches_reference_with_late_rows(kind, join_type):
    t_env, data = stream_env(parallelism=1)
    table = t_env.sql_query(window_join_sql(kind, join_type))
    rows = list(table.execute().collect())
    assert all(str(r.get_row_kind()) == "+I" for r in rows)
    assert window_rows(rows) == window_reference(data, kind, join_type)
    probes = _time_joins.state_probes(table._plan)
    assert probes and all(p[0] == 0 for p in probes)
    assert "WindowJoin(joinType=" in table.explain()


@pytest.mark.parametrize("kind", ["tumble", "hop"])
def test_window_join_in_parallel(kind):
    t_env, data = stream_env(parallelism=2)
    rows = list(t_env.execute_sql(window_join_sql(kind, "full")).collect())
    assert window_rows(rows) == window_reference(data, kind, "full")


def test_window_join_state_stays_bounded():
    t_env, data = stream_env(parallelism=1, count=40_000, with_late=False, one_source=True)
    table = t_env.sql_query(window_join_sql("tumble", "inner"))
    rows = list(table.execute().collect())
    assert window_rows(rows) == window_reference(data, "tumble", "inner")
    (probe,) = _time_joins.state_probes(table._plan)
    # One or two open 5-second windows of both streams (~135 rows each a window), never the stream.
    assert 0 < probe[1] < 2_000, list(probe)


def test_window_table_function_on_its_own():
    t_env, data = stream_env(parallelism=1, count=500, with_late=False)
    rows = list(t_env.execute_sql("SELECT lid, window_start, window_end, window_time FROM "
                                  "TABLE(HOP(TABLE l, DESCRIPTOR(lt), INTERVAL '2' SECOND, INTERVAL '6' SECOND))")
                .collect())
    got = Counter((r.lid, as_millis(r.window_start), as_millis(r.window_end)) for r in rows)
    expected = Counter((lid, s, e) for lid, _, ts in data["l"] for s, e in windows_of(ts, "hop"))
    assert got == expected
    assert all(as_millis(r.window_time) == as_millis(r.window_end) - 1 for r in rows)


def test_window_join_needs_the_same_window():
    t_env, _ = stream_env(parallelism=1, count=10)
    with pytest.raises(SqlValidationError, match="same window on both sides"):
        t_env.sql_query("SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(lt), INTERVAL '5' SECOND)) L JOIN "
                        "TABLE(TUMBLE(TABLE r, DESCRIPTOR(rt), INTERVAL '6' SECOND)) R ON L.lk = R.rk "
                        "AND L.window_start = R.window_start AND L.window_end = R.window_end")


def semi_reference(data, kind, anti):
    """(window, left id) of the left rows with (semi) or without (anti) a right row of their window and key."""
    rights = {(w, k) for _, k, ts in data["r"] if k is not None for w in windows_of(ts, kind)}
    return Counter((w, lid) for lid, k, ts in data["l"] for w in windows_of(ts, kind)
                   if ((k is not None and (w, k) in rights) != anti))


@pytest.mark.parametrize("kind,anti", [("tumble", False), ("tumble", True), ("hop", False)])
def test_window_semi_and_anti_joins(kind, anti):
    t_env, data = stream_env(parallelism=1)
    function, sizes = WINDOWS[kind]
    windowed = "(SELECT * FROM TABLE({f}(TABLE {t}, DESCRIPTOR({t}t), {s}))) {a}"
    left, right = windowed.format(f=function, t="l", s=sizes, a="L"), windowed.format(f=function, t="r", s=sizes, a="R")
    correlated = "L.window_start = R.window_start AND L.window_end = R.window_end"
    negation = "NOT " if anti else ""
    queries = [f"SELECT L.lid, L.window_start, L.window_end FROM {left} WHERE {negation}EXISTS "
               f"(SELECT * FROM {right} WHERE L.lk = R.rk AND {correlated})"]
    if anti:  # NOT IN differs on NULLs: refused
        with pytest.raises(SqlValidationError, match="write NOT EXISTS"):
            t_env.sql_query(f"SELECT * FROM {left} WHERE L.lk NOT IN (SELECT rk FROM {right} WHERE {correlated})")
    else:
        queries.append(f"SELECT L.lid, L.window_start, L.window_end FROM {left} WHERE L.lk IN "
                       f"(SELECT rk FROM {right} WHERE {correlated})")
    for sql in queries:
        rows = list(t_env.execute_sql(sql).collect())
        got = Counter(((as_millis(r.window_start), as_millis(r.window_end)), r.lid) for r in rows)
        assert got == semi_reference(data, kind, anti), sql
