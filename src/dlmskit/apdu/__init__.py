"""xDLMS and ACSE APDUs as typed values (Green Book, IEC 62056-5-3).

``decode(data)`` returns the typed APDU chosen by its first byte; ``encode(apdu)``
returns its bytes; ``encode(decode(b)) == b`` for every valid ``b``.

One module per service family; importing this package registers them all::

    acse          AARQ, AARE, RLRQ, RLRE
    initiate      InitiateRequest, InitiateResponse, Conformance
    errors        ExceptionResponse, ConfirmedServiceError
    get set action  LN services with block transfer and with-list variants
    selective     profile generic range / entry descriptors
    notification  DataNotification, EventNotificationRequest, gateway
    access        ACCESS request / response
    gbt           GeneralBlockTransfer
    sn            short-name services (Read, Write, InformationReport)
    ciphered      glo- / ded- envelopes, general-(glo|ded-)ciphering, general-signing
    common        invoke ids, descriptors, result enumerations
"""

from dlmskit.apdu import (
    access,
    acse,
    action,
    ciphered,
    common,
    errors,
    gbt,
    get,
    initiate,
    notification,
    selective,
    set,
    sn,
)
from dlmskit.apdu._base import Apdu, decode, decode_prefix, encode, registered_tags

__all__ = [
    "Apdu",
    "access",
    "acse",
    "action",
    "ciphered",
    "common",
    "decode",
    "decode_prefix",
    "encode",
    "errors",
    "gbt",
    "get",
    "initiate",
    "notification",
    "registered_tags",
    "selective",
    "set",
    "sn",
]
