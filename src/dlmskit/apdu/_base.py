"""The APDU registry and the conventions every APDU type follows.

Every APDU is a frozen, slotted, keyword-only dataclass deriving from :class:`Apdu`. It
validates in ``__post_init__`` (an invalid APDU cannot exist), writes itself *including
its tag bytes* with :meth:`Apdu.write`, and is read back by the decoder registered for
its first byte with :func:`register`. A family module (``get``, ``acse``, ...) registers
one decoder per tag; a tag whose APDUs are a CHOICE (``C0`` get-request: normal, next,
with-list) reads the choice byte in that decoder.

:func:`decode` picks the decoder by the first byte, and wraps any :class:`DecodeError`
so that it names the APDU: ``get-request: at offset 5: expected 6 bytes for
cosem-attribute-descriptor.instance-id, 2 left``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Final

from dlmskit._buffer import Reader
from dlmskit.errors import DecodeError, EncodeError

__all__ = [
    "DEFAULT_MAX_APDU_SIZE",
    "Apdu",
    "ApduDecoder",
    "decode",
    "decode_prefix",
    "encode",
    "register",
    "register_whole",
    "registered_tags",
]

#: Larger inputs are refused before decoding. GBT and block transfer reassemble larger
#: data above this layer, with their own bounds.
DEFAULT_MAX_APDU_SIZE: Final = 16 * 1024 * 1024

ApduDecoder = Callable[[Reader], "Apdu"]

_DECODERS: dict[int, tuple[str, ApduDecoder]] = {}

WholeDecoder = Callable[[bytes], "Apdu | None"]
_WHOLE: dict[int, WholeDecoder] = {}


@dataclass(frozen=True, slots=True, kw_only=True)
class Apdu:
    """Base of every APDU type.

    Subclasses set ``TAG`` (the first byte) and ``NAME`` (the Green Book name, e.g.
    ``"get-request-normal"``) and implement :meth:`write`.
    """

    TAG: ClassVar[int]
    NAME: ClassVar[str]

    def write(self, out: bytearray) -> None:  # pragma: no cover - every subclass overrides
        """Append the whole APDU, tag bytes included, to ``out``."""
        raise TypeError(f"{type(self).__name__} is an abstract APDU base and has no encoding")

    def to_bytes(self) -> bytes:
        out = bytearray()
        self.write(out)
        return bytes(out)

    def __bytes__(self) -> bytes:
        return self.to_bytes()


def register(tag: int, name: str) -> Callable[[ApduDecoder], ApduDecoder]:
    """Decorator: ``decoder`` reads APDUs whose first byte is ``tag``.

    The decoder receives a reader positioned *after* the tag byte and returns the APDU;
    the registry checks that nothing is left over.
    """
    if not 0 <= tag <= 0xFF:
        raise ValueError(f"an APDU tag is one byte, got {tag}")

    def add(decoder: ApduDecoder) -> ApduDecoder:
        existing = _DECODERS.get(tag)
        if existing is not None and existing[1] is not decoder:
            raise ValueError(f"APDU tag 0x{tag:02X} is already registered for {existing[0]}")
        _DECODERS[tag] = (name, decoder)
        return decoder

    return add


def register_whole(tag: int) -> Callable[[WholeDecoder], WholeDecoder]:
    """Decorator: a fast path for the commonest shape of the APDUs with ``tag``.

    ``decoder`` receives a whole APDU (``bytes``, tag included) and returns it decoded,
    or None for anything it does not take (the registered decoder then reads it as
    usual); it must take only inputs the registered decoder reads to the same APDU.
    """

    def add(decoder: WholeDecoder) -> WholeDecoder:
        if tag not in _DECODERS:
            raise ValueError(f"APDU tag 0x{tag:02X}: register its decoder first")
        _WHOLE[tag] = decoder
        return decoder

    return add


def registered_tags() -> dict[int, str]:
    """Tag → APDU name of every registered decoder (for tools and tests)."""
    return {tag: name for tag, (name, _) in sorted(_DECODERS.items())}


def decode_prefix(reader: Reader) -> Apdu:
    """Read one APDU from ``reader`` (which may hold more after it)."""
    start = reader.pos
    tag = reader.u8("an APDU tag")
    entry = _DECODERS.get(tag)
    if entry is None:
        raise DecodeError(f"unknown APDU tag 0x{tag:02X}", reader.base + start)
    name, decoder = entry
    try:
        return decoder(reader)
    except DecodeError as exc:
        if exc.reason.startswith(name + ":"):
            raise
        raise DecodeError(f"{name}: {exc.reason}", exc.offset) from None


def decode(data: bytes | bytearray | memoryview, *, max_size: int = DEFAULT_MAX_APDU_SIZE) -> Apdu:
    """Decode exactly one APDU; its type is chosen by the first byte.

    Raises :class:`DecodeError` naming the APDU, the field and the offset.
    """
    if len(data) > max_size:
        raise DecodeError(f"APDU of {len(data)} bytes exceeds the maximum of {max_size}", 0)
    if data and type(data) is bytes:
        whole = _WHOLE.get(data[0])
        if whole is not None:
            fast = whole(data)
            if fast is not None:
                return fast
    reader = Reader(data)
    apdu = decode_prefix(reader)
    if not reader.at_end:
        raise DecodeError(
            f"{apdu.NAME}: {reader.remaining} unexpected trailing byte(s)", reader.pos
        )
    return apdu


def encode(apdu: Apdu) -> bytes:
    """The wire bytes of an APDU (the inverse of :func:`decode`)."""
    if not isinstance(apdu, Apdu):
        raise EncodeError(f"{type(apdu).__name__} is not an APDU")
    return apdu.to_bytes()


def field_values(apdu: Apdu) -> dict[str, Any]:
    """The dataclass fields of an APDU, in declaration order (for the translator)."""
    return {f.name: getattr(apdu, f.name) for f in fields(apdu)}
