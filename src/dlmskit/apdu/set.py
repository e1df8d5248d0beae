"""SET service APDUs, logical name referencing (Green Book 9.5, xDLMS APDU ASN.1).

Tag ``C1`` set-request and ``C5`` set-response are CHOICEs; the octet after the tag picks
the alternative::

    C1 set-request                                  C5 set-response
       01 set-request-normal                           01 set-response-normal
       02 set-request-with-first-datablock             02 set-response-datablock
       03 set-request-with-datablock                   03 set-response-last-datablock
       04 set-request-with-list                        04 set-response-last-datablock-with-list
       05 set-request-with-list-and-first-datablock    05 set-response-with-list

:class:`DataBlockSA` (the data block of SET requests and of ACTION requests and
responses) is defined here. The A-XDR conventions (OPTIONAL, BOOLEAN, SEQUENCE OF counts
and their kept length forms) are those described in :mod:`dlmskit.apdu.get`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final, TypeAlias

from dlmskit import axdr
from dlmskit._buffer import Reader
from dlmskit.apdu._base import Apdu, register
from dlmskit.apdu.common import (
    CosemAttributeDescriptor,
    DataAccessResult,
    InvokeIdAndPriority,
    SelectiveAccessDescriptor,
    check_bool,
    check_data,
    check_type,
    read_bool,
    read_data,
)
from dlmskit.apdu.get import (
    _INVOKE_IDS,
    _U32,
    CosemAttributeDescriptorWithSelection,
    _check_u32,
    _coerce,
    _data_access_result,
    _list_field,
    _read_access_selection,
    _read_count,
    _read_data_access_result,
    _read_items,
    _read_raw_data,
    _unknown_choice,
    _write_access_selection,
    _write_count,
    _write_raw_data,
)

__all__ = [
    "DataBlockSA",
    "SetRequest",
    "SetRequestNormal",
    "SetRequestWithDatablock",
    "SetRequestWithFirstDatablock",
    "SetRequestWithList",
    "SetRequestWithListAndFirstDatablock",
    "SetResponse",
    "SetResponseDatablock",
    "SetResponseLastDatablock",
    "SetResponseLastDatablockWithList",
    "SetResponseNormal",
    "SetResponseWithList",
]

SET_REQUEST: Final = 0xC1
SET_RESPONSE: Final = 0xC5

# Smallest encodings, for bounding SEQUENCE OF counts before reading the items.
_DESCRIPTOR_WITH_SELECTION_MIN: Final = 10
_DATA_MIN: Final = 1
_RESULT_SIZE: Final = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class DataBlockSA:
    """DataBlock-SA, the data block of SET requests and ACTION requests/responses::

        last-block    BOOLEAN      00 | 01
        block-number  Unsigned32   4 octets
        raw-data      OCTET STRING length, octets

    (Green Book 9.5.) ``raw_data`` is a part of the encoded Data being transferred; its
    length form is kept. Plain ``bytes`` become an :class:`~dlmskit.axdr.OctetString`.
    """

    last_block: bool
    block_number: int
    raw_data: axdr.OctetString

    def __post_init__(self) -> None:
        check_bool("last-block", self.last_block)
        _check_u32("block-number", self.block_number)
        if type(self.raw_data) is bytes:
            _coerce(self, "raw_data", axdr.OctetString(self.raw_data))
        else:
            check_type("raw-data", self.raw_data, axdr.OctetString)

    @classmethod
    def read(cls, reader: Reader) -> DataBlockSA:
        last = read_bool(reader, "last-block")
        number = reader.u32("block-number")
        return cls(
            last_block=last, block_number=number, raw_data=_read_raw_data(reader, "raw-data")
        )

    def write(self, out: bytearray) -> None:
        out.append(1 if self.last_block else 0)
        out += _U32.pack(self.block_number)
        _write_raw_data(out, self.raw_data)


def _check_iip(value: object) -> None:
    check_type("invoke-id-and-priority", value, InvokeIdAndPriority)


# ---------------------------------------------------------------------------------------
# SET-Request (tag C1)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRequestNormal(Apdu):
    """set-request-normal::

    C1 01  invoke-id-and-priority(1)
           class-id(2) instance-id(6) attribute-id(1)
           00 | 01 access-selector(1) access-parameters(Data)
           value (Data)
    """

    TAG: ClassVar[int] = SET_REQUEST
    NAME: ClassVar[str] = "set-request-normal"
    CHOICE: ClassVar[int] = 1

    invoke_id_and_priority: InvokeIdAndPriority
    cosem_attribute_descriptor: CosemAttributeDescriptor
    access_selection: SelectiveAccessDescriptor | None = None
    value: axdr.Value

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        check_type(
            "cosem-attribute-descriptor", self.cosem_attribute_descriptor, CosemAttributeDescriptor
        )
        if self.access_selection is not None:
            check_type("access-selection", self.access_selection, SelectiveAccessDescriptor)
        check_data("value", self.value)

    def write(self, out: bytearray) -> None:
        out += b"\xc1\x01"
        out.append(self.invoke_id_and_priority.value)
        self.cosem_attribute_descriptor.write(out)
        _write_access_selection(out, self.access_selection)
        out += axdr.encode(self.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRequestWithFirstDatablock(Apdu):
    """set-request-with-first-datablock::

    C1 02  invoke-id-and-priority(1)
           class-id(2) instance-id(6) attribute-id(1)
           00 | 01 access-selector(1) access-parameters(Data)
           DataBlock-SA
    """

    TAG: ClassVar[int] = SET_REQUEST
    NAME: ClassVar[str] = "set-request-with-first-datablock"
    CHOICE: ClassVar[int] = 2

    invoke_id_and_priority: InvokeIdAndPriority
    cosem_attribute_descriptor: CosemAttributeDescriptor
    access_selection: SelectiveAccessDescriptor | None = None
    datablock: DataBlockSA

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        check_type(
            "cosem-attribute-descriptor", self.cosem_attribute_descriptor, CosemAttributeDescriptor
        )
        if self.access_selection is not None:
            check_type("access-selection", self.access_selection, SelectiveAccessDescriptor)
        check_type("datablock", self.datablock, DataBlockSA)

    def write(self, out: bytearray) -> None:
        out += b"\xc1\x02"
        out.append(self.invoke_id_and_priority.value)
        self.cosem_attribute_descriptor.write(out)
        _write_access_selection(out, self.access_selection)
        self.datablock.write(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRequestWithDatablock(Apdu):
    """set-request-with-datablock: ``C1 03 invoke-id-and-priority(1) DataBlock-SA``."""

    TAG: ClassVar[int] = SET_REQUEST
    NAME: ClassVar[str] = "set-request-with-datablock"
    CHOICE: ClassVar[int] = 3

    invoke_id_and_priority: InvokeIdAndPriority
    datablock: DataBlockSA

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        check_type("datablock", self.datablock, DataBlockSA)

    def write(self, out: bytearray) -> None:
        out += b"\xc1\x03"
        out.append(self.invoke_id_and_priority.value)
        self.datablock.write(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRequestWithList(Apdu):
    """set-request-with-list::

        C1 04  invoke-id-and-priority(1)
               n (A-XDR length)  n × Cosem-Attribute-Descriptor-With-Selection
               n (A-XDR length)  n × Data                       value-list

    Both lists have the same number of items.
    """

    TAG: ClassVar[int] = SET_REQUEST
    NAME: ClassVar[str] = "set-request-with-list"
    CHOICE: ClassVar[int] = 4

    invoke_id_and_priority: InvokeIdAndPriority
    attribute_descriptor_list: tuple[CosemAttributeDescriptorWithSelection, ...]
    value_list: tuple[axdr.Value, ...]
    attribute_descriptor_list_length_form: int | None = None
    value_list_length_form: int | None = None

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        descriptors = _list_field(
            self, "attribute_descriptor_list", CosemAttributeDescriptorWithSelection
        )
        values = _list_field(self, "value_list", object)
        for i, value in enumerate(values):
            check_data(f"value-list[{i}]", value)
        if len(descriptors) != len(values):
            raise ValueError(
                f"attribute-descriptor-list has {len(descriptors)} item(s) but value-list "
                f"has {len(values)}: they must be equal"
            )

    def write(self, out: bytearray) -> None:
        out += b"\xc1\x04"
        out.append(self.invoke_id_and_priority.value)
        _write_count(
            out, len(self.attribute_descriptor_list), self.attribute_descriptor_list_length_form
        )
        for item in self.attribute_descriptor_list:
            item.write(out)
        _write_count(out, len(self.value_list), self.value_list_length_form)
        for value in self.value_list:
            out += axdr.encode(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRequestWithListAndFirstDatablock(Apdu):
    """set-request-with-list-and-first-datablock::

    C1 05  invoke-id-and-priority(1)
           n (A-XDR length)  n × Cosem-Attribute-Descriptor-With-Selection
           DataBlock-SA
    """

    TAG: ClassVar[int] = SET_REQUEST
    NAME: ClassVar[str] = "set-request-with-list-and-first-datablock"
    CHOICE: ClassVar[int] = 5

    invoke_id_and_priority: InvokeIdAndPriority
    attribute_descriptor_list: tuple[CosemAttributeDescriptorWithSelection, ...]
    datablock: DataBlockSA
    attribute_descriptor_list_length_form: int | None = None

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        _list_field(self, "attribute_descriptor_list", CosemAttributeDescriptorWithSelection)
        check_type("datablock", self.datablock, DataBlockSA)

    def write(self, out: bytearray) -> None:
        out += b"\xc1\x05"
        out.append(self.invoke_id_and_priority.value)
        _write_count(
            out, len(self.attribute_descriptor_list), self.attribute_descriptor_list_length_form
        )
        for item in self.attribute_descriptor_list:
            item.write(out)
        self.datablock.write(out)


SetRequest: TypeAlias = (
    SetRequestNormal
    | SetRequestWithFirstDatablock
    | SetRequestWithDatablock
    | SetRequestWithList
    | SetRequestWithListAndFirstDatablock
)


@register(SET_REQUEST, "set-request")
def _decode_set_request(reader: Reader) -> Apdu:
    pos = reader.pos
    choice = reader.u8("the set-request choice")
    if not 1 <= choice <= 5:
        raise _unknown_choice(reader, pos, "set-request", choice, "1..5")
    iip = _INVOKE_IDS[reader.u8("invoke-id-and-priority")]
    if choice in {1, 2}:
        descriptor = CosemAttributeDescriptor.read(reader)
        selection = _read_access_selection(reader)
        if choice == 1:
            return SetRequestNormal(
                invoke_id_and_priority=iip,
                cosem_attribute_descriptor=descriptor,
                access_selection=selection,
                value=read_data(reader),
            )
        return SetRequestWithFirstDatablock(
            invoke_id_and_priority=iip,
            cosem_attribute_descriptor=descriptor,
            access_selection=selection,
            datablock=DataBlockSA.read(reader),
        )
    if choice == 3:
        return SetRequestWithDatablock(
            invoke_id_and_priority=iip, datablock=DataBlockSA.read(reader)
        )
    descriptors, form = _read_items(
        reader,
        "attribute-descriptor-list",
        _DESCRIPTOR_WITH_SELECTION_MIN,
        CosemAttributeDescriptorWithSelection.read,
    )
    if choice == 5:
        return SetRequestWithListAndFirstDatablock(
            invoke_id_and_priority=iip,
            attribute_descriptor_list=descriptors,
            datablock=DataBlockSA.read(reader),
            attribute_descriptor_list_length_form=form,
        )
    count_pos = reader.pos
    count, values_form = _read_count(reader, "value-list", _DATA_MIN)
    if count != len(descriptors):
        raise reader.error(
            f"value-list has {count} item(s) but attribute-descriptor-list has "
            f"{len(descriptors)}: they must be equal",
            count_pos,
        )
    values = tuple([read_data(reader) for _ in range(count)])
    return SetRequestWithList(
        invoke_id_and_priority=iip,
        attribute_descriptor_list=descriptors,
        value_list=values,
        attribute_descriptor_list_length_form=form,
        value_list_length_form=values_form,
    )


# ---------------------------------------------------------------------------------------
# SET-Response (tag C5)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SetResponseNormal(Apdu):
    """set-response-normal: ``C5 01 invoke-id-and-priority(1) result(1)``.

    ``result`` is a Data-Access-Result (a plain int 0..255 is converted).
    """

    TAG: ClassVar[int] = SET_RESPONSE
    NAME: ClassVar[str] = "set-response-normal"
    CHOICE: ClassVar[int] = 1

    invoke_id_and_priority: InvokeIdAndPriority
    result: DataAccessResult

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        _coerce(self, "result", _data_access_result("result", self.result))

    def write(self, out: bytearray) -> None:
        out += b"\xc5\x01"
        out.append(self.invoke_id_and_priority.value)
        out.append(self.result)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetResponseDatablock(Apdu):
    """set-response-datablock: ``C5 02 invoke-id-and-priority(1) block-number(4)``."""

    TAG: ClassVar[int] = SET_RESPONSE
    NAME: ClassVar[str] = "set-response-datablock"
    CHOICE: ClassVar[int] = 2

    invoke_id_and_priority: InvokeIdAndPriority
    block_number: int

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        _check_u32("block-number", self.block_number)

    def write(self, out: bytearray) -> None:
        out += b"\xc5\x02"
        out.append(self.invoke_id_and_priority.value)
        out += _U32.pack(self.block_number)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetResponseLastDatablock(Apdu):
    """set-response-last-datablock: ``C5 03 invoke-id-and-priority(1) result(1)
    block-number(4)``."""

    TAG: ClassVar[int] = SET_RESPONSE
    NAME: ClassVar[str] = "set-response-last-datablock"
    CHOICE: ClassVar[int] = 3

    invoke_id_and_priority: InvokeIdAndPriority
    result: DataAccessResult
    block_number: int

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        _coerce(self, "result", _data_access_result("result", self.result))
        _check_u32("block-number", self.block_number)

    def write(self, out: bytearray) -> None:
        out += b"\xc5\x03"
        out.append(self.invoke_id_and_priority.value)
        out.append(self.result)
        out += _U32.pack(self.block_number)


def _result_list(obj: object) -> None:
    """Coerce a ``result`` SEQUENCE OF Data-Access-Result (plain ints accepted)."""
    items = _list_field(obj, "result", int)
    if any(type(v) is not DataAccessResult for v in items):
        converted = tuple(_data_access_result(f"result[{i}]", v) for i, v in enumerate(items))
        _coerce(obj, "result", converted)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetResponseLastDatablockWithList(Apdu):
    """set-response-last-datablock-with-list::

    C5 04  invoke-id-and-priority(1)
           n (A-XDR length)  n × result(1)      Data-Access-Result
           block-number(4)
    """

    TAG: ClassVar[int] = SET_RESPONSE
    NAME: ClassVar[str] = "set-response-last-datablock-with-list"
    CHOICE: ClassVar[int] = 4

    invoke_id_and_priority: InvokeIdAndPriority
    result: tuple[DataAccessResult, ...]
    block_number: int
    result_length_form: int | None = None

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        _result_list(self)
        _check_u32("block-number", self.block_number)

    def write(self, out: bytearray) -> None:
        out += b"\xc5\x04"
        out.append(self.invoke_id_and_priority.value)
        _write_count(out, len(self.result), self.result_length_form)
        out += bytes(self.result)
        out += _U32.pack(self.block_number)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetResponseWithList(Apdu):
    """set-response-with-list::

    C5 05  invoke-id-and-priority(1)
           n (A-XDR length)  n × result(1)      Data-Access-Result
    """

    TAG: ClassVar[int] = SET_RESPONSE
    NAME: ClassVar[str] = "set-response-with-list"
    CHOICE: ClassVar[int] = 5

    invoke_id_and_priority: InvokeIdAndPriority
    result: tuple[DataAccessResult, ...]
    result_length_form: int | None = None

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        _result_list(self)

    def write(self, out: bytearray) -> None:
        out += b"\xc5\x05"
        out.append(self.invoke_id_and_priority.value)
        _write_count(out, len(self.result), self.result_length_form)
        out += bytes(self.result)


SetResponse: TypeAlias = (
    SetResponseNormal
    | SetResponseDatablock
    | SetResponseLastDatablock
    | SetResponseLastDatablockWithList
    | SetResponseWithList
)


@register(SET_RESPONSE, "set-response")
def _decode_set_response(reader: Reader) -> Apdu:
    pos = reader.pos
    choice = reader.u8("the set-response choice")
    if not 1 <= choice <= 5:
        raise _unknown_choice(reader, pos, "set-response", choice, "1..5")
    iip = _INVOKE_IDS[reader.u8("invoke-id-and-priority")]
    if choice == 1:
        return SetResponseNormal(
            invoke_id_and_priority=iip, result=_read_data_access_result(reader)
        )
    if choice == 2:
        return SetResponseDatablock(
            invoke_id_and_priority=iip, block_number=reader.u32("block-number")
        )
    if choice == 3:
        result = _read_data_access_result(reader)
        return SetResponseLastDatablock(
            invoke_id_and_priority=iip, result=result, block_number=reader.u32("block-number")
        )
    results, form = _read_items(reader, "the result list", _RESULT_SIZE, _read_data_access_result)
    if choice == 4:
        return SetResponseLastDatablockWithList(
            invoke_id_and_priority=iip,
            result=results,
            block_number=reader.u32("block-number"),
            result_length_form=form,
        )
    return SetResponseWithList(invoke_id_and_priority=iip, result=results, result_length_form=form)
