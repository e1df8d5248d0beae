"""Tests of dlmskit.link.hdlc: frames, addresses, parameters, segmentation, the splitter.

Vectors come from /work/shared/vectors (each test names the record and its source).
"""

from __future__ import annotations

import contextlib
import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit import apdu
from dlmskit.apdu.gbt import GeneralBlockTransfer
from dlmskit.errors import DecodeError, EncodeError, RemoteProtocolError
from dlmskit.link._events import NEED_DATA, LineSettings, _NeedData
from dlmskit.link.hdlc import (
    LLC_REQUEST,
    LLC_RESPONSE,
    FrameError,
    FrameKind,
    FrameReceived,
    FrameSplitter,
    HdlcAddress,
    HdlcFrame,
    HdlcParameters,
    Reassembler,
    fcs16,
    physical_address_from_serial,
    segment,
)
from tests.vectors import item, push_records, record

HDLC_ITEMS = range(1, 16)  # HDLC-01 .. HDLC-15


# -- helpers ------------------------------------------------------------------------------


def split_all(data: bytes, *, byte_at_a_time: bool = False) -> list[FrameReceived | FrameError]:
    splitter = FrameSplitter()
    events: list[FrameReceived | FrameError] = []
    chunks = [data[i : i + 1] for i in range(len(data))] if byte_at_a_time else [data]
    for chunk in chunks:
        splitter.receive_data(chunk)
        while True:
            event = splitter.next_event()
            if event is NEED_DATA:
                break
            assert isinstance(event, FrameReceived | FrameError)
            events.append(event)
    return events


def frames_of(events: list[FrameReceived | FrameError]) -> list[HdlcFrame]:
    return [e.frame for e in events if isinstance(e, FrameReceived)]


def parse_header_note(note: str) -> list[dict[str, object]]:
    """The vectors' ``frames`` note: ``dst=(1, 17) src=(16,) ctrl=0x93 seg=0 len=10; ...``."""
    pattern = re.compile(
        r"dst=\(([^)]*)\) src=\(([^)]*)\) ctrl=0x([0-9A-Fa-f]{2}) seg=(\d) len=(\d+)"
    )
    result = []
    for part in note.split(";"):
        match = pattern.search(part)
        assert match, part

        def address(text: str) -> tuple[int, ...]:
            return tuple(int(x) for x in text.split(",") if x.strip())

        result.append(
            {
                "dst": address(match[1]),
                "src": address(match[2]),
                "ctrl": int(match[3], 16),
                "seg": match[4] == "1",
                "len": int(match[5]),
            }
        )
    return result


def address_tuple(address: HdlcAddress) -> tuple[int, ...]:
    if address.physical is None:
        return (address.logical,)
    return (address.logical, address.physical)


# -- CRC ----------------------------------------------------------------------------------


def test_fcs16_check_value() -> None:
    # CRC-16/X.25 catalogue check value (reveng "CRC-16/IBM-SDLC"): "123456789" -> 0x906E
    assert fcs16(b"123456789") == 0x906E
    assert fcs16(bytearray(b"123456789")) == 0x906E
    assert fcs16(memoryview(b"123456789")) == 0x906E
    assert fcs16(b"") == 0x0000


