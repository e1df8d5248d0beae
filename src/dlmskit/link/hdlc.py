"""HDLC frames for DLMS/COSEM (IEC 62056-46, frame format type 3).

::

    7E | format (2) | destination | source | control | HCS (2) | information | FCS (2) | 7E

    format   = 0xA000 | S (0x0800, more segments follow) | 11-bit length
               (the length counts every byte between the two flags)
    address  = 1, 2 or 4 bytes; 7 bits per byte, the low bit marks the last byte;
               upper part (logical / client SAP) first, lower part (physical) last
    HCS      = present only when there is an information field; covers format..control
    FCS      = covers format..information (or format..control without information)
    CRC      = CRC-16/X.25: poly 0x1021 reflected, init 0xFFFF, xorout 0xFFFF, sent LSB first

Frames are length-delimited: there is no byte stuffing, so 0x7E and 0x7D may appear
inside a frame (IEC 62056-46 clause 6.4.1; amshan's tests feed such frames). One 0x7E may
close a frame and open the next one.

Control field (ISO/IEC 13239 as profiled by IEC 62056-46 6.4.3):

    I     N(R) P/F N(S) 0        RR    N(R) P/F 0 0 0 1      RNR   N(R) P/F 0 1 0 1
    SNRM  0x83  DISC 0x43  UA 0x63  DM 0x0F  FRMR 0x87  UI 0x03   (| 0x10 for P/F)

The SNRM / UA information field carries the negotiated parameters
(:class:`HdlcParameters`, IEC 62056-46 6.4.4.4.3.2). Information fields of I frames
start with the LLC header ``E6 E6 00`` (request) or ``E6 E7 00`` (response) on the first
segment of an APDU (IEC 62056-46 clause 8, "LLC sub-layer").

Sources of the facts (layouts checked against): IEC 62056-46 as described in the DLMS UA
Green Book 8.3 clause 8.4; Gurux ``GXDLMS.getHdlcFrame`` / ``GXDLMS.getHdlcData`` and
``GXDLMS.parseSnrmUaResponse``; u9n/dlms-cosem ``dlms_cosem/hdlc``; arabine/opendlms
``hdlc.c``; the vectors HDLC-01..15 in ``shared/vectors``.
"""

from __future__ import annotations

import struct
from binascii import crc_hqx
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Final

from dlmskit.errors import DecodeError, EncodeError

__all__ = [
    "LLC_REQUEST",
    "LLC_RESPONSE",
    "MAX_FRAME_LENGTH",
    "FrameKind",
    "HdlcAddress",
    "HdlcFrame",
    "fcs16",
]

FLAG: Final = 0x7E
MAX_FRAME_LENGTH: Final = 0x7FF
"""The 11-bit length field: at most 2047 bytes between the two flags."""
_FORMAT_TYPE_3: Final = 0xA000
_SEGMENTED: Final = 0x0800

LLC_REQUEST: Final = b"\xe6\xe6\x00"
"""LLC header of a command (client to server): destination LSAP E6, source LSAP E6, quality 0."""
LLC_RESPONSE: Final = b"\xe6\xe7\x00"
"""LLC header of a response (server to client): destination LSAP E6, source LSAP E7, quality 0."""

# -- CRC-16/X.25 --------------------------------------------------------------------------
# binascii.crc_hqx is the non-reflected CRC-CCITT (poly 0x1021) in C. X.25 is the same
# polynomial reflected: reversing the bits of every input byte and of the 16-bit result
# turns one into the other. The residue of a block followed by its own (complemented) FCS
# is the constant 0xF0B8 in the reflected domain, 0x1D0F after bit reversal.
_REVERSED: Final = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))
_GOOD_RESIDUE: Final = 0x1D0F
_U16LE: Final = struct.Struct("<H")


def fcs16(data: bytes | bytearray | memoryview) -> int:
    """The CRC-16/X.25 of ``data`` (HCS and FCS of an HDLC frame; sent LSB first).

    >>> hex(fcs16(b"123456789"))
    '0x906e'
    """
    if type(data) is memoryview:
        data = bytes(data)
    crc = crc_hqx(data.translate(_REVERSED), 0xFFFF)
    return ((_REVERSED[crc & 0xFF] << 8) | _REVERSED[crc >> 8]) ^ 0xFFFF


