import datetime
import decimal
import pickle
import random

import cloudpickle
import pytest

from fluvial.common import Instant, Row, Types
from fluvial.common.typeinfo import (
    BasicArrayTypeInfo,
    BasicType,
    BasicTypeInfo,
    DateTypeInfo,
    InstantTypeInfo,
    ListTypeInfo,
    LocalTimeTypeInfo,
    MapTypeInfo,
    ObjectArrayTypeInfo,
    PickledBytesTypeInfo,
    PrimitiveArrayTypeInfo,
    RowTypeInfo,
    SqlTimeTypeInfo,
    TimestampTypeInfo,
    TimeTypeInfo,
    TupleTypeInfo,
    TypeInformation,
)

DATE = datetime.date(2024, 1, 2)
TIME = datetime.time(12, 30)
DATETIME = datetime.datetime(2024, 1, 2, 12, 30)


def rejection(type_info: TypeInformation, value) -> str:
    """Returns the validator's message for `value`, failing if it is accepted."""
    with pytest.raises(TypeError) as info:
        type_info.make_validator()(value)
    return str(info.value)


# ------------------------------------------------------------------- factories and classes


@pytest.mark.parametrize(
    "factory, cls, type_string, java_repr",
    [
        (Types.STRING, BasicTypeInfo, "STRING", "String"),
        (Types.BYTE, BasicTypeInfo, "BYTE", "Byte"),
        (Types.BOOLEAN, BasicTypeInfo, "BOOLEAN", "Boolean"),
        (Types.SHORT, BasicTypeInfo, "SHORT", "Short"),
        (Types.INT, BasicTypeInfo, "INT", "Integer"),
        (Types.LONG, BasicTypeInfo, "LONG", "Long"),
        (Types.FLOAT, BasicTypeInfo, "FLOAT", "Float"),
        (Types.DOUBLE, BasicTypeInfo, "DOUBLE", "Double"),
        (Types.CHAR, BasicTypeInfo, "CHAR", "Char"),
        (Types.BIG_INT, BasicTypeInfo, "BIG_INT", "BigInteger"),
        (Types.BIG_DEC, BasicTypeInfo, "BIG_DEC", "BigDecimal"),
        (Types.INSTANT, InstantTypeInfo, "INSTANT", "Instant"),
        (Types.SQL_DATE, DateTypeInfo, "SQL_DATE", "DateTypeInfo"),
        (Types.SQL_TIME, TimeTypeInfo, "SQL_TIME", "TimeTypeInfo"),
        (Types.SQL_TIMESTAMP, TimestampTypeInfo, "SQL_TIMESTAMP", "TimestampTypeInfo"),
        (
            Types.LOCAL_DATE,
            LocalTimeTypeInfo,
            "LOCAL_DATE",
            "LocalTimeTypeInfo<LOCAL_DATE>",
        ),
        (
            Types.LOCAL_TIME,
            LocalTimeTypeInfo,
            "LOCAL_TIME",
            "LocalTimeTypeInfo<LOCAL_TIME>",
        ),
        (
            Types.LOCAL_DATE_TIME,
            LocalTimeTypeInfo,
            "LOCAL_DATE_TIME",
            "LocalTimeTypeInfo<LOCAL_DATE_TIME>",
        ),
        (
            Types.PICKLED_BYTE_ARRAY,
            PickledBytesTypeInfo,
            "PICKLED_BYTE_ARRAY",
            "PickledByteArrayTypeInfo",
        ),
    ],
)
def test_simple_types_have_class_names_and_reprs(factory, cls, type_string, java_repr):
    type_info = factory()
    assert type(type_info) is cls
    assert type_info.to_type_string() == type_string
    assert repr(type_info) == java_repr
    assert type_info == factory()
    assert hash(type_info) == hash(factory())


def test_pyflink_style_class_factories_match_types():
    assert BasicTypeInfo.INT_TYPE_INFO() == Types.INT()
    assert BasicTypeInfo.STRING_TYPE_INFO() == Types.STRING()
    assert BasicTypeInfo.INSTANT_TYPE_INFO() == Types.INSTANT()
    assert SqlTimeTypeInfo.DATE() == Types.SQL_DATE()
    assert SqlTimeTypeInfo.TIME() == Types.SQL_TIME()
    assert SqlTimeTypeInfo.TIMESTAMP() == Types.SQL_TIMESTAMP()
    assert BasicTypeInfo(BasicType.INSTANT) == InstantTypeInfo()


