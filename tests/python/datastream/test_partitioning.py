"""union and the partitionings: shuffle, rebalance, rescale, forward, broadcast,
partition_custom. Where a record goes is observed with TagSubtask, which maps a
record to (index of the subtask that saw it, record)."""

import collections

import pytest
from ds_support import (
    TagSubtask,
    assert_same_elements,
    group_by_first,
    is_subsequence,
    sequence_share,
)

from fluvial.datastream import KeySelector, Partitioner
from fluvial.datastream.connectors import NumberSequenceSource
from fluvial.errors import InvalidJobError, JobExecutionError

DATA = list(range(200))


def collect(stream):
    return list(stream.execute_and_collect())


def numbers(env, start, end, parallelism=None):
    stream = env.from_source(NumberSequenceSource(start, end), None, f"numbers {start}-{end}")
    if parallelism is not None:
        stream.set_parallelism(parallelism)
    return stream


# ---------------------------------------------------------------------- union


def test_union_of_two_streams(env):
    first = env.from_collection(DATA)
    second = env.from_collection([-x for x in DATA]).map(lambda x: x * 10)
    result = collect(first.union(second).map(lambda x: x + 1))
    assert_same_elements(result, [x + 1 for x in DATA] + [-x * 10 + 1 for x in DATA])


def test_union_of_three_streams_keeps_each_inputs_order(env, parallelism):
    a = env.from_collection([("a", i) for i in range(3000)])
    b = env.from_collection([("b", i) for i in range(3000)])
    c = env.from_collection([("c", i) for i in range(3000)]).map(lambda r: r)
    tagged = collect(a.union(b, c).map(TagSubtask()))
    assert_same_elements([r for _, r in tagged], [(n, i) for n in "abc" for i in range(3000)])
    assert {s for s, _ in tagged} == set(range(parallelism))
    # Each input is one sender: on every subtask its records arrive in order,
    # interleaved with the other inputs'.
    for subtask, records in group_by_first(tagged).items():
        for name in "abc":
            numbers_of_input = [i for n, i in records if n == name]
            assert numbers_of_input == sorted(numbers_of_input), (subtask, name)
    if parallelism == 1:
        assert [r for _, r in tagged if r[0] == "b"] == [("b", i) for i in range(3000)]


def test_union_of_streams_with_different_parallelism(env, parallelism):
    one = env.from_collection(["x", "y"])  # non-parallel
    two = numbers(env, 0, 99, parallelism=2)
    four = numbers(env, 100, 199, parallelism=4).map(str)
    stream = one.union(two.map(str), four).map(TagSubtask())
    tagged = collect(stream)
    assert_same_elements([v for _, v in tagged], ["x", "y"] + [str(x) for x in range(200)])
    assert {s for s, _ in tagged} <= set(range(parallelism))


def test_union_with_itself_and_a_keyed_stream(env):
    stream = env.from_collection(DATA)
    keyed = env.from_collection(DATA).key_by(lambda x: x % 3).reduce(lambda a, b: b)
    result = collect(stream.union(stream, keyed))
    assert_same_elements(result, DATA * 3)


def test_union_needs_data_streams(env1):
    with pytest.raises(TypeError, match="union\\(\\) expects DataStreams"):
        env1.from_collection([1]).union([2])


# ------------------------------------------------- shuffle, rebalance, rescale


@pytest.mark.parametrize("partitioning", ["shuffle", "rebalance", "rescale"])
def test_redistributing_loses_and_duplicates_nothing(env, parallelism, partitioning):
    stream = getattr(numbers(env, 0, 999).map(lambda x: x * 2), partitioning)()
    tagged = collect(stream.map(TagSubtask()))
    assert_same_elements([v for _, v in tagged], [x * 2 for x in range(1000)])
    assert {s for s, _ in tagged} <= set(range(parallelism))


@pytest.mark.parametrize("partitioning", ["shuffle", "rebalance"])
def test_redistributing_from_one_subtask_reaches_all(env1, partitioning):
    source = env1.from_collection(DATA * 5)
    tagged = collect(getattr(source, partitioning)().map(TagSubtask()).set_parallelism(4))
    counts = collections.Counter(s for s, _ in tagged)
    assert sorted(counts) == [0, 1, 2, 3]
    assert sum(counts.values()) == 1000
    if partitioning == "rebalance":
        # Round robin: the subtasks' shares differ by one at most.
        assert max(counts.values()) - min(counts.values()) <= 1, counts
    # Through a redistribution from one sender, each receiver keeps the sender's order.
    for values in group_by_first(tagged).values():
        assert is_subsequence(values, DATA * 5)


def test_rescale_sends_to_a_local_subset(env1):
    # 2 senders, 4 receivers: sender i feeds receivers 2i and 2i+1 only.
    stream = numbers(env1, 0, 999, parallelism=2).map(TagSubtask()).set_parallelism(2)
    tagged = collect(stream.rescale().map(TagSubtask()).set_parallelism(4))
    assert len(tagged) == 1000
    for receiver, (sender, value) in tagged:
        assert receiver in (2 * sender, 2 * sender + 1), (sender, receiver)
        assert value in sequence_share(0, 999, sender, 2)
    assert {r for r, _ in tagged} == {0, 1, 2, 3}


