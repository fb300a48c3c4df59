"""KeyedProcessFunction: event-time timers (out-of-order input, deleted and
re-registered timers, the final watermark of a bounded input), processing-time
timers on a manual clock, and the LabelGenerator scenario, at parallelism 1 and 4,
each checked against a plain-Python replay of the same events."""

import random
from collections import defaultdict

import pytest
from keyed_testing import PARALLELISMS, ControlledSource, LiveResults, OneByOneSource, out_of_orderness

from fluvial import _core
from fluvial.common.typeinfo import Types
from fluvial.common.types import Row
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.functions import KeyedProcessFunction, ProcessFunction, TimeDomain
from fluvial.datastream.state import ValueStateDescriptor
from fluvial.errors import JobExecutionError

MIN_WATERMARK = -(2 ** 63)


def by_key(outputs, position=1):
    grouped = defaultdict(list)
    for output in outputs:
        grouped[output[position]].append(output)
    return dict(grouped)


def run_event_time(records, function, parallelism, delay, timestamp_field=1):
    """Runs 'function' keyed by field 0, with a watermark after every record."""
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    stream = env.from_source(OneByOneSource(records), out_of_orderness(delay, timestamp_field), "events")
    return list(stream.key_by(lambda r: r[0]).process(function).execute_and_collect())


class EventTimeReplay:
    """Flink's event-time timer rules in plain Python: per key at most one timer per
    timestamp; after each record the watermark is max timestamp - delay - 1, and when
    it rises every timer at or below it fires in timestamp order; at the end of the
    input it jumps to the maximum."""

    def __init__(self, delay):
        self.delay = delay
        self.watermark = MIN_WATERMARK
        self.max_timestamp = MIN_WATERMARK
        self.timers = {}  # (timestamp, key) -> registration number
        self.registrations = 0

    def register(self, key, timestamp):
        if (timestamp, key) not in self.timers:
            self.registrations += 1
            self.timers[(timestamp, key)] = self.registrations

    def delete(self, key, timestamp):
        self.timers.pop((timestamp, key), None)

    def advance(self, timestamp, on_timer):
        self.max_timestamp = max(self.max_timestamp, timestamp)
        self.fire_until(self.max_timestamp - self.delay - 1, on_timer)

    def fire_until(self, watermark, on_timer):
        if watermark <= self.watermark:
            return
        self.watermark = watermark
        while True:
            due = [t for t in self.timers if t[0] <= watermark]
            if not due:
                return
            first = min(due, key=lambda t: (t[0], self.timers[t]))
            del self.timers[first]
            on_timer(*first)


class Reminders(KeyedProcessFunction):
    """("set", ts) asks for a reminder 10 ms after ts; ("move", ts) deletes the pending
    reminder and asks for one 20 ms after ts instead."""

    def open(self, runtime_context):
        self.pending = runtime_context.get_state(ValueStateDescriptor("pending"))

    def process_element(self, value, ctx):
        key, timestamp, action = value
        timers = ctx.timer_service()
        if action == "move" and self.pending.value() is not None:
            timers.delete_event_time_timer(self.pending.value())
        due = timestamp + (20 if action == "move" else 10)
        timers.register_event_time_timer(due)
        self.pending.update(due)
        yield "element", key, ctx.timestamp(), timers.current_watermark()

    def on_timer(self, timestamp, ctx):
        if self.pending.value() == timestamp:
            self.pending.clear()
        yield "timer", ctx.get_current_key(), timestamp, ctx.timestamp(), ctx.time_domain()


def replay_reminders(records, delay):
    replay = EventTimeReplay(delay)
    pending, outputs = {}, []

    def on_timer(timestamp, key):
        if pending.get(key) == timestamp:
            del pending[key]
        outputs.append(("timer", key, timestamp, timestamp, TimeDomain.EVENT_TIME))

    for key, timestamp, action in records:
        if action == "move" and key in pending:
            replay.delete(key, pending[key])
        due = timestamp + (20 if action == "move" else 10)
        replay.register(key, due)
        pending[key] = due
        outputs.append(("element", key, timestamp, replay.watermark))
        replay.advance(timestamp, on_timer)
    replay.fire_until(2 ** 63 - 1, on_timer)
    return outputs


