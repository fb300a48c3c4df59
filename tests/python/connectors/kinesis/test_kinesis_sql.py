"""The SQL 'kinesis' connector against moto's Kinesis server: json/csv/raw round trips checked
against the input, a bad record (failing naming stream, shard and sequence number, or skipped
and counted), option errors, and recovery: a job failing once after a checkpoint restarts from
the shards' sequence numbers (the union state) and its exactly-once output equals a
plain-Python reference — no row lost, none counted twice."""

import json
import os
import sys
from collections import Counter, defaultdict

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "table"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "datastream", "fault_tolerance"))

from checkpoint_job import add_changelog_sink, apply_changelog, fail_once_after_a_checkpoint  # noqa: E402
from generator_job import committed_lines  # noqa: E402

from fluvial.common import RestartStrategies  # noqa: E402
from fluvial.datastream import StreamExecutionEnvironment  # noqa: E402
from fluvial.errors import JobExecutionError  # noqa: E402
from fluvial.table import EnvironmentSettings, StreamTableEnvironment, TableEnvironment  # noqa: E402
from fluvial.table.connectors import ConnectorOptionError  # noqa: E402
from fluvial.table.expressions import PlanningError  # noqa: E402


def _table(kinesis, name, columns, stream, **extra):
    options = {"connector": "kinesis", "stream": stream, **kinesis.sql_options(), "format": "json",
               "scan.stream.initpos": "TRIM_HORIZON", "scan.stream.stop-at-latest": "true", **extra}
    return f"CREATE TABLE {name} ({columns}) WITH ({', '.join(f'{k!r} = {v!r}' for k, v in options.items())})"


def _t_env():
    return TableEnvironment.create(EnvironmentSettings.in_streaming_mode())


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_sql_round_trip(kinesis, fmt):
    source, sink = kinesis.stream(shards=3), kinesis.stream(shards=2)
    rows = [(i, f"name {i}", i * 1.5) for i in range(200)]
    if fmt == "json":
        kinesis.put(source, [json.dumps({"id": i, "name": n, "score": s}) for i, n, s in rows])
    else:
        kinesis.put(source, [f'{i},"{n}",{s}' for i, n, s in rows])
    t_env = _t_env()
    columns = "id BIGINT, name STRING, score DOUBLE"
    t_env.execute_sql(_table(kinesis, "src", columns, source, format=fmt))
    t_env.execute_sql(_table(kinesis, "dst", columns, sink, format=fmt))
    got = sorted(tuple(r) for r in t_env.execute_sql("SELECT * FROM src").collect())
    assert got == rows
    t_env.execute_sql("INSERT INTO dst SELECT id, UPPER(name), score * 2 FROM src WHERE id % 2 = 0").wait()
    written = [data.decode() for records in kinesis.read(sink).values() for _, _, data in records]
    again = sorted(tuple(r) for r in t_env.execute_sql("SELECT * FROM dst").collect())
    expected = [(i, n.upper(), s * 2) for i, n, s in rows if i % 2 == 0]
    assert len(written) == len(expected) and again == expected


def test_sql_raw_format(kinesis):
    stream = kinesis.stream(shards=1)
    kinesis.put(stream, ["a line", "another"])
    t_env = _t_env()
    t_env.execute_sql(_table(kinesis, "lines", "line STRING", stream, format="raw"))
    assert [r[0] for r in t_env.execute_sql("SELECT line FROM lines").collect()] == ["a line", "another"]


def test_sql_bad_record_names_stream_shard_and_sequence_number(kinesis):
    stream = kinesis.stream(shards=1)
    kinesis.put(stream, ['{"id": 1}', '{"id": "one"}', '{"id": 3}'])
    bad = kinesis.read(stream)["shardId-000000000000"][1][0]
    t_env = _t_env()
    t_env.execute_sql(_table(kinesis, "src", "id BIGINT", stream))
    with pytest.raises(JobExecutionError) as failure:
        list(t_env.execute_sql("SELECT * FROM src").collect())
    assert (f"kinesis table 'src': stream '{stream}' shard 'shardId-000000000000' sequence number {bad}: "
            f"cannot read the record as JSON") in str(failure.value)
    t_env.execute_sql(_table(kinesis, "lenient", "id BIGINT", stream, **{"json.ignore-parse-errors": "true"}))
    assert [r[0] for r in t_env.execute_sql("SELECT * FROM lenient").collect()] == [1, 3]


