"""TypeSerializers: values of a declared type to bytes and back (``pyflink.common.serializer``).

Checkpoints use them for state whose descriptor declares a type: a state's values in one key
group are written as one *column* blob (all INT values as one little-endian int32 array, all
strings as one UTF-8 text plus lengths, a MAP as entry counts plus a key column plus a value
column, a ROW as one column per field), which is both smaller and faster than pickling each
value. ``serializer_for(Types.X())`` returns the serializer of a type; types without a binary
serializer here (and PICKLED_BYTE_ARRAY) are written with cloudpickle.

Column format (version 1; every multi-byte number little-endian): each column starts with a
null flag byte (0: no None values; 1: followed by one byte per value, 1 where it is None, and
only the other values follow). A *chunk* is a uint64 length followed by that many bytes.
Fixed-width types are one chunk of the packed array; STRING/CHAR is a chunk of code-point
lengths (uint32) and a chunk of UTF-8 text; BYTES a chunk of lengths and a chunk of the
concatenated bytes; BIG_INT/BIG_DEC a STRING column of their decimal text; SQL_DATE int32 days
since 0001-01-01; SQL_TIME int64 microseconds of the day; SQL_TIMESTAMP int64 microseconds
since 1970-01-01 (timezone-naive); ROW/TUPLE a chunk of row kinds (ROW only) and one column
per field; LIST and arrays a chunk of lengths (uint32) and the column of all elements; MAP a
chunk of sizes, the key column and the value column; PICKLED_BYTE_ARRAY one cloudpickle chunk
of the list of values.
"""

import datetime
import decimal
import io
import operator
import struct
import sys
from array import array
from itertools import accumulate, chain, compress, islice, repeat
from typing import Any, Generic, List, Optional, Tuple, TypeVar

import cloudpickle

from fluvial.common._validators import describe
from fluvial.common.typeinfo import (
    BasicArrayTypeInfo,
    BasicType,
    BasicTypeInfo,
    DateTypeInfo,
    ListTypeInfo,
    LocalTimeTypeInfo,
    MapTypeInfo,
    ObjectArrayTypeInfo,
    PickledBytesTypeInfo,
    PrimitiveArrayTypeInfo,
    RowTypeInfo,
    TimestampTypeInfo,
    TimeTypeInfo,
    TupleTypeInfo,
    TypeInformation,
    Types,
)
from fluvial.common.types import Row, RowKind, _create_row

__all__ = ["TypeSerializer", "serializer_for"]

FORMAT_VERSION = 1
_LENGTH = struct.Struct("<Q")
_BIG_ENDIAN = sys.byteorder == "big"
_INVERT = bytes([1, 0]) + bytes(254)
_EPOCH = datetime.datetime(1970, 1, 1)
_MICROSECOND = datetime.timedelta(microseconds=1)
_KINDS = tuple(RowKind)
_NONE = type(None)
_FLOAT_MAX = struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]


class _Misfit(Exception):
    """A column's quick check failed: find_invalid() says which value (or that it fits)."""


def _only(types: Any, classes: Tuple[type, ...]) -> None:
    """Raises _Misfit unless every class in 'types' (a column's) is one of 'classes'."""
    if not types.issubset(classes):
        raise _Misfit


class _Reader:
    """Reads chunks from a column blob, failing clearly on truncated input."""

    __slots__ = ("data", "offset")

    def __init__(self, data: bytes, offset: int = 0):
        self.data = memoryview(data)
        self.offset = offset

    def chunk(self) -> memoryview:
        offset = self.offset
        if offset + 8 > len(self.data):
            raise ValueError(f"serialized state is truncated at offset {offset}: expected a "
                             f"chunk length")
        (length,) = _LENGTH.unpack_from(self.data, offset)
        end = offset + 8 + length
        if end > len(self.data):
            raise ValueError(f"serialized state is truncated at offset {offset}: a chunk of "
                             f"{length} bytes, {len(self.data) - offset - 8} left")
        self.offset = end
        return self.data[offset + 8:end]

    def byte(self) -> int:
        if self.offset >= len(self.data):
            raise ValueError(f"serialized state is truncated at offset {self.offset}: expected "
                             f"a flag byte")
        value = self.data[self.offset]
        self.offset += 1
        return value


