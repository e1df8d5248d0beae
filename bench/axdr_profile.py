"""Case ``axdr-profile``: a 1000-row load-profile GET.response-normal, decoded and encoded.

The payload (26,008 bytes) is ``C4 01 C1 00`` (GET.response-normal, invoke-id-and-priority
0xC1, result: data) followed by the A-XDR Data ``array[1000] of structure{octet-string(12)
date-time, double-long-unsigned, double-long-unsigned}``. It is built here with
:mod:`struct` from deterministic values: 15-minute steps from 2026-11-22 14:00, an
increasing energy register and a second counter that spans the whole unsigned 32-bit
range.

Every implementation decodes the whole APDU into its own typed values (checked row by
row against the values the payload was built from) and encodes those values back
(checked byte for byte against the payload).
"""

from __future__ import annotations

import datetime
import struct
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from bench._core import SUBJECT, Case, Impl, Prepared, Target, VerificationError

ROWS = 1000
HEADER = b"\xc4\x01\xc1\x00"  # GET.response-normal, invoke-id 1 (high prio, confirmed), data
ARRAY_HEADER = b"\x01\x82" + ROWS.to_bytes(2, "big")  # array, long-form length 1000
ROW_PREFIX = b"\x02\x03\x09\x0c"  # structure of 3, octet-string of 12
ROW_SIZE = 26
ROW_PACK = struct.Struct(">4s12sBIBI")  # prefix, date-time, 06, u32, 06, u32
ROW_UNPACK = struct.Struct(">4x12sxIxI")  # date-time, u32, u32 (tags are checked apart)
# year, month, day, day of week, hour, minute, second, hundredths, deviation, clock status
COSEM_DATETIME = struct.Struct(">HBBBBBBBhB")
DEVIATION_NOT_SPECIFIED = -0x8000
DOUBLE_LONG_UNSIGNED = 6

Row = tuple[bytes, int, int]


def _cosem_datetime(moment: datetime.datetime) -> bytes:
    return COSEM_DATETIME.pack(
        moment.year,
        moment.month,
        moment.day,
        0xFF,  # day of week not specified
        moment.hour,
        moment.minute,
        moment.second,
        0,
        DEVIATION_NOT_SPECIFIED,
        0x00,
    )


def _rows() -> list[Row]:
    start = datetime.datetime(2026, 11, 22, 14, 0)
    step = datetime.timedelta(minutes=15)
    return [
        (
            _cosem_datetime(start + i * step),
            12_345_000 + 250 * i + (i * i) % 97,
            (i * 2_654_435_761) & 0xFFFF_FFFF,
        )
        for i in range(ROWS)
    ]


EXPECTED_ROWS: list[Row] = _rows()
DATA = ARRAY_HEADER + b"".join(
    ROW_PACK.pack(ROW_PREFIX, ts, DOUBLE_LONG_UNSIGNED, a, DOUBLE_LONG_UNSIGNED, b)
    for ts, a, b in EXPECTED_ROWS
)
PAYLOAD = HEADER + DATA
assert len(PAYLOAD) == 26_008, len(PAYLOAD)
assert PAYLOAD[4:20].hex() == "018203e80203090c07ea0b16ff0e0000"


# --- verification ---------------------------------------------------------------------


def _type_name(value: object) -> str:
    return type(value).__name__


def _shape(outer: object, rows: Sequence[Any], fields: Callable[[Any], Sequence[Any]]) -> str:
    """``Outer[Row(field, field, field)]`` from the types of the first row."""
    first = rows[0]
    inner = ", ".join(_type_name(f) for f in fields(first))
    return f"{_type_name(outer)}[{len(rows)} × {_type_name(first)}({inner})]"


def _check_rows(rows: Iterable[Row]) -> None:
    got = list(rows)
    if len(got) != ROWS:
        raise VerificationError(f"{len(got)} rows, expected {ROWS}")
    if got != EXPECTED_ROWS:
        index = next(i for i, (g, e) in enumerate(zip(got, EXPECTED_ROWS, strict=True)) if g != e)
        raise VerificationError(f"row {index} is {got[index]!r}, expected {EXPECTED_ROWS[index]!r}")


def _check_row_types(rows: Sequence[Any], fields: Callable[[Any], Sequence[Any]]) -> None:
    """Every row has three fields: a bytes-like value then two integers (not bools)."""
    for row in rows:
        ts, a, b = fields(row)
        if not isinstance(ts, bytes | bytearray) or isinstance(a, bool) or isinstance(b, bool):
            raise VerificationError(f"unexpected row types: {row!r}")
        if not isinstance(a, int) or not isinstance(b, int):
            raise VerificationError(f"unexpected row types: {row!r}")


