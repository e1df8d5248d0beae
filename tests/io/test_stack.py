"""The sans-io client stack (dlmskit.io.stack.ClientStack) against a server built from the
real link and session code, in memory, on a virtual clock: HDLC, the wrapper stream (fed
one byte at a time) and UDP datagrams; one deadline over the whole stack with RR polling
while a request is pending (IEC 62056-46 6.4.4.4.3.3: the primary polls the secondary);
the link failing after its retries; the frame log (hex + one-line summary) with the LLS
password masked."""

from __future__ import annotations

import logging

import pytest

from dlmskit import axdr
from dlmskit.apdu.common import CosemAttributeDescriptor
from dlmskit.errors import RemoteProtocolError
from dlmskit.io.stack import ClientStack, redacted_hex, summary
from dlmskit.link.hdlc import HdlcAddress, HdlcFrame
from dlmskit.link.hdlc_link import Connected, Disconnected, HdlcLink, LinkFailed, Role
from dlmskit.link.wrapper import WrapperPdu, WrapperPduReceived, WrapperStream, decode_datagram
from dlmskit.obis import Obis
from dlmskit.security.mechanisms import MechanismId
from dlmskit.session import (
    NEED_DATA,
    Associate,
    AssociationAccepted,
    AssociationConfig,
    ClientSettings,
    Get,
    GetResult,
    Release,
    Released,
    RequestTimedOut,
    ServerSession,
    ServerSettings,
)
from tests.session._pair import Objects

CLIENT = 16
NAME = (1, Obis.parse("0.0.42.0.0.255").to_bytes(), 2)  # Data: logical device name
PASSWORD = b"Pa55w0rd"


def server_settings() -> ServerSettings:
    return ServerSettings(
        associations={
            CLIENT: AssociationConfig(),
            3: AssociationConfig(mechanism=MechanismId.LOW, secret=PASSWORD),
        }
    )


class Server:
    """A meter in memory: an HDLC secondary (or the wrapper) + ServerSession + objects."""

    def __init__(self, framing: str, client: int = CLIENT) -> None:
        self.framing = framing
        self.client = client
        self.session = ServerSession(server_settings(), client_sap=client)
        self.objects = Objects({NAME: axdr.OctetString(b"DLK0000000001")})
        self.link = HdlcLink(
            Role.SERVER,
            local=HdlcAddress.server(1, 17),
            remote=HdlcAddress.client(client),
            inactivity_timeout=None,
        )
        self.stream = WrapperStream()
        self.silent = False
        self.frames_in: list[bytes] = []

    def _apdu(self, apdu: bytes, now: float) -> None:
        self.session.receive_apdu(apdu, now)
        while (event := self.session.next_event()) is not NEED_DATA:
            answer = self.objects.answer(event)
            if answer is not None:
                self.session.send(answer, now)

    def _answers(self) -> list[bytes]:
        return list(self.session.data_to_send())

    def receive(self, data: bytes, now: float) -> bytes:
        """Bytes from the client → bytes back."""
        if self.silent:
            return b""
        if self.framing == "hdlc":
            self.frames_in.append(data)
            self.link.receive_data(data, now)
            while (event := self.link.next_event()) is not NEED_DATA:
                if hasattr(event, "apdu"):
                    self._apdu(event.apdu, now)
            for apdu in self._answers():
                self.link.send_apdu(apdu, now)
            return self.link.data_to_send()
        self.stream.receive_data(data)
        while (event := self.stream.next_event()) is not NEED_DATA:
            assert isinstance(event, WrapperPduReceived)
            self._apdu(event.pdu.apdu, now)
        return b"".join(self.stream.send(1, self.client, apdu) for apdu in self._answers())

    def datagram(self, datagram: bytes, now: float) -> list[bytes]:
        self._apdu(decode_datagram(datagram).apdu, now)
        return [
            WrapperPdu(source=1, destination=self.client, apdu=apdu).encode()
            for apdu in self._answers()
        ]


