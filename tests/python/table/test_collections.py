"""Collection functions (ARRAY, MAP, ROW values), UNNEST, COLLECT / ARRAY_AGG and the DISTINCT
aggregates: Flink's semantics checked against plain-Python references."""

import random
from collections import Counter

import pytest
from table_testing import final_rows

from fluvial.errors import JobExecutionError, UserFunctionError
from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import PlanningError, array, col, lit, map_, row

ARRAYS = [[1, 2, 3], [], None, [4], [5, None, 5, 6], [7, 7]]
MAPS = [{"a": 1, "b": 2}, {}, None, {"c": 3}, {"a": 9}, {"z": None}]


def batch_env():
    return TableEnvironment.create(EnvironmentSettings.in_batch_mode())


def stream_env():
    return TableEnvironment.create(EnvironmentSettings.in_streaming_mode())


def collections_table(t_env):
    schema = DataTypes.ROW([DataTypes.FIELD("id", DataTypes.INT()),
                            DataTypes.FIELD("arr", DataTypes.ARRAY(DataTypes.INT())),
                            DataTypes.FIELD("m", DataTypes.MAP(DataTypes.STRING(), DataTypes.INT())),
                            DataTypes.FIELD("i", DataTypes.INT())])
    rows = [(n, a, m, n % 4 - 1) for n, (a, m) in enumerate(zip(ARRAYS, MAPS))]
    table = t_env.from_elements(rows, schema)
    t_env.create_temporary_view("c", table)
    return table


def column(t_env, sql):
    rows = list(t_env.execute_sql(sql).collect())
    return [r[0] for r in sorted(rows, key=lambda r: r[1])]


def test_array_access_is_one_based_and_null_out_of_range():
    t_env = batch_env()
    collections_table(t_env)
    for index in (0, 1, 2, 4, -1):
        got = column(t_env, f"SELECT arr[{index}], id FROM c")
        assert got == [a[index - 1] if a is not None and 1 <= index <= len(a) else None for a in ARRAYS]
    # A column as the index runs in the Python step, with the same semantics.
    got = column(t_env, "SELECT arr[i], id FROM c")
    indices = [n % 4 - 1 for n in range(len(ARRAYS))]
    assert got == [a[i - 1] if a is not None and 1 <= i <= len(a) else None for a, i in zip(ARRAYS, indices)]


def test_cardinality_and_map_access():
    t_env = batch_env()
    collections_table(t_env)
    assert column(t_env, "SELECT CARDINALITY(arr), id FROM c") == [None if a is None else len(a) for a in ARRAYS]
    assert column(t_env, "SELECT CARDINALITY(m), id FROM c") == [None if m is None else len(m) for m in MAPS]
    assert column(t_env, "SELECT m['a'], id FROM c") == [None if m is None else m.get("a") for m in MAPS]
    assert column(t_env, "SELECT MAP_KEYS(m), id FROM c") == [None if m is None else list(m) for m in MAPS]
    assert column(t_env, "SELECT MAP_VALUES(m), id FROM c") == [None if m is None else list(m.values())
                                                                  for m in MAPS]
    entries = column(t_env, "SELECT MAP_ENTRIES(m), id FROM c")
    assert [None if e is None else [(r[0], r[1]) for r in e] for e in entries] == \
        [None if m is None else list(m.items()) for m in MAPS]


def _unique(values):
    out = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def _slice(a, start, end):
    # Flink's ARRAY_SLICE, written out plainly: 1-based, inclusive, 0 = start, negative from the end.
    if a is None:
        return None
    n = len(a)
    positions = [p for p in range(1, n + 1)
                 if (start + n + 1 if start < 0 else max(start, 1)) <= p <= (end + n + 1 if end < 0 else end)]
    return [a[p - 1] for p in positions]


