"""Case ``server-rps``: requests per second the simulator serves on one core, and how many
meters one simulator process holds while every one of them is read.

The simulator runs as ``python -m dlmskit.server`` in its own process (so on one core; the
machine's other core runs this driver). The driver is a raw socket with pre-built wrapper
frames: the association is made once with our ClientStack, then the GET.request frames
(register 1.0.1.8.0.255 attribute 2) are bytes built before the clock starts, and an
answer is recognised by its wrapper length alone, so the figures are the server's cost
plus loopback, not the client's.

Operations:

``get-plain``
    One GET round trip, public client 16 (no security), one connection.
``get-ciphered``
    The same as the management client 1 (HLS-GMAC, authenticated and encrypted
    glo-get-request, suite 0, Green Book test keys): the ciphered frames are pre-built
    with increasing invocation counters, so AES-GCM on the client side is outside the
    timing; the server decrypts, checks the counter and encrypts the answer.
``get-plain-x8`` / ``get-ciphered-x8``
    Eight connections (one association each, ciphered ones with distinct client system
    titles) with one request outstanding on each: one timed call is 8 requests, so
    requests per second = 8 / median. This saturates the simulator's core.

Notes (measured once, during setup): the simulator's CPU seconds per request (from
/proc/PID/stat) for the x8 runs, and ``--meters N`` for N in 1, 100, 1000, 2000: N
connections, one per meter (logical device n), each associating and then reading the
register 10 times, all at once; wall time, requests per second, and the simulator's
resident memory (VmRSS idle after start, VmHWM peak at the end).

Measured (2026-11-23, 2 cores shared with other jobs, so the wall figures are noisy; the
simulator's CPU per request is the steadier figure):

- one connection, one request at a time: plain 0.132 ms (7,600 requests/s), ciphered
  0.194 ms (5,200/s);
- eight connections: plain 0.79 ms per 8 (10,100 requests/s), simulator CPU 83 us per
  request (12,000 per CPU-second); ciphered 1.04 ms per 8 (7,700/s), 112 us (8,900 per
  CPU-second);
- meters: idle memory 46 MiB + ~29 KiB per extra simulated meter (2,000 meters: 102 MiB);
  but the cost of a connection grows with the number of meters: 100 meters read at once
  6,900 requests per CPU-second and 19 KiB per connection, 1,000 meters 2,900 and 81 KiB,
  2,000 meters 1,460 and 148 KiB (peak 391 MiB). cProfile of 1,500 meters: 39 % of the
  simulator's time in ``transport._Connection._check_restart`` (every feed walks every
  meter), plus ``_Connection._meter`` (linear search per PDU) and the per-connection
  ``_restarts`` dict of every meter (N x N entries: the memory growth).
"""

from __future__ import annotations

import itertools
import os
import selectors
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

from bench._core import SUBJECT, Case, Impl, Prepared, VerificationError
from bench._sim import SimulatorProcess

EK = bytes.fromhex("000102030405060708090A0B0C0D0E0F")  # Green Book test keys
AK = bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")
REGISTER = "1.0.1.8.0.255"
_HEADER = struct.Struct(">HHHH")
_TICKS = os.sysconf("SC_CLK_TCK")


# --- the simulator process ------------------------------------------------------------------


_Simulator = SimulatorProcess


_SIMS: dict[str, _Simulator] = {}


def _shared() -> _Simulator:
    """One simulator for the timed operations (started once, left for the process exit)."""
    if "one" not in _SIMS:
        _SIMS["one"] = _Simulator()
    return _SIMS["one"]


# --- frames ---------------------------------------------------------------------------------


def _get_apdu(invoke_id: int = 1) -> bytes:
    from dlmskit.apdu.common import CosemAttributeDescriptor, InvokeIdAndPriority
    from dlmskit.apdu.get import GetRequestNormal
    from dlmskit.obis import Obis

    return GetRequestNormal(
        invoke_id_and_priority=InvokeIdAndPriority.of(invoke_id),
        cosem_attribute_descriptor=CosemAttributeDescriptor(
            class_id=3, instance_id=Obis.parse(REGISTER), attribute_id=2
        ),
    ).to_bytes()


def _wrap(source: int, destination: int, apdu: bytes) -> bytes:
    return _HEADER.pack(1, source, destination, len(apdu)) + apdu


