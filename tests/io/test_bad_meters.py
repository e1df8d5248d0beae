"""Meters that misbehave (issue 9, "Bad input"): garbage instead of an answer, a
connection closed mid-association, an undecodable APDU, the link reset by the meter
(HDLC DM) while a request waits. Each ends in a typed error naming the step, the
transport is closed (the fake meter sees the end of its connection), and nothing hangs.

The fake meters are small asyncio servers on loopback; the HDLC one answers SNRM with a
real UA frame (IEC 62056-46 6.4.4.4.3) built from dlmskit.link.hdlc."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable

import pytest

from dlmskit import axdr
from dlmskit.client import AsyncClient
from dlmskit.errors import ClientError, ConnectionLostError, NoAnswerError
from dlmskit.link.hdlc import FrameKind, FrameSplitter, HdlcAddress, HdlcFrame
from dlmskit.link.wrapper import WrapperPdu, WrapperPduReceived, WrapperStream
from tests.io.test_stack import Server

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

CLIENT = HdlcAddress.client(16)
SERVER = HdlcAddress.server(1, 17)


async def _run_against(behaviour: Behaviour, scheme: str, **options: object) -> BaseException:
    """Run a client session against ``behaviour``; the error it raised. Also checks
    that the client closed the connection afterwards."""
    closed = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await behaviour(reader, writer)
            while await reader.read(65536):  # until the client closes
                pass
        except (ConnectionError, OSError):
            pass
        finally:
            closed.set()
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        client = AsyncClient(f"{scheme}://127.0.0.1:{port}", **options)  # type: ignore[arg-type]
        with pytest.raises(ClientError) as caught:
            async with client:
                await client.get("0.0.42.0.0.255", 2, class_id=1)
        await asyncio.wait_for(closed.wait(), 5)  # the transport was closed
        return caught.value
    finally:
        server.close()
        await server.wait_closed()


def run(behaviour: Behaviour, scheme: str = "tcp", **options: object) -> BaseException:
    return asyncio.run(asyncio.wait_for(_run_against(behaviour, scheme, **options), 30))


def test_wrapper_garbage_is_a_broken_stream() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)  # the AARQ
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")  # not a wrapper header (version 1)

    error = run(garbage)
    assert isinstance(error, ConnectionLostError)
    assert error.step == "associate"
    assert "unusable" in str(error) and "wrapper" in str(error)


def test_closed_mid_association() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.close()

    error = run(hang_up)
    assert isinstance(error, ConnectionLostError)
    assert error.step == "associate"
    assert "closed" in str(error)


def test_an_undecodable_apdu_in_a_good_wrapper() -> None:
    async def nonsense(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        # A well-formed wrapper PDU (IEC 62056-47) carrying an unknown APDU tag 0xFF.
        writer.write(WrapperPdu(source=1, destination=16, apdu=b"\xff\x00\x01").encode())

    error = run(nonsense, timeout=3.0)
    assert isinstance(error, ConnectionLostError | NoAnswerError)
    assert error.step == "associate"


def test_silence_is_no_answer_naming_the_server_address() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)

    error = run(silent, timeout=0.5)
    assert isinstance(error, NoAnswerError)
    assert error.step == "associate"
    assert "check the server address" in str(error)


def _frame(kind: FrameKind, information: bytes = b"") -> bytes:
    return HdlcFrame(
        destination=CLIENT,
        source=SERVER,
        kind=kind,
        poll_final=True,
        send_sequence=None,
        receive_sequence=None,
        information=information,
    ).encode()


async def _frames(reader: asyncio.StreamReader, splitter: FrameSplitter) -> list[HdlcFrame]:
    data = await reader.read(65536)
    if not data:
        raise ConnectionError("closed")
    splitter.receive_data(data)
    out = []
    while (event := splitter.next_event()) is not None and hasattr(event, "frame"):
        out.append(event.frame)
    return out


def test_hdlc_link_reset_while_a_request_waits() -> None:
    """UA to SNRM, then DM (disconnected mode) in answer to the AARQ: the meter reset."""

    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        splitter = FrameSplitter()
        while True:
            for frame in await _frames(reader, splitter):
                if frame.kind is FrameKind.SNRM:
                    writer.write(_frame(FrameKind.UA))
                elif frame.kind is FrameKind.I:
                    writer.write(_frame(FrameKind.DM))
                    return

    error = run(reset, "hdlc+tcp", timeout=5.0)
    assert isinstance(error, ConnectionLostError)
    assert error.step == "associate"
    assert "link dropped" in str(error)


def test_hdlc_garbage_to_snrm_is_no_answer() -> None:
    async def noise(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(3):
            if not await reader.read(65536):
                return
            writer.write(bytes(range(0x30, 0x7E)) * 3)  # no flag: never a frame

    error = run(noise, "hdlc+tcp", connect_timeout=1.0)
    assert isinstance(error, NoAnswerError)
    assert error.step == "connect"
    assert "check the server address" in str(error)


def test_udp_to_a_closed_port_is_refused_at_once() -> None:
    """Nobody listens: the ICMP port-unreachable comes back as an error on the socket."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed

    async def run() -> None:
        async with AsyncClient(f"udp://127.0.0.1:{port}", timeout=20):
            pass

    with pytest.raises(ConnectionLostError, match="refused") as caught:
        asyncio.run(asyncio.wait_for(run(), 10))  # long before the 20 s answer timeout
    assert caught.value.step == "associate"


