"""COSEM date, time and date-time values (Blue Book, IEC 62056-6-2 clause 4.1.6.1).

These are the fixed-size octet strings that A-XDR carries as ``date-time`` (tag 25,
12 bytes), ``date`` (tag 26, 5 bytes) and ``time`` (tag 27, 4 bytes), and that the Clock
interface class (class id 8) and the push / profile objects use everywhere::

    date-time, 12 bytes
    ┌──────┬──────┬─────┬─────┬──────┬────────┬────────┬──────────┬───────────┬────────┐
    │ year │month │ day │ dow │ hour │ minute │ second │hundredths│ deviation │ status │
    │ u16  │  u8  │ u8  │ u8  │  u8  │   u8   │   u8   │    u8    │    i16    │   u8   │
    └──────┴──────┴─────┴─────┴──────┴────────┴────────┴──────────┴───────────┴────────┘
     0   1    2      3     4     5       6        7         8         9    10      11
    ╰─────────── date (5 bytes) ─────╯╰──────── time (4 bytes) ───────────╯

    year        0..0xFFFE              0xFFFF = not specified
    month       1..12                  0xFD = daylight_savings_end, 0xFE = daylight_savings_begin,
                                       0xFF = not specified
    day         1..31                  0xFD = 2nd last day of month, 0xFE = last day of month,
                                       0xE0..0xFC reserved, 0xFF = not specified
    dow         1..7 (Monday = 1)      0xFF = not specified
    hour        0..23                  0xFF = not specified
    minute      0..59                  0xFF = not specified
    second      0..59                  0xFF = not specified
    hundredths  0..99                  0xFF = not specified
    deviation   -720..720 minutes      0x8000 = not specified (big-endian two's complement)
    status      clock status bits      0xFF = not specified (see :class:`ClockStatus`)

Two rules shape this module:

* **Decoding is lossless and lenient.** Real meters send month 0, hour 24, day of week 0,
  deviations beyond ±720 and reserved status bits. :meth:`CosemDateTime.from_bytes` keeps
  every byte as it came, so ``from_bytes(b).to_bytes() == b`` for *every* byte pattern of
  the right length; :meth:`~CosemDateTime.problems` / :meth:`~CosemDateTime.is_valid` say
  what is out of range. The only decode error is a wrong length.
* **Construction by users is strict.** The keyword constructor rejects out-of-range
  fields with :class:`~dlmskit.errors.EncodeError` (a ``ValueError``), so an invalid value
  is not created by accident; ``strict=False`` keeps semantically invalid (but encodable)
  fields, e.g. to reproduce a meter's quirk in a simulator.

"Not specified" fields (the ``0xFF`` / ``0xFFFF`` / ``0x8000`` wildcards) are ``None`` in
the attributes. The special month and day values are :class:`MonthMarker` and
:class:`DayMarker` members (``IntEnum``s, so they compare equal to their raw byte).

The deviation (Blue Book 4.1.6.1) is "the deviation of local time to UTC in minutes":
``UTC = local time + deviation``, so CET is ``-60`` and CEST ``-120``; the matching
``datetime`` offset is ``-deviation`` minutes. Some companion specifications (India,
Saudi Arabia, Italy) use the opposite sign; :class:`DeviationSign` selects the convention
in the conversions to and from :mod:`datetime`.
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import struct
from dataclasses import InitVar, dataclass
from typing import Any, ClassVar, Final, Self

from dlmskit.errors import DecodeError, EncodeError

__all__ = [
    "ClockStatus",
    "CosemDate",
    "CosemDateTime",
    "CosemTime",
    "DayMarker",
    "DeviationSign",
    "MonthMarker",
]


# ---------------------------------------------------------------------------------------
# Markers, flags and conventions (Blue Book 4.1.6.1)
# ---------------------------------------------------------------------------------------
class MonthMarker(enum.IntEnum):
    """Special values of the month byte (Blue Book 4.1.6.1)."""

    DST_END = 0xFD
    """``daylight_savings_end``: the month in which daylight saving time ends."""
    DST_BEGIN = 0xFE
    """``daylight_savings_begin``: the month in which daylight saving time begins."""


class DayMarker(enum.IntEnum):
    """Special values of the day-of-month byte (Blue Book 4.1.6.1)."""

    SECOND_LAST = 0xFD
    """The second last day of the month."""
    LAST = 0xFE
    """The last day of the month."""


class ClockStatus(enum.IntFlag):
    """The clock status byte of a date-time (Blue Book 4.1.6.1).

    Bits 4..6 are reserved; a raw status with reserved bits set still round-trips (the
    flag keeps unknown bits), but :meth:`CosemDateTime.problems` reports them. The raw
    value ``0xFF`` means "not specified" and is represented as ``None``, never as a
    ``ClockStatus``.
    """

    INVALID_VALUE = 0x01
    """Bit 0: the time could not be recovered after an incident."""
    DOUBTFUL_VALUE = 0x02
    """Bit 1: the time could be recovered, but its value is not guaranteed."""
    DIFFERENT_CLOCK_BASE = 0x04
    """Bit 2: the clock base differs from the one specified in the Clock object."""
    INVALID_CLOCK_STATUS = 0x08
    """Bit 3: the other status bits are not valid."""
    DAYLIGHT_SAVING_ACTIVE = 0x80
    """Bit 7: daylight saving time is in effect."""


class DeviationSign(enum.Enum):
    """Which way the deviation field counts.

    ``STANDARD`` is Blue Book 4.1.6.1 (and IDIS): the deviation is the number of minutes
    to *add to local time to get UTC*, so Paris in winter (UTC+01:00) sends ``-60``.
    ``INVERTED`` is the convention of some national companion specifications (India,
    Saudi Arabia, Italy) where the deviation is the offset *from UTC to local time*, so
    the same clock sends ``+60``. The wire bytes are the same; only the meaning differs.
    """

    STANDARD = "standard"
    INVERTED = "inverted"


# ---------------------------------------------------------------------------------------
# Raw byte <-> attribute tables
# ---------------------------------------------------------------------------------------
_NOT_SPECIFIED: Final = 0xFF
_YEAR_NOT_SPECIFIED: Final = 0xFFFF
_DEVIATION_NOT_SPECIFIED: Final = -0x8000  # 0x8000 as a big-endian i16
_DEVIATION_LIMIT: Final = 720  # Blue Book 4.1.6.1: -720..720 minutes
_STATUS_RESERVED: Final = 0x70  # bits 4..6

_DT: Final = struct.Struct(">HBBBBBBBhB")
_DATE: Final = struct.Struct(">HBBB")
_TIME: Final = struct.Struct(">BBBB")

# One lookup per byte on the decode path instead of comparisons: 0xFF -> None, the
# marker bytes -> their IntEnum member, everything else -> the int itself.
_U8: Final[tuple[int | None, ...]] = (*range(0xFF), None)
_MONTHS: Final[tuple[int | None, ...]] = (*range(0xFD), *MonthMarker, None)
_DAYS: Final[tuple[int | None, ...]] = (*range(0xFD), *DayMarker, None)
_STATUSES: Final[tuple[ClockStatus | None, ...]] = (*(ClockStatus(i) for i in range(0xFF)), None)

_WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MAX_DAYS: Final = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MONTH_TEXT: Final[dict[int, str]] = {
    MonthMarker.DST_END: "dst_end",
    MonthMarker.DST_BEGIN: "dst_begin",
}
_DAY_TEXT: Final[dict[int, str]] = {DayMarker.SECOND_LAST: "2nd_last", DayMarker.LAST: "last"}


def _size_error(what: str, size: int, got: int, offset: int) -> DecodeError:
    # Short input: the problem is where the bytes ran out; long input: where the
    # unexpected bytes start.
    return DecodeError(
        f"expected exactly {size} bytes for a {what}, got {got}", offset + min(got, size)
    )


def _nbytes(data: bytes | bytearray | memoryview) -> int:
    return data.nbytes if isinstance(data, memoryview) else len(data)


# ---------------------------------------------------------------------------------------
# Checks shared by the three classes
# ---------------------------------------------------------------------------------------
def _as_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int or None, not {type(value).__name__}")
    return value


def _check_u8(name: str, value: object, table: tuple[Any, ...]) -> Any:
    """Normalise a byte field given by a user: ``None`` or 0..0xFE (0xFF is ``None``)."""
    if value is None:
        return None
    v = _as_int(name, value)
    if v == _NOT_SPECIFIED:
        raise EncodeError(f"{name} 0xFF means 'not specified': pass None instead")
    if not 0 <= v < _NOT_SPECIFIED:
        raise EncodeError(f"{name} {v} does not fit in one byte (0..254, or None)")
    return table[v]


def _check_year(value: object) -> int | None:
    if value is None:
        return None
    v = _as_int("year", value)
    if v == _YEAR_NOT_SPECIFIED:
        raise EncodeError("year 0xFFFF means 'not specified': pass None instead")
    if not 0 <= v < _YEAR_NOT_SPECIFIED:
        raise EncodeError(f"year {v} does not fit in two bytes (0..65534, or None)")
    return v


def _check_deviation(value: object) -> int | None:
    if value is None:
        return None
    v = _as_int("deviation", value)
    if v == _DEVIATION_NOT_SPECIFIED:
        raise EncodeError("deviation -32768 (0x8000) means 'not specified': pass None instead")
    if not -0x8000 < v <= 0x7FFF:
        raise EncodeError(f"deviation {v} does not fit in a signed 16-bit field")
    return v


def _is_leap(year: int) -> bool:
    # Proleptic Gregorian calendar, for any year the field can hold (also 0 and > 9999).
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in_month(year: int | None, month: int) -> int:
    if month == 2 and year is not None and not _is_leap(year):
        return 28
    return _MAX_DAYS[month - 1]


def _date_problems(
    year: int | None, month: int | None, day: int | None, dow: int | None
) -> list[str]:
    out: list[str] = []
    if month is not None and not (1 <= month <= 12 or month in _MONTH_TEXT):
        out.append(f"month {month} is not 1..12, DST_END (0xFD) or DST_BEGIN (0xFE)")
    if day is not None:
        if 0xE0 <= day <= 0xFC:
            out.append(f"day 0x{day:02X} is reserved (0xE0..0xFC)")
        elif not (1 <= day <= 31 or day in _DAY_TEXT):
            out.append(f"day {day} is not 1..31, SECOND_LAST (0xFD) or LAST (0xFE)")
    if dow is not None and not 1 <= dow <= 7:
        out.append(f"day of week {dow} is not 1..7 (Monday = 1)")
    if out or month is None or day is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return out
    # A concrete calendar date: the day must exist, and a given weekday must match it.
    if day > _days_in_month(year, month):
        where = f"{year:04d}-{month:02d}" if year is not None else f"month {month}"
        out.append(f"day {day} does not exist in {where}")
    elif dow is not None and year is not None and 1 <= year <= 9999:
        actual = _dt.date(year, month, day).isoweekday()
        if actual != dow:
            out.append(
                f"day of week {dow} ({_WEEKDAYS[dow - 1]}) does not match "
                f"{year:04d}-{month:02d}-{day:02d}, a {_WEEKDAYS[actual - 1]} ({actual})"
            )
    return out


def _time_problems(
    hour: int | None, minute: int | None, second: int | None, hundredths: int | None
) -> list[str]:
    out: list[str] = []
    for name, value, top in (
        ("hour", hour, 23),
        ("minute", minute, 59),
        ("second", second, 59),
        ("hundredths", hundredths, 99),
    ):
        if value is not None and value > top:
            out.append(f"{name} {value} is not 0..{top}")
    return out


def _raise_if_invalid(what: str, problems: list[str]) -> None:
    if problems:
        raise EncodeError(
            f"invalid COSEM {what}: {'; '.join(problems)} "
            "(use None for 'not specified'; strict=False keeps out-of-range values)"
        )


# ---------------------------------------------------------------------------------------
# Conversions to and from datetime
# ---------------------------------------------------------------------------------------
def _need(what: str, name: str, value: int | None, markers: dict[int, str] | None = None) -> int:
    if value is None:
        raise ValueError(f"cannot convert the COSEM {what} to Python: {name} is not specified")
    if markers is not None and value in markers:
        raise ValueError(
            f"cannot convert the COSEM {what} to Python: {name} is the wildcard "
            f"{markers[value]} (0x{value:02X}), not a calendar value"
        )
    return value


def _microseconds(what: str, hundredths: int | None) -> int:
    if hundredths is None:
        return 0
    if hundredths > 99:
        raise ValueError(
            f"cannot convert the COSEM {what} to Python: hundredths {hundredths} is not 0..99"
        )
    return hundredths * 10_000


@functools.lru_cache(maxsize=128)
def _tzinfo(deviation: int, sign: DeviationSign) -> _dt.timezone:
    minutes = -deviation if sign is DeviationSign.STANDARD else deviation
    if not -1440 < minutes < 1440:
        raise ValueError(
            f"cannot convert the COSEM date-time to Python: deviation {deviation} is not "
            "a UTC offset of less than 24 hours"
        )
    return _dt.timezone(_dt.timedelta(minutes=minutes))


def _deviation_of(dt: _dt.datetime, sign: DeviationSign) -> int | None:
    offset = dt.utcoffset()
    if offset is None:
        return None
    minutes, rest = divmod(offset, _dt.timedelta(minutes=1))
    if rest:
        raise EncodeError(f"UTC offset {offset} is not a whole number of minutes")
    deviation = -minutes if sign is DeviationSign.STANDARD else minutes
    if not -_DEVIATION_LIMIT <= deviation <= _DEVIATION_LIMIT:
        raise EncodeError(
            f"UTC offset {offset} gives deviation {deviation}, outside -720..720 minutes"
        )
    return int(deviation)


# ---------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------
def _txt2(value: int | None) -> str:
    if value is None:
        return "*"
    return f"{value:02d}" if value <= 99 else f"0x{value:02X}"


def _date_text(year: int | None, month: int | None, day: int | None) -> str:
    y = "*" if year is None else f"{year:04d}"
    m = _MONTH_TEXT.get(month) if month is not None else None
    d = _DAY_TEXT.get(day) if day is not None else None
    return f"{y}-{m or _txt2(month)}-{d or _txt2(day)}"


def _time_text(
    hour: int | None, minute: int | None, second: int | None, hundredths: int | None
) -> str:
    text = f"{_txt2(hour)}:{_txt2(minute)}:{_txt2(second)}"
    return text if hundredths is None else f"{text}.{_txt2(hundredths)}"


def _dow_text(dow: int | None) -> str:
    if dow is None:
        return ""
    return f" ({_WEEKDAYS[dow - 1]})" if 1 <= dow <= 7 else f" (dow={dow})"


def _repr_field(name: str, value: int | None) -> str:
    if isinstance(value, MonthMarker | DayMarker):
        return f"{name}={type(value).__name__}.{value.name}"
    if isinstance(value, ClockStatus):
        return f"{name}=0x{int(value):02X}"
    return f"{name}={value!r}"


# ---------------------------------------------------------------------------------------
# date-time
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class CosemDateTime:
    """A COSEM ``date-time`` (12 bytes, Blue Book 4.1.6.1).

    ::

        07E5 07 13 01 0F 2E 23 00 FF88 80
        │    │  │  │  │  │  │  │  │    └ clock status 0x80: daylight saving active
        │    │  │  │  │  │  │  │  └ deviation -120 min (UTC = local - 2 h: CEST)
        │    │  │  │  │  │  │  └ hundredths 0
        │    │  │  │  │  │  └ second 35
        │    │  │  │  │  └ minute 46
        │    │  │  │  └ hour 15
        │    │  │  └ day of week 1 (Monday)
        │    │  └ day 19
        │    └ month 7
        └ year 2021

    Every field is ``None`` when not specified (the default), so ``CosemDateTime(hour=2)``
    is "every day at 02:**:**". The constructor validates (see the module docstring);
    :meth:`from_bytes` does not, and keeps every byte.
    """

    SIZE: ClassVar[int] = 12

    year: int | None = None
    month: int | None = None
    day: int | None = None
    day_of_week: int | None = None
    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    hundredths: int | None = None
    deviation: int | None = None
    clock_status: ClockStatus | None = None
    strict: InitVar[bool] = True

    def __post_init__(self, strict: bool) -> None:
        put = object.__setattr__
        put(self, "year", _check_year(self.year))
        put(self, "month", _check_u8("month", self.month, _MONTHS))
        put(self, "day", _check_u8("day", self.day, _DAYS))
        put(self, "day_of_week", _check_u8("day_of_week", self.day_of_week, _U8))
        put(self, "hour", _check_u8("hour", self.hour, _U8))
        put(self, "minute", _check_u8("minute", self.minute, _U8))
        put(self, "second", _check_u8("second", self.second, _U8))
        put(self, "hundredths", _check_u8("hundredths", self.hundredths, _U8))
        put(self, "deviation", _check_deviation(self.deviation))
        put(self, "clock_status", _check_u8("clock_status", self.clock_status, _STATUSES))
        if strict:
            _raise_if_invalid("date-time", self.problems())

    # -- wire ------------------------------------------------------------------------
    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview, offset: int = 0) -> Self:
        """Decode exactly 12 bytes, keeping every field as sent (no range checks).

        ``offset`` is where ``data`` sits in the enclosing buffer; a
        :class:`~dlmskit.errors.DecodeError` (wrong length, the only one) reports its
        position relative to it.
        """
        if _nbytes(data) != 12:
            raise _size_error("date-time", 12, _nbytes(data), offset)
        y, mo, d, w, h, mi, s, hs, dev, st = _DT.unpack(data)
        obj = object.__new__(cls)
        put = object.__setattr__
        put(obj, "year", None if y == _YEAR_NOT_SPECIFIED else y)
        put(obj, "month", _MONTHS[mo])
        put(obj, "day", _DAYS[d])
        put(obj, "day_of_week", _U8[w])
        put(obj, "hour", _U8[h])
        put(obj, "minute", _U8[mi])
        put(obj, "second", _U8[s])
        put(obj, "hundredths", _U8[hs])
        put(obj, "deviation", None if dev == _DEVIATION_NOT_SPECIFIED else dev)
        put(obj, "clock_status", _STATUSES[st])
        return obj

    def to_bytes(self) -> bytes:
        """The 12 wire bytes (``None`` becomes the field's "not specified" value)."""
        ns = _NOT_SPECIFIED
        return _DT.pack(
            _YEAR_NOT_SPECIFIED if self.year is None else self.year,
            ns if self.month is None else self.month,
            ns if self.day is None else self.day,
            ns if self.day_of_week is None else self.day_of_week,
            ns if self.hour is None else self.hour,
            ns if self.minute is None else self.minute,
            ns if self.second is None else self.second,
            ns if self.hundredths is None else self.hundredths,
            _DEVIATION_NOT_SPECIFIED if self.deviation is None else self.deviation,
            ns if self.clock_status is None else self.clock_status,
        )

    # -- validity --------------------------------------------------------------------
    def problems(self) -> list[str]:
        """What is out of range, one sentence per problem (empty when valid).

        Checked: each field against Blue Book 4.1.6.1, that a concrete day exists in
        its month (and year, when given), that a given day of week matches a concrete
        date, the deviation range -720..720 and the reserved clock status bits 4..6.
        """
        out = _date_problems(self.year, self.month, self.day, self.day_of_week)
        out += _time_problems(self.hour, self.minute, self.second, self.hundredths)
        if (
            self.deviation is not None
            and not -_DEVIATION_LIMIT <= self.deviation <= _DEVIATION_LIMIT
        ):
            out.append(f"deviation {self.deviation} is not -720..720 minutes")
        if self.clock_status is not None and self.clock_status & _STATUS_RESERVED:
            out.append(f"clock status 0x{int(self.clock_status):02X} sets reserved bits 4..6")
        return out

    def is_valid(self) -> bool:
        """``True`` when :meth:`problems` finds nothing."""
        return not self.problems()

    # -- Python conversions ----------------------------------------------------------
    def to_datetime(
        self, *, deviation_sign: DeviationSign = DeviationSign.STANDARD
    ) -> _dt.datetime:
        """The ``datetime`` this value names.

        Needs year, month, day, hour, minute and second (``ValueError`` naming the first
        missing or wildcard field otherwise). Unspecified hundredths count as 0. The
        result is aware (offset from the deviation, read with ``deviation_sign``) when a
        deviation is given, naive otherwise. Day of week and clock status are not used:
        the deviation already includes any daylight saving shift.
        """
        what = "date-time"
        year = _need(what, "year", self.year)
        month = _need(what, "month", self.month, _MONTH_TEXT)
        day = _need(what, "day", self.day, _DAY_TEXT)
        hour = _need(what, "hour", self.hour)
        minute = _need(what, "minute", self.minute)
        second = _need(what, "second", self.second)
        micro = _microseconds(what, self.hundredths)
        tz = None if self.deviation is None else _tzinfo(self.deviation, deviation_sign)
        try:
            return _dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
        except ValueError as exc:
            raise ValueError(f"cannot convert the COSEM date-time {self} to Python: {exc}") from exc

    @classmethod
    def from_datetime(
        cls,
        dt: _dt.datetime,
        *,
        clock_status: ClockStatus | int | None = None,
        include_weekday: bool = True,
        deviation_sign: DeviationSign = DeviationSign.STANDARD,
    ) -> Self:
        """A date-time from a ``datetime``.

        An aware ``dt`` gives the deviation from its UTC offset (written with
        ``deviation_sign``; the offset must be whole minutes within ±12 h); a naive one
        gives "deviation not specified". Microseconds are truncated to hundredths.
        ``clock_status`` defaults to "not specified" (0xFF); the day of week is filled
        in unless ``include_weekday`` is false. Raises
        :class:`~dlmskit.errors.EncodeError` for an offset that cannot be sent.
        """
        return cls(
            year=dt.year,
            month=dt.month,
            day=dt.day,
            day_of_week=dt.isoweekday() if include_weekday else None,
            hour=dt.hour,
            minute=dt.minute,
            second=dt.second,
            hundredths=dt.microsecond // 10_000,
            deviation=_deviation_of(dt, deviation_sign),
            clock_status=_check_u8("clock_status", clock_status, _STATUSES),
        )

    @classmethod
    def combine(
        cls,
        date: CosemDate,
        time: CosemTime,
        *,
        deviation: int | None = None,
        clock_status: ClockStatus | int | None = None,
        strict: bool = True,
    ) -> Self:
        """A date-time from a :class:`CosemDate`, a :class:`CosemTime` and the rest."""
        return cls(
            year=date.year,
            month=date.month,
            day=date.day,
            day_of_week=date.day_of_week,
            hour=time.hour,
            minute=time.minute,
            second=time.second,
            hundredths=time.hundredths,
            deviation=deviation,
            clock_status=_check_u8("clock_status", clock_status, _STATUSES),
            strict=strict,
        )

    def date_part(self) -> CosemDate:
        """The first 5 bytes as a :class:`CosemDate` (kept as they are)."""
        return CosemDate.from_bytes(self.to_bytes()[:5])

    def time_part(self) -> CosemTime:
        """Bytes 5..8 as a :class:`CosemTime` (kept as they are)."""
        return CosemTime.from_bytes(self.to_bytes()[5:9])

    # -- text ------------------------------------------------------------------------
    def __str__(self) -> str:
        """E.g. ``2021-01-24 14:48:57.80 (Sun) dev=-60 status=0x80``.

        ``*`` marks a field that is not specified; unspecified hundredths and day of
        week are left out; values too big for two digits are shown in hex.
        """
        dev = "*" if self.deviation is None else f"{self.deviation:+d}"
        status = "*" if self.clock_status is None else f"0x{int(self.clock_status):02X}"
        return (
            f"{_date_text(self.year, self.month, self.day)} "
            f"{_time_text(self.hour, self.minute, self.second, self.hundredths)}"
            f"{_dow_text(self.day_of_week)} dev={dev} status={status}"
        )

    def __repr__(self) -> str:
        names = (
            "year",
            "month",
            "day",
            "day_of_week",
            "hour",
            "minute",
            "second",
            "hundredths",
            "deviation",
            "clock_status",
        )
        fields = [_repr_field(n, getattr(self, n)) for n in names]
        if not self.is_valid():
            fields.append("strict=False")
        return f"{type(self).__name__}({', '.join(fields)})"


# ---------------------------------------------------------------------------------------
# date
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class CosemDate:
    """A COSEM ``date`` (5 bytes, Blue Book 4.1.6.1)::

        ┌──────────┬───────┬─────┬─────────────┐
        │ year u16 │ month │ day │ day of week │
        └──────────┴───────┴─────┴─────────────┘

    Same field rules as :class:`CosemDateTime`.
    """

    SIZE: ClassVar[int] = 5

    year: int | None = None
    month: int | None = None
    day: int | None = None
    day_of_week: int | None = None
    strict: InitVar[bool] = True

    def __post_init__(self, strict: bool) -> None:
        put = object.__setattr__
        put(self, "year", _check_year(self.year))
        put(self, "month", _check_u8("month", self.month, _MONTHS))
        put(self, "day", _check_u8("day", self.day, _DAYS))
        put(self, "day_of_week", _check_u8("day_of_week", self.day_of_week, _U8))
        if strict:
            _raise_if_invalid("date", self.problems())

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview, offset: int = 0) -> Self:
        """Decode exactly 5 bytes, keeping every field as sent (no range checks)."""
        if _nbytes(data) != 5:
            raise _size_error("date", 5, _nbytes(data), offset)
        y, mo, d, w = _DATE.unpack(data)
        obj = object.__new__(cls)
        put = object.__setattr__
        put(obj, "year", None if y == _YEAR_NOT_SPECIFIED else y)
        put(obj, "month", _MONTHS[mo])
        put(obj, "day", _DAYS[d])
        put(obj, "day_of_week", _U8[w])
        return obj

    def to_bytes(self) -> bytes:
        """The 5 wire bytes."""
        ns = _NOT_SPECIFIED
        return _DATE.pack(
            _YEAR_NOT_SPECIFIED if self.year is None else self.year,
            ns if self.month is None else self.month,
            ns if self.day is None else self.day,
            ns if self.day_of_week is None else self.day_of_week,
        )

    def problems(self) -> list[str]:
        """What is out of range (see :meth:`CosemDateTime.problems`)."""
        return _date_problems(self.year, self.month, self.day, self.day_of_week)

    def is_valid(self) -> bool:
        return not self.problems()

    def to_date(self) -> _dt.date:
        """The ``date`` this value names (``ValueError`` if a field is a wildcard)."""
        year = _need("date", "year", self.year)
        month = _need("date", "month", self.month, _MONTH_TEXT)
        day = _need("date", "day", self.day, _DAY_TEXT)
        try:
            return _dt.date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"cannot convert the COSEM date {self} to Python: {exc}") from exc

    @classmethod
    def from_date(cls, d: _dt.date, *, include_weekday: bool = True) -> Self:
        """A date from a ``date`` (or the date part of a ``datetime``)."""
        return cls(
            year=d.year,
            month=d.month,
            day=d.day,
            day_of_week=d.isoweekday() if include_weekday else None,
        )

    def __str__(self) -> str:
        """E.g. ``2021-01-24 (Sun)``, ``*-dst_begin-last (Sun)``."""
        return f"{_date_text(self.year, self.month, self.day)}{_dow_text(self.day_of_week)}"

    def __repr__(self) -> str:
        fields = [_repr_field(n, getattr(self, n)) for n in ("year", "month", "day", "day_of_week")]
        if not self.is_valid():
            fields.append("strict=False")
        return f"{type(self).__name__}({', '.join(fields)})"


