"""Checkpoints and recovery of Table/SQL jobs: each snapshot-capable operator in a streaming
SQL job over a bounded source, failed after a checkpoint (a UDF raising once) and restarted,
or stopped with a savepoint and resumed at another parallelism; what the two-phase sinks
committed is compared with a plain-Python reference — no row lost, none duplicated."""

import csv
import os
import re
import sys
from collections import Counter
from datetime import datetime, timedelta

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from checkpoint_job import (  # noqa: E402
    START,
    TOTAL_TYPES,
    TOTALS_SQL,
    WINDOWS_SQL,
    add_changelog_sink,
    apply_changelog,
    make_fail_once,
    reference_totals,
    reference_windows,
    register_checked_source,
    rows_of,
    write_input,
)

from fluvial.common import Configuration, RestartStrategies  # noqa: E402
from fluvial.common.types import Row  # noqa: E402
from fluvial.datastream import StreamExecutionEnvironment  # noqa: E402
from fluvial.errors import UnsupportedFeatureError  # noqa: E402
from fluvial.table import StreamTableEnvironment  # noqa: E402
from fluvial.table.expressions import col  # noqa: E402
from fluvial.table.types import DataTypes  # noqa: E402
from fluvial.table.udf import AggregateFunction, TableAggregateFunction, udaf, udtaf  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datastream",
                                "fault_tolerance"))
from generator_job import committed_lines  # noqa: E402


@pytest.fixture(scope="module")
def input_dir(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("table-checkpoints") / "input")
    write_input(directory)
    return directory


def _environment(tmp_path, parallelism=2, restarts=True, configuration=None):
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(parallelism)
    env.enable_checkpointing(30)
    env.get_checkpoint_config().set_checkpoint_storage_dir(str(tmp_path / "checkpoints"))
    if restarts:
        env.set_restart_strategy(RestartStrategies.fixed_delay_restart(2, 10))
    return env, StreamTableEnvironment.create(env)


def _failing(tmp_path, after_rows=400):
    return make_fail_once(str(tmp_path / "failed"), after_rows, str(tmp_path / "checkpoints"), 0.0002)


def _windows_of(lines):
    """The rows of the committed CSV lines: (k, window start to the second, count, sum)."""
    return Counter((k, ws[:19], int(c), int(s)) for k, ws, c, s in csv.reader(lines))


def test_group_by_recovers_exactly_once(tmp_path, input_dir):
    env, t_env = _environment(tmp_path)
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    add_changelog_sink(t_env, t_env.sql_query(TOTALS_SQL), str(tmp_path / "out"), "totals")
    result = env.execute("group by")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    assert result is not None
    assert apply_changelog(committed_lines(str(tmp_path / "out")), TOTAL_TYPES) == reference_totals()


def test_windows_into_a_filesystem_table_recover_exactly_once(tmp_path, input_dir):
    env, t_env = _environment(tmp_path, restarts=False)
    # Restarts and checkpoint settings may also come through the table configuration.
    t_env.get_config().set("restart-strategy.type", "fixed-delay")
    t_env.get_config().set("restart-strategy.fixed-delay.attempts", "2")
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    out = tmp_path / "windows"
    t_env.execute_sql(f"""CREATE TABLE windows (k STRING, ws STRING, c BIGINT, s BIGINT)
                          WITH ('connector' = 'filesystem', 'path' = '{out}', 'format' = 'csv')""")
    t_env.execute_sql(f"INSERT INTO windows SELECT k, CAST(ws AS STRING), c, s FROM ({WINDOWS_SQL})").wait()
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    assert _windows_of(committed_lines(str(out))) == reference_windows()


class WeightedSum(AggregateFunction):
    def create_accumulator(self):
        return [0, 0]

    def accumulate(self, accumulator, v):
        accumulator[0] += v * 2
        accumulator[1] += 1

    def retract(self, accumulator, v):
        accumulator[0] -= v * 2
        accumulator[1] -= 1

    def get_value(self, accumulator):
        return accumulator[0]


def test_windows_with_a_python_aggregate_recover_exactly_once(tmp_path, input_dir):
    # The Python aggregate's buffered argument rows of each open window are snapshotted too.
    env, t_env = _environment(tmp_path)
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    t_env.create_temporary_function("weighted", udaf(WeightedSum(), result_type=DataTypes.BIGINT()))
    out = tmp_path / "windows"
    t_env.execute_sql(f"""CREATE TABLE windows (k STRING, ws STRING, c BIGINT, s BIGINT)
                          WITH ('connector' = 'filesystem', 'path' = '{out}', 'format' = 'csv')""")
    query = WINDOWS_SQL.replace("SUM(v) AS s", "weighted(v) AS s")
    assert query != WINDOWS_SQL
    t_env.execute_sql(f"INSERT INTO windows SELECT k, CAST(ws AS STRING), c, s FROM ({query})").wait()
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    expected = Counter({(k, ws, c, 2 * s): n for (k, ws, c, s), n in reference_windows().items()})
    assert _windows_of(committed_lines(str(out))) == expected


