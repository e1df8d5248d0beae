"""Serving simulated meters: TCP (wrapper or HDLC), UDP (wrapper), serial lines (HDLC,
optionally after the IEC 62056-21 mode E handshake), with asyncio.

::

    bytes ─▶ WrapperStream / HdlcLink (per client and server address) ─▶ ServerSession
          ◀─ framed responses ◀────────── Meter.handle(event) answers ◀─┘

:class:`Simulator` owns the meters (one :class:`~dlmskit.server.engine.Meter` per logical
device, ``meters=N`` of them with distinct logical addresses and system titles) and the
listeners. Every connection has its own link and session state; the object state of a
meter is shared by all of them (one event loop: no locks needed). A connection that
sends garbage gets the link layer's answer (FRMR / DM, or a closed wrapper stream)
without disturbing the others; an idle one is closed after ``inactivity_timeout``;
beyond ``max_connections`` new connections are refused. When a meter activates a new
firmware image it restarts: its connections drop, as a real meter's do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import termios
import time
import tty
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, cast

from dlmskit.io.stack import redacted_hex, summary
from dlmskit.link._events import NEED_DATA
from dlmskit.link.hdlc import FrameReceived, FrameSplitter, HdlcAddress
from dlmskit.link.hdlc_link import ApduReceived, Disconnected, HdlcLink, Role
from dlmskit.link.mode_e import HdlcReady, ModeEServer
from dlmskit.link.wrapper import WrapperError, WrapperPdu, WrapperPduReceived, WrapperStream
from dlmskit.link.wrapper import decode_datagram as decode_wrapper_datagram
from dlmskit.server.engine import Meter, PushOut
from dlmskit.server.model import MeterModel, load_model
from dlmskit.server.state import StateStore
from dlmskit.session._events import AssociationEstablished, NeedData
from dlmskit.session.server import ServerSession

__all__ = ["Simulator"]

_log = logging.getLogger("dlmskit.server")
_frames = logging.getLogger("dlmskit.frames")

Write = Callable[[bytes], None]


class _Endpoint:
    """A ServerSession of one client SAP with one meter, wired to the meter."""

    def __init__(self, meter: Meter, client_sap: int) -> None:
        self.meter = meter
        self.client_sap = client_sap
        self.session = ServerSession(meter.server_settings, client_sap=client_sap)
        self.title: bytes | None = None

    def receive(self, apdu: bytes, now: float) -> list[bytes]:
        if _frames.isEnabledFor(logging.DEBUG):
            _frames.debug("C→S %s | %s", redacted_hex(apdu), summary(apdu))
        self.session.receive_apdu(apdu, now)
        return self.pump(now)

    def pump(self, now: float) -> list[bytes]:
        session = self.session
        while not isinstance(event := session.next_event(), NeedData):
            if isinstance(event, AssociationEstablished):
                self.title = event.client_system_title
            try:
                answer = self.meter.handle(
                    event, client_sap=self.client_sap, now=now, client_system_title=self.title
                )
            except Exception:
                _log.exception("the meter failed on %s", type(event).__name__)
                answer = None
            if answer is not None:
                session.send(answer, now)
        out = session.data_to_send()
        if _frames.isEnabledFor(logging.DEBUG):
            for apdu in out:
                _frames.debug("S→C %s | %s", apdu.hex(" "), summary(apdu))
        return out

    def next_timeout(self) -> float | None:
        return self.session.next_timeout()

    def handle_timeout(self, now: float) -> list[bytes]:
        deadline = self.session.next_timeout()
        if deadline is not None and now >= deadline:
            self.session.handle_timeout(now)
        return self.pump(now)

    def lost(self, now: float) -> None:
        self.session.connection_lost(now)


class _Connection:
    """The link and sessions of one byte stream (a TCP connection or a serial line)."""

    def __init__(self, meters: Mapping[int, Meter], write: Write, *, hdlc: bool) -> None:
        self.meters = meters
        self.write = write
        self.hdlc = hdlc
        self.closed = False
        self._stream = WrapperStream()
        self._splitter = FrameSplitter()
        self._links: dict[tuple[int, int | None, int], tuple[HdlcLink, _Endpoint]] = {}
        self._endpoints: dict[tuple[int, int], _Endpoint] = {}
        # Restarts are watched only for the meters this connection talks to.
        self._restarts: dict[int, tuple[Meter, int]] = {}

    def _meter(self, logical: int, physical: int | None = None) -> Meter | None:
        meter = self.meters.get(logical)
        if meter is None or (physical is not None and meter.physical_address != physical):
            return None
        self._restarts.setdefault(id(meter), (meter, meter.restarts))
        return meter

    def feed(self, data: bytes, now: float) -> None:
        if self.hdlc:
            self._feed_hdlc(data, now)
        else:
            self._feed_wrapper(data, now)
        self._check_restart()

    def _feed_wrapper(self, data: bytes, now: float) -> None:
        stream = self._stream
        stream.receive_data(data)
        while (event := stream.next_event()) is not NEED_DATA:
            if isinstance(event, WrapperError):
                _log.info("wrapper stream broken (%s): closing the connection", event.reason)
                self.closed = True
                return
            assert isinstance(event, WrapperPduReceived)
            pdu = event.pdu
            meter = self._meter(pdu.destination)
            if meter is None:
                _log.info("no logical device %d: APDU dropped", pdu.destination)
                continue
            key = (pdu.source, pdu.destination)
            endpoint = self._endpoints.get(key)
            if endpoint is None:
                endpoint = self._endpoints[key] = _Endpoint(meter, pdu.source)
            for answer in endpoint.receive(pdu.apdu, now):
                self.write(stream.send(pdu.destination, pdu.source, answer))

    def _feed_hdlc(self, data: bytes, now: float) -> None:
        splitter = self._splitter
        splitter.receive_data(data)
        while (event := splitter.next_event()) is not NEED_DATA:
            if not isinstance(event, FrameReceived):
                continue  # garbage: the link would drop it too
            frame = event.frame
            destination, source = frame.destination, frame.source
            key = (destination.logical, destination.physical, source.logical)
            entry = self._links.get(key)
            if entry is None:
                meter = self._meter(destination.logical, destination.physical)
                if meter is None:
                    continue  # not addressed to a meter here: a real meter stays silent
                link = HdlcLink(
                    Role.SERVER,
                    local=HdlcAddress.server(
                        destination.logical, destination.physical, destination.size
                    ),
                    remote=HdlcAddress.client(source.logical),
                    parameters=meter.hdlc_parameters,
                    inactivity_timeout=None,
                )
                entry = self._links[key] = (link, _Endpoint(meter, source.logical))
            link, endpoint = entry
            link.receive_data(event.raw, now)
            self._pump_link(link, endpoint, now)

    def _pump_link(self, link: HdlcLink, endpoint: _Endpoint, now: float) -> None:
        while (event := link.next_event()) is not NEED_DATA:
            if isinstance(event, ApduReceived):
                for answer in endpoint.receive(event.apdu, now):
                    link.send_apdu(answer, now)
            elif isinstance(event, Disconnected):
                endpoint.lost(now)
                endpoint.session = ServerSession(
                    endpoint.meter.server_settings, client_sap=endpoint.client_sap
                )
        out = link.data_to_send()
        if out:
            self.write(out)

    def next_timeout(self) -> float | None:
        deadlines: list[float] = []
        for link, endpoint in self._links.values():
            for deadline in (link.next_timeout(), endpoint.next_timeout()):
                if deadline is not None:
                    deadlines.append(deadline)
        for endpoint in self._endpoints.values():
            deadline = endpoint.next_timeout()
            if deadline is not None:
                deadlines.append(deadline)
        return min(deadlines) if deadlines else None

    def handle_timeout(self, now: float) -> None:
        for link, endpoint in self._links.values():
            deadline = link.next_timeout()
            if deadline is not None and now >= deadline:
                link.handle_timeout(now)
            for answer in endpoint.handle_timeout(now):
                link.send_apdu(answer, now)
            self._pump_link(link, endpoint, now)
        for (sap, logical), endpoint in self._endpoints.items():
            for answer in endpoint.handle_timeout(now):
                self.write(self._stream.send(logical, sap, answer))
        self._check_restart()

    def _check_restart(self) -> None:
        for meter, restarts in self._restarts.values():
            if meter.restarts != restarts:
                _log.info("meter %s restarted: the connection drops", meter.logical_address)
                self.closed = True

    def lost(self, now: float) -> None:
        for _, endpoint in self._links.values():
            endpoint.lost(now)
        for endpoint in self._endpoints.values():
            endpoint.lost(now)


class _Udp(asyncio.DatagramProtocol):
    """Wrapper datagrams: one endpoint per (peer, client SAP, logical device)."""

    def __init__(self, simulator: Simulator, meters: list[Meter]) -> None:
        self.simulator = simulator
        self.meters = meters
        self.transport: asyncio.DatagramTransport | None = None
        self.endpoints: dict[tuple[Any, int, int], tuple[_Endpoint, float]] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        now = time.time()
        try:
            pdu = decode_wrapper_datagram(data)
        except Exception as exc:
            _log.info("bad datagram from %s: %s", addr, exc)
            return
        meter = self.simulator.by_logical.get(pdu.destination)
        if meter is None or self.transport is None:
            return
        key = (addr, pdu.source, pdu.destination)
        entry = self.endpoints.get(key)
        if entry is None or now - entry[1] > self.simulator.inactivity_timeout:
            if len(self.endpoints) >= self.simulator.max_connections:
                self._expire(now)
                if len(self.endpoints) >= self.simulator.max_connections:
                    return
            entry = (_Endpoint(meter, pdu.source), now)
        endpoint = entry[0]
        self.endpoints[key] = (endpoint, now)
        for answer in endpoint.receive(pdu.apdu, now):
            reply = WrapperPdu(source=pdu.destination, destination=pdu.source, apdu=answer)
            self.transport.sendto(reply.encode(), addr)

    def _expire(self, now: float) -> None:
        limit = self.simulator.inactivity_timeout
        for key in [k for k, (_, seen) in self.endpoints.items() if now - seen > limit]:
            del self.endpoints[key]


class Simulator:
    """Simulated meters and their listeners (an async context manager).

    ``model``: a :class:`MeterModel`, a path to a YAML model, or None for the default
    model. ``state``: a path to the SQLite state file (``--state``), or None (in memory).
    ``meters``: how many meters (logical devices with addresses ``logical_address + i``
    and system titles ``system_title + i``).
    """

    def __init__(
        self,
        model: MeterModel | str | Path | None = None,
        *,
        state: str | Path | None = None,
        meters: int = 1,
        max_connections: int = 1000,
        inactivity_timeout: float = 120.0,
    ) -> None:
        if meters < 1:
            raise ValueError("meters must be at least 1")
        if not isinstance(model, MeterModel):
            model = load_model(model)
        self.model = model
        self.store = StateStore(state) if state is not None else None
        now = time.time()
        self.meters = [
            Meter.from_model(
                model,
                now=now,
                state=self.store,
                index=i,
                logical_address=model.logical_address + i,
            )
            for i in range(meters)
        ]
        #: The logical devices by logical address (several behind one port).
        self.by_logical: dict[int, Meter] = {m.logical_address: m for m in self.meters}
        self.max_connections = max_connections
        self.inactivity_timeout = inactivity_timeout
        self.connections = 0
        self._servers: list[asyncio.AbstractServer] = []
        self._transports: list[asyncio.BaseTransport] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._serial_fds: list[int] = []
        self._ticker: asyncio.Task[None] | None = None
        self.pushes_sent = 0

    async def __aenter__(self) -> Simulator:
        self._start_ticker()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- listeners ---------------------------------------------------------------------------

    async def serve_tcp(
        self, host: str = "127.0.0.1", port: int = 4059, *, hdlc: bool = False
    ) -> int:
        """Listen on TCP (the wrapper, or HDLC frames with ``hdlc``); the bound port."""
        self._start_ticker()

        async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self._serve_stream(reader, writer, hdlc=hdlc)

        server = await asyncio.start_server(client, host, port)
        self._servers.append(server)
        bound: int = server.sockets[0].getsockname()[1]
        _log.info("listening tcp%s %s:%d", "+hdlc" if hdlc else "", host, bound)
        return bound

    async def serve_udp(self, host: str = "127.0.0.1", port: int = 4059) -> int:
        """Listen on UDP (wrapper datagrams); the bound port."""
        self._start_ticker()
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Udp(self, self.meters), local_addr=(host, port)
        )
        self._transports.append(transport)
        bound: int = transport.get_extra_info("sockname")[1]
        _log.info("listening udp %s:%d", host, bound)
        return bound

    async def serve_serial(self, path: str | Path | int, *, mode_e: bool = False) -> None:
        """Serve HDLC on a serial line (a device or a pty), after the IEC 62056-21 mode E
        sign-on when ``mode_e``: the line stays at the raw settings it has (a pty ignores
        baud rates); the handshake and the switch to HDLC are the protocol's. ``path`` may
        be an open file descriptor (the simulator then owns it)."""
        self._start_ticker()
        if isinstance(path, int):  # an open descriptor, e.g. the master side of a pty
            fd = path
            os.set_blocking(fd, False)
        else:
            fd = os.open(str(path), os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        with contextlib.suppress(termios.error):
            tty.setraw(fd)
        self._serial_fds.append(fd)
        task = asyncio.get_running_loop().create_task(self._serve_fd(fd, mode_e=mode_e))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- serving ---------------------------------------------------------------------------------

    async def _serve_stream(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, hdlc: bool
    ) -> None:
        peer = writer.get_extra_info("peername")
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        if self.connections >= self.max_connections:
            _log.info("connection from %s refused: limit of %d", peer, self.max_connections)
            writer.close()
            return
        self.connections += 1
        connection = _Connection(self.by_logical, writer.write, hdlc=hdlc)
        last = time.time()
        try:
            while not connection.closed:
                now = time.time()
                deadline = connection.next_timeout()
                wait = last + self.inactivity_timeout - now
                if deadline is not None:
                    wait = min(wait, deadline - now)
                if wait <= 0:
                    if now - last >= self.inactivity_timeout:
                        _log.info("connection from %s idle: closed", peer)
                        break
                    connection.handle_timeout(now)
                    await writer.drain()
                    continue
                try:
                    data = await asyncio.wait_for(reader.read(65536), timeout=min(wait, 1.0))
                except TimeoutError:
                    connection.handle_timeout(time.time())
                    await writer.drain()
                    continue
                if not data:
                    break
                last = time.time()
                connection.feed(data, last)
                await writer.drain()
        except (ConnectionError, OSError) as exc:
            _log.info("connection from %s lost: %s", peer, exc)
        finally:
            if task is not None:
                self._tasks.discard(task)
            self.connections -= 1
            connection.lost(time.time())
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def _serve_fd(self, fd: int, *, mode_e: bool) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[bytes] = asyncio.Queue()

        def readable() -> None:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            queue.put_nowait(data)

        def write(data: bytes) -> None:
            view = memoryview(data)
            while view:
                try:
                    written = os.write(fd, view)
                except BlockingIOError:
                    time.sleep(0.001)
                    continue
                view = view[written:]

        loop.add_reader(fd, readable)
        try:
            while True:
                connection = _Connection(self.by_logical, write, hdlc=True)
                leftover = b""
                if mode_e:
                    meter = self.meters[0]
                    machine = ModeEServer(
                        meter.logical_device_name.decode("ascii", "replace")[3:] or "DLKSIM",
                        manufacturer=meter.model.manufacturer
                        if meter.model.manufacturer.isalpha()
                        else "DLK",
                    )
                    leftover = await self._mode_e(machine, queue, write)
                if leftover:
                    connection.feed(leftover, time.time())
                while not connection.closed:
                    deadline = connection.next_timeout()
                    wait = 1.0 if deadline is None else max(0.0, deadline - time.time())
                    try:
                        data = await asyncio.wait_for(queue.get(), timeout=min(wait, 1.0))
                    except TimeoutError:
                        connection.handle_timeout(time.time())
                        continue
                    if not data:
                        return
                    connection.feed(data, time.time())
                    if (
                        mode_e
                        and all(
                            link.state.name == "DISCONNECTED"
                            for link, _ in connection._links.values()
                        )
                        and connection._links
                    ):
                        break  # back to the sign-on at 300 baud after a DISC
        finally:
            loop.remove_reader(fd)

    @staticmethod
    async def _mode_e(machine: ModeEServer, queue: asyncio.Queue[bytes], write: Write) -> bytes:
        while True:
            data = await queue.get()
            if not data:
                return b""
            machine.receive_data(data)
            while True:
                event = machine.next_event()
                out = machine.data_to_send()
                if out:
                    write(out)
                if event is NEED_DATA:
                    break
                if isinstance(event, HdlcReady):
                    return event.leftover

    # --- timers and pushes ------------------------------------------------------------------------

    def _start_ticker(self) -> None:
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self._tick())

    async def _tick(self) -> None:
        while True:
            now = time.time()
            for meter in self.meters:
                meter.handle_timeout(now)
                for push in meter.pending_pushes():
                    task = asyncio.get_running_loop().create_task(self._push(push))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            deadlines = [d for m in self.meters if (d := m.next_timeout()) is not None]
            wait = min([0.5, *(d - now for d in deadlines)])
            await asyncio.sleep(max(wait, 0.01))

    async def _push(self, push: PushOut) -> None:
        host, _, port_text = push.destination.rpartition(":")
        pdu = WrapperPdu(source=push.source_sap, destination=push.destination_sap, apdu=push.apdu)
        try:
            port = int(port_text)
            if push.transport == "udp":
                loop = asyncio.get_running_loop()
                transport, _ = await loop.create_datagram_endpoint(
                    asyncio.DatagramProtocol, remote_addr=(host, port)
                )
                transport.sendto(pdu.encode())
                transport.close()
            else:
                _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
                writer.write(pdu.encode())
                await writer.drain()
                writer.close()
                await writer.wait_closed()
            self.pushes_sent += 1
        except (OSError, ValueError, TimeoutError) as exc:
            _log.warning("push to %s failed: %s", push.destination, exc)

    # --- closing -------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop listening, close every connection, flush the state file."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        for server in self._servers:
            server.close()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)
        self._servers.clear()
        for transport in self._transports:
            transport.close()
        self._transports.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:  # let the connections close before the loop stops
            await asyncio.wait(list(self._tasks), timeout=2)
        for fd in self._serial_fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._serial_fds.clear()
        for meter in self.meters:
            meter.close()
        if self.store is not None:
            self.store.close()
            self.store = None

    async def serve_forever(self, addresses: Iterable[str] = ()) -> None:
        """Wait until cancelled (the listeners run in the background)."""
        del addresses
        await asyncio.Event().wait()
