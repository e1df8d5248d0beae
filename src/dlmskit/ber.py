"""The BER subset that ACSE needs (ITU-T X.690), with byte-exact round trips.

The association APDUs (AARQ, AARE, RLRQ, RLRE; IEC 62056-5-3 / Green Book 9.4.2 and
11.x) are BER encoded; everything inside their ``user-information`` is A-XDR and is not
this module's business. A BER encoding is a tree of tag-length-value triples::

    identifier octets        length octets             contents octets
    ┌─┬─┬─┬─────────┐        ┌────────────────────┐     ┌─────────────────────────────┐
    │class│P/C│number│  ...  │ short: 0LLLLLLL    │     │ primitive: the value        │
    └─┴─┴─┴─────────┘        │ long: 1nnnnnnn +n  │     │ constructed: more TLVs      │
     bits 8-7  6  5-1        └────────────────────┘     └─────────────────────────────┘

    60 1D  A1 09 06 07 60 85 74 05 08 01 01  BE 10 04 0E 01 00 ...
    │  │   │  │  └ OBJECT IDENTIFIER 2.16.756.5.8.1.1 (application-context-name)
    │  │   └──┴ [1] constructed, 9 octets
    └──┴ [APPLICATION 0] constructed (AARQ), 29 octets

Supported (X.690 8.1): all four tag classes, primitive and constructed, low and high tag
numbers (8.1.2.4, base 128, at most :data:`MAX_TAG_NUMBER`), definite lengths in the short
form and in the long form with one to four length octets (8.1.3.4, 8.1.3.5). The
indefinite form (``0x80``, 8.1.3.6) is refused: DLMS never uses it.

Real meters send non-minimal lengths (``61 82 00 3A`` for ``61 3A``). A decoded
:class:`Tlv` remembers such a form in ``length_octets`` so that :func:`encode` gives back
exactly the input; hand-built values default to the minimal form. As a result, for any
input that :func:`decode` accepts, ``encode(decode(data)) == data``.

The decoder is iterative (no recursion), nesting is limited by ``max_depth``, every length
is checked against what is left before anything is sliced, and every failure is a
:class:`~dlmskit.errors.DecodeError` naming the offset and what was expected.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Final

from dlmskit._buffer import Reader
from dlmskit.errors import DecodeError, EncodeError

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_TAG_NUMBER",
    "TAG_BIT_STRING",
    "TAG_GRAPHIC_STRING",
    "TAG_INTEGER",
    "TAG_OBJECT_IDENTIFIER",
    "TAG_OCTET_STRING",
    "BitString",
    "Tag",
    "TagClass",
    "Tlv",
    "UniversalTag",
    "decode",
    "decode_all",
    "decode_bit_string",
    "decode_graphic_string",
    "decode_integer",
    "decode_octet_string",
    "decode_oid",
    "encode",
    "encode_bit_string",
    "encode_graphic_string",
    "encode_integer",
    "encode_length",
    "encode_oid",
    "read_length",
    "read_tag",
    "read_tlv",
]

#: Default limit of TLV nesting (the root is level 1). ACSE needs 4.
DEFAULT_MAX_DEPTH: Final = 32
#: Largest tag number accepted: four base-128 subsequent octets (X.690 8.1.2.4.2).
MAX_TAG_NUMBER: Final = (1 << 28) - 1
#: Largest length that fits the supported long form (four length octets).
MAX_LENGTH: Final = 0xFFFFFFFF

_MAX_TAG_OCTETS: Final = 4
_MAX_LENGTH_OCTETS: Final = 4
#: Longest OID subidentifier accepted (20 octets hold 140 bits: enough for 2.25.<UUID>).
_MAX_ARC_OCTETS: Final = 20


class TagClass(IntEnum):
    """The class of a tag: bits 8-7 of the identifier octet (X.690 8.1.2.2, table 1)."""

    UNIVERSAL = 0
    APPLICATION = 1
    CONTEXT = 2
    PRIVATE = 3


class UniversalTag(IntEnum):
    """Universal tag numbers (X.680 8.4, table 1) of the types ACSE and its neighbours use."""

    BOOLEAN = 1
    INTEGER = 2
    BIT_STRING = 3
    OCTET_STRING = 4
    NULL = 5
    OBJECT_IDENTIFIER = 6
    EXTERNAL = 8
    ENUMERATED = 10
    SEQUENCE = 16
    SET = 17
    PRINTABLE_STRING = 19
    IA5_STRING = 22
    GRAPHIC_STRING = 25
    VISIBLE_STRING = 26


# ---------------------------------------------------------------------------------------
# Tags
# ---------------------------------------------------------------------------------------
def _base128(number: int) -> bytes:
    """Base 128, most significant group first, bit 8 set on all octets but the last.

    The form of high tag numbers (X.690 8.1.2.4.2) and of OID subidentifiers (8.19.2).
    """
    groups = [number & 0x7F]
    number >>= 7
    while number:
        groups.append(0x80 | (number & 0x7F))
        number >>= 7
    groups.reverse()
    return bytes(groups)


@dataclass(frozen=True, slots=True, repr=False)
class Tag:
    """A BER tag: class, primitive/constructed flag and number (X.690 8.1.2).

    ::

        low tag number (0..30):     ┌─────┬───┬───────────┐
                                    │class│P/C│ number    │
                                    └─────┴───┴───────────┘
        high tag number (>= 31):    │class│P/C│ 1 1 1 1 1 │ 1nnnnnnn ... 0nnnnnnn
                                                            (base 128, most significant first)

    ``Tag(TagClass.APPLICATION, True, 0)`` is ``0x60`` (AARQ); ``Tag.context(1, True)`` is
    ``0xA1``. Tags are hashable and compare by their three fields.
    """

    cls: TagClass
    constructed: bool
    number: int
    _octets: bytes = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if type(self.cls) is not TagClass:
            if (
                isinstance(self.cls, bool)
                or not isinstance(self.cls, int)
                or not 0 <= self.cls <= 3
            ):
                raise EncodeError(f"tag class must be a TagClass (0..3), not {self.cls!r}")
            object.__setattr__(self, "cls", TagClass(self.cls))
        if not isinstance(self.constructed, bool):
            raise EncodeError(f"tag 'constructed' must be a bool, not {self.constructed!r}")
        number = self.number
        if isinstance(number, bool) or not isinstance(number, int):
            raise EncodeError(f"tag number must be an int, not {type(number).__name__}")
        if not 0 <= number <= MAX_TAG_NUMBER:
            raise EncodeError(f"tag number {number} is out of range 0..{MAX_TAG_NUMBER}")
        if type(number) is not int:  # e.g. a UniversalTag member: store the plain int
            number = int(number)
            object.__setattr__(self, "number", number)
        first = (self.cls << 6) | (0x20 if self.constructed else 0)
        if number < 31:
            octets = bytes((first | number,))
        else:
            # X.690 8.1.2.4: 0x1F, then the number in base 128.
            octets = bytes((first | 0x1F,)) + _base128(number)
        object.__setattr__(self, "_octets", octets)

    @classmethod
    def universal(cls, number: int, constructed: bool = False) -> Tag:
        """``[UNIVERSAL number]``."""
        return cls(TagClass.UNIVERSAL, constructed, number)

    @classmethod
    def application(cls, number: int, constructed: bool = False) -> Tag:
        """``[APPLICATION number]``."""
        return cls(TagClass.APPLICATION, constructed, number)

    @classmethod
    def context(cls, number: int, constructed: bool = False) -> Tag:
        """``[number]``, context-specific."""
        return cls(TagClass.CONTEXT, constructed, number)

    @classmethod
    def private(cls, number: int, constructed: bool = False) -> Tag:
        """``[PRIVATE number]``."""
        return cls(TagClass.PRIVATE, constructed, number)

    def encode(self) -> bytes:
        """The identifier octets."""
        return self._octets

    @classmethod
    def decode(cls, reader: Reader) -> Tag:
        """Read identifier octets; see :func:`read_tag`."""
        return read_tag(reader)

    def __repr__(self) -> str:
        return f"Tag(TagClass.{self.cls.name}, {self.constructed}, {self.number})"

    def __str__(self) -> str:
        """ASN.1 notation plus the form, e.g. ``[APPLICATION 0] constructed``, ``[1]``."""
        if self.cls is TagClass.CONTEXT:
            text = f"[{self.number}]"
        else:
            text = f"[{self.cls.name} {self.number}]"
        return f"{text} constructed" if self.constructed else text


def _single_octet_tags() -> tuple[Tag | None, ...]:
    table: list[Tag | None] = []
    for octet in range(256):
        number = octet & 0x1F
        table.append(
            None if number == 0x1F else Tag(TagClass(octet >> 6), bool(octet & 0x20), number)
        )
    return tuple(table)


# Every low-number tag exists once: decoding a one-octet tag is a table lookup.
_TAGS_BY_OCTET: Final = _single_octet_tags()

TAG_INTEGER: Final = Tag.universal(UniversalTag.INTEGER)
TAG_BIT_STRING: Final = Tag.universal(UniversalTag.BIT_STRING)
TAG_OCTET_STRING: Final = Tag.universal(UniversalTag.OCTET_STRING)
TAG_OBJECT_IDENTIFIER: Final = Tag.universal(UniversalTag.OBJECT_IDENTIFIER)
TAG_GRAPHIC_STRING: Final = Tag.universal(UniversalTag.GRAPHIC_STRING)


def read_tag(reader: Reader) -> Tag:
    """Read the identifier octets of a TLV (X.690 8.1.2).

    Refused with :class:`DecodeError`: a high-number form for a number below 31 (8.1.2.2
    requires one octet), a first subsequent octet ``0x80`` (8.1.2.4.2 c: not minimal), more
    than four subsequent octets (numbers above :data:`MAX_TAG_NUMBER`), and truncation.
    """
    start = reader.pos
    tag = _TAGS_BY_OCTET[reader.u8("a BER tag")]
    if tag is not None:
        return tag
    first = reader.buf[start]
    number = 0
    for index in range(_MAX_TAG_OCTETS):
        octet = reader.u8("the high tag number of a BER tag")
        if index == 0 and octet == 0x80:
            raise reader.error(
                "high tag number starts with 0x80, which is not minimal (X.690 8.1.2.4.2)",
                reader.pos - 1,
            )
        number = (number << 7) | (octet & 0x7F)
        if not octet & 0x80:
            break
    else:
        raise reader.error(
            f"high tag number longer than {_MAX_TAG_OCTETS} octets "
            f"(numbers above {MAX_TAG_NUMBER} are not supported)",
            start,
        )
    if number < 31:
        raise reader.error(
            f"tag number {number} in the high-number form; numbers below 31 take one "
            "octet (X.690 8.1.2.2)",
            start,
        )
    return Tag(TagClass(first >> 6), bool(first & 0x20), number)


# ---------------------------------------------------------------------------------------
# Lengths
# ---------------------------------------------------------------------------------------
def _octets_needed(n: int) -> int:
    return (n.bit_length() + 7) // 8 or 1


def _length_size(n: int, form: int | None) -> int:
    """How many length octets ``encode_length(n, form)`` produces (validates the form)."""
    if not 0 <= n <= MAX_LENGTH:
        raise EncodeError(f"length {n} is out of range 0..{MAX_LENGTH}")
    if form is None:
        return 1 if n < 0x80 else 1 + _octets_needed(n)
    if form == 0:
        if n >= 0x80:
            raise EncodeError(f"length {n} does not fit the short form (0..127)")
        return 1
    if isinstance(form, bool) or not isinstance(form, int) or not 1 <= form <= 4:
        raise EncodeError(f"length form must be None, 0 (short) or 1..4 octets, not {form!r}")
    if n >> (8 * form):
        raise EncodeError(f"length {n} does not fit in {form} length octet(s)")
    return 1 + form


def encode_length(n: int, form: int | None = None) -> bytes:
    """The length octets for ``n`` content octets (X.690 8.1.3).

    ``form`` is ``None`` for the minimal form, ``0`` for the short form, or the number of
    subsequent octets (1..4) of the long form::

        encode_length(0x3A)     -> 3A
        encode_length(0x3A, 2)  -> 82 00 3A       (non-minimal, as some meters send)
        encode_length(300)      -> 82 01 2C
    """
    size = _length_size(n, form)
    if size == 1:
        return bytes((n,))
    return bytes((0x80 | (size - 1),)) + n.to_bytes(size - 1, "big")


def read_length(reader: Reader, what: str = "the contents") -> tuple[int, int | None]:
    """Read length octets; return ``(length, form)``.

    ``form`` is ``None`` when the encoding was minimal, else the number of subsequent
    octets of the (non-minimal) long form, ready for :class:`Tlv` ``length_octets``.
    The length is checked against what is left in ``reader``; ``what`` names the contents
    in that error.
    """
    start = reader.pos
    first = reader.u8("a BER length")
    if first < 0x80:
        n, form = first, None
    elif first == 0x80:
        raise reader.error(
            "indefinite length (0x80) is not supported; DLMS uses definite lengths (X.690 8.1.3.6)",
            start,
        )
    elif first == 0xFF:
        raise reader.error("length octet 0xFF is reserved (X.690 8.1.3.5 c)", start)
    else:
        count = first & 0x7F
        if count > _MAX_LENGTH_OCTETS:
            raise reader.error(
                f"long-form length with {count} length octets; at most "
                f"{_MAX_LENGTH_OCTETS} are supported (X.690 8.1.3.5)",
                start,
            )
        n = reader.uint(count, "the long-form length octets")
        # Minimal means: the short form if it fits, else no leading zero octet (8.1.3.5).
        form = None if n >= 0x80 and count == _octets_needed(n) else count
    if n > reader.remaining:
        raise reader.error(
            f"length {n} of {what} exceeds the {reader.remaining} byte(s) left", start
        )
    return n, form


# ---------------------------------------------------------------------------------------
# TLV values
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Tlv:
    """One BER tag-length-value, primitive (``value``) or constructed (``children``).

    ``length_octets`` keeps the length form: ``None`` is minimal, ``0`` the short form,
    ``1``..``4`` the long form with that many length octets (``61 82 00 3A`` has 2).
    :func:`decode` sets it only for non-minimal forms, so a decoded tree equals the same tree
    built by hand unless the input was non-minimal. ``offset`` is where the decoder found
    the tag (``None`` for values built in code); it is not part of equality.

    Construction validates everything (a primitive tag with children, a form too short
    for the contents, ...) and raises :class:`~dlmskit.errors.EncodeError`.
    """

    tag: Tag
    value: bytes = b""
    children: tuple[Tlv, ...] = ()
    length_octets: int | None = None
    offset: int | None = field(default=None, compare=False)
    _content_length: int = field(init=False, compare=False)
    _size: int = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.tag, Tag):
            raise EncodeError(f"Tlv tag must be a Tag, not {type(self.tag).__name__}")
        if self.tag.constructed:
            if self.value:
                raise EncodeError(f"constructed {self.tag} takes children, not a value")
            children = self.children
            if type(children) is not tuple:
                children = tuple(children)
                object.__setattr__(self, "children", children)
            length = 0
            for child in children:
                if not isinstance(child, Tlv):
                    raise EncodeError(f"children of {self.tag} must be Tlv values")
                length += child._size
        else:
            if self.children:
                raise EncodeError(f"primitive {self.tag} takes a value, not children")
            value = self.value
            if type(value) is not bytes:
                if not isinstance(value, bytes | bytearray | memoryview):
                    raise EncodeError(f"value of {self.tag} must be bytes")
                value = bytes(value)
                object.__setattr__(self, "value", value)
            length = len(value)
        object.__setattr__(self, "_content_length", length)
        size = len(self.tag._octets) + _length_size(length, self.length_octets) + length
        object.__setattr__(self, "_size", size)

    @classmethod
    def primitive(cls, tag: Tag, value: bytes = b"", *, length_octets: int | None = None) -> Tlv:
        """A primitive TLV."""
        return cls(tag=tag, value=value, length_octets=length_octets)

    @classmethod
    def constructed(
        cls, tag: Tag, children: Iterable[Tlv] = (), *, length_octets: int | None = None
    ) -> Tlv:
        """A constructed TLV."""
        return cls(tag=tag, children=tuple(children), length_octets=length_octets)

    @property
    def content_length(self) -> int:
        """Number of contents octets."""
        return self._content_length

    @property
    def encoded_length(self) -> int:
        """Number of octets of the whole encoding (identifier, length and contents)."""
        return self._size

    @property
    def content(self) -> bytes:
        """The contents octets (for a constructed TLV: its children, encoded)."""
        if not self.tag.constructed:
            return self.value
        return b"".join(encode(child) for child in self.children)

    def find(self, tag: Tag) -> Tlv | None:
        """The first direct child with ``tag``, or ``None``."""
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def encode(self) -> bytes:
        """The encoding; see :func:`encode`."""
        return encode(self)

    def __repr__(self) -> str:
        body = f"children={self.children!r}" if self.tag.constructed else f"value={self.value!r}"
        form = "" if self.length_octets is None else f", length_octets={self.length_octets}"
        return f"Tlv(tag={self.tag!r}, {body}{form})"


def encode(tlv: Tlv) -> bytes:
    """Encode a TLV tree, reproducing every recorded length form.

    Iterative: the sizes are known from construction, so every header is written before
    its contents in one pass, whatever the depth.
    """
    out = bytearray()
    stack = [tlv]
    while stack:
        node = stack.pop()
        out += node.tag._octets
        out += encode_length(node._content_length, node.length_octets)
        if node.tag.constructed:
            stack.extend(reversed(node.children))
        else:
            out += node.value
    return bytes(out)


class _Frame:
    """A constructed TLV being decoded."""

    __slots__ = ("children", "form", "offset", "reader", "tag")

    def __init__(self, tag: Tag, form: int | None, offset: int, reader: Reader) -> None:
        self.tag = tag
        self.form = form
        self.offset = offset
        self.reader = reader
        self.children: list[Tlv] = []


def read_tlv(reader: Reader, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Tlv:
    """Read one TLV (and all it contains) from ``reader``, which moves past it.

    ``max_depth`` bounds the nesting (the TLV itself is level 1); deeper input is a
    :class:`DecodeError`. Only definite lengths are accepted (X.690 8.1.3.2 a).
    """
    if max_depth < 1:
        raise ValueError(f"max_depth must be at least 1, not {max_depth}")
    stack: list[_Frame] = []
    current = reader
    while True:
        start = current.pos
        if len(stack) >= max_depth:
            raise current.error(f"BER nesting deeper than {max_depth} levels (max_depth)", start)
        tag = read_tag(current)
        length, form = read_length(current, f"{tag}")
        offset = current.base + start
        if tag.constructed:
            child_reader = current.sub(length, f"the contents of {tag}")
            if length:
                stack.append(_Frame(tag, form, offset, child_reader))
                current = child_reader
                continue
            node = Tlv(tag=tag, length_octets=form, offset=offset)
        else:
            node = Tlv(tag=tag, value=current.bytes(length), length_octets=form, offset=offset)
        # Attach the finished node; close every enclosing TLV whose contents are used up.
        while stack:
            frame = stack[-1]
            frame.children.append(node)
            if not frame.reader.at_end:
                current = frame.reader
                break
            stack.pop()
            node = Tlv(
                tag=frame.tag,
                children=tuple(frame.children),
                length_octets=frame.form,
                offset=frame.offset,
            )
        else:
            return node


def decode(data: bytes | bytearray | memoryview, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Tlv:
    """Decode exactly one TLV; trailing bytes are a :class:`DecodeError`."""
    reader = Reader(data)
    tlv = read_tlv(reader, max_depth=max_depth)
    reader.expect_end(f"the BER value {tlv.tag}")
    return tlv


def decode_all(
    data: bytes | bytearray | memoryview, *, max_depth: int = DEFAULT_MAX_DEPTH
) -> tuple[Tlv, ...]:
    """Decode a concatenation of TLVs (possibly none)."""
    reader = Reader(data)
    items = []
    while not reader.at_end:
        items.append(read_tlv(reader, max_depth=max_depth))
    return tuple(items)


# ---------------------------------------------------------------------------------------
# Contents of the universal types ACSE uses. These work on contents octets, so they serve
# both the universal tags and the implicitly tagged fields of ACSE (e.g. [11] IMPLICIT
# OBJECT IDENTIFIER for mechanism-name). ``offset`` is where the contents start in the
# outer buffer (``Tlv.offset`` plus the header size); it only makes error messages exact.
# ---------------------------------------------------------------------------------------
def _error(message: str, offset: int | None, index: int = 0) -> DecodeError:
    return DecodeError(message, None if offset is None else offset + index)


def encode_oid(arcs: str | Sequence[int]) -> bytes:
    """Contents octets of an OBJECT IDENTIFIER (X.690 8.19).

    ``encode_oid("2.16.756.5.8.1.1") == bytes.fromhex("60857405080101")``: the first two arcs
    share one subidentifier (40 * X + Y), each subidentifier is base 128, bit 8 set on all
    octets but its last.
    """
    if isinstance(arcs, str):
        parts = arcs.split(".")
        if not all(part.isascii() and part.isdigit() for part in parts):
            raise EncodeError(f"not an object identifier: {arcs[:60]!r}")
        values = [int(part) for part in parts]
    else:
        values = list(arcs)
    if len(values) < 2:
        raise EncodeError("an object identifier has at least two arcs")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise EncodeError(f"object identifier arcs are non-negative ints, not {value!r}")
    first, second = values[0], values[1]
    if first > 2 or (first < 2 and second > 39):
        raise EncodeError(
            f"object identifier must start 0.0-39, 1.0-39 or 2.x, not {first}.{second}"
        )
    out = bytearray()
    for sub in (40 * first + second, *values[2:]):
        if sub.bit_length() > 7 * _MAX_ARC_OCTETS:
            raise EncodeError(f"object identifier arc longer than {_MAX_ARC_OCTETS} octets")
        out += _base128(sub)
    return bytes(out)


def decode_oid(content: bytes, *, offset: int | None = None) -> tuple[int, ...]:
    """Arcs of an OBJECT IDENTIFIER from its contents octets (X.690 8.19).

    Refused: empty contents, a subidentifier starting with ``0x80`` (8.19.2: not minimal),
    a truncated last subidentifier, and subidentifiers longer than 20 octets.
    """
    if not content:
        raise _error("empty object identifier (X.690 8.19.2)", offset)
    arcs: list[int] = []
    value = 0
    run = 0
    for index, octet in enumerate(content):
        if run == 0 and octet == 0x80:
            raise _error(
                "object identifier subidentifier starts with 0x80 (not minimal, X.690 8.19.2)",
                offset,
                index,
            )
        run += 1
        if run > _MAX_ARC_OCTETS:
            raise _error(
                f"object identifier subidentifier longer than {_MAX_ARC_OCTETS} octets",
                offset,
                index,
            )
        value = (value << 7) | (octet & 0x7F)
        if not octet & 0x80:
            if not arcs:
                # X.690 8.19.4: the first subidentifier packs the first two arcs.
                first = min(value // 40, 2)
                arcs += (first, value - 40 * first)
            else:
                arcs.append(value)
            value = 0
            run = 0
    if run:
        raise _error("object identifier ends inside a subidentifier", offset, len(content))
    return tuple(arcs)


def encode_integer(value: int) -> bytes:
    """Contents octets of an INTEGER: minimal two's complement (X.690 8.3)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise EncodeError(f"INTEGER takes an int, not {type(value).__name__}")
    size = ((value if value >= 0 else ~value).bit_length() + 8) // 8
    return value.to_bytes(size, "big", signed=True)


