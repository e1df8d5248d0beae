"""The client session on its own: the bytes it sends and how it reads what it gets.

Vectors (``shared/vectors/vectors.json``): ACSE-01/03/05 (u9n/dlms-cosem
tests/test_asce/test_aarq.py), ACSE-07/08/10 (u9n/dlms-cosem tests/test_asce/test_aare.py),
ACSE-17 (arabine/opendlms tests/test_association.cpp, comment), XDLMS-29..42 (a TCP wrapper
trace recorded against the arabine/opendlms meter simulator).
"""

from __future__ import annotations

import pytest

from dlmskit import axdr
from dlmskit.apdu.acse import (
    AARE,
    AcseServiceProvider,
    AcseServiceUser,
    AssociationResult,
    ReleaseRequestReason,
)
from dlmskit.apdu.common import CosemAttributeDescriptor, DataAccessResult, InvokeIdAndPriority
from dlmskit.apdu.errors import ConfirmedServiceError, ExceptionResponse, Initiate
from dlmskit.apdu.get import Data, GetResponseNormal
from dlmskit.apdu.initiate import Conformance, InitiateResponse
from dlmskit.apdu.notification import EventNotificationRequest
from dlmskit.apdu.sn import InformationReportRequest, VariableName
from dlmskit.errors import LocalProtocolError
from dlmskit.link.wrapper import WrapperPdu
from dlmskit.obis import Obis
from dlmskit.security.counters import MemoryCounterStore, OutgoingCounter
from dlmskit.security.keys import SecurityKeys
from dlmskit.security.mechanisms import MechanismId
from dlmskit.session import (
    NEED_DATA,
    Associate,
    AssociationAccepted,
    AssociationRejected,
    ClientSession,
    ClientSettings,
    ClientState,
    DataNotificationReceived,
    EventNotificationReceived,
    ExceptionReceived,
    Get,
    GetResult,
    InformationReportReceived,
    LateResponse,
    ProtocolViolation,
    Release,
    Released,
    RequestTimedOut,
)
from tests.vectors import item_bytes, record

CLOCK_TIME = CosemAttributeDescriptor(
    class_id=8, instance_id=Obis(0, 0, 1, 0, 0, 255), attribute_id=2
)
OBJECT_LIST = CosemAttributeDescriptor(
    class_id=15, instance_id=Obis(0, 0, 40, 0, 0, 255), attribute_id=2
)
UNKNOWN = CosemAttributeDescriptor(class_id=3, instance_id=Obis(1, 0, 1, 8, 0, 255), attribute_id=2)


def events(session: ClientSession) -> list[object]:
    out = []
    while (event := session.next_event()) is not NEED_DATA:
        out.append(event)
    return out


def fixed(value: bytes):  # type: ignore[no-untyped-def]
    def random(n: int) -> bytes:
        assert n == len(value)
        return value

    return random


def associated(**kwargs: object) -> ClientSession:
    session = ClientSession(ClientSettings(**kwargs))  # type: ignore[arg-type]
    session.send(Associate(), 0.0)
    session.data_to_send()
    session.receive_apdu(item_bytes("ACSE", 10), 0.0)
    [accepted] = events(session)
    assert isinstance(accepted, AssociationAccepted)
    return session


# --- AARQ bytes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "settings"),
    [
        (1, {"conformance": 0x007E1F, "max_receive_pdu_size": 0x04B0}),
        (2, {"conformance": 0x001E1D, "max_receive_pdu_size": 0xFFFF}),
        (
            3,
            {
                "conformance": 0x007E1F,
                "max_receive_pdu_size": 0x04B0,
                "mechanism": MechanismId.LOW,
                "secret": b"12345678",
            },
        ),
        (
            5,
            {
                "conformance": 0x007E1F,
                "max_receive_pdu_size": 0xFFFF,
                "mechanism": MechanismId.HIGH,
                "secret": b"secret",
                "hls2": "saphir-enerdis-sha256",
                "challenge_length": 8,
                "random": fixed(b"12345678"),
            },
        ),
    ],
)
def test_aarq_bytes_match_acse_vectors(number: int, settings: dict[str, object]) -> None:
    """ACSE-01/02/03/05: the AARQ the client proposes, byte for byte."""
    session = ClientSession(ClientSettings(**settings))  # type: ignore[arg-type]
    assert session.send(Associate(), 0.0) is None
    assert session.data_to_send() == [item_bytes("ACSE", number)]
    assert session.state is ClientState.ASSOCIATING


