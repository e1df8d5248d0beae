"""The declaration framework of the interface classes: wire kinds, value types, ClassSpec.

Every class module (:mod:`.comm`, :mod:`.media`, :mod:`.payment`, :mod:`.plc`, and the
core modules through :mod:`._base`) declares its classes as data with the pieces here:

- a :class:`Kind` types one A-XDR value (``decode(value, where)`` → Python value,
  ``encode(obj, where)`` → A-XDR value, ``describe()``): :data:`U8` … :data:`U64`,
  :data:`I8` …, :class:`EnumKind` (an open ``IntEnum``), :data:`OCTETS`, :data:`OBIS`,
  :data:`DATE_TIME` (octet-string(12)) and :data:`DATE_TIME_TAGGED`, :data:`IPV4`,
  :data:`IPV6`, :data:`ANY` (CHOICE), :class:`ArrayKind`, :class:`StructKind`,
  :class:`NullOrKind`;
- structured values are frozen dataclasses whose fields carry their kind, in wire order::

      @dataclass(frozen=True, slots=True, kw_only=True)
      class WindowElement(ValueStruct):
          start: CosemDateTime | None = kind_field(DATE_TIME)
          end: CosemDateTime | None = kind_field(DATE_TIME)

  :class:`ValueStruct` gives them ``from_data`` (every element type checked,
  :class:`~dlmskit.errors.DecodeError` naming the type and field) and ``to_data``, and its
  constructor refuses a value that could not be encoded, so an invalid value cannot exist;
- a :class:`ClassSpec` is one class version (Blue Book attribute and method tables:
  :class:`AttrSpec` rows from attribute 2, ``logical_name`` is implied; :class:`MethSpec`
  rows) with ``decode_attribute``/``encode_attribute`` and the method parameter codecs.

Round trips are byte-exact: integers keep their type where a field accepts several,
octet-strings and strings keep a non-minimal length form.
"""

from __future__ import annotations

import abc
import dataclasses
import ipaddress
import warnings
from enum import IntEnum
from typing import Any, Self

from dlmskit import axdr
from dlmskit.cosem_time import CosemDateTime
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis

__all__ = [
    "AnyKind",
    "ArrayKind",
    "BitsKind",
    "BoolKind",
    "DateTimeKind",
    "EnumKind",
    "IntKind",
    "Ipv4Kind",
    "Ipv6Kind",
    "Kind",
    "NullOrKind",
    "ObisKind",
    "OctetsKind",
    "StrKind",
    "StructKind",
    "ValueStruct",
    "describe_value",
    "kind_field",
]

#: The A-XDR integer types (an ``IntKind`` with ``any_int=True`` accepts every one).
INTEGER_TYPES: tuple[type[Any], ...] = (
    axdr.Integer,
    axdr.Long,
    axdr.DoubleLong,
    axdr.Long64,
    axdr.Unsigned,
    axdr.LongUnsigned,
    axdr.DoubleLongUnsigned,
    axdr.Long64Unsigned,
    axdr.Enum,
)


def describe_value(value: object) -> str:
    """``long-unsigned LongUnsigned(3)``: the DLMS type and the value, for error messages."""
    try:
        name = axdr.data_type_of(value).name.lower().replace("_", "-")
    except (TypeError, ValueError):
        name = type(value).__name__
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{name} {text}"


def _wrong(where: str, expected: str, value: object) -> DecodeError:
    return DecodeError(f"{where} must be {expected}, got {describe_value(value)}")


class Kind(abc.ABC):
    """How one structure element is typed: ``decode`` (A-XDR → Python), ``encode`` back."""

    __slots__ = ()

    @abc.abstractmethod
    def decode(self, value: axdr.Value, where: str) -> Any:
        """The Python value of ``value`` (DecodeError naming ``where`` if it does not fit)."""

    @abc.abstractmethod
    def encode(self, obj: Any, where: str) -> axdr.Value:
        """The A-XDR value of ``obj``."""

    @abc.abstractmethod
    def describe(self) -> str:
        """The type in words, for messages and the catalogue listing."""