def _verify_sequence(value: object, fields: Callable[[Any], Sequence[Any]]) -> str:
    if not isinstance(value, Sequence):
        raise VerificationError(f"decoded to {_type_name(value)}, expected a sequence of rows")
    _check_row_types(value, fields)
    _check_rows((bytes(ts), int(a), int(b)) for ts, a, b in map(fields, value))
    return _shape(value, value, fields)


def _fields(row: Sequence[Any]) -> Sequence[Any]:
    """The fields of a row that is itself a sequence (tuple, list, Structure...)."""
    return row


def _verify_encoded(value: object) -> str:
    if not isinstance(value, bytes | bytearray):
        raise VerificationError(f"encoded to {_type_name(value)}, expected bytes")
    if value != PAYLOAD:
        index = next(
            (i for i, (g, e) in enumerate(zip(value, PAYLOAD, strict=False)) if g != e),
            min(len(value), len(PAYLOAD)),
        )
        raise VerificationError(
            f"{len(value)} bytes, differs from the payload ({len(PAYLOAD)} bytes) at offset {index}"
        )
    return f"{_type_name(value)} of {len(value)} bytes, identical to the payload"


def _check_header(payload: bytes) -> None:
    if payload[:4] != HEADER:
        raise ValueError(f"not the expected GET.response-normal header: {payload[:4].hex()}")


# --- hand-written special-purpose floor -----------------------------------------------


def _floor_decode() -> Prepared:
    payload = PAYLOAD
    iter_unpack = ROW_UNPACK.iter_unpack

    def decode() -> list[Row]:
        _check_header(payload)
        if payload[4:6] != b"\x01\x82":
            raise ValueError("not an array with a two-byte length")
        count = int.from_bytes(payload[6:8], "big")
        body = payload[8:]
        if len(body) != count * ROW_SIZE:
            raise ValueError("not rows of 26 bytes")
        # Every tag and length byte of every row, checked with strided slices.
        for offset, byte in ((0, 2), (1, 3), (2, 9), (3, 12), (16, 6), (21, 6)):
            if body[offset::ROW_SIZE] != bytes((byte,)) * count:
                raise ValueError(f"unexpected byte at row offset {offset}")
        return list(iter_unpack(body))

    return Prepared(decode)


def _floor_encode() -> Prepared:
    rows = _floor_decode().fn()
    assert isinstance(rows, list)
    pack = ROW_PACK.pack

    def encode() -> bytes:
        return b"".join(
            [HEADER, b"\x01\x82", len(rows).to_bytes(2, "big")]
            + [pack(ROW_PREFIX, ts, 6, a, 6, b) for ts, a, b in rows]
        )

    return Prepared(encode)


# --- dlmskit ----------------------------------------------------------------------------

_DLMSKIT_DECODE_NOTE = (
    "dlmskit has no APDU module yet: the 4-byte GET.response header is checked by hand, "
    "then dlmskit.axdr.decode(payload[4:]) decodes the Data"
)
_DLMSKIT_ENCODE_NOTE = (
    "dlmskit has no APDU module yet: the 4-byte GET.response header is prepended by hand"
)


def _dlmskit_decode() -> Prepared:
    from dlmskit.axdr import decode as axdr_decode

    payload = PAYLOAD

    def decode() -> object:
        _check_header(payload)
        return axdr_decode(payload[4:])

    return Prepared(decode, (_DLMSKIT_DECODE_NOTE,))


def _dlmskit_encode() -> Prepared:
    from dlmskit.axdr import decode as axdr_decode
    from dlmskit.axdr import encode as axdr_encode

    value = axdr_decode(PAYLOAD[4:])
    header = HEADER

    def encode() -> bytes:
        return header + axdr_encode(value)

    return Prepared(encode, (_DLMSKIT_ENCODE_NOTE,))


# --- gurux-dlms -------------------------------------------------------------------------


def _gurux_client() -> Any:
    from gurux_dlms import GXDLMSClient
    from gurux_dlms.enums import InterfaceType

    # Logical-name referencing, plain PDUs (no HDLC or wrapper framing around the APDU).
    return GXDLMSClient(True, interfaceType=InterfaceType.PDU)


