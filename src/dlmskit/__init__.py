"""dlmskit: a complete DLMS/COSEM (IEC 62056) stack for Python.

The names most programs need, from one place::

    from dlmskit import Client, AsyncClient, Obis       # read meters
    from dlmskit import Simulator, PushListener          # simulate meters, receive pushes
    from dlmskit import decode_dump, SecurityKeys        # decode captured frames

``import dlmskit`` stays light: the client, the simulator, the listener and the decoder
(and asyncio, sqlite3, serial ports behind them) are imported on first use of their name.
The layers themselves live in the subpackages (``dlmskit.axdr``, ``dlmskit.apdu``,
``dlmskit.link``, ``dlmskit.security``, ``dlmskit.session``, ``dlmskit.cosem``, ...).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dlmskit.cosem_time import CosemDate, CosemDateTime, CosemTime
from dlmskit.errors import (
    AccessError,
    AssociationError,
    ClientError,
    ConnectionLostError,
    DecodeError,
    DlmsError,
    DlmsTimeoutError,
    EncodeError,
    LocalProtocolError,
    NoAnswerError,
    ProtocolError,
    RemoteProtocolError,
    SecurityError,
)
from dlmskit.obis import Obis

if TYPE_CHECKING:
    from dlmskit.client import AsyncClient, Client
    from dlmskit.decoder import decode_dump
    from dlmskit.listener import PushListener
    from dlmskit.security.keys import SecurityKeys
    from dlmskit.security.mechanisms import MechanismId
    from dlmskit.server import Simulator

__version__ = "0.1.0.dev0"

# Name → module, imported when the name is first used (PEP 562).
_LAZY: dict[str, str] = {
    "AsyncClient": "dlmskit.client",
    "Client": "dlmskit.client",
    "MechanismId": "dlmskit.security.mechanisms",
    "PushListener": "dlmskit.listener",
    "SecurityKeys": "dlmskit.security.keys",
    "Simulator": "dlmskit.server",
    "decode_dump": "dlmskit.decoder",
}

__all__ = [
    "AccessError",
    "AssociationError",
    "AsyncClient",
    "Client",
    "ClientError",
    "ConnectionLostError",
    "CosemDate",
    "CosemDateTime",
    "CosemTime",
    "DecodeError",
    "DlmsError",
    "DlmsTimeoutError",
    "EncodeError",
    "LocalProtocolError",
    "MechanismId",
    "NoAnswerError",
    "Obis",
    "ProtocolError",
    "PushListener",
    "RemoteProtocolError",
    "SecurityError",
    "SecurityKeys",
    "Simulator",
    "__version__",
    "decode_dump",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dlmskit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
