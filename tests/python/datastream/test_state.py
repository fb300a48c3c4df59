"""Keyed state: every kind's methods, TTL, and misuse, first on the state objects
directly, then in running jobs at parallelism 1 and 4 against a plain-Python replay."""

import random
from collections import defaultdict

import pytest
from keyed_testing import PARALLELISMS, ControlledSource, LiveResults

from fluvial import _core
from fluvial.common.time import Duration, Time
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream._keyed import KeyedRuntime
from fluvial.datastream._keyed_state import KeyedStateStore
from fluvial.datastream.functions import (
    AggregateFunction,
    FilterFunction,
    FlatMapFunction,
    KeyedProcessFunction,
    MapFunction,
)
from fluvial.datastream.state import (
    AggregatingStateDescriptor,
    ListStateDescriptor,
    MapStateDescriptor,
    ReducingStateDescriptor,
    StateTtlConfig,
    ValueStateDescriptor,
)
from fluvial.errors import InvalidJobError, JobExecutionError, UserFunctionError


class Average(AggregateFunction):
    def create_accumulator(self):
        return (0, 0)

    def add(self, value, accumulator):
        return (accumulator[0] + value, accumulator[1] + 1)

    def get_result(self, accumulator):
        return accumulator[0] / accumulator[1]

    def merge(self, acc_a, acc_b):
        return (acc_a[0] + acc_b[0], acc_a[1] + acc_b[1])


class FakeClock:
    """Stands in for the engine's timer service: TTL only asks it the time."""

    def __init__(self, now: int = 0):
        self.now = now

    def current_processing_time(self) -> int:
        return self.now


def state_store(now: int = 0):
    runtime = KeyedRuntime()
    clock = FakeClock(now)
    runtime.bind_timer_service(clock)

    def at_key(key):
        runtime.with_key(key, _core.key_group(key))

    return KeyedStateStore(runtime), at_key, clock


def ttl(millis, update=None, visibility=None):
    builder = StateTtlConfig.new_builder(Time.milliseconds(millis))
    if update is not None:
        builder.set_update_type(update)
    if visibility is not None:
        builder.set_state_visibility(visibility)
    return builder.build()


# ---------------------------------------------------------------- the state objects


def test_value_state_is_per_key_and_update_none_clears():
    store, at_key, _ = state_store()
    state = store.get_state(ValueStateDescriptor("v"))
    at_key("a")
    assert state.value() is None
    state.update(1)
    at_key("b")
    assert state.value() is None
    state.update(2)
    at_key("a")
    assert state.value() == 1
    state.update(None)
    assert state.value() is None
    at_key("b")
    state.clear()
    assert state.value() is None


def test_list_state_methods():
    store, at_key, _ = state_store()
    state = store.get_list_state(ListStateDescriptor("l"))
    at_key("a")
    assert state.get() == [] and list(state) == []
    state.add(1)
    state.add_all([2, 3])
    assert state.get() == [1, 2, 3]
    got = state.get()
    got.append(99)  # a copy: the state does not change behind the user's back
    assert list(state) == [1, 2, 3]
    state.update([7])
    assert state.get() == [7]
    state.update([])
    assert state.get() == []
    with pytest.raises(ValueError, match="None elements"):
        state.add(None)
    with pytest.raises(TypeError, match="list of elements"):
        state.add_all(5)
    at_key("b")
    state.add("x")
    at_key("a")
    state.add(8)
    state.clear()
    assert state.get() == []
    at_key("b")
    assert state.get() == ["x"]


def test_map_state_methods():
    store, at_key, _ = state_store()
    state = store.get_map_state(MapStateDescriptor("m"))
    at_key("a")
    assert state.is_empty() and state.get("x") is None and not state.contains("x")
    state.put("x", 1)
    state.put_all({"y": 2, "z": 3})
    state["w"] = 4
    assert state.get("x") == 1 and state["y"] == 2 and "z" in state and state.contains("w")
    assert sorted(state.keys()) == ["w", "x", "y", "z"] and sorted(state) == ["w", "x", "y", "z"]
    assert sorted(state.values()) == [1, 2, 3, 4]
    assert sorted(state.items()) == [("w", 4), ("x", 1), ("y", 2), ("z", 3)]
    for key in state.keys():  # a snapshot: removing while iterating is fine
        if key in ("w", "x"):
            state.remove(key)
    del state["y"]
    assert state.items() == [("z", 3)] and not state.is_empty()
    at_key("b")
    assert state.is_empty()
    at_key("a")
    state.clear()
    assert state.is_empty()


