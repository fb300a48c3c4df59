"""Running jobs: execute() and its result, execute_async() and the JobClient (status,
cancel, result), and the execution plan as JSON."""

import json
import threading

import pytest
from ds_support import (
    Channel,
    CollectSink,
    EndlessSource,
    os_thread_count,
    os_thread_count_settles_at,
)

from fluvial.datastream import JobExecutionResult, JobStatus, StreamExecutionEnvironment
from fluvial.datastream.connectors import NumberSequenceSource
from fluvial.errors import InvalidJobError, JobExecutionError, UserFunctionError


def numbers(env, end=99):
    return env.from_source(NumberSequenceSource(0, end), None, "numbers")


# ---------------------------------------------------------------------- execute


def test_execute_returns_the_job_execution_result(env, channel):
    numbers(env).add_sink(CollectSink(channel))
    result = env.execute("my job")
    assert isinstance(result, JobExecutionResult)
    assert result.is_job_execution_result() and result.get_job_execution_result() is result
    assert len(result.get_job_id().to_hex_string()) == 32
    assert result.get_net_runtime() >= 0
    assert "has finished" in str(result)
    assert result.get_all_accumulator_results() == {}
    assert sorted(v for _, v in channel.items()) == list(range(100))


def test_execute_runs_what_was_defined_since_the_last_execute(env1, channel):
    env1.from_collection([1]).add_sink(CollectSink(channel))
    env1.execute()
    with pytest.raises(InvalidJobError, match="no operators defined"):
        env1.execute()
    env1.from_collection([2]).add_sink(CollectSink(channel))
    env1.execute()
    assert [v for _, v in channel.items()] == [1, 2]


def test_close_forgets_the_defined_job(env1):
    env1.from_collection([1]).print()
    env1.close()
    with pytest.raises(InvalidJobError):
        env1.execute()


# ---------------------------------------------------------- execute_async, JobClient


def test_execute_async_of_a_bounded_job(env, channel):
    numbers(env, 999).map(lambda x: x * 2).add_sink(CollectSink(channel))
    client = env.execute_async("bounded")
    assert client.wait(10), "a bounded job must end"
    assert client.get_job_status().result() == JobStatus.FINISHED
    result = client.get_job_execution_result().result()
    assert isinstance(result, JobExecutionResult)
    assert result.get_job_id() is client.get_job_id()
    assert client.get_job_execution_result().done()
    assert sorted(v for _, v in channel.items()) == [x * 2 for x in range(1000)]


def test_job_client_of_an_unbounded_job_and_cancel(env):
    channel = Channel()
    env.add_source(EndlessSource(channel, pause=0.001)).map(lambda x: x).add_sink(
        CollectSink(Channel()))
    client = env.execute_async("endless")
    try:
        assert not client.wait(0.05), "an unbounded job ended by itself"
        assert client.get_job_status().result() == JobStatus.RUNNING
        assert not client.get_job_execution_result().done()
    finally:
        cancelled = client.cancel()
    cancelled.result()  # waits for the end
    assert cancelled.done()
    assert client.wait(10)
    assert client.get_job_status().result() == JobStatus.CANCELED
    assert JobStatus.CANCELED.is_globally_terminal_state()
    assert channel.items() == ["cancel", "run returned"]
    # As in Flink, the result of a cancelled job is an error, not a success.
    with pytest.raises(JobExecutionError, match="cancel"):
        client.get_job_execution_result().result()


def test_cancel_after_the_end_changes_nothing(env1):
    numbers(env1).print()
    client = env1.execute_async()
    assert client.wait(10)
    client.cancel().result()
    assert client.get_job_status().result() == JobStatus.FINISHED
    assert isinstance(client.get_job_execution_result().result(), JobExecutionResult)


def test_job_client_of_a_failed_job(env):
    def fail(x):
        if x == 50:
            raise ArithmeticError("bad value")
        return x

    numbers(env).map(fail).print()
    client = env.execute_async()
    assert client.wait(10)
    assert client.get_job_status().result() == JobStatus.FAILED
    future = client.get_job_execution_result()
    with pytest.raises(UserFunctionError, match="bad value"):
        future.result()
    assert isinstance(future.exception(), UserFunctionError)
    assert isinstance(future.exception().__cause__, ArithmeticError)