def test_distinct_types_are_unequal():
    everything = [
        Types.STRING(),
        Types.INT(),
        Types.LONG(),
        Types.SQL_DATE(),
        Types.LOCAL_DATE(),
        Types.PICKLED_BYTE_ARRAY(),
        Types.LIST(Types.INT()),
        Types.BASIC_ARRAY(Types.INT()),
        Types.PRIMITIVE_ARRAY(Types.INT()),
        Types.OBJECT_ARRAY(Types.INT()),
        Types.LIST(Types.LONG()),
        Types.MAP(Types.STRING(), Types.INT()),
        Types.MAP(Types.INT(), Types.STRING()),
        Types.ROW([Types.INT()]),
        Types.ROW_NAMED(["a"], [Types.INT()]),
        Types.TUPLE([Types.INT()]),
    ]
    for i, left in enumerate(everything):
        for j, right in enumerate(everything):
            assert (left == right) == (i == j), (left, right)
    assert len(set(everything)) == len(everything)
    assert Types.INT() != "INT"


def test_row_type_info_fields():
    row_type = Types.ROW_NAMED(["name", "price"], [Types.STRING(), Types.DOUBLE()])
    assert isinstance(row_type, RowTypeInfo)
    assert row_type.get_field_names() == ["name", "price"]
    assert row_type.get_field_types() == [Types.STRING(), Types.DOUBLE()]
    assert row_type.get_field_index("price") == 1
    assert row_type.get_field_index("missing") == -1
    assert row_type.get_arity() == 2
    assert repr(row_type) == "RowTypeInfo(name: String, price: Double)"
    assert row_type.to_type_string() == "ROW<name STRING, price DOUBLE>"


def test_unnamed_row_fields_are_called_f0_f1_as_in_flink():
    row_type = Types.ROW([Types.INT(), Types.STRING()])
    assert row_type.get_field_names() == ["f0", "f1"]
    assert row_type.get_field_index("f1") == 1
    assert repr(row_type) == "RowTypeInfo(Integer, String)"
    assert row_type.to_type_string() == "ROW<f0 INT, f1 STRING>"
    assert row_type == Types.ROW_NAMED(["f0", "f1"], [Types.INT(), Types.STRING()])


def test_row_types_differ_by_field_names():
    assert Types.ROW_NAMED(["a"], [Types.INT()]) != Types.ROW_NAMED(
        ["b"], [Types.INT()]
    )


def test_row_type_info_does_not_share_caller_lists():
    names, types = ["a"], [Types.INT()]
    row_type = Types.ROW_NAMED(names, types)
    names.append("b")
    types.append(Types.INT())
    row_type.get_field_types().append(Types.LONG())
    assert row_type.get_field_names() == ["a"]
    assert row_type.get_field_types() == [Types.INT()]


def test_composite_reprs_and_type_strings():
    cases = [
        (
            Types.TUPLE([Types.INT(), Types.STRING()]),
            TupleTypeInfo,
            "TupleTypeInfo(Integer, String)",
            "TUPLE<INT, STRING>",
        ),
        (
            Types.PRIMITIVE_ARRAY(Types.INT()),
            PrimitiveArrayTypeInfo,
            "PrimitiveArrayTypeInfo<Integer>",
            "PRIMITIVE_ARRAY<INT>",
        ),
        (
            Types.BASIC_ARRAY(Types.STRING()),
            BasicArrayTypeInfo,
            "BasicArrayTypeInfo<String>",
            "BASIC_ARRAY<STRING>",
        ),
        (
            Types.OBJECT_ARRAY(Types.ROW([Types.INT()])),
            ObjectArrayTypeInfo,
            "ObjectArrayTypeInfo<RowTypeInfo(Integer)>",
            "OBJECT_ARRAY<ROW<f0 INT>>",
        ),
        (
            Types.LIST(Types.LONG()),
            ListTypeInfo,
            "ListTypeInfo<Long>",
            "LIST<LONG>",
        ),
        (
            Types.MAP(Types.STRING(), Types.LIST(Types.INT())),
            MapTypeInfo,
            "MapTypeInfo<String, ListTypeInfo<Integer>>",
            "MAP<STRING, LIST<INT>>",
        ),
    ]
    for type_info, cls, java_repr, type_string in cases:
        assert type(type_info) is cls
        assert repr(type_info) == java_repr
        assert type_info.to_type_string() == type_string


