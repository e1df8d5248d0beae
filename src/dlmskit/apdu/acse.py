"""The ACSE APDUs of DLMS/COSEM: AARQ, AARE, RLRQ, RLRE (Green Book 9.4.2, 9.5; BER).

An association is opened with AARQ / AARE and released with RLRQ / RLRE. These four are
BER encoded (X.690, via :mod:`dlmskit.ber`); their ``user-information`` is an OCTET STRING
holding an A-XDR xDLMS APDU (InitiateRequest, InitiateResponse, ConfirmedServiceError, or
a ciphered glo-/ded-initiate APDU)::

    60 1D                                   AARQ ([APPLICATION 0]), 29 octets
       A1 09 06 07 60 85 74 05 08 01 01     application-context-name [1]: 2.16.756.5.8.1.1
       BE 10 04 0E                          user-information [30]: OCTET STRING, 14 octets
          01 00 00 00 06 5F 1F 04 00 00 7E 1F 04 B0      InitiateRequest (A-XDR)

Design
------
*Typed fields.* Each APDU is a frozen dataclass whose fields are the Green Book's ASN.1
components (snake_case). Object identifiers are dotted strings (``"2.16.756.5.8.1.1"``);
:class:`ApplicationContextName` and :class:`MechanismName` give the DLMS ids and their
OIDs, but any OID is kept. AP-titles and AE-qualifiers are ``bytes`` (DLMS defines both as
OCTET STRING); BIT STRINGs are :class:`dlmskit.ber.BitString`; INTEGER enumerations are
open enums (values the standard does not name survive as ``UNKNOWN_n``).

*user-information.* The inner bytes are decoded through the APDU registry, so the field
holds the typed :class:`~dlmskit.apdu.Apdu` (whatever family registered its tag). When no
decoder is registered for the inner first byte (or the octet string is empty) the field
holds the raw ``bytes`` instead, so nothing is lost and a later-registered family (the
ciphered glo-initiate APDUs) is picked up without change here. The constructor enforces
the same rule (raw bytes only for an unregistered tag), so ``decode(a.to_bytes()) == a``.
A registered tag whose bytes do not decode is a DecodeError. ACSE APDUs (0x60-0x63)
inside user-information are refused: xDLMS carries no ACSE there, and refusing keeps the
nesting bounded.

*Lossless BER.* A real meter may send long-form lengths where the short form would do
(``61 82 00 3A``). Such a length is recorded in :attr:`length_forms` as a
:class:`LengthForm` naming the TLV (``"aare"`` for the APDU itself, a field name such as
``"user_information"`` for a field's own TLV, ``"user_information.inner"`` for the TLV an
explicit tag wraps, ``".inner.inner"`` one level deeper in result-source-diagnostic) and
the number of long-form length octets. Only non-minimal forms are listed, in wire order, so
a minimally encoded APDU has ``length_forms == ()``. Everything else BER allows is fixed
by these typed fields or refused: an INTEGER must be minimal (X.690 8.3.2 requires it),
string types must use the primitive form, fields must come in the ASN.1 order, unknown
tags (e.g. application-context-name-list, which DLMS does not use) are a DecodeError.
A protocol-version sent explicitly (``80 02 07 80``) is kept as a value; ``None`` means
absent (DEFAULT version1).

*Secrets.* The calling-authentication-value of an AARQ is the LLS password or the HLS
challenge. :class:`AuthenticationValue` keeps it accessible as ``.value`` but its
``repr`` shows only the length, so neither an AARQ's nor an AARE's ``repr`` leaks it
(DESIGN rule 10).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Final, TypeVar

from dlmskit import ber
from dlmskit._buffer import Reader
from dlmskit.apdu._base import Apdu, decode_prefix, register, registered_tags
from dlmskit.apdu.common import OpenIntEnum
from dlmskit.ber import BitString, Tag, TagClass, Tlv
from dlmskit.errors import DecodeError, EncodeError

__all__ = [
    "AARE",
    "AARQ",
    "ACSE_REQUIREMENTS_AUTHENTICATION",
    "ACSE_TAGS",
    "APPLICATION_CONTEXT_PREFIX",
    "MECHANISM_NAME_PREFIX",
    "PROTOCOL_VERSION_1",
    "RLRE",
    "RLRQ",
    "AcseServiceProvider",
    "AcseServiceUser",
    "ApplicationContextName",
    "AssociationResult",
    "AuthenticationValue",
    "AuthenticationValueChoice",
    "LengthForm",
    "MechanismName",
    "ReleaseRequestReason",
    "ReleaseResponseReason",
]

#: {joint-iso-ccitt(2) country(16) country-name(756) identified-organization(5)
#: DLMS-UA(8) application-context(1)} (Green Book 9.4.2.2.2).
APPLICATION_CONTEXT_PREFIX: Final = "2.16.756.5.8.1"
#: {... DLMS-UA(8) authentication-mechanism-name(2)} (Green Book 9.4.2.2.3).
MECHANISM_NAME_PREFIX: Final = "2.16.756.5.8.2"
#: protocol-version {version1}: one bit, bit 0 set (``80 02 07 80`` on the wire).
PROTOCOL_VERSION_1: Final = BitString(b"\x80", 7)
#: ACSE-requirements with the authentication functional unit (bit 0): ``8A 02 07 80``.
ACSE_REQUIREMENTS_AUTHENTICATION: Final = BitString(b"\x80", 7)
#: First bytes of the ACSE APDUs (never inside user-information).
ACSE_TAGS: Final = frozenset({0x60, 0x61, 0x62, 0x63})

# Field TLVs are read with this nesting limit: field (1), explicit content (2), and the
# components of an EXTERNAL / other authentication value below them.
_MAX_FIELD_DEPTH: Final = 8
_TAG_OID: Final = ber.TAG_OBJECT_IDENTIFIER
_TAG_OCTETS: Final = ber.TAG_OCTET_STRING
_TAG_INTEGER: Final = ber.TAG_INTEGER

_E = TypeVar("_E", bound=IntEnum)


class ApplicationContextName(IntEnum):
    """The DLMS application contexts (Green Book 9.4.2.2.2): the last arc of the OID."""

    LOGICAL_NAME_REFERENCING_NO_CIPHERING = 1
    SHORT_NAME_REFERENCING_NO_CIPHERING = 2
    LOGICAL_NAME_REFERENCING_WITH_CIPHERING = 3
    SHORT_NAME_REFERENCING_WITH_CIPHERING = 4

    @property
    def oid(self) -> str:
        """``"2.16.756.5.8.1.<id>"``."""
        return f"{APPLICATION_CONTEXT_PREFIX}.{self.value}"

    @classmethod
    def from_oid(cls, oid: str) -> ApplicationContextName | None:
        """The context id of ``oid``, or ``None`` for an OID that is not a DLMS context."""
        return _lookup(cls, APPLICATION_CONTEXT_PREFIX, oid)


class MechanismName(IntEnum):
    """The DLMS authentication mechanisms (Green Book 9.4.2.2.3): the last arc of the OID."""

    LOWEST_LEVEL_SECURITY = 0
    LOW_LEVEL_SECURITY = 1
    HIGH_LEVEL_SECURITY = 2
    HIGH_LEVEL_SECURITY_MD5 = 3
    HIGH_LEVEL_SECURITY_SHA1 = 4
    HIGH_LEVEL_SECURITY_GMAC = 5
    HIGH_LEVEL_SECURITY_SHA256 = 6
    HIGH_LEVEL_SECURITY_ECDSA = 7

    @property
    def oid(self) -> str:
        """``"2.16.756.5.8.2.<id>"``."""
        return f"{MECHANISM_NAME_PREFIX}.{self.value}"

    @classmethod
    def from_oid(cls, oid: str) -> MechanismName | None:
        """The mechanism id of ``oid``, or ``None`` for another OID."""
        return _lookup(cls, MECHANISM_NAME_PREFIX, oid)


def _lookup(cls: type[_E], prefix: str, oid: str) -> _E | None:
    head, _, last = oid.rpartition(".")
    if head != prefix or not last.isdigit():
        return None
    try:
        return cls(int(last))
    except ValueError:
        return None


class AssociationResult(OpenIntEnum):
    """Association-result (AARE result [2], INTEGER)."""

    ACCEPTED = 0
    REJECTED_PERMANENT = 1
    REJECTED_TRANSIENT = 2


class AcseServiceUser(OpenIntEnum):
    """Associate-source-diagnostic, acse-service-user [1] (INTEGER)."""

    NULL = 0
    NO_REASON_GIVEN = 1
    APPLICATION_CONTEXT_NAME_NOT_SUPPORTED = 2
    CALLING_AP_TITLE_NOT_RECOGNIZED = 3
    CALLING_AP_INVOCATION_IDENTIFIER_NOT_RECOGNIZED = 4
    CALLING_AE_QUALIFIER_NOT_RECOGNIZED = 5
    CALLING_AE_INVOCATION_IDENTIFIER_NOT_RECOGNIZED = 6
    CALLED_AP_TITLE_NOT_RECOGNIZED = 7
    CALLED_AP_INVOCATION_IDENTIFIER_NOT_RECOGNIZED = 8
    CALLED_AE_QUALIFIER_NOT_RECOGNIZED = 9
    CALLED_AE_INVOCATION_IDENTIFIER_NOT_RECOGNIZED = 10
    AUTHENTICATION_MECHANISM_NAME_NOT_RECOGNISED = 11
    AUTHENTICATION_MECHANISM_NAME_REQUIRED = 12
    AUTHENTICATION_FAILURE = 13
    AUTHENTICATION_REQUIRED = 14


class AcseServiceProvider(OpenIntEnum):
    """Associate-source-diagnostic, acse-service-provider [2] (INTEGER)."""

    NULL = 0
    NO_REASON_GIVEN = 1
    NO_COMMON_ACSE_VERSION = 2


class ReleaseRequestReason(OpenIntEnum):
    """Release-request-reason (RLRQ reason [0], INTEGER)."""

    NORMAL = 0
    URGENT = 1
    USER_DEFINED = 30


class ReleaseResponseReason(OpenIntEnum):
    """Release-response-reason (RLRE reason [0], INTEGER)."""

    NORMAL = 0
    NOT_FINISHED = 1
    USER_DEFINED = 30


class AuthenticationValueChoice(IntEnum):
    """The alternatives of Authentication-value (X.227 / Green Book 9.4.2)."""

    CHARSTRING = 0  # [0] IMPLICIT GraphicString  (what DLMS uses)
    BITSTRING = 1  # [1] IMPLICIT BIT STRING
    EXTERNAL = 2  # [2] IMPLICIT EXTERNAL
    OTHER = 3  # [3] IMPLICIT SEQUENCE {other-mechanism-name, other-mechanism-value}


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthenticationValue:
    """Authentication-value: an LLS password, or an HLS challenge (CtoS / StoC)::

        AC 0A 80 08 31 32 33 34 35 36 37 38     [12] { charstring [0] "12345678" }

    ``value`` is the contents octets of the chosen alternative: the GraphicString octets
    for ``CHARSTRING`` (arbitrary octets in practice), the unused-bits octet and the bits for
    ``BITSTRING``, the encoded components for ``EXTERNAL`` and ``OTHER``.
    ``repr`` shows only the length: the value is a secret (DESIGN rule 10).
    """

    value: bytes
    choice: AuthenticationValueChoice = AuthenticationValueChoice.CHARSTRING

    def __post_init__(self) -> None:
        if not isinstance(self.value, bytes | bytearray | memoryview):
            raise TypeError(f"authentication-value must be bytes, not {type(self.value).__name__}")
        if type(self.value) is not bytes:
            object.__setattr__(self, "value", bytes(self.value))
        choice = AuthenticationValueChoice(self.choice)
        object.__setattr__(self, "choice", choice)
        if choice is AuthenticationValueChoice.BITSTRING:
            try:
                ber.decode_bit_string(self.value)
            except DecodeError as exc:
                raise ValueError(f"authentication-value bitstring: {exc.reason}") from None
        elif choice is not AuthenticationValueChoice.CHARSTRING:
            try:
                ber.decode_all(self.value, max_depth=_MAX_FIELD_DEPTH - 2)
            except DecodeError as exc:
                raise ValueError(
                    f"authentication-value {choice.name.lower()} must hold BER components: "
                    f"{exc.reason}"
                ) from None

    @classmethod
    def charstring(cls, value: bytes) -> AuthenticationValue:
        """The usual DLMS form: ``[0] IMPLICIT GraphicString``."""
        return cls(value=value)

    def __repr__(self) -> str:
        return (
            f"AuthenticationValue(choice={self.choice.name}, "
            f"value=<redacted {len(self.value)} bytes>)"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LengthForm:
    """A non-minimal BER length seen on the wire (see the module docstring).

    ``tlv`` names the TLV (``"aare"``, ``"user_information"``,
    ``"user_information.inner"``...), ``octets`` is the number of long-form length
    octets it was sent with (1..4): ``61 82 00 3A`` is ``LengthForm(tlv="aare", octets=2)``.
    """

    tlv: str
    octets: int

    def __post_init__(self) -> None:
        if not isinstance(self.tlv, str):
            raise TypeError("length form 'tlv' must be a str")
        if isinstance(self.octets, bool) or not isinstance(self.octets, int):
            raise TypeError("length form 'octets' must be an int")
        if not 1 <= self.octets <= 4:
            raise ValueError(f"a long-form length has 1..4 octets, not {self.octets}")


# ---------------------------------------------------------------------------------------
# Field kinds: how one ACSE component is checked, decoded from its TLV and encoded
# ---------------------------------------------------------------------------------------


class _Builder:
    """Builds a TLV tree applying the recorded length forms; remembers the wire order."""

    __slots__ = ("forms", "nodes", "order")

    def __init__(self, forms: tuple[LengthForm, ...]) -> None:
        self.forms: dict[str, int] = {}
        for form in forms:
            if not isinstance(form, LengthForm):
                raise TypeError(f"length_forms holds LengthForm values, not {type(form).__name__}")
            if form.tlv in self.forms:
                raise ValueError(f"length_forms names {form.tlv!r} twice")
            self.forms[form.tlv] = form.octets
        self.order: list[str] = []
        self.nodes: list[tuple[str, Tlv]] = []

    def form(self, path: str) -> int | None:
        octets = self.forms.get(path)
        if octets is not None:
            self.order.append(path)
        return octets

    def primitive(self, path: str, tag: Tag, value: bytes) -> Tlv:
        form = self.form(path)
        return self._done(path, form, Tlv.primitive(tag, value, length_octets=form))

    def constructed(self, path: str, tag: Tag, inner: Callable[[], list[Tlv]]) -> Tlv:
        form = self.form(path)  # before the children: the order is the wire (pre-)order
        return self._done(path, form, Tlv.constructed(tag, inner(), length_octets=form))

    def _done(self, path: str, form: int | None, node: Tlv) -> Tlv:
        if form is not None:
            self.nodes.append((path, node))
        return node

    def check(self) -> tuple[LengthForm, ...]:
        """Every form used and non-minimal; the forms in wire order."""
        unused = set(self.forms) - set(self.order)
        if unused:
            raise ValueError(f"length_forms names TLV(s) this APDU does not have: {sorted(unused)}")
        for path, node in self.nodes:
            n = node.content_length
            if n >= 0x80 and self.forms[path] == (n.bit_length() + 7) // 8:
                raise ValueError(
                    f"length form of {path!r} ({self.forms[path]} octets for {n}) is the "
                    "minimal one; leave it out of length_forms"
                )
        return tuple(LengthForm(tlv=path, octets=self.forms[path]) for path in self.order)


class _Decoding:
    """State while decoding one APDU: the length forms found, in wire order."""

    __slots__ = ("forms",)

    def __init__(self) -> None:
        self.forms: list[LengthForm] = []

    def note(self, path: str, tlv: Tlv) -> None:
        if tlv.length_octets is not None:
            self.forms.append(LengthForm(tlv=path, octets=tlv.length_octets))


def _content_offset(tlv: Tlv) -> int | None:
    if tlv.offset is None:
        return None
    return tlv.offset + tlv.encoded_length - tlv.content_length


def _only_child(tlv: Tlv, tag: Tag, what: str) -> Tlv:
    if len(tlv.children) != 1 or tlv.children[0].tag != tag:
        raise DecodeError(f"{what} must hold exactly one {tag}", tlv.offset)
    return tlv.children[0]


def _oid_text(tlv: Tlv, what: str) -> str:
    if tlv.tag.constructed:
        raise DecodeError(f"{what} must be a primitive OBJECT IDENTIFIER", tlv.offset)
    return ".".join(map(str, ber.decode_oid(tlv.value, offset=_content_offset(tlv))))


def _integer(tlv: Tlv, what: str) -> int:
    if tlv.tag.constructed:
        raise DecodeError(f"{what} must be a primitive INTEGER", tlv.offset)
    content = tlv.value
    # X.690 8.3.2: the first nine bits of a multi-octet INTEGER are not all 0 or all 1.
    if len(content) > 1 and (
        (content[0] == 0x00 and content[1] < 0x80) or (content[0] == 0xFF and content[1] >= 0x80)
    ):
        raise DecodeError(f"{what} is a non-minimal INTEGER (X.690 8.3.2)", tlv.offset)
    return ber.decode_integer(content, offset=_content_offset(tlv))


def _enum(cls: type[IntEnum], value: int, what: str, tlv: Tlv) -> Any:
    try:
        return cls(value)
    except ValueError:
        raise DecodeError(f"{what} {value} is out of range", tlv.offset) from None


def _check_oid(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a dotted OID string, not {type(value).__name__}")
    arcs = ber.decode_oid(ber.encode_oid(value))  # EncodeError (a ValueError) if invalid
    if ".".join(map(str, arcs)) != value:
        raise ValueError(f"{name} {value!r} is not in canonical dotted form")


def _check_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")


def _check_octets(owner: Any, name: str) -> None:
    value = getattr(owner, name)
    if not isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    if type(value) is not bytes:
        object.__setattr__(owner, name, bytes(value))


class _Kind(ABC):
    """One way an ACSE component is encoded. ``constructed``: the field TLV's P/C bit."""

    constructed: ClassVar[bool] = False

    @abstractmethod
    def check(self, owner: Any, name: str) -> None: ...

    @abstractmethod
    def decode(self, tlv: Tlv, path: str, state: _Decoding) -> Any: ...

    @abstractmethod
    def encode(self, value: Any, tag: Tag, path: str, build: _Builder) -> Tlv: ...