def test_python_group_by_recovers_exactly_once(tmp_path, input_dir):
    env, t_env = _environment(tmp_path)
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    t_env.create_temporary_function("weighted", udaf(WeightedSum(), result_type=DataTypes.BIGINT()))
    table = t_env.sql_query("SELECT k, weighted(v) AS w, COUNT(*) AS c FROM src_checked GROUP BY k")
    add_changelog_sink(t_env, table, str(tmp_path / "out"), "python-totals")
    env.execute("python group by")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    expected = Counter({(k, 2 * s, c): 1 for (k, s, c, *_rest) in reference_totals()})
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (str, int, int)) == expected


def test_unnest_and_array_functions_recover_exactly_once(tmp_path, input_dir):
    """The stateless Python steps — UNNEST, the collection functions, the Python built-ins
    (SPLIT_INDEX) — take part in checkpoints and replay exactly the rows after the last one."""
    env, t_env = _environment(tmp_path)
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    table = t_env.sql_query(
        "SELECT k, x, SPLIT_INDEX(name, 'n', 1) AS digits FROM src_checked "
        "CROSS JOIN UNNEST(ARRAY_DISTINCT(ARRAY[v % 10, v % 3, v % 10])) AS t(x)")
    add_changelog_sink(t_env, table, str(tmp_path / "out"), "unnested")
    env.execute("unnest")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    expected = Counter()
    for k, v, name, _ in rows_of():
        for x in dict.fromkeys([v % 10, v % 3, v % 10]):
            expected[(k, x, name[1:])] += 1
    whole = lambda text: int(float(text))  # noqa: E731  (v % 10 is printed as a float)
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (str, whole, str)) == expected


class Top2(TableAggregateFunction):
    """The two largest values per key, with their rank."""

    def create_accumulator(self):
        return Counter()

    def accumulate(self, accumulator, value):
        accumulator[value] += 1

    def emit_value(self, accumulator):
        for rank, value in enumerate(sorted(accumulator.elements(), reverse=True)[:2], 1):
            yield Row(value, rank)

    def get_result_type(self):
        return DataTypes.ROW([DataTypes.FIELD("top", DataTypes.BIGINT()), DataTypes.FIELD("rank", DataTypes.INT())])


def test_flat_aggregate_recovers_exactly_once(tmp_path, input_dir):
    env, t_env = _environment(tmp_path)
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    top = t_env.from_path("src_checked").group_by(col("k")).flat_aggregate(udtaf(Top2())(col("v"))) \
        .select(col("k"), col("top"), col("rank"))
    add_changelog_sink(t_env, top, str(tmp_path / "out"), "top2")
    env.execute("flat aggregate")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    by_key = {}
    for k, v, _, _ in rows_of():
        by_key.setdefault(k, []).append(v)
    expected = Counter({(k, v, rank): 1 for k, values in by_key.items()
                        for rank, v in enumerate(sorted(values, reverse=True)[:2], 1)})
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (str, int, int)) == expected


def test_join_recovers_exactly_once(tmp_path, input_dir):
    env, t_env = _environment(tmp_path)
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "l.csv").write_text("".join(f"n{i:02d},L{i % 3}\n" for i in range(17)))
    t_env.execute_sql(f"""CREATE TABLE labels (name STRING, label STRING)
                          WITH ('connector' = 'filesystem', 'path' = '{labels}', 'format' = 'csv')""")
    joined = t_env.sql_query("SELECT s.k, s.v, l.label FROM src_checked AS s JOIN labels AS l ON s.name = l.name")
    add_changelog_sink(t_env, joined, str(tmp_path / "out"), "joined")
    env.execute("join")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    expected = Counter((k, v, f"L{int(name[1:]) % 3}") for k, v, name, _ in rows_of())
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (str, int, str)) == expected


