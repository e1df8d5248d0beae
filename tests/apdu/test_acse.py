"""Tests of the ACSE APDUs AARQ, AARE, RLRQ, RLRE (dlmskit.apdu.acse)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlmskit import axdr, translate
from dlmskit.apdu._base import Apdu, decode, registered_tags
from dlmskit.apdu.acse import (
    AARE,
    AARQ,
    ACSE_REQUIREMENTS_AUTHENTICATION,
    PROTOCOL_VERSION_1,
    RLRE,
    RLRQ,
    AcseServiceProvider,
    AcseServiceUser,
    ApplicationContextName,
    AssociationResult,
    AuthenticationValue,
    AuthenticationValueChoice,
    LengthForm,
    MechanismName,
    ReleaseRequestReason,
    ReleaseResponseReason,
)
from dlmskit.apdu.errors import ConfirmedService, ConfirmedServiceError, Initiate
from dlmskit.apdu.initiate import Conformance, InitiateRequest, InitiateResponse
from dlmskit.errors import DecodeError
from tests.apdu.strategies_acse import acse_apdus
from tests.vectors import item_bytes, record

LN = ApplicationContextName.LOGICAL_NAME_REFERENCING_NO_CIPHERING.oid
LN_CIPHERED = ApplicationContextName.LOGICAL_NAME_REFERENCING_WITH_CIPHERING.oid


def _decode(raw: bytes) -> Apdu:
    apdu = decode(raw)
    assert apdu.to_bytes() == raw  # every vector re-encodes byte-exact
    return apdu


def _aarq(raw: bytes) -> AARQ:
    apdu = _decode(raw)
    assert isinstance(apdu, AARQ)
    return apdu


def _aare(raw: bytes) -> AARE:
    apdu = _decode(raw)
    assert isinstance(apdu, AARE)
    return apdu


# -- identifiers -------------------------------------------------------------------------


def test_context_and_mechanism_oids() -> None:
    # Green Book 9.4.2.2.2 / 9.4.2.2.3: 2.16.756.5.8.1.x and 2.16.756.5.8.2.x
    assert [c.oid for c in ApplicationContextName] == [
        "2.16.756.5.8.1.1",
        "2.16.756.5.8.1.2",
        "2.16.756.5.8.1.3",
        "2.16.756.5.8.1.4",
    ]
    assert MechanismName.HIGH_LEVEL_SECURITY_GMAC.oid == "2.16.756.5.8.2.5"
    assert MechanismName.from_oid("2.16.756.5.8.2.7") is MechanismName.HIGH_LEVEL_SECURITY_ECDSA
    assert MechanismName.from_oid("2.16.756.5.8.2.8") is None
    assert ApplicationContextName.from_oid("1.2.3") is None
    assert ApplicationContextName.from_oid("2.16.756.5.8.1.x") is None


# -- AARQ vectors --------------------------------------------------------------------------


def test_acse_01_aarq_no_security() -> None:
    # ACSE-01, u9n/dlms-cosem tests/test_asce/test_aarq.py:16
    aarq = _aarq(item_bytes("ACSE", 1))
    assert aarq == AARQ(
        application_context_name=LN,
        user_information=InitiateRequest(
            proposed_conformance=Conformance(0x007E1F), client_max_receive_pdu_size=0x04B0
        ),
    )
    assert aarq.application_context is ApplicationContextName.LOGICAL_NAME_REFERENCING_NO_CIPHERING
    assert aarq.mechanism is None and aarq.length_forms == ()


def test_acse_02_aarq_encoder_target() -> None:
    # ACSE-02 ("encoder expected"), u9n/dlms-cosem tests/test_asce/test_aarq.py:78
    built = AARQ(
        application_context_name=LN,
        user_information=InitiateRequest(
            proposed_conformance=Conformance(0x001E1D), client_max_receive_pdu_size=0xFFFF
        ),
    )
    assert built.to_bytes() == item_bytes("ACSE", 2)
    assert _aarq(item_bytes("ACSE", 2)) == built


@pytest.mark.parametrize(
    ("number", "mechanism", "secret"),
    [
        (3, MechanismName.LOW_LEVEL_SECURITY, b"12345678"),  # u9n test_aarq.py:23
        (4, MechanismName.HIGH_LEVEL_SECURITY_GMAC, b"K56iVagY"),  # u9n test_aarq.py:32
        (5, MechanismName.HIGH_LEVEL_SECURITY, b"12345678"),  # u9n test_aarq.py:66
        # The label's 'AAAAAA' is the hex of the three octets AA AA AA.
        (11, MechanismName.LOW_LEVEL_SECURITY, b"\xaa\xaa\xaa"),  # opendlms aarq_icube_ezreader
    ],
)
def test_acse_aarq_with_authentication(
    number: int, mechanism: MechanismName, secret: bytes
) -> None:
    # ACSE-03/04/05/11 (sources above)
    raw = item_bytes("ACSE", number)
    aarq = _aarq(raw)
    assert aarq.sender_acse_requirements == ACSE_REQUIREMENTS_AUTHENTICATION
    assert aarq.mechanism is mechanism
    assert aarq.calling_authentication_value == AuthenticationValue.charstring(secret)
    assert aarq.calling_authentication_value.choice is AuthenticationValueChoice.CHARSTRING
    assert isinstance(aarq.user_information, InitiateRequest)
    # DESIGN rule 10: the password is not in the repr, yet it is there as a value.
    text = repr(aarq)
    assert repr(secret)[2:-1] not in text and secret.hex() not in text.lower()
    assert f"redacted {len(secret)} bytes" in text


def test_acse_03_built_by_hand() -> None:
    # ACSE-03, u9n/dlms-cosem tests/test_asce/test_aarq.py:23: the encoder reproduces it.
    built = AARQ(
        application_context_name=LN,
        sender_acse_requirements=ACSE_REQUIREMENTS_AUTHENTICATION,
        mechanism_name=MechanismName.LOW_LEVEL_SECURITY.oid,
        calling_authentication_value=AuthenticationValue.charstring(b"12345678"),
        user_information=InitiateRequest(
            proposed_conformance=Conformance(0x007E1F), client_max_receive_pdu_size=0x04B0
        ),
    )
    assert built.to_bytes() == item_bytes("ACSE", 3)


def test_acse_12_calling_ap_title() -> None:
    # ACSE-12, arabine/opendlms tests/test_association.cpp:aarq_python_lib
    aarq = _aarq(item_bytes("ACSE", 12))
    assert aarq.calling_ap_title == bytes.fromhex("757469E9435A4E0A")
    assert aarq.mechanism_name is None
    assert isinstance(aarq.user_information, InitiateRequest)
    assert aarq.user_information.proposed_conformance == 0x20525F


def test_xdlms_29_and_42_wrapped_aarqs() -> None:
    # XDLMS-29 / XDLMS-42: TCP-wrapper trace against the arabine/opendlms meter simulator
    # @ 8cf92553a68a; the 8-byte wrapper header is stripped.
    plain = _aarq(item_bytes("XDLMS", 29)[8:])
    assert plain.mechanism_name is None
    assert isinstance(plain.user_information, InitiateRequest)
    assert plain.user_information.proposed_conformance == 0x62FEDF
    hls = _aarq(item_bytes("XDLMS", 42)[8:])
    assert hls.calling_ap_title == bytes.fromhex("4D4D4D0000000001")
    assert hls.mechanism is MechanismName.HIGH_LEVEL_SECURITY_GMAC
    assert hls.calling_authentication_value == AuthenticationValue.charstring(b"K56iVagY")


def test_sec_03_ciphered_aarq_keeps_the_glo_initiate_request() -> None:
    # SEC-03, u9n/dlms-cosem tests/test_asce/test_aarq.py (test_parse_ciphered_low_security2)
    rec = record("SEC-03")
    aarq = _aarq(bytes.fromhex(rec["aarq"]))
    assert (
        aarq.application_context is ApplicationContextName.LOGICAL_NAME_REFERENCING_WITH_CIPHERING
    )
    assert aarq.calling_ap_title == bytes.fromhex(rec["ST"])
    assert aarq.mechanism is MechanismName.LOW_LEVEL_SECURITY
    assert aarq.calling_authentication_value == AuthenticationValue.charstring(b"12345678")
    inner = bytes.fromhex(rec["glo_initiate_request"])
    info = aarq.user_information
    # Raw bytes while no decoder is registered for 0x21; the typed APDU once one is.
    if 0x21 in registered_tags():
        assert isinstance(info, Apdu) and info.to_bytes() == inner
    else:
        assert info == inner and type(info) is bytes


def test_sec_06_vendor_hls2_aarq_and_aare() -> None:
    # SEC-06, arabine/opendlms tests/test_association.cpp (aarq_saphir_enerdis, aare_saphir_enerdis)
    rec = record("SEC-06")
    aarq = _aarq(bytes.fromhex(rec["aarq"]))
    assert aarq.mechanism is MechanismName.HIGH_LEVEL_SECURITY
    assert aarq.calling_authentication_value is not None
    assert aarq.calling_authentication_value.value == bytes.fromhex("6E2A3834582A202F")
    request = aarq.user_information
    assert isinstance(request, InitiateRequest)
    assert request.response_allowed is True  # sent explicitly: 01 01
    assert request.proposed_conformance == 0x00BE1D
    aare = _aare(bytes.fromhex(rec["aare"]))
    assert aare.result is AssociationResult.ACCEPTED
    assert aare.result_source_diagnostic is AcseServiceUser.AUTHENTICATION_REQUIRED
    assert aare.responding_authentication_value == AuthenticationValue.charstring(
        bytes.fromhex(rec["StoC"])
    )
    assert rec["StoC"].lower() not in repr(aare).lower()


# -- AARE vectors --------------------------------------------------------------------------


def test_acse_06_aare_accepted() -> None:
    # ACSE-06, u9n/dlms-cosem tests/test_asce/test_aare.py:14
    aare = _aare(item_bytes("ACSE", 6))
    assert aare == AARE(
        application_context_name=LN,
        result=AssociationResult.ACCEPTED,
        result_source_diagnostic=AcseServiceUser.NULL,
        user_information=InitiateResponse(
            negotiated_conformance=Conformance(0x00501F), server_max_receive_pdu_size=0x01F4
        ),
    )


def test_acse_07_aare_rejected_context() -> None:
    # ACSE-07, u9n/dlms-cosem tests/test_asce/test_aare.py:27
    aare = _aare(item_bytes("ACSE", 7))
    assert aare.result is AssociationResult.REJECTED_PERMANENT
    assert aare.result_source_diagnostic is AcseServiceUser.APPLICATION_CONTEXT_NAME_NOT_SUPPORTED


@pytest.mark.parametrize(
    ("number", "diagnostic", "error"),
    [
        # ACSE-08, u9n/dlms-cosem tests/test_asce/test_aare.py:40
        (8, AcseServiceUser.NO_REASON_GIVEN, Initiate.DLMS_VERSION_TOO_LOW),
        # ACSE-18, arabine/opendlms tests/test_association.cpp (comment)
        (18, AcseServiceUser.NO_REASON_GIVEN, Initiate.REFUSED_BY_THE_VDE_HANDLER),
    ],
)
def test_aare_rejected_with_confirmed_service_error(
    number: int, diagnostic: AcseServiceUser, error: Initiate
) -> None:
    aare = _aare(item_bytes("ACSE", number))
    assert aare.result is AssociationResult.REJECTED_PERMANENT
    assert aare.result_source_diagnostic is diagnostic
    assert aare.user_information == ConfirmedServiceError(
        confirmed_service=ConfirmedService.INITIATE_ERROR, service_error=error
    )


@pytest.mark.parametrize("number", [9, 13])
def test_aare_hls_challenge(number: int) -> None:
    # ACSE-09 (u9n/dlms-cosem test_aare.py:58), ACSE-13 (opendlms aare_hls_ok)
    aare = _aare(item_bytes("ACSE", number))
    assert aare.result is AssociationResult.ACCEPTED
    assert aare.result_source_diagnostic is AcseServiceUser.AUTHENTICATION_REQUIRED
    assert aare.responder_acse_requirements == ACSE_REQUIREMENTS_AUTHENTICATION
    assert aare.mechanism is MechanismName.HIGH_LEVEL_SECURITY_GMAC
    assert aare.responding_authentication_value == AuthenticationValue.charstring(b"P6wRJ21F")
    if number == 13:
        assert aare.responding_ap_title == b"ABCDEFGH"
        assert isinstance(aare.user_information, InitiateResponse)
        assert aare.user_information.negotiated_quality_of_service == 0


@pytest.mark.parametrize(
    ("number", "conformance", "size"),
    [
        (10, 0x001E1D, 0x04C8),  # u9n/dlms-cosem test_aare.py:73
        (15, 0x00181D, 0x0200),  # opendlms aare_auth_ok_simple
    ],
)
def test_aare_accepted_negotiation(number: int, conformance: int, size: int) -> None:
    aare = _aare(item_bytes("ACSE", number))
    response = aare.user_information
    assert isinstance(response, InitiateResponse)
    assert (response.negotiated_conformance, response.server_max_receive_pdu_size) == (
        conformance,
        size,
    )


def test_acse_14_non_minimal_length_and_explicit_protocol_version() -> None:
    # ACSE-14, arabine/opendlms tests/test_association.cpp:aare_no_auth_ok: 61 82 00 3A and
    # protocol-version 80 02 07 80; both must survive re-encoding.
    raw = item_bytes("ACSE", 14)
    aare = _aare(raw)
    assert aare.length_forms == (LengthForm(tlv="aare", octets=2),)
    assert aare.protocol_version == PROTOCOL_VERSION_1
    assert aare.mechanism is MechanismName.LOW_LEVEL_SECURITY
    assert isinstance(aare.user_information, InitiateResponse)
    assert aare.user_information.server_max_receive_pdu_size == 0x2134
    minimal = dataclasses.replace(aare, length_forms=())
    assert minimal.to_bytes() == b"\x61\x3a" + raw[4:]


def test_acse_16_17_rejected_mechanism() -> None:
    # ACSE-16 (opendlms aare_saphir_ko), ACSE-17 (opendlms comment: no user-information)
    with_info = _aare(item_bytes("ACSE", 16))
    assert with_info.result_source_diagnostic is (
        AcseServiceUser.AUTHENTICATION_MECHANISM_NAME_NOT_RECOGNISED
    )
    assert with_info.mechanism is MechanismName.HIGH_LEVEL_SECURITY
    without = _aare(item_bytes("ACSE", 17))
    assert without.user_information is None
    assert without.result is AssociationResult.REJECTED_PERMANENT
    assert without.length_forms == (LengthForm(tlv="aare", octets=2),)


def test_xdlms_30_wrapped_aare() -> None:
    # XDLMS-30: TCP-wrapper trace against the arabine/opendlms meter simulator @ 8cf92553a68a
    aare = _aare(item_bytes("XDLMS", 30)[8:])
    assert isinstance(aare.user_information, InitiateResponse)
    assert aare.user_information.negotiated_conformance == 0x001010


def test_acse_service_provider_diagnostic() -> None:
    aare = AARE(
        application_context_name=LN,
        result=AssociationResult.REJECTED_TRANSIENT,
        result_source_diagnostic=AcseServiceProvider.NO_COMMON_ACSE_VERSION,
    )
    raw = aare.to_bytes()
    assert bytes.fromhex("A305A203020102") in raw  # [3] { acse-service-provider [2] 2 }
    again = decode(raw)
    assert again == aare
    assert isinstance(again, AARE)
    assert type(again.result_source_diagnostic) is AcseServiceProvider


# -- RLRQ / RLRE ---------------------------------------------------------------------------


def test_sec_04_release_with_ciphered_and_plain_initiate() -> None:
    # SEC-04, u9n/dlms-cosem tests/test_asce/test_rlrq.py, tests/test_asce/test_rlre.py
    rec = record("SEC-04")
    rlrq = _decode(bytes.fromhex(rec["rlrq"]))
    assert isinstance(rlrq, RLRQ) and rlrq.reason is ReleaseRequestReason.NORMAL
    rlre = _decode(bytes.fromhex(rec["rlre"]))
    assert isinstance(rlre, RLRE) and rlre.reason is ReleaseResponseReason.NORMAL
    if 0x28 not in registered_tags():
        assert rlre.user_information == bytes.fromhex(rec["rlre_glo_initiate_response"])
    assert _decode(bytes.fromhex(rec["rlrq_plain"])) == RLRQ(reason=ReleaseRequestReason.NORMAL)
    assert _decode(bytes.fromhex(rec["rlre_plain"])) == RLRE(reason=ReleaseResponseReason.NORMAL)
    plain = _decode(bytes.fromhex(rec["rlre_with_plain_initiate_response"]))
    assert isinstance(plain, RLRE)
    assert plain.user_information == InitiateResponse(
        negotiated_quality_of_service=0,
        negotiated_conformance=Conformance(0x001E1D),
        server_max_receive_pdu_size=0x04C8,
    )


def test_xdlms_40_41_wrapped_release() -> None:
    # XDLMS-40 / XDLMS-41: TCP-wrapper trace against the opendlms meter simulator @ 8cf92553a68a
    assert _decode(item_bytes("XDLMS", 40)[8:]) == RLRQ()  # 62 00: no fields at all
    assert _decode(item_bytes("XDLMS", 41)[8:]) == RLRE(reason=ReleaseResponseReason.NORMAL)


def test_release_reasons() -> None:
    urgent = RLRQ(reason=ReleaseRequestReason.URGENT)
    assert urgent.to_bytes() == bytes.fromhex("6203800101")
    assert RLRE(reason=ReleaseResponseReason.USER_DEFINED).to_bytes() == bytes.fromhex("630380011E")
    odd = decode(bytes.fromhex("6203800107"))
    assert isinstance(odd, RLRQ) and odd.reason == 7 and odd.reason is not None
    assert not odd.reason.known
    assert RLRQ(reason=1).reason is ReleaseRequestReason.URGENT  # type: ignore[arg-type]


# -- length forms --------------------------------------------------------------------------


def test_length_forms_everywhere_round_trip() -> None:
    # Raw user-information: a first byte no decoder is registered for.
    free = min(set(range(0x20, 0x100)) - set(registered_tags()) - {0x60, 0x61, 0x62, 0x63})
    aarq = AARQ(
        application_context_name=LN,
        calling_ap_title=b"12345678",
        user_information=bytes([free, 0]),
        length_forms=(
            LengthForm(tlv="user_information.inner", octets=3),
            LengthForm(tlv="aarq", octets=1),
            LengthForm(tlv="application_context_name.inner", octets=4),
        ),
    )
    # Normalised to wire order.
    assert [f.tlv for f in aarq.length_forms] == [
        "aarq",
        "application_context_name.inner",
        "user_information.inner",
    ]
    raw = aarq.to_bytes()
    assert raw.startswith(bytes.fromhex("6081"))
    assert bytes.fromhex("A10D06840000000760857405080101") in raw
    assert raw.endswith(bytes.fromhex("BE0704830000 02") + bytes([free, 0]))
    assert decode(raw) == aarq


def test_length_form_validation() -> None:
    big = InitiateRequest(
        dedicated_key=axdr.OctetString(bytes(200)),
        proposed_conformance=Conformance.GET,
        client_max_receive_pdu_size=1,
    )
    with pytest.raises(ValueError, match="minimal"):
        AARQ(
            application_context_name=LN,
            user_information=big,
            length_forms=(LengthForm(tlv="user_information.inner", octets=1),),
        )
    with pytest.raises(ValueError, match=r"does not fit|too short|fit"):
        AARQ(
            application_context_name=LN,
            length_forms=(LengthForm(tlv="aarq", octets=1),),
            user_information=InitiateRequest(
                dedicated_key=axdr.OctetString(bytes(300)),
                proposed_conformance=Conformance.GET,
                client_max_receive_pdu_size=1,
            ),
        )
    with pytest.raises(ValueError, match="does not have"):
        AARQ(
            application_context_name=LN, length_forms=(LengthForm(tlv="mechanism_name", octets=1),)
        )
    with pytest.raises(ValueError, match="twice"):
        AARQ(
            application_context_name=LN,
            length_forms=(LengthForm(tlv="aarq", octets=1), LengthForm(tlv="aarq", octets=2)),
        )
    with pytest.raises(ValueError, match=r"1\.\.4"):
        LengthForm(tlv="aarq", octets=0)


# -- construction rules --------------------------------------------------------------------


def test_construction_is_validated() -> None:
    with pytest.raises(ValueError, match="object identifier"):
        AARQ(application_context_name="3.1")
    with pytest.raises(ValueError, match="canonical"):
        AARQ(application_context_name="2.16.0756.5.8.1.1")
    with pytest.raises(TypeError, match="application_context_name"):
        AARQ(application_context_name=(2, 16))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="calling_ap_title"):
        AARQ(application_context_name=LN, calling_ap_title="title")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="called_ap_invocation_id"):
        AARQ(application_context_name=LN, called_ap_invocation_id=True)
    with pytest.raises(TypeError, match="BitString"):
        AARQ(application_context_name=LN, protocol_version=b"\x07\x80")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="GraphicString"):
        AARQ(application_context_name=LN, implementation_information="\u20ac")
    with pytest.raises(TypeError, match="AcseServiceUser or an AcseServiceProvider"):
        AARE(
            application_context_name=LN,
            result=AssociationResult.ACCEPTED,
            result_source_diagnostic=0,  # type: ignore[arg-type]
        )
    with pytest.raises(ValueError):
        AARE(
            application_context_name=LN,
            result=-1,  # type: ignore[arg-type]
            result_source_diagnostic=AcseServiceUser.NULL,
        )
    # user-information: an xDLMS APDU, or raw bytes only for an unregistered first byte.
    with pytest.raises(ValueError, match="pass the decoded APDU"):
        AARQ(
            application_context_name=LN,
            user_information=bytes.fromhex("01000000065F1F0400007E1F04B0"),
        )
    with pytest.raises(TypeError, match="xDLMS"):
        RLRQ(user_information=RLRQ())
    with pytest.raises(ValueError, match="ACSE"):
        RLRQ(user_information=b"\x60\x00")
    assert RLRQ(user_information=bytearray(b"")).user_information == b""  # type: ignore[arg-type]


def test_authentication_value_alternatives() -> None:
    bits = AuthenticationValue(value=b"\x04\xf0", choice=AuthenticationValueChoice.BITSTRING)
    external = AuthenticationValue(
        value=bytes.fromhex("0603608574020100"), choice=AuthenticationValueChoice.EXTERNAL
    )
    for value in (bits, external):
        aarq = AARQ(application_context_name=LN, calling_authentication_value=value)
        again = decode(aarq.to_bytes())
        assert again == aarq
    assert (
        AARQ(application_context_name=LN, calling_authentication_value=bits)
        .to_bytes()
        .endswith(bytes.fromhex("AC0481 0204F0".replace(" ", "")))
    )
    with pytest.raises(ValueError, match="bitstring"):
        AuthenticationValue(value=b"\x08", choice=AuthenticationValueChoice.BITSTRING)
    with pytest.raises(ValueError, match="BER components"):
        AuthenticationValue(value=b"\x06\x05", choice=AuthenticationValueChoice.OTHER)
    with pytest.raises(TypeError):
        AuthenticationValue(value="secret")  # type: ignore[arg-type]


# -- decoding refusals ---------------------------------------------------------------------


def _t(tag: str, *content: str) -> str:
    """One BER TLV in hex: ``tag``, a short-form length, the contents."""
    body = "".join(content)
    return f"{tag}{len(body) // 2:02X}{body}"


_CONTEXT = _t("A1", _t("06", "60857405080101"))
_ACCEPTED = _t("A2", _t("02", "00")) + _t("A3", _t("A1", _t("02", "00")))


@pytest.mark.parametrize(
    ("hex_", "match"),
    [
        (_t("60"), "mandatory application_context_name"),
        (_t("61", _CONTEXT), "mandatory result"),
        (_t("61", _CONTEXT, _t("A2", _t("02", "00"))), "mandatory result_source_diagnostic"),
        (_t("60", _CONTEXT, _t("8A", "0780"), _CONTEXT), "repeated or out of order"),
        (_t("60", _CONTEXT, _CONTEXT), "repeated or out of order"),
        (_t("60", _CONTEXT, _t("A4")), "exactly one \\[UNIVERSAL 2\\]"),
        (_t("60", _CONTEXT, _t("A4", _t("02", "01"), _t("02", "01"))), "exactly one"),
        (_t("60", _CONTEXT, _t("AD")), "unexpected \\[13\\]"),
        (_t("60", _CONTEXT, _t("41")), "unexpected \\[APPLICATION 1\\]"),
        (_t("60", _t("A1", _t("04", "00"))), "exactly one \\[UNIVERSAL 6\\]"),
        (_t("60", _t("A1", _t("06", "6080"))), "object identifier"),
        (_t("60", _CONTEXT, _t("A4", _t("02", "0001"))), "non-minimal INTEGER"),
        (_t("60", _CONTEXT, _t("A4", _t("02", "FF80"))), "non-minimal INTEGER"),
        (_t("60", _CONTEXT, _t("A4", _t("02"))), "empty INTEGER"),
        (_t("60", _CONTEXT, _t("AC", _t("A0", _t("04", "00")))), "charstring must be primitive"),
        (_t("60", _CONTEXT, _t("AC", _t("82", "00"))), "external must be constructed"),
        (_t("60", _CONTEXT, _t("AC", _t("84", "AAAA"))), "unknown calling_authentication_value"),
        (_t("60", _CONTEXT, _t("AC")), "exactly one alternative"),
        (_t("60", _CONTEXT, _t("AC", _t("81", "08"))), "unused bits|BIT STRING"),
        (_t("60", _CONTEXT, _t("AA")), "must be primitive"),
        (_t("60", _CONTEXT, _t("8B", "")), "empty object identifier"),
        (_t("60", _CONTEXT, _t("BE", _t("24", _t("04", "00")))), "exactly one"),
        (_t("60", _CONTEXT, _t("BE", _t("04", "6000"))), "ACSE APDU"),
        (_t("60", _CONTEXT, _t("BE", _t("04", "01FF"))), "initiate-request"),
        (_t("60", _CONTEXT, _t("BE", _t("04", "0E0106"))), "service-error value"),
        (_t("60", _CONTEXT, _t("BE", _t("04", "0E01060100"))), "trailing"),
        (_t("61", _CONTEXT, _t("A2", _t("02", "0100")), _ACCEPTED[10:]), "result 256"),
        (_t("61", _CONTEXT, _ACCEPTED[:10], _t("A3")), "exactly one alternative"),
        (
            _t("61", _CONTEXT, _ACCEPTED[:10], _t("A3", _t("A3", _t("02", "00")))),
            "unknown result_source",
        ),
        (_t("61", _CONTEXT, _ACCEPTED[:10], _t("A3", _t("81", "00"))), "unknown result_source"),
        (_t("62", _t("80", "FF")), "reason -1 is out of range"),
        ("6080", "indefinite"),
        ("600C" + _CONTEXT, "exceeds"),
    ],
)
def test_malformed_acse(hex_: str, match: str) -> None:
    with pytest.raises(DecodeError, match=match):
        decode(bytes.fromhex(hex_))


def test_error_offsets_point_into_the_apdu() -> None:
    raw = bytes.fromhex(_t("60", _CONTEXT, _t("A4", _t("02", "0001"))))
    with pytest.raises(DecodeError) as info:
        decode(raw)
    assert info.value.offset == 15  # the INTEGER inside called-AP-invocation-id
    assert str(info.value).startswith("at offset 15: aarq:")
    # Errors inside user-information report offsets in the outer buffer.
    raw = bytes.fromhex(_t("60", _CONTEXT, _t("BE", _t("04", "0E0106"))))
    with pytest.raises(DecodeError) as info:
        decode(raw)
    assert info.value.offset == len(raw)


# -- properties ----------------------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(acse_apdus())
def test_round_trip(apdu: Apdu) -> None:
    raw = apdu.to_bytes()
    again = decode(raw)
    assert again == apdu
    assert again.to_bytes() == raw
    with pytest.raises(DecodeError):
        decode(raw + b"\x00")
    for end in range(len(raw)):
        with pytest.raises(DecodeError):
            decode(raw[:end])


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(acse_apdus())
def test_translator_round_trip(apdu: Apdu) -> None:
    assert translate.from_tree(translate.to_tree(apdu)) == apdu
    assert translate.from_xml(translate.to_xml(apdu)) == apdu
    assert translate.from_json(translate.to_json(apdu)) == apdu


_VECTORS = [item_bytes("ACSE", n) for n in range(1, 19)] + [
    bytes.fromhex(record("SEC-03")["aarq"]),
    bytes.fromhex(record("SEC-06")["aare"]),
]


def _check_garbage(raw: bytes) -> None:
    try:
        apdu = decode(raw)
    except DecodeError:
        return
    assert apdu.to_bytes() == raw


@settings(max_examples=500)
@given(st.sampled_from([0x60, 0x61, 0x62, 0x63]), st.binary(max_size=64))
def test_fuzz_random(tag: int, body: bytes) -> None:
    _check_garbage(bytes([tag]) + body)


@settings(max_examples=500)
@given(
    st.sampled_from(_VECTORS),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255), st.integers(0, 2)), max_size=4),
)
def test_fuzz_mutated_vectors(raw: bytes, edits: list[tuple[int, int, int]]) -> None:
    data = bytearray(raw)
    for where, value, op in edits:
        index = where % (len(data) + 1)
        if op == 0 and index < len(data):
            data[index] = value
        elif op == 1:
            data.insert(index, value)
        elif index < len(data):
            del data[index]
    _check_garbage(bytes(data))
