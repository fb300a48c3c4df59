"""One Nexmark query on Flink SQL (PyFlink's execute_sql), run by run.py with the interpreter
of bench/pyflink/.venv (never imported by Fluvial or its tests). Reads the CSV files run.py
wrote, at parallelism 1, and prints one JSON line: the seconds from the INSERT's submission
to its end (the JVM's start-up left out)."""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _queries  # noqa: E402
from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment  # noqa: E402
from pyflink.table.udf import udf  # noqa: E402


def _flink(statement: str) -> str:
    """Flink 2's parser reserves DATETIME: Nexmark's `dateTime` column is quoted for it."""
    import re

    return re.sub(r"(?<![`\w])dateTime(?![`\w])", "`dateTime`", statement)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--query", required=True)
    parser.add_argument("--data", required=True)
    args = parser.parse_args()
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    config = t_env.get_config()
    config.set("parallelism.default", "1")
    config.set("python.executable", sys.executable)
    config.set("python.client.executable", sys.executable)
    for table in ("person", "auction", "bid"):
        t_env.execute_sql(_flink(_queries.source_ddl(table, _queries.file_options(args.data, table, "csv"))))
    t_env.create_temporary_function("count_char", udf(_queries.count_char, result_type=DataTypes.BIGINT()))
    statements = [_flink(s) for s in _queries.statements(args.query, args.data)]
    for statement in statements[:-1]:
        t_env.execute_sql(statement)
    started = time.perf_counter()
    t_env.execute_sql(statements[-1]).wait()
    print(json.dumps({"seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
