"""Settings of a session, client and server role (DESIGN.md rule 9: quirks are named
options, off by default).

:class:`ClientSettings` describes the association a client proposes (application
context, authentication mechanism and secret, conformance, max PDU size, calling AP
title, ciphering). :class:`ServerSettings` maps each client SAP to an
:class:`AssociationConfig`: what the server accepts from that client.

Secrets (passwords, keys) are kept as given but never shown by ``repr``
(DESIGN.md rule 10).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

from cryptography.hazmat.primitives.asymmetric import ec

from dlmskit.apdu.acse import ApplicationContextName, ReleaseRequestReason
from dlmskit.apdu.initiate import Conformance
from dlmskit.security.ciphering import Envelope
from dlmskit.security.context import Policy
from dlmskit.security.counters import IncomingCounterCheck, OutgoingCounter
from dlmskit.security.keys import SecurityKeys
from dlmskit.security.mechanisms import CHALLENGE_MAX, CHALLENGE_MIN, Hls2Function, MechanismId

__all__ = [
    "DEFAULT_CLIENT_CONFORMANCE",
    "DEFAULT_SERVER_CONFORMANCE",
    "AssociationConfig",
    "ClientSettings",
    "Referencing",
    "ServerSettings",
]

#: What a client proposes by default: LN services with blocks, selective access,
#: with-list (multiple references), attribute 0, data notification, GBT left out.
DEFAULT_CLIENT_CONFORMANCE = Conformance(0x00FE1F)
#: What a server supports by default: GET/SET/ACTION, selective access, block transfer
#: with GET/SET/ACTION, multiple references.
DEFAULT_SERVER_CONFORMANCE = Conformance(0x001E1D)


class Referencing(Enum):
    """Logical name or short name referencing (the application context)."""

    LOGICAL_NAME = "LN"
    SHORT_NAME = "SN"

    def context(self, *, ciphered: bool) -> ApplicationContextName:
        """The application context name (Green Book 9.4.2.2.2)."""
        if self is Referencing.LOGICAL_NAME:
            return (
                ApplicationContextName.LOGICAL_NAME_REFERENCING_WITH_CIPHERING
                if ciphered
                else ApplicationContextName.LOGICAL_NAME_REFERENCING_NO_CIPHERING
            )
        return (
            ApplicationContextName.SHORT_NAME_REFERENCING_WITH_CIPHERING
            if ciphered
            else ApplicationContextName.SHORT_NAME_REFERENCING_NO_CIPHERING
        )


def _check_pdu(name: str, value: int) -> None:
    # xDLMS max PDU sizes are Unsigned16; Green Book 9.4.6.2: below 12 is too short.
    if isinstance(value, bool) or not isinstance(value, int) or not 12 <= value <= 0xFFFF:
        raise ValueError(f"{name} must be an int in 12..65535, not {value!r}")


def _check_secret(value: object) -> None:
    if value is not None and not isinstance(value, bytes):
        raise TypeError("secret must be bytes or None")


def _check_gbt(window: int, timeout: float, retries: int) -> None:
    # Green Book 9.4.6.13: the window field has six bits; 0 means "cannot receive".
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 63:
        raise ValueError(f"gbt_window must be an int in 1..63, not {window!r}")
    if not timeout > 0:
        raise ValueError("gbt_timeout must be positive")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError("gbt_max_retries must be a non-negative int")


def _check_timeout(name: str, value: float | None) -> None:
    if value is not None and not value > 0:
        raise ValueError(f"{name} must be positive or None")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ClientSettings:
    """What a client session proposes and how it behaves.

    - ``mechanism`` / ``secret``: 0 none; 1 LLS password; 2-4, 6 HLS secret; 5 needs
      ``keys`` (EK, AK, own system title) and ``outgoing_counter``; 7 needs
      ``private_key``, ``server_public_key`` and ``keys`` (suite 1 or 2).
    - ``calling_ap_title``: the client system title sent in the AARQ (defaults to
      ``keys.system_title`` when keys are given).
    - ``policy``: ciphering of xDLMS APDUs (None: no ciphering; the application context
      is then "no ciphering"). ``use_dedicated_key`` sends a fresh dedicated key in the
      ciphered InitiateRequest (``dedicated_key`` fixes it, for tests and vectors).
    - ``request_timeout``: seconds before a pending request is reported timed out.
    - ``high_priority``: the priority bit of invoke-id-and-priority (Gurux and the
      captured clients set it: ``C1``).
    - ``release_reason``: the RLRQ reason (None: an empty RLRQ, ``62 00``).
    - ``max_block_transfer_size``: bound on data reassembled from GET datablocks.
    - ``pre_established``: the association exists without AARQ (Green Book 9.4.2.2.1):
      the session starts ASSOCIATED with ``conformance`` and
      ``pre_established_server_pdu_size``; it cannot be released.
    - ``gbt_window`` / ``gbt_timeout`` / ``gbt_max_retries``: General Block Transfer
      (used when both sides negotiated it, for any APDU longer than the peer's max PDU):
      the window this side advertises (1..63), the retransmission timer and retries.
    - Quirks: ``accept_aare_without_user_information`` (some meters omit the
      InitiateResponse; the proposed conformance and a 128-byte PDU are assumed),
      ``release_by_disconnect`` (meters that do not answer RLRQ),
      ``accept_plain_notifications`` (meters that send data- and event-notifications
      unciphered inside a ciphered association; without it such a notification is a
      downgrade and is refused like any other plain APDU).
    """

    mechanism: MechanismId = MechanismId.LOWEST
    secret: bytes | None = None
    referencing: Referencing = Referencing.LOGICAL_NAME
    conformance: Conformance = DEFAULT_CLIENT_CONFORMANCE
    max_receive_pdu_size: int = 0xFFFF
    dlms_version: int = 6
    calling_ap_title: bytes | None = None
    keys: SecurityKeys | None = None
    outgoing_counter: OutgoingCounter | None = None
    incoming_counter: IncomingCounterCheck | None = None
    policy: Policy | None = None
    use_dedicated_key: bool = False
    dedicated_key: bytes | None = None
    private_key: ec.EllipticCurvePrivateKey | None = None
    server_public_key: ec.EllipticCurvePublicKey | None = None
    hls2: str | Hls2Function | None = None
    challenge_length: int = 16
    random: Callable[[int], bytes] = field(default=secrets.token_bytes)
    request_timeout: float | None = 30.0
    high_priority: bool = True
    release_reason: ReleaseRequestReason | None = ReleaseRequestReason.NORMAL
    max_block_transfer_size: int = 16 * 1024 * 1024
    accept_aare_without_user_information: bool = False
    release_by_disconnect: bool = False
    accept_plain_notifications: bool = False
    pre_established: bool = False
    pre_established_server_pdu_size: int = 0x0400
    gbt_window: int = 1
    gbt_timeout: float = 5.0
    gbt_max_retries: int = 3

    def __post_init__(self) -> None:
        object.__setattr__(self, "mechanism", MechanismId(self.mechanism))
        object.__setattr__(self, "conformance", Conformance(self.conformance))
        _check_secret(self.secret)
        _check_pdu("max_receive_pdu_size", self.max_receive_pdu_size)
        _check_pdu("pre_established_server_pdu_size", self.pre_established_server_pdu_size)
        _check_gbt(self.gbt_window, self.gbt_timeout, self.gbt_max_retries)
        if self.pre_established and (self.mechanism or self.policy is not None):
            # A pre-established association has no AARQ to authenticate or to carry a
            # dedicated key; ciphering with the global keys would need the server's title.
            raise ValueError("a pre-established association here is unauthenticated, unciphered")
        _check_timeout("request_timeout", self.request_timeout)
        if not CHALLENGE_MIN <= self.challenge_length <= CHALLENGE_MAX:
            raise ValueError(f"challenge_length must be {CHALLENGE_MIN}..{CHALLENGE_MAX}")
        if self.calling_ap_title is not None and len(self.calling_ap_title) != 8:
            raise ValueError("calling_ap_title must be 8 bytes (a system title)")
        if self.max_block_transfer_size < 1:
            raise ValueError("max_block_transfer_size must be positive")
        mechanism = self.mechanism
        if mechanism in (1, 2, 3, 4, 6) and self.secret is None:
            raise ValueError(f"mechanism {int(mechanism)} needs a secret")
        if (mechanism == 5 or self.policy is not None) and (
            self.keys is None or self.outgoing_counter is None
        ):
            raise ValueError("mechanism 5 and ciphering need keys and an outgoing_counter")
        if mechanism == 7 and (
            self.keys is None or self.private_key is None or self.server_public_key is None
        ):
            raise ValueError("mechanism 7 needs keys, private_key and server_public_key")
        if self.dedicated_key is not None and not self.use_dedicated_key:
            raise ValueError("dedicated_key is given but use_dedicated_key is off")
        if self.use_dedicated_key and self.policy is None:
            raise ValueError("a dedicated key travels only in a ciphered InitiateRequest")
        if (
            self.policy is not None
            and self.policy.envelope in (Envelope.DED, Envelope.GENERAL_DED)
            and not self.use_dedicated_key
        ):
            raise ValueError("a ded- envelope policy needs use_dedicated_key")
        if self.policy is not None and (self.keys is None or self.keys.global_unicast_key is None):
            raise ValueError("ciphering needs keys with the global unicast key")

    @property
    def system_title(self) -> bytes | None:
        """The client system title: ``calling_ap_title``, else ``keys.system_title``."""
        if self.calling_ap_title is not None:
            return self.calling_ap_title
        return self.keys.system_title if self.keys is not None else None

    def __repr__(self) -> str:
        return (
            f"ClientSettings(mechanism={self.mechanism.name}, referencing="
            f"{self.referencing.value}, conformance=0x{int(self.conformance):06X}, "
            f"max_receive_pdu_size={self.max_receive_pdu_size}, ciphered="
            f"{self.policy is not None}, secret=<redacted>)"
        )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class AssociationConfig:
    """What a server accepts from one client SAP: mechanism and secret (or, for 7, the
    client's public key), referencing, supported conformance, ciphering policy
    (None: none; a ciphered application context is then refused, and the other way round),
    HLS 2 function, and ``pre_established`` (the association exists from the start, with
    ``conformance``; it cannot be released, Green Book 9.4.2.2.1)."""

    mechanism: MechanismId = MechanismId.LOWEST
    secret: bytes | None = None
    referencing: Referencing = Referencing.LOGICAL_NAME
    conformance: Conformance = DEFAULT_SERVER_CONFORMANCE
    policy: Policy | None = None
    client_public_key: ec.EllipticCurvePublicKey | None = None
    hls2: str | Hls2Function | None = None
    pre_established: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "mechanism", MechanismId(self.mechanism))
        object.__setattr__(self, "conformance", Conformance(self.conformance))
        _check_secret(self.secret)
        if self.mechanism in (1, 2, 3, 4, 6) and self.secret is None:
            raise ValueError(f"mechanism {int(self.mechanism)} needs a secret")
        if self.mechanism == 7 and self.client_public_key is None:
            raise ValueError("mechanism 7 needs the client's public key")

    def __repr__(self) -> str:
        return (
            f"AssociationConfig(mechanism={self.mechanism.name}, referencing="
            f"{self.referencing.value}, conformance=0x{int(self.conformance):06X}, "
            f"ciphered={self.policy is not None}, secret=<redacted>)"
        )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ServerSettings:
    """A server's associations (client SAP → :class:`AssociationConfig`) and its own
    parameters: max receive PDU size, system title and keys (mechanisms 5 and 7 and
    ciphering), the outgoing invocation counter, ECDSA private key, challenge source, and
    the bound on data joined from SET datablocks / ACTION pblocks (and GBT blocks), and the
    General Block Transfer window, timer and retries (as for :class:`ClientSettings`)."""

    associations: Mapping[int, AssociationConfig]
    max_receive_pdu_size: int = 0x0400
    dlms_version: int = 6
    keys: SecurityKeys | None = None
    outgoing_counter: OutgoingCounter | None = None
    incoming_counter: IncomingCounterCheck | None = None
    private_key: ec.EllipticCurvePrivateKey | None = None
    challenge_length: int = 16
    random: Callable[[int], bytes] = field(default=secrets.token_bytes)
    max_block_transfer_size: int = 16 * 1024 * 1024
    gbt_window: int = 1
    gbt_timeout: float = 5.0
    gbt_max_retries: int = 3

    def __post_init__(self) -> None:
        _check_gbt(self.gbt_window, self.gbt_timeout, self.gbt_max_retries)
        if not isinstance(self.associations, Mapping):
            raise TypeError("associations must map client SAPs to AssociationConfig")
        for sap, config in self.associations.items():
            if isinstance(sap, bool) or not isinstance(sap, int) or not 0 <= sap <= 0xFFFF:
                raise ValueError(f"client SAP {sap!r} is not an int in 0..65535")
            if not isinstance(config, AssociationConfig):
                raise TypeError(f"association of client SAP {sap} must be an AssociationConfig")
            if (config.mechanism == 5 or config.policy is not None) and (
                self.keys is None or self.outgoing_counter is None
            ):
                raise ValueError(
                    f"client SAP {sap}: mechanism 5 and ciphering need the server's keys and "
                    "outgoing_counter"
                )
            if config.mechanism == 7 and (self.keys is None or self.private_key is None):
                raise ValueError(f"client SAP {sap}: mechanism 7 needs keys and private_key")
        object.__setattr__(self, "associations", MappingProxyType(dict(self.associations)))
        _check_pdu("max_receive_pdu_size", self.max_receive_pdu_size)
        if not CHALLENGE_MIN <= self.challenge_length <= CHALLENGE_MAX:
            raise ValueError(f"challenge_length must be {CHALLENGE_MIN}..{CHALLENGE_MAX}")

    @property
    def system_title(self) -> bytes | None:
        return self.keys.system_title if self.keys is not None else None

    def __repr__(self) -> str:
        return (
            f"ServerSettings(client_saps={sorted(self.associations)}, "
            f"max_receive_pdu_size={self.max_receive_pdu_size})"
        )
