"""The ACCESS service (Green Book 9.5, xDLMS APDU ASN.1: ``access-request [217]``,
``access-response [218]``): several GET/SET/ACTION requests in one APDU.

::

    D9  long-invoke-id-and-priority (4)  date-time  access-request-body
        access-request-body:
            access-request-specification  count (choice descriptor...)*
            access-request-list-of-data   count Data*          (one per specification)

    DA  long-invoke-id-and-priority (4)  date-time  access-response-body
        access-response-body:
            access-request-specification  OPTIONAL (00 | 01 count (choice ...)*)
            access-response-list-of-data  count Data*
            access-response-specification count (choice result)*

    access-request-specification choices    access-response-specification choices
      01 get                attribute-desc    01 get     Data-Access-Result (1)
      02 set                attribute-desc    02 set     Data-Access-Result (1)
      03 action             method-desc       03 action  Action-Result (1)
      04 get-with-selection attribute-desc + selective-access-descriptor
      05 set-with-selection attribute-desc + selective-access-descriptor

date-time is an octet string (zero length = absent), read as in data-notification (see
:class:`~dlmskit.apdu.notification.DateTimeForm`).

Sources: tags in Gurux's ``Command`` (``ACCESS_REQUEST = 0xD9``, ``ACCESS_RESPONSE =
0xDA``); choice values in Gurux's ``AccessServiceCommandType`` (GET 1, SET 2, ACTION 3)
and the Green Book 8.3 ASN.1 as transcribed in youserj/COSEMpdu_project (``[1]``..``[5]``
request, ``[1]``..``[3]`` response, ``access-request-specification [0] ... OPTIONAL`` in the
response body); Gurux ``GXDLMSClient.accessRequest`` / ``parseAccessResponse`` and
``GXDLMS.handleAccessResponse`` read and write this layout (one Data and one result per
request; a presence octet before the response's list-of-data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeAlias

from dlmskit import axdr
from dlmskit._buffer import Reader
from dlmskit.apdu._base import Apdu, register
from dlmskit.apdu.common import (
    ActionResult,
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    DataAccessResult,
    LongInvokeIdAndPriority,
    SelectiveAccessDescriptor,
    as_cosem_date_time,
    as_tuple,
    data_tuple,
    read_data,
    read_optional_flag,
)
from dlmskit.apdu.notification import (
    DateTimeForm,
    check_date_time,
    read_date_time,
    write_date_time,
)
from dlmskit.apdu.sn import check_length_form, read_list, write_list
from dlmskit.cosem_time import CosemDateTime

__all__ = [
    "AccessRequest",
    "AccessRequestAction",
    "AccessRequestGet",
    "AccessRequestGetWithSelection",
    "AccessRequestSet",
    "AccessRequestSetWithSelection",
    "AccessRequestSpecification",
    "AccessResponse",
    "AccessResponseAction",
    "AccessResponseGet",
    "AccessResponseSet",
    "AccessResponseSpecification",
]


def check_type(name: str, value: object, kind: type) -> None:
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__}, not {type(value).__name__}")


# -- Access-Request-Specification -------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRequestGet:
    """access-request-get [1]: read one attribute."""

    CHOICE: ClassVar[int] = 1

    cosem_attribute_descriptor: CosemAttributeDescriptor

    def __post_init__(self) -> None:
        check_type(
            "cosem-attribute-descriptor", self.cosem_attribute_descriptor, CosemAttributeDescriptor
        )

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        self.cosem_attribute_descriptor.write(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRequestSet:
    """access-request-set [2]: write one attribute (its value is in the list of data)."""

    CHOICE: ClassVar[int] = 2

    cosem_attribute_descriptor: CosemAttributeDescriptor

    def __post_init__(self) -> None:
        check_type(
            "cosem-attribute-descriptor", self.cosem_attribute_descriptor, CosemAttributeDescriptor
        )

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        self.cosem_attribute_descriptor.write(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRequestAction:
    """access-request-action [3]: invoke one method (parameters in the list of data)."""

    CHOICE: ClassVar[int] = 3

    cosem_method_descriptor: CosemMethodDescriptor

    def __post_init__(self) -> None:
        check_type("cosem-method-descriptor", self.cosem_method_descriptor, CosemMethodDescriptor)

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        self.cosem_method_descriptor.write(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRequestGetWithSelection:
    """access-request-get-with-selection [4]: attribute descriptor + selective access."""

    CHOICE: ClassVar[int] = 4

    cosem_attribute_descriptor: CosemAttributeDescriptor
    access_selection: SelectiveAccessDescriptor

    def __post_init__(self) -> None:
        check_type(
            "cosem-attribute-descriptor", self.cosem_attribute_descriptor, CosemAttributeDescriptor
        )
        check_type("access-selection", self.access_selection, SelectiveAccessDescriptor)

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        self.cosem_attribute_descriptor.write(out)
        self.access_selection.write(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRequestSetWithSelection:
    """access-request-set-with-selection [5]: attribute descriptor + selective access."""

    CHOICE: ClassVar[int] = 5

    cosem_attribute_descriptor: CosemAttributeDescriptor
    access_selection: SelectiveAccessDescriptor

    def __post_init__(self) -> None:
        check_type(
            "cosem-attribute-descriptor", self.cosem_attribute_descriptor, CosemAttributeDescriptor
        )
        check_type("access-selection", self.access_selection, SelectiveAccessDescriptor)

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        self.cosem_attribute_descriptor.write(out)
        self.access_selection.write(out)


AccessRequestSpecification: TypeAlias = (
    AccessRequestGet
    | AccessRequestSet
    | AccessRequestAction
    | AccessRequestGetWithSelection
    | AccessRequestSetWithSelection
)
_REQUEST_TYPES: tuple[type, ...] = (
    AccessRequestGet,
    AccessRequestSet,
    AccessRequestAction,
    AccessRequestGetWithSelection,
    AccessRequestSetWithSelection,
)


def _read_request_specification(reader: Reader) -> AccessRequestSpecification:
    pos = reader.pos
    choice = reader.u8("access-request-specification")
    if choice == AccessRequestGet.CHOICE:
        return AccessRequestGet(cosem_attribute_descriptor=CosemAttributeDescriptor.read(reader))
    if choice == AccessRequestSet.CHOICE:
        return AccessRequestSet(cosem_attribute_descriptor=CosemAttributeDescriptor.read(reader))
    if choice == AccessRequestAction.CHOICE:
        return AccessRequestAction(cosem_method_descriptor=CosemMethodDescriptor.read(reader))
    if choice == AccessRequestGetWithSelection.CHOICE:
        descriptor = CosemAttributeDescriptor.read(reader)
        return AccessRequestGetWithSelection(
            cosem_attribute_descriptor=descriptor,
            access_selection=SelectiveAccessDescriptor.read(reader),
        )
    if choice == AccessRequestSetWithSelection.CHOICE:
        descriptor = CosemAttributeDescriptor.read(reader)
        return AccessRequestSetWithSelection(
            cosem_attribute_descriptor=descriptor,
            access_selection=SelectiveAccessDescriptor.read(reader),
        )
    raise reader.error(f"unknown access-request-specification choice 0x{choice:02X}", pos)


# -- Access-Response-Specification ------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessResponseGet:
    """access-response-get [1]: the Data-Access-Result of a get."""

    CHOICE: ClassVar[int] = 1

    result: DataAccessResult

    def __post_init__(self) -> None:
        check_type("result", self.result, DataAccessResult)

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        out.append(self.result)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessResponseSet:
    """access-response-set [2]: the Data-Access-Result of a set."""

    CHOICE: ClassVar[int] = 2

    result: DataAccessResult

    def __post_init__(self) -> None:
        check_type("result", self.result, DataAccessResult)

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        out.append(self.result)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessResponseAction:
    """access-response-action [3]: the Action-Result of an action."""

    CHOICE: ClassVar[int] = 3

    result: ActionResult

    def __post_init__(self) -> None:
        check_type("result", self.result, ActionResult)

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        out.append(self.result)


AccessResponseSpecification: TypeAlias = (
    AccessResponseGet | AccessResponseSet | AccessResponseAction
)
_RESPONSE_TYPES: tuple[type, ...] = (AccessResponseGet, AccessResponseSet, AccessResponseAction)


def _read_response_specification(reader: Reader) -> AccessResponseSpecification:
    pos = reader.pos
    choice = reader.u8("access-response-specification")
    if choice == AccessResponseGet.CHOICE:
        return AccessResponseGet(result=DataAccessResult(reader.u8("access-response-get.result")))
    if choice == AccessResponseSet.CHOICE:
        return AccessResponseSet(result=DataAccessResult(reader.u8("access-response-set.result")))
    if choice == AccessResponseAction.CHOICE:
        return AccessResponseAction(result=ActionResult(reader.u8("access-response-action.result")))
    raise reader.error(f"unknown access-response-specification choice 0x{choice:02X}", pos)


# -- helpers ----------------------------------------------------------------------------------


def _write_item(out: bytearray, value: Any) -> None:
    value.write(out)


def _write_data(out: bytearray, value: axdr.Value) -> None:
    out += axdr.encode(value)


def _set_date_time(apdu: Any) -> None:
    if not isinstance(apdu.long_invoke_id_and_priority, LongInvokeIdAndPriority):
        raise TypeError(
            "long-invoke-id-and-priority must be a LongInvokeIdAndPriority, "
            f"not {type(apdu.long_invoke_id_and_priority).__name__}"
        )
    value, form = check_date_time("date-time", apdu.date_time, apdu.date_time_form)
    object.__setattr__(apdu, "date_time", value)
    object.__setattr__(apdu, "date_time_form", form)


def _same_length(reader: Reader | None, what: str, n: int, other: str, m: int) -> None:
    if n != m:
        message = f"{what} has {n} element(s) for {m} {other}"
        if reader is None:
            raise ValueError(message)
        raise reader.error(message)


# -- the APDUs ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRequest(Apdu):
    """Access-Request (tag 0xD9); the list of data holds one Data per specification
    (null-data for a get)."""

    TAG = 0xD9
    NAME = "access-request"

    long_invoke_id_and_priority: LongInvokeIdAndPriority
    date_time: axdr.OctetString | None = None
    access_request_specification: tuple[AccessRequestSpecification, ...]
    access_request_list_of_data: tuple[axdr.Value, ...]
    date_time_form: DateTimeForm = DateTimeForm.LENGTH_PREFIXED
    access_request_specification_length_form: int | None = field(default=None, repr=False)
    access_request_list_of_data_length_form: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _set_date_time(self)
        specs = as_tuple(
            "access-request-specification", self.access_request_specification, _REQUEST_TYPES
        )
        data = data_tuple("access-request-list-of-data", self.access_request_list_of_data)
        object.__setattr__(self, "access_request_specification", specs)
        object.__setattr__(self, "access_request_list_of_data", data)
        _same_length(
            None,
            "access-request-list-of-data",
            len(data),
            "access-request-specification(s)",
            len(specs),
        )
        object.__setattr__(
            self,
            "access_request_specification_length_form",
            check_length_form(
                "access-request-specification",
                self.access_request_specification_length_form,
                len(specs),
            ),
        )
        object.__setattr__(
            self,
            "access_request_list_of_data_length_form",
            check_length_form(
                "access-request-list-of-data",
                self.access_request_list_of_data_length_form,
                len(data),
            ),
        )

    @property
    def datetime(self) -> CosemDateTime | None:
        return as_cosem_date_time(self.date_time)

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        self.long_invoke_id_and_priority.write(out)
        write_date_time(out, self.date_time, self.date_time_form)
        write_list(
            out,
            self.access_request_specification,
            self.access_request_specification_length_form,
            _write_item,
        )
        write_list(
            out,
            self.access_request_list_of_data,
            self.access_request_list_of_data_length_form,
            _write_data,
        )


@register(AccessRequest.TAG, AccessRequest.NAME)
def _read_access_request(reader: Reader) -> AccessRequest:
    invoke = LongInvokeIdAndPriority.read(reader)
    date_time, form = read_date_time(reader, "date-time")
    specs, specs_form = read_list(
        reader, "access-request-specification", _read_request_specification
    )
    data, data_form = read_list(reader, "access-request-list-of-data", read_data)
    _same_length(
        reader,
        "access-request-list-of-data",
        len(data),
        "access-request-specification(s)",
        len(specs),
    )
    return AccessRequest(
        long_invoke_id_and_priority=invoke,
        date_time=date_time,
        date_time_form=form,
        access_request_specification=specs,
        access_request_list_of_data=data,
        access_request_specification_length_form=specs_form,
        access_request_list_of_data_length_form=data_form,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessResponse(Apdu):
    """Access-Response (tag 0xDA): one Data and one result per request.

    ``access_request_specification`` (the request echoed, OPTIONAL) is ``None`` when
    absent (presence octet ``00``).
    """

    TAG = 0xDA
    NAME = "access-response"

    long_invoke_id_and_priority: LongInvokeIdAndPriority
    date_time: axdr.OctetString | None = None
    access_request_specification: tuple[AccessRequestSpecification, ...] | None = None
    access_response_list_of_data: tuple[axdr.Value, ...]
    access_response_specification: tuple[AccessResponseSpecification, ...]
    date_time_form: DateTimeForm = DateTimeForm.LENGTH_PREFIXED
    access_request_specification_length_form: int | None = field(default=None, repr=False)
    access_response_list_of_data_length_form: int | None = field(default=None, repr=False)
    access_response_specification_length_form: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _set_date_time(self)
        data = data_tuple("access-response-list-of-data", self.access_response_list_of_data)
        results = as_tuple(
            "access-response-specification", self.access_response_specification, _RESPONSE_TYPES
        )
        object.__setattr__(self, "access_response_list_of_data", data)
        object.__setattr__(self, "access_response_specification", results)
        _same_length(
            None,
            "access-response-list-of-data",
            len(data),
            "access-response-specification(s)",
            len(results),
        )
        if self.access_request_specification is None:
            if self.access_request_specification_length_form is not None:
                raise ValueError(
                    "access-request-specification-length-form needs an access-request-specification"
                )
        else:
            specs = as_tuple(
                "access-request-specification", self.access_request_specification, _REQUEST_TYPES
            )
            object.__setattr__(self, "access_request_specification", specs)
            _same_length(
                None,
                "access-request-specification",
                len(specs),
                "access-response-specification(s)",
                len(results),
            )
            object.__setattr__(
                self,
                "access_request_specification_length_form",
                check_length_form(
                    "access-request-specification",
                    self.access_request_specification_length_form,
                    len(specs),
                ),
            )
        object.__setattr__(
            self,
            "access_response_list_of_data_length_form",
            check_length_form(
                "access-response-list-of-data",
                self.access_response_list_of_data_length_form,
                len(data),
            ),
        )
        object.__setattr__(
            self,
            "access_response_specification_length_form",
            check_length_form(
                "access-response-specification",
                self.access_response_specification_length_form,
                len(results),
            ),
        )

    @property
    def datetime(self) -> CosemDateTime | None:
        return as_cosem_date_time(self.date_time)

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        self.long_invoke_id_and_priority.write(out)
        write_date_time(out, self.date_time, self.date_time_form)
        if self.access_request_specification is None:
            out.append(0)
        else:
            out.append(1)
            write_list(
                out,
                self.access_request_specification,
                self.access_request_specification_length_form,
                _write_item,
            )
        write_list(
            out,
            self.access_response_list_of_data,
            self.access_response_list_of_data_length_form,
            _write_data,
        )
        write_list(
            out,
            self.access_response_specification,
            self.access_response_specification_length_form,
            _write_item,
        )


@register(AccessResponse.TAG, AccessResponse.NAME)
def _read_access_response(reader: Reader) -> AccessResponse:
    invoke = LongInvokeIdAndPriority.read(reader)
    date_time, form = read_date_time(reader, "date-time")
    specs: tuple[AccessRequestSpecification, ...] | None = None
    specs_form: int | None = None
    if read_optional_flag(reader, "access-request-specification"):
        specs, specs_form = read_list(
            reader, "access-request-specification", _read_request_specification
        )
    data, data_form = read_list(reader, "access-response-list-of-data", read_data)
    results, results_form = read_list(
        reader, "access-response-specification", _read_response_specification
    )
    _same_length(
        reader,
        "access-response-list-of-data",
        len(data),
        "access-response-specification(s)",
        len(results),
    )
    if specs is not None:
        _same_length(
            reader,
            "access-request-specification",
            len(specs),
            "access-response-specification(s)",
            len(results),
        )
    return AccessResponse(
        long_invoke_id_and_priority=invoke,
        date_time=date_time,
        date_time_form=form,
        access_request_specification=specs,
        access_response_list_of_data=data,
        access_response_specification=results,
        access_request_specification_length_form=specs_form,
        access_response_list_of_data_length_form=data_form,
        access_response_specification_length_form=results_form,
    )
