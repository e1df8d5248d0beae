"""IEC 62056-21 opening sequence (mode E to HDLC, and the plain mode A/B/C readout), sans-io.

Both ends are here: :class:`ModeEClient` (the hand-held unit or reading head) and
:class:`ModeEServer` (the simulated meter). The exchange, at 300 baud, 7 data bits, even
parity, 1 stop bit (7E1)::

    client                                        meter
    / ? [device address] ! CR LF       ──────▶                        sign-on request
                                       ◀──────   / MMM Z [\\W] ident CR LF  identification
    ACK V Z Y CR LF                    ──────▶                        option select
    ─── both sides drain their output, then switch the line ────────────────────────────
    mode E  (V = '2', Y = '2'):  baud of Z, 8N1, HDLC (IEC 62056-46) from here on
    mode C  (V = '0', Y = '0'):  baud of Z, 7E1, the meter sends the data block:
                                       ◀──────   STX data lines ! CR LF ETX BCC

Identification message: ``MMM`` is the three-letter manufacturer id (a lower-case third
letter says the meter answers within 20 ms instead of 200 ms); ``Z`` is the baud-rate
character ('0'..'6' = 300, 600, 1200, 2400, 4800, 9600, 19200 baud for modes C and E;
'A'..'F' = 600..19200 baud for mode B, which switches without an acknowledgement; any other
character is mode A, which stays at 300 baud); ``\\W`` is the optional escape sequence, and
``\\2`` is the one that announces the HDLC protocol (mode E); the identification proper is up
to 16 printable characters. In the acknowledgement ``V`` is the protocol control character
('0' normal, '1' secondary, '2' HDLC protocol procedure), ``Z`` the baud-rate character the
client chose (at most the one proposed), ``Y`` the mode control character ('0' data readout,
'1' programming, '2' binary mode (HDLC)).

Where the line changes, the layer emits an ordered :class:`DrainThenSwitch` event: the I/O
layer first writes out everything ``data_to_send()`` returned until then, waits until it
has left the UART, and only then applies the new :class:`LineSettings`. Bytes this layer
produces after that event (a simulated meter's data block) belong to the new settings.

Parity: on a 7E1 line the eighth bit carries the parity. A port opened as 8N1 (a common
shortcut with optical heads) hands those bits through, so every byte received here is masked
with 0x7F before it is interpreted (the BCC included, which is also a 7-bit character). Bytes
this module sends are 7-bit; setting parity is the UART's job.

Data block (mode C readout): ``STX {address(value[*unit])... CR LF}... ! CR LF ETX BCC``, the
BCC being the XOR of every byte after STX up to and including ETX. :func:`parse_readout` and
:func:`build_readout` convert it from and to :class:`ReadoutValue` s.

Transitions of both roles are in one table, ``_TRANSITIONS``: a local call that is not in the
table raises :class:`~dlmskit.errors.LocalProtocolError`; peer input that is not in the table,
or that is malformed, raises :class:`~dlmskit.errors.RemoteProtocolError` naming the reason,
after which the machine stays failed (every later call raises the same error).

Sources of the facts (read, not copied): IEC 62056-21:2002 clauses 6.3 and 6.4 as
implemented and cited by iisys-hof/libIEC62056 (message templates, baud-rate, protocol control
and mode control characters, the 20 ms reaction-time rule), pwitab/iec62056-21 (request,
acknowledgement, identification and readout message layouts, BCC over STX..ETX), the Gurux
DLMS reader samples' optical-head initialisation (``ACK '2' Z '2' CR LF``, "HDLC protocol
procedure (Mode E)", baud characters '0'..'6'), and Landis+Gyr E350 / E650 user manuals
(sign-on, ``ACK 0 Z 0`` readout, readout lists).
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum, auto
from functools import reduce
from operator import xor
from typing import Final

from dlmskit.errors import DecodeError, EncodeError, LocalProtocolError, RemoteProtocolError
from dlmskit.link._events import NEED_DATA, LineSettings, _NeedData
from dlmskit.obis import Obis

__all__ = [
    "BAUD_RATES",
    "DrainThenSwitch",
    "HdlcReady",
    "Identification",
    "ModeEClient",
    "ModeEEvent",
    "ModeEInput",
    "ModeEServer",
    "ModeEState",
    "OptionSelected",
    "Readout",
    "ReadoutSent",
    "ReadoutStarted",
    "ReadoutValue",
    "SetLine",
    "SignOn",
    "bcc",
    "build_readout",
    "parse_identification",
    "parse_readout",
]

_log = logging.getLogger("dlmskit.link.mode_e")

SOH: Final = 0x01
STX: Final = 0x02
ETX: Final = 0x03
ACK: Final = 0x06
NAK: Final = 0x15
CRLF: Final = b"\r\n"

INITIAL_SETTINGS: Final = LineSettings(baud=300, data_bits=7, parity="E", stop_bits=1)

BAUD_RATES: Final[dict[str, int]] = {
    # modes C and E
    "0": 300,
    "1": 600,
    "2": 1200,
    "3": 2400,
    "4": 4800,
    "5": 9600,
    "6": 19200,
}
_MODE_B_RATES: Final[dict[str, int]] = {
    "A": 600,
    "B": 1200,
    "C": 2400,
    "D": 4800,
    "E": 9600,
    "F": 19200,
}
_BAUD_CHAR_OF: Final = {rate: char for char, rate in BAUD_RATES.items()}
# Reserved for later extensions in both tables: refused rather than guessed.
_RESERVED_BAUD_CHARS: Final = frozenset("789GHI")

_MAX_IDENTIFICATION: Final = 16  # printable characters after Z (and the escape sequence)
_MAX_DEVICE_ADDRESS: Final = 32
_MAX_NOISE: Final = 256  # bytes skipped before a message start before we give up
_DEFAULT_MAX_READOUT: Final = 256 * 1024

_PARITY_MASK: Final = bytes(b & 0x7F for b in range(256))
_PRINTABLE: Final = frozenset(range(0x20, 0x7F))
_IDENT_FORBIDDEN: Final = frozenset(b"/!")
_ADDRESS_FORBIDDEN: Final = frozenset(b"/!?")

# One data set: address ( value [* unit] ) [( value [* unit] )]... (IEC 62056-21 6.5).
_VALUE_FORBIDDEN: Final = frozenset("()/!*\r\n")
_UNIT_FORBIDDEN: Final = frozenset("()/!*\r\n")
_ADDR_FORBIDDEN_CHARS: Final = frozenset("()/!\r\n")
_NUMBER_RE: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def bcc(data: bytes | bytearray | memoryview) -> int:
    """The block check character: XOR of ``data`` (give it the bytes after STX/SOH up to
    and including ETX)."""
    return reduce(xor, bytes(data), 0)


# --- values ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadoutValue:
    """One data set of a readout: ``address(value*unit)(value*unit)...``.

    ``address`` is kept as the meter sent it (``1-0:1.8.0*255``, ``1.8.0``, ``C.1.0`` or
    empty); ``obis`` is the :class:`~dlmskit.obis.Obis` when the address is a full OBIS code
    (IEC 62056-6-1 notation), else ``None``. ``values`` and ``units`` run in parallel (a
    unit is ``None`` where the value had no ``*``). :attr:`unit` is the first value's unit,
    :attr:`number` the first value as a :class:`~decimal.Decimal` when it is numeric.
    """

    address: str
    values: tuple[str, ...]
    units: tuple[str | None, ...] = ()
    obis: Obis | None = field(init=False, default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.units:
            object.__setattr__(self, "units", (None,) * len(self.values))
        if not self.values:
            raise ValueError("a data set has at least one value")
        if len(self.units) != len(self.values):
            raise ValueError("values and units must have the same length")
        if any(c in _ADDR_FORBIDDEN_CHARS or not c.isprintable() for c in self.address):
            raise ValueError(f"address {self.address!r} has a character ()/! or CR/LF")
        for value in self.values:
            if any(c in _VALUE_FORBIDDEN or not c.isprintable() for c in value):
                raise ValueError(f"value {value!r} has a character ()/!* or CR/LF")
        for unit in self.units:
            if unit is not None and any(c in _UNIT_FORBIDDEN or not c.isprintable() for c in unit):
                raise ValueError(f"unit {unit!r} has a character ()/!* or CR/LF")
        try:
            code: Obis | None = Obis.parse(self.address) if "-" in self.address else None
        except ValueError:
            code = None
        object.__setattr__(self, "obis", code)

    @property
    def unit(self) -> str | None:
        """The unit of the first value."""
        return self.units[0]

    @property
    def value(self) -> str:
        """The first value as text."""
        return self.values[0]

    @property
    def number(self) -> Decimal | None:
        """The first value as a number, or ``None`` when it is not one (a date, a hex id)."""
        text = self.values[0]
        return Decimal(text) if _NUMBER_RE.fullmatch(text) else None

    def encode(self) -> str:
        """The data set as text: ``address(value*unit)...``."""
        parts = [self.address]
        for value, unit in zip(self.values, self.units, strict=True):
            parts.append(f"({value})" if unit is None else f"({value}*{unit})")
        return "".join(parts)


# --- events ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SetLine:
    """Configure the line now (nothing is pending): the first event of a client, before the
    sign-on that :meth:`ModeEClient.start` returned is written."""

    settings: LineSettings


@dataclass(frozen=True, slots=True, kw_only=True)
class DrainThenSwitch:
    """Write out what ``data_to_send()`` returned so far, wait until it has left the UART,
    then switch the line to ``settings``."""

    settings: LineSettings


@dataclass(frozen=True, slots=True, kw_only=True)
class Identification:
    """The meter's identification message ``/MMMZ[\\W]ident CR LF`` (parity stripped).

    ``mode`` is 'A', 'B', 'C' or 'E'; ``baud`` the rate the meter proposes (300 for mode A);
    ``escape`` the character after a backslash (``'2'`` for mode E), else ``None``;
    ``fast_reaction`` is true when the third manufacturer letter is lower case (the meter
    answers within 20 ms). ``raw`` is the whole line as received, CR LF included.
    """

    manufacturer: str
    baud_char: str
    baud: int
    mode: str
    mode_e: bool
    escape: str | None
    identification: str
    fast_reaction: bool
    raw: bytes

    def encode(self) -> bytes:
        """The message as a meter sends it (7-bit, without parity)."""
        escape = f"\\{self.escape}" if self.escape is not None else ""
        text = f"/{self.manufacturer}{self.baud_char}{escape}{self.identification}\r\n"
        return text.encode("ascii")


@dataclass(frozen=True, slots=True, kw_only=True)
class HdlcReady:
    """The opening sequence is over; HDLC (IEC 62056-46) owns the line now. ``leftover`` are
    bytes received after the opening sequence, to be handed to the HDLC layer."""

    leftover: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadoutStarted:
    """The meter is about to send its data block (mode A, B or C readout)."""

    mode: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Readout:
    """The data block, BCC checked: ``values`` parsed, ``raw`` as received (parity kept)."""

    values: tuple[ReadoutValue, ...]
    raw: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class SignOn:
    """(meter side) A sign-on request addressed to this meter; the identification is queued."""

    device_address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OptionSelected:
    """(meter side) The client's acknowledgement ``ACK V Z Y``."""

    protocol_control: str
    baud_char: str
    mode_control: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadoutSent:
    """(meter side) The data block was queued in ``data_to_send()`` (at the new rate); a
    :class:`DrainThenSwitch` back to 300 baud 7E1 follows, and the meter awaits a sign-on."""

    size: int


