"""Association, security and firmware classes (Blue Book, DLMS UA 1000-1, 4.4).

Declared here, by (class id, version):

=====  ======================  ==========  ================================================
class  name                    versions    notes
=====  ======================  ==========  ================================================
12     Association SN          0, 1, 2     v2 adds access_rights_list, security_setup_ref.
15     Association LN          0, 1, 2, 3  access rights: v0 boolean methods, v1-2 enum,
                                           v3 bit-mapped; v1 adds security_setup_reference,
                                           v2 user_list/current_user and add/remove_user
17     SAP assignment          0
18     Image transfer          0
64     Security setup          0, 1        v0 security_policy enum, v1 bit-mapped + PKI
=====  ======================  ==========  ================================================

The Association LN ``object_list`` decodes into
:class:`~dlmskit.cosem.types.ObjectListElement` values whose access rights are read in
the form of the association's version; :mod:`dlmskit.cosem.association` builds the
association view from them. The Association SN attribute and method counts follow the
Gurux class file (attributes 3-4 from version 2; 8 methods).
"""

# ruff: noqa: RUF009  (kind_field(...) is a dataclass field spec, not a mutable default)
from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag
from typing import Any, cast

from dlmskit import axdr
from dlmskit.apdu.common import OpenIntEnum
from dlmskit.cosem.classes._declare import (
    ANY,
    BITS,
    BOOL,
    I8,
    OBIS,
    OCTETS,
    U8,
    U16,
    U32,
    VISIBLE,
    ZERO,
    AttrSpec,
    ClassSpec,
    MethSpec,
    StructKind,
    ValueStruct,
    array_kind,
    enum_kind,
    kind_field,
)
from dlmskit.cosem.types import (
    ChoiceKind,
    ImageToActivateInfo,
    ObjectListKind,
    ShortNameAccessRights,
    ShortNameObjectListElement,
)

__all__ = [
    "AssociatedPartners",
    "AssociationStatus",
    "CertificateEntity",
    "CertificateInfo",
    "CertificateType",
    "ContextName",
    "ImageBlock",
    "ImageTransferInitiate",
    "ImageTransferStatus",
    "KeyAgreementData",
    "KeyId",
    "KeyWrapped",
    "SapAssignment",
    "SecurityPolicy",
    "SecurityPolicyV0",
    "SecuritySuiteId",
    "User",
    "XdlmsContextInfo",
]


class AssociationStatus(OpenIntEnum):
    """Association LN ``association_status``."""

    NON_ASSOCIATED = 0
    ASSOCIATION_PENDING = 1
    ASSOCIATED = 2


class ImageTransferStatus(OpenIntEnum):
    """Image transfer ``image_transfer_status`` (4.4.6)."""

    NOT_INITIATED = 0
    INITIATED = 1
    VERIFICATION_INITIATED = 2
    VERIFICATION_SUCCESSFUL = 3
    VERIFICATION_FAILED = 4
    ACTIVATION_INITIATED = 5
    ACTIVATION_SUCCESSFUL = 6
    ACTIVATION_FAILED = 7


class SecurityPolicyV0(OpenIntEnum):
    """Security setup version 0 ``security_policy``."""

    NOTHING = 0
    ALL_MESSAGES_AUTHENTICATED = 1
    ALL_MESSAGES_ENCRYPTED = 2
    ALL_MESSAGES_AUTHENTICATED_AND_ENCRYPTED = 3


class SecurityPolicy(IntFlag):
    """Security setup version 1 ``security_policy``: bit-mapped (bits 0, 1 unused)."""

    AUTHENTICATED_REQUEST = 0x04
    ENCRYPTED_REQUEST = 0x08
    DIGITALLY_SIGNED_REQUEST = 0x10
    AUTHENTICATED_RESPONSE = 0x20
    ENCRYPTED_RESPONSE = 0x40
    DIGITALLY_SIGNED_RESPONSE = 0x80


class SecuritySuiteId(OpenIntEnum):
    """Security setup ``security_suite`` (Green Book 9.2.3.7)."""

    AES_GCM_128 = 0
    ECDH_ECDSA_AES_GCM_128_SHA_256 = 1
    ECDH_ECDSA_AES_GCM_256_SHA_384 = 2


class KeyId(OpenIntEnum):
    """``key_id`` of global_key_transfer / key_agreement."""

    GLOBAL_UNICAST_ENCRYPTION_KEY = 0
    GLOBAL_BROADCAST_ENCRYPTION_KEY = 1
    AUTHENTICATION_KEY = 2
    MASTER_KEY = 3


