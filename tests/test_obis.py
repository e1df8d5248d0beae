"""Tests of dlmskit.obis: construction, text and byte forms, ordering, robustness."""

from __future__ import annotations

import copy
import json
import pickle
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit._buffer import Reader
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis

# The shared vectors live next to the repository: <root>/shared/vectors, <root>/main/tests.
VECTORS = Path(__file__).resolve().parent.parent.parent / "shared" / "vectors" / "vectors.json"

groups = st.integers(min_value=0, max_value=255)
obis_codes = st.builds(Obis, groups, groups, groups, groups, groups, groups)

# No deadlines: tests make no timing assertions (DESIGN.md, Tests).
PROPS = settings(deadline=None)
FUZZ = settings(deadline=None, max_examples=500)


def _vector(record_id: str) -> dict[str, Any]:
    records: list[dict[str, Any]] = json.loads(VECTORS.read_text(encoding="utf-8"))
    return next(r for r in records if r["id"] == record_id)


# -- construction ------------------------------------------------------------------------
def test_groups_and_default_f() -> None:
    code = Obis(1, 0, 1, 8, 0)
    assert (code.a, code.b, code.c, code.d, code.e, code.f) == (1, 0, 1, 8, 0, 255)
    assert tuple(code) == (1, 0, 1, 8, 0, 255)
    a, b, c, d, e, f = Obis(0, 0, 96, 1, 0, 7)
    assert (a, b, c, d, e, f) == (0, 0, 96, 1, 0, 7)
    assert code[2] == 1 and len(code) == 6


def test_keyword_groups() -> None:
    assert Obis(a=1, b=0, c=1, d=8, e=0, f=1) == Obis(1, 0, 1, 8, 0, 1)


def test_from_another_obis_is_the_same_value() -> None:
    code = Obis(1, 0, 1, 8, 0, 255)
    assert Obis(code) is code
    with pytest.raises(TypeError):
        Obis(code, 1)  # type: ignore[call-overload]


@pytest.mark.parametrize("index", range(6))
@pytest.mark.parametrize("bad", [256, -1, 1000])
def test_out_of_range_group_is_named(index: int, bad: int) -> None:
    values = [1, 0, 1, 8, 0, 255]
    values[index] = bad
    with pytest.raises(ValueError, match=f"OBIS group {'ABCDEF'[index]} {bad} is out of range"):
        Obis(*values)


@pytest.mark.parametrize("bad", [1.0, "1", True, b"\x01"])
def test_non_int_group_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="OBIS group C must be an int"):
        Obis(1, 0, bad, 8, 0)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="OBIS group F must be an int"):
        Obis(1, 0, 1, 8, 0, bad)  # type: ignore[call-overload]


def test_missing_group_is_named() -> None:
    with pytest.raises(TypeError, match="OBIS group C is missing"):
        Obis(1, 0, None, 8, 0)  # type: ignore[call-overload]


def test_int_like_groups_are_accepted() -> None:
    class Index:
        def __index__(self) -> int:
            return 96

    code = Obis(0, 0, Index(), 1, 0)  # type: ignore[call-overload]
    assert code == Obis(0, 0, 96, 1, 0) and type(code.c) is int


def test_too_few_groups() -> None:
    with pytest.raises(TypeError, match="OBIS group E is missing"):
        Obis(1, 0, 1, 8)  # type: ignore[call-overload]


def test_from_text_is_parse() -> None:
    assert Obis("1-0:1.8.0") == Obis.parse("1-0:1.8.0") == Obis(1, 0, 1, 8, 0)
    with pytest.raises(ValueError, match="group E '256'"):
        Obis("1.0.1.8.256.255")
    with pytest.raises(TypeError, match="takes no further groups"):
        Obis("1.0.1.8.0.255", 1)  # type: ignore[call-overload]


def test_immutable() -> None:
    code = Obis(1, 0, 1, 8, 0)
    with pytest.raises(AttributeError):
        code.a = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        code.extra = 1  # type: ignore[attr-defined]


