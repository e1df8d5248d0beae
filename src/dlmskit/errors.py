"""The exception hierarchy of dlmskit.

Every error the library raises on purpose derives from :class:`DlmsError`::

    DlmsError
    ├── DecodeError          (also a ValueError) bytes that are not what the standard says
    ├── EncodeError          (also a ValueError) a value that cannot be put on the wire
    ├── ProtocolError
    │   ├── LocalProtocolError    we misused a state machine (a bug in the caller)
    │   └── RemoteProtocolError   the peer broke the protocol
    ├── SecurityError        authentication or decryption failed, or a policy was violated
    └── DlmsTimeoutError     the peer did not answer in time

Messages never contain keys, passwords or the plaintext of ciphered APDUs
(DESIGN.md rule 10).
"""

from __future__ import annotations

__all__ = [
    "AccessError",
    "AssociationError",
    "ClientError",
    "ConnectionLostError",
    "DecodeError",
    "DlmsError",
    "DlmsTimeoutError",
    "EncodeError",
    "LocalProtocolError",
    "NoAnswerError",
    "ProtocolError",
    "RemoteProtocolError",
    "SecurityError",
]


class DlmsError(Exception):
    """Base class of every error dlmskit raises on purpose."""


class DecodeError(DlmsError, ValueError):
    """Bytes that cannot be decoded.

    ``offset`` is the position in the decoded buffer where the problem was found
    (``None`` when it is not about a position); the message names what was expected.
    """

    def __init__(self, message: str, offset: int | None = None) -> None:
        self.reason = message
        self.offset = offset
        super().__init__(message if offset is None else f"at offset {offset}: {message}")

    def __reduce__(self) -> tuple[type[DecodeError], tuple[str, int | None]]:
        return (type(self), (self.reason, self.offset))


class EncodeError(DlmsError, ValueError):
    """A value that cannot be encoded (out of range, wrong type, too long)."""


class ProtocolError(DlmsError):
    """A protocol rule was broken, by us (local) or by the peer (remote)."""


class LocalProtocolError(ProtocolError):
    """This side tried something the state machine does not allow."""


class RemoteProtocolError(ProtocolError):
    """The peer sent something that the standard does not allow here."""


class SecurityError(DlmsError):
    """Authentication, decryption or a security policy check failed."""


class DlmsTimeoutError(DlmsError, TimeoutError):
    """The peer did not answer within the configured time."""


class ClientError(DlmsError):
    """A client operation failed: ``step`` (connect, associate, get, set, action,
    release, ...), ``target`` (the object, as OBIS / attribute) and ``answer`` (what the
    meter answered, or None) say what and where; the message adds what to check."""

    def __init__(
        self, message: str, *, step: str = "", target: str = "", answer: object = None
    ) -> None:
        self.step = step
        self.target = target
        self.answer = answer
        where = " ".join(part for part in (step, target) if part)
        super().__init__(f"{where}: {message}" if where else message)


class NoAnswerError(ClientError, TimeoutError):
    """The meter did not answer in time (check the address, the line, the timeout)."""


class AssociationError(ClientError):
    """The meter refused the association or the authentication (check the client address
    and the secret or keys)."""


class AccessError(ClientError):
    """The meter answered a request with an error (a data-access-result, an action-result,
    an ExceptionResponse or ConfirmedServiceError)."""


class ConnectionLostError(ClientError, ConnectionError):
    """The connection or the link dropped; no partial result is returned."""
