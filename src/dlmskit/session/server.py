"""The server role of the application session, sans-io (Green Book 9.4: ACSE and xDLMS).

::

    link        ── receive_apdu(bytes, now) ──▶ ServerSession ── data_to_send() ──▶ [APDUs]
    application ◀── next_event(): AssociationEstablished, GetRequested, ...
                ── send(get/set/action-response APDU, now) ──▶

    IDLE ─AARQ accepted (0, 1)──────────────────▶ ASSOCIATED
         ─AARQ accepted (2..7), AARE with StoC ─▶ AUTHENTICATING ─pass 3 verified─▶ ASSOCIATED
         ─AARQ refused: AARE rejected ──────────▶ IDLE
    ASSOCIATED ─RLRQ: RLRE─▶ IDLE

The session checks every AARQ against the :class:`AssociationConfig` of its client SAP
(application context, mechanism, secret, calling AP title, DLMS version, conformance) and
answers with the AARE itself; the application answers GET / SET / ACTION with the
response APDUs (``send``). A GET response too long for the client's max PDU size is sent
in datablocks when the client negotiated block transfer with GET; the session answers the
get-request-next itself (Green Book 9.4.6.7); likewise it joins SET / ACTION requests that
come in blocks before the application sees them, and sends long ACTION answers in pblocks
(session/blocks.py engines). With General Block Transfer negotiated, long APDUs go both
ways in GBT blocks instead (session/gbt.py, Green Book 9.4.6.13).

Peer input in the wrong state gets the standard's answer (DESIGN.md rule 3): an xDLMS
request outside an association, or a service not negotiated, gets an ExceptionResponse
with state-error service-not-allowed; an APDU a server never receives, or one that
does not decode, gets service-unknown; an APDU failing its security check gets
deciphering-error. Transitions live in ``_TRANSITIONS``; a local call whose pair is
missing raises :class:`~dlmskit.errors.LocalProtocolError`.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum, auto
from typing import Final

from dlmskit import axdr
from dlmskit.apdu import action, get, sn
from dlmskit.apdu import set as set_
from dlmskit.apdu._base import Apdu, decode
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
    ReleaseResponseReason,
)
from dlmskit.apdu.ciphered import CipheredTag, GeneralDedCiphering, ServiceSpecificCiphered
from dlmskit.apdu.common import (
    ActionResult,
    DataAccessResult,
    InvokeIdAndPriority,
)
from dlmskit.apdu.errors import (
    ApplicationReference,
    ConfirmedService,
    ConfirmedServiceError,
    ExceptionResponse,
    ExceptionServiceError,
    Initiate,
    StateError,
)
from dlmskit.apdu.gbt import GeneralBlockTransfer
from dlmskit.apdu.initiate import (
    VAA_NAME_LN,
    VAA_NAME_SN,
    Conformance,
    InitiateRequest,
    InitiateResponse,
)
from dlmskit.errors import DecodeError, DlmsError, LocalProtocolError, RemoteProtocolError
from dlmskit.security.context import DEDICATED_KEY_ID, GLOBAL_KEY_ID, SecurityContext
from dlmskit.security.counters import IncomingCounterCheck
from dlmskit.security.mechanisms import (
    CHALLENGE_MAX,
    CHALLENGE_MIN,
    HlsContext,
    MechanismId,
    Role,
    lls_check,
    new_challenge,
)
from dlmskit.session import _common
from dlmskit.session._events import (
    NEED_DATA,
    AccessRequested,
    ActionRequested,
    AssociationEstablished,
    AssociationRejected,
    AuthenticationFailed,
    GetRequested,
    NeedData,
    ProtocolViolation,
    ReadRequested,
    Released,
    ServerEvent,
    SetRequested,
    WriteRequested,
)
from dlmskit.session.blocks import (
    ActionResponseSegmenter,
    BlockRequestReassembler,
    GetResponseSegmenter,
)
from dlmskit.session.settings import AssociationConfig, Referencing, ServerSettings

__all__ = ["ServerInput", "ServerSession", "ServerState"]

_log = logging.getLogger("dlmskit.session")

_MIN_CLIENT_PDU: Final = 12  # Green Book 9.4.6.2: smaller is pdu-size-too-short


class ServerState(Enum):
    """The server association states."""

    IDLE = auto()
    AUTHENTICATING = auto()  # AARE sent for HLS, pass 3 awaited
    ASSOCIATED = auto()


class ServerInput(Enum):
    """Local calls and the classes of APDU a client can send."""

    # local
    REPLY = auto()
    LINK_DOWN = auto()
    # from the peer
    AARQ = auto()
    RLRQ = auto()
    REQUEST = auto()  # get / set / action request
    UNEXPECTED = auto()  # an APDU a server never receives (responses, AARE, ...)
    INVALID = auto()  # undecodable, or failing its security check


LOCAL_INPUTS: Final = frozenset({ServerInput.REPLY, ServerInput.LINK_DOWN})
PEER_INPUTS: Final = tuple(i for i in ServerInput if i not in LOCAL_INPUTS)


class _Kind(Enum):
    READ = auto()  # SN
    WRITE = auto()  # SN
    GET = auto()
    SET = auto()
    ACTION = auto()


def reassembler_blocks(request: Apdu) -> int:
    """The block number a SET / ACTION block request carries."""
    block = getattr(request, "datablock", None) or getattr(request, "pblock", None)
    assert isinstance(block, set_.DataBlockSA)
    return block.block_number


@dataclass(frozen=True, slots=True)
class _Stimulus:
    apdu: Apdu | None = None
    now: float = 0.0
    error: str = ""
    service_error: ExceptionServiceError = ExceptionServiceError.OTHER_REASON
    state_error: StateError = StateError.SERVICE_UNKNOWN
    counter: int | None = None  # the invocation-counter-error value


class _Refusal(Exception):
    """An AARQ is refused: the AARE's result, diagnostic and service error."""

    def __init__(
        self,
        diagnostic: AcseServiceUser,
        service_error: ConfirmedServiceError | None = None,
        result: AssociationResult = AssociationResult.REJECTED_PERMANENT,
    ) -> None:
        super().__init__(diagnostic.name)
        self.diagnostic = diagnostic
        self.service_error = service_error
        self.result = result


