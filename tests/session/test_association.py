"""Client and server sessions against each other, over real HDLC link machines and over
the TCP wrapper (tests/session/_pair.py), with seeded loss on HDLC."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu import Apdu, access, decode, get, sn
from dlmskit.apdu.acse import AARQ
from dlmskit.apdu.action import ActionResponseWithOptionalData as ApduActionResponse
from dlmskit.apdu.common import (
    ActionResult as ApduActionResult,
)
from dlmskit.apdu.common import (
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    DataAccessResult,
)
from dlmskit.apdu.gbt import GeneralBlockTransfer
from dlmskit.apdu.get import CosemAttributeDescriptorWithSelection, Data
from dlmskit.apdu.initiate import Conformance
from dlmskit.errors import DecodeError, LocalProtocolError
from dlmskit.link.hdlc import HdlcParameters
from dlmskit.link.wrapper import WrapperPdu
from dlmskit.obis import Obis
from dlmskit.security import keys
from dlmskit.security.ciphering import Envelope
from dlmskit.security.context import Policy, SecurityContext
from dlmskit.security.counters import MemoryCounterStore, OutgoingCounter
from dlmskit.security.keys import SecurityKeys
from dlmskit.security.mechanisms import SAPHIR_ENERDIS_SHA256, MechanismId
from dlmskit.session import (
    Access,
    AccessResult,
    Action,
    ActionResult,
    ActionWithList,
    Associate,
    AssociationAccepted,
    AssociationConfig,
    AssociationEstablished,
    AssociationRejected,
    AuthenticationFailed,
    ClientSession,
    ClientSettings,
    ClientState,
    DataNotificationReceived,
    ExceptionReceived,
    Get,
    GetRequested,
    GetResult,
    GetWithList,
    MethodCall,
    ProtocolViolation,
    Read,
    ReadResult,
    Referencing,
    Release,
    Released,
    ServerSession,
    ServerSettings,
    ServerState,
    Set,
    SetResult,
    SetWithList,
    Write,
    WriteResult,
)
from tests.session._pair import Objects, Pair
from tests.vectors import item_bytes, record

REGISTER = CosemAttributeDescriptor(
    class_id=3, instance_id=Obis(1, 0, 1, 8, 0, 255), attribute_id=2
)
NAME = CosemAttributeDescriptor(class_id=1, instance_id=Obis(0, 0, 42, 0, 0, 255), attribute_id=2)
MISSING = CosemAttributeDescriptor(
    class_id=1, instance_id=Obis(0, 0, 96, 1, 0, 255), attribute_id=2
)
PROFILE = CosemAttributeDescriptor(
    class_id=7, instance_id=Obis(1, 0, 99, 1, 0, 255), attribute_id=2
)
RESET = CosemMethodDescriptor(class_id=3, instance_id=Obis(1, 0, 1, 8, 0, 255), method_id=1)

TRANSPORTS = ["hdlc", "wrapper"]


def key(descriptor: CosemAttributeDescriptor) -> tuple[int, bytes, int]:
    return (descriptor.class_id, descriptor.instance_id.to_bytes(), descriptor.attribute_id)


def objects() -> Objects:
    return Objects(
        values={
            key(REGISTER): axdr.DoubleLongUnsigned(123456),
            key(NAME): axdr.OctetString(b"DLMSKIT0001"),
        }
    )


def settings(
    mechanism: MechanismId = MechanismId.LOWEST, secret: bytes | None = None
) -> tuple[ClientSettings, ServerSettings]:
    client = ClientSettings(mechanism=mechanism, secret=secret, max_receive_pdu_size=512)
    server = ServerSettings(
        associations={
            16: AssociationConfig(mechanism=mechanism, secret=secret, conformance=0x00FE1F)
        }
    )
    return client, server


def associate(pair: Pair) -> AssociationAccepted:
    pair.connect()
    event = pair.call(Associate())
    assert isinstance(event, AssociationAccepted), event
    assert pair.client.state is ClientState.ASSOCIATED
    assert pair.server.state is ServerState.ASSOCIATED
    assert any(isinstance(e, AssociationEstablished) for e in pair.server_events)
    return event


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("mechanism", "secret"), [(MechanismId.LOWEST, None), (MechanismId.LOW, b"12345678")]
)
def test_every_service_variant_and_release(
    transport: str, mechanism: MechanismId, secret: bytes | None
) -> None:
    client, server = settings(mechanism, secret)
    pair = Pair(client, server, transport=transport, objects=objects())  # type: ignore[arg-type]
    accepted = associate(pair)
    assert accepted.conformance == 0x00FE1F & client.conformance

    result = pair.call(Get(descriptor=REGISTER))
    assert result == GetResult(invoke_id=1, results=(Data(axdr.DoubleLongUnsigned(123456)),))

    result = pair.call(
        GetWithList(
            items=(
                CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=NAME),
                CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=MISSING),
            )
        )
    )
    assert isinstance(result, GetResult)
    assert result.results == (
        Data(axdr.OctetString(b"DLMSKIT0001")),
        DataAccessResult.OBJECT_UNDEFINED,
    )

    result = pair.call(Set(descriptor=REGISTER, value=axdr.DoubleLongUnsigned(0)))
    assert result == SetResult(invoke_id=1, results=(DataAccessResult.SUCCESS,))
    assert pair.objects.values[key(REGISTER)] == axdr.DoubleLongUnsigned(0)

    result = pair.call(
        SetWithList(
            items=(
                CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=NAME),
                CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=MISSING),
            ),
            values=(axdr.OctetString(b"renamed"), axdr.Unsigned(1)),
        )
    )
    assert isinstance(result, SetResult)
    assert result.results == (DataAccessResult.SUCCESS, DataAccessResult.OBJECT_UNDEFINED)

    result = pair.call(Action(descriptor=RESET, parameters=axdr.Integer(0)))
    assert isinstance(result, ActionResult)
    assert result.result.result == ApduActionResult.SUCCESS
    assert result.result.return_parameters == Data(axdr.Integer(0))

    result = pair.call(
        ActionWithList(
            calls=(
                MethodCall(descriptor=RESET),
                MethodCall(descriptor=RESET, parameters=axdr.Integer(7)),
            )
        )
    )
    assert isinstance(result, ActionResult)
    assert [r.return_parameters for r in result.results] == [Data(None), Data(axdr.Integer(7))]

    assert pair.call(Release()) == Released(reason="rlre")
    assert pair.client.state is ClientState.IDLE
    assert pair.server.state is ServerState.IDLE
    assert Released(reason="peer") in pair.server_events
    # and again: a session object serves any number of associations
    assert isinstance(pair.call(Associate()), AssociationAccepted)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_wrong_lls_password_is_rejected(transport: str) -> None:
    client = ClientSettings(mechanism=MechanismId.LOW, secret=b"wrong")
    _, server = settings(MechanismId.LOW, b"12345678")
    pair = Pair(client, server, transport=transport)  # type: ignore[arg-type]
    pair.connect()
    event = pair.call(Associate())
    assert isinstance(event, AssociationRejected)
    assert event.diagnostic.name == "AUTHENTICATION_FAILURE"
    assert pair.server.state is ServerState.IDLE


@pytest.mark.parametrize("client_pdu", [0xFFFF, 256], ids=["normal", "datablocks"])
def test_lazy_get_keeps_the_answer_undecoded(client_pdu: int) -> None:
    """Get(lazy=True) (what the client's profile read uses): the answer's Data carries the
    bytes received and decodes its value only when asked, in one get-response-normal or
    joined from datablocks; it equals the eager answer. A malformed value is then a
    DecodeError where it is used (the eager Get reports it as a protocol violation)."""
    rows = axdr.Array(
        axdr.Structure((axdr.DoubleLongUnsigned(i), axdr.OctetString(bytes([i % 256]) * 12)))
        for i in range(60)
    )
    model = Objects(values={key(PROFILE): rows})
    client = ClientSettings(max_receive_pdu_size=client_pdu)
    server = ServerSettings(associations={16: AssociationConfig(conformance=0x00FE1F)})
    pair = Pair(client, server, transport="wrapper", objects=model)
    associate(pair)
    lazy = pair.call(Get(descriptor=PROFILE, lazy=True))
    eager = pair.call(Get(descriptor=PROFILE))
    assert isinstance(lazy, GetResult) and isinstance(eager, GetResult)
    assert lazy.result.raw == axdr.encode(rows)  # type: ignore[union-attr]
    assert lazy.result == eager.result == Data(rows)
    assert lazy.result.value == rows  # type: ignore[union-attr]

    # A server whose answer does not decode: an array of 2 holding one integer.
    broken = Data(axdr.Array(()), raw=b"\x01\x02\x0f\x01")

    def answer(event: object) -> Apdu | None:
        if not isinstance(event, GetRequested):
            return None
        request = event.request
        assert isinstance(request, get.GetRequestNormal)
        return get.GetResponseNormal(
            invoke_id_and_priority=request.invoke_id_and_priority, result=broken
        )

    pair = Pair(client, server, transport="wrapper", answer=answer)
    associate(pair)
    lazy = pair.call(Get(descriptor=PROFILE, lazy=True))
    assert isinstance(lazy, GetResult)
    with pytest.raises(DecodeError, match="expected a data type tag"):
        lazy.result.value  # type: ignore[union-attr]  # noqa: B018 - decodes on access
    assert isinstance(pair.call(Get(descriptor=PROFILE)), ProtocolViolation)


@pytest.mark.parametrize("seed", range(4))
def test_large_get_in_datablocks_over_lossy_hdlc(seed: int) -> None:
    """A 20 kB profile buffer read through a 256-byte client PDU: the server cuts it in
    datablocks, the client asks for each with get-request-next; HDLC frames of 128 bytes,
    window 3, 5 % of them lost or corrupted (seeded)."""
    rows = axdr.Array(
        axdr.Structure((axdr.DoubleLongUnsigned(i), axdr.OctetString(bytes([i % 256]) * 12)))
        for i in range(800)
    )
    model = Objects(values={key(PROFILE): rows})
    client = ClientSettings(max_receive_pdu_size=256)
    server = ServerSettings(associations={16: AssociationConfig(conformance=0x00FE1F)})
    pair = Pair(
        client,
        server,
        objects=model,
        loss=0.05,
        seed=seed,
        hdlc_parameters=HdlcParameters(
            max_info_transmit=128, max_info_receive=128, window_transmit=3, window_receive=3
        ),
    )
    associate(pair)
    result = pair.call(Get(descriptor=PROFILE))
    assert isinstance(result, GetResult)
    assert result.result == Data(rows)
    blocks = [a for d, a in pair.apdus if d == "s" and a[:2] == b"\xc4\x02"]
    assert len(blocks) > 50
    assert all(len(a) <= 256 for d, a in pair.apdus if d == "s")


def test_release_by_disconnect_quirk() -> None:
    client = ClientSettings(release_by_disconnect=True)
    _, server = settings()
    pair = Pair(client, server)
    associate(pair)
    before = len(pair.apdus)
    assert pair.call(Release()) == Released(reason="disconnect")
    assert len(pair.apdus) == before  # nothing on the wire
    pair.client_link.disconnect(pair.now)
    pair.run_until(lambda: pair.client_link.state.name == "DISCONNECTED")
    pair.server.connection_lost(pair.now)
    assert pair.server.state is ServerState.IDLE


# --- HLS (stage 2) ---------------------------------------------------------------------------

EK = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
AK = bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")
CLIENT_ST = bytes.fromhex("4D4D4D0000000001")
SERVER_ST = bytes.fromhex("4D4D4D0000BC614E")


def counter(initial: int = 0) -> OutgoingCounter:
    return OutgoingCounter(MemoryCounterStore(), "global-unicast", initial=initial)


def hls_settings(
    mechanism: MechanismId, suite: int, *, client_secret: bytes = b"secret-1"
) -> tuple[ClientSettings, ServerSettings]:
    length = 32 if suite == 2 else 16
    ek, ak = bytes(range(length)), bytes(range(100, 100 + length))
    client_keys = SecurityKeys(
        system_title=CLIENT_ST, suite=suite, global_unicast_key=ek, authentication_key=ak
    )
    server_keys = SecurityKeys(
        system_title=SERVER_ST, suite=suite, global_unicast_key=ek, authentication_key=ak
    )
    client_private = server_private = None
    client_public = server_public = None
    if mechanism == MechanismId.HIGH_ECDSA:
        client_private = keys.generate_private_key(suite)
        server_private = keys.generate_private_key(suite)
        client_public = client_private.public_key()
        server_public = server_private.public_key()
    hls2 = SAPHIR_ENERDIS_SHA256 if mechanism == MechanismId.HIGH else None
    secret = None if mechanism in (5, 7) else b"secret-1"
    client = ClientSettings(
        mechanism=mechanism,
        secret=None if secret is None else client_secret,
        keys=client_keys,
        outgoing_counter=counter(),
        private_key=client_private,
        server_public_key=server_public,
        hls2=hls2,
    )
    server = ServerSettings(
        associations={
            16: AssociationConfig(
                mechanism=mechanism,
                secret=secret,
                conformance=0x00FE1F,
                client_public_key=client_public,
                hls2=hls2,
            )
        },
        keys=server_keys,
        outgoing_counter=counter(1000),
        private_key=server_private,
    )
    return client, server


HLS_CASES = [(m, s) for m in range(2, 8) for s in (0, 1, 2) if not (m == 7 and s == 0)]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("mechanism", "suite"), HLS_CASES)
def test_hls_mechanisms(mechanism: int, suite: int, transport: Literal["hdlc", "wrapper"]) -> None:
    """Mechanisms 2-6 in suites 0-2 and 7 in suites 1 and 2, over HDLC and the wrapper:
    AARQ/AARE with the challenges, pass 3 (ACTION on 0.0.40.0.0.255 method 1), pass 4,
    then a GET."""
    client, server = hls_settings(MechanismId(mechanism), suite)
    pair = Pair(client, server, objects=objects(), transport=transport)
    accepted = associate(pair)
    assert accepted.server_system_title == SERVER_ST
    hls_action = [a for d, a in pair.apdus if d == "c"][1]
    assert hls_action[:12] == bytes.fromhex("C301C1000F0000280000FF01")
    result = pair.call(Get(descriptor=REGISTER))
    assert isinstance(result, GetResult)
    assert result.result == Data(axdr.DoubleLongUnsigned(123456))


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("mechanism", [2, 3, 4, 6])
def test_hls_wrong_secret_fails_on_both_sides(transport: str, mechanism: int) -> None:
    client, server = hls_settings(MechanismId(mechanism), 0, client_secret=b"secret-2")
    pair = Pair(client, server, transport=transport)  # type: ignore[arg-type]
    pair.connect()
    event = pair.call(Associate())
    assert isinstance(event, AuthenticationFailed)
    assert pair.client.state is ClientState.IDLE
    assert pair.server.state is ServerState.IDLE
    assert any(isinstance(e, AuthenticationFailed) for e in pair.server_events)
    # a GET now is refused by the server (no association): service-not-allowed
    pair.client.send(Associate(), pair.now)  # the client may try again


def test_hls_ecdsa_with_the_wrong_server_key_fails_on_the_client() -> None:
    client, server = hls_settings(MechanismId.HIGH_ECDSA, 1)
    other = keys.generate_private_key(1).public_key()
    client = replace(client, server_public_key=other)
    pair = Pair(client, server)
    pair.connect()
    event = pair.call(Associate())
    assert isinstance(event, AuthenticationFailed)
    assert pair.client.state is ClientState.IDLE
    # the server, which verified pass 3, believes the association is open
    assert pair.server.state is ServerState.ASSOCIATED


def test_request_before_pass_3_is_refused_by_the_server() -> None:
    """Green Book 9.4.4: in the pending association only reply_to_HLS_authentication."""
    client, server = hls_settings(MechanismId.HIGH_MD5, 0)
    session = ServerSession(server, client_sap=16)
    aarq = ClientSession(client)
    aarq.send(Associate(), 0.0)
    session.receive_apdu(aarq.data_to_send()[0], 0.0)
    session.data_to_send()
    assert session.state is ServerState.AUTHENTICATING
    session.receive_apdu(bytes.fromhex("C001C100080000010000FF0200"), 0.0)
    assert session.data_to_send() == [bytes.fromhex("D80101")]
    assert session.state is ServerState.AUTHENTICATING


def test_sec01_hls_gmac_exchange_byte_for_byte() -> None:
    """SEC-01 (Green Book HLS-5 example; u9n/dlms-cosem tests/test_security.py and
    arabine/opendlms tests/test_aes128gcm.cpp) with XDLMS-42/43 (opendlms simulator trace):
    the AARQ, the pass-3 ACTION and the pass-4 answer, with CtoS 'K56iVagY', StoC
    'P6wRJ21F', client IC 1 and server IC 0x01234567."""
    sec = record("SEC-01")
    client_keys = SecurityKeys(system_title=CLIENT_ST, global_unicast_key=EK, authentication_key=AK)
    server_keys = SecurityKeys(system_title=SERVER_ST, global_unicast_key=EK, authentication_key=AK)
    client = ClientSettings(
        mechanism=MechanismId.HIGH_GMAC,
        keys=client_keys,
        outgoing_counter=counter(1),
        conformance=0x62FEDF,
        challenge_length=8,
        random=lambda n: b"K56iVagY",
    )
    server = ServerSettings(
        associations={1: AssociationConfig(mechanism=MechanismId.HIGH_GMAC, conformance=0x001010)},
        keys=server_keys,
        outgoing_counter=counter(0x01234567),
        challenge_length=8,
        random=lambda n: b"P6wRJ21F",
    )
    pair = Pair(client, server, transport="wrapper", client_sap=1)
    associate(pair)
    client_apdus = [a for d, a in pair.apdus if d == "c"]
    server_apdus = [a for d, a in pair.apdus if d == "s"]
    assert client_apdus[0] == WrapperPdu.decode(item_bytes("XDLMS", 42)).apdu
    assert client_apdus[1] == bytes.fromhex(sec["pass3_action_request_example"])
    assert server_apdus[1] == bytes.fromhex(sec["pass4_action_response_example"])
    assert server_apdus[1] == WrapperPdu.decode(item_bytes("XDLMS", 43)).apdu


# --- ciphering (stage 3) ---------------------------------------------------------------------

GREEN_BOOK_ST = bytes.fromhex("4D4D4D0000BC614E")  # SEC-02/03/04
DEDICATED = bytes.fromhex("00112233445566778899AABBCCDDEEFF")  # SEC-03 decrypted initiate


class FixedCounter(OutgoingCounter):
    """Hands out the same invocation counter every time: only to reproduce vectors whose
    frames all use IC 0x01234567 (SEC-03 and SEC-04); never a real counter."""

    def __init__(self, value: int) -> None:
        super().__init__(MemoryCounterStore(), "fixed", initial=value)
        self.value = value

    def next(self) -> int:
        return self.value


def sec03_client(outgoing: OutgoingCounter | None = None) -> ClientSettings:
    return ClientSettings(
        mechanism=MechanismId.LOW,
        secret=b"12345678",
        conformance=0x007E1F,
        max_receive_pdu_size=0x04B0,
        keys=SecurityKeys(system_title=GREEN_BOOK_ST, global_unicast_key=EK, authentication_key=AK),
        outgoing_counter=outgoing or FixedCounter(0x01234567),
        policy=Policy(envelope=Envelope.DED),
        use_dedicated_key=True,
        dedicated_key=DEDICATED,
    )


def sec04_server(outgoing: OutgoingCounter | None = None) -> ServerSettings:
    return ServerSettings(
        associations={
            16: AssociationConfig(
                mechanism=MechanismId.LOW,
                secret=b"12345678",
                conformance=0x007C1F,
                policy=Policy(envelope=Envelope.DED),
            )
        },
        max_receive_pdu_size=0x0400,
        keys=SecurityKeys(system_title=GREEN_BOOK_ST, global_unicast_key=EK, authentication_key=AK),
        outgoing_counter=outgoing or FixedCounter(0x01234567),
    )


def test_sec03_ciphered_aarq_byte_for_byte() -> None:
    """SEC-03 (u9n/dlms-cosem tests/test_asce/test_aarq.py, Green Book example): LN with
    ciphering, LLS '12345678', calling AP title 4D4D4D0000BC614E, glo-initiate-request
    (SC 0x30, IC 0x01234567) carrying the dedicated key."""
    session = ClientSession(sec03_client())
    session.send(Associate(), 0.0)
    assert session.data_to_send() == [bytes.fromhex(record("SEC-03")["aarq"])]


def test_sec03_aarq_accepted_by_the_server_and_sec04_release() -> None:
    """The server takes the SEC-03 AARQ (deciphers the InitiateRequest, learns the
    dedicated key); SEC-04: the RLRQ a client sends then carries the same glo-initiate
    (byte for byte with the fixed counter), and the server's RLRE is SEC-04's
    (InitiateResponse 007C1F / 0x0400 ciphered under 4D4D4D0000BC614E, IC 0x01234567)."""
    sec04 = record("SEC-04")
    server = ServerSession(
        sec04_server(),
        client_sap=16,
    )
    server.receive_apdu(bytes.fromhex(record("SEC-03")["aarq"]), 0.0)
    [aare] = server.data_to_send()
    assert server.state is ServerState.ASSOCIATED

    client = ClientSession(sec03_client())
    client.send(Associate(), 0.0)
    client.data_to_send()
    client.receive_apdu(aare, 0.0)
    accepted = client.next_event()
    assert isinstance(accepted, AssociationAccepted)
    assert accepted.conformance == 0x007C1F
    client.send(Release(), 0.0)
    [rlrq] = client.data_to_send()
    assert rlrq == bytes.fromhex(sec04["rlrq"])

    # The server saw IC 0x01234567 in the AARQ: the same counter again is a replay, so
    # the release it answers comes from a client one counter further on.
    later = ClientSession(sec03_client(FixedCounter(0x01234568)))
    later.send(Associate(), 0.0)
    later.data_to_send()
    later.receive_apdu(aare, 0.0)
    later.next_event()
    later.send(Release(), 0.0)
    server.receive_apdu(later.data_to_send()[0], 0.0)
    assert server.data_to_send() == [bytes.fromhex(sec04["rlre"])]
    assert server.state is ServerState.IDLE
    # The first client's AARE came with IC 0x01234567 too: the RLRE's counter is a replay,
    # reported, and the association is released all the same.
    client.receive_apdu(bytes.fromhex(sec04["rlre"]), 0.0)
    replay = client.next_event()
    assert isinstance(replay, ProtocolViolation) and "replay" in replay.reason
    assert client.next_event() == Released(reason="rlre")


def test_sec02_glo_get_request_reaches_the_server_application() -> None:
    """SEC-02 (u9n/dlms-cosem tests/test_security.py): the authenticated and encrypted
    glo-get-request of clock.time from 4D4D4D0000BC614E, IC 0x01234567, after an
    association whose AARQ used a lower counter."""
    settings = replace(
        sec04_server(counter(5)),
        associations={
            16: AssociationConfig(
                mechanism=MechanismId.LOW, secret=b"12345678", conformance=0x007C1F, policy=Policy()
            )
        },
    )
    server = ServerSession(settings, client_sap=16)
    client = ClientSession(
        replace(
            sec03_client(counter(0x01234000)),
            policy=Policy(),
            use_dedicated_key=False,
            dedicated_key=None,
        )
    )
    client.send(Associate(), 0.0)
    server.receive_apdu(client.data_to_send()[0], 0.0)
    server.data_to_send()
    server.next_event()
    server.receive_apdu(bytes.fromhex(record("SEC-02")["full_glo_get_request_apdu"]), 0.0)
    event = server.next_event()
    assert isinstance(event, GetRequested)
    assert event.request.to_bytes() == bytes.fromhex(record("SEC-02")["plaintext_apdu"])
    # the same frame again is a replay: deciphering-error, nothing for the application
    server.receive_apdu(bytes.fromhex(record("SEC-02")["full_glo_get_request_apdu"]), 0.0)
    # invocation-counter-error carrying the lowest counter the server takes (0x01234568)
    assert server.data_to_send()[-1] == bytes.fromhex("D8010601234568")
    assert isinstance(server.next_event(), ProtocolViolation)


POLICIES = [
    Policy(),
    Policy(authenticated=True, encrypted=False),
    Policy(authenticated=False, encrypted=True),
    Policy(envelope=Envelope.DED),
    Policy(envelope=Envelope.GENERAL_GLO),
    Policy(envelope=Envelope.GENERAL_DED),
]


@pytest.mark.parametrize("suite", [0, 1, 2])
@pytest.mark.parametrize(
    "policy", POLICIES, ids=lambda p: f"{p.envelope.value}-{int(p.authenticated)}{int(p.encrypted)}"
)
@pytest.mark.parametrize("mechanism", [MechanismId.LOW, MechanismId.HIGH_GMAC])
def test_ciphered_associations(suite: int, policy: Policy, mechanism: MechanismId) -> None:
    """Every envelope and protection, suites 0-2, LLS and HLS-GMAC: association, GET,
    SET, ACTION and release, every xDLMS APDU on the wire ciphered; counters advance."""
    length = 32 if suite == 2 else 16
    ek, ak = bytes(range(length)), bytes(range(50, 50 + length))
    dedicated = policy.envelope in (Envelope.DED, Envelope.GENERAL_DED)
    secret = b"12345678" if mechanism == MechanismId.LOW else None
    client_counter = counter(10)
    client = ClientSettings(
        mechanism=mechanism,
        secret=secret,
        keys=SecurityKeys(
            system_title=CLIENT_ST, suite=suite, global_unicast_key=ek, authentication_key=ak
        ),
        outgoing_counter=client_counter,
        policy=policy,
        use_dedicated_key=dedicated,
        random=lambda n: bytes(range(n)),
    )
    server = ServerSettings(
        associations={
            16: AssociationConfig(
                mechanism=mechanism, secret=secret, conformance=0x00FE1F, policy=policy
            )
        },
        keys=SecurityKeys(
            system_title=SERVER_ST, suite=suite, global_unicast_key=ek, authentication_key=ak
        ),
        outgoing_counter=counter(100),
    )
    pair = Pair(client, server, objects=objects(), transport="wrapper")
    associate(pair)
    assert pair.call(Get(descriptor=REGISTER)) == GetResult(
        invoke_id=1, results=(Data(axdr.DoubleLongUnsigned(123456)),)
    )
    assert pair.call(Set(descriptor=REGISTER, value=axdr.DoubleLongUnsigned(1))) == SetResult(
        invoke_id=1, results=(DataAccessResult.SUCCESS,)
    )
    assert isinstance(pair.call(Action(descriptor=RESET)), ActionResult)
    assert pair.call(Release()) == Released(reason="rlre")
    xdlms = [a for _, a in pair.apdus if a[0] not in (0x60, 0x61, 0x62, 0x63)]
    assert xdlms and all(
        a[0] in range(0x21, 0xE0) and a[0] not in (0xC0, 0xC1, 0xC3, 0xC4, 0xC5, 0xC7)
        for a in xdlms
    )
    assert client_counter.peek > 10 + 3


def lls_ciphered_pair(
    model: Objects | None = None, broadcast_key: bytes | None = None, **client_options: Any
) -> Pair:
    """An LLS association whose policy ciphers every APDU (authenticated and encrypted),
    over the wrapper, associated; ``broadcast_key`` gives both sides the global broadcast
    key."""

    def keys(own: bytes) -> SecurityKeys:
        return SecurityKeys(
            system_title=own,
            global_unicast_key=EK,
            authentication_key=AK,
            global_broadcast_key=broadcast_key,
        )

    client = ClientSettings(
        mechanism=MechanismId.LOW,
        secret=b"12345678",
        keys=keys(CLIENT_ST),
        outgoing_counter=counter(),
        policy=Policy(),
        **client_options,
    )
    server = ServerSettings(
        associations={
            16: AssociationConfig(mechanism=MechanismId.LOW, secret=b"12345678", policy=Policy())
        },
        keys=keys(SERVER_ST),
        outgoing_counter=counter(),
    )
    pair = Pair(client, server, transport="wrapper", objects=model)
    associate(pair)
    return pair


def test_plain_request_in_a_ciphered_association_is_refused() -> None:
    pair = lls_ciphered_pair()
    pair.server.receive_apdu(bytes.fromhex("C001C100080000010000FF0200"), pair.now)
    assert pair.server.data_to_send() == [bytes.fromhex("D80105")]
    # and a downgraded answer is refused by the client
    pair.client.send(Get(descriptor=REGISTER), pair.now)
    pair.client.data_to_send()
    pair.client.receive_apdu(bytes.fromhex("C401C10009020000"), pair.now)
    event = pair.client.next_event()
    assert isinstance(event, ProtocolViolation)
    assert pair.client.state is ClientState.ASSOCIATED


def test_unconfirmed_set_under_the_broadcast_key() -> None:
    """Set(confirmed=False, broadcast=True): ciphered with the global broadcast key (SC
    0x70, key-set bit), applied by the server, no answer. A confirmed request under the
    broadcast key is refused (ExceptionResponse, service-not-allowed), and the broadcast
    flag is only allowed on unconfirmed services."""
    broadcast_key = bytes(range(0x60, 0x70))
    model = objects()
    pair = lls_ciphered_pair(model, broadcast_key)
    before = len(pair.apdus)
    pair.client.send(
        Set(descriptor=REGISTER, value=axdr.DoubleLongUnsigned(7), confirmed=False, broadcast=True),
        pair.now,
    )
    pair.pump()
    sent = pair.apdus[before:]
    assert [side for side, _ in sent] == ["c"]  # no answer to an unconfirmed service
    glo_set = sent[0][1]
    assert glo_set[0] == 0xC9 and glo_set[2] == 0x70  # glo-set-request, SC 0x70
    assert model.values[key(REGISTER)] == axdr.DoubleLongUnsigned(7)
    with pytest.raises(ValueError, match="broadcast=True needs confirmed=False"):
        Set(descriptor=REGISTER, value=axdr.DoubleLongUnsigned(1), broadcast=True)
    # A confirmed GET ciphered with the broadcast key (crafted with the client's keys,
    # its counter above the ones the client used).
    sender = SecurityKeys(
        system_title=CLIENT_ST, authentication_key=AK, global_broadcast_key=broadcast_key
    )
    security = SecurityContext(sender, counter(1000), Policy())
    request = bytes.fromhex("C001C100030100010800FF0200")
    pair.server.receive_apdu(security.protect(request, broadcast=True).to_bytes(), pair.now)
    [answer] = pair.server.data_to_send()
    assert answer[0] == 0xD8  # ExceptionResponse
    assert model.values[key(REGISTER)] == axdr.DoubleLongUnsigned(7)


@pytest.mark.parametrize("accept", [False, True])
def test_plain_notification_in_a_ciphered_association(accept: bool) -> None:
    """A plain data-notification inside an association whose policy ciphers every APDU
    is a downgrade (anyone on the link could inject it): refused unless the
    ``accept_plain_notifications`` quirk is set; without ciphering it is always taken."""
    pair = lls_ciphered_pair(accept_plain_notifications=accept)
    push = bytes.fromhex("0F0000000100" + "0203" + "1100" + "1101" + "1102")
    pair.client.receive_apdu(push, pair.now)
    event = pair.client.next_event()
    if accept:
        assert isinstance(event, DataNotificationReceived)
    else:
        assert isinstance(event, ProtocolViolation)
        assert "not ciphered" in event.reason
    assert pair.client.state is ClientState.ASSOCIATED


# --- block transfer (stage 4) ----------------------------------------------------------------

BLOB = CosemAttributeDescriptor(class_id=1, instance_id=Obis(0, 0, 128, 0, 0, 255), attribute_id=2)
IMAGE_TRANSFER = CosemMethodDescriptor(
    class_id=18, instance_id=Obis(0, 0, 44, 0, 0, 255), method_id=2
)


def big_value(size: int, seed: int) -> axdr.OctetString:
    import random

    return axdr.OctetString(random.Random(seed).randbytes(size))


@pytest.mark.parametrize("seed", [1, 2])
def test_one_megabyte_each_way_in_blocks_over_lossy_hdlc(seed: int) -> None:
    """1 MB read with GET datablocks, written with SET datablocks and passed to an ACTION
    in pblocks, over HDLC (2030-byte frames, window 7) losing or corrupting 1 % of the
    frames (seeded); PDU sizes 0xFFFF (client) and 0x0800 (server)."""
    value = big_value(1024 * 1024, seed)
    model = Objects(values={key(BLOB): value})
    client = ClientSettings(max_receive_pdu_size=0xFFFF, request_timeout=None)
    server = ServerSettings(
        associations={16: AssociationConfig(conformance=0x00FE1F)}, max_receive_pdu_size=0x0800
    )
    pair = Pair(
        client,
        server,
        objects=model,
        loss=0.01,
        seed=seed,
        hdlc_parameters=HdlcParameters(
            max_info_transmit=2030, max_info_receive=2030, window_transmit=7, window_receive=7
        ),
    )
    associate(pair)
    result = pair.call(Get(descriptor=BLOB))
    assert result == GetResult(invoke_id=1, results=(Data(value),))

    written = big_value(1024 * 1024, seed + 100)
    result = pair.call(Set(descriptor=BLOB, value=written))
    assert result == SetResult(invoke_id=1, results=(DataAccessResult.SUCCESS,))
    assert model.values[key(BLOB)] == written
    client_apdus = [a for d, a in pair.apdus if d == "c"]
    assert all(len(a) <= 0x0800 for a in client_apdus)
    assert sum(a[:2] == b"\xc1\x03" for a in client_apdus) > 500  # set-request-with-datablock

    result = pair.call(Action(descriptor=IMAGE_TRANSFER, parameters=value))
    assert isinstance(result, ActionResult)
    assert result.result.result == ApduActionResult.SUCCESS
    assert model.calls[-1][3] == value
    assert pair.frames > 1000


@pytest.mark.parametrize("policy", [Policy(), Policy(envelope=Envelope.GENERAL_GLO)])
def test_blocks_are_protected_one_by_one(policy: Policy) -> None:
    """With ciphering, each datablock / pblock travels in its own ciphered APDU within
    the peer's max PDU size (the blocks are cut to leave room for the envelope)."""
    value = big_value(20_000, 7)
    model = Objects(values={key(BLOB): value})
    client = ClientSettings(
        mechanism=MechanismId.LOW,
        secret=b"12345678",
        keys=SecurityKeys(system_title=CLIENT_ST, global_unicast_key=EK, authentication_key=AK),
        outgoing_counter=counter(),
        policy=policy,
        max_receive_pdu_size=512,
    )
    server = ServerSettings(
        associations={
            16: AssociationConfig(
                mechanism=MechanismId.LOW, secret=b"12345678", conformance=0x00FE1F, policy=policy
            )
        },
        keys=SecurityKeys(system_title=SERVER_ST, global_unicast_key=EK, authentication_key=AK),
        outgoing_counter=counter(),
        max_receive_pdu_size=512,
    )
    pair = Pair(client, server, objects=model, transport="wrapper")
    associate(pair)
    assert pair.call(Get(descriptor=BLOB)) == GetResult(invoke_id=1, results=(Data(value),))
    assert pair.call(Set(descriptor=BLOB, value=big_value(20_000, 8))) == SetResult(
        invoke_id=1, results=(DataAccessResult.SUCCESS,)
    )
    assert isinstance(pair.call(Action(descriptor=IMAGE_TRANSFER, parameters=value)), ActionResult)
    assert all(len(a) <= 512 for _, a in pair.apdus)
    assert len(pair.apdus) > 3 * 40


def test_too_long_request_without_block_transfer_is_a_local_error() -> None:
    client = ClientSettings(conformance=0x000018)  # GET and SET, no block transfer
    _, server = settings()
    pair = Pair(client, server, transport="wrapper")
    associate(pair)
    with pytest.raises(LocalProtocolError):
        pair.client.send(Set(descriptor=BLOB, value=big_value(5000, 1)), pair.now)
    assert pair.client.pending_invoke_ids == ()


# --- SN, ACCESS, pre-established, unconfirmed, attribute 0 (stage 5) -------------------------

# SN: base names of the objects (Blue Book 4.1.3: attribute n of an object with base name
# b is at b + 8 * (n - 1)); attribute 2 of the register at 0x2000, of the name at 0x2100.
SN_REGISTER_VALUE = 0x2000 + 8
SN_NAME_VALUE = 0x2100 + 8


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_short_name_referencing(transport: str) -> None:
    """SN application context, readRequest / writeRequest / unconfirmedWriteRequest."""
    sn_conformance = Conformance.READ | Conformance.WRITE | Conformance.UNCONFIRMED_WRITE
    client = ClientSettings(referencing=Referencing.SHORT_NAME, conformance=sn_conformance)
    server = ServerSettings(
        associations={
            16: AssociationConfig(referencing=Referencing.SHORT_NAME, conformance=sn_conformance)
        }
    )
    model = objects()
    model.short_names = {SN_REGISTER_VALUE: key(REGISTER), SN_NAME_VALUE: key(NAME)}
    pair = Pair(client, server, transport=transport, objects=model)  # type: ignore[arg-type]
    accepted = associate(pair)
    assert accepted.vaa_name == 0xFA00  # Green Book: the SN association's base name
    aarq = decode(pair.apdus[0][1])
    assert isinstance(aarq, AARQ) and aarq.application_context_name == "2.16.756.5.8.1.2"

    result = pair.call(
        Read(
            items=(
                sn.VariableName(variable_name=SN_REGISTER_VALUE),
                sn.VariableName(variable_name=0x3000),
            )
        )
    )
    assert result == ReadResult(
        results=(
            sn.ReadData(data=axdr.DoubleLongUnsigned(123456)),
            DataAccessResult.OBJECT_UNDEFINED,
        )
    )
    result = pair.call(
        Write(
            items=(sn.VariableName(variable_name=SN_NAME_VALUE),),
            data=(axdr.OctetString(b"renamed"),),
        )
    )
    assert result == WriteResult(results=(sn.WriteSuccess(),))
    assert model.values[key(NAME)] == axdr.OctetString(b"renamed")

    before = len(pair.client_events)
    pair.client.send(
        Write(
            items=(sn.VariableName(variable_name=SN_REGISTER_VALUE),),
            data=(axdr.DoubleLongUnsigned(7),),
            confirmed=False,
        ),
        pair.now,
    )
    pair.pump()
    assert len(pair.client_events) == before  # nothing answers an unconfirmed write
    assert model.values[key(REGISTER)] == axdr.DoubleLongUnsigned(7)
    # an LN service is not negotiated in an SN association
    with pytest.raises(LocalProtocolError):
        pair.client.send(Get(descriptor=REGISTER), pair.now)


def test_access_service_carries_get_set_action_at_once() -> None:
    """ACCESS (Green Book 9.4.6.12) where both sides negotiated it."""
    conformance = 0x00FE1F | Conformance.ACCESS
    client = ClientSettings(conformance=conformance)
    server = ServerSettings(associations={16: AssociationConfig(conformance=conformance)})
    model = objects()
    pair = Pair(client, server, objects=model)
    associate(pair)
    result = pair.call(
        Access(
            items=(
                access.AccessRequestGet(cosem_attribute_descriptor=REGISTER),
                access.AccessRequestSet(cosem_attribute_descriptor=NAME),
                access.AccessRequestAction(cosem_method_descriptor=RESET),
                access.AccessRequestGet(cosem_attribute_descriptor=MISSING),
            ),
            data=(None, axdr.OctetString(b"via access"), axdr.Integer(0), None),
        )
    )
    assert isinstance(result, AccessResult)
    assert result.invoke_id == 1
    response = result.response
    assert response.access_response_list_of_data[0] == axdr.DoubleLongUnsigned(123456)
    assert [r.result for r in response.access_response_specification] == [
        0,
        0,
        0,
        DataAccessResult.OBJECT_UNDEFINED,
    ]
    assert model.values[key(NAME)] == axdr.OctetString(b"via access")
    # not negotiated: refused locally
    plain = Pair(ClientSettings(), settings()[1])
    associate(plain)
    with pytest.raises(LocalProtocolError):
        plain.client.send(
            Access(
                items=result.response.access_request_specification
                or (access.AccessRequestGet(cosem_attribute_descriptor=REGISTER),),
                data=(None,),
            ),
            0.0,
        )


def test_pre_established_association() -> None:
    """Both sides configured pre-established: GET at once, no AARQ; release refused
    locally, an RLRQ answered not-finished; the association outlives the link."""
    client = ClientSettings(pre_established=True, conformance=0x001E1D)
    server = ServerSettings(
        associations={16: AssociationConfig(pre_established=True, conformance=0x001E1D)}
    )
    pair = Pair(client, server, objects=objects(), transport="wrapper")
    assert pair.client.state is ClientState.ASSOCIATED
    assert pair.server.state is ServerState.ASSOCIATED
    result = pair.call(Get(descriptor=REGISTER))
    assert result == GetResult(invoke_id=1, results=(Data(axdr.DoubleLongUnsigned(123456)),))
    assert pair.apdus[0][1][0] == 0xC0  # no AARQ went first
    with pytest.raises(LocalProtocolError):
        pair.client.send(Release(), pair.now)
    pair.server.receive_apdu(bytes.fromhex("6203800100"), pair.now)
    assert pair.server.data_to_send() == [bytes.fromhex("6303800101")]  # not-finished
    assert pair.server.state is ServerState.ASSOCIATED
    pair.client.connection_lost(pair.now)
    pair.server.connection_lost(pair.now)
    assert pair.client.state is ClientState.ASSOCIATED
    assert pair.server.state is ServerState.ASSOCIATED


def test_unconfirmed_set_and_action_get_no_answer() -> None:
    pair = Pair(*settings(), objects=objects(), transport="wrapper")
    model = pair.objects
    associate(pair)
    before = len(pair.client_events)
    invoke_id = pair.client.send(
        Set(descriptor=REGISTER, value=axdr.DoubleLongUnsigned(9), confirmed=False), pair.now
    )
    pair.client.send(
        Action(descriptor=RESET, parameters=axdr.Integer(3), confirmed=False), pair.now
    )
    pair.pump()
    assert invoke_id == 1
    assert pair.apdus[-2][1][:3] == bytes.fromhex("C10181")  # service-class 0, priority high
    assert len(pair.client_events) == before
    assert [a for d, a in pair.apdus if d == "s"][-1][0] == 0x61  # only the AARE came back
    assert model.values[key(REGISTER)] == axdr.DoubleLongUnsigned(9)
    assert model.calls[-1][3] == axdr.Integer(3)
    assert pair.client.pending_invoke_ids == ()


def test_attribute_0_only_where_negotiated() -> None:
    """Green Book 9.4.6.1: GET of attribute 0 needs attribute0-supported-with-get."""
    all_attributes = CosemAttributeDescriptor(
        class_id=3, instance_id=Obis(1, 0, 1, 8, 0, 255), attribute_id=0
    )
    pair = Pair(*settings(), objects=objects(), transport="wrapper")
    associate(pair)  # 00FE1F & client's 00FE1F: attribute 0 with GET is negotiated
    result = pair.call(Get(descriptor=all_attributes))
    assert isinstance(result, GetResult)
    client = ClientSettings(conformance=0x001E1D)  # without attribute-0 bits
    narrow = Pair(client, settings()[1], transport="wrapper")
    associate(narrow)
    event = narrow.call(Get(descriptor=all_attributes))
    assert isinstance(event, ExceptionReceived)
    assert narrow.apdus[-1][1] == bytes.fromhex("D80102")


# --- properties ------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.integers(0, 0xFFFFFFFF).map(axdr.DoubleLongUnsigned),
    st.integers(-(2**15), 2**15 - 1).map(axdr.Long),
    st.binary(max_size=300).map(axdr.OctetString),
    st.booleans().map(axdr.Boolean),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6).map(lambda items: axdr.Structure(tuple(items))),
        st.lists(inner, max_size=6).map(lambda items: axdr.Array(tuple(items))),
    ),
    max_leaves=40,
)