class _ImplicitBits(_Kind):
    """``[n] IMPLICIT BIT STRING`` (protocol-version, ACSE-requirements)."""

    def check(self, owner: Any, name: str) -> None:
        if not isinstance(getattr(owner, name), BitString):
            raise TypeError(f"{name} must be a dlmskit.ber.BitString")

    def decode(self, tlv: Tlv, path: str, state: _Decoding) -> Any:
        state.note(path, tlv)
        return ber.decode_bit_string(tlv.value, offset=_content_offset(tlv))

    def encode(self, value: Any, tag: Tag, path: str, build: _Builder) -> Tlv:
        return build.primitive(path, tag, ber.encode_bit_string(value))


class _ImplicitOid(_Kind):
    """``[n] IMPLICIT OBJECT IDENTIFIER`` (mechanism-name)."""

    def check(self, owner: Any, name: str) -> None:
        _check_oid(name, getattr(owner, name))

    def decode(self, tlv: Tlv, path: str, state: _Decoding) -> Any:
        state.note(path, tlv)
        return _oid_text(tlv, path)

    def encode(self, value: Any, tag: Tag, path: str, build: _Builder) -> Tlv:
        return build.primitive(path, tag, ber.encode_oid(value))


class _ImplicitGraphic(_Kind):
    """``[n] IMPLICIT GraphicString`` (implementation-information), ISO 8859-1 text."""

    def check(self, owner: Any, name: str) -> None:
        value = getattr(owner, name)
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str")
        ber.encode_graphic_string(value)  # EncodeError beyond U+00FF

    def decode(self, tlv: Tlv, path: str, state: _Decoding) -> Any:
        state.note(path, tlv)
        return ber.decode_graphic_string(tlv.value)

    def encode(self, value: Any, tag: Tag, path: str, build: _Builder) -> Tlv:
        return build.primitive(path, tag, ber.encode_graphic_string(value))


