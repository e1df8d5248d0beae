"""The client role of the application session, sans-io (Green Book 9.4: ACSE and xDLMS).

::

    application ── send(Associate / Get / Set / Action / Release, now) ──▶ ClientSession
                ◀── next_event(): AssociationAccepted, GetResult, ... / NEED_DATA
    link        ── receive_apdu(bytes, now) ──▶      data_to_send() ──▶ [APDU bytes]

    IDLE ─Associate─▶ ASSOCIATING ─AARE accepted (0, 1)─────────────▶ ASSOCIATED
                                   ─AARE accepted (2..7): pass 3 ─▶ AUTHENTICATING
                                   ─AARE rejected───────────────────▶ IDLE
    AUTHENTICATING ─pass 4 verified─▶ ASSOCIATED      (failed: AuthenticationFailed, IDLE)
    ASSOCIATED ─Release─▶ RELEASING ─RLRE─▶ IDLE      (quirk: Release → IDLE at once)

Transitions live in one table, ``_TRANSITIONS``: (state, input) → (handler, next state).
A local call whose pair is missing raises :class:`~dlmskit.errors.LocalProtocolError`;
every peer input has an entry in every state (a :class:`ProtocolViolation` event where the
peer broke the protocol; the state stays defined). Unsolicited Data-Notifications and
answers to timed-out requests (:class:`LateResponse`) are accepted in any state.

Long transfers: a GET answer in datablocks, a SET / ACTION request longer than the
server's max PDU (with-list too) and an ACTION answer in pblocks run through the
session/blocks.py engines (Green Book 9.4.6.7-9.4.6.9); when both sides negotiated General
Block Transfer, any APDU longer than the peer's max PDU travels in GBT blocks instead
(session/gbt.py under :class:`~dlmskit.session._common.GbtLayer`, Green Book 9.4.6.13).

Ciphering is a step of the session (DESIGN.md): the InitiateRequest in the AARQ is sent
in a glo-initiate-request when a policy is set (only the user-information of ACSE is
ciphered), every xDLMS APDU is protected through :class:`SecurityContext` (the HLS pass 3
ACTION consumes a counter like any request), and every ciphered APDU received is
unprotected (policy, counter and tag checked) before it is interpreted.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum, auto
from typing import Final

from dlmskit import axdr
from dlmskit.apdu import action, get, sn
from dlmskit.apdu import set as set_
from dlmskit.apdu._base import DEFAULT_MAX_APDU_SIZE, Apdu, decode
from dlmskit.apdu.access import AccessRequest, AccessResponse
from dlmskit.apdu.acse import (
    AARE,
    AARQ,
    ACSE_REQUIREMENTS_AUTHENTICATION,
    RLRE,
    RLRQ,
    AcseServiceUser,
    AssociationResult,
    AuthenticationValue,
    MechanismName,
)
from dlmskit.apdu.common import InvokeIdAndPriority, LongInvokeIdAndPriority
from dlmskit.apdu.errors import ConfirmedServiceError, ExceptionResponse
from dlmskit.apdu.gbt import GeneralBlockTransfer
from dlmskit.apdu.initiate import Conformance, InitiateRequest, InitiateResponse
from dlmskit.apdu.notification import DataNotification, EventNotificationRequest
from dlmskit.errors import DecodeError, DlmsError, LocalProtocolError, RemoteProtocolError
from dlmskit.security.context import SecurityContext
from dlmskit.security.counters import IncomingCounterCheck
from dlmskit.security.mechanisms import HlsContext, MechanismId, Role, new_challenge
from dlmskit.session import _common
from dlmskit.session._events import (
    NEED_DATA,
    Access,
    AccessResult,
    Action,
    ActionResult,
    ActionWithList,
    Associate,
    AssociationAccepted,
    AssociationRejected,
    AuthenticationFailed,
    ClientEvent,
    ClientRequest,
    DataNotificationReceived,
    EventNotificationReceived,
    ExceptionReceived,
    Get,
    GetResult,
    GetWithList,
    InformationReportReceived,
    LateResponse,
    NeedData,
    ProtocolViolation,
    Read,
    ReadResult,
    Release,
    Released,
    RequestTimedOut,
    Set,
    SetResult,
    SetWithList,
    Write,
    WriteResult,
)
from dlmskit.session.blocks import (
    ActionResponseReassembler,
    BlockRequestSplitter,
    GetBlockReassembler,
)
from dlmskit.session.settings import ClientSettings

__all__ = ["ClientInput", "ClientSession", "ClientState"]

_log = logging.getLogger("dlmskit.session")

# Invoke ids in the order they are handed out: 1..15 then 0 (0 is valid but some meters
# mishandle it, so it comes last).
_INVOKE_IDS: Final[tuple[int, ...]] = (*range(1, 16), 0)
# An AARE without user-information (quirk): the server's max PDU is then unknown; 128 is
# the smallest any DLMS device supports in practice (the HDLC default information field).
_QUIRK_SERVER_PDU: Final = 128

# What a meter sends unsolicited; inside a ciphered association they must be ciphered too
# (the policy covers every xDLMS APDU) unless ``accept_plain_notifications`` says otherwise.
_NOTIFICATIONS: Final = (DataNotification, EventNotificationRequest, sn.InformationReportRequest)
_MISSING: Final = object()


class ClientState(Enum):
    """The client association states (Green Book 9.4.4: ASSOCIATION PENDING is split in
    the AARQ wait and the HLS pass 3/4 wait)."""

    IDLE = auto()
    ASSOCIATING = auto()
    AUTHENTICATING = auto()
    ASSOCIATED = auto()
    RELEASING = auto()


class ClientInput(Enum):
    """Local calls, the timer, and the classes of APDU the peer can send."""

    # local
    ASSOCIATE = auto()
    REQUEST = auto()
    RELEASE = auto()
    LINK_DOWN = auto()
    TIMEOUT = auto()
    # from the peer
    AARE = auto()
    RLRE = auto()
    RESPONSE = auto()  # get / set / action response
    EXCEPTION = auto()  # ExceptionResponse or ConfirmedServiceError
    NOTIFICATION = auto()  # data-notification, event-notification
    UNEXPECTED = auto()  # an APDU a client never receives (a request, AARQ, RLRQ, ...)
    INVALID = auto()  # undecodable, or failing its security check


LOCAL_INPUTS: Final = frozenset(
    {
        ClientInput.ASSOCIATE,
        ClientInput.REQUEST,
        ClientInput.RELEASE,
        ClientInput.LINK_DOWN,
        ClientInput.TIMEOUT,
    }
)
PEER_INPUTS: Final = tuple(i for i in ClientInput if i not in LOCAL_INPUTS)


class _Kind(Enum):
    READ = auto()  # SN
    WRITE = auto()  # SN
    GET = auto()
    GET_LIST = auto()
    SET = auto()
    SET_LIST = auto()
    ACTION = auto()
    ACTION_LIST = auto()
    HLS = auto()  # pass 3


@dataclass(slots=True)
class _Pending:
    kind: _Kind
    iip: InvokeIdAndPriority
    count: int
    deadline: float | None
    get_blocks: GetBlockReassembler | None = None  # a GET answer in datablocks
    splitter: BlockRequestSplitter | None = None  # a SET / ACTION request in blocks
    pblocks: ActionResponseReassembler | None = None  # an ACTION answer in pblocks
    lazy: bool = False  # Get(lazy=True): the answer's value is decoded on first use


@dataclass(frozen=True, slots=True)
class _Stimulus:
    apdu: Apdu | None = None
    request: ClientRequest | None = None
    now: float = 0.0
    error: str = ""


def _classify(apdu: Apdu) -> ClientInput:
    if isinstance(apdu, AARE):
        return ClientInput.AARE
    if isinstance(apdu, RLRE):
        return ClientInput.RLRE
    if isinstance(
        apdu,
        _common.GET_RESPONSES
        + _common.SET_RESPONSES
        + _common.ACTION_RESPONSES
        + (AccessResponse, sn.ReadResponse, sn.WriteResponse),
    ):
        return ClientInput.RESPONSE
    if isinstance(apdu, ExceptionResponse | ConfirmedServiceError):
        return ClientInput.EXCEPTION
    if isinstance(apdu, DataNotification | EventNotificationRequest | sn.InformationReportRequest):
        return ClientInput.NOTIFICATION
    return ClientInput.UNEXPECTED


class ClientSession:
    """One client association (any number over the object's life, one at a time).

    ``receive_apdu(data, now)`` takes the bytes of one APDU from the link;
    ``send(request, now)`` takes a request (returning the invoke id of GET/SET/ACTION);
    ``data_to_send()`` returns the APDUs to hand to the link, in order;
    ``next_event()`` returns the next event or :data:`NEED_DATA`;
    ``next_timeout()`` / ``handle_timeout(now)`` run the request timers;
    ``connection_lost(now)`` tells the session the link went down.
    """

    def __init__(self, settings: ClientSettings) -> None:
        if not isinstance(settings, ClientSettings):
            raise TypeError(f"settings must be ClientSettings, not {type(settings).__name__}")
        self.settings: Final = settings
        self._state = ClientState.IDLE
        self._events: deque[ClientEvent] = deque()
        self._out: list[bytes] = []
        self._pending: dict[int, _Pending] = {}
        self._retired: deque[int] = deque()
        self._deadline: float | None = None  # AARQ or RLRQ answer due
        self._security: SecurityContext | None = None
        self._incoming = settings.incoming_counter or IncomingCounterCheck()
        self._challenge = b""
        self._hls: HlsContext | None = None
        self._accepted: AssociationAccepted | None = None
        self._initiate: InitiateRequest | None = None
        self._last_invoke_id: int | None = None
        self._access: dict[int, float | None] = {}  # long invoke id → deadline
        self._next_access_id = 1
        self._sn: deque[tuple[_Kind, int, float | None]] = deque()  # SN requests in order
        self._now = 0.0
        self._gbt = _common.GbtLayer(
            window=settings.gbt_window,
            timeout=settings.gbt_timeout,
            max_size=settings.max_block_transfer_size,
            max_retries=settings.gbt_max_retries,
            final_ack=True,
        )
        self.server_max_receive_pdu_size = 0
        self.negotiated_conformance = settings.conformance
        if settings.pre_established:
            # Green Book 9.4.2.2.1: a pre-established association exists without AARQ;
            # its context (conformance, PDU sizes) is agreed beforehand.
            self._state = ClientState.ASSOCIATED
            self.server_max_receive_pdu_size = settings.pre_established_server_pdu_size

    # --- public API -------------------------------------------------------------------

    @property
    def state(self) -> ClientState:
        return self._state

    @property
    def pending_invoke_ids(self) -> tuple[int, ...]:
        return tuple(self._pending)

    def send(self, request: ClientRequest, now: float) -> int | None:
        """Start ``request``; returns its invoke id (GET / SET / ACTION) or ``None``."""
        if isinstance(request, Associate):
            what = ClientInput.ASSOCIATE
        elif isinstance(request, Release):
            what = ClientInput.RELEASE
        elif isinstance(
            request,
            Get | GetWithList | Set | SetWithList | Action | ActionWithList | Access | Read | Write,
        ):
            what = ClientInput.REQUEST
        else:
            raise TypeError(f"not a client request: {type(request).__name__}")
        self._last_invoke_id = None
        self._dispatch(what, _Stimulus(request=request, now=now))
        return self._last_invoke_id

    def receive_apdu(self, data: bytes | bytearray | memoryview, now: float) -> None:
        """Interpret one APDU received from the link."""
        self._now = now
        try:
            apdu = self._decode(data)
        except DecodeError as exc:
            self._dispatch(ClientInput.INVALID, _Stimulus(now=now, error=str(exc)))
            return
        if isinstance(apdu, GeneralBlockTransfer):
            self._receive_block(apdu, now)
            return
        self._out += self._gbt.peer_answered(now)
        if isinstance(apdu, _common.CIPHERED_TYPES):
            if self._security is None:
                self._dispatch(
                    ClientInput.INVALID,
                    _Stimulus(now=now, error=f"{apdu.NAME} but no ciphering was negotiated"),
                )
                return
            try:
                apdu = self._decode(self._security.unprotect(apdu))
            except DlmsError as exc:
                self._dispatch(ClientInput.INVALID, _Stimulus(now=now, error=str(exc)))
                return
        elif (
            self._security is not None
            and self._state is not ClientState.ASSOCIATING
            and not isinstance(apdu, AARE | RLRE | ExceptionResponse)
            and not (self.settings.accept_plain_notifications and isinstance(apdu, _NOTIFICATIONS))
        ):
            # The policy says every xDLMS APDU is protected; a plain one is a downgrade.
            self._dispatch(
                ClientInput.INVALID,
                _Stimulus(now=now, error=f"{apdu.NAME} not ciphered, the policy requires it"),
            )
            return
        self._dispatch(_classify(apdu), _Stimulus(apdu=apdu, now=now))

    def _decode(self, data: bytes | bytearray | memoryview) -> Apdu:
        """Decode a received APDU; the answer to a ``Get(lazy=True)`` in one
        get-response-normal keeps its data undecoded (:meth:`get.Data.lazy`)."""
        if (
            len(data) > 4
            and data[0] == get.GET_RESPONSE
            and data[1] == 1  # get-response-normal
            and data[3] == 0  # result: data
            and len(data) <= DEFAULT_MAX_APDU_SIZE
        ):
            pending = self._pending.get(data[2] & 0x0F)
            if pending is not None and pending.lazy:
                return get.lazy_get_response_normal(bytes(data))
        return decode(data)

    def connection_lost(self, now: float) -> None:
        """The link below went down: the association (if any) is gone."""
        self._dispatch(ClientInput.LINK_DOWN, _Stimulus(now=now))

    def next_event(self) -> ClientEvent | NeedData:
        return self._events.popleft() if self._events else NEED_DATA

    def data_to_send(self) -> list[bytes]:
        out, self._out = self._out, []
        return out

    def next_timeout(self) -> float | None:
        deadlines = [p.deadline for p in self._pending.values() if p.deadline is not None]
        deadlines += [d for d in self._access.values() if d is not None]
        deadlines += [d for _, _, d in self._sn if d is not None]
        if self._deadline is not None:
            deadlines.append(self._deadline)
        gbt = self._gbt.next_timeout()
        if gbt is not None:
            deadlines.append(gbt)
        return min(deadlines) if deadlines else None

    def handle_timeout(self, now: float) -> None:
        self._now = now
        self._out += self._gbt.handle_timeout(now)
        deadline = self.next_timeout()
        gbt = self._gbt.next_timeout()
        if deadline is not None and now >= deadline and (gbt is None or deadline < gbt):
            self._dispatch(ClientInput.TIMEOUT, _Stimulus(now=now))

    # --- the machine ------------------------------------------------------------------

    def _dispatch(self, what: ClientInput, stimulus: _Stimulus) -> None:
        self._now = stimulus.now
        entry = _TRANSITIONS.get((self._state, what))
        if entry is None:
            # Only local inputs can be missing: every peer input has an entry.
            raise LocalProtocolError(
                f"{what.name.lower()} is not allowed in state {self._state.name}"
            )
        handler, next_state = entry
        override = handler(self, stimulus)
        self._state = override if override is not None else next_state

    def _violation(self, reason: str, invoke_id: int | None = None) -> None:
        _log.debug("protocol violation: %s", reason)
        self._events.append(
            ProtocolViolation(error=RemoteProtocolError(reason), invoke_id=invoke_id)
        )

    def _emit(self, apdu: Apdu, *, broadcast: bool = False) -> None:
        data = apdu.to_bytes()
        if broadcast and self._security is None:
            raise LocalProtocolError("broadcast=True needs a ciphered association")
        if self._security is not None and not isinstance(apdu, AARQ | RLRQ):
            data = self._security.protect(data, broadcast=broadcast).to_bytes()
        if self._gbt_on() and not isinstance(apdu, AARQ | RLRQ):
            # GBT carries the protected APDU (Green Book 9.4.6.13).
            self._out += self._gbt.send(data, self.server_max_receive_pdu_size, self._now)
        else:
            self._out.append(data)

    def _gbt_on(self) -> bool:
        return self._state in (
            ClientState.AUTHENTICATING,
            ClientState.ASSOCIATED,
            ClientState.RELEASING,
        ) and bool(self.negotiated_conformance & Conformance.GENERAL_BLOCK_TRANSFER)

    def _receive_block(self, block: GeneralBlockTransfer, now: float) -> None:
        if not self._gbt_on():
            self._dispatch(
                ClientInput.INVALID,
                _Stimulus(now=now, error="general-block-transfer was not negotiated"),
            )
            return
        try:
            out, joined = self._gbt.receive(block, now)
        except RemoteProtocolError as exc:
            self._dispatch(ClientInput.INVALID, _Stimulus(now=now, error=str(exc)))
            return
        self._out += out
        # A transfer that progresses keeps its request alive: the request timer measures
        # silence, not the length of a long GBT transfer.
        for pending in self._pending.values():
            if pending.deadline is not None:
                pending.deadline = self._timeout_at(now)
        if joined is not None:
            if joined[:1] == bytes((GeneralBlockTransfer.TAG,)):
                self._dispatch(
                    ClientInput.INVALID, _Stimulus(now=now, error="GBT blocks inside GBT blocks")
                )
                return
            self.receive_apdu(joined, now)

    def _timeout_at(self, now: float) -> float | None:
        timeout = self.settings.request_timeout
        return None if timeout is None else now + timeout

    def _reset(self) -> None:
        self._gbt.reset()
        self._access.clear()
        self._sn.clear()
        for invoke_id in self._pending:
            self._retire(invoke_id)
        self._pending.clear()
        self._deadline = None
        self._hls = None
        self._accepted = None

    def _retire(self, invoke_id: int) -> None:
        if invoke_id not in self._retired:
            self._retired.append(invoke_id)

    def _allocate(self) -> int:
        for invoke_id in _INVOKE_IDS:
            if invoke_id not in self._pending and invoke_id not in self._retired:
                return invoke_id
        if self._retired:
            oldest: int = self._retired.popleft()
            return oldest  # the oldest timed-out id is reused
        raise LocalProtocolError("16 requests are pending: no invoke id is free")

    def _new_pending(self, kind: _Kind, count: int, now: float) -> _Pending:
        invoke_id = self._allocate()
        iip = InvokeIdAndPriority.of(invoke_id, high_priority=self.settings.high_priority)
        pending = _Pending(kind=kind, iip=iip, count=count, deadline=self._timeout_at(now))
        self._pending[invoke_id] = pending
        return pending

    # --- handlers: association --------------------------------------------------------

    def _associate(self, stimulus: _Stimulus) -> ClientState | None:
        settings = self.settings
        self._reset()
        self._security = None
        mechanism = settings.mechanism
        initiate = InitiateRequest(
            dedicated_key=None,
            proposed_dlms_version_number=settings.dlms_version,
            proposed_conformance=settings.conformance,
            client_max_receive_pdu_size=settings.max_receive_pdu_size,
        )
        user_information: Apdu = initiate
        if settings.policy is not None:
            assert settings.keys is not None and settings.outgoing_counter is not None
            keys = settings.keys
            if settings.use_dedicated_key:
                # a fresh dedicated key of the suite's key length
                dedicated = settings.dedicated_key or settings.random(
                    len(keys.global_unicast_key or b"")
                )
                keys = keys.with_dedicated_key(dedicated)
                initiate = replace(initiate, dedicated_key=axdr.OctetString(dedicated))
            self._security = SecurityContext(
                keys, settings.outgoing_counter, settings.policy, self._incoming
            )
            user_information = _common.protect_initiate(self._security, initiate.to_bytes())
        self._initiate = initiate
        authentication: AuthenticationValue | None = None
        if mechanism == MechanismId.LOW:
            assert settings.secret is not None
            authentication = AuthenticationValue.charstring(settings.secret)
        elif mechanism >= MechanismId.HIGH:
            self._challenge = new_challenge(settings.challenge_length, random=settings.random)
            authentication = AuthenticationValue.charstring(self._challenge)
        context = settings.referencing.context(ciphered=settings.policy is not None)
        aarq = AARQ(
            application_context_name=context.oid,
            calling_ap_title=settings.system_title
            if (
                settings.calling_ap_title is not None
                or settings.policy is not None
                or mechanism >= MechanismId.HIGH_GMAC
            )
            else None,
            sender_acse_requirements=ACSE_REQUIREMENTS_AUTHENTICATION if mechanism else None,
            mechanism_name=MechanismName(int(mechanism)).oid if mechanism else None,
            calling_authentication_value=authentication,
            user_information=user_information,
        )
        self._out.append(aarq.to_bytes())
        self._deadline = self._timeout_at(stimulus.now)
        return None

    def _aare(self, stimulus: _Stimulus) -> ClientState | None:
        aare = stimulus.apdu
        assert isinstance(aare, AARE)
        self._deadline = None
        settings = self.settings
        if aare.result != AssociationResult.ACCEPTED:
            error = aare.user_information
            if isinstance(error, _common.CIPHERED_TYPES) and self._security is not None:
                try:
                    self._with_peer_title(aare)
                    error = decode(self._security.unprotect(error))
                except DlmsError:
                    error = None
            self._events.append(
                AssociationRejected(
                    result=aare.result,
                    diagnostic=aare.result_source_diagnostic,
                    service_error=error if isinstance(error, ConfirmedServiceError) else None,
                )
            )
            self._security = None
            return ClientState.IDLE
        try:
            accepted = self._interpret_aare(aare)
        except DlmsError as exc:
            self._violation(f"AARE not acceptable: {exc}")
            self._security = None
            return ClientState.IDLE
        self._accepted = accepted
        self.server_max_receive_pdu_size = accepted.server_max_receive_pdu_size
        self.negotiated_conformance = accepted.conformance
        if settings.mechanism < MechanismId.HIGH:
            self._events.append(accepted)
            return ClientState.ASSOCIATED
        return self._pass3(aare, stimulus.now)

    def _with_peer_title(self, aare: AARE) -> None:
        assert self._security is not None
        title = aare.responding_ap_title
        if title is not None and len(title) == 8:
            self._security.keys = replace(self._security.keys, peer_system_title=bytes(title))

    def _interpret_aare(self, aare: AARE) -> AssociationAccepted:
        settings = self.settings
        context = settings.referencing.context(ciphered=settings.policy is not None)
        if aare.application_context_name != context.oid:
            raise RemoteProtocolError(
                f"application context {aare.application_context_name}, proposed {context.oid}"
            )
        info = aare.user_information
        if isinstance(info, _common.CIPHERED_TYPES):
            if self._security is None:
                raise RemoteProtocolError("ciphered user-information, no ciphering proposed")
            self._with_peer_title(aare)
            info = decode(self._security.unprotect(info))
        elif self._security is not None and info is not None:
            raise RemoteProtocolError("user-information not ciphered, the policy requires it")
        title = bytes(aare.responding_ap_title) if aare.responding_ap_title else None
        if info is None:
            if not settings.accept_aare_without_user_information:
                raise RemoteProtocolError("AARE without user-information (InitiateResponse)")
            return AssociationAccepted(
                conformance=settings.conformance,
                server_max_receive_pdu_size=_QUIRK_SERVER_PDU,
                dlms_version=settings.dlms_version,
                vaa_name=0,
                server_system_title=title,
            )
        if not isinstance(info, InitiateResponse):
            raise RemoteProtocolError(
                f"user-information holds {getattr(info, 'NAME', 'raw bytes')}, "
                "not an InitiateResponse"
            )
        if info.negotiated_conformance & ~settings.conformance & 0xFFFFFF:
            # Green Book 9.4.6.1: the negotiated block is a subset of the proposed one.
            _log.debug("server negotiated conformance bits that were not proposed")
        return AssociationAccepted(
            conformance=info.negotiated_conformance,
            server_max_receive_pdu_size=info.server_max_receive_pdu_size,
            dlms_version=info.negotiated_dlms_version_number,
            vaa_name=info.vaa_name,
            server_system_title=title,
        )

    def _pass3(self, aare: AARE, now: float) -> ClientState | None:
        settings = self.settings
        mechanism = settings.mechanism
        if aare.mechanism_name not in (None, MechanismName(int(mechanism)).oid):
            self._violation(f"AARE names mechanism {aare.mechanism_name}")
            return ClientState.IDLE
        if aare.result_source_diagnostic != AcseServiceUser.AUTHENTICATION_REQUIRED:
            _log.debug("AARE for HLS without the authentication-required diagnostic")
        value = aare.responding_authentication_value
        if value is None:
            self._violation("AARE for HLS without the StoC challenge")
            return ClientState.IDLE
        keys = settings.keys
        try:
            invocation_counter = 0
            if mechanism == MechanismId.HIGH_GMAC:
                assert settings.outgoing_counter is not None
                invocation_counter = settings.outgoing_counter.next()
            self._hls = HlsContext(
                mechanism=mechanism,
                role=Role.CLIENT,
                own_challenge=self._challenge,
                peer_challenge=value.value,
                secret=settings.secret,
                own_system_title=settings.system_title,
                peer_system_title=bytes(aare.responding_ap_title)
                if aare.responding_ap_title
                else None,
                suite=keys.suite if keys is not None else 0,
                invocation_counter=invocation_counter,
                encryption_key=keys.global_unicast_key if keys is not None else None,
                authentication_key=keys.authentication_key if keys is not None else None,
                private_key=settings.private_key,
                peer_public_key=settings.server_public_key,
                hls2=settings.hls2,
            )
            response = self._hls.client_response()
        except DlmsError as exc:
            self._violation(f"HLS pass 3 impossible: {exc}")
            return ClientState.IDLE
        pending = self._new_pending(_Kind.HLS, 1, now)
        self._emit(
            action.ActionRequestNormal(
                invoke_id_and_priority=pending.iip,
                cosem_method_descriptor=_common.REPLY_TO_HLS_AUTHENTICATION,
                method_invocation_parameters=get.Data(axdr.OctetString(response)),
            )
        )
        return ClientState.AUTHENTICATING

    def _pass4(self, pending: _Pending, apdu: Apdu) -> ClientState | None:
        reason = ""
        if not isinstance(apdu, action.ActionResponseNormal):
            reason = f"pass 4 answered with {apdu.NAME}"
        else:
            single = apdu.single_response
            returned = single.return_parameters
            if single.result != 0:
                reason = f"pass 3 refused: {single.result.dlms_name}"
            elif not (
                isinstance(returned, get.Data) and isinstance(returned.value, axdr.OctetString)
            ):
                reason = "pass 4 without f(CtoS)"
            else:
                assert self._hls is not None
                try:
                    self._hls.verify_server(bytes(returned.value))
                except DlmsError as exc:
                    reason = str(exc)
        self._hls = None
        if reason:
            self._events.append(AuthenticationFailed(reason=reason))
            self._security = None
            return ClientState.IDLE
        assert self._accepted is not None
        self._events.append(self._accepted)
        return ClientState.ASSOCIATED

    def _association_exception(self, stimulus: _Stimulus) -> ClientState | None:
        assert isinstance(stimulus.apdu, ExceptionResponse | ConfirmedServiceError)
        self._deadline = None
        self._events.append(ExceptionReceived(invoke_id=None, error=stimulus.apdu))
        self._security = None
        return ClientState.IDLE

    def _association_invalid(self, stimulus: _Stimulus) -> ClientState | None:
        self._deadline = None
        self._violation(stimulus.error or f"unexpected {getattr(stimulus.apdu, 'NAME', '')}")
        self._security = None
        return ClientState.IDLE

    def _release(self, stimulus: _Stimulus) -> ClientState | None:
        settings = self.settings
        if settings.pre_established:
            raise LocalProtocolError("a pre-established association cannot be released")
        if settings.release_by_disconnect:
            self._reset()
            self._security = None
            self._events.append(Released(reason="disconnect"))
            return ClientState.IDLE
        user_information: Apdu | None = None
        if self._security is not None:
            # Green Book 9.4.4.2: with ciphering, the RLRQ carries the ciphered
            # InitiateRequest so that the server can authenticate the release.
            # InitiateRequest of the AARQ, dedicated key included (as SEC-04 shows).
            assert self._initiate is not None
            user_information = _common.protect_initiate(self._security, self._initiate.to_bytes())
        self._out.append(
            RLRQ(reason=settings.release_reason, user_information=user_information).to_bytes()
        )
        self._deadline = self._timeout_at(stimulus.now)
        return None

    def _rlre(self, stimulus: _Stimulus) -> ClientState | None:
        rlre = stimulus.apdu
        assert isinstance(rlre, RLRE)
        if isinstance(rlre.user_information, _common.CIPHERED_TYPES):
            assert self._security is not None
            try:
                self._security.unprotect(rlre.user_information)
            except DlmsError as exc:
                self._violation(f"RLRE user-information: {exc}")
        self._reset()
        self._security = None
        self._events.append(Released(reason="rlre"))
        return None

    def _link_down(self, stimulus: _Stimulus) -> ClientState | None:
        was = self._state
        self._reset()
        self._security = None
        if self.settings.pre_established:
            # It outlives the link (Green Book 9.4.2.2.1); only the pending requests go.
            return ClientState.ASSOCIATED
        if was is not ClientState.IDLE:
            self._events.append(Released(reason="link"))
        return None

    # --- handlers: services -----------------------------------------------------------

    def _require(self, *bits: Conformance) -> None:
        for bit in bits:
            if not self.negotiated_conformance & bit:
                raise LocalProtocolError(f"{bit.name} was not negotiated for this association")

    def _other_request(self, request: ClientRequest, now: float) -> None:
        """ACCESS and the SN services: their own invoke ids (long ones) or none."""
        c = Conformance
        if isinstance(request, Access):
            self._require(c.ACCESS)
            long_id = self._next_access_id
            self._next_access_id = (long_id % 0xFFFFFF) + 1
            apdu: Apdu = AccessRequest(
                long_invoke_id_and_priority=LongInvokeIdAndPriority.of(
                    long_id, confirmed=True, high_priority=self.settings.high_priority
                ),
                access_request_specification=request.items,
                access_request_list_of_data=request.data,
            )
            self._emit(apdu)
            self._access[long_id] = self._timeout_at(now)
            self._last_invoke_id = long_id
        elif isinstance(request, Read):
            self._require(c.READ)
            self._emit(sn.ReadRequest(variable_access_specification=request.items))
            self._sn.append((_Kind.READ, len(request.items), self._timeout_at(now)))
        else:
            assert isinstance(request, Write)
            if not request.confirmed:
                self._require(c.UNCONFIRMED_WRITE)
                self._emit(
                    sn.UnconfirmedWriteRequest(
                        variable_access_specification=request.items, list_of_data=request.data
                    )
                )
                return
            self._require(c.WRITE)
            self._emit(
                sn.WriteRequest(
                    variable_access_specification=request.items, list_of_data=request.data
                )
            )
            self._sn.append((_Kind.WRITE, len(request.items), self._timeout_at(now)))

    def _request(self, stimulus: _Stimulus) -> ClientState | None:
        request = stimulus.request
        now = stimulus.now
        c = Conformance
        if isinstance(request, Access | Read | Write):
            self._other_request(request, now)
            return None
        if isinstance(request, Get | GetWithList):
            self._require(c.GET)
        elif isinstance(request, Set | SetWithList):
            self._require(c.SET)
        elif isinstance(request, Action | ActionWithList):
            self._require(c.ACTION)
        if isinstance(request, GetWithList | SetWithList | ActionWithList):
            self._require(c.MULTIPLE_REFERENCES)
        if isinstance(request, Get | Set) and request.selection is not None:
            self._require(c.SELECTIVE_ACCESS)
        apdu: Apdu
        if isinstance(request, Get):
            pending = self._new_pending(_Kind.GET, 1, now)
            pending.lazy = request.lazy
            apdu = get.GetRequestNormal(
                invoke_id_and_priority=pending.iip,
                cosem_attribute_descriptor=request.descriptor,
                access_selection=request.selection,
            )
        elif isinstance(request, GetWithList):
            pending = self._new_pending(_Kind.GET_LIST, len(request.items), now)
            apdu = get.GetRequestWithList(
                invoke_id_and_priority=pending.iip, attribute_descriptor_list=request.items
            )
        elif isinstance(request, Set):
            pending = self._new_pending(_Kind.SET, 1, now)
            apdu = set_.SetRequestNormal(
                invoke_id_and_priority=pending.iip,
                cosem_attribute_descriptor=request.descriptor,
                access_selection=request.selection,
                value=request.value,
            )
        elif isinstance(request, SetWithList):
            pending = self._new_pending(_Kind.SET_LIST, len(request.items), now)
            apdu = set_.SetRequestWithList(
                invoke_id_and_priority=pending.iip,
                attribute_descriptor_list=request.items,
                value_list=request.values,
            )
        elif isinstance(request, Action):
            pending = self._new_pending(_Kind.ACTION, 1, now)
            parameters = None if request.parameters is None else get.Data(request.parameters)
            apdu = action.ActionRequestNormal(
                invoke_id_and_priority=pending.iip,
                cosem_method_descriptor=request.descriptor,
                method_invocation_parameters=parameters,
            )
        else:
            assert isinstance(request, ActionWithList)
            pending = self._new_pending(_Kind.ACTION_LIST, len(request.calls), now)
            apdu = action.ActionRequestWithList(
                invoke_id_and_priority=pending.iip,
                cosem_method_descriptor_list=tuple(c.descriptor for c in request.calls),
                method_invocation_parameters=tuple(c.parameters for c in request.calls),
            )
        invoke_id = pending.iip.invoke_id
        if isinstance(request, Set | Action) and not request.confirmed:
            # Unconfirmed (service-class 0): no answer will come, nothing stays pending.
            del self._pending[invoke_id]
            iip = InvokeIdAndPriority.of(
                invoke_id, confirmed=False, high_priority=self.settings.high_priority
            )
            apdu = replace(apdu, invoke_id_and_priority=iip)
            self._emit(apdu, broadcast=request.broadcast)
            self._last_invoke_id = invoke_id
            return None
        try:
            limit = self._limit()
            if len(apdu.to_bytes()) > limit and not self._gbt_on():
                apdu = self._first_block(pending, apdu, limit)
            self._emit(apdu)
        except DlmsError:
            del self._pending[invoke_id]
            raise
        self._last_invoke_id = invoke_id
        return None

    def _limit(self) -> int:
        """The largest APDU the server takes, before ciphering."""
        limit = self.server_max_receive_pdu_size
        if self._security is not None:
            limit -= _common.CIPHERING_OVERHEAD
        return limit

    def _first_block(self, pending: _Pending, apdu: Apdu, limit: int) -> Apdu:
        """SET with datablocks / ACTION with pblocks and their with-list variants (Green
        Book 9.4.6.8/9) for a request longer than the server's max PDU size, cut by a
        session/blocks.py BlockRequestSplitter."""
        conformance = self.negotiated_conformance
        iip = pending.iip
        splitter: BlockRequestSplitter | None = None
        if conformance & Conformance.BLOCK_TRANSFER_WITH_SET_OR_WRITE:
            if isinstance(apdu, set_.SetRequestNormal):
                splitter = BlockRequestSplitter.for_set(
                    invoke_id_and_priority=iip,
                    descriptor=apdu.cosem_attribute_descriptor,
                    value=axdr.encode(apdu.value),
                    max_pdu=limit,
                    access_selection=apdu.access_selection,
                )
            elif isinstance(apdu, set_.SetRequestWithList):
                splitter = BlockRequestSplitter.for_set_with_list(
                    invoke_id_and_priority=iip,
                    descriptors=apdu.attribute_descriptor_list,
                    values=_common.encode_data_list(apdu.value_list),
                    max_pdu=limit,
                )
        if conformance & Conformance.BLOCK_TRANSFER_WITH_ACTION:
            if (
                isinstance(apdu, action.ActionRequestNormal)
                and apdu.method_invocation_parameters is not None
            ):
                splitter = BlockRequestSplitter.for_action(
                    invoke_id_and_priority=iip,
                    descriptor=apdu.cosem_method_descriptor,
                    parameters=axdr.encode(apdu.method_invocation_parameters.value),
                    max_pdu=limit,
                )
            elif isinstance(apdu, action.ActionRequestWithList):
                splitter = BlockRequestSplitter.for_action_with_list(
                    invoke_id_and_priority=iip,
                    descriptors=apdu.cosem_method_descriptor_list,
                    parameters=_common.encode_data_list(apdu.method_invocation_parameters),
                    max_pdu=limit,
                )
        if splitter is None:
            raise LocalProtocolError(
                f"{apdu.NAME} of {len(apdu.to_bytes())} bytes exceeds the server's max PDU "
                f"size ({limit}) and no block transfer for it was negotiated"
            )
        pending.splitter = splitter
        return splitter.first()

    def _other_response(self, apdu: Apdu) -> None:
        """ACCESS (long invoke id) and SN (answers in order) responses."""
        if isinstance(apdu, AccessResponse):
            long_id = apdu.long_invoke_id_and_priority.invoke_id
            if self._access.pop(long_id, _MISSING) is _MISSING:
                self._violation(f"access-response for long invoke id {long_id}, not pending")
                return
            self._events.append(AccessResult(invoke_id=long_id, response=apdu))
            return
        if not self._sn:
            self._violation(f"{apdu.NAME} but no SN request is pending")
            return
        kind, count, _ = self._sn.popleft()
        if isinstance(apdu, sn.ReadResponse) and kind is _Kind.READ:
            if len(apdu.results) != count:
                self._violation(f"{len(apdu.results)} results for {count} variables read")
                return
            self._events.append(ReadResult(results=apdu.results))
        elif isinstance(apdu, sn.WriteResponse) and kind is _Kind.WRITE:
            if len(apdu.results) != count:
                self._violation(f"{len(apdu.results)} results for {count} variables written")
                return
            self._events.append(WriteResult(results=apdu.results))
        else:
            self._violation(f"{apdu.NAME} does not answer the pending {kind.name.lower()}")

    def _response(self, stimulus: _Stimulus) -> ClientState | None:
        apdu = stimulus.apdu
        assert apdu is not None
        if isinstance(apdu, AccessResponse | sn.ReadResponse | sn.WriteResponse):
            self._other_response(apdu)
            return None
        iip = getattr(apdu, "invoke_id_and_priority", None)
        assert isinstance(iip, InvokeIdAndPriority)
        invoke_id = iip.invoke_id
        pending = self._pending.get(invoke_id)
        if pending is None:
            if invoke_id in self._retired:
                self._retired.remove(invoke_id)
                self._events.append(LateResponse(invoke_id=invoke_id, apdu=apdu))
            else:
                self._violation(f"{apdu.NAME} for invoke id {invoke_id}, which is not pending")
            return None
        if pending.kind is _Kind.HLS:
            del self._pending[invoke_id]
            return self._pass4(pending, apdu)
        if self._state is ClientState.AUTHENTICATING:  # pragma: no cover - only HLS pends
            return None
        try:
            event = self._answer(pending, apdu, stimulus.now)
        except DlmsError as exc:
            del self._pending[invoke_id]
            self._violation(str(exc), invoke_id)
            return None
        if event is not None:
            del self._pending[invoke_id]
            self._events.append(event)
        return None

    def _answer(
        self, pending: _Pending, apdu: Apdu, now: float
    ) -> GetResult | SetResult | ActionResult | None:
        kind = pending.kind
        invoke_id = pending.iip.invoke_id
        splitter = pending.splitter
        if splitter is not None and splitter.final is None:
            following = splitter.handle(apdu)  # the next block, or None: the answer came
            if following is not None:
                self._emit(following)
                pending.deadline = self._timeout_at(now)
                return None
        if kind is _Kind.GET and isinstance(apdu, get.GetResponseNormal):
            return GetResult(invoke_id=invoke_id, results=(apdu.result,))
        if kind is _Kind.GET_LIST and isinstance(apdu, get.GetResponseWithList):
            if len(apdu.result) != pending.count:
                raise RemoteProtocolError(
                    f"{len(apdu.result)} results for {pending.count} attributes"
                )
            return GetResult(invoke_id=invoke_id, results=apdu.result)
        if kind in (_Kind.GET, _Kind.GET_LIST) and isinstance(apdu, get.GetResponseWithDatablock):
            return self._datablock(pending, apdu, now)
        if kind is _Kind.SET and isinstance(apdu, set_.SetResponseNormal):
            return SetResult(invoke_id=invoke_id, results=(apdu.result,))
        if kind is _Kind.SET and isinstance(apdu, set_.SetResponseLastDatablock):
            return SetResult(invoke_id=invoke_id, results=(apdu.result,))
        if kind is _Kind.SET_LIST and isinstance(apdu, set_.SetResponseLastDatablockWithList):
            if len(apdu.result) != pending.count:
                raise RemoteProtocolError(f"{len(apdu.result)} results for {pending.count} SETs")
            return SetResult(invoke_id=invoke_id, results=apdu.result)
        if kind is _Kind.SET_LIST and isinstance(apdu, set_.SetResponseWithList):
            if len(apdu.result) != pending.count:
                raise RemoteProtocolError(f"{len(apdu.result)} results for {pending.count} SETs")
            return SetResult(invoke_id=invoke_id, results=apdu.result)
        if kind is _Kind.ACTION and isinstance(apdu, action.ActionResponseWithPblock):
            return self._answer_pblock(pending, apdu, now)
        if kind is _Kind.ACTION and isinstance(apdu, action.ActionResponseNormal):
            return ActionResult(invoke_id=invoke_id, results=(apdu.single_response,))
        if kind is _Kind.ACTION_LIST and isinstance(apdu, action.ActionResponseWithList):
            if len(apdu.list_of_responses) != pending.count:
                raise RemoteProtocolError(
                    f"{len(apdu.list_of_responses)} results for {pending.count} methods"
                )
            return ActionResult(invoke_id=invoke_id, results=apdu.list_of_responses)
        raise RemoteProtocolError(f"{apdu.NAME} does not answer a {kind.name.lower()} request")

    def _answer_pblock(
        self, pending: _Pending, apdu: action.ActionResponseWithPblock, now: float
    ) -> ActionResult | None:
        """An ACTION answer in pblocks (Green Book 9.4.6.9, session/blocks.py): ask for
        each next block; the joined data is the Action-Response-With-Optional-Data."""
        if pending.pblocks is None:
            pending.pblocks = ActionResponseReassembler(
                invoke_id_and_priority=pending.iip,
                max_size=self.settings.max_block_transfer_size,
            )
        request = pending.pblocks.receive(apdu)
        if request is not None:
            self._emit(request)
            pending.deadline = self._timeout_at(now)
            return None
        data = pending.pblocks.data
        assert data is not None
        try:
            whole = decode(b"\xc7\x01" + bytes((pending.iip.value,)) + data)
        except DecodeError as exc:
            raise RemoteProtocolError(f"joined ACTION pblocks: {exc}") from None
        assert isinstance(whole, action.ActionResponseNormal)
        return ActionResult(invoke_id=pending.iip.invoke_id, results=(whole.single_response,))

    def _datablock(
        self, pending: _Pending, apdu: get.GetResponseWithDatablock, now: float
    ) -> GetResult | None:
        """GET with datablocks (Green Book 9.4.6.7) through session/blocks.py: ask for
        each next block with get-request-next; block numbers and the size bound checked."""
        invoke_id = pending.iip.invoke_id
        if pending.get_blocks is None:
            pending.get_blocks = GetBlockReassembler(
                invoke_id_and_priority=pending.iip,
                max_size=self.settings.max_block_transfer_size,
            )
        request = pending.get_blocks.receive(apdu)
        if request is not None:
            self._emit(request)
            pending.deadline = self._timeout_at(now)
            return None
        error = pending.get_blocks.error
        if error is not None:  # a block carried a data-access-result: the answer
            return GetResult(invoke_id=invoke_id, results=(error,) * pending.count)
        data = pending.get_blocks.data
        assert data is not None
        if pending.kind is _Kind.GET_LIST:
            # The joined data of a with-list answer is its SEQUENCE OF Get-Data-Result.
            results = _common.decode_result_list(pending.iip, data)
            if len(results) != pending.count:
                raise RemoteProtocolError(f"{len(results)} results for {pending.count} attributes")
            return GetResult(invoke_id=invoke_id, results=results)
        if pending.lazy:
            return GetResult(invoke_id=invoke_id, results=(get.Data.lazy(bytes(data)),))
        value = _common.decode_data(data, "GET datablocks")
        return GetResult(invoke_id=invoke_id, results=(get.Data(value, bytes(data)),))

    def _exception(self, stimulus: _Stimulus) -> ClientState | None:
        error = stimulus.apdu
        assert isinstance(error, ExceptionResponse | ConfirmedServiceError)
        # Neither carries an invoke id: it answers the oldest pending request.
        invoke_id = next(iter(self._pending), None)
        if invoke_id is not None:
            pending = self._pending.pop(invoke_id)
            if pending.kind is _Kind.HLS:
                self._events.append(
                    AuthenticationFailed(reason=f"pass 3 answered with {error.NAME}")
                )
                self._security = None
                return ClientState.IDLE
        self._events.append(ExceptionReceived(invoke_id=invoke_id, error=error))
        return None

    def _release_exception(self, stimulus: _Stimulus) -> ClientState | None:
        # The server refused the RLRQ: the association goes on.
        assert isinstance(stimulus.apdu, ExceptionResponse | ConfirmedServiceError)
        self._deadline = None
        self._events.append(ExceptionReceived(invoke_id=None, error=stimulus.apdu))
        return None

    def _notification(self, stimulus: _Stimulus) -> ClientState | None:
        apdu = stimulus.apdu
        if isinstance(apdu, DataNotification):
            self._events.append(DataNotificationReceived(notification=apdu))
        elif isinstance(apdu, EventNotificationRequest):
            self._events.append(EventNotificationReceived(notification=apdu))
        else:
            assert isinstance(apdu, sn.InformationReportRequest)
            self._events.append(InformationReportReceived(report=apdu))
        return None

    def _unexpected(self, stimulus: _Stimulus) -> ClientState | None:
        apdu = stimulus.apdu
        self._violation(
            stimulus.error
            or f"{getattr(apdu, 'NAME', '?')} is not allowed in state {self._state.name}"
        )
        return None

    def _timeout(self, stimulus: _Stimulus) -> ClientState | None:
        now = stimulus.now
        state = self._state
        if self._deadline is not None and now >= self._deadline:
            self._deadline = None
            self._events.append(RequestTimedOut(invoke_id=None))
            if state is ClientState.ASSOCIATING:
                self._security = None
                return ClientState.IDLE
            if state is ClientState.RELEASING:
                self._reset()
                self._security = None
                self._events.append(Released(reason="timeout"))
                return ClientState.IDLE
        for long_id, deadline in list(self._access.items()):
            if deadline is not None and now >= deadline:
                del self._access[long_id]
                self._events.append(RequestTimedOut(invoke_id=long_id))
        if self._sn and any(d is not None and now >= d for _, _, d in self._sn):
            # SN answers come in order: once one is overdue, none can be matched any more.
            self._sn.clear()
            self._events.append(RequestTimedOut(invoke_id=None))
        for invoke_id, pending in list(self._pending.items()):
            if pending.deadline is not None and now >= pending.deadline:
                del self._pending[invoke_id]
                self._retire(invoke_id)
                self._events.append(RequestTimedOut(invoke_id=invoke_id))
                if pending.kind is _Kind.HLS:
                    self._events.append(AuthenticationFailed(reason="no answer to pass 3"))
                    self._security = None
                    return ClientState.IDLE
        return None

    def _ignore(self, stimulus: _Stimulus) -> ClientState | None:
        return None


_Handler = Callable[[ClientSession, _Stimulus], "ClientState | None"]


def _build_table() -> dict[tuple[ClientState, ClientInput], tuple[_Handler, ClientState]]:
    s, i = ClientState, ClientInput
    c = ClientSession
    table: dict[tuple[ClientState, ClientInput], tuple[_Handler, ClientState]] = {}

    def add(state: ClientState, what: ClientInput, handler: _Handler, after: ClientState) -> None:
        table[(state, what)] = (handler, after)

    # Peer input in every state: a violation unless listed below; the peer cannot make
    # the session undefined (DESIGN.md rule 3). Notifications and (late) responses are
    # accepted in any state; the timer and a lost link too.
    for state in ClientState:
        for what in PEER_INPUTS:
            add(state, what, c._unexpected, state)
        add(state, i.NOTIFICATION, c._notification, state)
        add(state, i.RESPONSE, c._response, state)
        add(state, i.TIMEOUT, c._timeout, state)
        add(state, i.LINK_DOWN, c._link_down, s.IDLE)
    add(s.IDLE, i.ASSOCIATE, c._associate, s.ASSOCIATING)
    add(s.ASSOCIATING, i.AARE, c._aare, s.ASSOCIATED)
    add(s.ASSOCIATING, i.EXCEPTION, c._association_exception, s.IDLE)
    add(s.ASSOCIATING, i.INVALID, c._association_invalid, s.IDLE)
    add(s.AUTHENTICATING, i.EXCEPTION, c._exception, s.AUTHENTICATING)
    add(s.ASSOCIATED, i.REQUEST, c._request, s.ASSOCIATED)
    add(s.ASSOCIATED, i.RELEASE, c._release, s.RELEASING)
    add(s.ASSOCIATED, i.EXCEPTION, c._exception, s.ASSOCIATED)
    add(s.RELEASING, i.RLRE, c._rlre, s.IDLE)
    add(s.RELEASING, i.EXCEPTION, c._release_exception, s.ASSOCIATED)
    return table


_TRANSITIONS: Final = _build_table()
