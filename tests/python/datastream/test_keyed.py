"""key_by with reduce and the aggregations (sum, min, max, min_by, max_by), checked
against plain-Python re-computations of Flink's semantics:

- a keyed reduce emits, for every record, the key's running value;
- sum/min/max change one field of the key's first record;
- min_by/max_by keep the whole record holding the extreme, the earliest on ties;
- all records of a key go to one subtask, in the order they were sent.
"""

import random

import pytest
from ds_support import (
    TagSubtask,
    assert_same_elements,
    group_by_first,
    group_by_key,
)

from fluvial.common import Row
from fluvial.datastream import KeySelector, ReduceFunction
from fluvial.datastream.connectors import NumberSequenceSource

WORDS = ["apple", "kiwi", "fig", "plum", "pear", "lime", "date", "yuzu", "sloe"]


def make_records(count=400, seed=7):
    generator = random.Random(seed)
    return [(generator.choice(WORDS), generator.randint(-50, 50), generator.randint(0, 9))
            for _ in range(count)]


RECORDS = make_records()


def collect(stream):
    return list(stream.execute_and_collect())


def running(records, key, combine):
    """What a keyed reduce emits: per record, the key's value after it."""
    state = {}
    emitted = []
    for record in records:
        k = key(record)
        state[k] = combine(state[k], record) if k in state else record
        emitted.append(state[k])
    return emitted


def check_keyed(env, actual, expected, key):
    """Same records; per key in the same order (one sender, so per-key order holds at any
    parallelism); at parallelism 1 also the same overall order."""
    if env.get_parallelism() == 1:
        assert actual == expected
    assert_same_elements(actual, expected)
    assert group_by_key(actual, key) == group_by_key(expected, key)


# --------------------------------------------------------------------- reduce


class AddSecond(ReduceFunction):
    def reduce(self, value1, value2):
        return value1[0], value1[1] + value2[1], value2[2]


class FirstField(KeySelector):
    def get_key(self, value):
        return value[0]


def test_reduce_lambda_emits_running_values(env):
    stream = env.from_collection(RECORDS).key_by(lambda r: r[0]).reduce(
        lambda a, b: (a[0], a[1] + b[1], max(a[2], b[2])))
    expected = running(RECORDS, lambda r: r[0], lambda a, b: (a[0], a[1] + b[1], max(a[2], b[2])))
    check_keyed(env, collect(stream), expected, key=lambda r: r[0])


def test_reduce_function_class_and_key_selector_class(env):
    stream = env.from_collection(RECORDS).key_by(FirstField()).reduce(AddSecond())
    expected = running(RECORDS, lambda r: r[0], lambda a, b: (a[0], a[1] + b[1], b[2]))
    check_keyed(env, collect(stream), expected, key=lambda r: r[0])


def test_reduce_with_composite_keys(env):
    stream = env.from_collection(RECORDS).key_by(lambda r: (r[0], r[2] % 2)).reduce(
        lambda a, b: (a[0], a[1] + b[1], a[2]))
    expected = running(RECORDS, lambda r: (r[0], r[2] % 2), lambda a, b: (a[0], a[1] + b[1], a[2]))
    check_keyed(env, collect(stream), expected, key=lambda r: (r[0], r[2] % 2))


def test_equal_keys_of_different_types_are_one_key(env):
    # 1, 1.0 and True are one key in Python, and so in the engine.
    records = [(1, 1), (1.0, 10), (True, 100), (2, 1000), (2.0, 10000), ("1", 5)] * 3
    stream = env.from_collection(records).key_by(lambda r: r[0]).reduce(
        lambda a, b: (a[0], a[1] + b[1]))
    expected = running(records, lambda r: r[0], lambda a, b: (a[0], a[1] + b[1]))
    result = collect(stream)
    assert_same_elements(result, expected)
    assert max(v for k, v in result if k == 1) == 3 * 111


def test_reduce_keeps_running_value_per_key_over_many_batches(env):
    records = [(i % 13, 1) for i in range(6000)]
    stream = env.from_collection(records).key_by(lambda r: r[0]).reduce(
        lambda a, b: (a[0], a[1] + b[1]))
    result = collect(stream)
    per_key = group_by_key(result, lambda r: r[0])
    for key, values in per_key.items():
        assert [v for _, v in values] == list(range(1, len(values) + 1)), key
    assert sum(len(v) for v in per_key.values()) == 6000


