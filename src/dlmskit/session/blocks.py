"""Block transfer with datablocks and pblocks (Green Book 9.4.6.7 GET, 9.4.6.8 SET,
9.4.6.9 ACTION), sans-io engines for both roles.

A value longer than the peer's max PDU size travels as raw-data blocks numbered from 1;
each block is acknowledged before the next one goes. The engines only build and check
APDUs; the session sends them, protects them one by one and runs the timers::

    # GET, server: the encoded Data of the answer, cut to the client's max PDU
    seg = GetResponseSegmenter(data, max_pdu=n, invoke_id_and_priority=iip)
    seg.first()                     # GetResponseWithDatablock, block 1
    seg.next(get_request_next)      # the next block, or the standard's error answer
    # GET, client
    asm = GetBlockReassembler(invoke_id_and_priority=iip, max_size=limit)
    asm.receive(response)           # GetRequestNext to send, or None when done
    asm.data / asm.error            # joined raw-data, or the data-access-result of a block

    # SET / ACTION, requester (client)
    out = BlockRequestSplitter.for_set(invoke_id_and_priority=iip, descriptor=d,
                                       value=encoded_data, max_pdu=n)
    out.first()                     # set-request-with-first-datablock
    out.handle(response)            # the next block, or None: out.final is the answer
    # SET / ACTION, responder (server)
    inp = BlockRequestReassembler(max_size=limit)
    inp.receive(request)            # the acknowledgement to send, or None when joined
    inp.data, inp.first_request     # the raw data and the first-block request

    # ACTION answers in pblocks: ActionResponseSegmenter (server: first(), next(request-
    # next-pblock)) and ActionResponseReassembler (client: receive() -> request-next-pblock)

Sizes: every block is cut so that its whole APDU (measured, not estimated: the APDU with an
empty raw-data is encoded and the A-XDR length of the raw data added) fits ``max_pdu``.
Reassembly is bounded by ``max_size`` (octets) and ``max_blocks``.

Errors: local misuse (``first()`` twice, calls after the end) is a
:class:`~dlmskit.errors.LocalProtocolError`; a peer block out of order, the wrong invoke id
or a size beyond the bound is a :class:`~dlmskit.errors.RemoteProtocolError` (client side)
or, where the Green Book defines one, the error answer returned to send (server side:
data-block-number-invalid, no-long-get-in-progress, long-set-aborted, long-action-aborted).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from typing import Final

from dlmskit import axdr
from dlmskit.apdu import action, get
from dlmskit.apdu import set as set_
from dlmskit.apdu._base import Apdu
from dlmskit.apdu.common import (
    ActionResult,
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    DataAccessResult,
    InvokeIdAndPriority,
    SelectiveAccessDescriptor,
)
from dlmskit.errors import LocalProtocolError, RemoteProtocolError

__all__ = [
    "ActionResponseReassembler",
    "ActionResponseSegmenter",
    "BlockRequestReassembler",
    "BlockRequestSplitter",
    "GetBlockReassembler",
    "GetResponseSegmenter",
    "cut",
]

_MAX_BLOCK_NUMBER: Final = 0xFFFFFFFF
_DEFAULT_MAX_SIZE: Final = 16 << 20


def _positive(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


def _as_bytes(name: str, value: object) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"{name} must be bytes (encoded A-XDR), not {type(value).__name__}")
    return bytes(value)


def _check_iip(value: object) -> InvokeIdAndPriority:
    if not isinstance(value, InvokeIdAndPriority):
        raise TypeError(
            f"invoke_id_and_priority must be an InvokeIdAndPriority, not {type(value).__name__}"
        )
    return value


def cut(data: bytes, offset: int, max_pdu: int, make: Callable[[bytes], Apdu]) -> int:
    """How many octets of ``data`` from ``offset`` fit in the APDU ``make(raw)`` within
    ``max_pdu`` octets. The overhead is measured: ``make(b"")`` is encoded (its raw-data
    length is the one octet 00) and the A-XDR length of ``n`` octets added back.
    """
    base = len(make(b"").to_bytes()) - 1
    remaining = len(data) - offset
    n = min(remaining, max_pdu - base - 1)
    while n > 0 and base + len(axdr.encode_length(n)) + n > max_pdu:
        n -= 1
    if n <= 0 and remaining > 0:
        raise ValueError(
            f"max_pdu {max_pdu} leaves no room for raw data (the block takes {base + 1} octets)"
        )
    return n


# --- GET ------------------------------------------------------------------------------------


class _ResponseSegmenter(abc.ABC):
    """What the GET datablock and ACTION pblock answers share: cut ``data`` into blocks
    whose whole APDU (built by :meth:`_apdu`) fits ``max_pdu``, numbered from 1."""

    def __init__(
        self, data: bytes, *, max_pdu: int, invoke_id_and_priority: InvokeIdAndPriority
    ) -> None:
        self._data = _as_bytes("data", data)
        self._max_pdu = _positive("max_pdu", max_pdu)
        self._iip = _check_iip(invoke_id_and_priority)
        self._offset = 0
        self._sent = 0  # the number of the last block sent
        self._done = False  # last block sent, or the transfer aborted
        # Fail early if not even one octet fits.
        cut(self._data or b"\0", 0, self._max_pdu, self._make(1, False))

    @property
    def done(self) -> bool:
        """True once the last block went out or the transfer was aborted."""
        return self._done

    @property
    def sent(self) -> int:
        """The number of the last block sent (0 before :meth:`first`)."""
        return self._sent

    @abc.abstractmethod
    def _apdu(self, number: int, last: bool, raw: bytes) -> Apdu:
        """The response APDU carrying block ``number`` (``last`` for the final one)."""

    def _make(self, number: int, last: bool) -> Callable[[bytes], Apdu]:
        return lambda raw: self._apdu(number, last, raw)

    def _next_block(self) -> Apdu:
        number = self._sent + 1
        n = cut(self._data, self._offset, self._max_pdu, self._make(number, False))
        raw = self._data[self._offset : self._offset + n]
        self._offset += n
        self._sent = number
        self._done = self._offset >= len(self._data)
        return self._apdu(number, self._done, raw)


class GetResponseSegmenter(_ResponseSegmenter):
    """Server side of GET with datablocks: the encoded Data of one answer, block by block.

    Each block is a get-response-with-datablock whose whole APDU fits ``max_pdu`` (the
    client's max receive PDU size, less any ciphering overhead the caller reserves).
    """

    def _apdu(self, number: int, last: bool, raw: bytes) -> Apdu:
        return get.GetResponseWithDatablock(
            invoke_id_and_priority=self._iip,
            result=get.DataBlockG(
                last_block=last, block_number=number, result=axdr.OctetString(raw)
            ),
        )

    def _block(self) -> get.GetResponseWithDatablock:
        block = self._next_block()
        assert isinstance(block, get.GetResponseWithDatablock)
        return block

    def _error(self, number: int, result: DataAccessResult) -> get.GetResponseWithDatablock:
        self._done = True
        return get.GetResponseWithDatablock(
            invoke_id_and_priority=self._iip,
            result=get.DataBlockG(last_block=True, block_number=number, result=result),
        )

    def first(self) -> get.GetResponseWithDatablock:
        """Block 1."""
        if self._sent:
            raise LocalProtocolError("GET datablocks: the first block was already sent")
        return self._block()

    def next(self, request: get.GetRequestNext) -> get.GetResponseWithDatablock:
        """The answer to a get-request-next: the next block, or an error answer.

        The request must name the last block sent (Green Book 9.4.6.7); another number
        aborts the transfer with data-block-number-invalid, and a request after the end
        gets no-long-get-in-progress. A different invoke id is not this transfer's.
        """
        if not isinstance(request, get.GetRequestNext):
            raise TypeError(f"request must be a GetRequestNext, not {type(request).__name__}")
        if not self._sent:
            raise LocalProtocolError("GET datablocks: next() before first()")
        if request.invoke_id_and_priority.invoke_id != self._iip.invoke_id:
            raise RemoteProtocolError(
                f"get-request-next for invoke id {request.invoke_id_and_priority.invoke_id}, "
                f"the transfer is invoke id {self._iip.invoke_id}"
            )
        if self._done:
            return self._error(request.block_number, DataAccessResult.NO_LONG_GET_IN_PROGRESS)
        if request.block_number != self._sent:
            return self._error(request.block_number, DataAccessResult.DATA_BLOCK_NUMBER_INVALID)
        return self._block()

    def abort(self) -> get.GetResponseWithDatablock:
        """Give up (e.g. the data changed): a last block with long-get-aborted."""
        return self._error(self._sent + 1, DataAccessResult.LONG_GET_ABORTED)


class GetBlockReassembler:
    """Client side of GET with datablocks: joins the raw-data of blocks 1, 2, ...

    :meth:`receive` returns the get-request-next to send, or ``None`` once the last block
    (or a block carrying a data-access-result, kept in :attr:`error`) arrived.
    """

    def __init__(
        self,
        *,
        invoke_id_and_priority: InvokeIdAndPriority,
        max_size: int = _DEFAULT_MAX_SIZE,
        max_blocks: int = _MAX_BLOCK_NUMBER,
    ) -> None:
        self._iip = _check_iip(invoke_id_and_priority)
        self._max_size = _positive("max_size", max_size)
        self._max_blocks = _positive("max_blocks", max_blocks)
        self._buf = bytearray()
        self._received = 0
        self._done = False
        self._error: DataAccessResult | None = None
        self._failed = False

    @property
    def done(self) -> bool:
        return self._done

    def _fail(self) -> None:
        # A broken transfer exposes nothing of what it joined so far.
        self._done = True
        self._buf.clear()
        self._failed = True

    @property
    def data(self) -> bytes | None:
        """The joined raw data (an encoded Data) once done without an error."""
        if self._done and self._error is None and not self._failed:
            return bytes(self._buf)
        return None

    @property
    def error(self) -> DataAccessResult | None:
        """The data-access-result a block carried instead of raw data."""
        return self._error

    def value(self) -> axdr.Value:
        """The joined raw data decoded as one A-XDR Data (DecodeError if it is not)."""
        data = self.data
        if data is None:
            raise LocalProtocolError("GET datablocks: no complete data to decode")
        return axdr.decode(data)

    def receive(self, response: get.GetResponseWithDatablock) -> get.GetRequestNext | None:
        if not isinstance(response, get.GetResponseWithDatablock):
            raise TypeError(
                f"response must be a GetResponseWithDatablock, not {type(response).__name__}"
            )
        if self._done:
            raise LocalProtocolError("GET datablocks: the transfer is over")
        if response.invoke_id_and_priority.invoke_id != self._iip.invoke_id:
            raise RemoteProtocolError(
                f"datablock for invoke id {response.invoke_id_and_priority.invoke_id}, "
                f"expected {self._iip.invoke_id}"
            )
        block = response.result
        if isinstance(block.result, DataAccessResult):
            # A block may carry an error instead of data (Green Book 9.4.6.7): the answer.
            self._done, self._error = True, block.result
            return None
        expected = self._received + 1
        if block.block_number != expected:
            self._fail()
            raise RemoteProtocolError(
                f"datablock {block.block_number} out of order, expected {expected}"
            )
        if len(self._buf) + len(block.result) > self._max_size:
            self._fail()
            raise RemoteProtocolError(f"datablocks exceed the bound of {self._max_size} octets")
        if not block.last_block and expected >= self._max_blocks:
            self._fail()
            raise RemoteProtocolError(f"more than {self._max_blocks} datablocks")
        self._buf += block.result
        self._received = expected
        if block.last_block:
            self._done = True
            return None
        return get.GetRequestNext(invoke_id_and_priority=self._iip, block_number=expected)


# --- SET and ACTION -------------------------------------------------------------------------


class BlockRequestSplitter:
    """Requester side of SET with datablocks and ACTION with pblocks (and their with-list
    variants): the request's encoded data cut to the peer's max PDU, one block per
    acknowledgement. Build it with :meth:`for_set`, :meth:`for_set_with_list`,
    :meth:`for_action` or :meth:`for_action_with_list`.
    """

    def __init__(
        self,
        *,
        data: bytes,
        max_pdu: int,
        invoke_id_and_priority: InvokeIdAndPriority,
        first: Callable[[set_.DataBlockSA], Apdu],
        is_action: bool,
    ) -> None:
        self._data = _as_bytes("data", data)
        self._max_pdu = _positive("max_pdu", max_pdu)
        self._iip = _check_iip(invoke_id_and_priority)
        self._first = first
        self._action = is_action
        self._offset = 0
        self._sent = 0
        self._final: Apdu | None = None

    @classmethod
    def for_set(
        cls,
        *,
        invoke_id_and_priority: InvokeIdAndPriority,
        descriptor: CosemAttributeDescriptor,
        value: bytes,
        max_pdu: int,
        access_selection: SelectiveAccessDescriptor | None = None,
    ) -> BlockRequestSplitter:
        """SET of one attribute; ``value`` is the encoded Data."""
        iip = _check_iip(invoke_id_and_priority)
        return cls(
            data=value,
            max_pdu=max_pdu,
            invoke_id_and_priority=iip,
            is_action=False,
            first=lambda block: set_.SetRequestWithFirstDatablock(
                invoke_id_and_priority=iip,
                cosem_attribute_descriptor=descriptor,
                access_selection=access_selection,
                datablock=block,
            ),
        )

    @classmethod
    def for_set_with_list(
        cls,
        *,
        invoke_id_and_priority: InvokeIdAndPriority,
        descriptors: Sequence[get.CosemAttributeDescriptorWithSelection],
        values: bytes,
        max_pdu: int,
    ) -> BlockRequestSplitter:
        """SET of several attributes; ``values`` is the encoded SEQUENCE OF Data."""
        iip = _check_iip(invoke_id_and_priority)
        listed = tuple(descriptors)
        return cls(
            data=values,
            max_pdu=max_pdu,
            invoke_id_and_priority=iip,
            is_action=False,
            first=lambda block: set_.SetRequestWithListAndFirstDatablock(
                invoke_id_and_priority=iip, attribute_descriptor_list=listed, datablock=block
            ),
        )

    @classmethod
    def for_action(
        cls,
        *,
        invoke_id_and_priority: InvokeIdAndPriority,
        descriptor: CosemMethodDescriptor,
        parameters: bytes,
        max_pdu: int,
    ) -> BlockRequestSplitter:
        """ACTION of one method; ``parameters`` is the encoded Data."""
        iip = _check_iip(invoke_id_and_priority)
        return cls(
            data=parameters,
            max_pdu=max_pdu,
            invoke_id_and_priority=iip,
            is_action=True,
            first=lambda block: action.ActionRequestWithFirstPblock(
                invoke_id_and_priority=iip, cosem_method_descriptor=descriptor, pblock=block
            ),
        )

    @classmethod
    def for_action_with_list(
        cls,
        *,
        invoke_id_and_priority: InvokeIdAndPriority,
        descriptors: Sequence[CosemMethodDescriptor],
        parameters: bytes,
        max_pdu: int,
    ) -> BlockRequestSplitter:
        """ACTION of several methods; ``parameters`` is the encoded SEQUENCE OF Data."""
        iip = _check_iip(invoke_id_and_priority)
        listed = tuple(descriptors)
        return cls(
            data=parameters,
            max_pdu=max_pdu,
            invoke_id_and_priority=iip,
            is_action=True,
            first=lambda block: action.ActionRequestWithListAndFirstPblock(
                invoke_id_and_priority=iip, cosem_method_descriptor_list=listed, pblock=block
            ),
        )

    @property
    def final(self) -> Apdu | None:
        """The responder's final answer once the transfer is over."""
        return self._final

    @property
    def sent(self) -> int:
        return self._sent

    def _next_block(self) -> Apdu:
        number = self._sent + 1

        def later(block: set_.DataBlockSA) -> Apdu:
            if self._action:
                return action.ActionRequestWithPblock(
                    invoke_id_and_priority=self._iip, pblock=block
                )
            return set_.SetRequestWithDatablock(invoke_id_and_priority=self._iip, datablock=block)

        wrap = self._first if number == 1 else later

        def make(raw: bytes) -> Apdu:
            return wrap(
                set_.DataBlockSA(
                    last_block=False, block_number=number, raw_data=axdr.OctetString(raw)
                )
            )

        n = cut(self._data, self._offset, self._max_pdu, make)
        raw = self._data[self._offset : self._offset + n]
        self._offset += n
        self._sent = number
        last = self._offset >= len(self._data)
        return wrap(
            set_.DataBlockSA(last_block=last, block_number=number, raw_data=axdr.OctetString(raw))
        )

    def first(self) -> Apdu:
        """The request with the first block."""
        if self._sent:
            raise LocalProtocolError("block request: the first block was already sent")
        return self._next_block()

    def handle(self, response: Apdu) -> Apdu | None:
        """A response: the next block to send, or ``None`` (the answer is :attr:`final`).

        The acknowledgement (set-response-datablock / action-response-next-pblock) must
        name the last block sent; any other response ends the transfer as the answer.
        """
        if not self._sent:
            raise LocalProtocolError("block request: handle() before first()")
        if self._final is not None:
            raise LocalProtocolError("block request: the transfer is over")
        iip = getattr(response, "invoke_id_and_priority", None)
        if not isinstance(iip, InvokeIdAndPriority) or iip.invoke_id != self._iip.invoke_id:
            raise RemoteProtocolError(
                f"{getattr(response, 'NAME', type(response).__name__)} is not an answer for "
                f"invoke id {self._iip.invoke_id}"
            )
        ack = action.ActionResponseNextPblock if self._action else set_.SetResponseDatablock
        if isinstance(response, ack):
            if response.block_number != self._sent:
                raise RemoteProtocolError(
                    f"block {response.block_number} acknowledged, block {self._sent} was sent"
                )
            if self._offset >= len(self._data):
                raise RemoteProtocolError(
                    f"block {self._sent} (the last) acknowledged instead of answered"
                )
            return self._next_block()
        self._final = response
        return None


class BlockRequestReassembler:
    """Responder side of SET with datablocks and ACTION with pblocks: joins the raw data.

    :meth:`receive` takes the first-block request and each following block and returns
    what to send: the acknowledgement (set-response-datablock n / action-response-next-
    pblock n), ``None`` once the last block arrived (build the real answer from
    :attr:`first_request` and :attr:`data`), or the standard's error answer (which ends it).
    """

    _FIRSTS: Final = (
        set_.SetRequestWithFirstDatablock,
        set_.SetRequestWithListAndFirstDatablock,
        action.ActionRequestWithFirstPblock,
        action.ActionRequestWithListAndFirstPblock,
    )

    def __init__(
        self, *, max_size: int = _DEFAULT_MAX_SIZE, max_blocks: int = _MAX_BLOCK_NUMBER
    ) -> None:
        self._max_size = _positive("max_size", max_size)
        self._max_blocks = _positive("max_blocks", max_blocks)
        self._first: Apdu | None = None
        self._buf = bytearray()
        self._received = 0
        self._done = False

    @property
    def first_request(self) -> Apdu | None:
        return self._first

    @property
    def done(self) -> bool:
        return self._done

    @property
    def data(self) -> bytes | None:
        """The joined raw data once the last block arrived."""
        return bytes(self._buf) if self._done and self._received else None

    @property
    def is_action(self) -> bool:
        return isinstance(
            self._first,
            action.ActionRequestWithFirstPblock | action.ActionRequestWithListAndFirstPblock,
        )

    def _abort(self, iip: InvokeIdAndPriority, number: int) -> Apdu:
        self._done, self._received = True, 0
        if self.is_action:
            return action.ActionResponseNormal(
                invoke_id_and_priority=iip,
                single_response=action.ActionResponseWithOptionalData(
                    result=ActionResult.LONG_ACTION_ABORTED
                ),
            )
        if isinstance(self._first, set_.SetRequestWithListAndFirstDatablock):
            count = len(self._first.attribute_descriptor_list)
            return set_.SetResponseLastDatablockWithList(
                invoke_id_and_priority=iip,
                result=(DataAccessResult.DATA_BLOCK_NUMBER_INVALID,) * count,
                block_number=number,
            )
        return set_.SetResponseLastDatablock(
            invoke_id_and_priority=iip,
            result=DataAccessResult.DATA_BLOCK_NUMBER_INVALID,
            block_number=number,
        )

    def receive(self, request: Apdu) -> Apdu | None:
        iip = getattr(request, "invoke_id_and_priority", None)
        if self._first is None:
            if not isinstance(request, self._FIRSTS):
                raise TypeError(
                    "the first request must be a with-first-datablock/pblock request, not "
                    f"{type(request).__name__}"
                )
            self._first = request
        elif self._done:
            raise LocalProtocolError("block request: the transfer is over")
        else:
            later = (
                action.ActionRequestWithPblock if self.is_action else set_.SetRequestWithDatablock
            )
            if not isinstance(request, later):
                raise TypeError(f"expected a {later.__name__}, not {type(request).__name__}")
        assert isinstance(iip, InvokeIdAndPriority)
        first_iip = getattr(self._first, "invoke_id_and_priority", iip)
        if iip.invoke_id != first_iip.invoke_id:
            raise RemoteProtocolError(
                f"block for invoke id {iip.invoke_id}, the transfer is {first_iip.invoke_id}"
            )
        block: set_.DataBlockSA
        if isinstance(
            request,
            action.ActionRequestWithPblock
            | action.ActionRequestWithFirstPblock
            | action.ActionRequestWithListAndFirstPblock,
        ):
            block = request.pblock
        elif isinstance(
            request,
            set_.SetRequestWithDatablock
            | set_.SetRequestWithFirstDatablock
            | set_.SetRequestWithListAndFirstDatablock,
        ):
            block = request.datablock
        else:  # unreachable: the types were checked above
            raise TypeError(f"not a block request: {type(request).__name__}")
        expected = self._received + 1
        if block.block_number != expected:
            return self._abort(iip, block.block_number)
        if len(self._buf) + len(block.raw_data) > self._max_size or (
            not block.last_block and expected >= self._max_blocks
        ):
            # Too long for this server: the long transfer is aborted (Green Book 9.4.6.8).
            answer = self._abort(iip, block.block_number)
            if isinstance(answer, set_.SetResponseLastDatablock):
                answer = set_.SetResponseLastDatablock(
                    invoke_id_and_priority=iip,
                    result=DataAccessResult.LONG_SET_ABORTED,
                    block_number=block.block_number,
                )
            return answer
        self._buf += block.raw_data
        self._received = expected
        if block.last_block:
            self._done = True
            return None
        if self.is_action:
            return action.ActionResponseNextPblock(
                invoke_id_and_priority=iip, block_number=expected
            )
        return set_.SetResponseDatablock(invoke_id_and_priority=iip, block_number=expected)


# --- ACTION responses in pblocks ------------------------------------------------------------


class ActionResponseSegmenter(_ResponseSegmenter):
    """Server side of an ACTION answer too long for one PDU (Green Book 9.4.6.9): the
    encoded response data in action-response-with-pblock blocks, the next one on each
    action-request-next-pblock that names the last block sent.

    ``data`` is what the pblocks carry (the encoded Action-Response-With-Optional-Data
    of the answer, as the caller builds it). A request naming another block ends the
    transfer with action-response-normal long-action-aborted.
    """

    def _apdu(self, number: int, last: bool, raw: bytes) -> Apdu:
        return action.ActionResponseWithPblock(
            invoke_id_and_priority=self._iip,
            pblock=set_.DataBlockSA(
                last_block=last, block_number=number, raw_data=axdr.OctetString(raw)
            ),
        )

    def _block(self) -> action.ActionResponseWithPblock:
        block = self._next_block()
        assert isinstance(block, action.ActionResponseWithPblock)
        return block

    def first(self) -> action.ActionResponseWithPblock:
        if self._sent:
            raise LocalProtocolError("ACTION pblocks: the first block was already sent")
        return self._block()

    def next(self, request: action.ActionRequestNextPblock) -> Apdu:
        """The next block, or action-response-normal long-action-aborted (a wrong block
        number) / no-long-action-in-progress (after the end)."""
        if not isinstance(request, action.ActionRequestNextPblock):
            raise TypeError(
                f"request must be an ActionRequestNextPblock, not {type(request).__name__}"
            )
        if not self._sent:
            raise LocalProtocolError("ACTION pblocks: next() before first()")
        if request.invoke_id_and_priority.invoke_id != self._iip.invoke_id:
            raise RemoteProtocolError(
                f"action-request-next-pblock for invoke id "
                f"{request.invoke_id_and_priority.invoke_id}, the transfer is invoke id "
                f"{self._iip.invoke_id}"
            )
        if self._done or request.block_number != self._sent:
            result = (
                ActionResult.NO_LONG_ACTION_IN_PROGRESS
                if self._done
                else ActionResult.LONG_ACTION_ABORTED
            )
            self._done = True
            return action.ActionResponseNormal(
                invoke_id_and_priority=self._iip,
                single_response=action.ActionResponseWithOptionalData(result=result),
            )
        return self._block()


class ActionResponseReassembler:
    """Client side of an ACTION answer in pblocks: joins blocks 1, 2, ... and asks for the
    next with action-request-next-pblock; :attr:`data` once the last block arrived."""

    def __init__(
        self,
        *,
        invoke_id_and_priority: InvokeIdAndPriority,
        max_size: int = _DEFAULT_MAX_SIZE,
        max_blocks: int = _MAX_BLOCK_NUMBER,
    ) -> None:
        self._iip = _check_iip(invoke_id_and_priority)
        self._max_size = _positive("max_size", max_size)
        self._max_blocks = _positive("max_blocks", max_blocks)
        self._buf = bytearray()
        self._received = 0
        self._done = False
        self._failed = False

    @property
    def done(self) -> bool:
        return self._done

    @property
    def data(self) -> bytes | None:
        return bytes(self._buf) if self._done and not self._failed else None

    def _fail(self, message: str) -> RemoteProtocolError:
        self._done, self._failed = True, True
        self._buf.clear()
        return RemoteProtocolError(message)

    def receive(
        self, response: action.ActionResponseWithPblock
    ) -> action.ActionRequestNextPblock | None:
        if not isinstance(response, action.ActionResponseWithPblock):
            raise TypeError(
                f"response must be an ActionResponseWithPblock, not {type(response).__name__}"
            )
        if self._done:
            raise LocalProtocolError("ACTION pblocks: the transfer is over")
        if response.invoke_id_and_priority.invoke_id != self._iip.invoke_id:
            raise RemoteProtocolError(
                f"pblock for invoke id {response.invoke_id_and_priority.invoke_id}, "
                f"expected {self._iip.invoke_id}"
            )
        block = response.pblock
        expected = self._received + 1
        if block.block_number != expected:
            raise self._fail(f"pblock {block.block_number} out of order, expected {expected}")
        if len(self._buf) + len(block.raw_data) > self._max_size:
            raise self._fail(f"pblocks exceed the bound of {self._max_size} octets")
        if not block.last_block and expected >= self._max_blocks:
            raise self._fail(f"more than {self._max_blocks} pblocks")
        self._buf += block.raw_data
        self._received = expected
        if block.last_block:
            self._done = True
            return None
        return action.ActionRequestNextPblock(
            invoke_id_and_priority=self._iip, block_number=expected
        )
