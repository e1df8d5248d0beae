"""Tests of ``dlmskit decode`` (click's CliRunner, and once as a real subprocess).

Frames: vectors.json PUSH-05 (esphome-libs/dlms_parser hdlc_landis_gyr_e450, 3 HDLC frames,
GBT, general-glo-ciphering with EK+AK), PUSH-10 (dlms_parser hdlc_norway_han_1phase,
plaintext), PUSH-13 (dlms_parser hdlc_landis_gyr_zmf100, bad FCS on purpose), PUSH-17
(dlms_parser raw_sagemcom_xt211, untagged layout); the DSMR 5 telegram of
ndokter/dsmr_parser test/example_telegrams.py (see tests/test_p1.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from dlmskit.cli.main import main
from tests.test_p1 import TELEGRAM_V5
from tests.vectors import record

PUSH05 = record("PUSH-05")
PUSH10 = record("PUSH-10")["raw"]
PUSH13 = record("PUSH-13")["raw"]


def _run(args: list[str], stdin: str | bytes | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    return runner.invoke(main, ["decode", *args], input=stdin, env=env, catch_exceptions=False)


def test_text_tree_from_arguments() -> None:
    result = _run([PUSH10])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("#1 HDLC (offset 0, line 1): data-notification")
    assert "1.0.32.7.0.255  250.0 V  L1 voltage, instantaneous value" in out
    assert "1.1.0.2.129.255  AIDON_V0001" in out


def test_keys_from_options_and_environment_json() -> None:
    ek, ak = PUSH05["EK"], PUSH05["AK"]
    by_option = _run([PUSH05["raw"], "--ek", ek, "--ak", ak, "--json"])
    assert by_option.exit_code == 0, by_option.output
    frames = json.loads(by_option.output)
    assert len(frames) == 1 and frames[0]["status"] == "ok"
    assert frames[0]["frames"] == 3 and frames[0]["transport"] == "hdlc"
    values = {v["obis"]: v["value"] for v in frames[0]["values"] if v["obis"]}
    assert values["1.0.1.8.0.255"] == 4408736  # PUSH-05 expected_from_source
    assert frames[0]["apdu"]["DataNotification"]["long_invoke_id_and_priority"] == 0x00177BCA
    assert ek not in by_option.output and ak not in by_option.output  # keys never printed
    by_env = _run([PUSH05["raw"], "--json"], env={"DLMSKIT_EK": ek.lower(), "DLMSKIT_AK": ak})
    assert json.loads(by_env.output)[0]["values"] == frames[0]["values"]
    # a wrong AK: authentication fails (exit 1); --no-verify-tag with the EK alone works
    wrong = _run([PUSH05["raw"], "--ek", ek, "--ak", "00" * 16])
    assert wrong.exit_code == 1
    assert "FAILED (offset 0, line 1)" in wrong.output
    only_ek = _run([PUSH05["raw"], "--ek", ek, "--no-verify-tag", "--json"])
    assert only_ek.exit_code == 0
    assert any("NOT verified" in n for n in json.loads(only_ek.output)[0]["notes"])


def test_failures_exit_1_and_the_rest_is_printed(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(f"RX: {PUSH13}\n# comment\nTX: {PUSH10}\n", encoding="ascii")
    result = _run(["--file", str(dump)])
    assert result.exit_code == 1
    assert "#1 FAILED (offset 0, line 1): HDLC: frame check sequence (FCS) does not match" in (
        result.output
    )
    assert "#2 HDLC" in result.output and "AIDON_V0001" in result.output
    assert "1 of 2 frame(s) failed to decode" in result.output  # stderr, mixed by the runner
    as_json = json.loads(_run(["--file", str(dump), "--json"]).stdout)
    assert [f["status"] for f in as_json] == ["failed", "ok"]
    assert as_json[0]["offset"] == 0 and "FCS" in as_json[0]["reason"]


def test_stdin_raw_bytes_xml_and_lenient() -> None:
    raw = bytes.fromhex(PUSH10)
    result = _run(["--xml"], stdin=raw)
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.output)
    frame = root.find("Frame")
    assert frame is not None and frame.get("transport") == "hdlc"
    values = {v.get("obis"): v.text for v in frame.iter("Value") if v.get("obis")}
    assert values["0.0.96.1.0.255"] == "7359992890941742"
    push17 = record("PUSH-17")["raw"]
    assert _run([push17]).exit_code == 1
    lenient = _run([push17, "--lenient", "--json"])
    assert lenient.exit_code == 0
    values17 = {v["obis"]: v["value"] for v in json.loads(lenient.output)[0]["values"]}
    assert values17["1.0.1.8.0.255"] == 4913794  # PUSH-17 expected_from_source


def test_p1_telegram_from_stdin() -> None:
    result = _run(["--json"], stdin=TELEGRAM_V5.encode("ascii"))
    assert result.exit_code == 0, result.output
    frame = json.loads(result.output)[0]
    assert frame["transport"] == "p1"
    crc = TELEGRAM_V5.rstrip()[-4:]  # the CRC the example telegram carries
    assert frame["telegram"]["crc"] == crc and frame["telegram"]["crc_ok"] is True
    values = {v["obis"]: (v["value"], v["unit"]) for v in frame["values"]}
    assert values["1.0.1.8.1.255"] == (4.426, "kWh")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    for args in (
        [PUSH10, "--json", "--xml"],
        [PUSH10, "--ek", "zz"],
        [PUSH10, "--ek", "00" * 15],
        [PUSH10, "--ak", "00" * 16],
        [PUSH10, "--file", str(tmp_path / "missing")],
        ["--system-title", "0102"],
    ):
        result = _run(args, stdin="")
        assert result.exit_code == 2, (args, result.output)
    # a key is never echoed in the error
    assert "ABCDEF0123" not in _run([PUSH10, "--ek", "ABCDEF0123"]).output
    assert _run([], stdin="").exit_code == 2  # nothing to decode


def test_as_a_real_subprocess() -> None:
    env = {"DLMSKIT_EK": PUSH05["EK"], "DLMSKIT_AK": PUSH05["AK"], "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "dlmskit.cli", "decode", "--json", "--file", "-"],
        input=f"2022-02-21 17:37:31 RX {PUSH05['raw']}\n{PUSH13}\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    frames = json.loads(done.stdout)
    assert [f["status"] for f in frames] == ["ok", "failed"]
    assert frames[0]["frames"] == 3
    assert frames[1]["line"] == 2
    assert "1 of 2 frame(s) failed to decode" in done.stderr


def test_ciphered_user_information_deciphered_and_secrets_hidden() -> None:
    # SEC-03 (u9n/dlms-cosem test_aarq.py, Green Book keys): an LLS AARQ (password
    # "12345678") whose glo-initiate-request carries a dedicated key
    sec = record("SEC-03")
    keys = ["--ek", sec["EK"], "--ak", sec["AK"]]
    password_hex = "3132333435363738"
    dedicated = "00112233445566778899AABBCCDDEEFF"
    text = _run([sec["aarq"], *keys])
    assert text.exit_code == 0, text.output
    assert "user-information (deciphered): InitiateRequest" in text.output
    assert "proposed_dlms_version_number: 6" in text.output
    frame = json.loads(_run([sec["aarq"], *keys, "--json"]).stdout)[0]
    assert frame["inner"]["InitiateRequest"]["client_max_receive_pdu_size"] == 1200
    xml = _run([sec["aarq"], *keys, "--xml"]).stdout
    for out in (text.output, json.dumps({k: v for k, v in frame.items() if k != "raw"}), xml):
        assert dedicated not in out.upper()
        assert password_hex not in out.upper()


def test_broadcast_key_option() -> None:
    """A data-notification ciphered with the global broadcast key (security control
    0x70, built here with our ciphering): --broadcast-ek opens it, --ek alone does not
    and says which key is missing."""
    from dlmskit.security.ciphering import Envelope, protect

    broadcast = bytes(range(0x60, 0x70))
    ak = bytes(range(0xD0, 0xE0))
    plain = bytes.fromhex("0F0000000100" + "0203" + "1100" + "1101" + "1102")
    ciphered = protect(
        plain,
        envelope=Envelope.GENERAL_GLO,
        security_control=0x70,
        system_title=bytes.fromhex("4D4D4D0000BC614E"),
        invocation_counter=7,
        encryption_key=broadcast,
        authentication_key=ak,
    ).to_bytes()
    opened = _run([ciphered.hex(), "--broadcast-ek", broadcast.hex(), "--ak", ak.hex(), "--json"])
    assert opened.exit_code == 0, opened.output
    frame = json.loads(opened.output)[0]
    assert [v["value"] for v in frame["values"]] == [0, 1, 2]
    closed = _run([ciphered.hex(), "--ek", bytes(16).hex(), "--ak", ak.hex()])
    assert "no broadcast key is given" in closed.output
