"""Case ``cosem-profile``: a 1000-entry load profile buffer into typed rows.

Operation:

``profile-parse``
    From the A-XDR bytes of a Profile generic ``buffer`` (attribute 2, Blue Book 4.3.6):
    ``array[1000] of structure{octet-string(12) date-time, unsigned status,
    double-long-unsigned, double-long-unsigned}`` (28,004 bytes) plus the capture objects
    (Clock 0-0:1.0.0 attribute 2, status 0-0:96.10.1, registers 1-0:1.8.0 and 1-0:3.8.0
    with scaler_units {1, Wh} and {-2, varh}) to rows of typed values: a timezone-aware
    ``datetime`` from each date-time's deviation, the status as an int, the two registers
    scaled. 15-minute entries from 2026-03-28 20:00 CET run across the start of summer
    time (2026-03-29 01:00 UTC): the deviation changes from -60 to -120 and the clock
    status sets its DST bit mid-buffer. The bytes are built here with :mod:`struct`.

dlmskit: ``cosem.profile.parse_buffer(data, capture_objects, capture_period=900,
scaler_units=...)`` → ``ProfileTable`` (exact ``Decimal`` values).
dlms-cosem: ``ProfileGenericBufferParser(capture_objects, capture_period).parse_bytes``
(datetimes from the clock column; no scaler support, so a second line scales its values
by hand with ``Decimal.scaleb``, the same work dlmskit does).
gurux-dlms: ``_GXCommon.getData`` (the buffer's A-XDR) then
``GXDLMSClient.updateValue(profile_generic, 2, value)`` with GXDLMSClock / GXDLMSData /
GXDLMSRegister capture objects whose ``scaler`` is set (GXDLMSProfileGeneric converts the
clock to ``GXDateTime`` and multiplies registers by a float scaler).

Every result is checked value by value against the values the buffer was built from
(datetimes equal and with the same UTC offset; Decimals equal; gurux's floats within
1e-12 relative, as float scaling cannot be exact). Target (issue 6): ≤ 5 ms.
"""

from __future__ import annotations

import datetime
import math
import struct
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any

from bench._core import SUBJECT, Case, Impl, Prepared, Target, VerificationError

ROWS = 1000
PERIOD = 900  # seconds
TARGET_MS = 5.0
START_UTC = datetime.datetime(2026, 3, 28, 19, 0, tzinfo=datetime.UTC)  # 20:00 CET
DST_START_UTC = datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.UTC)
CET = datetime.timezone(datetime.timedelta(hours=1))
CEST = datetime.timezone(datetime.timedelta(hours=2))
COSEM_DATETIME = struct.Struct(">HBBBBBBBhB")
ROW = struct.Struct(">BBBB12sBBBIBI")  # 02 04 09 0C dt 11 status 06 u32 06 u32
CLOCK_OBIS = (0, 0, 1, 0, 0, 255)
STATUS_OBIS = (0, 0, 96, 10, 1, 255)
IMPORT_OBIS = (1, 0, 1, 8, 0, 255)
REACTIVE_OBIS = (1, 0, 3, 8, 0, 255)
IMPORT_SCALER, REACTIVE_SCALER = 1, -2
_CONTEXT = Context(prec=50)

Expected = tuple[datetime.datetime, int, Decimal, Decimal]


def _rows() -> tuple[bytes, list[Expected], list[tuple[int, int]]]:
    data = bytearray(b"\x01\x82" + ROWS.to_bytes(2, "big"))
    expected: list[Expected] = []
    raws: list[tuple[int, int]] = []
    for i in range(ROWS):
        moment = START_UTC + datetime.timedelta(seconds=PERIOD * i)
        dst = moment >= DST_START_UTC
        local = moment.astimezone(CEST if dst else CET)
        deviation = -120 if dst else -60  # Blue Book 4.1.6.1: local + deviation = UTC
        clock = COSEM_DATETIME.pack(
            local.year,
            local.month,
            local.day,
            local.isoweekday(),
            local.hour,
            local.minute,
            0,
            0,
            deviation,
            0x80 if dst else 0x00,
        )
        status = 0x08 if dst else (0x01 if i % 97 == 0 else 0x00)
        active = 41_000_000 + 37 * i + (i * i) % 11
        reactive = (i * 2_654_435_761) & 0xFFFF_FFFF
        data += ROW.pack(2, 4, 9, 12, clock, 0x11, status, 6, active, 6, reactive)
        expected.append(
            (
                local,
                status,
                Decimal(active).scaleb(IMPORT_SCALER, _CONTEXT),
                Decimal(reactive).scaleb(REACTIVE_SCALER, _CONTEXT),
            )
        )
        raws.append((active, reactive))
    return bytes(data), expected, raws


DATA, EXPECTED, RAW_VALUES = _rows()
assert len(DATA) == 4 + ROWS * ROW.size, len(DATA)


