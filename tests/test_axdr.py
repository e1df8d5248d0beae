"""Tests of dlmskit.axdr: the DLMS Data CHOICE in A-XDR."""

from __future__ import annotations

import math
import random
import struct
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.axdr import (
    Array,
    Bcd,
    BitString,
    Boolean,
    CompactArray,
    DataType,
    DontCare,
    DoubleLong,
    DoubleLongUnsigned,
    Enum,
    Float32,
    Float64,
    Integer,
    Long,
    Long64,
    Long64Unsigned,
    LongUnsigned,
    OctetString,
    Structure,
    TypeDescription,
    Unsigned,
    Utf8String,
    VisibleString,
)
from dlmskit.cosem_time import CosemDate, CosemDateTime, CosemTime
from dlmskit.errors import DecodeError, EncodeError

from .vectors import item_bytes, push_records

INT_TYPES = [
    Integer,
    Long,
    DoubleLong,
    Long64,
    Unsigned,
    LongUnsigned,
    DoubleLongUnsigned,
    Long64Unsigned,
    Enum,
    Bcd,
    axdr.DeltaInteger,
    axdr.DeltaLong,
    axdr.DeltaDoubleLong,
    axdr.DeltaUnsigned,
    axdr.DeltaLongUnsigned,
    axdr.DeltaDoubleLongUnsigned,
]


