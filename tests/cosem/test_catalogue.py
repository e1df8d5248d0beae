"""The class registry (cosem/classes/_base) and the catalogue of every declared class.

Every registered class version (from every class module) is checked against the rules of
the Blue Book (DLMS UA 1000-1, 4.1.2: attribute 1 is ``logical_name``, octet-string(6);
indices unique) and every attribute and method parameter codec round-trips values drawn
by hypothesis from its declared kind: encode → bytes → decode → the same bytes.
"""

from __future__ import annotations

import dataclasses
import io
import ipaddress
from contextlib import redirect_stdout, suppress
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.cosem import types as t
from dlmskit.cosem.__main__ import classes_report, main
from dlmskit.cosem.classes import (
    ClassSpec,
    GenericClassSpec,
    catalogue,
    find,
    lookup,
    register,
    versions,
)
from dlmskit.cosem.classes import _declare as f
from dlmskit.cosem.classes.comm import PushObject
from dlmskit.cosem.units import ScalerUnit, Unit
from dlmskit.cosem_time import CosemDate, CosemTime
from dlmskit.errors import DecodeError

from .comm_strategies import date_times, obis_codes, push_objects

_ANY_VALUES: list[axdr.Value] = [
    None,
    axdr.Unsigned(5),
    axdr.LongUnsigned(0x1234),
    axdr.OctetString(b"\x01\x02"),
    axdr.Structure((axdr.DoubleLongUnsigned(1), axdr.Boolean(True))),
    axdr.Array((axdr.Enum(1), axdr.Enum(2))),
]

#: Strategies for value types whose wire form is not one fixed structure (they override
#: from_data/to_data); other modules' tests add theirs here.
SPECIAL: dict[type[Any], st.SearchStrategy[Any]] = {
    PushObject: push_objects(),
    ScalerUnit: st.builds(ScalerUnit, st.integers(-128, 127), st.integers(0, 255).map(Unit)),
}

_I8 = st.integers(-128, 127)


def access_rights(version: int, *, short: bool = False) -> st.SearchStrategy[t.AccessRights]:
    """Access rights in the form of an Association LN of ``version``."""
    modes: st.SearchStrategy[int] = (
        st.integers(0, 255).map(t.AccessBits)
        if version >= 3
        else st.integers(0, 255).map(t.AttributeAccessMode)
    )
    method_modes: st.SearchStrategy[bool | int] = (
        st.booleans()
        if version == 0
        else st.integers(0, 255).map(t.AccessBits if version >= 3 else t.MethodAccessMode)
    )
    selectors = st.none() | st.lists(_I8, max_size=3).map(tuple)
    attribute = st.builds(
        t.AttributeAccess, _I8, modes, st.none() if short else selectors, st.just(short)
    )
    method = st.builds(t.MethodAccess, _I8, method_modes)
    return st.builds(
        t.AccessRights,
        st.lists(attribute, max_size=3).map(tuple),
        st.lists(method, max_size=3).map(tuple),
    )


def object_list_elements(version: int) -> st.SearchStrategy[t.ObjectListElement]:
    """Association LN object_list elements of ``version``."""
    return st.builds(
        t.ObjectListElement,
        st.integers(0, 0xFFFF),
        st.integers(0, 255),
        obis_codes,
        access_rights(version),
    )


SPECIAL[t.ShortNameAccessRights] = st.builds(
    t.ShortNameAccessRights, st.integers(-0x8000, 0x7FFF), access_rights(1, short=True)
)


def for_kind(kind: f.Kind) -> st.SearchStrategy[Any]:
    """A strategy of Python values that ``kind.encode`` accepts."""
    special = getattr(kind, "strategy", None)
    if special is not None:
        return special  # type: ignore[no-any-return]
    if isinstance(kind, f.IntKind):
        if kind.any_int:
            return st.sampled_from([axdr.Enum, axdr.Unsigned, axdr.Long]).flatmap(
                lambda t: st.integers(t.MIN, t.MAX).map(t)
            )
        int_type = kind.axdr_type
        return st.integers(int_type.MIN, int_type.MAX)
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
    if isinstance(kind, f.NullOrKind):
        return st.none() | for_kind(kind.inner)
    if isinstance(kind, f.Ipv4Kind):
        return st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address)
    if isinstance(kind, f.Ipv6Kind):
        return st.none() | st.binary(min_size=16, max_size=16).map(ipaddress.IPv6Address)
    if isinstance(kind, f.StructKind):
        return for_type(kind.value_type)
    if isinstance(kind, t.DateKind):
        return st.binary(min_size=5, max_size=5).map(CosemDate.from_bytes)
    if isinstance(kind, t.TimeKind):
        return st.binary(min_size=4, max_size=4).map(CosemTime.from_bytes)
    if isinstance(kind, t.ChoiceKind):
        return st.one_of([for_kind(option) for option in kind.options])
    if isinstance(kind, t.AccessRightsKind):
        return access_rights(kind.version)
    if isinstance(kind, t.ObjectListKind):
        return object_list_elements(kind.version)
    # A module's own kind: it says how to draw values by a ``strategy`` attribute.
    raise AssertionError(f"no strategy for {kind!r}")


