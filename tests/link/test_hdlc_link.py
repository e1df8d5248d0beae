"""Tests of the HDLC link state machine (dlmskit.link.hdlc_link), all in memory.

A client link and a server link talk through :class:`Wire`, which moves whole frames
between them, can drop or corrupt them with a seeded ``random.Random``, and advances a
simulated clock to the next deadline when both sides are idle. No real time is involved.

Vectors: HDLC-01..11 from ``../shared/vectors`` (sources: arabine/opendlms
tests/test_hdlc.cpp and u9n/dlms-cosem tests/test_hdlc/test_hdlc.py, as cited per test).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlmskit.errors import LocalProtocolError
from dlmskit.link._events import NEED_DATA
from dlmskit.link.hdlc import (
    FrameKind,
    HdlcAddress,
    HdlcFrame,
    HdlcParameters,
    fcs16,
)
from dlmskit.link.hdlc_link import (
    _TRANSITIONS,
    ApduReceived,
    Connected,
    ConnectionRefused,
    Disconnected,
    FrameDropped,
    HdlcLink,
    LinkEvent,
    LinkFailed,
    LinkInput,
    LinkState,
    Role,
)
from tests.vectors import item, item_bytes

CLIENT = HdlcAddress.client(16)
SERVER = HdlcAddress.server(1, 17)


def split_frames(data: bytes) -> list[bytes]:
    """Cut the concatenated frames of ``data_to_send()`` by their length fields."""
    frames = []
    pos = 0
    while pos < len(data):
        length = ((data[pos + 1] << 8) | data[pos + 2]) & 0x07FF
        frames.append(data[pos : pos + length + 2])
        pos += length + 2
    return frames


def corrupt(frame: bytes, rng: random.Random) -> bytes:
    """Flip bits of one FCS byte: the frame arrives with a wrong FCS."""
    index = len(frame) - 1 - rng.choice((1, 2))
    value = frame[index] ^ rng.choice((0x01, 0x10, 0x55, 0xAA))
    if value == 0x7E:
        value ^= 0x01
    return frame[:index] + bytes((value,)) + frame[index + 1 :]


def drain(link: HdlcLink) -> list[LinkEvent]:
    events: list[LinkEvent] = []
    while (event := link.next_event()) is not NEED_DATA:
        assert not isinstance(event, type(NEED_DATA))
        events.append(event)
    return events


@dataclass
class Wire:
    """A client and a server link joined by an in-memory line with optional loss."""

    client: HdlcLink
    server: HdlcLink
    rng: random.Random | None = None
    loss: float = 0.0
    server_delay: float = 0.0
    respond: Callable[[bytes], bytes | None] = lambda apdu: apdu[::-1]
    now: float = 0.0
    client_events: list[LinkEvent] = field(default_factory=list)
    server_events: list[LinkEvent] = field(default_factory=list)
    scheduled: list[tuple[float, bytes]] = field(default_factory=list)
    frames_sent: int = 0
    chunk: int = 0  # deliver in pieces of this many bytes (0: frame by frame)

    def _carry(self, data: bytes, to: HdlcLink) -> None:
        for raw in split_frames(data):
            self.frames_sent += 1
            if self.rng is not None and self.rng.random() < self.loss:
                if self.rng.random() < 0.5:
                    continue  # dropped
                to.receive_data(corrupt(raw, self.rng), self.now)
                continue
            if self.chunk:
                for start in range(0, len(raw), self.chunk):
                    to.receive_data(raw[start : start + self.chunk], self.now)
            else:
                to.receive_data(raw, self.now)

    def pump(self) -> None:
        """Move bytes until neither side has anything to send."""
        for _ in range(100_000):
            for when, apdu in list(self.scheduled):
                if when <= self.now:
                    self.scheduled.remove((when, apdu))
                    self.server.send_apdu(apdu, self.now)
            moved = False
            data = self.client.data_to_send()
            if data:
                moved = True
                self._carry(data, self.server)
            for event in drain(self.server):
                self.server_events.append(event)
                if isinstance(event, ApduReceived) and self.server.state is LinkState.CONNECTED:
                    answer = self.respond(event.apdu)
                    if answer is not None:
                        if self.server_delay:
                            self.scheduled.append((self.now + self.server_delay, answer))
                        else:
                            self.server.send_apdu(answer, self.now)
            data = self.server.data_to_send()
            if data:
                moved = True
                self._carry(data, self.client)
            self.client_events.extend(drain(self.client))
            if not moved:
                return
        raise AssertionError("the links never went quiet")

    def advance(self) -> bool:
        """Jump the clock to the next deadline and fire it; False if none is left."""
        deadlines = [
            t for t in (self.client.next_timeout(), self.server.next_timeout()) if t is not None
        ]
        deadlines += [when for when, _ in self.scheduled]
        if not deadlines:
            return False
        self.now = max(self.now, min(deadlines))
        self.client.handle_timeout(self.now)
        self.server.handle_timeout(self.now)
        return True

    def run_until(self, done: Callable[[], bool], limit: int = 10_000) -> None:
        for _ in range(limit):
            self.pump()
            if done():
                return
            if not self.advance():
                break
        self.pump()
        assert done(), (self.client_events[-5:], self.server_events[-5:])

    # conveniences

    def connect(self) -> None:
        self.client.connect(self.now)
        self.run_until(lambda: self.client.state is not LinkState.CONNECTING)
        assert self.client.state is LinkState.CONNECTED

    def request(self, apdu: bytes) -> bytes:
        """Send ``apdu`` from the client; return the response the client received."""
        before = len(self.client_events)
        self.client.send_apdu(apdu, self.now)

        def answered() -> bool:
            return any(isinstance(e, ApduReceived) for e in self.client_events[before:])

        self.run_until(answered)
        [response] = [e.apdu for e in self.client_events[before:] if isinstance(e, ApduReceived)]
        return response

    def disconnect(self) -> None:
        self.client.disconnect(self.now)
        self.run_until(lambda: self.client.state is LinkState.DISCONNECTED)


def make_pair(
    client_parameters: HdlcParameters | None = None,
    server_parameters: HdlcParameters | None = None,
    **kwargs: object,
) -> tuple[HdlcLink, HdlcLink]:
    client = HdlcLink(
        Role.CLIENT, local=CLIENT, remote=SERVER, parameters=client_parameters, **kwargs
    )  # type: ignore[arg-type]
    server = HdlcLink(
        Role.SERVER, local=SERVER, remote=CLIENT, parameters=server_parameters, **kwargs
    )  # type: ignore[arg-type]
    return client, server


def params(info: int, window: int) -> HdlcParameters:
    return HdlcParameters(
        max_info_transmit=info, max_info_receive=info, window_transmit=window, window_receive=window
    )


# --- connect, transfer, disconnect --------------------------------------------------------


def test_connect_negotiates_the_smaller_values_on_both_sides() -> None:
    client, server = make_pair(
        HdlcParameters(max_info_transmit=512, max_info_receive=256, window_transmit=7,
                       window_receive=3),
        HdlcParameters(max_info_transmit=200, max_info_receive=1024, window_transmit=5,
                       window_receive=2),
    )  # fmt: skip
    wire = Wire(client, server)
    wire.connect()
    [client_connected] = [e for e in wire.client_events if isinstance(e, Connected)]
    [server_connected] = [e for e in wire.server_events if isinstance(e, Connected)]
    c, s = client_connected.parameters, server_connected.parameters
    # what the client transmits the server receives: min of the two proposals
    assert c.max_info_transmit == s.max_info_receive == min(512, 1024)
    assert c.max_info_receive == s.max_info_transmit == min(256, 200)
    assert c.window_transmit == s.window_receive == min(7, 2)
    assert c.window_receive == s.window_transmit == min(3, 5)
    assert client.negotiated == c and server.negotiated == s
    assert server.state is LinkState.CONNECTED


SIZES = [1, 127, 128, 129, 1000, 65536]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("window", [1, 7])
@pytest.mark.parametrize("max_info", [128, 512])
def test_apdus_of_any_size_both_directions(size: int, window: int, max_info: int) -> None:
    client, server = make_pair(params(max_info, window), params(max_info, window))
    wire = Wire(client, server, respond=lambda apdu: apdu[::-1] + b"!")
    wire.connect()
    apdu = random.Random(size).randbytes(size)
    assert wire.request(apdu) == apdu[::-1] + b"!"
    [received] = [e.apdu for e in wire.server_events if isinstance(e, ApduReceived)]
    assert received == apdu
    # a second exchange reuses the sequence numbers where the first left them
    assert wire.request(b"\xc0\x01") == b"\x01\xc0!"
    wire.disconnect()
    assert Disconnected(reason="local") in wire.client_events
    assert Disconnected(reason="peer") in wire.server_events
    assert server.state is LinkState.DISCONNECTED
    assert not [e for e in wire.client_events + wire.server_events if isinstance(e, FrameDropped)]


def test_windows_carry_the_poll_bit_on_their_last_frame_only() -> None:
    client, server = make_pair(params(128, 3), params(128, 3))
    wire = Wire(client, server)
    wire.connect()
    client.send_apdu(bytes(1000), wire.now)  # 1003 bytes with LLC: 8 frames
    frames = [HdlcFrame.decode(f) for f in split_frames(client.data_to_send())]
    assert [f.kind for f in frames] == [FrameKind.I] * 3
    assert [f.poll_final for f in frames] == [False, False, True]
    assert [f.send_sequence for f in frames] == [0, 1, 2]
    assert [f.segmented for f in frames] == [True, True, True]
    assert frames[0].information[:3] == b"\xe6\xe6\x00"
    assert all(len(f.information) == 128 for f in frames)


def test_server_asks_for_the_next_window_with_rr_and_client_polls_the_response() -> None:
    client, server = make_pair(params(128, 2), params(128, 2))
    wire = Wire(client, server)
    wire.connect()
    client.send_apdu(bytes(300), wire.now)  # 303 bytes: frames of 128, 128, 47
    server.receive_data(client.data_to_send(), wire.now)
    [rr] = [HdlcFrame.decode(f) for f in split_frames(server.data_to_send())]
    assert (rr.kind, rr.poll_final, rr.receive_sequence) == (FrameKind.RR, True, 2)
    client.receive_data(rr.encode(), wire.now)
    [last] = [HdlcFrame.decode(f) for f in split_frames(client.data_to_send())]
    assert (last.send_sequence, last.poll_final, last.segmented) == (2, True, False)
    server.receive_data(last.encode(), wire.now)
    assert drain(server) == [ApduReceived(apdu=bytes(300))]
    assert server.data_to_send() == b""  # the poll is held for the application's answer
    server.send_apdu(bytes(400), wire.now)
    window = [HdlcFrame.decode(f) for f in split_frames(server.data_to_send())]
    assert [(f.send_sequence, f.receive_sequence, f.poll_final) for f in window] == [
        (0, 3, False),
        (1, 3, True),
    ]
    assert window[0].information[:3] == b"\xe6\xe7\x00"
    client.receive_data(b"".join(f.encode() for f in window), wire.now)
    [poll] = [HdlcFrame.decode(f) for f in split_frames(client.data_to_send())]
    # receive-ready polling: RR with P asks the meter for the next window
    assert (poll.kind, poll.poll_final, poll.receive_sequence) == (FrameKind.RR, True, 2)


def test_byte_at_a_time_delivery() -> None:
    client, server = make_pair(params(128, 4), params(128, 4))
    wire = Wire(client, server, chunk=1)
    wire.connect()
    apdu = random.Random(7).randbytes(1500)
    assert wire.request(apdu) == apdu[::-1]
    wire.disconnect()


# --- loss, slow servers, dead peers -------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("window", [1, 7])
def test_survives_five_percent_loss_and_corruption(seed: int, window: int) -> None:
    rng = random.Random(seed)
    client, server = make_pair(params(128, window), params(128, window), max_retries=12)
    wire = Wire(client, server, rng=rng, loss=0.05)
    wire.connect()
    for size in (1, 129, 3000, 20000):
        apdu = rng.randbytes(size)
        assert wire.request(apdu) == apdu[::-1]
    assert [e.apdu for e in wire.server_events if isinstance(e, ApduReceived)][-4:] != []
    wire.disconnect()
    assert not [e for e in wire.client_events if isinstance(e, LinkFailed)]
    assert wire.frames_sent > 100


def test_loss_is_really_applied() -> None:
    # the loss test above must be able to fail: without retransmission nothing would arrive
    rng = random.Random(1)
    client, server = make_pair(max_retries=0)
    wire = Wire(client, server, rng=rng, loss=1.0)
    client.connect(0.0)
    wire.run_until(lambda: client.state is LinkState.DISCONNECTED)
    assert any(isinstance(e, LinkFailed) for e in wire.client_events)
    assert any(isinstance(e, FrameDropped) for e in wire.server_events)


def test_slow_server_is_polled_not_abandoned() -> None:
    client, server = make_pair(response_timeout=3.0, max_retries=2)
    wire = Wire(client, server, server_delay=20.0)
    wire.connect()
    start = wire.now
    polls_before = wire.frames_sent
    assert wire.request(b"\xc0\x01\xc1" + bytes(500)) == (b"\xc0\x01\xc1" + bytes(500))[::-1]
    assert wire.now - start >= 20.0
    assert client.state is LinkState.CONNECTED
    assert not [e for e in wire.client_events if isinstance(e, LinkFailed | Disconnected)]
    # about one RR poll and its answer every 3 s for 20 s
    assert wire.frames_sent - polls_before > 2 * (20 // 3)


def test_link_failed_after_max_retries_when_the_peer_is_gone() -> None:
    client, server = make_pair(max_retries=3, response_timeout=2.0)
    wire = Wire(client, server)
    wire.connect()
    client.send_apdu(b"\x01\x02", wire.now)
    sent = [client.data_to_send()]
    for _ in range(10):
        deadline = client.next_timeout()
        assert deadline is not None
        client.handle_timeout(deadline)
        sent.append(client.data_to_send())
        if client.state is LinkState.DISCONNECTED:
            break
    # the first send and three retransmissions, then failure
    assert len([s for s in sent if s]) == 4
    assert all(HdlcFrame.decode(s).kind is FrameKind.I for s in sent if s)
    assert isinstance(drain(client)[-1], LinkFailed)
    assert client.state is LinkState.DISCONNECTED
    assert client.next_timeout() is None


def test_connect_fails_without_answer() -> None:
    client, _ = make_pair(max_retries=1)
    client.connect(0.0)
    client.handle_timeout(3.0)
    assert HdlcFrame.decode(split_frames(client.data_to_send())[-1]).kind is FrameKind.SNRM
    client.handle_timeout(6.0)
    assert [type(e) for e in drain(client)] == [LinkFailed]


def test_inactivity_timeout_both_sides() -> None:
    client, server = make_pair(inactivity_timeout=30.0)
    wire = Wire(client, server)
    wire.connect()
    assert server.next_timeout() == pytest.approx(30.0)
    assert client.next_timeout() == pytest.approx(30.0)
    server.handle_timeout(29.0)
    assert server.state is LinkState.CONNECTED
    server.handle_timeout(30.0)
    assert server.state is LinkState.DISCONNECTED
    assert drain(server) == [Disconnected(reason="inactivity")]
    client.handle_timeout(30.0)
    assert client.state is LinkState.DISCONNECTED
    assert drain(client)[-1] == Disconnected(reason="inactivity")
    assert HdlcFrame.decode(client.data_to_send()).kind is FrameKind.DISC


# --- bad input from the peer --------------------------------------------------------------


def connected_server(parameters: HdlcParameters | None = None) -> HdlcLink:
    server = HdlcLink(Role.SERVER, local=SERVER, remote=CLIENT, parameters=parameters)
    server.receive_data(frame(FrameKind.SNRM), 0.0)
    assert server.state is LinkState.CONNECTED
    server.data_to_send()
    drain(server)
    return server


def frame(
    kind: FrameKind,
    *,
    poll: bool = True,
    ns: int | None = None,
    nr: int | None = None,
    info: bytes = b"",
    segmented: bool = False,
    source: HdlcAddress = CLIENT,
    destination: HdlcAddress = SERVER,
) -> bytes:
    if kind is FrameKind.I:
        ns = 0 if ns is None else ns
    if kind in (FrameKind.I, FrameKind.RR, FrameKind.RNR):
        nr = 0 if nr is None else nr
    return HdlcFrame(
        destination=destination,
        source=source,
        kind=kind,
        poll_final=poll,
        send_sequence=ns,
        receive_sequence=nr,
        segmented=segmented,
        information=info,
    ).encode()


def with_control(raw: bytes, control: int) -> bytes:
    """``raw`` (a frame without information field) with another control byte, FCS fixed."""
    body = bytearray(raw[1:-3])
    body[-1] = control
    return b"\x7e" + bytes(body) + fcs16(bytes(body)).to_bytes(2, "little") + b"\x7e"


def test_frames_for_other_stations_are_ignored() -> None:
    server = connected_server()
    other_server = HdlcAddress.server(1, 18)
    other_client = HdlcAddress.client(1)
    server.receive_data(frame(FrameKind.DISC, destination=other_server), 1.0)
    server.receive_data(frame(FrameKind.DISC, source=other_client), 1.0)
    server.receive_data(frame(FrameKind.I, info=b"\xe6\xe6\x00\x01", source=other_client), 1.0)
    assert server.state is LinkState.CONNECTED
    assert server.data_to_send() == b""
    assert drain(server) == []
    assert server.next_timeout() == pytest.approx(120.0)  # no activity was recorded


def test_frmr_for_an_illegal_control_field() -> None:
    server = connected_server()
    rej = with_control(frame(FrameKind.RR), 0x19)  # REJ: not used by IEC 62056-46
    server.receive_data(rej, 1.0)
    [answer] = [HdlcFrame.decode(f) for f in split_frames(server.data_to_send())]
    assert answer.kind is FrameKind.FRMR and answer.poll_final
    assert answer.information == bytes((0x19, 0x00, 0x01))  # control, V(R)/V(S), W
    assert server.state is LinkState.CONNECTED  # the link stays up
    assert [type(e) for e in drain(server)] == [FrameDropped]


def test_frmr_for_an_information_field_longer_than_negotiated() -> None:
    server = connected_server()
    server.receive_data(frame(FrameKind.I, info=bytes(129)), 1.0)
    [answer] = [HdlcFrame.decode(f) for f in split_frames(server.data_to_send())]
    assert answer.kind is FrameKind.FRMR
    assert answer.information == bytes((0x10, 0x00, 0x04))  # I(0,0,P) rejected, Y
    assert server.state is LinkState.CONNECTED
    # the next, correct frame is taken
    server.receive_data(frame(FrameKind.I, info=b"\xe6\xe6\x00\x05"), 2.0)
    assert drain(server)[-1] == ApduReceived(apdu=b"\x05")


def test_frmr_for_an_invalid_nr_and_for_information_on_rr() -> None:
    server = connected_server()
    server.receive_data(frame(FrameKind.RR, nr=3), 1.0)
    assert HdlcFrame.decode(server.data_to_send()).information[2] == 0x08  # Z
    server.receive_data(frame(FrameKind.RR, info=b"\x00"), 1.0)
    assert HdlcFrame.decode(server.data_to_send()).information[2] == 0x03  # W + X


def test_client_gives_up_on_frmr() -> None:
    client, server = make_pair()
    Wire(client, server).connect()
    drain(client)
    client.receive_data(
        frame(FrameKind.FRMR, info=b"\x19\x00\x01", source=SERVER, destination=CLIENT), 1.0
    )
    assert client.state is LinkState.DISCONNECTED
    [failed] = drain(client)
    assert isinstance(failed, LinkFailed) and "0x19" in failed.reason


@pytest.mark.parametrize(
    "kind", [FrameKind.I, FrameKind.RR, FrameKind.RNR, FrameKind.DISC, FrameKind.UA]
)
def test_dm_when_disconnected(kind: FrameKind) -> None:
    server = HdlcLink(Role.SERVER, local=SERVER, remote=CLIENT)
    server.receive_data(frame(kind), 0.0)
    answer = HdlcFrame.decode(server.data_to_send())
    assert (answer.kind, answer.poll_final) == (FrameKind.DM, True)
    assert (answer.destination, answer.source) == (CLIENT, SERVER)
    assert server.state is LinkState.DISCONNECTED
    server.receive_data(frame(kind, poll=False), 0.0)
    assert server.data_to_send() == b""  # not polled: a secondary stays silent


def test_client_dm_on_snrm_is_a_refusal() -> None:
    client, _ = make_pair()
    client.connect(0.0)
    client.data_to_send()
    client.receive_data(frame(FrameKind.DM, source=SERVER, destination=CLIENT), 0.5)
    assert client.state is LinkState.DISCONNECTED
    assert [type(e) for e in drain(client)] == [ConnectionRefused]


def test_bad_fcs_is_dropped_not_fatal() -> None:
    server = connected_server()
    good = frame(FrameKind.I, info=b"\xe6\xe6\x00\x07")
    server.receive_data(corrupt(good, random.Random(0)), 1.0)
    [dropped] = drain(server)
    assert isinstance(dropped, FrameDropped)
    server.receive_data(good, 1.0)
    assert drain(server) == [ApduReceived(apdu=b"\x07")]


def test_reassembly_is_bounded() -> None:
    client, server = make_pair(max_apdu_size=1000)
    wire = Wire(client, server)
    wire.connect()
    client.send_apdu(bytes(1500), wire.now)
    wire.pump()
    dropped = [e for e in wire.server_events if isinstance(e, FrameDropped)]
    assert dropped and "1000" in dropped[0].reason
    assert not [e for e in wire.server_events if isinstance(e, ApduReceived)]
    # the link still works afterwards
    assert wire.request(b"\x01\x02\x03") == b"\x03\x02\x01"


def test_local_misuse_raises() -> None:
    client, server = make_pair()
    with pytest.raises(LocalProtocolError):
        client.send_apdu(b"\x01", 0.0)
    with pytest.raises(LocalProtocolError):
        client.disconnect(0.0)
    with pytest.raises(LocalProtocolError):
        server.connect(0.0)
    client.connect(0.0)
    with pytest.raises(LocalProtocolError):
        client.connect(0.0)
    with pytest.raises(ValueError, match="window"):
        HdlcLink(Role.CLIENT, local=CLIENT, remote=SERVER, parameters=params(128, 8))


# --- every (role, state, input) pair of the table -----------------------------------------

REACHABLE = {
    Role.CLIENT: list(LinkState),
    Role.SERVER: [LinkState.DISCONNECTED, LinkState.CONNECTED],
}
ALL_PAIRS = [(r, s, i) for r, states in REACHABLE.items() for s in states for i in LinkInput]


def link_in(role: Role, state: LinkState) -> HdlcLink:
    if role is Role.SERVER:
        return (
            connected_server()
            if state is LinkState.CONNECTED
            else HdlcLink(Role.SERVER, local=SERVER, remote=CLIENT)
        )
    client = HdlcLink(Role.CLIENT, local=CLIENT, remote=SERVER)
    if state is not LinkState.DISCONNECTED:
        client.connect(0.0)
    if state in (LinkState.CONNECTED, LinkState.DISCONNECTING):
        client.receive_data(frame(FrameKind.UA, source=SERVER, destination=CLIENT), 0.0)
    if state is LinkState.DISCONNECTING:
        client.disconnect(0.0)
    assert client.state is state
    client.data_to_send()
    drain(client)
    return client


def apply(link: HdlcLink, what: LinkInput) -> None:
    src, dst = (CLIENT, SERVER) if link.role is Role.SERVER else (SERVER, CLIENT)
    if what is LinkInput.CONNECT:
        link.connect(1.0)
    elif what is LinkInput.SEND_APDU:
        link.send_apdu(b"\xc0\x01\xc1", 1.0)
    elif what is LinkInput.DISCONNECT:
        link.disconnect(1.0)
    elif what is LinkInput.EXPECT_RESPONSE:
        link.expect_response(1.0)
    elif what is LinkInput.TIMEOUT:
        link.handle_timeout(1000.0)
    elif what is LinkInput.INVALID:
        link.receive_data(with_control(frame(FrameKind.RR, source=src, destination=dst), 0x19), 1.0)
    else:
        kind = FrameKind[what.name]
        info = {FrameKind.I: b"\xe6\xe6\x00\x01", FrameKind.UI: b"\xe6\xe6\x00\x02"}.get(kind, b"")
        link.receive_data(frame(kind, info=info, source=src, destination=dst), 1.0)


# What each pair must do, written out independently of the implementation's table:
# (state after, kind of the frame sent or None, event types).
_LOCAL_OK = {
    (Role.CLIENT, LinkState.DISCONNECTED, LinkInput.CONNECT),
    (Role.CLIENT, LinkState.CONNECTING, LinkInput.DISCONNECT),
    (Role.CLIENT, LinkState.CONNECTED, LinkInput.SEND_APDU),
    (Role.CLIENT, LinkState.CONNECTED, LinkInput.DISCONNECT),
    (Role.CLIENT, LinkState.CONNECTED, LinkInput.EXPECT_RESPONSE),
    (Role.SERVER, LinkState.CONNECTED, LinkInput.SEND_APDU),
    (Role.SERVER, LinkState.CONNECTED, LinkInput.DISCONNECT),
}
D, CG, C, DG = (
    LinkState.DISCONNECTED,
    LinkState.CONNECTING,
    LinkState.CONNECTED,
    LinkState.DISCONNECTING,
)
EXPECTED: dict[
    tuple[Role, LinkState, LinkInput], tuple[LinkState, FrameKind | None, list[type]]
] = {
    # client, disconnected: late answers are ignored; UI data is still delivered
    (Role.CLIENT, D, LinkInput.CONNECT): (CG, FrameKind.SNRM, []),
    (Role.CLIENT, D, LinkInput.UI): (D, None, [ApduReceived]),
    (Role.CLIENT, D, LinkInput.TIMEOUT): (D, None, []),
    # client, connecting
    (Role.CLIENT, CG, LinkInput.UA): (C, None, [Connected]),
    (Role.CLIENT, CG, LinkInput.DM): (D, None, [ConnectionRefused]),
    (Role.CLIENT, CG, LinkInput.FRMR): (D, None, [ConnectionRefused]),
    (Role.CLIENT, CG, LinkInput.TIMEOUT): (CG, FrameKind.SNRM, []),
    (Role.CLIENT, CG, LinkInput.DISCONNECT): (DG, FrameKind.DISC, []),
    (Role.CLIENT, CG, LinkInput.UI): (CG, None, [ApduReceived]),
    # client, connected
    (Role.CLIENT, C, LinkInput.SEND_APDU): (C, FrameKind.I, []),
    (Role.CLIENT, C, LinkInput.DISCONNECT): (DG, FrameKind.DISC, []),
    (Role.CLIENT, C, LinkInput.EXPECT_RESPONSE): (C, FrameKind.RR, []),  # polls at once
    (Role.CLIENT, C, LinkInput.I): (C, None, [ApduReceived]),
    (Role.CLIENT, C, LinkInput.RR): (C, None, []),
    (Role.CLIENT, C, LinkInput.RNR): (C, None, []),
    (Role.CLIENT, C, LinkInput.DM): (D, None, [Disconnected]),
    (Role.CLIENT, C, LinkInput.FRMR): (D, None, [LinkFailed]),
    (Role.CLIENT, C, LinkInput.TIMEOUT): (D, FrameKind.DISC, [Disconnected]),  # inactivity
    (Role.CLIENT, C, LinkInput.UI): (C, None, [ApduReceived]),
    # client, disconnecting
    (Role.CLIENT, DG, LinkInput.UA): (D, None, [Disconnected]),
    (Role.CLIENT, DG, LinkInput.DM): (D, None, [Disconnected]),
    (Role.CLIENT, DG, LinkInput.TIMEOUT): (DG, FrameKind.DISC, []),
    (Role.CLIENT, DG, LinkInput.UI): (DG, None, [ApduReceived]),
    # server, disconnected (NDM): SNRM connects, every other poll gets DM
    (Role.SERVER, D, LinkInput.SNRM): (C, FrameKind.UA, [Connected]),
    (Role.SERVER, D, LinkInput.UI): (D, None, [ApduReceived]),
    (Role.SERVER, D, LinkInput.TIMEOUT): (D, None, []),
    # server, connected (NRM)
    (Role.SERVER, C, LinkInput.SNRM): (C, FrameKind.UA, [Connected]),
    (Role.SERVER, C, LinkInput.DISC): (D, FrameKind.UA, [Disconnected]),
    (Role.SERVER, C, LinkInput.I): (C, None, [ApduReceived]),  # poll held for the answer
    (Role.SERVER, C, LinkInput.RR): (C, FrameKind.RR, []),
    (Role.SERVER, C, LinkInput.RNR): (C, FrameKind.RR, []),
    (Role.SERVER, C, LinkInput.UA): (C, FrameKind.FRMR, [FrameDropped]),
    (Role.SERVER, C, LinkInput.DM): (C, FrameKind.FRMR, [FrameDropped]),
    (Role.SERVER, C, LinkInput.FRMR): (C, FrameKind.FRMR, [FrameDropped]),
    (Role.SERVER, C, LinkInput.INVALID): (C, FrameKind.FRMR, [FrameDropped]),
    (Role.SERVER, C, LinkInput.UI): (C, None, [ApduReceived]),
    (Role.SERVER, C, LinkInput.TIMEOUT): (D, None, [Disconnected]),  # inactivity
    (Role.SERVER, C, LinkInput.SEND_APDU): (C, None, []),  # waits for the next poll
    (Role.SERVER, C, LinkInput.DISCONNECT): (D, None, [Disconnected]),
}


def expected(role: Role, state: LinkState, what: LinkInput) -> object:
    if (role, state, what) in EXPECTED:
        return EXPECTED[(role, state, what)]
    if what in (
        LinkInput.CONNECT,
        LinkInput.SEND_APDU,
        LinkInput.DISCONNECT,
        LinkInput.EXPECT_RESPONSE,
    ):
        assert (role, state, what) not in _LOCAL_OK
        return LocalProtocolError
    if role is Role.SERVER:  # a disconnected secondary answers a poll with DM
        assert state is D
        return (D, FrameKind.DM, [])
    if state is D:
        return (D, None, [])  # a primary ignores frames while disconnected
    return (state, None, [FrameDropped])  # reported, no answer, no change


@pytest.mark.parametrize(("role", "state", "what"), ALL_PAIRS)
def test_every_pair(role: Role, state: LinkState, what: LinkInput) -> None:
    link = link_in(role, state)
    outcome = expected(role, state, what)
    if outcome is LocalProtocolError:
        assert (role, state, what) not in _TRANSITIONS
        with pytest.raises(LocalProtocolError):
            apply(link, what)
        assert link.state is state
        return
    assert (role, state, what) in _TRANSITIONS
    after, answer, events = outcome  # type: ignore[misc]
    apply(link, what)
    assert link.state is after
    sent = [HdlcFrame.decode(f).kind for f in split_frames(link.data_to_send())]
    assert sent[:1] == ([answer] if answer is not None else [])
    assert [type(e) for e in drain(link)] == events


def test_table_covers_every_frame_in_every_reachable_state() -> None:
    frames = [i for i in LinkInput if i.name in FrameKind.__members__ or i is LinkInput.INVALID]
    for role, states in REACHABLE.items():
        for state in states:
            for what in [*frames, LinkInput.TIMEOUT]:
                assert (role, state, what) in _TRANSITIONS, (role, state, what)


# --- real frames from the vectors ---------------------------------------------------------


@pytest.mark.parametrize(("number", "client_sap"), [(2, 16), (7, 16), (1, 1)])
def test_server_answers_vector_snrm_with_ua(number: int, client_sap: int) -> None:
    # HDLC-02 (opendlms test_hdlc.cpp:snrm_no_parameters), HDLC-07 (dlms-cosem
    # test_hdlc.py:112), HDLC-01 (opendlms snrm_expected: 128/128, windows 1/7)
    raw = item_bytes("HDLC", number)
    snrm = HdlcFrame.decode(raw)
    server = HdlcLink(
        Role.SERVER,
        local=snrm.destination,
        remote=HdlcAddress.client(client_sap),
        parameters=params(256, 7),
    )
    server.receive_data(raw, 0.0)
    ua = HdlcFrame.decode(server.data_to_send())
    assert (ua.kind, ua.poll_final) == (FrameKind.UA, True)
    assert ua.destination == HdlcAddress.client(client_sap) and ua.source == snrm.destination
    answered = HdlcParameters.decode(ua.information)
    proposed = HdlcParameters.decode(snrm.information)  # empty: the defaults
    assert answered == params(256, 7).negotiate(proposed)
    assert answered.max_info_transmit == min(256, proposed.max_info_receive)
    assert drain(server) == [Connected(parameters=answered)]


@pytest.mark.parametrize(
    ("number", "client_sap", "info", "window"),
    [(3, 16, 128, 1), (8, 16, 154, 1), (9, 1, 128, 1), (13, 16, 128, 1)],
)
def test_client_accepts_vector_ua(number: int, client_sap: int, info: int, window: int) -> None:
    # HDLC-03 (opendlms snrm_normal), HDLC-08 (dlms-cosem test_hdlc.py:128, max info 154),
    # HDLC-09 (dlms-cosem test_hdlc.py:72), HDLC-13 (dlms-cosem :263, UA without
    # parameters from a Pietro Fiorentini meter: the defaults)
    raw = item_bytes("HDLC", number)
    ua = HdlcFrame.decode(raw)
    client = HdlcLink(
        Role.CLIENT,
        local=HdlcAddress.client(client_sap),
        remote=ua.source,
        parameters=params(512, 7),
    )
    client.connect(0.0)
    client.data_to_send()
    client.receive_data(raw, 0.1)
    assert client.state is LinkState.CONNECTED
    assert drain(client) == [Connected(parameters=params(info, window))]
    assert item("HDLC", number)["frames"].startswith("dst=")


def test_vector_aarq_aare_exchange() -> None:
    # HDLC-07 SNRM, HDLC-10 AARQ I-frame (N(S)=0 N(R)=0 P), HDLC-11 AARE I-frame (N(S)=0
    # N(R)=1 F): u9n/dlms-cosem tests/test_hdlc/test_hdlc.py:112/168/199
    snrm, aarq, aare = item_bytes("HDLC", 7), item_bytes("HDLC", 10), item_bytes("HDLC", 11)
    aarq_apdu = HdlcFrame.decode(aarq).information[3:]
    aare_apdu = HdlcFrame.decode(aare).information[3:]
    server_address = HdlcFrame.decode(snrm).destination
    server = HdlcLink(Role.SERVER, local=server_address, remote=CLIENT)
    server.receive_data(snrm, 0.0)
    server.data_to_send()
    server.receive_data(aarq, 0.1)
    assert drain(server)[-1] == ApduReceived(apdu=aarq_apdu)
    server.send_apdu(aare_apdu, 0.2)
    assert server.data_to_send() == aare  # byte for byte the meter's frame

    client = HdlcLink(Role.CLIENT, local=CLIENT, remote=server_address)
    client.connect(0.0)
    client.data_to_send()
    client.receive_data(frame(FrameKind.UA, source=server_address, destination=CLIENT), 0.0)
    client.send_apdu(aarq_apdu, 0.1)
    assert client.data_to_send() == aarq
    client.receive_data(aare, 0.2)
    assert drain(client)[-1] == ApduReceived(apdu=aare_apdu)
    assert client.next_timeout() == pytest.approx(0.2 + 120.0)  # idle: only inactivity


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(1, 5000),
    window=st.integers(1, 7),
    info=st.sampled_from([32, 64, 128, 200, 512]),
    seed=st.integers(0, 2**32 - 1),
    loss=st.sampled_from([0.0, 0.05, 0.1]),
)
def test_property_delivered_intact(
    size: int, window: int, info: int, seed: int, loss: float
) -> None:
    rng = random.Random(seed)
    client, server = make_pair(params(info, window), params(info, window), max_retries=20)
    wire = Wire(client, server, rng=rng, loss=loss)
    wire.connect()
    apdu = rng.randbytes(size)
    assert wire.request(apdu) == apdu[::-1]
    delivered = [e.apdu for e in wire.server_events if isinstance(e, ApduReceived)]
    assert delivered == [apdu]  # exactly once, despite retransmissions


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([Role.CLIENT, Role.SERVER]))
def test_fuzz_garbage_only_gives_events(data: bytes, role: Role) -> None:
    link = link_in(role, LinkState.CONNECTED)
    link.receive_data(data, 1.0)
    link.receive_data(b"\x7e" + data, 1.0)
    for event in drain(link):
        assert isinstance(event, (FrameDropped, ApduReceived, Disconnected, LinkFailed))


def test_vector_segmented_response_is_reassembled() -> None:
    # HDLC-06 (arabine/opendlms tests/test_hdlc.cpp:multi_frames): three I frames from
    # server (1,17) to client 1, N(S)=1,2,3, N(R)=2, S bit on the first two, F on the last
    raw = item_bytes("HDLC", 6)
    infos = [bytes.fromhex(h) for h in item("HDLC", 6)["info"]]
    server_address = HdlcAddress.server(1, 17, size=4)
    me = HdlcAddress.client(1)
    client = HdlcLink(Role.CLIENT, local=me, remote=server_address)
    client.connect(0.0)
    client.receive_data(frame(FrameKind.UA, source=server_address, destination=me), 0.0)
    # first exchange: our I(0) answered by the meter's I(0) with N(R)=1
    client.send_apdu(b"\xc0\x01\xc1", 0.1)
    client.receive_data(
        frame(FrameKind.I, info=b"\xe6\xe7\x00\x01", nr=1, source=server_address, destination=me),
        0.2,
    )
    # second request I(1): the vector's frames acknowledge it with N(R)=2
    client.send_apdu(b"\xc0\x01\xc2", 0.3)
    client.data_to_send()
    drain(client)
    client.receive_data(raw, 0.4)
    [event] = drain(client)
    assert event == ApduReceived(apdu=b"".join(infos)[3:])
    assert event.apdu.startswith(bytes.fromhex("C401C100"))
    assert client.data_to_send() == b""  # complete: nothing to poll for
    assert client.next_timeout() == pytest.approx(0.4 + 120.0)


def test_vector_aare_to_client_3() -> None:
    # HDLC-05 (arabine/opendlms tests/test_hdlc.cpp:info): AARE from server (1,18) to
    # client 3, N(S)=0 N(R)=1 F, after the client's AARQ I(0)
    raw = item_bytes("HDLC", 5)
    aare = HdlcFrame.decode(raw)
    client = HdlcLink(Role.CLIENT, local=HdlcAddress.client(3), remote=aare.source)
    client.connect(0.0)
    client.receive_data(frame(FrameKind.UA, source=aare.source, destination=aare.destination), 0)
    client.send_apdu(b"\x60\x00", 0.1)
    client.data_to_send()
    client.receive_data(raw, 0.2)
    assert drain(client)[-1] == ApduReceived(apdu=aare.information[3:])
    assert aare.information[3] == 0x61  # AARE tag


def test_parameters_below_the_standard_minimum_are_refused() -> None:
    tiny = b"\x81\x80\x06\x05\x01\x02\x06\x01\x02"  # max info transmit/receive 2 bytes
    server = HdlcLink(Role.SERVER, local=SERVER, remote=CLIENT)
    server.receive_data(frame(FrameKind.SNRM, info=tiny), 0.0)
    assert HdlcFrame.decode(server.data_to_send()).kind is FrameKind.DM  # refused
    assert server.state is LinkState.DISCONNECTED
    connected = connected_server()
    connected.receive_data(frame(FrameKind.SNRM, info=tiny), 0.0)
    answer = HdlcFrame.decode(connected.data_to_send())
    assert (answer.kind, answer.information) == (FrameKind.FRMR, b"\x93\x00\x03")
    assert connected.state is LinkState.CONNECTED
    client = HdlcLink(Role.CLIENT, local=CLIENT, remote=SERVER)
    client.connect(0.0)
    client.receive_data(frame(FrameKind.UA, info=tiny, source=SERVER, destination=CLIENT), 0.1)
    assert client.state is LinkState.DISCONNECTED  # refused with the reason, not retried
    events = drain(client)
    assert [type(e) for e in events] == [ConnectionRefused]
    assert "UA with bad parameters" in events[0].reason and "lenient_ua" in events[0].reason
    # the quirk: the standard's defaults stand in (Gurux's Python server, group length 0)
    lenient = HdlcLink(Role.CLIENT, local=CLIENT, remote=SERVER, lenient_ua=True)
    lenient.connect(0.0)
    gurux_ua = b"\x81\x80\x00" + tiny[3:]
    lenient.receive_data(frame(FrameKind.UA, info=gurux_ua, source=SERVER, destination=CLIENT), 0.1)
    assert lenient.state is LinkState.CONNECTED
    assert [type(e) for e in drain(lenient)] == [FrameDropped, Connected]
    assert lenient.negotiated == HdlcParameters()


# --- expect_response(): keep polling while the session expects more APDUs -----------------


def _two_apdu_wire() -> tuple[Wire, list[bytes]]:
    """A server that answers each request with two APDUs queued at once (as a GBT server
    does with a window of blocks); window 1, so the first answer ends the server's turn."""
    client, server = make_pair(params(128, 1), params(128, 1))
    wire = Wire(client, server)
    extra: list[bytes] = []

    def respond(apdu: bytes) -> bytes | None:
        second = b"\xc4\x02" + apdu
        extra.append(second)
        wire.scheduled.append((wire.now, second))  # queued right after the first answer
        return b"\xc4\x01" + apdu

    wire.respond = respond
    wire.connect()
    return wire, extra