def test_aare_accepted_gives_the_negotiated_values() -> None:
    """ACSE-10: accepted, conformance 001E1D, server max PDU 0x04C8."""
    session = ClientSession(ClientSettings())
    session.send(Associate(), 0.0)
    session.receive_apdu(item_bytes("ACSE", 10), 0.0)
    assert events(session) == [
        AssociationAccepted(
            conformance=Conformance(0x001E1D),
            server_max_receive_pdu_size=0x04C8,
            dlms_version=6,
            vaa_name=7,
        )
    ]
    assert session.state is ClientState.ASSOCIATED
    assert session.server_max_receive_pdu_size == 0x04C8


@pytest.mark.parametrize(
    ("number", "diagnostic", "service_error"),
    [
        (7, AcseServiceUser.APPLICATION_CONTEXT_NAME_NOT_SUPPORTED, None),
        (
            8,
            AcseServiceUser.NO_REASON_GIVEN,
            ConfirmedServiceError(confirmed_service=1, service_error=Initiate.DLMS_VERSION_TOO_LOW),  # type: ignore[arg-type]
        ),
        (17, AcseServiceUser.AUTHENTICATION_MECHANISM_NAME_NOT_RECOGNISED, None),
    ],
)
def test_aare_rejections_are_values(
    number: int, diagnostic: AcseServiceUser, service_error: ConfirmedServiceError | None
) -> None:
    """ACSE-07/08/17: rejected associations come back as AssociationRejected."""
    session = ClientSession(ClientSettings())
    session.send(Associate(), 0.0)
    session.receive_apdu(item_bytes("ACSE", number), 0.0)
    [event] = events(session)
    assert event == AssociationRejected(
        result=AssociationResult.REJECTED_PERMANENT,
        diagnostic=diagnostic,
        service_error=service_error,
    )
    assert session.state is ClientState.IDLE


def _aare_without_user_information() -> bytes:
    return AARE(
        application_context_name="2.16.756.5.8.1.1",
        result=AssociationResult.ACCEPTED,
        result_source_diagnostic=AcseServiceUser.NULL,
    ).to_bytes()


def test_aare_without_user_information_is_refused_unless_the_quirk_is_on() -> None:
    strict = ClientSession(ClientSettings())
    strict.send(Associate(), 0.0)
    strict.receive_apdu(_aare_without_user_information(), 0.0)
    [event] = events(strict)
    assert isinstance(event, ProtocolViolation)
    assert "user-information" in event.reason
    assert strict.state is ClientState.IDLE

    lenient = ClientSession(
        ClientSettings(accept_aare_without_user_information=True, conformance=0x1E1D)
    )
    lenient.send(Associate(), 0.0)
    lenient.receive_apdu(_aare_without_user_information(), 0.0)
    [event] = events(lenient)
    assert isinstance(event, AssociationAccepted)
    assert event.conformance == 0x1E1D
    assert lenient.state is ClientState.ASSOCIATED


def test_aare_with_another_application_context_is_a_violation() -> None:
    session = ClientSession(ClientSettings())
    session.send(Associate(), 0.0)
    aare = AARE(
        application_context_name="2.16.756.5.8.1.2",
        result=AssociationResult.ACCEPTED,
        result_source_diagnostic=AcseServiceProvider.NULL,
        user_information=InitiateResponse(
            negotiated_conformance=Conformance.GET, server_max_receive_pdu_size=512
        ),
    )
    session.receive_apdu(aare.to_bytes(), 0.0)
    [event] = events(session)
    assert isinstance(event, ProtocolViolation)
    assert session.state is ClientState.IDLE


# --- the captured opendlms exchange (XDLMS-29..41) -------------------------------------------


