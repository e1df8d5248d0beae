"""The client stack without I/O: a link (HDLC or the wrapper) and a ClientSession pumped
together, with one deadline for the whole stack (DESIGN.md rule 2).

::

    receive_data(bytes, now) ─▶ HdlcLink / WrapperStream ─▶ ClientSession ─▶ next_event()
    send(request, now) ─▶ ClientSession ─▶ link ─▶ data_to_send() ─▶ [bytes to write]

While a request is pending, an HDLC client link keeps polling the server with RR
(``expect_response``), so a slow answer does not end in a link failure; the deadline
given by :meth:`next_timeout` is the earliest of the link's and the session's.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections import deque
from typing import Final

from dlmskit.apdu import decode as decode_apdu
from dlmskit.apdu.common import (
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    InvokeIdAndPriority,
)
from dlmskit.apdu.get import CosemAttributeDescriptorWithSelection
from dlmskit.errors import DecodeError, RemoteProtocolError
from dlmskit.link.hdlc import (
    FrameKind,
    FrameReceived,
    FrameSplitter,
    HdlcAddress,
    HdlcFrame,
    HdlcParameters,
)
from dlmskit.link.hdlc_link import (
    ApduReceived,
    Disconnected,
    FrameDropped,
    HdlcLink,
    LinkEvent,
    LinkFailed,
    LinkState,
    Role,
)
from dlmskit.link.wrapper import WrapperError, WrapperPdu, WrapperPduReceived, WrapperStream
from dlmskit.link.wrapper import decode_datagram as decode_wrapper_datagram
from dlmskit.obis import Obis
from dlmskit.session import ClientSession, ClientSettings
from dlmskit.session._events import ClientEvent, ClientRequest, NeedData

__all__ = ["ClientStack", "StackEvent", "summary"]

_log: Final = logging.getLogger("dlmskit.frames")
# The HDLC frames themselves (SNRM/UA/RR/I segments/DISC), a child of the APDU log so the
# same handler shows both.
_hdlc_log: Final = logging.getLogger("dlmskit.frames.hdlc")

StackEvent = ClientEvent | LinkEvent


def redacted_hex(apdu: bytes) -> str:
    """The APDU as hex for the frame log, with an AARQ's calling-authentication-value (an
    LLS password travels in clear) masked as ``**``."""
    text = apdu.hex(" ")
    if apdu[:1] != b"\x60":
        return text
    try:
        value = decode_apdu(apdu)
    except DecodeError:
        return text
    secret = getattr(getattr(value, "calling_authentication_value", None), "value", None)
    if not secret:
        return text
    raw = secret.encode("latin-1") if isinstance(secret, str) else bytes(secret)
    start = apdu.find(raw)
    if start < 0:
        return text
    masked = bytearray(apdu)
    octets = [f"{b:02x}" for b in masked]
    for i in range(start, start + len(raw)):
        octets[i] = "**"
    return " ".join(octets)


def summary(apdu: bytes) -> str:
    """A one-line description of an APDU for the frame log: its name, invoke id, the
    objects it addresses and what the values are (types and sizes, not contents), e.g.
    ``GetRequestNormal #1 1/0.0.42.0.0.255/2`` or ``GetResponseNormal #1 Data(OctetString
    16B)``. The AARQ authentication value (an LLS password travels in clear) never shows."""
    try:
        value = decode_apdu(apdu)
    except DecodeError as exc:
        return f"undecodable APDU ({exc})"
    text = _compact(value, 0)
    return text if len(text) <= 200 else text[:197] + "..."


_HIDDEN: Final = frozenset({"length_forms", "raw", "calling_authentication_value"})


def _compact(value: object, depth: int) -> str:
    if isinstance(value, Obis):
        return str(value)
    if isinstance(value, InvokeIdAndPriority):
        return f"#{value.invoke_id}"
    if isinstance(value, CosemAttributeDescriptor):
        return f"{value.class_id}/{value.instance_id}/{value.attribute_id}"
    if isinstance(value, CosemAttributeDescriptorWithSelection):
        chosen = " selective" if value.access_selection is not None else ""
        return _compact(value.cosem_attribute_descriptor, depth) + chosen
    if isinstance(value, CosemMethodDescriptor):
        return f"{value.class_id}/{value.instance_id}/m{value.method_id}"
    if isinstance(value, enum.Enum):
        return value.name or str(value.value)
    if isinstance(value, bytes | bytearray | memoryview):
        kind = "" if type(value) in (bytes, bytearray, memoryview) else type(value).__name__ + " "
        return f"{kind}{len(value)}B"
    if isinstance(value, tuple) and not dataclasses.is_dataclass(value):
        kind = "" if type(value) is tuple else type(value).__name__
        if depth >= 2 or len(value) > 3:
            return f"{kind}[{len(value)}]"
        return f"{kind}[{', '.join(_compact(item, depth + 1) for item in value)}]"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if depth >= 3:
            return name
        parts = []
        for item in dataclasses.fields(value):
            if item.name in _HIDDEN:
                continue
            field_value = getattr(value, item.name)
            if field_value is None or field_value == ():
                continue
            text = _compact(field_value, depth + 1)
            if isinstance(field_value, InvokeIdAndPriority | CosemAttributeDescriptor):
                parts.append(text)
            else:
                parts.append(f"{item.name}={text}" if depth == 0 else text)
        if depth == 0:
            return " ".join((name, *parts))
        return f"{name}({' '.join(parts)})"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def frame_summary(frame: HdlcFrame, raw: bytes) -> str:
    """One HDLC frame for the log: hex, then kind, P/F, N(S)/N(R), segmentation and
    information size. The information field of an I frame is not shown (the AARQ of an
    LLS association carries the password; the APDU log shows APDUs masked)."""
    if frame.kind is FrameKind.I and frame.information:
        header = len(raw) - len(frame.information) - 3  # FCS (2) and the closing flag
        shown = f"{raw[:header].hex(' ')} ..{len(frame.information)}B.. {raw[-3:].hex(' ')}"
    else:
        shown = raw.hex(" ")
    parts = [frame.kind.name, "P/F" if frame.poll_final else ""]
    if frame.send_sequence is not None:
        parts.append(f"N(S)={frame.send_sequence}")
    if frame.receive_sequence is not None:
        parts.append(f"N(R)={frame.receive_sequence}")
    if frame.segmented:
        parts.append("segmented")
    if frame.information:
        parts.append(f"info {len(frame.information)}B")
    return f"{shown} | {' '.join(p for p in parts if p)}"


class _FrameLog:
    """Cuts one direction of an HDLC byte stream into frames for the log (only while
    DEBUG is on for ``dlmskit.frames.hdlc``: the link does its own splitting)."""

    def __init__(self, direction: str) -> None:
        self.direction = direction
        self.splitter = FrameSplitter()

    def feed(self, data: bytes) -> None:
        self.splitter.receive_data(data)
        while not isinstance(event := self.splitter.next_event(), NeedData):
            if isinstance(event, FrameReceived):
                _hdlc_log.debug("%s %s", self.direction, frame_summary(event.frame, event.raw))
            else:
                _hdlc_log.debug(
                    "%s %d bytes dropped: %s", self.direction, len(event.raw), event.reason
                )


class ClientStack:
    """One client association endpoint over one byte stream or datagram socket.

    ``framing``: ``"hdlc"``, ``"wrapper"`` (a stream) or ``"udp"`` (one wrapper PDU per
    datagram: :meth:`receive_datagram`, :meth:`datagrams_to_send`).
    """

    def __init__(
        self,
        settings: ClientSettings,
        *,
        framing: str = "wrapper",
        client_address: int = 16,
        server_address: int = 1,
        physical_address: int | None = 17,
        hdlc_parameters: HdlcParameters | None = None,
        response_timeout: float = 3.0,
        max_retries: int = 3,
        lenient_ua: bool = False,
    ) -> None:
        if framing not in ("hdlc", "wrapper", "udp"):
            raise ValueError(f"framing must be hdlc, wrapper or udp, not {framing!r}")
        self.framing = framing
        self.client_address = client_address
        self.server_address = server_address
        self.session = ClientSession(settings)
        self._events: deque[StackEvent] = deque()
        self._out = bytearray()
        self._datagrams: list[bytes] = []
        self._received = 0
        self.link: HdlcLink | None = None
        self._frame_log_out = _FrameLog("C→S")
        self._frame_log_in = _FrameLog("S→C")
        self._stream: WrapperStream | None = None
        if framing == "hdlc":
            self.link = HdlcLink(
                Role.CLIENT,
                local=HdlcAddress.client(client_address),
                remote=HdlcAddress.server(server_address, physical_address),
                parameters=hdlc_parameters,
                response_timeout=response_timeout,
                max_retries=max_retries,
                inactivity_timeout=None,
                lenient_ua=lenient_ua,
            )
        elif framing == "wrapper":
            self._stream = WrapperStream()

    # --- link ------------------------------------------------------------------------------

    @property
    def link_up(self) -> bool:
        return self.link is None or self.link.state is LinkState.CONNECTED

    def connect(self, now: float) -> None:
        """HDLC: send SNRM (the wrapper needs nothing)."""
        if self.link is not None:
            self.link.connect(now)
            self._flush_link()

    def disconnect(self, now: float) -> None:
        """HDLC: send DISC."""
        if self.link is not None and self.link.state is LinkState.CONNECTED:
            self.link.disconnect(now)
            self._flush_link()

    # --- sending ----------------------------------------------------------------------------

    def send(self, request: ClientRequest, now: float) -> int | None:
        invoke_id = self.session.send(request, now)
        self._pump_session(now)
        return invoke_id

    def _pump_session(self, now: float) -> int:
        sent = 0
        for apdu in self.session.data_to_send():
            sent += 1
            if _log.isEnabledFor(logging.DEBUG):
                _log.debug("C→S %s | %s", redacted_hex(apdu), summary(apdu))
            if self.link is not None:
                self.link.send_apdu(apdu, now)
            elif self._stream is not None:
                self._out += self._stream.send(self.client_address, self.server_address, apdu)
            else:
                pdu = WrapperPdu(
                    source=self.client_address, destination=self.server_address, apdu=apdu
                )
                self._datagrams.append(pdu.encode())
        if self.link is not None:
            self._flush_link()
        return sent

    def _flush_link(self) -> None:
        assert self.link is not None
        data = self.link.data_to_send()
        if data:
            if _hdlc_log.isEnabledFor(logging.DEBUG):
                self._frame_log_out.feed(data)
            self._out += data

    def data_to_send(self) -> bytes:
        """Bytes to write to the stream."""
        out = bytes(self._out)
        self._out.clear()
        return out

    def datagrams_to_send(self) -> list[bytes]:
        out, self._datagrams = self._datagrams, []
        return out

    # --- receiving --------------------------------------------------------------------------

    def receive_data(self, data: bytes, now: float) -> None:
        """Bytes read from the stream."""
        if self.link is not None:
            if _hdlc_log.isEnabledFor(logging.DEBUG):
                self._frame_log_in.feed(data)
            self._received = 0
            self.link.receive_data(data, now)
            self._pump_link(now)
            if not self._pump_session(now) and self._received and self._still_waiting():
                # An APDU came and the session waits for more without sending anything
                # (GBT blocks beyond the HDLC window): keep polling with RR. Not set while
                # a request is merely pending: the link polls for that by itself, and an
                # extra RR after a complete answer confuses some servers.
                self.link.expect_response(now, True)
                self._flush_link()
            return
        if self._stream is not None:
            self._stream.receive_data(data)
            while not isinstance(event := self._stream.next_event(), NeedData):
                if isinstance(event, WrapperError):
                    raise RemoteProtocolError(f"the wrapper stream is broken: {event.reason}")
                assert isinstance(event, WrapperPduReceived)
                self._apdu(event.pdu.apdu, now)
        self._pump_session(now)

    def receive_datagram(self, datagram: bytes, now: float) -> None:
        try:
            pdu = decode_wrapper_datagram(datagram)
        except DecodeError as exc:
            _log.debug("datagram dropped: %s", exc)
            return
        self._apdu(pdu.apdu, now)
        self._pump_session(now)

    def _apdu(self, apdu: bytes, now: float) -> None:
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("S→C %s | %s", apdu.hex(" "), summary(apdu))
        self.session.receive_apdu(apdu, now)

    def _pump_link(self, now: float) -> None:
        assert self.link is not None
        while not isinstance(event := self.link.next_event(), NeedData):
            if isinstance(event, ApduReceived):
                self._received += 1
                self._apdu(event.apdu, now)
            elif isinstance(event, FrameDropped):
                _log.debug("frame dropped: %s", event.reason)
            else:
                if isinstance(event, Disconnected | LinkFailed):
                    self.session.connection_lost(now)
                self._events.append(event)
        self._flush_link()

    def _still_waiting(self) -> bool:
        return bool(self.session.pending_invoke_ids) or self.session.state.name in (
            "ASSOCIATING",
            "AUTHENTICATING",
            "RELEASING",
        )

    def next_event(self) -> StackEvent | NeedData:
        """Link events (Connected, ConnectionRefused, Disconnected, LinkFailed) first,
        then session events."""
        if self._events:
            return self._events.popleft()
        return self.session.next_event()

    # --- time -------------------------------------------------------------------------------

    def next_timeout(self) -> float | None:
        deadlines = [self.session.next_timeout()]
        if self.link is not None:
            deadlines.append(self.link.next_timeout())
        present = [d for d in deadlines if d is not None]
        return min(present) if present else None

    def handle_timeout(self, now: float) -> None:
        deadline = self.session.next_timeout()
        if deadline is not None and now >= deadline:
            self.session.handle_timeout(now)
        if self.link is not None:
            deadline = self.link.next_timeout()
            if deadline is not None and now >= deadline:
                self.link.handle_timeout(now)
            self._pump_link(now)
        self._pump_session(now)
