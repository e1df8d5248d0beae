"""Tests of dlmskit.translate: APDUs to JSON trees and XML, and back, losslessly."""

from __future__ import annotations

import importlib
import json
import pkgutil
from dataclasses import dataclass
from enum import IntFlag
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlmskit import apdu, axdr, translate
from dlmskit.apdu._base import Apdu
from dlmskit.apdu.common import (
    CosemAttributeDescriptor,
    DataAccessResult,
    InvokeIdAndPriority,
)
from dlmskit.cosem_time import CosemDateTime
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis

from . import apdu as apdu_tests
from .test_axdr import VALUES
from .vectors import item, push_records, record


class _Flags(IntFlag):
    A = 1
    B = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class _Leaf:
    number: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _Probe(Apdu):
    """Not a real APDU: one field of every kind the translator must handle."""

    TAG = 0xFE
    NAME = "translator-probe"

    invoke_id_and_priority: InvokeIdAndPriority
    descriptor: CosemAttributeDescriptor
    flag: bool
    count: int
    raw: axdr.OctetString
    plain: bytes
    result: DataAccessResult
    flags: _Flags
    logical_name: Obis
    stamp: CosemDateTime
    optional_leaf: _Leaf | None
    leaves: tuple[_Leaf, ...]
    choice: _Leaf | DataAccessResult | axdr.Value
    data: axdr.Value
    inner: Apdu | None


def _probes(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[_Probe]:
    leaf = st.builds(_Leaf, number=st.integers(-(2**40), 2**40), text=st.text(max_size=8))
    return st.builds(
        _Probe,
        invoke_id_and_priority=st.integers(0, 255).map(InvokeIdAndPriority),
        descriptor=st.builds(
            CosemAttributeDescriptor,
            class_id=st.integers(0, 0xFFFF),
            instance_id=st.tuples(*[st.integers(0, 255)] * 6).map(lambda t: Obis(*t)),
            attribute_id=st.integers(-128, 127),
        ),
        flag=st.booleans(),
        count=st.integers(0, 2**32),
        raw=st.binary(max_size=20).flatmap(
            lambda b: st.sampled_from([None, 1, 2]).map(axdr.OctetString(b).with_length_form)
        ),
        plain=st.binary(max_size=8),
        result=st.integers(0, 255).map(DataAccessResult),
        flags=st.integers(0, 3).map(_Flags),
        logical_name=st.tuples(*[st.integers(0, 255)] * 6).map(lambda t: Obis(*t)),
        stamp=st.binary(min_size=12, max_size=12).map(CosemDateTime.from_bytes),
        optional_leaf=st.none() | leaf,
        leaves=st.lists(leaf, max_size=3).map(tuple),
        choice=st.one_of(leaf, st.integers(0, 255).map(DataAccessResult), VALUES),
        data=VALUES,
        inner=inner,
    )


PROBES = _probes(st.none() | _probes(st.none()))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(PROBES)
def test_every_field_kind_round_trips_through_json_and_xml(probe: _Probe) -> None:
    tree = translate.to_tree(probe)
    assert json.loads(json.dumps(tree)) == tree  # JSON-compatible
    assert translate.from_tree(tree) == probe
    assert translate.from_json(translate.to_json(probe)) == probe
    assert translate.from_xml(translate.to_xml(probe)) == probe


def test_xml_uses_green_book_names() -> None:
    probe = _Probe(
        invoke_id_and_priority=InvokeIdAndPriority(0xC1),
        descriptor=CosemAttributeDescriptor(
            class_id=8, instance_id=Obis(0, 0, 1, 0, 0), attribute_id=2
        ),
        flag=True,
        count=5,
        raw=axdr.OctetString(b"\x01"),
        plain=b"",
        result=DataAccessResult.READ_WRITE_DENIED,
        flags=_Flags.A | _Flags.B,
        logical_name=Obis(1, 0, 1, 8, 0),
        stamp=CosemDateTime.from_bytes(bytes.fromhex("07E50603040E091700FFC400")),
        optional_leaf=None,
        leaves=(),
        choice=DataAccessResult.OTHER_REASON,
        data=axdr.Structure([axdr.LongUnsigned(1), None]),
        inner=None,
    )
    xml = translate.to_xml(probe)
    assert '<InvokeIdAndPriority Value="193" />' in xml
    assert '<ClassId Value="8" />' in xml
    assert '<InstanceId Value="0.0.1.0.0.255" />' in xml
    assert '<Result Value="READ_WRITE_DENIED" />' in xml
    assert '<Structure Qty="2">' in xml
    assert '<LongUnsigned Value="1" />' in xml
    assert "<DataAccessResult" in xml  # the CHOICE names its alternative
    assert "OptionalLeaf" not in xml  # absent OPTIONAL fields have no element


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<Nope/>", "unknown APDU type"),
        ("<_Probe><Count Value='x'/></_Probe>", "not an integer|missing"),
        ("not xml", "not well-formed"),
        ('<!DOCTYPE x [<!ENTITY a "b">]><_Probe/>', "DOCTYPE"),
    ],
)
def test_bad_xml_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        translate.from_xml(text)


