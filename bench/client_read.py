"""Case ``client-read``: a full read over loopback TCP against a meter simulator.

Operations (the same server for every client: ``dlmskit simulate`` in its own process):

``full-read-wrapper`` / ``full-read-hdlc``
    Connect, associate (the reader client 3 with LLS), read 1,000 rows of the load profile
    ``1.0.99.1.0.255`` by entry (plus its capture objects), release, disconnect.

dlmskit: ``AsyncClient`` (``profile(from_entry=1, to_entry=1000, scalers=False)``, which
also reads the capture period), rows typed (tz-aware clocks, Decimals).
gurux-dlms: ``GXDLMSClient`` driven over a blocking socket (tests/interop/_gurux_client.py):
SNRM/UA over HDLC, AARQ/AARE, read of the capture objects, ``readRowsByEntry``,
``updateValue``, release.

``concurrent-1000``
    1,000 meters (``dlmskit simulate --meters 1000``: logical devices 1..1000 behind one
    port) read at once from one process, one TCP connection each: connect, associate (the
    public client 16), 5 GETs (logical device name, invocation counter, clock, energy
    register value and scaler-unit), release, disconnect. One timed call is the whole
    batch; the notes give sessions per second, the client's CPU time per session and the
    peak Python memory of the batch (tracemalloc, one run before timing). No peer: the
    gurux-dlms client is blocking (a thread per meter would measure threads).

Target (issue 9): ≥ 5× faster than gurux-dlms doing the same.
"""

from __future__ import annotations

import asyncio
import atexit
import time
import tracemalloc
from typing import Any

from bench._core import SUBJECT, Case, Impl, Prepared, Target, VerificationError
from bench._sim import SimulatorProcess

PROFILE = "1.0.99.1.0.255"
ROWS = 1000
PASSWORD = b"12345678"  # the default model's reader association (client 3, LLS)
METERS = 1000
_SIMS: dict[str, SimulatorProcess] = {}


def _sim(hdlc: bool) -> SimulatorProcess:
    """One server process per framing, shared by every client of the case."""
    key = "hdlc" if hdlc else "wrapper"
    if key not in _SIMS:
        _SIMS[key] = SimulatorProcess("--hdlc") if hdlc else SimulatorProcess()
    return _SIMS[key]


def _fleet() -> SimulatorProcess:
    """1,000 meters behind one port, room for every connection at once."""
    if "fleet" not in _SIMS:
        _SIMS["fleet"] = SimulatorProcess(
            "--meters", str(METERS), "--max-connections", str(2 * METERS)
        )
    return _SIMS["fleet"]


@atexit.register
def _stop_servers() -> None:
    for sim in _SIMS.values():
        sim.stop()


# (OBIS, attribute, class id) read by each session of concurrent-1000.
_FIVE = (
    ("0.0.42.0.0.255", 2, 1),
    ("0.0.43.1.0.255", 2, 1),
    ("0.0.1.0.0.255", 2, 8),
    ("1.0.1.8.0.255", 2, 3),
    ("1.0.1.8.0.255", 3, 3),
)


def _concurrent() -> Prepared:
    from dlmskit.client import AsyncClient

    url = f"tcp://127.0.0.1:{_fleet().ports['tcp']}"

    async def session(logical: int) -> list[object]:
        # Generous timeouts: 1,000 sessions queue at one simulator process, and a loaded
        # machine must not turn the queueing into a NoAnswerError.
        async with AsyncClient(
            url, client_address=16, server_address=logical, timeout=120, connect_timeout=120
        ) as meter:
            return [await meter.get(obis, attr, class_id=cid) for obis, attr, cid in _FIVE]

    async def batch() -> list[list[object]]:
        return await asyncio.gather(*(session(n) for n in range(1, METERS + 1)))

    def run() -> list[list[object]]:
        return asyncio.run(batch())

    run()  # warm-up: imports, the server's first answers
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    tracemalloc.start()  # a separate run: tracing slows everything down several times
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    notes = (
        f"one untimed batch: {METERS / wall:.0f} sessions/s, client CPU "
        f"{cpu / METERS * 1e3:.2f} ms per session ({cpu / wall:.0%} of the wall time: "
        "the simulator, one process, is the bottleneck)",
        f"peak Python memory of a batch (tracemalloc): {peak / 2**20:.1f} MiB "
        f"({peak / METERS / 1024:.1f} KiB per session)",
    )
    return Prepared(run, notes)


