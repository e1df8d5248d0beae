"""general-ciphering (0xDD) and general-signing (0xDF): protect / unprotect, sign / verify.

Supported key-info forms: identified-key (global unicast 0 / broadcast 1 key of
:class:`SecurityKeys`), wrapped-key (a content key wrapped with the KEK, RFC 3394) and
agreed-key (suites 1/2, :class:`KeyAgreement`): One-Pass DH (key-parameters 01,
key-ciphered-data = ephemeral public key X‖Y ‖ ECDSA signature r‖s over X‖Y) and Static
Unified Model (02, key-ciphered-data empty); Z → SP 800-56A concatenation KDF with
OtherInfo = AlgorithmID ‖ originator system title [‖ transaction-id for the Static
Unified Model] ‖ recipient system title (as Gurux.NET reads it; not checked against an
interoperable vector).

IV = originator system title ‖ invocation counter. AAD (auth+enc) = SC ‖ AK ‖
transaction-id ‖ originator-system-title ‖ recipient-system-title ‖ date-time ‖
other-information, each field WITH its A-XDR length octets (an absent field is a single
0x00). Confirmed: Gurux (gurux_dlms GXDLMSChippering.getAuthenticatedData) builds the
same bytes for suites 1/2 authenticated+encrypted general-ciphering, and the interop test
(tests/security/test_general.py) decrypts Gurux's output and Gurux's GCM accepts ours.
Not confirmed: authentication-only general-ciphering (Gurux then uses SC ‖ AK ‖ APDU
without the header fields; we keep the header fields) and suite 0 (Gurux omits the
header fields for suite 0; we include them).

The general-signing signature covers the encoded APDU from the tag up to and including
the content (its length octets too), i.e. everything before the signature.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from dlmskit.apdu.ciphered import (
    AgreedKey,
    GeneralCiphering,
    GeneralSigning,
    IdentifiedKey,
    KekId,
    SecurityControl,
    WrappedKey,
)
from dlmskit.axdr import OctetString as _o
from dlmskit.axdr import encode_length as _axdr_length
from dlmskit.errors import DecodeError, SecurityError
from dlmskit.security import keys as _keys

__all__ = [
    "ONE_PASS_DH",
    "STATIC_UNIFIED_MODEL",
    "KeyAgreement",
    "protect_general",
    "sign_general",
    "unprotect_general",
    "verify_general",
]

KeyInfo = IdentifiedKey | WrappedKey | AgreedKey | None


def _header_aad(
    transaction_id: bytes,
    originator: bytes,
    recipient: bytes,
    date_time: bytes,
    other_information: bytes,
) -> bytes:
    # Each field enters the AAD as its A-XDR octet-string encoding WITHOUT the type tag:
    # length octets then value (an absent date-time / other-information is one 0x00).
    # Confirmed against Gurux (GXDLMSChippering.getAuthenticatedData, which writes
    # setObjectCount(len) + value for each field) by the interop test in
    # tests/security/test_general.py.
    out = bytearray()
    for field in (transaction_id, originator, recipient, date_time, other_information):
        out += _axdr_length(len(field))
        out += field
    return bytes(out)


def _identified(keys: _keys.SecurityKeys, key_id: int) -> bytes:
    key = (
        keys.global_unicast_key
        if key_id == 0
        else (keys.global_broadcast_key if key_id == 1 else None)
    )
    if key is None:
        raise SecurityError("the identified key is not available")
    return key


def _content_key(keys: _keys.SecurityKeys, key_info: KeyInfo) -> bytes:
    if key_info is None:
        raise SecurityError("general-ciphering without key-info is not supported")
    if isinstance(key_info, IdentifiedKey):
        return _identified(keys, int(key_info.key_id))
    if isinstance(key_info, WrappedKey):
        if keys.kek is None:
            raise SecurityError("no KEK available to unwrap the content key")
        key = _keys.unwrap_key(keys.kek, bytes(key_info.key_ciphered_data))
        if len(key) != _keys.key_length(keys.suite):
            raise SecurityError("the unwrapped key has the wrong length")
        return key
    raise SecurityError("agreed-key general-ciphering needs agreement= (KeyAgreement)")


ONE_PASS_DH = 0x01
"""key-parameters of One-Pass Diffie-Hellman C(1e, 1s, ECC CDH)."""
STATIC_UNIFIED_MODEL = 0x02
"""key-parameters of Static Unified Model C(0e, 2s, ECC CDH)."""


@dataclass(frozen=True, eq=False, repr=False)
class KeyAgreement:
    """ECC keys of one side for agreed-key general-ciphering (Green Book 9.2.3.4.6).

    ``own_agreement_key`` is this side's static key-agreement private key and
    ``peer_agreement_key`` the peer's static key-agreement public key. One-Pass DH also
    needs ``own_signing_key`` on the originator (it signs its ephemeral public key) and
    ``peer_signing_key`` on the recipient (to check that signature). ``repr`` hides keys.
    """

    own_agreement_key: ec.EllipticCurvePrivateKey | None = None
    peer_agreement_key: ec.EllipticCurvePublicKey | None = None
    own_signing_key: ec.EllipticCurvePrivateKey | None = None
    peer_signing_key: ec.EllipticCurvePublicKey | None = None

    def __repr__(self) -> str:
        return "KeyAgreement(<keys hidden>)"


def _scheme(key_info: AgreedKey) -> int:
    params = bytes(key_info.key_parameters)
    if params not in (bytes((ONE_PASS_DH,)), bytes((STATIC_UNIFIED_MODEL,))):
        raise SecurityError(f"unknown agreed-key key-parameters {params.hex()}")
    return params[0]


def _agreed_kdf(
    z: bytes, suite: int, *, scheme: int, originator: bytes, recipient: bytes, transaction_id: bytes
) -> bytes:
    # OtherInfo = AlgorithmID ‖ PartyUInfo ‖ PartyVInfo, fields concatenated. Facts read
    # in Gurux.NET GXDLMSChippering (decrypt of general-ciphering): One-Pass DH uses
    # U = originator system title, V = recipient system title; the Static Unified Model
    # puts the transaction-id after the originator system title (U = originator ‖
    # transaction-id), V = recipient system title; no SuppPub/SuppPrivInfo. AlgorithmID is
    # AES-GCM-128 for suite 1, AES-GCM-256 for suite 2.
    alg = _keys.ALGORITHM_ID_AES_GCM_128 if suite == 1 else _keys.ALGORITHM_ID_AES_GCM_256
    party_u = originator + (transaction_id if scheme == STATIC_UNIFIED_MODEL else b"")
    return _keys.concat_kdf(z, _keys.kdf_other_info(alg, party_u, recipient), suite)


def _suite_asym(suite: int) -> None:
    if suite not in (1, 2):
        raise SecurityError("agreed-key needs security suite 1 or 2 (ECC)")


def _agree_originator(
    key_info: AgreedKey,
    agreement: KeyAgreement,
    *,
    suite: int,
    originator: bytes,
    recipient: bytes,
    transaction_id: bytes,
) -> tuple[AgreedKey, bytes]:
    _suite_asym(suite)
    scheme = _scheme(key_info)
    if agreement.peer_agreement_key is None:
        raise SecurityError("the recipient's static key-agreement public key is required")
    if scheme == ONE_PASS_DH:
        if agreement.own_signing_key is None:
            raise SecurityError("One-Pass DH needs the originator's signing key")
        eph = _keys.generate_private_key(suite)
        eph_pub = _keys.public_key_to_dlms(eph.public_key())
        signature = _keys.sign(agreement.own_signing_key, eph_pub, suite)
        z = _keys.ecdh_shared_secret(eph, agreement.peer_agreement_key, suite)
        info = AgreedKey(key_parameters=_o(b"\x01"), key_ciphered_data=_o(eph_pub + signature))
    else:
        if agreement.own_agreement_key is None:
            raise SecurityError("Static Unified Model needs the own static key-agreement key")
        z = _keys.ecdh_shared_secret(
            agreement.own_agreement_key, agreement.peer_agreement_key, suite
        )
        info = AgreedKey(key_parameters=_o(b"\x02"), key_ciphered_data=_o(b""))
    return info, _agreed_kdf(
        z,
        suite,
        scheme=scheme,
        originator=originator,
        recipient=recipient,
        transaction_id=transaction_id,
    )


def _agree_recipient(
    key_info: AgreedKey,
    agreement: KeyAgreement,
    *,
    suite: int,
    originator: bytes,
    recipient: bytes,
    transaction_id: bytes,
) -> bytes:
    _suite_asym(suite)
    scheme = _scheme(key_info)
    if agreement.own_agreement_key is None:
        raise SecurityError("the recipient's static key-agreement private key is required")
    data = bytes(key_info.key_ciphered_data)
    if scheme == ONE_PASS_DH:
        size = 64 if suite == 1 else 96
        if len(data) != 2 * size:
            raise DecodeError(
                f"key-ciphered-data must be {2 * size} bytes (ephemeral key ‖ signature),"
                f" got {len(data)}"
            )
        if agreement.peer_signing_key is None:
            raise SecurityError("One-Pass DH needs the originator's signing public key")
        eph_pub, signature = data[:size], data[size:]
        # Green Book: the ephemeral public key is signed with the originator's
        # digital-signature key; checked before it is used.
        _keys.verify(agreement.peer_signing_key, eph_pub, signature, suite)
        peer = _keys.public_key_from_dlms(eph_pub, suite)
    else:
        if data:
            raise DecodeError("key-ciphered-data must be empty for the Static Unified Model")
        if agreement.peer_agreement_key is None:
            raise SecurityError("the originator's static key-agreement public key is required")
        peer = agreement.peer_agreement_key
    z = _keys.ecdh_shared_secret(agreement.own_agreement_key, peer, suite)
    return _agreed_kdf(
        z,
        suite,
        scheme=scheme,
        originator=originator,
        recipient=recipient,
        transaction_id=transaction_id,
    )


def wrapped_key_info(
    keys: _keys.SecurityKeys, content_key: bytes | None = None
) -> tuple[WrappedKey, bytes]:
    """A wrapped-key key-info for a fresh (or given) content key, and that key."""
    if keys.kek is None:
        raise SecurityError("no KEK available to wrap the content key")
    key = content_key if content_key is not None else os.urandom(_keys.key_length(keys.suite))
    if len(key) != _keys.key_length(keys.suite):
        raise SecurityError("content key has the wrong length")
    return WrappedKey(kek_id=KekId(0), key_ciphered_data=_o(_keys.wrap_key(keys.kek, key))), key


TAG_LENGTH = 12


def _sc(value: SecurityControl | int) -> SecurityControl:
    return value if isinstance(value, SecurityControl) else SecurityControl(value)


def _iv(system_title: bytes, invocation_counter: int) -> bytes:
    if len(system_title) != 8:
        raise SecurityError("originator system title must be 8 bytes")
    if not 0 <= invocation_counter <= 0xFFFFFFFF:
        raise SecurityError("invocation counter out of range")
    return bytes(system_title) + invocation_counter.to_bytes(4, "big")


def _gcm(ek: bytes, iv: bytes, aad: bytes, data: bytes) -> tuple[bytes, bytes]:
    enc = Cipher(algorithms.AES(ek), modes.GCM(iv)).encryptor()
    enc.authenticate_additional_data(aad)
    ct = enc.update(data) + enc.finalize()
    return ct, enc.tag[:TAG_LENGTH]


def _ctr(ek: bytes, iv: bytes, data: bytes) -> bytes:
    c = Cipher(algorithms.AES(ek), modes.CTR(iv + b"\x00\x00\x00\x02")).encryptor()
    return c.update(data) + c.finalize()


def _aad(sc: SecurityControl, keys: _keys.SecurityKeys, header: bytes) -> bytes:
    if keys.authentication_key is None:
        raise SecurityError("an authentication key is required")
    return bytes((sc.value,)) + keys.authentication_key + header


def _check(sc: SecurityControl, ek: bytes, keys: _keys.SecurityKeys) -> None:
    if sc.compression:
        raise SecurityError("compression is not supported")
    if sc.suite_id != keys.suite:
        raise SecurityError("security suite of SC does not match the keys")
    if len(ek) != _keys.key_length(keys.suite):
        raise SecurityError("content key has the wrong length")


def protect_general(
    plain_apdu: bytes,
    *,
    keys: _keys.SecurityKeys,
    key_info: KeyInfo,
    transaction_id: bytes,
    recipient_system_title: bytes,
    date_time: bytes = b"",
    other_information: bytes = b"",
    security_control: SecurityControl | int,
    invocation_counter: int,
    agreement: KeyAgreement | None = None,
) -> GeneralCiphering:
    """Cipher ``plain_apdu`` into a general-ciphering APDU (originator = keys.system_title).

    For an agreed key pass ``key_info=AgreedKey(key_parameters=b"\\x01" or b"\\x02",
    key_ciphered_data=b"")`` and ``agreement``: the content key is agreed with ECDH + the
    concatenation KDF and, for One-Pass DH, key-ciphered-data is filled with the signed
    ephemeral public key.
    """
    sc = _sc(security_control)
    if isinstance(key_info, AgreedKey):
        if agreement is None:
            raise SecurityError("agreed-key general-ciphering needs agreement= (KeyAgreement)")
        key_info, ek = _agree_originator(
            key_info,
            agreement,
            suite=keys.suite,
            originator=bytes(keys.system_title),
            recipient=bytes(recipient_system_title),
            transaction_id=bytes(transaction_id),
        )
    else:
        ek = _content_key(keys, key_info)
    _check(sc, ek, keys)
    iv = _iv(keys.system_title, invocation_counter)
    header = _header_aad(
        transaction_id, keys.system_title, recipient_system_title, date_time, other_information
    )
    data = bytes(plain_apdu)
    if sc.authentication and sc.encryption:
        ct, tag = _gcm(ek, iv, _aad(sc, keys, header), data)
        text = ct + tag
    elif sc.authentication:
        _, tag = _gcm(ek, iv, _aad(sc, keys, header) + data, b"")
        text = data + tag
    else:
        text = _ctr(ek, iv, data)
    return GeneralCiphering(
        transaction_id=_o(transaction_id),
        originator_system_title=_o(keys.system_title),
        recipient_system_title=_o(recipient_system_title),
        date_time=_o(date_time),
        other_information=_o(other_information),
        key_info=key_info,
        security_control=sc,
        invocation_counter=invocation_counter,
        ciphered_text=text,
    )


def unprotect_general(
    apdu: GeneralCiphering,
    *,
    keys: _keys.SecurityKeys,
    verify_tag: bool = True,
    agreement: KeyAgreement | None = None,
) -> bytes:
    """The plain APDU of a general-ciphering APDU; a wrong tag raises SecurityError.

    An agreed-key APDU needs ``agreement`` (own static key-agreement private key, and the
    originator's signing public key for One-Pass DH or its static key-agreement public key
    for the Static Unified Model).
    """
    sc = apdu.security_control
    if isinstance(apdu.key_info, AgreedKey):
        if agreement is None:
            raise SecurityError("agreed-key general-ciphering needs agreement= (KeyAgreement)")
        ek = _agree_recipient(
            apdu.key_info,
            agreement,
            suite=keys.suite,
            originator=bytes(apdu.originator_system_title),
            recipient=bytes(apdu.recipient_system_title),
            transaction_id=bytes(apdu.transaction_id),
        )
    else:
        ek = _content_key(keys, apdu.key_info)
    _check(sc, ek, keys)
    iv = _iv(bytes(apdu.originator_system_title), apdu.invocation_counter)
    data = bytes(apdu.ciphered_text)
    if not sc.authentication:
        return _ctr(ek, iv, data)
    if len(data) < TAG_LENGTH:
        raise DecodeError("ciphered text shorter than its authentication tag")
    body, tag = data[:-TAG_LENGTH], data[-TAG_LENGTH:]
    if not verify_tag:
        return _ctr(ek, iv, body) if sc.encryption else body
    header = _header_aad(
        bytes(apdu.transaction_id),
        bytes(apdu.originator_system_title),
        bytes(apdu.recipient_system_title),
        bytes(apdu.date_time),
        bytes(apdu.other_information),
    )
    aad = _aad(sc, keys, header)
    if sc.encryption:
        dec = Cipher(algorithms.AES(ek), modes.GCM(iv, tag, min_tag_length=TAG_LENGTH)).decryptor()
        dec.authenticate_additional_data(aad)
        try:
            return dec.update(body) + dec.finalize()
        except InvalidTag:
            raise SecurityError("authentication failed: the tag does not match") from None
    _, expected = _gcm(ek, iv, aad + body, b"")
    if not hmac.compare_digest(expected, tag):
        raise SecurityError("authentication failed: the tag does not match")
    return body


def _signed_data(apdu: GeneralSigning) -> bytes:
    out = bytearray()
    apdu.write(out)
    sig_len = bytearray()
    # everything before the signature's length octets and value
    tail = len(bytes(apdu.signature))
    n = tail
    if n < 0x80:
        sig_len.append(n)
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        sig_len += bytes((0x80 | len(raw),)) + raw
    return bytes(out[: len(out) - tail - len(sig_len)])


def sign_general(
    content: bytes,
    *,
    private_key: ec.EllipticCurvePrivateKey,
    suite: int,
    transaction_id: bytes,
    originator: bytes,
    recipient: bytes,
    date_time: bytes = b"",
    other_information: bytes = b"",
) -> GeneralSigning:
    """A general-signing APDU over ``content``, signed with ECDSA (suite 1 or 2)."""
    unsigned = GeneralSigning(
        transaction_id=_o(transaction_id),
        originator_system_title=_o(originator),
        recipient_system_title=_o(recipient),
        date_time=_o(date_time),
        other_information=_o(other_information),
        content=_o(content),
        signature=_o(b""),
    )
    signature = _keys.sign(private_key, _signed_data(unsigned), suite)
    return GeneralSigning(
        transaction_id=_o(transaction_id),
        originator_system_title=_o(originator),
        recipient_system_title=_o(recipient),
        date_time=_o(date_time),
        other_information=_o(other_information),
        content=_o(content),
        signature=_o(signature),
    )


def verify_general(
    apdu: GeneralSigning, *, public_key: ec.EllipticCurvePublicKey, suite: int
) -> bytes:
    """The content of a general-signing APDU once its signature checks (else SecurityError)."""
    _keys.verify(public_key, _signed_data(apdu), bytes(apdu.signature), suite)
    return bytes(apdu.content)
