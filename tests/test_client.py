"""The client (dlmskit.client) end to end on real loopback sockets against the simulator:
the seed README flow over the wrapper, HDLC, UDP and a pty with the mode E opening; every
operation; the failure cases."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
import socket
import threading
import tty
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dlmskit import axdr
from dlmskit.apdu.common import DataAccessResult
from dlmskit.client import AsyncClient, Client
from dlmskit.errors import (
    AccessError,
    AssociationError,
    ClientError,
    ConnectionLostError,
    NoAnswerError,
)
from dlmskit.server import Simulator

EK = bytes(range(16))
AK = bytes(range(0xD0, 0xE0))
PROFILE = "1.0.99.1.0.255"


class SimThread:
    """The simulator in a background event loop (the client runs in the test's own)."""

    def __init__(self, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.sim: Simulator | None = None
        self.options = options
        self.urls: dict[str, str] = {}

    def start(self) -> SimThread:
        async def boot() -> None:
            self.sim = Simulator(**self.options)
            await self.sim.__aenter__()
            self.urls["tcp"] = f"tcp://127.0.0.1:{await self.sim.serve_tcp('127.0.0.1', 0)}"
            hdlc = await self.sim.serve_tcp("127.0.0.1", 0, hdlc=True)
            self.urls["hdlc"] = f"hdlc+tcp://127.0.0.1:{hdlc}"
            self.urls["udp"] = f"udp://127.0.0.1:{await self.sim.serve_udp('127.0.0.1', 0)}"

        asyncio.run_coroutine_threadsafe(boot(), self.loop).result(10)
        return self

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    def stop(self) -> None:
        if self.sim is not None:
            self.run(self.sim.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    simulator = SimThread().start()
    yield simulator
    simulator.stop()


def management(url: str, counter: int, **options: Any) -> AsyncClient:
    return AsyncClient(
        url,
        client_address=1,
        mechanism="hls-gmac",
        ek=EK,
        ak=AK,
        system_title=b"TST\x00\x00\x00\x00\x01",
        invocation_counter=counter,
        **options,
    )


async def seed_flow(url: str) -> tuple[int, Any]:
    """The seed README example: the public client reads the invocation counter, then
    the management client (HLS-GMAC, authenticated and encrypted) reads the load profile
    over the last day with counter + 1."""
    async with AsyncClient(url, client_address=16) as public:
        counter = await public.read_invocation_counter()
    async with management(url, counter + 1) as meter:
        now = dt.datetime.now(dt.UTC)
        table = await meter.profile(PROFILE, start=now - dt.timedelta(days=1), end=now)
    return counter, table


@pytest.mark.parametrize("transport", ["tcp", "hdlc", "udp"])
def test_seed_example(sim: SimThread, transport: str) -> None:
    counter, table = asyncio.run(seed_flow(sim.urls[transport]))
    assert counter >= 0
    assert 95 <= len(table.rows) <= 97
    clocks = table.column(0)
    assert clocks == sorted(clocks) and clocks[0].tzinfo is not None
    energy = table.column(2)
    assert energy == sorted(energy)


def test_seed_example_over_a_pty_with_mode_e() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    simulator = SimThread().start()
    try:
        assert simulator.sim is not None
        simulator.run(simulator.sim.serve_serial(master, mode_e=True))
        _, table = asyncio.run(seed_flow(f"serial://{os.ttyname(slave)}?mode-e"))
        assert 95 <= len(table.rows) <= 97
    finally:
        simulator.stop()
        os.close(slave)  # the master was closed by the simulator


def test_every_operation(sim: SimThread, tmp_path: Path) -> None:
    async def run() -> None:
        async with AsyncClient(sim.urls["tcp"]) as public:
            counter = await public.read_invocation_counter()
        async with management(sim.urls["hdlc"], counter + 1, association_cache=tmp_path) as m:
            view = await m.association_view()
            assert "1.0.99.1.0.255" in view
            assert list(tmp_path.iterdir()), "the view was cached"
            values = await m.get_with_list([("0.0.42.0.0.255", 2), ("1.0.1.8.0.255", 3)])
            assert bytes(values[0]).startswith(b"DLK")
            assert values[1] == axdr.Structure((axdr.Integer(0), axdr.Enum(30)))
            whole = await m.read_object("0.0.1.0.0.255")
            assert set(whole) >= {"time", "time_zone", "status", "clock_base"}
            register = await m.read_object("1.0.1.8.0.255")
            assert register["scaler_unit"].unit.name == "WATT_HOUR"
            last = await m.profile(PROFILE, from_entry=1, to_entry=3)
            assert len(last.rows) == 3
            before = await m.read_clock()
            target = dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=2)))
            await m.set_clock(target)
            assert abs((await m.read_clock() - target).total_seconds()) < 5
            drift = await m.sync_clock()
            assert drift > dt.timedelta(days=300)
            assert abs((await m.read_clock() - dt.datetime.now(dt.UTC)).total_seconds()) < 5
            assert before.tzinfo is not None
            await m.action("0.0.96.3.10.255", 1, axdr.Integer(0), class_id=70)
            assert await m.get("0.0.96.3.10.255", 2, class_id=70) == axdr.Boolean(False)
            await m.action("0.0.96.3.10.255", 2, axdr.Integer(0), class_id=70)
            await m.set("0.0.22.0.0.255", 8, axdr.LongUnsigned(121), class_id=23)
            assert await m.get("0.0.22.0.0.255", 8, class_id=23) == axdr.LongUnsigned(121)
            with pytest.raises(AccessError, match="type-unmatched"):
                await m.set("0.0.22.0.0.255", 8, axdr.Boolean(True), class_id=23)
            await m.keep_alive()
        # a second association reads the view from the cache file
        async with management(sim.urls["tcp"], counter + 10_000, association_cache=tmp_path) as m:
            assert len(list(await m.association_view())) == len(list(view))

    asyncio.run(run())