class Wire:
    """Moves bytes between a ClientStack and a Server; the clock jumps to deadlines."""

    def __init__(self, stack: ClientStack, server: Server, *, trickle: bool = False) -> None:
        self.stack = stack
        self.server = server
        self.trickle = trickle  # deliver the server's bytes one at a time
        self.now = 1000.0

    def _move(self) -> bool:
        moved = False
        if self.stack.framing == "udp":
            for datagram in self.stack.datagrams_to_send():
                moved = True
                for answer in self.server.datagram(datagram, self.now):
                    self.stack.receive_datagram(answer, self.now)
            return moved
        data = self.stack.data_to_send()
        if data:
            moved = True
            back = self.server.receive(data, self.now)
            chunks = [back[i : i + 1] for i in range(len(back))] if self.trickle else [back]
            for chunk in chunks:
                if chunk:
                    self.stack.receive_data(chunk, self.now)
        return moved

    def until(self, wanted: type, limit: int = 1000) -> object:
        for _ in range(limit):
            while self._move():
                pass
            event = self.stack.next_event()
            if event is not NEED_DATA and not isinstance(event, type(NEED_DATA)):
                if isinstance(event, wanted):
                    return event
                raise AssertionError(f"unexpected {event!r}")
            deadline = self.stack.next_timeout()
            if deadline is None:
                break
            self.now = max(self.now, deadline)
            self.stack.handle_timeout(self.now)
        raise AssertionError(f"no {wanted.__name__}")


def _stack(framing: str, **options: object) -> ClientStack:
    return ClientStack(ClientSettings(), framing=framing, client_address=CLIENT, **options)  # type: ignore[arg-type]


def _name_request() -> Get:
    class_id, instance, attribute = NAME
    return Get(
        descriptor=CosemAttributeDescriptor(
            class_id=class_id, instance_id=Obis.from_bytes(instance), attribute_id=attribute
        )
    )


@pytest.mark.parametrize(
    ("framing", "trickle"),
    [("hdlc", False), ("hdlc", True), ("wrapper", False), ("wrapper", True), ("udp", False)],
)
def test_associate_get_release(framing: str, trickle: bool) -> None:
    stack = _stack(framing)
    wire = Wire(stack, Server("hdlc" if framing == "hdlc" else "wrapper"), trickle=trickle)
    if framing == "hdlc":
        assert not stack.link_up
        stack.connect(wire.now)
        wire.until(Connected)
    assert stack.link_up
    stack.send(Associate(), wire.now)
    wire.until(AssociationAccepted)
    stack.send(_name_request(), wire.now)
    result = wire.until(GetResult)
    assert isinstance(result, GetResult)
    assert result.result.value == b"DLK0000000001"  # type: ignore[union-attr]
    stack.send(Release(), wire.now)
    wire.until(Released)
    assert stack.session.state.name == "IDLE"


def test_one_deadline_and_rr_polling_while_a_request_is_pending() -> None:
    stack = _stack("hdlc", response_timeout=2.0, max_retries=2)
    server = Server("hdlc")
    wire = Wire(stack, server)
    stack.connect(wire.now)
    wire.until(Connected)
    stack.send(Associate(), wire.now)
    wire.until(AssociationAccepted)
    assert stack.next_timeout() is None  # nothing pending: no timer runs
    server.silent = True
    stack.send(_name_request(), wire.now)
    sent = stack.data_to_send()
    assert sent and HdlcFrame.decode(sent).kind.name == "I"
    deadline = stack.next_timeout()
    # The earliest of the link's response timer and the session's request timer.
    assert deadline == min(stack.link.next_timeout(), stack.session.next_timeout())  # type: ignore[union-attr, type-var]
    assert deadline == wire.now + 2.0
    stack.handle_timeout(deadline)
    poll = stack.data_to_send()
    frame = HdlcFrame.decode(poll)
    # The primary asks again: the I frame resent or an RR poll, P bit set.
    assert frame.kind.name in ("I", "RR") and frame.poll_final
    # Without any answer the link gives up after its retries: LinkFailed, then the
    # session learns the connection is lost.
    wire.now = deadline
    event = wire.until(LinkFailed)
    assert isinstance(event, LinkFailed)
    assert not stack.link_up


def test_request_timeout_over_the_wrapper() -> None:
    settings = ClientSettings(request_timeout=4.0)
    stack = ClientStack(settings, framing="wrapper", client_address=CLIENT)
    server = Server("wrapper")
    wire = Wire(stack, server)
    stack.send(Associate(), wire.now)
    wire.until(AssociationAccepted)
    server.silent = True
    stack.send(_name_request(), wire.now)
    assert stack.next_timeout() == wire.now + 4.0
    assert isinstance(wire.until(RequestTimedOut), RequestTimedOut)


def test_a_broken_wrapper_stream_is_an_error() -> None:
    stack = _stack("wrapper")
    with pytest.raises(RemoteProtocolError, match="wrapper stream is broken"):
        stack.receive_data(b"\x00\x02\x00\x01\x00\x10\x00\x02\x61\x00", 0.0)  # version 2


