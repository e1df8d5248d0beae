"""Tests of ExceptionResponse and ConfirmedServiceError (dlmskit.apdu.errors)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit.apdu._base import decode
from dlmskit.apdu.errors import (
    Access,
    ChangeScope,
    ConfirmedService,
    ConfirmedServiceError,
    ExceptionResponse,
    ExceptionServiceError,
    Initiate,
    OtherError,
    StateError,
    Task,
    service_error_choice,
)
from dlmskit.errors import DecodeError
from tests.apdu.strategies_acse import confirmed_service_errors, exception_responses
from tests.vectors import item_bytes


def test_xdlms_39_exception_response() -> None:
    # XDLMS-39: TCP-wrapper trace against the arabine/opendlms meter simulator @ 8cf92553a68a
    raw = item_bytes("XDLMS", 39)[8:]
    assert raw == bytes.fromhex("D80101")
    apdu = decode(raw)
    assert apdu == ExceptionResponse(
        state_error=StateError.SERVICE_NOT_ALLOWED,
        service_error=ExceptionServiceError.OPERATION_NOT_POSSIBLE,
    )
    assert apdu.to_bytes() == raw


def test_invocation_counter_error_carries_its_value() -> None:
    # Green Book 9.5: invocation-counter-error [6] IMPLICIT Unsigned32
    apdu = ExceptionResponse(
        state_error=StateError.SERVICE_UNKNOWN,
        service_error=ExceptionServiceError.INVOCATION_COUNTER_ERROR,
        invocation_counter_error=0x01020304,
    )
    assert apdu.to_bytes() == bytes.fromhex("D8020601020304")
    assert decode(apdu.to_bytes()) == apdu
    with pytest.raises(DecodeError, match="invocation-counter-error"):
        decode(bytes.fromhex("D80206010203"))
    with pytest.raises(ValueError, match="needs its Unsigned32"):
        ExceptionResponse(
            state_error=StateError.SERVICE_UNKNOWN,
            service_error=ExceptionServiceError.INVOCATION_COUNTER_ERROR,
        )
    with pytest.raises(ValueError, match="given with service-error pdu-too-long"):
        ExceptionResponse(
            state_error=StateError.SERVICE_UNKNOWN,
            service_error=ExceptionServiceError.PDU_TOO_LONG,
            invocation_counter_error=1,
        )


def test_exception_response_unknowns() -> None:
    # An unnamed state-error is kept (open enum); an unknown service-error alternative has
    # an unknown body and is refused.
    apdu = decode(bytes.fromhex("D80705"))
    assert isinstance(apdu, ExceptionResponse)
    assert apdu.state_error == 7 and not apdu.state_error.known
    assert apdu.service_error is ExceptionServiceError.DECIPHERING_ERROR
    with pytest.raises(DecodeError, match="unknown service-error choice 7") as info:
        decode(bytes.fromhex("D80107"))
    assert info.value.offset == 2
    with pytest.raises(ValueError, match="service-error"):
        ExceptionResponse(state_error=StateError.SERVICE_UNKNOWN, service_error=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="state-error"):
        ExceptionResponse(state_error=256, service_error=ExceptionServiceError.OTHER_REASON)  # type: ignore[arg-type]


def test_acse_08_confirmed_service_error_in_aare() -> None:
    # ACSE-08, u9n/dlms-cosem tests/test_asce/test_aare.py:40: user-information BE 06 04 04 0E010601
    raw = item_bytes("ACSE", 8)[-4:]
    assert raw == bytes.fromhex("0E010601")
    apdu = decode(raw)
    assert apdu == ConfirmedServiceError(
        confirmed_service=ConfirmedService.INITIATE_ERROR,
        service_error=Initiate.DLMS_VERSION_TOO_LOW,
    )
    assert isinstance(apdu, ConfirmedServiceError)
    assert apdu.service_error_choice == 6
    assert apdu.confirmed_service.dlms_name == "initiateError"
    assert apdu.service_error.dlms_name == "dlms-version-too-low"
    assert apdu.to_bytes() == raw


def test_acse_18_refused_by_the_vde_handler() -> None:
    # ACSE-18, arabine/opendlms tests/test_association.cpp (comment): BE06 04 04 0E 01 06 04
    raw = item_bytes("ACSE", 18)[-4:]
    apdu = decode(raw)
    assert isinstance(apdu, ConfirmedServiceError)
    assert apdu.service_error is Initiate.REFUSED_BY_THE_VDE_HANDLER
    assert apdu.to_bytes() == raw


def test_service_error_alternatives() -> None:
    # The Python type of service_error is the ServiceError alternative (Green Book 9.5).
    assert service_error_choice(Access.SCOPE_OF_ACCESS_VIOLATED) == 5
    assert service_error_choice(Task.TI_RUNNING) == 9
    read = ConfirmedServiceError(
        confirmed_service=ConfirmedService.READ, service_error=Access.OBJECT_UNAVAILABLE
    )
    assert read.to_bytes() == bytes.fromhex("0E050504")
    # change-scope [8] and other [10] have no named values: any value is kept.
    for value in (ChangeScope(3), OtherError(0)):
        apdu = ConfirmedServiceError(confirmed_service=ConfirmedService.WRITE, service_error=value)
        again = decode(apdu.to_bytes())
        assert isinstance(again, ConfirmedServiceError) and again == apdu
        assert type(again.service_error) is type(value)
    unknown = decode(bytes.fromhex("0E0106C8"))
    assert isinstance(unknown, ConfirmedServiceError)
    assert unknown.service_error == 200 and not unknown.service_error.known


def test_confirmed_service_error_refusals() -> None:
    with pytest.raises(DecodeError, match="unknown confirmed-service-error choice 0"):
        decode(bytes.fromhex("0E000601"))
    with pytest.raises(DecodeError, match="unknown confirmed-service-error choice 20"):
        decode(bytes.fromhex("0E140601"))
    with pytest.raises(DecodeError, match="unknown service-error choice 11") as info:
        decode(bytes.fromhex("0E010B01"))
    assert info.value.offset == 2
    with pytest.raises(DecodeError, match="service-error value"):
        decode(bytes.fromhex("0E0106"))
    with pytest.raises(TypeError, match="ServiceError"):
        ConfirmedServiceError(confirmed_service=ConfirmedService.READ, service_error=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="confirmed-service"):
        ConfirmedServiceError(confirmed_service=0, service_error=Initiate.OTHER)  # type: ignore[arg-type]


@given(st.one_of(exception_responses(), confirmed_service_errors()))
def test_round_trip(apdu: ExceptionResponse | ConfirmedServiceError) -> None:
    raw = apdu.to_bytes()
    again = decode(raw)
    assert again == apdu
    assert type(again.service_error) is type(apdu.service_error)
    assert again.to_bytes() == raw
    with pytest.raises(DecodeError):
        decode(raw + b"\x00")
    for end in range(len(raw)):
        with pytest.raises(DecodeError):
            decode(raw[:end])


@settings(max_examples=300)
@given(st.sampled_from([0x0E, 0xD8]), st.binary(max_size=8))
def test_fuzz(tag: int, body: bytes) -> None:
    raw = bytes([tag]) + body
    try:
        apdu = decode(raw)
    except DecodeError:
        return
    assert apdu.to_bytes() == raw
