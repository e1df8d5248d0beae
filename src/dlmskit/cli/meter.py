"""The commands that talk to a meter: ``get``, ``set``, ``action``, ``read``, ``objects``,
``profile``, ``clock``, ``firmware``.

Every command takes the same connection options (a connection string, or ``--meter NAME``
from the profile file; addresses, mechanism, secrets, keys, serial settings, timeouts).
Secrets can come from the environment (``DLMSKIT_PASSWORD``, ``DLMSKIT_SECRET``,
``DLMSKIT_EK``, ``DLMSKIT_AK``) or the profile file, so they stay out of shell history.
Output is a table by default, JSON with ``--json``; ``-v`` traces every frame (hex and a
one-line summary) on stderr. Exit codes: 0 success, 1 a protocol or meter error (one or
two lines saying what to check), 2 a usage error.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import yaml
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from dlmskit import axdr
from dlmskit.cli._common import env_secret, hex_bytes, reports_errors
from dlmskit.cli._profile import load_profile, meter_settings
from dlmskit.client import LARGE_HDLC_PARAMETERS, QUIRKS, Client
from dlmskit.cosem import obis_name
from dlmskit.cosem_time import CosemDate, CosemDateTime, CosemTime
from dlmskit.errors import DlmsError
from dlmskit.io.url import parse_url
from dlmskit.listener import render
from dlmskit.obis import Obis
from dlmskit.server.model import ModelError, _Where, parse_value

__all__ = [
    "action_command",
    "clock_command",
    "firmware_command",
    "get_command",
    "objects_command",
    "profile_command",
    "read_command",
    "set_command",
]

_OPTIONS: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
    click.option(
        "-u",
        "--url",
        help="Connection string: tcp://host:4059, hdlc+tcp://host:port, "
        "udp://host:4059, serial:///dev/ttyUSB0?baud=9600&mode-e, modem://...",
    ),
    click.option(
        "-m",
        "--meter",
        help="A meter of the profile file (its settings are the defaults of every option).",
    ),
    click.option(
        "--profile",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Profile file (default: $DLMSKIT_PROFILE, ~/.config/dlmskit/meters.yaml).",
    ),
    click.option(
        "-c",
        "--client",
        "client_address",
        type=click.IntRange(0, 0x7F),
        help="Client address (SAP): 16 public, 1 management, ... [16]",
    ),
    click.option(
        "-s",
        "--server",
        "server_address",
        type=click.IntRange(0, 0x3FFF),
        help="Server logical address [1]",
    ),
    click.option(
        "--physical",
        "physical_address",
        type=click.IntRange(0, 0x3FFF),
        help="HDLC physical address [17]",
    ),
    click.option(
        "--mechanism", help="none, lls, hls, hls-md5, hls-sha1, hls-gmac, hls-sha256 or 0..7 [none]"
    ),
    click.option("--password", help="LLS password (or $DLMSKIT_PASSWORD)."),
    click.option("--secret", help="HLS secret, hex (or $DLMSKIT_SECRET)."),
    click.option("--ek", help="Global unicast encryption key, hex (or $DLMSKIT_EK)."),
    click.option("--ak", help="Authentication key, hex (or $DLMSKIT_AK)."),
    click.option(
        "--broadcast-ek",
        help="Global broadcast key, hex, for --broadcast (or $DLMSKIT_BROADCAST_EK).",
    ),
    click.option("--system-title", help="Our system title, 8 bytes hex."),
    click.option("--suite", type=click.IntRange(0, 2), help="Security suite [0]."),
    click.option(
        "--invocation-counter",
        type=click.IntRange(0, 0xFFFFFFFF),
        help="The invocation counter to start from.",
    ),
    click.option(
        "--read-counter",
        is_flag=True,
        help="Read the invocation counter "
        "(0.0.43.1.0.255) with the public client first and use it + 1.",
    ),
    click.option("--baud", type=click.IntRange(1), help="Serial: baud rate."),
    click.option("--parity", type=click.Choice(["N", "E", "O"]), help="Serial: parity."),
    click.option("--bytesize", type=click.Choice(["7", "8"]), help="Serial: data bits."),
    click.option("--timeout", type=click.FloatRange(min=0.1), help="Seconds per answer [10]."),
    click.option("--retries", type=click.IntRange(0, 10), help="Resends of a GET [1]."),
    click.option(
        "--lenient-ua",
        is_flag=True,
        help="Quirk: accept an HDLC UA whose parameters do not decode.",
    ),
    click.option(
        "--quirk",
        "quirks",
        multiple=True,
        type=click.Choice(sorted(QUIRKS)),
        help="A meter quirk to accept (repeatable).",
    ),
    click.option(
        "--max-pdu",
        type=click.IntRange(12, 0xFFFF),
        help="Largest APDU we receive; longer answers come in blocks [65535].",
    ),
    click.option(
        "--gbt-window",
        type=click.IntRange(1, 63),
        help="Propose General Block Transfer with this window.",
    ),
    click.option(
        "--large-frames",
        is_flag=True,
        help="HDLC: propose 2,030-byte frames and window 7 (default: 128 bytes, window 1).",
    ),
    click.option("--json", "as_json", is_flag=True, help="Machine-readable output."),
    click.option("-v", "--verbose", count=True, help="-v: frame trace on stderr."),
]


def connection_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_OPTIONS):
        function = option(function)
    return function


def _setting(given: Any, profile: dict[str, Any], key: str, default: Any = None) -> Any:
    return given if given is not None else profile.get(key, default)


def _url(options: dict[str, Any], profile: dict[str, Any]) -> str:
    url = _setting(options["url"], profile, "url")
    if url is None:
        raise click.UsageError("give the meter: --url CONNECTION or --meter NAME")
    baud = _setting(options["baud"], profile, "baud")
    parity = _setting(options["parity"], profile, "parity")
    bytesize = _setting(options["bytesize"], profile, "bytesize")
    extra = [
        f"{k}={v}"
        for k, v in (("baud", baud), ("parity", parity), ("bytesize", bytesize))
        if v is not None
    ]
    if extra:
        url += ("&" if "?" in url else "?") + "&".join(extra)
    try:
        parse_url(url)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--url") from None
    return str(url)


def _names(value: Any) -> tuple[str, ...]:
    """Quirk names from the options or the profile (a name or a list of names)."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise click.UsageError(f"quirks must be names, not {value!r}")
    return tuple(value)


