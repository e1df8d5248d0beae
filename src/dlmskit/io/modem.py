"""A dial-up modem (PSTN or GSM data call) in front of a serial line: AT commands to
initialise and dial, wait for ``CONNECT``, then the line carries HDLC; hang up with the
escape sequence and ``ATH`` (ITU-T V.250 command set)."""

from __future__ import annotations

import asyncio
import time

from dlmskit.io.base import TransportClosed
from dlmskit.io.serial import SerialTransport

__all__ = ["ModemTransport"]

_FAILURES = ("NO CARRIER", "BUSY", "NO DIALTONE", "NO DIAL TONE", "NO ANSWER", "ERROR")


class ModemTransport(SerialTransport):
    """``number`` dialled through the modem on ``path`` (``init``: extra AT commands)."""

    def __init__(
        self,
        path: str,
        number: str,
        *,
        init: tuple[str, ...] = (),
        dial_timeout: float = 60.0,
        command_timeout: float = 5.0,
        guard_time: float = 1.0,
        baud: int = 9600,
        bytesize: int = 8,
        parity: str = "N",
        stopbits: int = 1,
    ) -> None:
        super().__init__(path, baud=baud, bytesize=bytesize, parity=parity, stopbits=stopbits)
        if not number or any(c in number for c in "\r\n;"):
            raise ValueError("number must be a non-empty phone number")
        self.number = number
        self.init = init
        self.dial_timeout = dial_timeout
        self.command_timeout = command_timeout
        self.guard_time = guard_time
        self.leftover = b""

    @property
    def description(self) -> str:
        return f"modem {self.path} dialling {self.number}"

    async def _command(self, command: str, timeout: float, expect: tuple[str, ...]) -> str:
        await super().write(command.encode("ascii") + b"\r")
        buffer = b""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TransportClosed(f"modem: no answer to {command.split('D', maxsplit=1)[0]!r}")
            data = await super().read(remaining)
            if data is None:
                continue
            buffer += data
            text = buffer.decode("ascii", "replace")
            for word in expect:
                if word in text:
                    cut = buffer.find(word.encode()) + len(word)
                    rest = buffer[cut:]
                    self.leftover = rest.split(b"\n", 1)[1] if b"\n" in rest else b""
                    return text
            for failure in _FAILURES:
                if failure in text:
                    raise TransportClosed(f"modem: {failure.lower()} ({self.description})")

    async def open(self) -> None:
        await super().open()
        try:
            await self._command("AT", self.command_timeout, ("OK",))
            for command in self.init:
                await self._command(command, self.command_timeout, ("OK",))
            await self._command(f"ATD{self.number}", self.dial_timeout, ("CONNECT",))
        except BaseException:
            await super().close()
            raise

    async def read(self, timeout: float) -> bytes | None:
        if self.leftover:
            data, self.leftover = self.leftover, b""
            return data
        return await super().read(timeout)

    async def close(self) -> None:
        if self._port is not None:
            try:
                await asyncio.sleep(self.guard_time)
                await super().write(b"+++")
                await asyncio.sleep(self.guard_time)
                await super().write(b"ATH\r")
            except (TransportClosed, OSError):
                pass
        await super().close()
