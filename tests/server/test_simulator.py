"""The simulator served over real loopback sockets, read by our own client session role
(session/client.py) over the wrapper, HDLC over TCP and UDP."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import time
from collections.abc import Iterator

import pytest

from dlmskit import axdr
from dlmskit.apdu import decode
from dlmskit.apdu.acse import AcseServiceUser
from dlmskit.apdu.common import ActionResult, CosemAttributeDescriptor, DataAccessResult
from dlmskit.apdu.errors import ExceptionResponse
from dlmskit.apdu.get import Data
from dlmskit.apdu.selective import CaptureObjectDefinition, EntryDescriptor, RangeDescriptor
from dlmskit.cosem import AssociationView, lookup, parse_buffer
from dlmskit.cosem_time import CosemDateTime
from dlmskit.link.hdlc import HdlcParameters
from dlmskit.obis import Obis
from dlmskit.security.mechanisms import MechanismId
from dlmskit.session import ClientSettings
from dlmskit.session._events import (
    ActionResult as ActionDone,
)
from dlmskit.session._events import (
    AssociationAccepted,
    AssociationRejected,
    AuthenticationFailed,
    Get,
    GetResult,
    Released,
    SetResult,
)

from ._driver import AK, Driver, SimulatorThread, management_settings, running

TRANSPORTS = ("wrapper", "hdlc", "udp")
PROFILE = "1.0.99.1.0.255"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    with running() as simulator:
        yield simulator


def _counter(sim: SimulatorThread, transport: str = "wrapper") -> int:
    with Driver(sim.ports[transport], ClientSettings(), transport=transport) as public:
        assert isinstance(public.associate(), AssociationAccepted)
        result = public.get(1, "0.0.43.1.0.255", 2)
        public.release()
    value = result.results[0]
    assert isinstance(value, Data)
    return int(value.value)


def _settings(sim: SimulatorThread, sap: int, transport: str) -> ClientSettings:
    if sap == 16:
        return ClientSettings()
    if sap == 3:
        return ClientSettings(mechanism=MechanismId.LOW, secret=b"12345678")
    return management_settings(_counter(sim, transport) + 1)


def _value(event: GetResult) -> axdr.Value:
    assert isinstance(event, GetResult), event
    result = event.results[0]
    assert isinstance(result, Data), result
    return result.value


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("sap", [16, 1, 3])
def test_every_association_of_the_default_model(
    sim: SimulatorThread, transport: str, sap: int
) -> None:
    with Driver(
        sim.ports[transport], _settings(sim, sap, transport), transport=transport, client_sap=sap
    ) as client:
        accepted = client.associate()
        assert isinstance(accepted, AssociationAccepted), accepted
        name = _value(client.get(1, "0.0.42.0.0.255", 2))
        assert bytes(name).startswith(b"DLK")
        view = AssociationView.from_ln_object_list(_value(client.get(15, "0.0.40.0.0.255", 2)), 1)
        names = {str(entry.logical_name) for entry in view}
        assert "0.0.1.0.0.255" in names
        assert (PROFILE in names) is (sap != 16)
        assert isinstance(client.release(), Released)


def test_seed_flow_invocation_counter_then_management_profile_by_range(
    sim: SimulatorThread,
) -> None:
    counter = _counter(sim)
    with Driver(
        sim.ports["hdlc"], management_settings(counter + 1), transport="hdlc", client_sap=1
    ) as client:
        assert isinstance(client.associate(), AssociationAccepted)
        now = dt.datetime.now(dt.UTC)
        selection = RangeDescriptor.by_clock(
            CosemDateTime.from_datetime(now - dt.timedelta(days=1)),
            CosemDateTime.from_datetime(now),
        ).to_access_descriptor()
        buffer = _value(client.get(7, PROFILE, 2, selection))
        columns = _value(client.get(7, PROFILE, 3))
        client.release()
    table = parse_buffer(buffer, lookup(7, 1).decode_attribute(3, columns))
    assert 95 <= len(table.rows) <= 97  # one day of 15-minute rows
    times = [row[0] for row in table.rows]
    assert times == sorted(times)
    energy = [row[2] for row in table.rows]
    assert energy == sorted(energy) and energy[-1] > energy[0]
    # the published counter moved past what the management client used
    assert _counter(sim) >= counter + 1


def test_profile_by_entry_and_selected_columns(sim: SimulatorThread) -> None:
    with Driver(sim.ports["wrapper"], management_settings(_counter(sim) + 1), client_sap=1) as c:
        assert isinstance(c.associate(), AssociationAccepted)
        entries = int(_value(c.get(7, PROFILE, 7)))
        assert entries >= 35 * 96
        last_two = _value(
            c.get(
                7,
                PROFILE,
                2,
                EntryDescriptor(
                    from_entry=entries - 1,
                    to_entry=entries,
                    from_selected_value=3,
                    to_selected_value=4,
                ).to_access_descriptor(),
            )
        )
        assert len(last_two) == 2 and all(len(row) == 2 for row in last_two)
        assert int(last_two[1][0]) >= int(last_two[0][0])
        energy = CaptureObjectDefinition(
            class_id=3, logical_name=Obis.parse("1.0.2.8.0.255"), attribute_index=2
        )
        now = dt.datetime.now(dt.UTC)
        window = RangeDescriptor.by_clock(
            CosemDateTime.from_datetime(now - dt.timedelta(hours=2)),
            CosemDateTime.from_datetime(now),
            selected_values=[energy],
        ).to_access_descriptor()
        rows = _value(c.get(7, PROFILE, 2, window))
        assert 7 <= len(rows) <= 9 and all(len(row) == 1 for row in rows)
        c.release()


def test_public_client_cannot_write_or_see_protected_objects(sim: SimulatorThread) -> None:
    with Driver(sim.ports["wrapper"], ClientSettings()) as public:
        assert isinstance(public.associate(), AssociationAccepted)
        time_now = _value(public.get(8, "0.0.1.0.0.255", 2))
        written = public.set(8, "0.0.1.0.0.255", 2, time_now)
        assert isinstance(written, SetResult)
        assert written.results == (DataAccessResult.READ_WRITE_DENIED,)
        hidden = public.get(7, PROFILE, 2)
        assert hidden.results == (DataAccessResult.OBJECT_UNDEFINED,)
        called = public.action(70, "0.0.96.3.10.255", 1, axdr.Integer(0))
        assert isinstance(called, ActionDone)
        assert called.results[0].result == ActionResult.OBJECT_UNDEFINED
        public.release()


def test_wrong_lls_password_is_rejected_with_authentication_failure(sim: SimulatorThread) -> None:
    settings = ClientSettings(mechanism=MechanismId.LOW, secret=b"wrong")
    with Driver(sim.ports["wrapper"], settings, client_sap=3) as client:
        rejected = client.associate()
    assert isinstance(rejected, AssociationRejected)
    assert rejected.diagnostic == AcseServiceUser.AUTHENTICATION_FAILURE


def test_wrong_hls_key_fails(sim: SimulatorThread) -> None:
    from dlmskit.security.keys import SecurityKeys

    bad = SecurityKeys(
        system_title=b"CLI\x00\x00\x00\x00\x02",
        global_unicast_key=bytes(range(16)),
        authentication_key=bytes(reversed(AK)),
    )
    settings = management_settings(_counter(sim) + 1, keys=bad)
    with Driver(sim.ports["wrapper"], settings, client_sap=1) as client:
        failed = client.associate()
    assert isinstance(failed, AuthenticationFailed | AssociationRejected), failed


def test_unknown_client_address_is_rejected(sim: SimulatorThread) -> None:
    with Driver(sim.ports["wrapper"], ClientSettings(), client_sap=0x22) as client:
        rejected = client.associate()
    assert isinstance(rejected, AssociationRejected)


def _ciphered_get(sim: SimulatorThread) -> tuple[Driver, bytes]:
    client = Driver(sim.ports["wrapper"], management_settings(_counter(sim) + 1), client_sap=1)
    assert isinstance(client.associate(), AssociationAccepted)
    _value(client.get(1, "0.0.42.0.0.255", 2))
    request = client.sent[-1]
    assert request[0] == 0xC8  # glo-get-request
    return client, request


def test_replayed_ciphered_request_is_refused(sim: SimulatorThread) -> None:
    client, request = _ciphered_get(sim)
    with client:
        answer = client.raw_exchange(request)
    assert answer is not None
    refused = decode(answer)
    assert isinstance(refused, ExceptionResponse), refused


def test_bit_flipped_ciphered_request_is_refused(sim: SimulatorThread) -> None:
    client, request = _ciphered_get(sim)
    forged = bytearray(request)
    forged[-3] ^= 0x04  # inside the tag
    forged[10] ^= 0x01  # and the counter: a fresh one, so only the tag can fail
    with client:
        answer = client.raw_exchange(bytes(forged))
        assert answer is not None and isinstance(decode(answer), ExceptionResponse)
        # the association still works afterwards
        assert bytes(_value(client.get(1, "0.0.42.0.0.255", 2))).startswith(b"DLK")


def test_management_sets_the_clock_and_disconnects(sim: SimulatorThread) -> None:
    with Driver(sim.ports["wrapper"], management_settings(_counter(sim) + 1), client_sap=1) as c:
        assert isinstance(c.associate(), AssociationAccepted)
        target = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))
        stamp = axdr.OctetString(CosemDateTime.from_datetime(target).to_bytes())
        assert c.set(8, "0.0.1.0.0.255", 2, stamp).results == (DataAccessResult.SUCCESS,)
        read_back = CosemDateTime.from_bytes(bytes(_value(c.get(8, "0.0.1.0.0.255", 2))))
        assert abs((read_back.to_datetime() - target).total_seconds()) < 5
        wrong_type = c.set(8, "0.0.1.0.0.255", 2, axdr.Unsigned(1))
        assert wrong_type.results == (DataAccessResult.TYPE_UNMATCHED,)
        assert c.action(70, "0.0.96.3.10.255", 1, axdr.Integer(0)).results[0].result == 0
        assert _value(c.get(70, "0.0.96.3.10.255", 2)) is False or not _value(
            c.get(70, "0.0.96.3.10.255", 2)
        )
        assert c.action(70, "0.0.96.3.10.255", 2, axdr.Integer(0)).results[0].result == 0
        assert bool(_value(c.get(70, "0.0.96.3.10.255", 2)))
        # put the clock back for the other tests
        back = axdr.OctetString(CosemDateTime.from_datetime(dt.datetime.now(dt.UTC)).to_bytes())
        assert c.set(8, "0.0.1.0.0.255", 2, back).results == (DataAccessResult.SUCCESS,)
        c.release()


def test_fuzzed_frames_on_one_connection_while_another_reads(sim: SimulatorThread) -> None:
    import random

    rng = random.Random(8)
    with Driver(sim.ports["hdlc"], ClientSettings(), transport="hdlc") as reader:
        assert isinstance(reader.associate(), AssociationAccepted)
        for round_ in range(20):
            for port in (sim.ports["hdlc"], sim.ports["wrapper"]):
                with socket.create_connection(("127.0.0.1", port), timeout=2) as noise:
                    junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
                    if round_ % 3 == 0:
                        junk = b"\x7e\xa0\x0a" + junk + b"\x7e"
                    elif round_ % 3 == 1:
                        junk = b"\x00\x01\x00\x10\x00\x01\x00\x20" + junk
                    noise.sendall(junk)
            assert bytes(_value(reader.get(1, "0.0.42.0.0.255", 2))).startswith(b"DLK")
        reader.release()


def test_hdlc_with_a_large_window_and_information_field(sim: SimulatorThread) -> None:
    parameters = HdlcParameters(
        max_info_transmit=2030, max_info_receive=2030, window_transmit=7, window_receive=7
    )
    settings = management_settings(_counter(sim) + 1)
    with Driver(
        sim.ports["hdlc"], settings, transport="hdlc", client_sap=1, hdlc_parameters=parameters
    ) as client:
        assert isinstance(client.associate(), AssociationAccepted)
        rows = _value(client.get(7, PROFILE, 2))
        assert len(rows) >= 35 * 96
        client.release()


def test_image_transfer_to_activation(tmp_path: object) -> None:
    image = bytes(range(256)) * 5  # 1,280 bytes: 7 blocks of 192
    with running(inactivity_timeout=30) as sim:
        sim.call(lambda: None)
        obj = "0.0.44.0.0.255"
        with Driver(sim.ports["wrapper"], management_settings(1), client_sap=1) as c:
            assert isinstance(c.associate(), AssociationAccepted)
            size = int(_value(c.get(18, obj, 2)))
            init = axdr.Structure((axdr.OctetString(b"FW-2"), axdr.DoubleLongUnsigned(len(image))))
            assert c.action(18, obj, 1, init).results[0].result == ActionResult.SUCCESS
            blocks = [image[i : i + size] for i in range(0, len(image), size)]
            for number, block in enumerate(blocks):
                if number == 3:
                    continue  # a lost block
                parameters = axdr.Structure(
                    (axdr.DoubleLongUnsigned(number), axdr.OctetString(block))
                )
                assert c.action(18, obj, 2, parameters).results[0].result == ActionResult.SUCCESS
            assert int(_value(c.get(18, obj, 4))) == 3
            verify = c.action(18, obj, 3, axdr.Integer(0)).results[0].result
            assert verify == ActionResult.OTHER_REASON  # a block is missing
        # resumed in a new association, from the first block not transferred
        with Driver(sim.ports["wrapper"], management_settings(1000), client_sap=1) as c:
            assert isinstance(c.associate(), AssociationAccepted)
            first = int(_value(c.get(18, obj, 4)))
            assert first == 3
            parameters = axdr.Structure((axdr.DoubleLongUnsigned(3), axdr.OctetString(blocks[3])))
            assert c.action(18, obj, 2, parameters).results[0].result == ActionResult.SUCCESS
            assert c.action(18, obj, 3, axdr.Integer(0)).results[0].result == (
                ActionResult.TEMPORARY_FAILURE
            )
            deadline = time.time() + 5
            while c.action(18, obj, 3, axdr.Integer(0)).results[0].result != 0:
                assert time.time() < deadline
                time.sleep(0.2)
            assert int(_value(c.get(18, obj, 6))) == 3  # verification successful
            assert c.action(18, obj, 4, axdr.Integer(0)).results[0].result == (
                ActionResult.TEMPORARY_FAILURE
            )
            with pytest.raises((ConnectionError, TimeoutError)):
                for _ in range(50):  # the meter restarts: the link drops
                    c.get(18, obj, 6)
                    time.sleep(0.1)
        with Driver(sim.ports["wrapper"], ClientSettings()) as public:
            assert isinstance(public.associate(), AssociationAccepted)
            assert bytes(_value(public.get(1, "1.0.0.2.0.255", 2))) == b"FW-2"
            public.release()


def test_clients_that_vanish_mid_transfer_and_many_concurrent_readers(
    sim: SimulatorThread,
) -> None:
    import threading

    # a management client starts the long profile read and vanishes mid-transfer
    client = Driver(
        sim.ports["hdlc"], management_settings(_counter(sim) + 1), transport="hdlc", client_sap=1
    )
    assert isinstance(client.associate(), AssociationAccepted)
    whole_profile = CosemAttributeDescriptor(
        class_id=7, instance_id=Obis.parse(PROFILE), attribute_id=2
    )
    client.session.send(Get(descriptor=whole_profile), time.time())
    client._flush()
    time.sleep(0.05)
    client.sock.close()
    errors: list[BaseException] = []

    def read(transport: str) -> None:
        try:
            with Driver(sim.ports[transport], ClientSettings(), transport=transport) as public:
                assert isinstance(public.associate(), AssociationAccepted)
                for _ in range(5):
                    assert bytes(_value(public.get(1, "0.0.42.0.0.255", 2))).startswith(b"DLK")
                public.release()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(TRANSPORTS[i % 3],)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors[:3]


def test_key_transfer_changes_the_key_for_new_associations() -> None:
    from dlmskit.security.keys import SecurityKeys
    from dlmskit.security.setup import KeyId, build_key_transfer

    kek = bytes.fromhex("1112131415161718191A1B1C1D1E1F10")
    new_ek = bytes(range(0x60, 0x70))
    with running() as sim:
        with Driver(sim.ports["wrapper"], management_settings(1), client_sap=1) as c:
            assert isinstance(c.associate(), AssociationAccepted)
            transfer = build_key_transfer(kek, {KeyId.GLOBAL_UNICAST: new_ek}).to_data()
            done = c.action(64, "0.0.43.0.0.255", 2, transfer)
            assert done.results[0].result == ActionResult.SUCCESS
            bad = c.action(64, "0.0.43.0.0.255", 2, axdr.Integer(1))
            assert bad.results[0].result != ActionResult.SUCCESS
            c.release()
        new_keys = SecurityKeys(
            system_title=b"CLI\x00\x00\x00\x00\x01",
            global_unicast_key=new_ek,
            authentication_key=AK,
        )
        with Driver(
            sim.ports["wrapper"], management_settings(100, keys=new_keys), client_sap=1
        ) as c:
            assert isinstance(c.associate(), AssociationAccepted)
            c.release()
        with Driver(sim.ports["wrapper"], management_settings(200), client_sap=1) as c:
            assert not isinstance(c.associate(), AssociationAccepted)  # the old key is gone


def test_frames_are_logged_without_secrets(
    sim: SimulatorThread, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="dlmskit.frames"):
        settings = ClientSettings(mechanism=MechanismId.LOW, secret=b"12345678")
        with Driver(sim.ports["wrapper"], settings, client_sap=3) as client:
            assert isinstance(client.associate(), AssociationAccepted)
            client.release()
        with Driver(
            sim.ports["hdlc"],
            management_settings(_counter(sim, "hdlc") + 1),
            transport="hdlc",
            client_sap=1,
        ) as client:
            assert isinstance(client.associate(), AssociationAccepted)
            client.release()
    text = caplog.text.lower()
    assert "c→s 60" in text and "s→c" in text  # the AARQ and answers were traced
    for secret in (
        "12345678",
        "31 32 33 34 35 36 37 38",
        "00 01 02 03 04 05 06 07 08 09 0a",
        "d0 d1 d2 d3 d4 d5 d6 d7",
        "000102030405060708090a0b0c0d0e0f",
    ):
        assert secret not in text
