"""Nexmark q0-q22 (without q6) as Flink SQL, run by Fluvial and, from the documented command,
by Flink itself through PyFlink's execute_sql; events per second per core (parallelism 1).

    python bench/nexmark/run.py                          # Fluvial, 2M events, the nexmark connector
    python bench/nexmark/run.py --source files           # Fluvial reading the written CSV files
    bash bench/nexmark/run.sh --events 2000000           # also Flink SQL on the same CSV files

Every query is its Nexmark Flink SQL with a blackhole sink (bench/nexmark/queries). The source
tables are Nexmark's three views served as flat tables (person, auction, bid) with Nexmark's
watermark (4 s): from Fluvial's 'nexmark' connector (generator inside the job), or from files
the same generator wrote once ('--source files': CSV, which both engines read; Flink's
filesystem connector reads CSV without extra jars). Throughput is Nexmark's: all events of
the stream (events.num, of every kind) over the job's wall time, whatever kind the query reads.
A query Fluvial cannot run is listed with the planner's message.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _queries  # noqa: E402


def write_files(data_dir: str, events: int, fmt: str = "csv") -> None:
    """The events of the nexmark connector (same options) written once as files per table."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from fluvial.nexmark import BLOCK, NexmarkConfig, generate
    from fluvial.nexmark.generator import blocks_of

    config = NexmarkConfig(events_num=events)
    for table in ("person", "auction", "bid"):
        directory = os.path.join(data_dir, fmt, table)
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, f"part-0.{fmt}")
        writer = None
        for first, last in blocks_of(config, 0, 1, BLOCK):
            batch = generate(config, table, first, last)
            if writer is None:
                writer = (pq.ParquetWriter(path, batch.schema) if fmt == "parquet" else
                          pacsv.CSVWriter(path, batch.schema, write_options=pacsv.WriteOptions(
                              include_header=False, quoting_style="needed")))
            writer.write_batch(batch)
        writer.close()
    _queries.write_side_input(data_dir)
    with open(os.path.join(data_dir, "events.json"), "w") as out:
        json.dump({"events": events}, out)


def fluvial_run(query: str, events: int, source: str, data_dir: str) -> float:
    """Seconds for one run of the query (planning included), at parallelism 1."""
    from fluvial.table import DataTypes, EnvironmentSettings, TableEnvironment
    from fluvial.table.udf import udf

    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.get_config().set("parallelism.default", "1")
    for table in ("person", "auction", "bid"):
        options = ({"connector": "nexmark", "table": table, "events.num": str(events)} if source == "connector"
                   else _queries.file_options(data_dir, table, "csv"))
        t_env.execute_sql(_queries.source_ddl(table, options))
    t_env.create_temporary_function("count_char", udf(_queries.count_char, result_type=DataTypes.BIGINT()))
    started = time.perf_counter()
    result = None
    for statement in _queries.statements(query, data_dir):
        result = t_env.execute_sql(statement)
    result.wait()
    return time.perf_counter() - started


def flink_run(flink_python: str, query: str, data_dir: str) -> Dict:
    completed = subprocess.run([flink_python, str(HERE / "_flink_job.py"), "--query", query, "--data", data_dir],
                               capture_output=True, text=True, timeout=3600)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-12:]
        return {"error": " | ".join(tail)}
    return json.loads(lines[-1])


def first_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"


def main(argv: Optional[list] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--queries", default=",".join(_queries.QUERIES))
    parser.add_argument("--source", choices=["connector", "files"], default="connector",
                        help="Fluvial's source: the nexmark connector or the written CSV files")
    parser.add_argument("--data", help="directory of the written files (default: a temporary one)")
    parser.add_argument("--flink-python", help="a Python with apache-flink: also run Flink SQL (run.sh sets it)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--results", default="", help="write the results as JSON here")
    args = parser.parse_args(argv)
    queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    unknown = [q for q in queries if q not in _queries.QUERIES]
    if unknown:
        parser.error(f"unknown queries {unknown}; known: {', '.join(_queries.QUERIES)}")

    data_dir = args.data or tempfile.mkdtemp(prefix="nexmark-")
    needs_files = args.source == "files" or args.flink_python
    marker = os.path.join(data_dir, "events.json")
    if needs_files or any(q == "q13" for q in queries):
        fresh = os.path.exists(marker) and json.load(open(marker)).get("events") == args.events
        if not fresh:
            started = time.perf_counter()
            write_files(data_dir, args.events)
            print(f"wrote {args.events:,} events as CSV under {data_dir} in {time.perf_counter() - started:.1f} s")

    results = {"events": args.events, "source": args.source, "queries": {}}
    print(f"Nexmark, {args.events:,} events, parallelism 1, Fluvial source: {args.source}")
    print(f"{'query':6} {'fluvial ev/s':>14} {'flink ev/s':>12} {'ratio':>7}  note")
    unsupported = {}
    for query in queries:
        entry: Dict = {}
        try:
            seconds = min(fluvial_run(query, args.events, args.source, data_dir) for _ in range(args.rounds))
            entry["fluvial"] = args.events / seconds
        except Exception as error:  # the reason a query does not run, reported and listed
            entry["fluvial_error"] = first_line(error)
            unsupported[query] = entry["fluvial_error"]
        if args.flink_python:
            flink = flink_run(args.flink_python, query, data_dir)
            if "seconds" in flink:
                entry["flink"] = args.events / flink["seconds"]
            else:
                entry["flink_error"] = flink["error"]
        ratio = f"{entry['fluvial'] / entry['flink']:.2f}" if "fluvial" in entry and "flink" in entry else "-"
        fluvial = f"{entry['fluvial']:,.0f}" if "fluvial" in entry else "-"
        flink_text = f"{entry['flink']:,.0f}" if "flink" in entry else "-"
        note = entry.get("fluvial_error", "") or entry.get("flink_error", "")
        print(f"{query:6} {fluvial:>14} {flink_text:>12} {ratio:>7}  {note[:150]}", flush=True)
        results["queries"][query] = entry
    if unsupported:
        print(f"\nFluvial cannot run {len(unsupported)} of {len(queries)} queries yet:")
        for query, reason in unsupported.items():
            print(f"  {query}: {reason}")
    if args.results:
        with open(args.results, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
