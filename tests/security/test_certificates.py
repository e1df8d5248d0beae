"""Certificates of suites 1/2 (Green Book 9.2.6): real certificates made with cryptography's
builder (root CA → sub-CA → end entity), verified, then tampered one check at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from dlmskit.apdu import decode as decode_apdu
from dlmskit.apdu.acse import AARQ, ApplicationContextName
from dlmskit.errors import DecodeError, SecurityError
from dlmskit.security.certificates import (
    Certificate,
    CertificateRole,
    CertificateStore,
    certificate_from_calling_ae_qualifier,
    load_certificate,
    subject_for,
    verify_certificate,
    verify_chain,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CURVES = {1: (ec.SECP256R1(), hashes.SHA256()), 2: (ec.SECP384R1(), hashes.SHA384())}
ST = bytes.fromhex("4D4D4D0000BC614E")


def _make(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    usage: str,
    serial: int = 1,
    not_before: datetime = NOW - timedelta(days=30),
    not_after: datetime = NOW + timedelta(days=365),
    digest: hashes.HashAlgorithm | None = None,
) -> Certificate:
    flags = dict.fromkeys(
        [
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ],
        False,
    )
    for name in usage.split(","):
        flags[name] = True
    if ca:
        flags["crl_sign"] = True
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(**flags), critical=True)
        .sign(issuer_key, digest or hashes.SHA256())
    )
    return load_certificate(cert.public_bytes(serialization.Encoding.DER))


def _pki(suite: int) -> tuple[Certificate, Certificate, Certificate, ec.EllipticCurvePrivateKey]:
    curve, digest = CURVES[suite]
    root_key, sub_key, ee_key = (ec.generate_private_key(curve) for _ in range(3))
    root_name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Test Root CA")])
    sub_name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Test Sub CA")])
    root = _make(
        root_name, root_key, root_name, root_key, ca=True, usage="key_cert_sign", digest=digest
    )
    sub = _make(
        sub_name,
        sub_key,
        root_name,
        root_key,
        ca=True,
        usage="key_cert_sign",
        serial=2,
        digest=digest,
    )
    ee = _make(
        subject_for(ST, organization="dlmskit"),
        ee_key,
        sub_name,
        sub_key,
        ca=False,
        usage="digital_signature",
        serial=3,
        digest=digest,
    )
    return root, sub, ee, sub_key


@pytest.mark.parametrize("suite", [1, 2])
def test_chain_verifies_and_fields(suite: int) -> None:
    root, sub, ee, _ = _pki(suite)
    verify_chain(ee, [sub], [root], NOW)
    verify_certificate(ee, sub, NOW)
    assert ee.suite == suite and root.suite == suite
    assert ee.system_title == ST
    assert ee.role is CertificateRole.DIGITAL_SIGNATURE
    assert root.role is CertificateRole.CA and root.is_ca and not ee.is_ca
    assert ee.serial_number == 3
    assert ee.not_before < NOW < ee.not_after
    assert ee.public_key.curve.name == CURVES[suite][0].name
    # PEM loads to the same certificate
    pem = ee.certificate.public_bytes(serialization.Encoding.PEM)
    assert load_certificate(pem).der == ee.der


def test_refusals_name_the_check() -> None:
    root, sub, ee, _ = _pki(1)
    with pytest.raises(SecurityError, match="issuer name"):
        verify_certificate(ee, root, NOW)
    with pytest.raises(SecurityError, match="expired"):
        verify_certificate(ee, sub, NOW + timedelta(days=400))
    with pytest.raises(SecurityError, match="not yet valid"):
        verify_certificate(ee, sub, NOW - timedelta(days=400))
    with pytest.raises(SecurityError, match=r"no trusted root|no issuer"):
        verify_chain(ee, [], [root], NOW)
    # bad signature: same issuer name, signed by another key
    other = ec.generate_private_key(ec.SECP256R1())
    forged = _make(subject_for(ST), other, sub.subject, other, ca=False, usage="key_agreement")
    with pytest.raises(SecurityError, match="signature does not verify"):
        verify_certificate(forged, sub, NOW)
    # not a CA: an end entity "issuing" another certificate
    leaf = _make(subject_for(ST), other, ee.subject, other, ca=False, usage="key_agreement")
    with pytest.raises(SecurityError, match="not a CA"):
        verify_certificate(leaf, ee, NOW)
    # flip one byte inside the signature value of the DER
    der = bytearray(ee.der)
    der[-5] ^= 0x01
    try:
        tampered = load_certificate(bytes(der))
    except DecodeError:
        return
    with pytest.raises(SecurityError, match="signature"):
        verify_certificate(tampered, sub, NOW)


def test_wrong_curve_and_garbage_refused() -> None:
    k = ec.generate_private_key(ec.SECP521R1())
    name = subject_for(ST)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(k.public_key())
        .serial_number(9)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=1))
        .sign(k, hashes.SHA512())
    )
    with pytest.raises(SecurityError, match="secp521r1"):
        load_certificate(cert.public_bytes(serialization.Encoding.DER))
    rk = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rcert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(rk.public_key())
        .serial_number(9)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=1))
        .sign(rk, hashes.SHA256())
    )
    with pytest.raises(SecurityError, match="not an elliptic-curve"):
        load_certificate(rcert.public_bytes(serialization.Encoding.DER))
    with pytest.raises(DecodeError, match="DER"):
        load_certificate(b"\x30\x03\x02\x01\x00")
    with pytest.raises(DecodeError, match="PEM"):
        load_certificate(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(DecodeError, match="no data"):
        load_certificate(b"")


def test_store_and_aarq_field() -> None:
    root, sub, ee, sub_key = _pki(2)
    ka_key = ec.generate_private_key(ec.SECP384R1())
    ka = _make(
        subject_for(ST),
        ka_key,
        sub.subject,
        sub_key,
        ca=False,
        usage="key_agreement",
        serial=4,
        digest=hashes.SHA384(),
    )
    store = CertificateStore([root, sub, ee, ka])
    assert len(store) == 4
    assert store.find(ST, CertificateRole.DIGITAL_SIGNATURE) is ee
    assert store.find(ST, CertificateRole.KEY_AGREEMENT) is ka
    store.remove_by_serial(4, sub.subject)
    with pytest.raises(SecurityError, match="no key_agreement certificate"):
        store.find(ST, CertificateRole.KEY_AGREEMENT)
    store.remove_by_entity(ST, CertificateRole.DIGITAL_SIGNATURE)
    assert list(store) == [root, sub]
    with pytest.raises(SecurityError):
        store.remove_by_serial(99, sub.subject)

    aarq = AARQ(
        application_context_name=ApplicationContextName.LOGICAL_NAME_REFERENCING_WITH_CIPHERING.oid,
        calling_ae_qualifier=ee.der,
    )
    # the certificate survives the AARQ's BER encoding (Green Book 9.2.6: HLS-7 client cert)
    decoded = decode_apdu(aarq.to_bytes())
    assert isinstance(decoded, AARQ)
    assert certificate_from_calling_ae_qualifier(decoded.calling_ae_qualifier).der == ee.der
    with pytest.raises(SecurityError, match="not a digital-signature"):
        certificate_from_calling_ae_qualifier(ka.der)
    with pytest.raises(SecurityError, match="no calling-AE-qualifier"):
        certificate_from_calling_ae_qualifier(None)


def test_subject_for_rejects_bad_title() -> None:
    with pytest.raises(ValueError, match="system_title"):
        subject_for(b"\x01\x02")