# --- verification ---------------------------------------------------------------------------


def _check_time(got: object, want: datetime.datetime, index: int) -> None:
    if not isinstance(got, datetime.datetime) or got != want:
        raise VerificationError(f"row {index}: clock {got!r}, expected {want!r}")
    if got.utcoffset() != want.utcoffset():
        raise VerificationError(f"row {index}: UTC offset {got.utcoffset()}, expected CET/CEST")


def _verify_rows(rows: list[tuple[Any, ...]], *, exact: bool = True) -> None:
    if len(rows) != ROWS:
        raise VerificationError(f"{len(rows)} rows, expected {ROWS}")
    for index, (row, want) in enumerate(zip(rows, EXPECTED, strict=True)):
        _check_time(row[0], want[0], index)
        if row[1] != want[1] or isinstance(row[1], bool):
            raise VerificationError(f"row {index}: status {row[1]!r}, expected {want[1]}")
        for col, wanted in ((2, want[2]), (3, want[3])):
            got = row[col]
            if exact:
                if not isinstance(got, Decimal) or got != wanted:
                    raise VerificationError(f"row {index} column {col}: {got!r}, expected {wanted}")
            elif not math.isclose(float(got), float(wanted), rel_tol=1e-12):
                raise VerificationError(f"row {index} column {col}: {got!r}, expected {wanted}")


def _verify_dlmskit(value: object) -> str:
    from dlmskit.cosem.profile import ProfileTable

    if not isinstance(value, ProfileTable):
        raise VerificationError(f"parsed to {type(value).__name__}")
    _verify_rows(list(value.rows))
    kinds = ", ".join(c.kind.value for c in value.columns)
    return f"ProfileTable[{len(value)} rows; {kinds}] (datetime, int, Decimal, Decimal)"


def _verify_dlms_cosem_scaled(value: object) -> str:
    if not isinstance(value, list):
        raise VerificationError(f"parsed to {type(value).__name__}")
    _verify_rows(value)
    return f"list[{len(value)} × (datetime, int, Decimal, Decimal)] (scaled after parsing)"


def _verify_dlms_cosem_raw(value: object) -> str:
    if not isinstance(value, list) or len(value) != ROWS:
        raise VerificationError(f"parsed to {type(value).__name__}")
    for index, (row, want, raw) in enumerate(zip(value, EXPECTED, RAW_VALUES, strict=True)):
        values = [column.value for column in row]
        _check_time(values[0], want[0], index)
        if values[1:] != [want[1], *raw]:
            raise VerificationError(f"row {index}: {values[1:]!r}, expected {[want[1], *raw]}")
    return f"list[{ROWS} × list[4 × ColumnValue]] (datetime, raw ints: not scaled)"


def _verify_gurux(value: object) -> str:
    if not isinstance(value, list):
        raise VerificationError(f"parsed to {type(value).__name__}")
    rows = [(row[0].value, int(row[1]), row[2], row[3]) for row in value]
    _verify_rows(rows, exact=False)
    kinds = ", ".join(type(v).__name__ for v in value[1])
    return f"list[{len(value)} × list({kinds})] (registers as float × 10^scaler)"


# --- implementations ------------------------------------------------------------------------


@dataclass(frozen=True)
class _CaptureObject:
    """A capture_object_definition (class id, logical name, attribute, data index)."""

    class_id: int
    logical_name: Any
    attribute_index: int
    data_index: int = 0


def _capture_objects() -> list[Any]:
    from dlmskit.obis import Obis

    try:  # the shared value type once cosem.types provides it
        from dlmskit.cosem.types import (  # type: ignore[import-not-found, unused-ignore]
            CaptureObjectDefinition as Definition,
        )
    except ImportError:
        Definition = _CaptureObject
    return [
        Definition(class_id=class_id, logical_name=Obis(*obis), attribute_index=2, data_index=0)
        for class_id, obis in (
            (8, CLOCK_OBIS),
            (1, STATUS_OBIS),
            (3, IMPORT_OBIS),
            (3, REACTIVE_OBIS),
        )
    ]


def _dlmskit() -> Prepared:
    from dlmskit.cosem.profile import parse_buffer
    from dlmskit.cosem.units import ScalerUnit, Unit
    from dlmskit.obis import Obis

    captures = _capture_objects()
    scalers = {
        Obis(*IMPORT_OBIS): ScalerUnit(IMPORT_SCALER, Unit.WATT_HOUR),
        Obis(*REACTIVE_OBIS): ScalerUnit(REACTIVE_SCALER, Unit.VAR_HOUR),
    }
    data = DATA

    def run() -> object:
        return parse_buffer(data, captures, capture_period=PERIOD, scaler_units=scalers)

    return Prepared(run, ("rows through the struct fast path (one compiled layout)",))


