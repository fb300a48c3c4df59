"""Function lifecycle and RuntimeContext: open()/close() once per subtask, per-subtask
copies of Function instances, task names, parallelism, max parallelism, job
parameters; and the operator settings they reflect (set_parallelism,
set_max_parallelism, chaining)."""

import threading

import pytest
from ds_support import (
    Channel,
    LifecycleFilter,
    LifecycleFlatMap,
    LifecycleKeySelector,
    LifecycleMap,
    LifecyclePartitioner,
    LifecycleProcess,
    LifecycleReduce,
    LifecycleSink,
    ListSource,
    TagSubtask,
    TagThread,
    assert_same_elements,
    group_by_first,
)

from fluvial.datastream import MapFunction
from fluvial.datastream._job import _core
from fluvial.datastream.connectors import NumberSequenceSource
from fluvial.errors import InvalidJobError

DATA = list(range(200))


def collect(stream):
    return list(stream.execute_and_collect())


def numbers(env):
    # Parallel like the operators after it, so every subtask of those gets records.
    return env.from_source(NumberSequenceSource(0, 199), None, "numbers")


# ------------------------------------------------------------------ lifecycle

LIFECYCLE_CASES = {
    "map": (LifecycleMap, lambda s, f: s.map(f), "Map"),
    "flat_map": (LifecycleFlatMap, lambda s, f: s.flat_map(f), "FlatMap"),
    "filter": (LifecycleFilter, lambda s, f: s.filter(f), "Filter"),
    "process": (LifecycleProcess, lambda s, f: s.process(f), "Process"),
    "reduce": (LifecycleReduce, lambda s, f: s.key_by(lambda x: x % 10).reduce(f), "Keyed Reduce"),
    "key_selector": (LifecycleKeySelector, lambda s, f: s.key_by(f).reduce(lambda a, b: a + b),
                     "KeyBy"),
    "partitioner": (LifecyclePartitioner,
                    lambda s, f: s.partition_custom(f, lambda x: x).map(lambda x: x),
                    "CustomPartitioner"),
}


@pytest.mark.parametrize("case", list(LIFECYCLE_CASES))
def test_open_and_close_once_per_subtask(env, parallelism, channel, case):
    function_class, apply, task_name = LIFECYCLE_CASES[case]
    function = function_class(channel)
    stream = apply(numbers(env), function)
    collect(stream)
    check_lifecycle(channel, task_name, parallelism)
    assert function.opened == 0, "the job must use copies, not the instance given to it"


def test_sink_function_open_and_close_once_per_subtask(env, parallelism, channel):
    numbers(env).add_sink(LifecycleSink(channel))
    env.execute()
    check_lifecycle(channel, "Sink: Unnamed", parallelism)


def check_lifecycle(channel, task_name, parallelism):
    events = channel.items()
    assert events, "no function was opened"
    assert {name for name, _, _, _ in events} == {task_name}
    assert {p for _, _, p, _ in events} == {parallelism}
    by_subtask = group_by_first((index, event) for _, index, _, event in events)
    assert sorted(by_subtask) == list(range(parallelism))
    for index, subtask_events in by_subtask.items():
        records = subtask_events.count("record")
        # open first, then the records, then close: each exactly once per subtask
        assert subtask_events == ["open"] + ["record"] * records + [f"close after {records}"], index


def test_source_function_open_and_close_once(env, channel):
    stream = env.add_source(ListSource(DATA, channel))
    assert_same_elements(collect(stream.map(lambda x: x)), DATA)
    assert channel.items() == [("Custom Source", 0, 1, "open"), "close"]


# ------------------------------------------------------------- runtime context


class ReportContext(MapFunction):
    def open(self, runtime_context):
        self.report = {
            "task": runtime_context.get_task_name(),
            "task_with_subtasks": runtime_context.get_task_name_with_subtasks(),
            "index": runtime_context.get_index_of_this_subtask(),
            "parallelism": runtime_context.get_number_of_parallel_subtasks(),
            "max_parallelism": runtime_context.get_max_number_of_parallel_subtasks(),
            "attempt": runtime_context.get_attempt_number(),
            "threshold": runtime_context.get_job_parameter("threshold", "none"),
            "mode": runtime_context.get_job_parameter("mode", "none"),
            "missing": runtime_context.get_job_parameter("missing", "fallback"),
        }

    def map(self, value):
        return self.report


def contexts(stream):
    """The distinct context reports of the subtasks that saw records, by subtask."""
    return {report["index"]: report for report in collect(stream)}


