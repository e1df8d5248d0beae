"""Decode captured frames: a hex dump (or raw bytes) in, APDUs and their values out (sans-io).

:func:`decode_dump` takes what a field engineer has — hex pasted from a sniffer, a log, a
file of frames one per line or one long dump, raw bytes from a serial capture, or the text
of a DSMR P1 telegram — and returns one result per frame or APDU, in input order:

* :class:`DecodedFrame` — the link it came over (HDLC, wrapper, M-Bus, a bare APDU or a P1
  telegram), the APDU (deciphered when keys are given), and the values it carries, as OBIS
  → value with OBIS names and units where the structure pairs them, else in order;
* :class:`DecodeFailure` — a frame that could not be decoded, with its offset in the input
  and the reason; decoding continues after it.

Detection, at each position of the byte stream (IEC 62056-46 / 62056-47, EN 13757-2):

========================  ===========================================================
``7E Ax ..``              HDLC frame type 3 (length-delimited; HCS and FCS checked);
                          segments (S bit) joined per address pair, LLC header removed
``00 01 ..``              wrapper (version 1): 8-byte header then the APDU
``68 L L 68 .. 16``       M-Bus long frame (checksum checked); segments joined by CI
``E6 E6 00`` / ``E6 E7``  an LLC header then an APDU (as HAN-port captures print it)
anything else             a bare APDU (up to the end of its line, or the APDU's length)
``/XXX5...`` text         a DSMR P1 telegram or IEC 62056-21 readout (:mod:`dlmskit.p1`)
========================  ===========================================================

General-Block-Transfer blocks (Green Book 9.4.6.13) are joined before decoding. Ciphered
APDUs (glo-/ded- service-specific, general-glo-, general-ded-ciphering) are deciphered
with the keys given (:func:`push_keys`); ``verify_tag=False`` deciphers without checking
the GCM tag, for users who have only the encryption key. A deciphered text starting with
``/`` is a DSMR telegram (the Luxembourg "smarty" P1 port sends its telegram inside a
general-glo-ciphering) and goes to :func:`dlmskit.p1.parse_telegram`.

Values. A Data-Notification body is walked in order: an ``octet-string(6)`` followed by a
value is an OBIS code and its value, and a following ``{integer scaler, enum unit}``
structure scales it and gives its unit (the layouts meters use: ``structure {OBIS, value
[, scaler_unit]}`` per object, or the same flat; see vectors PUSH-02/05/10/15); any other
value is listed in order (``obis`` None), e.g. Kaifa's positional lists (PUSH-12).

``lenient=True`` reads the untagged vendor layout (Sagemcom XT211, vector PUSH-17): each
element is ``structure(2) { class-id u16, OBIS[6], attribute u8 (all untagged), Data }``,
which is not A-XDR (a strict decode fails at the OBIS code). It is used only when the strict
decode fails, and the result is marked in :attr:`DecodedFrame.notes`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from dlmskit import axdr, p1
from dlmskit._buffer import Reader
from dlmskit.apdu import decode as decode_apdu
from dlmskit.apdu._base import Apdu, decode_prefix
from dlmskit.apdu.acse import AARE, AARQ
from dlmskit.apdu.ciphered import (
    CipheredTag,
    GeneralDedCiphering,
    GeneralGloCiphering,
    ServiceSpecificCiphered,
)
from dlmskit.apdu.gbt import GeneralBlockTransfer
from dlmskit.apdu.get import Data, GetResponseNormal, GetResponseWithList
from dlmskit.apdu.initiate import InitiateRequest
from dlmskit.apdu.notification import DataNotification, EventNotificationRequest
from dlmskit.cosem.names import name as obis_name
from dlmskit.cosem.units import ScalerUnit
from dlmskit.cosem_time import CosemDateTime
from dlmskit.errors import DecodeError, DlmsError, SecurityError
from dlmskit.link.hdlc import FrameKind, HdlcAddress, HdlcFrame, HdlcParameters, Reassembler
from dlmskit.link.mbus import MbusApduReceived, MbusFrame, MbusReassembler
from dlmskit.link.wrapper import WrapperPdu
from dlmskit.obis import Obis
from dlmskit.security import ciphering
from dlmskit.security.context import encryption_key_for
from dlmskit.security.keys import SecurityKeys
from dlmskit.session.gbt import GbtReceiver, GbtReceiverState

__all__ = [
    "MAX_DUMP_SIZE",
    "DecodeFailure",
    "DecodedFrame",
    "DecodedValue",
    "decode_dump",
    "push_keys",
]

#: The largest input accepted, in bytes after hex decoding (bounded input, DESIGN.md).
MAX_DUMP_SIZE: Final = 64 * 1024 * 1024

_LLC: Final = (b"\xe6\xe6\x00", b"\xe6\xe7\x00")
_GBT_TAG: Final = 0xE0
_OBIS_LENGTH: Final = 6

# Sniffer prefixes: timestamps ("2024-05-01 12:00:00.123", "[12:00:01]", "12:00:01.5"),
# then a direction marker ("TX:", "RX:", "<-", "->", ">>", "IN", "OUT", "send:", ...).
_TIMESTAMP_RE: Final = re.compile(
    r"""^\s*(?:
        \[[^\]]*\]
      | \(?\d{4}[-/.]\d{2}[-/.]\d{2}(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?
           (?:Z|[+-]\d{2}:?\d{2})?\)?
      | \d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?
    )\s*""",
    re.VERBOSE,
)
_DIRECTION_RE: Final = re.compile(
    r"^\s*(?:TX|RX|IN|OUT|SEND|SENT|RECV|RECEIVED|READ|WRITE|REQ|RSP|<-+|-+>|<<|>>|<|>)"
    r"(?![0-9A-F]{2}\b)\s*[:>]?\s*",
    re.IGNORECASE,
)
_SEPARATORS_RE: Final = re.compile(r"0[xX](?=[0-9A-Fa-f])|[\s:,;.\-|]")
_HEX_RE: Final = re.compile(r"[0-9A-Fa-f]*")
# A hex-dump line: an offset column, the bytes (pairs, or xxd's groups of 4 digits), then
# an ASCII column: Wireshark "Copy as Hex Dump" (``0010   7e a0 ...   ~...``), ``hexdump -C``
# (``00000010  7e a0 ... |~...|``), ``xxd`` (``00000010: 7ea0 2100 ...  ~.!.``).
_DUMP_LINE_RE: Final = re.compile(r"^\s*([0-9A-Fa-f]{4,8})(?::\s*|\s{2,})(\S.*)$")
_DUMP_END_RE: Final = re.compile(r"\s*[0-9A-Fa-f]{4,8}\s*")
_DUMP_TOKEN_RE: Final = re.compile(r"[0-9A-Fa-f]{2}(?:[0-9A-Fa-f]{2})?")
_TELEGRAM_START_RE: Final = re.compile(r"(?m)^/[A-Za-z]{3}")


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecodedValue:
    """One value of a frame's body.

    ``obis`` is the OBIS code the structure pairs it with (``None`` for a value listed in
    order), ``name`` its OBIS name, ``value`` a plain Python value (int, :class:`Decimal`
    after a scaler, str for strings and printable octet strings and date-times, hex text
    for other octets, bool, None, or a list for arrays/structures), ``unit`` the unit
    symbol when a scaler_unit came with it (or the P1 unit), ``raw`` the A-XDR value.
    ``captured`` is the capture time a P1 M-Bus reading carries (``0-1:24.2.1(time)(value)``).
    A P1 event log line (the power failure log ``1-0:99.97.0``) has as value the list of
    its ``[end time, duration]`` entries, in seconds.
    """

    obis: Obis | None
    value: Any
    unit: str | None = None
    name: str | None = None
    raw: axdr.Value | None = field(default=None, compare=False, repr=False)
    captured: datetime | None = None


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    """A frame (or the frames of one segmented APDU) that decoded.

    ``offset`` is where its first byte sits in the (hex-decoded) input — for a P1
    telegram found in text, the character offset of its ``/`` — and ``line`` the 1-based
    input line (``None`` for bytes input); ``transport`` is ``"hdlc"``,
    ``"wrapper"``, ``"mbus"``, ``"llc"``, ``"apdu"`` or ``"p1"``; ``raw`` the bytes of
    all its frames; ``link`` a one-line summary of the link header (HDLC frames without
    an APDU, e.g. SNRM/UA/RR, have only this). ``apdu`` is the decoded APDU (the
    deciphered one when keys were given), ``envelope`` the ciphered APDU it came in,
    ``plaintext`` the deciphered bytes. ``values`` lists the body values;
    ``telegram`` is the P1 telegram when the content was one. ``notes`` says what was
    relaxed or left undone (tag not verified, no keys, lenient layout). ``inner`` is the
    deciphered APDU of an AARQ/AARE/RLRQ/RLRE's ciphered user-information (glo-initiate),
    opened with the keys and the AP title the APDU carries (else ``system_title``).
    """

    offset: int
    transport: str
    raw: bytes
    line: int | None = None
    frames: int = 1
    link: str | None = None
    apdu: Apdu | None = None
    envelope: Apdu | None = None
    plaintext: bytes | None = None
    values: tuple[DecodedValue, ...] = ()
    telegram: p1.Telegram | None = None
    notes: tuple[str, ...] = ()
    inner: Apdu | None = None

    def by_obis(self) -> dict[str, Any]:
        """OBIS (``"1.0.1.8.0.255"``) → value for the values the frame pairs with a code."""
        return {str(v.obis): v.value for v in self.values if v.obis is not None}

    def in_order(self) -> list[Any]:
        """The values without an OBIS code, in order."""
        return [v.value for v in self.values if v.obis is None]


@dataclass(frozen=True, slots=True)
class DecodeFailure:
    """A frame that did not decode: ``offset`` of its first byte in the (hex-decoded)
    input, ``line`` (1-based, text input only), the ``reason`` (with the offset inside
    the frame or APDU where the problem was found) and the ``raw`` bytes skipped."""

    offset: int
    reason: str
    raw: bytes = b""
    line: int | None = None


Result = DecodedFrame | DecodeFailure


def push_keys(
    ek: bytes | None = None,
    ak: bytes | None = None,
    *,
    system_title: bytes | None = None,
    broadcast_ek: bytes | None = None,
) -> SecurityKeys:
    """Keys for :func:`decode_dump`: the encryption key (global unicast, or the dedicated
    key of a captured association when the dump lacks the AARQ that carries it), the
    authentication key, and the sender's system title (needed only for service-specific
    glo-/ded- APDUs, which do not carry it, when the dump lacks the AARQ / AARE that show
    it). A dump with the whole association needs only the global keys: the dedicated key
    comes from the deciphered AARQ and each direction's title from the AARQ / AARE.
    ``broadcast_ek`` opens frames whose security control has the key-set bit."""
    length = len(ek) if ek is not None else len(ak) if ak is not None else 16
    if length not in (16, 32):
        raise ValueError(f"keys must be 16 or 32 bytes (suite 0/1 or 2), not {length}")
    return SecurityKeys(
        system_title=bytes(8),
        suite=2 if length == 32 else 0,
        global_unicast_key=ek,
        authentication_key=ak,
        global_broadcast_key=broadcast_ek,
        peer_system_title=system_title,
    )


# --- the input -----------------------------------------------------------------------


@dataclass(slots=True)
class _Input:
    data: bytearray
    line_starts: list[tuple[int, int]]  # (byte offset, line number), ascending
    line_ends: list[int]  # byte offset after each hex line, ascending
    failures: list[tuple[int, Result]]  # (sort key, result) found while reading the text


def _strip_prefixes(line: str) -> str:
    for _ in range(3):
        before = line
        line = _TIMESTAMP_RE.sub("", line, count=1)
        line = _DIRECTION_RE.sub("", line, count=1)
        if line == before:
            break
    return line


def _dump_line(line: str) -> str | None:
    """The hex bytes of a hex-dump line (offset column and ASCII column dropped), or None
    when the line is not one: its offset must be a multiple of 16 and at most 16 bytes
    follow it."""
    match = _DUMP_LINE_RE.match(line)
    if match is None or int(match.group(1), 16) % 16:
        return None
    digits: list[str] = []
    for token in match.group(2).replace("|", " | ").split():
        if _DUMP_TOKEN_RE.fullmatch(token) is None or sum(map(len, digits)) >= 32:
            break
        digits.append(token)
    if not digits or sum(map(len, digits)) > 32:
        return None
    return "".join(digits)


def _read_text(text: str, items: list[tuple[int, Result]]) -> _Input:
    data = bytearray()
    starts: list[tuple[int, int]] = []
    ends: list[int] = []
    failures: list[tuple[int, Result]] = []
    in_dump = False
    for number, line in enumerate(text.splitlines(), 1):
        body = _dump_line(line)
        if body is None:
            if in_dump and _DUMP_END_RE.fullmatch(line):
                continue  # hexdump -C ends with the total length as a last offset
            body = _SEPARATORS_RE.sub("", _strip_prefixes(line))
            in_dump = False
        else:
            in_dump = True
        if not body or body.startswith("#"):
            continue
        if _HEX_RE.fullmatch(body) is None or len(body) % 2:
            bad = "an odd number of hex digits" if _HEX_RE.fullmatch(body) else "not hex"
            failures.append(
                (len(data), DecodeFailure(len(data), f"line {number}: {bad}", b"", number))
            )
            continue
        starts.append((len(data), number))
        data += bytes.fromhex(body)
        ends.append(len(data))
        if len(data) > MAX_DUMP_SIZE:
            raise DecodeError(f"dump larger than {MAX_DUMP_SIZE} bytes", MAX_DUMP_SIZE)
    items.extend(failures)
    return _Input(data, starts, ends, failures)


# --- the decoder ---------------------------------------------------------------------


@dataclass(slots=True)
class _Pending:
    """Frames of an APDU still being collected (segments, GBT blocks)."""

    offset: int
    raw: list[bytes]
    transport: str


class _Decoder:
    def __init__(
        self, keys: SecurityKeys | None, verify_tag: bool, lenient: bool, text: _Input
    ) -> None:
        self.keys = keys
        self.verify_tag = verify_tag
        self.lenient = lenient
        self.input = text
        self.results: list[tuple[int, Result]] = []
        self.hdlc: dict[tuple[bytes, bytes], tuple[Reassembler, _Pending]] = {}
        self.mbus = MbusReassembler()
        self.mbus_pending: _Pending | None = None
        self.gbt: dict[str, tuple[GbtReceiver, _Pending]] = {}
        # The system titles the dump's AARQ (calling AP title) and AARE (responding AP
        # title) showed: the IVs of the glo-/ded- APDUs that follow, by direction.
        self.client_title: bytes | None = None
        self.server_title: bytes | None = None

    # -- positions -----------------------------------------------------------------

    def line_of(self, offset: int) -> int | None:
        starts = self.input.line_starts
        if not starts:
            return None
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid][0] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return starts[lo][1]

    def line_end(self, offset: int) -> int:
        ends = self.input.line_ends
        if not ends:
            return len(self.input.data)
        lo, hi = 0, len(ends) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if ends[mid] > offset:
                hi = mid
            else:
                lo = mid + 1
        return ends[lo] if ends[lo] > offset else len(self.input.data)

    def fail(self, offset: int, reason: str, raw: bytes) -> None:
        self.results.append((offset, DecodeFailure(offset, reason, raw, self.line_of(offset))))

    def emit(self, frame: DecodedFrame) -> None:
        self.results.append((frame.offset, frame))

    # -- the stream ----------------------------------------------------------------

    def run(self) -> None:
        data = self.input.data
        size = len(data)
        pos = 0
        while pos < size:
            first = data[pos]
            if first == 0x7E:
                pos = self.hdlc_at(pos)
            elif (first == 0x68 and pos + 3 < size and data[pos + 1] == data[pos + 2]) and data[
                pos + 3
            ] == 0x68:
                pos = self.mbus_at(pos)
            elif first == 0x00 and pos + 8 <= size and data[pos + 1] == 0x01:
                pos = self.wrapper_at(pos)
            else:
                pos = self.bare_at(pos)
        for reassembler, pending in self.hdlc.values():
            if reassembler.pending:
                self.fail(
                    pending.offset,
                    f"HDLC: incomplete segmented APDU ({len(pending.raw)} frame(s) with the "
                    "S bit set, the last segment never came)",
                    b"".join(pending.raw),
                )
        if self.mbus_pending is not None and self.mbus.pending:
            self.fail(
                self.mbus_pending.offset,
                "M-Bus: incomplete segmented APDU (no frame with FIN came)",
                b"".join(self.mbus_pending.raw),
            )
        for receiver, pending in self.gbt.values():
            if receiver.state is not GbtReceiverState.DONE:
                self.fail(
                    pending.offset,
                    f"general-block-transfer: incomplete ({receiver.in_order} block(s) "
                    "joined, the last block never came)",
                    b"".join(pending.raw),
                )

    def hdlc_at(self, pos: int) -> int:
        data = self.input.data
        size = len(data)
        while pos + 1 < size and data[pos + 1] == 0x7E:  # idle flags
            pos += 1
        if pos + 1 >= size:
            return size  # a lone closing flag
        if pos + 3 > size or data[pos + 1] & 0xF0 != 0xA0:
            end = self.skip_to_flag(pos)
            self.fail(pos, "HDLC: 7E not followed by a frame format Axxx", bytes(data[pos:end]))
            return end
        length = ((data[pos + 1] << 8) | data[pos + 2]) & 0x7FF
        end = pos + length + 2
        if end > size or data[end - 1] != 0x7E:
            stop = self.skip_to_flag(pos)
            what = "is cut off" if end > size else "does not end on a flag"
            self.fail(
                pos,
                f"HDLC: frame of length {length} {what} (abort or missing bytes)",
                bytes(data[pos:stop]),
            )
            return stop
        raw = bytes(data[pos:end])
        # one flag may close a frame and open the next one (IEC 62056-46 6.4.1)
        next_pos = end - 1 if end < size and data[end] & 0xF0 == 0xA0 else end
        try:
            frame = HdlcFrame.decode(raw)
        except DecodeError as exc:
            self.fail(pos, f"HDLC: {_reason(exc)}", raw)
            return next_pos
        self.hdlc_frame(pos, raw, frame)
        return next_pos

    def skip_to_flag(self, pos: int) -> int:
        data = self.input.data
        found = data.find(0x7E, pos + 1)
        line_end = self.line_end(pos)
        if found < 0:
            return line_end if line_end > pos else len(data)
        return min(found, line_end) if line_end > pos else found

    def hdlc_frame(self, pos: int, raw: bytes, frame: HdlcFrame) -> None:
        dst, src = frame.destination, frame.source
        summary = f"HDLC {frame.kind.name} {_address(src)} -> {_address(dst)}"
        if frame.kind is FrameKind.I:
            summary += f" N(S)={frame.send_sequence} N(R)={frame.receive_sequence}"
        elif frame.receive_sequence is not None:
            summary += f" N(R)={frame.receive_sequence}"
        if frame.poll_final:
            summary += " P/F"
        if frame.kind not in (FrameKind.I, FrameKind.UI) or not frame.information:
            if frame.information and frame.kind in (FrameKind.SNRM, FrameKind.UA):
                try:
                    params = HdlcParameters.decode(frame.information)
                    summary += (
                        f" max info {params.max_info_transmit}/{params.max_info_receive}"
                        f" window {params.window_transmit}/{params.window_receive}"
                    )
                except DecodeError as exc:
                    self.fail(pos, f"HDLC {frame.kind.name} parameters: {_reason(exc)}", raw)
                    return
            self.emit(DecodedFrame(pos, "hdlc", raw, self.line_of(pos), link=summary))
            return
        key = (dst.encode(), src.encode())
        entry = self.hdlc.get(key)
        if entry is None or not entry[0].pending:
            entry = (entry[0] if entry else Reassembler(), _Pending(pos, [], "hdlc"))
            self.hdlc[key] = entry
        reassembler, pending = entry
        pending.raw.append(raw)
        try:
            apdu = reassembler.feed(frame.information, frame.segmented)
        except DlmsError as exc:
            self.fail(pending.offset, f"HDLC: {_reason(exc)}", b"".join(pending.raw))
            del self.hdlc[key]
            return
        if apdu is None:
            return
        del self.hdlc[key]
        self.apdu(pending.offset, b"".join(pending.raw), apdu, "hdlc", len(pending.raw), summary)

    def mbus_at(self, pos: int) -> int:
        data = self.input.data
        end = pos + data[pos + 1] + 6
        if end > len(data):
            stop = self.line_end(pos)
            stop = stop if stop > pos else len(data)
            self.fail(pos, "M-Bus: frame is cut off", bytes(data[pos:stop]))
            return stop
        raw = bytes(data[pos:end])
        try:
            frame = MbusFrame.decode(raw)
        except DecodeError as exc:
            self.fail(pos, _reason(exc), raw)
            return end
        if self.mbus_pending is None or not self.mbus.pending:
            self.mbus_pending = _Pending(pos, [], "mbus")
        pending = self.mbus_pending
        pending.raw.append(raw)
        for event in self.mbus.feed(frame):
            if isinstance(event, MbusApduReceived):
                self.mbus_pending = None
                summary = f"M-Bus A=0x{event.a:02X} STSAP=0x{event.stsap:02X} "
                summary += f"DTSAP=0x{event.dtsap:02X}"
                self.apdu(
                    pending.offset,
                    b"".join(pending.raw),
                    event.apdu,
                    "mbus",
                    event.frames,
                    summary,
                )
            else:
                self.fail(pending.offset, f"M-Bus: {event.reason}", b"".join(pending.raw))
                self.mbus_pending = None
        return end

    def wrapper_at(self, pos: int) -> int:
        data = self.input.data
        length = (data[pos + 6] << 8) | data[pos + 7]
        end = pos + 8 + length
        if end > len(data):
            stop = self.line_end(pos)
            stop = stop if stop > pos else len(data)
            self.fail(
                pos,
                f"wrapper: header announces {length} APDU bytes, {len(data) - pos - 8} present",
                bytes(data[pos:stop]),
            )
            return stop
        raw = bytes(data[pos:end])
        try:
            pdu = WrapperPdu.decode(raw)
        except DecodeError as exc:
            self.fail(pos, _reason(exc), raw)
            return end
        summary = f"wrapper {pdu.source} -> {pdu.destination}"
        self.apdu(pos, raw, pdu.apdu, "wrapper", 1, summary)
        return end

    def bare_at(self, pos: int) -> int:
        data = self.input.data
        stop = self.line_end(pos)
        if stop <= pos:
            stop = len(data)
        chunk = bytes(data[pos:stop])
        transport = "apdu"
        start = 0
        if chunk[:3] in _LLC:
            transport, start = "llc", 3
        if chunk[start : start + 1] == b"/":
            return self.telegram_bytes(pos, chunk, stop)
        reader = Reader(chunk)
        reader.pos = start
        try:
            decode_prefix(reader)
        except DecodeError as exc:
            if self.lenient and chunk[start : start + 1] == b"\x0f":
                self.apdu(pos, chunk, chunk[start:], transport, 1, None)
                return stop
            try:  # not an APDU: maybe A-XDR Data alone (a captured attribute value)
                value = axdr.decode(chunk[start:])
            except DecodeError:
                self.fail(pos, f"APDU: {_reason(exc)}", chunk)
                return stop
            out: list[DecodedValue] = []
            _walk((value,), out)
            self.emit(
                DecodedFrame(
                    pos,
                    "axdr",
                    chunk,
                    self.line_of(pos),
                    values=tuple(out),
                    notes=("not an APDU: decoded as A-XDR Data",),
                )
            )
            return stop
        end = reader.pos
        self.apdu(pos, chunk[:end], chunk[start:end], transport, 1, None)
        return pos + end

    def telegram_bytes(self, pos: int, chunk: bytes, stop: int) -> int:
        try:
            telegram = p1.parse_telegram(chunk)
        except DecodeError as exc:
            self.fail(pos, f"P1: {_reason(exc)}", chunk)
            return stop
        self.emit(self.telegram_frame(pos, chunk, telegram, "p1", None, ()))
        return stop

    # -- APDUs ---------------------------------------------------------------------

    def apdu(  # noqa: PLR0917 - private, one argument per frame field
        self, offset: int, raw: bytes, apdu: bytes, transport: str, frames: int, link: str | None
    ) -> None:
        if apdu[:1] == bytes((_GBT_TAG,)):
            self.gbt_block(offset, raw, apdu, transport, frames, link)
            return
        self.content(offset, raw, apdu, transport, frames, link)

    def gbt_block(  # noqa: PLR0917 - private, one argument per frame field
        self, offset: int, raw: bytes, apdu: bytes, transport: str, frames: int, link: str | None
    ) -> None:
        try:
            block = decode_apdu(apdu)
        except DecodeError as exc:
            self.fail(offset, f"general-block-transfer: {_reason(exc)}", raw)
            return
        assert isinstance(block, GeneralBlockTransfer)
        entry = self.gbt.get(transport)
        if entry is None or block.block_number == 1:
            entry = (GbtReceiver(max_size=MAX_DUMP_SIZE), _Pending(offset, [], transport))
            self.gbt[transport] = entry
        receiver, pending = entry
        pending.raw.append(raw)
        try:
            receiver.receive(block, 0.0)
        except DlmsError as exc:
            del self.gbt[transport]
            self.fail(pending.offset, f"general-block-transfer: {_reason(exc)}", raw)
            return
        if receiver.state is GbtReceiverState.DONE:
            del self.gbt[transport]
            joined = receiver.result
            assert joined is not None
            self.content(
                pending.offset,
                b"".join(pending.raw),
                joined,
                transport,
                len(pending.raw) if frames == 1 else frames,
                link,
                ("general-block-transfer: " + f"{len(pending.raw)} blocks joined",),
            )

    def content(  # noqa: PLR0917 - private, one argument per frame field
        self,
        offset: int,
        raw: bytes,
        apdu_bytes: bytes,
        transport: str,
        frames: int,
        link: str | None,
        notes: tuple[str, ...] = (),
    ) -> None:
        line = self.line_of(offset)
        apdu = self.payload(offset, raw, apdu_bytes, transport, frames, link, notes)
        if apdu is None:
            return
        if isinstance(apdu, GeneralGloCiphering | GeneralDedCiphering | ServiceSpecificCiphered):
            self.ciphered(offset, raw, apdu, transport, frames, link, notes)
            return
        inner = None
        if isinstance(apdu, AARQ) and apdu.calling_ap_title:
            self.client_title = bytes(apdu.calling_ap_title)
        elif isinstance(apdu, AARE) and apdu.responding_ap_title:
            self.server_title = bytes(apdu.responding_ap_title)
        user_information = getattr(apdu, "user_information", None)
        if isinstance(user_information, ServiceSpecificCiphered):
            inner, note = self.user_information(apdu, user_information)
            notes = (*notes, note)
        self.emit(
            DecodedFrame(
                offset,
                transport,
                raw,
                line,
                frames,
                link,
                apdu,
                values=_values(apdu),
                notes=notes,
                inner=inner,
            )
        )

    def payload(  # noqa: PLR0917 - private, one argument per frame field
        self,
        offset: int,
        raw: bytes,
        data: bytes,
        transport: str,
        frames: int,
        link: str | None,
        notes: tuple[str, ...],
        envelope: Apdu | None = None,
    ) -> Apdu | None:
        """The APDU in ``data`` (a frame's content, or an envelope's plaintext). A P1
        telegram, a notification read leniently (untagged layout) or a failure is emitted
        here and gives None."""
        plain = None if envelope is None else data
        where = "" if envelope is None else f" inside {envelope.NAME}"
        if data[:1] == b"/":
            try:
                telegram = p1.parse_telegram(data)
            except DecodeError as exc:
                self.fail(offset, f"P1{where}: {_reason(exc)}", raw)
                return None
            frame = self.telegram_frame(offset, raw, telegram, transport, link, notes)
            self.emit(replace(frame, frames=frames, envelope=envelope, plaintext=plain))
            return None
        try:
            return decode_apdu(data)
        except DecodeError as exc:
            if self.lenient and data[:1] == b"\x0f":
                lenient = _lenient_notification(data)
                if lenient is not None:
                    values, header = lenient
                    self.emit(
                        DecodedFrame(
                            offset,
                            transport,
                            raw,
                            self.line_of(offset),
                            frames,
                            link,
                            envelope=envelope,
                            plaintext=plain,
                            values=values,
                            notes=(*notes, header, "lenient: untagged class/OBIS/attribute"),
                        )
                    )
                    return None
            what = "APDU" if envelope is None else "deciphered APDU"
            self.fail(offset, f"{what}: {_reason(exc)}", raw)
            return None

    def user_information(
        self, apdu: Apdu, ciphered: ServiceSpecificCiphered
    ) -> tuple[Apdu | None, str]:
        """Open the glo-initiate-request/response in an ACSE APDU's user-information
        (Green Book 9.4.2: ciphered with the sender's system title = its AP title)."""
        keys = self.keys
        if keys is None or keys.global_unicast_key is None:
            return None, f"user-information is a {ciphered.NAME}: no encryption key given"
        title = getattr(apdu, "calling_ap_title", None) or getattr(
            apdu, "responding_ap_title", None
        )
        title = title or keys.peer_system_title or None
        try:
            plain = ciphering.unprotect(
                ciphered,
                encryption_key=keys.global_unicast_key,
                authentication_key=keys.authentication_key,
                system_title=title,
                verify_tag=self.verify_tag,
            )
            inner = decode_apdu(plain)
        except (SecurityError, DecodeError, ValueError) as exc:
            reason = _reason(exc) if isinstance(exc, DlmsError) else str(exc)
            return None, f"user-information {ciphered.NAME} not deciphered: {reason}"
        note = f"user-information {ciphered.NAME} deciphered: {inner.NAME}"
        if isinstance(inner, InitiateRequest) and inner.dedicated_key is not None:
            # The client's dedicated key opens the ded- frames of this association.
            self.keys = replace(keys, dedicated_key=bytes(inner.dedicated_key))
            note += "; its dedicated key opens the ded- frames that follow"
        return inner, note

    def ciphered(  # noqa: PLR0917 - private, one argument per frame field
        self,
        offset: int,
        raw: bytes,
        envelope: GeneralGloCiphering | GeneralDedCiphering | ServiceSpecificCiphered,
        transport: str,
        frames: int,
        link: str | None,
        notes: tuple[str, ...],
    ) -> None:
        line = self.line_of(offset)
        keys = self.keys
        missing = "no encryption key given" if keys is None else None
        key = b""
        if keys is not None:
            if keys.dedicated_key is None and keys.global_unicast_key is not None:
                # No AARQ in the dump gave the dedicated key: the key given stands for it.
                keys = replace(keys, dedicated_key=keys.global_unicast_key)
            try:
                _, key = encryption_key_for(keys, envelope)
            except SecurityError as exc:
                missing = str(exc)
        if keys is None or missing is not None:
            self.emit(
                DecodedFrame(
                    offset,
                    transport,
                    raw,
                    line,
                    frames,
                    link,
                    envelope=envelope,
                    notes=(*notes, f"ciphered: {missing}, content not shown"),
                )
            )
            return
        title = keys.peer_system_title or None
        if isinstance(envelope, ServiceSpecificCiphered):
            # No title in the envelope: the sender's, as the dump's AARQ / AARE gave it.
            sender = (
                self.client_title if CipheredTag(envelope.TAG).from_client else self.server_title
            )
            title = sender or title
        try:
            plain = ciphering.unprotect(
                envelope,
                encryption_key=key,
                authentication_key=keys.authentication_key,
                system_title=title,
                verify_tag=self.verify_tag,
            )
        except (SecurityError, DecodeError) as exc:
            self.fail(offset, f"{envelope.NAME}: {_reason(exc)}", raw)
            return
        sc = envelope.security_control
        if sc.value & 0x10 and not self.verify_tag:
            notes = (*notes, "authentication tag NOT verified (--no-verify-tag)")
        apdu = self.payload(offset, raw, plain, transport, frames, link, notes, envelope)
        if apdu is None:
            return
        self.emit(
            DecodedFrame(
                offset,
                transport,
                raw,
                line,
                frames,
                link,
                apdu,
                envelope,
                plain,
                _values(apdu),
                notes=notes,
            )
        )

    def telegram_frame(  # noqa: PLR0917 - private, one argument per frame field
        self,
        offset: int,
        raw: bytes,
        telegram: p1.Telegram,
        transport: str,
        link: str | None,
        notes: tuple[str, ...],
    ) -> DecodedFrame:
        return _telegram_frame(offset, raw, telegram, transport, link, notes, self.line_of(offset))


def _telegram_frame(  # noqa: PLR0917 - private, one argument per frame field
    offset: int,
    raw: bytes,
    telegram: p1.Telegram,
    transport: str,
    link: str | None,
    notes: tuple[str, ...],
    line: int | None,
) -> DecodedFrame:
    values = tuple(_p1_value(entry) for entry in telegram.lines)
    if telegram.crc is not None:
        notes = (*notes, f"CRC {telegram.crc:04X} checked")
    return DecodedFrame(
        offset, transport, raw, line, 1, link, values=values, telegram=telegram, notes=notes
    )


def _p1_value(line: p1.P1Line) -> DecodedValue:
    name = p1.dsmr_name(line.address) or (
        obis_name(line.obis) if line.obis is not None else line.address
    )
    events = line.events()
    if events:  # the power failure log: [end time, duration] pairs
        entries = [[when, duration.number] for when, duration in events]
        return DecodedValue(line.obis, entries, events[0][1].unit, name)
    return DecodedValue(line.obis, line.value, line.unit, name, captured=line.timestamp)


def _address(address: HdlcAddress) -> str:
    """``16`` (a client SAP) or ``1/17`` (server logical/physical)."""
    if address.physical is None:
        return str(address.logical)
    return f"{address.logical}/{address.physical}"


def _reason(exc: DlmsError) -> str:
    if isinstance(exc, DecodeError):
        if exc.offset is not None:
            return f"{exc.reason} (at byte {exc.offset})"
        return exc.reason
    return str(exc)


# --- values ------------------------------------------------------------------------


def _values(apdu: Apdu) -> tuple[DecodedValue, ...]:
    out: list[DecodedValue] = []
    if isinstance(apdu, DataNotification):
        _walk((apdu.notification_body,), out)
    elif isinstance(apdu, EventNotificationRequest):
        code = Obis(*apdu.cosem_attribute_descriptor.instance_id)
        out.append(_entry(code, apdu.attribute_value, None))
    elif isinstance(apdu, GetResponseNormal):
        if isinstance(apdu.result, Data):
            _walk((apdu.result.value,), out)
    elif isinstance(apdu, GetResponseWithList):
        for result in apdu.result:
            if isinstance(result, Data):
                _walk((result.value,), out)
    return tuple(out)


def _is_obis(value: axdr.Value) -> bool:
    return isinstance(value, axdr.OctetString) and len(value) == _OBIS_LENGTH


def _scaler_unit(value: axdr.Value) -> ScalerUnit | None:
    if not isinstance(value, axdr.Structure) or len(value) != 2:
        return None
    if not isinstance(value[0], axdr.Integer) or not isinstance(value[1], axdr.Enum):
        return None
    try:
        return ScalerUnit.from_data(value)
    except (DecodeError, ValueError):
        return None


def _walk(items: tuple[axdr.Value, ...], out: list[DecodedValue], depth: int = 0) -> None:
    """Pair OBIS codes with the value (and scaler_unit) after them; list the rest in order."""
    index, count = 0, len(items)
    while index < count:
        item = items[index]
        if _is_obis(item) and index + 1 < count:
            value = items[index + 1]
            index += 2
            scaler = _scaler_unit(items[index]) if index < count else None
            if scaler is not None and isinstance(value, int) and not isinstance(value, bool):
                index += 1
            else:
                scaler = None
            assert isinstance(item, axdr.OctetString)
            out.append(_entry(bytes(item), value, scaler))
        elif isinstance(item, axdr.Structure | axdr.Array) and depth < 8:
            _walk(tuple(item), out, depth + 1)
            index += 1
        elif item is None:
            index += 1  # padding (Kamstrup list 1, vector PUSH-19)
        else:
            out.append(DecodedValue(None, _plain(item), raw=item))
            index += 1


@lru_cache(maxsize=4096)
def _named(code: bytes | Obis) -> tuple[Obis, str]:
    """The OBIS code of 6 octets and its name (cached: a dump repeats the same codes)."""
    obis = code if isinstance(code, Obis) else Obis.from_bytes(code)
    return obis, obis_name(obis)


def _entry(raw_code: bytes | Obis, value: axdr.Value, scaler: ScalerUnit | None) -> DecodedValue:
    code, name = _named(raw_code)
    if scaler is not None:
        assert isinstance(value, int)
        scaled: Any = scaler.apply(int(value))
        symbol = scaler.unit.symbol
        return DecodedValue(code, scaled, symbol or None, name, value)
    return DecodedValue(code, _plain(value), None, name, value)


def _datetime_text(data: bytes) -> str | None:
    try:
        stamp = CosemDateTime.from_bytes(data)
    except (DecodeError, ValueError):
        return None
    if not stamp.is_valid():  # e.g. 12 ASCII digits of a serial number (vector PUSH-02)
        return None
    text = str(stamp)
    return text.split(" (", 1)[0]


def _plain(value: axdr.Value) -> Any:
    """A display value: see :class:`DecodedValue`."""
    if isinstance(value, axdr.Structure | axdr.Array):
        return [_plain(v) for v in value]
    if isinstance(value, axdr.Boolean):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, axdr.VisibleString | axdr.Utf8String):
        return str(value)
    if isinstance(value, axdr.OctetString):
        data = bytes(value)
        if len(data) == 12 and data[:2] != b"\x20\x20" and (text := _datetime_text(data)):
            return text
        if data and all(0x20 <= b < 0x7F for b in data):
            return data.decode("ascii")
        return data.hex().upper()
    if value is None:
        return None
    if isinstance(value, CosemDateTime):
        return _datetime_text(value.to_bytes()) or str(value)
    if isinstance(value, datetime | Decimal):
        return value
    return str(value)