def test_image_transfer_with_resume_and_activation() -> None:
    simulator = SimThread().start()
    try:
        url = simulator.urls["tcp"]
        image = os.urandom(1000)

        async def run() -> None:
            seen: list[tuple[int, int]] = []
            async with management(url, 1) as m:
                # a first attempt sends three blocks and stops
                await m.action(
                    "0.0.44.0.0.255",
                    1,
                    axdr.Structure((axdr.OctetString(b"IMG-9"), axdr.DoubleLongUnsigned(1000))),
                    class_id=18,
                )
                for n in range(3):
                    block = axdr.OctetString(image[n * 192 : (n + 1) * 192])
                    parameters = axdr.Structure((axdr.DoubleLongUnsigned(n), block))
                    await m.action("0.0.44.0.0.255", 2, parameters, class_id=18)
            async with management(url, 500) as m:
                result = await m.update_firmware(
                    image, b"IMG-9", poll_interval=0.2, progress=lambda a, b: seen.append((a, b))
                )
                assert result.resumed_from == 3 and result.blocks_sent == 3
                assert result.activated
                assert seen[-1] == (6, 6)
            async with AsyncClient(url) as public:
                assert await public.get("1.0.0.2.0.255", class_id=1) == axdr.OctetString(b"IMG-9")

        asyncio.run(run())
    finally:
        simulator.stop()


def test_blocking_client(sim: SimThread) -> None:
    with Client(sim.urls["tcp"]) as meter:
        assert bytes(meter.get("0.0.42.0.0.255")).startswith(b"DLK")
        assert isinstance(meter.read_clock(), dt.datetime)
        assert meter.accepted is not None


# --- failures -------------------------------------------------------------------------------


def test_no_answer_names_the_server_address() -> None:
    silent = socket.create_server(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True)
    thread.start()

    async def run() -> None:
        async with AsyncClient(f"tcp://127.0.0.1:{port}", timeout=0.5):
            pass

    with pytest.raises(NoAnswerError, match="check the server address"):
        asyncio.run(run())
    silent.close()
    for s in accepted:
        s.close()


def test_wrong_hdlc_address_gets_no_answer(sim: SimThread) -> None:
    async def run() -> None:
        async with AsyncClient(sim.urls["hdlc"], physical_address=99, connect_timeout=2):
            pass

    with pytest.raises(NoAnswerError, match="check the server address"):
        asyncio.run(run())


def test_rejected_association_says_what_to_check(sim: SimThread) -> None:
    async def run() -> None:
        async with AsyncClient(
            sim.urls["tcp"], client_address=3, mechanism="lls", password="wrong"
        ):
            pass

    with pytest.raises(AssociationError, match="check the password"):
        asyncio.run(run())

    async def unknown_client() -> None:
        async with AsyncClient(sim.urls["tcp"], client_address=0x55):
            pass

    with pytest.raises(AssociationError, match="check the client address"):
        asyncio.run(unknown_client())


