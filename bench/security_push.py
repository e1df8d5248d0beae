"""Case ``security-push``: unprotect and decode an authenticated-and-encrypted push.

Operation:

``push-dec``
    From the wire bytes of a general-glo-ciphering (0xDB, SC 0x30, security suite 0)
    carrying a Data-Notification to the typed notification body: decode the envelope,
    check the tag and decrypt (AES-GCM-128, 12-byte tag), decode the Data-Notification and
    its body (a flat structure of OBIS code / value pairs, the shape meters push, cf.
    PUSH-02). About 300 bytes on the wire. The frame is built once with dlmskit's
    ``ciphering.protect``; every library opens the same bytes.

dlmskit: ``apdu.decode`` → ``context.decrypt_push`` (``ciphering.unprotect``) →
``apdu.decode`` (``DataNotification`` with an A-XDR ``Structure`` body).
dlms-cosem: ``GeneralGlobalCipher.from_bytes`` → ``security.decrypt`` →
``XDlmsApduFactory.apdu_from_bytes`` (``DataNotification``, raw body) →
``DlmsDataParser().parse(body)``.
gurux-dlms: ``GXDLMSSecureClient`` (PDU interface) with its ciphering set up (security
AUTHENTICATION_ENCRYPTION, block cipher and authentication keys) and
``getData(frame, reply, notify)``, the path of Gurux's push listener example; gurux-dlms
does AES-GCM in pure Python.

Target (issue 5): at least 30,000 notifications per second on one core, i.e. a median of
at most 1/30,000 s ≈ 0.0333 ms per notification. Every result is checked value by value.
"""

from __future__ import annotations

from contextlib import redirect_stdout
from typing import Any

from bench._core import SUBJECT, Case, Impl, Prepared, Target, VerificationError

EK = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
AK = bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")
SYSTEM_TITLE = bytes.fromhex("4C475A0000BC614E")
INVOCATION_COUNTER = 0x00177BCA
DATE_TIME = bytes.fromhex("07EA0B16FF162400FF800000")  # 2026-11-22 22:36:00, deviation -128
LONG_INVOKE_ID = 0x00177BCA
METER_ID = "LGZ1234567890123"
# (OBIS, value): the meter id, then double-long-unsigned registers.
REGISTERS: tuple[tuple[tuple[int, ...], int], ...] = tuple(
    ((1, 0, c, 8, t, 255), 1_000_000 + 7919 * i)
    for i, (c, t) in enumerate(
        [(c, t) for c in (1, 2, 3, 4) for t in (0, 1, 2, 3, 4)][:17],
    )
)
METER_ID_OBIS = (0, 0, 96, 1, 0, 255)
TARGET_PER_SECOND = 30_000


def _plain_and_wire() -> tuple[bytes, bytes]:
    from dlmskit import axdr
    from dlmskit.apdu.common import LongInvokeIdAndPriority
    from dlmskit.apdu.notification import DataNotification
    from dlmskit.security.ciphering import Envelope, protect

    items: list[axdr.Value] = [
        axdr.OctetString(bytes(METER_ID_OBIS)),
        axdr.VisibleString(METER_ID),
    ]
    for obis, value in REGISTERS:
        items += [axdr.OctetString(bytes(obis)), axdr.DoubleLongUnsigned(value)]
    plain = DataNotification(
        long_invoke_id_and_priority=LongInvokeIdAndPriority(LONG_INVOKE_ID),
        date_time=axdr.OctetString(DATE_TIME),
        notification_body=axdr.Structure(items),
    ).to_bytes()
    wire = protect(
        plain,
        envelope=Envelope.GENERAL_GLO,
        security_control=0x30,
        system_title=SYSTEM_TITLE,
        invocation_counter=INVOCATION_COUNTER,
        encryption_key=EK,
        authentication_key=AK,
    ).to_bytes()
    return plain, wire


