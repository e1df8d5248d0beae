"""``dlmskit simulate``: start simulated meters (the server issue's command).

::

    dlmskit simulate [--model FILE] [--host H] [--port N] [--hdlc] [--udp]
                     [--serial PATH [--mode-e]] [--state FILE] [--meters N]

Prints one ``listening <transport> <host>:<port>`` line per listener (the machine-readable
contract scripts and tests wait for), then serves until interrupted (SIGINT / SIGTERM
flush the state file and exit 0). The default model's keys are the Green Book test keys;
no key is ever printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

import click

from dlmskit.cli._common import reports_errors
from dlmskit.server.model import load_model
from dlmskit.server.transport import Simulator

__all__ = ["simulate_command"]


async def _serve(
    simulator: Simulator,
    *,
    host: str,
    port: int,
    hdlc: bool,
    udp: bool,
    serial: tuple[str, ...],
    mode_e: bool,
) -> None:
    async with simulator:
        bound = await simulator.serve_tcp(host, port, hdlc=hdlc)
        click.echo(f"listening {'hdlc+tcp' if hdlc else 'tcp'} {host}:{bound}", nl=True)
        if udp:
            bound_udp = await simulator.serve_udp(host, port if port else 0)
            click.echo(f"listening udp {host}:{bound_udp}")
        for path in serial:
            await simulator.serve_serial(path, mode_e=mode_e)
            click.echo(f"listening serial {path}{' mode-e' if mode_e else ''}")
        for meter in simulator.meters:
            click.echo(
                f"meter logical={meter.logical_address} physical={meter.physical_address} "
                f"system-title={meter.system_title.hex().upper()}"
            )
        sys.stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()


@click.command("simulate")
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Meter model (YAML); default: the IDIS-style model shipped with dlmskit.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=4059,
    show_default=True,
    help="TCP (and UDP) port; 0 picks a free one.",
)
@click.option("--hdlc", is_flag=True, help="HDLC frames over TCP instead of the wrapper.")
@click.option("--udp", is_flag=True, help="Also listen on UDP (wrapper datagrams).")
@click.option("--serial", multiple=True, help="Serve HDLC on this serial device or pty.")
@click.option("--mode-e", is_flag=True, help="Serial: IEC 62056-21 mode E sign-on first.")
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite state file: written values, counters, images survive restarts.",
)
@click.option(
    "--meters",
    type=click.IntRange(1, 100_000),
    default=1,
    show_default=True,
    help="How many meters (logical addresses 1..N, distinct system titles).",
)
@click.option("--max-connections", type=click.IntRange(1), default=1000, show_default=True)
@click.option(
    "--inactivity-timeout",
    type=click.FloatRange(min=0.1),
    default=120.0,
    show_default=True,
    help="Seconds before an idle connection is closed.",
)
@click.option("-v", "--verbose", count=True, help="-v: connections; -vv: every frame.")
@reports_errors
def simulate_command(  # noqa: PLR0917 - one parameter per option
    model_path: Path | None,
    host: str,
    port: int,
    hdlc: bool,
    udp: bool,
    serial: tuple[str, ...],
    mode_e: bool,
    state_path: Path | None,
    meters: int,
    max_connections: int,
    inactivity_timeout: float,
    verbose: int,
) -> None:
    """Simulate DLMS/COSEM meters that real clients can read."""
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="%(asctime)s %(name)s %(message)s",
        )
    model = load_model(model_path)
    simulator = Simulator(
        model,
        state=state_path,
        meters=meters,
        max_connections=max_connections,
        inactivity_timeout=inactivity_timeout,
    )
    asyncio.run(
        _serve(simulator, host=host, port=port, hdlc=hdlc, udp=udp, serial=serial, mode_e=mode_e)
    )
