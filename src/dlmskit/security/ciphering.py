"""AES-GCM ciphering of xDLMS APDUs for security suites 0, 1 and 2 (Green Book 9.2.7).

The security header SC ‖ IC (security control byte, invocation counter) says what is
applied; the initialization vector is the sender's system title (8 octets) ‖ IC (4 octets,
big-endian); the authentication tag is the GCM tag truncated to 12 octets::

    SC 0x3n  authenticated and encrypted   AAD = SC ‖ AK             out = C ‖ T
    SC 0x1n  authentication only           AAD = SC ‖ AK ‖ P         out = P ‖ T
    SC 0x2n  encryption only               no tag                    out = C

``n`` is the security suite (0: AES-GCM-128; 1: AES-GCM-128 with ECDH/ECDSA P-256 and
SHA-256; 2: AES-GCM-256 with P-384 and SHA-384), ``AK`` the authentication key, ``P`` the
plaintext, ``C`` the ciphertext. Encryption only is GCM without its tag: AES-CTR whose first
counter block is IV ‖ 00000002 (NIST SP 800-38D, 7.1: J0 = IV ‖ 0^31 ‖ 1, the plaintext is
enciphered from inc32(J0)).

:func:`encrypt` / :func:`decrypt` work on the ciphered text (what follows SC ‖ IC);
:func:`protect` / :func:`unprotect` build and open the ciphered APDUs of
:mod:`dlmskit.apdu.ciphered` (service-specific glo- / ded- APDUs, general-glo-ciphering,
general-ded-ciphering); :func:`gmac` is the authentication-only tag HLS mechanism 5 uses;
:func:`require` refuses a received frame weaker than the expected policy.

Decryption can skip the tag check (``verify_tag=False``): a push listener that was given
only the encryption key of a meter must still read its authenticated-and-encrypted
notifications. The V.44 compression bit is recognised and refused (no implementation).

Secrets: no function puts a key, the plaintext or a tag into an exception message; a
failed tag check says only that authentication failed. Tags are compared in constant time
(by the GCM implementation, or :func:`hmac.compare_digest` for authentication only).
"""

from __future__ import annotations

import functools
import hmac
from enum import Enum, IntEnum
from typing import Final

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dlmskit import axdr
from dlmskit.apdu._base import Apdu
from dlmskit.apdu.ciphered import (
    DEFAULT_TAG_LENGTH,
    CipheredTag,
    GeneralDedCiphering,
    GeneralGloCiphering,
    SecurityControl,
    ServiceSpecificCiphered,
)
from dlmskit.errors import DecodeError, EncodeError, SecurityError

__all__ = [
    "SYSTEM_TITLE_LENGTH",
    "TAG_LENGTH",
    "Envelope",
    "SecuritySuite",
    "decrypt",
    "encrypt",
    "gmac",
    "protect",
    "require",
    "unprotect",
]

#: The authentication tag length of suites 0, 1 and 2 (Green Book 9.2.7).
TAG_LENGTH: Final = DEFAULT_TAG_LENGTH
#: A system title is 8 octets; with the 4-octet invocation counter it makes the 96-bit IV.
SYSTEM_TITLE_LENGTH: Final = 8

_MAX_INVOCATION_COUNTER: Final = 0xFFFFFFFF


class SecuritySuite(IntEnum):
    """The security suites of the Green Book (9.2.3.7, "Security suite").

    Every suite ciphers with AES-GCM; suites 1 and 2 add the ECDH key agreement, ECDSA
    signatures and a hash (not used by the ciphering here).
    """

    AES_GCM_128 = 0
    """Suite 0: AES-GCM-128, AES-128 key wrap."""
    ECDH_ECDSA_AES_GCM_128_SHA256 = 1
    """Suite 1: AES-GCM-128, ECDH / ECDSA with P-256, SHA-256."""
    ECDH_ECDSA_AES_GCM_256_SHA384 = 2
    """Suite 2: AES-GCM-256, ECDH / ECDSA with P-384, SHA-384."""

    @property
    def key_length(self) -> int:
        """The length in octets of the encryption and authentication keys."""
        return 32 if self is SecuritySuite.ECDH_ECDSA_AES_GCM_256_SHA384 else 16

    @classmethod
    def of(cls, security_control: SecurityControl | int) -> SecuritySuite:
        """The suite named by the low nibble of SC; suites 3..15 raise SecurityError."""
        suite_id = _security_control(security_control).suite_id
        try:
            return cls(suite_id)
        except ValueError:
            raise SecurityError(f"security suite {suite_id} is not supported") from None

    def check_key(self, key: object, name: str = "key") -> bytes:
        """``key`` as bytes, or SecurityError naming only the expected length."""
        if not isinstance(key, bytes | bytearray | memoryview):
            raise TypeError(f"{name} must be bytes, not {type(key).__name__}")
        data = bytes(key)
        if len(data) != self.key_length:
            raise SecurityError(
                f"{name} must be {self.key_length} bytes for security suite {int(self)}"
            )
        return data