# -- frame kinds and the control field ------------------------------------------------------


class FrameKind(IntEnum):
    """The HDLC frame types DLMS uses; the value is the control byte with P/F, N(S) and N(R)
    all zero."""

    I = 0x00  # noqa: E741  (the standard's name)
    RR = 0x01
    RNR = 0x05
    SNRM = 0x83
    DISC = 0x43
    UA = 0x63
    DM = 0x0F
    FRMR = 0x87
    UI = 0x03


_UNNUMBERED: Final = {
    k.value: k for k in (FrameKind.SNRM, FrameKind.DISC, FrameKind.UA, FrameKind.DM,
                         FrameKind.FRMR, FrameKind.UI)
}  # fmt: skip


def _control_entry(c: int) -> tuple[FrameKind, bool, int | None, int | None] | None:
    poll_final = bool(c & 0x10)
    if not c & 0x01:
        return (FrameKind.I, poll_final, (c >> 1) & 7, c >> 5)
    if c & 0x03 == 0x01:
        supervisory = c & 0x0F
        if supervisory == FrameKind.RR:
            return (FrameKind.RR, poll_final, None, c >> 5)
        if supervisory == FrameKind.RNR:
            return (FrameKind.RNR, poll_final, None, c >> 5)
        return None  # REJ / SREJ are not used by IEC 62056-46
    kind = _UNNUMBERED.get(c & 0xEF)
    return None if kind is None else (kind, poll_final, None, None)


_CONTROL: Final = tuple(_control_entry(c) for c in range(256))


# -- addresses -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class HdlcAddress:
    """An HDLC address: ``logical`` is the upper part (the server's logical device, or the
    client SAP), ``physical`` the lower part (the server's physical address; ``None`` in a
    1-byte address). ``size`` is 1, 2 or 4 bytes on the wire: 7 bits per byte, so 2-byte
    addresses hold parts up to 0x7F and 4-byte addresses parts up to 0x3FFF.
    """

    logical: int
    physical: int | None
    size: int
    _wire: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        limit = {1: 0x7F, 2: 0x7F, 4: 0x3FFF}.get(self.size)
        if limit is None:
            raise ValueError(f"an HDLC address has 1, 2 or 4 bytes, not {self.size!r}")
        if type(self.logical) is not int or not 0 <= self.logical <= limit:
            raise ValueError(f"logical address {self.logical!r} not in 0..{limit:#x}")
        if self.size == 1:
            if self.physical is not None:
                raise ValueError("a 1-byte address has no physical (lower) part")
            wire = bytes(((self.logical << 1) | 1,))
        else:
            physical = self.physical
            if type(physical) is not int or not 0 <= physical <= limit:
                raise ValueError(f"physical address {physical!r} not in 0..{limit:#x}")
            if self.size == 2:
                wire = bytes((self.logical << 1, (physical << 1) | 1))
            else:
                wire = bytes(
                    (
                        (self.logical >> 7) << 1,
                        (self.logical & 0x7F) << 1,
                        (physical >> 7) << 1,
                        ((physical & 0x7F) << 1) | 1,
                    )
                )
        object.__setattr__(self, "_wire", wire)

    def encode(self) -> bytes:
        """The address as sent (1, 2 or 4 bytes)."""
        return self._wire

    @classmethod
    def client(cls, sap: int) -> HdlcAddress:
        """A client address: the 1-byte client SAP (e.g. 0x10 public client)."""
        return cls(logical=sap, physical=None, size=1)

    @classmethod
    def server(
        cls, logical: int, physical: int | None = None, size: int | None = None
    ) -> HdlcAddress:
        """A server address; without ``size``: 1 byte when there is no physical part,
        2 bytes when both parts fit in 7 bits, 4 bytes otherwise."""
        if size is None:
            if physical is None:
                size = 1
            elif logical <= 0x7F and physical <= 0x7F:
                size = 2
            else:
                size = 4
        return cls(logical=logical, physical=physical, size=size)

    @classmethod
    def decode(cls, data: bytes) -> HdlcAddress:
        """One whole address (1, 2 or 4 bytes, the last with the low bit set)."""
        size = len(data)
        if size not in (1, 2, 4) or not data[-1] & 1 or any(b & 1 for b in data[:-1]):
            raise DecodeError(f"not an HDLC address: {data.hex()}", 0)
        return _address_from_wire(bytes(data))


