"""Value types shared by several COSEM interface classes (Blue Book, DLMS UA 1000-1).

Each is a frozen dataclass mirroring one Blue Book ``structure {...}``, with
``from_data`` (A-XDR value → typed value, :class:`~dlmskit.errors.DecodeError` naming the
type and field) and ``to_data`` (typed value → A-XDR value), byte-exact for the values a
meter sends. Value types used by one class only live next to that class.

The access rights of an Association LN object list come in three forms (Blue Book
4.4.4, ``object_list``): version 0 with boolean method access, versions 1 and 2 with
enumerated access modes (authenticated variants added), version 3 with bit-mapped modes
(read/write plus authenticated, encrypted and signed request/response). :class:`AccessRights`
holds any of them and answers :meth:`~AccessRights.can_read`, :meth:`~AccessRights.can_write`
and :meth:`~AccessRights.can_execute` whichever form was sent.
"""

# ruff: noqa: RUF009  (kind_field(...) is a dataclass field spec, not a mutable default)
from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag
from typing import Any, Self

from dlmskit import axdr
from dlmskit.apdu.common import OpenIntEnum
from dlmskit.cosem.classes._declare import (
    ANY,
    I8,
    I16,
    OBIS,
    OCTETS,
    U8,
    U16,
    U32,
    Kind,
    ValueStruct,
    array_kind,
    describe_value,
    enum_kind,
    kind_field,
)
from dlmskit.cosem_time import CosemDate, CosemTime
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis

__all__ = [
    "AccessBits",
    "AccessRights",
    "AccessRightsKind",
    "AttributeAccess",
    "AttributeAccessMode",
    "CaptureObjectDefinition",
    "ChoiceKind",
    "DateKind",
    "ExecutionTime",
    "ImageToActivateInfo",
    "MethodAccess",
    "MethodAccessMode",
    "ObjectDefinition",
    "ObjectListElement",
    "ObjectListKind",
    "Script",
    "ScriptAction",
    "ScriptReference",
    "ScriptServiceId",
    "ShortNameAccessRights",
    "ShortNameObjectListElement",
    "TimeKind",
    "ValueDefinition",
]


# ---------------------------------------------------------------------------------------
# Kinds for the date and time octet-strings and CHOICEs of typed alternatives
# ---------------------------------------------------------------------------------------


class DateKind(Kind):
    """``octet-string(5)`` formatted as a COSEM date (4.1.6.1) ↔ :class:`CosemDate`."""

    __slots__ = ()

    def decode(self, value: axdr.Value, where: str) -> Any:
        if isinstance(value, axdr.OctetString) and len(value) == 5:
            return CosemDate.from_bytes(value)
        raise DecodeError(f"{where} must be octet-string(5) (a date), got {describe_value(value)}")

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if not isinstance(obj, CosemDate):
            raise TypeError(f"{where} must be a CosemDate, not {type(obj).__name__}")
        return axdr.OctetString(obj.to_bytes())

    def describe(self) -> str:
        return "octet-string(5) date"


class TimeKind(Kind):
    """``octet-string(4)`` formatted as a COSEM time (4.1.6.1) ↔ :class:`CosemTime`."""

    __slots__ = ()

    def decode(self, value: axdr.Value, where: str) -> Any:
        if isinstance(value, axdr.OctetString) and len(value) == 4:
            return CosemTime.from_bytes(value)
        raise DecodeError(f"{where} must be octet-string(4) (a time), got {describe_value(value)}")

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if not isinstance(obj, CosemTime):
            raise TypeError(f"{where} must be a CosemTime, not {type(obj).__name__}")
        return axdr.OctetString(obj.to_bytes())

    def describe(self) -> str:
        return "octet-string(4) time"


class ChoiceKind(Kind):
    """A CHOICE of typed alternatives: the first that decodes wins.

    The alternatives must be distinguishable on the wire (different A-XDR types) and in
    Python (``encode`` tries them in order too), e.g. an octet-string or a structure.
    """

    __slots__ = ("options",)

    def __init__(self, *options: Kind) -> None:
        if not options:
            raise ValueError("a ChoiceKind needs at least one option")
        self.options = options

    def decode(self, value: axdr.Value, where: str) -> Any:
        for option in self.options:
            try:
                return option.decode(value, where)
            except DecodeError:
                continue
        raise DecodeError(f"{where} must be {self.describe()}, got {describe_value(value)}")

    def encode(self, obj: Any, where: str) -> axdr.Value:
        for option in self.options:
            try:
                return option.encode(obj, where)
            except (TypeError, ValueError):
                continue
        raise TypeError(f"{where} must be {self.describe()}, not {type(obj).__name__}")

    def describe(self) -> str:
        return " or ".join(option.describe() for option in self.options)


