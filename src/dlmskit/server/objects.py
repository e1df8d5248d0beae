"""The objects of a simulated meter and how they behave.

Every object holds its attribute values as typed A-XDR values. A plain object answers
GET from its stored values and SET into them (checked against the interface class in
the COSEM catalogue, so a value of the wrong type gets ``type-unmatched``). A
*behaviour* (the model's ``behaviour:`` key) computes values instead: a clock that
ticks, energy registers that grow with a simulated load, virtual profile buffers,
image transfer with its state machine, disconnect control, push setup, security setup,
Association LN.

Time: ``now`` is passed in (UTC seconds, DESIGN.md rule 1); the meter's own time is
``now + clock offset`` (the offset changes when a client sets the clock).
"""

from __future__ import annotations

import abc
import datetime as _dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final

from dlmskit import axdr
from dlmskit.apdu.common import ActionResult, DataAccessResult, SelectiveAccessDescriptor
from dlmskit.apdu.selective import (
    CaptureObjectDefinition,
    EntryDescriptor,
    RangeDescriptor,
    profile_access_descriptor,
)
from dlmskit.cosem import ClassSpec, lookup
from dlmskit.cosem.types import (
    AccessRights,
    AttributeAccess,
    AttributeAccessMode,
    MethodAccess,
    MethodAccessMode,
    ObjectListElement,
)
from dlmskit.cosem_time import ClockStatus, CosemDateTime
from dlmskit.errors import DecodeError, DlmsError
from dlmskit.obis import Obis
from dlmskit.security import setup
from dlmskit.server.model import AccessSpec, AssociationModel, ModelError, ObjectModel

if TYPE_CHECKING:
    from dlmskit.server.engine import Meter

__all__ = ["BEHAVIOURS", "Context", "CosemObject", "Reply"]

#: What a GET / SET answers: a value, or the data-access-result that refuses it.
Reply = axdr.Value | DataAccessResult

#: Simulator event codes written to the event log (the simulator's own numbering).
EVENT_STARTED: Final = 1
EVENT_CLOCK_SET: Final = 2
EVENT_DISCONNECTED: Final = 3
EVENT_RECONNECTED: Final = 4
EVENT_IMAGE_ACTIVATED: Final = 5
EVENT_KEYS_CHANGED: Final = 6
EVENT_SECRET_CHANGED: Final = 7

_WH: Final = 30  # Blue Book unit enumeration: Wh
_W: Final = 27
_V: Final = 35
_A: Final = 33


@dataclass(frozen=True, slots=True)
class Context:
    """Who asks and when: the client SAP, its association model and the time."""

    now: float
    client_sap: int
    association: AssociationModel
    system_title: bytes | None = None  # the client's, when it sent one


def _scaler_unit(scaler: int, unit: int) -> axdr.Structure:
    return axdr.Structure((axdr.Integer(scaler), axdr.Enum(unit)))


def _column_of(text: Any, where: str) -> CaptureObjectDefinition:
    """``0.0.1.0.0.255/8/2`` (OBIS / class / attribute) as a capture object definition."""
    try:
        obis_text, class_text, attribute_text = str(text).split("/")
        return CaptureObjectDefinition(
            class_id=int(class_text),
            logical_name=Obis.parse(obis_text),
            attribute_index=int(attribute_text),
            data_index=0,
        )
    except (ValueError, TypeError) as exc:
        raise ModelError(f"{where}: column {text!r} is not OBIS/class/attribute ({exc})") from None


