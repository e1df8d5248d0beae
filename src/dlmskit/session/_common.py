"""Helpers both session roles share: APDU classification, the current-association
object of HLS pass 3, invoke-id bookkeeping, the ciphering step, GET datablock sizing."""

from __future__ import annotations

from collections import deque
from typing import Final

from dlmskit import axdr
from dlmskit.apdu import action, get
from dlmskit.apdu import set as set_
from dlmskit.apdu._base import Apdu, decode
from dlmskit.apdu.ciphered import GeneralDedCiphering, GeneralGloCiphering, ServiceSpecificCiphered
from dlmskit.apdu.common import CosemMethodDescriptor, InvokeIdAndPriority
from dlmskit.apdu.gbt import GeneralBlockTransfer
from dlmskit.apdu.initiate import Conformance
from dlmskit.errors import DecodeError, RemoteProtocolError
from dlmskit.obis import Obis
from dlmskit.security import ciphering
from dlmskit.security.context import SecurityContext
from dlmskit.security.keys import SecurityKeys
from dlmskit.session.gbt import (
    GbtReceiver,
    GbtReceiverState,
    GbtSender,
    GbtSenderState,
    block_size_for,
)

__all__ = [
    "CIPHERED_TYPES",
    "CURRENT_ASSOCIATION",
    "GET_RESPONSES",
    "REPLY_TO_HLS_AUTHENTICATION",
    "GbtLayer",
    "decode_data",
    "protect_initiate",
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


def decode_data(raw: bytes, what: str) -> axdr.Value:
    """One complete A-XDR Data value from joined block data."""
    try:
        return axdr.decode(raw)
    except DecodeError as exc:
        raise DecodeError(f"{what}: {exc.reason}", exc.offset) from None


def decode_data_list(raw: bytes, what: str) -> tuple[axdr.Value, ...]:
    """A SEQUENCE OF Data (A-XDR count, then the values): the joined blocks of a with-list
    SET / ACTION. Read as the body of an array (tag 01 + the same bytes)."""
    value = decode_data(b"\x01" + raw, what)
    assert isinstance(value, axdr.Array)
    return tuple(value)


def encode_data_list(values: tuple[axdr.Value, ...]) -> bytes:
    """The inverse of :func:`decode_data_list`."""
    return axdr.encode(axdr.Array(values))[1:]


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


def needs(conformance: Conformance, bit: Conformance) -> bool:
    return bool(conformance & bit)


class GbtLayer:
    """General Block Transfer under a session (Green Book 9.4.6.13), both roles.

    GBT sits between the session and the link: an APDU (already protected: the GBT
    blocks carry the ciphered APDU, joined before unprotect) longer than the peer's max
    PDU leaves as ``general-block-transfer`` blocks through a
    :class:`~dlmskit.session.gbt.GbtSender`; blocks from the peer are joined by a
    :class:`~dlmskit.session.gbt.GbtReceiver` and the joined APDU goes up. An incoming block
    while this side is sending is the receiver's acknowledgement (it may also carry the
    first block of the peer's answer). Senders wait in line: one transfer at a time.

    The peer's answer acknowledges the whole of what it answers (Green Book 9.4.6.13: a
    response may carry the acknowledgement), so a sender still waiting for its final
    acknowledgement is done when the peer starts its answer (a block with data, or any
    other APDU: :meth:`peer_answered`). A server (``final_ack=False``) therefore sends no
    separate final acknowledgement for a request: its answer follows. On HDLC this
    matters: the secondary may only send when polled, and a client whose request got an
    APDU back stops polling, so a final acknowledgement followed by the answer would leave
    the answer waiting.
    """

    def __init__(
        self, *, window: int, timeout: float, max_size: int, max_retries: int, final_ack: bool
    ) -> None:
        self.final_ack = final_ack
        self.window = window
        self.timeout = timeout
        self.max_size = max_size
        self.max_retries = max_retries
        self._senders: deque[tuple[bytes, int]] = deque()  # waiting: (APDU, block size)
        self._sender: GbtSender | None = None
        self._receiver: GbtReceiver | None = None
        self._finished: GbtReceiver | None = None  # the last transfer joined

    def reset(self) -> None:
        self._senders.clear()
        self._sender = None
        self._receiver = None
        self._finished = None

    def send(self, apdu: bytes, peer_max_pdu: int, now: float) -> list[bytes]:
        """The wire APDUs for ``apdu``: itself when it fits, else GBT blocks."""
        if len(apdu) <= peer_max_pdu:
            return [apdu]
        self._senders.append((apdu, block_size_for(peer_max_pdu)))
        return self._next_sender(now) if self._sender is None else []

    def _next_sender(self, now: float) -> list[bytes]:
        if not self._senders:
            self._sender = None
            return []
        apdu, block_size = self._senders.popleft()
        self._sender = GbtSender(
            apdu,
            block_size=block_size,
            window=1,  # the receiver's window is learnt from its first acknowledgement
            own_window=self.window,
            timeout=self.timeout,
            max_retries=self.max_retries,
        )
        return [b.to_bytes() for b in self._sender.start(now)]

    def receive(self, block: GeneralBlockTransfer, now: float) -> tuple[list[bytes], bytes | None]:
        """One block from the peer: (wire APDUs to send, the joined APDU or None).

        Raises RemoteProtocolError when the peer breaks the GBT rules (the transfer is
        dropped)."""
        out: list[bytes] = []
        sender = self._sender
        sending = sender is not None and sender.state is GbtSenderState.SENDING
        if sender is not None and sending:
            if block.block_data or block.last_block:
                out += self.peer_answered(now)  # the peer's answer begins
            else:
                try:
                    out += [b.to_bytes() for b in sender.receive(block, now)]
                except RemoteProtocolError:
                    self.reset()
                    raise
                if sender.state is GbtSenderState.DONE:
                    out += self._next_sender(now)
                return out, None  # an acknowledgement only
        if self._receiver is None:
            if not block.block_data and not block.last_block:
                return out, None  # a stale acknowledgement (a repeat after the end)
            finished = self._finished
            if finished is not None and block.block_number != 1:
                # A transfer starts with block 1; a higher number with no transfer running
                # repeats a block of the one just finished (its sender timed out): the
                # finished receiver repeats its final acknowledgement.
                try:
                    acks = [b.to_bytes() for b in finished.receive(block, now)]
                except RemoteProtocolError:
                    return out, None
                return (out + acks if self.final_ack else out), None
            self._receiver = GbtReceiver(
                window=self.window, max_size=self.max_size, timeout=self.timeout
            )
        receiver = self._receiver
        try:
            acks = [b.to_bytes() for b in receiver.receive(block, now)]
        except RemoteProtocolError:
            self._receiver = None
            raise
        if receiver.state is GbtReceiverState.DONE:
            self._receiver = None
            self._finished = receiver
            return (out + acks if self.final_ack else out), receiver.result
        return out + acks, None

    def peer_answered(self, now: float) -> list[bytes]:
        """The peer answered: the transfer being sent arrived whole; start the next."""
        if self._sender is None or self._sender.state is not GbtSenderState.SENDING:
            return []
        return self._next_sender(now)

    def next_timeout(self) -> float | None:
        deadlines = [
            d
            for d in (
                self._sender.next_timeout() if self._sender is not None else None,
                self._receiver.next_timeout() if self._receiver is not None else None,
            )
            if d is not None
        ]
        return min(deadlines) if deadlines else None

    def handle_timeout(self, now: float) -> list[bytes]:
        """Resend what the timers ask for; a sender out of retries is dropped (the
        session's request timer reports the failure)."""
        out: list[bytes] = []
        if self._sender is not None:
            out += [b.to_bytes() for b in self._sender.handle_timeout(now)]
            if self._sender.state is GbtSenderState.FAILED:
                out += self._next_sender(now)
        if self._receiver is not None:
            out += [b.to_bytes() for b in self._receiver.handle_timeout(now)]
        return out
