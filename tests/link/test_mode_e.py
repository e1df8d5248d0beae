"""Tests of the IEC 62056-21 opening sequence and readout (``dlmskit.link.mode_e``).

Identification messages of real meters, each with its public source:

- ``/ISk5\\2MT382-1000`` Iskraemeco MT382, and ``/ISk5\\2MT382-1004``, ``/KFM5KAIFA-METER``
  (Kaifa), ``/ESY5Q3DB1024 V3.04`` (EasyMeter Q3D), ``/EST5\\253710000_A`` (Sagemcom
  T210-D-R): ndokter/dsmr_parser, test/example_telegrams.py (telegrams of those meters).
- ``/Els6\\2EK280`` Elster EK280: pwitab/iec62056-21, tests/test_data.py
  (TestIdentificationMessage).
- ``/LGZ4\\2ZMD3104100`` Landis+Gyr E650 (ZMD): Landis+Gyr E650 series user manual,
  section 5.7.1 "Readout to IEC 62056-21", log example
  (manualslib.com/manual/2203586, page 60).
- ``/LGZ0ZMF100AC.MXX`` Landis+Gyr E350 and its readout list: Landis+Gyr E350 series user
  manual, section 5.5.3, Fig. 5.7 (manualslib.com/manual/1577125, page 46).
- ``/LGZ4ZMF100AC.M23`` Landis+Gyr E350 and its readout: volkszaehler wiki, hardware/
  channels/meters/power/edl-ehz/landisgyr_e350 (sign-on ``/?!``, ``ACK 0 0 0``, 4800 max).

Data blocks with their BCC: pwitab/iec62056-21 tests/test_data.py (TestReadoutDataMessage,
BCC '"') and tests/test_bcc.py.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit.errors import DecodeError, EncodeError, LocalProtocolError, RemoteProtocolError
from dlmskit.link._events import NEED_DATA, LineSettings
from dlmskit.link.mode_e import (
    _TRANSITIONS,
    DrainThenSwitch,
    HdlcReady,
    Identification,
    ModeEClient,
    ModeEInput,
    ModeEServer,
    ModeEState,
    OptionSelected,
    Readout,
    ReadoutSent,
    ReadoutStarted,
    ReadoutValue,
    SetLine,
    SignOn,
    bcc,
    build_readout,
    parse_identification,
    parse_readout,
)
from dlmskit.obis import Obis

LINE_300 = LineSettings(baud=300, data_bits=7, parity="E", stop_bits=1)


def hdlc_line(baud: int) -> LineSettings:
    return LineSettings(baud=baud, data_bits=8, parity="N", stop_bits=1)


def readout_line(baud: int) -> LineSettings:
    return LineSettings(baud=baud, data_bits=7, parity="E", stop_bits=1)


def drain(machine: ModeEClient | ModeEServer) -> list[Any]:
    events: list[Any] = []
    while (event := machine.next_event()) is not NEED_DATA:
        events.append(event)
    return events


def with_parity(data: bytes) -> bytes:
    """The bytes as an 8N1 port sees a 7E1 line: the eighth bit is the even parity bit."""
    return bytes(b | (0x80 if bin(b).count("1") % 2 else 0) for b in data)


# (raw line, manufacturer, baud char, baud, mode, escape, identification, fast reaction)
REAL_IDENTIFICATIONS = [
    # ndokter/dsmr_parser test/example_telegrams.py (TELEGRAM_V3, TELEGRAM_V5)
    (b"/ISk5\\2MT382-1000\r\n", "ISk", "5", 9600, "E", "2", "MT382-1000", True),
    # ndokter/dsmr_parser test/example_telegrams.py (TELEGRAM_V2_2)
    (b"/ISk5\\2MT382-1004\r\n", "ISk", "5", 9600, "E", "2", "MT382-1004", True),
    # ndokter/dsmr_parser test/example_telegrams.py (TELEGRAM_V4_2, Kaifa)
    (b"/KFM5KAIFA-METER\r\n", "KFM", "5", 9600, "C", None, "KAIFA-METER", False),
    # ndokter/dsmr_parser test/example_telegrams.py (EasyMeter Q3D)
    (b"/ESY5Q3DB1024 V3.04\r\n", "ESY", "5", 9600, "C", None, "Q3DB1024 V3.04", False),
    # ndokter/dsmr_parser test/example_telegrams.py (Sagemcom T210-D-R)
    (b"/EST5\\253710000_A\r\n", "EST", "5", 9600, "E", "2", "53710000_A", False),
    # pwitab/iec62056-21 tests/test_data.py (Elster EK280)
    (b"/Els6\\2EK280\r\n", "Els", "6", 19200, "E", "2", "EK280", True),
    # Landis+Gyr E650 user manual 5.7.1, log example
    (b"/LGZ4\\2ZMD3104100\r\n", "LGZ", "4", 4800, "E", "2", "ZMD3104100", False),
    # Landis+Gyr E350 user manual 5.5.3, Fig. 5.7
    (b"/LGZ0ZMF100AC.MXX\r\n", "LGZ", "0", 300, "C", None, "ZMF100AC.MXX", False),
    # volkszaehler wiki, Landis+Gyr E350
    (b"/LGZ4ZMF100AC.M23\r\n", "LGZ", "4", 4800, "C", None, "ZMF100AC.M23", False),
]


@pytest.mark.parametrize("case", REAL_IDENTIFICATIONS, ids=lambda c: c[0].decode()[1:-2])
def test_real_identification_messages(case: tuple[Any, ...]) -> None:
    raw, manufacturer, baud_char, baud, mode, escape, ident, fast = case
    got = parse_identification(raw)
    assert (got.manufacturer, got.baud_char, got.baud, got.mode) == (
        manufacturer,
        baud_char,
        baud,
        mode,
    )
    assert got.escape == escape
    assert got.mode_e is (mode == "E")
    assert got.identification == ident
    assert got.fast_reaction is fast
    assert got.raw == raw
    assert got.encode() == raw
    assert parse_identification(with_parity(raw)) == Identification(
        **{**_fields(got), "raw": with_parity(raw)}
    )


def _fields(ident: Identification) -> dict[str, Any]:
    return {name: getattr(ident, name) for name in Identification.__dataclass_fields__}


@pytest.mark.parametrize("case", REAL_IDENTIFICATIONS, ids=lambda c: c[0].decode()[1:-2])
def test_client_against_real_identification(case: tuple[Any, ...]) -> None:
    """The client's answer to each real meter: ACK 2 Z 2 for mode E, ACK 0 Z 0 otherwise."""
    raw, _, baud_char, baud, mode, *_ = case
    client = ModeEClient()
    assert client.start() == b"/?!\r\n"
    assert drain(client) == [SetLine(settings=LINE_300)]
    client.receive_data(raw)
    events = drain(client)
    assert isinstance(events[0], Identification)
    if mode == "E":
        assert client.data_to_send() == b"\x062" + baud_char.encode() + b"2\r\n"
        assert events[1:] == [DrainThenSwitch(settings=hdlc_line(baud)), HdlcReady()]
        assert client.state is ModeEState.HDLC
    else:
        assert client.data_to_send() == b"\x060" + baud_char.encode() + b"0\r\n"
        assert events[1:] == [
            DrainThenSwitch(settings=readout_line(baud)),
            ReadoutStarted(mode="C"),
        ]
        assert client.state is ModeEState.READOUT


