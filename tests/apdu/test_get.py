"""Tests of the GET APDUs (dlmskit.apdu.get): vectors, validation, errors, properties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlmskit import axdr, translate
from dlmskit.apdu._base import decode, registered_tags
from dlmskit.apdu.common import (
    CosemAttributeDescriptor,
    DataAccessResult,
    InvokeIdAndPriority,
    SelectiveAccessDescriptor,
)
from dlmskit.apdu.get import (
    CosemAttributeDescriptorWithSelection,
    Data,
    DataBlockG,
    GetRequestNext,
    GetRequestNormal,
    GetRequestWithList,
    GetResponseNormal,
    GetResponseWithDatablock,
    GetResponseWithList,
)
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis
from tests.vectors import item_bytes

from .strategies_services import (
    APDU_CLASSES,
    apdus,
    assert_lossless,
    assert_value_or_decode_error,
    get_apdus,
    per_class_strategies,
)

C1 = InvokeIdAndPriority(0xC1)


def _wrapped(number: int) -> bytes:
    """XDLMS items 29..43 carry the 8-byte TCP wrapper header (IEC 62056-47)."""
    raw = item_bytes("XDLMS", number)
    assert raw[:2] == b"\x00\x01"  # wrapper version 1
    assert int.from_bytes(raw[6:8], "big") == len(raw) - 8
    return raw[8:]


def _exact(data: bytes) -> object:
    apdu = decode(data)
    assert apdu.to_bytes() == data
    return apdu


def test_tags_are_registered() -> None:
    tags = registered_tags()
    assert tags[0xC0] == "get-request"
    assert tags[0xC4] == "get-response"


# --- vectors ----------------------------------------------------------------------------


def test_xdlms_01_get_request_normal() -> None:
    # XDLMS-01 (u9n/dlms-cosem tests/test_xdlms/test_get.py:23): class 1, 0.0.43.1.0.255
    # attribute 2, invoke-id-and-priority C1, no access selection.
    apdu = _exact(item_bytes("XDLMS", 1))
    assert apdu == GetRequestNormal(
        invoke_id_and_priority=C1,
        cosem_attribute_descriptor=CosemAttributeDescriptor(
            class_id=1, instance_id=Obis(0, 0, 43, 1, 0, 255), attribute_id=2
        ),
    )
    assert apdu.NAME == "get-request-normal"


def test_xdlms_02_get_request_next() -> None:
    # XDLMS-02 (u9n/dlms-cosem tests/test_xdlms/test_get.py:56): block 1.
    assert _exact(item_bytes("XDLMS", 2)) == GetRequestNext(
        invoke_id_and_priority=C1, block_number=1
    )


def test_xdlms_03_get_request_with_list() -> None:
    # XDLMS-03 (u9n/dlms-cosem tests/test_xdlms/test_get.py:90): LDN attr 2, clock attr 2.
    apdu = _exact(item_bytes("XDLMS", 3))
    assert isinstance(apdu, GetRequestWithList)
    assert [
        (d.cosem_attribute_descriptor.class_id, str(d.cosem_attribute_descriptor.instance_id))
        for d in apdu.attribute_descriptor_list
    ] == [(1, "0.0.42.0.0.255"), (8, "0.0.1.0.0.255")]
    assert all(d.access_selection is None for d in apdu.attribute_descriptor_list)
    assert apdu.attribute_descriptor_list_length_form is None


def test_xdlms_04_get_response_normal_data() -> None:
    # XDLMS-04 (u9n/dlms-cosem tests/test_xdlms/test_get.py:158): double-long-unsigned 5009.
    apdu = _exact(item_bytes("XDLMS", 4))
    assert apdu == GetResponseNormal(
        invoke_id_and_priority=C1, result=Data(axdr.DoubleLongUnsigned(5009))
    )
    assert isinstance(apdu.result, Data)
    assert type(apdu.result.value) is axdr.DoubleLongUnsigned


def test_xdlms_05_get_response_normal_data_access_result() -> None:
    # XDLMS-05 (u9n/dlms-cosem tests/test_xdlms/test_get.py:185): hardware-fault.
    apdu = _exact(item_bytes("XDLMS", 5))
    assert isinstance(apdu, GetResponseNormal)
    assert apdu.result is DataAccessResult.HARDWARE_FAULT


@pytest.mark.parametrize(
    ("number", "last", "block", "size"),
    [
        (6, False, 1, 0x049E),  # u9n/dlms-cosem tests/test_xdlms/test_get.py:213
        (7, True, 0x13, 0x017C),  # u9n/dlms-cosem tests/test_xdlms/test_get.py:275
        (24, False, 1, 0x049E),  # u9n/dlms-cosem tests/test_a_xdr.py:170
    ],
)
def test_get_response_with_datablock_raw_data(
    number: int, last: bool, block: int, size: int
) -> None:
    # XDLMS-06/07/24: DataBlock-G with raw-data (a fragment of the encoded profile buffer).
    data = item_bytes("XDLMS", number)
    apdu = _exact(data)
    assert isinstance(apdu, GetResponseWithDatablock)
    assert apdu.result.last_block is last
    assert apdu.result.block_number == block
    assert isinstance(apdu.result.result, axdr.OctetString)
    assert len(apdu.result.result) == size
    assert bytes(apdu.result.result) == data[-size:]


def test_xdlms_08_datablock_with_data_access_result() -> None:
    # XDLMS-08 (u9n/dlms-cosem tests/test_xdlms/test_get.py:337): last block 0x13, result 1.
    apdu = _exact(item_bytes("XDLMS", 8))
    assert apdu == GetResponseWithDatablock(
        invoke_id_and_priority=C1,
        result=DataBlockG(
            last_block=True, block_number=0x13, result=DataAccessResult.HARDWARE_FAULT
        ),
    )


def test_xdlms_09_get_response_with_list() -> None:
    # XDLMS-09 (u9n/dlms-cosem tests/test_xdlms/test_get.py:392): an octet-string and a
    # date-time sent as octet-string(12).
    apdu = _exact(item_bytes("XDLMS", 9))
    assert isinstance(apdu, GetResponseWithList)
    first, second = apdu.result
    assert isinstance(first, Data) and first.value == b"ISK1030777764366"
    assert isinstance(second, Data) and isinstance(second.value, axdr.OctetString)
    moment = second.value.as_datetime()
    assert (moment.year, moment.month, moment.day, moment.hour) == (2021, 6, 3, 14)


def test_xdlms_10_get_response_with_list_of_nine() -> None:
    # XDLMS-10 (u9n/dlms-cosem tests/test_xdlms/test_get.py:424): 9 results incl. a structure.
    apdu = _exact(item_bytes("XDLMS", 10))
    assert isinstance(apdu, GetResponseWithList)
    assert len(apdu.result) == 9
    assert all(isinstance(r, Data) for r in apdu.result)
    assert apdu.result[0] == Data(axdr.LongUnsigned(50))
    assert any(isinstance(r, Data) and isinstance(r.value, axdr.Structure) for r in apdu.result)


def test_xdlms_18_get_request_with_range_access() -> None:
    # XDLMS-18 (u9n/dlms-cosem tests/test_xdlms/test_selective_access.py:30): profile
    # 1.0.99.1.0.255 attribute 2, access selector 1 (range); the typed view is tested in
    # test_selective.py.
    apdu = _exact(item_bytes("XDLMS", 18))
    assert isinstance(apdu, GetRequestNormal)
    assert apdu.cosem_attribute_descriptor == CosemAttributeDescriptor(
        class_id=7, instance_id=Obis(1, 0, 99, 1, 0, 255), attribute_id=2
    )
    assert apdu.access_selection is not None
    assert apdu.access_selection.access_selector == 1
    assert isinstance(apdu.access_selection.access_parameters, axdr.Structure)


@pytest.mark.parametrize(
    ("number", "obis", "class_id"),
    [(31, "0.0.1.0.0.255", 8), (38, "1.0.1.8.0.255", 3)],
)
def test_wrapped_get_requests(number: int, obis: str, class_id: int) -> None:
    # XDLMS-31 / XDLMS-38: TCP-wrapper trace against the arabine/opendlms meter simulator.
    apdu = _exact(_wrapped(number))
    assert isinstance(apdu, GetRequestNormal)
    assert apdu.cosem_attribute_descriptor.class_id == class_id
    assert str(apdu.cosem_attribute_descriptor.instance_id) == obis
    assert apdu.cosem_attribute_descriptor.attribute_id == 2


def test_xdlms_32_clock_response() -> None:
    # XDLMS-32 (opendlms meter simulator trace): 2002-12-04 10:06:11, deviation 120.
    apdu = _exact(_wrapped(32))
    assert isinstance(apdu, GetResponseNormal) and isinstance(apdu.result, Data)
    value = apdu.result.value
    assert isinstance(value, axdr.OctetString)
    moment = value.as_datetime()
    assert (moment.year, moment.month, moment.day) == (2002, 12, 4)
    assert (moment.hour, moment.minute, moment.second, moment.deviation) == (10, 6, 11, 120)


def test_wrapped_object_list_blocks_reassemble() -> None:
    # XDLMS-33..37 (opendlms meter simulator trace): object_list in three blocks with
    # GET-next requests between them; the raw-data joined is XDLMS-44.
    blocks = [_exact(_wrapped(n)) for n in (33, 35, 37)]
    nexts = [_exact(_wrapped(n)) for n in (34, 36)]
    assert nexts == [
        GetRequestNext(invoke_id_and_priority=C1, block_number=1),
        GetRequestNext(invoke_id_and_priority=C1, block_number=2),
    ]
    assert all(isinstance(b, GetResponseWithDatablock) for b in blocks)
    results = [b.result for b in blocks if isinstance(b, GetResponseWithDatablock)]
    assert [(r.last_block, r.block_number) for r in results] == [(False, 1), (False, 2), (True, 3)]
    joined = b"".join(bytes(r.result) for r in results if isinstance(r.result, bytes))
    assert joined == item_bytes("XDLMS", 44)


# --- lossless forms -----------------------------------------------------------------------


def test_non_minimal_list_count_is_kept() -> None:
    # XDLMS-03 with its count written as 81 02 (a long form a meter may send).
    data = bytearray(item_bytes("XDLMS", 3))
    data[3:4] = b"\x81\x02"
    apdu = _exact(bytes(data))
    assert isinstance(apdu, GetRequestWithList)
    assert apdu.attribute_descriptor_list_length_form == 1


def test_non_minimal_raw_data_length_is_kept() -> None:
    data = bytes.fromhex("C402C1 00 00000007 00 8200 03 AABBCC".replace(" ", ""))
    apdu = _exact(data)
    assert isinstance(apdu, GetResponseWithDatablock)
    assert apdu.result.result == b"\xaa\xbb\xcc"
    assert isinstance(apdu.result.result, axdr.OctetString)
    assert apdu.result.result.length_form == 2


def test_minimal_length_form_is_normalised() -> None:
    item = CosemAttributeDescriptorWithSelection(
        cosem_attribute_descriptor=CosemAttributeDescriptor(
            class_id=1, instance_id=Obis(0, 0, 1, 0, 0, 255), attribute_id=2
        )
    )
    apdu = GetRequestWithList(
        invoke_id_and_priority=C1,
        attribute_descriptor_list=[item],
        attribute_descriptor_list_length_form=0,
    )
    assert apdu.attribute_descriptor_list_length_form is None
    assert apdu.attribute_descriptor_list == (item,)  # a list becomes a tuple
    assert decode(apdu.to_bytes()) == apdu


# --- validation ------------------------------------------------------------------------------


def test_data_wrapper_refuses_plain_python_values() -> None:
    with pytest.raises(TypeError, match="A-XDR"):
        Data(5)  # type: ignore[arg-type]
    assert Data(None).value is None  # a present null-data


def test_get_data_result_alternatives_are_distinct_types() -> None:
    with pytest.raises(TypeError, match="Get-Data-Result"):
        GetResponseNormal(invoke_id_and_priority=C1, result=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Get-Data-Result"):
        GetResponseNormal(invoke_id_and_priority=C1, result=axdr.Unsigned(3))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"result\[1\]"):
        GetResponseWithList(invoke_id_and_priority=C1, result=(Data(None), 7))  # type: ignore[arg-type]


@pytest.mark.parametrize("block_number", [-1, 2**32])
def test_block_number_range(block_number: int) -> None:
    with pytest.raises(ValueError, match="block-number"):
        GetRequestNext(invoke_id_and_priority=C1, block_number=block_number)
    with pytest.raises(ValueError, match="block-number"):
        DataBlockG(last_block=True, block_number=block_number, result=b"")


def test_field_types_are_checked() -> None:
    descriptor = CosemAttributeDescriptor(
        class_id=1, instance_id=Obis(0, 0, 1, 0, 0, 255), attribute_id=2
    )
    with pytest.raises(TypeError, match="invoke-id-and-priority"):
        GetRequestNormal(invoke_id_and_priority=0xC1, cosem_attribute_descriptor=descriptor)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="access-selection"):
        GetRequestNormal(
            invoke_id_and_priority=C1,
            cosem_attribute_descriptor=descriptor,
            access_selection=(1, None),  # type: ignore[arg-type]
        )
    with pytest.raises(TypeError, match="last-block"):
        DataBlockG(last_block=1, block_number=0, result=b"")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="raw-data"):
        DataBlockG(last_block=True, block_number=0, result="text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="attribute-descriptor-list"):
        GetRequestWithList(invoke_id_and_priority=C1, attribute_descriptor_list=[descriptor])  # type: ignore[list-item]


def test_raw_data_bytes_become_octet_string() -> None:
    block = DataBlockG(last_block=False, block_number=1, result=b"\x01\x02")
    assert type(block.result) is axdr.OctetString


@pytest.mark.parametrize(("form", "message"), [(5, "0..4"), (-1, "0..4")])
def test_length_form_validation(form: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GetResponseWithList(invoke_id_and_priority=C1, result=(), result_length_form=form)


def test_length_form_too_small_for_count() -> None:
    results = tuple(Data(None) for _ in range(300))
    with pytest.raises(ValueError, match="does not fit"):
        GetResponseWithList(invoke_id_and_priority=C1, result=results, result_length_form=0)
    with pytest.raises(ValueError, match="does not fit"):
        GetResponseWithList(invoke_id_and_priority=C1, result=results, result_length_form=1)
    # two length bytes is the minimal form for 300: normalised to None
    apdu = GetResponseWithList(invoke_id_and_priority=C1, result=results, result_length_form=2)
    assert apdu.result_length_form is None
    assert_lossless(apdu)


# --- decode errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hexstr", "offset", "message"),
    [
        ("C004C1", 1, "get-request: unknown get-request choice 4"),
        ("C400", 1, "get-response: unknown get-response choice 0"),
        ("C401C102", 3, "unknown Get-Data-Result choice 2"),
        ("C001C100080000010000FF0202", 12, "presence flag of access-selection"),
        ("C402C102000000010000", 3, "last-block is a BOOLEAN"),
        ("C402C100000000010203", 8, "unknown DataBlock-G result choice 2"),
        ("C402C1000000000100820100AA", 12, "expected 256 bytes for raw-data, 1 left"),
        ("C402C100000000010082", 9, "length of raw-data"),
        ("C003C1050001", 3, "claims 5 item(s)"),
        ("C403C17F", 3, "claims 127 item(s)"),
        ("C403C18400FFFFFF0000", 3, "claims 16777215 item(s)"),
        ("C403C18500", 3, "invalid length octet"),
        ("C002C1000001", 3, "block-number"),
        ("C401C1", 3, "Get-Data-Result choice"),
    ],
)
def test_decode_errors_name_apdu_field_and_offset(hexstr: str, offset: int, message: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode(bytes.fromhex(hexstr))
    assert info.value.offset == offset
    assert message in str(info.value)
    assert str(info.value).startswith(f"at offset {offset}: get-")


def test_trailing_bytes_are_refused() -> None:
    with pytest.raises(DecodeError, match="trailing"):
        decode(item_bytes("XDLMS", 4) + b"\x00")


# --- properties ---------------------------------------------------------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(get_apdus())
def test_get_apdus_round_trip(apdu: object) -> None:
    assert_lossless(apdu)  # type: ignore[arg-type]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(apdus())
def test_translator_round_trip(apdu: object) -> None:
    # Every GET/SET/ACTION type renders to a tree and to XML and back (generic translator).
    assert translate.from_tree(translate.to_tree(apdu)) == apdu  # type: ignore[arg-type]
    assert translate.from_xml(translate.to_xml(apdu)) == apdu  # type: ignore[arg-type]


@pytest.mark.parametrize("index", range(len(APDU_CLASSES)))
@settings(max_examples=5)
@given(data=st.data())
def test_strategies_cover_every_apdu_type(index: int, data: st.DataObject) -> None:
    # The translator round-trip test imports apdus(): each class has its own alternative.
    strategies = per_class_strategies()
    assert len(strategies) == len(APDU_CLASSES)
    apdu = data.draw(strategies[index])
    assert type(apdu) is APDU_CLASSES[index]


@settings(max_examples=500)
@given(st.sampled_from([0xC0, 0xC4]), st.binary(max_size=40))
def test_fuzz_random_bodies(tag: int, body: bytes) -> None:
    assert_value_or_decode_error(bytes([tag]) + body)


@settings(max_examples=500)
@given(
    st.sampled_from([1, 2, 3, 4, 5, 8, 9, 10, 18]),
    st.integers(0, 200),
    st.integers(0, 255),
    st.sampled_from(["replace", "insert", "delete"]),
)
def test_fuzz_mutated_vectors(number: int, index: int, byte: int, how: str) -> None:
    data = bytearray(item_bytes("XDLMS", number))
    index %= len(data)
    if how == "replace":
        data[index] = byte
    elif how == "insert":
        data.insert(index, byte)
    else:
        del data[index]
    assert_value_or_decode_error(bytes(data))


def test_selective_access_descriptor_of_any_selector_is_kept() -> None:
    # The APDU field is the generic descriptor: a selector of another class travels as Data.
    apdu = GetRequestNormal(
        invoke_id_and_priority=C1,
        cosem_attribute_descriptor=CosemAttributeDescriptor(
            class_id=26, instance_id=Obis(0, 0, 99, 98, 0, 255), attribute_id=2
        ),
        access_selection=SelectiveAccessDescriptor(
            access_selector=7, access_parameters=axdr.Array([axdr.Unsigned(1)])
        ),
    )
    data = assert_lossless(apdu)
    assert data.hex().upper().endswith("0107010111" + "01")


_INTEGER_TAGS = [0x0F, 0x10, 0x05, 0x14, 0x11, 0x12, 0x06, 0x15, 0x16]


@settings(max_examples=300)
@given(
    tag=st.sampled_from(_INTEGER_TAGS),
    invoke=st.integers(0, 255),
    body=st.binary(min_size=0, max_size=10),
    choice=st.sampled_from([1, 1, 1, 2, 3]),
    result=st.sampled_from([0, 0, 0, 1]),
)
def test_whole_apdu_fast_path_equals_the_reader_path(
    tag: int, invoke: int, body: bytes, choice: int, result: int
) -> None:
    """decode(bytes) takes a fast path for a one-register GET answer; a bytearray goes
    through the Reader. Both must give the same APDU (or the same error) for any input
    of that shape, short, long or not that shape at all."""
    data = bytes([0xC4, choice, invoke, result, tag]) + body
    outcomes = []
    for given_input in (data, bytearray(data)):
        try:
            apdu = decode(given_input)
        except DecodeError as exc:
            outcomes.append(("error", exc.reason, exc.offset))
        else:
            value = getattr(apdu, "result", None)
            inner = getattr(value, "value", None)
            outcomes.append(("apdu", apdu, type(inner), getattr(value, "raw", None)))
    assert outcomes[0] == outcomes[1]


def test_whole_apdu_fast_path_register_value() -> None:
    apdu = decode(bytes.fromhex("C401C1000600001391"))  # XDLMS-04
    assert isinstance(apdu, GetResponseNormal)
    assert isinstance(apdu.result, Data)
    assert type(apdu.result.value) is axdr.DoubleLongUnsigned and apdu.result.value == 5009
    assert apdu.result.raw == bytes.fromhex("0600001391")
    assert apdu.invoke_id_and_priority.value == 0xC1


def test_lazy_data_equals_and_hashes_like_the_eager_one() -> None:
    raw = bytes.fromhex("020306000013910A034142430F05")
    lazy, eager = Data.lazy(raw), Data(axdr.decode(raw), raw)
    assert lazy == eager and eager == lazy and hash(lazy) == hash(eager)
    assert lazy != Data(axdr.Structure(())) and lazy != raw
    assert repr(lazy) == repr(eager)
    assert lazy.raw == raw and lazy.value == axdr.decode(raw)
    with pytest.raises(TypeError, match="raw must be bytes"):
        Data.lazy(bytearray(raw))  # type: ignore[arg-type]
    with pytest.raises(DecodeError):
        _ = Data.lazy(b"\x06\x00").value
    response = GetResponseNormal(invoke_id_and_priority=InvokeIdAndPriority(0xC1), result=lazy)
    assert response.to_bytes() == b"\xc4\x01\xc1\x00" + raw
    assert decode(response.to_bytes()) == response


def test_lazy_data_copies_pickles_and_replaces() -> None:
    import copy
    import dataclasses
    import pickle

    lazy = Data.lazy(bytes.fromhex("0600001391"))
    for other in (
        pickle.loads(pickle.dumps(lazy)),
        copy.copy(lazy),
        copy.deepcopy(lazy),
        dataclasses.replace(lazy, raw=None),
    ):
        assert other == lazy and other.value == axdr.DoubleLongUnsigned(5009)
    with pytest.raises(dataclasses.FrozenInstanceError):
        lazy.value = axdr.Integer(1)  # type: ignore[misc]
