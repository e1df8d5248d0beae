"""The values a session takes (requests) and gives (events), for both roles.

Requests are what the application passes to ``send()``; events come out of
``next_event()`` (or :data:`NEED_DATA` when there is nothing). All are frozen, slotted,
keyword-only dataclasses that validate in their constructor (DESIGN.md rule 4).
Errors the peer reports (Data-Access-Result, ExceptionResponse, ConfirmedServiceError,
association rejections) are values inside events (DESIGN.md rule 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from dlmskit import axdr
from dlmskit.apdu._base import Apdu
from dlmskit.apdu.access import AccessRequestSpecification, AccessResponse
from dlmskit.apdu.acse import AcseServiceProvider, AcseServiceUser, AssociationResult
from dlmskit.apdu.action import ActionResponseWithOptionalData
from dlmskit.apdu.common import (
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    DataAccessResult,
    SelectiveAccessDescriptor,
)
from dlmskit.apdu.errors import ConfirmedServiceError, ExceptionResponse
from dlmskit.apdu.get import CosemAttributeDescriptorWithSelection, GetDataResult
from dlmskit.apdu.initiate import Conformance
from dlmskit.apdu.notification import DataNotification, EventNotificationRequest
from dlmskit.apdu.sn import InformationReportRequest, VariableAccessSpecification
from dlmskit.apdu.sn import ReadResult as SnReadResult
from dlmskit.apdu.sn import WriteResult as SnWriteResult
from dlmskit.errors import RemoteProtocolError
from dlmskit.link._events import NEED_DATA, _NeedData

__all__ = [
    "NEED_DATA",
    "Access",
    "AccessRequested",
    "AccessResult",
    "Action",
    "ActionRequested",
    "ActionResult",
    "ActionWithList",
    "Associate",
    "AssociationAccepted",
    "AssociationEstablished",
    "AssociationRejected",
    "AuthenticationFailed",
    "ClientEvent",
    "ClientRequest",
    "DataNotificationReceived",
    "EventNotificationReceived",
    "ExceptionReceived",
    "Get",
    "GetRequested",
    "GetResult",
    "GetWithList",
    "InformationReportReceived",
    "LateResponse",
    "MethodCall",
    "ProtocolViolation",
    "Read",
    "ReadRequested",
    "ReadResult",
    "Release",
    "Released",
    "RequestTimedOut",
    "ServerEvent",
    "Set",
    "SetRequested",
    "SetResult",
    "SetWithList",
    "Write",
    "WriteRequested",
    "WriteResult",
]


def _check(name: str, value: object, cls: type | tuple[type, ...]) -> None:
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be {cls}, not {type(value).__name__}")


def _tuple(owner: object, name: str, cls: type | tuple[type, ...]) -> None:
    value = getattr(owner, name)
    if not isinstance(value, tuple | list):
        raise TypeError(f"{name} must be a sequence, not {type(value).__name__}")
    items = tuple(value)
    if not items:
        raise ValueError(f"{name} must not be empty")
    for i, item in enumerate(items):
        _check(f"{name}[{i}]", item, cls)
    object.__setattr__(owner, name, items)


# --- requests (client role) --------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Associate:
    """Open the application association (AARQ; then HLS passes 3 and 4 when configured)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Release:
    """Release the association (RLRQ / RLRE, or, with the ``release_by_disconnect`` quirk,
    nothing on the wire: the caller disconnects the link)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Get:
    """GET one attribute (get-request-normal), optionally with selective access.

    ``lazy``: the answer's :class:`~dlmskit.apdu.get.Data` decodes its value only when
    first used (:meth:`~dlmskit.apdu.get.Data.lazy`), for a caller that reads the raw
    bytes itself (a profile parser); a malformed value then raises DecodeError there.
    """

    descriptor: CosemAttributeDescriptor
    selection: SelectiveAccessDescriptor | None = None
    lazy: bool = False

    def __post_init__(self) -> None:
        _check("descriptor", self.descriptor, CosemAttributeDescriptor)
        if self.selection is not None:
            _check("selection", self.selection, SelectiveAccessDescriptor)


@dataclass(frozen=True, slots=True, kw_only=True)
class GetWithList:
    """GET several attributes at once (get-request-with-list)."""

    items: tuple[CosemAttributeDescriptorWithSelection, ...]

    def __post_init__(self) -> None:
        _tuple(self, "items", CosemAttributeDescriptorWithSelection)


@dataclass(frozen=True, slots=True, kw_only=True)
class Set:
    """SET one attribute (set-request-normal); ``confirmed=False`` sends it as an
    unconfirmed service (service-class bit 0: no answer comes, Green Book 9.4.6.1);
    ``broadcast=True`` (unconfirmed only) ciphers it with the global broadcast key."""

    descriptor: CosemAttributeDescriptor
    value: axdr.Value
    selection: SelectiveAccessDescriptor | None = None
    confirmed: bool = True
    broadcast: bool = False

    def __post_init__(self) -> None:
        _check("descriptor", self.descriptor, CosemAttributeDescriptor)
        if self.selection is not None:
            _check("selection", self.selection, SelectiveAccessDescriptor)
        _check_broadcast(self.confirmed, self.broadcast)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetWithList:
    """SET several attributes at once (set-request-with-list); ``values`` pair with
    ``items``."""

    items: tuple[CosemAttributeDescriptorWithSelection, ...]
    values: tuple[axdr.Value, ...]

    def __post_init__(self) -> None:
        _tuple(self, "items", CosemAttributeDescriptorWithSelection)
        if not isinstance(self.values, tuple | list):
            raise TypeError("values must be a sequence")
        object.__setattr__(self, "values", tuple(self.values))
        if len(self.values) != len(self.items):
            raise ValueError(f"{len(self.items)} items but {len(self.values)} values")


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """Invoke one method (action-request-normal); ``parameters`` ``None`` means absent.
    ``confirmed`` and ``broadcast`` as for :class:`Set`."""

    descriptor: CosemMethodDescriptor
    parameters: axdr.Value | None = None
    confirmed: bool = True
    broadcast: bool = False

    def __post_init__(self) -> None:
        _check("descriptor", self.descriptor, CosemMethodDescriptor)
        _check_broadcast(self.confirmed, self.broadcast)


def _check_broadcast(confirmed: bool, broadcast: bool) -> None:
    """The broadcast key is for services nobody answers (many meters receive them)."""
    if broadcast and confirmed:
        raise ValueError("broadcast=True needs confirmed=False (an unconfirmed service)")


@dataclass(frozen=True, slots=True, kw_only=True)
class MethodCall:
    """One method of an :class:`ActionWithList` and its parameters (null-data if none)."""

    descriptor: CosemMethodDescriptor
    parameters: axdr.Value = None  # null-data

    def __post_init__(self) -> None:
        _check("descriptor", self.descriptor, CosemMethodDescriptor)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionWithList:
    """Invoke several methods at once (action-request-with-list)."""

    calls: tuple[MethodCall, ...]

    def __post_init__(self) -> None:
        _tuple(self, "calls", MethodCall)


@dataclass(frozen=True, slots=True, kw_only=True)
class Access:
    """Several GET / SET / ACTION in one ACCESS request (Green Book 9.4.6.12); ``data``
    pairs with ``items`` (null-data for a get)."""

    items: tuple[AccessRequestSpecification, ...]
    data: tuple[axdr.Value, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.items, tuple | list) or not self.items:
            raise ValueError("items must be a non-empty sequence")
        object.__setattr__(self, "items", tuple(self.items))
        if not isinstance(self.data, tuple | list):
            raise TypeError("data must be a sequence")
        object.__setattr__(self, "data", tuple(self.data))
        if len(self.data) != len(self.items):
            raise ValueError(f"{len(self.items)} items but {len(self.data)} data")


@dataclass(frozen=True, slots=True, kw_only=True)
class Read:
    """SN referencing: readRequest for one or more variables (base name + offset)."""

    items: tuple[VariableAccessSpecification, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.items, tuple | list) or not self.items:
            raise ValueError("items must be a non-empty sequence")
        object.__setattr__(self, "items", tuple(self.items))


@dataclass(frozen=True, slots=True, kw_only=True)
class Write:
    """SN referencing: writeRequest (or unconfirmedWriteRequest, ``confirmed=False``)."""

    items: tuple[VariableAccessSpecification, ...]
    data: tuple[axdr.Value, ...]
    confirmed: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.items, tuple | list) or not self.items:
            raise ValueError("items must be a non-empty sequence")
        object.__setattr__(self, "items", tuple(self.items))
        if not isinstance(self.data, tuple | list):
            raise TypeError("data must be a sequence")
        object.__setattr__(self, "data", tuple(self.data))
        if len(self.data) != len(self.items):
            raise ValueError(f"{len(self.items)} items but {len(self.data)} data")


ClientRequest: TypeAlias = (
    Associate
    | Release
    | Get
    | GetWithList
    | Set
    | SetWithList
    | Action
    | ActionWithList
    | Access
    | Read
    | Write
)


# --- events (client role) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AssociationAccepted:
    """The association is open (after pass 4 for HLS). Negotiated values from the
    InitiateResponse; ``server_system_title`` is the responding AP title (if sent)."""

    conformance: Conformance
    server_max_receive_pdu_size: int
    dlms_version: int
    vaa_name: int
    server_system_title: bytes | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AssociationRejected:
    """The AARE rejected the association: ``result``, ``diagnostic`` (the
    result-source-diagnostic) and the ConfirmedServiceError of user-information, if any."""

    result: AssociationResult
    diagnostic: AcseServiceUser | AcseServiceProvider
    service_error: ConfirmedServiceError | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthenticationFailed:
    """HLS pass 3 or 4 failed: the association is not open (client and server)."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GetResult:
    """The answer to a GET: one Get-Data-Result (``Data`` or a ``DataAccessResult``) per
    requested attribute (one for a normal GET)."""

    invoke_id: int
    results: tuple[GetDataResult, ...]

    @property
    def result(self) -> GetDataResult:
        """The only result of a normal GET."""
        return self.results[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class SetResult:
    """The answer to a SET: one Data-Access-Result per attribute."""

    invoke_id: int
    results: tuple[DataAccessResult, ...]

    @property
    def result(self) -> DataAccessResult:
        return self.results[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionResult:
    """The answer to an ACTION: one Action-Response-With-Optional-Data per method."""

    invoke_id: int
    results: tuple[ActionResponseWithOptionalData, ...]

    @property
    def result(self) -> ActionResponseWithOptionalData:
        return self.results[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessResult:
    """The access-response to an ACCESS request (``invoke_id`` is the long invoke id)."""

    invoke_id: int
    response: AccessResponse


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadResult:
    """SN: the readResponse results, one per variable read."""

    results: tuple[SnReadResult, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteResult:
    """SN: the writeResponse results, one per variable written."""

    results: tuple[SnWriteResult, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExceptionReceived:
    """The peer answered with an ExceptionResponse or a ConfirmedServiceError;
    ``invoke_id`` is the request it ended (None when no request was pending)."""

    invoke_id: int | None
    error: ExceptionResponse | ConfirmedServiceError


@dataclass(frozen=True, slots=True, kw_only=True)
class DataNotificationReceived:
    """An unsolicited push (Data-Notification), accepted in any state."""

    notification: DataNotification


@dataclass(frozen=True, slots=True, kw_only=True)
class EventNotificationReceived:
    """An unsolicited event-notification-request (LN), accepted in any state."""

    notification: EventNotificationRequest


@dataclass(frozen=True, slots=True, kw_only=True)
class InformationReportReceived:
    """An unsolicited informationReportRequest (SN), accepted in any state."""

    report: InformationReportRequest


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestTimedOut:
    """No answer to ``invoke_id`` in time; its invoke id is retired until a late answer
    comes (or the ids run out). ``None``: the AARQ or RLRQ was not answered."""

    invoke_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LateResponse:
    """An answer to a request that had already timed out (accepted in any state)."""

    invoke_id: int
    apdu: Apdu


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtocolViolation:
    """The peer sent something the protocol does not allow here; the session stays in a
    defined state (``state`` after the input). ``error`` is the exception value."""

    error: RemoteProtocolError
    invoke_id: int | None = None

    @property
    def reason(self) -> str:
        return str(self.error)


@dataclass(frozen=True, slots=True, kw_only=True)
class Released:
    """The association is closed: ``"rlre"``, ``"disconnect"`` (quirk), ``"link"`` (the
    link went down), ``"timeout"``, ``"peer"`` (server: RLRQ received)."""

    reason: str


ClientEvent: TypeAlias = (
    AssociationAccepted
    | AssociationRejected
    | AuthenticationFailed
    | GetResult
    | SetResult
    | ActionResult
    | AccessResult
    | ReadResult
    | WriteResult
    | ExceptionReceived
    | DataNotificationReceived
    | EventNotificationReceived
    | InformationReportReceived
    | RequestTimedOut
    | LateResponse
    | ProtocolViolation
    | Released
)


# --- events (server role) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AssociationEstablished:
    """Server: an association is open (after HLS pass 3 was verified, for 2-7)."""

    client_sap: int
    conformance: Conformance
    client_max_receive_pdu_size: int
    mechanism: int
    client_system_title: bytes | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GetRequested:
    """Server: a GET to answer (``request`` is the get-request APDU; answer it with a
    get-response APDU of the same invoke-id-and-priority through ``send``)."""

    invoke_id: int
    request: Apdu


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRequested:
    """Server: a SET to answer with a set-response APDU."""

    invoke_id: int
    request: Apdu


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionRequested:
    """Server: an ACTION to answer with an action-response APDU."""

    invoke_id: int
    request: Apdu


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRequested:
    """Server: an ACCESS request to answer with an access-response of the same long
    invoke id."""

    invoke_id: int
    request: Apdu


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadRequested:
    """Server, SN: a readRequest to answer with a readResponse (answers go in order)."""

    request: Apdu


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteRequested:
    """Server, SN: a writeRequest (answer with a writeResponse) or an
    unconfirmedWriteRequest (no answer)."""

    request: Apdu


ServerEvent: TypeAlias = (
    AssociationEstablished
    | AssociationRejected
    | AuthenticationFailed
    | GetRequested
    | SetRequested
    | ActionRequested
    | AccessRequested
    | ReadRequested
    | WriteRequested
    | ProtocolViolation
    | Released
)

NeedData: TypeAlias = _NeedData
