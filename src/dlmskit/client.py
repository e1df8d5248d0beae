"""The DLMS/COSEM client: :class:`AsyncClient` (asyncio) and :class:`Client` (blocking,
the same core driven from a private event loop).

::

    async with AsyncClient("tcp://meter:4059", client_address=16) as meter:
        print(await meter.get("0.0.42.0.0.255"))             # logical device name

A client is one association with one meter over one transport (``io/``): entering the
context connects, opens the link (HDLC SNRM/UA when the transport carries HDLC, after
the IEC 62056-21 mode E sign-on on an optical probe) and associates; leaving it releases
and disconnects. Every operation waits for its answer with the stack's own deadlines
(HDLC keeps polling while the meter works) and raises a typed error
(:mod:`dlmskit.errors`: :class:`~dlmskit.errors.NoAnswerError`,
:class:`~dlmskit.errors.AssociationError`, :class:`~dlmskit.errors.AccessError`,
:class:`~dlmskit.errors.ConnectionLostError`) naming the step, the object and what the
meter answered. Frames are logged at DEBUG on ``dlmskit.frames`` as hex with a one-line
summary; keys are never logged and the AARQ authentication value is redacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from dlmskit import axdr
from dlmskit.apdu.acse import AcseServiceUser
from dlmskit.apdu.common import (
    ActionResult,
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    DataAccessResult,
    SelectiveAccessDescriptor,
)
from dlmskit.apdu.get import CosemAttributeDescriptorWithSelection, Data
from dlmskit.apdu.initiate import Conformance
from dlmskit.apdu.selective import EntryDescriptor, RangeDescriptor
from dlmskit.cosem import AssociationView, ProfileTable, ScalerUnit, lookup, parse_buffer
from dlmskit.cosem.names import lookup as lookup_obis
from dlmskit.cosem_time import CosemDateTime
from dlmskit.errors import (
    AccessError,
    AssociationError,
    ClientError,
    ConnectionLostError,
    DlmsError,
    NoAnswerError,
)
from dlmskit.io import (
    ClientStack,
    ConnectionSpec,
    SerialTransport,
    Transport,
    TransportClosed,
    mode_e_handshake,
    open_transport,
    parse_url,
)
from dlmskit.link.hdlc import HdlcParameters
from dlmskit.link.hdlc_link import Connected, ConnectionRefused, Disconnected, LinkFailed
from dlmskit.obis import Obis
from dlmskit.security.context import Policy
from dlmskit.security.counters import MemoryCounterStore, OutgoingCounter
from dlmskit.security.keys import SecurityKeys
from dlmskit.security.mechanisms import MECHANISM_NAMES, MechanismId
from dlmskit.session import ClientSettings
from dlmskit.session._events import (
    Action,
    Associate,
    AssociationAccepted,
    AssociationRejected,
    AuthenticationFailed,
    DataNotificationReceived,
    EventNotificationReceived,
    ExceptionReceived,
    Get,
    GetResult,
    GetWithList,
    LateResponse,
    NeedData,
    ProtocolViolation,
    Release,
    Released,
    RequestTimedOut,
    Set,
    SetResult,
)
from dlmskit.session._events import (
    ActionResult as ActionDone,
)
from dlmskit.session.settings import DEFAULT_CLIENT_CONFORMANCE

__all__ = ["AsyncClient", "Client", "FirmwareResult"]

_log = logging.getLogger("dlmskit.client")

T = TypeVar("T")

MECHANISMS: Final = MECHANISM_NAMES  # the names users write (security/mechanisms)
_CIPHERING = {
    "none": None,
    "authenticated": Policy(authenticated=True, encrypted=False),
    "encrypted": Policy(authenticated=False, encrypted=True),
    "authenticated-encrypted": Policy(authenticated=True, encrypted=True),
}
#: Large HDLC frames and windows (2,030 bytes, window 7 both ways) for
#: ``hdlc_parameters=``: fewer round trips wherever the meter accepts them. Not the
#: default: the SNRM then carries the IEC 62056-46 defaults (128 bytes, window 1), which
#: every meter accepts (the Gurux Python server, for one, mis-answers larger proposals).
LARGE_HDLC_PARAMETERS = HdlcParameters(
    max_info_transmit=2030, max_info_receive=2030, window_transmit=7, window_receive=7
)
CLOCK = Obis.parse("0.0.1.0.0.255")
INVOCATION_COUNTER = Obis.parse("0.0.43.1.0.255")
IMAGE_TRANSFER = Obis.parse("0.0.44.0.0.255")
LOGICAL_DEVICE_NAME = Obis.parse("0.0.42.0.0.255")
FIRMWARE_VERSION = Obis.parse("1.0.0.2.0.255")
CURRENT_ASSOCIATION = Obis.parse("0.0.40.0.0.255")


#: The quirk names ``quirks=`` takes (see :class:`AsyncClient`).
QUIRKS: Final = frozenset(
    {
        "lenient-ua",
        "aare-without-user-information",
        "release-by-disconnect",
        "plain-notifications",
    }
)


STEPS: Final = frozenset(
    {"connect", "associate", "get", "get-with-list", "set", "action", "release", "disconnect"}
)
_N = TypeVar("_N", int, float)


def _per_step(name: str, values: Mapping[str, Any] | None, kind: type[_N]) -> dict[str, _N]:
    """Checked ``step_timeouts`` / ``step_retries``."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise TypeError(f"{name} must map step names to numbers")
    out: dict[str, _N] = {}
    for step, value in values.items():
        if step not in STEPS:
            raise ValueError(f"{name}: unknown step {step!r}: use one of {sorted(STEPS)}")
        number = isinstance(value, int | float) and not isinstance(value, bool)
        counts = kind is int and number and isinstance(value, int) and value >= 0
        seconds = kind is float and number and value > 0
        if not (counts or seconds):
            wanted = "an int >= 0" if kind is int else "a positive number of seconds"
            raise ValueError(f"{name}[{step!r}] must be {wanted}, not {value!r}")
        out[step] = kind(value)
    return out


