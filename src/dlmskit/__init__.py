"""dlmskit: a complete DLMS/COSEM (IEC 62056) stack for Python."""

from dlmskit.cosem_time import CosemDate, CosemDateTime, CosemTime
from dlmskit.errors import (
    DecodeError,
    DlmsError,
    DlmsTimeoutError,
    EncodeError,
    LocalProtocolError,
    ProtocolError,
    RemoteProtocolError,
    SecurityError,
)
from dlmskit.obis import Obis

__version__ = "0.1.0.dev0"

__all__ = [
    "CosemDate",
    "CosemDateTime",
    "CosemTime",
    "DecodeError",
    "DlmsError",
    "DlmsTimeoutError",
    "EncodeError",
    "LocalProtocolError",
    "Obis",
    "ProtocolError",
    "RemoteProtocolError",
    "SecurityError",
    "__version__",
]