class IntKind(Kind):
    """An integer element of one A-XDR type (``any_int``: any integer type, kept)."""

    __slots__ = ("any_int", "axdr_type")

    def __init__(self, axdr_type: type[Any], *, any_int: bool = False) -> None:
        self.axdr_type = axdr_type
        self.any_int = any_int

    def decode(self, value: axdr.Value, where: str) -> Any:
        if self.any_int:
            if isinstance(value, INTEGER_TYPES):
                return value  # the instance keeps its tag for a byte-exact re-encode
            raise _wrong(where, "an integer type", value)
        if type(value) is not self.axdr_type:
            raise _wrong(where, self.describe(), value)
        return int(value)  # type: ignore[arg-type]  # the exact type was checked above

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if self.any_int and isinstance(obj, INTEGER_TYPES):
            return obj  # type: ignore[no-any-return]
        try:
            return self.axdr_type(obj)  # type: ignore[no-any-return]
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{where}: {exc}") from None

    def describe(self) -> str:
        name = axdr.data_type_of(self.axdr_type(0)).name.lower().replace("_", "-")
        return f"{name} (or another integer type)" if self.any_int else name


class EnumKind(Kind):
    """An ``enum`` element decoded into an ``IntEnum`` (an open one keeps unknown values)."""

    __slots__ = ("enum_type",)

    def __init__(self, enum_type: type[IntEnum]) -> None:
        self.enum_type = enum_type

    def decode(self, value: axdr.Value, where: str) -> Any:
        if type(value) is not axdr.Enum:
            raise _wrong(where, "enum", value)
        try:
            return self.enum_type(int(value))
        except ValueError:
            raise DecodeError(
                f"{where}: {int(value)} is not a {self.enum_type.__name__} value"
            ) from None

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if isinstance(obj, bool) or not isinstance(obj, int):
            raise TypeError(f"{where} must be a {self.enum_type.__name__}, not {type(obj)}")
        try:
            return axdr.Enum(int(self.enum_type(obj)))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None

    def describe(self) -> str:
        return f"enum {self.enum_type.__name__}"


class OctetsKind(Kind):
    """An ``octet-string`` element as ``bytes``; ``size`` fixes its length when given."""

    __slots__ = ("size",)

    def __init__(self, size: int | None = None) -> None:
        self.size = size

    def decode(self, value: axdr.Value, where: str) -> Any:
        if not isinstance(value, axdr.OctetString):
            raise _wrong(where, "octet-string", value)
        if self.size is not None and len(value) != self.size:
            raise DecodeError(f"{where} must be {self.size} octets, got {len(value)}")
        return value  # an OctetString (bytes) that keeps a non-minimal length form

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if not isinstance(obj, bytes | bytearray):
            raise TypeError(f"{where} must be bytes, not {type(obj).__name__}")
        if self.size is not None and len(obj) != self.size:
            raise ValueError(f"{where} must be {self.size} octets, got {len(obj)}")
        return obj if isinstance(obj, axdr.OctetString) else axdr.OctetString(obj)

    def describe(self) -> str:
        return "octet-string" if self.size is None else f"octet-string({self.size})"


class ObisKind(Kind):
    """A logical name: ``octet-string(6)`` ↔ :class:`~dlmskit.obis.Obis`."""

    __slots__ = ()

    def decode(self, value: axdr.Value, where: str) -> Any:
        if not isinstance(value, axdr.OctetString) or len(value) != 6:
            raise _wrong(where, "octet-string(6) (a logical name)", value)
        return Obis.from_bytes(value)

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if isinstance(obj, str):
            obj = Obis.parse(obj)
        if not isinstance(obj, Obis):
            raise TypeError(f"{where} must be an Obis, not {type(obj).__name__}")
        return axdr.OctetString(obj.to_bytes())

    def describe(self) -> str:
        return "octet-string(6)"