DATE = DateKind()
TIME = TimeKind()


# ---------------------------------------------------------------------------------------
# Object references
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureObjectDefinition(ValueStruct):
    """One column of a profile (Blue Book 4.3.6 ``capture_object_definition``).

    ``attribute_index`` 0 captures every attribute; ``data_index`` 0 the whole value, n
    the n-th element of an array/structure value (for a buffer, selective access).
    """

    class_id: int = kind_field(U16)
    logical_name: Obis = kind_field(OBIS)
    attribute_index: int = kind_field(I8)
    data_index: int = kind_field(U16)


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectDefinition(ValueStruct):
    """``structure {class_id, logical_name}`` (Register activation 4.3.5, ...)."""

    class_id: int = kind_field(U16)
    logical_name: Obis = kind_field(OBIS)


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueDefinition(ValueStruct):
    """``value_definition ::= structure {class_id, logical_name, attribute_index}``
    (Register monitor 4.5.6, Limiter 4.5.9, Parameter monitor)."""

    class_id: int = kind_field(U16)
    logical_name: Obis = kind_field(OBIS)
    attribute_index: int = kind_field(I8)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptReference(ValueStruct):
    """``action_item ::= structure {script_logical_name, script_selector}``: which script
    of which Script table to run (Register monitor, Single action schedule, Limiter)."""

    script_logical_name: Obis = kind_field(OBIS)
    script_selector: int = kind_field(U16)


# ---------------------------------------------------------------------------------------
# Script table (class 9, Blue Book 4.5.1)
# ---------------------------------------------------------------------------------------


class ScriptServiceId(OpenIntEnum):
    """``action_specification.service_id``: what the action does."""

    WRITE_ATTRIBUTE = 1
    EXECUTE_METHOD = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptAction(ValueStruct):
    """``action_specification``: write an attribute or execute a method of an object.

    ``index`` is the attribute or method index; ``parameter`` the data written or passed
    (any A-XDR value).
    """

    service_id: ScriptServiceId = kind_field(enum_kind(ScriptServiceId))
    class_id: int = kind_field(U16)
    logical_name: Obis = kind_field(OBIS)
    index: int = kind_field(I8)
    parameter: Any = kind_field(ANY)


@dataclass(frozen=True, slots=True, kw_only=True)
class Script(ValueStruct):
    """``script ::= structure {script_identifier, actions}``; identifier 0 is reserved
    (the empty script)."""

    script_identifier: int = kind_field(U16)
    actions: tuple[ScriptAction, ...] = kind_field(array_kind(ScriptAction))


# ---------------------------------------------------------------------------------------
# Schedules and image transfer
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionTime(ValueStruct):
    """One ``execution_time`` element of a Single action schedule (4.5.7): a time and a
    date, each with wildcards allowed."""

    time: CosemTime = kind_field(TIME)
    date: CosemDate = kind_field(DATE)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageToActivateInfo(ValueStruct):
    """Image transfer ``image_to_activate_info`` element (4.4.6)."""

    image_to_activate_size: int = kind_field(U32)
    image_to_activate_identification: bytes = kind_field(OCTETS)
    image_to_activate_signature: bytes = kind_field(OCTETS)


# ---------------------------------------------------------------------------------------
# Association object lists and access rights (classes 12 and 15)
# ---------------------------------------------------------------------------------------


class AttributeAccessMode(OpenIntEnum):
    """Attribute ``access_mode`` of Association LN versions 0..2 (4..6 from version 1)."""

    NO_ACCESS = 0
    READ_ONLY = 1
    WRITE_ONLY = 2
    READ_AND_WRITE = 3
    AUTHENTICATED_READ_ONLY = 4
    AUTHENTICATED_WRITE_ONLY = 5
    AUTHENTICATED_READ_AND_WRITE = 6