def _initiate_error(error: Initiate | ApplicationReference) -> ConfirmedServiceError:
    return ConfirmedServiceError(
        confirmed_service=ConfirmedService.INITIATE_ERROR, service_error=error
    )


def _classify(apdu: Apdu) -> ServerInput:
    if isinstance(apdu, AARQ):
        return ServerInput.AARQ
    if isinstance(apdu, RLRQ):
        return ServerInput.RLRQ
    if isinstance(
        apdu,
        _common.GET_REQUESTS
        + _common.SET_REQUESTS
        + _common.ACTION_REQUESTS
        + (AccessRequest, sn.ReadRequest, sn.WriteRequest, sn.UnconfirmedWriteRequest),
    ):
        return ServerInput.REQUEST
    return ServerInput.UNEXPECTED


def _request_kind(apdu: Apdu) -> _Kind:
    if isinstance(apdu, _common.GET_REQUESTS):
        return _Kind.GET
    if isinstance(apdu, _common.SET_REQUESTS):
        return _Kind.SET
    return _Kind.ACTION


_RESPONSE_KIND: Final = {
    **dict.fromkeys(_common.GET_RESPONSES, _Kind.GET),
    **dict.fromkeys(_common.SET_RESPONSES, _Kind.SET),
    **dict.fromkeys(_common.ACTION_RESPONSES, _Kind.ACTION),
}


@dataclass(slots=True)
class _Association:
    config: AssociationConfig
    conformance: Conformance
    client_max_pdu: int
    client_title: bytes | None
    challenge: bytes = b""
    peer_challenge: bytes = b""
    pending: dict[int, tuple[_Kind, InvokeIdAndPriority, int]] = field(default_factory=dict)
    transfers: dict[int, GetResponseSegmenter] = field(default_factory=dict)
    incoming: dict[int, BlockRequestReassembler] = field(default_factory=dict)
    pblocks: dict[int, ActionResponseSegmenter] = field(default_factory=dict)
    access: set[int] = field(default_factory=set)  # long invoke ids of ACCESS requests
    sn: deque[_Kind] = field(default_factory=deque)  # SN requests, answered in order


