"""BATCH runtime mode: keyed reduces and aggregations emit only each key's final
value; everything else behaves as in STREAMING; unbounded sources are refused."""

import random

import pytest
from ds_support import CollectSink, assert_same_elements

from fluvial.common import Configuration, Duration, Row, Types
from fluvial.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
from fluvial.datastream.connectors import FileSource, NumberSequenceSource, StreamFormat
from fluvial.errors import InvalidJobError

generator = random.Random(3)
RECORDS = [(generator.choice("abcdefgh"), generator.randint(-20, 20)) for _ in range(500)]


@pytest.fixture
def batch_env(env):
    env.set_runtime_mode(RuntimeExecutionMode.BATCH)
    return env


def collect(stream):
    return list(stream.execute_and_collect())


def finals(records, key, combine):
    state = {}
    for record in records:
        k = key(record)
        state[k] = combine(state[k], record) if k in state else record
    return list(state.values())


def test_batch_reduce_emits_only_final_values(batch_env):
    stream = batch_env.from_collection(RECORDS).key_by(lambda r: r[0]).reduce(
        lambda a, b: (a[0], a[1] + b[1]))
    result = collect(stream)
    assert_same_elements(result, finals(RECORDS, lambda r: r[0], lambda a, b: (a[0], a[1] + b[1])))
    assert len(result) == len({k for k, _ in RECORDS})


@pytest.mark.parametrize("kind, combine", [
    ("sum", lambda a, b: (a[0], a[1] + b[1])),
    ("min", lambda a, b: (a[0], min(a[1], b[1]))),
    ("max", lambda a, b: (a[0], max(a[1], b[1]))),
    ("min_by", lambda a, b: b if b[1] < a[1] else a),
    ("max_by", lambda a, b: b if b[1] > a[1] else a),
])
def test_batch_aggregations_emit_final_values(batch_env, kind, combine):
    records = [(k, v, i) for i, (k, v) in enumerate(RECORDS)]
    stream = getattr(batch_env.from_collection(records).key_by(lambda r: r[0]), kind)(1)
    three_fields = {
        "sum": lambda a, b: (a[0], a[1] + b[1], a[2]),
        "min": lambda a, b: (a[0], min(a[1], b[1]), a[2]),
        "max": lambda a, b: (a[0], max(a[1], b[1]), a[2]),
    }.get(kind, combine)
    assert_same_elements(collect(stream), finals(records, lambda r: r[0], three_fields))


def test_batch_sum_of_rows_by_name(batch_env):
    rows = [Row(word=k, count=v) for k, v in RECORDS]
    result = collect(batch_env.from_collection(rows).key_by(lambda r: r.word).sum("count"))
    totals = {}
    for k, v in RECORDS:
        totals[k] = totals.get(k, 0) + v
    assert_same_elements(result, [Row(word=k, count=v) for k, v in totals.items()])


def test_batch_parallel_source_and_chained_operators(batch_env, parallelism):
    stream = (batch_env.from_source(NumberSequenceSource(1, 5000), None, "numbers")
              .map(lambda x: (x % 10, x))
              .key_by(lambda r: r[0])
              .reduce(lambda a, b: (a[0], a[1] + b[1]))
              .map(lambda r: (r[0], r[1] * 2)))
    expected = {k: 2 * sum(x for x in range(1, 5001) if x % 10 == k) for k in range(10)}
    assert sorted(collect(stream)) == sorted(expected.items())


def test_batch_stateless_operators_are_unchanged(batch_env):
    stream = batch_env.from_collection(list(range(100))).map(lambda x: x * 3).filter(
        lambda x: x % 2 == 0).flat_map(lambda x: [x, x + 1])
    expected = [y for x in range(100) if (x * 3) % 2 == 0 for y in (x * 3, x * 3 + 1)]
    if batch_env.get_parallelism() == 1:
        assert collect(stream) == expected
    else:
        assert_same_elements(collect(stream), expected)


