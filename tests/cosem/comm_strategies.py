"""Hypothesis strategies for the value types of cosem/classes/comm, media and payment.

A strategy is derived from each field's wire kind (``kind_field`` metadata), so every value
type gets a round-trip property test without a hand-written generator.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.cosem.classes import _declare as f
from dlmskit.cosem.classes.comm import PushObject, RestrictionElement
from dlmskit.cosem.types import CaptureObjectDefinition
from dlmskit.cosem_time import CosemDateTime
from dlmskit.obis import Obis

_ANY_VALUES: list[axdr.Value] = [
    None,
    axdr.Unsigned(5),
    axdr.LongUnsigned(0x1234),
    axdr.OctetString(b"\x01\x02"),
    axdr.Structure((axdr.DoubleLongUnsigned(1), axdr.DoubleLongUnsigned(9))),
    axdr.Array((axdr.Enum(1),)),
]

obis_codes = st.tuples(*[st.integers(0, 255)] * 6).map(lambda t: Obis(*t))
date_times = st.binary(min_size=12, max_size=12).map(CosemDateTime.from_bytes)


def for_kind(kind: f.Kind) -> st.SearchStrategy[Any]:
    """A strategy of Python values that ``kind.encode`` accepts."""
    if isinstance(kind, f.IntKind):
        if kind.any_int:
            return st.sampled_from([axdr.Enum, axdr.Unsigned]).flatmap(
                lambda t: st.integers(t.MIN, t.MAX).map(t)
            )
        t = kind.axdr_type
        return st.integers(t.MIN, t.MAX)
    if isinstance(kind, f.EnumKind):
        return st.integers(0, 255).map(kind.enum_type)
    if isinstance(kind, f.OctetsKind):
        if kind.size is not None:
            return st.binary(min_size=kind.size, max_size=kind.size)
        return st.binary(max_size=20)
    if isinstance(kind, f.ObisKind):
        return obis_codes
    if isinstance(kind, f.DateTimeKind):
        return date_times if kind.tagged else st.none() | date_times
    if isinstance(kind, f.StrKind):
        if kind.axdr_type is axdr.VisibleString:
            return st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
        return st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
    if isinstance(kind, f.BoolKind):
        return st.booleans()
    if isinstance(kind, f.BitsKind):
        return st.text("01", max_size=24).map(axdr.BitString.from_bits)
    if isinstance(kind, f.AnyKind):
        return st.sampled_from(_ANY_VALUES)
    if isinstance(kind, f.ArrayKind):
        return st.lists(for_kind(kind.item), max_size=3).map(tuple)
    if isinstance(kind, f.StructKind):
        return for_type(kind.value_type)
    raise AssertionError(f"no strategy for {kind!r}")


def for_type(cls: type[Any]) -> st.SearchStrategy[Any]:
    """A strategy of instances of a value type."""
    if cls is PushObject:
        return push_objects()
    fields = {field.name: for_kind(field.metadata["dlms"]) for field in dataclasses.fields(cls)}
    return st.builds(cls, **fields)


@st.composite
def push_objects(draw: st.DrawFn) -> PushObject:
    """Push objects of all three forms (4, 5 and 6 elements)."""
    version = draw(st.integers(0, 2))
    restriction = draw(for_type(RestrictionElement)) if version >= 1 else None
    columns = (
        draw(st.lists(for_type(CaptureObjectDefinition), max_size=2)) if version == 2 else None
    )
    return PushObject(
        class_id=draw(st.integers(0, 0xFFFF)),
        logical_name=draw(obis_codes),
        attribute_index=draw(st.integers(-128, 127)),
        data_index=draw(st.integers(0, 0xFFFF)),
        restriction=restriction,
        columns=None if columns is None else tuple(columns),
    )
