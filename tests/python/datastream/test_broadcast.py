"""Broadcast state: a rule (or model) update pushed to every parallel instance, which
applies it to every record after it; KeyedBroadcastProcessFunction with keyed state,
apply_to_keyed_state() and timers; plain broadcast() partitioning; misuse."""

from collections import Counter

import pytest
from keyed_testing import PARALLELISMS, ControlledSource, FieldTimestamp, LiveResults

from fluvial.common.watermark_strategy import WatermarkStrategy
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.broadcast_stream import BroadcastStream
from fluvial.datastream.functions import (
    BroadcastProcessFunction,
    KeyedBroadcastProcessFunction,
    MapFunction,
)
from fluvial.datastream.state import MapStateDescriptor, ValueStateDescriptor
from fluvial.errors import JobExecutionError

RULES = MapStateDescriptor("rules")


def environment(parallelism):
    return StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)


class SubtaskIndex(MapFunction):
    def open(self, runtime_context):
        self.index = runtime_context.get_index_of_this_subtask()

    def map(self, value):
        return self.index, value


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_broadcast_without_descriptors_is_still_a_partitioning(parallelism):
    env = environment(parallelism)
    outputs = list(env.from_collection([1, 2, 3]).broadcast().map(SubtaskIndex()).execute_and_collect())
    assert Counter(outputs) == Counter((i, v) for i in range(parallelism) for v in (1, 2, 3))


class ApplyThreshold(BroadcastProcessFunction):
    """Rules arrive as (name, threshold); each number is judged by the current rule."""

    def open(self, runtime_context):
        self.index = runtime_context.get_index_of_this_subtask()

    def process_broadcast_element(self, value, ctx):
        ctx.get_broadcast_state(RULES).put("threshold", value)
        yield "ack", self.index, value

    def process_element(self, value, ctx):
        threshold = ctx.get_broadcast_state(RULES).get("threshold")
        yield "judged", self.index, value, threshold, value >= threshold


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_rule_update_reaches_every_instance_before_later_records(parallelism):
    env = environment(parallelism)
    rules, numbers = ControlledSource(), ControlledSource()
    rule_stream = env.from_source(rules, None, "rules").broadcast(RULES)
    number_stream = env.from_source(numbers, None, "numbers").rebalance()
    results = LiveResults(number_stream.connect(rule_stream).process(ApplyThreshold())
                          .execute_and_collect())
    judged = []
    try:
        for threshold, batch in ((10, range(0, 20, 2)), (15, range(5, 25, 3)), (3, range(8))):
            rules.push(threshold)
            acks = results.take(parallelism)
            # Every parallel instance received the rule ...
            assert sorted(a[1] for a in acks) == list(range(parallelism))
            assert {a[2] for a in acks} == {threshold}
            numbers.push(*batch)
            outputs = results.take(len(batch))
            # ... and judges every later number by it, whichever instance gets the number.
            assert sorted(o[2:] for o in outputs) == sorted((n, threshold, n >= threshold) for n in batch)
            judged += outputs
    finally:
        rules.end()
        numbers.end()
    assert results.finish() == []
    assert len({o[1] for o in judged}) == parallelism  # every instance judged numbers


BOOST = ValueStateDescriptor("boost")
MODEL = MapStateDescriptor("model")


class Scorer(KeyedBroadcastProcessFunction):
    """Scores clicks per user with the current model version; a model update resets every
    user's boost through apply_to_keyed_state(); a timer per click reports the model
    current when it fires."""

    def open(self, runtime_context):
        self.index = runtime_context.get_index_of_this_subtask()
        self.boost = runtime_context.get_state(BOOST)

    def process_element(self, value, ctx):
        user, timestamp = value
        model = ctx.get_broadcast_state(MODEL).get("version")
        self.boost.update((self.boost.value() or 0) + 1)
        # Far beyond the input: fires when it ends, so with the last model.
        ctx.timer_service().register_event_time_timer(timestamp + 1_000_000)
        yield "score", ctx.get_current_key(), model, self.boost.value()

    def process_broadcast_element(self, value, ctx):
        ctx.get_broadcast_state(MODEL).put("version", value)
        visited = []

        def reset(user, boost):
            visited.append((user, boost.value()))
            boost.update(0)

        ctx.apply_to_keyed_state(BOOST, reset)
        yield "model", self.index, value, tuple(sorted(visited))

    def on_timer(self, timestamp, ctx):
        model = ctx.get_broadcast_state(MODEL).get("version")
        yield "timer", ctx.get_current_key(), model, timestamp, ctx.time_domain().name


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_model_update_with_apply_to_keyed_state(parallelism):
    env = environment(parallelism)
    models, clicks = ControlledSource(), ControlledSource()
    model_stream = env.from_source(models, None, "models").broadcast(MODEL)
    strategy = WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(FieldTimestamp(1))
    click_stream = env.from_source(clicks, strategy, "clicks").key_by(lambda c: c[0])
    results = LiveResults(click_stream.connect(model_stream).process(Scorer()).execute_and_collect())
    # Replay: boosts per user, reset by every model update.
    boosts, timers = {}, []
    try:
        models.push("v1")
        assert sorted(results.take(parallelism)) == [("model", i, "v1", ()) for i in range(parallelism)]
        for rounds, (version, users) in enumerate((("v2", "abcab"), ("v3", "cdda"))):
            clicked = [(user, 1000 * (rounds + 1) + i) for i, user in enumerate(users)]
            clicks.push(*clicked)
            outputs = results.take(len(clicked))
            expected = []
            for user, _ in clicked:
                boosts[user] = boosts.get(user, 0) + 1
                expected.append(("score", user, "v1" if rounds == 0 else "v2", boosts[user]))
                timers.append(user)
            assert sorted(o for o in outputs if o[0] == "score") == sorted(expected)
            models.push(version)
            acks = [o for o in results.take(parallelism) if o[0] == "model"]
            assert sorted(a[1] for a in acks) == list(range(parallelism))
            # Each key lives in one instance: together they visited every user once.
            visited = [v for a in acks for v in a[3]]
            assert sorted(visited) == sorted(boosts.items())
            boosts = {user: 0 for user in boosts}
    finally:
        models.end()
        clicks.end()
    rest = results.finish()
    # One timer per click (distinct times), fired by the end of the input, with the last model.
    assert Counter((o[1], o[2]) for o in rest if o[0] == "timer") == Counter((u, "v3") for u in timers)
    assert all(o[4] == "EVENT_TIME" for o in rest)


