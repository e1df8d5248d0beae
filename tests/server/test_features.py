"""Simulator features beyond the default associations: SN referencing, pushes, several
logical devices, connection limits, idle connections, a serial line (pty) with the
IEC 62056-21 mode E handshake."""

from __future__ import annotations

import os
import socket
import threading
import time
import tty

import pytest

from dlmskit import axdr
from dlmskit.apdu import decode
from dlmskit.apdu.notification import DataNotification
from dlmskit.apdu.sn import ReadData, VariableName
from dlmskit.link._events import NEED_DATA
from dlmskit.link.mode_e import HdlcReady, ModeEClient
from dlmskit.link.wrapper import WrapperPduReceived, WrapperStream
from dlmskit.server import Meter, ModelError, load_model, loads_model
from dlmskit.server.engine import SN_ASSOCIATION_BASE, SN_CONFORMANCE, SN_FIRST_BASE, SN_STRIDE
from dlmskit.session import ClientSettings
from dlmskit.session._events import AssociationAccepted, Read, ReadResult
from dlmskit.session.settings import Referencing

from ._driver import Driver, FdSocket, management_settings, running

SN_MODEL = """
meter: {logical_address: 1, physical_address: 17}
associations:
  sn: {client: 16, mechanism: none, referencing: SN, access: read}
objects:
  - {obis: 0.0.42.0.0.255, class: 1, behaviour: logical_device_name}
  - {obis: 1.0.1.8.0.255, class: 3, behaviour: energy}
"""


def test_short_name_referencing(tmp_path: object) -> None:
    model = loads_model(SN_MODEL, "sn.yaml")
    with running(model=model) as sim:
        settings = ClientSettings(referencing=Referencing.SHORT_NAME, conformance=SN_CONFORMANCE)
        with Driver(sim.ports["wrapper"], settings) as client:
            assert isinstance(client.associate(), AssociationAccepted)
            listing = client.request(
                Read(items=(VariableName(variable_name=SN_ASSOCIATION_BASE + 8),))
            )
            assert isinstance(listing, ReadResult)
            entries = listing.results[0]
            assert isinstance(entries, ReadData)
            bases = {bytes(item[3]): int(item[0]) & 0xFFFF for item in entries.data}
            energy_base = bases[bytes.fromhex("0100010800FF")]
            assert energy_base == SN_FIRST_BASE + SN_STRIDE
            value = client.request(Read(items=(VariableName(variable_name=energy_base + 8),)))
            assert isinstance(value.results[0], ReadData)
            assert int(value.results[0].data) >= 5_000_000
            scaler = client.request(Read(items=(VariableName(variable_name=energy_base + 16),)))
            assert scaler.results[0].data == axdr.Structure((axdr.Integer(0), axdr.Enum(30)))


def test_push_on_trigger_reaches_a_tcp_listener() -> None:
    received: list[bytes] = []
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def accept() -> None:
        connection, _ = server.accept()
        with connection:
            stream = WrapperStream()
            while not received:
                data = connection.recv(65536)
                if not data:
                    break
                stream.receive_data(data)
                while (event := stream.next_event()) is not NEED_DATA:
                    assert isinstance(event, WrapperPduReceived)
                    received.append(event.pdu.apdu)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    with running() as sim:
        with Driver(sim.ports["wrapper"], management_settings(1), client_sap=1) as client:
            assert isinstance(client.associate(), AssociationAccepted)
            destination = axdr.Structure(
                (axdr.Enum(0), axdr.OctetString(f"127.0.0.1:{port}".encode()), axdr.Enum(0))
            )
            assert client.set(40, "0.0.25.9.0.255", 3, destination).results[0] == 0
            assert client.action(40, "0.0.25.9.0.255", 1, axdr.Integer(0)).results[0].result == 0
            client.release()
        thread.join(5)
    server.close()
    assert received, "no push arrived"
    push = decode(received[0])
    assert isinstance(push, DataNotification)
    body = push.notification_body
    assert bytes(body[0]) == bytes.fromhex("0000190900FF")  # the push setup's name first
    assert bytes(body[1]).startswith(b"DLK")


def test_several_logical_devices_behind_one_port() -> None:
    with running(meters=3) as sim:
        titles = set()
        for logical in (1, 2, 3):
            with Driver(sim.ports["wrapper"], ClientSettings(), logical=logical) as client:
                accepted = client.associate()
                assert isinstance(accepted, AssociationAccepted)
                titles.add(bytes(client.get(1, "0.0.42.0.0.255", 2).results[0].value))
                client.release()
        assert len(titles) == 3
        with Driver(sim.ports["hdlc"], ClientSettings(), transport="hdlc", logical=2) as client:
            assert isinstance(client.associate(), AssociationAccepted)
            client.release()


