"""Ciphered xDLMS APDUs as structures (Green Book 9.2.7 and 9.5, xDLMS APDU ASN.1).

This module is the *byte layout* of the protected APDUs only: it splits them into their
fields and writes them back unchanged. It does no cryptography (no keys, no GCM, no
signature check); :mod:`dlmskit.security` turns a ciphered APDU into its plaintext APDU and
back. The plaintext is therefore never decoded here.

Service-specific ciphering (an ``IMPLICIT OCTET STRING`` whose content is the ciphered
content)::

    tag  length  SC  IC (4)  ciphered text ‖ authentication tag
         ^^^^^^ A-XDR length of everything after it (a non-minimal form is kept)

General ciphering APDUs (A-XDR SEQUENCEs of OCTET STRINGs, each length-prefixed)::

    DB general-glo-ciphering   system-title, ciphered-content
    DC general-ded-ciphering   system-title, ciphered-content
    DD general-ciphering       transaction-id, originator-system-title,
                               recipient-system-title, date-time, other-information,
                               key-info OPTIONAL, ciphered-content
    DF general-signing         transaction-id, originator-system-title,
                               recipient-system-title, date-time, other-information,
                               content, signature

    ciphered-content = SC (1) ‖ IC (4) ‖ ciphered text ‖ authentication tag

The security header SC ‖ IC (security control byte, invocation counter) is split out into
:attr:`security_control` and :attr:`invocation_counter`; the rest is :attr:`ciphered_text`
(the ciphertext with the authentication tag appended when authentication is applied; the
tag is 12 octets for security suites 0..2). :meth:`~_CipheredParts.ciphertext` and
:meth:`~_CipheredParts.authentication_tag` split it for a given tag length.

Tag values (``XDLMS-APDU`` CHOICE of the Green Book 9.5), checked against jDLMS
``asn1/cosem/cosem.asn`` (glo-initiateRequest [33] .. ded-action-response [215]), Gurux's
``Command`` enum (``GLO_INITIATE_REQUEST = 0x21`` .. ``DED_INFORMATION_REPORT_REQUEST =
88``, ``GENERAL_GLO_CIPHERING = 0xDB``, ``GENERAL_DED_CIPHERING = 0xDC``,
``GENERAL_CIPHERING = 0xDD``) and a TypeScript transcription of the Green Book's ASN.1
(glo-unconfirmedWriteRequest [54], glo-informationReportRequest [56], general-signing
[223], Key-Info, General-Ciphering and General-Signing productions). ``NAME`` is the
Green Book's identifier verbatim, including its irregular spellings
(``glo-initiateRequest`` next to ``glo-get-request``, and ``ded-actionRequest``).

Lenience: a system title of any length is accepted, the empty one included (a Pietro
Fiorentini meter sends ``DB 00 ..``, vector XDLMS-28); the standard says 8 octets.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Final, Self

from dlmskit import axdr
from dlmskit._buffer import Reader
from dlmskit.apdu._base import Apdu, ApduDecoder, register
from dlmskit.apdu.common import (
    OpenIntEnum,
    check_range,
    read_length,
    read_octets,
    read_optional_flag,
    write_length,
    write_octets,
)
from dlmskit.apdu.notification import to_octet_string
from dlmskit.errors import DecodeError

__all__ = [
    "DEFAULT_TAG_LENGTH",
    "SECURITY_HEADER_LENGTH",
    "SERVICE_SPECIFIC_CLASSES",
    "AgreedKey",
    "CipheredTag",
    "DedActionRequest",
    "DedActionResponse",
    "DedConfirmedServiceError",
    "DedEventNotificationRequest",
    "DedGetRequest",
    "DedGetResponse",
    "DedInformationReportRequest",
    "DedInitiateRequest",
    "DedInitiateResponse",
    "DedReadRequest",
    "DedReadResponse",
    "DedSetRequest",
    "DedSetResponse",
    "DedUnconfirmedWriteRequest",
    "DedWriteRequest",
    "DedWriteResponse",
    "GeneralCiphering",
    "GeneralDedCiphering",
    "GeneralGloCiphering",
    "GeneralSigning",
    "GloActionRequest",
    "GloActionResponse",
    "GloConfirmedServiceError",
    "GloEventNotificationRequest",
    "GloGetRequest",
    "GloGetResponse",
    "GloInformationReportRequest",
    "GloInitiateRequest",
    "GloInitiateResponse",
    "GloReadRequest",
    "GloReadResponse",
    "GloSetRequest",
    "GloSetResponse",
    "GloUnconfirmedWriteRequest",
    "GloWriteRequest",
    "GloWriteResponse",
    "IdentifiedKey",
    "KekId",
    "KeyId",
    "SecurityControl",
    "ServiceSpecificCiphered",
    "WrappedKey",
]

#: SC (1 octet) ‖ IC (4 octets): the security header in front of every ciphered text.
SECURITY_HEADER_LENGTH: Final = 5
#: The authentication tag length of security suites 0, 1 and 2 (Green Book 9.2.7).
DEFAULT_TAG_LENGTH: Final = 12

_EMPTY: Final = axdr.OctetString()  # date-time / other-information when absent

_SUITE = 0x0F
_AUTHENTICATION = 0x10
_ENCRYPTION = 0x20
_KEY_SET = 0x40
_COMPRESSION = 0x80


# -- security control -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SecurityControl:
    """The security control byte SC as it travels (Green Book 9.2.7, "Security
    header")::

        bit 7      compression      1 = the plaintext was compressed
        bit 6      key-set          0 = unicast key, 1 = broadcast key
        bit 5      encryption       1 = encryption applied (E)
        bit 4      authentication   1 = authentication applied (A)
        bits 3..0  security suite   0..15 (suites 0..5 defined)

    ``value`` is the whole octet, so every received octet re-encodes unchanged. This is
    the wire value type of the APDU codecs; :mod:`dlmskit.security` has the richer
    security policy type that decides what a peer must use.
    """

    value: int

    def __post_init__(self) -> None:
        check_range("security-control", self.value, 0, 0xFF)

    @classmethod
    def of(
        cls,
        *,
        suite_id: int = 0,
        authentication: bool = False,
        encryption: bool = False,
        broadcast: bool = False,
        compression: bool = False,
    ) -> Self:
        """Build the octet from its parts."""
        check_range("security-suite-id", suite_id, 0, _SUITE)
        return cls(
            suite_id
            | (_AUTHENTICATION if authentication else 0)
            | (_ENCRYPTION if encryption else 0)
            | (_KEY_SET if broadcast else 0)
            | (_COMPRESSION if compression else 0)
        )

    @property
    def suite_id(self) -> int:
        return self.value & _SUITE

    @property
    def authentication(self) -> bool:
        return bool(self.value & _AUTHENTICATION)

    @property
    def encryption(self) -> bool:
        return bool(self.value & _ENCRYPTION)

    @property
    def key_set(self) -> int:
        """0: the unicast key is used, 1: the broadcast key."""
        return (self.value & _KEY_SET) >> 6

    @property
    def broadcast(self) -> bool:
        return bool(self.value & _KEY_SET)

    @property
    def compression(self) -> bool:
        return bool(self.value & _COMPRESSION)

    def __repr__(self) -> str:
        return f"SecurityControl(0x{self.value:02X})"


# -- shared helpers ---------------------------------------------------------------------


def _minimal_form(n: int) -> int:
    return 0 if n < 0x80 else (n.bit_length() + 7) // 8


def _check_form(name: str, form: int | None, n: int) -> int | None:
    """Validate a length form for a length of ``n``; the minimal form becomes ``None``."""
    if form is None:
        return None
    check_range(name, form, 0, 4)
    if (form == 0 and n >= 0x80) or (form > 0 and n >= 1 << (8 * form)):
        raise ValueError(f"{name}: a length of {n} does not fit a form of {form} length byte(s)")
    return None if form == _minimal_form(n) else form


def _octets(name: str, value: object) -> axdr.OctetString:
    """Coerce to an OctetString and check (and normalise) its length form."""
    octets = to_octet_string(name, value)
    form = octets.length_form
    if form is not None:
        kept = _check_form(f"the length form of {name}", form, len(octets))
        if kept is None:
            octets = octets.with_length_form(None)
    return octets


def _plain_bytes(name: str, value: object) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"{name} must be bytes, not {type(value).__name__}")


def _check_parts(owner: _CipheredParts) -> None:
    """Constructor checks of security-control, invocation-counter and ciphered-text."""
    sc: object = owner.security_control
    if not isinstance(sc, SecurityControl):
        raise TypeError(f"security-control must be a SecurityControl, not {type(sc).__name__}")
    check_range("invocation-counter", owner.invocation_counter, 0, 0xFFFFFFFF)
    text: object = owner.ciphered_text
    if type(text) is not bytes:
        object.__setattr__(owner, "ciphered_text", _plain_bytes("ciphered-text", text))


def _read_length(reader: Reader, what: str) -> tuple[int, int | None]:
    try:
        return read_length(reader, what)
    except DecodeError as exc:
        if what in exc.reason:
            raise
        raise DecodeError(f"{exc.reason} ({what})", exc.offset) from None


def _read_content(
    reader: Reader, what: str = "ciphered-content"
) -> tuple[SecurityControl, int, bytes, int | None]:
    """A length-prefixed ciphered content: (SC, IC, ciphered text, length form)."""
    start = reader.pos
    n, form = _read_length(reader, what)
    if n < SECURITY_HEADER_LENGTH:
        raise reader.error(
            f"{what} of {n} byte(s) is shorter than its security header SC ‖ IC (5 bytes)",
            start,
        )
    content = reader.sub(n, what)
    sc = SecurityControl(content.u8(f"{what}.security-control"))
    ic = content.u32(f"{what}.invocation-counter")
    return sc, ic, content.rest(), form


def _read_octet_string(reader: Reader, what: str) -> axdr.OctetString:
    data, form = read_octets(reader, what)
    return axdr.OctetString(data).with_length_form(form)


def _write_octet_string(out: bytearray, value: axdr.OctetString) -> None:
    write_octets(out, value, value.length_form)


class _CipheredParts:
    """The security header and ciphered text shared by every ciphered APDU."""

    __slots__ = ()

    security_control: SecurityControl
    invocation_counter: int
    ciphered_text: bytes

    @property
    def security_header(self) -> bytes:
        """SC ‖ IC, 5 octets (the start of the ciphered content; part of the GCM AAD)."""
        return bytes((self.security_control.value,)) + self.invocation_counter.to_bytes(4, "big")

    @property
    def ciphered_content(self) -> bytes:
        """SC ‖ IC ‖ ciphered text, as it travels inside the octet string."""
        return self.security_header + self.ciphered_text

    def _tag_length(self, tag_length: int | None) -> int:
        if tag_length is None:
            return DEFAULT_TAG_LENGTH if self.security_control.authentication else 0
        check_range("tag-length", tag_length, 0, len(self.ciphered_text))
        return tag_length

    def ciphertext(self, tag_length: int | None = None) -> bytes:
        """The ciphered text without its authentication tag.

        ``tag_length`` defaults to 12 when SC says authentication is applied (suites 0..2),
        else 0.
        """
        n = self._tag_length(tag_length)
        text = self.ciphered_text
        if n > len(text):
            raise ValueError(f"ciphered-text of {len(text)} byte(s) has no {n}-byte tag")
        return text[: len(text) - n]

    def authentication_tag(self, tag_length: int | None = None) -> bytes:
        """The authentication tag at the end of the ciphered text (empty without one)."""
        n = self._tag_length(tag_length)
        text = self.ciphered_text
        if n > len(text):
            raise ValueError(f"ciphered-text of {len(text)} byte(s) has no {n}-byte tag")
        return text[len(text) - n :]

    def _write_content(self, out: bytearray, form: int | None) -> None:
        write_length(out, SECURITY_HEADER_LENGTH + len(self.ciphered_text), form)
        out.append(self.security_control.value)
        out += self.invocation_counter.to_bytes(4, "big")
        out += self.ciphered_text


# -- service-specific ciphering ---------------------------------------------------------


class CipheredTag(IntEnum):
    """Every service-specific ciphered APDU tag (Green Book 9.5, XDLMS-APDU CHOICE).

    glo- APDUs are ciphered with a global key, ded- APDUs with the dedicated key. The
    unciphered tag of each is :attr:`plain_tag`.
    """

    GLO_INITIATE_REQUEST = 0x21  # [33]
    GLO_READ_REQUEST = 0x25  # [37]
    GLO_WRITE_REQUEST = 0x26  # [38]
    GLO_INITIATE_RESPONSE = 0x28  # [40]
    GLO_READ_RESPONSE = 0x2C  # [44]
    GLO_WRITE_RESPONSE = 0x2D  # [45]
    GLO_CONFIRMED_SERVICE_ERROR = 0x2E  # [46]
    GLO_UNCONFIRMED_WRITE_REQUEST = 0x36  # [54]
    GLO_INFORMATION_REPORT_REQUEST = 0x38  # [56]
    DED_INITIATE_REQUEST = 0x41  # [65]
    DED_READ_REQUEST = 0x45  # [69]
    DED_WRITE_REQUEST = 0x46  # [70]
    DED_INITIATE_RESPONSE = 0x48  # [72]
    DED_READ_RESPONSE = 0x4C  # [76]
    DED_WRITE_RESPONSE = 0x4D  # [77]
    DED_CONFIRMED_SERVICE_ERROR = 0x4E  # [78]
    DED_UNCONFIRMED_WRITE_REQUEST = 0x56  # [86]
    DED_INFORMATION_REPORT_REQUEST = 0x58  # [88]
    GLO_GET_REQUEST = 0xC8  # [200]
    GLO_SET_REQUEST = 0xC9  # [201]
    GLO_EVENT_NOTIFICATION_REQUEST = 0xCA  # [202]
    GLO_ACTION_REQUEST = 0xCB  # [203]
    GLO_GET_RESPONSE = 0xCC  # [204]
    GLO_SET_RESPONSE = 0xCD  # [205]
    GLO_ACTION_RESPONSE = 0xCF  # [207]
    DED_GET_REQUEST = 0xD0  # [208]
    DED_SET_REQUEST = 0xD1  # [209]
    DED_EVENT_NOTIFICATION_REQUEST = 0xD2  # [210]
    DED_ACTION_REQUEST = 0xD3  # [211]
    DED_GET_RESPONSE = 0xD4  # [212]
    DED_SET_RESPONSE = 0xD5  # [213]
    DED_ACTION_RESPONSE = 0xD7  # [215]

    @property
    def dedicated(self) -> bool:
        """Whether the dedicated key protects it (ded-), rather than a global key (glo-)."""
        return self._name_.startswith("DED_")

    @property
    def from_client(self) -> bool:
        """Whether a client sends it (requests), rather than a server (responses, errors,
        event-notifications and information reports). Its IV carries the sender's title."""
        name = self._name_
        return name.endswith("_REQUEST") and not name.endswith(
            ("_EVENT_NOTIFICATION_REQUEST", "_INFORMATION_REPORT_REQUEST")
        )

    @property
    def plain_tag(self) -> int:
        """The tag of the unciphered APDU (glo-get-request 0xC8 → get-request 0xC0).

        The Green Book numbers them in fixed steps: glo- = plain + 32 and ded- = plain +
        64 for the initiate and SN APDUs; glo- = plain + 8 and ded- = plain + 16 for the
        LN services.
        """
        value = int(self)
        if value >= 0xC8:
            return value - (16 if self.dedicated else 8)
        return value - (64 if self.dedicated else 32)

    @classmethod
    def for_plain(cls, plain_tag: int, *, dedicated: bool = False) -> CipheredTag:
        """The ciphered tag of an unciphered APDU tag (get-request 0xC0 → 0xC8 or 0xD0)."""
        for member in cls:
            if member.plain_tag == plain_tag and member.dedicated == dedicated:
                return member
        kind = "ded-" if dedicated else "glo-"
        raise ValueError(f"no {kind} ciphered APDU for tag 0x{plain_tag:02X}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceSpecificCiphered(_CipheredParts, Apdu):
    """A service-specific glo- or ded- ciphered APDU (Green Book 9.2.7)::

        tag  length  SC  IC (4 octets, big-endian)  ciphered text ‖ tag

    The Green Book types each one as ``[n] IMPLICIT OCTET STRING``; one subclass per tag
    (:class:`GloGetRequest`, :class:`DedActionResponse`, ...) fixes ``TAG`` and ``NAME``.
    Build one for a tag known at run time with :meth:`of`. ``length_form`` keeps a
    non-minimal A-XDR length (``None``: minimal; else the number of long-form length
    bytes, 0 = short form).
    """

    security_control: SecurityControl
    invocation_counter: int
    ciphered_text: bytes
    length_form: int | None = None

    def __post_init__(self) -> None:
        if not hasattr(type(self), "TAG"):
            raise TypeError(
                "ServiceSpecificCiphered is abstract: use a subclass (GloGetRequest, ...) "
                "or ServiceSpecificCiphered.of(tag, ...)"
            )
        _check_parts(self)
        object.__setattr__(
            self,
            "length_form",
            _check_form(
                "length-form", self.length_form, SECURITY_HEADER_LENGTH + len(self.ciphered_text)
            ),
        )

    @staticmethod
    def of(
        tag: CipheredTag | int,
        *,
        security_control: SecurityControl,
        invocation_counter: int,
        ciphered_text: bytes,
        length_form: int | None = None,
    ) -> ServiceSpecificCiphered:
        """The ciphered APDU of class ``SERVICE_SPECIFIC_CLASSES[tag]``."""
        try:
            cls = SERVICE_SPECIFIC_CLASSES[CipheredTag(tag)]
        except ValueError:
            raise ValueError(f"0x{tag:02X} is not a service-specific ciphered tag") from None
        return cls(
            security_control=security_control,
            invocation_counter=invocation_counter,
            ciphered_text=ciphered_text,
            length_form=length_form,
        )

    @property
    def ciphered_tag(self) -> CipheredTag:
        return CipheredTag(self.TAG)

    @property
    def plain_tag(self) -> int:
        """The tag of the APDU this one protects (0xC0 for glo-get-request)."""
        return self.ciphered_tag.plain_tag

    @property
    def dedicated(self) -> bool:
        return self.ciphered_tag.dedicated

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        self._write_content(out, self.length_form)


# One class per tag; the bodies only name the tag (Green Book identifiers as NAME).


@dataclass(frozen=True, slots=True, kw_only=True)
class GloInitiateRequest(ServiceSpecificCiphered):
    """glo-initiateRequest [33]: an InitiateRequest ciphered with a global key."""

    TAG = 0x21
    NAME = "glo-initiateRequest"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloReadRequest(ServiceSpecificCiphered):
    """glo-readRequest [37]."""

    TAG = 0x25
    NAME = "glo-readRequest"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloWriteRequest(ServiceSpecificCiphered):
    """glo-writeRequest [38]."""

    TAG = 0x26
    NAME = "glo-writeRequest"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloInitiateResponse(ServiceSpecificCiphered):
    """glo-initiateResponse [40]: an InitiateResponse ciphered with a global key."""

    TAG = 0x28
    NAME = "glo-initiateResponse"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloReadResponse(ServiceSpecificCiphered):
    """glo-readResponse [44]."""

    TAG = 0x2C
    NAME = "glo-readResponse"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloWriteResponse(ServiceSpecificCiphered):
    """glo-writeResponse [45]."""

    TAG = 0x2D
    NAME = "glo-writeResponse"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloConfirmedServiceError(ServiceSpecificCiphered):
    """glo-confirmedServiceError [46]."""

    TAG = 0x2E
    NAME = "glo-confirmedServiceError"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloUnconfirmedWriteRequest(ServiceSpecificCiphered):
    """glo-unconfirmedWriteRequest [54]."""

    TAG = 0x36
    NAME = "glo-unconfirmedWriteRequest"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloInformationReportRequest(ServiceSpecificCiphered):
    """glo-informationReportRequest [56]."""

    TAG = 0x38
    NAME = "glo-informationReportRequest"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedInitiateRequest(ServiceSpecificCiphered):
    """ded-initiateRequest [65]."""

    TAG = 0x41
    NAME = "ded-initiateRequest"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedReadRequest(ServiceSpecificCiphered):
    """ded-readRequest [69]."""

    TAG = 0x45
    NAME = "ded-readRequest"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedWriteRequest(ServiceSpecificCiphered):
    """ded-writeRequest [70]."""

    TAG = 0x46
    NAME = "ded-writeRequest"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedInitiateResponse(ServiceSpecificCiphered):
    """ded-initiateResponse [72]."""

    TAG = 0x48
    NAME = "ded-initiateResponse"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedReadResponse(ServiceSpecificCiphered):
    """ded-readResponse [76]."""

    TAG = 0x4C
    NAME = "ded-readResponse"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedWriteResponse(ServiceSpecificCiphered):
    """ded-writeResponse [77]."""

    TAG = 0x4D
    NAME = "ded-writeResponse"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedConfirmedServiceError(ServiceSpecificCiphered):
    """ded-confirmedServiceError [78]."""

    TAG = 0x4E
    NAME = "ded-confirmedServiceError"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedUnconfirmedWriteRequest(ServiceSpecificCiphered):
    """ded-unconfirmedWriteRequest [86]."""

    TAG = 0x56
    NAME = "ded-unconfirmedWriteRequest"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedInformationReportRequest(ServiceSpecificCiphered):
    """ded-informationReportRequest [88]."""

    TAG = 0x58
    NAME = "ded-informationReportRequest"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloGetRequest(ServiceSpecificCiphered):
    """glo-get-request [200]."""

    TAG = 0xC8
    NAME = "glo-get-request"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloSetRequest(ServiceSpecificCiphered):
    """glo-set-request [201]."""

    TAG = 0xC9
    NAME = "glo-set-request"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloEventNotificationRequest(ServiceSpecificCiphered):
    """glo-event-notification-request [202]."""

    TAG = 0xCA
    NAME = "glo-event-notification-request"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloActionRequest(ServiceSpecificCiphered):
    """glo-action-request [203]."""

    TAG = 0xCB
    NAME = "glo-action-request"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloGetResponse(ServiceSpecificCiphered):
    """glo-get-response [204]."""

    TAG = 0xCC
    NAME = "glo-get-response"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloSetResponse(ServiceSpecificCiphered):
    """glo-set-response [205]."""

    TAG = 0xCD
    NAME = "glo-set-response"


@dataclass(frozen=True, slots=True, kw_only=True)
class GloActionResponse(ServiceSpecificCiphered):
    """glo-action-response [207]."""

    TAG = 0xCF
    NAME = "glo-action-response"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedGetRequest(ServiceSpecificCiphered):
    """ded-get-request [208]."""

    TAG = 0xD0
    NAME = "ded-get-request"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedSetRequest(ServiceSpecificCiphered):
    """ded-set-request [209]."""

    TAG = 0xD1
    NAME = "ded-set-request"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedEventNotificationRequest(ServiceSpecificCiphered):
    """ded-event-notification-request [210]."""

    TAG = 0xD2
    NAME = "ded-event-notification-request"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedActionRequest(ServiceSpecificCiphered):
    """ded-actionRequest [211] (the Green Book's spelling)."""

    TAG = 0xD3
    NAME = "ded-actionRequest"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedGetResponse(ServiceSpecificCiphered):
    """ded-get-response [212]."""

    TAG = 0xD4
    NAME = "ded-get-response"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedSetResponse(ServiceSpecificCiphered):
    """ded-set-response [213]."""

    TAG = 0xD5
    NAME = "ded-set-response"


@dataclass(frozen=True, slots=True, kw_only=True)
class DedActionResponse(ServiceSpecificCiphered):
    """ded-action-response [215]."""

    TAG = 0xD7
    NAME = "ded-action-response"


_SERVICE_SPECIFIC: Final[tuple[type[ServiceSpecificCiphered], ...]] = (
    GloInitiateRequest,
    GloReadRequest,
    GloWriteRequest,
    GloInitiateResponse,
    GloReadResponse,
    GloWriteResponse,
    GloConfirmedServiceError,
    GloUnconfirmedWriteRequest,
    GloInformationReportRequest,
    DedInitiateRequest,
    DedReadRequest,
    DedWriteRequest,
    DedInitiateResponse,
    DedReadResponse,
    DedWriteResponse,
    DedConfirmedServiceError,
    DedUnconfirmedWriteRequest,
    DedInformationReportRequest,
    GloGetRequest,
    GloSetRequest,
    GloEventNotificationRequest,
    GloActionRequest,
    GloGetResponse,
    GloSetResponse,
    GloActionResponse,
    DedGetRequest,
    DedSetRequest,
    DedEventNotificationRequest,
    DedActionRequest,
    DedGetResponse,
    DedSetResponse,
    DedActionResponse,
)

#: The class of each service-specific ciphered tag.
SERVICE_SPECIFIC_CLASSES: Final[dict[CipheredTag, type[ServiceSpecificCiphered]]] = {
    CipheredTag(cls.TAG): cls for cls in _SERVICE_SPECIFIC
}


def _service_specific_decoder(cls: type[ServiceSpecificCiphered]) -> ApduDecoder:
    def read(reader: Reader) -> ServiceSpecificCiphered:
        sc, ic, text, form = _read_content(reader)
        return cls(security_control=sc, invocation_counter=ic, ciphered_text=text, length_form=form)

    read.__name__ = read.__qualname__ = f"_read_{cls.__name__}"
    return read


for _cls in _SERVICE_SPECIFIC:
    register(_cls.TAG, _cls.NAME)(_service_specific_decoder(_cls))
del _cls


# -- general-glo-ciphering / general-ded-ciphering --------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _GeneralGloOrDedCiphering(_CipheredParts, Apdu):
    system_title: axdr.OctetString
    security_control: SecurityControl
    invocation_counter: int
    ciphered_text: bytes
    ciphered_content_length_form: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "system_title", _octets("system-title", self.system_title))
        _check_parts(self)
        object.__setattr__(
            self,
            "ciphered_content_length_form",
            _check_form(
                "ciphered-content-length-form",
                self.ciphered_content_length_form,
                SECURITY_HEADER_LENGTH + len(self.ciphered_text),
            ),
        )

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        _write_octet_string(out, self.system_title)
        self._write_content(out, self.ciphered_content_length_form)


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneralGloCiphering(_GeneralGloOrDedCiphering):
    """General-Glo-Ciphering (tag 0xDB): any APDU ciphered with a global key
    (Green Book 9.2.7)::

        DB  len system-title  len SC IC ciphered-text‖tag
            ^^^^^^^^^^^^^^^^  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ ciphered-content
            OCTET STRING      OCTET STRING

    ``system_title`` is the sender's (8 octets by the standard; any length, the empty
    one included, is kept). Both length forms are kept: ``system_title`` as an
    :class:`~dlmskit.axdr.OctetString`, the ciphered content's in
    ``ciphered_content_length_form``.
    """

    TAG = 0xDB
    NAME = "general-glo-ciphering"


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneralDedCiphering(_GeneralGloOrDedCiphering):
    """General-Ded-Ciphering (tag 0xDC): any APDU ciphered with the dedicated key; the
    layout of :class:`GeneralGloCiphering`."""

    TAG = 0xDC
    NAME = "general-ded-ciphering"


def _general_glo_or_ded_decoder(cls: type[_GeneralGloOrDedCiphering]) -> ApduDecoder:
    def read(reader: Reader) -> _GeneralGloOrDedCiphering:
        system_title = _read_octet_string(reader, "system-title")
        sc, ic, text, form = _read_content(reader)
        return cls(
            system_title=system_title,
            security_control=sc,
            invocation_counter=ic,
            ciphered_text=text,
            ciphered_content_length_form=form,
        )

    read.__name__ = read.__qualname__ = f"_read_{cls.__name__}"
    return read


register(GeneralGloCiphering.TAG, GeneralGloCiphering.NAME)(
    _general_glo_or_ded_decoder(GeneralGloCiphering)
)
register(GeneralDedCiphering.TAG, GeneralDedCiphering.NAME)(
    _general_glo_or_ded_decoder(GeneralDedCiphering)
)


# -- general-ciphering ------------------------------------------------------------------


class KeyId(OpenIntEnum):
    """Key-Id (Green Book 9.5): which global key is the encryption key."""

    GLOBAL_UNICAST_ENCRYPTION_KEY = 0
    GLOBAL_BROADCAST_ENCRYPTION_KEY = 1


class KekId(OpenIntEnum):
    """Kek-Id (Green Book 9.5): the key-encrypting key of a wrapped key."""

    MASTER_KEY = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentifiedKey:
    """identified-key [0]: the encryption key is one both parties hold. ``00 key-id``"""

    CHOICE: ClassVar[int] = 0

    key_id: KeyId

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_id", _enum(KeyId, "key-id", self.key_id))

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        out.append(self.key_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class WrappedKey:
    """wrapped-key [1]: a random key wrapped with the KEK.
    ``01 kek-id len key-ciphered-data``"""

    CHOICE: ClassVar[int] = 1

    kek_id: KekId
    key_ciphered_data: axdr.OctetString

    def __post_init__(self) -> None:
        object.__setattr__(self, "kek_id", _enum(KekId, "kek-id", self.kek_id))
        object.__setattr__(
            self, "key_ciphered_data", _octets("key-ciphered-data", self.key_ciphered_data)
        )

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        out.append(self.kek_id)
        _write_octet_string(out, self.key_ciphered_data)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreedKey:
    """agreed-key [2]: a key agreed with ECDH.
    ``02 len key-parameters len key-ciphered-data``

    key-parameters is ``01`` for One-Pass Diffie-Hellman C(1e, 1s) (key-ciphered-data:
    the signed ephemeral public key) and ``02`` for Static Unified Model C(0e, 2s)
    (key-ciphered-data empty). Both are kept as octets.
    """

    CHOICE: ClassVar[int] = 2

    key_parameters: axdr.OctetString
    key_ciphered_data: axdr.OctetString

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_parameters", _octets("key-parameters", self.key_parameters))
        object.__setattr__(
            self, "key_ciphered_data", _octets("key-ciphered-data", self.key_ciphered_data)
        )

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        _write_octet_string(out, self.key_parameters)
        _write_octet_string(out, self.key_ciphered_data)


def _enum(cls: type[OpenIntEnum], name: str, value: object) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int or {cls.__name__}, not {type(value).__name__}")
    try:
        return cls(value)
    except ValueError:
        raise ValueError(f"{name} must be in 0..255, got {value}") from None


def _read_key_info(reader: Reader) -> IdentifiedKey | WrappedKey | AgreedKey | None:
    if not read_optional_flag(reader, "key-info"):
        return None
    pos = reader.pos
    choice = reader.u8("the key-info choice")
    if choice == IdentifiedKey.CHOICE:
        return IdentifiedKey(key_id=KeyId(reader.u8("key-info.identified-key.key-id")))
    if choice == WrappedKey.CHOICE:
        kek_id = KekId(reader.u8("key-info.wrapped-key.kek-id"))
        data = _read_octet_string(reader, "key-info.wrapped-key.key-ciphered-data")
        return WrappedKey(kek_id=kek_id, key_ciphered_data=data)
    if choice == AgreedKey.CHOICE:
        parameters = _read_octet_string(reader, "key-info.agreed-key.key-parameters")
        data = _read_octet_string(reader, "key-info.agreed-key.key-ciphered-data")
        return AgreedKey(key_parameters=parameters, key_ciphered_data=data)
    raise reader.error(
        f"unknown key-info choice 0x{choice:02X} (0 identified-key, 1 wrapped-key, 2 agreed-key)",
        pos,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneralCiphering(_CipheredParts, Apdu):
    """General-Ciphering (tag 0xDD, Green Book 9.2.7)::

        DD  len transaction-id
            len originator-system-title
            len recipient-system-title
            len date-time                (empty: absent)
            len other-information
            key-info OPTIONAL            00 absent | 01 choice fields (see below)
            len SC IC ciphered-text‖tag  ciphered-content

        key-info  00 key-id                         identified-key
                  01 kek-id len key-ciphered-data   wrapped-key
                  02 len key-parameters len key-ciphered-data   agreed-key

    Every OCTET STRING keeps its length form (the ciphered content's in
    ``ciphered_content_length_form``). The ciphered content starts with the security
    header SC ‖ IC here too (Gurux ``GXDLMSChippering.decryptAesGcm`` reads it the same
    way after key-info). An A-XDR OPTIONAL is a presence octet 00/01: other values are
    refused with :class:`~dlmskit.errors.DecodeError`.
    """

    TAG = 0xDD
    NAME = "general-ciphering"

    transaction_id: axdr.OctetString
    originator_system_title: axdr.OctetString
    recipient_system_title: axdr.OctetString
    date_time: axdr.OctetString = _EMPTY
    other_information: axdr.OctetString = _EMPTY
    key_info: IdentifiedKey | WrappedKey | AgreedKey | None = None
    security_control: SecurityControl
    invocation_counter: int
    ciphered_text: bytes
    ciphered_content_length_form: int | None = None

    def __post_init__(self) -> None:
        for name in (
            "transaction_id",
            "originator_system_title",
            "recipient_system_title",
            "date_time",
            "other_information",
        ):
            object.__setattr__(self, name, _octets(name.replace("_", "-"), getattr(self, name)))
        if self.key_info is not None and not isinstance(
            self.key_info, IdentifiedKey | WrappedKey | AgreedKey
        ):
            raise TypeError(
                "key-info must be an IdentifiedKey, WrappedKey, AgreedKey or None, not "
                f"{type(self.key_info).__name__}"
            )
        _check_parts(self)
        object.__setattr__(
            self,
            "ciphered_content_length_form",
            _check_form(
                "ciphered-content-length-form",
                self.ciphered_content_length_form,
                SECURITY_HEADER_LENGTH + len(self.ciphered_text),
            ),
        )

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        _write_octet_string(out, self.transaction_id)
        _write_octet_string(out, self.originator_system_title)
        _write_octet_string(out, self.recipient_system_title)
        _write_octet_string(out, self.date_time)
        _write_octet_string(out, self.other_information)
        if self.key_info is None:
            out.append(0)
        else:
            out.append(1)
            self.key_info.write(out)
        self._write_content(out, self.ciphered_content_length_form)


@register(GeneralCiphering.TAG, GeneralCiphering.NAME)
def _read_general_ciphering(reader: Reader) -> GeneralCiphering:
    transaction_id = _read_octet_string(reader, "transaction-id")
    originator = _read_octet_string(reader, "originator-system-title")
    recipient = _read_octet_string(reader, "recipient-system-title")
    date_time = _read_octet_string(reader, "date-time")
    other = _read_octet_string(reader, "other-information")
    key_info = _read_key_info(reader)
    sc, ic, text, form = _read_content(reader)
    return GeneralCiphering(
        transaction_id=transaction_id,
        originator_system_title=originator,
        recipient_system_title=recipient,
        date_time=date_time,
        other_information=other,
        key_info=key_info,
        security_control=sc,
        invocation_counter=ic,
        ciphered_text=text,
        ciphered_content_length_form=form,
    )


# -- general-signing --------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneralSigning(Apdu):
    """General-Signing (tag 0xDF, Green Book 9.2.7): an APDU with a digital
    signature::

        DF  len transaction-id
            len originator-system-title
            len recipient-system-title
            len date-time           (empty: absent)
            len other-information
            len content             the signed APDU (itself possibly ciphered)
            len signature           ECDSA signature (64 octets suite 1, 96 suite 2)

    ``content`` is not decoded here; every OCTET STRING keeps its length form.
    """

    TAG = 0xDF
    NAME = "general-signing"

    transaction_id: axdr.OctetString
    originator_system_title: axdr.OctetString
    recipient_system_title: axdr.OctetString
    date_time: axdr.OctetString = _EMPTY
    other_information: axdr.OctetString = _EMPTY
    content: axdr.OctetString
    signature: axdr.OctetString

    def __post_init__(self) -> None:
        for name in (
            "transaction_id",
            "originator_system_title",
            "recipient_system_title",
            "date_time",
            "other_information",
            "content",
            "signature",
        ):
            object.__setattr__(self, name, _octets(name.replace("_", "-"), getattr(self, name)))

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        _write_octet_string(out, self.transaction_id)
        _write_octet_string(out, self.originator_system_title)
        _write_octet_string(out, self.recipient_system_title)
        _write_octet_string(out, self.date_time)
        _write_octet_string(out, self.other_information)
        _write_octet_string(out, self.content)
        _write_octet_string(out, self.signature)


@register(GeneralSigning.TAG, GeneralSigning.NAME)
def _read_general_signing(reader: Reader) -> GeneralSigning:
    return GeneralSigning(
        transaction_id=_read_octet_string(reader, "transaction-id"),
        originator_system_title=_read_octet_string(reader, "originator-system-title"),
        recipient_system_title=_read_octet_string(reader, "recipient-system-title"),
        date_time=_read_octet_string(reader, "date-time"),
        other_information=_read_octet_string(reader, "other-information"),
        content=_read_octet_string(reader, "content"),
        signature=_read_octet_string(reader, "signature"),
    )
