"""Tests of the SET APDUs (dlmskit.apdu.set): vectors, validation, errors, properties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu._base import decode, registered_tags
from dlmskit.apdu.common import (
    CosemAttributeDescriptor,
    DataAccessResult,
    InvokeIdAndPriority,
)
from dlmskit.apdu.get import CosemAttributeDescriptorWithSelection
from dlmskit.apdu.set import (
    DataBlockSA,
    SetRequestNormal,
    SetRequestWithDatablock,
    SetRequestWithFirstDatablock,
    SetRequestWithList,
    SetRequestWithListAndFirstDatablock,
    SetResponseDatablock,
    SetResponseLastDatablock,
    SetResponseLastDatablockWithList,
    SetResponseNormal,
    SetResponseWithList,
)
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis
from tests.vectors import item_bytes

from .strategies_services import assert_lossless, assert_value_or_decode_error, set_apdus

C1 = InvokeIdAndPriority(0xC1)
CLOCK = CosemAttributeDescriptor(class_id=8, instance_id=Obis(0, 0, 1, 0, 0, 255), attribute_id=2)
CLOCK_SEL = CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=CLOCK)


def test_tags_are_registered() -> None:
    tags = registered_tags()
    assert tags[0xC1] == "set-request"
    assert tags[0xC5] == "set-response"


def test_xdlms_11_set_request_normal() -> None:
    # XDLMS-11 (u9n/dlms-cosem tests/test_xdlms/test_set.py:9): clock attr 2 := 2021-01-24.
    data = item_bytes("XDLMS", 11)
    apdu = decode(data)
    assert apdu.to_bytes() == data
    assert isinstance(apdu, SetRequestNormal)
    assert apdu.cosem_attribute_descriptor == CLOCK
    assert apdu.access_selection is None
    assert isinstance(apdu.value, axdr.OctetString)
    moment = apdu.value.as_datetime()
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == (
        2021,
        1,
        24,
        14,
        48,
    )


def test_xdlms_12_set_response_normal() -> None:
    # XDLMS-12 (u9n/dlms-cosem tests/test_xdlms/test_set.py:71): success.
    data = item_bytes("XDLMS", 12)
    apdu = decode(data)
    assert apdu.to_bytes() == data
    assert apdu == SetResponseNormal(invoke_id_and_priority=C1, result=DataAccessResult.SUCCESS)


@pytest.mark.parametrize(
    ("apdu", "hexstr"),
    [
        # Layouts from the Green Book 9.5 ASN.1 (encoder targets built by hand).
        (
            SetRequestWithFirstDatablock(
                invoke_id_and_priority=C1,
                cosem_attribute_descriptor=CLOCK,
                datablock=DataBlockSA(last_block=False, block_number=1, raw_data=b"\x09\x0c"),
            ),
            "C102C1 0008 0000010000FF 02 00 00 00000001 02 090C",
        ),
        (
            SetRequestWithDatablock(
                invoke_id_and_priority=C1,
                datablock=DataBlockSA(last_block=True, block_number=2, raw_data=b"\x07\xe5"),
            ),
            "C103C1 01 00000002 02 07E5",
        ),
        (
            SetRequestWithList(
                invoke_id_and_priority=C1,
                attribute_descriptor_list=(CLOCK_SEL,),
                value_list=(axdr.OctetString(b"\x01"),),
            ),
            "C104C1 01 0008 0000010000FF 02 00 01 09 01 01",
        ),
        (
            SetRequestWithListAndFirstDatablock(
                invoke_id_and_priority=C1,
                attribute_descriptor_list=(CLOCK_SEL, CLOCK_SEL),
                datablock=DataBlockSA(last_block=False, block_number=1, raw_data=b""),
            ),
            "C105C1 02 0008 0000010000FF 02 00 0008 0000010000FF 02 00 00 00000001 00",
        ),
        (
            SetResponseDatablock(invoke_id_and_priority=C1, block_number=5),
            "C502C1 00000005",
        ),
        (
            SetResponseLastDatablock(
                invoke_id_and_priority=C1, result=DataAccessResult.SUCCESS, block_number=6
            ),
            "C503C1 00 00000006",
        ),
        (
            SetResponseLastDatablockWithList(
                invoke_id_and_priority=C1,
                result=(DataAccessResult.SUCCESS, DataAccessResult.READ_WRITE_DENIED),
                block_number=7,
            ),
            "C504C1 02 00 03 00000007",
        ),
        (
            SetResponseWithList(
                invoke_id_and_priority=C1, result=(DataAccessResult.TYPE_UNMATCHED,)
            ),
            "C505C1 01 0C",
        ),
    ],
)
def test_layouts(apdu: object, hexstr: str) -> None:
    data = assert_lossless(apdu)  # type: ignore[arg-type]
    assert data == bytes.fromhex(hexstr.replace(" ", ""))


def test_plain_int_results_become_data_access_results() -> None:
    apdu = SetResponseWithList(invoke_id_and_priority=C1, result=[0, 3, 250])  # type: ignore[list-item]
    assert apdu.result == (0, 3, 250)
    assert all(type(r) is DataAccessResult for r in apdu.result)
    assert apdu.result[2] is DataAccessResult.OTHER_REASON
    normal = SetResponseNormal(invoke_id_and_priority=C1, result=4)  # type: ignore[arg-type]
    assert normal.result is DataAccessResult.OBJECT_UNDEFINED
    unknown = SetResponseNormal(invoke_id_and_priority=C1, result=DataAccessResult(77))
    assert not unknown.result.known
    assert_lossless(unknown)


def test_result_validation() -> None:
    with pytest.raises(ValueError, match="result"):
        SetResponseNormal(invoke_id_and_priority=C1, result=256)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="result"):
        SetResponseNormal(invoke_id_and_priority=C1, result=True)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"result\[1\]"):
        SetResponseWithList(invoke_id_and_priority=C1, result=(0, "x"))  # type: ignore[arg-type]


def test_list_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="must be equal"):
        SetRequestWithList(
            invoke_id_and_priority=C1,
            attribute_descriptor_list=(CLOCK_SEL, CLOCK_SEL),
            value_list=(None,),
        )
    # ... and on the wire: 2 descriptors, 1 value.
    data = bytes.fromhex(
        "C104C1 02 0008 0000010000FF 02 00 0008 0000010000FF 02 00 01 00".replace(" ", "")
    )
    with pytest.raises(DecodeError, match="must be equal") as info:
        decode(data)
    assert info.value.offset == 24  # the value-list count


def test_value_must_be_data() -> None:
    with pytest.raises(TypeError, match="value"):
        SetRequestNormal(invoke_id_and_priority=C1, cosem_attribute_descriptor=CLOCK, value=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"value-list\[0\]"):
        SetRequestWithList(
            invoke_id_and_priority=C1,
            attribute_descriptor_list=(CLOCK_SEL,),
            value_list=("text",),  # type: ignore[arg-type]
        )
    # null-data is a value
    apdu = SetRequestNormal(invoke_id_and_priority=C1, cosem_attribute_descriptor=CLOCK, value=None)
    assert assert_lossless(apdu).endswith(b"\x00\x00")


def test_datablock_validation_and_coercion() -> None:
    block = DataBlockSA(last_block=True, block_number=0, raw_data=b"\x01")
    assert type(block.raw_data) is axdr.OctetString
    with pytest.raises(TypeError, match="raw-data"):
        DataBlockSA(last_block=True, block_number=0, raw_data="01")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="last-block"):
        DataBlockSA(last_block=None, block_number=0, raw_data=b"")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="block-number"):
        DataBlockSA(last_block=True, block_number=2**32, raw_data=b"")


def test_non_minimal_forms_are_kept() -> None:
    data = bytes.fromhex(
        "C105C1 8101 0008 0000010000FF 02 00 01 00000001 820002 AABB".replace(" ", "")
    )
    apdu = decode(data)
    assert apdu.to_bytes() == data
    assert isinstance(apdu, SetRequestWithListAndFirstDatablock)
    assert apdu.attribute_descriptor_list_length_form == 1
    assert apdu.datablock.raw_data.length_form == 2


@pytest.mark.parametrize(
    ("hexstr", "offset", "message"),
    [
        ("C106C1", 1, "set-request: unknown set-request choice 6"),
        ("C500C1", 1, "set-response: unknown set-response choice 0"),
        ("C103C1020000000100", 3, "last-block is a BOOLEAN"),
        ("C104C10A", 3, "claims 10 item(s)"),
        ("C504C1040000", 3, "claims 4 item(s), which need at least 4 byte(s); 2 left"),
        ("C504C103000000", 7, "block-number"),
        ("C503C100000000", 4, "block-number"),
        ("C101C100080000010000FF0200", 13, "data type tag"),
    ],
)
def test_decode_errors(hexstr: str, offset: int, message: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode(bytes.fromhex(hexstr))
    assert info.value.offset == offset
    assert message in str(info.value)
    assert str(info.value).startswith(f"at offset {offset}: set-")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(set_apdus())
def test_set_apdus_round_trip(apdu: object) -> None:
    assert_lossless(apdu)  # type: ignore[arg-type]


@settings(max_examples=500)
@given(st.sampled_from([0xC1, 0xC5]), st.binary(max_size=40))
def test_fuzz_random_bodies(tag: int, body: bytes) -> None:
    assert_value_or_decode_error(bytes([tag]) + body)


@settings(max_examples=300)
@given(st.sampled_from([11, 12]), st.integers(0, 100), st.integers(0, 255), st.booleans())
def test_fuzz_mutated_vectors(number: int, index: int, byte: int, insert: bool) -> None:
    data = bytearray(item_bytes("XDLMS", number))
    index %= len(data)
    if insert:
        data.insert(index, byte)
    else:
        data[index] = byte
    assert_value_or_decode_error(bytes(data))