def test_connection_limit_and_idle_timeout() -> None:
    with running(max_connections=2, inactivity_timeout=0.5) as sim:
        first = socket.create_connection(("127.0.0.1", sim.ports["wrapper"]))
        second = socket.create_connection(("127.0.0.1", sim.ports["wrapper"]))
        time.sleep(0.1)
        third = socket.create_connection(("127.0.0.1", sim.ports["wrapper"]))
        third.settimeout(2)
        assert third.recv(10) == b""  # refused: closed at once
        first.settimeout(3)
        assert first.recv(10) == b""  # closed after 0.5 s of silence
        for s in (first, second, third):
            s.close()
        with Driver(sim.ports["wrapper"], ClientSettings()) as client:
            assert isinstance(client.associate(), AssociationAccepted)


def test_serial_line_with_mode_e_handshake() -> None:
    master, slave = os.openpty()
    tty.setraw(master)
    path = os.ttyname(slave)
    with running() as sim:
        sim.call(lambda: None)
        import asyncio

        assert sim.simulator is not None
        asyncio.run_coroutine_threadsafe(
            sim.simulator.serve_serial(path, mode_e=True), sim.loop
        ).result(5)
        machine = ModeEClient()
        sign_on = machine.start()
        line = FdSocket(master)
        line.settimeout(0.2)
        while machine.next_event() is not NEED_DATA:
            pass
        line.sendall(sign_on)
        leftover = None
        deadline = time.time() + 5
        while leftover is None:
            assert time.time() < deadline, "no identification"
            try:
                machine.receive_data(line.recv(1024))
            except TimeoutError:
                continue
            while (event := machine.next_event()) is not NEED_DATA:
                out = machine.data_to_send()
                if out:
                    line.sendall(out)
                if isinstance(event, HdlcReady):
                    leftover = event.leftover
            out = machine.data_to_send()
            if out:
                line.sendall(out)
        time.sleep(0.1)
        with Driver(0, management_settings(1), transport="hdlc", client_sap=1, sock=line) as c:
            assert isinstance(c.associate(), AssociationAccepted)
            rows = c.get(7, "1.0.99.1.0.255", 2).results[0].value
            assert len(rows) >= 35 * 96
            c.release()
    os.close(slave)


def test_meter_engine_without_transport() -> None:
    meter = Meter.from_model(load_model(), now=1_700_000_000.0)
    assert meter.physical_address == 17 and meter.logical_address == 1
    assert meter.system_title == bytes.fromhex("444C4B0000000001")
    assert "ek" not in repr(meter).lower() or "000102" not in repr(meter)
    settings = meter.server_settings
    assert sorted(settings.associations) == [1, 3, 16]
    assert "000102030405" not in repr(settings) and "12345678" not in repr(settings)
    with pytest.raises(ModelError, match="associations must be a non-empty mapping"):
        Meter.from_model(loads_model("meter: {}\nassociations: {}\n"), now=0.0)


def test_profile_buffers_are_sent_from_their_kept_encoding() -> None:
    """The engine keeps a long buffer's encoding (joined from cached rows): it must be
    exactly the encoding of the value, also after the meter changed."""
    from dlmskit.apdu.common import CosemAttributeDescriptor
    from dlmskit.apdu.get import Data
    from dlmskit.apdu.selective import EntryDescriptor
    from dlmskit.obis import Obis
    from dlmskit.server.objects import Context

    meter = Meter.from_model(load_model(), now=1_800_000_000.0)
    association = meter.model.association(1)
    assert association is not None
    ctx = Context(now=1_800_000_000.0, client_sap=1, association=association)
    descriptor = CosemAttributeDescriptor(
        class_id=7, instance_id=Obis.parse("1.0.99.1.0.255"), attribute_id=2
    )
    for selection in (None, EntryDescriptor(from_entry=3, to_entry=40).to_access_descriptor()):
        result = meter.read_result(ctx, descriptor, selection)
        assert isinstance(result, Data) and result.raw is not None
        assert result.raw == axdr.encode(result.value)
    meter.set_connected(False, 1_800_000_100.0)  # a change: cached rows are dropped
    again = meter.read_result(ctx, descriptor, None)
    assert isinstance(again, Data) and again.raw == axdr.encode(again.value)
