"""A simulator in a subprocess (its own interpreter and core), for network benchmarks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


class SimulatorProcess:
    """``python -m dlmskit.server`` on free loopback ports; ``ports`` by transport."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dlmskit.server", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.ports: dict[str, int] = {}
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("listening "):
                kind, address = line.split()[1:3]
                self.ports[kind] = int(address.rsplit(":", 1)[1])
            if line.startswith("meter "):
                break
        if not self.ports:
            raise RuntimeError("the simulator did not start")

    def peak_rss_kib(self) -> int:
        """The simulator's peak resident memory (VmHWM), KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