def test_processing_time_windows_recover_exactly_once(tmp_path, input_dir):
    """Which window a row lands in depends on the clock, so the check is on the totals: every row
    counted once over all committed windows."""
    env, t_env = _environment(tmp_path)
    t_env.create_temporary_function("fail_once", _failing(tmp_path))
    t_env.execute_sql(f"""CREATE TABLE src (k STRING, v BIGINT, name STRING, ts TIMESTAMP(3), pt AS PROCTIME())
                          WITH ('connector' = 'filesystem', 'path' = '{input_dir}', 'format' = 'csv')""")
    windows = t_env.sql_query("SELECT k, COUNT(*) AS c, SUM(fail_once(v)) AS s FROM src "
                              "GROUP BY k, TUMBLE(pt, INTERVAL '1' SECOND)")
    add_changelog_sink(t_env, windows, str(tmp_path / "out"), "proctime-windows")
    env.execute("processing-time windows")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    committed = apply_changelog(committed_lines(str(tmp_path / "out")), (str, int, int))
    totals = Counter()
    for (k, c, s), n in committed.items():
        totals[(k, "c")] += c * n
        totals[(k, "s")] += s * n
    expected = Counter()
    for k, v, _, _ in rows_of():
        expected[(k, "c")] += 1
        expected[(k, "s")] += v
    assert totals == expected


def test_top_n_recovers_exactly_once(tmp_path, input_dir):
    env, t_env = _environment(tmp_path)
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    top = t_env.sql_query("SELECT k, v, rn FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) "
                          "AS rn FROM src_checked) WHERE rn <= 3")
    add_changelog_sink(t_env, top, str(tmp_path / "out"), "top")
    env.execute("top n")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    by_key = {}
    for k, v, _, _ in rows_of():
        by_key.setdefault(k, []).append(v)
    expected = Counter({(k, v, rank + 1): 1 for k, values in by_key.items()
                        for rank, v in enumerate(sorted(values, reverse=True)[:3])})
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (str, int, int)) == expected


def test_session_windows_recover_exactly_once(tmp_path, input_dir):
    env, t_env = _environment(tmp_path)
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    sessions = t_env.sql_query(
        "SELECT k, CAST(SESSION_START(ts, INTERVAL '1' SECOND) AS STRING) AS ws, "
        "CAST(SESSION_END(ts, INTERVAL '1' SECOND) AS STRING) AS we, COUNT(*) AS c, SUM(v) AS s "
        "FROM src_checked WHERE v < 300 GROUP BY k, SESSION(ts, INTERVAL '1' SECOND)")
    add_changelog_sink(t_env, sessions, str(tmp_path / "out"), "sessions")
    env.execute("session windows")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    gap = timedelta(seconds=1)
    expected, open_sessions = Counter(), {}
    for k, v, _, ts in rows_of():  # in time order
        if v >= 300:
            continue
        session = open_sessions.get(k)
        if session is not None and ts <= session[1]:
            open_sessions[k] = (session[0], ts + gap, session[2] + 1, session[3] + v)
            continue
        if session is not None:
            expected[(k, *session)] += 1
        open_sessions[k] = (ts, ts + gap, 1, v)
    for k, session in open_sessions.items():
        expected[(k, *session)] += 1
    committed = apply_changelog(committed_lines(str(tmp_path / "out")), (str, str, str, int, int))
    stamp = lambda value: datetime.fromisoformat(value)  # noqa: E731
    assert Counter({(k, stamp(ws), stamp(we), c, s): n for (k, ws, we, c, s), n in committed.items()}) == expected


def _label_versions(directory):
    """A versioned table's rows: name's label changes every 50 s from (its number) s on; the first
    rows of every name have no version yet (an inner join drops them)."""
    directory.mkdir()
    versions = sorted(((f"n{n:02d}", f"L{n}-{j}", START + timedelta(seconds=50 * j + n))
                       for n in range(17) for j in range(13)), key=lambda version: version[2])
    (directory / "v.csv").write_text("".join(f"{name},{label},{t:%Y-%m-%d %H:%M:%S}.000\n"
                                             for name, label, t in versions))
    return versions


def test_temporal_join_recovers_exactly_once(tmp_path, input_dir):
    env, t_env = _environment(tmp_path)
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    versions = _label_versions(tmp_path / "versions")
    t_env.execute_sql(f"""CREATE TABLE labels (name STRING, label STRING, lt TIMESTAMP(3),
                          WATERMARK FOR lt AS lt, PRIMARY KEY (name) NOT ENFORCED)
                          WITH ('connector' = 'filesystem', 'path' = '{tmp_path / "versions"}', 'format' = 'csv')""")
    joined = t_env.sql_query("SELECT s.k, s.v, l.label FROM src_checked AS s "
                             "JOIN labels FOR SYSTEM_TIME AS OF s.ts AS l ON s.name = l.name")
    add_changelog_sink(t_env, joined, str(tmp_path / "out"), "temporal")
    env.execute("temporal join")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    expected = Counter()
    for k, v, name, ts in rows_of():
        valid = [label for n, label, t in versions if n == name and t <= ts]
        if valid:
            expected[(k, v, valid[-1])] += 1
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (str, int, str)) == expected


