"""DSMR P1 telegrams and plain IEC 62056-21 readouts, parsed into OBIS → value (sans-io).

A P1 telegram (DSMR 2.2, 3, 4.x, 5.x; the Luxembourg "smarty" sends the same text inside a
general-glo-ciphering APDU) is ASCII::

    /XXX5Identification CR LF
    CR LF
    1-3:0.2.8(50) CR LF                                  data lines: address(value[*unit])...
    0-0:1.0.0(101209113020W) CR LF                       YYMMDDhhmmss + S (summer) / W (winter)
    1-0:1.8.1(123456.789*kWh) CR LF
    1-0:99.97.0(2)(0-0:96.7.19)(101208152415W)(0000000240*s)(101208151004W)(0000000301*s)
    0-1:24.2.1(101209112500W)(12785.123*m3) CR LF         M-Bus channel 1, with its capture time
    !EF2F CR LF                                          CRC16 (DSMR 4 and later), 4 hex digits

(DSMR P1 Companion Standard 5.0.2, clause 6.2 "Representation of P1 telegram" and 6.12
"Example"; IEC 62056-21 clause 6.5 for the data-set syntax.) The CRC is CRC-16/ARC
(polynomial x^16 + x^15 + x^2 + 1, processed LSB first i.e. 0xA001, initial value 0, no final
XOR) over every byte from ``/`` up to and including ``!``; DSMR 2.2 and 3 telegrams end with
a bare ``!`` and carry none. DSMR 2.2/3 gas readings span two lines: the value of
``0-1:24.3.0(...)(m3)`` follows on the next line as ``(00001.001)`` — a line that starts with
``(`` continues the previous data set.

A plain IEC 62056-21 readout (mode A/B/C, ``/XXXZident CR LF`` then ``STX data ! CR LF ETX
BCC``) is parsed with :mod:`dlmskit.link.mode_e` (BCC checked) into the same shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Final

from dlmskit.errors import DecodeError
from dlmskit.link import mode_e
from dlmskit.obis import Obis

__all__ = [
    "DSMR_NAMES",
    "MAX_TELEGRAM",
    "P1Line",
    "P1Value",
    "Telegram",
    "crc16",
    "dsmr_name",
    "find_telegrams",
    "parse_telegram",
    "parse_timestamp",
]

#: The largest telegram accepted (DSMR 5 telegrams are a few kB; bounded input, DESIGN.md).
MAX_TELEGRAM: Final = 64 * 1024


def _crc_entry(byte: int) -> int:
    crc = byte
    for _ in range(8):
        crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


_CRC_TABLE: Final = tuple(_crc_entry(n) for n in range(256))
_STX: Final = 0x02
_NUMBER_RE: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_TIMESTAMP_RE: Final = re.compile(r"([0-9]{12})([SW]?)", re.ASCII)
_CRC_RE: Final = re.compile(r"!([0-9A-Fa-f]{4})?\r?\n?", re.ASCII)


#: Names of the DSMR-specific data objects (DSMR P1 Companion Standard 5.0.2, clause 6.12
#: tables "Data objects"), where the generic OBIS name says something else (1-3:0.2.8 is
#: "version information" in DSMR, not a firmware signature). ``n`` = the M-Bus channel.
DSMR_NAMES: Final[dict[str, str]] = {
    "1-3:0.2.8": "DSMR version",
    "0-0:1.0.0": "Date-time stamp of the P1 message",
    "0-0:96.1.1": "Equipment identifier",
    "0-0:96.14.0": "Tariff indicator",
    "0-0:96.7.21": "Number of power failures in any phase",
    "0-0:96.7.9": "Number of long power failures in any phase",
    "1-0:99.97.0": "Power failure event log (long power failures)",
    "1-0:32.32.0": "Number of voltage sags in phase L1",
    "1-0:52.32.0": "Number of voltage sags in phase L2",
    "1-0:72.32.0": "Number of voltage sags in phase L3",
    "1-0:32.36.0": "Number of voltage swells in phase L1",
    "1-0:52.36.0": "Number of voltage swells in phase L2",
    "1-0:72.36.0": "Number of voltage swells in phase L3",
    "0-0:96.13.0": "Text message",
    "0-0:96.13.1": "Text message code (DSMR 4 and earlier)",
    "0-0:17.0.0": "Actual threshold electricity",
    "0-0:96.3.10": "Breaker state",
    "0-n:24.1.0": "M-Bus device type",
    "0-n:96.1.0": "M-Bus equipment identifier",
    "0-n:24.2.1": "M-Bus last 5-minute value (with capture time)",
    "0-n:24.3.0": "M-Bus last hourly value (DSMR 2.2/3)",
    "0-n:24.4.0": "M-Bus valve position",
}


def dsmr_name(address: str) -> str | None:
    """The DSMR name of a data line's address (``0-1:24.2.1`` → M-Bus last 5-minute value),
    or ``None`` when DSMR gives it no special name."""
    found = DSMR_NAMES.get(address)
    if found is None and address.startswith("0-") and ":" in address:
        channel, rest = address[2:].split(":", 1)
        if channel.isdigit() and channel != "0":
            found = DSMR_NAMES.get(f"0-n:{rest}")
            if found is not None:
                found += f", channel {channel}"
    return found


def crc16(data: bytes | bytearray | memoryview) -> int:
    """CRC-16/ARC (poly 0xA001 reflected, init 0, no final XOR), as DSMR 4+ uses for P1.

    Check value: ``crc16(b"123456789") == 0xBB3D``.
    """
    crc = 0
    table = _CRC_TABLE
    for byte in bytes(data):
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


def parse_timestamp(text: str) -> datetime | None:
    """A DSMR timestamp ``YYMMDDhhmmssX`` as a :class:`datetime` (``None`` if it is not one).

    X = ``S`` (summer, UTC+2) or ``W`` (winter, UTC+1) as the Dutch specification defines
    (DSMR 5.0.2 table 6.1, "TST"); without X the datetime is naive.
    """
    match = _TIMESTAMP_RE.fullmatch(text)
    if match is None:
        return None
    digits, season = match.groups()
    try:
        stamp = datetime.strptime(digits, "%y%m%d%H%M%S")
    except ValueError:
        return None
    if season:
        return stamp.replace(tzinfo=timezone(timedelta(hours=2 if season == "S" else 1)))
    return stamp


@dataclass(frozen=True, slots=True)
class P1Value:
    """One ``(value*unit)`` of a data line: the text as sent, its unit, and its reading as a
    number (:class:`~decimal.Decimal`) or a timestamp when it is one."""

    text: str
    unit: str | None = None

    @property
    def number(self) -> Decimal | None:
        """The value as a number, ``None`` when it is not numeric (an id, a timestamp).

        Digits alone longer than 10 characters are an identifier, not a number (DSMR
        equipment ids are hex digits: ``0-0:96.1.1(4B38...)``, ``(00000000000000)``).
        """
        text = self.text
        if _NUMBER_RE.fullmatch(text) is None:
            return None
        if self.unit is None and "." not in text and len(text.lstrip("+-")) > 10:
            return None
        try:
            return Decimal(self.text)
        except InvalidOperation:  # pragma: no cover - the regex admits only numbers
            return None

    @property
    def timestamp(self) -> datetime | None:
        """The value as a DSMR timestamp (``YYMMDDhhmmssX``), else ``None``."""
        return parse_timestamp(self.text) if self.unit is None else None

    @property
    def value(self) -> Decimal | datetime | str:
        """The most specific reading: a timestamp, a number, else the text."""
        if (when := self.timestamp) is not None:
            return when
        if (number := self.number) is not None:
            return number
        return self.text


@dataclass(frozen=True, slots=True)
class P1Line:
    """One data set: ``address(value*unit)(value*unit)...``; ``offset`` is where its address
    starts in the telegram. ``obis`` is set when the address is a full OBIS code."""

    address: str
    values: tuple[P1Value, ...]
    offset: int = 0

    @property
    def obis(self) -> Obis | None:
        if "-" not in self.address:
            return None
        try:
            return Obis.parse(self.address)
        except ValueError:
            return None

    @property
    def reading(self) -> P1Value:
        """The value a reader wants: for an M-Bus channel line ``(timestamp)(value*unit)``
        the reading after the capture time; for DSMR 2.2 gas (``...(m3)`` then ``(value)``)
        the last value with the unit of the line; otherwise the first value."""
        values = self.values
        if len(values) == 2 and values[0].timestamp is not None and values[1].timestamp is None:
            return values[1]
        if len(values) >= 6 and values[4].text.endswith(":24.2.1"):
            # DSMR 2.2/3 gas: (time)(00)(60)(1)(0-n:24.2.1)(m3) newline (value)
            unit = values[5].text or None
            return P1Value(values[-1].text, unit)
        return values[0]

    @property
    def value(self) -> Decimal | datetime | str:
        """The reading's value; text for identifiers and messages (``0-n:96.1.x``,
        ``0-0:96.13.x``, DSMR 5.0.2 table 6.x: equipment identifier and text message are
        octet strings even when they look like digits) and for the tariff indicator
        ``0-0:96.14.0`` (an octet string of 4 digits)."""
        code = self.obis
        reading = self.reading
        if code is not None and code[2] == 96 and code[3] in (1, 13, 14):
            return reading.text
        return reading.value

    @property
    def unit(self) -> str | None:
        """The unit of :attr:`reading`."""
        return self.reading.unit

    @property
    def timestamp(self) -> datetime | None:
        """The capture time of an M-Bus channel reading (the first value), if it has one."""
        return self.values[0].timestamp if len(self.values) > 1 else None

    def events(self) -> list[tuple[datetime | None, P1Value]]:
        """The entries of a buffer line such as the power failure event log
        ``1-0:99.97.0(count)(0-0:96.7.19)(end time)(duration*s)...``: (time, duration)."""
        values = self.values
        if len(values) < 2 or values[0].number is None or "-" not in values[1].text:
            return []
        rest = values[2:]
        return [(rest[i].timestamp, rest[i + 1]) for i in range(0, len(rest) - 1, 2)]


@dataclass(frozen=True, slots=True)
class Telegram:
    """A parsed telegram or readout.

    ``identification`` is the header line without ``/`` (e.g. ``ISk5\\2MT382-1000``);
    ``crc`` the CRC the telegram carries (``None`` for DSMR 2.2/3 and IEC readouts, which
    have none) and ``crc_ok`` whether it matched (``None`` when not checked); ``kind`` is
    ``"dsmr"`` or ``"iec62056-21"``.
    """

    identification: str
    lines: tuple[P1Line, ...]
    crc: int | None = None
    crc_ok: bool | None = None
    kind: str = "dsmr"

    @property
    def version(self) -> str | None:
        """The DSMR version from ``1-3:0.2.8`` (``"42"``, ``"50"``), or ``None``."""
        for line in self.lines:
            if line.address == "1-3:0.2.8":
                return line.values[0].text
        return None

    def get(self, address: str | Obis) -> P1Line | None:
        """The first line with this address (``"1-0:1.8.1"`` or an :class:`Obis`)."""
        for line in self.lines:
            if line.address == address or (isinstance(address, Obis) and line.obis == address):
                return line
        return None

    def values(self) -> dict[str, Decimal | datetime | str]:
        """Address → reading (see :attr:`P1Line.reading`), in telegram order."""
        return {line.address: line.value for line in self.lines}


def _check_size(data: bytes) -> None:
    if len(data) > MAX_TELEGRAM:
        raise DecodeError(f"telegram longer than {MAX_TELEGRAM} bytes", MAX_TELEGRAM)


def _data_sets(text: str, base: int) -> list[P1Line]:
    """The data sets of the body lines (``\\r\\n`` or ``\\n`` separated)."""
    lines: list[P1Line] = []
    pos = 0
    for raw_line in text.split("\n"):
        line = raw_line.rstrip("\r")
        start = base + pos
        pos += len(raw_line) + 1
        if not line.strip():
            continue
        if line.startswith("("):
            if not lines:
                raise DecodeError("continuation line before any data set", start)
            previous = lines[-1]
            more = _values(line, start, previous.address)
            lines[-1] = P1Line(previous.address, previous.values + more, previous.offset)
            continue
        open_at = line.find("(")
        if open_at <= 0:
            raise DecodeError(f"data line {line[:40]!r} has no address(value)", start)
        address = line[:open_at]
        if any(c in "()!/*" or not c.isprintable() for c in address):
            raise DecodeError(f"bad address {address!r}", start)
        lines.append(P1Line(address, _values(line[open_at:], start + open_at, address), start))
    return lines


def _values(text: str, base: int, address: str) -> tuple[P1Value, ...]:
    out: list[P1Value] = []
    pos = 0
    while pos < len(text):
        if text[pos] != "(":
            raise DecodeError(f"{address}: expected '(' not {text[pos]!r}", base + pos)
        close = text.find(")", pos + 1)
        if close < 0:
            raise DecodeError(f"{address}: value without ')'", base + pos)
        content = text[pos + 1 : close]
        if "(" in content:
            raise DecodeError(f"{address}: '(' inside a value", base + pos + 1)
        value, star, unit = content.partition("*")
        out.append(P1Value(value, unit if star else None))
        pos = close + 1
    if not out:
        raise DecodeError(f"{address}: no value", base)
    return tuple(out)


def parse_telegram(
    data: bytes | bytearray | memoryview | str, *, check_crc: bool = True
) -> Telegram:
    """One telegram from ``/`` to its end line (``!`` + optional CRC), or an IEC 62056-21
    readout (identification line, then ``STX ... ETX BCC``).

    Raises :class:`DecodeError` with the offset on a bad line, a missing ``!`` or a CRC
    mismatch (when ``check_crc``; ``crc_ok`` is then always True or ``None``).
    """
    raw = data.encode("latin-1") if isinstance(data, str) else bytes(data)
    _check_size(raw)
    start = raw.find(b"/")
    if start < 0:
        raise DecodeError("no telegram start '/'", 0)
    if raw[:start].strip(b"\r\n\x00 "):
        raise DecodeError("bytes before the telegram start '/'", 0)
    eol = raw.find(b"\n", start)
    if eol < 0:
        raise DecodeError("identification line without line end", len(raw))
    header = raw[start : eol + 1]
    rest = raw[eol + 1 :]
    stx = rest.lstrip(b"\r\n").find(bytes((_STX,)))
    if stx == 0:
        return _iec_readout(header, rest, start, eol + 1)
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise DecodeError("telegram is not ASCII", exc.start) from None
    bang = text.find("!", eol + 1)
    if bang < 0:
        raise DecodeError("telegram without the end line '!'", len(text))
    trailer = _CRC_RE.match(text, bang)
    assert trailer is not None  # "!" always matches
    if text[trailer.end() :].strip("\r\n\x00 "):
        raise DecodeError("data after the telegram end line", trailer.end())
    identification = text[start + 1 : eol].rstrip("\r")
    if not identification:
        raise DecodeError("empty identification line", start)
    lines = _data_sets(text[eol + 1 : bang], eol + 1)
    crc: int | None = None
    crc_ok: bool | None = None
    if trailer.group(1) is not None:
        crc = int(trailer.group(1), 16)
        computed = crc16(raw[start : bang + 1])
        crc_ok = computed == crc
        if check_crc and not crc_ok:
            raise DecodeError(
                f"telegram CRC {crc:04X} does not match the computed {computed:04X}", bang + 1
            )
    return Telegram(identification, tuple(lines), crc, crc_ok)


def _iec_readout(header: bytes, block: bytes, start: int, block_at: int) -> Telegram:
    ident = mode_e.parse_identification(header.rstrip(b"\r\n") + b"\r\n")
    skipped = len(block) - len(block.lstrip(b"\r\n"))
    try:
        sets = mode_e.parse_readout(block[skipped:])
    except DecodeError as exc:
        raise DecodeError(exc.reason, block_at + skipped + (exc.offset or 0)) from None
    lines = tuple(
        P1Line(
            s.address,
            tuple(P1Value(v, u) for v, u in zip(s.values, s.units, strict=True)),
            block_at,
        )
        for s in sets
    )
    text = header[header.find(b"/") + 1 :].rstrip(b"\r\n").decode("ascii")
    if ident.identification not in text:  # pragma: no cover - parse_identification checked it
        raise DecodeError("identification line", start)
    return Telegram(text, lines, None, None, kind="iec62056-21")


def find_telegrams(text: str) -> list[tuple[int, Telegram | DecodeError]]:
    """Every telegram in a text (a log of several): ``(offset, telegram or error)``.

    A telegram runs from a line starting with ``/`` to the next ``!`` line.
    """
    out: list[tuple[int, Telegram | DecodeError]] = []
    for match in re.finditer(r"(?m)^/[^\n]*\n(?:.*\n)*?!.*(?:\n|$)", text):
        try:
            out.append((match.start(), parse_telegram(match.group(0))))
        except DecodeError as exc:
            out.append((match.start() + (exc.offset or 0), exc))
    return out
