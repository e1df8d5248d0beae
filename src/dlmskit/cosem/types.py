"""Value types shared by several COSEM interface classes (Blue Book, DLMS UA 1000-1).

Each is a frozen dataclass mirroring one Blue Book ``structure {...}``, with
``from_data`` (A-XDR value → typed value, :class:`~dlmskit.errors.DecodeError` naming the
type and field) and ``to_data`` (typed value → A-XDR value), byte-exact for the values a
meter sends. Value types used by one class only live next to that class.
"""

from __future__ import annotations

from dataclasses import dataclass

from dlmskit.cosem.classes._comm_fields import (
    I8,
    OBIS,
    U16,
    ValueStruct,
    kind_field,
)
from dlmskit.obis import Obis

__all__ = ["CaptureObjectDefinition"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureObjectDefinition(ValueStruct):
    """One column of a profile (Blue Book 4.3.6 ``capture_object_definition``).

    ``attribute_index`` 0 captures every attribute; ``data_index`` 0 the whole value, n
    the n-th element of an array/structure value (for a buffer, selective access).
    """

    class_id: int = kind_field(U16)
    logical_name: Obis = kind_field(OBIS)  # noqa: RUF009  (a field spec, not a default)
    attribute_index: int = kind_field(I8)
    data_index: int = kind_field(U16)
