"""Meter models: what a simulated meter is, read from a YAML file.

A model names the meter's addresses, system title, keys, associations (one per client
SAP, with its mechanism, ciphering and default access) and its objects (class, OBIS,
attribute values or a *behaviour* that computes them, and access rights per
association). The default model, ``models/default.yaml``, is an IDIS-style electricity
meter; the README shows how to write another.

Attribute values are written with their DLMS type, as a one-key mapping::

    attributes:
      2: {octet-string: "DLK0000000000001"}     # text, or hex with "0x" in front
      3: {structure: [{integer: -1}, {enum: 30}]}

Every error names the file, the line and what was wrong (:class:`ModelError`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml

from dlmskit import axdr
from dlmskit.cosem_time import CosemDateTime
from dlmskit.errors import DlmsError
from dlmskit.obis import Obis
from dlmskit.security.mechanisms import MECHANISM_NAMES, MechanismId

__all__ = [
    "DEFAULT_MODEL",
    "AccessSpec",
    "AssociationModel",
    "MeterModel",
    "ModelError",
    "ObjectModel",
    "load_model",
    "parse_value",
]

DEFAULT_MODEL: Final = "default.yaml"


class ModelError(DlmsError, ValueError):
    """A meter model that cannot be used: the message names the file, line and key."""


class _Map(dict[Any, Any]):
    line: int = 0


class _Loader(yaml.SafeLoader):
    """A safe loader whose mappings remember their line (for error messages)."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    result = _Map(loader.construct_mapping(node, deep=True))
    result.line = node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


@dataclass(frozen=True, slots=True)
class _Where:
    source: str
    line: int

    def error(self, message: str) -> ModelError:
        return ModelError(f"{self.source}, line {self.line}: {message}")


MECHANISMS: Final = MECHANISM_NAMES

CIPHERING: Final = {
    "none": (False, False),
    "authenticated": (True, False),
    "encrypted": (False, True),
    "authenticated-encrypted": (True, True),
}

ATTRIBUTE_ACCESS: Final = ("none", "read", "write", "read-write")


@dataclass(frozen=True, slots=True)
class AccessSpec:
    """The rights of one association on one object: ``visible`` (listed in its object
    list), the attribute access (``none/read/write/read-write``; per-attribute
    overrides) and which methods it may invoke (``"all"``, ``"none"`` or ids)."""

    visible: bool = True
    attributes: str = "read"
    overrides: Mapping[int, str] = field(default_factory=dict)
    methods: frozenset[int] | str = "none"

    def attribute(self, attribute_id: int) -> str:
        if not self.visible:
            return "none"
        return self.overrides.get(attribute_id, self.attributes)

    def can_read(self, attribute_id: int) -> bool:
        return self.attribute(attribute_id) in ("read", "read-write")

    def can_write(self, attribute_id: int) -> bool:
        return self.attribute(attribute_id) in ("write", "read-write")

    def can_call(self, method_id: int) -> bool:
        if not self.visible or self.methods == "none":
            return False
        return self.methods == "all" or (
            isinstance(self.methods, frozenset) and method_id in self.methods
        )


@dataclass(frozen=True, slots=True)
class AssociationModel:
    """One association of the model: the client SAP it serves and what it requires."""

    name: str
    client: int
    mechanism: MechanismId = MechanismId.LOWEST
    secret: bytes | None = None
    authenticated: bool = False
    encrypted: bool = False
    access: AccessSpec = AccessSpec()
    referencing: str = "LN"
    pre_established: bool = False
    client_public_key: bytes | None = None  # PEM, for mechanism 7
    hls2: str | None = None  # the named HLS mechanism 2 function


@dataclass(frozen=True, slots=True)
class ObjectModel:
    """One COSEM object: class, version, OBIS, static attribute values, behaviour and
    its options, access per association name (missing: the association's default)."""

    class_id: int
    version: int
    obis: Obis
    name: str = ""
    attributes: Mapping[int, axdr.Value] = field(default_factory=dict)
    behaviour: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    access: Mapping[str, AccessSpec] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True, slots=True)
class MeterModel:
    """A whole meter model (see the module docstring)."""

    source: str
    name: str
    logical_address: int
    physical_address: int
    system_title: bytes
    manufacturer: str
    suite: int
    keys: Mapping[str, bytes]
    time_zone: str
    max_pdu_size: int
    associations: tuple[AssociationModel, ...]
    objects: tuple[ObjectModel, ...]
    options: Mapping[str, Any] = field(default_factory=dict)
    private_key: bytes | None = None  # PEM, for mechanism 7 and suites 1 / 2

    def __repr__(self) -> str:  # keys never shown (DESIGN.md rule 10)
        return (
            f"MeterModel({self.name!r}, logical_address={self.logical_address}, "
            f"physical_address={self.physical_address}, {len(self.objects)} objects, "
            f"associations={[a.client for a in self.associations]})"
        )

    def association(self, client: int) -> AssociationModel | None:
        for association in self.associations:
            if association.client == client:
                return association
        return None