def test_handshake_in_memory_ends_with_switch_to_hdlc_in_order() -> None:
    client = ModeEClient("45678903")
    meter = ModeEServer("MT382-1000", "ISk", 9600, device_address="45678903")
    sign_on = client.start()
    assert sign_on == b"/?45678903!\r\n"  # pwitab/iec62056-21 TestRequestMessage
    assert drain(client) == [SetLine(settings=LINE_300)]
    meter.receive_data(sign_on)
    assert drain(meter) == [SignOn(device_address="45678903")]
    ident = meter.data_to_send()
    assert ident == b"/ISk5\\2MT382-1000\r\n"
    client.receive_data(ident)
    events = drain(client)
    assert [type(e) for e in events] == [Identification, DrainThenSwitch, HdlcReady]
    assert events[1] == DrainThenSwitch(settings=hdlc_line(9600))
    ack = client.data_to_send()
    assert ack == b"\x06252\r\n"
    snrm = b"\x7e\xa0\x07\x03\x21\x93\x0f\x01\x7e"
    meter.receive_data(ack + snrm)  # the client's first HDLC frame right behind the ACK
    assert drain(meter) == [
        OptionSelected(protocol_control="2", baud_char="5", mode_control="2"),
        DrainThenSwitch(settings=hdlc_line(9600)),
        HdlcReady(leftover=snrm),
    ]
    assert meter.line_settings == client.line_settings == hdlc_line(9600)
    with pytest.raises(LocalProtocolError):
        client.receive_data(b"\x7e")
    with pytest.raises(LocalProtocolError):
        meter.receive_data(b"\x7e")