def test_element_accessors():
    assert Types.LIST(Types.INT()).elem_type == Types.INT()
    assert Types.LIST(Types.INT()).get_element_type() == Types.INT()
    assert Types.PRIMITIVE_ARRAY(Types.INT()).get_element_type() == Types.INT()
    map_type = Types.MAP(Types.STRING(), Types.LONG())
    assert map_type.get_key_type() == Types.STRING()
    assert map_type.get_value_type() == Types.LONG()
    assert Types.TUPLE([Types.INT(), Types.LONG()]).get_field_types() == [
        Types.INT(),
        Types.LONG(),
    ]


@pytest.mark.parametrize(
    "build, error, message",
    [
        (
            lambda: Types.ROW([int]),
            TypeError,
            "field_types[0] must be a TypeInformation such as Types.INT(), got type <class 'int'>",
        ),
        (
            lambda: Types.ROW("abc"),
            TypeError,
            "field_types must be a list of TypeInformation, got str 'abc'",
        ),
        (
            lambda: Types.ROW_NAMED(["a"], [Types.INT(), Types.INT()]),
            ValueError,
            "field_names needs one name per field type (2), got 1 names ['a']",
        ),
        (
            lambda: Types.ROW_NAMED(["a", "a"], [Types.INT(), Types.INT()]),
            ValueError,
            "field_names must be unique, got duplicates ['a']",
        ),
        (
            lambda: Types.ROW_NAMED(["a", 1], [Types.INT(), Types.INT()]),
            TypeError,
            "field_names[1] must be a str, got int 1",
        ),
        (
            lambda: Types.LIST(Types.INT),
            TypeError,
            "element_type must be a TypeInformation",
        ),
        (
            lambda: Types.MAP(Types.STRING(), "INT"),
            TypeError,
            "value_type_info must be a TypeInformation such as Types.INT(), got str 'INT'",
        ),
        (
            lambda: Types.PRIMITIVE_ARRAY(Types.STRING()),
            TypeError,
            (
                "PRIMITIVE_ARRAY element type must be one of BOOLEAN, BYTE, SHORT, INT, LONG, "
                "FLOAT, DOUBLE, CHAR, got STRING"
            ),
        ),
        (
            lambda: Types.BASIC_ARRAY(Types.LIST(Types.INT())),
            TypeError,
            (
                "BASIC_ARRAY element type must be one of BOOLEAN, BYTE, SHORT, INT, LONG, "
                "FLOAT, DOUBLE, CHAR, STRING, got LIST<INT>"
            ),
        ),
    ],
)
def test_bad_factory_arguments_are_named(build, error, message):
    with pytest.raises(error) as info:
        build()
    assert message in str(info.value)


@pytest.mark.parametrize("dumps", [pickle.dumps, cloudpickle.dumps])
def test_type_infos_pickle(dumps):
    types = [
        Types.INT(),
        Types.INSTANT(),
        Types.SQL_DATE(),
        Types.LOCAL_DATE_TIME(),
        Types.PICKLED_BYTE_ARRAY(),
        Types.ROW_NAMED(["a", "b"], [Types.INT(), Types.LIST(Types.STRING())]),
        Types.ROW([Types.INT()]),
        Types.TUPLE([Types.INT(), Types.MAP(Types.STRING(), Types.DOUBLE())]),
        Types.PRIMITIVE_ARRAY(Types.BYTE()),
        Types.BASIC_ARRAY(Types.INT()),
        Types.OBJECT_ARRAY(Types.SQL_TIME()),
    ]
    for type_info in types:
        copy = pickle.loads(dumps(type_info))
        assert copy == type_info
        assert type(copy) is type(type_info)
        assert repr(copy) == repr(type_info)


