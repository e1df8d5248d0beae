"""Case ``listener-ingest``: ciphered pushes received over loopback TCP, decrypted, decoded
and committed to SQLite (WAL, ``synchronous=FULL``), with zero loss.

The pushes: general-glo-ciphering (SC 0x30, suite 0, AES-GCM-128) around a
Data-Notification of the ``security-push`` shape (a meter id and 17 OBIS /
double-long-unsigned pairs, ~300 bytes in a wrapper PDU), every one with its own
(system title, invocation counter). All frames are built before timing.

Operations:

``ingest-10000``
    :class:`dlmskit.listener.PushListener` in this process, a fresh SQLite file per call;
    4 meters (threads, one TCP connection each) push 2,500 notifications each as fast as
    the socket takes them. The call returns when ``on_stored`` (run after each commit) has
    seen all 10,000 and the listener has closed.
``cli-burst-5000``
    ``dlmskit listen`` in its own process (one for the whole run, killed at exit); one
    connection sends a burst of 5,000 pushes from 4 meters; timed until the 5,000th JSON
    line is read from its stdout (a line is printed only after its commit).

Verification reopens the database: every (system title, counter) once, none undecodable.
Target (issue 10): ≥ 5,000 pushes per second with zero loss, i.e. a median of at most
2,000 ms for ``ingest-10000`` and 1,000 ms for ``cli-burst-5000``. No peer: neither
gurux-dlms nor dlms-cosem ships a listener that stores.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench._core import SUBJECT, Case, Impl, Prepared, Target, VerificationError
from bench.security_push import AK, EK, PLAIN

METERS = 4
PER_METER = 2_500
TOTAL = METERS * PER_METER
BURST = 5_000
BURSTS = 26  # calibration + 21 repeats + 2 verifications, each burst with fresh counters
TARGET_PER_SECOND = 5_000


def _title(meter: int) -> bytes:
    return b"BENCH" + meter.to_bytes(3, "big")


def _push(meter: int, counter: int) -> bytes:
    from dlmskit.link.wrapper import WrapperPdu
    from dlmskit.security.ciphering import Envelope, protect

    wire = protect(
        PLAIN,
        envelope=Envelope.GENERAL_GLO,
        security_control=0x30,
        system_title=_title(meter),
        invocation_counter=counter,
        encryption_key=EK,
        authentication_key=AK,
    ).to_bytes()
    return WrapperPdu(source=1, destination=1, apdu=wire).encode()


def _count(db: Path) -> tuple[int, int, int]:
    with sqlite3.connect(db) as connection:
        count, distinct, bad = connection.execute(
            "SELECT count(*), count(DISTINCT hex(system_title) || ':' || invocation_counter), "
            "total(kind != 'data-notification') FROM notifications"
        ).fetchone()
    return int(count), int(distinct), int(bad)


# --- in process -------------------------------------------------------------------------


def _in_process() -> Prepared:
    from dlmskit.listener import PushListener, Stored
    from dlmskit.security.keys import KeyStore, SecurityKeys

    frames = {m: b"".join(_push(m, c) for c in range(PER_METER)) for m in range(METERS)}
    keys = KeyStore(
        default=SecurityKeys(system_title=b"LISTENER", global_unicast_key=EK, authentication_key=AK)
    )
    workdir = tempfile.TemporaryDirectory(prefix="dlmskit-bench-listener-")
    atexit.register(workdir.cleanup)
    runs = iter(range(10**9))

    def once() -> tuple[Path, int]:
        db = Path(workdir.name) / f"run{next(runs)}.sqlite"
        done = threading.Event()
        stored = 0

        def on_stored(_: Stored) -> None:
            nonlocal stored
            stored += 1
            if stored == TOTAL:
                done.set()

        def send(port: int, meter: int) -> None:
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.sendall(frames[meter])

        async def main() -> None:
            listener = PushListener(db, keys=keys, on_stored=on_stored)
            port = await listener.serve_tcp("127.0.0.1", 0)
            loop = asyncio.get_running_loop()
            await asyncio.gather(
                *(loop.run_in_executor(None, send, port, m) for m in range(METERS))
            )
            while not done.is_set():
                await asyncio.sleep(0.002)
            await listener.close()

        asyncio.run(main())
        return db, TOTAL

    return Prepared(once, notes=(f"{TOTAL:,} pushes from {METERS} concurrent TCP meters per call",))


# --- dlmskit listen in its own process ----------------------------------------------------


class _Listener:
    def __init__(self) -> None:
        self.dir = tempfile.TemporaryDirectory(prefix="dlmskit-bench-listen-")
        self.db = Path(self.dir.name) / "pushes.sqlite"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dlmskit.cli",
                "listen",
                "tcp://127.0.0.1:0",
                "--db",
                str(self.db),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "DLMSKIT_EK": EK.hex(), "DLMSKIT_AK": AK.hex()},
        )
        atexit.register(self.close)
        assert self.process.stderr is not None and self.process.stdout is not None
        line = self.process.stderr.readline().decode()
        if not line.startswith("listening tcp"):
            raise RuntimeError(f"dlmskit listen did not start: {line!r}")
        self.port = int(line.rsplit(":", 1)[1])
        self.lines = 0
        self.cond = threading.Condition()
        threading.Thread(target=self._count, daemon=True).start()
        self.sock = socket.create_connection(("127.0.0.1", self.port))

    def _count(self) -> None:
        assert self.process.stdout is not None
        for _ in self.process.stdout:
            with self.cond:
                self.lines += 1
                self.cond.notify_all()

    def burst(self, data: bytes) -> int:
        with self.cond:
            target = self.lines + BURST
        self.sock.sendall(data)
        with self.cond:
            self.cond.wait_for(lambda: self.lines >= target, timeout=60)
            return self.lines

    def close(self) -> None:
        self.sock.close()
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: it stores what is queued and exits 0
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.dir.cleanup()


def _cli() -> Prepared:
    bursts = [
        b"".join(_push(n % METERS, b * BURST + n) for n in range(BURST)) for b in range(BURSTS)
    ]
    listener = _Listener()

    def run() -> tuple[Path, int]:
        if not bursts:
            raise RuntimeError(f"more than {BURSTS} calls: raise BURSTS")
        return listener.db, listener.burst(bursts.pop())

    return Prepared(run, notes=(f"one call = a burst of {BURST:,} pushes on one connection",))


def _verify(value: object) -> str:
    db, expected = value  # type: ignore[misc]
    count, distinct, bad = _count(db)
    if count != expected or distinct != expected or bad:
        raise VerificationError(
            f"{count} rows for {expected} pushes, {distinct} distinct, {bad} bad"
        )
    return f"{count:,} rows, each (system title, counter) once"


def case() -> Case:
    return Case(
        name="listener-ingest",
        title="push listener: ciphered pushes over loopback TCP, decrypted, decoded, committed",
        impls=[
            Impl(
                f"ingest-{TOTAL}",
                SUBJECT,
                "PushListener, 4 meters",
                _in_process,
                _verify,
                role="subject",
            ),
            Impl(
                f"cli-burst-{BURST}",
                SUBJECT,
                "dlmskit listen (own process)",
                _cli,
                _verify,
                role="subject",
            ),
        ],
        targets=[
            Target(f"ingest-{TOTAL}", max_ms=TOTAL / TARGET_PER_SECOND * 1e3),
            Target(f"cli-burst-{BURST}", max_ms=BURST / TARGET_PER_SECOND * 1e3),
        ],
        notes=(f"pushes/s = pushes per call / the median; target ≥ {TARGET_PER_SECOND:,}/s",),
    )


if __name__ == "__main__":  # a quick figure without the runner: python -m bench.listener_ingest
    prepared = _in_process()
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        result: Any = prepared.fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(_verify(result), f"{TOTAL / wall:,.0f} pushes/s, {TOTAL / cpu:,.0f} per CPU-second")