class Envelope(Enum):
    """Which ciphered APDU :func:`protect` builds."""

    GLO = "glo"
    """Service-specific glo- APDU (global key; the tag follows the plaintext's tag)."""
    DED = "ded"
    """Service-specific ded- APDU (dedicated key)."""
    GENERAL_GLO = "general-glo"
    """general-glo-ciphering (0xDB), carrying the sender's system title."""
    GENERAL_DED = "general-ded"
    """general-ded-ciphering (0xDC), carrying the sender's system title."""


# -- checks ------------------------------------------------------------------------------


def _security_control(value: object) -> SecurityControl:
    if isinstance(value, SecurityControl):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"security control must be an int or SecurityControl, not {type(value)}")
    if not 0 <= value <= 0xFF:
        raise ValueError(f"security control must be in 0..255, got {value}")
    return SecurityControl(value)


def _iv(system_title: object, invocation_counter: object) -> bytes:
    if not isinstance(system_title, bytes | bytearray | memoryview):
        raise TypeError(f"system title must be bytes, not {type(system_title).__name__}")
    if len(system_title) != SYSTEM_TITLE_LENGTH:
        raise SecurityError(
            f"system title must be {SYSTEM_TITLE_LENGTH} bytes, got {len(system_title)}"
        )
    if isinstance(invocation_counter, bool) or not isinstance(invocation_counter, int):
        raise TypeError("invocation counter must be an int")
    if not 0 <= invocation_counter <= _MAX_INVOCATION_COUNTER:
        raise ValueError(f"invocation counter must be in 0..{_MAX_INVOCATION_COUNTER}")
    return bytes(system_title) + invocation_counter.to_bytes(4, "big")


def _bytes(name: str, value: object) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    return bytes(value)


def _policy(
    security_control: SecurityControl | int,
    encryption_key: object,
    authentication_key: object,
    *,
    need_authentication_key: bool,
) -> tuple[SecurityControl, bytes, bytes | None]:
    """Check SC and the keys; the authentication key only when it will be used."""
    sc = _security_control(security_control)
    if sc.compression:
        raise SecurityError("V.44 compression is not supported")
    suite = SecuritySuite.of(sc)
    if not (sc.authentication or sc.encryption):
        raise SecurityError(
            f"security control 0x{sc.value:02X} applies neither authentication nor encryption"
        )
    ek = suite.check_key(encryption_key, "encryption key")
    ak: bytes | None = None
    if sc.authentication and need_authentication_key:
        if authentication_key is None:
            raise SecurityError("an authentication key is required when authentication is applied")
        ak = suite.check_key(authentication_key, "authentication key")
    return sc, ek, ak


# -- the AES-GCM core --------------------------------------------------------------------


def _gcm_encrypt(key: bytes, iv: bytes, aad: bytes, plaintext: bytes) -> tuple[bytes, bytes]:
    """AES-GCM (NIST SP 800-38D): (ciphertext, 16-octet tag)."""
    sealed = _aead(key).encrypt(iv, plaintext, aad)
    return sealed[:-16], sealed[-16:]


@functools.lru_cache(maxsize=64)
def _aead(key: bytes) -> AESGCM:
    """One AESGCM object per key (building one costs about as much as a short message)."""
    return AESGCM(key)


def _gcm_decrypt(key: bytes, iv: bytes, aad: bytes, ciphertext: bytes, tag: bytes) -> bytes:
    """AES-GCM decryption with a (possibly truncated, ≥ 12 octets) tag checked in
    constant time; SecurityError when it does not match.

    ``AESGCM.decrypt`` insists on a 16-octet tag, and the hazmat ``GCM`` mode that accepts
    12 octets costs a context per message (about 4 µs). GCM encrypts by XOR with the
    keystream of IV ‖ 2, 3, ... (NIST SP 800-38D 7.1), so a one-shot GCM *encryption* of
    the ciphertext yields the plaintext, and encrypting that plaintext again yields the
    sender's full tag, compared in constant time before anything is returned.
    """
    if not TAG_LENGTH <= len(tag) <= 16:
        raise SecurityError(f"an authentication tag must be {TAG_LENGTH}..16 octets")
    aead = _aead(key)
    plaintext = aead.encrypt(iv, ciphertext, None)[: len(ciphertext)]
    expected = aead.encrypt(iv, plaintext, aad)[len(ciphertext) :]
    if not hmac.compare_digest(expected[: len(tag)], tag):
        raise SecurityError("authentication failed: the tag does not match")
    return plaintext


