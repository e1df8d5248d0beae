"""Notification APDUs and the DLMS gateway envelope (Green Book 9.5, xDLMS APDU ASN.1).

====  ==========================  ===========================================================
tag   APDU                        layout (A-XDR)
====  ==========================  ===========================================================
0F    data-notification           long-invoke-id-and-priority, date-time, notification-body
10    data-notification-confirm   long-invoke-id-and-priority, date-time
C2    event-notification-request  time OPTIONAL, cosem-attribute-descriptor, attribute-value
E6    gateway-request             network-id, physical-device-address, pdu
E7    gateway-response            network-id, physical-device-address, pdu
====  ==========================  ===========================================================

Sources for the tag values: the XDLMS-APDU CHOICE (``data-notification [15]``,
``event-notification-request [194]``; the Green Book reserves 230/231 for the DLMS
gateway) and Gurux's ``Command`` enumeration (``DATA_NOTIFICATION = 0x0F``,
``EVENT_NOTIFICATION = 0xC2``, ``GATEWAY_REQUEST = 0xE6``, ``GATEWAY_RESPONSE = 0xE7``;
``DataNotificationConfirm = 16`` in Gurux/gxdlms-go ``enums/Command.go``).

**date-time.** In data-notification (and data-notification-confirm, access-request and
access-response) the date-time is an ``OCTET STRING`` that A-XDR writes as a
length-prefixed octet string; a zero length means "no time". Some meters (Kaifa, see
vectors PUSH-12 and PUSH-21) put the Data tag of an octet-string in front (``09 0C`` + 12
bytes). Both forms decode; :class:`DateTimeForm` records which one was used so that the
APDU re-encodes byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Self

from dlmskit import axdr
from dlmskit._buffer import Reader
from dlmskit.apdu._base import Apdu, decode, register
from dlmskit.apdu.common import (
    CosemAttributeDescriptor,
    LongInvokeIdAndPriority,
    as_cosem_date_time,
    check_data,
    check_range,
    read_data,
    read_octets,
    write_octets,
)
from dlmskit.cosem_time import CosemDateTime

__all__ = [
    "DataNotification",
    "DataNotificationConfirm",
    "DateTimeForm",
    "EventNotificationRequest",
    "GatewayRequest",
    "GatewayResponse",
    "check_data",
    "check_date_time",
    "read_date_time",
    "to_octet_string",
    "write_date_time",
]

#: The A-XDR Data tag of an octet-string: the prefix of the tagged date-time form.
_OCTET_STRING_TAG = 0x09
#: The length of a COSEM date-time (Blue Book 4.1.6.1).
_DATE_TIME_SIZE = 12


class DateTimeForm(IntEnum):
    """How a date-time octet string was written on the wire.

    ``LENGTH_PREFIXED``: the A-XDR form the ASN.1 prescribes (``0C`` + 12 bytes, ``00``
    for "no time"; in event-notification-request the presence flag ``01`` comes first).

    ``TAGGED``: preceded by the Data tag of an octet-string. In a data-notification this is
    ``09 0C`` + 12 bytes (Kaifa meters, vectors PUSH-12/PUSH-21); in an
    event-notification-request it is the presence octet ``09`` instead of ``01`` (what
    Gurux writes).
    """

    LENGTH_PREFIXED = 0
    TAGGED = 1


# -- shared field helpers (also used by dlmskit.apdu.access and dlmskit.apdu.sn) --------


def to_octet_string(name: str, value: object) -> axdr.OctetString:
    """Coerce ``bytes`` to :class:`axdr.OctetString` (which keeps its length form)."""
    if isinstance(value, axdr.OctetString):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return axdr.OctetString(bytes(value))
    raise TypeError(f"{name} must be bytes, not {type(value).__name__}")


def _check_form(name: str, form: object) -> DateTimeForm:
    if form.__class__ is DateTimeForm:  # what the decoder passes: nothing to convert
        return form
    if isinstance(form, bool) or not isinstance(form, int):
        raise TypeError(f"{name}-form must be a DateTimeForm, not {type(form).__name__}")
    try:
        return DateTimeForm(form)
    except ValueError:
        raise ValueError(f"{name}-form must be a DateTimeForm, got {form!r}") from None


def check_date_time(
    name: str, value: object, form: object
) -> tuple[axdr.OctetString | None, DateTimeForm]:
    """Validate a date-time OCTET STRING field where zero length means absent.

    Returns the normalised ``(value, form)``: an empty octet string in the minimal length
    form becomes ``None`` (it is the same ``00`` on the wire). Refuses what would not
    decode back to the same value: the tagged form is only recognised as ``09 0C`` + 12
    bytes, so it needs exactly 12 bytes; and a 9-byte length-prefixed value starting with
    ``0C`` would read back as the tagged form.
    """
    checked_form = _check_form(name, form)
    octets = None if value is None else to_octet_string(name, value)
    if octets is not None and not octets and octets.length_form is None:
        octets = None
    if checked_form is DateTimeForm.TAGGED:
        if octets is None or len(octets) != _DATE_TIME_SIZE or octets.length_form is not None:
            raise ValueError(
                f"{name} in the tagged form (09 0C + 12 bytes) must be 12 bytes "
                "with the minimal length"
            )
    elif (
        # Written as 09 0C ...: the length 9 reads as the octet-string tag, the first
        # octet 0C as the length of a tagged date-time.
        octets is not None
        and len(octets) == 9
        and octets.length_form is None
        and octets[0] == _DATE_TIME_SIZE
    ):
        raise ValueError(
            f"{name}: 9 bytes starting with 0C are ambiguous with the tagged form (09 0C ...)"
        )
    return octets, checked_form


def read_date_time(reader: Reader, what: str) -> tuple[axdr.OctetString | None, DateTimeForm]:
    """A date-time OCTET STRING (zero length = absent) in either :class:`DateTimeForm`."""
    pos = reader.pos
    first = reader.peek_u8(what)
    if (
        first == _OCTET_STRING_TAG
        and pos + 1 < reader.end
        and reader.buf[pos + 1] == _DATE_TIME_SIZE
    ):
        reader.pos = pos + 1
        content = reader.bytes(_DATE_TIME_SIZE + 1, what)[1:]
        return axdr.OctetString(content), DateTimeForm.TAGGED
    content, form = read_octets(reader, what)
    if not content and form is None:
        return None, DateTimeForm.LENGTH_PREFIXED
    return axdr.OctetString(content).with_length_form(form), DateTimeForm.LENGTH_PREFIXED


def write_date_time(out: bytearray, value: axdr.OctetString | None, form: DateTimeForm) -> None:
    if form is DateTimeForm.TAGGED:
        out.append(_OCTET_STRING_TAG)
    if value is None:
        out.append(0)
    else:
        write_octets(out, value, value.length_form)


def _check_invoke_id(value: object) -> None:
    if not isinstance(value, LongInvokeIdAndPriority):
        raise TypeError(
            "long-invoke-id-and-priority must be a LongInvokeIdAndPriority, "
            f"not {type(value).__name__}"
        )


# -- data-notification -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DataNotification(Apdu):
    """Data-Notification (tag 0x0F): a push from the server, confirmed or not::

        0F  long-invoke-id-and-priority (4)  date-time  notification-body (Data)

        date-time  00                   absent
                   0C <12 bytes>        LENGTH_PREFIXED (any A-XDR length)
                   09 0C <12 bytes>     TAGGED (Kaifa quirk)

    ``date_time`` holds the raw octets (``None`` when absent); :attr:`datetime` reads a
    12-byte value as a :class:`~dlmskit.cosem_time.CosemDateTime`.
    """

    TAG = 0x0F
    NAME = "data-notification"

    long_invoke_id_and_priority: LongInvokeIdAndPriority
    date_time: axdr.OctetString | None = None
    notification_body: axdr.Value
    date_time_form: DateTimeForm = DateTimeForm.LENGTH_PREFIXED

    def __post_init__(self) -> None:
        _check_invoke_id(self.long_invoke_id_and_priority)
        value, form = check_date_time("date-time", self.date_time, self.date_time_form)
        object.__setattr__(self, "date_time", value)
        object.__setattr__(self, "date_time_form", form)
        check_data("notification-body", self.notification_body)

    @property
    def datetime(self) -> CosemDateTime | None:
        """The date-time as a COSEM date-time (``None`` if absent or not 12 bytes)."""
        return as_cosem_date_time(self.date_time)

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        self.long_invoke_id_and_priority.write(out)
        write_date_time(out, self.date_time, self.date_time_form)
        out += axdr.encode(self.notification_body)


@register(DataNotification.TAG, DataNotification.NAME)
def _read_data_notification(reader: Reader) -> DataNotification:
    invoke = LongInvokeIdAndPriority.read(reader)
    date_time, form = read_date_time(reader, "date-time")
    return DataNotification(
        long_invoke_id_and_priority=invoke,
        date_time=date_time,
        date_time_form=form,
        notification_body=read_data(reader),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DataNotificationConfirm(Apdu):
    """Data-Notification-Confirm (tag 0x10): the client's answer to a confirmed push::

        10  long-invoke-id-and-priority (4)  date-time (as in data-notification)

    The tag is Gurux's ``DataNotificationConfirm = 16`` (Gurux/gxdlms-go
    ``enums/Command.go``); the layout (long-invoke-id-and-priority, date-time OCTET
    STRING) is the Green Book 8.3 ASN.1 as transcribed in youserj/COSEMpdu_project.
    """

    TAG = 0x10
    NAME = "data-notification-confirm"

    long_invoke_id_and_priority: LongInvokeIdAndPriority
    date_time: axdr.OctetString | None = None
    date_time_form: DateTimeForm = DateTimeForm.LENGTH_PREFIXED

    def __post_init__(self) -> None:
        _check_invoke_id(self.long_invoke_id_and_priority)
        value, form = check_date_time("date-time", self.date_time, self.date_time_form)
        object.__setattr__(self, "date_time", value)
        object.__setattr__(self, "date_time_form", form)

    @property
    def datetime(self) -> CosemDateTime | None:
        return as_cosem_date_time(self.date_time)

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        self.long_invoke_id_and_priority.write(out)
        write_date_time(out, self.date_time, self.date_time_form)


@register(DataNotificationConfirm.TAG, DataNotificationConfirm.NAME)
def _read_data_notification_confirm(reader: Reader) -> DataNotificationConfirm:
    invoke = LongInvokeIdAndPriority.read(reader)
    date_time, form = read_date_time(reader, "date-time")
    return DataNotificationConfirm(
        long_invoke_id_and_priority=invoke, date_time=date_time, date_time_form=form
    )


# -- event-notification-request ------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class EventNotificationRequest(Apdu):
    """EVENT-NOTIFICATION-Request (tag 0xC2): a server reports an attribute value::

        C2  time OPTIONAL  cosem-attribute-descriptor (9)  attribute-value (Data)

        time  00                  absent
              01 0C <12 bytes>    present (A-XDR presence flag + octet string)
              09 0C <12 bytes>    present, TAGGED (the form Gurux writes)

    An empty octet string after a presence flag (``01 00``) is kept as ``b""``.
    """

    TAG = 0xC2
    NAME = "event-notification-request"

    time: axdr.OctetString | None = None
    cosem_attribute_descriptor: CosemAttributeDescriptor
    attribute_value: axdr.Value
    time_form: DateTimeForm = DateTimeForm.LENGTH_PREFIXED

    def __post_init__(self) -> None:
        form = _check_form("time", self.time_form)
        object.__setattr__(self, "time_form", form)
        if self.time is not None:
            object.__setattr__(self, "time", to_octet_string("time", self.time))
        elif form is DateTimeForm.TAGGED:
            raise ValueError("time: the tagged form needs a time (absent is always 00)")
        if not isinstance(self.cosem_attribute_descriptor, CosemAttributeDescriptor):
            raise TypeError(
                "cosem-attribute-descriptor must be a CosemAttributeDescriptor, "
                f"not {type(self.cosem_attribute_descriptor).__name__}"
            )
        check_data("attribute-value", self.attribute_value)

    @property
    def datetime(self) -> CosemDateTime | None:
        return as_cosem_date_time(self.time)

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        if self.time is None:
            out.append(0)
        else:
            out.append(_OCTET_STRING_TAG if self.time_form is DateTimeForm.TAGGED else 1)
            write_octets(out, self.time, self.time.length_form)
        self.cosem_attribute_descriptor.write(out)
        out += axdr.encode(self.attribute_value)


@register(EventNotificationRequest.TAG, EventNotificationRequest.NAME)
def _read_event_notification_request(reader: Reader) -> EventNotificationRequest:
    pos = reader.pos
    flag = reader.u8("the presence flag of time")
    time: axdr.OctetString | None = None
    form = DateTimeForm.LENGTH_PREFIXED
    if flag in (1, _OCTET_STRING_TAG):
        content, length_form = read_octets(reader, "time")
        time = axdr.OctetString(content).with_length_form(length_form)
        if flag == _OCTET_STRING_TAG:
            form = DateTimeForm.TAGGED
    elif flag != 0:
        raise reader.error(f"presence flag of time must be 00, 01 or 09, got 0x{flag:02X}", pos)
    return EventNotificationRequest(
        time=time,
        time_form=form,
        cosem_attribute_descriptor=CosemAttributeDescriptor.read(reader),
        attribute_value=read_data(reader),
    )


# -- DLMS gateway ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Gateway(Apdu):
    network_id: int
    physical_device_address: axdr.OctetString
    pdu: bytes

    def __post_init__(self) -> None:
        check_range("network-id", self.network_id, 0, 0xFF)
        object.__setattr__(
            self,
            "physical_device_address",
            to_octet_string("physical-device-address", self.physical_device_address),
        )
        if not isinstance(self.pdu, bytes | bytearray | memoryview):
            raise TypeError(f"pdu must be bytes, not {type(self.pdu).__name__}")
        object.__setattr__(self, "pdu", bytes(self.pdu))
        if not self.pdu:
            raise ValueError("pdu must not be empty")

    def inner(self) -> Apdu:
        """Decode :attr:`pdu` through the APDU registry."""
        return decode(self.pdu)

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        out.append(self.network_id)
        address = self.physical_device_address
        write_octets(out, address, address.length_form)
        out += self.pdu

    @classmethod
    def _read(cls, reader: Reader) -> Self:
        network_id = reader.u8("network-id")
        address, form = read_octets(reader, "physical-device-address")
        pdu = reader.rest()
        if not pdu:
            raise reader.error("expected the pdu, 0 bytes left")
        return cls(
            network_id=network_id,
            physical_device_address=axdr.OctetString(address).with_length_form(form),
            pdu=pdu,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayRequest(_Gateway):
    """Gateway request (tag 0xE6): an APDU for a device behind a DLMS gateway::

        E6  network-id (1)  physical-device-address (length-prefixed)  pdu (to the end)

    The pdu is not length-prefixed: it runs to the end of the APDU, as Gurux writes and
    reads it (gurux_dlms ``GXDLMS.getLNPdu`` / ``getPdu``, Gurux/gxdlms-go ``GXDLMS.go``),
    the only public implementation. So a truncated gateway APDU is still a gateway APDU
    with a shorter pdu, and an HDLC LLC header ``E6 E7 00`` in front of an APDU reads as a
    gateway request (network-id 0xE7, empty address): strip LLC headers first.
    :meth:`inner` decodes the pdu.
    """

    TAG = 0xE6
    NAME = "gateway-request"


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayResponse(_Gateway):
    """Gateway response (tag 0xE7): the device's answer, relayed by the gateway::

    E7  network-id (1)  physical-device-address (length-prefixed)  pdu (to the end)
    """

    TAG = 0xE7
    NAME = "gateway-response"


@register(GatewayRequest.TAG, GatewayRequest.NAME)
def _read_gateway_request(reader: Reader) -> GatewayRequest:
    return GatewayRequest._read(reader)


@register(GatewayResponse.TAG, GatewayResponse.NAME)
def _read_gateway_response(reader: Reader) -> GatewayResponse:
    return GatewayResponse._read(reader)