class DateTimeKind(Kind):
    """A COSEM date-time: ``octet-string(12)`` (or the ``date-time`` tag when ``tagged``).

    The Blue Book types most time attributes as an octet-string formatted as date-time
    (4.1.6.1). An empty octet-string (sent by meters for "not set") decodes to ``None``
    and ``None`` encodes back to it.
    """

    __slots__ = ("tagged",)

    def __init__(self, *, tagged: bool = False) -> None:
        self.tagged = tagged

    def decode(self, value: axdr.Value, where: str) -> Any:
        if self.tagged:
            if isinstance(value, CosemDateTime):
                return value
            raise _wrong(where, "date-time", value)
        if isinstance(value, axdr.OctetString):
            if len(value) == 0:
                return None
            if len(value) == 12:
                return CosemDateTime.from_bytes(value)
        raise _wrong(where, "octet-string(12) (a date-time)", value)

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if obj is None and not self.tagged:
            return axdr.OctetString(b"")
        if not isinstance(obj, CosemDateTime):
            raise TypeError(f"{where} must be a CosemDateTime, not {type(obj).__name__}")
        return obj if self.tagged else axdr.OctetString(obj.to_bytes())

    def describe(self) -> str:
        return "date-time" if self.tagged else "octet-string(12) date-time"


class StrKind(Kind):
    """A ``visible-string`` or ``utf8-string`` element as ``str``."""

    __slots__ = ("axdr_type",)

    def __init__(self, axdr_type: type[axdr.VisibleString] | type[axdr.Utf8String]) -> None:
        self.axdr_type = axdr_type

    def decode(self, value: axdr.Value, where: str) -> Any:
        if not isinstance(value, self.axdr_type):
            raise _wrong(where, self.describe(), value)
        return value  # a str subclass that keeps a non-minimal length form

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if not isinstance(obj, str):
            raise TypeError(f"{where} must be a str, not {type(obj).__name__}")
        if isinstance(obj, self.axdr_type):
            return obj
        try:
            return self.axdr_type(obj)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None

    def describe(self) -> str:
        return "visible-string" if self.axdr_type is axdr.VisibleString else "utf8-string"


class BoolKind(Kind):
    """A ``boolean`` element."""

    __slots__ = ()

    def decode(self, value: axdr.Value, where: str) -> Any:
        if isinstance(value, bool | axdr.Boolean):
            return value  # an axdr.Boolean keeps a non-canonical true octet
        raise _wrong(where, "boolean", value)

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if not isinstance(obj, bool | axdr.Boolean):
            raise TypeError(f"{where} must be a bool, not {type(obj).__name__}")
        return obj

    def describe(self) -> str:
        return "boolean"


class BitsKind(Kind):
    """A ``bit-string`` element, kept as :class:`~dlmskit.axdr.BitString`."""

    __slots__ = ()

    def decode(self, value: axdr.Value, where: str) -> Any:
        if not isinstance(value, axdr.BitString):
            raise _wrong(where, "bit-string", value)
        return value

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if not isinstance(obj, axdr.BitString):
            raise TypeError(f"{where} must be an axdr.BitString, not {type(obj).__name__}")
        return obj

    def describe(self) -> str:
        return "bit-string"


class AnyKind(Kind):
    """A CHOICE (any A-XDR value), kept as the decoded value."""

    __slots__ = ()

    def decode(self, value: axdr.Value, where: str) -> Any:
        return value

    def encode(self, obj: Any, where: str) -> axdr.Value:
        try:
            axdr.data_type_of(obj)
        except TypeError:
            raise TypeError(f"{where} must be an A-XDR value, not {type(obj).__name__}") from None
        return obj  # type: ignore[no-any-return]

    def describe(self) -> str:
        return "CHOICE (any data)"