@pytest.mark.parametrize("sql, reference", [
    ("ARRAY_CONTAINS(arr, 5)", lambda a: None if a is None else 5 in a),
    ("ARRAY_CONTAINS(arr, CAST(NULL AS INT))", lambda a: None if a is None else None in a),
    ("ARRAY_DISTINCT(arr)", lambda a: None if a is None else _unique(a)),
    ("ARRAY_POSITION(arr, 5)", lambda a: None if a is None else (a.index(5) + 1 if 5 in a else 0)),
    ("ARRAY_REMOVE(arr, 5)", lambda a: None if a is None else [v for v in a if v != 5]),
    ("ARRAY_REVERSE(arr)", lambda a: None if a is None else list(reversed(a))),
    ("ARRAY_SLICE(arr, 2, 3)", lambda a: _slice(a, 2, 3)),
    ("ARRAY_SLICE(arr, -2, -1)", lambda a: _slice(a, -2, -1)),
    ("ARRAY_SLICE(arr, 0)", lambda a: _slice(a, 0, 10**6)),
    ("ARRAY_UNION(arr, ARRAY[1, 9])", lambda a: None if a is None else _unique(a + [1, 9])),
    ("ARRAY_CONCAT(arr, ARRAY[1, 9], arr)", lambda a: None if a is None else a + [1, 9] + a),
    ("ARRAY_MAX(arr)", lambda a: max([v for v in a if v is not None], default=None) if a is not None else None),
    ("ARRAY_MIN(arr)", lambda a: min([v for v in a if v is not None], default=None) if a is not None else None),
    ("ELEMENT(ARRAY_DISTINCT(ARRAY_SLICE(arr, 1, 1)))", lambda a: a[0] if a else None),
])
def test_array_functions_match_python(sql, reference):
    t_env = batch_env()
    collections_table(t_env)
    assert column(t_env, f"SELECT {sql}, id FROM c") == [reference(a) for a in ARRAYS]


def test_array_join_and_map_from_arrays():
    t_env = batch_env()
    t_env.create_temporary_view("s", t_env.from_elements(
        [(1, ["a", None, "b"]), (2, []), (3, None)],
        DataTypes.ROW([DataTypes.FIELD("id", DataTypes.INT()),
                       DataTypes.FIELD("words", DataTypes.ARRAY(DataTypes.STRING()))])))
    assert column(t_env, "SELECT ARRAY_JOIN(words, '+'), id FROM s") == ["a+b", "", None]
    assert column(t_env, "SELECT ARRAY_JOIN(words, '+', '?'), id FROM s") == ["a+?+b", "", None]
    got = column(t_env, "SELECT MAP_FROM_ARRAYS(ARRAY['x', 'y'], ARRAY[id, id * 2]), id FROM s")
    assert got == [{"x": n, "y": 2 * n} for n in (1, 2, 3)]


def test_map_constructor_keeps_the_last_value_of_a_repeated_key():
    t_env = batch_env()
    collections_table(t_env)
    got = column(t_env, "SELECT MAP['k', id, CAST(id % 2 AS STRING), 10, 'k', id * 2], id FROM c")
    expected = []
    for n in range(len(ARRAYS)):
        entries = {}
        for key, value in (("k", n), (str(n % 2), 10), ("k", 2 * n)):
            entries[key] = value
        expected.append(entries)
    assert got == expected
    assert list(got[0]) == ["k", "0"]  # in the order the keys first appear


def test_element_of_an_array_with_two_elements_is_an_error():
    t_env = batch_env()
    collections_table(t_env)
    assert column(t_env, "SELECT ELEMENT(arr), id FROM c WHERE id IN (1, 2, 3)") == [None, None, 4]
    with pytest.raises(JobExecutionError, match=r"ELEMENT: the array has 3 elements, expected at most one: "
                                                r"\[1, 2, 3\]; check CARDINALITY") as caught:
        list(t_env.execute_sql("SELECT ELEMENT(arr) FROM c").collect())
    assert not isinstance(caught.value, UserFunctionError)  # a built-in's error, not the user's code


