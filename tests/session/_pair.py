"""An in-memory harness: a client session and a server session joined by real link code.

``Pair(client_settings, server_settings, transport="hdlc")`` runs a
:class:`~dlmskit.link.hdlc_link.HdlcLink` per side (client = primary, server = secondary)
and moves whole frames between them, optionally dropping or corrupting some with a seeded
``random.Random``; ``transport="wrapper"`` frames every APDU with the IEC 62056-47 wrapper
and cuts the byte stream with :class:`~dlmskit.link.wrapper.WrapperStream` on each side.
The clock is simulated: when nothing moves, it jumps to the next deadline of any layer.

The server side's application is :class:`Objects`, a dictionary of attribute values that
answers GET / SET / ACTION (with-list variants included). ``apdus`` records every APDU
each way (``("c", bytes)`` client to server, ``("s", bytes)`` back) for byte-exact checks.

``transport="udp"`` sends every APDU as one wrapper datagram (decoded on arrival with
:func:`~dlmskit.link.wrapper.decode_datagram`); with ``loss`` set, datagrams carrying
General Block Transfer blocks are dropped or duplicated at that rate (seeded): GBT
recovers lost blocks, while a lost plain request would only end in a request timeout.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from dlmskit import axdr
from dlmskit.apdu import access, action, get, sn
from dlmskit.apdu import set as set_
from dlmskit.apdu._base import Apdu
from dlmskit.apdu.access import AccessRequest, AccessResponse
from dlmskit.apdu.common import ActionResult, DataAccessResult
from dlmskit.link._events import NEED_DATA
from dlmskit.link.hdlc import HdlcAddress, HdlcParameters
from dlmskit.link.hdlc_link import ApduReceived, HdlcLink, LinkState, Role
from dlmskit.link.wrapper import WrapperPdu, WrapperPduReceived, WrapperStream, decode_datagram
from dlmskit.session import (
    AccessRequested,
    ActionRequested,
    ClientSession,
    ClientSettings,
    GetRequested,
    ReadRequested,
    ServerSession,
    ServerSettings,
    SetRequested,
    WriteRequested,
)

CLIENT_SAP = 16
SERVER_LOGICAL = 1

Key = tuple[int, bytes, int]  # class id, OBIS bytes, attribute id


def split_frames(data: bytes) -> list[bytes]:
    """Cut concatenated HDLC frames by their length fields (format type 3)."""
    frames = []
    pos = 0
    while pos < len(data):
        length = ((data[pos + 1] << 8) | data[pos + 2]) & 0x07FF
        frames.append(data[pos : pos + length + 2])
        pos += length + 2
    return frames


def corrupt(frame: bytes, rng: random.Random) -> bytes:
    """Flip bits of one FCS byte (never into a flag)."""
    index = len(frame) - 1 - rng.choice((1, 2))
    value = frame[index] ^ rng.choice((0x01, 0x10, 0x55, 0xAA))
    if value == 0x7E:
        value ^= 0x01
    return frame[:index] + bytes((value,)) + frame[index + 1 :]


@dataclass
class Objects:
    """The server application: attribute values by (class id, OBIS, attribute)."""

    values: dict[Key, axdr.Value] = field(default_factory=dict)
    calls: list[tuple[int, bytes, int, axdr.Value]] = field(default_factory=list)
    short_names: dict[int, Key] = field(default_factory=dict)  # SN: variable name → key
    echo_limit: int = 1000  # ACTION parameters up to this size come back as return data

    def _get(self, descriptor: Any) -> get.GetDataResult:
        key = (descriptor.class_id, descriptor.instance_id.to_bytes(), descriptor.attribute_id)
        if key not in self.values:
            return DataAccessResult.OBJECT_UNDEFINED
        return get.Data(self.values[key])

    def _set(self, descriptor: Any, value: axdr.Value) -> DataAccessResult:
        key = (descriptor.class_id, descriptor.instance_id.to_bytes(), descriptor.attribute_id)
        if key not in self.values:
            return DataAccessResult.OBJECT_UNDEFINED
        self.values[key] = value
        return DataAccessResult.SUCCESS

    def _call(self, descriptor: Any, value: axdr.Value) -> action.ActionResponseWithOptionalData:
        self.calls.append(
            (descriptor.class_id, descriptor.instance_id.to_bytes(), descriptor.method_id, value)
        )
        # Parameters up to echo_limit octets come back as return parameters (larger ones
        # make the server answer in pblocks, or in GBT blocks).
        echo = len(axdr.encode(value)) <= self.echo_limit
        return action.ActionResponseWithOptionalData(
            result=ActionResult.SUCCESS, return_parameters=get.Data(value) if echo else None
        )

    def _access(self, request: AccessRequest) -> AccessResponse:
        data: list[axdr.Value] = []
        results: list[Any] = []
        for spec, value in zip(
            request.access_request_specification, request.access_request_list_of_data, strict=True
        ):
            if isinstance(spec, access.AccessRequestGet | access.AccessRequestGetWithSelection):
                result = self._get(spec.cosem_attribute_descriptor)
                if isinstance(result, get.Data):
                    data.append(result.value)
                    results.append(access.AccessResponseGet(result=DataAccessResult.SUCCESS))
                else:
                    data.append(None)
                    results.append(access.AccessResponseGet(result=result))
            elif isinstance(spec, access.AccessRequestSet | access.AccessRequestSetWithSelection):
                data.append(None)
                results.append(
                    access.AccessResponseSet(
                        result=self._set(spec.cosem_attribute_descriptor, value)
                    )
                )
            else:
                self._call(spec.cosem_method_descriptor, value)
                data.append(None)
                results.append(access.AccessResponseAction(result=ActionResult.SUCCESS))
        return AccessResponse(
            long_invoke_id_and_priority=request.long_invoke_id_and_priority,
            access_response_list_of_data=tuple(data),
            access_response_specification=tuple(results),
        )

    def _read(self, request: sn.ReadRequest) -> sn.ReadResponse:
        results: list[sn.ReadResult] = []
        for spec in request.variable_access_specification:
            key = self.short_names.get(getattr(spec, "variable_name", -1))
            if key is None or key not in self.values:
                results.append(DataAccessResult.OBJECT_UNDEFINED)
            else:
                results.append(sn.ReadData(data=self.values[key]))
        return sn.ReadResponse(results=tuple(results))

    def _write(self, request: sn.WriteRequest | sn.UnconfirmedWriteRequest) -> sn.WriteResponse:
        results: list[sn.WriteResult] = []
        for spec, value in zip(
            request.variable_access_specification, request.list_of_data, strict=True
        ):
            key = self.short_names.get(getattr(spec, "variable_name", -1))
            if key is None or key not in self.values:
                results.append(DataAccessResult.OBJECT_UNDEFINED)
            else:
                self.values[key] = value
                results.append(sn.WriteSuccess())
        return sn.WriteResponse(results=tuple(results))

    def answer(self, event: object) -> Apdu | None:
        if isinstance(event, AccessRequested):
            assert isinstance(event.request, AccessRequest)
            response = self._access(event.request)
            confirmed = event.request.long_invoke_id_and_priority.confirmed
            return response if confirmed else None
        if isinstance(event, ReadRequested):
            assert isinstance(event.request, sn.ReadRequest)
            return self._read(event.request)
        if isinstance(event, WriteRequested):
            assert isinstance(event.request, sn.WriteRequest | sn.UnconfirmedWriteRequest)
            written = self._write(event.request)
            return written if isinstance(event.request, sn.WriteRequest) else None
        request = getattr(event, "request", None)
        confirmed = getattr(getattr(request, "invoke_id_and_priority", None), "confirmed", True)
        response = self._answer(event)
        return response if confirmed else None

    def _answer(self, event: object) -> Apdu | None:
        if isinstance(event, GetRequested):
            request = event.request
            if isinstance(request, get.GetRequestNormal):
                return get.GetResponseNormal(
                    invoke_id_and_priority=request.invoke_id_and_priority,
                    result=self._get(request.cosem_attribute_descriptor),
                )
            assert isinstance(request, get.GetRequestWithList)
            return get.GetResponseWithList(
                invoke_id_and_priority=request.invoke_id_and_priority,
                result=tuple(
                    self._get(item.cosem_attribute_descriptor)
                    for item in request.attribute_descriptor_list
                ),
            )
        if isinstance(event, SetRequested):
            request = event.request
            if isinstance(request, set_.SetRequestNormal):
                return set_.SetResponseNormal(
                    invoke_id_and_priority=request.invoke_id_and_priority,
                    result=self._set(request.cosem_attribute_descriptor, request.value),
                )
            assert isinstance(request, set_.SetRequestWithList)
            return set_.SetResponseWithList(
                invoke_id_and_priority=request.invoke_id_and_priority,
                result=tuple(
                    self._set(item.cosem_attribute_descriptor, value)
                    for item, value in zip(
                        request.attribute_descriptor_list, request.value_list, strict=True
                    )
                ),
            )
        if isinstance(event, ActionRequested):
            request = event.request
            if isinstance(request, action.ActionRequestNormal):
                parameters = request.method_invocation_parameters
                return action.ActionResponseNormal(
                    invoke_id_and_priority=request.invoke_id_and_priority,
                    single_response=self._call(
                        request.cosem_method_descriptor,
                        None if parameters is None else parameters.value,
                    ),
                )
            assert isinstance(request, action.ActionRequestWithList)
            return action.ActionResponseWithList(
                invoke_id_and_priority=request.invoke_id_and_priority,
                list_of_responses=tuple(
                    self._call(descriptor, value)
                    for descriptor, value in zip(
                        request.cosem_method_descriptor_list,
                        request.method_invocation_parameters,
                        strict=True,
                    )
                ),
            )
        return None


class Pair:
    """A client session and a server session over HDLC or the wrapper, in memory."""

    def __init__(
        self,
        client_settings: ClientSettings,
        server_settings: ServerSettings,
        *,
        transport: Literal["hdlc", "wrapper", "udp"] = "hdlc",
        objects: Objects | None = None,
        client_sap: int = CLIENT_SAP,
        loss: float = 0.0,
        seed: int = 0,
        hdlc_parameters: HdlcParameters | None = None,
        answer: Callable[[object], Apdu | None] | None = None,
    ) -> None:
        self.client = ClientSession(client_settings)
        self.server = ServerSession(server_settings, client_sap=client_sap)
        self.objects = objects if objects is not None else Objects()
        self.answer = answer if answer is not None else self.objects.answer
        self.transport = transport
        self.client_sap = client_sap
        self.now = 0.0
        self.rng = random.Random(seed)
        self.loss = loss
        self.frames = 0
        self.client_events: list[object] = []
        self.server_events: list[object] = []
        self.apdus: list[tuple[str, bytes]] = []
        if transport == "hdlc":
            client_address = HdlcAddress.client(client_sap)
            server_address = HdlcAddress.server(SERVER_LOGICAL, 17)
            self.client_link = HdlcLink(
                Role.CLIENT,
                local=client_address,
                remote=server_address,
                parameters=hdlc_parameters,
                inactivity_timeout=None,
            )
            self.server_link = HdlcLink(
                Role.SERVER,
                local=server_address,
                remote=client_address,
                parameters=hdlc_parameters,
                inactivity_timeout=None,
            )
        else:
            self.client_stream = WrapperStream()
            self.server_stream = WrapperStream()
            self.to_server = bytearray()
            self.to_client = bytearray()
            self.datagrams_to_server: list[bytes] = []
            self.datagrams_to_client: list[bytes] = []

    # --- moving bytes ------------------------------------------------------------------

    def _carry(self, data: bytes, to: HdlcLink) -> None:
        for raw in split_frames(data):
            self.frames += 1
            if self.loss and self.rng.random() < self.loss:
                if self.rng.random() < 0.5:
                    continue
                to.receive_data(corrupt(raw, self.rng), self.now)
                continue
            to.receive_data(raw, self.now)

    def _client_out(self) -> bool:
        moved = False
        for apdu in self.client.data_to_send():
            moved = True
            self.apdus.append(("c", apdu))
            if self.transport == "hdlc":
                self.client_link.send_apdu(apdu, self.now)
            elif self.transport == "udp":
                datagram = WrapperPdu(source=self.client_sap, destination=SERVER_LOGICAL, apdu=apdu)
                self.datagrams_to_server += self._lossy(datagram.encode(), apdu)
            else:
                self.to_server += self.client_stream.send(self.client_sap, SERVER_LOGICAL, apdu)
        return moved

    def _server_out(self) -> bool:
        moved = False
        for apdu in self.server.data_to_send():
            moved = True
            self.apdus.append(("s", apdu))
            if self.transport == "hdlc":
                self.server_link.send_apdu(apdu, self.now)
            elif self.transport == "udp":
                datagram = WrapperPdu(source=SERVER_LOGICAL, destination=self.client_sap, apdu=apdu)
                self.datagrams_to_client += self._lossy(datagram.encode(), apdu)
            else:
                self.to_client += self.server_stream.send(SERVER_LOGICAL, self.client_sap, apdu)
        return moved

    def _lossy(self, datagram: bytes, apdu: bytes) -> list[bytes]:
        if not self.loss or apdu[:1] != b"\xe0" or self.rng.random() >= self.loss:
            return [datagram]
        self.frames += 1
        return [] if self.rng.random() < 0.7 else [datagram, datagram]  # lost or duplicated

    def _server_app(self) -> None:
        while (event := self.server.next_event()) is not NEED_DATA:
            self.server_events.append(event)
            response = self.answer(event)
            if response is not None:
                self.server.send(response, self.now)

    def _client_collect(self) -> None:
        while (event := self.client.next_event()) is not NEED_DATA:
            self.client_events.append(event)

    def pump(self) -> None:
        """Move bytes until nothing moves any more."""
        for _ in range(1_000_000):
            moved = self._client_out()
            if self.transport == "hdlc":
                data = self.client_link.data_to_send()
                if data:
                    moved = True
                    self._carry(data, self.server_link)
                while (event := self.server_link.next_event()) is not NEED_DATA:
                    if isinstance(event, ApduReceived):
                        self.server.receive_apdu(event.apdu, self.now)
            elif self.transport == "udp":
                datagrams, self.datagrams_to_server = self.datagrams_to_server, []
                for datagram in datagrams:
                    moved = True
                    self.server.receive_apdu(decode_datagram(datagram).apdu, self.now)
            else:
                if self.to_server:
                    moved = True
                    self.server_stream.receive_data(bytes(self.to_server))
                    self.to_server.clear()
                while (event := self.server_stream.next_event()) is not NEED_DATA:
                    assert isinstance(event, WrapperPduReceived), event
                    self.server.receive_apdu(event.pdu.apdu, self.now)
            self._server_app()
            moved = self._server_out() or moved
            if self.transport == "hdlc":
                data = self.server_link.data_to_send()
                if data:
                    moved = True
                    self._carry(data, self.client_link)
                while (event := self.client_link.next_event()) is not NEED_DATA:
                    if isinstance(event, ApduReceived):
                        self.client.receive_apdu(event.apdu, self.now)
            elif self.transport == "udp":
                datagrams, self.datagrams_to_client = self.datagrams_to_client, []
                for datagram in datagrams:
                    moved = True
                    self.client.receive_apdu(decode_datagram(datagram).apdu, self.now)
            else:
                if self.to_client:
                    moved = True
                    self.client_stream.receive_data(bytes(self.to_client))
                    self.to_client.clear()
                while (event := self.client_stream.next_event()) is not NEED_DATA:
                    assert isinstance(event, WrapperPduReceived), event
                    self.client.receive_apdu(event.pdu.apdu, self.now)
            self._client_collect()
            if not moved:
                return
        raise AssertionError("the pair never went quiet")

    def advance(self) -> bool:
        """Jump the clock to the next deadline of any layer and fire it."""
        deadlines = [self.client.next_timeout(), self.server.next_timeout()]
        if self.transport == "hdlc":
            deadlines += [self.client_link.next_timeout(), self.server_link.next_timeout()]
        pending = [d for d in deadlines if d is not None]
        if not pending:
            return False
        self.now = max(self.now, min(pending))
        if self.transport == "hdlc":
            self.client_link.handle_timeout(self.now)
            self.server_link.handle_timeout(self.now)
        self.client.handle_timeout(self.now)
        self.server.handle_timeout(self.now)
        return True

    def run_until(self, done: Callable[[], bool], limit: int = 100_000) -> None:
        for _ in range(limit):
            self.pump()
            if done():
                return
            if not self.advance():
                break
        self.pump()
        assert done(), repr(self.client_events[-3:])[:2000]

    # --- conveniences ------------------------------------------------------------------

    def connect(self) -> None:
        """Bring the link up (HDLC: SNRM / UA; the wrapper needs nothing)."""
        if self.transport == "hdlc":
            self.client_link.connect(self.now)
            self.run_until(lambda: self.client_link.state is not LinkState.CONNECTING)
            assert self.client_link.state is LinkState.CONNECTED

    def call(self, request: object) -> object:
        """``send`` a request from the client and return the first event it brings."""
        before = len(self.client_events)
        self.client.send(request, self.now)  # type: ignore[arg-type]
        self.run_until(lambda: len(self.client_events) > before)
        return self.client_events[before]