@settings_(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=VALUES,
    client_pdu=st.integers(64, 700),
    server_pdu=st.integers(64, 700),
    transport=st.sampled_from(TRANSPORTS),
)
def test_any_value_round_trips_through_get_and_set(
    value: axdr.Value, client_pdu: int, server_pdu: int, transport: str
) -> None:
    """Whatever the value and the PDU sizes, SET then GET gives it back (datablocks
    whenever it does not fit), and no APDU exceeds the peer's max PDU size."""
    client = ClientSettings(max_receive_pdu_size=client_pdu)
    server = ServerSettings(
        associations={16: AssociationConfig(conformance=0x00FE1F)}, max_receive_pdu_size=server_pdu
    )
    pair = Pair(client, server, objects=objects(), transport=transport)  # type: ignore[arg-type]
    associate(pair)
    assert pair.call(Set(descriptor=NAME, value=value)) == SetResult(
        invoke_id=1, results=(DataAccessResult.SUCCESS,)
    )
    assert pair.call(Get(descriptor=NAME)) == GetResult(invoke_id=1, results=(Data(value),))
    assert all(len(a) <= server_pdu for d, a in pair.apdus if d == "c")
    assert all(len(a) <= client_pdu for d, a in pair.apdus[1:] if d == "s")


@settings_(max_examples=600, deadline=None)
@given(
    data=st.binary(max_size=80),
    prefix=st.sampled_from(
        [
            b"",
            b"\xc4\x01",
            b"\xc4\x02",
            b"\x61",
            b"\xc7",
            b"\xda",
            b"\x0c",
            b"\xc0\x02\xc1",  # get-request-next
            b"\xc1\x02\xc1",  # set-request-with-first-datablock
            b"\xc1\x03\xc1",  # set-request-with-datablock
            b"\xc3\x02\xc1",  # action-request-next-pblock
            b"\xc3\x04\xc1",  # action-request-with-first-pblock
            b"\xc3\x06\xc1",  # action-request-with-pblock
            b"\xc7\x02\xc1",  # action-response-with-pblock
            b"\xe0",  # general-block-transfer
        ]
    ),
    gbt=st.booleans(),
)
def test_garbage_never_breaks_either_session(data: bytes, prefix: bytes, gbt: bool) -> None:
    """Bytes from the peer give events and the standard's answers, never an exception,
    and leave both sessions in a defined state (with and without GBT negotiated)."""
    conformance = GBT_CONFORMANCE if gbt else 0x00FE1F
    client = ClientSession(ClientSettings(request_timeout=None, conformance=conformance))
    client.send(Associate(), 0.0)
    server = ServerSession(
        ServerSettings(associations={16: AssociationConfig(conformance=conformance)}),
        client_sap=16,
    )
    server.receive_apdu(client.data_to_send()[0], 0.0)
    client.receive_apdu(server.data_to_send()[0], 0.0)
    client.send(Get(descriptor=REGISTER), 0.0)
    client.receive_apdu(prefix + data, 0.0)
    server.receive_apdu(prefix + data, 0.0)
    assert client.state in (ClientState.ASSOCIATED, ClientState.IDLE)
    assert server.state in (ServerState.ASSOCIATED, ServerState.IDLE)
    for answer in server.data_to_send():
        assert isinstance(decode(answer), Apdu)


