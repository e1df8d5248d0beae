"""Method parameters of the Security setup object (Blue Book 4.4.7, class 64 version 1).

Each parameter is a frozen dataclass with ``to_data() -> axdr.Value`` (what the client puts
in the ACTION request) and ``from_data(value)`` (what the server parses; a value of the
wrong shape raises DecodeError naming the field). Helpers around them:

* key transfer (method 2): :func:`build_key_transfer` wraps keys under the KEK with
  RFC 3394 (:func:`dlmskit.security.keys.wrap_key`), :func:`unwrap_key_transfer` unwraps
  and checks each key's length for the suite;
* key agreement (method 3, Green Book ephemeral unified model C(2e, 0s, ECC CDH)): each side
  sends an ephemeral public key signed with its signing key; the signature is checked before
  the key is used (:func:`key_agreement_request`, :func:`key_agreement_respond`,
  :func:`key_agreement_finish`);
* generate_certificate_request (method 5): a PKCS#10 CSR built and parsed with
  ``cryptography.x509``, subject CN = system title in hex.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final, Self

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dlmskit import axdr
from dlmskit.errors import DecodeError, SecurityError
from dlmskit.security import keys
from dlmskit.security.certificates import CertificateEntity, subject_for

__all__ = [
    "CertificateIdByEntity",
    "CertificateIdBySerial",
    "ExportCertificate",
    "GenerateCertificateRequest",
    "GenerateKeyPair",
    "ImportCertificate",
    "KeyAgreement",
    "KeyAgreementEntry",
    "KeyId",
    "KeyPair",
    "KeyTransfer",
    "KeyTransferEntry",
    "RemoveCertificate",
    "SecurityActivate",
    "build_certificate_request",
    "build_key_transfer",
    "key_agreement_finish",
    "key_agreement_request",
    "key_agreement_respond",
    "parse_certificate_request",
    "unwrap_key_transfer",
]

_MAX_ENTRIES: Final = 8  # bounded input: 4 key ids exist


class KeyId(enum.IntEnum):
    """key_id of key_transfer / key_agreement (Blue Book 4.4.7)."""

    GLOBAL_UNICAST = 0
    GLOBAL_BROADCAST = 1
    AUTHENTICATION = 2
    MASTER = 3  # the KEK


class KeyPair(enum.IntEnum):
    """key_pair of generate_key_pair / generate_certificate_request (Blue Book 4.4.7)."""

    DIGITAL_SIGNATURE = 0
    KEY_AGREEMENT = 1
    TLS = 2


def _fail(field: str, expected: str, got: object) -> DecodeError:
    return DecodeError(f"security setup: {field}: expected {expected}, got {type(got).__name__}")


def _enum(value: object, field: str, allowed: type[enum.IntEnum] | None = None) -> int:
    if not isinstance(value, axdr.Enum):
        raise _fail(field, "enum", value)
    if allowed is not None and int(value) not in {m.value for m in allowed}:
        raise DecodeError(f"security setup: {field}: value {int(value)} not defined")
    return int(value)


def _octets(value: object, field: str) -> bytes:
    if not isinstance(value, axdr.OctetString):
        raise _fail(field, "octet-string", value)
    return bytes(value)


def _struct(value: object, field: str, n: int) -> axdr.Structure:
    if not isinstance(value, axdr.Structure):
        raise _fail(field, f"structure of {n}", value)
    if len(value) != n:
        raise DecodeError(f"security setup: {field}: expected {n} elements, got {len(value)}")
    return value


def _array(value: object, field: str) -> axdr.Array:
    if not isinstance(value, axdr.Array):
        raise _fail(field, "array", value)
    if len(value) > _MAX_ENTRIES:
        raise DecodeError(f"security setup: {field}: more than {_MAX_ENTRIES} entries")
    return value


# --------------------------------------------------------------------------- method 1


@dataclass(frozen=True)
class SecurityActivate:
    """Method 1 security_activate(security_policy).

    Version 0: an enum 0..3 (nothing, all authenticated, all encrypted, both). Version 1: the
    enum carries a bitmap — bit 2 authenticated request, 3 encrypted request, 4 signed
    request, 5 authenticated response, 6 encrypted response, 7 signed response; bits 0-1
    are unused and must be 0.
    """

    security_policy: int
    version: int = 1

    def __post_init__(self) -> None:
        if self.version not in (0, 1):
            raise ValueError("version must be 0 or 1")
        if self.version == 0 and not 0 <= self.security_policy <= 3:
            raise ValueError("security_policy of version 0 must be 0..3")
        if self.version == 1 and (not 0 <= self.security_policy <= 255 or self.security_policy & 3):
            raise ValueError("security_policy of version 1 is a bitmap of bits 2..7")

    def to_data(self) -> axdr.Value:
        return axdr.Enum(self.security_policy)

    @classmethod
    def from_data(cls, value: axdr.Value, version: int = 1) -> Self:
        policy = _enum(value, "security_policy")
        try:
            return cls(policy, version)
        except ValueError as exc:
            raise DecodeError(f"security setup: security_policy: {exc}") from None


# --------------------------------------------------------------------------- method 2


@dataclass(frozen=True, repr=False)
class KeyTransferEntry:
    """structure{key_id enum, key_wrapped octet-string}."""

    key_id: KeyId
    key_wrapped: bytes

    def __repr__(self) -> str:  # wrapped keys are still key material (DESIGN.md rule 10)
        size = len(self.key_wrapped)
        return f"KeyTransferEntry(key_id={self.key_id.name}, key_wrapped=<{size} bytes>)"


@dataclass(frozen=True)
class KeyTransfer:
    """Method 2 key_transfer (global_key_transfer): array of :class:`KeyTransferEntry`."""

    entries: tuple[KeyTransferEntry, ...]

    def to_data(self) -> axdr.Value:
        return axdr.Array(
            axdr.Structure((axdr.Enum(e.key_id), axdr.OctetString(e.key_wrapped)))
            for e in self.entries
        )

    @classmethod
    def from_data(cls, value: axdr.Value) -> Self:
        out = []
        for i, item in enumerate(_array(value, "key_transfer")):
            s = _struct(item, f"key_transfer[{i}]", 2)
            kid = KeyId(_enum(s[0], f"key_transfer[{i}].key_id", KeyId))
            out.append(KeyTransferEntry(kid, _octets(s[1], f"key_transfer[{i}].key_wrapped")))
        return cls(tuple(out))


def build_key_transfer(kek: bytes, new_keys: dict[KeyId, bytes]) -> KeyTransfer:
    """Client side: wrap each key under ``kek`` (RFC 3394, Green Book key transport)."""
    return KeyTransfer(
        tuple(KeyTransferEntry(kid, keys.wrap_key(kek, key)) for kid, key in new_keys.items())
    )


def unwrap_key_transfer(kek: bytes, transfer: KeyTransfer, suite: int) -> dict[KeyId, bytes]:
    """Server side: unwrap every key with ``kek``; a wrong KEK, altered data, a key of the
    wrong length for ``suite`` or a key id given twice raises SecurityError."""
    size = keys.key_length(suite)
    out: dict[KeyId, bytes] = {}
    for entry in transfer.entries:
        if entry.key_id in out:
            raise SecurityError(f"key transfer: {entry.key_id.name} given twice")
        key = keys.unwrap_key(kek, entry.key_wrapped)
        if len(key) != size:
            raise SecurityError(
                f"key transfer: {entry.key_id.name} is {len(key)} bytes, suite {suite} needs {size}"
            )
        out[entry.key_id] = key
    return out


# --------------------------------------------------------------------------- method 3


@dataclass(frozen=True)
class KeyAgreementEntry:
    """structure{key_id enum, key_data octet-string = ephemeral public key ‖ signature}."""

    key_id: KeyId
    key_data: bytes


@dataclass(frozen=True)
class KeyAgreement:
    """Method 3 key_agreement (request and response have the same shape)."""

    entries: tuple[KeyAgreementEntry, ...]

    def to_data(self) -> axdr.Value:
        return axdr.Array(
            axdr.Structure((axdr.Enum(e.key_id), axdr.OctetString(e.key_data)))
            for e in self.entries
        )

    @classmethod
    def from_data(cls, value: axdr.Value) -> Self:
        out = []
        for i, item in enumerate(_array(value, "key_agreement")):
            s = _struct(item, f"key_agreement[{i}]", 2)
            kid = KeyId(_enum(s[0], f"key_agreement[{i}].key_id", KeyId))
            out.append(KeyAgreementEntry(kid, _octets(s[1], f"key_agreement[{i}].key_data")))
        return cls(tuple(out))


def _algorithm_id(suite: int) -> bytes:
    return keys.ALGORITHM_ID_AES_GCM_256 if suite == 2 else keys.ALGORITHM_ID_AES_GCM_128


def _signed_entry(
    key_id: KeyId,
    ephemeral: ec.EllipticCurvePrivateKey,
    signing_key: ec.EllipticCurvePrivateKey,
    suite: int,
) -> KeyAgreementEntry:
    public = keys.public_key_to_dlms(ephemeral.public_key())
    # Signed data: key_id ‖ X ‖ Y — the SEC 1 point with its 0x04 replaced by the key id
    # (Gurux Java GXSecure.getEphemeralPublicKeyData / getEphemeralPublicKeySignature);
    # key_data itself carries X ‖ Y ‖ signature. Binds the key to the key id it is for.
    signature = keys.sign(signing_key, bytes([key_id]) + public, suite)
    return KeyAgreementEntry(key_id, public + signature)


def _checked_public(
    entry: KeyAgreementEntry, peer_signing_key: ec.EllipticCurvePublicKey, suite: int
) -> ec.EllipticCurvePublicKey:
    size = 64 if suite == 1 else 96
    if len(entry.key_data) != 2 * size:
        raise SecurityError(f"key agreement: key_data must be {2 * size} bytes for suite {suite}")
    public, signature = entry.key_data[:size], entry.key_data[size:]
    # Verify before the key is used at all (Green Book: ephemeral unified model).
    keys.verify(peer_signing_key, bytes([entry.key_id]) + public, signature, suite)
    return keys.public_key_from_dlms(public, suite)


def key_agreement_request(
    key_id: KeyId, signing_key: ec.EllipticCurvePrivateKey, suite: int
) -> tuple[KeyAgreement, ec.EllipticCurvePrivateKey]:
    """Client: a fresh ephemeral key, signed; returns the parameter and the ephemeral key to
    keep for :func:`key_agreement_finish`."""
    ephemeral = keys.generate_private_key(suite)
    return KeyAgreement((_signed_entry(key_id, ephemeral, signing_key, suite),)), ephemeral


def _derive(
    ephemeral: ec.EllipticCurvePrivateKey,
    peer: ec.EllipticCurvePublicKey,
    suite: int,
    client_title: bytes,
    server_title: bytes,
) -> bytes:
    return keys.derive_shared_key(
        ephemeral,
        peer,
        suite=suite,
        algorithm_id=_algorithm_id(suite),
        party_u=client_title,
        party_v=server_title,
    )


def key_agreement_respond(
    request: KeyAgreement,
    client_signing_key: ec.EllipticCurvePublicKey,
    server_signing_key: ec.EllipticCurvePrivateKey,
    suite: int,
    *,
    client_title: bytes,
    server_title: bytes,
) -> tuple[KeyAgreement, dict[KeyId, bytes]]:
    """Server: check each signed ephemeral key, answer with its own, derive the keys."""
    entries = []
    agreed: dict[KeyId, bytes] = {}
    for entry in request.entries:
        peer = _checked_public(entry, client_signing_key, suite)
        ephemeral = keys.generate_private_key(suite)
        entries.append(_signed_entry(entry.key_id, ephemeral, server_signing_key, suite))
        agreed[entry.key_id] = _derive(ephemeral, peer, suite, client_title, server_title)
    return KeyAgreement(tuple(entries)), agreed


def key_agreement_finish(
    response: KeyAgreement,
    ephemeral: ec.EllipticCurvePrivateKey,
    server_signing_key: ec.EllipticCurvePublicKey,
    suite: int,
    *,
    client_title: bytes,
    server_title: bytes,
) -> dict[KeyId, bytes]:
    """Client: check the server's signed ephemeral key and derive the agreed key."""
    if len(response.entries) != 1:
        raise SecurityError("key agreement: response must carry exactly one key")
    entry = response.entries[0]
    peer = _checked_public(entry, server_signing_key, suite)
    return {entry.key_id: _derive(ephemeral, peer, suite, client_title, server_title)}


