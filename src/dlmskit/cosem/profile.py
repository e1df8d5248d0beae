"""Profile generic buffers as typed tables (Blue Book 4.3.6, class 7; 4.3.x class 62).

A Profile generic object (class id 7) stores one *entry* per capture: attribute 2
``buffer`` is ``array of structure``, one structure per entry, its fields in the order of
attribute 3 ``capture_objects`` (``{class_id, logical_name, attribute_index,
data_index}``). :func:`parse_buffer` turns the A-XDR bytes of a buffer plus those capture
objects into a :class:`ProfileTable`::

    table = parse_buffer(buffer_bytes, capture_objects, capture_period=900,
                         scaler_units={Obis.parse("1-0:1.8.0"): ScalerUnit(-3, Unit.WATT_HOUR)})
    for row in table:                  # tuples, one value per column
        ...
    table.columns[0].kind              # ColumnKind.CLOCK
    table.to_dicts()                   # [{"0.0.1.0.0.255/2": datetime(...), ...}, ...]

Columns are typed:

* **clock** (Clock, class 8, attribute 2) and other date-time columns (capture_time of
  Extended/Demand registers): the octet-string(12) date-time (Blue Book 4.1.6.1) becomes an
  aware :class:`~datetime.datetime` whose offset is the deviation sent; when the deviation
  is "not specified" (0x8000) the ``local_zone`` argument gives the zone (the DST bit of
  the clock status picks the first or second of two ambiguous wall times), and without
  one the datetime is naive. Seconds and hundredths sent as "not specified" (profile time
  stamps at minute resolution) count as 0.
* **scaled** (Register value, attribute 2 of classes 3/4, attributes 2/3 of class 5, when
  ``scaler_units`` has the logical name): ``Decimal`` exactly raw × 10^scaler.
* **status** (status registers 0-x:96.10.e and the logical names in ``status_columns``):
  ``int`` (a bit-string becomes the integer of its bits, first bit most significant).
* anything else: integers as ``int``, octet-strings as ``bytes``, strings as ``str``,
  other data as the :mod:`dlmskit.axdr` value.

**Null compression** (Blue Book 4.3.6, attribute ``buffer``): to shorten a buffer read
with selective access, a meter may send ``null-data`` instead of a value that can be
deduced from the previous entry: a clock value that equals the previous entry's clock plus
``capture_period``, and any other value equal to the same column of the previous entry
(IDIS package 2 calls this "compressed reading"). With ``fill_nulls=True`` (default)
:func:`parse_buffer` restores those values; a null in the first row stays ``None``.

**Fast path**: rows whose cells all have a fixed size (integers, short octet-strings,
date-times, null-data) are read with one precompiled :class:`struct.Struct` per row layout,
without building :mod:`dlmskit.axdr` values first; other rows take the general decoder.

**Errors**: a row that is not a structure, a row of the wrong width, or a cell whose type
differs from the column's (the first non-null cell sets it) raises
:class:`~dlmskit.errors.DecodeError` naming the row, the column and the offset in the
buffer. ``lenient=True`` records these in :attr:`ProfileTable.problems` instead (wrong
cells keep their raw value, short rows are padded with ``None``) and warns once.
"""

from __future__ import annotations

import datetime as _dt
import enum
import struct
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal
from operator import itemgetter
from typing import Any, Final, Protocol, overload

from dlmskit import axdr
from dlmskit.cosem.names import name as obis_name
from dlmskit.cosem.units import ScalerUnit, Unit
from dlmskit.cosem_time import CosemDateTime, DeviationSign
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis

__all__ = [
    "CaptureObject",
    "Column",
    "ColumnKind",
    "ProfileTable",
    "parse_buffer",
    "parse_compact_buffer",
]


class CaptureObject(Protocol):
    """A capture object definition (Blue Book 4.3.6 ``capture_object_definition``).

    :class:`dlmskit.cosem.types.CaptureObjectDefinition` is one; any object with these
    four attributes will do.
    """

    @property
    def class_id(self) -> int: ...
    @property
    def logical_name(self) -> Obis: ...
    @property
    def attribute_index(self) -> int: ...
    @property
    def data_index(self) -> int: ...


