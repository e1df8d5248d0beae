"""The HDLC link state machine of IEC 62056-46 for both roles, without I/O.

A client link is the *primary* station, a server link the *secondary* station of the
normal response mode (NRM) of ISO/IEC 13239: the primary sends commands, the secondary
answers only when polled (the P/F bit)::

    client (primary)                          server (secondary)
    SNRM(P) [proposed parameters]   ──────▶
                                    ◀──────   UA(F) [negotiated parameters]
    I(0) I(1) .. I(w-1, P)          ──────▶   (one window of an APDU's segments)
                                    ◀──────   RR(N(R), F)       more segments wanted
    ...                                       (the last window completes the APDU)
                                    ◀──────   I(0) .. I(w-1, F) response, first window
    RR(N(R), P)                     ──────▶   "receive-ready polling" for the next window
    DISC(P)                         ──────▶
                                    ◀──────   UA(F)

Time is passed in (``now`` in seconds); ``next_timeout()`` says when
``handle_timeout(now)`` must be called. Transitions live in one table,
``_TRANSITIONS``: (role, state, input) → handler and next state. A local call that is not in
the table raises :class:`~dlmskit.errors.LocalProtocolError`; every frame the peer can send
in a reachable state has an entry (the answer the standard prescribes: DM from a
disconnected secondary, FRMR for a command it cannot accept, or a ``FrameDropped`` event).

Facts used (each cited where applied): IEC 62056-46 (DLMS HDLC profile: frame type 3,
SNRM/UA parameter negotiation with defaults 128 bytes / window 1, LLC header, segmentation
bit) and ISO/IEC 13239 (NRM, modulo-8 N(S)/N(R), go-back-N on checkpoint, FRMR
information field).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, auto
from typing import Final

from dlmskit.errors import DecodeError, DlmsError, LocalProtocolError
from dlmskit.link._events import NEED_DATA, _NeedData
from dlmskit.link.hdlc import (
    LLC_REQUEST,
    LLC_RESPONSE,
    FrameError,
    FrameKind,
    FrameSplitter,
    HdlcAddress,
    HdlcFrame,
    HdlcParameters,
    Reassembler,
    fcs16,
    segment,
)

__all__ = [
    "ApduReceived",
    "Connected",
    "ConnectionRefused",
    "Disconnected",
    "FrameDropped",
    "HdlcLink",
    "LinkEvent",
    "LinkFailed",
    "LinkInput",
    "LinkState",
    "Role",
]

_log = logging.getLogger("dlmskit.link.hdlc")

_MODULO: Final = 8  # ISO/IEC 13239: basic (modulo-8) sequence numbers, as IEC 62056-46 uses
_DEFAULT_MAX_APDU: Final = 65535 * 16
_LLC_SIZE: Final = len(LLC_REQUEST)

# FRMR information field (ISO/IEC 13239 5.5.3.4.2 / ISO 4335 7.3.3.2, modulo 8):
# octet 1 = the rejected control field; octet 2 = V(R) (bits 8-6) | C/R (bit 5) |
# V(S) (bits 4-2) | 0; octet 3 = 0000 Z Y X W.
_FRMR_W: Final = 0x01  # control field undefined or not implemented
_FRMR_X: Final = 0x02  # information field not permitted with this command (W set too)
_FRMR_Y: Final = 0x04  # information field longer than the negotiated maximum
_FRMR_Z: Final = 0x08  # invalid N(R)
_POLL_BIT: Final = 0x10  # the P/F bit in every control field format


class Role(Enum):
    """Which end of the link this is."""

    CLIENT = auto()  # the primary station
    SERVER = auto()  # the secondary station (the meter)


class LinkState(Enum):
    """Link states; a server only uses DISCONNECTED (NDM) and CONNECTED (NRM)."""

    DISCONNECTED = auto()
    CONNECTING = auto()
    CONNECTED = auto()
    DISCONNECTING = auto()


class LinkInput(Enum):
    """What can happen to a link: local calls, the timer, and the frames the peer sends."""

    CONNECT = auto()
    SEND_APDU = auto()
    DISCONNECT = auto()
    EXPECT_RESPONSE = auto()  # client: the session says more APDUs are still to come
    TIMEOUT = auto()
    SNRM = auto()
    DISC = auto()
    UA = auto()
    DM = auto()
    FRMR = auto()
    I = auto()  # noqa: E741 - the frame's name in the standard
    RR = auto()
    RNR = auto()
    UI = auto()
    INVALID = auto()  # a frame addressed to us with good checksums but an unknown control field


_LOCAL_INPUTS: Final = frozenset(
    {LinkInput.CONNECT, LinkInput.SEND_APDU, LinkInput.DISCONNECT, LinkInput.EXPECT_RESPONSE}
)
_FRAME_INPUTS: Final = tuple(
    i for i in LinkInput if i not in _LOCAL_INPUTS and i is not LinkInput.TIMEOUT
)
_INPUT_OF_KIND: Final = {
    FrameKind.SNRM: LinkInput.SNRM,
    FrameKind.DISC: LinkInput.DISC,
    FrameKind.UA: LinkInput.UA,
    FrameKind.DM: LinkInput.DM,
    FrameKind.FRMR: LinkInput.FRMR,
    FrameKind.I: LinkInput.I,
    FrameKind.RR: LinkInput.RR,
    FrameKind.RNR: LinkInput.RNR,
    FrameKind.UI: LinkInput.UI,
}


# --- events ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Connected:
    """The link is up; ``parameters`` are the negotiated ones, seen from this side."""

    parameters: HdlcParameters


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionRefused:
    """The server answered SNRM with DM (or FRMR)."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ApduReceived:
    """A complete APDU (segments joined, LLC header removed)."""

    apdu: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Disconnected:
    """The link is down: ``"local"``, ``"peer"``, ``"inactivity"`` or what the peer said."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FrameDropped:
    """A frame (or an APDU) was discarded; the link keeps going."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkFailed:
    """The peer stopped answering (``max_retries`` exhausted) or rejected us with FRMR."""

    reason: str


