"""print(): Flink's text for each record, prefixed with "N> " (N = subtask + 1) only
when the sink runs in parallel, and with the identifier if one is given."""

import re

from ds_support import sequence_share

from fluvial.common import Row, RowKind, Types
from fluvial.datastream.connectors import NumberSequenceSource


def printed_lines(capsys):
    out = capsys.readouterr().out
    return out.splitlines()


def test_print_at_parallelism_1_has_no_prefix(env1, capsys):
    env1.from_collection(["a", "b", "c"]).print()
    env1.execute()
    assert capsys.readouterr().out == "a\nb\nc\n"


def test_print_shows_untyped_records_as_python_str(env1, capsys):
    # PyFlink's print() maps an untyped stream through str() (recorded from PyFlink 2.2:
    # corpus/doc_samples/datastream_row_forms.py).
    records = [Row(1, "a"), Row(name="n", price=2.5), Row.of_kind(RowKind.DELETE, 3, None),
               ("a", 1), ("t", (1, 2), None), 1, 1.0, -0.5, None, True, "text", [1, 2],
               {"k": 1}, 12345678901234, 1e20]
    env1.from_collection(records).print()
    env1.execute()
    assert printed_lines(capsys) == [
        "<Row(1, 'a')>", "Row(name='n', price=2.5)", "<Row(3, None)>", "('a', 1)",
        "('t', (1, 2), None)", "1", "1.0", "-0.5", "None", "True", "text", "[1, 2]",
        "{'k': 1}", "12345678901234", "1e+20"]


def test_print_shows_typed_records_as_pyflink_does(env1, capsys):
    # A TUPLE prints as Java's Tuple, a FLOAT as a 32-bit float, a ROW as +I[...] of
    # each field's Python str() (recorded from PyFlink 2.2: datastream_print_types.py).
    env1.from_collection([("a", 1, 110.1, True, None)], type_info=Types.TUPLE(
        [Types.STRING(), Types.INT(), Types.FLOAT(), Types.BOOLEAN(), Types.STRING()])).print()
    env1.from_collection([(1, "hi", 110.1, True, None)], type_info=Types.ROW(
        [Types.INT(), Types.STRING(), Types.FLOAT(), Types.BOOLEAN(), Types.STRING()])).print()
    env1.from_collection([("a", 1)]).map(
        lambda t: Row(t[1], t[0]), output_type=Types.ROW([Types.INT(), Types.STRING()])).print()
    env1.execute()
    assert sorted(printed_lines(capsys)) == sorted([
        "(a,1,110.1,true,null)", "+I[1,hi,110.0999984741211,True,None]", "+I[1,a]"])


def test_sink_to_print_sink_shows_typed_rows_as_java_rows(env1, capsys):
    from fluvial.datastream.connectors import PrintSink

    env1.from_collection([(1, None)], type_info=Types.ROW([Types.INT(), Types.FLOAT()])) \
        .sink_to(PrintSink())
    env1.execute()
    assert printed_lines(capsys) == ["+I[1, null]"]


def test_print_in_parallel_prefixes_the_subtask(env, parallelism, capsys):
    env.from_source(NumberSequenceSource(0, 199), None, "numbers").print()
    env.execute()
    lines = printed_lines(capsys)
    assert len(lines) == 200
    if parallelism == 1:
        assert lines == [str(x) for x in range(200)]
        return
    by_subtask = {}
    for line in lines:
        match = re.fullmatch(r"(\d+)> (-?\d+)", line)
        assert match, line
        by_subtask.setdefault(int(match.group(1)), []).append(int(match.group(2)))
    assert sorted(by_subtask) == list(range(1, parallelism + 1))
    for number, values in by_subtask.items():
        # Source and sink are chained: each sink prints its source share, in order.
        assert values == sequence_share(0, 199, number - 1, parallelism)


def test_print_with_identifier(env, parallelism, capsys):
    env.from_collection(["x", "y"]).print("ident")
    env.execute()
    lines = printed_lines(capsys)
    if parallelism == 1:
        assert lines == ["ident> x", "ident> y"]
    else:
        assert sorted(re.sub(r"^ident:[1-4]> ", "", line) for line in lines) == ["x", "y"]
        assert all(re.match(r"ident:[1-4]> ", line) for line in lines), lines


def test_print_sink_parallelism_decides_the_prefix(env, capsys):
    env.from_collection([Row(1, "a"), ("b", 2)]).map(lambda r: r).print().set_parallelism(1)
    env.from_collection([3]).print("id").set_parallelism(1)
    env.execute()
    assert sorted(printed_lines(capsys)) == ["('b', 2)", "<Row(1, 'a')>", "id> 3"]


def test_print_with_parallel_sink_on_non_parallel_input(env1, capsys):
    env1.from_collection(list(range(8))).print().set_parallelism(2)
    env1.execute()
    lines = printed_lines(capsys)
    prefixes = [line.split("> ")[0] for line in lines]
    assert sorted(int(line.split("> ")[1]) for line in lines) == list(range(8))
    # Rebalanced round robin over the two sink subtasks.
    assert sorted(prefixes) == ["1"] * 4 + ["2"] * 4


def test_print_returns_a_data_stream_sink(env1, capsys):
    sink = env1.from_collection([1]).print()
    assert sink.name("printer") is sink
    assert sink.uid("u").set_description("d").slot_sharing_group("g") is sink
    plan = env1.get_execution_plan()
    assert '"type": "printer"' in plan
    env1.execute()
    assert capsys.readouterr().out == "1\n"