class MethodAccessMode(OpenIntEnum):
    """Method ``access_mode`` of Association LN versions 1 and 2."""

    NO_ACCESS = 0
    ACCESS = 1
    AUTHENTICATED_ACCESS = 2


class AccessBits(IntFlag):
    """Bit-mapped ``access_mode`` of Association LN version 3 (attributes and methods).

    Bit 0 is read access (methods: access), bit 1 write access (attributes only); the
    others require protection of the request and of the response.
    """

    READ = 0x01
    WRITE = 0x02
    AUTHENTICATED_REQUEST = 0x04
    ENCRYPTED_REQUEST = 0x08
    DIGITALLY_SIGNED_REQUEST = 0x10
    AUTHENTICATED_RESPONSE = 0x20
    ENCRYPTED_RESPONSE = 0x40
    DIGITALLY_SIGNED_RESPONSE = 0x80


_READS = frozenset({1, 3, 4, 6})
_WRITES = frozenset({2, 3, 5, 6})


def _form(version: int) -> int:
    """The access-rights form of an Association version: 0, 1 (versions 1-2) or 3."""
    if version <= 0:
        return 0
    return 1 if version < 3 else 3


def _int_field(value: axdr.Value, where: str) -> int:
    if type(value) is not axdr.Integer:
        raise DecodeError(f"{where} must be integer, got {describe_value(value)}")
    return int(value)


def _enum_field(value: axdr.Value, where: str) -> int:
    if type(value) is not axdr.Enum:
        raise DecodeError(f"{where} must be enum, got {describe_value(value)}")
    return int(value)


def _struct(value: axdr.Value, sizes: tuple[int, ...], where: str) -> axdr.Structure:
    if not isinstance(value, axdr.Structure) or len(value) not in sizes:
        expected = " or ".join(str(n) for n in sizes)
        raise DecodeError(
            f"{where} must be a structure of {expected} elements, got {describe_value(value)}"
        )
    return value


def _array(value: axdr.Value, where: str) -> axdr.Array:
    if not isinstance(value, axdr.Array):
        raise DecodeError(f"{where} must be an array, got {describe_value(value)}")
    return value


@dataclass(frozen=True, slots=True)
class AttributeAccess:
    """``attribute_access_item``: an attribute's access mode and the selective-access
    selectors it supports (``None``: null-data, no selective access).

    ``access_mode`` is an :class:`AttributeAccessMode` (versions 0..2) or
    :class:`AccessBits` (version 3). ``short_form``: the item had no ``access_selectors``
    element (the 2-element form some Association SN implementations send).
    """

    attribute_id: int
    access_mode: int
    access_selectors: tuple[int, ...] | None = None
    short_form: bool = False

    def __post_init__(self) -> None:
        axdr.Integer(self.attribute_id)
        axdr.Enum(int(self.access_mode))
        if self.access_selectors is not None:
            for s in self.access_selectors:
                axdr.Integer(s)

    @property
    def readable(self) -> bool:
        """Whether the client may read the attribute (in any protection)."""
        if isinstance(self.access_mode, AccessBits):
            return bool(self.access_mode & AccessBits.READ)
        return int(self.access_mode) in _READS

    @property
    def writable(self) -> bool:
        """Whether the client may write the attribute."""
        if isinstance(self.access_mode, AccessBits):
            return bool(self.access_mode & AccessBits.WRITE)
        return int(self.access_mode) in _WRITES

    @classmethod
    def from_data(cls, value: axdr.Value, version: int = 1, where: str = "attribute") -> Self:
        """Decode an item of an Association of ``version``."""
        item = _struct(value, (3, 2), where)
        mode = _enum_field(item[1], f"{where}.access_mode")
        typed: int = AccessBits(mode) if _form(version) == 3 else AttributeAccessMode(mode)
        selectors: tuple[int, ...] | None = None
        if len(item) == 3 and item[2] is not None:
            selectors = tuple(
                _int_field(s, f"{where}.access_selectors[{i}]")
                for i, s in enumerate(_array(item[2], f"{where}.access_selectors"))
            )
        return cls(_int_field(item[0], f"{where}.attribute_id"), typed, selectors, len(item) == 2)

    def to_data(self) -> axdr.Value:
        """The A-XDR ``attribute_access_item``."""
        head = (axdr.Integer(self.attribute_id), axdr.Enum(int(self.access_mode)))
        if self.short_form:
            return axdr.Structure(head)
        selectors = (
            None
            if self.access_selectors is None
            else axdr.Array(axdr.Integer(s) for s in self.access_selectors)
        )
        return axdr.Structure((*head, selectors))