def test_access_denied_is_typed(sim: SimThread) -> None:
    async def run() -> None:
        async with AsyncClient(sim.urls["tcp"]) as public:
            with pytest.raises(AccessError) as caught:
                await public.get(PROFILE, 2, class_id=7)
            assert caught.value.answer == DataAccessResult.OBJECT_UNDEFINED
            assert caught.value.step == "get" and PROFILE in caught.value.target

    asyncio.run(run())


def test_dropped_connection_mid_block_returns_nothing_partial(sim: SimThread) -> None:
    """A proxy forwards the first kilobytes of the answer, then cuts the connection."""
    target_port = int(sim.urls["hdlc"].rsplit(":", 1)[1])
    proxy = socket.create_server(("127.0.0.1", 0))
    port = proxy.getsockname()[1]

    def relay() -> None:
        client, _ = proxy.accept()
        upstream = socket.create_connection(("127.0.0.1", target_port))
        forwarded = 0
        client.settimeout(0.05)
        upstream.settimeout(0.05)
        try:
            while forwarded < 6000:
                for source, sink, count in ((client, upstream, False), (upstream, client, True)):
                    try:
                        data = source.recv(65536)
                    except TimeoutError:
                        continue
                    if not data:
                        return
                    sink.sendall(data)
                    if count:
                        forwarded += len(data)
        finally:
            client.close()
            upstream.close()

    thread = threading.Thread(target=relay, daemon=True)
    thread.start()

    async def run() -> None:
        async with AsyncClient(sim.urls["tcp"]) as public:
            counter = await public.read_invocation_counter()
        meter = management(f"hdlc+tcp://127.0.0.1:{port}", counter + 1)
        await meter.connect()
        await meter.associate()
        try:
            await meter.profile(PROFILE)
        finally:
            await meter.close()

    with pytest.raises((ConnectionLostError, NoAnswerError)):
        asyncio.run(run())
    proxy.close()