def test_validators_survive_cloudpickle():
    validate = Types.ROW_NAMED(["a"], [Types.INT()]).make_validator()
    copy = cloudpickle.loads(cloudpickle.dumps(validate))
    copy(Row(a=1))
    with pytest.raises(TypeError, match="field 'a'"):
        copy(Row(a="x"))


# ----------------------------------------------------------------------- leaf validators

# (type, accepted values, rejected values); None is accepted by all.
LEAF_CASES = [
    (Types.BOOLEAN(), [True, False], [0, 1, "true", 1.0]),
    (Types.BYTE(), [0, -128, 127], [128, -129, True, 1.0, "1"]),
    (Types.SHORT(), [-32768, 32767], [32768, -32769, False]),
    (Types.INT(), [0, -(2**31), 2**31 - 1], [2**31, -(2**31) - 1, True, 1.5, "1"]),
    (Types.LONG(), [-(2**63), 2**63 - 1], [2**63, -(2**63) - 1, True, 1.0]),
    (Types.FLOAT(), [1.5, 3, -0.0, float("inf")], [True, "1.5", decimal.Decimal(1)]),
    (Types.DOUBLE(), [1.5, 2**70], [False, "3.5", None.__class__]),
    (Types.STRING(), ["", "abc"], [b"abc", 1, ["a"]]),
    (Types.CHAR(), ["a", "é"], ["", "ab", 97, b"a"]),
    (Types.BIG_INT(), [0, 10**40, -(10**40)], [True, 1.0, decimal.Decimal(1)]),
    (
        Types.BIG_DEC(),
        [decimal.Decimal("1.25"), 3, 10**40],
        [1.25, True, "1.25"],
    ),
    (Types.SQL_DATE(), [DATE], [DATETIME, TIME, "2024-01-02"]),
    (Types.LOCAL_DATE(), [DATE], [DATETIME, TIME]),
    (Types.SQL_TIME(), [TIME], [DATETIME, DATE, 0]),
    (Types.LOCAL_TIME(), [TIME], [DATETIME, "12:30"]),
    (Types.SQL_TIMESTAMP(), [DATETIME], [DATE, TIME, 0]),
    (Types.LOCAL_DATE_TIME(), [DATETIME], [DATE, 1.0]),
    (Types.INSTANT(), [DATETIME, Instant(1, 2)], [DATE, 0, "now"]),
    (Types.PICKLED_BYTE_ARRAY(), [object(), 1, "x", [1, "a"], Row(a=1)], []),
]


@pytest.mark.parametrize(
    "type_info, accepted, rejected",
    LEAF_CASES,
    ids=[case[0].to_type_string() for case in LEAF_CASES],
)
def test_leaf_validators(type_info, accepted, rejected):
    validate = type_info.make_validator()
    assert validate(None) is None
    for value in accepted:
        validate(value)
    for value in rejected:
        with pytest.raises(TypeError, match=f"^expected {type_info.to_type_string()} "):
            validate(value)


def test_int_subclasses_are_ints_but_bool_is_not():
    class Count(int):
        pass

    validate = Types.INT().make_validator()
    validate(Count(5))
    with pytest.raises(TypeError):
        validate(Count(2**40))
    assert "got bool True" in rejection(Types.INT(), True)


@pytest.mark.parametrize(
    "type_info, value, message",
    [
        (
            Types.INT(),
            "abc",
            "expected INT (a Python int in [-2147483648, 2147483647]), got str 'abc'",
        ),
        (
            Types.INT(),
            2**31,
            "expected INT (a Python int in [-2147483648, 2147483647]), got int 2147483648",
        ),
        (
            Types.BYTE(),
            200,
            "expected BYTE (a Python int in [-128, 127]), got int 200",
        ),
        (
            Types.DOUBLE(),
            "3.5",
            "expected DOUBLE (a Python float or int), got str '3.5'",
        ),
        (Types.BOOLEAN(), 1, "expected BOOLEAN (a Python bool), got int 1"),
        (Types.STRING(), b"x", "expected STRING (a Python str), got bytes b'x'"),
        (Types.CHAR(), "ab", "expected CHAR (a Python str of length 1), got str 'ab'"),
        (
            Types.BIG_DEC(),
            1.5,
            "expected BIG_DEC (a decimal.Decimal or int), got float 1.5",
        ),
        (
            Types.SQL_DATE(),
            DATETIME,
            (
                "expected SQL_DATE (a datetime.date, not a datetime.datetime), "
                "got datetime datetime.datetime(2024, 1, 2, 12, 30)"
            ),
        ),
        (
            Types.INSTANT(),
            0,
            "expected INSTANT (a datetime.datetime or fluvial.common.Instant), got int 0",
        ),
    ],
)
def test_leaf_messages(type_info, value, message):
    assert rejection(type_info, value) == message