# --- values ---------------------------------------------------------------------------

_INTEGERS: Final[dict[str, type[axdr._Int]]] = {
    "integer": axdr.Integer,
    "long": axdr.Long,
    "double-long": axdr.DoubleLong,
    "long64": axdr.Long64,
    "unsigned": axdr.Unsigned,
    "long-unsigned": axdr.LongUnsigned,
    "double-long-unsigned": axdr.DoubleLongUnsigned,
    "long64-unsigned": axdr.Long64Unsigned,
    "enum": axdr.Enum,
}


def _bytes(text: Any, where: _Where, what: str) -> bytes:
    if isinstance(text, bytes):
        return text
    if not isinstance(text, str):
        raise where.error(f"{what}: expected text or 0x-prefixed hex, got {text!r}")
    if text.startswith(("0x", "0X")):
        try:
            return bytes.fromhex(text[2:].replace(" ", "").replace(":", ""))
        except ValueError:
            raise where.error(f"{what}: {text!r} is not hexadecimal") from None
    return text.encode("utf-8")


def _hex(text: Any, where: _Where, what: str, sizes: tuple[int, ...] = ()) -> bytes:
    if isinstance(text, int):
        raise where.error(f"{what}: YAML read a number; write hex digits in quotes")
    if not isinstance(text, str):
        raise where.error(f"{what}: expected hex digits")
    raw = str(text).strip().removeprefix("0x").replace(" ", "").replace(":", "")
    try:
        data = bytes.fromhex(raw)
    except ValueError:
        raise where.error(f"{what} is not hexadecimal") from None
    if sizes and len(data) not in sizes:
        raise where.error(f"{what} must be {' or '.join(map(str, sizes))} bytes, not {len(data)}")
    return data


def parse_value(node: Any, where: _Where) -> axdr.Value:
    """A typed A-XDR value from its YAML form (see the module docstring)."""
    if node is None:
        return None
    if not isinstance(node, Mapping) or len(node) != 1:
        raise where.error(
            f"a value is a one-key mapping {{type: value}} such as {{long-unsigned: 5}}, "
            f"not {node!r}"
        )
    where = _Where(where.source, getattr(node, "line", where.line))
    ((kind, raw),) = node.items()
    try:
        if kind in _INTEGERS:
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise where.error(f"{kind}: expected an integer, got {raw!r}")
            return _INTEGERS[kind](raw)
        if kind == "null-data":
            return None
        if kind == "boolean":
            if not isinstance(raw, bool):
                raise where.error(f"boolean: expected true or false, got {raw!r}")
            return axdr.Boolean(raw)
        if kind == "octet-string":
            return axdr.OctetString(_bytes(raw, where, kind))
        if kind == "visible-string":
            return axdr.VisibleString(str(raw))
        if kind == "utf8-string":
            return axdr.Utf8String(str(raw))
        if kind == "bit-string":
            return axdr.BitString.from_bits(str(raw))
        if kind in ("float32", "float64"):
            cls = axdr.Float32 if kind == "float32" else axdr.Float64
            return cls(float(raw))
        if kind in ("array", "structure"):
            if not isinstance(raw, list):
                raise where.error(f"{kind}: expected a list of values")
            items = tuple(parse_value(item, where) for item in raw)
            return axdr.Array(items) if kind == "array" else axdr.Structure(items)
        if kind in ("date-time", "obis"):
            text = str(raw)
            if kind == "obis":
                return axdr.OctetString(Obis.parse(text).to_bytes())
            moment = _dt.datetime.fromisoformat(text)
            return axdr.OctetString(CosemDateTime.from_datetime(moment).to_bytes())
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, ModelError):
            raise
        raise where.error(f"{kind}: {exc}") from None
    raise where.error(f"unknown DLMS type {kind!r}")


# --- the model -----------------------------------------------------------------------


def _int(
    node: Mapping[str, Any], key: str, where: _Where, default: int, *, lo: int, hi: int
) -> int:
    value = node.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise where.error(f"{key} must be an integer in {lo}..{hi}, not {value!r}")
    return value


