"""Tests of dlmskit.apdu.notification: data-notification (+ confirm), event-notification,
the DLMS gateway envelope."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu import _base
from dlmskit.apdu.common import CosemAttributeDescriptor, LongInvokeIdAndPriority
from dlmskit.apdu.notification import (
    DataNotification,
    DataNotificationConfirm,
    DateTimeForm,
    EventNotificationRequest,
    GatewayRequest,
    GatewayResponse,
)
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis
from tests.vectors import item_bytes, push_records, record

from .strategies_misc import (
    assert_decodes_or_fails,
    assert_round_trip,
    data_notification_confirms,
    data_notifications,
    event_notification_requests,
    gateways,
)

decode = _base.decode

_DT_FORMS = {
    "0C+12 (length-prefixed)": DateTimeForm.LENGTH_PREFIXED,
    "09 0C+12 (tagged octet-string)": DateTimeForm.TAGGED,
    "absent(00)": DateTimeForm.LENGTH_PREFIXED,
}


def _push_apdus() -> list[tuple[str, bytes]]:
    """(id, plain APDU) of every PUSH record that has one; llc_pdu minus its E6E700 header."""
    out = []
    for rec in push_records():
        if rec.get("plain_apdu"):
            out.append((rec["id"], bytes.fromhex(rec["plain_apdu"])))
        elif rec.get("llc_pdu"):
            llc = bytes.fromhex(rec["llc_pdu"])
            assert llc[:3] == b"\xe6\xe7\x00"
            out.append((rec["id"], llc[3:]))
    return out


@pytest.mark.parametrize(("record_id", "raw"), _push_apdus(), ids=lambda v: str(v)[:8])
def test_push_vectors(record_id: str, raw: bytes) -> None:
    # PUSH-01..21 (shared/vectors; sources: fneur/smart-meter-tirol, esphome-libs/dlms_parser,
    # reitermarkus/dlms-cosem-rs, u9n/dlms-cosem, toreamun/amshan; see each record).
    rec = record(record_id)
    apdu = decode(raw)
    assert isinstance(apdu, DataNotification)
    if rec.get("long_invoke_id"):
        assert apdu.long_invoke_id_and_priority.value == int(rec["long_invoke_id"], 16)
    assert apdu.date_time_form is _DT_FORMS[rec["dt_enc"]]
    if rec["date_time"] is None:
        assert apdu.date_time is None
        assert apdu.datetime is None
    else:
        assert apdu.date_time == bytes.fromhex(rec["date_time"])
        assert apdu.datetime is not None
        assert apdu.datetime.to_bytes() == bytes.fromhex(rec["date_time"])
    assert raw.endswith(axdr.encode(apdu.notification_body))
    assert apdu.to_bytes() == raw


def test_push_vector_count() -> None:
    # Every PUSH record with a plain APDU is covered (12 of them today).
    assert len(_push_apdus()) >= 11


def test_push12_tagged_date_time() -> None:
    # PUSH-12 (esphome-libs/dlms_parser hdlc_kaifa_ma304h3e): 0F 40000000 09 0C <12> body
    raw = bytes.fromhex(record("PUSH-12")["plain_apdu"])
    apdu = decode(raw)
    assert isinstance(apdu, DataNotification)
    assert raw[5:7] == b"\x09\x0c"
    assert apdu.date_time_form is DateTimeForm.TAGGED
    assert apdu.long_invoke_id_and_priority == LongInvokeIdAndPriority(0x40000000)
    assert apdu.datetime is not None
    assert (apdu.datetime.year, apdu.datetime.month, apdu.datetime.day) == (2017, 9, 15)
    standard = DataNotification(
        long_invoke_id_and_priority=apdu.long_invoke_id_and_priority,
        date_time=apdu.date_time,
        notification_body=apdu.notification_body,
    )
    assert standard.to_bytes() == raw[:5] + raw[6:]  # the same without the 09


def test_push21_tagged_date_time() -> None:
    # PUSH-21 (toreamun/amshan tests/test_kaifa.py no_list_1): llc_pdu minus E6E700.
    llc = bytes.fromhex(record("PUSH-21")["llc_pdu"])
    apdu = decode(llc[3:])
    assert isinstance(apdu, DataNotification)
    assert apdu.date_time_form is DateTimeForm.TAGGED
    assert apdu.notification_body == axdr.Structure([axdr.DoubleLongUnsigned(5852)])


def test_xdlms23_absent_date_time() -> None:
    # XDLMS-23 (u9n/dlms-cosem test_general_global_cipher): date-time 00, body octet-string(34)
    raw = item_bytes("XDLMS", 23)
    apdu = decode(raw)
    assert isinstance(apdu, DataNotification)
    assert apdu.long_invoke_id_and_priority.value == 0x000001DB
    assert apdu.date_time is None
    assert isinstance(apdu.notification_body, axdr.OctetString)
    assert len(apdu.notification_body) == 34
    assert apdu.to_bytes() == raw


def test_push17_untagged_body_is_refused() -> None:
    # PUSH-17 (esphome-libs/dlms_parser raw_sagemcom_xt211): not A-XDR; fails at byte 18.
    with pytest.raises(DecodeError) as info:
        decode(bytes.fromhex(record("PUSH-17")["raw"]))
    assert info.value.offset == 18


# Produced by gurux-dlms 1.0.203 (GXDLMSNotify, wrapper header removed): an independent
# encoder. Time 2021-01-24 14:48:57 +01:00.
_GURUX_TIME = bytes.fromhex("07E50118FF0E303900FFC400")


def test_gurux_data_notification() -> None:
    # GXDLMSNotify(True, 1, 1, WRAPPER).generateDataNotificationMessages(time, 12 0005)
    raw = bytes.fromhex("0FC0000001 0C 07E50118FF0E303900FFC400 120005".replace(" ", ""))
    apdu = decode(raw)
    assert apdu == DataNotification(
        long_invoke_id_and_priority=LongInvokeIdAndPriority(0xC0000001),
        date_time=_GURUX_TIME,
        notification_body=axdr.LongUnsigned(5),
    )
    assert apdu.to_bytes() == raw


def test_gurux_event_notification() -> None:
    # GXDLMSNotify(True, ...).generateReport(time, [(Data 0.0.96.1.0.255, 2)]): Gurux writes
    # the presence octet as 09 (the octet-string tag); without time: 00.
    descriptor = CosemAttributeDescriptor(
        class_id=1, instance_id=Obis(0, 0, 96, 1, 0, 255), attribute_id=2
    )
    with_time = bytes.fromhex("C2090C07E50118FF0E303900FFC40000010000600100FF021204D2")
    apdu = decode(with_time)
    assert apdu == EventNotificationRequest(
        time=_GURUX_TIME,
        time_form=DateTimeForm.TAGGED,
        cosem_attribute_descriptor=descriptor,
        attribute_value=axdr.LongUnsigned(1234),
    )
    assert isinstance(apdu, EventNotificationRequest)
    assert apdu.datetime is not None
    assert apdu.datetime.to_datetime() == dt.datetime(
        2021, 1, 24, 14, 48, 57, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    assert apdu.to_bytes() == with_time
    without = bytes.fromhex("C20000010000600100FF021204D2")
    assert decode(without) == EventNotificationRequest(
        cosem_attribute_descriptor=descriptor, attribute_value=axdr.LongUnsigned(1234)
    )
    # The A-XDR form (presence flag 01) reads the same time.
    standard = EventNotificationRequest(
        time=_GURUX_TIME, cosem_attribute_descriptor=descriptor, attribute_value=None
    )
    assert standard.to_bytes() == b"\xc2\x01\x0c" + _GURUX_TIME + bytes.fromhex(
        "00010000600100FF0200"
    )


def test_event_notification_refuses_bad_flag() -> None:
    with pytest.raises(DecodeError, match="presence flag of time"):
        decode(bytes.fromhex("C2020000010000600100FF0200"))
    with pytest.raises(ValueError, match="tagged form"):
        EventNotificationRequest(
            time_form=DateTimeForm.TAGGED,
            cosem_attribute_descriptor=CosemAttributeDescriptor(
                class_id=1, instance_id=Obis(0, 0, 1, 0, 0), attribute_id=2
            ),
            attribute_value=None,
        )


def test_data_notification_confirm() -> None:
    # Tag 16: Gurux/gxdlms-go enums/Command.go DataNotificationConfirm = 16.
    apdu = DataNotificationConfirm(
        long_invoke_id_and_priority=LongInvokeIdAndPriority(0x40000005), date_time=_GURUX_TIME
    )
    raw = apdu.to_bytes()
    assert raw == bytes.fromhex("10400000050C") + _GURUX_TIME
    assert decode(raw) == apdu
    assert decode(bytes.fromhex("104000000500")) == DataNotificationConfirm(
        long_invoke_id_and_priority=LongInvokeIdAndPriority(0x40000005)
    )


def test_date_time_validation() -> None:
    invoke = LongInvokeIdAndPriority(1)
    with pytest.raises(ValueError, match="tagged form"):
        DataNotification(
            long_invoke_id_and_priority=invoke,
            date_time=b"\x07\xe5",
            date_time_form=DateTimeForm.TAGGED,
            notification_body=None,
        )
    with pytest.raises(ValueError, match="ambiguous"):
        DataNotification(
            long_invoke_id_and_priority=invoke,
            date_time=b"\x0c" + bytes(8),
            notification_body=None,
        )
    # b"" is the same 00 as None; a non-minimal empty length is kept.
    empty = DataNotification(
        long_invoke_id_and_priority=invoke, date_time=b"", notification_body=None
    )
    assert empty.date_time is None
    long_empty = DataNotification(
        long_invoke_id_and_priority=invoke,
        date_time=axdr.OctetString().with_length_form(1),
        notification_body=None,
    )
    assert long_empty.to_bytes() == bytes.fromhex("0F00000001810000")
    assert_round_trip(long_empty)
    with pytest.raises(TypeError, match="notification-body"):
        DataNotification(long_invoke_id_and_priority=invoke, notification_body=object())
    with pytest.raises(TypeError, match="long-invoke-id-and-priority"):
        DataNotification(long_invoke_id_and_priority=1, notification_body=None)  # type: ignore[arg-type]


def test_non_minimal_date_time_length_is_kept() -> None:
    raw = bytes.fromhex("0F00000001810C") + _GURUX_TIME + b"\x00"
    apdu = decode(raw)
    assert isinstance(apdu, DataNotification)
    assert apdu.date_time == _GURUX_TIME
    assert apdu.to_bytes() == raw


def test_gateway_request_and_inner() -> None:
    inner = bytes.fromhex("C001C100080000010000FF0200")  # XDLMS-31 GET clock.time
    apdu = GatewayRequest(network_id=3, physical_device_address=b"\x12\x34", pdu=inner)
    raw = apdu.to_bytes()
    assert raw == bytes.fromhex("E603021234") + inner
    assert decode(raw) == apdu
    response = GatewayResponse(network_id=3, physical_device_address=b"", pdu=b"\xd8\x01\x01")
    assert response.to_bytes() == bytes.fromhex("E70300D80101")
    with pytest.raises(ValueError, match="pdu"):
        GatewayRequest(network_id=0, physical_device_address=b"", pdu=b"")
    with pytest.raises(DecodeError, match="pdu"):
        decode(bytes.fromhex("E60300"))
    with pytest.raises(ValueError, match="network-id"):
        GatewayRequest(network_id=256, physical_device_address=b"", pdu=b"\x00")


def test_gateway_inner_decodes_a_push() -> None:
    # An HDLC LLC header E6 E7 00 in front of an APDU reads as a gateway request (Gurux
    # reads it so too); here the inner APDU is PUSH-19's data-notification.
    llc = bytes.fromhex(record("PUSH-19")["llc_pdu"])
    apdu = decode(llc)
    assert isinstance(apdu, GatewayRequest)
    assert (apdu.network_id, apdu.physical_device_address) == (0xE7, b"")
    assert isinstance(apdu.inner(), DataNotification)
    assert apdu.to_bytes() == llc


@given(st.one_of(data_notifications(), data_notification_confirms(), event_notification_requests()))
def test_round_trip(apdu: DataNotification) -> None:
    assert_round_trip(apdu)


@given(gateways())
def test_gateway_round_trip(apdu: GatewayRequest) -> None:
    # The pdu runs to the end of the APDU: a prefix or trailing byte changes the pdu.
    assert_round_trip(apdu, self_delimiting=False)


@given(st.sampled_from([0x0F, 0x10, 0xC2, 0xE6, 0xE7]), st.binary(max_size=40))
def test_fuzz_random(tag: int, rest: bytes) -> None:
    assert_decodes_or_fails(bytes([tag]) + rest)


@given(st.data())
def test_fuzz_mutated_vectors(data: st.DataObject) -> None:
    _, raw = data.draw(st.sampled_from(_push_apdus()))
    buf = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 4))):
        buf[data.draw(st.integers(0, len(buf) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(buf)))
    assert_decodes_or_fails(bytes(buf[:cut]))