def _register_events(t_env, directory):
    """events (name, e, et): one a second, names cycling in another order than src's; returns them."""
    directory.mkdir()
    events = [(f"n{(i * 5) % 17:02d}", i, START + timedelta(seconds=i, milliseconds=300)) for i in range(600)]
    (directory / "e.csv").write_text("".join(f"{name},{e},{et:%Y-%m-%d %H:%M:%S}.300\n" for name, e, et in events))
    t_env.execute_sql(f"""CREATE TABLE events (name STRING, e BIGINT, et TIMESTAMP(3),
                          WATERMARK FOR et AS et - INTERVAL '1' SECOND)
                          WITH ('connector' = 'filesystem', 'path' = '{directory}', 'format' = 'csv')""")
    return events


def _maybe_int(text):
    return None if text == "None" else int(text)


def test_interval_join_recovers_exactly_once(tmp_path, input_dir):
    env, t_env = _environment(tmp_path)
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    events = _register_events(t_env, tmp_path / "events")
    joined = t_env.sql_query("SELECT s.k, s.v, e.e FROM src_checked AS s LEFT JOIN events AS e ON s.name = e.name "
                             "AND e.et BETWEEN s.ts - INTERVAL '5' SECOND AND s.ts + INTERVAL '3' SECOND")
    add_changelog_sink(t_env, joined, str(tmp_path / "out"), "interval")
    env.execute("interval join")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    expected = Counter()
    for k, v, name, ts in rows_of():
        matches = [e for n, e, et in events
                   if n == name and ts - timedelta(seconds=5) <= et <= ts + timedelta(seconds=3)]
        for e in matches or [None]:
            expected[(k, v, e)] += 1
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (str, int, _maybe_int)) == expected


def test_over_aggregation_recovers_exactly_once(tmp_path, input_dir):
    env, t_env = _environment(tmp_path)
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    window = "PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '3' SECOND PRECEDING AND CURRENT ROW"
    over = t_env.sql_query(f"SELECT k, v, SUM(v) OVER ({window}) AS s, MAX(v) OVER ({window}) AS m FROM src_checked")
    add_changelog_sink(t_env, over, str(tmp_path / "out"), "over")
    env.execute("over aggregation")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    expected, seen = Counter(), {}
    for k, v, _, ts in rows_of():  # in time order, distinct times
        before = seen.setdefault(k, [])
        before.append((ts, v))
        frame = [value for t, value in before if t >= ts - timedelta(seconds=3)]
        expected[(k, v, sum(frame), max(frame))] += 1
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (str, int, int, int)) == expected


def test_window_join_recovers_exactly_once(tmp_path, input_dir):
    env, t_env = _environment(tmp_path)
    register_checked_source(t_env, input_dir, _failing(tmp_path))
    events = _register_events(t_env, tmp_path / "events")
    joined = t_env.sql_query(
        "SELECT L.v, R.e FROM (SELECT * FROM TABLE(TUMBLE(TABLE src_checked, DESCRIPTOR(ts), INTERVAL '10' SECOND))) L "
        "FULL JOIN (SELECT * FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(et), INTERVAL '10' SECOND))) R "
        "ON L.name = R.name AND L.window_start = R.window_start AND L.window_end = R.window_end")
    add_changelog_sink(t_env, joined, str(tmp_path / "out"), "window-join")
    env.execute("window join")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    window = lambda ts: int((ts - START).total_seconds() // 10)  # noqa: E731
    expected, matched_events = Counter(), set()
    for _, v, name, ts in rows_of():
        matches = [e for n, e, et in events if n == name and window(et) == window(ts)]
        matched_events.update(matches)
        for e in matches or [None]:
            expected[(v, e)] += 1
    for _, e, _ in events:
        if e not in matched_events:
            expected[(None, e)] += 1
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (_maybe_int, _maybe_int)) == expected


def _rescale_job(env, t_env, input_dir, out, slow):
    register_checked_source(t_env, input_dir, slow)
    add_changelog_sink(t_env, t_env.sql_query(TOTALS_SQL), str(out / "totals"), "totals")
    windows = t_env.sql_query(WINDOWS_SQL)
    add_changelog_sink(t_env, windows, str(out / "windows"), "windows")