class _ImplicitInteger(_Kind):
    """``[n] IMPLICIT INTEGER`` as an open enumeration (release reasons)."""

    def __init__(self, enum: type[OpenIntEnum]) -> None:
        self.enum = enum

    def check(self, owner: Any, name: str) -> None:
        value = getattr(owner, name)
        _check_int(name, value)
        if type(value) is not self.enum:
            object.__setattr__(owner, name, self.enum(value))  # ValueError if out of range

    def decode(self, tlv: Tlv, path: str, state: _Decoding) -> Any:
        state.note(path, tlv)
        return _enum(self.enum, _integer(tlv, path), path, tlv)

    def encode(self, value: Any, tag: Tag, path: str, build: _Builder) -> Tlv:
        return build.primitive(path, tag, ber.encode_integer(int(value)))


class _ExplicitOid(_Kind):
    """``[n] OBJECT IDENTIFIER`` (application-context-name, explicitly tagged)."""

    constructed = True

    def check(self, owner: Any, name: str) -> None:
        _check_oid(name, getattr(owner, name))

    def decode(self, tlv: Tlv, path: str, state: _Decoding) -> Any:
        state.note(path, tlv)
        inner = _only_child(tlv, _TAG_OID, path)
        state.note(path + ".inner", inner)
        return _oid_text(inner, path)

    def encode(self, value: Any, tag: Tag, path: str, build: _Builder) -> Tlv:
        return build.constructed(
            path, tag, lambda: [build.primitive(path + ".inner", _TAG_OID, ber.encode_oid(value))]
        )


