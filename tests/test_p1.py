"""Tests of :mod:`dlmskit.p1` (DSMR P1 telegrams and IEC 62056-21 readouts).

Telegrams: ndokter/dsmr_parser ``test/example_telegrams.py`` (TELEGRAM_V2_2, TELEGRAM_V3,
TELEGRAM_V4_2 with CRC 6796, TELEGRAM_V5 with CRC 6EEE, commit 09f4afca — sample data of
Iskraemeco and Kaifa meters, MIT licensed project; used as facts only).
CRC-16/ARC check value 0xBB3D for
"123456789": the CRC RevEng catalogue (reveng.sourceforge.io/crc-catalogue, CRC-16/ARC).
IEC 62056-21 readout: pwitab/iec62056-21 tests/test_data.py (TestReadoutDataMessage, BCC
'"'), as in tests/link/test_mode_e.py, behind the identification ``/LGZ4ZMF100AC.M23``
(volkszaehler wiki, Landis+Gyr E350).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit.errors import DecodeError
from dlmskit.obis import Obis
from dlmskit.p1 import crc16, find_telegrams, parse_telegram, parse_timestamp

TELEGRAM_V2_2 = (
    "/ISk5\\2MT382-1004\r\n"
    "\r\n"
    "0-0:96.1.1(00000000000000)\r\n"
    "1-0:1.8.1(00001.001*kWh)\r\n"
    "1-0:1.8.2(00001.001*kWh)\r\n"
    "1-0:2.8.1(00001.001*kWh)\r\n"
    "1-0:2.8.2(00001.001*kWh)\r\n"
    "0-0:96.14.0(0001)\r\n"
    "1-0:1.7.0(0001.01*kW)\r\n"
    "1-0:2.7.0(0000.00*kW)\r\n"
    "0-0:17.0.0(0999.00*kW)\r\n"
    "0-0:96.3.10(1)\r\n"
    "0-0:96.13.1()\r\n"
    "0-0:96.13.0()\r\n"
    "0-1:24.1.0(3)\r\n"
    "0-1:96.1.0(000000000000)\r\n"
    "0-1:24.3.0(161107190000)(00)(60)(1)(0-1:24.2.1)(m3)\r\n"
    "(00001.001)\r\n"
    "0-1:24.4.0(1)\r\n"
    "!\r\n"
)

TELEGRAM_V3 = (
    "/ISk5\\2MT382-1000\r\n"
    "\r\n"
    "0-0:96.1.1(4B384547303034303436333935353037)\r\n"
    "1-0:1.8.1(12345.678*kWh)\r\n"
    "1-0:1.8.2(12345.678*kWh)\r\n"
    "1-0:2.8.1(12345.678*kWh)\r\n"
    "1-0:2.8.2(12345.678*kWh)\r\n"
    "0-0:96.14.0(0002)\r\n"
    "1-0:1.7.0(001.19*kW)\r\n"
    "1-0:2.7.0(000.00*kW)\r\n"
    "0-0:17.0.0(016*A)\r\n"
    "0-0:96.3.10(1)\r\n"
    "0-0:96.13.1(303132333435363738)\r\n"
    "0-0:96.13.0(303132333435363738393A3B3C3D3E3F303132333435363738393A3B3C3D3E"
    "3F303132333435363738393A3B3C3D3E3F303132333435363738393A3B3C3D3E3F30313233"
    "3435363738393A3B3C3D3E3F)\r\n"
    "0-1:96.1.0(3232323241424344313233343536373839)\r\n"
    "0-1:24.1.0(03)\r\n"
    "0-1:24.3.0(090212160000)(00)(60)(1)(0-1:24.2.1)(m3)\r\n"
    "(00001.001)\r\n"
    "0-1:24.4.0(1)\r\n"
    "!\r\n"
)

TELEGRAM_V4_2 = (
    "/KFM5KAIFA-METER\r\n"
    "\r\n"
    "1-3:0.2.8(42)\r\n"
    "0-0:1.0.0(161113205757W)\r\n"
    "0-0:96.1.1(3960221976967177082151037881335713)\r\n"
    "1-0:1.8.1(001581.123*kWh)\r\n"
    "1-0:1.8.2(001435.706*kWh)\r\n"
    "1-0:2.8.1(000000.000*kWh)\r\n"
    "1-0:2.8.2(000000.000*kWh)\r\n"
    "0-0:96.14.0(0002)\r\n"
    "1-0:1.7.0(02.027*kW)\r\n"
    "1-0:2.7.0(00.000*kW)\r\n"
    "0-0:96.7.21(00015)\r\n"
    "0-0:96.7.9(00007)\r\n"
    "1-0:99.97.0(3)(0-0:96.7.19)(000104180320W)(0000237126*s)(000101000001W)"
    "(2147583646*s)(000102000003W)(2317482647*s)\r\n"
    "1-0:32.32.0(00000)\r\n"
    "1-0:52.32.0(00000)\r\n"
    "1-0:72.32.0(00000)\r\n"
    "1-0:32.36.0(00000)\r\n"
    "1-0:52.36.0(00000)\r\n"
    "1-0:72.36.0(00000)\r\n"
    "0-0:96.13.1()\r\n"
    "0-0:96.13.0()\r\n"
    "1-0:31.7.0(000*A)\r\n"
    "1-0:51.7.0(006*A)\r\n"
    "1-0:71.7.0(002*A)\r\n"
    "1-0:21.7.0(00.170*kW)\r\n"
    "1-0:22.7.0(00.000*kW)\r\n"
    "1-0:41.7.0(01.247*kW)\r\n"
    "1-0:42.7.0(00.000*kW)\r\n"
    "1-0:61.7.0(00.209*kW)\r\n"
    "1-0:62.7.0(00.000*kW)\r\n"
    "0-1:24.1.0(003)\r\n"
    "0-1:96.1.0(4819243993373755377509728609491464)\r\n"
    "0-1:24.2.1(161129200000W)(00981.443*m3)\r\n"
    "!6796\r\n"
)

TELEGRAM_V5 = (
    "/ISk5\\2MT382-1000\r\n"
    "\r\n"
    "1-3:0.2.8(50)\r\n"
    "0-0:1.0.0(170102192002W)\r\n"
    "0-0:96.1.1(4B384547303034303436333935353037)\r\n"
    "1-0:1.8.1(000004.426*kWh)\r\n"
    "1-0:1.8.2(000002.399*kWh)\r\n"
    "1-0:2.8.1(000002.444*kWh)\r\n"
    "1-0:2.8.2(000000.000*kWh)\r\n"
    "0-0:96.14.0(0002)\r\n"
    "1-0:1.7.0(00.244*kW)\r\n"
    "1-0:2.7.0(00.000*kW)\r\n"
    "0-0:96.7.21(00013)\r\n"
    "0-0:96.7.9(00000)\r\n"
    "1-0:99.97.0(0)(0-0:96.7.19)\r\n"
    "1-0:32.32.0(00000)\r\n"
    "1-0:52.32.0(00000)\r\n"
    "1-0:72.32.0(00000)\r\n"
    "1-0:32.36.0(00000)\r\n"
    "1-0:52.36.0(00000)\r\n"
    "1-0:72.36.0(00000)\r\n"
    "0-0:96.13.0()\r\n"
    "1-0:32.7.0(0230.0*V)\r\n"
    "1-0:52.7.0(0230.0*V)\r\n"
    "1-0:72.7.0(0229.0*V)\r\n"
    "1-0:31.7.0(0.48*A)\r\n"
    "1-0:51.7.0(0.44*A)\r\n"
    "1-0:71.7.0(0.86*A)\r\n"
    "1-0:21.7.0(00.070*kW)\r\n"
    "1-0:41.7.0(00.032*kW)\r\n"
    "1-0:61.7.0(00.142*kW)\r\n"
    "1-0:22.7.0(00.000*kW)\r\n"
    "1-0:42.7.0(00.000*kW)\r\n"
    "1-0:62.7.0(00.000*kW)\r\n"
    "0-1:24.1.0(003)\r\n"
    "0-1:96.1.0(3232323241424344313233343536373839)\r\n"
    "0-1:24.2.1(170102161005W)(00000.107*m3)\r\n"
    "0-2:24.1.0(003)\r\n"
    "0-2:96.1.0()\r\n"
    "!6EEE\r\n"
)

# The source writes the Iskraemeco header as '/ISk5\\2MT382-1000' (a backslash and a "2"
# on the wire, as the meter's manufacturer code "\2" is printed); its CRC 6EEE covers them.

WINTER = timezone(timedelta(hours=1))


def test_crc16_arc_check_value() -> None:
    assert crc16(b"123456789") == 0xBB3D
    assert crc16(b"") == 0


@pytest.mark.parametrize(("telegram", "crc"), [(TELEGRAM_V4_2, 0x6796), (TELEGRAM_V5, 0x6EEE)])
def test_dsmr4_and_5_crc_checked(telegram: str, crc: int) -> None:
    parsed = parse_telegram(telegram)
    assert parsed.crc == crc and parsed.crc_ok is True
    # one changed digit: the CRC no longer matches, reported at the CRC's offset
    broken = telegram.replace("(0002)", "(0001)")
    with pytest.raises(DecodeError, match="CRC") as info:
        parse_telegram(broken)
    assert info.value.offset == broken.index("!") + 1
    relaxed = parse_telegram(broken, check_crc=False)
    assert relaxed.crc_ok is False


def test_dsmr5_values_units_and_mbus_channel() -> None:
    telegram = parse_telegram(TELEGRAM_V5.encode("ascii"))
    assert telegram.identification == "ISk5\\2MT382-1000"
    assert telegram.version == "50"
    values = telegram.values()
    assert values["1-0:1.8.1"] == Decimal("4.426")
    assert values["1-0:32.7.0"] == Decimal("230.0")
    assert values["0-0:96.1.1"] == "4B384547303034303436333935353037"  # an id, not a number
    assert values["0-0:96.14.0"] == "0002"  # tariff indicator: text
    assert values["0-0:1.0.0"] == datetime(2017, 1, 2, 19, 20, 2, tzinfo=WINTER)
    gas = telegram.get("0-1:24.2.1")
    assert gas is not None
    assert gas.obis == Obis(0, 1, 24, 2, 1, 255)
    assert gas.value == Decimal("0.107") and gas.unit == "m3"
    assert gas.timestamp == datetime(2017, 1, 2, 16, 10, 5, tzinfo=WINTER)
    assert telegram.get(Obis(1, 0, 31, 7, 0)) is not None
    assert values["0-2:96.1.0"] == ""
    # the empty power failure log
    log = telegram.get("1-0:99.97.0")
    assert log is not None and log.events() == []


def test_dsmr4_power_failure_log() -> None:
    log = parse_telegram(TELEGRAM_V4_2).get("1-0:99.97.0")
    assert log is not None
    events = log.events()
    assert len(events) == 3
    assert events[0][0] == datetime(2000, 1, 4, 18, 3, 20, tzinfo=WINTER)
    assert events[0][1].number == 237126 and events[0][1].unit == "s"
    assert events[2][1].number == 2317482647


@pytest.mark.parametrize("telegram", [TELEGRAM_V2_2, TELEGRAM_V3])
def test_dsmr22_and_3_gas_on_the_next_line_no_crc(telegram: str) -> None:
    parsed = parse_telegram(telegram)
    assert parsed.crc is None and parsed.crc_ok is None
    gas = parsed.get("0-1:24.3.0")
    assert gas is not None
    assert gas.value == Decimal("1.001") and gas.unit == "m3"
    assert parsed.values()["1-0:1.8.1"] in (Decimal("1.001"), Decimal("12345.678"))


def test_iec_62056_21_readout() -> None:
    block = b'\x023:14(314*kWh)4:15(415*kWh)\r\n!\r\n\x03"'
    readout = parse_telegram(b"/LGZ4ZMF100AC.M23\r\n" + block)
    assert readout.kind == "iec62056-21"
    assert readout.identification == "LGZ4ZMF100AC.M23"
    assert readout.values() == {"3:14": Decimal(314), "4:15": Decimal(415)}
    with pytest.raises(DecodeError, match="BCC") as info:
        parse_telegram(b"/LGZ4ZMF100AC.M23\r\n" + block[:-1] + b"x")
    assert info.value.offset == len(b"/LGZ4ZMF100AC.M23\r\n" + block) - 1


@pytest.mark.parametrize(
    ("text", "words", "offset"),
    [
        ("", "no telegram start", 0),
        ("junk/ABC5x\r\n!\r\n", "before the telegram", 0),
        ("/ABC5x", "without line end", 6),
        ("/ABC5x\r\n1-0:1.8.1(1*kWh)\r\n", "without the end line", 26),
        ("/ABC5x\r\n1-0:1.8.1(1*kWh\r\n!\r\n", "without ')'", 17),
        ("/ABC5x\r\n1-0:1.8.1\r\n!\r\n", "no address(value)", 8),
        ("/ABC5x\r\n(1)\r\n!\r\n", "continuation line", 8),
        ("/ABC5x\r\n!\r\nmore", "after the telegram", 11),
        ("/ABC5x\r\n1-0:1.8.1(1)x\r\n!\r\n", "expected '('", 20),
    ],
)
def test_errors_have_offsets(text: str, words: str, offset: int) -> None:
    with pytest.raises(DecodeError, match=re.escape(words)) as info:
        parse_telegram(text)
    assert info.value.offset == offset


def test_find_telegrams_in_a_log() -> None:
    log = "boot\n" + TELEGRAM_V5 + "noise\n" + TELEGRAM_V4_2.replace("(0002)", "(0003)")
    found = find_telegrams(log)
    assert [offset for offset, _ in found] == [
        5,
        5 + len(TELEGRAM_V5) + 6 + TELEGRAM_V4_2.index("!") + 1,
    ]
    assert found[0][1].crc_ok is True  # type: ignore[union-attr]
    assert isinstance(found[1][1], DecodeError)


def test_timestamps() -> None:
    assert parse_timestamp("170102192002S") == datetime(
        2017, 1, 2, 19, 20, 2, tzinfo=timezone(timedelta(hours=2))
    )
    assert parse_timestamp("170102192002") == datetime(2017, 1, 2, 19, 20, 2)
    assert parse_timestamp("171302192002W") is None  # month 13
    assert parse_timestamp("0002") is None


_VALUE = st.from_regex(r"[0-9]{1,6}\.[0-9]{3}", fullmatch=True)


@settings(max_examples=50, deadline=None)
@given(
    readings=st.lists(
        st.tuples(st.integers(1, 99), st.integers(0, 9), _VALUE), min_size=1, max_size=15
    )
)
def test_generated_telegram_round_trip(readings: list[tuple[int, int, str]]) -> None:
    # a telegram written with its CRC16 parses back to the same values
    lines = {f"1-0:{c}.8.{t}": v for c, t, v in readings}
    body = "/XYZ5test\r\n\r\n" + "".join(f"{a}({v}*kWh)\r\n" for a, v in lines.items()) + "!"
    text = f"{body}{crc16(body.encode()):04X}\r\n"
    telegram = parse_telegram(text)
    assert telegram.crc_ok is True
    assert telegram.values() == {a: Decimal(v) for a, v in lines.items()}
    assert all(line.unit == "kWh" for line in telegram.lines)


def test_e350_readout_of_the_mode_e_tests() -> None:
    # tests/link/test_mode_e.py E350_LINES (Landis+Gyr E350 user manual 5.5.3, Fig. 5.7)
    # behind its identification /LGZ0ZMF100AC.MXX (same manual), BCC computed there
    from tests.link.test_mode_e import E350_LINES, block_of

    readout = parse_telegram(b"/LGZ0ZMF100AC.MXX\r\n" + block_of(E350_LINES))
    assert readout.kind == "iec62056-21"
    values = readout.values()
    assert list(values) == [line.split("(")[0] for line in E350_LINES]
    assert values["1.8.0"] == Decimal("65.3")
    assert readout.get("1.8.0").unit == "kWh"  # type: ignore[union-attr]
    assert values["C.1.1"] == "0000000074892473"  # 16 digits: an id, not a number