def test_bad_connection_strings() -> None:
    from dlmskit.io import parse_url

    for url, message in [
        ("meter:4059", "not a connection string"),
        ("ftp://x:1", "unknown scheme"),
        ("tcp://:4059", "host is missing"),
        ("tcp://h:99999", "port"),
        ("hdlc+tcp://h", "needs a port"),
        ("serial://", "device path is missing"),
        ("serial:///dev/x?baud=fast", "baud='fast' is not a number"),
        ("serial:///dev/x?parity=Q", "parity"),
        ("serial:///dev/x?speed=1", "unknown option"),
        ("modem:///dev/x", "needs number"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_url(url)
    spec = parse_url("serial:///dev/ttyUSB0?baud=2400&parity=E&bytesize=8&mode-e")
    assert (spec.baud, spec.parity, spec.bytesize, spec.mode_e) == (2400, "E", 8, True)
    assert parse_url("tcp://meter").port == 4059


def _get_requests(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The GET request kinds sent (C→S frame log lines, get-request tag C0 then the
    choice: 01 normal, 03 with-list; Green Book 9.3.7)."""
    kinds = {"c0 01": "normal", "c0 02": "next", "c0 03": "with-list"}
    out = []
    for record in caplog.records:
        message = record.getMessage()
        # the client stack's lines only (the simulator logs on dlmskit.frames too)
        client = record.pathname.endswith(os.path.join("io", "stack.py"))
        if client and record.name == "dlmskit.frames" and message.startswith("C→S c0 0"):
            out.append(kinds.get(message[4:9], message[4:9]))
    return out


@pytest.mark.parametrize("multiple_references", [True, False])
def test_profile_batches_its_reads_when_the_meter_allows(
    sim: SimThread, caplog: pytest.LogCaptureFixture, multiple_references: bool
) -> None:
    """capture_objects + capture_period in one with-list GET, the scaler_units of the
    register columns in another, then the buffer; without multiple references in the
    negotiated conformance, one normal GET each. Same rows either way."""
    from dlmskit.apdu.initiate import Conformance
    from dlmskit.security.mechanisms import MechanismId
    from dlmskit.session import ClientSettings

    conformance = Conformance(0x00FE1F)  # the default client proposal
    if not multiple_references:
        conformance &= ~Conformance.MULTIPLE_REFERENCES
    settings = ClientSettings(
        mechanism=MechanismId.LOW, secret=b"12345678", conformance=conformance
    )

    async def read() -> Any:
        async with AsyncClient(sim.urls["tcp"], client_address=3, settings=settings) as meter:
            return await meter.profile(PROFILE, from_entry=1, to_entry=4)

    with caplog.at_level(logging.DEBUG, logger="dlmskit.frames"):
        table = asyncio.run(read())
    kinds = _get_requests(caplog)
    if multiple_references:
        assert kinds == ["with-list", "with-list", "normal"]
    else:  # columns, period, the two register scalers, the buffer
        assert kinds == ["normal"] * 5
    assert len(table.rows) == 4
    energy = table.column(2)
    assert all(isinstance(value, Decimal) for value in energy)  # scaled: the units were read


def test_debug_logs_never_show_keys_or_passwords(
    sim: SimThread, caplog: pytest.LogCaptureFixture
) -> None:
    """Everything dlmskit logs at DEBUG during an LLS and an HLS-GMAC ciphered session
    (HDLC frames, APDUs, session, client): no key, no password, in any spelling."""

    async def run() -> None:
        async with AsyncClient(
            sim.urls["hdlc"], client_address=3, mechanism="lls", password=b"12345678"
        ) as reader:
            await reader.get("0.0.42.0.0.255", 2, class_id=1)
        async with AsyncClient(sim.urls["tcp"]) as public:
            counter = await public.read_invocation_counter()
        async with management(sim.urls["hdlc"], counter + 1) as meter:
            await meter.get("1.0.1.8.0.255", 2, class_id=3)

    with caplog.at_level(logging.DEBUG, logger="dlmskit"):
        asyncio.run(run())
    text = "\n".join(record.getMessage() for record in caplog.records).lower()
    assert "c→s" in text and "s→c" in text  # the frame log was on
    for secret in (EK, AK, b"12345678"):
        for spelling in (secret.hex(), secret.hex(" "), repr(secret)[2:-1].lower()):
            assert spelling not in text


def test_quirks_by_name(sim: SimThread, caplog: pytest.LogCaptureFixture) -> None:
    """DESIGN.md rule 9: each quirk is a named option, off by default. With
    release-by-disconnect the association ends with the link (no RLRQ is sent)."""
    plain = AsyncClient(sim.urls["hdlc"])
    assert not plain.lenient_ua and not plain.settings.release_by_disconnect
    both = AsyncClient(sim.urls["hdlc"], quirks=("lenient-ua", "aare-without-user-information"))
    assert both.lenient_ua and both.settings.accept_aare_without_user_information
    assert not plain.settings.accept_plain_notifications
    pushes = AsyncClient(sim.urls["hdlc"], quirks="plain-notifications")
    assert pushes.settings.accept_plain_notifications
    with pytest.raises(ValueError, match=r"unknown quirk\(s\) \['lenient'\]: known are"):
        AsyncClient(sim.urls["hdlc"], quirks=["lenient"])

    async def run() -> bytes:
        async with AsyncClient(sim.urls["hdlc"], quirks=["release-by-disconnect"]) as meter:
            return bytes(await meter.get("0.0.42.0.0.255", 2, class_id=1))

    with caplog.at_level(logging.DEBUG, logger="dlmskit.frames"):
        assert asyncio.run(run()).startswith(b"DLK")
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("dlmskit.frames")]
    assert not any("| RLRQ" in line for line in lines)
    assert any("| DISC" in line for line in lines)


def test_blocking_client_leaves_no_thread_behind_a_bad_option() -> None:
    def loops() -> int:
        return sum(t.name == "dlmskit-client" and t.is_alive() for t in threading.enumerate())

    before = loops()
    for options in ({"quirks": ["nope"]}, {"timeout": -1}):
        with pytest.raises(ValueError, match=r"quirk|timeout"):
            Client("tcp://127.0.0.1:1", **options)
    with pytest.raises(ValueError, match="unknown scheme"):
        Client("http://meter")
    assert loops() == before


def test_blocking_client_step_by_step(sim: SimThread) -> None:
    """Without a with-block: connect, associate, read, release, close; close() also
    stops the loop thread."""

    def loops() -> int:
        return sum(t.name == "dlmskit-client" and t.is_alive() for t in threading.enumerate())

    before = loops()
    meter = Client(sim.urls["hdlc"])
    assert loops() == before + 1
    meter.connect()
    accepted = meter.associate()
    assert accepted.server_max_receive_pdu_size > 0
    assert bytes(meter.get("0.0.42.0.0.255", 2, class_id=1)).startswith(b"DLK")
    assert meter.async_client.accepted is accepted
    meter.release()
    meter.close()
    assert loops() == before


def test_blocking_client_closed_inside_its_block(sim: SimThread) -> None:
    with Client(sim.urls["tcp"]) as meter:
        meter.close()
        with pytest.raises(ConnectionLostError, match="was closed"):
            meter.get("0.0.42.0.0.255", 2, class_id=1)


def test_image_blocks_larger_than_the_pdu_go_in_action_pblocks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A meter whose image_block_size (512) exceeds its max receive PDU (256): each
    image_block_transfer goes as ACTION with-first-pblock + with-pblock requests (Green Book
    9.3.8 / 9.4.6.4), so there are more ACTION requests than blocks; the image arrives
    whole (activated, identification read back)."""
    default = Path(__file__).resolve().parents[1] / "src/dlmskit/server/models/default.yaml"
    text = default.read_text()
    assert "max_pdu_size: 1024" in text and "block_size: 192" in text
    model = tmp_path / "big-blocks.yaml"
    model.write_text(
        text.replace("max_pdu_size: 1024", "max_pdu_size: 256").replace(
            "block_size: 192", "block_size: 512"
        )
    )
    simulator = SimThread(model=str(model)).start()
    try:
        url = simulator.urls["tcp"]
        image = os.urandom(1800)  # 4 blocks of 512

        async def run() -> Any:
            async with management(url, 1) as m:
                assert m.accepted is not None
                assert m.accepted.server_max_receive_pdu_size == 256
                with caplog.at_level(logging.DEBUG, logger="dlmskit.frames"):
                    result = await m.update_firmware(image, b"BIG-1", poll_interval=0.2)
            async with AsyncClient(url) as public:
                name = await public.get("1.0.0.2.0.255", class_id=1)
            return result, name

        result, name = asyncio.run(run())
        assert (result.block_size, result.blocks_sent, result.activated) == (512, 4, True)
        assert name == axdr.OctetString(b"BIG-1")
        # glo-action-request (CB) APDUs sent by the client during the transfer
        actions = [
            r
            for r in caplog.records
            if r.pathname.endswith(os.path.join("io", "stack.py"))
            and r.getMessage().startswith("C→S cb ")
        ]
        assert len(actions) >= 2 * 4 + 1  # initiate + at least two pblocks per block
    finally:
        simulator.stop()


@pytest.mark.parametrize("transport", ["tcp", "hdlc"])
def test_general_block_transfer_with_the_simulator(
    sim: SimThread, caplog: pytest.LogCaptureFixture, transport: str
) -> None:
    """gbt_window proposes General Block Transfer; with a 256-byte client PDU the
    simulator answers a day of load profile in GBT blocks (0xE0), window 7 — over HDLC
    that is more than the link's window of 1, so the client keeps polling while a window
    is due. The rows are the ones the same read returns in ordinary datablocks."""
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start, end = today - dt.timedelta(days=2), today - dt.timedelta(days=1)  # the past

    async def read(**options: Any) -> Any:
        async with AsyncClient(
            sim.urls[transport],
            client_address=3,
            mechanism="lls",
            password="12345678",
            max_pdu_size=256,
            **options,
        ) as meter:
            accepted = meter.accepted
            table = await meter.profile(PROFILE, start=start, end=end)
            return accepted, table

    with caplog.at_level(logging.DEBUG, logger="dlmskit.frames"):
        accepted, table = asyncio.run(read(gbt_window=7))
    client_lines = [
        r.getMessage()
        for r in caplog.records
        if r.name == "dlmskit.frames" and r.pathname.endswith(os.path.join("io", "stack.py"))
    ]
    caplog.clear()
    assert accepted is not None and accepted.conformance & 0x001000  # GBT negotiated
    blocks = [line for line in client_lines if line.startswith("S→C e0")]
    assert len(blocks) > 7  # more than one window
    _, plain = asyncio.run(read())
    assert len(table.rows) == 97  # both ends of the range included, every 15 minutes
    assert table.rows == plain.rows
    with pytest.raises(ValueError, match=r"gbt_window must be 1\.\.63"):
        AsyncClient(sim.urls[transport], gbt_window=64)


def _readme_blocks() -> list[str]:
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    return re.findall(r"```python\n(.*?)```", readme, re.S)


def test_the_readme_client_examples_run(sim: SimThread, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's quick read and its seed example, as printed there, against the
    simulator (only the address is replaced): the README stays true."""
    quick = next(b for b in _readme_blocks() if "with Client(" in b)
    exec(quick.replace("tcp://127.0.0.1:4059", sim.urls["tcp"]), {})
    lines = capsys.readouterr().out.splitlines()
    assert "DLK0000000000001" in lines[0]  # the logical device name
    assert dt.datetime.fromisoformat(lines[1]).tzinfo is not None  # an aware datetime
    seed = next(b for b in _readme_blocks() if "async def seed(" in b)
    namespace: dict[str, Any] = {}
    exec(seed, namespace)
    asyncio.run(namespace["seed"](sim.urls["hdlc"], EK, AK))
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) >= 90  # a day of 15-minute rows
    clock, imported, exported = rows[-1].split()
    assert dt.datetime.fromisoformat(clock).tzinfo is not None
    assert Decimal(imported) >= 0 and Decimal(exported) >= 0


def test_unconfirmed_and_broadcast_set_and_action(sim: SimThread) -> None:
    """An unconfirmed SET (no answer awaited) and one ciphered with the global broadcast
    key (the default model's broadcast_ek) both reach the simulator, over the wrapper and
    HDLC; the next confirmed GET reads what they wrote. Without a broadcast key, or on a
    confirmed service, broadcast is refused before anything is sent."""
    broadcast_ek = bytes.fromhex("0F0E0D0C0B0A09080706050403020100")

    async def run(url: str, counter: int) -> list[object]:
        seen: list[object] = []
        async with management(url, counter, broadcast_ek=broadcast_ek) as meter:
            await meter.set(
                "0.0.22.0.0.255", 8, axdr.LongUnsigned(77), class_id=23, confirmed=False
            )
            seen.append(await meter.get("0.0.22.0.0.255", 8, class_id=23))
            await meter.set(
                "0.0.22.0.0.255",
                8,
                axdr.LongUnsigned(78),
                class_id=23,
                confirmed=False,
                broadcast=True,
            )
            seen.append(await meter.get("0.0.22.0.0.255", 8, class_id=23))
            returned = await meter.action(
                "0.0.96.3.10.255", 2, axdr.Integer(0), class_id=70, confirmed=False
            )
            seen.append(returned)
            with pytest.raises(ValueError, match="needs confirmed=False"):
                await meter.set(
                    "0.0.22.0.0.255", 8, axdr.LongUnsigned(1), class_id=23, broadcast=True
                )
        async with AsyncClient(url) as public:
            with pytest.raises(ClientError, match="needs a ciphered association"):
                await public.set(
                    "0.0.22.0.0.255",
                    8,
                    axdr.LongUnsigned(1),
                    class_id=23,
                    confirmed=False,
                    broadcast=True,
                )
        return seen

    async def counter() -> int:
        async with AsyncClient(sim.urls["tcp"]) as public:
            return int(await public.read_invocation_counter())

    for url in (sim.urls["tcp"], sim.urls["hdlc"]):
        seen = asyncio.run(run(url, asyncio.run(counter()) + 1))
        assert seen == [axdr.LongUnsigned(77), axdr.LongUnsigned(78), None]


def test_the_blocking_client_declares_every_operation_as_the_async_one() -> None:
    """Client's methods for type checkers (declared under TYPE_CHECKING, served by
    __getattr__) have the parameters of the AsyncClient coroutines they run, and every
    public coroutine of AsyncClient is declared."""
    import ast
    import inspect

    import dlmskit.client as module

    tree = ast.parse(Path(module.__file__).read_text("utf-8"))
    client = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Client")
    declared: dict[str, list[str]] = {}
    for node in ast.walk(client):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    args = item.args
                    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
                    declared[item.name] = names[1:]  # without self
    coroutines = {
        name
        for name, value in vars(AsyncClient).items()
        if inspect.iscoroutinefunction(value) and not name.startswith("_")
    }
    explicit = {"connect", "associate", "release", "close"}  # real methods on Client
    assert set(declared) == coroutines - explicit
    for name, params in declared.items():
        expected = list(inspect.signature(getattr(AsyncClient, name)).parameters)[1:]
        assert params == expected, name