def _quirks(names: Iterable[str]) -> frozenset[str]:
    if isinstance(names, str):
        names = (names,)
    chosen = frozenset(names)
    unknown = chosen - QUIRKS
    if unknown:
        raise ValueError(f"unknown quirk(s) {sorted(unknown)}: known are {sorted(QUIRKS)}")
    return chosen


def _obis(value: Obis | str) -> Obis:
    return value if isinstance(value, Obis) else Obis.parse(value)


def _mechanism(value: int | str | MechanismId) -> MechanismId:
    return MechanismId.from_name(value)


_HINTS = {
    "object-undefined": "no such object for this client (check the OBIS code, the class "
    "and the client's rights)",
    "read-write-denied": "this client may not access it (check the client address)",
    "type-unmatched": "the value's type is wrong for this attribute",
    "object-unavailable": "the meter cannot give it now (or no such attribute)",
    "object-class-inconsistent": "the object has another interface class",
}


def _describe(result: object) -> str:
    name = getattr(result, "name", None)
    if not isinstance(name, str):
        return repr(result)
    text = name.lower().replace("_", "-")
    hint = _HINTS.get(text)
    return f"{text}: {hint}" if hint else text


@dataclass(frozen=True, slots=True)
class FirmwareResult:
    """What :meth:`AsyncClient.update_firmware` did."""

    identifier: bytes
    size: int
    block_size: int
    blocks_sent: int
    resumed_from: int
    activated: bool