def test_all_records_of_a_key_reach_one_subtask_in_order(env, parallelism):
    stream = env.from_collection(RECORDS).key_by(lambda r: r[0]).map(TagSubtask())
    tagged = collect(stream)
    subtasks_of_key = {}
    for subtask, record in tagged:
        subtasks_of_key.setdefault(record[0], set()).add(subtask)
    assert all(len(s) == 1 for s in subtasks_of_key.values()), subtasks_of_key
    assert {s for (s,) in subtasks_of_key.values()} <= set(range(parallelism))
    if parallelism > 1:
        assert len({s for (s,) in subtasks_of_key.values()}) > 1, "every key on one subtask"
    records_in_order = group_by_key([r for _, r in tagged], lambda r: r[0])
    assert records_in_order == group_by_key(RECORDS, lambda r: r[0])


def test_reduce_of_a_parallel_source_ends_with_each_keys_total(env, parallelism):
    # Several senders: the order within a key is free, the totals are not.
    source = env.from_source(NumberSequenceSource(1, 3000), None, "numbers")
    stream = source.map(lambda x: (x % 7, x, 1)).key_by(lambda r: r[0]).reduce(
        lambda a, b: (a[0], a[1] + b[1], a[2] + b[2]))
    result = collect(stream)
    assert len(result) == 3000
    finals = {}
    for key, total, count in result:
        if count > finals.get(key, (0, 0))[1]:
            finals[key] = (total, count)
    assert finals == {k: (sum(x for x in range(1, 3001) if x % 7 == k),
                          len([x for x in range(1, 3001) if x % 7 == k])) for k in range(7)}


def test_operators_after_key_by_see_a_keyed_stream(env):
    keyed = env.from_collection(RECORDS).key_by(lambda r: r[0])
    stream = keyed.filter(lambda r: r[1] > 0).flat_map(lambda r: [r[0]] * r[2])
    result = collect(stream)
    assert_same_elements(result, [r[0] for r in RECORDS if r[1] > 0 for _ in range(r[2])])


def test_one_keyed_stream_feeding_two_aggregations(env, channel):
    from ds_support import CollectSink

    keyed = env.from_collection(RECORDS).key_by(lambda r: r[0])
    keyed.sum(1).map(lambda r: ("sum", r)).add_sink(CollectSink(channel))
    keyed.max_by(2).map(lambda r: ("max_by", r)).add_sink(CollectSink(channel))
    env.execute()
    results = group_by_first(v for _, v in channel.items())
    sums = running(RECORDS, lambda r: r[0], lambda a, b: (a[0], a[1] + b[1], a[2]))
    max_bys = running(RECORDS, lambda r: r[0], lambda a, b: b if b[2] > a[2] else a)
    assert group_by_key(results["sum"], lambda r: r[0]) == group_by_key(sums, lambda r: r[0])
    assert group_by_key(results["max_by"], lambda r: r[0]) == group_by_key(max_bys, lambda r: r[0])


def test_key_by_twice(env):
    stream = (env.from_collection(RECORDS)
              .key_by(lambda r: r[0]).reduce(lambda a, b: (a[0], a[1] + b[1], a[2]))
              .key_by(lambda r: r[2]).reduce(lambda a, b: (a[0], a[1], a[2])))
    result = collect(stream)
    first = running(RECORDS, lambda r: r[0], lambda a, b: (a[0], a[1] + b[1], a[2]))
    if env.get_parallelism() == 1:
        assert result == running(first, lambda r: r[2], lambda a, b: a)
    else:
        # The first reduce has several subtasks: each key's first record wins, whichever
        # subtask it came from.
        assert len(result) == len(RECORDS)
        firsts = {}
        for record in result:
            firsts.setdefault(record[2], record)
        assert all(record == firsts[record[2]] for record in result)
        assert all(record in first for record in result)


# --------------------------------------------------------------- aggregations
#
# Each case: records, key selector, how to call the aggregation on the
# KeyedStream, and how to read/replace the aggregated field in plain Python.


def tuple_field(position):
    def get(record):
        return record[position]

    def replace(record, value):
        return record[:position] + (value,) + record[position + 1:]

    return get, replace


def row_name_field(name):
    def get(record):
        return record[name]

    def replace(record, value):
        fields = record.as_dict()
        fields[name] = value
        return Row(**fields)

    return get, replace


def row_position_field(position):
    def get(record):
        return record[position]

    def replace(record, value):
        values = list(record)
        values[position] = value
        return Row(*values)

    return get, replace


def number_field():
    return (lambda record: record), (lambda record, value: value)


TUPLES = RECORDS
NAMED_ROWS = [Row(word=w, count=c, weight=x) for w, c, x in RECORDS]
POSITIONAL_ROWS = [Row(w, c, x) for w, c, x in RECORDS]
NUMBERS = [c * 3 + x for _, c, x in RECORDS]

