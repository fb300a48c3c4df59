"""TypeSerializers: every declared type round-trips random values (columns with None, one
value through PyFlink's serialize/deserialize), values that do not fit are found, and
damaged bytes fail clearly."""

import datetime
import decimal
import io
import random
import struct

import pytest

from fluvial.common import Row, RowKind, Types
from fluvial.common.serializer import (
    ColumnMismatch,
    PickleSerializer,
    TypeSerializer,
    _Reader,
    serializer_for,
)

ROUNDS = 30


def _text(rng):
    alphabet = "abcxyz \u00e9\u4e2d\U0001f600\ud800,\n\x00"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))


def _float32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


def _generators():
    """(type, generator of one non-None value, whether elements may be None)."""
    return {
        "BOOLEAN": (Types.BOOLEAN(), lambda r: r.random() < 0.5),
        "BYTE": (Types.BYTE(), lambda r: r.randint(-128, 127)),
        "SHORT": (Types.SHORT(), lambda r: r.randint(-2 ** 15, 2 ** 15 - 1)),
        "INT": (Types.INT(), lambda r: r.randint(-2 ** 31, 2 ** 31 - 1)),
        "LONG": (Types.LONG(), lambda r: r.randint(-2 ** 63, 2 ** 63 - 1)),
        "FLOAT": (Types.FLOAT(), lambda r: _float32(r.uniform(-1e30, 1e30))),
        "DOUBLE": (Types.DOUBLE(), lambda r: r.choice([r.uniform(-1e300, 1e300), float("inf"),
                                                        -0.0, 5e-324])),
        "STRING": (Types.STRING(), _text),
        "CHAR": (Types.CHAR(), lambda r: r.choice("a\u00e9\U0001f600")),
        "BIG_INT": (Types.BIG_INT(), lambda r: r.randint(-10 ** 40, 10 ** 40)),
        "BIG_DEC": (Types.BIG_DEC(), lambda r: decimal.Decimal(r.randint(-10 ** 30, 10 ** 30))
                    .scaleb(-r.randrange(0, 40))),
        "BYTES": (Types.PRIMITIVE_ARRAY(Types.BYTE()), lambda r: r.randbytes(r.randrange(0, 9))),
        "SQL_DATE": (Types.SQL_DATE(), lambda r: datetime.date.fromordinal(r.randint(1, 3_652_059))),
        "SQL_TIME": (Types.SQL_TIME(), lambda r: datetime.time(r.randrange(24), r.randrange(60),
                                                               r.randrange(60), r.randrange(10 ** 6))),
        "SQL_TIMESTAMP": (Types.SQL_TIMESTAMP(), lambda r: datetime.datetime(1, 1, 1) + datetime.timedelta(
            microseconds=r.randrange(0, 315_537_897_600 * 10 ** 6))),
        "PICKLED": (Types.PICKLED_BYTE_ARRAY(), lambda r: r.choice([{"a": {1, 2}}, [1, (2, None)],
                                                                   frozenset("ab"), 3 + 4j])),
    }


