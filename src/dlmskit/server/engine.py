"""The server engine: one simulated meter (a logical device) answering session events.

::

    transport ── ServerSession (one per connection and client SAP) ── events ──▶ Meter.handle
              ◀─ send(response APDU) ──────────────────────────────────────────── answer

A :class:`Meter` holds the object state of one logical device, shared by every
association and connection (DESIGN.md, "The server's concurrency"): one clock, one image
transfer state, one invocation counter per key. It answers GET / SET / ACTION (normal and
with-list; the session joins and cuts blocks and GBT), ACCESS, and SN read / write, with
selective access on profiles, and access rights per association: an object the
association may not see is ``object-undefined`` for it and missing from its object list;
an attribute it may not read or write is ``read-write-denied``.

Sans-io: time is passed in; the transport pumps ``next_timeout`` / ``handle_timeout`` (the
push schedule, verify / activate delays) and sends what ``pending_pushes`` returns.
"""

from __future__ import annotations

import datetime as _dt
import logging
import struct
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dlmskit import axdr
from dlmskit.apdu import access as access_
from dlmskit.apdu import action, get, sn
from dlmskit.apdu import set as set_
from dlmskit.apdu._base import Apdu
from dlmskit.apdu.common import (
    ActionResult,
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    DataAccessResult,
    LongInvokeIdAndPriority,
    SelectiveAccessDescriptor,
)
from dlmskit.apdu.initiate import Conformance
from dlmskit.apdu.notification import DataNotification
from dlmskit.cosem.types import ShortNameAccessRights
from dlmskit.cosem_time import ClockStatus, CosemDateTime
from dlmskit.errors import DlmsError
from dlmskit.link.hdlc import HdlcParameters
from dlmskit.obis import Obis
from dlmskit.security.context import GLOBAL_KEY_ID, Policy, SecurityContext
from dlmskit.security.counters import (
    CounterStore,
    IncomingCounterCheck,
    MemoryCounterStore,
    OutgoingCounter,
)
from dlmskit.security.keys import SecurityKeys
from dlmskit.server.model import (
    AccessSpec,
    AssociationModel,
    MeterModel,
    ModelError,
    load_model,
)
from dlmskit.server.objects import (
    EVENT_CLOCK_SET,
    EVENT_DISCONNECTED,
    EVENT_IMAGE_ACTIVATED,
    EVENT_KEYS_CHANGED,
    EVENT_RECONNECTED,
    EVENT_SECRET_CHANGED,
    EVENT_STARTED,
    Context,
    CosemObject,
    ImageTransfer,
    PushSetup,
    Reply,
    make_object,
)
from dlmskit.session._events import (
    AccessRequested,
    ActionRequested,
    AssociationEstablished,
    GetRequested,
    ReadRequested,
    ServerEvent,
    SetRequested,
    WriteRequested,
)
from dlmskit.session.settings import (
    DEFAULT_SERVER_CONFORMANCE,
    AssociationConfig,
    Referencing,
    ServerSettings,
)

__all__ = ["Meter", "PushOut", "StateBackend"]

_log = logging.getLogger("dlmskit.server")

#: What the simulator supports: the default server conformance, GBT, ACCESS, attribute 0
#: is not offered, data notification for pushes, and the SN services for SN associations.
SERVER_CONFORMANCE: Final = Conformance(
    int(DEFAULT_SERVER_CONFORMANCE)
    | Conformance.GENERAL_BLOCK_TRANSFER
    | Conformance.ACCESS
    | Conformance.DATA_NOTIFICATION
    | Conformance.EVENT_NOTIFICATION
)
SN_CONFORMANCE: Final = Conformance(
    Conformance.READ
    | Conformance.WRITE
    | Conformance.UNCONFIRMED_WRITE
    | Conformance.PARAMETERIZED_ACCESS
    | Conformance.MULTIPLE_REFERENCES
    | Conformance.BLOCK_TRANSFER_WITH_GET_OR_READ
    | Conformance.BLOCK_TRANSFER_WITH_SET_OR_WRITE
    | Conformance.SELECTIVE_ACCESS
)
#: SN base names: object i of the model at 0x1000 + 0x100 * i; the Association SN object
#: at 0xFA00 (the customary base of the current Association SN).
SN_FIRST_BASE: Final = 0x1000
SN_STRIDE: Final = 0x100
SN_ASSOCIATION_BASE: Final = 0xFA00
MAX_IMAGE_SIZE: Final = 16 * 1024 * 1024
_DATE_TIME: Final = struct.Struct(">HBBBBBBBhB")


class StateBackend(Protocol):
    """Where a meter keeps what survives a restart (server/state.py: SQLite)."""

    def load_all(self, prefix: str) -> dict[str, bytes]: ...

    def put(self, key: str, value: bytes) -> None: ...

    def put_durable(self, key: str, value: bytes) -> None: ...

    def counter_store(self, prefix: str) -> CounterStore: ...


