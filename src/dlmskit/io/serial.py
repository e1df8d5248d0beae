"""Serial lines through pyserial: direct HDLC ports (any baud rate, parity, data and stop
bits: customer ports run 2400 8E1 or 115200 8N1), optical probes with the IEC 62056-21
mode E opening (300 baud 7E1 sign-on, then the switch to the agreed rate at 8N1, HDLC),
and the line settings changed while open, as mode E needs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import termios
import time
from typing import Any

import serial

from dlmskit.io.base import Transport, TransportClosed
from dlmskit.link._events import LineSettings
from dlmskit.link.mode_e import DrainThenSwitch, HdlcReady, ModeEClient, SetLine
from dlmskit.session._events import NeedData

__all__ = ["SerialTransport", "mode_e_handshake"]

_log = logging.getLogger("dlmskit.io")

_PARITY = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}


class SerialTransport(Transport):
    """A serial port (a device or a pty) at ``baud`` / ``bytesize`` / ``parity`` /
    ``stopbits``."""

    def __init__(
        self,
        path: str,
        *,
        baud: int = 9600,
        bytesize: int = 8,
        parity: str = "N",
        stopbits: int = 1,
    ) -> None:
        self.path = path
        self.settings = LineSettings(
            baud=baud, data_bits=bytesize, parity=parity, stop_bits=stopbits
        )
        self._port: Any = None
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def description(self) -> str:
        s = self.settings
        return f"{self.path} {s.baud} {s.data_bits}{s.parity}{s.stop_bits}"

    async def open(self) -> None:
        try:
            self._port = serial.Serial(
                self.path,
                baudrate=self.settings.baud,
                bytesize=self.settings.data_bits,
                parity=_PARITY[self.settings.parity],
                stopbits=self.settings.stop_bits,
                timeout=0,
                write_timeout=5,
            )
        except (serial.SerialException, ValueError) as exc:
            raise TransportClosed(f"cannot open {self.path}: {exc}") from None
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self._port.fileno(), self._readable)

    def _readable(self) -> None:
        try:
            data = os.read(self._port.fileno(), 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        self._queue.put_nowait(data)

    def configure(self, settings: LineSettings) -> None:
        """Apply new line settings (mode E switches baud rate and parity)."""
        self.settings = settings
        if self._port is None:
            return
        try:
            self._port.apply_settings(
                {
                    "baudrate": settings.baud,
                    "bytesize": settings.data_bits,
                    "parity": _PARITY[settings.parity],
                    "stopbits": settings.stop_bits,
                }
            )
        except (serial.SerialException, OSError, termios.error) as exc:
            if self.path.startswith("/dev/pts/"):
                # A pseudo-terminal has no line speed; Linux refuses some re-settings of
                # a pty slave (EINVAL). The bytes flow the same, so the switch is moot.
                _log.debug("line settings on the pty %s not applied: %s", self.path, exc)
                return
            raise TransportClosed(f"{self.path}: cannot apply {settings}: {exc}") from None

    async def drain(self, sent: int) -> None:
        """Wait until ``sent`` bytes have left the UART at the current rate."""
        bits = 1 + self.settings.data_bits + (self.settings.parity != "N") + self.settings.stop_bits
        with contextlib.suppress(Exception):
            self._port.flush()
        await asyncio.sleep(sent * bits / self.settings.baud + 0.01)

    async def write(self, data: bytes) -> None:
        if self._port is None:
            raise TransportClosed("not open")
        try:
            self._port.write(data)
        except (serial.SerialException, OSError) as exc:
            raise TransportClosed(f"{self.path}: {exc}") from None

    async def read(self, timeout: float) -> bytes | None:
        if self._port is None:
            raise TransportClosed("not open")
        try:
            data = await asyncio.wait_for(self._queue.get(), max(timeout, 0.0))
        except TimeoutError:
            return None
        if not data:
            raise TransportClosed(f"{self.path}: the line is gone")
        return data

    async def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            if self._loop is not None:
                with contextlib.suppress(Exception):
                    self._loop.remove_reader(port.fileno())
            with contextlib.suppress(Exception):
                port.close()


async def mode_e_handshake(
    line: SerialTransport, *, address: str = "", timeout: float = 5.0
) -> bytes:
    """The IEC 62056-21 opening for HDLC (mode E): sign-on at 300 baud 7E1, read the
    identification, acknowledge with ``ACK 2 Z 2``, switch to the meter's rate at 8N1.
    Returns the bytes that arrived after the switch (the first HDLC bytes, if any)."""
    machine = ModeEClient(address)
    sign_on = machine.start()
    deadline = time.monotonic() + timeout
    while True:
        event = machine.next_event()
        if isinstance(event, NeedData):
            break
        if isinstance(event, SetLine):
            line.configure(event.settings)
    await line.write(sign_on)
    await line.drain(len(sign_on))
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(
                f"no IEC 62056-21 identification on {line.path}: check the probe and the "
                "meter's optical port"
            )
        data = await line.read(remaining)
        if data is None:
            continue
        machine.receive_data(data)
        while True:
            event = machine.next_event()
            out = machine.data_to_send()
            if out:
                await line.write(out)
                await line.drain(len(out))
            if isinstance(event, NeedData):
                break
            if isinstance(event, DrainThenSwitch):
                line.configure(event.settings)
            elif isinstance(event, HdlcReady):
                return event.leftover
