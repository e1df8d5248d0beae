"""Shared COSEM value types (cosem/types): access rights in the three Association LN
forms, object references, scripts, date/time and CHOICE kinds.

Vectors: vectors.json XDLMS-26 (u9n/dlms-cosem test_parsers.py profile buffer) and the
Landis+Gyr E450 push object list (test_comm_values); the rest is built from the Blue
Book descriptions (DLMS UA 1000-1 4.3.6, 4.4.4, 4.5.1, 4.5.7), as each test says.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import apdu, axdr
from dlmskit.cosem.classes._declare import OCTETS, U8
from dlmskit.cosem.profile import ColumnKind, parse_buffer
from dlmskit.cosem.types import (
    AccessBits,
    AccessRights,
    AttributeAccess,
    AttributeAccessMode,
    CaptureObjectDefinition,
    ChoiceKind,
    DateKind,
    MethodAccess,
    MethodAccessMode,
    ObjectListElement,
    Script,
    ScriptAction,
    ScriptServiceId,
    ShortNameObjectListElement,
    TimeKind,
)
from dlmskit.cosem.units import ScalerUnit, Unit
from dlmskit.cosem_time import CosemDate, CosemTime
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis
from tests import vectors

from .test_catalogue import access_rights, object_list_elements
from .test_comm_values import E450_PUSH


def _data(text: str) -> axdr.Value:
    return axdr.decode(bytes.fromhex(text.replace(" ", "")))


def test_capture_object_definitions_feed_profile_parse_buffer() -> None:
    """XDLMS-26 buffer (4 columns) typed by CaptureObjectDefinition values: the type is
    the one profile.py's CaptureObject protocol describes."""
    objects = [
        CaptureObjectDefinition(
            class_id=8, logical_name=Obis.parse("0.0.1.0.0.255"), attribute_index=2, data_index=0
        ),
        CaptureObjectDefinition(
            class_id=1, logical_name=Obis.parse("0.0.96.10.1.255"), attribute_index=2, data_index=0
        ),
        CaptureObjectDefinition(
            class_id=3, logical_name=Obis.parse("1.0.1.8.0.255"), attribute_index=2, data_index=0
        ),
        CaptureObjectDefinition(
            class_id=3, logical_name=Obis.parse("1.0.2.8.0.255"), attribute_index=2, data_index=0
        ),
    ]
    table = parse_buffer(
        vectors.item_bytes("XDLMS", 26),
        objects,
        capture_period=900,
        scaler_units={Obis.parse("1.0.1.8.0.255"): ScalerUnit(0, Unit.WATT_HOUR)},
    )
    assert len(table) == 4
    assert [c.kind for c in table.columns] == [
        ColumnKind.CLOCK,
        ColumnKind.STATUS,
        ColumnKind.SCALED,
        ColumnKind.VALUE,
    ]
    assert table[0][2] == Decimal(0x5ED)
    assert (table[1][0] - table[0][0]).total_seconds() == 900  # null-compressed clock


def test_capture_object_definitions_from_an_e450_push() -> None:
    """The E450 push object list elements have the capture_object_definition layout."""
    elements = apdu.decode(E450_PUSH).notification_body[0]  # type: ignore[attr-defined]
    decoded = [CaptureObjectDefinition.from_data(e) for e in elements]
    assert [d.to_data() for d in decoded] == list(elements)
    assert decoded[0].class_id == 40 and decoded[0].logical_name == Obis.parse("0.8.25.9.0.255")


@pytest.mark.parametrize(
    ("mode", "read", "write"),
    [
        (AttributeAccessMode.NO_ACCESS, False, False),
        (AttributeAccessMode.READ_ONLY, True, False),
        (AttributeAccessMode.WRITE_ONLY, False, True),
        (AttributeAccessMode.READ_AND_WRITE, True, True),
        (AttributeAccessMode.AUTHENTICATED_READ_ONLY, True, False),
        (AttributeAccessMode.AUTHENTICATED_WRITE_ONLY, False, True),
        (AttributeAccessMode.AUTHENTICATED_READ_AND_WRITE, True, True),
        (AccessBits(0), False, False),
        (AccessBits.READ | AccessBits.ENCRYPTED_REQUEST, True, False),
        (AccessBits.WRITE | AccessBits.DIGITALLY_SIGNED_RESPONSE, False, True),
        (AccessBits.READ | AccessBits.WRITE, True, True),
    ],
)
def test_attribute_access_modes(mode: int, read: bool, write: bool) -> None:
    """Blue Book 4.4.4: enumerated modes (versions 0-2) and bit-mapped (version 3)."""
    rights = AccessRights((AttributeAccess(2, mode),), ())
    assert (rights.can_read(2), rights.can_write(2)) == (read, write)
    assert not rights.can_read(3)  # an attribute not listed is not accessible


