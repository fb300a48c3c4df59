"""Regular joins through the Table API (SQL joins are in the data-driven suite), table
functions (join_lateral, LATERAL TABLE, flat_map) and order_by/limit, checked against
plain-Python re-computations, in streaming and batch mode."""

from collections import Counter

import pytest
from table_testing import final_rows

from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
from fluvial.table.expressions import PlanningError, col
from fluvial.table.udf import udtf

ORDERS = [(i, i % 9, float(i % 13)) for i in range(120)]
USERS = [(u, f"user{u}") for u in range(7)]  # users 7 and 8 have orders but no row


@pytest.fixture(params=["streaming", "batch"])
def t_env(request):
    settings = EnvironmentSettings.in_streaming_mode() if request.param == "streaming" \
        else EnvironmentSettings.in_batch_mode()
    return TableEnvironment.create(settings)


def tables(t_env):
    import pandas as pd

    orders = t_env.from_pandas(pd.DataFrame(ORDERS, columns=["order_id", "user", "amount"]), splits_num=7)
    users = t_env.from_pandas(pd.DataFrame(USERS, columns=["user_id", "name"]), splits_num=2)
    return orders, users


def test_inner_join(t_env):
    orders, users = tables(t_env)
    joined = orders.join(users, col("user") == col("user_id")).select(col("order_id"), col("name"))
    names = dict(USERS)
    expected = Counter((o, names[u]) for o, u, _ in ORDERS if u in names)
    assert final_rows(joined.execute().collect()) == expected


def test_left_outer_join_keeps_unmatched_rows(t_env):
    orders, users = tables(t_env)
    joined = orders.left_outer_join(users, col("user") == col("user_id")).select(col("order_id"), col("name"))
    names = dict(USERS)
    expected = Counter((o, names.get(u)) for o, u, _ in ORDERS)
    rows = list(joined.execute().collect())
    assert final_rows(rows) == expected
    if not t_env._batch_mode():
        return
    assert {str(r.get_row_kind()) for r in rows} == {"+I"}


def test_null_keys_never_match(t_env):
    # SQL: NULL = NULL is not true, so rows with a NULL key join nothing; a left join keeps its own.
    left = [(1, None), (2, 5), (3, None), (4, 6)]
    right = [(None, "a"), (5, "b"), (None, "c")]
    t_env.create_temporary_view("l", t_env.from_elements(left, DataTypes.ROW([
        DataTypes.FIELD("id", DataTypes.BIGINT()), DataTypes.FIELD("k", DataTypes.BIGINT())])))
    t_env.create_temporary_view("r", t_env.from_elements(right, DataTypes.ROW([
        DataTypes.FIELD("k2", DataTypes.BIGINT()), DataTypes.FIELD("name", DataTypes.STRING())])))
    names = {k: n for k, n in right if k is not None}
    inner = t_env.execute_sql("SELECT id, name FROM l JOIN r ON l.k = r.k2").collect()
    assert final_rows(inner) == Counter((i, names[k]) for i, k in left if k in names)
    outer = t_env.execute_sql("SELECT id, name FROM l LEFT JOIN r ON l.k = r.k2").collect()
    assert final_rows(outer) == Counter((i, names.get(k)) for i, k in left)


def test_full_outer_join_keeps_unmatched_rows_of_both_sides(t_env):
    import pandas as pd

    orders, _ = tables(t_env)
    people = [(u, f"user{u}") for u in range(3, 12)]  # users 0-2 missing, users 9-11 without orders
    users = t_env.from_pandas(pd.DataFrame(people, columns=["user_id", "name"]), splits_num=3)
    joined = orders.full_outer_join(users, col("user") == col("user_id")).select(col("order_id"), col("name"))
    names = dict(people)
    expected = Counter((o, names.get(u)) for o, u, _ in ORDERS)
    expected.update((None, n) for u, n in people if u not in {u for _, u, _ in ORDERS})
    assert final_rows(joined.execute().collect()) == expected


def test_join_with_an_extra_condition(t_env):
    orders, users = tables(t_env)
    joined = orders.join(users, (col("user") == col("user_id")) & (col("amount") > 6)).select(col("order_id"))
    names = dict(USERS)
    assert final_rows(joined.execute().collect()) == Counter((o,) for o, u, a in ORDERS if u in names and a > 6)


def test_join_refuses_clashing_column_names(t_env):
    orders, _ = tables(t_env)
    with pytest.raises(PlanningError, match="rename one side"):
        orders.join(orders, col("user") == col("user"))


@udtf(result_types=[DataTypes.STRING(), DataTypes.INT()])
def split(text):
    for word in text.split():
        yield word, len(word)


LINES = [(1, "to be or not"), (2, ""), (3, "be quick")]


def test_join_lateral_and_left_outer(t_env):
    t = t_env.from_elements(LINES, ["id", "line"])
    inner = t.join_lateral(split(col("line")).alias("word", "length")).select(col("id"), col("word"), col("length"))
    expected = Counter((i, w, len(w)) for i, line in LINES for w in line.split())
    assert Counter(tuple(r) for r in inner.execute().collect()) == expected
    outer = t.left_outer_join_lateral(split(col("line")).alias("word", "length")).select(col("id"), col("word"))
    assert Counter(tuple(r) for r in outer.execute().collect()) == \
        Counter([(i, w) for i, w, _ in expected.elements()] + [(2, None)])


def test_lateral_table_in_sql(t_env):
    t_env.create_temporary_view("lines", t_env.from_elements(LINES, ["id", "line"]))
    t_env.create_temporary_function("split", split)
    rows = t_env.execute_sql("SELECT id, word FROM lines, LATERAL TABLE(split(line)) AS T(word, length) "
                             "WHERE length > 2").collect()
    assert sorted(tuple(r) for r in rows) == [(1, "not"), (3, "quick")]


def test_order_by_and_limit_on_a_bounded_table():
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    orders, _ = tables(t_env)
    top = orders.order_by(col("amount").desc, col("order_id").asc).limit(5)
    expected = sorted(ORDERS, key=lambda r: (-r[2], r[0]))[:5]
    assert [tuple(r) for r in top.execute().collect()] == expected
