"""A-XDR against an independent implementation: the gurux-dlms package (PyPI).

gurux-dlms is a test-only dependency. What we encode, it must decode to the same
values, and the real frames of ../shared/vectors must decode the same in both. Types
gurux-dlms does not handle (delta types, dont-care, utf8-string as text) are left out.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.axdr import (
    Array,
    CompactArray,
    DataType,
    DoubleLong,
    DoubleLongUnsigned,
    Enum,
    Float32,
    Float64,
    Integer,
    Long,
    LongUnsigned,
    OctetString,
    Structure,
    TypeDescription,
    Unsigned,
    VisibleString,
)

from .test_axdr import DATA_IN_XDLMS, _notification_body
from .vectors import item_bytes, push_records

gurux = pytest.importorskip("gurux_dlms")  # a dev extra: present whenever `make test` runs

from gurux_dlms import GXByteBuffer, GXDLMSClient  # noqa: E402
from gurux_dlms.enums import InterfaceType  # noqa: E402
from gurux_dlms.internal._GXCommon import _GXCommon  # noqa: E402
from gurux_dlms.internal._GXDataInfo import _GXDataInfo  # noqa: E402

_SETTINGS = GXDLMSClient(True, interfaceType=InterfaceType.PDU).settings


def gurux_decode(raw: bytes) -> Any:
    info = _GXDataInfo()
    value = _GXCommon.getData(_SETTINGS, GXByteBuffer(raw), info)
    assert info.complete, "gurux-dlms found the data incomplete"
    return value


def plain(value: Any) -> Any:
    """Both libraries' values as nested lists of ints, floats, bytes, str, bool, None."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, list | tuple | CompactArray):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value)
    raise TypeError(f"unexpected {type(value).__name__}")


def _ints(cls: type[Any]) -> st.SearchStrategy[Any]:
    return st.integers(cls.MIN, cls.MAX).map(cls)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    *[
        _ints(c)
        for c in (Integer, Long, DoubleLong, Unsigned, LongUnsigned, DoubleLongUnsigned, Enum)
    ],
    st.floats(width=32, allow_nan=False, allow_infinity=False).map(Float32),
    st.floats(allow_nan=False, allow_infinity=False).map(Float64),
    st.binary(max_size=300).map(OctetString),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40).map(VisibleString),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5).map(Array),
        st.lists(children, min_size=1, max_size=5).map(Structure),
    ),
    max_leaves=30,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES)
def test_gurux_decodes_what_we_encode(value: Any) -> None:
    raw = axdr.encode(value)
    assert plain(gurux_decode(raw)) == plain(axdr.to_python(value))


@settings(max_examples=100)
@given(st.lists(st.tuples(_ints(LongUnsigned), st.binary(max_size=20)), min_size=1, max_size=8))
def test_gurux_reads_our_compact_arrays(rows: list[tuple[Any, bytes]]) -> None:
    # compact-array of structure{long-unsigned, octet-string} (Green Book 9.5)
    desc = TypeDescription.structure(
        TypeDescription.simple(DataType.LONG_UNSIGNED),
        TypeDescription.simple(DataType.OCTET_STRING),
    )
    value = CompactArray(desc, [Structure([n, OctetString(b)]) for n, b in rows])
    assert plain(gurux_decode(axdr.encode(value))) == [[int(n), b] for n, b in rows]


def _vector_bodies() -> list[tuple[str, bytes]]:
    bodies = [(f"XDLMS-{n:02d}", item_bytes("XDLMS", n)[off:]) for n, off in DATA_IN_XDLMS]
    for rec in push_records():
        if rec.get("plain_apdu"):
            plain_apdu, pos = _notification_body(bytes.fromhex(rec["plain_apdu"]))
            bodies.append((rec["id"], plain_apdu[pos:]))
    return bodies


@pytest.mark.parametrize(
    ("name", "body"), _vector_bodies(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_both_libraries_read_the_vectors_alike(name: str, body: bytes) -> None:
    # real frames from ../shared/vectors (sources in vectors.json), read by both libraries
    ours = axdr.decode(body)
    assert plain(gurux_decode(body)) == _plain_ours(ours), name


def _plain_ours(value: Any) -> Any:
    # date-time octet-strings stay bytes here (gurux-dlms also leaves them as bytes)
    if isinstance(value, Array | Structure):
        return [_plain_ours(v) for v in value]
    return plain(axdr.to_python(value))
