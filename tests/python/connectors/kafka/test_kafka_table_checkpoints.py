"""Checkpointed SQL 'kafka' and 'upsert-kafka' tables against a real broker: a job fails once
after a checkpoint (a UDF raising) and restarts from it, or stops with a savepoint and resumes
at another parallelism; what was committed (files of the two-phase FileSink, or the output
topic read with isolation.level=read_committed) is compared with a plain-Python reference.
Each test fails if the sources' offsets (and upsert-kafka's last row per key) or the
exactly-once sink's pending transactions are not restored: rows would be read twice into the
aggregates' state, upserts of known keys turned into inserts, or committed output lost or
duplicated."""

import json
import os
import sys
import time
from collections import Counter, defaultdict

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "table"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "datastream", "fault_tolerance"))

from checkpoint_job import add_changelog_sink, apply_changelog, fail_once_after_a_checkpoint, make_fail_once  # noqa: E402,E501
from generator_job import committed_lines  # noqa: E402

from fluvial.common import Configuration, RestartStrategies  # noqa: E402
from fluvial.datastream import StreamExecutionEnvironment  # noqa: E402
from fluvial.table import StreamTableEnvironment  # noqa: E402
from fluvial.table.connectors import ConnectorOptionError  # noqa: E402

pytestmark = pytest.mark.slow

ROWS, KEYS, PARTITIONS = 1500, 7, 3


def _environment(tmp_path, parallelism=2, restarts=True, configuration=None):
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    env.set_parallelism(parallelism)
    env.enable_checkpointing(30)
    env.get_checkpoint_config().set_checkpoint_storage_dir(str(tmp_path / "checkpoints"))
    if restarts:
        env.set_restart_strategy(RestartStrategies.fixed_delay_restart(2, 10))
    t_env = StreamTableEnvironment.create(env)
    return env, t_env


def _orders(count=ROWS):
    """(id, k, v) rows, spread over the partitions."""
    return [(n, f"k{(n * 3) % KEYS}", (n * 7919) % 1000) for n in range(count)]


def _produce_orders(kafka, topic, rows):
    kafka.produce(topic, [json.dumps({"id": n, "k": k, "v": v}).encode() for n, k, v in rows],
                  partitions=[n % PARTITIONS for n, _, _ in rows])


def _kafka_table(name, columns, servers, topic, **extra):
    options = {"connector": "kafka", "topic": topic, "properties.bootstrap.servers": servers,
               "scan.startup.mode": "earliest-offset", "scan.bounded.mode": "latest-offset", "format": "json",
               # small batches: checkpoint barriers pass between them while the job runs
               "properties.max.poll.records": "50", **extra}
    return f"CREATE TABLE {name} ({columns}) WITH ({', '.join(f'{k!r} = {v!r}' for k, v in options.items())})"


def _totals_job(t_env, kafka, topic, out, fail_once):
    t_env.execute_sql(_kafka_table("orders", "id BIGINT, k STRING, v BIGINT", kafka.servers, topic))
    t_env.create_temporary_function("fail_once", fail_once)
    totals = t_env.sql_query("SELECT k, COUNT(*) AS c, SUM(v) AS s FROM "
                             "(SELECT k, fail_once(v) AS v FROM orders) GROUP BY k")
    add_changelog_sink(t_env, totals, str(out), "totals")


def _reference_totals(rows):
    groups = defaultdict(list)
    for _, k, v in rows:
        groups[k].append(v)
    return Counter({(k, len(vs), sum(vs)): 1 for k, vs in groups.items()})


def test_kafka_source_group_by_recovers_exactly_once(tmp_path, kafka):
    topic = kafka.topic(partitions=PARTITIONS)
    rows = _orders()
    _produce_orders(kafka, topic, rows)
    env, t_env = _environment(tmp_path)
    _totals_job(t_env, kafka, topic, tmp_path / "out", fail_once_after_a_checkpoint(tmp_path))
    env.execute("kafka group by")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (str, int, int)) == _reference_totals(rows)


def test_kafka_source_savepoint_at_parallelism_2_resumes_at_3(tmp_path, kafka):
    """The partitions are the splits: the three of them, read by two subtasks, are handed to
    three with their offsets."""
    topic = kafka.topic(partitions=PARTITIONS)
    rows = _orders()
    _produce_orders(kafka, topic, rows)
    slow = make_fail_once(str(tmp_path / "never"), 10 ** 9, None, 0.001)
    env, t_env = _environment(tmp_path, parallelism=2, restarts=False)
    _totals_job(t_env, kafka, topic, tmp_path / "out", slow)
    client = env.execute_async("kafka rescale, first part")
    time.sleep(1.0)
    savepoint = client.stop_with_savepoint(savepoint_directory=str(tmp_path / "savepoints")).result()
    assert committed_lines(str(tmp_path / "out")), "the first part committed nothing: the savepoint came too early"

    configuration = Configuration()
    configuration.set_string("execution.savepoint.path", savepoint)
    env, t_env = _environment(tmp_path / "second", parallelism=3, restarts=False, configuration=configuration)
    _totals_job(t_env, kafka, topic, tmp_path / "out", slow)
    env.execute("kafka rescale, second part")
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (str, int, int)) == _reference_totals(rows)