def _put(out: List[bytes], data: bytes) -> None:
    out.append(_LENGTH.pack(len(data)))
    out.append(data)


def _packed(typecode: str, values: Any) -> bytes:
    packed = array(typecode, values)
    if _BIG_ENDIAN:
        packed.byteswap()
    return packed.tobytes()


# Integer columns are written in the narrowest of these that holds their min and max.
_INTEGER_CODES = (("B", 0, 1 << 8), ("b", -(1 << 7), 1 << 7), ("H", 0, 1 << 16),
                  ("h", -(1 << 15), 1 << 15), ("I", 0, 1 << 32), ("i", -(1 << 31), 1 << 31),
                  ("Q", 0, 1 << 64), ("q", -(1 << 63), 1 << 63))
_WIDTHS = {"b": 1, "B": 1, "h": 2, "H": 2, "i": 4, "I": 4, "q": 8, "Q": 8}
assert all(array(code).itemsize == width for code, width in _WIDTHS.items())


def _put_integers(out: List[bytes], values: Any, low: Optional[int] = None,
                  high: Optional[int] = None) -> None:
    """An integer column: a type code byte (the narrowest that fits), then the packed chunk.
    'low' and 'high': the column's min and max, when the caller knows them."""
    if low is None:
        low, high = (min(values), max(values)) if len(values) else (0, 0)
    for code, lowest, end in _INTEGER_CODES:
        if lowest <= low and high < end:
            out.append(code.encode("ascii"))
            _put(out, _packed(code, values))
            return
    raise OverflowError(f"integers in [{low}, {high}] do not fit 64 bits")


def _get_integers(reader: "_Reader", count: int) -> array:
    code = chr(reader.byte())
    if code not in _WIDTHS:
        raise ValueError(f"serialized state is corrupt at offset {reader.offset - 1}: integer "
                         f"column type {code!r}")
    return _unpacked(code, reader.chunk(), count)


def _unpacked(typecode: str, data: memoryview, count: int) -> array:
    unpacked = array(typecode)
    unpacked.frombytes(data)
    if _BIG_ENDIAN:
        unpacked.byteswap()
    if len(unpacked) != count:
        raise ValueError(f"serialized state is corrupt: expected {count} values, found "
                         f"{len(unpacked)}")
    return unpacked


class ColumnMismatch(TypeError):
    """A value of a column does not fit the serializer's type: 'index' says which."""

    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index


T = TypeVar("T")


