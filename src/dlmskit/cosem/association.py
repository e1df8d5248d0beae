"""The association view: which objects a client sees, with their classes and access rights.

An Association LN object (class 15, Blue Book 4.4.4) lists in ``object_list`` every object
visible in the association with its class id, version, logical name and the client's
access rights; an Association SN object (class 12, 4.4.3) lists base names instead, its
access rights (version 2) in a separate ``access_rights_list``. :class:`AssociationView`
indexes either::

    view = AssociationView.from_ln_object_list(object_list_bytes, association_version=2)
    entry = view[Obis.parse("0.0.1.0.0.255")]       # the clock
    entry.spec.decode_attribute(2, data)            # its ClassSpec types its values
    entry.can_read(2), entry.can_write(2), entry.can_execute(1)

    sn = AssociationView.from_sn_object_list(objlist_bytes)
    sn.by_base_name(0xFA00)
    sn.resolve_short_name(0xFA08)                   # → (entry, attribute 2)

Undeclared classes (manufacturer specific) get a generic spec from the registry, so every
entry has one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dlmskit import axdr
from dlmskit.cosem.classes import ClassSpec, lookup
from dlmskit.cosem.types import (
    AccessRights,
    ObjectListElement,
    ShortNameAccessRights,
    ShortNameObjectListElement,
)
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis

__all__ = ["AssociationView", "ViewEntry"]

_SN_STRIDE = 8  # attribute n of an SN object is at base_name + 8·(n-1) (Blue Book 4.1.3)


@dataclass(frozen=True, slots=True)
class ViewEntry:
    """One object of the association view.

    ``base_name`` is the SN base address (``None`` in an LN view); ``access_rights`` is
    ``None`` when the association did not say (an SN view without access_rights_list).
    """

    class_id: int
    version: int
    logical_name: Obis
    access_rights: AccessRights | None = None
    base_name: int | None = None

    @property
    def spec(self) -> ClassSpec:
        """The interface class of the object (a generic one if undeclared)."""
        return lookup(self.class_id, self.version)

    def can_read(self, attribute: int) -> bool:
        """Whether the client may read ``attribute`` (unknown rights: True)."""
        return self.access_rights is None or self.access_rights.can_read(attribute)

    def can_write(self, attribute: int) -> bool:
        """Whether the client may write ``attribute`` (unknown rights: True)."""
        return self.access_rights is None or self.access_rights.can_write(attribute)

    def can_execute(self, method: int) -> bool:
        """Whether the client may invoke ``method`` (unknown rights: True)."""
        return self.access_rights is None or self.access_rights.can_execute(method)

    def attribute_short_name(self, attribute: int) -> int:
        """The short name of ``attribute`` of an SN object."""
        if self.base_name is None:
            raise ValueError(f"{self.logical_name} has no base name (LN association)")
        if isinstance(attribute, bool) or not isinstance(attribute, int) or attribute < 1:
            raise ValueError(f"attribute must be an index >= 1, not {attribute!r}")
        return (self.base_name + _SN_STRIDE * (attribute - 1)) & 0xFFFF


def _decoded(value: bytes | axdr.Value, what: str) -> axdr.Array:
    if isinstance(value, bytes | bytearray | memoryview) and not isinstance(
        value, axdr.OctetString
    ):
        value = axdr.decode(bytes(value))
    if not isinstance(value, axdr.Array):
        raise DecodeError(f"{what} must be an array, got {type(value).__name__}")
    return value


class AssociationView:
    """The objects of one association, indexed by logical name and (SN) base name."""

    __slots__ = ("_by_base", "_by_ln", "entries")

    def __init__(self, entries: Iterable[ViewEntry]) -> None:
        self.entries: tuple[ViewEntry, ...] = tuple(entries)
        self._by_ln: dict[Obis, ViewEntry] = {}
        self._by_base: dict[int, ViewEntry] = {}
        for entry in self.entries:
            self._by_ln.setdefault(entry.logical_name, entry)
            if entry.base_name is not None:
                self._by_base.setdefault(entry.base_name & 0xFFFF, entry)

    @classmethod
    def from_elements(
        cls, elements: Iterable[ObjectListElement | ShortNameObjectListElement]
    ) -> AssociationView:
        """The view of already decoded object_list elements (e.g. the value
        ``lookup(15, v).decode_attribute(2, data)`` returned)."""
        entries = []
        for i, element in enumerate(elements):
            if isinstance(element, ObjectListElement):
                entries.append(
                    ViewEntry(
                        element.class_id,
                        element.version,
                        element.logical_name,
                        element.access_rights,
                    )
                )
            elif isinstance(element, ShortNameObjectListElement):
                entries.append(
                    ViewEntry(
                        element.class_id,
                        element.version,
                        element.logical_name,
                        None,
                        element.base_address,
                    )
                )
            else:
                raise TypeError(
                    f"elements[{i}] must be an object list element, not {type(element).__name__}"
                )
        return cls(entries)

    @classmethod
    def from_ln_object_list(
        cls, object_list: bytes | axdr.Value, association_version: int
    ) -> AssociationView:
        """The view of an Association LN ``object_list`` (tagged bytes or decoded value),
        its access rights read in the form of ``association_version`` (0..3)."""
        items = _decoded(object_list, "object_list")
        entries = []
        for i, item in enumerate(items):
            element = ObjectListElement.from_data(item, association_version, f"object_list[{i}]")
            entries.append(
                ViewEntry(
                    element.class_id,
                    element.version,
                    element.logical_name,
                    element.access_rights,
                )
            )
        return cls(entries)

    @classmethod
    def from_sn_object_list(
        cls,
        object_list: bytes | axdr.Value,
        access_rights_list: bytes | axdr.Value | None = None,
    ) -> AssociationView:
        """The view of an Association SN ``object_list`` and, when given, its
        ``access_rights_list`` (matched by base name)."""
        items = _decoded(object_list, "object_list")
        rights: dict[int, AccessRights] = {}
        if access_rights_list is not None:
            for i, raw in enumerate(_decoded(access_rights_list, "access_rights_list")):
                element = ShortNameAccessRights.from_data(raw, f"access_rights_list[{i}]")
                rights[element.base_name & 0xFFFF] = element.rights
        entries = []
        for i, item in enumerate(items):
            try:
                sn = ShortNameObjectListElement.from_data(item)
            except DecodeError as exc:
                raise DecodeError(f"object_list[{i}]: {exc.reason}") from None
            base = sn.base_address
            entries.append(
                ViewEntry(sn.class_id, sn.version, sn.logical_name, rights.get(base), base)
            )
        return cls(entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[ViewEntry]:
        return iter(self.entries)

    def __contains__(self, logical_name: object) -> bool:
        return self.get(logical_name) is not None

    def __getitem__(self, logical_name: Obis | str) -> ViewEntry:
        entry = self.get(logical_name)
        if entry is None:
            raise KeyError(f"{logical_name} is not in the association view")
        return entry

    def get(self, logical_name: object) -> ViewEntry | None:
        """The entry of a logical name (an :class:`Obis` or any text Obis.parse reads)."""
        if isinstance(logical_name, str):
            try:
                logical_name = Obis.parse(logical_name)
            except ValueError:
                return None
        if not isinstance(logical_name, Obis):
            return None
        return self._by_ln.get(logical_name)

    def by_base_name(self, base_name: int) -> ViewEntry | None:
        """The entry whose SN base name is ``base_name`` (signed or unsigned form)."""
        return self._by_base.get(base_name & 0xFFFF)

    def resolve_short_name(self, short_name: int) -> tuple[ViewEntry, int] | None:
        """The (entry, attribute index) a short name addresses, or ``None``.

        Attribute n of an object is at base_name + 8·(n-1); the attribute must be one the
        object's class declares (generic classes: any up to 127).
        """
        target = short_name & 0xFFFF
        best: tuple[int, ViewEntry] | None = None
        for base, entry in self._by_base.items():
            offset = (target - base) & 0xFFFF
            if offset % _SN_STRIDE or (best is not None and offset >= best[0]):
                continue
            spec = entry.spec
            known = len(spec.all_attributes) if spec.attributes else 127
            if offset // _SN_STRIDE < known:
                best = (offset, entry)  # the nearest base below the short name wins
        if best is None:
            return None
        return best[1], best[0] // _SN_STRIDE + 1

    def of_class(self, class_id: int) -> tuple[ViewEntry, ...]:
        """Every entry of one class id."""
        return tuple(e for e in self.entries if e.class_id == class_id)
