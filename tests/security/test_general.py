"""general-ciphering (0xDD) / general-signing (0xDF) protection: round trips, tampering,
wrong KEK, secrets kept out of messages; the authenticated+encrypted AAD layout is checked
against Gurux (gurux-dlms package) for suites 1 and 2 (see security/general.py)."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash

from dlmskit import apdu as apdu_module
from dlmskit.apdu.ciphered import (
    AgreedKey,
    GeneralCiphering,
    GeneralSigning,
    IdentifiedKey,
    KeyId,
    SecurityControl,
)
from dlmskit.axdr import OctetString
from dlmskit.errors import DecodeError, SecurityError
from dlmskit.security import keys as K
from dlmskit.security.general import (
    ONE_PASS_DH,
    STATIC_UNIFIED_MODEL,
    KeyAgreement,
    protect_general,
    sign_general,
    unprotect_general,
    verify_general,
    wrapped_key_info,
)

PLAIN = bytes.fromhex("C001C1000800000100FF0200")
ST = bytes.fromhex("4D4D4D0000BC614E")
PEER = bytes.fromhex("4D4D4D0000000001")


def _keys(suite: int, kek: bytes | None = None) -> K.SecurityKeys:
    n = K.key_length(suite)
    return K.SecurityKeys(
        system_title=ST,
        suite=suite,
        global_unicast_key=bytes(range(n)),
        global_broadcast_key=bytes(range(1, n + 1)),
        authentication_key=bytes(range(0xD0, 0xD0 + n)),
        kek=kek if kek is not None else bytes(range(0x40, 0x40 + n)),
    )


def _encode(apdu: object) -> bytes:
    out = bytearray()
    apdu.write(out)
    return bytes(out)


def _roundtrip(ciphered: GeneralCiphering) -> GeneralCiphering:
    wire = _encode(ciphered)
    decoded = apdu_module.decode(wire)
    assert isinstance(decoded, GeneralCiphering)
    assert _encode(decoded) == wire
    return decoded


def _protect(keys: K.SecurityKeys, key_info: object, sc: int) -> GeneralCiphering:
    return protect_general(
        PLAIN,
        keys=keys,
        key_info=key_info,  # type: ignore[arg-type]
        transaction_id=b"\x01\x02\x03\x04\x05\x06\x07\x08",
        recipient_system_title=PEER,
        date_time=b"",
        other_information=b"\xaa",
        security_control=SecurityControl(sc | keys.suite),
        invocation_counter=0x01234567,
    )


@pytest.mark.parametrize("suite", [0, 1, 2])
@pytest.mark.parametrize("sc", [0x30, 0x10, 0x20])
@pytest.mark.parametrize("form", ["unicast", "broadcast", "wrapped"])
def test_round_trip(suite: int, sc: int, form: str) -> None:
    keys = _keys(suite)
    if form == "wrapped":
        info: object = wrapped_key_info(keys)[0]
    else:
        info = IdentifiedKey(key_id=KeyId(0 if form == "unicast" else 1))
    ciphered = _roundtrip(_protect(keys, info, sc))
    assert unprotect_general(ciphered, keys=keys) == PLAIN
    assert unprotect_general(ciphered, keys=keys, verify_tag=False) == PLAIN
    if sc & 0x20:
        assert PLAIN not in bytes(ciphered.ciphered_text)


@pytest.mark.parametrize(
    "field",
    [
        "transaction_id",
        "originator_system_title",
        "recipient_system_title",
        "date_time",
        "other_information",
    ],
)
@pytest.mark.parametrize("sc", [0x30, 0x10])
def test_header_tampering_rejected(field: str, sc: int) -> None:
    keys = _keys(0)
    ciphered = _protect(keys, IdentifiedKey(key_id=KeyId(0)), sc)
    value = bytes(getattr(ciphered, field))
    changed = (bytes([value[0] ^ 1]) + value[1:]) if value else b"\x00"
    tampered = dataclasses.replace(ciphered, **{field: OctetString(changed)})  # type: ignore[arg-type]
    with pytest.raises(SecurityError):
        unprotect_general(tampered, keys=keys)


@pytest.mark.parametrize("index", [0, -1, -13])
def test_ciphertext_and_tag_tampering_rejected(index: int) -> None:
    keys = _keys(1)
    ciphered = _protect(keys, IdentifiedKey(key_id=KeyId(0)), 0x30)
    text = bytearray(ciphered.ciphered_text)
    text[index] ^= 0x80
    with pytest.raises(SecurityError):
        unprotect_general(dataclasses.replace(ciphered, ciphered_text=bytes(text)), keys=keys)
    with pytest.raises(SecurityError):
        unprotect_general(
            dataclasses.replace(ciphered, invocation_counter=ciphered.invocation_counter + 1),
            keys=keys,
        )


def test_wrong_kek_and_wrong_key_rejected() -> None:
    keys = _keys(0)
    ciphered = _protect(keys, wrapped_key_info(keys)[0], 0x30)
    other = _keys(0, kek=b"\x99" * 16)
    with pytest.raises(SecurityError) as info:
        unprotect_general(ciphered, keys=other)
    assert "99" not in str(info.value)
    broadcast = _protect(keys, IdentifiedKey(key_id=KeyId(1)), 0x30)
    swapped = dataclasses.replace(broadcast, key_info=IdentifiedKey(key_id=KeyId(0)))
    with pytest.raises(SecurityError):
        unprotect_general(swapped, keys=keys)


def test_agreed_key_without_agreement_and_missing_key_info_refused() -> None:
    keys = _keys(1)
    agreed = AgreedKey(key_parameters=OctetString(b"\x02"), key_ciphered_data=OctetString(b""))
    with pytest.raises(SecurityError):
        _protect(keys, agreed, 0x30)
    with pytest.raises(SecurityError):
        _protect(keys, None, 0x30)


def test_secrets_not_in_messages_or_reprs() -> None:
    keys = _keys(0)
    ciphered = _protect(keys, IdentifiedKey(key_id=KeyId(0)), 0x30)
    text = bytearray(ciphered.ciphered_text)
    text[-1] ^= 1
    with pytest.raises(SecurityError) as info:
        unprotect_general(dataclasses.replace(ciphered, ciphered_text=bytes(text)), keys=keys)
    message = str(info.value) + repr(keys)
    for secret in (keys.global_unicast_key, keys.authentication_key, keys.kek, PLAIN):
        assert secret is not None
        assert secret.hex() not in message.lower()
        assert secret.hex().upper() not in message


@pytest.mark.parametrize("suite", [1, 2])
def test_signing_round_trip_and_tampering(suite: int) -> None:
    private = K.generate_private_key(suite)
    signed = sign_general(
        PLAIN,
        private_key=private,
        suite=suite,
        transaction_id=b"\x01" * 8,
        originator=ST,
        recipient=PEER,
        other_information=b"\x05",
    )
    wire = _encode(signed)
    decoded = apdu_module.decode(wire)
    assert isinstance(decoded, GeneralSigning)
    assert _encode(decoded) == wire
    assert verify_general(decoded, public_key=private.public_key(), suite=suite) == PLAIN
    for field in (
        "transaction_id",
        "originator_system_title",
        "recipient_system_title",
        "date_time",
        "other_information",
        "content",
        "signature",
    ):
        value = bytes(getattr(decoded, field))
        changed = (bytes([value[0] ^ 1]) + value[1:]) if value else b"\x00"
        tampered = dataclasses.replace(decoded, **{field: OctetString(changed)})
        with pytest.raises(SecurityError):
            verify_general(tampered, public_key=private.public_key(), suite=suite)
    other = K.generate_private_key(suite).public_key()
    with pytest.raises(SecurityError):
        verify_general(decoded, public_key=other, suite=suite)


# --- interop with Gurux (gurux-dlms, test-only dependency): the general-ciphering AAD ---
# Gurux's GXDLMSChippering.getAuthenticatedData (suite 1/2, authenticated+encrypted, a
# recipient system title set) puts each header field in the AAD with its length octets
# and uses the invocation counter as an 8-byte transaction-id. Same inputs on both sides.


def _gurux_param(suite: int, ic: int) -> object:
    gx = pytest.importorskip("gurux_dlms")
    from gurux_dlms.AesGcmParameter import AesGcmParameter
    from gurux_dlms.CountType import CountType
    from gurux_dlms.enums.Security import Security

    del gx
    k = _keys(suite)
    p = AesGcmParameter(0xDD, ST, k.global_unicast_key, k.authentication_key)
    p.security = Security.AUTHENTICATION_ENCRYPTION
    p.securitySuite = suite
    p.invocationCounter = ic
    p.recipientSystemTitle = PEER
    p.type_ = CountType.DATA | CountType.TAG
    return p


@pytest.mark.parametrize("suite", [1, 2])
def test_general_ciphering_aad_interop_with_gurux(suite: int) -> None:
    from gurux_dlms.GXDLMSChippering import GXDLMSChippering

    ic = 0x01234567
    k = _keys(suite)
    ours = protect_general(
        PLAIN,
        keys=k,
        key_info=IdentifiedKey(key_id=KeyId(0)),
        transaction_id=ic.to_bytes(8, "big"),
        recipient_system_title=PEER,
        security_control=0x30 | suite,
        invocation_counter=ic,
    )
    theirs = bytes(GXDLMSChippering.encryptAesGcm(_gurux_param(suite, ic), PLAIN))
    # Gurux's ciphertext ‖ tag equals ours byte for byte: same AAD (with length octets).
    assert theirs == bytes(ours.ciphered_text)
    # and we decrypt what Gurux produced, carried in our envelope
    assert unprotect_general(_roundtrip(ours), keys=k) == PLAIN


def test_general_ciphering_aad_interop_detects_old_layout() -> None:
    """Gurux's AAD bytes spelled out: SC, AK, then each field with its length octet."""
    from gurux_dlms.GXDLMSChippering import GXDLMSChippering

    ic = 7
    theirs = bytes(GXDLMSChippering.encryptAesGcm(_gurux_param(1, ic), PLAIN))
    aad_with = GXDLMSChippering.getAuthenticatedData(_gurux_param(1, ic), 0x31, PLAIN)
    k = _keys(1)
    assert k.authentication_key is not None
    expected = (
        bytes((0x31,))
        + k.authentication_key
        + b"\x08"
        + ic.to_bytes(8, "big")
        + b"\x08"
        + ST
        + b"\x08"
        + PEER
        + b"\x00\x00"
    )
    assert bytes(aad_with) == expected
    assert len(theirs) == len(PLAIN) + 12


