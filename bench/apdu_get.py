"""Case ``apdu-get``: a GET.request-normal with a range selective access, and a GET.response.

Operations:

``req-enc``
    Build a GET.request-normal for a Profile generic buffer (class 7, 1.0.99.1.0.255,
    attribute 2) read by range on the clock (0.0.1.0.0.255, attribute 2) from two
    date-times, all columns, and serialise it. The object to read, the invoke id and the
    two date-times are prepared once (as a client holds them); the range descriptor and
    the request are built in every call, as ``GetRequestNormal(...).to_bytes()`` does.
``req-ser``
    Serialise the same request, already built (no target; shows the cost of the
    serialisation alone).
``req-dec``
    Decode that request (the server side).
``resp-dec``
    Decode a GET.response-normal carrying one register value (double-long-unsigned 5009).

The request is XDLMS-18 (u9n/dlms-cosem tests/test_xdlms/test_selective_access.py) with
the hundredths of both date-times 00 instead of FF and the clock status 00 instead of 80
in the first: dlms-cosem writes those two fields from a Python ``datetime`` and cannot
send "not specified" hundredths or a status, so every library encodes exactly these 64
bytes. The response is XDLMS-04 (u9n/dlms-cosem tests/test_xdlms/test_get.py).
Every result is checked: encoders byte for byte, decoders field by field.
"""

from __future__ import annotations

import datetime
from typing import Any

from bench._core import SUBJECT, Case, Impl, Prepared, Target, VerificationError

FROM_DT = bytes.fromhex("07E20601FF00030000FF8800")  # 2018-06-01 00:03:00, deviation -120
TO_DT = bytes.fromhex("07E50106FF00030000FFC400")  # 2021-01-06 00:03:00, deviation -60
REQUEST = (
    bytes.fromhex("C001C1")  # get-request-normal, invoke-id-and-priority C1
    + bytes.fromhex("0007 0100630100FF 02".replace(" ", ""))  # profile generic, buffer
    + bytes.fromhex("01 01 0204".replace(" ", ""))  # access-selection: selector 1, structure
    + bytes.fromhex("0204 120008 09060000010000FF 0F02 120000".replace(" ", ""))  # clock time
    + b"\x09\x0c"
    + FROM_DT
    + b"\x09\x0c"
    + TO_DT
    + b"\x01\x00"  # selected_values: empty array = all columns
)
assert REQUEST.hex().upper() == (
    "C001C100070100630100FF0201010204020412000809060000010000FF0F02120000"
    "090C07E20601FF00030000FF8800090C07E50106FF00030000FFC4000100"
), REQUEST.hex()
RESPONSE = bytes.fromhex("C401C1000600001391")  # XDLMS-04: double-long-unsigned 5009
REGISTER_VALUE = 5009

# The same two moments as Python datetimes, for the peers: both write a UTC offset of
# +120 minutes as the deviation FF88, the day of week as not specified (FF).
START = datetime.datetime(2018, 6, 1, 0, 3, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
END = datetime.datetime(2021, 1, 6, 0, 3, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))

_PROFILE_OBIS = (1, 0, 99, 1, 0, 255)
_CLOCK_OBIS = (0, 0, 1, 0, 0, 255)


def _type_name(value: object) -> str:
    return type(value).__name__


# --- verification ---------------------------------------------------------------------------


def _verify_request_bytes(value: object) -> str:
    if isinstance(value, list) and len(value) == 1:  # gurux returns a list of frames
        value = value[0]
    if not isinstance(value, bytes | bytearray):
        raise VerificationError(f"encoded to {_type_name(value)}, expected bytes")
    if bytes(value) != REQUEST:
        raise VerificationError(f"encoded {bytes(value).hex().upper()}, expected the request")
    return f"{_type_name(value)} of {len(value)} bytes, identical to the request"


