"""Hypothesis strategies for the ciphered APDUs (dlmskit.apdu.ciphered).

:func:`apdus` generates every APDU type of the module (each service-specific glo-/ded-
class, general-glo/ded-ciphering, general-ciphering with every key-info choice, and
general-signing) with random valid field values, non-minimal length forms included.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu._base import Apdu
from dlmskit.apdu.ciphered import (
    SECURITY_HEADER_LENGTH,
    SERVICE_SPECIFIC_CLASSES,
    AgreedKey,
    GeneralCiphering,
    GeneralDedCiphering,
    GeneralGloCiphering,
    GeneralSigning,
    IdentifiedKey,
    KekId,
    KeyId,
    SecurityControl,
    ServiceSpecificCiphered,
    WrappedKey,
)

__all__ = [
    "apdus",
    "general_ciphering",
    "general_glo_or_ded",
    "general_signing",
    "octet_strings",
    "security_controls",
    "service_specific",
]

u32 = st.integers(0, 0xFFFFFFFF)


def security_controls() -> st.SearchStrategy[SecurityControl]:
    return st.builds(SecurityControl, st.integers(0, 0xFF))


def _form_for(n: int) -> st.SearchStrategy[int | None]:
    """A length form that fits ``n``: minimal (None) or a wider one."""
    minimal = 0 if n < 0x80 else (n.bit_length() + 7) // 8
    return st.sampled_from([None, None, *range(max(minimal, 1), 5)])


def octet_strings(max_size: int = 24) -> st.SearchStrategy[axdr.OctetString]:
    """Octet strings, sometimes with a non-minimal length form."""

    @st.composite
    def build(draw: st.DrawFn) -> axdr.OctetString:
        raw = draw(st.binary(max_size=max_size))
        return axdr.OctetString(raw).with_length_form(draw(_form_for(len(raw))))

    return build()


# Mostly short texts; sometimes long enough (>= 123 octets) to need the long length form.
_texts = st.one_of(st.binary(max_size=40), st.binary(min_size=120, max_size=300))


@st.composite
def _content(draw: st.DrawFn) -> dict[str, Any]:
    text = draw(_texts)
    return {
        "security_control": draw(security_controls()),
        "invocation_counter": draw(u32),
        "ciphered_text": text,
        "form": draw(_form_for(SECURITY_HEADER_LENGTH + len(text))),
    }


@st.composite
def service_specific(draw: st.DrawFn) -> ServiceSpecificCiphered:
    cls = draw(st.sampled_from(list(SERVICE_SPECIFIC_CLASSES.values())))
    parts = draw(_content())
    form = parts.pop("form")
    return cls(**parts, length_form=form)


@st.composite
def general_glo_or_ded(draw: st.DrawFn) -> GeneralGloCiphering | GeneralDedCiphering:
    cls = draw(st.sampled_from([GeneralGloCiphering, GeneralDedCiphering]))
    parts = draw(_content())
    form = parts.pop("form")
    title = draw(st.one_of(octet_strings(8).filter(lambda t: len(t) in (0, 8)), octet_strings()))
    return cls(system_title=title, **parts, ciphered_content_length_form=form)


_key_infos: st.SearchStrategy[IdentifiedKey | WrappedKey | AgreedKey | None] = st.one_of(
    st.none(),
    st.builds(IdentifiedKey, key_id=st.integers(0, 0xFF).map(KeyId)),
    st.builds(
        WrappedKey, kek_id=st.integers(0, 0xFF).map(KekId), key_ciphered_data=octet_strings()
    ),
    st.builds(AgreedKey, key_parameters=octet_strings(2), key_ciphered_data=octet_strings(70)),
)


@st.composite
def general_ciphering(draw: st.DrawFn) -> GeneralCiphering:
    parts = draw(_content())
    form = parts.pop("form")
    return GeneralCiphering(
        transaction_id=draw(octet_strings(8)),
        originator_system_title=draw(octet_strings(8)),
        recipient_system_title=draw(octet_strings(8)),
        date_time=draw(octet_strings(12)),
        other_information=draw(octet_strings()),
        key_info=draw(_key_infos),
        **parts,
        ciphered_content_length_form=form,
    )


def general_signing() -> st.SearchStrategy[GeneralSigning]:
    return st.builds(
        GeneralSigning,
        transaction_id=octet_strings(8),
        originator_system_title=octet_strings(8),
        recipient_system_title=octet_strings(8),
        date_time=octet_strings(12),
        other_information=octet_strings(),
        content=st.one_of(octet_strings(40), st.binary(min_size=128, max_size=200)),
        signature=octet_strings(96),
    )


def apdus() -> st.SearchStrategy[Apdu]:
    """Every ciphered APDU type with random valid field values."""
    return st.one_of(
        service_specific(), general_glo_or_ded(), general_ciphering(), general_signing()
    )