def _fcs16_bitwise(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


@given(st.binary(max_size=300))
def test_fcs16_matches_bitwise_definition(data: bytes) -> None:
    assert fcs16(data) == _fcs16_bitwise(data)


# -- vectors HDLC-01..15 ------------------------------------------------------------------


def _frames_in(raw: bytes) -> list[bytes]:
    """Split a vector's hex (frames each with their own flags) by length fields."""
    frames, pos = [], 0
    while pos < len(raw):
        assert raw[pos] == 0x7E
        length = ((raw[pos + 1] << 8) | raw[pos + 2]) & 0x7FF
        frames.append(raw[pos : pos + length + 2])
        pos += length + 2
    return frames


@pytest.mark.parametrize("number", HDLC_ITEMS)
def test_vector_decode_fields_and_reencode(number: int) -> None:
    # HDLC-nn (sources: arabine/opendlms tests/test_hdlc.cpp, u9n/dlms-cosem
    # tests/test_hdlc/test_hdlc.py, toreamun/amshan tests/test_hdlc.py; see each item's
    # "source"): decode, compare with the header note and the info fields, re-encode.
    vector = item("HDLC", number)
    raw = bytes.fromhex(vector["hex"])
    expected = parse_header_note(vector["frames"])
    frames = _frames_in(raw)
    assert len(frames) == len(expected) == len(vector["info"])
    for wire, fields, info in zip(frames, expected, vector["info"], strict=True):
        frame = HdlcFrame.decode(wire)
        assert address_tuple(frame.destination) == fields["dst"]
        assert address_tuple(frame.source) == fields["src"]
        assert frame.control == fields["ctrl"]
        assert frame.segmented is fields["seg"]
        assert frame.length == fields["len"]
        assert frame.information == bytes.fromhex(info)
        assert frame.encode() == wire
        # the same frame built from its values
        rebuilt = HdlcFrame(
            destination=frame.destination,
            source=frame.source,
            kind=frame.kind,
            poll_final=frame.poll_final,
            send_sequence=frame.send_sequence,
            receive_sequence=frame.receive_sequence,
            segmented=frame.segmented,
            information=frame.information,
        )
        assert rebuilt == frame
        assert rebuilt.encode() == wire


@pytest.mark.parametrize("number", HDLC_ITEMS)
def test_vector_through_splitter(number: int) -> None:
    # HDLC-nn whole and byte by byte through the splitter: the same frames, no errors
    raw = bytes.fromhex(item("HDLC", number)["hex"])
    whole = split_all(raw)
    assert all(isinstance(e, FrameReceived) for e in whole)
    assert [e.raw for e in whole if isinstance(e, FrameReceived)] == _frames_in(raw)
    assert split_all(raw, byte_at_a_time=True) == whole


def test_vector_kinds_and_counters() -> None:
    # opendlms tests/test_hdlc.cpp and u9n/dlms-cosem tests/test_hdlc/test_hdlc.py
    snrm = HdlcFrame.decode(bytes.fromhex(item("HDLC", 2)["hex"]))  # HDLC-02
    assert (snrm.kind, snrm.poll_final) == (FrameKind.SNRM, True)
    assert snrm.destination == HdlcAddress.server(1, 17, size=4)
    assert snrm.source == HdlcAddress.client(16)
    rr = HdlcFrame.decode(bytes.fromhex(item("HDLC", 4)["hex"]))  # HDLC-04: RR N(R)=5
    assert (rr.kind, rr.receive_sequence, rr.send_sequence) == (FrameKind.RR, 5, None)
    aarq = HdlcFrame.decode(bytes.fromhex(item("HDLC", 10)["hex"]))  # HDLC-10
    assert (aarq.kind, aarq.send_sequence, aarq.receive_sequence, aarq.poll_final) == (
        FrameKind.I,
        0,
        0,
        True,
    )
    assert aarq.information.startswith(LLC_REQUEST)
    assert aarq.destination == HdlcAddress.server(1, 17)  # 2-byte address 02 23 (HDLC-07/10)
    assert aarq.destination.size == 2
    aare = HdlcFrame.decode(bytes.fromhex(item("HDLC", 11)["hex"]))  # HDLC-11: N(S)=0 N(R)=1
    assert (aare.send_sequence, aare.receive_sequence) == (0, 1)
    assert aare.information.startswith(LLC_RESPONSE)
    push = HdlcFrame.decode(bytes.fromhex(item("HDLC", 12)["hex"]))  # HDLC-12: UI
    assert push.kind is FrameKind.UI
    ua = HdlcFrame.decode(bytes.fromhex(item("HDLC", 13)["hex"]))  # HDLC-13: short UA
    assert (ua.kind, ua.information, ua.source) == (FrameKind.UA, b"", HdlcAddress.server(1))


def test_vector_06_reassembly() -> None:
    # HDLC-06 (arabine/opendlms tests/test_hdlc.cpp:multi_frames): three I frames with the
    # S bit on the first two, joined by 7E 7E; the APDU is a GET response C4 01 C1 00 ...
    vector = item("HDLC", 6)
    raw = bytes.fromhex(vector["hex"])
    for byte_at_a_time in (False, True):
        events = split_all(raw, byte_at_a_time=byte_at_a_time)
        frames = frames_of(events)
        assert len(frames) == len(events) == 3
        assert [f.segmented for f in frames] == [True, True, False]
        reassembler = Reassembler()
        results = [reassembler.feed(f.information, f.segmented) for f in frames]
        assert results[:2] == [None, None]
        expected = b"".join(bytes.fromhex(i) for i in vector["info"])
        assert results[2] == expected[3:]
        assert results[2] is not None and results[2].startswith(bytes.fromhex("C401C100"))
        # and segmenting the APDU again gives the same information fields
        assert segment(expected[3:], 128, llc=LLC_RESPONSE) == [
            (f.information, f.segmented) for f in frames
        ]


def test_vectors_14_15_flag_and_escape_inside_information() -> None:
    # HDLC-14/15 (toreamun/amshan tests/test_hdlc.py FRAME_WITH_FLAG_SEQUENCE_CHARACTER_IN_INFO,
    # FRAME_WITH_ESCAPE_CHARACTER_IN_INFO): 7E and 7D inside the information field are data
    for number, byte in ((14, 0x7E), (15, 0x7D)):
        raw = bytes.fromhex(item("HDLC", number)["hex"])
        frame = HdlcFrame.decode(raw)
        assert byte in frame.information
        assert frame_from_stream(raw * 3) == [frame] * 3


def frame_from_stream(data: bytes) -> list[HdlcFrame]:
    events = split_all(data)
    assert all(isinstance(e, FrameReceived) for e in events)
    assert split_all(data, byte_at_a_time=True) == events
    return frames_of(events)


# -- SNRM / UA parameters -----------------------------------------------------------------


def test_parameters_vector_01_encoder_expected() -> None:
    # HDLC-01 (arabine/opendlms tests/test_hdlc.cpp:snrm_expected): the encoder's target
    info = bytes.fromhex(item("HDLC", 1)["info"][0])
    params = HdlcParameters.decode(info)
    assert params == HdlcParameters(
        max_info_transmit=128, max_info_receive=128, window_transmit=1, window_receive=7
    )
    assert params.encode() == info


def test_parameters_vectors_03_08_09() -> None:
    # HDLC-03/09 (opendlms snrm_normal; u9n/dlms-cosem test_hdlc.py:72): 2-byte values 00 80
    for number in (3, 9):
        info = bytes.fromhex(item("HDLC", number)["info"][0])
        assert HdlcParameters.decode(info) == HdlcParameters()
    # HDLC-08 (u9n/dlms-cosem test_hdlc.py:128): 05 01 9A / 06 01 9A
    info = bytes.fromhex(item("HDLC", 8)["info"][0])
    params = HdlcParameters.decode(info)
    assert params == HdlcParameters(max_info_transmit=154, max_info_receive=154)
    assert params.encode() == info


def test_parameters_defaults_and_partial() -> None:
    assert HdlcParameters.decode(b"") == HdlcParameters()
    # only the receive length given (4-byte value): the rest default
    assert HdlcParameters.decode(bytes.fromhex("818006060400000200")) == HdlcParameters(
        max_info_receive=512
    )
    assert HdlcParameters(max_info_transmit=1024).encode() == bytes.fromhex(
        "818013" "05020400" "060180" "070400000001" "080400000001"
    )  # fmt: skip


@pytest.mark.parametrize(
    "hex_info",
    [
        "81",  # too short
        "828003050180",  # format identifier
        "817F03050180",  # group identifier
        "818004050180",  # group length does not match
        "8180030500",  # zero-length value
        "81800705050000000080",  # 5-byte value
        "818003050100",  # value 0
        "8180020502",  # value cut short
        "81800105",  # parameter cut short
    ],
)
def test_parameters_decode_errors(hex_info: str) -> None:
    with pytest.raises(DecodeError):
        HdlcParameters.decode(bytes.fromhex(hex_info))


def test_parameters_negotiate() -> None:
    client = HdlcParameters(
        max_info_transmit=2030, max_info_receive=1024, window_transmit=7, window_receive=7
    )
    server = HdlcParameters(
        max_info_transmit=512, max_info_receive=256, window_transmit=1, window_receive=3
    )
    assert client.negotiate(server) == HdlcParameters(
        max_info_transmit=256, max_info_receive=512, window_transmit=3, window_receive=1
    )
    # a peer that answers more than proposed still gets the proposal
    assert HdlcParameters().negotiate(client) == HdlcParameters()


def test_parameters_checked_ranges() -> None:
    assert HdlcParameters.checked(max_info_transmit=2030, window_receive=7).max_info_transmit == (
        2030
    )
    for kwargs in ({"max_info_transmit": 31}, {"max_info_receive": 2031}, {"window_transmit": 8}):
        with pytest.raises(ValueError):
            HdlcParameters.checked(**kwargs)
    with pytest.raises(ValueError):
        HdlcParameters(window_receive=0)


parameters = st.builds(
    HdlcParameters,
    max_info_transmit=st.integers(1, 0xFFFFFFFF),
    max_info_receive=st.integers(1, 0xFFFFFFFF),
    window_transmit=st.integers(1, 0xFFFFFFFF),
    window_receive=st.integers(1, 0xFFFFFFFF),
)


@given(parameters)
def test_parameters_round_trip(params: HdlcParameters) -> None:
    assert HdlcParameters.decode(params.encode()) == params


@given(st.binary(max_size=40))
def test_parameters_fuzz(data: bytes) -> None:
    with contextlib.suppress(DecodeError):
        HdlcParameters.decode(data)


# -- addresses ----------------------------------------------------------------------------


def test_address_forms() -> None:
    # IEC 62056-46 addressing as in HDLC-01 (00 02 00 23), HDLC-07 (02 23), HDLC-02 (21)
    assert HdlcAddress.server(1, 17, size=4).encode() == bytes.fromhex("00020023")
    assert HdlcAddress.server(1, 17).encode() == bytes.fromhex("0223")
    assert HdlcAddress.client(16).encode() == b"\x21"
    assert HdlcAddress.server(1).encode() == b"\x03"
    big = HdlcAddress.server(0x3FFF, 0x3FFF)
    assert big.size == 4
    assert big.encode() == bytes.fromhex("FEFEFEFF")
    assert HdlcAddress.decode(big.encode()) == big
    for bad in (b"", b"\x02", b"\x02\x02\x03", b"\x01\x01"):
        with pytest.raises(DecodeError):
            HdlcAddress.decode(bad)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"logical": 1, "physical": 2, "size": 1},
        {"logical": 0x80, "physical": None, "size": 1},
        {"logical": 1, "physical": 0x80, "size": 2},
        {"logical": 1, "physical": None, "size": 2},
        {"logical": 0x4000, "physical": 1, "size": 4},
        {"logical": 1, "physical": 1, "size": 3},
        {"logical": -1, "physical": None, "size": 1},
    ],
)
def test_address_invalid(kwargs: dict[str, int | None]) -> None:
    with pytest.raises(ValueError):
        HdlcAddress(**kwargs)  # type: ignore[arg-type]


