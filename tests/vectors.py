"""Access to the shared test vectors (``../shared/vectors/vectors.json``).

The file holds real meter frames and standard examples; each record names its public
source. Tests that use a record cite its id.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

VECTORS_PATH = Path(__file__).resolve().parent.parent.parent / "shared" / "vectors" / "vectors.json"


@cache
def _records() -> dict[str, Any]:
    with VECTORS_PATH.open(encoding="utf-8") as handle:
        return {record["id"]: record for record in json.load(handle)}


def record(record_id: str) -> dict[str, Any]:
    """A top-level record, e.g. ``record("PUSH-05")``."""
    return _records()[record_id]  # type: ignore[no-any-return]


def item(table: str, number: int) -> dict[str, Any]:
    """Item ``number`` (1-based) of a table record, e.g. ``item("XDLMS", 4)`` = XDLMS-04."""
    return _records()[table]["items"][number - 1]  # type: ignore[no-any-return]


def item_bytes(table: str, number: int) -> bytes:
    return bytes.fromhex(item(table, number)["hex"])


def push_records() -> list[dict[str, Any]]:
    return [r for rid, r in _records().items() if rid.startswith("PUSH-")]