ModeEEvent = (
    SetLine
    | DrainThenSwitch
    | Identification
    | HdlcReady
    | ReadoutStarted
    | Readout
    | SignOn
    | OptionSelected
    | ReadoutSent
)


# --- codecs ----------------------------------------------------------------------------


def parse_identification(
    line: bytes, *, max_identification: int = _MAX_IDENTIFICATION
) -> Identification:
    """Decode one identification line ``/MMMZ[\\W]ident CR LF`` (parity bits are masked).

    Raises :class:`DecodeError` with the offset of the first offending byte.
    """
    raw = bytes(line)
    text = raw.translate(_PARITY_MASK)
    if not text.endswith(CRLF):
        raise DecodeError("identification message does not end with CR LF", len(text))
    if len(text) < 7 or text[0] != ord("/"):
        raise DecodeError("expected '/' MMM Z ident CR LF", 0)
    for i in range(1, 4):
        if not chr(text[i]).isalpha() or text[i] > 0x7A:
            raise DecodeError("manufacturer id must be three letters", i)
    manufacturer = text[1:4].decode("ascii")
    baud_char = chr(text[4])
    if baud_char in _RESERVED_BAUD_CHARS:
        raise DecodeError(f"reserved baud-rate character {baud_char!r}", 4)
    if text[4] not in _PRINTABLE or text[4] in _IDENT_FORBIDDEN:
        raise DecodeError("baud-rate character must be printable and not / or !", 4)
    pos = 5
    escape: str | None = None
    if text[pos] == ord("\\"):
        if pos + 1 >= len(text) - 2 or text[pos + 1] not in _PRINTABLE:
            raise DecodeError("escape sequence '\\' without a character", pos + 1)
        escape = chr(text[pos + 1])
        pos += 2
    body = text[pos:-2]
    for i, byte in enumerate(body, pos):
        if byte not in _PRINTABLE or byte in _IDENT_FORBIDDEN:
            raise DecodeError("identification must be printable characters except / and !", i)
    if not body:
        raise DecodeError("identification is empty", pos)
    if len(body) > max_identification:
        raise DecodeError(
            f"identification longer than {max_identification} characters", pos + max_identification
        )
    if baud_char in BAUD_RATES:
        baud = BAUD_RATES[baud_char]
        mode = "E" if escape == "2" else "C"
    elif baud_char in _MODE_B_RATES:
        baud = _MODE_B_RATES[baud_char]
        mode = "B"
    else:
        baud = 300
        mode = "A"
    return Identification(
        manufacturer=manufacturer,
        baud_char=baud_char,
        baud=baud,
        mode=mode,
        mode_e=mode == "E",
        escape=escape,
        identification=body.decode("ascii"),
        fast_reaction=manufacturer[2].islower(),
        raw=raw,
    )


