"""Data, register, profile, clock and control classes (cosem/classes/basic).

Real bytes where a public capture has them (each test names the vectors.json id or the
test module it comes from); the other structured attributes are built from the Blue Book
attribute descriptions (DLMS UA 1000-1, the class's table), as ``BLUE_BOOK`` marks them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from dlmskit import apdu, axdr
from dlmskit.cosem.classes import lookup
from dlmskit.cosem.classes.basic import (
    ActivityDayProfile,
    ClockBase,
    ControlState,
    ScheduleEntry,
    SingleActionType,
    SortMethod,
    SpecialDay,
)
from dlmskit.cosem.types import (
    CaptureObjectDefinition,
    ExecutionTime,
    Script,
    ScriptReference,
    ScriptServiceId,
    ValueDefinition,
)
from dlmskit.cosem.units import ScalerUnit, Unit
from dlmskit.cosem_time import CosemDate, CosemDateTime, CosemTime
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis
from tests import vectors

from .test_comm_values import E450_PUSH

BLUE_BOOK = "built from the Blue Book attribute description"


def h(text: str) -> bytes:
    """Bytes from spaced hex."""
    return bytes.fromhex(text.replace(" ", ""))


def _round_trip(class_id: int, version: int, index: int, hex_value: str) -> object:
    spec = lookup(class_id, version)
    wire = bytes.fromhex(hex_value.replace(" ", ""))
    value = spec.decode_attribute(index, wire)
    assert spec.encode_attribute(index, value) == wire
    return value


def _push_01_registers() -> list[axdr.Structure]:
    body = apdu.decode(bytes.fromhex(vectors.record("PUSH-01")["plain_apdu"]))
    return [e for e in body.notification_body if isinstance(e, axdr.Structure) and len(e) == 3]  # type: ignore[attr-defined]


def test_register_from_a_kaifa_ma309_push() -> None:
    """PUSH-01 (Kaifa MA309, TINETZ): each element is {logical_name, value, scaler_unit}."""
    register = lookup(3, 0)
    seen = {}
    for ln, value, scaler_unit in _push_01_registers():
        obis = register.decode_attribute(1, axdr.encode(ln))
        su = register.decode_attribute(3, axdr.encode(scaler_unit))
        assert isinstance(su, ScalerUnit)
        assert register.encode_attribute(3, su) == axdr.encode(scaler_unit)
        value_wire = axdr.encode(value)
        assert register.encode_attribute(2, register.decode_attribute(2, value_wire)) == value_wire
        seen[str(obis)] = su.apply(int(value))  # type: ignore[call-overload]
    assert len(seen) == 8
    assert seen["1.0.32.7.0.255"] == Decimal("230.8")  # L1 voltage, scaler -1, V
    assert lookup(3, 0).decode_attribute(3, h("02020FFF1623")).unit is Unit.VOLT
    assert seen["1.0.1.8.0.255"] == Decimal(9108)  # Wh


def test_clock_time_from_real_frames() -> None:
    """XDLMS-11 (u9n/dlms-cosem test_set.py: SET clock.time 2021-01-24) and PUSH-01."""
    set_request = apdu.decode(vectors.item_bytes("XDLMS", 11))
    wire = axdr.encode(set_request.value)  # type: ignore[attr-defined]
    clock = lookup(8, 0)
    time = clock.decode_attribute(2, wire)
    assert isinstance(time, CosemDateTime)
    assert (time.year, time.month, time.day) == (2021, 1, 24)
    assert clock.encode_attribute(2, time) == wire
    push = bytes.fromhex(vectors.record("PUSH-01")["plain_apdu"])
    stamp = apdu.decode(push).notification_body[1]  # type: ignore[attr-defined]
    assert clock.decode_attribute(2, axdr.encode(stamp)).hour == 15


def test_profile_buffer_and_capture_objects_from_real_bytes() -> None:
    """Buffer: XDLMS-26 (u9n/dlms-cosem test_parsers.py). Capture objects: the object list
    of a Landis+Gyr E450 push (same capture_object_definition layout, test_comm_values)."""
    buffer = _round_trip(7, 1, 2, vectors.item("XDLMS", 26)["hex"])
    assert isinstance(buffer, tuple) and len(buffer) == 4
    assert buffer[1][0] is None  # null-compressed clock
    objects_wire = axdr.encode(apdu.decode(E450_PUSH).notification_body[0])  # type: ignore[attr-defined]
    objects = _round_trip(7, 1, 3, objects_wire.hex())
    assert isinstance(objects, tuple) and len(objects) == 18
    assert objects[3] == CaptureObjectDefinition(
        class_id=8, logical_name=Obis.parse("0.0.1.0.0.255"), attribute_index=2, data_index=0
    )
    assert _round_trip(7, 0, 3, objects_wire.hex()) == objects


def test_profile_scalars_and_methods() -> None:
    """BLUE_BOOK: sort_method enum, capture_period seconds; v0 has 4 methods, v1 2."""
    assert _round_trip(7, 1, 5, "1601") is SortMethod.FIFO
    assert _round_trip(7, 1, 4, "06 00000384") == 900
    assert _round_trip(7, 1, 6, "0204 1200 08 0906 0000010000FF 0F02 120000").logical_name == (
        Obis.parse("0.0.1.0.0.255")
    )
    assert len(lookup(7, 0).methods) == 4 and len(lookup(7, 1).methods) == 2
    assert lookup(7, 1).decode_method_parameter(1, h("0F00")) == 0


@pytest.mark.parametrize(
    ("class_id", "index", "hex_value", "source"),
    [
        (4, 4, "1100", BLUE_BOOK),  # status
        (4, 5, "090C 07E70C0105 0C0D05FF 800000", BLUE_BOOK),  # capture_time
        (5, 8, "06 00000384", BLUE_BOOK),  # period 900 s
        (5, 9, "12 000F", BLUE_BOOK),
        (8, 3, "10 FF88", BLUE_BOOK),  # time_zone -120
        (8, 4, "11 80", BLUE_BOOK),  # daylight saving active
        (8, 5, "090C FFFF03FE0702000000 8000 FF", BLUE_BOOK),  # last Sunday of March 02:00
        (8, 9, "1601", BLUE_BOOK),
        (70, 2, "0301", BLUE_BOOK),
        (70, 3, "1602", BLUE_BOOK),
        (124, 7, "0906 0000160000FF", BLUE_BOOK),
    ],
)
def test_scalar_attributes(class_id: int, index: int, hex_value: str, source: str) -> None:
    assert source
    _round_trip(class_id, 0, index, hex_value)


def test_clock_enumerations_and_method() -> None:
    """BLUE_BOOK: clock_base, shift_time (long seconds), preset_adjusting_time."""
    assert _round_trip(8, 0, 9, "1601") is ClockBase.INTERNAL_CRYSTAL
    clock = lookup(8, 0)
    assert clock.decode_method_parameter(6, h("10FFC4")) == -60
    wire = bytes.fromhex("0203" + "090C07E70C01050C0000FF800000" * 3)
    preset = clock.decode_method_parameter(5, wire)
    assert clock.encode_method_parameter(5, preset) == wire


def test_disconnect_control_state() -> None:
    assert _round_trip(70, 0, 3, "1602") is ControlState.READY_FOR_RECONNECTION


SCRIPT_TABLE = (
    # BLUE_BOOK 4.5.1: two scripts; 1 writes Data 0.0.96.3.10.255 value 1, 2 invokes
    # Disconnect control 0.0.96.3.10.255 method 1 (remote_disconnect) with integer 0.
    "0102"
    "0202 1200 01 0101 0205 1601 1200 01 0906 0000600A03FF 0F02 1101"
    "0202 1200 02 0101 0205 1602 1200 46 0906 0000600A03FF 0F01 0F00"
)


def test_script_table() -> None:
    scripts = _round_trip(9, 0, 2, SCRIPT_TABLE)
    assert isinstance(scripts, tuple) and isinstance(scripts[0], Script)
    action = scripts[1].actions[0]
    assert action.service_id is ScriptServiceId.EXECUTE_METHOD
    assert (action.class_id, action.index, action.parameter) == (70, 1, 0)
    assert lookup(9, 0).decode_method_parameter(1, h("120002")) == 2


SCHEDULE_ENTRY = (
    "020A 120001 0301 0906 00000A0064FF 120001 0904 06000000 12FFFF"
    "0407 F8 0400 0905 FFFFFFFFFF 0905 FFFFFFFFFF"
)


def test_schedule() -> None:
    """BLUE_BOOK 4.5.3: one entry, tariff script 1 at 06:00 Monday..Friday, no dates."""
    entries = _round_trip(10, 0, 2, "0101" + SCHEDULE_ENTRY)
    entry = entries[0]  # type: ignore[index]
    assert isinstance(entry, ScheduleEntry)
    assert entry.switch_time == CosemTime.from_bytes(bytes.fromhex("06000000"))
    assert entry.exec_weekdays.bits() == "1111100"  # Monday..Friday
    schedule = lookup(10, 0)
    wire = bytes.fromhex(SCHEDULE_ENTRY.replace(" ", ""))
    assert schedule.encode_method_parameter(2, schedule.decode_method_parameter(2, wire)) == wire
    assert schedule.decode_method_parameter(3, h("0202 120001 120003")).last_index == 3


def test_special_days_and_single_action_schedule() -> None:
    """BLUE_BOOK 4.5.4 and 4.5.7."""
    days = _round_trip(11, 0, 2, "0101 0203 120001 0905 07E8121909 1102")
    assert days[0] == SpecialDay(  # type: ignore[index]
        index=1, specialday_date=CosemDate.from_bytes(bytes.fromhex("07E8121909")), day_id=2
    )
    assert _round_trip(22, 0, 2, "0202 0906 00000A0064FF 120001") == ScriptReference(
        script_logical_name=Obis.parse("0.0.10.0.100.255"), script_selector=1
    )
    assert _round_trip(22, 0, 3, "1601") is SingleActionType.SIZE_1_SAME_TIME_WILDCARD_DATE
    times = _round_trip(22, 0, 4, "0101 0202 0904 00000000 0905 FFFFFF01FF")
    assert isinstance(times[0], ExecutionTime)  # type: ignore[index]


ACTIVITY_CALENDAR = {
    2: "0903 414354",  # calendar_name_active "ACT"
    3: "0101 0203 0901 01 090C FFFF0101FF000000FF800000 0901 01",
    4: "0101 0208 0901 01 1101 1101 1101 1101 1101 1102 1102",
    5: "0101 0202 1101 0102 0203 0904 00000000 0906 00000A0064FF 120001"
    " 0203 0904 06000000 0906 00000A0064FF 120002",
    10: "090C FFFFFFFFFFFFFFFFFF800000",  # activate_passive_calendar_time: not specified
}


def test_activity_calendar() -> None:
    """BLUE_BOOK 4.5.5: one season, one week, one day profile with two switch times."""
    for index, hex_value in ACTIVITY_CALENDAR.items():
        value = _round_trip(20, 0, index, hex_value)
        if index == 5:
            day = value[0]  # type: ignore[index]
            assert isinstance(day, ActivityDayProfile)
            assert [a.script_selector for a in day.day_schedule] == [1, 2]


def test_register_monitor_and_limiter() -> None:
    """BLUE_BOOK 4.5.6 and 4.5.9."""
    monitored = "0203 120003 0906 0100010700FF 0F02"
    assert _round_trip(21, 0, 3, monitored) == ValueDefinition(
        class_id=3, logical_name=Obis.parse("1.0.1.7.0.255"), attribute_index=2
    )
    _round_trip(21, 0, 2, "0102 0600001388 0600002710")
    ref = "0202 0906 00000A0064FF 120001"
    _round_trip(21, 0, 4, f"0101 0202 {ref} {ref}")
    _round_trip(71, 0, 2, monitored)
    _round_trip(71, 0, 8, "0203 120001 090C 07E70C01050C0000FF800000 0600000E10")
    _round_trip(71, 0, 11, f"0202 {ref} {ref}")


def test_register_activation_and_table() -> None:
    """BLUE_BOOK 4.3.5 and 4.3.9."""
    _round_trip(6, 0, 2, "0102 0202 120003 0906 0100010801FF 0202 120003 0906 0100010802FF")
    _round_trip(6, 0, 3, "0101 0202 0902 5431 0101 1101")
    assert _round_trip(6, 0, 4, "0902 5431") == b"T1"
    _round_trip(61, 0, 3, "0204 120003 0906 0100010800FF 0102 1101 1102 0F02")


def test_wrong_types_are_decode_errors_naming_the_class() -> None:
    with pytest.raises(DecodeError, match=r"Register \(class 3, version 0\) attribute 3"):
        lookup(3, 0).decode_attribute(3, h("0202 1100 161E"))
    with pytest.raises(DecodeError, match="Clock"):
        lookup(8, 0).decode_attribute(2, h("0905 0102030405"))
    with pytest.raises(DecodeError, match="Script"):
        lookup(9, 0).decode_attribute(2, h("0101 0201 1200"))


def test_lenient_keeps_a_meters_deviation() -> None:
    """A meter sending the scaler as unsigned: lenient mode keeps the raw value."""
    with pytest.warns(UserWarning, match="lenient"):
        raw = lookup(3, 0).decode_attribute(3, h("0202 1100 161E"), lenient=True)
    assert raw == axdr.Structure((axdr.Unsigned(0), axdr.Enum(30)))


def test_function_control_compact_data_and_sensor_manager() -> None:
    """BLUE_BOOK (layouts cross-checked with the Gurux class files: add_function takes one
    function block, remove_function its name; compact data v1 capture objects carry a
    restriction)."""
    fc = lookup(122, 0)
    block = h("0202 0903 544F55 0101 0202 120046 0906 0000600A03FF")
    assert fc.encode_method_parameter(2, fc.decode_method_parameter(2, block)) == block
    assert fc.decode_method_parameter(3, h("0903 544F55")) == b"TOU"
    status = h("0101 0202 0903 544F55 0301")
    assert fc.encode_attribute(2, fc.decode_attribute(2, status)) == status
    v1_objects = "0101 0205 120003 0906 0100010800FF 0F02 120000 0202 1602 0202 120001 120005"
    objects = _round_trip(62, 1, 3, v1_objects)
    assert objects[0].restriction is not None  # type: ignore[index]
    with pytest.raises(DecodeError):
        lookup(62, 0).decode_attribute(3, h(v1_objects))
    processed = "0203 120003 0906 0100010700FF 0F02"
    _round_trip(67, 0, 13, processed)