PLAIN, WIRE = _plain_and_wire()
_EXPECTED: list[tuple[bytes, object]] = [(bytes(METER_ID_OBIS), METER_ID)] + [
    (bytes(obis), value) for obis, value in REGISTERS
]


def _check_pairs(pairs: list[tuple[bytes, object]]) -> None:
    if pairs != _EXPECTED:
        raise VerificationError(f"decoded pairs {pairs[:2]!r}... differ from the pushed ones")


# --- verification ---------------------------------------------------------------------------


def _verify_dlmskit(value: object) -> str:
    from dlmskit import axdr
    from dlmskit.apdu.notification import DataNotification

    if not isinstance(value, DataNotification):
        raise VerificationError(f"decoded to {type(value).__name__}")
    if value.long_invoke_id_and_priority.value != LONG_INVOKE_ID or value.date_time != DATE_TIME:
        raise VerificationError("wrong invoke id or date-time")
    body = value.notification_body
    if not isinstance(body, axdr.Structure):
        raise VerificationError(f"body is {type(body).__name__}")
    if type(body[1]) is not axdr.VisibleString or any(
        type(v) is not axdr.DoubleLongUnsigned for v in body[3::2]
    ):
        raise VerificationError("body values lost their DLMS types")
    _check_pairs([(bytes(o), v) for o, v in zip(body[::2], body[1::2], strict=True)])
    return f"DataNotification(Structure of {len(body)} typed values)"


def _verify_dlms_cosem(value: object) -> str:
    from dlms_cosem import dlms_data
    from dlms_cosem.protocol.xdlms import DataNotification

    if not isinstance(value, tuple) or len(value) != 2:
        raise VerificationError(f"returned {value!r}")
    notification, parsed = value
    if not isinstance(notification, DataNotification):
        raise VerificationError(f"decoded to {type(notification).__name__}")
    if notification.long_invoke_id_and_priority.long_invoke_id != LONG_INVOKE_ID:
        raise VerificationError("wrong long invoke id")
    if len(parsed) != 1 or not isinstance(parsed[0], dlms_data.DataStructure):
        raise VerificationError(f"body parsed to {parsed!r}")
    items = parsed[0].value
    if not isinstance(items[3], dlms_data.DoubleLongUnsignedData):
        raise VerificationError("body values lost their DLMS types")
    pairs = [(bytes(o.value), v.value) for o, v in zip(items[::2], items[1::2], strict=True)]
    _check_pairs(pairs)
    return f"(DataNotification, [DataStructure of {len(items)} typed values])"


def _verify_gurux(value: object) -> str:
    if not isinstance(value, list) or len(value) != 2 * len(_EXPECTED):
        raise VerificationError(f"decoded to {type(value).__name__}")
    pairs = [(bytes(o), v) for o, v in zip(value[::2], value[1::2], strict=True)]
    _check_pairs(pairs)
    return f"list of {len(value)} Python values (bytearray / str / int)"


