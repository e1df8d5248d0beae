"""The TCP transport (dlmskit.io.tcp) on real loopback sockets: reads with a timeout,
bytes that arrived before the read, the peer closing, writing to a closed peer, a slow
reader holding back a large write until it reads, close() releasing the socket."""

from __future__ import annotations

import asyncio
import socket

import pytest

from dlmskit.io.base import TransportClosed
from dlmskit.io.tcp import TcpTransport

Pair = tuple[TcpTransport, asyncio.StreamReader, asyncio.StreamWriter, asyncio.Server]


async def _pair() -> Pair:
    accepted: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accepted.put((reader, writer))

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = TcpTransport("127.0.0.1", port)
    await transport.open()
    reader, writer = await asyncio.wait_for(accepted.get(), 5)
    return transport, reader, writer, server


def test_reads_writes_and_timeouts() -> None:
    async def run() -> None:
        transport, reader, writer, server = await _pair()
        try:
            assert await transport.read(0.05) is None  # nothing yet: the timeout
            await transport.write(b"\x00\x01request")
            assert await asyncio.wait_for(reader.readexactly(9), 5) == b"\x00\x01request"
            writer.write(b"first")
            await writer.drain()
            await asyncio.sleep(0.05)
            writer.write(b"second")
            await writer.drain()
            await asyncio.sleep(0.05)
            # both arrived before this read: one read returns them together
            assert await transport.read(5) == b"firstsecond"
            reading = asyncio.ensure_future(transport.read(5))
            await asyncio.sleep(0.01)
            writer.write(b"later")
            assert await reading == b"later"  # a waiting read wakes on arrival
            writer.close()
            with pytest.raises(TransportClosed, match="closed the connection"):
                await transport.read(5)
            with pytest.raises(TransportClosed):
                await transport.write(b"after")
        finally:
            await transport.close()
            server.close()

    asyncio.run(asyncio.wait_for(run(), 20))


def test_a_slow_reader_holds_back_a_large_write() -> None:
    async def run() -> None:
        transport, reader, _, server = await _pair()
        try:
            block = bytes(range(256)) * 4096 * 8  # 8 MiB: more than the socket buffers take
            writing = asyncio.ensure_future(transport.write(block))
            await asyncio.sleep(0.2)
            assert not writing.done()  # waiting for the peer to read
            received = await asyncio.wait_for(reader.readexactly(len(block)), 20)
            await asyncio.wait_for(writing, 5)
            assert received == block
        finally:
            await transport.close()
            server.close()

    asyncio.run(asyncio.wait_for(run(), 40))


def test_close_releases_the_socket_and_refuses_later_use() -> None:
    async def run() -> None:
        transport, reader, _, server = await _pair()
        await transport.close()
        assert await asyncio.wait_for(reader.read(), 5) == b""  # the peer sees the end
        with pytest.raises(TransportClosed, match="not connected"):
            await transport.read(1)
        with pytest.raises(TransportClosed, match="not connected"):
            await transport.write(b"x")
        await transport.close()  # twice is fine
        server.close()

    asyncio.run(asyncio.wait_for(run(), 20))


def test_nothing_listening() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = TcpTransport("127.0.0.1", port)
    with pytest.raises(ConnectionRefusedError):
        asyncio.run(transport.open())