def _received(wire: Wire) -> list[bytes]:
    return [e.apdu for e in wire.client_events if isinstance(e, ApduReceived)]


def test_without_expect_response_the_second_apdu_waits_for_the_next_request() -> None:
    wire, _ = _two_apdu_wire()
    assert wire.request(b"\xc0\x01") == b"\xc4\x01\xc0\x01"
    wire.pump()
    assert len(_received(wire)) == 1  # the server holds it: nobody polls
    assert wire.client.next_timeout() == wire.client._inactivity_deadline()


def test_expect_response_polls_for_the_next_apdu_at_once() -> None:
    wire, extra = _two_apdu_wire()
    wire.request(b"\xc0\x01")
    wire.pump()
    now = wire.now
    wire.client.expect_response(wire.now)
    assert [HdlcFrame.decode(f).kind for f in split_frames(wire.client.data_to_send())] == [
        FrameKind.RR
    ]
    # that RR was taken off the line above; the timer makes the link poll again
    wire.run_until(lambda: len(_received(wire)) == 2)
    assert _received(wire)[1] == extra[0]
    assert wire.now - now <= wire.client.response_timeout  # within one timer, no DISC
    assert wire.client.state is LinkState.CONNECTED


def test_expect_response_set_before_the_answer_keeps_polling_across_apdus() -> None:
    wire, extra = _two_apdu_wire()
    wire.client.send_apdu(b"\xc0\x07", wire.now)
    wire.client.expect_response(wire.now)  # the poll is outstanding: only remembered
    wire.pump()
    assert _received(wire) == [b"\xc4\x01\xc0\x07", extra[0]]
    assert wire.now == 0.0  # no timer was needed: polled as soon as the turn ended