def for_type(cls: type[Any]) -> st.SearchStrategy[Any]:
    """A strategy of instances of a value type."""
    if cls in SPECIAL:
        return SPECIAL[cls]
    strategy = getattr(cls, "hypothesis_strategy", None)
    if strategy is not None:
        return strategy()  # type: ignore[no-any-return]
    fields = {field.name: for_kind(field.metadata["dlms"]) for field in dataclasses.fields(cls)}
    return st.builds(cls, **fields)


SPECS = catalogue()
IDS = [f"{spec.class_id}v{spec.version}" for spec in SPECS]


def test_catalogue_is_sorted_and_unique() -> None:
    keys = [(spec.class_id, spec.version) for spec in SPECS]
    assert keys == sorted(set(keys))
    assert len(SPECS) >= 60  # the communication modules alone declare 65


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_declaration_follows_the_blue_book_rules(spec: ClassSpec) -> None:
    attributes = spec.all_attributes
    assert attributes[0].name == "logical_name"
    assert isinstance(attributes[0].kind, f.ObisKind)
    names = [a.name for a in attributes]
    assert len(names) == len(set(names))
    assert all(n == n.lower() and " " not in n for n in names)  # snake_case
    methods = [m.name for m in spec.methods]
    assert len(methods) == len(set(methods))
    assert lookup(spec.class_id, spec.version) is spec
    assert find(spec.class_id, spec.version) is spec
    assert spec.version in versions(spec.class_id)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_codec_round_trips(spec: ClassSpec, data: st.DataObject) -> None:
    for index, attribute in enumerate(spec.all_attributes, start=1):
        obj = data.draw(for_kind(attribute.kind), label=attribute.name)
        wire = spec.encode_attribute(index, obj)
        back = spec.decode_attribute(index, wire)
        assert spec.encode_attribute(index, back) == wire, attribute.name
    for index, method in enumerate(spec.methods, start=1):
        if method.parameter is None:
            continue
        obj = data.draw(for_kind(method.parameter), label=method.name)
        wire = spec.encode_method_parameter(index, obj)
        back = spec.decode_method_parameter(index, wire)
        assert spec.encode_method_parameter(index, back) == wire, method.name


def test_unknown_class_is_generic() -> None:
    spec = lookup(9000, 0)
    assert isinstance(spec, GenericClassSpec)
    assert spec.generic
    assert find(9000, 0) is None
    assert spec.attribute(1).name == "logical_name"
    # Any attribute decodes to the raw A-XDR value and re-encodes byte-exact.
    wire = bytes.fromhex("020212000109060100010800FF")
    value = spec.decode_attribute(5, wire)
    assert value == axdr.Structure((axdr.LongUnsigned(1), axdr.OctetString.fromhex("0100010800FF")))
    assert spec.encode_attribute(5, value) == wire
    # Manufacturer-specific negative indices (Blue Book 4.1.2).
    assert spec.attribute(-3).name == "attribute_m3"
    assert spec.method(2).name == "method_2"
    assert spec.decode_method_parameter(-1, b"\x0f\x00") == axdr.Integer(0)
    # Logical name stays typed.
    assert str(spec.decode_attribute(1, bytes.fromhex("09060100010800FF"))) == "1.0.1.8.0.255"


