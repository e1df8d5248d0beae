"""Tests of dlmskit.ber: tags, lengths, TLV trees, universal contents, real ACSE vectors."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit import ber
from dlmskit._buffer import Reader
from dlmskit.ber import (
    MAX_TAG_NUMBER,
    TAG_INTEGER,
    TAG_OBJECT_IDENTIFIER,
    TAG_OCTET_STRING,
    BitString,
    Tag,
    TagClass,
    Tlv,
    UniversalTag,
    decode,
    decode_all,
    decode_bit_string,
    decode_graphic_string,
    decode_integer,
    decode_octet_string,
    decode_oid,
    encode,
    encode_bit_string,
    encode_graphic_string,
    encode_integer,
    encode_length,
    encode_oid,
    read_length,
    read_tag,
    read_tlv,
)
from dlmskit.errors import DecodeError, EncodeError

# The shared vectors live next to the repository: <root>/shared/vectors, <root>/main/tests.
VECTORS = Path(__file__).resolve().parent.parent.parent / "shared" / "vectors" / "vectors.json"

# No deadlines: tests make no timing assertions (DESIGN.md, Tests).
PROPS = settings(deadline=None)
FUZZ = settings(deadline=None, max_examples=500)

DLMS_LN_CONTEXT = (2, 16, 756, 5, 8, 1, 1)  # Green Book: logical name referencing, no ciphering


def _records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(VECTORS.read_text(encoding="utf-8"))
    return records


def _record(record_id: str) -> dict[str, Any]:
    return next(r for r in _records() if r["id"] == record_id)


def _ber_vectors() -> dict[str, bytes]:
    """Every BER-encoded APDU in the shared vectors, keyed '<id>' or '<id>:<field>'."""
    found: dict[str, bytes] = {}
    for record in _records():
        if record["id"] == "ACSE":
            for number, item in enumerate(record["items"], start=1):
                found[f"ACSE-{number:02d}"] = bytes.fromhex(item["hex"])
    for record_id, fields in {
        "SEC-03": ["aarq"],
        "SEC-04": ["rlrq", "rlre", "rlrq_plain", "rlre_plain", "rlre_with_plain_initiate_response"],
        "SEC-06": ["aarq", "aare"],
    }.items():
        record = _record(record_id)
        for name in fields:
            found[f"{record_id}:{name}"] = bytes.fromhex(record[name])
    return found


BER_VECTORS = _ber_vectors()


def _acse(number: int) -> bytes:
    return BER_VECTORS[f"ACSE-{number:02d}"]


def _walk(root: Tlv) -> list[Tlv]:
    """All nodes, pre-order, without recursion."""
    nodes, stack = [], [root]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(reversed(node.children))
    return nodes


def _nested(depth: int, tag_octet: int = 0x30) -> bytes:
    """``depth`` constructed TLVs, each holding the next, the innermost empty."""
    headers, length = [], 0
    for _ in range(depth):
        header = bytes((tag_octet,)) + encode_length(length)
        headers.append(header)
        length += len(header)
    return b"".join(reversed(headers))


# =========================================================================================
# Real vectors
# =========================================================================================
def test_all_expected_vectors_are_present() -> None:
    assert len([k for k in BER_VECTORS if k.startswith("ACSE-")]) == 18
    assert len(BER_VECTORS) == 26


@pytest.mark.parametrize("name", sorted(BER_VECTORS))
def test_vector_decodes_and_reencodes_byte_exact(name: str) -> None:
    # Vectors ACSE-01..18 (u9n/dlms-cosem @ c52e9d44ef81 tests/test_asce/*.py; arabine/opendlms
    # @ 8cf92553a68a tests/test_association.cpp), SEC-03/04 (u9n/dlms-cosem tests/test_asce/),
    # SEC-06 (arabine/opendlms tests/test_association.cpp).
    data = BER_VECTORS[name]
    tlv = decode(data)
    assert encode(tlv) == data
    assert tlv.encoded_length == len(data)
    assert decode_all(data) == (tlv,)
    # ACSE APDUs are [APPLICATION 0..3] constructed: AARQ 60, AARE 61, RLRQ 62, RLRE 63.
    assert tlv.tag.cls is TagClass.APPLICATION and tlv.tag.constructed
    assert tlv.tag.number in (0, 1, 2, 3)
    for node in _walk(tlv):
        assert node.offset is not None
        assert data[node.offset : node.offset + node.encoded_length] == encode(node)


def test_acse_01_aarq_fields() -> None:
    # Vector ACSE-01, u9n/dlms-cosem @ c52e9d44ef81 tests/test_asce/test_aarq.py:16
    aarq = decode(_acse(1))
    assert aarq.tag == Tag.application(0, constructed=True) and aarq.tag.encode() == b"\x60"
    assert aarq.content_length == 0x1D and aarq.length_octets is None
    assert [child.tag.encode() for child in aarq.children] == [b"\xa1", b"\xbe"]
    context_name = aarq.find(Tag.context(1, constructed=True))
    assert context_name is not None and context_name.offset == 2
    (oid,) = context_name.children
    assert oid.tag == TAG_OBJECT_IDENTIFIER and oid.offset == 4
    assert oid.value == bytes.fromhex("60857405080101")
    assert decode_oid(oid.value) == DLMS_LN_CONTEXT
    user_information = aarq.find(Tag.context(30, constructed=True))
    assert user_information is not None
    (initiate,) = user_information.children
    assert initiate.tag == TAG_OCTET_STRING
    assert decode_octet_string(initiate) == bytes.fromhex("01000000065F1F0400007E1F04B0")
    assert aarq.find(Tag.context(2, constructed=True)) is None


def test_acse_01_built_by_hand_encodes_to_the_vector() -> None:
    # Vector ACSE-01, u9n/dlms-cosem @ c52e9d44ef81 tests/test_asce/test_aarq.py:16
    aarq = Tlv.constructed(
        Tag.application(0, constructed=True),
        [
            Tlv.constructed(
                Tag.context(1, constructed=True),
                [Tlv.primitive(TAG_OBJECT_IDENTIFIER, encode_oid("2.16.756.5.8.1.1"))],
            ),
            Tlv.constructed(
                Tag.context(30, constructed=True),
                [Tlv.primitive(TAG_OCTET_STRING, bytes.fromhex("01000000065F1F0400007E1F04B0"))],
            ),
        ],
    )
    assert encode(aarq) == _acse(1)
    assert decode(_acse(1)) == aarq  # offsets are not part of equality


def test_acse_14_long_form_length_round_trips() -> None:
    # Vector ACSE-14, arabine/opendlms @ 8cf92553a68a tests/test_association.cpp:aare_no_auth_ok
    # The meter sends 61 82 00 3A (two length octets for 58) and protocol-version 80 02 07 80.
    data = _acse(14)
    aare = decode(data)
    assert aare.tag.encode() == b"\x61" and aare.length_octets == 2
    assert aare.content_length == 0x3A
    assert encode(aare) == data
    protocol_version = aare.children[0]
    assert protocol_version.tag == Tag.context(0) and protocol_version.value == b"\x07\x80"
    bits = decode_bit_string(protocol_version.value)
    assert len(bits) == 1 and bits.bit(0)  # version1
    # [8] IMPLICIT BIT STRING responder-acse-requirements, [9] mechanism-name (LLS).
    requirements = aare.find(Tag.context(8))
    mechanism = aare.find(Tag.context(9))
    assert requirements is not None and mechanism is not None
    assert decode_bit_string(requirements.value) == BitString(b"\x80", 7)
    assert decode_oid(mechanism.value) == (2, 16, 756, 5, 8, 2, 1)
    # The minimal form of the same value is two octets shorter: 61 3A.
    minimal = dataclasses.replace(aare, length_octets=None)
    assert encode(minimal) == b"\x61\x3a" + data[4:]
    assert minimal != aare


def test_acse_17_long_form_without_user_information() -> None:
    # Vector ACSE-17, arabine/opendlms @ 8cf92553a68a tests/test_association.cpp (comment)
    aare = decode(_acse(17))
    assert aare.length_octets == 2 and aare.content_length == 0x1B
    result = aare.find(Tag.context(2, constructed=True))
    assert result is not None and decode_integer(result.children[0].value) == 1
    assert aare.find(Tag.context(30, constructed=True)) is None


def test_acse_03_lls_aarq_fields() -> None:
    # Vector ACSE-03, u9n/dlms-cosem @ c52e9d44ef81 tests/test_asce/test_aarq.py:23
    aarq = decode(_acse(3))
    requirements = aarq.find(Tag.context(10))
    mechanism = aarq.find(Tag.context(11))
    auth = aarq.find(Tag.context(12, constructed=True))
    assert requirements is not None and mechanism is not None and auth is not None
    assert decode_bit_string(requirements.value).bit(0)  # authentication functional unit
    assert decode_oid(mechanism.value) == (2, 16, 756, 5, 8, 2, 1)  # LLS
    (charstring,) = auth.children
    assert charstring.tag == Tag.context(0)  # [0] IMPLICIT GraphicString
    assert decode_graphic_string(charstring.value) == "12345678"


def test_acse_11_password_octets_survive_graphic_string() -> None:
    # Vector ACSE-11, arabine/opendlms @ 8cf92553a68a tests/test_association.cpp
    # (aarq_icube_ezreader): the LLS password is the three octets AA AA AA.
    auth = decode(_acse(11)).find(Tag.context(12, constructed=True))
    assert auth is not None
    password = decode_graphic_string(auth.children[0].value)
    assert password == "\xaa\xaa\xaa"
    assert encode_graphic_string(password) == b"\xaa\xaa\xaa"


@pytest.mark.parametrize(("number", "result", "diagnostic"), [(6, 0, 0), (7, 1, 2), (9, 0, 14)])
def test_aare_result_and_diagnostic(number: int, result: int, diagnostic: int) -> None:
    # Vectors ACSE-06/07/09, u9n/dlms-cosem @ c52e9d44ef81 tests/test_asce/test_aare.py
    # A2 03 02 01 <result>; A3 05 A1 03 02 01 <acse-service-user diagnostic>.
    aare = decode(_acse(number))
    result_tlv = aare.find(Tag.context(2, constructed=True))
    source = aare.find(Tag.context(3, constructed=True))
    assert result_tlv is not None and source is not None
    assert result_tlv.children[0].tag == TAG_INTEGER
    assert decode_integer(result_tlv.children[0].value) == result
    service_user = source.find(Tag.context(1, constructed=True))
    assert service_user is not None
    assert decode_integer(service_user.children[0].value) == diagnostic


def test_sec_03_fields_match_the_listed_ber_walk() -> None:
    # Vector SEC-03, u9n/dlms-cosem @ c52e9d44ef81 tests/test_asce/test_aarq.py
    # (test_parse_ciphered_low_security2): its `ber_fields` list each child as TAG:contents.
    record = _record("SEC-03")
    aarq = decode(bytes.fromhex(record["aarq"]))
    root, *fields = record["ber_fields"]
    assert root == f"{aarq.tag.encode().hex().upper()}(len {aarq.content_length})"
    assert len(fields) == len(aarq.children)
    for listed, child in zip(fields, aarq.children, strict=True):
        tag_hex, content_hex = listed.split(":")
        assert child.tag.encode().hex().upper() == tag_hex
        assert child.content.hex().upper() == content_hex
    calling_ap_title = aarq.find(Tag.context(6, constructed=True))
    assert calling_ap_title is not None
    assert calling_ap_title.children[0].value.hex().upper() == record["ST"]
    context_name = aarq.find(Tag.context(1, constructed=True))
    assert context_name is not None
    assert decode_oid(context_name.children[0].value) == (2, 16, 756, 5, 8, 1, 3)  # LN ciphered
    user_information = aarq.find(Tag.context(30, constructed=True))
    assert user_information is not None
    assert user_information.children[0].value.hex().upper() == record["glo_initiate_request"]


def test_sec_04_release_request_and_response() -> None:
    # Vector SEC-04, u9n/dlms-cosem @ c52e9d44ef81 tests/test_asce/test_rlrq.py, test_rlre.py
    record = _record("SEC-04")
    rlrq = decode(bytes.fromhex(record["rlrq"]))
    rlre = decode(bytes.fromhex(record["rlre"]))
    assert rlrq.tag == Tag.application(2, constructed=True)
    assert rlre.tag == Tag.application(3, constructed=True)
    reason = rlrq.find(Tag.context(0))
    assert reason is not None and decode_integer(reason.value) == 0  # normal
    user_information = rlre.find(Tag.context(30, constructed=True))
    assert user_information is not None
    assert user_information.children[0].value.hex().upper() == record["rlre_glo_initiate_response"]
    assert decode(bytes.fromhex(record["rlrq_plain"])) == Tlv.constructed(
        Tag.application(2, constructed=True), [Tlv.primitive(Tag.context(0), b"\x00")]
    )


def test_sec_06_aare_carries_the_server_challenge() -> None:
    # Vector SEC-06, arabine/opendlms @ 8cf92553a68a tests/test_association.cpp
    # (aare_saphir_enerdis): AA 2C 80 2A <StoC> is the responding-authentication-value.
    record = _record("SEC-06")
    aare = decode(bytes.fromhex(record["aare"]))
    auth = aare.find(Tag.context(10, constructed=True))
    assert auth is not None
    assert auth.children[0].value.hex().upper() == record["StoC"]
    aarq = decode(bytes.fromhex(record["aarq"]))
    mechanism = aarq.find(Tag.context(11))
    assert mechanism is not None and decode_oid(mechanism.value) == (2, 16, 756, 5, 8, 2, 2)


@pytest.mark.parametrize("name", sorted(BER_VECTORS))
def test_vector_every_strict_prefix_is_refused(name: str) -> None:
    data = BER_VECTORS[name]
    for cut in range(len(data)):
        with pytest.raises(DecodeError):
            decode(data[:cut])


@pytest.mark.parametrize("name", ["ACSE-01", "ACSE-14", "SEC-03:aarq"])
def test_vector_with_trailing_data(name: str) -> None:
    data = BER_VECTORS[name]
    with pytest.raises(DecodeError, match="trailing") as info:
        decode(data + b"\x00")
    assert info.value.offset == len(data)
    assert decode_all(data + data) == (decode(data), decode(data))


# =========================================================================================
# Tags
# =========================================================================================
@pytest.mark.parametrize(
    ("tag", "octets"),
    [
        (Tag(TagClass.UNIVERSAL, False, 2), "02"),
        (Tag(TagClass.UNIVERSAL, True, 16), "30"),
        (Tag(TagClass.APPLICATION, True, 0), "60"),
        (Tag(TagClass.APPLICATION, True, 3), "63"),
        (Tag(TagClass.CONTEXT, False, 0), "80"),
        (Tag(TagClass.CONTEXT, True, 30), "BE"),
        (Tag(TagClass.CONTEXT, False, 31), "9F1F"),
        (Tag(TagClass.PRIVATE, True, 127), "FF7F"),
        (Tag(TagClass.CONTEXT, False, 128), "9F8100"),
        (Tag(TagClass.APPLICATION, True, 201), "7F8149"),
        (Tag(TagClass.PRIVATE, False, MAX_TAG_NUMBER), "DFFFFFFF7F"),
    ],
)
def test_tag_octets(tag: Tag, octets: str) -> None:
    raw = bytes.fromhex(octets)
    assert tag.encode() == raw
    reader = Reader(raw)
    assert read_tag(reader) == tag and reader.at_end
    assert Tag.decode(Reader(raw)) == tag


@pytest.mark.parametrize(
    ("octets", "message", "offset"),
    [
        ("", "expected 1 byte for a BER tag", 0),
        ("1F", "high tag number", 1),
        ("9F81", "high tag number", 2),
        ("1F8001", "starts with 0x80", 1),
        ("1F05", "tag number 5 in the high-number form", 0),
        ("3F1E", "tag number 30 in the high-number form", 0),
        ("1FFFFFFFFF7F", "longer than 4 octets", 0),
        ("1F" + "FF" * 1000, "longer than 4 octets", 0),
    ],
)
def test_tag_refused(octets: str, message: str, offset: int) -> None:
    with pytest.raises(DecodeError, match=message) as info:
        read_tag(Reader(bytes.fromhex(octets)))
    assert info.value.offset == offset


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((TagClass.CONTEXT, False, -1), "out of range"),
        ((TagClass.CONTEXT, False, MAX_TAG_NUMBER + 1), "out of range"),
        ((4, False, 1), "tag class"),
        ((TagClass.CONTEXT, 1, 1), "must be a bool"),
        ((TagClass.CONTEXT, False, True), "must be an int"),
        ((TagClass.CONTEXT, False, 1.0), "must be an int"),
    ],
)
def test_tag_validation(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(EncodeError, match=message):
        Tag(*args)


def test_tag_helpers_and_text() -> None:
    assert Tag(1, True, 0) == Tag.application(0, constructed=True)  # type: ignore[arg-type]
    assert Tag.application(0, constructed=True).cls is TagClass.APPLICATION
    assert Tag.private(5).encode() == b"\xc5"
    assert Tag.universal(UniversalTag.GRAPHIC_STRING).encode() == b"\x19"
    assert type(Tag.universal(UniversalTag.INTEGER).number) is int
    assert repr(Tag.universal(UniversalTag.INTEGER)) == "Tag(TagClass.UNIVERSAL, False, 2)"
    assert str(Tag.context(1, constructed=True)) == "[1] constructed"
    assert str(Tag.application(0)) == "[APPLICATION 0]"
    assert repr(Tag.context(3)) == "Tag(TagClass.CONTEXT, False, 3)"
    assert eval(repr(Tag.private(99, True)), {"Tag": Tag, "TagClass": TagClass}) == Tag(
        TagClass.PRIVATE, True, 99
    )
    assert len({Tag.context(1), Tag(TagClass.CONTEXT, False, 1)}) == 1
    assert Tag.context(1) != Tag.context(1, constructed=True)


# =========================================================================================
# Lengths
# =========================================================================================
@pytest.mark.parametrize(
    ("n", "form", "octets"),
    [
        (0, None, "00"),
        (0x3A, None, "3A"),
        (127, None, "7F"),
        (128, None, "8180"),
        (255, None, "81FF"),
        (256, None, "820100"),
        (0xFFFFFFFF, None, "84FFFFFFFF"),
        (0x3A, 0, "3A"),
        (5, 1, "8105"),
        (0x3A, 2, "82003A"),
        (300, 3, "8300012C"),
        (0, 4, "8400000000"),
    ],
)
def test_length_octets(n: int, form: int | None, octets: str) -> None:
    raw = bytes.fromhex(octets)
    assert encode_length(n, form) == raw
    reader = Reader(raw + bytes(n if n < 1000 else 0))
    if n >= 1000:
        with pytest.raises(DecodeError, match=f"length {n} of the contents exceeds"):
            read_length(reader)
        return
    decoded, decoded_form = read_length(reader)
    assert decoded == n and reader.pos == len(raw)
    # The decoder reports a form only when it is not the minimal one.
    assert decoded_form == (None if encode_length(n) == raw else form)


@pytest.mark.parametrize(
    ("n", "form", "message"),
    [
        (128, 0, "short form"),
        (256, 1, "does not fit in 1"),
        (0x1_0000, 2, "does not fit in 2"),
        (-1, None, "out of range"),
        (1 << 32, None, "out of range"),
        (1, 5, "length form"),
        (1, -1, "length form"),
        (1, True, "length form"),
    ],
)
def test_length_encode_refused(n: int, form: int | None, message: str) -> None:
    with pytest.raises(EncodeError, match=message):
        encode_length(n, form)


@pytest.mark.parametrize(
    ("octets", "message", "offset"),
    [
        ("", "expected 1 byte for a BER length", 0),
        ("80", r"indefinite length \(0x80\)", 0),
        ("FF", "reserved", 0),
        ("85FFFFFFFFFF", "5 length octets", 0),
        ("FE", "126 length octets", 0),
        ("82", "expected 2 bytes for the long-form length octets, 0 left", 1),
        ("8201", "expected 2 bytes", 1),
        ("84FFFFFFFF", "length 4294967295 of the contents exceeds the 0 byte", 0),
        ("0500", "length 5 of the contents exceeds the 1 byte", 0),
    ],
)
def test_length_refused(octets: str, message: str, offset: int) -> None:
    with pytest.raises(DecodeError, match=message) as info:
        read_length(Reader(bytes.fromhex(octets)))
    assert info.value.offset == offset


# =========================================================================================
# TLV values, decode and encode
# =========================================================================================
def test_tlv_validation() -> None:
    with pytest.raises(EncodeError, match="takes a value, not children"):
        Tlv(tag=TAG_INTEGER, children=(Tlv(tag=TAG_INTEGER, value=b"\x00"),))
    with pytest.raises(EncodeError, match="takes children, not a value"):
        Tlv(tag=Tag.context(1, constructed=True), value=b"\x00")
    with pytest.raises(EncodeError, match="must be Tlv values"):
        Tlv(tag=Tag.context(1, constructed=True), children=(b"\x02\x01\x00",))  # type: ignore[arg-type]
    with pytest.raises(EncodeError, match="must be bytes"):
        Tlv(tag=TAG_OCTET_STRING, value="abc")  # type: ignore[arg-type]
    with pytest.raises(EncodeError, match="must be a Tag"):
        Tlv(tag=0x30, value=b"")  # type: ignore[arg-type]
    with pytest.raises(EncodeError, match="short form"):
        Tlv(tag=TAG_OCTET_STRING, value=bytes(200), length_octets=0)
    with pytest.raises(EncodeError, match="does not fit in 1"):
        Tlv(tag=TAG_OCTET_STRING, value=bytes(256), length_octets=1)
    with pytest.raises(EncodeError, match="length form"):
        Tlv(tag=TAG_OCTET_STRING, value=b"", length_octets=7)


def test_tlv_normalises_buffers() -> None:
    tlv = Tlv(tag=TAG_OCTET_STRING, value=bytearray(b"ab"))  # type: ignore[arg-type]
    assert type(tlv.value) is bytes and tlv == Tlv.primitive(TAG_OCTET_STRING, b"ab")
    seq = Tlv(tag=Tag.universal(16, True), children=[tlv])  # type: ignore[arg-type]
    assert seq.children == (tlv,)
    assert hash(seq) == hash(Tlv.constructed(Tag.universal(16, True), [tlv]))


def test_tlv_sizes_and_content() -> None:
    inner = Tlv.primitive(TAG_OCTET_STRING, bytes(200))
    outer = Tlv.constructed(Tag.context(30, constructed=True), [inner], length_octets=3)
    assert inner.content_length == 200 and inner.encoded_length == 203
    assert outer.content_length == 203 and outer.encoded_length == 1 + 4 + 203
    assert outer.content == encode(inner) == b"\x04\x81\xc8" + bytes(200)
    assert encode(outer)[:5] == bytes.fromhex("BE830000CB")
    assert outer.encode() == encode(outer)
    assert outer.find(TAG_OCTET_STRING) is inner and outer.find(TAG_INTEGER) is None


def test_tlv_repr_round_trips() -> None:
    tlv = decode(_acse(14))
    namespace = {"Tlv": Tlv, "Tag": Tag, "TagClass": TagClass}
    assert eval(repr(tlv), namespace) == tlv
    assert "length_octets=2" in repr(tlv)


def test_empty_constructed_and_primitive() -> None:
    assert decode(b"\x30\x00") == Tlv.constructed(Tag.universal(16, True))
    assert decode(b"\x05\x00") == Tlv.primitive(Tag.universal(UniversalTag.NULL))
    assert decode(b"\x30\x81\x00").length_octets == 1
    assert encode(decode(b"\x30\x81\x00")) == b"\x30\x81\x00"


def test_decode_empty_input() -> None:
    with pytest.raises(DecodeError, match="expected 1 byte for a BER tag") as info:
        decode(b"")
    assert info.value.offset == 0
    assert decode_all(b"") == ()


def test_child_longer_than_its_parent() -> None:
    # 30 03 | 04 05 00 | 00 00: the OCTET STRING claims 5 octets, its parent has 1 left.
    with pytest.raises(
        DecodeError, match=r"length 5 of \[UNIVERSAL 4\] exceeds the 1 byte"
    ) as info:
        decode(bytes.fromhex("300304050000 00"))
    assert info.value.offset == 3


def test_errors_report_absolute_offsets_inside_nesting() -> None:
    # A bad tag deep inside ACSE-01: the OID's tag (offset 4) replaced by a non-minimal 1F 06.
    data = bytearray(_acse(1))
    data[4:5] = b"\x1f"
    with pytest.raises(DecodeError) as info:
        decode(bytes(data))
    assert info.value.offset == 4


def test_length_ffffffff_is_refused_before_allocation() -> None:
    with pytest.raises(
        DecodeError, match=r"length 4294967295 of \[APPLICATION 1\] constructed"
    ) as info:
        decode(bytes.fromhex("6184FFFFFFFF A109"))
    assert info.value.offset == 1
    with pytest.raises(DecodeError, match=r"length 4294967295 of \[UNIVERSAL 4\] exceeds the 2"):
        decode(bytes.fromhex("3008 0484FFFFFFFF 0000"))


def test_indefinite_length_repeated_is_refused_at_once() -> None:
    with pytest.raises(DecodeError, match="indefinite") as info:
        decode(b"\x60\x80" * 10_000)
    assert info.value.offset == 1
    with pytest.raises(DecodeError, match="indefinite") as info:
        decode(b"\x30\x06" + b"\x30\x80" * 3)
    assert info.value.offset == 3


def test_ten_thousand_deep_definite_nesting_is_refused() -> None:
    data = _nested(10_000)
    with pytest.raises(DecodeError, match="nesting deeper than 32 levels") as info:
        decode(data)
    # The 33rd header starts after 32 headers; sizes from the inside: see _nested.
    assert info.value.offset == len(data) - len(_nested(10_000 - 32))
    with pytest.raises(DecodeError, match="nesting deeper than 5"):
        decode(data, max_depth=5)


def test_deep_nesting_within_a_raised_limit_does_not_recurse() -> None:
    data = _nested(10_000)
    tlv = decode(data, max_depth=10_000)
    assert encode(tlv) == data  # the encoder is iterative too
    depth, node = 1, tlv
    while node.children:
        (node,) = node.children
        depth += 1
    assert depth == 10_000
    with pytest.raises(DecodeError, match="deeper than 9999"):
        decode(data, max_depth=9_999)


@pytest.mark.parametrize("max_depth", [0, -1])
def test_max_depth_must_be_positive(max_depth: int) -> None:
    with pytest.raises(ValueError, match="max_depth"):
        decode(b"\x05\x00", max_depth=max_depth)


def test_max_depth_boundary() -> None:
    # ACSE-01 is three levels deep: 60 > A1 > 06.
    assert decode(_acse(1), max_depth=3) == decode(_acse(1))
    with pytest.raises(DecodeError, match="deeper than 2") as info:
        decode(_acse(1), max_depth=2)
    assert info.value.offset == 4


def test_read_tlv_moves_the_reader() -> None:
    data = _acse(1) + b"\x05\x00"
    reader = Reader(data)
    first = read_tlv(reader)
    assert reader.pos == len(_acse(1)) and first == decode(_acse(1))
    assert read_tlv(reader) == Tlv.primitive(Tag.universal(5)) and reader.at_end


def test_decode_accepts_buffers() -> None:
    assert decode(bytearray(_acse(1))) == decode(memoryview(_acse(1))) == decode(_acse(1))


# =========================================================================================
# Universal contents
# =========================================================================================
@pytest.mark.parametrize(
    ("arcs", "octets"),
    [
        ("2.16.756.5.8.1.1", "60857405080101"),  # application context LN, no ciphering
        ("2.16.756.5.8.1.3", "60857405080103"),  # LN with ciphering
        ("2.16.756.5.8.2.5", "60857405080205"),  # mechanism HLS-GMAC
        ("1.2.840.113549", "2A864886F70D"),
        ("2.999.3", "883703"),  # X.690 8.19.5 example
        ("0.0", "00"),
        ("1.39", "4F"),
        ("2.47", "7F"),
        ("2.48", "8100"),
    ],
)
def test_oid(arcs: str, octets: str) -> None:
    raw = bytes.fromhex(octets)
    numbers = tuple(int(a) for a in arcs.split("."))
    assert encode_oid(arcs) == encode_oid(numbers) == raw
    assert decode_oid(raw) == numbers


@pytest.mark.parametrize(
    ("arcs", "message"),
    [
        ("1", "at least two arcs"),
        ("", "not an object identifier"),
        ("2..1", "not an object identifier"),
        ("2.a", "not an object identifier"),
        ("2.-1", "not an object identifier"),
        ("3.1", "must start"),
        ("1.40", "must start"),
        ((1, -1), "non-negative"),
        ((1, True), "non-negative"),
        ((2, 1, 1 << 141), "longer than 20 octets"),
    ],
)
def test_oid_encode_refused(arcs: Any, message: str) -> None:
    with pytest.raises(EncodeError, match=message):
        encode_oid(arcs)


@pytest.mark.parametrize(
    ("octets", "message", "index"),
    [
        ("", "empty object identifier", 0),
        ("2A8648F7", "ends inside a subidentifier", 4),
        ("2A80 01", "starts with 0x80", 1),
        ("8001", "starts with 0x80", 0),
        ("2A" + "FF" * 20 + "7F", "longer than 20 octets", 21),
    ],
)
def test_oid_decode_refused(octets: str, message: str, index: int) -> None:
    with pytest.raises(DecodeError, match=message) as info:
        decode_oid(bytes.fromhex(octets), offset=100)
    assert info.value.offset == 100 + index
    with pytest.raises(DecodeError) as info:
        decode_oid(bytes.fromhex(octets))
    assert info.value.offset is None


@pytest.mark.parametrize(
    ("value", "octets"),
    [
        (0, "00"),
        (1, "01"),
        (127, "7F"),
        (128, "0080"),
        (256, "0100"),
        (-1, "FF"),
        (-128, "80"),
        (-129, "FF7F"),
        (1 << 63, "008000000000000000"),
    ],
)
def test_integer(value: int, octets: str) -> None:
    assert encode_integer(value) == bytes.fromhex(octets)
    assert decode_integer(bytes.fromhex(octets)) == value


def test_integer_edges() -> None:
    assert decode_integer(b"\x00\x05") == 5  # non-minimal: accepted, the Tlv keeps the octets
    with pytest.raises(DecodeError, match="empty INTEGER") as info:
        decode_integer(b"", offset=7)
    assert info.value.offset == 7
    with pytest.raises(EncodeError):
        encode_integer(True)
    with pytest.raises(EncodeError):
        encode_integer(1.5)  # type: ignore[arg-type]


def test_bit_string() -> None:
    bits = BitString.from_bits([True])
    assert bits == BitString(b"\x80", 7) and len(bits) == 1 and bits.bit(0)
    assert encode_bit_string(bits) == b"\x07\x80"
    assert decode_bit_string(b"\x07\x80") == bits
    assert decode_bit_string(b"\x00") == BitString() and len(BitString()) == 0
    wide = BitString.from_bits([False] * 9 + [True])
    assert wide == BitString(b"\x00\x40", 6) and wide.bit(9) and not wide.bit(8)
    with pytest.raises(IndexError):
        bits.bit(1)
    with pytest.raises(IndexError):
        bits.bit(-1)


@pytest.mark.parametrize(
    ("octets", "message"),
    [("", "unused-bits octet is missing"), ("08FF", "8 unused bits"), ("03", "empty BIT STRING")],
)
def test_bit_string_refused(octets: str, message: str) -> None:
    with pytest.raises(DecodeError, match=message) as info:
        decode_bit_string(bytes.fromhex(octets), offset=3)
    assert info.value.offset == 3


def test_bit_string_validation() -> None:
    with pytest.raises(EncodeError):
        BitString(b"\x80", 8)
    with pytest.raises(EncodeError):
        BitString(b"", 1)


def test_octet_string_primitive_and_segmented() -> None:
    assert decode_octet_string(decode(bytes.fromhex("0403ABCDEF"))) == b"\xab\xcd\xef"
    # X.690 8.7.3: a constructed OCTET STRING is a series of OCTET STRING segments.
    segmented = decode(bytes.fromhex("240B 0402ABCD 2403 0401EF 0400"))
    assert decode_octet_string(segmented) == b"\xab\xcd\xef"
    # Implicitly tagged (as ACSE tags its fields): the outer tag is not checked.
    assert decode_octet_string(decode(bytes.fromhex("A004 0402ABCD"))) == b"\xab\xcd"
    with pytest.raises(DecodeError, match="not an OCTET STRING") as info:
        decode_octet_string(decode(bytes.fromhex("2406 0401AB 0201 00")))
    assert info.value.offset == 5


def test_graphic_string() -> None:
    assert encode_graphic_string("12345678") == b"12345678"
    assert decode_graphic_string(bytearray(b"P6wRJ21F")) == "P6wRJ21F"  # type: ignore[arg-type]
    with pytest.raises(EncodeError, match="'€' at index 2"):
        encode_graphic_string("ab€")


# =========================================================================================
# Properties: random trees with random length forms
# =========================================================================================
tag_numbers = st.one_of(st.integers(0, 30), st.integers(31, 300), st.integers(0, MAX_TAG_NUMBER))


def _tags(constructed: bool) -> st.SearchStrategy[Tag]:
    return st.builds(Tag, st.sampled_from(TagClass), st.just(constructed), tag_numbers)


def _non_minimal_forms(length: int) -> list[int]:
    """Long forms longer than needed: what a decoder must remember to round-trip."""
    needed = 0 if length < 0x80 else (length.bit_length() + 7) // 8
    return [count for count in (1, 2, 3, 4) if count > needed]


def _with_random_form(tlv: Tlv) -> st.SearchStrategy[Tlv]:
    forms = [None, *_non_minimal_forms(tlv.content_length)]
    return st.sampled_from(forms).map(lambda form: dataclasses.replace(tlv, length_octets=form))


primitive_tlvs = st.builds(
    lambda tag, value: Tlv(tag=tag, value=value), _tags(False), st.binary(max_size=300)
).flatmap(_with_random_form)

trees = st.recursive(
    primitive_tlvs,
    lambda children: st.builds(
        lambda tag, kids: Tlv(tag=tag, children=tuple(kids)),
        _tags(True),
        st.lists(children, max_size=4),
    ).flatmap(_with_random_form),
    max_leaves=20,
)


@PROPS
@given(trees)
def test_round_trip_random_trees(tlv: Tlv) -> None:
    data = encode(tlv)
    assert len(data) == tlv.encoded_length
    decoded = decode(data)
    assert decoded == tlv
    assert encode(decoded) == data
    for node in _walk(decoded):
        assert node.offset is not None
        assert data[node.offset : node.offset + node.encoded_length] == encode(node)


@PROPS
@given(trees, trees)
def test_round_trip_concatenation_and_trailing_data(first: Tlv, second: Tlv) -> None:
    data = encode(first) + encode(second)
    assert decode_all(data) == (first, second)
    with pytest.raises(DecodeError, match="trailing") as info:
        decode(data)
    assert info.value.offset == first.encoded_length


@PROPS
@given(trees, st.data())
def test_truncated_encoding_is_refused(tlv: Tlv, data: st.DataObject) -> None:
    raw = encode(tlv)
    cut = data.draw(st.integers(0, len(raw) - 1))
    with pytest.raises(DecodeError):
        decode(raw[:cut])


@PROPS
@given(st.integers(0, 2), st.integers(0, 1 << 70), st.lists(st.integers(0, 1 << 64), max_size=8))
def test_round_trip_oid(first: int, second: int, rest: list[int]) -> None:
    arcs = (first, second % 40 if first < 2 else second, *rest)
    assert decode_oid(encode_oid(arcs)) == arcs
    assert encode_oid(".".join(map(str, arcs))) == encode_oid(arcs)


@PROPS
@given(st.integers(-(1 << 200), 1 << 200))
def test_round_trip_integer(value: int) -> None:
    raw = encode_integer(value)
    assert decode_integer(raw) == value
    # Minimal (X.690 8.3.2): the first nine bits are neither all zero nor all one.
    if len(raw) > 1:
        nine = (raw[0] << 1) | (raw[1] >> 7)
        assert nine not in (0, 0x1FF)


@PROPS
@given(st.lists(st.booleans(), max_size=40))
def test_round_trip_bit_string(flags: list[bool]) -> None:
    bits = BitString.from_bits(flags)
    assert [bits.bit(i) for i in range(len(bits))] == flags
    assert decode_bit_string(encode_bit_string(bits)) == bits


@PROPS
@given(st.binary(max_size=64))
def test_round_trip_graphic_string(raw: bytes) -> None:
    assert encode_graphic_string(decode_graphic_string(raw)) == raw


# =========================================================================================
# Fuzz: garbage in, a value or DecodeError out -- and whatever decodes re-encodes exactly
# =========================================================================================
INTERESTING = [0x00, 0x01, 0x02, 0x04, 0x06, 0x1F, 0x30, 0x60, 0x61, 0x7F, 0x80, 0x81, 0x82]
INTERESTING += [0x83, 0x84, 0x85, 0xA1, 0xBE, 0xFF]
ber_like = st.lists(st.sampled_from(INTERESTING) | st.integers(0, 255), max_size=64).map(bytes)


def _decode_or_error(data: bytes) -> None:
    try:
        tlv = decode(data)
    except DecodeError as exc:
        assert exc.offset is not None and 0 <= exc.offset <= len(data)
    else:
        assert encode(tlv) == data
    try:
        items = decode_all(data)
    except DecodeError:
        pass
    else:
        assert b"".join(encode(item) for item in items) == data


@FUZZ
@given(st.binary(max_size=128) | ber_like)
def test_fuzz_random_bytes(data: bytes) -> None:
    _decode_or_error(data)


@FUZZ
@given(st.sampled_from(sorted(BER_VECTORS)), st.data())
def test_fuzz_mutated_vectors(name: str, data: st.DataObject) -> None:
    raw = bytearray(BER_VECTORS[name])
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(["flip", "set", "insert", "delete"]))
        if action == "insert" or position == len(raw):
            raw.insert(position, data.draw(st.sampled_from(INTERESTING) | st.integers(0, 255)))
        elif action == "delete":
            del raw[position]
        elif action == "flip":
            raw[position] ^= 1 << data.draw(st.integers(0, 7))
        else:
            raw[position] = data.draw(st.sampled_from(INTERESTING))
    _decode_or_error(bytes(raw))


@FUZZ
@given(st.binary(max_size=48))
def test_fuzz_content_decoders(data: bytes) -> None:
    try:
        arcs = decode_oid(data, offset=0)
    except DecodeError as exc:
        assert exc.offset is not None and 0 <= exc.offset <= len(data)
    else:
        assert encode_oid(arcs) == data  # the accepted form is the only form
    try:
        bits = decode_bit_string(data)
    except DecodeError:
        assert not data or data[0] > 7 or (len(data) == 1 and data[0] != 0)
    else:
        assert encode_bit_string(bits) == data
    try:
        value = decode_integer(data)
    except DecodeError:
        assert not data
    else:
        minimal = encode_integer(value)
        assert decode_integer(minimal) == value and len(minimal) <= len(data)
        assert data.endswith(minimal)  # only redundant sign octets can be dropped


def test_hostile_shapes() -> None:
    # Hand-picked hostile shapes, each with its expected failure.
    cases = {
        "6184FFFFFFFF": "length 4294967295",
        "1F" + "FF" * 5000: "longer than 4 octets",
        "30" * 100: "length 48 of",
        "3080" * 100: "indefinite",
        "0485FFFFFFFFFF": "5 length octets",
        "8580": "indefinite",  # 85 is a tag ([5]); 80 is its length
    }
    for hex_data, message in cases.items():
        with pytest.raises(DecodeError, match=message):
            decode(bytes.fromhex(hex_data))


def test_module_exports() -> None:
    for name in ber.__all__:
        assert hasattr(ber, name), name
