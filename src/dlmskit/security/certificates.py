"""X.509 public key certificates of security suites 1 and 2 (Green Book 9.2.6).

* :func:`load_certificate` reads DER or PEM with ``cryptography.x509`` (never by hand) and
  returns a :class:`Certificate`: subject, issuer, serial, validity, key usage, public key,
  the suite the key fits (P-256 → 1, P-384 → 2) and the DLMS role taken from key usage.
* The 8-byte system title travels in the subject's common name as 16 hex characters
  (Green Book 9.2.6, "certificate subject"); :func:`subject_for` builds such a name.
* :func:`verify_certificate` / :func:`verify_chain` check signatures, validity at a time
  passed in (sans-io: no clock is read here) and the issuer's basic constraints.
* :class:`CertificateStore` finds a peer's certificate by system title and role;
  :func:`certificate_from_calling_ae_qualifier` takes the client's signing certificate from
  the AARQ field ``calling-AE-qualifier`` (apdu/acse.py ``AARQ.calling_ae_qualifier``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dlmskit.errors import DecodeError, SecurityError
from dlmskit.security.keys import SYSTEM_TITLE_LENGTH

__all__ = [
    "Certificate",
    "CertificateEntity",
    "CertificateRole",
    "CertificateStore",
    "certificate_from_calling_ae_qualifier",
    "load_certificate",
    "subject_for",
    "verify_certificate",
    "verify_chain",
]

_MAX_CERTIFICATE: Final = 16384  # bounded input (DESIGN.md): DLMS certificates are < 1 KiB
_SUITE_OF_CURVE: Final = {"secp256r1": 1, "secp384r1": 2}


class CertificateRole(enum.IntEnum):
    """The certificate type of the Security setup object (Blue Book 4.4.7, certificate_type),
    derived from key usage as Green Book 9.2.6 (table "Key usage") lists it."""

    DIGITAL_SIGNATURE = 0  # keyUsage digitalSignature
    KEY_AGREEMENT = 1  # keyUsage keyAgreement
    TLS = 2  # keyUsage digitalSignature and keyAgreement
    CA = 3  # keyUsage keyCertSign (root or sub-CA); not a DLMS certificate_type value


class CertificateEntity(enum.IntEnum):
    """certificate_entity of the Security setup object (Blue Book 4.4.7)."""

    SERVER = 0
    CLIENT = 1
    CERTIFICATION_AUTHORITY = 2
    OTHER = 3


def subject_for(system_title: bytes, **extra: str) -> x509.Name:
    """The subject name carrying ``system_title`` as 16 hex digits in the common name.

    ``extra`` may give ``organization`` / ``country`` attributes placed before the CN.
    """
    if len(system_title) != SYSTEM_TITLE_LENGTH:
        raise ValueError(f"system_title must be {SYSTEM_TITLE_LENGTH} bytes")
    attributes = []
    if "country" in extra:
        attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, extra["country"]))
    if "organization" in extra:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, extra["organization"]))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, system_title.hex().upper()))
    return x509.Name(attributes)


def _system_title_of(name: x509.Name) -> bytes | None:
    cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(cns) != 1:
        return None
    text = cns[0].value
    if not isinstance(text, str) or len(text) != 2 * SYSTEM_TITLE_LENGTH:
        return None
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


@dataclass(frozen=True, eq=False)
class Certificate:
    """A parsed certificate of suite 1 or 2 (construct with :func:`load_certificate`)."""

    certificate: x509.Certificate
    """The underlying ``cryptography`` certificate."""
    suite: int

    @property
    def der(self) -> bytes:
        """The DER encoding (what import_certificate carries)."""
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def subject(self) -> x509.Name:
        return self.certificate.subject

    @property
    def issuer(self) -> x509.Name:
        return self.certificate.issuer

    @property
    def serial_number(self) -> int:
        return self.certificate.serial_number

    @property
    def not_before(self) -> datetime:
        return self.certificate.not_valid_before_utc

    @property
    def not_after(self) -> datetime:
        return self.certificate.not_valid_after_utc

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        key = self.certificate.public_key()
        assert isinstance(key, ec.EllipticCurvePublicKey)  # checked by load_certificate
        return key

    @property
    def key_usage(self) -> x509.KeyUsage | None:
        try:
            return self.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        except x509.ExtensionNotFound:
            return None

    @property
    def is_ca(self) -> bool:
        """True when basic constraints say cA = TRUE."""
        try:
            bc = self.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            return False
        return bc.ca

    @property
    def role(self) -> CertificateRole:
        """The DLMS role from key usage (Green Book 9.2.6); no usable key usage → error."""
        ku = self.key_usage
        if ku is None:
            raise SecurityError("certificate has no key usage extension: role unknown")
        if ku.key_cert_sign:
            return CertificateRole.CA
        if ku.digital_signature and ku.key_agreement:
            return CertificateRole.TLS
        if ku.digital_signature:
            return CertificateRole.DIGITAL_SIGNATURE
        if ku.key_agreement:
            return CertificateRole.KEY_AGREEMENT
        raise SecurityError("certificate key usage fits no DLMS role")

    @property
    def system_title(self) -> bytes:
        """The 8-byte system title from the subject common name (16 hex characters)."""
        st = _system_title_of(self.subject)
        if st is None:
            raise SecurityError("certificate subject common name is not a 16-hex system title")
        return st

    def __repr__(self) -> str:
        return (
            f"Certificate(subject={self.subject.rfc4514_string()!r}, "
            f"serial={self.serial_number:#x}, suite={self.suite})"
        )


def load_certificate(data: bytes) -> Certificate:
    """Load a certificate from DER or PEM; the key must be on P-256 or P-384.

    Garbage raises DecodeError; a certificate of another key type or curve SecurityError.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("certificate data must be bytes")
    raw = bytes(data)
    if not raw:
        raise DecodeError("certificate: no data", 0)
    if len(raw) > _MAX_CERTIFICATE:
        raise DecodeError(f"certificate: longer than {_MAX_CERTIFICATE} bytes", 0)
    try:
        if raw.lstrip().startswith(b"-----BEGIN"):
            cert = x509.load_pem_x509_certificate(raw)
        else:
            cert = x509.load_der_x509_certificate(raw)
    except ValueError as exc:
        form = "PEM" if raw.lstrip().startswith(b"-----BEGIN") else "DER"
        raise DecodeError(f"certificate: not a valid {form} X.509 certificate ({exc})", 0) from None
    try:
        key = cert.public_key()
    except (ValueError, TypeError) as exc:
        raise SecurityError(f"certificate: public key unsupported ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise SecurityError("certificate: public key is not an elliptic-curve key")
    suite = _SUITE_OF_CURVE.get(key.curve.name)
    if suite is None:
        raise SecurityError(
            f"certificate: curve {key.curve.name} fits no security suite (P-256 or P-384)"
        )
    return Certificate(cert, suite)


def _as_utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def verify_certificate(certificate: Certificate, issuer: Certificate, now: datetime) -> None:
    """Check ``certificate`` against ``issuer`` at ``now``; each failure says which check.

    Checks: issuer name matches, issuer is a CA (basic constraints cA and keyCertSign when key
    usage is present), ECDSA signature over the TBS with the issuer's key, validity at ``now``.
    """
    when = _as_utc(now)
    if certificate.issuer != issuer.subject:
        raise SecurityError("certificate check failed: issuer name does not match")
    if not issuer.is_ca:
        raise SecurityError("certificate check failed: issuer is not a CA (basic constraints)")
    ku = issuer.key_usage
    if ku is not None and not ku.key_cert_sign:
        raise SecurityError("certificate check failed: issuer key usage lacks keyCertSign")
    algorithm = certificate.certificate.signature_hash_algorithm
    if not isinstance(algorithm, hashes.SHA256 | hashes.SHA384):
        raise SecurityError("certificate check failed: signature algorithm not ECDSA-SHA256/384")
    try:
        issuer.public_key.verify(
            certificate.certificate.signature,
            certificate.certificate.tbs_certificate_bytes,
            ec.ECDSA(algorithm),
        )
    except InvalidSignature:
        raise SecurityError("certificate check failed: signature does not verify") from None
    if when < certificate.not_before:
        raise SecurityError("certificate check failed: not yet valid")
    if when > certificate.not_after:
        raise SecurityError("certificate check failed: expired")


def verify_chain(
    end_entity: Certificate,
    intermediates: Iterable[Certificate],
    trusted_roots: Iterable[Certificate],
    now: datetime,
) -> None:
    """Verify ``end_entity`` → intermediates (sub-CAs) → a trusted root at ``now``."""
    pool = list(intermediates)
    roots = list(trusted_roots)
    current = end_entity
    for _ in range(len(pool) + 1):
        root = next((r for r in roots if r.subject == current.issuer), None)
        if root is not None:
            verify_certificate(current, root, now)
            if root.issuer == root.subject:  # a self-signed root must still be valid now
                verify_certificate(root, root, now)
            return
        parent = next((c for c in pool if c.subject == current.issuer), None)
        if parent is None:
            raise SecurityError("chain check failed: no issuer found for a certificate")
        verify_certificate(current, parent, now)
        pool.remove(parent)
        current = parent
    raise SecurityError("chain check failed: no trusted root reached")


class CertificateStore:
    """Certificates of peers, found by (system title, role)."""

    def __init__(self, certificates: Iterable[Certificate] = ()) -> None:
        self._items: list[Certificate] = []
        for cert in certificates:
            self.add(cert)

    def add(self, certificate: Certificate) -> None:
        """Add, replacing one with the same issuer and serial number."""
        self.remove_by_serial(certificate.serial_number, certificate.issuer, missing_ok=True)
        self._items.append(certificate)

    def find(self, system_title: bytes, role: CertificateRole) -> Certificate:
        for cert in self._items:
            if (
                _system_title_of(cert.subject) == bytes(system_title)
                and _role_or_none(cert) is role
            ):
                return cert
        raise SecurityError(f"no {role.name.lower()} certificate for that system title")

    def remove_by_serial(
        self, serial_number: int, issuer: x509.Name, *, missing_ok: bool = False
    ) -> None:
        before = len(self._items)
        self._items = [
            c for c in self._items if not (c.serial_number == serial_number and c.issuer == issuer)
        ]
        if not missing_ok and len(self._items) == before:
            raise SecurityError("no certificate with that serial number and issuer")

    def remove_by_entity(self, system_title: bytes, role: CertificateRole) -> None:
        self._items.remove(self.find(system_title, role))

    def __iter__(self) -> Iterator[Certificate]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)


def _role_or_none(cert: Certificate) -> CertificateRole | None:
    try:
        return cert.role
    except SecurityError:
        return None


def certificate_from_calling_ae_qualifier(data: bytes | None) -> Certificate:
    """The client's signing certificate carried in AARQ calling-AE-qualifier (HLS-7 / suites
    1-2, Green Book 9.2.6): DER bytes, which must be a digital-signature certificate."""
    if data is None:
        raise SecurityError("AARQ carries no calling-AE-qualifier (client certificate)")
    cert = load_certificate(data)
    if cert.role is not CertificateRole.DIGITAL_SIGNATURE:
        raise SecurityError("calling-AE-qualifier certificate is not a digital-signature one")
    return cert
