"""DataStream.connect(): CoMapFunction, CoFlatMapFunction, CoProcessFunction and
KeyedCoProcessFunction (keyed state shared by both inputs, event-time timers), at
parallelism 1 and 4 against plain-Python replays."""

import random
from collections import Counter

import pytest
from keyed_testing import PARALLELISMS, OneByOneSource, out_of_orderness

from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.functions import (
    CoFlatMapFunction,
    CoMapFunction,
    CoProcessFunction,
    KeyedCoProcessFunction,
    MapFunction,
)
from fluvial.datastream.state import ValueStateDescriptor
from fluvial.errors import JobExecutionError


def environment(parallelism):
    return StreamExecutionEnvironment.get_execution_environment().set_parallelism(parallelism)


class Tagging(CoMapFunction):
    def map1(self, value):
        return "number", value * 10

    def map2(self, value):
        return "word", value.upper()


class Splitting(CoFlatMapFunction):
    def flat_map1(self, value):
        yield from range(value)

    def flat_map2(self, value):
        return list(value)


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_co_map_and_co_flat_map(parallelism):
    numbers, words = list(range(50)), [f"w{i}" for i in range(30)]
    env = environment(parallelism)
    mapped = env.from_collection(numbers).connect(env.from_collection(words)).map(Tagging())
    assert Counter(mapped.execute_and_collect()) == Counter(
        [("number", n * 10) for n in numbers] + [("word", w.upper()) for w in words])
    env = environment(parallelism)
    split = env.from_collection([3, 1, 4]).connect(env.from_collection(["ab", "c"])).flat_map(Splitting())
    assert Counter(split.execute_and_collect()) == Counter([0, 1, 2, 0, 0, 1, 2, 3, "a", "b", "c"])


class Stamped(CoProcessFunction):
    def process_element1(self, value, ctx):
        yield "first", value[0], ctx.timestamp()

    def process_element2(self, value, ctx):
        yield "second", value[0], ctx.timestamp()


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_co_process_function_sees_each_inputs_timestamps(parallelism):
    env = environment(parallelism)
    first = env.from_source(OneByOneSource([("a", 5), ("b", 9)]), out_of_orderness(0, 1), "first")
    second = env.from_collection([("c", 0)])  # no timestamps
    outputs = list(first.connect(second).process(Stamped()).execute_and_collect())
    assert sorted(outputs, key=str) == sorted([("first", "a", 5), ("first", "b", 9),
                                                ("second", "c", None)], key=str)


class TimerWithoutKey(CoProcessFunction):
    def process_element1(self, value, ctx):
        ctx.timer_service().register_event_time_timer(10)
        return []

    def process_element2(self, value, ctx):
        return []


def test_timers_on_unkeyed_connected_streams_are_a_clear_error():
    env = environment(1)
    stream = env.from_collection([1]).connect(env.from_collection([2])).process(TimerWithoutKey())
    with pytest.raises(JobExecutionError, match="timers need a keyed stream"):
        list(stream.execute_and_collect())


class PaymentMatcher(KeyedCoProcessFunction):
    """Orders (input 1) and payments (input 2) keyed by order id: whichever comes first
    waits up to TIMEOUT ms of event time for the other."""

    TIMEOUT = 50

    def open(self, runtime_context):
        self.order = runtime_context.get_state(ValueStateDescriptor("order"))
        self.payment = runtime_context.get_state(ValueStateDescriptor("payment"))

    def process_element1(self, value, ctx):
        yield from self._arrive(self.order, self.payment, value, ctx)

    def process_element2(self, value, ctx):
        yield from self._arrive(self.payment, self.order, value, ctx)

    def _arrive(self, mine, other, value, ctx):
        waiting = other.value()
        if waiting is None:
            mine.update(value)
            ctx.timer_service().register_event_time_timer(value[1] + self.TIMEOUT)
        else:
            ctx.timer_service().delete_event_time_timer(waiting[1] + self.TIMEOUT)
            other.clear()
            yield "paid", ctx.get_current_key()

    def on_timer(self, timestamp, ctx):
        if self.order.value() is not None:
            yield "unpaid", ctx.get_current_key()
        if self.payment.value() is not None:
            yield "unknown order", ctx.get_current_key()
        self.order.clear()
        self.payment.clear()


