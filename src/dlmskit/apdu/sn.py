"""Short-name (SN) referencing services (Green Book 9.5, xDLMS APDU ASN.1, "APDUs using
short name referencing"; the DLMS services of IEC 61334-4-41 with COSEM extensions).

====  =========================  ==========================================================
tag   APDU                       body (A-XDR)
====  =========================  ==========================================================
05    readRequest                SEQUENCE OF Variable-Access-Specification
0C    readResponse               SEQUENCE OF CHOICE {data [0], data-access-error [1],
                                 data-block-result [2], block-number [3]}
06    writeRequest               SEQUENCE OF Variable-Access-Specification,
                                 list-of-data SEQUENCE OF Data
0D    writeResponse              SEQUENCE OF CHOICE {success [0], data-access-error [1],
                                 block-number [2]}
16    unconfirmedWriteRequest    as writeRequest
18    informationReportRequest   current-time OPTIONAL, SEQUENCE OF
                                 Variable-Access-Specification, list-of-data
====  =========================  ==========================================================

Variable-Access-Specification (a CHOICE, one octet then the alternative)::

    02 variable-name            ObjectName (2)
    04 parameterized-access     variable-name (2), selector (1), parameter (Data)
    05 block-number-access      block-number (2)
    06 read-data-block-access   last-block (1), block-number (2), raw-data (octets)
    07 write-data-block-access  last-block (1), block-number (2)

Tags and choices: the COSEMpdu CHOICE and productions of jDLMS ``asn1/cosem/cosem.asn``
(readRequest [5], writeRequest [6], readResponse [12], writeResponse [13],
unconfirmedWriteRequest [22], informationReportRequest [24]) and Gurux's ``Command``
(``READ_REQUEST = 0x5`` ...). A SEQUENCE OF count is an A-XDR length; its form is kept
in the ``*_length_form`` fields so that a non-minimal count re-encodes unchanged.

``ObjectName`` is an Integer16 in the ASN.1, but base names are conventionally written as
unsigned hexadecimal (0xFA00 is the Association SN object), so ``variable_name`` holds
the 16-bit pattern as 0..0xFFFF. A-XDR BOOLEAN octets other than 00/01 (last-block) are
refused with :class:`~dlmskit.errors.DecodeError`.

current-time of informationReportRequest is ``GeneralizedTime OPTIONAL`` in the ASN.1;
on the wire it is what Gurux writes and reads (``GXDLMS.getSNPdu`` /
``GXDLMSSNCommandHandler.handleInformationReport``): a length-prefixed octet string, the
COSEM date-time, ``00`` when absent. No public source encodes it otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeAlias, TypeVar

from dlmskit import axdr
from dlmskit._buffer import Reader
from dlmskit.apdu._base import Apdu, register
from dlmskit.apdu.common import (
    DataAccessResult,
    as_tuple,
    check_bool,
    check_data,
    check_range,
    data_tuple,
    read_bool,
    read_data,
    read_length,
    read_octets,
    write_length,
    write_octets,
)
from dlmskit.apdu.notification import (
    to_octet_string,
)
from dlmskit.errors import EncodeError

__all__ = [
    "BlockNumber",
    "BlockNumberAccess",
    "DataBlockResult",
    "InformationReportRequest",
    "ParameterizedAccess",
    "ReadData",
    "ReadDataBlockAccess",
    "ReadRequest",
    "ReadResponse",
    "ReadResult",
    "UnconfirmedWriteRequest",
    "VariableAccessSpecification",
    "VariableName",
    "WriteDataBlockAccess",
    "WriteRequest",
    "WriteResponse",
    "WriteResult",
    "WriteSuccess",
    "check_length_form",
    "read_count",
    "read_list",
    "write_list",
]


# -- shared helpers (also used by dlmskit.apdu.access) ---------------------------------


def check_length_form(name: str, form: object, count: int) -> int | None:
    """Constructor check: ``form`` (None or 0..4 length bytes) can carry ``count``.

    Returns the form as the decoder reports it: ``None`` when it is the minimal one.
    """
    if form is None:
        return None
    check_range(f"{name}-length-form", form, 0, 4)  # type: ignore[arg-type]
    try:
        encoded = axdr.encode_length(count, form)  # type: ignore[arg-type]
    except EncodeError as exc:
        raise ValueError(f"{name}: {exc}") from None
    return None if encoded == axdr.encode_length(count) else form  # type: ignore[return-value]


def read_count(reader: Reader, what: str) -> tuple[int, int | None]:
    """A SEQUENCE OF count (A-XDR length); each element takes at least one octet."""
    pos = reader.pos
    count, form = read_length(reader, f"the number of {what}")
    if count > reader.remaining:
        raise reader.error(f"{count} {what} cannot fit in the {reader.remaining} byte(s) left", pos)
    return count, form


_T = TypeVar("_T")


def read_list(
    reader: Reader, what: str, item: Callable[[Reader], _T]
) -> tuple[tuple[_T, ...], int | None]:
    count, form = read_count(reader, what)
    return tuple(item(reader) for _ in range(count)), form


def write_list(
    out: bytearray, items: Sequence[Any], form: int | None, write: Callable[[bytearray, Any], None]
) -> None:
    write_length(out, len(items), form)
    for element in items:
        write(out, element)


def _write_data(out: bytearray, value: axdr.Value) -> None:
    out += axdr.encode(value)


def _write_item(out: bytearray, value: Any) -> None:
    value.write(out)


# -- Variable-Access-Specification --------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class VariableName:
    """variable-name [2]: ObjectName, the base name (plus offset) of an attribute."""

    CHOICE: ClassVar[int] = 2

    variable_name: int

    def __post_init__(self) -> None:
        check_range("variable-name", self.variable_name, 0, 0xFFFF)

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        out += self.variable_name.to_bytes(2, "big")


@dataclass(frozen=True, slots=True, kw_only=True)
class ParameterizedAccess:
    """parameterized-access [4]: variable-name, selector (Unsigned8), parameter (Data)."""

    CHOICE: ClassVar[int] = 4

    variable_name: int
    selector: int
    parameter: axdr.Value

    def __post_init__(self) -> None:
        check_range("variable-name", self.variable_name, 0, 0xFFFF)
        check_range("selector", self.selector, 0, 0xFF)
        check_data("parameter", self.parameter)

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        out += self.variable_name.to_bytes(2, "big")
        out.append(self.selector)
        out += axdr.encode(self.parameter)


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockNumberAccess:
    """block-number-access [5]: the client asks for the next block (Unsigned16)."""

    CHOICE: ClassVar[int] = 5

    block_number: int

    def __post_init__(self) -> None:
        check_range("block-number", self.block_number, 0, 0xFFFF)

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        out += self.block_number.to_bytes(2, "big")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadDataBlockAccess:
    """read-data-block-access [6]: last-block, block-number, raw-data (a long request)."""

    CHOICE: ClassVar[int] = 6

    last_block: bool
    block_number: int
    raw_data: axdr.OctetString

    def __post_init__(self) -> None:
        check_bool("last-block", self.last_block)
        check_range("block-number", self.block_number, 0, 0xFFFF)
        object.__setattr__(self, "raw_data", to_octet_string("raw-data", self.raw_data))

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        out.append(1 if self.last_block else 0)
        out += self.block_number.to_bytes(2, "big")
        write_octets(out, self.raw_data, self.raw_data.length_form)


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteDataBlockAccess:
    """write-data-block-access [7]: last-block, block-number (the data is in list-of-data)."""

    CHOICE: ClassVar[int] = 7

    last_block: bool
    block_number: int

    def __post_init__(self) -> None:
        check_bool("last-block", self.last_block)
        check_range("block-number", self.block_number, 0, 0xFFFF)

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        out.append(1 if self.last_block else 0)
        out += self.block_number.to_bytes(2, "big")


VariableAccessSpecification: TypeAlias = (
    VariableName
    | ParameterizedAccess
    | BlockNumberAccess
    | ReadDataBlockAccess
    | WriteDataBlockAccess
)
_VAS_TYPES: tuple[type, ...] = (
    VariableName,
    ParameterizedAccess,
    BlockNumberAccess,
    ReadDataBlockAccess,
    WriteDataBlockAccess,
)


def _read_variable_access_specification(reader: Reader) -> VariableAccessSpecification:
    pos = reader.pos
    choice = reader.u8("variable-access-specification")
    if choice == VariableName.CHOICE:
        return VariableName(variable_name=reader.u16("variable-name"))
    if choice == ParameterizedAccess.CHOICE:
        name = reader.u16("parameterized-access.variable-name")
        selector = reader.u8("parameterized-access.selector")
        return ParameterizedAccess(
            variable_name=name, selector=selector, parameter=read_data(reader)
        )
    if choice == BlockNumberAccess.CHOICE:
        return BlockNumberAccess(block_number=reader.u16("block-number-access.block-number"))
    if choice == ReadDataBlockAccess.CHOICE:
        last = read_bool(reader, "read-data-block-access.last-block")
        number = reader.u16("read-data-block-access.block-number")
        raw, form = read_octets(reader, "read-data-block-access.raw-data")
        return ReadDataBlockAccess(
            last_block=last,
            block_number=number,
            raw_data=axdr.OctetString(raw).with_length_form(form),
        )
    if choice == WriteDataBlockAccess.CHOICE:
        last = read_bool(reader, "write-data-block-access.last-block")
        return WriteDataBlockAccess(
            last_block=last, block_number=reader.u16("write-data-block-access.block-number")
        )
    raise reader.error(f"unknown variable-access-specification choice 0x{choice:02X}", pos)


# -- read-response / write-response choices --------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadData:
    """data [0]: the value read."""

    CHOICE: ClassVar[int] = 0

    data: axdr.Value

    def __post_init__(self) -> None:
        check_data("data", self.data)

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        out += axdr.encode(self.data)


@dataclass(frozen=True, slots=True, kw_only=True)
class DataBlockResult:
    """data-block-result [2] (Data-Block-Result): last-block, block-number, raw-data."""

    CHOICE: ClassVar[int] = 2

    last_block: bool
    block_number: int
    raw_data: axdr.OctetString

    def __post_init__(self) -> None:
        check_bool("last-block", self.last_block)
        check_range("block-number", self.block_number, 0, 0xFFFF)
        object.__setattr__(self, "raw_data", to_octet_string("raw-data", self.raw_data))

    def write(self, out: bytearray) -> None:
        out.append(self.CHOICE)
        out.append(1 if self.last_block else 0)
        out += self.block_number.to_bytes(2, "big")
        write_octets(out, self.raw_data, self.raw_data.length_form)


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockNumber:
    """block-number (Unsigned16): the block acknowledged (read-response [3], write-response
    [2]); the choice octet depends on the APDU and is written by it."""

    block_number: int

    def __post_init__(self) -> None:
        check_range("block-number", self.block_number, 0, 0xFFFF)


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteSuccess:
    """success [0] IMPLICIT NULL: the write succeeded (nothing follows the choice octet)."""


ReadResult: TypeAlias = ReadData | DataAccessResult | DataBlockResult | BlockNumber
WriteResult: TypeAlias = WriteSuccess | DataAccessResult | BlockNumber
_READ_RESULT_TYPES: tuple[type, ...] = (ReadData, DataAccessResult, DataBlockResult, BlockNumber)
_WRITE_RESULT_TYPES: tuple[type, ...] = (WriteSuccess, DataAccessResult, BlockNumber)

_READ_DATA_ACCESS_ERROR = 1
_READ_BLOCK_NUMBER = 3
_WRITE_SUCCESS = 0
_WRITE_DATA_ACCESS_ERROR = 1
_WRITE_BLOCK_NUMBER = 2


def _write_read_result(out: bytearray, result: ReadResult) -> None:
    if isinstance(result, DataAccessResult):
        out.append(_READ_DATA_ACCESS_ERROR)
        out.append(result)
    elif isinstance(result, BlockNumber):
        out.append(_READ_BLOCK_NUMBER)
        out += result.block_number.to_bytes(2, "big")
    else:
        result.write(out)


def _read_read_result(reader: Reader) -> ReadResult:
    pos = reader.pos
    choice = reader.u8("read-response choice")
    if choice == ReadData.CHOICE:
        return ReadData(data=read_data(reader))
    if choice == _READ_DATA_ACCESS_ERROR:
        return DataAccessResult(reader.u8("data-access-error"))
    if choice == DataBlockResult.CHOICE:
        last = read_bool(reader, "data-block-result.last-block")
        number = reader.u16("data-block-result.block-number")
        raw, form = read_octets(reader, "data-block-result.raw-data")
        return DataBlockResult(
            last_block=last,
            block_number=number,
            raw_data=axdr.OctetString(raw).with_length_form(form),
        )
    if choice == _READ_BLOCK_NUMBER:
        return BlockNumber(block_number=reader.u16("block-number"))
    raise reader.error(f"unknown read-response choice 0x{choice:02X}", pos)


def _write_write_result(out: bytearray, result: WriteResult) -> None:
    if isinstance(result, DataAccessResult):
        out.append(_WRITE_DATA_ACCESS_ERROR)
        out.append(result)
    elif isinstance(result, BlockNumber):
        out.append(_WRITE_BLOCK_NUMBER)
        out += result.block_number.to_bytes(2, "big")
    else:
        out.append(_WRITE_SUCCESS)


def _read_write_result(reader: Reader) -> WriteResult:
    pos = reader.pos
    choice = reader.u8("write-response choice")
    if choice == _WRITE_SUCCESS:
        return WriteSuccess()
    if choice == _WRITE_DATA_ACCESS_ERROR:
        return DataAccessResult(reader.u8("data-access-error"))
    if choice == _WRITE_BLOCK_NUMBER:
        return BlockNumber(block_number=reader.u16("block-number"))
    raise reader.error(f"unknown write-response choice 0x{choice:02X}", pos)


# -- the APDUs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadRequest(Apdu):
    """ReadRequest (tag 0x05): ``05 count Variable-Access-Specification*``."""

    TAG = 0x05
    NAME = "readRequest"

    variable_access_specification: tuple[VariableAccessSpecification, ...]
    variable_access_specification_length_form: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        items = as_tuple(
            "variable-access-specification", self.variable_access_specification, _VAS_TYPES
        )
        object.__setattr__(self, "variable_access_specification", items)
        object.__setattr__(
            self,
            "variable_access_specification_length_form",
            check_length_form(
                "variable-access-specification",
                self.variable_access_specification_length_form,
                len(items),
            ),
        )

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        write_list(
            out,
            self.variable_access_specification,
            self.variable_access_specification_length_form,
            _write_item,
        )


@register(ReadRequest.TAG, ReadRequest.NAME)
def _read_read_request(reader: Reader) -> ReadRequest:
    items, form = read_list(
        reader, "variable-access-specification", _read_variable_access_specification
    )
    return ReadRequest(
        variable_access_specification=items, variable_access_specification_length_form=form
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadResponse(Apdu):
    """ReadResponse (tag 0x0C): ``0C count (choice result)*``::

    00 Data                                       data
    01 Data-Access-Result (1)                     data-access-error
    02 last-block (1) block-number (2) raw-data   data-block-result
    03 block-number (2)                           block-number
    """

    TAG = 0x0C
    NAME = "readResponse"

    results: tuple[ReadResult, ...]
    results_length_form: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        items = as_tuple("results", self.results, _READ_RESULT_TYPES)
        object.__setattr__(self, "results", items)
        object.__setattr__(
            self,
            "results_length_form",
            check_length_form("results", self.results_length_form, len(items)),
        )

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        write_list(out, self.results, self.results_length_form, _write_read_result)


@register(ReadResponse.TAG, ReadResponse.NAME)
def _read_read_response(reader: Reader) -> ReadResponse:
    items, form = read_list(reader, "results", _read_read_result)
    return ReadResponse(results=items, results_length_form=form)


@dataclass(frozen=True, slots=True, kw_only=True)
class _WriteLike(Apdu):
    variable_access_specification: tuple[VariableAccessSpecification, ...]
    list_of_data: tuple[axdr.Value, ...]
    variable_access_specification_length_form: int | None = field(default=None, repr=False)
    list_of_data_length_form: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        specs = as_tuple(
            "variable-access-specification", self.variable_access_specification, _VAS_TYPES
        )
        data = data_tuple("list-of-data", self.list_of_data)
        object.__setattr__(self, "variable_access_specification", specs)
        object.__setattr__(self, "list_of_data", data)
        if len(specs) != len(data):
            # IEC 61334-4-41 Write/InformationReport: one Data per variable.
            raise ValueError(
                f"list-of-data has {len(data)} element(s) for "
                f"{len(specs)} variable-access-specification(s)"
            )
        object.__setattr__(
            self,
            "variable_access_specification_length_form",
            check_length_form(
                "variable-access-specification",
                self.variable_access_specification_length_form,
                len(specs),
            ),
        )
        object.__setattr__(
            self,
            "list_of_data_length_form",
            check_length_form("list-of-data", self.list_of_data_length_form, len(data)),
        )

    def _write_lists(self, out: bytearray) -> None:
        write_list(
            out,
            self.variable_access_specification,
            self.variable_access_specification_length_form,
            _write_item,
        )
        write_list(out, self.list_of_data, self.list_of_data_length_form, _write_data)

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        self._write_lists(out)


def _read_write_lists(reader: Reader) -> dict[str, Any]:
    specs, specs_form = read_list(
        reader, "variable-access-specification", _read_variable_access_specification
    )
    data, data_form = read_list(reader, "list-of-data", read_data)
    if len(specs) != len(data):
        raise reader.error(
            f"list-of-data has {len(data)} element(s) for "
            f"{len(specs)} variable-access-specification(s)"
        )
    return {
        "variable_access_specification": specs,
        "list_of_data": data,
        "variable_access_specification_length_form": specs_form,
        "list_of_data_length_form": data_form,
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteRequest(_WriteLike):
    """WriteRequest (tag 0x06)::

    06 count Variable-Access-Specification*  count Data*   (the counts are equal)
    """

    TAG = 0x06
    NAME = "writeRequest"


@dataclass(frozen=True, slots=True, kw_only=True)
class UnconfirmedWriteRequest(_WriteLike):
    """UnconfirmedWriteRequest (tag 0x16): as WriteRequest, without a response."""

    TAG = 0x16
    NAME = "unconfirmedWriteRequest"


@register(WriteRequest.TAG, WriteRequest.NAME)
def _read_write_request(reader: Reader) -> WriteRequest:
    return WriteRequest(**_read_write_lists(reader))


@register(UnconfirmedWriteRequest.TAG, UnconfirmedWriteRequest.NAME)
def _read_unconfirmed_write_request(reader: Reader) -> UnconfirmedWriteRequest:
    return UnconfirmedWriteRequest(**_read_write_lists(reader))


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteResponse(Apdu):
    """WriteResponse (tag 0x0D): ``0D count (choice result)*``::

    00                          success
    01 Data-Access-Result (1)   data-access-error
    02 block-number (2)         block-number
    """

    TAG = 0x0D
    NAME = "writeResponse"

    results: tuple[WriteResult, ...]
    results_length_form: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        items = as_tuple("results", self.results, _WRITE_RESULT_TYPES)
        object.__setattr__(self, "results", items)
        object.__setattr__(
            self,
            "results_length_form",
            check_length_form("results", self.results_length_form, len(items)),
        )

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        write_list(out, self.results, self.results_length_form, _write_write_result)


@register(WriteResponse.TAG, WriteResponse.NAME)
def _read_write_response(reader: Reader) -> WriteResponse:
    items, form = read_list(reader, "results", _read_write_result)
    return WriteResponse(results=items, results_length_form=form)


@dataclass(frozen=True, slots=True, kw_only=True)
class InformationReportRequest(_WriteLike):
    """InformationReportRequest (tag 0x18): the server reports values unsolicited::

    18 current-time  count Variable-Access-Specification*  count Data*

    current-time  00                  absent
                  0C <12 bytes>       the COSEM date-time (length-prefixed octets)
    """

    TAG = 0x18
    NAME = "informationReportRequest"

    current_time: axdr.OctetString | None = None

    def __post_init__(self) -> None:
        _WriteLike.__post_init__(self)
        if self.current_time is not None:
            octets: axdr.OctetString | None = to_octet_string("current-time", self.current_time)
            if octets is not None and not octets and octets.length_form is None:
                octets = None  # the same 00 on the wire
            object.__setattr__(self, "current_time", octets)

    def write(self, out: bytearray) -> None:
        out.append(self.TAG)
        if self.current_time is None:
            out.append(0)
        else:
            write_octets(out, self.current_time, self.current_time.length_form)
        self._write_lists(out)


@register(InformationReportRequest.TAG, InformationReportRequest.NAME)
def _read_information_report_request(reader: Reader) -> InformationReportRequest:
    raw, form = read_octets(reader, "current-time")
    current_time = (
        None if not raw and form is None else axdr.OctetString(raw).with_length_form(form)
    )
    return InformationReportRequest(current_time=current_time, **_read_write_lists(reader))