class WritesInProcessElement(BroadcastProcessFunction):
    def process_broadcast_element(self, value, ctx):
        return []

    def process_element(self, value, ctx):
        ctx.get_broadcast_state(RULES).put("x", value)
        return []


class UnknownDescriptor(BroadcastProcessFunction):
    def process_broadcast_element(self, value, ctx):
        ctx.get_broadcast_state(MapStateDescriptor("not registered")).put("x", value)
        return []

    def process_element(self, value, ctx):
        return []


class KeyedStateOnBroadcastSide(KeyedBroadcastProcessFunction):
    def open(self, runtime_context):
        self.boost = runtime_context.get_state(BOOST)

    def process_broadcast_element(self, value, ctx):
        self.boost.update(1)
        return []

    def process_element(self, value, ctx):
        return []


def run_broadcast(function, keyed=False):
    env = environment(2)
    events = env.from_collection([1, 2])
    if keyed:
        events = events.key_by(lambda v: v)
    rules = env.from_collection([10]).broadcast(RULES)
    return list(events.connect(rules).process(function).execute_and_collect())


def test_broadcast_misuse_is_reported_clearly():
    with pytest.raises(JobExecutionError, match="read-only in process_element"):
        run_broadcast(WritesInProcessElement())
    with pytest.raises(JobExecutionError, match="'not registered' does not exist: pass its "
                                                "MapStateDescriptor to DataStream.broadcast"):
        run_broadcast(UnknownDescriptor())
    with pytest.raises(JobExecutionError, match="apply_to_keyed_state"):
        run_broadcast(KeyedStateOnBroadcastSide(), keyed=True)
    env = environment(1)
    with pytest.raises(TypeError, match="expects MapStateDescriptors"):
        env.from_collection([1]).broadcast(ValueStateDescriptor("v"))
    broadcast = env.from_collection([1]).broadcast(RULES)
    assert isinstance(broadcast, BroadcastStream)
    with pytest.raises(TypeError, match="KeyedBroadcastProcessFunction needs a KeyedStream"):
        env.from_collection([1]).connect(broadcast).process(Scorer())
    with pytest.raises(TypeError, match="needs a KeyedBroadcastProcessFunction"):
        env.from_collection([1]).key_by(lambda v: v).connect(broadcast).process(ApplyThreshold())


class ReadsRules(BroadcastProcessFunction):
    def process_broadcast_element(self, value, ctx):
        ctx.get_broadcast_state(RULES).put(value, True)
        yield "rule", value

    def process_element(self, value, ctx):
        rules = ctx.get_broadcast_state(RULES)
        yield value, sorted(rules.keys()), rules.contains(value), rules.is_empty()


def test_read_only_broadcast_state_reads():
    env = environment(1)
    rules, numbers = ControlledSource(), ControlledSource()
    stream = env.from_source(numbers, None, "numbers").connect(
        env.from_source(rules, None, "rules").broadcast(RULES)).process(ReadsRules())
    results = LiveResults(stream.execute_and_collect())
    try:
        numbers.push(1)
        assert results.take(1) == [(1, [], False, True)]
        rules.push(1, 2)
        assert sorted(results.take(2)) == [("rule", 1), ("rule", 2)]
        numbers.push(2)
        assert results.take(1) == [(2, [1, 2], True, False)]
    finally:
        rules.end()
        numbers.end()
    assert results.finish() == []
