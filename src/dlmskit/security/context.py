"""The security state of one association, sans-io: protect what we send, unprotect what
we receive (Green Book 9.2.7).

A :class:`SecurityContext` holds, explicitly:

* our :class:`~dlmskit.security.keys.SecurityKeys` (suite, system titles, global unicast,
  authentication and dedicated keys);
* an :class:`~dlmskit.security.counters.OutgoingCounter` that hands out our invocation
  counters (an IV must never repeat under one key);
* an :class:`~dlmskit.security.counters.IncomingCounterCheck` for the peer's counters;
* the :class:`Policy` for the peer: what every received frame must apply (a weaker frame
  is a downgrade and is refused) and which envelope we send.

Receiving follows the order that keeps a forged frame harmless::

    require(SC, policy)        refuse a downgraded frame
    incoming.verify(IC)        refuse a replayed or old counter, before any decryption
    decrypt (tag checked)      SecurityError when the tag does not match
    incoming.record(IC)        only now: a forged frame with a high counter locks nobody out

Keys: glo- and general-glo-ciphering use the global unicast key, ded- and
general-ded-ciphering the dedicated key; the authentication key is the same for both. A
frame whose security control byte has the key-set bit (0x40) is ciphered with the global
broadcast key instead (Green Book 9.2.7.2.4: broadcast, e.g. unconfirmed services and
pushes to many receivers); :meth:`SecurityContext.protect` sends one with
``broadcast=True``. Replay slots are per (key, peer system title).

:func:`decrypt_push` opens a general-glo-ciphering push (Data-Notification) without any
association state: a push listener holding a meter's keys.

Secrets never appear in a repr or an exception message (DESIGN.md rule 10).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from dlmskit.apdu._base import Apdu, decode
from dlmskit.apdu.ciphered import (
    CipheredTag,
    GeneralDedCiphering,
    GeneralGloCiphering,
    SecurityControl,
    ServiceSpecificCiphered,
)
from dlmskit.errors import SecurityError
from dlmskit.security import ciphering
from dlmskit.security.ciphering import Envelope
from dlmskit.security.counters import IncomingCounterCheck, OutgoingCounter
from dlmskit.security.keys import SecurityKeys

__all__ = [
    "BROADCAST_KEY_ID",
    "DEDICATED_KEY_ID",
    "GLOBAL_KEY_ID",
    "Policy",
    "SecurityContext",
    "decrypt_push",
    "encryption_key_for",
]

#: The replay-slot names of the two ciphering keys in the :class:`IncomingCounterCheck`.
GLOBAL_KEY_ID: Final = "global-unicast"
DEDICATED_KEY_ID: Final = "dedicated"
BROADCAST_KEY_ID: Final = "global-broadcast"

_Ciphered = ServiceSpecificCiphered | GeneralGloCiphering | GeneralDedCiphering


@dataclass(frozen=True, slots=True)
class Policy:
    """What the frames exchanged with one peer apply.

    ``authenticated`` / ``encrypted``: every received frame must apply at least these
    (a stronger frame is accepted); every frame we send applies exactly these. At least
    one must be set (an unprotected association needs no context). ``envelope``: the
    ciphered APDU we send (glo, ded, general-glo or general-ded).
    """

    authenticated: bool = True
    encrypted: bool = True
    envelope: Envelope = Envelope.GLO

    def __post_init__(self) -> None:
        if not (self.authenticated or self.encrypted):
            raise ValueError("a policy must apply authentication, encryption or both")
        if not isinstance(self.envelope, Envelope):
            raise TypeError(f"envelope must be an Envelope, not {type(self.envelope).__name__}")

    def security_control(self, suite: int, *, broadcast: bool = False) -> SecurityControl:
        """The security control byte this policy sends with security suite ``suite``
        (with the key-set bit when ``broadcast``)."""
        return SecurityControl(
            (0x10 if self.authenticated else 0)
            | (0x20 if self.encrypted else 0)
            | (0x40 if broadcast else 0)
            | suite
        )


def _as_ciphered(apdu: Apdu | bytes | bytearray | memoryview) -> _Ciphered:
    if isinstance(apdu, bytes | bytearray | memoryview):
        apdu = decode(apdu)
    if not isinstance(apdu, _Ciphered):
        raise SecurityError(f"{apdu.NAME} is not a ciphered APDU")
    return apdu


def _dedicated(apdu: _Ciphered) -> bool:
    if isinstance(apdu, GeneralDedCiphering):
        return True
    if isinstance(apdu, ServiceSpecificCiphered):
        return CipheredTag(apdu.TAG).dedicated
    return False


def encryption_key_for(keys: SecurityKeys, apdu: _Ciphered) -> tuple[str, bytes]:
    """The replay-slot name and the encryption key that open ``apdu``: the dedicated key
    for ded- envelopes, the global broadcast key when the security control byte has the
    key-set bit, the global unicast key otherwise. SecurityError names a missing key (and
    a ded- envelope that claims the broadcast key, which cannot be)."""
    dedicated = _dedicated(apdu)
    if apdu.security_control.broadcast:
        if dedicated:
            raise SecurityError(
                f"{apdu.NAME} with the key-set bit (broadcast key) in security control "
                f"0x{apdu.security_control.value:02X}: a dedicated envelope has no broadcast key"
            )
        if keys.global_broadcast_key is None:
            raise SecurityError(
                "the frame is ciphered with the global broadcast key (key-set bit in "
                f"security control 0x{apdu.security_control.value:02X}) and no broadcast "
                "key is given"
            )
        return BROADCAST_KEY_ID, keys.global_broadcast_key
    if dedicated:
        if keys.dedicated_key is None:
            raise SecurityError("no dedicated key in this security context")
        return DEDICATED_KEY_ID, keys.dedicated_key
    if keys.global_unicast_key is None:
        raise SecurityError("no global unicast key in this security context")
    return GLOBAL_KEY_ID, keys.global_unicast_key


class SecurityContext:
    """Protect and unprotect the APDUs of one association (client or server side).

    ``keys.system_title`` is ours (it makes the IV of what we send);
    ``keys.peer_system_title`` the peer's (the IV of what it sends in service-specific
    envelopes, which carry no title; general envelopes carry theirs, and a title other
    than the peer's, when the peer's is known, is refused). ``outgoing`` counts our frames
    under our key; ``incoming`` checks the peer's counters (a fresh, window-less one when
    omitted).
    """

    def __init__(
        self,
        keys: SecurityKeys,
        outgoing: OutgoingCounter,
        policy: Policy | None = None,
        incoming: IncomingCounterCheck | None = None,
    ) -> None:
        if not isinstance(keys, SecurityKeys):
            raise TypeError(f"keys must be SecurityKeys, not {type(keys).__name__}")
        self.keys = keys
        self.outgoing = outgoing
        self.policy = policy if policy is not None else Policy()
        self.incoming = incoming if incoming is not None else IncomingCounterCheck()

    # -- keys ----------------------------------------------------------------------------

    def _key(self, dedicated: bool) -> bytes:
        key = self.keys.dedicated_key if dedicated else self.keys.global_unicast_key
        if key is None:
            name = "dedicated key" if dedicated else "global unicast key"
            raise SecurityError(f"no {name} in this security context")
        return key

    def _peer_title(self, apdu: _Ciphered) -> bytes:
        known = self.keys.peer_system_title or None
        if isinstance(apdu, GeneralGloCiphering | GeneralDedCiphering):
            carried = bytes(apdu.system_title)
            if carried:
                if known is not None and carried != known:
                    raise SecurityError("the frame's system title is not the peer's")
                return carried
        if known is None:
            raise SecurityError("the peer's system title is not known")
        return known

    # -- sending -------------------------------------------------------------------------

    def protect(self, plain_apdu: bytes, *, broadcast: bool = False) -> Apdu:
        """The ciphered APDU of ``plain_apdu`` (encoded APDU bytes) under the policy's
        envelope and security control, with the next outgoing invocation counter.

        ``broadcast``: cipher with the global broadcast key and set the key-set bit (for
        what many receivers open: unconfirmed services, pushes); only with a glo- or
        general-glo envelope."""
        envelope = self.policy.envelope
        dedicated = envelope in (Envelope.DED, Envelope.GENERAL_DED)
        if broadcast:
            if dedicated:
                raise SecurityError(f"a {envelope.value} envelope cannot use the broadcast key")
            key = self.keys.global_broadcast_key
            if key is None:
                raise SecurityError("no global broadcast key in this security context")
        else:
            key = self._key(dedicated)
        return ciphering.protect(
            plain_apdu,
            envelope=envelope,
            security_control=self.policy.security_control(self.keys.suite, broadcast=broadcast),
            system_title=self.keys.system_title,
            invocation_counter=self.outgoing.next(),
            encryption_key=key,
            authentication_key=self.keys.authentication_key,
        )

    # -- receiving -----------------------------------------------------------------------

    def unprotect(
        self, apdu: Apdu | bytes | bytearray | memoryview, *, verify_tag: bool = True
    ) -> bytes:
        """The plaintext APDU (bytes) of a ciphered APDU (or its encoding) from the peer.

        Raises SecurityError for a frame weaker than the policy, a suite other than ours,
        a replayed or old invocation counter, a wrong tag or a missing key; DecodeError
        for a truncated envelope. The counter is recorded only once the frame is accepted.
        With ``verify_tag=False`` (a listener without the authentication key) the tag is
        not checked and the counter is recorded anyway: replays are still refused, but a
        forged frame with a high counter is then not detected.
        """
        ciphered = _as_ciphered(apdu)
        sc = ciphered.security_control
        ciphering.require(
            sc, authenticated=self.policy.authenticated, encrypted=self.policy.encrypted
        )
        if sc.suite_id != self.keys.suite:
            raise SecurityError(
                f"security suite {sc.suite_id} is not this context's suite {self.keys.suite}"
            )
        key_id, key = encryption_key_for(self.keys, ciphered)
        title = self._peer_title(ciphered)
        counter = ciphered.invocation_counter
        self.incoming.verify(key_id, title, counter)
        plain = ciphering.unprotect(
            ciphered,
            encryption_key=key,
            authentication_key=self.keys.authentication_key,
            system_title=title,
            verify_tag=verify_tag,
        )
        self.incoming.record(key_id, title, counter)
        return plain

    def __repr__(self) -> str:
        policy = self.policy
        return (
            f"SecurityContext({self.keys!r}, policy=Policy(authenticated="
            f"{policy.authenticated}, encrypted={policy.encrypted}, "
            f"envelope={policy.envelope.value}), outgoing={self.outgoing!r}, "
            f"incoming={self.incoming!r})"
        )

    __str__ = __repr__


def decrypt_push(
    data_apdu: GeneralGloCiphering | bytes | bytearray | memoryview,
    keys: SecurityKeys,
    *,
    verify_tag: bool = True,
) -> bytes:
    """The plaintext APDU (usually a Data-Notification) of a general-glo-ciphering push.

    ``keys.global_unicast_key`` deciphers (``keys.global_broadcast_key`` when the security
    control byte has the key-set bit); ``keys.authentication_key`` checks the tag of
    authenticated frames (not needed with ``verify_tag=False``). The meter's system title
    is the one the envelope carries (``keys.peer_system_title`` when it is empty). No
    counter is checked: there is no association state (use a :class:`SecurityContext` or
    an :class:`IncomingCounterCheck` for replay protection).
    """
    apdu: Apdu
    apdu = decode(data_apdu) if isinstance(data_apdu, bytes | bytearray | memoryview) else data_apdu
    if not isinstance(apdu, GeneralGloCiphering):
        raise SecurityError(f"a push must be a general-glo-ciphering, not {apdu.NAME}")
    _, key = encryption_key_for(keys, apdu)
    return ciphering.unprotect(
        apdu,
        encryption_key=key,
        authentication_key=keys.authentication_key,
        system_title=keys.peer_system_title or None,
        verify_tag=verify_tag,
    )