@dataclass(frozen=True, slots=True)
class PushOut:
    """A push to send: ``transport`` ``"tcp"`` or ``"udp"``, ``destination``
    ``host:port``, the APDU (a DataNotification, ciphered when the model says so)."""

    transport: str
    destination: str
    apdu: bytes
    source_sap: int = 1
    destination_sap: int = 1


def _attribute(obj: CosemObject, attribute_id: int) -> CosemAttributeDescriptor:
    return CosemAttributeDescriptor(
        class_id=obj.class_id, instance_id=obj.obis, attribute_id=attribute_id
    )


def _method(obj: CosemObject, method_id: int) -> CosemMethodDescriptor:
    return CosemMethodDescriptor(class_id=obj.class_id, instance_id=obj.obis, method_id=method_id)


class _Incoming(IncomingCounterCheck):
    """The replay check shared by every session of a meter; remembers, per key, the
    highest counter accepted (published at 0.0.43.1.x.255) and persists each value."""

    def __init__(self, meter: Meter) -> None:
        super().__init__()
        self._meter = meter

    def record(self, key_id: str, peer: bytes, counter: int) -> None:
        super().record(key_id, peer, counter)
        self._meter.counter_seen(key_id, bytes(peer), counter)


class Meter:
    """One simulated logical device (see the module docstring).

    Build it with :meth:`from_model`; ``index`` (for ``--meters N``) changes the system
    title's last byte(s), the serial number and, over HDLC, nothing else: meters of one
    simulator are told apart by the port or the logical address the transport gives them.
    """

    def __init__(
        self,
        model: MeterModel,
        *,
        now: float,
        state: StateBackend | None = None,
        index: int = 0,
        logical_address: int | None = None,
    ) -> None:
        self.model = model
        self.index = index
        self.logical_address = logical_address or model.logical_address
        self.physical_address = model.physical_address
        title = int.from_bytes(model.system_title, "big") + index
        self.system_title = (title & (2**64 - 1)).to_bytes(8, "big")
        self.logical_device_name = model.manufacturer.encode("ascii", "replace")[:3].ljust(
            3, b"X"
        ) + self.system_title[3:].hex().upper().encode()[:13].rjust(13, b"0")
        try:
            self.zone: _dt.tzinfo = zoneinfo.ZoneInfo(model.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            _log.warning("time zone %r not found; the meter runs on UTC", model.time_zone)
            self.zone = _dt.UTC
        self.max_image_size = MAX_IMAGE_SIZE
        self.conformance = SERVER_CONFORMANCE
        self._state = state
        self._prefix = f"m{index}:"
        self.keys_by_name: dict[str, bytes] = dict(model.keys)
        self.secrets: dict[int, bytes | None] = {a.client: a.secret for a in model.associations}
        self.security_policy = 0
        self.clock_offset = 0.0
        self.epoch = now
        self.connected = True
        self.events: list[tuple[float, int]] = []
        self.restarts = 0  # incremented when the meter restarts (image activation)
        self.version = 0  # incremented by every change a profile row may show
        self._pushes: list[PushOut] = []
        self._published: dict[str, int] = {}
        self._settings: ServerSettings | None = None
        store = state.counter_store(self._prefix) if state is not None else MemoryCounterStore()
        self._counter_store = store
        self._outgoing = OutgoingCounter(store, "server-" + GLOBAL_KEY_ID, block=100)
        self._incoming = _Incoming(self)
        self.objects: dict[tuple[int, bytes], CosemObject] = {}
        self._order: list[CosemObject] = []
        for object_model in model.objects:
            obj = make_object(object_model, self)
            self.objects[obj.key] = obj
            self._order.append(obj)
        self._by_obis: dict[bytes, CosemObject] = {}
        for obj in self._order:
            self._by_obis.setdefault(obj.key[1], obj)
        self._sn_bases = {SN_FIRST_BASE + SN_STRIDE * i: obj for i, obj in enumerate(self._order)}
        self._restore(now)
        for obj in self._order:
            if isinstance(obj, PushSetup):
                obj.schedule(now)

    @classmethod
    def from_model(
        cls,
        model: MeterModel | None = None,
        *,
        now: float,
        state: StateBackend | None = None,
        index: int = 0,
        logical_address: int | None = None,
    ) -> Meter:
        """A meter for ``model`` (None: the default model) at time ``now``."""
        return cls(
            model if model is not None else load_model(None),
            now=now,
            state=state,
            index=index,
            logical_address=logical_address,
        )

    def __repr__(self) -> str:
        return (
            f"Meter(logical_address={self.logical_address}, physical_address="
            f"{self.physical_address}, system_title={self.system_title.hex().upper()}, "
            f"{len(self.objects)} objects)"
        )

    # --- state that survives ---------------------------------------------------------------------

    def _restore(self, now: float) -> None:
        if self._state is None:
            self.log_event(now, EVENT_STARTED)
            return
        saved = self._state.load_all(self._prefix)
        epoch = saved.get(self._prefix + "epoch")
        if epoch is not None:
            self.epoch = float(epoch.decode())
        else:
            self._state.put_durable(self._prefix + "epoch", repr(self.epoch).encode())
        offset = saved.get(self._prefix + "clock_offset")
        if offset is not None:
            self.clock_offset = float(offset.decode())
        connected = saved.get(self._prefix + "connected")
        if connected is not None:
            self.connected = connected == b"1"
        for name, key in (("ek", "key:ek"), ("ak", "key:ak"), ("kek", "key:kek")):
            raw = saved.get(self._prefix + key)
            if raw is not None:
                self.keys_by_name[name] = raw
        for key, raw in saved.items():
            short = key[len(self._prefix) :]
            if short.startswith("value:"):
                _, class_id, obis, attribute = short.split(":")
                obj = self.objects.get((int(class_id), bytes.fromhex(obis)))
                if obj is not None:
                    try:
                        obj.restore(int(attribute), axdr.decode(raw))
                    except Exception:
                        _log.warning("state %s unreadable; the model's value is kept", key)
            elif short.startswith("secret:"):
                self.secrets[int(short.split(":")[1])] = raw
            elif short.startswith("incoming:"):
                _, key_id, peer = short.split(":")
                counter = int(raw.decode())
                IncomingCounterCheck.record(self._incoming, key_id, bytes.fromhex(peer), counter)
                self._published[key_id] = max(self._published.get(key_id, 0), counter)
            elif short == "events":
                self.events = [
                    (float(t), int(c))
                    for t, c in (item.split("=") for item in raw.decode().split(",") if item)
                ]
        for obj in self._order:
            if isinstance(obj, ImageTransfer):
                self._restore_image(obj, saved)
        self.log_event(now, EVENT_STARTED)

    def _restore_image(self, obj: ImageTransfer, saved: dict[str, bytes]) -> None:
        base = f"{self._prefix}image:{obj.obis}:"
        header = saved.get(base + "header")
        if header is None:
            return
        identifier_hex, size, status = header.decode().split(",")
        obj.identifier, obj.size, obj.status = bytes.fromhex(identifier_hex), int(size), int(status)
        for key, raw in saved.items():
            if key.startswith(base + "block:"):
                obj.blocks[int(key.rsplit(":", 1)[1])] = raw

    def persist_value(self, obj: CosemObject, attribute_id: int, value: axdr.Value) -> None:
        self.changed()
        if self._state is not None:
            key = f"{self._prefix}value:{obj.class_id}:{obj.key[1].hex()}:{attribute_id}"
            self._state.put(key, axdr.encode(value))

    def persist_image(self, obj: ImageTransfer, block: int | None = None) -> None:
        if self._state is None:
            return
        base = f"{self._prefix}image:{obj.obis}:"
        header = f"{obj.identifier.hex()},{obj.size},{obj.status}".encode()
        self._state.put(base + "header", header)
        if block is not None:
            self._state.put(f"{base}block:{block}", obj.blocks[block])

    def counter_seen(self, key_id: str, peer: bytes, counter: int) -> None:
        self._published[key_id] = max(self._published.get(key_id, 0), counter)
        if self._state is not None:
            self._state.put(f"{self._prefix}incoming:{key_id}:{peer.hex()}", str(counter).encode())

    def log_event(self, now: float, code: int) -> None:
        moment = self.meter_time(now)
        if self.events and moment <= self.events[-1][0]:
            moment = self.events[-1][0] + 0.01  # keep capture times distinct and ordered
        self.events.append((moment, code))
        del self.events[:-1000]
        self.changed()
        if self._state is not None:
            text = ",".join(f"{t!r}={c}" for t, c in self.events)
            self._state.put(self._prefix + "events", text.encode())

    # --- time ------------------------------------------------------------------------------------

    def meter_time(self, now: float) -> float:
        """The meter's clock (UTC seconds) at real time ``now``."""
        return now + self.clock_offset

    def local(self, moment: float) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(moment, self.zone)

    def date_time(self, moment: float) -> CosemDateTime:
        """The COSEM date-time of ``moment`` in the meter's zone, with deviation and the
        daylight-saving status bit."""
        local = self.local(moment)
        status = ClockStatus.DAYLIGHT_SAVING_ACTIVE if local.dst() else ClockStatus(0)
        return CosemDateTime.from_datetime(local, clock_status=status)

    def date_time_bytes(self, moment: float) -> bytes:
        """``date_time(moment).to_bytes()`` without building the validated value (profile
        rows need thousands): Blue Book 4.1.6.1 layout, deviation = UTC - local."""
        local = self.local(moment)
        offset = local.utcoffset()
        minutes = 0 if offset is None else int(offset.total_seconds()) // 60
        status = int(ClockStatus.DAYLIGHT_SAVING_ACTIVE) if local.dst() else 0
        return _DATE_TIME.pack(
            local.year,
            local.month,
            local.day,
            local.isoweekday(),
            local.hour,
            local.minute,
            local.second,
            local.microsecond // 10_000,
            -minutes,
            status,
        )

    def changed(self) -> None:
        """Something a profile row may show has changed: cached rows are stale."""
        self.version += 1

    def moment_of(self, value: axdr.Value) -> float:
        """The UTC seconds of a date-time value (octet-string(12) or date-time); without a
        deviation, the meter's local time. ValueError when it names no single instant."""
        if isinstance(value, CosemDateTime):
            stamp = value
        elif isinstance(value, bytes):
            stamp = CosemDateTime.from_bytes(bytes(value))
        else:
            raise ValueError("not a date-time")
        moment = stamp.to_datetime()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.timestamp()

    def set_time(self, moment: float, now: float) -> None:
        self.log_event(now, EVENT_CLOCK_SET)
        self.clock_offset = moment - now
        self.changed()
        if self._state is not None:
            self._state.put(self._prefix + "clock_offset", repr(self.clock_offset).encode())

    # --- state changed by methods ----------------------------------------------------------------

    def set_connected(self, connected: bool, now: float) -> None:
        if connected != self.connected:
            self.connected = connected
            self.changed()
            self.log_event(now, EVENT_RECONNECTED if connected else EVENT_DISCONNECTED)
            if self._state is not None:
                self._state.put(self._prefix + "connected", b"1" if connected else b"0")

    def activate_image(self, identifier: bytes, image: bytes, now: float) -> None:
        """A verified image becomes the firmware: the version object shows its identifier,
        and the meter restarts (the transports drop every link)."""
        version = self._by_obis.get(Obis.parse("1.0.0.2.0.255").to_bytes())
        if version is not None:
            version.values[2] = axdr.OctetString(identifier)
            self.persist_value(version, 2, version.values[2])
        self.log_event(now, EVENT_IMAGE_ACTIVATED)
        for obj in self._order:
            if isinstance(obj, ImageTransfer):
                self.persist_image(obj)
        self.restarts += 1
        _log.info("image %r (%d bytes) activated: the meter restarts", identifier, len(image))

    def replace_keys(self, keys: dict[Any, bytes], now: float) -> None:
        names = {0: "ek", 1: "broadcast_ek", 2: "ak", 3: "kek"}
        for key_id, key in keys.items():
            name = names[int(key_id)]
            self.keys_by_name[name] = key
            if self._state is not None and name in ("ek", "ak", "kek"):
                self._state.put_durable(f"{self._prefix}key:{name}", key)
        self._settings = None  # new associations use the new keys
        self.log_event(now, EVENT_KEYS_CHANGED)

    def change_secret(self, client_sap: int, secret: bytes, now: float) -> None:
        self.secrets[client_sap] = secret
        self._settings = None
        if self._state is not None:
            self._state.put_durable(f"{self._prefix}secret:{client_sap}", secret)
        self.log_event(now, EVENT_SECRET_CHANGED)

    def published_counter(self) -> int:
        """0.0.43.1.0.255: the highest invocation counter seen or used under the global
        unicast key, so that a client using ``value + 1`` is accepted."""
        seen = self._published.get(GLOBAL_KEY_ID, 0)
        return max(seen, self._outgoing.peek - 1, 0)

    @property
    def hdlc_parameters(self) -> HdlcParameters:
        """What the meter accepts on HDLC (IEC 62056-46): the values of its IEC HDLC
        setup object (class 23: window sizes, attributes 3 and 4; maximum information
        field lengths, 5 and 6) when the model has one, else the defaults (128, 1)."""
        setup = next((o for o in self._order if o.class_id == 23), None)
        if setup is None:
            return HdlcParameters()
        values = [setup.values.get(i) for i in (3, 4, 5, 6)]
        if not all(isinstance(v, int) for v in values):
            return HdlcParameters()
        window_tx, window_rx, info_tx, info_rx = (int(v) for v in values)  # type: ignore[arg-type]
        try:
            return HdlcParameters.checked(
                max_info_transmit=info_tx,
                max_info_receive=info_rx,
                window_transmit=window_tx,
                window_receive=window_rx,
            )
        except (ValueError, DlmsError):
            _log.warning("HDLC setup values out of range: the default parameters are used")
            return HdlcParameters()

    # --- the session's settings ------------------------------------------------------------------

    @property
    def server_settings(self) -> ServerSettings:
        """The associations the sessions accept (rebuilt after a key or secret change)."""
        if self._settings is None:
            self._settings = self._build_settings()
        return self._settings

    def _build_settings(self) -> ServerSettings:
        keys = None
        if "ek" in self.keys_by_name:
            keys = SecurityKeys(
                system_title=self.system_title,
                suite=self.model.suite,
                global_unicast_key=self.keys_by_name.get("ek"),
                global_broadcast_key=self.keys_by_name.get("broadcast_ek"),
                authentication_key=self.keys_by_name.get("ak"),
                kek=self.keys_by_name.get("kek"),
            )
        associations = {}
        for association in self.model.associations:
            policy = None
            if association.authenticated or association.encrypted:
                policy = Policy(
                    authenticated=association.authenticated, encrypted=association.encrypted
                )
            sn = association.referencing == "SN"
            public_key = None
            if association.client_public_key is not None:
                loaded = serialization.load_pem_public_key(association.client_public_key)
                if not isinstance(loaded, ec.EllipticCurvePublicKey):
                    raise ModelError(f"association {association.name}: not an EC public key")
                public_key = loaded
            associations[association.client] = AssociationConfig(
                mechanism=association.mechanism,
                secret=self.secrets.get(association.client),
                referencing=Referencing.SHORT_NAME if sn else Referencing.LOGICAL_NAME,
                conformance=SN_CONFORMANCE if sn else self.conformance,
                policy=policy,
                pre_established=association.pre_established,
                client_public_key=public_key,
                hls2=association.hls2,
            )
        private_key = None
        if self.model.private_key is not None:
            loaded_key = serialization.load_pem_private_key(self.model.private_key, None)
            if not isinstance(loaded_key, ec.EllipticCurvePrivateKey):
                raise ModelError("meter private_key: not an EC private key")
            private_key = loaded_key
        return ServerSettings(
            private_key=private_key,
            associations=associations,
            max_receive_pdu_size=self.model.max_pdu_size,
            keys=keys,
            outgoing_counter=self._outgoing if keys is not None else None,
            incoming_counter=self._incoming,
        )

    # --- objects and rights ----------------------------------------------------------------------

    def find(self, class_id: int, obis: bytes) -> CosemObject | None:
        return self.objects.get((class_id, obis))

    def rights(self, association: AssociationModel, obj: CosemObject) -> AccessSpec:
        return obj.model.access.get(association.name, association.access)

    def visible_objects(
        self, association: AssociationModel
    ) -> Iterator[tuple[CosemObject, AccessSpec]]:
        for obj in self._order:
            spec = self.rights(association, obj)
            if spec.visible:
                yield obj, spec

    def _context(self, client_sap: int, now: float, title: bytes | None) -> Context | None:
        association = self.model.association(client_sap)
        if association is None:
            return None
        return Context(now=now, client_sap=client_sap, association=association, system_title=title)

    def _visible(self, ctx: Context, class_id: int, obis: bytes) -> CosemObject | None:
        obj = self.objects.get((class_id, obis))
        if obj is None or not self.rights(ctx.association, obj).visible:
            return None
        return obj

    def read(
        self,
        ctx: Context,
        descriptor: CosemAttributeDescriptor,
        selection: SelectiveAccessDescriptor | None = None,
    ) -> Reply:
        """GET of one attribute for the association in ``ctx``."""
        return self._read(ctx, descriptor, selection)[1]

    def _read(
        self,
        ctx: Context,
        descriptor: CosemAttributeDescriptor,
        selection: SelectiveAccessDescriptor | None,
    ) -> tuple[CosemObject | None, Reply]:
        obis = descriptor.instance_id.to_bytes()
        obj = self._visible(ctx, descriptor.class_id, obis)
        if obj is None:
            if obis in self._by_obis and self._visible(ctx, self._by_obis[obis].class_id, obis):
                return None, DataAccessResult.OBJECT_CLASS_INCONSISTENT
            return None, DataAccessResult.OBJECT_UNDEFINED
        attribute = descriptor.attribute_id
        if not 1 <= attribute <= obj.attribute_count():
            return obj, DataAccessResult.OBJECT_UNAVAILABLE
        if attribute != 1 and not self.rights(ctx.association, obj).can_read(attribute):
            return obj, DataAccessResult.READ_WRITE_DENIED
        if selection is not None:
            return obj, obj.read_selected(attribute, selection, ctx)
        return obj, obj.read(attribute, ctx)

    def read_result(
        self,
        ctx: Context,
        descriptor: CosemAttributeDescriptor,
        selection: SelectiveAccessDescriptor | None = None,
    ) -> get.GetDataResult:
        """GET of one attribute as a Get-Data-Result (with the value's encoding when the
        object kept one, so a long buffer is not encoded again)."""
        obj, reply = self._read(ctx, descriptor, selection)
        if isinstance(reply, DataAccessResult):
            return reply
        return get.Data(reply, None if obj is None else obj.encoded(reply))

    def write(
        self, ctx: Context, descriptor: CosemAttributeDescriptor, value: axdr.Value
    ) -> DataAccessResult:
        """SET of one attribute for the association in ``ctx``."""
        obj = self._visible(ctx, descriptor.class_id, descriptor.instance_id.to_bytes())
        if obj is None:
            return DataAccessResult.OBJECT_UNDEFINED
        attribute = descriptor.attribute_id
        if not 1 <= attribute <= obj.attribute_count():
            return DataAccessResult.OBJECT_UNAVAILABLE
        if not self.rights(ctx.association, obj).can_write(attribute):
            return DataAccessResult.READ_WRITE_DENIED
        return obj.write(attribute, value, ctx)

    def call(
        self, ctx: Context, descriptor: CosemMethodDescriptor, parameters: axdr.Value
    ) -> tuple[ActionResult, axdr.Value | None]:
        """ACTION of one method for the association in ``ctx``."""
        obj = self._visible(ctx, descriptor.class_id, descriptor.instance_id.to_bytes())
        if obj is None:
            return ActionResult.OBJECT_UNDEFINED, None
        method = descriptor.method_id
        if not 1 <= method <= obj.method_count():
            return ActionResult.OBJECT_UNAVAILABLE, None
        if not self.rights(ctx.association, obj).can_call(method):
            return ActionResult.READ_WRITE_DENIED, None
        return obj.call(method, parameters, ctx)

    # --- session events --------------------------------------------------------------------------

    def handle(
        self,
        event: ServerEvent,
        *,
        client_sap: int,
        now: float,
        client_system_title: bytes | None = None,
    ) -> Apdu | None:
        """The answer to one server event (None: nothing to send)."""
        self.handle_timeout(now)
        if isinstance(event, AssociationEstablished):
            return None
        ctx = self._context(client_sap, now, client_system_title)
        if ctx is None:
            return None
        if isinstance(event, GetRequested):
            return self._get(ctx, event.request)
        if isinstance(event, SetRequested):
            return self._set(ctx, event.request)
        if isinstance(event, ActionRequested):
            return self._action(ctx, event.request)
        if isinstance(event, AccessRequested):
            return self._access(ctx, event.request)
        if isinstance(event, ReadRequested):
            return self._sn_read(ctx, event.request)
        if isinstance(event, WriteRequested):
            return self._sn_write(ctx, event.request)
        return None

    @staticmethod
    def _confirmed(request: Any) -> bool:
        invoke = getattr(request, "invoke_id_and_priority", None)
        return bool(getattr(invoke, "confirmed", True))

    def _get(self, ctx: Context, request: Apdu) -> Apdu | None:
        if isinstance(request, get.GetRequestNormal):
            return get.GetResponseNormal(
                invoke_id_and_priority=request.invoke_id_and_priority,
                result=self.read_result(
                    ctx, request.cosem_attribute_descriptor, request.access_selection
                ),
            )
        if isinstance(request, get.GetRequestWithList):
            return get.GetResponseWithList(
                invoke_id_and_priority=request.invoke_id_and_priority,
                result=tuple(
                    self.read_result(ctx, item.cosem_attribute_descriptor, item.access_selection)
                    for item in request.attribute_descriptor_list
                ),
            )
        return None

    def _set(self, ctx: Context, request: Apdu) -> Apdu | None:
        if isinstance(request, set_.SetRequestNormal):
            result = self.write(ctx, request.cosem_attribute_descriptor, request.value)
            response: Apdu = set_.SetResponseNormal(
                invoke_id_and_priority=request.invoke_id_and_priority, result=result
            )
        elif isinstance(request, set_.SetRequestWithList):
            response = set_.SetResponseWithList(
                invoke_id_and_priority=request.invoke_id_and_priority,
                result=tuple(
                    self.write(ctx, item.cosem_attribute_descriptor, value)
                    for item, value in zip(
                        request.attribute_descriptor_list, request.value_list, strict=True
                    )
                ),
            )
        else:
            return None
        return response if self._confirmed(request) else None

    def _one_action(
        self, ctx: Context, descriptor: CosemMethodDescriptor, parameters: axdr.Value
    ) -> action.ActionResponseWithOptionalData:
        result, returned = self.call(ctx, descriptor, parameters)
        return action.ActionResponseWithOptionalData(
            result=result, return_parameters=None if returned is None else get.Data(returned)
        )

    def _action(self, ctx: Context, request: Apdu) -> Apdu | None:
        if isinstance(request, action.ActionRequestNormal):
            parameters = request.method_invocation_parameters
            response: Apdu = action.ActionResponseNormal(
                invoke_id_and_priority=request.invoke_id_and_priority,
                single_response=self._one_action(
                    ctx,
                    request.cosem_method_descriptor,
                    None if parameters is None else parameters.value,
                ),
            )
        elif isinstance(request, action.ActionRequestWithList):
            response = action.ActionResponseWithList(
                invoke_id_and_priority=request.invoke_id_and_priority,
                list_of_responses=tuple(
                    self._one_action(ctx, descriptor, value)
                    for descriptor, value in zip(
                        request.cosem_method_descriptor_list,
                        request.method_invocation_parameters,
                        strict=True,
                    )
                ),
            )
        else:
            return None
        return response if self._confirmed(request) else None

    def _access(self, ctx: Context, request: Apdu) -> Apdu | None:
        if not isinstance(request, access_.AccessRequest):
            return None
        data: list[axdr.Value] = []
        results: list[Any] = []
        for spec, value in zip(
            request.access_request_specification, request.access_request_list_of_data, strict=True
        ):
            if isinstance(spec, access_.AccessRequestGet | access_.AccessRequestGetWithSelection):
                selection = getattr(spec, "access_selection", None)
                reply = self.read(ctx, spec.cosem_attribute_descriptor, selection)
                if isinstance(reply, DataAccessResult):
                    data.append(None)
                    results.append(access_.AccessResponseGet(result=reply))
                else:
                    data.append(reply)
                    results.append(access_.AccessResponseGet(result=DataAccessResult.SUCCESS))
            elif isinstance(spec, access_.AccessRequestSet | access_.AccessRequestSetWithSelection):
                data.append(None)
                results.append(
                    access_.AccessResponseSet(
                        result=self.write(ctx, spec.cosem_attribute_descriptor, value)
                    )
                )
            else:
                result, returned = self.call(ctx, spec.cosem_method_descriptor, value)
                data.append(returned)
                results.append(access_.AccessResponseAction(result=result))
        if not request.long_invoke_id_and_priority.confirmed:
            return None
        return access_.AccessResponse(
            long_invoke_id_and_priority=request.long_invoke_id_and_priority,
            access_response_list_of_data=tuple(data),
            access_response_specification=tuple(results),
        )

    # --- short names -----------------------------------------------------------------------------

    def _sn_target(self, name: int) -> tuple[CosemObject | None, str, int]:
        """(object, "attribute" | "method", id) of an SN variable name."""
        if SN_ASSOCIATION_BASE <= name < SN_ASSOCIATION_BASE + SN_STRIDE:
            return None, "association", (name - SN_ASSOCIATION_BASE) // 8 + 1
        base = name - (name - SN_FIRST_BASE) % SN_STRIDE
        obj = self._sn_bases.get(base)
        if obj is None:
            return None, "", 0
        offset = (name - base) // 8
        attributes = obj.attribute_count()
        if offset < attributes:
            return obj, "attribute", offset + 1
        return obj, "method", offset - attributes + 1

    def sn_object_list(self, ctx: Context) -> axdr.Array:
        """Association SN object_list: {base_name, class_id, version, logical_name}."""
        items = [
            axdr.Structure(
                (
                    axdr.Long(SN_ASSOCIATION_BASE - 0x10000),
                    axdr.LongUnsigned(12),
                    axdr.Unsigned(2),
                    axdr.OctetString(Obis.parse("0.0.40.0.0.255").to_bytes()),
                )
            )
        ]
        for base, obj in self._sn_bases.items():
            if self.rights(ctx.association, obj).visible:
                items.append(
                    axdr.Structure(
                        (
                            axdr.Long(base if base < 0x8000 else base - 0x10000),
                            axdr.LongUnsigned(obj.class_id),
                            axdr.Unsigned(obj.version),
                            axdr.OctetString(obj.key[1]),
                        )
                    )
                )
        return axdr.Array(items)

    def sn_access_rights(self, ctx: Context) -> axdr.Array:
        """Association SN (version 2) access_rights_list: {base_name, attribute_access,
        method_access} of every object the association sees."""
        items = []
        for base, obj in self._sn_bases.items():
            spec = self.rights(ctx.association, obj)
            if spec.visible:
                rights = ShortNameAccessRights(
                    base if base < 0x8000 else base - 0x10000, obj.access_rights(spec)
                )
                items.append(rights.to_data())
        return axdr.Array(items)

    def _sn_read_one(self, ctx: Context, spec: Any) -> sn.ReadResult:
        name = getattr(spec, "variable_name", None)
        if name is None:
            return DataAccessResult.OBJECT_UNAVAILABLE
        obj, kind, number = self._sn_target(name)
        if kind == "association":
            if number == 1:
                return sn.ReadData(data=axdr.OctetString(Obis.parse("0.0.40.0.0.255").to_bytes()))
            if number == 2:
                return sn.ReadData(data=self.sn_object_list(ctx))
            if number == 3:
                return sn.ReadData(data=self.sn_access_rights(ctx))
            if number == 4:
                return sn.ReadData(data=axdr.OctetString(Obis.parse("0.0.43.0.0.255").to_bytes()))
            return DataAccessResult.OBJECT_UNAVAILABLE
        if obj is None:
            return DataAccessResult.OBJECT_UNDEFINED
        if kind == "method":
            parameter = getattr(spec, "parameter", None)
            result, returned = self.call(
                ctx,
                _method(obj, number),
                parameter,
            )
            if result is not ActionResult.SUCCESS:
                return DataAccessResult(int(result))
            return sn.ReadData(data=returned)
        selection = None
        if isinstance(spec, sn.ParameterizedAccess):
            selection = SelectiveAccessDescriptor(
                access_selector=spec.selector, access_parameters=spec.parameter
            )
        reply = self.read(
            ctx,
            _attribute(obj, number),
            selection,
        )
        if isinstance(reply, DataAccessResult):
            return reply
        return sn.ReadData(data=reply)

    def _sn_read(self, ctx: Context, request: Apdu) -> Apdu | None:
        if not isinstance(request, sn.ReadRequest):
            return None
        return sn.ReadResponse(
            results=tuple(self._sn_read_one(ctx, s) for s in request.variable_access_specification)
        )

    def _sn_write(self, ctx: Context, request: Apdu) -> Apdu | None:
        if not isinstance(request, sn.WriteRequest | sn.UnconfirmedWriteRequest):
            return None
        results: list[sn.WriteResult] = []
        for spec, value in zip(
            request.variable_access_specification, request.list_of_data, strict=True
        ):
            obj, kind, number = self._sn_target(getattr(spec, "variable_name", -1))
            if obj is None:
                results.append(DataAccessResult.OBJECT_UNDEFINED)
                continue
            if kind == "method":
                result, _ = self.call(
                    ctx,
                    _method(obj, number),
                    value,
                )
                outcome = DataAccessResult(int(result))
            else:
                outcome = self.write(
                    ctx,
                    _attribute(obj, number),
                    value,
                )
            results.append(sn.WriteSuccess() if outcome is DataAccessResult.SUCCESS else outcome)
        if isinstance(request, sn.UnconfirmedWriteRequest):
            return None
        return sn.WriteResponse(results=tuple(results))

    # --- timers and pushes -----------------------------------------------------------------------

    def next_timeout(self) -> float | None:
        deadlines = [d for obj in self._order if (d := obj.next_deadline()) is not None]
        return min(deadlines) if deadlines else None

    def handle_timeout(self, now: float) -> None:
        for obj in self._order:
            deadline = obj.next_deadline()
            if deadline is not None and now >= deadline:
                obj.tick(now)

    def queue_push(self, setup: PushSetup, now: float) -> None:
        """Build the DataNotification of ``setup`` and queue it for the transport."""
        target = setup.destination()
        if target is None:
            return
        association = self.model.association(16) or self.model.associations[0]
        ctx = Context(now=now, client_sap=association.client, association=association)
        body = setup.body(ctx)
        stamp = self.date_time(self.meter_time(now)).to_bytes()
        notification = DataNotification(
            long_invoke_id_and_priority=self._push_invoke_id(),
            date_time=axdr.OctetString(stamp),
            notification_body=body,
        )
        apdu = notification.to_bytes()
        if setup.model.options.get("ciphered") and "ek" in self.keys_by_name:
            settings = self.server_settings
            assert settings.keys is not None
            context = SecurityContext(
                settings.keys,
                self._outgoing,
                Policy(authenticated="ak" in self.keys_by_name, encrypted=True),
            )
            apdu = context.protect(apdu).to_bytes()
        transport, destination = target
        self._pushes.append(PushOut(transport=transport, destination=destination, apdu=apdu))

    def _push_invoke_id(self) -> LongInvokeIdAndPriority:
        self._push_count = getattr(self, "_push_count", 0) + 1
        return LongInvokeIdAndPriority.of(self._push_count & 0xFFFFFF)

    def pending_pushes(self) -> list[PushOut]:
        """Pushes queued since the last call (the transport sends them)."""
        pushes, self._pushes = self._pushes, []
        return pushes

    def close(self) -> None:
        """Nothing to release here: the state backend is closed by its owner."""
