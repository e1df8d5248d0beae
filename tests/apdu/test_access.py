"""Tests of dlmskit.apdu.access: the ACCESS service."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu import _base
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
from dlmskit.apdu.notification import DateTimeForm
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis

from .strategies_misc import (
    access_requests,
    access_responses,
    assert_decodes_or_fails,
    assert_round_trip,
)

decode = _base.decode

LDN = CosemAttributeDescriptor(class_id=1, instance_id=Obis(0, 0, 96, 1, 0, 255), attribute_id=2)
CLOCK = CosemAttributeDescriptor(class_id=8, instance_id=Obis(0, 0, 1, 0, 0, 255), attribute_id=2)

# Produced by gurux-dlms 1.0.203 GXDLMSClient(True).accessRequest(time, [GET Data
# 0.0.96.1.0.255 attr 2, GET Clock 0.0.1.0.0.255 attr 2]) (wrapper header removed), without
# a time and with 2021-01-24 14:48:57 +01:00. One null-data per GET in the list of data.
GURUX_ACCESS = bytes.fromhex("D9C000000100020100010000600100FF020100080000010000FF02020000")
GURUX_ACCESS_TIME = bytes.fromhex(
    "D9C00000010C07E50118FF0E303900FFC400020100010000600100FF020100080000010000FF02020000"
)


def test_gurux_access_request() -> None:
    expected = AccessRequest(
        long_invoke_id_and_priority=LongInvokeIdAndPriority(0xC0000001),
        access_request_specification=(
            AccessRequestGet(cosem_attribute_descriptor=LDN),
            AccessRequestGet(cosem_attribute_descriptor=CLOCK),
        ),
        access_request_list_of_data=(None, None),
    )
    assert decode(GURUX_ACCESS) == expected
    assert expected.to_bytes() == GURUX_ACCESS
    timed = decode(GURUX_ACCESS_TIME)
    assert isinstance(timed, AccessRequest)
    assert timed.date_time == bytes.fromhex("07E50118FF0E303900FFC400")
    assert timed.date_time_form is DateTimeForm.LENGTH_PREFIXED
    assert timed.datetime is not None and timed.datetime.hour == 14
    assert timed.to_bytes() == GURUX_ACCESS_TIME


def test_gurux_live_interop() -> None:
    gurux = pytest.importorskip("gurux_dlms")
    from gurux_dlms.enums import Conformance, InterfaceType
    from gurux_dlms.enums.AccessServiceCommandType import AccessServiceCommandType
    from gurux_dlms.GXDLMSAccessItem import GXDLMSAccessItem
    from gurux_dlms.objects import GXDLMSClock, GXDLMSData

    client = gurux.GXDLMSClient(True, interfaceType=InterfaceType.WRAPPER)
    client.negotiatedConformance |= Conformance.ACCESS
    items = [
        GXDLMSAccessItem(AccessServiceCommandType.GET, GXDLMSData("0.0.96.1.0.255"), 2),
        GXDLMSAccessItem(AccessServiceCommandType.GET, GXDLMSClock("0.0.1.0.0.255"), 2),
    ]
    (frame,) = client.accessRequest(None, items)
    assert bytes(frame)[8:] == GURUX_ACCESS


def test_all_request_choices() -> None:
    # Access-Request-Specification [1]..[5] (Gurux AccessServiceCommandType GET 1, SET 2,
    # ACTION 3; the selection variants 4 and 5 from the Green Book 8.3 ASN.1).
    selection = SelectiveAccessDescriptor(access_selector=2, access_parameters=axdr.Structure([]))
    method = CosemMethodDescriptor(class_id=70, instance_id=Obis(0, 0, 96, 3, 10), method_id=1)
    request = AccessRequest(
        long_invoke_id_and_priority=LongInvokeIdAndPriority.of(1, confirmed=True),
        access_request_specification=(
            AccessRequestGet(cosem_attribute_descriptor=LDN),
            AccessRequestSet(cosem_attribute_descriptor=CLOCK),
            AccessRequestAction(cosem_method_descriptor=method),
            AccessRequestGetWithSelection(
                cosem_attribute_descriptor=LDN, access_selection=selection
            ),
            AccessRequestSetWithSelection(
                cosem_attribute_descriptor=LDN, access_selection=selection
            ),
        ),
        access_request_list_of_data=(
            None,
            axdr.OctetString(bytes(12)),
            axdr.Integer(0),
            None,
            None,
        ),
    )
    raw = request.to_bytes()
    assert raw[:7] == bytes.fromhex("D9400000010005")
    assert [raw[7], raw[17], raw[27], raw[37]] == [1, 2, 3, 4]
    assert decode(raw) == request


def test_access_response() -> None:
    response = AccessResponse(
        long_invoke_id_and_priority=LongInvokeIdAndPriority(0x40000001),
        access_response_list_of_data=(axdr.LongUnsigned(5), None, None),
        access_response_specification=(
            AccessResponseGet(result=DataAccessResult.SUCCESS),
            AccessResponseSet(result=DataAccessResult.READ_WRITE_DENIED),
            AccessResponseAction(result=ActionResult.OTHER_REASON),
        ),
    )
    raw = response.to_bytes()
    # invoke id, date-time 00, request-specification absent 00, 3 data, 3 results
    assert raw == bytes.fromhex(
        "DA40000001 00 00 03 120005 00 00 03 0100 0203 03FA".replace(" ", "")
    )
    assert decode(raw) == response
    echoed = AccessResponse(
        long_invoke_id_and_priority=LongInvokeIdAndPriority(0x40000001),
        access_request_specification=(AccessRequestGet(cosem_attribute_descriptor=LDN),),
        access_response_list_of_data=(axdr.LongUnsigned(5),),
        access_response_specification=(AccessResponseGet(result=DataAccessResult.SUCCESS),),
    )
    raw = echoed.to_bytes()
    assert raw[5:8] == b"\x00\x01\x01"  # date-time absent, present flag, one spec
    assert decode(raw) == echoed


def test_errors() -> None:
    with pytest.raises(DecodeError, match="access-request-specification choice 0x06"):
        decode(bytes.fromhex("D9400000010001060000"))
    with pytest.raises(DecodeError, match="access-response-specification choice 0x04"):
        decode(bytes.fromhex("DA4000000100000100010400"))
    with pytest.raises(DecodeError, match="access-request-list-of-data has 0"):
        decode(bytes.fromhex("D940000001000101000100006001 00FF0200".replace(" ", "")))
    with pytest.raises(DecodeError, match="presence flag"):
        decode(bytes.fromhex("DA400000010002000000"))
    with pytest.raises(DecodeError, match="access-response-list-of-data has 1"):
        decode(bytes.fromhex("DA4000000100000100 00".replace(" ", "")))
    with pytest.raises(ValueError, match="access-request-list-of-data has 0"):
        AccessRequest(
            long_invoke_id_and_priority=LongInvokeIdAndPriority(0),
            access_request_specification=(AccessRequestGet(cosem_attribute_descriptor=LDN),),
            access_request_list_of_data=(),
        )
    with pytest.raises(ValueError, match="access-request-specification has 1"):
        AccessResponse(
            long_invoke_id_and_priority=LongInvokeIdAndPriority(0),
            access_request_specification=(AccessRequestGet(cosem_attribute_descriptor=LDN),),
            access_response_list_of_data=(),
            access_response_specification=(),
        )
    with pytest.raises(TypeError, match="result"):
        AccessResponseAction(result=DataAccessResult.SUCCESS)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs an access-request-specification"):
        AccessResponse(
            long_invoke_id_and_priority=LongInvokeIdAndPriority(0),
            access_response_list_of_data=(),
            access_response_specification=(),
            access_request_specification_length_form=1,
        )


@given(st.one_of(access_requests(), access_responses()))
def test_round_trip(apdu: AccessRequest) -> None:
    assert_round_trip(apdu)


@given(st.sampled_from([0xD9, 0xDA]), st.binary(max_size=40))
def test_fuzz_random(tag: int, rest: bytes) -> None:
    assert_decodes_or_fails(bytes([tag]) + rest)


@given(st.data())
def test_fuzz_mutated_vectors(data: st.DataObject) -> None:
    buf = bytearray(data.draw(st.sampled_from([GURUX_ACCESS, GURUX_ACCESS_TIME])))
    for _ in range(data.draw(st.integers(1, 3))):
        buf[data.draw(st.integers(1, len(buf) - 1))] = data.draw(st.integers(0, 255))
    assert_decodes_or_fails(bytes(buf[: data.draw(st.integers(1, len(buf)))]))