def decode_integer(content: bytes, *, offset: int | None = None) -> int:
    """The INTEGER in its contents octets (X.690 8.3; two's complement, big-endian).

    Empty contents are refused (8.3.1). A non-minimal encoding is accepted: the
    enclosing :class:`Tlv` keeps the octets, so nothing is lost on re-encoding.
    """
    if not content:
        raise _error("empty INTEGER (X.690 8.3.1)", offset)
    return int.from_bytes(content, "big", signed=True)


@dataclass(frozen=True, slots=True)
class BitString:
    """A BIT STRING value: ``data`` octets of which the last ``unused_bits`` are padding.

    Bit 0 is the most significant bit of the first octet (X.690 8.6.2.4): the ACSE
    requirements ``80 02 07 80`` are one bit, bit 0 (authentication) set.
    """

    data: bytes = b""
    unused_bits: int = 0

    def __post_init__(self) -> None:
        if type(self.data) is not bytes:
            object.__setattr__(self, "data", bytes(self.data))
        if isinstance(self.unused_bits, bool) or not 0 <= self.unused_bits <= 7:
            raise EncodeError(f"unused bits must be 0..7, not {self.unused_bits!r}")
        if self.unused_bits and not self.data:
            raise EncodeError("an empty BIT STRING has no unused bits (X.690 8.6.2.3)")

    def __len__(self) -> int:
        """Number of bits."""
        return 8 * len(self.data) - self.unused_bits

    def bit(self, index: int) -> bool:
        """Bit ``index`` (0 = most significant bit of the first octet)."""
        if not 0 <= index < len(self):
            raise IndexError(f"bit {index} out of range for a {len(self)}-bit string")
        return bool(self.data[index >> 3] & (0x80 >> (index & 7)))

    @classmethod
    def from_bits(cls, bits: Iterable[bool]) -> BitString:
        """A bit string from booleans, bit 0 first."""
        flags = [bool(b) for b in bits]
        data = bytearray((len(flags) + 7) // 8)
        for index, flag in enumerate(flags):
            if flag:
                data[index >> 3] |= 0x80 >> (index & 7)
        return cls(bytes(data), -len(flags) % 8)


def encode_bit_string(value: BitString) -> bytes:
    """Contents octets of a BIT STRING: the unused-bits octet, then the data (X.690 8.6.2)."""
    return bytes((value.unused_bits,)) + value.data


def decode_bit_string(content: bytes, *, offset: int | None = None) -> BitString:
    """A BIT STRING from its (primitive) contents octets (X.690 8.6.2)."""
    if not content:
        raise _error("empty BIT STRING: the unused-bits octet is missing (X.690 8.6.2.2)", offset)
    unused = content[0]
    if unused > 7:
        raise _error(f"BIT STRING with {unused} unused bits; at most 7 (X.690 8.6.2.2)", offset)
    if unused and len(content) == 1:
        raise _error("empty BIT STRING with unused bits (X.690 8.6.2.3)", offset)
    return BitString(bytes(content[1:]), unused)


def decode_octet_string(tlv: Tlv) -> bytes:
    """The octets of an OCTET STRING, primitive or constructed (X.690 8.7).

    The tag is not checked (ACSE tags its fields implicitly). The constructed form is a
    concatenation of OCTET STRING segments (8.7.3.2), nested as deep as :func:`decode`
    allowed; it is flattened without recursion.
    """
    if not tlv.tag.constructed:
        return tlv.value
    parts: list[bytes] = []
    # Depth-first, in order: a stack of the segments still to visit, next one on top.
    stack = list(reversed(tlv.children))
    while stack:
        node = stack.pop()
        if node.tag.cls is not TagClass.UNIVERSAL or node.tag.number != UniversalTag.OCTET_STRING:
            raise DecodeError(
                f"segment {node.tag} of a constructed OCTET STRING is not an OCTET STRING "
                "(X.690 8.7.3.2)",
                node.offset,
            )
        if node.tag.constructed:
            stack.extend(reversed(node.children))
        else:
            parts.append(node.value)
    return b"".join(parts)


def encode_graphic_string(text: str) -> bytes:
    """Contents octets of a GraphicString, one octet per character (ISO 8859-1).

    ACSE carries passwords (LLS) and challenges (HLS) in ``[0] IMPLICIT GraphicString``
    (Green Book 9.4.2.2.2); in practice these are arbitrary octets, so every character
    0..255 is accepted and maps to the octet of the same value.
    """
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise EncodeError(
            f"GraphicString character {text[exc.start]!r} at index {exc.start} is not in 0..255"
        ) from None


def decode_graphic_string(content: bytes) -> str:
    """A GraphicString's contents octets as text (ISO 8859-1: lossless for any octets)."""
    return bytes(content).decode("latin-1")