# --- the untagged vendor layout (lenient) --------------------------------------------


def _lenient_notification(data: bytes) -> tuple[tuple[DecodedValue, ...], str] | None:
    """A Data-Notification whose body uses the untagged layout of vector PUSH-17."""
    reader = Reader(data)
    try:
        reader.u8("data-notification tag")
        invoke = reader.u32("long-invoke-id-and-priority")
        first = reader.peek_u8("date-time")
        if first == 0x09:
            reader.u8("date-time tag")
        size = reader.u8("date-time length")
        stamp = reader.bytes(size, "date-time")
        out: list[DecodedValue] = []
        _lenient_items(reader, out, 1, 0)
        reader.expect_end("the notification body")
    except DecodeError:
        return None
    when = _datetime_text(stamp) if len(stamp) == 12 else None
    return tuple(out), f"data-notification long-invoke-id {invoke:08X}, date-time {when}"


def _lenient_items(reader: Reader, out: list[DecodedValue], count: int, depth: int) -> None:
    if depth > 8:
        raise reader.error("nesting too deep")
    for _ in range(count):
        tag = reader.peek_u8("a Data tag")
        if tag in (0x01, 0x02):
            start = reader.pos
            reader.u8("tag")
            length = reader.u8("element count")
            if length & 0x80:
                raise reader.error("long element count in the lenient layout", start + 1)
            if tag == 0x02 and length == 2 and _untagged_descriptor(reader):
                reader.u16("class-id")
                code = reader.bytes(6, "OBIS code")
                reader.u8("attribute")
                value = axdr.read_data(reader)
                out.append(_entry(code, value, None))
                continue
            _lenient_items(reader, out, length, depth + 1)
        else:
            value = axdr.read_data(reader)
            if value is not None:
                out.append(DecodedValue(None, _plain(value), raw=value))