ALL_MECHANISMS = [(m, s) for m in range(8) for s in (0, 1, 2) if not (m == 7 and s == 0)]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("mechanism", "suite"), ALL_MECHANISMS)
def test_every_mechanism_ciphered(
    mechanism: int, suite: int, transport: Literal["hdlc", "wrapper"]
) -> None:
    """Mechanisms 0-6 in suites 0-2 and 7 in suites 1/2, with an authenticated and
    encrypted glo policy, over HDLC and the wrapper: association (HLS pass 3/4 ciphered
    too), GET, release."""
    if mechanism >= 2:
        client, server = hls_settings(MechanismId(mechanism), suite)
    else:
        length = 32 if suite == 2 else 16
        ek, ak = bytes(range(length)), bytes(range(100, 100 + length))
        secret = b"secret-1" if mechanism == 1 else None
        client = ClientSettings(
            mechanism=MechanismId(mechanism),
            secret=secret,
            keys=SecurityKeys(
                system_title=CLIENT_ST, suite=suite, global_unicast_key=ek, authentication_key=ak
            ),
            outgoing_counter=counter(),
        )
        server = ServerSettings(
            associations={
                16: AssociationConfig(
                    mechanism=MechanismId(mechanism), secret=secret, conformance=0x00FE1F
                )
            },
            keys=SecurityKeys(
                system_title=SERVER_ST, suite=suite, global_unicast_key=ek, authentication_key=ak
            ),
            outgoing_counter=counter(1000),
        )
    client = replace(client, policy=Policy())
    server = replace(
        server,
        associations={16: replace(server.associations[16], policy=Policy())},
    )
    pair = Pair(client, server, objects=objects(), transport=transport)
    associate(pair)
    assert pair.call(Get(descriptor=REGISTER)) == GetResult(
        invoke_id=1, results=(Data(axdr.DoubleLongUnsigned(123456)),)
    )
    assert pair.call(Release()) == Released(reason="rlre")
    plain_xdlms = [a for _, a in pair.apdus if a[0] in (0xC0, 0xC3, 0xC4, 0xC7)]
    assert plain_xdlms == []  # pass 3/4 and the GET all went ciphered


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_get_with_list_answer_in_datablocks(transport: str) -> None:
    """A with-list answer longer than the client's max PDU travels in datablocks carrying
    its SEQUENCE OF Get-Data-Result; the client joins and splits it again."""
    model = objects()
    model.values[key(BLOB)] = big_value(3000, 3)
    client = ClientSettings(max_receive_pdu_size=200)
    server = ServerSettings(associations={16: AssociationConfig(conformance=0x00FE1F)})
    pair = Pair(client, server, objects=model, transport=transport)  # type: ignore[arg-type]
    associate(pair)
    items = tuple(
        CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=d)
        for d in (BLOB, MISSING, REGISTER, BLOB)
    )
    result = pair.call(GetWithList(items=items))
    assert isinstance(result, GetResult)
    assert result.results == (
        Data(big_value(3000, 3)),
        DataAccessResult.OBJECT_UNDEFINED,
        Data(axdr.DoubleLongUnsigned(123456)),
        Data(big_value(3000, 3)),
    )
    assert sum(a[:2] == b"\xc4\x02" for d, a in pair.apdus if d == "s") > 25


