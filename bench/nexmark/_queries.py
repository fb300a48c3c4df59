"""The Nexmark queries and source tables, shared by the Fluvial runner (run.py) and the
Flink SQL job (_flink_job.py, run with bench/pyflink/.venv's PyFlink): plain Python only."""

import os
import re
from pathlib import Path
from typing import Dict, List

QUERY_DIR = Path(__file__).resolve().parent / "queries"
# Nexmark's q0-q22 without q6 (Flink does not run q6 either: it needs a bounded ROWS OVER window
# partitioned by a join result, which Flink SQL does not support).
QUERIES = [f"q{n}" for n in range(23) if n != 6]

COLUMNS: Dict[str, str] = {
    "person": "id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, "
              "dateTime TIMESTAMP(3), extra VARCHAR",
    "auction": "id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, "
               "dateTime TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR",
    "bid": "auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, dateTime TIMESTAMP(3), "
           "extra VARCHAR",
}
WATERMARK = "WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND"


def source_ddl(table: str, options: Dict[str, str]) -> str:
    """CREATE TABLE for one of person/auction/bid with Nexmark's watermark (4 s out of order)."""
    with_ = ", ".join(f"'{k}' = '{v}'" for k, v in options.items())
    return f"CREATE TABLE {table} ({COLUMNS[table]}, {WATERMARK}) WITH ({with_})"


def file_options(data_dir: str, table: str, fmt: str) -> Dict[str, str]:
    return {"connector": "filesystem", "path": os.path.join(data_dir, fmt, table), "format": fmt}


def statements(query: str, data_dir: str = "") -> List[str]:
    """The statements of a query file (sink DDL, views, the INSERT), comments removed."""
    text = (QUERY_DIR / f"{query}.sql").read_text()
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    text = text.replace("${SIDE_INPUT}", os.path.join(data_dir, "side_input"))
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", text) if s.strip()]


def count_char(text: str, char: str) -> int:
    """q14's user-defined function: how often 'char' occurs in 'text'."""
    return 0 if text is None else text.count(char)


def write_side_input(data_dir: str) -> None:
    """q13's bounded side input: 10,000 keys and a value each."""
    os.makedirs(os.path.join(data_dir, "side_input"), exist_ok=True)
    with open(os.path.join(data_dir, "side_input", "part-0.csv"), "w") as out:
        for key in range(10_000):
            out.write(f"{key},{key * 31 % 1000}\n")