class AsyncClient:
    """One association with one meter (see the module docstring).

    Addressing (as the seed documents describe it): ``client_address`` is the client SAP
    (16 public, 1 management, 3 reader, ...), ``server_address`` the server logical
    address (1: the management logical device), ``physical_address`` the HDLC physical
    address (17 for many meters; unused over the wrapper).

    Security: ``mechanism`` (``"none"``, ``"lls"``, ``"hls-gmac"``, ... or 0..7) with
    ``password`` (LLS) or ``secret`` (HLS 2-4, 6); ``ek`` / ``ak`` (global unicast
    encryption and authentication keys), ``broadcast_ek`` (the global broadcast key, for
    unconfirmed services sent with ``broadcast=True``), ``system_title`` (ours, 8 bytes),
    ``invocation_counter`` (the next value to use), ``suite``, ``ciphering``
    (``"authenticated-encrypted"`` by default when ``ek`` is given). ``settings`` replaces
    all of it with a ready :class:`ClientSettings` (mechanism 7, dedicated keys, quirks).

    Transfer: ``max_pdu_size`` is the largest APDU this client receives (longer answers
    come in blocks); ``gbt_window`` (1..63) proposes General Block Transfer with that
    window (Green Book 9.4.6.13; the meter uses it for any APDU longer than the other
    side's max PDU; over HDLC the client keeps polling while a window is due).
    ``hdlc_parameters`` proposes the HDLC frame sizes and windows.

    Time: ``timeout`` is the answer time per request (seconds); ``retries`` resends a GET
    that timed out; ``connect_timeout`` bounds connecting and opening the link.
    ``step_timeouts`` / ``step_retries`` override them per step (``"connect"``,
    ``"associate"``, ``"get"``, ``"get-with-list"``, ``"set"``, ``"action"``,
    ``"release"``, ``"disconnect"``), e.g. ``step_timeouts={"action": 120}`` for a meter
    that answers an image activation late. Only GETs are resent by default: a SET or an
    ACTION is resent only when ``step_retries`` asks for it (the meter may have done it).

    Quirks (off by default, DESIGN.md rule 9), by name in ``quirks``: ``"lenient-ua"``
    accepts an HDLC UA whose parameters do not decode (with the default parameters;
    also ``lenient_ua=True``); ``"aare-without-user-information"`` accepts an AARE
    that omits the InitiateResponse; ``"release-by-disconnect"`` ends the association by
    disconnecting instead of RLRQ (meters that do not answer RLRQ);
    ``"plain-notifications"`` accepts unciphered data- and event-notifications inside a
    ciphered association (refused as a downgrade otherwise). A meter whose RLRE
    does not decode is closed anyway (the release failure is logged).
    """

    def __init__(
        self,
        url: str | ConnectionSpec,
        *,
        client_address: int = 16,
        server_address: int = 1,
        physical_address: int | None = 17,
        mechanism: int | str | MechanismId = MechanismId.LOWEST,
        password: bytes | str | None = None,
        secret: bytes | None = None,
        ek: bytes | None = None,
        ak: bytes | None = None,
        broadcast_ek: bytes | None = None,
        system_title: bytes | None = None,
        suite: int = 0,
        invocation_counter: int | None = None,
        ciphering: str | None = None,
        settings: ClientSettings | None = None,
        timeout: float = 10.0,
        retries: int = 1,
        connect_timeout: float = 10.0,
        hdlc_parameters: HdlcParameters | None = None,
        max_pdu_size: int = 0xFFFF,
        gbt_window: int | None = None,
        association_cache: str | Path | None = None,
        transport: Transport | None = None,
        lenient_ua: bool = False,
        quirks: Iterable[str] = (),
        step_timeouts: Mapping[str, float] | None = None,
        step_retries: Mapping[str, int] | None = None,
    ) -> None:
        quirks = _quirks(quirks)
        self.step_timeouts = _per_step("step_timeouts", step_timeouts, float)
        self.step_retries = _per_step("step_retries", step_retries, int)
        if timeout <= 0 or connect_timeout <= 0:
            raise ValueError("timeout and connect_timeout must be positive")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError(f"retries must be an int >= 0, not {retries!r}")
        self.spec = url if isinstance(url, ConnectionSpec) else parse_url(url)
        self.client_address = client_address
        self.server_address = server_address
        self.physical_address = physical_address
        self.timeout = timeout
        self.retries = retries
        self.connect_timeout = connect_timeout
        self.hdlc_parameters = hdlc_parameters
        self.lenient_ua = lenient_ua or "lenient-ua" in quirks
        self.association_cache = None if association_cache is None else Path(association_cache)
        self.settings = settings or self._settings(
            mechanism=_mechanism(mechanism),
            password=password,
            secret=secret,
            ek=ek,
            ak=ak,
            broadcast_ek=broadcast_ek,
            system_title=system_title,
            suite=suite,
            invocation_counter=invocation_counter,
            ciphering=ciphering,
            max_pdu_size=max_pdu_size,
            gbt_window=gbt_window,
        )
        if "aare-without-user-information" in quirks:
            self.settings = dataclasses.replace(
                self.settings, accept_aare_without_user_information=True
            )
        if "release-by-disconnect" in quirks:
            self.settings = dataclasses.replace(self.settings, release_by_disconnect=True)
        if "plain-notifications" in quirks:
            self.settings = dataclasses.replace(self.settings, accept_plain_notifications=True)
        self._transport = transport
        self._stack: ClientStack | None = None
        self.accepted: AssociationAccepted | None = None
        self.view: AssociationView | None = None
        self.notifications: list[DataNotificationReceived | EventNotificationReceived] = []

    def __repr__(self) -> str:
        return (
            f"AsyncClient({str(self.spec)!r}, client_address={self.client_address}, "
            f"server_address={self.server_address}, mechanism="
            f"{self.settings.mechanism.name})"
        )

    def _settings(
        self,
        *,
        mechanism: MechanismId,
        password: bytes | str | None,
        secret: bytes | None,
        ek: bytes | None,
        ak: bytes | None,
        broadcast_ek: bytes | None,
        system_title: bytes | None,
        suite: int,
        invocation_counter: int | None,
        ciphering: str | None,
        max_pdu_size: int,
        gbt_window: int | None,
    ) -> ClientSettings:
        if isinstance(password, str):
            password = password.encode()
        if mechanism == MechanismId.LOW:
            if password is None and secret is None:
                raise ValueError("LLS (mechanism 1) needs a password")
            secret = password if password is not None else secret
        keys = None
        counter = None
        if ek is not None or ak is not None or mechanism == MechanismId.HIGH_GMAC:
            if ek is None:
                raise ValueError("HLS-GMAC and ciphering need the encryption key ek")
            keys = SecurityKeys(
                system_title=system_title or b"DLK\x00\x00\x00\x00\x01",
                suite=suite,
                global_unicast_key=ek,
                authentication_key=ak,
                global_broadcast_key=broadcast_ek,
            )
            counter = OutgoingCounter(
                MemoryCounterStore(), "client", initial=invocation_counter or 0
            )
        if ciphering is None:
            ciphering = "authenticated-encrypted" if keys is not None and ak else "none"
            if keys is not None and not ak:
                ciphering = "encrypted"
        if ciphering not in _CIPHERING:
            raise ValueError(f"ciphering {ciphering!r}: use one of {sorted(_CIPHERING)}")
        policy = _CIPHERING[ciphering]
        gbt: dict[str, Any] = {}
        if gbt_window is not None:
            if isinstance(gbt_window, bool) or not isinstance(gbt_window, int):
                raise TypeError(f"gbt_window must be an int 1..63, not {gbt_window!r}")
            if not 1 <= gbt_window <= 63:
                raise ValueError(f"gbt_window must be 1..63, not {gbt_window}")
            gbt = {
                "conformance": DEFAULT_CLIENT_CONFORMANCE | Conformance.GENERAL_BLOCK_TRANSFER,
                "gbt_window": gbt_window,
            }
        return ClientSettings(
            mechanism=mechanism,
            secret=secret,
            keys=keys,
            outgoing_counter=counter,
            policy=policy,
            # The session's own timer must not fire before the longest step timeout.
            request_timeout=max((self.timeout, *self.step_timeouts.values())),
            max_receive_pdu_size=max_pdu_size,
            **gbt,
        )

    # --- connecting ---------------------------------------------------------------------

    async def __aenter__(self) -> AsyncClient:
        await self.connect()
        try:
            await self.associate()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if exc[0] is None or not isinstance(exc[1], ConnectionLostError | TransportClosed):
                await self.release()
        except DlmsError as error:
            _log.info("release failed: %s", error)
        finally:
            await self.close()

    @property
    def stack(self) -> ClientStack:
        if self._stack is None:
            raise ConnectionLostError("not connected", step="request")
        return self._stack

    async def connect(self) -> None:
        """Open the transport and the link (and the mode E opening on a probe)."""
        spec = self.spec
        transport = self._transport or open_transport(spec)
        self._transport = transport
        try:
            await asyncio.wait_for(transport.open(), self._timeout("connect"))
        except (OSError, TimeoutError) as exc:
            raise ConnectionLostError(
                f"cannot connect to {transport.description}: {exc or 'timed out'}",
                step="connect",
            ) from None
        try:
            await self._open_link(transport)
        except BaseException:
            # No transport is left open behind a failed connect (SNRM unanswered, mode E
            # refused, the link refused): the caller never got an object to close.
            await self.close()
            raise

    async def _open_link(self, transport: Transport) -> None:
        spec = self.spec
        framing = "udp" if spec.datagram else spec.framing
        self._stack = ClientStack(
            self.settings,
            framing=framing,
            client_address=self.client_address,
            server_address=self.server_address,
            physical_address=self.physical_address,
            hdlc_parameters=self.hdlc_parameters,
            lenient_ua=self.lenient_ua,
        )
        leftover = b""
        if spec.mode_e:
            assert isinstance(transport, SerialTransport)
            try:
                leftover = await mode_e_handshake(
                    transport, address=spec.address, timeout=self._timeout("connect")
                )
            except TimeoutError as exc:
                raise NoAnswerError(str(exc), step="mode E opening") from None
        if leftover:
            self.stack.receive_data(leftover, time.time())
        if framing == "hdlc":
            self.stack.connect(time.time())
            event = await self._wait(
                (Connected, ConnectionRefused, LinkFailed), self._timeout("connect"), "connect"
            )
            if isinstance(event, ConnectionRefused):
                raise AssociationError(
                    f"the meter refused the link ({event.reason}): check the server and "
                    "client addresses",
                    step="connect",
                    answer=event,
                )
            if isinstance(event, LinkFailed):
                raise NoAnswerError(
                    "no answer to SNRM: check the server address (logical "
                    f"{self.server_address}, physical {self.physical_address}) and the line",
                    step="connect",
                )

    async def associate(self) -> AssociationAccepted:
        """Open the application association (AARQ/AARE, HLS passes 3 and 4)."""
        self.stack.send(Associate(), time.time())
        event = await self._wait(
            (AssociationAccepted, AssociationRejected, AuthenticationFailed),
            self._timeout("associate"),
            "associate",
        )
        if isinstance(event, AssociationRejected):
            diagnostic = _describe(event.diagnostic)
            hint = "check the client address or the secret"
            if event.diagnostic == AcseServiceUser.AUTHENTICATION_FAILURE:
                hint = "check the password / secret or keys"
            raise AssociationError(
                f"association rejected ({diagnostic}): {hint}", step="associate", answer=event
            )
        if isinstance(event, AuthenticationFailed):
            raise AssociationError(
                f"authentication failed ({event.reason}): check the secret or keys",
                step="associate",
                answer=event,
            )
        assert isinstance(event, AssociationAccepted)
        self.accepted = event
        return event

    async def release(self) -> None:
        """Release the association and disconnect the link (as politely as the meter
        allows: a meter that does not answer RLRQ is not waited for past the timeout)."""
        stack = self._stack
        if stack is None:
            return
        if stack.session.state.name == "ASSOCIATED" and not self.settings.pre_established:
            stack.send(Release(), time.time())
            try:
                await self._wait((Released,), self._timeout("release"), "release")
            except (NoAnswerError, AccessError) as exc:
                _log.info("release: %s", exc)
        if stack.link is not None and stack.link_up:
            stack.disconnect(time.time())
            try:
                await self._wait(
                    (Disconnected, LinkFailed), self._timeout("disconnect"), "disconnect"
                )
            except DlmsError as exc:
                _log.info("disconnect: %s", exc)

    async def close(self) -> None:
        """Close the transport (no release)."""
        transport, self._transport = self._transport, None
        self._stack = None
        if transport is not None:
            await transport.close()

    # --- the pump -------------------------------------------------------------------------

    async def _flush(self, step: str = "request", target: str = "") -> None:
        stack = self.stack
        transport = self._transport
        assert transport is not None
        try:
            if transport.datagram:
                for datagram in stack.datagrams_to_send():
                    await transport.write(datagram)
            else:
                data = stack.data_to_send()
                if data:
                    await transport.write(data)
        except (TransportClosed, OSError) as exc:
            raise ConnectionLostError(str(exc), step=step, target=target) from None

    async def _wait(
        self, wanted: tuple[type, ...], timeout: float, step: str, target: str = ""
    ) -> Any:
        """Pump the stack until an event of ``wanted`` comes; errors become exceptions."""
        stack = self.stack
        transport = self._transport
        assert transport is not None
        deadline = time.monotonic() + timeout
        await self._flush(step, target)
        while True:
            while not isinstance(event := stack.next_event(), NeedData):
                if isinstance(event, wanted):
                    return event
                self._unexpected(event, step, target)
            now_mono = time.monotonic()
            if now_mono >= deadline:
                raise NoAnswerError(
                    f"no answer within {timeout:g} s: check the server address and the line",
                    step=step,
                    target=target,
                )
            wait = deadline - now_mono
            stack_deadline = stack.next_timeout()
            if stack_deadline is not None:
                wait = min(wait, max(stack_deadline - time.time(), 0.0))
            try:
                data = await transport.read(wait)
            except TransportClosed as exc:
                raise ConnectionLostError(str(exc), step=step, target=target) from None
            now = time.time()
            try:
                if data is not None:
                    if transport.datagram:
                        stack.receive_datagram(data, now)
                    else:
                        stack.receive_data(data, now)
                else:
                    stack.handle_timeout(now)
            except DlmsError as exc:
                raise ConnectionLostError(
                    f"the meter sent something unusable: {exc}", step=step, target=target
                ) from None
            await self._flush(step, target)

    def _unexpected(self, event: object, step: str, target: str) -> None:
        if isinstance(event, DataNotificationReceived | EventNotificationReceived):
            self.notifications.append(event)
            return
        if isinstance(event, LateResponse):
            _log.info("late answer to invoke id %d ignored", event.invoke_id)
            return
        if isinstance(event, RequestTimedOut):
            raise NoAnswerError(
                "no answer: check the server address (or raise the timeout)",
                step=step,
                target=target,
            )
        if isinstance(event, ExceptionReceived):
            raise AccessError(
                f"the meter answered {event.error!r}", step=step, target=target, answer=event
            )
        if isinstance(event, Disconnected | LinkFailed):
            raise ConnectionLostError(
                f"the link dropped ({getattr(event, 'reason', '')})", step=step, target=target
            )
        if isinstance(event, ProtocolViolation):
            raise ConnectionLostError(
                f"the meter broke the protocol: {event.error}", step=step, target=target
            )
        if isinstance(event, Released):
            raise ConnectionLostError(
                f"the association ended ({event.reason})", step=step, target=target
            )
        _log.debug("event ignored during %s: %r", step, event)

    def _timeout(self, step: str) -> float:
        """The answer time of ``step``: ``step_timeouts`` first, then the defaults (the
        link and the release are not waited for long: a meter may never answer them)."""
        if step in self.step_timeouts:
            return self.step_timeouts[step]
        if step == "connect":
            return self.connect_timeout
        if step == "release":
            return min(self.timeout, 5.0)
        if step == "disconnect":
            return min(self.timeout, 3.0)
        return self.timeout

    async def _send_unconfirmed(self, request: Set | Action, step: str, target: str) -> None:
        """Send an unconfirmed SET / ACTION: nothing is answered, nothing is waited for
        (over HDLC the link's own acknowledgement is read with the next request)."""
        try:
            self.stack.send(request, time.time())
        except DlmsError as exc:
            raise ClientError(str(exc), step=step, target=target) from None
        await self._flush(step, target)

    async def _request(self, request: Any, wanted: type, step: str, target: str) -> Any:
        default = self.retries if isinstance(request, Get | GetWithList) else 0
        attempts = 1 + self.step_retries.get(step, default)
        timeout = self._timeout(step)
        for attempt in range(attempts):
            self.stack.send(request, time.time())
            try:
                return await self._wait((wanted,), timeout, step, target)
            except NoAnswerError:
                if attempt + 1 == attempts:
                    raise
                _log.info("%s %s: no answer, retrying", step, target)
        raise AssertionError("unreachable")

    # --- objects ----------------------------------------------------------------------------

    def class_of(self, obis: Obis | str) -> int:
        """The interface class of ``obis``: from the association view when read, else the
        usual class of that OBIS code (Blue Book 7); ValueError when neither knows."""
        name = _obis(obis)
        if self.view is not None:
            entry = self.view.get(name)
            if entry is not None:
                return entry.class_id
        info = lookup_obis(name)
        if info is not None and info.class_id is not None:
            return info.class_id
        raise ValueError(f"the class of {name} is not known: give class_id")

    def _attribute(
        self, obis: Obis | str, attribute: int, class_id: int | None
    ) -> CosemAttributeDescriptor:
        name = _obis(obis)
        return CosemAttributeDescriptor(
            class_id=class_id if class_id is not None else self.class_of(name),
            instance_id=name,
            attribute_id=attribute,
        )

    async def get(
        self,
        obis: Obis | str,
        attribute: int = 2,
        *,
        class_id: int | None = None,
        selection: SelectiveAccessDescriptor | None = None,
    ) -> axdr.Value:
        """The value of one attribute (AccessError with the data-access-result when the
        meter refuses)."""
        return (await self._get_data(obis, attribute, class_id, selection)).value

    async def _get_data(
        self,
        obis: Obis | str,
        attribute: int,
        class_id: int | None,
        selection: SelectiveAccessDescriptor | None,
        *,
        lazy: bool = False,
    ) -> Data:
        descriptor = self._attribute(obis, attribute, class_id)
        target = f"{descriptor.instance_id}/{descriptor.class_id}/{attribute}"
        event = await self._request(
            Get(descriptor=descriptor, selection=selection, lazy=lazy), GetResult, "get", target
        )
        result = event.results[0]
        if not isinstance(result, Data):
            raise AccessError(
                f"the meter answered {_describe(result)}", step="get", target=target, answer=result
            )
        return result

    async def get_with_list(
        self, items: Sequence[tuple[Obis | str, int] | tuple[Obis | str, int, int]]
    ) -> list[axdr.Value | DataAccessResult]:
        """Several attributes in one request: (obis, attribute[, class_id]) each; the
        results in order (a DataAccessResult where the meter refused one)."""
        descriptors = tuple(
            CosemAttributeDescriptorWithSelection(
                cosem_attribute_descriptor=self._attribute(
                    item[0],
                    item[1],
                    item[2] if len(item) > 2 else None,
                )
            )
            for item in items
        )
        event = await self._request(
            GetWithList(items=descriptors), GetResult, "get-with-list", f"{len(items)} items"
        )
        return [r.value if isinstance(r, Data) else r for r in event.results]

    async def set(
        self,
        obis: Obis | str,
        attribute: int,
        value: axdr.Value,
        *,
        class_id: int | None = None,
        confirmed: bool = True,
        broadcast: bool = False,
    ) -> None:
        """Write one attribute (AccessError with the data-access-result when refused).

        ``confirmed=False`` sends an unconfirmed SET: no answer comes, so nothing is
        known of the result; ``broadcast=True`` (unconfirmed only) ciphers it with the
        global broadcast key ``broadcast_ek``."""
        descriptor = self._attribute(obis, attribute, class_id)
        target = f"{descriptor.instance_id}/{descriptor.class_id}/{attribute}"
        if not confirmed or broadcast:
            request = Set(
                descriptor=descriptor, value=value, confirmed=confirmed, broadcast=broadcast
            )
            await self._send_unconfirmed(request, "set", target)
            return
        event = await self._request(
            Set(descriptor=descriptor, value=value), SetResult, "set", target
        )
        result = event.results[0]
        if result != DataAccessResult.SUCCESS:
            raise AccessError(
                f"the meter answered {_describe(result)}", step="set", target=target, answer=result
            )

    async def action(
        self,
        obis: Obis | str,
        method: int,
        parameters: axdr.Value = None,
        *,
        class_id: int | None = None,
        accept: Iterable[ActionResult] = (),
        confirmed: bool = True,
        broadcast: bool = False,
    ) -> axdr.Value:
        """Invoke a method; its return data (None when there is none). A result other than
        success (or one in ``accept``) raises AccessError. ``confirmed`` and
        ``broadcast`` as for :meth:`set` (an unconfirmed call returns None)."""
        name = _obis(obis)
        descriptor = CosemMethodDescriptor(
            class_id=class_id if class_id is not None else self.class_of(name),
            instance_id=name,
            method_id=method,
        )
        target = f"{name}/{descriptor.class_id}/method {method}"
        if not confirmed or broadcast:
            call = Action(
                descriptor=descriptor,
                parameters=parameters,
                confirmed=confirmed,
                broadcast=broadcast,
            )
            await self._send_unconfirmed(call, "action", target)
            return None
        event = await self._request(
            Action(descriptor=descriptor, parameters=parameters), ActionDone, "action", target
        )
        response = event.results[0]
        allowed = {ActionResult.SUCCESS, *accept}
        if response.result not in allowed:
            raise AccessError(
                f"the meter answered {_describe(response.result)}",
                step="action",
                target=target,
                answer=response.result,
            )
        returned = response.return_parameters
        if isinstance(returned, Data):
            return returned.value
        return None

    async def _action_result(
        self, obis: Obis, method: int, parameters: axdr.Value, class_id: int
    ) -> ActionResult:
        descriptor = CosemMethodDescriptor(class_id=class_id, instance_id=obis, method_id=method)
        event = await self._request(
            Action(descriptor=descriptor, parameters=parameters),
            ActionDone,
            "action",
            f"{obis}/{class_id}/method {method}",
        )
        return ActionResult(event.results[0].result)

    async def read_object(
        self, obis: Obis | str, *, class_id: int | None = None, version: int | None = None
    ) -> dict[str, Any]:
        """Every attribute of one object, typed through the COSEM catalogue (attribute
        name → value; a refused attribute maps to its DataAccessResult)."""
        name = _obis(obis)
        class_id = class_id if class_id is not None else self.class_of(name)
        if version is None:
            entry = self.view.get(name) if self.view is not None else None
            version = entry.version if entry is not None else 0
        spec = lookup(class_id, version)
        out: dict[str, Any] = {}
        for index, attribute in enumerate(spec.all_attributes, start=1):
            try:
                raw = await self.get(name, index, class_id=class_id)
            except AccessError as exc:
                out[attribute.name] = exc.answer
                continue
            out[attribute.name] = spec.decode_attribute(index, raw, lenient=True)
        return out

    async def association_view(self, *, refresh: bool = False) -> AssociationView:
        """The objects this association sees (Association LN object_list), read once per
        client; cached in ``association_cache`` (a directory) by meter and firmware."""
        if self.view is not None and not refresh:
            return self.view
        cache = None
        if self.association_cache is not None:
            meter = await self._identity()
            cache = self.association_cache / f"{meter}-client{self.client_address}.axdr"
            if cache.exists() and not refresh:
                try:
                    self.view = AssociationView.from_ln_object_list(cache.read_bytes(), 1)
                    return self.view
                except DlmsError:
                    _log.warning("association cache %s unreadable: read again", cache)
        raw = await self.get(CURRENT_ASSOCIATION, 2, class_id=15)
        self.view = AssociationView.from_ln_object_list(raw, 1)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache.with_suffix(".tmp")
            temporary.write_bytes(axdr.encode(raw))
            temporary.replace(cache)
        return self.view

    async def _identity(self) -> str:
        name = await self.get(LOGICAL_DEVICE_NAME, 2, class_id=1)
        try:
            firmware = await self.get(FIRMWARE_VERSION, 2, class_id=1)
        except AccessError:
            firmware = axdr.OctetString(b"")

        def text(value: object) -> str:
            raw = bytes(value) if isinstance(value, bytes) else str(value).encode()
            return "".join(chr(b) if chr(b).isalnum() else "_" for b in raw) or "x"

        return f"{text(name)}-{text(firmware)}"

    async def read_invocation_counter(self, obis: Obis | str = INVOCATION_COUNTER) -> int:
        """The invocation counter a meter publishes (0.0.43.1.x.255) for its key."""
        value = await self.get(obis, 2, class_id=1)
        if not isinstance(value, int):
            raise AccessError(f"not a counter: {value!r}", step="get", target=str(obis))
        return int(value)

    # --- profiles -------------------------------------------------------------------------

    async def profile(
        self,
        obis: Obis | str,
        *,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        from_entry: int | None = None,
        to_entry: int = 0,
        scalers: bool = True,
    ) -> ProfileTable:
        """Rows of a profile generic: by date range (``start``/``end``, aware datetimes;
        ``end`` defaults to now), by entry (``from_entry``..``to_entry``, 1 = oldest,
        0 = newest), or all; typed rows with scaled values."""
        name = _obis(obis)
        spec = lookup(7, 1)
        batch = self._with_list_allowed()
        if batch:
            # capture_objects and capture_period in one get-request-with-list: one round
            # trip less per profile (Green Book 9.3.7, multiple references).
            columns_raw, period = await self.get_with_list([(name, 3, 7), (name, 4, 7)])
            if isinstance(columns_raw, DataAccessResult):
                raise AccessError(
                    f"the meter answered {_describe(columns_raw)}",
                    step="get",
                    target=f"{name}/7/3",
                    answer=columns_raw,
                )
        else:
            columns_raw = await self.get(name, 3, class_id=7)
            period = await self.get(name, 4, class_id=7)
        capture_objects = spec.decode_attribute(3, columns_raw)
        scaler_units = await self._scaler_units(capture_objects, batch) if scalers else {}
        selection = None
        if start is not None or end is not None:
            if start is None:
                raise ValueError("a date range needs start")
            end = end or dt.datetime.now(dt.UTC)
            selection = RangeDescriptor.by_clock(
                CosemDateTime.from_datetime(start), CosemDateTime.from_datetime(end)
            ).to_access_descriptor()
        elif from_entry is not None:
            selection = EntryDescriptor(
                from_entry=from_entry, to_entry=to_entry
            ).to_access_descriptor()
        # The buffer is typed from the bytes received (parse_buffer checks them, with
        # the offset of anything wrong): the session does not decode it first.
        data = await self._get_data(name, 2, 7, selection, lazy=True)
        buffer: Any = data.raw
        if not buffer or buffer[0] != axdr.DataType.ARRAY:
            buffer = data.value  # a compact-array, or not an array at all
            if not isinstance(buffer, axdr.CompactArray):
                raise AccessError(
                    f"the buffer is not an array: {buffer!r}", step="get", target=str(name)
                )
        return parse_buffer(
            buffer,
            capture_objects,
            capture_period=int(period) if isinstance(period, int) else 0,
            scaler_units=scaler_units,
        )

    def _with_list_allowed(self) -> bool:
        """The association negotiated multiple references (get-request-with-list)."""
        accepted = self.accepted
        return accepted is not None and bool(accepted.conformance & Conformance.MULTIPLE_REFERENCES)

    async def _scaler_units(self, columns: Any, batch: bool) -> dict[Obis, ScalerUnit]:
        """The scaler_unit of every register-like column (classes 3, 4, 5): in one
        with-list request when allowed, else one GET each; a column whose scaler_unit the
        meter refuses stays unscaled."""
        wanted: dict[Obis, int] = {}
        for column in columns:
            if column.class_id in (3, 4, 5):
                wanted.setdefault(column.logical_name, column.class_id)
        units: dict[Obis, ScalerUnit] = {}
        if batch and len(wanted) > 1:
            answers = await self.get_with_list([(n, 3, c) for n, c in wanted.items()])
            for name, raw in zip(wanted, answers, strict=True):
                if not isinstance(raw, DataAccessResult):
                    with contextlib.suppress(DlmsError, ValueError):
                        units[name] = ScalerUnit.from_data(raw)
            return units
        for name, class_id in wanted.items():
            try:
                raw = await self.get(name, 3, class_id=class_id)
            except AccessError:  # refused: the column stays unscaled
                continue
            with contextlib.suppress(DlmsError, ValueError):
                units[name] = ScalerUnit.from_data(raw)
        return units

    # --- clock -------------------------------------------------------------------------------

    async def read_clock(self, obis: Obis | str = CLOCK) -> dt.datetime:
        """The meter's time (aware when the meter sends its deviation)."""
        raw = await self.get(obis, 2, class_id=8)
        if not isinstance(raw, bytes | CosemDateTime):
            raise AccessError(f"not a date-time: {raw!r}", step="get", target=str(obis))
        stamp = raw if isinstance(raw, CosemDateTime) else CosemDateTime.from_bytes(bytes(raw))
        return stamp.to_datetime()

    async def set_clock(self, moment: dt.datetime, obis: Obis | str = CLOCK) -> None:
        """Set the meter's time (an aware datetime: its offset is sent as deviation)."""
        if moment.tzinfo is None:
            raise ValueError("moment must be an aware datetime")
        await self.set(
            obis, 2, axdr.OctetString(CosemDateTime.from_datetime(moment).to_bytes()), class_id=8
        )

    async def sync_clock(self, obis: Obis | str = CLOCK) -> dt.timedelta:
        """Set the meter's time to this computer's, in the meter's own UTC offset; returns
        how far the meter was off (meter - here) before."""
        before = await self.read_clock(obis)
        here = dt.datetime.now(dt.UTC)
        offset = before.utcoffset() if before.tzinfo is not None else None
        target = here.astimezone(dt.timezone(offset)) if offset is not None else here
        await self.set_clock(target, obis)
        if before.tzinfo is None:
            return dt.timedelta(0)
        return before - here

    async def keep_alive(self) -> None:
        """One cheap request (the logical device name) that keeps the association and
        the link from timing out."""
        await self.get(LOGICAL_DEVICE_NAME, 2, class_id=1)

    # --- firmware -----------------------------------------------------------------------------

    async def update_firmware(
        self,
        image: bytes,
        identifier: bytes,
        *,
        obis: Obis | str = IMAGE_TRANSFER,
        activate: bool = True,
        poll_interval: float = 1.0,
        work_timeout: float = 300.0,
        progress: Callable[[int, int], Awaitable[None] | None] | None = None,
    ) -> FirmwareResult:
        """The complete image transfer (Blue Book 4.4.6): enable, read the block size,
        initiate (the same image resumes from the first block not transferred, even in a
        new association), send the blocks (ACTION pblocks when one is larger than the
        PDU), check for missing blocks and resend them, verify and activate, polling the
        status while the meter answers temporary-failure; activation may drop the link:
        the client then reconnects and reads the status. ``progress(sent, total)`` is
        called after each block."""
        name = _obis(obis)
        if not image:
            raise ValueError("the image is empty")
        if not await self.get(name, 5, class_id=18):
            await self.set(name, 5, axdr.Boolean(True), class_id=18)
        block_size = int(await self.get(name, 2, class_id=18))  # type: ignore[arg-type]
        total = (len(image) + block_size - 1) // block_size
        await self.action(
            name,
            1,
            axdr.Structure((axdr.OctetString(identifier), axdr.DoubleLongUnsigned(len(image)))),
            class_id=18,
        )
        first = int(await self.get(name, 4, class_id=18))  # type: ignore[arg-type]
        sent = 0

        async def send(number: int) -> None:
            nonlocal sent
            block = image[number * block_size : (number + 1) * block_size]
            await self.action(
                name,
                2,
                axdr.Structure((axdr.DoubleLongUnsigned(number), axdr.OctetString(block))),
                class_id=18,
            )
            sent += 1
            if progress is not None:
                outcome = progress(number + 1, total)
                if asyncio.iscoroutine(outcome):
                    await outcome

        for number in range(min(first, total), total):
            await send(number)
        for _ in range(3):  # missing-block check and resend
            status = await self.get(name, 3, class_id=18)
            missing = _missing_blocks(status, total)
            if not missing:
                break
            for number in missing:
                await send(number)
        else:
            raise AccessError("blocks still missing after 3 rounds", step="image transfer")
        await self._work(name, 3, poll_interval, work_timeout, done=3, failed=4, step="verify")
        activated = False
        if activate:
            try:
                await self._work(
                    name, 4, poll_interval, work_timeout, done=6, failed=7, step="activate"
                )
            except ConnectionLostError:
                await self._reconnect_after_restart(work_timeout)
                await self._poll_status(name, poll_interval, work_timeout, 6, 7, "activate")
            activated = True
        return FirmwareResult(
            identifier=identifier,
            size=len(image),
            block_size=block_size,
            blocks_sent=sent,
            resumed_from=first,
            activated=activated,
        )

    async def _work(
        self,
        name: Obis,
        method: int,
        poll: float,
        limit: float,
        *,
        done: int,
        failed: int,
        step: str,
    ) -> None:
        result = await self._action_result(name, method, axdr.Integer(0), 18)
        if result == ActionResult.SUCCESS:
            return
        if result != ActionResult.TEMPORARY_FAILURE:
            raise AccessError(
                f"the meter answered {_describe(result)}",
                step=step,
                target=str(name),
                answer=result,
            )
        await self._poll_status(name, poll, limit, done, failed, step)

    async def _poll_status(  # noqa: PLR0917 - private, every argument needed
        self, name: Obis, poll: float, limit: float, done: int, failed: int, step: str
    ) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            await asyncio.sleep(poll)
            status = int(await self.get(name, 6, class_id=18))  # type: ignore[arg-type]
            if status == done:
                return
            if status == failed:
                raise AccessError(
                    f"image {step} failed (status {status})",
                    step=step,
                    target=str(name),
                    answer=status,
                )
        raise NoAnswerError(f"image {step} not finished after {limit:g} s", step=step)

    async def _reconnect_after_restart(self, limit: float) -> None:
        await self.close()
        deadline = time.monotonic() + limit
        while True:
            try:
                await self.connect()
                if self.settings.outgoing_counter is not None:
                    pass  # the counter object keeps counting across associations
                await self.associate()
                return
            except (ConnectionLostError, NoAnswerError):
                await self.close()
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(1.0)


