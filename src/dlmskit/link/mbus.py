"""Wired M-Bus long frames carrying DLMS APDUs (EN 13757-2 link layer, DLMS mapping).

Many Austrian meters push their (ciphered) data notifications on the customer port this
way::

    68 | L | L | 68 | C | A | CI | STSAP | DTSAP | APDU segment | CS | 16

    L      = number of bytes from C to the end of the data (C, A, CI, STSAP, DTSAP and the
             segment): 5..255, sent twice
    CS     = sum of the bytes C .. end of data, modulo 256
    CI     = 0x00..0x1F (the CI range EN 13757 reserves for DLMS): bit 0x10 is FIN (last
             segment), the low 4 bits are the segment counter. A one-frame APDU is CI 0x10;
             three segments are 0x00, 0x01, 0x12.
    STSAP, DTSAP = source and destination transport SAP, repeated in every segment

An APDU segment holds at most 250 bytes (L = 255). :func:`segment_apdu` cuts an APDU into
frames, :class:`MbusSplitter` finds frames in a byte stream (resynchronising on the next
``68 L L 68`` after garbage), :class:`MbusReassembler` joins segments and
:class:`MbusStream` does both.

The two SAP bytes are kept in wire order (first = STSAP, second = DTSAP, as the Austrian
documents and the PUSH-01 note name them: STSAP 01, DTSAP 67 on a meter's push with
C = 0x53, SND_UD). Gurux reads the pair in an order that depends on the PRM bit (0x40) of
C; a layer above that needs client/server roles should map them itself.

Counters run 0, 1, 2, ... within one APDU; this module lets them wrap from 15 to 0 for
APDUs of more than 16 segments (the bound on the APDU size still applies).

Sources of the facts: EN 13757-2 (long frame, checksum) as documented on m-bus.com
("wired M-Bus, data link layer"); the DLMS mapping of the CI field and the transport SAPs
as used by the Austrian customer-interface documents (Netz NÖ "Smart Meter
Kundenschnittstelle", TINETZ) and read in fneur/smart-meter-tirol ``doc/EXAMPLE.md`` and
esphome-libs/dlms_parser; Gurux ``GXDLMS`` wired M-Bus parsing (read for the layout only);
the vectors PUSH-01 and PUSH-02 in ``shared/vectors``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from dlmskit.errors import DecodeError, EncodeError
from dlmskit.link._events import NEED_DATA, _NeedData

__all__ = [
    "CI_FIN",
    "MAX_SEGMENT",
    "MbusApduReceived",
    "MbusFrame",
    "MbusFrameError",
    "MbusFrameReceived",
    "MbusReassembler",
    "MbusReassemblyError",
    "MbusSplitter",
    "MbusStream",
    "segment_apdu",
]

START: Final = 0x68
STOP: Final = 0x16
CI_FIN: Final = 0x10
"""The FIN bit of the CI field: this segment is the last one of the APDU."""
_CI_COUNTER: Final = 0x0F
_CI_DLMS_MAX: Final = 0x1F
_OVERHEAD: Final = 5  # C, A, CI, STSAP, DTSAP
MAX_SEGMENT: Final = 0xFF - _OVERHEAD
"""The largest APDU segment one long frame carries (L = 255)."""
_MAX_FRAME: Final = 0xFF + 6
DEFAULT_MAX_APDU_SIZE: Final = 0xFFFF


def _check_byte(name: str, value: int) -> None:
    if type(value) is not int or not 0 <= value <= 0xFF:
        raise EncodeError(f"{name} must be an int in 0..255, not {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class MbusFrame:
    """One M-Bus long frame carrying (a segment of) a DLMS APDU."""

    c: int
    a: int
    ci: int
    stsap: int
    dtsap: int
    data: bytes

    def __post_init__(self) -> None:
        _check_byte("C", self.c)
        _check_byte("A", self.a)
        _check_byte("CI", self.ci)
        if self.ci > _CI_DLMS_MAX:
            raise EncodeError(f"CI 0x{self.ci:02X} is not a DLMS CI (0x00..0x1F)")
        _check_byte("STSAP", self.stsap)
        _check_byte("DTSAP", self.dtsap)
        if not isinstance(self.data, bytes):
            raise EncodeError(f"data must be bytes, not {type(self.data).__name__}")
        if len(self.data) > MAX_SEGMENT:
            raise EncodeError(f"{len(self.data)} data bytes exceed a frame's {MAX_SEGMENT}")

    @property
    def fin(self) -> bool:
        """True on the last segment of an APDU."""
        return bool(self.ci & CI_FIN)

    @property
    def counter(self) -> int:
        """The segment counter (low 4 bits of CI)."""
        return self.ci & _CI_COUNTER

    def encode(self) -> bytes:
        body = bytes((self.c, self.a, self.ci, self.stsap, self.dtsap)) + self.data
        length = len(body)
        return bytes((START, length, length, START)) + body + bytes((sum(body) & 0xFF, STOP))

    @classmethod
    def decode(cls, frame: bytes | bytearray | memoryview) -> MbusFrame:
        """Decode exactly one long frame (start to stop byte); the length, checksum and
        delimiters are verified."""
        return _decode(bytes(frame))


def _decode(frame: bytes) -> MbusFrame:
    size = len(frame)
    if size < 4:
        raise DecodeError(f"M-Bus frame: expected at least 4 header bytes, got {size}", size)
    if frame[0] != START:
        raise DecodeError(f"M-Bus frame: start byte 0x{frame[0]:02X}, expected 0x68", 0)
    length = frame[1]
    if frame[2] != length:
        raise DecodeError(
            f"M-Bus frame: length bytes differ (0x{length:02X} and 0x{frame[2]:02X})", 2
        )
    if frame[3] != START:
        raise DecodeError(f"M-Bus frame: second start byte 0x{frame[3]:02X}, expected 0x68", 3)
    if length < _OVERHEAD:
        raise DecodeError(
            f"M-Bus frame: L = {length} is too short for C, A, CI, STSAP and DTSAP", 1
        )
    if size != length + 6:
        raise DecodeError(f"M-Bus frame: L = {length} needs {length + 6} bytes, got {size}", 1)
    if frame[-1] != STOP:
        raise DecodeError(f"M-Bus frame: stop byte 0x{frame[-1]:02X}, expected 0x16", size - 1)
    checksum = sum(frame[4 : 4 + length]) & 0xFF
    if checksum != frame[4 + length]:
        raise DecodeError(
            f"M-Bus frame: checksum 0x{frame[4 + length]:02X}, computed 0x{checksum:02X}",
            4 + length,
        )
    ci = frame[6]
    if ci > _CI_DLMS_MAX:
        raise DecodeError(f"M-Bus frame: CI 0x{ci:02X} is not a DLMS CI (0x00..0x1F)", 6)
    return MbusFrame(
        c=frame[4], a=frame[5], ci=ci, stsap=frame[7], dtsap=frame[8], data=frame[9 : 4 + length]
    )


def segment_apdu(
    apdu: bytes, max_data: int = MAX_SEGMENT, *, c: int, a: int, stsap: int, dtsap: int
) -> list[MbusFrame]:
    """Cut ``apdu`` into long frames of at most ``max_data`` APDU bytes each (1..250).

    The counters run 0, 1, 2, ... (wrapping after 15) and the last frame has FIN set.
    """
    if type(max_data) is not int or not 1 <= max_data <= MAX_SEGMENT:
        raise EncodeError(f"max_data must be in 1..{MAX_SEGMENT}, not {max_data!r}")
    if not apdu:
        raise EncodeError("cannot segment an empty APDU")
    apdu = bytes(apdu)
    count = -(-len(apdu) // max_data)
    frames = []
    for index in range(count):
        ci = (index & _CI_COUNTER) | (CI_FIN if index == count - 1 else 0)
        part = apdu[index * max_data : (index + 1) * max_data]
        frames.append(MbusFrame(c=c, a=a, ci=ci, stsap=stsap, dtsap=dtsap, data=part))
    return frames


# -- the streaming splitter ---------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MbusFrameReceived:
    """A frame whose delimiters, length and checksum checked; ``raw`` as received."""

    frame: MbusFrame
    raw: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class MbusFrameError:
    """Bytes the splitter dropped: garbage between frames, or a well-delimited frame with a
    bad checksum or a CI outside the DLMS range. ``raw`` is what was dropped."""

    reason: str
    raw: bytes


class MbusSplitter:
    """Cuts a byte stream into M-Bus long frames (sans-io; any chunking, byte by byte too).

    A frame starts where ``68 L L 68`` appears with L >= 3 and ends L + 6 bytes later on a
    stop byte 0x16. Everything else is reported as :class:`MbusFrameError` and skipped:

    - bytes that do not start a frame (in pieces of at most 261 bytes);
    - a candidate header whose stop byte is not where L says: only its first byte is
      dropped and the search resumes after it, so a real frame starting inside is found;
    - a frame with the right delimiters but a bad checksum (or a non-DLMS CI, or L < 5):
      the whole frame is skipped.

    The events depend on the bytes only, never on how they were chunked; the buffer holds
    at most one frame (261 bytes) beyond what was not yet consumed by :meth:`next_event`.
    """

    __slots__ = ("_buf", "_garbage")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._garbage = bytearray()

    @property
    def pending(self) -> int:
        """Bytes received and not yet handed out in an event."""
        return len(self._buf) + len(self._garbage)

    def receive_data(self, data: bytes | bytearray | memoryview) -> None:
        self._buf += data

    def next_event(self) -> MbusFrameReceived | MbusFrameError | _NeedData:
        buf = self._buf
        garbage = self._garbage
        while True:
            if not buf:
                return NEED_DATA
            if buf[0] != START:
                end = buf.find(START)
                if end < 0:
                    end = len(buf)
                take = min(end, _MAX_FRAME - len(garbage))
                garbage += buf[:take]
                del buf[:take]
                if len(garbage) >= _MAX_FRAME or buf:
                    return self._flush_garbage()
                return NEED_DATA
            if garbage:
                return self._flush_garbage()
            if len(buf) < 4:
                return NEED_DATA
            length = buf[1]
            if buf[2] != length or buf[3] != START or length < 3:
                garbage.append(START)
                del buf[:1]
                continue
            size = length + 6
            if len(buf) < size:
                return NEED_DATA
            if buf[size - 1] != STOP:
                garbage.append(START)
                del buf[:1]
                continue
            raw = bytes(buf[:size])
            del buf[:size]
            try:
                frame = _decode(raw)
            except DecodeError as exc:
                return MbusFrameError(reason=exc.reason, raw=raw)
            return MbusFrameReceived(frame=frame, raw=raw)

    def _flush_garbage(self) -> MbusFrameError:
        raw = bytes(self._garbage)
        self._garbage.clear()
        return MbusFrameError(reason="bytes outside a frame", raw=raw)


# -- reassembly ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MbusApduReceived:
    """A complete APDU: its segments joined. ``a``, ``stsap`` and ``dtsap`` are those of
    its frames; ``frames`` is how many frames carried it."""

    apdu: bytes
    a: int
    stsap: int
    dtsap: int
    frames: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MbusReassemblyError:
    """Segments that could not be joined (a counter gap or repeat, a segment from another
    sender, or an APDU above the size limit); ``dropped`` bytes of APDU data were discarded."""

    reason: str
    dropped: int


class MbusReassembler:
    """Joins the segments of successive frames into APDUs, bounded by ``max_apdu_size``.

    :meth:`feed` returns the events a frame causes (none while more segments are needed).
    A frame that does not continue the pending APDU (wrong counter, or a different A,
    STSAP or DTSAP) ends it with a :class:`MbusReassemblyError`; if that frame has counter
    0 it starts a new APDU, otherwise it is dropped too.
    """

    __slots__ = ("_key", "_max", "_next", "_parts", "_size")

    def __init__(self, max_apdu_size: int = DEFAULT_MAX_APDU_SIZE) -> None:
        if type(max_apdu_size) is not int or max_apdu_size < 1:
            raise ValueError(f"max_apdu_size must be a positive int, not {max_apdu_size!r}")
        self._max = max_apdu_size
        self._parts: list[bytes] = []
        self._size = 0
        self._next = 0
        self._key: tuple[int, int, int] | None = None

    @property
    def pending(self) -> int:
        """APDU bytes held for an incomplete APDU."""
        return self._size

    def reset(self) -> None:
        self._parts = []
        self._size = 0
        self._next = 0
        self._key = None

    def _fail(self, reason: str, extra: int = 0) -> MbusReassemblyError:
        dropped = self._size + extra
        self.reset()
        return MbusReassemblyError(reason=reason, dropped=dropped)

    def feed(self, frame: MbusFrame) -> list[MbusApduReceived | MbusReassemblyError]:
        events: list[MbusApduReceived | MbusReassemblyError] = []
        key = (frame.a, frame.stsap, frame.dtsap)
        counter = frame.counter
        if self._key is not None:
            reason = None
            if key != self._key:
                reason = "segment from another address or SAP pair"
            elif counter != self._next:
                reason = (
                    f"segment counter {counter} repeated"
                    if counter == (self._next - 1) & _CI_COUNTER
                    else f"segment counter {counter}, expected {self._next}"
                )
            if reason is not None:
                if counter != 0:  # the frame cannot start a new APDU either: one error
                    return [self._fail(reason, len(frame.data))]
                events.append(self._fail(reason))
        if self._key is None:
            if counter != 0:
                events.append(
                    MbusReassemblyError(
                        reason=f"segment counter {counter} without a first segment",
                        dropped=len(frame.data),
                    )
                )
                return events
            self._key = key
        if self._size + len(frame.data) > self._max:
            events.append(
                self._fail(f"APDU exceeds the maximum of {self._max} bytes", len(frame.data))
            )
            return events
        self._parts.append(frame.data)
        self._size += len(frame.data)
        self._next = (counter + 1) & _CI_COUNTER
        if frame.fin:
            apdu = b"".join(self._parts)
            count = len(self._parts)
            self.reset()
            events.append(
                MbusApduReceived(apdu=apdu, a=key[0], stsap=key[1], dtsap=key[2], frames=count)
            )
        return events


class MbusStream:
    """:class:`MbusSplitter` and :class:`MbusReassembler` together: bytes in, APDUs out.

    Frame errors (garbage, bad checksums) are passed on as :class:`MbusFrameError`; a bad
    frame in the middle of an APDU shows up as a counter gap on the next good frame.
    """

    __slots__ = ("_queue", "_reassembler", "_splitter")

    def __init__(self, max_apdu_size: int = DEFAULT_MAX_APDU_SIZE) -> None:
        self._splitter = MbusSplitter()
        self._reassembler = MbusReassembler(max_apdu_size)
        self._queue: list[MbusApduReceived | MbusReassemblyError] = []

    def receive_data(self, data: bytes | bytearray | memoryview) -> None:
        self._splitter.receive_data(data)

    def next_event(
        self,
    ) -> MbusApduReceived | MbusReassemblyError | MbusFrameError | _NeedData:
        while not self._queue:
            event = self._splitter.next_event()
            if not isinstance(event, MbusFrameReceived):
                return event
            self._queue = self._reassembler.feed(event.frame)
        return self._queue.pop(0)