def _parse_line(line: str, base: int, out: list[ReadoutValue]) -> None:
    """Parse the data sets of one data line (without CR LF) starting at block offset base."""
    pos = 0
    end = len(line)
    while pos < end:
        open_at = line.find("(", pos)
        if open_at < 0:
            raise DecodeError("data set without '('", base + pos)
        address = line[pos:open_at]
        values: list[str] = []
        units: list[str | None] = []
        pos = open_at
        while pos < end and line[pos] == "(":
            close = line.find(")", pos + 1)
            if close < 0:
                raise DecodeError("data set without ')'", base + pos)
            content = line[pos + 1 : close]
            value, star, unit = content.partition("*")
            values.append(value)
            units.append(unit if star else None)
            pos = close + 1
        try:
            out.append(ReadoutValue(address=address, values=tuple(values), units=tuple(units)))
        except ValueError as exc:
            raise DecodeError(f"bad data set: {exc}", base + open_at) from None


def parse_readout(block: bytes | bytearray | memoryview) -> list[ReadoutValue]:
    """Decode a mode A/B/C readout data block ``STX lines ! CR LF ETX BCC`` (parity masked).

    Lines end with CR LF and hold one or more data sets ``address(value[*unit])...``; empty
    lines are skipped. Raises :class:`DecodeError` (with the offset) on a wrong BCC, a
    missing STX, ETX or end line ``!``, data after the BCC, or a malformed data set.
    """
    data = bytes(block).translate(_PARITY_MASK)
    if not data or data[0] != STX:
        raise DecodeError("data block must start with STX", 0)
    etx = data.find(ETX, 1)
    if etx < 0:
        raise DecodeError("data block without ETX", len(data))
    if etx + 1 >= len(data):
        raise DecodeError("data block without BCC after ETX", etx + 1)
    if etx + 2 != len(data):
        raise DecodeError("data after the BCC", etx + 2)
    expected = bcc(data[1 : etx + 1])
    if data[etx + 1] != expected:
        raise DecodeError(
            f"BCC mismatch: block says 0x{data[etx + 1]:02X}, computed 0x{expected:02X}", etx + 1
        )
    try:
        text = data[1:etx].decode("ascii")
    except UnicodeDecodeError as exc:  # pragma: no cover - masked bytes are always ASCII
        raise DecodeError("data block is not ASCII", 1 + exc.start) from None
    if not text.endswith("!\r\n"):
        raise DecodeError("data block does not end with '!' CR LF", etx)
    body = text[:-3]
    if body and not body.endswith("\r\n"):
        raise DecodeError("data line does not end with CR LF", etx - 3)
    out: list[ReadoutValue] = []
    offset = 1
    for line in body.split("\r\n")[:-1] if body else ():
        if "\r" in line or "\n" in line or "!" in line or "/" in line:
            bad = min(i for i, c in enumerate(line) if c in "\r\n!/")
            raise DecodeError("stray CR, LF, '!' or '/' in a data line", offset + bad)
        _parse_line(line, offset, out)
        offset += len(line) + 2
    return out


