"""Tests of dlmskit.cosem.names (OBIS value groups, Blue Book clause 7; IEC 62056-6-1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import apdu, axdr
from dlmskit.cosem.names import ObisInfo, lookup, name
from dlmskit.cosem.units import Unit
from dlmskit.obis import Obis
from tests.vectors import push_records

# The name of every OBIS code found in the PUSH bodies of vectors.json (PUSH-01, -02,
# -03, -05, -07, -10, -15; the records name their public sources). The meaning of each
# code follows the Blue Book value-group tables: C = quantity (1/2 active power +/-,
# 3/4 reactive, 13 power factor, 21..80 per phase, 31/51/71 current, 32/52/72 voltage),
# D = 7 instantaneous / 8 time integral 1, E = tariff (0 = total), B = channel.
PUSH_NAMES = {
    "0-0:1.0.0": "Clock",
    "0-0:42.0.0": "COSEM logical device name",
    "0-0:96.1.0": "Device ID 1 (manufacturing number)",
    "0-0:96.1.7": "Device ID 8 (NVE HAN: meter type)",
    "0-1:1.0.0": "Clock, channel 1",
    "1-0:1.7.0": "Active power+ (QI+QIV), instantaneous value",
    "1-0:1.8.0": "Active power+ (QI+QIV), time integral 1, total",
    "1-0:1.8.1": "Active power+ (QI+QIV), time integral 1, tariff 1",
    "1-0:1.8.2": "Active power+ (QI+QIV), time integral 1, tariff 2",
    "1-0:2.7.0": "Active power- (QII+QIII), instantaneous value",
    "1-0:2.8.0": "Active power- (QII+QIII), time integral 1, total",
    "1-0:2.8.1": "Active power- (QII+QIII), time integral 1, tariff 1",
    "1-0:2.8.2": "Active power- (QII+QIII), time integral 1, tariff 2",
    "1-0:3.7.0": "Reactive power+ (QI+QII), instantaneous value",
    "1-0:3.8.0": "Reactive power+ (QI+QII), time integral 1, total",
    "1-0:3.8.1": "Reactive power+ (QI+QII), time integral 1, tariff 1",
    "1-0:3.8.2": "Reactive power+ (QI+QII), time integral 1, tariff 2",
    "1-0:4.7.0": "Reactive power- (QIII+QIV), instantaneous value",
    "1-0:4.8.0": "Reactive power- (QIII+QIV), time integral 1, total",
    "1-0:4.8.1": "Reactive power- (QIII+QIV), time integral 1, tariff 1",
    "1-0:4.8.2": "Reactive power- (QIII+QIV), time integral 1, tariff 2",
    "1-0:13.7.0": "Power factor, instantaneous value",
    "1-0:31.7.0": "L1 current, instantaneous value",
    "1-0:32.7.0": "L1 voltage, instantaneous value",
    "1-0:51.7.0": "L2 current, instantaneous value",
    "1-0:52.7.0": "L2 voltage, instantaneous value",
    "1-0:71.7.0": "L3 current, instantaneous value",
    "1-0:72.7.0": "L3 voltage, instantaneous value",
    "1-1:0.0.1": "Electricity ID 2, channel 1",
    "1-1:0.2.129": "OBIS list version identifier (NVE HAN), channel 1",
    "1-1:1.7.0": "Active power+ (QI+QIV), instantaneous value, channel 1",
    "1-1:1.8.0": "Active power+ (QI+QIV), time integral 1, total, channel 1",
    "1-1:2.7.0": "Active power- (QII+QIII), instantaneous value, channel 1",
    "1-1:2.8.0": "Active power- (QII+QIII), time integral 1, total, channel 1",
    "1-1:3.7.0": "Reactive power+ (QI+QII), instantaneous value, channel 1",
    "1-1:3.8.0": "Reactive power+ (QI+QII), time integral 1, total, channel 1",
    "1-1:4.7.0": "Reactive power- (QIII+QIV), instantaneous value, channel 1",
    "1-1:4.8.0": "Reactive power- (QIII+QIV), time integral 1, total, channel 1",
    "1-1:13.7.0": "Power factor, instantaneous value, channel 1",
    "1-1:21.7.0": "L1 active power+ (QI+QIV), instantaneous value, channel 1",
    "1-1:21.8.0": "L1 active power+ (QI+QIV), time integral 1, total, channel 1",
    "1-1:22.7.0": "L1 active power- (QII+QIII), instantaneous value, channel 1",
    "1-1:22.8.0": "L1 active power- (QII+QIII), time integral 1, total, channel 1",
    "1-1:31.7.0": "L1 current, instantaneous value, channel 1",
    "1-1:32.7.0": "L1 voltage, instantaneous value, channel 1",
    "1-1:33.7.0": "L1 power factor, instantaneous value, channel 1",
    "1-1:41.7.0": "L2 active power+ (QI+QIV), instantaneous value, channel 1",
    "1-1:41.8.0": "L2 active power+ (QI+QIV), time integral 1, total, channel 1",
    "1-1:42.7.0": "L2 active power- (QII+QIII), instantaneous value, channel 1",
    "1-1:42.8.0": "L2 active power- (QII+QIII), time integral 1, total, channel 1",
    "1-1:51.7.0": "L2 current, instantaneous value, channel 1",
    "1-1:52.7.0": "L2 voltage, instantaneous value, channel 1",
    "1-1:53.7.0": "L2 power factor, instantaneous value, channel 1",
    "1-1:61.7.0": "L3 active power+ (QI+QIV), instantaneous value, channel 1",
    "1-1:61.8.0": "L3 active power+ (QI+QIV), time integral 1, total, channel 1",
    "1-1:62.7.0": "L3 active power- (QII+QIII), instantaneous value, channel 1",
    "1-1:62.8.0": "L3 active power- (QII+QIII), time integral 1, total, channel 1",
    "1-1:71.7.0": "L3 current, instantaneous value, channel 1",
    "1-1:72.7.0": "L3 voltage, instantaneous value, channel 1",
    "1-1:73.7.0": "L3 power factor, instantaneous value, channel 1",
}


def _obis_codes(value: axdr.Value) -> set[Obis]:
    """Every 6-octet octet-string of a push body that is a logical name (F = 255)."""
    found: set[Obis] = set()
    if isinstance(value, axdr.Structure | axdr.Array):
        for v in value:
            found |= _obis_codes(v)
    elif isinstance(value, axdr.OctetString) and len(value) == 6 and value[5] == 0xFF:
        found.add(Obis.from_bytes(value))
    return found


def test_every_obis_code_of_the_push_vectors_is_named() -> None:
    seen: set[Obis] = set()
    for rec in push_records():
        if not rec.get("plain_apdu"):
            continue
        notification = apdu.decode(bytes.fromhex(rec["plain_apdu"]))
        assert isinstance(notification, apdu.notification.DataNotification)
        seen |= _obis_codes(notification.notification_body)
    expected = {Obis.parse(k): v for k, v in PUSH_NAMES.items()}
    assert seen == set(expected)
    for code, text in expected.items():
        assert name(code) == text, code
        info = lookup(code)
        assert info is not None and info.name == text and info.obis == code


@pytest.mark.parametrize(
    ("code", "text", "class_id", "unit"),
    [
        ("0.0.1.0.0.255", "Clock", 8, None),
        ("0.0.40.0.0.255", "Current association", 15, None),
        ("0.0.40.0.3.255", "Association 3", 15, None),
        ("0.0.42.0.0.255", "COSEM logical device name", 1, None),
        ("0.0.43.1.0.255", "Invocation counter 0", 1, Unit.COUNT),
        ("0.0.43.0.1.255", "Security setup 1", 64, None),
        ("0.0.97.97.0.255", "Error register", 1, None),
        ("0.0.97.98.0.255", "Alarm register 1", 1, None),
        ("0.0.99.98.0.255", "Standard event log", 7, None),
        ("0.0.99.98.1.255", "Fraud detection event log", 7, None),
        ("0.0.99.98.9.255", "Event log 9", 7, None),
        ("1.0.99.1.0.255", "Load profile with recording period 1", 7, None),
        ("1.0.99.2.0.255", "Load profile with recording period 2", 7, None),
        ("1.0.98.1.0.255", "Data of billing period, scheme 1 (billing profile)", 7, None),
        ("0.0.99.1.0.255", "Load profile with recording period 1", 7, None),
        ("0.0.2.1.0.255", "Auto connect", 29, None),
        ("0.0.2.2.0.255", "Auto answer", 28, None),
        ("1.0.0.2.0.255", "Active firmware identifier", 1, None),
        ("0.0.96.7.0.255", "Number of power failures in all three phases", 1, Unit.COUNT),
        ("1.0.1.46.0.255", "Active power+ (QI+QIV), contracted value, total", 3, Unit.WATT),
        ("1.0.99.97.0.255", "Power failure event log", 7, None),
        ("0.0.96.1.1.255", "Device ID 2 (DSMR: equipment identifier)", 1, None),
        ("0.0.96.7.21.255", "Number of power failures in any phase", 1, Unit.COUNT),
        ("0.0.96.14.0.255", "Currently active tariff", 1, None),
        ("0.1.24.2.1.255", "M-Bus value 1, channel 1", 4, None),
        ("0.1.24.1.0.255", "M-Bus client, channel 1", 72, None),
        ("0.0.25.9.0.255", "Push setup", 40, None),
        ("0.0.15.0.0.255", "End of billing period single action schedule", 22, None),
        ("1.0.32.32.0.255", "Number of voltage sags in phase L1", 1, Unit.COUNT),
        ("1.0.1.8.2.255", "Active power+ (QI+QIV), time integral 1, tariff 2", 3, Unit.WATT_HOUR),
        ("1.0.3.8.0.255", "Reactive power+ (QI+QII), time integral 1, total", 3, Unit.VAR_HOUR),
        (
            "1.0.9.8.0.255",
            "Apparent power+ (QI+QIV), time integral 1, total",
            3,
            Unit.VOLT_AMPERE_HOUR,
        ),
        ("1.0.1.6.0.255", "Active power+ (QI+QIV), maximum 1, total", 4, Unit.WATT),
        ("1.0.1.4.0.255", "Active power+ (QI+QIV), current average 1, total", 5, Unit.WATT),
        (
            "1.0.1.8.0.3",
            "Active power+ (QI+QIV), time integral 1, total, billing period 3",
            3,
            Unit.WATT_HOUR,
        ),
        ("1.0.14.7.0.255", "Supply frequency, instantaneous value", 3, Unit.HERTZ),
        ("1.0.11.7.0.255", "Current, any phase, instantaneous value", 3, Unit.AMPERE),
        ("1.0.91.7.0.255", "Neutral current, instantaneous value", 3, Unit.AMPERE),
        ("1.0.32.36.0.255", "Number of voltage swells in phase L1", 1, Unit.COUNT),
        ("1.0.52.33.0.255", "L2 voltage, under limit duration", 3, Unit.SECOND),
        ("1.0.0.8.4.255", "Recording interval 1 for load profile", 1, Unit.SECOND),
        ("1.0.0.3.0.255", "Active energy meter constant", 1, Unit.PER_WATT_HOUR),
        ("7.0.3.0.0.255", "Gas: forward absolute meter volume, D=0", 3, Unit.CUBIC_METRE),
        ("6.0.1.0.0.255", "Heat: energy, D=0", 3, Unit.JOULE),
        ("8.0.1.0.0.255", "Water (cold): accumulated volume, D=0", 3, Unit.CUBIC_METRE),
        ("9.0.1.0.0.255", "Water (hot): accumulated volume, D=0", 3, Unit.CUBIC_METRE),
        ("4.0.1.0.0.255", "Heat cost allocator: unrated integral, D=0", 3, None),
    ],
)
def test_lookup(code: str, text: str, class_id: int, unit: Unit | None) -> None:
    """Codes from the Blue Book value-group tables, the IDIS object list (event logs,
    load/billing profiles) and DSMR 5.0.2 P1 (96.1.1, 96.7.21, 32.32.0, 32.36.0)."""
    info = lookup(code)
    assert info == ObisInfo(Obis.parse(code), text, class_id, unit)
    assert name(code) == text


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("1.0.200.1.0.255", "Electricity, C=200 D=1 E=0"),
        ("0.0.128.0.0.255", "Manufacturer specific (abstract objects), C=128 D=0 E=0"),
        ("1.2.128.8.0.255", "Manufacturer specific (electricity), C=128 D=8 E=0, channel 2"),
        ("3.0.1.0.0.101", "Medium 3, C=1 D=0 E=0, 1 most recent value(s)"),
    ],
)
def test_unknown_codes_are_described(code: str, text: str) -> None:
    assert lookup(code) is None
    assert name(code) == text


def test_forms_of_the_argument() -> None:
    assert name("1-0:1.8.0") == name(Obis(1, 0, 1, 8, 0)) == name(bytes.fromhex("0100010800FF"))
    with pytest.raises(TypeError, match="obis"):
        name(1234)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="OBIS"):
        name("1.8.0")


@given(st.tuples(*[st.integers(0, 255)] * 6))
def test_name_never_fails(groups: tuple[int, int, int, int, int, int]) -> None:
    code = Obis(*groups)
    text = name(code)
    assert text and isinstance(text, str)
    info = lookup(code)
    assert info is None or info.name == text


def test_package_exports() -> None:
    from dlmskit import cosem

    assert cosem.obis_name is name and cosem.lookup_obis is lookup
    assert set(cosem.__all__) <= set(dir(cosem))