class ServerSession:
    """One server-side association endpoint for the client at ``client_sap``.

    ``receive_apdu(data, now)``: one APDU from the link. ``next_event()``: the next event
    or :data:`NEED_DATA`. ``send(apdu, now)``: the application's answer to a
    Get/Set/ActionRequested event (a response APDU with the request's
    invoke-id-and-priority, or an ExceptionResponse). ``data_to_send()``: APDUs for the
    link. ``connection_lost(now)``: the link went down.
    """

    def __init__(self, settings: ServerSettings, *, client_sap: int) -> None:
        if not isinstance(settings, ServerSettings):
            raise TypeError(f"settings must be ServerSettings, not {type(settings).__name__}")
        self.settings: Final = settings
        self.client_sap: Final = client_sap
        self.config: Final = settings.associations.get(client_sap)
        self._state = ServerState.IDLE
        self._events: deque[ServerEvent] = deque()
        self._out: list[bytes] = []
        self._association: _Association | None = None
        self._security: SecurityContext | None = None
        self._incoming = settings.incoming_counter or IncomingCounterCheck()
        self._now = 0.0
        self._gbt = _common.GbtLayer(
            window=settings.gbt_window,
            timeout=settings.gbt_timeout,
            max_size=settings.max_block_transfer_size,
            max_retries=settings.gbt_max_retries,
            final_ack=False,
        )
        if self.config is not None and self.config.pre_established:
            self._pre_establish()

    def _pre_establish(self) -> None:
        """Green Book 9.4.2.2.1: the association exists without AARQ, with the agreed
        context; the client's max PDU is taken as the server's own."""
        assert self.config is not None
        self._association = _Association(
            config=self.config,
            conformance=self.config.conformance,
            client_max_pdu=self.settings.max_receive_pdu_size,
            client_title=None,
        )
        self._state = ServerState.ASSOCIATED

    # --- public API -------------------------------------------------------------------

    @property
    def state(self) -> ServerState:
        return self._state

    @property
    def negotiated_conformance(self) -> Conformance | None:
        return self._association.conformance if self._association else None

    def receive_apdu(self, data: bytes | bytearray | memoryview, now: float) -> None:
        """Interpret one APDU received from the link (answers go to data_to_send)."""
        self._receive(data, now, joined=False)

    def _receive(self, data: bytes | bytearray | memoryview, now: float, *, joined: bool) -> None:
        self._now = now
        if (
            not joined
            and self._state is not ServerState.IDLE
            and len(data) > self.settings.max_receive_pdu_size
        ):
            self._dispatch(
                ServerInput.INVALID,
                _Stimulus(
                    now=now,
                    error=f"APDU of {len(data)} bytes exceeds the max PDU size",
                    state_error=StateError.SERVICE_NOT_ALLOWED,
                    service_error=ExceptionServiceError.PDU_TOO_LONG,
                ),
            )
            return
        try:
            apdu = decode(data)
        except DecodeError as exc:
            self._dispatch(ServerInput.INVALID, _Stimulus(now=now, error=str(exc)))
            return
        if isinstance(apdu, GeneralBlockTransfer):
            self._receive_block(apdu, now)
            return
        self._out += self._gbt.peer_answered(now)
        if isinstance(apdu, _common.CIPHERED_TYPES):
            ciphered = apdu
            try:
                if self._security is None or self._state is ServerState.IDLE:
                    raise RemoteProtocolError(f"{apdu.NAME} but no ciphering was negotiated")
                apdu = decode(self._security.unprotect(apdu))
                if isinstance(apdu, _common.CIPHERED_TYPES):
                    raise RemoteProtocolError("a ciphered APDU inside a ciphered APDU")
            except DlmsError as exc:
                expected = self._expected_counter(ciphered)
                self._dispatch(
                    ServerInput.INVALID,
                    _Stimulus(
                        now=now,
                        error=str(exc),
                        state_error=StateError.SERVICE_NOT_ALLOWED,
                        service_error=ExceptionServiceError.DECIPHERING_ERROR
                        if expected is None
                        else ExceptionServiceError.INVOCATION_COUNTER_ERROR,
                        counter=expected,
                    ),
                )
                return
            if ciphered.security_control.broadcast and _confirmed(apdu):
                # The broadcast key is shared by many meters: it carries only services
                # nobody answers (Green Book 9.2.7.2.4), never a request for this meter.
                self._dispatch(
                    ServerInput.INVALID,
                    _Stimulus(
                        now=now,
                        error=f"{apdu.NAME}: a confirmed service under the broadcast key",
                        state_error=StateError.SERVICE_NOT_ALLOWED,
                        service_error=ExceptionServiceError.OPERATION_NOT_POSSIBLE,
                    ),
                )
                return
        elif (
            self._security is not None
            and self._state is not ServerState.IDLE
            and not isinstance(apdu, AARQ | RLRQ)
        ):
            self._dispatch(
                ServerInput.INVALID,
                _Stimulus(
                    now=now,
                    error=f"{apdu.NAME} not ciphered, the policy requires it",
                    state_error=StateError.SERVICE_NOT_ALLOWED,
                    service_error=ExceptionServiceError.DECIPHERING_ERROR,
                ),
            )
            return
        self._dispatch(_classify(apdu), _Stimulus(apdu=apdu, now=now))

    def _expected_counter(self, ciphered: Apdu) -> int | None:
        """For a replayed or old invocation counter: the lowest counter the server would
        take (the invocation-counter-error value, Green Book 9.5 ExceptionResponse)."""
        security = self._security
        if security is None or self._state is ServerState.IDLE:
            return None
        counter = getattr(ciphered, "invocation_counter", None)
        title = security.keys.peer_system_title
        if counter is None or not title:
            return None
        dedicated = isinstance(ciphered, GeneralDedCiphering) or (
            isinstance(ciphered, ServiceSpecificCiphered) and CipheredTag(ciphered.TAG).dedicated
        )
        last = security.incoming.last(DEDICATED_KEY_ID if dedicated else GLOBAL_KEY_ID, title)
        if last is None or counter > last or last >= 0xFFFFFFFF:
            return None
        return last + 1

    def send(self, response: Apdu, now: float) -> None:
        """Answer a pending request with ``response`` (a response APDU or an
        ExceptionResponse / ConfirmedServiceError, which answer the oldest request)."""
        if not isinstance(response, Apdu):
            raise TypeError(f"send takes a response APDU, not {type(response).__name__}")
        self._dispatch(ServerInput.REPLY, _Stimulus(apdu=response, now=now))

    def connection_lost(self, now: float) -> None:
        self._dispatch(ServerInput.LINK_DOWN, _Stimulus(now=now))

    def next_event(self) -> ServerEvent | NeedData:
        return self._events.popleft() if self._events else NEED_DATA

    def data_to_send(self) -> list[bytes]:
        out, self._out = self._out, []
        return out

    def next_timeout(self) -> float | None:
        """The General Block Transfer timers (the server runs no other timer: the link's
        inactivity timer ends idle associations)."""
        return self._gbt.next_timeout()

    def handle_timeout(self, now: float) -> None:
        self._now = now
        self._out += self._gbt.handle_timeout(now)

    # --- the machine ------------------------------------------------------------------

    def _dispatch(self, what: ServerInput, stimulus: _Stimulus) -> None:
        entry = _TRANSITIONS.get((self._state, what))
        if entry is None:
            raise LocalProtocolError(
                f"{what.name.lower()} is not allowed in state {self._state.name}"
            )
        handler, next_state = entry
        override = handler(self, stimulus)
        self._state = override if override is not None else next_state

    def _emit(self, apdu: Apdu) -> None:
        data = apdu.to_bytes()
        if (
            self._security is not None
            and self._state is not ServerState.IDLE
            # ExceptionResponse has no ciphered form (Green Book 9.5: no glo-/ded- tag).
            and not isinstance(apdu, AARE | RLRE | ExceptionResponse)
        ):
            data = self._security.protect(data).to_bytes()
        association = self._association
        if (
            association is not None
            and self._state is not ServerState.IDLE
            and association.conformance & Conformance.GENERAL_BLOCK_TRANSFER
            and not isinstance(apdu, AARE | RLRE)
        ):
            # GBT carries the protected APDU (Green Book 9.4.6.13).
            self._out += self._gbt.send(data, association.client_max_pdu, self._now)
        else:
            self._out.append(data)

    def _gbt_on(self) -> bool:
        association = self._association
        return (
            association is not None
            and self._state is not ServerState.IDLE
            and bool(association.conformance & Conformance.GENERAL_BLOCK_TRANSFER)
        )

    def _receive_block(self, block: GeneralBlockTransfer, now: float) -> None:
        error = ""
        joined: bytes | None = None
        if not self._gbt_on():
            error = "general-block-transfer was not negotiated"
        else:
            try:
                out, joined = self._gbt.receive(block, now)
                self._out += out
            except RemoteProtocolError as exc:
                error = str(exc)
        if joined is not None and joined[:1] == bytes((GeneralBlockTransfer.TAG,)):
            error, joined = "GBT blocks inside GBT blocks", None
        if error:
            self._dispatch(
                ServerInput.INVALID,
                _Stimulus(
                    now=now,
                    error=error,
                    state_error=StateError.SERVICE_NOT_ALLOWED,
                    service_error=ExceptionServiceError.OPERATION_NOT_POSSIBLE,
                ),
            )
        elif joined is not None:
            self._receive(joined, now, joined=True)

    def _exception(self, state_error: StateError, service_error: ExceptionServiceError) -> None:
        self._emit(ExceptionResponse(state_error=state_error, service_error=service_error))

    def _end(self) -> None:
        self._association = None
        self._security = None
        self._gbt.reset()

    # --- association ------------------------------------------------------------------

    def _aarq(self, stimulus: _Stimulus) -> ServerState | None:
        aarq = stimulus.apdu
        assert isinstance(aarq, AARQ)
        self._end()
        try:
            return self._accept(aarq)
        except _Refusal as refusal:
            self._security = None
            self._association = None
            self._refuse(aarq, refusal)
            return ServerState.IDLE

    def _refuse(self, aarq: AARQ, refusal: _Refusal) -> None:
        self._out.append(
            AARE(
                application_context_name=aarq.application_context_name,
                result=refusal.result,
                result_source_diagnostic=refusal.diagnostic,
                user_information=refusal.service_error,
            ).to_bytes()
        )
        self._events.append(
            AssociationRejected(
                result=refusal.result,
                diagnostic=refusal.diagnostic,
                service_error=refusal.service_error,
            )
        )

    def _accept(self, aarq: AARQ) -> ServerState:
        config = self.config
        settings = self.settings
        user = AcseServiceUser
        if config is None:
            raise _Refusal(user.NO_REASON_GIVEN)
        ciphered = config.policy is not None
        context = config.referencing.context(ciphered=ciphered)
        if aarq.application_context_name != context.oid:
            raise _Refusal(user.APPLICATION_CONTEXT_NAME_NOT_SUPPORTED)
        mechanism: int | None = 0
        if aarq.mechanism_name is not None:
            name = MechanismName.from_oid(aarq.mechanism_name)
            mechanism = None if name is None else int(name)
        if mechanism != config.mechanism:
            raise _Refusal(user.AUTHENTICATION_MECHANISM_NAME_NOT_RECOGNISED)
        title = bytes(aarq.calling_ap_title) if aarq.calling_ap_title is not None else None
        needs_title = ciphered or config.mechanism in (5, 6, 7)
        if needs_title and (title is None or len(title) != 8):
            raise _Refusal(user.CALLING_AP_TITLE_NOT_RECOGNIZED)
        value = aarq.calling_authentication_value
        challenge = b""
        if config.mechanism != MechanismId.LOWEST:
            if value is None:
                raise _Refusal(user.AUTHENTICATION_REQUIRED)
            if config.mechanism == MechanismId.LOW:
                assert config.secret is not None
                if not lls_check(config.secret, value.value):
                    raise _Refusal(user.AUTHENTICATION_FAILURE)
            elif not CHALLENGE_MIN <= len(value.value) <= CHALLENGE_MAX:
                raise _Refusal(user.AUTHENTICATION_FAILURE)
            else:
                challenge = value.value
        initiate = self._initiate(aarq, title)
        if initiate.proposed_dlms_version_number < 6:
            raise _Refusal(user.NO_REASON_GIVEN, _initiate_error(Initiate.DLMS_VERSION_TOO_LOW))
        if initiate.client_max_receive_pdu_size < _MIN_CLIENT_PDU:
            raise _Refusal(user.NO_REASON_GIVEN, _initiate_error(Initiate.PDU_SIZE_TOO_SHORT))
        conformance = Conformance(initiate.proposed_conformance & config.conformance)
        if not conformance:
            raise _Refusal(user.NO_REASON_GIVEN, _initiate_error(Initiate.INCOMPATIBLE_CONFORMANCE))
        if initiate.dedicated_key is not None and self._security is not None:
            try:
                self._security.keys = self._security.keys.with_dedicated_key(
                    bytes(initiate.dedicated_key)
                )
            except DlmsError:
                raise _Refusal(
                    user.NO_REASON_GIVEN, _initiate_error(ApplicationReference.DECIPHERING_ERROR)
                ) from None
        response = InitiateResponse(
            negotiated_dlms_version_number=settings.dlms_version,
            negotiated_conformance=conformance,
            server_max_receive_pdu_size=settings.max_receive_pdu_size,
            vaa_name=VAA_NAME_LN if config.referencing is Referencing.LOGICAL_NAME else VAA_NAME_SN,
        )
        association = _Association(
            config=config,
            conformance=conformance,
            client_max_pdu=initiate.client_max_receive_pdu_size,
            client_title=title,
            peer_challenge=challenge,
        )
        hls = config.mechanism >= MechanismId.HIGH
        if hls:
            association.challenge = new_challenge(settings.challenge_length, random=settings.random)
        user_information: Apdu = response
        if self._security is not None:
            user_information = _common.protect_initiate(self._security, response.to_bytes())
        self._out.append(
            AARE(
                application_context_name=aarq.application_context_name,
                result=AssociationResult.ACCEPTED,
                result_source_diagnostic=user.AUTHENTICATION_REQUIRED if hls else user.NULL,
                responding_ap_title=settings.system_title
                if (hls or ciphered) and settings.system_title is not None
                else None,
                responder_acse_requirements=ACSE_REQUIREMENTS_AUTHENTICATION
                if config.mechanism
                else None,
                mechanism_name=aarq.mechanism_name if config.mechanism else None,
                responding_authentication_value=AuthenticationValue.charstring(
                    association.challenge
                )
                if hls
                else None,
                user_information=user_information,
            ).to_bytes()
        )
        self._association = association
        if hls:
            return ServerState.AUTHENTICATING
        self._established()
        return ServerState.ASSOCIATED

    def _initiate(self, aarq: AARQ, title: bytes | None) -> InitiateRequest:
        """The InitiateRequest of the AARQ, unprotected when the association is ciphered."""
        config = self.config
        assert config is not None
        info = aarq.user_information
        if config.policy is not None:
            settings = self.settings
            assert settings.keys is not None and settings.outgoing_counter is not None
            if not isinstance(info, _common.CIPHERED_TYPES):
                raise _Refusal(AcseServiceUser.NO_REASON_GIVEN)
            keys = replace(settings.keys, peer_system_title=title, dedicated_key=None)
            self._security = SecurityContext(
                keys, settings.outgoing_counter, config.policy, self._incoming
            )
            try:
                info = decode(self._security.unprotect(info))
            except DlmsError:
                raise _Refusal(
                    AcseServiceUser.NO_REASON_GIVEN,
                    _initiate_error(ApplicationReference.DECIPHERING_ERROR),
                ) from None
        if not isinstance(info, InitiateRequest):
            raise _Refusal(AcseServiceUser.NO_REASON_GIVEN)
        return info

    def _established(self) -> None:
        association = self._association
        assert association is not None and self.config is not None
        self._events.append(
            AssociationEstablished(
                client_sap=self.client_sap,
                conformance=association.conformance,
                client_max_receive_pdu_size=association.client_max_pdu,
                mechanism=int(self.config.mechanism),
                client_system_title=association.client_title,
            )
        )

    def _aarq_associated(self, stimulus: _Stimulus) -> ServerState | None:
        # An association exists on this link already: refuse the second one and keep the
        # first (Green Book 9.4.4: one association per client SAP at a time).
        aarq = stimulus.apdu
        assert isinstance(aarq, AARQ)
        self._out.append(
            AARE(
                application_context_name=aarq.application_context_name,
                result=AssociationResult.REJECTED_TRANSIENT,
                result_source_diagnostic=AcseServiceUser.NO_REASON_GIVEN,
            ).to_bytes()
        )
        self._events.append(
            ProtocolViolation(error=RemoteProtocolError("AARQ while an association is open"))
        )
        return None

    def _pass3(self, stimulus: _Stimulus) -> ServerState | None:
        request = stimulus.apdu
        association = self._association
        assert association is not None and self.config is not None
        if not (
            isinstance(request, action.ActionRequestNormal)
            and request.cosem_method_descriptor == _common.REPLY_TO_HLS_AUTHENTICATION
        ):
            # Green Book 9.4.4: only reply_to_HLS_authentication before pass 3 is done.
            self._exception(
                StateError.SERVICE_NOT_ALLOWED, ExceptionServiceError.OPERATION_NOT_POSSIBLE
            )
            return ServerState.AUTHENTICATING
        parameters = request.method_invocation_parameters
        reason = ""
        answer: bytes | None = None
        if parameters is None or not isinstance(parameters.value, axdr.OctetString):
            reason = "pass 3 without f(StoC)"
        else:
            try:
                context = self._hls_context()
                context.verify_client(bytes(parameters.value))
                answer = context.server_response()
            except DlmsError as exc:
                reason = str(exc)
        if answer is None:
            self._emit(
                action.ActionResponseNormal(
                    invoke_id_and_priority=request.invoke_id_and_priority,
                    single_response=action.ActionResponseWithOptionalData(
                        result=ActionResult.READ_WRITE_DENIED
                    ),
                )
            )
            self._events.append(AuthenticationFailed(reason=reason))
            self._end()
            return ServerState.IDLE
        self._emit(
            action.ActionResponseNormal(
                invoke_id_and_priority=request.invoke_id_and_priority,
                single_response=action.ActionResponseWithOptionalData(
                    result=ActionResult.SUCCESS,
                    return_parameters=get.Data(axdr.OctetString(answer)),
                ),
            )
        )
        self._established()
        return None

    def _hls_context(self) -> HlsContext:
        association = self._association
        config = self.config
        settings = self.settings
        assert association is not None and config is not None
        keys = settings.keys
        invocation_counter = 0
        if config.mechanism == MechanismId.HIGH_GMAC:
            assert settings.outgoing_counter is not None
            invocation_counter = settings.outgoing_counter.next()
        return HlsContext(
            mechanism=config.mechanism,
            role=Role.SERVER,
            own_challenge=association.challenge,
            peer_challenge=association.peer_challenge,
            secret=config.secret,
            own_system_title=settings.system_title,
            peer_system_title=association.client_title,
            suite=keys.suite if keys is not None else 0,
            invocation_counter=invocation_counter,
            encryption_key=keys.global_unicast_key if keys is not None else None,
            authentication_key=keys.authentication_key if keys is not None else None,
            private_key=settings.private_key,
            peer_public_key=config.client_public_key,
            hls2=config.hls2,
        )

    def _rlrq(self, stimulus: _Stimulus) -> ServerState | None:
        rlrq = stimulus.apdu
        assert isinstance(rlrq, RLRQ)
        user_information: Apdu | None = None
        if self._security is not None and isinstance(rlrq.user_information, _common.CIPHERED_TYPES):
            try:
                self._security.unprotect(rlrq.user_information)
                association = self._association
                assert association is not None and self.config is not None
                response = InitiateResponse(
                    negotiated_dlms_version_number=self.settings.dlms_version,
                    negotiated_conformance=association.conformance,
                    server_max_receive_pdu_size=self.settings.max_receive_pdu_size,
                )
                user_information = _common.protect_initiate(self._security, response.to_bytes())
            except DlmsError as exc:
                self._events.append(ProtocolViolation(error=RemoteProtocolError(str(exc))))
        if self.config is not None and self.config.pre_established:
            # A pre-established association cannot be released (Green Book 9.4.2.2.1).
            self._out.append(RLRE(reason=ReleaseResponseReason.NOT_FINISHED).to_bytes())
            return self._state
        self._out.append(
            RLRE(reason=ReleaseResponseReason.NORMAL, user_information=user_information).to_bytes()
        )
        was = self._state
        self._end()
        if was is not ServerState.IDLE:
            self._events.append(Released(reason="peer"))
        return None

    def _link_down(self, stimulus: _Stimulus) -> ServerState | None:
        if self.config is not None and self.config.pre_established:
            self._pre_establish()  # it outlives the link; pending requests are dropped
            return ServerState.ASSOCIATED
        if self._state is not ServerState.IDLE:
            self._events.append(Released(reason="link"))
        self._end()
        return None

    # --- services ---------------------------------------------------------------------

    def _not_associated(self, stimulus: _Stimulus) -> ServerState | None:
        self._exception(
            StateError.SERVICE_NOT_ALLOWED, ExceptionServiceError.OPERATION_NOT_POSSIBLE
        )
        return None

    def _unexpected(self, stimulus: _Stimulus) -> ServerState | None:
        name = getattr(stimulus.apdu, "NAME", "?")
        self._events.append(
            ProtocolViolation(error=RemoteProtocolError(f"{name} is not a request"))
        )
        self._exception(StateError.SERVICE_UNKNOWN, ExceptionServiceError.SERVICE_NOT_SUPPORTED)
        return None

    def _invalid(self, stimulus: _Stimulus) -> ServerState | None:
        self._events.append(ProtocolViolation(error=RemoteProtocolError(stimulus.error)))
        self._emit(
            ExceptionResponse(
                state_error=stimulus.state_error,
                service_error=stimulus.service_error,
                invocation_counter_error=stimulus.counter,
            )
        )
        return None

    def _allowed(self, request: Apdu, conformance: Conformance) -> bool:
        c = Conformance
        if isinstance(request, AccessRequest):
            return bool(conformance & c.ACCESS)
        if isinstance(request, sn.ReadRequest):
            return bool(conformance & c.READ)
        if isinstance(request, sn.WriteRequest):
            return bool(conformance & c.WRITE)
        if isinstance(request, sn.UnconfirmedWriteRequest):
            return bool(conformance & c.UNCONFIRMED_WRITE)
        descriptor = getattr(request, "cosem_attribute_descriptor", None)
        if descriptor is not None and descriptor.attribute_id == 0:
            # Green Book 9.4.6.1: attribute 0 (all attributes) only where negotiated.
            bit = (
                c.ATTRIBUTE0_SUPPORTED_WITH_GET
                if _request_kind(request) is _Kind.GET
                else (c.ATTRIBUTE0_SUPPORTED_WITH_SET)
            )
            if not conformance & bit:
                return False
        if isinstance(request, get.GetRequestNormal):
            return bool(conformance & c.GET) and (
                request.access_selection is None or bool(conformance & c.SELECTIVE_ACCESS)
            )
        if isinstance(request, get.GetRequestWithList):
            return bool(conformance & c.GET and conformance & c.MULTIPLE_REFERENCES)
        if isinstance(request, get.GetRequestNext):
            return bool(conformance & c.BLOCK_TRANSFER_WITH_GET_OR_READ)
        if isinstance(request, action.ActionRequestNextPblock):
            return bool(conformance & c.ACTION and conformance & c.BLOCK_TRANSFER_WITH_ACTION)
        if isinstance(request, set_.SetRequestNormal):
            return bool(conformance & c.SET)
        if isinstance(request, set_.SetRequestWithList):
            return bool(conformance & c.SET and conformance & c.MULTIPLE_REFERENCES)
        if isinstance(request, action.ActionRequestNormal):
            return bool(conformance & c.ACTION)
        if isinstance(request, action.ActionRequestWithList):
            return bool(conformance & c.ACTION and conformance & c.MULTIPLE_REFERENCES)
        if isinstance(request, set_.SetRequestWithFirstDatablock | set_.SetRequestWithDatablock):
            return bool(conformance & c.SET and conformance & c.BLOCK_TRANSFER_WITH_SET_OR_WRITE)
        if isinstance(request, set_.SetRequestWithListAndFirstDatablock):
            return bool(
                conformance & c.SET
                and conformance & c.BLOCK_TRANSFER_WITH_SET_OR_WRITE
                and conformance & c.MULTIPLE_REFERENCES
            )
        if isinstance(
            request, action.ActionRequestWithFirstPblock | action.ActionRequestWithPblock
        ):
            return bool(conformance & c.ACTION and conformance & c.BLOCK_TRANSFER_WITH_ACTION)
        if isinstance(request, action.ActionRequestWithListAndFirstPblock):
            return bool(
                conformance & c.ACTION
                and conformance & c.BLOCK_TRANSFER_WITH_ACTION
                and conformance & c.MULTIPLE_REFERENCES
            )
        return False  # with-list with first datablock / pblock: not offered yet

    def _request(self, stimulus: _Stimulus) -> ServerState | None:
        request = stimulus.apdu
        association = self._association
        assert request is not None and association is not None
        if not self._allowed(request, association.conformance):
            # Green Book 9.4.6: a service outside the negotiated conformance block.
            self._exception(
                StateError.SERVICE_NOT_ALLOWED, ExceptionServiceError.SERVICE_NOT_SUPPORTED
            )
            return None
        if isinstance(request, AccessRequest):
            long_id = request.long_invoke_id_and_priority.invoke_id
            if long_id in association.access:
                self._exception(
                    StateError.SERVICE_NOT_ALLOWED, ExceptionServiceError.OPERATION_NOT_POSSIBLE
                )
                return None
            if request.long_invoke_id_and_priority.confirmed:
                association.access.add(long_id)
            self._events.append(AccessRequested(invoke_id=long_id, request=request))
            return None
        if isinstance(request, sn.ReadRequest):
            association.sn.append(_Kind.READ)
            self._events.append(ReadRequested(request=request))
            return None
        if isinstance(request, sn.WriteRequest | sn.UnconfirmedWriteRequest):
            if isinstance(request, sn.WriteRequest):
                association.sn.append(_Kind.WRITE)
            self._events.append(WriteRequested(request=request))
            return None
        iip = getattr(request, "invoke_id_and_priority", None)
        assert isinstance(iip, InvokeIdAndPriority)
        invoke_id = iip.invoke_id
        if isinstance(request, get.GetRequestNext):
            self._next_block(association, request)
            return None
        if isinstance(request, action.ActionRequestNextPblock):
            self._next_pblock(association, request)
            return None
        if isinstance(request, set_.SetRequestWithDatablock | action.ActionRequestWithPblock):
            self._more_blocks(association, request)
            return None
        if (
            invoke_id in association.pending
            or invoke_id in association.transfers
            or invoke_id in association.incoming
        ):
            self._exception(
                StateError.SERVICE_NOT_ALLOWED, ExceptionServiceError.OPERATION_NOT_POSSIBLE
            )
            return None
        if isinstance(
            request,
            set_.SetRequestWithFirstDatablock
            | set_.SetRequestWithListAndFirstDatablock
            | action.ActionRequestWithFirstPblock
            | action.ActionRequestWithListAndFirstPblock,
        ):
            self._first_block(association, request)
            return None
        self._deliver(association, request, 0)
        return None

    def _deliver(self, association: _Association, request: Apdu, blocks: int) -> None:
        """Hand a complete request to the application."""
        iip = getattr(request, "invoke_id_and_priority", None)
        assert isinstance(iip, InvokeIdAndPriority)
        invoke_id = iip.invoke_id
        kind = _request_kind(request)
        if iip.confirmed:  # unconfirmed services get no answer (service-class 0)
            association.pending[invoke_id] = (kind, iip, blocks)
        if kind is _Kind.GET:
            self._events.append(GetRequested(invoke_id=invoke_id, request=request))
        elif kind is _Kind.SET:
            self._events.append(SetRequested(invoke_id=invoke_id, request=request))
        else:
            self._events.append(ActionRequested(invoke_id=invoke_id, request=request))

    def _first_block(
        self,
        association: _Association,
        request: set_.SetRequestWithFirstDatablock
        | set_.SetRequestWithListAndFirstDatablock
        | action.ActionRequestWithFirstPblock
        | action.ActionRequestWithListAndFirstPblock,
    ) -> None:
        # SET with datablocks / ACTION with pblocks (Green Book 9.4.6.8/9): joined by a
        # session/blocks.py BlockRequestReassembler per invoke id.
        reassembler = BlockRequestReassembler(max_size=self.settings.max_block_transfer_size)
        association.incoming[request.invoke_id_and_priority.invoke_id] = reassembler
        self._feed_block(association, reassembler, request)

    def _more_blocks(
        self,
        association: _Association,
        request: set_.SetRequestWithDatablock | action.ActionRequestWithPblock,
    ) -> None:
        iip = request.invoke_id_and_priority
        kind = _Kind.SET if isinstance(request, set_.SetRequestWithDatablock) else _Kind.ACTION
        reassembler = association.incoming.get(iip.invoke_id)
        if reassembler is None or reassembler.is_action != (kind is _Kind.ACTION):
            block = (
                request.datablock
                if isinstance(request, set_.SetRequestWithDatablock)
                else request.pblock
            )
            self._block_refused(iip, kind, block.block_number, False)
            return
        self._feed_block(association, reassembler, request)

    def _feed_block(
        self, association: _Association, reassembler: BlockRequestReassembler, request: Apdu
    ) -> None:
        iip = getattr(request, "invoke_id_and_priority", None)
        assert isinstance(iip, InvokeIdAndPriority)
        try:
            answer = reassembler.receive(request)
        except (DlmsError, TypeError):
            association.incoming.pop(iip.invoke_id, None)
            kind = _Kind.ACTION if reassembler.is_action else _Kind.SET
            self._block_refused(iip, kind, reassembler_blocks(request), True)
            return
        if answer is not None:
            if not isinstance(answer, set_.SetResponseDatablock | action.ActionResponseNextPblock):
                del association.incoming[iip.invoke_id]  # an error answer ends the transfer
            self._emit(answer)
            return
        del association.incoming[iip.invoke_id]
        first, data = reassembler.first_request, reassembler.data
        assert first is not None and data is not None
        whole: Apdu
        try:
            if isinstance(first, set_.SetRequestWithFirstDatablock):
                whole = set_.SetRequestNormal(
                    invoke_id_and_priority=iip,
                    cosem_attribute_descriptor=first.cosem_attribute_descriptor,
                    access_selection=first.access_selection,
                    value=_common.decode_data(data, "joined datablocks"),
                )
            elif isinstance(first, set_.SetRequestWithListAndFirstDatablock):
                whole = set_.SetRequestWithList(
                    invoke_id_and_priority=iip,
                    attribute_descriptor_list=first.attribute_descriptor_list,
                    value_list=_common.decode_data_list(data, "joined datablocks"),
                )
            elif isinstance(first, action.ActionRequestWithFirstPblock):
                whole = action.ActionRequestNormal(
                    invoke_id_and_priority=iip,
                    cosem_method_descriptor=first.cosem_method_descriptor,
                    method_invocation_parameters=get.Data(
                        _common.decode_data(data, "joined pblocks")
                    ),
                )
            else:
                assert isinstance(first, action.ActionRequestWithListAndFirstPblock)
                whole = action.ActionRequestWithList(
                    invoke_id_and_priority=iip,
                    cosem_method_descriptor_list=first.cosem_method_descriptor_list,
                    method_invocation_parameters=_common.decode_data_list(data, "joined pblocks"),
                )
        except (DecodeError, ValueError):
            kind = _Kind.ACTION if reassembler.is_action else _Kind.SET
            self._block_refused(iip, kind, reassembler_blocks(request), True)
            return
        self._deliver(association, whole, reassembler_blocks(request))

    def _block_refused(
        self, iip: InvokeIdAndPriority, kind: _Kind, number: int, in_progress: bool
    ) -> None:
        """Green Book 9.4.6.7/8: a block out of sequence aborts the transfer; a block
        with no transfer running is answered no-long-set / no-long-action-in-progress."""
        if kind is _Kind.SET:
            self._emit(
                set_.SetResponseLastDatablock(
                    invoke_id_and_priority=iip,
                    result=DataAccessResult.LONG_SET_ABORTED
                    if in_progress
                    else DataAccessResult.NO_LONG_SET_IN_PROGRESS,
                    block_number=number,
                )
            )
        else:
            self._emit(
                action.ActionResponseNormal(
                    invoke_id_and_priority=iip,
                    single_response=action.ActionResponseWithOptionalData(
                        result=ActionResult.LONG_ACTION_ABORTED
                        if in_progress
                        else ActionResult.NO_LONG_ACTION_IN_PROGRESS
                    ),
                )
            )

    def _next_block(self, association: _Association, request: get.GetRequestNext) -> None:
        iip = request.invoke_id_and_priority
        segmenter = association.transfers.get(iip.invoke_id)
        if segmenter is None:
            self._emit(
                get.GetResponseNormal(
                    invoke_id_and_priority=iip, result=DataAccessResult.NO_LONG_GET_IN_PROGRESS
                )
            )
            return
        answer = segmenter.next(request)  # the next block, or the standard's error answer
        if segmenter.done:
            del association.transfers[iip.invoke_id]
        self._emit(answer)

    def _reply(self, stimulus: _Stimulus) -> ServerState | None:
        response = stimulus.apdu
        association = self._association
        assert response is not None and association is not None
        if isinstance(response, ExceptionResponse | ConfirmedServiceError):
            if association.pending:
                del association.pending[next(iter(association.pending))]
            elif association.sn:
                association.sn.popleft()
            elif association.access:
                association.access.pop()
            else:
                raise LocalProtocolError("no request is pending")
            self._emit(response)
            return None
        if isinstance(response, AccessResponse):
            long_id = response.long_invoke_id_and_priority.invoke_id
            if long_id not in association.access:
                raise LocalProtocolError(f"no ACCESS request with long invoke id {long_id}")
            association.access.discard(long_id)
            self._emit(response)
            return None
        if isinstance(response, sn.ReadResponse | sn.WriteResponse):
            wanted = _Kind.READ if isinstance(response, sn.ReadResponse) else _Kind.WRITE
            if not association.sn or association.sn[0] is not wanted:
                raise LocalProtocolError(f"no SN {wanted.name.lower()} request is pending")
            association.sn.popleft()
            self._emit(response)
            return None
        kind = _RESPONSE_KIND.get(type(response))
        if kind is None:
            raise LocalProtocolError(f"{response.NAME} is not a response a server sends")
        iip = getattr(response, "invoke_id_and_priority", None)
        assert isinstance(iip, InvokeIdAndPriority)
        entry = association.pending.get(iip.invoke_id)
        if entry is None:
            raise LocalProtocolError(f"no request with invoke id {iip.invoke_id} is pending")
        if entry[0] is not kind:
            raise LocalProtocolError(
                f"{response.NAME} does not answer the {entry[0].name} request {iip.invoke_id}"
            )
        del association.pending[iip.invoke_id]
        if entry[2] and isinstance(response, set_.SetResponseNormal):
            # the answer to a SET with datablocks names its last block
            response = set_.SetResponseLastDatablock(
                invoke_id_and_priority=iip, result=response.result, block_number=entry[2]
            )
        elif entry[2] and isinstance(response, set_.SetResponseWithList):
            response = set_.SetResponseLastDatablockWithList(
                invoke_id_and_priority=iip, result=response.result, block_number=entry[2]
            )
        if isinstance(response, get.GetResponseNormal | get.GetResponseWithList) and (
            not isinstance(response, get.GetResponseNormal) or isinstance(response.result, get.Data)
        ):
            limit = association.client_max_pdu
            if self._security is not None:
                limit -= _common.CIPHERING_OVERHEAD
            if len(response.to_bytes()) > limit and not self._gbt_on():
                self._split(association, response, limit)
                return None
        if isinstance(response, action.ActionResponseNormal):
            limit = association.client_max_pdu
            if self._security is not None:
                limit -= _common.CIPHERING_OVERHEAD
            if (
                len(response.to_bytes()) > limit
                and not self._gbt_on()
                and association.conformance & Conformance.BLOCK_TRANSFER_WITH_ACTION
            ):
                # Green Book 9.4.6.9: the answer in pblocks carrying the encoded
                # Action-Response-With-Optional-Data (session/blocks.py).
                data = bytearray()
                response.single_response.write(data)
                segmenter = ActionResponseSegmenter(
                    bytes(data), max_pdu=limit, invoke_id_and_priority=iip
                )
                association.pblocks[iip.invoke_id] = segmenter
                self._emit(segmenter.first())
                return None
        self._emit(response)
        return None

    def _next_pblock(
        self, association: _Association, request: action.ActionRequestNextPblock
    ) -> None:
        iip = request.invoke_id_and_priority
        segmenter = association.pblocks.get(iip.invoke_id)
        if segmenter is None:
            self._emit(
                action.ActionResponseNormal(
                    invoke_id_and_priority=iip,
                    single_response=action.ActionResponseWithOptionalData(
                        result=ActionResult.NO_LONG_ACTION_IN_PROGRESS
                    ),
                )
            )
            return
        answer = segmenter.next(request)
        if segmenter.done:
            del association.pblocks[iip.invoke_id]
        self._emit(answer)

    def _split(
        self,
        association: _Association,
        response: get.GetResponseNormal | get.GetResponseWithList,
        limit: int,
    ) -> None:
        iip = response.invoke_id_and_priority
        if not association.conformance & Conformance.BLOCK_TRANSFER_WITH_GET_OR_READ:
            # Green Book 9.4.6.7: without block transfer a too long answer cannot go out.
            self._emit(
                get.GetResponseNormal(
                    invoke_id_and_priority=iip, result=DataAccessResult.OTHER_REASON
                )
            )
            return
        if isinstance(response, get.GetResponseWithList):
            data = _common.encode_result_list(response)
        else:
            assert isinstance(response.result, get.Data)
            raw = response.result.raw
            data = raw if raw is not None else axdr.encode(response.result.value)
        # Green Book 9.4.6.7 through session/blocks.py: the blocks fit the client's PDU.
        segmenter = GetResponseSegmenter(data, max_pdu=limit, invoke_id_and_priority=iip)
        association.transfers[iip.invoke_id] = segmenter
        self._emit(segmenter.first())


