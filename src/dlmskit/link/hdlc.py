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

from dlmskit.errors import DecodeError, EncodeError, RemoteProtocolError
from dlmskit.link._events import NEED_DATA, _NeedData

__all__ = [
    "LLC_REQUEST",
    "LLC_RESPONSE",
    "MAX_FRAME_LENGTH",
    "FrameError",
    "FrameKind",
    "FrameReceived",
    "FrameSplitter",
    "HdlcAddress",
    "HdlcFrame",
    "HdlcParameters",
    "Reassembler",
    "fcs16",
    "physical_address_from_serial",
    "segment",
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
_NUMBERED: Final = frozenset({FrameKind.I, FrameKind.RR, FrameKind.RNR})


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
        kind = self.kind
        if type(kind) is not FrameKind:
            kind = FrameKind(kind)
            object.__setattr__(self, "kind", kind)
        ns, nr = self.send_sequence, self.receive_sequence
        if kind is FrameKind.I:
            if type(ns) is not int or not 0 <= ns <= 7:
                _check_sequence("send_sequence", ns)
        elif ns is not None:
            raise ValueError(f"send_sequence (N(S)) is only for I frames, not {kind.name}")
        if kind in _NUMBERED:
            if type(nr) is not int or not 0 <= nr <= 7:
                _check_sequence("receive_sequence", nr)
        elif nr is not None:
            raise ValueError(f"receive_sequence (N(R)) is not for {kind.name} frames")
        info = self.information
        if type(info) is not bytes:
            if not isinstance(info, bytes | bytearray | memoryview):
                raise TypeError(f"information must be bytes, not {type(info)}")
            info = bytes(info)
            object.__setattr__(self, "information", info)
        destination, source = self.destination, self.source
        if type(destination) is not HdlcAddress or type(source) is not HdlcAddress:
            raise TypeError("destination and source must be HdlcAddress values")
        if len(info) > MAX_FRAME_LENGTH - 7 - destination.size - source.size:
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
        # one CRC run over the bit-reversed bytes: the HCS is its value after the header,
        # the FCS its value after header + HCS + information (crc_hqx continues a CRC)
        crc = crc_hqx(header.translate(_REVERSED), 0xFFFF)
        if info:
            hcs = ((_REVERSED[crc & 0xFF] << 8) | _REVERSED[crc >> 8]) ^ 0xFFFF
            hcs_bytes = _U16LE.pack(hcs)
            crc = crc_hqx(hcs_bytes.translate(_REVERSED), crc)
            crc = crc_hqx(info.translate(_REVERSED), crc)
            fcs = ((_REVERSED[crc & 0xFF] << 8) | _REVERSED[crc >> 8]) ^ 0xFFFF
            return b"".join((b"\x7e", header, hcs_bytes, info, _U16LE.pack(fcs), b"\x7e"))
        fcs = ((_REVERSED[crc & 0xFF] << 8) | _REVERSED[crc >> 8]) ^ 0xFFFF
        return b"".join((b"\x7e", header, _U16LE.pack(fcs), b"\x7e"))

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


def physical_address_from_serial(serial_number: int) -> int:
    """The physical (lower) HDLC address many meters derive from their serial number:
    ``serial_number % 10000 + 1000`` (the default formula ``"SN % 10000 + 1000"`` of
    Gurux ``GXDLMSClient.getServerAddressFromSerialNumber``, gurux-dlms 1.0.203). The
    result (1000..10999) needs a 4-byte address, e.g.
    ``HdlcAddress.server(1, physical_address_from_serial(sn), size=4)``.
    """
    if type(serial_number) is not int or serial_number < 0:
        raise ValueError(f"a serial number is a non-negative int, not {serial_number!r}")
    return serial_number % 10000 + 1000


# -- SNRM / UA parameters -------------------------------------------------------------------

_FORMAT_IDENTIFIER: Final = 0x81
_GROUP_IDENTIFIER: Final = 0x80
_MAX_INFO_TRANSMIT: Final = 0x05
_MAX_INFO_RECEIVE: Final = 0x06
_WINDOW_TRANSMIT: Final = 0x07
_WINDOW_RECEIVE: Final = 0x08
_MAX_INFO_LIMITS: Final = (32, 2030)
_WINDOW_LIMITS: Final = (1, 7)


@dataclass(frozen=True, slots=True, kw_only=True)
class HdlcParameters:
    """The HDLC parameters of a SNRM or UA information field (IEC 62056-46 6.4.4.4.3.2),
    from the point of view of the side that sends them.

    ::

        81 (format identifier) 80 (group identifier) group-length
           05 len max-info-field-length-transmit   (1 or 2 bytes; 4 accepted)
           06 len max-info-field-length-receive
           07 04  window-size-transmit             (4 bytes; 1..4 accepted)
           08 04  window-size-receive

    A parameter left out has its default (128 bytes, window 1); an empty information
    field means all defaults. The standard's ranges: information field 32..2030 bytes,
    window 1..7 (checked on construction, not on decoding: meters answer what they
    answer, and :meth:`negotiate` keeps the smaller value anyway).
    """

    max_info_transmit: int = 128
    max_info_receive: int = 128
    window_transmit: int = 1
    window_receive: int = 1

    def __post_init__(self) -> None:
        for name in ("max_info_transmit", "max_info_receive", "window_transmit", "window_receive"):
            value = getattr(self, name)
            if type(value) is not int or not 1 <= value <= 0xFFFFFFFF:
                raise ValueError(f"{name} must be a positive 32-bit int, not {value!r}")

    @classmethod
    def checked(
        cls,
        *,
        max_info_transmit: int = 128,
        max_info_receive: int = 128,
        window_transmit: int = 1,
        window_receive: int = 1,
    ) -> HdlcParameters:
        """Parameters within the standard's ranges (``ValueError`` otherwise)."""
        lo, hi = _MAX_INFO_LIMITS
        for name, value in (("max_info_transmit", max_info_transmit),
                            ("max_info_receive", max_info_receive)):  # fmt: skip
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be in {lo}..{hi}, not {value}")
        lo, hi = _WINDOW_LIMITS
        for name, value in (("window_transmit", window_transmit),
                            ("window_receive", window_receive)):  # fmt: skip
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be in {lo}..{hi}, not {value}")
        return cls(
            max_info_transmit=max_info_transmit,
            max_info_receive=max_info_receive,
            window_transmit=window_transmit,
            window_receive=window_receive,
        )

    def encode(self) -> bytes:
        """The information field: every parameter, the information lengths in the shortest
        of 1, 2 or 4 bytes, the windows in 4 bytes (as Gurux and opendlms send them)."""
        group = b"".join(
            (
                _parameter(_MAX_INFO_TRANSMIT, self.max_info_transmit),
                _parameter(_MAX_INFO_RECEIVE, self.max_info_receive),
                bytes((_WINDOW_TRANSMIT, 4)) + self.window_transmit.to_bytes(4, "big"),
                bytes((_WINDOW_RECEIVE, 4)) + self.window_receive.to_bytes(4, "big"),
            )
        )
        return bytes((_FORMAT_IDENTIFIER, _GROUP_IDENTIFIER, len(group))) + group

    @classmethod
    def decode(cls, info: bytes | bytearray | memoryview) -> HdlcParameters:
        """Parameters from a SNRM / UA information field (empty: all defaults).

        Unknown parameter identifiers inside the group are skipped; a wrong format or
        group identifier, a group length that does not match, or a value of 0 or of
        more than 4 bytes is a :class:`DecodeError`.
        """
        data = bytes(info)
        if not data:
            return cls()
        if len(data) < 3:
            raise DecodeError("HDLC parameter field shorter than its 3-byte header", 0)
        if data[0] != _FORMAT_IDENTIFIER:
            raise DecodeError(f"format identifier {data[0]:02X} is not 81", 0)
        if data[1] != _GROUP_IDENTIFIER:
            raise DecodeError(f"group identifier {data[1]:02X} is not 80", 1)
        if data[2] != len(data) - 3:
            raise DecodeError(f"group length {data[2]} but {len(data) - 3} bytes follow", 2)
        values: dict[int, int] = {}
        pos = 3
        while pos < len(data):
            if pos + 2 > len(data):
                raise DecodeError("HDLC parameter cut short", pos)
            ident, size = data[pos], data[pos + 1]
            if not 1 <= size <= 4:
                raise DecodeError(f"HDLC parameter {ident:02X} has a {size}-byte value", pos + 1)
            if pos + 2 + size > len(data):
                raise DecodeError(f"HDLC parameter {ident:02X} value cut short", pos + 2)
            value = int.from_bytes(data[pos + 2 : pos + 2 + size], "big")
            if ident in (_MAX_INFO_TRANSMIT, _MAX_INFO_RECEIVE, _WINDOW_TRANSMIT, _WINDOW_RECEIVE):
                if value == 0:
                    raise DecodeError(f"HDLC parameter {ident:02X} is 0", pos + 2)
                values[ident] = value
            pos += 2 + size
        return cls(
            max_info_transmit=values.get(_MAX_INFO_TRANSMIT, 128),
            max_info_receive=values.get(_MAX_INFO_RECEIVE, 128),
            window_transmit=values.get(_WINDOW_TRANSMIT, 1),
            window_receive=values.get(_WINDOW_RECEIVE, 1),
        )

    def negotiate(self, answer: HdlcParameters) -> HdlcParameters:
        """What this side uses, given its own proposal (``self``, e.g. the SNRM) and the
        peer's ``answer`` (e.g. the UA), each from its sender's point of view.

        What one side transmits the other receives, so each value is the smaller of this
        side's proposal and the peer's opposite value (IEC 62056-46 6.4.4.4.3.2: the
        answer may only lower the proposal; Gurux ``parseSnrmUaResponse`` likewise maps
        the UA's receive values onto the client's transmit values).
        """
        return HdlcParameters(
            max_info_transmit=min(self.max_info_transmit, answer.max_info_receive),
            max_info_receive=min(self.max_info_receive, answer.max_info_transmit),
            window_transmit=min(self.window_transmit, answer.window_receive),
            window_receive=min(self.window_receive, answer.window_transmit),
        )


def _parameter(ident: int, value: int) -> bytes:
    size = 1 if value <= 0xFF else 2 if value <= 0xFFFF else 4
    return bytes((ident, size)) + value.to_bytes(size, "big")


# -- segmentation --------------------------------------------------------------------------


def segment(apdu: bytes, max_info: int, *, llc: bytes | None) -> list[tuple[bytes, bool]]:
    """Split ``apdu`` into information fields of at most ``max_info`` bytes.

    Returns ``(information, segmented)`` per frame: ``segmented`` is the S bit (set on
    every frame but the last). ``llc`` (:data:`LLC_REQUEST`, :data:`LLC_RESPONSE` or
    ``None``) goes in front of the first segment only and counts toward its length, as in
    vector HDLC-06 (128-byte information fields, ``E6 E7 00`` in the first).
    """
    prefix = llc or b""
    if type(max_info) is not int or max_info <= len(prefix):
        raise ValueError(f"max_info must exceed the LLC header's {len(prefix)} bytes")
    data = prefix + bytes(apdu)
    total = len(data)
    if total <= max_info:
        return [(data, False)]
    return [
        (data[start : start + max_info], start + max_info < total)
        for start in range(0, total, max_info)
    ]


class Reassembler:
    """Joins the information fields of successive I (or UI) frames into APDUs.

    :meth:`feed` takes each frame's ``(information, segmented)`` and returns the APDU when
    a frame without the S bit completes it, with a leading LLC header (``E6 E6 00`` or
    ``E6 E7 00``) removed; ``None`` while segments are still expected. An APDU longer than
    ``max_apdu_size`` is a :class:`RemoteProtocolError` (and what was collected is dropped).
    """

    __slots__ = ("_parts", "_size", "max_apdu_size")

    def __init__(self, max_apdu_size: int = 65535 * 16) -> None:
        self.max_apdu_size = max_apdu_size
        self._parts: list[bytes] = []
        self._size = 0

    @property
    def pending(self) -> int:
        """Bytes collected for an APDU not yet complete."""
        return self._size

    def reset(self) -> None:
        """Drop a partly collected APDU (e.g. after a link reset)."""
        self._parts.clear()
        self._size = 0

    def feed(self, information: bytes, segmented: bool) -> bytes | None:
        size = self._size + len(information)
        if size > self.max_apdu_size + 3:  # + the LLC header
            self.reset()
            raise RemoteProtocolError(
                f"segmented APDU exceeds the limit of {self.max_apdu_size} bytes"
            )
        if segmented:
            self._parts.append(bytes(information))
            self._size = size
            return None
        if self._parts:
            self._parts.append(bytes(information))
            data = b"".join(self._parts)
            self.reset()
        else:
            data = bytes(information)
        if data[:3] in (LLC_REQUEST, LLC_RESPONSE):
            data = data[3:]
        if len(data) > self.max_apdu_size:
            raise RemoteProtocolError(f"APDU exceeds the limit of {self.max_apdu_size} bytes")
        return data


# -- the streaming splitter ----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FrameReceived:
    """A frame whose flags, length, HCS and FCS checked; ``raw`` is the frame as received
    (both flags included)."""

    frame: HdlcFrame
    raw: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class FrameError:
    """Bytes the splitter dropped: garbage between frames, a frame cut off (an abort
    sequence ``7D 7E``, or a length that does not end on a flag), or a frame whose HCS,
    FCS, addresses or control byte are wrong. ``raw`` is what was dropped."""

    reason: str
    raw: bytes


_ESCAPE: Final = 0x7D
_GARBAGE_LIMIT: Final = MAX_FRAME_LENGTH + 2
_MIN_LENGTH: Final = 7  # format 2 + destination 1 + source 1 + control 1 + FCS 2


class FrameSplitter:
    """Cuts a byte stream into HDLC frames (sans-io; feed any chunking, even byte by byte).

    Frames are found by their length field, not by flags alone (information fields may
    contain 7E): a frame is ``7E``, a format field ``Axxx`` of length L, L - 2 more bytes
    and a closing ``7E``; that closing flag may also open the next frame, and repeated
    flags are idle fill. Everything else is reported as :class:`FrameError` and skipped:

    - bytes before a flag (garbage) — in pieces of at most 2049 bytes;
    - a frame that does not end on a flag (e.g. cut by the abort sequence ``7D 7E``): the
      bytes up to the next 7E after its opening flag are dropped and the search resumes
      there, so a frame starting inside is not lost;
    - a frame that decodes badly: when its header (HCS) checked but its FCS did not, the
      whole frame is skipped; otherwise only up to the next 7E, as above.

    The event sequence depends on the bytes only, never on how they were chunked. The
    buffer never holds more than one frame (2049 bytes) beyond what was received but not
    yet consumed through :meth:`next_event`.
    """

    __slots__ = ("_buf", "_garbage")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._garbage = bytearray()

    @property
    def pending(self) -> int:
        """Bytes received and not yet handed out as an event."""
        return len(self._buf) + len(self._garbage)

    def receive_data(self, data: bytes | bytearray | memoryview) -> None:
        self._buf += data

    def next_event(self) -> FrameReceived | FrameError | _NeedData:
        buf = self._buf
        while True:
            if not buf:
                return NEED_DATA
            if buf[0] != FLAG:
                garbage = self._garbage
                end = buf.find(FLAG)
                if end < 0:
                    end = len(buf)
                take = min(end, _GARBAGE_LIMIT - len(garbage))
                garbage += buf[:take]
                del buf[:take]
                if len(garbage) >= _GARBAGE_LIMIT or buf:
                    return self._flush_garbage()
                return NEED_DATA
            if self._garbage:
                return self._flush_garbage()
            # buf[0] is a flag: skip idle flags, keep the last as the opening flag
            if len(buf) > 1 and buf[1] == FLAG:
                start = 1
                while start + 1 < len(buf) and buf[start + 1] == FLAG:
                    start += 1
                del buf[:start]
                if len(buf) == 1:
                    return NEED_DATA
            if len(buf) < 3:
                return NEED_DATA
            first = buf[1]
            length = ((first << 8) | buf[2]) & MAX_FRAME_LENGTH
            if first & 0xF0 != 0xA0 or length < _MIN_LENGTH:
                # not a frame start: the flag (and what follows up to the next one) is garbage
                self._garbage.append(FLAG)
                del buf[:1]
                continue
            if len(buf) < length + 2:
                return NEED_DATA
            if buf[length + 1] != FLAG:
                # look one byte further, to tell an abort (7D 7E) right at the end
                if len(buf) < length + 3:
                    return NEED_DATA
                end = buf.find(FLAG, 1, length + 3)
                if end < 0:
                    end = length + 2
                raw = bytes(buf[:end])
                del buf[:end]
                if buf and raw[-1] == _ESCAPE:
                    return FrameError(reason="frame aborted (7D 7E)", raw=raw)
                return FrameError(reason="frame length does not end on a flag", raw=raw)
            raw = bytes(buf[: length + 2])
            try:
                frame = _decode(raw)
            except _BadFcs as exc:
                del buf[: length + 1]  # the closing flag may open the next frame
                return FrameError(reason=exc.reason, raw=raw)
            except DecodeError as exc:
                end = buf.find(FLAG, 1, length + 2)
                raw = bytes(buf[:end])
                del buf[:end]
                return FrameError(reason=exc.reason, raw=raw)
            del buf[: length + 1]
            return FrameReceived(frame=frame, raw=raw)

    def _flush_garbage(self) -> FrameError:
        raw = bytes(self._garbage)
        self._garbage.clear()
        return FrameError(reason="bytes outside a frame", raw=raw)
