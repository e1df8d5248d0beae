"""Connection strings: one form for every transport.

::

    tcp://host:4059                      the IEC 62056-47 wrapper over TCP
    hdlc+tcp://host:port                 HDLC frames over TCP (serial-to-IP converters)
    udp://host:4059                      the wrapper over UDP
    serial:///dev/ttyUSB0?baud=9600&parity=N&bytesize=8&stopbits=1
    serial:///dev/ttyUSB0?mode-e         optical probe: IEC 62056-21 mode E, then HDLC
    modem:///dev/ttyUSB0?number=0123456789&baud=9600    AT dial-up, then HDLC

Serial options: ``baud`` (any rate the port takes; default 9600, 300 to start mode E),
``parity`` N/E/O, ``bytesize`` 7/8, ``stopbits`` 1/2, ``mode-e`` (flag), ``address`` (the
IEC 62056-21 device address of the sign-on). Modem options: ``number``, ``init`` (AT
commands, ``;``-separated), ``dial-timeout``. A bad string raises :class:`ValueError`
naming the part that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["ConnectionSpec", "parse_url"]

SCHEMES: Final = ("tcp", "hdlc+tcp", "udp", "serial", "modem")
_SERIAL_KEYS: Final = frozenset(
    {
        "baud",
        "parity",
        "bytesize",
        "stopbits",
        "mode-e",
        "address",
        "number",
        "init",
        "dial-timeout",
    }
)


@dataclass(frozen=True, slots=True)
class ConnectionSpec:
    """A parsed connection string.

    ``framing`` is ``"wrapper"`` (tcp, udp) or ``"hdlc"`` (hdlc+tcp, serial, modem).
    """

    scheme: str
    host: str = ""
    port: int = 0
    path: str = ""
    baud: int = 9600
    parity: str = "N"
    bytesize: int = 8
    stopbits: int = 1
    mode_e: bool = False
    address: str = ""
    number: str = ""
    init: tuple[str, ...] = ()
    dial_timeout: float = 60.0

    @property
    def framing(self) -> str:
        return "wrapper" if self.scheme in ("tcp", "udp") else "hdlc"

    @property
    def datagram(self) -> bool:
        return self.scheme == "udp"

    def __str__(self) -> str:
        if self.scheme in ("serial", "modem"):
            return f"{self.scheme}://{self.path}"
        return f"{self.scheme}://{self.host}:{self.port}"


def _int(options: dict[str, str], key: str, default: int, allowed: tuple[int, ...] = ()) -> int:
    text = options.get(key)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{key}={text!r} is not a number") from None
    if allowed and value not in allowed:
        raise ValueError(f"{key} must be one of {allowed}, not {value}")
    if value <= 0:
        raise ValueError(f"{key} must be positive, not {value}")
    return value


def parse_url(url: str) -> ConnectionSpec:
    """The :class:`ConnectionSpec` of ``url`` (see the module docstring)."""
    if not isinstance(url, str) or "://" not in url:
        raise ValueError(
            f"{url!r} is not a connection string: expected tcp://host:port, "
            "hdlc+tcp://host:port, udp://host:port, serial:///dev/... or modem:///dev/..."
        )
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {parts.scheme!r} in {url!r}: use one of {SCHEMES}")
    if scheme in ("tcp", "hdlc+tcp", "udp"):
        if not parts.hostname:
            raise ValueError(f"{url!r}: the host is missing")
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"{url!r}: the port is not a number in 0..65535") from None
        if port is None:
            if scheme == "hdlc+tcp":
                raise ValueError(f"{url!r}: hdlc+tcp needs a port")
            port = 4059  # IANA: the DLMS/COSEM wrapper port
        if parts.query or (parts.path and parts.path != "/"):
            raise ValueError(f"{url!r}: a network address takes no path or options")
        return ConnectionSpec(scheme=scheme, host=parts.hostname, port=port)
    path = unquote(parts.path)
    if not path:
        raise ValueError(f"{url!r}: the device path is missing (serial:///dev/ttyUSB0)")
    raw = parse_qs(parts.query, keep_blank_values=True, strict_parsing=False)
    unknown = set(raw) - _SERIAL_KEYS
    if unknown:
        raise ValueError(f"{url!r}: unknown option(s) {sorted(unknown)}")
    options = {k: v[-1] for k, v in raw.items()}
    parity = options.get("parity", "N").upper()
    if parity not in ("N", "E", "O"):
        raise ValueError(f"parity must be N, E or O, not {parity!r}")
    mode_e = "mode-e" in options and options["mode-e"].lower() not in ("0", "no", "false")
    if scheme == "modem" and not options.get("number"):
        raise ValueError(f"{url!r}: a modem connection needs number=...")
    try:
        dial_timeout = float(options.get("dial-timeout", "60"))
    except ValueError:
        raise ValueError("dial-timeout is not a number") from None
    return ConnectionSpec(
        scheme=scheme,
        path=path,
        baud=_int(options, "baud", 9600),
        parity=parity,
        bytesize=_int(options, "bytesize", 8, (5, 6, 7, 8)),
        stopbits=_int(options, "stopbits", 1, (1, 2)),
        mode_e=mode_e,
        address=options.get("address", ""),
        number=options.get("number", ""),
        init=tuple(c for c in options.get("init", "").split(";") if c),
        dial_timeout=dial_timeout,
    )
