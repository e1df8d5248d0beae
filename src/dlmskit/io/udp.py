"""UDP with asyncio: one IEC 62056-47 wrapper PDU per datagram (the wrapper over UDP,
port 4059). An ICMP "port unreachable" for a datagram we sent arrives as an error on the
socket and ends the transport (the meter is not listening there)."""

from __future__ import annotations

import asyncio

from dlmskit.io.base import Transport, TransportClosed

__all__ = ["UdpTransport"]


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | Exception] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: object) -> None:
        self.queue.put_nowait(data)

    def error_received(self, exc: Exception) -> None:
        self.queue.put_nowait(exc)


class UdpTransport(Transport):
    """Datagrams to and from ``host:port``."""

    datagram = True

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._transport: asyncio.DatagramTransport | None = None
        self._protocol: _Datagrams | None = None

    @property
    def description(self) -> str:
        return f"udp {self.host}:{self.port}"

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(
            _Datagrams, remote_addr=(self.host, self.port)
        )
        self._transport, self._protocol = transport, protocol

    async def write(self, data: bytes) -> None:
        if self._transport is None:
            raise TransportClosed("not open")
        self._transport.sendto(data)

    async def read(self, timeout: float) -> bytes | None:
        if self._protocol is None:
            raise TransportClosed("not open")
        try:
            item = await asyncio.wait_for(self._protocol.queue.get(), max(timeout, 0.0))
        except TimeoutError:
            return None
        if isinstance(item, Exception):
            raise TransportClosed(f"{self.description}: {item}")
        return item

    async def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        self._transport = self._protocol = None
