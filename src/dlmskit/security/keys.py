"""Key material and the asymmetric primitives of the DLMS security suites.

What is here, and where it comes from:

* AES key wrap (RFC 3394), used to transport keys under the KEK (``key_transfer`` of the
  Security setup object, Green Book "key transport").
* ECDH key agreement with the NIST SP 800-56A single-step ("concatenation") KDF, as the
  Green Book uses it for the agreed keys of general-ciphering (security suites 1 and 2).
* ECDSA with raw ``r ‖ s`` signatures and public keys in the DLMS form ``X ‖ Y``.
* :class:`SecurityKeys`, the symmetric key material of one association, and
  :class:`KeyStore`, which finds it by the peer's system title.

Security suites (Green Book, "security suites")::

    suite 0  AES-GCM-128, AES-128 key wrap                       keys 16 bytes
    suite 1  ECDH-ECDSA-AES-GCM-128-SHA-256, curve P-256         keys 16 bytes
    suite 2  ECDH-ECDSA-AES-GCM-256-SHA-384, curve P-384         keys 32 bytes

Nothing here logs, and no message names a key, a shared secret or a plaintext
(DESIGN.md rule 10).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from dlmskit.errors import SecurityError

__all__ = [
    "ALGORITHM_ID_AES_GCM_128",
    "ALGORITHM_ID_AES_GCM_256",
    "ALGORITHM_ID_AES_WRAP_128",
    "ALGORITHM_ID_AES_WRAP_256",
    "SYSTEM_TITLE_LENGTH",
    "KeyStore",
    "SecurityKeys",
    "concat_kdf",
    "derive_shared_key",
    "ecdh_shared_secret",
    "generate_private_key",
    "kdf_other_info",
    "key_length",
    "public_key_from_dlms",
    "public_key_to_dlms",
    "sign",
    "unwrap_key",
    "verify",
    "wrap_key",
]

SYSTEM_TITLE_LENGTH: Final = 8
SUITES: Final = (0, 1, 2)

# Cryptographic algorithm IDs (Green Book, table "Cryptographic algorithm ID-s"): the
# BER-encoded value of the object identifier
# {joint-iso-ccitt(2) country(16) country-name(756) identified-organization(5) DLMS-UA(8)
#  cryptographic-algorithms(3) n}; 2.16 → 0x60, 756 → 0x85 0x74. The prefix and the value
# n = 0 for AES-GCM-128 are confirmed by Gurux.NET GXSecure.GenerateKDF and Gurux Java
# GXDLMSChippering ("60857405080300" for suite 1).
_ALGORITHM_ID_PREFIX: Final = bytes.fromhex("608574050803")
ALGORITHM_ID_AES_GCM_128: Final = _ALGORITHM_ID_PREFIX + b"\x00"
ALGORITHM_ID_AES_GCM_256: Final = _ALGORITHM_ID_PREFIX + b"\x01"
ALGORITHM_ID_AES_WRAP_128: Final = _ALGORITHM_ID_PREFIX + b"\x02"
ALGORITHM_ID_AES_WRAP_256: Final = _ALGORITHM_ID_PREFIX + b"\x03"

_CURVES: Final[Mapping[int, ec.EllipticCurve]] = {1: ec.SECP256R1(), 2: ec.SECP384R1()}
_COORDINATE_LENGTH: Final = {1: 32, 2: 48}


def _check_suite(suite: int, *, asymmetric: bool = False) -> None:
    allowed = (1, 2) if asymmetric else SUITES
    if suite not in allowed:
        raise SecurityError(f"security suite must be one of {allowed}")


def key_length(suite: int) -> int:
    """Length in bytes of the symmetric keys (EK, AK, KEK, dedicated key) of ``suite``."""
    _check_suite(suite)
    return 32 if suite == 2 else 16


def _hash(suite: int) -> hashes.HashAlgorithm:
    return hashes.SHA384() if suite == 2 else hashes.SHA256()


def _curve(suite: int) -> ec.EllipticCurve:
    _check_suite(suite, asymmetric=True)
    return _CURVES[suite]


# --------------------------------------------------------------------------- key wrap


def wrap_key(kek: bytes, key: bytes) -> bytes:
    """Wrap ``key`` under ``kek`` with the AES key wrap of RFC 3394 (8 bytes longer).

    The KEK is 16, 24 or 32 bytes; the key a multiple of 8 bytes, at least 16.
    """
    if len(kek) not in (16, 24, 32):
        raise SecurityError("kek must be 16, 24 or 32 bytes")
    if len(key) < 16 or len(key) % 8:
        raise SecurityError("key to wrap must be a multiple of 8 bytes, at least 16")
    return aes_key_wrap(kek, key)


def unwrap_key(kek: bytes, wrapped: bytes) -> bytes:
    """Unwrap an RFC 3394 wrapped key; a wrong KEK or altered data raises SecurityError."""
    if len(kek) not in (16, 24, 32):
        raise SecurityError("kek must be 16, 24 or 32 bytes")
    if len(wrapped) < 24 or len(wrapped) % 8:
        raise SecurityError("wrapped key must be a multiple of 8 bytes, at least 24")
    try:
        return aes_key_unwrap(kek, wrapped)
    except InvalidUnwrap:
        # Nothing about the data goes into the message (DESIGN.md rule 10).
        raise SecurityError("key unwrap failed (wrong key or altered data)") from None


# --------------------------------------------------------------------------- ECDH + KDF


def generate_private_key(suite: int) -> ec.EllipticCurvePrivateKey:
    """A new key pair on the curve of ``suite`` (1: P-256, 2: P-384)."""
    return ec.generate_private_key(_curve(suite))


def _check_curve(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey, suite: int) -> None:
    if key.curve.name != _curve(suite).name:
        raise SecurityError(f"key is not on the curve of security suite {suite}")


def ecdh_shared_secret(
    private_key: ec.EllipticCurvePrivateKey, peer_public_key: ec.EllipticCurvePublicKey, suite: int
) -> bytes:
    """The ECC CDH primitive (SP 800-56A 5.7.1.2): Z, the x coordinate of d·Q."""
    _check_curve(private_key, suite)
    _check_curve(peer_public_key, suite)
    return private_key.exchange(ec.ECDH(), peer_public_key)


def kdf_other_info(
    algorithm_id: bytes,
    party_u: bytes,
    party_v: bytes,
    supp_pub_info: bytes = b"",
    supp_priv_info: bytes = b"",
) -> bytes:
    """OtherInfo of the SP 800-56A concatenation KDF as DLMS lays it out::

        OtherInfo = AlgorithmID ‖ PartyUInfo ‖ PartyVInfo [‖ SuppPubInfo ‖ SuppPrivInfo]

    fields simply concatenated, without length prefixes: AlgorithmID is the 7-byte
    encoded OID (``ALGORITHM_ID_*``), PartyUInfo the system title of the sender, PartyVInfo
    the system title of the recipient; the two supplementary fields are not used by DLMS
    (layout as in Gurux.NET ``GXSecure.GenerateKDF``, "GB: Table 18").
    """
    return algorithm_id + party_u + party_v + supp_pub_info + supp_priv_info


def concat_kdf(z: bytes, other_info: bytes, suite: int, length: int | None = None) -> bytes:
    """SP 800-56A 5.8.1 single-step KDF: leftmost ``length`` bytes of
    ``H(00000001 ‖ Z ‖ OtherInfo) ‖ H(00000002 ‖ Z ‖ OtherInfo) ‖ …``.

    H is SHA-256 for suite 1 and SHA-384 for suite 2; ``length`` defaults to the key
    length of the suite (16 or 32 bytes).
    """
    _check_suite(suite, asymmetric=True)
    size = key_length(suite) if length is None else length
    if not 1 <= size <= 255 * 48:
        raise SecurityError("derived key length out of range")
    return ConcatKDFHash(algorithm=_hash(suite), length=size, otherinfo=other_info).derive(z)


def derive_shared_key(
    private_key: ec.EllipticCurvePrivateKey,
    peer_public_key: ec.EllipticCurvePublicKey,
    *,
    suite: int,
    algorithm_id: bytes,
    party_u: bytes,
    party_v: bytes,
    length: int | None = None,
) -> bytes:
    """Agree on a symmetric key with ECDH and the SP 800-56A concatenation KDF.

    The same function serves both key agreement schemes of general-ciphering (Green Book,
    key-parameters 1 and 2); they differ only in which keys go in:

    * One-Pass Diffie-Hellman C(1e, 1s, ECC CDH): the sender uses its *ephemeral* private
      key and the recipient's *static* public key; the recipient its static private key
      and the sender's ephemeral public key (sent signed in key-ciphered-data).
    * Static Unified Model C(0e, 2s, ECC CDH): both use their static key-agreement keys.

    ``party_u`` is the sender's system title and ``party_v`` the recipient's, on both sides.
    ``length`` defaults to the suite's key length (16 bytes for suite 1, 32 for suite 2).
    """
    z = ecdh_shared_secret(private_key, peer_public_key, suite)
    return concat_kdf(z, kdf_other_info(algorithm_id, party_u, party_v), suite, length)


# --------------------------------------------------------------------------- ECDSA


def sign(private_key: ec.EllipticCurvePrivateKey, data: bytes, suite: int) -> bytes:
    """ECDSA signature of ``data`` (SHA-256 / SHA-384) as raw ``r ‖ s``, 64 / 96 bytes.

    DLMS carries signatures as the two integers of fixed length side by side, not DER.
    """
    _check_curve(private_key, suite)
    r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(_hash(suite))))
    size = _COORDINATE_LENGTH[suite]
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def verify(
    public_key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes, suite: int
) -> None:
    """Check a raw ``r ‖ s`` ECDSA signature; any failure raises SecurityError."""
    _check_curve(public_key, suite)
    size = _COORDINATE_LENGTH[suite]
    if len(signature) != 2 * size:
        raise SecurityError(f"signature must be {2 * size} bytes for security suite {suite}")
    r = int.from_bytes(signature[:size], "big")
    s = int.from_bytes(signature[size:], "big")
    if r == 0 or s == 0:
        raise SecurityError("signature verification failed")
    try:
        public_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(_hash(suite)))
    except InvalidSignature:
        raise SecurityError("signature verification failed") from None


def public_key_to_dlms(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The DLMS form of a public key: ``X ‖ Y`` (64 bytes on P-256, 96 on P-384).

    That is the SEC 1 uncompressed point without its leading 0x04 (Gurux
    ``GXPublicKey.fromRawBytes`` accepts 64/96 bytes and adds the 0x04 itself).
    """
    numbers = public_key.public_numbers()
    size = (public_key.curve.key_size + 7) // 8
    return numbers.x.to_bytes(size, "big") + numbers.y.to_bytes(size, "big")