# --------------------------------------------------------------------------- methods 4-8


@dataclass(frozen=True)
class GenerateKeyPair:
    """Method 4 generate_key_pair(key_pair enum)."""

    key_pair: KeyPair

    def to_data(self) -> axdr.Value:
        return axdr.Enum(self.key_pair)

    @classmethod
    def from_data(cls, value: axdr.Value) -> Self:
        return cls(KeyPair(_enum(value, "key_pair", KeyPair)))


@dataclass(frozen=True)
class GenerateCertificateRequest:
    """Method 5 generate_certificate_request(key_pair); the result is a DER PKCS#10 CSR
    as an octet-string (build it with :func:`build_certificate_request`)."""

    key_pair: KeyPair

    def to_data(self) -> axdr.Value:
        return axdr.Enum(self.key_pair)

    @classmethod
    def from_data(cls, value: axdr.Value) -> Self:
        return cls(KeyPair(_enum(value, "key_pair", KeyPair)))


def build_certificate_request(
    private_key: ec.EllipticCurvePrivateKey, system_title: bytes, suite: int
) -> axdr.OctetString:
    """Server: the CSR for ``private_key``, subject CN = system title in hex, signed with
    ECDSA-SHA256 (suite 1) or SHA384 (suite 2)."""
    digest: hashes.SHA256 | hashes.SHA384 = hashes.SHA384() if suite == 2 else hashes.SHA256()
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(subject_for(system_title))
        .sign(private_key, digest)
    )
    return axdr.OctetString(csr.public_bytes(serialization.Encoding.DER))