def same(a: Any, b: Any) -> bool:
    """Equal in value AND in DLMS type, recursively (plain == ignores the type)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Array | Structure):
        return (
            len(a) == len(b)
            and a.length_form == b.length_form
            and all(same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, CompactArray):
        return a.type_description == b.type_description and all(
            same(x, y) for x, y in zip(a.values, b.values, strict=True)
        )
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


# ---------------------------------------------------------------------------------------
# Each type: known encodings (Green Book 9.5 tag table; big-endian two's complement)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "hexstr"),
    [
        (None, "00"),
        (True, "0301"),
        (False, "0300"),
        (DoubleLong(-2), "05FFFFFFFE"),
        (DoubleLongUnsigned(5009), "0600001391"),
        (OctetString(b"\x00\x00\x01\x00\x00\xff"), "09 06 0000010000FF"),
        (VisibleString("ABC"), "0A03414243"),
        (Utf8String("é"), "0C02C3A9"),
        (Bcd(0x42), "0D42"),
        (Integer(-1), "0FFF"),
        (Long(-300), "10FED4"),
        (Unsigned(255), "11FF"),
        (LongUnsigned(1234), "1204D2"),
        (Long64(-1), "14FFFFFFFFFFFFFFFF"),
        (Long64Unsigned(2**64 - 1), "15FFFFFFFFFFFFFFFF"),
        (Enum(3), "1603"),
        (Float32(1.5), "173FC00000"),
        (Float64(-2.0), "18C000000000000000"),
        (axdr.DeltaInteger(-2), "1CFE"),
        (axdr.DeltaLong(-2), "1DFFFE"),
        (axdr.DeltaDoubleLong(-2), "1EFFFFFFFE"),
        (axdr.DeltaUnsigned(2), "1F02"),
        (axdr.DeltaLongUnsigned(2), "200002"),
        (axdr.DeltaDoubleLongUnsigned(2), "2100000002"),
        (DontCare, "FF"),
        (BitString.from_bits("1011"), "0404B0"),
        (Array([LongUnsigned(1), LongUnsigned(2)]), "0102 120001 120002"),
        (Structure([]), "0200"),
    ],
)
def test_known_encodings(value: Any, hexstr: str) -> None:
    raw = bytes.fromhex(hexstr.replace(" ", ""))
    assert axdr.encode(value) == raw
    assert same(axdr.decode(raw), value)


@pytest.mark.parametrize("cls", INT_TYPES)
def test_integer_ranges_are_enforced(cls: type[Any]) -> None:
    assert cls(cls.MIN) == cls.MIN
    assert cls(cls.MAX) == cls.MAX
    with pytest.raises(ValueError, match=cls.__name__):
        cls(cls.MAX + 1)
    with pytest.raises(ValueError, match=cls.__name__):
        cls(cls.MIN - 1)
    with pytest.raises(TypeError):
        cls(True)


def test_typed_values_behave_as_plain_values() -> None:
    value = axdr.decode(bytes.fromhex("0202 1204D2 0903616263"))
    assert value == (1234, b"abc")
    assert type(value[0]) is LongUnsigned
    assert value[0] + 1 == 1235
    assert value[1].decode() == "abc"
    assert repr(value) == "Structure([LongUnsigned(1234), OctetString('616263')])"


def test_date_time_tags_use_the_cosem_time_types() -> None:
    # Tags 25/26/27 carry 12/5/4 octets (Blue Book 4.1.6.1).
    dt = bytes.fromhex("07E50118FF0E303950FFC400")  # XDLMS-11's date-time
    value = axdr.decode(b"\x19" + dt)
    assert isinstance(value, CosemDateTime)
    assert value.to_bytes() == dt
    assert isinstance(axdr.decode(bytes.fromhex("1A07E5011807")), CosemDate)
    assert isinstance(axdr.decode(bytes.fromhex("1B0E303950")), CosemTime)
    assert axdr.encode(value) == b"\x19" + dt


def test_boolean_non_canonical_octet_round_trips() -> None:
    # A-XDR reads any non-zero octet as TRUE; the octet itself survives.
    value = axdr.decode(b"\x03\xff")
    assert value and value == True  # noqa: E712 - comparing with the bool is the point
    assert isinstance(value, Boolean)
    assert axdr.encode(value) == b"\x03\xff"
    assert axdr.decode(b"\x03\x01") is True
    assert axdr.decode(b"\x03\x00") is False


def test_nan_payload_is_kept() -> None:
    for raw in (
        b"\x17\x7f\x80\x00\x01",
        b"\x17\xff\xc0\x12\x34",
        b"\x18\x7f\xf0" + b"\x00" * 5 + b"\x01",
    ):
        value = axdr.decode(raw)
        assert math.isnan(value)
        assert axdr.encode(value) == raw


def test_float32_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="float32"):
        Float32(1e300)


def test_visible_string_keeps_any_octet() -> None:
    raw = b"\x0a\x03\x00\xe9\xff"
    value = axdr.decode(raw)
    assert type(value) is VisibleString
    assert axdr.encode(value) == raw
    with pytest.raises(ValueError, match="single-octet"):
        VisibleString("€")


def test_invalid_utf8_is_kept_losslessly() -> None:
    raw = b"\x0c\x02\xc3\x28"
    value = axdr.decode(raw)
    assert type(value) is Utf8String
    assert axdr.encode(value) == raw


def test_bit_string_padding_is_kept() -> None:
    raw = bytes.fromhex("04 03 A5".replace(" ", ""))  # 3 bits "101", padding 00101 kept
    value = axdr.decode(raw)
    assert isinstance(value, BitString)
    assert value.bits() == "101"
    assert axdr.encode(value) == raw
    with pytest.raises(ValueError, match="octets"):
        BitString(b"\x00\x00", 3)


# ---------------------------------------------------------------------------------------
# Lengths, including the non-minimal forms meters send
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "hexstr"),
    [(0, "00"), (127, "7F"), (128, "8180"), (255, "81FF"), (256, "820100"), (65536, "83010000")],
)
def test_length_forms(n: int, hexstr: str) -> None:
    assert axdr.encode_length(n) == bytes.fromhex(hexstr)
    assert axdr.decode_length(bytes.fromhex(hexstr)) == (n, len(hexstr) // 2, None)


@pytest.mark.parametrize(
    "hexstr",
    [
        "09 8103 616263",  # octet-string, length 3 in the 1-byte long form
        "09 820003 616263",
        "0A 8400000001 41",
        "01 8101 1200 01",
        "02 820002 0F01 0F02",
        "04 8108 FF",
        "13 12 8102 0001",
    ],
)
def test_non_minimal_length_forms_round_trip(hexstr: str) -> None:
    raw = bytes.fromhex(hexstr.replace(" ", ""))
    assert axdr.encode(axdr.decode(raw)) == raw


def test_length_form_can_be_requested() -> None:
    value = OctetString(b"ab").with_length_form(2)
    assert isinstance(value, OctetString)
    assert value == b"ab"
    assert axdr.encode(value) == bytes.fromhex("09 820002 6162".replace(" ", ""))
    assert axdr.encode(value.with_length_form(None)) == bytes.fromhex("09 02 6162".replace(" ", ""))
    assert type(value.with_length_form(None)) is OctetString
    with pytest.raises(ValueError, match=r"0\.\.4"):
        OctetString(b"").with_length_form(5)


def test_decoded_values_keep_no_per_instance_dict() -> None:
    # dict-less values are not tracked by the garbage collector (the bulk-data hot path)
    value = axdr.decode(bytes.fromhex("0202 0901FF 0A0141".replace(" ", "")))
    for element in (value, value[0], value[1]):
        assert not hasattr(element, "__dict__")
    with pytest.raises(EncodeError):
        axdr.encode_length(256, 1)


# ---------------------------------------------------------------------------------------
# Vectors: A-XDR bodies of real frames (../shared/vectors, see its README for sources)
# ---------------------------------------------------------------------------------------


# (table item, offset of the Data inside the APDU): the APDU headers are the Green Book's
# GET/SET/ACTION layouts: e.g. GET-response-normal = C4 01 <invoke-id> 00 <Data>.
DATA_IN_XDLMS = [
    (4, 4),  # XDLMS-04 GET-response-normal double-long-unsigned 5009 (u9n/dlms-cosem)
    (11, 13),  # XDLMS-11 SET-request-normal clock.time = date-time octet-string
    (13, 13),  # XDLMS-13 ACTION-request reply_to_HLS octet-string(17)
    (16, 6),  # XDLMS-16 ACTION-response with return parameters
    (18, 14),  # XDLMS-18 GET-request with range selective access (range descriptor)
    (25, 0),  # XDLMS-25 Kamstrup HAN list structure
    (26, 0),  # XDLMS-26 profile generic buffer
    (44, 0),  # XDLMS-44 association object_list reassembled from three blocks
]


@pytest.mark.parametrize(("number", "offset"), DATA_IN_XDLMS)
def test_xdlms_vector_bodies_round_trip(number: int, offset: int) -> None:
    apdu = item_bytes("XDLMS", number)
    value = axdr.decode(apdu[offset:])
    assert axdr.encode(value) == apdu[offset:]


def test_xdlms_04_value() -> None:
    # XDLMS-04 (source: u9n/dlms-cosem tests): C401C100 06 00001391 = 5009.
    value = axdr.decode(item_bytes("XDLMS", 4)[4:])
    assert same(value, DoubleLongUnsigned(5009))


def test_xdlms_09_get_with_list_results() -> None:
    # XDLMS-09: GET-response-with-list: C4 03 C1 02 | 00 Data | 00 Data.
    apdu = item_bytes("XDLMS", 9)
    first, pos = axdr.decode_prefix(apdu, 5)
    assert first == b"ISK1030777764366"
    assert apdu[pos] == 0  # the second Get-Data-Result choice: data
    second, end = axdr.decode_prefix(apdu, pos + 1)
    assert end == len(apdu)
    assert isinstance(second, OctetString)
    assert second.as_datetime().to_bytes() == bytes.fromhex("07E50603040E091700FFC400")


def test_xdlms_44_object_list_shape() -> None:
    # XDLMS-44 (opendlms meter simulator): array of 3 object_list_element structures
    # {class_id long-unsigned, version unsigned, logical_name octet-string, access_rights}.
    value = axdr.decode(item_bytes("XDLMS", 44))
    assert isinstance(value, Array)
    assert len(value) == 3
    class_ids = [element[0] for element in value]
    assert class_ids == [8, 15, 1]
    assert all(type(element[0]) is LongUnsigned for element in value)
    assert [element[2] for element in value] == [
        bytes.fromhex("0000010000FF"),
        bytes.fromhex("0000280000FF"),
        bytes.fromhex("00002A0000FF"),
    ]


def test_xdlms_26_profile_buffer() -> None:
    # XDLMS-26: 4 rows of {date-time octet-string(12), unsigned, double-long-unsigned x2};
    # rows after the first send null-data for the clock (the meter leaves it implicit).
    value = axdr.decode(item_bytes("XDLMS", 26))
    assert isinstance(value, Array)
    assert len(value) == 4
    assert all(isinstance(row, Structure) for row in value)
    assert value[0][0].as_datetime().to_bytes() == bytes.fromhex("07E30C1F0217000000FFC400")
    assert [type(v) for v in value[0]] == [
        OctetString,
        Unsigned,
        DoubleLongUnsigned,
        DoubleLongUnsigned,
    ]
    assert value[1][0] is None
    assert [type(v) for v in value[1][1:]] == [Unsigned, DoubleLongUnsigned, DoubleLongUnsigned]


def _notification_body(plain: bytes) -> tuple[bytes, int]:
    """Split a DataNotification (Green Book: 0F, long-invoke-id-and-priority (4),
    date-time OCTET STRING OPTIONAL, notification-body Data) at its body."""
    assert plain[0] == 0x0F
    pos = 5
    if plain[pos] == 0x00:  # date-time absent
        pos += 1
    elif plain[pos] == 0x0C:  # present, length-prefixed (12 octets)
        pos += 13
    else:  # some meters send it as a tagged octet-string 09 0C (see PUSH-12)
        assert plain[pos : pos + 2] == b"\x09\x0c"
        pos += 14
    return plain, pos


@pytest.mark.parametrize(
    "rec", [r for r in push_records() if r.get("plain_apdu")], ids=lambda r: r["id"]
)
def test_push_notification_bodies(rec: dict[str, Any]) -> None:
    # PUSH-xx: DataNotifications from meters in the field (sources in vectors.json).
    plain, pos = _notification_body(bytes.fromhex(rec["plain_apdu"]))
    value, end = axdr.decode_prefix(plain, pos)
    assert end == len(plain)
    assert axdr.encode(value) == plain[pos:]


def test_push_05_register_values() -> None:
    # PUSH-05 (Landis+Gyr E450): the body holds OBIS/value pairs; 1.0.1.8.0.255 = 0x004345A0.
    rec = next(r for r in push_records() if r["id"] == "PUSH-05")
    plain, pos = _notification_body(bytes.fromhex(rec["plain_apdu"]))
    body = axdr.decode_prefix(plain, pos)[0]
    assert isinstance(body, Structure)
    pairs = dict(zip(body[1::2], body[2::2], strict=False))
    assert pairs[bytes.fromhex("0100010800FF")] == 0x004345A0
    assert type(pairs[bytes.fromhex("0100010800FF")]) is DoubleLongUnsigned


def test_push_17_untagged_body_is_refused_at_byte_18() -> None:
    # PUSH-17 (Sagemcom XT211): the body is not standard A-XDR; a strict decoder must
    # fail at byte 18 (vectors README, "Negative cases").
    rec = next(r for r in push_records() if r["id"] == "PUSH-17")
    raw = bytes.fromhex(rec["raw"])
    body_start = 5 + 1  # 0F + long-invoke-id, date-time absent (00)
    assert raw[5] == 0
    with pytest.raises(DecodeError) as info:
        axdr.decode_prefix(raw, body_start)
    assert info.value.offset == 18


# ---------------------------------------------------------------------------------------
# Compact array and untagged data
# ---------------------------------------------------------------------------------------


def test_compact_array_of_structures() -> None:
    desc = TypeDescription.structure(
        TypeDescription.simple(DataType.LONG_UNSIGNED),
        TypeDescription.simple(DataType.OCTET_STRING),
    )
    value = CompactArray(
        desc,
        [
            Structure([LongUnsigned(1), OctetString(b"a")]),
            Structure([LongUnsigned(2), OctetString(b"bc")]),
        ],
    )
    raw = axdr.encode(value)
    # 13 | 02 02 12 09 | contents length 9 | 0001 01 61 | 0002 02 62 63
    assert raw == bytes.fromhex("13 02021209 09 0001 01 61 0002 02 6263".replace(" ", ""))
    decoded = axdr.decode(raw)
    assert same(decoded, value)


def test_compact_array_of_nested_array_type() -> None:
    desc = TypeDescription.array(2, TypeDescription.simple(DataType.INTEGER))
    raw = bytes.fromhex("13 01 0002 0F 04 01 02 FD FC".replace(" ", ""))
    value = axdr.decode(raw)
    assert isinstance(value, CompactArray)
    assert value.type_description == desc
    assert [list(v) for v in value.values] == [[1, 2], [-3, -4]]
    assert axdr.encode(value) == raw


def test_compact_array_element_that_takes_no_octets_is_refused() -> None:
    with pytest.raises(DecodeError, match="no octets"):
        axdr.decode(bytes.fromhex("13 00 01 00".replace(" ", "")))


def test_compact_array_contents_must_match_elements() -> None:
    # two bytes of contents for a uint32 element: the element runs past the contents
    with pytest.raises(DecodeError):
        axdr.decode(bytes.fromhex("13 06 02 0000".replace(" ", "")))


def test_decode_untagged_from_type_description() -> None:
    # Vendors push untagged bodies; the type description says how to read them.
    desc = TypeDescription.structure(
        TypeDescription.simple(DataType.LONG_UNSIGNED),
        TypeDescription.simple(DataType.OCTET_STRING),
        TypeDescription.simple(DataType.UNSIGNED),
    )
    raw = bytes.fromhex("0003 06 0100010800FF 02")
    value = axdr.decode_untagged(raw, desc)
    assert same(
        value,
        Structure([LongUnsigned(3), OctetString(bytes.fromhex("0100010800FF")), Unsigned(2)]),
    )
    assert axdr.encode_untagged(value, desc) == raw
    prefix = axdr.decode_untagged(raw + b"\x99", desc, whole=False)
    assert prefix[1] == len(raw)
    with pytest.raises(DecodeError, match="trailing"):
        axdr.decode_untagged(raw + b"\x99", desc)


def test_type_description_round_trip_and_errors() -> None:
    desc = TypeDescription.structure(
        TypeDescription.array(3, TypeDescription.simple(DataType.FLOAT32)),
        TypeDescription.simple(DataType.BOOLEAN),
    )
    raw = desc.encode()
    assert raw == bytes.fromhex("0202 01000317 03".replace(" ", ""))
    assert TypeDescription.decode(raw) == desc
    assert str(desc) == "structure{array[3] of float32, boolean}"
    with pytest.raises(DecodeError, match="unknown data type 0x07"):
        TypeDescription.decode(b"\x07")
    with pytest.raises(ValueError, match="element"):
        TypeDescription(tag=DataType.ARRAY, count=1)


def test_untagged_expansion_is_bounded() -> None:
    # array[65535] of array[65535] of null-data: 4e9 values from 7 octets of description.
    desc = TypeDescription.array(
        0xFFFF, TypeDescription.array(0xFFFF, TypeDescription.simple(DataType.NULL_DATA))
    )
    with pytest.raises(DecodeError, match=r"budget|too many"):
        axdr.decode_untagged(b"", desc)
    bomb = b"\x13" + desc.encode() + b"\x01\x00"
    with pytest.raises(DecodeError):
        axdr.decode(bomb)


# ---------------------------------------------------------------------------------------
# The row fast path must agree with the generic path
# ---------------------------------------------------------------------------------------


def _profile(rows: int) -> bytes:
    out = bytearray(b"\x01\x82" + rows.to_bytes(2, "big"))
    for i in range(rows):
        out += b"\x02\x03\x09\x0c" + bytes.fromhex("07EA0B16FF000000FF800000")
        out += b"\x06" + struct.pack(">I", i) + b"\x06" + struct.pack(">I", 2 * i)
    return bytes(out)


def test_profile_rows_decode_typed() -> None:
    raw = _profile(300)
    value = axdr.decode(raw)
    assert len(value) == 300
    assert all(type(row) is Structure for row in value)
    assert [type(v) for v in value[299]] == [OctetString, DoubleLongUnsigned, DoubleLongUnsigned]
    assert value[299][2] == 598
    assert axdr.encode(value) == raw


@pytest.mark.parametrize(
    ("row", "replacement"),
    [
        (5, b"\x02\x03\x00\x06\x00\x00\x00\x01\x06\x00\x00\x00\x02"),  # null-data in a column
        (7, b"\x02\x03\x09\x0b" + b"x" * 11 + b"\x06\x00\x00\x00\x01\x06\x00\x00\x00\x02"),
        (9, b"\x02\x02\x06\x00\x00\x00\x01\x06\x00\x00\x00\x02"),  # one field fewer
        (2, b"\x02\x03\x09\x81\x0c" + b"y" * 12 + b"\x06\x00\x00\x00\x01\x06\x00\x00\x00\x02"),
    ],
)
def test_rows_that_differ_fall_back_to_the_generic_path(row: int, replacement: bytes) -> None:
    rows = [_profile(1)[4:]] * 12
    rows[row] = replacement
    raw = b"\x01\x0c" + b"".join(rows)
    value = axdr.decode(raw)
    assert len(value) == 12
    assert axdr.encode(value) == raw
    # the row after the odd one is read correctly again
    assert same(value[row + 1], value[0])


def test_truncated_profile_is_a_decode_error() -> None:
    raw = _profile(50)
    for cut in (len(raw) - 1, len(raw) - 13, 30):
        with pytest.raises(DecodeError):
            axdr.decode(raw[:cut])


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hexstr", "offset", "message"),
    [
        ("", 0, "expected a data type tag"),
        ("07", 0, "unknown data type tag 0x07"),
        ("12 04", 1, "expected 2 bytes of long-unsigned"),
        ("09 05 6162", 2, "expected 5 bytes of octet-string"),
        ("09 84FFFFFFFF 00", 6, "expected 4294967295 bytes"),
        ("09 85 0000000001", 1, "invalid length octet 0x85"),
        ("09 80", 1, "invalid length octet 0x80"),
        ("01 84FFFFFFFF 00", 6, "cannot fit"),
        ("02 02 1201", 3, "expected 2 bytes"),
        ("120001 00", 3, "trailing"),
        ("19 07E5", 1, "expected 12 bytes of date-time"),
    ],
)
def test_bad_input_names_offset_and_expectation(hexstr: str, offset: int, message: str) -> None:
    with pytest.raises(DecodeError, match=message) as info:
        axdr.decode(bytes.fromhex(hexstr.replace(" ", "")))
    assert info.value.offset == offset
    assert isinstance(info.value, ValueError)


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    deep = b"\x01\x01" * 10_000 + b"\x00"
    with pytest.raises(DecodeError, match="nested deeper"):
        axdr.decode(deep)
    deep_struct = b"\x02\x01" * 10_000 + b"\x00"
    with pytest.raises(DecodeError, match="nested deeper"):
        axdr.decode(deep_struct)
    # but a modest depth is fine and the limit is configurable
    assert axdr.decode(b"\x02\x01" * 10 + b"\x00", max_depth=10) is not None
    with pytest.raises(DecodeError):
        axdr.decode(b"\x02\x01" * 11 + b"\x00", max_depth=10)


def test_plain_python_values_are_not_guessed_by_encode() -> None:
    with pytest.raises(EncodeError, match="from_python"):
        axdr.encode(5)  # type: ignore[arg-type]
    with pytest.raises(EncodeError, match="from_python"):
        axdr.encode(Structure([b"raw bytes"]))  # type: ignore[list-item]
    with pytest.raises(EncodeError, match="not a DLMS value"):
        axdr.encode(object())  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Plain Python conversion
# ---------------------------------------------------------------------------------------


def test_from_python_and_to_python() -> None:
    value = axdr.from_python([(1, "abc", b"\x01", 2.5, None, True, -1, 2**40, "é")])
    assert same(
        value,
        Array(
            [
                Structure(
                    [
                        DoubleLong(1),
                        VisibleString("abc"),
                        OctetString(b"\x01"),
                        Float64(2.5),
                        None,
                        True,
                        DoubleLong(-1),
                        Long64(2**40),
                        Utf8String("é"),
                    ]
                )
            ]
        ),
    )
    assert axdr.to_python(value) == [(1, "abc", b"\x01", 2.5, None, True, -1, 2**40, "é")]
    assert type(axdr.to_python(value)[0][0]) is int
    assert same(axdr.from_python(2**32 - 1), DoubleLongUnsigned(2**32 - 1))
    assert same(axdr.from_python(2**64 - 1), Long64Unsigned(2**64 - 1))
    with pytest.raises(EncodeError):
        axdr.from_python(2**64)
    with pytest.raises(EncodeError):
        axdr.from_python({"a": 1})


def test_data_type_of() -> None:
    assert axdr.data_type_of(None) is DataType.NULL_DATA
    assert axdr.data_type_of(LongUnsigned(1)) is DataType.LONG_UNSIGNED
    assert axdr.data_type_of(Array()) is DataType.ARRAY
    with pytest.raises(TypeError):
        axdr.data_type_of(5)


# ---------------------------------------------------------------------------------------
# Properties: every type round-trips, byte-exact, typed
# ---------------------------------------------------------------------------------------


def _length_form(n: int) -> st.SearchStrategy[int | None]:
    minimal = 0 if n < 0x80 else (n.bit_length() + 7) // 8
    return st.sampled_from([None] + [k for k in range(1, 5) if n < 1 << (8 * k) and k != minimal])


def _with_form(value: Any) -> st.SearchStrategy[Any]:
    size = value.length if isinstance(value, BitString) else len(value)

    return _length_form(size).map(value.with_length_form)


def _int_strategy(cls: type[Any]) -> st.SearchStrategy[Any]:
    return st.integers(cls.MIN, cls.MAX).map(cls)


SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(2, 255).map(Boolean),
    *[_int_strategy(cls) for cls in INT_TYPES],
    st.floats(width=32, allow_nan=False).map(Float32),
    st.floats(allow_nan=False).map(Float64),
    st.binary(max_size=200).map(OctetString).flatmap(_with_form),
    st.text(st.characters(max_codepoint=255), max_size=40).map(VisibleString).flatmap(_with_form),
    st.text(max_size=40).map(Utf8String).flatmap(_with_form),
    st.binary(min_size=12, max_size=12).map(CosemDateTime.from_bytes),
    st.binary(min_size=5, max_size=5).map(CosemDate.from_bytes),
    st.binary(min_size=4, max_size=4).map(CosemTime.from_bytes),
    st.builds(
        lambda data, pad: BitString(data, max(0, 8 * len(data) - pad)),
        st.binary(max_size=8),
        st.integers(0, 7),
    ).filter(lambda b: len(b.data) == (b.length + 7) // 8),
    st.just(DontCare),
)

VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=6).map(Array).flatmap(_with_form),
        st.lists(children, max_size=6).map(Structure).flatmap(_with_form),
    ),
    max_leaves=40,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES)
def test_every_value_round_trips_typed_and_byte_exact(value: Any) -> None:
    raw = axdr.encode(value)
    decoded = axdr.decode(raw)
    assert same(decoded, value)
    assert axdr.encode(decoded) == raw
    # with trailing data, decode_prefix stops at the end of the value
    assert axdr.decode_prefix(raw + b"\x00\x01", 0)[1] == len(raw)
    # every proper prefix is incomplete: a DecodeError, never a wrong value
    for cut in (
        range(len(raw)) if len(raw) < 64 else random.Random(len(raw)).sample(range(len(raw)), 64)
    ):
        with pytest.raises(DecodeError):
            axdr.decode(raw[:cut])


SIMPLE_TAGS = [
    t
    for t in DataType
    if t
    not in (
        DataType.ARRAY,
        DataType.STRUCTURE,
        DataType.COMPACT_ARRAY,
        DataType.NULL_DATA,
        DataType.DONT_CARE,
    )
]


def _type_descriptions() -> st.SearchStrategy[TypeDescription]:
    simple = st.sampled_from(SIMPLE_TAGS).map(TypeDescription.simple)
    return st.recursive(
        simple,
        lambda children: st.one_of(
            st.builds(TypeDescription.array, st.integers(1, 3), children),
            st.lists(children, min_size=1, max_size=3).map(lambda f: TypeDescription.structure(*f)),
        ),
        max_leaves=6,
    )


def _value_for(desc: TypeDescription) -> st.SearchStrategy[Any]:
    if desc.tag is DataType.ARRAY:
        assert desc.element is not None
        element = _value_for(desc.element)
        return st.lists(element, min_size=desc.count, max_size=desc.count).map(Array)
    if desc.tag is DataType.STRUCTURE:
        return st.tuples(*[_value_for(f) for f in desc.fields]).map(Structure)
    return _scalar_of(desc.tag)


def _scalar_of(tag: DataType) -> st.SearchStrategy[Any]:
    by_tag: dict[DataType, st.SearchStrategy[Any]] = {
        cls.TAG: _int_strategy(cls) for cls in INT_TYPES
    }
    by_tag.update(
        {
            DataType.BOOLEAN: st.booleans(),
            DataType.FLOAT32: st.floats(width=32, allow_nan=False).map(Float32),
            DataType.FLOAT64: st.floats(allow_nan=False).map(Float64),
            DataType.OCTET_STRING: st.binary(max_size=20).map(OctetString),
            DataType.VISIBLE_STRING: st.text(st.characters(max_codepoint=255), max_size=10).map(
                VisibleString
            ),
            DataType.UTF8_STRING: st.text(max_size=10).map(Utf8String),
            DataType.BIT_STRING: st.binary(max_size=3).map(BitString),
            DataType.DATE_TIME: st.binary(min_size=12, max_size=12).map(CosemDateTime.from_bytes),
            DataType.DATE: st.binary(min_size=5, max_size=5).map(CosemDate.from_bytes),
            DataType.TIME: st.binary(min_size=4, max_size=4).map(CosemTime.from_bytes),
        }
    )
    return by_tag[tag]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_compact_arrays_round_trip(data: st.DataObject) -> None:
    desc = data.draw(_type_descriptions())
    values = data.draw(st.lists(_value_for(desc), min_size=1, max_size=5))
    value = CompactArray(desc, values)
    raw = axdr.encode(value)
    decoded = axdr.decode(raw)
    assert same(decoded, value)
    assert axdr.encode(decoded) == raw
    for element in values:
        body = axdr.encode_untagged(element, desc)
        assert same(axdr.decode_untagged(body, desc), element)


# ---------------------------------------------------------------------------------------
# Fuzz: garbage in, a value or DecodeError out (nothing else)
# ---------------------------------------------------------------------------------------


def _decode_or_decode_error(raw: bytes) -> None:
    try:
        value = axdr.decode(raw)
    except DecodeError:
        return
    assert axdr.encode(value) == raw


@settings(max_examples=1500)
@given(st.binary(max_size=64))
def test_fuzz_random_bytes(raw: bytes) -> None:
    _decode_or_decode_error(raw)


@settings(max_examples=500)
@given(st.binary(max_size=40))
def test_fuzz_random_bytes_after_each_tag(raw: bytes) -> None:
    for tag in (1, 2, 4, 9, 19, 25):
        _decode_or_decode_error(bytes((tag,)) + raw)


def test_fuzz_mutated_vectors() -> None:
    rng = random.Random(2026)
    corpus = [item_bytes("XDLMS", n)[off:] for n, off in DATA_IN_XDLMS] + [_profile(20)]
    for _ in range(3000):
        raw = bytearray(rng.choice(corpus))
        for _ in range(rng.randint(1, 4)):
            action = rng.random()
            pos = rng.randrange(len(raw))
            if action < 0.6:
                raw[pos] = rng.randrange(256)
            elif action < 0.8:
                del raw[pos]
            else:
                raw.insert(pos, rng.randrange(256))
        _decode_or_decode_error(bytes(raw))
