"""The text of typed records (print(), string encoders) and the values PyFlink hands on
for a declared type. Expected texts were recorded from PyFlink 2.2 printing the same
values (tests/python/pyflink_conformance/corpus/doc_samples/datastream_print_types.py)."""

import datetime
from decimal import Decimal

import pytest

from fluvial.common import Instant, Row, RowKind, Types
from fluvial.common._conversion import converter_for, to_float32
from fluvial.common._display import display_float32, print_text_for, sink_text_for
from fluvial.common._java_hash_map import collection_order, deserialized_order, hash_map_order


def printed(type_info, values):
    text = print_text_for(type_info)
    return [text(value) for value in values]


@pytest.mark.parametrize("type_info, values, expected", [
    (Types.STRING(), ["a", "b c"], ["a", "b c"]),
    (Types.BOOLEAN(), [True, False], ["true", "false"]),
    (Types.BYTE(), [1, -128], ["1", "-128"]),
    (Types.INT(), [7, -2147483648], ["7", "-2147483648"]),
    (Types.LONG(), [2 ** 40, -1], ["1099511627776", "-1"]),
    (Types.FLOAT(), [110.1, 0.1, 1e10, 1.5e-5, 3.0, 12345678.0, 0.001],
     ["110.1", "0.1", "1.0E10", "1.5E-5", "3.0", "1.2345678E7", "0.001"]),
    (Types.DOUBLE(), [110.1, 1e10, 1.5e-5, 3.0, 12345678.0, 1e-3, 1e7, 1e21],
     ["110.1", "1.0E10", "1.5E-5", "3.0", "1.2345678E7", "0.001", "1.0E7", "1.0E21"]),
    (Types.BIG_INT(), [2 ** 70], ["1180591620717411303424"]),
    (Types.BIG_DEC(), [Decimal("1.10"), Decimal("12345.6789")], ["1.10", "12345.6789"]),
    (Types.SQL_DATE(), [datetime.date(2024, 1, 31)], ["2024-01-31"]),
    (Types.SQL_TIME(), [datetime.time(12, 30, 5)], ["12:30:05"]),
    (Types.SQL_TIMESTAMP(), [datetime.datetime(2024, 1, 31, 12, 30),
                             datetime.datetime(2024, 1, 31, 12, 30, 5, 120000)],
     ["2024-01-31 12:30:00.0", "2024-01-31 12:30:05.12"]),
    (Types.INSTANT(), [Instant(0, 0), Instant(1700000000, 123000000)],
     ["1970-01-01T00:00:00Z", "2023-11-14T22:13:20.123Z"]),
    (Types.TUPLE([Types.STRING(), Types.INT(), Types.FLOAT(), Types.BOOLEAN(), Types.STRING()]),
     [("a", 1, 110.1, True, None)], ["(a,1,110.1,true,null)"]),
    (Types.TUPLE([Types.STRING(), Types.LIST(Types.INT())]), [("a", [1, 2])], ["(a,[1, 2])"]),
    (Types.TUPLE([Types.STRING(), Types.PRIMITIVE_ARRAY(Types.INT()), Types.BASIC_ARRAY(Types.STRING())]),
     [("a", [1, 2], ["x", None])], ["(a,[1, 2],[x, null])"]),
    (Types.TUPLE([Types.STRING(), Types.ROW([Types.INT(), Types.STRING()])]), [("a", (1, "b"))],
     ["(a,+I[1, b])"]),
])
def test_typed_records_print_as_java_shows_them(type_info, values, expected):
    assert printed(type_info, values) == expected


def test_row_records_print_each_field_as_python_str():
    # PyFlink's print() maps a ROW stream to '+I[' + ','.join(str(field)) + ']' in Python.
    row_type = Types.ROW([Types.INT(), Types.STRING(), Types.FLOAT(), Types.BOOLEAN(), Types.STRING()])
    assert printed(row_type, [(1, "hi", 110.1, True, None)]) == ["+I[1,hi,110.0999984741211,True,None]"]
    nested = Types.ROW([Types.INT(), Types.ROW([Types.INT(), Types.STRING()])])
    assert printed(nested, [(1, (2, "x"))]) == ["+I[1,Row(f0=2, f1='x')]"]
    mixed = Types.ROW([Types.INT(), Types.LIST(Types.INT()), Types.MAP(Types.STRING(), Types.DOUBLE()),
                       Types.DOUBLE(), Types.FLOAT()])
    assert printed(mixed, [(1, [1, 2], {"k": 1.5}, 1e10, 0.1)]) == [
        "+I[1,[1, 2],{'k': 1.5},10000000000.0,0.10000000149011612]"]
    assert printed(Types.ROW([Types.STRING()]), [Row.of_kind(RowKind.DELETE, "x")]) == ["-D[x]"]


