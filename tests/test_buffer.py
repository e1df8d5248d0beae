"""Tests of the bounds-checked Reader and the Writer (dlmskit._buffer)."""

from __future__ import annotations

import contextlib
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit._buffer import Reader, Writer
from dlmskit.errors import DecodeError, DlmsError


def test_reads_are_big_endian_and_advance() -> None:
    reader = Reader(bytes.fromhex("01 FF 0102 FFFE 01020304 FFFFFFFE 0102030405060708 FF"))
    assert reader.u8() == 1
    assert reader.i8() == -1
    assert reader.u16() == 0x0102
    assert reader.i16() == -2
    assert reader.u32() == 0x01020304
    assert reader.i32() == -2
    assert reader.u64() == 0x0102030405060708
    assert reader.remaining == 1
    assert reader.peek_u8() == 0xFF
    assert reader.rest() == b"\xff"
    assert reader.at_end
    reader.expect_end()


@pytest.mark.parametrize(
    ("method", "size"),
    [("u8", 1), ("i8", 1), ("u16", 2), ("i16", 2), ("u32", 4), ("i32", 4), ("u64", 8), ("i64", 8)],
)
def test_short_reads_raise_decode_error_with_offset(method: str, size: int) -> None:
    reader = Reader(b"\x00" * (size + 1), 2, base=100)
    with pytest.raises(DecodeError) as info:
        for _ in range(3):
            getattr(reader, method)("the field")
    assert "the field" in str(info.value)
    assert info.value.offset is not None and info.value.offset >= 100
    assert isinstance(info.value, ValueError)


def test_bytes_uint_skip_and_sub_readers() -> None:
    reader = Reader(b"abcdefgh")
    assert reader.bytes(2) == b"ab"
    assert reader.uint(3, "three bytes") == int.from_bytes(b"cde", "big")
    child = reader.sub(2, "a window")
    assert reader.pos == 7
    assert child.bytes(2) == b"fg"
    with pytest.raises(DecodeError, match=r"a window|1 byte"):
        child.u8("past the window")
    reader.skip(1)
    assert reader.at_end
    with pytest.raises(DecodeError, match="negative length"):
        Reader(b"").bytes(-1)
    with pytest.raises(DecodeError, match="expected 5 bytes for the tail, 0 left"):
        reader.bytes(5, "the tail")
    with pytest.raises(DecodeError, match="trailing"):
        Reader(b"x").expect_end()


def test_reader_accepts_any_buffer_and_checks_its_window() -> None:
    assert Reader(bytearray(b"\x01\x02")).u16() == 0x0102
    assert Reader(memoryview(b"\x01\x02"), 1).u8() == 2
    with pytest.raises(ValueError, match="window"):
        Reader(b"ab", 3)
    with pytest.raises(ValueError, match="window"):
        Reader(b"ab", 0, 5)


@given(st.binary(max_size=32), st.integers(0, 40))
def test_reads_never_escape_as_other_errors(data: bytes, n: int) -> None:
    reader = Reader(data)
    for op in (lambda: reader.bytes(n), reader.u16, reader.u32, lambda: reader.uint(n % 9, "x")):
        with contextlib.suppress(DecodeError):
            op()
    assert 0 <= reader.pos <= len(data)


def test_writer() -> None:
    writer = Writer()
    writer.u8(1)
    writer.u16(0x0203)
    writer.u32(0x04050607)
    writer.write(b"\x08")
    assert len(writer) == 8
    assert writer.getvalue() == bytes(range(1, 9))


def test_decode_error_keeps_reason_and_offset_through_pickle() -> None:
    error = DecodeError("expected a tag", 7)
    assert str(error) == "at offset 7: expected a tag"
    again = pickle.loads(pickle.dumps(error))
    assert (again.reason, again.offset, str(again)) == ("expected a tag", 7, str(error))
    assert str(DecodeError("no position")) == "no position"
    assert isinstance(error, DlmsError)
