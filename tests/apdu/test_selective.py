"""Tests of the Profile generic selective access helpers (dlmskit.apdu.selective)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu._base import decode
from dlmskit.apdu.common import (
    CosemAttributeDescriptor,
    InvokeIdAndPriority,
    SelectiveAccessDescriptor,
)
from dlmskit.apdu.get import GetRequestNormal
from dlmskit.apdu.selective import (
    CLOCK_TIME,
    CaptureObjectDefinition,
    EntryDescriptor,
    RangeDescriptor,
    profile_access_descriptor,
)
from dlmskit.cosem_time import CosemDateTime
from dlmskit.obis import Obis
from tests.vectors import item_bytes

from .strategies_services import assert_lossless, data_values

PROFILE_BUFFER = CosemAttributeDescriptor(
    class_id=7, instance_id=Obis(1, 0, 99, 1, 0, 255), attribute_id=2
)


def test_xdlms_18_range_descriptor() -> None:
    # XDLMS-18 (u9n/dlms-cosem tests/test_xdlms/test_selective_access.py:30): load profile
    # 1.0.99.1.0.255 read by range on the clock 0.0.1.0.0.255 attribute 2, all columns.
    data = item_bytes("XDLMS", 18)
    apdu = decode(data)
    assert isinstance(apdu, GetRequestNormal) and apdu.access_selection is not None
    view = RangeDescriptor.from_access_descriptor(apdu.access_selection)
    assert view.restricting_object == CaptureObjectDefinition(
        class_id=8, logical_name=Obis(0, 0, 1, 0, 0, 255), attribute_index=2, data_index=0
    )
    assert view.restricting_object == CLOCK_TIME
    assert view.selected_values == ()
    assert isinstance(view.from_value, axdr.OctetString)
    assert isinstance(view.to_value, axdr.OctetString)
    start, end = view.from_value.as_datetime(), view.to_value.as_datetime()
    assert (start.year, start.month, start.day, start.hour, start.minute) == (2018, 6, 1, 0, 3)
    assert (start.deviation, int(start.clock_status or 0)) == (-120, 0x80)
    assert (end.year, end.month, end.day, end.hour, end.minute) == (2021, 1, 6, 0, 3)
    assert (end.deviation, int(end.clock_status or 0)) == (-60, 0)
    # back to the generic form and the same bytes
    assert view.to_access_descriptor() == apdu.access_selection
    again = GetRequestNormal(
        invoke_id_and_priority=InvokeIdAndPriority(0xC1),
        cosem_attribute_descriptor=PROFILE_BUFFER,
        access_selection=view.to_access_descriptor(),
    )
    assert again.to_bytes() == data
    # the dispatcher gives the same view
    assert profile_access_descriptor(apdu.access_selection) == view


def test_by_clock_builds_the_xdlms_18_descriptor() -> None:
    start = CosemDateTime.from_bytes(bytes.fromhex("07E20601FF000300FFFF8880"))
    end = CosemDateTime.from_bytes(bytes.fromhex("07E50106FF000300FFFFC400"))
    descriptor = RangeDescriptor.by_clock(start, end).to_access_descriptor()
    apdu = GetRequestNormal(
        invoke_id_and_priority=InvokeIdAndPriority(0xC1),
        cosem_attribute_descriptor=PROFILE_BUFFER,
        access_selection=descriptor,
    )
    assert apdu.to_bytes() == item_bytes("XDLMS", 18)  # XDLMS-18


def test_selected_columns() -> None:
    energy = CaptureObjectDefinition(
        class_id=3, logical_name=Obis(1, 0, 1, 8, 0, 255), attribute_index=2
    )
    view = RangeDescriptor(
        restricting_object=CLOCK_TIME,
        from_value=axdr.OctetString(bytes(12)),
        to_value=axdr.OctetString(bytes(12)),
        selected_values=[CLOCK_TIME, energy],  # type: ignore[arg-type]
    )
    assert view.selected_values == (CLOCK_TIME, energy)
    params = view.to_access_descriptor().access_parameters
    assert isinstance(params, axdr.Structure)
    columns = params[3]
    assert isinstance(columns, axdr.Array) and len(columns) == 2
    assert axdr.encode(
        columns[1]
    ).hex().upper() == "0204120003090601000108 00FF0F021200 00".replace(" ", "")
    assert RangeDescriptor.from_access_descriptor(view.to_access_descriptor()) == view


def test_entry_descriptor() -> None:
    view = EntryDescriptor(from_entry=1, to_entry=0)
    descriptor = view.to_access_descriptor()
    assert descriptor.access_selector == 2
    assert axdr.encode(descriptor.access_parameters).hex().upper() == (
        "020406000000010600000000120001120000"
    )
    assert EntryDescriptor.from_access_descriptor(descriptor) == view
    assert profile_access_descriptor(descriptor) == view
    apdu = GetRequestNormal(
        invoke_id_and_priority=InvokeIdAndPriority(0xC1),
        cosem_attribute_descriptor=PROFILE_BUFFER,
        access_selection=descriptor,
    )
    assert_lossless(apdu)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"from_entry": -1, "to_entry": 0}, "from_entry"),
        ({"from_entry": 1, "to_entry": 2**32}, "to_entry"),
        ({"from_entry": 1, "to_entry": 0, "from_selected_value": 65536}, "from_selected_value"),
        ({"from_entry": 1, "to_entry": 0, "to_selected_value": -1}, "to_selected_value"),
    ],
)
def test_entry_descriptor_ranges(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EntryDescriptor(**kwargs)


def test_capture_object_definition_validation() -> None:
    with pytest.raises(ValueError, match="class_id"):
        CaptureObjectDefinition(class_id=70000, logical_name=Obis(0, 0, 1, 0, 0), attribute_index=2)
    with pytest.raises(ValueError, match="attribute_index"):
        CaptureObjectDefinition(class_id=8, logical_name=Obis(0, 0, 1, 0, 0), attribute_index=200)
    with pytest.raises(TypeError, match="logical_name"):
        CaptureObjectDefinition(class_id=8, logical_name=b"\x00" * 6, attribute_index=2)  # type: ignore[arg-type]
    parsed = CaptureObjectDefinition(class_id=8, logical_name="0.0.1.0.0.255", attribute_index=2)  # type: ignore[arg-type]
    assert parsed == CLOCK_TIME
    with pytest.raises(TypeError, match="from_value"):
        RangeDescriptor(restricting_object=CLOCK_TIME, from_value=1, to_value=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="restricting_object"):
        RangeDescriptor(restricting_object=None, from_value=None, to_value=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"selected_values\[0\]"):
        RangeDescriptor(
            restricting_object=CLOCK_TIME,
            from_value=None,
            to_value=None,
            selected_values=(1,),  # type: ignore[arg-type]
        )


def _range_params(*items: axdr.Value) -> SelectiveAccessDescriptor:
    return SelectiveAccessDescriptor(access_selector=1, access_parameters=axdr.Structure(items))


_CLOCK_DATA = CLOCK_TIME.to_data()
_EMPTY = axdr.Array()


@pytest.mark.parametrize(
    ("descriptor", "message"),
    [
        (
            SelectiveAccessDescriptor(access_selector=2, access_parameters=None),
            "range_descriptor: expected access-selector 1, got 2",
        ),
        (
            SelectiveAccessDescriptor(access_selector=1, access_parameters=axdr.Array()),
            "range_descriptor: expected a structure of 4 elements, got array",
        ),
        (_range_params(_CLOCK_DATA, None, None), "expected a structure of 4 elements, got 3"),
        (
            _range_params(axdr.Unsigned(8), None, None, _EMPTY),
            "range_descriptor.restricting_object: expected a structure of 4 elements, got unsigned",
        ),
        (
            _range_params(
                axdr.Structure(
                    [
                        axdr.Unsigned(8),
                        axdr.OctetString(bytes(6)),
                        axdr.Integer(2),
                        axdr.LongUnsigned(0),
                    ]
                ),
                None,
                None,
                _EMPTY,
            ),
            "range_descriptor.restricting_object.class_id: expected long-unsigned, got unsigned",
        ),
        (
            _range_params(
                axdr.Structure(
                    [
                        axdr.LongUnsigned(8),
                        axdr.OctetString(bytes(5)),
                        axdr.Integer(2),
                        axdr.LongUnsigned(0),
                    ]
                ),
                None,
                None,
                _EMPTY,
            ),
            "range_descriptor.restricting_object.logical_name: expected 6 octets, got 5",
        ),
        (
            _range_params(_CLOCK_DATA, None, None, axdr.Structure()),
            "range_descriptor.selected_values: expected an array of capture_object_definition",
        ),
        (
            _range_params(_CLOCK_DATA, None, None, axdr.Array([axdr.Structure([])])),
            "range_descriptor.selected_values[0]: expected a structure of 4 elements, got 0",
        ),
    ],
)
def test_range_descriptor_shape_errors(descriptor: SelectiveAccessDescriptor, message: str) -> None:
    with pytest.raises(ValueError) as info:
        RangeDescriptor.from_access_descriptor(descriptor)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (axdr.LongUnsigned(1), "entry_descriptor: expected a structure of 4 elements"),
        (
            axdr.Structure(
                [
                    axdr.LongUnsigned(1),
                    axdr.DoubleLongUnsigned(0),
                    axdr.LongUnsigned(1),
                    axdr.LongUnsigned(0),
                ]
            ),
            "entry_descriptor.from_entry: expected double-long-unsigned, got long-unsigned",
        ),
        (
            axdr.Structure(
                [
                    axdr.DoubleLongUnsigned(1),
                    axdr.DoubleLongUnsigned(0),
                    axdr.LongUnsigned(1),
                    axdr.Unsigned(0),
                ]
            ),
            "entry_descriptor.to_selected_value: expected long-unsigned, got unsigned",
        ),
    ],
)
def test_entry_descriptor_shape_errors(parameters: axdr.Value, message: str) -> None:
    descriptor = SelectiveAccessDescriptor(access_selector=2, access_parameters=parameters)
    with pytest.raises(ValueError) as info:
        EntryDescriptor.from_access_descriptor(descriptor)
    assert message in str(info.value)


def test_other_selectors_are_not_profile_selectors() -> None:
    with pytest.raises(ValueError, match="access-selector 3"):
        profile_access_descriptor(
            SelectiveAccessDescriptor(access_selector=3, access_parameters=None)
        )
    with pytest.raises(TypeError, match="SelectiveAccessDescriptor"):
        RangeDescriptor.from_access_descriptor(None)  # type: ignore[arg-type]


def test_typed_view_normalises_length_forms_but_the_apdu_keeps_them() -> None:
    # A range descriptor whose selected_values array uses a long-form count (81 00).
    data = bytearray(item_bytes("XDLMS", 18))  # XDLMS-18
    assert data[-2:] == b"\x01\x00"
    data[-1:] = b"\x81\x00"
    apdu = decode(bytes(data))
    assert apdu.to_bytes() == bytes(data)
    assert isinstance(apdu, GetRequestNormal) and apdu.access_selection is not None
    view = RangeDescriptor.from_access_descriptor(apdu.access_selection)
    assert view.selected_values == ()
    assert axdr.encode(view.to_access_descriptor().access_parameters)[-2:] == b"\x01\x00"


def _columns() -> st.SearchStrategy[CaptureObjectDefinition]:
    return st.builds(
        CaptureObjectDefinition,
        class_id=st.integers(0, 0xFFFF),
        logical_name=st.tuples(*[st.integers(0, 255)] * 6).map(lambda t: Obis(*t)),
        attribute_index=st.integers(-128, 127),
        data_index=st.integers(0, 0xFFFF),
    )


@given(
    st.one_of(
        st.builds(
            RangeDescriptor,
            restricting_object=_columns(),
            from_value=data_values(),
            to_value=data_values(),
            selected_values=st.lists(_columns(), max_size=3).map(tuple),
        ),
        st.builds(
            EntryDescriptor,
            from_entry=st.integers(0, 2**32 - 1),
            to_entry=st.integers(0, 2**32 - 1),
            from_selected_value=st.integers(0, 0xFFFF),
            to_selected_value=st.integers(0, 0xFFFF),
        ),
    )
)
def test_typed_views_round_trip_through_an_apdu(view: RangeDescriptor | EntryDescriptor) -> None:
    apdu = GetRequestNormal(
        invoke_id_and_priority=InvokeIdAndPriority(0x81),
        cosem_attribute_descriptor=PROFILE_BUFFER,
        access_selection=view.to_access_descriptor(),
    )
    data = assert_lossless(apdu)
    decoded = decode(data)
    assert isinstance(decoded, GetRequestNormal) and decoded.access_selection is not None
    assert profile_access_descriptor(decoded.access_selection) == view


_moments = st.binary(min_size=12, max_size=12).map(CosemDateTime.from_bytes)
_columns_strategy = st.lists(
    st.builds(
        CaptureObjectDefinition,
        class_id=st.integers(0, 0xFFFF),
        logical_name=st.builds(Obis.from_bytes, st.binary(min_size=6, max_size=6)),
        attribute_index=st.integers(-128, 127),
        data_index=st.integers(0, 0xFFFF),
    ),
    max_size=3,
)


@given(start=_moments, end=_moments, columns=_columns_strategy)
def test_prebuilt_encodings_equal_the_encoder(
    start: CosemDateTime, end: CosemDateTime, columns: list[CaptureObjectDefinition]
) -> None:
    """by_clock and the capture object definitions carry their encodings (the request is
    sent from them): they must be exactly what encoding the values gives, and the
    request bytes those of a descriptor built the plain way."""
    view = RangeDescriptor.by_clock(start, end, columns)
    descriptor = view.to_access_descriptor()
    assert descriptor.raw == axdr.encode(descriptor.access_parameters)
    for column in (CLOCK_TIME, *columns):
        assert column.encoded() == axdr.encode(column.to_data())
    plain = SelectiveAccessDescriptor(
        access_selector=1, access_parameters=descriptor.access_parameters
    )
    assert plain == descriptor  # raw takes no part in equality
    attribute = CosemAttributeDescriptor(
        class_id=7, instance_id=Obis(1, 0, 99, 1, 0, 255), attribute_id=2
    )
    iip = InvokeIdAndPriority(0xC1)
    fast, slow = (
        GetRequestNormal(
            invoke_id_and_priority=iip, cosem_attribute_descriptor=attribute, access_selection=s
        )
        for s in (descriptor, plain)
    )
    assert fast.to_bytes() == slow.to_bytes()
    assert decode(fast.to_bytes()) == fast
    out = bytearray(b"\xaa")
    fast.write(out)
    assert bytes(out) == b"\xaa" + fast.to_bytes()


def test_selective_access_descriptor_raw_must_be_bytes() -> None:
    with pytest.raises(TypeError, match="raw must be bytes"):
        SelectiveAccessDescriptor(
            access_selector=1,
            access_parameters=axdr.Array(()),
            raw=bytearray(b"\x01\x00"),  # type: ignore[arg-type]
        )
