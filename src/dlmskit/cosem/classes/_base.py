"""The interface-class registry (Blue Book, DLMS UA 1000-1, 4.1 and the class tables).

Every class version is declared once as a :class:`~dlmskit.cosem.classes._declare.ClassSpec`
(attributes and methods with their wire kinds) in one of the class modules; each module
exposes them as a tuple ``CLASSES`` and :mod:`dlmskit.cosem.classes` registers them all at
import. This module keeps the registry::

    spec = lookup(3, 0)                      # Register, version 0
    spec.decode_attribute(3, b"\\x02\\x02\\x0f\\xfd\\x16\\x1e")   # ScalerUnit(-3, WATT_HOUR)
    for spec in catalogue(): ...             # every declared (class id, version), sorted

A class id or version that nobody declared (manufacturer classes, a newer Blue Book)
still resolves: :func:`lookup` returns a :class:`GenericClassSpec` whose every attribute and
method is kept as the decoded A-XDR value (``CHOICE``), so objects of such classes can be
read and written without being understood (Blue Book 4.1.2: manufacturer-specific
attributes and methods carry negative indices; class ids 128..255 are manufacturer
specific).

The names in the shared plan map onto the declaration framework as ``Codec`` =
:class:`Kind`, ``Attribute`` = :class:`AttrSpec`, ``Method`` = :class:`MethSpec`,
``InterfaceClass`` = :class:`ClassSpec`.
"""

from __future__ import annotations

import dataclasses
import importlib

from dlmskit.cosem.classes._declare import ANY, AttrSpec, ClassSpec, Kind, MethSpec

__all__ = [
    "AttrSpec",
    "Attribute",
    "ClassSpec",
    "Codec",
    "GenericClassSpec",
    "InterfaceClass",
    "Kind",
    "MethSpec",
    "Method",
    "catalogue",
    "find",
    "lookup",
    "register",
    "versions",
]

Codec = Kind
Attribute = AttrSpec
Method = MethSpec
InterfaceClass = ClassSpec

_MIN_INDEX = -128  # attribute/method indices are A-XDR integer (Green Book 9.5)
_MAX_INDEX = 127


@dataclasses.dataclass(frozen=True, slots=True)
class GenericClassSpec(ClassSpec):
    """A class version nobody declared: any attribute or method index, every value CHOICE.

    Attribute 1 is still ``logical_name`` (every class has it, Blue Book 4.1.2); attribute
    ``n`` is ``attribute_<n>`` and method ``n`` is ``method_<n>`` (``_m<n>`` for the
    negative, manufacturer-specific indices).
    """

    def attribute(self, index: int) -> AttrSpec:
        """Attribute ``index``: ``logical_name`` for 1, a CHOICE for any other index."""
        _check_index(index, "attribute")
        if index == 1:
            return self.all_attributes[0]
        return AttrSpec(_generic_name("attribute", index), ANY, False)

    def method(self, index: int) -> MethSpec:
        """Method ``index``: CHOICE parameter and result."""
        _check_index(index, "method")
        return MethSpec(_generic_name("method", index), ANY, ANY)

    @property
    def generic(self) -> bool:
        """Always true: the class was not declared."""
        return True


def _check_index(index: int, what: str) -> None:
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError(f"{what} index must be an int, not {type(index).__name__}")
    if index == 0 or not _MIN_INDEX <= index <= _MAX_INDEX:
        raise ValueError(f"{what} index must be in -128..-1 or 1..127, not {index}")


def _generic_name(what: str, index: int) -> str:
    return f"{what}_{index}" if index > 0 else f"{what}_m{-index}"


_REGISTRY: dict[tuple[int, int], ClassSpec] = {}
_GENERIC: dict[tuple[int, int], GenericClassSpec] = {}
_loaded = False


def _ensure_loaded() -> None:
    """Register the class modules on first use.

    Loading is deferred because the shared value types (:mod:`dlmskit.cosem.types`) build
    on this package's field kinds while the class modules build on those types: importing
    the modules from the package body would be circular.
    """
    global _loaded  # noqa: PLW0603  (one-time initialisation)
    if not _loaded:
        _loaded = True
        importlib.import_module("dlmskit.cosem.classes").register_modules()


def _check_key(class_id: int, version: int) -> None:
    for name, value, top in (("class_id", class_id, 0xFFFF), ("version", version, 0xFF)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if not 0 <= value <= top:
            raise ValueError(f"{name} must be in 0..{top}, not {value}")


def register(spec: ClassSpec) -> ClassSpec:
    """Add one class version; ValueError if another declaration has its (id, version).

    Registering the same declaration twice is harmless (modules may be re-imported).
    Attribute 1 must be ``logical_name`` and attribute names unique.
    """
    if not isinstance(spec, ClassSpec) or isinstance(spec, GenericClassSpec):
        raise TypeError(f"spec must be a ClassSpec, not {type(spec).__name__}")
    _check_key(spec.class_id, spec.version)
    key = (spec.class_id, spec.version)
    names = [a.name for a in spec.all_attributes]
    if names.count("logical_name") != 1:
        raise ValueError(f"{spec.name} (class {key[0]}, version {key[1]}): logical_name twice")
    for kind, rows in (("attribute", names), ("method", [m.name for m in spec.methods])):
        duplicates = sorted({n for n in rows if rows.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"{spec.name} (class {key[0]}, version {key[1]}): {kind} names "
                f"{', '.join(duplicates)} repeated"
            )
    existing = _REGISTRY.get(key)
    if existing is not None and existing != spec:
        raise ValueError(
            f"class {key[0]} version {key[1]} is already declared as {existing.name!r}"
        )
    _REGISTRY[key] = spec
    return spec


def find(class_id: int, version: int) -> ClassSpec | None:
    """The declared class version, or ``None``."""
    _ensure_loaded()
    _check_key(class_id, version)
    return _REGISTRY.get((class_id, version))


def lookup(class_id: int, version: int) -> ClassSpec:
    """The declared class version, or a :class:`GenericClassSpec` for an undeclared one.

    A generic spec of a known class id (an undeclared version) keeps the class's name.
    """
    _ensure_loaded()
    _check_key(class_id, version)
    key = (class_id, version)
    spec = _REGISTRY.get(key)
    if spec is not None:
        return spec
    generic = _GENERIC.get(key)
    if generic is None:
        known = [s for (cid, _), s in _REGISTRY.items() if cid == class_id]
        name = known[0].name if known else f"class {class_id}"
        generic = GenericClassSpec(class_id, version, name, ())
        if len(_GENERIC) < 4096:  # bounded: ids come from the wire
            _GENERIC[key] = generic
    return generic


def versions(class_id: int) -> tuple[int, ...]:
    """The declared versions of one class id, ascending (empty when none)."""
    _ensure_loaded()
    _check_key(class_id, 0)
    return tuple(sorted(v for (cid, v) in _REGISTRY if cid == class_id))


def catalogue() -> tuple[ClassSpec, ...]:
    """Every declared class version, sorted by (class id, version)."""
    _ensure_loaded()
    return tuple(_REGISTRY[key] for key in sorted(_REGISTRY))
