"""``make demo``: decode a few real DLMS frames and print them readably.

The frames are public captures (their sources are named below). Until the APDU layer
exists, the demo splits the few APDU headers it shows by hand (Green Book 9.6 layouts)
and hands the ``Data`` to :mod:`dlmskit.axdr`; later versions start the meter simulator
and read it instead.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

from dlmskit import axdr
from dlmskit.cosem_time import CosemDateTime
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    title: str
    source: str
    hex: str


SAMPLES = (
    Sample(
        title="GET.response-normal: Clock 0.0.1.0.0.255 attribute 2 (time)",
        source="opendlms meter simulator capture (arabine/opendlms, MIT)",
        hex="C401C100090C07D20C04030A060BFF007800",
    ),
    Sample(
        title="GET.response-with-list: logical device name and clock",
        source="u9n/dlms-cosem test suite (MIT era), tests/test_xdlms/test_get.py",
        hex="C403C10200091049534B3130333037373737363433363600090C07E50603040E091700FFC400",
    ),
    Sample(
        title="DataNotification pushed on a Norwegian HAN port (Aidon, list 2)",
        source="esphome-libs/dlms_parser (Apache-2.0), tests/dumps/hdlc_norway_han_1phase.log",
        hex=(
            "0F40000000000109020209060101000281FF0A0B4149444F4E5F5630303031020209060000600100"
            "FF0A1037333539393932383930393431373432020209060000600107FF0A04363531350203090601"
            "00010700FF060000055202020F00161B020309060100020700FF060000000002020F00161B020309"
            "060100030700FF06000003E402020F00161D020309060100040700FF060000000002020F00161D02"
            "03090601001F0700FF10005D02020FFF1621020309060100200700FF1209C402020FFF1623"
        ),
    ),
    Sample(
        title="GET.response-with-datablock reassembled: the association's object_list",
        source="opendlms meter simulator capture, three blocks joined",
        hex=(
            "C401C10001030204120008110009060000010000FF0202010902030F0116010002030F021603000203"
            "0F0316030002030F0416010002030F0516030002030F0616030002030F0716030002030F08160300"
            "02030F091603000100020412000F110209060000280000FF0202010B02030F0116010002030F0216"
            "010002030F0316010002030F0416010002030F0516010002030F0616010002030F0716020002030F"
            "0816030002030F0916030002030F0A16010002030F0B160100010102020F01160102041200011100"
            "090600002A0000FF0202010202030F0116010002030F021601000100"
        ),
    ),
)


def _describe_apdu(apdu: bytes) -> tuple[str, list[tuple[str, axdr.Value]]]:
    """Split the handful of APDU kinds the samples use into a header line and values."""
    kind = apdu[:2]
    if kind == b"\xc4\x01":  # GET-response-normal: invoke-id, result choice 00 = data
        value = axdr.decode(apdu[4:]) if apdu[3] == 0 else None
        return f"get-response-normal, invoke-id-and-priority 0x{apdu[2]:02X}", [("data", value)]
    if kind == b"\xc4\x03":  # GET-response-with-list: count, then (choice, data)*
        count, pos = apdu[3], 4
        values: list[tuple[str, axdr.Value]] = []
        for index in range(count):
            if apdu[pos] != 0:
                raise DecodeError("data-access-result in the list", pos)
            value, pos = axdr.decode_prefix(apdu, pos + 1)
            values.append((f"result {index + 1}", value))
        return f"get-response-with-list, {count} results", values
    if apdu[0] == 0x0F:  # DataNotification: long-invoke-id, date-time (00 = absent), body
        # Long-Invoke-Id-And-Priority: invoke-id in bits 0-23, flags in bits 28-31.
        long_id = int.from_bytes(apdu[1:5], "big")
        invoke = f"{long_id & 0xFFFFFF} (flags 0x{long_id >> 24:02X})"
        pos = 6 if apdu[5] == 0 else 18
        stamp = "absent" if apdu[5] == 0 else str(CosemDateTime.from_bytes(apdu[6:18]))
        body = axdr.decode(apdu[pos:])
        return f"data-notification, long-invoke-id {invoke}, date-time {stamp}", [("body", body)]
    raise DecodeError(f"the demo does not know APDU tag 0x{apdu[0]:02X}", 0)


def run(out: TextIO = sys.stdout) -> int:
    out.write("dlmskit demo: decoding real DLMS/COSEM frames\n")
    for number, sample in enumerate(SAMPLES, 1):
        apdu = bytes.fromhex(sample.hex)
        out.write(f"\n[{number}] {sample.title}\n    source: {sample.source}\n")
        out.write(f"    {len(apdu)} bytes: {apdu[:24].hex(' ').upper()}")
        out.write(" ...\n" if len(apdu) > 24 else "\n")
        header, values = _describe_apdu(apdu)
        out.write(f"    {header}\n")
        for label, value in values:
            out.write(f"    {label}:\n")
            for line in axdr.dump(value).splitlines():
                out.write(f"      {line}\n")
            again = axdr.encode(value)
            if again not in apdu:
                raise AssertionError("re-encoding did not reproduce the frame")
    out.write("\nOBIS codes parse in every common notation:\n")
    for text in ("1.0.1.8.0.255", "1-0:1.8.0*255", "1-0:1.8.0"):
        out.write(f"    {text!r:18} -> {Obis.parse(text)!r}\n")
    out.write("\nEvery value above was re-encoded to the exact bytes it came from.\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