def test_expect_response_polls_every_response_timeout_while_the_server_is_silent() -> None:
    client, server = make_pair()
    wire = Wire(client, server, respond=lambda apdu: None)
    wire.connect()
    client.expect_response(wire.now)
    wire.pump()
    polls = wire.frames_sent
    for _ in range(3):
        assert client.next_timeout() == wire.now + client.response_timeout
        assert wire.advance()
        wire.pump()
    assert wire.frames_sent == polls + 6  # RR(P) and RR(F) per timer, no busy loop
    assert client.state is LinkState.CONNECTED
    assert not any(isinstance(e, (Disconnected, LinkFailed)) for e in wire.client_events)
    # a late APDU from the server still arrives at the next poll
    server.send_apdu(b"\xc4\x01\x81", wire.now)
    wire.advance()
    wire.pump()
    assert _received(wire) == [b"\xc4\x01\x81"]


def test_expect_response_cleared_by_the_caller_returns_to_the_inactivity_timer() -> None:
    client, server = make_pair()
    wire = Wire(client, server)
    wire.connect()
    client.expect_response(wire.now)
    wire.pump()
    assert client.next_timeout() == wire.now + client.response_timeout
    client.expect_response(wire.now, False)
    assert client.next_timeout() == wire.now + 120.0  # the inactivity timeout
    assert client.data_to_send() == b""


def test_send_apdu_clears_expect_response() -> None:
    wire, _ = _two_apdu_wire()
    wire.client.expect_response(wire.now)
    wire.request(b"\xc0\x02")
    wire.pump()
    # the request's answers: the first ends the request, and the flag no longer polls
    assert len(_received(wire)) == 1
    assert wire.client.next_timeout() == wire.client._inactivity_deadline()


def test_expect_response_only_on_a_connected_client() -> None:
    client, server = make_pair()
    with pytest.raises(LocalProtocolError, match="expect_response"):
        client.expect_response(0.0)
    with pytest.raises(LocalProtocolError):
        server.expect_response(0.0)
