"""Security setup (class 64 v1) method parameters, Blue Book 4.4.7: A-XDR round trips
byte for byte, key transfer and key agreement between a client and a server side, CSRs."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.errors import DecodeError, SecurityError
from dlmskit.security import keys
from dlmskit.security.certificates import CertificateEntity
from dlmskit.security.setup import (
    CertificateIdByEntity,
    CertificateIdBySerial,
    ExportCertificate,
    GenerateCertificateRequest,
    GenerateKeyPair,
    ImportCertificate,
    KeyAgreement,
    KeyId,
    KeyPair,
    KeyTransfer,
    RemoveCertificate,
    SecurityActivate,
    build_certificate_request,
    build_key_transfer,
    key_agreement_finish,
    key_agreement_request,
    key_agreement_respond,
    parse_certificate_request,
    unwrap_key_transfer,
)

CLIENT_ST = bytes.fromhex("4D4D4D0000000001")
SERVER_ST = bytes.fromhex("4D4D4D0000BC614E")
KEK = bytes.fromhex("000102030405060708090A0B0C0D0E0F")  # RFC 3394 4.1 KEK


def _round_trip(param: object, cls: type, **kw: object) -> bytes:
    data = param.to_data()  # type: ignore[attr-defined]
    raw = axdr.encode(data)
    back = cls.from_data(axdr.decode(raw), **kw)  # type: ignore[attr-defined]
    assert back == param
    assert axdr.encode(back.to_data()) == raw
    return raw


def test_security_activate() -> None:
    # Version 1 bitmap: authenticated+encrypted request and response = bits 2,3,5,6.
    assert _round_trip(SecurityActivate(0b0110_1100), SecurityActivate) == bytes.fromhex("166C")
    assert _round_trip(SecurityActivate(3, version=0), SecurityActivate, version=0) == b"\x16\x03"
    with pytest.raises(ValueError, match="bitmap"):
        SecurityActivate(1)
    with pytest.raises(DecodeError, match="security_policy"):
        SecurityActivate.from_data(axdr.Unsigned(0x20))
    with pytest.raises(DecodeError, match="security_policy"):
        SecurityActivate.from_data(axdr.Enum(4), version=0)


@given(
    st.lists(
        st.tuples(st.sampled_from(list(KeyId)), st.binary(min_size=24, max_size=40)), max_size=4
    )
)
def test_key_transfer_and_agreement_round_trip(items: list[tuple[KeyId, bytes]]) -> None:
    from dlmskit.security.setup import KeyAgreementEntry, KeyTransferEntry

    _round_trip(KeyTransfer(tuple(KeyTransferEntry(k, v) for k, v in items)), KeyTransfer)
    _round_trip(KeyAgreement(tuple(KeyAgreementEntry(k, v) for k, v in items)), KeyAgreement)


def test_simple_parameters_round_trip() -> None:
    for kp in KeyPair:
        assert _round_trip(GenerateKeyPair(kp), GenerateKeyPair) == bytes([0x16, kp])
        _round_trip(GenerateCertificateRequest(kp), GenerateCertificateRequest)
    assert _round_trip(ImportCertificate(b"\x30\x00"), ImportCertificate) == bytes.fromhex(
        "09023000"
    )
    by_entity = CertificateIdByEntity(
        CertificateEntity.SERVER, KeyPair.DIGITAL_SIGNATURE, SERVER_ST
    )
    raw = _round_trip(ExportCertificate(by_entity), ExportCertificate)
    assert raw == bytes.fromhex("02021600020316001600" + "0908" + SERVER_ST.hex())
    by_serial = CertificateIdBySerial(b"\x01\x02", b"\x30\x00")
    raw = _round_trip(RemoveCertificate(by_serial), RemoveCertificate)
    assert raw == bytes.fromhex("020216010202" + "09020102" + "09023000")
    with pytest.raises(DecodeError, match="key_pair"):
        GenerateKeyPair.from_data(axdr.Enum(7))
    with pytest.raises(DecodeError, match=r"export_certificate\.choice"):
        ExportCertificate.from_data(axdr.Structure((axdr.Enum(2), axdr.Structure(()))))
    with pytest.raises(DecodeError, match=r"remove_certificate\.by_entity"):
        RemoveCertificate.from_data(axdr.Structure((axdr.Enum(0), axdr.Structure(()))))
    with pytest.raises(DecodeError, match=r"key_transfer\[0\]\.key_wrapped"):
        KeyTransfer.from_data(axdr.Array([axdr.Structure((axdr.Enum(0), axdr.Unsigned(1)))]))


@pytest.mark.parametrize("suite", [0, 1, 2])
def test_key_transfer_client_to_server(suite: int) -> None:
    size = keys.key_length(suite)
    kek = bytes(range(size))
    new = {KeyId.GLOBAL_UNICAST: bytes([1]) * size, KeyId.AUTHENTICATION: bytes([2]) * size}
    wire = axdr.encode(build_key_transfer(kek, new).to_data())
    received = KeyTransfer.from_data(axdr.decode(wire))
    assert unwrap_key_transfer(kek, received, suite) == new
    with pytest.raises(SecurityError, match="unwrap failed"):
        unwrap_key_transfer(bytes(size), received, suite)
    wrong = {KeyId.GLOBAL_UNICAST: bytes(24)}
    with pytest.raises(SecurityError, match="suite"):
        unwrap_key_transfer(kek, build_key_transfer(kek, wrong), suite)


@pytest.mark.parametrize("suite", [1, 2])
def test_key_agreement_both_sides(suite: int) -> None:
    client_sign = keys.generate_private_key(suite)
    server_sign = keys.generate_private_key(suite)
    titles = {"client_title": CLIENT_ST, "server_title": SERVER_ST}
    request, ephemeral = key_agreement_request(KeyId.GLOBAL_UNICAST, client_sign, suite)
    request = KeyAgreement.from_data(axdr.decode(axdr.encode(request.to_data())))
    response, server_keys = key_agreement_respond(
        request, client_sign.public_key(), server_sign, suite, **titles
    )
    response = KeyAgreement.from_data(axdr.decode(axdr.encode(response.to_data())))
    client_keys = key_agreement_finish(
        response, ephemeral, server_sign.public_key(), suite, **titles
    )
    assert client_keys == server_keys
    assert len(client_keys[KeyId.GLOBAL_UNICAST]) == keys.key_length(suite)

    # a tampered signature (or another signer) is refused before the key is used
    from dlmskit.security.setup import KeyAgreementEntry

    entry = request.entries[0]
    bad = bytearray(entry.key_data)
    bad[-1] ^= 1
    tampered = KeyAgreement((KeyAgreementEntry(entry.key_id, bytes(bad)),))
    with pytest.raises(SecurityError, match="signature"):
        key_agreement_respond(tampered, client_sign.public_key(), server_sign, suite, **titles)
    with pytest.raises(SecurityError, match="signature"):
        key_agreement_finish(response, ephemeral, client_sign.public_key(), suite, **titles)
    with pytest.raises(SecurityError, match="key_data"):
        key_agreement_respond(
            KeyAgreement((KeyAgreementEntry(KeyId.GLOBAL_UNICAST, b"\x00" * 10),)),
            client_sign.public_key(),
            server_sign,
            suite,
            **titles,
        )


@pytest.mark.parametrize("suite", [1, 2])
def test_certificate_request_round_trip(suite: int) -> None:
    key = keys.generate_private_key(suite)
    result = axdr.decode(axdr.encode(build_certificate_request(key, SERVER_ST, suite)))
    csr, title = parse_certificate_request(result)
    assert title == SERVER_ST
    pub = csr.public_key()
    assert isinstance(pub, ec.EllipticCurvePublicKey)
    assert keys.public_key_to_dlms(pub) == keys.public_key_to_dlms(key.public_key())
    with pytest.raises(DecodeError, match="certificate_request"):
        parse_certificate_request(axdr.OctetString(b"\x30\x01\x00"))
    with pytest.raises(DecodeError, match="certificate_request"):
        parse_certificate_request(axdr.Unsigned(1))