def test_opendlms_wrapper_exchange_byte_for_byte() -> None:
    """XDLMS-29..41: association, GET clock, GET object_list in three blocks, GET of an
    unknown object (exception-response), release; every client APDU and wrapper header is
    the captured one, and the server's captured answers are understood."""

    def wrapped(apdu: bytes) -> bytes:
        return WrapperPdu(source=16, destination=1, apdu=apdu).encode()

    def answer(number: int) -> None:
        session.receive_apdu(WrapperPdu.decode(item_bytes("XDLMS", number)).apdu, 0.0)

    session = ClientSession(
        ClientSettings(conformance=0x62FEDF, max_receive_pdu_size=0xFFFF, release_reason=None)
    )
    session.send(Associate(), 0.0)
    assert [wrapped(a) for a in session.data_to_send()] == [item_bytes("XDLMS", 29)]
    answer(30)
    [accepted] = events(session)
    assert isinstance(accepted, AssociationAccepted)
    assert accepted.conformance == 0x001010
    assert accepted.server_max_receive_pdu_size == 0x0400

    assert session.send(Get(descriptor=CLOCK_TIME), 0.0) == 1
    assert [wrapped(a) for a in session.data_to_send()] == [item_bytes("XDLMS", 31)]
    answer(32)
    [clock] = events(session)
    assert isinstance(clock, GetResult)
    assert clock.invoke_id == 1
    assert clock.result == Data(axdr.OctetString(bytes.fromhex("07D20C04030A060BFF007800")))

    assert session.send(Get(descriptor=OBJECT_LIST), 0.0) == 1
    session.data_to_send()
    answer(33)
    assert events(session) == []
    assert [wrapped(a) for a in session.data_to_send()] == [item_bytes("XDLMS", 34)]
    answer(35)
    assert [wrapped(a) for a in session.data_to_send()] == [item_bytes("XDLMS", 36)]
    answer(37)
    [object_list] = events(session)
    assert isinstance(object_list, GetResult)
    assert isinstance(object_list.result, Data)
    objects = object_list.result.value
    assert isinstance(objects, axdr.Array)
    assert len(objects) == 3  # clock, association LN, SAP assignment
    assert objects[2][2] == axdr.OctetString(bytes.fromhex("00002A0000FF"))

    session.send(Get(descriptor=UNKNOWN), 0.0)
    assert [wrapped(a) for a in session.data_to_send()] == [item_bytes("XDLMS", 38)]
    answer(39)
    [exception] = events(session)
    assert isinstance(exception, ExceptionReceived)
    assert exception.invoke_id == 1
    assert isinstance(exception.error, ExceptionResponse)

    session.send(Release(), 0.0)
    assert [wrapped(a) for a in session.data_to_send()] == [item_bytes("XDLMS", 40)]
    answer(41)
    assert events(session) == [Released(reason="rlre")]
    assert session.state is ClientState.IDLE


def test_release_reason_normal_by_default_and_quirk_disconnect() -> None:
    """SEC-04 rlrq_plain: 62 03 80 01 00 (reason normal)."""
    session = associated()
    session.send(Release(), 0.0)
    assert session.data_to_send() == [bytes.fromhex("6203800100")]
    assert session.state is ClientState.RELEASING

    quirk = associated(release_by_disconnect=True)
    quirk.send(Release(), 0.0)
    assert quirk.data_to_send() == []
    assert events(quirk) == [Released(reason="disconnect")]
    assert quirk.state is ClientState.IDLE


# --- invoke ids, timeouts, late answers --------------------------------------------------------


def _get_response(invoke_id: int, value: int = 5) -> bytes:
    return GetResponseNormal(
        invoke_id_and_priority=InvokeIdAndPriority.of(invoke_id, high_priority=True),
        result=Data(axdr.Unsigned(value)),
    ).to_bytes()


def test_invoke_ids_are_tracked_and_retired_after_a_timeout() -> None:
    session = associated(request_timeout=5.0)
    assert session.send(Get(descriptor=CLOCK_TIME), 0.0) == 1
    assert session.send(Get(descriptor=CLOCK_TIME), 1.0) == 2
    assert session.next_timeout() == 5.0
    session.handle_timeout(4.9)
    assert events(session) == []
    session.handle_timeout(5.0)
    assert events(session) == [RequestTimedOut(invoke_id=1)]
    # id 1 is retired: the next request gets 3, not 1
    assert session.send(Get(descriptor=CLOCK_TIME), 5.0) == 3
    session.receive_apdu(_get_response(2), 5.5)
    [result] = events(session)
    assert isinstance(result, GetResult) and result.invoke_id == 2
    # the late answer to 1 is accepted, and frees id 1
    session.receive_apdu(_get_response(1), 6.0)
    [late] = events(session)
    assert isinstance(late, LateResponse) and late.invoke_id == 1
    assert session.send(Get(descriptor=CLOCK_TIME), 6.0) == 1


def test_answer_for_an_unknown_invoke_id_is_a_violation_not_a_crash() -> None:
    session = associated()
    session.send(Get(descriptor=CLOCK_TIME), 0.0)
    session.receive_apdu(_get_response(9), 0.0)
    [event] = events(session)
    assert isinstance(event, ProtocolViolation)
    assert session.state is ClientState.ASSOCIATED
    assert session.pending_invoke_ids == (1,)


