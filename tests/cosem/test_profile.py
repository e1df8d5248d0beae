"""Tests of dlmskit.cosem.profile (Blue Book 4.3.6 profile generic buffer, 4.1.6.1 date-time)."""

from __future__ import annotations

import datetime as dt
import itertools
import struct
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import apdu, axdr
from dlmskit.cosem.profile import ColumnKind, ProfileTable, parse_buffer, parse_compact_buffer
from dlmskit.cosem.types import CaptureObjectDefinition
from dlmskit.cosem.units import ScalerUnit, Unit
from dlmskit.cosem_time import DeviationSign
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis
from tests.vectors import item_bytes


def Capture(
    class_id: int, logical_name: Obis, attribute_index: int, data_index: int = 0
) -> CaptureObjectDefinition:
    """A capture_object_definition (Blue Book 4.3.6), the shared cosem.types value type."""
    return CaptureObjectDefinition(
        class_id=class_id,
        logical_name=logical_name,
        attribute_index=attribute_index,
        data_index=data_index,
    )


CLOCK = Capture(8, Obis(0, 0, 1, 0, 0), 2)
STATUS = Capture(1, Obis(0, 0, 96, 10, 1), 2)
IMPORT = Capture(3, Obis(1, 0, 1, 8, 0), 2)
EXPORT = Capture(3, Obis(1, 0, 2, 8, 0), 2)
# The capture objects of u9n/dlms-cosem tests/test_parsers.py (and its test_get.py meter):
# clock, status (0-0:96.10.1), active energy import and export.
CAPTURES = (CLOCK, STATUS, IMPORT, EXPORT)
SCALERS = {
    Obis(1, 0, 1, 8, 0): ScalerUnit(-3, Unit.WATT_HOUR),
    Obis(1, 0, 2, 8, 0): ScalerUnit(1, Unit.WATT_HOUR),
}
CET = dt.timezone(dt.timedelta(hours=1))
CEST = dt.timezone(dt.timedelta(hours=2))
PARIS = ZoneInfo("Europe/Paris")


def date_time(  # noqa: PLR0917 -- the fields of a date, positional as written
    y: int, mo: int, d: int, h: int, mi: int, dev: int = -60, status: int = 0, s: int = 0
) -> bytes:
    """A 12-byte COSEM date-time (Blue Book 4.1.6.1); dev 0x8000 = not specified."""
    return struct.pack(">HBBBBBBBhB", y, mo, d, 0xFF, h, mi, s, 0, dev, status)


def cell(value: object) -> bytes:
    """Tagged A-XDR of one cell: bytes → octet-string, int → double-long-unsigned."""
    if value is None:
        return b"\x00"
    if isinstance(value, bytes):
        return bytes([9, len(value)]) + value
    if isinstance(value, axdr.Unsigned):
        return bytes([0x11, int(value)])
    assert isinstance(value, int)
    return b"\x06" + value.to_bytes(4, "big")


def buffer(rows: list[tuple[object, ...]], *, long_form: bool = False) -> bytes:
    """An array of structures; ``long_form`` writes each row's count as ``81 nn`` (valid
    A-XDR that the struct fast path does not take)."""
    out = bytearray([1, len(rows)])
    for row in rows:
        out += bytes([2, 0x81, len(row)] if long_form else [2, len(row)])
        for value in row:
            out += cell(value)
    return bytes(out)


# ---------------------------------------------------------------------------------------
# Vectors
# ---------------------------------------------------------------------------------------


