"""``dlmskit listen`` end to end: a real process on loopback TCP/UDP and a pty serial line,
keys per meter from a profile file, one JSON line per stored notification (and the row
behind it), SIGTERM / SIGINT that store what was received and exit 0, usage errors (exit 2)
and runtime errors (exit 1) in one line."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dlmskit.cli.main import main
from dlmskit.link.hdlc import FrameKind, HdlcAddress, HdlcFrame
from tests.test_listener import AK, EK, ciphered, framed, notification, title
from tests.vectors import record

OTHER_EK = bytes(range(0x40, 0x50))
OTHER_AK = bytes(range(0x60, 0x70))


_NO_HOME = "/nonexistent/dlmskit-test-home"  # no ~/.config/dlmskit/meters.yaml is read


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLMSKIT_")}
    env["HOME"] = _NO_HOME
    return env


class Listen:
    """``python -m dlmskit.cli listen ...`` in its own process."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dlmskit.cli", "listen", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**_clean_env(), **(env or {})},
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self.ports: list[int] = []
        addresses = [a for a in args if "://" in a]
        for _ in addresses:
            line = self.process.stderr.readline()
            assert line.startswith("listening"), line + self.process.stderr.read()
            if not line.startswith("listening serial"):
                self.ports.append(int(line.rsplit(":", 1)[1]))
        self.lines: list[dict[str, Any]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(json.loads(line))

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.lines) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.lines) >= count, self.lines

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(sig)
        assert self.process.stderr is not None
        code = self.process.wait(20)
        self.reader.join(5)
        return code, self.process.stderr.read()