def _random_type(rng, depth=0):
    """A random type (nested up to three levels) and a generator of its values."""
    basics = _generators()
    if depth >= 2 or rng.random() < 0.4:
        name = rng.choice(sorted(basics))
        type_info, generate = basics[name]
        return type_info, generate
    shape = rng.choice(["ROW", "ROW_NAMED", "TUPLE", "LIST", "MAP", "OBJECT_ARRAY",
                        "BASIC_ARRAY", "PRIMITIVE_ARRAY"])
    if shape in ("ROW", "ROW_NAMED", "TUPLE"):
        fields = [_random_type(rng, depth + 1) for _ in range(rng.randrange(shape != "TUPLE", 4))]
        types = [t for t, _ in fields]
        if shape == "TUPLE":
            return Types.TUPLE(types), lambda r: tuple(_nullable(r, g) for _, g in fields)
        names = [f"field{i}" for i in range(len(fields))]
        if shape == "ROW":
            def row(r):
                result = Row(*[_nullable(r, g) for _, g in fields])
                result.set_row_kind(r.choice(list(RowKind)))
                return result
            return Types.ROW(types), row
        return (Types.ROW_NAMED(names, types),
                lambda r: Row(**{n: _nullable(r, g) for n, (_, g) in zip(names, fields)}))
    if shape in ("BASIC_ARRAY", "PRIMITIVE_ARRAY"):
        name = rng.choice(["BOOLEAN", "SHORT", "INT", "LONG", "FLOAT", "DOUBLE"])
        element, generate = basics[name]
        if shape == "BASIC_ARRAY":
            return Types.BASIC_ARRAY(element), lambda r: [_nullable(r, generate) for _ in range(r.randrange(4))]
        return Types.PRIMITIVE_ARRAY(element), lambda r: [generate(r) for _ in range(r.randrange(4))]
    if shape == "MAP":
        key_name = rng.choice(["STRING", "INT", "LONG", "SQL_DATE"])
        key_type, key_generate = basics[key_name]
        value_type, value_generate = _random_type(rng, depth + 1)
        return (Types.MAP(key_type, value_type),
                lambda r: {key_generate(r): _nullable(r, value_generate) for _ in range(r.randrange(4))})
    element, generate = _random_type(rng, depth + 1)
    factory = Types.LIST if shape == "LIST" else Types.OBJECT_ARRAY
    return factory(element), lambda r: [_nullable(r, generate) for _ in range(r.randrange(4))]


def _nullable(rng, generate):
    return None if rng.random() < 0.15 else generate(rng)


def _round_trip(serializer, values):
    assert serializer.find_invalid(values) is None, (serializer, values)
    blob = serializer.serialize_column(values)
    out = []
    serializer.encode(values, out)  # the path for values the quick check does not know
    assert b"".join(out) == blob
    reader = _Reader(blob)
    back = serializer.decode(reader, len(values))
    assert reader.offset == len(reader.data)
    return back


def _same(a, b):
    """Equal, and of the same kind (a Row keeps its kind and names)."""
    if isinstance(a, Row):
        return (isinstance(b, Row) and a.get_row_kind() == b.get_row_kind()
                and a._names == b._names and len(a) == len(b)
                and all(_same(x, y) for x, y in zip(a._values, b._values)))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and a != a:
        return isinstance(b, float) and b != b
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("name", sorted(_generators()))
def test_every_basic_type_round_trips_random_columns(name):
    type_info, generate = _generators()[name]
    serializer = serializer_for(type_info)
    rng = random.Random(name)
    for _ in range(ROUNDS):
        values = [_nullable(rng, generate) for _ in range(rng.randrange(0, 40))]
        back = _round_trip(serializer, values)
        assert all(_same(a, b) for a, b in zip(values, back)) and len(back) == len(values)


@pytest.mark.parametrize("seed", range(40))
def test_nested_types_round_trip_random_columns(seed):
    rng = random.Random(seed)
    type_info, generate = _random_type(rng)
    serializer = serializer_for(type_info)
    values = [_nullable(rng, generate) for _ in range(rng.randrange(0, 30))]
    back = _round_trip(serializer, values)
    assert len(back) == len(values)
    for original, restored in zip(values, back):
        assert _same(original, restored), (type_info.to_type_string(), original, restored)
    # PyFlink's one-value API reads back what it wrote.
    for value in values[:5]:
        stream = io.BytesIO()
        serializer.serialize(value, stream)
        stream.seek(0)
        assert _same(value, serializer.deserialize(stream))


def test_declared_type_conversions_are_the_types_own():
    # A tuple stored as a ROW comes back a Row; a list as a TUPLE a tuple; ints as DOUBLE
    # floats; bytearray as bytes; an int as BIG_DEC a Decimal; FLOAT is single precision.
    cases = [
        (Types.ROW([Types.INT(), Types.STRING()]), (1, "a"), Row(1, "a")),
        (Types.TUPLE([Types.INT(), Types.STRING()]), [1, "a"], (1, "a")),
        (Types.DOUBLE(), 3, 3.0),
        (Types.PRIMITIVE_ARRAY(Types.BYTE()), bytearray(b"xy"), b"xy"),
        (Types.BIG_DEC(), 7, decimal.Decimal(7)),
        (Types.FLOAT(), 0.1, _float32(0.1)),
        (Types.ROW_NAMED(["a", "b"], [Types.INT(), Types.INT()]), Row(b=2, a=1), Row(a=1, b=2)),
    ]
    for type_info, value, expected in cases:
        assert _same(expected, _round_trip(serializer_for(type_info), [value])[0]), type_info


