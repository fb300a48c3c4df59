"""DataGenSource (Flink's datagen options), DiscardingSink, PrintSink and HybridSource,
checked against plain-Python expectations: bounds, distributions, sequences without gaps
or overlap at any parallelism, seeds, throttling (loose bounds only) and source order."""

import collections
import time

import pytest

from fluvial.common import Types
from fluvial.datastream import StreamExecutionEnvironment
from fluvial.datastream.connectors import (
    DataGenSource,
    DiscardingSink,
    FileSource,
    HybridSource,
    NumberSequenceSource,
    PrintSink,
    StreamFormat,
)

ROW = Types.ROW_NAMED(["id", "small", "score", "name", "flag", "maybe"],
                      [Types.LONG(), Types.INT(), Types.DOUBLE(), Types.STRING(), Types.BOOLEAN(), Types.INT()])
FIELDS = {"id": {"kind": "sequence", "start": 1, "end": 20000},
          "small": {"min": 10, "max": 19},
          "score": {"min": 0, "max": 1},
          "name": {"length": 8},
          "maybe": {"null-rate": 0.2, "min": 0, "max": 5}}


def environment(parallelism: int) -> StreamExecutionEnvironment:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    return env


def generate(parallelism: int, **options) -> list:
    env = environment(parallelism)
    source = DataGenSource(ROW, FIELDS, **options)
    return list(env.from_source(source, None, "datagen", ROW).execute_and_collect())


@pytest.mark.parametrize("parallelism", [1, 3])
def test_fields_keep_their_bounds_and_distributions(parallelism):
    rows = generate(parallelism, rows_per_second=None, seed=11)
    assert sorted(row.id for row in rows) == list(range(1, 20001))  # no gap, no overlap
    small = collections.Counter(row.small for row in rows)
    assert set(small) == set(range(10, 20)) and all(1600 < n < 2400 for n in small.values()), small
    scores = [row.score for row in rows]
    assert all(0 <= s <= 1 for s in scores) and abs(sum(scores) / len(scores) - 0.5) < 0.02
    assert all(len(row.name) == 8 and set(row.name) <= set("0123456789abcdef") for row in rows)
    assert 0.45 < sum(row.flag for row in rows) / len(rows) < 0.55
    nulls = sum(row.maybe is None for row in rows)
    assert 0.17 < nulls / len(rows) < 0.23
    assert {row.maybe for row in rows} - {None} == set(range(6))


def test_a_seed_gives_the_same_rows_at_any_parallelism():
    one = sorted(generate(1, rows_per_second=None, number_of_rows=5000, seed=3), key=lambda r: r.id)
    three = sorted(generate(3, rows_per_second=None, number_of_rows=5000, seed=3), key=lambda r: r.id)
    assert [r.id for r in one] == list(range(1, 5001))  # number-of-rows ends before the sequence
    assert [tuple(r) for r in one] == [tuple(r) for r in three]
    other = sorted(generate(1, rows_per_second=None, number_of_rows=5000, seed=4), key=lambda r: r.id)
    assert [r.small for r in other] != [r.small for r in one]


def test_options_map_one_to_one_from_flink_table_options():
    options = {"connector": "datagen", "rows-per-second": "100000", "number-of-rows": "3000", "seed": "5"}
    for name, field in FIELDS.items():
        for option, value in field.items():
            options[f"fields.{name}.{option}"] = str(value)
    from_options = DataGenSource.from_options(ROW, options)
    env = environment(2)
    rows = sorted(env.from_source(from_options, None, "datagen", ROW).execute_and_collect(), key=lambda r: r.id)
    expected = sorted(generate(1, rows_per_second=None, number_of_rows=3000, seed=5), key=lambda r: r.id)
    assert [tuple(r) for r in rows] == [tuple(r) for r in expected]


def test_rows_per_second_throttles():
    started = time.monotonic()
    rows = generate(2, rows_per_second=2000, number_of_rows=1000, seed=1)
    took = time.monotonic() - started
    assert len(rows) == 1000
    assert took > 0.4, f"1000 rows at 2000 rows/s took only {took:.2f} s"


def test_without_a_limit_the_source_is_unbounded():
    types = Types.ROW_NAMED(["v"], [Types.INT()])
    source = DataGenSource(types, {"v": {"min": 1, "max": 3}}, rows_per_second=None)
    assert not source._is_bounded()
    env = environment(1)
    rows = env.from_source(source, None, "datagen", types).execute_and_collect(limit=5000)
    assert len(rows) == 5000 and {r.v for r in rows} == {1, 2, 3}


def test_a_restored_reader_continues_where_its_snapshot_was_taken():
    source = DataGenSource(ROW, FIELDS, rows_per_second=None, number_of_rows=3000, seed=9)

    def drain(reader, polls=None):
        rows = []
        while polls is None or polls > 0:
            batch = reader.poll()
            if batch is None:
                break
            rows.extend(batch)
            polls = None if polls is None else polls - 1
        return rows

    readers = [source._create_reader(i, 2) for i in range(2)]
    for reader in readers:
        reader.open()
    before = drain(readers[0], polls=1) + drain(readers[1], polls=1)
    states = readers[0].snapshot_state(1) + readers[1].snapshot_state(1)
    # Restored at parallelism 1: the one reader takes both splits.
    restored = source._create_reader(0, 1)
    restored.restore_state(states)
    restored.open()
    after = drain(restored)
    assert sorted(r.id for r in before + after) == list(range(1, 3001))


