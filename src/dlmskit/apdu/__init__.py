"""xDLMS and ACSE APDUs as typed values (Green Book, IEC 62056-5-3).

``decode(data)`` returns the typed APDU chosen by its first byte; ``encode(apdu)``
returns its bytes; ``encode(decode(b)) == b`` for every valid ``b``.
"""

from dlmskit.apdu._base import Apdu, decode, decode_prefix, encode, registered_tags

__all__ = ["Apdu", "decode", "decode_prefix", "encode", "registered_tags"]