def test_xdlms_26_null_compressed_clock() -> None:
    """XDLMS-26 (u9n/dlms-cosem tests/test_parsers.py:6): four entries, the clock sent in
    the first only (2019-12-31 23:00, deviation -60 = UTC+01:00), null-data after. The
    source test expects consecutive clocks one capture period (60 min) apart."""
    table = parse_buffer(
        item_bytes("XDLMS", 26), CAPTURES, capture_period=3600, scaler_units=SCALERS
    )
    assert [c.kind for c in table.columns] == [
        ColumnKind.CLOCK,
        ColumnKind.STATUS,
        ColumnKind.SCALED,
        ColumnKind.SCALED,
    ]
    assert table.columns[2].unit is Unit.WATT_HOUR
    assert table.columns[0].name == "Clock" and table.columns[1].name == "Status register 1"
    assert len(table) == 4
    first = dt.datetime(2019, 12, 31, 23, 0, tzinfo=CET)
    for i, row in enumerate(table):
        assert row == (first + dt.timedelta(hours=i), 6, Decimal("1.517"), Decimal("16200"))
        assert row[0].utcoffset() == dt.timedelta(hours=1)
    assert table[1][0] - table[0][0] == dt.timedelta(minutes=60)
    assert table.problems == ()
    d = table.to_dicts()[3]
    assert d["0.0.1.0.0.255/2"] == dt.datetime(2020, 1, 1, 2, 0, tzinfo=CET)
    assert d["1.0.1.8.0.255/2"] == Decimal("1.517")
    assert table.column("1-0:2.8.0") == [Decimal("16200")] * 4


def test_capture_objects_from_their_a_xdr() -> None:
    """Attribute 3 as a meter sends it (array of capture_object_definition structures,
    Blue Book 4.3.6), decoded with cosem.types, drives the parse of XDLMS-26."""
    attribute_3 = axdr.Array([c.to_data() for c in CAPTURES])
    wire = axdr.encode(attribute_3)
    assert wire.hex().startswith("0104020412000809060000010000ff0f02120000")
    captures = [CaptureObjectDefinition.from_data(v) for v in axdr.decode(wire)]  # type: ignore[union-attr]
    assert tuple(captures) == CAPTURES
    table = parse_buffer(item_bytes("XDLMS", 26), captures, capture_period=3600)
    assert table[3][0] == dt.datetime(2020, 1, 1, 2, 0, tzinfo=CET)


def test_xdlms_26_without_filling() -> None:
    table = parse_buffer(item_bytes("XDLMS", 26), CAPTURES, fill_nulls=False)
    assert [row[0] for row in table][1:] == [None, None, None]
    assert table[2][1:] == (6, 1517, 1620)  # unscaled: plain ints


def test_xdlms_26_as_decoded_array() -> None:
    data = item_bytes("XDLMS", 26)
    value = axdr.decode(data)
    assert isinstance(value, axdr.Array)
    assert parse_buffer(value, CAPTURES, capture_period=3600) == parse_buffer(
        data, CAPTURES, capture_period=3600
    )


def _xdlms_06_raw() -> bytes:
    """The raw-data of XDLMS-06 (u9n/dlms-cosem tests/test_xdlms/test_get.py:213): the
    first 0x49E bytes of a 1440-entry load profile (array count 05A0), cut mid-entry."""
    response = apdu.decode(item_bytes("XDLMS", 6))
    assert isinstance(response, apdu.get.GetResponseWithDatablock)
    raw = response.result.result
    assert isinstance(raw, bytes)
    return bytes(raw)


def test_xdlms_06_truncated_load_profile_strict() -> None:
    raw = _xdlms_06_raw()
    assert raw[:4] == bytes.fromhex("018205A0") and len(raw) == 0x49E
    with pytest.raises(DecodeError, match=r"row 77") as info:
        parse_buffer(raw, CAPTURES, capture_period=3600)
    # Row 77 starts after the header (4), the full first entry (30) and 76 compressed
    # entries of 15 bytes; the cut is inside it.
    assert info.value.offset is not None
    assert 4 + 30 + 76 * 15 < info.value.offset <= len(raw)


def test_xdlms_06_truncated_load_profile_lenient() -> None:
    raw = _xdlms_06_raw()
    with pytest.warns(UserWarning, match="lenient"):
        table = parse_buffer(raw, CAPTURES, capture_period=3600, lenient=True)
    assert len(table) == 77
    assert len(table.problems) == 1 and "row 77" in table.problems[0]
    start = dt.datetime(2019, 12, 19, 2, 0, tzinfo=CET)
    assert [row[0] for row in table] == [start + dt.timedelta(hours=i) for i in range(77)]
    assert {row[1:] for row in table} == {(6, 1517, 1620)}