class CertificateEntity(OpenIntEnum):
    """``certificate_entity`` of a certificate_info."""

    SERVER = 0
    CLIENT = 1
    CERTIFICATION_AUTHORITY = 2
    OTHER = 3


class CertificateType(OpenIntEnum):
    """``certificate_type`` of a certificate_info (the key's use)."""

    DIGITAL_SIGNATURE = 0
    KEY_AGREEMENT = 1
    TLS = 2
    OTHER = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class AssociatedPartners(ValueStruct):
    """Association LN ``associated_partners_id``."""

    client_sap: int = kind_field(I8)
    server_sap: int = kind_field(U16)


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextName(ValueStruct):
    """The structure form of ``application_context_name`` / ``authentication_mechanism_name``
    (older Blue Book editions): the arcs of {2 16 756 5 8 x y}; newer meters send the
    BER-encoded object identifier as an octet-string instead."""

    joint_iso_ctt_element: int = kind_field(U8)
    country_element: int = kind_field(U8)
    country_name_element: int = kind_field(U16)
    identified_organization_element: int = kind_field(U8)
    dlms_ua_element: int = kind_field(U8)
    name_element: int = kind_field(U8)  # application_context (1) / mechanism_name (2)
    id_element: int = kind_field(U8)  # context id / mechanism id

    @property
    def oid(self) -> str:
        """Dotted object identifier, e.g. ``2.16.756.5.8.1.1``."""
        return ".".join(
            str(getattr(self, name))
            for name in (
                "joint_iso_ctt_element",
                "country_element",
                "country_name_element",
                "identified_organization_element",
                "dlms_ua_element",
                "name_element",
                "id_element",
            )
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class XdlmsContextInfo(ValueStruct):
    """Association LN ``xDLMS_context_info``."""

    conformance: axdr.BitString = kind_field(BITS)
    max_receive_pdu_size: int = kind_field(U16)
    max_send_pdu_size: int = kind_field(U16)
    dlms_version_number: int = kind_field(U8)
    quality_of_service: int = kind_field(I8)
    cyphering_info: bytes = kind_field(OCTETS)


@dataclass(frozen=True, slots=True, kw_only=True)
class User(ValueStruct):
    """Association LN ``user_list`` element / ``current_user``."""

    user_id: int = kind_field(U8)
    user_name: str = kind_field(VISIBLE)


@dataclass(frozen=True, slots=True, kw_only=True)
class SapAssignment(ValueStruct):
    """SAP assignment ``asslist_element``: which SAP addresses which logical device."""

    sap: int = kind_field(U16)
    logical_device_name: bytes = kind_field(OCTETS)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageTransferInitiate(ValueStruct):
    """Image transfer ``image_transfer_initiate`` parameter."""

    image_identifier: bytes = kind_field(OCTETS)
    image_size: int = kind_field(U32)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageBlock(ValueStruct):
    """Image transfer ``image_block_transfer`` parameter."""

    image_block_number: int = kind_field(U32)
    image_block_value: bytes = kind_field(OCTETS)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyWrapped(ValueStruct):
    """``key_data`` of global_key_transfer / key_transfer: a key wrapped (RFC 3394) with
    the master key."""

    key_id: KeyId = kind_field(enum_kind(KeyId))
    key_wrapped: bytes = kind_field(OCTETS)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyAgreementData(ValueStruct):
    """``key_agreement`` element: the ephemeral public key and its signature."""

    key_id: KeyId = kind_field(enum_kind(KeyId))
    key_ciphered_data: bytes = kind_field(OCTETS)


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateInfo(ValueStruct):
    """Security setup version 1 ``certificates`` element."""

    certificate_entity: CertificateEntity = kind_field(enum_kind(CertificateEntity))
    certificate_type: CertificateType = kind_field(enum_kind(CertificateType))
    serial_number: bytes = kind_field(OCTETS)
    issuer: bytes = kind_field(OCTETS)
    subject: bytes = kind_field(OCTETS)
    subject_alt_name: bytes = kind_field(OCTETS)


_A = AttrSpec
_M = MethSpec
_DYN = False
_CONTEXT_NAME = ChoiceKind(OCTETS, StructKind(ContextName))
_USER = StructKind(User)


def _association_ln(version: int) -> ClassSpec:
    element = ObjectListKind(version)
    attributes = [
        _A("object_list", array_kind(element)),
        _A("associated_partners_id", StructKind(AssociatedPartners)),
        _A("application_context_name", _CONTEXT_NAME),
        _A("xdlms_context_info", StructKind(XdlmsContextInfo)),
        _A("authentication_mechanism_name", _CONTEXT_NAME),
        _A("secret", OCTETS),
        _A("association_status", enum_kind(AssociationStatus), _DYN),
    ]
    methods = [
        _M("reply_to_hls_authentication", OCTETS, OCTETS),
        _M("change_hls_secret", OCTETS),
        _M("add_object", element),
        _M("remove_object", element),
    ]
    if version >= 1:
        attributes.append(_A("security_setup_reference", OBIS))
    if version >= 2:
        attributes += [_A("user_list", array_kind(_USER)), _A("current_user", _USER, _DYN)]
        methods += [_M("add_user", _USER), _M("remove_user", _USER)]
    return ClassSpec(15, version, "Association LN", tuple(attributes), tuple(methods))


def _association_sn(version: int) -> ClassSpec:
    attributes = [_A("object_list", array_kind(ShortNameObjectListElement))]
    if version >= 2:
        attributes += [
            _A("access_rights_list", array_kind(StructKind(ShortNameAccessRights))),
            _A("security_setup_reference", OBIS),
        ]
    methods = (
        _M("getlist_by_classid", ANY, ANY),
        _M("getobj_by_logicalname", ANY, ANY),
        _M("read_by_logicalname", ANY, ANY),
        _M("get_attributes_and_services", ANY, ANY),
        _M("change_lls_secret", OCTETS),
        _M("change_hls_secret", OCTETS),
        _M("get_hls_challenge", ANY, OCTETS),
        _M("reply_to_hls_authentication", OCTETS, OCTETS),
    )
    return ClassSpec(12, version, "Association SN", tuple(attributes), methods)


# An IntFlag is an int enumeration too: EnumKind decodes any combination of its bits.
_POLICY_BITS = enum_kind(cast(Any, SecurityPolicy))


CLASSES: tuple[ClassSpec, ...] = (
    *(_association_sn(version) for version in (0, 1, 2)),
    *(_association_ln(version) for version in (0, 1, 2, 3)),
    ClassSpec(
        17,
        0,
        "SAP assignment",
        (_A("sap_assignment_list", array_kind(SapAssignment)),),
        (_M("connect_logical_device", StructKind(SapAssignment)),),
    ),
    ClassSpec(
        18,
        0,
        "Image transfer",
        (
            _A("image_block_size", U32),
            _A("image_transferred_blocks_status", BITS, _DYN),
            _A("image_first_not_transferred_block_number", U32, _DYN),
            _A("image_transfer_enabled", BOOL),
            _A("image_transfer_status", enum_kind(ImageTransferStatus), _DYN),
            _A("image_to_activate_info", array_kind(ImageToActivateInfo), _DYN),
        ),
        (
            _M("image_transfer_initiate", StructKind(ImageTransferInitiate)),
            _M("image_block_transfer", StructKind(ImageBlock)),
            _M("image_verify", ZERO),
            _M("image_activate", ZERO),
        ),
    ),
    ClassSpec(
        64,
        0,
        "Security setup",
        (
            _A("security_policy", enum_kind(SecurityPolicyV0)),
            _A("security_suite", enum_kind(SecuritySuiteId)),
            _A("client_system_title", OCTETS),
            _A("server_system_title", OCTETS),
        ),
        (
            _M("security_activate", enum_kind(SecurityPolicyV0)),
            _M("global_key_transfer", array_kind(KeyWrapped)),
        ),
    ),
    ClassSpec(
        64,
        1,
        "Security setup",
        (
            _A("security_policy", _POLICY_BITS),
            _A("security_suite", enum_kind(SecuritySuiteId)),
            _A("client_system_title", OCTETS),
            _A("server_system_title", OCTETS),
            _A("certificates", array_kind(CertificateInfo)),
        ),
        (
            _M("security_activate", _POLICY_BITS),
            _M("key_transfer", array_kind(KeyWrapped)),
            _M("key_agreement", array_kind(KeyAgreementData), array_kind(KeyAgreementData)),
            _M("generate_key_pair", enum_kind(CertificateType)),
            _M("generate_certificate_request", enum_kind(CertificateType), OCTETS),
            _M("import_certificate", OCTETS),
            _M("export_certificate", ANY, OCTETS),  # structure {type, CHOICE options}
            _M("remove_certificate", ANY),
        ),
    ),
)