def _dlms_cosem_parser() -> Any:
    from dlms_cosem import cosem, enumerations
    from dlms_cosem.parsers import ProfileGenericBufferParser

    interface = enumerations.CosemInterface
    return ProfileGenericBufferParser(
        capture_objects=[
            cosem.CosemAttribute(interface.CLOCK, cosem.Obis(*CLOCK_OBIS), 2),
            cosem.CosemAttribute(interface.DATA, cosem.Obis(*STATUS_OBIS), 2),
            cosem.CosemAttribute(interface.REGISTER, cosem.Obis(*IMPORT_OBIS), 2),
            cosem.CosemAttribute(interface.REGISTER, cosem.Obis(*REACTIVE_OBIS), 2),
        ],
        capture_period=PERIOD // 60,  # dlms-cosem counts minutes
    )


def _dlms_cosem_raw() -> Prepared:
    parser = _dlms_cosem_parser()
    data = DATA

    def run() -> object:
        return parser.parse_bytes(data)

    return Prepared(run, ("no scaler support: register values stay raw ints",))


def _dlms_cosem_scaled() -> Prepared:
    parser = _dlms_cosem_parser()
    data = DATA
    scaleb = Decimal.scaleb
    context = _CONTEXT

    def run() -> object:
        rows = parser.parse_bytes(data)
        return [
            (
                clock.value,
                status.value,
                scaleb(Decimal(active.value), IMPORT_SCALER, context),
                scaleb(Decimal(reactive.value), REACTIVE_SCALER, context),
            )
            for clock, status, active, reactive in rows
        ]

    return Prepared(run, ("the scaling is done by hand after parse_bytes (Decimal.scaleb)",))


def _gurux() -> Prepared:
    from gurux_dlms import GXByteBuffer, GXDLMSClient
    from gurux_dlms.enums import InterfaceType
    from gurux_dlms.internal._GXCommon import _GXCommon
    from gurux_dlms.internal._GXDataInfo import _GXDataInfo
    from gurux_dlms.objects import (
        GXDLMSClock,
        GXDLMSData,
        GXDLMSProfileGeneric,
        GXDLMSRegister,
    )

    client: Any = GXDLMSClient(True, interfaceType=InterfaceType.PDU)
    profile: Any = GXDLMSProfileGeneric("1.0.99.1.0.255")
    active = GXDLMSRegister(".".join(map(str, IMPORT_OBIS)))
    reactive = GXDLMSRegister(".".join(map(str, REACTIVE_OBIS)))
    active.scaler = 10.0**IMPORT_SCALER
    reactive.scaler = 10.0**REACTIVE_SCALER
    for obj in (
        GXDLMSClock(".".join(map(str, CLOCK_OBIS))),
        GXDLMSData(".".join(map(str, STATUS_OBIS))),
        active,
        reactive,
    ):
        profile.addCaptureObject(obj, 2, 0)
    profile.capturePeriod = PERIOD
    settings = client.settings
    get_data = _GXCommon.getData
    update_value = client.updateValue
    data = DATA

    def run() -> object:
        profile.buffer = []  # updateValue appends to the object's buffer
        info = _GXDataInfo()
        value = get_data(settings, GXByteBuffer(data), info)
        if not info.complete:
            raise ValueError("gurux-dlms: incomplete data")
        update_value(profile, 2, value)
        return profile.buffer

    return Prepared(
        run,
        (
            "_GXCommon.getData then GXDLMSClient.updateValue(profile, 2, value); "
            "registers scaled by a float (GXDLMSRegister.scaler)",
        ),
    )


def case() -> Case:
    op = "profile-parse"
    impls = [
        Impl(
            op,
            SUBJECT,
            "cosem.profile.parse_buffer → ProfileTable",
            _dlmskit,
            _verify_dlmskit,
            role="subject",
        ),
        Impl(
            op,
            "dlms-cosem",
            "ProfileGenericBufferParser.parse_bytes + Decimal scaling",
            _dlms_cosem_scaled,
            _verify_dlms_cosem_scaled,
        ),
        Impl(
            op,
            "dlms-cosem",
            "ProfileGenericBufferParser.parse_bytes (unscaled)",
            _dlms_cosem_raw,
            _verify_dlms_cosem_raw,
        ),
        Impl(
            op,
            "gurux-dlms",
            "_GXCommon.getData → GXDLMSClient.updateValue(GXDLMSProfileGeneric, 2)",
            _gurux,
            _verify_gurux,
        ),
    ]
    return Case(
        name="cosem-profile",
        title=(
            f"profile generic buffer of {ROWS} entries {{clock, status, 2 registers}} "
            f"({len(DATA):,} bytes) into typed, scaled rows"
        ),
        impls=impls,
        targets=[Target(op, max_ms=TARGET_MS)],
        notes=(
            "entries every 15 min across the 2026-03-29 start of summer time "
            "(deviation -60 → -120, DST bit); every value is checked",
        ),
    )
