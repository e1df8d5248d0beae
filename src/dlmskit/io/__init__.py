"""I/O for the client: transports (TCP, UDP, serial with mode E, dial-up modems), the
connection strings that name them, and the sans-io client stack they drive. The only
package (with the server transports, the listener and the CLI) that touches sockets,
serial ports, the event loop or the clock (DESIGN.md rule 1)."""

from dlmskit.io.base import Transport, TransportClosed
from dlmskit.io.modem import ModemTransport
from dlmskit.io.serial import SerialTransport, mode_e_handshake
from dlmskit.io.stack import ClientStack
from dlmskit.io.tcp import TcpTransport
from dlmskit.io.udp import UdpTransport
from dlmskit.io.url import ConnectionSpec, parse_url

__all__ = [
    "ClientStack",
    "ConnectionSpec",
    "ModemTransport",
    "SerialTransport",
    "TcpTransport",
    "Transport",
    "TransportClosed",
    "UdpTransport",
    "mode_e_handshake",
    "open_transport",
    "parse_url",
]


def open_transport(spec: ConnectionSpec) -> Transport:
    """The (not yet opened) transport of a connection string."""
    if spec.scheme in ("tcp", "hdlc+tcp"):
        return TcpTransport(spec.host, spec.port)
    if spec.scheme == "udp":
        return UdpTransport(spec.host, spec.port)
    baud = 300 if spec.mode_e else spec.baud
    bytesize = 7 if spec.mode_e else spec.bytesize
    parity = "E" if spec.mode_e else spec.parity
    if spec.scheme == "modem":
        return ModemTransport(
            spec.path,
            spec.number,
            init=spec.init,
            dial_timeout=spec.dial_timeout,
            baud=baud,
            bytesize=bytesize,
            parity=parity,
            stopbits=spec.stopbits,
        )
    return SerialTransport(
        spec.path, baud=baud, bytesize=bytesize, parity=parity, stopbits=spec.stopbits
    )