def test_reducing_and_aggregating_state():
    store, at_key, _ = state_store()
    total = store.get_reducing_state(ReducingStateDescriptor("sum", lambda a, b: a + b))
    average = store.get_aggregating_state(AggregatingStateDescriptor("avg", Average()))
    at_key("a")
    assert total.get() is None and average.get() is None
    for value in (1, 2, 6):
        total.add(value)
        average.add(value)
    assert total.get() == 9 and average.get() == 3.0
    at_key("b")
    total.add(10)
    assert total.get() == 10 and average.get() is None
    at_key("a")
    total.clear()
    average.clear()
    assert total.get() is None and average.get() is None


def test_same_name_gives_same_state_and_another_kind_is_an_error():
    store, _, _ = state_store()
    first = store.get_state(ValueStateDescriptor("count"))
    assert store.get_state(ValueStateDescriptor("count")) is first
    with pytest.raises(ValueError, match="'count' is already registered as a ValueState.*ListState"):
        store.get_list_state(ListStateDescriptor("count"))
    with pytest.raises(TypeError, match="get_state\\(\\) expects a ValueStateDescriptor"):
        store.get_state(ListStateDescriptor("other"))


def test_state_without_a_current_key_is_an_error():
    store, _, _ = state_store()
    state = store.get_state(ValueStateDescriptor("v"))
    with pytest.raises(InvalidJobError, match="without a current key"):
        state.value()


def test_window_namespaces_are_separate_and_merge():
    store, at_key, _ = state_store()
    elements = store.get_list_state(ListStateDescriptor("elements"))
    total = store.get_reducing_state(ReducingStateDescriptor("total", lambda a, b: a + b))
    at_key("a")
    for window, values in (("w1", [1, 2]), ("w2", [3]), ("w3", [4])):
        elements.set_current_namespace(window)
        total.set_current_namespace(window)
        elements.add_all(values)
        for value in values:
            total.add(value)
    elements.merge_namespaces("w1", ["w2", "w3"])
    total.merge_namespaces("w1", ["w2", "w3"])
    elements.set_current_namespace("w1")
    total.set_current_namespace("w1")
    assert sorted(elements.get()) == [1, 2, 3, 4] and total.get() == 10
    elements.set_current_namespace("w2")
    assert elements.get() == []


# ---------------------------------------------------------------- TTL on the state objects


def test_ttl_value_expires_after_ttl_since_last_write():
    store, at_key, clock = state_store(now=1000)
    descriptor = ValueStateDescriptor("v")
    descriptor.enable_time_to_live(ttl(100))
    state = store.get_state(descriptor)
    at_key("a")
    state.update("x")
    clock.now = 1099
    assert state.value() == "x"  # reading does not extend OnCreateAndWrite
    state.update("y")
    clock.now = 1198
    assert state.value() == "y"
    clock.now = 1199
    assert state.value() is None
    clock.now = 5000
    assert state.value() is None


def test_ttl_on_read_and_write_extends_on_read():
    store, at_key, clock = state_store(now=0)
    descriptor = ValueStateDescriptor("v")
    descriptor.enable_time_to_live(ttl(100, update=StateTtlConfig.UpdateType.OnReadAndWrite))
    state = store.get_state(descriptor)
    at_key("a")
    state.update(1)
    for now in (90, 180, 270):
        clock.now = now
        assert state.value() == 1
    clock.now = 370
    assert state.value() is None


def test_ttl_return_expired_if_not_cleaned_up_returns_it_once():
    store, at_key, clock = state_store(now=0)
    descriptor = ValueStateDescriptor("v")
    descriptor.enable_time_to_live(
        ttl(10, visibility=StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp))
    state = store.get_state(descriptor)
    at_key("a")
    state.update(1)
    clock.now = 50
    assert state.value() == 1  # expired, but not cleaned up yet: returned, then removed
    assert state.value() is None


def test_ttl_disabled_update_type_never_expires():
    store, at_key, clock = state_store(now=0)
    descriptor = ValueStateDescriptor("v")
    descriptor.enable_time_to_live(ttl(10, update=StateTtlConfig.UpdateType.Disabled))
    state = store.get_state(descriptor)
    at_key("a")
    state.update(1)
    clock.now = 10_000
    assert state.value() == 1


def test_ttl_list_and_map_entries_expire_one_by_one():
    store, at_key, clock = state_store(now=0)
    list_descriptor = ListStateDescriptor("l")
    map_descriptor = MapStateDescriptor("m")
    for descriptor in (list_descriptor, map_descriptor):
        descriptor.enable_time_to_live(ttl(100))
    elements = store.get_list_state(list_descriptor)
    entries = store.get_map_state(map_descriptor)
    at_key("a")
    elements.add("old")
    entries.put("old", 1)
    clock.now = 60
    elements.add("new")
    entries.put("new", 2)
    assert elements.get() == ["old", "new"] and sorted(entries.keys()) == ["new", "old"]
    clock.now = 100
    assert elements.get() == ["new"]
    assert entries.items() == [("new", 2)] and entries.get("old") is None
    assert not entries.contains("old") and not entries.is_empty()
    clock.now = 160
    assert elements.get() == [] and entries.is_empty()