@dataclass(frozen=True, slots=True)
class MethodAccess:
    """``method_access_item``: ``access_mode`` is a ``bool`` (Association LN version 0),
    a :class:`MethodAccessMode` (versions 1, 2) or :class:`AccessBits` (version 3)."""

    method_id: int
    access_mode: bool | int

    def __post_init__(self) -> None:
        axdr.Integer(self.method_id)
        if not isinstance(self.access_mode, bool):
            axdr.Enum(int(self.access_mode))

    @property
    def executable(self) -> bool:
        """Whether the client may invoke the method."""
        mode = self.access_mode
        if isinstance(mode, bool):
            return mode
        if isinstance(mode, AccessBits):
            return bool(mode & AccessBits.READ)
        return int(mode) in {1, 2}

    @classmethod
    def from_data(cls, value: axdr.Value, version: int = 1, where: str = "method") -> Self:
        """Decode an item; a boolean or an enum mode is accepted in any version (meters
        of version 0 associations send either) and kept as sent."""
        item = _struct(value, (2,), where)
        raw = item[1]
        mode: bool | int
        if isinstance(raw, bool | axdr.Boolean):
            mode = bool(raw)
        else:
            number = _enum_field(raw, f"{where}.access_mode")
            mode = AccessBits(number) if _form(version) == 3 else MethodAccessMode(number)
        return cls(_int_field(item[0], f"{where}.method_id"), mode)

    def to_data(self) -> axdr.Value:
        """The A-XDR ``method_access_item``."""
        mode = self.access_mode
        wire: axdr.Value = axdr.Boolean(mode) if isinstance(mode, bool) else axdr.Enum(int(mode))
        return axdr.Structure((axdr.Integer(self.method_id), wire))


def _rights_of(items: axdr.Value, make: Any, version: int, where: str) -> tuple[Any, ...]:
    return tuple(make(v, version, f"{where}[{i}]") for i, v in enumerate(_array(items, where)))


@dataclass(frozen=True, slots=True)
class AccessRights:
    """``access_right ::= structure {attribute_access, method_access}`` of one object."""

    attributes: tuple[AttributeAccess, ...] = ()
    methods: tuple[MethodAccess, ...] = ()

    @classmethod
    def from_data(cls, value: axdr.Value, version: int = 1, where: str = "AccessRights") -> Self:
        """Decode the access rights of an Association LN of ``version``."""
        pair = _struct(value, (2,), where)
        return cls(
            _rights_of(pair[0], AttributeAccess.from_data, version, f"{where}.attribute_access"),
            _rights_of(pair[1], MethodAccess.from_data, version, f"{where}.method_access"),
        )

    def to_data(self) -> axdr.Value:
        """The A-XDR ``access_right`` structure."""
        return axdr.Structure(
            (
                axdr.Array(a.to_data() for a in self.attributes),
                axdr.Array(m.to_data() for m in self.methods),
            )
        )

    def attribute(self, attribute_id: int) -> AttributeAccess | None:
        """The item of one attribute (``None``: not listed, i.e. no access)."""
        for item in self.attributes:
            if item.attribute_id == attribute_id:
                return item
        return None

    def method(self, method_id: int) -> MethodAccess | None:
        """The item of one method (``None``: not listed)."""
        for item in self.methods:
            if item.method_id == method_id:
                return item
        return None

    def can_read(self, attribute_id: int) -> bool:
        """Whether attribute ``attribute_id`` may be read."""
        item = self.attribute(attribute_id)
        return item is not None and item.readable

    def can_write(self, attribute_id: int) -> bool:
        """Whether attribute ``attribute_id`` may be written."""
        item = self.attribute(attribute_id)
        return item is not None and item.writable

    def can_execute(self, method_id: int) -> bool:
        """Whether method ``method_id`` may be invoked."""
        item = self.method(method_id)
        return item is not None and item.executable


