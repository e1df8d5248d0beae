"""M-Bus and wireless M-Bus interface classes (Blue Book, DLMS UA 1000-1, 4.8 M-Bus family).

======  ==========================================  ========  ===============================
class   name                                        versions  notes
======  ==========================================  ========  ===============================
25      M-Bus slave port setup                      0
72      M-Bus client                                0, 1      v1 adds configuration, key status
73      Wireless mode Q channel                     1
74      M-Bus master port setup                     0
76      DLMS/COSEM server M-Bus port setup          0
77      M-Bus diagnostic                            0         method reset
======  ==========================================  ========  ===============================

Facts from the Blue Book attribute tables as the Gurux class files and DLMS_SPODES document
them (no code copied).
"""

from __future__ import annotations

from dataclasses import dataclass

from dlmskit import axdr
from dlmskit.apdu.common import OpenIntEnum
from dlmskit.cosem.classes._declare import (
    ANY,
    DATE_TIME_TAGGED,
    OBIS,
    OCTETS,
    U8,
    U16,
    U32,
    ZERO,
    AttrSpec,
    ClassSpec,
    IntKind,
    MethSpec,
    StructKind,
    ValueStruct,
    array_kind,
    enum_kind,
    kind_field,
)
from dlmskit.cosem.classes.comm import BaudRate, WindowElement
from dlmskit.cosem_time import CosemDateTime

__all__ = [
    "AddressState",
    "BroadcastFrameCounter",
    "CaptureDefinition",
    "CaptureTime",
    "DataDefinitionElement",
    "EncryptionKeyStatus",
    "LinkStatus",
    "MbusDataHeaderType",
    "PortCommunicationStatus",
    "manufacturer_code",
    "manufacturer_id",
]


class AddressState(OpenIntEnum):
    """M-Bus slave port setup / Wireless mode Q ``addr_state``."""

    NOT_CONFIGURED = 0
    CONFIGURED = 1


class EncryptionKeyStatus(OpenIntEnum):
    """M-Bus client v1 ``encryption_key_status``."""

    NO_ENCRYPTION_KEY = 0
    ENCRYPTION_KEY_SET = 1
    ENCRYPTION_KEY_TRANSFERRED = 2
    ENCRYPTION_KEY_SET_AND_TRANSFERRED = 3
    ENCRYPTION_KEY_IN_USE = 4


class LinkStatus(OpenIntEnum):
    """M-Bus diagnostic ``link_status``."""

    NONE = 0
    NORMAL = 1
    TEMPORARILY_INTERRUPTED = 2
    PERMANENTLY_INTERRUPTED = 3


class PortCommunicationStatus(OpenIntEnum):
    """DLMS/COSEM server M-Bus port setup ``port_communication_status``."""

    NO_ACCESS = 0
    TEMPORARY_NO_ACCESS = 1
    LIMITED_ACCESS = 2
    UNLIMITED_ACCESS = 3
    WIRELESS_MBUS = 4


class MbusDataHeaderType(OpenIntEnum):
    """DLMS/COSEM server M-Bus port setup ``data_header_type`` (EN 13757-7)."""

    NONE = 0
    SHORT = 1
    LONG = 2


def manufacturer_code(manufacturer_id: int) -> str:
    """The three-letter manufacturer code of an M-Bus ``manufacturer_id`` (EN 13757-3).

    The long-unsigned packs three letters A..Z as 5-bit values (A = 1), first letter
    highest: ``0x2C2D`` is ``"KAM"``, ``0x4DEE`` is ``"SON"``. Values that do not hold three
    letters raise ValueError.
    """
    if isinstance(manufacturer_id, bool) or not isinstance(manufacturer_id, int):
        raise TypeError(f"manufacturer_id must be an int, not {type(manufacturer_id).__name__}")
    if not 0 <= manufacturer_id <= 0x7FFF:
        raise ValueError(f"manufacturer_id must be in 0..0x7FFF, got {manufacturer_id:#x}")
    letters = [(manufacturer_id >> shift) & 0x1F for shift in (10, 5, 0)]
    if not all(1 <= letter <= 26 for letter in letters):
        raise ValueError(f"manufacturer_id {manufacturer_id:#06x} does not hold three letters")
    return "".join(chr(64 + letter) for letter in letters)


def manufacturer_id(code: str) -> int:
    """The M-Bus ``manufacturer_id`` of a three-letter code (inverse of
    :func:`manufacturer_code`)."""
    if not isinstance(code, str):
        raise TypeError(f"code must be a str, not {type(code).__name__}")
    if len(code) != 3 or not all("A" <= c <= "Z" for c in code.upper()):
        raise ValueError(f"a manufacturer code is three letters A..Z, got {code!r}")
    a, b, c = (ord(ch) - 64 for ch in code.upper())
    return (a << 10) | (b << 5) | c


_value = dataclass(frozen=True, slots=True, kw_only=True)


