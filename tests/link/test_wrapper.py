"""Tests of the IEC 62056-47 wrapper (``dlmskit.link.wrapper``).

Vectors: XDLMS-27 (UDP wrapper header, u9n/dlms-cosem tests/test_udp_message.py:23) and
XDLMS-29..43 (TCP wrapper trace recorded against the arabine/opendlms meter simulator,
examples/metersimulator @ 8cf92553a68a), from ``shared/vectors/vectors.json``.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import apdu as apdu_module
from dlmskit.errors import DecodeError, EncodeError, RemoteProtocolError
from dlmskit.link._events import NEED_DATA
from dlmskit.link.wrapper import (
    DLMS_PORT,
    HEADER_SIZE,
    WPort,
    WrapperError,
    WrapperHeader,
    WrapperPdu,
    WrapperPduReceived,
    WrapperStream,
    decode_datagram,
)
from tests.vectors import item, item_bytes

TCP_ITEMS = range(29, 44)  # XDLMS-29..43, opendlms metersimulator TCP capture


def drain(stream: WrapperStream) -> list[object]:
    events: list[object] = []
    while True:
        event = stream.next_event()
        if event is NEED_DATA:
            return events
        events.append(event)
        if isinstance(event, WrapperError):
            return events


# -- value types ----------------------------------------------------------------------------


def test_udp_header_vector_xdlms_27() -> None:
    # XDLMS-27: u9n/dlms-cosem tests/test_udp_message.py:23 — version 1, src 1, dst 1, len 0x46
    raw = item_bytes("XDLMS", 27)
    assert "UDP wrapper header" in item("XDLMS", 27)["label"]
    header = WrapperHeader.decode(raw)
    assert header == WrapperHeader(source=1, destination=1, length=0x46, version=1)
    assert header.encode() == raw


@pytest.mark.parametrize("number", TCP_ITEMS)
def test_tcp_vectors_decode_as_single_pdus(number: int) -> None:
    # XDLMS-29..43: opendlms metersimulator TCP-wrapper capture; each item is one wrapper PDU
    raw = item_bytes("XDLMS", number)
    pdu = WrapperPdu.decode(raw)
    assert pdu.version == 1
    assert len(pdu.apdu) == int.from_bytes(raw[6:8], "big")
    assert pdu.encode() == raw
    # the wPorts are the public client (16) / management client (1) and server 1
    assert {pdu.source, pdu.destination} <= {WPort.PUBLIC_CLIENT, WPort.CLIENT_MANAGEMENT}
    apdu_module.decode(pdu.apdu)  # the payload is a well-formed APDU


def test_tcp_vector_directions() -> None:
    # XDLMS-29 (AARQ from public client 16 to server 1), XDLMS-30 (AARE back)
    aarq = WrapperPdu.decode(item_bytes("XDLMS", 29))
    aare = WrapperPdu.decode(item_bytes("XDLMS", 30))
    assert (aarq.source, aarq.destination) == (WPort.PUBLIC_CLIENT, 1)
    assert (aare.source, aare.destination) == (1, WPort.PUBLIC_CLIENT)
    assert aarq.apdu[0] == 0x60 and aare.apdu[0] == 0x61


def test_constants() -> None:
    assert DLMS_PORT == 4059
    assert HEADER_SIZE == 8
    assert WPort.PUBLIC_CLIENT == 16
    assert WPort.MANAGEMENT_LOGICAL_DEVICE == 1
    assert WPort.ALL_STATION == 0x7F


def test_encode_layout() -> None:
    pdu = WrapperPdu(source=0x10, destination=0x01, apdu=b"\x62\x00")
    assert pdu.encode() == bytes.fromhex("0001 0010 0001 0002 6200")
    assert pdu.header == WrapperHeader(source=0x10, destination=1, length=2)


def test_decode_rejects_wrong_version_unless_quirk() -> None:
    raw = bytes.fromhex("0002 0010 0001 0002 6200")
    with pytest.raises(DecodeError, match="version 0x0002") as info:
        WrapperPdu.decode(raw)
    assert info.value.offset == 0
    pdu = WrapperPdu.decode(raw, accept_any_version=True)
    assert pdu.version == 2
    assert pdu.encode() == raw


@pytest.mark.parametrize(
    ("hex_", "message"),
    [
        ("0001 0010 0001 0003 6200", "announces 3 APDU bytes, 2 present"),
        ("0001 0010 0001 0001 6200", "1 unexpected trailing"),
        ("0001 0010 0001", "at least 8 header bytes"),
        ("0001 0010 0001 0000", "length 0"),
        ("", "at least 8"),
    ],
)
def test_decode_length_mismatch(hex_: str, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        WrapperPdu.decode(bytes.fromhex(hex_))
    with pytest.raises(DecodeError, match=message):
        decode_datagram(bytes.fromhex(hex_))


def test_decode_bounded_by_max_apdu_size() -> None:
    raw = WrapperPdu(source=1, destination=16, apdu=bytes(100)).encode()
    with pytest.raises(DecodeError, match="exceeds the maximum of 99"):
        decode_datagram(raw, max_apdu_size=99)
    assert decode_datagram(raw, max_apdu_size=100).apdu == bytes(100)


def test_header_decode_size() -> None:
    with pytest.raises(DecodeError, match="expected 8 bytes"):
        WrapperHeader.decode(bytes(9))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"source": -1, "destination": 1, "apdu": b"\x00"},
        {"source": 1, "destination": 0x10000, "apdu": b"\x00"},
        {"source": 1, "destination": 1, "apdu": b""},
        {"source": 1, "destination": 1, "apdu": bytes(0x10000)},
        {"source": 1, "destination": 1, "apdu": "x"},
        {"source": 1, "destination": 1, "apdu": b"\x00", "version": 0x10000},
        {"source": True, "destination": 1, "apdu": b"\x00"},
    ],
)
def test_pdu_validates(kwargs: dict[str, object]) -> None:
    with pytest.raises(EncodeError):
        WrapperPdu(**kwargs)  # type: ignore[arg-type]


# -- the TCP stream ---------------------------------------------------------------------------


def tcp_capture() -> bytes:
    return b"".join(item_bytes("XDLMS", n) for n in TCP_ITEMS)


def check_capture_events(events: list[object]) -> None:
    assert len(events) == len(TCP_ITEMS)
    for number, event in zip(TCP_ITEMS, events, strict=True):
        assert isinstance(event, WrapperPduReceived)
        assert event.pdu.encode() == item_bytes("XDLMS", number)
        apdu_module.decode(event.pdu.apdu)


def test_stream_whole_capture() -> None:
    # XDLMS-29..43 concatenated: the whole opendlms session as one TCP stream
    stream = WrapperStream()
    stream.receive_data(tcp_capture())
    check_capture_events(drain(stream))
    assert stream.pending == 0
    assert stream.next_event() is NEED_DATA


def test_stream_byte_at_a_time() -> None:
    # XDLMS-29..43 fed one byte per call
    stream = WrapperStream()
    events: list[object] = []
    for byte in tcp_capture():
        stream.receive_data(bytes([byte]))
        events += drain(stream)
    check_capture_events(events)


def test_stream_partial_header_needs_data() -> None:
    stream = WrapperStream()
    raw = item_bytes("XDLMS", 40)  # XDLMS-40: RLRQ, opendlms capture
    stream.receive_data(raw[:5])
    assert stream.next_event() is NEED_DATA
    stream.receive_data(raw[5:9])
    assert stream.next_event() is NEED_DATA
    stream.receive_data(raw[9:])
    event = stream.next_event()
    assert isinstance(event, WrapperPduReceived)
    assert event.pdu.apdu == bytes.fromhex("6200")


def test_stream_oversized_length_breaks_the_stream() -> None:
    stream = WrapperStream(max_apdu_size=10)
    stream.receive_data(bytes.fromhex("0001 0001 0010 000B") + bytes(11))
    event = stream.next_event()
    assert isinstance(event, WrapperError)
    assert "exceeds the maximum of 10" in event.reason
    assert event.raw == bytes.fromhex("0001 0001 0010 000B")
    assert stream.broken
    with pytest.raises(RemoteProtocolError, match="broken"):
        stream.next_event()
    with pytest.raises(RemoteProtocolError):
        stream.receive_data(b"\x00")


def test_stream_oversized_detected_from_header_alone() -> None:
    # the bound is checked before the APDU bytes arrive (nothing is buffered for them)
    stream = WrapperStream(max_apdu_size=100)
    stream.receive_data(bytes.fromhex("0001 0001 0010 FFFF"))
    assert isinstance(stream.next_event(), WrapperError)


def test_stream_bad_version_breaks_the_stream_unless_quirk() -> None:
    raw = bytes.fromhex("0000 0001 0010 0002 6200")
    stream = WrapperStream()
    stream.receive_data(raw)
    event = stream.next_event()
    assert isinstance(event, WrapperError) and "version" in event.reason
    with pytest.raises(RemoteProtocolError):
        stream.next_event()
    lenient = WrapperStream(accept_any_version=True)
    lenient.receive_data(raw)
    ok = lenient.next_event()
    assert isinstance(ok, WrapperPduReceived) and ok.pdu.version == 0


def test_stream_send_matches_vector() -> None:
    # XDLMS-31: GET clock.time request from client 16 to server 1 (opendlms capture)
    raw = item_bytes("XDLMS", 31)
    stream = WrapperStream()
    assert stream.send(WPort.PUBLIC_CLIENT, 1, raw[8:]) == raw


@pytest.mark.parametrize("size", [0, 0x10000, -1])
def test_stream_rejects_bad_maximum(size: int) -> None:
    with pytest.raises(ValueError, match="max_apdu_size"):
        WrapperStream(max_apdu_size=size)


def test_stream_in_memory_peers() -> None:
    client, server = WrapperStream(), WrapperStream()
    server.receive_data(client.send(16, 1, b"\xc0\x01\xc1"))
    client.receive_data(server.send(1, 16, b"\xc4\x01\xc1\x00"))
    request = server.next_event()
    response = client.next_event()
    assert isinstance(request, WrapperPduReceived) and request.pdu.apdu == b"\xc0\x01\xc1"
    assert isinstance(response, WrapperPduReceived) and response.pdu.destination == 16


# -- properties ------------------------------------------------------------------------------

pdus = st.builds(
    WrapperPdu,
    source=st.integers(0, 0xFFFF),
    destination=st.integers(0, 0xFFFF),
    apdu=st.binary(min_size=1, max_size=300),
)


@given(pdus)
def test_round_trip(pdu: WrapperPdu) -> None:
    raw = pdu.encode()
    assert WrapperPdu.decode(raw) == pdu
    assert decode_datagram(raw) == pdu
    assert WrapperHeader.decode(raw[:8]) == pdu.header


@given(pdus, st.binary(min_size=1, max_size=8))
def test_datagram_with_trailing_bytes_fails(pdu: WrapperPdu, extra: bytes) -> None:
    raw = pdu.encode()
    with pytest.raises(DecodeError):
        decode_datagram(raw + extra)
    with pytest.raises(DecodeError):
        decode_datagram(raw[:-1])


@given(st.lists(pdus, max_size=8), st.data())
def test_stream_any_chunking(items: list[WrapperPdu], data: st.DataObject) -> None:
    wire = b"".join(p.encode() for p in items)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=10)))
    stream = WrapperStream()
    events: list[object] = []
    start = 0
    for cut in [*cuts, len(wire)]:
        stream.receive_data(wire[start:cut])
        events += drain(stream)
        start = cut
    assert [e.pdu for e in events if isinstance(e, WrapperPduReceived)] == items
    assert len(events) == len(items)
    assert stream.pending == 0


@given(st.binary(max_size=200))
def test_fuzz_datagram(data: bytes) -> None:
    try:
        pdu = decode_datagram(data, max_apdu_size=100)
    except DecodeError:
        return
    assert pdu.encode() == data


@given(st.lists(st.binary(max_size=40), max_size=10))
def test_fuzz_stream(chunks: list[bytes]) -> None:
    stream = WrapperStream(max_apdu_size=64)
    for chunk in chunks:
        try:
            stream.receive_data(chunk)
            for event in drain(stream):
                assert isinstance(event, WrapperPduReceived | WrapperError)
        except RemoteProtocolError:
            assert stream.broken
            return
        assert stream.pending < HEADER_SIZE + 64
