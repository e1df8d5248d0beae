"""The server session on its own: its answers to AARQs, requests and wrong input.

Vectors (``shared/vectors/vectors.json``): XDLMS-29..41 (a TCP wrapper trace recorded
against the arabine/opendlms meter simulator), ACSE-01/03/08 (u9n/dlms-cosem
tests/test_asce), ACSE-11 (arabine/opendlms tests/test_association.cpp, ICube EZReader).
"""

from __future__ import annotations

import pytest

from dlmskit import axdr
from dlmskit.apdu import decode
from dlmskit.apdu.acse import AARE, AARQ, AcseServiceUser, AssociationResult
from dlmskit.apdu.common import DataAccessResult, InvokeIdAndPriority
from dlmskit.apdu.errors import ExceptionResponse, ExceptionServiceError, StateError
from dlmskit.apdu.get import Data, GetRequestNext, GetResponseNormal, GetResponseWithDatablock
from dlmskit.apdu.set import SetResponseNormal
from dlmskit.errors import LocalProtocolError
from dlmskit.link.wrapper import WrapperPdu
from dlmskit.security.mechanisms import MechanismId
from dlmskit.session import (
    NEED_DATA,
    AssociationConfig,
    AssociationEstablished,
    AssociationRejected,
    GetRequested,
    ProtocolViolation,
    Released,
    ServerSession,
    ServerSettings,
    ServerState,
)
from tests.vectors import item_bytes

OPENDLMS = ServerSettings(
    associations={16: AssociationConfig(conformance=0x001010)}, max_receive_pdu_size=0x0400
)


def events(session: ServerSession) -> list[object]:
    out = []
    while (event := session.next_event()) is not NEED_DATA:
        out.append(event)
    return out


def apdu(number: int) -> bytes:
    return WrapperPdu.decode(item_bytes("XDLMS", number)).apdu


def test_opendlms_exchange_from_the_server_side() -> None:
    """XDLMS-29..41 from the meter's side: the AARE, the clock answer, the exception and
    the RLRE are the captured bytes."""
    session = ServerSession(OPENDLMS, client_sap=16)
    session.receive_apdu(apdu(29), 0.0)
    assert session.data_to_send() == [apdu(30)]
    [established] = events(session)
    assert isinstance(established, AssociationEstablished)
    assert established.conformance == 0x001010
    assert session.state is ServerState.ASSOCIATED

    session.receive_apdu(apdu(31), 0.0)
    [request] = events(session)
    assert isinstance(request, GetRequested) and request.invoke_id == 1
    session.send(
        GetResponseNormal(
            invoke_id_and_priority=InvokeIdAndPriority(0xC1),
            result=Data(axdr.OctetString(bytes.fromhex("07D20C04030A060BFF007800"))),
        ),
        0.0,
    )
    assert session.data_to_send() == [apdu(32)]

    session.receive_apdu(apdu(38), 0.0)
    [request] = events(session)
    assert isinstance(request, GetRequested)
    session.send(
        ExceptionResponse(
            state_error=StateError.SERVICE_NOT_ALLOWED,
            service_error=ExceptionServiceError.OPERATION_NOT_POSSIBLE,
        ),
        0.0,
    )
    assert session.data_to_send() == [apdu(39)]

    session.receive_apdu(apdu(40), 0.0)
    assert session.data_to_send() == [apdu(41)]
    assert events(session) == [Released(reason="peer")]
    assert session.state is ServerState.IDLE


def test_get_before_association_gets_the_exception_response() -> None:
    """XDLMS-31 sent without an association: D8 01 01 (service-not-allowed,
    operation-not-possible), the answer the opendlms simulator gives (XDLMS-39)."""
    session = ServerSession(OPENDLMS, client_sap=16)
    session.receive_apdu(apdu(31), 0.0)
    assert session.data_to_send() == [apdu(39)]
    assert session.state is ServerState.IDLE


def test_dlms_version_too_low_gives_acse_08() -> None:
    """ACSE-08 (u9n/dlms-cosem test_aare.py): the server's AARE for an InitiateRequest
    proposing DLMS version 5."""
    aarq = bytearray(item_bytes("ACSE", 1))
    aarq[-10] = 5  # proposed-dlms-version-number
    session = ServerSession(OPENDLMS, client_sap=16)
    session.receive_apdu(bytes(aarq), 0.0)
    assert session.data_to_send() == [item_bytes("ACSE", 8)]
    [event] = events(session)
    assert isinstance(event, AssociationRejected)