LinkEvent = Connected | ConnectionRefused | ApduReceived | Disconnected | FrameDropped | LinkFailed


@dataclass(frozen=True, slots=True)
class _Stimulus:
    """The payload of one input: the frame received, or the APDU to send."""

    frame: HdlcFrame | None = None
    apdu: bytes = b""
    control: int = 0  # the raw control byte of an INVALID frame
    expected: bool = True  # EXPECT_RESPONSE: set (True) or clear (False)


_Segment = tuple[bytes, bool]  # (information field, segmentation bit)


def _same_address(a: HdlcAddress, b: HdlcAddress) -> bool:
    # The wire size is a matter of encoding; the station is named by its two parts.
    return a.logical == b.logical and a.physical == b.physical


_MIN_MAX_INFO: Final = 32  # IEC 62056-46: the smallest maximum information field length


def _peer_parameters(information: bytes) -> HdlcParameters:
    """The parameters of a SNRM or UA information field; empty means the defaults
    (IEC 62056-46 6.4.4.4.3.2: 128 bytes, window 1). A maximum information field length
    below the standard's 32 bytes could not even carry an LLC header and a short APDU, so
    it is refused as a :class:`DecodeError`."""
    peer = HdlcParameters.decode(information)
    if min(peer.max_info_transmit, peer.max_info_receive) < _MIN_MAX_INFO:
        raise DecodeError(f"maximum information field length below {_MIN_MAX_INFO} bytes")
    return peer


def _describe_frmr(info: bytes) -> str:
    if len(info) < 3:
        return "FRMR"
    flags = [name for bit, name in ((1, "W"), (2, "X"), (4, "Y"), (8, "Z")) if info[2] & bit]
    return f"FRMR: control 0x{info[0]:02X} rejected ({''.join(flags) or 'no reason'})"