def parse_certificate_request(value: axdr.Value) -> tuple[x509.CertificateSigningRequest, bytes]:
    """Client: the CSR of the method 5 result, its signature checked; returns it and the
    system title of its subject."""
    der = _octets(value, "certificate_request")
    try:
        csr = x509.load_der_x509_csr(der)
    except ValueError as exc:
        raise DecodeError(
            f"security setup: certificate_request: not a DER PKCS#10 CSR ({exc})"
        ) from None
    if not csr.is_signature_valid:
        raise SecurityError("certificate request: signature does not verify")
    cns = csr.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    text = cns[0].value if len(cns) == 1 else ""
    try:
        title = bytes.fromhex(text) if isinstance(text, str) and len(text) == 16 else b""
    except ValueError:
        title = b""
    if len(title) != keys.SYSTEM_TITLE_LENGTH:
        raise SecurityError("certificate request: subject CN is not a 16-hex system title")
    return csr, title


@dataclass(frozen=True)
class ImportCertificate:
    """Method 6 import_certificate(octet-string DER certificate)."""

    certificate: bytes

    def to_data(self) -> axdr.Value:
        return axdr.OctetString(self.certificate)

    @classmethod
    def from_data(cls, value: axdr.Value) -> Self:
        return cls(_octets(value, "certificate"))


