"""Case ``decode-dump``: ``dlmskit decode``'s engine on a 10,000-frame hex dump.

Operation:

``dump-10k``
    :func:`dlmskit.decoder.decode_dump` over one text of 10,000 lines, as a sniffer log
    looks (issue 10, "Decode throughput of ``dlmskit decode`` on a 10,000-frame dump"):
    each line is one push, in turn

    * an HDLC UI frame (LLC E6E700 + Data-Notification), printed as spaced hex behind a
      timestamp and ``RX:``;
    * the same Data-Notification over the wrapper (plain hex);
    * an authenticated-and-encrypted general-glo-ciphering of it (SC 0x30, suite 0; the
      frame of the ``security-push`` case), deciphered with EK and AK, tag checked;
    * the same APDU cut into two HDLC segments (S bit) on two lines.

    Every frame is split out of the text, its link checked (HCS/FCS, wrapper length),
    reassembled, deciphered where needed, decoded, and its 18 OBIS → value pairs listed
    with OBIS names. The result is verified: 10,000 decoded frames, and the values of each
    kind against the pushed ones.

Frames per second = 10,000 / the median time of one dump. There is no issue target for
this figure; no peer library decodes such a mixed dump in one call, so none is timed.
"""

from __future__ import annotations

from bench._core import SUBJECT, Case, Impl, Prepared, VerificationError
from bench.security_push import AK, EK, PLAIN, REGISTERS, WIRE

FRAMES = 10_000
_KINDS = 4


def _hdlc(information: bytes, *, segmented: bool = False) -> bytes:
    from dlmskit.link.hdlc import FrameKind, HdlcAddress, HdlcFrame

    return HdlcFrame(
        destination=HdlcAddress.client(16),
        source=HdlcAddress.server(1, 17),
        kind=FrameKind.UI,
        poll_final=False,
        send_sequence=None,
        receive_sequence=None,
        segmented=segmented,
        information=information,
    ).encode()


def _dump() -> str:
    from dlmskit.link.wrapper import WrapperPdu

    llc = b"\xe6\xe7\x00" + PLAIN
    hdlc = _hdlc(llc)
    spaced = " ".join(f"{b:02X}" for b in hdlc)
    wrapped = WrapperPdu(source=1, destination=16, apdu=PLAIN).encode().hex().upper()
    cipher = WIRE.hex().upper()
    half = len(llc) // 2
    first, second = _hdlc(llc[:half], segmented=True), _hdlc(llc[half:])
    segments = f"{first.hex().upper()}\n{second.hex().upper()}"
    lines = []
    for index in range(FRAMES):
        kind = index % _KINDS
        stamp = f"2026-11-22 22:{index // 3600 % 60:02d}:{index // 60 % 60:02d}.{index % 1000:03d}"
        if kind == 0:
            lines.append(f"{stamp} RX: {spaced}")
        elif kind == 1:
            lines.append(wrapped)
        elif kind == 2:
            lines.append(cipher)
        else:
            lines.append(segments)
    return "\n".join(lines) + "\n"


DUMP = _dump()


def _verify(value: object) -> str:
    from dlmskit.decoder import DecodedFrame

    if not isinstance(value, list) or len(value) != FRAMES:
        raise VerificationError(f"{len(value) if isinstance(value, list) else value!r} results")
    expected = {".".join(map(str, obis)): number for obis, number in REGISTERS}
    transports = []
    for result in value[:_KINDS]:
        if not isinstance(result, DecodedFrame):
            raise VerificationError(f"a frame failed: {result!r}")
        pairs = result.by_obis()
        if any(pairs.get(code) != number for code, number in expected.items()):
            raise VerificationError(f"{result.transport}: values differ from the pushed ones")
        transports.append(result.transport)
    if transports != ["hdlc", "wrapper", "apdu", "hdlc"] or not all(
        isinstance(r, DecodedFrame) for r in value
    ):
        raise VerificationError(f"unexpected results: {transports}")
    return f"{FRAMES:,} DecodedFrame ({', '.join(transports)}), 18 OBIS values each"


def _dlmskit() -> Prepared:
    from dlmskit.decoder import decode_dump, push_keys

    keys = push_keys(EK, AK)
    dump = DUMP

    def run() -> object:
        return decode_dump(dump, keys=keys)

    return Prepared(
        run,
        (
            f"one call decodes {FRAMES:,} frames ({len(DUMP):,} characters of hex text); "
            "frames per second = 10,000,000 / median ms",
        ),
    )


def case() -> Case:
    op = "dump-10k"
    return Case(
        name="decode-dump",
        title=(
            f"dlmskit decode on a {FRAMES:,}-frame hex dump (HDLC, wrapper, ciphered "
            "general-glo, 2-segment HDLC; 18 OBIS values each)"
        ),
        impls=[
            Impl(
                op,
                SUBJECT,
                "decoder.decode_dump(text, keys=push_keys(EK, AK))",
                _dlmskit,
                _verify,
                role="subject",
            )
        ],
        notes=(
            "frames per second = 10,000 / (median ms / 1000); issue 10 asks for the figure, "
            "without a target",
        ),
    )