def test_client_max_baud_lowers_the_rate() -> None:
    client = ModeEClient(max_baud=2400)
    client.start()
    client.receive_data(b"/LGZ4\\2ZMD3104100\r\n")
    events = drain(client)
    assert client.data_to_send() == b"\x06232\r\n"
    assert DrainThenSwitch(settings=hdlc_line(2400)) in events


def test_handshake_byte_at_a_time_with_parity_bits() -> None:
    client = ModeEClient()
    meter = ModeEServer("ZMD3104100", "LGZ", 4800)
    for byte in with_parity(client.start()):
        meter.receive_data(bytes([byte]))
    events: list[Any] = drain(client)
    assert drain(meter) == [SignOn(device_address="")]
    for byte in with_parity(meter.data_to_send()):
        assert meter.next_event() is NEED_DATA
        client.receive_data(bytes([byte]))
        events += drain(client)
    assert [type(e) for e in events] == [SetLine, Identification, DrainThenSwitch, HdlcReady]
    for byte in with_parity(client.data_to_send()):
        meter.receive_data(bytes([byte]))
        events += drain(meter)
    assert events[-2:] == [DrainThenSwitch(settings=hdlc_line(4800)), HdlcReady()]


def test_client_skips_echo_and_noise() -> None:
    client = ModeEClient()
    sign_on = client.start()
    client.receive_data(b"\x00\xff" + sign_on + b"/KFM5KAIFA-METER\r\n")
    events = drain(client)
    assert isinstance(events[1], Identification)
    assert events[1].manufacturer == "KFM"


# --- readout ---------------------------------------------------------------------------


E350_LINES = [
    # Landis+Gyr E350 user manual 5.5.3, Fig. 5.7 (the BCC is not shown there: computed)
    "F.F(00)",
    "C.1.1(0000000074892473)",
    "1.8.0(000065.3*kWh)",
    "2.8.0(000003.5*kWh)",
    "1.8.1(000021.5*kWh)",
    "1.8.2(00043.8*kWh)",
    "2.8.1(000001.5*kWh)",
    "2.8.2(00000.0*kWh)",
    "C.5.0(03)",
]


def block_of(lines: list[str]) -> bytes:
    inner = ("".join(f"{line}\r\n" for line in lines) + "!\r\n").encode() + b"\x03"
    return b"\x02" + inner + bytes([bcc(inner)])


def test_pwitab_readout_block_and_bcc() -> None:
    # pwitab/iec62056-21 tests/test_data.py TestReadoutDataMessage: BCC is '"'
    block = b'\x023:14(314*kWh)4:15(415*kWh)\r\n!\r\n\x03"'
    values = parse_readout(block)
    assert [(v.address, v.values, v.unit) for v in values] == [
        ("3:14", ("314",), "kWh"),
        ("4:15", ("415",), "kWh"),
    ]
    assert values[0].obis is None
    assert values[0].number == Decimal(314)
    with pytest.raises(DecodeError) as info:
        parse_readout(block[:-1] + b"x")  # the same test's bad BCC
    assert info.value.offset == len(block) - 1


def test_bcc_vectors() -> None:
    # pwitab/iec62056-21 tests/test_bcc.py
    data = bytes.fromhex("01573202433030332839313033323430393232333929031b")
    assert bcc(data[1:-1]) == data[-1]
    assert bcc(b"P0\x02(1234567)\x03") == ord("P")


def test_landis_gyr_e350_readout_through_the_client() -> None:
    client = ModeEClient()
    client.start()
    client.receive_data(with_parity(b"/LGZ0ZMF100AC.MXX\r\n"))
    events = drain(client)
    assert client.data_to_send() == b"\x06000\r\n"  # the manual's <ACK>0Z0 with Z = 0
    assert events[-2:] == [DrainThenSwitch(settings=readout_line(300)), ReadoutStarted(mode="C")]
    block = block_of(E350_LINES)
    for byte in with_parity(block):
        client.receive_data(bytes([byte]))
        events += drain(client)
    readout = events[-1]
    assert isinstance(readout, Readout)
    assert readout.raw == with_parity(block)
    by_address = {v.address: v for v in readout.values}
    assert by_address["1.8.0"].number == Decimal("65.3")
    assert by_address["1.8.0"].unit == "kWh"
    assert by_address["C.1.1"].value == "0000000074892473"
    assert by_address["C.1.1"].unit is None
    assert len(readout.values) == len(E350_LINES)
    assert client.state is ModeEState.DONE


