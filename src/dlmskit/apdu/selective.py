"""Typed views of the Profile generic selective access parameters (Blue Book, class 7).

Inside the APDUs, ``access-selection`` is always the generic
:class:`~dlmskit.apdu.common.SelectiveAccessDescriptor` (an access selector and its
parameters as A-XDR Data), because every interface class defines its own selectors. For
the buffer attribute (2) of a Profile generic object (class id 7) the Blue Book defines
two, and this module gives them typed values that convert to and from the generic form:

selector 1, :class:`RangeDescriptor`::

    structure {
        restricting_object   capture_object_definition   the column the range applies to
        from_value           (simple data)               oldest value to return
        to_value             (simple data)               newest value to return
        selected_values      array capture_object_definition   columns; empty = all
    }

selector 2, :class:`EntryDescriptor`::

    structure {
        from_entry           double-long-unsigned   first entry, 1 = the oldest
        to_entry             double-long-unsigned   last entry, 0 = the newest there is
        from_selected_value  long-unsigned          first column, 1 = the first
        to_selected_value    long-unsigned          last column, 0 = the last there is
    }

:class:`CaptureObjectDefinition`::

    structure {
        class_id             long-unsigned
        logical_name         octet-string(6)
        attribute_index      integer
        data_index           long-unsigned      0 = the whole attribute
    }

``from_access_descriptor`` raises :class:`ValueError` naming the selector and the path of
the first element that does not have the expected shape. The typed view normalises the
A-XDR length forms; the APDU keeps the generic descriptor, so decoding and re-encoding an
APDU stays byte-exact whatever the meter sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Self

from dlmskit import axdr
from dlmskit.apdu.common import (
    SelectiveAccessDescriptor,
    check_data,
    check_range,
    check_type,
)
from dlmskit.apdu.get import (
    _coerce,
)
from dlmskit.cosem_time import CosemDateTime
from dlmskit.obis import Obis

__all__ = [
    "CLOCK_TIME",
    "CaptureObjectDefinition",
    "EntryDescriptor",
    "RangeDescriptor",
    "profile_access_descriptor",
]


_int_new = int.__new__


def _fail(where: str, message: str) -> ValueError:
    return ValueError(f"{where}: {message}")


def _describe(value: object) -> str:
    try:
        name = axdr.data_type_of(value).dlms_name
    except TypeError:
        return type(value).__name__
    return f"{name} {value!r}"


def _field(value: object, cls: type, dlms_name: str, where: str) -> Any:
    if not isinstance(value, cls):
        raise _fail(where, f"expected {dlms_name}, got {_describe(value)}")
    return value


def _structure(value: object, size: int, where: str) -> axdr.Structure:
    if not isinstance(value, axdr.Structure):
        raise _fail(where, f"expected a structure of {size} elements, got {_describe(value)}")
    if len(value) != size:
        raise _fail(where, f"expected a structure of {size} elements, got {len(value)}")
    return value


def _selector(descriptor: object, selector: int, what: str) -> Any:
    if not isinstance(descriptor, SelectiveAccessDescriptor):
        raise TypeError(
            f"{what}: expected a SelectiveAccessDescriptor, not {type(descriptor).__name__}"
        )
    if descriptor.access_selector != selector:
        raise _fail(what, f"expected access-selector {selector}, got {descriptor.access_selector}")
    return descriptor.access_parameters


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureObjectDefinition:
    """capture_object_definition: one column of a profile (Blue Book, class 7 attr 3).

    ``data_index`` 0 selects the whole attribute; n > 0 its n-th element.
    """

    class_id: int
    logical_name: Obis
    attribute_index: int
    data_index: int = 0
    # The A-XDR structure and its encoding, built once (the value is immutable).
    _data: axdr.Structure = field(init=False, repr=False, compare=False)
    _encoded: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_range("class_id", self.class_id, 0, 0xFFFF)
        if not isinstance(self.logical_name, Obis):
            if isinstance(self.logical_name, str):
                _coerce(self, "logical_name", Obis.parse(self.logical_name))
            else:
                check_type("logical_name", self.logical_name, Obis)
        check_range("attribute_index", self.attribute_index, -128, 127)
        check_range("data_index", self.data_index, 0, 0xFFFF)
        # The fields were range-checked above: build the typed integers without
        # checking again.
        data = axdr.Structure(
            (
                _int_new(axdr.LongUnsigned, self.class_id),
                axdr.OctetString(self.logical_name.to_bytes()),
                _int_new(axdr.Integer, self.attribute_index),
                _int_new(axdr.LongUnsigned, self.data_index),
            )
        )
        _coerce(self, "_data", data)
        _coerce(self, "_encoded", axdr.encode(data))

    def to_data(self) -> axdr.Structure:
        """The A-XDR structure ``{long-unsigned, octet-string(6), integer, long-unsigned}``."""
        return self._data

    def encoded(self) -> bytes:
        """The A-XDR encoding of :meth:`to_data`."""
        return self._encoded

    @classmethod
    def from_data(cls, value: object, where: str = "capture_object_definition") -> Self:
        """Read the A-XDR structure; ``ValueError`` naming ``where`` if it is not one."""
        class_id, name, attribute, data_index = _structure(value, 4, where)
        class_id = _field(class_id, axdr.LongUnsigned, "long-unsigned", f"{where}.class_id")
        name = _field(name, axdr.OctetString, "octet-string", f"{where}.logical_name")
        if len(name) != 6:
            raise _fail(f"{where}.logical_name", f"expected 6 octets, got {len(name)}")
        attribute = _field(attribute, axdr.Integer, "integer", f"{where}.attribute_index")
        data_index = _field(data_index, axdr.LongUnsigned, "long-unsigned", f"{where}.data_index")
        return cls(
            class_id=int(class_id),
            logical_name=Obis.from_bytes(bytes(name)),
            attribute_index=int(attribute),
            data_index=int(data_index),
        )


#: The time column of most profiles: Clock 0.0.1.0.0.255, attribute 2 (time).
CLOCK_TIME: Final = CaptureObjectDefinition(
    class_id=8, logical_name=Obis(0, 0, 1, 0, 0, 255), attribute_index=2, data_index=0
)


def _columns(obj: object, field: str) -> tuple[CaptureObjectDefinition, ...]:
    value = getattr(obj, field)
    if value == ():
        return ()
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"{field} must be a sequence, not {type(value).__name__}")
    items = tuple(value)
    for i, item in enumerate(items):
        check_type(f"{field}[{i}]", item, CaptureObjectDefinition)
    if type(value) is not tuple:
        _coerce(obj, field, items)
    return items


def _columns_from_data(value: object, where: str) -> tuple[CaptureObjectDefinition, ...]:
    if not isinstance(value, axdr.Array):
        raise _fail(
            where, f"expected an array of capture_object_definition, got {_describe(value)}"
        )
    return tuple(
        CaptureObjectDefinition.from_data(item, f"{where}[{i}]") for i, item in enumerate(value)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RangeDescriptor:
    """Profile generic selective access by range (access selector 1).

    Rows whose ``restricting_object`` column lies within ``from_value`` .. ``to_value``
    (inclusive), restricted to the ``selected_values`` columns (empty: all columns).
    ``from_value`` and ``to_value`` have the type of the restricting column; for the
    clock's time that is a 12-octet octet-string (see :meth:`by_clock`).
    """

    SELECTOR: ClassVar[int] = 1

    restricting_object: CaptureObjectDefinition
    from_value: axdr.Value
    to_value: axdr.Value
    selected_values: tuple[CaptureObjectDefinition, ...] = ()
    # The encoded structure when :meth:`by_clock` built it (it has the bytes at hand).
    _raw: bytes | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_type("restricting_object", self.restricting_object, CaptureObjectDefinition)
        check_data("from_value", self.from_value)
        check_data("to_value", self.to_value)
        _columns(self, "selected_values")

    @classmethod
    def by_clock(
        cls,
        start: CosemDateTime,
        end: CosemDateTime,
        selected_values: Sequence[CaptureObjectDefinition] = (),
    ) -> Self:
        """Rows from ``start`` to ``end`` by the clock column (Clock attribute 2), the
        date-times sent as 12-octet octet-strings as the clock's time attribute is."""
        if type(start) is not CosemDateTime or type(end) is not CosemDateTime:
            check_type("start", start, CosemDateTime)
            check_type("end", end, CosemDateTime)
        if selected_values:
            return cls(
                restricting_object=CLOCK_TIME,
                from_value=axdr.OctetString(start.to_bytes()),
                to_value=axdr.OctetString(end.to_bytes()),
                selected_values=tuple(selected_values),
            )
        # All columns, the commonest read of all: every field is known to be valid, so
        # the value is built without checking it again, with its encoding.
        begin, finish = start.to_bytes(), end.to_bytes()
        view = _object_new(cls)
        _set_restricting(view, CLOCK_TIME)
        _set_from(view, axdr.OctetString(begin))
        _set_to(view, axdr.OctetString(finish))
        _set_columns(view, ())
        _set_range_raw(view, b"".join((_CLOCK_RANGE_HEAD, begin, b"\x09\x0c", finish, b"\x01\x00")))
        return view

    def to_access_descriptor(self) -> SelectiveAccessDescriptor:
        columns = self.selected_values
        raw = self._raw or b"".join(
            (
                b"\x02\x04",
                self.restricting_object.encoded(),
                axdr.encode(self.from_value),
                axdr.encode(self.to_value),
                b"\x01" + axdr.encode_length(len(columns)),
                *(c.encoded() for c in columns),
            )
        )
        # Built without re-checking: the selector is a constant, the raw bytes are bytes.
        descriptor = _object_new(SelectiveAccessDescriptor)
        _set_selector(descriptor, self.SELECTOR)
        _set_parameters(
            descriptor,
            axdr.Structure(
                (
                    self.restricting_object.to_data(),
                    self.from_value,
                    self.to_value,
                    axdr.Array(c.to_data() for c in columns) if columns else _NO_COLUMNS,
                )
            ),
        )
        _set_descriptor_raw(descriptor, raw)
        return descriptor

    @classmethod
    def from_access_descriptor(cls, descriptor: SelectiveAccessDescriptor) -> Self:
        """The typed view of ``descriptor``; ``ValueError`` if it is not a range
        descriptor (selector 1 with the Blue Book structure)."""
        where = "range_descriptor"
        parameters = _selector(descriptor, cls.SELECTOR, where)
        restricting, low, high, columns = _structure(parameters, 4, where)
        return cls(
            restricting_object=CaptureObjectDefinition.from_data(
                restricting, f"{where}.restricting_object"
            ),
            from_value=low,
            to_value=high,
            selected_values=_columns_from_data(columns, f"{where}.selected_values"),
        )