def test_long_values_are_cut_in_messages():
    message = rejection(Types.INT(), "x" * 500)
    assert message.endswith("...")
    assert len(message) < 200


# ------------------------------------------------------------------------- collections


def test_list_and_arrays_accept_lists_and_tuples():
    for type_info in [
        Types.LIST(Types.INT()),
        Types.BASIC_ARRAY(Types.INT()),
        Types.OBJECT_ARRAY(Types.INT()),
        Types.PRIMITIVE_ARRAY(Types.INT()),
    ]:
        validate = type_info.make_validator()
        validate([1, 2, 3])
        validate((1, 2))
        validate([])
        validate(None)
        with pytest.raises(TypeError, match=r"\(a list or tuple\), got set \{1\}"):
            validate({1})
        with pytest.raises(TypeError, match="element 1 of "):
            validate([1, "2"])


def test_nullable_elements_except_in_primitive_arrays():
    Types.LIST(Types.INT()).make_validator()([1, None])
    Types.BASIC_ARRAY(Types.STRING()).make_validator()(["a", None])
    Types.OBJECT_ARRAY(Types.ROW([Types.INT()])).make_validator()([None, (1,)])
    assert rejection(Types.PRIMITIVE_ARRAY(Types.INT()), [1, None]) == (
        "element 1 of PRIMITIVE_ARRAY<INT>: "
        "expected INT (primitive arrays hold no None elements), got None"
    )


def test_byte_primitive_array_is_bytes():
    validate = Types.PRIMITIVE_ARRAY(Types.BYTE()).make_validator()
    validate(b"\x00\xff")
    validate(bytearray(b"ab"))
    assert rejection(Types.PRIMITIVE_ARRAY(Types.BYTE()), [1, 2]) == (
        "expected PRIMITIVE_ARRAY<BYTE> (bytes or bytearray), got list [1, 2]"
    )


def test_list_of_anything_checks_only_the_container():
    validate = Types.LIST(Types.PICKLED_BYTE_ARRAY()).make_validator()
    validate([object(), None, 1])
    with pytest.raises(TypeError, match="LIST<PICKLED_BYTE_ARRAY>"):
        validate("not a list")


def test_map_validator():
    map_type = Types.MAP(Types.STRING(), Types.INT())
    validate = map_type.make_validator()
    validate({"a": 1, "b": None})
    validate({})
    assert rejection(map_type, [("a", 1)]) == (
        "expected MAP<STRING, INT> (a dict), got list [('a', 1)]"
    )
    assert rejection(map_type, {1: 1}) == (
        "key 1 of MAP<STRING, INT>: expected STRING (a Python str), got int 1"
    )
    assert rejection(map_type, {"a": 1, "b": "x"}) == (
        "value for key 'b' of MAP<STRING, INT>: "
        "expected INT (a Python int in [-2147483648, 2147483647]), got str 'x'"
    )
    assert rejection(map_type, {None: 1}) == (
        "key of MAP<STRING, INT>: expected STRING (map keys cannot be None), got None"
    )


# -------------------------------------------------------------------- rows and tuples

PRODUCT = Types.ROW_NAMED(["name", "price"], [Types.STRING(), Types.DOUBLE()])


def test_row_validator_accepts_rows_tuples_and_lists():
    validate = PRODUCT.make_validator()
    validate(Row(name="a", price=1.0))
    validate(Row("a", 2))
    validate(("a", 1.5))
    validate(["a", None])
    validate(None)