class ArrayKind(Kind):
    """An ``array`` of one element kind, as a tuple."""

    __slots__ = ("item",)

    def __init__(self, item: Kind) -> None:
        self.item = item

    def decode(self, value: axdr.Value, where: str) -> Any:
        if not isinstance(value, axdr.Array):
            raise _wrong(where, f"array of {self.item.describe()}", value)
        decode = self.item.decode
        return tuple(decode(v, f"{where}[{i}]") for i, v in enumerate(value))

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if isinstance(obj, str | bytes) or not isinstance(obj, tuple | list):
            raise TypeError(f"{where} must be a tuple, not {type(obj).__name__}")
        encode = self.item.encode
        return axdr.Array(encode(v, f"{where}[{i}]") for i, v in enumerate(obj))

    def describe(self) -> str:
        return f"array of {self.item.describe()}"


class StructKind(Kind):
    """A nested value type (any class with ``from_data``/``to_data``)."""

    __slots__ = ("value_type",)

    def __init__(self, value_type: type[Any]) -> None:
        self.value_type = value_type

    def decode(self, value: axdr.Value, where: str) -> Any:
        try:
            return self.value_type.from_data(value)
        except DecodeError as exc:
            raise DecodeError(f"{where}: {exc.reason}") from None

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if not isinstance(obj, self.value_type):
            raise TypeError(
                f"{where} must be a {self.value_type.__name__}, not {type(obj).__name__}"
            )
        return obj.to_data()  # type: ignore[no-any-return]

    def describe(self) -> str:
        return self.value_type.__name__


class NullOrKind(Kind):
    """A CHOICE of null-data (``None``) or one other kind."""

    __slots__ = ("inner",)

    def __init__(self, inner: Kind) -> None:
        self.inner = inner

    def decode(self, value: axdr.Value, where: str) -> Any:
        return None if value is None else self.inner.decode(value, where)

    def encode(self, obj: Any, where: str) -> axdr.Value:
        return None if obj is None else self.inner.encode(obj, where)

    def describe(self) -> str:
        return f"null-data or {self.inner.describe()}"


class Ipv4Kind(Kind):
    """An IPv4 address carried as ``double-long-unsigned`` ↔ :class:`ipaddress.IPv4Address`."""

    __slots__ = ()

    def decode(self, value: axdr.Value, where: str) -> Any:
        if type(value) is not axdr.DoubleLongUnsigned:
            raise _wrong(where, "double-long-unsigned (an IPv4 address)", value)
        return ipaddress.IPv4Address(int(value))

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if isinstance(obj, str):
            obj = ipaddress.IPv4Address(obj)
        if not isinstance(obj, ipaddress.IPv4Address):
            raise TypeError(f"{where} must be an IPv4Address, not {type(obj).__name__}")
        return axdr.DoubleLongUnsigned(int(obj))

    def describe(self) -> str:
        return "double-long-unsigned IPv4 address"


class Ipv6Kind(Kind):
    """An IPv6 address as ``octet-string(16)`` ↔ :class:`ipaddress.IPv6Address`.

    An empty octet-string (not configured) decodes to ``None`` and back.
    """

    __slots__ = ()

    def decode(self, value: axdr.Value, where: str) -> Any:
        if isinstance(value, axdr.OctetString):
            if len(value) == 0:
                return None
            if len(value) == 16:
                return ipaddress.IPv6Address(bytes(value))
        raise _wrong(where, "octet-string(16) (an IPv6 address)", value)

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if obj is None:
            return axdr.OctetString(b"")
        if isinstance(obj, str):
            obj = ipaddress.IPv6Address(obj)
        if not isinstance(obj, ipaddress.IPv6Address):
            raise TypeError(f"{where} must be an IPv6Address, not {type(obj).__name__}")
        return axdr.OctetString(obj.packed)

    def describe(self) -> str:
        return "octet-string(16) IPv6 address"