def test_runtime_context_of_each_subtask(env, parallelism):
    env.get_config().set_global_job_parameters({"threshold": 5, "mode": "fast"})
    reports = contexts(numbers(env).map(ReportContext()).name("inspect"))
    assert sorted(reports) == list(range(parallelism))
    for index, report in reports.items():
        assert report == {
            "task": "inspect",
            "task_with_subtasks": f"inspect ({index + 1}/{parallelism})",
            "index": index,
            "parallelism": parallelism,
            "max_parallelism": 128,  # Flink's default for up to 85 subtasks
            "attempt": 0,
            "threshold": "5",
            "mode": "fast",
            "missing": "fallback",
        }


def test_job_parameters_default_when_none_are_set(env1):
    (report,) = contexts(env1.from_collection([1]).map(ReportContext())).values()
    assert (report["threshold"], report["mode"], report["missing"]) == ("none", "none", "fallback")
    assert report["task"] == "Map"


def test_set_parallelism_per_operator(env, parallelism):
    stream = numbers(env).map(lambda x: x + 1).set_parallelism(3).map(ReportContext()).set_parallelism(2)
    reports = contexts(stream)
    assert sorted(reports) == [0, 1]
    assert {r["parallelism"] for r in reports.values()} == {2}
    tagged = collect(numbers(env).map(TagSubtask()).set_parallelism(3))
    assert {s for s, _ in tagged} == {0, 1, 2}
    assert_same_elements([v for _, v in tagged], DATA)


def test_default_parallelism_from_configuration():
    from fluvial.common import Configuration
    from fluvial.datastream import StreamExecutionEnvironment

    configuration = Configuration()
    configuration.set_string("parallelism.default", "3")
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    assert env.get_parallelism() == 3
    assert {r["parallelism"] for r in contexts(numbers(env).map(ReportContext())).values()} == {3}


def test_invalid_parallelism_is_refused(env1):
    stream = env1.from_collection([1]).map(lambda x: x)
    for bad in (0, -1, 1.5, "2"):
        with pytest.raises(ValueError, match="parallelism must be a positive int"):
            stream.set_parallelism(bad)
        with pytest.raises(ValueError, match="parallelism must be a positive int"):
            env1.set_parallelism(bad)
    with pytest.raises(ValueError, match="non-parallel"):
        env1.from_collection([1]).set_parallelism(2)


# ------------------------------------------------------------ max parallelism


def test_env_max_parallelism_reaches_the_context(env, parallelism):
    env.set_max_parallelism(64)
    assert env.get_max_parallelism() == 64
    reports = contexts(numbers(env).map(ReportContext()))
    assert {r["max_parallelism"] for r in reports.values()} == {64}


def test_operator_max_parallelism_decides_key_placement(env, parallelism):
    # Keys go to key groups, key groups to subtasks in contiguous ranges (Flink's
    # KeyGroupRangeAssignment): subtask = key_group * parallelism // max_parallelism.
    records = [(f"key{i % 37}", i) for i in range(500)]
    reduced = env.from_collection(records).key_by(lambda r: r[0]).reduce(
        lambda a, b: (a[0], a[1] + b[1]))
    reduced.set_max_parallelism(16)
    tagged = collect(reduced.map(TagSubtask()))
    assert len(tagged) == 500
    for subtask, (key, _) in tagged:
        assert subtask == _core().key_group(key, 16) * parallelism // 16, key
    reports = contexts(env.from_collection([1]).key_by(lambda x: x).map(ReportContext())
                       .set_max_parallelism(16))
    assert {r["max_parallelism"] for r in reports.values()} == {16}


def test_max_parallelism_below_parallelism_is_refused(env1):
    env1.from_collection([1]).map(lambda x: x).set_parallelism(4).set_max_parallelism(2).print()
    with pytest.raises(InvalidJobError, match="max parallelism must be at least the parallelism"):
        env1.execute()


def test_env_max_parallelism_below_parallelism_is_refused(env1):
    env1.set_max_parallelism(2)
    env1.from_collection([1]).map(lambda x: x).set_parallelism(4).print()
    with pytest.raises(InvalidJobError, match="max parallelism must be at least the parallelism"):
        env1.execute()


def test_invalid_max_parallelism_is_refused(env1):
    for bad in (0, 32769, "8"):
        with pytest.raises(ValueError, match="max parallelism"):
            env1.set_max_parallelism(bad)
        with pytest.raises(ValueError, match="max parallelism"):
            env1.from_collection([1]).map(lambda x: x).set_max_parallelism(bad)


