"""print(): Flink's text for each record, prefixed with "N> " (N = subtask + 1) only
when the sink runs in parallel, and with the identifier if one is given."""

import re

from ds_support import sequence_share

from fluvial.common import Row, RowKind
from fluvial.datastream.connectors import NumberSequenceSource


def printed_lines(capsys):
    out = capsys.readouterr().out
    return out.splitlines()


def test_print_at_parallelism_1_has_no_prefix(env1, capsys):
    env1.from_collection(["a", "b", "c"]).print()
    env1.execute()
    assert capsys.readouterr().out == "a\nb\nc\n"


def test_print_shows_records_as_flink_does(env1, capsys):
    records = [Row(1, "a"), Row(name="n", price=2.5), Row.of_kind(RowKind.DELETE, 3, None),
               Row.of_kind(RowKind.UPDATE_AFTER, "x"), ("a", 1), ("t", (1, 2), None), 1, 1.0,
               -0.5, None, True, False, "text", [1, 2], {"k": 1}, 12345678901234]
    env1.from_collection(records).print()
    env1.execute()
    assert printed_lines(capsys) == [
        # PyFlink prints a Row of a DataStream without spaces (recorded from 1.20 and 2.2).
        "+I[1,a]", "+I[n,2.5]", "-D[3,null]", "+U[x]", "(a,1)", "(t,(1,2),null)", "1",
        "1.0", "-0.5", "null", "true", "false", "text", "[1, 2]", "{k=1}", "12345678901234"]


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
    assert sorted(printed_lines(capsys)) == ["(b,2)", "+I[1,a]", "id> 3"]


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