def test_undeclared_version_keeps_the_class_name() -> None:
    known = SPECS[0]
    spec = lookup(known.class_id, 250)
    assert isinstance(spec, GenericClassSpec)
    assert spec.name == known.name
    assert lookup(known.class_id, 250) is spec  # cached


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((-1, 0), ValueError),
        ((0x10000, 0), ValueError),
        ((1, 256), ValueError),
        (("1", 0), TypeError),
        ((True, 0), TypeError),
    ],
)
def test_lookup_refuses_bad_keys(args: tuple[Any, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        lookup(*args)


def test_generic_refuses_index_zero_and_out_of_range() -> None:
    spec = lookup(9001, 0)
    for bad in (0, 128, -129):
        with pytest.raises(ValueError, match="index"):
            spec.attribute(bad)
    with pytest.raises(TypeError):
        spec.method("1")  # type: ignore[arg-type]


def test_register_refuses_a_second_declaration_of_the_same_key() -> None:
    existing = SPECS[0]
    register(existing)  # the same declaration again is harmless
    clash = ClassSpec(existing.class_id, existing.version, "Other", ())
    with pytest.raises(ValueError, match="already declared"):
        register(clash)
    with pytest.raises(ValueError, match="repeated"):
        register(ClassSpec(9002, 0, "Twice", (f.AttrSpec("a", f.U8), f.AttrSpec("a", f.U8))))
    with pytest.raises(ValueError, match="logical_name"):
        register(ClassSpec(9003, 0, "LN", (f.AttrSpec("logical_name", f.OBIS),)))
    with pytest.raises(TypeError):
        register(lookup(9004, 0))
    assert find(9002, 0) is None


def test_decode_error_names_class_version_and_attribute() -> None:
    spec = SPECS[0]
    with pytest.raises(DecodeError, match=rf"\(class {spec.class_id}, version {spec.version}\)"):
        spec.decode_attribute(1, b"\x12\x00\x01")


def test_classes_command_prints_every_version_and_totals() -> None:
    lines = classes_report()
    assert len(lines) == len(SPECS) + 2  # header, one per version, totals
    total = lines[-1]
    attributes = sum(len(s.all_attributes) for s in SPECS)
    methods = sum(len(s.methods) for s in SPECS)
    ids = len({s.class_id for s in SPECS})
    assert total == (
        f"total: {ids} classes, {len(SPECS)} class versions, "
        f"{attributes} attributes, {methods} methods"
    )
    first = SPECS[0]
    assert lines[1].split()[:2] == [str(first.class_id), str(first.version)]
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["classes"]) == 0
    assert out.getvalue().splitlines() == lines
    assert main(["bogus"]) == 2


# (class id, versions) the COSEM-CORE brief lists, every one must be registered.
CORE_CLASSES = {
    1: (0,), 3: (0,), 4: (0,), 5: (0,), 6: (0,), 7: (0, 1), 8: (0,), 9: (0,), 10: (0,),
    11: (0,), 12: (0, 1, 2), 15: (0, 1, 2, 3), 17: (0,), 18: (0,), 20: (0,), 21: (0,),
    22: (0,), 26: (0,), 61: (0,), 62: (0, 1), 63: (0,), 64: (0, 1), 65: (0,), 67: (0,),
    68: (0,), 70: (0,), 71: (0,), 122: (0,), 123: (0,), 124: (0,),
}  # fmt: skip


def test_every_core_class_is_registered() -> None:
    for class_id, expected in CORE_CLASSES.items():
        assert versions(class_id) == expected, class_id
        for version in expected:
            assert not isinstance(lookup(class_id, version), GenericClassSpec)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_garbage_gives_a_value_or_a_decode_error(spec: ClassSpec, data: st.DataObject) -> None:
    """Random A-XDR values (and raw bytes) for every attribute and method parameter."""
    values = st.recursive(
        st.sampled_from(_ANY_VALUES)
        | st.binary(max_size=14).map(axdr.OctetString)
        | st.integers(-128, 127).map(axdr.Integer),
        lambda inner: (
            st.lists(inner, max_size=4).map(lambda v: axdr.Structure(tuple(v)))
            | st.lists(inner, max_size=3).map(lambda v: axdr.Array(tuple(v)))
        ),
        max_leaves=12,
    )
    for index in range(1, len(spec.all_attributes) + 1):
        for wire in (axdr.encode(data.draw(values)), data.draw(st.binary(max_size=30))):
            try:
                value = spec.decode_attribute(index, wire)
            except DecodeError:
                continue
            assert spec.encode_attribute(index, value) is not None
    for index, method in enumerate(spec.methods, start=1):
        if method.parameter is None:
            continue
        with suppress(DecodeError):
            spec.decode_method_parameter(index, axdr.encode(data.draw(values)))


def test_a_decoded_octet_string_is_a_value_not_wire_bytes() -> None:
    """An axdr.OctetString is a bytes subclass: passed to decode_attribute it is the decoded
    logical name, while plain bytes are tagged A-XDR to decode (09 06 ...)."""
    from dlmskit import axdr as _axdr
    from dlmskit.cosem.classes import lookup as _lookup
    from dlmskit.obis import Obis as _Obis

    spec = _lookup(1, 0)
    raw = bytes([0, 0, 42, 0, 0, 255])
    assert spec.decode_attribute(1, _axdr.OctetString(raw)) == _Obis.parse("0.0.42.0.0.255")
    assert spec.decode_attribute(1, b"\x09\x06" + raw) == _Obis.parse("0.0.42.0.0.255")