def test_rescale_to_fewer_subtasks(env1):
    # 4 senders, 2 receivers: senders 0, 1 feed receiver 0; senders 2, 3 receiver 1.
    stream = numbers(env1, 0, 999, parallelism=4).map(TagSubtask()).set_parallelism(4)
    tagged = collect(stream.rescale().map(TagSubtask()).set_parallelism(2))
    assert len(tagged) == 1000
    assert all(receiver == sender // 2 for receiver, (sender, _) in tagged)


# --------------------------------------------------------------------- forward


@pytest.mark.parametrize("chained", [True, False], ids=["chained", "not-chained"])
def test_forward_keeps_records_on_their_subtask_in_order(env, parallelism, chained):
    stream = numbers(env, 0, 1999).map(TagSubtask())
    forwarded = stream.forward().map(TagSubtask())
    if not chained:
        forwarded.disable_chaining()
    tagged = collect(forwarded)
    assert len(tagged) == 2000
    for receiver, (sender, _) in tagged:
        assert receiver == sender
    for subtask, values in group_by_first(tagged).items():
        assert [v for _, v in values] == sequence_share(0, 1999, subtask, parallelism)


def test_forward_between_different_parallelism_is_refused(env1):
    numbers(env1, 0, 9, parallelism=2).forward().map(lambda x: x).set_parallelism(3).print()
    with pytest.raises(InvalidJobError, match="forward partitioning needs equal parallelism"):
        env1.execute()


# ------------------------------------------------------------------- broadcast


def test_broadcast_reaches_every_subtask(env, parallelism):
    tagged = collect(env.from_collection(DATA).broadcast().map(TagSubtask()))
    assert_same_elements(tagged, [(s, x) for s in range(parallelism) for x in DATA])
    for values in group_by_first(tagged).values():
        assert values == DATA  # one sender: every copy in order


def test_broadcast_from_a_parallel_operator(env, parallelism):
    stream = numbers(env, 0, 99).broadcast().map(TagSubtask()).set_parallelism(3)
    tagged = collect(stream)
    assert_same_elements(tagged, [(s, x) for s in range(3) for x in range(100)])


def test_broadcast_with_something_other_than_a_state_descriptor_is_refused(env1):
    with pytest.raises(TypeError, match="broadcast\\(\\) expects MapStateDescriptors"):
        env1.from_collection([1]).broadcast(object())


# ------------------------------------------------------------ partition_custom


class ModuloPartitioner(Partitioner):
    def partition(self, key, num_partitions):
        return key % num_partitions


class SecondField(KeySelector):
    def get_key(self, value):
        return value[1]


def test_partition_custom_with_lambdas(env, parallelism):
    stream = env.from_collection(DATA).partition_custom(
        lambda key, n: (key * 7) % n, lambda x: x // 3)
    tagged = collect(stream.map(TagSubtask()))
    assert_same_elements([v for _, v in tagged], DATA)
    for subtask, value in tagged:
        assert subtask == ((value // 3) * 7) % parallelism


def test_partition_custom_with_function_classes(env, parallelism):
    records = [(str(i), i * 5) for i in range(300)]
    stream = numbers(env, 0, 299).map(lambda i: (str(i), i * 5)).partition_custom(
        ModuloPartitioner(), SecondField())
    tagged = collect(stream.map(TagSubtask()))
    assert_same_elements([v for _, v in tagged], records)
    for subtask, (_, value) in tagged:
        assert subtask == value % parallelism


def test_partition_custom_to_a_different_parallelism(env1):
    stream = env1.from_collection(DATA).partition_custom(lambda key, n: key % n, lambda x: x)
    tagged = collect(stream.map(TagSubtask()).set_parallelism(3))
    assert all(subtask == value % 3 for subtask, value in tagged)
    assert len(tagged) == len(DATA)


def test_partition_custom_out_of_range_fails_the_job(env):
    env.from_collection(DATA).partition_custom(lambda key, n: n, lambda x: x).map(
        lambda x: x).set_parallelism(4).print()
    with pytest.raises(JobExecutionError,
                       match=r"operator 'CustomPartitioner' \(subtask 1/\d\) failed: "
                             r"the custom partitioner must return a partition in \[0, 4\), got 4"):
        env.execute()


def test_partition_custom_needs_callables(env1):
    stream = env1.from_collection([1])
    with pytest.raises(TypeError, match="partition_custom\\(\\) expects a Partitioner"):
        stream.partition_custom(3, lambda x: x)
    with pytest.raises(TypeError, match="partition_custom\\(\\) expects a KeySelector"):
        stream.partition_custom(lambda k, n: 0, "key")