def test_row_validator_names_the_field():
    assert rejection(PRODUCT, Row(name="a", price="3.5")) == (
        "field 'price' (index 1) of ROW<name STRING, price DOUBLE>: "
        "expected DOUBLE (a Python float or int), got str '3.5'"
    )
    assert rejection(PRODUCT, (1, 2.0)) == (
        "field 'name' (index 0) of ROW<name STRING, price DOUBLE>: "
        "expected STRING (a Python str), got int 1"
    )


def test_row_validator_checks_arity_and_container():
    assert rejection(PRODUCT, ("a",)) == (
        "expected ROW<name STRING, price DOUBLE> (a Row, tuple or list with 2 fields), "
        "got 1 field in tuple ('a',)"
    )
    assert rejection(PRODUCT, Row("a", 1.0, 2)) == (
        "expected ROW<name STRING, price DOUBLE> (a Row, tuple or list with 2 fields), "
        "got 3 fields in <Row('a', 1.0, 2)>"
    )
    assert rejection(PRODUCT, {"name": "a", "price": 1.0}).startswith(
        "expected ROW<name STRING, price DOUBLE> (a Row, tuple or list with 2 fields), "
        "got dict "
    )


def test_named_rows_match_named_types_by_name():
    validate = PRODUCT.make_validator()
    validate(Row(price=1.0, name="a"))
    assert rejection(PRODUCT, Row(price="x", name="a")).startswith(
        "field 'price' (index 1) of ROW<name STRING, price DOUBLE>: expected DOUBLE"
    )
    assert rejection(PRODUCT, Row(name="a", cost=1.0)) == (
        "expected ROW<name STRING, price DOUBLE> (a Row, tuple or list with 2 fields), "
        "got a Row without field 'price': Row(name='a', cost=1.0)"
    )


def test_named_rows_match_unnamed_types_by_position():
    validate = Types.ROW([Types.STRING(), Types.INT()]).make_validator()
    validate(Row(x="a", y=1))
    assert rejection(Types.ROW([Types.STRING(), Types.INT()]), Row(y=1, x="a")) == (
        "field 'f0' (index 0) of ROW<f0 STRING, f1 INT>: "
        "expected STRING (a Python str), got int 1"
    )


def test_nested_errors_name_the_whole_path():
    order = Types.ROW_NAMED(
        ["id", "items"],
        [
            Types.LONG(),
            Types.LIST(Types.ROW_NAMED(["sku", "qty"], [Types.STRING(), Types.INT()])),
        ],
    )
    order.make_validator()(Row(id=1, items=[Row(sku="a", qty=2), ("b", None)]))
    assert rejection(order, Row(id=1, items=[("a", 1), ("b", 2.0)])) == (
        "field 'items' (index 1) of ROW<id LONG, items LIST<ROW<sku STRING, qty INT>>>: "
        "element 1 of LIST<ROW<sku STRING, qty INT>>: "
        "field 'qty' (index 1) of ROW<sku STRING, qty INT>: "
        "expected INT (a Python int in [-2147483648, 2147483647]), got float 2.0"
    )


def test_tuple_validator():
    pair = Types.TUPLE([Types.STRING(), Types.INT()])
    validate = pair.make_validator()
    validate(("a", 1))
    validate(["a", 1])
    validate(Row("a", 1))
    validate(None)
    assert rejection(pair, ("a", "b")) == (
        "field 1 of TUPLE<STRING, INT>: "
        "expected INT (a Python int in [-2147483648, 2147483647]), got str 'b'"
    )
    assert rejection(pair, "ab") == (
        "expected TUPLE<STRING, INT> (a tuple, Row or list with 2 fields), got str 'ab'"
    )


def test_row_of_pickled_fields_checks_arity_only():
    validate = Types.ROW(
        [Types.PICKLED_BYTE_ARRAY(), Types.PICKLED_BYTE_ARRAY()]
    ).make_validator()
    validate((object(), object()))
    with pytest.raises(TypeError, match="with 2 fields"):
        validate((1,))


# ------------------------------------------------------------ oracle comparison


