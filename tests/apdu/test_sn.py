"""Tests of dlmskit.apdu.sn: the short-name services."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit import axdr
from dlmskit.apdu import _base
from dlmskit.apdu.common import DataAccessResult
from dlmskit.apdu.sn import (
    BlockNumber,
    BlockNumberAccess,
    DataBlockResult,
    InformationReportRequest,
    ParameterizedAccess,
    ReadData,
    ReadDataBlockAccess,
    ReadRequest,
    ReadResponse,
    UnconfirmedWriteRequest,
    VariableName,
    WriteDataBlockAccess,
    WriteRequest,
    WriteResponse,
    WriteSuccess,
)
from dlmskit.errors import DecodeError

from .strategies_misc import assert_decodes_or_fails, assert_round_trip, sn_apdus

decode = _base.decode

# Produced by gurux-dlms 1.0.203 (an independent encoder; wrapper header removed):
# GXDLMSClient(useLogicalNameReferencing=False).read / write / readList of a Data object
# with base name 0x0100 (attribute 2 is at 0x0108) and a Register at 0x0200, and
# GXDLMSNotify(False, ...).generateReport.
GURUX_READ = bytes.fromhex("0501020108")
GURUX_WRITE = bytes.fromhex("0601020108011204D2")
GURUX_READ_LIST = bytes.fromhex("0502020108020208")
GURUX_INFORMATION_REPORT = bytes.fromhex("180001020108011204D2")


def test_gurux_read_request() -> None:
    apdu = decode(GURUX_READ)
    assert apdu == ReadRequest(variable_access_specification=(VariableName(variable_name=0x0108),))
    assert decode(GURUX_READ_LIST) == ReadRequest(
        variable_access_specification=(
            VariableName(variable_name=0x0108),
            VariableName(variable_name=0x0208),
        )
    )
    assert apdu.to_bytes() == GURUX_READ


def test_gurux_write_request() -> None:
    apdu = decode(GURUX_WRITE)
    assert apdu == WriteRequest(
        variable_access_specification=(VariableName(variable_name=0x0108),),
        list_of_data=(axdr.LongUnsigned(1234),),
    )
    assert apdu.to_bytes() == GURUX_WRITE
    # The same body as an unconfirmed write (tag 0x16).
    unconfirmed = UnconfirmedWriteRequest(
        variable_access_specification=(VariableName(variable_name=0x0108),),
        list_of_data=(axdr.LongUnsigned(1234),),
    )
    assert unconfirmed.to_bytes() == b"\x16" + GURUX_WRITE[1:]
    assert decode(unconfirmed.to_bytes()) == unconfirmed


def test_gurux_information_report() -> None:
    apdu = decode(GURUX_INFORMATION_REPORT)
    assert apdu == InformationReportRequest(
        variable_access_specification=(VariableName(variable_name=0x0108),),
        list_of_data=(axdr.LongUnsigned(1234),),
    )
    assert isinstance(apdu, InformationReportRequest)
    assert apdu.current_time is None
    with_time = InformationReportRequest(
        current_time=bytes.fromhex("07E50118FF0E303900FFC400"),
        variable_access_specification=(VariableName(variable_name=0x0108),),
        list_of_data=(None,),
    )
    raw = with_time.to_bytes()
    assert raw == bytes.fromhex("180C07E50118FF0E303900FFC400010201080100")
    assert decode(raw) == with_time


def test_gurux_live_interop() -> None:
    gurux = pytest.importorskip("gurux_dlms")
    from gurux_dlms.enums import DataType, InterfaceType
    from gurux_dlms.objects import GXDLMSData

    client = gurux.GXDLMSClient(False, interfaceType=InterfaceType.WRAPPER)
    data = GXDLMSData("0.0.96.1.0.255")
    data.shortName = 0x0100
    data.value = 1234
    data.setDataType(2, DataType.UINT16)
    (read,) = client.read(data, 2)
    (write,) = client.write(data, 2)
    assert bytes(read)[8:] == GURUX_READ
    assert bytes(write)[8:] == GURUX_WRITE


def test_variable_access_specification_choices() -> None:
    # jDLMS asn1/cosem/cosem.asn Variable-Access-Specification: [2] [4] [5] [6] [7]
    request = ReadRequest(
        variable_access_specification=(
            VariableName(variable_name=0xFA00),
            ParameterizedAccess(variable_name=0x6208, selector=1, parameter=axdr.Unsigned(3)),
            BlockNumberAccess(block_number=2),
            ReadDataBlockAccess(last_block=True, block_number=3, raw_data=b"\xaa"),
            WriteDataBlockAccess(last_block=False, block_number=4),
        )
    )
    raw = request.to_bytes()
    assert raw == bytes.fromhex(
        "05 05 02FA00 04620801 1103 050002 0601000301AA 07000004".replace(" ", "")
    )
    assert decode(raw) == request


def test_read_response_choices() -> None:
    # ReadResponse ::= SEQUENCE OF CHOICE {data [0], data-access-error [1],
    # data-block-result [2], block-number [3]} (jDLMS cosem.asn)
    response = ReadResponse(
        results=(
            ReadData(data=axdr.LongUnsigned(5)),
            DataAccessResult.OBJECT_UNDEFINED,
            DataBlockResult(last_block=False, block_number=1, raw_data=b"\x01\x02"),
            BlockNumber(block_number=9),
        )
    )
    raw = response.to_bytes()
    assert raw == bytes.fromhex("0C04 00120005 0104 020000010201 02 030009".replace(" ", ""))
    assert decode(raw) == response


def test_write_response_choices() -> None:
    # WriteResponse ::= SEQUENCE OF CHOICE {success [0], data-access-error [1],
    # block-number [2]} (jDLMS cosem.asn)
    response = WriteResponse(
        results=(WriteSuccess(), DataAccessResult.READ_WRITE_DENIED, BlockNumber(block_number=2))
    )
    raw = response.to_bytes()
    assert raw == bytes.fromhex("0D03 00 0103 020002".replace(" ", ""))
    assert decode(raw) == response
    unknown = decode(bytes.fromhex("0D0101C8"))
    assert isinstance(unknown, WriteResponse)
    assert unknown.results[0] == 0xC8  # a manufacturer code is kept, not refused


def test_write_block_request() -> None:
    # A long write as Gurux writes it (GXDLMS.appendMultipleSNBlocks): write-data-block-access
    # then one octet-string in list-of-data.
    raw = bytes.fromhex("0601070100010109030A0B0C")
    apdu = decode(raw)
    assert apdu == WriteRequest(
        variable_access_specification=(WriteDataBlockAccess(last_block=True, block_number=1),),
        list_of_data=(axdr.OctetString(b"\x0a\x0b\x0c"),),
    )
    assert apdu.to_bytes() == raw


def test_errors() -> None:
    with pytest.raises(DecodeError, match="variable-access-specification choice 0x03"):
        decode(bytes.fromhex("050103"))
    with pytest.raises(DecodeError, match="read-response choice 0x04"):
        decode(bytes.fromhex("0C0104"))
    with pytest.raises(DecodeError, match="write-response choice 0x03"):
        decode(bytes.fromhex("0D0103"))
    with pytest.raises(DecodeError, match="BOOLEAN"):
        decode(bytes.fromhex("05010702 0001".replace(" ", "")))
    with pytest.raises(DecodeError, match="list-of-data has 0"):
        decode(bytes.fromhex("060102010800"))
    with pytest.raises(DecodeError, match="cannot fit"):
        decode(bytes.fromhex("0582FFFF02"))
    with pytest.raises(ValueError, match="list-of-data has 2"):
        WriteRequest(
            variable_access_specification=(VariableName(variable_name=1),),
            list_of_data=(None, None),
        )
    with pytest.raises(ValueError, match="variable-name"):
        VariableName(variable_name=-1)
    with pytest.raises(TypeError, match="last-block"):
        WriteDataBlockAccess(last_block=1, block_number=0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"results\[0\]"):
        WriteResponse(results=(ReadData(data=None),))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="length"):
        ReadResponse(results=(), results_length_form=7)


def test_non_minimal_counts_are_kept() -> None:
    raw = bytes.fromhex("05810102FA00")
    apdu = decode(raw)
    assert isinstance(apdu, ReadRequest)
    assert apdu.variable_access_specification_length_form == 1
    assert apdu.to_bytes() == raw
    # A minimal form given explicitly is the same value as None.
    assert ReadResponse(results=(), results_length_form=0) == ReadResponse(results=())


@given(sn_apdus())
def test_round_trip(apdu: ReadRequest) -> None:
    assert_round_trip(apdu)


@given(st.sampled_from([0x05, 0x06, 0x0C, 0x0D, 0x16, 0x18]), st.binary(max_size=30))
def test_fuzz_random(tag: int, rest: bytes) -> None:
    assert_decodes_or_fails(bytes([tag]) + rest)


@given(st.data())
def test_fuzz_mutated_vectors(data: st.DataObject) -> None:
    vectors = [GURUX_READ, GURUX_WRITE, GURUX_READ_LIST, GURUX_INFORMATION_REPORT]
    buf = bytearray(data.draw(st.sampled_from(vectors)))
    for _ in range(data.draw(st.integers(1, 3))):
        buf[data.draw(st.integers(1, len(buf) - 1))] = data.draw(st.integers(0, 255))
    assert_decodes_or_fails(bytes(buf[: data.draw(st.integers(1, len(buf)))]))
