"""Render APDUs as a JSON-compatible tree or as XML, and parse them back.

The translator is generic: it walks an APDU's dataclass fields using their type hints,
so every APDU type in :mod:`dlmskit.apdu` is covered without code of its own. Names
follow the Green Book's ASN.1: the APDU and value types by their type name
(``GetRequestNormal``, ``CosemAttributeDescriptor``), fields by their field name
(``InvokeIdAndPriority`` in XML, ``invoke_id_and_priority`` in JSON) and A-XDR Data by
its CHOICE name (``LongUnsigned``, ``Structure``).

XML::

    <GetRequestNormal>
      <InvokeIdAndPriority Value="C1" />
      <CosemAttributeDescriptor>
        <ClassId Value="8" />
        <InstanceId Value="0.0.1.0.0.255" />
        <AttributeId Value="2" />
      </CosemAttributeDescriptor>
    </GetRequestNormal>

JSON tree: ``{"GetRequestNormal": {"invoke_id_and_priority": 193, ...}}``.

Both forms are lossless: ``from_xml(to_xml(a)) == a`` and ``from_tree(to_tree(a)) == a``
(non-minimal length forms included). An absent OPTIONAL field is left out of the XML
and is ``null`` in JSON. Values that are a CHOICE between types are wrapped in an
element (or a one-key object) naming the type.
"""

from __future__ import annotations

import dataclasses
import json
import math
import struct
import types
import typing
import xml.etree.ElementTree as ET
from enum import Enum, IntFlag
from functools import cache
from typing import Any, Final

from dlmskit import axdr
from dlmskit.apdu import Apdu
from dlmskit.cosem_time import CosemDate, CosemDateTime, CosemTime
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis

__all__ = ["from_json", "from_tree", "from_xml", "to_json", "to_tree", "to_xml"]

_NONE = type(None)
_AXDR_ARGS: Final = frozenset(typing.get_args(axdr.Value)) - {_NONE}
_TIME_TYPES: Final = (CosemDateTime, CosemDate, CosemTime)

# Data type names in the form the XML uses, e.g. DataType.LONG_UNSIGNED -> "LongUnsigned".
_DATA_NAMES: Final = {
    t: "".join(part.capitalize() for part in t.name.split("_")) for t in axdr.DataType
}
_DATA_BY_NAME: Final = {name: t for t, name in _DATA_NAMES.items()}


class TranslateError(DecodeError):
    """A tree or XML document that does not describe a valid APDU."""


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


# ---------------------------------------------------------------------------------------
# Type hints
# ---------------------------------------------------------------------------------------


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


@cache
def _apdu_classes() -> dict[str, type]:
    """Every concrete APDU class by name (the registry's modules are imported)."""
    import dlmskit.apdu as package  # noqa: PLC0415 - the package imports the families

    del package
    found: dict[str, type] = {}
    stack: list[type] = [Apdu]
    while stack:
        cls = stack.pop()
        sub: type
        for sub in cls.__subclasses__():
            stack.append(sub)
            if hasattr(sub, "TAG"):
                found[sub.__name__] = sub
    return found


def _is_axdr(hint: Any) -> bool:
    """Whether a hint is (or contains) the A-XDR ``Value`` union."""
    return set(_union_args(hint)) >= _AXDR_ARGS


def _union_args(hint: Any) -> tuple[Any, ...]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.get_args(hint)
    return (hint,)


def _is_scalar_wrapper(cls: type) -> bool:
    """A dataclass of exactly one ``value: int`` field (invoke ids, control octets)."""
    if not dataclasses.is_dataclass(cls):
        return False
    names = [f.name for f in dataclasses.fields(cls)]
    return names == ["value"] and _hints(cls)["value"] is int


def _shown_fields(cls: Any) -> tuple[dataclasses.Field[Any], ...]:
    """The fields the translator renders and reads: not the encodings a value keeps as a
    cache (``Data.raw``, ``SelectiveAccessDescriptor.raw``: ``compare=False``)."""
    return tuple(f for f in dataclasses.fields(cls) if f.compare)


