"""The dial-up modem transport (dlmskit.io.modem) against a pty peer that plays the modem
(ITU-T V.250 command set: ``AT`` → ``OK``, ``ATD<number>`` → ``CONNECT``, then the line
carries HDLC to the meter, ``+++`` after a guard time → command mode, ``ATH`` → hang up).
Behind the modem, the peer relays the data call to the simulator's HDLC-over-TCP port,
so the client reads a real meter through the dialled line."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Iterator

import pytest

from dlmskit.client import AsyncClient
from dlmskit.errors import ConnectionLostError
from dlmskit.io.modem import ModemTransport
from tests.test_client import SimThread


class ModemPeer(threading.Thread):
    """The modem side of a pty: answers AT commands, relays a data call to ``port``."""

    def __init__(self, master: int, port: int, *, dial_answer: str = "CONNECT 9600") -> None:
        super().__init__(daemon=True)
        self.master = master
        self.port = port
        self.dial_answer = dial_answer
        self.commands: list[str] = []
        self.stop = threading.Event()
        self.relayed = 0

    def _say(self, text: str) -> None:
        os.write(self.master, f"\r\n{text}\r\n".encode())

    def run(self) -> None:
        buffer = b""
        call: socket.socket | None = None
        while not self.stop.is_set():
            sources = [self.master] + ([call] if call is not None else [])
            readable, _, _ = select.select(sources, [], [], 0.05)
            if call is not None and call in readable:
                data = call.recv(65536)
                if not data:
                    call.close()
                    call = None
                    self._say("NO CARRIER")
                    continue
                os.write(self.master, data)
            if self.master not in readable:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                break
            if call is not None:
                if data == b"+++":  # the escape, alone between two guard times
                    self.commands.append("+++")
                    self._say("OK")
                    call.close()
                    call = None
                else:
                    self.relayed += len(data)
                    call.sendall(data)
                continue
            buffer += data
            while b"\r" in buffer:
                raw, buffer = buffer.split(b"\r", 1)
                line = raw.strip().decode("ascii", "replace")
                if not line:
                    continue
                self.commands.append(line)
                if line.startswith("ATD"):
                    if self.dial_answer.startswith("CONNECT"):
                        call = socket.create_connection(("127.0.0.1", self.port))
                    self._say(self.dial_answer)
                elif line.startswith("AT"):
                    self._say("OK")
        if call is not None:
            call.close()


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    simulator = SimThread().start()
    yield simulator
    simulator.stop()


@contextlib.contextmanager
def modem_line(sim: SimThread, **options: str) -> Iterator[tuple[str, ModemPeer]]:
    master, slave = os.openpty()
    tty.setraw(slave)
    port = int(sim.urls["hdlc"].rsplit(":", 1)[1])
    peer = ModemPeer(master, port, **options)
    peer.start()
    try:
        yield os.ttyname(slave), peer
    finally:
        peer.stop.set()
        peer.join(5)
        os.close(slave)
        os.close(master)


def _modem(path: str, **options: object) -> ModemTransport:
    return ModemTransport(
        path, "0123456789", init=("ATE0",), guard_time=0.05, command_timeout=1.0, **options
    )  # type: ignore[arg-type]


def test_dial_read_and_hang_up(sim: SimThread) -> None:
    with modem_line(sim) as (path, peer):

        async def read() -> bytes:
            url = f"modem://{path}?number=0123456789"
            async with AsyncClient(url, transport=_modem(path), timeout=5.0) as meter:
                name = await meter.get("0.0.42.0.0.255", 2, class_id=1)
                assert meter.stack.link_up
            return bytes(name)

        name = asyncio.run(read())
        # the ATH is written as the transport closes: let the peer read it before it stops
        deadline = time.monotonic() + 5
        while "ATH" not in peer.commands and time.monotonic() < deadline:
            time.sleep(0.02)
    assert name.startswith(b"DLK")  # the default model's logical device name
    assert peer.commands == ["AT", "ATE0", "ATD0123456789", "+++", "ATH"]
    assert peer.relayed > 0  # SNRM, AARQ, GET, RLRQ, DISC went through the data call


@pytest.mark.parametrize("answer", ["BUSY", "NO CARRIER", "NO DIALTONE"])
def test_a_failed_call_says_what_the_modem_answered(sim: SimThread, answer: str) -> None:
    with modem_line(sim, dial_answer=answer) as (path, _):

        async def dial() -> None:
            url = f"modem://{path}?number=0123456789"
            async with AsyncClient(url, transport=_modem(path), connect_timeout=3.0):
                pass

        with pytest.raises(ConnectionLostError, match=answer.lower()) as caught:
            asyncio.run(dial())
    assert caught.value.step == "connect"


def test_a_silent_modem_is_no_answer_to_at() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    try:

        async def dial() -> None:
            path = os.ttyname(slave)
            transport = _modem(path)
            async with AsyncClient(f"modem://{path}?number=1", transport=transport):
                pass

        with pytest.raises(ConnectionLostError, match="modem: no answer to 'AT'"):
            asyncio.run(dial())
    finally:
        os.close(slave)
        os.close(master)


def test_bad_numbers_are_refused() -> None:
    for number in ("", "123\r\nATH", "1;2"):
        with pytest.raises(ValueError, match="number"):
            ModemTransport("/dev/null", number)