def _address_from_wire(wire: bytes) -> HdlcAddress:
    size = len(wire)
    if size == 1:
        return HdlcAddress(logical=wire[0] >> 1, physical=None, size=1)
    if size == 2:
        return HdlcAddress(logical=wire[0] >> 1, physical=wire[1] >> 1, size=2)
    return HdlcAddress(
        logical=((wire[0] >> 1) << 7) | (wire[1] >> 1),
        physical=((wire[2] >> 1) << 7) | (wire[3] >> 1),
        size=4,
    )


# Addresses repeat on every frame of a link: decode each wire form once (bounded cache).
_ADDRESS_CACHE: dict[bytes, HdlcAddress] = {}
_ADDRESS_CACHE_LIMIT: Final = 1024


def _read_address(frame: bytes, pos: int, end: int, what: str) -> tuple[HdlcAddress, int]:
    """The address starting at ``pos`` (``end`` excluded), and the position after it."""
    if pos < end and frame[pos] & 1:
        size = 1
    elif pos + 1 < end and frame[pos + 1] & 1:
        size = 2
    elif pos + 3 < end and not frame[pos + 2] & 1 and frame[pos + 3] & 1:
        size = 4
    else:
        raise DecodeError(f"{what} address is not 1, 2 or 4 bytes long", pos)
    wire = frame[pos : pos + size]
    address = _ADDRESS_CACHE.get(wire)
    if address is None:
        if len(_ADDRESS_CACHE) >= _ADDRESS_CACHE_LIMIT:
            _ADDRESS_CACHE.clear()
        address = _ADDRESS_CACHE[wire] = _address_from_wire(wire)
    return address, pos + size


# -- frames --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class HdlcFrame:
    """One HDLC frame (format type 3).

    ``send_sequence`` is N(S) (I frames only, 0..7); ``receive_sequence`` is N(R) (I, RR
    and RNR frames, 0..7); ``poll_final`` is the P/F bit; ``segmented`` is the format's S
    bit (more segments of the same information follow). An empty ``information`` means
    the frame has no information field (and no HCS).
    """

    destination: HdlcAddress
    source: HdlcAddress
    kind: FrameKind
    poll_final: bool
    send_sequence: int | None
    receive_sequence: int | None
    segmented: bool = False
    information: bytes = b""

    def __post_init__(self) -> None:
        kind = FrameKind(self.kind)
        if kind is not self.kind:
            object.__setattr__(self, "kind", kind)
        if kind is FrameKind.I:
            _check_sequence("send_sequence", self.send_sequence)
        elif self.send_sequence is not None:
            raise ValueError(f"send_sequence (N(S)) is only for I frames, not {kind.name}")
        if kind in (FrameKind.I, FrameKind.RR, FrameKind.RNR):
            _check_sequence("receive_sequence", self.receive_sequence)
        elif self.receive_sequence is not None:
            raise ValueError(f"receive_sequence (N(R)) is not for {kind.name} frames")
        if type(self.information) is not bytes:
            if not isinstance(self.information, bytes | bytearray | memoryview):
                raise TypeError(f"information must be bytes, not {type(self.information)}")
            object.__setattr__(self, "information", bytes(self.information))
        if not isinstance(self.destination, HdlcAddress) or not isinstance(
            self.source, HdlcAddress
        ):
            raise TypeError("destination and source must be HdlcAddress values")
        if self.length > MAX_FRAME_LENGTH:
            raise EncodeError(
                f"frame of {self.length} bytes exceeds the 11-bit length field "
                f"({MAX_FRAME_LENGTH}); segment the information"
            )

    @property
    def length(self) -> int:
        """The format field's length: the bytes between the two flags."""
        n = 2 + self.destination.size + self.source.size + 1 + 2
        return n + len(self.information) + 2 if self.information else n

    @property
    def control(self) -> int:
        """The control byte."""
        c = self.kind.value | (0x10 if self.poll_final else 0)
        if self.receive_sequence is not None:
            c |= self.receive_sequence << 5
        if self.send_sequence is not None:
            c |= self.send_sequence << 1
        return c

    def encode(self) -> bytes:
        """The whole frame, both flags included."""
        info = self.information
        dst = self.destination._wire
        src = self.source._wire
        header_length = 3 + len(dst) + len(src)
        length = header_length + 4 + len(info) if info else header_length + 2
        fmt = _FORMAT_TYPE_3 | length | (_SEGMENTED if self.segmented else 0)
        header = b"".join((bytes((fmt >> 8, fmt & 0xFF)), dst, src, bytes((self.control,))))
        body = b"".join((header, _U16LE.pack(fcs16(header)), info)) if info else header
        return b"".join((b"\x7e", body, _U16LE.pack(fcs16(body)), b"\x7e"))

    @classmethod
    def decode(cls, frame: bytes | bytearray | memoryview) -> HdlcFrame:
        """One whole frame, both flags included.

        Raises :class:`DecodeError` (with the offset) on a missing flag, a length field that
        does not match, a bad address, an unknown control byte, or a bad HCS or FCS.
        """
        if type(frame) is not bytes:
            frame = bytes(frame)
        return _decode(frame)