@pytest.mark.parametrize("type_info, values, index, message", [
    (Types.INT(), [1, 2 ** 31], 1, "expected INT (a Python int in [-2147483648, 2147483647]), got int 2147483648"),
    (Types.INT(), [1, True], 1, "got bool True"),
    (Types.LONG(), ["7"], 0, "expected LONG"),
    (Types.FLOAT(), [1.0, 1e39], 1, "expected FLOAT (a float within"),
    (Types.STRING(), ["a", b"b"], 1, "expected STRING (a Python str), got bytes b'b'"),
    (Types.CHAR(), ["ab"], 0, "expected CHAR (a Python str of length 1)"),
    (Types.BOOLEAN(), [1], 0, "expected BOOLEAN"),
    (Types.MAP(Types.STRING(), Types.LONG()), [{"a": 1}, {"b": "x"}], 1,
     "value for key 'b' of MAP<STRING, LONG>: expected LONG"),
    (Types.ROW([Types.INT()]), [(1, 2)], 0, "expected ROW<f0 INT>"),
    (Types.SQL_TIMESTAMP(), [datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)], 0,
     "timezone-naive"),
    (Types.SQL_TIME(), [datetime.time(1, tzinfo=datetime.timezone.utc)], 0, "without tzinfo"),
    (Types.SQL_DATE(), [datetime.datetime(2024, 1, 1)], 0, "expected SQL_DATE"),
    (Types.MAP(Types.STRING(), Types.LONG()), [{"a": 1}, {None: 1}], 1, "map keys cannot be None"),
    (Types.PRIMITIVE_ARRAY(Types.INT()), [[1], [1, None]], 1, "primitive arrays hold no None"),
    (Types.ROW([Types.INT(), Types.STRING()]), [(1, "a"), (2, 3)], 1, "expected STRING"),
])
def test_values_that_do_not_fit_are_found(type_info, values, index, message):
    serializer = serializer_for(type_info)
    found = serializer.find_invalid(values)
    assert found is not None and found[0] == index and message in found[1], found
    with pytest.raises(ColumnMismatch) as caught:
        serializer.serialize_column(values)
    assert caught.value.index == index and message in str(caught.value)


def test_subclasses_the_quick_check_does_not_know_still_fit():
    import enum

    class Level(enum.IntEnum):
        LOW = 1

    class Tags(dict):
        pass

    serializer = serializer_for(Types.MAP(Types.STRING(), Types.INT()))
    back = _Reader(serializer.serialize_column([Tags(a=Level.LOW), {"b": 2}]))
    assert serializer.decode(back, 2) == [{"a": 1}, {"b": 2}]


def test_damaged_bytes_fail_clearly():
    serializer = serializer_for(Types.MAP(Types.STRING(), Types.LONG()))
    out = []
    serializer.encode([{"a": 1, "b": 2}], out)
    blob = b"".join(out)
    with pytest.raises(ValueError, match="truncated at offset"):
        serializer.decode(_Reader(blob[:-3]), 1)
    with pytest.raises(ValueError, match="null flag 7, expected 0 or 1"):
        serializer.decode(_Reader(b"\x07" + blob[1:]), 1)
    with pytest.raises(ValueError, match="the stream ended before a value"):
        serializer.deserialize(io.BytesIO(b""))


def test_serializer_for_picks_the_binary_serializer_or_pickle():
    assert type(serializer_for(None)) is PickleSerializer
    assert type(serializer_for(Types.INSTANT())) is PickleSerializer
    assert serializer_for(Types.INT()) == serializer_for(Types.INT())
    assert serializer_for(Types.INT()) != serializer_for(Types.LONG())
    assert isinstance(serializer_for(Types.LIST(Types.INT())), TypeSerializer)
    with pytest.raises(TypeError, match="expects a TypeInformation such as Types.INT"):
        serializer_for("INT")