def test_kafka_to_kafka_exactly_once_after_a_failure(tmp_path, kafka):
    source, sink = kafka.topic(partitions=PARTITIONS), kafka.topic(partitions=2)
    rows = _orders()
    _produce_orders(kafka, source, rows)
    env, t_env = _environment(tmp_path)
    t_env.execute_sql(_kafka_table("orders", "id BIGINT, k STRING, v BIGINT", kafka.servers, source))
    t_env.execute_sql(_kafka_table("big", "id BIGINT, k STRING, doubled BIGINT", kafka.servers, sink,
                                   **{"sink.delivery-guarantee": "exactly-once",
                                      "sink.transactional-id-prefix": f"tx-{sink}"}))
    t_env.create_temporary_function("fail_once", fail_once_after_a_checkpoint(tmp_path))
    t_env.execute_sql("INSERT INTO big SELECT id, k, fail_once(v) * 2 FROM orders WHERE v >= 200").wait()
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    committed = Counter(value for _, _, _, value in kafka.read(sink, isolation="read_committed"))
    expected = Counter(json.dumps({"id": n, "k": k, "doubled": v * 2}, separators=(",", ":")).encode()
                       for n, k, v in rows if v >= 200)
    got = Counter(json.dumps(json.loads(value), separators=(",", ":")).encode() for value in committed.elements())
    lost, duplicated = expected - got, got - expected
    assert not lost and not duplicated, f"{sum(lost.values())} lost, {sum(duplicated.values())} duplicated"


def _upserts():
    """(id, region, amount) upserts and (id, None, None) deletes of ids that change region."""
    messages = []
    for step in range(6):
        for i in range(60):
            if step == 4 and i % 5 == 0:
                messages.append((i, None, None))  # a tombstone
            else:
                messages.append((i, f"r{(i + step) % 4}", (i * 13 + step * 7) % 50))
    return messages


def test_upsert_kafka_source_group_by_recovers_exactly_once(tmp_path, kafka):
    topic = kafka.topic(partitions=PARTITIONS)
    messages = _upserts()
    kafka.produce(topic, [None if region is None else json.dumps({"id": i, "region": region, "amount": a}).encode()
                          for i, region, a in messages],
                  keys=[json.dumps({"id": i}).encode() for i, _, _ in messages],
                  partitions=[i % PARTITIONS for i, _, _ in messages])
    env, t_env = _environment(tmp_path)
    t_env.execute_sql(f"""CREATE TABLE accounts (id BIGINT, region STRING, amount BIGINT,
                          PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = '{topic}',
                          'properties.bootstrap.servers' = '{kafka.servers}', 'key.format' = 'json',
                          'value.format' = 'json', 'scan.bounded.mode' = 'latest-offset',
                          'properties.max.poll.records' = '20')""")
    t_env.create_temporary_function("fail_once", fail_once_after_a_checkpoint(tmp_path, after_rows=150, pause=0.004))
    table = t_env.sql_query("SELECT region, COUNT(*) AS c, SUM(a) AS s FROM "
                            "(SELECT region, fail_once(amount) AS a FROM accounts) GROUP BY region")
    add_changelog_sink(t_env, table, str(tmp_path / "out"), "regions")
    env.execute("upsert-kafka group by")
    assert os.path.exists(tmp_path / "failed"), "the injected failure did not happen"
    final = {}
    for i, region, amount in messages:
        if region is None:
            final.pop(i, None)
        else:
            final[i] = (region, amount)
    groups = defaultdict(list)
    for region, amount in final.values():
        groups[region].append(amount)
    expected = Counter({(region, len(a), sum(a)): 1 for region, a in groups.items()})
    assert apply_changelog(committed_lines(str(tmp_path / "out")), (str, int, int)) == expected


def test_exactly_once_needs_a_transactional_id_prefix(kafka):
    env = StreamExecutionEnvironment.get_execution_environment()
    t_env = StreamTableEnvironment.create(env)
    t_env.execute_sql(_kafka_table("out_t", "id BIGINT", kafka.servers, "some-topic",
                                   **{"sink.delivery-guarantee": "exactly-once"}))
    t_env.execute_sql(_kafka_table("in_t", "id BIGINT", kafka.servers, "some-topic"))
    with pytest.raises(ConnectorOptionError,
                       match="'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'"):
        t_env.execute_sql("INSERT INTO out_t SELECT id FROM in_t").wait()


def test_checkpointed_kafka_tables_are_not_refused(tmp_path, kafka):
    """Checkpointing accepts both tables as source and sink (at every delivery guarantee)."""
    topic = kafka.topic()
    kafka.produce(topic, [json.dumps({"id": n}).encode() for n in range(5)])
    for guarantee in ("none", "at-least-once"):
        out = kafka.topic()
        env, t_env = _environment(tmp_path / guarantee, restarts=False)
        t_env.execute_sql(_kafka_table("in_t", "id BIGINT", kafka.servers, topic))
        t_env.execute_sql(_kafka_table("out_t", "id BIGINT", kafka.servers, out,
                                       **{"sink.delivery-guarantee": guarantee}))
        t_env.execute_sql("INSERT INTO out_t SELECT id FROM in_t").wait()  # not refused
        assert sorted(json.loads(v)["id"] for _, _, _, v in kafka.read(out)) == list(range(5))