def _check_sequence(name: str, value: int | None) -> None:
    if type(value) is not int or not 0 <= value <= 7:
        raise ValueError(f"{name} must be an int in 0..7, not {value!r}")


class _BadFcs(DecodeError):
    """The header (HCS) checked but the FCS over the information did not."""


_new_frame = object.__new__
_set = object.__setattr__


def _decode(frame: bytes) -> HdlcFrame:
    n = len(frame)
    if n < 9:
        raise DecodeError(f"an HDLC frame has at least 9 bytes, not {n}", 0)
    if frame[0] != FLAG:
        raise DecodeError("frame does not start with the flag 7E", 0)
    if frame[-1] != FLAG:
        raise DecodeError("frame does not end with the flag 7E", n - 1)
    fmt = (frame[1] << 8) | frame[2]
    if fmt & 0xF000 != _FORMAT_TYPE_3:
        raise DecodeError(f"format {fmt:04X} is not frame format type 3 (Axxx)", 1)
    length = fmt & MAX_FRAME_LENGTH
    if length != n - 2:
        raise DecodeError(f"length field says {length} bytes, the frame has {n - 2}", 1)
    end = n - 3  # the FCS starts here
    destination, pos = _read_address(frame, 3, end, "destination")
    source, pos = _read_address(frame, pos, end, "source")
    if pos >= end:
        raise DecodeError("frame ends before the control field", pos)
    entry = _CONTROL[frame[pos]]
    if entry is None:
        raise DecodeError(f"control byte {frame[pos]:02X} is not a frame type of IEC 62056-46", pos)
    pos += 1
    reversed_frame = frame.translate(_REVERSED)
    if pos == end:
        information = b""
    elif pos + 2 <= end:
        if crc_hqx(reversed_frame[1 : pos + 2], 0xFFFF) != _GOOD_RESIDUE:
            raise DecodeError("header check sequence (HCS) does not match", pos)
        information = frame[pos + 2 : end]
    else:
        raise DecodeError("one stray byte between the control field and the FCS", pos)
    if crc_hqx(reversed_frame[1 : n - 1], 0xFFFF) != _GOOD_RESIDUE:
        if information:
            raise _BadFcs("frame check sequence (FCS) does not match", end)
        raise DecodeError("frame check sequence (FCS) does not match", end)
    result: HdlcFrame = _new_frame(HdlcFrame)
    _set(result, "destination", destination)
    _set(result, "source", source)
    _set(result, "kind", entry[0])
    _set(result, "poll_final", entry[1])
    _set(result, "send_sequence", entry[2])
    _set(result, "receive_sequence", entry[3])
    _set(result, "segmented", bool(fmt & _SEGMENTED))
    _set(result, "information", information)
    return result