class ColumnKind(enum.Enum):
    """How a column's cells are typed."""

    CLOCK = "clock"
    """Clock time (class 8 attribute 2): ``datetime``; null-data = previous + period."""
    DATETIME = "datetime"
    """Another date-time (capture_time): ``datetime``; null-data = previous value."""
    SCALED = "scaled"
    """A register value with a known scaler_unit: exact ``Decimal``."""
    STATUS = "status"
    """A status word: ``int``."""
    VALUE = "value"
    """Anything else, as a plain Python value where one fits."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a profile: the capture object and how its cells are typed."""

    index: int
    class_id: int
    logical_name: Obis
    attribute_index: int
    data_index: int
    kind: ColumnKind
    name: str
    scaler_unit: ScalerUnit | None = None

    @property
    def key(self) -> str:
        """``"<logical name>/<attribute>[/<data index>]"``, unique per capture object."""
        key = f"{self.logical_name}/{self.attribute_index}"
        return f"{key}/{self.data_index}" if self.data_index else key

    @property
    def unit(self) -> Unit | None:
        """The unit of a scaled column (``None`` otherwise)."""
        return None if self.scaler_unit is None else self.scaler_unit.unit


@dataclass(frozen=True, slots=True)
class ProfileTable:
    """The decoded buffer: :attr:`columns` and :attr:`rows` (tuples, one per entry)."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    problems: tuple[str, ...] = field(default=())
    """What lenient mode let through (always empty in strict mode)."""

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> tuple[Any, ...]: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[tuple[Any, ...], ...]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self.rows[index]

    def column(self, which: int | str) -> list[Any]:
        """All values of one column, by index, :attr:`Column.key` or logical name text
        (any form :meth:`Obis.parse` reads; the first column of that object)."""
        return [row[self._column_index(which)] for row in self.rows]

    def _column_index(self, which: int | str) -> int:
        if isinstance(which, int):
            if not 0 <= which < len(self.columns):
                raise ValueError(f"column index {which} outside 0..{len(self.columns) - 1}")
            return which
        for col in self.columns:
            if which == col.key:
                return col.index
        try:
            obis = Obis.parse(which)
        except ValueError:
            obis = None
        for col in self.columns:
            if col.logical_name == obis:
                return col.index
        raise ValueError(f"no column {which!r}; columns: {[c.key for c in self.columns]}")

    def to_dicts(self, *, key: str = "key") -> list[dict[str, Any]]:
        """Rows as dicts keyed by :attr:`Column.key` (``key="key"``) or the column's
        human name (``key="name"``; a repeated name gets ``" #<n>"``)."""
        if key == "key":
            keys = [c.key for c in self.columns]
        elif key == "name":
            keys = []
            for c in self.columns:
                k = c.name
                if k in keys:
                    k = f"{k} #{c.index}"
                keys.append(k)
        else:
            raise ValueError(f'key must be "key" or "name", not {key!r}')
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


# ---------------------------------------------------------------------------------------
# Column typing
# ---------------------------------------------------------------------------------------

_CLOCK_CLASS: Final = 8
# (class id, attribute) pairs holding a date-time: Clock.time, Extended register
# capture_time (4/5), Demand register capture_time (5/6) and start_time_current (5/7).
_DATETIME_ATTRS: Final = frozenset({(4, 5), (5, 6), (5, 7)})
# (class id, attribute) pairs that a scaler_unit scales: Register/Extended register value,
# Demand register current_average and last_average.
_SCALED_ATTRS: Final = frozenset({(3, 2), (4, 2), (5, 2), (5, 3)})

_DECIMAL_CONTEXT: Final = Context(prec=80)  # wider than any 64-bit integer: never rounds
_DT_STRUCT: Final = struct.Struct(">HBBBBBBBhB")
_DEVIATION_NOT_SPECIFIED: Final = -0x8000
_UTC: Final = _dt.UTC


def _kind_of(
    obj: CaptureObject, scaler_units: Mapping[Obis, ScalerUnit], status: frozenset[Obis]
) -> tuple[ColumnKind, ScalerUnit | None]:
    pair = (obj.class_id, obj.attribute_index)
    ln = obj.logical_name
    if obj.class_id == _CLOCK_CLASS and obj.attribute_index == 2:
        return ColumnKind.CLOCK, None
    if pair in _DATETIME_ATTRS:
        return ColumnKind.DATETIME, None
    if pair in _SCALED_ATTRS and ln in scaler_units:
        return ColumnKind.SCALED, scaler_units[ln]
    # Status registers: 0-b:96.10.e (Blue Book 7.4.5, "status register") or given.
    if ln in status or (ln[0] in {0, 1} and ln[2] == 96 and ln[3] == 10):
        return ColumnKind.STATUS, None
    return ColumnKind.VALUE, None


def _columns(
    capture_objects: Sequence[CaptureObject],
    scaler_units: Mapping[Obis, ScalerUnit],
    status: frozenset[Obis],
) -> tuple[Column, ...]:
    out = []
    for i, obj in enumerate(capture_objects):
        for attr in ("class_id", "logical_name", "attribute_index", "data_index"):
            if not hasattr(obj, attr):
                raise TypeError(f"capture_objects[{i}] has no {attr} (not a capture object)")
        ln = obj.logical_name
        if not isinstance(ln, Obis):
            raise TypeError(f"capture_objects[{i}].logical_name must be an Obis")
        kind, su = _kind_of(obj, scaler_units, status)
        out.append(
            Column(
                i,
                int(obj.class_id),
                ln,
                int(obj.attribute_index),
                int(obj.data_index),
                kind,
                obis_name(ln),
                su,
            )
        )
    return tuple(out)


class _CellError(Exception):
    """A cell that does not fit its column (turned into a DecodeError with position)."""


_INT_CLASSES: Final = (
    axdr.Integer,
    axdr.Long,
    axdr.DoubleLong,
    axdr.Long64,
    axdr.Unsigned,
    axdr.LongUnsigned,
    axdr.DoubleLongUnsigned,
    axdr.Long64Unsigned,
    axdr.Enum,
    axdr.Bcd,
    axdr.DeltaInteger,
    axdr.DeltaLong,
    axdr.DeltaDoubleLong,
    axdr.DeltaUnsigned,
    axdr.DeltaLongUnsigned,
    axdr.DeltaDoubleLongUnsigned,
)
_INT_TAGS: Final = frozenset(int(cls.TAG) for cls in _INT_CLASSES)
_TAG_NAMES: Final = {int(t): t.dlms_name for t in axdr.DataType}


def _tag_name(tag: int) -> str:
    return _TAG_NAMES.get(tag, f"tag 0x{tag:02X}")


class _Converter:
    """Turns the raw cells of one column into typed values and restores nulls."""

    __slots__ = ("column", "convert", "kind", "local_zone", "period", "sign", "tag", "tzs")

    def __init__(
        self,
        column: Column,
        period: _dt.timedelta,
        local_zone: _dt.tzinfo | None,
        sign: DeviationSign,
    ) -> None:
        self.column = column
        self.kind = column.kind
        self.tag: int | None = None  # the column's A-XDR type, set by its first non-null cell
        self.period = period
        self.local_zone = local_zone
        self.sign = sign
        self.tzs: dict[int, _dt.timezone] = {}
        self.convert: Callable[[Any], Any] = self._unset

    def _unset(self, raw: Any) -> Any:  # pragma: no cover - replaced before use
        raise AssertionError("converter used before its type was set")

    def accept(self, tag: int) -> None:
        """Fix (first non-null cell) or check the column's type."""
        if self.tag is None:
            self._set_type(tag)
        elif tag != self.tag:
            raise _CellError(f"{_tag_name(tag)}, but the column holds {_tag_name(self.tag)}")

    def _set_type(self, tag: int) -> None:
        kind = self.kind
        if kind in {ColumnKind.CLOCK, ColumnKind.DATETIME}:
            if tag not in {9, 25}:
                raise _CellError(f"{_tag_name(tag)}, expected a date-time (octet-string(12))")
            self.convert = self._datetime
        elif kind is ColumnKind.SCALED:
            if tag not in _INT_TAGS:
                raise _CellError(f"{_tag_name(tag)}, expected an integer to scale")
            assert self.column.scaler_unit is not None
            scaler = self.column.scaler_unit.scaler
            scaleb = Decimal.scaleb

            def scaled(raw: int) -> Decimal:
                return scaleb(Decimal(raw), scaler, _DECIMAL_CONTEXT)

            self.convert = scaled
        elif kind is ColumnKind.STATUS:
            if tag not in _INT_TAGS and tag != 4:
                raise _CellError(f"{_tag_name(tag)}, expected an integer or bit-string status")
            self.convert = _plain if tag in _INT_TAGS else _status
        else:
            self.convert = _plain
        self.tag = tag

    def _datetime(self, raw: bytes) -> _dt.datetime:
        if len(raw) != 12:
            raise _CellError(f"octet-string of {len(raw)} bytes, expected a 12-byte date-time")
        y, mo, d, _, h, mi, s, hs, dev, status = _DT_STRUCT.unpack(raw)
        # Profile time stamps often leave seconds and hundredths "not specified" (0xFF):
        # the capture is at minute resolution, so they count as 0.
        micro = 0 if hs == 0xFF else hs * 10_000
        if s == 0xFF:
            s = 0
        try:
            if dev == _DEVIATION_NOT_SPECIFIED:
                zone = self.local_zone
                # Two wall times repeat when DST ends: the clock status DST bit (0x80,
                # Blue Book 4.1.6.1) says which one (fold=0 is the first, in DST).
                fold = 0 if status == 0xFF or status & 0x80 else 1
                return _dt.datetime(y, mo, d, h, mi, s, micro, zone, fold=fold)
            tz = self.tzs.get(dev)
            if tz is None:
                minutes = -dev if self.sign is DeviationSign.STANDARD else dev
                tz = _dt.timezone(_dt.timedelta(minutes=minutes))
                self.tzs[dev] = tz
            return _dt.datetime(y, mo, d, h, mi, s, micro, tz)
        except ValueError as exc:
            shown = CosemDateTime.from_bytes(raw)
            raise _CellError(f"date-time {shown} is not a point in time ({exc})") from None

    def fill(self, previous: Any) -> Any:
        """The value a null-data cell stands for, given the previous row's value."""
        if self.kind is not ColumnKind.CLOCK or not isinstance(previous, _dt.datetime):
            return previous
        if not self.period:
            return None  # no capture_period: the clock cannot be deduced
        tz = previous.tzinfo
        if tz is not None and tz is self.local_zone and not isinstance(tz, _dt.timezone):
            # A zone with DST: step in absolute time, then back to wall time.
            return (previous.astimezone(_UTC) + self.period).astimezone(tz)
        return previous + self.period