def test_ttl_reducing_and_aggregating_restart_after_expiry():
    store, at_key, clock = state_store(now=0)
    total_descriptor = ReducingStateDescriptor("sum", lambda a, b: a + b)
    average_descriptor = AggregatingStateDescriptor("avg", Average())
    for descriptor in (total_descriptor, average_descriptor):
        descriptor.enable_time_to_live(ttl(100))
    total = store.get_reducing_state(total_descriptor)
    average = store.get_aggregating_state(average_descriptor)
    at_key("a")
    total.add(5)
    average.add(5)
    clock.now = 150
    total.add(1)
    average.add(1)
    assert total.get() == 1 and average.get() == 1.0


def test_ttl_config_builder():
    config = (StateTtlConfig.new_builder(Time.seconds(1))
              .update_ttl_on_read_and_write()
              .return_expired_if_not_cleaned_up()
              .use_processing_time()
              .cleanup_full_snapshot()
              .cleanup_incrementally(10, True)
              .cleanup_in_rocksdb_compact_filter(1000, Duration.of_days(1))
              .disable_cleanup_in_background()
              .build())
    assert config.get_update_type() is StateTtlConfig.UpdateType.OnReadAndWrite
    assert config.get_state_visibility() is StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp
    assert config.get_ttl() == Time.seconds(1) and config.is_enabled()
    strategies = config.get_cleanup_strategies()
    assert strategies.in_full_snapshot() and not strategies.is_cleanup_in_background()
    assert strategies.get_incremental_cleanup_strategy() == (10, True)
    assert StateTtlConfig.new_builder(Duration.of_millis(5)).build().get_ttl() == Duration.of_millis(5)
    with pytest.raises(ValueError, match="must be positive"):
        StateTtlConfig.new_builder(Time.milliseconds(0)).build()
    with pytest.raises(TypeError, match="StateTtlConfig"):
        ValueStateDescriptor("v").enable_time_to_live("1s")
    with pytest.raises(TypeError, match="AggregateFunction"):
        AggregatingStateDescriptor("a", lambda a, b: a)


# ---------------------------------------------------------------- in running jobs


def events(count: int, keys: int, seed: int):
    rng = random.Random(seed)
    return [(f"k{rng.randrange(keys)}", rng.randrange(1, 100)) for _ in range(count)]


class EveryKind(KeyedProcessFunction):
    """Keeps every kind of state per key and reports it after each element."""

    def open(self, runtime_context):
        self.count = runtime_context.get_state(ValueStateDescriptor("count"))
        self.recent = runtime_context.get_list_state(ListStateDescriptor("recent"))
        self.seen = runtime_context.get_map_state(MapStateDescriptor("seen"))
        self.total = runtime_context.get_reducing_state(ReducingStateDescriptor("total", lambda a, b: a + b))
        self.average = runtime_context.get_aggregating_state(AggregatingStateDescriptor("avg", Average()))

    def process_element(self, value, ctx):
        key, number = value
        self.count.update((self.count.value() or 0) + 1)
        self.recent.add(number)
        if len(self.recent.get()) > 3:
            self.recent.update(self.recent.get()[-3:])
        parity = number % 2
        self.seen.put(parity, (self.seen.get(parity) or 0) + 1)
        self.total.add(number)
        self.average.add(number)
        yield (ctx.get_current_key(), self.count.value(), tuple(self.recent.get()),
               tuple(sorted(self.seen.items())), self.total.get(), self.average.get())


def replay_every_kind(records):
    state = defaultdict(lambda: {"count": 0, "recent": [], "seen": {}, "numbers": []})
    expected = defaultdict(list)
    for key, number in records:
        s = state[key]
        s["count"] += 1
        s["recent"] = (s["recent"] + [number])[-3:]
        s["seen"][number % 2] = s["seen"].get(number % 2, 0) + 1
        s["numbers"].append(number)
        expected[key].append((key, s["count"], tuple(s["recent"]), tuple(sorted(s["seen"].items())),
                              sum(s["numbers"]), sum(s["numbers"]) / len(s["numbers"])))
    return expected


def by_key(outputs):
    grouped = defaultdict(list)
    for output in outputs:
        grouped[output[0]].append(output)
    return grouped


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_every_kind_of_state_matches_replay(parallelism):
    records = events(400, keys=13, seed=parallelism)
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    stream = env.from_collection(records).key_by(lambda r: r[0]).process(EveryKind())
    outputs = stream.execute_and_collect()
    # One key's elements reach one subtask in order, so each key's outputs are exact.
    assert by_key(outputs) == replay_every_kind(records)