@pytest.mark.parametrize(
    ("config", "aarq", "client_sap", "diagnostic"),
    [
        (AssociationConfig(), 1, 1, AcseServiceUser.NO_REASON_GIVEN),  # unknown client SAP
        (AssociationConfig(), 3, 16, AcseServiceUser.AUTHENTICATION_MECHANISM_NAME_NOT_RECOGNISED),
        (
            AssociationConfig(mechanism=MechanismId.LOW, secret=b"12345679"),
            3,
            16,
            AcseServiceUser.AUTHENTICATION_FAILURE,
        ),
        (
            AssociationConfig(mechanism=MechanismId.LOW, secret=b"AAAAAA"),
            11,
            16,
            AcseServiceUser.AUTHENTICATION_FAILURE,
        ),
        (
            AssociationConfig(mechanism=MechanismId.LOW, secret=b"x"),
            1,
            16,
            AcseServiceUser.AUTHENTICATION_MECHANISM_NAME_NOT_RECOGNISED,
        ),
    ],
)
def test_aarq_refusals(
    config: AssociationConfig, aarq: int, client_sap: int, diagnostic: AcseServiceUser
) -> None:
    """ACSE-01/03/11 against configurations that must refuse them."""
    session = ServerSession(ServerSettings(associations={16: config}), client_sap=client_sap)
    session.receive_apdu(item_bytes("ACSE", aarq), 0.0)
    [data] = session.data_to_send()
    aare = decode(data)
    assert isinstance(aare, AARE)
    assert aare.result == AssociationResult.REJECTED_PERMANENT
    assert aare.result_source_diagnostic == diagnostic
    assert session.state is ServerState.IDLE


def test_lls_accepted_with_the_right_password() -> None:
    """ACSE-11: ICube EZReader, LLS password 'AAAAAA'."""
    config = AssociationConfig(mechanism=MechanismId.LOW, secret=b"\xaa\xaa\xaa")
    session = ServerSession(ServerSettings(associations={16: config}), client_sap=16)
    session.receive_apdu(item_bytes("ACSE", 11), 0.0)
    [data] = session.data_to_send()
    aare = decode(data)
    assert isinstance(aare, AARE) and aare.result == AssociationResult.ACCEPTED
    assert session.state is ServerState.ASSOCIATED


def test_application_context_mismatch() -> None:
    aarq = decode(item_bytes("ACSE", 1))
    assert isinstance(aarq, AARQ)
    sn = AARQ(application_context_name="2.16.756.5.8.1.2", user_information=aarq.user_information)
    session = ServerSession(OPENDLMS, client_sap=16)
    session.receive_apdu(sn.to_bytes(), 0.0)
    aare = decode(session.data_to_send()[0])
    assert isinstance(aare, AARE)
    assert aare.result_source_diagnostic == AcseServiceUser.APPLICATION_CONTEXT_NAME_NOT_SUPPORTED


def associated(conformance: int = 0x001E1D, max_pdu: int | None = None) -> ServerSession:
    session = ServerSession(
        ServerSettings(associations={16: AssociationConfig(conformance=conformance)}),
        client_sap=16,
    )
    aarq = bytearray(item_bytes("ACSE", 1))  # conformance 007E1F, client max PDU 0x04B0
    if max_pdu is not None:
        aarq[-2:] = max_pdu.to_bytes(2, "big")
    session.receive_apdu(bytes(aarq), 0.0)
    session.data_to_send()
    events(session)
    return session


def test_service_not_negotiated_is_refused() -> None:
    session = associated(conformance=0x000010)  # GET only
    session.receive_apdu(bytes.fromhex("C101C100080000010000FF0200120005"), 0.0)  # SET
    assert session.data_to_send() == [bytes.fromhex("D80102")]
    assert events(session) == []