class TypeSerializer(Generic[T]):
    """Writes values of one type to bytes and reads them back, as PyFlink's TypeSerializer.

    ``serialize(element, stream)`` / ``deserialize(stream)`` handle one value (a versioned,
    self-delimiting record); checkpoints write whole columns of values at once.

    Examples:
        >>> import io
        >>> from fluvial.common import Types
        >>> from fluvial.common.serializer import serializer_for
        >>> serializer = serializer_for(Types.MAP(Types.STRING(), Types.LONG()))
        >>> stream = io.BytesIO()
        >>> serializer.serialize({"clicks": 3, "views": 10}, stream)
        >>> serializer.deserialize(io.BytesIO(stream.getvalue()))
        {'clicks': 3, 'views': 10}
    """

    name = "TypeSerializer"
    version = 1

    def __init__(self, type_info: TypeInformation):
        self.type_info = type_info
        self._validator = type_info.make_validator()

    # ---- PyFlink's per-value API

    def serialize(self, element: Any, stream: io.BytesIO) -> None:
        """Writes one value (checked against the type first) to 'stream'."""
        self._validator(element)
        out: List[bytes] = []
        self.encode([element], out)
        data = b"".join(out)
        stream.write(_LENGTH.pack(len(data)) + data)

    def deserialize(self, stream: io.BytesIO) -> Any:
        """Reads one value written by serialize() from 'stream'."""
        header = stream.read(8)
        if len(header) != 8:
            raise ValueError(f"{self.name}.deserialize(): the stream ended before a value")
        (length,) = _LENGTH.unpack(header)
        data = stream.read(length)
        if len(data) != length:
            raise ValueError(f"{self.name}.deserialize(): expected {length} bytes, the stream "
                             f"has {len(data)}")
        return self.decode(_Reader(data), 1)[0]

    # ---- columns

    def find_invalid(self, values: List[Any]) -> Optional[Tuple[int, str]]:
        """(index, message) of the first value that does not fit the type, or None."""
        validator = self._validator
        for index, value in enumerate(values):
            try:
                validator(value)
            except TypeError as error:
                return index, str(error)
        return None

    def encode(self, values: List[Any], out: List[bytes], strict: Any = False,
               nullable: bool = True) -> None:
        """Appends the column of 'values' to 'out'. With 'strict', raises _Misfit unless a
        quick check (exact classes, ranges; no None unless 'nullable') shows every value
        fits; without, the values must have passed find_invalid(). _encode() gets as
        'strict' the set of the column's classes (None aside), or False."""
        types = set(map(type, values)) if strict else None
        if types is None or _NONE in types:
            if types is not None:
                if not nullable:
                    raise _Misfit
                types.discard(_NONE)
            mask = bytes(map(operator.is_, values, repeat(None)))
            if b"\x01" in mask:
                out.append(b"\x01")
                out.append(mask)
                values = list(compress(values, mask.translate(_INVERT)))
            else:
                out.append(b"\x00")
        else:
            out.append(b"\x00")
        self._encode(values, out, types if types else False)

    def serialize_column(self, values: List[Any]) -> bytes:
        """The column of 'values'; ColumnMismatch names the first one that does not fit."""
        out: List[bytes] = []
        try:
            self.encode(values, out, strict=True)
        except _Misfit:
            invalid = self.find_invalid(values)
            if invalid is not None:
                raise ColumnMismatch(*invalid) from None
            out = []  # values of subclasses the quick check does not know: they fit
            self.encode(values, out)
        return b"".join(out)

    def decode(self, reader: _Reader, count: int) -> List[Any]:
        """Reads a column of 'count' values written by encode()."""
        flag = reader.byte()
        if flag == 0:
            return self._decode(reader, count)
        if flag != 1:
            raise ValueError(f"serialized state is corrupt at offset {reader.offset - 1}: "
                             f"null flag {flag}, expected 0 or 1")
        start = reader.offset
        mask = bytes(reader.data[start:start + count])
        if len(mask) != count:
            raise ValueError(f"serialized state is truncated at offset {start}: expected a "
                             f"null mask of {count} bytes")
        reader.offset += count
        present = iter(self._decode(reader, count - mask.count(1)))
        return [None if null else next(present) for null in mask]

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        raise NotImplementedError

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        raise NotImplementedError

    def snapshot(self) -> Tuple[str, int, TypeInformation]:
        """What a checkpoint records about the writer: name, version and type."""
        return self.name, self.version, self.type_info

    def __eq__(self, other: Any) -> bool:
        return type(other) is type(self) and other.type_info == self.type_info

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.type_info))

    def __repr__(self) -> str:
        return f"{self.name}({self.type_info.to_type_string()})"


class _FixedWidthSerializer(TypeSerializer):
    """Numbers in a packed array; a fast exact-type check before the per-value validator."""

    typecode = ""
    exact: Tuple[type, ...] = ()
    bounds: Optional[Tuple[int, int]] = None

    def find_invalid(self, values: List[Any]) -> Optional[Tuple[int, str]]:
        types = set(map(type, values))
        if types.issubset(self.exact + (type(None),)):
            present = values if type(None) not in types else [v for v in values if v is not None]
            if self._in_range(present):
                return None
        return super().find_invalid(values)

    def _in_range(self, values: List[Any]) -> bool:
        bounds = self.bounds
        return bounds is None or not values or (bounds[0] <= min(values) and max(values) <= bounds[1])

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        if strict:
            _only(strict, self.exact)
            if not self._in_range(values):
                raise _Misfit
        _put(out, _packed(self.typecode, values))

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        return _unpacked(self.typecode, reader.chunk(), count).tolist()