# Ready-made kinds (stateless, shared).
U8 = IntKind(axdr.Unsigned)
U16 = IntKind(axdr.LongUnsigned)
U32 = IntKind(axdr.DoubleLongUnsigned)
U64 = IntKind(axdr.Long64Unsigned)
I8 = IntKind(axdr.Integer)
I16 = IntKind(axdr.Long)
I32 = IntKind(axdr.DoubleLong)
OCTETS = OctetsKind()
OBIS = ObisKind()
DATE_TIME = DateTimeKind()
DATE_TIME_TAGGED = DateTimeKind(tagged=True)
VISIBLE = StrKind(axdr.VisibleString)
UTF8 = StrKind(axdr.Utf8String)
BOOL = BoolKind()
BITS = BitsKind()
ANY = AnyKind()
IPV4 = Ipv4Kind()
IPV6 = Ipv6Kind()


def kind_field(kind: Kind, **kwargs: Any) -> Any:
    """A dataclass field typed on the wire by ``kind`` (other arguments as ``field``)."""
    return dataclasses.field(metadata={"dlms": kind}, **kwargs)


_SPECS: dict[type[Any], tuple[tuple[str, Kind], ...]] = {}


def _spec(cls: type[Any]) -> tuple[tuple[str, Kind], ...]:
    spec = _SPECS.get(cls)
    if spec is None:
        spec = tuple((f.name, f.metadata["dlms"]) for f in dataclasses.fields(cls))
        _SPECS[cls] = spec
    return spec