# --- agreed-key (ECDH): One-Pass DH (01) and Static Unified Model (02), suites 1/2 ---

TID = b"\x01\x02\x03\x04\x05\x06\x07\x08"


def _parties(
    suite: int,
) -> tuple[KeyAgreement, KeyAgreement, dict[str, ec.EllipticCurvePrivateKey]]:
    """Originator (ST) and recipient (PEER) views of static agreement + signing keys."""
    o_ka, o_sig = K.generate_private_key(suite), K.generate_private_key(suite)
    r_ka = K.generate_private_key(suite)
    originator = KeyAgreement(
        own_agreement_key=o_ka,
        peer_agreement_key=r_ka.public_key(),
        own_signing_key=o_sig,
    )
    recipient = KeyAgreement(
        own_agreement_key=r_ka,
        peer_agreement_key=o_ka.public_key(),
        peer_signing_key=o_sig.public_key(),
    )
    return originator, recipient, {"o_ka": o_ka, "r_ka": r_ka}


def _agreed(scheme: int) -> AgreedKey:
    return AgreedKey(
        key_parameters=OctetString(bytes((scheme,))), key_ciphered_data=OctetString(b"")
    )


def _protect_agreed(suite: int, scheme: int, agreement: KeyAgreement) -> GeneralCiphering:
    return protect_general(
        PLAIN,
        keys=_keys(suite),
        key_info=_agreed(scheme),
        transaction_id=TID,
        recipient_system_title=PEER,
        security_control=0x30 | suite,
        invocation_counter=5,
        agreement=agreement,
    )


