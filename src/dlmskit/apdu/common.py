"""Small value types shared by the xDLMS APDUs (Green Book 9.5, "COSEM APDU ASN.1").

- :class:`InvokeIdAndPriority` (one octet) and :class:`LongInvokeIdAndPriority` (four).
- :class:`CosemAttributeDescriptor` / :class:`CosemMethodDescriptor`: class id,
  instance id (OBIS), attribute or method id.
- :class:`SelectiveAccessDescriptor`: access selector and its parameters (Data).
- :class:`DataAccessResult`, :class:`ActionResult`: result enumerations, open to values
  they do not name (a meter may send a manufacturer code; it must not crash us).
- :class:`OpenIntEnum`: the base of such enumerations.
- Reading/writing helpers for optional fields and A-XDR lengths that keep their form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Self

from dlmskit import axdr
from dlmskit._buffer import Reader
from dlmskit.cosem_time import CosemDateTime
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis

__all__ = [
    "ActionResult",
    "CosemAttributeDescriptor",
    "CosemMethodDescriptor",
    "DataAccessResult",
    "InvokeIdAndPriority",
    "LongInvokeIdAndPriority",
    "OpenIntEnum",
    "SelectiveAccessDescriptor",
    "as_cosem_date_time",
    "as_tuple",
    "check_bool",
    "check_data",
    "check_range",
    "check_type",
    "data_tuple",
    "read_bool",
    "read_data",
    "read_length",
    "read_octets",
    "read_optional_flag",
    "write_length",
    "write_octets",
]


class OpenIntEnum(IntEnum):
    """An ``IntEnum`` that accepts values it does not name (as ``UNKNOWN_<n>``).

    Only values the wire can carry become pseudo-members: one octet by default; an
    enumeration of wider values sets ``Cls._wire_limit = N`` after its class body.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        limit = getattr(cls, "_wire_limit", 0xFF)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit:
            member = int.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}"
            member._value_ = value
            return member
        return None

    @property
    def known(self) -> bool:
        """Whether the standard names this value."""
        return self._name_ in type(self).__members__

    @property
    def dlms_name(self) -> str:
        """The Green Book spelling, e.g. ``read-write-denied``."""
        return self._name_.lower().replace("_", "-")


class DataAccessResult(OpenIntEnum):
    """Data-Access-Result (Green Book 9.5): the outcome of a GET or SET of one attribute."""

    SUCCESS = 0
    HARDWARE_FAULT = 1
    TEMPORARY_FAILURE = 2
    READ_WRITE_DENIED = 3
    OBJECT_UNDEFINED = 4
    OBJECT_CLASS_INCONSISTENT = 9
    OBJECT_UNAVAILABLE = 11
    TYPE_UNMATCHED = 12
    SCOPE_OF_ACCESS_VIOLATED = 13
    DATA_BLOCK_UNAVAILABLE = 14
    LONG_GET_ABORTED = 15
    NO_LONG_GET_IN_PROGRESS = 16
    LONG_SET_ABORTED = 17
    NO_LONG_SET_IN_PROGRESS = 18
    DATA_BLOCK_NUMBER_INVALID = 19
    OTHER_REASON = 250


class ActionResult(OpenIntEnum):
    """Action-Result (Green Book 9.5): the outcome of an ACTION on one method."""

    SUCCESS = 0
    HARDWARE_FAULT = 1
    TEMPORARY_FAILURE = 2
    READ_WRITE_DENIED = 3
    OBJECT_UNDEFINED = 4
    OBJECT_CLASS_INCONSISTENT = 9
    OBJECT_UNAVAILABLE = 11
    TYPE_UNMATCHED = 12
    SCOPE_OF_ACCESS_VIOLATED = 13
    DATA_BLOCK_UNAVAILABLE = 14
    LONG_ACTION_ABORTED = 15
    NO_LONG_ACTION_IN_PROGRESS = 16
    OTHER_REASON = 250