def oracle_fits(type_info: TypeInformation, value) -> bool:
    """A plain restatement of the validation rules, to check the fast validators against."""
    if value is None:
        return True
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(type_info, BasicTypeInfo):
        basic = type_info._basic_type
        bits = {
            BasicType.BYTE: 8,
            BasicType.SHORT: 16,
            BasicType.INT: 32,
            BasicType.LONG: 64,
        }
        if basic in bits:
            limit = 2 ** (bits[basic] - 1)
            return is_int and -limit <= value < limit
        return {
            BasicType.STRING: isinstance(value, str),
            BasicType.CHAR: isinstance(value, str) and len(value) == 1,
            BasicType.BOOLEAN: isinstance(value, bool),
            BasicType.FLOAT: is_int or isinstance(value, float),
            BasicType.DOUBLE: is_int or isinstance(value, float),
            BasicType.BIG_INT: is_int,
            BasicType.BIG_DEC: is_int or isinstance(value, decimal.Decimal),
            BasicType.INSTANT: isinstance(value, (datetime.datetime, Instant)),
        }[basic]
    if isinstance(
        type_info, (DateTypeInfo, LocalTimeTypeInfo)
    ) and type_info.to_type_string() in (
        "SQL_DATE",
        "LOCAL_DATE",
    ):
        return isinstance(value, datetime.date) and not isinstance(
            value, datetime.datetime
        )
    if type_info.to_type_string() in ("SQL_TIME", "LOCAL_TIME"):
        return isinstance(value, datetime.time)
    if type_info.to_type_string() in ("SQL_TIMESTAMP", "LOCAL_DATE_TIME"):
        return isinstance(value, datetime.datetime)
    if isinstance(type_info, PickledBytesTypeInfo):
        return True
    if isinstance(type_info, PrimitiveArrayTypeInfo):
        element = type_info.get_element_type()
        if element == Types.BYTE():
            return isinstance(value, (bytes, bytearray))
        return isinstance(value, (list, tuple)) and all(
            item is not None and oracle_fits(element, item) for item in value
        )
    if isinstance(type_info, (ListTypeInfo, BasicArrayTypeInfo, ObjectArrayTypeInfo)):
        element = type_info.get_element_type()
        return isinstance(value, (list, tuple)) and all(
            oracle_fits(element, item) for item in value
        )
    if isinstance(type_info, MapTypeInfo):
        return isinstance(value, dict) and all(
            key is not None
            and oracle_fits(type_info.get_key_type(), key)
            and oracle_fits(type_info.get_value_type(), item)
            for key, item in value.items()
        )
    if isinstance(type_info, (RowTypeInfo, TupleTypeInfo)):
        field_types = type_info.get_field_types()
        if not isinstance(value, (Row, tuple, list)) or len(value) != len(field_types):
            return False
        values = list(value)
        if (
            isinstance(type_info, RowTypeInfo)
            and type_info._field_names is not None
            and isinstance(value, Row)
            and hasattr(value, "_fields")
        ):
            if set(value._fields) != set(type_info.get_field_names()):
                return False
            values = [value[name] for name in type_info.get_field_names()]
        return all(oracle_fits(field, item) for field, item in zip(field_types, values))
    raise AssertionError(f"oracle does not know {type_info!r}")


LEAVES = [
    Types.STRING(),
    Types.BYTE(),
    Types.BOOLEAN(),
    Types.SHORT(),
    Types.INT(),
    Types.LONG(),
    Types.FLOAT(),
    Types.DOUBLE(),
    Types.CHAR(),
    Types.BIG_INT(),
    Types.BIG_DEC(),
    Types.INSTANT(),
    Types.SQL_DATE(),
    Types.SQL_TIME(),
    Types.SQL_TIMESTAMP(),
    Types.LOCAL_DATE(),
    Types.LOCAL_TIME(),
    Types.LOCAL_DATE_TIME(),
    Types.PICKLED_BYTE_ARRAY(),
]
SCALARS = [
    None,
    True,
    0,
    -1,
    127,
    128,
    2**31,
    2**63,
    -(2**63),
    1.5,
    "",
    "a",
    "abc",
    b"ab",
    decimal.Decimal("2.5"),
    DATE,
    TIME,
    DATETIME,
    Instant(0, 5),
]