def _verify_fleet(value: object) -> str:
    if not isinstance(value, list) or len(value) != METERS:
        raise VerificationError(f"expected {METERS} sessions")
    names = {bytes(reads[0]) for reads in value}  # type: ignore[index]
    if len(names) != METERS or any(len(reads) != len(_FIVE) for reads in value):  # type: ignore[arg-type]
        raise VerificationError("not every meter answered its 5 GETs")
    return f"{METERS} sessions x 5 GETs, {len(names)} distinct meters"


def _dlmskit(hdlc: bool, large: bool = False) -> Prepared:
    from dlmskit.client import LARGE_HDLC_PARAMETERS, AsyncClient

    sim = _sim(hdlc)
    url = (
        f"hdlc+tcp://127.0.0.1:{sim.ports['hdlc+tcp']}"
        if hdlc
        else f"tcp://127.0.0.1:{sim.ports['tcp']}"
    )
    loop = asyncio.new_event_loop()

    async def read() -> Any:
        async with AsyncClient(
            url,
            client_address=3,
            mechanism="lls",
            password=PASSWORD,
            hdlc_parameters=LARGE_HDLC_PARAMETERS if large else None,
        ) as meter:
            return await meter.profile(PROFILE, from_entry=1, to_entry=ROWS, scalers=False)

    return Prepared(lambda: loop.run_until_complete(read()))


def _gurux(hdlc: bool, large: bool = False) -> Prepared:
    from gurux_dlms.objects import GXDLMSProfileGeneric
    from tests.interop._gurux_client import GuruxClient

    sim = _sim(hdlc)
    port = sim.ports["hdlc+tcp" if hdlc else "tcp"]

    def read() -> Any:
        client = GuruxClient(port, hdlc=hdlc, client_address=3, auth="lls", password=PASSWORD)
        if large:
            # 2,030-byte frames, but window 1: gurux-dlms 1.0.203 acknowledges a multi-frame
            # window with a wrong N(R) and then refuses the retransmission (see
            # tests/interop/test_gurux_client_vs_simulator.py), so window 7 cannot finish.
            settings = client.client.hdlcSettings
            settings.windowSizeRX = settings.windowSizeTX = 1
            settings.maxInfoRX = settings.maxInfoTX = 2030
        try:
            client.connect()
            profile = GXDLMSProfileGeneric(PROFILE)
            client.read(profile, 3)
            return client.rows_by_entry(profile, 1, ROWS)
        finally:
            client.close()

    return Prepared(read)


def _verify(value: object) -> str:
    rows = getattr(value, "rows", value)
    if not isinstance(rows, list | tuple) or len(rows) != ROWS:
        raise VerificationError(f"expected {ROWS} rows, got {len(rows) if rows else rows!r}")
    return f"{len(rows)} rows"


def case() -> Case:
    impls = []
    for hdlc in (False, True):
        op = "full-read-hdlc" if hdlc else "full-read-wrapper"
        impls.append(
            Impl(op, SUBJECT, "AsyncClient", lambda h=hdlc: _dlmskit(h), _verify, role="subject")
        )
        impls.append(
            Impl(op, "gurux-dlms", "GXDLMSClient over a socket", lambda h=hdlc: _gurux(h), _verify)
        )
    for name, make in ((SUBJECT, _dlmskit), ("gurux-dlms", _gurux)):
        impls.append(
            Impl(
                "full-read-hdlc-2030w7",
                name,
                "SNRM: 2,030 bytes, window 7" if name == SUBJECT else "SNRM: 2,030 bytes, window 1",
                lambda make=make: make(True, True),  # type: ignore[misc]
                _verify,
                role="subject" if name == SUBJECT else "peer",
            )
        )
    impls.append(
        Impl(
            "concurrent-1000",
            SUBJECT,
            "AsyncClient x 1,000 (asyncio.gather)",
            _concurrent,
            _verify_fleet,
            role="subject",
        )
    )
    return Case(
        name="client-read",
        title="associate, read 1,000 profile rows, release: over loopback TCP",
        impls=impls,
        targets=[
            Target("full-read-wrapper", peer="gurux-dlms", min_ratio=5.0),
            Target("full-read-hdlc", peer="gurux-dlms", min_ratio=5.0),
            Target("full-read-hdlc-2030w7", peer="gurux-dlms", min_ratio=5.0),
        ],
        notes=(
            "both clients read the same server: dlmskit simulate in its own process",
            "issue 9 quoted gurux-dlms at 96 ms (wrapper) and 130 ms (HDLC) in-process",
            "concurrent-1000: sessions/s = 1,000 / the median",
        ),
    )
