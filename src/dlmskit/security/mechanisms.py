"""Authentication mechanisms of a COSEM association (Green Book 9.2.7.4, "HLS
authentication mechanisms"; mechanism names ``id-mechanism-name-0`` … ``-7``).

Mechanisms 0 and 1 end with the AARQ/AARE: lowest level security (no authentication) and
low level security (the client's password travels in ``calling-authentication-value``).
High level security (mechanisms 2 to 7) adds two passes after the AARE::

    pass 1  AARQ   client → server   CtoS (client-to-server challenge)
    pass 2  AARE   server → client   StoC (server-to-client challenge)
    pass 3  ACTION reply_to_HLS_authentication(f(StoC))   client → server
    pass 4  ACTION-response          f(CtoS)              server → client

f(StoC) is computed by the client and checked by the server; f(CtoS) the other way round:

    ====  ==========================================================================
    mech  f(StoC) (pass 3)                       f(CtoS) (pass 4)
    ====  ==========================================================================
    2     manufacturer specific (pluggable :class:`Hls2Function`)
    3     MD5(StoC ‖ HLS secret)                 MD5(CtoS ‖ HLS secret)
    4     SHA-1(StoC ‖ HLS secret)               SHA-1(CtoS ‖ HLS secret)
    5     SC ‖ IC-C ‖ GMAC(SC ‖ AK ‖ StoC)       SC ‖ IC-S ‖ GMAC(SC ‖ AK ‖ CtoS)
          IV = ST-C ‖ IC-C                       IV = ST-S ‖ IC-S
    6     SHA-256(secret ‖ ST-C ‖ ST-S ‖         SHA-256(secret ‖ ST-S ‖ ST-C ‖
                  StoC ‖ CtoS)                           CtoS ‖ StoC)
    7     ECDSA_client(ST-C ‖ ST-S ‖ StoC ‖      ECDSA_server(ST-S ‖ ST-C ‖ CtoS ‖
                  CtoS)                                 StoC)
    ====  ==========================================================================

(ST = system title, IC = invocation counter, SC = security control byte
``0x10 | suite``, AK = global authentication key; the GMAC is AES-GCM over an empty
plaintext with the key EK, its tag truncated to 12 bytes.) Mechanism 7 exists only with
security suites 1 (P-256, SHA-256) and 2 (P-384, SHA-384); its signature is the fixed-length
``r ‖ s`` (32 + 32 or 48 + 48 bytes), not DER. The order of the concatenations for 6 and 7
is the one of the Green Book table as implemented by Gurux (``GXDLMSClient`` /
``GXDLMSAssociationLogicalName`` reply_to_HLS_authentication, C#, C++ and Python).

Everything here is a pure function of its inputs; :class:`HlsContext` is a small immutable
value for one side of one association. Secrets never appear in reprs or messages.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Final, Protocol

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from dlmskit.errors import DecodeError, LocalProtocolError, SecurityError
from dlmskit.security import keys

__all__ = [
    "CHALLENGE_MAX",
    "CHALLENGE_MIN",
    "GMAC_TAG_LENGTH",
    "MECHANISM_NAMES",
    "SAPHIR_ENERDIS_SHA256",
    "Hls2Function",
    "HlsContext",
    "MechanismId",
    "Role",
    "ecdsa_message",
    "ecdsa_sign",
    "ecdsa_verify",
    "gmac_response",
    "hls2_function",
    "lls_check",
    "md5_response",
    "new_challenge",
    "parse_gmac_response",
    "register_hls2",
    "saphir_enerdis_sha256",
    "sha1_response",
    "sha256_response",
]

#: A challenge is 8 to 64 octets long (Green Book 9.2.7.4, "HLS authentication").
CHALLENGE_MIN = 8
CHALLENGE_MAX = 64
#: HLS-GMAC (mechanism 5) truncates the GCM tag to 12 octets like the ciphered APDUs.
GMAC_TAG_LENGTH = 12
_GMAC_RESPONSE_LENGTH = 1 + 4 + GMAC_TAG_LENGTH
_AUTHENTICATION_BIT = 0x10
_IC = struct.Struct(">I")
_IC_MAX = 0xFFFFFFFF


class MechanismId(IntEnum):
    """``mechanism-name`` arc (the last component of ``2.16.756.5.8.2.x``)."""

    LOWEST = 0
    LOW = 1
    HIGH = 2
    HIGH_MD5 = 3
    HIGH_SHA1 = 4
    HIGH_GMAC = 5
    HIGH_SHA256 = 6
    HIGH_ECDSA = 7

    @classmethod
    def from_name(cls, name: str | int) -> MechanismId:
        """The mechanism of a name users write (``none``, ``lls``, ``hls``, ``hls-md5``,
        ``hls-sha1``, ``hls-gmac``, ``hls-sha256``, ``hls-ecdsa``, or ``0``..``7``);
        ValueError naming the choices otherwise."""
        if isinstance(name, int) or (isinstance(name, str) and name.strip().isdigit()):
            number = int(name)
            if not 0 <= number <= 7:
                raise ValueError(f"mechanism {number} is not 0..7")
            return cls(number)
        found = MECHANISM_NAMES.get(str(name).strip().lower())
        if found is None:
            raise ValueError(f"mechanism {name!r}: use one of {', '.join(MECHANISM_NAMES)} or 0..7")
        return found


#: The names of the mechanisms in configuration files and on the command line.
MECHANISM_NAMES: Final[dict[str, MechanismId]] = {
    "none": MechanismId.LOWEST,
    "lowest": MechanismId.LOWEST,
    "lls": MechanismId.LOW,
    "low": MechanismId.LOW,
    "hls": MechanismId.HIGH,
    "hls-md5": MechanismId.HIGH_MD5,
    "hls-sha1": MechanismId.HIGH_SHA1,
    "hls-gmac": MechanismId.HIGH_GMAC,
    "gmac": MechanismId.HIGH_GMAC,
    "hls-sha256": MechanismId.HIGH_SHA256,
    "hls-ecdsa": MechanismId.HIGH_ECDSA,
}


class Role(IntEnum):
    """Which side of the association a :class:`HlsContext` belongs to."""

    CLIENT = 0
    SERVER = 1


# --------------------------------------------------------------------------- challenges, LLS


def new_challenge(
    length: int = 16, *, random: Callable[[int], bytes] = secrets.token_bytes
) -> bytes:
    """A fresh random challenge (CtoS or StoC) of ``length`` octets, 8 to 64.

    16 is the default because some meters accept nothing else. ``random`` is injectable
    for tests; it must return exactly ``length`` bytes.
    """
    if isinstance(length, bool) or not isinstance(length, int):
        raise TypeError("challenge length must be an int")
    if not CHALLENGE_MIN <= length <= CHALLENGE_MAX:
        raise ValueError(
            f"challenge length must be {CHALLENGE_MIN}..{CHALLENGE_MAX} octets, got {length}"
        )
    challenge = random(length)
    if not isinstance(challenge, bytes) or len(challenge) != length:
        raise SecurityError("random source returned a challenge of the wrong length")
    return challenge


def lls_check(expected: bytes, received: bytes) -> bool:
    """Low level security: is the received password the expected one? Constant time."""
    return hmac.compare_digest(expected, received)


# --------------------------------------------------------------------------- mechanisms 3, 4, 6


def md5_response(challenge: bytes, secret: bytes) -> bytes:
    """Mechanism 3: MD5(challenge ‖ HLS secret) (16 octets)."""
    return hashlib.md5(challenge + secret, usedforsecurity=True).digest()


def sha1_response(challenge: bytes, secret: bytes) -> bytes:
    """Mechanism 4: SHA-1(challenge ‖ HLS secret) (20 octets)."""
    return hashlib.sha1(challenge + secret, usedforsecurity=True).digest()


def sha256_response(
    secret: bytes,
    responder_title: bytes,
    peer_title: bytes,
    challenge: bytes,
    own_challenge: bytes,
) -> bytes:
    """Mechanism 6: SHA-256(secret ‖ ST-responder ‖ ST-peer ‖ challenge ‖ own challenge).

    f(StoC) = ``sha256_response(secret, ST-C, ST-S, StoC, CtoS)``;
    f(CtoS) = ``sha256_response(secret, ST-S, ST-C, CtoS, StoC)``.
    """
    return hashlib.sha256(
        b"".join((secret, responder_title, peer_title, challenge, own_challenge))
    ).digest()


# --------------------------------------------------------------------------- mechanism 5 (GMAC)


def _key_length(suite: int) -> int:
    if suite in (0, 1):
        return 16
    if suite == 2:
        return 32
    raise SecurityError(f"unknown security suite {suite}")


def gmac_response(
    *,
    challenge: bytes,
    system_title: bytes,
    invocation_counter: int,
    encryption_key: bytes,
    authentication_key: bytes,
    suite: int = 0,
) -> bytes:
    """Mechanism 5: ``SC ‖ IC ‖ GMAC(SC ‖ AK ‖ challenge)`` (17 octets).

    SC = ``0x10 | suite`` (authentication only); the GMAC is AES-GCM with key EK,
    IV = system title ‖ IC of the side that computes it, no plaintext, AAD = SC ‖ AK ‖
    challenge, tag truncated to 12 octets.
    """
    key_length = _key_length(suite)
    if len(encryption_key) != key_length or len(authentication_key) != key_length:
        raise SecurityError(f"security suite {suite} needs {key_length}-byte keys")
    if len(system_title) != 8:
        raise SecurityError("the system title must be 8 bytes")
    if not 0 <= invocation_counter <= _IC_MAX:
        raise SecurityError("invocation counter out of range 0..2**32-1")
    header = bytes((_AUTHENTICATION_BIT | suite,)) + _IC.pack(invocation_counter)
    encryptor = Cipher(
        algorithms.AES(encryption_key), modes.GCM(system_title + header[1:])
    ).encryptor()
    encryptor.authenticate_additional_data(header[:1] + authentication_key + challenge)
    encryptor.finalize()
    return header + encryptor.tag[:GMAC_TAG_LENGTH]


def parse_gmac_response(response: bytes) -> tuple[int, int, bytes]:
    """Split a mechanism 5 answer into (security control, invocation counter, tag).

    The session checks the peer's invocation counter against replays.
    """
    if len(response) != _GMAC_RESPONSE_LENGTH:
        raise DecodeError(
            f"HLS-GMAC response must be {_GMAC_RESPONSE_LENGTH} octets, got {len(response)}"
        )
    (ic,) = _IC.unpack_from(response, 1)
    return response[0], ic, bytes(response[5:])


# --------------------------------------------------------------------------- mechanism 7 (ECDSA)

_CURVES: dict[int, tuple[type[ec.EllipticCurve], int]] = {
    1: (ec.SECP256R1, 32),
    2: (ec.SECP384R1, 48),
}


def _suite_curve(suite: int) -> tuple[type[ec.EllipticCurve], int]:
    try:
        return _CURVES[suite]
    except KeyError:
        raise SecurityError(
            f"mechanism 7 (ECDSA) needs security suite 1 or 2, not {suite}"
        ) from None


def ecdsa_message(
    responder_title: bytes, peer_title: bytes, challenge: bytes, own_challenge: bytes
) -> bytes:
    """The data signed for mechanism 7: ST-responder ‖ ST-peer ‖ challenge ‖ own challenge.

    f(StoC) signs ``ST-C ‖ ST-S ‖ StoC ‖ CtoS``; f(CtoS) signs ``ST-S ‖ ST-C ‖ CtoS ‖ StoC``.
    """
    return b"".join((responder_title, peer_title, challenge, own_challenge))


def _check_key(
    key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey,
    kind: type[ec.EllipticCurvePrivateKey] | type[ec.EllipticCurvePublicKey],
    suite: int,
) -> None:
    curve = _suite_curve(suite)[0]
    if not isinstance(key, kind) or not isinstance(key.curve, curve):
        raise SecurityError(f"security suite {suite} needs a {curve.name} key")


def ecdsa_sign(private_key: ec.EllipticCurvePrivateKey, message: bytes, *, suite: int) -> bytes:
    """Sign ``message`` for suite 1 (P-256, SHA-256) or 2 (P-384, SHA-384); raw ``r ‖ s``.

    The signature itself is :func:`dlmskit.security.keys.sign`.
    """
    _check_key(private_key, ec.EllipticCurvePrivateKey, suite)
    return keys.sign(private_key, message, suite)


def ecdsa_verify(
    public_key: ec.EllipticCurvePublicKey, message: bytes, signature: bytes, *, suite: int
) -> bool:
    """Is ``signature`` (raw ``r ‖ s``) a valid signature of ``message``? (suite 1 or 2).

    A key of the wrong curve for the suite raises :class:`~dlmskit.errors.SecurityError`.
    """
    _check_key(public_key, ec.EllipticCurvePublicKey, suite)
    try:
        keys.verify(public_key, message, signature, suite)
    except SecurityError:
        return False
    return True


# --------------------------------------------------------------------------- mechanism 2


class Hls2Function(Protocol):
    """A manufacturer-specific mechanism 2: ``f(secret, challenge, context) -> bytes``.

    ``challenge`` is the one being answered (StoC for pass 3, CtoS for pass 4); the
    context gives the role, the system titles and both challenges where a manufacturer
    needs them.
    """

    def __call__(self, secret: bytes, challenge: bytes, context: HlsContext, /) -> bytes: ...


def saphir_enerdis_sha256(secret: bytes, challenge: bytes, context: HlsContext, /) -> bytes:
    """Example mechanism 2 of Saphir/Enerdis meters: SHA-256(challenge ‖ secret).

    Not standardized (SEC-06, from arabine/opendlms tests). Registered under
    :data:`SAPHIR_ENERDIS_SHA256`, used only when a context names it.
    """
    del context
    return hashlib.sha256(challenge + secret).digest()


#: Registry name of :func:`saphir_enerdis_sha256`.
SAPHIR_ENERDIS_SHA256 = "saphir-enerdis-sha256"

_HLS2: dict[str, Hls2Function] = {SAPHIR_ENERDIS_SHA256: saphir_enerdis_sha256}


def register_hls2(name: str, function: Hls2Function, *, replace: bool = False) -> None:
    """Make a mechanism 2 function available to :class:`HlsContext` by ``name``."""
    if not isinstance(name, str) or not name:
        raise ValueError("a mechanism 2 function needs a non-empty name")
    if not callable(function):
        raise TypeError("a mechanism 2 function must be callable")
    if name in _HLS2 and not replace:
        raise ValueError(f"mechanism 2 function {name!r} is already registered")
    _HLS2[name] = function


def hls2_function(name: str) -> Hls2Function:
    """The registered mechanism 2 function called ``name``."""
    try:
        return _HLS2[name]
    except KeyError:
        raise SecurityError(f"no mechanism 2 function registered as {name!r}") from None


# --------------------------------------------------------------------------- the context

_NEEDS_SECRET = frozenset(
    {
        MechanismId.LOW,
        MechanismId.HIGH,
        MechanismId.HIGH_MD5,
        MechanismId.HIGH_SHA1,
        MechanismId.HIGH_SHA256,
    }
)


def _optional_bytes(name: str, value: object) -> None:
    if value is not None and not isinstance(value, bytes):
        raise TypeError(f"{name} must be bytes or None")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class HlsContext:
    """One side's view of the authentication of one association.

    ``own_challenge`` is the challenge this side sent (CtoS for the client, StoC for the
    server); ``peer_challenge`` the one it received. What each mechanism needs:

    - 1: ``secret`` (the LLS password);
    - 2: ``secret`` and ``hls2`` (a registered name or an :class:`Hls2Function`);
    - 3, 4: ``secret``;
    - 5: ``encryption_key``, ``authentication_key``, both system titles,
      ``invocation_counter`` (this side's, used in its own answer), ``suite``;
    - 6: ``secret``, both system titles;
    - 7: ``private_key`` (own), ``peer_public_key``, both system titles, ``suite`` 1 or 2.

    :meth:`client_response` (f(StoC)) is computed by the client, :meth:`server_response`
    (f(CtoS)) by the server; :meth:`verify_client` runs on the server and
    :meth:`verify_server` on the client, both in constant time, raising
    :class:`~dlmskit.errors.SecurityError` when the answer is wrong.
    """

    mechanism: MechanismId
    role: Role
    own_challenge: bytes = b""
    peer_challenge: bytes = b""
    secret: bytes | None = None
    own_system_title: bytes | None = None
    peer_system_title: bytes | None = None
    suite: int = 0
    invocation_counter: int = 0
    encryption_key: bytes | None = None
    authentication_key: bytes | None = None
    private_key: ec.EllipticCurvePrivateKey | None = None
    peer_public_key: ec.EllipticCurvePublicKey | None = None
    hls2: str | Hls2Function | None = field(default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mechanism", MechanismId(self.mechanism))
        object.__setattr__(self, "role", Role(self.role))
        for name in ("own_challenge", "peer_challenge"):
            if not isinstance(getattr(self, name), bytes):
                raise TypeError(f"{name} must be bytes")
        for name in (
            "secret",
            "own_system_title",
            "peer_system_title",
            "encryption_key",
            "authentication_key",
        ):
            _optional_bytes(name, getattr(self, name))
        for name in ("own_system_title", "peer_system_title"):
            title = getattr(self, name)
            if title is not None and len(title) != 8:
                raise ValueError(f"{name} must be 8 bytes")
        if self.suite not in (0, 1, 2):
            raise SecurityError(f"unknown security suite {self.suite}")
        if isinstance(self.invocation_counter, bool) or not (
            isinstance(self.invocation_counter, int) and 0 <= self.invocation_counter <= _IC_MAX
        ):
            raise ValueError("invocation_counter must be an int in 0..2**32-1")
        mechanism = self.mechanism
        if mechanism == MechanismId.HIGH_ECDSA:
            _suite_curve(self.suite)
        if mechanism in _NEEDS_SECRET and self.secret is None:
            raise SecurityError(f"mechanism {int(mechanism)} needs a secret")
        if mechanism == MechanismId.HIGH and self.hls2 is None:
            raise SecurityError("mechanism 2 needs a manufacturer function (hls2)")
        if mechanism == MechanismId.HIGH_GMAC:
            if self.encryption_key is None or self.authentication_key is None:
                raise SecurityError("mechanism 5 needs the encryption and authentication keys")
            key_length = _key_length(self.suite)
            if len(self.encryption_key) != key_length or len(self.authentication_key) != key_length:
                raise SecurityError(f"security suite {self.suite} needs {key_length}-byte keys")
        if mechanism in (
            MechanismId.HIGH_GMAC,
            MechanismId.HIGH_SHA256,
            MechanismId.HIGH_ECDSA,
        ) and (self.own_system_title is None or self.peer_system_title is None):
            raise SecurityError(f"mechanism {int(mechanism)} needs both system titles")

    def __repr__(self) -> str:
        def title(value: bytes | None) -> str:
            return "None" if value is None else value.hex().upper()

        secrets_held = [
            name
            for name in ("secret", "encryption_key", "authentication_key", "private_key")
            if getattr(self, name) is not None
        ]
        return (
            f"HlsContext(mechanism={self.mechanism.name}, role={self.role.name}, "
            f"suite={self.suite}, own_system_title={title(self.own_system_title)}, "
            f"peer_system_title={title(self.peer_system_title)}, "
            f"redacted={'/'.join(secrets_held) or 'nothing'})"
        )

    # -- the two sides' parameters, whichever side this context belongs to

    @property
    def client_challenge(self) -> bytes:
        """CtoS."""
        return self.own_challenge if self.role == Role.CLIENT else self.peer_challenge

    @property
    def server_challenge(self) -> bytes:
        """StoC."""
        return self.peer_challenge if self.role == Role.CLIENT else self.own_challenge

    def _titles(self, *, responder_is_client: bool) -> tuple[bytes, bytes]:
        """(responder's system title, the other side's)."""
        own, peer = self.own_system_title, self.peer_system_title
        assert own is not None
        assert peer is not None
        responder_is_self = responder_is_client == (self.role == Role.CLIENT)
        return (own, peer) if responder_is_self else (peer, own)

    def _hls2(self) -> Hls2Function:
        if isinstance(self.hls2, str):
            return hls2_function(self.hls2)
        assert self.hls2 is not None
        return self.hls2

    def _expected(self, *, responder_is_client: bool, invocation_counter: int) -> bytes:
        """f(StoC) (responder = client) or f(CtoS) (responder = server), for 1-6."""
        if responder_is_client:
            challenge, other = self.server_challenge, self.client_challenge
        else:
            challenge, other = self.client_challenge, self.server_challenge
        mechanism = self.mechanism
        secret = self.secret
        if mechanism == MechanismId.HIGH_GMAC:
            assert self.encryption_key is not None
            assert self.authentication_key is not None
            return gmac_response(
                challenge=challenge,
                system_title=self._titles(responder_is_client=responder_is_client)[0],
                invocation_counter=invocation_counter,
                encryption_key=self.encryption_key,
                authentication_key=self.authentication_key,
                suite=self.suite,
            )
        assert secret is not None
        if mechanism == MechanismId.HIGH:
            return bytes(self._hls2()(secret, challenge, self))
        if mechanism == MechanismId.HIGH_MD5:
            return md5_response(challenge, secret)
        if mechanism == MechanismId.HIGH_SHA1:
            return sha1_response(challenge, secret)
        if mechanism == MechanismId.HIGH_SHA256:
            responder, peer = self._titles(responder_is_client=responder_is_client)
            return sha256_response(secret, responder, peer, challenge, other)
        raise AssertionError(mechanism)  # pragma: no cover - callers dispatch 0, 1 and 7

    def _ecdsa_message(self, *, responder_is_client: bool) -> bytes:
        responder, peer = self._titles(responder_is_client=responder_is_client)
        if responder_is_client:
            return ecdsa_message(responder, peer, self.server_challenge, self.client_challenge)
        return ecdsa_message(responder, peer, self.client_challenge, self.server_challenge)

    def _respond(self, *, as_client: bool) -> bytes:
        wanted = Role.CLIENT if as_client else Role.SERVER
        if self.role != wanted:
            raise LocalProtocolError(
                f"only the {wanted.name.lower()} computes {'f(StoC)' if as_client else 'f(CtoS)'}"
            )
        mechanism = self.mechanism
        if mechanism == MechanismId.LOWEST:
            raise LocalProtocolError("mechanism 0 has no authentication value")
        if mechanism == MechanismId.LOW:
            if not as_client:
                raise LocalProtocolError("mechanism 1 has no pass 4: the server does not answer")
            assert self.secret is not None
            return self.secret
        if mechanism == MechanismId.HIGH_ECDSA:
            if self.private_key is None:
                raise SecurityError("mechanism 7 needs this side's private key")
            return ecdsa_sign(
                self.private_key,
                self._ecdsa_message(responder_is_client=as_client),
                suite=self.suite,
            )
        return self._expected(
            responder_is_client=as_client, invocation_counter=self.invocation_counter
        )

    def _verify(self, response: bytes, *, from_client: bool) -> None:
        wanted = Role.SERVER if from_client else Role.CLIENT
        if self.role != wanted:
            raise LocalProtocolError(
                f"only the {wanted.name.lower()} verifies {'f(StoC)' if from_client else 'f(CtoS)'}"
            )
        if not isinstance(response, bytes | bytearray | memoryview):
            raise TypeError("the response must be bytes")
        response = bytes(response)
        mechanism = self.mechanism
        if mechanism == MechanismId.LOWEST:
            raise LocalProtocolError("mechanism 0 has nothing to verify")
        if mechanism == MechanismId.LOW:
            if not from_client:
                raise LocalProtocolError("mechanism 1 has no pass 4: nothing to verify")
            assert self.secret is not None
            ok = lls_check(self.secret, response)
        elif mechanism == MechanismId.HIGH_ECDSA:
            if self.peer_public_key is None:
                raise SecurityError("mechanism 7 needs the peer's public key")
            ok = ecdsa_verify(
                self.peer_public_key,
                self._ecdsa_message(responder_is_client=from_client),
                response,
                suite=self.suite,
            )
        else:
            invocation_counter = 0
            if mechanism == MechanismId.HIGH_GMAC:
                try:
                    _, invocation_counter, _ = parse_gmac_response(response)
                except DecodeError:
                    raise SecurityError("HLS authentication failed") from None
            expected = self._expected(
                responder_is_client=from_client, invocation_counter=invocation_counter
            )
            ok = hmac.compare_digest(expected, response)
        if not ok:
            raise SecurityError("HLS authentication failed")

    def client_response(self) -> bytes:
        """f(StoC), the client's pass 3 (for mechanism 1: the LLS password)."""
        return self._respond(as_client=True)

    def server_response(self) -> bytes:
        """f(CtoS), the server's pass 4."""
        return self._respond(as_client=False)

    def verify_client(self, response: bytes) -> None:
        """On the server: check the client's f(StoC) (or LLS password); constant time."""
        self._verify(response, from_client=True)

    def verify_server(self, response: bytes) -> None:
        """On the client: check the server's f(CtoS); constant time."""
        self._verify(response, from_client=False)