def _ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    """GCM's keystream without the tag: AES-CTR from the counter block IV ‖ 00000002,
    which is exactly the ciphertext part of a GCM encryption (the tag is dropped)."""
    return _aead(key).encrypt(iv, data, None)[: len(data)]


def _split_tag(ciphered: bytes) -> tuple[bytes, bytes]:
    if len(ciphered) < TAG_LENGTH:
        raise DecodeError(
            f"ciphered text of {len(ciphered)} byte(s) is shorter than its "
            f"{TAG_LENGTH}-byte authentication tag"
        )
    return ciphered[:-TAG_LENGTH], ciphered[-TAG_LENGTH:]


# -- public ciphering API ----------------------------------------------------------------


def encrypt(
    *,
    security_control: SecurityControl | int,
    system_title: bytes,
    invocation_counter: int,
    encryption_key: bytes,
    authentication_key: bytes | None,
    plaintext: bytes,
) -> bytes:
    """Protect ``plaintext`` as SC says; the ciphered text that follows SC ‖ IC.

    Authenticated and encrypted: ciphertext ‖ 12-octet tag; authentication only:
    plaintext ‖ tag; encryption only: the ciphertext, no tag. The authentication key is
    required only when SC applies authentication. Raises SecurityError for a wrong key
    length, a system title that is not 8 octets, an unsupported suite or the compression
    bit.
    """
    sc, ek, ak = _policy(
        security_control, encryption_key, authentication_key, need_authentication_key=True
    )
    iv = _iv(system_title, invocation_counter)
    data = _bytes("plaintext", plaintext)
    header = bytes((sc.value,))
    if sc.authentication and sc.encryption:
        assert ak is not None
        ciphertext, tag = _gcm_encrypt(ek, iv, header + ak, data)
        return ciphertext + tag[:TAG_LENGTH]
    if sc.authentication:
        assert ak is not None
        _, tag = _gcm_encrypt(ek, iv, header + ak + data, b"")
        return data + tag[:TAG_LENGTH]
    return _ctr(ek, iv, data)


def decrypt(
    *,
    security_control: SecurityControl | int,
    system_title: bytes,
    invocation_counter: int,
    encryption_key: bytes,
    authentication_key: bytes | None,
    ciphered: bytes,
    verify_tag: bool = True,
) -> bytes:
    """The plaintext of a ciphered text (what follows SC ‖ IC), the inverse of
    :func:`encrypt`.

    With ``verify_tag=False`` the tag (when SC applies authentication) is stripped without
    being checked, and the authentication key is not needed: only the encryption key.
    Encryption-only texts have no tag at all. A wrong tag raises SecurityError (nothing
    of the plaintext is returned); a text shorter than its tag raises DecodeError.
    """
    sc, ek, ak = _policy(
        security_control, encryption_key, authentication_key, need_authentication_key=verify_tag
    )
    iv = _iv(system_title, invocation_counter)
    data = _bytes("ciphered text", ciphered)
    header = bytes((sc.value,))
    if not sc.authentication:
        return _ctr(ek, iv, data)
    body, tag = _split_tag(data)
    if not verify_tag:
        return _ctr(ek, iv, body) if sc.encryption else body
    assert ak is not None
    if sc.encryption:
        return _gcm_decrypt(ek, iv, header + ak, body, tag)
    _, expected = _gcm_encrypt(ek, iv, header + ak + body, b"")
    if not hmac.compare_digest(expected[:TAG_LENGTH], tag):
        raise SecurityError("authentication failed: the tag does not match")
    return body


def gmac(
    *,
    security_control: SecurityControl | int,
    system_title: bytes,
    invocation_counter: int,
    encryption_key: bytes,
    authentication_key: bytes,
    data: bytes,
) -> bytes:
    """The 12-octet authentication-only tag of ``data``: GMAC over SC ‖ AK ‖ data with
    IV = system title ‖ IC.

    HLS mechanism 5 (Green Book 9.2.7.4, "HLS authentication mechanism 5 (GMAC)"):
    f(challenge) = SC ‖ IC ‖ gmac(challenge), SC = 0x10 | suite, computed with the system
    title and invocation counter of the side computing it. SC must apply authentication
    only.
    """
    sc = _security_control(security_control)
    if not sc.authentication or sc.encryption:
        raise SecurityError("GMAC needs a security control with authentication only")
    ciphered = encrypt(
        security_control=sc,
        system_title=system_title,
        invocation_counter=invocation_counter,
        encryption_key=encryption_key,
        authentication_key=authentication_key,
        plaintext=data,
    )
    return ciphered[-TAG_LENGTH:]