def build_readout(values: Iterable[ReadoutValue]) -> bytes:
    """Encode a readout data block, one data set per line: ``STX lines ! CR LF ETX BCC``."""
    body = "".join(f"{v.encode()}\r\n" for v in values) + "!\r\n"
    try:
        inner = body.encode("ascii") + bytes([ETX])
    except UnicodeEncodeError as exc:
        raise EncodeError(
            f"readout text must be ASCII: {exc.object[exc.start : exc.end]!r}"
        ) from None
    return bytes([STX]) + inner + bytes([bcc(inner)])


def _check_text(name: str, text: str, limit: int, forbidden: frozenset[int]) -> None:
    if len(text) > limit:
        raise EncodeError(f"{name} longer than {limit} characters")
    if any(ord(c) not in _PRINTABLE or ord(c) in forbidden for c in text):
        raise EncodeError(f"{name} must be printable ASCII without {bytes(sorted(forbidden))!r}")


def _sign_on(address: str) -> bytes:
    return f"/?{address}!\r\n".encode("ascii")


# --- the state machine -----------------------------------------------------------------


class ModeEState(Enum):
    """States of both roles (a role uses a subset)."""

    IDLE = auto()  # client: not started; meter: awaiting a sign-on at 300 baud
    SIGN_ON_SENT = auto()  # client: awaiting the identification
    IDENTIFIED = auto()  # meter: identification sent, awaiting the acknowledgement
    READOUT = auto()  # client: awaiting the data block
    READOUT_PENDING = auto()  # meter: switching, then sending the data block
    HDLC = auto()  # both: the line belongs to HDLC
    DONE = auto()  # client: readout received
    FAILED = auto()  # the peer broke the protocol