def _verify_dlmskit_request(value: object) -> str:
    from dlmskit.apdu.get import GetRequestNormal
    from dlmskit.apdu.selective import CLOCK_TIME, RangeDescriptor

    if not isinstance(value, GetRequestNormal) or value.access_selection is None:
        raise VerificationError(f"decoded to {value!r}")
    descriptor = value.cosem_attribute_descriptor
    if (descriptor.class_id, tuple(descriptor.instance_id), descriptor.attribute_id) != (
        7,
        _PROFILE_OBIS,
        2,
    ):
        raise VerificationError(f"wrong attribute descriptor {descriptor!r}")
    view = RangeDescriptor.from_access_descriptor(value.access_selection)
    if view.restricting_object != CLOCK_TIME or view.selected_values:
        raise VerificationError(f"wrong range descriptor {view!r}")
    if (view.from_value, view.to_value) != (FROM_DT, TO_DT):
        raise VerificationError(f"wrong range {view.from_value!r} .. {view.to_value!r}")
    return "GetRequestNormal(access_selection=SelectiveAccessDescriptor(1, Structure))"


def _verify_dlmskit_range_view(value: object) -> str:
    from dlmskit.apdu.selective import CLOCK_TIME, RangeDescriptor
    from dlmskit.cosem_time import CosemDateTime

    if not isinstance(value, tuple) or len(value) != 3:
        raise VerificationError(f"returned {value!r}")
    view, start, end = value
    if not isinstance(view, RangeDescriptor) or view.restricting_object != CLOCK_TIME:
        raise VerificationError(f"wrong range descriptor {view!r}")
    if not isinstance(start, CosemDateTime) or start.to_bytes() != FROM_DT:
        raise VerificationError(f"wrong start {start!r}")
    if not isinstance(end, CosemDateTime) or end.to_bytes() != TO_DT:
        raise VerificationError(f"wrong end {end!r}")
    return "RangeDescriptor + 2 × CosemDateTime"


def _verify_dlmskit_response(value: object) -> str:
    from dlmskit import axdr
    from dlmskit.apdu.get import Data, GetResponseNormal

    if not isinstance(value, GetResponseNormal) or not isinstance(value.result, Data):
        raise VerificationError(f"decoded to {value!r}")
    data = value.result.value
    if type(data) is not axdr.DoubleLongUnsigned or data != REGISTER_VALUE:
        raise VerificationError(f"decoded the value {data!r}")
    return "GetResponseNormal(result=Data(DoubleLongUnsigned(5009)))"


def _verify_dlms_cosem_request(value: object) -> str:
    from dlms_cosem.cosem.selective_access import RangeDescriptor
    from dlms_cosem.protocol import xdlms

    if not isinstance(value, xdlms.GetRequestNormal):
        raise VerificationError(f"decoded to {_type_name(value)}")
    access = value.access_selection
    if not isinstance(access, RangeDescriptor):
        raise VerificationError(f"access selection {access!r}")
    if (access.from_value.year, access.to_value.year) != (2018, 2021):
        raise VerificationError(f"wrong range {access!r}")
    if tuple(value.cosem_attribute.instance.to_bytes()) != _PROFILE_OBIS:
        raise VerificationError(f"wrong attribute {value.cosem_attribute!r}")
    return "GetRequestNormal(access_selection=RangeDescriptor(datetime, datetime))"


def _verify_dlms_cosem_typed(value: object) -> str:
    from dlms_cosem.dlms_data import DoubleLongUnsignedData

    if not isinstance(value, list) or len(value) != 1:
        raise VerificationError(f"decoded to {value!r}")
    (item,) = value
    if not isinstance(item, DoubleLongUnsignedData) or item.value != REGISTER_VALUE:
        raise VerificationError(f"decoded to {item!r}")
    return "[DoubleLongUnsignedData(5009)]"


