"""The SQL jobs the Table/SQL checkpoint tests run, their input and the plain-Python reference
of what they must output.

The input is FILES small CSV files (k, v, name, ts); file i holds the rows of one stretch of
event time, so every reader goes forward in time. A job reads them through a filesystem table
(positions per file), aggregates — GROUP BY k, TUMBLE windows, or both — and writes through
two-phase sinks (a filesystem table, or the DataStream FileSink for a changelog), so what is
committed can be compared with the reference: no row lost, none duplicated.

Run as a script (``python checkpoint_job.py INPUT OUTPUT CHECKPOINTS``) it is the process the
SIGKILL test kills and restarts with ``fluvial run --from-checkpoint``.
"""

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Dict, List, Optional, Tuple

from fluvial.common import Encoder, Types
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors.file_system import FileSink
from fluvial.table import StreamTableEnvironment
from fluvial.table.types import DataTypes
from fluvial.table.udf import udf

FILES, ROWS, KEYS = 60, 100, 5
START = datetime(2024, 1, 1)
STEP_MS = 100  # event time between two rows
WINDOW_S = 10


def row(index: int) -> Tuple[str, int, str, datetime]:
    """Row 'index' of the input: (k, v, name, ts)."""
    value = (index * 7919) % 1000
    return f"k{index % KEYS}", value, f"n{(index * 31) % 17:02d}", START + timedelta(milliseconds=index * STEP_MS)


def write_input(directory: str, files: int = FILES, rows: int = ROWS) -> None:
    os.makedirs(directory, exist_ok=True)
    for number in range(files):
        with open(os.path.join(directory, f"f{number:03d}.csv"), "w", encoding="utf-8") as out:
            for index in range(number * rows, (number + 1) * rows):
                k, v, name, ts = row(index)
                out.write(f"{k},{v},{name},{ts:%Y-%m-%d %H:%M:%S}.{ts.microsecond // 1000:03d}\n")


def rows_of(files: int = FILES, rows: int = ROWS) -> List[Tuple[str, int, str, datetime]]:
    return [row(index) for index in range(files * rows)]


def reference_totals(files: int = FILES, rows: int = ROWS) -> Counter:
    """GROUP BY k: (k, SUM(v), COUNT(*), MIN(v), MAX(v), COUNT(DISTINCT name), MIN(name), MAX(name),
    SUM(DISTINCT v))."""
    groups: Dict[str, list] = defaultdict(list)
    for k, v, name, _ in rows_of(files, rows):
        groups[k].append((v, name))
    return Counter({(k, sum(v for v, _ in g), len(g), min(v for v, _ in g), max(v for v, _ in g),
                     len({n for _, n in g}), min(n for _, n in g), max(n for _, n in g), sum({v for v, _ in g})): 1
                    for k, g in groups.items()})