# --- General Block Transfer (stage 4, with session/gbt.py) -----------------------------------

GBT_CONFORMANCE = 0x00FE1F | Conformance.GENERAL_BLOCK_TRANSFER


def gbt_pair(window: int, **kwargs: object) -> Pair:
    client = ClientSettings(
        conformance=GBT_CONFORMANCE,
        max_receive_pdu_size=1024,
        gbt_window=window,
        request_timeout=None,
    )
    server = ServerSettings(
        associations={16: AssociationConfig(conformance=GBT_CONFORMANCE)},
        max_receive_pdu_size=1024,
        gbt_window=window,
    )
    return Pair(client, server, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("window", "seed"), [(1, 1), (3, 2), (7, 3)])
def test_one_megabyte_in_gbt_windows_over_lossy_hdlc(window: int, seed: int) -> None:
    """1 MB read and 1 MB written through General Block Transfer (1024-byte PDUs, windows
    1, 3 and 7) over HDLC losing or corrupting 1 % of the frames (seeded). The GBT window
    stays within the HDLC window: the client link polls only while an APDU it sent is
    unanswered, so a longer GBT window would wait for the GBT timer (windows up to 63 run
    over UDP below)."""
    value = big_value(1024 * 1024, seed)
    pair = gbt_pair(
        window,
        objects=Objects(values={key(BLOB): value}),
        loss=0.01,
        seed=seed,
        hdlc_parameters=HdlcParameters(
            max_info_transmit=2030, max_info_receive=2030, window_transmit=7, window_receive=7
        ),
    )
    accepted = associate(pair)
    assert accepted.conformance & Conformance.GENERAL_BLOCK_TRANSFER
    assert pair.call(Get(descriptor=BLOB)) == GetResult(invoke_id=1, results=(Data(value),))
    written = big_value(1024 * 1024, seed + 10)
    assert pair.call(Set(descriptor=BLOB, value=written)) == SetResult(
        invoke_id=1, results=(DataAccessResult.SUCCESS,)
    )
    assert pair.objects.values[key(BLOB)] == written
    blocks = [a for _, a in pair.apdus if a[0] == 0xE0]
    assert len(blocks) > 2000
    assert all(len(a) <= 1024 for _, a in pair.apdus)
    assert not any(a[:2] in (b"\xc4\x02", b"\xc1\x02") for _, a in pair.apdus)  # no datablocks


