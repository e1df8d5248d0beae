"""Our client reads an independent server: /work/shared/interop/gurux_server.py, built on
the PyPI gurux-dlms package (test dependency only), with no security and with LLS, over
the wrapper and HDLC. Its defects are real-world ones: an HDLC UA whose parameter group
length is 0 (the ``lenient_ua`` quirk, or a clear refusal) and an RLRE whose lengths are
wrong (the client closes anyway: no hang, no error on exit)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from dlmskit.client import AsyncClient
from dlmskit.errors import AssociationError

# Next to the clone, as the shared vectors are (tests/vectors.py).
SERVER = Path(__file__).resolve().parents[2].parent / "shared" / "interop" / "gurux_server.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def gurux(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    iface, auth = request.param
    port = _free_port()
    args = [sys.executable, str(SERVER), "--port", str(port), "--iface", iface, "--rows", "50"]
    if auth == "Low":
        args += ["--auth", "Low", "--password", "12345678"]
    # Ready when it says so: probing with a connection of our own would not do, since the
    # server keeps one association for all connections and resets it when any client
    # leaves (a late probe disconnect wiped the test's association now and then).
    process = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    ready = threading.Event()

    def drain(stream: IO[str]) -> None:
        for line in stream:  # it logs every frame: keep the pipe from filling up
            if "listening on" in line:
                ready.set()

    threading.Thread(target=drain, args=(process.stdout,), daemon=True).start()
    if not ready.wait(30):
        process.kill()
        pytest.fail("the gurux server did not start")
    scheme = "hdlc+tcp" if iface == "HDLC" else "tcp"
    try:
        yield f"{scheme}://127.0.0.1:{port}", port
    finally:
        process.kill()
        process.wait(5)


CASES = [("WRAPPER", "None"), ("WRAPPER", "Low"), ("HDLC", "None"), ("HDLC", "Low")]


@pytest.mark.parametrize("gurux", CASES, indirect=True, ids=[f"{i}-{a}" for i, a in CASES])
def test_read_the_gurux_server(gurux: tuple[str, int]) -> None:
    url, _ = gurux
    lls = {"mechanism": "lls", "password": "12345678"}

    async def run() -> None:
        for attempt_options in ({}, lls):
            try:
                client = AsyncClient(
                    url, timeout=5, physical_address=None, lenient_ua=True, **attempt_options
                )
                await client.__aenter__()
                break
            except AssociationError:
                await asyncio.sleep(0.5)  # the same: its disconnect resets the server
                continue
        else:
            pytest.fail("neither no security nor LLS was accepted")
        try:
            name = await client.get("0.0.42.0.0.255", class_id=1)
            assert bytes(name).startswith(b"GRX")
            moment = await client.read_clock()
            assert abs(moment.timestamp() - time.time()) < 3600 * 14
            view = await client.association_view()
            assert "1.0.99.1.0.255" in view and len(list(view)) >= 10
            table = await client.profile("1.0.99.1.0.255")
            assert len(table.rows) == 50
            values = table.column(1)
            assert values == sorted(values)
            entries = await client.profile("1.0.99.1.0.255", from_entry=1, to_entry=5)
            assert len(entries.rows) == 5
        finally:
            await client.__aexit__(None, None, None)  # its RLRE is malformed: no hang

    asyncio.run(asyncio.wait_for(run(), 60))


@pytest.mark.parametrize("gurux", [("HDLC", "None")], indirect=True, ids=["HDLC"])
def test_its_malformed_ua_is_a_clear_error_without_the_quirk(gurux: tuple[str, int]) -> None:
    url, _ = gurux

    async def run() -> None:
        async with AsyncClient(url, timeout=5, physical_address=None):
            pass

    with pytest.raises(AssociationError, match=r"UA with bad parameters.*lenient_ua"):
        asyncio.run(asyncio.wait_for(run(), 30))