class _IntegerSerializer(_FixedWidthSerializer):
    """Signed integers of a declared width, written in the narrowest width their column
    needs."""

    exact = (int,)

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        if not values:
            _put_integers(out, values)
            return
        if strict:
            _only(strict, (int,))
        low, high = min(values), max(values)
        if strict and (low < self.bounds[0] or high > self.bounds[1]):
            raise _Misfit
        _put_integers(out, values, low, high)

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        return _get_integers(reader, count).tolist()


def _integer_serializer(name: str, typecode: str, bits: int) -> type:
    bounds = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    return type(name, (_IntegerSerializer,), {"name": name, "typecode": typecode,
                                               "bounds": bounds,
                                               "__doc__": f"{bits}-bit signed integers."})


ByteSerializer = _integer_serializer("ByteSerializer", "b", 8)
ShortSerializer = _integer_serializer("ShortSerializer", "h", 16)
IntSerializer = _integer_serializer("IntSerializer", "i", 32)
LongSerializer = _integer_serializer("LongSerializer", "q", 64)


class FloatSerializer(_FixedWidthSerializer):
    """32-bit floats, as Flink's FLOAT: a Python float is rounded to single precision; one
    beyond its range is an error (not infinity)."""

    name = "FloatSerializer"
    typecode = "f"
    exact = (float, int)

    def _in_range(self, values: List[Any]) -> bool:
        return not values or max(map(abs, values)) <= _FLOAT_MAX

    def find_invalid(self, values: List[Any]) -> Optional[Tuple[int, str]]:
        invalid = super().find_invalid(values)
        if invalid is not None:
            return invalid
        for index, value in enumerate(values):
            if value is not None and _FLOAT_MAX < abs(value) < float("inf"):
                return index, (f"expected FLOAT (a float within +-{_FLOAT_MAX:.7g}), got "
                               f"{describe(value)}")
        return None


class DoubleSerializer(_FixedWidthSerializer):
    """64-bit floats (ints are stored as floats, as Flink's DOUBLE)."""

    name = "DoubleSerializer"
    typecode = "d"
    exact = (float, int)


class BooleanSerializer(_FixedWidthSerializer):
    """One byte per bool."""

    name = "BooleanSerializer"
    exact = (bool,)

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        if strict:
            _only(strict, (bool,))
        _put(out, bytes(values))

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        data = reader.chunk()
        if len(data) != count:
            raise ValueError(f"serialized state is corrupt: expected {count} booleans, found "
                             f"{len(data)}")
        return list(map(bool, data))


class StringSerializer(TypeSerializer):
    """Code-point lengths and one UTF-8 text (lone surrogates kept)."""

    name = "StringSerializer"
    exact: Tuple[type, ...] = (str,)

    def find_invalid(self, values: List[Any]) -> Optional[Tuple[int, str]]:
        if set(map(type, values)).issubset((str, type(None))) and type(self) is StringSerializer:
            return None
        return super().find_invalid(values)

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        if strict:
            _only(strict, (str,))
        lengths = list(map(len, values))
        if strict and type(self) is CharSerializer and lengths and (min(lengths) != 1 or max(lengths) != 1):
            raise _Misfit
        _put_integers(out, lengths)
        _put(out, "".join(values).encode("utf-8", "surrogatepass"))

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        lengths = _get_integers(reader, count)
        text = bytes(reader.chunk()).decode("utf-8", "surrogatepass")
        ends = list(accumulate(lengths))
        if (ends[-1] if ends else 0) != len(text):
            raise ValueError(f"serialized state is corrupt: {len(text)} characters of text for "
                             f"strings of {ends[-1] if ends else 0}")
        return list(map(text.__getitem__, map(slice, chain((0,), ends), ends)))


class CharSerializer(StringSerializer):
    """One-character strings (as STRING)."""

    name = "CharSerializer"