def test_physical_address_from_serial() -> None:
    # Gurux GXDLMSClient.getServerAddressFromSerialNumber default formula "SN % 10000 + 1000"
    assert physical_address_from_serial(12345678) == 6678
    assert physical_address_from_serial(0) == 1000
    assert physical_address_from_serial(9999) == 10999
    address = HdlcAddress.server(1, physical_address_from_serial(12345678))
    assert address.size == 4
    with pytest.raises(ValueError):
        physical_address_from_serial(-1)


def addresses(sizes: tuple[int, ...] = (1, 2, 4)) -> st.SearchStrategy[HdlcAddress]:
    def build(size: int) -> st.SearchStrategy[HdlcAddress]:
        if size == 1:
            return st.builds(HdlcAddress.client, st.integers(0, 0x7F))
        limit = 0x7F if size == 2 else 0x3FFF
        return st.builds(
            HdlcAddress.server, st.integers(0, limit), st.integers(0, limit), st.just(size)
        )

    return st.sampled_from(sizes).flatmap(build)


@given(addresses())
def test_address_round_trip(address: HdlcAddress) -> None:
    assert HdlcAddress.decode(address.encode()) == address
    assert len(address.encode()) == address.size


# -- frames -------------------------------------------------------------------------------


@st.composite
def frames(draw: st.DrawFn, max_info: int = 2030) -> HdlcFrame:
    kind = draw(st.sampled_from(FrameKind))
    destination = draw(addresses())
    source = draw(addresses())
    room = 2047 - (2 + destination.size + source.size + 1 + 4)
    information = draw(st.binary(max_size=min(max_info, room)))
    return HdlcFrame(
        destination=destination,
        source=source,
        kind=kind,
        poll_final=draw(st.booleans()),
        send_sequence=draw(st.integers(0, 7)) if kind is FrameKind.I else None,
        receive_sequence=(
            draw(st.integers(0, 7)) if kind in (FrameKind.I, FrameKind.RR, FrameKind.RNR) else None
        ),
        segmented=draw(st.booleans()),
        information=information,
    )


