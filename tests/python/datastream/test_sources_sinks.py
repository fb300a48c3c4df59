"""Sources (from_collection, NumberSequenceSource, add_source with a SourceFunction)
and the collecting ends of a job (execute_and_collect, add_sink with a SinkFunction)."""

import threading
import time

import pytest
from ds_support import (
    CollectSink,
    EndlessSource,
    ListSource,
    TagSubtask,
    assert_same_elements,
    group_by_first,
    sequence_share,
)

from fluvial.common import Row
from fluvial.common.typeinfo import Types
from fluvial.datastream import SinkFunction, SourceFunction
from fluvial.datastream.connectors import NumberSequenceSource
from fluvial.errors import InvalidJobError, UserFunctionError

DATA = list(range(300))


def collect(stream):
    return list(stream.execute_and_collect())


# ------------------------------------------------------------ from_collection


def test_from_collection_keeps_order_at_parallelism_1(env1):
    records = [1, "a", None, (1, 2), Row(x=1), 2.5, [3], {"k": "v"}]
    assert collect(env1.from_collection(records)) == records


def test_from_collection_is_non_parallel(env, parallelism, channel):
    stream = env.from_collection(DATA)
    stream.map(TagSubtask()).set_parallelism(1).add_sink(CollectSink(channel)).set_parallelism(1)
    env.execute()
    # One source subtask feeding one map subtask: in order.
    assert [tagged for _, tagged in channel.items()] == [(0, x) for x in DATA]
    with pytest.raises(ValueError, match="non-parallel: its parallelism must be 1, got 4"):
        stream.set_parallelism(4)


def test_from_collection_takes_any_iterable(env1):
    assert collect(env1.from_collection(x * x for x in range(5))) == [0, 1, 4, 9, 16]
    assert collect(env1.from_collection(range(3))) == [0, 1, 2]
    assert collect(env1.from_collection([])) == []


def test_from_collection_larger_than_a_batch(env1):
    records = list(range(10_000))
    assert collect(env1.from_collection(records)) == records


def test_from_collection_with_type_info(env1):
    stream = env1.from_collection([(1, "a"), (2, "b")], type_info=Types.TUPLE([Types.INT(),
                                                                            Types.STRING()]))
    assert stream.get_type() == Types.TUPLE([Types.INT(), Types.STRING()])
    assert collect(stream) == [(1, "a"), (2, "b")]
    with pytest.raises(TypeError, match="from_collection\\(\\): element 1 does not fit type_info"):
        env1.from_collection([1, "two"], type_info=Types.INT())


# ----------------------------------------------------------- NumberSequenceSource


@pytest.mark.parametrize("start, end", [(0, 999), (-50, 50), (7, 7), (10, 12)])
def test_number_sequence_source(env, parallelism, start, end):
    stream = env.from_source(NumberSequenceSource(start, end), None, "numbers")
    tagged = collect(stream.map(TagSubtask()))
    assert_same_elements([v for _, v in tagged], list(range(start, end + 1)))
    by_subtask = group_by_first(tagged)
    for subtask in range(parallelism):
        # An even, contiguous share per subtask, read in order.
        assert by_subtask.get(subtask, []) == sequence_share(start, end, subtask, parallelism)


def test_number_sequence_source_arguments():
    source = NumberSequenceSource(3, 9)
    assert (source.get_from(), source.get_to()) == (3, 9)
    with pytest.raises(ValueError, match="end must be >= start"):
        NumberSequenceSource(5, 4)
    with pytest.raises(TypeError, match="start must be an int"):
        NumberSequenceSource(1.5, 4)
    with pytest.raises(TypeError, match="end must be an int"):
        NumberSequenceSource(1, True)


def test_number_sequence_source_with_own_parallelism(env1):
    stream = env1.from_source(NumberSequenceSource(1, 100), None, "numbers").set_parallelism(3)
    tagged = collect(stream.map(TagSubtask()))  # the map runs at the default parallelism, 1
    assert_same_elements([v for _, v in tagged], list(range(1, 101)))
    assert {s for s, _ in tagged} == {0}