# A load-survey reply of an Indian meter (IS 15959 style), as one HDLC frame with a valid
# FCS, quoted in a public GitHub client's source (found with the `find_string` corpus, id
# 35967956109, a comment in pull_load_survey_data()): GET.response-normal with a one-entry
# buffer {date-time 2021-01-07 03:00 (seconds, hundredths and deviation not specified),
# long-unsigned 0, 0, 251}; that client reads the three values as energy, reactive energy
# and voltage.
LOAD_SURVEY_FRAME = bytes.fromhex(
    "7EA02B41039688EDE6E700C401C10001010204090C07E50107FF0300FFFF8000001200001200001200FB976B7E"
)


def test_real_load_survey_reply() -> None:
    from dlmskit.link.hdlc import HdlcFrame

    frame = HdlcFrame.decode(LOAD_SURVEY_FRAME)  # checks HCS and FCS
    response = apdu.decode(frame.information[3:])  # after the LLC header E6 E7 00
    assert isinstance(response, apdu.get.GetResponseNormal)
    buffer_value = response.result.value  # type: ignore[union-attr]
    assert isinstance(buffer_value, axdr.Array)
    captures = (
        CLOCK,
        Capture(3, Obis(1, 0, 1, 29, 0), 2),
        Capture(3, Obis(1, 0, 3, 29, 0), 2),
        Capture(3, Obis(1, 0, 12, 27, 0), 2),
    )
    india = ZoneInfo("Asia/Kolkata")
    table = parse_buffer(buffer_value, captures, capture_period=1800, local_zone=india)
    assert list(table) == [(dt.datetime(2021, 1, 7, 3, 0, tzinfo=india), 0, 0, 251)]
    assert table[0][0].utcoffset() == dt.timedelta(hours=5, minutes=30)
    # Without a zone the time stays naive: the meter did not send its deviation.
    assert parse_buffer(buffer_value, captures)[0][0] == dt.datetime(2021, 1, 7, 3, 0)


# ---------------------------------------------------------------------------------------
# Null compression of other columns
# ---------------------------------------------------------------------------------------


def test_null_values_repeat_the_previous_entry() -> None:
    """Blue Book 4.3.6: a value equal to the previous entry's may be sent as null-data."""
    rows = [
        (date_time(2024, 3, 1, 0, 0), axdr.Unsigned(0), 1000, 7),
        (None, None, 1010, None),
        (None, axdr.Unsigned(8), None, None),
        (date_time(2024, 3, 1, 1, 0), None, 1030, 9),
    ]
    table = parse_buffer(buffer(rows), CAPTURES, capture_period=900, scaler_units=SCALERS)
    t0 = dt.datetime(2024, 3, 1, 0, 0, tzinfo=CET)
    assert list(table) == [
        (t0, 0, Decimal("1.000"), Decimal("70")),
        (t0 + dt.timedelta(minutes=15), 0, Decimal("1.010"), Decimal("70")),
        (t0 + dt.timedelta(minutes=30), 8, Decimal("1.010"), Decimal("70")),
        (t0 + dt.timedelta(hours=1), 8, Decimal("1.030"), Decimal("90")),
    ]


def test_null_in_the_first_row_and_without_period() -> None:
    rows = [(None, None, 5, 6), (None, axdr.Unsigned(1), None, 6)]
    table = parse_buffer(buffer(rows), CAPTURES)
    assert list(table) == [(None, None, 5, 6), (None, 1, 5, 6)]


# ---------------------------------------------------------------------------------------
# Time: deviation, local zone, DST
# ---------------------------------------------------------------------------------------