@given(frames())
def test_frame_round_trip(frame: HdlcFrame) -> None:
    wire = frame.encode()
    assert len(wire) == frame.length + 2
    assert HdlcFrame.decode(wire) == frame
    assert HdlcFrame.decode(bytearray(wire)) == frame


@given(frames(max_info=200), st.integers(1, 2**31), st.data())
def test_frame_corruption_detected(frame: HdlcFrame, flip: int, data: st.DataObject) -> None:
    # any single-bit error between the flags is caught by the HCS/FCS or the format checks
    wire = bytearray(frame.encode())
    position = data.draw(st.integers(1, len(wire) - 2))
    wire[position] ^= 1 << (flip % 8)
    with pytest.raises(DecodeError):
        HdlcFrame.decode(bytes(wire))


def test_frame_largest_information() -> None:
    info = bytes(range(256)) * 8
    frame = HdlcFrame(
        destination=HdlcAddress.client(1),
        source=HdlcAddress.server(1, 0x1000),
        kind=FrameKind.I,
        poll_final=False,
        send_sequence=0,
        receive_sequence=0,
        information=info[:2035],
    )
    assert frame.length == 2047
    assert HdlcFrame.decode(frame.encode()) == frame
    with pytest.raises(EncodeError):
        HdlcFrame(
            destination=HdlcAddress.client(1),
            source=HdlcAddress.server(1, 0x1000),
            kind=FrameKind.UI,
            poll_final=False,
            send_sequence=None,
            receive_sequence=None,
            information=info[:2036],
        )