def test_bad_options_name_the_field_and_option():
    with pytest.raises(ValueError, match=r"datagen field 'id': a sequence needs 'fields.id.start' and 'fields.id.end'"):
        DataGenSource(ROW, {"id": {"kind": "sequence", "start": 1}})
    with pytest.raises(ValueError, match=r"unknown options \['size'\]"):
        DataGenSource(ROW, {"name": {"size": 3}})
    with pytest.raises(ValueError, match="options for unknown fields"):
        DataGenSource(ROW, {"nope": {}})
    with pytest.raises(ValueError, match=r"'fields.small.kind' must be 'random' or 'sequence'"):
        DataGenSource(ROW, {"small": {"kind": "gaussian"}})
    with pytest.raises(ValueError, match="min 0 and max 1099511627776 must be in order and fit INT"):
        DataGenSource(ROW, {"small": {"min": 0, "max": 2 ** 40}})
    with pytest.raises(ValueError, match="unknown datagen option 'row-per-second'"):
        DataGenSource.from_options(ROW, {"row-per-second": "5"})
    with pytest.raises(ValueError, match="cannot generate"):
        DataGenSource(Types.ROW_NAMED(["d"], [Types.BIG_DEC()]))


def test_discarding_and_print_sinks(capsys):
    env = environment(2)
    env.from_source(NumberSequenceSource(1, 10000), None, "numbers").sink_to(DiscardingSink())
    env.execute("discard")
    env = environment(1)
    env.from_collection(["a", "b"]).sink_to(PrintSink("out"))
    env.execute("print")
    assert capsys.readouterr().out == "out> a\nout> b\n"


def text_file(path, lines):
    path.write_text("".join(f"{line}\n" for line in lines))
    return str(path)


@pytest.mark.parametrize("parallelism", [1, 2])
def test_hybrid_source_reads_its_sources_in_order(tmp_path, parallelism):
    history = [f"old-{i}" for i in range(3000)]
    (tmp_path / "files").mkdir()
    text_file(tmp_path / "files" / "a.txt", history[:1500])
    text_file(tmp_path / "files" / "b.txt", history[1500:])
    files = FileSource.for_record_stream_format(StreamFormat.text_line_format(), str(tmp_path / "files")).build()
    source = HybridSource.builder(files).add_source(NumberSequenceSource(1, 5000)).build()
    assert source._is_bounded()
    env = environment(parallelism)
    records = list(env.from_source(source, None, "hybrid").execute_and_collect())
    assert sorted(r for r in records if isinstance(r, str)) == sorted(history)
    assert sorted(r for r in records if isinstance(r, int)) == list(range(1, 5001))
    last_line = max(i for i, r in enumerate(records) if isinstance(r, str))
    first_number = min(i for i, r in enumerate(records) if isinstance(r, int))
    assert last_line < first_number, "a record of the second source came before the first source ended"


def test_hybrid_source_ending_with_an_unbounded_source(tmp_path):
    types = Types.ROW_NAMED(["v"], [Types.INT()])
    files = FileSource.for_record_stream_format(
        StreamFormat.text_line_format(), text_file(tmp_path / "h.txt", ["x", "y"])).build()
    live = DataGenSource(types, {"v": {"min": 7, "max": 7}}, rows_per_second=None)
    source = HybridSource.builder(files).add_source(live).build()
    assert not source._is_bounded()
    env = environment(1)
    records = env.from_source(source, None, "hybrid").execute_and_collect(limit=1000)
    assert records[:2] == ["x", "y"] and all(r.v == 7 for r in records[2:])


def test_hybrid_source_state_names_its_stage():
    source = HybridSource.builder(NumberSequenceSource(1, 10)).add_source(
        DataGenSource(Types.ROW_NAMED(["v"], [Types.INT()]), rows_per_second=None, number_of_rows=2048,
                      seed=1)).build()
    reader = source._create_reader(0, 1)
    reader.open()
    assert reader.poll() == list(range(1, 11))
    first = reader.poll()  # the switch to the datagen stage
    assert len(first) == 1024
    state = reader.snapshot_state(1)
    assert state == [("hybrid", 1, ("datagen", 0, 1, 1024))]
    reader.close()
    restored = source._create_reader(0, 1)
    restored.restore_state(state)
    restored.open()
    rest = restored.poll()
    assert len(rest) == 1024 and restored.poll() is None
    restored.close()
    with pytest.raises(ValueError, match="source 0 .* is unbounded"):
        HybridSource.builder(DataGenSource(Types.ROW_NAMED(["v"], [Types.INT()]))).add_source(
            NumberSequenceSource(1, 2)).build()


def test_hybrid_source_switches_whatever_order_the_readers_are_made_in():
    source = HybridSource.builder(NumberSequenceSource(1, 4)).add_source(NumberSequenceSource(10, 13)).build()
    for _ in range(2):  # the same source object in a second job
        second, first = source._create_reader(1, 2), source._create_reader(0, 2)
        for reader in (first, second):
            reader.open()
        assert second.poll() == [3, 4]
        assert second.poll() == []  # waits: subtask 0 has not finished the first source
        assert first.poll() == [1, 2]
        assert first.poll() == [10, 11]  # both have finished it now
        assert second.poll() == [12, 13]
        assert first.poll() is None and second.poll() is None
        first.close()
        second.close()