def test_response_apdus_and_garbage_get_service_unknown() -> None:
    session = associated()
    session.receive_apdu(bytes.fromhex("C401C10009020000"), 0.0)
    assert session.data_to_send() == [bytes.fromhex("D80202")]
    [event] = events(session)
    assert isinstance(event, ProtocolViolation)
    session.receive_apdu(b"\xff\x01", 0.0)
    assert session.data_to_send() == [bytes.fromhex("D80203")]
    assert session.state is ServerState.ASSOCIATED


def test_too_long_apdu_gets_pdu_too_long() -> None:
    session = associated()
    session.receive_apdu(b"\xc0" * 2000, 0.0)
    assert session.data_to_send() == [bytes.fromhex("D80104")]


def test_second_aarq_is_refused_and_the_first_association_kept() -> None:
    session = associated()
    session.receive_apdu(item_bytes("ACSE", 1), 0.0)
    aare = decode(session.data_to_send()[0])
    assert isinstance(aare, AARE) and aare.result == AssociationResult.REJECTED_TRANSIENT
    assert session.state is ServerState.ASSOCIATED


def test_reply_misuse_raises() -> None:
    session = associated()
    iip = InvokeIdAndPriority(0xC1)
    with pytest.raises(LocalProtocolError):
        session.send(GetResponseNormal(invoke_id_and_priority=iip, result=Data(None)), 0.0)
    session.receive_apdu(apdu(31), 0.0)
    with pytest.raises(LocalProtocolError):
        session.send(SetResponseNormal(invoke_id_and_priority=iip, result=0), 0.0)  # type: ignore[arg-type]
    idle = ServerSession(OPENDLMS, client_sap=16)
    with pytest.raises(LocalProtocolError):
        idle.send(GetResponseNormal(invoke_id_and_priority=iip, result=Data(None)), 0.0)


def test_long_get_response_goes_out_in_datablocks() -> None:
    """Client max PDU 64: a 300-byte octet string leaves in blocks, each answered by a
    get-request-next; a wrong block number aborts (data-block-number-invalid)."""
    session = associated(max_pdu=64)
    session.receive_apdu(apdu(31), 0.0)
    events(session)
    value = axdr.OctetString(bytes(range(256)) + bytes(44))
    session.send(
        GetResponseNormal(invoke_id_and_priority=InvokeIdAndPriority(0xC1), result=Data(value)),
        0.0,
    )
    joined = bytearray()
    number = 0
    while True:
        [data] = session.data_to_send()
        assert len(data) <= 64
        block = decode(data)
        assert isinstance(block, GetResponseWithDatablock)
        number += 1
        assert block.result.block_number == number
        joined += block.result.result  # type: ignore[arg-type]
        if block.result.last_block:
            break
        request = GetRequestNext(
            invoke_id_and_priority=InvokeIdAndPriority(0xC1), block_number=number
        )
        session.receive_apdu(request.to_bytes(), 0.0)
    assert axdr.decode(bytes(joined)) == value
    # no transfer any more
    session.receive_apdu(
        GetRequestNext(invoke_id_and_priority=InvokeIdAndPriority(0xC1), block_number=9).to_bytes(),
        0.0,
    )
    answer = decode(session.data_to_send()[0])
    assert isinstance(answer, GetResponseNormal)
    assert answer.result == DataAccessResult.NO_LONG_GET_IN_PROGRESS


def test_wrong_block_number_aborts_the_transfer() -> None:
    session = associated(max_pdu=64)
    session.receive_apdu(apdu(31), 0.0)
    events(session)
    session.send(
        GetResponseNormal(
            invoke_id_and_priority=InvokeIdAndPriority(0xC1),
            result=Data(axdr.OctetString(bytes(200))),
        ),
        0.0,
    )
    session.data_to_send()
    session.receive_apdu(
        GetRequestNext(invoke_id_and_priority=InvokeIdAndPriority(0xC1), block_number=5).to_bytes(),
        0.0,
    )
    answer = decode(session.data_to_send()[0])
    assert isinstance(answer, GetResponseWithDatablock)
    assert answer.result.result == DataAccessResult.DATA_BLOCK_NUMBER_INVALID
    assert answer.result.last_block


def test_link_down_ends_the_association() -> None:
    session = associated()
    session.connection_lost(1.0)
    assert events(session) == [Released(reason="link")]
    assert session.state is ServerState.IDLE
