"""Tests of dlmskit.cosem_time: COSEM date, time and date-time (Blue Book 4.1.6.1).

Vectors come from /work/shared/vectors/vectors.json (see its README); each test that
uses one names the record id and the public source it was taken from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit.cosem_time import (
    ClockStatus,
    CosemDate,
    CosemDateTime,
    CosemTime,
    DayMarker,
    DeviationSign,
    MonthMarker,
)
from dlmskit.errors import DecodeError, EncodeError

VECTORS = Path(__file__).resolve().parent.parent.parent / "shared" / "vectors" / "vectors.json"
ALL_CLASSES = (CosemDateTime, CosemDate, CosemTime)


@cache
def _records() -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in json.loads(VECTORS.read_text(encoding="utf-8"))}


def _xdlms_date_time(n: int) -> bytes:
    """The date-time at the end of XDLMS item ``n`` (an A-XDR ``09 0C`` + 12 bytes)."""
    item = _records()["XDLMS"]["items"][n - 1]
    raw = bytes.fromhex(item["hex"])
    assert raw[-14:-12] == b"\x09\x0c", item["label"]
    return raw[-12:]


def _push_ids() -> list[str]:
    return sorted(k for k, r in _records().items() if k.startswith("PUSH") and r.get("date_time"))


def _utc(minutes: int) -> dt.timezone:
    return dt.timezone(dt.timedelta(minutes=minutes))


def _fields(value: Any) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


# ---------------------------------------------------------------------------------------
# Real and standard examples
# ---------------------------------------------------------------------------------------
def test_the_vector_file_has_the_date_times_these_tests_rely_on() -> None:
    # Guards the parametrized tests below against silently running on nothing.
    assert {"PUSH-01", "PUSH-05", "PUSH-15"} <= set(_push_ids())


@pytest.mark.parametrize("rid", _push_ids())
def test_push_date_times_round_trip_and_are_valid(rid: str) -> None:
    # PUSH-xx `date_time`: DataNotification date-times from meters in the field; sources
    # per record in vectors.json (fneur/smart-meter-tirol, esphome-libs/dlms_parser,
    # reitermarkus/dlms-cosem-rs, toreamun/amshan).
    raw = bytes.fromhex(_records()[rid]["date_time"])
    value = CosemDateTime.from_bytes(raw)
    assert value.to_bytes() == raw
    assert value.problems() == []  # includes: day of week matches the date
    assert value.to_datetime().isoweekday() == value.day_of_week


def test_push_01_kaifa_tinetz_cest() -> None:
    # PUSH-01, fneur/smart-meter-tirol doc/EXAMPLE.md: 07E5 07 13 01 0F 2E 23 00 FF88 80.
    # Deviation 0xFF88 = -120 (CEST, UTC+2) and status 0x80 (daylight saving active):
    # the standard sign convention gives Tyrol's real summer offset.
    value = CosemDateTime.from_bytes(bytes.fromhex(_records()["PUSH-01"]["date_time"]))
    assert (value.year, value.month, value.day, value.day_of_week) == (2021, 7, 19, 1)
    assert (value.hour, value.minute, value.second, value.hundredths) == (15, 46, 35, 0)
    assert value.deviation == -120
    assert value.clock_status == ClockStatus.DAYLIGHT_SAVING_ACTIVE
    got = value.to_datetime()
    assert got == dt.datetime(2021, 7, 19, 15, 46, 35, tzinfo=_utc(120))
    assert got.astimezone(dt.UTC) == dt.datetime(2021, 7, 19, 13, 46, 35, tzinfo=dt.UTC)
    assert str(value) == "2021-07-19 15:46:35.00 (Mon) dev=-120 status=0x80"


def test_push_15_salzburg_cet() -> None:
    # PUSH-15, esphome-libs/dlms_parser tests/expected/raw_salzburg_netz.h:
    # deviation FFC4 = -60 in November (CET, UTC+1), status 0x00.
    value = CosemDateTime.from_bytes(bytes.fromhex("07E60B0C0610360000FFC400"))
    assert _records()["PUSH-15"]["date_time"] == "07E60B0C0610360000FFC400"
    assert value.deviation == -60
    assert value.clock_status == ClockStatus(0)
    assert value.to_datetime() == dt.datetime(2022, 11, 12, 16, 54, 0, tzinfo=_utc(60))
    assert str(value) == "2022-11-12 16:54:00.00 (Sat) dev=-60 status=0x00"


def test_push_05_landis_gyr_unspecified_hundredths_and_deviation() -> None:
    # PUSH-05, esphome-libs/dlms_parser tests/expected/hdlc_landis_gyr_e450.h: hundredths
    # FF and deviation 8000 (not specified) -> a naive datetime; the source expects the
    # string '2022-02-21 17:37:30' for this date-time.
    record = _records()["PUSH-05"]
    value = CosemDateTime.from_bytes(bytes.fromhex(record["date_time"]))
    assert value.hundredths is None
    assert value.deviation is None
    got = value.to_datetime()
    assert got.tzinfo is None
    assert str(got) == record["expected_from_source"]["strings"]["0.0.0.0.0.0"]
    assert str(value) == "2022-02-21 17:37:30 (Mon) dev=* status=0x00"


def test_xdlms_09_get_response_date_time() -> None:
    # XDLMS-09, u9n/dlms-cosem tests/test_xdlms/test_get.py:392 (GET-response-with-list).
    raw = _xdlms_date_time(9)
    assert raw.hex().upper() == "07E50603040E091700FFC400"
    value = CosemDateTime.from_bytes(raw)
    assert value.to_datetime() == dt.datetime(2021, 6, 3, 14, 9, 23, tzinfo=_utc(60))
    assert value.day_of_week == 4  # 2021-06-03 was a Thursday
    assert value.to_bytes() == raw


def test_xdlms_11_set_clock_weekday_not_specified() -> None:
    # XDLMS-11, u9n/dlms-cosem tests/test_xdlms/test_set.py:9 (SET clock attr 2):
    # day of week FF, hundredths 0x50 = 80.
    raw = _xdlms_date_time(11)
    assert raw.hex().upper() == "07E50118FF0E303950FFC400"
    value = CosemDateTime.from_bytes(raw)
    assert value.day_of_week is None
    assert value.hundredths == 80
    assert value.to_datetime() == dt.datetime(2021, 1, 24, 14, 48, 57, 800_000, tzinfo=_utc(60))
    # The same bytes read with the inverted convention (India, Saudi Arabia, Italy).
    inverted = value.to_datetime(deviation_sign=DeviationSign.INVERTED)
    assert inverted.utcoffset() == dt.timedelta(minutes=-60)
    assert str(value) == "2021-01-24 14:48:57.80 dev=-60 status=0x00"
    # ...and built back from Python, without the weekday, gives the same bytes.
    again = CosemDateTime.from_datetime(value.to_datetime(), clock_status=0, include_weekday=False)
    assert again.to_bytes() == raw


def test_xdlms_32_opendlms_simulator_positive_deviation() -> None:
    # XDLMS-32, TCP-wrapper trace of the arabine/opendlms meter simulator @ 8cf92553a68a
    # (its clock constant is in meterkit/cosemlib lib/database/db_cosem_clock.c):
    # 2002-12-04 (Wed) 10:06:11, hundredths FF, deviation +120, status 0.
    raw = _xdlms_date_time(32)
    assert raw.hex().upper() == "07D20C04030A060BFF007800"
    value = CosemDateTime.from_bytes(raw)
    assert value.deviation == 120
    assert value.hundredths is None
    assert value.is_valid()
    # UTC = local + deviation: 10:06:11 + 2 h = 12:06:11 UTC.
    assert value.to_datetime().astimezone(dt.UTC) == dt.datetime(
        2002, 12, 4, 12, 6, 11, tzinfo=dt.UTC
    )
    assert str(value) == "2002-12-04 10:06:11 (Wed) dev=+120 status=0x00"


def test_dst_schedule_with_markers() -> None:
    # Constructed example (not from a source): a daylight_savings_begin style value with
    # the Blue Book 4.1.6.1 wildcards: year FFFF, month FE (DST begin), day FE (last day),
    # day of week 7, 02:00:00.00, deviation 8000, status FF.
    raw = bytes.fromhex("FFFFFEFE0702000000" + "8000" + "FF")
    value = CosemDateTime.from_bytes(raw)
    assert value.year is None
    assert value.month is MonthMarker.DST_BEGIN
    assert value.day is DayMarker.LAST
    assert value.deviation is None
    assert value.clock_status is None
    assert value.is_valid()
    assert value.to_bytes() == raw
    assert str(value) == "*-dst_begin-last 02:00:00.00 (Sun) dev=* status=*"
    assert value == CosemDateTime(
        month=MonthMarker.DST_BEGIN, day=DayMarker.LAST, day_of_week=7, hour=2, minute=0,
        second=0, hundredths=0,
    )  # fmt: skip
    with pytest.raises(ValueError, match="year is not specified"):
        value.to_datetime()
    with pytest.raises(ValueError, match="month is the wildcard dst_begin"):
        dataclasses.replace(value, year=2024).to_datetime()
    end = CosemDateTime.from_bytes(bytes.fromhex("07E8FDFD07030000FF8000FF"))
    assert end.month is MonthMarker.DST_END
    assert end.day is DayMarker.SECOND_LAST
    assert str(end) == "2024-dst_end-2nd_last 03:00:00 (Sun) dev=* status=*"


# ---------------------------------------------------------------------------------------
# Lossless decoding: every byte pattern
# ---------------------------------------------------------------------------------------
@given(st.binary(min_size=12, max_size=12))
def test_every_date_time_pattern_round_trips(raw: bytes) -> None:
    value = CosemDateTime.from_bytes(raw)
    assert value.to_bytes() == raw
    assert CosemDateTime.from_bytes(memoryview(raw)) == value
    assert CosemDateTime.from_bytes(bytearray(raw)) == value
    assert hash(CosemDateTime.from_bytes(bytes(raw))) == hash(value)
    assert value.date_part().to_bytes() == raw[:5]
    assert value.time_part().to_bytes() == raw[5:9]


@given(st.binary(min_size=5, max_size=5))
def test_every_date_pattern_round_trips(raw: bytes) -> None:
    value = CosemDate.from_bytes(raw)
    assert value.to_bytes() == raw
    assert CosemDate.from_bytes(memoryview(raw)) == value


@given(st.binary(min_size=4, max_size=4))
def test_every_time_pattern_round_trips(raw: bytes) -> None:
    value = CosemTime.from_bytes(raw)
    assert value.to_bytes() == raw
    assert CosemTime.from_bytes(memoryview(raw)) == value


@pytest.mark.parametrize("cls", ALL_CLASSES)
@given(data=st.data())
def test_repr_evaluates_back_to_an_equal_value(cls: Any, data: st.DataObject) -> None:
    raw = data.draw(st.binary(min_size=cls.SIZE, max_size=cls.SIZE))
    value = cls.from_bytes(raw)
    names = {c.__name__: c for c in (cls, ClockStatus, MonthMarker, DayMarker)}
    again = eval(repr(value), names)
    assert again == value
    assert again.to_bytes() == raw


@pytest.mark.parametrize("cls", ALL_CLASSES)
@given(data=st.data())
def test_strict_constructor_accepts_exactly_the_valid_values(cls: Any, data: st.DataObject) -> None:
    raw = data.draw(st.binary(min_size=cls.SIZE, max_size=cls.SIZE))
    value = cls.from_bytes(raw)
    fields = _fields(value)
    assert cls(**fields, strict=False) == value
    if value.is_valid():
        assert value.problems() == []
        assert cls(**fields) == value
    else:
        with pytest.raises(EncodeError, match="invalid COSEM"):
            cls(**fields)


@pytest.mark.parametrize("cls", ALL_CLASSES)
@given(data=st.data())
def test_str_is_readable_for_any_bytes(cls: Any, data: st.DataObject) -> None:
    value = cls.from_bytes(data.draw(st.binary(min_size=cls.SIZE, max_size=cls.SIZE)))
    text = str(value)
    assert text
    assert "None" not in text
    assert "\n" not in text


@pytest.mark.parametrize("cls", ALL_CLASSES)
@given(data=st.binary(max_size=40), offset=st.integers(0, 10_000))
def test_fuzz_any_input_gives_a_value_or_a_decode_error(cls: Any, data: bytes, offset: int) -> None:
    try:
        value = cls.from_bytes(data, offset)
    except DecodeError as exc:
        assert len(data) != cls.SIZE
        assert f"exactly {cls.SIZE} bytes" in str(exc)
        assert exc.offset == offset + min(len(data), cls.SIZE)
    else:
        assert len(data) == cls.SIZE
        assert value.to_bytes() == data


def test_wrong_length_error_names_the_size_and_position() -> None:
    with pytest.raises(DecodeError) as info:
        CosemDateTime.from_bytes(b"\x07\xe5\x01", 100)
    assert info.value.offset == 103
    assert "12 bytes" in str(info.value)
    with pytest.raises(DecodeError) as info:
        CosemTime.from_bytes(bytes(6), 7)
    assert info.value.offset == 11  # where the unexpected bytes start
    with pytest.raises(ValueError, match="5 bytes"):  # a DecodeError is a ValueError
        CosemDate.from_bytes(b"")


def test_meter_quirks_are_kept_and_reported() -> None:
    # Constructed: month 0, day 0, day of week 0, hour 24, hundredths FE, deviation +900,
    # reserved status bit 4 (0x90) -- all decode, all round trip, all are reported.
    raw = bytes.fromhex("07E5" + "00" + "00" + "00" + "18" + "00" + "00" + "FE" + "0384" + "90")
    value = CosemDateTime.from_bytes(raw)
    assert value.to_bytes() == raw
    assert (value.month, value.day, value.day_of_week, value.hour) == (0, 0, 0, 24)
    assert value.deviation == 900
    assert value.clock_status is not None
    assert value.clock_status & ClockStatus.DAYLIGHT_SAVING_ACTIVE
    assert int(value.clock_status) == 0x90
    problems = " | ".join(value.problems())
    for word in ("month 0", "day 0", "day of week 0", "hour 24", "hundredths 254"):
        assert word in problems
    assert "deviation 900" in problems
    assert "reserved bits" in problems
    assert not value.is_valid()
    assert "strict=False" in repr(value)
    assert str(value) == "2021-00-00 24:00:00.0xFE (dow=0) dev=+900 status=0x90"
    reserved_day = CosemDate.from_bytes(bytes.fromhex("07E501E501"))
    assert reserved_day.day == 0xE5
    assert "reserved" in reserved_day.problems()[0]
    assert str(reserved_day) == "2021-01-0xE5 (Mon)"


def test_not_specified_is_none_and_deviation_ffff_is_minus_one() -> None:
    value = CosemDateTime.from_bytes(b"\xff" * 12)
    # Only 0x8000 means "deviation not specified"; FFFF is -1 minute.
    assert value.deviation == -1
    assert _fields(value) | {"deviation": None} == _fields(CosemDateTime())
    assert CosemDateTime().to_bytes() == bytes.fromhex("FFFFFFFFFFFFFFFFFF8000FF")
    assert CosemDate().to_bytes() == b"\xff" * 5
    assert CosemTime().to_bytes() == b"\xff" * 4
    assert str(CosemDateTime()) == "*-*-* *:*:* dev=* status=*"


# ---------------------------------------------------------------------------------------
# Strict construction
# ---------------------------------------------------------------------------------------
BASE = {"year": 2021, "month": 1, "day": 24, "day_of_week": 7, "hour": 14, "minute": 48}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"month": 0}, "month 0"),
        ({"month": 13}, "month 13"),
        ({"month": 0xFC}, "month 252"),
        ({"day": 0}, "day 0"),
        ({"day": 32}, "day 32"),
        ({"day": 0xE0}, "reserved"),
        ({"day": 0xFC}, "reserved"),
        ({"day_of_week": 0}, "day of week 0"),
        ({"day_of_week": 8}, "day of week 8"),
        ({"day_of_week": 1}, "does not match 2021-01-24"),
        ({"hour": 24}, "hour 24"),
        ({"minute": 60}, "minute 60"),
        ({"second": 60}, "second 60"),
        ({"hundredths": 100}, "hundredths 100"),
        ({"deviation": 721}, "deviation 721"),
        ({"deviation": -721}, "deviation -721"),
        ({"clock_status": ClockStatus(0x10)}, "reserved bits"),
        ({"month": 2, "day": 29, "day_of_week": None}, "day 29 does not exist in 2021-02"),
        ({"month": 4, "day": 31, "day_of_week": None}, "day 31 does not exist"),
        ({"year": None, "month": 2, "day": 30, "day_of_week": None}, "month 2"),
    ],
)
def test_constructor_rejects_out_of_range(change: dict[str, Any], message: str) -> None:
    fields = BASE | change
    with pytest.raises(EncodeError, match=message):
        CosemDateTime(**fields)
    # strict=False keeps the value, and it still encodes and round trips.
    value = CosemDateTime(**fields, strict=False)
    assert not value.is_valid()
    assert CosemDateTime.from_bytes(value.to_bytes()) == value


@pytest.mark.parametrize(
    "change",
    [
        {"month": MonthMarker.DST_BEGIN, "day_of_week": None},
        {"month": 0xFD, "day_of_week": None},
        {"day": DayMarker.LAST, "day_of_week": 7},
        {"day": 0xFD},
        {"month": 2, "day": 29, "year": 2024, "day_of_week": 4},
        {"month": 2, "day": 29, "year": None, "day_of_week": None},
        {"month": 2, "day": 29, "year": 2000, "day_of_week": None},
        {"year": 0, "month": 2, "day": 29, "day_of_week": 3},  # year 0: leap, weekday unchecked
        {"deviation": 720, "clock_status": ClockStatus.DAYLIGHT_SAVING_ACTIVE},
        {"deviation": -720, "clock_status": 0x8F},
        {"year": None, "month": None, "day": None, "day_of_week": 3},
    ],
)
def test_constructor_accepts_valid_and_wildcard_values(change: dict[str, Any]) -> None:
    value = CosemDateTime(**(BASE | change))
    assert value.is_valid()
    assert CosemDateTime.from_bytes(value.to_bytes()) == value


def test_markers_and_status_are_normalised() -> None:
    value = CosemDateTime(month=0xFE, day=0xFD, clock_status=0x81)  # type: ignore[arg-type]
    assert value.month is MonthMarker.DST_BEGIN
    assert value.day is DayMarker.SECOND_LAST
    assert isinstance(value.clock_status, ClockStatus)
    assert value.clock_status == ClockStatus.DAYLIGHT_SAVING_ACTIVE | ClockStatus.INVALID_VALUE
    assert value == CosemDateTime(
        month=MonthMarker.DST_BEGIN,
        day=DayMarker.SECOND_LAST,
        clock_status=ClockStatus.DAYLIGHT_SAVING_ACTIVE | ClockStatus.INVALID_VALUE,
    )


@pytest.mark.parametrize(
    ("field", "bad", "error", "message"),
    [
        ("month", 0xFF, EncodeError, "pass None"),
        ("hundredths", 0xFF, EncodeError, "pass None"),
        ("clock_status", 0xFF, EncodeError, "pass None"),
        ("year", 0xFFFF, EncodeError, "pass None"),
        ("deviation", -0x8000, EncodeError, "pass None"),
        ("hour", 256, EncodeError, "one byte"),
        ("hour", -1, EncodeError, "one byte"),
        ("year", 0x10000, EncodeError, "two bytes"),
        ("deviation", 0x8000, EncodeError, "16-bit"),
        ("hour", True, TypeError, "bool"),
        ("minute", "5", TypeError, "str"),
        ("year", 2021.0, TypeError, "float"),
    ],
)
def test_constructor_rejects_what_cannot_be_encoded_even_when_lenient(
    field: str, bad: object, error: type[Exception], message: str
) -> None:
    for strict in (True, False):
        with pytest.raises(error, match=message):
            CosemDateTime(**{field: bad}, strict=strict)  # type: ignore[arg-type]


def test_date_and_time_constructors_validate() -> None:
    with pytest.raises(EncodeError, match="month 13"):
        CosemDate(year=2021, month=13)
    with pytest.raises(EncodeError, match="hour 24"):
        CosemTime(hour=24)
    assert CosemTime(hour=24, strict=False).to_bytes() == b"\x18\xff\xff\xff"
    assert CosemDate(day=DayMarker.LAST).to_bytes() == b"\xff\xff\xff\xfe\xff"


def test_values_are_frozen_hashable_and_keyword_only() -> None:
    a = CosemDateTime.from_bytes(bytes.fromhex("07E50118FF0E303950FFC400"))
    b = CosemDateTime(
        year=2021, month=1, day=24, hour=14, minute=48, second=57, hundredths=80,
        deviation=-60, clock_status=ClockStatus(0),
    )  # fmt: skip
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b, CosemDateTime()}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.hour = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        CosemDateTime(2021)  # type: ignore[call-arg]
    assert not hasattr(a, "__dict__")
    assert dataclasses.replace(a, hour=15).hour == 15
    other: object = a.date_part()
    assert a != other


# ---------------------------------------------------------------------------------------
# Python conversions
# ---------------------------------------------------------------------------------------
def _hundredths(value: dt.datetime) -> dt.datetime:
    return value.replace(microsecond=value.microsecond // 10_000 * 10_000)


OFFSETS = st.integers(-720, 720).map(_utc)
NAIVE = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59))
AWARE = st.datetimes(
    min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31), timezones=OFFSETS
)


@given(NAIVE)
def test_naive_datetime_round_trip(value: dt.datetime) -> None:
    cosem = CosemDateTime.from_datetime(value)
    assert cosem.deviation is None
    assert cosem.clock_status is None
    assert cosem.day_of_week == value.isoweekday()
    assert cosem.is_valid()
    back = CosemDateTime.from_bytes(cosem.to_bytes()).to_datetime()
    assert back.tzinfo is None
    assert back == _hundredths(value)


@pytest.mark.parametrize("sign", list(DeviationSign))
@given(value=AWARE)
def test_aware_datetime_round_trip(sign: DeviationSign, value: dt.datetime) -> None:
    offset = value.utcoffset()
    assert offset is not None
    minutes = offset // dt.timedelta(minutes=1)
    cosem = CosemDateTime.from_datetime(value, deviation_sign=sign, clock_status=0)
    assert cosem.deviation == (-minutes if sign is DeviationSign.STANDARD else minutes)
    back = CosemDateTime.from_bytes(cosem.to_bytes()).to_datetime(deviation_sign=sign)
    assert back.utcoffset() == offset
    assert back.replace(tzinfo=None) == _hundredths(value).replace(tzinfo=None)
    # Read with the other convention, the offset flips.
    other = DeviationSign.INVERTED if sign is DeviationSign.STANDARD else DeviationSign.STANDARD
    assert cosem.to_datetime(deviation_sign=other).utcoffset() == -offset


def test_deviation_sign_conventions_for_paris() -> None:
    # Gurux's Clock documentation (gurux.fi, Blue Book 4.1.6.1): Paris in winter is
    # -60 for DLMS/IDIS and +60 for the India / Saudi Arabia / Italy companion specs.
    winter = dt.datetime(2024, 1, 15, 12, 0, tzinfo=_utc(60))
    assert CosemDateTime.from_datetime(winter).deviation == -60
    inverted = CosemDateTime.from_datetime(winter, deviation_sign=DeviationSign.INVERTED)
    assert inverted.deviation == 60
    assert inverted.to_bytes()[9:11] == b"\x00\x3c"
    assert CosemDateTime.from_datetime(winter).to_bytes()[9:11] == b"\xff\xc4"


@given(st.dates())
def test_date_round_trip(value: dt.date) -> None:
    cosem = CosemDate.from_date(value)
    assert cosem.day_of_week == value.isoweekday()
    assert CosemDate.from_bytes(cosem.to_bytes()).to_date() == value
    assert CosemDate.from_date(value, include_weekday=False).day_of_week is None


@given(st.times())
def test_time_round_trip(value: dt.time) -> None:
    cosem = CosemTime.from_time(value)
    back = CosemTime.from_bytes(cosem.to_bytes()).to_time()
    assert back == value.replace(microsecond=value.microsecond // 10_000 * 10_000, tzinfo=None)


def test_microseconds_are_truncated_to_hundredths() -> None:
    value = dt.datetime(2024, 12, 31, 23, 59, 59, 999_999)
    assert CosemDateTime.from_datetime(value).hundredths == 99
    assert CosemTime.from_time(dt.time(0, 0, 0, 9_999)).hundredths == 0
    assert CosemTime.from_time(dt.time(0, 0, 0, 10_000)).hundredths == 1


def test_from_datetime_options() -> None:
    value = dt.datetime(2021, 7, 19, 15, 46, 35, tzinfo=_utc(120))
    cosem = CosemDateTime.from_datetime(
        value, clock_status=ClockStatus.DAYLIGHT_SAVING_ACTIVE, include_weekday=True
    )
    # PUSH-01 (fneur/smart-meter-tirol doc/EXAMPLE.md) is exactly this moment.
    assert cosem.to_bytes() == bytes.fromhex(_records()["PUSH-01"]["date_time"])
    no_weekday = CosemDateTime.from_datetime(value, include_weekday=False, clock_status=0x80)
    assert no_weekday.day_of_week is None
    assert no_weekday.clock_status is ClockStatus.DAYLIGHT_SAVING_ACTIVE


class _NoOffset(dt.tzinfo):
    """A tzinfo that does not know its offset: the datetime counts as naive."""

    def utcoffset(self, _: dt.datetime | None) -> None:
        return None

    def dst(self, _: dt.datetime | None) -> None:
        return None

    def tzname(self, _: dt.datetime | None) -> str:
        return "unknown"


@pytest.mark.parametrize(
    ("tz", "message"),
    [
        (dt.timezone(dt.timedelta(minutes=60, seconds=30)), "whole number of minutes"),
        (_utc(14 * 60), "deviation -840"),  # Kiribati, UTC+14: beyond the standard's ±720
        (_utc(-721), "deviation 721"),
    ],
)
def test_from_datetime_rejects_offsets_that_cannot_be_sent(tz: dt.tzinfo, message: str) -> None:
    with pytest.raises(EncodeError, match=message):
        CosemDateTime.from_datetime(dt.datetime(2024, 1, 1, tzinfo=tz))


def test_from_datetime_tzinfo_without_offset_is_naive() -> None:
    cosem = CosemDateTime.from_datetime(dt.datetime(2024, 1, 1, tzinfo=_NoOffset()))
    assert cosem.deviation is None


@pytest.mark.parametrize(
    "field", ["year", "month", "day", "hour", "minute", "second"]
)  # fmt: skip
def test_to_datetime_names_the_missing_field(field: str) -> None:
    full = CosemDateTime.from_datetime(dt.datetime(2021, 1, 24, 14, 48, 57))
    with pytest.raises(ValueError, match=f"{field} is not specified"):
        missing: dict[str, Any] = {field: None}
        dataclasses.replace(full, **missing).to_datetime()
    # hundredths, day of week, deviation and status are optional
    partial = dataclasses.replace(full, hundredths=None, day_of_week=None, clock_status=None)
    assert partial.to_datetime() == dt.datetime(2021, 1, 24, 14, 48, 57)


@given(st.binary(min_size=12, max_size=12))
def test_to_datetime_gives_a_datetime_or_a_value_error(raw: bytes) -> None:
    value = CosemDateTime.from_bytes(raw)
    try:
        got = value.to_datetime()
    except ValueError as exc:
        assert "cannot convert the COSEM date-time" in str(exc)
    else:
        assert (got.year, got.month, got.day) == (value.year, value.month, value.day)
        assert got.microsecond == (value.hundredths or 0) * 10_000
        if value.deviation is None:
            assert got.tzinfo is None
        else:
            assert got.utcoffset() == dt.timedelta(minutes=-value.deviation)


def test_to_datetime_rejects_invalid_fields_clearly() -> None:
    raw = bytearray.fromhex("07E50118FF0E303950FFC400")
    for position, byte, message in (
        (8, 0xFE, "hundredths 254"),
        (5, 24, "hour must be in"),  # hour 24: the message of datetime itself
        (2, 0xFE, "month is the wildcard dst_begin"),
        (3, 0xFE, "day is the wildcard last"),
        (3, 30, "day is out of range"),  # 2021-01-30 exists; make February 30
    ):
        patched = bytearray(raw)
        patched[position] = byte
        if position == 3 and byte == 30:
            patched[2] = 2
        with pytest.raises(ValueError, match=message):
            CosemDateTime.from_bytes(bytes(patched)).to_datetime()
    far = CosemDateTime.from_bytes(bytes.fromhex("07E50118FF0E30395005A000"))  # dev +1440
    with pytest.raises(ValueError, match="less than 24 hours"):
        far.to_datetime()
    year_zero = CosemDateTime.from_bytes(bytes.fromhex("00000118FF0E303950FFC400"))
    with pytest.raises(ValueError, match="year 0 is out of range"):
        year_zero.to_datetime()


def test_date_and_time_conversions_need_their_fields() -> None:
    with pytest.raises(ValueError, match="day is the wildcard 2nd_last"):
        CosemDate(year=2024, month=3, day=DayMarker.SECOND_LAST).to_date()
    with pytest.raises(ValueError, match="year is not specified"):
        CosemDate(month=3, day=1).to_date()
    with pytest.raises(ValueError, match="second is not specified"):
        CosemTime(hour=2, minute=0).to_time()
    assert CosemTime(hour=2, minute=0, second=0).to_time() == dt.time(2, 0)
    assert CosemDate(year=2024, month=3, day=31).to_date() == dt.date(2024, 3, 31)


def test_parts_and_combine() -> None:
    raw = bytes.fromhex("07E50713010F2E2300FF8880")  # PUSH-01, fneur/smart-meter-tirol
    value = CosemDateTime.from_bytes(raw)
    date, time = value.date_part(), value.time_part()
    assert date == CosemDate(year=2021, month=7, day=19, day_of_week=1)
    assert time == CosemTime(hour=15, minute=46, second=35, hundredths=0)
    assert str(date) == "2021-07-19 (Mon)"
    assert str(time) == "15:46:35.00"
    both = CosemDateTime.combine(date, time, deviation=-120, clock_status=0x80)
    assert both == value
    assert both.to_bytes() == raw
    assert str(CosemTime(hour=2, minute=0)) == "02:00:*"


def test_repr_is_explicit() -> None:
    value = CosemDateTime.from_bytes(bytes.fromhex("FFFFFEFE0702000000" + "8000" + "80"))
    assert repr(value) == (
        "CosemDateTime(year=None, month=MonthMarker.DST_BEGIN, day=DayMarker.LAST, "
        "day_of_week=7, hour=2, minute=0, second=0, hundredths=0, deviation=None, "
        "clock_status=0x80)"
    )
    assert repr(CosemTime(hour=24, strict=False)) == (
        "CosemTime(hour=24, minute=None, second=None, hundredths=None, strict=False)"
    )
