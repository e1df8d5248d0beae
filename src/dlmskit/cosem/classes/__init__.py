"""COSEM interface classes (Blue Book, DLMS UA 1000-1): declarations and the registry.

Importing this package registers every declared class version; :func:`lookup` then gives
the :class:`ClassSpec` of a (class id, version), :func:`catalogue` all of them::

    from dlmskit.cosem.classes import lookup
    lookup(8, 0).decode_attribute(2, data)     # Clock.time → CosemDateTime

Class modules: :mod:`.basic` (data, registers, profile, clock, scripts, schedules),
:mod:`.assoc` (Association SN/LN, SAP assignment, security setup, image transfer),
:mod:`.comm`, :mod:`.media`, :mod:`.payment`, :mod:`.plc` (communication set-up, M-Bus,
payment metering, PLC). Each exposes its declarations as the tuple ``CLASSES``.
"""

from dlmskit.cosem.classes import comm, media, payment, plc
from dlmskit.cosem.classes._base import (
    AttrSpec,
    ClassSpec,
    GenericClassSpec,
    Kind,
    MethSpec,
    catalogue,
    find,
    lookup,
    register,
    versions,
)

__all__ = [
    "AttrSpec",
    "ClassSpec",
    "GenericClassSpec",
    "Kind",
    "MethSpec",
    "catalogue",
    "find",
    "lookup",
    "register",
    "versions",
]

for _module in (comm, media, payment, plc):
    for _spec in _module.CLASSES:
        register(_spec)
del _module, _spec