def test_from_source_needs_a_source(env1):
    with pytest.raises(TypeError, match="from_source\\(\\) expects a Source"):
        env1.from_source([1, 2], None, "list")


# ------------------------------------------------------------------ add_source


class Countdown(SourceFunction):
    def __init__(self, start):
        self.start = start

    def run(self, ctx):
        value = self.start
        while value > 0:
            ctx.collect(value)
            value -= 1


class RunRaises(SourceFunction):
    def run(self, ctx):
        ctx.collect(1)
        raise_from_source_run()


def raise_from_source_run():
    raise KeyError("no more input")


def test_add_source_bounded_run_ends_the_job(env):
    result = collect(env.add_source(Countdown(2500)).map(lambda x: x * 2))
    if env.get_parallelism() == 1:
        assert result == [x * 2 for x in range(2500, 0, -1)]
    else:
        assert_same_elements(result, [x * 2 for x in range(1, 2501)])


def test_add_source_emitting_nothing(env):
    assert collect(env.add_source(Countdown(0))) == []


def test_add_source_with_few_records(env):
    # run() returns before the first poll: records and end come together.
    assert_same_elements(collect(env.add_source(ListSource(["a", "b"])).map(str.upper)), ["A", "B"])


def test_add_source_job_ends_when_run_returns_at_once(env, channel):
    # The records and the end of a short run() reach the engine in one go; the
    # job must still end (checked with a bounded wait, so a bug fails, not hangs).
    env.add_source(ListSource(["only", "two"])).add_sink(CollectSink(channel))
    client = env.execute_async()
    try:
        assert client.wait(10), "the job did not end after the SourceFunction's run() returned"
    finally:
        client.cancel()
        client.wait(10)
    assert sorted(v for _, v in channel.items()) == ["only", "two"]


def test_add_source_is_non_parallel(env, parallelism):
    stream = env.add_source(ListSource(DATA), "my source")
    assert stream.get_name() == "my source"
    tagged = collect(stream.map(TagSubtask()))
    assert_same_elements([v for _, v in tagged], DATA)
    with pytest.raises(ValueError, match="non-parallel"):
        stream.set_parallelism(2)


def test_add_source_failure_in_run(env1):
    env1.add_source(RunRaises(), "failing source").print()
    with pytest.raises(UserFunctionError, match="operator 'failing source' \\(subtask 1/1\\)") as info:
        env1.execute()
    assert isinstance(info.value.__cause__, KeyError)
    import traceback

    frames = [frame.name for frame in traceback.extract_tb(info.value.__cause__.__traceback__)]
    assert "raise_from_source_run" in frames and "run" in frames


def test_add_source_needs_a_source_function(env1):
    with pytest.raises(TypeError, match="add_source\\(\\) expects a SourceFunction"):
        env1.add_source(lambda ctx: None)


# ---------------------------------------------------------------- add_sink


class Upper(SinkFunction):
    def __init__(self, channel):
        self.channel = channel

    def invoke(self, value, context):
        assert context.timestamp() is None
        assert context.current_processing_time() > 0
        self.channel.append(value.upper())


def test_add_sink_with_a_sink_function(env, parallelism, channel):
    env.from_collection([f"w{i}" for i in range(100)]).add_sink(CollectSink(channel))
    env.execute()
    tagged = channel.items()
    assert_same_elements([v for _, v in tagged], [f"w{i}" for i in range(100)])
    assert {s for s, _ in tagged} <= set(range(parallelism))
    if parallelism == 1:
        assert [v for _, v in tagged] == [f"w{i}" for i in range(100)]


def test_sink_function_context(env1, channel):
    env1.from_collection(["a", "b"]).add_sink(Upper(channel)).name("shout")
    env1.execute()
    assert channel.items() == ["A", "B"]


