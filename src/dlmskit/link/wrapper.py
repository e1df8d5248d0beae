"""The DLMS/COSEM wrapper: the COSEM transport layer for IPv4 networks (IEC 62056-47).

Every APDU sent over TCP or UDP is preceded by an 8-byte header::

    version (2) | source wPort (2) | destination wPort (2) | length (2) | APDU (length)

    version  = 0x0001 (the only version defined)
    wPort    = the client SAP on the client side, the server's logical device address
               (server SAP) on the server side
    length   = the number of APDU bytes that follow; all fields big-endian

Over UDP one datagram carries exactly one wrapper PDU (:func:`decode_datagram`). Over TCP
the headers delimit APDUs in the byte stream (:class:`WrapperStream`). TCP has no
resynchronisation marker: once a header is wrong (unknown version, a length above the
configured maximum) nothing tells where the next header starts, so the stream reports one
:class:`WrapperError` and then refuses further use (:class:`RemoteProtocolError`); the
connection has to be closed. Guessing would hand wrong bytes to the layers above.

Sources of the facts: DLMS UA Green Book, "COSEM transport layer for IPv4 networks", and
IEC 62056-4-7 (the successor of IEC 62056-47; the wrapper sub-layer, wPort numbers, the
IANA-registered port 4059 for TCP and UDP); Gurux
``GXDLMS.getWrapperFrame`` / ``GXDLMS.getTcpData`` and u9n/dlms-cosem
``dlms_cosem/protocol/wrappers.py`` read for the layout; the vectors XDLMS-27 (UDP header
from u9n/dlms-cosem's tests) and XDLMS-29..43 (TCP captures against the arabine/opendlms
meter simulator) in ``shared/vectors``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final

from dlmskit.errors import DecodeError, EncodeError, RemoteProtocolError
from dlmskit.link._events import NEED_DATA, _NeedData

__all__ = [
    "DLMS_PORT",
    "HEADER_SIZE",
    "MAX_APDU_SIZE",
    "WRAPPER_VERSION",
    "WPort",
    "WrapperError",
    "WrapperHeader",
    "WrapperPdu",
    "WrapperPduReceived",
    "WrapperStream",
    "decode_datagram",
]

WRAPPER_VERSION: Final = 0x0001
"""The only wrapper version defined by IEC 62056-47."""
HEADER_SIZE: Final = 8
MAX_APDU_SIZE: Final = 0xFFFF
"""The largest APDU a 16-bit length field can announce."""
DLMS_PORT: Final = 4059
"""The IANA-registered TCP and UDP port of DLMS/COSEM ("dlms-cosem", 4059)."""

_HEADER: Final = struct.Struct(">HHHH")


class WPort:
    """Reserved wPort numbers (Green Book, COSEM transport layer for IPv4, wPort table).

    Client side: 0 no-station, 1 client management process, 16 public client; the rest of
    0x02..0xFF is free for client application processes. Server side: 0 no-station,
    1 management logical device, 0x10..0x7E free for logical devices, 0x7F all-station
    (broadcast).
    """

    NO_STATION: Final = 0x0000
    CLIENT_MANAGEMENT: Final = 0x0001
    PUBLIC_CLIENT: Final = 0x0010
    MANAGEMENT_LOGICAL_DEVICE: Final = 0x0001
    ALL_STATION: Final = 0x007F


def _check_u16(name: str, value: int) -> None:
    if type(value) is not int or not 0 <= value <= 0xFFFF:
        raise EncodeError(f"{name} must be an int in 0..65535, not {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class WrapperHeader:
    """The 8-byte wrapper header on its own (``length`` = APDU bytes that follow)."""

    source: int
    destination: int
    length: int
    version: int = WRAPPER_VERSION

    def __post_init__(self) -> None:
        _check_u16("version", self.version)
        _check_u16("source wPort", self.source)
        _check_u16("destination wPort", self.destination)
        _check_u16("length", self.length)

    def encode(self) -> bytes:
        return _HEADER.pack(self.version, self.source, self.destination, self.length)

    @classmethod
    def decode(
        cls, data: bytes | bytearray | memoryview, *, accept_any_version: bool = False
    ) -> WrapperHeader:
        """Decode exactly 8 header bytes.

        ``accept_any_version`` (quirk, off by default) lets a version other than 0x0001
        through instead of raising :class:`DecodeError`.
        """
        if len(data) != HEADER_SIZE:
            raise DecodeError(f"wrapper header: expected 8 bytes, got {len(data)}", 0)
        version, source, destination, length = _HEADER.unpack_from(data)
        if version != WRAPPER_VERSION and not accept_any_version:
            raise DecodeError(f"wrapper header: version 0x{version:04X}, expected 0x0001", 0)
        return cls(source=source, destination=destination, length=length, version=version)


@dataclass(frozen=True, slots=True, kw_only=True)
class WrapperPdu:
    """One wrapper PDU: header and APDU (``length`` is implied by ``apdu``)."""

    source: int
    destination: int
    apdu: bytes
    version: int = WRAPPER_VERSION

    def __post_init__(self) -> None:
        _check_u16("version", self.version)
        _check_u16("source wPort", self.source)
        _check_u16("destination wPort", self.destination)
        if not isinstance(self.apdu, bytes):
            raise EncodeError(f"apdu must be bytes, not {type(self.apdu).__name__}")
        if not 0 < len(self.apdu) <= MAX_APDU_SIZE:
            raise EncodeError(f"an APDU of {len(self.apdu)} bytes does not fit a wrapper PDU")

    @property
    def header(self) -> WrapperHeader:
        return WrapperHeader(
            source=self.source,
            destination=self.destination,
            length=len(self.apdu),
            version=self.version,
        )

    def encode(self) -> bytes:
        header = _HEADER.pack(self.version, self.source, self.destination, len(self.apdu))
        return header + self.apdu

    @classmethod
    def decode(
        cls,
        data: bytes | bytearray | memoryview,
        *,
        max_apdu_size: int = MAX_APDU_SIZE,
        accept_any_version: bool = False,
    ) -> WrapperPdu:
        """Decode exactly one wrapper PDU (header + APDU, nothing after it)."""
        data = bytes(data)
        if len(data) < HEADER_SIZE:
            raise DecodeError(
                f"wrapper PDU: expected at least 8 header bytes, got {len(data)}", len(data)
            )
        header = WrapperHeader.decode(data[:HEADER_SIZE], accept_any_version=accept_any_version)
        _check_length(header.length, max_apdu_size)
        size = HEADER_SIZE + header.length
        if len(data) < size:
            raise DecodeError(
                f"wrapper PDU: header announces {header.length} APDU bytes, "
                f"{len(data) - HEADER_SIZE} present",
                len(data),
            )
        if len(data) > size:
            raise DecodeError(
                f"wrapper PDU: {len(data) - size} unexpected trailing byte(s) after the APDU",
                size,
            )
        return cls(
            source=header.source,
            destination=header.destination,
            apdu=data[HEADER_SIZE:],
            version=header.version,
        )


def _check_length(length: int, max_apdu_size: int) -> None:
    if length == 0:
        raise DecodeError("wrapper header: length 0 (no APDU)", 6)
    if length > max_apdu_size:
        raise DecodeError(
            f"wrapper header: APDU length {length} exceeds the maximum of {max_apdu_size}", 6
        )


def decode_datagram(
    datagram: bytes | bytearray | memoryview,
    *,
    max_apdu_size: int = MAX_APDU_SIZE,
    accept_any_version: bool = False,
) -> WrapperPdu:
    """Decode one UDP datagram: exactly one wrapper PDU, no short or trailing bytes."""
    return WrapperPdu.decode(
        datagram, max_apdu_size=max_apdu_size, accept_any_version=accept_any_version
    )


# -- TCP stream --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class WrapperPduReceived:
    """A complete wrapper PDU arrived."""

    pdu: WrapperPdu


@dataclass(frozen=True, slots=True, kw_only=True)
class WrapperError:
    """The stream broke: ``raw`` is the header that could not be accepted. The stream is
    unusable afterwards (TCP offers no point to resynchronise on)."""

    reason: str
    raw: bytes


class WrapperStream:
    """Cuts a TCP byte stream into wrapper PDUs (sans-io; any chunking, even byte by byte).

    ``max_apdu_size`` bounds the length a header may announce (e.g. the negotiated maximum
    receive PDU size); nothing beyond one header and that many bytes is ever buffered for a
    PDU. A header with a wrong version (unless ``accept_any_version``), a zero length or a
    length above the maximum yields one :class:`WrapperError`; after it, every call of
    :meth:`receive_data` and :meth:`next_event` raises :class:`RemoteProtocolError`.
    """

    __slots__ = ("_accept_any_version", "_buf", "_error", "_max")

    def __init__(
        self, max_apdu_size: int = MAX_APDU_SIZE, *, accept_any_version: bool = False
    ) -> None:
        if type(max_apdu_size) is not int or not 1 <= max_apdu_size <= MAX_APDU_SIZE:
            raise ValueError(f"max_apdu_size must be in 1..65535, not {max_apdu_size!r}")
        self._max = max_apdu_size
        self._accept_any_version = accept_any_version
        self._buf = bytearray()
        self._error: str | None = None

    @property
    def broken(self) -> bool:
        """True once a :class:`WrapperError` was reported."""
        return self._error is not None

    @property
    def pending(self) -> int:
        """Bytes received and not yet handed out in an event."""
        return len(self._buf)

    def _check_usable(self) -> None:
        if self._error is not None:
            raise RemoteProtocolError(f"wrapper stream is broken: {self._error}")

    def receive_data(self, data: bytes | bytearray | memoryview) -> None:
        self._check_usable()
        self._buf += data

    def next_event(self) -> WrapperPduReceived | WrapperError | _NeedData:
        self._check_usable()
        buf = self._buf
        if len(buf) < HEADER_SIZE:
            return NEED_DATA
        version, source, destination, length = _HEADER.unpack_from(buf)
        try:
            if version != WRAPPER_VERSION and not self._accept_any_version:
                raise DecodeError(f"wrapper header: version 0x{version:04X}, expected 0x0001", 0)
            _check_length(length, self._max)
        except DecodeError as exc:
            self._error = exc.reason
            raw = bytes(buf[:HEADER_SIZE])
            buf.clear()
            return WrapperError(reason=exc.reason, raw=raw)
        end = HEADER_SIZE + length
        if len(buf) < end:
            return NEED_DATA
        apdu = bytes(buf[HEADER_SIZE:end])
        del buf[:end]
        pdu = WrapperPdu(source=source, destination=destination, apdu=apdu, version=version)
        return WrapperPduReceived(pdu=pdu)

    def send(self, source: int, destination: int, apdu: bytes) -> bytes:
        """The wire bytes of ``apdu`` wrapped from ``source`` to ``destination``.

        ``max_apdu_size`` bounds what this side receives; what the peer accepts is the
        session's business (the negotiated max PDU size), so it is not checked here.
        """
        return WrapperPdu(source=source, destination=destination, apdu=bytes(apdu)).encode()