def test_deviation_across_the_end_of_dst() -> None:
    """Paris, 2019-10-27: 03:00 CEST becomes 02:00 CET. The meter sends the deviation
    (-120 then -60) and the DST status bit; compressed clocks step by the period."""
    rows = [
        (date_time(2019, 10, 27, 2, 30, -120, 0x80), axdr.Unsigned(0), 1, 1),
        (None, None, 2, 2),
        (date_time(2019, 10, 27, 2, 30, -60, 0x00), None, 3, 3),
        (None, None, 4, 4),
    ]
    table = parse_buffer(buffer(rows), CAPTURES, capture_period=1800)
    clocks = [row[0] for row in table]
    assert clocks[0] == dt.datetime(2019, 10, 27, 2, 30, tzinfo=CEST)
    assert clocks[1] == dt.datetime(2019, 10, 27, 3, 0, tzinfo=CEST)  # = 02:00 CET
    assert clocks[2] == dt.datetime(2019, 10, 27, 2, 30, tzinfo=CET)
    utc = [c.astimezone(dt.UTC) for c in clocks]
    assert [b - a for a, b in itertools.pairwise(utc)] == [dt.timedelta(minutes=30)] * 3


def test_unspecified_deviation_uses_the_local_zone_and_dst_bit() -> None:
    """Deviation 0x8000 ("not specified", Blue Book 4.1.6.1): the wall time is read in
    ``local_zone``; 02:30 occurs twice on 2019-10-27 in Paris and the clock status DST
    bit (0x80) tells the first (CEST) from the second (CET)."""
    ns = -0x8000
    rows = [
        (date_time(2019, 10, 27, 2, 30, ns, 0x80), axdr.Unsigned(0), 1, 1),
        (date_time(2019, 10, 27, 2, 30, ns, 0x00), None, 2, 2),
    ]
    table = parse_buffer(buffer(rows), CAPTURES, local_zone=PARIS)
    first, second = table[0][0], table[1][0]
    assert first.utcoffset() == dt.timedelta(hours=2)
    assert second.utcoffset() == dt.timedelta(hours=1)
    assert second.astimezone(dt.UTC) - first.astimezone(dt.UTC) == dt.timedelta(hours=1)
    # Without a zone the value is naive: the meter did not say where it is.
    naive = parse_buffer(buffer(rows), CAPTURES)
    assert naive[0][0] == dt.datetime(2019, 10, 27, 2, 30) and naive[0][0].tzinfo is None


@pytest.mark.parametrize(
    ("start", "status", "expected_walls"),
    [
        # Autumn: 02:00..02:45 CEST, then 02:00..02:15 CET again.
        ((2019, 10, 27, 1, 45), 0x80, ["02:00", "02:15", "02:30", "02:45", "02:00", "02:15"]),
        # Spring (2019-03-31): 02:00 CET becomes 03:00 CEST.
        ((2019, 3, 31, 1, 30), 0x00, ["01:45", "03:00", "03:15", "03:30", "03:45", "04:00"]),
    ],
)
def test_compressed_clocks_step_in_absolute_time_in_a_zone(
    start: tuple[int, int, int, int, int], status: int, expected_walls: list[str]
) -> None:
    rows: list[tuple[object, ...]] = [(date_time(*start, -0x8000, status), axdr.Unsigned(0), 1, 1)]
    rows += [(None, None, 1, 1)] * 6
    table = parse_buffer(buffer(rows), CAPTURES, capture_period=900, local_zone=PARIS)
    clocks = [row[0] for row in table]
    assert [c.strftime("%H:%M") for c in clocks[1:]] == expected_walls
    utc = [c.astimezone(dt.UTC) for c in clocks]
    assert {b - a for a, b in itertools.pairwise(utc)} == {dt.timedelta(minutes=15)}


