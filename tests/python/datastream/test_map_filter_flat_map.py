"""map, flat_map and filter, with lambdas, plain functions and function classes,
checked against the same computation in plain Python."""

import pytest
from ds_support import TagSubtask, assert_same_elements, group_by_first, sequence_share

from fluvial.common import Row
from fluvial.datastream import FilterFunction, FlatMapFunction, MapFunction
from fluvial.datastream.connectors import NumberSequenceSource

DATA = list(range(-30, 70))


def check(env, actual, expected):
    """from_collection is non-parallel: at parallelism 1 the whole job is one chain and
    keeps the input order; at 4 a rebalance spreads the records, so order is free."""
    if env.get_parallelism() == 1:
        assert actual == expected
    else:
        assert_same_elements(actual, expected)


def collect(stream):
    return list(stream.execute_and_collect())


# ------------------------------------------------------------------------ map


class Scale(MapFunction):
    def __init__(self, factor):
        self.factor = factor

    def map(self, value):
        return value * self.factor + 1


def square_plus_one(value):
    return value * value + 1


def test_map_lambda(env):
    result = collect(env.from_collection(DATA).map(lambda x: x * 2 - 1))
    check(env, result, [x * 2 - 1 for x in DATA])


def test_map_function_class(env):
    result = collect(env.from_collection(DATA).map(Scale(3)))
    check(env, result, [x * 3 + 1 for x in DATA])


def test_map_plain_function_and_builtin(env):
    result = collect(env.from_collection(DATA).map(square_plus_one).map(str))
    check(env, result, [str(x * x + 1) for x in DATA])


def test_map_records_of_any_type(env):
    records = [1, 2.5, "text", None, True, (1, "a"), [1, 2], {"k": 1}, Row(1, "a"),
               Row(name="n", value=2), b"bytes"]
    result = collect(env.from_collection(records).map(lambda x: (type(x).__name__, x)))
    check(env, result, [(type(x).__name__, x) for x in records])


def test_map_may_return_none(env):
    result = collect(env.from_collection(DATA).map(lambda x: None))
    assert result == [None] * len(DATA)


def test_map_over_many_batches_keeps_order_at_parallelism_1(env1):
    data = list(range(5000))  # several of the sources' batches
    assert collect(env1.from_collection(data).map(lambda x: x + 1)) == [x + 1 for x in data]


def test_map_keeps_per_subtask_order_through_forward_edges(env, parallelism):
    source = NumberSequenceSource(0, 2999)
    stream = env.from_source(source, None, "numbers").map(lambda x: x * 3).map(TagSubtask())
    by_subtask = group_by_first(collect(stream))
    assert sorted(by_subtask) == list(range(parallelism))
    for subtask, values in by_subtask.items():
        # A forward edge keeps subtask i's records on subtask i, in order.
        assert values == [x * 3 for x in sequence_share(0, 2999, subtask, parallelism)]


# ------------------------------------------------------------------- flat_map


def emit_list(value):
    return [value] * (value % 3)


def emit_generator(value):
    for i in range(value % 4):
        yield (value, i)


def emit_none_for_odd(value):
    if value % 2:
        return None
    return [value, -value]


def emit_tuple_or_empty(value):
    return (value,) if value > 0 else ()


@pytest.mark.parametrize("function", [emit_list, emit_generator, emit_none_for_odd,
                                      emit_tuple_or_empty, lambda x: range(x % 5)],
                         ids=["list", "generator", "none", "tuple", "lambda-range"])
def test_flat_map_callables(env, function):
    result = collect(env.from_collection(DATA).flat_map(function))
    expected = [element for x in DATA for element in (function(x) or [])]
    check(env, result, expected)


class SplitWords(FlatMapFunction):
    def __init__(self, separator):
        self.separator = separator

    def flat_map(self, value):
        for word in value.split(self.separator):
            if word:
                yield word.upper()


class ListOrNone(FlatMapFunction):
    def flat_map(self, value):
        return None if value < 0 else [value, value]


def test_flat_map_function_class_yielding(env):
    lines = ["a b  c", "", "dd", " e f ", "g"] * 20
    result = collect(env.from_collection(lines).flat_map(SplitWords(" ")))
    check(env, result, [w.upper() for line in lines for w in line.split(" ") if w])


def test_flat_map_function_class_returning_list_or_none(env):
    result = collect(env.from_collection(DATA).flat_map(ListOrNone()))
    check(env, result, [y for x in DATA if x >= 0 for y in (x, x)])


def test_flat_map_emitting_nothing_at_all(env):
    assert collect(env.from_collection(DATA).flat_map(lambda x: [])) == []


# --------------------------------------------------------------------- filter


class KeepMultiplesOf(FilterFunction):
    def __init__(self, divisor):
        self.divisor = divisor

    def filter(self, value):
        return value % self.divisor == 0


def test_filter_lambda(env):
    result = collect(env.from_collection(DATA).filter(lambda x: x > 10))
    check(env, result, [x for x in DATA if x > 10])


def test_filter_function_class(env):
    result = collect(env.from_collection(DATA).filter(KeepMultiplesOf(7)))
    check(env, result, [x for x in DATA if x % 7 == 0])


def test_filter_uses_truthiness(env):
    records = [0, 1, "", "x", None, [], [0], (), 0.0, 2.5] * 5
    result = collect(env.from_collection(records).filter(lambda x: x))
    check(env, result, [x for x in records if x])


def test_filter_dropping_everything(env):
    assert collect(env.from_collection(DATA).filter(lambda x: False)) == []


# ------------------------------------------------------------------ pipelines


def test_pipeline_of_every_kind(env, parallelism):
    stream = (env.from_collection(DATA)
              .map(lambda x: x * 2)
              .filter(KeepMultiplesOf(3))
              .flat_map(emit_generator)
              .map(lambda pair: pair[0] * 10 + pair[1])
              .map(Scale(2))
              .filter(lambda pair: True))
    expected = [(y[0] * 10 + y[1]) * 2 + 1
                for x in DATA if (x * 2) % 3 == 0
                for y in emit_generator(x * 2)]
    check(env, collect(stream), expected)


def test_pipeline_on_parallel_source_keeps_subtask_order(env, parallelism):
    stream = (env.from_source(NumberSequenceSource(1, 1000), None, "numbers")
              .filter(lambda x: x % 3 != 0)
              .flat_map(lambda x: [x, -x])
              .map(TagSubtask()))
    by_subtask = group_by_first(collect(stream))
    for subtask in range(parallelism):
        share = sequence_share(1, 1000, subtask, parallelism)
        assert by_subtask.get(subtask) == [y for x in share if x % 3 != 0 for y in (x, -x)]