def test_misuse_names_the_function_and_the_type():
    t_env = batch_env()
    collections_table(t_env)
    with pytest.raises(PlanningError, match=r"CARDINALITY expects an ARRAY or a MAP as argument 1, got INT"):
        t_env.sql_query("SELECT CARDINALITY(id) FROM c")
    with pytest.raises(PlanningError, match=r"ARRAY_CONTAINS expects an ARRAY as argument 1, got "
                                            r"MAP<STRING, INT>"):
        t_env.sql_query("SELECT ARRAY_CONTAINS(m, 1) FROM c")
    with pytest.raises(PlanningError, match=r"ARRAY_JOIN expects an ARRAY of strings as argument 1, got ARRAY<INT>"):
        t_env.sql_query("SELECT ARRAY_JOIN(arr, ',') FROM c")
    with pytest.raises(PlanningError, match=r"UNNEST expects an ARRAY or a MAP, got INT"):
        t_env.sql_query("SELECT x FROM c CROSS JOIN UNNEST(id) AS u(x)")
    with pytest.raises(PlanningError, match=r"ARRAY_POSITION expects a value of the array's element type INT as "
                                            r"argument 2, got STRING"):
        t_env.sql_query("SELECT ARRAY_POSITION(arr, 'x') FROM c")
    with pytest.raises(PlanningError, match=r"the values of ARRAY have types that do not mix"):
        t_env.sql_query("SELECT ARRAY[id, 'a'] FROM c")
    with pytest.raises(JobExecutionError, match=r"MAP_FROM_ARRAYS: the key array has 1 elements and the value "
                                                r"array 2"):
        list(t_env.execute_sql("SELECT MAP_FROM_ARRAYS(ARRAY['k'], ARRAY[1, 2]) FROM c").collect())
    with pytest.raises(JobExecutionError, match=r"MAP: key 1 of row \d+ of the batch is NULL"):
        list(t_env.execute_sql("SELECT MAP[CAST(arr[9] AS STRING), 1] FROM c").collect())


def test_print_shows_flink_collection_text(capsys):
    t_env = batch_env()
    t_env.from_elements([(1, [1, None], {"a": 1}), (2, None, {})],
                        DataTypes.ROW([DataTypes.FIELD("id", DataTypes.INT()),
                                       DataTypes.FIELD("arr", DataTypes.ARRAY(DataTypes.INT())),
                                       DataTypes.FIELD("m", DataTypes.MAP(DataTypes.STRING(), DataTypes.INT()))])
                        ).select(col("id"), col("arr"), col("m"), row(col("id"), "x").alias("r")).execute().print()
    out = capsys.readouterr().out.splitlines()
    # Flink sizes a query's columns by type: INT 11, ARRAY/MAP/ROW the 30 of table.display.max-column-width.
    assert out[3] == f"| {'1':>11} | {'[1, NULL]':>30} | {'{a=1}':>30} | {'(1, x)':>30} |"
    assert out[4] == f"| {'2':>11} | {'<NULL>':>30} | {'{}':>30} | {'(2, x)':>30} |"


def test_table_api_methods_match_sql():
    t_env = batch_env()
    table = collections_table(t_env)
    result = table.select(col("id"), col("arr").cardinality.alias("n"), col("arr").at(2).alias("second"),
                          col("m").at("a").alias("a"), col("arr").array_contains(5).alias("has5"),
                          array(col("id"), 7).alias("pair"), map_("k", col("id")).alias("single"),
                          col("m").map_keys.alias("keys"), col("arr").array_slice(1, 2).alias("head"),
                          lit(1).alias("one"))
    rows = {r[0]: r for r in result.execute().collect()}
    for n, (a, m) in enumerate(zip(ARRAYS, MAPS)):
        got = rows[n]
        assert got[1] == (None if a is None else len(a))
        assert got[2] == (a[1] if a is not None and len(a) >= 2 else None)
        assert got[3] == (None if m is None else m.get("a"))
        assert got[4] == (None if a is None else 5 in a)
        assert got[5] == [n, 7]
        assert got[6] == {"k": n}
        assert got[7] == (None if m is None else list(m))
        assert got[8] == _slice(a, 1, 2)