def public_key_from_dlms(data: bytes, suite: int) -> ec.EllipticCurvePublicKey:
    """Import a public key in the DLMS form ``X ‖ Y``; the point is checked to be on the
    curve. A 0x04-prefixed SEC 1 point is accepted as well."""
    curve = _curve(suite)
    size = _COORDINATE_LENGTH[suite]
    if len(data) == 2 * size + 1 and data[0] == 0x04:
        data = data[1:]
    if len(data) != 2 * size:
        raise SecurityError(f"public key must be {2 * size} bytes for security suite {suite}")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(curve, b"\x04" + data)
    except ValueError:
        raise SecurityError("public key is not a point on the curve") from None


# --------------------------------------------------------------------------- key material

_KEY_FIELDS: Final = (
    "global_unicast_key",
    "global_broadcast_key",
    "authentication_key",
    "kek",
    "dedicated_key",
)


@dataclass(frozen=True, eq=False, repr=False)
class SecurityKeys:
    """The symmetric key material of one association (or one peer), as one object.

    Every key is optional (an association may use only some of them) but, when present,
    must have the length of ``suite`` (16 bytes for suites 0 and 1, 32 for suite 2);
    system titles are 8 bytes. ``repr`` shows only which keys are set and their lengths.
    Instances compare by identity: comparing keys byte by byte is not something to do
    casually (use :meth:`same_keys`, constant time).
    """

    system_title: bytes
    suite: int = 0
    global_unicast_key: bytes | None = None
    global_broadcast_key: bytes | None = None
    authentication_key: bytes | None = None
    kek: bytes | None = None
    dedicated_key: bytes | None = None
    peer_system_title: bytes | None = field(default=None)

    def __post_init__(self) -> None:
        length = key_length(self.suite)
        for name in _KEY_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if not isinstance(value, bytes):
                object.__setattr__(self, name, bytes(value))
                value = getattr(self, name)
            if len(value) != length:
                raise SecurityError(
                    f"{name} must be {length} bytes for security suite {self.suite}"
                )
        if len(self.system_title) != SYSTEM_TITLE_LENGTH:
            raise SecurityError(f"system_title must be {SYSTEM_TITLE_LENGTH} bytes")
        if self.peer_system_title is not None and len(self.peer_system_title) not in (
            0,
            SYSTEM_TITLE_LENGTH,
        ):
            raise SecurityError(f"peer_system_title must be {SYSTEM_TITLE_LENGTH} bytes")

    def with_dedicated_key(self, key: bytes | None) -> SecurityKeys:
        """A copy with the dedicated key of a new association set (or cleared with None)."""
        return replace(self, dedicated_key=key)

    def same_keys(self, other: SecurityKeys) -> bool:
        """Whether both hold the same suite, titles and keys (keys compared in constant time)."""
        if (self.suite, self.system_title, self.peer_system_title) != (
            other.suite,
            other.system_title,
            other.peer_system_title,
        ):
            return False
        same = True
        for name in _KEY_FIELDS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine is None or theirs is None:
                same &= mine is theirs
            else:
                same &= hmac.compare_digest(mine, theirs)
        return same

    def __repr__(self) -> str:
        parts = [f"suite={self.suite}", f"system_title={self.system_title.hex()}"]
        if self.peer_system_title is not None:
            parts.append(f"peer_system_title={self.peer_system_title.hex()}")
        for name in _KEY_FIELDS:
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}=<{len(value)} bytes, redacted>")
        return f"SecurityKeys({', '.join(parts)})"

    __str__ = __repr__


