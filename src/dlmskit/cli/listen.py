"""``dlmskit listen``: receive pushes, store each in SQLite, print its JSON line.

::

    dlmskit listen tcp://0.0.0.0:4059 [udp://0.0.0.0:4059] [serial:///dev/ttyUSB0?baud=2400&parity=E]
                   --db pushes.sqlite [--framing wrapper|hdlc|mbus] [--profile FILE]
                   [--ek HEX --ak HEX] [--no-verify-tag]

A line is printed (stdout, one JSON object per notification) only after the row is
committed: a printed line is a stored notification. Keys come per meter from the profile
file (``system_title``, ``ek``, ``ak``), or for every meter from ``--ek``/``--ak`` or
``$DLMSKIT_EK``/``$DLMSKIT_AK``. ``listening ...`` lines go to stderr. SIGINT / SIGTERM
store what is queued and exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from pathlib import Path

import click

from dlmskit.cli._common import env_secret, hex_bytes, reports_errors
from dlmskit.cli._profile import load_profile
from dlmskit.io.url import parse_url
from dlmskit.listener import PushListener, Stored
from dlmskit.security.keys import KeyStore, SecurityKeys

__all__ = ["listen_command"]


def _keys(profile: Path | None, ek: bytes | None, ak: bytes | None, suite: int) -> KeyStore | None:
    store = KeyStore()
    for name, meter in load_profile(profile).items():
        title = meter.get("system_title")
        key = meter.get("ek")
        if title is None or key is None:
            continue
        store.add(
            SecurityKeys(
                system_title=b"LISTENER",
                suite=int(meter.get("suite", suite)),
                global_unicast_key=hex_bytes(str(key), f"profile meter {name} ek"),
                authentication_key=hex_bytes(
                    None if meter.get("ak") is None else str(meter["ak"]), f"meter {name} ak"
                ),
                peer_system_title=hex_bytes(str(title), f"meter {name} system_title", length=(8,)),
            )
        )
    if ek is not None:
        store.default = SecurityKeys(
            system_title=b"LISTENER", suite=suite, global_unicast_key=ek, authentication_key=ak
        )
    return store if len(store) or store.default is not None else None


async def _listen(listener: PushListener, addresses: tuple[str, ...], framing: str) -> None:
    for address in addresses:
        spec = parse_url(address)
        if spec.scheme in ("tcp", "hdlc+tcp"):
            port = await listener.serve_tcp(
                spec.host, spec.port, framing="hdlc" if spec.scheme == "hdlc+tcp" else framing
            )
            click.echo(f"listening tcp {spec.host}:{port}", err=True)
        elif spec.scheme == "udp":
            port = await listener.serve_udp(spec.host, spec.port)
            click.echo(f"listening udp {spec.host}:{port}", err=True)
        elif spec.scheme == "serial":
            await listener.serve_serial(
                spec.path,
                baud=spec.baud,
                parity=spec.parity,
                bytesize=spec.bytesize,
                stopbits=spec.stopbits,
                framing="hdlc" if framing == "wrapper" else framing,
            )
            click.echo(f"listening serial {spec.path}", err=True)
        else:
            raise click.BadParameter(f"cannot listen on {address!r}", param_hint="ADDRESS")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await listener.close()
        click.echo(
            f"stored {listener.stored} notification(s), {listener.duplicates} duplicate(s) "
            f"ignored, {listener.errors} undecodable",
            err=True,
        )


@click.command("listen")
@click.argument("addresses", nargs=-1, required=True, metavar="ADDRESS...")
@click.option(
    "--db",
    "database",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite database the notifications are stored in (created if missing).",
)
@click.option(
    "--framing",
    type=click.Choice(["wrapper", "hdlc", "mbus"]),
    default="wrapper",
    show_default=True,
    help="Framing on TCP streams and serial ports.",
)
@click.option(
    "--profile",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Profile file with meters' system titles and keys.",
)
@click.option("--ek", help="Encryption key for every meter (hex; or $DLMSKIT_EK).")
@click.option("--ak", help="Authentication key (hex; or $DLMSKIT_AK).")
@click.option("--suite", type=click.IntRange(0, 2), default=0, show_default=True)
@click.option("--no-verify-tag", is_flag=True, help="Decrypt with the encryption key only.")
@reports_errors
def listen_command(  # noqa: PLR0917 - one parameter per option
    addresses: tuple[str, ...],
    database: Path,
    framing: str,
    profile: Path | None,
    ek: str | None,
    ak: str | None,
    suite: int,
    no_verify_tag: bool,
) -> None:
    """Receive pushed notifications, store them in SQLite and print them as JSON lines."""
    for address in addresses:
        try:
            parse_url(address)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="ADDRESS") from None
    sizes = (32,) if suite == 2 else (16,)
    ek_bytes = hex_bytes(env_secret(ek, "DLMSKIT_EK"), "--ek", length=sizes)
    ak_bytes = hex_bytes(env_secret(ak, "DLMSKIT_AK"), "--ak", length=sizes)
    keys = _keys(profile, ek_bytes, ak_bytes, suite)
    out = sys.stdout

    def stored(notification: Stored) -> None:
        out.write(notification.json() + "\n")
        out.flush()

    async def main() -> None:
        listener = PushListener(database, keys=keys, verify_tag=not no_verify_tag, on_stored=stored)
        await _listen(listener, addresses, framing)

    asyncio.run(main())
