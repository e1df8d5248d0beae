"""Tests of :mod:`dlmskit.decoder` (``decode_dump``).

Every record of ``../shared/vectors/vectors.json`` is fed through the decoder (ids cited in
each test; sources and licences in the vectors README): the PUSH records decode to the
values their source project expects (``expected_from_source``), the ACSE/HDLC/XDLMS items
and SEC records decode to the APDUs their labels name, and the negative ones (PUSH-13 bad
FCS, PUSH-17 untagged layout without ``lenient``, flipped ciphertext bits, a wrong AK,
amshan's truncated and aborted HDLC frames) come back as failures with offset and reason.
The DSMR telegram inside a general-glo-ciphering is the ndokter/dsmr_parser DSMR 5 example
telegram (test/example_telegrams.py, TELEGRAM_V5), ciphered here with the Green Book keys
of SEC-02, as a Luxembourg "smarty" meter sends it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu import decode as decode_apdu
from dlmskit.apdu.acse import AARE, AARQ
from dlmskit.apdu.common import LongInvokeIdAndPriority
from dlmskit.apdu.get import GetRequestNormal, GetResponseNormal
from dlmskit.apdu.notification import DataNotification
from dlmskit.decoder import (
    DecodedFrame,
    DecodeFailure,
    decode_dump,
    push_keys,
)
from dlmskit.link.hdlc import FrameKind, HdlcAddress, HdlcFrame
from dlmskit.link.mbus import segment_apdu
from dlmskit.link.wrapper import WrapperPdu
from dlmskit.security.ciphering import Envelope, protect
from tests.test_p1 import TELEGRAM_V5
from tests.vectors import item, push_records, record

# --- helpers -------------------------------------------------------------------------


def _keys(rec: dict[str, Any], *, ak: bool = True) -> Any:
    if not rec.get("EK"):
        return None
    return push_keys(
        bytes.fromhex(rec["EK"]),
        bytes.fromhex(rec["AK"]) if ak and rec.get("AK") else None,
    )


def _input(rec: dict[str, Any]) -> str:
    return str(rec.get("raw") or rec["llc_pdu"])


def _one(results: list[DecodedFrame | DecodeFailure]) -> DecodedFrame:
    assert len(results) == 1, results
    frame = results[0]
    assert isinstance(frame, DecodedFrame), frame
    return frame


def _failure(results: list[DecodedFrame | DecodeFailure]) -> DecodeFailure:
    failures = [r for r in results if isinstance(r, DecodeFailure)]
    assert len(failures) == 1, results
    return failures[0]


def _check_expected(frame: DecodedFrame, expected: dict[str, Any]) -> None:
    """Each OBIS → value of the source project's test is in the frame: paired with its OBIS
    code, or — where the frame carries no code (dlms_parser names those 0.0.0.0.0.0 or by a
    positional pattern) — among the values listed in order."""
    by_obis = frame.by_obis()
    in_order = [str(v) for v in frame.in_order()]
    for code, value in expected.get("floats", {}).items():
        assert code in by_obis, (code, sorted(by_obis))
        assert Decimal(str(by_obis[code])) == Decimal(str(value)), (code, by_obis[code], value)
    for code, text in expected.get("strings", {}).items():
        if code in by_obis:
            assert str(by_obis[code]).startswith(text), (code, by_obis[code], text)
        else:
            assert any(v.startswith(text) for v in in_order), (code, text, in_order)


# --- PUSH records ----------------------------------------------------------------------

POSITIVE_PUSH = [r["id"] for r in push_records() if r["id"] not in ("PUSH-13", "PUSH-17")]


@pytest.mark.parametrize("rid", POSITIVE_PUSH)
def test_push_record_decodes_to_its_values(rid: str) -> None:
    # vectors.json PUSH-01..21 (sources in each record): transport, reassembly, deciphering
    rec = record(rid)
    frame = _one(decode_dump(_input(rec), keys=_keys(rec)))
    transport = str(rec.get("transport") or "LLC")
    assert frame.transport == {"M": "mbus", "H": "hdlc", "r": "apdu", "L": "llc"}[transport[0]]
    if transport.startswith(("HDLC x", "M-Bus x")):
        assert frame.frames == int(transport.rsplit("x", 1)[1])
    plain = rec.get("plain_apdu") or rec["llc_pdu"][6:]
    if rec.get("ciphered_apdu"):
        assert frame.envelope is not None
        assert frame.envelope.to_bytes().hex().upper() == rec["ciphered_apdu"]
        assert frame.plaintext is not None and frame.plaintext.hex().upper() == plain
    assert isinstance(frame.apdu, DataNotification)
    assert frame.apdu.to_bytes().hex().upper() == plain
    assert frame.apdu.long_invoke_id_and_priority.value == int(
        rec.get("long_invoke_id") or plain[2:10], 16
    )
    if "expected_from_source" in rec:
        _check_expected(frame, rec["expected_from_source"])


def test_push_02_scaler_and_unit_paired() -> None:
    # PUSH-02 (esphome-libs/dlms_parser mbus_netz_noe_p1): {OBIS, value, scaler_unit} flat
    rec = record("PUSH-02")
    frame = _one(decode_dump(_input(rec), keys=_keys(rec)))
    voltage = next(v for v in frame.values if str(v.obis) == "1.0.32.7.0.255")
    assert voltage.value == Decimal("233.7")
    assert voltage.unit == "V"
    assert voltage.name is not None and "oltage" in voltage.name
    assert isinstance(voltage.raw, axdr.LongUnsigned) and int(voltage.raw) == 2337
    energy = next(v for v in frame.values if str(v.obis) == "1.0.1.8.0.255")
    assert energy.unit == "Wh" and energy.value == 12937
    # the serial number has no OBIS code in this frame: listed in order, as text
    assert "181220000009" in frame.in_order()


def test_push_12_values_in_order() -> None:
    # PUSH-12 (dlms_parser hdlc_kaifa_ma304h3e): Kaifa list 2 is positional, no OBIS codes
    frame = _one(decode_dump(_input(record("PUSH-12"))))
    assert frame.by_obis() == {}
    values = frame.in_order()
    assert values[:3] == ["KFM_001", "6970631401753985", "MA304H3E"]
    assert values[3] == 0x3B4
    assert len(values) == 13


def test_push_19_and_21_positional_and_padding() -> None:
    # PUSH-19 (amshan test_kamstrup no_list_1_single_phase_real_sample): null-data padding
    frame = _one(decode_dump(_input(record("PUSH-19"))))
    asserts = record("PUSH-19")["expected_from_source_asserts"]
    by_obis = frame.by_obis()
    for code in ("1.1.0.0.5.255", "1.1.96.1.1.255"):
        assert by_obis[code] == asserts[code]
    for code in ("1.1.1.7.0.255", "1.1.4.7.0.255", "1.1.31.7.0.255", "1.1.32.7.0.255"):
        assert by_obis[code] == asserts[code]
    assert frame.in_order() == ["Kamstrup_V0001"]
    assert isinstance(frame.apdu, DataNotification)
    assert str(frame.apdu.datetime).startswith(asserts["datetime"])
    # PUSH-21 (amshan test_kaifa no_list_1): structure(1){ double-long-unsigned }
    assert _one(decode_dump(_input(record("PUSH-21")))).in_order() == [5852]


def test_push_13_bad_fcs_is_reported() -> None:
    # PUSH-13 (dlms_parser hdlc_landis_gyr_zmf100): FCS wrong on purpose
    raw = record("PUSH-13")["raw"]
    failure = _failure(decode_dump(raw))
    assert failure.offset == 0
    assert "FCS" in failure.reason
    assert failure.raw == bytes.fromhex(raw)
    # the next frame in the same dump still decodes
    good = record("PUSH-10")["raw"]
    results = decode_dump(raw + "\n" + good)
    assert isinstance(results[0], DecodeFailure) and results[0].line == 1
    assert isinstance(results[1], DecodedFrame) and results[1].line == 2
    assert results[1].offset == len(raw) // 2


def test_push_17_strict_fails_at_byte_18_lenient_decodes() -> None:
    # PUSH-17 (dlms_parser raw_sagemcom_xt211): untagged class/OBIS/attribute
    rec = record("PUSH-17")
    failure = _failure(decode_dump(rec["raw"]))
    assert "at byte 18" in failure.reason
    frame = _one(decode_dump(rec["raw"], lenient=True))
    assert any("lenient" in note for note in frame.notes)
    _check_expected(frame, rec["expected_from_source"])


@pytest.mark.parametrize("rid", ["PUSH-05", "PUSH-07", "PUSH-09"])
def test_tampered_or_wrong_key_fails_authentication(rid: str) -> None:
    # vectors README: any bit flipped in ciphertext, tag, SC or IC, or a wrong AK fails
    rec = record(rid)
    ciphered = bytes.fromhex(rec["ciphered_apdu"])
    flipped = bytearray(ciphered)
    flipped[-20] ^= 0x01
    failure = _failure(decode_dump(bytes(flipped).hex(), keys=_keys(rec)))
    assert failure.offset == 0
    assert "general-glo-ciphering" in failure.reason
    wrong = push_keys(bytes.fromhex(rec["EK"]), bytes(16))
    assert isinstance(decode_dump(ciphered.hex(), keys=wrong)[0], DecodeFailure)
    # with only the EK and verify_tag=False the content still deciphers
    frame = _one(decode_dump(ciphered.hex(), keys=_keys(rec, ak=False), verify_tag=False))
    assert frame.plaintext is not None and frame.plaintext.hex().upper() == rec["plain_apdu"]
    assert any("NOT verified" in note for note in frame.notes)


def test_ciphered_without_keys_shows_the_envelope() -> None:
    # PUSH-07 (dlms_parser hdlc_kamstrup_omnipower) without keys
    frame = _one(decode_dump(record("PUSH-07")["raw"]))
    assert frame.apdu is None and frame.values == ()
    assert frame.envelope is not None and frame.envelope.NAME == "general-glo-ciphering"
    assert any("no encryption key" in note for note in frame.notes)


# --- ACSE / HDLC / XDLMS tables and SEC records ----------------------------------------


@pytest.mark.parametrize(("table", "count"), [("ACSE", 18), ("XDLMS", 44)])
def test_every_table_item_decodes(table: str, count: int) -> None:
    # ACSE-01..18, XDLMS-01..44 (sources per item): bare APDUs or A-XDR Data
    assert len(record(table)["items"]) == count
    for number in range(1, count + 1):
        entry = item(table, number)
        results = decode_dump(entry["hex"])
        if (table, number) == ("XDLMS", 27):
            # the label: a UDP wrapper header alone (len 0x46, no APDU after it)
            assert "announces 70 APDU bytes, 0 present" in _failure(results).reason
            continue
        frame = _one(results)
        data = bytes.fromhex(entry["hex"])
        if frame.transport == "axdr":  # XDLMS-25/26/44: A-XDR Data without an APDU header
            assert entry["label"].startswith(("A-XDR Data", "[reassembled]")), entry["label"]
            assert frame.values
        else:
            assert frame.transport == ("wrapper" if data[:2] == b"\x00\x01" else "apdu")
            if frame.transport == "wrapper":  # XDLMS-29..43: captured over the TCP wrapper
                data = WrapperPdu.decode(data).apdu
            # a ciphered item without keys is shown as its envelope
            assert (frame.apdu or frame.envelope) == decode_apdu(data), entry["label"]


def test_every_hdlc_item_decodes() -> None:
    # HDLC-01..15: the decoded header fields listed in each item's `frames`
    for number in range(1, 16):
        entry = item("HDLC", number)
        results = decode_dump(entry["hex"])
        assert all(isinstance(r, DecodedFrame) for r in results), (number, results)
        frames = [r for r in results if isinstance(r, DecodedFrame)]
        expected = entry["frames"]
        assert sum(f.frames for f in frames) == len(expected.split(";")), number
        assert frames[0].link is not None
        assert frames[0].link.startswith("HDLC ")
        if any(info.startswith("E6E") for info in entry["info"]):
            # I/UI frames with an LLC header carry an APDU
            assert frames[-1].apdu is not None, number


def test_hdlc_06_segments_joined() -> None:
    # HDLC-06: 3 I-frames with the S bit set on the first two (7E7E between frames)
    frame = _one(decode_dump(item("HDLC", 6)["hex"]))
    assert frame.frames == 3
    assert isinstance(frame.apdu, GetResponseNormal)
    assert frame.values


@pytest.mark.parametrize(
    ("hex_text", "words"),
    [
        ("7EA00801020110377E", "cut off"),  # amshan tests/test_hdlc.py: too short
        ("7EA00C0102011027A00201E7DE7D7E", "does not end on a flag"),  # abort 7D 7E
    ],
)
def test_amshan_hdlc_input_to_discard(hex_text: str, words: str) -> None:
    # vectors README "HDLC input to discard" (toreamun/amshan tests/test_hdlc.py)
    results = decode_dump(hex_text)
    assert results and all(isinstance(r, DecodeFailure) for r in results)
    assert results[0].offset == 0


def test_sec_records() -> None:
    # SEC-02: glo-get-request; the system title is the sender's (not in the APDU)
    sec2 = record("SEC-02")
    keys = push_keys(
        bytes.fromhex(sec2["EK"]),
        bytes.fromhex(sec2["AK"]),
        system_title=bytes.fromhex(sec2["ST"]),
    )
    frame = _one(decode_dump(sec2["full_glo_get_request_apdu"], keys=keys))
    assert isinstance(frame.apdu, GetRequestNormal)
    assert frame.plaintext == bytes.fromhex(sec2["plaintext_apdu"])
    # without the system title the service-specific APDU cannot be opened: a failure
    no_title = push_keys(bytes.fromhex(sec2["EK"]), bytes.fromhex(sec2["AK"]))
    assert (
        "system title"
        in _failure(decode_dump(sec2["full_glo_get_request_apdu"], keys=no_title)).reason
    )
    # SEC-03/SEC-04: ciphered AARQ, glo-initiate-request/response, RLRQ/RLRE
    sec3 = record("SEC-03")
    assert isinstance(_one(decode_dump(sec3["aarq"])).apdu, AARQ)
    # with keys, the AARQ's ciphered user-information opens under its calling AP title
    green_book = push_keys(bytes.fromhex(sec3["EK"]), bytes.fromhex(sec3["AK"]))
    aarq = _one(decode_dump(sec3["aarq"], keys=green_book))
    assert aarq.inner == decode_apdu(bytes.fromhex(sec3["decrypted_initiate_request"]))
    frame = _one(decode_dump(sec3["glo_initiate_request"], keys=keys))
    assert frame.plaintext == bytes.fromhex(sec3["decrypted_initiate_request"])
    sec4 = record("SEC-04")
    frame = _one(decode_dump(sec4["rlre_glo_initiate_response"], keys=keys))
    assert frame.plaintext == bytes.fromhex(sec4["decrypted_initiate_response"])
    for field_name in (
        "rlrq",
        "rlre",
        "rlrq_plain",
        "rlre_plain",
        "rlre_with_plain_initiate_response",
    ):
        assert _one(decode_dump(sec4[field_name])).apdu is not None
    # SEC-04 note: the RLRE's glo-initiate-response uses the request's system title
    rlre = _one(decode_dump(sec4["rlre"], keys=keys))
    assert rlre.inner == decode_apdu(bytes.fromhex(sec4["decrypted_initiate_response"]))
    # SEC-01: the HLS5 pass 3/4 ACTION request/response
    sec1 = record("SEC-01")
    for field_name in ("pass3_action_request_example", "pass4_action_response_example"):
        assert _one(decode_dump(sec1[field_name])).apdu is not None
    # SEC-06: the vendor HLS2 AARQ/AARE
    sec6 = record("SEC-06")
    assert isinstance(_one(decode_dump(sec6["aarq"])).apdu, AARQ)
    assert isinstance(_one(decode_dump(sec6["aare"])).apdu, AARE)


# --- input forms --------------------------------------------------------------------


def test_sniffer_prefixes_separators_and_wrapped_lines() -> None:
    # PUSH-10 (dlms_parser hdlc_norway_han_1phase) as a sniffer would print it
    raw = record("PUSH-10")["raw"]
    spaced = " ".join(raw[i : i + 2] for i in range(0, len(raw), 2))
    coloned = ":".join(raw[i : i + 2] for i in range(0, len(raw), 2))
    hexed = ", ".join("0x" + raw[i : i + 2] for i in range(0, len(raw), 2))
    for text in (
        f"2024-05-01 12:00:00.123 RX: {spaced}",
        f"[12:00:01] <- {coloned}",
        f"12:00:01.5 TX {hexed}",
        f"rx> {raw.lower()}",
    ):
        frame = _one(decode_dump(text))
        assert frame.by_obis()["1.1.0.2.129.255"] == "AIDON_V0001", text
    # a frame wrapped at 16 bytes a line (a whole dump) still decodes as one frame
    wrapped = "\n".join(raw[i : i + 32] for i in range(0, len(raw), 32))
    frame = _one(decode_dump(wrapped))
    assert frame.line == 1 and frame.transport == "hdlc"


def test_a_bad_line_is_reported_and_the_rest_continue() -> None:
    # PUSH-15 (dlms_parser raw_salzburg_netz) and PUSH-10 around a line that is not hex
    good1, good2 = record("PUSH-15")["raw"], record("PUSH-10")["raw"]
    results = decode_dump(f"{good1}\nthis is not hex\n{good2}\nABC\n")
    kinds = [type(r).__name__ for r in results]
    assert kinds == ["DecodedFrame", "DecodeFailure", "DecodedFrame", "DecodeFailure"]
    assert isinstance(results[1], DecodeFailure) and results[1].line == 2
    assert "not hex" in results[1].reason
    assert isinstance(results[3], DecodeFailure) and "odd number" in results[3].reason
    # an APDU that does not decode: its offset in the dump, and the position inside it
    results = decode_dump(f"{good1}\n0F00000001\n")
    failure = _failure(results)
    assert failure.offset == len(good1) // 2 and failure.line == 2
    assert "byte" in failure.reason


def test_binary_input_and_other_transports() -> None:
    # PUSH-15's APDU over the wrapper, over M-Bus (EN 13757-2 long frames) and as raw bytes
    apdu = bytes.fromhex(record("PUSH-15")["raw"])
    wrapped = WrapperPdu(source=1, destination=16, apdu=apdu).encode()
    mbus = b"".join(
        f.encode() for f in segment_apdu(apdu, 100, c=0x53, a=0xFF, stsap=0x01, dtsap=0x67)
    )
    results = decode_dump(wrapped + mbus + b"\x7e\x7e")
    assert [r.transport for r in results if isinstance(r, DecodedFrame)] == ["wrapper", "mbus"]
    assert results[1].offset == len(wrapped)
    assert isinstance(results[1], DecodedFrame) and results[1].frames == -(-len(apdu) // 100)
    first = results[0]
    assert isinstance(first, DecodedFrame)
    assert first.by_obis() == results[1].by_obis()
    # an M-Bus frame with a bad checksum, then the incomplete APDU it leaves behind
    frames = [f.encode() for f in segment_apdu(apdu, 100, c=0x53, a=0xFF, stsap=1, dtsap=0x67)]
    bad = bytearray(frames[1])
    bad[-2] ^= 0xFF
    results = decode_dump(frames[0] + bytes(bad) + frames[2])
    assert all(isinstance(r, DecodeFailure) for r in results)
    assert "checksum" in results[1].reason  # type: ignore[union-attr]


def test_luxembourg_dsmr_telegram_inside_general_glo_ciphering() -> None:
    # As ndokter/dsmr_parser test/test_parse_msn.py builds a Luxembourg Smarty frame: the
    # telegram in a general-glo-ciphering (SC 0x30, system title "SYSTEMID", IC 10000001,
    # EK AA..AA) under the fixed Luxmetering authentication key 00112233..EEFF
    # (Luxmetering E-Meter P1 Specification v1.1.3, 3.2.5); the telegram is TELEGRAM_V5.
    ek, ak = bytes.fromhex("AA" * 16), bytes.fromhex("00112233445566778899AABBCCDDEEFF")
    envelope = protect(
        TELEGRAM_V5.encode("ascii"),
        envelope=Envelope.GENERAL_GLO,
        security_control=0x30,
        system_title=b"SYSTEMID",
        invocation_counter=0x10000001,
        encryption_key=ek,
        authentication_key=ak,
    )
    frame = _one(decode_dump(envelope.to_bytes().hex(), keys=push_keys(ek, ak)))
    assert frame.telegram is not None and frame.telegram.crc_ok is True
    values = {str(v.obis): (v.value, v.unit) for v in frame.values}
    assert values["1.0.1.8.1.255"] == (Decimal("4.426"), "kWh")
    assert values["0.1.24.2.1.255"] == (Decimal("0.107"), "m3")
    # the same telegram as plain text, and two of them in one log
    results = decode_dump(TELEGRAM_V5 + "\n" + TELEGRAM_V5)
    assert [r.transport for r in results if isinstance(r, DecodedFrame)] == ["p1", "p1"]
    broken = TELEGRAM_V5.replace("00004.426", "00004.427")
    failure = _failure(decode_dump(broken))
    assert "CRC" in failure.reason


@settings(max_examples=50, deadline=None)
@given(
    body=st.lists(st.integers(0, 0xFFFFFFFF), min_size=1, max_size=20),
    split=st.integers(8, 120),
)
def test_hdlc_segmented_push_round_trip(body: list[int], split: int) -> None:
    # any Data-Notification cut into HDLC UI segments comes back whole, with its values
    items: list[axdr.Value] = [
        axdr.OctetString(bytes([1, 0, 1, 8, 0, 255])),
        axdr.DoubleLongUnsigned(body[0]),
    ]
    items += [axdr.DoubleLongUnsigned(v) for v in body[1:]]
    note = DataNotification(
        long_invoke_id_and_priority=LongInvokeIdAndPriority(0x40000001),
        notification_body=axdr.Structure(items),
    )
    data = b"\xe6\xe7\x00" + note.to_bytes()
    parts = [data[i : i + split] for i in range(0, len(data), split)]
    frames = [
        HdlcFrame(
            destination=HdlcAddress.client(16),
            source=HdlcAddress.server(1, 17),
            kind=FrameKind.UI,
            poll_final=False,
            send_sequence=None,
            receive_sequence=None,
            segmented=index < len(parts) - 1,
            information=part,
        ).encode()
        for index, part in enumerate(parts)
    ]
    frame = _one(decode_dump(b"".join(frames)))
    assert frame.frames == len(frames)
    assert frame.by_obis() == {"1.0.1.8.0.255": body[0]}
    assert frame.in_order() == body[1:]


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="str or bytes"):
        decode_dump(12)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="16 or 32 bytes"):
        push_keys(bytes(5))


_FRAGMENTS = [
    bytes.fromhex(record("PUSH-10")["raw"]),
    bytes.fromhex(record("PUSH-05")["raw"]),
    bytes.fromhex(record("PUSH-02")["raw"]),
    bytes.fromhex(record("PUSH-15")["raw"]),
    bytes.fromhex("0001000100100012C401C100090C07D20C04030A"),
]


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.one_of(
            st.binary(max_size=40),
            st.sampled_from(_FRAGMENTS),
            st.tuples(st.sampled_from(_FRAGMENTS), st.integers(0, 400), st.integers(0, 255)),
        ),
        max_size=6,
    ),
    as_text=st.booleans(),
    lenient=st.booleans(),
)
def test_any_input_gives_results_never_an_exception(
    pieces: list[bytes | tuple[bytes, int, int]], as_text: bool, lenient: bool
) -> None:
    # garbage, real frames, real frames with one byte changed or cut: never an exception
    data = b""
    for piece in pieces:
        if isinstance(piece, tuple):
            frame, where, byte = piece
            changed = bytearray(frame)
            changed[where % len(frame)] = byte
            data += bytes(changed[: len(frame) - where % 7])
        else:
            data += piece
    keys = push_keys(bytes.fromhex(record("PUSH-05")["EK"]), bytes.fromhex(record("PUSH-05")["AK"]))
    source: str | bytes = data.hex() if as_text else data
    results = decode_dump(source, keys=keys, lenient=lenient)
    for result in results:
        assert isinstance(result, DecodedFrame | DecodeFailure)
        assert 0 <= result.offset <= len(data)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("0123456789ABCDEFx:/!()*-. \r\n\t[]RXT7E")), max_size=300
    )
)
def test_any_text_gives_results_never_an_exception(text: str) -> None:
    for result in decode_dump(text):
        assert isinstance(result, DecodedFrame | DecodeFailure)
        assert result.offset >= 0


def _wireshark(data: bytes) -> str:
    """Wireshark's "Copy as Hex Dump" layout: offset, 3 spaces, bytes, 3 spaces, ASCII."""
    lines = []
    for start in range(0, len(data), 16):
        chunk = data[start : start + 16]
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{start:04x}   {' '.join(f'{b:02x}' for b in chunk):<47}   {text}")
    return "\n".join(lines)


