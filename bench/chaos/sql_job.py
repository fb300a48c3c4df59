"""The chaos harness's SQL job: the filesystem source of tests/python/table/checkpoint_job.py
(FILES CSV files of ROWS rows, each file a stretch of event time) →

- TUMBLE(ts, 10 s) GROUP BY k → a 'filesystem' table (two-phase part files) and an
  exactly-once 'kafka' table (JSON), both insert-only;
- GROUP BY k (sums, counts, distinct counts) → an exactly-once 'upsert-kafka' table keyed by k,

in one statement set, checkpointing every --interval ms into --checkpoints (a killed run
resumes from its newest checkpoint there). Run as a script it is the process the harness
kills: ``python sql_job.py INPUT OUTPUT CHECKPOINTS --kafka-servers S --topic-prefix P``.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "python", "table"))

from checkpoint_job import TOTALS_SQL, WINDOWS_SQL, register_checked_source  # noqa: E402

from fluvial.datastream import StreamExecutionEnvironment  # noqa: E402
from fluvial.table import StreamTableEnvironment  # noqa: E402
from fluvial.table.types import DataTypes  # noqa: E402
from fluvial.table.udf import udf  # noqa: E402

WINDOW_COLUMNS = "k STRING, ws TIMESTAMP(3), c BIGINT, s BIGINT"
TOTAL_COLUMNS = ("k STRING, s BIGINT, c BIGINT, lo BIGINT, hi BIGINT, names BIGINT, first_name STRING, "
                 "last_name STRING, distinct_sum BIGINT")


def topics(prefix: str):
    """The job's (windows topic, totals topic) for a topic prefix."""
    return f"{prefix}-windows", f"{prefix}-totals"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("checkpoints")
    parser.add_argument("--kafka-servers", required=True)
    parser.add_argument("--topic-prefix", required=True, help="the topics are PREFIX-windows and PREFIX-totals")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds per row, to slow the job down")
    parser.add_argument("--interval", type=int, default=150, help="checkpoint interval, ms")
    parser.add_argument("--ready", help="file to write the time the job was running at")
    args = parser.parse_args(argv)
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.enable_checkpointing(args.interval)
    env.get_checkpoint_config().set_checkpoint_storage_dir(args.checkpoints)
    env.get_checkpoint_config().set_tolerable_checkpoint_failure_number(1000)
    t_env = StreamTableEnvironment.create(env)
    slow = None
    if args.pause:
        slow = udf(lambda v: (time.sleep(args.pause), v)[1], result_type=DataTypes.BIGINT())
    register_checked_source(t_env, args.input, slow)
    windows_topic, totals_topic = topics(args.topic_prefix)
    kafka = f"'properties.bootstrap.servers' = '{args.kafka_servers}', 'sink.delivery-guarantee' = 'exactly-once'"
    t_env.execute_sql(f"""CREATE TABLE windows_files ({WINDOW_COLUMNS}) WITH ('connector' = 'filesystem',
                          'path' = '{os.path.join(args.output, "windows")}', 'format' = 'csv')""")
    t_env.execute_sql(f"""CREATE TABLE windows_topic ({WINDOW_COLUMNS}) WITH ('connector' = 'kafka',
                          'topic' = '{windows_topic}', 'format' = 'json', {kafka},
                          'sink.transactional-id-prefix' = '{windows_topic}')""")
    t_env.execute_sql(f"""CREATE TABLE totals_topic ({TOTAL_COLUMNS}, PRIMARY KEY (k) NOT ENFORCED)
                          WITH ('connector' = 'upsert-kafka', 'topic' = '{totals_topic}', 'key.format' = 'json',
                          'value.format' = 'json', {kafka}, 'sink.transactional-id-prefix' = '{totals_topic}')""")
    t_env.create_temporary_view("windows", t_env.sql_query(WINDOWS_SQL))
    statements = t_env.create_statement_set()
    statements.add_insert_sql("INSERT INTO windows_files SELECT * FROM windows")
    statements.add_insert_sql("INSERT INTO windows_topic SELECT * FROM windows")
    statements.add_insert_sql(f"INSERT INTO totals_topic {TOTALS_SQL}")
    result = statements.execute()
    if args.ready:  # written whole or not at all: a watcher may read it any moment
        with open(args.ready + ".tmp", "w") as file:
            file.write(repr(time.time()))
        os.replace(args.ready + ".tmp", args.ready)
    result.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
