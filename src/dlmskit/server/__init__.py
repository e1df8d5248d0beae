"""The meter simulator: a DLMS/COSEM server that real clients can read.

:class:`~dlmskit.server.engine.Meter` is the sans-io engine (one logical device);
:class:`~dlmskit.server.transport.Simulator` serves meters over TCP (wrapper or HDLC),
UDP and serial lines; :func:`~dlmskit.server.model.load_model` reads a meter model.
"""

from dlmskit.server.engine import Meter, PushOut
from dlmskit.server.model import MeterModel, ModelError, load_model, loads_model
from dlmskit.server.transport import Simulator

__all__ = ["Meter", "MeterModel", "ModelError", "PushOut", "Simulator", "load_model", "loads_model"]
