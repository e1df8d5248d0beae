"""COSEM object model (IEC 62056-6-2, the Blue Book): interface classes, units, OBIS names,
profile buffers.

The package is pure and sans-io: it turns A-XDR values (``dlmskit.axdr``) into typed
Python values and back.
"""

__all__: list[str] = []