class AccessRightsKind(Kind):
    """The ``access_right`` structure of an Association LN of one version."""

    __slots__ = ("version",)

    def __init__(self, version: int) -> None:
        self.version = version

    def decode(self, value: axdr.Value, where: str) -> Any:
        return AccessRights.from_data(value, self.version, where)

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if not isinstance(obj, AccessRights):
            raise TypeError(f"{where} must be an AccessRights, not {type(obj).__name__}")
        return obj.to_data()

    def describe(self) -> str:
        return f"access_right (Association LN version {self.version})"


@dataclass(frozen=True, slots=True)
class ObjectListElement:
    """``object_list_element`` of an Association LN (4.4.4): one object visible in the
    association, its class version and the client's access rights to it."""

    class_id: int
    version: int
    logical_name: Obis
    access_rights: AccessRights

    def __post_init__(self) -> None:
        axdr.LongUnsigned(self.class_id)
        axdr.Unsigned(self.version)
        if not isinstance(self.logical_name, Obis):
            raise TypeError("logical_name must be an Obis")

    @classmethod
    def from_data(
        cls, value: axdr.Value, association_version: int = 1, where: str = "ObjectListElement"
    ) -> Self:
        """Decode one element of an Association LN of ``association_version``."""
        item = _struct(value, (4,), where)
        class_id = U16.decode(item[0], f"{where}.class_id")
        version = U8.decode(item[1], f"{where}.version")
        logical_name = OBIS.decode(item[2], f"{where}.logical_name")
        rights = AccessRights.from_data(item[3], association_version, f"{where}.access_rights")
        return cls(class_id, version, logical_name, rights)

    def to_data(self) -> axdr.Value:
        """The A-XDR ``object_list_element``."""
        return axdr.Structure(
            (
                axdr.LongUnsigned(self.class_id),
                axdr.Unsigned(self.version),
                axdr.OctetString(self.logical_name.to_bytes()),
                self.access_rights.to_data(),
            )
        )


class ObjectListKind(Kind):
    """``object_list_element`` of an Association LN of one version (also add/remove_object)."""

    __slots__ = ("version",)

    def __init__(self, version: int) -> None:
        self.version = version

    def decode(self, value: axdr.Value, where: str) -> Any:
        return ObjectListElement.from_data(value, self.version, where)

    def encode(self, obj: Any, where: str) -> axdr.Value:
        if not isinstance(obj, ObjectListElement):
            raise TypeError(f"{where} must be an ObjectListElement, not {type(obj).__name__}")
        return obj.to_data()

    def describe(self) -> str:
        return f"object_list_element (Association LN version {self.version})"


@dataclass(frozen=True, slots=True, kw_only=True)
class ShortNameObjectListElement(ValueStruct):
    """``objlist_element`` of an Association SN (4.4.3): the object's base name (the
    short name of attribute 1; attribute n is at base_name + 8·(n-1))."""

    base_name: int = kind_field(I16)
    class_id: int = kind_field(U16)
    version: int = kind_field(U8)
    logical_name: Obis = kind_field(OBIS)

    @property
    def base_address(self) -> int:
        """The base name as the unsigned 16-bit address used in SN services."""
        return self.base_name & 0xFFFF


@dataclass(frozen=True, slots=True)
class ShortNameAccessRights:
    """``access_right`` of an Association SN ``access_rights_list`` element:
    ``structure {base_name long, attribute_access, method_access}``."""

    base_name: int
    rights: AccessRights

    def __post_init__(self) -> None:
        axdr.Long(self.base_name)

    @classmethod
    def from_data(cls, value: axdr.Value, where: str = "ShortNameAccessRights") -> Self:
        """Decode one element (access modes as Association LN version 1 enumerates them)."""
        item = _struct(value, (3,), where)
        base = I16.decode(item[0], f"{where}.base_name")
        rights = AccessRights.from_data(axdr.Structure(item[1:]), 1, where)
        return cls(base, rights)

    def to_data(self) -> axdr.Value:
        """The A-XDR structure."""
        pair = self.rights.to_data()
        assert isinstance(pair, axdr.Structure)
        return axdr.Structure((axdr.Long(self.base_name), *pair))