def _hexdump_c(data: bytes) -> str:
    """``hexdump -C``: 8-digit offset, two groups of 8 bytes, ``|ASCII|``, final length."""
    lines = []
    for start in range(0, len(data), 16):
        chunk = data[start : start + 16]
        left = " ".join(f"{b:02x}" for b in chunk[:8])
        right = " ".join(f"{b:02x}" for b in chunk[8:])
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{start:08x}  {left:<23}  {right:<23}  |{text}|")
    lines.append(f"{len(data):08x}")
    return "\n".join(lines)


def _xxd(data: bytes) -> str:
    """``xxd``: ``offset:``, groups of two bytes, two spaces, ASCII."""
    lines = []
    for start in range(0, len(data), 16):
        chunk = data[start : start + 16]
        groups = " ".join(chunk[i : i + 2].hex() for i in range(0, len(chunk), 2))
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{start:08x}: {groups:<39}  {text}")
    return "\n".join(lines)


@pytest.mark.parametrize("layout", [_wireshark, _hexdump_c, _xxd])
def test_hex_dump_layouts(layout: Any) -> None:
    # HDLC-06 (3 segmented I-frames) and PUSH-10 as a hex-dump tool prints them
    data = bytes.fromhex(item("HDLC", 6)["hex"])
    push = bytes.fromhex(record("PUSH-10")["raw"])
    results = decode_dump(layout(data) + "\n\n" + layout(push) + "\n")
    assert [type(r).__name__ for r in results] == ["DecodedFrame", "DecodedFrame"], results
    first, second = results
    assert isinstance(first, DecodedFrame) and first.frames == 3 and first.line == 1
    assert isinstance(second, DecodedFrame)
    assert second.by_obis()["1.1.0.2.129.255"] == "AIDON_V0001"