def slightly_out_of_order(events, delay, rng):
    """Sorts events by time, then swaps some neighbours less than 'delay' apart: out of
    order, but never later than the watermark allows."""
    result = sorted(events, key=lambda e: e[1])
    for i in range(0, len(result) - 1, 2):
        if result[i + 1][1] - result[i][1] <= delay and rng.random() < 0.5:
            result[i], result[i + 1] = result[i + 1], result[i]
    return result


def orders_and_payments(seed, delay):
    """Every payment is within TIMEOUT of its order, so the outcome does not depend on
    how the two inputs interleave (no element is late)."""
    rng = random.Random(seed)
    orders, payments, expected = [], [], Counter()
    for order_id in range(120):
        placed = rng.randrange(100, 5000)
        fate = rng.choice(["paid", "unpaid", "unknown order"])
        if fate != "unknown order":
            orders.append((order_id, placed))
        if fate != "unpaid":
            shift = rng.randrange(-PaymentMatcher.TIMEOUT, PaymentMatcher.TIMEOUT + 1)
            payments.append((order_id, placed + shift))
        expected[(fate, order_id)] += 1
    return (slightly_out_of_order(orders, delay, rng), slightly_out_of_order(payments, delay, rng),
            expected)


@pytest.mark.parametrize("parallelism", PARALLELISMS)
@pytest.mark.parametrize("key_first", [True, False])
def test_keyed_co_process_shares_state_and_timers_between_inputs(parallelism, key_first):
    delay = 3
    orders, payments, expected = orders_and_payments(seed=parallelism, delay=delay)
    env = environment(parallelism)
    order_stream = env.from_source(OneByOneSource(orders), out_of_orderness(delay, 1), "orders")
    payment_stream = env.from_source(OneByOneSource(payments), out_of_orderness(delay, 1), "payments")
    if key_first:
        connected = order_stream.key_by(lambda o: o[0]).connect(payment_stream.key_by(lambda p: p[0]))
    else:
        connected = order_stream.connect(payment_stream).key_by(lambda o: o[0], lambda p: p[0])
    outputs = Counter(connected.process(PaymentMatcher()).execute_and_collect())
    assert outputs == expected


class CountBothSides(CoMapFunction):
    """Keyed state in a CoMapFunction on keyed connected streams."""

    def open(self, runtime_context):
        self.count = runtime_context.get_state(ValueStateDescriptor("count"))

    def map1(self, value):
        return self._count(value)

    def map2(self, value):
        return self._count(value)

    def _count(self, value):
        self.count.update((self.count.value() or 0) + 1)
        return value, self.count.value()


@pytest.mark.parametrize("parallelism", PARALLELISMS)
def test_co_map_on_keyed_connected_streams_has_keyed_state(parallelism):
    env = environment(parallelism)
    left = env.from_collection(["a", "b", "a"])
    right = env.from_collection(["a", "c"])
    outputs = left.connect(right).key_by(lambda v: v, lambda v: v).map(CountBothSides())
    final = {}
    for value, count in outputs.execute_and_collect():
        final[value] = max(final.get(value, 0), count)
    assert final == {"a": 3, "b": 1, "c": 1}


class Identity(MapFunction):
    def map(self, value):
        return value


def test_connect_misuse_is_reported_clearly():
    env = environment(1)
    connected = env.from_collection([1]).connect(env.from_collection([2]))
    with pytest.raises(TypeError, match="KeyedCoProcessFunction needs keyed connected streams"):
        connected.process(PaymentMatcher())
    with pytest.raises(TypeError, match="expects a CoMapFunction"):
        connected.map(Identity())
    with pytest.raises(TypeError, match="expects a CoFlatMapFunction"):
        connected.flat_map(lambda v: [v])
    with pytest.raises(TypeError, match="expects a CoProcessFunction or a KeyedCoProcessFunction"):
        connected.process(Identity())
    with pytest.raises(TypeError, match="expects a DataStream or a BroadcastStream"):
        env.from_collection([1]).connect([2])