# ---------------------------------------------------------------------------------------
# time
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class CosemTime:
    """A COSEM ``time`` (4 bytes, Blue Book 4.1.6.1)::

        ┌──────┬────────┬────────┬────────────┐
        │ hour │ minute │ second │ hundredths │
        └──────┴────────┴────────┴────────────┘

    Same field rules as :class:`CosemDateTime`.
    """

    SIZE: ClassVar[int] = 4

    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    hundredths: int | None = None
    strict: InitVar[bool] = True

    def __post_init__(self, strict: bool) -> None:
        put = object.__setattr__
        put(self, "hour", _check_u8("hour", self.hour, _U8))
        put(self, "minute", _check_u8("minute", self.minute, _U8))
        put(self, "second", _check_u8("second", self.second, _U8))
        put(self, "hundredths", _check_u8("hundredths", self.hundredths, _U8))
        if strict:
            _raise_if_invalid("time", self.problems())

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview, offset: int = 0) -> Self:
        """Decode exactly 4 bytes, keeping every field as sent (no range checks)."""
        if _nbytes(data) != 4:
            raise _size_error("time", 4, _nbytes(data), offset)
        h, mi, s, hs = _TIME.unpack(data)
        obj = object.__new__(cls)
        put = object.__setattr__
        put(obj, "hour", _U8[h])
        put(obj, "minute", _U8[mi])
        put(obj, "second", _U8[s])
        put(obj, "hundredths", _U8[hs])
        return obj

    def to_bytes(self) -> bytes:
        """The 4 wire bytes."""
        ns = _NOT_SPECIFIED
        return _TIME.pack(
            ns if self.hour is None else self.hour,
            ns if self.minute is None else self.minute,
            ns if self.second is None else self.second,
            ns if self.hundredths is None else self.hundredths,
        )

    def problems(self) -> list[str]:
        """What is out of range (see :meth:`CosemDateTime.problems`)."""
        return _time_problems(self.hour, self.minute, self.second, self.hundredths)

    def is_valid(self) -> bool:
        return not self.problems()

    def to_time(self) -> _dt.time:
        """The naive ``time`` this value names (hour, minute and second needed)."""
        hour = _need("time", "hour", self.hour)
        minute = _need("time", "minute", self.minute)
        second = _need("time", "second", self.second)
        micro = _microseconds("time", self.hundredths)
        try:
            return _dt.time(hour, minute, second, micro)
        except ValueError as exc:
            raise ValueError(f"cannot convert the COSEM time {self} to Python: {exc}") from exc

    @classmethod
    def from_time(cls, t: _dt.time) -> Self:
        """A time from a ``time``; microseconds are truncated to hundredths.

        A COSEM time has no offset, so any ``tzinfo`` of ``t`` is dropped.
        """
        return cls(
            hour=t.hour, minute=t.minute, second=t.second, hundredths=t.microsecond // 10_000
        )

    def __str__(self) -> str:
        """E.g. ``14:48:57.80``, ``02:00:*``."""
        return _time_text(self.hour, self.minute, self.second, self.hundredths)

    def __repr__(self) -> str:
        fields = [
            _repr_field(n, getattr(self, n)) for n in ("hour", "minute", "second", "hundredths")
        ]
        if not self.is_valid():
            fields.append("strict=False")
        return f"{type(self).__name__}({', '.join(fields)})"