@pytest.mark.parametrize("method, sql", [
    (lambda e: e.element, "ELEMENT(ARRAY_SLICE(arr, 1, 1))"),
    (lambda e: e.array_distinct(), "ARRAY_DISTINCT(arr)"),
    (lambda e: e.array_position(5), "ARRAY_POSITION(arr, 5)"),
    (lambda e: e.array_remove(5), "ARRAY_REMOVE(arr, 5)"),
    (lambda e: e.array_reverse(), "ARRAY_REVERSE(arr)"),
    (lambda e: e.array_slice(-2), "ARRAY_SLICE(arr, -2)"),
    (lambda e: e.array_union(array(1, 9)), "ARRAY_UNION(arr, ARRAY[1, 9])"),
    (lambda e: e.array_concat(array(1), array(2)), "ARRAY_CONCAT(arr, ARRAY[1], ARRAY[2])"),
    (lambda e: e.array_max(), "ARRAY_MAX(arr)"),
    (lambda e: e.array_min(), "ARRAY_MIN(arr)"),
    (lambda e: e.array_join("-", "?"), "ARRAY_JOIN(CAST(arr AS ARRAY<STRING>), '-', '?')"),
])
def test_each_table_api_method_is_its_sql_function(method, sql):
    t_env = batch_env()
    table = collections_table(t_env)
    argument = col("arr") if "CAST" not in sql else col("arr").cast(DataTypes.ARRAY(DataTypes.STRING()))
    if "ELEMENT" in sql:
        argument = col("arr").array_slice(1, 1)
    got = {r[0]: r[1] for r in table.select(col("id"), method(argument)).execute().collect()}
    expected = {r[0]: r[1] for r in t_env.execute_sql(f"SELECT id, {sql} FROM c").collect()}
    assert got == expected and len(got) == len(ARRAYS)


def test_map_methods_and_collect_in_the_table_api():
    t_env = batch_env()
    table = collections_table(t_env)
    rows = {r[0]: r for r in table.select(col("id"), col("m").map_values, col("m").map_entries).execute().collect()}
    for n, m in enumerate(MAPS):
        assert rows[n][1] == (None if m is None else list(m.values()))
        entries = rows[n][2]
        assert (None if entries is None else [(e.key, e.value) for e in entries]) == \
            (None if m is None else list(m.items()))
    collected = list(table.group_by(col("i")).select(col("i"), col("id").collect, col("id").array_agg)
                     .execute().collect())
    expected = {}
    for n in range(len(ARRAYS)):
        expected.setdefault(n % 4 - 1, {})[n] = 1
    assert {r[0]: r[1] for r in collected} == expected
    assert {r[0]: sorted(r[2]) for r in collected} == {i: sorted(ids) for i, ids in expected.items()}


def test_distinct_applies_to_the_aggregates_that_take_it():
    with pytest.raises(PlanningError, match=r"DISTINCT applies to COUNT, SUM, AVG, MIN and MAX of one argument, "
                                            r"not COLLECT\(a\)"):
        col("a").collect.distinct
    with pytest.raises(PlanningError, match=r"DISTINCT applies to an aggregate such as col\('a'\).sum.distinct"):
        col("a").distinct
    assert repr(col("a").min.distinct) == "MIN(a)"  # the same with or without DISTINCT


def test_a_pyflink_expression_method_fluvial_lacks_is_named():
    from fluvial.errors import UnsupportedFeatureError

    with pytest.raises(UnsupportedFeatureError, match=r"Expression.array_sort\(\) is not supported by Fluvial yet"):
        col("arr").array_sort()