# -- equality, hashing, ordering ------------------------------------------------------------
def test_hashable_dict_key() -> None:
    table = {Obis(1, 0, 1, 8, 0): "import", Obis(1, 0, 2, 8, 0): "export"}
    assert table[Obis.parse("1-0:1.8.0*255")] == "import"
    assert table[Obis.from_bytes(bytes.fromhex("0100020800FF"))] == "export"
    assert len({Obis(1, 0, 1, 8, 0), Obis.parse("1.0.1.8.0.255")}) == 1


def test_equality_is_strict() -> None:
    code = Obis(1, 0, 1, 8, 0, 255)
    plain = (1, 0, 1, 8, 0, 255)
    assert code != plain and plain != code
    assert not code == plain and not plain == code  # noqa: SIM201
    assert code != "1.0.1.8.0.255" and code != bytes(code)
    assert code == Obis(*plain)
    assert plain not in {code} and code not in {plain}
    assert {code: 1}.get(plain) is None  # type: ignore[call-overload]


@pytest.mark.parametrize(
    "compare",
    [
        lambda x, t: x < t,
        lambda x, t: t < x,
        lambda x, t: x <= t,
        lambda x, t: t >= x,
        lambda x, t: x > t,
        lambda x, t: x >= 1,
    ],
)
def test_ordering_against_other_types_raises(compare: Any) -> None:
    with pytest.raises(TypeError):
        compare(Obis(1, 0, 1, 8, 0), (1, 0, 1, 8, 0, 255))


def test_sorted_by_the_six_octets() -> None:
    codes = [Obis(1, 0, 2, 8, 0), Obis(0, 0, 96, 1, 0), Obis(1, 0, 1, 8, 0), Obis(1, 0, 1, 8, 0, 1)]
    assert sorted(codes) == [
        Obis(0, 0, 96, 1, 0),
        Obis(1, 0, 1, 8, 0, 1),
        Obis(1, 0, 1, 8, 0),
        Obis(1, 0, 2, 8, 0),
    ]


@PROPS
@given(obis_codes, obis_codes)
def test_order_matches_bytes_order(x: Obis, y: Obis) -> None:
    assert (x < y) == (bytes(x) < bytes(y))
    assert (x <= y) == (bytes(x) <= bytes(y))
    assert (x == y) == (bytes(x) == bytes(y))
    assert (x > y) == (bytes(x) > bytes(y))


def test_pattern_matching() -> None:
    match Obis(1, 0, 32, 7, 0):
        case Obis(1, _, c, 7, _, 255):
            assert c == 32
        case _:
            pytest.fail("the class pattern did not match")


def test_pickle_and_copy() -> None:
    code = Obis(0, 0, 96, 1, 0, 7)
    for clone in (pickle.loads(pickle.dumps(code)), copy.copy(code), copy.deepcopy(code)):
        assert clone == code and type(clone) is Obis


# -- formatting ---------------------------------------------------------------------------
def test_formats() -> None:
    code = Obis(1, 0, 1, 8, 0, 255)
    assert str(code) == "1.0.1.8.0.255"
    assert format(code, "dotted") == f"{code}" == "1.0.1.8.0.255"
    assert code.to_iec() == format(code, "iec") == "1-0:1.8.0*255"
    assert format(code, "hex") == code.to_hex() == "0100010800FF"
    assert repr(code) == "Obis('1.0.1.8.0.255')"
    assert f"{Obis(0, 0, 96, 1, 0, 7):iec}" == "0-0:96.1.0*7"


def test_unknown_format_spec() -> None:
    with pytest.raises(ValueError, match="unknown OBIS format 'x'"):
        format(Obis(1, 0, 1, 8, 0), "x")


def test_bytes() -> None:
    code = Obis(1, 0, 1, 8, 0, 255)
    assert bytes(code) == code.to_bytes() == b"\x01\x00\x01\x08\x00\xff"