def test_volkszaehler_e350_readout_values() -> None:
    # volkszaehler wiki, Landis+Gyr E350: values as logged, incl. a value with a trailing
    # space and an empty one
    values = parse_readout(
        block_of(["F.F(00)", "C.1.0(12314330)", "0.0(00188123 )", "C.1.1( )", "32.7(229*V)"])
    )
    assert values[2].value == "00188123 " and values[2].number is None
    assert values[3].value == " "
    assert values[4].number == Decimal(229) and values[4].unit == "V"


def test_obis_addresses_and_multiple_values() -> None:
    # Lines as in ndokter/dsmr_parser test/example_telegrams.py (EasyMeter, Kaifa)
    values = parse_readout(
        block_of(
            [
                "1-0:1.8.0*255(00052185.7825309*kWh)",
                "1-0:99.97.0(3)(0-0:96.7.19)(000104180320W)(0000237126*s)",
                "0-1:24.2.1(161129200000W)(00981.443*m3)",
                "",
                "1.8.0(001234.567*kWh)0.9.1(123456)",
            ]
        )
    )
    assert values[0].obis == Obis(1, 0, 1, 8, 0, 255)
    assert values[0].number == Decimal("52185.7825309")
    assert values[1].values == ("3", "0-0:96.7.19", "000104180320W", "0000237126")
    assert values[1].units == (None, None, None, "s")
    assert values[2].units == (None, "m3")
    assert values[3].obis is None and values[3].address == "1.8.0"
    assert values[4].address == "0.9.1" and values[4].number == Decimal(123456)


@pytest.mark.parametrize(
    ("block", "offset"),
    [
        (b"", 0),
        (b"1.8.0(1)\r\n!\r\n\x03\x00", 0),  # no STX
        (b"\x021.8.0(1)\r\n!\r\n", 14),  # no ETX
        (b"\x02!\r\n\x03", 5),  # no BCC
        (b"\x02!\r\n\x03\x03\x00", 6),  # trailing data
        (block_of(["1.8.0(1"]), 6),  # ')' missing
        (block_of(["1.8.0"]), 1),  # '(' missing
        (b"\x021.8.0(1)!\r\n\x03" + bytes([bcc(b"1.8.0(1)!\r\n\x03")]), 9),  # no CR LF before "!"
        (b"\x021.8.0(1)\r\n\x03" + bytes([bcc(b"1.8.0(1)\r\n\x03")]), 11),  # no '!'
    ],
)
def test_bad_blocks_name_the_offset(block: bytes, offset: int) -> None:
    with pytest.raises(DecodeError) as info:
        parse_readout(block)
    assert info.value.offset == offset


def test_client_bad_bcc_is_a_remote_protocol_error() -> None:
    client = ModeEClient(prefer_hdlc=False)
    client.start()
    client.receive_data(b"/KFM5KAIFA-METER\r\n")
    drain(client)
    block = block_of(["1.8.0(1*kWh)"])
    client.receive_data(block[:-1] + bytes([block[-1] ^ 1]))
    with pytest.raises(RemoteProtocolError, match="BCC"):
        client.next_event()
    with pytest.raises(RemoteProtocolError):  # stays failed
        client.next_event()
    with pytest.raises(RemoteProtocolError):
        client.receive_data(b"x")