def _plain(raw: Any) -> Any:
    if type(raw) is bytes or type(raw) is int:
        return raw
    if isinstance(raw, axdr.OctetString):
        return bytes(raw)
    if isinstance(raw, bool | axdr.Boolean):
        return bool(raw)
    if isinstance(raw, int):
        return int(raw)
    if isinstance(raw, axdr.VisibleString | axdr.Utf8String):
        return str(raw)
    if isinstance(raw, float):
        return float(raw)
    return raw


def _status(raw: Any) -> int:
    if isinstance(raw, axdr.BitString):
        n = len(raw)
        return int.from_bytes(raw.data, "big") >> (8 * len(raw.data) - n) if n else 0
    return int(raw)


# ---------------------------------------------------------------------------------------
# Row layouts (the fast path)
# ---------------------------------------------------------------------------------------

_FIXED_FORMATS: Final[dict[int, str]] = {int(cls.TAG): cls.FORMAT for cls in _INT_CLASSES} | {
    23: "f",
    24: "d",
}


@dataclass(slots=True)
class _Layout:
    """A compiled row layout: one struct for ``02 n cell*`` when every cell is fixed."""

    struct: struct.Struct
    check: Callable[[tuple[Any, ...]], Any]
    expected: Any
    values: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    nulls: tuple[int, ...]
    tags: tuple[int, ...]
    offsets: tuple[int, ...]
    fns: tuple[Callable[[Any], Any], ...] = ()
    """Per cell: the column's converter, or one giving the null marker for null-data."""