@pytest.mark.parametrize(
    ("mode", "executable"),
    [
        (True, True),
        (False, False),
        (MethodAccessMode.NO_ACCESS, False),
        (MethodAccessMode.ACCESS, True),
        (MethodAccessMode.AUTHENTICATED_ACCESS, True),
        (AccessBits.AUTHENTICATED_REQUEST, False),
        (AccessBits.READ | AccessBits.AUTHENTICATED_REQUEST, True),
    ],
)
def test_method_access_modes(mode: bool | int, executable: bool) -> None:
    rights = AccessRights((), (MethodAccess(1, mode),))
    assert rights.can_execute(1) is executable
    wire = axdr.encode(rights.to_data())
    version = 3 if isinstance(mode, AccessBits) else (0 if isinstance(mode, bool) else 1)
    back = AccessRights.from_data(axdr.decode(wire), version)
    assert back == rights and type(back.methods[0].access_mode) is type(mode)


def test_access_selectors_and_short_form() -> None:
    item = AttributeAccess.from_data(_data("02030F0216030102 0F01 0F02"))
    assert item.access_selectors == (1, 2)
    short = AttributeAccess.from_data(axdr.decode(bytes.fromhex("02020F011601")))
    assert short.short_form and short.access_selectors is None
    assert axdr.encode(short.to_data()) == bytes.fromhex("02020F011601")
    with pytest.raises(DecodeError, match="attribute_id must be integer"):
        AttributeAccess.from_data(axdr.decode(bytes.fromhex("0203110116010" + "0")))
    with pytest.raises(DecodeError, match="access_selectors"):
        AttributeAccess.from_data(axdr.decode(bytes.fromhex("02030F0216031101")))
    with pytest.raises(ValueError):
        AttributeAccess(300, 1)


@given(rights=st.integers(0, 3).flatmap(access_rights))
def test_access_rights_round_trip(rights: AccessRights) -> None:
    wire = axdr.encode(rights.to_data())
    version = 3 if any(isinstance(a.access_mode, AccessBits) for a in rights.attributes) else 1
    if any(isinstance(m.access_mode, bool) for m in rights.methods):
        version = 0 if version == 1 else version
    back = AccessRights.from_data(axdr.decode(wire), version)
    assert axdr.encode(back.to_data()) == wire


@given(element=st.integers(0, 3).flatmap(object_list_elements))
def test_object_list_element_round_trip(element: ObjectListElement) -> None:
    wire = axdr.encode(element.to_data())
    for version in (0, 1, 3):
        back = ObjectListElement.from_data(axdr.decode(wire), version)
        assert axdr.encode(back.to_data()) == wire


def test_object_list_element_checks() -> None:
    with pytest.raises(ValueError):
        ObjectListElement(0x10000, 0, Obis.parse("0.0.1.0.0.255"), AccessRights())
    with pytest.raises(TypeError):
        ObjectListElement(8, 0, "0.0.1.0.0.255", AccessRights())  # type: ignore[arg-type]
    with pytest.raises(DecodeError, match=r"ObjectListElement\.logical_name"):
        ObjectListElement.from_data(
            axdr.decode(
                bytes.fromhex("02041200081100090500000100000202 0100 0100".replace(" ", ""))
            )
        )


def test_short_name_element_base_address() -> None:
    element = ShortNameObjectListElement.from_bytes(
        bytes.fromhex("020410FA0012000C11000906000028 0000FF".replace(" ", ""))
    )
    assert element.base_name == -0x600 and element.base_address == 0xFA00


def test_script_value_types() -> None:
    """Blue Book 4.5.1: a script whose one action executes method 1 of a disconnector."""
    action = ScriptAction(
        service_id=ScriptServiceId.EXECUTE_METHOD,
        class_id=70,
        logical_name=Obis.parse("0.0.96.3.10.255"),
        index=1,
        parameter=axdr.Integer(0),
    )
    script = Script(script_identifier=1, actions=(action,))
    wire = script.to_bytes()
    assert wire == bytes.fromhex("02021200010101020516021200460906000060030AFF0F010F00")
    assert Script.from_bytes(wire) == script
    with pytest.raises(ValueError):
        ScriptAction(
            service_id=ScriptServiceId.WRITE_ATTRIBUTE,
            class_id=-1,
            logical_name=Obis.parse("0.0.96.3.10.255"),
            index=1,
            parameter=None,
        )


def test_date_time_and_choice_kinds() -> None:
    date = DateKind().decode(axdr.OctetString(bytes.fromhex("07E8121909")), "d")
    assert isinstance(date, CosemDate) and date.year == 2024
    time = TimeKind().decode(axdr.OctetString(bytes.fromhex("0C1E00FF")), "t")
    assert isinstance(time, CosemTime) and time.hour == 12
    with pytest.raises(DecodeError, match="octet-string\\(5\\)"):
        DateKind().decode(axdr.OctetString(b"\x00" * 4), "d")
    with pytest.raises(DecodeError, match="octet-string\\(4\\)"):
        TimeKind().decode(axdr.Unsigned(1), "t")
    with pytest.raises(TypeError):
        TimeKind().encode(date, "t")
    choice = ChoiceKind(OCTETS, U8)
    assert choice.decode(axdr.Unsigned(7), "c") == 7
    assert choice.encode(b"\x01", "c") == axdr.OctetString(b"\x01")
    assert choice.encode(7, "c") == axdr.Unsigned(7)
    with pytest.raises(DecodeError, match="octet-string or unsigned"):
        choice.decode(axdr.Boolean(True), "c")
    with pytest.raises(TypeError):
        choice.encode(1.5, "c")
    with pytest.raises(ValueError):
        ChoiceKind()
