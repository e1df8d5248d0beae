"""The push listener's SQLite store: one row per notification received.

Columns: ``received_at`` (UTC seconds), ``source`` (``tcp:host:port`` ...), the meter's
``system_title`` and ``invocation_counter`` (ciphered pushes), ``kind``
(``data-notification``, ``event-notification``, ``p1-telegram``, ``error``), the ``raw``
frame, the decoded ``values`` (JSON) and an ``error`` text for frames that could not be
decoded. A ciphered push is identified by (system title, invocation counter): it is
stored once, however often it arrives (``UNIQUE`` + ``INSERT OR IGNORE``); plaintext
pushes carry no such identity and are stored as received (NULLs are never equal in a
UNIQUE index). The rule leaves out error rows (a partial index): a frame that failed its tag
check keeps the title and counter it claimed, for the record, but cannot stand in for the
genuine push with that counter.

Durability: WAL journal with ``synchronous=FULL``. Why FULL and not NORMAL: in WAL mode
NORMAL survives a crash of the process (SIGKILL) but may lose the last transactions on a
power cut, because the WAL is only synced at checkpoints; the listener prints a line (and
confirms a confirmed push to the meter) as the promise that the notification is stored, and
the meter will not send it again, so a commit must be on disk when it returns. FULL costs one
fsync of the WAL per commit; batches (:meth:`PushStore.add_batch`, one transaction each, up
to a thousand rows) spread it. A store from an earlier crash reopens as it was committed
(SQLite replays the WAL on open). No clock is read here: times are passed in.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from dlmskit.errors import DlmsError

__all__ = ["KINDS", "PushRecord", "PushStore", "PushStoreError"]

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
"""
_INDEX: Final = """
CREATE UNIQUE INDEX IF NOT EXISTS notifications_pushed_once
    ON notifications (system_title, invocation_counter) WHERE kind != 'error';
"""
_COLUMNS: Final = (
    "id",
    "received_at",
    "source",
    "system_title",
    "invocation_counter",
    "kind",
    "raw",
    "values",
    "error",
)
#: Kinds of rows the listener writes.
KINDS: Final = frozenset({"data-notification", "event-notification", "p1-telegram", "error"})
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

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, not {self.kind!r}")
        if (self.system_title is None) != (self.invocation_counter is None):
            raise ValueError("system_title and invocation_counter go together (ciphered pushes)")
        if self.invocation_counter is not None and not 0 <= self.invocation_counter <= 0xFFFFFFFF:
            raise ValueError(f"invocation_counter {self.invocation_counter} is not a uint32")


class PushStore:
    """The SQLite file at ``path`` (created when missing). One writer at a time; the
    listener calls it from one worker thread (``check_same_thread=False``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout=10000")  # a reader may hold a lock briefly
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            columns = tuple(r[1] for r in self._db.execute("PRAGMA table_info(notifications)"))
            if columns == _COLUMNS:
                self._db.executescript(_INDEX)
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(Exception):
                self._db.close()
            raise PushStoreError(f"{self.path}: not a usable push database ({exc})") from None
        except OSError as exc:  # pragma: no cover - sqlite3 reports these as DatabaseError
            raise PushStoreError(f"{self.path}: {exc.strerror or exc}") from None
        if columns != _COLUMNS:
            self._db.close()
            raise PushStoreError(
                f"{self.path}: its notifications table is not a dlmskit push store's "
                f"(columns {', '.join(columns)})"
            )

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
        """The number of rows."""
        return int(self._db.execute("SELECT count(*) FROM notifications").fetchone()[0])

    def rows(self) -> list[tuple[object, ...]]:
        """Every row (id, received_at, source, system_title, invocation_counter, kind,
        raw, values, error), in id order."""
        return list(self._db.execute("SELECT * FROM notifications ORDER BY id"))

    def close(self) -> None:
        """Close the database (idempotent)."""
        self._db.close()

    def __enter__(self) -> PushStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