def stored(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return list(
            connection.execute(
                "SELECT id, system_title, invocation_counter, kind, error "
                "FROM notifications ORDER BY id"
            )
        )


def test_keys_per_meter_from_the_profile_tcp_and_udp(tmp_path: Path) -> None:
    profile = tmp_path / "meters.yaml"
    profile.write_text(
        "meters:\n"
        f"  one:\n    system_title: {title(1).hex()}\n    ek: {EK.hex()}\n    ak: {AK.hex()}\n"
        f"  two:\n    system_title: {title(2).hex()}\n    ek: {OTHER_EK.hex()}\n"
        f"    ak: {OTHER_AK.hex()}\n"
    )
    db = tmp_path / "pushes.sqlite"
    listen = Listen(
        "tcp://127.0.0.1:0", "udp://127.0.0.1:0", "--db", str(db), "--profile", str(profile)
    )
    tcp, udp = listen.ports
    from dlmskit.security.ciphering import Envelope, protect

    two = protect(
        notification(5),
        envelope=Envelope.GENERAL_GLO,
        security_control=0x30,
        system_title=title(2),
        invocation_counter=5,
        encryption_key=OTHER_EK,
        authentication_key=OTHER_AK,
    ).to_bytes()
    with socket.create_connection(("127.0.0.1", tcp)) as meter:
        meter.sendall(framed(ciphered(1, 4)) + framed(ciphered(1, 4)))  # a duplicate
        listen.wait_for(1)
        meter.sendall(framed(ciphered(3, 6)))  # meter 3 has no keys in the profile
        listen.wait_for(2)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as datagrams:
        datagrams.sendto(framed(two), ("127.0.0.1", udp))
        listen.wait_for(3)
    code, err = listen.stop()
    assert code == 0
    assert "stored 3 notification(s), 1 duplicate(s) ignored, 1 undecodable" in err
    one, unknown, second = listen.lines
    assert one["obis"] == {"1.0.1.8.0.255": 1004, "1.0.2.8.0.255": 4}
    assert (one["system_title"], one["invocation_counter"]) == (title(1).hex().upper(), 4)
    assert unknown["kind"] == "error" and "no keys" in unknown["error"]
    assert second["source"].startswith("udp:") and second["obis"]["1.0.2.8.0.255"] == 5
    rows = stored(db)
    assert [r[0] for r in rows] == [line["id"] for line in listen.lines]  # printed = stored
    assert [(r[1], r[2], r[3]) for r in rows] == [
        (title(1), 4, "data-notification"),
        (title(3), 6, "error"),
        (title(2), 5, "data-notification"),
    ]
    assert EK.hex() not in err and OTHER_EK.hex() not in err


def test_mbus_vector_with_the_encryption_key_only(tmp_path: Path) -> None:
    """PUSH-01 (fneur/smart-meter-tirol doc/EXAMPLE.md: Kaifa MA309, two M-Bus frames,
    encryption-only SC 0x21, published EK): the key from $DLMSKIT_EK, no AK, no tag."""
    push = record("PUSH-01")
    db = tmp_path / "pushes.sqlite"
    listen = Listen(
        "tcp://127.0.0.1:0?framing=mbus",
        "--db",
        str(db),
        "--no-verify-tag",
        env={"DLMSKIT_EK": push["EK"]},
    )
    with socket.create_connection(("127.0.0.1", listen.ports[0])) as meter:
        meter.sendall(bytes.fromhex(push["raw"]) + b"\x68\x03\x03\x68junk-junk")
        listen.wait_for(2)
    code, err = listen.stop(signal.SIGINT)
    assert code == 0, err
    line, junk = listen.lines
    assert line["invocation_counter"] == int(push["IC"], 16)
    assert line["system_title"] == push["ST"]
    assert line["date_time"] == "2021-07-19T15:46:35+02:00"  # date_time 07E50713010F2E2300FF8880
    assert line["obis"]["1.0.1.8.0.255"] == 9108
    assert junk["kind"] == "error" and junk["error"].startswith("M-Bus:")
    assert len(stored(db)) == 2


def test_serial_port_hdlc_8e1(tmp_path: Path) -> None:
    """A customer port at 2400 baud 8E1 (a pty pair stands in for the line)."""
    master, slave = os.openpty()
    db = tmp_path / "pushes.sqlite"
    try:
        listen = Listen(
            f"serial://{os.ttyname(slave)}?baud=2400&parity=E&bytesize=8&framing=hdlc",
            "--db",
            str(db),
            env={"DLMSKIT_EK": EK.hex(), "DLMSKIT_AK": AK.hex()},
        )
        frame = HdlcFrame(
            destination=HdlcAddress.client(0x10),
            source=HdlcAddress.server(1, 17),
            kind=FrameKind.UI,
            poll_final=False,
            send_sequence=None,
            receive_sequence=None,
            information=b"\xe6\xe7\x00" + ciphered(7, 70),
        ).encode()
        os.write(master, frame)
        listen.wait_for(1)
        code, err = listen.stop()
    finally:
        os.close(master)
        os.close(slave)
    assert code == 0, err
    assert listen.lines[0]["source"].startswith("serial:")
    assert listen.lines[0]["invocation_counter"] == 70
    assert stored(db)[0][1:3] == (title(7), 70)


def cli(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["listen", *args],
        env={"DLMSKIT_PROFILE": None, "HOME": _NO_HOME, "DLMSKIT_EK": None, **(env or {})},
    )
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--db", "x.sqlite"], "ADDRESS"),
        (["tcp://127.0.0.1:0"], "--db"),
        (["ftp://127.0.0.1:1", "--db", "x.sqlite"], "cannot listen"),
        (["tcp://127.0.0.1:99999", "--db", "x.sqlite"], "port"),
        (["modem:///dev/null?number=1", "--db", "x.sqlite"], "cannot listen"),
        (["udp://127.0.0.1:0?framing=hdlc", "--db", "x.sqlite"], "UDP"),
        (["tcp://127.0.0.1:0?framing=sml", "--db", "x.sqlite"], "framing"),
        (["tcp://127.0.0.1:0", "--db", "x.sqlite", "--ek", "0011"], "--ek"),
        (["tcp://127.0.0.1:0", "--db", "x.sqlite", "--ak", AK.hex()], "--ek too"),
        (["tcp://127.0.0.1:0", "--db", "x.sqlite", "--framing", "sml"], "--framing"),
    ],
)
def test_usage_errors_exit_2(args: list[str], needle: str, tmp_path: Path) -> None:
    os.chdir(tmp_path)
    code, err = cli(*args)
    assert code == 2
    assert needle in err
    assert not (tmp_path / "x.sqlite").exists()  # nothing created on a usage error


def test_a_key_in_error_is_not_echoed(tmp_path: Path) -> None:
    secret = "00112233445566778899AABBCCDDEE"  # 15 bytes: wrong length
    code, err = cli("tcp://127.0.0.1:0", "--db", str(tmp_path / "x"), env={"DLMSKIT_EK": secret})
    assert code == 2 and secret.lower() not in err.lower()


def test_bad_profile_is_a_usage_error(tmp_path: Path) -> None:
    profile = tmp_path / "meters.yaml"
    profile.write_text("meters: [1, 2]\n")
    code, err = cli("tcp://127.0.0.1:0", "--db", str(tmp_path / "x"), "--profile", str(profile))
    assert code == 2 and "meters" in err


def test_runtime_errors_exit_1_in_one_line(tmp_path: Path) -> None:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        port = busy.getsockname()[1]
        code, err = cli(f"tcp://127.0.0.1:{port}", "--db", str(tmp_path / "p.sqlite"))
    finally:
        busy.close()
    assert code == 1 and len(err.strip().splitlines()) <= 2, err
    assert "Traceback" not in err
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notifications (id INTEGER, body TEXT)")
    code, err = cli("tcp://127.0.0.1:0", "--db", str(other))
    assert code == 1 and "not a dlmskit push store" in err
    assert len(err.strip().splitlines()) <= 2 and "Traceback" not in err