class _ExplicitOctets(_Kind):
    """``[n] OCTET STRING`` (AP-title, AE-qualifier: OCTET STRING in DLMS)."""

    constructed = True

    def check(self, owner: Any, name: str) -> None:
        _check_octets(owner, name)

    def decode(self, tlv: Tlv, path: str, state: _Decoding) -> Any:
        state.note(path, tlv)
        inner = _only_child(tlv, _TAG_OCTETS, path)
        state.note(path + ".inner", inner)
        return inner.value

    def encode(self, value: Any, tag: Tag, path: str, build: _Builder) -> Tlv:
        return build.constructed(
            path, tag, lambda: [build.primitive(path + ".inner", _TAG_OCTETS, value)]
        )


class _ExplicitInteger(_Kind):
    """``[n] INTEGER`` (invocation identifiers; the AARE result as an open enumeration)."""

    constructed = True

    def __init__(self, enum: type[OpenIntEnum] | None = None) -> None:
        self.enum = enum

    def check(self, owner: Any, name: str) -> None:
        value = getattr(owner, name)
        _check_int(name, value)
        if self.enum is not None and type(value) is not self.enum:
            object.__setattr__(owner, name, self.enum(value))

    def decode(self, tlv: Tlv, path: str, state: _Decoding) -> Any:
        state.note(path, tlv)
        inner = _only_child(tlv, _TAG_INTEGER, path)
        state.note(path + ".inner", inner)
        value = _integer(inner, path)
        return value if self.enum is None else _enum(self.enum, value, path, tlv)

    def encode(self, value: Any, tag: Tag, path: str, build: _Builder) -> Tlv:
        content = ber.encode_integer(int(value))
        return build.constructed(
            path, tag, lambda: [build.primitive(path + ".inner", _TAG_INTEGER, content)]
        )