_Handler = Callable[[ServerSession, _Stimulus], "ServerState | None"]


def _build_table() -> dict[tuple[ServerState, ServerInput], tuple[_Handler, ServerState]]:
    s, i = ServerState, ServerInput
    c = ServerSession
    table: dict[tuple[ServerState, ServerInput], tuple[_Handler, ServerState]] = {}

    def add(state: ServerState, what: ServerInput, handler: _Handler, after: ServerState) -> None:
        table[(state, what)] = (handler, after)

    for state in ServerState:
        add(state, i.UNEXPECTED, c._unexpected, state)
        add(state, i.INVALID, c._invalid, state)
        add(state, i.LINK_DOWN, c._link_down, s.IDLE)
        add(state, i.RLRQ, c._rlrq, s.IDLE)
    add(s.IDLE, i.AARQ, c._aarq, s.IDLE)
    add(s.IDLE, i.REQUEST, c._not_associated, s.IDLE)
    add(s.AUTHENTICATING, i.AARQ, c._aarq, s.IDLE)
    add(s.AUTHENTICATING, i.REQUEST, c._pass3, s.ASSOCIATED)
    add(s.ASSOCIATED, i.AARQ, c._aarq_associated, s.ASSOCIATED)
    add(s.ASSOCIATED, i.REQUEST, c._request, s.ASSOCIATED)
    add(s.ASSOCIATED, i.REPLY, c._reply, s.ASSOCIATED)
    return table


_TRANSITIONS: Final = _build_table()


def _confirmed(apdu: Apdu) -> bool:
    """Whether a request expects an answer (its invoke-id's service-class bit; SN
    requests other than unconfirmed-write always do)."""
    if isinstance(apdu, sn.UnconfirmedWriteRequest):
        return False
    iip = getattr(apdu, "invoke_id_and_priority", None)
    if iip is None:
        iip = getattr(apdu, "long_invoke_id_and_priority", None)
    return iip is None or bool(iip.confirmed)
