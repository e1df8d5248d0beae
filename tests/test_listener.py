"""The push listener on real loopback sockets with a real SQLite file: plaintext and
ciphered pushes, duplicates stored once, errors stored and survived, confirmations after
the commit, 100,000 pushes from concurrent meters each stored exactly once, and a
SIGKILL mid-burst that loses no printed line."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu import decode
from dlmskit.apdu.common import LongInvokeIdAndPriority
from dlmskit.apdu.notification import DataNotification, DataNotificationConfirm
from dlmskit.link.hdlc import FrameKind, HdlcAddress, HdlcFrame
from dlmskit.link.wrapper import WrapperPdu, WrapperPduReceived, WrapperStream
from dlmskit.listener import PushListener, Stored
from dlmskit.security.ciphering import Envelope, protect
from dlmskit.security.keys import KeyStore, SecurityKeys

EK = bytes(range(16))
AK = bytes(range(0xD0, 0xE0))


def title(meter: int) -> bytes:
    return b"DLK" + meter.to_bytes(5, "big")


def notification(n: int, *, confirmed: bool = False) -> bytes:
    body = axdr.Structure(
        (
            axdr.OctetString(bytes.fromhex("0100010800FF")),
            axdr.DoubleLongUnsigned(1000 + n),
            axdr.OctetString(bytes.fromhex("0100020800FF")),
            axdr.DoubleLongUnsigned(n),
        )
    )
    return DataNotification(
        long_invoke_id_and_priority=LongInvokeIdAndPriority.of(n & 0xFFFFFF, confirmed=confirmed),
        date_time=None,
        notification_body=body,
    ).to_bytes()


def ciphered(meter: int, counter: int, *, confirmed: bool = False) -> bytes:
    return protect(
        notification(counter, confirmed=confirmed),
        envelope=Envelope.GENERAL_GLO,
        security_control=0x30,
        system_title=title(meter),
        invocation_counter=counter,
        encryption_key=EK,
        authentication_key=AK,
    ).to_bytes()


def framed(apdu: bytes) -> bytes:
    return WrapperPdu(source=1, destination=1, apdu=apdu).encode()


def keystore() -> KeyStore:
    return KeyStore(
        default=SecurityKeys(system_title=b"LISTENER", global_unicast_key=EK, authentication_key=AK)
    )


class Running:
    """A listener in a background event loop."""

    def __init__(self, db: Path, **options: Any) -> None:
        self.lines: list[Stored] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.listener: PushListener | None = None
        self.db = db
        self.options = options

    def start(self, framing: str = "wrapper") -> int:
        async def boot() -> int:
            self.listener = PushListener(self.db, on_stored=self.lines.append, **self.options)
            return await self.listener.serve_tcp("127.0.0.1", 0, framing=framing)

        return asyncio.run_coroutine_threadsafe(boot(), self.loop).result(10)

    def udp(self) -> int:
        assert self.listener is not None
        listener = self.listener
        return asyncio.run_coroutine_threadsafe(
            listener.serve_udp("127.0.0.1", 0), self.loop
        ).result(10)

    def wait_for(self, count: int, timeout: float = 60.0) -> None:
        deadline = time.time() + timeout
        while len(self.lines) < count and time.time() < deadline:
            time.sleep(0.01)

    def stop(self) -> None:
        assert self.listener is not None
        asyncio.run_coroutine_threadsafe(self.listener.close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def rows(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return list(
            connection.execute(
                'SELECT system_title, invocation_counter, kind, "values", error '
                "FROM notifications ORDER BY id"
            )
        )


def test_plaintext_ciphered_duplicates_and_errors(tmp_path: Path) -> None:
    db = tmp_path / "pushes.sqlite"
    run = Running(db, keys=keystore())
    port = run.start()
    with socket.create_connection(("127.0.0.1", port)) as meter:
        meter.sendall(framed(notification(7)))
        meter.sendall(framed(ciphered(1, 41)))
        meter.sendall(framed(ciphered(1, 41)))  # the same push again: stored once
        meter.sendall(framed(ciphered(2, 41)))  # another meter, same counter: stored
        meter.sendall(framed(b"\xdb\x08" + title(3) + b"\x05\x30\x00"))  # cut envelope
        meter.sendall(framed(notification(7)))  # plaintext: stored as received
        run.wait_for(5)
    run.stop()
    stored = rows(db)
    assert [r[2] for r in stored] == [
        "data-notification",
        "data-notification",
        "data-notification",
        "error",
        "data-notification",
    ]
    assert stored[1][:2] == (title(1), 41) and stored[2][:2] == (title(2), 41)
    assert json.loads(stored[1][3])["obis"] == {"1.0.1.8.0.255": 1041, "1.0.2.8.0.255": 41}
    assert stored[3][4]  # the reason is stored
    assert [line.line["kind"] for line in run.lines] == [r[2] for r in stored]
    assert run.listener is not None and run.listener.duplicates == 1


def test_wrong_key_is_an_error_row_and_the_listener_goes_on(tmp_path: Path) -> None:
    db = tmp_path / "pushes.sqlite"
    wrong = KeyStore(
        default=SecurityKeys(
            system_title=b"LISTENER", global_unicast_key=EK, authentication_key=bytes(16)
        )
    )
    run = Running(db, keys=wrong)
    port = run.start()
    with socket.create_connection(("127.0.0.1", port)) as meter:
        meter.sendall(framed(ciphered(1, 1)) + framed(notification(2)))
        run.wait_for(2)
    run.stop()
    kinds = [r[2] for r in rows(db)]
    assert kinds == ["error", "data-notification"]


def test_confirmed_push_is_confirmed_after_the_commit(tmp_path: Path) -> None:
    db = tmp_path / "pushes.sqlite"
    run = Running(db, keys=keystore())
    port = run.start()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as meter:
        meter.sendall(framed(ciphered(4, 9, confirmed=True)))
        stream = WrapperStream()
        stream.receive_data(meter.recv(1024))
        event = stream.next_event()
        assert isinstance(event, WrapperPduReceived)
        assert len(rows(db)) == 1  # the row was committed before the confirmation
    confirm = decode(event.pdu.apdu)
    assert isinstance(confirm, DataNotificationConfirm)
    assert confirm.long_invoke_id_and_priority.invoke_id == 9
    run.stop()


def test_hdlc_framed_and_udp_pushes(tmp_path: Path) -> None:
    db = tmp_path / "pushes.sqlite"
    run = Running(db, keys=keystore())
    port = run.start(framing="hdlc")
    udp = run.udp()
    frame = HdlcFrame(
        destination=HdlcAddress.client(0x10),
        source=HdlcAddress.server(1, 17),
        kind=FrameKind.UI,
        poll_final=False,
        send_sequence=None,
        receive_sequence=None,
        information=b"\xe6\xe7\x00" + ciphered(5, 77),
    ).encode()
    with socket.create_connection(("127.0.0.1", port)) as meter:
        meter.sendall(b"\x00garbage" + frame)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as datagrams:
            datagrams.sendto(framed(ciphered(6, 78)), ("127.0.0.1", udp))
            run.wait_for(3)
    run.stop()
    stored = rows(db)
    good = [(r[0], r[1]) for r in stored if r[2] == "data-notification"]
    assert sorted(good) == [(title(5), 77), (title(6), 78)]
    assert any(r[2] == "error" for r in stored)  # the garbage, reported


def test_hundred_thousand_pushes_from_concurrent_meters(tmp_path: Path) -> None:
    db = tmp_path / "pushes.sqlite"
    run = Running(db, keys=keystore())
    port = run.start()
    meters, per_meter = 8, 12_500
    frames = {m: [framed(ciphered(m, c)) for c in range(per_meter)] for m in range(meters)}

    def send(meter: int) -> None:
        with socket.create_connection(("127.0.0.1", port)) as s:
            data = frames[meter]
            for i in range(0, per_meter, 500):
                s.sendall(b"".join(data[i : i + 500]))

    threads = [threading.Thread(target=send, args=(m,)) for m in range(meters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    run.wait_for(meters * per_meter, timeout=180)
    run.stop()
    with sqlite3.connect(db) as connection:
        count, distinct = connection.execute(
            "SELECT count(*), count(DISTINCT system_title || invocation_counter) "
            "FROM notifications WHERE kind = 'data-notification'"
        ).fetchone()
        per = dict(
            connection.execute(
                "SELECT system_title, count(*) FROM notifications GROUP BY system_title"
            ).fetchall()
        )
    assert count == distinct == meters * per_meter
    assert all(per[title(m)] == per_meter for m in range(meters))


def test_sigkill_mid_burst_loses_no_printed_line(tmp_path: Path) -> None:
    db = tmp_path / "pushes.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-m", "dlmskit.cli", "listen", "tcp://127.0.0.1:0", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DLMSKIT_EK": EK.hex(), "DLMSKIT_AK": AK.hex()},
    )
    assert process.stderr is not None and process.stdout is not None
    line = process.stderr.readline()
    assert line.startswith("listening tcp"), line
    port = int(line.rsplit(":", 1)[1])
    stop = threading.Event()

    def burst() -> None:
        with socket.create_connection(("127.0.0.1", port)) as s:
            counter = 0
            while not stop.is_set():
                try:
                    s.sendall(b"".join(framed(ciphered(9, counter + i)) for i in range(50)))
                except OSError:
                    return
                counter += 50

    sender = threading.Thread(target=burst, daemon=True)
    sender.start()
    printed = []
    for _ in range(3000):
        printed.append(json.loads(process.stdout.readline()))
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    stop.set()
    sender.join(5)
    # what was printed before the kill (and possibly read after it) is in the database
    printed += [json.loads(rest) for rest in process.stdout.read().splitlines() if rest]
    with sqlite3.connect(db) as connection:
        stored = {c for (c,) in connection.execute("SELECT invocation_counter FROM notifications")}
    assert len(printed) >= 3000
    assert {p["invocation_counter"] for p in printed} <= stored


# --- real frames from vectors.json (/work/shared/vectors; each record cites its source) --

_FRAMING = {"M-Bus x2": "mbus", "raw APDU": "raw", "HDLC x1": "hdlc", "HDLC x3": "hdlc"}


def _vector_keys() -> KeyStore:
    from tests.vectors import push_records

    store = KeyStore()
    for r in push_records():
        if r.get("EK") and r.get("ST"):
            store.add(
                SecurityKeys(
                    system_title=b"LISTENER",
                    global_unicast_key=bytes.fromhex(r["EK"]),
                    authentication_key=bytes.fromhex(r["AK"]) if r.get("AK") else None,
                    peer_system_title=bytes.fromhex(r["ST"]),
                )
            )
    return store


def test_every_push_vector_is_stored_with_its_identity(tmp_path: Path) -> None:
    """PUSH-01/02 (M-Bus, fneur/smart-meter-tirol), PUSH-03/09/15 (bare APDUs), PUSH-05
    (HDLC x3 carrying 3 GBT blocks), PUSH-07/10/12 (HDLC): each arrives on its own
    connection with the framing its transport names, and is stored once with the system
    title and invocation counter the record gives. Records without an AK were published
    with the encryption key only: the listener runs with verify_tag=False for those."""
    from tests.vectors import push_records

    records = [r for r in push_records() if r.get("transport") in _FRAMING]
    assert len(records) >= 8
    for verify in (True, False):
        chosen = [r for r in records if bool(r.get("AK")) == verify or not r.get("ST")]
        db = tmp_path / f"vectors-{verify}.sqlite"
        run = Running(db, keys=_vector_keys(), verify_tag=verify)
        run.start()
        assert run.listener is not None
        ports = {
            f: asyncio.run_coroutine_threadsafe(
                run.listener.serve_tcp("127.0.0.1", 0, framing=f), run.loop
            ).result(10)
            for f in set(_FRAMING.values())
        }
        for r in chosen:
            with socket.create_connection(("127.0.0.1", ports[_FRAMING[r["transport"]]])) as s:
                raw = bytes.fromhex(r["raw"])
                for i in range(0, len(raw), 7):  # in pieces: frames cross reads
                    s.sendall(raw[i : i + 7])
                run.wait_for(len(run.lines) + 1, timeout=10)
        run.stop()
        stored = rows(db)
        assert [row[2] for row in stored] == ["data-notification"] * len(chosen), [
            (r["id"], row[4]) for r, row in zip(chosen, stored, strict=False)
        ]
        for r, row in zip(chosen, stored, strict=True):
            if r.get("ST"):
                assert row[0] == bytes.fromhex(r["ST"]), r["id"]
                assert row[1] == int(r["IC"], 16), r["id"]
            else:
                assert row[0] is None and row[1] is None, r["id"]


def test_negative_vectors_are_error_rows_and_the_listener_goes_on(tmp_path: Path) -> None:
    """PUSH-13 (toreamun/amshan: an HDLC frame with a wrong FCS) and PUSH-17 (a body that
    is not standard A-XDR: untagged class/OBIS/attribute, a decode error at byte 18): each
    is stored as an error with its reason, and a good push after it is still stored."""
    from tests.vectors import record

    db = tmp_path / "negative.sqlite"
    run = Running(db, keys=keystore())
    hdlc = run.start(framing="hdlc")
    assert run.listener is not None
    raw_port = asyncio.run_coroutine_threadsafe(
        run.listener.serve_tcp("127.0.0.1", 0, framing="raw"), run.loop
    ).result(10)
    good_hdlc = HdlcFrame(
        destination=HdlcAddress.client(0x10),
        source=HdlcAddress.server(1, 17),
        kind=FrameKind.UI,
        poll_final=False,
        send_sequence=None,
        receive_sequence=None,
        information=b"\xe6\xe7\x00" + ciphered(5, 1),
    ).encode()
    with socket.create_connection(("127.0.0.1", hdlc)) as s:
        s.sendall(bytes.fromhex(record("PUSH-13")["raw"]) + good_hdlc)
        run.wait_for(2, timeout=10)
    with socket.create_connection(("127.0.0.1", raw_port)) as s:
        s.sendall(bytes.fromhex(record("PUSH-17")["raw"]))
        run.wait_for(3, timeout=10)
    with socket.create_connection(("127.0.0.1", raw_port)) as s:
        s.sendall(ciphered(5, 2))  # a new connection starts clean
        run.wait_for(4, timeout=10)
    run.stop()
    stored = rows(db)
    assert [r[2] for r in stored] == ["error", "data-notification", "error", "data-notification"]
    assert "HDLC" in stored[0][4]
    assert "offset" in stored[2][4]  # where the decoder stopped
    assert [r[1] for r in stored if r[2] != "error"] == [1, 2]


def test_raw_apdu_stream_splits_back_to_back_apdus(tmp_path: Path) -> None:
    """Bare APDUs on one connection, cut at every size: each found by its own encoding."""
    db = tmp_path / "raw.sqlite"
    run = Running(db, keys=keystore())
    port = run.start(framing="raw")
    stream = b"".join([notification(1), ciphered(1, 2), notification(3), ciphered(2, 4)])
    with socket.create_connection(("127.0.0.1", port)) as s:
        for i in range(0, len(stream), 5):
            s.sendall(stream[i : i + 5])
            time.sleep(0.001)  # separate reads, so APDUs arrive split
        s.sendall(ciphered(1, 5)[:10])  # cut off by the end of the stream
    run.wait_for(5, timeout=10)
    run.stop()
    stored = rows(db)
    assert [r[2] for r in stored] == ["data-notification"] * 4 + ["error"]
    assert [json.loads(r[3])["obis"]["1.0.2.8.0.255"] for r in stored[:4]] == [1, 2, 3, 4]
    assert "ended inside an APDU" in stored[4][4]


def test_event_notification_and_obis_structures(tmp_path: Path) -> None:
    from dlmskit.apdu.common import CosemAttributeDescriptor
    from dlmskit.apdu.notification import EventNotificationRequest
    from dlmskit.obis import Obis

    event = EventNotificationRequest(
        cosem_attribute_descriptor=CosemAttributeDescriptor(
            class_id=1, instance_id=Obis.parse("0.0.96.11.0.255"), attribute_id=2
        ),
        attribute_value=axdr.LongUnsigned(47),
    ).to_bytes()
    pairs = DataNotification(
        long_invoke_id_and_priority=LongInvokeIdAndPriority.of(3, confirmed=False),
        date_time=None,
        notification_body=axdr.Array(
            (
                axdr.Structure(
                    (axdr.OctetString(bytes.fromhex("0100010700FF")), axdr.DoubleLong(-5))
                ),
                axdr.Structure(
                    (axdr.OctetString(bytes.fromhex("0000600100FF")), axdr.VisibleString("X1"))
                ),
            )
        ),
    ).to_bytes()
    db = tmp_path / "events.sqlite"
    run = Running(db)
    port = run.start()
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(framed(event) + framed(pairs))
        run.wait_for(2)
    run.stop()
    first, second = (line.line for line in run.lines)
    assert first["kind"] == "event-notification" and first["values"] == 47
    assert first["object"] == "0.0.96.11.0.255/1/2"
    assert second["obis"] == {"1.0.1.7.0.255": -5, "0.0.96.1.0.255": "X1"}
    assert [r[2] for r in rows(db)] == ["event-notification", "data-notification"]


def test_confirmed_pushes_over_udp_and_raw_tcp_are_confirmed_the_way_they_came(
    tmp_path: Path,
) -> None:
    db = tmp_path / "pushes.sqlite"
    run = Running(db, keys=keystore())
    port = run.start(framing="raw")
    udp = run.udp()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as datagrams:
        datagrams.settimeout(5)
        push = ciphered(8, 31, confirmed=True)
        datagrams.sendto(
            WrapperPdu(source=0x67, destination=0x10, apdu=push).encode(), ("127.0.0.1", udp)
        )
        answer, _ = datagrams.recvfrom(2048)
    stream = WrapperStream()
    stream.receive_data(answer)
    event = stream.next_event()
    assert isinstance(event, WrapperPduReceived)
    assert (event.pdu.source, event.pdu.destination) == (0x10, 0x67)  # wPorts swapped
    confirm = decode(event.pdu.apdu)
    assert isinstance(confirm, DataNotificationConfirm)
    assert confirm.long_invoke_id_and_priority.invoke_id == 31
    with socket.create_connection(("127.0.0.1", port), timeout=5) as meter:
        meter.sendall(notification(32, confirmed=True))
        bare = decode(meter.recv(1024))
    assert isinstance(bare, DataNotificationConfirm)
    assert bare.long_invoke_id_and_priority.invoke_id == 32
    run.stop()
    assert len(rows(db)) == 2


def test_a_full_queue_stops_reading_and_loses_nothing(tmp_path: Path) -> None:
    """While another connection holds the database's write lock, the writer waits, the
    small queue fills, the listener stops reading the socket, and the meter's sends block
    (TCP backpressure). When the lock goes, every push sent is stored: none dropped."""
    db = tmp_path / "pushes.sqlite"
    run = Running(db, keys=keystore(), queue_size=8, batch_size=4)
    port = run.start()
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # the listener's commits must wait (busy timeout)
    padding = axdr.OctetString(bytes(1000))  # ~1 KB pushes fill the socket buffers sooner
    push = DataNotification(
        long_invoke_id_and_priority=LongInvokeIdAndPriority.of(1, confirmed=False),
        date_time=None,
        notification_body=axdr.Structure((padding,)),
    ).to_bytes()
    sent = 0
    blocked = False
    with socket.create_connection(("127.0.0.1", port)) as meter:
        meter.setblocking(False)
        pending = b""
        while sent < 50_000:
            if not pending:
                pending = framed(push)
            try:
                n = meter.send(pending)
            except BlockingIOError:
                blocked = True  # the listener stopped reading: backpressure
                break
            pending = pending[n:]
            if not pending:
                sent += 1
        assert blocked, f"{sent} pushes went out without the listener pushing back"
        assert run.lines == []  # nothing printed: nothing is committed yet
        blocker.execute("ROLLBACK")
        blocker.close()
        meter.setblocking(True)
        if pending:
            meter.sendall(pending)
            sent += 1
    run.wait_for(sent, timeout=60)
    run.stop()
    assert len(run.lines) == sent == len(rows(db))


def test_dsmr_p1_telegrams_plain_and_inside_general_glo_ciphering(tmp_path: Path) -> None:
    """DSMR telegrams TELEGRAM_V5 (CRC 6EEE) and TELEGRAM_V2_2 (no CRC) from ndokter/
    dsmr_parser test/example_telegrams.py (as tests/test_p1.py cites) on a P1 stream with
    noise between them; the V5 one with a wrong CRC is an error row. The same V5 telegram
    as the plaintext of a general-glo-ciphering APDU (what Luxembourg's smarty meters push)
    over the wrapper is stored with its system title and counter."""
    from dlmskit.security.ciphering import Envelope, protect
    from tests.test_p1 import TELEGRAM_V2_2, TELEGRAM_V5

    v5 = TELEGRAM_V5.encode("ascii")
    bad = TELEGRAM_V5.replace("(0002)", "(0001)").encode("ascii")
    db = tmp_path / "p1.sqlite"
    run = Running(db, keys=keystore())
    wrapper = run.start()
    assert run.listener is not None
    p1 = asyncio.run_coroutine_threadsafe(
        run.listener.serve_tcp("127.0.0.1", 0, framing="p1"), run.loop
    ).result(10)
    with socket.create_connection(("127.0.0.1", p1)) as port:
        stream = v5 + b"\r\nnoise\r\n" + TELEGRAM_V2_2.encode("ascii") + bad
        for i in range(0, len(stream), 100):
            port.sendall(stream[i : i + 100])
        run.wait_for(4, timeout=10)
    smarty = protect(
        v5,
        envelope=Envelope.GENERAL_GLO,
        security_control=0x30,
        system_title=title(9),
        invocation_counter=900,
        encryption_key=EK,
        authentication_key=AK,
    ).to_bytes()
    with socket.create_connection(("127.0.0.1", wrapper)) as meter:
        meter.sendall(framed(smarty))
        run.wait_for(5, timeout=10)
    run.stop()
    lines = [stored.line for stored in run.lines]
    kinds = [line["kind"] for line in lines]
    assert kinds == ["p1-telegram", "error", "p1-telegram", "error", "p1-telegram"]
    assert lines[0]["identification"] == "ISk5\\2MT382-1000" and lines[0]["crc_ok"] is True
    assert lines[0]["obis"]["1-3:0.2.8"] == 50
    assert lines[0]["obis"]["1-0:1.8.1"] == 4.426
    assert lines[0]["units"]["1-0:1.8.1"] == "kWh"
    assert "outside a telegram" in lines[1]["error"]
    assert lines[2]["crc_ok"] is None  # DSMR 2.2 carries no CRC
    assert "CRC 6EEE does not match" in lines[3]["error"]
    assert lines[4]["obis"] == lines[0]["obis"]
    assert lines[4]["system_title"] == title(9).hex().upper()
    assert lines[4]["invocation_counter"] == 900
    assert [r[2] for r in rows(db)] == kinds


def test_confirmed_push_in_an_hdlc_ui_frame_is_confirmed_in_one(tmp_path: Path) -> None:
    from dlmskit.link.hdlc import FrameReceived, FrameSplitter

    db = tmp_path / "pushes.sqlite"
    run = Running(db, keys=keystore())
    port = run.start(framing="hdlc")
    push = HdlcFrame(
        destination=HdlcAddress.client(0x10),
        source=HdlcAddress.server(1, 17),
        kind=FrameKind.UI,
        poll_final=False,
        send_sequence=None,
        receive_sequence=None,
        information=b"\xe6\xe7\x00" + ciphered(5, 12, confirmed=True),
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as meter:
        meter.sendall(push.encode())
        splitter = FrameSplitter()
        splitter.receive_data(meter.recv(1024))
        event = splitter.next_event()
        assert len(rows(db)) == 1  # committed before the confirmation went out
    run.stop()
    assert isinstance(event, FrameReceived)
    answer = event.frame
    assert answer.kind is FrameKind.UI
    assert (answer.destination, answer.source) == (push.source, push.destination)
    assert answer.information[:3] == b"\xe6\xe6\x00"
    confirm = decode(answer.information[3:])
    assert isinstance(confirm, DataNotificationConfirm)
    assert confirm.long_invoke_id_and_priority.invoke_id == 12


@settings(max_examples=12, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=1, max_size=40), st.sampled_from(["raw", "wrapper"]))
def test_any_chunking_of_a_stream_stores_each_push_once(
    tmp_path_factory: pytest.TempPathFactory, cuts: list[int], framing: str
) -> None:
    """However TCP cuts the stream (hypothesis picks the read sizes), each push is found
    once, in order."""
    apdus = [notification(1), ciphered(1, 2), ciphered(2, 3), notification(4), ciphered(1, 5)]
    stream = b"".join(a if framing == "raw" else framed(a) for a in apdus)
    db = tmp_path_factory.mktemp("chunks") / "pushes.sqlite"
    run = Running(db, keys=keystore())
    port = run.start(framing=framing)
    with socket.create_connection(("127.0.0.1", port)) as meter:
        meter.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pos, i = 0, 0
        while pos < len(stream):
            step = cuts[i % len(cuts)]
            meter.sendall(stream[pos : pos + step])
            pos, i = pos + step, i + 1
        run.wait_for(len(apdus), timeout=10)
    run.stop()
    stored = rows(db)
    assert [json.loads(r[3])["obis"]["1.0.2.8.0.255"] for r in stored] == [1, 2, 3, 4, 5]


def test_a_broken_wrapper_stream_is_an_error_and_other_meters_go_on(tmp_path: Path) -> None:
    db = tmp_path / "pushes.sqlite"
    run = Running(db, keys=keystore())
    port = run.start()
    with socket.create_connection(("127.0.0.1", port)) as meter:
        meter.sendall(framed(ciphered(1, 1)) + b"\x00\x09" + bytes(20))  # wrong version 9
        run.wait_for(2)
        assert meter.recv(100) == b""  # that stream cannot be resynchronised: closed
    with socket.create_connection(("127.0.0.1", port)) as other:
        other.sendall(framed(ciphered(1, 2)))
        run.wait_for(3)
    run.stop()
    stored = rows(db)
    assert [(r[1], r[2]) for r in stored] == [
        (1, "data-notification"),
        (None, "error"),
        (2, "data-notification"),
    ]
    assert stored[1][4].startswith("wrapper:")


def test_render_keeps_every_type_json_able() -> None:
    from dlmskit.apdu import decode as decode_apdu
    from dlmskit.listener import render

    # a canonical boolean decodes to a plain bool (it once rendered as 0)
    assert render(decode_apdu(bytes.fromhex("c401c1000300")).result.value) is False
    assert render(axdr.Boolean(True)) is True
    assert render(axdr.Structure((axdr.Enum(3), axdr.OctetString(b"\x01\x02"), None))) == [
        3,
        "0102",
        None,
    ]
    assert render(axdr.BitString.from_bits("101")) == "101"
    assert render(axdr.VisibleString("abc")) == "abc"