def _is_record(hint: Any) -> bool:
    """A dataclass rendered field by field (not one shown as a single value)."""
    return (
        isinstance(hint, type)
        and dataclasses.is_dataclass(hint)
        and not _is_scalar_wrapper(hint)
        and hint not in _TIME_TYPES
    )


def _choices(hint: Any) -> list[Any]:
    """The alternatives of a CHOICE hint (``None`` and the A-XDR union collapsed)."""
    args = [a for a in _union_args(hint) if a is not _NONE]
    if _is_axdr(hint):
        args = [a for a in args if a not in _AXDR_ARGS] + [axdr.Value]
    return args


def _type_name(choice: Any) -> str:
    if choice is axdr.Value:
        return "Data"
    if choice is Apdu:
        return "Apdu"
    return str(choice.__name__)


def _matches(value: Any, choice: Any) -> bool:
    if choice is axdr.Value:
        return value is None or isinstance(value, tuple(_AXDR_ARGS))
    origin = typing.get_origin(choice) or choice
    return isinstance(value, origin)


def _pick_choice(value: Any, choices: list[Any], where: str) -> Any:
    # Exact class first: an enum result is an int, and so are A-XDR integers.
    for choice in choices:
        if choice is not axdr.Value and type(value) is choice:
            return choice
    for choice in choices:
        if _matches(value, choice):
            return choice
    raise TypeError(f"{where}: {type(value).__name__} is none of {choices}")


# ---------------------------------------------------------------------------------------
# JSON-compatible tree
# ---------------------------------------------------------------------------------------


def to_tree(apdu: Apdu) -> dict[str, Any]:
    """A JSON-compatible tree: ``{"ApduTypeName": {field: value, ...}}``."""
    return {type(apdu).__name__: _fields_to_tree(apdu)}


def _fields_to_tree(obj: Any) -> dict[str, Any]:
    hints = _hints(type(obj))
    return {
        f.name: _to_node(getattr(obj, f.name), hints[f.name], f"{type(obj).__name__}.{f.name}")
        for f in _shown_fields(obj)
    }


def _to_node(value: Any, hint: Any, where: str) -> Any:
    if value is None and _NONE in _union_args(hint) and not _is_axdr(hint):
        return None
    choices = _choices(hint)
    if len(choices) > 1 or choices[0] is Apdu:
        choice = _pick_choice(value, choices, where)
        if choice is Apdu:
            return {type(value).__name__: _fields_to_tree(value)}
        return {_type_name(choice): _plain_node(value, choice, where)}
    return _plain_node(value, choices[0], where)