class KeyStore:
    """Key material by peer system title.

    A peer without an entry of its own gets the ``default`` keys when one is set (one
    key set shared by every meter), else SecurityError.

    ``empty_system_title_fallback`` is a quirk setting (DESIGN.md rule 9), off by default:
    some meters send an empty system title (length 0) in general-glo-ciphering or in the
    AARE. With the quirk on, an empty title finds the ``default`` keys, or the only entry
    when the store holds exactly one; with it off, an empty title finds nothing.
    """

    def __init__(
        self,
        keys: Iterable[SecurityKeys] = (),
        *,
        default: SecurityKeys | None = None,
        empty_system_title_fallback: bool = False,
    ) -> None:
        self._by_peer: dict[bytes, SecurityKeys] = {}
        self.default = default
        self.empty_system_title_fallback = empty_system_title_fallback
        for entry in keys:
            self.add(entry)

    def add(self, keys: SecurityKeys) -> None:
        """Register ``keys`` under its ``peer_system_title`` (replacing an older entry)."""
        if not keys.peer_system_title:
            raise SecurityError("keys need a peer_system_title to be stored by peer")
        self._by_peer[keys.peer_system_title] = keys

    def remove(self, peer_system_title: bytes) -> None:
        self._by_peer.pop(peer_system_title, None)

    def __len__(self) -> int:
        return len(self._by_peer)

    def __contains__(self, peer_system_title: object) -> bool:
        return peer_system_title in self._by_peer

    def find(self, peer_system_title: bytes) -> SecurityKeys:
        """The keys for ``peer_system_title``; SecurityError when there are none."""
        found = self._by_peer.get(bytes(peer_system_title))
        if found is not None:
            return found
        if not peer_system_title and self.empty_system_title_fallback:
            if self.default is not None:
                return self.default
            if len(self._by_peer) == 1:
                return next(iter(self._by_peer.values()))
        elif peer_system_title and self.default is not None:
            return self.default
        raise SecurityError("no keys for this peer system title")

    def __repr__(self) -> str:
        return (
            f"KeyStore({len(self._by_peer)} peers, default={'set' if self.default else 'none'}, "
            f"empty_system_title_fallback={self.empty_system_title_fallback})"
        )
