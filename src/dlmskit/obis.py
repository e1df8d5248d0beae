"""OBIS codes: the six-group identifiers of COSEM objects (IEC 62056-6-1).

An OBIS code names a COSEM object by six value groups A..F, each one octet::

    A      B       C          D           E          F
    medium channel quantity   processing  tariff /   billing period /
                                          classifier historical value

On the wire (the ``logical_name`` attribute of every interface class, Blue Book 4.1.2) it is
an ``octet-string`` of exactly six bytes, A first::

    01 00 01 08 00 FF   =  1.0.1.8.0.255  =  1-0:1.8.0*255   (active energy import, total)

:class:`Obis` is an immutable ``tuple`` of the six ints: construction, hashing, ordering and
unpacking run in C, and it can be used as a dict key. Ordering is by the six octets (which is
the order of the groups as numbers). Equality and ordering are *strict*: an ``Obis`` never
compares equal to a plain tuple, a string or bytes, so ``Obis(1, 0, 1, 8, 0) == (1, 0, 1, 8,
0, 255)`` is ``False`` and ``<`` against a tuple raises ``TypeError``. Convert explicitly
(``Obis(*t)``, ``Obis.parse(s)``, ``Obis.from_bytes(b)``).

Text forms accepted by :meth:`Obis.parse` (surrounding whitespace is ignored; groups are
ASCII decimal numbers of one to three digits, each 0..255):

=========================  ======================================================
``1.0.1.8.0.255``          dotted, all six groups (the form :func:`str` gives)
``1-0:1.8.0*255``          IEC 62056-6-1 notation (the form ``format(x, "iec")`` gives)
``1-0:1.8.0.255``          IEC notation with ``.`` before F
``1-0:1.8.0&255``          IEC notation with ``&`` before F (sent by some meters)
``1-0:1.8.0``              IEC notation without F: F defaults to 255
``0100010800FF``           12 hex digits, either case, optionally prefixed ``0x``
``01 00 01 08 00 FF``      six hex octets separated by single spaces or by colons
=========================  ======================================================

Refused on purpose, because the missing groups cannot be inferred from the text: the
IEC 62056-21 short forms ``1.8.0`` / ``1.8.0*255`` / ``C.D.E.F`` (A, the medium, and B, the
channel, are implied by the meter, not by the code) and five dotted groups ``1.0.1.8.0``
(a six-group code with a group missing looks the same). Write ``1-0:1.8.0`` instead.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from typing import Final, Self, SupportsIndex, overload

from dlmskit._buffer import Reader

__all__ = ["Obis"]

_GROUP_NAMES: Final = "ABCDEF"
_MAX_TEXT: Final = 64  # longer than any accepted form; refused before any regex runs

_DEC: Final = r"([0-9]+)"
# IEC 62056-6-1 notation "A-B:C.D.E*F", F optional and introduced by '*', '.' or '&'.
_IEC_RE: Final = re.compile(rf"{_DEC}-{_DEC}:{_DEC}\.{_DEC}\.{_DEC}(?:[*.&]{_DEC})?", re.ASCII)
_DOTTED_RE: Final = re.compile(r"[0-9]+(?:\.[0-9]+)*", re.ASCII)
_HEX_RE: Final = re.compile(r"(?:0[xX])?([0-9A-Fa-f]{12})", re.ASCII)
_HEX_SEP_RE: Final = re.compile(r"[0-9A-Fa-f]{2}(?:([ :])[0-9A-Fa-f]{2})(?:\1[0-9A-Fa-f]{2}){4}")

_FORMS: Final = "expected A.B.C.D.E.F, A-B:C.D.E[*F], or 12 hex digits"


def _show(text: str) -> str:
    """The input as quoted in error messages: short, so a huge input cannot flood a log."""
    return repr(text) if len(text) <= 40 else repr(text[:40]) + "..."


class Obis(tuple[int, int, int, int, int, int]):
    """An OBIS code: six value groups A..F, each 0..255 (IEC 62056-6-1 clause 4).

    ``Obis(a, b, c, d, e, f=255)`` validates every group; ``Obis(other_obis)`` returns the
    same (immutable) value; ``Obis(text)`` is ``Obis.parse(text)`` (so ``repr`` round-trips).
    The groups are available as attributes ``a`` .. ``f``, by index, and by unpacking
    (``a, b, c, d, e, f = code``).

    Formats: ``str(x)`` and ``format(x, "dotted")`` give ``1.0.1.8.0.255``; ``x.to_iec()``
    and ``format(x, "iec")`` give ``1-0:1.8.0*255``; ``format(x, "hex")`` gives
    ``0100010800FF``; ``repr(x)`` gives ``Obis('1.0.1.8.0.255')``.
    """

    __slots__ = ()
    __match_args__ = ("a", "b", "c", "d", "e", "f")

    @overload
    def __new__(cls, a: Obis | str, /) -> Self: ...
    @overload
    def __new__(cls, a: int, b: int, c: int, d: int, e: int, f: int = 255) -> Self: ...

    def __new__(  # noqa: PLR0917 -- the six groups are positional by nature
        cls,
        a: int | Obis | str,
        b: int | None = None,
        c: int | None = None,
        d: int | None = None,
        e: int | None = None,
        f: int = 255,
    ) -> Self:
        if isinstance(a, Obis | str):
            if b is not None or c is not None or d is not None or e is not None or f != 255:
                raise TypeError(f"Obis({type(a).__name__}) takes no further groups")
            if isinstance(a, str):
                return cls.parse(a)
            if type(a) is cls:
                return a
            return tuple.__new__(cls, a)
        if b is None or c is None or d is None or e is None:
            missing = "BCDE"[[b, c, d, e].index(None)]
            raise TypeError(
                f"OBIS group {missing} is missing: Obis() takes the groups A, B, C, D, E and "
                "optionally F (default 255), or one str or Obis"
            )
        groups = (a, b, c, d, e, f)
        for value in groups:
            # Fast path: exact ints in range. Anything else gets the careful check below.
            if type(value) is not int or not 0 <= value <= 255:
                groups = _checked_groups(groups)
                break
        return tuple.__new__(cls, groups)

    # -- alternative constructors ------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Self:
        """Parse the text forms listed in the module docstring.

        Raises :class:`ValueError` naming what was wrong, e.g.
        ``OBIS group E '256' is out of range 0..255 in '1.0.1.8.256.255'``.
        """
        if not isinstance(text, str):
            raise TypeError(f"Obis.parse() takes a str, not {type(text).__name__}")
        s = text.strip()
        if len(s) > _MAX_TEXT:
            raise ValueError(f"not an OBIS code: {_show(text)} is too long ({_FORMS})")
        if not s:
            raise ValueError(f"not an OBIS code: empty text ({_FORMS})")

        if m := _IEC_RE.fullmatch(s):
            groups = m.groups()
            return cls._from_decimal(groups if groups[5] is not None else (*groups[:5], "255"), s)

        if _DOTTED_RE.fullmatch(s):
            parts = s.split(".")
            if len(parts) == 6:
                return cls._from_decimal(parts, s)
            if len(parts) in (3, 4, 5):
                raise ValueError(
                    f"not an OBIS code: {_show(s)} has {len(parts)} dot-separated groups, "
                    "expected 6 (A.B.C.D.E.F); short forms are ambiguous, write A-B:C.D.E "
                    "(e.g. '1-0:1.8.0') to let F default to 255"
                )
            if len(parts) > 1:
                raise ValueError(
                    f"not an OBIS code: {_show(s)} has {len(parts)} dot-separated groups, "
                    "expected 6 (A.B.C.D.E.F)"
                )

        if m := _HEX_RE.fullmatch(s):
            return cls.from_bytes(bytes.fromhex(m.group(1)))
        if _HEX_SEP_RE.fullmatch(s):
            return cls.from_bytes(bytes.fromhex(s.replace(":", " ")))

        # Give the most useful hint we can for a near miss.
        if "-" in s and ":" in s and "*" not in s and "&" not in s and s.count(".") < 2:
            raise ValueError(f"not an OBIS code: {_show(s)} needs C.D.E after ':' ({_FORMS})")
        if s.count("*") + s.count("&") > 1:
            raise ValueError(
                f"not an OBIS code: {_show(s)} has more than one F separator ({_FORMS})"
            )
        raise ValueError(f"not an OBIS code: {_show(s)} ({_FORMS})")

    @classmethod
    def _from_decimal(cls, parts: Sequence[str], text: str) -> Self:
        values = []
        for name, part in zip(_GROUP_NAMES, parts, strict=True):
            # Three digits at most: also keeps int() away from pathological digit strings.
            value = int(part) if len(part) <= 3 else 256
            if value > 255:
                raise ValueError(
                    f"OBIS group {name} {part!r} is out of range 0..255 in {_show(text)}"
                )
            values.append(value)
        return tuple.__new__(cls, values)

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> Self:
        """The OBIS code in exactly six octets (A first).

        Raises :class:`~dlmskit.errors.DecodeError` (with the offset) for any other length.
        """
        reader = Reader(data)
        code = cls.read(reader)
        reader.expect_end("an OBIS code (6 bytes)")
        return code

    @classmethod
    def read(cls, reader: Reader) -> Self:
        """Read six octets from ``reader`` (errors name the reader's offset)."""
        return tuple.__new__(cls, reader.bytes(6, "an OBIS code (6 bytes)"))

    # -- conversions ------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The six octets, A first (the ``logical_name`` octet-string content)."""
        return bytes(self)

    def __bytes__(self) -> bytes:
        return bytes(iter(self))

    def to_iec(self) -> str:
        """IEC 62056-6-1 notation, ``A-B:C.D.E*F`` (e.g. ``1-0:1.8.0*255``)."""
        return "{}-{}:{}.{}.{}*{}".format(*self)

    def to_dotted(self) -> str:
        """Dotted notation, ``A.B.C.D.E.F`` (e.g. ``1.0.1.8.0.255``)."""
        return "{}.{}.{}.{}.{}.{}".format(*self)

    def to_hex(self) -> str:
        """Twelve upper-case hex digits (e.g. ``0100010800FF``)."""
        return bytes(self).hex().upper()

    def __str__(self) -> str:
        return self.to_dotted()

    def __repr__(self) -> str:
        return f"Obis({self.to_dotted()!r})"

    def __format__(self, spec: str) -> str:
        if spec in ("", "dotted"):
            return self.to_dotted()
        if spec == "iec":
            return self.to_iec()
        if spec == "hex":
            return self.to_hex()
        raise ValueError(f"unknown OBIS format {spec!r}: use 'dotted', 'iec' or 'hex'")

    # -- groups -----------------------------------------------------------------------
    @property
    def a(self) -> int:
        """Group A: the medium (0 abstract, 1 electricity, 7 gas, ...)."""
        return self[0]

    @property
    def b(self) -> int:
        """Group B: the channel."""
        return self[1]

    @property
    def c(self) -> int:
        """Group C: the physical quantity or abstract data item."""
        return self[2]

    @property
    def d(self) -> int:
        """Group D: the processing (measurement type)."""
        return self[3]

    @property
    def e(self) -> int:
        """Group E: tariff rate or further classification."""
        return self[4]

    @property
    def f(self) -> int:
        """Group F: billing period / historical value (255 = not used)."""
        return self[5]

    # -- strict comparisons: an Obis is never equal to a plain tuple --------------------
    # Returning NotImplemented is not enough for tuples: Python would then try the reflected
    # tuple method, which accepts an Obis (a tuple subclass) and compares the ints.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Obis):
            return tuple.__eq__(self, other)
        return False if isinstance(other, tuple) else NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, Obis):
            return tuple.__ne__(self, other)
        return True if isinstance(other, tuple) else NotImplemented

    def __lt__(self, other: tuple[int, ...]) -> bool:
        if isinstance(other, Obis):
            return tuple.__lt__(self, other)
        return _not_comparable("<", other)

    def __le__(self, other: tuple[int, ...]) -> bool:
        if isinstance(other, Obis):
            return tuple.__le__(self, other)
        return _not_comparable("<=", other)

    def __gt__(self, other: tuple[int, ...]) -> bool:
        if isinstance(other, Obis):
            return tuple.__gt__(self, other)
        return _not_comparable(">", other)

    def __ge__(self, other: tuple[int, ...]) -> bool:
        if isinstance(other, Obis):
            return tuple.__ge__(self, other)
        return _not_comparable(">=", other)

    __hash__ = tuple.__hash__

    # -- pickling / copying: rebuild through __new__ with the six groups -----------------
    def __getnewargs__(self) -> tuple[int, int, int, int, int, int]:
        return (self[0], self[1], self[2], self[3], self[4], self[5])


def _not_comparable(op: str, other: object) -> bool:
    if isinstance(other, tuple):
        raise TypeError(f"'{op}' is not supported between Obis and {type(other).__name__}")
    return NotImplemented  # type: ignore[no-any-return]


def _checked_groups(groups: tuple[object, ...]) -> tuple[int, int, int, int, int, int]:
    """Validate the six groups one by one, with an error naming the offending group."""
    checked: list[int] = []
    for name, value in zip(_GROUP_NAMES, groups, strict=True):
        if isinstance(value, bool) or not isinstance(value, SupportsIndex):
            raise TypeError(f"OBIS group {name} must be an int, not {type(value).__name__}")
        number = operator.index(value)
        if not 0 <= number <= 255:
            raise ValueError(f"OBIS group {name} {number} is out of range 0..255")
        checked.append(number)
    return (checked[0], checked[1], checked[2], checked[3], checked[4], checked[5])