def reminder_events(count, keys, seed):
    rng = random.Random(seed)
    records, now = [], 1000
    for _ in range(count):
        now += rng.randrange(0, 8)
        # Up to 15 ms out of order, some events later than the watermark allows.
        timestamp = now - rng.randrange(0, 16)
        records.append((f"k{rng.randrange(keys)}", timestamp, rng.choice(["set", "set", "move"])))
    return records


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_event_time_timers_match_replay(parallelism):
    records = reminder_events(300, keys=9, seed=parallelism)
    outputs = run_event_time(records, Reminders(), parallelism, delay=5)
    expected = replay_reminders(records, delay=5)
    assert by_key(outputs) == by_key(expected)
    assert any(o[0] == "timer" for o in outputs) and any(r[2] == "move" for r in records)


class FireAtEnd(KeyedProcessFunction):
    def process_element(self, value, ctx):
        ctx.timer_service().register_event_time_timer(value[1] + 1_000_000)
        return []

    def on_timer(self, timestamp, ctx):
        yield ctx.get_current_key(), timestamp


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_timers_beyond_the_input_fire_when_a_bounded_input_ends(parallelism):
    records = [("a", 5), ("b", 7), ("a", 9), ("a", 5)]
    outputs = run_event_time(records, FireAtEnd(), parallelism, delay=0)
    assert sorted(outputs) == [("a", 1_000_005), ("a", 1_000_009), ("b", 1_000_007)]


class ProcessingTimeouts(KeyedProcessFunction):
    """Each element restarts its key's 100 ms processing-time timeout."""

    def open(self, runtime_context):
        self.deadline = runtime_context.get_state(ValueStateDescriptor("deadline"))

    def process_element(self, value, ctx):
        timers = ctx.timer_service()
        if self.deadline.value() is not None:
            timers.delete_processing_time_timer(self.deadline.value())
        deadline = timers.current_processing_time() + 100
        timers.register_processing_time_timer(deadline)
        self.deadline.update(deadline)
        yield "element", ctx.get_current_key(), timers.current_processing_time(), ctx.timestamp()

    def on_timer(self, timestamp, ctx):
        self.deadline.clear()
        yield "timeout", ctx.get_current_key(), timestamp, ctx.timestamp(), ctx.time_domain()


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_processing_time_timers_on_a_manual_clock(parallelism):
    clock = _core.ManualClock(1_000)
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    env._set_processing_time_clock(clock)
    source = ControlledSource()
    results = LiveResults(env.from_source(source, None, "controlled").key_by(lambda key: key)
                          .process(ProcessingTimeouts()).execute_and_collect())
    try:
        source.push("a", "b")
        assert sorted(results.take(2)) == [("element", "a", 1000, None), ("element", "b", 1000, None)]
        clock.advance(60)
        source.push("a")  # moves a's timeout from 1100 to 1160
        assert results.take(1) == [("element", "a", 1060, None)]
        clock.advance(40)  # 1100: only b times out
        assert results.take(1) == [("timeout", "b", 1100, 1100, TimeDomain.PROCESSING_TIME)]
        clock.advance(59)  # 1159: nothing is due
        source.push("c")
        assert results.take(1) == [("element", "c", 1159, None)]
        clock.advance(1)  # 1160: a times out
        assert results.take(1) == [("timeout", "a", 1160, 1160, TimeDomain.PROCESSING_TIME)]
    finally:
        source.end()
    # Like Flink, processing-time timers still pending when the input ends do not fire.
    assert results.finish() == []


class LabelGenerator(KeyedProcessFunction):
    """The user document's training-sample generator (expose/click events keyed by
    (user_id, item_id)): a click before the exposure's 10-minute event-time timer is a
    positive sample, the timer firing a negative one, a click after it is ignored."""

    def open(self, runtime_context):
        self.input_state = runtime_context.get_state(
            ValueStateDescriptor("input_element", Types.PICKLED_BYTE_ARRAY()))
        self.click_timer_state = runtime_context.get_state(
            ValueStateDescriptor("click_timer", Types.LONG()))

    def process_element(self, input_value, ctx: "KeyedProcessFunction.Context"):
        if input_value.type == "expose":
            self.input_state.update(input_value)
            # register the click timer
            click_timer = ctx.timestamp() + 600000
            self.click_timer_state.update(click_timer)
            ctx.timer_service().register_event_time_timer(click_timer)
        elif input_value.type == "click":
            # cancel the click timer
            click_timer = self.click_timer_state.value()
            if click_timer is not None:
                ctx.timer_service().delete_event_time_timer(click_timer)
                yield Row(*self.input_state.value(), 1)
                self.input_state.clear()
                self.click_timer_state.clear()

    def on_timer(self, timestamp: int, ctx: "KeyedProcessFunction.OnTimerContext"):
        input_value = self.input_state.value()
        self.input_state.clear()
        self.click_timer_state.clear()
        yield Row(*input_value, 0)


