"""Tests of the shared APDU value types (dlmskit.apdu.common) and the registry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit._buffer import Reader
from dlmskit.apdu import _base
from dlmskit.apdu.common import (
    ActionResult,
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    DataAccessResult,
    InvokeIdAndPriority,
    LongInvokeIdAndPriority,
    SelectiveAccessDescriptor,
    read_optional_flag,
)
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis


def test_invoke_id_and_priority_bits() -> None:
    # Green Book 9.5: bit 7 priority, bit 6 service-class, bits 0..3 invoke-id.
    value = InvokeIdAndPriority(0xC1)
    assert (value.invoke_id, value.confirmed, value.high_priority) == (1, True, True)
    assert InvokeIdAndPriority.of(1, confirmed=True, high_priority=True) == value
    assert InvokeIdAndPriority.of(5, confirmed=False).value == 0x05
    with pytest.raises(ValueError, match="invoke-id"):
        InvokeIdAndPriority.of(16)
    with pytest.raises(ValueError, match="invoke-id-and-priority"):
        InvokeIdAndPriority(256)


def test_long_invoke_id_and_priority_bits() -> None:
    value = LongInvokeIdAndPriority(0x40000001)  # PUSH-10's notification carries 0x40000000
    assert value.invoke_id == 1
    assert value.confirmed and not value.high_priority
    assert not value.break_on_error and not value.self_descriptive
    again = LongInvokeIdAndPriority.of(
        0xABCDEF, confirmed=True, high_priority=True, break_on_error=True, self_descriptive=True
    )
    assert again.value == 0xF0ABCDEF
    out = bytearray()
    again.write(out)
    assert LongInvokeIdAndPriority.read(Reader(bytes(out))) == again


def test_attribute_and_method_descriptors_round_trip() -> None:
    # XDLMS-01: class 1, 0.0.43.1.0.255, attribute 2 (the invocation counter)
    raw = bytes.fromhex("000100002B0100FF02")
    descriptor = CosemAttributeDescriptor.read(Reader(raw))
    assert descriptor == CosemAttributeDescriptor(
        class_id=1, instance_id=Obis(0, 0, 43, 1, 0, 255), attribute_id=2
    )
    out = bytearray()
    descriptor.write(out)
    assert bytes(out) == raw
    method = CosemMethodDescriptor(class_id=15, instance_id=Obis(0, 0, 40, 0, 0), method_id=1)
    out = bytearray()
    method.write(out)
    assert CosemMethodDescriptor.read(Reader(bytes(out))) == method
    with pytest.raises(ValueError, match="class-id"):
        CosemAttributeDescriptor(class_id=70000, instance_id=Obis(0, 0, 1, 0, 0), attribute_id=2)
    with pytest.raises(TypeError, match="Obis"):
        CosemMethodDescriptor(class_id=1, instance_id=b"\x00" * 6, method_id=1)  # type: ignore[arg-type]
    with pytest.raises(DecodeError, match="instance-id"):
        CosemAttributeDescriptor.read(Reader(raw[:5]))


def test_selective_access_descriptor() -> None:
    descriptor = SelectiveAccessDescriptor(
        access_selector=2, access_parameters=axdr.Structure([axdr.DoubleLongUnsigned(1)])
    )
    out = bytearray()
    descriptor.write(out)
    assert bytes(out) == bytes.fromhex("02020106 00000001".replace(" ", ""))
    assert SelectiveAccessDescriptor.read(Reader(bytes(out))) == descriptor


def test_open_enums_accept_unknown_values() -> None:
    assert DataAccessResult(3) is DataAccessResult.READ_WRITE_DENIED
    assert DataAccessResult(3).dlms_name == "read-write-denied"
    odd = DataAccessResult(200)
    assert odd == 200 and not odd.known and odd.name == "UNKNOWN_200"
    assert ActionResult(250) is ActionResult.OTHER_REASON
    with pytest.raises(ValueError):
        DataAccessResult(256)


def test_optional_flag() -> None:
    assert read_optional_flag(Reader(b"\x01"), "x") is True
    assert read_optional_flag(Reader(b"\x00"), "x") is False
    with pytest.raises(DecodeError, match="00 or 01"):
        read_optional_flag(Reader(b"\x02"), "the thing")


def test_registry_refuses_unknown_tags_and_trailing_bytes() -> None:
    with pytest.raises(DecodeError, match="unknown APDU tag 0x00") as info:
        _base.decode(b"\x00\x01")
    assert info.value.offset == 0
    with pytest.raises(DecodeError, match="exceeds"):
        _base.decode(b"\x00" * 20, max_size=10)


@given(st.integers(0, 255))
def test_invoke_id_octet_round_trips(octet: int) -> None:
    value = InvokeIdAndPriority.read(Reader(bytes([octet])))
    out = bytearray()
    value.write(out)
    assert bytes(out) == bytes([octet])
