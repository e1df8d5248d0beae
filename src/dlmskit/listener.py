"""The push listener: receives DataNotifications / EventNotifications (and DSMR P1
telegrams) that meters send, decrypts them per meter, decodes them and stores each one in
SQLite.

::

    TCP / serial streams ── framing: wrapper, HDLC, M-Bus, raw APDUs, P1 ─┐
    UDP datagrams (wrapper or bare APDUs) ────────────────────────────────┴─▶ bounded queue
    ──▶ worker (event loop): GBT join, decrypt (keys by system title), decode ── batch ──▶
    writer thread: one transaction per batch ──▶ then, in order: ``on_stored`` (the JSON
    line) and, for a confirmed DataNotification, the DataNotificationConfirm

"Printed" means "stored": a notification's line is emitted only after the transaction
holding it has committed (WAL, ``synchronous=FULL``, see dlmskit._pushstore). Under a
burst the queue fills and the readers stop reading (TCP backpressure; a UDP datagram
waits for room): nothing is dropped. A ciphered push seen twice (same system title and
invocation counter) is stored once; a frame that cannot be decoded is stored as an error
row with the reason (and the offset where the decoder stopped), and the listener goes on.
While the worker deciphers batch N+1 the writer commits batch N.

Usage::

    listener = PushListener("pushes.sqlite", keys=KeyStore([...]), on_stored=print)
    await listener.serve_tcp("0.0.0.0", 4059)            # wrapper; framing="hdlc", ...
    await listener.serve_udp("0.0.0.0", 4059)
    await listener.serve_serial("/dev/ttyUSB0", baud=2400, parity="E", framing="hdlc")
    ...
    await listener.close()                                # stores what was received
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from dlmskit import axdr
from dlmskit._buffer import Reader
from dlmskit._pushstore import PushRecord, PushStore
from dlmskit.apdu import Apdu, decode_prefix
from dlmskit.apdu import decode as decode_apdu
from dlmskit.apdu.ciphered import GeneralGloCiphering
from dlmskit.apdu.gbt import GeneralBlockTransfer
from dlmskit.apdu.notification import (
    DataNotification,
    DataNotificationConfirm,
    EventNotificationRequest,
)
from dlmskit.cosem_time import CosemDateTime
from dlmskit.errors import DecodeError, DlmsError
from dlmskit.io.serial import SerialTransport
from dlmskit.link.hdlc import FrameKind, FrameReceived, FrameSplitter, HdlcFrame, Reassembler
from dlmskit.link.mbus import MbusApduReceived, MbusStream
from dlmskit.link.wrapper import WrapperPdu, WrapperPduReceived, WrapperStream, decode_datagram
from dlmskit.obis import Obis
from dlmskit.p1 import MAX_TELEGRAM, parse_telegram
from dlmskit.security.context import decrypt_push
from dlmskit.security.keys import KeyStore
from dlmskit.session._events import NeedData

__all__ = ["PushListener", "Stored", "render"]

_log = logging.getLogger("dlmskit.listener")
_LLC: Final = (b"\xe6\xe6\x00", b"\xe6\xe7\x00")
_STOP: Final = object()


def render(value: axdr.Value) -> Any:
    """A JSON-able form of an A-XDR value: structures and arrays as lists, octet-strings
    as hex (a 12-octet date-time also as ISO text when it names one instant), integers and
    enums as numbers, booleans, floats, text, bit-strings as "0101"."""
    # One dict look-up by exact type on the hot path (a push is mostly octet-strings and
    # integers); subclasses and the rarer types go through the isinstance chain.
    fast = _RENDER.get(type(value))
    if fast is not None:
        return fast(value)
    return _render_other(value)


def _render_items(value: Any) -> list[Any]:
    return [render(v) for v in value]


_RENDER: Final[dict[type, Callable[[Any], Any]]] = {
    axdr.OctetString: bytes.hex,
    axdr.Structure: _render_items,
    axdr.Array: _render_items,
    axdr.VisibleString: str,
    axdr.Utf8String: str,
    axdr.Boolean: bool,
    bool: bool,  # a canonical boolean decodes to a plain bool
    axdr.Float32: float,
    axdr.Float64: float,
    type(None): lambda _: None,
    **dict.fromkeys(
        (
            axdr.Integer,
            axdr.Long,
            axdr.DoubleLong,
            axdr.Long64,
            axdr.Unsigned,
            axdr.LongUnsigned,
            axdr.DoubleLongUnsigned,
            axdr.Long64Unsigned,
            axdr.Enum,
            axdr.Bcd,
        ),
        int,
    ),
}


def _render_other(value: Any) -> Any:
    if isinstance(value, axdr.Structure | axdr.Array | axdr.CompactArray):
        return [render(v) for v in value]
    if isinstance(value, axdr.Boolean):
        return bool(value)
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, axdr.OctetString | bytes):
        return bytes(value).hex()
    if isinstance(value, str):
        return str(value)
    if isinstance(value, axdr.BitString):
        return value.bits()
    if isinstance(value, CosemDateTime):
        try:
            return value.to_datetime().isoformat()
        except ValueError:
            return value.to_bytes().hex()
    return repr(value)


#: OBIS code bytes -> dotted text; meters push the same few codes again and again.
_OBIS_TEXT: dict[bytes, str] = {}
_OBIS_CACHE_SIZE: Final = 4096


def _obis_text(code: bytes) -> str:
    text = _OBIS_TEXT.get(code)
    if text is None:
        if len(_OBIS_TEXT) >= _OBIS_CACHE_SIZE:
            _OBIS_TEXT.clear()
        text = _OBIS_TEXT[code] = str(Obis.from_bytes(code))
    return text


def _obis_pairs(body: axdr.Value, rendered: Any) -> dict[str, Any] | None:
    """OBIS → value where the body pairs them: {obis, value[, scaler-unit]} structures,
    and flat runs of obis, value (the two shapes meters push, also mixed: Kaifa's clock
    code and date-time first, then register structures, as in vector PUSH-01); None when
    the body has no pair. ``rendered`` is ``render(body)``, reused for the values."""
    if not isinstance(body, axdr.Structure | axdr.Array) or not body:
        return None
    pairs: dict[str, Any] = {}
    i, n = 0, len(body)
    while i < n:
        item = body[i]
        if type(item) is axdr.Structure and len(item) >= 2 and _is_obis(item[0]):
            pairs[_obis_text(bytes(item[0]))] = rendered[i][1]  # type: ignore[arg-type]
            i += 1
        elif _is_obis(item) and i + 1 < n and not _is_obis(body[i + 1]):
            pairs[_obis_text(bytes(item))] = rendered[i + 1]  # type: ignore[arg-type]
            i += 2
        else:
            i += 1
    return pairs or None


def _is_obis(value: object) -> bool:
    return isinstance(value, axdr.OctetString) and len(value) == 6


@dataclass(frozen=True, slots=True)
class Stored:
    """What ``on_stored`` receives: the row id and the JSON-able notification."""

    id: int
    line: dict[str, Any]

    def json(self) -> str:
        return json.dumps(self.line, separators=(",", ":"))


@dataclass(slots=True)
class _Item:
    received_at: float
    source: str
    raw: bytes
    apdu: bytes
    reply: Callable[[bytes], None] | None = None
    record: PushRecord | None = None
    line: dict[str, Any] = field(default_factory=dict)
    confirm: bytes | None = None


class PushListener:
    """Receive, decrypt, decode and store pushes (see the module docstring).

    ``keys``: a :class:`KeyStore` (keys by meter system title; its default for every
    meter), or None when only plaintext pushes are expected. ``verify_tag=False`` decrypts
    with the encryption key alone. ``on_stored`` is called in the event loop, after the
    commit, once per stored notification (duplicates are counted, not reported); an
    exception it raises stops the listener (:meth:`wait` raises it). ``queue_size`` bounds
    the frames received but not yet stored; ``batch_size`` the rows per transaction.
    Counters: ``stored``, ``duplicates``, ``errors`` (error rows, included in ``stored``).
    """

    def __init__(
        self,
        database: str | Path,
        *,
        keys: KeyStore | None = None,
        verify_tag: bool = True,
        on_stored: Callable[[Stored], None] | None = None,
        queue_size: int = 10_000,
        batch_size: int = 1000,
        max_apdu_size: int = 65_535,
    ) -> None:
        self.store = PushStore(database)
        self.keys = keys
        self.verify_tag = verify_tag
        self.on_stored = on_stored
        self.batch_size = batch_size
        self.max_apdu_size = max_apdu_size
        self.queue: asyncio.Queue[_Item | object] = asyncio.Queue(queue_size)
        self.stored = 0
        self.duplicates = 0
        self.errors = 0
        self._servers: list[asyncio.AbstractServer] = []
        self._transports: list[asyncio.BaseTransport] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._handlers: set[asyncio.Task[Any]] = set()  # connections and lines being read
        self._closing = False
        self._connections: set[asyncio.StreamWriter] = set()
        self._worker: asyncio.Task[None] | None = None
        # one writer thread: batches commit in order, off the event loop
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="dlmskit-pushstore")
        self._gbt: dict[str, list[bytes]] = {}

    # --- listening ------------------------------------------------------------------------

    def _start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._work())

    async def serve_tcp(
        self, host: str = "0.0.0.0", port: int = 4059, *, framing: str = "wrapper"
    ) -> int:
        """Accept pushes over TCP; the bound port. ``framing``: ``wrapper`` (IEC 62056-47),
        ``hdlc`` (frames of any address, UI or I), ``mbus`` (EN 13757-2 long frames),
        ``raw`` (bare APDUs back to back, each delimited by its own encoding) or ``p1``
        (DSMR P1 telegrams / IEC 62056-21 readouts, as a P1 port to TCP adapter sends)."""
        _check_framing(framing)
        self._start()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            peer = writer.get_extra_info("peername")
            source = f"tcp:{peer[0]}:{peer[1]}" if peer else "tcp"
            task = asyncio.current_task()
            if task is not None:
                self._handlers.add(task)
            self._connections.add(writer)
            try:
                await self._read_stream(reader, writer.write, source, framing)
            except (ConnectionError, OSError) as exc:
                _log.info("%s: %s", source, exc)
            finally:
                self._connections.discard(writer)
                if task is not None:
                    self._handlers.discard(task)
                writer.close()
                with contextlib.suppress(Exception):
                    await writer.wait_closed()

        server = await asyncio.start_server(connection, host, port)
        self._servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    async def serve_udp(self, host: str = "0.0.0.0", port: int = 4059) -> int:
        """Accept pushes as wrapper datagrams (or bare APDUs) over UDP; the bound port."""
        self._start()
        listener = self

        class _Protocol(asyncio.DatagramProtocol):
            transport: asyncio.DatagramTransport | None = None

            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = transport  # type: ignore[assignment]

            def datagram_received(self, data: bytes, addr: Any) -> None:
                source = f"udp:{addr[0]}:{addr[1]}"
                now = time.time()
                pdu: WrapperPdu | None
                try:
                    pdu = decode_datagram(data)
                    apdu = pdu.apdu
                except DlmsError:
                    pdu, apdu = None, data  # a bare APDU

                def reply(answer: bytes, addr: Any = addr, pdu: WrapperPdu | None = pdu) -> None:
                    # the confirmation goes back the way the push came: in a wrapper datagram
                    # with the wPorts swapped (IEC 62056-47: an answer's source wPort is the
                    # request's destination), or bare
                    if pdu is not None:
                        answer = WrapperPdu(
                            source=pdu.destination, destination=pdu.source, apdu=answer
                        ).encode()
                    if self.transport is not None:
                        self.transport.sendto(answer, addr)

                item = _Item(now, source, data, apdu, reply)
                try:
                    listener.queue.put_nowait(item)
                except asyncio.QueueFull:
                    # UDP has no backpressure: wait in a task rather than drop
                    task = asyncio.get_running_loop().create_task(listener.queue.put(item))
                    listener._handlers.add(task)  # close() waits for it, never cancels it
                    task.add_done_callback(listener._handlers.discard)

        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            _Protocol, local_addr=(host, port)
        )
        self._transports.append(transport)
        return int(transport.get_extra_info("sockname")[1])

    async def serve_serial(
        self,
        path: str,
        *,
        baud: int = 9600,
        parity: str = "N",
        bytesize: int = 8,
        stopbits: int = 1,
        framing: str = "hdlc",
    ) -> None:
        """Read pushes from a serial port (a customer port: HDLC or M-Bus framed)."""
        _check_framing(framing)
        self._start()
        line = SerialTransport(path, baud=baud, parity=parity, bytesize=bytesize, stopbits=stopbits)
        await line.open()

        listener = self

        async def read() -> None:
            class _Reader:
                async def read(self, size: int) -> bytes:
                    # poll each second so that close() ends the line like an end of stream,
                    # after what was read is queued (the task is never cancelled mid-put)
                    while not listener._closing:
                        data = await line.read(1.0)
                        if data is not None:
                            return data
                    return b""

            def write(data: bytes) -> None:
                task = asyncio.get_running_loop().create_task(line.write(data))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

            try:
                await self._read_stream(_Reader(), write, f"serial:{path}", framing)  # type: ignore[arg-type]
            finally:
                await line.close()

        task = asyncio.get_running_loop().create_task(read())
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)

    async def _read_stream(
        self,
        reader: asyncio.StreamReader,
        write: Callable[[bytes], None],
        source: str,
        framing: str,
    ) -> None:
        _check_framing(framing)
        raw = bytearray() if framing == "raw" else None
        text = bytearray() if framing == "p1" else None
        stream = WrapperStream(max_apdu_size=self.max_apdu_size) if framing == "wrapper" else None
        splitter = FrameSplitter() if framing == "hdlc" else None
        reassembler = Reassembler(self.max_apdu_size)
        mbus = MbusStream(self.max_apdu_size) if framing == "mbus" else None
        while True:
            data = await reader.read(65536)
            if not data:
                if text and text.strip(b"\r\n\x00 "):
                    reason = f"P1: the stream ended inside a telegram ({len(text)} bytes)"
                    await self._error(time.time(), source, bytes(text), reason)
                if raw:
                    reason = f"APDU: the stream ended inside an APDU ({len(raw)} bytes)"
                    await self._error(time.time(), source, bytes(raw), reason)
                return
            now = time.time()
            if stream is not None:
                stream.receive_data(data)
                while not isinstance(event := stream.next_event(), NeedData):
                    if not isinstance(event, WrapperPduReceived):
                        await self._error(now, source, data, f"wrapper: {event.reason}")
                        return  # the stream cannot be resynchronised
                    pdu = event.pdu

                    def reply(answer: bytes, pdu: WrapperPdu = pdu) -> None:
                        write(
                            WrapperPdu(
                                source=pdu.destination, destination=pdu.source, apdu=answer
                            ).encode()
                        )

                    await self.queue.put(_Item(now, source, pdu.encode(), pdu.apdu, reply))
            elif splitter is not None:
                splitter.receive_data(data)
                while not isinstance(frame := splitter.next_event(), NeedData):
                    if not isinstance(frame, FrameReceived):
                        await self._error(now, source, frame.raw, f"HDLC: {frame.reason}")
                        continue
                    try:
                        apdu = reassembler.feed(frame.frame.information, frame.frame.segmented)
                    except DlmsError as exc:
                        await self._error(now, source, frame.raw, f"HDLC: {exc}")
                        continue
                    if apdu is None:
                        continue
                    if apdu[:3] in _LLC:
                        apdu = apdu[3:]
                    confirm_to = None
                    if frame.frame.kind is FrameKind.UI:
                        confirm_to = _hdlc_reply(frame.frame, write)
                    await self.queue.put(_Item(now, source, frame.raw, apdu, confirm_to))
            elif text is not None:
                text += data
                await self._split_p1(text, now, source)
            elif raw is not None:
                raw += data
                await self._split_raw(raw, now, source, write)
            elif mbus is not None:
                mbus.receive_data(data)
                while not isinstance(part := mbus.next_event(), NeedData):
                    if isinstance(part, MbusApduReceived):
                        await self.queue.put(_Item(now, source, part.apdu, part.apdu, None))
                    else:
                        reason = getattr(part, "reason", None) or str(part)
                        dropped = getattr(part, "raw", None)
                        raw_part = bytes(dropped) if isinstance(dropped, bytes) else data
                        await self._error(now, source, raw_part, f"M-Bus: {reason}")

    async def _split_p1(self, text: bytearray, now: float, source: str) -> None:
        """Queue each whole DSMR P1 telegram (``/`` ... ``!`` [CRC] CR LF) or IEC 62056-21
        readout (``/`` ... STX ... ``!`` CR LF ETX BCC) at the front of ``text`` (consumed);
        keep a partial one, report bytes between telegrams."""
        while True:
            start = text.find(b"/")
            junk = bytes(text if start < 0 else text[:start]).strip(b"\r\n\x00 ")
            if junk:
                await self._error(now, source, junk, "P1: bytes outside a telegram")
            if start < 0:
                text.clear()
                return
            del text[:start]
            bang = text.find(b"!")
            end = -1 if bang < 0 else text.find(b"\n", bang)
            if end >= 0 and b"\x02" in text[:bang]:  # an IEC readout: ETX and BCC follow
                etx = text.find(b"\x03", end)
                end = -1 if etx < 0 or etx + 1 >= len(text) else etx + 1
            if end < 0:
                if len(text) > MAX_TELEGRAM:
                    reason = f"P1: no telegram end within {MAX_TELEGRAM} bytes"
                    await self._error(now, source, bytes(text[:64]), reason)
                    text.clear()
                return
            telegram = bytes(text[: end + 1])
            del text[: end + 1]
            await self.queue.put(_Item(now, source, telegram, telegram, None))

    async def _split_raw(
        self, raw: bytearray, now: float, source: str, write: Callable[[bytes], None]
    ) -> None:
        """Queue each whole APDU at the front of ``raw`` (consumed); keep a partial one. A
        bare APDU carries no frame length: its end is where its own encoding ends, and a
        decode error that only says "more bytes expected" means "wait for them"."""
        while raw:
            data = bytes(raw)
            reader = Reader(data)
            try:
                decode_prefix(reader)
            except DecodeError as exc:
                if _INCOMPLETE.search(exc.reason) and len(data) < self.max_apdu_size:
                    return
                # no way to find the next APDU's start in an unframed stream: drop it all
                await self._error(now, source, data, f"APDU: {exc}")
                raw.clear()
                return
            del raw[: reader.pos]
            apdu = data[: reader.pos]
            await self.queue.put(_Item(now, source, apdu, apdu, write))  # confirm: bare too

    async def _error(self, now: float, source: str, raw: bytes, reason: str) -> None:
        item = _Item(now, source, raw, b"")
        item.record = PushRecord(
            received_at=now, source=source, raw=raw, kind="error", error=reason
        )
        item.line = {"received_at": now, "source": source, "kind": "error", "error": reason}
        await self.queue.put(item)

    # --- the worker -----------------------------------------------------------------------

    def _interpret(self, item: _Item) -> None:
        """Decrypt and decode one push into its record and JSON line (never raises)."""
        if item.record is not None:
            return
        title: bytes | None = None
        counter: int | None = None
        line: dict[str, Any] = {"received_at": item.received_at, "source": item.source}
        try:
            if item.apdu[:1] == b"/":  # a DSMR P1 telegram (framing p1): text, not an APDU
                kind = self._content(item.apdu, line, item)
            else:
                apdu = decode_apdu(item.apdu, max_size=self.max_apdu_size)
                if isinstance(apdu, GeneralBlockTransfer):
                    joined = self._join_gbt(item.source, apdu)
                    if joined is None:
                        item.record = None
                        item.line = {}
                        return
                    apdu = decode_apdu(joined, max_size=self.max_apdu_size)
                if isinstance(apdu, GeneralGloCiphering):
                    title = bytes(apdu.system_title)
                    counter = apdu.invocation_counter
                    line["system_title"] = title.hex().upper()
                    line["invocation_counter"] = counter
                    if self.keys is None:
                        raise DlmsError("a ciphered push, and no keys")
                    keys = self.keys.find(title)
                    plain = decrypt_push(apdu, keys, verify_tag=self.verify_tag)
                    kind = self._content(plain, line, item)
                else:
                    kind = self._notification(apdu, line, item)
            error = None
        except Exception as exc:  # never stop the listener: the frame becomes an error row
            kind = "error"
            error = str(exc) if isinstance(exc, DlmsError | ValueError) else repr(exc)
            if not isinstance(exc, DlmsError | ValueError):
                _log.warning("%s: unexpected error decoding a push", item.source, exc_info=True)
            line["error"] = error
        line["kind"] = kind
        values = None
        if kind != "error":
            values = json.dumps(
                {k: line[k] for k in _VALUE_KEYS if k in line},
                separators=(",", ":"),
            )
        item.record = PushRecord(
            received_at=item.received_at,
            source=item.source,
            raw=item.raw,
            kind=kind,
            values=values,
            system_title=title,
            invocation_counter=counter,
            error=error,
        )
        item.line = line

    def _content(self, data: bytes, line: dict[str, Any], item: _Item) -> str:
        """The kind of a push's (deciphered) content, its values put in ``line``: an xDLMS
        notification, or a DSMR P1 telegram (which the Luxembourg "smarty" meters send
        inside general-glo-ciphering, see dlmskit.p1)."""
        if data[:1] == b"/":
            telegram = parse_telegram(data)  # CRC checked (DSMR 4+); DecodeError otherwise
            line["identification"] = telegram.identification
            line["crc_ok"] = telegram.crc_ok
            values: dict[str, Any] = {}
            units: dict[str, str] = {}
            for data_set in telegram.lines:
                value = data_set.value
                values[data_set.address] = (
                    value.isoformat()
                    if isinstance(value, datetime)
                    else float(value)
                    if isinstance(value, Decimal)
                    else value
                )
                if data_set.unit:
                    units[data_set.address] = data_set.unit
            line["obis"] = values
            line["units"] = units
            return "p1-telegram"
        return self._notification(decode_apdu(data, max_size=self.max_apdu_size), line, item)

    @staticmethod
    def _notification(apdu: Apdu, line: dict[str, Any], item: _Item) -> str:
        if isinstance(apdu, DataNotification):
            line["invoke_id"] = apdu.long_invoke_id_and_priority.invoke_id
            if apdu.date_time is not None:
                line["date_time"] = render(_date_time(apdu.date_time))
            body = apdu.notification_body
            line["values"] = rendered = render(body)
            pairs = _obis_pairs(body, rendered)
            if pairs is not None:
                line["obis"] = pairs
            if apdu.long_invoke_id_and_priority.confirmed:
                # Green Book: a DataNotification with service-class "confirmed" is answered
                # with a data-notification-confirm carrying its long-invoke-id-and-priority
                item.confirm = DataNotificationConfirm(
                    long_invoke_id_and_priority=apdu.long_invoke_id_and_priority
                ).to_bytes()
            return "data-notification"
        if isinstance(apdu, EventNotificationRequest):
            descriptor = apdu.cosem_attribute_descriptor
            line["object"] = (
                f"{descriptor.instance_id}/{descriptor.class_id}/{descriptor.attribute_id}"
            )
            line["values"] = render(apdu.attribute_value)
            return "event-notification"
        raise DlmsError(f"not a notification: {apdu.NAME}")

    def _join_gbt(self, source: str, block: GeneralBlockTransfer) -> bytes | None:
        """The blocks of a push sent as general-block-transfer (Green Book 9.1.7), joined
        when the last one arrives; bounded by ``max_apdu_size`` (DESIGN.md rule 7)."""
        parts = self._gbt.setdefault(source, [])
        parts.append(bytes(block.block_data))
        if sum(len(p) for p in parts) > self.max_apdu_size:
            del self._gbt[source]
            raise DecodeError(
                f"general-block-transfer: the blocks exceed the maximum APDU size "
                f"{self.max_apdu_size}",
                0,
            )
        if not block.last_block:
            return None
        del self._gbt[source]
        return b"".join(parts)

    async def _work(self) -> None:
        """Take batches off the queue and interpret them (decrypt, decode) in the event loop
        while the writer commits the batch before (a pipeline of depth 2: the commit's
        fsync runs in the writer thread without the GIL)."""
        committed: asyncio.Queue[list[_Item] | None] = asyncio.Queue(1)
        writer = asyncio.get_running_loop().create_task(self._write(committed))
        try:
            while True:
                first = await self.queue.get()
                if first is _STOP:
                    break
                batch: list[_Item] = [first]  # type: ignore[list-item]
                stop = False
                while len(batch) < self.batch_size and not self.queue.empty():
                    nxt = self.queue.get_nowait()
                    if nxt is _STOP:
                        stop = True
                        break
                    batch.append(nxt)  # type: ignore[arg-type]
                for item in batch:
                    self._interpret(item)
                put = asyncio.ensure_future(committed.put(batch))
                await asyncio.wait((put, writer), return_when=asyncio.FIRST_COMPLETED)
                if writer.done():  # the store failed (disk full, file removed...): stop here
                    put.cancel()
                    writer.result()
                    raise RuntimeError("the push store writer stopped")  # pragma: no cover
                if stop:
                    break
        finally:
            if not writer.done():
                await committed.put(None)
            await writer

    async def _write(self, batches: asyncio.Queue[list[_Item] | None]) -> None:
        loop = asyncio.get_running_loop()
        while (batch := await batches.get()) is not None:
            await self._commit(loop, batch)

    async def _commit(self, loop: asyncio.AbstractEventLoop, batch: list[_Item]) -> None:
        items = [i for i in batch if i.record is not None]
        if not items:
            return
        records = [i.record for i in items if i.record is not None]
        ids = await loop.run_in_executor(self._executor, self.store.add_batch, records)
        for item, row_id in zip(items, ids, strict=True):
            if row_id is None:
                self.duplicates += 1
                continue
            if item.record is not None and item.record.kind == "error":
                self.errors += 1
            self.stored += 1
            item.line["id"] = row_id
            if self.on_stored is not None:
                self.on_stored(Stored(row_id, item.line))
            if item.confirm is not None and item.reply is not None:
                item.reply(item.confirm)  # confirmed after the commit

    async def wait(self) -> None:
        """Return when the listener has stopped: after :meth:`close`, or at once with the
        error when storing failed (a full disk, a removed file: sqlite3.Error / OSError)."""
        if self._worker is not None:
            await asyncio.shield(self._worker)

    async def close(self) -> None:
        """Stop listening, store what was received (connections are closed first, and what
        they had queued is committed and reported), close the database. A storage error
        that stopped the listener is raised here too."""
        self._closing = True
        for server in self._servers:
            server.close()
        for transport in self._transports:
            transport.close()
        for connection in list(self._connections):
            connection.close()
        for task in list(self._tasks):
            task.cancel()
        worker, self._worker = self._worker, None
        try:
            if worker is not None:
                if self._handlers and not worker.done():
                    await asyncio.wait(self._handlers, timeout=10)
                if not worker.done():
                    await self.queue.put(_STOP)
                await worker
        finally:
            self._executor.shutdown()
            self.store.close()


def _hdlc_reply(push: HdlcFrame, write: Callable[[bytes], None]) -> Callable[[bytes], None]:
    """How a confirmation answers a push that came in an HDLC UI frame (outside any
    connection): a UI frame back, the addresses swapped, behind the LLC header a client
    sends (E6 E6 00: destination and source LSAP E6, quality 00; the meter sent E6 E7 00)."""

    def reply(answer: bytes) -> None:
        write(
            HdlcFrame(
                destination=push.source,
                source=push.destination,
                kind=FrameKind.UI,
                poll_final=False,
                send_sequence=None,
                receive_sequence=None,
                information=b"\xe6\xe6\x00" + answer,
            ).encode()
        )

    return reply


_FRAMINGS: Final = ("wrapper", "hdlc", "mbus", "raw", "p1")
#: What the ``values`` column keeps of a JSON line.
_VALUE_KEYS: Final = ("values", "obis", "units", "date_time", "object", "identification", "crc_ok")
#: What the decoders say when the bytes ran out: "expected 4 bytes for ..., 1 left", "a
#: structure of 3 elements cannot fit in the 2 bytes left" (a count checked against the rest).
_INCOMPLETE: Final = re.compile(
    r"\b(?:expected\b.*\b\d+|cannot fit in the \d+) (?:bytes? |byte\(s\) )?left\b"
)


def _check_framing(framing: str) -> None:
    if framing not in _FRAMINGS:
        raise ValueError(f"framing must be one of {', '.join(_FRAMINGS)}, not {framing!r}")


def _date_time(raw: axdr.OctetString) -> axdr.Value:
    if len(raw) == 12:
        try:
            return CosemDateTime.from_bytes(bytes(raw))
        except DlmsError:
            return raw
    return raw