class ModeEInput(Enum):
    """Inputs: local calls and what the peer sent."""

    START = auto()  # client: start()
    RECEIVE = auto()  # receive_data()
    IDENT_HDLC = auto()  # client got a mode E identification and selects HDLC
    IDENT_ACK_READOUT = auto()  # client got a mode C/E identification and selects readout
    IDENT_NO_ACK = auto()  # client got a mode A/B identification (no acknowledgement)
    DATA_BLOCK = auto()  # client got the data block
    SIGN_ON = auto()  # meter got a sign-on for itself
    SIGN_ON_OTHER = auto()  # meter got a sign-on for another address
    ACK_HDLC = auto()  # meter got ACK 2 Z 2
    ACK_READOUT = auto()  # meter got ACK 0 Z 0
    SEND_BLOCK = auto()  # meter: the switch is done, the data block goes out


_S = ModeEState
_I = ModeEInput
_CLIENT: Final = "client"
_SERVER: Final = "server"

# (role, state, input) → next state. Everything else is an error: LocalProtocolError for
# START/RECEIVE/SEND_BLOCK, RemoteProtocolError for what the peer sent.
_TRANSITIONS: Final[dict[tuple[str, ModeEState, ModeEInput], ModeEState]] = {
    (_CLIENT, _S.IDLE, _I.START): _S.SIGN_ON_SENT,
    (_CLIENT, _S.SIGN_ON_SENT, _I.RECEIVE): _S.SIGN_ON_SENT,
    (_CLIENT, _S.SIGN_ON_SENT, _I.IDENT_HDLC): _S.HDLC,
    (_CLIENT, _S.SIGN_ON_SENT, _I.IDENT_ACK_READOUT): _S.READOUT,
    (_CLIENT, _S.SIGN_ON_SENT, _I.IDENT_NO_ACK): _S.READOUT,
    (_CLIENT, _S.READOUT, _I.RECEIVE): _S.READOUT,
    (_CLIENT, _S.READOUT, _I.DATA_BLOCK): _S.DONE,
    (_SERVER, _S.IDLE, _I.RECEIVE): _S.IDLE,
    (_SERVER, _S.IDLE, _I.SIGN_ON): _S.IDENTIFIED,
    (_SERVER, _S.IDLE, _I.SIGN_ON_OTHER): _S.IDLE,
    (_SERVER, _S.IDENTIFIED, _I.RECEIVE): _S.IDENTIFIED,
    (_SERVER, _S.IDENTIFIED, _I.SIGN_ON): _S.IDENTIFIED,  # the client started over
    (_SERVER, _S.IDENTIFIED, _I.SIGN_ON_OTHER): _S.IDLE,
    (_SERVER, _S.IDENTIFIED, _I.ACK_HDLC): _S.HDLC,
    (_SERVER, _S.IDENTIFIED, _I.ACK_READOUT): _S.READOUT_PENDING,
    (_SERVER, _S.READOUT_PENDING, _I.RECEIVE): _S.READOUT_PENDING,
    (_SERVER, _S.READOUT_PENDING, _I.SEND_BLOCK): _S.IDLE,
}
_LOCAL_INPUTS: Final = frozenset({_I.START, _I.RECEIVE, _I.SEND_BLOCK})


