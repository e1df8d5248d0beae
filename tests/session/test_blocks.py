"""Block transfer engines (dlmskit.session.blocks): GET datablocks, SET datablocks and
ACTION pblocks, Green Book 9.4.6.7-9.4.6.9. Every APDU goes through its wire bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit import apdu, axdr
from dlmskit.apdu import action, get
from dlmskit.apdu import set as set_
from dlmskit.apdu._base import Apdu
from dlmskit.apdu.common import (
    ActionResult,
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    DataAccessResult,
    InvokeIdAndPriority,
)
from dlmskit.errors import LocalProtocolError, RemoteProtocolError
from dlmskit.obis import Obis
from dlmskit.session.blocks import (
    ActionResponseReassembler,
    ActionResponseSegmenter,
    BlockRequestReassembler,
    BlockRequestSplitter,
    GetBlockReassembler,
    GetResponseSegmenter,
)
from tests.vectors import item_bytes

IIP = InvokeIdAndPriority.of(1, high_priority=True)
OTHER = InvokeIdAndPriority.of(2, high_priority=True)
ATTR = CosemAttributeDescriptor(class_id=7, instance_id=Obis(1, 0, 99, 1, 0, 255), attribute_id=2)
METHOD = CosemMethodDescriptor(class_id=18, instance_id=Obis(0, 0, 44, 0, 0, 255), method_id=2)


def _wire(pdu: Apdu, max_pdu: int | None = None) -> Apdu:
    raw = pdu.to_bytes()
    if max_pdu is not None:
        assert len(raw) <= max_pdu
    return apdu.decode(raw)


# --- GET ------------------------------------------------------------------------------------


def _get_round_trip(data: bytes, max_pdu: int) -> tuple[GetBlockReassembler, int]:
    seg = GetResponseSegmenter(data, max_pdu=max_pdu, invoke_id_and_priority=IIP)
    asm = GetBlockReassembler(invoke_id_and_priority=IIP, max_size=max(1, len(data)))
    response = _wire(seg.first(), max_pdu)
    blocks = 1
    while True:
        assert isinstance(response, get.GetResponseWithDatablock)
        request = asm.receive(response)
        if request is None:
            break
        request = _wire(request)
        assert isinstance(request, get.GetRequestNext)
        response = _wire(seg.next(request), max_pdu)
        blocks += 1
    assert seg.done
    return asm, blocks


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000), st.integers(15, 600))
def test_get_datablocks_round_trip_within_max_pdu(data: bytes, max_pdu: int) -> None:
    asm, _ = _get_round_trip(data, max_pdu)
    assert asm.data == data and asm.error is None


def test_get_datablocks_use_the_whole_pdu() -> None:
    # 1000 octets at max PDU 200: each block is exactly 200 octets on the wire
    # (C4 02 iip, last, number(4), choice, length 81 xx = 11 octets of overhead).
    seg = GetResponseSegmenter(bytes(1000), max_pdu=200, invoke_id_and_priority=IIP)
    first = seg.first()
    assert len(first.to_bytes()) == 200
    assert len(first.result.result) == 189  # type: ignore[arg-type]
    _, blocks = _get_round_trip(bytes(1000), 200)
    assert blocks == 6  # 5 x 189 + 55


def test_get_reassembler_joins_the_opendlms_object_list_blocks() -> None:
    # vectors.json XDLMS-33/35/37 (object_list in 3 blocks over the wrapper, recorded
    # against the arabine/opendlms meter simulator), XDLMS-34/36 the get-request-next it
    # sent, XDLMS-44 the joined value.
    asm = GetBlockReassembler(invoke_id_and_priority=IIP)
    for block, next_request in ((33, 34), (35, 36), (37, None)):
        response = apdu.decode(item_bytes("XDLMS", block)[8:])  # 8 octets of wrapper header
        assert isinstance(response, get.GetResponseWithDatablock)
        request = asm.receive(response)
        if next_request is None:
            assert request is None
        else:
            assert request is not None
            assert request.to_bytes() == item_bytes("XDLMS", next_request)[8:]
    assert asm.data == item_bytes("XDLMS", 44)
    value = asm.value()
    assert isinstance(value, axdr.Array) and len(value) == 3


def test_get_segmenter_wrong_block_number_aborts_with_data_block_number_invalid() -> None:
    seg = GetResponseSegmenter(bytes(500), max_pdu=100, invoke_id_and_priority=IIP)
    seg.first()
    answer = seg.next(get.GetRequestNext(invoke_id_and_priority=IIP, block_number=5))
    assert answer.result.last_block and answer.result.block_number == 5
    assert answer.result.result is DataAccessResult.DATA_BLOCK_NUMBER_INVALID
    assert seg.done
    # After the end (here: the abort) there is no long get in progress.
    late = seg.next(get.GetRequestNext(invoke_id_and_priority=IIP, block_number=1))
    assert late.result.result is DataAccessResult.NO_LONG_GET_IN_PROGRESS


def test_get_segmenter_abort_and_misuse() -> None:
    seg = GetResponseSegmenter(bytes(500), max_pdu=100, invoke_id_and_priority=IIP)
    with pytest.raises(LocalProtocolError, match="before first"):
        seg.next(get.GetRequestNext(invoke_id_and_priority=IIP, block_number=1))
    seg.first()
    with pytest.raises(LocalProtocolError, match="already sent"):
        seg.first()
    with pytest.raises(RemoteProtocolError, match="invoke id 2"):
        seg.next(get.GetRequestNext(invoke_id_and_priority=OTHER, block_number=1))
    assert seg.abort().result.result is DataAccessResult.LONG_GET_ABORTED
    with pytest.raises(ValueError, match="no room"):
        GetResponseSegmenter(bytes(5), max_pdu=10, invoke_id_and_priority=IIP)
    with pytest.raises(TypeError, match="data must be bytes"):
        GetResponseSegmenter("x", max_pdu=100, invoke_id_and_priority=IIP)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_pdu"):
        GetResponseSegmenter(b"x", max_pdu=0, invoke_id_and_priority=IIP)


def _block_g(
    number: int, raw: bytes | DataAccessResult, *, last: bool = False
) -> get.GetResponseWithDatablock:
    result = raw if isinstance(raw, DataAccessResult) else axdr.OctetString(raw)
    return get.GetResponseWithDatablock(
        invoke_id_and_priority=IIP,
        result=get.DataBlockG(last_block=last, block_number=number, result=result),
    )


def test_get_reassembler_checks() -> None:
    asm = GetBlockReassembler(invoke_id_and_priority=IIP)
    asm.receive(_block_g(1, b"ab"))
    with pytest.raises(RemoteProtocolError, match="datablock 3 out of order, expected 2"):
        asm.receive(_block_g(3, b"cd"))
    assert asm.done and asm.data is None
    with pytest.raises(LocalProtocolError, match="over"):
        asm.receive(_block_g(2, b"cd"))

    bounded = GetBlockReassembler(invoke_id_and_priority=IIP, max_size=3)
    bounded.receive(_block_g(1, b"ab"))
    with pytest.raises(RemoteProtocolError, match="bound of 3"):
        bounded.receive(_block_g(2, b"cd", last=True))

    few = GetBlockReassembler(invoke_id_and_priority=IIP, max_blocks=2)
    few.receive(_block_g(1, b"a"))
    with pytest.raises(RemoteProtocolError, match="more than 2"):
        few.receive(_block_g(2, b"b"))

    other = GetBlockReassembler(invoke_id_and_priority=OTHER)
    with pytest.raises(RemoteProtocolError, match="expected 2"):
        other.receive(_block_g(1, b"a"))


def test_get_reassembler_keeps_an_error_block_as_the_answer() -> None:
    # vectors.json XDLMS item "GET-response last block with data-access-result 1"
    # (u9n/dlms-cosem tests/test_xdlms/test_get.py:337): C4 02 C1 01 00000013 01 01.
    asm = GetBlockReassembler(invoke_id_and_priority=IIP)
    response = apdu.decode(bytes.fromhex("C402C101000000130101"))
    assert isinstance(response, get.GetResponseWithDatablock)
    assert asm.receive(response) is None
    assert asm.done and asm.data is None
    assert asm.error is DataAccessResult.HARDWARE_FAULT
    with pytest.raises(LocalProtocolError, match="no complete data"):
        asm.value()


# --- SET and ACTION -------------------------------------------------------------------------


def _splitters(data: bytes, max_pdu: int) -> list[BlockRequestSplitter]:
    listed = (
        get.CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=ATTR),
        get.CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=ATTR),
    )
    return [
        BlockRequestSplitter.for_set(
            invoke_id_and_priority=IIP, descriptor=ATTR, value=data, max_pdu=max_pdu
        ),
        BlockRequestSplitter.for_set_with_list(
            invoke_id_and_priority=IIP, descriptors=listed, values=data, max_pdu=max_pdu
        ),
        BlockRequestSplitter.for_action(
            invoke_id_and_priority=IIP, descriptor=METHOD, parameters=data, max_pdu=max_pdu
        ),
        BlockRequestSplitter.for_action_with_list(
            invoke_id_and_priority=IIP,
            descriptors=(METHOD, METHOD),
            parameters=data,
            max_pdu=max_pdu,
        ),
    ]


def _final_answer(first: Apdu | None) -> Apdu:
    if isinstance(
        first, action.ActionRequestWithFirstPblock | action.ActionRequestWithListAndFirstPblock
    ):
        return action.ActionResponseNormal(
            invoke_id_and_priority=IIP,
            single_response=action.ActionResponseWithOptionalData(result=ActionResult.SUCCESS),
        )
    return set_.SetResponseLastDatablock(
        invoke_id_and_priority=IIP, result=DataAccessResult.SUCCESS, block_number=1
    )


def _request_round_trip(
    splitter: BlockRequestSplitter, max_pdu: int
) -> tuple[BlockRequestReassembler, int]:
    responder = BlockRequestReassembler()
    request = _wire(splitter.first(), max_pdu)
    blocks = 1
    while True:
        ack = responder.receive(request)
        if ack is None:
            break
        following = splitter.handle(_wire(ack))
        assert following is not None
        request = _wire(following, max_pdu)
        blocks += 1
    answer = _final_answer(responder.first_request)
    assert splitter.handle(answer) is None and splitter.final == answer
    return responder, blocks


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=1, max_size=1500), st.integers(40, 500))
def test_set_and_action_blocks_round_trip_within_max_pdu(data: bytes, max_pdu: int) -> None:
    for splitter in _splitters(data, max_pdu):
        responder, _ = _request_round_trip(splitter, max_pdu)
        assert responder.data == data


def test_set_blocks_of_a_real_value_decode_on_the_responder() -> None:
    value = axdr.Array(
        [
            axdr.Structure([axdr.OctetString(bytes(12)), axdr.DoubleLongUnsigned(n)])
            for n in range(100)
        ]
    )
    data = axdr.encode(value)
    splitter = BlockRequestSplitter.for_set(
        invoke_id_and_priority=IIP, descriptor=ATTR, value=data, max_pdu=128
    )
    responder, blocks = _request_round_trip(splitter, 128)
    assert blocks > 10
    assert isinstance(responder.first_request, set_.SetRequestWithFirstDatablock)
    assert responder.first_request.cosem_attribute_descriptor == ATTR
    assert responder.data is not None and axdr.decode(responder.data) == value


def test_the_acknowledgements_are_the_standard_ones() -> None:
    for splitter, ack_type in zip(
        _splitters(bytes(300), 100),
        (
            set_.SetResponseDatablock,
            set_.SetResponseDatablock,
            action.ActionResponseNextPblock,
            action.ActionResponseNextPblock,
        ),
        strict=True,
    ):
        responder = BlockRequestReassembler()
        ack = responder.receive(splitter.first())
        assert type(ack) is ack_type and ack.block_number == 1  # type: ignore[union-attr]


def test_responder_wrong_block_number_answers() -> None:
    set_split, list_split, action_split, _ = _splitters(bytes(300), 100)
    responder = BlockRequestReassembler()
    responder.receive(set_split.first())
    wrong = set_.SetRequestWithDatablock(
        invoke_id_and_priority=IIP,
        datablock=set_.DataBlockSA(
            last_block=False, block_number=3, raw_data=axdr.OctetString(b"x")
        ),
    )
    answer = responder.receive(wrong)
    assert isinstance(answer, set_.SetResponseLastDatablock)
    assert answer.result is DataAccessResult.DATA_BLOCK_NUMBER_INVALID and answer.block_number == 3
    assert responder.done and responder.data is None
    with pytest.raises(LocalProtocolError, match="over"):
        responder.receive(wrong)

    listed = BlockRequestReassembler()
    listed.receive(list_split.first())
    answer = listed.receive(wrong)
    assert isinstance(answer, set_.SetResponseLastDatablockWithList)
    assert answer.result == (DataAccessResult.DATA_BLOCK_NUMBER_INVALID,) * 2

    acting = BlockRequestReassembler()
    acting.receive(action_split.first())
    answer = acting.receive(
        action.ActionRequestWithPblock(
            invoke_id_and_priority=IIP,
            pblock=set_.DataBlockSA(
                last_block=True, block_number=9, raw_data=axdr.OctetString(b"x")
            ),
        )
    )
    assert isinstance(answer, action.ActionResponseNormal)
    assert answer.single_response.result is ActionResult.LONG_ACTION_ABORTED


def test_responder_bounds_and_types() -> None:
    splitter = _splitters(bytes(300), 100)[0]
    responder = BlockRequestReassembler(max_size=100)
    request: Apdu | None = splitter.first()
    answer = None
    while request is not None:
        answer = responder.receive(request)
        if not isinstance(answer, set_.SetResponseDatablock):
            break
        request = splitter.handle(answer)
    assert isinstance(answer, set_.SetResponseLastDatablock)
    assert answer.result is DataAccessResult.LONG_SET_ABORTED
    with pytest.raises(TypeError, match="first-datablock"):
        BlockRequestReassembler().receive(
            get.GetRequestNext(invoke_id_and_priority=IIP, block_number=1)
        )
    mixed = BlockRequestReassembler()
    mixed.receive(_splitters(bytes(300), 100)[2].first())
    with pytest.raises(TypeError, match="ActionRequestWithPblock"):
        mixed.receive(
            set_.SetRequestWithDatablock(
                invoke_id_and_priority=IIP,
                datablock=set_.DataBlockSA(
                    last_block=True, block_number=2, raw_data=axdr.OctetString(b"")
                ),
            )
        )
    stranger = BlockRequestReassembler()
    stranger.receive(_splitters(bytes(300), 100)[0].first())
    with pytest.raises(RemoteProtocolError, match="invoke id 2"):
        stranger.receive(
            set_.SetRequestWithDatablock(
                invoke_id_and_priority=OTHER,
                datablock=set_.DataBlockSA(
                    last_block=True, block_number=2, raw_data=axdr.OctetString(b"")
                ),
            )
        )


def test_splitter_checks_the_acknowledgements() -> None:
    splitter = _splitters(bytes(300), 100)[0]
    with pytest.raises(LocalProtocolError, match="before first"):
        splitter.handle(set_.SetResponseDatablock(invoke_id_and_priority=IIP, block_number=1))
    splitter.first()
    with pytest.raises(LocalProtocolError, match="already sent"):
        splitter.first()
    with pytest.raises(RemoteProtocolError, match="block 2 acknowledged, block 1 was sent"):
        splitter.handle(set_.SetResponseDatablock(invoke_id_and_priority=IIP, block_number=2))
    with pytest.raises(RemoteProtocolError, match="invoke id 1"):
        splitter.handle(set_.SetResponseDatablock(invoke_id_and_priority=OTHER, block_number=1))
    # An early final answer (e.g. the server refused the first block) ends the transfer.
    refusal = set_.SetResponseLastDatablock(
        invoke_id_and_priority=IIP, result=DataAccessResult.READ_WRITE_DENIED, block_number=1
    )
    assert splitter.handle(refusal) is None and splitter.final == refusal
    with pytest.raises(LocalProtocolError, match="over"):
        splitter.handle(refusal)

    single = BlockRequestSplitter.for_set(
        invoke_id_and_priority=IIP, descriptor=ATTR, value=b"\x00", max_pdu=100
    )
    first = single.first()
    assert isinstance(first, set_.SetRequestWithFirstDatablock) and first.datablock.last_block
    with pytest.raises(RemoteProtocolError, match="the last"):
        single.handle(set_.SetResponseDatablock(invoke_id_and_priority=IIP, block_number=1))


# --- ACTION answers in pblocks ----------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=1500), st.integers(20, 400))
def test_action_answer_in_pblocks_round_trip_within_max_pdu(data: bytes, max_pdu: int) -> None:
    seg = ActionResponseSegmenter(data, max_pdu=max_pdu, invoke_id_and_priority=IIP)
    asm = ActionResponseReassembler(invoke_id_and_priority=IIP, max_size=max(1, len(data)))
    response = _wire(seg.first(), max_pdu)
    while True:
        assert isinstance(response, action.ActionResponseWithPblock)
        request = asm.receive(response)
        if request is None:
            break
        request = _wire(request)
        assert isinstance(request, action.ActionRequestNextPblock)
        response = _wire(seg.next(request), max_pdu)
    assert seg.done and asm.data == data


def test_action_answer_segmenter_error_answers() -> None:
    seg = ActionResponseSegmenter(bytes(300), max_pdu=100, invoke_id_and_priority=IIP)
    with pytest.raises(LocalProtocolError, match="before first"):
        seg.next(action.ActionRequestNextPblock(invoke_id_and_priority=IIP, block_number=1))
    assert seg.first().pblock.block_number == 1
    with pytest.raises(RemoteProtocolError, match="invoke id 2"):
        seg.next(action.ActionRequestNextPblock(invoke_id_and_priority=OTHER, block_number=1))
    wrong = seg.next(action.ActionRequestNextPblock(invoke_id_and_priority=IIP, block_number=4))
    assert isinstance(wrong, action.ActionResponseNormal)
    assert wrong.single_response.result is ActionResult.LONG_ACTION_ABORTED
    late = seg.next(action.ActionRequestNextPblock(invoke_id_and_priority=IIP, block_number=1))
    assert isinstance(late, action.ActionResponseNormal)
    assert late.single_response.result is ActionResult.NO_LONG_ACTION_IN_PROGRESS


def _pblock(number: int, raw: bytes, *, last: bool = False) -> action.ActionResponseWithPblock:
    return action.ActionResponseWithPblock(
        invoke_id_and_priority=IIP,
        pblock=set_.DataBlockSA(
            last_block=last, block_number=number, raw_data=axdr.OctetString(raw)
        ),
    )


def test_action_answer_reassembler_checks() -> None:
    asm = ActionResponseReassembler(invoke_id_and_priority=IIP)
    asm.receive(_pblock(1, b"ab"))
    with pytest.raises(RemoteProtocolError, match="pblock 1 out of order, expected 2"):
        asm.receive(_pblock(1, b"ab"))
    assert asm.done and asm.data is None
    with pytest.raises(LocalProtocolError, match="over"):
        asm.receive(_pblock(2, b"cd"))
    bounded = ActionResponseReassembler(invoke_id_and_priority=IIP, max_size=2)
    with pytest.raises(RemoteProtocolError, match="bound of 2"):
        bounded.receive(_pblock(1, b"abc", last=True))
    with pytest.raises(RemoteProtocolError, match="expected 2"):
        ActionResponseReassembler(invoke_id_and_priority=OTHER).receive(_pblock(1, b""))
