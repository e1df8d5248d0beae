"""The registry of benchmark cases, in the order they run.

Each entry is a factory returning a :class:`bench._core.Case`; the factories are only
called for the cases selected on the command line. Later issues add entries here (HDLC
framing, CRC, ...).
"""

from __future__ import annotations

from collections.abc import Callable

from bench import (
    apdu_get,
    axdr_profile,
    client_read,
    cosem_profile,
    link_hdlc,
    link_serial,
    security_push,
)
from bench._core import Case

CASES: dict[str, Callable[[], Case]] = {
    "axdr-profile": axdr_profile.case,
    "apdu-get": apdu_get.case,
    "link-hdlc": link_hdlc.case,
    "link-serial": link_serial.case,
    "security-push": security_push.case,
    "cosem-profile": cosem_profile.case,
    "client-read": client_read.case,
    "server-rps": lambda: __import__("bench.server_rps", fromlist=["case"]).case(),
    "decode-dump": lambda: __import__("bench.decode_dump", fromlist=["case"]).case(),
    "listener-ingest": lambda: __import__("bench.listener_ingest", fromlist=["case"]).case(),
}