@pytest.mark.parametrize(
    ("kind", "ns", "nr"),
    [
        (FrameKind.I, None, 0),
        (FrameKind.I, 0, None),
        (FrameKind.I, 8, 0),
        (FrameKind.RR, 0, 0),
        (FrameKind.RR, None, None),
        (FrameKind.SNRM, None, 0),
        (FrameKind.UA, 1, None),
    ],
)
def test_frame_invalid_sequences(kind: FrameKind, ns: int | None, nr: int | None) -> None:
    with pytest.raises(ValueError):
        HdlcFrame(
            destination=HdlcAddress.client(1),
            source=HdlcAddress.server(1),
            kind=kind,
            poll_final=True,
            send_sequence=ns,
            receive_sequence=nr,
        )


@pytest.mark.parametrize(
    "hex_frame",
    [
        "7EA00A00020023219318717E"[:-2],  # no closing flag (length mismatch too)
        "00A00A00020023219318717E",  # no opening flag
        "7EB00A00020023219318717E",  # format type 3 is Axxx
        "7EA00B00020023219318717E",  # length field
        "7EA00A00020023219318727E",  # FCS
        "7EA00801020110377E",  # amshan tests/test_hdlc.py: too short (FCS fails)
        "7EA00700000000937E",  # no address ends (no low bit set)
        "7EA00703210B2CB67E",  # control 0B (made-up FCS): not a frame type
        "7EA00821039300AABB7E",  # one stray byte between the control field and the FCS
    ],
)
def test_frame_decode_errors(hex_frame: str) -> None:
    with pytest.raises(DecodeError) as info:
        HdlcFrame.decode(bytes.fromhex(hex_frame))
    assert info.value.offset is not None


def test_frame_value_conversions_and_types() -> None:
    frame = HdlcFrame(
        destination=HdlcAddress.client(1),
        source=HdlcAddress.server(1),
        kind=0x63,  # type: ignore[arg-type]  (an int is taken as the FrameKind)
        poll_final=True,
        send_sequence=None,
        receive_sequence=None,
        information=bytearray(b"\x81\x80\x00"),  # type: ignore[arg-type]
    )
    assert frame.kind is FrameKind.UA
    assert type(frame.information) is bytes
    for bad in ({"information": "text"}, {"source": 3}):
        with pytest.raises(TypeError):
            HdlcFrame(  # type: ignore[arg-type]
                **{
                    "destination": HdlcAddress.client(1),
                    "source": HdlcAddress.server(1),
                    "kind": FrameKind.UI,
                    "poll_final": False,
                    "send_sequence": None,
                    "receive_sequence": None,
                    **bad,
                }
            )


def test_many_addresses_decode() -> None:
    # more distinct addresses than the decoder's cache holds: every one still decodes right
    client = HdlcAddress.client(16)
    for physical in range(0, 0x3FFF, 7):
        server = HdlcAddress.server(1, physical, size=4)
        frame = HdlcFrame(
            destination=client,
            source=server,
            kind=FrameKind.RR,
            poll_final=True,
            send_sequence=None,
            receive_sequence=physical & 7,
        )
        assert HdlcFrame.decode(frame.encode()).source == server


def test_frame_unknown_control_byte() -> None:
    # a well-formed frame with control 0x09 (REJ) and a correct FCS: rejected by kind
    body = bytes.fromhex("A0070321") + b"\x09"
    fcs = fcs16(body)
    wire = b"\x7e" + body + bytes((fcs & 0xFF, fcs >> 8)) + b"\x7e"
    with pytest.raises(DecodeError, match="control byte 09"):
        HdlcFrame.decode(wire)