def test_batch_reduce_then_sink_function(batch_env, channel):
    batch_env.from_collection(RECORDS).key_by(lambda r: r[0]).sum(1).add_sink(CollectSink(channel))
    batch_env.execute()
    totals = {}
    for k, v in RECORDS:
        totals[k] = totals.get(k, 0) + v
    assert sorted(v for _, v in channel.items()) == sorted(totals.items())


def test_batch_print_shows_final_values(capsys):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_runtime_mode(RuntimeExecutionMode.BATCH)
    env.from_collection([("a", 1), ("b", 2), ("a", 3)]).key_by(lambda r: r[0]).sum(1).print()
    env.execute()
    # An untyped stream prints each record's str(), as PyFlink's print() does.
    assert sorted(capsys.readouterr().out.splitlines()) == ["('a', 4)", "('b', 2)"]


def test_batch_reduce_emits_keys_in_flinks_order(env1):
    # Flink's BATCH mode sorts a keyed input by its serialized key: a key without key_type
    # is pickled and compared as Java's signed bytes (so by pickle length first, and a
    # non-ASCII UTF-8 byte, negative in Java, before ASCII); a STRING key_type compares
    # Flink's StringSerializer bytes the same way (length first, then 7-bit groups of each
    # UTF-16 unit, a non-ASCII one negative). Orders recorded from PyFlink 2.2
    # (corpus/doc_samples/datastream_batch_key_order.py).
    env1.set_runtime_mode(RuntimeExecutionMode.BATCH)
    words = ["the", "Quick", "a", "émigré", "zoë", "10", "9", "the", "Ärger"]
    pickled = env1.from_collection([(w, 1) for w in words]).key_by(lambda t: t[0]).sum(1)
    assert [w for w, _ in collect(pickled)] == ["9", "a", "10", "the", "zoë", "Quick", "Ärger", "émigré"]
    typed = env1.from_collection([(w, 1) for w in words], type_info=Types.TUPLE([Types.STRING(), Types.INT()]))
    by_string = typed.key_by(lambda t: t[0], key_type=Types.STRING()).sum(1)
    assert [w for w, _ in collect(by_string)] == ["9", "a", "10", "the", "zoë", "Ärger", "Quick", "émigré"]


def test_streaming_is_the_default_and_emits_running_values(env1):
    stream = env1.from_collection([("a", 1), ("a", 2)]).key_by(lambda r: r[0]).sum(1)
    assert collect(stream) == [("a", 1), ("a", 3)]
    env1.set_runtime_mode(RuntimeExecutionMode.BATCH)
    stream = env1.from_collection([("a", 1), ("a", 2)]).key_by(lambda r: r[0]).sum(1)
    assert collect(stream) == [("a", 3)]
    env1.set_runtime_mode(RuntimeExecutionMode.STREAMING)
    stream = env1.from_collection([("a", 1), ("a", 2)]).key_by(lambda r: r[0]).sum(1)
    assert collect(stream) == [("a", 1), ("a", 3)]


def test_batch_mode_from_configuration():
    configuration = Configuration()
    configuration.set_string("execution.runtime-mode", "batch")
    env = StreamExecutionEnvironment.get_execution_environment(configuration)
    stream = env.from_collection([("a", 1), ("a", 2)]).key_by(lambda r: r[0]).sum(1)
    assert collect(stream) == [("a", 3)]


def test_batch_mode_refuses_unbounded_sources(batch_env, tmp_path):
    source = FileSource.for_record_stream_format(StreamFormat.text_line_format(), str(tmp_path)) \
        .monitor_continuously(Duration.of_millis(50)).build()
    batch_env.from_source(source, None, "watched files").print()
    with pytest.raises(InvalidJobError, match="BATCH execution needs bounded sources, but "
                                              "'watched files' is unbounded"):
        batch_env.execute()


def test_set_runtime_mode_needs_a_mode(env1):
    with pytest.raises(TypeError, match="RuntimeExecutionMode"):
        env1.set_runtime_mode("BATCH")