class _Machine:
    """What both roles share: the receive buffers, the event queue, the failure state."""

    _role: str

    def __init__(self) -> None:
        self._state = ModeEState.IDLE
        self._buf = bytearray()  # received bytes, parity masked
        self._raw = bytearray()  # the same bytes as received (leftover for HDLC)
        self._events: deque[ModeEEvent] = deque()
        self._out = bytearray()
        self._error: RemoteProtocolError | None = None
        self._line = INITIAL_SETTINGS

    @property
    def state(self) -> ModeEState:
        return self._state

    @property
    def line_settings(self) -> LineSettings:
        """The line settings this side uses (after the events handed out so far apply)."""
        return self._line

    def _transition(self, what: ModeEInput) -> None:
        if self._error is not None:
            raise self._error
        nxt = _TRANSITIONS.get((self._role, self._state, what))
        if nxt is None:
            message = f"{self._role}: {what.name} not allowed in state {self._state.name}"
            if what in _LOCAL_INPUTS:
                raise LocalProtocolError(message)
            self._fail(message)
        else:
            self._state = nxt

    def _fail(self, reason: str) -> None:
        self._error = RemoteProtocolError(reason)
        self._state = ModeEState.FAILED
        self._events.clear()
        _log.debug("%s failed: %s", self._role, reason)
        raise self._error

    def receive_data(self, data: bytes) -> None:
        """Feed bytes received from the line (parity bits allowed, see the module doc)."""
        self._transition(ModeEInput.RECEIVE)
        self._raw += data
        self._buf += data.translate(_PARITY_MASK)

    def data_to_send(self) -> bytes:
        """Bytes to write, in order; empties the outgoing buffer."""
        out = bytes(self._out)
        self._out.clear()
        return out

    def _consume(self, n: int) -> bytes:
        raw = bytes(self._raw[:n])
        del self._buf[:n], self._raw[:n]
        return raw

    def _skip_noise(self, starts: bytes) -> bool:
        """Drop bytes before the first of the ``starts`` bytes; False when none is there yet
        (what was dropped is bounded: a line that never shows a start byte fails)."""
        found = [at for at in map(self._buf.find, starts) if at >= 0]
        if not found:
            if len(self._buf) > _MAX_NOISE:
                self._fail(f"no message start within {_MAX_NOISE} bytes")
            self._consume(len(self._buf))
            return False
        if at := min(found):
            self._consume(at)
        return True

    def _line_end(self, limit: int, what: str) -> int | None:
        """The length of the CR LF terminated line at the buffer start, bounded by limit."""
        end = self._buf.find(CRLF, 0, limit)
        if end < 0:
            if len(self._buf) >= limit:
                self._fail(f"{what} longer than {limit - 2} bytes without CR LF")
            return None
        return end + 2

    def _switch(self, settings: LineSettings) -> None:
        self._line = settings
        self._events.append(DrainThenSwitch(settings=settings))

    def _leftover(self) -> bytes:
        return self._consume(len(self._raw))


