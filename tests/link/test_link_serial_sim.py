"""The serial-line simulator of bench/link_serial.py (issue 9, Performance, third point).

Checks the accounting (a transmission of n bytes takes n × 10 / 9600 s at 9,600 baud 8N1;
20 ms turnaround once per direction change) and that the GET of the 26,008-byte profile
arrives byte-exact through the HDLC link pair. No wall-clock timing is asserted: the
figures are virtual seconds, fully determined by the bytes exchanged.
"""

from __future__ import annotations

import pytest
from bench.link_serial import (
    GET_REQUEST,
    SerialLine,
    get_response,
    profile_value,
    run,
)


def test_a_frame_of_n_bytes_takes_n_times_ten_bits_at_9600_baud() -> None:
    line = SerialLine()
    assert line.transmit("c>s", bytes(96)) == pytest.approx(96 * 10 / 9600)  # 0.1 s
    assert line.transmit("c>s", bytes(960)) == pytest.approx(1.1)  # no turnaround
    assert line.turnarounds == 0
    assert line.bytes_sent == 1056


def test_turnaround_added_once_per_direction_change() -> None:
    line = SerialLine()
    line.transmit("c>s", bytes(10))
    line.transmit("s>c", bytes(10))
    line.transmit("s>c", bytes(10))
    line.transmit("c>s", bytes(10))
    assert line.turnarounds == 2
    assert line.now == pytest.approx(40 * 10 / 9600 + 2 * 0.020)


def test_profile_is_the_issue_size() -> None:
    # array[1000] of structure{octet-string(12), u32, u32}: 2 + 1000 × 26 bytes of A-XDR
    assert len(profile_value()) == 26_004
    assert len(get_response(0xC1, profile_value())) == 26_008


@pytest.mark.parametrize(("max_info", "window"), [(2030, 7), (128, 1), (128, 7), (512, 3)])
def test_transfer_completes_byte_exact(max_info: int, window: int) -> None:
    result = run(max_info, window)
    assert result.response == get_response(0xC1, profile_value())
    assert result.line_rate == pytest.approx(26_008 * 10 / 9600)
    # the line cannot beat its own rate; the frames' overhead and turnarounds cost more
    assert result.seconds > result.line_rate


def test_larger_fields_and_windows_need_fewer_turnarounds() -> None:
    big, small = run(2030, 7), run(128, 1)
    assert big.frames < small.frames
    assert big.seconds < small.seconds


def test_request_is_a_get_normal_of_the_profile_buffer() -> None:
    # C0 01 invoke C1, class 7, OBIS 1.0.99.1.0.255, attribute 2, no selective access
    assert GET_REQUEST[:3] == b"\xc0\x01\xc1"
    assert GET_REQUEST[3:5] == b"\x00\x07"
    assert GET_REQUEST[5:11] == bytes((1, 0, 99, 1, 0, 255))