@pytest.mark.parametrize(("window", "seed"), [(1, 4), (5, 5), (63, 6)])
def test_gbt_over_udp_recovers_lost_blocks(window: int, seed: int) -> None:
    """GBT over UDP datagrams, 5 % of the GBT datagrams lost or duplicated (seeded): the
    receivers ask again for the missing blocks (BNA) and the senders resend them."""
    value = big_value(200_000, seed)
    pair = gbt_pair(
        window, objects=Objects(values={key(BLOB): value}), transport="udp", loss=0.05, seed=seed
    )
    associate(pair)
    assert pair.call(Get(descriptor=BLOB)) == GetResult(invoke_id=1, results=(Data(value),))
    assert pair.call(Action(descriptor=IMAGE_TRANSFER, parameters=value)) == ActionResult(
        invoke_id=1,
        results=(ApduActionResponse(result=ApduActionResult.SUCCESS),),
    )
    assert pair.objects.calls[-1][3] == value
    assert pair.frames > 10  # losses really happened


def test_gbt_with_ciphering_joins_blocks_before_unprotect() -> None:
    """The blocks carry the ciphered APDU: one glo-get-response split in GBT blocks."""
    value = big_value(30_000, 9)
    policy = Policy()
    client = ClientSettings(
        mechanism=MechanismId.LOW,
        secret=b"12345678",
        conformance=GBT_CONFORMANCE,
        keys=SecurityKeys(system_title=CLIENT_ST, global_unicast_key=EK, authentication_key=AK),
        outgoing_counter=counter(),
        policy=policy,
        max_receive_pdu_size=512,
        gbt_window=4,
    )
    server = ServerSettings(
        associations={
            16: AssociationConfig(
                mechanism=MechanismId.LOW,
                secret=b"12345678",
                conformance=GBT_CONFORMANCE,
                policy=policy,
            )
        },
        keys=SecurityKeys(system_title=SERVER_ST, global_unicast_key=EK, authentication_key=AK),
        outgoing_counter=counter(),
        gbt_window=4,
    )
    pair = Pair(client, server, objects=Objects(values={key(BLOB): value}), transport="wrapper")
    associate(pair)
    assert pair.call(Get(descriptor=BLOB)) == GetResult(invoke_id=1, results=(Data(value),))
    first = next(a for d, a in pair.apdus if d == "s" and a[0] == 0xE0)
    block = decode(first)
    assert isinstance(block, GeneralBlockTransfer)
    assert block.block_data[0] == 0xCC  # glo-get-response: ciphered before the split