class ModeEClient(_Machine):
    """The client (hand-held unit) side of the IEC 62056-21 opening sequence.

    Use: ``sign_on = client.start()``; the first event is :class:`SetLine` (300 baud 7E1):
    apply it, then write ``sign_on``. Feed what the line returns to :meth:`receive_data` and
    take events until :data:`NEED_DATA`: :class:`Identification`, then for a mode E meter
    (and ``prefer_hdlc``) the acknowledgement ``ACK 2 Z 2 CR LF`` is in ``data_to_send()``
    and :class:`DrainThenSwitch` (baud of Z, 8N1) and :class:`HdlcReady` follow. Otherwise
    (mode C: ``ACK 0 Z 0``; modes A and B: no acknowledgement) :class:`DrainThenSwitch` to
    the readout rate at 7E1 (not for mode A), :class:`ReadoutStarted` and, once the block is
    complete, :class:`Readout`.

    ``max_baud`` caps the rate chosen in the acknowledgement (a slow probe); an echo of the
    sign-on (half-duplex optical heads often hear themselves) is skipped.
    """

    _role = _CLIENT

    def __init__(
        self,
        device_address: str = "",
        *,
        prefer_hdlc: bool = True,
        max_baud: int = 19200,
        max_identification: int = _MAX_IDENTIFICATION,
        max_readout: int = _DEFAULT_MAX_READOUT,
    ) -> None:
        super().__init__()
        _check_text("device address", device_address, _MAX_DEVICE_ADDRESS, _ADDRESS_FORBIDDEN)
        if max_baud not in _BAUD_CHAR_OF:
            raise ValueError(f"max_baud must be one of {sorted(_BAUD_CHAR_OF)}")
        if not 1 <= max_identification <= 128:
            raise ValueError("max_identification must be 1..128")
        if max_readout < 16:
            raise ValueError("max_readout must be at least 16")
        self.device_address: Final = device_address
        self.prefer_hdlc: Final = prefer_hdlc
        self.max_baud: Final = max_baud
        self.max_identification: Final = max_identification
        self.max_readout: Final = max_readout
        self._sign_on = _sign_on(device_address)
        self._readout_scan = 1  # where the ETX search resumes

    def start(self) -> bytes:
        """The sign-on request to send; queues :class:`SetLine` (300 baud 7E1) first."""
        self._transition(ModeEInput.START)
        self._events.append(SetLine(settings=INITIAL_SETTINGS))
        return self._sign_on

    def next_event(self) -> ModeEEvent | _NeedData:
        """The next event, or :data:`NEED_DATA`; raises RemoteProtocolError on bad input."""
        if self._error is not None:
            raise self._error
        if not self._events:
            if self._state is ModeEState.SIGN_ON_SENT:
                self._read_identification()
            elif self._state is ModeEState.READOUT:
                self._read_block()
        return self._events.popleft() if self._events else NEED_DATA

    def _read_identification(self) -> None:
        limit = 5 + 2 + self.max_identification + 2
        while self._skip_noise(b"/"):
            if self._buf.startswith(self._sign_on):  # our own echo
                self._consume(len(self._sign_on))
                continue
            n = self._line_end(max(limit, len(self._sign_on)), "identification message")
            if n is None:
                return
            raw = self._consume(n)
            try:
                ident = parse_identification(raw, max_identification=self.max_identification)
            except DecodeError as exc:
                self._fail(f"bad identification message {raw!r}: {exc}")
                return  # pragma: no cover - _fail raises
            self._identified(ident)
            return

    def _identified(self, ident: Identification) -> None:
        if ident.mode in ("C", "E"):
            rate = min(ident.baud, self.max_baud)
            char = _BAUD_CHAR_OF[rate]
            if ident.mode_e and self.prefer_hdlc:
                self._transition(ModeEInput.IDENT_HDLC)
                self._events.append(ident)
                self._out += bytes([ACK]) + f"2{char}2".encode() + CRLF
                self._switch(LineSettings(baud=rate, data_bits=8, parity="N", stop_bits=1))
                self._events.append(HdlcReady(leftover=self._leftover()))
                return
            self._transition(ModeEInput.IDENT_ACK_READOUT)
            self._events.append(ident)
            self._out += bytes([ACK]) + f"0{char}0".encode() + CRLF
            self._switch(LineSettings(baud=rate, data_bits=7, parity="E", stop_bits=1))
        else:
            self._transition(ModeEInput.IDENT_NO_ACK)
            self._events.append(ident)
            if ident.mode == "B":
                self._switch(LineSettings(baud=ident.baud, data_bits=7, parity="E", stop_bits=1))
        self._events.append(ReadoutStarted(mode=ident.mode))

    def _read_block(self) -> None:
        if not self._skip_noise(bytes([STX])):
            self._readout_scan = 1
            return
        etx = self._buf.find(ETX, self._readout_scan)
        if etx < 0 or etx + 1 >= len(self._buf):
            if len(self._buf) > self.max_readout:
                self._fail(f"data block longer than {self.max_readout} bytes")
            self._readout_scan = max(1, len(self._buf) - 1) if etx < 0 else etx
            return
        if etx + 2 > self.max_readout:
            self._fail(f"data block longer than {self.max_readout} bytes")
        raw = self._consume(etx + 2)
        self._readout_scan = 1
        try:
            values = parse_readout(raw)
        except DecodeError as exc:
            self._fail(f"bad data block: {exc}")
            return  # pragma: no cover - _fail raises
        self._transition(ModeEInput.DATA_BLOCK)
        self._events.append(Readout(values=tuple(values), raw=raw))


