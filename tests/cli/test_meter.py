"""The meter commands of ``dlmskit`` end to end against the simulator on loopback: output,
JSON, CSV, the profile file and environment secrets, the frame trace, exit codes and
one-line errors."""

from __future__ import annotations

import csv
import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from dlmskit.cli.main import main
from tests.test_client import SimThread

EK = "000102030405060708090A0B0C0D0E0F"
AK = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    simulator = SimThread().start()
    yield simulator
    simulator.stop()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(main, list(args), env=env or {}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def manager(sim: SimThread) -> list[str]:
    return ["-u", sim.urls["tcp"], "-c", "1", "--mechanism", "hls-gmac", "--read-counter"]


KEYS = {"DLMSKIT_EK": EK, "DLMSKIT_AK": AK}


def test_get_read_objects_json_and_tables(sim: SimThread, tmp_path: Path) -> None:
    code, out, _ = run("get", "0.0.42.0.0.255", "-u", sim.urls["tcp"])
    assert code == 0 and "DLK0000000000001" in out
    code, out, _ = run("get", "0.0.43.1.0.255", "-u", sim.urls["hdlc"], "--json")
    assert code == 0 and isinstance(json.loads(out)["value"], int)
    code, out, _ = run("read", "1.0.1.8.0.255", "-u", sim.urls["udp"], "--json")
    typed = json.loads(out)["attributes"]
    assert typed["scaler_unit"] == {"scaler": 0, "unit": "WATT_HOUR"}
    code, out, _ = run("objects", "-u", sim.urls["tcp"], "--cache-dir", str(tmp_path), "--json")
    listed = {entry["obis"]: entry for entry in json.loads(out)}
    assert listed["0.0.1.0.0.255"]["class_id"] == 8
    assert listed["0.0.1.0.0.255"]["name"] == "Clock"
    assert "1.0.99.1.0.255" not in listed  # hidden from the public client
    assert list(tmp_path.iterdir())  # cached


def test_profile_to_csv_and_json_as_manager_with_env_keys(sim: SimThread, tmp_path: Path) -> None:
    target = tmp_path / "rows.csv"
    code, _, err = run("profile", *manager(sim), "--last", "2", "--csv", str(target), env=KEYS)
    assert code == 0, err
    rows = list(csv.reader(target.open()))
    assert rows[0] == ["0.0.1.0.0.255", "0.0.96.10.1.255", "1.0.1.8.0.255", "1.0.2.8.0.255"]
    assert 8 <= len(rows) - 1 <= 9
    code, out, _ = run(
        "profile", *manager(sim), "--from-entry", "1", "--to-entry", "3", "--json", env=KEYS
    )
    assert code == 0 and len(json.loads(out)["rows"]) == 3


def test_set_action_clock_and_firmware(sim: SimThread, tmp_path: Path) -> None:
    code, _, err = run(
        "set",
        "0.0.22.0.0.255",
        "8",
        "{long-unsigned: 99}",
        "--class",
        "23",
        *manager(sim),
        env=KEYS,
    )
    assert code == 0, err
    code, out, _ = run(
        "get", "0.0.22.0.0.255", "8", "--class", "23", "-u", sim.urls["tcp"], "--json"
    )
    assert json.loads(out)["value"] == 99
    code, out, err = run("action", "0.0.96.3.10.255", "2", "{integer: 0}", *manager(sim), env=KEYS)
    assert code == 0, err
    code, out, _ = run(
        "clock", *manager(sim), "--set", "2030-01-01T00:00:00+01:00", "--json", env=KEYS
    )
    assert json.loads(out)["clock"].startswith("2030-01-01T00:00")
    code, out, _ = run("clock", *manager(sim), "--sync", "--json", env=KEYS)
    result = json.loads(out)
    assert (
        result["synchronised"] and result["was_off_by_seconds"] > 90_000_000
    )  # about 3.1 years ahead
    image = tmp_path / "fw.bin"
    image.write_bytes(os.urandom(700))
    code, out, err = run(
        "firmware", str(image), "--identifier", "CLI-1", *manager(sim), "--json", env=KEYS
    )
    assert code == 0, err
    assert json.loads(out)["activated"] is True
    code, out, _ = run("get", "1.0.0.2.0.255", "-u", sim.urls["tcp"], "--json")
    assert bytes.fromhex(json.loads(out)["value"]) == b"CLI-1"


def test_profile_file_names_the_meter_and_keeps_secrets(sim: SimThread, tmp_path: Path) -> None:
    profile = tmp_path / "meters.yaml"
    profile.write_text(
        "meters:\n"
        "  reader:\n"
        f"    url: {sim.urls['hdlc']}\n"
        "    client_address: 3\n"
        "    mechanism: lls\n"
        '    password: "12345678"\n'
    )
    code, _out, err = run("get", "0.0.42.0.0.255", "-m", "reader", "--profile", str(profile), "-v")
    assert code == 0, err
    assert "C→S" in err and "S→C" in err  # the frame trace, on stderr
    assert "12345678" not in err and "3132333435363738" not in err.replace(" ", "")
    code, _, err = run("get", "0.0.42.0.0.255", "-m", "nobody", "--profile", str(profile))
    assert code == 2 and "no meter 'nobody'" in err


def test_errors_are_one_or_two_lines_with_exit_codes(sim: SimThread) -> None:
    code, _, err = run("get", "1.0.99.1.0.255", "-u", sim.urls["tcp"])
    assert code == 1 and "object-undefined" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2
    code, _, err = run(
        "get",
        "0.0.42.0.0.255",
        "-u",
        sim.urls["tcp"],
        "-c",
        "3",
        "--mechanism",
        "lls",
        "--password",
        "wrong",
    )
    assert code == 1 and "check the password" in err
    code, _, err = run(
        "get",
        "0.0.42.0.0.255",
        "-u",
        sim.urls["tcp"],
        "-c",
        "1",
        "--mechanism",
        "hls-gmac",
        "--ek",
        "00",
    )
    assert code == 2 and "--ek" in err and "16 bytes" in err
    code, _, err = run("set", "0.0.22.0.0.255", "8", "{nonsense", "-u", sim.urls["tcp"])
    assert code == 2 and "long-unsigned" in err
    code, _, err = run("get", "1.2.3", "-u", sim.urls["tcp"])
    assert code == 2
    code, _, err = run("get", "0.0.42.0.0.255")
    assert code == 2 and "--url" in err


def test_a_meter_that_does_not_answer() -> None:
    silent = socket.create_server(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(silent.accept()[0]), daemon=True).start()
    code, _, err = run("get", "0.0.42.0.0.255", "-u", f"tcp://127.0.0.1:{port}", "--timeout", "0.5")
    assert code == 1 and "no answer" in err and "check the server address" in err
    silent.close()
    for s in held:
        s.close()


def test_the_simulator_pushes_to_dlmskit_listen(sim: SimThread, tmp_path: Path) -> None:
    """End to end: `dlmskit listen` in its own process receives what the simulator pushes
    when the management client points its push setup at it and invokes push."""
    import subprocess
    import sys

    db = tmp_path / "pushes.sqlite"
    listener = subprocess.Popen(
        [sys.executable, "-m", "dlmskit.cli", "listen", "tcp://127.0.0.1:0", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert listener.stderr is not None and listener.stdout is not None
        port = int(listener.stderr.readline().rsplit(":", 1)[1])
        destination = (
            f'{{structure: [{{enum: 0}}, {{octet-string: "127.0.0.1:{port}"}}, {{enum: 0}}]}}'
        )
        code, _, err = run("set", "0.0.25.9.0.255", "3", destination, *manager(sim), env=KEYS)
        assert code == 0, err
        code, _, err = run("action", "0.0.25.9.0.255", "1", "{integer: 0}", *manager(sim), env=KEYS)
        assert code == 0, err
        line = json.loads(listener.stdout.readline())
    finally:
        listener.terminate()
        listener.wait(10)
    assert line["kind"] == "data-notification"
    assert bytes.fromhex(line["values"][1]).startswith(b"DLK")  # the logical device name
    assert line["values"][0] == "0000190900ff"  # the push setup's own name first


def test_transfer_options_gbt_max_pdu_large_frames_and_quirks(
    sim: SimThread, tmp_path: Path
) -> None:
    """--max-pdu 256 --gbt-window 5 reads the profile in General Block Transfer (the -v
    trace shows the 0xE0 blocks), --large-frames proposes 2,030-byte HDLC frames (the
    SNRM carries them), --quirk and the profile's quirks / gbt_window reach the client;
    a bad value is a usage error naming the option."""
    reader = ["-u", sim.urls["hdlc"], "-c", "3", "--mechanism", "lls", "--password", "12345678"]
    args = ("profile", "1.0.99.1.0.255", *reader, "--last", "3", "--json", "-v")
    code, out, err = run(*args, "--max-pdu", "256", "--gbt-window", "5", "--large-frames")
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert len(rows) >= 12
    assert "S→C e0" in err  # General Block Transfer blocks
    assert "050207ee" in err.replace(" ", "").lower()  # SNRM: max information field 2030
    code, out, err = run(*args, "--quirk", "release-by-disconnect")
    assert code == 0, err
    assert "RLRQ" not in err and "S→C e0" not in err
    profile = tmp_path / "meters.yaml"
    profile.write_text(
        "meters:\n"
        "  reader:\n"
        f"    url: {sim.urls['tcp']}\n"
        "    client_address: 3\n"
        "    mechanism: lls\n"
        '    password: "12345678"\n'
        "    quirks: [release-by-disconnect]\n"
        "    max_pdu: 256\n"
        "    gbt_window: 3\n"
    )
    code, out, err = run(
        "profile",
        "1.0.99.1.0.255",
        "-m",
        "reader",
        "--profile",
        str(profile),
        "--last",
        "6",
        "-v",
    )
    assert code == 0, err
    assert "S→C e0" in err and "RLRQ" not in err
    code, _, err = run(*args, "--gbt-window", "64")
    assert code == 2 and "--gbt-window" in err
    code, _, err = run(*args, "--quirk", "nonsense")
    assert code == 2 and "--quirk" in err


def test_unconfirmed_and_broadcast_set(sim: SimThread) -> None:
    """--unconfirmed sends the SET without waiting for an answer; --broadcast ciphers it
    with --broadcast-ek (the simulator's default model has that key); without the key
    the command says which key is missing."""
    where = ("0.0.22.0.0.255", "8")

    def read() -> object:
        code, out, _ = run("get", *where, "--class", "23", "-u", sim.urls["tcp"], "--json")
        assert code == 0
        return json.loads(out)["value"]

    code, out, err = run(
        "set",
        *where,
        "{long-unsigned: 55}",
        "--class",
        "23",
        "--unconfirmed",
        *manager(sim),
        "--json",
        env=KEYS,
    )
    assert code == 0, err
    assert json.loads(out)["result"] == "sent (unconfirmed)"
    assert read() == 55
    broadcast = ["--broadcast", "--broadcast-ek", "0F0E0D0C0B0A09080706050403020100"]
    code, _, err = run(
        "set",
        *where,
        "{long-unsigned: 56}",
        "--class",
        "23",
        *broadcast,
        *manager(sim),
        env=KEYS,
    )
    assert code == 0, err
    assert read() == 56
    code, _, err = run(
        "set",
        *where,
        "{long-unsigned: 57}",
        "--class",
        "23",
        "--broadcast",
        *manager(sim),
        env=KEYS,
    )
    assert code == 1 and "broadcast key" in err
    assert read() == 56