def _compile_layout(cells: Sequence[tuple[int, Any, int]], row_pos: int) -> _Layout | None:
    """A layout for rows shaped like ``cells`` ((tag, raw, offset) each), or None."""
    fmt = ">BB"
    check_idx = [0, 1]
    expected: list[Any] = [2, len(cells)]
    value_idx = []
    nulls = []
    offsets = []
    index = 2
    size = 2
    for col, (tag, raw, offset) in enumerate(cells):
        if offset - row_pos != size:
            return None  # a long-form length somewhere before: not canonical
        offsets.append(size)
        check_idx.append(index)
        expected.append(tag)
        if tag == 0:
            fmt += "B"
            value_idx.append(index)
            nulls.append(col)
            index += 1
            size += 1
        elif tag in _FIXED_FORMATS:
            f = _FIXED_FORMATS[tag]
            fmt += "B" + f
            value_idx.append(index + 1)
            index += 2
            size += 1 + struct.calcsize(">" + f)
        elif tag == 9 and isinstance(raw, bytes) and len(raw) < 0x80:
            fmt += f"BB{len(raw)}s"
            check_idx.append(index + 1)
            expected.append(len(raw))
            value_idx.append(index + 2)
            index += 3
            size += 2 + len(raw)
        elif tag == 25:
            fmt += "B12s"
            value_idx.append(index + 1)
            index += 2
            size += 13
        else:
            return None
    getter = itemgetter(*value_idx)
    values: Callable[[tuple[Any, ...]], tuple[Any, ...]] = (
        (lambda row: (getter(row),)) if len(value_idx) == 1 else getter
    )
    return _Layout(
        struct.Struct(fmt),
        itemgetter(*check_idx),
        tuple(expected),
        values,
        tuple(nulls),
        tuple(c[0] for c in cells),
        tuple(offsets),
    )


