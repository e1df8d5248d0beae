"""A simulator in a subprocess (its own interpreter and core), for network benchmarks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


class SimulatorProcess:
    """``python -m dlmskit.server --port 0 ARGS``: ``ports`` by transport (``tcp``,
    ``hdlc+tcp``, ``udp``), ``port`` (the TCP one), ``titles`` (system title by logical
    address, one per ``--meters``), and the process's memory and CPU from /proc."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dlmskit.server", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        meters = int(args[args.index("--meters") + 1]) if "--meters" in args else 1
        self.ports: dict[str, int] = {}
        self.titles: dict[int, bytes] = {}
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("listening "):
                kind, address = line.split()[1:3]
                self.ports[kind] = int(address.rsplit(":", 1)[1])
            elif line.startswith("meter "):
                fields = dict(item.split("=", 1) for item in line.split()[1:])
                self.titles[int(fields["logical"])] = bytes.fromhex(fields["system-title"])
                if len(self.titles) == meters:
                    break
        if not self.ports:
            self.stop()
            raise RuntimeError("the simulator did not start")

    @property
    def port(self) -> int:
        """The TCP port (wrapper, or HDLC with --hdlc)."""
        return self.ports.get("tcp") or self.ports.get("hdlc+tcp") or 0

    def status_kib(self, field: str) -> int:
        """A memory line of /proc/PID/status (VmRSS, VmHWM), KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def peak_rss_kib(self) -> int:
        """The simulator's peak resident memory (VmHWM), KiB."""
        return self.status_kib("VmHWM")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the simulator so far."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)