def _access(node: Any, where: _Where, default: AccessSpec | None = None) -> AccessSpec:
    if isinstance(node, str):
        if node == "hidden":
            return AccessSpec(visible=False, attributes="none")
        if node not in ATTRIBUTE_ACCESS:
            raise where.error(
                f"access {node!r}: expected hidden, none, read, write, read-write or a mapping"
            )
        methods: frozenset[int] | str = "all" if node in ("read-write", "write") else "none"
        return AccessSpec(attributes=node, methods=methods)
    if not isinstance(node, Mapping):
        raise where.error(f"access must be a string or a mapping, not {node!r}")
    base = default or AccessSpec()
    attributes = node.get("attributes", base.attributes)
    if attributes not in ATTRIBUTE_ACCESS:
        raise where.error(f"attributes access {attributes!r} is not one of {ATTRIBUTE_ACCESS}")
    overrides: dict[int, str] = {}
    for key, value in (node.get("attribute") or {}).items():
        if not isinstance(key, int) or value not in ATTRIBUTE_ACCESS:
            raise where.error(f"attribute access {key!r}: {value!r}")
        overrides[key] = value
    raw_methods = node.get("methods", base.methods)
    if isinstance(raw_methods, list):
        if not all(isinstance(m, int) and not isinstance(m, bool) for m in raw_methods):
            raise where.error("methods must be all, none or a list of method ids")
        methods = frozenset(raw_methods)
    elif raw_methods in ("all", "none") or isinstance(raw_methods, frozenset):
        methods = raw_methods
    else:
        raise where.error(f"methods {raw_methods!r}: expected all, none or a list of ids")
    return AccessSpec(
        visible=bool(node.get("visible", True)),
        attributes=attributes,
        overrides=overrides,
        methods=methods,
    )


def _pem(node: Mapping[str, Any], key: str, where: _Where) -> bytes | None:
    """The PEM file named by ``key`` (relative to the model file)."""
    value = node.get(key)
    if value is None:
        return None
    path = Path(str(value))
    if not path.is_absolute() and not where.source.startswith("<"):
        path = Path(where.source).parent / path
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise where.error(f"{key}: cannot read {path}: {exc.strerror}") from None
    if b"-----BEGIN" not in data:
        raise where.error(f"{key}: {path} is not a PEM file")
    return data


def _association(name: str, node: Any, where: _Where) -> AssociationModel:
    if not isinstance(node, Mapping):
        raise where.error(f"association {name!r} must be a mapping")
    where = _Where(where.source, getattr(node, "line", where.line))
    client = _int(node, "client", where, -1, lo=0, hi=0xFFFF)
    mechanism_name = str(node.get("mechanism", "none")).lower()
    if mechanism_name not in MECHANISMS:
        raise where.error(
            f"association {name!r}: mechanism {mechanism_name!r} is not one of {list(MECHANISMS)}"
        )
    mechanism = MECHANISMS[mechanism_name]
    secret = node.get("secret")
    secret_bytes = None if secret is None else _bytes(str(secret), where, "secret")
    if mechanism in (1, 2, 3, 4, 6) and secret_bytes is None:
        raise where.error(f"association {name!r}: mechanism {mechanism_name} needs a secret")
    if mechanism == MechanismId.HIGH_ECDSA and "client_public_key" not in node:
        raise where.error(f"association {name!r}: hls-ecdsa needs client_public_key (PEM)")
    ciphering = str(node.get("ciphering", "none"))
    if ciphering not in CIPHERING:
        raise where.error(f"association {name!r}: ciphering {ciphering!r} not in {list(CIPHERING)}")
    authenticated, encrypted = CIPHERING[ciphering]
    referencing = str(node.get("referencing", "LN")).upper()
    if referencing not in ("LN", "SN"):
        raise where.error(f"association {name!r}: referencing must be LN or SN")
    return AssociationModel(
        name=name,
        client=client,
        mechanism=mechanism,
        secret=secret_bytes,
        authenticated=authenticated,
        encrypted=encrypted,
        access=_access(node.get("access", "read"), where),
        referencing=referencing,
        pre_established=bool(node.get("pre_established", False)),
        client_public_key=_pem(node, "client_public_key", where),
        hls2=None if node.get("hls2") is None else str(node["hls2"]),
    )


def _object(node: Any, where: _Where, names: set[str]) -> ObjectModel:
    if not isinstance(node, Mapping):
        raise where.error(f"an object must be a mapping, not {node!r}")
    where = _Where(where.source, getattr(node, "line", where.line))
    if "obis" not in node or "class" not in node:
        raise where.error("an object needs obis and class")
    try:
        obis = Obis.parse(str(node["obis"]))
    except ValueError as exc:
        raise where.error(f"obis {node['obis']!r}: {exc}") from None
    class_id = _int(node, "class", where, 0, lo=1, hi=0xFFFF)
    version = _int(node, "version", where, 0, lo=0, hi=255)
    attributes: dict[int, axdr.Value] = {}
    for key, value in (node.get("attributes") or {}).items():
        if isinstance(key, bool) or not isinstance(key, int) or not 2 <= key <= 127:
            raise where.error(f"{obis}: attribute id {key!r} must be an integer in 2..127")
        attributes[key] = parse_value(value, where)
    access: dict[str, AccessSpec] = {}
    for association, spec in (node.get("access") or {}).items():
        if association not in names:
            raise where.error(f"{obis}: access names unknown association {association!r}")
        access[str(association)] = _access(spec, where)
    known = {"obis", "class", "version", "name", "attributes", "behaviour", "access"}
    options = {k: v for k, v in node.items() if k not in known}
    behaviour = node.get("behaviour")
    return ObjectModel(
        class_id=class_id,
        version=version,
        obis=obis,
        name=str(node.get("name", "")),
        attributes=attributes,
        behaviour=None if behaviour is None else str(behaviour),
        options=options,
        access=access,
        line=where.line,
    )