@given(st.binary(max_size=80))
def test_frame_decode_fuzz(data: bytes) -> None:
    with contextlib.suppress(DecodeError):
        HdlcFrame.decode(data)


@given(st.binary(min_size=4, max_size=60))
def test_frame_decode_fuzz_with_valid_envelope(body: bytes) -> None:
    # a correct format field, flags and FCS around random bytes: only DecodeError or a frame
    length = len(body) + 4
    head = bytes((0xA0 | (length >> 8), length & 0xFF)) + body
    fcs = fcs16(head)
    wire = b"\x7e" + head + bytes((fcs & 0xFF, fcs >> 8)) + b"\x7e"
    try:
        frame = HdlcFrame.decode(wire)
    except DecodeError:
        return
    assert isinstance(frame, HdlcFrame)


# -- segmentation and reassembly ----------------------------------------------------------


def test_segment_small_and_empty() -> None:
    assert segment(b"\xc0\x01", 128, llc=LLC_REQUEST) == [(LLC_REQUEST + b"\xc0\x01", False)]
    assert segment(b"", 128, llc=None) == [(b"", False)]
    with pytest.raises(ValueError):
        segment(b"abc", 3, llc=LLC_REQUEST)


@given(
    st.binary(max_size=3000),
    st.integers(4, 300),
    st.sampled_from([LLC_REQUEST, LLC_RESPONSE, None]),
)
def test_segment_reassemble_round_trip(apdu_bytes: bytes, max_info: int, llc: bytes | None) -> None:
    if llc is None and apdu_bytes[:3] in (LLC_REQUEST, LLC_RESPONSE):
        apdu_bytes = b"\x00" + apdu_bytes  # the reassembler strips a leading LLC
    pieces = segment(apdu_bytes, max_info, llc=llc)
    assert all(0 < len(info) <= max_info for info, _ in pieces) or apdu_bytes == b""
    assert [seg for _, seg in pieces] == [True] * (len(pieces) - 1) + [False]
    assert pieces[0][0].startswith(llc or b"")
    reassembler = Reassembler()
    results = [reassembler.feed(info, seg) for info, seg in pieces]
    assert results[:-1] == [None] * (len(pieces) - 1)
    assert results[-1] == apdu_bytes
    assert reassembler.pending == 0


def test_reassembler_bounded() -> None:
    reassembler = Reassembler(max_apdu_size=100)
    for _ in range(3):
        assert reassembler.feed(b"\x00" * 30, True) is None
    with pytest.raises(RemoteProtocolError):
        reassembler.feed(b"\x00" * 30, True)
    assert reassembler.pending == 0  # dropped; the next APDU starts afresh
    assert reassembler.feed(LLC_RESPONSE + b"\x01" * 100, False) == b"\x01" * 100
    with pytest.raises(RemoteProtocolError):
        reassembler.feed(b"\x01" * 101, False)


# -- splitter -----------------------------------------------------------------------------

SNRM_02 = bytes.fromhex(item("HDLC", 2)["hex"])  # HDLC-02 (opendlms snrm_no_parameters)
AARE_11 = bytes.fromhex(item("HDLC", 11)["hex"])  # HDLC-11 (u9n/dlms-cosem test_hdlc.py:199)
TOO_SHORT = bytes.fromhex("7EA00801020110377E")  # amshan tests/test_hdlc.py (README discard)
ABORTED = bytes.fromhex("7EA00C0102011027A00201E7DE7D7E")  # amshan: abort sequence 7D 7E


@pytest.mark.parametrize("bad", [TOO_SHORT, ABORTED])
@pytest.mark.parametrize("byte_at_a_time", [False, True])
def test_splitter_discards_readme_inputs(bad: bytes, byte_at_a_time: bool) -> None:
    # vectors README "HDLC input to discard" (toreamun/amshan tests/test_hdlc.py): the bad
    # input yields errors only, and frames before and after it (flags shared or not) survive
    for stream in (
        bad + SNRM_02 + AARE_11,
        AARE_11 + bad + SNRM_02,
        AARE_11[:-1] + bad + SNRM_02[1:],
    ):
        events = split_all(stream, byte_at_a_time=byte_at_a_time)
        received = [e.raw for e in events if isinstance(e, FrameReceived)]
        assert sorted(received) == sorted([SNRM_02, AARE_11])
        assert any(isinstance(e, FrameError) for e in events)
        assert all(e.raw in stream for e in events)