def test_job_status_values():
    assert JobStatus.FINISHED.is_terminal_state() and JobStatus.FAILED.is_terminal_state()
    assert not JobStatus.RUNNING.is_terminal_state()
    assert JobStatus.SUSPENDED.is_terminal_state() and not JobStatus.SUSPENDED.is_globally_terminal_state()


def test_threads_are_gone_once_wait_returns(parallelism):
    python_before, os_before = threading.active_count(), os_thread_count()
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.add_source(EndlessSource(pause=0.001)).map(lambda x: threading.current_thread() and x) \
        .rebalance().map(lambda x: x).print()
    client = env.execute_async()
    assert os_thread_count() > os_before
    client.cancel()
    assert client.wait(10)
    # wait() returned, so the workers were joined.
    assert threading.active_count() == python_before, threading.enumerate()
    assert os_thread_count_settles_at(os_before) == os_before


def test_wait_with_timeout_on_a_running_job(env1):
    env1.add_source(EndlessSource(pause=0.001)).print()
    client = env1.execute_async()
    try:
        assert client.wait(0.01) is False
        assert client.wait(0) is False
    finally:
        client.cancel()
        assert client.wait(10)


# ------------------------------------------------------------- execution plan


def test_get_execution_plan_json(env, parallelism):
    source = numbers(env)
    mapped = source.map(lambda x: x).name("double")
    mapped.key_by(lambda x: x % 2).reduce(lambda a, b: a + b).print()
    mapped.broadcast().map(lambda x: x).set_parallelism(2).print("two")
    env.from_collection([1]).rebalance().map(lambda x: x).print()
    plan = json.loads(env.get_execution_plan())
    nodes = {node["id"]: node for node in plan["nodes"]}
    by_type = {}
    for node in plan["nodes"]:
        by_type.setdefault(node["type"], []).append(node)
        assert set(node) >= {"id", "type", "pact", "contents", "parallelism"}
        for predecessor in node.get("predecessors", []):
            assert predecessor["id"] in nodes and predecessor["id"] < node["id"]
    assert by_type["numbers"][0]["pact"] == "Data Source"
    assert by_type["numbers"][0]["parallelism"] == parallelism
    assert by_type["Collection Source"][0]["parallelism"] == 1
    assert [n["pact"] for n in by_type["Print to Std. Out"]] == ["Data Sink"] * 3
    double = by_type["double"][0]
    assert double["pact"] == "Operator"
    assert double["predecessors"] == [{"id": by_type["numbers"][0]["id"],
                                       "ship_strategy": "FORWARD", "side": "second"}]
    reduce_node = by_type["Keyed Reduce"][0]
    assert [p["ship_strategy"] for p in reduce_node["predecessors"]] == ["HASH"]
    strategies = {p["ship_strategy"] for n in plan["nodes"] for p in n.get("predecessors", [])}
    assert {"FORWARD", "HASH", "BROADCAST", "REBALANCE"} <= strategies
    assert sorted(n["parallelism"] for n in by_type["Map"]) == sorted([2, parallelism])
    # Building the plan does not use the job up.
    env.execute()


def test_get_execution_plan_of_partitionings(env1):
    stream = numbers(env1).set_parallelism(2)
    for partitioning in ("shuffle", "rescale", "forward"):
        getattr(stream, partitioning)().map(lambda x: x).set_parallelism(2).name(partitioning).print()
    stream.partition_custom(lambda k, n: 0, lambda x: x).map(lambda x: x).name("custom").print()
    plan = json.loads(env1.get_execution_plan())
    predecessors = {n["type"]: n["predecessors"][0]["ship_strategy"] for n in plan["nodes"]
                    if n["type"] in ("shuffle", "rescale", "forward", "custom")}
    assert predecessors == {"shuffle": "SHUFFLE", "rescale": "RESCALE", "forward": "FORWARD",
                            "custom": "CUSTOM"}
    env1.close()


def test_get_execution_plan_of_nothing_is_refused(env1):
    with pytest.raises(InvalidJobError, match="no operators defined"):
        env1.get_execution_plan()
