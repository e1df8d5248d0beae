"""What every transport offers the client: write bytes, read bytes (or datagrams) with a
timeout, close. Transports know nothing of DLMS framing."""

from __future__ import annotations

import abc

__all__ = ["Transport", "TransportClosed"]


class TransportClosed(ConnectionError):
    """The peer closed the connection (or the line dropped)."""


class Transport(abc.ABC):
    """A byte stream (or, with ``datagram = True``, a datagram socket)."""

    datagram: bool = False

    @abc.abstractmethod
    async def open(self) -> None:
        """Connect (dial, open the port)."""

    @abc.abstractmethod
    async def write(self, data: bytes) -> None:
        """Send bytes (one datagram when ``datagram``)."""

    @abc.abstractmethod
    async def read(self, timeout: float) -> bytes | None:
        """Bytes received (one datagram), or None when ``timeout`` seconds passed first;
        raises :class:`TransportClosed` when the peer closed."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release the connection; never raises."""

    @property
    @abc.abstractmethod
    def description(self) -> str:
        """Where this transport goes, for messages."""
