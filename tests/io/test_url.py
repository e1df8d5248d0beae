"""Connection strings (dlmskit.io.url): every scheme of issue 9, the serial line options
(customer ports run 2400 8E1 or 115200 8N1), the mode E flag, modem options, and a clear
ValueError naming the wrong part for every bad string."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit.io import open_transport, parse_url
from dlmskit.io.modem import ModemTransport
from dlmskit.io.serial import SerialTransport
from dlmskit.io.tcp import TcpTransport
from dlmskit.io.udp import UdpTransport
from dlmskit.io.url import ConnectionSpec


def test_network_schemes() -> None:
    wrapper = parse_url("tcp://meter.example:4059")
    assert (wrapper.scheme, wrapper.host, wrapper.port) == ("tcp", "meter.example", 4059)
    assert wrapper.framing == "wrapper" and not wrapper.datagram
    hdlc = parse_url("hdlc+tcp://10.0.0.7:10001")
    assert (hdlc.framing, hdlc.port) == ("hdlc", 10001)
    udp = parse_url("udp://[::1]:4059")
    assert (udp.host, udp.framing, udp.datagram) == ("::1", "wrapper", True)
    # 4059: the IANA port of DLMS/COSEM (IEC 62056-47), the default for the wrapper.
    assert parse_url("tcp://meter").port == 4059
    assert parse_url("udp://meter").port == 4059
    assert parse_url("TCP://meter:1").scheme == "tcp"


def test_serial_line_settings() -> None:
    default = parse_url("serial:///dev/ttyUSB0")
    assert (default.path, default.baud, default.parity, default.bytesize, default.stopbits) == (
        "/dev/ttyUSB0",
        9600,
        "N",
        8,
        1,
    )
    assert default.framing == "hdlc" and not default.mode_e
    customer = parse_url("serial:///dev/ttyS1?baud=2400&parity=e&bytesize=8&stopbits=1")
    assert (customer.baud, customer.parity, customer.bytesize) == (2400, "E", 8)
    fast = parse_url("serial:///dev/ttyS1?baud=115200&stopbits=2")
    assert (fast.baud, fast.stopbits) == (115200, 2)
    probe = parse_url("serial:///dev/ttyUSB0?baud=9600&mode-e&address=12345678")
    assert probe.mode_e and probe.address == "12345678"
    assert not parse_url("serial:///dev/ttyUSB0?mode-e=no").mode_e
    assert parse_url("serial:///dev/serial/by-id/usb-FTDI%20probe").path == (
        "/dev/serial/by-id/usb-FTDI probe"
    )


def test_modem_options() -> None:
    spec = parse_url(
        "modem:///dev/ttyACM0?number=0123456789&baud=19200&init=ATE0;AT%2BCBST=71,0,1"
        "&dial-timeout=90"
    )
    assert spec.scheme == "modem" and spec.framing == "hdlc"
    assert (spec.number, spec.baud, spec.dial_timeout) == ("0123456789", 19200, 90.0)
    assert spec.init == ("ATE0", "AT+CBST=71,0,1")
    assert str(spec) == "modem:///dev/ttyACM0"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("meter:4059", "not a connection string"),
        ("http://meter:80", "unknown scheme"),
        ("tcp://:4059", "host is missing"),
        ("tcp://meter:99999", "port"),
        ("tcp://meter:abc", "port"),
        ("hdlc+tcp://meter", "needs a port"),
        ("tcp://meter:4059/x", "no path"),
        ("udp://meter:4059?baud=9600", "no path or options"),
        ("serial://", "device path is missing"),
        ("serial:///dev/ttyUSB0?speed=9600", "unknown option"),
        ("serial:///dev/ttyUSB0?baud=fast", "baud='fast' is not a number"),
        ("serial:///dev/ttyUSB0?baud=0", "baud must be positive"),
        ("serial:///dev/ttyUSB0?parity=X", "parity must be N, E or O"),
        ("serial:///dev/ttyUSB0?bytesize=9", "bytesize must be one of"),
        ("serial:///dev/ttyUSB0?stopbits=3", "stopbits must be one of"),
        ("modem:///dev/ttyUSB0", "needs number"),
        ("modem:///dev/ttyUSB0?number=1&dial-timeout=soon", "dial-timeout"),
    ],
)
def test_bad_strings_name_the_wrong_part(url: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_url(url)


def test_not_a_string() -> None:
    with pytest.raises(ValueError, match="not a connection string"):
        parse_url(4059)  # type: ignore[arg-type]


def test_open_transport_by_scheme() -> None:
    assert isinstance(open_transport(parse_url("tcp://h:1")), TcpTransport)
    assert isinstance(open_transport(parse_url("hdlc+tcp://h:1")), TcpTransport)
    assert isinstance(open_transport(parse_url("udp://h:1")), UdpTransport)
    serial = open_transport(parse_url("serial:///dev/x?baud=2400&parity=E"))
    assert isinstance(serial, SerialTransport) and not isinstance(serial, ModemTransport)
    line = serial.settings
    assert (line.baud, line.parity, line.data_bits) == (2400, "E", 8)
    # IEC 62056-21 mode E: the sign-on runs at 300 baud 7E1, whatever the HDLC rate.
    probe = open_transport(parse_url("serial:///dev/x?baud=9600&mode-e"))
    assert isinstance(probe, SerialTransport)
    assert (probe.settings.baud, probe.settings.data_bits, probe.settings.parity) == (300, 7, "E")
    modem = open_transport(parse_url("modem:///dev/x?number=555"))
    assert isinstance(modem, ModemTransport) and modem.number == "555"


_host = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){0,2}", fullmatch=True)


@given(
    scheme=st.sampled_from(["tcp", "hdlc+tcp", "udp"]),
    host=_host,
    port=st.integers(1, 65535),
)
def test_network_round_trip(scheme: str, host: str, port: int) -> None:
    spec = parse_url(f"{scheme}://{host}:{port}")
    assert spec == ConnectionSpec(scheme=scheme, host=host, port=port)
    assert parse_url(str(spec)) == spec


@given(
    baud=st.integers(1, 4_000_000),
    parity=st.sampled_from("NEO"),
    bytesize=st.sampled_from([5, 6, 7, 8]),
    stopbits=st.sampled_from([1, 2]),
    mode_e=st.booleans(),
    device=st.from_regex(r"/dev/tty[A-Za-z0-9]{1,8}", fullmatch=True),
)
def test_serial_options_parse_to_what_was_written(  # noqa: PLR0917 - one per option
    baud: int, parity: str, bytesize: int, stopbits: int, mode_e: bool, device: str
) -> None:
    flag = "&mode-e" if mode_e else ""
    spec = parse_url(
        f"serial://{device}?baud={baud}&parity={parity}&bytesize={bytesize}"
        f"&stopbits={stopbits}{flag}"
    )
    assert spec == ConnectionSpec(
        scheme="serial",
        path=device,
        baud=baud,
        parity=parity,
        bytesize=bytesize,
        stopbits=stopbits,
        mode_e=mode_e,
    )