class _Sink:
    """A stdout that drops everything."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


# --- implementations ------------------------------------------------------------------------


def _dlmskit() -> Prepared:
    from dlmskit.apdu import decode
    from dlmskit.security.context import decrypt_push
    from dlmskit.security.keys import SecurityKeys

    keys = SecurityKeys(
        system_title=bytes(8), global_unicast_key=EK, authentication_key=AK
    )  # a listener's own title is not used to decrypt
    wire = WIRE

    def run() -> object:
        return decode(decrypt_push(decode(wire), keys))

    return Prepared(run, ("tag verified; body decoded to typed A-XDR values",))


def _dlmskit_no_verify() -> Prepared:
    from dlmskit.apdu import decode
    from dlmskit.security.context import decrypt_push
    from dlmskit.security.keys import SecurityKeys

    keys = SecurityKeys(system_title=bytes(8), global_unicast_key=EK)
    wire = WIRE

    def run() -> object:
        return decode(decrypt_push(decode(wire), keys, verify_tag=False))

    return Prepared(run, ("verify_tag=False: a listener holding only the encryption key",))


def _dlms_cosem() -> Prepared:
    from dlms_cosem import security
    from dlms_cosem.connection import XDlmsApduFactory
    from dlms_cosem.dlms_data import DlmsDataParser
    from dlms_cosem.protocol.xdlms import GeneralGlobalCipher

    apdu_from_bytes = XDlmsApduFactory.apdu_from_bytes
    wire = WIRE

    def run() -> object:
        envelope = GeneralGlobalCipher.from_bytes(wire)
        plain = security.decrypt(
            security_control=envelope.security_control,
            system_title=envelope.system_title,
            invocation_counter=envelope.invocation_counter,
            key=EK,
            cipher_text=envelope.ciphered_text,
            auth_key=AK,
        )
        notification = apdu_from_bytes(plain)
        return notification, DlmsDataParser().parse(notification.body)

    return Prepared(run, ("the body is parsed with DlmsDataParser (typed values)",))


def _gurux() -> Prepared:
    from gurux_dlms import GXReplyData
    from gurux_dlms.enums import InterfaceType, Security
    from gurux_dlms.secure import GXDLMSSecureClient

    client: Any = GXDLMSSecureClient(True, interfaceType=InterfaceType.PDU)
    client.ciphering.security = Security.AUTHENTICATION_ENCRYPTION
    client.ciphering.blockCipherKey = EK
    client.ciphering.authenticationKey = AK
    wire = WIRE

    sink = _Sink()

    def run() -> object:
        reply, notify = GXReplyData(), GXReplyData()
        with redirect_stdout(sink):  # gurux prints two lines per ciphered frame
            client.getData(bytearray(wire), reply, notify)
        if not notify.complete:
            raise ValueError("gurux-dlms did not complete the notification")
        return notify.value

    return Prepared(
        run,
        (
            "GXDLMSSecureClient.getData(frame, reply, notify): pure-Python AES-GCM",
            "gurux prints 'Encryption is applied.' / 'Authentication is applied.' for every "
            "frame; stdout is redirected to a no-op writer around the call",
        ),
    )


def case() -> Case:
    op = "push-dec"
    impls = [
        Impl(
            op,
            SUBJECT,
            "apdu.decode → context.decrypt_push → apdu.decode",
            _dlmskit,
            _verify_dlmskit,
            role="subject",
        ),
        # A separate operation: the target and the peer ratios are about the tag-verified
        # path; decrypting without the tag check is reported beside it, not counted for it.
        Impl(
            op + "-ek-only",
            SUBJECT,
            "the same with verify_tag=False",
            _dlmskit_no_verify,
            _verify_dlmskit,
            role="subject",
        ),
        Impl(
            op,
            "dlms-cosem",
            "GeneralGlobalCipher.from_bytes → security.decrypt → apdu_from_bytes → "
            "DlmsDataParser().parse",
            _dlms_cosem,
            _verify_dlms_cosem,
        ),
        Impl(
            op,
            "gurux-dlms",
            "GXDLMSSecureClient(PDU, AUTHENTICATION_ENCRYPTION).getData(frame, reply, notify)",
            _gurux,
            _verify_gurux,
        ),
    ]
    return Case(
        name="security-push",
        title=(
            f"authenticated-and-encrypted general-glo-ciphering Data-Notification "
            f"({len(WIRE)} bytes on the wire, {len(PLAIN)} bytes plain, "
            f"{2 * len(_EXPECTED)} body values)"
        ),
        impls=impls,
        targets=[Target(op, max_ms=1e3 / TARGET_PER_SECOND)],
        notes=(
            f"target: ≥ {TARGET_PER_SECOND:,} notifications per second on one core "
            f"(median ≤ {1e3 / TARGET_PER_SECOND:.4f} ms); notifications/s = 1000 / median ms",
            "the frame is built once with dlmskit.security.ciphering.protect (SC 0x30, "
            "suite 0); every result is checked pair by pair",
        ),
    )
