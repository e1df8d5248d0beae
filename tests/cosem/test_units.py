"""Tests of dlmskit.cosem.units (Blue Book 4.3.2 scal_unit_type and the unit table)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import apdu, axdr
from dlmskit.cosem.units import UNIT_TABLE, ScalerUnit, Unit
from dlmskit.errors import DecodeError
from tests.vectors import record


def test_table_spot_checks() -> None:
    """Blue Book unit table rows (and the Gurux ``Unit`` enumeration's numbering)."""
    assert Unit(1).symbol == "a" and Unit(1).unit_name == "year"
    assert Unit.WATT_HOUR == 30 and Unit(30).symbol == "Wh"
    assert Unit(27).symbol == "W" and Unit(28).symbol == "VA" and Unit(29).symbol == "var"
    assert Unit(32).symbol == "varh" and Unit(33).symbol == "A" and Unit(35).symbol == "V"
    assert Unit(13).symbol == "m³" and Unit(14).quantity == "corrected volume"
    assert Unit(44).symbol == "Hz" and Unit(56).symbol == "%" and Unit(9).symbol == "°C"
    assert Unit(62).symbol == "mol %" and Unit(72).symbol == "dB"
    assert Unit(128).unit_name == "inch" and Unit(174).symbol == "Btu/d"
    assert Unit.OTHER == 254 and Unit.COUNT == 255 and Unit(255).symbol == ""


def test_every_member_has_a_table_row_and_back() -> None:
    assert {int(u) for u in Unit} == set(UNIT_TABLE)
    for code, info in UNIT_TABLE.items():
        assert Unit(code).symbol == info.symbol
        assert Unit(code).known


@pytest.mark.parametrize("code", [0, 58, 59, 68, 100, 200, 253])
def test_unassigned_codes_are_kept(code: int) -> None:
    unit = Unit(code)
    assert int(unit) == code and not unit.known and unit.symbol == ""
    assert ScalerUnit.from_bytes(bytes([2, 2, 0x0F, 0, 0x16, code])).unit == code


def test_blue_book_example_bytes() -> None:
    """02 02 0F FD 16 1E = structure{integer -3, enum 30}: 10^-3 Wh (Blue Book 4.3.2)."""
    su = ScalerUnit.from_bytes(bytes.fromhex("02020FFD161E"))
    assert su == ScalerUnit(-3, Unit.WATT_HOUR)
    assert su.apply(12345) == Decimal("12.345")
    assert str(su.apply(12345)) == "12.345"
    assert su.to_bytes().hex().upper() == "02020FFD161E"
    assert str(su) == "10^-3 Wh"


def _scaler_units(value: axdr.Value) -> list[tuple[axdr.Value, axdr.Value]]:
    """(raw value, scaler_unit structure) pairs of a push body's register structures."""
    found = []
    if isinstance(value, axdr.Structure):
        if (
            len(value) == 3
            and isinstance(value[0], axdr.OctetString)
            and isinstance(value[2], axdr.Structure)
        ):
            found.append((value[1], value[2]))
        for v in value:
            found.extend(_scaler_units(v))
    return found


def test_push_01_registers() -> None:
    """PUSH-01 (fneur/smart-meter-tirol doc/EXAMPLE.md, Kaifa meter): voltage 2308 with
    {-1, V} = 230.8 V, current {-2, A}, energies {0, Wh}/{0, varh}; every scaler_unit
    re-encodes to its bytes in the APDU."""
    plain = bytes.fromhex(record("PUSH-01")["plain_apdu"])
    notification = apdu.decode(plain)
    assert isinstance(notification, apdu.notification.DataNotification)
    pairs = _scaler_units(notification.notification_body)
    assert len(pairs) == 8
    decoded = [(raw, ScalerUnit.from_data(su)) for raw, su in pairs]
    raw, su = decoded[0]
    assert isinstance(raw, int)
    assert su == ScalerUnit(-1, Unit.VOLT) and su.apply(raw) == Decimal("230.8")
    assert decoded[1][1] == ScalerUnit(-2, Unit.AMPERE)
    assert decoded[4][1].unit is Unit.WATT_HOUR and decoded[4][1].apply(9108) == 9108
    assert decoded[6][1].unit.symbol == "varh"
    for (_, su_value), (_, su) in zip(pairs, decoded, strict=True):
        encoded = su.to_bytes()
        assert encoded == axdr.encode(su_value) and encoded in plain


def _integer_enum_pairs(value: axdr.Value) -> Iterator[axdr.Structure]:
    """Every structure{integer, enum} inside a value (the scaler_unit shape)."""
    if isinstance(value, axdr.Structure | axdr.Array):
        if (
            isinstance(value, axdr.Structure)
            and len(value) == 2
            and isinstance(value[0], axdr.Integer)
            and isinstance(value[1], axdr.Enum)
        ):
            yield value
        for v in value:
            yield from _integer_enum_pairs(v)


@pytest.mark.parametrize("rid", ["PUSH-02", "PUSH-03", "PUSH-15"])
def test_push_scaler_units_round_trip(rid: str) -> None:
    """Every scaler_unit in these pushes (vectors.json; sources in the records) decodes and
    re-encodes byte-exact."""
    notification = apdu.decode(bytes.fromhex(record(rid)["plain_apdu"]))
    assert isinstance(notification, apdu.notification.DataNotification)
    pairs = list(_integer_enum_pairs(notification.notification_body))
    assert len(pairs) >= 5
    for su_value in pairs:
        su = ScalerUnit.from_data(su_value)
        assert su.to_data() == su_value and su.to_bytes() == axdr.encode(su_value)


@pytest.mark.parametrize(
    ("scaler", "raw", "text"),
    [
        (0, 7, "7"),
        (-1, 2308, "230.8"),
        (-2, 5, "0.05"),
        (-3, -1500, "-1.500"),
        (3, 15, "1.5E+4"),
        (-128, 1, "1E-128"),
        (127, 1, "1E+127"),
        (-3, 2**63 - 1, "9223372036854775.807"),
        (-9, 18446744073709551615, "18446744073.709551615"),
    ],
)
def test_apply_is_exact(scaler: int, raw: int, text: str) -> None:
    value = ScalerUnit(scaler, Unit.WATT_HOUR).apply(raw)
    assert value == Decimal(text) and str(value) == text


@given(st.integers(-128, 127), st.integers(-(2**64), 2**64), st.integers(0, 255))
def test_apply_unapply_round_trip(scaler: int, raw: int, unit: int) -> None:
    su = ScalerUnit(scaler, Unit(unit))
    assert su.unapply(su.apply(raw)) == raw
    assert ScalerUnit.from_bytes(su.to_bytes()) == su


def test_unapply_refuses_fractions() -> None:
    with pytest.raises(ValueError, match="multiple"):
        ScalerUnit(-1, Unit.VOLT).unapply(Decimal("230.85"))
    assert ScalerUnit(-1, Unit.VOLT).unapply(Decimal("230.80")) == 2308


@pytest.mark.parametrize(
    ("hexdata", "match"),
    [
        ("02030FFD161E0F00", "structure"),
        ("0201 0FFD", "structure"),
        ("0F03", "structure"),
        ("020210FFFD161E", "scaler must be integer"),
        ("02020FFD111E", "unit must be enum"),
        ("01020FFD161E", "structure"),
    ],
)
def test_from_data_rejects(hexdata: str, match: str) -> None:
    with pytest.raises(DecodeError, match=match):
        ScalerUnit.from_bytes(bytes.fromhex(hexdata))


def test_constructor_checks() -> None:
    with pytest.raises(ValueError, match="scaler"):
        ScalerUnit(128, Unit.VOLT)
    with pytest.raises(TypeError, match="scaler"):
        ScalerUnit(1.0, Unit.VOLT)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unit"):
        ScalerUnit(0, 256)  # type: ignore[arg-type]
    assert ScalerUnit(0, 30).unit is Unit.WATT_HOUR  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="raw"):
        ScalerUnit(0, Unit.VOLT).apply(1.5)  # type: ignore[arg-type]