def require(
    security_control: SecurityControl | int, *, authenticated: bool, encrypted: bool
) -> None:
    """Refuse a received frame weaker than the expected policy.

    ``authenticated`` / ``encrypted``: what the policy for this peer demands. A frame that
    lacks either (e.g. 0x20 encryption only where 0x30 is expected: a downgrade) raises
    SecurityError. A stronger frame is accepted.
    """
    sc = _security_control(security_control)
    missing = [
        name
        for name, wanted, applied in (
            ("authentication", authenticated, sc.authentication),
            ("encryption", encrypted, sc.encryption),
        )
        if wanted and not applied
    ]
    if missing:
        raise SecurityError(
            f"security policy violated: security control 0x{sc.value:02X} lacks "
            + " and ".join(missing)
        )


# -- APDUs -------------------------------------------------------------------------------


def unprotect(
    apdu: ServiceSpecificCiphered | GeneralGloCiphering | GeneralDedCiphering,
    *,
    encryption_key: bytes,
    authentication_key: bytes | None = None,
    system_title: bytes | None = None,
    verify_tag: bool = True,
) -> bytes:
    """The plaintext APDU (bytes) inside a ciphered APDU.

    ``encryption_key`` is the global key for glo- and general-glo APDUs, the dedicated key
    for ded- and general-ded ones. A service-specific APDU does not carry the sender's
    system title: pass the peer's in ``system_title``. General-glo/ded-ciphering carry it;
    ``system_title`` is used only when the envelope's is empty (a quirk of some meters).
    The plaintext is returned undecoded (decode it with :func:`dlmskit.apdu.decode`).
    """
    if isinstance(apdu, GeneralGloCiphering | GeneralDedCiphering):
        title = bytes(apdu.system_title)
        if not title and system_title is not None:
            title = _bytes("system title", system_title)
    elif isinstance(apdu, ServiceSpecificCiphered):
        if system_title is None:
            raise SecurityError(
                f"{apdu.NAME} carries no system title: the peer's system title is required"
            )
        title = _bytes("system title", system_title)
    else:
        raise TypeError(
            "unprotect needs a service-specific, general-glo or general-ded ciphered APDU, "
            f"not {type(apdu).__name__}"
        )
    return decrypt(
        security_control=apdu.security_control,
        system_title=title,
        invocation_counter=apdu.invocation_counter,
        encryption_key=encryption_key,
        authentication_key=authentication_key,
        ciphered=apdu.ciphered_text,
        verify_tag=verify_tag,
    )


def protect(
    plain_apdu: bytes,
    *,
    envelope: Envelope,
    security_control: SecurityControl | int,
    system_title: bytes,
    invocation_counter: int,
    encryption_key: bytes,
    authentication_key: bytes | None,
) -> Apdu:
    """The ciphered APDU protecting ``plain_apdu`` (encoded APDU bytes).

    ``system_title`` is our own (the sender's): it makes the IV, and general-glo/ded
    envelopes carry it. For :attr:`Envelope.GLO` / :attr:`Envelope.DED` the ciphered tag
    follows the plaintext's first octet (get-request 0xC0 → glo-get-request 0xC8); a tag
    without a service-specific ciphered form raises EncodeError.
    """
    data = _bytes("plain APDU", plain_apdu)
    if not data:
        raise EncodeError("an empty plain APDU cannot be protected")
    if not isinstance(envelope, Envelope):
        raise TypeError(f"envelope must be an Envelope, not {type(envelope).__name__}")
    sc = _security_control(security_control)
    tag: CipheredTag | None = None
    if envelope in (Envelope.GLO, Envelope.DED):
        try:
            tag = CipheredTag.for_plain(data[0], dedicated=envelope is Envelope.DED)
        except ValueError as exc:
            raise EncodeError(str(exc)) from None
    ciphered = encrypt(
        security_control=sc,
        system_title=system_title,
        invocation_counter=invocation_counter,
        encryption_key=encryption_key,
        authentication_key=authentication_key,
        plaintext=data,
    )
    if tag is not None:
        return ServiceSpecificCiphered.of(
            tag, security_control=sc, invocation_counter=invocation_counter, ciphered_text=ciphered
        )
    cls = GeneralGloCiphering if envelope is Envelope.GENERAL_GLO else GeneralDedCiphering
    return cls(
        system_title=axdr.OctetString(bytes(system_title)),
        security_control=sc,
        invocation_counter=invocation_counter,
        ciphered_text=ciphered,
    )