def test_p1_event_log_and_mbus_capture_time() -> None:
    # TELEGRAM_V4_2 (ndokter/dsmr_parser test/example_telegrams.py, Kaifa DSMR 4.2)
    from datetime import datetime, timedelta, timezone

    from tests.test_p1 import TELEGRAM_V4_2

    winter = timezone(timedelta(hours=1))
    frame = _one(decode_dump(TELEGRAM_V4_2))
    values = {str(v.obis): v for v in frame.values}
    log = values["1.0.99.97.0.255"]
    assert log.unit == "s" and log.name is not None and "failure" in log.name
    assert log.value[0] == [datetime(2000, 1, 4, 18, 3, 20, tzinfo=winter), 237126]
    assert len(log.value) == 3
    gas = values["0.1.24.2.1.255"]
    assert (gas.value, gas.unit) == (Decimal("981.443"), "m3")
    assert gas.captured == datetime(2016, 11, 29, 20, 0, tzinfo=winter)
    assert values["1.3.0.2.8.255"].name == "DSMR version"


# --- a whole ciphered association, both directions ------------------------------------


def test_whole_ded_ciphered_association_needs_only_the_global_keys() -> None:
    """A capture of an association with ded- ciphering (Green Book 9.2.7.2.4.3): the
    AARQ carries the client's dedicated key inside its ciphered InitiateRequest, and the
    glo-/ded- APDUs carry no system title. With only EK and AK the decoder takes each
    direction's title from the AARQ / AARE and the dedicated key from the deciphered
    AARQ, so every frame of both directions opens. The exchange is run by our client and
    server sessions (tests/session/_pair.py) over the wrapper."""
    from dlmskit.security.context import Policy
    from dlmskit.security.counters import MemoryCounterStore, OutgoingCounter
    from dlmskit.security.keys import SecurityKeys
    from dlmskit.security.mechanisms import MechanismId
    from dlmskit.session import (
        Associate,
        AssociationAccepted,
        AssociationConfig,
        ClientSettings,
        Get,
        GetResult,
        ServerSettings,
    )
    from tests.session._pair import Objects, Pair
    from tests.session.test_association import AK, CLIENT_ST, EK, REGISTER, SERVER_ST, key

    ded = Policy(envelope=Envelope.DED)
    client = ClientSettings(
        mechanism=MechanismId.LOW,
        secret=b"12345678",
        keys=SecurityKeys(system_title=CLIENT_ST, global_unicast_key=EK, authentication_key=AK),
        outgoing_counter=OutgoingCounter(MemoryCounterStore(), "c"),
        policy=ded,
        use_dedicated_key=True,
    )
    server = ServerSettings(
        associations={
            16: AssociationConfig(mechanism=MechanismId.LOW, secret=b"12345678", policy=ded)
        },
        keys=SecurityKeys(system_title=SERVER_ST, global_unicast_key=EK, authentication_key=AK),
        outgoing_counter=OutgoingCounter(MemoryCounterStore(), "s", initial=500),
    )
    objects = Objects(values={key(REGISTER): axdr.DoubleLongUnsigned(123456)})
    pair = Pair(client, server, transport="wrapper", objects=objects)
    pair.connect()
    assert isinstance(pair.call(Associate()), AssociationAccepted)
    for _ in range(2):
        assert isinstance(pair.call(Get(descriptor=REGISTER)), GetResult)
    tags = [apdu[0] for _, apdu in pair.apdus]
    assert tags == [0x60, 0x61, 0xD0, 0xD4, 0xD0, 0xD4]  # AARQ AARE ded-get-req/resp
    dump = "\n".join(
        WrapperPdu(source=16 if side == "c" else 1, destination=1 if side == "c" else 16, apdu=a)
        .encode()
        .hex()
        for side, a in pair.apdus
    )
    frames = [_one([r]) for r in decode_dump(dump, keys=push_keys(EK, AK))]
    assert isinstance(frames[0].apdu, AARQ) and any("dedicated key" in n for n in frames[0].notes)
    assert isinstance(frames[1].apdu, AARE)
    for request, response in (frames[2:4], frames[4:6]):
        assert isinstance(request.apdu, GetRequestNormal)
        assert isinstance(response.apdu, GetResponseNormal)
        assert response.apdu.result.value == 123456  # type: ignore[union-attr]
    # Without the AARQ / AARE (only the ded- frames) the same keys cannot open them: the
    # dedicated key and the titles are missing, and each failure says why.
    tail = "\n".join(dump.splitlines()[2:])
    failures = decode_dump(tail, keys=push_keys(EK, AK))
    assert all(isinstance(f, DecodeFailure) for f in failures)
