"""The simulator's state file (``--state FILE``): SQLite, one key → bytes table.

Written values, the received firmware image, events, the clock offset and the last
invocation counter accepted per (key, client) are written *off the event loop*: ``put``
queues the row and a writer thread commits queued rows in batches. What must be durable
before it is used (the outgoing invocation counter's reserved block, keys, secrets) goes
through ``put_durable``, which commits before it returns (Green Book: a counter value is
never reused, not even after a crash; security/counters.py reserves blocks so that this
costs one write per block of values).

A process killed at any moment leaves a consistent file (SQLite transactions, WAL
journal); at most the rows queued in the last batch interval are lost, never a counter
block. ``close()`` flushes the queue.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from pathlib import Path
from typing import Final, cast

from dlmskit.errors import DlmsError

__all__ = ["StateError", "StateStore"]

_SCHEMA: Final = "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value BLOB NOT NULL)"
_UPSERT: Final = (
    "INSERT INTO state (key, value) VALUES (?, ?) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
)
_STOP: Final = object()


class StateError(DlmsError):
    """The state file cannot be opened or is not a dlmskit state file."""


class _Counters:
    """A :class:`~dlmskit.security.counters.CounterStore` over the state file (durable)."""

    def __init__(self, store: StateStore, prefix: str) -> None:
        self._store = store
        self._prefix = prefix + "counter:"

    def load(self, key_id: str) -> int | None:
        raw = self._store.get(self._prefix + key_id)
        return None if raw is None else int(raw.decode())

    def save(self, key_id: str, value: int) -> None:
        self._store.put_durable(self._prefix + key_id, str(value).encode())


class StateStore:
    """The state file at ``path`` (created when missing)."""

    def __init__(self, path: str | Path, *, batch_interval: float = 0.2) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(_SCHEMA)
            self._db.execute("SELECT key, value FROM state LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: not a usable state file ({exc})") from None
        self._cache: dict[str, bytes] = {}
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._interval = batch_interval
        self._closed = False
        self._writer = threading.Thread(target=self._write_loop, name="dlmskit-state", daemon=True)
        self._writer.start()

    def __repr__(self) -> str:
        return f"StateStore({str(self.path)!r})"

    # --- reading --------------------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        if key in self._cache:
            return self._cache[key]
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def load_all(self, prefix: str) -> dict[str, bytes]:
        """Every row whose key starts with ``prefix``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, value FROM state WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
            ).fetchall()
        result = {str(k): bytes(v) for k, v in rows}
        result.update({k: v for k, v in self._cache.items() if k.startswith(prefix)})
        return result

    # --- writing --------------------------------------------------------------------------

    def put(self, key: str, value: bytes) -> None:
        """Queue a row for the writer thread (returns at once)."""
        if self._closed:
            raise StateError("the state file is closed")
        self._cache[key] = bytes(value)
        self._queue.put((key, bytes(value)))

    def put_durable(self, key: str, value: bytes) -> None:
        """Write and commit a row before returning."""
        if self._closed:
            raise StateError("the state file is closed")
        self._cache[key] = bytes(value)
        with self._lock:
            self._db.execute(_UPSERT, (key, bytes(value)))

    def counter_store(self, prefix: str) -> _Counters:
        return _Counters(self, prefix)

    def _write_loop(self) -> None:
        # Rows are joined into one transaction per batch interval; a flush marker (an
        # Event) or the stop marker commits at once.
        while True:
            item = self._queue.get()
            batch: dict[str, bytes] = {}
            markers: list[threading.Event] = []
            stop = False
            while True:
                if item is _STOP:
                    stop = True
                    break
                if isinstance(item, threading.Event):
                    markers.append(item)
                    break
                key, value = cast(tuple[str, bytes], item)
                batch[key] = value
                try:
                    item = self._queue.get(timeout=self._interval)
                except queue.Empty:
                    break
            if batch:
                with self._lock:
                    self._db.execute("BEGIN")
                    self._db.executemany(_UPSERT, list(batch.items()))
                    self._db.execute("COMMIT")
            for marker in markers:
                marker.set()
            if stop:
                return

    def flush(self) -> None:
        """Wait until every row queued so far is committed."""
        if self._closed:
            return
        done = threading.Event()
        self._queue.put(done)
        done.wait()

    def close(self) -> None:
        """Flush the queue and close the file."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._writer.join()
        with self._lock:
            self._db.close()