def test_unnest_with_ordinality_and_of_a_map():
    t_env = batch_env()
    collections_table(t_env)
    rows = t_env.execute_sql("SELECT id, x, o FROM c CROSS JOIN UNNEST(arr) WITH ORDINALITY AS u(x, o)").collect()
    expected = [(n, v, p + 1) for n, a in enumerate(ARRAYS) for p, v in enumerate(a or [])]
    assert sorted((tuple(r) for r in rows), key=lambda t: (t[0], t[2])) == expected
    rows = t_env.execute_sql("SELECT id, x, o FROM c LEFT JOIN UNNEST(arr) WITH ORDINALITY AS u(x, o) ON TRUE"
                             ).collect()
    padded = []
    for n, a in enumerate(ARRAYS):
        padded += [(n, v, p + 1) for p, v in enumerate(a)] if a else [(n, None, None)]
    assert [tuple(r) for r in rows] == padded  # in input order, each row's elements in order
    rows = t_env.execute_sql("SELECT id, k, v FROM c, UNNEST(m) AS e(k, v)").collect()
    assert sorted(tuple(r) for r in rows) == sorted((n, k, v) for n, m in enumerate(MAPS) for k, v in (m or {}).items())


def orders(count=400, seed=3):
    rng = random.Random(seed)
    return [(rng.randint(1, 5), rng.randint(1, 6), rng.choice(["x", "y", "z"])) for _ in range(count)]


def orders_view(t_env, rows, splits):
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["user_id", "qty", "tag"])
    t_env.create_temporary_view("o", t_env.from_pandas(frame, splits_num=splits))


def test_collect_and_array_agg_with_retractions():
    rows = orders()
    t_env = stream_env()
    orders_view(t_env, rows, 23)
    # The inner GROUP BY updates its counts, so the outer COLLECT / ARRAY_AGG retract the old ones.
    result = final_rows(t_env.execute_sql(
        "SELECT tag, COLLECT(n) AS counts, ARRAY_AGG(n) AS listed FROM "
        "(SELECT user_id, tag, COUNT(*) AS n FROM o GROUP BY user_id, tag) AS t GROUP BY tag").collect())
    per_key = Counter((u, t) for u, _, t in rows)
    for (tag, counts, listed), times in result.items():
        assert times == 1
        expected = [n for (u, t), n in per_key.items() if t == tag]
        assert dict(counts) == dict(Counter(expected))
        assert sorted(listed) == sorted(expected)
    assert {r[0] for r in result} == {"x", "y", "z"}