class BytesSerializer(TypeSerializer):
    """Lengths and the concatenated bytes; read back as bytes."""

    name = "BytesSerializer"

    def find_invalid(self, values: List[Any]) -> Optional[Tuple[int, str]]:
        if set(map(type, values)).issubset((bytes, type(None))):
            return None
        return super().find_invalid(values)

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        if strict:
            _only(strict, (bytes, bytearray))
        _put_integers(out, list(map(len, values)))
        _put(out, b"".join(values))

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        lengths = _get_integers(reader, count)
        data = bytes(reader.chunk())
        ends = list(accumulate(lengths))
        if (ends[-1] if ends else 0) != len(data):
            raise ValueError("serialized state is corrupt: byte lengths do not add up")
        return list(map(data.__getitem__, map(slice, chain((0,), ends), ends)))


class _TextSerializer(TypeSerializer):
    """Values written as their text (a STRING column) and parsed back."""

    parse: Any = str
    exact: Tuple[type, ...] = ()

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        if strict:
            _only(strict, self.exact)
        _STRINGS._encode([str(value) for value in values], out, False)

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        return list(map(type(self).parse, _STRINGS._decode(reader, count)))


class BigIntSerializer(_TextSerializer):
    """Arbitrary-size ints, as decimal text."""

    name = "BigIntSerializer"
    parse = int
    exact = (int,)


class BigDecSerializer(_TextSerializer):
    """decimal.Decimal (ints become Decimals), as decimal text: exact at any precision."""

    name = "BigDecSerializer"
    parse = decimal.Decimal
    exact = (decimal.Decimal, int)


def _naive(values: List[Any]) -> None:
    if values and set(map(_TZINFO, values)) != {None}:
        raise _Misfit


_TZINFO = operator.attrgetter("tzinfo")


class DateSerializer(TypeSerializer):
    """datetime.date as int32 days since 0001-01-01."""

    name = "DateSerializer"

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        if strict:
            _only(strict, (datetime.date,))
        _put_integers(out, [value.toordinal() for value in values])

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        return list(map(datetime.date.fromordinal, _get_integers(reader, count)))


class _NaiveSerializer(TypeSerializer):
    """Times of day and timestamps: values with a tzinfo do not fit."""

    naive = ""

    def find_invalid(self, values: List[Any]) -> Optional[Tuple[int, str]]:
        invalid = super().find_invalid(values)
        if invalid is not None:
            return invalid
        for index, value in enumerate(values):
            if value is not None and value.tzinfo is not None:
                return index, (f"expected {self.type_info.to_type_string()} ({self.naive}), "
                               f"got {describe(value)}")
        return None