class HdlcLink:
    """One end of an HDLC link (IEC 62056-46), sans-io.

    ``parameters`` are this side's wishes, from this side's point of view (what it will
    transmit and can receive); the negotiated values arrive in :class:`Connected` and are in
    :attr:`negotiated`. ``max_apdu_size`` bounds reassembly (DESIGN.md rule 7).
    ``lenient_ua`` (a quirk, client): a UA whose parameters do not decode (Gurux's
    Python server sends a group length of 0) connects with the default parameters
    instead of being refused.
    """

    def __init__(
        self,
        role: Role,
        *,
        local: HdlcAddress,
        remote: HdlcAddress,
        parameters: HdlcParameters | None = None,
        response_timeout: float = 3.0,
        inactivity_timeout: float | None = 120.0,
        max_retries: int = 3,
        max_apdu_size: int = _DEFAULT_MAX_APDU,
        lenient_ua: bool = False,
    ) -> None:
        if response_timeout <= 0:
            raise ValueError("response_timeout must be positive")
        if max_retries < 0:
            raise ValueError("max_retries must not be negative")
        if max_apdu_size < 1:
            raise ValueError("max_apdu_size must be positive")
        parameters = parameters if parameters is not None else HdlcParameters()
        # IEC 62056-46: information field 32..2030 bytes, window 1..7 (modulo-8 numbering)
        HdlcParameters.checked(
            max_info_transmit=parameters.max_info_transmit,
            max_info_receive=parameters.max_info_receive,
            window_transmit=parameters.window_transmit,
            window_receive=parameters.window_receive,
        )
        self.role: Final = role
        self.local: Final = local
        self.remote: Final = remote
        self.parameters: Final = parameters
        self.response_timeout: Final = response_timeout
        self.inactivity_timeout: Final = inactivity_timeout or None
        self.max_retries: Final = max_retries
        self.max_apdu_size: Final = max_apdu_size
        self.lenient_ua: Final = lenient_ua
        self._state = LinkState.DISCONNECTED
        self._splitter = FrameSplitter()
        self._out = bytearray()
        self._events: deque[LinkEvent] = deque()
        self._last_activity = 0.0
        self._ui_reassembler = Reassembler(max_apdu_size + _LLC_SIZE)
        self.negotiated = HdlcParameters()
        self._reset_transfer()

    # --- public API --------------------------------------------------------------------

    @property
    def state(self) -> LinkState:
        return self._state

    def connect(self, now: float) -> None:
        """Client: send SNRM with the proposed parameters."""
        self._dispatch(LinkInput.CONNECT, _Stimulus(), now)

    def send_apdu(self, apdu: bytes, now: float) -> None:
        """Queue an APDU; it leaves in windows of segments as the protocol allows."""
        self._dispatch(LinkInput.SEND_APDU, _Stimulus(apdu=bytes(apdu)), now)

    def disconnect(self, now: float) -> None:
        """Client: send DISC. Server: drop to the disconnected mode (answer DM from now on)."""
        self._dispatch(LinkInput.DISCONNECT, _Stimulus(), now)

    def expect_response(self, now: float, expected: bool = True) -> None:
        """Client: say whether the application still expects APDUs from the server.

        A client link stops polling once a complete APDU has arrived and nothing is left to
        send. When the session knows more is coming (the next blocks of a GBT window larger
        than the HDLC window, a long-running request answered in several APDUs), it calls
        ``expect_response(now)``: the link polls with RR(P) at once (or as soon as the
        current poll is answered) and keeps polling within its timers: at once after a turn
        that brought I frames, every ``response_timeout`` after a turn that brought none
        (DESIGN.md rule 2). ``expect_response(now, False)`` clears it; so does the next
        :meth:`send_apdu`. Only allowed on a connected client link.
        """
        self._dispatch(LinkInput.EXPECT_RESPONSE, _Stimulus(expected=bool(expected)), now)

    def receive_data(self, data: bytes, now: float) -> None:
        """Feed bytes from the line; frames not addressed to this link are ignored."""
        self._splitter.receive_data(data)
        while True:
            event = self._splitter.next_event()
            if isinstance(event, _NeedData):
                return
            if isinstance(event, FrameError):
                self._on_frame_error(event.raw, event.reason, now)
                continue
            frame = event.frame
            if not (
                _same_address(frame.destination, self.local)
                and _same_address(frame.source, self.remote)
            ):
                _log.debug("ignoring a frame for %s from %s", frame.destination, frame.source)
                continue
            _log.debug(
                "received %s P/F=%d N(S)=%s N(R)=%s len=%d",
                frame.kind.name,
                frame.poll_final,
                frame.send_sequence,
                frame.receive_sequence,
                len(frame.information),
            )
            self._last_activity = now
            self._dispatch(_INPUT_OF_KIND[frame.kind], _Stimulus(frame=frame), now)

    def next_event(self) -> LinkEvent | _NeedData:
        return self._events.popleft() if self._events else NEED_DATA

    def data_to_send(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    def next_timeout(self) -> float | None:
        """When :meth:`handle_timeout` must be called next (``None``: no timer runs)."""
        deadlines = []
        if self._deadline is not None:
            deadlines.append(self._deadline)
        inactivity = self._inactivity_deadline()
        if inactivity is not None:
            deadlines.append(inactivity)
        return min(deadlines) if deadlines else None

    def handle_timeout(self, now: float) -> None:
        deadline = self.next_timeout()
        if deadline is not None and now >= deadline:
            self._dispatch(LinkInput.TIMEOUT, _Stimulus(), now)

    # --- the machine -------------------------------------------------------------------

    def _dispatch(self, what: LinkInput, stimulus: _Stimulus, now: float) -> None:
        entry = _TRANSITIONS.get((self.role, self._state, what))
        if entry is None:
            if what in _LOCAL_INPUTS:
                raise LocalProtocolError(
                    f"{what.name.lower()} is not allowed for a {self.role.name.lower()} "
                    f"link in state {self._state.name}"
                )
            # Unreachable (role, state) pairs only; keep the peer from crashing us anyway.
            self._events.append(FrameDropped(reason=f"unexpected {what.name}"))
            return
        handler, next_state = entry
        override = handler(self, stimulus, now)
        self._state = override if override is not None else next_state

    def _reset_transfer(self) -> None:
        self._vs = 0  # V(S): N(S) of the next new I frame
        self._vr = 0  # V(R): the N(S) expected next
        self._va = 0  # N(S) of the oldest unacknowledged I frame
        self._unacked: deque[_Segment] = deque()
        self._pending: deque[_Segment] = deque()
        self._reassembler = Reassembler(self.max_apdu_size + _LLC_SIZE)
        self._rx_size = 0
        self._rx_discarding = False
        self._rx_incomplete = False  # the last accepted I frame had the segmentation bit
        self._rx_gap = False  # an out-of-sequence I frame was discarded since our last N(R)
        self._retries = 0
        self._deadline: float | None = None  # client: answer due, or the time to poll again
        self._poll_outstanding = False  # client: a P frame is waiting for its F answer
        self._awaiting_response = False  # client: a request was sent, no APDU back yet
        self._expecting = False  # client: expect_response() is set
        self._turn_had_i = False  # client: I frames arrived since the last poll left
        self._poll_held = False  # server: a poll the application has not answered yet
        self._frmr: bytes | None = None  # server: FRMR information to send at the next poll

    def _inactivity_deadline(self) -> float | None:
        if self.inactivity_timeout is None or self._state is not LinkState.CONNECTED:
            return None
        if self.role is Role.CLIENT and self._deadline is not None:
            return None  # the client is busy with a request: the response timer runs
        return self._last_activity + self.inactivity_timeout

    # --- output ------------------------------------------------------------------------

    def _send(
        self,
        kind: FrameKind,
        *,
        poll_final: bool,
        information: bytes = b"",
        send_sequence: int | None = None,
        segmented: bool = False,
    ) -> None:
        receive_sequence = self._vr if kind in (FrameKind.I, FrameKind.RR, FrameKind.RNR) else None
        if receive_sequence is not None:
            self._rx_gap = False  # this frame tells the peer where to resume
        frame = HdlcFrame(
            destination=self.remote,
            source=self.local,
            kind=kind,
            poll_final=poll_final,
            send_sequence=send_sequence,
            receive_sequence=receive_sequence,
            segmented=segmented,
            information=information,
        )
        _log.debug(
            "sending %s P/F=%d N(S)=%s N(R)=%s len=%d",
            kind.name,
            poll_final,
            send_sequence,
            receive_sequence,
            len(information),
        )
        self._out += frame.encode()

    def _send_window(self) -> bool:
        """Send up to a window of pending segments, P/F on the last; False if none."""
        room = self.negotiated.window_transmit - len(self._unacked)
        batch: list[_Segment] = []
        while room > 0 and self._pending:
            batch.append(self._pending.popleft())
            room -= 1
        for index, (information, segmented) in enumerate(batch):
            self._unacked.append((information, segmented))
            self._send(
                FrameKind.I,
                poll_final=index == len(batch) - 1,
                information=information,
                send_sequence=self._vs,
                segmented=segmented,
            )
            self._vs = (self._vs + 1) % _MODULO
        return bool(batch)

    def _go_back(self) -> None:
        """Go-back-N (ISO/IEC 13239): resend everything from the peer's N(R) on."""
        self._pending.extendleft(reversed(self._unacked))
        self._unacked.clear()
        self._vs = self._va

    def _arm(self, now: float) -> None:
        """Client: a P frame left; its answer is due within ``response_timeout``."""
        self._poll_outstanding = True
        self._turn_had_i = False
        self._deadline = now + self.response_timeout

    # --- input helpers -----------------------------------------------------------------

    def _on_frame_error(self, raw: bytes, reason: str, now: float) -> None:
        control = self._illegal_control(raw)
        if control is None:
            self._events.append(FrameDropped(reason=reason))
            return
        self._last_activity = now
        self._dispatch(LinkInput.INVALID, _Stimulus(control=control), now)

    def _illegal_control(self, raw: bytes) -> int | None:
        """The control byte of a frame that is ours and intact but did not decode.

        Checks the FCS over everything between the flags (IEC 62056-46 frame type 3,
        CRC-16/X.25 sent least significant byte first) and our address pair.
        """
        header = self.local.encode() + self.remote.encode()
        if len(raw) < 3 or raw[0] != 0x7E:
            return None
        length = ((raw[1] << 8) | raw[2]) & 0x07FF
        body = raw[1 : 1 + length]  # the splitter may have cut the closing flag off
        if len(body) != length or length < 2 + len(header) + 1 + 2:
            return None
        if fcs16(body[:-2]) != int.from_bytes(body[-2:], "little"):
            return None
        if body[2 : 2 + len(header)] != header:
            return None
        return body[2 + len(header)]

    def _ack(self, receive_sequence: int | None) -> bool:
        """Take N(R) as an acknowledgement; False when it is out of range (FRMR Z)."""
        if receive_sequence is None:
            return False
        count = (receive_sequence - self._va) % _MODULO
        if count > len(self._unacked):
            return False
        for _ in range(count):
            self._unacked.popleft()
        self._va = receive_sequence
        return True

    def _accept_i(self, frame: HdlcFrame) -> bool:
        """Take an I frame in; True when it completed an APDU."""
        if frame.send_sequence != self._vr:
            # ISO/IEC 13239 go-back-N: an out-of-sequence I frame is discarded; our next
            # N(R) makes the peer resend from the missing one.
            self._rx_gap = True
            return False
        self._vr = (self._vr + 1) % _MODULO
        self._rx_gap = False  # what was discarded before was a duplicate
        self._rx_incomplete = frame.segmented
        information = frame.information
        if self._rx_discarding:
            self._rx_discarding = frame.segmented
            return False
        self._rx_size += len(information)
        if self._rx_size > self.max_apdu_size + _LLC_SIZE:
            self._drop_apdu(frame.segmented, f"APDU longer than {self.max_apdu_size} bytes")
            return False
        try:
            apdu = self._reassembler.feed(information, frame.segmented)
        except DlmsError as error:
            self._drop_apdu(frame.segmented, f"bad segment: {error}")
            return False
        if apdu is None:
            return False
        self._rx_size = 0
        self._awaiting_response = False
        self._events.append(ApduReceived(apdu=apdu))
        return True

    def _drop_apdu(self, more: bool, reason: str) -> None:
        self._reassembler = Reassembler(self.max_apdu_size + _LLC_SIZE)
        self._rx_size = 0
        self._rx_discarding = more  # throw away the rest of this APDU's segments
        if not more:
            self._awaiting_response = False
        self._events.append(FrameDropped(reason=reason))

    # --- handlers: both roles ----------------------------------------------------------

    def _ignore(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        return None

    def _drop_unexpected(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        what = stimulus.frame.kind.name if stimulus.frame else f"control 0x{stimulus.control:02X}"
        self._events.append(FrameDropped(reason=f"unexpected {what} in {self._state.name}"))
        return None

    def _on_ui(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        # UI frames (e.g. pushes, IEC 62056-46 6.4.4.4.3.6) carry data outside the sequence
        # numbering, in any state.
        assert stimulus.frame is not None
        try:
            apdu = self._ui_reassembler.feed(stimulus.frame.information, stimulus.frame.segmented)
        except DlmsError as error:
            self._ui_reassembler = Reassembler(self.max_apdu_size + _LLC_SIZE)
            self._events.append(FrameDropped(reason=f"bad UI frame: {error}"))
            return None
        if apdu is not None:
            self._events.append(ApduReceived(apdu=apdu))
        return None

    # --- handlers: client (primary) ----------------------------------------------------

    def _client_connect(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        self._reset_transfer()
        self._send(FrameKind.SNRM, poll_final=True, information=self.parameters.encode())
        self._arm(now)
        return None

    def _client_ua(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        assert stimulus.frame is not None
        information = stimulus.frame.information
        try:
            peer = _peer_parameters(information)
        except DlmsError as error:
            if not self.lenient_ua:
                # A clear refusal rather than silence: retrying the SNRM would get the
                # same UA, and the caller would only see "no answer".
                self._reset_transfer()
                self._events.append(
                    ConnectionRefused(
                        reason=f"UA with bad parameters ({error}); the lenient_ua quirk "
                        "uses the default 128-byte / window-1 parameters instead"
                    )
                )
                return LinkState.DISCONNECTED
            # Quirk (DESIGN.md rule 9): the IEC 62056-46 defaults, which every server
            # must accept, stand in for parameters that do not decode.
            self._events.append(FrameDropped(reason=f"UA parameters ignored: {error}"))
            peer = HdlcParameters()
        self._reset_transfer()
        self.negotiated = self.parameters.negotiate(peer)
        self._events.append(Connected(parameters=self.negotiated))
        return None

    def _client_refused(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        assert stimulus.frame is not None
        self._reset_transfer()
        self._events.append(ConnectionRefused(reason=f"server answered {stimulus.frame.kind.name}"))
        return None

    def _client_disconnect(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        self._reset_transfer()
        self._send(FrameKind.DISC, poll_final=True)
        self._arm(now)
        return None

    def _client_disconnected(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        self._reset_transfer()
        self._events.append(Disconnected(reason="local"))
        return None

    def _client_peer_dm(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        # A DM in NRM: the server is (no longer) connected, e.g. after its inactivity timer.
        self._reset_transfer()
        self._events.append(Disconnected(reason="peer is in disconnected mode (DM)"))
        return None

    def _client_frmr(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        assert stimulus.frame is not None
        self._reset_transfer()
        self._events.append(LinkFailed(reason=_describe_frmr(stimulus.frame.information)))
        return None

    def _client_send_apdu(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        self._pending.extend(
            segment(stimulus.apdu, self.negotiated.max_info_transmit, llc=LLC_REQUEST)
        )
        self._awaiting_response = True
        self._expecting = False  # expect_response() lasts until the next request
        self._last_activity = now
        if not self._poll_outstanding and self._send_window():
            self._arm(now)
        return None

    def _client_frame(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        """I, RR or RNR from the server."""
        frame = stimulus.frame
        assert frame is not None
        if not self._ack(frame.receive_sequence):
            self._events.append(FrameDropped(reason=f"{frame.kind.name} with invalid N(R)"))
            return None
        if frame.kind is FrameKind.I:
            self._turn_had_i = True
            if len(frame.information) > self.negotiated.max_info_receive:
                self._events.append(FrameDropped(reason="I frame longer than negotiated"))
                self._rx_gap = True
            else:
                self._accept_i(frame)
        if frame.poll_final and self._poll_outstanding:
            self._client_final(frame.kind is FrameKind.RNR, now)
        return None

    def _client_final(self, busy: bool, now: float) -> None:
        """The server ended its turn (F): decide what to send next (ISO/IEC 13239 NRM)."""
        self._poll_outstanding = False
        self._retries = 0
        self._deadline = None
        if self._unacked:
            self._go_back()  # the answer's N(R) shows frames were lost
        if not busy and self._pending:
            self._send_window()
            self._arm(now)
        elif not busy and (self._rx_incomplete or self._rx_gap):
            # Receive-ready polling: ask for the next window of the response.
            self._send(FrameKind.RR, poll_final=True)
            self._arm(now)
        elif not busy and self._expecting and self._turn_had_i:
            # expect_response(): the server sent data this turn and the session says more
            # APDUs follow (e.g. GBT blocks beyond the HDLC window): poll for them now.
            self._send(FrameKind.RR, poll_final=True)
            self._arm(now)
        elif busy or self._awaiting_response or self._pending or self._expecting:
            # The meter is still working on the request: poll again after the timeout
            # (DESIGN.md rule 2: a slow profile read must not end in a DISC).
            self._deadline = now + self.response_timeout

    def _client_expect_response(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        self._expecting = stimulus.expected
        self._last_activity = now
        if not stimulus.expected:
            if not (self._poll_outstanding or self._awaiting_response or self._pending):
                self._deadline = None  # nothing is due: back to the inactivity timer
            return None
        if not self._poll_outstanding:
            # The server ended its turn already: ask for what follows (ISO/IEC 13239 NRM,
            # the primary polls with RR(P); the secondary answers I frames or RR(F)).
            if not self._send_window():
                self._send(FrameKind.RR, poll_final=True)
            self._arm(now)
        else:
            self._turn_had_i = True  # poll again at once when the current turn ends
        return None

    def _client_timeout(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        if self._deadline is None or now < self._deadline:
            inactivity = self._inactivity_deadline()
            if inactivity is not None and now >= inactivity:
                self._send(FrameKind.DISC, poll_final=True)  # courtesy; the link is gone
                self._reset_transfer()
                self._events.append(Disconnected(reason="inactivity"))
                return LinkState.DISCONNECTED
            return None
        if not self._poll_outstanding:
            # The last poll was answered; ask again (not counted as a failure).
            if not self._send_window():
                self._send(FrameKind.RR, poll_final=True)
            self._arm(now)
            return None
        self._retries += 1
        if self._retries > self.max_retries:
            self._reset_transfer()
            self._events.append(
                LinkFailed(reason=f"no answer after {self.max_retries} retransmissions")
            )
            return LinkState.DISCONNECTED
        if self._state is LinkState.CONNECTING:
            self._send(FrameKind.SNRM, poll_final=True, information=self.parameters.encode())
        elif self._state is LinkState.DISCONNECTING:
            self._send(FrameKind.DISC, poll_final=True)
        else:
            self._go_back()
            if not self._send_window():
                self._send(FrameKind.RR, poll_final=True)
        self._deadline = now + self.response_timeout
        return None

    # --- handlers: server (secondary) --------------------------------------------------

    def _server_snrm(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        assert stimulus.frame is not None
        information = stimulus.frame.information
        try:
            peer = _peer_parameters(information)
        except DlmsError as error:
            if self._state is LinkState.DISCONNECTED:
                # refuse to connect: a secondary in NDM answers with DM
                self._events.append(FrameDropped(reason=f"SNRM refused: {error}"))
                self._send(FrameKind.DM, poll_final=True)
                return LinkState.DISCONNECTED
            self._frmr_answer(stimulus.frame, _FRMR_W | _FRMR_X, f"bad SNRM parameters: {error}")
            return None
        self._reset_transfer()
        self.negotiated = self.parameters.negotiate(peer)
        self._send(FrameKind.UA, poll_final=True, information=self.negotiated.encode())
        self._events.append(Connected(parameters=self.negotiated))
        return None

    def _server_disc(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        self._reset_transfer()
        self._send(FrameKind.UA, poll_final=True)
        self._events.append(Disconnected(reason="peer"))
        return None

    def _server_dm(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        # IEC 62056-46 / ISO/IEC 13239: a secondary in the disconnected mode answers every
        # poll except SNRM with DM (DISC included).
        polled = stimulus.frame.poll_final if stimulus.frame else bool(stimulus.control & _POLL_BIT)
        if polled:
            self._send(FrameKind.DM, poll_final=True)
        return None

    def _server_disconnect(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        self._reset_transfer()
        self._events.append(Disconnected(reason="local"))
        return None

    def _server_timeout(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        inactivity = self._inactivity_deadline()
        if inactivity is None or now < inactivity:
            return None
        self._reset_transfer()
        self._events.append(Disconnected(reason="inactivity"))
        return LinkState.DISCONNECTED

    def _server_send_apdu(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        self._pending.extend(
            segment(stimulus.apdu, self.negotiated.max_info_transmit, llc=LLC_RESPONSE)
        )
        if self._poll_held:
            self._poll_held = False
            self._send_window()
        return None

    def _server_invalid(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        if stimulus.frame is not None:  # a response frame (UA, DM, FRMR) sent to a secondary
            self._frmr_answer(stimulus.frame, _FRMR_W, f"{stimulus.frame.kind.name} is no command")
            return None
        info = bytes((stimulus.control, self._frmr_state(), _FRMR_W))
        self._events.append(FrameDropped(reason=f"undefined control 0x{stimulus.control:02X}"))
        self._frmr = info
        if stimulus.control & _POLL_BIT:
            self._server_poll(completed=False)
        return None

    def _frmr_state(self) -> int:
        return (self._vr << 5) | (self._vs << 1)

    def _frmr_answer(self, frame: HdlcFrame, flags: int, reason: str) -> None:
        """Reject a command (ISO/IEC 13239 FRMR); sent now if polled, else at the next poll."""
        self._frmr = bytes((frame.control, self._frmr_state(), flags))
        self._events.append(FrameDropped(reason=f"rejected with FRMR: {reason}"))
        if frame.poll_final:
            self._server_poll(completed=False)

    def _server_frame(self, stimulus: _Stimulus, now: float) -> LinkState | None:
        """I, RR or RNR from the client."""
        frame = stimulus.frame
        assert frame is not None
        if frame.kind is not FrameKind.I and frame.information:
            self._frmr_answer(frame, _FRMR_W | _FRMR_X, "information field not allowed")
            return None
        if len(frame.information) > self.negotiated.max_info_receive:
            self._frmr_answer(frame, _FRMR_Y, "information field longer than negotiated")
            return None
        if not self._ack(frame.receive_sequence):
            self._frmr_answer(frame, _FRMR_Z, "invalid N(R)")
            return None
        completed = frame.kind is FrameKind.I and self._accept_i(frame)
        if frame.poll_final:
            self._server_poll(completed=completed, busy=frame.kind is FrameKind.RNR)
        return None

    def _server_poll(self, *, completed: bool, busy: bool = False) -> None:
        """Answer a poll, ending with F (the secondary may send only now, NRM)."""
        if self._frmr is not None:
            self._send(FrameKind.FRMR, poll_final=True, information=self._frmr)
            self._frmr = None
            return
        if self._unacked:
            self._go_back()  # the client's N(R) shows frames were lost
        if not busy and not self._rx_incomplete and self._pending:
            self._poll_held = False
            self._send_window()
            return
        if completed and not self._rx_gap and not self._pending:
            # A request is complete: hold the poll so that the application's answer goes
            # out at once. A poll that comes while we hold one is answered with RR.
            self._poll_held = True
            return
        self._poll_held = False
        self._send(FrameKind.RR, poll_final=True)


_Handler = Callable[[HdlcLink, _Stimulus, float], "LinkState | None"]

_C, _S = Role.CLIENT, Role.SERVER
_DISCONNECTED = LinkState.DISCONNECTED
_CONNECTING = LinkState.CONNECTING
_CONNECTED = LinkState.CONNECTED
_DISCONNECTING = LinkState.DISCONNECTING


def _build_table() -> dict[tuple[Role, LinkState, LinkInput], tuple[_Handler, LinkState]]:
    i = LinkInput
    table: dict[tuple[Role, LinkState, LinkInput], tuple[_Handler, LinkState]] = {}

    def add(
        role: Role, state: LinkState, what: LinkInput, handler: _Handler, after: LinkState
    ) -> None:
        table[(role, state, what)] = (handler, after)

    # Client (primary). Any frame the server sends has an entry in every state.
    for state in LinkState:
        for what in _FRAME_INPUTS:
            add(_C, state, what, HdlcLink._drop_unexpected, state)
        add(_C, state, i.UI, HdlcLink._on_ui, state)
    for what in _FRAME_INPUTS:
        if what is not i.UI:
            add(_C, _DISCONNECTED, what, HdlcLink._ignore, _DISCONNECTED)  # late answers
    add(_C, _DISCONNECTED, i.CONNECT, HdlcLink._client_connect, _CONNECTING)
    add(_C, _DISCONNECTED, i.TIMEOUT, HdlcLink._ignore, _DISCONNECTED)
    add(_C, _CONNECTING, i.UA, HdlcLink._client_ua, _CONNECTED)
    add(_C, _CONNECTING, i.DM, HdlcLink._client_refused, _DISCONNECTED)
    add(_C, _CONNECTING, i.FRMR, HdlcLink._client_refused, _DISCONNECTED)
    add(_C, _CONNECTING, i.TIMEOUT, HdlcLink._client_timeout, _CONNECTING)
    add(_C, _CONNECTING, i.DISCONNECT, HdlcLink._client_disconnect, _DISCONNECTING)
    add(_C, _CONNECTED, i.SEND_APDU, HdlcLink._client_send_apdu, _CONNECTED)
    add(_C, _CONNECTED, i.DISCONNECT, HdlcLink._client_disconnect, _DISCONNECTING)
    add(_C, _CONNECTED, i.EXPECT_RESPONSE, HdlcLink._client_expect_response, _CONNECTED)
    add(_C, _CONNECTED, i.I, HdlcLink._client_frame, _CONNECTED)
    add(_C, _CONNECTED, i.RR, HdlcLink._client_frame, _CONNECTED)
    add(_C, _CONNECTED, i.RNR, HdlcLink._client_frame, _CONNECTED)
    add(_C, _CONNECTED, i.DM, HdlcLink._client_peer_dm, _DISCONNECTED)
    add(_C, _CONNECTED, i.FRMR, HdlcLink._client_frmr, _DISCONNECTED)
    add(_C, _CONNECTED, i.TIMEOUT, HdlcLink._client_timeout, _CONNECTED)
    add(_C, _DISCONNECTING, i.UA, HdlcLink._client_disconnected, _DISCONNECTED)
    add(_C, _DISCONNECTING, i.DM, HdlcLink._client_disconnected, _DISCONNECTED)
    add(_C, _DISCONNECTING, i.TIMEOUT, HdlcLink._client_timeout, _DISCONNECTING)

    # Server (secondary): NDM (DISCONNECTED) and NRM (CONNECTED) only.
    for what in _FRAME_INPUTS:
        add(_S, _DISCONNECTED, what, HdlcLink._server_dm, _DISCONNECTED)
    add(_S, _DISCONNECTED, i.SNRM, HdlcLink._server_snrm, _CONNECTED)
    add(_S, _DISCONNECTED, i.UI, HdlcLink._on_ui, _DISCONNECTED)
    add(_S, _DISCONNECTED, i.TIMEOUT, HdlcLink._ignore, _DISCONNECTED)
    add(_S, _CONNECTED, i.SNRM, HdlcLink._server_snrm, _CONNECTED)  # re-initialise the link
    add(_S, _CONNECTED, i.DISC, HdlcLink._server_disc, _DISCONNECTED)
    add(_S, _CONNECTED, i.I, HdlcLink._server_frame, _CONNECTED)
    add(_S, _CONNECTED, i.RR, HdlcLink._server_frame, _CONNECTED)
    add(_S, _CONNECTED, i.RNR, HdlcLink._server_frame, _CONNECTED)
    add(_S, _CONNECTED, i.UA, HdlcLink._server_invalid, _CONNECTED)
    add(_S, _CONNECTED, i.DM, HdlcLink._server_invalid, _CONNECTED)
    add(_S, _CONNECTED, i.FRMR, HdlcLink._server_invalid, _CONNECTED)
    add(_S, _CONNECTED, i.INVALID, HdlcLink._server_invalid, _CONNECTED)
    add(_S, _CONNECTED, i.UI, HdlcLink._on_ui, _CONNECTED)
    add(_S, _CONNECTED, i.TIMEOUT, HdlcLink._server_timeout, _CONNECTED)
    add(_S, _CONNECTED, i.SEND_APDU, HdlcLink._server_send_apdu, _CONNECTED)
    add(_S, _CONNECTED, i.DISCONNECT, HdlcLink._server_disconnect, _DISCONNECTED)
    return table


_TRANSITIONS: Final = _build_table()
