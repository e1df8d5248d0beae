"""The demo (``make demo``) decodes its sample frames and says what it found."""

from __future__ import annotations

import io

from dlmskit import demo


def test_demo_decodes_every_sample() -> None:
    out = io.StringIO()
    assert demo.run(out) == 0
    text = out.getvalue()
    assert text.count("\n[") == len(demo.SAMPLES)
    # values from the frames, decoded: the clock of sample 1 and the Aidon meter's power
    assert "2002-12-04 10:06:11" in text
    assert "visible-string 'AIDON_V0001'" in text
    assert "double-long-unsigned 1362" in text
    assert "data-notification, invoke-id 0, date-time absent" in text
    assert "get-response-with-list, invoke-id 1" in text
    assert "<GetResponseNormal>" in text  # the XML rendering of the first frame
    assert "Obis('1.0.1.8.0.255')" in text