class ModeEServer(_Machine):
    """The meter side (a simulator): answers a sign-on with the identification
    ``/<manufacturer><Z>\\2<identification> CR LF`` (``\\2`` only when ``mode_e``), and
    acts on the acknowledgement.

    A sign-on for another ``device_address`` is ignored (a sign-on without address is for
    every meter). After ``ACK 2 Z 2`` (mode E): :class:`OptionSelected`,
    :class:`DrainThenSwitch` (8N1) and :class:`HdlcReady`. After ``ACK 0 Z 0``:
    :class:`OptionSelected`, :class:`DrainThenSwitch` (7E1); the *next* ``next_event()``
    call queues the data block built from ``readout`` (so that it goes out at the new rate)
    and returns :class:`ReadoutSent`, followed by :class:`DrainThenSwitch` back to 300 baud,
    ready for the next sign-on.
    """

    _role = _SERVER

    def __init__(
        self,
        identification: str,
        manufacturer: str = "DLK",
        baud: int = 9600,
        device_address: str = "",
        *,
        mode_e: bool = True,
        readout: Sequence[ReadoutValue] = (),
    ) -> None:
        super().__init__()
        _check_text("identification", identification, _MAX_IDENTIFICATION, _IDENT_FORBIDDEN)
        if not identification or identification.startswith("\\"):
            raise EncodeError("identification must be non-empty and not start with '\\'")
        if len(manufacturer) != 3 or not manufacturer.isascii() or not manufacturer.isalpha():
            raise EncodeError("manufacturer must be three ASCII letters")
        if baud not in _BAUD_CHAR_OF:
            raise EncodeError(f"baud must be one of {sorted(_BAUD_CHAR_OF)}")
        _check_text("device address", device_address, _MAX_DEVICE_ADDRESS, _ADDRESS_FORBIDDEN)
        self.identification: Final = identification
        self.manufacturer: Final = manufacturer
        self.baud: Final = baud
        self.device_address: Final = device_address
        self.mode_e: Final = mode_e
        self.readout: Final = tuple(readout)
        self._message = Identification(
            manufacturer=manufacturer,
            baud_char=_BAUD_CHAR_OF[baud],
            baud=baud,
            mode="E" if mode_e else "C",
            mode_e=mode_e,
            escape="2" if mode_e else None,
            identification=identification,
            fast_reaction=manufacturer[2].islower(),
            raw=b"",
        ).encode()
        self._readout_rate = baud

    def next_event(self) -> ModeEEvent | _NeedData:
        """The next event, or :data:`NEED_DATA`; raises RemoteProtocolError on bad input."""
        if self._error is not None:
            raise self._error
        if not self._events:
            if self._state is ModeEState.READOUT_PENDING:
                self._send_block()
            elif self._state in (ModeEState.IDLE, ModeEState.IDENTIFIED):
                self._read_request()
        return self._events.popleft() if self._events else NEED_DATA

    def _read_request(self) -> None:
        while not self._events and self._buf:
            starts = b"/\x06" if self._state is ModeEState.IDENTIFIED else b"/"
            if not self._skip_noise(starts):
                return
            if self._buf[0] == ACK:
                if len(self._buf) >= 6:
                    self._read_ack()
                return
            n = self._line_end(2 + _MAX_DEVICE_ADDRESS + 3, "sign-on request")
            if n is None:
                return
            line = self._consume(n).translate(_PARITY_MASK)
            if not (line.startswith(b"/?") and line.endswith(b"!\r\n")):
                self._fail(f"bad sign-on request {line!r}: expected / ? address ! CR LF")
            address = line[2:-3]
            if any(b not in _PRINTABLE or b in _ADDRESS_FORBIDDEN for b in address):
                self._fail(f"bad device address in sign-on request {line!r}")
            text = address.decode("ascii")
            if self._addressed_to_me(text):
                self._transition(ModeEInput.SIGN_ON)
                self._events.append(SignOn(device_address=text))
                self._out += self._message
            else:
                self._transition(ModeEInput.SIGN_ON_OTHER)

    def _addressed_to_me(self, address: str) -> bool:
        # A sign-on without address is for every meter; a simulator without an address
        # answers any. Leading zeros are not significant here (the simulator's choice: the
        # address format is the manufacturer's, e.g. a serial number with or without them).
        if not address or not self.device_address:
            return True
        return address.lstrip("0") == self.device_address.lstrip("0")

    def _read_ack(self) -> None:
        msg = bytes(self._buf[:6])
        if msg[4:6] != CRLF:
            self._fail(f"bad acknowledgement {msg!r}: expected ACK V Z Y CR LF")
        v, z, y = chr(msg[1]), chr(msg[2]), chr(msg[3])
        rate = BAUD_RATES.get(z)
        if rate is None or rate > self.baud:
            self._fail(f"acknowledgement selects baud-rate character {z!r}, not offered")
            return  # pragma: no cover - _fail raises
        if v == "2" and y == "2" and self.mode_e:
            self._consume(6)
            self._transition(ModeEInput.ACK_HDLC)
            self._events.append(OptionSelected(protocol_control=v, baud_char=z, mode_control=y))
            self._switch(LineSettings(baud=rate, data_bits=8, parity="N", stop_bits=1))
            self._events.append(HdlcReady(leftover=self._leftover()))
        elif v == "0" and y == "0":
            self._consume(6)
            self._transition(ModeEInput.ACK_READOUT)
            self._events.append(OptionSelected(protocol_control=v, baud_char=z, mode_control=y))
            self._readout_rate = rate
            self._switch(LineSettings(baud=rate, data_bits=7, parity="E", stop_bits=1))
        else:
            self._fail(f"acknowledgement V={v!r} Y={y!r} is not supported by this meter")

    def _send_block(self) -> None:
        self._transition(ModeEInput.SEND_BLOCK)
        block = build_readout(self.readout)
        self._out += block
        self._events.append(ReadoutSent(size=len(block)))
        self._switch(INITIAL_SETTINGS)
        self._consume(len(self._raw))  # sent at another rate while we were switching
