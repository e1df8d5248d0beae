"""Value types of the communication, M-Bus and payment classes (cosem/classes/_declare,
comm, media, payment): decoding from real and standard-built bytes, byte-exact re-encoding,
refusal of mistyped data with a DecodeError naming the type and field."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit import apdu, axdr
from dlmskit.cosem.classes import comm, media, payment, plc
from dlmskit.cosem.classes._declare import ValueStruct
from dlmskit.cosem.classes.comm import (
    PushObject,
    RestrictionElement,
    RestrictionType,
    SendDestinationAndMethod,
    TransportService,
    WindowElement,
)
from dlmskit.cosem.types import CaptureObjectDefinition
from dlmskit.cosem_time import CosemDateTime
from dlmskit.errors import DecodeError
from dlmskit.link.hdlc import FrameReceived, FrameSplitter
from dlmskit.obis import Obis

from .comm_strategies import for_type

# Landis+Gyr E450 push (DataNotification, plain): body = structure {push_object_list of
# push setup 0.8.25.9.0.255, its logical name, serial, clock, register values...}. Source:
# rddl-network/EnergyAgent, tests (test_obis_decoder_lg_e450_49928Wh), commit 6def1bf3b846.
E450_PUSH = bytes.fromhex(
    "0f00befa6e0c07e70c01050c0d05ff80000002120112020412002809060008190900ff0f0212000002"
    "0412002809060008190900ff0f01120000020412000109060000600100ff0f0212000002041200080906"
    "0000010000ff0f02120000020412000309060100010700ff0f0212000002041200030906010002070"
    "0ff0f02120000020412000309060100010800ff0f02120000020412000309060100020800ff0f0212"
    "0000020412000309060100030700ff0f02120000020412000309060100040700ff0f02120000020412"
    "000309060100030800ff0f02120000020412000309060100040800ff0f0212000002041200030906"
    "01001f0700ff0f02120000020412000309060100330700ff0f0212000002041200030906010047070"
    "0ff0f02120000020412000309060100200700ff0f02120000020412000309060100340700ff0f0212"
    "0000020412000309060100480700ff0f0212000009060008190900ff09083536383135393330090c07"
    "e70c01050c0d05ff80000106000000080600000000060000c30806000000000600000000060000000706"
    "00001259060000e39b1200081200001200001200ed120000120000"
)

# Landis+Gyr E450 push over HDLC UI frames carrying General-Block-Transfer blocks (3 frames).
# Source: SensorsIot/gplug-mini, docs (M-Bus simulator instructions, "The bytes for Stage
# 2"; also test/host/fixtures/e450_serial8.hex), commit 8e58b2f01844.
E450_GBT_FRAMES = bytes.fromhex(
    "7EA084CEFF0313128BE6E700E04000010000700F0003B5330C07E60B16021025"
    "1EFF8000000"
    "20B010B0204120028090600081909"
    "00FF0F02120000020412002809060008190900FF0F0112000002041200010906"
    "0000600100FF0F02120000020412000309060100010700FF0F0212000002041200"
    "0309060100020700FF0F021200004C217E7EA08BCEFF0313EEE1E0400002000"
    "07A0204120003090601010108"
    "00FF0F02120000020412000309060101020800"
    "FF0F02120000020412000309060101050800FF0F0212000002041200030906010106"
    "0800FF0F02120000020412000309060101070800FF0F021200000204120003090601"
    "01080800FF0F0212000009060008190900FF090834343333"
    "8B527E7EA03DCEFF0313F284"
    "E0C00003"
    "00002C37383131060000030906000000000601"
    "7FBFEB0600437ADE06002FCDAE"
    "06000033BF060037702E0600F0415840EF7E"
)


def _push_object_list_of(notification: bytes) -> axdr.Array:
    body = apdu.decode(notification).notification_body  # type: ignore[attr-defined]
    assert isinstance(body, axdr.Structure)
    first = body[0]
    assert isinstance(first, axdr.Array)
    return first


def test_push_object_list_from_e450_push() -> None:
    """18 version-0 push objects, as the meter sends its own push_object_list."""
    raw = _push_object_list_of(E450_PUSH)
    objects = [PushObject.from_data(v) for v in raw]
    assert len(objects) == 18
    assert objects[0] == PushObject(
        class_id=40, logical_name=Obis("0.8.25.9.0.255"), attribute_index=2, data_index=0
    )
    assert objects[1].attribute_index == 1
    assert objects[3].class_id == 8 and objects[3].logical_name == Obis("0.0.1.0.0.255")
    assert objects[-1].logical_name == Obis("1.0.72.7.0.255")
    assert all(o.restriction is None and o.columns is None for o in objects)
    assert axdr.encode(axdr.Array(o.to_data() for o in objects)) == axdr.encode(raw)


def test_push_object_list_from_e450_hdlc_gbt_capture() -> None:
    """The same meter type over HDLC + GBT: 11 push objects, byte-exact."""
    splitter = FrameSplitter()
    splitter.receive_data(E450_GBT_FRAMES)
    blocks = []
    while isinstance(event := splitter.next_event(), FrameReceived):
        info = event.frame.information
        blocks.append(apdu.decode(info[3:] if info[:3] == b"\xe6\xe7\x00" else info))
    assert len(blocks) == 3
    notification = b"".join(b.block_data for b in blocks)  # type: ignore[attr-defined]
    raw = _push_object_list_of(notification)
    objects = [PushObject.from_data(v) for v in raw]
    assert [o.class_id for o in objects] == [40, 40, 1, 3, 3, 3, 3, 3, 3, 3, 3]
    assert [str(o.logical_name) for o in objects[3:5]] == ["1.0.1.7.0.255", "1.0.2.7.0.255"]
    assert axdr.encode(axdr.Array(o.to_data() for o in objects)) == axdr.encode(raw)


def test_push_object_versions_1_and_2_built_from_the_blue_book() -> None:
    """Built from the Blue Book description (push_object_definition, Push setup v1/v2): a
    restriction by entry, then the same with one column of a pushed profile."""
    v1 = bytes.fromhex(
        "02051200070906 0100630100FF0F021200000202 1602 0202 0600000001 0600000005".replace(" ", "")
    )
    obj = PushObject.from_data(axdr.decode(v1))
    assert obj.restriction == RestrictionElement(
        restriction_type=RestrictionType.BY_ENTRY,
        restriction_value=axdr.Structure((axdr.DoubleLongUnsigned(1), axdr.DoubleLongUnsigned(5))),
    )
    assert obj.columns is None
    assert axdr.encode(obj.to_data()) == v1
    column = "0204 120008 0906 0000010000FF 0F02 120000".replace(" ", "")
    v2 = bytes.fromhex(v1.hex()[:2] + "06" + v1.hex()[4:] + "0101" + column)
    obj2 = PushObject.from_data(axdr.decode(v2))
    assert obj2.columns == (
        CaptureObjectDefinition(
            class_id=8, logical_name=Obis("0.0.1.0.0.255"), attribute_index=2, data_index=0
        ),
    )
    assert axdr.encode(obj2.to_data()) == v2


@pytest.mark.parametrize(
    ("hex_value", "message"),
    [
        ("020312000809060000010000FF0F02", "4 (v0), 5 (v1) or 6 (v2)"),
        ("0204 1108 0906 0000010000FF 0F02 120000", "PushObject.class_id must be long-unsigned"),
        ("0204120008 0905 00000100FF 0F02 120000", "PushObject.logical_name"),
        ("0204120008 0906 0000010000FF 1102 120000", "PushObject.attribute_index must be int"),
        (
            "0205120008 0906 0000010000FF 0F02 120000 0201 1601",
            "PushObject.restriction: RestrictionElement must be a structure of 2",
        ),
    ],
)
def test_push_object_refuses_mistyped_data(hex_value: str, message: str) -> None:
    with pytest.raises(DecodeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        PushObject.from_data(axdr.decode(bytes.fromhex(hex_value.replace(" ", ""))))


def test_push_object_constructor_validates() -> None:
    with pytest.raises(ValueError, match="LongUnsigned"):
        PushObject(class_id=70000, logical_name=Obis("0.0.1.0.0.255"), attribute_index=2)
    with pytest.raises(ValueError, match="needs a restriction"):
        PushObject(class_id=1, logical_name=Obis("0.0.1.0.0.255"), attribute_index=2, columns=())
    obj = PushObject(class_id=1, logical_name="0-0:96.1.0.255", attribute_index=2)  # type: ignore[arg-type]
    assert obj.logical_name == Obis(0, 0, 96, 1, 0, 255)


def test_send_destination_and_method_built_from_the_blue_book() -> None:
    """TCP to 192.168.0.10:4059, A-XDR APDUs (Blue Book push setup attribute 3 layout)."""
    raw = bytes.fromhex("0203 1600 0911 3139322E3136382E302E31303A34303539 1600".replace(" ", ""))
    value = SendDestinationAndMethod.from_bytes(raw)
    assert value.transport_service is TransportService.TCP
    assert value.destination == b"192.168.0.10:4059"
    assert value.message == comm.MessageType.A_XDR_APDU
    assert value.to_bytes() == raw
    # A manufacturer transport (200..255) is kept, not refused.
    odd = SendDestinationAndMethod.from_bytes(bytes.fromhex("020316C8090016 80"))
    assert odd.transport_service == 200 and not odd.transport_service.known


def test_window_with_wildcards_and_empty_ends() -> None:
    """Daily window 06:00..22:00 (date wildcarded), and a window whose ends are unset."""
    raw = bytes.fromhex(
        "0202 090C FFFFFFFFFF060000FF800000 090C FFFFFFFFFF160000FF800000".replace(" ", "")
    )
    window = WindowElement.from_bytes(raw)
    assert window.start is not None and window.start.hour == 6 and window.start.year is None
    assert window.to_bytes() == raw
    empty = WindowElement.from_bytes(bytes.fromhex("020209000900"))
    assert empty == WindowElement(start=None, end=None)
    assert empty.to_bytes() == bytes.fromhex("020209000900")
    with pytest.raises(DecodeError, match=r"WindowElement.start must be octet-string\(12\)"):
        WindowElement.from_bytes(bytes.fromhex("0202090301020309 00"))


def test_gprs_quality_of_service_built_from_the_blue_book() -> None:
    raw = bytes.fromhex(
        "0202 0205 1101 1102 1103 1104 1105 0205 1100 1100 1100 1100 1100".replace(" ", "")
    )
    qos = comm.QualityOfService.from_bytes(raw)
    assert qos.default == comm.QosElement(
        precedence=1, delay=2, reliability=3, peak_throughput=4, mean_throughput=5
    )
    assert qos.to_bytes() == raw
    with pytest.raises(DecodeError, match=r"QualityOfService.requested: QosElement must be"):
        comm.QualityOfService.from_bytes(
            bytes.fromhex(
                "0202 0205 1101 1102 1103 1104 1105 0204 1100 1100 1100 1100".replace(" ", "")
            )
        )


def test_gsm_cell_info_versions() -> None:
    """v0: long-unsigned cell id; v1: double-long-unsigned + MCC, MNC, channel (Gurux
    GXDLMSGSMDiagnostic documents both layouts). Built from that description."""
    v0 = bytes.fromhex("0204 121234 125678 110F 1100".replace(" ", ""))
    assert comm.CellInfoV0.from_bytes(v0).cell_id == 0x1234
    assert comm.CellInfoV0.from_bytes(v0).to_bytes() == v0
    v1 = bytes.fromhex("0207 0600012345 125678 110F 1100 1200F4 120001 060000006E".replace(" ", ""))
    info = comm.CellInfo.from_bytes(v1)
    assert (info.cell_id, info.mcc, info.mnc, info.channel_number) == (0x12345, 244, 1, 110)
    assert info.to_bytes() == v1
    with pytest.raises(DecodeError, match="CellInfo must be a structure of 7 elements, got 4"):
        comm.CellInfo.from_bytes(v0)


def test_secrets_are_redacted_in_repr() -> None:
    auth = comm.PppAuthentication(user_name=b"user", password=b"s3cret")
    key = comm.AuthenticationKey(key_id=1, key=b"k" * 16)
    assert "s3cret" not in repr(auth) and "kkkk" not in repr(key)


def test_payment_unit_charge_built_from_the_blue_book() -> None:
    """Charge unit_charge: scaling {-3, -2}, commodity register 1.0.1.8.0.255 attr 2, two
    charge table rows (Blue Book Charge class attribute 5 layout)."""
    raw = bytes.fromhex(
        "0203 0202 0FFD 0FFE 0203 120003 0906 0100010800FF 0F02"
        "0102 0202 090154 10000C 0202 09014E 100008".replace(" ", "")
    )
    unit = payment.UnitCharge.from_bytes(raw)
    assert unit.charge_per_unit_scaling == payment.ChargePerUnitScaling(
        commodity_scale=-3, price_scale=-2
    )
    assert unit.commodity.logical_name == Obis("1.0.1.8.0.255")
    assert [row.charge_per_unit for row in unit.charge_table] == [12, 8]
    assert unit.to_bytes() == raw


def test_account_currency_and_token_status() -> None:
    currency = payment.Currency.from_bytes(
        bytes.fromhex("0203 0C03455552 0FFE 1602".replace(" ", ""))
    )
    assert currency == payment.Currency(name="EUR", scale=-2, unit=payment.CurrencyUnit.MONETARY)
    status = payment.TokenStatus.from_bytes(bytes.fromhex("0202 1603 0408 80".replace(" ", "")))
    assert status.status_code is payment.TokenStatusCode.TOKEN_EXECUTION_OK
    assert status.data_value.bits() == "10000000"
    assert status.to_bytes() == bytes.fromhex("020216030408 80".replace(" ", ""))


def test_mbus_diagnostic_capture_time_and_counter() -> None:
    ts = "19" + "07E70C0105 0C0D05 FF 800000".replace(" ", "")
    counter = media.BroadcastFrameCounter.from_bytes(
        bytes.fromhex("0203 1110 0600000102".replace(" ", "") + ts)
    )
    assert counter.client_id == 16 and counter.counter == 258
    assert counter.time_stamp == CosemDateTime.from_bytes(bytes.fromhex(ts[2:]))
    capture = media.CaptureTime.from_bytes(bytes.fromhex("0202 1105".replace(" ", "") + ts))
    assert capture.attribute_id == 5
    assert capture.to_bytes().hex().upper().endswith(ts)


_ALL_VALUE_TYPES = sorted(
    {
        obj
        for module in (comm, media, payment, plc)
        for obj in vars(module).values()
        if isinstance(obj, type)
        and (issubclass(obj, ValueStruct) or obj is PushObject)
        and obj is not ValueStruct
    },
    key=lambda cls: cls.__name__,
)


def test_every_value_type_is_found() -> None:
    assert len(_ALL_VALUE_TYPES) >= 40


@pytest.mark.parametrize("cls", _ALL_VALUE_TYPES, ids=lambda cls: cls.__name__)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_value_type_round_trip(cls: type[ValueStruct], data: st.DataObject) -> None:
    """Every value type: typed value -> bytes -> typed value -> the same bytes."""
    value = data.draw(for_type(cls))
    encoded = axdr.encode(value.to_data())
    again = cls.from_data(axdr.decode(encoded))
    assert again == value
    assert axdr.encode(again.to_data()) == encoded


@pytest.mark.parametrize("cls", _ALL_VALUE_TYPES, ids=lambda cls: cls.__name__)
def test_value_type_refuses_a_non_structure(cls: type[ValueStruct]) -> None:
    with pytest.raises(DecodeError, match=cls.__name__):
        cls.from_data(axdr.LongUnsigned(1))
    with pytest.raises(DecodeError):
        cls.from_data(axdr.Structure(()))


def test_value_types_are_frozen() -> None:
    window = WindowElement(start=None, end=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        window.start = None  # type: ignore[misc]


def test_non_minimal_octet_string_length_survives_a_round_trip() -> None:
    """Meters sometimes send a long-form length where the short one would do (DESIGN.md
    rule 5); the octet-strings inside value types keep it."""
    raw = bytes.fromhex("0202 09810548454C4C4F 098100".replace(" ", ""))
    value = comm.InitialisationStringV0.from_bytes(raw)
    assert value.request == b"HELLO" and value.response == b""
    assert value.to_bytes() == raw
    currency = payment.Currency.from_bytes(
        bytes.fromhex("0203 0C8103455552 0FFE 1602".replace(" ", ""))
    )
    assert currency.name == "EUR"
    assert currency.to_bytes() == bytes.fromhex("0203 0C8103455552 0FFE 1602".replace(" ", ""))


@pytest.mark.parametrize(
    "module", ["dlmskit.cosem.types", "dlmskit.cosem.classes.comm", "dlmskit.cosem.classes"]
)
def test_imports_in_any_order(module: str) -> None:
    """cosem/types builds on classes/_declare and push objects use its capture object
    definition: importing any of them first in a fresh interpreter must work."""
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import {module}; import dlmskit.cosem.classes.comm as c; c.PushObject.from_data",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