def test_inverted_deviation_sign() -> None:
    rows = [(date_time(2024, 1, 1, 12, 0, 330), axdr.Unsigned(0), 1, 1)]
    table = parse_buffer(buffer(rows), CAPTURES, deviation_sign=DeviationSign.INVERTED)
    assert table[0][0].utcoffset() == dt.timedelta(minutes=330)
    table = parse_buffer(buffer(rows), CAPTURES)
    assert table[0][0].utcoffset() == dt.timedelta(minutes=-330)


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


def test_row_of_the_wrong_width() -> None:
    rows = [(date_time(2024, 1, 1, 0, 0), axdr.Unsigned(0), 1, 1), (None, None, 2)]
    data = buffer(rows)
    row1 = 2 + 2 + 14 + 2 + 5 + 5
    with pytest.raises(DecodeError, match=r"row 1 has 3 columns.*define 4") as info:
        parse_buffer(data, CAPTURES)
    assert info.value.offset == row1
    with pytest.warns(UserWarning):
        table = parse_buffer(data, CAPTURES, lenient=True)
    assert table[1][2:] == (2, None) and len(table.problems) == 1


def test_cell_of_the_wrong_type() -> None:
    rows = [
        (date_time(2024, 1, 1, 0, 0), axdr.Unsigned(0), 1, 1),
        (None, None, 2, 2),
        (None, None, b"\x01\x02", 3),
    ]
    data = buffer(rows)
    row2 = 2 + 28 + 14
    with pytest.raises(DecodeError, match=r"row 2, column 2 \(1\.0\.1\.8\.0\.255/2\)") as info:
        parse_buffer(data, CAPTURES, scaler_units=SCALERS)
    assert info.value.offset == row2 + 2 + 1 + 1  # the cell after 02 04, null, null
    assert "octet-string, but the column holds double-long-unsigned" in str(info.value)
    with pytest.warns(UserWarning):
        table = parse_buffer(data, CAPTURES, scaler_units=SCALERS, lenient=True)
    assert table[2][2] == b"\x01\x02"


def test_a_value_column_keeps_its_first_type() -> None:
    rows = [(date_time(2024, 1, 1, 0, 0), axdr.Unsigned(0), 1, 1), (None, None, 2, b"x")]
    with pytest.raises(DecodeError, match=r"row 1, column 3 .*octet-string.*double-long"):
        parse_buffer(buffer(rows), CAPTURES)


@pytest.mark.parametrize(
    ("clock", "match"),
    [
        (b"\x01\x02\x03\x04\x05", "5 bytes"),
        (struct.pack(">HBBBBBBBhB", 0xFFFF, 1, 1, 0xFF, 0, 0, 0, 0, -60, 0), "point in time"),
        (struct.pack(">HBBBBBBBhB", 2024, 2, 30, 0xFF, 0, 0, 0, 0, -60, 0), "point in time"),
    ],
)
def test_bad_clock(clock: bytes, match: str) -> None:
    rows = [(clock, axdr.Unsigned(0), 1, 1)]
    with pytest.raises(DecodeError, match=rf"row 0, column 0 .*{match}") as info:
        parse_buffer(buffer(rows), CAPTURES)
    assert info.value.offset == 4


@pytest.mark.parametrize(
    ("data", "match", "offset"),
    [
        (b"", "no bytes", 0),
        (bytes.fromhex("0204"), "expected a profile buffer", 0),
        (bytes.fromhex("0101"), "row 0: .*ended after 0 of 1", 2),
        (bytes.fromhex("01011100"), "row 0: expected a structure, got unsigned", 2),
        (bytes.fromhex("01010204090C00"), "row 0", 4),
        (buffer([(None, None, 1, 1)]) + b"\x00", "trailing", 15),
    ],
)
def test_bad_buffers(data: bytes, match: str, offset: int) -> None:
    with pytest.raises(DecodeError, match=match) as info:
        parse_buffer(data, CAPTURES)
    assert info.value.offset is not None and info.value.offset >= offset


def test_empty_buffer() -> None:
    table = parse_buffer(b"\x01\x00", CAPTURES)
    assert len(table) == 0 and table.to_dicts() == [] and len(table.columns) == 4