@dataclass(frozen=True)
class CertificateIdByEntity:
    """certificate_identification_by_entity [0]: structure{certificate_entity enum,
    certificate_type enum, system_title octet-string}."""

    entity: CertificateEntity
    certificate_type: KeyPair
    system_title: bytes

    def to_data(self) -> axdr.Value:
        return axdr.Structure(
            (
                axdr.Enum(0),
                axdr.Structure(
                    (
                        axdr.Enum(self.entity),
                        axdr.Enum(self.certificate_type),
                        axdr.OctetString(self.system_title),
                    )
                ),
            )
        )


@dataclass(frozen=True)
class CertificateIdBySerial:
    """certificate_identification_by_serial [1]: structure{serial_number octet-string,
    issuer octet-string} (both as the DER-encoded values of the certificate fields)."""

    serial_number: bytes
    issuer: bytes

    def to_data(self) -> axdr.Value:
        return axdr.Structure(
            (
                axdr.Enum(1),
                axdr.Structure(
                    (axdr.OctetString(self.serial_number), axdr.OctetString(self.issuer))
                ),
            )
        )


CertificateId = CertificateIdByEntity | CertificateIdBySerial


def _certificate_id(value: axdr.Value, field: str) -> CertificateId:
    # The choice is carried as structure{enum choice, structure{...}} (Blue Book 4.4.7;
    # same layout in Gurux Java GXDLMSSecuritySetup.exportCertificateByEntity/BySerial).
    outer = _struct(value, field, 2)
    choice = _enum(outer[0], f"{field}.choice")
    if choice == 0:
        s = _struct(outer[1], f"{field}.by_entity", 3)
        return CertificateIdByEntity(
            CertificateEntity(_enum(s[0], f"{field}.certificate_entity", CertificateEntity)),
            KeyPair(_enum(s[1], f"{field}.certificate_type", KeyPair)),
            _octets(s[2], f"{field}.system_title"),
        )
    if choice == 1:
        s = _struct(outer[1], f"{field}.by_serial", 2)
        return CertificateIdBySerial(
            _octets(s[0], f"{field}.serial_number"), _octets(s[1], f"{field}.issuer")
        )
    raise DecodeError(f"security setup: {field}.choice: value {choice} not defined (0 or 1)")


@dataclass(frozen=True)
class ExportCertificate:
    """Method 7 export_certificate(certificate identification)."""

    identification: CertificateId

    def to_data(self) -> axdr.Value:
        return self.identification.to_data()

    @classmethod
    def from_data(cls, value: axdr.Value) -> Self:
        return cls(_certificate_id(value, "export_certificate"))


@dataclass(frozen=True)
class RemoveCertificate:
    """Method 8 remove_certificate(certificate identification)."""

    identification: CertificateId

    def to_data(self) -> axdr.Value:
        return self.identification.to_data()

    @classmethod
    def from_data(cls, value: axdr.Value) -> Self:
        return cls(_certificate_id(value, "remove_certificate"))