def _parse(document: Any, source: str) -> MeterModel:
    top = _Where(source, 1)
    if not isinstance(document, Mapping):
        raise top.error("a model is a mapping with meter, associations and objects")
    meter = document.get("meter") or {}
    where = _Where(source, getattr(meter, "line", 1))
    if not isinstance(meter, Mapping):
        raise where.error("meter must be a mapping")
    suite = _int(meter, "suite", where, 0, lo=0, hi=2)
    key_sizes = (32,) if suite == 2 else (16,)
    keys: dict[str, bytes] = {}
    for name in ("ek", "ak", "kek", "broadcast_ek"):
        if name in meter:
            keys[name] = _hex(meter[name], where, name, key_sizes)
    assoc_node = document.get("associations") or {}
    if not isinstance(assoc_node, Mapping) or not assoc_node:
        raise top.error("associations must be a non-empty mapping name → settings")
    associations = tuple(_association(str(n), a, where) for n, a in assoc_node.items())
    clients = [a.client for a in associations]
    if len(set(clients)) != len(clients):
        raise top.error(f"two associations serve the same client SAP: {sorted(clients)}")
    names = {a.name for a in associations}
    objects_node = document.get("objects") or []
    if not isinstance(objects_node, list):
        raise top.error("objects must be a list")
    objects = tuple(_object(node, where, names) for node in objects_node)
    seen: set[tuple[int, bytes]] = set()
    for obj in objects:
        key = (obj.class_id, obj.obis.to_bytes())
        if key in seen:
            raise _Where(source, obj.line).error(f"object {obj.obis} class {obj.class_id} twice")
        seen.add(key)
    if (
        any(
            a.mechanism == MechanismId.HIGH_GMAC or a.authenticated or a.encrypted
            for a in associations
        )
        and not {"ek", "ak"} <= keys.keys()
    ):
        raise where.error("an association uses HLS-GMAC or ciphering: meter needs ek and ak")
    title = _hex(meter.get("system_title", "444C4B0000000001"), where, "system_title", (8,))
    known = {
        "name",
        "logical_address",
        "physical_address",
        "system_title",
        "manufacturer",
        "suite",
        "ek",
        "ak",
        "kek",
        "broadcast_ek",
        "time_zone",
        "max_pdu_size",
        "private_key",
    }
    private_key = _pem(meter, "private_key", where)
    if any(a.mechanism == MechanismId.HIGH_ECDSA for a in associations):
        if private_key is None:
            raise where.error("an association uses hls-ecdsa: meter needs private_key (PEM)")
        if suite == 0:
            raise where.error("hls-ecdsa exists only with security suites 1 and 2")
    return MeterModel(
        source=source,
        name=str(meter.get("name", Path(source).stem)),
        logical_address=_int(meter, "logical_address", where, 1, lo=1, hi=0x3FFF),
        physical_address=_int(meter, "physical_address", where, 17, lo=0, hi=0x3FFF),
        system_title=title,
        manufacturer=str(meter.get("manufacturer", "DLK"))[:3],
        suite=suite,
        keys=keys,
        time_zone=str(meter.get("time_zone", "UTC")),
        max_pdu_size=_int(meter, "max_pdu_size", where, 1024, lo=12, hi=0xFFFF),
        associations=associations,
        objects=objects,
        options={k: v for k, v in meter.items() if k not in known},
        private_key=private_key,
    )


def load_model(path: str | Path | None = None) -> MeterModel:
    """The model in ``path`` (YAML), or the default model shipped with dlmskit."""
    if path is None:
        text = resources.files("dlmskit.server.models").joinpath(DEFAULT_MODEL).read_text("utf-8")
        source = f"<dlmskit>/{DEFAULT_MODEL}"
    else:
        source = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ModelError(f"{source}: cannot read the model: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise ModelError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    return loads_model(text, source)


def loads_model(text: str, source: str = "<model>") -> MeterModel:
    """The model in YAML ``text`` (``source`` names it in errors)."""
    try:
        document = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ModelError(f"{source}{line}: not valid YAML: {problem}") from None
    return _parse(document, source)
