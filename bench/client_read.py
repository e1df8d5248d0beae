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

Target (issue 9): ≥ 5× faster than gurux-dlms doing the same.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bench._core import SUBJECT, Case, Impl, Prepared, Target, VerificationError
from bench._sim import SimulatorProcess

PROFILE = "1.0.99.1.0.255"
ROWS = 1000
PASSWORD = b"12345678"  # the default model's reader association (client 3, LLS)
_SIMS: dict[bool, SimulatorProcess] = {}


def _sim(hdlc: bool) -> SimulatorProcess:
    """One server process per framing, shared by every client of the case."""
    if hdlc not in _SIMS:
        _SIMS[hdlc] = SimulatorProcess("--hdlc") if hdlc else SimulatorProcess()
    return _SIMS[hdlc]


def _dlmskit(hdlc: bool) -> Prepared:
    from dlmskit.client import AsyncClient

    sim = _sim(hdlc)
    url = (
        f"hdlc+tcp://127.0.0.1:{sim.ports['hdlc+tcp']}"
        if hdlc
        else f"tcp://127.0.0.1:{sim.ports['tcp']}"
    )
    loop = asyncio.new_event_loop()

    async def read() -> Any:
        async with AsyncClient(url, client_address=3, mechanism="lls", password=PASSWORD) as meter:
            return await meter.profile(PROFILE, from_entry=1, to_entry=ROWS, scalers=False)

    return Prepared(lambda: loop.run_until_complete(read()))


def _gurux(hdlc: bool) -> Prepared:
    from gurux_dlms.objects import GXDLMSProfileGeneric
    from tests.interop._gurux_client import GuruxClient

    sim = _sim(hdlc)
    port = sim.ports["hdlc+tcp" if hdlc else "tcp"]

    def read() -> Any:
        client = GuruxClient(port, hdlc=hdlc, client_address=3, auth="lls", password=PASSWORD)
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
    return Case(
        name="client-read",
        title="associate, read 1,000 profile rows, release: over loopback TCP",
        impls=impls,
        targets=[
            Target("full-read-wrapper", peer="gurux-dlms", min_ratio=5.0),
            Target("full-read-hdlc", peer="gurux-dlms", min_ratio=5.0),
        ],
        notes=(
            "both clients read the same server: dlmskit simulate in its own process",
            "issue 9 quoted gurux-dlms at 96 ms (wrapper) and 130 ms (HDLC) in-process",
        ),
    )