_DIAGNOSTIC_TYPES: Final[dict[int, type[OpenIntEnum]]] = {
    1: AcseServiceUser,
    2: AcseServiceProvider,
}


class _Diagnostic(_Kind):
    """``[3] Associate-source-diagnostic``: CHOICE { [1] INTEGER, [2] INTEGER }, explicit."""

    constructed = True

    def check(self, owner: Any, name: str) -> None:
        if type(getattr(owner, name)) not in (AcseServiceUser, AcseServiceProvider):
            raise TypeError(f"{name} must be an AcseServiceUser or an AcseServiceProvider")

    def decode(self, tlv: Tlv, path: str, state: _Decoding) -> Any:
        state.note(path, tlv)
        if len(tlv.children) != 1:
            raise DecodeError(f"{path} must hold exactly one alternative", tlv.offset)
        choice = tlv.children[0]
        kind = None
        if choice.tag.cls is TagClass.CONTEXT and choice.tag.constructed:
            kind = _DIAGNOSTIC_TYPES.get(choice.tag.number)
        if kind is None:
            raise DecodeError(f"unknown {path} alternative {choice.tag}", choice.offset)
        state.note(path + ".inner", choice)
        inner = _only_child(choice, _TAG_INTEGER, path)
        state.note(path + ".inner.inner", inner)
        return _enum(kind, _integer(inner, path), path, inner)

    def encode(self, value: Any, tag: Tag, path: str, build: _Builder) -> Tlv:
        number = 1 if type(value) is AcseServiceUser else 2
        content = ber.encode_integer(int(value))

        def choice() -> list[Tlv]:
            return [
                build.constructed(
                    path + ".inner",
                    Tag.context(number, True),
                    lambda: [build.primitive(path + ".inner.inner", _TAG_INTEGER, content)],
                )
            ]

        return build.constructed(path, tag, choice)


class _Authentication(_Kind):
    """``[n] EXPLICIT Authentication-value`` (calling/responding-authentication-value)."""

    constructed = True

    def check(self, owner: Any, name: str) -> None:
        if not isinstance(getattr(owner, name), AuthenticationValue):
            raise TypeError(f"{name} must be an AuthenticationValue")

    def decode(self, tlv: Tlv, path: str, state: _Decoding) -> Any:
        state.note(path, tlv)
        if len(tlv.children) != 1:
            raise DecodeError(f"{path} must hold exactly one alternative", tlv.offset)
        inner = tlv.children[0]
        number = inner.tag.number
        if inner.tag.cls is not TagClass.CONTEXT or number > 3:
            raise DecodeError(f"unknown {path} alternative {inner.tag}", inner.offset)
        choice = AuthenticationValueChoice(number)
        # charstring and bitstring are primitive (strings in the constructed form are
        # refused); EXTERNAL and the "other" SEQUENCE are constructed types.
        if inner.tag.constructed != (number >= 2):
            form = "constructed" if number >= 2 else "primitive"
            raise DecodeError(f"{path} {choice.name.lower()} must be {form}", inner.offset)
        state.note(path + ".inner", inner)
        if choice is AuthenticationValueChoice.BITSTRING:
            ber.decode_bit_string(inner.value, offset=_content_offset(inner))
        return AuthenticationValue(value=inner.content, choice=choice)

    def encode(self, value: Any, tag: Tag, path: str, build: _Builder) -> Tlv:
        auth: AuthenticationValue = value
        number = int(auth.choice)
        if number < 2:
            return build.constructed(
                path,
                tag,
                lambda: [build.primitive(path + ".inner", Tag.context(number), auth.value)],
            )
        parts = ber.decode_all(auth.value)
        return build.constructed(
            path,
            tag,
            lambda: [
                build.constructed(path + ".inner", Tag.context(number, True), lambda: list(parts))
            ],
        )