def _untagged_descriptor(reader: Reader) -> bool:
    """Whether the next bytes read as ``class-id u16, OBIS[6], attribute u8`` then a Data
    tag: class ids of the Blue Book are below 256 (first byte 00, second not 00) and
    attributes are 1..127."""
    buf, pos = reader.buf, reader.pos
    if reader.remaining < 11:
        return False
    return (
        buf[pos] == 0x00
        and buf[pos + 1] != 0x00
        and 1 <= buf[pos + 8] <= 0x7F
        and buf[pos + 9] in _DATA_TAGS
    )


_DATA_TAGS: Final = frozenset(int(t) for t in axdr.DataType)


# --- the entry point ---------------------------------------------------------------


def _text_of(data: bytes) -> str | None:
    """Bytes that are text (printable ASCII and line ends) as a str, else None."""
    if all(0x20 <= b < 0x7F or b in (0x09, 0x0A, 0x0D) for b in data[:4096]):
        try:
            return data.decode("ascii")
        except UnicodeDecodeError:
            return None
    return None


def _telegram_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in re.finditer(r"(?m)^/[^\n]*\n(?:.*\n)*?!.*(?:\n|$)", text):
        yield match.start(), match.end()


def decode_dump(
    text_or_bytes: str | bytes | bytearray | memoryview,
    *,
    keys: SecurityKeys | None = None,
    verify_tag: bool = True,
    lenient: bool = False,
) -> list[DecodedFrame | DecodeFailure]:
    """Decode every frame of a dump; see the module docstring.

    A ``str`` is hex text (one frame per line or a whole dump; spaces, colons, ``0x``,
    timestamps and ``TX:``/``RX:`` prefixes are ignored; the offset and ASCII columns of
    Wireshark, ``hexdump -C`` and ``xxd`` dumps too) or the text of P1 telegrams;
    ``bytes`` are the raw bytes as received (or such text). ``keys`` (see
    :func:`push_keys`) decipher ciphered APDUs; ``verify_tag=False`` skips the GCM tag
    check; ``lenient`` reads the untagged vendor layout.

    Never raises for bad frames (each is a :class:`DecodeFailure`); raises ``TypeError``
    for an input that is not text or bytes and :class:`DecodeError` for an input larger
    than :data:`MAX_DUMP_SIZE`.
    """
    if isinstance(text_or_bytes, bytes | bytearray | memoryview):
        raw = bytes(text_or_bytes)
        if len(raw) > MAX_DUMP_SIZE:
            raise DecodeError(f"dump larger than {MAX_DUMP_SIZE} bytes", MAX_DUMP_SIZE)
        text = _text_of(raw)
        if text is None:
            data = _Input(bytearray(raw), [], [], [])
            decoder = _Decoder(keys, verify_tag, lenient, data)
            decoder.run()
            return [result for _, result in sorted(decoder.results, key=lambda r: r[0])]
        text_or_bytes = text
    if not isinstance(text_or_bytes, str):
        raise TypeError(f"decode_dump takes str or bytes, not {type(text_or_bytes).__name__}")
    text = text_or_bytes
    if len(text) > 2 * MAX_DUMP_SIZE:
        raise DecodeError(f"dump larger than {MAX_DUMP_SIZE} bytes", MAX_DUMP_SIZE)
    telegrams: list[tuple[int, Result]] = []
    if _TELEGRAM_START_RE.search(text):
        pieces: list[str] = []
        last = 0
        for start, end in _telegram_spans(text):
            line = text.count("\n", 0, start) + 1
            chunk = text[start:end]
            try:
                telegram = p1.parse_telegram(chunk)
            except DecodeError as exc:
                telegrams.append(
                    (-1, DecodeFailure(start, f"P1: {_reason(exc)}", chunk.encode(), line))
                )
            else:
                frame = _telegram_frame(start, chunk.encode(), telegram, "p1", None, (), line)
                telegrams.append((-1, frame))
            pieces.append(text[last:start])
            pieces.append("\n" * chunk.count("\n"))  # keep the line numbers of the rest
            last = end
        pieces.append(text[last:])
        text = "".join(pieces)
    items: list[tuple[int, Result]] = []
    data = _read_text(text, items)
    decoder = _Decoder(keys, verify_tag, lenient, data)
    decoder.run()
    combined = [(r.line or 0, r.offset, r) for _, r in decoder.results + items + telegrams]
    combined.sort(key=lambda entry: (entry[0], entry[1]))
    return [result for _, _, result in combined]
