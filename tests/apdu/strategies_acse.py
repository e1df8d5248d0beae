"""Hypothesis strategies for the association family: ACSE (AARQ, AARE, RLRQ, RLRE), the
xDLMS initiate APDUs and the error APDUs (ExceptionResponse, ConfirmedServiceError).

:func:`apdus` draws every one of these types with random valid field values (the
translator's round-trip test imports it).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import strategies as st

from dlmskit import axdr, ber
from dlmskit.apdu._base import Apdu, registered_tags
from dlmskit.apdu.acse import (
    AARE,
    AARQ,
    ACSE_TAGS,
    RLRE,
    RLRQ,
    AcseServiceProvider,
    AcseServiceUser,
    ApplicationContextName,
    AssociationResult,
    AuthenticationValue,
    AuthenticationValueChoice,
    LengthForm,
    MechanismName,
    ReleaseRequestReason,
    ReleaseResponseReason,
)
from dlmskit.apdu.errors import _SERVICE_ERROR_TYPES as SERVICE_ERROR_TYPES
from dlmskit.apdu.errors import (
    ConfirmedService,
    ConfirmedServiceError,
    ExceptionResponse,
    ExceptionServiceError,
    StateError,
)
from dlmskit.apdu.initiate import Conformance, InitiateRequest, InitiateResponse
from dlmskit.ber import BitString, Tag, TagClass, Tlv

__all__ = [
    "aares",
    "aarqs",
    "acse_apdus",
    "apdus",
    "confirmed_service_errors",
    "exception_responses",
    "initiate_requests",
    "initiate_responses",
    "rlres",
    "rlrqs",
    "service_errors",
]

_INT8 = st.integers(-128, 127)
_U8 = st.integers(0, 0xFF)
_U16 = st.integers(0, 0xFFFF)


def _open_enum(cls: Any) -> st.SearchStrategy[Any]:
    """Named members and, now and then, a value the standard does not name."""
    return st.one_of(st.sampled_from(list(cls)), st.integers(0, 0xFF).map(cls))


def conformances() -> st.SearchStrategy[Conformance]:
    return st.integers(0, 0xFFFFFF).map(Conformance)


@st.composite
def _octet_strings(draw: st.DrawFn, max_size: int = 40) -> axdr.OctetString:
    data = axdr.OctetString(draw(st.binary(max_size=max_size)))
    if draw(st.booleans()):
        return data
    # A non-minimal A-XDR length form that still fits.
    form = draw(st.integers(1, 4))
    return data.with_length_form(form)


def initiate_requests() -> st.SearchStrategy[InitiateRequest]:
    return st.builds(
        InitiateRequest,
        dedicated_key=st.none() | _octet_strings(),
        response_allowed=st.none() | st.booleans(),
        proposed_quality_of_service=st.none() | _INT8,
        proposed_dlms_version_number=_U8,
        proposed_conformance=conformances(),
        client_max_receive_pdu_size=_U16,
    )


def initiate_responses() -> st.SearchStrategy[InitiateResponse]:
    return st.builds(
        InitiateResponse,
        negotiated_quality_of_service=st.none() | _INT8,
        negotiated_dlms_version_number=_U8,
        negotiated_conformance=conformances(),
        server_max_receive_pdu_size=_U16,
        vaa_name=_U16,
    )


def exception_responses() -> st.SearchStrategy[ExceptionResponse]:
    @st.composite
    def build(draw: st.DrawFn) -> ExceptionResponse:
        service = draw(st.sampled_from(list(ExceptionServiceError)))
        counter = None
        if service is ExceptionServiceError.INVOCATION_COUNTER_ERROR:
            counter = draw(st.integers(0, 0xFFFFFFFF))
        return ExceptionResponse(
            state_error=draw(_open_enum(StateError)),
            service_error=service,
            invocation_counter_error=counter,
        )

    return build()


def service_errors() -> st.SearchStrategy[Any]:
    """One value of any ServiceError alternative (named or not)."""
    return st.sampled_from(list(SERVICE_ERROR_TYPES.values())).flatmap(_open_enum)


def confirmed_service_errors() -> st.SearchStrategy[ConfirmedServiceError]:
    return st.builds(
        ConfirmedServiceError,
        confirmed_service=st.sampled_from(list(ConfirmedService)),
        service_error=service_errors(),
    )


# -- ACSE ------------------------------------------------------------------------------


@st.composite
def oids(draw: st.DrawFn) -> str:
    known = [c.oid for c in ApplicationContextName] + [m.oid for m in MechanismName]
    if draw(st.booleans()):
        return draw(st.sampled_from(known))
    first = draw(st.integers(0, 2))
    second = draw(st.integers(0, 39 if first < 2 else 1000))
    rest = draw(st.lists(st.integers(0, 2**64), max_size=6))
    return ".".join(map(str, (first, second, *rest)))


@st.composite
def bit_strings(draw: st.DrawFn) -> BitString:
    data = draw(st.binary(max_size=4))
    return BitString(data, draw(st.integers(0, 7)) if data else 0)


@st.composite
def _ber_components(draw: st.DrawFn) -> bytes:
    """Encoded BER components (the contents of an EXTERNAL or "other" value)."""
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        tag = Tag(TagClass(draw(st.integers(0, 3))), False, draw(st.integers(0, 40)))
        node = Tlv.primitive(tag, draw(st.binary(max_size=10)))
        if draw(st.booleans()):
            node = Tlv.constructed(Tag.universal(16, True), [node])
        parts.append(ber.encode(node))
    return b"".join(parts)


@st.composite
def authentication_values(draw: st.DrawFn) -> AuthenticationValue:
    choice = draw(st.sampled_from(list(AuthenticationValueChoice)))
    if choice is AuthenticationValueChoice.CHARSTRING:
        value = draw(st.binary(max_size=64))
    elif choice is AuthenticationValueChoice.BITSTRING:
        bits = draw(bit_strings())
        value = ber.encode_bit_string(bits)
    else:
        value = draw(_ber_components())
    return AuthenticationValue(value=value, choice=choice)


@st.composite
def user_informations(draw: st.DrawFn) -> Apdu | bytes:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(initiate_requests())
    if kind == 1:
        return draw(initiate_responses())
    if kind == 2:
        return draw(confirmed_service_errors())
    if kind == 3:
        return b""
    # Raw bytes whose first byte no decoder knows (a ciphered initiate, before its family
    # is registered): kept as bytes.
    free = sorted(set(range(256)) - set(registered_tags()) - ACSE_TAGS)
    first = draw(st.sampled_from(free))
    return bytes([first]) + draw(st.binary(max_size=60))


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


_OCTETS = st.binary(max_size=20)
_INVOCATION = st.integers(-(2**40), 2**40)
_GRAPHIC = st.text(alphabet=st.characters(max_codepoint=255), max_size=20)

# Fields whose own TLV is primitive (implicitly tagged): they have no ".inner" TLV.
_IMPLICIT = frozenset(
    {
        "protocol_version",
        "sender_acse_requirements",
        "responder_acse_requirements",
        "mechanism_name",
        "implementation_information",
        "reason",
    }
)


@st.composite
def _with_length_forms(draw: st.DrawFn, apdu: Any) -> Any:
    """``apdu``, sometimes with non-minimal BER length forms on some of its TLVs."""
    if draw(st.booleans()):
        return apdu
    paths = [apdu.NAME]
    for field in dataclasses.fields(apdu):
        if field.name == "length_forms" or getattr(apdu, field.name) is None:
            continue
        paths.append(field.name)
        if field.name not in _IMPLICIT:
            paths.append(field.name + ".inner")
        if field.name == "result_source_diagnostic":
            paths.append(field.name + ".inner.inner")
    chosen = draw(st.lists(st.sampled_from(paths), unique=True, max_size=4))
    forms = tuple(LengthForm(tlv=p, octets=draw(st.integers(1, 4))) for p in chosen)
    try:
        return dataclasses.replace(apdu, length_forms=forms)
    except ValueError:  # a minimal or too-short form for a long TLV: keep it minimal
        return apdu


def aarqs() -> st.SearchStrategy[AARQ]:
    base = st.builds(
        AARQ,
        protocol_version=_optional(bit_strings()),
        application_context_name=oids(),
        called_ap_title=_optional(_OCTETS),
        called_ae_qualifier=_optional(_OCTETS),
        called_ap_invocation_id=_optional(_INVOCATION),
        called_ae_invocation_id=_optional(_INVOCATION),
        calling_ap_title=_optional(_OCTETS),
        calling_ae_qualifier=_optional(_OCTETS),
        calling_ap_invocation_id=_optional(_INVOCATION),
        calling_ae_invocation_id=_optional(_INVOCATION),
        sender_acse_requirements=_optional(bit_strings()),
        mechanism_name=_optional(oids()),
        calling_authentication_value=_optional(authentication_values()),
        implementation_information=_optional(_GRAPHIC),
        user_information=_optional(user_informations()),
    )
    return base.flatmap(_with_length_forms)


def aares() -> st.SearchStrategy[AARE]:
    base = st.builds(
        AARE,
        protocol_version=_optional(bit_strings()),
        application_context_name=oids(),
        result=_open_enum(AssociationResult),
        result_source_diagnostic=_open_enum(AcseServiceUser) | _open_enum(AcseServiceProvider),
        responding_ap_title=_optional(_OCTETS),
        responding_ae_qualifier=_optional(_OCTETS),
        responding_ap_invocation_id=_optional(_INVOCATION),
        responding_ae_invocation_id=_optional(_INVOCATION),
        responder_acse_requirements=_optional(bit_strings()),
        mechanism_name=_optional(oids()),
        responding_authentication_value=_optional(authentication_values()),
        implementation_information=_optional(_GRAPHIC),
        user_information=_optional(user_informations()),
    )
    return base.flatmap(_with_length_forms)


def rlrqs() -> st.SearchStrategy[RLRQ]:
    base = st.builds(
        RLRQ,
        reason=_optional(_open_enum(ReleaseRequestReason)),
        user_information=_optional(user_informations()),
    )
    return base.flatmap(_with_length_forms)


def rlres() -> st.SearchStrategy[RLRE]:
    base = st.builds(
        RLRE,
        reason=_optional(_open_enum(ReleaseResponseReason)),
        user_information=_optional(user_informations()),
    )
    return base.flatmap(_with_length_forms)


def acse_apdus() -> st.SearchStrategy[Apdu]:
    return st.one_of(aarqs(), aares(), rlrqs(), rlres())


def apdus() -> st.SearchStrategy[Apdu]:
    """Every APDU type of this family, with random valid field values."""
    return st.one_of(
        aarqs(),
        aares(),
        rlrqs(),
        rlres(),
        initiate_requests(),
        initiate_responses(),
        exception_responses(),
        confirmed_service_errors(),
    )