def test_untyped_records_print_as_python_str():
    values = [("Alice", 110.1), {"k": "v"}, 1.5, 3, True, "text", [1, "a"], None,
              Row(1, "hi"), Row(name="Bob", age=3), 1e20, 0.0001]
    assert printed(None, values) == [
        "('Alice', 110.1)", "{'k': 'v'}", "1.5", "3", "True", "text", "[1, 'a']", "None",
        "<Row(1, 'hi')>", "Row(name='Bob', age=3)", "1e+20", "0.0001"]
    assert printed(Types.PICKLED_BYTE_ARRAY(), [(1, "a")]) == ["(1, 'a')"]


def test_sinks_show_typed_rows_as_java_rows():
    # A sink that writes text (not print()) gets Java's Row.toString: ", " between fields.
    text = sink_text_for(Types.ROW([Types.INT(), Types.FLOAT()]))
    assert text(Row(1, None)) == "+I[1, null]"
    assert text((2, 110.1)) == "+I[2, 110.1]"
    # Untyped records keep Fluvial's Java-like text.
    assert sink_text_for(None)(("a", 1)) == "(a,1)"


def test_maps_print_in_java_hash_map_order():
    # from_collection() reads the Python dict into Java in reverse, then Flink's
    # MapSerializer rebuilds it with new HashMap<>(size): PyFlink printed these orders.
    map_type = Types.MAP(Types.STRING(), Types.INT())
    collected = converter_for(map_type, collection=True)({"b": 1, "a": 2, "banana": 3, "apple": 4})
    assert printed(map_type, [collected]) == ["{banana=3, apple=4, a=2, b=1}"]
    int_map = Types.MAP(Types.INT(), Types.STRING())
    collected = converter_for(int_map, collection=True)({3: "c", 1: "a", 20: "t"})
    assert printed(int_map, [collected]) == ["{20=t, 1=a, 3=c}"]


def test_hash_map_order_follows_buckets_then_insertion():
    # "a" (97) and "apple" share bucket 1 of a 16-slot table; "b" is in bucket 2.
    assert [k for k, _ in hash_map_order([("b", 0), ("apple", 0), ("a", 0)])] == ["apple", "a", "b"]
    # Integer keys hash to themselves; HashMap(3) has 4 buckets: 20 lands in bucket 0.
    assert [k for k, _ in deserialized_order({3: "c", 1: "a", 20: "t"})] == [20, 1, 3]
    # Keys without a known Java hash keep their order.
    assert collection_order({(1, 2): "x", (0, 1): "y"}) == {(0, 1): "y", (1, 2): "x"}
    assert [k for k, _ in hash_map_order([((1, 2), 0), ((0, 1), 0)])] == [(1, 2), (0, 1)]


def test_row_types_convert_to_rows_with_field_names():
    convert = converter_for(Types.ROW([Types.INT(), Types.STRING()]))
    row = convert((1, "a"))
    assert isinstance(row, Row) and row.f0 == 1 and row.f1 == "a"
    assert repr(row) == "Row(f0=1, f1='a')"
    named = converter_for(Types.ROW_NAMED(["id", "v"], [Types.INT(), Types.STRING()]))
    assert repr(named([1, "x"])) == "Row(id=1, v='x')"
    # A named Row is read by name, as PyFlink's row coder reads it.
    assert named(Row(v="y", id=2)) == Row(id=2, v="y") and named(Row(v="y", id=2))[0] == 2
    kept = named(Row.of_kind(RowKind.UPDATE_BEFORE, 3, "z"))
    assert kept.get_row_kind() is RowKind.UPDATE_BEFORE


def test_float_types_convert_to_32_bit_floats():
    convert = converter_for(Types.TUPLE([Types.STRING(), Types.FLOAT(), Types.DOUBLE()]))
    assert convert(("a", 110.1, 110.1)) == ("a", 110.0999984741211, 110.1)
    assert converter_for(Types.FLOAT())(3) == 3.0 and converter_for(Types.DOUBLE())(3) == 3.0
    assert to_float32(1e39) == float("inf") and to_float32(-1e39) == float("-inf")
    assert converter_for(Types.LIST(Types.FLOAT()))([0.1, None]) == [0.10000000149011612, None]


def test_java_float_text():
    assert [display_float32(v) for v in (163.29999923706055, 1.5e300, -0.0, 9999999.0, 1e7)] == [
        "163.3", "Infinity", "-0.0", "9999999.0", "1.0E7"]