def test_bad_arguments() -> None:
    data = buffer([(None, None, 1, 1)])
    with pytest.raises(TypeError, match="buffer"):
        parse_buffer("0101", CAPTURES)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="capture_period"):
        parse_buffer(data, CAPTURES, capture_period=-1)
    with pytest.raises(ValueError, match="capture_objects is empty"):
        parse_buffer(data, ())
    with pytest.raises(TypeError, match=r"capture_objects\[0\]"):
        parse_buffer(data, [object()])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="scaler_units"):
        parse_buffer(data, CAPTURES, scaler_units={"1-0:1.8.0": -3})  # type: ignore[dict-item]
    table = parse_buffer(data, CAPTURES)
    with pytest.raises(ValueError, match="no column"):
        table.column("9.9.9.9.9.9")
    with pytest.raises(ValueError, match="key must be"):
        table.to_dicts(key="obis")


# ---------------------------------------------------------------------------------------
# Fast path = general path
# ---------------------------------------------------------------------------------------

_row = st.tuples(
    st.one_of(
        st.none(), st.builds(lambda m: date_time(2024, 5, 1, m // 60, m % 60), st.integers(0, 1439))
    ),
    st.one_of(st.none(), st.builds(axdr.Unsigned, st.integers(0, 255))),
    st.one_of(st.none(), st.integers(0, 2**32 - 1)),
    st.one_of(st.none(), st.integers(0, 2**32 - 1)),
)


@given(st.lists(_row, max_size=30))
def test_fast_path_matches_the_general_decoder(rows: list[tuple[object, ...]]) -> None:
    """The struct fast path (canonical rows) and the general decoder (every row count
    in long form, which the fast path never takes) give the same table."""
    options = {"capture_period": 900, "scaler_units": SCALERS}
    fast = parse_buffer(buffer(rows), CAPTURES, **options)  # type: ignore[arg-type]
    slow = parse_buffer(buffer(rows, long_form=True), CAPTURES, **options)  # type: ignore[arg-type]
    assert fast == slow
    # And both agree with a plain reading of the generic axdr values.
    previous: list[object] = [None] * 4
    for got, sent in zip(fast, rows, strict=True):
        want = list(previous)
        if sent[0] is not None:
            assert isinstance(sent[0], bytes)
            y, mo, d, _, h, mi, *_ = struct.unpack(">HBBBBBBBhB", sent[0])
            want[0] = dt.datetime(y, mo, d, h, mi, tzinfo=CET)
        elif isinstance(previous[0], dt.datetime):
            want[0] = previous[0] + dt.timedelta(minutes=15)
        if sent[1] is not None:
            want[1] = int(sent[1])  # type: ignore[call-overload]
        if sent[2] is not None:
            want[2] = Decimal(sent[2]).scaleb(-3)  # type: ignore[arg-type]
        if sent[3] is not None:
            want[3] = Decimal(sent[3]) * 10  # type: ignore[arg-type]
        assert got == tuple(want)
        previous = want


def test_mixed_layouts_and_strings() -> None:
    """Rows of several layouts (a visible-string column and a bit-string status, both
    outside the fast path) decode as the general path reads them."""
    captures = (CLOCK, Capture(1, Obis(0, 0, 96, 10, 2), 2), Capture(1, Obis(0, 0, 42, 0, 0), 2))
    data = (
        b"\x01\x02"
        + b"\x02\x03"
        + cell(date_time(2024, 1, 1, 0, 0))
        + bytes.fromhex("0410A001")
        + bytes.fromhex("0A03414243")
        + b"\x02\x03\x00\x00"
        + bytes.fromhex("0A024445")
    )
    table = parse_buffer(data, captures, capture_period=60)
    assert table[0][1:] == (0xA001, "ABC")
    assert table[1] == (dt.datetime(2024, 1, 1, 0, 1, tzinfo=CET), 0xA001, "DE")
    assert table.columns[1].kind is ColumnKind.STATUS


def test_profile_table_api() -> None:
    table = parse_buffer(item_bytes("XDLMS", 26), CAPTURES, capture_period=3600)
    assert isinstance(table, ProfileTable)
    assert table[1:3] == table.rows[1:3]
    assert table.column(1) == [6, 6, 6, 6]
    with pytest.raises(ValueError, match="column index"):
        table.column(4)
    named = table.to_dicts(key="name")[0]
    assert named["Active power+ (QI+QIV), time integral 1, total"] == 1517
    assert table.columns[3].key == "1.0.2.8.0.255/2" and table.columns[3].unit is None


# ---------------------------------------------------------------------------------------
# Compact data (class 62)
# ---------------------------------------------------------------------------------------


def test_compact_buffer_through_its_template() -> None:
    """A compact_buffer built from the Blue Book description of Compact data (class 62):
    the values without tags, typed by template_description (no public capture found)."""
    desc = axdr.TypeDescription.structure(
        axdr.TypeDescription.simple(axdr.DataType.OCTET_STRING),
        axdr.TypeDescription.simple(axdr.DataType.UNSIGNED),
        axdr.TypeDescription.simple(axdr.DataType.DOUBLE_LONG_UNSIGNED),
        axdr.TypeDescription.simple(axdr.DataType.DOUBLE_LONG_UNSIGNED),
    )
    value = axdr.Structure(
        (
            axdr.OctetString(date_time(2024, 6, 1, 12, 0, -120, 0x80)),
            axdr.Unsigned(3),
            axdr.DoubleLongUnsigned(123456),
            axdr.DoubleLongUnsigned(7),
        )
    )
    compact = axdr.encode_untagged(value, desc)
    assert compact[:2] == b"\x0c\x07"  # untagged octet-string: length, then the bytes
    table = parse_compact_buffer(compact, desc.encode(), CAPTURES, scaler_units=SCALERS)
    assert list(table) == [
        (dt.datetime(2024, 6, 1, 12, 0, tzinfo=CEST), 3, Decimal("123.456"), Decimal("70"))
    ]
    prefixed = parse_compact_buffer(b"\x05" + compact, desc, CAPTURES, template_id=5)
    assert prefixed[0][2] == 123456
    with pytest.raises(DecodeError, match="template 5, expected template 6"):
        parse_compact_buffer(b"\x05" + compact, desc, CAPTURES, template_id=6)
    with pytest.raises(DecodeError):
        parse_compact_buffer(compact[:-1], desc, CAPTURES)
    rows = axdr.TypeDescription.array(2, desc)
    two = axdr.encode_untagged(axdr.Array((value, value)), rows)
    assert len(parse_compact_buffer(two, rows, CAPTURES)) == 2


def test_compact_array_buffer() -> None:
    """A profile buffer sent as compact-array (tag 0x13, Green Book 9.5) decodes as the
    array it stands for."""
    desc = axdr.TypeDescription.structure(
        axdr.TypeDescription.simple(axdr.DataType.OCTET_STRING),
        axdr.TypeDescription.simple(axdr.DataType.UNSIGNED),
        axdr.TypeDescription.simple(axdr.DataType.DOUBLE_LONG_UNSIGNED),
        axdr.TypeDescription.simple(axdr.DataType.DOUBLE_LONG_UNSIGNED),
    )
    row = axdr.Structure(
        (
            axdr.OctetString(date_time(2024, 6, 1, 12, 0)),
            axdr.Unsigned(1),
            axdr.DoubleLongUnsigned(2),
            axdr.DoubleLongUnsigned(3),
        )
    )
    compact = axdr.encode(axdr.CompactArray(desc, [row, row]))
    assert compact[0] == 0x13
    table = parse_buffer(compact, CAPTURES)
    assert list(table) == [(dt.datetime(2024, 6, 1, 12, 0, tzinfo=CET), 1, 2, 3)] * 2
    assert parse_buffer(axdr.decode(compact), CAPTURES) == table  # type: ignore[arg-type]