class _MuteAfterAssociation:
    """A wrapper meter (the real ServerSession) that associates, then swallows every
    request: counts the APDUs it ignored by their first byte (C0 GET, C1 SET)."""

    def __init__(self) -> None:
        self.ignored: list[int] = []

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        meter = Server("wrapper")
        stream = WrapperStream()
        while data := await reader.read(65536):
            if meter.session.state.name != "ASSOCIATED":
                writer.write(meter.receive(data, time.time()))
                continue
            stream.receive_data(data)
            while isinstance(event := stream.next_event(), WrapperPduReceived):
                self.ignored.append(event.pdu.apdu[0])


def _against_mute(**options: object) -> tuple[BaseException, list[int], float]:
    mute = _MuteAfterAssociation()

    async def scenario() -> tuple[BaseException, float]:
        server = await asyncio.start_server(mute, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        started = time.monotonic()
        try:
            client = AsyncClient(f"tcp://127.0.0.1:{port}", timeout=60, **options)  # type: ignore[arg-type]
            async with client:
                with pytest.raises(NoAnswerError) as caught:
                    if "step_timeouts" in options and "set" in options["step_timeouts"]:  # type: ignore[operator]
                        await client.set("0.0.42.0.0.255", 2, axdr.OctetString(b"x"), class_id=1)
                    else:
                        await client.get("0.0.42.0.0.255", 2, class_id=1)
            return caught.value, time.monotonic() - started
        finally:
            server.close()
            await server.wait_closed()

    error, elapsed = asyncio.run(asyncio.wait_for(scenario(), 30))
    return error, mute.ignored, elapsed


def test_step_timeout_and_default_get_retry() -> None:
    error, ignored, elapsed = _against_mute(step_timeouts={"get": 0.3, "release": 0.3})
    assert error.step == "get" and "0.0.42.0.0.255" in str(error)
    assert ignored[:2] == [0xC0, 0xC0]  # the GET and its one default retry
    assert elapsed < 20  # not the 60 s default


def test_step_retries() -> None:
    _, ignored, _ = _against_mute(
        step_timeouts={"get": 0.2, "release": 0.2}, step_retries={"get": 3}
    )
    assert ignored.count(0xC0) == 4


@pytest.mark.parametrize(("retries", "sent"), [(None, 1), ({"set": 2}, 3)])
def test_a_set_is_resent_only_when_asked(retries: dict[str, int] | None, sent: int) -> None:
    _, ignored, _ = _against_mute(step_timeouts={"set": 0.2, "release": 0.2}, step_retries=retries)
    assert ignored.count(0xC1) == sent


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"step_timeouts": {"get": 0}}, r"step_timeouts\['get'\] must be a positive"),
        ({"step_timeouts": {"gets": 1}}, "unknown step 'gets'"),
        ({"step_retries": {"get": -1}}, r"step_retries\['get'\] must be an int >= 0"),
        ({"step_retries": {"get": 1.5}}, "must be an int"),
        ({"timeout": 0}, "timeout and connect_timeout must be positive"),
        ({"retries": True}, "retries must be an int"),
    ],
)
def test_bad_time_options(options: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        AsyncClient("tcp://127.0.0.1:1", **options)  # type: ignore[arg-type]
