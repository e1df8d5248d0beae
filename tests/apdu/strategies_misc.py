"""Hypothesis strategies for the notification, gateway, SN, GBT and ACCESS APDUs.

:func:`apdus` generates every APDU type of dlmskit.apdu.{notification, sn, gbt, access}
with random valid field values (the translator round-trip test imports it).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu._base import Apdu
from dlmskit.apdu.access import (
    AccessRequest,
    AccessRequestAction,
    AccessRequestGet,
    AccessRequestGetWithSelection,
    AccessRequestSet,
    AccessRequestSetWithSelection,
    AccessResponse,
    AccessResponseAction,
    AccessResponseGet,
    AccessResponseSet,
)
from dlmskit.apdu.common import (
    ActionResult,
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    DataAccessResult,
    LongInvokeIdAndPriority,
    SelectiveAccessDescriptor,
)
from dlmskit.apdu.gbt import GeneralBlockTransfer
from dlmskit.apdu.notification import (
    DataNotification,
    DataNotificationConfirm,
    DateTimeForm,
    EventNotificationRequest,
    GatewayRequest,
    GatewayResponse,
)
from dlmskit.apdu.sn import (
    BlockNumber,
    BlockNumberAccess,
    DataBlockResult,
    InformationReportRequest,
    ParameterizedAccess,
    ReadData,
    ReadDataBlockAccess,
    ReadRequest,
    ReadResponse,
    UnconfirmedWriteRequest,
    VariableName,
    WriteDataBlockAccess,
    WriteRequest,
    WriteResponse,
    WriteSuccess,
)
from dlmskit.obis import Obis

__all__ = ["apdus", "assert_decodes_or_fails", "assert_round_trip", "data_values", "octet_strings"]

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)


def octet_strings(max_size: int = 24) -> st.SearchStrategy[axdr.OctetString]:
    """Octet strings, sometimes with a non-minimal length form (1 or 2 length bytes)."""
    return st.builds(
        lambda raw, form: axdr.OctetString(raw).with_length_form(form),
        st.binary(max_size=max_size),
        st.sampled_from([None, None, None, 1, 2]),
    )


_leaves: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.builds(axdr.Unsigned, u8),
    st.builds(axdr.LongUnsigned, u16),
    st.builds(axdr.DoubleLongUnsigned, u32),
    st.builds(axdr.Integer, st.integers(-128, 127)),
    st.builds(axdr.Long, st.integers(-0x8000, 0x7FFF)),
    st.builds(axdr.Enum, u8),
    octet_strings(),
    st.builds(axdr.VisibleString, st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E))),
)


def data_values() -> st.SearchStrategy[Any]:
    """A small recursive strategy over typed A-XDR Data values."""
    return st.recursive(
        _leaves,
        lambda inner: st.one_of(
            st.builds(axdr.Structure, st.lists(inner, max_size=4)),
            st.builds(axdr.Array, st.lists(inner, max_size=4)),
        ),
        max_leaves=8,
    )


obis = st.builds(Obis, u8, u8, u8, u8, u8, u8)
attribute_descriptors = st.builds(
    CosemAttributeDescriptor,
    class_id=u16,
    instance_id=obis,
    attribute_id=st.integers(-128, 127),
)
method_descriptors = st.builds(
    CosemMethodDescriptor, class_id=u16, instance_id=obis, method_id=st.integers(-128, 127)
)
selective_access = st.builds(
    SelectiveAccessDescriptor, access_selector=u8, access_parameters=data_values()
)
long_invoke_ids = st.builds(LongInvokeIdAndPriority, u32)
length_forms = st.sampled_from([None, None, 1, 2])


def _valid(factory: Any, **kwargs: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Values of ``factory`` built from ``kwargs``, skipping the combinations it refuses."""

    def build(**values: Any) -> Any:
        try:
            return factory(**values)
        except ValueError:
            return None

    return st.builds(build, **kwargs).filter(lambda value: value is not None)


def _date_times() -> st.SearchStrategy[tuple[axdr.OctetString | None, DateTimeForm]]:
    twelve = st.binary(min_size=12, max_size=12).map(axdr.OctetString)
    return st.one_of(
        st.tuples(st.none(), st.just(DateTimeForm.LENGTH_PREFIXED)),
        st.tuples(twelve, st.sampled_from(DateTimeForm)),
        st.tuples(octet_strings(16), st.just(DateTimeForm.LENGTH_PREFIXED)),
    )