# ---------------------------------------------------------- per-subtask copies


class Counting(MapFunction):
    def __init__(self):
        self.count = 0

    def open(self, runtime_context):
        self.index = runtime_context.get_index_of_this_subtask()

    def map(self, value):
        self.count += 1
        return self.index, id(self), self.count


def test_each_subtask_has_its_own_copy_of_the_function(env, parallelism):
    function = Counting()
    result = collect(numbers(env).map(function))
    assert function.count == 0 and not hasattr(function, "index")
    by_subtask = group_by_first((index, (ident, count)) for index, ident, count in result)
    assert sorted(by_subtask) == list(range(parallelism))
    identities = set()
    for values in by_subtask.values():
        # One object per subtask, counting only that subtask's records.
        assert {ident for ident, _ in values} == {values[0][0]}
        assert [count for _, count in values] == list(range(1, len(values) + 1))
        identities.add(values[0][0])
    assert len(identities) == parallelism and id(function) not in identities


def test_one_instance_used_by_two_operators_gets_two_copies(env1):
    function = Counting()
    result = collect(env1.from_collection(["a", "b"]).map(function).map(lambda r: r[2]).map(
        lambda c: ("second", c)).union(env1.from_collection(["c"]).map(function)))
    counts = sorted(r[1] if r[0] == "second" else r[2] for r in result)
    assert counts == [1, 1, 2]


class HoldsLock(MapFunction):
    def __init__(self):
        self.lock = threading.Lock()

    def map(self, value):
        return value


def test_unpicklable_function_is_reported_at_submission(env1):
    env1.from_collection([1]).map(HoldsLock()).name("locked").print()
    with pytest.raises(InvalidJobError, match="operator 'locked': the function HoldsLock cannot "
                                              "be serialized") as info:
        env1.execute()
    assert "create them in open()" in str(info.value)


# -------------------------------------------------------------------- chaining


def thread_pairs(stream):
    return collect(stream.map(TagThread()))


def test_chained_operators_share_a_thread(env):
    pairs = thread_pairs(numbers(env).map(TagThread()))
    assert len(pairs) == 200
    assert all(outer == inner for outer, (inner, _) in pairs)


def test_disable_chaining_runs_the_operator_apart(env):
    stream = numbers(env).map(TagThread()).map(lambda r: r).disable_chaining()
    pairs = thread_pairs(stream)
    assert_same_elements([v for _, (_, v) in pairs], DATA)
    assert all(outer != inner for outer, (inner, _) in pairs)


def test_start_new_chain_runs_the_operator_apart(env):
    pairs = thread_pairs(numbers(env).map(TagThread()).map(lambda r: r).start_new_chain())
    assert all(outer != inner for outer, (inner, _) in pairs)


def test_env_disable_operator_chaining(env):
    env.disable_operator_chaining()
    assert not env.is_chaining_enabled()
    numbers(env).map(lambda x: x).map(lambda x: x).print()
    plan = env.describe_execution_plan()
    assert "chained" not in plan, plan
    env.close()
    pairs = thread_pairs(numbers(env).map(TagThread()))
    assert_same_elements([v for _, (_, v) in pairs], DATA)
    assert all(outer != inner for outer, (inner, _) in pairs)


def test_describe_execution_plan_shows_chains(env1):
    stream = env1.from_collection(DATA).map(lambda x: x)
    stream.map(lambda x: x).disable_chaining().print()
    plan = env1.describe_execution_plan()
    lines = plan.splitlines()
    assert any("Map (parallelism 1) <- chained FORWARD [1]" in line for line in lines), plan
    assert any("Map (parallelism 1) <- FORWARD [2]" in line for line in lines), plan


def test_disable_chaining_on_a_sink(env, channel):
    from ds_support import CollectSink

    numbers(env).map(lambda x: x * 2).add_sink(CollectSink(channel)).disable_chaining()
    env.execute()
    assert_same_elements([v for _, v in channel.items()], [x * 2 for x in DATA])


def test_settings_on_logical_streams_are_refused(env1):
    stream = env1.from_collection([1])
    with pytest.raises(ValueError, match="Union"):
        stream.union(stream).disable_chaining()
    with pytest.raises(ValueError, match="Rebalance"):
        stream.rebalance().set_parallelism(2)


def test_channel_is_shared_by_copies():
    channel = Channel()
    import cloudpickle

    copy = cloudpickle.loads(cloudpickle.dumps(channel))
    copy.append(1)
    assert channel.items() == [1]
