"""The simulator's state file: counters never reused after SIGKILL, written values kept
across a restart (a real `dlmskit simulate` subprocess and a real SQLite file)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dlmskit import axdr
from dlmskit.apdu.common import DataAccessResult
from dlmskit.server.state import StateError, StateStore
from dlmskit.session import ClientSettings
from dlmskit.session._events import AssociationAccepted, GetResult

from ._driver import Driver, management_settings


def _start(state: Path) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "dlmskit.server", "--port", "0", "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("listening tcp 127.0.0.1:"), line + process.stderr.read()
    return process, int(line.rsplit(":", 1)[1])


def _published(port: int) -> int:
    with Driver(port, ClientSettings()) as public:
        assert isinstance(public.associate(), AssociationAccepted)
        value = public.get(1, "0.0.43.1.0.255", 2).results[0].value
        public.release()
    return int(value)


def _server_counters(port: int, start: int) -> tuple[list[int], Driver]:
    client = Driver(port, management_settings(start), client_sap=1)
    assert isinstance(client.associate(), AssociationAccepted)
    for _ in range(3):
        assert isinstance(client.get(1, "0.0.42.0.0.255", 2), GetResult)
    # glo-get-response: tag, length, security control, invocation counter (4 bytes)
    counters = [int.from_bytes(apdu[3:7], "big") for apdu in client.received if apdu[0] == 0xCC]
    assert len(counters) == 3
    return counters, client


def test_counters_are_never_reused_after_sigkill(tmp_path: Path) -> None:
    state = tmp_path / "meter.sqlite"
    process, port = _start(state)
    try:
        used, client = _server_counters(port, _published(port) + 1)
        client.close()
        published = _published(port)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    process, port = _start(state)
    try:
        # the replay check survived: the published counter did not go back
        assert _published(port) >= published
        after, client = _server_counters(port, _published(port) + 1)
        client.close()
        assert min(after) > max(used)
    finally:
        process.terminate()
        process.wait(10)


def test_written_values_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "meter.sqlite"
    process, port = _start(state)
    try:
        with Driver(port, management_settings(_published(port) + 1), client_sap=1) as client:
            assert isinstance(client.associate(), AssociationAccepted)
            done = client.set(23, "0.0.22.0.0.255", 8, axdr.LongUnsigned(300))
            assert done.results == (DataAccessResult.SUCCESS,)
            client.release()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    process, port = _start(state)
    try:
        with Driver(port, ClientSettings()) as public:
            assert isinstance(public.associate(), AssociationAccepted)
            value = public.get(23, "0.0.22.0.0.255", 8).results[0].value
            public.release()
        assert value == axdr.LongUnsigned(300)
    finally:
        process.terminate()
        process.wait(10)


def test_store_rows_queued_and_durable(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = StateStore(path)
    store.put("m0:a", b"1")
    store.put_durable("m0:b", b"2")
    store.flush()
    store.put("m0:a", b"3")
    store.close()
    again = StateStore(path)
    assert again.load_all("m0:") == {"m0:a": b"3", "m0:b": b"2"}
    assert again.counter_store("m0:").load("missing") is None
    again.close()


def test_a_file_that_is_not_a_state_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(StateError, match="not a usable state file"):
        StateStore(path)
