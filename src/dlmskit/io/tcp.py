"""TCP with asyncio: a byte stream carrying the IEC 62056-47 wrapper or HDLC frames."""

from __future__ import annotations

import asyncio
import contextlib

from dlmskit.io.base import Transport, TransportClosed

__all__ = ["TcpTransport"]


class TcpTransport(Transport):
    """A TCP connection to ``host:port``."""

    def __init__(self, host: str, port: int, *, connect_timeout: float = 10.0) -> None:
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    @property
    def description(self) -> str:
        return f"{self.host}:{self.port}"

    async def open(self) -> None:
        self._reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), self.connect_timeout
        )

    async def write(self, data: bytes) -> None:
        if self._writer is None:
            raise TransportClosed("not connected")
        self._writer.write(data)
        try:
            await self._writer.drain()
        except (ConnectionError, OSError) as exc:
            raise TransportClosed(f"connection to {self.description} lost: {exc}") from None

    async def read(self, timeout: float) -> bytes | None:
        if self._reader is None:
            raise TransportClosed("not connected")
        try:
            data = await asyncio.wait_for(self._reader.read(65536), max(timeout, 0.0))
        except TimeoutError:
            return None
        except (ConnectionError, OSError) as exc:
            raise TransportClosed(f"connection to {self.description} lost: {exc}") from None
        if not data:
            raise TransportClosed(f"{self.description} closed the connection")
        return data

    async def close(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 2.0)