@_value
class CaptureDefinition(ValueStruct):
    """M-Bus client ``capture_definition`` element.

    ``structure {data_information_block: octet-string, value_information_block:
    octet-string}`` (the DIB and VIB, EN 13757-3, of the records to capture).
    """

    data_information_block: bytes = kind_field(OCTETS)
    value_information_block: bytes = kind_field(OCTETS)


@_value
class DataDefinitionElement(ValueStruct):
    """M-Bus client ``data_send`` parameter element: ``{dib, vib, data: CHOICE}``."""

    data_information_block: bytes = kind_field(OCTETS)
    value_information_block: bytes = kind_field(OCTETS)
    data: axdr.Value = kind_field(ANY)


@_value
class BroadcastFrameCounter(ValueStruct):
    """M-Bus diagnostic ``broadcast_frames_counter`` element.

    ``structure {client_id: unsigned, counter: double-long-unsigned, time_stamp:
    date-time}`` (the time stamp with the date-time tag, as Gurux sends it).
    """

    client_id: int = kind_field(U8)
    counter: int = kind_field(U32)
    time_stamp: CosemDateTime = kind_field(DATE_TIME_TAGGED)


@_value
class CaptureTime(ValueStruct):
    """M-Bus diagnostic ``capture_time ::= structure {attribute_id: unsigned, time_stamp}``."""

    attribute_id: int = kind_field(U8)
    time_stamp: CosemDateTime = kind_field(DATE_TIME_TAGGED)


# ---------------------------------------------------------------------------------------
# Class declarations (Blue Book attribute and method tables)
# ---------------------------------------------------------------------------------------

_A = AttrSpec
_M = MethSpec
_DYN = False
_BAUD = enum_kind(BaudRate)
# slave_install's primary address: unsigned in the Blue Book, integer as Gurux sends it;
# both are accepted and kept.
_PRIMARY_ADDRESS = IntKind(axdr.Unsigned, any_int=True)

_MBUS_CLIENT_V0 = (
    _A("mbus_port_reference", OBIS),
    _A("capture_definition", array_kind(CaptureDefinition)),
    _A("capture_period", U32),
    _A("primary_address", U8),
    _A("identification_number", U32),
    _A("manufacturer_id", U16),
    _A("version", U8),
    _A("device_type", U8),
    _A("access_number", U8, _DYN),
    _A("status", U8, _DYN),
    _A("alarm", U8, _DYN),
)
_MBUS_CLIENT_METHODS = (
    _M("slave_install", _PRIMARY_ADDRESS),
    _M("slave_deinstall", ZERO),
    _M("capture", ZERO),
    _M("reset_alarm", ZERO),
    _M("synchronize_clock", ZERO),
    _M("data_send", array_kind(DataDefinitionElement)),
    _M("set_encryption_key", OCTETS),
    _M("transfer_key", OCTETS),
)

CLASSES: tuple[ClassSpec, ...] = (
    ClassSpec(
        25,
        0,
        "M-Bus slave port setup",
        (
            _A("default_baud", _BAUD),
            _A("avail_baud", _BAUD),
            _A("addr_state", enum_kind(AddressState)),
            _A("bus_address", U8),
        ),
    ),
    ClassSpec(72, 0, "M-Bus client", _MBUS_CLIENT_V0, _MBUS_CLIENT_METHODS),
    ClassSpec(
        72,
        1,
        "M-Bus client",
        (
            *_MBUS_CLIENT_V0,
            _A("configuration", U16),
            _A("encryption_key_status", enum_kind(EncryptionKeyStatus), _DYN),
        ),
        _MBUS_CLIENT_METHODS,
    ),
    ClassSpec(
        73,
        1,
        "Wireless mode Q channel",
        (
            _A("addr_state", enum_kind(AddressState)),
            _A("device_address", OCTETS),
            _A("address_mask", OCTETS),
        ),
    ),
    ClassSpec(74, 0, "M-Bus master port setup", (_A("comm_speed", _BAUD),)),
    ClassSpec(
        76,
        0,
        "DLMS/COSEM server M-Bus port setup",
        (
            _A("mbus_profile_selection", OBIS),
            _A("port_communication_status", enum_kind(PortCommunicationStatus), _DYN),
            _A("data_header_type", enum_kind(MbusDataHeaderType)),
            _A("primary_address", U8),
            _A("identification_number", U32),
            _A("manufacturer_id", U16),
            _A("mbus_version", U8),
            _A("device_type", U8),
            _A("max_pdu_size", U16),
            _A("listening_window", array_kind(WindowElement)),
        ),
    ),
    ClassSpec(
        77,
        0,
        "M-Bus diagnostic",
        (
            _A("received_signal_strength", U8, _DYN),
            _A("channel_id", U8),
            _A("link_status", enum_kind(LinkStatus), _DYN),
            _A("broadcast_frames_counter", array_kind(BroadcastFrameCounter), _DYN),
            _A("transmissions_counter", U32, _DYN),
            _A("fcs_ok_frames_counter", U32, _DYN),
            _A("fcs_nok_frames_counter", U32, _DYN),
            _A("capture_time", StructKind(CaptureTime), _DYN),
        ),
        (_M("reset", ZERO),),
    ),
)