def _verify_plain_value(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or value != REGISTER_VALUE:
        raise VerificationError(f"decoded to {value!r}")
    return f"{_type_name(value)}({int(value)})"


def _verify_gurux_xml(value: object) -> str:
    if not isinstance(value, str):
        raise VerificationError(f"translated to {_type_name(value)}")
    for needle in (
        "<GetRequestNormal>",
        '<InstanceId Value="0100630100FF" />',
        '<AccessSelector Value="01" />',
        '<OctetString Value="0000010000FF" />',
        f'<OctetString Value="{FROM_DT.hex().upper()}" />',
        f'<OctetString Value="{TO_DT.hex().upper()}" />',
    ):
        if needle not in value:
            raise VerificationError(f"the XML lacks {needle}")
    return f"XML text of {len(value)} characters"


# --- dlmskit --------------------------------------------------------------------------------


def _dlmskit_fixtures() -> tuple[Any, Any, Any, Any]:
    from dlmskit.apdu.common import CosemAttributeDescriptor, InvokeIdAndPriority
    from dlmskit.cosem_time import CosemDateTime
    from dlmskit.obis import Obis

    return (
        InvokeIdAndPriority(0xC1),
        CosemAttributeDescriptor(class_id=7, instance_id=Obis(*_PROFILE_OBIS), attribute_id=2),
        CosemDateTime.from_bytes(FROM_DT),
        CosemDateTime.from_bytes(TO_DT),
    )


def _dlmskit_encode() -> Prepared:
    from dlmskit.apdu.get import GetRequestNormal
    from dlmskit.apdu.selective import RangeDescriptor

    invoke_id, descriptor, start, end = _dlmskit_fixtures()
    by_clock = RangeDescriptor.by_clock

    def encode() -> bytes:
        return GetRequestNormal(
            invoke_id_and_priority=invoke_id,
            cosem_attribute_descriptor=descriptor,
            access_selection=by_clock(start, end).to_access_descriptor(),
        ).to_bytes()

    return Prepared(encode)


def _dlmskit_serialize() -> Prepared:
    from dlmskit.apdu._base import decode

    apdu = decode(REQUEST)
    return Prepared(apdu.to_bytes)


def _dlmskit_decode_request() -> Prepared:
    from dlmskit.apdu._base import decode

    request = REQUEST
    return Prepared(
        lambda: decode(request),
        ("the access selection is kept as the generic descriptor (selector + A-XDR Data)",),
    )


def _dlmskit_decode_request_view() -> Prepared:
    from dlmskit.apdu._base import decode
    from dlmskit.apdu.selective import RangeDescriptor

    request = REQUEST
    view_of = RangeDescriptor.from_access_descriptor

    def decode_view() -> object:
        apdu: Any = decode(request)
        view = view_of(apdu.access_selection)
        return view, view.from_value.as_datetime(), view.to_value.as_datetime()

    return Prepared(
        decode_view,
        ("as far as dlms-cosem goes: the typed range descriptor and both date-times",),
    )


def _dlmskit_decode_response() -> Prepared:
    from dlmskit.apdu._base import decode

    response = RESPONSE
    return Prepared(lambda: decode(response))


# --- dlms-cosem -----------------------------------------------------------------------------


def _dlms_cosem_fixtures() -> tuple[Any, Any, Any, Any, Any]:
    from dlms_cosem import cosem, enumerations
    from dlms_cosem.cosem.capture_object import CaptureObject
    from dlms_cosem.protocol import xdlms

    profile = cosem.CosemAttribute(
        interface=enumerations.CosemInterface.PROFILE_GENERIC,
        instance=cosem.Obis(*_PROFILE_OBIS),
        attribute=2,
    )
    clock = CaptureObject(
        cosem_attribute=cosem.CosemAttribute(
            interface=enumerations.CosemInterface.CLOCK,
            instance=cosem.Obis(*_CLOCK_OBIS),
            attribute=2,
        ),
        data_index=0,
    )
    invoke_id = xdlms.InvokeIdAndPriority(invoke_id=1, confirmed=True, high_priority=True)
    return profile, clock, invoke_id, START, END


def _dlms_cosem_encode() -> Prepared:
    from dlms_cosem.cosem.selective_access import RangeDescriptor
    from dlms_cosem.protocol import xdlms

    profile, clock, invoke_id, start, end = _dlms_cosem_fixtures()
    request = xdlms.GetRequestNormal

    def encode() -> bytes:
        encoded: bytes = request(
            cosem_attribute=profile,
            invoke_id_and_priority=invoke_id,
            access_selection=RangeDescriptor(
                restricting_object=clock, from_value=start, to_value=end
            ),
        ).to_bytes()
        return encoded

    return Prepared(encode)


def _dlms_cosem_serialize() -> Prepared:
    from dlms_cosem.cosem.selective_access import RangeDescriptor
    from dlms_cosem.protocol import xdlms

    profile, clock, invoke_id, start, end = _dlms_cosem_fixtures()
    request = xdlms.GetRequestNormal(
        cosem_attribute=profile,
        invoke_id_and_priority=invoke_id,
        access_selection=RangeDescriptor(restricting_object=clock, from_value=start, to_value=end),
    )
    return Prepared(request.to_bytes)


def _dlms_cosem_decode_request() -> Prepared:
    from dlms_cosem.connection import XDlmsApduFactory

    apdu_from_bytes = XDlmsApduFactory.apdu_from_bytes
    request = REQUEST
    return Prepared(
        lambda: apdu_from_bytes(request),
        ("the range descriptor's date-times become Python datetimes while decoding",),
    )


def _dlms_cosem_decode_response_typed() -> Prepared:
    from dlms_cosem.connection import XDlmsApduFactory
    from dlms_cosem.dlms_data import DlmsDataParser

    apdu_from_bytes = XDlmsApduFactory.apdu_from_bytes
    response = RESPONSE

    def decode() -> object:
        return DlmsDataParser().parse(apdu_from_bytes(response).data)

    return Prepared(decode)


def _dlms_cosem_decode_response_plain() -> Prepared:
    from dlms_cosem import utils
    from dlms_cosem.connection import XDlmsApduFactory

    apdu_from_bytes = XDlmsApduFactory.apdu_from_bytes
    response = RESPONSE

    def decode() -> object:
        return utils.parse_as_dlms_data(apdu_from_bytes(response).data)

    return Prepared(decode, ("a plain Python int: the DLMS type is lost",))


# --- gurux-dlms -----------------------------------------------------------------------------


def _gurux_client() -> Any:
    from gurux_dlms import GXDLMSClient
    from gurux_dlms.enums import InterfaceType

    # Logical-name referencing, plain PDUs (no HDLC or wrapper framing around the APDU).
    return GXDLMSClient(True, interfaceType=InterfaceType.PDU)


def _gurux_encode() -> Prepared:
    from gurux_dlms import GXDateTime
    from gurux_dlms.enums import ClockStatus, DateTimeSkips
    from gurux_dlms.objects import GXDLMSProfileGeneric

    def moment(when: datetime.datetime) -> Any:
        value = GXDateTime(when)
        value.skip |= DateTimeSkips.DAY_OF_WEEK  # FF like the other two
        value.status = ClockStatus.OK
        return value

    client = _gurux_client()
    # No sort object and no capture objects: gurux restricts by the clock's time.
    profile = GXDLMSProfileGeneric(".".join(map(str, _PROFILE_OBIS)))
    start, end = moment(START), moment(END)
    read_rows = client.readRowsByRange

    def encode() -> object:
        return read_rows(profile, start, end)

    return Prepared(
        encode,
        (
            "readRowsByRange(profile, start, end) builds the range descriptor and the request "
            "in one call (it also resets the client's block state)",
        ),
    )


def _gurux_decode_request() -> Prepared:
    from gurux_dlms import GXDLMSTranslator
    from gurux_dlms.enums import TranslatorOutputType

    translator = GXDLMSTranslator(TranslatorOutputType.SIMPLE_XML)
    request = REQUEST
    return Prepared(
        lambda: translator.pduToXml(request),
        (
            "gurux-dlms decodes requests inside its server (GXDLMSServer, with objects and "
            "an association); the closest stand-alone equivalent is its translator, which "
            "decodes the PDU into XML text",
        ),
    )


def _gurux_decode_response() -> Prepared:
    from gurux_dlms import GXReplyData

    client = _gurux_client()
    response = RESPONSE

    def decode() -> object:
        reply = GXReplyData()
        client.getData(response, reply, None)
        if reply.isMoreData():
            raise ValueError("gurux-dlms expects more data")
        return reply.value

    return Prepared(decode)


# --- the case ---------------------------------------------------------------------------------


def case() -> Case:
    enc, ser, dec, resp = "req-enc", "req-ser", "req-dec", "resp-dec"
    impls = [
        Impl(
            enc,
            SUBJECT,
            "GetRequestNormal(..., RangeDescriptor.by_clock(start, end)"
            ".to_access_descriptor()).to_bytes()",
            _dlmskit_encode,
            _verify_request_bytes,
            role="subject",
        ),
        Impl(
            enc,
            "gurux-dlms",
            "GXDLMSClient(PDU).readRowsByRange(GXDLMSProfileGeneric, start, end)",
            _gurux_encode,
            _verify_request_bytes,
        ),
        Impl(
            enc,
            "dlms-cosem",
            "GetRequestNormal(..., RangeDescriptor(CaptureObject, start, end)).to_bytes()",
            _dlms_cosem_encode,
            _verify_request_bytes,
        ),
        Impl(
            ser,
            SUBJECT,
            "GetRequestNormal.to_bytes() of a built request",
            _dlmskit_serialize,
            _verify_request_bytes,
            role="subject",
        ),
        Impl(
            ser,
            "dlms-cosem",
            "GetRequestNormal.to_bytes() of a built request",
            _dlms_cosem_serialize,
            _verify_request_bytes,
        ),
        Impl(
            dec,
            SUBJECT,
            "dlmskit.apdu.decode(request)",
            _dlmskit_decode_request,
            _verify_dlmskit_request,
            role="subject",
        ),
        Impl(
            dec,
            SUBJECT,
            "decode + RangeDescriptor.from_access_descriptor + 2 × as_datetime()",
            _dlmskit_decode_request_view,
            _verify_dlmskit_range_view,
            role="subject",
        ),
        Impl(
            dec,
            "gurux-dlms",
            "GXDLMSTranslator(SIMPLE_XML).pduToXml(request)",
            _gurux_decode_request,
            _verify_gurux_xml,
        ),
        Impl(
            dec,
            "dlms-cosem",
            "XDlmsApduFactory.apdu_from_bytes(request)",
            _dlms_cosem_decode_request,
            _verify_dlms_cosem_request,
        ),
        Impl(
            resp,
            SUBJECT,
            "dlmskit.apdu.decode(response)",
            _dlmskit_decode_response,
            _verify_dlmskit_response,
            role="subject",
        ),
        Impl(
            resp,
            "gurux-dlms",
            "GXDLMSClient(PDU).getData(response, GXReplyData())",
            _gurux_decode_response,
            _verify_plain_value,
        ),
        Impl(
            resp,
            "dlms-cosem",
            "XDlmsApduFactory.apdu_from_bytes + DlmsDataParser().parse",
            _dlms_cosem_decode_response_typed,
            _verify_dlms_cosem_typed,
        ),
        Impl(
            resp,
            "dlms-cosem",
            "XDlmsApduFactory.apdu_from_bytes + utils.parse_as_dlms_data",
            _dlms_cosem_decode_response_plain,
            _verify_plain_value,
        ),
    ]
    # "At least 3× faster than the faster peer": 3× against each peer.
    targets = [
        Target(operation, peer=peer, min_ratio=3)
        for operation in (enc, dec, resp)
        for peer in ("gurux-dlms", "dlms-cosem")
    ]
    return Case(
        name="apdu-get",
        title=(
            f"GET.request-normal with a range selective access ({len(REQUEST)} bytes) and "
            f"GET.response-normal with one register value ({len(RESPONSE)} bytes)"
        ),
        impls=impls,
        targets=targets,
        notes=(
            "req-enc: build the range descriptor and the request from two date-times, then "
            "serialise; req-ser: serialise a built request; req-dec / resp-dec: decode",
            "encoders are checked byte for byte, decoders field by field",
        ),
    )