def test_wrong_kind_of_answer_is_a_violation_for_that_request() -> None:
    session = associated()
    session.send(Get(descriptor=CLOCK_TIME), 0.0)
    session.receive_apdu(bytes.fromhex("C501C100"), 0.0)  # set-response-normal, id 1
    [event] = events(session)
    assert isinstance(event, ProtocolViolation) and event.invoke_id == 1
    assert session.pending_invoke_ids == ()


def test_datablock_out_of_order_is_a_violation() -> None:
    """A GET answered with block 2 first (XDLMS-35 is block 2 of object_list)."""
    session = associated()
    session.send(Get(descriptor=OBJECT_LIST), 0.0)
    session.receive_apdu(WrapperPdu.decode(item_bytes("XDLMS", 35)).apdu, 0.0)
    [event] = events(session)
    assert isinstance(event, ProtocolViolation)
    assert "expected 1" in event.reason


def test_garbage_and_unexpected_apdus_leave_the_session_defined() -> None:
    session = associated()
    for data in (b"", b"\xff\x00", b"\xc0\x01", item_bytes("ACSE", 1)):
        session.receive_apdu(data, 0.0)
        [event] = events(session)
        assert isinstance(event, ProtocolViolation)
        assert session.state is ClientState.ASSOCIATED


def test_data_notification_in_any_state() -> None:
    """XDLMS-/PUSH- style data-notification: 0F, long invoke id, no date-time, a body."""
    push = bytes.fromhex("0F0000000100" + "0203" + "1100" + "1101" + "1102")
    for session in (ClientSession(ClientSettings()), associated()):
        session.receive_apdu(push, 0.0)
        [event] = events(session)
        assert isinstance(event, DataNotificationReceived)


def test_local_misuse_raises() -> None:
    session = ClientSession(ClientSettings())
    with pytest.raises(LocalProtocolError):
        session.send(Get(descriptor=CLOCK_TIME), 0.0)
    with pytest.raises(LocalProtocolError):
        session.send(Release(), 0.0)
    session.send(Associate(), 0.0)
    with pytest.raises(LocalProtocolError):
        session.send(Associate(), 0.0)
    with pytest.raises(TypeError):
        session.send("GET", 0.0)  # type: ignore[arg-type]


def test_sixteen_pending_requests_exhaust_the_invoke_ids() -> None:
    session = associated(request_timeout=None)
    ids = [session.send(Get(descriptor=CLOCK_TIME), 0.0) for _ in range(16)]
    assert sorted(ids) == list(range(16))  # type: ignore[type-var]
    with pytest.raises(LocalProtocolError):
        session.send(Get(descriptor=CLOCK_TIME), 0.0)


def test_aare_timeout_returns_to_idle() -> None:
    session = ClientSession(ClientSettings(request_timeout=2.0))
    session.send(Associate(), 0.0)
    session.handle_timeout(2.0)
    assert events(session) == [RequestTimedOut(invoke_id=None)]
    assert session.state is ClientState.IDLE


def test_secret_is_not_in_the_settings_repr() -> None:
    settings = ClientSettings(mechanism=MechanismId.LOW, secret=b"12345678")
    assert "12345678" not in repr(settings)


def test_dataaccessresult_in_place_of_a_value() -> None:
    session = associated()
    session.send(Get(descriptor=CLOCK_TIME), 0.0)
    session.receive_apdu(bytes.fromhex("C401C1010B"), 0.0)  # object-unavailable
    [event] = events(session)
    assert isinstance(event, GetResult)
    assert event.result == DataAccessResult.OBJECT_UNAVAILABLE


def test_release_reason_none_sends_an_empty_rlrq() -> None:
    """XDLMS-40: RLRQ 62 00."""
    session = associated(release_reason=None)
    session.send(Release(), 0.0)
    assert session.data_to_send() == [bytes.fromhex("6200")]
    assert ReleaseRequestReason.NORMAL == 0


def test_event_notification_and_information_report_in_any_state() -> None:
    """Unsolicited event-notification-request (LN) and informationReportRequest (SN) are
    events in every state, like data-notifications."""
    event = EventNotificationRequest(
        cosem_attribute_descriptor=CLOCK_TIME, attribute_value=axdr.Unsigned(1)
    ).to_bytes()
    report = InformationReportRequest(
        variable_access_specification=(VariableName(variable_name=0x2008),),
        list_of_data=(axdr.Unsigned(2),),
    ).to_bytes()
    for session in (ClientSession(ClientSettings()), associated()):
        session.receive_apdu(event, 0.0)
        session.receive_apdu(report, 0.0)
        first, second = events(session)
        assert isinstance(first, EventNotificationReceived)
        assert first.notification.attribute_value == axdr.Unsigned(1)
        assert isinstance(second, InformationReportReceived)
        assert second.report.list_of_data == (axdr.Unsigned(2),)


