"""The push listener's SQLite store: one row per notification received.

Columns: ``received_at`` (UTC seconds), ``source`` (``tcp:host:port`` ...), the meter's
``system_title`` and ``invocation_counter`` (ciphered pushes), ``kind``
(``data-notification``, ``event-notification``, ``p1-telegram``, ``error``), the ``raw``
frame, the decoded ``values`` (JSON) and an ``error`` text for frames that could not be
decoded. A ciphered push is identified by (system title, invocation counter): it is
stored once, however often it arrives (``UNIQUE`` + ``INSERT OR IGNORE``); plaintext
pushes carry no such identity and are stored as received (NULLs are never equal in a
UNIQUE index).

Durability: WAL journal with ``synchronous=FULL``, so a committed batch survives a power
cut or SIGKILL; batches are one transaction each (:meth:`PushStore.add_batch`). No clock
is read here: times are passed in.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from dlmskit.errors import DlmsError

__all__ = ["PushRecord", "PushStore", "PushStoreError"]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY,
    received_at REAL NOT NULL,
    source TEXT NOT NULL,
    system_title BLOB,
    invocation_counter INTEGER,
    kind TEXT NOT NULL,
    raw BLOB NOT NULL,
    "values" TEXT,
    error TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS notifications_identity
    ON notifications (system_title, invocation_counter);
"""
_INSERT: Final = (
    "INSERT OR IGNORE INTO notifications (received_at, source, system_title, "
    'invocation_counter, kind, raw, "values", error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
)


class PushStoreError(DlmsError):
    """The database cannot be opened or is not a dlmskit push store."""


@dataclass(frozen=True, slots=True)
class PushRecord:
    """One notification to store."""

    received_at: float
    source: str
    raw: bytes
    kind: str
    values: str | None = None  # JSON
    system_title: bytes | None = None
    invocation_counter: int | None = None
    error: str | None = None


class PushStore:
    """The SQLite file at ``path`` (created when missing). One writer at a time; the
    listener calls it from one worker thread (``check_same_thread=False``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise PushStoreError(f"{self.path}: not a usable push database ({exc})") from None

    def __repr__(self) -> str:
        return f"PushStore({str(self.path)!r})"

    def add_batch(self, records: Sequence[PushRecord]) -> list[int | None]:
        """Store ``records`` in one transaction; per record its row id, or None when it
        was a duplicate of a ciphered push already stored."""
        ids: list[int | None] = []
        cursor = self._db.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            for r in records:
                cursor.execute(
                    _INSERT,
                    (
                        r.received_at,
                        r.source,
                        r.system_title,
                        r.invocation_counter,
                        r.kind,
                        r.raw,
                        r.values,
                        r.error,
                    ),
                )
                ids.append(cursor.lastrowid if cursor.rowcount == 1 else None)
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        return ids

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM notifications").fetchone()[0])

    def rows(self) -> list[tuple[object, ...]]:
        """Every row (id, received_at, source, system_title, invocation_counter, kind,
        raw, values, error), in id order."""
        return list(self._db.execute("SELECT * FROM notifications ORDER BY id"))

    def close(self) -> None:
        self._db.close()
