"""The gurux-dlms client (PyPI, an independent implementation) reads and writes our
simulator over the wrapper and HDLC, with no security (client 16), LLS (client 3) and
HLS-GMAC with authenticated and encrypted APDUs (client 1, suite 0, Green Book test
keys): the association view, every attribute of every object, the load profile by range
and by entry, SET, ACTION; and the security refusals seen through it."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from gurux_dlms.enums import DataType, ObjectType

from tests.interop._gurux_client import GuruxClient, GuruxError
from tests.server._driver import SimulatorThread, running

ASSOCIATIONS = {
    "none": {"client_address": 16, "auth": "none"},
    "lls": {"client_address": 3, "auth": "lls", "password": b"12345678"},
    "hls-gmac": {"client_address": 1, "auth": "hls-gmac"},
}
_counter = itertools.count(1000, 1000)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    with running() as simulator:
        yield simulator


def _client(sim: SimulatorThread, hdlc: bool, security: str) -> GuruxClient:
    options: dict[str, Any] = dict(ASSOCIATIONS[security])
    if security == "hls-gmac":
        options["invocation_counter"] = next(_counter)
    port = sim.ports["hdlc" if hdlc else "wrapper"]
    client = GuruxClient(port, hdlc=hdlc, **options)
    client.connect()
    return client


def _attribute_order(obj: Any) -> list[int]:
    count = obj.getAttributeCount()
    if obj.objectType == ObjectType.PROFILE_GENERIC:  # gurux needs the columns first
        return [1, 3, 2, *range(4, count + 1)]
    return list(range(1, count + 1))


@pytest.mark.parametrize("hdlc", [False, True], ids=["wrapper", "hdlc"])
@pytest.mark.parametrize("security", list(ASSOCIATIONS))
def test_gurux_reads_every_attribute_of_every_object(
    sim: SimulatorThread, hdlc: bool, security: str
) -> None:
    client = _client(sim, hdlc, security)
    try:
        objects = client.read_objects()
        names = {obj.logicalName for obj in objects}
        assert "0.0.1.0.0.255" in names and "0.0.42.0.0.255" in names
        assert ("1.0.99.1.0.255" in names) is (security != "none")
        refused = []
        for obj in objects:
            for index in _attribute_order(obj):
                try:
                    client.read(obj, index)
                except GuruxError:
                    refused.append((obj.logicalName, index))
        # only the association's secret is refused (read-write-denied, as it must be)
        assert refused == [("0.0.40.0.0.255", 7)]
        name = client.find("0.0.42.0.0.255")
        assert str(name.value).startswith("DLK")
        register = client.find("1.0.1.8.0.255")
        assert register.value >= 5_000_000 and register.scaler == 1  # gurux: 10^0
    finally:
        client.close()


@pytest.mark.parametrize("hdlc", [False, True], ids=["wrapper", "hdlc"])
@pytest.mark.parametrize("security", ["lls", "hls-gmac"])
def test_gurux_reads_the_profile_by_entry_and_by_range(
    sim: SimulatorThread, hdlc: bool, security: str
) -> None:
    client = _client(sim, hdlc, security)
    try:
        client.read_objects()
        profile = client.find("1.0.99.1.0.255")
        client.read(profile, 3)
        entries = client.read(profile, 7) or profile.entriesInUse
        rows = client.rows_by_entry(profile, 1, 5)
        assert len(rows) == 5 and len(rows[0]) == 4
        newest = client.rows_by_entry(profile, entries - 1, 2)
        assert len(newest) == 2
        end = dt.datetime.now(dt.UTC)
        start = end - dt.timedelta(hours=6)
        window = client.rows_by_range(profile, start, end)
        assert 23 <= len(window) <= 25  # six hours of 15-minute rows
        energy = [row[2] for row in window]
        assert energy == sorted(energy)
    finally:
        client.close()


@pytest.mark.parametrize("hdlc", [False, True], ids=["wrapper", "hdlc"])
def test_gurux_writes_and_calls_methods_as_the_management_client(
    sim: SimulatorThread, hdlc: bool
) -> None:
    client = _client(sim, hdlc, "hls-gmac")
    try:
        client.read_objects()
        hdlc_setup = client.find("0.0.22.0.0.255")
        client.read(hdlc_setup, 8)
        hdlc_setup.inactivityTimeout = 150
        client.write(hdlc_setup, 8)
        hdlc_setup.inactivityTimeout = 0
        client.read(hdlc_setup, 8)
        assert hdlc_setup.inactivityTimeout == 150
        disconnect = client.find("0.0.96.3.10.255")
        client.method(disconnect, 1, 0, DataType.INT8)  # remote_disconnect
        client.read(disconnect, 2)
        assert disconnect.outputState is False
        client.method(disconnect, 2, 0, DataType.INT8)  # remote_reconnect
        client.read(disconnect, 2)
        assert disconnect.outputState is True
    finally:
        client.close()


def test_gurux_public_client_cannot_write_and_wrong_password_is_rejected(
    sim: SimulatorThread,
) -> None:
    client = _client(sim, False, "none")
    try:
        client.read_objects()
        clock = client.find("0.0.1.0.0.255")
        client.read(clock, 2)
        with pytest.raises(GuruxError, match="error 3"):  # read-write-denied
            client.write(clock, 2)
    finally:
        client.close()
    bad = GuruxClient(sim.ports["wrapper"], client_address=3, auth="lls", password=b"nope")
    try:
        with pytest.raises(Exception, match=r"(?i)authentication|rejected"):
            bad.connect()
    finally:
        bad.sock.close()


def test_gurux_replayed_invocation_counter_is_refused() -> None:
    with running() as fresh:
        first = GuruxClient(
            fresh.ports["wrapper"], client_address=1, auth="hls-gmac", invocation_counter=50
        )
        first.connect()
        first.close()
        again = GuruxClient(
            fresh.ports["wrapper"], client_address=1, auth="hls-gmac", invocation_counter=50
        )
        try:
            with pytest.raises(Exception):  # noqa: B017 - gurux raises its own types
                again.connect()
        finally:
            again.sock.close()