class RunningCount(MapFunction):
    def open(self, runtime_context):
        self.count = runtime_context.get_state(ValueStateDescriptor("count"))

    def map(self, value):
        count = (self.count.value() or 0) + 1
        self.count.update(count)
        return value[0], count


class EmitEveryThird(FlatMapFunction):
    def open(self, runtime_context):
        self.pending = runtime_context.get_list_state(ListStateDescriptor("pending"))

    def flat_map(self, value):
        self.pending.add(value[1])
        if len(self.pending.get()) == 3:
            yield value[0], tuple(self.pending.get())
            self.pending.clear()


class FirstTwoPerKey(FilterFunction):
    def open(self, runtime_context):
        self.seen = runtime_context.get_state(ValueStateDescriptor("seen"))

    def filter(self, value):
        seen = (self.seen.value() or 0) + 1
        self.seen.update(seen)
        return seen <= 2


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_keyed_map_flat_map_and_filter_use_state(parallelism):
    records = events(300, keys=7, seed=10 + parallelism)
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    keyed = env.from_collection(records).key_by(lambda r: r[0])
    counts = list(keyed.map(RunningCount()).execute_and_collect())
    keyed = env.from_collection(records).key_by(lambda r: r[0])
    triples = list(keyed.flat_map(EmitEveryThird()).execute_and_collect())
    keyed = env.from_collection(records).key_by(lambda r: r[0])
    firsts = list(keyed.filter(FirstTwoPerKey()).execute_and_collect())

    per_key = defaultdict(list)
    for key, number in records:
        per_key[key].append(number)
    assert by_key(counts) == {k: [(k, i + 1) for i in range(len(v))] for k, v in per_key.items()}
    assert by_key(triples) == {k: [(k, tuple(v[i:i + 3])) for i in range(0, len(v) - 2, 3)]
                               for k, v in per_key.items() if len(v) >= 3}
    assert by_key(firsts) == {k: [(k, n) for n in v[:2]] for k, v in per_key.items()}


class ExpiringLastSeen(KeyedProcessFunction):
    """Reports the key's previous value if it has not expired, then stores the new one."""

    def open(self, runtime_context):
        descriptor = ValueStateDescriptor("last")
        descriptor.enable_time_to_live(StateTtlConfig.new_builder(Time.milliseconds(100)).build())
        self.last = runtime_context.get_state(descriptor)

    def process_element(self, value, ctx):
        previous = self.last.value()
        self.last.update(value[1])
        yield value[0], value[1], previous, ctx.timer_service().current_processing_time()


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_ttl_with_the_jobs_manual_clock(parallelism):
    clock = _core.ManualClock(10_000)
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    env._set_processing_time_clock(clock)
    source = ControlledSource()
    results = LiveResults(env.from_source(source, None, "controlled").key_by(lambda r: r[0])
                          .process(ExpiringLastSeen()).execute_and_collect())
    # (advance the clock by, record); the replay below knows the same rules.
    steps = [(0, ("a", 1)), (0, ("b", 1)), (50, ("a", 2)), (99, ("a", 3)), (0, ("b", 2)),
             (100, ("a", 4)), (30, ("b", 3)), (500, ("a", 5)), (0, ("a", 6))]
    outputs = []
    try:
        for advance, record in steps:
            clock.advance(advance)
            source.push(record)
            outputs += results.take(1)  # processed before the clock moves again
    finally:
        source.end()
    assert results.finish() == []

    now, written, expected = 10_000, {}, []
    for advance, (key, value) in steps:
        now += advance
        previous = written.get(key)
        alive = previous is not None and previous[1] + 100 > now
        expected.append((key, value, previous[0] if alive else None, now))
        written[key] = (value, now)
    assert outputs == expected


class UsesStateWithoutKey(MapFunction):
    def open(self, runtime_context):
        runtime_context.get_state(ValueStateDescriptor("v"))

    def map(self, value):
        return value


class TwoKindsOneName(KeyedProcessFunction):
    def open(self, runtime_context):
        runtime_context.get_state(ValueStateDescriptor("shared"))
        runtime_context.get_list_state(ListStateDescriptor("shared"))

    def process_element(self, value, ctx):
        yield value


def test_keyed_state_on_a_non_keyed_stream_is_a_clear_error():
    env = StreamExecutionEnvironment.get_execution_environment()
    with pytest.raises(JobExecutionError, match="keyed state needs a keyed stream: call key_by\\(\\) first"):
        list(env.from_collection([1, 2]).map(UsesStateWithoutKey()).execute_and_collect())


def test_one_state_name_with_two_kinds_is_a_clear_error():
    env = StreamExecutionEnvironment.get_execution_environment()
    stream = env.from_collection([1, 2]).key_by(lambda x: x).process(TwoKindsOneName())
    with pytest.raises(UserFunctionError, match="'shared' is already registered as a ValueState"):
        list(stream.execute_and_collect())
