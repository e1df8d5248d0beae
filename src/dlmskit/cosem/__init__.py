"""COSEM object model (IEC 62056-6-2, the Blue Book): interface classes, units, OBIS names,
profile buffers.

The package is pure and sans-io: it turns A-XDR values (``dlmskit.axdr``) into typed
Python values and back.

* :mod:`dlmskit.cosem.units`: the unit table (:class:`Unit`) and ``scaler_unit``
  (:class:`ScalerUnit`, exact :class:`~decimal.Decimal` scaling).
* :mod:`dlmskit.cosem.names`: human names of OBIS codes (:func:`obis_name`,
  :func:`lookup_obis` → :class:`ObisInfo`).
* :mod:`dlmskit.cosem.profile`: profile generic buffers as typed tables
  (:func:`parse_buffer` → :class:`ProfileTable`).
"""

from dlmskit.cosem.association import AssociationView, ViewEntry
from dlmskit.cosem.classes import ClassSpec, GenericClassSpec, catalogue, lookup
from dlmskit.cosem.names import ObisInfo
from dlmskit.cosem.names import lookup as lookup_obis
from dlmskit.cosem.names import name as obis_name
from dlmskit.cosem.profile import (
    Column,
    ColumnKind,
    ProfileTable,
    parse_buffer,
    parse_compact_buffer,
)
from dlmskit.cosem.types import (
    AccessRights,
    CaptureObjectDefinition,
    ObjectListElement,
    Script,
    ScriptAction,
)
from dlmskit.cosem.units import ScalerUnit, Unit

__all__ = [
    "AccessRights",
    "AssociationView",
    "CaptureObjectDefinition",
    "ClassSpec",
    "Column",
    "ColumnKind",
    "GenericClassSpec",
    "ObisInfo",
    "ObjectListElement",
    "ProfileTable",
    "ScalerUnit",
    "Script",
    "ScriptAction",
    "Unit",
    "ViewEntry",
    "catalogue",
    "lookup",
    "lookup_obis",
    "obis_name",
    "parse_buffer",
    "parse_compact_buffer",
]