def test_savepoint_at_parallelism_2_resumes_at_3(tmp_path, input_dir):
    slow = make_fail_once(str(tmp_path / "never"), 10 ** 9, None, 0.0003)
    env, t_env = _environment(tmp_path, parallelism=2, restarts=False)
    _rescale_job(env, t_env, input_dir, tmp_path / "out", slow)
    client = env.execute_async("rescale, first part")
    import time

    time.sleep(0.8)
    savepoint = client.stop_with_savepoint(savepoint_directory=str(tmp_path / "savepoints")).result()
    lines_before = len(committed_lines(str(tmp_path / "out" / "totals")))
    assert lines_before > 0, "the first part committed nothing: the savepoint was taken too early"

    configuration = Configuration()
    configuration.set_string("execution.savepoint.path", savepoint)
    env, t_env = _environment(tmp_path / "second", parallelism=3, restarts=False, configuration=configuration)
    _rescale_job(env, t_env, input_dir, tmp_path / "out", slow)
    env.execute("rescale, second part")
    assert apply_changelog(committed_lines(str(tmp_path / "out" / "totals")), TOTAL_TYPES) == reference_totals()
    windows = apply_changelog(committed_lines(str(tmp_path / "out" / "windows")), (str, str, int, int))
    assert windows == Counter({(k, ws, c, s): 1 for (k, ws, c, s) in reference_windows()})


@pytest.mark.parametrize("query, operator", [
    ("SELECT k, v FROM src ORDER BY v LIMIT 3", "SortLimit"),
])
def test_operators_that_cannot_snapshot_are_refused_at_submission(tmp_path, input_dir, query, operator):
    env, t_env = _environment(tmp_path, restarts=False)
    register_checked_source(t_env, input_dir)
    with pytest.raises(UnsupportedFeatureError, match=f"checkpointing the Table/SQL operator '{re.escape(operator)}.*"
                                                      f"is not supported"):
        t_env.sql_query(query).execute()
    assert not os.path.exists(tmp_path / "checkpoints") or not os.listdir(tmp_path / "checkpoints")


def test_collecting_a_query_result_is_refused_with_checkpointing(tmp_path, input_dir):
    env, t_env = _environment(tmp_path, restarts=False)
    register_checked_source(t_env, input_dir)
    with pytest.raises(UnsupportedFeatureError, match="'CollectSink'.*cannot take part in checkpoints"):
        t_env.execute_sql("SELECT k, COUNT(*) FROM src GROUP BY k").wait()


def test_datagen_and_nexmark_sources_resume_at_their_position(tmp_path):
    env, t_env = _environment(tmp_path)
    t_env.create_temporary_function("fail_once", _failing(tmp_path, after_rows=300))
    t_env.execute_sql("""CREATE TABLE numbers (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '3000',
                         'rows-per-second' = '6000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1',
                         'fields.id.end' = '3000')""")
    t_env.execute_sql("""CREATE TABLE bids (auction BIGINT, price BIGINT) WITH ('connector' = 'nexmark',
                         'table' = 'bid', 'events.num' = '3000')""")
    numbers = t_env.sql_query("SELECT id % 7 AS k, SUM(fail_once(id)) AS s, COUNT(*) AS c FROM numbers GROUP BY id % 7")
    add_changelog_sink(t_env, numbers, str(tmp_path / "numbers"), "numbers")
    bids = t_env.sql_query("SELECT COUNT(*) AS c, SUM(price) AS s FROM bids")
    add_changelog_sink(t_env, bids, str(tmp_path / "bids"), "bids")
    env.execute("generators")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    ids = range(1, 3001)
    expected = Counter({(k, sum(i for i in ids if i % 7 == k), sum(1 for i in ids if i % 7 == k)): 1 for k in range(7)})
    whole = lambda text: int(float(text))  # noqa: E731  (id % 7 is printed as a float)
    assert apply_changelog(committed_lines(str(tmp_path / "numbers")), (whole, int, int)) == expected
    # Bids are 46 of every 50 Nexmark events; a fault-free run of the same query is the reference.
    reference_env = StreamExecutionEnvironment.get_execution_environment()
    reference = StreamTableEnvironment.create(reference_env)
    reference.execute_sql("""CREATE TABLE bids (auction BIGINT, price BIGINT) WITH ('connector' = 'nexmark',
                             'table' = 'bid', 'events.num' = '3000')""")
    with reference.execute_sql("SELECT COUNT(*) AS c, SUM(price) AS s FROM bids").collect() as rows:
        final = [tuple(r) for r in rows][-1]
    assert apply_changelog(committed_lines(str(tmp_path / "bids")), (int, int)) == Counter({final: 1})
