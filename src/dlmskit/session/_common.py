"""Helpers both session roles share: APDU classification, the current-association
object of HLS pass 3, invoke-id bookkeeping, the ciphering step, GET datablock sizing."""

from __future__ import annotations

from typing import Final

from dlmskit import axdr
from dlmskit.apdu import action, get
from dlmskit.apdu import set as set_
from dlmskit.apdu._base import Apdu, decode
from dlmskit.apdu.ciphered import GeneralDedCiphering, GeneralGloCiphering, ServiceSpecificCiphered
from dlmskit.apdu.common import CosemMethodDescriptor, InvokeIdAndPriority
from dlmskit.apdu.initiate import Conformance
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis
from dlmskit.security import ciphering
from dlmskit.security.context import SecurityContext
from dlmskit.security.keys import SecurityKeys

__all__ = [
    "CIPHERED_TYPES",
    "CURRENT_ASSOCIATION",
    "GET_RESPONSES",
    "REPLY_TO_HLS_AUTHENTICATION",
    "decode_data",
    "protect_initiate",
    "split_get_response",
]

#: The current association object (Association LN, class 15, 0.0.40.0.0.255): pass 3 of
#: HLS is its method 1, reply_to_HLS_authentication (Blue Book 4.4.3, Green Book 9.2.7.4).
CURRENT_ASSOCIATION: Final = Obis(0, 0, 40, 0, 0, 255)
REPLY_TO_HLS_AUTHENTICATION: Final = CosemMethodDescriptor(
    class_id=15, instance_id=CURRENT_ASSOCIATION, method_id=1
)

CIPHERED_TYPES: Final = (ServiceSpecificCiphered, GeneralGloCiphering, GeneralDedCiphering)

GET_RESPONSES: Final = (
    get.GetResponseNormal,
    get.GetResponseWithDatablock,
    get.GetResponseWithList,
)
SET_RESPONSES: Final = (
    set_.SetResponseNormal,
    set_.SetResponseWithList,
    set_.SetResponseDatablock,
    set_.SetResponseLastDatablock,
    set_.SetResponseLastDatablockWithList,
)
ACTION_RESPONSES: Final = (
    action.ActionResponseNormal,
    action.ActionResponseWithList,
    action.ActionResponseWithPblock,
    action.ActionResponseNextPblock,
)
GET_REQUESTS: Final = (get.GetRequestNormal, get.GetRequestNext, get.GetRequestWithList)
SET_REQUESTS: Final = (
    set_.SetRequestNormal,
    set_.SetRequestWithFirstDatablock,
    set_.SetRequestWithDatablock,
    set_.SetRequestWithList,
    set_.SetRequestWithListAndFirstDatablock,
)
ACTION_REQUESTS: Final = (
    action.ActionRequestNormal,
    action.ActionRequestNextPblock,
    action.ActionRequestWithList,
    action.ActionRequestWithFirstPblock,
    action.ActionRequestWithListAndFirstPblock,
    action.ActionRequestWithPblock,
)

# Overheads of the envelopes around a protected APDU: tag, length (up to 3 octets), SC,
# IC (4), GCM tag (12); general-glo/ded add the system title (1 + 8).
CIPHERING_OVERHEAD: Final = 1 + 3 + 1 + 4 + 12 + 9
# get-response-with-datablock around the raw data: C4 02 iip last(1) number(4) choice(1)
# and the raw-data length (up to 3 octets, A-XDR).
DATABLOCK_G_OVERHEAD: Final = 3 + 1 + 4 + 1 + 3


def decode_data(raw: bytes, what: str) -> axdr.Value:
    """One complete A-XDR Data value from joined block data."""
    try:
        return axdr.decode(raw)
    except DecodeError as exc:
        raise DecodeError(f"{what}: {exc.reason}", exc.offset) from None


def encode_result_list(response: get.GetResponseWithList) -> bytes:
    """The SEQUENCE OF Get-Data-Result of a with-list answer: what its datablocks carry
    (the APDU without ``C4 03`` and the invoke-id-and-priority)."""
    return response.to_bytes()[3:]


def decode_result_list(iip: InvokeIdAndPriority, raw: bytes) -> tuple[get.GetDataResult, ...]:
    """The inverse of :func:`encode_result_list` (DecodeError naming the blocks)."""
    try:
        whole = decode(b"\xc4\x03" + bytes((iip.value,)) + raw)
    except DecodeError as exc:
        raise DecodeError(f"joined with-list datablocks: {exc.reason}", exc.offset) from None
    assert isinstance(whole, get.GetResponseWithList)
    return whole.result


def protect_initiate(context: SecurityContext, plain: bytes) -> Apdu:
    """The ciphered xDLMS-Initiate APDU of an AARQ / AARE / RLRQ / RLRE user-information:
    always under the global key (the dedicated key travels inside it, Green Book 9.2.7.2.4),
    in a glo-initiate envelope, or general-glo-ciphering when the policy uses the general
    envelopes."""
    keys: SecurityKeys = context.keys
    assert keys.global_unicast_key is not None
    envelope = (
        ciphering.Envelope.GENERAL_GLO
        if context.policy.envelope
        in (ciphering.Envelope.GENERAL_GLO, ciphering.Envelope.GENERAL_DED)
        else ciphering.Envelope.GLO
    )
    return ciphering.protect(
        plain,
        envelope=envelope,
        security_control=context.policy.security_control(keys.suite),
        system_title=keys.system_title,
        invocation_counter=context.outgoing.next(),
        encryption_key=keys.global_unicast_key,
        authentication_key=keys.authentication_key,
    )


def split_get_response(data: bytes, block_size: int) -> list[bytes]:
    """``data`` (an encoded Data) cut into raw-data blocks of at most ``block_size``."""
    if block_size < 1:
        raise ValueError("the peer's max PDU size leaves no room for a datablock")
    return [data[i : i + block_size] for i in range(0, len(data), block_size)]


def needs(conformance: Conformance, bit: Conformance) -> bool:
    return bool(conformance & bit)
