"""Case ``link-serial``: HDLC link efficiency over a simulated 9,600-baud 8N1 serial line.

Issue 9 (Performance, third point): "over a simulated 9,600-baud 8N1 serial link (10 bits
per byte, 20 ms turnaround in each direction, virtual clock), from the first GET request
byte to the last response byte, reading a 26,008-byte profile takes at most 1.10× the 27.1 s
that its bytes need at line rate, when the meter accepts a 2,030-byte information field,
window 7 and a max PDU that holds the profile; report the figure for the 128-byte /
window-1 defaults too."

The line is half-duplex as HDLC normal response mode uses it: a transmission of n bytes
occupies the line for n × 10 / 9600 s, and 20 ms of turnaround is added each time the
direction changes. The clock is VIRTUAL (no sleeping): the figures are virtual seconds,
not wall-clock timings; the wall-clock time the runner prints is only the simulator's cost.

Stack simulated: a client and a server :class:`~dlmskit.link.hdlc_link.HdlcLink`
exchanging bytes through :class:`SerialLine`; the server answers the GET-Request-Normal
(profile generic 1.0.99.1.0.255, attribute 2) with a GET-Response-Normal whose data is
array[1000] of structure{octet-string(12), double-long-unsigned, double-long-unsigned}
(26,008 bytes of A-XDR, built with :mod:`dlmskit.axdr`). The session layer is not stacked
here (see the module's "left" note in the report).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench._core import SUBJECT, Case, Impl, Prepared, VerificationError

BAUD = 9600
BITS_PER_BYTE = 10  # 8N1: start + 8 data + stop
TURNAROUND = 0.020  # seconds, added once per direction change
TARGET_RATIO = 1.10
ROWS = 1000
# GET-Request-Normal, invoke-id 0xC1, class 7, 1.0.99.1.0.255, attribute 2, no access
# selection (Green Book 9.3 / Blue Book 4.3.6 profile generic "buffer").
GET_REQUEST = bytes.fromhex("c001c100070100630100ff0200")


def profile_value() -> bytes:
    """The 26,008-byte A-XDR encoding of the profile buffer (the axdr-profile shape)."""
    from dlmskit import axdr

    rows = [
        axdr.Structure(
            (
                axdr.OctetString(bytes((i + k) & 0xFF for k in range(12))),
                axdr.DoubleLongUnsigned(i * 1000 + 7),
                axdr.DoubleLongUnsigned(i * 3 + 1),
            )
        )
        for i in range(ROWS)
    ]
    return axdr.encode(axdr.Array(rows))


def get_response(invoke: int, data: bytes) -> bytes:
    # GET-Response-Normal: C4 01 invoke-id, Get-Data-Result choice 0 = data
    return bytes((0xC4, 0x01, invoke, 0x00)) + data


@dataclass
class SerialLine:
    """Half-duplex line accounting on a virtual clock."""

    baud: int = BAUD
    turnaround: float = TURNAROUND
    now: float = 0.0
    direction: str | None = None
    bytes_sent: int = 0
    turnarounds: int = 0
    log: list[tuple[str, int, float, float]] = field(default_factory=list)

    def byte_time(self, n: int) -> float:
        return n * BITS_PER_BYTE / self.baud

    def transmit(self, direction: str, data: bytes) -> float:
        """Put ``data`` on the line; return the virtual time its last byte arrives."""
        if self.direction is not None and direction != self.direction:
            self.now += self.turnaround
            self.turnarounds += 1
        self.direction = direction
        start = self.now
        self.now += self.byte_time(len(data))
        self.bytes_sent += len(data)
        self.log.append((direction, len(data), start, self.now))
        return self.now


@dataclass(frozen=True)
class Transfer:
    response: bytes
    seconds: float  # first request byte to last response byte, virtual
    line_rate: float  # the response's bytes at line rate
    frames: int

    @property
    def ratio(self) -> float:
        return self.seconds / self.line_rate


def run(max_info: int, window: int) -> Transfer:
    """Connect, then time one GET of the profile over the simulated line."""
    from dlmskit.link._events import NEED_DATA
    from dlmskit.link.hdlc import HdlcAddress, HdlcParameters
    from dlmskit.link.hdlc_link import ApduReceived, HdlcLink, Role

    value = profile_value()
    answer = get_response(0xC1, value)
    parameters = HdlcParameters(
        max_info_transmit=max_info,
        max_info_receive=max_info,
        window_transmit=window,
        window_receive=window,
    )
    client_addr, server_addr = HdlcAddress.client(16), HdlcAddress.server(1, 17)
    limit = len(answer) + 64
    client = HdlcLink(
        Role.CLIENT,
        local=client_addr,
        remote=server_addr,
        parameters=parameters,
        max_apdu_size=limit,
    )
    server = HdlcLink(
        Role.SERVER,
        local=server_addr,
        remote=client_addr,
        parameters=parameters,
        max_apdu_size=limit,
    )
    line = SerialLine()
    received: list[bytes] = []

    def pump() -> None:
        for _ in range(1_000_000):
            moved = False
            data = client.data_to_send()
            if data:
                moved = True
                server.receive_data(data, line.transmit("c>s", data))
            while (event := server.next_event()) is not NEED_DATA:
                if isinstance(event, ApduReceived) and event.apdu == GET_REQUEST:
                    server.send_apdu(answer, line.now)
            data = server.data_to_send()
            if data:
                moved = True
                client.receive_data(data, line.transmit("s>c", data))
            while (event := client.next_event()) is not NEED_DATA:
                if isinstance(event, ApduReceived):
                    received.append(event.apdu)
            if not moved:
                return
        raise RuntimeError("the links never went quiet")

    client.connect(line.now)
    pump()
    start = line.now
    if line.direction == "s>c":  # the request's first byte goes the other way: turn first
        line.now += line.turnaround
        line.direction = "c>s"
        start = line.now
    first_log = len(line.log)
    client.send_apdu(GET_REQUEST, line.now)
    pump()
    if not received:
        raise RuntimeError("no response")
    return Transfer(
        response=received[-1],
        seconds=line.now - start,
        line_rate=line.byte_time(len(answer)),  # the 26,008-byte GET response
        frames=len(line.log) - first_log,
    )


SETTINGS = {"2030-w7": (2030, 7), "128-w1": (128, 1)}


def _setup(name: str) -> Prepared:
    max_info, window = SETTINGS[name]
    result = run(max_info, window)
    expected = get_response(0xC1, profile_value())
    if result.response != expected:
        raise VerificationError("the response did not arrive byte-exact")
    verdict = "PASS" if result.ratio <= TARGET_RATIO else "above target"
    note = (
        f"{name}: {result.seconds:.2f} virtual s vs {result.line_rate:.2f} s at line rate "
        f"= {result.ratio:.3f}× ({result.frames} transmissions; target ≤ {TARGET_RATIO}× "
        f"for 2030-w7: {verdict if name == '2030-w7' else 'reported only'})"
    )
    return Prepared(lambda: run(max_info, window), (note,))


def _verify(value: object) -> str:
    if not isinstance(value, Transfer):
        raise VerificationError(f"got {value!r:.60}")
    if value.response != get_response(0xC1, profile_value()):
        raise VerificationError("response not byte-exact")
    return f"{value.seconds:.2f} virtual s, {value.ratio:.3f}× line rate"


def case() -> Case:
    return Case(
        name="link-serial",
        title="GET of a 26,008-byte profile over simulated 9,600 baud 8N1 HDLC (virtual clock)",
        impls=[
            Impl(
                name,
                SUBJECT,
                f"HdlcLink pair, info {SETTINGS[name][0]}, window {SETTINGS[name][1]}",
                lambda name=name: _setup(name),  # type: ignore[misc]
                _verify,
                role="subject",
            )
            for name in SETTINGS
        ],
        notes=(
            "virtual seconds from the first GET request byte to the last response byte; "
            "wall-clock figures are only the simulator's cost",
            "target (issue 9): ≤ 1.10× the 27.1 s the 26,008 bytes need at line rate with "
            "2,030-byte information fields and window 7",
        ),
    )