def _raw_of(value: axdr.Value) -> Any:
    """The raw form of a decoded cell (what the fast path's struct would give)."""
    if type(value) in _RAW_INT_TYPES:
        return int(value)  # type: ignore[arg-type]
    if isinstance(value, axdr.OctetString):
        return bytes(value)
    if isinstance(value, CosemDateTime):
        return value.to_bytes()
    return value


_RAW_INT_TYPES: Final = frozenset(_INT_CLASSES)


# ---------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------


class _Parser:
    def __init__(
        self,
        buf: bytes,
        columns: tuple[Column, ...],
        converters: list[_Converter],
        *,
        fill_nulls: bool,
        lenient: bool,
    ) -> None:
        self.buf = buf
        self.columns = columns
        self.ncols = len(columns)
        self.converters = converters
        self.fill_nulls = fill_nulls
        self.lenient = lenient
        self.problems: list[str] = []
        self.layouts: dict[tuple[Any, ...], _Layout | None] = {}
        self.known_layouts: list[_Layout] = []

    def problem(self, message: str, offset: int | None) -> None:
        if not self.lenient:
            raise DecodeError(message, offset)
        where = "" if offset is None else f" (offset {offset})"
        self.problems.append(message + where)

    def cell_error(self, row: int, col: int, offset: int | None, what: str) -> None:
        column = self.columns[col]
        self.problem(f"row {row}, column {col} ({column.key}): {what}", offset)

    # -- one row through the general decoder ----------------------------------------
    def slow_row(self, r: int, pos: int) -> tuple[list[tuple[int, Any, int]], int]:
        buf = self.buf
        if pos >= len(buf):
            raise DecodeError(f"row {r}: expected a structure, the buffer ended", pos)
        if buf[pos] != 2:
            # Not a structure: decode it (to step over it) and report.
            tag = buf[pos]
            _, nxt = axdr.decode_prefix(buf, pos)
            self.problem(f"row {r}: expected a structure, got {_tag_name(tag)}", pos)
            return [], nxt
        n, p, _ = axdr.decode_length(buf, pos + 1)
        cells = []
        for _ in range(n):
            tag = buf[p] if p < len(buf) else -1
            value, q = axdr.decode_prefix(buf, p)
            cells.append((tag, _raw_of(value), p))
            p = q
        if n != self.ncols:
            self.problem(f"row {r} has {n} columns, the capture objects define {self.ncols}", pos)
            cells = cells[: self.ncols]
        return cells, p

    def typed_cells(self, r: int, cells: Sequence[tuple[int, Any, int | None]]) -> list[Any]:
        """Check and convert one row cell by cell (the general path, exact errors)."""
        out: list[Any] = []
        for col, conv in enumerate(self.converters):
            if col >= len(cells):
                out.append(None)
                continue
            tag, raw, offset = cells[col]
            if tag == 0:
                out.append(_NULL)
                continue
            try:
                conv.accept(tag)
                out.append(conv.convert(raw))
            except _CellError as exc:
                self.cell_error(r, col, offset, str(exc))
                out.append(raw)
        return out

    def run(self) -> list[tuple[Any, ...]]:
        buf = self.buf
        if not buf:
            raise DecodeError("expected a profile buffer (array), got no bytes", 0)
        tag = buf[0]
        if tag != 1:
            raise DecodeError(f"expected a profile buffer (array), got {_tag_name(tag)}", 0)
        count, pos, _ = axdr.decode_length(buf, 1)
        rows: list[tuple[Any, ...]] = []
        previous: list[Any] = [None] * self.ncols
        converters = self.converters
        fill_nulls = self.fill_nulls
        layout: _Layout | None = None
        end = len(buf)
        known = self.known_layouts
        for r in range(count):
            row: list[Any] | None = None
            has_null = False
            if layout is not None:
                # The previous row's layout first, then the others met so far (a
                # null-compressed buffer alternates between a few layouts).
                candidates = (layout, *known) if len(known) > 1 else (layout,)
                for candidate in candidates:
                    size = candidate.struct.size
                    if pos + size > end:
                        continue
                    unpacked = candidate.struct.unpack_from(buf, pos)
                    if candidate.check(unpacked) != candidate.expected:
                        continue
                    try:
                        cells = candidate.values(unpacked)
                        row = [f(v) for f, v in zip(candidate.fns, cells, strict=True)]
                    except _CellError:
                        row = None  # redo it cell by cell for the exact error
                    else:
                        pos += size
                        layout = candidate
                        has_null = bool(candidate.nulls)
                    break
            if row is None:
                if pos >= end:
                    self.problem(f"row {r}: the buffer ended after {r} of {count} entries", pos)
                    break
                row_pos = pos
                try:
                    slow_cells, pos = self.slow_row(r, pos)
                except DecodeError as exc:
                    if not self.lenient:
                        if exc.reason.startswith("row "):
                            raise
                        raise DecodeError(f"row {r}: {exc.reason}", exc.offset) from None
                    self.problems.append(f"row {r}: {exc} (rows from here on dropped)")
                    pos = end
                    break
                row = self.typed_cells(r, slow_cells)
                layout = self.learn(slow_cells, row_pos)
                has_null = any(v is _NULL for v in row)
            if has_null:
                if fill_nulls:
                    for c, value in enumerate(row):
                        if value is _NULL:
                            row[c] = converters[c].fill(previous[c])
                else:
                    row = [None if v is _NULL else v for v in row]
            previous = row
            rows.append(tuple(row))
        if pos != end:
            self.problem(f"{end - pos} unexpected trailing byte(s) after the buffer", pos)
        return rows

    def learn(self, cells: Sequence[tuple[int, Any, int]], row_pos: int) -> _Layout | None:
        """The compiled layout of a row just read (cached by its cell types)."""
        if len(cells) != self.ncols or self.problems:
            return None
        for (tag, _, _), conv in zip(cells, self.converters, strict=True):
            if tag not in {0, conv.tag}:
                return None  # only layouts whose every cell type is already checked
        key = tuple(
            (t, len(raw) if t == 9 and isinstance(raw, bytes) else 0) for t, raw, _ in cells
        )
        if key in self.layouts:
            return self.layouts[key]
        layout = _compile_layout(cells, row_pos)
        if layout is not None:
            if len(self.known_layouts) < 64:
                self.known_layouts.append(layout)
            # Every non-null cell's type is fixed now, so the converters are final.
            layout.fns = tuple(
                _null_cell if tag == 0 else conv.convert
                for (tag, _, _), conv in zip(cells, self.converters, strict=True)
            )
        if len(self.layouts) < 64:
            self.layouts[key] = layout
        return layout