def _gurux_decode_client() -> Prepared:
    from gurux_dlms import GXReplyData

    client = _gurux_client()
    payload = PAYLOAD

    def decode() -> object:
        reply = GXReplyData()
        client.getData(payload, reply, None)
        if reply.isMoreData():
            raise ValueError("gurux-dlms expects more data")
        return reply.value

    return Prepared(decode)


def _gurux_decode_common() -> Prepared:
    from gurux_dlms import GXByteBuffer
    from gurux_dlms.internal._GXCommon import _GXCommon
    from gurux_dlms.internal._GXDataInfo import _GXDataInfo

    settings = _gurux_client().settings
    get_data = _GXCommon.getData
    payload = PAYLOAD

    def decode() -> object:
        _check_header(payload)
        info = _GXDataInfo()
        value = get_data(settings, GXByteBuffer(payload[4:]), info)
        if not info.complete:
            raise ValueError("gurux-dlms: incomplete data")
        return value

    return Prepared(decode)


def _gurux_encoder(presized: bool) -> Callable[[], Prepared]:
    def setup() -> Prepared:
        from gurux_dlms import GXByteBuffer
        from gurux_dlms.enums import DataType
        from gurux_dlms.internal._GXCommon import _GXCommon

        value = _gurux_decode_client().fn()
        settings = _gurux_client().settings
        set_data = _GXCommon.setData
        header = HEADER
        array = DataType.ARRAY
        capacity = len(PAYLOAD)

        def encode() -> bytes:
            buff = GXByteBuffer(capacity) if presized else GXByteBuffer()
            buff.set(header)
            set_data(settings, buff, array, value)
            encoded: bytearray = buff.array()
            return encoded

        notes = ()
        if presized:
            notes = ("the output buffer is given the payload's size up front",)
        return Prepared(encode, notes)

    return setup


# --- dlms-cosem -------------------------------------------------------------------------


def _dlms_cosem_apdu() -> Any:
    from dlms_cosem.connection import XDlmsApduFactory
    from dlms_cosem.protocol import xdlms

    apdu = XDlmsApduFactory.apdu_from_bytes(PAYLOAD)
    if not isinstance(apdu, xdlms.GetResponseNormal):
        raise ValueError(f"dlms-cosem parsed a {_type_name(apdu)}")
    return apdu


def _dlms_cosem_decode_typed() -> Prepared:
    from dlms_cosem.connection import XDlmsApduFactory
    from dlms_cosem.dlms_data import DlmsDataParser

    apdu_from_bytes = XDlmsApduFactory.apdu_from_bytes
    payload = PAYLOAD

    def decode() -> object:
        apdu = apdu_from_bytes(payload)
        (value,) = DlmsDataParser().parse(apdu.data)
        return value

    return Prepared(decode)


def _dlms_cosem_decode_plain() -> Prepared:
    from dlms_cosem import utils
    from dlms_cosem.connection import XDlmsApduFactory

    apdu_from_bytes = XDlmsApduFactory.apdu_from_bytes
    payload = PAYLOAD

    def decode() -> object:
        apdu = apdu_from_bytes(payload)
        return utils.parse_as_dlms_data(apdu.data)

    return Prepared(decode, ("plain Python values: the DLMS types are lost, cannot be encoded",))


def _dlms_cosem_typed_fields(row: Any) -> Sequence[Any]:
    return [item.value for item in row.value]


def _verify_dlms_cosem_typed(value: object) -> str:
    from dlms_cosem.dlms_data import (
        DataArray,
        DataStructure,
        DoubleLongUnsignedData,
        OctetStringData,
    )

    if not isinstance(value, DataArray):
        raise VerificationError(f"decoded to {_type_name(value)}, expected DataArray")
    expected = (OctetStringData, DoubleLongUnsignedData, DoubleLongUnsignedData)
    for row in value.value:
        if not isinstance(row, DataStructure) or tuple(map(type, row.value)) != expected:
            raise VerificationError(f"unexpected row: {row!r}")
    rows = value.value
    _check_rows((bytes(ts.value), a.value, b.value) for ts, a, b in (r.value for r in rows))
    inner = ", ".join(_type_name(f) for f in rows[0].value)
    return f"DataArray[{len(rows)} × DataStructure({inner})]"


