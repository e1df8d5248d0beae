"""A small blocking driver around the gurux-dlms client (PyPI, an independent
implementation; test and benchmark dependency only): GXDLMSClient / GXDLMSSecureClient
build the request frames and parse the replies, this module moves the bytes over a TCP
socket (the wrapper or HDLC), following ``isMoreData`` / ``receiverReady`` until every
reply is complete, as /work/shared/interop/README.md describes."""

from __future__ import annotations

import socket
from typing import Any

from gurux_dlms import GXByteBuffer, GXDLMSClient, GXReplyData
from gurux_dlms.enums import Authentication, InterfaceType, ObjectType, Security
from gurux_dlms.secure import GXDLMSSecureClient

EK = bytes(range(16))
AK = bytes(range(0xD0, 0xE0))

AUTH = {
    "none": Authentication.NONE,
    "lls": Authentication.LOW,
    "hls-gmac": Authentication.HIGH_GMAC,
}


class GuruxError(Exception):
    """The gurux client or the exchange failed (its message says where)."""


class GuruxClient:
    """One gurux client association over TCP (``hdlc`` selects HDLC framing)."""

    def __init__(
        self,
        port: int,
        *,
        hdlc: bool = False,
        client_address: int = 16,
        auth: str = "none",
        password: bytes | None = None,
        server_system_title: bytes | None = None,
        invocation_counter: int = 0,
        encryption_key: bytes = EK,
        authentication_key: bytes = AK,
        client_system_title: bytes = b"GRX\x00\x00\x00\x00\x07",
        logical: int = 1,
        physical: int = 17,
        short_names: bool = False,
        max_pdu_size: int | None = None,
        timeout: float = 5.0,
    ) -> None:
        interface = InterfaceType.HDLC if hdlc else InterfaceType.WRAPPER
        server_address = GXDLMSClient.getServerAddress(logical, physical) if hdlc else logical
        if auth == "hls-gmac":
            client: Any = GXDLMSSecureClient(
                not short_names, client_address, server_address, AUTH[auth], None, interface
            )
            client.ciphering.security = Security.AUTHENTICATION_ENCRYPTION
            client.ciphering.systemTitle = client_system_title
            client.ciphering.blockCipherKey = encryption_key
            client.ciphering.authenticationKey = authentication_key
            client.ciphering.invocationCounter = invocation_counter
        else:
            client = GXDLMSClient(
                not short_names, client_address, server_address, AUTH[auth], password, interface
            )
        if max_pdu_size is not None:  # proposed in the AARQ's InitiateRequest
            client.maxReceivePDUSize = max_pdu_size
        self.client = client
        self.hdlc = hdlc
        # HLS: gurux learns the server's system title from the AARE; when the caller
        # knows it, connect() checks that the two agree.
        self.expected_server_title = server_system_title
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.objects: Any = None
        self.frames_sent = 0  # request frames written, to see blocks and segments happen
        self.last_raw = b""

    # --- exchange ---------------------------------------------------------------------------

    def _packet(self, data: bytes | None, reply: Any) -> None:
        if data:
            self.sock.sendall(bytes(data))
            self.frames_sent += 1
        buffer = GXByteBuffer()
        notify = GXReplyData()
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise GuruxError("the server closed the connection")
            buffer.set(chunk)
            if self.client.getData(buffer, reply, notify):
                return

    def exchange(self, requests: Any) -> Any:
        """Send request frames, follow more-data, return the complete GXReplyData."""
        if isinstance(requests, bytes | bytearray):
            requests = [requests]
        if requests is None:
            raise GuruxError("the gurux client built no request")
        reply = GXReplyData()
        for request in requests:
            reply.clear()
            self._packet(request, reply)
            while reply.isMoreData():
                data = None if reply.isStreaming() else self.client.receiverReady(reply)
                self._packet(data, reply)
        if reply.error:
            raise GuruxError(f"the server answered error {reply.error}")
        return reply

    # --- steps ------------------------------------------------------------------------------

    @property
    def server_system_title(self) -> bytes:
        """The server's system title gurux took from the AARE (HLS-GMAC)."""
        return bytes(self.client.settings.sourceSystemTitle or b"")

    def connect(self) -> None:
        """SNRM/UA (HDLC), AARQ/AARE, then HLS pass 3/4 when the mechanism needs it."""
        if self.hdlc:
            reply = self.exchange(self.client.snrmRequest())
            self.client.parseUAResponse(reply.data)
        reply = self.exchange(self.client.aarqRequest())
        self.client.parseAareResponse(reply.data)
        learnt = self.client.settings.sourceSystemTitle
        if self.expected_server_title is not None and bytes(learnt) != self.expected_server_title:
            raise GuruxError(f"AARE system title {bytes(learnt).hex()} is not the server's")
        if self.client.getIsAuthenticationRequired():
            reply = self.exchange(self.client.getApplicationAssociationRequest())
            self.client.parseApplicationAssociationResponse(reply.data)

    def read_objects(self) -> Any:
        """The association's object list (attribute 2 of 0.0.40.0.0.255), parsed."""
        reply = self.exchange(self.client.getObjectsRequest())
        self.objects = self.client.parseObjects(reply.data, True)
        return self.objects

    def find(self, obis: str, object_type: Any = None) -> Any:
        for obj in self.objects:
            if obj.logicalName == obis and (object_type is None or obj.objectType == object_type):
                return obj
        raise GuruxError(f"{obis} is not in the object list")

    def read(self, obj: Any, index: int) -> Any:
        """GET of one attribute; gurux stores it in ``obj`` and returns the value."""
        reply = self.exchange(self.client.read(obj, index))
        self.last_raw = bytes(reply.data.array())  # the A-XDR Data gurux parsed
        return self.client.updateValue(obj, index, reply.value)

    def write(self, obj: Any, index: int) -> None:
        self.exchange(self.client.write(obj, index))

    def method(self, obj: Any, index: int, value: Any, data_type: Any) -> Any:
        return self.exchange(self.client.method(obj, index, value, data_type))

    def rows_by_entry(self, profile: Any, index: int, count: int) -> Any:
        reply = self.exchange(self.client.readRowsByEntry(profile, index, count))
        self.client.updateValue(profile, 2, reply.value)
        return profile.buffer

    def rows_by_range(self, profile: Any, start: Any, end: Any) -> Any:
        reply = self.exchange(self.client.readRowsByRange(profile, start, end))
        self.client.updateValue(profile, 2, reply.value)
        return profile.buffer

    def close(self) -> None:
        """RLRQ (and DISC on HDLC), ignoring a peer that answers them badly; close."""
        try:
            release = self.client.releaseRequest()
            if release:
                self.exchange(release)
            if self.hdlc:
                self.exchange(self.client.disconnectRequest())
        except (GuruxError, OSError, ValueError):
            pass
        finally:
            self.sock.close()


__all__ = ["AK", "EK", "GuruxClient", "GuruxError", "ObjectType"]