class _UserInformation(_Kind):
    """``[30] EXPLICIT Association-information`` (an OCTET STRING holding an xDLMS APDU)."""

    constructed = True

    def check(self, owner: Any, name: str) -> None:
        value = getattr(owner, name)
        if isinstance(value, Apdu):
            if value.TAG in ACSE_TAGS:
                raise TypeError(f"{name} holds an xDLMS APDU, not {type(value).__name__}")
            return
        _check_octets(owner, name)
        raw: bytes = getattr(owner, name)
        if raw and raw[0] in ACSE_TAGS:
            raise ValueError(f"{name} holds an xDLMS APDU, not an ACSE APDU (0x{raw[0]:02X})")
        if raw and raw[0] in registered_tags():
            raise ValueError(
                f"{name}: a decoder is registered for 0x{raw[0]:02X}; pass the decoded APDU "
                "(raw bytes are kept only for tags no decoder knows)"
            )

    def decode(self, tlv: Tlv, path: str, state: _Decoding) -> Any:
        state.note(path, tlv)
        inner = _only_child(tlv, _TAG_OCTETS, path)
        state.note(path + ".inner", inner)
        data = inner.value
        if not data or data[0] not in registered_tags():
            return data
        base = _content_offset(inner) or 0
        if data[0] in ACSE_TAGS:
            raise DecodeError(f"{path} holds an ACSE APDU (0x{data[0]:02X})", base)
        reader = Reader(data, base=base)
        apdu = decode_prefix(reader)
        reader.expect_end(f"the {apdu.NAME} APDU in {path}")
        return apdu

    def encode(self, value: Any, tag: Tag, path: str, build: _Builder) -> Tlv:
        data = value.to_bytes() if isinstance(value, Apdu) else value
        return build.constructed(
            path, tag, lambda: [build.primitive(path + ".inner", _TAG_OCTETS, data)]
        )


_BITS: Final = _ImplicitBits()
_OID: Final = _ImplicitOid()
_GRAPHIC: Final = _ImplicitGraphic()
_EXPLICIT_OID: Final = _ExplicitOid()
_OCTETS: Final = _ExplicitOctets()
_INT: Final = _ExplicitInteger()
_AUTH: Final = _Authentication()
_USER: Final = _UserInformation()

# (context tag number, field name, kind), in the ASN.1 order (which BER keeps).
_Spec = tuple[tuple[int, str, _Kind], ...]

_AARQ_FIELDS: Final[_Spec] = (
    (0, "protocol_version", _BITS),
    (1, "application_context_name", _EXPLICIT_OID),
    (2, "called_ap_title", _OCTETS),
    (3, "called_ae_qualifier", _OCTETS),
    (4, "called_ap_invocation_id", _INT),
    (5, "called_ae_invocation_id", _INT),
    (6, "calling_ap_title", _OCTETS),
    (7, "calling_ae_qualifier", _OCTETS),
    (8, "calling_ap_invocation_id", _INT),
    (9, "calling_ae_invocation_id", _INT),
    (10, "sender_acse_requirements", _BITS),
    (11, "mechanism_name", _OID),
    (12, "calling_authentication_value", _AUTH),
    (29, "implementation_information", _GRAPHIC),
    (30, "user_information", _USER),
)

_AARE_FIELDS: Final[_Spec] = (
    (0, "protocol_version", _BITS),
    (1, "application_context_name", _EXPLICIT_OID),
    (2, "result", _ExplicitInteger(AssociationResult)),
    (3, "result_source_diagnostic", _Diagnostic()),
    (4, "responding_ap_title", _OCTETS),
    (5, "responding_ae_qualifier", _OCTETS),
    (6, "responding_ap_invocation_id", _INT),
    (7, "responding_ae_invocation_id", _INT),
    (8, "responder_acse_requirements", _BITS),
    (9, "mechanism_name", _OID),
    (10, "responding_authentication_value", _AUTH),
    (29, "implementation_information", _GRAPHIC),
    (30, "user_information", _USER),
)

_RLRQ_FIELDS: Final[_Spec] = (
    (0, "reason", _ImplicitInteger(ReleaseRequestReason)),
    (30, "user_information", _USER),
)

_RLRE_FIELDS: Final[_Spec] = (
    (0, "reason", _ImplicitInteger(ReleaseResponseReason)),
    (30, "user_information", _USER),
)

_FIELD_TAGS: Final = {
    (number, kind.constructed): Tag.context(number, kind.constructed)
    for spec in (_AARQ_FIELDS, _AARE_FIELDS, _RLRQ_FIELDS, _RLRE_FIELDS)
    for number, _, kind in spec
}


# ---------------------------------------------------------------------------------------
# The shared machinery of the four APDUs
# ---------------------------------------------------------------------------------------


