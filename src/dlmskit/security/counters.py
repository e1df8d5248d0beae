"""Invocation counters: outgoing, persisted as a reserved block; incoming, replay-checked.

The invocation counter is the last 4 bytes of the AES-GCM IV (system title ‖ IC); an IV
must never repeat under one key, so the outgoing counter must never go back, not even
after a crash (Green Book, "invocation counter"; DESIGN.md rule 10).

Outgoing counters are persisted as a *reserved block*: before the first value of a block
of ``block`` values is handed out, the store records the high-water mark (the first value
of the next block). A message then costs no write, and after a crash the counter resumes
at the recorded mark, above every value that may have been used; at most ``block - 1``
values are skipped. Stored value layout::

    store[key_id] = H   values < H may have been used; H is the first value never handed
                        out (0 ≤ H ≤ 2**32; H = 2**32 means the key is exhausted)

Sans-io: the store is a small protocol; :class:`MemoryCounterStore` is here, the I/O
layer provides a persistent one (SQLite).
"""

from __future__ import annotations

from typing import Final, Protocol

from dlmskit.errors import SecurityError

__all__ = [
    "MAX_INVOCATION_COUNTER",
    "CounterStore",
    "IncomingCounterCheck",
    "MemoryCounterStore",
    "OutgoingCounter",
]

MAX_INVOCATION_COUNTER: Final = 0xFFFF_FFFF
_EXHAUSTED: Final = MAX_INVOCATION_COUNTER + 1


class CounterStore(Protocol):
    """Where outgoing counters keep their high-water mark (must be durable when ``save``
    returns, or a crash may reuse values)."""

    def load(self, key_id: str) -> int | None:
        """The saved high-water mark of ``key_id``, or None when never saved."""
        ...

    def save(self, key_id: str, value: int) -> None:
        """Record the high-water mark of ``key_id``."""
        ...


class MemoryCounterStore:
    """A :class:`CounterStore` in a dict (tests, and counters that need not survive)."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}
        self.saves = 0

    def load(self, key_id: str) -> int | None:
        return self.values.get(key_id)

    def save(self, key_id: str, value: int) -> None:
        self.values[key_id] = value
        self.saves += 1

    def __repr__(self) -> str:
        return f"MemoryCounterStore({len(self.values)} keys, {self.saves} saves)"


class OutgoingCounter:
    """The invocation counter of one key for the frames we send.

    ``next()`` returns 0, 1, 2, … (or from ``initial`` for a key never seen by the store),
    saving ``mark + block`` to the store once per block, before the block's first value is
    returned. A new object over the same store (a restart) starts at the saved mark.
    Past 0xFFFFFFFF it refuses: the key must be renewed.
    """

    def __init__(
        self, store: CounterStore, key_id: str, block: int = 1000, *, initial: int = 0
    ) -> None:
        if block < 1:
            raise ValueError("block must be at least 1")
        if not 0 <= initial <= MAX_INVOCATION_COUNTER:
            raise ValueError("initial must be a 32-bit unsigned value")
        self._store = store
        self.key_id = key_id
        self.block = block
        saved = store.load(key_id)
        if saved is None:
            saved = initial
        elif not 0 <= saved <= _EXHAUSTED:
            raise SecurityError("stored invocation counter is out of range")
        self._next = saved
        # Values below ``_reserved`` are covered by a saved mark; none yet in this object.
        self._reserved = saved

    @property
    def peek(self) -> int:
        """The value ``next()`` would return (it may be out of range when exhausted)."""
        return self._next

    @property
    def exhausted(self) -> bool:
        return self._next > MAX_INVOCATION_COUNTER

    def next(self) -> int:
        """The next invocation counter value, never returned before under this key."""
        value = self._next
        if value > MAX_INVOCATION_COUNTER:
            raise SecurityError("invocation counter exhausted: the key must be renewed")
        if value >= self._reserved:
            mark = min(value + self.block, _EXHAUSTED)
            # Persist first: if save raises, the value is not used.
            self._store.save(self.key_id, mark)
            self._reserved = mark
        self._next = value + 1
        return value

    def __repr__(self) -> str:
        return (
            f"OutgoingCounter(key_id={self.key_id!r}, next={self._next}, "
            f"reserved_to={self._reserved}, block={self.block})"
        )


class IncomingCounterCheck:
    """Replay protection for received frames: per (key, peer) the invocation counter must
    increase strictly (Green Book: a receiver refuses a counter not greater than the last
    one accepted).

    ``window`` is an optional policy, off (0) by default: with ``window = w > 0`` a counter
    up to ``w - 1`` below the highest accepted one is accepted once, if not seen before
    (a sliding anti-replay window as in RFC 4303 3.4.3), for transports that may reorder
    (push over UDP). Memory per (key, peer) is bounded by the window.

    Record a counter only once the frame's tag has been verified, or a forged frame with a
    high counter would lock the peer out: call :meth:`verify` before decryption and
    :meth:`record` after, or :meth:`check` (both) once the tag is known good.
    """

    def __init__(self, window: int = 0) -> None:
        if window < 0:
            raise ValueError("window must not be negative")
        self.window = window
        self._highest: dict[tuple[str, bytes], int] = {}
        self._seen: dict[tuple[str, bytes], set[int]] = {}

    def _accepts(self, slot: tuple[str, bytes], counter: int) -> bool:
        if not 0 <= counter <= MAX_INVOCATION_COUNTER:
            return False
        highest = self._highest.get(slot)
        if highest is None or counter > highest:
            return True
        if self.window == 0 or counter <= highest - self.window:
            return False
        return counter not in self._seen.get(slot, ())

    def verify(self, key_id: str, peer: bytes, counter: int) -> None:
        """Raise SecurityError when ``counter`` is a replay or too old; records nothing."""
        if not self._accepts((key_id, bytes(peer)), counter):
            raise SecurityError("replayed or old invocation counter")

    def record(self, key_id: str, peer: bytes, counter: int) -> None:
        """Remember ``counter`` as accepted (after :meth:`verify` and a verified tag)."""
        slot = (key_id, bytes(peer))
        self.verify(key_id, peer, counter)
        highest = self._highest.get(slot)
        if highest is None or counter > highest:
            self._highest[slot] = counter
            highest = counter
        if self.window:
            seen = self._seen.setdefault(slot, set())
            seen.add(counter)
            floor = highest - self.window
            for old in [value for value in seen if value <= floor]:
                seen.discard(old)

    def check(self, key_id: str, peer: bytes, counter: int) -> None:
        """:meth:`verify` and :meth:`record` in one call."""
        self.record(key_id, peer, counter)

    def last(self, key_id: str, peer: bytes) -> int | None:
        """The highest counter accepted for (key, peer), None before the first."""
        return self._highest.get((key_id, bytes(peer)))

    def __repr__(self) -> str:
        return f"IncomingCounterCheck({len(self._highest)} slots, window={self.window})"
