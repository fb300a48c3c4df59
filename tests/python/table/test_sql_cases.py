"""The data-driven SQL suite: every query in sql_cases/ runs in Fluvial, in
batch mode and in streaming mode over many small batches (so aggregates go
through their retractions), and its final result must equal what duckdb
computes from the same rows. A line '-- duckdb: ...' gives duckdb's spelling
where the dialects differ."""

import random
from pathlib import Path

import pandas as pd
import pytest
from table_testing import as_multiset, duckdb_rows, final_rows

from fluvial.table import EnvironmentSettings, TableEnvironment

CASES = sorted((Path(__file__).parent / "sql_cases").glob("*.sql"))


def orders() -> pd.DataFrame:
    rng = random.Random(7)
    rows = []
    for order_id in range(300):
        rows.append({"order_id": order_id, "user_id": rng.randint(1, 6),
                     "item": rng.choice(["apple", "avocado", "banana", "cherry", "apricot"]),
                     "price": round(rng.uniform(1, 80), 2), "qty": rng.randint(1, 7),
                     "note": rng.choice([None, "gift", "rush"])})
    return pd.DataFrame(rows)


def users() -> pd.DataFrame:
    # User 6 has orders but no row here (left joins keep those orders with NULLs); user 7 has none.
    return pd.DataFrame({"user_id": [1, 2, 3, 4, 5, 7], "name": ["ann", "bob", "cy", "dee", "eve", "fay"],
                         "min_qty": [2, 3, 1, 5, 4, 1]})


def read_case(path: Path):
    fluvial_lines, duckdb_query = [], None
    for line in path.read_text().splitlines():
        if line.startswith("-- duckdb:"):
            duckdb_query = line[len("-- duckdb:"):].strip()
        elif not line.startswith("--"):
            fluvial_lines.append(line)
    query = "\n".join(fluvial_lines).strip()
    return query, duckdb_query or query


@pytest.mark.parametrize("mode", ["batch", "streaming"])
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_sql_case_matches_duckdb(case, mode):
    query, oracle_query = read_case(case)
    frame, people = orders(), users()
    settings = EnvironmentSettings.in_batch_mode() if mode == "batch" else EnvironmentSettings.in_streaming_mode()
    t_env = TableEnvironment.create(settings)
    t_env.create_temporary_view("orders", t_env.from_pandas(frame, splits_num=1 if mode == "batch" else 23))
    t_env.create_temporary_view("users", t_env.from_pandas(people, splits_num=1 if mode == "batch" else 3))
    rows = list(t_env.execute_sql(query).collect())
    expected = as_multiset(duckdb_rows(oracle_query, orders=frame, users=people))
    got = as_multiset(final_rows(rows).elements())
    assert got == expected
    if mode == "batch":
        # Batch mode gives final results only: inserts, no retractions.
        assert all(str(r.get_row_kind()) == "+I" for r in rows)


def test_suite_is_not_empty():
    assert len(CASES) >= 10