def _with_date_time(factory: Any, **kwargs: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    def build(date_time: tuple[axdr.OctetString | None, DateTimeForm], **values: Any) -> Any:
        try:
            return factory(date_time=date_time[0], date_time_form=date_time[1], **values)
        except ValueError:
            return None

    return st.builds(build, date_time=_date_times(), **kwargs).filter(
        lambda value: value is not None
    )


# -- notification.py ------------------------------------------------------------------


def data_notifications() -> st.SearchStrategy[DataNotification]:
    return _with_date_time(
        DataNotification,
        long_invoke_id_and_priority=long_invoke_ids,
        notification_body=data_values(),
    )


def data_notification_confirms() -> st.SearchStrategy[DataNotificationConfirm]:
    return _with_date_time(DataNotificationConfirm, long_invoke_id_and_priority=long_invoke_ids)


def event_notification_requests() -> st.SearchStrategy[EventNotificationRequest]:
    return _valid(
        EventNotificationRequest,
        time=st.none() | octet_strings(14),
        time_form=st.sampled_from(DateTimeForm),
        cosem_attribute_descriptor=attribute_descriptors,
        attribute_value=data_values(),
    )


def gateways() -> st.SearchStrategy[GatewayRequest | GatewayResponse]:
    inner = st.one_of(
        st.binary(min_size=1, max_size=20),
        data_notifications().map(lambda apdu: apdu.to_bytes()),
    )
    return st.one_of(
        *(
            st.builds(cls, network_id=u8, physical_device_address=octet_strings(10), pdu=inner)
            for cls in (GatewayRequest, GatewayResponse)
        )
    )


# -- gbt.py ---------------------------------------------------------------------------------


def general_block_transfers() -> st.SearchStrategy[GeneralBlockTransfer]:
    return st.builds(
        GeneralBlockTransfer,
        block_control=u8,
        block_number=u16,
        block_number_ack=u16,
        block_data=octet_strings(40),
    )


# -- sn.py ----------------------------------------------------------------------------------

variable_access_specifications: st.SearchStrategy[Any] = st.one_of(
    st.builds(VariableName, variable_name=u16),
    st.builds(ParameterizedAccess, variable_name=u16, selector=u8, parameter=data_values()),
    st.builds(BlockNumberAccess, block_number=u16),
    st.builds(
        ReadDataBlockAccess, last_block=st.booleans(), block_number=u16, raw_data=octet_strings()
    ),
    st.builds(WriteDataBlockAccess, last_block=st.booleans(), block_number=u16),
)
data_access_results = st.builds(DataAccessResult, u8)
read_results: st.SearchStrategy[Any] = st.one_of(
    st.builds(ReadData, data=data_values()),
    data_access_results,
    st.builds(
        DataBlockResult, last_block=st.booleans(), block_number=u16, raw_data=octet_strings()
    ),
    st.builds(BlockNumber, block_number=u16),
)
write_results: st.SearchStrategy[Any] = st.one_of(
    st.just(WriteSuccess()), data_access_results, st.builds(BlockNumber, block_number=u16)
)


@st.composite
def _write_like(draw: st.DrawFn, cls: Any) -> Any:
    n = draw(st.integers(0, 4))
    extra: dict[str, Any] = {}
    if cls is InformationReportRequest:
        extra["current_time"] = draw(st.none() | octet_strings(14))
    return cls(
        variable_access_specification=draw(
            st.lists(variable_access_specifications, min_size=n, max_size=n)
        ),
        list_of_data=draw(st.lists(data_values(), min_size=n, max_size=n)),
        variable_access_specification_length_form=draw(length_forms),
        list_of_data_length_form=draw(length_forms),
        **extra,
    )


def sn_apdus() -> st.SearchStrategy[Apdu]:
    return st.one_of(
        st.builds(
            ReadRequest,
            variable_access_specification=st.lists(variable_access_specifications, max_size=4),
            variable_access_specification_length_form=length_forms,
        ),
        st.builds(
            ReadResponse,
            results=st.lists(read_results, max_size=4),
            results_length_form=length_forms,
        ),
        st.builds(
            WriteResponse,
            results=st.lists(write_results, max_size=4),
            results_length_form=length_forms,
        ),
        _write_like(WriteRequest),
        _write_like(UnconfirmedWriteRequest),
        _write_like(InformationReportRequest),
    )


# -- access.py ----------------------------------------------------------------------------

access_request_specifications: st.SearchStrategy[Any] = st.one_of(
    st.builds(AccessRequestGet, cosem_attribute_descriptor=attribute_descriptors),
    st.builds(AccessRequestSet, cosem_attribute_descriptor=attribute_descriptors),
    st.builds(AccessRequestAction, cosem_method_descriptor=method_descriptors),
    st.builds(
        AccessRequestGetWithSelection,
        cosem_attribute_descriptor=attribute_descriptors,
        access_selection=selective_access,
    ),
    st.builds(
        AccessRequestSetWithSelection,
        cosem_attribute_descriptor=attribute_descriptors,
        access_selection=selective_access,
    ),
)
access_response_specifications: st.SearchStrategy[Any] = st.one_of(
    st.builds(AccessResponseGet, result=data_access_results),
    st.builds(AccessResponseSet, result=data_access_results),
    st.builds(AccessResponseAction, result=st.builds(ActionResult, u8)),
)


@st.composite
def access_requests(draw: st.DrawFn) -> AccessRequest:
    n = draw(st.integers(0, 4))
    date_time, form = draw(_date_times().filter(_date_time_ok))
    return AccessRequest(
        long_invoke_id_and_priority=draw(long_invoke_ids),
        date_time=date_time,
        date_time_form=form,
        access_request_specification=draw(
            st.lists(access_request_specifications, min_size=n, max_size=n)
        ),
        access_request_list_of_data=draw(st.lists(data_values(), min_size=n, max_size=n)),
        access_request_specification_length_form=draw(length_forms),
        access_request_list_of_data_length_form=draw(length_forms),
    )


@st.composite
def access_responses(draw: st.DrawFn) -> AccessResponse:
    n = draw(st.integers(0, 4))
    date_time, form = draw(_date_times().filter(_date_time_ok))
    with_request = draw(st.booleans())
    return AccessResponse(
        long_invoke_id_and_priority=draw(long_invoke_ids),
        date_time=date_time,
        date_time_form=form,
        access_request_specification=(
            tuple(draw(st.lists(access_request_specifications, min_size=n, max_size=n)))
            if with_request
            else None
        ),
        access_response_list_of_data=draw(st.lists(data_values(), min_size=n, max_size=n)),
        access_response_specification=draw(
            st.lists(access_response_specifications, min_size=n, max_size=n)
        ),
        access_request_specification_length_form=draw(length_forms) if with_request else None,
        access_response_list_of_data_length_form=draw(length_forms),
        access_response_specification_length_form=draw(length_forms),
    )


def _date_time_ok(pair: tuple[axdr.OctetString | None, DateTimeForm]) -> bool:
    try:
        DataNotificationConfirm(
            long_invoke_id_and_priority=LongInvokeIdAndPriority(0),
            date_time=pair[0],
            date_time_form=pair[1],
        )
    except ValueError:
        return False
    return True


# -- all --------------------------------------------------------------------------------------


def apdus() -> st.SearchStrategy[Apdu]:
    """Every APDU type of this family, with random valid fields."""
    return st.one_of(
        data_notifications(),
        data_notification_confirms(),
        event_notification_requests(),
        gateways(),
        general_block_transfers(),
        sn_apdus(),
        access_requests(),
        access_responses(),
    )


# -- shared checks (used by the test modules of this family) ------------------------------


def assert_round_trip(apdu: Apdu, *, self_delimiting: bool = True) -> None:
    """decode(encode(a)) == a and the bytes re-encode; trailing data and every proper
    prefix are refused (unless the APDU ends in an undelimited field: the gateway pdu)."""
    from dlmskit.apdu._base import decode
    from dlmskit.errors import DecodeError

    data = apdu.to_bytes()
    again = decode(data)
    assert again == apdu
    assert type(again) is type(apdu)
    assert again.to_bytes() == data
    if not self_delimiting:
        return
    try:
        decode(data + b"\x00")
    except DecodeError:
        pass
    else:
        raise AssertionError("trailing data was accepted")
    for end in range(len(data)):
        try:
            decode(data[:end])
        except DecodeError:
            continue
        raise AssertionError(f"the {end}-byte prefix decoded")


def assert_decodes_or_fails(data: bytes) -> None:
    """Garbage in: an APDU that re-encodes to the same bytes, or DecodeError."""
    from dlmskit.apdu._base import decode
    from dlmskit.errors import DecodeError

    try:
        apdu = decode(data)
    except DecodeError:
        return
    assert apdu.to_bytes() == data