TEN_MINUTES = 600000


def label_events(seed):
    """Exposures, clicks within and after the 10 minutes, slightly out of order."""
    rng = random.Random(seed)
    events, minute = [], 60 * 1000
    for user in range(6):
        for item in range(5):
            start = rng.randrange(0, 60) * minute
            expose = Row(user_id=f"u{user}", item_id=f"i{item}", type="expose", ts=start)
            events.append(expose)
            fate = rng.choice(["click", "late", "none"])
            if fate != "none":
                delay = rng.randrange(1, 10) if fate == "click" else rng.randrange(11, 30)
                events.append(Row(user_id=f"u{user}", item_id=f"i{item}", type="click",
                                  ts=start + delay * minute))
    events.sort(key=lambda e: e.ts + rng.randrange(0, 30_000))  # up to 30 s out of order
    return events


def replay_labels(events, delay):
    replay = EventTimeReplay(delay)
    exposures, labels = {}, []

    def on_timer(timestamp, key):
        labels.append(tuple(exposures.pop(key)) + (0,))

    for event in events:
        key = (event.user_id, event.item_id)
        if event.type == "expose":
            exposures[key] = event
            replay.register(key, event.ts + TEN_MINUTES)
        elif event.type == "click" and key in exposures:
            replay.delete(key, exposures[key].ts + TEN_MINUTES)
            labels.append(tuple(exposures.pop(key)) + (1,))
        replay.advance(event.ts, on_timer)
    replay.fire_until(2 ** 63 - 1, on_timer)
    return labels


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_label_generator(parallelism):
    events = label_events(seed=parallelism)
    delay = 30_000
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    src_datastream = env.from_source(OneByOneSource(events), out_of_orderness(delay, 3), "events")
    rst_datastream = src_datastream.key_by(lambda x: (x.user_id, x.item_id)).process(LabelGenerator())
    labels = [tuple(row) for row in rst_datastream.execute_and_collect()]
    expected = replay_labels(events, delay)
    assert sorted(labels) == sorted(expected)
    assert {label[-1] for label in labels} == {0, 1}
    # Some clicks came after their timer and were ignored.
    assert sum(e.type == "click" for e in events) > sum(label[-1] for label in labels)


class CountWithProcessFunction(ProcessFunction):
    """A ProcessFunction on a KeyedStream runs keyed, so it may use keyed state."""

    def open(self, runtime_context):
        self.count = runtime_context.get_state(ValueStateDescriptor("count"))

    def process_element(self, value, ctx):
        self.count.update((self.count.value() or 0) + 1)
        yield value, self.count.value()


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_process_function_on_a_keyed_stream_has_keyed_state(parallelism):
    env = StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)
    values = ["a", "b", "a", "c", "a", "b"]
    outputs = list(env.from_collection(values).key_by(lambda v: v)
                   .process(CountWithProcessFunction()).execute_and_collect())
    assert sorted(outputs) == [("a", 1), ("a", 2), ("a", 3), ("b", 1), ("b", 2), ("c", 1)]


def test_keyed_stream_process_rejects_other_functions():
    env = StreamExecutionEnvironment.get_execution_environment()
    with pytest.raises(TypeError, match="KeyedStream.process\\(\\) expects a KeyedProcessFunction"):
        env.from_collection([1]).key_by(lambda v: v).process(lambda v, ctx: [v])


class TimerOnUnkeyedStream(ProcessFunction):
    def process_element(self, value, ctx):
        ctx.timer_service().register_event_time_timer(10)
        yield value


def test_timers_on_a_stream_that_is_not_keyed_are_a_clear_error():
    env = StreamExecutionEnvironment.get_execution_environment()
    stream = env.from_collection([1]).process(TimerOnUnkeyedStream())
    with pytest.raises(JobExecutionError, match="timers need a keyed stream"):
        list(stream.execute_and_collect())