def _dlms_cosem_encode() -> Prepared:
    from dlms_cosem.protocol import xdlms

    value: Any = _dlms_cosem_decode_typed().fn()
    apdu = _dlms_cosem_apdu()
    invoke_id_and_priority = apdu.invoke_id_and_priority
    response = xdlms.GetResponseNormal

    def encode_apdu() -> bytes:
        encoded: bytes = response(
            data=value.to_bytes(), invoke_id_and_priority=invoke_id_and_priority
        ).to_bytes()
        return encoded

    header = HEADER

    def encode_data() -> bytes:
        encoded: bytes = header + value.to_bytes()
        return encoded

    try:
        if encode_apdu() == PAYLOAD:
            return Prepared(encode_apdu)
        problem = "GetResponseNormal.to_bytes() returns other bytes"
    except Exception as exc:
        problem = f"GetResponseNormal.to_bytes() raises {type(exc).__name__}: {exc}"
    return Prepared(
        encode_data,
        (f"{problem}; the 4-byte header is added by hand to DataArray.to_bytes()",),
    )


def _verify_gurux(value: object) -> str:
    from gurux_dlms import GXArray, GXStructure, GXUInt32

    if not isinstance(value, GXArray):
        raise VerificationError(f"decoded to {_type_name(value)}, expected GXArray")
    for row in value:
        if not isinstance(row, GXStructure) or len(row) != 3:
            raise VerificationError(f"unexpected row: {row!r}")
        if not isinstance(row[1], GXUInt32) or not isinstance(row[2], GXUInt32):
            raise VerificationError(f"unexpected row types: {row!r}")
    return _verify_sequence(value, _fields)


# --- the case ---------------------------------------------------------------------------


def case() -> Case:
    decode, encode = "decode", "encode"
    impls = [
        Impl(
            decode,
            SUBJECT,
            "dlmskit.axdr.decode",
            _dlmskit_decode,
            lambda v: _verify_sequence(v, _fields),
            role="subject",
        ),
        Impl(
            decode,
            "gurux-dlms",
            "GXDLMSClient(PDU).getData(apdu, GXReplyData())",
            _gurux_decode_client,
            _verify_gurux,
        ),
        Impl(
            decode,
            "gurux-dlms",
            "_GXCommon.getData(settings, GXByteBuffer(data), _GXDataInfo()) [internal API]",
            _gurux_decode_common,
            _verify_gurux,
        ),
        Impl(
            decode,
            "dlms-cosem",
            "XDlmsApduFactory.apdu_from_bytes + DlmsDataParser().parse",
            _dlms_cosem_decode_typed,
            _verify_dlms_cosem_typed,
        ),
        Impl(
            decode,
            "dlms-cosem",
            "XDlmsApduFactory.apdu_from_bytes + utils.parse_as_dlms_data",
            _dlms_cosem_decode_plain,
            lambda v: _verify_sequence(v, _fields),
        ),
        Impl(
            decode,
            "floor",
            "hand-written special-purpose struct.iter_unpack decoder",
            _floor_decode,
            lambda v: _verify_sequence(v, _fields),
            role="floor",
        ),
        Impl(
            encode,
            SUBJECT,
            "header + dlmskit.axdr.encode(value)",
            _dlmskit_encode,
            _verify_encoded,
            role="subject",
        ),
        Impl(
            encode,
            "gurux-dlms",
            "_GXCommon.setData(settings, GXByteBuffer(), ARRAY, value) [internal API]",
            _gurux_encoder(presized=False),
            _verify_encoded,
        ),
        Impl(
            encode,
            "gurux-dlms",
            "_GXCommon.setData(settings, GXByteBuffer(26008), ARRAY, value) [internal API]",
            _gurux_encoder(presized=True),
            _verify_encoded,
        ),
        Impl(
            encode,
            "dlms-cosem",
            "GetResponseNormal(data=DataArray.to_bytes()).to_bytes()",
            _dlms_cosem_encode,
            _verify_encoded,
        ),
        Impl(
            encode,
            "floor",
            "hand-written special-purpose struct.pack encoder",
            _floor_encode,
            _verify_encoded,
            role="floor",
        ),
    ]
    targets = [
        Target(decode, max_ms=2.5),
        Target(decode, peer="gurux-dlms", min_ratio=10),
        Target(decode, peer="dlms-cosem", min_ratio=4),
        Target(encode, max_ms=2.5),
    ]
    return Case(
        name="axdr-profile",
        title=(
            f"GET.response-normal, array[{ROWS}] of structure{{octet-string(12) date-time, "
            f"double-long-unsigned, double-long-unsigned}} ({len(PAYLOAD):,} bytes)"
        ),
        impls=impls,
        targets=targets,
        notes=(
            "decode: the whole APDU into typed values, every row checked; "
            "encode: those values back to the APDU, checked byte for byte",
        ),
    )