def test_splitter_abort_reason() -> None:
    events = split_all(ABORTED + SNRM_02)
    assert isinstance(events[0], FrameError)
    assert "abort" in events[0].reason
    assert events[0].raw == ABORTED[:-1]
    assert frames_of(events) == [HdlcFrame.decode(SNRM_02)]


def test_splitter_shared_and_idle_flags() -> None:
    shared = SNRM_02[:-1] + AARE_11 + AARE_11[1:]
    assert (
        frame_from_stream(shared) == [HdlcFrame.decode(SNRM_02)] + [HdlcFrame.decode(AARE_11)] * 2
    )
    idle = b"\x7e" * 5 + SNRM_02 + b"\x7e" * 3 + AARE_11 + b"\x7e"
    assert frame_from_stream(idle) == [HdlcFrame.decode(SNRM_02), HdlcFrame.decode(AARE_11)]


def test_splitter_garbage() -> None:
    events = split_all(b"\x00\x01garbage" + SNRM_02 + b"\x55" * 10 + AARE_11)
    assert [type(e) for e in events] == [FrameError, FrameReceived, FrameError, FrameReceived]
    assert events[0].raw == b"\x00\x01garbage"
    # a flag followed by no frame format is garbage too
    events = split_all(b"\x7e\x11\x22" + SNRM_02)
    assert [type(e) for e in events] == [FrameError, FrameReceived]
    assert events[0].raw == b"\x7e\x11\x22"


def test_splitter_garbage_is_bounded() -> None:
    splitter = FrameSplitter()
    splitter.receive_data(b"\x00" * 5000)
    events = []
    while (event := splitter.next_event()) is not NEED_DATA:
        events.append(event)
    assert all(isinstance(e, FrameError) and len(e.raw) <= 2049 for e in events)
    assert splitter.pending < 2049
    for _ in range(5000):
        splitter.receive_data(b"\x00")
        while splitter.next_event() is not NEED_DATA:
            pass
        assert splitter.pending <= 2049


def test_splitter_bad_fcs_skips_whole_frame() -> None:
    # corrupt the information of HDLC-14 (which contains 7E): one error, nothing from inside
    frame14 = bytearray(bytes.fromhex(item("HDLC", 14)["hex"]))
    frame14[20] ^= 0xFF
    events = split_all(bytes(frame14) + SNRM_02)
    assert [type(e) for e in events] == [FrameError, FrameReceived]
    assert "FCS" in events[0].reason  # type: ignore[union-attr]


def test_splitter_bad_header_resyncs_inside() -> None:
    # a frame whose HCS is wrong is not trusted: the search resumes at the next flag, so a
    # frame hidden behind a corrupted length field is found
    broken = bytearray(AARE_11)
    broken[5] ^= 0x40  # inside the header: HCS fails
    events = split_all(bytes(broken) + SNRM_02)
    assert frames_of(events) == [HdlcFrame.decode(SNRM_02)]
    long_length = bytes.fromhex("7EA0FF") + SNRM_02  # length 255 overruns the next frame
    events = split_all(long_length + bytes(300))
    assert frames_of(events) == [HdlcFrame.decode(SNRM_02)]


# -- PUSH records over HDLC ---------------------------------------------------------------


def hdlc_pushes() -> list[dict[str, object]]:
    return [r for r in push_records() if str(r.get("transport", "")).startswith("HDLC")]


def test_push_records_present() -> None:
    assert {r["id"] for r in hdlc_pushes()} == {"PUSH-05", "PUSH-07", "PUSH-10", "PUSH-12"}


@pytest.mark.parametrize("rec", hdlc_pushes(), ids=lambda r: str(r["id"]))
@pytest.mark.parametrize("byte_at_a_time", [False, True])
def test_push_hdlc(rec: dict[str, str], byte_at_a_time: bool) -> None:
    # PUSH-05 (esphome-libs/dlms_parser hdlc_landis_gyr_e450), PUSH-07 (hdlc_kamstrup_omnipower),
    # PUSH-10 (hdlc_norway_han_1phase), PUSH-12 (hdlc_kaifa_ma304h3e): split the raw stream,
    # reassemble, join GBT blocks; the result is the record's ciphered (or plain) APDU
    raw = bytes.fromhex(rec["raw"])
    events = split_all(raw, byte_at_a_time=byte_at_a_time)
    assert all(isinstance(e, FrameReceived) and e.raw in raw for e in events)
    frames = frames_of(events)
    expected_count = int(rec["transport"].split("x")[1])
    assert len(frames) == expected_count
    reassembler = Reassembler()
    apdus = [a for f in frames if (a := reassembler.feed(f.information, f.segmented))]
    expected = bytes.fromhex(rec.get("ciphered_apdu") or rec["plain_apdu"])
    if rec["gbt_blocks"] is not None:
        assert len(apdus) == int(rec["gbt_blocks"])
        blocks = []
        for block in map(apdu.decode, apdus):
            assert isinstance(block, GeneralBlockTransfer)
            blocks.append(block)
        assert [b.last_block for b in blocks] == [False] * (len(blocks) - 1) + [True]
        joined = b"".join(bytes(b.block_data) for b in blocks)
        assert joined == expected
    else:
        assert apdus == [expected]


