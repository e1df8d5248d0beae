"""The association view (cosem/association) and the Association LN/SN classes (classes/assoc).

The LN object list is the real one the opendlms meter simulator sent (vectors.json
XDLMS-44, reassembled from the three GET blocks XDLMS-33/35/37): an Association LN of
version 2 listing a clock, itself and an LDN Data object. The version 0 / version 3
forms and the SN list are built from the Blue Book (4.4.3, 4.4.4) as the tests say.
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.cosem.association import AssociationView
from dlmskit.cosem.classes import GenericClassSpec, lookup
from dlmskit.cosem.classes.assoc import AssociationStatus, ContextName, SecurityPolicy
from dlmskit.cosem.types import (
    AccessBits,
    AttributeAccessMode,
    MethodAccessMode,
    ObjectListElement,
)
from dlmskit.errors import DecodeError
from dlmskit.obis import Obis
from tests import vectors

OPENDLMS_OBJECT_LIST = vectors.item_bytes("XDLMS", 44)


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def test_opendlms_object_list_round_trips_through_association_ln_v2() -> None:
    spec = lookup(15, 2)
    objects = spec.decode_attribute(2, OPENDLMS_OBJECT_LIST)
    assert spec.encode_attribute(2, objects) == OPENDLMS_OBJECT_LIST
    assert [(o.class_id, o.version, str(o.logical_name)) for o in objects] == [
        (8, 0, "0.0.1.0.0.255"),
        (15, 2, "0.0.40.0.0.255"),
        (1, 0, "0.0.42.0.0.255"),
    ]
    clock = objects[0]
    assert isinstance(clock, ObjectListElement)
    assert clock.access_rights.attribute(2).access_mode is AttributeAccessMode.READ_AND_WRITE
    assert objects[1].access_rights.method(1).access_mode is MethodAccessMode.ACCESS


def test_association_view_of_the_opendlms_list() -> None:
    view = AssociationView.from_ln_object_list(OPENDLMS_OBJECT_LIST, association_version=2)
    assert len(view) == 3
    clock = view["0.0.1.0.0.255"]
    assert clock.spec is lookup(8, 0)
    assert clock.can_read(1) and not clock.can_write(1)  # logical_name read-only
    assert clock.can_read(2) and clock.can_write(2)  # time read-write
    assert not clock.can_execute(1)  # the clock lists no methods
    association = view[Obis.parse("0.0.40.0.0.255")]
    assert association.spec.name == "Association LN"
    assert association.can_write(7) and not association.can_read(7)  # secret write-only
    assert association.can_execute(1)
    assert not association.can_execute(2)
    assert "0.0.42.0.0.255" in view and "1.0.1.8.0.255" not in view
    assert view.get("not an obis") is None
    assert [e.class_id for e in view.of_class(1)] == [1]
    with pytest.raises(KeyError):
        view["1.0.1.8.0.255"]
    # A decoded value works as well as bytes.
    again = AssociationView.from_ln_object_list(axdr.decode(OPENDLMS_OBJECT_LIST), 2)
    assert again.entries == view.entries


# Blue Book 4.4.4, version 0: method access_mode is a boolean.
LN_V0_LIST = (
    "0101 0204 120003 1100 0906 0100010800FF"
    " 0202 0102 0203 0F01 1601 00 0203 0F02 1601 0101 0F01"  # attr 2 selectors [1]
    " 0101 0202 0F01 0300"  # method 1 (reset): no access
)

# Blue Book 4.4.4, version 3: bit-mapped modes (read | authenticated+encrypted request).
LN_V3_LIST = (
    "0101 0204 120046 1100 0906 0000600A03FF"
    " 0202 0101 0203 0F02 162D 00"  # attr 2: read, auth+enc request, auth response
    " 0101 0202 0F01 160D"  # method 1: access, auth+enc request
)


def test_version_0_boolean_method_access() -> None:
    spec = lookup(15, 0)
    objects = spec.decode_attribute(2, h(LN_V0_LIST))
    assert spec.encode_attribute(2, objects) == h(LN_V0_LIST)
    rights = objects[0].access_rights
    assert rights.method(1).access_mode is False
    assert rights.attribute(2).access_selectors == (1,)
    view = AssociationView.from_ln_object_list(h(LN_V0_LIST), 0)
    register = view["1.0.1.8.0.255"]
    assert register.can_read(2) and not register.can_write(2)
    assert not register.can_execute(1)


def test_version_3_bit_mapped_access() -> None:
    spec = lookup(15, 3)
    objects = spec.decode_attribute(2, h(LN_V3_LIST))
    assert spec.encode_attribute(2, objects) == h(LN_V3_LIST)
    mode = objects[0].access_rights.attribute(2).access_mode
    assert isinstance(mode, AccessBits)
    assert mode == AccessBits.READ | AccessBits.AUTHENTICATED_REQUEST | (
        AccessBits.ENCRYPTED_REQUEST | AccessBits.AUTHENTICATED_RESPONSE
    )
    view = AssociationView.from_ln_object_list(h(LN_V3_LIST), 3)
    disconnector = view["0.0.96.10.3.255"]
    assert disconnector.spec.name == "Disconnect control"
    assert disconnector.can_read(2) and not disconnector.can_write(2)
    assert disconnector.can_execute(1) and not disconnector.can_execute(2)
    # The same bytes read as version 1: 0x2D is not an enumerated attribute mode.
    assert not AssociationView.from_ln_object_list(h(LN_V3_LIST), 1)["0.0.96.10.3.255"].can_read(2)


def test_bad_object_lists_raise_decode_errors() -> None:
    with pytest.raises(DecodeError, match=r"object_list\[0\]"):
        AssociationView.from_ln_object_list(h("0101 0203 120003 1100 0906 0100010800FF"), 2)
    with pytest.raises(DecodeError, match="access_mode"):
        AssociationView.from_ln_object_list(
            h("0101 0204 120003 1100 0906 0100010800FF 0202 0101 0203 0F01 1101 00 0100"), 2
        )
    with pytest.raises(DecodeError, match="array"):
        AssociationView.from_ln_object_list(h("1100"), 2)
    with pytest.raises(DecodeError):
        AssociationView.from_ln_object_list(h("0102 00"), 2)


# Blue Book 4.4.3: objlist_element {base_name long, class_id, version, logical_name}.
SN_LIST = (
    "0103"
    " 0204 10FA00 120012 1100 0906 0000280000FF"  # Association SN at 0xFA00 (class 12)
    " 0204 100100 120003 1100 0906 0100010800FF"  # Register at 0x0100
    " 0204 10FD00 12F000 1100 0906 0000FF0000FF"  # manufacturer class 0xF000 at 0xFD00
)
SN_RIGHTS = (
    "0101 0203 100100"
    " 0102 0202 0F01 1601 0202 0F02 1603"  # attributes 1 read, 2 read-write (2-element form)
    " 0101 0202 0F01 1600"  # reset: no access
)


def test_short_name_view() -> None:
    spec = lookup(12, 2)
    objects = spec.decode_attribute(2, h(SN_LIST))
    assert spec.encode_attribute(2, objects) == h(SN_LIST)
    rights = spec.decode_attribute(3, h(SN_RIGHTS))
    assert spec.encode_attribute(3, rights) == h(SN_RIGHTS)
    view = AssociationView.from_sn_object_list(h(SN_LIST), h(SN_RIGHTS))
    register = view.by_base_name(0x0100)
    assert register is not None and register.spec is lookup(3, 0)
    assert register.can_write(2) and not register.can_write(1) and not register.can_execute(1)
    assert register.attribute_short_name(3) == 0x0110
    assert view.by_base_name(-0x0600) is view.by_base_name(0xFA00)  # long is signed
    assert view.resolve_short_name(0x0108) == (register, 2)
    assert view.resolve_short_name(0x0118) is None  # Register has 3 attributes
    association = view["0.0.40.0.0.255"]
    assert view.resolve_short_name(0xFA08) == (association, 2)
    assert association.access_rights is None and association.can_read(2)
    manufacturer = view["0.0.255.0.0.255"]
    assert isinstance(manufacturer.spec, GenericClassSpec)
    assert view.resolve_short_name(0xFD20) == (manufacturer, 5)
    with pytest.raises(ValueError, match="base name"):
        AssociationView.from_ln_object_list(OPENDLMS_OBJECT_LIST, 2)[
            "0.0.1.0.0.255"
        ].attribute_short_name(2)


def test_association_ln_other_attributes() -> None:
    """Blue Book 4.4.4: the structure form of application_context_name (LN, no ciphering:
    2.16.756.5.8.1.1), the octet-string form (BER OID), xDLMS context, status, users."""
    spec = lookup(15, 2)
    structured = h("0207 1102 1110 1202F4 1105 1108 1101 1101")
    name = spec.decode_attribute(4, structured)
    assert isinstance(name, ContextName) and name.oid == "2.16.756.5.8.1.1"
    assert spec.encode_attribute(4, name) == structured
    oid = h("0907 60857405080101")
    assert spec.decode_attribute(4, oid) == h("60857405080101")
    assert spec.encode_attribute(4, spec.decode_attribute(4, oid)) == oid
    xdlms = h("0206 0418 00101D 120400 120400 1106 0F00 0900")
    assert spec.encode_attribute(5, spec.decode_attribute(5, xdlms)) == xdlms
    assert spec.decode_attribute(8, h("1602")) is AssociationStatus.ASSOCIATED
    users = h("0101 0202 1101 0A05 61646D696E")
    assert spec.encode_attribute(10, spec.decode_attribute(10, users)) == users
    assert len(lookup(15, 0).all_attributes) == 8
    assert len(lookup(15, 1).all_attributes) == 9
    assert len(spec.all_attributes) == 11  # as the opendlms list gives its own rights
    assert len(lookup(15, 3).methods) == 6
    assert spec.decode_method_parameter(1, h("0910 " + "AB" * 16)) == b"\xab" * 16


def test_security_setup_policy_forms() -> None:
    """Blue Book 4.4.7: version 0 enumerated policy, version 1 bit-mapped."""
    assert int(lookup(64, 0).decode_attribute(2, h("1603"))) == 3
    policy = lookup(64, 1).decode_attribute(2, h("16FC"))
    assert policy == (
        SecurityPolicy.AUTHENTICATED_REQUEST
        | SecurityPolicy.ENCRYPTED_REQUEST
        | SecurityPolicy.DIGITALLY_SIGNED_REQUEST
        | SecurityPolicy.AUTHENTICATED_RESPONSE
        | SecurityPolicy.ENCRYPTED_RESPONSE
        | SecurityPolicy.DIGITALLY_SIGNED_RESPONSE
    )
    assert lookup(64, 1).encode_attribute(2, policy) == h("16FC")
    transfer = h("0101 0202 1600 0918" + "11" * 24)
    spec = lookup(64, 0)
    assert spec.encode_method_parameter(2, spec.decode_method_parameter(2, transfer)) == transfer
    certs = h("0101 0206 1600 1600 0901 01 0902 4341 0902 4D31 0900")
    v1 = lookup(64, 1)
    assert v1.encode_attribute(6, v1.decode_attribute(6, certs)) == certs


def test_image_transfer_and_sap_assignment() -> None:
    """Blue Book 4.4.5 and 4.4.6."""
    image = lookup(18, 0)
    info = h("0101 0203 06000F4240 0904 46573131 0900")
    assert image.encode_attribute(7, image.decode_attribute(7, info)) == info
    assert int(image.decode_attribute(6, h("1606"))) == 6
    block = h("0202 0600000001 0904 DEADBEEF")
    assert image.encode_method_parameter(2, image.decode_method_parameter(2, block)) == block
    sap = lookup(17, 0)
    saps = h("0102 0202 120001 0908 4C475A3132333435 0202 120010 0903 4D4554")
    assert sap.encode_attribute(2, sap.decode_attribute(2, saps)) == saps


def test_view_from_decoded_elements() -> None:
    objects = lookup(15, 2).decode_attribute(2, OPENDLMS_OBJECT_LIST)
    view = AssociationView.from_elements(objects)
    assert view.entries == AssociationView.from_ln_object_list(OPENDLMS_OBJECT_LIST, 2).entries
    sn = AssociationView.from_elements(lookup(12, 0).decode_attribute(2, h(SN_LIST)))
    assert sn.by_base_name(0x0100) is sn["1.0.1.8.0.255"]
    with pytest.raises(TypeError, match=r"elements\[0\]"):
        AssociationView.from_elements([b"junk"])  # type: ignore[list-item]


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=80), version=st.integers(0, 3))
def test_garbage_gives_a_view_or_a_decode_error(data: bytes, version: int) -> None:
    """Random bytes, and the real list with one octet changed, never raise anything else."""
    for blob in (data, _mutated(OPENDLMS_OBJECT_LIST, data)):
        with contextlib.suppress(DecodeError):
            AssociationView.from_ln_object_list(blob, version)
        with contextlib.suppress(DecodeError):
            AssociationView.from_sn_object_list(blob, blob)


def _mutated(base: bytes, noise: bytes) -> bytes:
    if not noise:
        return base
    position = noise[0] * 7 % len(base)
    return base[:position] + bytes([noise[-1]]) + base[position + 1 :]