class _AcseApdu(Apdu):
    """Mixin behaviour of the ACSE APDUs (their dataclass fields are declared below)."""

    __slots__ = ()
    _FIELDS: ClassVar[_Spec]
    length_forms: tuple[LengthForm, ...]

    def _validate(self) -> None:
        for _, name, kind in self._FIELDS:
            if getattr(self, name) is not None:
                kind.check(self, name)
        forms = self.length_forms
        if not isinstance(forms, tuple):
            if not isinstance(forms, list):
                raise TypeError("length_forms must be a tuple of LengthForm")
            forms = tuple(forms)
        build = _Builder(forms)
        try:
            self._tree(build)
        except EncodeError as exc:  # a recorded form too short for its contents
            raise ValueError(f"{self.NAME}: {exc}") from None
        object.__setattr__(self, "length_forms", build.check())

    def _tree(self, build: _Builder) -> Tlv:
        def children() -> list[Tlv]:
            out = []
            for number, name, kind in self._FIELDS:
                value = getattr(self, name)
                if value is not None:
                    tag = _FIELD_TAGS[number, kind.constructed]
                    out.append(kind.encode(value, tag, name, build))
            return out

        return build.constructed(self.NAME, Tag.application(self.TAG & 0x1F, True), children)

    def write(self, out: bytearray) -> None:
        out += ber.encode(self._tree(_Builder(self.length_forms)))


_A = TypeVar("_A", bound=_AcseApdu)


def _decode_acse(reader: Reader, cls: type[_AcseApdu], required: tuple[str, ...]) -> dict[str, Any]:
    """Read the contents of an ACSE APDU (``reader`` is after its tag byte)."""
    state = _Decoding()
    start = reader.offset - 1
    length, form = ber.read_length(reader, cls.NAME)
    if form is not None:
        state.forms.append(LengthForm(tlv=cls.NAME, octets=form))
    body = reader.sub(length, f"the contents of the {cls.NAME}")
    specs = cls._FIELDS
    values: dict[str, Any] = {}
    index = 0
    while not body.at_end:
        tlv = ber.read_tlv(body, max_depth=_MAX_FIELD_DEPTH)
        tag = tlv.tag
        position = next((i for i, (number, _, _) in enumerate(specs) if number == tag.number), None)
        if tag.cls is not TagClass.CONTEXT or position is None:
            raise DecodeError(f"unexpected {tag} in the {cls.NAME}", tlv.offset)
        if position < index:
            raise DecodeError(f"{tag} ({specs[position][1]}) repeated or out of order", tlv.offset)
        index = position + 1
        _, name, kind = specs[position]
        if tag.constructed != kind.constructed:
            form_name = "constructed" if kind.constructed else "primitive"
            raise DecodeError(f"{name} ({tag}) must be {form_name}", tlv.offset)
        values[name] = kind.decode(tlv, name, state)
    for name in required:
        if name not in values:
            raise DecodeError(f"the {cls.NAME} lacks its mandatory {name}", start)
    values["length_forms"] = tuple(state.forms)
    return values


def _construct(cls: type[_A], values: dict[str, Any], reader: Reader) -> _A:
    try:
        return cls(**values)
    except DecodeError:
        raise
    except (TypeError, ValueError) as exc:  # a value the constructor refuses
        raise reader.error(f"invalid {cls.NAME}: {exc}") from None


# ---------------------------------------------------------------------------------------
# AARQ, AARE, RLRQ, RLRE
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AARQ(_AcseApdu):
    """AARQ-apdu ``[APPLICATION 0] IMPLICIT SEQUENCE`` (tag 0x60), Green Book 9.4.2::

        60 len
           80 ..  protocol-version [0] IMPLICIT BIT STRING          (None: DEFAULT version1)
           A1 ..  application-context-name [1] OBJECT IDENTIFIER    (2.16.756.5.8.1.x)
           A2 ..  called-AP-title [2] OCTET STRING     A3 .. called-AE-qualifier [3]
           A4 ..  called-AP-invocation-id [4] INTEGER  A5 .. called-AE-invocation-id [5]
           A6 ..  calling-AP-title [6] (the client system title with ciphering)
           A7 ..  calling-AE-qualifier [7]   A8 .. calling-AP-invocation-id [8]
           A9 ..  calling-AE-invocation-id [9]
           8A ..  sender-acse-requirements [10] IMPLICIT BIT STRING (07 80: authentication)
           8B ..  mechanism-name [11] IMPLICIT OBJECT IDENTIFIER  (2.16.756.5.8.2.x)
           AC ..  calling-authentication-value [12] (80 len password / challenge)
           9D ..  implementation-information [29] IMPLICIT GraphicString
           BE ..  user-information [30] (04 len InitiateRequest or glo-initiate-request)

    ``repr`` does not show the calling-authentication-value (an LLS password travels in
    clear): :class:`AuthenticationValue` redacts itself.
    """

    TAG: ClassVar[int] = 0x60
    NAME: ClassVar[str] = "aarq"
    _FIELDS: ClassVar[_Spec] = _AARQ_FIELDS

    protocol_version: BitString | None = None
    application_context_name: str
    called_ap_title: bytes | None = None
    called_ae_qualifier: bytes | None = None
    called_ap_invocation_id: int | None = None
    called_ae_invocation_id: int | None = None
    calling_ap_title: bytes | None = None
    calling_ae_qualifier: bytes | None = None
    calling_ap_invocation_id: int | None = None
    calling_ae_invocation_id: int | None = None
    sender_acse_requirements: BitString | None = None
    mechanism_name: str | None = None
    calling_authentication_value: AuthenticationValue | None = None
    implementation_information: str | None = None
    user_information: Apdu | bytes | None = None
    length_forms: tuple[LengthForm, ...] = ()

    def __post_init__(self) -> None:
        self._validate()

    @property
    def application_context(self) -> ApplicationContextName | None:
        """The DLMS context id of :attr:`application_context_name` (None if another OID)."""
        return ApplicationContextName.from_oid(self.application_context_name)

    @property
    def mechanism(self) -> MechanismName | None:
        """The DLMS mechanism id of :attr:`mechanism_name` (None if absent or another OID)."""
        return None if self.mechanism_name is None else MechanismName.from_oid(self.mechanism_name)


