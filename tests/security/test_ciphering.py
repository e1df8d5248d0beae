"""Tests of dlmskit.security.ciphering: the AES-GCM core of suites 0..2, protect /
unprotect of ciphered APDUs, GMAC and the security policy check.

Sources: the shared vectors (SEC-01..04, PUSH-01/02/03/05/07/09; each record names its
public source), and the GCM test cases of McGrew & Viega, "The Galois/Counter Mode of
Operation (GCM)", revised 2005, Appendix B (test cases 3, 4, 15 and 16, 96-bit IV).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit import apdu as apdu_module
from dlmskit.apdu.acse import AARQ, RLRE, RLRQ
from dlmskit.apdu.ciphered import (
    CipheredTag,
    GeneralDedCiphering,
    GeneralGloCiphering,
    GloGetRequest,
    GloInitiateRequest,
    GloInitiateResponse,
    SecurityControl,
    ServiceSpecificCiphered,
)
from dlmskit.errors import DecodeError, EncodeError, SecurityError
from dlmskit.security import ciphering
from dlmskit.security.ciphering import (
    TAG_LENGTH,
    Envelope,
    SecuritySuite,
    decrypt,
    encrypt,
    gmac,
    protect,
    require,
    unprotect,
)
from tests.vectors import push_records, record

h = bytes.fromhex

# Green Book example keys (SEC-01..04).
GB_EK = h("000102030405060708090A0B0C0D0E0F")
GB_AK = h("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")


def _keys(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "encryption_key": h(rec["EK"]),
        "authentication_key": h(rec["AK"]) if rec.get("AK") else None,
    }


# -- SecuritySuite and key lengths -----------------------------------------------------


def test_suites_and_key_lengths() -> None:
    # Green Book 9.2.3.7: suites 0 and 1 use AES-128, suite 2 AES-256.
    assert [s.key_length for s in SecuritySuite] == [16, 16, 32]
    assert SecuritySuite.of(0x30) is SecuritySuite.AES_GCM_128
    assert SecuritySuite.of(SecurityControl(0x21)) is SecuritySuite.ECDH_ECDSA_AES_GCM_128_SHA256
    assert SecuritySuite.of(0x12) is SecuritySuite.ECDH_ECDSA_AES_GCM_256_SHA384
    with pytest.raises(SecurityError, match="security suite 3 is not supported"):
        SecuritySuite.of(0x33)


@pytest.mark.parametrize(("sc", "good", "bad"), [(0x30, 16, 32), (0x31, 16, 24), (0x32, 32, 16)])
def test_wrong_key_length(sc: int, good: int, bad: int) -> None:
    key = bytes(range(0xA0, 0xA0 + bad))
    kwargs: dict[str, Any] = {
        "security_control": sc,
        "system_title": bytes(8),
        "invocation_counter": 1,
        "plaintext": b"\xc0\x01",
    }
    with pytest.raises(SecurityError) as info:
        encrypt(encryption_key=key, authentication_key=bytes(good), **kwargs)
    message = str(info.value)
    assert message == f"encryption key must be {good} bytes for security suite {sc & 0x0F}"
    assert key.hex() not in message.lower()
    with pytest.raises(SecurityError, match=f"authentication key must be {good} bytes"):
        encrypt(encryption_key=bytes(good), authentication_key=key, **kwargs)
    with pytest.raises(TypeError):
        SecuritySuite.AES_GCM_128.check_key("not bytes")


def test_bad_parameters() -> None:
    kwargs: dict[str, Any] = {
        "encryption_key": GB_EK,
        "authentication_key": GB_AK,
        "plaintext": b"\x01",
    }
    with pytest.raises(SecurityError, match=r"V\.44 compression is not supported"):
        encrypt(security_control=0xB0, system_title=bytes(8), invocation_counter=0, **kwargs)
    with pytest.raises(SecurityError, match=r"V\.44 compression is not supported"):
        decrypt(
            security_control=0xB0,
            system_title=bytes(8),
            invocation_counter=0,
            encryption_key=GB_EK,
            authentication_key=GB_AK,
            ciphered=bytes(20),
        )
    with pytest.raises(SecurityError, match="neither authentication nor encryption"):
        encrypt(security_control=0x00, system_title=bytes(8), invocation_counter=0, **kwargs)
    with pytest.raises(SecurityError, match="system title must be 8 bytes"):
        encrypt(security_control=0x30, system_title=bytes(7), invocation_counter=0, **kwargs)
    with pytest.raises(ValueError, match="invocation counter"):
        encrypt(security_control=0x30, system_title=bytes(8), invocation_counter=1 << 32, **kwargs)
    with pytest.raises(SecurityError, match="authentication key is required"):
        encrypt(
            security_control=0x30,
            system_title=bytes(8),
            invocation_counter=0,
            encryption_key=GB_EK,
            authentication_key=None,
            plaintext=b"\x01",
        )
    with pytest.raises(DecodeError, match="shorter than its 12-byte authentication tag"):
        decrypt(
            security_control=0x30,
            system_title=bytes(8),
            invocation_counter=0,
            encryption_key=GB_EK,
            authentication_key=GB_AK,
            ciphered=bytes(11),
        )


# -- NIST / McGrew & Viega GCM test vectors ----------------------------------------------

# McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B, test case 3
# (and 4: same key and IV, 60-byte plaintext, 20-byte AAD).
GCM_K = h("feffe9928665731c6d6a8f9467308308")
GCM_IV = h("cafebabefacedbaddecaf888")
GCM_P3 = h(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
)
GCM_C3 = h(
    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
    "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
)
GCM_T3 = h("4d5c2af327cd64a62cf35abd2ba6fab4")
GCM_A4 = h("feedfacedeadbeeffeedfacedeadbeefabaddad2")
GCM_P4 = GCM_P3[:60]
GCM_C4 = GCM_C3[:60]
GCM_T4 = h("5bc94fbc3221a5db94fae95ae7121a47")
# Test cases 15 and 16: the same with the 256-bit key K ‖ K (AES-256, as in suite 2).
GCM_K256 = GCM_K + GCM_K
GCM_C15 = h(
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
)
GCM_T15 = h("b094dac5d93471bdec1a502270e3cc6c")
GCM_T16 = h("76fc6ece0f4e1768cddf8853bb2d551b")


@pytest.mark.parametrize(
    ("key", "aad", "plaintext", "ciphertext", "tag"),
    [
        (GCM_K, b"", GCM_P3, GCM_C3, GCM_T3),
        (GCM_K, GCM_A4, GCM_P4, GCM_C4, GCM_T4),
        (GCM_K256, b"", GCM_P3, GCM_C15, GCM_T15),
        (GCM_K256, GCM_A4, GCM_P4, GCM_C15[:60], GCM_T16),
    ],
    ids=["test-case-3", "test-case-4", "test-case-15", "test-case-16"],
)
def test_gcm_core_mcgrew_viega(
    key: bytes, aad: bytes, plaintext: bytes, ciphertext: bytes, tag: bytes
) -> None:
    # McGrew & Viega, Appendix B, test cases 3, 4 (AES-128) and 15, 16 (AES-256).
    assert ciphering._gcm_encrypt(key, GCM_IV, aad, plaintext) == (ciphertext, tag)
    assert ciphering._gcm_decrypt(key, GCM_IV, aad, ciphertext, tag) == plaintext
    # Truncated to the 12 octets DLMS uses, the tag still verifies.
    assert ciphering._gcm_decrypt(key, GCM_IV, aad, ciphertext, tag[:12]) == plaintext
    with pytest.raises(SecurityError, match="authentication failed"):
        ciphering._gcm_decrypt(key, GCM_IV, aad + b"\x00", ciphertext, tag[:12])
    # Encryption only = GCM's keystream without the tag (counter block IV ‖ 00000002).
    assert ciphering._ctr(key, GCM_IV, plaintext) == ciphertext


def test_encryption_only_through_public_api_mcgrew_viega() -> None:
    # Test case 3 through encrypt/decrypt: IV = ST ‖ IC = cafebabefacedbad ‖ decaf888;
    # SC 0x20 (encryption only, suite 0) has no AAD and no tag, so C is the test case's.
    common: dict[str, Any] = {
        "security_control": 0x20,
        "system_title": GCM_IV[:8],
        "invocation_counter": int.from_bytes(GCM_IV[8:], "big"),
        "encryption_key": GCM_K,
        "authentication_key": None,
    }
    assert encrypt(plaintext=GCM_P3, **common) == GCM_C3
    assert decrypt(ciphered=GCM_C3, **common) == GCM_P3
    # Test case 15 the same way with suite 2 (SC 0x22, AES-256).
    suite2 = {**common, "security_control": 0x22, "encryption_key": GCM_K256}
    assert encrypt(plaintext=GCM_P3, **suite2) == GCM_C15
    assert decrypt(ciphered=GCM_C15, **suite2) == GCM_P3


# -- Green Book examples (SEC-01..04) ----------------------------------------------------


def test_sec02_glo_get_request() -> None:
    # SEC-02 (u9n/dlms-cosem tests/test_security.py, Green Book keys).
    rec = record("SEC-02")
    common: dict[str, Any] = {
        "security_control": 0x30,
        "system_title": h(rec["ST"]),
        "invocation_counter": int(rec["IC"], 16),
        **_keys(rec),
    }
    ciphered = encrypt(plaintext=h(rec["plaintext_apdu"]), **common)
    assert ciphered == h(rec["ciphertext_plus_tag"])
    assert decrypt(ciphered=ciphered, **common) == h(rec["plaintext_apdu"])

    full = h(rec["full_glo_get_request_apdu"])
    decoded = apdu_module.decode(full)
    assert isinstance(decoded, GloGetRequest)
    assert unprotect(decoded, system_title=h(rec["ST"]), **_keys(rec)) == h(rec["plaintext_apdu"])
    built = protect(
        h(rec["plaintext_apdu"]),
        envelope=Envelope.GLO,
        security_control=0x30,
        system_title=h(rec["ST"]),
        invocation_counter=int(rec["IC"], 16),
        **_keys(rec),
    )
    assert built == decoded
    assert built.to_bytes() == full


def test_sec03_glo_initiate_request() -> None:
    # SEC-03 (u9n/dlms-cosem tests/test_asce/test_aarq.py, Green Book example): the
    # user-information of the AARQ holds a glo-initiateRequest protected with the calling
    # AP-title 4D4D4D0000BC614E (the client's system title).
    rec = record("SEC-03")
    aarq = apdu_module.decode(h(rec["aarq"]))
    assert isinstance(aarq, AARQ)
    decoded = aarq.user_information
    assert isinstance(decoded, GloInitiateRequest)
    assert decoded.to_bytes() == h(rec["glo_initiate_request"])
    assert decoded.security_control.value == 0x30
    title = aarq.calling_ap_title
    assert title is not None
    assert bytes(title) == h(rec["ST"])
    plain = unprotect(decoded, system_title=bytes(title), **_keys(rec))
    assert plain == h(rec["decrypted_initiate_request"])
    assert plain[0] == decoded.plain_tag == 0x01


def test_sec04_rlrq_rlre_initiate() -> None:
    # SEC-04 (u9n/dlms-cosem tests/test_asce/test_rlrq.py, test_rlre.py): the RLRQ carries
    # SEC-03's glo-initiateRequest; the glo-initiateResponse of the RLRE verifies only with
    # the system title of the request (ST_used_for_response).
    rec = record("SEC-04")
    keys: dict[str, Any] = {"encryption_key": GB_EK, "authentication_key": GB_AK}
    title = h(rec["ST_used_for_response"])
    rlrq = apdu_module.decode(h(rec["rlrq"]))
    assert isinstance(rlrq, RLRQ)
    assert isinstance(rlrq.user_information, GloInitiateRequest)
    assert unprotect(rlrq.user_information, system_title=title, **keys) == h(
        record("SEC-03")["decrypted_initiate_request"]
    )
    rlre = apdu_module.decode(h(rec["rlre"]))
    assert isinstance(rlre, RLRE)
    decoded = rlre.user_information
    assert isinstance(decoded, GloInitiateResponse)
    assert decoded.to_bytes() == h(rec["rlre_glo_initiate_response"])
    plain = unprotect(decoded, system_title=title, **keys)
    assert plain == h(rec["decrypted_initiate_response"])
    assert plain[0] == decoded.plain_tag == 0x08
    with pytest.raises(SecurityError, match="authentication failed"):
        unprotect(decoded, system_title=h("4D4D4D0000000001"), **keys)


def test_sec01_gmac_pass3_pass4() -> None:
    # SEC-01 (Green Book HLS-5 example; u9n/dlms-cosem test_gmac, arabine/opendlms
    # test_aes128gcm.cpp): the client computes f(StoC) with its ST/IC, the server f(CtoS).
    rec = record("SEC-01")
    common: dict[str, Any] = {
        "security_control": 0x10,
        "encryption_key": h(rec["EK"]),
        "authentication_key": h(rec["AK"]),
    }
    pass3 = gmac(
        system_title=h(rec["client_ST"]),
        invocation_counter=int(rec["client_IC"], 16),
        data=h(rec["StoC"]),
        **common,
    )
    assert pass3 == h(rec["pass3_tag"])
    assert h(rec["pass3_IV"]) == h(rec["client_ST"]) + h(rec["client_IC"])
    assert h("10") + h(rec["client_IC"]) + pass3 == h(rec["f_StoC"])
    pass4 = gmac(
        system_title=h(rec["server_ST"]),
        invocation_counter=int(rec["server_IC"], 16),
        data=h(rec["CtoS"]),
        **common,
    )
    assert pass4 == h(rec["pass4_tag"])
    assert h("10") + h(rec["server_IC"]) + pass4 == h(rec["f_CtoS"])
    # Authentication only through decrypt: the tag is checked with compare_digest.
    ciphered = h(rec["StoC"]) + pass3
    kwargs: dict[str, Any] = {
        "system_title": h(rec["client_ST"]),
        "invocation_counter": int(rec["client_IC"], 16),
        **common,
    }
    assert decrypt(ciphered=ciphered, **kwargs) == h(rec["StoC"])
    with pytest.raises(SecurityError, match="authentication failed"):
        decrypt(ciphered=ciphered[:-1] + bytes([ciphered[-1] ^ 1]), **kwargs)
    with pytest.raises(SecurityError, match="authentication only"):
        gmac(security_control=0x30, system_title=bytes(8), invocation_counter=0, data=b"",
             encryption_key=GB_EK, authentication_key=GB_AK)  # fmt: skip


# -- push notifications (PUSH-01/02/03/05/07/09) -----------------------------------------

CIPHERED_PUSH = [r for r in push_records() if r.get("ciphered_apdu")]
AUTHENTICATED_PUSH = [r for r in CIPHERED_PUSH if r["gcm_tag_verified"]]


def test_push_vectors_present() -> None:
    ids = {r["id"] for r in CIPHERED_PUSH}
    assert {"PUSH-01", "PUSH-02", "PUSH-03", "PUSH-05", "PUSH-07", "PUSH-09"} <= ids
    assert {r["id"] for r in AUTHENTICATED_PUSH} >= {"PUSH-05", "PUSH-07", "PUSH-09"}


@pytest.mark.parametrize("rec", CIPHERED_PUSH, ids=lambda r: r["id"])
def test_push_decrypt(rec: dict[str, Any]) -> None:
    # Each record's `source` names the meter and project it comes from.
    decoded = apdu_module.decode(h(rec["ciphered_apdu"]))
    assert isinstance(decoded, GeneralGloCiphering)
    assert bytes(decoded.system_title) == h(rec["ST"])
    assert decoded.security_control.value == int(rec["SC"], 16)
    assert decoded.invocation_counter == int(rec["IC"], 16)
    plain = h(rec["plain_apdu"])
    keys = _keys(rec)
    if rec["gcm_tag_verified"]:
        assert unprotect(decoded, **keys) == plain
        # Only the encryption key, no tag check: what push users with only EK need.
        assert unprotect(decoded, encryption_key=keys["encryption_key"], verify_tag=False) == plain
        with pytest.raises(SecurityError, match="authentication key is required"):
            unprotect(decoded, encryption_key=keys["encryption_key"])
    else:
        assert not decoded.security_control.authentication
        assert unprotect(decoded, encryption_key=keys["encryption_key"]) == plain
    # And back: the same ST/SC/IC give the same APDU, byte for byte.
    again = protect(
        plain,
        envelope=Envelope.GENERAL_GLO,
        security_control=decoded.security_control,
        system_title=h(rec["ST"]),
        invocation_counter=int(rec["IC"], 16),
        encryption_key=keys["encryption_key"],
        authentication_key=keys["authentication_key"],
    )
    assert again.to_bytes() == h(rec["ciphered_apdu"])


def _flip_positions(decoded: GeneralGloCiphering) -> int:
    return 8 * (1 + 4 + len(decoded.ciphered_text))  # SC, IC, ciphertext ‖ tag


@pytest.mark.parametrize("rec", AUTHENTICATED_PUSH, ids=lambda r: r["id"])
def test_push_every_bit_flip_refused(rec: dict[str, Any]) -> None:
    # README of the vectors: any bit flipped in ciphertext, tag, SC or IC must fail
    # authentication (PUSH-05/07/09); with the expected policy 0x30 required, a flip that
    # drops the authentication bit is refused as a downgrade.
    decoded = apdu_module.decode(h(rec["ciphered_apdu"]))
    assert isinstance(decoded, GeneralGloCiphering)
    content = bytearray(decoded.ciphered_content)
    keys = _keys(rec)
    for bit in range(_flip_positions(decoded)):
        flipped = bytearray(content)
        flipped[bit // 8] ^= 0x80 >> (bit % 8)
        forged = GeneralGloCiphering(
            system_title=decoded.system_title,
            security_control=SecurityControl(flipped[0]),
            invocation_counter=int.from_bytes(flipped[1:5], "big"),
            ciphered_text=bytes(flipped[5:]),
        )
        with pytest.raises(SecurityError):
            require(forged.security_control, authenticated=True, encrypted=True)
            unprotect(forged, **keys)
    # A wrong AK fails too.
    wrong = bytes(b ^ 0x01 for b in keys["authentication_key"])
    with pytest.raises(SecurityError, match="authentication failed"):
        unprotect(decoded, encryption_key=keys["encryption_key"], authentication_key=wrong)


# -- policy ------------------------------------------------------------------------------


def test_require_policy() -> None:
    require(0x30, authenticated=True, encrypted=True)
    require(SecurityControl(0x31), authenticated=True, encrypted=False)
    require(0x20, authenticated=False, encrypted=True)
    require(0x10, authenticated=False, encrypted=False)
    with pytest.raises(SecurityError, match="0x20 lacks authentication"):
        require(0x20, authenticated=True, encrypted=True)  # downgrade 0x30 → 0x20
    with pytest.raises(SecurityError, match="0x10 lacks encryption"):
        require(0x10, authenticated=True, encrypted=True)
    with pytest.raises(SecurityError, match="lacks authentication and encryption"):
        require(0x00, authenticated=True, encrypted=True)


# -- protect / unprotect envelopes -------------------------------------------------------


def test_protect_every_envelope() -> None:
    plain = h("C0010000080000010000FF0200")  # get-request of SEC-02
    kwargs: dict[str, Any] = {
        "security_control": 0x30,
        "system_title": h("4D4D4D0000BC614E"),
        "invocation_counter": 7,
        "encryption_key": GB_EK,
        "authentication_key": GB_AK,
    }
    glo = protect(plain, envelope=Envelope.GLO, **kwargs)
    ded = protect(plain, envelope=Envelope.DED, **kwargs)
    general_glo = protect(plain, envelope=Envelope.GENERAL_GLO, **kwargs)
    general_ded = protect(plain, envelope=Envelope.GENERAL_DED, **kwargs)
    assert isinstance(glo, ServiceSpecificCiphered)
    assert glo.ciphered_tag is CipheredTag.GLO_GET_REQUEST
    assert isinstance(ded, ServiceSpecificCiphered)
    assert ded.ciphered_tag is CipheredTag.DED_GET_REQUEST
    assert isinstance(general_glo, GeneralGloCiphering)
    assert isinstance(general_ded, GeneralDedCiphering)
    keys: dict[str, Any] = {"encryption_key": GB_EK, "authentication_key": GB_AK}
    for built in (glo, ded, general_glo, general_ded):
        decoded = apdu_module.decode(built.to_bytes())
        assert decoded == built
        assert isinstance(
            decoded, ServiceSpecificCiphered | GeneralGloCiphering | GeneralDedCiphering
        )
        assert unprotect(decoded, system_title=kwargs["system_title"], **keys) == plain
    with pytest.raises(SecurityError, match="carries no system title"):
        assert isinstance(glo, ServiceSpecificCiphered)
        unprotect(glo, **keys)
    with pytest.raises(EncodeError, match="no glo- ciphered APDU for tag 0x0F"):
        protect(h("0F00000001"), envelope=Envelope.GLO, **kwargs)
    with pytest.raises(EncodeError, match="empty"):
        protect(b"", envelope=Envelope.GLO, **kwargs)
    with pytest.raises(TypeError):
        unprotect(apdu_module.decode(plain), **keys)  # type: ignore[arg-type]


def test_unprotect_empty_system_title_quirk() -> None:
    # XDLMS-28 quirk (Pietro Fiorentini): general-glo-ciphering with an empty system
    # title; the peer's system title is then the parameter.
    title = h("5046430000000001")
    built = protect(
        b"\x0f\x00\x00\x00\x01\x00\x00",
        envelope=Envelope.GENERAL_GLO,
        security_control=0x30,
        system_title=title,
        invocation_counter=3,
        encryption_key=GB_EK,
        authentication_key=GB_AK,
    )
    assert isinstance(built, GeneralGloCiphering)
    empty = GeneralGloCiphering(
        system_title=b"",  # type: ignore[arg-type]
        security_control=built.security_control,
        invocation_counter=3,
        ciphered_text=built.ciphered_text,
    )
    keys: dict[str, Any] = {"encryption_key": GB_EK, "authentication_key": GB_AK}
    assert unprotect(empty, system_title=title, **keys) == b"\x0f\x00\x00\x00\x01\x00\x00"
    with pytest.raises(SecurityError, match="system title must be 8 bytes, got 0"):
        unprotect(empty, **keys)


# -- secrets -----------------------------------------------------------------------------


def test_no_secret_in_messages_or_reprs() -> None:
    # DESIGN.md rule 10: no key, plaintext or tag in exception messages or reprs.
    ek = h("5C316162209EBB790B52EB0E7FC5B11C")
    ak = h("92705C5C97286064EABAE38D190F87A4")
    plain = h("0F00177BCA0C07E602150111251EFF8000000221")
    secrets = [ek.hex(), ak.hex(), plain.hex()]
    messages: list[str] = []
    good = encrypt(
        security_control=0x30,
        system_title=bytes(8),
        invocation_counter=1,
        encryption_key=ek,
        authentication_key=ak,
        plaintext=plain,
    )
    attempts: list[dict[str, Any]] = [
        {"ciphered": good[:-1] + b"\x00"},
        {"ciphered": good, "authentication_key": ak[::-1]},
        {"ciphered": good, "encryption_key": ek + ak},
        {"ciphered": good, "authentication_key": ak[:15]},
        {"ciphered": good[:5]},
        {"ciphered": good, "security_control": 0xB0},
        {"ciphered": good, "security_control": 0x35},
    ]
    for attempt in attempts:
        kwargs: dict[str, Any] = {
            "security_control": 0x30,
            "system_title": bytes(8),
            "invocation_counter": 1,
            "encryption_key": ek,
            "authentication_key": ak,
            **attempt,
        }
        with pytest.raises((SecurityError, DecodeError)) as info:
            decrypt(**kwargs)
        messages.append(str(info.value))
        messages.append(repr(info.value))
    messages += [repr(s) for s in SecuritySuite] + [repr(e) for e in Envelope]
    for message in messages:
        for secret in secrets:
            assert secret.lower() not in message.lower()
            assert secret.upper() not in message
        assert "5C3161" not in message.upper()


# -- properties --------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    plaintext=st.binary(max_size=300),
    suite=st.sampled_from(list(SecuritySuite)),
    mode=st.sampled_from([0x10, 0x20, 0x30]),
    broadcast=st.booleans(),
    system_title=st.binary(min_size=8, max_size=8),
    invocation_counter=st.integers(0, 0xFFFFFFFF),
    data=st.data(),
)
def test_round_trip(
    *,
    plaintext: bytes,
    suite: SecuritySuite,
    mode: int,
    broadcast: bool,
    system_title: bytes,
    invocation_counter: int,
    data: st.DataObject,
) -> None:
    n = suite.key_length
    ek = data.draw(st.binary(min_size=n, max_size=n))
    ak = data.draw(st.binary(min_size=n, max_size=n))
    sc = mode | suite | (0x40 if broadcast else 0)
    common: dict[str, Any] = {
        "security_control": sc,
        "system_title": system_title,
        "invocation_counter": invocation_counter,
        "encryption_key": ek,
        "authentication_key": ak,
    }
    ciphered = encrypt(plaintext=plaintext, **common)
    tagged = bool(mode & 0x10)
    assert len(ciphered) == len(plaintext) + (TAG_LENGTH if tagged else 0)
    if mode == 0x10:
        assert ciphered[: len(plaintext)] == plaintext
    assert decrypt(ciphered=ciphered, **common) == plaintext
    assert (
        decrypt(ciphered=ciphered, verify_tag=False, **{**common, "authentication_key": None})
        == plaintext
    )
    if tagged:
        i = data.draw(st.integers(0, len(ciphered) - 1))
        forged = bytearray(ciphered)
        forged[i] ^= data.draw(st.integers(1, 255))
        with pytest.raises(SecurityError, match="authentication failed"):
            decrypt(ciphered=bytes(forged), **common)


@settings(max_examples=100, deadline=None)
@given(
    tag=st.sampled_from(list(CipheredTag)),
    general=st.booleans(),
    body=st.binary(max_size=64),
    sc=st.sampled_from([0x10, 0x20, 0x30, 0x31, 0x70]),
    invocation_counter=st.integers(0, 0xFFFFFFFF),
)
def test_protect_unprotect_round_trip(
    *, tag: CipheredTag, general: bool, body: bytes, sc: int, invocation_counter: int
) -> None:
    # Every service-specific glo-/ded- tag (Green Book 9.5) and both general envelopes:
    # protect → encode → decode → unprotect gives the plaintext APDU back.
    plain = bytes((tag.plain_tag,)) + body
    if general:
        envelope = Envelope.GENERAL_DED if tag.dedicated else Envelope.GENERAL_GLO
    else:
        envelope = Envelope.DED if tag.dedicated else Envelope.GLO
    title = h("4D4D4D0000BC614E")
    keys: dict[str, Any] = {"encryption_key": GB_EK, "authentication_key": GB_AK}
    built = protect(
        plain,
        envelope=envelope,
        security_control=sc,
        system_title=title,
        invocation_counter=invocation_counter,
        **keys,
    )
    if not general:
        assert isinstance(built, ServiceSpecificCiphered)
        assert built.ciphered_tag is tag
    decoded = apdu_module.decode(built.to_bytes())
    assert decoded == built
    assert isinstance(decoded, ServiceSpecificCiphered | GeneralGloCiphering | GeneralDedCiphering)
    assert decoded.security_control.value == sc
    assert decoded.invocation_counter == invocation_counter
    assert unprotect(decoded, system_title=title, **keys) == plain
