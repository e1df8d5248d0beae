"""``dlmskit listen``: receive pushes, store each in SQLite, print its JSON line.

::

    dlmskit listen tcp://0.0.0.0:4059 [udp://0.0.0.0:4059]
                   [serial:///dev/ttyUSB0?baud=2400&parity=E&framing=hdlc]
                   --db pushes.sqlite [--framing wrapper|hdlc|mbus|raw|p1] [--profile FILE]
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
import sqlite3
import sys
from pathlib import Path

import click

from dlmskit.cli._common import env_secret, fail, hex_bytes, reports_errors
from dlmskit.cli._profile import load_profile
from dlmskit.io.url import ConnectionSpec, parse_url
from dlmskit.listener import PushListener, Stored
from dlmskit.security.keys import KeyStore, SecurityKeys

__all__ = ["listen_command"]


def _keys(
    profile: Path | None,
    ek: bytes | None,
    ak: bytes | None,
    suite: int,
    broadcast_ek: bytes | None = None,
) -> KeyStore | None:
    store = KeyStore()

    def optional(meter: dict[str, object], key: str, name: str) -> bytes | None:
        value = meter.get(key)
        return hex_bytes(None if value is None else str(value), f"meter {name} {key}")

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
                authentication_key=optional(meter, "ak", name),
                global_broadcast_key=optional(meter, "broadcast_ek", name),
                peer_system_title=hex_bytes(str(title), f"meter {name} system_title", length=(8,)),
            )
        )
    if ek is not None or broadcast_ek is not None:
        store.default = SecurityKeys(
            system_title=b"LISTENER",
            suite=suite,
            global_unicast_key=ek,
            authentication_key=ak,
            global_broadcast_key=broadcast_ek,
        )
    return store if len(store) or store.default is not None else None


def _address(address: str, default_framing: str) -> tuple[ConnectionSpec, str]:
    """The connection spec of ``address`` and its framing: ``?framing=`` on the address
    (any scheme), else ``hdlc`` for hdlc+tcp and serial ports when the default is the
    wrapper (a serial customer port has no wrapper), else the ``--framing`` default."""
    base, _, query = address.partition("?")
    kept, framing = [], None
    for pair in query.split("&") if query else ():
        key, _, value = pair.partition("=")
        if key == "framing":
            framing = value
        else:
            kept.append(pair)
    if framing is not None and framing not in _FRAMINGS:
        raise click.BadParameter(
            f"{address!r}: framing must be one of {', '.join(_FRAMINGS)}", param_hint="ADDRESS"
        )
    rest = base + ("?" + "&".join(kept) if kept else "")
    if "://" in base and base.split("://", 1)[0].lower() not in _SCHEMES:
        raise click.BadParameter(
            f"cannot listen on {address!r}: use tcp://, hdlc+tcp://, udp:// or serial://",
            param_hint="ADDRESS",
        )
    try:
        spec = parse_url(rest)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="ADDRESS") from None
    if spec.scheme not in _SCHEMES:  # pragma: no cover - refused above
        raise click.BadParameter(
            f"cannot listen on {address!r}: use tcp://, hdlc+tcp://, udp:// or serial://",
            param_hint="ADDRESS",
        )
    if framing is None:
        framing = default_framing
        if spec.scheme in ("hdlc+tcp", "serial") and framing == "wrapper":
            framing = "hdlc"
    if spec.scheme == "udp" and framing != "wrapper":
        raise click.BadParameter(
            f"{address!r}: UDP takes wrapper datagrams (or bare APDUs), not {framing}",
            param_hint="ADDRESS",
        )
    return spec, framing


async def _listen(
    listener: PushListener, addresses: list[tuple[ConnectionSpec, str]], stop: asyncio.Event
) -> None:
    try:
        for spec, framing in addresses:
            if spec.scheme in ("tcp", "hdlc+tcp"):
                port = await listener.serve_tcp(spec.host, spec.port, framing=framing)
                click.echo(f"listening tcp {spec.host}:{port}", err=True)
            elif spec.scheme == "udp":
                port = await listener.serve_udp(spec.host, spec.port)
                click.echo(f"listening udp {spec.host}:{port}", err=True)
            else:
                await listener.serve_serial(
                    spec.path,
                    baud=spec.baud,
                    parity=spec.parity,
                    bytesize=spec.bytesize,
                    stopbits=spec.stopbits,
                    framing=framing,
                )
                click.echo(
                    f"listening serial {spec.path} {spec.baud} {spec.bytesize}{spec.parity}"
                    f"{spec.stopbits} {framing}",
                    err=True,
                )
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        stopped = loop.create_task(stop.wait())
        failed = loop.create_task(listener.wait())
        await asyncio.wait((stopped, failed), return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        failed.cancel()
    finally:
        try:
            await listener.close()  # stores what was received; raises a storage error
        finally:
            click.echo(
                f"stored {listener.stored} notification(s), {listener.duplicates} "
                f"duplicate(s) ignored, {listener.errors} undecodable",
                err=True,
            )


_FRAMINGS = ("wrapper", "hdlc", "mbus", "raw", "p1")
_SCHEMES = ("tcp", "hdlc+tcp", "udp", "serial")


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
    type=click.Choice(list(_FRAMINGS)),
    default="wrapper",
    show_default=True,
    help="Framing on TCP streams (serial ports: hdlc unless mbus); per address: ?framing=.",
)
@click.option(
    "--profile",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Profile file with meters' system titles and keys.",
)
@click.option("--ek", help="Encryption key for every meter (hex; or $DLMSKIT_EK).")
@click.option("--ak", help="Authentication key (hex; or $DLMSKIT_AK).")
@click.option(
    "--broadcast-ek",
    help="Global broadcast key, for pushes ciphered with it (hex; or $DLMSKIT_BROADCAST_EK).",
)
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
    broadcast_ek: str | None,
    suite: int,
    no_verify_tag: bool,
) -> None:
    """Receive pushed notifications, store them in SQLite and print them as JSON lines.

    ADDRESS: tcp://HOST:PORT, hdlc+tcp://HOST:PORT, udp://HOST:PORT or
    serial:///dev/ttyX?baud=9600&parity=E&bytesize=8, one or more; ?framing=wrapper, hdlc,
    mbus, raw (bare APDUs) or p1 (DSMR telegrams) on any of them overrides --framing. A line
    is printed only after its notification is committed to --db. SIGINT / SIGTERM store
    what was received and exit 0.
    """
    specs = [_address(address, framing) for address in addresses]
    sizes = (32,) if suite == 2 else (16,)
    ek_bytes = hex_bytes(env_secret(ek, "DLMSKIT_EK"), "--ek", length=sizes)
    ak_bytes = hex_bytes(env_secret(ak, "DLMSKIT_AK"), "--ak", length=sizes)
    broadcast = hex_bytes(
        env_secret(broadcast_ek, "DLMSKIT_BROADCAST_EK"), "--broadcast-ek", length=sizes
    )
    if ak_bytes is not None and ek_bytes is None and broadcast is None:
        raise click.BadParameter("an authentication key needs --ek too", param_hint="--ak")
    keys = _keys(profile, ek_bytes, ak_bytes, suite, broadcast)
    out = sys.stdout
    stops: list[asyncio.Event] = []  # the running listener's, for the printer

    def stored(notification: Stored) -> None:
        try:
            out.write(notification.json() + "\n")
            out.flush()
        except BrokenPipeError:  # the reader went away: stop (what is stored stays stored)
            for stop in stops:
                stop.set()

    async def main() -> None:
        stops.append(asyncio.Event())
        listener = PushListener(database, keys=keys, verify_tag=not no_verify_tag, on_stored=stored)
        await _listen(listener, specs, stops[0])

    try:
        asyncio.run(main())
    except sqlite3.Error as exc:
        raise fail(f"the push database {database}: {exc}") from None