_ScalerUnits = Mapping[Obis, ScalerUnit] | Mapping[str, ScalerUnit]


class _NullMarker:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<null-data>"


_NULL: Final = _NullMarker()


def _null_cell(_: Any) -> _NullMarker:
    return _NULL


def _scaler_map(
    scaler_units: _ScalerUnits | None,
) -> dict[Obis, ScalerUnit]:
    out: dict[Obis, ScalerUnit] = {}
    for key, su in (scaler_units or {}).items():
        obis = key if isinstance(key, Obis) else Obis.parse(key)
        if not isinstance(su, ScalerUnit):
            raise TypeError(f"scaler_units[{key!r}] must be a ScalerUnit")
        out[obis] = su
    return out


def parse_buffer(
    buffer: bytes | bytearray | memoryview | axdr.Array | axdr.CompactArray,
    capture_objects: Sequence[CaptureObject],
    *,
    capture_period: int = 0,
    scaler_units: _ScalerUnits | None = None,
    status_columns: Iterable[Obis | str] = (),
    local_zone: _dt.tzinfo | None = None,
    deviation_sign: DeviationSign = DeviationSign.STANDARD,
    fill_nulls: bool = True,
    lenient: bool = False,
) -> ProfileTable:
    """Decode a profile generic ``buffer`` into a :class:`ProfileTable`.

    ``buffer`` is the tagged A-XDR of attribute 2 (``01 <n> 02 <m> ...``) or its decoded
    :class:`~dlmskit.axdr.Array` / :class:`~dlmskit.axdr.CompactArray` (then re-encoded,
    and offsets in errors refer to that encoding). ``capture_objects`` is attribute 3, in
    order; ``capture_period`` is attribute 4 in seconds (used to restore null-compressed
    clocks); ``scaler_units`` maps register logical names to their scaler_unit;
    ``local_zone`` is the zone of clock values sent without a deviation;
    ``deviation_sign`` reads the deviation field (see :class:`DeviationSign`).
    """
    if isinstance(buffer, axdr.Array):
        data = axdr.encode(buffer)
    elif isinstance(buffer, axdr.CompactArray):
        data = axdr.encode(axdr.Array(list(buffer)))
    elif isinstance(buffer, bytes | bytearray | memoryview):
        data = bytes(buffer)
        if data[:1] == b"\x13":  # compact-array: decode its untagged rows, then re-encode
            decoded = axdr.decode(data)
            assert isinstance(decoded, axdr.CompactArray)
            data = axdr.encode(axdr.Array(list(decoded)))
    else:
        raise TypeError(f"buffer must be bytes or an axdr Array, not {type(buffer).__name__}")
    if isinstance(capture_period, bool) or not isinstance(capture_period, int):
        raise TypeError("capture_period must be an int (seconds)")
    if capture_period < 0:
        raise ValueError(f"capture_period must be >= 0 seconds, got {capture_period}")
    if local_zone is not None and not isinstance(local_zone, _dt.tzinfo):
        raise TypeError("local_zone must be a datetime.tzinfo")
    status = frozenset(s if isinstance(s, Obis) else Obis.parse(s) for s in status_columns)
    columns = _columns(capture_objects, _scaler_map(scaler_units), status)
    if not columns:
        raise ValueError("capture_objects is empty: a profile has at least one column")
    period = _dt.timedelta(seconds=capture_period)
    converters = [_Converter(c, period, local_zone, deviation_sign) for c in columns]
    parser = _Parser(data, columns, converters, fill_nulls=fill_nulls, lenient=lenient)
    rows = parser.run()
    if parser.problems:
        warnings.warn(
            f"profile buffer decoded leniently with {len(parser.problems)} problem(s): "
            f"{parser.problems[0]}",
            stacklevel=2,
        )
    return ProfileTable(columns, tuple(rows), tuple(parser.problems))