def test_a_garbage_datagram_is_dropped() -> None:
    stack = _stack("udp")
    stack.receive_datagram(b"\x00\x01\x00", 0.0)
    assert stack.next_event() is NEED_DATA


def test_bad_framing_is_refused() -> None:
    with pytest.raises(ValueError, match="framing must be"):
        _stack("mbus")


def test_frame_log_masks_the_lls_password(caplog: pytest.LogCaptureFixture) -> None:
    settings = ClientSettings(mechanism=MechanismId.LOW, secret=PASSWORD)
    stack = ClientStack(settings, framing="wrapper", client_address=3)
    wire = Wire(stack, Server("wrapper", client=3))
    with caplog.at_level(logging.DEBUG, logger="dlmskit.frames"):
        stack.send(Associate(), wire.now)
        wire.until(AssociationAccepted)
    lines = [r.getMessage() for r in caplog.records if r.name == "dlmskit.frames"]
    assert len(lines) == 2  # AARQ out, AARE in: hex | summary each
    aarq, aare = lines
    assert aarq.startswith("C→S 60 ") and "| " in aarq
    assert aare.startswith("S→C 61 ")
    text = "\n".join(lines)
    assert PASSWORD.hex(" ") not in text and PASSWORD.decode() not in text
    assert "** " * (len(PASSWORD) - 1) + "**" in aarq  # masked in the hex
    assert "| AARQ" in aarq and "| AARE" in aare  # the one-line decoded summary


def test_redacted_hex_leaves_other_apdus_alone() -> None:
    rlrq = bytes.fromhex("6200")
    assert redacted_hex(rlrq) == "62 00"
    assert redacted_hex(b"\x60\x01") == "60 01"  # undecodable: shown as it is


@pytest.mark.parametrize(
    ("apdu", "line"),
    [
        # get-request-normal (C0 01), invoke id 1, high priority + confirmed (C1), class 1,
        # OBIS 0.0.40.0.0.255, attribute 2, no selective access (Green Book 9.3.7 layout)
        ("c001c100010000280000ff0200", "GetRequestNormal #1 1/0.0.40.0.0.255/2"),
        # get-response-normal, data: octet-string of 8 bytes "12345678"
        ("c401c10009083132333435363738", "GetResponseNormal #1 result=Data(OctetString 8B)"),
        # get-request-with-list of two attributes
        (
            "c003c1020001000028000fff0200000100002b0100ff0200",
            "GetRequestWithList #1 attribute_descriptor_list=[1/0.0.40.0.15.255/2, "
            "1/0.0.43.1.0.255/2]",
        ),
        ("6200", "RLRQ"),  # an empty RLRQ
        ("ff00", "undecodable APDU (at offset 0: unknown APDU tag 0xFF)"),
    ],
)
def test_one_line_summary(apdu: str, line: str) -> None:
    assert summary(bytes.fromhex(apdu)) == line


def test_hdlc_frames_are_logged_without_information(caplog: pytest.LogCaptureFixture) -> None:
    """Every HDLC frame at DEBUG on dlmskit.frames.hdlc: SNRM/UA, the I frames (header and
    FCS in hex, the information field only as its size: it carries the LLS password
    inside the AARQ), DISC/UA."""
    settings = ClientSettings(mechanism=MechanismId.LOW, secret=PASSWORD)
    stack = ClientStack(settings, framing="hdlc", client_address=3)
    wire = Wire(stack, Server("hdlc", client=3))
    with caplog.at_level(logging.DEBUG, logger="dlmskit.frames"):
        stack.connect(wire.now)
        wire.until(Connected)
        stack.send(Associate(), wire.now)
        wire.until(AssociationAccepted)
        stack.disconnect(wire.now)
        wire.until(Disconnected)
    frames = [r.getMessage() for r in caplog.records if r.name == "dlmskit.frames.hdlc"]
    kinds = [line.split("| ")[1].split()[0] for line in frames]
    assert kinds == ["SNRM", "UA", "I", "I", "DISC", "UA"]
    assert frames[0].startswith("C→S 7e a0 ") and frames[1].startswith("S→C 7e a0 ")
    aarq = frames[2]
    # LLC header E6 E6 00 (IEC 62056-46 8.4.4.2.1) + the 56-byte AARQ (60 36 ...)
    assert "..59B.." in aarq and "N(S)=0 N(R)=0" in aarq
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert PASSWORD.hex(" ") not in text and PASSWORD.hex() not in text