@pytest.mark.parametrize("suite", [1, 2])
@pytest.mark.parametrize("scheme", [ONE_PASS_DH, STATIC_UNIFIED_MODEL])
def test_agreed_key_round_trip(suite: int, scheme: int) -> None:
    originator, recipient, _ = _parties(suite)
    ciphered = _roundtrip(_protect_agreed(suite, scheme, originator))
    assert isinstance(ciphered.key_info, AgreedKey)
    kcd = bytes(ciphered.key_info.key_ciphered_data)
    size = 64 if suite == 1 else 96
    assert len(kcd) == (2 * size if scheme == ONE_PASS_DH else 0)
    assert unprotect_general(ciphered, keys=_keys(suite), agreement=recipient) == PLAIN


@pytest.mark.parametrize("suite", [1, 2])
def test_one_pass_signature_tampering_refused(suite: int) -> None:
    originator, recipient, _ = _parties(suite)
    ciphered = _protect_agreed(suite, ONE_PASS_DH, originator)
    assert isinstance(ciphered.key_info, AgreedKey)
    kcd = bytearray(ciphered.key_info.key_ciphered_data)
    kcd[-1] ^= 1
    bad = dataclasses.replace(
        ciphered,
        key_info=AgreedKey(key_parameters=OctetString(b"\x01"), key_ciphered_data=OctetString(kcd)),
    )
    with pytest.raises(SecurityError, match="signature"):
        unprotect_general(bad, keys=_keys(suite), agreement=recipient)
    # a verifying key of someone else is refused too
    other = dataclasses.replace(
        recipient, peer_signing_key=K.generate_private_key(suite).public_key()
    )
    with pytest.raises(SecurityError, match="signature"):
        unprotect_general(ciphered, keys=_keys(suite), agreement=other)