# The slot setters of the frozen classes built on the fast paths above.
_object_new: Final = object.__new__
_set_restricting: Final = RangeDescriptor.__dict__["restricting_object"].__set__
_set_from: Final = RangeDescriptor.__dict__["from_value"].__set__
_set_to: Final = RangeDescriptor.__dict__["to_value"].__set__
_set_columns: Final = RangeDescriptor.__dict__["selected_values"].__set__
_set_range_raw: Final = RangeDescriptor.__dict__["_raw"].__set__
_set_selector: Final = SelectiveAccessDescriptor.__dict__["access_selector"].__set__
_set_parameters: Final = SelectiveAccessDescriptor.__dict__["access_parameters"].__set__
_set_descriptor_raw: Final = SelectiveAccessDescriptor.__dict__["raw"].__set__
_NO_COLUMNS: Final = axdr.Array(())  # immutable: one for every "all columns"
#: structure of 4, then the clock's capture object definition, then octet-string(12)
_CLOCK_RANGE_HEAD: Final = b"\x02\x04" + CLOCK_TIME.encoded() + b"\x09\x0c"


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryDescriptor:
    """Profile generic selective access by entry (access selector 2).

    Entries (rows) ``from_entry`` .. ``to_entry`` (1 = the oldest; ``to_entry`` 0 = up to
    the newest) and columns ``from_selected_value`` .. ``to_selected_value`` (1 = the
    first; ``to_selected_value`` 0 = up to the last).
    """

    SELECTOR: ClassVar[int] = 2

    from_entry: int
    to_entry: int
    from_selected_value: int = 1
    to_selected_value: int = 0

    def __post_init__(self) -> None:
        check_range("from_entry", self.from_entry, 0, 0xFFFFFFFF)
        check_range("to_entry", self.to_entry, 0, 0xFFFFFFFF)
        check_range("from_selected_value", self.from_selected_value, 0, 0xFFFF)
        check_range("to_selected_value", self.to_selected_value, 0, 0xFFFF)

    def to_access_descriptor(self) -> SelectiveAccessDescriptor:
        return SelectiveAccessDescriptor(
            access_selector=self.SELECTOR,
            access_parameters=axdr.Structure(
                (
                    _int_new(axdr.DoubleLongUnsigned, self.from_entry),
                    _int_new(axdr.DoubleLongUnsigned, self.to_entry),
                    _int_new(axdr.LongUnsigned, self.from_selected_value),
                    _int_new(axdr.LongUnsigned, self.to_selected_value),
                )
            ),
        )

    @classmethod
    def from_access_descriptor(cls, descriptor: SelectiveAccessDescriptor) -> Self:
        """The typed view of ``descriptor``; ``ValueError`` if it is not an entry
        descriptor (selector 2 with the Blue Book structure)."""
        where = "entry_descriptor"
        parameters = _selector(descriptor, cls.SELECTOR, where)
        first, last, low, high = _structure(parameters, 4, where)
        dlu, lu = axdr.DoubleLongUnsigned, axdr.LongUnsigned
        return cls(
            from_entry=int(_field(first, dlu, "double-long-unsigned", f"{where}.from_entry")),
            to_entry=int(_field(last, dlu, "double-long-unsigned", f"{where}.to_entry")),
            from_selected_value=int(
                _field(low, lu, "long-unsigned", f"{where}.from_selected_value")
            ),
            to_selected_value=int(_field(high, lu, "long-unsigned", f"{where}.to_selected_value")),
        )


def profile_access_descriptor(
    descriptor: SelectiveAccessDescriptor,
) -> RangeDescriptor | EntryDescriptor:
    """The typed view of a Profile generic buffer's access selection (selector 1 or 2).

    ``ValueError`` for another selector or parameters without the Blue Book shape.
    """
    check_type("descriptor", descriptor, SelectiveAccessDescriptor)
    if descriptor.access_selector == RangeDescriptor.SELECTOR:
        return RangeDescriptor.from_access_descriptor(descriptor)
    if descriptor.access_selector == EntryDescriptor.SELECTOR:
        return EntryDescriptor.from_access_descriptor(descriptor)
    raise ValueError(
        f"access-selector {descriptor.access_selector} is not a Profile generic selector "
        "(1 range, 2 entry)"
    )