@pytest.mark.parametrize("mode", ["batch", "streaming"])
def test_distinct_aggregates_in_the_table_api(mode):
    rows = orders()
    t_env = batch_env() if mode == "batch" else stream_env()
    orders_view(t_env, rows, 1 if mode == "batch" else 17)
    table = t_env.from_path("o").group_by(col("user_id")).select(
        col("user_id"), col("qty").sum.distinct.alias("s"), col("qty").avg.distinct.alias("a"),
        col("qty").count.distinct.alias("c"), col("qty").max.distinct.alias("mx"))
    got = final_rows(table.execute().collect())
    expected = Counter()
    for user in {u for u, _, _ in rows}:
        values = {q for u, q, _ in rows if u == user}
        expected[(user, sum(values), sum(values) // len(values), len(values), max(values))] += 1
    assert got == expected


def test_distinct_aggregates_over_retractions_keep_a_value_while_it_is_present():
    # Per tag the latest count of each user (an updating input); SUM(DISTINCT) adds each count once.
    rows = orders(300, seed=11)
    t_env = stream_env()
    orders_view(t_env, rows, 29)
    got = final_rows(t_env.execute_sql(
        "SELECT tag, SUM(DISTINCT n) AS s, AVG(DISTINCT CAST(n AS DOUBLE)) AS a FROM "
        "(SELECT user_id, tag, COUNT(*) AS n FROM o GROUP BY user_id, tag) AS t GROUP BY tag").collect())
    per_key = Counter((u, t) for u, _, t in rows)
    expected = Counter()
    for tag in {t for _, _, t in rows}:
        values = {n for (u, t), n in per_key.items() if t == tag}
        expected[(tag, sum(values), sum(values) / len(values))] += 1
    assert {(t, s, round(a, 9)) for (t, s, a) in got} == {(t, s, round(a, 9)) for (t, s, a) in expected}


def tumbling_window(select):
    """Rows of 'SELECT window_start, user, <select>' over 10 s tumbling windows of test_windows' events, keyed
    by (window start, user), and the amounts of each such window as the reference sees them."""
    from test_windows import WINDOW, as_millis, stream_table, windows_of

    t_env, _, data, late = stream_table(1)
    rows = list(t_env.execute_sql(
        f"SELECT window_start, `user`, {select} FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(rowtime), "
        f"INTERVAL '10' SECOND)) GROUP BY window_start, window_end, `user`").collect())
    amounts = {}
    for i, (user, amount, ts) in enumerate(data):
        if i not in late:
            for start, _ in windows_of(ts, "tumble", WINDOW, WINDOW):
                amounts.setdefault((start, user), []).append(amount)
    got = {(as_millis(r[0]), r[1]): tuple(r)[2:] for r in rows}
    assert len(got) == len(rows), "a window fired twice"
    return got, amounts


def test_distinct_aggregates_in_a_tumbling_window():
    got, amounts = tumbling_window("SUM(DISTINCT CAST(amount % 7 AS BIGINT)) AS s, "
                                   "AVG(DISTINCT CAST(amount % 7 AS BIGINT)) AS a, MIN(DISTINCT amount) AS lo")
    expected = {}
    for key, values in amounts.items():
        distinct = {a % 7 for a in values}
        expected[key] = (sum(distinct), sum(distinct) // len(distinct), min(values))
    assert got == expected


def test_collect_and_array_agg_in_a_tumbling_window():
    got, amounts = tumbling_window("COLLECT(amount % 3) AS c, ARRAY_AGG(amount) AS a")
    assert set(got) == set(amounts)
    for key, values in amounts.items():
        collected, listed = got[key]
        assert {int(k): n for k, n in collected.items()} == dict(Counter(a % 3 for a in values))
        assert sorted(listed) == sorted(values)


@pytest.mark.parametrize("fmt", ["json", "parquet"])
def test_arrays_and_maps_through_filesystem_tables(fmt, tmp_path, capsys):
    t_env = batch_env()
    collections_table(t_env)
    t_env.execute_sql(f"CREATE TABLE out_t (id INT, arr ARRAY<INT>, m MAP<STRING, INT>) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = '{fmt}')")
    t_env.execute_sql("INSERT INTO out_t SELECT id, arr, m FROM c").wait()
    if fmt == "json":
        lines = [line for f in sorted(tmp_path.iterdir()) for line in f.read_text().splitlines()]
        assert '"m": {"a": 1, "b": 2}' in lines[0]  # Flink's JSON format: a MAP is an object
    rows = {r[0]: r for r in t_env.execute_sql("SELECT id, arr, m, CARDINALITY(m) FROM out_t").collect()}
    for n, (a, m) in enumerate(zip(ARRAYS, MAPS)):
        assert rows[n][1] == a and rows[n][2] == m and rows[n][3] == (None if m is None else len(m))
    t_env.execute_sql("CREATE TABLE shown (id INT, arr ARRAY<INT>, m MAP<STRING, INT>) WITH ('connector' = 'print')")
    capsys.readouterr()
    t_env.execute_sql("INSERT INTO shown SELECT id, arr, m FROM out_t WHERE id = 0").wait()
    assert capsys.readouterr().out == "+I[0, [1, 2, 3], {a=1, b=2}]\n"


def test_csv_refuses_collection_columns(tmp_path):
    from fluvial.table.connectors import ConnectorOptionError

    t_env = batch_env()
    collections_table(t_env)
    t_env.execute_sql(f"CREATE TABLE out_csv (id INT, arr ARRAY<INT>) WITH ("
                      f"'connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = 'csv')")
    with pytest.raises(ConnectorOptionError, match=r"'format' = 'csv' cannot write ARRAY, MAP or ROW column\(s\) "
                                                   r"\['arr'\]; use 'json' or 'parquet'"):
        t_env.execute_sql("INSERT INTO out_csv SELECT id, arr FROM c")