class _Connection:
    """A blocking wrapper socket: ``exchange`` sends pre-built bytes and returns the APDU."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()

    def read_apdu(self) -> bytes:
        while True:
            if len(self.buffer) >= 8:
                length = _HEADER.unpack_from(self.buffer)[3]
                if len(self.buffer) >= 8 + length:
                    apdu = bytes(self.buffer[8 : 8 + length])
                    del self.buffer[: 8 + length]
                    return apdu
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the simulator closed the connection")
            self.buffer += chunk

    def exchange(self, frame: bytes) -> bytes:
        self.sock.sendall(frame)
        return self.read_apdu()

    def associate(self, settings: Any, client: int, logical: int = 1) -> None:
        """Associate through our ClientStack (HLS pass 3/4 included), then go raw."""
        from dlmskit.io.stack import ClientStack
        from dlmskit.session._events import Associate, AssociationAccepted, NeedData

        stack = ClientStack(
            settings, framing="wrapper", client_address=client, server_address=logical
        )
        stack.send(Associate(), time.time())
        self.sock.sendall(stack.data_to_send())
        while True:
            stack.receive_data(self.sock.recv(65536), time.time())
            out = stack.data_to_send()
            if out:
                self.sock.sendall(out)
            event = stack.next_event()
            if isinstance(event, AssociationAccepted):
                return
            if not isinstance(event, NeedData):
                raise RuntimeError(f"association refused: {event!r:.120}")


def _management(title: bytes) -> Any:
    from dlmskit.security.context import Policy
    from dlmskit.security.counters import MemoryCounterStore, OutgoingCounter
    from dlmskit.security.keys import SecurityKeys
    from dlmskit.security.mechanisms import MechanismId
    from dlmskit.session import ClientSettings

    return ClientSettings(
        mechanism=MechanismId.HIGH_GMAC,
        keys=SecurityKeys(system_title=title, global_unicast_key=EK, authentication_key=AK),
        outgoing_counter=OutgoingCounter(MemoryCounterStore(), "bench", initial=1),
        policy=Policy(authenticated=True, encrypted=True),
    )


class _Ciphered:
    """Pre-built glo-get-request frames of one client system title, counters increasing.

    The association used counters 1.. (the OutgoingCounter above); the frames start far
    beyond, so the server's replay check accepts each exactly once. Frames are built in
    batches of ``batch`` before they are needed, outside the timed call."""

    def __init__(self, title: bytes, source: int = 1, destination: int = 1) -> None:
        self.title = title
        self.source, self.destination = source, destination
        self.plain = _get_apdu()
        self.counter = itertools.count(1_000_000)
        self.frames: list[bytes] = []

    def refill(self, count: int) -> None:
        from dlmskit.security.ciphering import Envelope, protect

        for _ in range(count):
            apdu = protect(
                self.plain,
                envelope=Envelope.GLO,
                security_control=0x30,  # authenticated + encrypted, suite 0
                system_title=self.title,
                invocation_counter=next(self.counter),
                encryption_key=EK,
                authentication_key=AK,
            ).to_bytes()
            self.frames.append(_wrap(self.source, self.destination, apdu))


_titles = itertools.count(1)


def _client_title() -> bytes:
    """A fresh client system title: each has its own invocation counter in the server."""
    return b"BNC" + next(_titles).to_bytes(5, "big")


# --- one connection -------------------------------------------------------------------------


def _plain() -> Prepared:
    from dlmskit.session import ClientSettings

    sim = _shared()
    conn = _Connection(sim.port)
    conn.associate(ClientSettings(), 16)
    frame = _wrap(16, 1, _get_apdu())
    return Prepared(lambda: conn.exchange(frame))


def _ciphered() -> Prepared:
    sim = _shared()
    conn = _Connection(sim.port)
    title = _client_title()
    conn.associate(_management(title), 1)
    frames = _Ciphered(title)
    frames.refill(200_000)
    # reversed so that pop() hands out increasing counters
    frames.frames.reverse()

    def one() -> tuple[bytes, bytes]:
        if not frames.frames:
            raise VerificationError("ran out of pre-built ciphered frames")
        return conn.exchange(frames.frames.pop()), sim.titles[1]

    return Prepared(one, notes=(f"server system title {sim.titles[1].hex().upper()}",))


# --- eight connections ----------------------------------------------------------------------


class _Fan:
    """``width`` connections, one request outstanding on each; ``round()`` sends one
    request on every connection and waits for every answer (returns them)."""

    def __init__(self, conns: list[_Connection], next_frame: list[Callable[[], bytes]]) -> None:
        self.conns = conns
        self.next_frame = next_frame
        self.selector = selectors.DefaultSelector()
        for index, conn in enumerate(conns):
            conn.sock.setblocking(False)
            self.selector.register(conn.sock, selectors.EVENT_READ, index)

    def round(self) -> list[bytes]:
        answers: list[bytes | None] = [None] * len(self.conns)
        for conn, frame in zip(self.conns, self.next_frame, strict=True):
            conn.sock.send(frame())  # a few dozen bytes: one send is enough
        waiting = len(self.conns)
        while waiting:
            for key, _ in self.selector.select(30):
                conn = self.conns[key.data]
                conn.buffer += conn.sock.recv(65536)
                if len(conn.buffer) >= 8:
                    length = _HEADER.unpack_from(conn.buffer)[3]
                    if len(conn.buffer) >= 8 + length:
                        answers[key.data] = bytes(conn.buffer[8 : 8 + length])
                        del conn.buffer[: 8 + length]
                        waiting -= 1
        return [a for a in answers if a is not None]


def _fan_plain(width: int = 8) -> _Fan:
    from dlmskit.session import ClientSettings

    sim = _shared()
    conns = []
    for _ in range(width):
        conn = _Connection(sim.port)
        conn.associate(ClientSettings(), 16)
        conns.append(conn)
    frame = _wrap(16, 1, _get_apdu())
    return _Fan(conns, [lambda: frame] * width)


def _fan_ciphered(width: int = 8) -> _Fan:
    sim = _shared()
    conns, makers = [], []
    for _ in range(width):
        title = _client_title()
        conn = _Connection(sim.port)
        conn.associate(_management(title), 1)
        frames = _Ciphered(title)
        frames.refill(60_000)
        frames.frames.reverse()
        conns.append(conn)
        makers.append(frames.frames.pop)
    return _Fan(conns, makers)


def _fan(factory: Callable[[], _Fan]) -> Callable[[], Prepared]:
    def setup() -> Prepared:
        fan = factory()
        sim = _shared()
        cpu0, t0 = sim.cpu_seconds(), time.perf_counter()
        rounds = 300
        for _ in range(rounds):
            fan.round()
        cpu, wall = sim.cpu_seconds() - cpu0, time.perf_counter() - t0
        requests = rounds * len(fan.conns)
        note = (
            f"{requests} requests over {len(fan.conns)} connections: "
            f"{requests / wall:,.0f} requests/s wall, simulator CPU "
            f"{cpu / requests * 1e6:.0f} us/request = {requests / cpu:,.0f} requests per "
            f"CPU-second (clock ticks of {1e3 / _TICKS:g} ms)"
            if cpu
            else f"{requests} requests: {requests / wall:,.0f}/s wall"
        )
        return Prepared(fan.round, notes=(note,))

    return setup


# --- verification ---------------------------------------------------------------------------


def _register(apdu: bytes) -> int:
    from dlmskit import apdu as apdus
    from dlmskit.apdu.get import Data, GetResponseNormal

    response = apdus.decode(apdu)
    if not isinstance(response, GetResponseNormal) or not isinstance(response.result, Data):
        raise VerificationError(f"not a get-response with data: {apdu.hex()[:80]}")
    return int(response.result.value)  # type: ignore[call-overload]


def _unprotect(apdu: bytes, server_title: bytes) -> bytes:
    from dlmskit import apdu as apdus
    from dlmskit.apdu.ciphered import ServiceSpecificCiphered
    from dlmskit.security.ciphering import unprotect

    ciphered = apdus.decode(apdu)
    if not isinstance(ciphered, ServiceSpecificCiphered):
        raise VerificationError(f"not a ciphered APDU: {apdu.hex()[:80]}")
    return unprotect(ciphered, encryption_key=EK, authentication_key=AK, system_title=server_title)


def _verify_plain(value: object) -> str:
    assert isinstance(value, bytes)
    return f"register = {_register(value)} Wh"


def _verify_ciphered(value: object) -> str:
    apdu, title = value  # type: ignore[misc]
    if apdu[0] != 0xCC:
        raise VerificationError(f"expected glo-get-response (0xCC), got {apdu.hex()[:80]}")
    return f"glo-get-response, tag checked: register = {_register(_unprotect(apdu, title))} Wh"


def _verify_fan_plain(value: object) -> str:
    answers: list[bytes] = value  # type: ignore[assignment]
    if len(answers) != 8:
        raise VerificationError(f"{len(answers)} answers to 8 requests")
    return f"8 answers, register = {min(_register(a) for a in answers)} Wh"


def _verify_fan_ciphered(value: object) -> str:
    answers: list[bytes] = value  # type: ignore[assignment]
    if len(answers) != 8:
        raise VerificationError(f"{len(answers)} answers to 8 requests")
    title = _shared().titles[1]
    values = [_register(_unprotect(a, title)) for a in answers]
    return f"8 glo-get-responses, tags checked, register = {min(values)} Wh"


# --- many meters ----------------------------------------------------------------------------


def meters_read(meters: int, reads: int = 10, baseline_kib: int = 0) -> tuple[str, int]:
    """``--meters N``: N connections (one per logical device) associate and read the
    register ``reads`` times each, all at once; a one-line report and the simulator's
    idle resident memory (KiB) before the reads. ``baseline_kib`` (the idle memory with
    one meter) turns the idle figure into memory per simulated meter."""
    from dlmskit.io.stack import ClientStack
    from dlmskit.session import ClientSettings
    from dlmskit.session._events import Associate

    sim = _Simulator("--meters", str(meters), "--max-connections", str(meters + 10))
    try:
        idle = sim.status_kib("VmRSS")
        cpu0 = sim.cpu_seconds()
        # the public AARQ is the same bytes for every meter but the wrapper destination
        stack = ClientStack(ClientSettings(), framing="wrapper", client_address=16)
        stack.send(Associate(), time.time())
        aarq = stack.data_to_send()[8:]
        get = _get_apdu()
        selector = selectors.DefaultSelector()
        state: dict[int, list[Any]] = {}  # fd -> [socket, logical, answers, buffer]
        start = time.perf_counter()
        for logical in range(1, meters + 1):
            sock = socket.create_connection(("127.0.0.1", sim.port), timeout=60)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setblocking(False)
            sock.send(_wrap(16, logical, aarq))
            state[sock.fileno()] = [sock, logical, 0, bytearray()]
            selector.register(sock, selectors.EVENT_READ, sock.fileno())
        connected = time.perf_counter()
        finished = 0
        values = set()
        while finished < meters:
            events = selector.select(60)
            if not events:
                raise RuntimeError(f"no answer: {finished} of {meters} meters done")
            for key, _ in events:
                entry = state[key.data]
                sock, logical, count, buffer = entry
                chunk = sock.recv(65536)
                if not chunk:
                    raise RuntimeError(f"meter {logical}: connection closed")
                buffer += chunk
                while len(buffer) >= 8 and len(buffer) >= 8 + _HEADER.unpack_from(buffer)[3]:
                    length = _HEADER.unpack_from(buffer)[3]
                    apdu = bytes(buffer[8 : 8 + length])
                    del buffer[: 8 + length]
                    if count == 0:
                        if apdu[0] != 0x61 or b"\xa2\x03\x02\x01\x00" not in apdu:
                            raise RuntimeError(f"meter {logical}: AARE not accepted")
                    else:
                        values.add(_register(apdu))
                    count += 1
                    if count <= reads:
                        sock.send(_wrap(16, logical, get))
                    else:
                        finished += 1
                        selector.unregister(sock)
                        sock.close()
                entry[2] = count
        wall = time.perf_counter() - start
        cpu = sim.cpu_seconds() - cpu0
        peak = sim.status_kib("VmHWM")
    finally:
        sim.stop()
    if len(values) < 1:
        raise RuntimeError("no register value read")
    requests = meters * (reads + 1)
    per_meter = (
        f", {(idle - baseline_kib) / (meters - 1):.1f} KiB per extra meter"
        if baseline_kib and meters > 1
        else ""
    )
    report = (
        f"--meters {meters}: {meters} connections (opened in {connected - start:.2f} s), "
        f"each associated then read the register {reads} times, all at once: {requests} "
        f"requests in {wall:.2f} s wall = {requests / wall:,.0f}/s, simulator CPU "
        f"{cpu:.2f} s = {f'{requests / cpu:,.0f}' if cpu else 'n/a (under a tick)'} requests "
        f"per CPU-second; "
        f"simulator memory idle {idle / 1024:.1f} MiB{per_meter}, peak while read "
        f"{peak / 1024:.1f} MiB ({(peak - idle) / meters:.1f} KiB per connected meter)"
    )
    return report, idle


def case() -> Case:
    notes: list[str] = [
        "simulator in its own process (python -m dlmskit.server, one core); raw-socket "
        "driver with pre-built frames in this process",
    ]
    baseline = 0
    for meters in (1, 100, 1000, 2000):
        try:
            report, idle = meters_read(meters, baseline_kib=baseline)
            notes.append(report)
            baseline = baseline or idle
        except Exception as exc:  # a figure that failed is reported, not hidden
            notes.append(f"--meters {meters}: failed: {type(exc).__name__}: {exc}")
    return Case(
        name="server-rps",
        title="simulator: GET of a register over the wrapper, requests served per second",
        impls=[
            Impl("get-plain", SUBJECT, "client 16, 1 conn", _plain, _verify_plain, "subject"),
            Impl(
                "get-ciphered",
                SUBJECT,
                "client 1 HLS-GMAC auth+enc, 1 conn",
                _ciphered,
                _verify_ciphered,
                "subject",
            ),
            Impl(
                "get-plain-x8",
                SUBJECT,
                "client 16, 8 conns (per 8 requests)",
                _fan(_fan_plain),
                _verify_fan_plain,
                "subject",
            ),
            Impl(
                "get-ciphered-x8",
                SUBJECT,
                "client 1, 8 conns (per 8 requests)",
                _fan(_fan_ciphered),
                _verify_fan_ciphered,
                "subject",
            ),
        ],
        notes=tuple(notes),
    )
