"""ACTION service APDUs, logical name referencing (Green Book 9.5, xDLMS APDU ASN.1).

Tag ``C3`` action-request and ``C7`` action-response are CHOICEs; the octet after the
tag picks the alternative::

    C3 action-request                               C7 action-response
       01 action-request-normal                        01 action-response-normal
       02 action-request-next-pblock                   02 action-response-with-pblock
       03 action-request-with-list                     03 action-response-with-list
       04 action-request-with-first-pblock             04 action-response-next-pblock
       05 action-request-with-list-and-first-pblock
       06 action-request-with-pblock

(Choice numbers as in the Green Book ASN.1 and Gurux's ``ActionRequestType`` /
``ActionResponseType``.) The optional method-invocation-parameters of an
action-request-normal and the optional return-parameters of an
Action-Response-With-Optional-Data use :class:`~dlmskit.apdu.get.Data` for the present
value, so that ``None`` (absent) and ``Data(None)`` (a present null-data) differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final, TypeAlias

from dlmskit import axdr
from dlmskit._buffer import Reader
from dlmskit.apdu._base import Apdu, register
from dlmskit.apdu.common import (
    ActionResult,
    CosemMethodDescriptor,
    InvokeIdAndPriority,
    check_data,
    check_type,
    read_data,
)
from dlmskit.apdu.get import (
    _INVOKE_IDS,
    _U32,
    Data,
    GetDataResult,
    _action_result,
    _check_get_data_result,
    _check_u32,
    _coerce,
    _list_field,
    _read_action_result,
    _read_count,
    _read_get_data_result,
    _read_items,
    _read_optional,
    _unknown_choice,
    _write_count,
    _write_get_data_result,
)
from dlmskit.apdu.set import DataBlockSA

__all__ = [
    "ActionRequest",
    "ActionRequestNextPblock",
    "ActionRequestNormal",
    "ActionRequestWithFirstPblock",
    "ActionRequestWithList",
    "ActionRequestWithListAndFirstPblock",
    "ActionRequestWithPblock",
    "ActionResponse",
    "ActionResponseNextPblock",
    "ActionResponseNormal",
    "ActionResponseWithList",
    "ActionResponseWithOptionalData",
    "ActionResponseWithPblock",
]

ACTION_REQUEST: Final = 0xC3
ACTION_RESPONSE: Final = 0xC7

_METHOD_DESCRIPTOR_SIZE: Final = 9
_DATA_MIN: Final = 1
_RESPONSE_MIN: Final = 2  # result + presence flag


def _check_iip(value: object) -> None:
    check_type("invoke-id-and-priority", value, InvokeIdAndPriority)


def _check_method(value: object) -> None:
    check_type("cosem-method-descriptor", value, CosemMethodDescriptor)


# ---------------------------------------------------------------------------------------
# ACTION-Request (tag C3)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionRequestNormal(Apdu):
    """action-request-normal::

        C3 01  invoke-id-and-priority(1)
               class-id(2) instance-id(6) method-id(1)
               00 | 01 Data                 method-invocation-parameters OPTIONAL

    ``method_invocation_parameters`` is ``None`` when absent, else ``Data(value)``.
    """

    TAG: ClassVar[int] = ACTION_REQUEST
    NAME: ClassVar[str] = "action-request-normal"
    CHOICE: ClassVar[int] = 1

    invoke_id_and_priority: InvokeIdAndPriority
    cosem_method_descriptor: CosemMethodDescriptor
    method_invocation_parameters: Data | None = None

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        _check_method(self.cosem_method_descriptor)
        if self.method_invocation_parameters is not None:
            check_type("method-invocation-parameters", self.method_invocation_parameters, Data)

    def write(self, out: bytearray) -> None:
        out += b"\xc3\x01"
        out.append(self.invoke_id_and_priority.value)
        self.cosem_method_descriptor.write(out)
        parameters = self.method_invocation_parameters
        if parameters is None:
            out.append(0)
        else:
            out.append(1)
            out += axdr.encode(parameters.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionRequestNextPblock(Apdu):
    """action-request-next-pblock: ``C3 02 invoke-id-and-priority(1) block-number(4)``."""

    TAG: ClassVar[int] = ACTION_REQUEST
    NAME: ClassVar[str] = "action-request-next-pblock"
    CHOICE: ClassVar[int] = 2

    invoke_id_and_priority: InvokeIdAndPriority
    block_number: int

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        _check_u32("block-number", self.block_number)

    def write(self, out: bytearray) -> None:
        out += b"\xc3\x02"
        out.append(self.invoke_id_and_priority.value)
        out += _U32.pack(self.block_number)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionRequestWithList(Apdu):
    """action-request-with-list::

        C3 03  invoke-id-and-priority(1)
               n (A-XDR length)  n × Cosem-Method-Descriptor (9 octets each)
               n (A-XDR length)  n × Data            method-invocation-parameters

    Both lists have the same number of items (each parameter is required here).
    """

    TAG: ClassVar[int] = ACTION_REQUEST
    NAME: ClassVar[str] = "action-request-with-list"
    CHOICE: ClassVar[int] = 3

    invoke_id_and_priority: InvokeIdAndPriority
    cosem_method_descriptor_list: tuple[CosemMethodDescriptor, ...]
    method_invocation_parameters: tuple[axdr.Value, ...]
    cosem_method_descriptor_list_length_form: int | None = None
    method_invocation_parameters_length_form: int | None = None

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        methods = _list_field(self, "cosem_method_descriptor_list", CosemMethodDescriptor)
        parameters = _list_field(self, "method_invocation_parameters", object)
        for i, value in enumerate(parameters):
            check_data(f"method-invocation-parameters[{i}]", value)
        if len(methods) != len(parameters):
            raise ValueError(
                f"cosem-method-descriptor-list has {len(methods)} item(s) but "
                f"method-invocation-parameters has {len(parameters)}: they must be equal"
            )

    def write(self, out: bytearray) -> None:
        out += b"\xc3\x03"
        out.append(self.invoke_id_and_priority.value)
        methods = self.cosem_method_descriptor_list
        _write_count(out, len(methods), self.cosem_method_descriptor_list_length_form)
        for method in methods:
            method.write(out)
        parameters = self.method_invocation_parameters
        _write_count(out, len(parameters), self.method_invocation_parameters_length_form)
        for value in parameters:
            out += axdr.encode(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionRequestWithFirstPblock(Apdu):
    """action-request-with-first-pblock::

    C3 04  invoke-id-and-priority(1)
           class-id(2) instance-id(6) method-id(1)
           DataBlock-SA                          pblock
    """

    TAG: ClassVar[int] = ACTION_REQUEST
    NAME: ClassVar[str] = "action-request-with-first-pblock"
    CHOICE: ClassVar[int] = 4

    invoke_id_and_priority: InvokeIdAndPriority
    cosem_method_descriptor: CosemMethodDescriptor
    pblock: DataBlockSA

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        _check_method(self.cosem_method_descriptor)
        check_type("pblock", self.pblock, DataBlockSA)

    def write(self, out: bytearray) -> None:
        out += b"\xc3\x04"
        out.append(self.invoke_id_and_priority.value)
        self.cosem_method_descriptor.write(out)
        self.pblock.write(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionRequestWithListAndFirstPblock(Apdu):
    """action-request-with-list-and-first-pblock::

    C3 05  invoke-id-and-priority(1)
           n (A-XDR length)  n × Cosem-Method-Descriptor
           DataBlock-SA                          pblock
    """

    TAG: ClassVar[int] = ACTION_REQUEST
    NAME: ClassVar[str] = "action-request-with-list-and-first-pblock"
    CHOICE: ClassVar[int] = 5

    invoke_id_and_priority: InvokeIdAndPriority
    cosem_method_descriptor_list: tuple[CosemMethodDescriptor, ...]
    pblock: DataBlockSA
    cosem_method_descriptor_list_length_form: int | None = None

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        _list_field(self, "cosem_method_descriptor_list", CosemMethodDescriptor)
        check_type("pblock", self.pblock, DataBlockSA)

    def write(self, out: bytearray) -> None:
        out += b"\xc3\x05"
        out.append(self.invoke_id_and_priority.value)
        methods = self.cosem_method_descriptor_list
        _write_count(out, len(methods), self.cosem_method_descriptor_list_length_form)
        for method in methods:
            method.write(out)
        self.pblock.write(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionRequestWithPblock(Apdu):
    """action-request-with-pblock: ``C3 06 invoke-id-and-priority(1) DataBlock-SA``."""

    TAG: ClassVar[int] = ACTION_REQUEST
    NAME: ClassVar[str] = "action-request-with-pblock"
    CHOICE: ClassVar[int] = 6

    invoke_id_and_priority: InvokeIdAndPriority
    pblock: DataBlockSA

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        check_type("pblock", self.pblock, DataBlockSA)

    def write(self, out: bytearray) -> None:
        out += b"\xc3\x06"
        out.append(self.invoke_id_and_priority.value)
        self.pblock.write(out)


ActionRequest: TypeAlias = (
    ActionRequestNormal
    | ActionRequestNextPblock
    | ActionRequestWithList
    | ActionRequestWithFirstPblock
    | ActionRequestWithListAndFirstPblock
    | ActionRequestWithPblock
)


def _read_method_descriptors(
    reader: Reader,
) -> tuple[tuple[CosemMethodDescriptor, ...], int | None]:
    return _read_items(
        reader, "cosem-method-descriptor-list", _METHOD_DESCRIPTOR_SIZE, CosemMethodDescriptor.read
    )


@register(ACTION_REQUEST, "action-request")
def _decode_action_request(reader: Reader) -> Apdu:
    pos = reader.pos
    choice = reader.u8("the action-request choice")
    if not 1 <= choice <= 6:
        raise _unknown_choice(reader, pos, "action-request", choice, "1..6")
    iip = _INVOKE_IDS[reader.u8("invoke-id-and-priority")]
    if choice == 1:
        method = CosemMethodDescriptor.read(reader)
        parameters = None
        if _read_optional(reader, "method-invocation-parameters"):
            parameters = Data(read_data(reader))
        return ActionRequestNormal(
            invoke_id_and_priority=iip,
            cosem_method_descriptor=method,
            method_invocation_parameters=parameters,
        )
    if choice == 2:
        return ActionRequestNextPblock(
            invoke_id_and_priority=iip, block_number=reader.u32("block-number")
        )
    if choice == 4:
        method = CosemMethodDescriptor.read(reader)
        return ActionRequestWithFirstPblock(
            invoke_id_and_priority=iip,
            cosem_method_descriptor=method,
            pblock=DataBlockSA.read(reader),
        )
    if choice == 6:
        return ActionRequestWithPblock(invoke_id_and_priority=iip, pblock=DataBlockSA.read(reader))
    methods, form = _read_method_descriptors(reader)
    if choice == 5:
        return ActionRequestWithListAndFirstPblock(
            invoke_id_and_priority=iip,
            cosem_method_descriptor_list=methods,
            pblock=DataBlockSA.read(reader),
            cosem_method_descriptor_list_length_form=form,
        )
    count_pos = reader.pos
    count, parameters_form = _read_count(reader, "method-invocation-parameters", _DATA_MIN)
    if count != len(methods):
        raise reader.error(
            f"method-invocation-parameters has {count} item(s) but "
            f"cosem-method-descriptor-list has {len(methods)}: they must be equal",
            count_pos,
        )
    values = tuple([read_data(reader) for _ in range(count)])
    return ActionRequestWithList(
        invoke_id_and_priority=iip,
        cosem_method_descriptor_list=methods,
        method_invocation_parameters=values,
        cosem_method_descriptor_list_length_form=form,
        method_invocation_parameters_length_form=parameters_form,
    )


# ---------------------------------------------------------------------------------------
# ACTION-Response (tag C7)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionResponseWithOptionalData:
    """Action-Response-With-Optional-Data (Green Book 9.5)::

        result(1)                               Action-Result
        00                                      return-parameters absent
      | 01 00 Data | 01 01 data-access-result   return-parameters: Get-Data-Result

    ``result`` accepts a plain int 0..255 (converted to :class:`ActionResult`).
    """

    result: ActionResult
    return_parameters: GetDataResult | None = None

    def __post_init__(self) -> None:
        if type(self.result) is not ActionResult:
            _coerce(self, "result", _action_result("result", self.result))
        if self.return_parameters is not None:
            _check_get_data_result("return-parameters", self.return_parameters)

    @classmethod
    def read(cls, reader: Reader) -> ActionResponseWithOptionalData:
        result = _read_action_result(reader)
        parameters = None
        if _read_optional(reader, "return-parameters"):
            parameters = _read_get_data_result(reader)
        return cls(result=result, return_parameters=parameters)

    def write(self, out: bytearray) -> None:
        out.append(self.result)
        if self.return_parameters is None:
            out.append(0)
        else:
            out.append(1)
            _write_get_data_result(out, self.return_parameters)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionResponseNormal(Apdu):
    """action-response-normal::

    C7 01  invoke-id-and-priority(1)
           Action-Response-With-Optional-Data      single-response
    """

    TAG: ClassVar[int] = ACTION_RESPONSE
    NAME: ClassVar[str] = "action-response-normal"
    CHOICE: ClassVar[int] = 1

    invoke_id_and_priority: InvokeIdAndPriority
    single_response: ActionResponseWithOptionalData

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        check_type("single-response", self.single_response, ActionResponseWithOptionalData)

    def write(self, out: bytearray) -> None:
        out += b"\xc7\x01"
        out.append(self.invoke_id_and_priority.value)
        self.single_response.write(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionResponseWithPblock(Apdu):
    """action-response-with-pblock: ``C7 02 invoke-id-and-priority(1) DataBlock-SA``."""

    TAG: ClassVar[int] = ACTION_RESPONSE
    NAME: ClassVar[str] = "action-response-with-pblock"
    CHOICE: ClassVar[int] = 2

    invoke_id_and_priority: InvokeIdAndPriority
    pblock: DataBlockSA

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        check_type("pblock", self.pblock, DataBlockSA)

    def write(self, out: bytearray) -> None:
        out += b"\xc7\x02"
        out.append(self.invoke_id_and_priority.value)
        self.pblock.write(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionResponseWithList(Apdu):
    """action-response-with-list::

    C7 03  invoke-id-and-priority(1)
           n (A-XDR length)  n × Action-Response-With-Optional-Data
    """

    TAG: ClassVar[int] = ACTION_RESPONSE
    NAME: ClassVar[str] = "action-response-with-list"
    CHOICE: ClassVar[int] = 3

    invoke_id_and_priority: InvokeIdAndPriority
    list_of_responses: tuple[ActionResponseWithOptionalData, ...]
    list_of_responses_length_form: int | None = None

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        _list_field(self, "list_of_responses", ActionResponseWithOptionalData)

    def write(self, out: bytearray) -> None:
        out += b"\xc7\x03"
        out.append(self.invoke_id_and_priority.value)
        _write_count(out, len(self.list_of_responses), self.list_of_responses_length_form)
        for response in self.list_of_responses:
            response.write(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionResponseNextPblock(Apdu):
    """action-response-next-pblock: ``C7 04 invoke-id-and-priority(1) block-number(4)``."""

    TAG: ClassVar[int] = ACTION_RESPONSE
    NAME: ClassVar[str] = "action-response-next-pblock"
    CHOICE: ClassVar[int] = 4

    invoke_id_and_priority: InvokeIdAndPriority
    block_number: int

    def __post_init__(self) -> None:
        _check_iip(self.invoke_id_and_priority)
        _check_u32("block-number", self.block_number)

    def write(self, out: bytearray) -> None:
        out += b"\xc7\x04"
        out.append(self.invoke_id_and_priority.value)
        out += _U32.pack(self.block_number)


ActionResponse: TypeAlias = (
    ActionResponseNormal
    | ActionResponseWithPblock
    | ActionResponseWithList
    | ActionResponseNextPblock
)


@register(ACTION_RESPONSE, "action-response")
def _decode_action_response(reader: Reader) -> Apdu:
    pos = reader.pos
    choice = reader.u8("the action-response choice")
    if not 1 <= choice <= 4:
        raise _unknown_choice(reader, pos, "action-response", choice, "1..4")
    iip = _INVOKE_IDS[reader.u8("invoke-id-and-priority")]
    if choice == 1:
        return ActionResponseNormal(
            invoke_id_and_priority=iip, single_response=ActionResponseWithOptionalData.read(reader)
        )
    if choice == 2:
        return ActionResponseWithPblock(invoke_id_and_priority=iip, pblock=DataBlockSA.read(reader))
    if choice == 3:
        responses, form = _read_items(
            reader, "list-of-responses", _RESPONSE_MIN, ActionResponseWithOptionalData.read
        )
        return ActionResponseWithList(
            invoke_id_and_priority=iip,
            list_of_responses=responses,
            list_of_responses_length_form=form,
        )
    return ActionResponseNextPblock(
        invoke_id_and_priority=iip, block_number=reader.u32("block-number")
    )
