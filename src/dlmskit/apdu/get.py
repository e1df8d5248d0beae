"""GET service APDUs, logical name referencing (Green Book 9.5, xDLMS APDU ASN.1).

Tag ``C0`` get-request and ``C4`` get-response are CHOICEs; the octet after the tag picks
the alternative::

    C0 get-request                       C4 get-response
       01 get-request-normal                01 get-response-normal
       02 get-request-next                  02 get-response-with-datablock
       03 get-request-with-list             03 get-response-with-list

Value types shared with the SET and ACTION modules live here too:

- :class:`Data`: the ``data [0] Data`` alternative of Get-Data-Result, a wrapper so that
  "the meter sent this A-XDR value" and "the meter sent this Data-Access-Result" are
  distinct Python types (:class:`~dlmskit.apdu.common.DataAccessResult` is an ``int``,
  and so are the A-XDR integers), and so that an absent OPTIONAL Get-Data-Result
  (``None``) is never confused with a present null-data (``Data(None)``).
- :data:`GetDataResult` = ``Data | DataAccessResult`` (Get-Data-Result CHOICE).
- :class:`CosemAttributeDescriptorWithSelection`, :class:`DataBlockG`.

A-XDR encodes an ASN.1 OPTIONAL as a presence octet (00 absent, 01 present), a CHOICE as
its context number in one octet, a BOOLEAN as one octet (only 00 and 01 are accepted
here; any other octet is a :class:`~dlmskit.errors.DecodeError`), Unsigned32 as four
big-endian octets and a SEQUENCE OF as an A-XDR length (the count) followed by the
items. A count sent in a non-minimal length form is kept in the APDU's
``..._length_form`` field so that it re-encodes unchanged.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, TypeAlias, TypeVar

from dlmskit import axdr
from dlmskit._buffer import Reader
from dlmskit.apdu._base import Apdu, register, register_whole
from dlmskit.apdu.common import (
    ActionResult,
    CosemAttributeDescriptor,
    DataAccessResult,
    InvokeIdAndPriority,
    SelectiveAccessDescriptor,
    check_bool,
    check_data,
    check_range,
    check_type,
    read_bool,
    read_data,
)
from dlmskit.errors import DecodeError

__all__ = [
    "CosemAttributeDescriptorWithSelection",
    "Data",
    "DataBlockG",
    "GetDataResult",
    "GetRequest",
    "GetRequestNext",
    "GetRequestNormal",
    "GetRequestWithList",
    "GetResponse",
    "GetResponseNormal",
    "GetResponseWithDatablock",
    "GetResponseWithList",
]

GET_REQUEST: Final = 0xC0
GET_RESPONSE: Final = 0xC4

_U32: Final = struct.Struct(">I")
_U32_MAX: Final = 0xFFFFFFFF

# Every Data-Access-Result / Action-Result octet, decoded once (enum calls are slow and
# OpenIntEnum makes a fresh pseudo-member for each unnamed value).
_DATA_ACCESS_RESULTS: Final = tuple(DataAccessResult(i) for i in range(256))
_ACTION_RESULTS: Final = tuple(ActionResult(i) for i in range(256))

_T = TypeVar("_T")

# Hot-path helpers (bench/apdu_get.py). Every Invoke-Id-And-Priority octet as a shared
# (immutable) value, and the fixed-size integer Data types by tag, for reading a scalar
# register value without the generic A-XDR decoder.
_INVOKE_IDS: Final = tuple(InvokeIdAndPriority(i) for i in range(256))
_SCALARS: Final[dict[int, tuple[type[int], int, Callable[[bytes, int], tuple[int]]]]] = {
    int(cls.TAG): (cls, (s := struct.Struct(">" + cls.FORMAT)).size, s.unpack_from)
    for cls in (
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
}
_int_new = int.__new__
_object_new = object.__new__
# Cosem-Attribute-Descriptor: class-id, the six OBIS groups, attribute-id.
_ATTRIBUTE_DESCRIPTOR: Final = struct.Struct(">H6Bb")


# ---------------------------------------------------------------------------------------
# Helpers shared by the GET, SET and ACTION modules
# ---------------------------------------------------------------------------------------


def _coerce(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def _data_access_result(name: str, value: object) -> DataAccessResult:
    """A Data-Access-Result from an enum member or a plain int 0..255."""
    if isinstance(value, DataAccessResult):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a DataAccessResult, not {type(value).__name__}")
    check_range(name, value, 0, 0xFF)
    return _DATA_ACCESS_RESULTS[value]


def _action_result(name: str, value: object) -> ActionResult:
    if isinstance(value, ActionResult):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an ActionResult, not {type(value).__name__}")
    check_range(name, value, 0, 0xFF)
    return _ACTION_RESULTS[value]


def _check_length_form(name: str, count: int, form: int | None) -> int | None:
    """Validate the A-XDR length form of a SEQUENCE OF count; the minimal form → None.

    ``form`` is the number of length bytes of a long form (1..4; 0 = short form), as in
    :meth:`dlmskit.axdr.OctetString.with_length_form`.
    """
    if form is None:
        return None
    if isinstance(form, bool) or not isinstance(form, int):
        raise TypeError(f"{name} must be an int or None, not {type(form).__name__}")
    if not 0 <= form <= 4:
        raise ValueError(f"{name} must be 0..4 length bytes (or None), got {form}")
    if form == 0:
        if count >= 0x80:
            raise ValueError(f"{name}: a count of {count} does not fit the short form")
        return None
    if count >= 1 << (8 * form):
        raise ValueError(f"{name}: a count of {count} does not fit {form} length byte(s)")
    minimal = 0 if count < 0x80 else (count.bit_length() + 7) // 8
    return None if form == minimal else form


def _tuple_of(obj: object, field: str, cls: type | tuple[type, ...]) -> tuple[Any, ...]:
    """Coerce the list field ``field`` to a tuple and check the type of every item."""
    value = getattr(obj, field)
    name = field.replace("_", "-")
    if type(value) is not tuple:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise TypeError(f"{name} must be a sequence, not {type(value).__name__}")
        value = tuple(value)
        _coerce(obj, field, value)
    for i, item in enumerate(value):
        if not isinstance(item, cls):
            check_type(f"{name}[{i}]", item, cls)
    return value


def _list_field(obj: object, field: str, cls: type | tuple[type, ...]) -> tuple[Any, ...]:
    """A SEQUENCE OF field: coerced to a tuple, items checked, and its companion
    ``<field>_length_form`` validated (the minimal form becomes ``None``)."""
    items = _tuple_of(obj, field, cls)
    form_field = field + "_length_form"
    form = getattr(obj, form_field)
    if form is not None:
        _coerce(obj, form_field, _check_length_form(form_field.replace("_", "-"), len(items), form))
    return items


def _check_u32(name: str, value: int) -> None:
    check_range(name, value, 0, _U32_MAX)


def _read_optional(reader: Reader, what: str) -> bool:
    """An OPTIONAL presence octet: 00 absent, 01 present."""
    pos = reader.pos
    flag = reader.u8(f"the presence flag of {what}")
    if flag > 1:
        raise reader.error(f"presence flag of {what} must be 00 or 01, got 0x{flag:02X}", pos)
    return flag == 1


def _read_count(reader: Reader, what: str, min_item_size: int) -> tuple[int, int | None]:
    """A SEQUENCE OF count (A-XDR length), checked against the bytes left."""
    pos = reader.pos
    try:
        count, end, form = axdr.decode_length(reader.buf, pos)
    except DecodeError as exc:
        raise reader.error(f"{exc.reason} (the count of {what})", pos) from None
    if end > reader.end:
        raise reader.error(f"the count of {what} runs past the end", pos)
    reader.pos = end
    if count * min_item_size > reader.end - end:
        raise reader.error(
            f"{what} claims {count} item(s), which need at least {count * min_item_size} "
            f"byte(s); {reader.end - end} left",
            pos,
        )
    return count, form


def _write_count(out: bytearray, count: int, form: int | None) -> None:
    if form is None and count < 0x80:
        out.append(count)
    else:
        out += axdr.encode_length(count, form)


def _read_items(
    reader: Reader, what: str, min_item_size: int, read: Callable[[Reader], _T]
) -> tuple[tuple[_T, ...], int | None]:
    count, form = _read_count(reader, what, min_item_size)
    return tuple([read(reader) for _ in range(count)]), form


def _read_u32(reader: Reader, what: str) -> int:
    return reader.u32(what)


def _read_data_access_result(reader: Reader, what: str = "data-access-result") -> DataAccessResult:
    return _DATA_ACCESS_RESULTS[reader.u8(what)]


def _read_action_result(reader: Reader, what: str = "action-result") -> ActionResult:
    return _ACTION_RESULTS[reader.u8(what)]


def _read_access_selection(reader: Reader) -> SelectiveAccessDescriptor | None:
    if _read_optional(reader, "access-selection"):
        return SelectiveAccessDescriptor.read(reader)
    return None


# get-request-normal up to the access-selection flag: tag, choice, invoke id, descriptor.
_GET_NORMAL_HEAD: Final = struct.Struct(">BBBH6Bb")
# "access-selection present" and the selector, for every selector.
_SELECTED: Final = tuple(bytes((1, selector)) for selector in range(256))


def _write_attribute_descriptor(out: bytearray, descriptor: CosemAttributeDescriptor) -> None:
    """The 9 octets of a Cosem-Attribute-Descriptor, in one struct call."""
    out += _ATTRIBUTE_DESCRIPTOR.pack(
        descriptor.class_id, *descriptor.instance_id, descriptor.attribute_id
    )


def _write_access_selection(out: bytearray, selection: SelectiveAccessDescriptor | None) -> None:
    if selection is None:
        out.append(0)
    else:
        out.append(1)
        selection.write(out)


def _unknown_choice(reader: Reader, pos: int, apdu: str, choice: int, known: str) -> DecodeError:
    return reader.error(f"unknown {apdu} choice {choice} (expected {known})", pos)


# ---------------------------------------------------------------------------------------
# Value types
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Data:
    """The ``data [0] Data`` alternative of Get-Data-Result: one A-XDR value.

    ``Data(None)`` is a present null-data; an absent OPTIONAL result is ``None`` itself.
    ``raw`` is the value's A-XDR encoding (not compared, not shown): the bytes it was
    decoded from, or the encoding a server made once and keeps; when present it is what
    goes on the wire. A profile buffer is then typed (client) or sent (server) without
    encoding the value again. Whoever sets it guarantees it encodes ``value``.

    :meth:`lazy` makes one from received bytes whose value is decoded on first use (for
    a caller that reads the raw bytes itself, e.g. a profile parser): equal to the eager
    one; a malformed encoding raises DecodeError when the value is first asked for.
    """

    value: axdr.Value
    raw: bytes | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        check_data("data", self.value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Data):
            return NotImplemented
        return bool(self.value == other.value)

    def __hash__(self) -> int:
        return hash((Data, self.value))

    @staticmethod
    def lazy(raw: bytes) -> Data:
        """A Data whose value is ``axdr.decode(raw)``, decoded when first used."""
        if type(raw) is not bytes:
            raise TypeError(f"raw must be bytes, not {type(raw).__name__}")
        data = _object_new(_LazyData)
        _set_data_raw(data, raw)
        return data


#: Get-Data-Result ::= CHOICE { data [0] Data, data-access-result [1] Data-Access-Result }
GetDataResult: TypeAlias = Data | DataAccessResult


def _check_get_data_result(name: str, value: object) -> None:
    if not isinstance(value, Data | DataAccessResult):
        raise TypeError(
            f"{name} must be a Data or a DataAccessResult (Get-Data-Result), "
            f"not {type(value).__name__}"
        )


def _read_get_data_result(reader: Reader) -> GetDataResult:
    pos = reader.pos
    choice = reader.u8("the Get-Data-Result choice")
    if choice == 0:
        start = reader.pos
        value = read_data(reader)
        return Data(value, reader.buf[start : reader.pos])
    if choice == 1:
        return _DATA_ACCESS_RESULTS[reader.u8("data-access-result")]
    raise reader.error(f"unknown Get-Data-Result choice {choice} (expected 0 or 1)", pos)


def _write_get_data_result(out: bytearray, result: GetDataResult) -> None:
    if isinstance(result, Data):
        out.append(0)
        # The bytes the value was decoded from (or, in a server, encoded once and kept):
        # the value's encoding by definition, so a long buffer is not encoded again.
        out += result.raw if result.raw is not None else axdr.encode(result.value)
    else:
        out.append(1)
        out.append(result)


@dataclass(frozen=True, slots=True, kw_only=True)
class CosemAttributeDescriptorWithSelection:
    """Cosem-Attribute-Descriptor-With-Selection (Green Book 9.5)::

    class-id(2) instance-id(6) attribute-id(1)   cosem-attribute-descriptor
    00 | 01 selector Data                         access-selection OPTIONAL
    """

    cosem_attribute_descriptor: CosemAttributeDescriptor
    access_selection: SelectiveAccessDescriptor | None = None

    def __post_init__(self) -> None:
        check_type(
            "cosem-attribute-descriptor", self.cosem_attribute_descriptor, CosemAttributeDescriptor
        )
        if self.access_selection is not None:
            check_type("access-selection", self.access_selection, SelectiveAccessDescriptor)

    @classmethod
    def read(cls, reader: Reader) -> CosemAttributeDescriptorWithSelection:
        descriptor = CosemAttributeDescriptor.read(reader)
        return cls(
            cosem_attribute_descriptor=descriptor, access_selection=_read_access_selection(reader)
        )

    def write(self, out: bytearray) -> None:
        self.cosem_attribute_descriptor.write(out)
        _write_access_selection(out, self.access_selection)


@dataclass(frozen=True, slots=True, kw_only=True)
class DataBlockG:
    """DataBlock-G, the data block of a GET response (Green Book 9.5)::

        last-block    BOOLEAN      00 | 01
        block-number  Unsigned32   4 octets
        result        CHOICE       00 raw-data: length, octets
                                   01 data-access-result: 1 octet

    ``result`` is an :class:`~dlmskit.axdr.OctetString` (raw-data; a part of the encoded
    Data of the whole response, with its length form kept) or a
    :class:`~dlmskit.apdu.common.DataAccessResult`. Plain ``bytes`` become an OctetString.
    """

    last_block: bool
    block_number: int
    result: axdr.OctetString | DataAccessResult

    def __post_init__(self) -> None:
        check_bool("last-block", self.last_block)
        _check_u32("block-number", self.block_number)
        result = self.result
        if isinstance(result, DataAccessResult):
            return
        if type(result) is bytes:
            _coerce(self, "result", axdr.OctetString(result))
        elif not isinstance(result, axdr.OctetString):
            raise TypeError(
                "result must be an OctetString (raw-data) or a DataAccessResult, "
                f"not {type(result).__name__}"
            )

    @classmethod
    def read(cls, reader: Reader) -> DataBlockG:
        last = read_bool(reader, "last-block")
        number = reader.u32("block-number")
        pos = reader.pos
        choice = reader.u8("the DataBlock-G result choice")
        result: axdr.OctetString | DataAccessResult
        if choice == 0:
            result = _read_raw_data(reader, "raw-data")
        elif choice == 1:
            result = _read_data_access_result(reader)
        else:
            raise reader.error(
                f"unknown DataBlock-G result choice {choice} (expected 0 raw-data or "
                "1 data-access-result)",
                pos,
            )
        return cls(last_block=last, block_number=number, result=result)

    def write(self, out: bytearray) -> None:
        out.append(1 if self.last_block else 0)
        out += _U32.pack(self.block_number)
        result = self.result
        if isinstance(result, DataAccessResult):
            out.append(1)
            out.append(result)
        else:
            out.append(0)
            _write_raw_data(out, result)


def _read_raw_data(reader: Reader, what: str) -> axdr.OctetString:
    """A length-prefixed OCTET STRING, keeping a non-minimal length form."""
    pos = reader.pos
    try:
        n, end, form = axdr.decode_length(reader.buf, pos)
    except DecodeError as exc:
        raise reader.error(f"{exc.reason} (the length of {what})", pos) from None
    if end > reader.end:
        raise reader.error(f"the length of {what} runs past the end", pos)
    reader.pos = end
    raw = axdr.OctetString(reader.bytes(n, what))
    return raw if form is None else raw.with_length_form(form)


def _write_raw_data(out: bytearray, raw: axdr.OctetString) -> None:
    _write_count(out, len(raw), raw.length_form)
    out += raw


# ---------------------------------------------------------------------------------------
# GET-Request (tag C0)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class GetRequestNormal(Apdu):
    """get-request-normal::

    C0 01  invoke-id-and-priority(1)
           class-id(2) instance-id(6) attribute-id(1)
           00 | 01 access-selector(1) access-parameters(Data)
    """

    TAG: ClassVar[int] = GET_REQUEST
    NAME: ClassVar[str] = "get-request-normal"
    CHOICE: ClassVar[int] = 1

    invoke_id_and_priority: InvokeIdAndPriority
    cosem_attribute_descriptor: CosemAttributeDescriptor
    access_selection: SelectiveAccessDescriptor | None = None

    def __post_init__(self) -> None:
        if (
            type(self.invoke_id_and_priority) is InvokeIdAndPriority
            and type(self.cosem_attribute_descriptor) is CosemAttributeDescriptor
            and (
                self.access_selection is None
                or type(self.access_selection) is SelectiveAccessDescriptor
            )
        ):
            return  # the usual case, checked at once
        check_type("invoke-id-and-priority", self.invoke_id_and_priority, InvokeIdAndPriority)
        check_type(
            "cosem-attribute-descriptor", self.cosem_attribute_descriptor, CosemAttributeDescriptor
        )
        if self.access_selection is not None:
            check_type("access-selection", self.access_selection, SelectiveAccessDescriptor)

    def write(self, out: bytearray) -> None:
        out += self.to_bytes()

    def to_bytes(self) -> bytes:
        # The commonest request of all, in one struct call and one join.
        descriptor = self.cosem_attribute_descriptor
        head = _GET_NORMAL_HEAD.pack(
            GET_REQUEST,
            1,
            self.invoke_id_and_priority.value,
            descriptor.class_id,
            *descriptor.instance_id,
            descriptor.attribute_id,
        )
        selection = self.access_selection
        if selection is None:
            return head + b"\x00"
        raw = selection.raw
        if raw is None:
            raw = axdr.encode(selection.access_parameters)
        return b"".join((head, _SELECTED[selection.access_selector], raw))


@dataclass(frozen=True, slots=True, kw_only=True)
class GetRequestNext(Apdu):
    """get-request-next: ``C0 02 invoke-id-and-priority(1) block-number(4)``."""

    TAG: ClassVar[int] = GET_REQUEST
    NAME: ClassVar[str] = "get-request-next"
    CHOICE: ClassVar[int] = 2

    invoke_id_and_priority: InvokeIdAndPriority
    block_number: int

    def __post_init__(self) -> None:
        check_type("invoke-id-and-priority", self.invoke_id_and_priority, InvokeIdAndPriority)
        _check_u32("block-number", self.block_number)

    def write(self, out: bytearray) -> None:
        out.append(GET_REQUEST)
        out.append(2)
        out.append(self.invoke_id_and_priority.value)
        out += _U32.pack(self.block_number)


@dataclass(frozen=True, slots=True, kw_only=True)
class GetRequestWithList(Apdu):
    """get-request-with-list::

    C0 03  invoke-id-and-priority(1)
           count (A-XDR length)
           count × Cosem-Attribute-Descriptor-With-Selection
    """

    TAG: ClassVar[int] = GET_REQUEST
    NAME: ClassVar[str] = "get-request-with-list"
    CHOICE: ClassVar[int] = 3

    invoke_id_and_priority: InvokeIdAndPriority
    attribute_descriptor_list: tuple[CosemAttributeDescriptorWithSelection, ...]
    attribute_descriptor_list_length_form: int | None = None

    def __post_init__(self) -> None:
        check_type("invoke-id-and-priority", self.invoke_id_and_priority, InvokeIdAndPriority)
        _list_field(self, "attribute_descriptor_list", CosemAttributeDescriptorWithSelection)

    def write(self, out: bytearray) -> None:
        out.append(GET_REQUEST)
        out.append(3)
        out.append(self.invoke_id_and_priority.value)
        items = self.attribute_descriptor_list
        _write_count(out, len(items), self.attribute_descriptor_list_length_form)
        for item in items:
            item.write(out)


GetRequest: TypeAlias = GetRequestNormal | GetRequestNext | GetRequestWithList

# A Cosem-Attribute-Descriptor-With-Selection takes at least 10 octets.
_DESCRIPTOR_WITH_SELECTION_MIN: Final = 10


@register(GET_REQUEST, "get-request")
def _decode_get_request(reader: Reader) -> Apdu:
    pos = reader.pos
    choice = reader.u8("the get-request choice")
    if not 1 <= choice <= 3:
        raise _unknown_choice(reader, pos, "get-request", choice, "1..3")
    iip = _INVOKE_IDS[reader.u8("invoke-id-and-priority")]
    if choice == 1:
        descriptor = CosemAttributeDescriptor.read(reader)
        return GetRequestNormal(
            invoke_id_and_priority=iip,
            cosem_attribute_descriptor=descriptor,
            access_selection=_read_access_selection(reader),
        )
    if choice == 2:
        return GetRequestNext(invoke_id_and_priority=iip, block_number=reader.u32("block-number"))
    items, form = _read_items(
        reader,
        "attribute-descriptor-list",
        _DESCRIPTOR_WITH_SELECTION_MIN,
        CosemAttributeDescriptorWithSelection.read,
    )
    return GetRequestWithList(
        invoke_id_and_priority=iip,
        attribute_descriptor_list=items,
        attribute_descriptor_list_length_form=form,
    )


# ---------------------------------------------------------------------------------------
# GET-Response (tag C4)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class GetResponseNormal(Apdu):
    """get-response-normal::

    C4 01  invoke-id-and-priority(1)
           00 Data                      result: data
         | 01 data-access-result(1)     result: data-access-result
    """

    TAG: ClassVar[int] = GET_RESPONSE
    NAME: ClassVar[str] = "get-response-normal"
    CHOICE: ClassVar[int] = 1

    invoke_id_and_priority: InvokeIdAndPriority
    result: GetDataResult

    def __post_init__(self) -> None:
        check_type("invoke-id-and-priority", self.invoke_id_and_priority, InvokeIdAndPriority)
        _check_get_data_result("result", self.result)

    def write(self, out: bytearray) -> None:
        out.append(GET_RESPONSE)
        out.append(1)
        out.append(self.invoke_id_and_priority.value)
        _write_get_data_result(out, self.result)


@dataclass(frozen=True, slots=True, kw_only=True)
class GetResponseWithDatablock(Apdu):
    """get-response-with-datablock: ``C4 02 invoke-id-and-priority(1) DataBlock-G``."""

    TAG: ClassVar[int] = GET_RESPONSE
    NAME: ClassVar[str] = "get-response-with-datablock"
    CHOICE: ClassVar[int] = 2

    invoke_id_and_priority: InvokeIdAndPriority
    result: DataBlockG

    def __post_init__(self) -> None:
        check_type("invoke-id-and-priority", self.invoke_id_and_priority, InvokeIdAndPriority)
        check_type("result", self.result, DataBlockG)

    def write(self, out: bytearray) -> None:
        out.append(GET_RESPONSE)
        out.append(2)
        out.append(self.invoke_id_and_priority.value)
        self.result.write(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class GetResponseWithList(Apdu):
    """get-response-with-list::

    C4 03  invoke-id-and-priority(1)
           count (A-XDR length)
           count × Get-Data-Result (00 Data | 01 data-access-result)
    """

    TAG: ClassVar[int] = GET_RESPONSE
    NAME: ClassVar[str] = "get-response-with-list"
    CHOICE: ClassVar[int] = 3

    invoke_id_and_priority: InvokeIdAndPriority
    result: tuple[GetDataResult, ...]
    result_length_form: int | None = None

    def __post_init__(self) -> None:
        check_type("invoke-id-and-priority", self.invoke_id_and_priority, InvokeIdAndPriority)
        _list_field(self, "result", (Data, DataAccessResult))

    def write(self, out: bytearray) -> None:
        out.append(GET_RESPONSE)
        out.append(3)
        out.append(self.invoke_id_and_priority.value)
        _write_count(out, len(self.result), self.result_length_form)
        for item in self.result:
            _write_get_data_result(out, item)


GetResponse: TypeAlias = GetResponseNormal | GetResponseWithDatablock | GetResponseWithList

# The slot setters of the frozen classes built on the decoding hot path.
_set_data_value: Final = Data.__dict__["value"].__set__
_set_data_raw: Final = Data.__dict__["raw"].__set__
_get_data_value: Final = Data.__dict__["value"].__get__


class _LazyData(Data):
    """A :class:`Data` built by :meth:`Data.lazy`: the value slot is filled on first use."""

    __slots__ = ()

    @property
    def value(self) -> axdr.Value:
        try:
            return _get_data_value(self)  # type: ignore[no-any-return]
        except AttributeError:
            raw = self.raw
            assert raw is not None
            decoded = axdr.decode(raw)
            _set_data_value(self, decoded)
            return decoded

    @value.setter
    def value(self, value: axdr.Value) -> None:
        # Only object.__setattr__ gets here (the class is frozen): the dataclass
        # __init__ of dataclasses.replace, copy and unpickling.
        _set_data_value(self, value)

    def __repr__(self) -> str:
        return f"Data(value={self.value!r})"


_set_response_invoke_id: Final = GetResponseNormal.__dict__["invoke_id_and_priority"].__set__
_set_response_result: Final = GetResponseNormal.__dict__["result"].__set__


@register(GET_RESPONSE, "get-response")
def _decode_get_response(reader: Reader) -> Apdu:
    pos = reader.pos
    buf = reader.buf
    end = reader.end
    if pos + 3 < end and buf[pos] == 1 and buf[pos + 2] == 0:
        # get-response-normal with data, the answer to every attribute read. A
        # fixed-size integer (a register value) is read here directly, anything else by
        # the A-XDR decoder; the two values are built without re-validating what was
        # just decoded (valid by construction; both classes are frozen).
        value: Any
        apdu: Any
        scalar = _SCALARS.get(buf[pos + 3])
        if scalar is not None and pos + 4 + scalar[1] <= end:
            cls, size, unpack = scalar
            value = _int_new(cls, unpack(buf, pos + 4)[0])
            reader.pos = pos + 4 + size
        else:
            reader.pos = pos + 3
            value = read_data(reader)
        data = _object_new(Data)
        _set_data_value(data, value)
        _set_data_raw(data, buf[pos + 3 : reader.pos])
        apdu = _object_new(GetResponseNormal)
        _set_response_invoke_id(apdu, _INVOKE_IDS[buf[pos + 1]])
        _set_response_result(apdu, data)
        return apdu  # type: ignore[no-any-return]
    choice = reader.u8("the get-response choice")
    if not 1 <= choice <= 3:
        raise _unknown_choice(reader, pos, "get-response", choice, "1..3")
    iip = _INVOKE_IDS[reader.u8("invoke-id-and-priority")]
    if choice == 1:
        return GetResponseNormal(invoke_id_and_priority=iip, result=_read_get_data_result(reader))
    if choice == 2:
        return GetResponseWithDatablock(invoke_id_and_priority=iip, result=DataBlockG.read(reader))
    # A Get-Data-Result takes at least 2 octets (choice + data tag or result).
    items, form = _read_items(reader, "the result list", 2, _read_get_data_result)
    return GetResponseWithList(invoke_id_and_priority=iip, result=items, result_length_form=form)


@register_whole(GET_RESPONSE)
def _whole_get_response_scalar(data: bytes) -> Apdu | None:
    """``C4 01 iip 00 <integer tag> <value>``: one register value, the commonest answer of
    all, read without a Reader (the same APDU :func:`_decode_get_response` returns)."""
    if len(data) < 6 or data[1] != 1 or data[3] != 0:
        return None
    scalar = _SCALARS.get(data[4])
    if scalar is None or len(data) != 5 + scalar[1]:
        return None
    cls, _, unpack = scalar
    result = _object_new(Data)
    _set_data_value(result, _int_new(cls, unpack(data, 5)[0]))
    _set_data_raw(result, data[4:])
    apdu = _object_new(GetResponseNormal)
    _set_response_invoke_id(apdu, _INVOKE_IDS[data[2]])
    _set_response_result(apdu, result)
    return apdu


def lazy_get_response_normal(data: bytes) -> GetResponseNormal:
    """``C4 01 iip 00 <Data>`` with the Data kept undecoded (:meth:`Data.lazy`): for a
    caller that reads the raw bytes itself. The caller checked the first four octets."""
    if len(data) < 5 or data[0] != GET_RESPONSE or data[1] != 1 or data[3] != 0:
        raise DecodeError("get-response: not a get-response-normal carrying data", 0)
    apdu = _object_new(GetResponseNormal)
    _set_response_invoke_id(apdu, _INVOKE_IDS[data[2]])
    _set_response_result(apdu, Data.lazy(data[4:]))
    return apdu