def parse_compact_buffer(
    compact_buffer: bytes,
    template_description: bytes | axdr.TypeDescription,
    capture_objects: Sequence[CaptureObject],
    *,
    template_id: int | None = None,
    **options: Any,
) -> ProfileTable:
    """Decode a Compact data (class 62) ``compact_buffer`` through its template.

    The buffer holds the captured values without A-XDR tags; ``template_description``
    (attribute 5, the type description of the capture) says their types. A template that
    is a structure with one field per capture object gives one row; an array of such
    structures gives one row per element. When the buffer starts with the template id
    octet, pass ``template_id`` to check and skip it. ``options`` are those of
    :func:`parse_buffer`.
    """
    if isinstance(template_description, bytes | bytearray):
        desc = axdr.TypeDescription.decode(bytes(template_description))
    elif isinstance(template_description, axdr.TypeDescription):
        desc = template_description
    else:
        raise TypeError("template_description must be bytes or an axdr.TypeDescription")
    data = bytes(compact_buffer)
    offset = 0
    if template_id is not None:
        if not data:
            raise DecodeError("expected the template id octet, the compact buffer is empty", 0)
        if data[0] != template_id:
            raise DecodeError(
                f"compact buffer is for template {data[0]}, expected template {template_id}", 0
            )
        offset = 1
    value = axdr.decode_untagged(data, desc, offset=offset)
    assert not isinstance(value, tuple) or isinstance(value, axdr.Structure | axdr.Array)
    rows: axdr.Array
    if isinstance(value, axdr.Structure):
        rows = axdr.Array([value])
    elif isinstance(value, axdr.Array):
        rows = value
    else:
        rows = axdr.Array([axdr.Structure([value])])
    return parse_buffer(rows, capture_objects, **options)