def test_mode_c_readout_client_against_meter() -> None:
    values = [
        ReadoutValue(address="1-0:1.8.0*255", values=("001234.567",), units=("kWh",)),
        ReadoutValue(address="0.9.1", values=("123456",)),
        ReadoutValue(address="1.8.0", values=("12", "13"), units=("kWh", None)),
    ]
    client = ModeEClient(prefer_hdlc=False)
    meter = ModeEServer("ZMD3104100", "LGZ", 4800, readout=values)
    meter.receive_data(client.start())
    drain(meter)
    client.receive_data(meter.data_to_send())
    client_events = drain(client)
    assert client_events[-2:] == [
        DrainThenSwitch(settings=readout_line(4800)),
        ReadoutStarted(mode="E"),
    ]
    meter.receive_data(client.data_to_send())
    first = [meter.next_event(), meter.next_event()]
    assert first == [
        OptionSelected(protocol_control="0", baud_char="4", mode_control="0"),
        DrainThenSwitch(settings=readout_line(4800)),
    ]
    # nothing for the new rate is queued before the switch was taken
    assert meter.data_to_send() == b""
    sent = meter.next_event()
    assert isinstance(sent, ReadoutSent)
    assert meter.next_event() == DrainThenSwitch(settings=LINE_300)
    assert meter.state is ModeEState.IDLE
    block = meter.data_to_send()
    assert len(block) == sent.size
    client.receive_data(block)
    readout = drain(client)
    assert readout == [Readout(values=tuple(values), raw=block)]


def test_meter_ignores_other_addresses_and_answers_its_own() -> None:
    meter = ModeEServer("EK280", "Els", 19200, device_address="45678903")
    meter.receive_data(b"/?12345678!\r\n")
    assert drain(meter) == [] and meter.data_to_send() == b""
    meter.receive_data(b"/?0045678903!\r\n")
    assert drain(meter) == [SignOn(device_address="0045678903")]
    assert meter.data_to_send() == b"/Els6\\2EK280\r\n"
    meter.receive_data(b"/?!\r\n")  # the client started over: answered again
    assert drain(meter) == [SignOn(device_address="")]


@pytest.mark.parametrize(
    "ack",
    [b"\x06262\r\n", b"\x06151\r\n", b"\x06550\r\n", b"\x0625\x32\n\r", b"\x06292\r\n"],
)
def test_meter_refuses_bad_acknowledgements(ack: bytes) -> None:
    meter = ModeEServer("MT382-1000", "ISk", 9600)
    meter.receive_data(b"/?!\r\n")
    drain(meter)
    meter.receive_data(ack)
    with pytest.raises(RemoteProtocolError):
        drain(meter)


@pytest.mark.parametrize(
    "line",
    [
        b"/ISk7\\2MT382\r\n",  # reserved baud-rate character
        b"/IS5\\2MT382\r\n",  # two-letter manufacturer
        b"/ISk5\\2\r\n",  # empty identification
        b"/ISk5\\2MT382-1000-ABCDEFGH\r\n",  # longer than 16 characters
        b"/ISk5MT!82\r\n",  # forbidden character
        b"ISk5MT382\r\n",  # no '/'
    ],
)
def test_bad_identification_lines(line: bytes) -> None:
    with pytest.raises(DecodeError):
        parse_identification(line)


def test_identification_without_line_end_is_bounded() -> None:
    client = ModeEClient()
    client.start()
    assert isinstance(client.next_event(), SetLine)
    client.receive_data(b"/ISk5\\2MT382-1000-AND-MUCH-MORE-TEXT")
    with pytest.raises(RemoteProtocolError, match="without CR LF"):
        client.next_event()


def test_noise_without_message_start_is_bounded() -> None:
    client = ModeEClient()
    client.start()
    assert isinstance(client.next_event(), SetLine)
    client.receive_data(b"x" * 300)
    with pytest.raises(RemoteProtocolError):
        client.next_event()


def test_readout_is_bounded() -> None:
    client = ModeEClient(prefer_hdlc=False, max_readout=64)
    client.start()
    client.receive_data(b"/KFM5KAIFA-METER\r\n")
    drain(client)
    client.receive_data(b"\x02" + b"1.8.0(1)\r\n" * 10)
    with pytest.raises(RemoteProtocolError, match="longer than 64"):
        client.next_event()


def test_mode_a_and_b_meters_send_without_acknowledgement() -> None:
    client = ModeEClient()
    client.start()
    client.receive_data(b"/ABCEmeter\r\n")  # 'E' = 9600 baud, mode B
    assert drain(client)[-2:] == [
        DrainThenSwitch(settings=readout_line(9600)),
        ReadoutStarted(mode="B"),
    ]
    assert client.data_to_send() == b""
    client = ModeEClient()
    client.start()
    client.receive_data(b"/ABC:meter\r\n" + block_of(["1.8.0(1)"]))  # mode A, same rate
    events = drain(client)
    assert [type(e) for e in events] == [SetLine, Identification, ReadoutStarted, Readout]