def test_bad_trees_are_clear_errors() -> None:
    with pytest.raises(DecodeError, match="one key"):
        translate.from_tree({})
    with pytest.raises(DecodeError, match="unknown APDU type"):
        translate.from_tree({"Nope": {}})
    with pytest.raises(DecodeError, match="missing"):
        translate.from_tree({"_Probe": {}})
    with pytest.raises(DecodeError, match="not JSON"):
        translate.from_json("{")


# ---------------------------------------------------------------------------------------
# The corpus: every APDU in ../shared/vectors, and every APDU type's strategy
# ---------------------------------------------------------------------------------------


def _corpus() -> list[tuple[str, bytes]]:
    """APDUs from the vectors (sources in vectors.json)."""
    out: list[tuple[str, bytes]] = []
    for table in ("ACSE", "XDLMS"):
        for number, entry in enumerate(record(table)["items"], 1):
            raw = bytes.fromhex(entry["hex"])
            if "wrapper" in entry["label"].lower() or raw[:2] == b"\x00\x01":
                raw = raw[8:]  # IEC 62056-47 wrapper header
            out.append((f"{table}-{number:02d}", raw))
    for rec in push_records():
        for key in ("plain_apdu", "ciphered_apdu"):
            if rec.get(key):
                out.append((f"{rec['id']}.{key}", bytes.fromhex(rec[key])))
    for key in ("aarq", "rlrq", "rlre"):
        for rid in ("SEC-03", "SEC-04", "SEC-06"):
            if key in record(rid):
                out.append((f"{rid}.{key}", bytes.fromhex(record(rid)[key])))
    out.append(("SEC-02", bytes.fromhex(record("SEC-02")["full_glo_get_request_apdu"])))
    return out


def _decodable(raw: bytes) -> bool:
    try:
        apdu.decode(raw)
    except DecodeError:
        return False
    return True


CORPUS = [(name, raw) for name, raw in _corpus() if _decodable(raw)]


def test_every_apdu_of_the_corpus_decodes() -> None:
    # XDLMS-25/26/44 are bare A-XDR Data bodies and XDLMS-27 a lone UDP wrapper header
    # (vectors README): the only items that are not APDUs.
    undecodable = {name for name, raw in _corpus() if not _decodable(raw)}
    assert undecodable == {"XDLMS-25", "XDLMS-26", "XDLMS-27", "XDLMS-44"}


@pytest.mark.parametrize(("name", "raw"), CORPUS, ids=[name for name, _ in CORPUS])
def test_corpus_round_trips_through_json_and_xml(name: str, raw: bytes) -> None:
    decoded = apdu.decode(raw)
    assert translate.from_json(translate.to_json(decoded)) == decoded, name
    assert translate.from_xml(translate.to_xml(decoded)) == decoded, name
    assert translate.from_xml(translate.to_xml(decoded)).to_bytes() == raw


def _strategy_modules() -> list[Any]:
    return [
        importlib.import_module(f"{apdu_tests.__name__}.{info.name}")
        for info in pkgutil.iter_modules(apdu_tests.__path__)
        if info.name.startswith("strategies_")
    ]


def test_every_family_provides_strategies() -> None:
    names = {module.__name__.rsplit(".", 1)[1] for module in _strategy_modules()}
    assert names >= {
        "strategies_acse",
        "strategies_services",
        "strategies_misc",
        "strategies_ciphered",
    }


ALL_APDUS = st.one_of(*[module.apdus() for module in _strategy_modules()])


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(ALL_APDUS)
def test_every_apdu_type_round_trips_through_json_and_xml(value: Apdu) -> None:
    assert translate.from_json(translate.to_json(value)) == value
    assert translate.from_xml(translate.to_xml(value)) == value


def test_item_helper_sanity() -> None:
    # the wrapper detection above relies on the corpus labels (vectors README)
    assert "wrapper" in item("XDLMS", 29)["label"].lower()


def test_cached_encodings_are_not_rendered() -> None:
    """Data.raw and SelectiveAccessDescriptor.raw are caches of the value's encoding: the
    JSON and XML show the value only, and read back to an equal APDU (its bytes too)."""
    from dlmskit.apdu.common import CosemAttributeDescriptor, InvokeIdAndPriority
    from dlmskit.apdu.get import GetRequestNormal
    from dlmskit.apdu.selective import RangeDescriptor

    start = CosemDateTime.from_bytes(bytes.fromhex("07E20601FF00030000FF8800"))
    end = CosemDateTime.from_bytes(bytes.fromhex("07E50106FF00030000FFC400"))
    request = GetRequestNormal(
        invoke_id_and_priority=InvokeIdAndPriority(0xC1),
        cosem_attribute_descriptor=CosemAttributeDescriptor(
            class_id=7, instance_id=Obis(1, 0, 99, 1, 0, 255), attribute_id=2
        ),
        access_selection=RangeDescriptor.by_clock(start, end).to_access_descriptor(),
    )
    response = apdu.decode(bytes.fromhex("C401C1000600001391"))
    for value in (request, response):
        text = translate.to_json(value)
        xml = translate.to_xml(value)
        assert '"raw"' not in text and "<Raw" not in xml
        for back in (translate.from_json(text), translate.from_xml(xml)):
            assert back == value and back.to_bytes() == value.to_bytes()
