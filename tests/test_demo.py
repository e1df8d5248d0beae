"""The demo (``make demo``) starts the simulator, reads it with the client, stops it."""

from __future__ import annotations

import io
import re

from dlmskit import demo


def test_demo_reads_the_simulator() -> None:
    out = io.StringIO()
    assert demo.run(out) == 0
    text = out.getvalue()
    assert "DLK0000000000001" in text  # the logical device name, read by the public client
    assert "0.0.43.1.0.255" in text
    assert re.search(r"1\.0\.1\.8\.0\.255 +│ +\d{7} │ Wh", text)  # the energy register
    profile_rows = re.findall(r"│ \d{4}-\d\d-\d\d \d\d:\d\d [+-]\d{4} │", text)
    assert 7 <= len(profile_rows) <= 9  # two hours of 15-minute rows
    assert text.rstrip().endswith("The simulator has stopped.")
