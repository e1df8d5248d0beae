"""Tests of dlmskit.apdu.ciphered: the ciphered envelopes as structures (no crypto)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import axdr, translate
from dlmskit.apdu import _base
from dlmskit.apdu.acse import AARQ, RLRE, RLRQ
from dlmskit.apdu.ciphered import (
    SERVICE_SPECIFIC_CLASSES,
    AgreedKey,
    CipheredTag,
    DedActionRequest,
    DedGetRequest,
    GeneralCiphering,
    GeneralDedCiphering,
    GeneralGloCiphering,
    GeneralSigning,
    GloGetRequest,
    GloInitiateRequest,
    GloInitiateResponse,
    IdentifiedKey,
    KekId,
    KeyId,
    SecurityControl,
    ServiceSpecificCiphered,
    WrappedKey,
)
from dlmskit.errors import DecodeError
from tests.vectors import item_bytes, push_records, record

from .strategies_ciphered import apdus
from .strategies_misc import assert_decodes_or_fails, assert_round_trip

decode = _base.decode

# Every service-specific ciphered tag with its Green Book name. Sources: jDLMS
# asn1/cosem/cosem.asn (COSEMpdu: glo-initiateRequest [33] .. glo-writeResponse [45],
# glo-get-request [200] .. ded-action-response [215]); Gurux enums/Command
# (GLO_CONFIRMED_SERVICE_ERROR = 46, DED_INITIATE_REQUEST = 65 .. DED_INFORMATION_REPORT_
# REQUEST = 88); a TypeScript transcription of the Green Book XDLMS-APDU (id 23866473289 in
# the code index: glo-unconfirmedWriteRequest [54], glo-informationReportRequest [56]).
EXPECTED_TAGS = {
    0x21: ("glo-initiateRequest", 0x01),
    0x25: ("glo-readRequest", 0x05),
    0x26: ("glo-writeRequest", 0x06),
    0x28: ("glo-initiateResponse", 0x08),
    0x2C: ("glo-readResponse", 0x0C),
    0x2D: ("glo-writeResponse", 0x0D),
    0x2E: ("glo-confirmedServiceError", 0x0E),
    0x36: ("glo-unconfirmedWriteRequest", 0x16),
    0x38: ("glo-informationReportRequest", 0x18),
    0x41: ("ded-initiateRequest", 0x01),
    0x45: ("ded-readRequest", 0x05),
    0x46: ("ded-writeRequest", 0x06),
    0x48: ("ded-initiateResponse", 0x08),
    0x4C: ("ded-readResponse", 0x0C),
    0x4D: ("ded-writeResponse", 0x0D),
    0x4E: ("ded-confirmedServiceError", 0x0E),
    0x56: ("ded-unconfirmedWriteRequest", 0x16),
    0x58: ("ded-informationReportRequest", 0x18),
    0xC8: ("glo-get-request", 0xC0),
    0xC9: ("glo-set-request", 0xC1),
    0xCA: ("glo-event-notification-request", 0xC2),
    0xCB: ("glo-action-request", 0xC3),
    0xCC: ("glo-get-response", 0xC4),
    0xCD: ("glo-set-response", 0xC5),
    0xCF: ("glo-action-response", 0xC7),
    0xD0: ("ded-get-request", 0xC0),
    0xD1: ("ded-set-request", 0xC1),
    0xD2: ("ded-event-notification-request", 0xC2),
    0xD3: ("ded-actionRequest", 0xC3),
    0xD4: ("ded-get-response", 0xC4),
    0xD5: ("ded-set-response", 0xC5),
    0xD7: ("ded-action-response", 0xC7),
}


def test_service_specific_tag_table() -> None:
    assert {int(t) for t in CipheredTag} == set(EXPECTED_TAGS)
    assert set(SERVICE_SPECIFIC_CLASSES) == set(CipheredTag)
    registered = _base.registered_tags()
    for tag, (name, plain) in EXPECTED_TAGS.items():
        cls = SERVICE_SPECIFIC_CLASSES[CipheredTag(tag)]
        assert (tag, name) == (cls.TAG, cls.NAME)
        assert registered[tag] == name
        member = CipheredTag(tag)
        assert member.plain_tag == plain
        assert member.dedicated == name.startswith("ded-")
        assert CipheredTag.for_plain(plain, dedicated=member.dedicated) is member
    # The general envelopes: Gurux Command GENERAL_GLO_CIPHERING = 0xDB, GENERAL_DED_CIPHERING
    # = 0xDC, GENERAL_CIPHERING = 0xDD; general-signing [223] from the Green Book ASN.1.
    assert (GeneralGloCiphering.TAG, GeneralDedCiphering.TAG) == (0xDB, 0xDC)
    assert (GeneralCiphering.TAG, GeneralSigning.TAG) == (0xDD, 0xDF)
    for cls in (GeneralGloCiphering, GeneralDedCiphering, GeneralCiphering, GeneralSigning):
        assert registered[cls.TAG] == cls.NAME
    with pytest.raises(ValueError, match="glo- ciphered APDU for tag 0xE0"):
        CipheredTag.for_plain(0xE0)
    with pytest.raises(ValueError, match="ded- ciphered APDU for tag 0x0F"):
        CipheredTag.for_plain(0x0F, dedicated=True)


@pytest.mark.parametrize("value", range(256))
def test_security_control_octet(value: int) -> None:
    sc = SecurityControl(value)
    assert sc.suite_id == value & 0x0F
    assert sc.authentication == bool(value & 0x10)
    assert sc.encryption == bool(value & 0x20)
    assert sc.key_set == (value >> 6) & 1
    assert sc.broadcast == bool(value & 0x40)
    assert sc.compression == bool(value & 0x80)
    rebuilt = SecurityControl.of(
        suite_id=sc.suite_id,
        authentication=sc.authentication,
        encryption=sc.encryption,
        broadcast=sc.broadcast,
        compression=sc.compression,
    )
    assert rebuilt == sc
    raw = bytes([0xC8, 0x05, value, 0, 0, 0, 1])
    decoded = decode(raw)
    assert isinstance(decoded, GloGetRequest)
    assert decoded.security_control == sc
    assert decoded.to_bytes() == raw


def test_security_control_validation() -> None:
    assert SecurityControl.of(suite_id=0, authentication=True, encryption=True).value == 0x30
    assert SecurityControl.of(suite_id=2, broadcast=True, compression=True).value == 0xC2
    assert repr(SecurityControl(0x30)) == "SecurityControl(0x30)"
    with pytest.raises(ValueError, match="security-control"):
        SecurityControl(0x100)
    with pytest.raises(ValueError, match="security-suite-id"):
        SecurityControl.of(suite_id=16)


# -- standard examples --------------------------------------------------------------------


def test_sec02_glo_get_request() -> None:
    # SEC-02: u9n/dlms-cosem @ c52e9d44ef81 tests/test_security.py (Green Book keys);
    # full_glo_get_request_apdu = C8 1E 30 01234567 ciphertext‖tag.
    rec = record("SEC-02")
    raw = bytes.fromhex(rec["full_glo_get_request_apdu"])
    apdu = decode(raw)
    assert isinstance(apdu, GloGetRequest)
    assert apdu.ciphered_tag is CipheredTag.GLO_GET_REQUEST
    assert apdu.plain_tag == 0xC0
    assert not apdu.dedicated
    assert apdu.security_control == SecurityControl(int(rec["SC"], 16))
    assert apdu.security_control.authentication and apdu.security_control.encryption
    assert apdu.security_control.suite_id == 0
    assert apdu.invocation_counter == int(rec["IC"], 16) == 0x01234567
    assert apdu.ciphered_text == bytes.fromhex(rec["ciphertext_plus_tag"])
    assert apdu.security_header == bytes.fromhex(rec["SC"] + rec["IC"])
    assert apdu.ciphered_content == raw[2:]
    # GCM keeps the length: the ciphertext is as long as the plaintext; a 12-byte tag follows.
    plain = bytes.fromhex(rec["plaintext_apdu"])
    assert len(apdu.ciphertext()) == len(plain)
    assert apdu.authentication_tag() == apdu.ciphered_text[-12:]
    assert apdu.length_form is None
    assert apdu.to_bytes() == raw


def test_sec03_glo_initiate_request() -> None:
    # SEC-03: u9n/dlms-cosem @ c52e9d44ef81 tests/test_asce/test_aarq.py (Green Book example).
    rec = record("SEC-03")
    raw = bytes.fromhex(rec["glo_initiate_request"])
    apdu = decode(raw)
    assert isinstance(apdu, GloInitiateRequest)
    assert apdu.plain_tag == 0x01
    assert apdu.security_control.value == int(rec["SC"], 16) == 0x30
    assert apdu.invocation_counter == int(rec["IC"], 16)
    assert len(apdu.ciphertext()) == len(bytes.fromhex(rec["decrypted_initiate_request"]))
    assert apdu.to_bytes() == raw
    # In the AARQ's user-information the registry now gives the typed APDU.
    aarq_raw = bytes.fromhex(rec["aarq"])
    aarq = decode(aarq_raw)
    assert isinstance(aarq, AARQ)
    assert aarq.user_information == apdu
    assert aarq.to_bytes() == aarq_raw


def test_sec04_glo_initiate_response() -> None:
    # SEC-04: u9n/dlms-cosem @ c52e9d44ef81 tests/test_asce/test_rlrq.py, test_rlre.py.
    rec = record("SEC-04")
    raw = bytes.fromhex(rec["rlre_glo_initiate_response"])
    apdu = decode(raw)
    assert isinstance(apdu, GloInitiateResponse)
    assert apdu.plain_tag == 0x08
    assert apdu.security_control == SecurityControl(0x30)
    assert apdu.invocation_counter == 0x01234567
    assert len(apdu.ciphertext()) == len(bytes.fromhex(rec["decrypted_initiate_response"]))
    assert apdu.to_bytes() == raw
    rlre = decode(bytes.fromhex(rec["rlre"]))
    assert isinstance(rlre, RLRE)
    assert rlre.user_information == apdu
    assert rlre.to_bytes().hex().upper() == rec["rlre"]
    rlrq = decode(bytes.fromhex(rec["rlrq"]))
    assert isinstance(rlrq, RLRQ)
    assert isinstance(rlrq.user_information, GloInitiateRequest)
    assert rlrq.to_bytes().hex().upper() == rec["rlrq"]


def test_xdlms28_empty_system_title() -> None:
    # XDLMS-28: u9n/dlms-cosem tests/test_general_global_cipher.py:66 — a Pietro Fiorentini
    # meter sends general-glo-ciphering with a zero-length system title (DB 00 1E 30 ..).
    raw = item_bytes("XDLMS", 28)
    apdu = decode(raw)
    assert isinstance(apdu, GeneralGloCiphering)
    assert apdu.system_title == b""
    assert apdu.security_control == SecurityControl(0x30)
    assert apdu.invocation_counter == 0x800000D1
    assert len(apdu.ciphered_text) == 0x1E - 5
    assert apdu.ciphered_content == raw[3:]
    assert apdu.to_bytes() == raw


_PUSH_CIPHERED = [r for r in push_records() if r.get("ciphered_apdu")]


@pytest.mark.parametrize("rec", _PUSH_CIPHERED, ids=lambda r: str(r["id"]))
def test_push_general_glo_ciphering(rec: dict[str, Any]) -> None:
    # PUSH-01 (fneur/smart-meter-tirol doc/EXAMPLE.md), PUSH-02, -05, -07
    # (esphome-libs/dlms_parser tests/expected/*.h), PUSH-03 (reitermarkus/dlms-cosem-rs
    # src/lib.rs), PUSH-09 (u9n/dlms-cosem tests/test_general_global_cipher.py): each
    # record's ciphered_apdu with its ST, SC and IC.
    raw = bytes.fromhex(rec["ciphered_apdu"])
    apdu = decode(raw)
    assert isinstance(apdu, GeneralGloCiphering)
    assert apdu.system_title == bytes.fromhex(rec["ST"])
    assert apdu.security_control == SecurityControl(int(rec["SC"], 16))
    assert apdu.invocation_counter == int(rec["IC"], 16)
    plain = bytes.fromhex(rec["plain_apdu"])
    if rec["gcm_tag_verified"] is None:  # encryption only: no tag
        assert not apdu.security_control.authentication
        assert apdu.authentication_tag() == b""
        assert apdu.ciphertext() == apdu.ciphered_text
    else:
        assert apdu.security_control.authentication
        assert len(apdu.authentication_tag()) == 12
    assert len(apdu.ciphertext()) == len(plain)
    assert apdu.to_bytes() == raw


def test_push01_long_form_lengths() -> None:
    # PUSH-01 (fneur/smart-meter-tirol doc/EXAMPLE.md): DB 08 <ST> 82 0109 <265 octets>.
    raw = bytes.fromhex(record("PUSH-01")["ciphered_apdu"])
    assert raw[10:13] == bytes.fromhex("820109")
    apdu = decode(raw)
    assert isinstance(apdu, GeneralGloCiphering)
    assert len(apdu.ciphered_content) == 0x0109
    # PUSH-02 (esphome-libs/dlms_parser mbus_netz_noe_p1.h): 81 F8.
    raw2 = bytes.fromhex(record("PUSH-02")["ciphered_apdu"])
    assert raw2[10:12] == bytes.fromhex("81F8")
    apdu2 = decode(raw2)
    assert isinstance(apdu2, GeneralGloCiphering)
    assert len(apdu2.ciphered_content) == 0xF8


# -- non-minimal forms and hand-built layouts ---------------------------------------------


def test_non_minimal_lengths_are_kept() -> None:
    raw = bytes.fromhex("C88200073000000001ABCD")
    apdu = decode(raw)
    assert isinstance(apdu, GloGetRequest)
    assert apdu.length_form == 2
    assert apdu.ciphered_text == b"\xab\xcd"
    assert apdu.to_bytes() == raw
    raw = bytes.fromhex("DC8108" + "4142434445464748" + "8400000005" + "1000000009")
    ggc = decode(raw)
    assert isinstance(ggc, GeneralDedCiphering)
    assert ggc.system_title == b"ABCDEFGH"
    assert ggc.system_title.length_form == 1
    assert ggc.ciphered_content_length_form == 4
    assert ggc.security_control == SecurityControl(0x10)
    assert ggc.ciphered_text == b""
    assert ggc.to_bytes() == raw


def test_minimal_form_given_explicitly_is_normalised() -> None:
    apdu = GloGetRequest(
        security_control=SecurityControl(0x30),
        invocation_counter=1,
        ciphered_text=bytes(200),
        length_form=1,  # 205 needs one long-form length byte: that is the minimal form
    )
    assert apdu.length_form is None
    assert decode(apdu.to_bytes()) == apdu
    title = axdr.OctetString(b"12345678").with_length_form(0)
    ggc = GeneralGloCiphering(
        system_title=title, security_control=SecurityControl(0), invocation_counter=0,
        ciphered_text=b"",
    )  # fmt: skip
    assert ggc.system_title.length_form is None


# General-ciphering, laid out by hand from the Green Book 9.5 General-Ciphering and
# Key-Info productions (the field order is also the one Gurux's GXDLMSChippering
# decryptAesGcm reads: transaction-id, originator and recipient system titles, date-time,
# other-information, key-info presence + choice, ciphered-content).
_GC_AGREED = bytes.fromhex(
    "DD"
    "08 0102030405060708"  # transaction-id
    "08 4D4D4D0000BC614E"  # originator-system-title
    "08 4D4D4D0000000001"  # recipient-system-title
    "00"  # date-time: absent
    "00"  # other-information
    "01 02"  # key-info present, agreed-key [2]
    "01 01"  # key-parameters: 01 = One-Pass Diffie-Hellman C(1e, 1s)
    "03 AABBCC"  # key-ciphered-data
    "0A 31 00000007 1122334455".replace(" ", "")  # ciphered-content: SC 31, IC 7, 5 octets
)


def test_general_ciphering_agreed_key() -> None:
    apdu = decode(_GC_AGREED)
    assert isinstance(apdu, GeneralCiphering)
    assert apdu.transaction_id == bytes.fromhex("0102030405060708")
    assert apdu.originator_system_title == bytes.fromhex("4D4D4D0000BC614E")
    assert apdu.recipient_system_title == bytes.fromhex("4D4D4D0000000001")
    assert apdu.date_time == b""
    assert apdu.other_information == b""
    assert apdu.key_info == AgreedKey(key_parameters=b"\x01", key_ciphered_data=b"\xaa\xbb\xcc")
    assert apdu.security_control == SecurityControl(0x31)
    assert apdu.security_control.suite_id == 1
    assert apdu.invocation_counter == 7
    assert apdu.ciphered_text == bytes.fromhex("1122334455")
    assert apdu.to_bytes() == _GC_AGREED


@pytest.mark.parametrize(
    ("key_info_hex", "expected"),
    [
        ("00", None),
        ("0100 00", IdentifiedKey(key_id=KeyId.GLOBAL_UNICAST_ENCRYPTION_KEY)),
        ("0100 01", IdentifiedKey(key_id=KeyId.GLOBAL_BROADCAST_ENCRYPTION_KEY)),
        ("0101 00 02 CAFE", WrappedKey(kek_id=KekId.MASTER_KEY, key_ciphered_data=b"\xca\xfe")),
        ("0102 01 02 00", AgreedKey(key_parameters=b"\x02", key_ciphered_data=b"")),
    ],
)
def test_general_ciphering_key_info(key_info_hex: str, expected: object) -> None:
    raw = bytes.fromhex(
        ("DD 00 00 00 0C 07E8010101000000FF800000 01 FF" + key_info_hex + "05 20 00000001").replace(
            " ", ""
        )
    )
    apdu = decode(raw)
    assert isinstance(apdu, GeneralCiphering)
    assert apdu.key_info == expected
    assert apdu.date_time == bytes.fromhex("07E8010101000000FF800000")
    assert apdu.other_information == b"\xff"
    assert apdu.ciphered_text == b""
    assert apdu.to_bytes() == raw


def test_general_ciphering_unknown_key_ids_are_kept() -> None:
    raw = bytes.fromhex("DD00000000000100 07 0500000000 00".replace(" ", ""))
    apdu = decode(raw)
    assert isinstance(apdu, GeneralCiphering)
    assert isinstance(apdu.key_info, IdentifiedKey)
    assert apdu.key_info.key_id == 7
    assert not apdu.key_info.key_id.known
    assert apdu.to_bytes() == raw


def test_general_signing() -> None:
    # Laid out from the Green Book 9.5 General-Signing production.
    raw = bytes.fromhex(
        (
            "DF 08 0000000000000001 08 4D4D4D0000BC614E 00 00 00"
            "0D C001C100080000010000FF0200"  # content: a get-request
            "40" + "5A" * 64  # signature: 64 octets (suite 1, ECDSA P-256)
        ).replace(" ", "")
    )
    apdu = decode(raw)
    assert isinstance(apdu, GeneralSigning)
    assert apdu.transaction_id == bytes.fromhex("0000000000000001")
    assert apdu.originator_system_title == bytes.fromhex("4D4D4D0000BC614E")
    assert apdu.recipient_system_title == b""
    assert apdu.content == bytes.fromhex("C001C100080000010000FF0200")
    assert apdu.signature == b"\x5a" * 64
    assert apdu.to_bytes() == raw


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hex_", "match"),
    [
        ("C8", "ciphered-content"),
        ("C804300000", r"glo-get-request: .*ciphered-content of 4 byte\(s\) is shorter"),
        ("D00630000000", "ded-get-request: .*expected 6 bytes for ciphered-content"),
        ("C885000000000130000000", "invalid length octet 0x85.*ciphered-content"),
        ("DB0841424344", "system-title"),
        ("DB00", "ciphered-content"),
        ("DD0000000000", "key-info"),
        ("DD000000000002", "presence flag of key-info must be 00 or 01"),
        ("DD00000000000103", "unknown key-info choice 0x03"),
        ("DD0000000000010105", "key-ciphered-data"),
        ("DD00000000000100", "key-id"),
        ("DF0000000000", "content"),
        ("DF000000000000", "signature"),
    ],
)
def test_decode_errors(hex_: str, match: str) -> None:
    with pytest.raises(DecodeError, match=match):
        decode(bytes.fromhex(hex_))


def test_construction_is_validated() -> None:
    sc = SecurityControl(0x30)
    with pytest.raises(TypeError, match="abstract"):
        ServiceSpecificCiphered(security_control=sc, invocation_counter=0, ciphered_text=b"")
    with pytest.raises(TypeError, match="security-control"):
        GloGetRequest(security_control=0x30, invocation_counter=0, ciphered_text=b"")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invocation-counter"):
        GloGetRequest(security_control=sc, invocation_counter=1 << 32, ciphered_text=b"")
    with pytest.raises(TypeError, match="ciphered-text"):
        GloGetRequest(security_control=sc, invocation_counter=0, ciphered_text="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="length-form: a length of 205 does not fit a form of 0"):
        GloGetRequest(
            security_control=sc, invocation_counter=0, ciphered_text=bytes(200), length_form=0
        )
    with pytest.raises(ValueError, match="length-form"):
        GloGetRequest(security_control=sc, invocation_counter=0, ciphered_text=b"", length_form=5)
    with pytest.raises(TypeError, match="system-title"):
        GeneralGloCiphering(
            system_title=8,  # type: ignore[arg-type]
            security_control=sc,
            invocation_counter=0,
            ciphered_text=b"",
        )
    with pytest.raises(TypeError, match="key-info"):
        GeneralCiphering(
            transaction_id=b"",
            originator_system_title=b"",  # type: ignore[arg-type]
            recipient_system_title=b"",  # type: ignore[arg-type]
            key_info=KeyId.GLOBAL_UNICAST_ENCRYPTION_KEY,  # type: ignore[arg-type]
            security_control=sc,
            invocation_counter=0,
            ciphered_text=b"",
        )
    with pytest.raises(ValueError, match="key-id"):
        IdentifiedKey(key_id=256)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="kek-id"):
        WrappedKey(kek_id="master", key_ciphered_data=b"")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="signature"):
        GeneralSigning(
            transaction_id=b"",  # type: ignore[arg-type]
            originator_system_title=b"",  # type: ignore[arg-type]
            recipient_system_title=b"",  # type: ignore[arg-type]
            content=b"",  # type: ignore[arg-type]
            signature=None,  # type: ignore[arg-type]
        )


def test_of_and_coercions() -> None:
    sc = SecurityControl(0x31)
    apdu = ServiceSpecificCiphered.of(
        0xD3, security_control=sc, invocation_counter=9, ciphered_text=bytearray(b"ab")
    )
    assert type(apdu) is DedActionRequest
    assert type(apdu.ciphered_text) is bytes
    assert apdu.to_bytes() == bytes.fromhex("D307310000000961 62".replace(" ", ""))
    with pytest.raises(ValueError, match="0xC0 is not a service-specific ciphered tag"):
        ServiceSpecificCiphered.of(
            0xC0, security_control=sc, invocation_counter=0, ciphered_text=b""
        )
    # Same fields, different tag: different APDUs.
    fields: dict[str, Any] = {"security_control": sc, "invocation_counter": 1, "ciphered_text": b""}
    assert GloGetRequest(**fields) != DedGetRequest(**fields)
    assert GloGetRequest(**fields) == GloGetRequest(**fields)
    gc = GeneralCiphering(
        transaction_id=b"\x01",  # type: ignore[arg-type]
        originator_system_title=b"",  # type: ignore[arg-type]
        recipient_system_title=b"",  # type: ignore[arg-type]
        security_control=sc,
        invocation_counter=0,
        ciphered_text=b"",
    )
    assert isinstance(gc.transaction_id, axdr.OctetString)
    assert isinstance(gc.date_time, axdr.OctetString)
    assert gc.to_bytes() == bytes.fromhex("DD01010000000000053100000000")


def test_tag_split_helpers() -> None:
    sc_auth = SecurityControl(0x30)
    apdu = GloGetRequest(
        security_control=sc_auth, invocation_counter=0, ciphered_text=bytes(range(20))
    )
    assert apdu.ciphertext() == bytes(range(8))
    assert apdu.authentication_tag() == bytes(range(8, 20))
    assert apdu.ciphertext(16) == bytes(range(4))
    assert apdu.authentication_tag(0) == b""
    with pytest.raises(ValueError, match="tag-length"):
        apdu.ciphertext(21)
    short = GloGetRequest(security_control=sc_auth, invocation_counter=0, ciphered_text=b"abc")
    with pytest.raises(ValueError, match="no 12-byte tag"):
        short.authentication_tag()
    enc_only = GloGetRequest(
        security_control=SecurityControl(0x20), invocation_counter=0, ciphered_text=b"abc"
    )
    assert enc_only.ciphertext() == b"abc"
    assert enc_only.authentication_tag() == b""


# -- properties ---------------------------------------------------------------------------


@given(apdus())
def test_round_trip(apdu: _base.Apdu) -> None:
    assert_round_trip(apdu)


@given(apdus())
def test_translator_round_trip(apdu: _base.Apdu) -> None:
    # The generic translator rebuilds every class from its name and fields.
    assert translate.from_tree(translate.to_tree(apdu)) == apdu
    again = translate.from_xml(translate.to_xml(apdu))
    assert again == apdu
    assert again.to_bytes() == apdu.to_bytes()


_FIRST_BYTES = [*EXPECTED_TAGS, 0xDB, 0xDC, 0xDD, 0xDF]


@given(st.sampled_from(_FIRST_BYTES), st.binary(max_size=40))
def test_fuzz_random(tag: int, rest: bytes) -> None:
    assert_decodes_or_fails(bytes([tag]) + rest)


def _vectors() -> list[bytes]:
    out = [
        bytes.fromhex(record("SEC-02")["full_glo_get_request_apdu"]),
        bytes.fromhex(record("SEC-03")["glo_initiate_request"]),
        bytes.fromhex(record("SEC-04")["rlre_glo_initiate_response"]),
        item_bytes("XDLMS", 28),
        _GC_AGREED,
    ]
    out += [bytes.fromhex(r["ciphered_apdu"]) for r in _PUSH_CIPHERED]
    return out


@given(st.data())
def test_fuzz_mutated_vectors(data: st.DataObject) -> None:
    buf = bytearray(data.draw(st.sampled_from(_vectors())))
    for _ in range(data.draw(st.integers(1, 3))):
        buf[data.draw(st.integers(1, len(buf) - 1))] = data.draw(st.integers(0, 255))
    assert_decodes_or_fails(bytes(buf[: data.draw(st.integers(1, len(buf)))]))