@register(AARQ.TAG, AARQ.NAME)
def _read_aarq(reader: Reader) -> AARQ:
    values = _decode_acse(reader, AARQ, ("application_context_name",))
    return _construct(AARQ, values, reader)


@dataclass(frozen=True, slots=True, kw_only=True)
class AARE(_AcseApdu):
    """AARE-apdu ``[APPLICATION 1] IMPLICIT SEQUENCE`` (tag 0x61), Green Book 9.4.2::

        61 len
           80 ..  protocol-version [0]                 A1 .. application-context-name [1]
           A2 03 02 01 rr            result [2] (accepted 0, rejected-permanent 1, -transient 2)
           A3 05 A1 03 02 01 dd      result-source-diagnostic [3]: acse-service-user [1]
                 (or A2 ..: acse-service-provider [2])
           A4 ..  responding-AP-title [4] (the server system title with ciphering)
           A5 ..  responding-AE-qualifier [5]  A6 .. responding-AP-invocation-id [6]
           A7 ..  responding-AE-invocation-id [7]
           88 ..  responder-acse-requirements [8] IMPLICIT BIT STRING
           89 ..  mechanism-name [9] IMPLICIT OBJECT IDENTIFIER
           AA ..  responding-authentication-value [10] (the StoC challenge)
           9D ..  implementation-information [29]
           BE ..  user-information [30] (InitiateResponse, ConfirmedServiceError, ...)

    ``result_source_diagnostic`` is an :class:`AcseServiceUser` or an
    :class:`AcseServiceProvider` value: its type is the CHOICE alternative.
    """

    TAG: ClassVar[int] = 0x61
    NAME: ClassVar[str] = "aare"
    _FIELDS: ClassVar[_Spec] = _AARE_FIELDS

    protocol_version: BitString | None = None
    application_context_name: str
    result: AssociationResult
    result_source_diagnostic: AcseServiceUser | AcseServiceProvider
    responding_ap_title: bytes | None = None
    responding_ae_qualifier: bytes | None = None
    responding_ap_invocation_id: int | None = None
    responding_ae_invocation_id: int | None = None
    responder_acse_requirements: BitString | None = None
    mechanism_name: str | None = None
    responding_authentication_value: AuthenticationValue | None = None
    implementation_information: str | None = None
    user_information: Apdu | bytes | None = None
    length_forms: tuple[LengthForm, ...] = ()

    def __post_init__(self) -> None:
        self._validate()

    @property
    def application_context(self) -> ApplicationContextName | None:
        """The DLMS context id of :attr:`application_context_name` (None if another OID)."""
        return ApplicationContextName.from_oid(self.application_context_name)

    @property
    def mechanism(self) -> MechanismName | None:
        """The DLMS mechanism id of :attr:`mechanism_name` (None if absent or another OID)."""
        return None if self.mechanism_name is None else MechanismName.from_oid(self.mechanism_name)


@register(AARE.TAG, AARE.NAME)
def _read_aare(reader: Reader) -> AARE:
    values = _decode_acse(
        reader, AARE, ("application_context_name", "result", "result_source_diagnostic")
    )
    return _construct(AARE, values, reader)


@dataclass(frozen=True, slots=True, kw_only=True)
class RLRQ(_AcseApdu):
    """RLRQ-apdu ``[APPLICATION 2] IMPLICIT SEQUENCE`` (tag 0x62)::

        62 len
           80 01 rr     reason [0] IMPLICIT INTEGER (normal 0, urgent 1, user-defined 30)
           BE ..        user-information [30] (an InitiateRequest, usually ciphered)

    ``62 00`` (XDLMS-40) is an RLRQ with neither field.
    """

    TAG: ClassVar[int] = 0x62
    NAME: ClassVar[str] = "rlrq"
    _FIELDS: ClassVar[_Spec] = _RLRQ_FIELDS

    reason: ReleaseRequestReason | None = None
    user_information: Apdu | bytes | None = None
    length_forms: tuple[LengthForm, ...] = ()

    def __post_init__(self) -> None:
        self._validate()


@register(RLRQ.TAG, RLRQ.NAME)
def _read_rlrq(reader: Reader) -> RLRQ:
    return _construct(RLRQ, _decode_acse(reader, RLRQ, ()), reader)


@dataclass(frozen=True, slots=True, kw_only=True)
class RLRE(_AcseApdu):
    """RLRE-apdu ``[APPLICATION 3] IMPLICIT SEQUENCE`` (tag 0x63)::

    63 len
       80 01 rr     reason [0] IMPLICIT INTEGER (normal 0, not-finished 1, user-defined 30)
       BE ..        user-information [30] (an InitiateResponse, usually ciphered)
    """

    TAG: ClassVar[int] = 0x63
    NAME: ClassVar[str] = "rlre"
    _FIELDS: ClassVar[_Spec] = _RLRE_FIELDS

    reason: ReleaseResponseReason | None = None
    user_information: Apdu | bytes | None = None
    length_forms: tuple[LengthForm, ...] = ()

    def __post_init__(self) -> None:
        self._validate()


@register(RLRE.TAG, RLRE.NAME)
def _read_rlre(reader: Reader) -> RLRE:
    return _construct(RLRE, _decode_acse(reader, RLRE, ()), reader)