def test_push_13_bad_fcs_reported() -> None:
    # PUSH-13 (esphome-libs/dlms_parser hdlc_landis_gyr_zmf100): HCS right, FCS wrong on
    # purpose (hcs_ok True, fcs_ok False): one FrameError, no frame
    rec = record("PUSH-13")
    assert (rec["hcs_ok"], rec["fcs_ok"]) == (True, False)
    raw = bytes.fromhex(rec["raw"])
    for byte_at_a_time in (False, True):
        events = split_all(raw, byte_at_a_time=byte_at_a_time)
        assert len(events) == 1
        assert isinstance(events[0], FrameError)
        assert "FCS" in events[0].reason
    with pytest.raises(DecodeError, match="FCS"):
        HdlcFrame.decode(raw)


# -- splitter properties ------------------------------------------------------------------


@settings(max_examples=60)
@given(st.lists(frames(max_info=300), min_size=1, max_size=5), st.data())
def test_splitter_round_trip_any_chunking(frame_list: list[HdlcFrame], data: st.DataObject) -> None:
    share = data.draw(st.booleans())
    wires = [f.encode() for f in frame_list]
    stream = wires[0] + b"".join(w[1:] if share else w for w in wires[1:])
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    splitter = FrameSplitter()
    events = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        splitter.receive_data(stream[start:end])
        while (event := splitter.next_event()) is not NEED_DATA:
            events.append(event)
    assert events == [FrameReceived(frame=f, raw=w) for f, w in zip(frame_list, wires, strict=True)]


@settings(max_examples=60)
@given(
    st.lists(
        st.one_of(frames(max_info=200).map(HdlcFrame.encode), st.binary(max_size=40)),
        max_size=6,
    )
)
def test_splitter_noise_whole_equals_byte_at_a_time(pieces: list[bytes]) -> None:
    stream = b"".join(pieces)
    whole = split_all(stream)
    assert split_all(stream, byte_at_a_time=True) == whole
    for event in whole:
        if isinstance(event, FrameReceived):
            assert HdlcFrame.decode(event.raw) == event.frame


@settings(max_examples=60)
@given(frames(max_info=200), st.binary(max_size=50), st.binary(max_size=50))
def test_splitter_finds_frame_between_noise(frame: HdlcFrame, before: bytes, after: bytes) -> None:
    # Noise may look like a frame start whose length runs over the real frame; the search
    # then resumes at the next flag after that false start, so the frame is still found.
    # The zero bytes at the end let every false start resolve (a stream that stops in the
    # middle of a claimed length waits for more data).
    stream = before + b"\x7e" + frame.encode() + after + bytes(2100)
    events = split_all(stream)
    assert frame in frames_of(events)


@given(st.binary(max_size=400))
def test_splitter_fuzz(data: bytes) -> None:
    for event in split_all(data):
        assert isinstance(event, FrameReceived | FrameError)


# -- shared events ------------------------------------------------------------------------


def test_need_data_sentinel() -> None:
    assert repr(NEED_DATA) == "NEED_DATA"
    assert _NeedData() is NEED_DATA
    assert FrameSplitter().next_event() is NEED_DATA
    assert pickle.loads(pickle.dumps(NEED_DATA)) is NEED_DATA


def test_line_settings() -> None:
    settings_ = LineSettings(baud=300, data_bits=7, parity="E", stop_bits=1)
    assert settings_.baud == 300
    for bad in (
        {"baud": 0, "data_bits": 7, "parity": "E", "stop_bits": 1},
        {"baud": 300, "data_bits": 9, "parity": "E", "stop_bits": 1},
        {"baud": 300, "data_bits": 7, "parity": "X", "stop_bits": 1},
        {"baud": 300, "data_bits": 7, "parity": "E", "stop_bits": 3},
    ):
        with pytest.raises(ValueError):
            LineSettings(**bad)  # type: ignore[arg-type]
