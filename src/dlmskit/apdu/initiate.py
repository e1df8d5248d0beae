"""xDLMS InitiateRequest and InitiateResponse (Green Book 9.5, "COSEM APDU ASN.1").

These APDUs negotiate an association's DLMS version, conformance block and PDU sizes. They
travel A-XDR encoded inside the ``user-information`` field of an AARQ / AARE (see
:mod:`dlmskit.apdu.acse`), possibly ciphered (glo-/ded-initiate-request).

The ASN.1 (Green Book 9.5)::

    InitiateRequest ::= SEQUENCE {
        dedicated-key                OCTET STRING OPTIONAL,
        response-allowed             BOOLEAN DEFAULT TRUE,
        proposed-quality-of-service  [0] IMPLICIT Integer8 OPTIONAL,
        proposed-dlms-version-number Unsigned8,
        proposed-conformance         Conformance,   -- BER encoded, see below
        client-max-receive-pdu-size  Unsigned16
    }
    InitiateResponse ::= SEQUENCE {
        negotiated-quality-of-service  [0] IMPLICIT Integer8 OPTIONAL,
        negotiated-dlms-version-number Unsigned8,
        negotiated-conformance         Conformance,
        server-max-receive-pdu-size    Unsigned16,
        vaa-name                       ObjectName    -- Integer16
    }
    Conformance ::= [APPLICATION 31] IMPLICIT BIT STRING (SIZE(24))

A-XDR encodes an OPTIONAL component as ``00`` (absent) or ``01`` + value, and a DEFAULT
component as ``00`` (the default) or ``01`` + value. The conformance block is the one
BER element inside A-XDR: ``5F 1F`` (tag [APPLICATION 31], high tag number form), length
``04``, unused bits ``00`` and the 24 bits.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag
from typing import ClassVar, Final

from dlmskit import axdr
from dlmskit._buffer import Reader
from dlmskit.apdu._base import Apdu, register
from dlmskit.apdu.common import check_range, read_octets, read_optional_flag, write_octets

__all__ = [
    "CONFORMANCE_PREFIX",
    "VAA_NAME_LN",
    "VAA_NAME_SN",
    "Conformance",
    "InitiateRequest",
    "InitiateResponse",
    "read_conformance",
    "write_conformance",
]

#: ``5F 1F``: [APPLICATION 31] (X.690 8.1.2.4, high tag number), ``04``: length,
#: ``00``: no unused bits. Everything the Green Book's encoding example shows.
CONFORMANCE_PREFIX: Final = b"\x5f\x1f\x04\x00"

#: vaa-name of the logical-name association (Green Book 9.4.2.2.3: 0x0007).
VAA_NAME_LN: Final = 0x0007
#: vaa-name of the short-name association (the base name 0xFA00 of the current association).
VAA_NAME_SN: Final = 0xFA00


class Conformance(IntFlag):
    """The 24-bit conformance block (Green Book 9.4.6.1, ``Conformance`` ASN.1).

    ASN.1 numbers the bits of the BIT STRING from 0, bit 0 being the most significant bit
    of the first octet (X.690 8.6.2.4). As a 24-bit integer (the three octets read
    big-endian), named bit ``n`` therefore has the value ``1 << (23 - n)``: ``READ`` (bit 3)
    is ``0x100000``, ``GET`` (bit 19) is ``0x000010``, ``ACTION`` (bit 23) is ``0x000001``.
    Any 24-bit value is kept, named or not (``IntFlag`` keeps unnamed bits).
    """

    RESERVED_ZERO = 1 << 23  # bit 0
    GENERAL_PROTECTION = 1 << 22  # bit 1
    GENERAL_BLOCK_TRANSFER = 1 << 21  # bit 2
    READ = 1 << 20  # bit 3 (SN)
    WRITE = 1 << 19  # bit 4 (SN)
    UNCONFIRMED_WRITE = 1 << 18  # bit 5 (SN)
    # Bit 6 was "reserved-six" in earlier Green Book editions.
    DELTA_VALUE_ENCODING = 1 << 17  # bit 6
    RESERVED_SEVEN = 1 << 16  # bit 7
    ATTRIBUTE0_SUPPORTED_WITH_SET = 1 << 15  # bit 8
    PRIORITY_MGMT_SUPPORTED = 1 << 14  # bit 9
    ATTRIBUTE0_SUPPORTED_WITH_GET = 1 << 13  # bit 10
    BLOCK_TRANSFER_WITH_GET_OR_READ = 1 << 12  # bit 11
    BLOCK_TRANSFER_WITH_SET_OR_WRITE = 1 << 11  # bit 12
    BLOCK_TRANSFER_WITH_ACTION = 1 << 10  # bit 13
    MULTIPLE_REFERENCES = 1 << 9  # bit 14
    INFORMATION_REPORT = 1 << 8  # bit 15 (SN)
    DATA_NOTIFICATION = 1 << 7  # bit 16
    ACCESS = 1 << 6  # bit 17
    PARAMETERIZED_ACCESS = 1 << 5  # bit 18 (SN)
    GET = 1 << 4  # bit 19 (LN)
    SET = 1 << 3  # bit 20 (LN)
    SELECTIVE_ACCESS = 1 << 2  # bit 21 (LN)
    EVENT_NOTIFICATION = 1 << 1  # bit 22 (LN)
    ACTION = 1 << 0  # bit 23 (LN)

    @classmethod
    def from_bit_numbers(cls, *bits: int) -> Conformance:
        """The block with the given ASN.1 bit numbers (0..23) set."""
        value = 0
        for bit in bits:
            check_range("conformance bit number", bit, 0, 23)
            value |= 1 << (23 - bit)
        return cls(value)

    def bit_numbers(self) -> tuple[int, ...]:
        """The ASN.1 bit numbers that are set, ascending."""
        return tuple(n for n in range(24) if self & (1 << (23 - n)))


def _coerce_conformance(owner: str, value: int) -> Conformance:
    check_range(owner, value, 0, 0xFFFFFF)
    return value if type(value) is Conformance else Conformance(value)


def read_conformance(reader: Reader, what: str) -> Conformance:
    """Read ``5F 1F 04 00`` + three octets.

    Any other prefix (another tag, length or unused-bits count) is a DecodeError: the block
    is SIZE(24), so the encoding is fixed.
    """
    pos = reader.pos
    prefix = reader.bytes(4, f"{what} (5F 1F 04 00)")
    if prefix != CONFORMANCE_PREFIX:
        raise reader.error(
            f"{what} must start 5F 1F 04 00 ([APPLICATION 31] BIT STRING (SIZE(24))), "
            f"got {prefix.hex(' ').upper()}",
            pos,
        )
    return Conformance(reader.uint(3, what))


def write_conformance(out: bytearray, value: int) -> None:
    out += CONFORMANCE_PREFIX
    out += value.to_bytes(3, "big")


def _check_optional_int8(name: str, value: int | None) -> None:
    if value is not None:
        check_range(name, value, -128, 127)


def _read_optional_int8(reader: Reader, what: str) -> int | None:
    if not read_optional_flag(reader, what):
        return None
    return reader.i8(what)


def _write_optional_int8(out: bytearray, value: int | None) -> None:
    if value is None:
        out.append(0)
    else:
        out.append(1)
        out += value.to_bytes(1, "big", signed=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class InitiateRequest(Apdu):
    """InitiateRequest (tag 0x01), the xDLMS part of an AARQ::

        01                      tag
        00 | 01 len key         dedicated-key             OPTIONAL  (A-XDR octet string)
        00 | 01 bb              response-allowed          DEFAULT TRUE (bb = 00 / 01)
        00 | 01 qq              proposed-quality-of-service OPTIONAL (Integer8)
        vv                      proposed-dlms-version-number (Unsigned8, 6 today)
        5F 1F 04 00 cc cc cc    proposed-conformance
        ss ss                   client-max-receive-pdu-size (Unsigned16)

    ``response_allowed`` is ``None`` when the DEFAULT was used (``00``: TRUE), else the
    value that was sent explicitly; :attr:`allows_response` gives the effective value.
    A response-allowed octet other than 00/01 is refused with DecodeError.

    ``dedicated_key`` is a secret: :meth:`__repr__` shows only its length.
    """

    TAG: ClassVar[int] = 0x01
    NAME: ClassVar[str] = "initiate-request"

    dedicated_key: axdr.OctetString | None = None
    response_allowed: bool | None = None
    proposed_quality_of_service: int | None = None
    proposed_dlms_version_number: int = 6
    proposed_conformance: Conformance
    client_max_receive_pdu_size: int

    def __post_init__(self) -> None:
        key = self.dedicated_key
        if key is not None:
            if not isinstance(key, bytes | bytearray | memoryview):
                raise TypeError(f"dedicated-key must be bytes, not {type(key).__name__}")
            if not isinstance(key, axdr.OctetString):
                object.__setattr__(self, "dedicated_key", axdr.OctetString(key))
        if self.response_allowed is not None and not isinstance(self.response_allowed, bool):
            raise TypeError("response-allowed must be a bool or None")
        _check_optional_int8("proposed-quality-of-service", self.proposed_quality_of_service)
        check_range("proposed-dlms-version-number", self.proposed_dlms_version_number, 0, 0xFF)
        object.__setattr__(
            self,
            "proposed_conformance",
            _coerce_conformance("proposed-conformance", self.proposed_conformance),
        )
        check_range("client-max-receive-pdu-size", self.client_max_receive_pdu_size, 0, 0xFFFF)

    @property
    def allows_response(self) -> bool:
        """The effective response-allowed (the DEFAULT is TRUE)."""
        return True if self.response_allowed is None else self.response_allowed

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        key = self.dedicated_key
        if key is None:
            out.append(0)
        else:
            out.append(1)
            write_octets(out, key, key.length_form)
        if self.response_allowed is None:
            out.append(0)
        else:
            out += b"\x01\x01" if self.response_allowed else b"\x01\x00"
        _write_optional_int8(out, self.proposed_quality_of_service)
        out.append(self.proposed_dlms_version_number)
        write_conformance(out, self.proposed_conformance)
        out += self.client_max_receive_pdu_size.to_bytes(2, "big")

    def __repr__(self) -> str:
        # DESIGN rule 10: the dedicated key never reaches a log.
        key = (
            "None" if self.dedicated_key is None else f"<redacted {len(self.dedicated_key)} bytes>"
        )
        return (
            f"InitiateRequest(dedicated_key={key}, response_allowed={self.response_allowed!r}, "
            f"proposed_quality_of_service={self.proposed_quality_of_service!r}, "
            f"proposed_dlms_version_number={self.proposed_dlms_version_number!r}, "
            f"proposed_conformance={self.proposed_conformance!r}, "
            f"client_max_receive_pdu_size={self.client_max_receive_pdu_size!r})"
        )


@register(InitiateRequest.TAG, InitiateRequest.NAME)
def _read_initiate_request(reader: Reader) -> InitiateRequest:
    key: axdr.OctetString | None = None
    if read_optional_flag(reader, "dedicated-key"):
        data, form = read_octets(reader, "dedicated-key")
        key = axdr.OctetString(data)
        if form is not None:
            key = key.with_length_form(form)
    allowed: bool | None = None
    if read_optional_flag(reader, "response-allowed"):
        pos = reader.pos
        octet = reader.u8("response-allowed")
        if octet > 1:
            raise reader.error(f"response-allowed must be 00 or 01, got 0x{octet:02X}", pos)
        allowed = octet == 1
    qos = _read_optional_int8(reader, "proposed-quality-of-service")
    version = reader.u8("proposed-dlms-version-number")
    conformance = read_conformance(reader, "proposed-conformance")
    size = reader.u16("client-max-receive-pdu-size")
    return InitiateRequest(
        dedicated_key=key,
        response_allowed=allowed,
        proposed_quality_of_service=qos,
        proposed_dlms_version_number=version,
        proposed_conformance=conformance,
        client_max_receive_pdu_size=size,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class InitiateResponse(Apdu):
    """InitiateResponse (tag 0x08), the xDLMS part of an accepting AARE::

        08                      tag
        00 | 01 qq              negotiated-quality-of-service OPTIONAL (Integer8)
        vv                      negotiated-dlms-version-number (Unsigned8)
        5F 1F 04 00 cc cc cc    negotiated-conformance
        ss ss                   server-max-receive-pdu-size (Unsigned16)
        nn nn                   vaa-name (ObjectName: 0x0007 LN, 0xFA00 SN)

    ``vaa_name`` is ObjectName (Integer16) in the ASN.1; it is kept as the unsigned 16-bit
    value that short names are written with (``0xFA00`` rather than ``-1536``).
    """

    TAG: ClassVar[int] = 0x08
    NAME: ClassVar[str] = "initiate-response"

    negotiated_quality_of_service: int | None = None
    negotiated_dlms_version_number: int = 6
    negotiated_conformance: Conformance
    server_max_receive_pdu_size: int
    vaa_name: int = VAA_NAME_LN

    def __post_init__(self) -> None:
        _check_optional_int8("negotiated-quality-of-service", self.negotiated_quality_of_service)
        check_range("negotiated-dlms-version-number", self.negotiated_dlms_version_number, 0, 0xFF)
        object.__setattr__(
            self,
            "negotiated_conformance",
            _coerce_conformance("negotiated-conformance", self.negotiated_conformance),
        )
        check_range("server-max-receive-pdu-size", self.server_max_receive_pdu_size, 0, 0xFFFF)
        check_range("vaa-name", self.vaa_name, 0, 0xFFFF)

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        _write_optional_int8(out, self.negotiated_quality_of_service)
        out.append(self.negotiated_dlms_version_number)
        write_conformance(out, self.negotiated_conformance)
        out += self.server_max_receive_pdu_size.to_bytes(2, "big")
        out += self.vaa_name.to_bytes(2, "big")


@register(InitiateResponse.TAG, InitiateResponse.NAME)
def _read_initiate_response(reader: Reader) -> InitiateResponse:
    qos = _read_optional_int8(reader, "negotiated-quality-of-service")
    version = reader.u8("negotiated-dlms-version-number")
    conformance = read_conformance(reader, "negotiated-conformance")
    size = reader.u16("server-max-receive-pdu-size")
    vaa = reader.u16("vaa-name")
    return InitiateResponse(
        negotiated_quality_of_service=qos,
        negotiated_dlms_version_number=version,
        negotiated_conformance=conformance,
        server_max_receive_pdu_size=size,
        vaa_name=vaa,
    )