def test_aarq_with_calling_ap_title_acse_12() -> None:
    """ACSE-12 (arabine/opendlms tests/test_association.cpp, an AARQ from u9n dlms-cosem):
    calling AP title 757469E9435A4E0A, no authentication, conformance 20525F."""
    session = ClientSession(
        ClientSettings(
            calling_ap_title=bytes.fromhex("757469E9435A4E0A"),
            conformance=0x20525F,
            max_receive_pdu_size=0xFFFF,
        )
    )
    session.send(Associate(), 0.0)
    assert session.data_to_send() == [item_bytes("ACSE", 12)]


@pytest.mark.parametrize(
    ("number", "conformance", "pdu"),
    [(6, 0x00501F, 0x01F4), (14, 0x00301D, 0x2134), (15, 0x00181D, 0x0200)],
)
def test_aare_accepted_vectors(number: int, conformance: int, pdu: int) -> None:
    """ACSE-06 (u9n/dlms-cosem test_aare.py), ACSE-14 (long-form length and protocol
    version, LLS mechanism name) and ACSE-15 (arabine/opendlms test_association.cpp)."""
    mechanism = {14: MechanismId.LOW}.get(number, MechanismId.LOWEST)
    session = ClientSession(ClientSettings(mechanism=mechanism, secret=b"x" if mechanism else None))
    session.send(Associate(), 0.0)
    session.receive_apdu(item_bytes("ACSE", number), 0.0)
    [event] = events(session)
    assert isinstance(event, AssociationAccepted)
    assert (event.conformance, event.server_max_receive_pdu_size) == (conformance, pdu)


@pytest.mark.parametrize(("number", "diagnostic"), [(16, 11), (18, 1)])
def test_aare_rejected_vectors(number: int, diagnostic: int) -> None:
    """ACSE-16 (mechanism name not recognised) and ACSE-18 (rejected with a
    ConfirmedServiceError, initiate refused-by-the-VDE-handler), arabine/opendlms."""
    session = ClientSession(ClientSettings(mechanism=MechanismId.HIGH, secret=b"s", hls2="x"))
    session.send(Associate(), 0.0)
    session.receive_apdu(item_bytes("ACSE", number), 0.0)
    [event] = events(session)
    assert isinstance(event, AssociationRejected)
    assert event.diagnostic == diagnostic
    assert session.state is ClientState.IDLE


@pytest.mark.parametrize("number", [9, 13])
def test_hls_gmac_aare_vectors_lead_to_pass_3(number: int) -> None:
    """ACSE-13 (arabine/opendlms): accepted with authentication-required, responding AP
    title 'ABCDEFGH' and StoC 'P6wRJ21F'; the client answers with pass 3, an ACTION on
    0.0.40.0.0.255 method 1 whose f(StoC) uses that challenge. ACSE-09 (u9n/dlms-cosem)
    carries no responding AP title: without the server's system title f(CtoS) cannot be
    checked (Green Book 9.2.7.4, mechanism 5), so the association is refused as a
    violation instead of going on unverifiable."""
    keys = SecurityKeys(
        system_title=bytes.fromhex("4D4D4D0000000001"),
        global_unicast_key=bytes.fromhex("000102030405060708090A0B0C0D0E0F"),
        authentication_key=bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"),
    )
    session = ClientSession(
        ClientSettings(
            mechanism=MechanismId.HIGH_GMAC,
            keys=keys,
            outgoing_counter=OutgoingCounter(MemoryCounterStore(), "k", initial=1),
        )
    )
    session.send(Associate(), 0.0)
    session.data_to_send()
    session.receive_apdu(item_bytes("ACSE", number), 0.0)
    if number == 9:
        [violation] = events(session)
        assert isinstance(violation, ProtocolViolation) and "system titles" in violation.reason
        assert session.state is ClientState.IDLE
        return
    assert events(session) == []
    assert session.state is ClientState.AUTHENTICATING
    [pass3] = session.data_to_send()
    # SEC-01: f(StoC) for StoC 'P6wRJ21F' with IC 1 under the Green Book keys
    assert pass3 == bytes.fromhex(record("SEC-01")["pass3_action_request_example"])