# -- parsing ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.0.1.8.0.255", (1, 0, 1, 8, 0, 255)),
        ("1-0:1.8.0*255", (1, 0, 1, 8, 0, 255)),
        ("1-0:1.8.0.255", (1, 0, 1, 8, 0, 255)),
        ("1-0:1.8.0&255", (1, 0, 1, 8, 0, 255)),
        ("1-0:1.8.0", (1, 0, 1, 8, 0, 255)),
        ("1-0:1.8.0*1", (1, 0, 1, 8, 0, 1)),
        ("  0-0:96.1.0*7\n", (0, 0, 96, 1, 0, 7)),
        ("001.000.001.008.000.255", (1, 0, 1, 8, 0, 255)),
        ("0100010800FF", (1, 0, 1, 8, 0, 255)),
        ("0100010800ff", (1, 0, 1, 8, 0, 255)),
        ("0x0100010800FF", (1, 0, 1, 8, 0, 255)),
        ("0X0000600100FF", (0, 0, 96, 1, 0, 255)),
        ("01 00 01 08 00 FF", (1, 0, 1, 8, 0, 255)),
        ("01:00:01:08:00:ff", (1, 0, 1, 8, 0, 255)),
        ("\t0.0.0.0.0.0 ", (0, 0, 0, 0, 0, 0)),
    ],
)
def test_parse_accepted_forms(text: str, expected: tuple[int, ...]) -> None:
    assert Obis.parse(text) == Obis(*expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "1.0.1.8.256.255",
            r"OBIS group E '256' is out of range 0\.\.255 in '1\.0\.1\.8\.256\.255'",
        ),
        ("1.0.1.8.0.2555", r"OBIS group F '2555' is out of range"),
        ("300-0:1.8.0", r"OBIS group A '300' is out of range"),
        ("1-0:1.8.0*256", r"OBIS group F '256' is out of range"),
        ("1.8.0", r"has 3 dot-separated groups, expected 6.*short forms are ambiguous"),
        ("1.0.1.8.0", r"has 5 dot-separated groups"),
        ("1.0.1.8.0.255.1", r"has 7 dot-separated groups"),
        ("1-0:1.8", r"needs C\.D\.E"),
        ("1-0:1.8.0*255*1", r"more than one F separator"),
        ("", r"empty text"),
        ("   ", r"empty text"),
        ("1. 0.1.8.0.255", r"not an OBIS code"),
        ("0100010800F", r"not an OBIS code"),
        ("0100010800FFF", r"not an OBIS code"),
        ("01 00:01 08 00 FF", r"not an OBIS code"),
        ("0x01 00 01 08 00 FF", r"not an OBIS code"),
        ("1-0:1.8.0*", r"not an OBIS code"),
        ("1-0:1.8.0#255", r"not an OBIS code"),
        ("+1.0.1.8.0.255", r"not an OBIS code"),
        ("١.0.1.8.0.255", r"not an OBIS code"),  # Arabic-Indic digit: ASCII digits only
        ("1" * 100, r"too long"),
    ],
)
def test_parse_refuses_malformed(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Obis.parse(text)


def test_parse_takes_text_only() -> None:
    with pytest.raises(TypeError, match="takes a str"):
        Obis.parse(b"1.0.1.8.0.255")  # type: ignore[arg-type]


def test_parse_error_quotes_long_input_briefly() -> None:
    with pytest.raises(ValueError) as info:
        Obis.parse("9" * 60 + ".1")
    assert len(str(info.value)) < 200


# -- bytes --------------------------------------------------------------------------------
def test_from_bytes_accepts_buffers() -> None:
    raw = bytes.fromhex("0000600100FF")
    assert Obis.from_bytes(raw) == Obis(0, 0, 96, 1, 0, 255)
    assert Obis.from_bytes(bytearray(raw)) == Obis.from_bytes(memoryview(raw))


@pytest.mark.parametrize(("raw", "offset"), [(b"", 0), (b"\x01\x00\x01\x08\x00", 0)])
def test_from_bytes_too_short(raw: bytes, offset: int) -> None:
    with pytest.raises(DecodeError, match="expected 6 bytes for an OBIS code") as info:
        Obis.from_bytes(raw)
    assert info.value.offset == offset


def test_from_bytes_too_long() -> None:
    with pytest.raises(DecodeError, match="trailing") as info:
        Obis.from_bytes(bytes(7))
    assert info.value.offset == 6


def test_read_from_reader_reports_outer_offset() -> None:
    reader = Reader(bytes.fromhex("0906 0100010800FF 0906 0100"))
    reader.skip(2)
    assert Obis.read(reader) == Obis(1, 0, 1, 8, 0)
    reader.skip(2)
    with pytest.raises(DecodeError) as info:
        Obis.read(reader)
    assert info.value.offset == 10


@pytest.mark.parametrize("record_id", ["PUSH-02", "PUSH-05", "PUSH-07", "PUSH-10", "PUSH-15"])
def test_vector_obis_codes_appear_as_logical_names(record_id: str) -> None:
    # Vectors PUSH-02/05/07/10/15 (esphome-libs/dlms_parser @ ac1cc1aeb95b, tests/expected/*):
    # every OBIS key with a numeric value in expected_from_source is sent in plain_apdu as
    # the A-XDR octet-string 09 06 <A..F>. The text form parses to those six octets, and the
    # octets decode back to the same text.
    record = _vector(record_id)
    apdu = bytes.fromhex(record["plain_apdu"])
    keys = list(record["expected_from_source"]["floats"])
    assert keys
    for key in keys:
        code = Obis.parse(key)
        position = apdu.find(b"\x09\x06" + code.to_bytes())
        assert position >= 0, key
        assert str(Obis.from_bytes(apdu[position + 2 : position + 8])) == key


def test_vector_manufacturer_obis_with_e_above_127() -> None:
    # Vector PUSH-10 (esphome-libs/dlms_parser @ ac1cc1aeb95b,
    # tests/expected/hdlc_norway_han_1phase.h): Aidon list identifier 1.1.0.2.129.255.
    apdu = bytes.fromhex(_vector("PUSH-10")["plain_apdu"])
    code = Obis.parse("1.1.0.2.129.255")
    assert code.to_hex() == "0101000281FF" and code.to_bytes() in apdu
    assert format(code, "iec") == "1-1:0.2.129*255"


# -- properties ---------------------------------------------------------------------------
@PROPS
@given(obis_codes)
def test_round_trip_every_text_form(code: Obis) -> None:
    for text in (
        str(code),
        format(code, "dotted"),
        format(code, "iec"),
        format(code, "hex"),
        format(code, "hex").lower(),
        "0x" + format(code, "hex"),
        " ".join(f"{g:02X}" for g in code),
        ":".join(f"{g:02x}" for g in code),
        "{}-{}:{}.{}.{}.{}".format(*code),
        "{}-{}:{}.{}.{}&{}".format(*code),
        f"  {code}\t",
    ):
        assert Obis.parse(text) == code, text
    assert eval(repr(code), {"Obis": Obis}) == code
    if code.f == 255:
        assert Obis.parse("{}-{}:{}.{}.{}".format(*code)) == code


@PROPS
@given(obis_codes)
def test_round_trip_bytes(code: Obis) -> None:
    assert Obis.from_bytes(code.to_bytes()) == code
    assert Obis(*code) == code


@PROPS
@given(st.binary(min_size=6, max_size=6))
def test_round_trip_from_bytes(raw: bytes) -> None:
    assert Obis.from_bytes(raw).to_bytes() == raw


# -- fuzz: garbage in, a value or ValueError out --------------------------------------------
@FUZZ
@given(st.binary(max_size=16))
def test_fuzz_from_bytes(raw: bytes) -> None:
    try:
        code = Obis.from_bytes(raw)
    except DecodeError:
        assert len(raw) != 6
    else:
        assert len(raw) == 6 and code.to_bytes() == raw


OBIS_ALPHABET = string.digits + string.hexdigits + ".-:*& \t" + "xX#+"


@FUZZ
@given(st.one_of(st.text(max_size=80), st.text(alphabet=OBIS_ALPHABET, max_size=30)))
def test_fuzz_parse(text: str) -> None:
    try:
        code = Obis.parse(text)
    except ValueError as exc:
        assert str(exc)
    else:
        # Whatever was accepted is a valid code that survives its own formats.
        assert Obis.parse(str(code)) == code and Obis.parse(format(code, "iec")) == code


@FUZZ
@given(obis_codes, st.data())
def test_fuzz_mutated_text(code: Obis, data: st.DataObject) -> None:
    text = format(code, data.draw(st.sampled_from(["dotted", "iec", "hex"])))
    position = data.draw(st.integers(0, len(text)))
    insert = data.draw(st.text(alphabet=OBIS_ALPHABET, max_size=3))
    cut = data.draw(st.integers(0, 3))
    mutated = text[:position] + insert + text[position + cut :]
    try:
        result = Obis.parse(mutated)
    except ValueError:
        return
    assert isinstance(result, Obis)
