"""Test helpers: a Simulator in a background thread, and a blocking driver that runs our
own client session (session/client.py) over a real loopback socket (wrapper, HDLC over
TCP, or UDP). The simulator issue comes before the client issue, so its tests drive the
session layer directly rather than dlmskit.client."""

from __future__ import annotations

import asyncio
import os
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dlmskit.apdu.common import CosemAttributeDescriptor, CosemMethodDescriptor
from dlmskit.link._events import NEED_DATA
from dlmskit.link.hdlc import HdlcAddress, HdlcParameters
from dlmskit.link.hdlc_link import ApduReceived, Connected, HdlcLink, Role
from dlmskit.link.wrapper import WrapperPdu, WrapperPduReceived, WrapperStream, decode_datagram
from dlmskit.obis import Obis
from dlmskit.security.counters import MemoryCounterStore, OutgoingCounter
from dlmskit.security.keys import SecurityKeys
from dlmskit.security.mechanisms import MechanismId
from dlmskit.server import Simulator
from dlmskit.session import ClientSession, ClientSettings
from dlmskit.session._events import (
    Action,
    Associate,
    AssociationAccepted,
    Get,
    Release,
    Set,
)
from dlmskit.session.settings import Policy

EK = bytes(range(16))
AK = bytes(range(0xD0, 0xE0))
CLIENT_TITLE = b"CLI\x00\x00\x00\x00\x01"


def management_settings(counter: int = 0, **overrides: Any) -> ClientSettings:
    """Client 1 of the default model: HLS-GMAC, authenticated and encrypted."""
    store = MemoryCounterStore()
    keys = SecurityKeys(system_title=CLIENT_TITLE, global_unicast_key=EK, authentication_key=AK)
    values: dict[str, Any] = {
        "mechanism": MechanismId.HIGH_GMAC,
        "keys": keys,
        "outgoing_counter": OutgoingCounter(store, "client", initial=counter),
        "policy": Policy(authenticated=True, encrypted=True),
    }
    values.update(overrides)
    return ClientSettings(**values)


