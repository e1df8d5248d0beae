"""Every (state, input) pair of the client and server transition tables (DESIGN.md
rule 3): for each, a session is brought to the state, given a concrete input, and the
resulting state and first event (or the LocalProtocolError) are checked against the
expectations below, which list the whole product of states and inputs."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dlmskit.apdu.common import CosemAttributeDescriptor, InvokeIdAndPriority
from dlmskit.apdu.get import Data, GetResponseNormal
from dlmskit.errors import LocalProtocolError
from dlmskit.obis import Obis
from dlmskit.security.mechanisms import MechanismId
from dlmskit.session import (
    NEED_DATA,
    Associate,
    AssociationAccepted,
    AssociationConfig,
    AssociationEstablished,
    AuthenticationFailed,
    ClientInput,
    ClientSession,
    ClientSettings,
    ClientState,
    DataNotificationReceived,
    ExceptionReceived,
    Get,
    GetRequested,
    GetResult,
    ProtocolViolation,
    Release,
    Released,
    RequestTimedOut,
    ServerInput,
    ServerSession,
    ServerSettings,
    ServerState,
)
from dlmskit.session.client import _TRANSITIONS as CLIENT_TABLE
from dlmskit.session.client import LOCAL_INPUTS as CLIENT_LOCAL
from dlmskit.session.client import _Stimulus
from dlmskit.session.server import _TRANSITIONS as SERVER_TABLE
from dlmskit.session.server import LOCAL_INPUTS as SERVER_LOCAL
from tests.vectors import item_bytes

CLOCK = CosemAttributeDescriptor(class_id=8, instance_id=Obis(0, 0, 1, 0, 0, 255), attribute_id=2)
AARE_ACCEPTED = item_bytes("ACSE", 10)  # u9n/dlms-cosem test_aare.py
AARQ_PLAIN = item_bytes("ACSE", 1)  # u9n/dlms-cosem test_aarq.py
RLRE = bytes.fromhex("6303800100")  # XDLMS-41
RLRQ = bytes.fromhex("6200")  # XDLMS-40
EXCEPTION = bytes.fromhex("D80101")  # XDLMS-39
GET_REQUEST = bytes.fromhex("C001C100080000010000FF0200")  # XDLMS-31
PUSH = bytes.fromhex("0F000000010002031100110111 02".replace(" ", ""))
GET_RESPONSE_1 = GetResponseNormal(
    invoke_id_and_priority=InvokeIdAndPriority(0xC1), result=Data(None)
).to_bytes()
WRONG_PASS4 = bytes.fromhex("C701C10001000910" + "00" * 16)
MD5 = MechanismId.HIGH_MD5
SECRET = b"md5 secret"


def _events(session: ClientSession | ServerSession) -> list[object]:
    out = []
    while (event := session.next_event()) is not NEED_DATA:
        out.append(event)
    return out


# --- client ---------------------------------------------------------------------------------


def _server_md5() -> ServerSession:
    config = AssociationConfig(mechanism=MD5, secret=SECRET)
    return ServerSession(ServerSettings(associations={16: config}), client_sap=16)


def client_in(state: ClientState) -> ClientSession:
    if state is ClientState.AUTHENTICATING:
        session = ClientSession(ClientSettings(mechanism=MD5, secret=SECRET, request_timeout=10))
        session.send(Associate(), 0.0)
        server = _server_md5()
        server.receive_apdu(session.data_to_send()[0], 0.0)
        session.receive_apdu(server.data_to_send()[0], 0.0)
        session.data_to_send()
    else:
        session = ClientSession(ClientSettings(request_timeout=10))
        if state is not ClientState.IDLE:
            session.send(Associate(), 0.0)
            session.data_to_send()
        if state in (ClientState.ASSOCIATED, ClientState.RELEASING):
            session.receive_apdu(AARE_ACCEPTED, 0.0)
            session.send(Get(descriptor=CLOCK), 0.0)  # invoke id 1 pending
            session.data_to_send()
        if state is ClientState.RELEASING:
            session.send(Release(), 0.0)
    _events(session)
    assert session.state is state
    return session


CLIENT_INPUT: dict[ClientInput, Callable[[ClientSession], object]] = {
    ClientInput.ASSOCIATE: lambda s: s.send(Associate(), 1.0),
    ClientInput.REQUEST: lambda s: s.send(Get(descriptor=CLOCK), 1.0),
    ClientInput.RELEASE: lambda s: s.send(Release(), 1.0),
    ClientInput.LINK_DOWN: lambda s: s.connection_lost(1.0),
    # the timer fires (even where no deadline runs: the table must hold the pair)
    ClientInput.TIMEOUT: lambda s: s._dispatch(ClientInput.TIMEOUT, _Stimulus(now=100.0)),
    ClientInput.AARE: lambda s: s.receive_apdu(AARE_ACCEPTED, 1.0),
    ClientInput.RLRE: lambda s: s.receive_apdu(RLRE, 1.0),
    ClientInput.RESPONSE: lambda s: s.receive_apdu(
        WRONG_PASS4 if s.state is ClientState.AUTHENTICATING else GET_RESPONSE_1, 1.0
    ),
    ClientInput.EXCEPTION: lambda s: s.receive_apdu(EXCEPTION, 1.0),
    ClientInput.NOTIFICATION: lambda s: s.receive_apdu(PUSH, 1.0),
    ClientInput.UNEXPECTED: lambda s: s.receive_apdu(AARQ_PLAIN, 1.0),
    ClientInput.INVALID: lambda s: s.receive_apdu(b"\xff", 1.0),
}

S, I = ClientState, ClientInput  # noqa: E741 - short names keep the matrix readable
V, N = ProtocolViolation, DataNotificationReceived
RAISE = "raise"
# (state, input) → (state after, type of the first event or None) or RAISE.
CLIENT_EXPECTED: dict[tuple[ClientState, ClientInput], object] = {
    (S.IDLE, I.ASSOCIATE): (S.ASSOCIATING, None),
    (S.IDLE, I.REQUEST): RAISE,
    (S.IDLE, I.RELEASE): RAISE,
    (S.IDLE, I.LINK_DOWN): (S.IDLE, None),
    (S.IDLE, I.TIMEOUT): (S.IDLE, None),
    (S.IDLE, I.AARE): (S.IDLE, V),
    (S.IDLE, I.RLRE): (S.IDLE, V),
    (S.IDLE, I.RESPONSE): (S.IDLE, V),
    (S.IDLE, I.EXCEPTION): (S.IDLE, V),
    (S.IDLE, I.NOTIFICATION): (S.IDLE, N),
    (S.IDLE, I.UNEXPECTED): (S.IDLE, V),
    (S.IDLE, I.INVALID): (S.IDLE, V),
    (S.ASSOCIATING, I.ASSOCIATE): RAISE,
    (S.ASSOCIATING, I.REQUEST): RAISE,
    (S.ASSOCIATING, I.RELEASE): RAISE,
    (S.ASSOCIATING, I.LINK_DOWN): (S.IDLE, Released),
    (S.ASSOCIATING, I.TIMEOUT): (S.IDLE, RequestTimedOut),
    (S.ASSOCIATING, I.AARE): (S.ASSOCIATED, AssociationAccepted),
    (S.ASSOCIATING, I.RLRE): (S.ASSOCIATING, V),
    (S.ASSOCIATING, I.RESPONSE): (S.ASSOCIATING, V),
    (S.ASSOCIATING, I.EXCEPTION): (S.IDLE, ExceptionReceived),
    (S.ASSOCIATING, I.NOTIFICATION): (S.ASSOCIATING, N),
    (S.ASSOCIATING, I.UNEXPECTED): (S.ASSOCIATING, V),
    (S.ASSOCIATING, I.INVALID): (S.IDLE, V),
    (S.AUTHENTICATING, I.ASSOCIATE): RAISE,
    (S.AUTHENTICATING, I.REQUEST): RAISE,
    (S.AUTHENTICATING, I.RELEASE): RAISE,
    (S.AUTHENTICATING, I.LINK_DOWN): (S.IDLE, Released),
    (S.AUTHENTICATING, I.TIMEOUT): (S.IDLE, RequestTimedOut),
    (S.AUTHENTICATING, I.AARE): (S.AUTHENTICATING, V),
    (S.AUTHENTICATING, I.RLRE): (S.AUTHENTICATING, V),
    (S.AUTHENTICATING, I.RESPONSE): (S.IDLE, AuthenticationFailed),
    (S.AUTHENTICATING, I.EXCEPTION): (S.IDLE, AuthenticationFailed),
    (S.AUTHENTICATING, I.NOTIFICATION): (S.AUTHENTICATING, N),
    (S.AUTHENTICATING, I.UNEXPECTED): (S.AUTHENTICATING, V),
    (S.AUTHENTICATING, I.INVALID): (S.AUTHENTICATING, V),
    (S.ASSOCIATED, I.ASSOCIATE): RAISE,
    (S.ASSOCIATED, I.REQUEST): (S.ASSOCIATED, None),
    (S.ASSOCIATED, I.RELEASE): (S.RELEASING, None),
    (S.ASSOCIATED, I.LINK_DOWN): (S.IDLE, Released),
    (S.ASSOCIATED, I.TIMEOUT): (S.ASSOCIATED, RequestTimedOut),
    (S.ASSOCIATED, I.AARE): (S.ASSOCIATED, V),
    (S.ASSOCIATED, I.RLRE): (S.ASSOCIATED, V),
    (S.ASSOCIATED, I.RESPONSE): (S.ASSOCIATED, GetResult),
    (S.ASSOCIATED, I.EXCEPTION): (S.ASSOCIATED, ExceptionReceived),
    (S.ASSOCIATED, I.NOTIFICATION): (S.ASSOCIATED, N),
    (S.ASSOCIATED, I.UNEXPECTED): (S.ASSOCIATED, V),
    (S.ASSOCIATED, I.INVALID): (S.ASSOCIATED, V),
    (S.RELEASING, I.ASSOCIATE): RAISE,
    (S.RELEASING, I.REQUEST): RAISE,
    (S.RELEASING, I.RELEASE): RAISE,
    (S.RELEASING, I.LINK_DOWN): (S.IDLE, Released),
    (S.RELEASING, I.TIMEOUT): (S.IDLE, RequestTimedOut),
    (S.RELEASING, I.AARE): (S.RELEASING, V),
    (S.RELEASING, I.RLRE): (S.IDLE, Released),
    (S.RELEASING, I.RESPONSE): (S.RELEASING, GetResult),
    (S.RELEASING, I.EXCEPTION): (S.ASSOCIATED, ExceptionReceived),
    (S.RELEASING, I.NOTIFICATION): (S.RELEASING, N),
    (S.RELEASING, I.UNEXPECTED): (S.RELEASING, V),
    (S.RELEASING, I.INVALID): (S.RELEASING, V),
}


def test_client_expectations_cover_every_pair_and_the_table_matches() -> None:
    assert set(CLIENT_EXPECTED) == {(s, i) for s in ClientState for i in ClientInput}
    for pair, expected in CLIENT_EXPECTED.items():
        # Missing from the table exactly when a local call must raise.
        assert (pair in CLIENT_TABLE) == (expected != RAISE), pair
        if expected == RAISE:
            assert pair[1] in CLIENT_LOCAL
    assert len(CLIENT_TABLE) == 48  # 5 states x 12 inputs, less 12 refused local calls


@pytest.mark.parametrize(("state", "what"), list(CLIENT_EXPECTED), ids=lambda x: x.name)
def test_client_pair(state: ClientState, what: ClientInput) -> None:
    session = client_in(state)
    expected = CLIENT_EXPECTED[(state, what)]
    if expected == RAISE:
        with pytest.raises(LocalProtocolError):
            CLIENT_INPUT[what](session)
        assert session.state is state  # nothing changed
        return
    after, first = expected  # type: ignore[misc]
    CLIENT_INPUT[what](session)
    events = _events(session)
    assert session.state is after
    if first is None:
        assert not events or what is ClientInput.TIMEOUT, events
    else:
        assert events and isinstance(events[0], first), events


# --- server ---------------------------------------------------------------------------------


def server_in(state: ServerState) -> ServerSession:
    if state is ServerState.AUTHENTICATING:
        session = _server_md5()
        client = ClientSession(ClientSettings(mechanism=MD5, secret=SECRET))
        client.send(Associate(), 0.0)
        session.receive_apdu(client.data_to_send()[0], 0.0)
    else:
        session = ServerSession(
            ServerSettings(associations={16: AssociationConfig()}), client_sap=16
        )
        if state is ServerState.ASSOCIATED:
            session.receive_apdu(AARQ_PLAIN, 0.0)
            session.receive_apdu(GET_REQUEST, 0.0)  # invoke id 1 pending
    session.data_to_send()
    _events(session)
    assert session.state is state
    return session


def _aarq_for(session: ServerSession) -> bytes:
    if session.state is ServerState.AUTHENTICATING:
        client = ClientSession(ClientSettings(mechanism=MD5, secret=SECRET))
        client.send(Associate(), 0.0)
        return client.data_to_send()[0]
    return AARQ_PLAIN


SERVER_INPUT: dict[ServerInput, Callable[[ServerSession], object]] = {
    ServerInput.REPLY: lambda s: s.send(
        GetResponseNormal(invoke_id_and_priority=InvokeIdAndPriority(0xC1), result=Data(None)), 1.0
    ),
    ServerInput.LINK_DOWN: lambda s: s.connection_lost(1.0),
    ServerInput.AARQ: lambda s: s.receive_apdu(_aarq_for(s), 1.0),
    ServerInput.RLRQ: lambda s: s.receive_apdu(RLRQ, 1.0),
    ServerInput.REQUEST: lambda s: s.receive_apdu(GET_REQUEST.replace(b"\xc1", b"\xc2", 1), 1.0),
    ServerInput.UNEXPECTED: lambda s: s.receive_apdu(AARE_ACCEPTED, 1.0),
    ServerInput.INVALID: lambda s: s.receive_apdu(b"\xff", 1.0),
}

T, J = ServerState, ServerInput
# (state, input) → (state after, first event type or None, first APDU sent or None) | RAISE
SERVER_EXPECTED: dict[tuple[ServerState, ServerInput], object] = {
    (T.IDLE, J.REPLY): RAISE,
    (T.IDLE, J.LINK_DOWN): (T.IDLE, None, None),
    (T.IDLE, J.AARQ): (T.ASSOCIATED, AssociationEstablished, b"\x61"),
    (T.IDLE, J.RLRQ): (T.IDLE, None, RLRE),
    (T.IDLE, J.REQUEST): (T.IDLE, None, bytes.fromhex("D80101")),
    (T.IDLE, J.UNEXPECTED): (T.IDLE, V, bytes.fromhex("D80202")),
    (T.IDLE, J.INVALID): (T.IDLE, V, bytes.fromhex("D80203")),
    (T.AUTHENTICATING, J.REPLY): RAISE,
    (T.AUTHENTICATING, J.LINK_DOWN): (T.IDLE, Released, None),
    (T.AUTHENTICATING, J.AARQ): (T.AUTHENTICATING, None, b"\x61"),
    (T.AUTHENTICATING, J.RLRQ): (T.IDLE, Released, RLRE),
    (T.AUTHENTICATING, J.REQUEST): (T.AUTHENTICATING, None, bytes.fromhex("D80101")),
    (T.AUTHENTICATING, J.UNEXPECTED): (T.AUTHENTICATING, V, bytes.fromhex("D80202")),
    (T.AUTHENTICATING, J.INVALID): (T.AUTHENTICATING, V, bytes.fromhex("D80203")),
    (T.ASSOCIATED, J.REPLY): (T.ASSOCIATED, None, bytes.fromhex("C401C10000")),
    (T.ASSOCIATED, J.LINK_DOWN): (T.IDLE, Released, None),
    (T.ASSOCIATED, J.AARQ): (T.ASSOCIATED, V, b"\x61"),
    (T.ASSOCIATED, J.RLRQ): (T.IDLE, Released, RLRE),
    (T.ASSOCIATED, J.REQUEST): (T.ASSOCIATED, GetRequested, None),
    (T.ASSOCIATED, J.UNEXPECTED): (T.ASSOCIATED, V, bytes.fromhex("D80202")),
    (T.ASSOCIATED, J.INVALID): (T.ASSOCIATED, V, bytes.fromhex("D80203")),
}


def test_server_expectations_cover_every_pair_and_the_table_matches() -> None:
    assert set(SERVER_EXPECTED) == {(s, i) for s in ServerState for i in ServerInput}
    for pair, expected in SERVER_EXPECTED.items():
        assert (pair in SERVER_TABLE) == (expected != RAISE), pair
        if expected == RAISE:
            assert pair[1] in SERVER_LOCAL
    assert len(SERVER_TABLE) == 19  # 3 states x 7 inputs, less 2 refused replies


@pytest.mark.parametrize(("state", "what"), list(SERVER_EXPECTED), ids=lambda x: x.name)
def test_server_pair(state: ServerState, what: ServerInput) -> None:
    session = server_in(state)
    expected = SERVER_EXPECTED[(state, what)]
    if expected == RAISE:
        with pytest.raises(LocalProtocolError):
            SERVER_INPUT[what](session)
        assert session.state is state
        return
    after, first, sent = expected  # type: ignore[misc]
    SERVER_INPUT[what](session)
    events = _events(session)
    out = session.data_to_send()
    assert session.state is after
    if first is not None:
        assert events and isinstance(events[0], first), events
    if sent is None:
        assert out == []
    else:
        assert out and out[0].startswith(sent), out


def test_wrong_hls_pass3_in_authenticating_ends_pending_association() -> None:
    session = server_in(ServerState.AUTHENTICATING)
    session.receive_apdu(bytes.fromhex("C301C1000F0000280000FF01010910" + "00" * 16), 1.0)
    assert isinstance(_events(session)[0], AuthenticationFailed)
    assert session.state is ServerState.IDLE