class CosemObject:
    """One object of the meter: stored attribute values, answered and written as they
    are. Subclasses (behaviours) override :meth:`read`, :meth:`write`, :meth:`call`."""

    behaviour: ClassVar[str] = ""
    #: Attributes a client may write (when its rights allow); None: every stored one.
    writable: ClassVar[frozenset[int] | None] = None

    def __init__(self, model: ObjectModel, meter: Meter) -> None:
        self.model = model
        self.meter = meter
        self.class_id = model.class_id
        self.version = model.version
        self.obis = model.obis
        self.key = (model.class_id, model.obis.to_bytes())
        try:
            self.spec: ClassSpec | None = lookup(model.class_id, model.version)
        except (KeyError, ValueError, DlmsError):
            self.spec = None
        self.values: dict[int, axdr.Value] = {1: axdr.OctetString(model.obis.to_bytes())}
        self.values.update(model.attributes)

    # --- what the engine calls ------------------------------------------------------------

    def attribute_count(self) -> int:
        if self.spec is not None:
            return len(self.spec.all_attributes)
        return max(self.values)

    def method_count(self) -> int:
        return len(self.spec.methods) if self.spec is not None else 0

    def read(self, attribute_id: int, ctx: Context) -> Reply:
        """The value of ``attribute_id`` now."""
        if attribute_id in self.values:
            return self.values[attribute_id]
        return DataAccessResult.OBJECT_UNAVAILABLE

    def read_selected(
        self, attribute_id: int, selection: SelectiveAccessDescriptor, ctx: Context
    ) -> Reply:
        """The value with selective access (only profiles support it)."""
        return DataAccessResult.OBJECT_UNAVAILABLE

    def write(self, attribute_id: int, value: axdr.Value, ctx: Context) -> DataAccessResult:
        """Store ``value`` (type-checked against the class); persisted by the meter."""
        if attribute_id == 1:
            return DataAccessResult.READ_WRITE_DENIED
        if self.writable is not None and attribute_id not in self.writable:
            return DataAccessResult.READ_WRITE_DENIED
        if self.writable is None and attribute_id not in self.values:
            return DataAccessResult.OBJECT_UNAVAILABLE
        problem = self.check_type(attribute_id, value)
        if problem is not None:
            return problem
        self.values[attribute_id] = value
        self.meter.persist_value(self, attribute_id, value)
        self.written(attribute_id, value, ctx)
        return DataAccessResult.SUCCESS

    def written(self, attribute_id: int, value: axdr.Value, ctx: Context) -> None:
        """A behaviour's reaction to a value just written."""

    def call(
        self, method_id: int, parameters: axdr.Value, ctx: Context
    ) -> tuple[ActionResult, axdr.Value | None]:
        """Invoke ``method_id``; (result, return parameters or None)."""
        return ActionResult.OBJECT_UNAVAILABLE, None

    def encoded(self, value: object) -> bytes | None:
        """The A-XDR encoding of a value this object just read, when it kept one (long
        profile buffers: encoded once from cached rows); None otherwise."""
        return None

    def check_type(self, attribute_id: int, value: axdr.Value) -> DataAccessResult | None:
        if self.spec is None:
            return None
        try:
            self.spec.decode_attribute(attribute_id, value)
        except (DecodeError, ValueError, TypeError):
            return DataAccessResult.TYPE_UNMATCHED
        return None

    def check_parameter(self, method_id: int, value: axdr.Value) -> bool:
        if self.spec is None:
            return True
        try:
            self.spec.decode_method_parameter(method_id, value)
        except (DecodeError, ValueError, TypeError):
            return False
        return True

    def restore(self, attribute_id: int, value: axdr.Value) -> None:
        """A value read back from the state file at start."""
        self.values[attribute_id] = value

    def value_at(self, attribute_id: int, moment: float, ctx: Context) -> axdr.Value:
        """The value this attribute had at meter time ``moment`` (for profile rows);
        objects without history give their present value."""
        value = self.read(attribute_id, ctx)
        return None if isinstance(value, DataAccessResult) else value

    def access_rights(self, access: AccessSpec) -> AccessRights:
        modes = {
            "none": AttributeAccessMode.NO_ACCESS,
            "read": AttributeAccessMode.READ_ONLY,
            "write": AttributeAccessMode.WRITE_ONLY,
            "read-write": AttributeAccessMode.READ_AND_WRITE,
        }
        attributes = []
        for index in range(1, self.attribute_count() + 1):
            mode = modes[access.attribute(index)]
            if index == 1 or (
                mode in (AttributeAccessMode.READ_AND_WRITE, AttributeAccessMode.WRITE_ONLY)
                and (not self.is_writable(index))
            ):
                mode = AttributeAccessMode.READ_ONLY
            selectors = self.selectors(index)
            attributes.append(AttributeAccess(index, mode, selectors))
        methods = tuple(
            MethodAccess(
                index,
                MethodAccessMode.ACCESS if access.can_call(index) else MethodAccessMode.NO_ACCESS,
            )
            for index in range(1, self.method_count() + 1)
        )
        return AccessRights(attributes=tuple(attributes), methods=methods)

    def is_writable(self, attribute_id: int) -> bool:
        if self.writable is not None:
            return attribute_id in self.writable
        return attribute_id in self.values and attribute_id != 1

    def selectors(self, attribute_id: int) -> tuple[int, ...] | None:
        return None

    def list_element(self, access: AccessSpec) -> axdr.Value:
        return ObjectListElement(
            self.class_id, self.version, self.obis, self.access_rights(access)
        ).to_data()

    def next_deadline(self) -> float | None:
        return None

    def tick(self, now: float) -> None:
        """Called at (or after) :meth:`next_deadline`."""


# --- time -------------------------------------------------------------------------------


