"""Tests of dlmskit.apdu.gbt: general-block-transfer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit.apdu import _base
from dlmskit.apdu.gbt import GeneralBlockTransfer
from dlmskit.errors import DecodeError
from tests.vectors import record

from .strategies_misc import assert_decodes_or_fails, assert_round_trip, general_block_transfers

decode = _base.decode


def _hdlc_information_fields(raw: bytes) -> list[bytes]:
    """The information fields of consecutive HDLC frames (7E format/length addresses
    control HCS info FCS 7E; addresses end with an odd octet). Test helper only."""
    infos = []
    i = 0
    while i < len(raw):
        assert raw[i] == 0x7E
        length = (raw[i + 1] & 0x07) << 8 | raw[i + 2]
        frame = raw[i + 1 : i + 1 + length]
        assert raw[i + 1 + length] == 0x7E
        j = 2
        for _ in range(2):  # destination, then source address
            while not frame[j] & 1:
                j += 1
            j += 1
        infos.append(frame[j + 3 : length - 2])  # after control + HCS, before FCS
        i += length + 2
    return infos


def _push05_blocks() -> list[bytes]:
    # PUSH-05 (esphome-libs/dlms_parser tests/expected/hdlc_landis_gyr_e450.h): 3 HDLC
    # frames; the first information field starts with the LLC header E6 E7 00.
    infos = _hdlc_information_fields(bytes.fromhex(record("PUSH-05")["raw"]))
    assert infos[0][:3] == b"\xe6\xe7\x00"
    return [infos[0][3:], *infos[1:]]


def test_push05_blocks() -> None:
    rec = record("PUSH-05")
    raws = _push05_blocks()
    assert len(raws) == rec["gbt_blocks"] == 3
    blocks = [decode(raw) for raw in raws]
    assert all(isinstance(block, GeneralBlockTransfer) for block in blocks)
    assert [b.block_number for b in blocks] == [1, 2, 3]  # type: ignore[attr-defined]
    assert [b.block_number_ack for b in blocks] == [0, 0, 0]  # type: ignore[attr-defined]
    assert [b.last_block for b in blocks] == [False, False, True]  # type: ignore[attr-defined]
    assert all(b.streaming and b.window == 0 for b in blocks)  # type: ignore[attr-defined]
    assert [b.to_bytes() for b in blocks] == raws
    joined = b"".join(bytes(b.block_data) for b in blocks)  # type: ignore[attr-defined]
    assert joined == bytes.fromhex(rec["ciphered_apdu"])


def test_block_control_bits() -> None:
    block = GeneralBlockTransfer.of(
        last_block=True, streaming=False, window=5, block_number=7, block_data=b"\x01\x02"
    )
    assert block.block_control == 0x85
    assert (block.last_block, block.streaming, block.window) == (True, False, 5)
    assert block.to_bytes() == bytes.fromhex("E0850007000002 0102".replace(" ", ""))
    streaming = GeneralBlockTransfer.of(
        last_block=False, streaming=True, window=63, block_number=1, block_data=b""
    )
    assert streaming.block_control == 0x7F
    with pytest.raises(ValueError, match="window"):
        GeneralBlockTransfer.of(last_block=True, window=64, block_number=1, block_data=b"")
    with pytest.raises(ValueError, match="block-number"):
        GeneralBlockTransfer(
            block_control=0, block_number=0x10000, block_number_ack=0, block_data=b""
        )
    with pytest.raises(TypeError, match="block-data"):
        GeneralBlockTransfer(block_control=0, block_number=0, block_number_ack=0, block_data=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("control", range(256))
def test_every_block_control_octet_is_lossless(control: int) -> None:
    raw = bytes([0xE0, control, 0, 1, 0, 0, 1, 0xAA])
    block = decode(raw)
    assert isinstance(block, GeneralBlockTransfer)
    assert block.block_control == control
    assert block.to_bytes() == raw


def test_non_minimal_block_data_length() -> None:
    raw = bytes.fromhex("E0800001000082000301 0203".replace(" ", ""))
    block = decode(raw)
    assert isinstance(block, GeneralBlockTransfer)
    assert block.block_data == b"\x01\x02\x03"
    assert block.to_bytes() == raw


def test_truncated_block_data() -> None:
    with pytest.raises(DecodeError, match="block-data"):
        decode(bytes.fromhex("E08000010000050102"))


@given(general_block_transfers())
def test_round_trip(block: GeneralBlockTransfer) -> None:
    assert_round_trip(block)


@given(st.binary(max_size=30))
def test_fuzz_random(rest: bytes) -> None:
    assert_decodes_or_fails(b"\xe0" + rest)


@given(st.data())
def test_fuzz_mutated_vectors(data: st.DataObject) -> None:
    buf = bytearray(data.draw(st.sampled_from(_push05_blocks())))
    for _ in range(data.draw(st.integers(1, 3))):
        buf[data.draw(st.integers(1, len(buf) - 1))] = data.draw(st.integers(0, 255))
    assert_decodes_or_fails(bytes(buf[: data.draw(st.integers(1, len(buf)))]))