def _missing_blocks(status: axdr.Value, total: int) -> list[int]:
    """Blocks the meter has not received, from image_transferred_blocks_status."""
    if not isinstance(status, axdr.BitString):
        return []
    return [i for i in range(total) if i >= len(status) or not status[i]]


class Client:
    """The blocking twin of :class:`AsyncClient`: the same methods, without ``await``,
    run by a private event loop in a background thread (nothing written twice)::

        with Client("tcp://127.0.0.1:4059") as meter:
            print(meter.get("0.0.42.0.0.255"))
    """

    def __init__(self, url: str | ConnectionSpec, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="dlmskit-client"
        )
        self._thread.start()
        try:
            self._async = self._run(self._make(url, options))
        except BaseException:  # a bad option: no thread left behind
            self._stop()
            raise

    @staticmethod
    async def _make(url: str | ConnectionSpec, options: dict[str, Any]) -> AsyncClient:
        return AsyncClient(url, **options)

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if self._loop.is_closed():
            coroutine.close()
            raise ConnectionLostError("this Client was closed", step="request")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result()
        except KeyboardInterrupt:
            # Ctrl-C in the caller's thread: stop the operation in the loop too, so the
            # exit that follows does not run beside it.
            future.cancel()
            raise

    # The connection steps, typed; every operation (get, set, profile, ...) is the
    # AsyncClient method of the same name run in the loop thread, through __getattr__.

    @property
    def async_client(self) -> AsyncClient:
        """The :class:`AsyncClient` this twin drives."""
        return self._async

    def connect(self) -> None:
        """See :meth:`AsyncClient.connect`."""
        self._run(self._async.connect())

    def associate(self) -> AssociationAccepted:
        """See :meth:`AsyncClient.associate`."""
        return self._run(self._async.associate())

    def release(self) -> None:
        """See :meth:`AsyncClient.release`."""
        self._run(self._async.release())

    def close(self) -> None:
        """Close the transport (see :meth:`AsyncClient.close`) and stop the loop thread."""
        try:
            self._run(self._async.close())
        finally:
            self._stop()

    if TYPE_CHECKING:
        # What __getattr__ gives, spelled out for type checkers and editors: each is
        # the AsyncClient method of the same name, without await.

        def get(
            self,
            obis: Obis | str,
            attribute: int = 2,
            *,
            class_id: int | None = None,
            selection: SelectiveAccessDescriptor | None = None,
        ) -> axdr.Value: ...

        def get_with_list(
            self, items: Sequence[tuple[Obis | str, int] | tuple[Obis | str, int, int]]
        ) -> list[axdr.Value | DataAccessResult]: ...

        def set(
            self,
            obis: Obis | str,
            attribute: int,
            value: axdr.Value,
            *,
            class_id: int | None = None,
            confirmed: bool = True,
            broadcast: bool = False,
        ) -> None: ...

        def action(
            self,
            obis: Obis | str,
            method: int,
            parameters: axdr.Value = None,
            *,
            class_id: int | None = None,
            accept: Iterable[ActionResult] = (),
            confirmed: bool = True,
            broadcast: bool = False,
        ) -> axdr.Value: ...

        def read_object(
            self, obis: Obis | str, *, class_id: int | None = None, version: int | None = None
        ) -> dict[str, Any]: ...

        def association_view(self, *, refresh: bool = False) -> AssociationView: ...

        def read_invocation_counter(self, obis: Obis | str = INVOCATION_COUNTER) -> int: ...

        def profile(
            self,
            obis: Obis | str,
            *,
            start: dt.datetime | None = None,
            end: dt.datetime | None = None,
            from_entry: int | None = None,
            to_entry: int = 0,
            scalers: bool = True,
        ) -> ProfileTable: ...

        def read_clock(self, obis: Obis | str = CLOCK) -> dt.datetime: ...

        def set_clock(self, moment: dt.datetime, obis: Obis | str = CLOCK) -> None: ...

        def sync_clock(self, obis: Obis | str = CLOCK) -> dt.timedelta: ...

        def keep_alive(self) -> None: ...

        def update_firmware(
            self,
            image: bytes,
            identifier: bytes,
            *,
            obis: Obis | str = IMAGE_TRANSFER,
            activate: bool = True,
            poll_interval: float = 1.0,
            work_timeout: float = 300.0,
            progress: Callable[[int, int], Awaitable[None] | None] | None = None,
        ) -> FirmwareResult: ...

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._async, name)
        if not asyncio.iscoroutinefunction(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._run(attribute(*args, **kwargs))

        call.__name__ = name
        call.__doc__ = attribute.__doc__
        return call

    def __enter__(self) -> Client:
        try:
            self._run(self._async.__aenter__())
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop.is_closed():  # close() was called inside the with-block
            return
        try:
            self._run(self._async.__aexit__(*exc))
        finally:
            self._stop()

    def _stop(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        if not self._loop.is_running():
            self._loop.close()
