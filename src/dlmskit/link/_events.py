"""What every link layer shares: the ``NEED_DATA`` sentinel and the serial line settings.

``next_event()`` returns :data:`NEED_DATA` when the bytes received so far hold no complete
event (the h11 / h2 convention). :class:`LineSettings` describes a serial line (mode E
switches it after the IEC 62056-21 opening sequence).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["NEED_DATA", "LineSettings"]


class _NeedData:
    """The type of :data:`NEED_DATA`; there is exactly one instance."""

    __slots__ = ()
    _instance: _NeedData | None = None

    def __new__(cls) -> _NeedData:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NEED_DATA"

    def __reduce__(self) -> str:
        return "NEED_DATA"


NEED_DATA: Final = _NeedData()
"""Returned by ``next_event()`` when more bytes are needed before the next event."""

_PARITIES: Final = frozenset({"N", "E", "O"})


@dataclass(frozen=True, slots=True, kw_only=True)
class LineSettings:
    """Serial line settings: ``baud``, ``data_bits`` (5..8), ``parity`` ('N', 'E' or 'O'),
    ``stop_bits`` (1 or 2)."""

    baud: int
    data_bits: int
    parity: str
    stop_bits: int

    def __post_init__(self) -> None:
        if not isinstance(self.baud, int) or self.baud <= 0:
            raise ValueError(f"baud must be a positive int, not {self.baud!r}")
        if self.data_bits not in (5, 6, 7, 8):
            raise ValueError(f"data_bits must be 5..8, not {self.data_bits!r}")
        if self.parity not in _PARITIES:
            raise ValueError(f"parity must be 'N', 'E' or 'O', not {self.parity!r}")
        if self.stop_bits not in (1, 2):
            raise ValueError(f"stop_bits must be 1 or 2, not {self.stop_bits!r}")