class TimeSerializer(_NaiveSerializer):
    """datetime.time without tzinfo as int64 microseconds of the day."""

    name = "TimeSerializer"

    naive = "a datetime.time without tzinfo"

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        if strict:
            _only(strict, (datetime.time,))
            _naive(values)
        _put_integers(out, [((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000
                            + value.microsecond for value in values])

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        result = []
        for micros in _get_integers(reader, count):
            seconds, microsecond = divmod(micros, 1_000_000)
            minutes, second = divmod(seconds, 60)
            hour, minute = divmod(minutes, 60)
            result.append(datetime.time(hour, minute, second, microsecond))
        return result


class TimestampSerializer(_NaiveSerializer):
    """Timezone-naive datetime.datetime as int64 microseconds since 1970-01-01."""

    name = "TimestampSerializer"

    naive = ("a timezone-naive datetime.datetime; declare Types.PICKLED_BYTE_ARRAY() for "
             "aware ones")

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        if strict:
            _only(strict, (datetime.datetime,))
            _naive(values)
        _put_integers(out, [(value - _EPOCH) // _MICROSECOND for value in values])

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        return [_EPOCH + datetime.timedelta(microseconds=micros)
                for micros in _get_integers(reader, count)]


class PickleSerializer(TypeSerializer):
    """Any Python object, with cloudpickle (PICKLED_BYTE_ARRAY and types without a binary
    serializer here)."""

    name = "PickleSerializer"

    def find_invalid(self, values: List[Any]) -> Optional[Tuple[int, str]]:
        if isinstance(self.type_info, PickledBytesTypeInfo):
            return None
        return super().find_invalid(values)

    def encode(self, values: List[Any], out: List[bytes], strict: Any = False,
               nullable: bool = True) -> None:
        if strict and not isinstance(self.type_info, PickledBytesTypeInfo):
            if self.find_invalid(values) is not None:
                raise _Misfit
        _put(out, cloudpickle.dumps(values, protocol=5))

    def decode(self, reader: _Reader, count: int) -> List[Any]:
        values = cloudpickle.loads(reader.chunk())
        if not isinstance(values, list) or len(values) != count:
            raise ValueError(f"serialized state is corrupt: expected a list of {count} pickled "
                             f"values")
        return values


class RowSerializer(TypeSerializer):
    """ROW and ROW_NAMED (read back as Row, with its kind) and TUPLE (read back as tuple):
    one column per field."""

    name = "RowSerializer"

    def __init__(self, type_info: TypeInformation):
        super().__init__(type_info)
        self._fields = [serializer_for(field) for field in type_info.get_field_types()]
        self._is_row = isinstance(type_info, RowTypeInfo)
        self._names = type_info._field_names if self._is_row else None

    def _field_values(self, value: Any) -> Any:
        if isinstance(value, Row):
            names = self._names
            if names is not None and value._names is not None and value._names != list(names):
                return value.get_fields_by_names(list(names))
            return value._values
        return value

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        if strict:
            _only(strict, (Row, tuple, list))
            try:
                rows = [self._field_values(value) for value in values]
            except (KeyError, ValueError):
                raise _Misfit from None
            if rows and set(map(len, rows)) != {len(self._fields)}:
                raise _Misfit
        else:
            rows = [self._field_values(value) for value in values]
        if self._is_row:
            _put(out, bytes(value._row_kind.value if isinstance(value, Row) else 0
                            for value in values))
        for index, field in enumerate(self._fields):
            field.encode(list(map(operator.itemgetter(index), rows)), out, strict)

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        kinds = bytes(reader.chunk()) if self._is_row else None
        columns = [field.decode(reader, count) for field in self._fields]
        if not self._is_row:
            return list(zip(*columns)) if columns else [() for _ in range(count)]
        if len(kinds) != count or (kinds and max(kinds) > 3):
            raise ValueError("serialized state is corrupt: bad row kinds")
        names = list(self._names) if self._names is not None else None
        rows = zip(*columns) if columns else (() for _ in range(count))
        return [_create_row(names, values, _KINDS[kind]) for values, kind in zip(rows, kinds)]


class ListSerializer(TypeSerializer):
    """LIST, BASIC_ARRAY, OBJECT_ARRAY, PRIMITIVE_ARRAY: lengths and one column of all
    elements; read back as lists."""

    name = "ListSerializer"

    def __init__(self, type_info: TypeInformation):
        super().__init__(type_info)
        self._element = serializer_for(type_info.get_element_type())

    def find_invalid(self, values: List[Any]) -> Optional[Tuple[int, str]]:
        # Containers of the right classes whose elements all fit: no per-value call.
        present = [value for value in values if value is not None]
        if set(map(type, present)).issubset((list, tuple)) and (
                type(self._element) is not PickleSerializer) and (
                not isinstance(self.type_info, PrimitiveArrayTypeInfo)
                or not any(None in value for value in present)) and (
                self._element.find_invalid(list(chain.from_iterable(present))) is None):
            return None
        return super().find_invalid(values)

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        if strict:
            _only(strict, (list, tuple))
        elements = list(chain.from_iterable(values))
        _put_integers(out, list(map(len, values)))
        self._element.encode(elements, out, strict,
                             nullable=not isinstance(self.type_info, PrimitiveArrayTypeInfo))

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        lengths = _get_integers(reader, count)
        elements = self._element.decode(reader, sum(lengths))
        ends = accumulate(lengths)
        return [elements[end - length:end] for length, end in zip(lengths, ends)]


class MapSerializer(TypeSerializer):
    """MAP: sizes, the column of all keys and the column of all values; read back as dicts."""

    name = "MapSerializer"

    def __init__(self, type_info: TypeInformation):
        super().__init__(type_info)
        self._keys = serializer_for(type_info.get_key_type())
        self._values = serializer_for(type_info.get_value_type())

    def find_invalid(self, values: List[Any]) -> Optional[Tuple[int, str]]:
        # Dicts whose keys (never None) and values all fit: no per-value call.
        present = [value for value in values if value is not None]
        if set(map(type, present)) <= {dict}:
            keys = list(chain.from_iterable(present))
            if (None not in keys and self._keys.find_invalid(keys) is None
                    and self._values.find_invalid(
                        list(chain.from_iterable(map(dict.values, present)))) is None):
                return None
        return super().find_invalid(values)

    def _encode(self, values: List[Any], out: List[bytes], strict: bool) -> None:
        if strict:
            _only(strict, (dict,))
        _put_integers(out, list(map(len, values)))
        self._keys.encode(list(chain.from_iterable(values)), out, strict, nullable=False)
        self._values.encode(list(chain.from_iterable(map(dict.values, values))), out, strict)

    def _decode(self, reader: _Reader, count: int) -> List[Any]:
        sizes = _get_integers(reader, count)
        total = sum(sizes)
        entries = zip(self._keys.decode(reader, total), self._values.decode(reader, total))
        return [dict(islice(entries, size)) for size in sizes]


_BASIC = {
    BasicType.BOOLEAN: BooleanSerializer,
    BasicType.BYTE: ByteSerializer,
    BasicType.SHORT: ShortSerializer,
    BasicType.INT: IntSerializer,
    BasicType.LONG: LongSerializer,
    BasicType.FLOAT: FloatSerializer,
    BasicType.DOUBLE: DoubleSerializer,
    BasicType.STRING: StringSerializer,
    BasicType.CHAR: CharSerializer,
    BasicType.BIG_INT: BigIntSerializer,
    BasicType.BIG_DEC: BigDecSerializer,
}

_STRINGS = StringSerializer(Types.STRING())


def serializer_for(type_info: Optional[TypeInformation]) -> TypeSerializer:
    """The serializer of a declared type; cloudpickle for None and types without one.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.common.serializer import serializer_for
        >>> serializer_for(Types.INT()), serializer_for(Types.ROW([Types.STRING(), Types.DOUBLE()]))
        (IntSerializer(INT), RowSerializer(ROW<f0 STRING, f1 DOUBLE>))
        >>> serializer_for(None)
        PickleSerializer(PICKLED_BYTE_ARRAY)
    """
    if type_info is None:
        return PickleSerializer(Types.PICKLED_BYTE_ARRAY())
    if not isinstance(type_info, TypeInformation):
        raise TypeError(f"serializer_for() expects a TypeInformation such as Types.INT(), got "
                        f"{describe(type_info)}")
    kind = type(type_info)
    if kind is BasicTypeInfo and type_info._basic_type in _BASIC:
        return _BASIC[type_info._basic_type](type_info)
    if kind is PrimitiveArrayTypeInfo and type_info.get_element_type() == Types.BYTE():
        return BytesSerializer(type_info)
    if kind in (PrimitiveArrayTypeInfo, BasicArrayTypeInfo, ObjectArrayTypeInfo, ListTypeInfo):
        return ListSerializer(type_info)
    if kind is MapTypeInfo:
        return MapSerializer(type_info)
    if kind in (RowTypeInfo, TupleTypeInfo):
        return RowSerializer(type_info)
    if kind is DateTypeInfo or (kind is LocalTimeTypeInfo
                                and type_info._time_type is LocalTimeTypeInfo.TimeType.LOCAL_DATE):
        return DateSerializer(type_info)
    if kind is TimeTypeInfo or (kind is LocalTimeTypeInfo
                                and type_info._time_type is LocalTimeTypeInfo.TimeType.LOCAL_TIME):
        return TimeSerializer(type_info)
    if kind is TimestampTypeInfo or kind is LocalTimeTypeInfo:
        return TimestampSerializer(type_info)
    return PickleSerializer(type_info)