def client_options(options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The connection string and the Client keyword arguments of the parsed options."""
    profile = meter_settings(load_profile(options["profile"]), options["meter"])
    url = _url(options, profile)
    suite = int(_setting(options["suite"], profile, "suite", 0))
    sizes = (32,) if suite == 2 else (16,)

    def secret(name: str, env: str) -> str | None:
        value = env_secret(options[name], env)
        return value if value is not None else profile.get(name)

    ek = hex_bytes(secret("ek", "DLMSKIT_EK"), "--ek", length=sizes)
    ak = hex_bytes(secret("ak", "DLMSKIT_AK"), "--ak", length=sizes)
    broadcast_ek = hex_bytes(
        secret("broadcast_ek", "DLMSKIT_BROADCAST_EK"), "--broadcast-ek", length=sizes
    )
    title = _setting(options["system_title"], profile, "client_system_title")
    kwargs: dict[str, Any] = {
        "client_address": int(_setting(options["client_address"], profile, "client_address", 16)),
        "server_address": int(_setting(options["server_address"], profile, "server_address", 1)),
        "physical_address": int(
            _setting(options["physical_address"], profile, "physical_address", 17)
        ),
        "mechanism": str(_setting(options["mechanism"], profile, "mechanism", "none")),
        "password": secret("password", "DLMSKIT_PASSWORD"),
        "secret": hex_bytes(secret("secret", "DLMSKIT_SECRET"), "--secret"),
        "ek": ek,
        "ak": ak,
        "broadcast_ek": broadcast_ek,
        "system_title": hex_bytes(
            None if title is None else str(title), "--system-title", length=(8,)
        ),
        "suite": suite,
        "invocation_counter": _setting(
            options["invocation_counter"], profile, "invocation_counter"
        ),
        "timeout": float(_setting(options["timeout"], profile, "timeout", 10.0)),
        "retries": int(_setting(options["retries"], profile, "retries", 1)),
        "lenient_ua": bool(options["lenient_ua"]),
        "quirks": _names(options["quirks"] or profile.get("quirks", ())),
        "max_pdu_size": int(_setting(options["max_pdu"], profile, "max_pdu", 0xFFFF)),
        "gbt_window": _setting(options["gbt_window"], profile, "gbt_window"),
    }
    if options["large_frames"] or profile.get("large_frames"):
        kwargs["hdlc_parameters"] = LARGE_HDLC_PARAMETERS
    if kwargs["mechanism"] in ("lls", "low", "1") and kwargs["password"] is None:
        raise click.UsageError("LLS needs --password (or $DLMSKIT_PASSWORD, or the profile)")
    return url, kwargs


@contextmanager
def connected(options: dict[str, Any], **extra: Any) -> Iterator[Client]:
    """A blocking client, associated, for the options; -v turns on the frame trace."""
    if options["verbose"]:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        for name in ("dlmskit.frames", "dlmskit.client"):
            log = logging.getLogger(name)
            log.setLevel(logging.DEBUG)
            log.addHandler(handler)
    url, kwargs = client_options(options)
    kwargs.update(extra)
    if options["read_counter"]:
        public = {
            k: kwargs[k] for k in ("server_address", "physical_address", "timeout", "lenient_ua")
        }
        with Client(url, client_address=16, **public) as meter:
            kwargs["invocation_counter"] = meter.read_invocation_counter() + 1
    try:
        client = Client(url, **kwargs)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    with client as meter:
        yield meter


def _obis(text: str) -> Obis:
    try:
        return Obis.parse(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="OBIS") from None


def _value(text: str, what: str) -> axdr.Value:
    """A typed value from its YAML flow form, e.g. ``{long-unsigned: 300}``."""
    try:
        node = yaml.safe_load(text)
        return parse_value(node, _Where(what, 1))
    except (yaml.YAMLError, ModelError) as exc:
        raise click.BadParameter(
            f"{exc}; write a typed value such as '{{long-unsigned: 300}}' or "
            "'{octet-string: \"0x0102\"}'",
            param_hint=what,
        ) from None


def _plain(value: Any) -> Any:
    """A JSON-able form of typed values (A-XDR values, catalogue structs, enums, Decimals,
    datetimes)."""
    if isinstance(
        value,
        axdr.Structure | axdr.Array | axdr.CompactArray | axdr.OctetString | axdr.BitString,
    ):
        return render(value)
    if isinstance(value, CosemDateTime | CosemDate | CosemTime):
        try:
            converted = (
                value.to_datetime()
                if isinstance(value, CosemDateTime)
                else value.to_date()
                if isinstance(value, CosemDate)
                else value.to_time()
            )
        except ValueError:
            return str(value)  # wildcards: the COSEM text form
        return converted.isoformat()
    if isinstance(value, enum.Enum):
        return value.name
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | axdr.Boolean):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Obis):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    return str(value)


def _display(value: Any) -> str:
    """A table cell: text for printable octet-strings, ISO for date-times, else JSON."""
    if isinstance(value, axdr.OctetString):
        raw = bytes(value)
        if len(raw) == 12:
            try:
                return CosemDateTime.from_bytes(raw).to_datetime().isoformat(sep=" ")
            except (DlmsError, ValueError):
                pass
        if raw and all(32 <= b < 127 for b in raw):
            return raw.decode("ascii")
    return json.dumps(_plain(value), ensure_ascii=False)


def _emit(options: dict[str, Any], data: Any, table: Table | None) -> None:
    if options["as_json"] or table is None:
        click.echo(json.dumps(_plain(data), ensure_ascii=False))
    else:
        Console(highlight=False).print(table)


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    return table


# --- the commands ---------------------------------------------------------------------------


_CLASS = click.option(
    "--class",
    "class_id",
    type=click.IntRange(1, 0xFFFF),
    help="Interface class (default: from the association view or the OBIS code).",
)


@click.command("get")
@click.argument("obis")
@click.argument("attribute", type=click.IntRange(1, 127), default=2)
@_CLASS
@connection_options
@reports_errors
def get_command(**options: Any) -> None:
    """Read one attribute: OBIS [ATTRIBUTE] (default 2, the value)."""
    obis = _obis(options["obis"])
    with connected(options) as meter:
        value = meter.get(obis, options["attribute"], class_id=options["class_id"])
    table = _table(f"{obis} {obis_name(obis)}", "attribute", "value")
    table.add_row(str(options["attribute"]), _display(value))
    _emit(
        options,
        {"obis": str(obis), "attribute": options["attribute"], "value": render(value)},
        table,
    )


_UNCONFIRMED = [
    click.option(
        "--unconfirmed",
        is_flag=True,
        help="Send it as an unconfirmed service: no answer comes, nothing is known of it.",
    ),
    click.option(
        "--broadcast",
        is_flag=True,
        help="Unconfirmed, ciphered with the global broadcast key (--broadcast-ek).",
    ),
]


def _unconfirmed(function: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_UNCONFIRMED):
        function = option(function)
    return function


@click.command("set")
@click.argument("obis")
@click.argument("attribute", type=click.IntRange(1, 127))
@click.argument("value")
@_CLASS
@_unconfirmed
@connection_options
@reports_errors
def set_command(**options: Any) -> None:
    """Write one attribute: OBIS ATTRIBUTE VALUE, the value typed as in the model files,
    e.g. '{long-unsigned: 300}' or '{octet-string: "0x0102"}'."""
    obis = _obis(options["obis"])
    value = _value(options["value"], "VALUE")
    confirmed, broadcast = _service(options)
    with connected(options) as meter:
        meter.set(
            obis,
            options["attribute"],
            value,
            class_id=options["class_id"],
            confirmed=confirmed,
            broadcast=broadcast,
        )
    result = "success" if confirmed else "sent (unconfirmed)"
    table = _table(f"{obis} {obis_name(obis)}", "attribute", "written")
    table.add_row(str(options["attribute"]), options["value"] if confirmed else result)
    _emit(options, {"obis": str(obis), "attribute": options["attribute"], "result": result}, table)


def _service(options: dict[str, Any]) -> tuple[bool, bool]:
    """(confirmed, broadcast) of --unconfirmed / --broadcast (broadcast is unconfirmed)."""
    broadcast = bool(options["broadcast"])
    return not (options["unconfirmed"] or broadcast), broadcast


@click.command("action")
@click.argument("obis")
@click.argument("method", type=click.IntRange(1, 127))
@click.argument("value", required=False)
@_CLASS
@_unconfirmed
@connection_options
@reports_errors
def action_command(**options: Any) -> None:
    """Invoke a method: OBIS METHOD [VALUE] (typed as for set)."""
    obis = _obis(options["obis"])
    parameters = None if options["value"] is None else _value(options["value"], "VALUE")
    confirmed, broadcast = _service(options)
    with connected(options) as meter:
        returned = meter.action(
            obis,
            options["method"],
            parameters,
            class_id=options["class_id"],
            confirmed=confirmed,
            broadcast=broadcast,
        )
    result = "success" if confirmed else "sent (unconfirmed)"
    table = _table(f"{obis} {obis_name(obis)}", "method", "result", "returned")
    table.add_row(str(options["method"]), result, json.dumps(render(returned)))
    _emit(
        options,
        {
            "obis": str(obis),
            "method": options["method"],
            "result": result,
            "returned": render(returned),
        },
        table,
    )


@click.command("read")
@click.argument("obis")
@_CLASS
@connection_options
@reports_errors
def read_command(**options: Any) -> None:
    """Read a whole object, every attribute typed through the COSEM catalogue."""
    obis = _obis(options["obis"])
    with connected(options) as meter:
        if options["class_id"] is None:
            meter.association_view()
        typed = meter.read_object(obis, class_id=options["class_id"])
    table = _table(f"{obis} {obis_name(obis)}", "attribute", "value")
    for name, value in typed.items():
        table.add_row(name, _display(value))
    _emit(options, {"obis": str(obis), "attributes": typed}, table)


@contextmanager
def _transfer_progress(meter: Client, what: str) -> Iterator[None]:
    """A progress line with the transfer rate while a long read runs (stderr)."""
    if not sys.stderr.isatty():
        yield
        return
    with Progress(
        TextColumn(what),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ):
        yield


@click.command("objects")
@click.option("--refresh", is_flag=True, help="Read it again, not from the cache.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path.home() / ".cache" / "dlmskit",
    show_default=True,
)
@connection_options
@reports_errors
def objects_command(**options: Any) -> None:
    """The association view: the objects this client sees, with names and classes."""
    cache = options["cache_dir"]
    with (
        connected(options, association_cache=cache) as meter,
        _transfer_progress(meter, "object list"),
    ):
        view = meter.association_view(refresh=options["refresh"])
    entries: list[dict[str, Any]] = [
        {
            "obis": str(e.logical_name),
            "class_id": e.class_id,
            "version": e.version,
            "name": obis_name(e.logical_name),
        }
        for e in view
    ]
    table = _table(f"{len(entries)} objects", "OBIS", "class", "version", "name")
    for e in entries:
        table.add_row(e["obis"], str(e["class_id"]), str(e["version"]), e["name"])
    _emit(options, entries, table)


def _moment(text: str | None, what: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO date-time", param_hint=what) from None
    return moment if moment.tzinfo is not None else moment.astimezone()


@click.command("profile")
@click.argument("obis", default="1.0.99.1.0.255")
@click.option("--from", "start", help="Start, ISO date-time (local time if no offset).")
@click.option("--to", "end", help="End, ISO date-time (default: now).")
@click.option("--last", type=click.FloatRange(min=0), help="The last HOURS.")
@click.option("--from-entry", type=click.IntRange(1), help="First entry (1 = the oldest).")
@click.option("--to-entry", type=click.IntRange(0), default=0, help="Last entry (0 = newest).")
@click.option(
    "--csv",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write CSV to FILE ('-' for stdout).",
)
@connection_options
@reports_errors
def profile_command(**options: Any) -> None:
    """Rows of a profile generic (default the load profile 1.0.99.1.0.255): by date range
    (--from/--to, or --last HOURS), by entry (--from-entry/--to-entry), or all."""
    obis = _obis(options["obis"])
    start = _moment(options["start"], "--from")
    end = _moment(options["end"], "--to")
    if options["last"] is not None:
        end = dt.datetime.now(dt.UTC)
        start = end - dt.timedelta(hours=options["last"])
    with connected(options) as meter, _transfer_progress(meter, f"profile {obis}"):
        if start is not None:
            table = meter.profile(obis, start=start, end=end)
        elif options["from_entry"] is not None:
            table = meter.profile(
                obis, from_entry=options["from_entry"], to_entry=options["to_entry"]
            )
        else:
            table = meter.profile(obis)
    headers = [str(c.logical_name) for c in table.columns]
    rows = [[_plain(v) for v in row] for row in table.rows]
    if options["csv"] is not None:
        out = sys.stdout if str(options["csv"]) == "-" else options["csv"].open("w", newline="")
        try:
            writer = csv.writer(out)
            writer.writerow(headers)
            writer.writerows(rows)
        finally:
            if out is not sys.stdout:
                out.close()
        return
    view = _table(f"{obis} {obis_name(obis)}: {len(rows)} rows", *headers)
    for row in rows:
        view.add_row(*(str(v) for v in row))
    _emit(options, {"columns": headers, "rows": rows}, view)


@click.command("clock")
@click.option("--set", "set_to", help="Set the clock to this ISO date-time.")
@click.option("--sync", is_flag=True, help="Set the clock to this computer's time.")
@connection_options
@reports_errors
def clock_command(**options: Any) -> None:
    """Read the meter's clock; set it (--set) or synchronise it (--sync)."""
    with connected(options) as meter:
        result: dict[str, Any]
        if options["sync"]:
            drift = meter.sync_clock()
            result = {"synchronised": True, "was_off_by_seconds": drift.total_seconds()}
        elif options["set_to"] is not None:
            moment = _moment(options["set_to"], "--set")
            assert moment is not None
            meter.set_clock(moment)
            result = {"set": moment.isoformat()}
        else:
            result = {}
        now = meter.read_clock()
    result["clock"] = now.isoformat()
    table = _table("clock 0.0.1.0.0.255", "what", "value")
    for key, value in result.items():
        table.add_row(key, str(value))
    _emit(options, result, table)


@click.command("firmware")
@click.argument("image", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--identifier", required=True, help="The image identifier.")
@click.option("--no-activate", is_flag=True, help="Transfer and verify only.")
@connection_options
@reports_errors
def firmware_command(**options: Any) -> None:
    """Transfer a firmware image (an interrupted transfer resumes), verify, activate."""
    image = options["image"].read_bytes()
    identifier = options["identifier"].encode()
    with connected(options) as meter:
        if sys.stderr.isatty() and not options["as_json"]:
            progress = Progress(
                TextColumn("firmware"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} blocks"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            with progress:
                task = progress.add_task("blocks", total=None)

                def update(sent: int, total: int) -> None:
                    progress.update(task, completed=sent, total=total)

                result = meter.update_firmware(
                    image, identifier, activate=not options["no_activate"], progress=update
                )
        else:
            result = meter.update_firmware(image, identifier, activate=not options["no_activate"])
    data = {
        "identifier": options["identifier"],
        "size": result.size,
        "block_size": result.block_size,
        "blocks_sent": result.blocks_sent,
        "resumed_from": result.resumed_from,
        "activated": result.activated,
    }
    table = _table("image transfer 0.0.44.0.0.255", "what", "value")
    for key, value in data.items():
        table.add_row(key, str(value))
    _emit(options, data, table)
