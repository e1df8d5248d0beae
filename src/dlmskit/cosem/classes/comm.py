"""Communication set-up interface classes (Blue Book, DLMS UA 1000-1, 4.7 and 4.8 family).

Declared here, by (class id, version):

======  ===========================  ========  ==============================================
class   name                         versions  notes
======  ===========================  ========  ==============================================
19      IEC local port setup         0, 1      IEC 62056-21 optical / local port
23      IEC HDLC setup               0, 1      v0: max info field lengths ``unsigned``
24      IEC twisted pair (1) setup   0, 1      v0 per IEC 62056-62 A.6; v1 adds mode, speed
27      Modem configuration          0, 1      v1 adds ``delay_after_response``
28      Auto answer                  0, 2      v2 adds ``list_of_allowed_callers``
29      Auto connect                 0, 1, 2   v0 "PSTN auto dial"; v1/v2 add ``connect``
30      Data protection              0         protection parameters as in push setup v1
40      Push setup                   0, 1, 2   v1 and v2 add attributes, v2 method reset
41      TCP-UDP setup                0
42      IPv4 setup                   0         3 methods (multicast addresses)
43      MAC address setup            0
44      PPP setup                    0
45      GPRS modem setup             0
46      SMTP setup                   0
47      GSM diagnostic               0, 1      v1 widens cell ids and adds MCC/MNC/channel
48      IPv6 setup                   0         2 methods (add/remove address)
100     NTP setup                    0         3 methods
151     LTE monitoring               0, 1
152     CoAP setup                   0         as the Gurux class file documents it
153     CoAP diagnostic              0         method reset
======  ===========================  ========  ==============================================

Structured attribute values decode into the value types below (frozen dataclasses with
``from_data``/``to_data``, byte-exact for the minimal A-XDR forms). Facts come from the
Blue Book attribute tables as public projects document them (Gurux GXDLMS*.cs class files,
the DLMS_SPODES Python project); no code was copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from dlmskit import axdr
from dlmskit.apdu.common import OpenIntEnum
from dlmskit.cosem.classes._declare import (
    ANY,
    BOOL,
    DATE_TIME,
    DATE_TIME_TAGGED,
    I8,
    IPV4,
    IPV6,
    OBIS,
    OCTETS,
    U8,
    U16,
    U32,
    VISIBLE,
    ZERO,
    AttrSpec,
    ClassSpec,
    IntKind,
    MethSpec,
    NullOrKind,
    StructKind,
    ValueStruct,
    array_kind,
    describe_value,
    enum_kind,
    kind_field,
)
from dlmskit.cosem_time import CosemDateTime
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis

if TYPE_CHECKING:
    from dlmskit.cosem.types import CaptureObjectDefinition

__all__ = [
    "AdjacentCell",
    "AdjacentCellV0",
    "AllowedCaller",
    "AuthenticationKey",
    "AutoAnswerMode",
    "AutoAnswerStatus",
    "AutoConnectMode",
    "BaudRate",
    "CallType",
    "CellInfo",
    "CellInfoV0",
    "CoapBlockTransferCounter",
    "CoapCaptureTime",
    "CoapMessagesCounter",
    "CoapRequestResponseCounter",
    "CoapTransportMode",
    "ConfirmationParameters",
    "CoverageEnhancement",
    "CsAttachment",
    "GsmStatus",
    "InitialisationString",
    "InitialisationStringV0",
    "IpOption",
    "IpOptionType",
    "Ipv6AddressConfigMode",
    "Ipv6AddressParameter",
    "Ipv6AddressType",
    "KeyInfo",
    "KeyInfoType",
    "LcpOption",
    "LocalPortMode",
    "LteNetworkParameters",
    "LteQualityOfService",
    "MessageType",
    "NeighborDiscoverySetup",
    "NtpAuthenticationMethod",
    "NumberOfRings",
    "PppAuthentication",
    "ProtectionOptions",
    "ProtectionType",
    "PsStatus",
    "PushObject",
    "PushOperationMethod",
    "PushProtectionParameter",
    "QosElement",
    "QualityOfService",
    "RepetitionDelay",
    "ResponseTime",
    "RestrictionElement",
    "RestrictionType",
    "SendDestinationAndMethod",
    "TransportService",
    "TwistedPairMode",
    "WindowElement",
]


# ---------------------------------------------------------------------------------------
# Enumerations (open: values the table does not name are kept as UNKNOWN_<n>)
# ---------------------------------------------------------------------------------------


class BaudRate(OpenIntEnum):
    """``comm_speed`` / ``default_baud`` / ``prop_baud`` (classes 19, 23, 24, 25, 27, 74)."""

    BAUD_300 = 0
    BAUD_600 = 1
    BAUD_1200 = 2
    BAUD_2400 = 3
    BAUD_4800 = 4
    BAUD_9600 = 5
    BAUD_19200 = 6
    BAUD_38400 = 7
    BAUD_57600 = 8
    BAUD_115200 = 9

    @property
    def bits_per_second(self) -> int | None:
        """The rate in bit/s (``None`` for a value the table does not define)."""
        return _BAUDS.get(int(self))


_BAUDS = {0: 300, 1: 600, 2: 1200, 3: 2400, 4: 4800, 5: 9600, 6: 19200, 7: 38400}
_BAUDS.update({8: 57600, 9: 115200})


class LocalPortMode(OpenIntEnum):
    """IEC local port setup ``default_mode`` (class 19)."""

    IEC_62056_21 = 0  # protocol according to IEC 62056-21 (modes A..E)
    DLMS_UA_1000_2 = 1  # DLMS/COSEM over HDLC (IEC 62056-46 / Green Book)
    NOT_SPECIFIED = 2


class ResponseTime(OpenIntEnum):
    """IEC local port setup ``response_time`` (minimum time between request and reply)."""

    MS_20 = 0
    MS_200 = 1


class TwistedPairMode(OpenIntEnum):
    """IEC twisted pair setup ``mode``."""

    INACTIVE = 0
    ACTIVE = 1


class AutoAnswerMode(OpenIntEnum):
    """Auto answer ``mode`` (200..255 manufacturer specific)."""

    LINE_DEDICATED = 0
    SHARED_LINE_LIMITED_CALLS = 1
    SHARED_LINE_LIMITED_SUCCESSFUL_CALLS = 2
    NO_MODEM_CONNECTED = 3


class AutoAnswerStatus(OpenIntEnum):
    """Auto answer ``status``."""

    INACTIVE = 0
    ACTIVE = 1
    LOCKED = 2


class CallType(OpenIntEnum):
    """Auto answer v2 ``list_of_allowed_callers`` call type."""

    NORMAL_CSD = 0
    WAKE_UP_REQUEST = 1


class AutoConnectMode(OpenIntEnum):
    """Auto connect ``mode`` (v0 uses 0..3; v1 adds 4..6; v2 adds 101..104)."""

    NO_AUTO_DIALLING = 0
    AUTO_DIALLING_ANYTIME = 1
    AUTO_DIALLING_WITHIN_WINDOW = 2
    REGULAR_WITHIN_WINDOW_ALARM_ANYTIME = 3
    SMS_VIA_PLMN = 4
    SMS_VIA_PSTN = 5
    EMAIL = 6
    PERMANENTLY_CONNECTED = 101
    CONNECTED_WITHIN_WINDOW = 102
    CONNECTED_WITHIN_WINDOW_AND_ON_INVOKE = 103
    DISCONNECTED_CONNECT_ON_INVOKE = 104


class TransportService(OpenIntEnum):
    """Push setup ``send_destination_and_method.transport_service`` (200.. manufacturer)."""

    TCP = 0
    UDP = 1
    FTP = 2
    SMTP = 3
    SMS = 4
    HDLC = 5
    M_BUS = 6
    ZIGBEE = 7
    DLMS_GATEWAY = 8


class MessageType(OpenIntEnum):
    """Push setup ``send_destination_and_method.message`` (128.. manufacturer)."""

    A_XDR_APDU = 0
    XML_APDU = 1


class RestrictionType(OpenIntEnum):
    """Push setup v1/v2 ``restriction_element.restriction_type``."""

    NONE = 0
    BY_DATE = 1
    BY_ENTRY = 2


class ProtectionType(OpenIntEnum):
    """``push_protection_parameters`` protection type (as in Data protection, class 30)."""

    AUTHENTICATION = 0
    ENCRYPTION = 1
    AUTHENTICATED_ENCRYPTION = 2
    DIGITAL_SIGNATURE = 3


class KeyInfoType(OpenIntEnum):
    """``key_info.key_info_type``."""

    IDENTIFIED_KEY = 0
    WRAPPED_KEY = 1
    AGREED_KEY = 2


class PushOperationMethod(OpenIntEnum):
    """Push setup v2 ``push_operation_method``."""

    UNCONFIRMED_RETRY_ON_FAILURE = 0
    UNCONFIRMED_RETRY_ON_SUPPORTING_LAYER_FAILURE = 1
    CONFIRMED_RETRY_ON_MISSING_CONFIRMATION = 2


class IpOptionType(OpenIntEnum):
    """IPv4 setup ``IP_options`` option type (the IPv4 option numbers, RFC 791)."""

    RECORD_ROUTE = 0x07
    INTERNET_TIMESTAMP = 0x44
    SECURITY = 0x82
    LOOSE_SOURCE_AND_RECORD_ROUTE = 0x83
    STRICT_SOURCE_AND_RECORD_ROUTE = 0x89


class GsmStatus(OpenIntEnum):
    """GSM diagnostic ``status`` (network registration, 3GPP TS 27.007 +CREG)."""

    NOT_REGISTERED = 0
    REGISTERED_HOME = 1
    NOT_REGISTERED_SEARCHING = 2
    REGISTRATION_DENIED = 3
    UNKNOWN = 4
    REGISTERED_ROAMING = 5


class CsAttachment(OpenIntEnum):
    """GSM diagnostic ``cs_attachment`` (circuit switched)."""

    INACTIVE = 0
    INCOMING_CALL = 1
    ACTIVE = 2


class PsStatus(OpenIntEnum):
    """GSM diagnostic ``ps_status`` (packet switched)."""

    INACTIVE = 0
    GPRS = 1
    EDGE = 2
    UMTS = 3
    HSDPA = 4
    LTE = 5
    CAT_M1 = 6
    NB_IOT = 7


class Ipv6AddressConfigMode(OpenIntEnum):
    """IPv6 setup ``address_config_mode``."""

    AUTO_CONFIGURATION = 0
    DHCPV6 = 1
    MANUAL = 2
    NEIGHBOUR_DISCOVERY = 3


class Ipv6AddressType(OpenIntEnum):
    """IPv6 setup method parameter ``address_type``."""

    UNICAST = 0
    MULTICAST = 1
    GATEWAY = 2


class NtpAuthenticationMethod(OpenIntEnum):
    """NTP setup ``authentication_method``."""

    NO_SECURITY = 0
    SHARED_SECRETS = 1
    IFF = 2  # identify friend or foe (autokey)


class CoverageEnhancement(OpenIntEnum):
    """LTE monitoring ``quality_of_service.coverage_enhancement`` (CE level)."""

    CE_LEVEL_0 = 0
    CE_LEVEL_1 = 1
    CE_LEVEL_2 = 2
    CE_LEVEL_3 = 3


# ---------------------------------------------------------------------------------------
# Value types
# ---------------------------------------------------------------------------------------

_value = dataclass(frozen=True, slots=True, kw_only=True)


@_value
class WindowElement(ValueStruct):
    """``window_element ::= structure {start_time: octet-string, end_time: octet-string}``.

    Both are COSEM date-times (wildcards allowed: a daily window leaves the date
    unspecified); an empty octet-string reads as ``None``. Used by Auto answer
    ``listening_window``, Auto connect ``calling_window``, Push setup
    ``communication_window`` and DLMS/COSEM server M-Bus port setup.
    """

    start: CosemDateTime | None = kind_field(DATE_TIME)
    end: CosemDateTime | None = kind_field(DATE_TIME)


@_value
class InitialisationStringV0(ValueStruct):
    """Modem configuration v0 element: ``structure {request, response}`` (octet-strings)."""

    request: bytes = kind_field(OCTETS)
    response: bytes = kind_field(OCTETS)


@_value
class InitialisationString(ValueStruct):
    """Modem configuration v1 element: v0 plus ``delay_after_response`` (long-unsigned, ms)."""

    request: bytes = kind_field(OCTETS)
    response: bytes = kind_field(OCTETS)
    delay_after_response: int = kind_field(U16)


@_value
class NumberOfRings(ValueStruct):
    """Auto answer ``number_of_rings``: rings before answering, in / out of the window."""

    in_window: int = kind_field(U8)
    out_of_window: int = kind_field(U8)


@_value
class AllowedCaller(ValueStruct):
    """Auto answer v2 ``list_of_allowed_callers`` element: ``{caller_id, call_type}``."""

    caller_id: bytes = kind_field(OCTETS)
    call_type: CallType = kind_field(enum_kind(CallType))


@_value
class SendDestinationAndMethod(ValueStruct):
    """Push setup ``send_destination_and_method``.

    ``structure {transport_service: enum, destination: octet-string, message: enum}``;
    ``destination`` is e.g. ``b"192.168.1.10:4059"`` for TCP or a phone number for SMS.
    """

    transport_service: TransportService = kind_field(enum_kind(TransportService))
    destination: bytes = kind_field(OCTETS)
    message: MessageType = kind_field(enum_kind(MessageType))


@_value
class RestrictionElement(ValueStruct):
    """Push setup v1/v2 ``restriction_element ::= structure {restriction_type, value}``.

    ``restriction_value`` is a CHOICE: null-data (no restriction), ``structure {from
    date-time, to date-time}`` (by date) or ``structure {from_entry, to_entry}`` (by
    entry); it is kept as the decoded A-XDR value.
    """

    restriction_type: RestrictionType = kind_field(enum_kind(RestrictionType))
    restriction_value: axdr.Value = kind_field(ANY)


def _capture_object_definition() -> type[CaptureObjectDefinition]:
    # Imported on use: cosem/types builds on classes/_declare, and importing it first
    # loads this package, so a module-level import would be circular.
    from dlmskit.cosem.types import CaptureObjectDefinition  # noqa: PLC0415

    return CaptureObjectDefinition


@dataclass(frozen=True, slots=True, kw_only=True)
class PushObject:
    """One ``push_object_list`` element (Push setup, Blue Book 4.4.8).

    ::

        version 0: structure {class_id: long-unsigned, logical_name: octet-string,
                              attribute_index: integer, data_index: long-unsigned}
        version 1: ... + restriction: restriction_element
        version 2: ... + restriction + columns: array capture_object_definition

    ``attribute_index`` 0 pushes the whole object (all attributes); ``data_index`` 0 the
    whole attribute. The element's length gives its form: ``restriction``/``columns`` are
    ``None`` when absent, and ``to_data`` writes the same form back.
    """

    class_id: int
    logical_name: Obis
    attribute_index: int
    data_index: int = 0
    restriction: RestrictionElement | None = None
    columns: tuple[CaptureObjectDefinition, ...] | None = None

    def __post_init__(self) -> None:
        if self.columns is not None and self.restriction is None:
            raise ValueError("a push object with columns (version 2) needs a restriction")
        if isinstance(self.logical_name, str):
            object.__setattr__(self, "logical_name", Obis.parse(self.logical_name))
        if self.columns is not None:
            object.__setattr__(self, "columns", tuple(self.columns))
        self.to_data()

    @classmethod
    def from_data(cls, value: axdr.Value) -> Self:
        """Read a 4-, 5- or 6-element structure (versions 0, 1, 2)."""
        if not isinstance(value, axdr.Structure) or len(value) not in {4, 5, 6}:
            raise DecodeError(
                "PushObject must be a structure of 4 (v0), 5 (v1) or 6 (v2) elements, "
                f"got {describe_value(value)}"
            )
        where = "PushObject"
        restriction = columns = None
        if len(value) >= 5:
            restriction = StructKind(RestrictionElement).decode(value[4], f"{where}.restriction")
        if len(value) == 6:
            columns = array_kind(_capture_object_definition()).decode(value[5], f"{where}.columns")
        return cls(
            class_id=U16.decode(value[0], f"{where}.class_id"),
            logical_name=OBIS.decode(value[1], f"{where}.logical_name"),
            attribute_index=I8.decode(value[2], f"{where}.attribute_index"),
            data_index=U16.decode(value[3], f"{where}.data_index"),
            restriction=restriction,
            columns=columns,
        )

    def to_data(self) -> axdr.Value:
        """The A-XDR structure, in the form (4, 5 or 6 elements) this value has."""
        where = "PushObject"
        items: list[axdr.Value] = [
            U16.encode(self.class_id, f"{where}.class_id"),
            OBIS.encode(self.logical_name, f"{where}.logical_name"),
            I8.encode(self.attribute_index, f"{where}.attribute_index"),
            U16.encode(self.data_index, f"{where}.data_index"),
        ]
        if self.restriction is not None:
            items.append(StructKind(RestrictionElement).encode(self.restriction, where))
        if self.columns is not None:
            columns = array_kind(_capture_object_definition())
            items.append(columns.encode(self.columns, f"{where}.columns"))
        return axdr.Structure(items)

    @classmethod
    def describe(cls) -> str:
        """The Blue Book layout (version 0 form; v1/v2 append restriction, columns)."""
        return (
            "structure {long-unsigned class_id, octet-string(6) logical_name, "
            "integer attribute_index, long-unsigned data_index[, restriction[, columns]]}"
        )


@_value
class RepetitionDelay(ValueStruct):
    """Push setup v2 ``repetition_delay``: delay = min × exponent^(retry-1), capped at max.

    ``structure {repetition_delay_min, repetition_delay_exponent, repetition_delay_max}``
    (long-unsigned each; seconds, exponent in 1/100).
    """

    minimum: int = kind_field(U16)
    exponent: int = kind_field(U16)
    maximum: int = kind_field(U16)


@_value
class KeyInfo(ValueStruct):
    """``key_info ::= structure {key_info_type: enum, key_info_options: CHOICE}``.

    The options (identified key: ``structure {key_id enum}``; wrapped key: ``structure
    {kek_id, key_ciphered_data}``; agreed key: ``structure {key_parameters,
    key_ciphered_data}``) are kept as the decoded A-XDR value.
    """

    key_info_type: KeyInfoType = kind_field(enum_kind(KeyInfoType))
    key_info_options: axdr.Value = kind_field(ANY)


@_value
class ProtectionOptions(ValueStruct):
    """``protection_options`` of a push protection parameter (octet-strings + key_info)."""

    transaction_id: bytes = kind_field(OCTETS)
    originator_system_title: bytes = kind_field(OCTETS)
    recipient_system_title: bytes = kind_field(OCTETS)
    other_information: bytes = kind_field(OCTETS)
    key_info: KeyInfo = kind_field(StructKind(KeyInfo))


@_value
class PushProtectionParameter(ValueStruct):
    """Push setup v1/v2 ``push_protection_parameters`` element."""

    protection_type: ProtectionType = kind_field(enum_kind(ProtectionType))
    protection_options: ProtectionOptions = kind_field(StructKind(ProtectionOptions))


@_value
class ConfirmationParameters(ValueStruct):
    """Push setup v2 ``confirmation_parameters ::= structure {start_date, interval}``.

    ``confirmation_start_date`` is a date-time (tag 25, as Gurux and DLMS_SPODES send it);
    ``confirmation_interval`` double-long-unsigned seconds.
    """

    confirmation_start_date: CosemDateTime = kind_field(DATE_TIME_TAGGED)
    confirmation_interval: int = kind_field(U32)


@_value
class IpOption(ValueStruct):
    """IPv4 setup ``IP_options`` element: ``{IP_option_type, IP_option_length, data}``."""

    ip_option_type: IpOptionType = kind_field(enum_kind(IpOptionType))
    ip_option_length: int = kind_field(U8)
    ip_option_data: bytes = kind_field(OCTETS)


# PPP option types are ``enum`` in the Blue Book; Gurux writes them as ``unsigned``: both
# are accepted and kept (the integer keeps its A-XDR type).
_PPP_OPTION_TYPE = IntKind(axdr.Enum, any_int=True)


@_value
class LcpOption(ValueStruct):
    """PPP setup ``LCP_options`` / ``IPCP_options`` element.

    ``structure {option_type: enum, option_length: unsigned, option_data: CHOICE}`` (LCP
    types per RFC 1661: 1 MRU, 3 authentication protocol, 5 magic number, ...; IPCP per
    RFC 1332/1877: 3 IP address, 129/131 DNS).
    """

    option_type: int = kind_field(_PPP_OPTION_TYPE)
    option_length: int = kind_field(U8)
    option_data: axdr.Value = kind_field(ANY)


@_value
class PppAuthentication(ValueStruct):
    """PPP setup ``PPP_authentication`` for PAP: ``structure {user_name, password}``.

    The attribute is a CHOICE; null-data (no authentication) decodes to ``None``.
    """

    user_name: bytes = kind_field(OCTETS)
    password: bytes = kind_field(OCTETS)

    def __repr__(self) -> str:
        # Secrets stay secret (DESIGN.md rule 10).
        return f"PppAuthentication(user_name={self.user_name!r}, password=<redacted>)"


@_value
class QosElement(ValueStruct):
    """GPRS ``qos_element``: precedence, delay, reliability, peak and mean throughput."""

    precedence: int = kind_field(U8)
    delay: int = kind_field(U8)
    reliability: int = kind_field(U8)
    peak_throughput: int = kind_field(U8)
    mean_throughput: int = kind_field(U8)


@_value
class QualityOfService(ValueStruct):
    """GPRS modem setup ``quality_of_service ::= structure {default, requested}``."""

    default: QosElement = kind_field(StructKind(QosElement))
    requested: QosElement = kind_field(StructKind(QosElement))


@_value
class CellInfoV0(ValueStruct):
    """GSM diagnostic v0 ``cell_info``: ``{cell_ID, location_ID, signal_quality, ber}``."""

    cell_id: int = kind_field(U16)
    location_id: int = kind_field(U16)
    signal_quality: int = kind_field(U8)
    ber: int = kind_field(U8)


@_value
class CellInfo(ValueStruct):
    """GSM diagnostic v1 ``cell_info``: 32-bit cell id, plus MCC, MNC and channel number."""

    cell_id: int = kind_field(U32)
    location_id: int = kind_field(U16)
    signal_quality: int = kind_field(U8)
    ber: int = kind_field(U8)
    mcc: int = kind_field(U16)
    mnc: int = kind_field(U16)
    channel_number: int = kind_field(U32)


@_value
class AdjacentCellV0(ValueStruct):
    """GSM diagnostic v0 ``adjacent_cells`` element: ``{cell_ID long-unsigned, quality}``."""

    cell_id: int = kind_field(U16)
    signal_quality: int = kind_field(U8)


@_value
class AdjacentCell(ValueStruct):
    """GSM diagnostic v1 ``adjacent_cells`` element (double-long-unsigned cell id)."""

    cell_id: int = kind_field(U32)
    signal_quality: int = kind_field(U8)


@_value
class NeighborDiscoverySetup(ValueStruct):
    """IPv6 setup ``neighbor_discovery_setup`` element."""

    max_retry: int = kind_field(U8)
    retry_wait_time: int = kind_field(U16)
    send_period: int = kind_field(U32)


@_value
class Ipv6AddressParameter(ValueStruct):
    """IPv6 setup ``add_IPv6_address`` / ``remove_IPv6_address`` parameter."""

    address_type: Ipv6AddressType = kind_field(enum_kind(Ipv6AddressType))
    address: bytes = kind_field(OCTETS)


@_value
class AuthenticationKey(ValueStruct):
    """NTP setup ``authentication_keys`` element ``{key_id, key}`` (key redacted in repr)."""

    key_id: int = kind_field(U32)
    key: bytes = kind_field(OCTETS)

    def __repr__(self) -> str:
        return f"AuthenticationKey(key_id={self.key_id}, key=<redacted>)"


@_value
class LteNetworkParameters(ValueStruct):
    """LTE monitoring ``network_parameters`` (3GPP timers and cell selection levels)."""

    t3402: int = kind_field(U16)
    t3412: int = kind_field(U16)
    t3412ext2: int = kind_field(U32)
    t3324: int = kind_field(U16)
    te_drx: int = kind_field(U32)
    t_ptw: int = kind_field(U16)
    q_rxlev_min: int = kind_field(I8)
    q_rxlev_min_ce: int = kind_field(I8)
    q_rxlev_min_ce1: int = kind_field(I8)


@_value
class LteQualityOfService(ValueStruct):
    """LTE monitoring ``quality_of_service``."""

    signal_quality: int = kind_field(I8)
    signal_level: int = kind_field(I8)
    signal_to_noise_ratio: int = kind_field(I8)
    coverage_enhancement: CoverageEnhancement = kind_field(enum_kind(CoverageEnhancement))


class CoapTransportMode(OpenIntEnum):
    """CoAP setup ``transport_mode``."""

    RELIABLE = 0  # confirmable messages
    UNRELIABLE = 1  # non-confirmable messages


@_value
class CoapMessagesCounter(ValueStruct):
    """CoAP diagnostic ``messages_counter`` (ten double-long-unsigned counters)."""

    tx: int = kind_field(U32)
    rx: int = kind_field(U32)
    tx_resend: int = kind_field(U32)
    tx_reset: int = kind_field(U32)
    rx_reset: int = kind_field(U32)
    tx_ack: int = kind_field(U32)
    rx_ack: int = kind_field(U32)
    rx_drop: int = kind_field(U32)
    tx_non_piggybacked: int = kind_field(U32)
    max_rtx_exceeded: int = kind_field(U32)


@_value
class CoapRequestResponseCounter(ValueStruct):
    """CoAP diagnostic ``request_response_counter`` (eight double-long-unsigned)."""

    rx_requests: int = kind_field(U32)
    tx_requests: int = kind_field(U32)
    rx_response: int = kind_field(U32)
    tx_response: int = kind_field(U32)
    tx_client_error: int = kind_field(U32)
    rx_client_error: int = kind_field(U32)
    tx_server_error: int = kind_field(U32)
    rx_server_error: int = kind_field(U32)


@_value
class CoapBlockTransferCounter(ValueStruct):
    """CoAP diagnostic ``bt_counter`` (block-wise transfers started/completed/timed out)."""

    started: int = kind_field(U32)
    completed: int = kind_field(U32)
    timeout: int = kind_field(U32)


@_value
class CoapCaptureTime(ValueStruct):
    """CoAP diagnostic ``capture_time ::= structure {attribute_id, time_stamp: date-time}``."""

    attribute_id: int = kind_field(U8)
    time_stamp: CosemDateTime = kind_field(DATE_TIME_TAGGED)


# ---------------------------------------------------------------------------------------
# Class declarations (Blue Book attribute and method tables)
# ---------------------------------------------------------------------------------------

_A = AttrSpec
_M = MethSpec
_BAUD = enum_kind(BaudRate)
_WINDOWS = array_kind(WindowElement)
_DYN = False  # "dynamic" attributes (the value changes by itself)

_LOCAL_PORT = (
    _A("default_mode", enum_kind(LocalPortMode)),
    _A("default_baud", _BAUD),
    _A("prop_baud", _BAUD),
    _A("response_time", enum_kind(ResponseTime)),
    _A("device_addr", OCTETS),
    _A("pass_p1", OCTETS),
    _A("pass_p2", OCTETS),
    _A("pass_w5", OCTETS),
)


def _hdlc(max_info: IntKind) -> tuple[AttrSpec, ...]:
    return (
        _A("comm_speed", _BAUD),
        _A("window_size_transmit", U8),
        _A("window_size_receive", U8),
        _A("max_info_field_length_transmit", max_info),
        _A("max_info_field_length_receive", max_info),
        _A("inter_octet_time_out", U16),
        _A("inactivity_time_out", U16),
        _A("device_address", U16),
    )


_AUTO_ANSWER_V0 = (
    _A("mode", enum_kind(AutoAnswerMode)),
    _A("listening_window", _WINDOWS),
    _A("status", enum_kind(AutoAnswerStatus), _DYN),
    _A("number_of_calls", U8),
    _A("number_of_rings", StructKind(NumberOfRings)),
)


def _auto_connect(last: str) -> tuple[AttrSpec, ...]:
    return (
        _A("mode", enum_kind(AutoConnectMode)),
        _A("repetitions", U8),
        _A("repetition_delay", U16),
        _A("calling_window", _WINDOWS),
        _A(last, array_kind(OCTETS)),
    )


def _push(version: int) -> tuple[AttrSpec, ...]:
    attributes = [
        _A("push_object_list", array_kind(PushObject)),
        _A("send_destination_and_method", StructKind(SendDestinationAndMethod)),
        _A("communication_window", _WINDOWS),
        _A("randomisation_start_interval", U16),
        _A("number_of_retries", U8),
        _A("repetition_delay", U16 if version < 2 else StructKind(RepetitionDelay)),
    ]
    if version >= 1:
        attributes += [
            _A("port_reference", OBIS),
            _A("push_client_sap", I8),
            _A("push_protection_parameters", array_kind(PushProtectionParameter)),
        ]
    if version >= 2:
        attributes += [
            _A("push_operation_method", enum_kind(PushOperationMethod)),
            _A("confirmation_parameters", StructKind(ConfirmationParameters)),
            _A("last_confirmation_date_time", DATE_TIME_TAGGED, _DYN),
        ]
    return tuple(attributes)


def _gsm(cell: type[Any], adjacent: type[Any]) -> tuple[AttrSpec, ...]:
    return (
        _A("operator", VISIBLE, _DYN),
        _A("status", enum_kind(GsmStatus), _DYN),
        _A("cs_attachment", enum_kind(CsAttachment), _DYN),
        _A("ps_status", enum_kind(PsStatus), _DYN),
        _A("cell_info", StructKind(cell), _DYN),
        _A("adjacent_cells", array_kind(adjacent), _DYN),
        _A("capture_time", DATE_TIME_TAGGED, _DYN),
    )


_ADDRESS_PARAMETER = StructKind(Ipv6AddressParameter)

CLASSES: tuple[ClassSpec, ...] = (
    ClassSpec(19, 0, "IEC local port setup", _LOCAL_PORT),
    ClassSpec(19, 1, "IEC local port setup", _LOCAL_PORT),
    # Version 0 carried the maximum information field lengths as unsigned (at most 128);
    # version 1 widened them to long-unsigned. Meters that report version 0 with
    # long-unsigned values exist (DLMS_SPODES declares v0 so), so v0 accepts either
    # integer type and keeps the one received.
    ClassSpec(23, 0, "IEC HDLC setup", _hdlc(IntKind(axdr.Unsigned, any_int=True))),
    ClassSpec(23, 1, "IEC HDLC setup", _hdlc(U16)),
    # Version 0 as IEC 62056-62 Annex A.6 lists it; version 1 (mode and comm_speed) as the
    # Gurux class file documents it (Gurux numbers that layout 0).
    ClassSpec(
        24,
        0,
        "IEC twisted pair (1) setup",
        (
            _A("secondary_address", OCTETS),
            _A("primary_address_list", array_kind(U8)),
            _A("tab_ti_list", array_kind(I8)),
            _A("fatal_error", IntKind(axdr.Enum), _DYN),
        ),
    ),
    ClassSpec(
        24,
        1,
        "IEC twisted pair (1) setup",
        (
            _A("mode", enum_kind(TwistedPairMode)),
            _A("comm_speed", _BAUD),
            _A("primary_address_list", array_kind(U8)),
            _A("tab_ti_list", array_kind(I8)),
        ),
    ),
    ClassSpec(
        27,
        0,
        "Modem configuration",
        (
            _A("comm_speed", _BAUD),
            _A("initialization_string", array_kind(InitialisationStringV0)),
            _A("modem_profile", array_kind(OCTETS)),
        ),
    ),
    ClassSpec(
        27,
        1,
        "Modem configuration",
        (
            _A("comm_speed", _BAUD),
            _A("initialization_string", array_kind(InitialisationString)),
            _A("modem_profile", array_kind(OCTETS)),
        ),
    ),
    ClassSpec(28, 0, "Auto answer", _AUTO_ANSWER_V0),
    ClassSpec(
        28,
        2,
        "Auto answer",
        (*_AUTO_ANSWER_V0, _A("list_of_allowed_callers", array_kind(AllowedCaller))),
    ),
    # Version 0 is "PSTN auto dial" (phone_list); versions 1 and 2 add method connect.
    ClassSpec(29, 0, "Auto connect", _auto_connect("phone_list")),
    ClassSpec(29, 1, "Auto connect", _auto_connect("destination_list"), (_M("connect", ZERO),)),
    ClassSpec(29, 2, "Auto connect", _auto_connect("destination_list"), (_M("connect", ZERO),)),
    ClassSpec(40, 0, "Push setup", _push(0), (_M("push", ZERO),)),
    ClassSpec(40, 1, "Push setup", _push(1), (_M("push", ZERO),)),
    ClassSpec(40, 2, "Push setup", _push(2), (_M("push", ZERO), _M("reset", ZERO))),
    ClassSpec(
        41,
        0,
        "TCP-UDP setup",
        (
            _A("tcp_udp_port", U16),
            _A("ip_reference", OBIS),
            _A("mss", U16),
            _A("nb_of_sim_conn", U8),
            _A("inactivity_time_out", U16),
        ),
    ),
    ClassSpec(
        42,
        0,
        "IPv4 setup",
        (
            _A("dl_reference", OBIS),
            _A("ip_address", IPV4, _DYN),
            _A("multicast_ip_address", array_kind(IPV4)),
            _A("ip_options", array_kind(IpOption)),
            _A("subnet_mask", IPV4),
            _A("gateway_ip_address", IPV4),
            _A("use_dhcp_flag", BOOL),
            _A("primary_dns_address", IPV4),
            _A("secondary_dns_address", IPV4),
        ),
        (
            _M("add_mc_ip_address", IPV4),
            _M("delete_mc_ip_address", IPV4),
            _M("get_nbof_mc_ip_addresses", ZERO, U16),
        ),
    ),
    ClassSpec(43, 0, "MAC address setup", (_A("mac_address", OCTETS),)),
    ClassSpec(
        44,
        0,
        "PPP setup",
        (
            _A("phy_reference", OBIS),
            _A("lcp_options", array_kind(LcpOption)),
            _A("ipcp_options", array_kind(LcpOption)),
            _A("ppp_authentication", NullOrKind(StructKind(PppAuthentication))),
        ),
    ),
    ClassSpec(
        45,
        0,
        "GPRS modem setup",
        (
            _A("apn", OCTETS),
            _A("pin_code", U16),
            _A("quality_of_service", StructKind(QualityOfService)),
        ),
    ),
    ClassSpec(
        46,
        0,
        "SMTP setup",
        (
            _A("smtp_port", U16),
            _A("user_name", OCTETS),
            _A("login_password", OCTETS),
            _A("server_address", OCTETS),
            _A("sender_address", OCTETS),
        ),
    ),
    ClassSpec(47, 0, "GSM diagnostic", _gsm(CellInfoV0, AdjacentCellV0)),
    ClassSpec(47, 1, "GSM diagnostic", _gsm(CellInfo, AdjacentCell)),
    ClassSpec(
        48,
        0,
        "IPv6 setup",
        (
            _A("dl_reference", OBIS),
            _A("address_config_mode", enum_kind(Ipv6AddressConfigMode)),
            _A("unicast_ipv6_addresses", array_kind(IPV6), _DYN),
            _A("multicast_ipv6_addresses", array_kind(IPV6)),
            _A("gateway_ipv6_addresses", array_kind(IPV6), _DYN),
            _A("primary_dns_address", IPV6),
            _A("secondary_dns_address", IPV6),
            _A("traffic_class", U8),
            _A("neighbor_discovery_setup", array_kind(NeighborDiscoverySetup)),
        ),
        (
            _M("add_ipv6_address", _ADDRESS_PARAMETER),
            _M("remove_ipv6_address", _ADDRESS_PARAMETER),
        ),
    ),
    ClassSpec(
        100,
        0,
        "NTP setup",
        (
            _A("activated", BOOL),
            _A("server_address", OCTETS),
            _A("server_port", U16),
            _A("authentication_method", enum_kind(NtpAuthenticationMethod)),
            _A("authentication_keys", array_kind(AuthenticationKey)),
            _A("client_key", OCTETS),
        ),
        (
            _M("synchronize", ZERO),
            _M("add_authentication_key", StructKind(AuthenticationKey)),
            _M("delete_authentication_key", U32),
        ),
    ),
    # LTE monitoring: version 0 as the Blue Book (ed. 14) lists it; the Gurux class file
    # documents the same layout as version 1, which is declared too.
    *(
        ClassSpec(
            151,
            version,
            "LTE monitoring",
            (
                _A("network_parameters", StructKind(LteNetworkParameters), _DYN),
                _A("quality_of_service", StructKind(LteQualityOfService), _DYN),
            ),
        )
        for version in (0, 1)
    ),
    # Data protection: the object list elements have the Push setup v1 form (with a
    # restriction); method parameters (protected GET/SET/ACTION data) are kept as CHOICE.
    ClassSpec(
        30,
        0,
        "Data protection",
        (
            _A("protection_buffer", OCTETS, _DYN),
            _A("protection_object_list", array_kind(PushObject)),
            _A("protection_parameters_get", array_kind(PushProtectionParameter)),
            _A("protection_parameters_set", array_kind(PushProtectionParameter)),
            _A("required_protection", enum_kind(ProtectionType)),
        ),
        (
            _M("get_protected_attributes", ANY, ANY),
            _M("set_protected_attributes", ANY, ANY),
            _M("invoke_protected_method", ANY, ANY),
        ),
    ),
    ClassSpec(
        152,
        0,
        "CoAP setup",
        (
            _A("udp_reference", OBIS),
            _A("ack_timeout", U16),
            _A("ack_random_factor", U16),
            _A("max_retransmit", U16),
            _A("n_start", U16),
            _A("delay_ack_timeout", U16),
            _A("exponential_back_off", U16),
            _A("probing_rate", U16),
            _A("coap_uri_path", OCTETS),
            _A("transport_mode", enum_kind(CoapTransportMode)),
            _A("wrapper_version", ANY),  # CHOICE
            _A("token_length", U8),
        ),
    ),
    ClassSpec(
        153,
        0,
        "CoAP diagnostic",
        (
            _A("messages_counter", StructKind(CoapMessagesCounter), _DYN),
            _A("request_response_counter", StructKind(CoapRequestResponseCounter), _DYN),
            _A("bt_counter", StructKind(CoapBlockTransferCounter), _DYN),
            _A("capture_time", StructKind(CoapCaptureTime), _DYN),
        ),
        (_M("reset", ZERO),),
    ),
)