class ValueStruct:
    """Base of the frozen dataclasses that mirror a Blue Book ``structure {...}``.

    Subclasses declare their fields with :func:`kind_field` in wire order. A subclass
    whose wire form is not one fixed structure overrides ``from_data``/``to_data``.
    """

    __slots__ = ()

    def __post_init__(self) -> None:
        # Encoding checks every field, so a value that could not be sent cannot be built.
        self.to_data()

    @classmethod
    def from_data(cls, value: axdr.Value) -> Self:
        """The typed value of an A-XDR ``structure`` (DecodeError naming what is wrong)."""
        spec = _spec(cls)
        name = cls.__name__
        if not isinstance(value, axdr.Structure):
            raise _wrong(name, f"a structure of {len(spec)} elements", value)
        if len(value) != len(spec):
            raise DecodeError(
                f"{name} must be a structure of {len(spec)} elements, got {len(value)}"
            )
        kwargs = {
            field: kind.decode(item, f"{name}.{field}")
            for (field, kind), item in zip(spec, value, strict=True)
        }
        return cls(**kwargs)

    def to_data(self) -> axdr.Value:
        """The A-XDR ``structure`` of this value."""
        name = type(self).__name__
        return axdr.Structure(
            kind.encode(getattr(self, field), f"{name}.{field}")
            for field, kind in _spec(type(self))
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        """Decode the tagged A-XDR bytes of this structure."""
        return cls.from_data(axdr.decode(data))

    def to_bytes(self) -> bytes:
        """The tagged A-XDR bytes of this value."""
        return axdr.encode(self.to_data())

    @classmethod
    def describe(cls) -> str:
        """``structure {long-unsigned class_id, ...}`` as the Blue Book writes it."""
        inner = ", ".join(f"{kind.describe()} {field}" for field, kind in _spec(cls))
        return f"structure {{{inner}}}"


def enum_kind(enum_type: type[IntEnum]) -> EnumKind:
    """Shorthand for :class:`EnumKind`."""
    return EnumKind(enum_type)


def array_kind(item: Kind | type[Any]) -> ArrayKind:
    """``array`` of a kind, or of a value type (a class with ``from_data``)."""
    return ArrayKind(item if isinstance(item, Kind) else StructKind(item))


# ---------------------------------------------------------------------------------------
# Class declarations as data
# ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class AttrSpec:
    """One attribute row of a Blue Book class table (its index is its position + 1)."""

    name: str
    kind: Kind
    static: bool = True


@dataclasses.dataclass(frozen=True, slots=True)
class MethSpec:
    """One method row: its parameter kind (``None``: no data) and result kind."""

    name: str
    parameter: Kind | None
    result: Kind | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ClassSpec:
    """An interface class version: attributes 2.. (``logical_name`` is added) and methods."""

    class_id: int
    version: int
    name: str
    attributes: tuple[AttrSpec, ...]
    methods: tuple[MethSpec, ...] = ()

    @property
    def all_attributes(self) -> tuple[AttrSpec, ...]:
        """Every attribute, ``logical_name`` (octet-string(6), static) first."""
        return (AttrSpec("logical_name", OBIS), *self.attributes)

    def attribute(self, index: int) -> AttrSpec:
        """Attribute ``index`` (1-based); ValueError naming the class for an unknown one."""
        attributes = self.all_attributes
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"index must be an int, not {type(index).__name__}")
        if not 1 <= index <= len(attributes):
            raise ValueError(f"{self._title} has attributes 1..{len(attributes)}, not {index}")
        return attributes[index - 1]

    def method(self, index: int) -> MethSpec:
        """Method ``index`` (1-based); ValueError naming the class for an unknown one."""
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"index must be an int, not {type(index).__name__}")
        if not 1 <= index <= len(self.methods):
            raise ValueError(f"{self._title} has methods 1..{len(self.methods)}, not {index}")
        return self.methods[index - 1]

    @property
    def _title(self) -> str:
        return f"{self.name} (class {self.class_id}, version {self.version})"

    def decode_attribute(
        self, index: int, data: bytes | axdr.Value, *, lenient: bool = False
    ) -> Any:
        """The typed value of attribute ``index`` from tagged A-XDR bytes or a decoded value.

        A value that does not match the declared type raises DecodeError naming the class,
        version and attribute; ``lenient=True`` returns the raw A-XDR value instead, with a
        warning (real meters deviate).
        """
        spec = self.attribute(index)
        return self._decode(spec.kind, data, f"attribute {index} {spec.name}", lenient)

    def encode_attribute(self, index: int, obj: Any) -> bytes:
        """Tagged A-XDR bytes of attribute ``index`` (byte-exact for decoded values)."""
        spec = self.attribute(index)
        return axdr.encode(spec.kind.encode(obj, f"{self._title} {spec.name}"))

    def decode_method_parameter(
        self, index: int, data: bytes | axdr.Value, *, lenient: bool = False
    ) -> Any:
        """The typed parameter of method ``index`` (as :meth:`decode_attribute`)."""
        spec = self.method(index)
        if spec.parameter is None:
            raise ValueError(f"{self._title} method {index} {spec.name} takes no data")
        return self._decode(spec.parameter, data, f"method {index} {spec.name}", lenient)

    def encode_method_parameter(self, index: int, obj: Any) -> bytes:
        """Tagged A-XDR bytes of the parameter of method ``index``."""
        spec = self.method(index)
        if spec.parameter is None:
            raise ValueError(f"{self._title} method {index} {spec.name} takes no data")
        return axdr.encode(spec.parameter.encode(obj, f"{self._title} {spec.name}"))

    def _decode(self, kind: Kind, data: bytes | axdr.Value, what: str, lenient: bool) -> Any:
        # A decoded octet-string (an axdr.OctetString is a bytes subclass) is a value, not
        # wire bytes: only plain bytes are decoded as tagged A-XDR.
        if isinstance(data, bytes | bytearray | memoryview) and not isinstance(
            data, axdr.OctetString
        ):
            try:
                value = axdr.decode(bytes(data))
            except DecodeError as exc:
                raise DecodeError(f"{self._title} {what}: {exc.reason}", exc.offset) from None
        else:
            value = data
        try:
            return kind.decode(value, what)
        except DecodeError as exc:
            if not lenient:
                raise DecodeError(f"{self._title} {exc.reason}", exc.offset) from None
            warnings.warn(
                f"{self._title} {exc.reason}; kept the raw value (lenient)",
                stacklevel=3,
            )
            return value


#: Parameter of the methods whose data is ``integer (0)`` (push, reset, connect, ...).
ZERO = I8