def test_local_misuse() -> None:
    client = ModeEClient()
    with pytest.raises(LocalProtocolError):
        client.receive_data(b"/")
    client.start()
    with pytest.raises(LocalProtocolError):
        client.start()
    with pytest.raises(EncodeError):
        ModeEServer("bad/ident")
    with pytest.raises(EncodeError):
        ModeEServer("ok", manufacturer="AB")
    with pytest.raises(EncodeError):
        ModeEServer("ok", baud=115200)
    with pytest.raises(EncodeError):
        ModeEClient("x" * 33)
    with pytest.raises(ValueError, match="max_baud"):
        ModeEClient(max_baud=1000)


def test_every_table_pair() -> None:
    """Every (role, state, input) pair: in the table it moves as listed; else the error."""
    for (role, state, what), nxt in _TRANSITIONS.items():
        assert role in ("client", "server")
        assert isinstance(state, ModeEState) and isinstance(what, ModeEInput)
        assert isinstance(nxt, ModeEState)
    for role, machine_type in (("client", ModeEClient), ("server", ModeEServer)):
        for state in ModeEState:
            for what in ModeEInput:
                machine: ModeEClient | ModeEServer = (
                    ModeEClient() if machine_type is ModeEClient else ModeEServer("X")
                )
                machine._state = state
                expected = _TRANSITIONS.get((role, state, what))
                if expected is not None:
                    machine._transition(what)
                    assert machine.state is expected
                elif what in (ModeEInput.START, ModeEInput.RECEIVE, ModeEInput.SEND_BLOCK):
                    with pytest.raises(LocalProtocolError):
                        machine._transition(what)
                else:
                    with pytest.raises(RemoteProtocolError):
                        machine._transition(what)
                    assert machine.state is ModeEState.FAILED


# --- properties and fuzz ---------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="()/!*"),
    max_size=12,
)
_ADDRESS = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="()/!"),
    max_size=16,
)


@st.composite
def readout_values(draw: st.DrawFn) -> ReadoutValue:
    n = draw(st.integers(1, 4))
    values = tuple(draw(_TEXT) for _ in range(n))
    units = tuple(draw(st.none() | _TEXT) for _ in range(n))
    return ReadoutValue(address=draw(_ADDRESS), values=values, units=units)


@given(st.lists(readout_values(), max_size=8))
def test_build_parse_round_trip(values: list[ReadoutValue]) -> None:
    block = build_readout(values)
    assert parse_readout(block) == values
    assert parse_readout(with_parity(block)) == values


@given(st.lists(readout_values(), max_size=4), st.data())
def test_flipped_bcc_or_byte_is_detected(values: list[ReadoutValue], data: st.DataObject) -> None:
    block = bytearray(build_readout(values))
    at = data.draw(st.integers(1, len(block) - 1))
    block[at] ^= data.draw(st.integers(1, 0x7F))
    with pytest.raises(DecodeError):
        parse_readout(bytes(block))


@settings(max_examples=300)
@given(st.binary(max_size=200), st.booleans())
def test_fuzz_client(data: bytes, prefer_hdlc: bool) -> None:
    client = ModeEClient(prefer_hdlc=prefer_hdlc, max_readout=128)
    client.start()
    try:
        for chunk in (data[: len(data) // 2], data[len(data) // 2 :]):
            if client.state in (ModeEState.HDLC, ModeEState.DONE):
                break
            client.receive_data(chunk)
            drain(client)
    except (DecodeError, RemoteProtocolError):
        pass


@settings(max_examples=300)
@given(st.binary(max_size=200))
def test_fuzz_server(data: bytes) -> None:
    meter = ModeEServer("FUZZ", readout=[ReadoutValue(address="1.8.0", values=("1",))])
    try:
        for chunk in (b"/?!\r\n", data):
            if meter.state is ModeEState.HDLC:
                break
            meter.receive_data(chunk)
            drain(meter)
    except (DecodeError, RemoteProtocolError):
        pass


@given(st.binary(max_size=100))
def test_fuzz_parsers(data: bytes) -> None:
    for parse in (parse_readout, parse_identification):
        with contextlib.suppress(DecodeError):
            parse(data)