def _plain_node(value: Any, hint: Any, where: str) -> Any:
    if hint is axdr.Value:
        return _data_to_tree(value)
    origin = typing.get_origin(hint)
    if origin is tuple:
        (item_hint, _) = typing.get_args(hint)
        return [_to_node(v, item_hint, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(hint, type):
        if issubclass(hint, IntFlag):
            return int(value)
        if issubclass(hint, Enum):
            return value.name if value.name in type(value).__members__ else int(value)
        if hint is Obis:
            return str(value)
        if issubclass(hint, axdr.OctetString) or hint is bytes:
            form = getattr(value, "length_form", None)
            hexed = bytes(value).hex().upper()
            return hexed if form is None else {"hex": hexed, "length_form": form}
        if hint in _TIME_TYPES:
            return value.to_bytes().hex().upper()
        if _is_scalar_wrapper(hint):
            return int(value.value)
        if dataclasses.is_dataclass(hint):
            return _fields_to_tree(value)
        if hint in (int, bool, str):
            return value
    raise TypeError(f"{where}: the translator cannot render a {hint!r}")


def _data_to_tree(value: axdr.Value) -> Any:
    """A-XDR Data as ``{"LongUnsigned": 5}``, ``{"Structure": [...]}`` and so on."""
    v: Any = value
    dtype = axdr.data_type_of(v)
    name = _DATA_NAMES[dtype]
    if isinstance(v, axdr.Array | axdr.Structure):
        node: dict[str, Any] = {name: [_data_to_tree(x) for x in v]}
    elif isinstance(v, axdr.CompactArray):
        node = {
            name: {
                "type_description": v.type_description.encode().hex().upper(),
                "values": [_data_to_tree(x) for x in v.values],
            }
        }
    elif v is None or v is axdr.DontCare:
        node = {name: None}
    elif isinstance(v, bool):
        node = {name: v}
    elif isinstance(v, axdr.Boolean):
        node = {name: {"octet": int(v)}}
    elif isinstance(v, axdr.OctetString):
        node = {name: bytes(v).hex().upper()}
    elif isinstance(v, axdr.VisibleString | axdr.Utf8String):
        node = {name: str(v)}
    elif isinstance(v, axdr.BitString):
        node = {name: v.bits(), "bytes": v.data.hex().upper()}
    elif isinstance(v, float):
        fmt = ">f" if dtype is axdr.DataType.FLOAT32 else ">d"
        nan_bits: bytes | None = getattr(v, "raw", None)
        raw = nan_bits if math.isnan(v) and nan_bits is not None else struct.pack(fmt, v)
        node = {name: float(v) if math.isfinite(v) else None, "bytes": raw.hex().upper()}
    elif isinstance(v, _TIME_TYPES):
        node = {name: v.to_bytes().hex().upper(), "text": str(v)}
    else:
        node = {name: int(v)}
    form = getattr(v, "length_form", None)
    if form is not None:
        node["length_form"] = form
    return node


def from_tree(tree: Any) -> Apdu:
    """The APDU a :func:`to_tree` tree describes."""
    if not isinstance(tree, dict) or len(tree) != 1:
        raise TranslateError("an APDU tree is an object with one key, the APDU type")
    ((name, body),) = tree.items()
    cls = _apdu_classes().get(name)
    if cls is None:
        raise TranslateError(f"unknown APDU type {name!r}")
    value = _fields_from_tree(cls, body, name)
    assert isinstance(value, Apdu)
    return value


def _fields_from_tree(cls: type, body: Any, where: str) -> Any:
    if not isinstance(body, dict):
        raise TranslateError(f"{where}: expected an object of fields")
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in _shown_fields(cls):
        if f.name not in body:
            if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
                continue
            raise TranslateError(f"{where}: field {f.name!r} is missing")
        kwargs[f.name] = _from_node(body[f.name], hints[f.name], f"{where}.{f.name}")
    unknown = set(body) - {f.name for f in _shown_fields(cls)}
    if unknown:
        raise TranslateError(f"{where}: unknown field(s) {sorted(unknown)}")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise TranslateError(f"{where}: {exc}") from None


def _from_node(node: Any, hint: Any, where: str) -> Any:
    if node is None and _NONE in _union_args(hint) and not _is_axdr(hint):
        return None
    choices = _choices(hint)
    if len(choices) > 1 or choices[0] is Apdu:
        if not isinstance(node, dict) or len(node) != 1:
            raise TranslateError(f"{where}: a CHOICE is an object with one key, the type")
        ((name, inner),) = node.items()
        if Apdu in choices and name in _apdu_classes():
            return _fields_from_tree(_apdu_classes()[name], inner, f"{where}.{name}")
        for choice in choices:
            if choice is not Apdu and _type_name(choice) == name:
                return _plain_from_node(inner, choice, f"{where}.{name}")
        raise TranslateError(f"{where}: {name!r} is not one of the choices")
    return _plain_from_node(node, choices[0], where)


def _plain_from_node(node: Any, hint: Any, where: str) -> Any:
    try:
        if hint is axdr.Value:
            return _data_from_tree(node, where)
        origin = typing.get_origin(hint)
        if origin is tuple:
            (item_hint, _) = typing.get_args(hint)
            if not isinstance(node, list):
                raise TranslateError(f"{where}: expected a list")
            return tuple(_from_node(v, item_hint, f"{where}[{i}]") for i, v in enumerate(node))
        if isinstance(hint, type):
            if issubclass(hint, Enum):
                if issubclass(hint, IntFlag) or isinstance(node, int):
                    return hint(int(node))
                return hint[node]
            if hint is Obis:
                return Obis.parse(node)
            if issubclass(hint, axdr.OctetString) or hint is bytes:
                if isinstance(node, dict):
                    return axdr.OctetString.fromhex(node["hex"]).with_length_form(
                        node["length_form"]
                    )
                return hint(bytes.fromhex(node))
            if hint in _TIME_TYPES:
                return hint.from_bytes(bytes.fromhex(node))
            if _is_scalar_wrapper(hint):
                wrapper: Any = hint
                return wrapper(int(node))
            if dataclasses.is_dataclass(hint):
                return _fields_from_tree(hint, node, where)
            if hint in (int, bool, str):
                if type(node) is not hint:
                    raise TranslateError(f"{where}: expected {hint.__name__}")
                return node
    except TranslateError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise TranslateError(f"{where}: {exc!r}") from None
    raise TranslateError(f"{where}: the translator cannot read a {hint!r}")


def _data_from_tree(node: Any, where: str) -> axdr.Value:
    if not isinstance(node, dict):
        raise TranslateError(f"{where}: A-XDR data is an object naming its type")
    names = [k for k in node if k in _DATA_BY_NAME]
    if len(names) != 1:
        raise TranslateError(f"{where}: A-XDR data needs exactly one type key")
    name = names[0]
    dtype = _DATA_BY_NAME[name]
    inner = node[name]
    value: Any
    if dtype in (axdr.DataType.ARRAY, axdr.DataType.STRUCTURE):
        cls = axdr.Array if dtype is axdr.DataType.ARRAY else axdr.Structure
        value = cls(_data_from_tree(x, f"{where}[{i}]") for i, x in enumerate(inner))
    elif dtype is axdr.DataType.COMPACT_ARRAY:
        desc = axdr.TypeDescription.decode(bytes.fromhex(inner["type_description"]))
        value = axdr.CompactArray(desc, [_data_from_tree(x, where) for x in inner["values"]])
    elif dtype is axdr.DataType.NULL_DATA:
        value = None
    elif dtype is axdr.DataType.DONT_CARE:
        value = axdr.DontCare
    elif dtype is axdr.DataType.BOOLEAN:
        value = axdr.Boolean(inner["octet"]) if isinstance(inner, dict) else bool(inner)
    elif dtype is axdr.DataType.BIT_STRING:
        value = axdr.BitString(bytes.fromhex(node["bytes"]), len(inner))
    elif dtype in (axdr.DataType.FLOAT32, axdr.DataType.FLOAT64) or dtype in (
        axdr.DataType.DATE_TIME,
        axdr.DataType.DATE,
        axdr.DataType.TIME,
    ):
        raw = bytes.fromhex(str(node.get("bytes", inner)))
        value = axdr.decode(bytes([dtype]) + raw)
    else:
        value = axdr.decode(axdr.encode(_simple_data(dtype, inner, where)))
    form = node.get("length_form")
    if form is not None:
        value = value.with_length_form(form)
    return value  # type: ignore[no-any-return]


def _simple_data(dtype: axdr.DataType, inner: Any, where: str) -> axdr.Value:
    if dtype is axdr.DataType.OCTET_STRING:
        return axdr.OctetString(bytes.fromhex(inner))
    if dtype is axdr.DataType.VISIBLE_STRING:
        return axdr.VisibleString(inner)
    if dtype is axdr.DataType.UTF8_STRING:
        return axdr.Utf8String(inner)
    for cls in _INT_CLASSES:
        if cls.TAG is dtype:
            value: Any = cls(inner)
            return value  # type: ignore[no-any-return]
    raise TranslateError(f"{where}: unsupported data type {dtype.dlms_name}")


_INT_CLASSES: Final = tuple(
    c
    for c in vars(axdr).values()
    if isinstance(c, type) and issubclass(c, int) and hasattr(c, "TAG") and c is not axdr.Boolean
)


def to_json(apdu: Apdu, *, indent: int | None = 2) -> str:
    return json.dumps(to_tree(apdu), indent=indent)


def from_json(text: str) -> Apdu:
    try:
        tree = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranslateError(f"not JSON: {exc.msg}", exc.pos) from None
    return from_tree(tree)


# ---------------------------------------------------------------------------------------
# XML: the same tree, with PascalCase field elements and Value attributes
# ---------------------------------------------------------------------------------------


def to_xml(apdu: Apdu) -> str:
    """The APDU as an indented XML document (see the module docstring)."""
    root = _tree_to_element(type(apdu).__name__, _fields_to_tree(apdu), type(apdu))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode")


def _tree_to_element(tag: str, node: Any, hint: Any) -> ET.Element:
    element = ET.Element(tag)
    _fill(element, node, hint)
    return element


def _fill(element: ET.Element, node: Any, hint: Any) -> None:
    """Put a tree node into ``element`` (whose tag names the field or type)."""
    choices = _choices(hint)
    if node is None:
        element.set("Absent", "true")
        return
    if len(choices) > 1 or choices[0] is Apdu:
        ((name, inner),) = node.items()
        if Apdu in choices and name in _apdu_classes():
            child_hint: Any = _apdu_classes()[name]
        else:
            child_hint = next(c for c in choices if c is not Apdu and _type_name(c) == name)
        element.append(_tree_to_element(name, inner, child_hint))
        return
    hint = choices[0]
    if hint is axdr.Value:
        element.append(_data_element(node))
        return
    if typing.get_origin(hint) is tuple:
        (item_hint, _) = typing.get_args(hint)
        for item in node:
            element.append(_tree_to_element("Item", item, item_hint))
        return
    if _is_record(hint):
        hints = _hints(hint)
        for name, value in node.items():
            if value is None and _NONE in _union_args(hints[name]) and not _is_axdr(hints[name]):
                continue  # an absent OPTIONAL field has no element
            element.append(_tree_to_element(_pascal(name), value, hints[name]))
        return
    if isinstance(node, dict):  # an octet string with a non-minimal length form
        element.set("Value", node["hex"])
        element.set("LengthForm", str(node["length_form"]))
        return
    if isinstance(node, str):
        _set_text(element, node, "utf-8")
        return
    element.set("Value", _scalar_text(node))


def _xml_safe(text: str) -> bool:
    """Whether XML 1.0 carries ``text`` unchanged in an attribute (no control characters,
    no surrogates, no tab or newline, which attribute normalisation would turn into
    spaces)."""
    return all(
        0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or 0x10000 <= o <= 0x10FFFF
        for o in map(ord, text)
    )


def _set_text(element: ET.Element, text: str, encoding: str) -> None:
    """``Value="text"``, or ``Hex="..."`` (the text's bytes) where XML cannot hold it."""
    if _xml_safe(text):
        element.set("Value", text)
    else:
        element.set("Hex", text.encode(encoding, "surrogateescape").hex().upper())


def _get_text(element: ET.Element, encoding: str, where: str) -> str:
    raw = element.get("Hex")
    if raw is None:
        return element.get("Value", "")
    try:
        return bytes.fromhex(raw).decode(encoding, "surrogateescape")
    except ValueError:
        raise TranslateError(f"{where}: Hex is not hexadecimal") from None


def _scalar_text(node: Any) -> str:
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def _data_element(node: dict[str, Any]) -> ET.Element:
    name = next(k for k in node if k in _DATA_BY_NAME)
    element = ET.Element(name)
    inner = node[name]
    if name in ("Array", "Structure"):
        element.set("Qty", str(len(inner)))
        for item in inner:
            element.append(_data_element(item))
    elif name == "CompactArray":
        element.set("TypeDescription", inner["type_description"])
        for item in inner["values"]:
            element.append(_data_element(item))
    elif name in _TEXT_ENCODING:
        _set_text(element, inner, _TEXT_ENCODING[name])
    elif inner is not None:
        element.set("Value", _scalar_text(inner) if not isinstance(inner, dict) else "")
        if isinstance(inner, dict):
            element.set("Octet", str(inner["octet"]))
    for extra in ("bytes", "length_form", "text"):
        if extra in node:
            element.set(_pascal(extra), str(node[extra]))
    return element


# How string Data is turned into bytes for the Hex escape (as on the wire).
_TEXT_ENCODING: Final = {"VisibleString": "latin-1", "Utf8String": "utf-8"}


def from_xml(text: str) -> Apdu:
    """The APDU an XML document from :func:`to_xml` describes."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise TranslateError("XML with a DOCTYPE or entities is refused")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise TranslateError(f"not well-formed XML: {exc}") from None
    cls = _apdu_classes().get(root.tag)
    if cls is None:
        raise TranslateError(f"unknown APDU type {root.tag!r}")
    return from_tree({root.tag: _element_fields(root, cls, root.tag)})


def _element_fields(element: ET.Element, cls: type, where: str) -> dict[str, Any]:
    hints = _hints(cls)
    by_tag = {child.tag: child for child in element}
    body: dict[str, Any] = {}
    for f in _shown_fields(cls):
        child = by_tag.pop(_pascal(f.name), None)
        if child is None:
            if _NONE in _union_args(hints[f.name]) and not _is_axdr(hints[f.name]):
                body[f.name] = None
            continue
        body[f.name] = _element_node(child, hints[f.name], f"{where}.{f.name}")
    if by_tag:
        raise TranslateError(f"{where}: unknown element(s) {sorted(by_tag)}")
    return body


def _element_node(element: ET.Element, hint: Any, where: str) -> Any:
    if element.get("Absent") == "true":
        return None
    choices = _choices(hint)
    children = list(element)
    if len(choices) > 1 or choices[0] is Apdu:
        if len(children) != 1:
            raise TranslateError(f"{where}: a CHOICE element holds one typed element")
        child = children[0]
        if Apdu in choices and child.tag in _apdu_classes():
            cls = _apdu_classes()[child.tag]
            return {child.tag: _element_fields(child, cls, where)}
        for choice in choices:
            if choice is not Apdu and _type_name(choice) == child.tag:
                return {child.tag: _element_node(child, choice, where)}
        raise TranslateError(f"{where}: {child.tag!r} is not one of the choices")
    hint = choices[0]
    if hint is axdr.Value:
        if len(children) != 1:
            raise TranslateError(f"{where}: expected one A-XDR data element")
        return _data_node(children[0], where)
    if typing.get_origin(hint) is tuple:
        (item_hint, _) = typing.get_args(hint)
        return [_element_node(c, item_hint, f"{where}[{i}]") for i, c in enumerate(children)]
    if _is_record(hint):
        return _element_fields(element, hint, where)
    if element.get("Value") is None and element.get("Hex") is None:
        raise TranslateError(f"{where}: missing Value attribute")
    text = _get_text(element, "utf-8", where)
    if element.get("LengthForm") is not None:
        return {"hex": text, "length_form": int(element.get("LengthForm", "0"))}
    return _parse_scalar(text, hint, where)


def _parse_scalar(text: str, hint: Any, where: str) -> Any:
    if hint is bool:
        if text not in ("true", "false"):
            raise TranslateError(f"{where}: expected true or false")
        return text == "true"
    if hint is int or _is_scalar_wrapper(hint):
        return _int(text, where)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _int(text, where) if text.lstrip("-").isdigit() else text
    return text


def _int(text: str, where: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise TranslateError(f"{where}: {text!r} is not an integer") from None


def _data_node(element: ET.Element, where: str) -> dict[str, Any]:
    name = element.tag
    if name not in _DATA_BY_NAME:
        raise TranslateError(f"{where}: unknown A-XDR type element {name!r}")
    node: dict[str, Any]
    if name in ("Array", "Structure"):
        node = {name: [_data_node(c, where) for c in element]}
    elif name == "CompactArray":
        node = {
            name: {
                "type_description": element.get("TypeDescription", ""),
                "values": [_data_node(c, where) for c in element],
            }
        }
    elif name in ("NullData", "DontCare"):
        node = {name: None}
    else:
        text = element.get("Value", "")
        value: Any = text
        if name == "Boolean":
            value = (
                {"octet": int(element.get("Octet", "0"))}
                if element.get("Octet")
                else (text == "true")
            )
        elif name in _TEXT_ENCODING:
            value = _get_text(element, _TEXT_ENCODING[name], where)
        elif name in ("OctetString", "BitString"):
            value = text
        elif name not in ("Float32", "Float64", "DateTime", "Date", "Time"):
            value = _int(text, where)
        node = {name: value}
    for extra in ("Bytes", "LengthForm"):
        if element.get(extra) is not None:
            raw = element.get(extra, "")
            node["bytes" if extra == "Bytes" else "length_form"] = (
                raw if extra == "Bytes" else _int(raw, where)
            )
    return node