def random_type(rng: random.Random, depth: int) -> TypeInformation:
    if depth == 0 or rng.random() < 0.4:
        return rng.choice(LEAVES)
    kind = rng.choice(
        ["list", "object", "basic", "primitive", "map", "row", "named", "tuple"]
    )
    if kind == "list":
        return Types.LIST(random_type(rng, depth - 1))
    if kind == "object":
        return Types.OBJECT_ARRAY(random_type(rng, depth - 1))
    if kind == "basic":
        return Types.BASIC_ARRAY(
            rng.choice([Types.INT(), Types.STRING(), Types.DOUBLE()])
        )
    if kind == "primitive":
        return Types.PRIMITIVE_ARRAY(
            rng.choice([Types.BYTE(), Types.INT(), Types.BOOLEAN()])
        )
    if kind == "map":
        return Types.MAP(rng.choice(LEAVES[:12]), random_type(rng, depth - 1))
    fields = [random_type(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    if kind == "tuple":
        return Types.TUPLE(fields)
    if kind == "named":
        return Types.ROW_NAMED([f"c{i}" for i in range(len(fields))], fields)
    return Types.ROW(fields)


def random_value(rng: random.Random, type_info: TypeInformation, depth: int):
    """A value that fits `type_info` more often than not, sometimes with a flaw inside."""
    if rng.random() < 0.15 or depth == 0:
        return rng.choice(
            SCALARS + [[1], (1, "a"), {"a": 1}, Row(c0=1), bytearray(b"x")]
        )
    if (
        isinstance(type_info, PrimitiveArrayTypeInfo)
        and type_info.get_element_type() == Types.BYTE()
    ):
        return rng.choice([b"ab", [1], None])
    if isinstance(
        type_info,
        (ListTypeInfo, ObjectArrayTypeInfo, BasicArrayTypeInfo, PrimitiveArrayTypeInfo),
    ):
        items = [
            random_value(rng, type_info.get_element_type(), depth - 1)
            for _ in range(rng.randint(0, 3))
        ]
        return items if rng.random() < 0.5 else tuple(items)
    if isinstance(type_info, MapTypeInfo):
        return {
            rng.choice(SCALARS): random_value(
                rng, type_info.get_value_type(), depth - 1
            )
            for _ in range(rng.randint(0, 3))
        }
    if isinstance(type_info, (RowTypeInfo, TupleTypeInfo)):
        values = [
            random_value(rng, field, depth - 1) for field in type_info.get_field_types()
        ]
        if rng.random() < 0.1:
            values.append(1)
        shape = rng.random()
        if shape < 0.3:
            return tuple(values)
        if shape < 0.5:
            return Row(*values)
        if shape < 0.8 and isinstance(type_info, RowTypeInfo):
            names = type_info.get_field_names() + ["extra"]
            pairs = list(zip(names, values))
            rng.shuffle(pairs)
            return Row(**dict(pairs))
        return values
    return rng.choice(SCALARS)


def test_validators_agree_with_oracle_on_random_types_and_values():
    rng = random.Random(20240601)
    accepted = rejected = 0
    for _ in range(400):
        type_info = random_type(rng, 3)
        validate = type_info.make_validator()
        for _ in range(15):
            value = random_value(rng, type_info, 3)
            expected = oracle_fits(type_info, value)
            try:
                validate(value)
                actual = True
            except TypeError:
                actual = False
            assert actual == expected, (type_info.to_type_string(), value)
            accepted += actual
            rejected += not actual
    # The generator must exercise both outcomes to mean anything.
    assert accepted > 500 and rejected > 500


def test_arity_messages_use_singular_for_one_field():
    assert rejection(Types.ROW([Types.INT()]), (1, 2)) == (
        "expected ROW<f0 INT> (a Row, tuple or list with 1 field), "
        "got 2 fields in tuple (1, 2)"
    )


def test_positional_rows_match_named_types_by_position():
    validate = PRODUCT.make_validator()
    validate(Row("a", 1.0))
    assert rejection(PRODUCT, Row(1.0, "a")).startswith(
        "field 'name' (index 0) of ROW<name STRING, price DOUBLE>: expected STRING"
    )