def test_gbt_block_without_negotiation_is_refused() -> None:
    pair = Pair(*settings(), transport="wrapper")
    associate(pair)
    stray = GeneralBlockTransfer.of(last_block=True, block_number=1, block_data=b"\xc0\x01")
    pair.server.receive_apdu(stray.to_bytes(), pair.now)
    assert pair.server.data_to_send() == [bytes.fromhex("D80101")]
    pair.client.receive_apdu(stray.to_bytes(), pair.now)
    assert isinstance(pair.client.next_event(), ProtocolViolation)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_long_action_answer_in_pblocks(transport: str) -> None:
    """An ACTION answer longer than the client's max PDU comes in action-response-with-
    pblock blocks (session/blocks.py ActionResponseSegmenter), each asked for with
    action-request-next-pblock; the joined Action-Response-With-Optional-Data is the answer."""
    value = big_value(20_000, 11)
    model = Objects(echo_limit=1 << 30)
    client = ClientSettings(max_receive_pdu_size=300)
    server = ServerSettings(associations={16: AssociationConfig(conformance=0x00FE1F)})
    pair = Pair(client, server, objects=model, transport=transport)  # type: ignore[arg-type]
    associate(pair)
    result = pair.call(Action(descriptor=IMAGE_TRANSFER, parameters=value))
    assert result == ActionResult(
        invoke_id=1,
        results=(
            ApduActionResponse(result=ApduActionResult.SUCCESS, return_parameters=Data(value)),
        ),
    )
    pblocks = [a for d, a in pair.apdus if d == "s" and a[:2] == b"\xc7\x02"]
    assert len(pblocks) > 60
    assert all(len(a) <= 300 for d, a in pair.apdus if d == "s")
    assert sum(a[:2] == b"\xc3\x02" for d, a in pair.apdus if d == "c") == len(pblocks) - 1


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_with_list_set_and_action_in_blocks(transport: str) -> None:
    """SET-with-list and ACTION-with-list longer than the server's max PDU go as
    set-request-with-list-and-first-datablock / action-request-with-list-and-first-pblock
    (session/blocks.py); the server joins the SEQUENCE OF Data."""
    model = objects()
    model.values[key(BLOB)] = axdr.OctetString(b"")
    client = ClientSettings()
    server = ServerSettings(
        associations={16: AssociationConfig(conformance=0x00FE1F)}, max_receive_pdu_size=256
    )
    pair = Pair(client, server, objects=model, transport=transport)  # type: ignore[arg-type]
    associate(pair)
    first, second = big_value(3000, 21), axdr.OctetString(b"short")
    result = pair.call(
        SetWithList(
            items=(
                CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=BLOB),
                CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=NAME),
            ),
            values=(first, second),
        )
    )
    assert result == SetResult(
        invoke_id=1, results=(DataAccessResult.SUCCESS, DataAccessResult.SUCCESS)
    )
    assert model.values[key(BLOB)] == first and model.values[key(NAME)] == second
    assert any(a[:2] == b"\xc1\x05" for d, a in pair.apdus if d == "c")
    result = pair.call(
        ActionWithList(
            calls=(
                MethodCall(descriptor=RESET, parameters=first),
                MethodCall(descriptor=IMAGE_TRANSFER, parameters=axdr.Integer(1)),
            )
        )
    )
    assert isinstance(result, ActionResult) and len(result.results) == 2
    assert [c[3] for c in model.calls[-2:]] == [first, axdr.Integer(1)]
    assert any(a[:2] == b"\xc3\x05" for d, a in pair.apdus if d == "c")
    assert all(len(a) <= 256 for d, a in pair.apdus if d == "c")


@settings_(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(0, 60_000),
    window=st.integers(1, 63),
    pdu=st.integers(64, 2048),
    seed=st.integers(0, 2**32 - 1),
)
def test_gbt_round_trip_over_lossy_udp(size: int, window: int, pdu: int, seed: int) -> None:
    """Any size, window and PDU size: SET then GET through GBT over UDP with 5 % of the
    GBT datagrams lost or duplicated gives the value back."""
    value = big_value(size, seed)
    client = ClientSettings(
        conformance=GBT_CONFORMANCE, max_receive_pdu_size=pdu, gbt_window=window
    )
    server = ServerSettings(
        associations={16: AssociationConfig(conformance=GBT_CONFORMANCE)},
        max_receive_pdu_size=pdu,
        gbt_window=window,
    )
    pair = Pair(client, server, objects=objects(), transport="udp", loss=0.05, seed=seed)
    associate(pair)
    assert pair.call(Set(descriptor=NAME, value=value)) == SetResult(
        invoke_id=1, results=(DataAccessResult.SUCCESS,)
    )
    assert pair.call(Get(descriptor=NAME)) == GetResult(invoke_id=1, results=(Data(value),))