CASES = {
    # name: (records, key, position given to the aggregation, field accessors)
    "tuple-position-1": (TUPLES, lambda r: r[0], 1, tuple_field(1)),
    "tuple-position-2": (TUPLES, lambda r: r[0], 2, tuple_field(2)),
    "named-row-by-name": (NAMED_ROWS, lambda r: r["word"], "count", row_name_field("count")),
    "named-row-by-position": (NAMED_ROWS, lambda r: r.word, 2, row_name_field("weight")),
    "positional-row": (POSITIONAL_ROWS, lambda r: r[0], 1, row_position_field(1)),
    "numbers": (NUMBERS, lambda n: n % 5, 0, number_field()),
}


def reference(kind, get, replace):
    """Flink's aggregation semantics, as a combine(current, record) for running()."""
    if kind == "sum":
        return lambda current, record: replace(current, get(current) + get(record))
    if kind == "min":
        return lambda current, record: replace(current, min(get(current), get(record)))
    if kind == "max":
        return lambda current, record: replace(current, max(get(current), get(record)))
    if kind == "min_by":
        return lambda current, record: record if get(record) < get(current) else current
    if kind == "max_by":
        return lambda current, record: record if get(record) > get(current) else current
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["sum", "min", "max", "min_by", "max_by"])
@pytest.mark.parametrize("case", list(CASES))
def test_aggregation(env, kind, case):
    records, key, position, (get, replace) = CASES[case]
    keyed = env.from_collection(records).key_by(key)
    stream = getattr(keyed, kind)(position)
    expected = running(records, key, reference(kind, get, replace))
    result = collect(stream)
    if case == "numbers":
        # A running sum does not say which key it belongs to: compare whole streams.
        if env.get_parallelism() == 1:
            assert result == expected
        assert_same_elements(result, expected)
    else:
        check_keyed(env, result, expected, key)


def test_min_by_and_max_by_keep_the_earliest_record_on_ties(env):
    records = [("k", 1, "first"), ("k", 0, "low"), ("k", 5, "high"), ("k", 0, "low again"),
               ("k", 5, "high again"), ("j", 3, "only")]
    min_by = collect(env.from_collection(records).key_by(lambda r: r[0]).min_by(1))
    max_by = collect(env.from_collection(records).key_by(lambda r: r[0]).max_by(1))
    assert [r for r in min_by if r[0] == "k"] == [records[0], records[1], records[1],
                                                  records[1], records[1]]
    assert [r for r in max_by if r[0] == "k"] == [records[0], records[0], records[2],
                                                  records[2], records[2]]
    assert ("j", 3, "only") in min_by and ("j", 3, "only") in max_by


def test_sum_min_max_change_only_their_field(env):
    records = [("k", 5, "a"), ("k", 3, "b"), ("k", 9, "c")]
    keyed = env.from_collection(records)
    assert collect(keyed.key_by(lambda r: r[0]).sum(1)) == [("k", 5, "a"), ("k", 8, "a"),
                                                           ("k", 17, "a")]
    assert collect(keyed.key_by(lambda r: r[0]).min(1)) == [("k", 5, "a"), ("k", 3, "a"),
                                                           ("k", 3, "a")]
    assert collect(keyed.key_by(lambda r: r[0]).max(1)) == [("k", 5, "a"), ("k", 5, "a"),
                                                           ("k", 9, "a")]


def test_aggregations_of_named_rows_keep_names_and_kind(env):
    rows = [Row(word="a", count=1), Row(word="a", count=2)]
    result = collect(env.from_collection(rows).key_by(lambda r: r.word).sum("count"))
    assert result == [Row(word="a", count=1), Row(word="a", count=3)]
    assert [r.as_dict() for r in result] == [{"word": "a", "count": 1}, {"word": "a", "count": 3}]


def test_aggregation_of_a_missing_field_fails_naming_the_operator(env1):
    env1.from_collection([Row(word="a", count=1), Row(word="a", count=2)]).key_by(
        lambda r: r.word).sum("missing").print()
    with pytest.raises(Exception, match="Keyed Aggregation") as info:
        env1.execute()
    assert "missing" in str(info.value)


def test_keyed_stream_refuses_set_parallelism_and_name(env1):
    keyed = env1.from_collection([1]).key_by(lambda x: x)
    with pytest.raises(ValueError, match="KeyedStream"):
        keyed.set_parallelism(2)
    with pytest.raises(ValueError, match="KeyedStream"):
        keyed.name("x")


def test_results_of_keyed_stream_tagged_by_subtask_stay_on_key_owner(env, parallelism):
    stream = env.from_collection(RECORDS).key_by(lambda r: r[0]).sum(1).map(TagSubtask())
    by_subtask = group_by_first(collect(stream))
    owner = {}
    for subtask, records in by_subtask.items():
        for record in records:
            assert owner.setdefault(record[0], subtask) == subtask
    assert set(owner) == set(WORDS) & {r[0] for r in RECORDS}
