"""Tests of the xDLMS InitiateRequest / InitiateResponse (dlmskit.apdu.initiate)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu._base import decode
from dlmskit.apdu.initiate import (
    VAA_NAME_LN,
    VAA_NAME_SN,
    Conformance,
    InitiateRequest,
    InitiateResponse,
)
from dlmskit.errors import DecodeError
from tests.apdu.strategies_acse import initiate_requests, initiate_responses
from tests.vectors import item_bytes, record

LN_CONFORMANCE = 0x007E1F


def test_conformance_bit_numbering() -> None:
    # Green Book Conformance: bit 0 is the MSB of the first of the three octets.
    assert int(Conformance.RESERVED_ZERO) == 0x800000
    assert int(Conformance.READ) == 0x100000
    assert int(Conformance.ATTRIBUTE0_SUPPORTED_WITH_SET) == 0x008000
    assert int(Conformance.DATA_NOTIFICATION) == 0x000080
    assert int(Conformance.GET) == 0x000010
    assert int(Conformance.ACTION) == 0x000001
    assert len(Conformance.__members__) == 24
    assert sorted(int(m) for m in Conformance) == [1 << n for n in range(24)]
    assert Conformance.from_bit_numbers(3, 19, 23) == (
        Conformance.READ | Conformance.GET | Conformance.ACTION
    )
    # 007E1F (u9n dlms-cosem's LN default) = bits 9-14 and 19-23.
    assert Conformance(LN_CONFORMANCE).bit_numbers() == (9, 10, 11, 12, 13, 14, 19, 20, 21, 22, 23)
    with pytest.raises(ValueError, match="bit number"):
        Conformance.from_bit_numbers(24)


def test_xdlms_19_initiate_request_without_key() -> None:
    # XDLMS-19, u9n/dlms-cosem tests/test_xdlms/test_initiate.py:8
    raw = item_bytes("XDLMS", 19)
    apdu = decode(raw)
    assert apdu == InitiateRequest(
        proposed_dlms_version_number=6,
        proposed_conformance=Conformance(LN_CONFORMANCE),
        client_max_receive_pdu_size=1200,
    )
    assert isinstance(apdu, InitiateRequest)
    assert apdu.dedicated_key is None and apdu.response_allowed is None
    assert apdu.allows_response and apdu.proposed_quality_of_service is None
    assert Conformance.GET in apdu.proposed_conformance
    assert apdu.to_bytes() == raw


def test_xdlms_20_initiate_request_with_dedicated_key() -> None:
    # XDLMS-20, u9n/dlms-cosem tests/test_xdlms/test_initiate.py:72
    raw = item_bytes("XDLMS", 20)
    apdu = decode(raw)
    assert isinstance(apdu, InitiateRequest)
    assert apdu.dedicated_key == bytes.fromhex("00112233445566778899AABBCCDDEEFF")
    assert isinstance(apdu.dedicated_key, axdr.OctetString)
    assert apdu.proposed_conformance == LN_CONFORMANCE
    assert apdu.client_max_receive_pdu_size == 0x04B0
    assert apdu.to_bytes() == raw
    # DESIGN rule 10: the key never shows in a repr.
    assert "00112233" not in repr(apdu).upper()
    assert "redacted 16 bytes" in repr(apdu)


def test_sec_03_decrypted_initiate_request() -> None:
    # SEC-03 decrypted_initiate_request, u9n/dlms-cosem tests/test_asce/test_aarq.py
    raw = bytes.fromhex(record("SEC-03")["decrypted_initiate_request"])
    apdu = decode(raw)
    assert isinstance(apdu, InitiateRequest)
    assert apdu.dedicated_key is not None and len(apdu.dedicated_key) == 16
    assert apdu.to_bytes() == raw


def test_xdlms_21_initiate_response() -> None:
    # XDLMS-21, u9n/dlms-cosem tests/test_xdlms/test_initiate.py:144
    raw = item_bytes("XDLMS", 21)
    apdu = decode(raw)
    assert apdu == InitiateResponse(
        negotiated_dlms_version_number=6,
        negotiated_conformance=Conformance(0x00501F),
        server_max_receive_pdu_size=0x01F4,
        vaa_name=VAA_NAME_LN,
    )
    assert apdu.to_bytes() == raw


def test_xdlms_22_initiate_response_with_quality_of_service() -> None:
    # XDLMS-22, u9n/dlms-cosem tests/test_xdlms/test_initiate.py:200
    raw = item_bytes("XDLMS", 22)
    apdu = decode(raw)
    assert isinstance(apdu, InitiateResponse)
    assert apdu.negotiated_quality_of_service == 0
    assert apdu.negotiated_conformance == 0x001E1D
    assert apdu.server_max_receive_pdu_size == 0x04C8
    assert apdu.to_bytes() == raw


def test_sec_04_decrypted_initiate_response() -> None:
    # SEC-04 decrypted_initiate_response, u9n/dlms-cosem tests/test_asce/test_rlre.py
    raw = bytes.fromhex(record("SEC-04")["decrypted_initiate_response"])
    apdu = decode(raw)
    assert isinstance(apdu, InitiateResponse)
    assert (apdu.negotiated_conformance, apdu.server_max_receive_pdu_size) == (0x007C1F, 0x400)
    assert apdu.to_bytes() == raw


def test_response_allowed_and_quality_of_service_encodings() -> None:
    base: dict[str, Any] = {
        "proposed_conformance": Conformance.GET,
        "client_max_receive_pdu_size": 0x400,
    }
    explicit_true = InitiateRequest(response_allowed=True, **base)
    explicit_false = InitiateRequest(response_allowed=False, **base)
    qos = InitiateRequest(proposed_quality_of_service=-1, **base)
    assert explicit_true.to_bytes() == bytes.fromhex("01 00 0101 00 06 5F1F0400000010 0400")
    assert explicit_false.to_bytes()[1:4] == b"\x00\x01\x00"
    assert not explicit_false.allows_response
    assert qos.to_bytes()[1:5] == b"\x00\x00\x01\xff"
    for apdu in (explicit_true, explicit_false, qos):
        assert decode(apdu.to_bytes()) == apdu


def test_short_name_vaa() -> None:
    apdu = InitiateResponse(
        negotiated_conformance=Conformance.READ | Conformance.WRITE,
        server_max_receive_pdu_size=0x200,
        vaa_name=VAA_NAME_SN,
    )
    assert apdu.to_bytes().endswith(b"\x02\x00\xfa\x00")
    assert decode(apdu.to_bytes()) == apdu


def test_construction_is_validated() -> None:
    with pytest.raises(ValueError, match="client-max-receive-pdu-size"):
        InitiateRequest(proposed_conformance=Conformance.GET, client_max_receive_pdu_size=70000)
    with pytest.raises(ValueError, match="proposed-conformance"):
        InitiateRequest(proposed_conformance=1 << 24, client_max_receive_pdu_size=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="proposed-quality-of-service"):
        InitiateRequest(
            proposed_quality_of_service=128,
            proposed_conformance=Conformance.GET,
            client_max_receive_pdu_size=1,
        )
    with pytest.raises(TypeError, match="response-allowed"):
        InitiateRequest(
            response_allowed=1,  # type: ignore[arg-type]
            proposed_conformance=Conformance.GET,
            client_max_receive_pdu_size=1,
        )
    with pytest.raises(TypeError, match="dedicated-key"):
        InitiateRequest(
            dedicated_key="key",  # type: ignore[arg-type]
            proposed_conformance=Conformance.GET,
            client_max_receive_pdu_size=1,
        )
    with pytest.raises(ValueError, match="vaa-name"):
        InitiateResponse(
            negotiated_conformance=Conformance.GET, server_max_receive_pdu_size=1, vaa_name=-1
        )
    # Plain ints and bytes are coerced to the field types.
    apdu = InitiateRequest(
        dedicated_key=b"k" * 16,  # type: ignore[arg-type]
        proposed_conformance=0x10,  # type: ignore[arg-type]
        client_max_receive_pdu_size=1,
    )
    assert type(apdu.proposed_conformance) is Conformance
    assert isinstance(apdu.dedicated_key, axdr.OctetString)


@pytest.mark.parametrize(
    ("hex_", "match"),
    [
        ("01000000065F1F0300007E1F04B0", "5F 1F 04 00"),  # wrong conformance length
        ("01000000065F1F0401007E1F04B0", "5F 1F 04 00"),  # unused bits
        ("01000200065F1F0400007E1F04B0", "presence flag of response-allowed"),
        ("01000102065F1F0400007E1F04B0", "response-allowed must be 00 or 01"),
        ("0100000006", "proposed-conformance"),
        ("01011000", "dedicated-key"),
        ("0800065F1F040000501F01F400", "vaa-name"),
    ],
)
def test_malformed_initiate(hex_: str, match: str) -> None:
    with pytest.raises(DecodeError, match=match):
        decode(bytes.fromhex(hex_))


def test_long_form_key_length_is_kept() -> None:
    raw = bytes.fromhex("0101811000112233445566778899AABBCCDDEEFF0000065F1F0400001E1D0400")
    apdu = decode(raw)
    assert isinstance(apdu, InitiateRequest)
    assert apdu.dedicated_key is not None and apdu.dedicated_key.length_form == 1
    assert apdu.to_bytes() == raw


@given(st.one_of(initiate_requests(), initiate_responses()))
def test_round_trip(apdu: InitiateRequest | InitiateResponse) -> None:
    raw = apdu.to_bytes()
    again = decode(raw)
    assert again == apdu
    assert again.to_bytes() == raw
    with pytest.raises(DecodeError):
        decode(raw + b"\x00")
    for end in range(len(raw)):
        with pytest.raises(DecodeError):
            decode(raw[:end])


@settings(max_examples=300)
@given(st.sampled_from([0x01, 0x08]), st.binary(max_size=40))
def test_fuzz(tag: int, body: bytes) -> None:
    raw = bytes([tag]) + body
    try:
        apdu = decode(raw)
    except DecodeError:
        return
    assert apdu.to_bytes() == raw
