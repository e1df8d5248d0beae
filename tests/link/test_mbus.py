"""Tests of wired M-Bus long frames carrying DLMS (``dlmskit.link.mbus``).

Vectors: PUSH-01 (Austria TINETZ/IKB Kaifa MA309, fneur/smart-meter-tirol @ 8538b263572e
doc/EXAMPLE.md) and PUSH-02 (Netz NÖ/EVN sample, esphome-libs/dlms_parser @ ac1cc1aeb95b
tests/expected/mbus_netz_noe_p1.h), the push records whose transport is M-Bus.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import apdu as apdu_module
from dlmskit.apdu.ciphered import GeneralGloCiphering
from dlmskit.errors import DecodeError, EncodeError
from dlmskit.link._events import NEED_DATA
from dlmskit.link.mbus import (
    CI_FIN,
    MAX_SEGMENT,
    MbusApduReceived,
    MbusFrame,
    MbusFrameError,
    MbusFrameReceived,
    MbusReassembler,
    MbusReassemblyError,
    MbusSplitter,
    MbusStream,
    segment_apdu,
)
from tests.vectors import push_records

MBUS_RECORDS = [r for r in push_records() if (r.get("transport") or "").startswith("M-Bus")]


def test_mbus_records_present() -> None:
    assert {r["id"] for r in MBUS_RECORDS} >= {"PUSH-01", "PUSH-02"}


def drain(source: MbusSplitter | MbusStream) -> list[Any]:
    events: list[Any] = []
    while (event := source.next_event()) is not NEED_DATA:
        events.append(event)
    return events


def split_frames(raw: bytes, *, byte_at_a_time: bool) -> list[Any]:
    splitter = MbusSplitter()
    events: list[Any] = []
    if byte_at_a_time:
        for byte in raw:
            splitter.receive_data(bytes([byte]))
            events += drain(splitter)
    else:
        splitter.receive_data(raw)
        events = drain(splitter)
    assert splitter.pending == 0
    return events


# -- vectors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("byte_at_a_time", [False, True])
@pytest.mark.parametrize("rec", MBUS_RECORDS, ids=lambda r: r["id"])
def test_push_vectors_split_and_reassemble(rec: dict[str, Any], byte_at_a_time: bool) -> None:
    # PUSH-01 / PUSH-02: two long frames, CI 00 then 11 (FIN, counter 1), C=53 A=FF,
    # STSAP 01 DTSAP 67 (the note of PUSH-01); joined = the record's ciphered_apdu
    raw = bytes.fromhex(rec["raw"])
    events = split_frames(raw, byte_at_a_time=byte_at_a_time)
    assert all(isinstance(e, MbusFrameReceived) for e in events)
    frames = [e.frame for e in events]
    assert [f.ci for f in frames] == [0x00, 0x11]
    assert [(f.c, f.a, f.stsap, f.dtsap) for f in frames] == [(0x53, 0xFF, 0x01, 0x67)] * 2
    assert b"".join(e.raw for e in events) == raw
    for event in events:
        assert event.frame.encode() == event.raw  # byte-exact round trip, checksum included
    reassembler = MbusReassembler()
    results = [r for f in frames for r in reassembler.feed(f)]
    assert len(results) == 1
    result = results[0]
    assert isinstance(result, MbusApduReceived)
    assert result.apdu == bytes.fromhex(rec["ciphered_apdu"])
    assert (result.a, result.stsap, result.dtsap, result.frames) == (0xFF, 0x01, 0x67, 2)
    decoded = apdu_module.decode(result.apdu)
    assert isinstance(decoded, GeneralGloCiphering)
    assert decoded.system_title == bytes.fromhex(rec["ST"])


@pytest.mark.parametrize("rec", MBUS_RECORDS, ids=lambda r: r["id"])
def test_push_vectors_resegment(rec: dict[str, Any]) -> None:
    # the simulator side: PUSH-01/02's APDU cut at 250 bytes gives the meter's frames back
    # the meters fill a frame up to L = 0xFA: 245 APDU bytes per segment
    apdu = bytes.fromhex(rec["ciphered_apdu"])
    assert rec["raw"][2:6] == "FAFA"
    frames = segment_apdu(apdu, 245, c=0x53, a=0xFF, stsap=0x01, dtsap=0x67)
    assert b"".join(f.encode() for f in frames) == bytes.fromhex(rec["raw"])


@pytest.mark.parametrize("rec", MBUS_RECORDS, ids=lambda r: r["id"])
def test_push_vectors_stream_with_noise(rec: dict[str, Any]) -> None:
    # PUSH-01/02 surrounded by garbage (including stray 68 and a fake 68 L L 68 header)
    raw = bytes.fromhex(rec["raw"])
    noisy = b"\x00\x68\x16\xe5" + raw[:200] + b"\x68\x05\x05\x68\x01" + raw + b"\x10\x7b"
    stream = MbusStream()
    for byte in noisy:
        stream.receive_data(bytes([byte]))
    events = drain(stream)
    apdus = [e for e in events if isinstance(e, MbusApduReceived)]
    assert [a.apdu for a in apdus] == [bytes.fromhex(rec["ciphered_apdu"])]
    assert any(isinstance(e, MbusFrameError) for e in events)


def test_bad_checksum_is_reported_and_skipped() -> None:
    # PUSH-01 with the checksum of the first frame flipped: that frame is reported and
    # skipped, the second (FIN, counter 1) then has no first segment
    rec = next(r for r in MBUS_RECORDS if r["id"] == "PUSH-01")
    raw = bytearray.fromhex(rec["raw"])
    raw[254] ^= 0xFF
    events = split_frames(bytes(raw), byte_at_a_time=False)
    assert isinstance(events[0], MbusFrameError)
    assert "checksum" in events[0].reason
    assert len(events[0].raw) == 256
    assert isinstance(events[1], MbusFrameReceived)
    stream = MbusStream()
    stream.receive_data(bytes(raw))
    kinds = [type(e) for e in drain(stream)]
    assert kinds == [MbusFrameError, MbusReassemblyError]


# -- the frame codec ---------------------------------------------------------------------------


def test_encode_layout() -> None:
    frame = MbusFrame(c=0x53, a=0xFF, ci=0x10, stsap=0x01, dtsap=0x67, data=b"\x62\x00")
    body = bytes.fromhex("53FF1001676200")
    assert frame.encode() == bytes.fromhex("68070768") + body + bytes([sum(body) & 0xFF, 0x16])
    assert frame.fin and frame.counter == 0


def test_ci_bits() -> None:
    frames = segment_apdu(bytes(7), 3, c=0x53, a=0xFF, stsap=1, dtsap=0x67)
    assert [f.ci for f in frames] == [0x00, 0x01, 0x12]  # the three-segment example
    assert [f.fin for f in frames] == [False, False, True]
    assert [f.counter for f in frames] == [0, 1, 2]
    assert segment_apdu(b"\x01", c=0, a=0, stsap=0, dtsap=0)[0].ci == CI_FIN


def valid() -> bytes:
    return MbusFrame(c=0x53, a=0xFF, ci=0x10, stsap=1, dtsap=0x67, data=b"\xab\xcd").encode()


@pytest.mark.parametrize(
    ("index", "value", "message", "offset"),
    [
        (0, 0x69, "start byte 0x69", 0),
        (2, 0x08, "length bytes differ", 2),
        (3, 0x00, "second start byte", 3),
        (-1, 0x17, "stop byte 0x17", 12),
        (-2, 0x00, "checksum 0x00, computed", 11),
    ],
)
def test_decode_errors_name_what_and_where(
    index: int, value: int, message: str, offset: int
) -> None:
    raw = bytearray(valid())
    raw[index] = value
    with pytest.raises(DecodeError, match=message) as info:
        MbusFrame.decode(raw)
    assert info.value.offset == offset


def test_decode_length_errors() -> None:
    with pytest.raises(DecodeError, match="needs 13 bytes, got 14"):
        MbusFrame.decode(valid() + b"\x00")
    with pytest.raises(DecodeError, match="needs 13 bytes, got 12"):
        MbusFrame.decode(valid()[:-1])
    with pytest.raises(DecodeError, match="at least 4"):
        MbusFrame.decode(b"\x68\x03")
    # a control frame (L = 3, no transport SAPs) is M-Bus but not a DLMS segment
    control = bytes.fromhex("68030368") + bytes([0x53, 0xFE, 0x10, 0x61, 0x16])
    with pytest.raises(DecodeError, match="too short"):
        MbusFrame.decode(control)


def test_decode_rejects_non_dlms_ci() -> None:
    body = bytes([0x08, 0x01, 0x72, 0x00, 0x00])
    raw = bytes.fromhex("68050568") + body + bytes([sum(body) & 0xFF, 0x16])
    with pytest.raises(DecodeError, match="CI 0x72") as info:
        MbusFrame.decode(raw)
    assert info.value.offset == 6


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ci": 0x20},
        {"c": 256},
        {"a": -1},
        {"stsap": "1"},
        {"data": bytes(MAX_SEGMENT + 1)},
        {"data": bytearray(2)},
    ],
)
def test_frame_validates(kwargs: dict[str, Any]) -> None:
    fields: dict[str, Any] = {"c": 0x53, "a": 0xFF, "ci": 0x10, "stsap": 1, "dtsap": 0x67}
    fields["data"] = b""
    fields.update(kwargs)
    with pytest.raises(EncodeError):
        MbusFrame(**fields)


def test_segment_apdu_validates() -> None:
    with pytest.raises(EncodeError):
        segment_apdu(b"", c=0, a=0, stsap=0, dtsap=0)
    with pytest.raises(EncodeError):
        segment_apdu(b"\x00", 0, c=0, a=0, stsap=0, dtsap=0)
    with pytest.raises(EncodeError):
        segment_apdu(b"\x00", MAX_SEGMENT + 1, c=0, a=0, stsap=0, dtsap=0)


# -- reassembly ------------------------------------------------------------------------------


def seg(ci: int, data: bytes = b"\x01", a: int = 0xFF) -> MbusFrame:
    return MbusFrame(c=0x53, a=a, ci=ci, stsap=1, dtsap=0x67, data=data)


def test_reassembly_gap_resets() -> None:
    r = MbusReassembler()
    assert r.feed(seg(0x00)) == []
    events = r.feed(seg(0x12))
    assert len(events) == 1 and isinstance(events[0], MbusReassemblyError)
    assert events[0].reason == "segment counter 2, expected 1"
    assert events[0].dropped == 2
    assert r.pending == 0


def test_reassembly_repeat_resets() -> None:
    r = MbusReassembler()
    r.feed(seg(0x00))
    r.feed(seg(0x01))
    events = r.feed(seg(0x01))
    assert isinstance(events[0], MbusReassemblyError)
    assert len(events) == 1
    assert "repeated" in events[0].reason and events[0].dropped == 3


def test_reassembly_restart_on_first_segment() -> None:
    # a FIN segment lost: the next APDU's first segment ends the old one and starts anew
    r = MbusReassembler()
    r.feed(seg(0x00, b"old"))
    events = r.feed(seg(0x10, b"new"))
    assert isinstance(events[0], MbusReassemblyError)
    assert events[1] == MbusApduReceived(apdu=b"new", a=0xFF, stsap=1, dtsap=0x67, frames=1)


def test_reassembly_orphan_segment() -> None:
    r = MbusReassembler()
    events = r.feed(seg(0x11))
    assert events == [
        MbusReassemblyError(reason="segment counter 1 without a first segment", dropped=1)
    ]


def test_reassembly_other_sender() -> None:
    r = MbusReassembler()
    r.feed(seg(0x00, a=1))
    events = r.feed(seg(0x11, a=2))
    assert events == [
        MbusReassemblyError(reason="segment from another address or SAP pair", dropped=2)
    ]
    # another sender's first segment starts a new APDU after the error
    r.feed(seg(0x00, a=1))
    events = r.feed(seg(0x10, b"x", a=2))
    assert isinstance(events[0], MbusReassemblyError)
    assert events[1] == MbusApduReceived(apdu=b"x", a=2, stsap=1, dtsap=0x67, frames=1)


def test_reassembly_bounded() -> None:
    r = MbusReassembler(max_apdu_size=5)
    assert r.feed(seg(0x00, b"abc")) == []
    events = r.feed(seg(0x11, b"def"))
    assert events == [MbusReassemblyError(reason="APDU exceeds the maximum of 5 bytes", dropped=6)]
    assert r.pending == 0
    with pytest.raises(ValueError, match="max_apdu_size"):
        MbusReassembler(0)


def test_counter_wraps_after_15() -> None:
    apdu = bytes(range(40))
    frames = segment_apdu(apdu, 2, c=0x53, a=0xFF, stsap=1, dtsap=0x67)
    assert [f.counter for f in frames[14:18]] == [14, 15, 0, 1]
    r = MbusReassembler()
    events = [e for f in frames for e in r.feed(f)]
    assert events == [MbusApduReceived(apdu=apdu, a=0xFF, stsap=1, dtsap=0x67, frames=20)]


# -- properties ------------------------------------------------------------------------------

frames_st = st.builds(
    MbusFrame,
    c=st.integers(0, 255),
    a=st.integers(0, 255),
    ci=st.integers(0, 0x1F),
    stsap=st.integers(0, 255),
    dtsap=st.integers(0, 255),
    data=st.binary(max_size=MAX_SEGMENT),
)


@given(frames_st)
def test_frame_round_trip(frame: MbusFrame) -> None:
    raw = frame.encode()
    assert MbusFrame.decode(raw) == frame
    assert len(raw) == len(frame.data) + 11


@given(
    st.binary(min_size=1, max_size=3000),
    st.integers(1, MAX_SEGMENT),
    st.integers(0, 255),
    st.integers(0, 255),
)
def test_segment_reassemble_round_trip(apdu: bytes, max_data: int, stsap: int, dtsap: int) -> None:
    frames = segment_apdu(apdu, max_data, c=0x53, a=0xFF, stsap=stsap, dtsap=dtsap)
    assert all(len(f.data) <= max_data for f in frames)
    stream = MbusStream()
    stream.receive_data(b"".join(f.encode() for f in frames))
    events = drain(stream)
    assert events == [
        MbusApduReceived(apdu=apdu, a=0xFF, stsap=stsap, dtsap=dtsap, frames=len(frames))
    ]


@given(st.lists(frames_st, max_size=5), st.binary(max_size=30), st.data())
def test_splitter_chunking_and_noise(
    frames: list[MbusFrame], noise: bytes, data: st.DataObject
) -> None:
    # noise without a start byte in front, then frames: every frame is found, the noise is
    # reported, and the events do not depend on the chunking
    # (a last frame flushes the noise when there are no others: trailing garbage stays
    # pending until a start byte shows that it is garbage)
    noise = noise.replace(b"\x68", b"")
    frames = [*frames, MbusFrame(c=0x53, a=0xFF, ci=0x10, stsap=1, dtsap=0x67, data=b"\x68")]
    wire = noise + b"".join(f.encode() for f in frames)
    whole = split_frames(wire, byte_at_a_time=False)
    assert split_frames(wire, byte_at_a_time=True) == whole
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=6)))
    splitter = MbusSplitter()
    chunked: list[Any] = []
    start = 0
    for cut in [*cuts, len(wire)]:
        splitter.receive_data(wire[start:cut])
        chunked += drain(splitter)
        start = cut
    assert chunked == whole
    assert [e.frame for e in whole if isinstance(e, MbusFrameReceived)] == frames
    assert sum(len(e.raw) for e in whole if isinstance(e, MbusFrameError)) == len(noise)


@given(st.binary(max_size=400))
def test_fuzz_decode(data: bytes) -> None:
    try:
        frame = MbusFrame.decode(data)
    except DecodeError:
        return
    assert frame.encode() == data


@given(st.lists(st.binary(max_size=80), max_size=12))
def test_fuzz_stream(chunks: list[bytes]) -> None:
    stream = MbusStream(max_apdu_size=500)
    received = 0
    for chunk in chunks:
        stream.receive_data(chunk)
        received += len(chunk)
        for event in drain(stream):
            assert isinstance(event, MbusApduReceived | MbusReassemblyError | MbusFrameError)
            if isinstance(event, MbusApduReceived):
                assert len(event.apdu) <= 500
    splitter = MbusSplitter()
    splitter.receive_data(b"".join(chunks))
    events = drain(splitter)
    # every byte comes out in exactly one event, except an incomplete frame at the end
    assert sum(len(e.raw) for e in events) + splitter.pending == received
    assert splitter.pending <= 261