def reference_windows(files: int = FILES, rows: int = ROWS) -> Counter:
    """TUMBLE(ts, WINDOW_S) GROUP BY k: (k, window start, COUNT(*), SUM(v))."""
    windows: Dict[Tuple[str, datetime], list] = defaultdict(list)
    for k, v, _, ts in rows_of(files, rows):
        start = START + timedelta(seconds=(ts - START).total_seconds() // WINDOW_S * WINDOW_S)
        windows[(k, start)].append(v)
    return Counter({(k, f"{start:%Y-%m-%d %H:%M:%S}", len(values), sum(values)): 1
                    for (k, start), values in windows.items()})


def make_fail_once(marker: str, after_rows: int, checkpoints: Optional[str], pause: float):
    """A UDF passing v through that raises once (a marker file remembers) after 'after_rows'
    rows of this subtask once a checkpoint is complete in 'checkpoints'; it sleeps 'pause' s
    per row so the job lives long enough to checkpoint."""
    seen = [0]

    @udf(result_type=DataTypes.BIGINT())
    def fail_once(v):
        seen[0] += 1
        if pause:
            time.sleep(pause)
        if (seen[0] >= after_rows and not os.path.exists(marker) and checkpoints is not None
                and _has_complete_checkpoint(checkpoints)):
            open(marker, "w").close()
            raise ValueError(f"injected failure after {seen[0]} rows")
        return v

    return fail_once


def complete_checkpoints(directory: str) -> set:
    """The checkpoints of 'directory' that are complete (have their _metadata)."""
    if not os.path.isdir(directory):
        return set()
    return {name for name in os.listdir(directory) if os.path.exists(os.path.join(directory, name, "_metadata"))}


def fail_once_after_a_checkpoint(tmp_path, after_rows: int = 300, pause: float = 0.0005):
    """A UDF passing its argument through that raises once, in the first subtask to see
    'after_rows' rows, as soon as a checkpoint taken after those rows is complete: that
    checkpoint's state holds rows, so a source that restarts from its start counts them twice."""
    marker, checkpoints = str(tmp_path / "failed"), str(tmp_path / "checkpoints")
    seen, before = [0], [None]

    @udf(result_type=DataTypes.BIGINT())
    def fail_once(v):
        seen[0] += 1
        time.sleep(pause)
        if seen[0] == after_rows:
            before[0] = complete_checkpoints(checkpoints)
        if before[0] is not None and not os.path.exists(marker) and complete_checkpoints(checkpoints) - before[0]:
            open(marker, "w").close()
            raise ValueError(f"injected failure after {seen[0]} rows")
        return v

    return fail_once


def _has_complete_checkpoint(directory: str) -> bool:
    if not os.path.isdir(directory):
        return False
    return any(os.path.exists(os.path.join(directory, name, "_metadata")) for name in os.listdir(directory))


def create_source(t_env, input_dir: str) -> None:
    t_env.execute_sql(f"""CREATE TABLE src (k STRING, v BIGINT, name STRING, ts TIMESTAMP(3),
                          WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
                          WITH ('connector' = 'filesystem', 'path' = '{input_dir}', 'format' = 'csv')""")


TOTALS_SQL = ("SELECT k, SUM(v) AS s, COUNT(*) AS c, MIN(v) AS lo, MAX(v) AS hi, COUNT(DISTINCT name) AS names, "
              "MIN(name) AS first_name, MAX(name) AS last_name, SUM(DISTINCT v) AS distinct_sum "
              "FROM src_checked GROUP BY k")
WINDOWS_SQL = (f"SELECT k, TUMBLE_START(ts, INTERVAL '{WINDOW_S}' SECOND) AS ws, COUNT(*) AS c, SUM(v) AS s "
               f"FROM src_checked GROUP BY k, TUMBLE(ts, INTERVAL '{WINDOW_S}' SECOND)")


def register_checked_source(t_env, input_dir: str, fail_once=None) -> None:
    """src_checked: the source, with v through 'fail_once' when given."""
    create_source(t_env, input_dir)
    if fail_once is not None:
        t_env.create_temporary_function("fail_once", fail_once)
        t_env.create_temporary_view("src_checked", t_env.sql_query(
            "SELECT k, fail_once(v) AS v, name, ts FROM src"))
    else:
        t_env.create_temporary_view("src_checked", t_env.from_path("src"))


def changelog_line(row) -> str:
    return row.get_row_kind().short_string() + "|" + "|".join(str(value) for value in row)


def add_changelog_sink(t_env, table, output: str, uid: str) -> None:
    """Writes the table's changelog ('+I|a|1') through the two-phase DataStream FileSink."""
    sink = FileSink.for_row_format(output, Encoder.simple_string_encoder()).build()
    t_env.to_changelog_stream(table).map(changelog_line, output_type=Types.STRING()).uid(uid + "-format") \
        .sink_to(sink).uid(uid)


def apply_changelog(lines: List[str], types) -> Counter:
    """The rows a changelog leaves, in any order: +I/+U count +1, -U/-D -1."""
    state: Counter = Counter()
    for line in lines:
        kind, *values = line.split("|")
        values = tuple(t(v) for t, v in zip(types, values))
        state[values] += 1 if kind in ("+I", "+U") else -1
    assert all(count >= 0 for count in state.values()), "a row retracted more often than emitted"
    return Counter({values: count for values, count in state.items() if count})


TOTAL_TYPES = (str, int, int, int, int, int, str, str, int)


def main(argv: Optional[List[str]] = None) -> None:
    """The SIGKILL test's job: TUMBLE windows into a filesystem table and GROUP BY totals as a
    changelog into a FileSink, both over the filesystem source, checkpointing every 100 ms."""
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("checkpoints")
    parser.add_argument("--pause", type=float, default=0.0005)
    args = parser.parse_args(argv)
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.enable_checkpointing(100)
    env.get_checkpoint_config().set_checkpoint_storage_dir(args.checkpoints)
    t_env = StreamTableEnvironment.create(env)
    slow = udf(lambda v: (time.sleep(args.pause), v)[1], result_type=DataTypes.BIGINT())
    register_checked_source(t_env, args.input, slow)
    windows = t_env.sql_query(WINDOWS_SQL)
    t_env.to_data_stream(windows).map(
        lambda r: f"{r[0]}|{r[1]:%Y-%m-%d %H:%M:%S}|{r[2]}|{r[3]}", output_type=Types.STRING()).uid("windows-format") \
        .sink_to(FileSink.for_row_format(os.path.join(args.output, "windows"),
                                         Encoder.simple_string_encoder()).build()).uid("windows-sink")
    add_changelog_sink(t_env, t_env.sql_query(TOTALS_SQL), os.path.join(args.output, "totals"), "totals-sink")
    env.execute("sql checkpoint job")


if __name__ == "__main__":
    sys.exit(main())