@pytest.mark.parametrize("suite", [1, 2])
def test_static_unified_wrong_static_key_fails(suite: int) -> None:
    originator, recipient, _ = _parties(suite)
    ciphered = _protect_agreed(suite, STATIC_UNIFIED_MODEL, originator)
    wrong = dataclasses.replace(
        recipient, peer_agreement_key=K.generate_private_key(suite).public_key()
    )
    with pytest.raises(SecurityError, match="tag"):
        unprotect_general(ciphered, keys=_keys(suite), agreement=wrong)
    # the transaction-id enters the KDF: another transaction-id gives another key
    moved = dataclasses.replace(ciphered, transaction_id=OctetString(b"\x09" * 8))
    with pytest.raises(SecurityError, match="tag"):
        unprotect_general(moved, keys=_keys(suite), agreement=recipient)


def test_truncated_key_ciphered_data_and_bad_parameters_refused() -> None:
    originator, recipient, _ = _parties(1)
    ciphered = _protect_agreed(1, ONE_PASS_DH, originator)
    assert isinstance(ciphered.key_info, AgreedKey)
    short = AgreedKey(
        key_parameters=OctetString(b"\x01"),
        key_ciphered_data=OctetString(bytes(ciphered.key_info.key_ciphered_data)[:-1]),
    )
    with pytest.raises(DecodeError, match="key-ciphered-data"):
        unprotect_general(
            dataclasses.replace(ciphered, key_info=short), keys=_keys(1), agreement=recipient
        )
    nonempty = AgreedKey(
        key_parameters=OctetString(b"\x02"), key_ciphered_data=OctetString(b"\x00")
    )
    with pytest.raises(DecodeError, match="empty"):
        unprotect_general(
            dataclasses.replace(ciphered, key_info=nonempty), keys=_keys(1), agreement=recipient
        )
    with pytest.raises(SecurityError, match="key-parameters"):
        _protect_agreed(1, 0x03, originator)


def test_agreed_key_refused_for_suite_0() -> None:
    originator, _, _ = _parties(1)
    with pytest.raises(SecurityError, match="suite 1 or 2"):
        _protect_agreed(0, STATIC_UNIFIED_MODEL, originator)


@pytest.mark.parametrize("suite", [1, 2])
def test_static_unified_kdf_matches_cryptography_concatkdf(suite: int) -> None:
    """The content key equals cryptography's own ConcatKDFHash over Z with the OtherInfo
    AlgorithmID ‖ originator ST ‖ transaction-id ‖ recipient ST (Gurux.NET's layout)."""
    originator, _, raw = _parties(suite)
    ciphered = _protect_agreed(suite, STATIC_UNIFIED_MODEL, originator)
    o_ka, r_ka = raw["o_ka"], raw["r_ka"]
    z = o_ka.exchange(ec.ECDH(), r_ka.public_key())
    alg = bytes.fromhex("60857405080300" if suite == 1 else "60857405080301")
    algo = hashes.SHA256() if suite == 1 else hashes.SHA384()
    key = ConcatKDFHash(
        algorithm=algo, length=16 if suite == 1 else 32, otherinfo=alg + ST + TID + PEER
    ).derive(z)
    # decrypt with that key as an identified key: same content key ⇒ same plaintext
    n = len(key)
    as_identified = dataclasses.replace(ciphered, key_info=IdentifiedKey(key_id=KeyId(0)))
    k = K.SecurityKeys(
        system_title=PEER,
        suite=suite,
        global_unicast_key=key,
        authentication_key=bytes(range(0xD0, 0xD0 + n)),
    )
    assert unprotect_general(as_identified, keys=k) == PLAIN
