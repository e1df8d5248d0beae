"""``dlmskit decode``: decode captured frames, hex dumps and P1 telegrams.

::

    dlmskit decode [HEX...] [--file F|-] [--ek HEX] [--ak HEX] [--system-title HEX]
                   [--no-verify-tag] [--json|--xml] [--lenient]

Input: the HEX arguments (joined), else ``--file`` (``-`` = stdin), else stdin. Hex may
carry spaces, colons, ``0x`` and sniffer prefixes (timestamps, ``TX:``/``RX:``); a file
may also hold raw bytes or DSMR P1 telegrams. Keys: ``--ek``/``--ak`` or the environment
variables ``DLMSKIT_EK``/``DLMSKIT_AK`` (so they stay out of shell history); keys are
never printed. Output: a text tree per frame (default), ``--json`` (a JSON array, one
object per frame) or ``--xml``. Exit code 0 when every frame decoded, 1 when some failed
(each failure is printed with its offset and reason, the rest still printed), 2 for a
usage error. See :mod:`dlmskit.decoder` for what is detected and how values are listed.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import Decimal
from typing import Any, BinaryIO

import click
from rich.console import Console
from rich.tree import Tree

from dlmskit.apdu._base import Apdu
from dlmskit.apdu.notification import DataNotification
from dlmskit.cli._common import EXIT_ERROR, env_secret, hex_bytes, reports_errors
from dlmskit.decoder import (
    MAX_DUMP_SIZE,
    DecodedFrame,
    DecodedValue,
    DecodeFailure,
    decode_dump,
    push_keys,
)
from dlmskit.translate import to_tree, to_xml

__all__ = ["decode_command", "frame_to_json", "render_text"]

#: Low Level Security (Green Book 9.4.2.2.2, mechanism-name id 1): its authentication
#: value is the password itself, which output never shows.
_LLS = "2.16.756.5.8.2.1"

_TRANSPORT_NAMES = {
    "hdlc": "HDLC",
    "wrapper": "wrapper",
    "mbus": "M-Bus",
    "llc": "LLC",
    "apdu": "APDU",
    "axdr": "A-XDR data",
    "p1": "P1 telegram",
}


# --- JSON -----------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        as_int = int(value)
        return as_int if value == as_int else float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, bytes):
        return value.hex().upper()
    return value


def _value_json(value: DecodedValue) -> dict[str, Any]:
    return {
        "obis": None if value.obis is None else str(value.obis),
        "name": value.name,
        "value": _json_value(value.value),
        "unit": value.unit,
        **({"captured": value.captured.isoformat()} if value.captured else {}),
    }


def _redacted_tree(apdu: Apdu) -> dict[str, Any]:
    """to_tree, with the dedicated key of an InitiateRequest hidden (a secret that the
    AARQ carries inside its ciphered user-information; DESIGN.md rule 10)."""
    tree = to_tree(apdu)
    for fields in tree.values():
        if not isinstance(fields, dict):
            continue
        if fields.get("dedicated_key"):
            fields["dedicated_key"] = f"<redacted {len(fields['dedicated_key']) // 2} bytes>"
        auth = fields.get("calling_authentication_value")
        if fields.get("mechanism_name") == _LLS and isinstance(auth, dict) and auth.get("value"):
            auth["value"] = f"<redacted {len(auth['value']) // 2} bytes>"  # the LLS password
    return tree


def _redacted_xml(apdu: Apdu) -> ET.Element:
    """to_xml, with the same secrets hidden as :func:`_redacted_tree`."""
    root = ET.fromstring(to_xml(apdu))
    lls = any(node.get("Value") == _LLS for node in root.iter("MechanismName"))
    names = ("DedicatedKey", "CallingAuthenticationValue") if lls else ("DedicatedKey",)
    for name in names:
        for node in root.iter(name):
            node.attrib.clear()
            node.text = "redacted"
            for child in list(node):
                node.remove(child)
    return root


def frame_to_json(result: DecodedFrame | DecodeFailure) -> dict[str, Any]:
    """One result as a JSON-ready dict (``status`` "ok" or "failed")."""
    if isinstance(result, DecodeFailure):
        return {
            "status": "failed",
            "offset": result.offset,
            "line": result.line,
            "reason": result.reason,
            "raw": result.raw.hex().upper(),
        }
    out: dict[str, Any] = {
        "status": "ok",
        "offset": result.offset,
        "line": result.line,
        "transport": result.transport,
        "frames": result.frames,
        "link": result.link,
        "apdu": None if result.apdu is None else _redacted_tree(result.apdu),
        "envelope": None if result.envelope is None else to_tree(result.envelope),
        "inner": None if result.inner is None else _redacted_tree(result.inner),
        "values": [_value_json(v) for v in result.values],
        "notes": list(result.notes),
        "raw": result.raw.hex().upper(),
    }
    if result.telegram is not None:
        out["telegram"] = {
            "identification": result.telegram.identification,
            "kind": result.telegram.kind,
            "crc": None if result.telegram.crc is None else f"{result.telegram.crc:04X}",
            "crc_ok": result.telegram.crc_ok,
        }
    return out


# --- XML ------------------------------------------------------------------------------


def _render_xml(results: list[DecodedFrame | DecodeFailure]) -> str:
    root = ET.Element("Frames")
    for result in results:
        element = ET.SubElement(root, "Frame", offset=str(result.offset))
        if result.line is not None:
            element.set("line", str(result.line))
        if isinstance(result, DecodeFailure):
            element.set("status", "failed")
            ET.SubElement(element, "Reason").text = result.reason
            ET.SubElement(element, "Raw").text = result.raw.hex().upper()
            continue
        element.set("status", "ok")
        element.set("transport", result.transport)
        element.set("frames", str(result.frames))
        if result.link:
            ET.SubElement(element, "Link").text = result.link
        for note in result.notes:
            ET.SubElement(element, "Note").text = note
        for tag, apdu in (("Envelope", result.envelope), ("Apdu", result.apdu)):
            if apdu is not None:
                holder = ET.SubElement(element, tag)
                holder.append(_redacted_xml(apdu))
        if result.inner is not None:
            ET.SubElement(element, "UserInformation").append(_redacted_xml(result.inner))
        if result.values:
            values = ET.SubElement(element, "Values")
            for value in result.values:
                item = ET.SubElement(values, "Value")
                if value.obis is not None:
                    item.set("obis", str(value.obis))
                if value.name:
                    item.set("name", value.name)
                if value.unit:
                    item.set("unit", value.unit)
                item.text = _text(value.value)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode")


# --- text -----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _add_node(tree: Tree, label: str, node: Any, depth: int = 0) -> None:
    if depth > 12:
        tree.add(f"{label}: …")
        return
    if isinstance(node, dict):
        if len(node) == 1:  # a typed value: {"DoubleLongUnsigned": 5852}
            ((kind, inner),) = node.items()
            if not isinstance(inner, dict | list):
                tree.add(f"{label}: {inner} ({kind})")
                return
            branch = tree.add(f"{label}: {kind}")
            _add_children(branch, inner, depth)
            return
        branch = tree.add(label)
        _add_children(branch, node, depth)
        return
    if isinstance(node, list):
        branch = tree.add(f"{label} [{len(node)}]")
        _add_children(branch, node, depth)
        return
    tree.add(f"{label}: {node}")


def _add_children(tree: Tree, node: Any, depth: int) -> None:
    if isinstance(node, dict):
        for key, child in node.items():
            _add_node(tree, str(key), child, depth + 1)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            _add_node(tree, f"[{index}]", child, depth + 1)
    else:
        tree.add(str(node))


def _apdu_tree(tree: Tree, apdu: Apdu, label: str, values: int) -> None:
    ((name, fields),) = _redacted_tree(apdu).items()
    branch = tree.add(f"{label}{name}")
    if isinstance(apdu, DataNotification):
        fields = dict(fields)
        fields["long_invoke_id_and_priority"] = f"{apdu.long_invoke_id_and_priority.value:08X}"
        if apdu.datetime is not None:
            fields["date_time"] = f"{fields['date_time']} ({apdu.datetime})"
        if values:
            fields["notification_body"] = f"({values} values below)"
    _add_children(branch, fields, 0)


def render_text(result: DecodedFrame | DecodeFailure, number: int) -> Tree:
    """The rich tree printed for one result."""
    where = f"offset {result.offset}" + ("" if result.line is None else f", line {result.line}")
    if isinstance(result, DecodeFailure):
        tree = Tree(f"#{number} FAILED ({where}): {result.reason}")
        if result.raw:
            shown = result.raw[:64].hex().upper() + ("…" if len(result.raw) > 64 else "")
            tree.add(f"raw: {shown}")
        return tree
    kind = _TRANSPORT_NAMES.get(result.transport, result.transport)
    count = f" ({result.frames} frames)" if result.frames > 1 else ""
    what = (
        result.apdu.NAME
        if result.apdu is not None
        else result.envelope.NAME
        if result.envelope is not None
        else "telegram"
        if result.telegram is not None
        else ""
    )
    tree = Tree(f"#{number} {kind}{count} ({where})" + (f": {what}" if what else ""))
    if result.link:
        tree.add(result.link)
    for note in result.notes:
        tree.add(f"note: {note}")
    if result.envelope is not None:
        envelope = result.envelope
        title = getattr(envelope, "system_title", b"")
        security = f"{envelope.NAME} SC={envelope.security_control.value:02X}"  # type: ignore[attr-defined]
        security += f" IC={envelope.invocation_counter:08X}"  # type: ignore[attr-defined]
        if title:
            security += f" system title {bytes(title).hex().upper()}"
        tree.add(security)
    if result.telegram is not None:
        telegram = result.telegram
        crc = (
            "no CRC"
            if telegram.crc is None
            else f"CRC {telegram.crc:04X} {'ok' if telegram.crc_ok else 'BAD'}"
        )
        tree.add(f"/{telegram.identification} ({crc})")
    elif result.apdu is not None:
        _apdu_tree(tree, result.apdu, "", len(result.values))
    if result.inner is not None:
        ((name, fields),) = _redacted_tree(result.inner).items()
        branch = tree.add(f"user-information (deciphered): {name}")
        _add_children(branch, fields, 0)
    if result.values:
        values = tree.add(f"values [{len(result.values)}]")
        for value in result.values:
            unit = f" {value.unit}" if value.unit else ""
            if value.captured is not None:
                unit += f" (captured {_text(value.captured)})"
            if value.obis is not None:
                name = f"  {value.name}" if value.name else ""
                values.add(f"{value.obis}  {_text(value.value)}{unit}{name}")
            else:
                values.add(f"{_text(value.value)}{unit}")
    return tree


# --- the command ----------------------------------------------------------------------


def _read_input(hex_args: tuple[str, ...], file: str | None) -> str | bytes:
    if hex_args and file is not None:
        raise click.UsageError("give either HEX arguments or --file, not both")
    if hex_args:
        return " ".join(hex_args)
    stream: BinaryIO
    if file is None or file == "-":
        stream = sys.stdin.buffer
        if file is None and stream.isatty():
            raise click.UsageError("no input: give HEX arguments, --file F, or pipe a dump")
        data = stream.read(MAX_DUMP_SIZE * 2 + 1)
    else:
        try:
            with open(file, "rb") as handle:
                data = handle.read(MAX_DUMP_SIZE * 2 + 1)
        except OSError as exc:
            raise click.BadParameter(
                f"cannot read: {exc.strerror or exc}", param_hint="--file"
            ) from None
    if len(data) > MAX_DUMP_SIZE * 2:
        raise click.BadParameter(f"input larger than {MAX_DUMP_SIZE * 2} bytes")
    return data


@click.command("decode")
@click.argument("hex_args", metavar="[HEX]...", nargs=-1)
@click.option("--file", "-f", "file", metavar="F", help="Read the dump from F ('-' = stdin).")
@click.option("--ek", metavar="HEX", help="Encryption key (global unicast); env DLMSKIT_EK.")
@click.option("--ak", metavar="HEX", help="Authentication key; env DLMSKIT_AK.")
@click.option(
    "--broadcast-ek",
    metavar="HEX",
    help="Global broadcast key, for frames ciphered with it; env DLMSKIT_BROADCAST_EK.",
)
@click.option(
    "--system-title",
    metavar="HEX",
    help="Sender's system title, for glo-/ded- APDUs that do not carry it.",
)
@click.option(
    "--no-verify-tag",
    is_flag=True,
    help="Decipher without checking the GCM tag (when only the EK is known).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--xml", "as_xml", is_flag=True, help="Print XML.")
@click.option(
    "--lenient",
    is_flag=True,
    help="Also read the untagged vendor layout (class/OBIS/attribute without A-XDR tags).",
)
@reports_errors
def decode_command(  # noqa: PLR0917 - one parameter per option
    hex_args: tuple[str, ...],
    file: str | None,
    ek: str | None,
    ak: str | None,
    broadcast_ek: str | None,
    system_title: str | None,
    no_verify_tag: bool,
    as_json: bool,
    as_xml: bool,
    lenient: bool,
) -> None:
    """Decode HDLC / wrapper / M-Bus frames, bare APDUs or DSMR P1 telegrams from hex.

    Exit code 0 when every frame decoded, 1 when some failed, 2 for a usage error.
    """
    if as_json and as_xml:
        raise click.UsageError("--json and --xml exclude each other")
    ek_bytes = hex_bytes(env_secret(ek, "DLMSKIT_EK"), "--ek", length=(16, 32))
    ak_bytes = hex_bytes(env_secret(ak, "DLMSKIT_AK"), "--ak", length=(16, 32))
    broadcast = hex_bytes(
        env_secret(broadcast_ek, "DLMSKIT_BROADCAST_EK"), "--broadcast-ek", length=(16, 32)
    )
    title = hex_bytes(system_title, "--system-title", length=(8,))
    if ak_bytes is not None and ek_bytes is None and broadcast is None:
        raise click.UsageError("--ak needs --ek (the authentication key alone deciphers nothing)")
    keys = None
    if ek_bytes is not None or broadcast is not None:
        keys = push_keys(ek_bytes, ak_bytes, system_title=title, broadcast_ek=broadcast)
    if keys is not None and ak_bytes is None and not no_verify_tag and not as_json and not as_xml:
        click.echo(
            "note: no --ak: authenticated frames fail unless --no-verify-tag is given",
            err=True,
        )
    data = _read_input(hex_args, file)
    results = decode_dump(data, keys=keys, verify_tag=not no_verify_tag, lenient=lenient)
    if not results:
        raise click.UsageError("no frames found in the input")
    if as_json:
        click.echo(json.dumps([frame_to_json(r) for r in results], indent=2, ensure_ascii=False))
    elif as_xml:
        click.echo(_render_xml(results))
    else:
        # into a pipe or file: no width limit (lines are data, not to be cut at 80 columns)
        width = None if sys.stdout.isatty() else 4096
        console = Console(file=sys.stdout, highlight=False, width=width, emoji=False)
        for number, result in enumerate(results, 1):
            console.print(render_text(result, number), markup=False, crop=False)
    failed = sum(isinstance(r, DecodeFailure) for r in results)
    if failed:
        click.echo(f"{failed} of {len(results)} frame(s) failed to decode", err=True)
        raise click.exceptions.Exit(EXIT_ERROR)
