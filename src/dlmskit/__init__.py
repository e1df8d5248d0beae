"""dlmskit: a complete DLMS/COSEM (IEC 62056) stack for Python."""

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

__version__ = "0.1.0.dev0"

__all__ = [
    "DecodeError",
    "DlmsError",
    "DlmsTimeoutError",
    "EncodeError",
    "LocalProtocolError",
    "ProtocolError",
    "RemoteProtocolError",
    "SecurityError",
    "__version__",
]