def check_range(name: str, value: int, low: int, high: int) -> None:
    """Constructor validation: ``ValueError`` naming the field when out of range."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in {low}..{high}, got {value}")


@dataclass(frozen=True, slots=True)
class InvokeIdAndPriority:
    """Invoke-Id-And-Priority, one octet (Green Book 9.5)::

        bit 7      priority        0 normal, 1 high
        bit 6      service-class   0 unconfirmed, 1 confirmed
        bits 5..4  reserved        (kept as received)
        bits 3..0  invoke-id       0..15

    ``value`` is the whole octet, so a received octet always re-encodes unchanged.
    """

    value: int

    def __post_init__(self) -> None:
        check_range("invoke-id-and-priority", self.value, 0, 0xFF)

    @classmethod
    def of(cls, invoke_id: int, *, confirmed: bool = True, high_priority: bool = False) -> Self:
        check_range("invoke-id", invoke_id, 0, 15)
        return cls(invoke_id | (0x40 if confirmed else 0) | (0x80 if high_priority else 0))

    @property
    def invoke_id(self) -> int:
        return self.value & 0x0F

    @property
    def confirmed(self) -> bool:
        return bool(self.value & 0x40)

    @property
    def high_priority(self) -> bool:
        return bool(self.value & 0x80)

    @classmethod
    def read(cls, reader: Reader) -> Self:
        return cls(reader.u8("invoke-id-and-priority"))

    def write(self, out: bytearray) -> None:
        out.append(self.value)

    def __repr__(self) -> str:
        return f"InvokeIdAndPriority(0x{self.value:02X})"


@dataclass(frozen=True, slots=True)
class LongInvokeIdAndPriority:
    """Long-Invoke-Id-And-Priority, four octets (Green Book 9.5)::

    bit 31      priority             0 normal, 1 high
    bit 30      service-class        0 unconfirmed, 1 confirmed
    bit 29      processing-option    0 continue on error, 1 break on error
    bit 28      self-descriptive     0 not, 1 self-descriptive
    bits 27..24 reserved             (kept as received)
    bits 23..0  long-invoke-id
    """

    value: int

    def __post_init__(self) -> None:
        check_range("long-invoke-id-and-priority", self.value, 0, 0xFFFFFFFF)

    @classmethod
    def of(
        cls,
        invoke_id: int,
        *,
        confirmed: bool = False,
        high_priority: bool = False,
        break_on_error: bool = False,
        self_descriptive: bool = False,
    ) -> Self:
        check_range("long-invoke-id", invoke_id, 0, 0xFFFFFF)
        flags = (
            (0x80 if high_priority else 0)
            | (0x40 if confirmed else 0)
            | (0x20 if break_on_error else 0)
            | (0x10 if self_descriptive else 0)
        )
        return cls(invoke_id | flags << 24)

    @property
    def invoke_id(self) -> int:
        return self.value & 0xFFFFFF

    @property
    def high_priority(self) -> bool:
        return bool(self.value & 0x80000000)

    @property
    def confirmed(self) -> bool:
        return bool(self.value & 0x40000000)

    @property
    def break_on_error(self) -> bool:
        return bool(self.value & 0x20000000)

    @property
    def self_descriptive(self) -> bool:
        return bool(self.value & 0x10000000)

    @classmethod
    def read(cls, reader: Reader) -> Self:
        return cls(reader.u32("long-invoke-id-and-priority"))

    def write(self, out: bytearray) -> None:
        out += self.value.to_bytes(4, "big")

    def __repr__(self) -> str:
        return f"LongInvokeIdAndPriority(0x{self.value:08X})"


@dataclass(frozen=True, slots=True, kw_only=True)
class CosemAttributeDescriptor:
    """Cosem-Attribute-Descriptor: class-id (u16), instance-id (OBIS), attribute-id (i8)."""

    class_id: int
    instance_id: Obis
    attribute_id: int

    def __post_init__(self) -> None:
        check_range("class-id", self.class_id, 0, 0xFFFF)
        if not isinstance(self.instance_id, Obis):
            raise TypeError(f"instance-id must be an Obis, not {type(self.instance_id).__name__}")
        check_range("attribute-id", self.attribute_id, -128, 127)

    @classmethod
    def read(cls, reader: Reader) -> Self:
        class_id = reader.u16("cosem-attribute-descriptor.class-id")
        instance_id = Obis.from_bytes(reader.bytes(6, "cosem-attribute-descriptor.instance-id"))
        return cls(
            class_id=class_id,
            instance_id=instance_id,
            attribute_id=reader.i8("cosem-attribute-descriptor.attribute-id"),
        )

    def write(self, out: bytearray) -> None:
        out += self.class_id.to_bytes(2, "big")
        out += self.instance_id.to_bytes()
        out += self.attribute_id.to_bytes(1, "big", signed=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class CosemMethodDescriptor:
    """Cosem-Method-Descriptor: class-id (u16), instance-id (OBIS), method-id (i8)."""

    class_id: int
    instance_id: Obis
    method_id: int

    def __post_init__(self) -> None:
        check_range("class-id", self.class_id, 0, 0xFFFF)
        if not isinstance(self.instance_id, Obis):
            raise TypeError(f"instance-id must be an Obis, not {type(self.instance_id).__name__}")
        check_range("method-id", self.method_id, -128, 127)

    @classmethod
    def read(cls, reader: Reader) -> Self:
        class_id = reader.u16("cosem-method-descriptor.class-id")
        instance_id = Obis.from_bytes(reader.bytes(6, "cosem-method-descriptor.instance-id"))
        return cls(
            class_id=class_id,
            instance_id=instance_id,
            method_id=reader.i8("cosem-method-descriptor.method-id"),
        )

    def write(self, out: bytearray) -> None:
        out += self.class_id.to_bytes(2, "big")
        out += self.instance_id.to_bytes()
        out += self.method_id.to_bytes(1, "big", signed=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class SelectiveAccessDescriptor:
    """Selective-Access-Descriptor: access-selector (u8) and access-parameters (Data).

    The profile-generic range and entry descriptors (selectors 1 and 2) have typed
    helpers in :mod:`dlmskit.apdu.selective`; any other class's selector travels here
    as plain Data.

    ``raw``, when given, is the A-XDR encoding of ``access_parameters`` and is what
    :meth:`write` sends (the typed views build it directly, which spares encoding the
    value again); it takes no part in equality.
    """

    access_selector: int
    access_parameters: axdr.Value
    raw: bytes | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        check_range("access-selector", self.access_selector, 0, 0xFF)
        if self.raw is not None and type(self.raw) is not bytes:
            raise TypeError(f"raw must be bytes, not {type(self.raw).__name__}")

    @classmethod
    def read(cls, reader: Reader) -> Self:
        selector = reader.u8("selective-access-descriptor.access-selector")
        return cls(access_selector=selector, access_parameters=read_data(reader))

    def write(self, out: bytearray) -> None:
        out.append(self.access_selector)
        raw = self.raw
        out += axdr.encode(self.access_parameters) if raw is None else raw


# -- reading helpers -----------------------------------------------------------------


def read_data(reader: Reader) -> axdr.Value:
    """One tagged A-XDR ``Data`` value."""
    return axdr.read_data(reader)


def read_optional_flag(reader: Reader, what: str) -> bool:
    """An ASN.1 OPTIONAL presence octet in A-XDR: 00 absent, 01 present (else an error)."""
    pos = reader.pos
    flag = reader.u8(f"the presence flag of {what}")
    if flag > 1:
        raise reader.error(f"presence flag of {what} must be 00 or 01, got 0x{flag:02X}", pos)
    return flag == 1


def read_length(reader: Reader, what: str) -> tuple[int, int | None]:
    """An A-XDR length: (value, form) with ``form`` None for the minimal encoding."""
    pos = reader.pos
    if pos < reader.end:
        first = reader.buf[pos]
        if first < 0x80:  # the one-octet form, by far the most common: no helper call
            reader.pos = pos + 1
            return first, None
    length, end, form = axdr.decode_length(reader.buf, reader.pos)
    if end > reader.end:
        raise reader.error(f"the length of {what} runs past the end")
    reader.pos = end
    return length, form


def write_length(out: bytearray, n: int, form: int | None = None) -> None:
    out += axdr.encode_length(n, form)


def read_octets(reader: Reader, what: str) -> tuple[bytes, int | None]:
    """A length-prefixed OCTET STRING (A-XDR): (content, length form)."""
    try:
        n, form = read_length(reader, what)
    except DecodeError as exc:
        raise DecodeError(f"{exc.reason} ({what})", exc.offset) from None
    return reader.bytes(n, what), form


def write_octets(out: bytearray, data: bytes, form: int | None = None) -> None:
    out += axdr.encode_length(len(data), form)
    out += data


# -- constructor checks shared by the APDU families ----------------------------------


def check_type(name: str, value: object, cls: type | tuple[type, ...]) -> None:
    """``TypeError`` naming the field unless ``value`` is an instance of ``cls``."""
    if not isinstance(value, cls):
        expected = cls.__name__ if isinstance(cls, type) else " or ".join(c.__name__ for c in cls)
        raise TypeError(f"{name} must be a {expected}, not {type(value).__name__}")


def check_bool(name: str, value: object) -> None:
    if type(value) is not bool:
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")


def check_data(name: str, value: object) -> None:
    """A field holding one A-XDR Data value (nested values are checked when encoded)."""
    try:
        axdr.data_type_of(value)
    except TypeError:
        raise TypeError(
            f"{name} must be an A-XDR Data value (dlmskit.axdr), not {type(value).__name__}"
        ) from None


def as_tuple(name: str, value: object, types: type | tuple[type, ...]) -> tuple[Any, ...]:
    """A sequence field as a tuple whose items are all of ``types``."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence, not {type(value).__name__}")
    items = tuple(value)
    for index, element in enumerate(items):
        if not isinstance(element, types):
            raise TypeError(f"{name}[{index}] cannot be a {type(element).__name__}")
    return items


def data_tuple(name: str, value: object) -> tuple[axdr.Value, ...]:
    """A sequence of A-XDR Data values as a tuple."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence, not {type(value).__name__}")
    items = tuple(value)
    for index, element in enumerate(items):
        check_data(f"{name}[{index}]", element)
    return items


def read_bool(reader: Reader, what: str) -> bool:
    """An A-XDR BOOLEAN: 00 false, 01 true; other octets are refused (they would not
    re-encode to the same byte)."""
    pos = reader.pos
    octet = reader.u8(what)
    if octet > 1:
        raise reader.error(f"{what} is a BOOLEAN (00 or 01), got 0x{octet:02X}", pos)
    return octet == 1


def as_cosem_date_time(value: bytes | None) -> CosemDateTime | None:
    """A date-time octet string as a COSEM date-time (``None`` if absent or not 12 bytes)."""
    if value is None or len(value) != CosemDateTime.SIZE:
        return None
    return CosemDateTime.from_bytes(value)