class Clock(CosemObject):
    """Class 8: the meter's time (real time + an offset set by clients), its time zone
    (IANA name from the model) with daylight saving, and ``shift_time``."""

    behaviour = "clock"
    writable = frozenset({2, 3, 5, 6, 7, 8})

    def __init__(self, model: ObjectModel, meter: Meter) -> None:
        super().__init__(model, meter)
        self.values.setdefault(9, axdr.Enum(1))  # clock_base: internal crystal

    def read(self, attribute_id: int, ctx: Context) -> Reply:
        moment = self.meter.meter_time(ctx.now)
        local = self.meter.local(moment)
        offset = local.utcoffset() or _dt.timedelta()
        dst = bool(local.dst())
        if attribute_id == 2:
            return axdr.OctetString(self.meter.date_time_bytes(moment))
        if attribute_id == 3:
            standard = offset - (local.dst() or _dt.timedelta())
            return axdr.Long(-int(standard.total_seconds() // 60))
        if attribute_id == 4:
            return axdr.Unsigned(int(ClockStatus.DAYLIGHT_SAVING_ACTIVE) if dst else 0)
        if attribute_id in (5, 6):
            # Last Sunday of March / October at 02:00 / 03:00 (wildcard year, EU rules).
            month, hour = (3, 2) if attribute_id == 5 else (10, 3)
            stored = self.values.get(attribute_id)
            if stored is not None:
                return stored
            data = bytes((0xFF, 0xFF, month, 0xFE, 7, hour, 0, 0, 0, 0x80, 0x00, 0xFF))
            return axdr.OctetString(data)
        if attribute_id == 7:
            return self.values.get(7, axdr.Integer(60))
        if attribute_id == 8:
            return self.values.get(8, axdr.Boolean(True))
        return super().read(attribute_id, ctx)

    def write(self, attribute_id: int, value: axdr.Value, ctx: Context) -> DataAccessResult:
        if attribute_id == 2:
            problem = self.check_type(2, value)
            if problem is not None:
                return problem
            try:
                target = CosemDateTime.from_bytes(bytes(value))  # type: ignore[arg-type]
                moment = target.to_datetime()
            except (DecodeError, ValueError, TypeError):
                return DataAccessResult.TYPE_UNMATCHED
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.meter.zone)
            self.meter.set_time(moment.timestamp(), ctx.now)
            return DataAccessResult.SUCCESS
        if attribute_id == 3:
            return DataAccessResult.READ_WRITE_DENIED  # the zone comes from the model
        return super().write(attribute_id, value, ctx)

    def call(
        self, method_id: int, parameters: axdr.Value, ctx: Context
    ) -> tuple[ActionResult, axdr.Value | None]:
        if method_id == 6:  # shift_time(long: seconds, -900..900)
            if not isinstance(parameters, axdr.Long) or not -900 <= int(parameters) <= 900:
                return ActionResult.TYPE_UNMATCHED, None
            current = self.meter.meter_time(ctx.now)
            self.meter.set_time(current + int(parameters), ctx.now)
            return ActionResult.SUCCESS, None
        if method_id in (1, 3):  # adjust to quarter / minute
            step = 900 if method_id == 1 else 60
            current = self.meter.meter_time(ctx.now)
            self.meter.set_time(round(current / step) * step, ctx.now)
            return ActionResult.SUCCESS, None
        return ActionResult.OBJECT_UNAVAILABLE, None

    def value_at(self, attribute_id: int, moment: float, ctx: Context) -> axdr.Value:
        if attribute_id == 2:
            return axdr.OctetString(self.meter.date_time_bytes(moment))
        return super().value_at(attribute_id, moment, ctx)


# --- measurement -------------------------------------------------------------------------


class _Register(CosemObject, abc.ABC):
    writable = frozenset()
    scaler = 0
    unit = _WH

    def __init__(self, model: ObjectModel, meter: Meter) -> None:
        super().__init__(model, meter)
        self.scaler = int(model.options.get("scaler", self.scaler))
        self.unit = int(model.options.get("unit", self.unit))
        self.values.setdefault(3, _scaler_unit(self.scaler, self.unit))

    @abc.abstractmethod
    def quantity(self, moment: float) -> float:
        """The measured quantity at meter time ``moment``, unscaled."""

    def encode(self, quantity: float) -> axdr.Value:
        return axdr.DoubleLongUnsigned(max(0, min(0xFFFFFFFF, round(quantity))))

    def read(self, attribute_id: int, ctx: Context) -> Reply:
        if attribute_id == 2:
            return self.encode(self.quantity(self.meter.meter_time(ctx.now)) / 10**self.scaler)
        return super().read(attribute_id, ctx)

    def value_at(self, attribute_id: int, moment: float, ctx: Context) -> axdr.Value:
        if attribute_id == 2:
            return self.encode(self.quantity(moment) / 10**self.scaler)
        return super().value_at(attribute_id, moment, ctx)

    def call(
        self, method_id: int, parameters: axdr.Value, ctx: Context
    ) -> tuple[ActionResult, axdr.Value | None]:
        return ActionResult.READ_WRITE_DENIED, None  # reset: not on a billing register


class Energy(_Register):
    """Class 3: an energy register (Wh) that grows with the simulated load.

    Power follows a daily curve ``P(t) = mean + swing * sin(2πt/day - π/2)`` (lowest at
    midnight UTC), so energy is its closed-form integral: monotonic, exact for any
    moment (profile rows in the past included), identical after a restart."""

    behaviour = "energy"

    def __init__(self, model: ObjectModel, meter: Meter) -> None:
        super().__init__(model, meter)
        export = model.options.get("direction", "import") == "export"
        options = meter.model.options
        if export:
            self.mean = float(options.get("export_average_w", 150))
            self.swing = float(options.get("export_amplitude_w", 0))
        else:
            self.mean = float(options.get("load_average_w", 800))
            self.swing = min(self.mean, float(options.get("load_amplitude_w", 600)))
        self.base = float(model.options.get("initial_wh", 5_000_000 if not export else 500_000))

    def quantity(self, moment: float) -> float:
        omega = 2 * math.pi / 86_400

        def integral(t: float) -> float:
            return self.mean * t - self.swing / omega * math.cos(omega * t - math.pi / 2)

        joules = integral(moment) - integral(self.meter.epoch)
        return self.base + joules / 3600


def _load_power(meter: Meter, moment: float) -> float:
    """The simulated load (W) at meter time ``moment``: 0 while disconnected."""
    if not meter.connected:
        return 0.0
    options = meter.model.options
    mean = float(options.get("load_average_w", 800))
    swing = min(mean, float(options.get("load_amplitude_w", 600)))
    return mean + swing * math.sin(2 * math.pi * moment / 86_400 - math.pi / 2)


class Power(_Register):
    """Class 3: instantaneous active power (W), the load curve of :class:`Energy`."""

    behaviour = "power"
    unit = _W

    def quantity(self, moment: float) -> float:
        return _load_power(self.meter, moment)


class Voltage(_Register):
    """Class 3: a phase voltage around 230 V (0.1 V resolution)."""

    behaviour = "voltage"
    scaler = -1
    unit = _V

    def encode(self, quantity: float) -> axdr.Value:
        return axdr.LongUnsigned(max(0, min(0xFFFF, round(quantity))))

    def quantity(self, moment: float) -> float:
        return 230.0 + 3.0 * math.sin(2 * math.pi * moment / 3_600)


class Current(_Register):
    """Class 3: a phase current (0.01 A), power / voltage."""

    behaviour = "current"
    scaler = -2
    unit = _A

    def encode(self, quantity: float) -> axdr.Value:
        return axdr.LongUnsigned(max(0, min(0xFFFF, round(quantity))))

    def quantity(self, moment: float) -> float:
        return _load_power(self.meter, moment) / 230.0


class LogicalDeviceName(CosemObject):
    """Class 1: the logical device name (manufacturer id + serial, 16 octets)."""

    behaviour = "logical_device_name"
    writable = frozenset()

    def read(self, attribute_id: int, ctx: Context) -> Reply:
        if attribute_id == 2:
            return axdr.OctetString(self.meter.logical_device_name)
        return super().read(attribute_id, ctx)


class SerialNumber(CosemObject):
    behaviour = "serial_number"
    writable = frozenset()

    def read(self, attribute_id: int, ctx: Context) -> Reply:
        if attribute_id == 2:
            return axdr.OctetString(self.meter.system_title[3:].hex().upper().encode())
        return super().read(attribute_id, ctx)


class InvocationCounter(CosemObject):
    """Class 1 at 0.0.43.1.x.255: the invocation counter of the management key as
    meters publish it for a client that lost count: the highest value seen or used under
    that key, so ``value + 1`` is accepted next (the seed example's flow)."""

    behaviour = "invocation_counter"
    writable = frozenset()

    def read(self, attribute_id: int, ctx: Context) -> Reply:
        if attribute_id == 2:
            return axdr.DoubleLongUnsigned(self.meter.published_counter())
        return super().read(attribute_id, ctx)


# --- profiles ----------------------------------------------------------------------------


class _Profile(CosemObject, abc.ABC):
    """Class 7 with a buffer of rows computed from the captured objects' history."""

    writable = frozenset({4})

    def __init__(self, model: ObjectModel, meter: Meter) -> None:
        super().__init__(model, meter)
        where = f"{meter.model.source}, line {model.line}"
        self.columns = tuple(_column_of(c, where) for c in model.options.get("columns", ()))
        if not self.columns:
            raise ModelError(f"{where}: profile {model.obis} needs columns")
        self.limit = int(model.options.get("profile_entries", 1000))
        self._rows: dict[tuple[float, tuple[int, ...]], tuple[axdr.Structure, bytes]] = {}
        self._rows_version = -1
        self._encoded: tuple[axdr.Array, bytes] | None = None
        self.values[3] = axdr.Array(c.to_data() for c in self.columns)
        self.values.setdefault(
            4, axdr.DoubleLongUnsigned(int(model.options.get("capture_period", 0)))
        )
        self.values[5] = axdr.Enum(1)  # FIFO
        self.values[6] = axdr.Structure(
            (
                axdr.LongUnsigned(0),
                axdr.OctetString(bytes(6)),
                axdr.Integer(0),
                axdr.LongUnsigned(0),
            )
        )

    @abc.abstractmethod
    def moments(self, now: float) -> list[float]:
        """The capture moments (meter time) of the rows now in the buffer, oldest first."""

    def selectors(self, attribute_id: int) -> tuple[int, ...] | None:
        return (1, 2) if attribute_id == 2 else None

    def row(self, moment: float, ctx: Context, columns: Sequence[int]) -> axdr.Structure:
        """The row captured at ``moment``."""
        return self._cached_row(moment, ctx, columns)[0]

    def _cached_row(
        self, moment: float, ctx: Context, columns: Sequence[int]
    ) -> tuple[axdr.Structure, bytes]:
        """The row and its A-XDR encoding, cached until the meter changes (rows are a
        function of time and of the meter's state)."""
        if self._rows_version != self.meter.version:
            self._rows.clear()
            self._rows_version = self.meter.version
        key = (moment, tuple(columns))
        cached = self._rows.get(key)
        if cached is not None:
            return cached
        if len(self._rows) >= 4 * max(self.limit, 1000):
            self._rows.clear()
        row = self._row(moment, ctx, columns)
        entry = (row, axdr.encode(row))
        self._rows[key] = entry
        return entry

    def buffer(self, moments: Sequence[float], ctx: Context, columns: Sequence[int]) -> axdr.Array:
        """The rows at ``moments`` as an array; its encoding, joined from the cached row
        encodings, is kept for :meth:`encoded`."""
        rows = [self._cached_row(m, ctx, columns) for m in moments]
        array = axdr.Array(row for row, _ in rows)
        header = bytearray(b"\x01")
        header += axdr.encode_length(len(rows))
        self._encoded = (array, bytes(header) + b"".join(encoded for _, encoded in rows))
        return array

    def encoded(self, value: object) -> bytes | None:
        """The encoding of ``value`` when it is the buffer this object just built."""
        if self._encoded is not None and self._encoded[0] is value:
            return self._encoded[1]
        return None

    def _row(self, moment: float, ctx: Context, columns: Sequence[int]) -> axdr.Structure:
        values = []
        for index in columns:
            column = self.columns[index]
            obj = self.meter.find(column.class_id, column.logical_name.to_bytes())
            values.append(
                None if obj is None else obj.value_at(column.attribute_index, moment, ctx)
            )
        return axdr.Structure(values)

    def read(self, attribute_id: int, ctx: Context) -> Reply:
        if attribute_id == 2:
            moments = self.moments(self.meter.meter_time(ctx.now))
            return self.buffer(moments, ctx, range(len(self.columns)))
        if attribute_id == 7:
            return axdr.DoubleLongUnsigned(len(self.moments(self.meter.meter_time(ctx.now))))
        if attribute_id == 8:
            return axdr.DoubleLongUnsigned(self.limit)
        return super().read(attribute_id, ctx)

    def read_selected(
        self, attribute_id: int, selection: SelectiveAccessDescriptor, ctx: Context
    ) -> Reply:
        if attribute_id != 2:
            return DataAccessResult.OBJECT_UNAVAILABLE
        try:
            descriptor = profile_access_descriptor(selection)
        except (ValueError, TypeError, DecodeError):
            return DataAccessResult.OBJECT_UNAVAILABLE
        moments = self.moments(self.meter.meter_time(ctx.now))
        if isinstance(descriptor, EntryDescriptor):
            first = max(descriptor.from_entry, 1)
            last = descriptor.to_entry or len(moments)
            chosen = moments[first - 1 : last]
            low = max(descriptor.from_selected_value, 1)
            high = descriptor.to_selected_value or len(self.columns)
            if low > len(self.columns) or high < low:
                return DataAccessResult.OBJECT_UNAVAILABLE
            columns: Sequence[int] = range(low - 1, min(high, len(self.columns)))
        else:
            chosen, columns_or_error = self._range(descriptor, moments)
            if isinstance(columns_or_error, DataAccessResult):
                return columns_or_error
            columns = columns_or_error
        return self.buffer(chosen, ctx, columns)

    def _range(
        self, descriptor: RangeDescriptor, moments: list[float]
    ) -> tuple[list[float], Sequence[int] | DataAccessResult]:
        restricting = descriptor.restricting_object
        if restricting.class_id != 8 or restricting.attribute_index != 2:
            return [], DataAccessResult.OBJECT_UNAVAILABLE
        try:
            low = self.meter.moment_of(descriptor.from_value)
            high = self.meter.moment_of(descriptor.to_value)
        except (ValueError, TypeError, DecodeError):
            return [], DataAccessResult.OBJECT_UNAVAILABLE
        chosen = [m for m in moments if low <= m <= high]
        if not descriptor.selected_values:
            return chosen, range(len(self.columns))
        indexes = []
        for wanted in descriptor.selected_values:
            for i, column in enumerate(self.columns):
                if (
                    column.class_id == wanted.class_id
                    and column.logical_name == wanted.logical_name
                    and column.attribute_index == wanted.attribute_index
                ):
                    indexes.append(i)
                    break
            else:
                return [], DataAccessResult.OBJECT_UNAVAILABLE
        return chosen, tuple(indexes)  # in the order asked for

    def call(
        self, method_id: int, parameters: axdr.Value, ctx: Context
    ) -> tuple[ActionResult, axdr.Value | None]:
        # reset / capture: the buffer is computed from history, so both are refused.
        return ActionResult.READ_WRITE_DENIED, None


class LoadProfile(_Profile):
    """A profile captured every ``capture_period`` seconds, back-filled for
    ``backfill_days`` before the meter's first start, ``profile_entries`` rows kept."""

    behaviour = "load_profile"

    def period(self) -> int:
        value = self.values.get(4)
        return max(60, int(value)) if isinstance(value, int) else 900

    def moments(self, now: float) -> list[float]:
        period = self.period()
        origin = self.meter.epoch - float(self.model.options.get("backfill_days", 35)) * 86_400
        first = math.ceil(origin / period)
        last = math.floor(now / period)
        first = max(first, last - self.limit + 1)
        return [float(k * period) for k in range(first, last + 1)]


class BillingProfile(_Profile):
    """Monthly rows at 00:00 local time on the first of each month."""

    behaviour = "billing_profile"

    def moments(self, now: float) -> list[float]:
        local = self.meter.local(now)
        months = int(self.model.options.get("backfill_months", 12))
        result = []
        year, month = local.year, local.month
        for _ in range(min(months, self.limit)):
            start = _dt.datetime(year, month, 1, tzinfo=self.meter.zone)
            result.append(start.timestamp())
            month -= 1
            if month == 0:
                year, month = year - 1, 12
        return sorted(result)


class EventLog(_Profile):
    """Rows {clock, event code} for what happened to the meter (see ``EVENT_*``)."""

    behaviour = "event_log"

    def moments(self, now: float) -> list[float]:
        return [t for t, _ in self.meter.events[-self.limit :] if t <= now]

    def _row(self, moment: float, ctx: Context, columns: Sequence[int]) -> axdr.Structure:
        code = next((c for t, c in self.meter.events if t == moment), 0)
        values: list[axdr.Value] = []
        for index in columns:
            column = self.columns[index]
            if column.class_id == 8:
                values.append(axdr.OctetString(self.meter.date_time_bytes(moment)))
            else:
                values.append(axdr.Unsigned(code & 0xFF))
        return axdr.Structure(values)


# --- control -----------------------------------------------------------------------------


class ImageTransfer(CosemObject):
    """Class 18 with the full state machine (Blue Book 4.4.6): initiate, blocks, verify
    (answers temporary-failure while verifying, ``verify_seconds``), activate
    (temporary-failure while activating; the meter then restarts: every link drops)."""

    behaviour = "image_transfer"
    writable = frozenset({5})

    NOT_INITIATED, INITIATED, VERIFYING, VERIFIED, VERIFY_FAILED = 0, 1, 2, 3, 4
    ACTIVATING, ACTIVATED, ACTIVATE_FAILED = 5, 6, 7

    def __init__(self, model: ObjectModel, meter: Meter) -> None:
        super().__init__(model, meter)
        self.block_size = int(model.options.get("block_size", 192))
        self.delay = float(model.options.get("verify_seconds", 1.0))
        self.values.setdefault(5, axdr.Boolean(True))
        self.status = self.NOT_INITIATED
        self.identifier = b""
        self.size = 0
        self.blocks: dict[int, bytes] = {}
        self.done_at: float | None = None

    @property
    def block_count(self) -> int:
        return (self.size + self.block_size - 1) // self.block_size

    def first_missing(self) -> int:
        for number in range(self.block_count):
            if number not in self.blocks:
                return number
        return self.block_count

    def image(self) -> bytes:
        return b"".join(self.blocks[n] for n in range(self.block_count))

    def read(self, attribute_id: int, ctx: Context) -> Reply:
        self.tick(ctx.now)
        if attribute_id == 2:
            return axdr.DoubleLongUnsigned(self.block_size)
        if attribute_id == 3:
            bits = "".join("1" if n in self.blocks else "0" for n in range(self.block_count))
            return axdr.BitString.from_bits(bits)
        if attribute_id == 4:
            return axdr.DoubleLongUnsigned(self.first_missing())
        if attribute_id == 6:
            return axdr.Enum(self.status)
        if attribute_id == 7:
            if self.status < self.VERIFIED or not self.blocks:
                return axdr.Array(())
            return axdr.Array(
                (
                    axdr.Structure(
                        (
                            axdr.DoubleLongUnsigned(self.size),
                            axdr.OctetString(self.identifier),
                            axdr.OctetString(b""),
                        )
                    ),
                )
            )
        return super().read(attribute_id, ctx)

    def call(
        self, method_id: int, parameters: axdr.Value, ctx: Context
    ) -> tuple[ActionResult, axdr.Value | None]:
        self.tick(ctx.now)
        if method_id in (1, 2) and not self.check_parameter(method_id, parameters):
            return ActionResult.TYPE_UNMATCHED, None
        if method_id == 1:
            assert isinstance(parameters, axdr.Structure)
            identifier, size = bytes(parameters[0]), int(parameters[1])  # type: ignore[arg-type]
            if not self.values.get(5):
                return ActionResult.TEMPORARY_FAILURE, None
            if size <= 0 or size > self.meter.max_image_size:
                return ActionResult.OTHER_REASON, None
            if identifier != self.identifier or size != self.size:
                self.blocks.clear()  # a new image; the same one resumes
            self.identifier, self.size = identifier, size
            self.status = self.INITIATED
            self.meter.persist_image(self)
            return ActionResult.SUCCESS, None
        if method_id == 2:
            if self.status not in (self.INITIATED, self.VERIFY_FAILED):
                return ActionResult.OTHER_REASON, None
            assert isinstance(parameters, axdr.Structure)
            number, data = int(parameters[0]), bytes(parameters[1])  # type: ignore[arg-type]
            expected = min(self.block_size, self.size - number * self.block_size)
            if not 0 <= number < self.block_count or len(data) != expected:
                return ActionResult.OTHER_REASON, None
            self.blocks[number] = data
            self.status = self.INITIATED
            self.meter.persist_image(self, number)
            return ActionResult.SUCCESS, None
        if method_id == 3:
            if self.status == self.VERIFIED:
                return ActionResult.SUCCESS, None
            if self.status == self.VERIFYING:
                return ActionResult.TEMPORARY_FAILURE, None
            if self.status not in (self.INITIATED, self.VERIFY_FAILED):
                return ActionResult.OTHER_REASON, None
            if self.first_missing() < self.block_count:
                self.status = self.VERIFY_FAILED
                return ActionResult.OTHER_REASON, None
            self.status = self.VERIFYING
            self.done_at = ctx.now + self.delay
            return ActionResult.TEMPORARY_FAILURE, None
        if method_id == 4:
            if self.status == self.ACTIVATED:
                return ActionResult.SUCCESS, None
            if self.status == self.ACTIVATING:
                return ActionResult.TEMPORARY_FAILURE, None
            if self.status != self.VERIFIED:
                return ActionResult.OTHER_REASON, None
            self.status = self.ACTIVATING
            self.done_at = ctx.now + self.delay
            return ActionResult.TEMPORARY_FAILURE, None
        return ActionResult.OBJECT_UNAVAILABLE, None

    def next_deadline(self) -> float | None:
        return self.done_at

    def tick(self, now: float) -> None:
        if self.done_at is None or now < self.done_at:
            return
        self.done_at = None
        if self.status == self.VERIFYING:
            self.status = self.VERIFIED
        elif self.status == self.ACTIVATING:
            self.status = self.ACTIVATED
            self.meter.activate_image(self.identifier, self.image(), now)


class DisconnectControl(CosemObject):
    """Class 70: remote disconnect / reconnect (control mode 1 as in IDIS)."""

    behaviour = "disconnect_control"
    writable = frozenset({4})

    def __init__(self, model: ObjectModel, meter: Meter) -> None:
        super().__init__(model, meter)
        self.values.setdefault(4, axdr.Enum(1))

    def read(self, attribute_id: int, ctx: Context) -> Reply:
        if attribute_id == 2:
            return axdr.Boolean(self.meter.connected)
        if attribute_id == 3:
            return axdr.Enum(1 if self.meter.connected else 0)
        return super().read(attribute_id, ctx)

    def call(
        self, method_id: int, parameters: axdr.Value, ctx: Context
    ) -> tuple[ActionResult, axdr.Value | None]:
        if method_id not in (1, 2):
            return ActionResult.OBJECT_UNAVAILABLE, None
        if not isinstance(parameters, axdr.Integer):
            return ActionResult.TYPE_UNMATCHED, None
        self.meter.set_connected(method_id == 2, ctx.now)
        return ActionResult.SUCCESS, None


class SecuritySetup(CosemObject):
    """Class 64: policy, suite, titles; ``security_activate`` and ``key_transfer``
    (keys wrapped with the KEK, RFC 3394), which take effect for new associations."""

    behaviour = "security_setup"
    writable = frozenset()

    def read(self, attribute_id: int, ctx: Context) -> Reply:
        if attribute_id == 2:
            return axdr.Enum(self.meter.security_policy)
        if attribute_id == 3:
            return axdr.Enum(self.meter.model.suite)
        if attribute_id == 4:
            return axdr.OctetString(ctx.system_title or b"")
        if attribute_id == 5:
            return axdr.OctetString(self.meter.system_title)
        if attribute_id == 6:
            return axdr.Array(())
        return super().read(attribute_id, ctx)

    def call(
        self, method_id: int, parameters: axdr.Value, ctx: Context
    ) -> tuple[ActionResult, axdr.Value | None]:

        if method_id == 1:
            if (
                not isinstance(parameters, axdr.Enum)
                or int(parameters) < self.meter.security_policy
            ):
                return ActionResult.TYPE_UNMATCHED, None  # a policy is never lowered
            self.meter.security_policy = int(parameters)
            return ActionResult.SUCCESS, None
        if method_id == 2:
            kek = self.meter.keys_by_name.get("kek")
            if kek is None:
                return ActionResult.OTHER_REASON, None
            try:
                transfer = setup.KeyTransfer.from_data(parameters)
                keys = setup.unwrap_key_transfer(kek, transfer, self.meter.model.suite)
            except (DlmsError, ValueError, TypeError):
                return ActionResult.OTHER_REASON, None
            self.meter.replace_keys(keys, ctx.now)
            return ActionResult.SUCCESS, None
        return ActionResult.OBJECT_UNAVAILABLE, None


class PushSetup(CosemObject):
    """Class 40: sends a DataNotification with the push objects' values to the
    destination of attribute 3 (``host:port``, TCP or UDP), on ``push`` (method 1) and
    every ``interval`` seconds when the model gives one."""

    behaviour = "push_setup"
    writable = frozenset({2, 3, 4, 5, 6, 7})

    def __init__(self, model: ObjectModel, meter: Meter) -> None:
        super().__init__(model, meter)
        where = f"{meter.model.source}, line {model.line}"
        objects = [_column_of(c, where) for c in model.options.get("push_objects", ())]
        self.values.setdefault(
            2,
            axdr.Array(
                axdr.Structure(
                    (
                        axdr.LongUnsigned(c.class_id),
                        axdr.OctetString(c.logical_name.to_bytes()),
                        axdr.Integer(c.attribute_index),
                        axdr.LongUnsigned(0),
                    )
                )
                for c in objects
            ),
        )
        transport = 1 if model.options.get("transport", "tcp") == "udp" else 0
        destination = str(model.options.get("destination", ""))
        self.values.setdefault(
            3,
            axdr.Structure(
                (axdr.Enum(transport), axdr.OctetString(destination.encode()), axdr.Enum(0))
            ),
        )
        self.values.setdefault(4, axdr.Array(()))
        self.values.setdefault(5, axdr.LongUnsigned(0))
        self.values.setdefault(6, axdr.Unsigned(0))
        self.values.setdefault(7, axdr.LongUnsigned(0))
        self.interval = float(model.options.get("interval", 0) or 0)
        self.due: float | None = None

    def destination(self) -> tuple[str, str] | None:
        value = self.values.get(3)
        if not isinstance(value, axdr.Structure) or len(value) != 3:
            return None
        address = bytes(value[1]).decode("ascii", "replace")  # type: ignore[arg-type]
        if not address:
            return None
        return ("udp" if int(value[0]) == 1 else "tcp"), address  # type: ignore[arg-type]

    def body(self, ctx: Context) -> axdr.Structure:
        values: list[axdr.Value] = []
        items = self.values.get(2)
        for item in items if isinstance(items, axdr.Array) else ():
            if not isinstance(item, axdr.Structure) or len(item) < 3:
                values.append(None)
                continue
            class_id, obis, attribute = int(item[0]), bytes(item[1]), int(item[2])  # type: ignore[arg-type]
            obj = self.meter.find(class_id, obis)
            value = None if obj is None else obj.read(attribute, ctx)
            values.append(None if isinstance(value, DataAccessResult) else value)
        return axdr.Structure(values)

    def call(
        self, method_id: int, parameters: axdr.Value, ctx: Context
    ) -> tuple[ActionResult, axdr.Value | None]:
        if method_id != 1:
            return ActionResult.OBJECT_UNAVAILABLE, None
        if self.destination() is None:
            return ActionResult.TEMPORARY_FAILURE, None
        self.meter.queue_push(self, ctx.now)
        return ActionResult.SUCCESS, None

    def next_deadline(self) -> float | None:
        return self.due if self.interval and self.destination() else None

    def schedule(self, now: float) -> None:
        if self.interval:
            self.due = (math.floor(now / self.interval) + 1) * self.interval

    def tick(self, now: float) -> None:
        if self.due is None or now < self.due:
            return
        self.schedule(now)
        if self.destination() is not None:
            self.meter.queue_push(self, now)


class Association(CosemObject):
    """Class 15 (the current association, 0.0.40.0.0.255): the object list filtered by
    the client's rights, partners, contexts, status; ``change_HLS_secret``."""

    behaviour = "association"
    writable = frozenset()

    def read(self, attribute_id: int, ctx: Context) -> Reply:
        association = ctx.association
        if attribute_id == 2:
            return axdr.Array(
                obj.list_element(access) for obj, access in self.meter.visible_objects(association)
            )
        if attribute_id == 3:
            return axdr.Structure(
                (axdr.Integer(ctx.client_sap & 0x7F), axdr.LongUnsigned(self.meter.logical_address))
            )
        if attribute_id == 4:
            ciphered = association.authenticated or association.encrypted
            sn = association.referencing == "SN"
            context = (3 if ciphered else 1) + (1 if sn else 0)
            return axdr.OctetString(bytes((0x60, 0x85, 0x74, 0x05, 0x08, 0x01, context)))
        if attribute_id == 5:
            return axdr.Structure(
                (
                    axdr.BitString(int(self.meter.conformance).to_bytes(3, "big"), 24),
                    axdr.LongUnsigned(self.meter.model.max_pdu_size),
                    axdr.LongUnsigned(self.meter.model.max_pdu_size),
                    axdr.Unsigned(6),
                    axdr.Integer(0),
                    axdr.OctetString(b""),
                )
            )
        if attribute_id == 6:
            mechanism = int(association.mechanism)
            return axdr.OctetString(bytes((0x60, 0x85, 0x74, 0x05, 0x08, 0x02, mechanism)))
        if attribute_id == 7:
            return DataAccessResult.READ_WRITE_DENIED  # a secret is never read
        if attribute_id == 8:
            return axdr.Enum(2)  # associated
        if attribute_id == 9:
            return axdr.OctetString(Obis.parse("0.0.43.0.0.255").to_bytes())
        return super().read(attribute_id, ctx)

    def call(
        self, method_id: int, parameters: axdr.Value, ctx: Context
    ) -> tuple[ActionResult, axdr.Value | None]:
        if method_id == 2:  # change_HLS_secret(octet-string)
            if not isinstance(parameters, axdr.OctetString) or not parameters:
                return ActionResult.TYPE_UNMATCHED, None
            if ctx.association.mechanism not in (1, 2, 3, 4, 6):
                return ActionResult.READ_WRITE_DENIED, None
            self.meter.change_secret(ctx.client_sap, bytes(parameters), ctx.now)
            return ActionResult.SUCCESS, None
        # reply_to_HLS_authentication is answered by the session during pass 3.
        return ActionResult.READ_WRITE_DENIED, None


BEHAVIOURS: Final[Mapping[str, Callable[[ObjectModel, Meter], CosemObject]]] = {
    cls.behaviour: cls
    for cls in (
        Clock,
        Energy,
        Power,
        Voltage,
        Current,
        LogicalDeviceName,
        SerialNumber,
        InvocationCounter,
        LoadProfile,
        BillingProfile,
        EventLog,
        ImageTransfer,
        DisconnectControl,
        SecuritySetup,
        PushSetup,
        Association,
    )
}


def make_object(model: ObjectModel, meter: Meter) -> CosemObject:
    """The object for ``model``: its behaviour's class, or a plain stored object."""
    if model.behaviour is None:
        return CosemObject(model, meter)
    factory = BEHAVIOURS.get(model.behaviour)
    if factory is None:
        raise ModelError(
            f"{meter.model.source}, line {model.line}: unknown behaviour "
            f"{model.behaviour!r} (known: {', '.join(sorted(BEHAVIOURS))})"
        )
    return factory(model, meter)
