"""Tests of the ACTION APDUs (dlmskit.apdu.action): vectors, validation, errors, properties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu._base import decode, registered_tags
from dlmskit.apdu.action import (
    ActionRequestNextPblock,
    ActionRequestNormal,
    ActionRequestWithFirstPblock,
    ActionRequestWithList,
    ActionRequestWithListAndFirstPblock,
    ActionRequestWithPblock,
    ActionResponseNextPblock,
    ActionResponseNormal,
    ActionResponseWithList,
    ActionResponseWithOptionalData,
    ActionResponseWithPblock,
)
from dlmskit.apdu.common import (
    ActionResult,
    CosemMethodDescriptor,
    DataAccessResult,
    InvokeIdAndPriority,
)
from dlmskit.apdu.get import Data
from dlmskit.apdu.set import DataBlockSA
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis
from tests.vectors import item_bytes, record

from .strategies_services import action_apdus, assert_lossless, assert_value_or_decode_error

C0 = InvokeIdAndPriority(0xC0)
C1 = InvokeIdAndPriority(0xC1)
# Association LN 0.0.40.0.0.255, method 1 (reply_to_HLS_authentication)
REPLY_TO_HLS = CosemMethodDescriptor(
    class_id=15, instance_id=Obis(0, 0, 40, 0, 0, 255), method_id=1
)
BLOCK = DataBlockSA(last_block=False, block_number=1, raw_data=b"\x09\x03")


def _exact(data: bytes) -> object:
    apdu = decode(data)
    assert apdu.to_bytes() == data
    return apdu


def test_tags_are_registered() -> None:
    tags = registered_tags()
    assert tags[0xC3] == "action-request"
    assert tags[0xC7] == "action-response"


def test_xdlms_13_action_request_with_parameters() -> None:
    # XDLMS-13 (u9n/dlms-cosem tests/test_xdlms/test_action.py:9): reply_to_HLS with an
    # octet-string(17).
    apdu = _exact(item_bytes("XDLMS", 13))
    assert apdu == ActionRequestNormal(
        invoke_id_and_priority=C0,
        cosem_method_descriptor=REPLY_TO_HLS,
        method_invocation_parameters=Data(
            axdr.OctetString.fromhex("1000001A90E6D2221FA2FD85EED61ACC22")
        ),
    )


def test_xdlms_14_action_request_without_parameters() -> None:
    # XDLMS-14 (u9n/dlms-cosem tests/test_xdlms/test_action.py:26)
    apdu = _exact(item_bytes("XDLMS", 14))
    assert apdu == ActionRequestNormal(
        invoke_id_and_priority=C0, cosem_method_descriptor=REPLY_TO_HLS
    )


def test_xdlms_15_action_response_success() -> None:
    # XDLMS-15 (u9n/dlms-cosem tests/test_xdlms/test_action.py:80): no return parameters.
    apdu = _exact(item_bytes("XDLMS", 15))
    assert apdu == ActionResponseNormal(
        invoke_id_and_priority=C0,
        single_response=ActionResponseWithOptionalData(result=ActionResult.SUCCESS),
    )


def test_xdlms_16_action_response_with_return_data() -> None:
    # XDLMS-16 (u9n/dlms-cosem tests/test_xdlms/test_action.py:108): octet-string(17).
    apdu = _exact(item_bytes("XDLMS", 16))
    assert isinstance(apdu, ActionResponseNormal)
    assert apdu.single_response.result is ActionResult.SUCCESS
    assert apdu.single_response.return_parameters == Data(
        axdr.OctetString.fromhex("1000001AFDE8857B728A3499106AA665D1")
    )


def test_xdlms_17_action_response_other_reason() -> None:
    # XDLMS-17 (u9n/dlms-cosem tests/test_xdlms/test_action.py:144): the return-parameters
    # are the data-access-result alternative, other-reason (FA).
    apdu = _exact(item_bytes("XDLMS", 17))
    assert isinstance(apdu, ActionResponseNormal)
    assert apdu.single_response.return_parameters is DataAccessResult.OTHER_REASON


def test_xdlms_43_hls_reply_from_simulator() -> None:
    # XDLMS-43 (opendlms meter simulator TCP-wrapper trace): f(CtoS) of SEC-01.
    raw = item_bytes("XDLMS", 43)
    apdu = _exact(raw[8:])
    f_ctos = bytes.fromhex(record("SEC-01")["f_CtoS"])
    assert apdu == ActionResponseNormal(
        invoke_id_and_priority=C1,
        single_response=ActionResponseWithOptionalData(
            result=ActionResult.SUCCESS, return_parameters=Data(axdr.OctetString(f_ctos))
        ),
    )


def test_sec_01_pass3_and_pass4_examples() -> None:
    # SEC-01 (Green Book HLS5 GMAC example; u9n/dlms-cosem tests/test_security.py,
    # arabine/opendlms tests/test_aes128gcm.cpp): the pass 3 request carries f(StoC),
    # the pass 4 response f(CtoS).
    sec = record("SEC-01")
    request = _exact(bytes.fromhex(sec["pass3_action_request_example"]))
    assert request == ActionRequestNormal(
        invoke_id_and_priority=C1,
        cosem_method_descriptor=REPLY_TO_HLS,
        method_invocation_parameters=Data(axdr.OctetString.fromhex(sec["f_StoC"])),
    )
    response = _exact(bytes.fromhex(sec["pass4_action_response_example"]))
    assert isinstance(response, ActionResponseNormal)
    assert response.single_response.return_parameters == Data(
        axdr.OctetString.fromhex(sec["f_CtoS"])
    )


def test_absent_and_null_parameters_differ() -> None:
    absent = ActionRequestNormal(invoke_id_and_priority=C1, cosem_method_descriptor=REPLY_TO_HLS)
    null = ActionRequestNormal(
        invoke_id_and_priority=C1,
        cosem_method_descriptor=REPLY_TO_HLS,
        method_invocation_parameters=Data(None),
    )
    assert assert_lossless(absent).endswith(b"\x01\x00")  # method 1, absent
    assert assert_lossless(null).endswith(b"\x01\x01\x00")  # method 1, present, null-data
    assert absent != null
    no_data = ActionResponseWithOptionalData(result=ActionResult.SUCCESS)
    null_data = ActionResponseWithOptionalData(result=0, return_parameters=Data(None))  # type: ignore[arg-type]
    assert null_data.result is ActionResult.SUCCESS
    assert no_data != null_data


@pytest.mark.parametrize(
    ("apdu", "hexstr"),
    [
        # Layouts from the Green Book 9.5 ASN.1 (encoder targets built by hand).
        (ActionRequestNextPblock(invoke_id_and_priority=C1, block_number=2), "C302C1 00000002"),
        (
            ActionRequestWithList(
                invoke_id_and_priority=C1,
                cosem_method_descriptor_list=(REPLY_TO_HLS,),
                method_invocation_parameters=(axdr.Integer(-1),),
            ),
            "C303C1 01 000F 0000280000FF 01 01 0F FF",
        ),
        (
            ActionRequestWithFirstPblock(
                invoke_id_and_priority=C1, cosem_method_descriptor=REPLY_TO_HLS, pblock=BLOCK
            ),
            "C304C1 000F 0000280000FF 01 00 00000001 02 0903",
        ),
        (
            ActionRequestWithListAndFirstPblock(
                invoke_id_and_priority=C1,
                cosem_method_descriptor_list=(REPLY_TO_HLS, REPLY_TO_HLS),
                pblock=BLOCK,
            ),
            "C305C1 02 000F 0000280000FF 01 000F 0000280000FF 01 00 00000001 02 0903",
        ),
        (
            ActionRequestWithPblock(invoke_id_and_priority=C1, pblock=BLOCK),
            "C306C1 00 00000001 02 0903",
        ),
        (
            ActionResponseWithPblock(invoke_id_and_priority=C1, pblock=BLOCK),
            "C702C1 00 00000001 02 0903",
        ),
        (
            ActionResponseWithList(
                invoke_id_and_priority=C1,
                list_of_responses=(
                    ActionResponseWithOptionalData(result=ActionResult.SUCCESS),
                    ActionResponseWithOptionalData(
                        result=ActionResult.OTHER_REASON,
                        return_parameters=DataAccessResult.TEMPORARY_FAILURE,
                    ),
                    ActionResponseWithOptionalData(
                        result=ActionResult.SUCCESS,
                        return_parameters=Data(axdr.Unsigned(7)),
                    ),
                ),
            ),
            "C703C1 03 0000 FA010102 0001001107",
        ),
        (ActionResponseNextPblock(invoke_id_and_priority=C1, block_number=9), "C704C1 00000009"),
    ],
)
def test_layouts(apdu: object, hexstr: str) -> None:
    data = assert_lossless(apdu)  # type: ignore[arg-type]
    assert data == bytes.fromhex(hexstr.replace(" ", ""))


def test_list_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="must be equal"):
        ActionRequestWithList(
            invoke_id_and_priority=C1,
            cosem_method_descriptor_list=(REPLY_TO_HLS,),
            method_invocation_parameters=(),
        )
    data = bytes.fromhex("C303C1 01 000F 0000280000FF 01 02 00 00".replace(" ", ""))
    with pytest.raises(DecodeError, match="must be equal") as info:
        decode(data)
    assert info.value.offset == 13


def test_validation() -> None:
    with pytest.raises(TypeError, match="method-invocation-parameters"):
        ActionRequestNormal(
            invoke_id_and_priority=C1,
            cosem_method_descriptor=REPLY_TO_HLS,
            method_invocation_parameters=axdr.Unsigned(1),  # type: ignore[arg-type]
        )
    with pytest.raises(TypeError, match="cosem-method-descriptor"):
        ActionRequestNormal(invoke_id_and_priority=C1, cosem_method_descriptor=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="return-parameters"):
        ActionResponseWithOptionalData(result=ActionResult.SUCCESS, return_parameters=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="result"):
        ActionResponseWithOptionalData(result=300)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="pblock"):
        ActionRequestWithPblock(invoke_id_and_priority=C1, pblock=b"")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"cosem-method-descriptor-list\[0\]"):
        ActionRequestWithListAndFirstPblock(
            invoke_id_and_priority=C1,
            cosem_method_descriptor_list=(1,),  # type: ignore[arg-type]
            pblock=BLOCK,
        )
    with pytest.raises(ValueError, match="block-number"):
        ActionResponseNextPblock(invoke_id_and_priority=C1, block_number=-1)


@pytest.mark.parametrize(
    ("hexstr", "offset", "message"),
    [
        ("C307C1", 1, "action-request: unknown action-request choice 7"),
        ("C705C1", 1, "action-response: unknown action-response choice 5"),
        ("C301C0000F0000280000FF0102", 12, "presence flag of method-invocation-parameters"),
        ("C701C00002", 4, "presence flag of return-parameters"),
        ("C701C0000102", 5, "unknown Get-Data-Result choice 2"),
        ("C703C10300", 3, "claims 3 item(s)"),
        ("C305C102000F", 3, "claims 2 item(s)"),
        ("C306C10500000001", 3, "last-block is a BOOLEAN"),
    ],
)
def test_decode_errors(hexstr: str, offset: int, message: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode(bytes.fromhex(hexstr))
    assert info.value.offset == offset
    assert message in str(info.value)
    assert str(info.value).startswith(f"at offset {offset}: action-")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(action_apdus())
def test_action_apdus_round_trip(apdu: object) -> None:
    assert_lossless(apdu)  # type: ignore[arg-type]


@settings(max_examples=500)
@given(st.sampled_from([0xC3, 0xC7]), st.binary(max_size=40))
def test_fuzz_random_bodies(tag: int, body: bytes) -> None:
    assert_value_or_decode_error(bytes([tag]) + body)


@settings(max_examples=400)
@given(
    st.sampled_from([13, 14, 15, 16, 17]),
    st.integers(0, 100),
    st.integers(0, 255),
    st.sampled_from(["replace", "insert", "delete"]),
)
def test_fuzz_mutated_vectors(number: int, index: int, byte: int, how: str) -> None:
    data = bytearray(item_bytes("XDLMS", number))
    index %= len(data)
    if how == "replace":
        data[index] = byte
    elif how == "insert":
        data.insert(index, byte)
    else:
        del data[index]
    assert_value_or_decode_error(bytes(data))
