"""General-Block-Transfer (Green Book 9.5, xDLMS APDU ASN.1, ``general-block-transfer [224]``).

::

    E0  block-control (1)  block-number (2)  block-number-ack (2)  block-data (A-XDR octets)

    block-control  bit 7      last-block
                   bit 6      streaming
                   bits 5..0  window (the number of blocks the sender can receive)

The tag 0xE0 is ``general-block-transfer [224]`` in the XDLMS-APDU CHOICE and Gurux's
``Command.GENERAL_BLOCK_TRANSFER``. Gurux's ``GXDLMS.handleGbt`` reads the same layout
(streaming bit 0x40, window 0x3F, two Unsigned16, A-XDR length-prefixed data). Joining
the blocks (and checking their numbers) belongs to the session layer; this module is the
codec of one block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from dlmskit import axdr
from dlmskit._buffer import Reader
from dlmskit.apdu._base import Apdu, register
from dlmskit.apdu.common import check_range, read_octets, write_octets
from dlmskit.apdu.notification import to_octet_string

__all__ = ["GeneralBlockTransfer"]

_LAST_BLOCK = 0x80
_STREAMING = 0x40
_WINDOW = 0x3F


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneralBlockTransfer(Apdu):
    """General-Block-Transfer (tag 0xE0): one block of a long APDU.

    ``block_control`` is the whole octet (every bit is defined, so every octet is
    lossless); :attr:`last_block`, :attr:`streaming` and :attr:`window` read its parts and
    :meth:`of` builds it from them. ``block_data`` keeps a non-minimal length form.
    """

    TAG = 0xE0
    NAME = "general-block-transfer"

    block_control: int
    block_number: int
    block_number_ack: int
    block_data: axdr.OctetString

    def __post_init__(self) -> None:
        check_range("block-control", self.block_control, 0, 0xFF)
        check_range("block-number", self.block_number, 0, 0xFFFF)
        check_range("block-number-ack", self.block_number_ack, 0, 0xFFFF)
        object.__setattr__(self, "block_data", to_octet_string("block-data", self.block_data))

    @classmethod
    def of(
        cls,
        *,
        last_block: bool,
        streaming: bool = False,
        window: int = 1,
        block_number: int,
        block_number_ack: int = 0,
        block_data: bytes,
    ) -> Self:
        """Build a block from the parts of block-control."""
        check_range("window", window, 0, _WINDOW)
        control = (_LAST_BLOCK if last_block else 0) | (_STREAMING if streaming else 0) | window
        return cls(
            block_control=control,
            block_number=block_number,
            block_number_ack=block_number_ack,
            block_data=to_octet_string("block-data", block_data),
        )

    @property
    def last_block(self) -> bool:
        return bool(self.block_control & _LAST_BLOCK)

    @property
    def streaming(self) -> bool:
        return bool(self.block_control & _STREAMING)

    @property
    def window(self) -> int:
        return self.block_control & _WINDOW

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        out.append(self.block_control)
        out += self.block_number.to_bytes(2, "big")
        out += self.block_number_ack.to_bytes(2, "big")
        write_octets(out, self.block_data, self.block_data.length_form)


@register(GeneralBlockTransfer.TAG, GeneralBlockTransfer.NAME)
def _read_general_block_transfer(reader: Reader) -> GeneralBlockTransfer:
    control = reader.u8("block-control")
    number = reader.u16("block-number")
    ack = reader.u16("block-number-ack")
    data, form = read_octets(reader, "block-data")
    return GeneralBlockTransfer(
        block_control=control,
        block_number=number,
        block_number_ack=ack,
        block_data=axdr.OctetString(data).with_length_form(form),
    )
