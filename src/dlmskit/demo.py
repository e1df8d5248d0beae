"""``make demo``: start the meter simulator, read it with the dlmskit client, stop it.

The seed example, end to end on loopback: the public client (16) reads the logical device
name, the clock and the invocation counter of the management key; the management client
(1, HLS-GMAC with authenticated and encrypted APDUs, the Green Book test keys) uses that
counter + 1 and reads the energy registers and the last rows of the load profile. Every
value is printed as a table.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import threading
from typing import TextIO

from rich.console import Console
from rich.table import Table

from dlmskit.client import Client
from dlmskit.cosem import obis_name
from dlmskit.server import Simulator

__all__ = ["run"]

#: The simulator's management keys: the Green Book's published test keys.
EK = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
AK = bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")
PROFILE = "1.0.99.1.0.255"
REGISTERS = ("1.0.1.8.0.255", "1.0.2.8.0.255", "1.0.1.7.0.255", "1.0.32.7.0.255")


class _Background:
    """The simulator, serving the wrapper on a free loopback port in its own thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.simulator = Simulator()
        self.port = 0

    def __enter__(self) -> _Background:
        self.thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self.loop)
        self.port = future.result(10)
        return self

    async def _start(self) -> int:
        await self.simulator.__aenter__()
        return await self.simulator.serve_tcp("127.0.0.1", 0)

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.simulator.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def run(out: TextIO = sys.stdout) -> int:
    """Run the demo, printing to ``out``; the exit status."""
    console = Console(file=out, width=100, highlight=False, soft_wrap=False)
    with _Background() as background:
        url = f"tcp://127.0.0.1:{background.port}"
        console.print(f"[bold]dlmskit simulate[/bold] is serving a meter at {url}\n")
        with Client(url, client_address=16) as public:
            device_name = public.get("0.0.42.0.0.255", class_id=1)
            name = (
                device_name.decode("ascii", "replace")
                if isinstance(device_name, bytes)  # an octet-string
                else str(device_name)
            )
            clock = public.read_clock()
            counter = public.read_invocation_counter()
        meter = Table(title="Public client (16), no security", title_justify="left")
        meter.add_column("object")
        meter.add_column("OBIS")
        meter.add_column("value")
        meter.add_row("logical device name", "0.0.42.0.0.255", name)
        meter.add_row("clock", "0.0.1.0.0.255", clock.isoformat(sep=" "))
        meter.add_row("invocation counter", "0.0.43.1.0.255", str(counter))
        console.print(meter)
        with Client(
            url,
            client_address=1,
            mechanism="hls-gmac",
            ek=EK,
            ak=AK,
            system_title=b"DEMO\x00\x00\x00\x01",
            invocation_counter=counter + 1,
        ) as manager:
            registers = Table(
                title="Management client (1), HLS-GMAC, authenticated and encrypted",
                title_justify="left",
            )
            registers.add_column("register")
            registers.add_column("OBIS")
            registers.add_column("value", justify="right")
            registers.add_column("unit")
            for obis in REGISTERS:
                typed = manager.read_object(obis)
                scaler_unit = typed["scaler_unit"]
                value = scaler_unit.apply(int(typed["value"]))
                registers.add_row(obis_name(obis), obis, str(value), scaler_unit.unit.symbol)
            console.print(registers)
            now = dt.datetime.now(dt.UTC)
            table = manager.profile(PROFILE, start=now - dt.timedelta(hours=2), end=now)
        rows = Table(title=f"Load profile {PROFILE}, last two hours", title_justify="left")
        for column in table.columns:
            unit = f" [{column.scaler_unit.unit.symbol}]" if column.scaler_unit else ""
            rows.add_column(f"{column.logical_name}{unit}", justify="right")
        for row in table.rows:
            rows.add_row(
                *(
                    v.strftime("%Y-%m-%d %H:%M %z") if isinstance(v, dt.datetime) else str(v)
                    for v in row
                )
            )
        console.print(rows)
    console.print("\nThe simulator has stopped.")
    return 0


def main() -> None:  # pragma: no cover - the console entry
    raise SystemExit(run())


if __name__ == "__main__":  # pragma: no cover
    main()