def test_add_sink_needs_a_sink_function(env1):
    with pytest.raises(TypeError, match="add_sink\\(\\) expects a SinkFunction"):
        env1.from_collection([1]).add_sink(print)
    with pytest.raises(TypeError, match="sink_to\\(\\) expects a Sink"):
        env1.from_collection([1]).sink_to(Upper(None))


def test_several_sinks_in_one_job(env, channel):
    stream = env.from_collection(DATA)
    stream.map(lambda x: ("a", x)).add_sink(CollectSink(channel))
    stream.filter(lambda x: x % 2).map(lambda x: ("b", x)).add_sink(CollectSink(channel))
    env.execute()
    assert_same_elements([v for _, v in channel.items()],
                         [("a", x) for x in DATA] + [("b", x) for x in DATA if x % 2])


# ------------------------------------------------------------ execute_and_collect


def test_execute_and_collect_iterator(env):
    with env.from_collection(DATA).map(lambda x: -x).execute_and_collect() as results:
        collected = list(results)
    assert_same_elements(collected, [-x for x in DATA])


def test_execute_and_collect_with_limit(env):
    result = env.from_source(NumberSequenceSource(0, 99_999), None, "n").execute_and_collect(limit=25)
    assert isinstance(result, list) and len(result) == 25
    assert set(result) <= set(range(100_000))
    if env.get_parallelism() == 1:
        assert result == list(range(25))


def test_execute_and_collect_with_limit_above_the_size(env):
    assert_same_elements(env.from_collection(DATA).execute_and_collect(limit=1000), DATA)


class Silent(SourceFunction):
    """Emits nothing until cancelled."""

    def open(self, runtime_context):
        self.cancelled = threading.Event()

    def run(self, ctx):
        self.cancelled.wait(30)

    def cancel(self):
        self.cancelled.set()


def call_with_timeout(function, timeout):
    """Runs function() on a thread of its own; fails (rather than hangs) if it blocks."""
    outcome = {}

    def target():
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"still blocked after {timeout} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_execute_and_collect_limit_reached_does_not_wait_for_more(env1):
    stream = env1.add_source(Silent())
    assert call_with_timeout(lambda: stream.execute_and_collect(limit=0), 5) == []
    stream = env1.add_source(Silent()).union(env1.from_collection([1, 2]))
    assert call_with_timeout(lambda: stream.execute_and_collect(limit=2), 5) == [1, 2]


def test_execute_and_collect_limit_stops_an_unbounded_job(env, channel):
    started = time.monotonic()
    stream = env.add_source(EndlessSource(channel)).map(lambda x: x + 1)
    result = stream.execute_and_collect(limit=50)
    assert len(result) == 50 and set(result) <= set(range(1, 1_000_000))
    if env.get_parallelism() == 1:
        assert result == list(range(1, 51))
    # The job was cancelled: the source's cancel() made run() return.
    assert channel.items() == ["cancel", "run returned"]
    assert time.monotonic() - started < 10


def test_closing_the_iterator_stops_an_unbounded_job(env, channel):
    iterator = env.add_source(EndlessSource(channel)).execute_and_collect()
    first = [next(iterator) for _ in range(10)]
    assert len(first) == 10
    iterator.close()
    assert channel.items() == ["cancel", "run returned"]
    with pytest.raises(StopIteration):
        next(iterator)


def test_execute_and_collect_refuses_a_bad_limit(env1):
    with pytest.raises(ValueError, match="limit must be a non-negative int"):
        env1.from_collection([1]).execute_and_collect(limit=-1)


def test_execute_and_collect_runs_the_other_sinks_too(env1, channel):
    stream = env1.from_collection(DATA)
    stream.add_sink(CollectSink(channel))
    assert collect(stream.map(lambda x: x * 2)) == [x * 2 for x in DATA]
    assert [v for _, v in channel.items()] == DATA


def test_a_job_without_sinks_or_with_nothing_is_refused(env1):
    with pytest.raises(InvalidJobError, match="no operators defined"):
        env1.execute()
