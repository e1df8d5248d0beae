"""A-XDR: the DLMS ``Data`` CHOICE (Green Book, IEC 62056-5-3 clause 9.5 "Data").

Every value on the wire starts with a one-byte tag (:class:`DataType`) followed by its
content::

    tag   content
    00    null-data                     (nothing)
    01    array        length, element*  (count in A-XDR length form)
    02    structure    length, element*
    03    boolean      1 byte
    04    bit-string   length (in bits), ceil(bits/8) bytes
    05    double-long  int32            06  double-long-unsigned  uint32
    09    octet-string length, bytes    0A  visible-string        length, bytes
    0C    utf8-string  length, bytes    0D  bcd                   1 byte
    0F    integer      int8             10  long                  int16
    11    unsigned     uint8            12  long-unsigned         uint16
    13    compact-array type-description, length, untagged contents
    14    long64       int64            15  long64-unsigned       uint64
    16    enum         uint8            17  float32  18 float64   (IEEE 754)
    19    date-time    12 bytes         1A  date 5 bytes          1B  time 4 bytes
    1C..21 delta-integer, -long, -double-long, -unsigned, -long-unsigned,
          -double-long-unsigned         (1, 2, 4 bytes; signed, then unsigned)
    FF    dont-care                     (nothing)

The A-XDR length form (IEC 61334-6): below 0x80 one byte; otherwise ``0x80 | n``
followed by ``n`` big-endian bytes (``n`` ≤ 4 here). Meters sometimes use the long form
where the short one would do; the form is kept in the decoded value so that
``encode(decode(b)) == b`` for every valid ``b``.

Values are typed: a ``long-unsigned`` decodes to :class:`LongUnsigned` (an ``int``), an
``octet-string`` to :class:`OctetString` (``bytes``), an array to :class:`Array` (a
``tuple``), so they behave as plain Python values and still remember their DLMS type.
``None`` is null-data and ``bool`` is boolean. :func:`to_python` and
:func:`from_python` convert to and from plain values.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import IntEnum
from operator import itemgetter
from typing import Any, ClassVar, Final, Self, TypeAlias, final

from dlmskit._buffer import Reader
from dlmskit.cosem_time import CosemDate, CosemDateTime, CosemTime
from dlmskit.errors import DecodeError, EncodeError

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_ELEMENTS",
    "Array",
    "Bcd",
    "BitString",
    "Boolean",
    "CompactArray",
    "DataType",
    "DeltaDoubleLong",
    "DeltaDoubleLongUnsigned",
    "DeltaInteger",
    "DeltaLong",
    "DeltaLongUnsigned",
    "DeltaUnsigned",
    "DontCare",
    "DoubleLong",
    "DoubleLongUnsigned",
    "Enum",
    "Float32",
    "Float64",
    "Integer",
    "Long",
    "Long64",
    "Long64Unsigned",
    "LongUnsigned",
    "OctetString",
    "Structure",
    "TypeDescription",
    "Unsigned",
    "Utf8String",
    "Value",
    "VisibleString",
    "data_type_of",
    "decode",
    "decode_length",
    "decode_prefix",
    "decode_untagged",
    "dump",
    "encode",
    "encode_length",
    "encode_untagged",
    "from_python",
    "read_data",
    "to_python",
]

#: Nesting deeper than this is refused (real meters nest a handful of levels).
DEFAULT_MAX_DEPTH: Final = 64
#: Values an untagged body (compact-array contents) may expand to. Tagged data needs at
#: least one byte per value, so its size is bounded by the input; untagged null-data and
#: nested array counts are not, hence this cap.
DEFAULT_MAX_ELEMENTS: Final = 1_000_000


class DataType(IntEnum):
    """The tags of the ``Data`` CHOICE, named as in the Green Book."""

    NULL_DATA = 0
    ARRAY = 1
    STRUCTURE = 2
    BOOLEAN = 3
    BIT_STRING = 4
    DOUBLE_LONG = 5
    DOUBLE_LONG_UNSIGNED = 6
    OCTET_STRING = 9
    VISIBLE_STRING = 10
    UTF8_STRING = 12
    BCD = 13
    INTEGER = 15
    LONG = 16
    UNSIGNED = 17
    LONG_UNSIGNED = 18
    COMPACT_ARRAY = 19
    LONG64 = 20
    LONG64_UNSIGNED = 21
    ENUM = 22
    FLOAT32 = 23
    FLOAT64 = 24
    DATE_TIME = 25
    DATE = 26
    TIME = 27
    DELTA_INTEGER = 28
    DELTA_LONG = 29
    DELTA_DOUBLE_LONG = 30
    DELTA_UNSIGNED = 31
    DELTA_LONG_UNSIGNED = 32
    DELTA_DOUBLE_LONG_UNSIGNED = 33
    DONT_CARE = 255

    @property
    def dlms_name(self) -> str:
        """The Green Book spelling, e.g. ``double-long-unsigned``."""
        return self.name.lower().replace("_", "-")


_KNOWN_TAGS: Final = frozenset(int(t) for t in DataType)


# ---------------------------------------------------------------------------------------
# Value types
# ---------------------------------------------------------------------------------------


class _Int(int):
    """Base of the fixed-size integer types. Constructing one checks the range."""

    __slots__ = ()
    TAG: ClassVar[DataType]
    MIN: ClassVar[int]
    MAX: ClassVar[int]
    FORMAT: ClassVar[str]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        # The range follows from the struct format: lower case is signed.
        bits = 8 * struct.calcsize(">" + cls.FORMAT)
        signed = cls.FORMAT.islower()
        cls.MIN = -(1 << (bits - 1)) if signed else 0
        cls.MAX = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1

    def __new__(cls, value: int = 0) -> Self:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{cls.__name__} needs an int, not {type(value).__name__}")
        if not cls.MIN <= value <= cls.MAX:
            raise ValueError(f"{cls.__name__} must be in {cls.MIN}..{cls.MAX}, got {value}")
        return int.__new__(cls, value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"


class Integer(_Int):
    """integer [15]: int8."""

    __slots__ = ()
    TAG = DataType.INTEGER
    FORMAT = "b"


class Long(_Int):
    """long [16]: int16."""

    __slots__ = ()
    TAG = DataType.LONG
    FORMAT = "h"


class DoubleLong(_Int):
    """double-long [5]: int32."""

    __slots__ = ()
    TAG = DataType.DOUBLE_LONG
    FORMAT = "i"


class Long64(_Int):
    """long64 [20]: int64."""

    __slots__ = ()
    TAG = DataType.LONG64
    FORMAT = "q"


class Unsigned(_Int):
    """unsigned [17]: uint8."""

    __slots__ = ()
    TAG = DataType.UNSIGNED
    FORMAT = "B"


class LongUnsigned(_Int):
    """long-unsigned [18]: uint16."""

    __slots__ = ()
    TAG = DataType.LONG_UNSIGNED
    FORMAT = "H"


class DoubleLongUnsigned(_Int):
    """double-long-unsigned [6]: uint32."""

    __slots__ = ()
    TAG = DataType.DOUBLE_LONG_UNSIGNED
    FORMAT = "I"


class Long64Unsigned(_Int):
    """long64-unsigned [21]: uint64."""

    __slots__ = ()
    TAG = DataType.LONG64_UNSIGNED
    FORMAT = "Q"


class Enum(_Int):
    """enum [22]: uint8; the attribute definition gives the meaning."""

    __slots__ = ()
    TAG = DataType.ENUM
    FORMAT = "B"


class Bcd(_Int):
    """bcd [13]: one octet of two BCD digits, kept raw."""

    __slots__ = ()
    TAG = DataType.BCD
    FORMAT = "B"

    @property
    def digits(self) -> str:
        """The two decimal digits of the octet, e.g. ``Bcd(0x42).digits == "42"``."""
        return f"{int(self):02X}"


class DeltaInteger(_Int):
    """delta-integer [28]: an int8 difference (compact-array delta-value encoding)."""

    __slots__ = ()
    TAG = DataType.DELTA_INTEGER
    FORMAT = "b"


class DeltaLong(_Int):
    """delta-long [29]: an int16 difference."""

    __slots__ = ()
    TAG = DataType.DELTA_LONG
    FORMAT = "h"


class DeltaDoubleLong(_Int):
    """delta-double-long [30]: an int32 difference."""

    __slots__ = ()
    TAG = DataType.DELTA_DOUBLE_LONG
    FORMAT = "i"


class DeltaUnsigned(_Int):
    """delta-unsigned [31]: a uint8 difference."""

    __slots__ = ()
    TAG = DataType.DELTA_UNSIGNED
    FORMAT = "B"


class DeltaLongUnsigned(_Int):
    """delta-long-unsigned [32]: a uint16 difference."""

    __slots__ = ()
    TAG = DataType.DELTA_LONG_UNSIGNED
    FORMAT = "H"


class DeltaDoubleLongUnsigned(_Int):
    """delta-double-long-unsigned [33]: a uint32 difference."""

    __slots__ = ()
    TAG = DataType.DELTA_DOUBLE_LONG_UNSIGNED
    FORMAT = "I"


_INT_TYPES: Final[tuple[type[_Int], ...]] = (
    Integer,
    Long,
    DoubleLong,
    Long64,
    Unsigned,
    LongUnsigned,
    DoubleLongUnsigned,
    Long64Unsigned,
    Enum,
    Bcd,
    DeltaInteger,
    DeltaLong,
    DeltaDoubleLong,
    DeltaUnsigned,
    DeltaLongUnsigned,
    DeltaDoubleLongUnsigned,
)


@final
class Boolean(int):
    """A boolean whose wire octet was neither 00 nor 01.

    A-XDR reads any non-zero octet as TRUE. Decoding returns plain ``bool`` for 00 and
    01 and this type for the other octets, so that re-encoding gives the same byte.
    """

    __slots__ = ()

    def __new__(cls, octet: int) -> Self:
        if not 0 <= octet <= 255:
            raise ValueError(f"a boolean octet must be in 0..255, got {octet}")
        return int.__new__(cls, octet)

    def __bool__(self) -> bool:
        return int(self) != 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, bool):
            return bool(self) is other
        return int.__eq__(self, other)

    def __hash__(self) -> int:
        return hash(bool(self))

    def __repr__(self) -> str:
        return f"Boolean({bool(self)}, octet=0x{int(self):02X})"


class _Float(float):
    """Base of the floating-point types. A NaN keeps its exact bit pattern."""

    TAG: ClassVar[DataType]
    FORMAT: ClassVar[str]
    raw: bytes | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({float(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_float, (type(self), float(self), self.raw))


def _restore_float(cls: type[_Float], value: float, raw: bytes | None) -> _Float:
    obj = float.__new__(cls, value)
    if raw is not None:
        obj.raw = raw
    return obj


class Float32(_Float):
    """float32 [23]: IEEE 754 single precision."""

    TAG = DataType.FLOAT32
    FORMAT = "f"

    def __new__(cls, value: float = 0.0) -> Self:
        value = float(value)
        if math.isfinite(value):
            try:
                struct.pack(">f", value)
            except OverflowError:
                raise ValueError(f"{value} does not fit in a float32") from None
        return float.__new__(cls, value)


class Float64(_Float):
    """float64 [24]: IEEE 754 double precision."""

    TAG = DataType.FLOAT64
    FORMAT = "d"

    def __new__(cls, value: float = 0.0) -> Self:
        return float.__new__(cls, float(value))


class _LengthForm:
    """Mixin of the variable-length types: the A-XDR length form they were sent with.

    ``length_form`` is ``None`` for the minimal form, else the number of length bytes
    of a long form (1..4; 0 = short form). The public classes have no instance
    ``__dict__``: a dict-less bytes/tuple subclass is not tracked by the garbage
    collector, which halves the cost of building a large profile (bench/). A value with
    a non-minimal form is an instance of a private variant of its class, made by
    :meth:`with_length_form`; it is still an instance of the public class.
    """

    __slots__ = ()
    length_form: int | None = None
    _form_variant: ClassVar[type[Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_form_variant" not in cls.__dict__ and not cls.__dict__.get("_is_variant"):
            namespace = {"_is_variant": True, "__module__": cls.__module__, "__doc__": cls.__doc__}
            cls._form_variant = type(cls.__name__, (cls,), namespace)

    def with_length_form(self, form: int | None) -> Self:
        """This value, to be encoded with ``form`` length bytes (0 = short form)."""
        if form is not None and not 0 <= form <= 4:
            raise ValueError(f"a length form has 0..4 length bytes, got {form}")
        base: Any = type(self)
        if getattr(base, "_is_variant", False):
            base = base.__mro__[1]
        if form is None:
            return base(self)  # type: ignore[no-any-return]
        value = base._form_variant(self)
        value.length_form = form
        return value  # type: ignore[no-any-return]


class OctetString(bytes, _LengthForm):
    """octet-string [9]: raw bytes (OBIS codes, COSEM date-times, identifiers, ...)."""

    __slots__ = ()
    TAG: ClassVar[DataType] = DataType.OCTET_STRING

    def __repr__(self) -> str:
        return f"OctetString({bytes(self).hex().upper()!r})" if self else "OctetString('')"

    @classmethod
    def fromhex(cls, string: str) -> Self:
        return cls(bytes.fromhex(string))

    def as_datetime(self) -> CosemDateTime:
        """Read a 12-byte octet-string as a COSEM date-time (the usual attribute type)."""
        return CosemDateTime.from_bytes(bytes(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_sized, (type(self), bytes(self), self.length_form))


class VisibleString(str, _LengthForm):
    """visible-string [10]: ISO 646 text.

    Decoded as Latin-1 so that any octet a meter sends survives a round trip.
    """

    __slots__ = ()
    TAG: ClassVar[DataType] = DataType.VISIBLE_STRING

    def __new__(cls, value: str = "") -> Self:
        try:
            value.encode("latin-1")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"visible-string holds single-octet characters only: {exc.reason} at {exc.start}"
            ) from None
        return str.__new__(cls, value)

    def __repr__(self) -> str:
        return f"VisibleString({str(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_sized, (type(self), str(self), self.length_form))


class Utf8String(str, _LengthForm):
    """utf8-string [12]. Invalid UTF-8 from the wire is kept as surrogate escapes."""

    __slots__ = ()
    TAG: ClassVar[DataType] = DataType.UTF8_STRING

    def __repr__(self) -> str:
        return f"Utf8String({str(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_sized, (type(self), str(self), self.length_form))


class Array(tuple["Value", ...], _LengthForm):
    """array [1]: elements of one type (not enforced: meters are not always consistent)."""

    __slots__ = ()
    TAG: ClassVar[DataType] = DataType.ARRAY

    def __new__(cls, items: Iterable[Value] = ()) -> Self:
        return tuple.__new__(cls, items)

    def __repr__(self) -> str:
        return f"Array({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_sized, (type(self), tuple(self), self.length_form))


class Structure(tuple["Value", ...], _LengthForm):
    """structure [2]: an ordered group of values of any type."""

    __slots__ = ()
    TAG: ClassVar[DataType] = DataType.STRUCTURE

    def __new__(cls, items: Iterable[Value] = ()) -> Self:
        return tuple.__new__(cls, items)

    def __repr__(self) -> str:
        return f"Structure({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_sized, (type(self), tuple(self), self.length_form))


def _restore_sized(cls: type[Any], content: Any, form: int | None) -> Any:
    return cls(content).with_length_form(form)


@final
class BitString:
    """bit-string [4]: ``length`` bits, most significant bit of the first octet first.

    Padding bits of the last octet are kept, so decoding is lossless.
    """

    __slots__ = ("_data", "_length", "length_form")
    TAG: ClassVar[DataType] = DataType.BIT_STRING

    def __init__(self, data: bytes, length: int | None = None) -> None:
        data = bytes(data)
        if length is None:
            length = 8 * len(data)
        if length < 0 or (length + 7) // 8 != len(data):
            raise ValueError(f"{length} bits need {(length + 7) // 8} octets, got {len(data)}")
        self._data = data
        self._length = length
        self.length_form: int | None = None

    @classmethod
    def from_bits(cls, bits: str | Sequence[bool | int]) -> BitString:
        """From ``"10110"`` or a sequence of truthy values; bit 0 is the first."""
        flags = [c == "1" for c in bits] if isinstance(bits, str) else [bool(b) for b in bits]
        if isinstance(bits, str) and any(c not in "01" for c in bits):
            raise ValueError(f"a bit string holds only '0' and '1', got {bits!r}")
        out = bytearray((len(flags) + 7) // 8)
        for i, bit in enumerate(flags):
            if bit:
                out[i >> 3] |= 0x80 >> (i & 7)
        return cls(bytes(out), len(flags))

    def with_length_form(self, form: int | None) -> BitString:
        """This value, to be encoded with ``form`` length bytes (0 = short form)."""
        if form is not None and not 0 <= form <= 4:
            raise ValueError(f"a length form has 0..4 length bytes, got {form}")
        copy = BitString(self._data, self._length)
        copy.length_form = form
        return copy

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def length(self) -> int:
        return self._length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> bool:
        if not -self._length <= index < self._length:
            raise IndexError(f"bit {index} out of range for {self._length} bits")
        index %= self._length
        return bool(self._data[index >> 3] & (0x80 >> (index & 7)))

    def bits(self) -> str:
        """The bits as text, first bit first, e.g. ``"10110"``."""
        return "".join("1" if self[i] else "0" for i in range(self._length))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BitString):
            return NotImplemented
        return self._length == other._length and self._data == other._data

    def __hash__(self) -> int:
        return hash((self._length, self._data))

    def __repr__(self) -> str:
        return f"BitString.from_bits({self.bits()!r})"


@final
class _DontCareType:
    """dont-care [255]: a placeholder that matches anything (no content)."""

    __slots__ = ()
    _instance: ClassVar[_DontCareType | None] = None
    TAG: ClassVar[DataType] = DataType.DONT_CARE

    def __new__(cls) -> _DontCareType:
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DontCare"

    def __reduce__(self) -> str:
        return "DontCare"


DontCare: Final = _DontCareType()


# ---------------------------------------------------------------------------------------
# Type descriptions (compact-array, untagged bodies)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TypeDescription:
    """A ``TypeDescription`` (Green Book 9.5, compact-array).

    Wire form: a simple type is its tag alone; an array is ``01`` + element count
    (uint16) + the element's description; a structure is ``02`` + an A-XDR length (field
    count) + each field's description.
    """

    tag: DataType
    count: int = 0
    element: TypeDescription | None = None
    fields: tuple[TypeDescription, ...] = ()

    def __post_init__(self) -> None:
        if self.tag is DataType.ARRAY:
            if self.element is None:
                raise ValueError("an array type description needs an element description")
            if not 0 <= self.count <= 0xFFFF:
                raise ValueError(f"array count {self.count} does not fit uint16")
        elif self.element is not None or self.count:
            raise ValueError("only an array type description has an element and a count")
        if self.fields and self.tag is not DataType.STRUCTURE:
            raise ValueError("only a structure type description has fields")
        if self.tag is DataType.COMPACT_ARRAY:
            raise ValueError("a compact-array cannot be described inside a type description")

    @classmethod
    def simple(cls, tag: DataType | int) -> TypeDescription:
        return cls(tag=DataType(tag))

    @classmethod
    def array(cls, count: int, element: TypeDescription) -> TypeDescription:
        return cls(tag=DataType.ARRAY, count=count, element=element)

    @classmethod
    def structure(cls, *fields: TypeDescription) -> TypeDescription:
        return cls(tag=DataType.STRUCTURE, fields=tuple(fields))

    def encode(self) -> bytes:
        out = bytearray()
        self._encode_into(out)
        return bytes(out)

    def _encode_into(self, out: bytearray) -> None:
        out.append(self.tag)
        if self.tag is DataType.ARRAY:
            assert self.element is not None
            out += self.count.to_bytes(2, "big")
            self.element._encode_into(out)
        elif self.tag is DataType.STRUCTURE:
            out += encode_length(len(self.fields))
            for field in self.fields:
                field._encode_into(out)

    @classmethod
    def decode(cls, data: bytes) -> TypeDescription:
        reader = Reader(data)
        desc = cls.read(reader)
        reader.expect_end("the type description")
        return desc

    @classmethod
    def read(cls, reader: Reader, max_depth: int = DEFAULT_MAX_DEPTH) -> TypeDescription:
        return _read_type_description(reader, max_depth)

    def __str__(self) -> str:
        if self.tag is DataType.ARRAY:
            return f"array[{self.count}] of {self.element}"
        if self.tag is DataType.STRUCTURE:
            return "structure{" + ", ".join(str(f) for f in self.fields) + "}"
        return self.tag.dlms_name


def _read_type_description(reader: Reader, depth: int) -> TypeDescription:
    if depth <= 0:
        raise reader.error("type description nested too deeply")
    start = reader.pos
    tag = reader.u8("a type description tag")
    if tag not in _KNOWN_TAGS or tag == DataType.COMPACT_ARRAY:
        raise reader.error(f"unknown data type 0x{tag:02X} in a type description", start)
    dtype = DataType(tag)
    if dtype is DataType.ARRAY:
        count = reader.u16("the element count of an array type description")
        element = _read_type_description(reader, depth - 1)
        return TypeDescription(tag=dtype, count=count, element=element)
    if dtype is DataType.STRUCTURE:
        n = _read_length(reader.buf, reader, "the field count of a structure type description")
        # Each field description takes at least one octet: bound the count first.
        reader.require(n, "structure field descriptions")
        fields = tuple(_read_type_description(reader, depth - 1) for _ in range(n))
        return TypeDescription(tag=dtype, fields=fields)
    return TypeDescription(tag=dtype)


@final
class CompactArray:
    """compact-array [19]: a type description and untagged contents.

    ``values`` are the decoded elements (each as :func:`decode_untagged` gives them);
    delta-typed elements keep the difference as sent.
    """

    __slots__ = ("length_form", "type_description", "values")
    TAG: ClassVar[DataType] = DataType.COMPACT_ARRAY

    def __init__(self, type_description: TypeDescription, values: Iterable[Value]) -> None:
        self.type_description = type_description
        self.values: tuple[Value, ...] = tuple(values)
        self.length_form: int | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompactArray):
            return NotImplemented
        return self.type_description == other.type_description and self.values == other.values

    def __hash__(self) -> int:
        return hash((self.type_description, self.values))

    def __len__(self) -> int:
        return len(self.values)

    def with_length_form(self, form: int | None) -> CompactArray:
        """This value, to be encoded with ``form`` length bytes (0 = short form)."""
        if form is not None and not 0 <= form <= 4:
            raise ValueError(f"a length form has 0..4 length bytes, got {form}")
        copy = CompactArray(self.type_description, self.values)
        copy.length_form = form
        return copy

    def __iter__(self) -> Any:
        return iter(self.values)

    def __repr__(self) -> str:
        return f"CompactArray({self.type_description}, {list(self.values)!r})"


Value: TypeAlias = (
    bool
    | _Int
    | Boolean
    | _Float
    | OctetString
    | VisibleString
    | Utf8String
    | BitString
    | Array
    | Structure
    | CompactArray
    | CosemDateTime
    | CosemDate
    | CosemTime
    | _DontCareType
    | None
)


def data_type_of(value: object) -> DataType:
    """The :class:`DataType` a value encodes as (``TypeError`` for plain values)."""
    if value is None:
        return DataType.NULL_DATA
    if isinstance(value, bool | Boolean):
        return DataType.BOOLEAN
    tag = getattr(type(value), "TAG", None)
    if isinstance(tag, DataType):
        return tag
    if isinstance(value, CosemDateTime):
        return DataType.DATE_TIME
    if isinstance(value, CosemDate):
        return DataType.DATE
    if isinstance(value, CosemTime):
        return DataType.TIME
    raise TypeError(f"{type(value).__name__} is not a DLMS value; use from_python()")


# ---------------------------------------------------------------------------------------
# Lengths
# ---------------------------------------------------------------------------------------


def encode_length(n: int, form: int | None = None) -> bytes:
    """The A-XDR length of ``n``: one byte below 0x80, else ``0x8k`` + ``k`` bytes.

    ``form`` forces the long form with that many length bytes (0 = short form), for
    reproducing what a meter sent.
    """
    if n < 0:
        raise EncodeError(f"a length cannot be negative: {n}")
    if form is None:
        if n < 0x80:
            return bytes((n,))
        form = (n.bit_length() + 7) // 8
    if form == 0:
        if n >= 0x80:
            raise EncodeError(f"length {n} does not fit the short form")
        return bytes((n,))
    if not 1 <= form <= 4 or n >= 1 << (8 * form):
        raise EncodeError(f"length {n} does not fit a long form of {form} byte(s)")
    return bytes((0x80 | form,)) + n.to_bytes(form, "big")


def _read_length(buf: bytes, reader: Reader, what: str) -> int:
    pos = reader.pos
    if pos >= reader.end:
        raise reader.error(f"expected a length for {what}, 0 bytes left")
    first = buf[pos]
    if first < 0x80:
        reader.pos = pos + 1
        return first
    k = first & 0x7F
    if not 1 <= k <= 4:
        raise reader.error(f"invalid length octet 0x{first:02X} for {what} (1..4 length bytes)")
    if pos + 1 + k > reader.end:
        raise reader.error(f"expected {k} length bytes for {what}, {reader.end - pos - 1} left")
    reader.pos = pos + 1 + k
    return int.from_bytes(buf[pos + 1 : pos + 1 + k], "big")


def decode_length(data: bytes, offset: int = 0) -> tuple[int, int, int | None]:
    """Read an A-XDR length at ``offset``: ``(length, next_offset, form)``.

    ``form`` is ``None`` for the minimal form, else the number of length bytes used.
    """
    reader = Reader(data, offset)
    n = _read_length(reader.buf, reader, "a length")
    used = reader.pos - offset
    minimal = 1 if n < 0x80 else 1 + (n.bit_length() + 7) // 8
    form = None if used == minimal else used - 1
    return n, reader.pos, form


# ---------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------

_int_new = int.__new__
_bytes_new = bytes.__new__
_str_new = str.__new__
_tuple_new = tuple.__new__
_float_new = float.__new__

_S_H: Final = struct.Struct(">H")
_S_h: Final = struct.Struct(">h")
_S_I: Final = struct.Struct(">I")
_S_i: Final = struct.Struct(">i")
_S_Q: Final = struct.Struct(">Q")
_S_q: Final = struct.Struct(">q")
_S_f: Final = struct.Struct(">f")
_S_d: Final = struct.Struct(">d")
_S_b: Final = struct.Struct(">b")

# Fixed-size integer tags: tag -> (class, size, unpacker).
_FIXED_INT: Final[dict[int, tuple[type[_Int], int, Callable[[bytes, int], tuple[int]]]]] = {}
for _cls in _INT_TYPES:
    _FIXED_INT[_cls.TAG] = (
        _cls,
        struct.calcsize(">" + _cls.FORMAT),
        struct.Struct(">" + _cls.FORMAT).unpack_from,
    )
# The same, indexed by tag octet (a list lookup is cheaper than dict.get on the hot loop).
_FIXED_BY_TAG: Final[list[tuple[type[_Int], int, Callable[[bytes, int], tuple[int]]] | None]] = [
    _FIXED_INT.get(_tag) for _tag in range(256)
]
_DATE_TYPES: Final[dict[int, type[CosemDateTime] | type[CosemDate] | type[CosemTime]]] = {
    DataType.DATE_TIME: CosemDateTime,
    DataType.DATE: CosemDate,
    DataType.TIME: CosemTime,
}


class _Decoder:
    """One decoding pass over a buffer; ``budget`` bounds untagged expansion."""

    __slots__ = ("budget", "buf", "end", "max_depth")

    def __init__(self, buf: bytes, end: int, max_depth: int, max_elements: int) -> None:
        self.buf = buf
        self.end = end
        self.max_depth = max_depth
        self.budget = max_elements

    def error(self, message: str, pos: int) -> DecodeError:
        return DecodeError(message, pos)

    def length(self, pos: int, what: str) -> tuple[int, int, int | None]:
        """Read a length at ``pos``: (length, next position, length form)."""
        buf = self.buf
        if pos >= self.end:
            raise DecodeError(f"expected a length for {what}, 0 bytes left", pos)
        first = buf[pos]
        if first < 0x80:
            return first, pos + 1, None
        k = first & 0x7F
        if not 1 <= k <= 4:
            raise DecodeError(
                f"invalid length octet 0x{first:02X} for {what} (expected 1..4 length bytes)", pos
            )
        if pos + 1 + k > self.end:
            raise DecodeError(
                f"expected {k} length bytes for {what}, {self.end - pos - 1} left", pos + 1
            )
        n = int.from_bytes(buf[pos + 1 : pos + 1 + k], "big")
        minimal = 0 if n < 0x80 else (n.bit_length() + 7) // 8
        return n, pos + 1 + k, (k if k != minimal else None)

    # The generic path: one value at ``pos``.
    def value(self, pos: int, depth: int, tag: int = -1) -> tuple[Value, int]:
        """One value at ``pos``; with ``tag`` given, its content only (untagged)."""
        buf = self.buf
        end = self.end
        if tag < 0:
            if pos >= end:
                raise DecodeError("expected a data type tag, 0 bytes left", pos)
            tag = buf[pos]
            pos += 1
        if tag in {1, 2}:  # array, structure
            if depth >= self.max_depth:
                raise DecodeError(f"data nested deeper than {self.max_depth} levels", pos - 1)
            what = "array" if tag == 1 else "structure"
            n, pos, form = self.length(pos, f"the element count of the {what}")
            if n > end - pos:
                # Every element needs at least its tag octet.
                raise DecodeError(
                    f"{what} of {n} elements cannot fit in the {end - pos} bytes left", pos
                )
            if tag == 1:
                items, pos = self.array_items(n, pos, depth + 1)
                cls: Any = Array
            else:
                items, pos = self.items(n, pos, depth + 1)
                cls = Structure
            if form is None:
                return _tuple_new(cls, items), pos
            result = _tuple_new(cls._form_variant, items)
            result.length_form = form
            return result, pos
        if tag in {9, 10, 12}:
            n, start, form = self.length(pos, "the length of a string")
            stop = start + n
            if stop > end:
                raise DecodeError(
                    f"expected {n} bytes of {DataType(tag).dlms_name}, {end - start} left", start
                )
            raw = buf[start:stop]
            if tag == 9:
                if form is None:
                    return _bytes_new(OctetString, raw), stop
                result = _bytes_new(OctetString._form_variant, raw)
            elif tag == 10:
                result = _str_new(VisibleString, raw.decode("latin-1"))
            else:
                result = _str_new(Utf8String, raw.decode("utf-8", "surrogateescape"))
            if form is not None:
                result = result.with_length_form(form)
            return result, stop
        fixed = _FIXED_INT.get(tag)
        if fixed is not None:
            cls, size, unpack = fixed
            if pos + size > end:
                raise DecodeError(
                    f"expected {size} bytes of {cls.TAG.dlms_name}, {end - pos} left", pos
                )
            return _int_new(cls, unpack(buf, pos)[0]), pos + size
        if tag == 0:
            return None, pos
        if tag == 3:
            if pos >= end:
                raise DecodeError("expected 1 byte of boolean, 0 left", pos)
            octet = buf[pos]
            return (octet == 1 if octet <= 1 else _int_new(Boolean, octet)), pos + 1
        if tag in {23, 24}:
            size = 4 if tag == 23 else 8
            if pos + size > end:
                raise DecodeError(
                    f"expected {size} bytes of {DataType(tag).dlms_name}, {end - pos} left", pos
                )
            fcls: type[_Float] = Float32 if tag == 23 else Float64
            raw_value = (_S_f if tag == 23 else _S_d).unpack_from(buf, pos)[0]
            fvalue = _float_new(fcls, raw_value)
            if math.isnan(raw_value):  # keep the exact payload bits of a NaN
                fvalue.raw = buf[pos : pos + size]
            return fvalue, pos + size
        dcls = _DATE_TYPES.get(tag)
        if dcls is not None:
            size = dcls.SIZE
            if pos + size > end:
                raise DecodeError(
                    f"expected {size} bytes of {DataType(tag).dlms_name}, {end - pos} left", pos
                )
            return dcls.from_bytes(buf[pos : pos + size], pos), pos + size
        if tag == 4:
            nbits, start, form = self.length(pos, "the bit count of a bit-string")
            nbytes = (nbits + 7) >> 3
            if start + nbytes > end:
                raise DecodeError(
                    f"expected {nbytes} bytes for a bit-string of {nbits} bits, {end - start} left",
                    start,
                )
            bits = BitString(buf[start : start + nbytes], nbits)
            bits.length_form = form
            return bits, start + nbytes
        if tag == 19:
            return self.compact_array(pos, depth)
        if tag == 255:
            return DontCare, pos
        raise DecodeError(f"unknown data type tag 0x{tag:02X}", pos - 1)

    def items(self, n: int, pos: int, depth: int) -> tuple[list[Value], int]:
        """``n`` values from ``pos``. Short octet-strings and fixed-size integers (what
        pushes and register lists are made of) are read inline; anything else, and every
        value that would not fit, goes through :meth:`value`, which raises the errors."""
        buf = self.buf
        end = self.end
        items: list[Value] = []
        append = items.append
        value = self.value
        fixed_by_tag = _FIXED_BY_TAG
        for _ in range(n):
            if pos + 1 < end:
                tag = buf[pos]
                if tag == 9:
                    size = buf[pos + 1]
                    stop = pos + 2 + size
                    if size < 0x80 and stop <= end:
                        append(_bytes_new(OctetString, buf[pos + 2 : stop]))
                        pos = stop
                        continue
                else:
                    fixed = fixed_by_tag[tag]
                    if fixed is not None:
                        cls, size, unpack = fixed
                        if pos + 1 + size <= end:
                            append(_int_new(cls, unpack(buf, pos + 1)[0]))
                            pos += 1 + size
                            continue
            item, pos = value(pos, depth)
            append(item)
        return items, pos

    def array_items(self, n: int, pos: int, depth: int) -> tuple[list[Value], int]:
        """Elements of an array. Rows that share the first row's fixed layout are read
        with one precompiled ``struct`` per row (the profile-buffer hot path)."""
        items: list[Value] = []
        if n == 0:
            return items, pos
        first, pos = self.value(pos, depth)
        items.append(first)
        if n == 1:
            return items, pos
        template = _row_template(first) if type(first) is Structure else None
        if template is not None:
            layout, check, expected, build = template
            size = layout.size
            rows = min(n - 1, (self.end - pos) // size)
            if rows:
                with memoryview(self.buf)[pos : pos + rows * size] as view:
                    unpacked = list(layout.iter_unpack(view))
                checks = list(map(check, unpacked))
                if checks.count(expected) != rows:
                    # Use the rows before the first one laid out differently.
                    rows = next(i for i, got in enumerate(checks) if got != expected)
                    del unpacked[rows:]
                items.extend(map(build, unpacked))
                pos += rows * size
        rest, pos = self.items(n - len(items), pos, depth)
        items.extend(rest)
        return items, pos

    def compact_array(self, pos: int, depth: int) -> tuple[CompactArray, int]:
        reader = Reader.__new__(Reader)
        reader.buf = self.buf
        reader.pos = pos
        reader.end = self.end
        reader.base = 0
        desc = _read_type_description(reader, self.max_depth - depth)
        n, start, form = self.length(reader.pos, "the contents length of a compact-array")
        stop = start + n
        if stop > self.end:
            raise DecodeError(
                f"expected {n} bytes of compact-array contents, {self.end - start} left", start
            )
        values: list[Value] = []
        p = start
        untagged = self.untagged
        while p < stop:
            item, q = untagged(desc, p, stop, depth + 1)
            if q == p:
                # A zero-size element type (null-data, dont-care, empty structure) gives
                # no way to count elements from the contents length.
                raise DecodeError("compact-array element type takes no octets", start)
            values.append(item)
            p = q
        result = CompactArray(desc, values)
        result.length_form = form
        return result, stop

    def untagged(self, desc: TypeDescription, pos: int, end: int, depth: int) -> tuple[Value, int]:
        """A value without its tag, as ``desc`` says, ending no later than ``end``."""
        self.budget -= 1
        if self.budget < 0:
            raise DecodeError("untagged data expands to too many elements", pos)
        if depth > self.max_depth:
            raise DecodeError(f"data nested deeper than {self.max_depth} levels", pos)
        tag = desc.tag
        if tag is DataType.STRUCTURE:
            items = []
            for field in desc.fields:
                item, pos = self.untagged(field, pos, end, depth + 1)
                items.append(item)
            return _tuple_new(Structure, items), pos
        if tag is DataType.ARRAY:
            assert desc.element is not None
            if desc.count > self.budget:
                raise DecodeError(
                    f"untagged array of {desc.count} elements exceeds the element budget", pos
                )
            items = []
            for _ in range(desc.count):
                item, pos = self.untagged(desc.element, pos, end, depth + 1)
                items.append(item)
            return _tuple_new(Array, items), pos
        # Simple types: the tagged path, told the tag, within the contents window.
        saved_end = self.end
        self.end = end
        try:
            return self.value(pos, depth, tag)
        finally:
            self.end = saved_end


def _fixed_part(value: Value) -> tuple[str, list[tuple[int, Any]], str] | None:
    """The struct layout of one tagged value, if it has a fixed size in this row.

    Returns (struct format, [(field index within the format, expected value)], the
    expression that builds the typed value from the last field, ``{}`` standing for it).
    """
    cls = type(value)
    if cls in _INT_CLASSES:
        icls: type[_Int] = cls
        return "B" + icls.FORMAT, [(0, int(icls.TAG))], f"_int_new({icls.__name__}, {{}})"
    if cls is OctetString and value.length_form is None and len(value) < 0x80:  # type: ignore[union-attr, arg-type]
        n = len(value)  # type: ignore[arg-type]
        return f"BB{n}s", [(0, 9), (1, n)], "_bytes_new(OctetString, {})"
    if value is None:
        return "B", [(0, 0)], "None"
    if cls is bool:
        return "BB", [(0, 3), (1, int(value))], repr(bool(value))  # type: ignore[arg-type]
    return None


_INT_CLASSES: Final = frozenset(_INT_TYPES)
_TEMPLATE_CACHE: dict[tuple[Any, ...], Any] = {}
_BUILD_NAMESPACE: Final[dict[str, Any]] = {
    "__builtins__": {},
    "_tuple_new": _tuple_new,
    "_int_new": _int_new,
    "_bytes_new": _bytes_new,
    "Structure": Structure,
    "OctetString": OctetString,
    **{cls.__name__: cls for cls in _INT_TYPES},
}


_RowTemplate: TypeAlias = tuple[
    struct.Struct,
    Callable[[tuple[Any, ...]], Any],
    tuple[Any, ...],
    Callable[[tuple[Any, ...]], "Structure"],
]


def _row_template(first: Structure) -> _RowTemplate | None:
    """A precompiled reader for rows laid out exactly like ``first``, or ``None``.

    A row is ``02 <n>`` followed by n fixed-size tagged values (integers, short
    octet-strings of the same length, null-data, booleans). The struct unpacks a whole
    row at once; ``check`` extracts the tag and length octets to compare with the first
    row's, and ``build`` makes the typed values from the unpacked fields.
    """
    if first.length_form is not None or not 0 < len(first) < 0x80:
        return None
    parts = []
    for item in first:
        part = _fixed_part(item)
        if part is None:
            return None
        parts.append(part)
    key = tuple((fmt, tuple(checks)) for fmt, checks, _ in parts)
    cached = _TEMPLATE_CACHE.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    fmt = ">BB"
    check_idx = [0, 1]
    expected: list[Any] = [2, len(first)]
    cells = []
    index = 2
    for part_fmt, checks, expression in parts:
        count = len(struct.unpack(">" + part_fmt, bytes(struct.calcsize(">" + part_fmt))))
        for offset, want in checks:
            check_idx.append(index + offset)
            expected.append(want)
        cells.append(expression.format(f"row[{index + count - 1}]"))
        fmt += part_fmt
        index += count
    # One expression per row layout, compiled once: calling a Python helper per cell
    # would cost more than the whole row (measured in bench/). The source is built only
    # from this module's class names and integer indices, never from input bytes.
    source = f"lambda row: _tuple_new(Structure, ({', '.join(cells)},))"
    build = eval(source, _BUILD_NAMESPACE)
    template = (struct.Struct(fmt), itemgetter(*check_idx), tuple(expected), build)
    if len(_TEMPLATE_CACHE) < 256:
        _TEMPLATE_CACHE[key] = template
    return template


def read_data(
    reader: Reader,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> Value:
    """Read one tagged value from ``reader`` and advance it (for APDU decoders)."""
    dec = _Decoder(reader.buf, reader.end, max_depth, max_elements)
    try:
        value, pos = dec.value(reader.pos, 0)
    except DecodeError as exc:
        if reader.base and exc.offset is not None:
            raise DecodeError(exc.reason, exc.offset + reader.base) from None
        raise
    reader.pos = pos
    return value


def decode_prefix(
    data: bytes | bytearray | memoryview,
    offset: int = 0,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> tuple[Value, int]:
    """Decode one tagged value at ``offset``; return it and the offset after it."""
    buf = data if type(data) is bytes else bytes(data)
    if not 0 <= offset <= len(buf):
        raise ValueError(f"offset {offset} outside the {len(buf)}-byte buffer")
    return _Decoder(buf, len(buf), max_depth, max_elements).value(offset, 0)


def decode(
    data: bytes | bytearray | memoryview,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> Value:
    """Decode exactly one tagged A-XDR value; trailing bytes are an error.

    >>> decode(bytes.fromhex("12 04 D2"))
    LongUnsigned(1234)
    """
    buf = data if type(data) is bytes else bytes(data)
    value, pos = _Decoder(buf, len(buf), max_depth, max_elements).value(0, 0)
    if pos != len(buf):
        raise DecodeError(f"{len(buf) - pos} unexpected trailing byte(s) after the value", pos)
    return value


def decode_untagged(
    data: bytes | bytearray | memoryview,
    description: TypeDescription,
    *,
    offset: int = 0,
    whole: bool = True,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> Value | tuple[Value, int]:
    """Decode a value sent without its tag, as ``description`` says.

    With ``whole=True`` (default) the value must fill the buffer from ``offset`` and is
    returned alone; with ``whole=False`` the result is ``(value, next_offset)``.
    """
    buf = data if type(data) is bytes else bytes(data)
    dec = _Decoder(buf, len(buf), max_depth, max_elements)
    value, pos = dec.untagged(description, offset, len(buf), 0)
    if not whole:
        return value, pos
    if pos != len(buf):
        raise DecodeError(f"{len(buf) - pos} unexpected trailing byte(s) after the value", pos)
    return value


# ---------------------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------------------


def _put_length(out: bytearray, n: int, form: int | None) -> None:
    if form is None and n < 0x80:
        out.append(n)
    else:
        out += encode_length(n, form)


_VARIANT_BASE: Final[dict[type, type]] = {
    base._form_variant: base for base in (OctetString, VisibleString, Utf8String, Array, Structure)
}


def _enc_sized(out: bytearray, value: Any, raw: bytes, tag: int) -> None:
    out.append(tag)
    _put_length(out, len(raw), value.length_form)
    out += raw


def _enc_value(out: bytearray, value: Any, depth: int) -> None:
    cls = type(value)
    packer = _INT_PACK.get(cls)
    if packer is not None:
        out += packer[0](packer[1], value)
        return
    # The commonest types first, with the short length form inlined (exact classes only:
    # a value with a non-minimal form is an instance of a variant, handled below).
    if cls is OctetString:
        n = len(value)
        if n < 0x80:
            out.append(9)
            out.append(n)
        else:
            out.append(9)
            out += encode_length(n)
        out += value
        return
    if cls is Structure or cls is Array:
        if depth >= DEFAULT_MAX_DEPTH:
            raise EncodeError(f"data nested deeper than {DEFAULT_MAX_DEPTH} levels")
        n = len(value)
        out.append(cls.TAG)
        if n < 0x80:
            out.append(n)
        else:
            out += encode_length(n)
        for item in value:
            _enc_value(out, item, depth + 1)
        return
    if cls in _VARIANT_BASE:  # a value that keeps a non-minimal length form
        cls = _VARIANT_BASE[cls]
    if cls is Structure or cls is Array:
        if depth >= DEFAULT_MAX_DEPTH:
            raise EncodeError(f"data nested deeper than {DEFAULT_MAX_DEPTH} levels")
        out.append(cls.TAG)
        _put_length(out, len(value), value.length_form)
        for item in value:
            _enc_value(out, item, depth + 1)
        return
    if cls is OctetString:
        _enc_sized(out, value, value, 9)
        return
    if value is None:
        out.append(0)
        return
    if cls is bool:
        out += b"\x03\x01" if value else b"\x03\x00"
        return
    if cls is VisibleString:
        _enc_sized(out, value, value.encode("latin-1"), 10)
        return
    if cls is Utf8String:
        _enc_sized(out, value, value.encode("utf-8", "surrogateescape"), 12)
        return
    if cls is Float32 or cls is Float64:
        out.append(cls.TAG)
        if value.raw is not None and math.isnan(value):
            out += value.raw
        else:
            try:
                out += (_S_f if cls is Float32 else _S_d).pack(value)
            except OverflowError:
                raise EncodeError(f"{float(value)} does not fit in a float32") from None
        return
    if cls is Boolean:
        out.append(3)
        out.append(int(value))
        return
    if cls is BitString:
        out.append(4)
        _put_length(out, value.length, value.length_form)
        out += value.data
        return
    if cls is CosemDateTime or cls is CosemDate or cls is CosemTime:
        out.append(_DATE_TAG[cls])
        out += value.to_bytes()
        return
    if cls is CompactArray:
        out.append(19)
        desc = value.type_description
        out += desc.encode()
        body = bytearray()
        for item in value.values:
            _enc_untagged(body, desc, item, depth + 1)
        _put_length(out, len(body), value.length_form)
        out += body
        return
    if value is DontCare:
        out.append(255)
        return
    if isinstance(value, bool | int | str | bytes | float | list | tuple):
        raise EncodeError(
            f"plain {cls.__name__} {value!r:.40} has no DLMS type: wrap it "
            f"(e.g. LongUnsigned(5), OctetString(b'..')) or use from_python()"
        )
    raise EncodeError(f"{cls.__name__} is not a DLMS value")


_DATE_TAG: Final[dict[type, int]] = {
    CosemDateTime: DataType.DATE_TIME,
    CosemDate: DataType.DATE,
    CosemTime: DataType.TIME,
}
# Integer class -> (pack of tag + value, tag): one C call per integer.
_INT_PACK: Final[dict[type, tuple[Callable[[int, Any], bytes], int]]] = {
    cls: (struct.Struct(">B" + cls.FORMAT).pack, int(cls.TAG)) for cls in _INT_TYPES
}


def _enc_untagged(out: bytearray, desc: TypeDescription, value: Any, depth: int) -> None:
    if depth > DEFAULT_MAX_DEPTH:
        raise EncodeError(f"data nested deeper than {DEFAULT_MAX_DEPTH} levels")
    tag = desc.tag
    if tag is DataType.STRUCTURE:
        if not isinstance(value, Structure) or len(value) != len(desc.fields):
            raise EncodeError(f"expected a structure of {len(desc.fields)} fields for {desc}")
        for field, item in zip(desc.fields, value, strict=True):
            _enc_untagged(out, field, item, depth + 1)
        return
    if tag is DataType.ARRAY:
        assert desc.element is not None
        if not isinstance(value, Array) or len(value) != desc.count:
            raise EncodeError(f"expected an array of {desc.count} elements for {desc}")
        for item in value:
            _enc_untagged(out, desc.element, item, depth + 1)
        return
    actual = data_type_of(value)
    if actual is not tag:
        raise EncodeError(f"expected {tag.dlms_name} for {desc}, got {actual.dlms_name}")
    tagged = bytearray()
    _enc_value(tagged, value, depth)
    out += memoryview(tagged)[1:]


def encode(value: Value) -> bytes:
    """Encode one value with its tag.

    >>> encode(Structure([LongUnsigned(1), OctetString(b"ab")])).hex()
    '0202120001090261 62'.replace(' ', '')
    """
    out = bytearray()
    _enc_value(out, value, 0)
    return bytes(out)


def encode_untagged(value: Value, description: TypeDescription) -> bytes:
    """Encode ``value`` without tags, as ``description`` says (inverse of
    :func:`decode_untagged`)."""
    out = bytearray()
    _enc_untagged(out, description, value, 0)
    return bytes(out)


# ---------------------------------------------------------------------------------------
# Plain Python values
# ---------------------------------------------------------------------------------------


def to_python(value: Value) -> Any:
    """Plain Python values: ints, floats, bytes, str, lists (arrays), tuples
    (structures), ``datetime`` for fully specified date-times (else the COSEM type)."""
    v: Any = value
    if isinstance(v, Array | CompactArray):
        return [to_python(x) for x in v]
    if isinstance(v, Structure):
        return tuple(to_python(x) for x in v)
    if isinstance(v, Boolean):
        return bool(v)
    if isinstance(v, _Int):
        return int(v)
    if isinstance(v, OctetString):
        return bytes(v)
    if isinstance(v, VisibleString | Utf8String):
        return str(v)
    if isinstance(v, _Float):
        return float(v)
    if isinstance(v, CosemDateTime):
        try:
            return v.to_datetime()
        except ValueError:
            return v
    return v


def from_python(obj: Any) -> Value:
    """Typed values from plain Python ones.

    ``None`` → null-data, ``bool`` → boolean, ``int`` → double-long (or
    double-long-unsigned, long64, long64-unsigned, the first that holds it), ``float`` →
    float64, ``str`` → visible-string (utf8-string if not ASCII), ``bytes`` →
    octet-string, ``list`` → array, ``tuple`` → structure, ``datetime`` / ``date`` /
    ``time`` → date-time / date / time. Typed values pass through unchanged.
    """
    if obj is None or isinstance(obj, bool | _Int | Boolean | _Float | _DontCareType):
        return obj
    if isinstance(obj, OctetString | VisibleString | Utf8String | BitString | CompactArray):
        return obj
    if isinstance(obj, CosemDateTime | CosemDate | CosemTime):
        return obj
    if isinstance(obj, Array | Structure):
        return type(obj)(from_python(v) for v in obj)
    if isinstance(obj, int):
        for cls in (DoubleLong, DoubleLongUnsigned, Long64, Long64Unsigned):
            if cls.MIN <= obj <= cls.MAX:
                return _int_new(cls, obj)
        raise EncodeError(f"{obj} does not fit any DLMS integer type")
    if isinstance(obj, float):
        return _float_new(Float64, obj)
    if isinstance(obj, str):
        return VisibleString(obj) if obj.isascii() else Utf8String(obj)
    if isinstance(obj, bytes | bytearray | memoryview):
        return OctetString(bytes(obj))
    if isinstance(obj, list):
        return Array(from_python(v) for v in obj)
    if isinstance(obj, tuple):
        return Structure(from_python(v) for v in obj)
    if isinstance(obj, datetime):
        return CosemDateTime.from_datetime(obj)
    if isinstance(obj, date):
        return CosemDate.from_date(obj)
    if isinstance(obj, time):
        return CosemTime.from_time(obj)
    raise EncodeError(f"cannot convert {type(obj).__name__} to a DLMS value")


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------


def _octet_hint(raw: bytes) -> str:
    """What a bare octet-string most likely holds, for readers of a dump."""
    if len(raw) == 6:
        from dlmskit.obis import Obis  # noqa: PLC0415 - obis is only needed for dumps

        return f"  (OBIS {Obis.from_bytes(raw).to_iec()}?)"
    if len(raw) == 12:
        stamp = CosemDateTime.from_bytes(raw)
        if stamp.is_valid():
            return f"  (date-time {stamp})"
    if raw and all(0x20 <= b < 0x7F for b in raw):
        return f"  ({raw.decode('ascii')!r})"
    return ""


def dump(value: Value, indent: str = "  ") -> str:
    """A readable tree of a value, one line per element, with DLMS type names.

    6-byte octet-strings are shown as OBIS codes and valid 12-byte ones as date-times,
    marked with ``?`` where it is a guess.
    """
    lines: list[str] = []
    _dump_into(lines, value, 0, indent)
    return "\n".join(lines)


def _dump_into(lines: list[str], value: Value, level: int, indent: str) -> None:
    pad = indent * level
    v: Any = value
    if isinstance(v, Array | Structure | CompactArray):
        name = data_type_of(v).dlms_name
        items = v.values if isinstance(v, CompactArray) else v
        if type(v) is Structure and 0 < len(v) <= 4 and not any(map(_is_container, v)):
            # short records (access rights, scaler-unit) read best on one line
            inner = ", ".join(_scalar_text(item, hints=False) for item in v)
            lines.append(f"{pad}{name}{{{inner}}}")
            return
        suffix = f" of {v.type_description}" if isinstance(v, CompactArray) else ""
        lines.append(f"{pad}{name}[{len(items)}]{suffix}")
        for item in items:
            _dump_into(lines, item, level + 1, indent)
    else:
        lines.append(pad + _scalar_text(v, hints=True))


def _is_container(value: object) -> bool:
    return isinstance(value, Array | Structure | CompactArray)


def _scalar_text(v: Any, *, hints: bool) -> str:
    if v is None:
        return "null-data"
    if v is DontCare:
        return "dont-care"
    if isinstance(v, bool | Boolean):
        return f"boolean {bool(v)}"
    name = data_type_of(v).dlms_name
    if isinstance(v, OctetString):
        hint = _octet_hint(bytes(v)) if hints else ""
        return f"{name}[{len(v)}] {bytes(v).hex().upper()}{hint}"
    if isinstance(v, VisibleString | Utf8String):
        return f"{name} {str(v)!r}"
    if isinstance(v, _Int):
        return f"{name} {int(v)}"
    if isinstance(v, _Float):
        return f"{name} {float(v)!r}"
    if isinstance(v, BitString):
        return f"{name}[{v.length}] {v.bits()}"
    return f"{name} {v}"
