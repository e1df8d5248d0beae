"""Hypothesis strategies for the GET / SET / ACTION APDUs (dlmskit.apdu.get, .set, .action).

:func:`apdus` generates every APDU type of those modules with random valid field values,
including non-minimal length forms of SEQUENCE OF counts and octet strings.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu import action, get
from dlmskit.apdu import set as set_
from dlmskit.apdu._base import Apdu
from dlmskit.apdu.common import (
    ActionResult,
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    DataAccessResult,
    InvokeIdAndPriority,
    SelectiveAccessDescriptor,
)
from dlmskit.cosem_time import CosemDateTime
from dlmskit.obis import Obis

__all__ = [
    "apdus",
    "attribute_descriptors",
    "data_values",
    "get_data_results",
    "length_forms",
    "octet_strings",
    "selective_access_descriptors",
]

MAX_LIST = 4


def length_forms() -> st.SearchStrategy[int | None]:
    """A length form for a count below 0x80: minimal, or 0 (= minimal), 1, 2 or 4 bytes."""
    return st.sampled_from([None, None, 0, 1, 2, 4])


def octet_strings(max_size: int = 24) -> st.SearchStrategy[axdr.OctetString]:
    return st.tuples(st.binary(max_size=max_size), st.sampled_from([None, None, 1, 2])).map(
        lambda t: axdr.OctetString(t[0]).with_length_form(t[1])
    )


def _int_values() -> st.SearchStrategy[axdr.Value]:
    def ranged(cls: Any, low: int, high: int) -> st.SearchStrategy[axdr.Value]:
        return st.integers(low, high).map(cls)

    return st.one_of(
        ranged(axdr.Integer, -128, 127),
        ranged(axdr.Long, -(2**15), 2**15 - 1),
        ranged(axdr.Unsigned, 0, 255),
        ranged(axdr.LongUnsigned, 0, 0xFFFF),
        ranged(axdr.DoubleLong, -(2**31), 2**31 - 1),
        ranged(axdr.DoubleLongUnsigned, 0, 2**32 - 1),
        ranged(axdr.Long64, -(2**63), 2**63 - 1),
        ranged(axdr.Enum, 0, 255),
    )


def data_values() -> st.SearchStrategy[axdr.Value]:
    """A small recursive strategy of typed A-XDR values."""
    leaves: st.SearchStrategy[axdr.Value] = st.one_of(
        st.none(),
        st.booleans(),
        _int_values(),
        octet_strings(),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=8).map(
            axdr.VisibleString
        ),
        st.binary(min_size=12, max_size=12).map(CosemDateTime.from_bytes),
    )
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=3).map(axdr.Structure),
            st.lists(children, max_size=3).map(axdr.Array),
        ),
        max_leaves=8,
    )


def invoke_ids() -> st.SearchStrategy[InvokeIdAndPriority]:
    return st.integers(0, 255).map(InvokeIdAndPriority)


def _obis() -> st.SearchStrategy[Obis]:
    return st.tuples(*[st.integers(0, 255)] * 6).map(lambda t: Obis(*t))


def attribute_descriptors() -> st.SearchStrategy[CosemAttributeDescriptor]:
    return st.builds(
        CosemAttributeDescriptor,
        class_id=st.integers(0, 0xFFFF),
        instance_id=_obis(),
        attribute_id=st.integers(-128, 127),
    )


def method_descriptors() -> st.SearchStrategy[CosemMethodDescriptor]:
    return st.builds(
        CosemMethodDescriptor,
        class_id=st.integers(0, 0xFFFF),
        instance_id=_obis(),
        method_id=st.integers(-128, 127),
    )


def selective_access_descriptors() -> st.SearchStrategy[SelectiveAccessDescriptor]:
    return st.builds(
        SelectiveAccessDescriptor,
        access_selector=st.integers(0, 255),
        access_parameters=data_values(),
    )


def _optional_selection() -> st.SearchStrategy[SelectiveAccessDescriptor | None]:
    return st.none() | selective_access_descriptors()


def _with_selection() -> st.SearchStrategy[get.CosemAttributeDescriptorWithSelection]:
    return st.builds(
        get.CosemAttributeDescriptorWithSelection,
        cosem_attribute_descriptor=attribute_descriptors(),
        access_selection=_optional_selection(),
    )


def _data_access_results() -> st.SearchStrategy[DataAccessResult]:
    return st.integers(0, 255).map(DataAccessResult)


def get_data_results() -> st.SearchStrategy[get.GetDataResult]:
    return st.one_of(data_values().map(get.Data), _data_access_results())


def _block_numbers() -> st.SearchStrategy[int]:
    return st.integers(0, 2**32 - 1)


def _datablock_g() -> st.SearchStrategy[get.DataBlockG]:
    return st.builds(
        get.DataBlockG,
        last_block=st.booleans(),
        block_number=_block_numbers(),
        result=st.one_of(octet_strings(), _data_access_results()),
    )


def _datablock_sa() -> st.SearchStrategy[set_.DataBlockSA]:
    return st.builds(
        set_.DataBlockSA,
        last_block=st.booleans(),
        block_number=_block_numbers(),
        raw_data=octet_strings(),
    )


def _tuples(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(strategy, max_size=MAX_LIST).map(tuple)


def _get_strategies() -> list[st.SearchStrategy[Any]]:
    return [
        st.builds(
            get.GetRequestNormal,
            invoke_id_and_priority=invoke_ids(),
            cosem_attribute_descriptor=attribute_descriptors(),
            access_selection=_optional_selection(),
        ),
        st.builds(
            get.GetRequestNext, invoke_id_and_priority=invoke_ids(), block_number=_block_numbers()
        ),
        st.builds(
            get.GetRequestWithList,
            invoke_id_and_priority=invoke_ids(),
            attribute_descriptor_list=_tuples(_with_selection()),
            attribute_descriptor_list_length_form=length_forms(),
        ),
        st.builds(
            get.GetResponseNormal, invoke_id_and_priority=invoke_ids(), result=get_data_results()
        ),
        st.builds(
            get.GetResponseWithDatablock,
            invoke_id_and_priority=invoke_ids(),
            result=_datablock_g(),
        ),
        st.builds(
            get.GetResponseWithList,
            invoke_id_and_priority=invoke_ids(),
            result=_tuples(get_data_results()),
            result_length_form=length_forms(),
        ),
    ]


@st.composite
def _set_request_with_list(draw: st.DrawFn) -> set_.SetRequestWithList:
    n = draw(st.integers(0, MAX_LIST))
    return set_.SetRequestWithList(
        invoke_id_and_priority=draw(invoke_ids()),
        attribute_descriptor_list=tuple(draw(_with_selection()) for _ in range(n)),
        value_list=tuple(draw(data_values()) for _ in range(n)),
        attribute_descriptor_list_length_form=draw(length_forms()),
        value_list_length_form=draw(length_forms()),
    )


def _set_strategies() -> list[st.SearchStrategy[Any]]:
    return [
        st.builds(
            set_.SetRequestNormal,
            invoke_id_and_priority=invoke_ids(),
            cosem_attribute_descriptor=attribute_descriptors(),
            access_selection=_optional_selection(),
            value=data_values(),
        ),
        st.builds(
            set_.SetRequestWithFirstDatablock,
            invoke_id_and_priority=invoke_ids(),
            cosem_attribute_descriptor=attribute_descriptors(),
            access_selection=_optional_selection(),
            datablock=_datablock_sa(),
        ),
        st.builds(
            set_.SetRequestWithDatablock,
            invoke_id_and_priority=invoke_ids(),
            datablock=_datablock_sa(),
        ),
        _set_request_with_list(),
        st.builds(
            set_.SetRequestWithListAndFirstDatablock,
            invoke_id_and_priority=invoke_ids(),
            attribute_descriptor_list=_tuples(_with_selection()),
            datablock=_datablock_sa(),
            attribute_descriptor_list_length_form=length_forms(),
        ),
        st.builds(
            set_.SetResponseNormal,
            invoke_id_and_priority=invoke_ids(),
            result=_data_access_results(),
        ),
        st.builds(
            set_.SetResponseDatablock,
            invoke_id_and_priority=invoke_ids(),
            block_number=_block_numbers(),
        ),
        st.builds(
            set_.SetResponseLastDatablock,
            invoke_id_and_priority=invoke_ids(),
            result=_data_access_results(),
            block_number=_block_numbers(),
        ),
        st.builds(
            set_.SetResponseLastDatablockWithList,
            invoke_id_and_priority=invoke_ids(),
            result=_tuples(_data_access_results()),
            block_number=_block_numbers(),
            result_length_form=length_forms(),
        ),
        st.builds(
            set_.SetResponseWithList,
            invoke_id_and_priority=invoke_ids(),
            result=_tuples(_data_access_results()),
            result_length_form=length_forms(),
        ),
    ]


@st.composite
def _action_request_with_list(draw: st.DrawFn) -> action.ActionRequestWithList:
    n = draw(st.integers(0, MAX_LIST))
    return action.ActionRequestWithList(
        invoke_id_and_priority=draw(invoke_ids()),
        cosem_method_descriptor_list=tuple(draw(method_descriptors()) for _ in range(n)),
        method_invocation_parameters=tuple(draw(data_values()) for _ in range(n)),
        cosem_method_descriptor_list_length_form=draw(length_forms()),
        method_invocation_parameters_length_form=draw(length_forms()),
    )


def _responses_with_optional_data() -> st.SearchStrategy[action.ActionResponseWithOptionalData]:
    return st.builds(
        action.ActionResponseWithOptionalData,
        result=st.integers(0, 255).map(ActionResult),
        return_parameters=st.none() | get_data_results(),
    )


def _action_strategies() -> list[st.SearchStrategy[Any]]:
    return [
        st.builds(
            action.ActionRequestNormal,
            invoke_id_and_priority=invoke_ids(),
            cosem_method_descriptor=method_descriptors(),
            method_invocation_parameters=st.none() | data_values().map(get.Data),
        ),
        st.builds(
            action.ActionRequestNextPblock,
            invoke_id_and_priority=invoke_ids(),
            block_number=_block_numbers(),
        ),
        _action_request_with_list(),
        st.builds(
            action.ActionRequestWithFirstPblock,
            invoke_id_and_priority=invoke_ids(),
            cosem_method_descriptor=method_descriptors(),
            pblock=_datablock_sa(),
        ),
        st.builds(
            action.ActionRequestWithListAndFirstPblock,
            invoke_id_and_priority=invoke_ids(),
            cosem_method_descriptor_list=_tuples(method_descriptors()),
            pblock=_datablock_sa(),
            cosem_method_descriptor_list_length_form=length_forms(),
        ),
        st.builds(
            action.ActionRequestWithPblock,
            invoke_id_and_priority=invoke_ids(),
            pblock=_datablock_sa(),
        ),
        st.builds(
            action.ActionResponseNormal,
            invoke_id_and_priority=invoke_ids(),
            single_response=_responses_with_optional_data(),
        ),
        st.builds(
            action.ActionResponseWithPblock,
            invoke_id_and_priority=invoke_ids(),
            pblock=_datablock_sa(),
        ),
        st.builds(
            action.ActionResponseWithList,
            invoke_id_and_priority=invoke_ids(),
            list_of_responses=_tuples(_responses_with_optional_data()),
            list_of_responses_length_form=length_forms(),
        ),
        st.builds(
            action.ActionResponseNextPblock,
            invoke_id_and_priority=invoke_ids(),
            block_number=_block_numbers(),
        ),
    ]


def get_apdus() -> st.SearchStrategy[Apdu]:
    return st.one_of(_get_strategies())


def set_apdus() -> st.SearchStrategy[Apdu]:
    return st.one_of(_set_strategies())


def action_apdus() -> st.SearchStrategy[Apdu]:
    return st.one_of(_action_strategies())


def apdus() -> st.SearchStrategy[Apdu]:
    """Every GET, SET and ACTION APDU type, with random valid field values."""
    return st.one_of(per_class_strategies())


def per_class_strategies() -> list[st.SearchStrategy[Apdu]]:
    """One strategy per APDU class, in the order of :data:`APDU_CLASSES`."""
    return _get_strategies() + _set_strategies() + _action_strategies()


#: Every APDU class the strategies cover (tests check that each one is generated).
APDU_CLASSES: tuple[type[Apdu], ...] = (
    get.GetRequestNormal,
    get.GetRequestNext,
    get.GetRequestWithList,
    get.GetResponseNormal,
    get.GetResponseWithDatablock,
    get.GetResponseWithList,
    set_.SetRequestNormal,
    set_.SetRequestWithFirstDatablock,
    set_.SetRequestWithDatablock,
    set_.SetRequestWithList,
    set_.SetRequestWithListAndFirstDatablock,
    set_.SetResponseNormal,
    set_.SetResponseDatablock,
    set_.SetResponseLastDatablock,
    set_.SetResponseLastDatablockWithList,
    set_.SetResponseWithList,
    action.ActionRequestNormal,
    action.ActionRequestNextPblock,
    action.ActionRequestWithList,
    action.ActionRequestWithFirstPblock,
    action.ActionRequestWithListAndFirstPblock,
    action.ActionRequestWithPblock,
    action.ActionResponseNormal,
    action.ActionResponseWithPblock,
    action.ActionResponseWithList,
    action.ActionResponseNextPblock,
)


def assert_lossless(apdu: Apdu) -> bytes:
    """The round-trip properties every APDU satisfies; returns its bytes.

    ``decode(a.to_bytes()) == a`` and re-encodes to the same bytes; trailing data and
    every proper prefix are a :class:`DecodeError`.
    """
    import pytest

    from dlmskit.apdu._base import decode
    from dlmskit.errors import DecodeError

    data = apdu.to_bytes()
    again = decode(data)
    assert again == apdu
    assert type(again) is type(apdu)
    assert again.to_bytes() == data
    with pytest.raises(DecodeError):
        decode(data + b"\x00")
    for end in range(len(data)):
        with pytest.raises(DecodeError):
            decode(data[:end])
    return data


def assert_value_or_decode_error(data: bytes) -> None:
    """Fuzz oracle: an APDU that re-encodes to ``data``, or a DecodeError."""
    from dlmskit.apdu._base import decode
    from dlmskit.errors import DecodeError

    try:
        apdu = decode(data)
    except DecodeError:
        return
    assert apdu.to_bytes() == data