def test_sql_option_errors(kinesis):
    t_env = _t_env()
    t_env.execute_sql(_table(kinesis, "a", "id BIGINT", "s", **{"scan.stream.initpos": "EARLIEST"}))
    with pytest.raises(ConnectorOptionError, match="table 'a'.*'scan.stream.initpos' must be LATEST"):
        t_env.execute_sql("SELECT * FROM a")
    t_env.execute_sql(_table(kinesis, "b", "id BIGINT", "s", **{"scan.stream.position": "LATEST"}))
    with pytest.raises(ConnectorOptionError, match="scan.stream.position"):
        t_env.execute_sql("SELECT * FROM b")
    t_env.execute_sql(_table(kinesis, "d", "id BIGINT", "s", **{"aws.credentials.provider": "BASIC",
                                                                 "aws.credentials.basic.secretkey": ""}))
    with pytest.raises(ConnectorOptionError, match="'BASIC' needs 'aws.credentials.basic.accesskeyid'"):
        t_env.execute_sql("SELECT * FROM d")
    t_env.execute_sql(_table(kinesis, "e", "k STRING, c BIGINT", "s"))
    t_env.execute_sql(_table(kinesis, "f", "id BIGINT", "s"))
    with pytest.raises(PlanningError, match=r"table 'e' \('connector' = 'kinesis'\) takes only inserts"):
        t_env.execute_sql("INSERT INTO e SELECT CAST(id AS STRING), COUNT(*) FROM f GROUP BY id")
    t_env.execute_sql(_table(kinesis, "c", "id BIGINT", "missing-stream"))
    with pytest.raises(JobExecutionError, match="ListShards on stream 'missing-stream'.*does not exist"):
        list(t_env.execute_sql("SELECT * FROM c").collect())


# -- recovery ------------------------------------------------------------------------------

ROWS, KEYS = 1200, 7


@pytest.mark.parametrize("parallelism", [1, 2])
def test_source_recovers_from_sequence_numbers_exactly_once(tmp_path, kinesis, parallelism):
    stream = kinesis.stream(shards=3)
    rows = [(n, f"k{(n * 3) % KEYS}", (n * 7919) % 1000) for n in range(ROWS)]
    kinesis.put(stream, [json.dumps({"id": n, "k": k, "v": v}) for n, k, v in rows])
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.enable_checkpointing(30)
    env.get_checkpoint_config().set_checkpoint_storage_dir(str(tmp_path / "checkpoints"))
    env.set_restart_strategy(RestartStrategies.fixed_delay_restart(2, 10))
    t_env = StreamTableEnvironment.create(env)
    # small GetRecords: checkpoint barriers pass between them while the job runs
    t_env.execute_sql(_table(kinesis, "orders", "id BIGINT, k STRING, v BIGINT", stream,
                             **{"scan.shard.getrecords.maxrecordcount": "25"}))
    t_env.create_temporary_function("fail_once", fail_once_after_a_checkpoint(tmp_path, pause=0.001))
    totals = t_env.sql_query("SELECT k, COUNT(*) AS c, SUM(v) AS s FROM "
                             "(SELECT k, fail_once(v) AS v FROM orders) GROUP BY k")
    add_changelog_sink(t_env, totals, str(tmp_path / "out"), "totals")
    env.execute("kinesis group by")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    groups = defaultdict(list)
    for _, k, v in rows:
        groups[k].append(v)
    expected = Counter({(k, len(vs), sum(vs)): 1 for k, vs in groups.items()})
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (str, int, int)) == expected


def test_sink_is_at_least_once_across_a_failure(tmp_path, kinesis):
    """The sink flushes at each checkpoint; after the injected failure the rows since the last
    checkpoint are written again: every row is in the stream at least once."""
    source, sink = kinesis.stream(shards=2), kinesis.stream(shards=2)
    rows = [(n, f"k{n % KEYS}", n) for n in range(ROWS)]
    kinesis.put(source, [json.dumps({"id": n, "k": k, "v": v}) for n, k, v in rows])
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.enable_checkpointing(30)
    env.get_checkpoint_config().set_checkpoint_storage_dir(str(tmp_path / "checkpoints"))
    env.set_restart_strategy(RestartStrategies.fixed_delay_restart(2, 10))
    t_env = StreamTableEnvironment.create(env)
    columns = "id BIGINT, k STRING, v BIGINT"
    t_env.execute_sql(_table(kinesis, "src", columns, source, **{"scan.shard.getrecords.maxrecordcount": "25"}))
    t_env.execute_sql(_table(kinesis, "dst", columns, sink, **{"sink.batch.max-size": "50"}))
    t_env.create_temporary_function("fail_once", fail_once_after_a_checkpoint(tmp_path, pause=0.001))
    t_env.execute_sql("INSERT INTO dst SELECT id, k, fail_once(v) FROM src").wait()
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    written = Counter(json.loads(data)["id"] for records in kinesis.read(sink).values() for _, _, data in records)
    assert set(written) == {n for n, _, _ in rows}  # none lost; some may be there twice
