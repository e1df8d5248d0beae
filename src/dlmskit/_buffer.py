"""Bounds-checked reading and cheap writing of wire bytes.

:class:`Reader` is a cursor over an immutable ``bytes`` copy of the input (one copy at
construction, none afterwards: ``bytes`` indexing and ``struct.unpack_from`` are the
fastest primitives CPython offers). Every read checks what is left first and raises
:class:`~dlmskit.errors.DecodeError` naming the offset and what was expected, so no
``IndexError`` or ``struct.error`` ever escapes a decoder (DESIGN.md rule 6).

:class:`Writer` appends to a ``bytearray``.
"""

from __future__ import annotations

import struct
from typing import Final

from dlmskit.errors import DecodeError

__all__ = ["Reader", "Writer"]

# ``Reader.bytes`` shadows the builtin inside the class body; annotations use this name.
_Bytes = bytes

_U16: Final = struct.Struct(">H")
_U32: Final = struct.Struct(">I")
_U64: Final = struct.Struct(">Q")
_I16: Final = struct.Struct(">h")
_I32: Final = struct.Struct(">i")
_I64: Final = struct.Struct(">q")
_I8: Final = struct.Struct(">b")


class Reader:
    """A bounds-checked cursor over bytes.

    ``base`` is added to every offset reported in errors, so a reader over an
    embedded field reports positions in the outer buffer.
    """

    __slots__ = ("base", "buf", "end", "pos")

    def __init__(
        self,
        data: bytes | bytearray | memoryview,
        pos: int = 0,
        end: int | None = None,
        *,
        base: int = 0,
    ) -> None:
        self.buf: bytes = data if type(data) is bytes else bytes(data)
        size = len(self.buf)
        if end is None:
            end = size
        if not 0 <= pos <= end <= size:
            raise ValueError(f"invalid reader window {pos}..{end} over {size} bytes")
        self.pos = pos
        self.end = end
        self.base = base

    # -- state -----------------------------------------------------------------
    @property
    def remaining(self) -> int:
        return self.end - self.pos

    @property
    def at_end(self) -> bool:
        return self.pos >= self.end

    @property
    def offset(self) -> int:
        """The current position as reported in errors."""
        return self.base + self.pos

    def error(self, message: str, pos: int | None = None) -> DecodeError:
        """A :class:`DecodeError` at ``pos`` (default: the current position)."""
        return DecodeError(message, self.base + (self.pos if pos is None else pos))

    def require(self, n: int, what: str) -> None:
        """Raise unless ``n`` more bytes are available for ``what``."""
        if n > self.end - self.pos:
            left = self.end - self.pos
            raise self.error(f"expected {n} byte{'s' if n != 1 else ''} for {what}, {left} left")

    def expect_end(self, what: str = "the value") -> None:
        if self.pos != self.end:
            raise self.error(f"{self.end - self.pos} unexpected trailing byte(s) after {what}")

    # -- primitive reads -----------------------------------------------------------
    def peek_u8(self, what: str = "a byte") -> int:
        if self.pos >= self.end:
            raise self.error(f"expected 1 byte for {what}, 0 left")
        return self.buf[self.pos]

    def u8(self, what: str = "a byte") -> int:
        pos = self.pos
        if pos >= self.end:
            raise self.error(f"expected 1 byte for {what}, 0 left")
        self.pos = pos + 1
        return self.buf[pos]

    def i8(self, what: str = "integer") -> int:
        self.require(1, what)
        value: int = _I8.unpack_from(self.buf, self.pos)[0]
        self.pos += 1
        return value

    def u16(self, what: str = "long-unsigned") -> int:
        self.require(2, what)
        value: int = _U16.unpack_from(self.buf, self.pos)[0]
        self.pos += 2
        return value

    def i16(self, what: str = "long") -> int:
        self.require(2, what)
        value: int = _I16.unpack_from(self.buf, self.pos)[0]
        self.pos += 2
        return value

    def u32(self, what: str = "double-long-unsigned") -> int:
        self.require(4, what)
        value: int = _U32.unpack_from(self.buf, self.pos)[0]
        self.pos += 4
        return value

    def i32(self, what: str = "double-long") -> int:
        self.require(4, what)
        value: int = _I32.unpack_from(self.buf, self.pos)[0]
        self.pos += 4
        return value

    def u64(self, what: str = "long64-unsigned") -> int:
        self.require(8, what)
        value: int = _U64.unpack_from(self.buf, self.pos)[0]
        self.pos += 8
        return value

    def i64(self, what: str = "long64") -> int:
        self.require(8, what)
        value: int = _I64.unpack_from(self.buf, self.pos)[0]
        self.pos += 8
        return value

    def uint(self, n: int, what: str) -> int:
        """An unsigned big-endian integer of ``n`` bytes."""
        self.require(n, what)
        pos = self.pos
        self.pos = pos + n
        return int.from_bytes(self.buf[pos : pos + n], "big")

    def bytes(self, n: int, what: str = "octets") -> bytes:
        if n < 0:
            raise self.error(f"negative length {n} for {what}")
        self.require(n, what)
        pos = self.pos
        self.pos = pos + n
        return self.buf[pos : pos + n]

    def rest(self) -> _Bytes:
        pos = self.pos
        self.pos = self.end
        return self.buf[pos : self.end]

    def skip(self, n: int, what: str = "octets") -> None:
        self.require(n, what)
        self.pos += n

    def sub(self, n: int, what: str) -> Reader:
        """A reader over the next ``n`` bytes; this reader moves past them."""
        self.require(n, what)
        child = Reader.__new__(Reader)
        child.buf = self.buf
        child.pos = self.pos
        child.end = self.pos + n
        child.base = self.base
        self.pos += n
        return child


class Writer:
    """Appends wire bytes to a ``bytearray``."""

    __slots__ = ("buf",)

    def __init__(self) -> None:
        self.buf = bytearray()

    def __len__(self) -> int:
        return len(self.buf)

    def u8(self, value: int) -> None:
        self.buf.append(value)

    def u16(self, value: int) -> None:
        self.buf += _U16.pack(value)

    def u32(self, value: int) -> None:
        self.buf += _U32.pack(value)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.buf += data

    def getvalue(self) -> _Bytes:
        return bytes(self.buf)