class SimulatorThread:
    """A Simulator running in its own event loop thread; ``ports`` maps transport names
    ("wrapper", "hdlc", "udp") to bound loopback ports."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.loop = asyncio.new_event_loop()
        self.simulator: Simulator | None = None
        self.ports: dict[str, int] = {}
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self, transports: tuple[str, ...] = ("wrapper", "hdlc", "udp")) -> SimulatorThread:
        self._thread.start()

        async def boot() -> None:
            self.simulator = Simulator(**self.options)
            await self.simulator.__aenter__()
            for name in transports:
                if name == "udp":
                    self.ports[name] = await self.simulator.serve_udp("127.0.0.1", 0)
                else:
                    self.ports[name] = await self.simulator.serve_tcp(
                        "127.0.0.1", 0, hdlc=name == "hdlc"
                    )

        asyncio.run_coroutine_threadsafe(boot(), self.loop).result(10)
        return self

    def call(self, function: Any) -> Any:
        """Run ``function()`` in the simulator's loop (its state is not thread-safe)."""

        async def run() -> Any:
            return function()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    def stop(self) -> None:
        if self.simulator is not None:
            asyncio.run_coroutine_threadsafe(self.simulator.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


@contextmanager
def running(**options: Any) -> Iterator[SimulatorThread]:
    sim = SimulatorThread(**options).start()
    try:
        yield sim
    finally:
        sim.stop()


class Driver:
    """A blocking client: our ClientSession over a loopback socket."""

    def __init__(
        self,
        port: int,
        settings: ClientSettings,
        *,
        transport: str = "wrapper",
        client_sap: int = 16,
        logical: int = 1,
        physical: int = 17,
        timeout: float = 5.0,
        hdlc_parameters: HdlcParameters | None = None,
        sock: Any = None,
    ) -> None:
        self.transport = transport
        self.client_sap = client_sap
        self.logical = logical
        self.timeout = timeout
        self.session = ClientSession(settings)
        self.events: list[object] = []
        self.sent: list[bytes] = []
        self.received: list[bytes] = []
        if sock is not None:
            self.sock = sock
        elif transport == "udp":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.connect(("127.0.0.1", port))
        else:
            self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.settimeout(0.05)
        self.stream = WrapperStream()
        self.link: HdlcLink | None = None
        if transport == "hdlc":
            self.link = HdlcLink(
                Role.CLIENT,
                local=HdlcAddress.client(client_sap),
                remote=HdlcAddress.server(logical, physical),
                parameters=hdlc_parameters,
                inactivity_timeout=None,
            )
            self.link.connect(time.time())
            self._wait(lambda e: isinstance(e, Connected), link_events=True)

    def close(self) -> None:
        if self.link is not None:
            self.link.disconnect(time.time())
            self._flush()
        self.sock.close()

    def __enter__(self) -> Driver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- moving bytes --------------------------------------------------------------------

    def _flush(self) -> None:
        now = time.time()
        for apdu in self.session.data_to_send():
            self.sent.append(apdu)
            if self.link is not None:
                self.link.send_apdu(apdu, now)
                self.link.expect_response(now)
            elif self.transport == "udp":
                pdu = WrapperPdu(source=self.client_sap, destination=self.logical, apdu=apdu)
                self.sock.send(pdu.encode())
            else:
                self.sock.sendall(self.stream.send(self.client_sap, self.logical, apdu))
        if self.link is not None:
            data = self.link.data_to_send()
            if data:
                self.sock.sendall(data)

    def _receive(self) -> list[object]:
        now = time.time()
        link_events: list[object] = []
        try:
            data = self.sock.recv(65536)
        except (TimeoutError, BlockingIOError):
            data = None
        if data == b"" and self.transport != "udp":
            raise ConnectionError("the simulator closed the connection")
        if self.link is not None:
            if data:
                self.link.receive_data(data, now)
            deadline = self.link.next_timeout()
            if deadline is not None and now >= deadline:
                self.link.handle_timeout(now)
            while (event := self.link.next_event()) is not NEED_DATA:
                link_events.append(event)
                if isinstance(event, ApduReceived):
                    self.received.append(event.apdu)
                    self.session.receive_apdu(event.apdu, now)
        elif data:
            if self.transport == "udp":
                apdu = decode_datagram(data).apdu
                self.received.append(apdu)
                self.session.receive_apdu(apdu, now)
            else:
                self.stream.receive_data(data)
                while (event := self.stream.next_event()) is not NEED_DATA:
                    assert isinstance(event, WrapperPduReceived), event
                    self.received.append(event.pdu.apdu)
                    self.session.receive_apdu(event.pdu.apdu, now)
        deadline = self.session.next_timeout()
        if deadline is not None and now >= deadline:
            self.session.handle_timeout(now)
        return link_events

    def _wait(self, done: Any, *, link_events: bool = False) -> Any:
        end = time.time() + self.timeout
        while time.time() < end:
            self._flush()
            for event in self._receive():
                if link_events and done(event):
                    return event
            if not link_events:
                while (event := self.session.next_event()) is not NEED_DATA:
                    if done(event):
                        return event
                    self.events.append(event)
        raise TimeoutError("no answer from the simulator")

    def raw_exchange(self, apdu: bytes) -> bytes | None:
        """Send one APDU as it is (wrapper transport) and return the APDU answered, or
        None when nothing comes back within a second."""
        assert self.transport == "wrapper"
        self.sock.sendall(
            WrapperPdu(source=self.client_sap, destination=self.logical, apdu=apdu).encode()
        )
        stream = WrapperStream()
        end = time.time() + 1.0
        while time.time() < end:
            try:
                data = self.sock.recv(65536)
            except (TimeoutError, BlockingIOError):
                continue
            if not data:
                raise ConnectionError("closed")
            stream.receive_data(data)
            event = stream.next_event()
            if isinstance(event, WrapperPduReceived):
                return event.pdu.apdu
        return None

    # --- requests ----------------------------------------------------------------------------

    def request(self, request: Any) -> Any:
        self.events = []
        self.session.send(request, time.time())
        return self._wait(lambda e: True)

    def associate(self) -> Any:
        return self.request(Associate())

    def release(self) -> Any:
        return self.request(Release())

    def get(self, class_id: int, obis: str, attribute: int, selection: Any = None) -> Any:
        descriptor = CosemAttributeDescriptor(
            class_id=class_id, instance_id=Obis.parse(obis), attribute_id=attribute
        )
        return self.request(Get(descriptor=descriptor, selection=selection))

    def set(self, class_id: int, obis: str, attribute: int, value: Any) -> Any:
        descriptor = CosemAttributeDescriptor(
            class_id=class_id, instance_id=Obis.parse(obis), attribute_id=attribute
        )
        return self.request(Set(descriptor=descriptor, value=value))

    def action(self, class_id: int, obis: str, method: int, parameters: Any = None) -> Any:
        descriptor = CosemMethodDescriptor(
            class_id=class_id, instance_id=Obis.parse(obis), method_id=method
        )
        return self.request(Action(descriptor=descriptor, parameters=parameters))


class FdSocket:
    """The socket methods the driver uses, over a file descriptor (a pty master)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.timeout = 0.05

    def settimeout(self, timeout: float) -> None:
        self.timeout = timeout

    def sendall(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    send = sendall

    def recv(self, size: int) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], self.timeout)
        if not ready:
            raise TimeoutError
        return os.read(self.fd, size)

    def close(self) -> None:
        os.close(self.fd)


def accepted(event: object) -> bool:
    return isinstance(event, AssociationAccepted)
