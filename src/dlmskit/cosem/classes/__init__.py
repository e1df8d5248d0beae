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

import importlib

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
    "CLASS_MODULES",
    "AttrSpec",
    "ClassSpec",
    "GenericClassSpec",
    "Kind",
    "MethSpec",
    "catalogue",
    "find",
    "lookup",
    "register",
    "register_modules",
    "versions",
]

#: The class modules whose ``CLASSES`` the registry holds.
CLASS_MODULES = ("basic", "assoc", "comm", "media", "payment", "plc")


def register_modules() -> None:
    """Import every class module and register its declarations.

    Called by the registry on first use (importing the modules here directly would be
    circular: :mod:`dlmskit.cosem.types` needs this package's field kinds).
    """
    for name in CLASS_MODULES:
        module = importlib.import_module(f"dlmskit.cosem.classes.{name}")
        for spec in module.CLASSES:
            register(spec)
