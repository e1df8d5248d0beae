"""The xDLMS error APDUs: ExceptionResponse and ConfirmedServiceError (Green Book 9.5).

Both are values the peer sends instead of a normal response (DESIGN rule 6: errors the
peer reports are values; the client raises them only at the top).

- :class:`ExceptionResponse` (tag 0xD8): a server that cannot even parse or accept a
  request answers with it (e.g. a service not allowed in the current state, a PDU too long,
  a deciphering or invocation-counter error).
- :class:`ConfirmedServiceError` (tag 0x0E): the negative answer to a confirmed service;
  an AARE that rejects an association carries one in its user-information (Green Book
  9.4.2.2.3; ``0E 01 06 01`` = initiateError, initiate, dlms-version-too-low).

Each ServiceError alternative is its own enumeration class, so the CHOICE is told apart by
the Python type of :attr:`ConfirmedServiceError.service_error` (the translator's rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Final, TypeAlias

from dlmskit._buffer import Reader
from dlmskit.apdu._base import Apdu, register
from dlmskit.apdu.common import OpenIntEnum, check_range

__all__ = [
    "Access",
    "ApplicationReference",
    "ChangeScope",
    "ConfirmedService",
    "ConfirmedServiceError",
    "Definition",
    "ExceptionResponse",
    "ExceptionServiceError",
    "HardwareResource",
    "Initiate",
    "LoadDataSet",
    "OtherError",
    "Service",
    "ServiceError",
    "StateError",
    "Task",
    "VdeStateError",
    "service_error_choice",
]


# ---------------------------------------------------------------------------------------
# ExceptionResponse (Green Book 9.5)
# ---------------------------------------------------------------------------------------


class StateError(OpenIntEnum):
    """ExceptionResponse state-error: ``[0] IMPLICIT ENUMERATED``."""

    SERVICE_NOT_ALLOWED = 1
    SERVICE_UNKNOWN = 2


class ExceptionServiceError(IntEnum):
    """ExceptionResponse service-error: the CHOICE alternative (its tag).

    Closed: an unknown alternative has an unknown body, so it cannot be decoded.
    """

    OPERATION_NOT_POSSIBLE = 1  # [1] IMPLICIT NULL
    SERVICE_NOT_SUPPORTED = 2  # [2] IMPLICIT NULL
    OTHER_REASON = 3  # [3] IMPLICIT NULL
    PDU_TOO_LONG = 4  # [4] IMPLICIT NULL
    DECIPHERING_ERROR = 5  # [5] IMPLICIT NULL
    INVOCATION_COUNTER_ERROR = 6  # [6] IMPLICIT Unsigned32

    @property
    def dlms_name(self) -> str:
        return self.name.lower().replace("_", "-")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExceptionResponse(Apdu):
    """ExceptionResponse (tag 0xD8)::

        ExceptionResponse ::= SEQUENCE {
            state-error    [0] IMPLICIT ENUMERATED { service-not-allowed (1),
                                                     service-unknown (2) },
            service-error  [1] CHOICE {
                operation-not-possible   [1] IMPLICIT NULL,
                service-not-supported    [2] IMPLICIT NULL,
                other-reason             [3] IMPLICIT NULL,
                pdu-too-long             [4] IMPLICIT NULL,
                deciphering-error        [5] IMPLICIT NULL,
                invocation-counter-error [6] IMPLICIT Unsigned32 } }

        D8 ss ee [cc cc cc cc]     (XDLMS-39: D8 01 01)

    ``invocation_counter_error`` is the Unsigned32 of the invocation-counter-error
    alternative (the counter value the server expects); it is set exactly when
    ``service_error`` is ``INVOCATION_COUNTER_ERROR``.
    """

    TAG: ClassVar[int] = 0xD8
    NAME: ClassVar[str] = "exception-response"

    state_error: StateError
    service_error: ExceptionServiceError
    invocation_counter_error: int | None = None

    def __post_init__(self) -> None:
        check_range("state-error", self.state_error, 0, 0xFF)
        if type(self.state_error) is not StateError:
            object.__setattr__(self, "state_error", StateError(self.state_error))
        try:
            service = ExceptionServiceError(self.service_error)
        except ValueError:
            raise ValueError(f"service-error {self.service_error!r} is not 1..6") from None
        object.__setattr__(self, "service_error", service)
        if service is ExceptionServiceError.INVOCATION_COUNTER_ERROR:
            if self.invocation_counter_error is None:
                raise ValueError("invocation-counter-error needs its Unsigned32 value")
            check_range("invocation-counter-error", self.invocation_counter_error, 0, 0xFFFFFFFF)
        elif self.invocation_counter_error is not None:
            raise ValueError(
                f"invocation-counter-error value given with service-error {service.dlms_name}"
            )

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        out.append(self.state_error)
        out.append(self.service_error)
        if self.invocation_counter_error is not None:
            out += self.invocation_counter_error.to_bytes(4, "big")


@register(ExceptionResponse.TAG, ExceptionResponse.NAME)
def _read_exception_response(reader: Reader) -> ExceptionResponse:
    state = StateError(reader.u8("state-error"))
    pos = reader.pos
    choice = reader.u8("service-error")
    try:
        service = ExceptionServiceError(choice)
    except ValueError:
        raise reader.error(f"unknown service-error choice {choice}", pos) from None
    counter = None
    if service is ExceptionServiceError.INVOCATION_COUNTER_ERROR:
        counter = reader.u32("invocation-counter-error")
    return ExceptionResponse(
        state_error=state, service_error=service, invocation_counter_error=counter
    )


# ---------------------------------------------------------------------------------------
# ConfirmedServiceError (Green Book 9.5)
# ---------------------------------------------------------------------------------------


class ConfirmedService(IntEnum):
    """ConfirmedServiceError: the CHOICE alternative naming the failed service (tag 0 is
    reserved). Closed: an unknown alternative is a DecodeError (rule 4)."""

    INITIATE_ERROR = 1
    GET_STATUS = 2
    GET_NAME_LIST = 3
    GET_VARIABLE_ATTRIBUTE = 4
    READ = 5
    WRITE = 6
    GET_DATA_SET_ATTRIBUTE = 7
    GET_TI_ATTRIBUTE = 8
    CHANGE_SCOPE = 9
    START = 10
    STOP = 11
    RESUME = 12
    MAKE_USABLE = 13
    INITIATE_LOAD = 14
    LOAD_SEGMENT = 15
    TERMINATE_LOAD = 16
    INITIATE_UP_LOAD = 17
    UP_LOAD_SEGMENT = 18
    TERMINATE_UP_LOAD = 19

    @property
    def dlms_name(self) -> str:
        """The ASN.1 spelling (``initiateError``, ``getTIAttribute``, ...)."""
        return _CONFIRMED_SERVICE_NAMES[self]


_CONFIRMED_SERVICE_NAMES: Final = {
    ConfirmedService.INITIATE_ERROR: "initiateError",
    ConfirmedService.GET_STATUS: "getStatus",
    ConfirmedService.GET_NAME_LIST: "getNameList",
    ConfirmedService.GET_VARIABLE_ATTRIBUTE: "getVariableAttribute",
    ConfirmedService.READ: "read",
    ConfirmedService.WRITE: "write",
    ConfirmedService.GET_DATA_SET_ATTRIBUTE: "getDataSetAttribute",
    ConfirmedService.GET_TI_ATTRIBUTE: "getTIAttribute",
    ConfirmedService.CHANGE_SCOPE: "changeScope",
    ConfirmedService.START: "start",
    ConfirmedService.STOP: "stop",
    ConfirmedService.RESUME: "resume",
    ConfirmedService.MAKE_USABLE: "makeUsable",
    ConfirmedService.INITIATE_LOAD: "initiateLoad",
    ConfirmedService.LOAD_SEGMENT: "loadSegment",
    ConfirmedService.TERMINATE_LOAD: "terminateLoad",
    ConfirmedService.INITIATE_UP_LOAD: "initiateUpLoad",
    ConfirmedService.UP_LOAD_SEGMENT: "upLoadSegment",
    ConfirmedService.TERMINATE_UP_LOAD: "terminateUpLoad",
}


# The ServiceError CHOICE: one open enumeration per alternative (values a peer sends that
# the Green Book does not name are kept as UNKNOWN_n).


class ApplicationReference(OpenIntEnum):
    """application-reference [0] (DLMS provider only)."""

    OTHER = 0
    TIME_ELAPSED = 1
    APPLICATION_UNREACHABLE = 2
    APPLICATION_REFERENCE_INVALID = 3
    APPLICATION_CONTEXT_UNSUPPORTED = 4
    PROVIDER_COMMUNICATION_ERROR = 5
    DECIPHERING_ERROR = 6


class HardwareResource(OpenIntEnum):
    """hardware-resource [1]."""

    OTHER = 0
    MEMORY_UNAVAILABLE = 1
    PROCESSOR_RESOURCE_UNAVAILABLE = 2
    MASS_STORAGE_UNAVAILABLE = 3
    OTHER_RESOURCE_UNAVAILABLE = 4


class VdeStateError(OpenIntEnum):
    """vde-state-error [2]."""

    OTHER = 0
    NO_DLMS_CONTEXT = 1
    LOADING_DATA_SET = 2
    STATUS_NOCHANGE = 3
    STATUS_INOPERABLE = 4


class Service(OpenIntEnum):
    """service [3]."""

    OTHER = 0
    PDU_SIZE = 1
    SERVICE_UNSUPPORTED = 2


class Definition(OpenIntEnum):
    """definition [4]."""

    OTHER = 0
    OBJECT_UNDEFINED = 1
    OBJECT_CLASS_INCONSISTENT = 2
    OBJECT_ATTRIBUTE_INCONSISTENT = 3


class Access(OpenIntEnum):
    """access [5]."""

    OTHER = 0
    SCOPE_OF_ACCESS_VIOLATED = 1
    OBJECT_ACCESS_VIOLATED = 2
    HARDWARE_FAULT = 3
    OBJECT_UNAVAILABLE = 4


class Initiate(OpenIntEnum):
    """initiate [6]."""

    OTHER = 0
    DLMS_VERSION_TOO_LOW = 1
    INCOMPATIBLE_CONFORMANCE = 2
    PDU_SIZE_TOO_SHORT = 3
    REFUSED_BY_THE_VDE_HANDLER = 4


class LoadDataSet(OpenIntEnum):
    """load-data-set [7]."""

    OTHER = 0
    PRIMITIVE_OUT_OF_SEQUENCE = 1
    NOT_LOADABLE = 2
    DATASET_SIZE_TOO_LARGE = 3
    NOT_AWAITED_SEGMENT = 4
    INTERPRETATION_FAILURE = 5
    STORAGE_FAILURE = 6
    DATA_SET_NOT_READY = 7


class ChangeScope(OpenIntEnum):
    """change-scope [8]: an ENUMERATED whose values the Green Book does not name.

    ``OTHER = 0`` is our name, by analogy with every other alternative (an enumeration
    needs one member); every other value is kept as ``UNKNOWN_n``.
    """

    OTHER = 0


class Task(OpenIntEnum):
    """task [9]."""

    OTHER = 0
    NO_REMOTE_CONTROL = 1
    TI_STOPPED = 2
    TI_RUNNING = 3
    TI_UNUSABLE = 4


class OtherError(OpenIntEnum):
    """other [10]: an ENUMERATED whose values the Green Book does not name (``OTHER = 0``
    is our name, as for :class:`ChangeScope`)."""

    OTHER = 0


ServiceError: TypeAlias = (
    ApplicationReference
    | HardwareResource
    | VdeStateError
    | Service
    | Definition
    | Access
    | Initiate
    | LoadDataSet
    | ChangeScope
    | Task
    | OtherError
)
"""The ServiceError CHOICE: the enumeration class is the alternative."""

_SERVICE_ERROR_TYPES: Final[dict[int, type[OpenIntEnum]]] = {
    0: ApplicationReference,
    1: HardwareResource,
    2: VdeStateError,
    3: Service,
    4: Definition,
    5: Access,
    6: Initiate,
    7: LoadDataSet,
    8: ChangeScope,
    9: Task,
    10: OtherError,
}
_SERVICE_ERROR_CHOICES: Final = {cls: tag for tag, cls in _SERVICE_ERROR_TYPES.items()}


def service_error_choice(value: ServiceError) -> int:
    """The ServiceError CHOICE tag of ``value`` (``Initiate.OTHER`` → 6)."""
    return _SERVICE_ERROR_CHOICES[type(value)]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmedServiceError(Apdu):
    """ConfirmedServiceError (tag 0x0E)::

        ConfirmedServiceError ::= CHOICE {
            initiateError [1] ServiceError, getStatus [2] ServiceError, ...,
            terminateUpLoad [19] ServiceError }
        ServiceError ::= CHOICE {
            application-reference [0] IMPLICIT ENUMERATED, hardware-resource [1] ...,
            vde-state-error [2], service [3], definition [4], access [5], initiate [6],
            load-data-set [7], change-scope [8], task [9], other [10] }

        0E ss ee vv      service (1..19), ServiceError alternative (0..10), value
        0E 01 06 01      initiateError / initiate / dlms-version-too-low (ACSE-08)

    ``service_error`` is one of the enumeration classes above; its class is the
    ServiceError alternative (:func:`service_error_choice`).
    """

    TAG: ClassVar[int] = 0x0E
    NAME: ClassVar[str] = "confirmed-service-error"

    confirmed_service: ConfirmedService
    service_error: ServiceError

    def __post_init__(self) -> None:
        try:
            service = ConfirmedService(self.confirmed_service)
        except ValueError:
            raise ValueError(f"confirmed-service {self.confirmed_service!r} is not 1..19") from None
        object.__setattr__(self, "confirmed_service", service)
        if type(self.service_error) not in _SERVICE_ERROR_CHOICES:
            raise TypeError(
                "service-error must be one of the ServiceError enumerations "
                f"(Initiate, Access, ...), not {type(self.service_error).__name__}"
            )

    @property
    def service_error_choice(self) -> int:
        """The ServiceError alternative's tag (0..10)."""
        return service_error_choice(self.service_error)

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        out.append(self.confirmed_service)
        out.append(service_error_choice(self.service_error))
        out.append(self.service_error)


@register(ConfirmedServiceError.TAG, ConfirmedServiceError.NAME)
def _read_confirmed_service_error(reader: Reader) -> ConfirmedServiceError:
    pos = reader.pos
    choice = reader.u8("confirmed-service-error choice")
    try:
        service = ConfirmedService(choice)
    except ValueError:
        raise reader.error(f"unknown confirmed-service-error choice {choice}", pos) from None
    pos = reader.pos
    tag = reader.u8("service-error choice")
    kind = _SERVICE_ERROR_TYPES.get(tag)
    if kind is None:
        raise reader.error(f"unknown service-error choice {tag}", pos)
    value: Any = kind(reader.u8("service-error value"))
    return ConfirmedServiceError(confirmed_service=service, service_error=value)
