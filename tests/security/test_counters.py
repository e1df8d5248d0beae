"""Tests of dlmskit.security.counters: reserved-block outgoing counters, replay checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlmskit.errors import SecurityError
from dlmskit.security.counters import (
    MAX_INVOCATION_COUNTER,
    CounterStore,
    IncomingCounterCheck,
    MemoryCounterStore,
    OutgoingCounter,
)

METER = bytes.fromhex("4D4D4D0000000001")
OTHER = bytes.fromhex("4B464D1020304050")


class RecordingStore(MemoryCounterStore):
    """Remembers, at each save, which values had been handed out before it."""

    def __init__(self) -> None:
        super().__init__()
        self.handed_out: list[int] = []
        self.log: list[tuple[int, list[int]]] = []

    def save(self, key_id: str, value: int) -> None:
        self.log.append((value, list(self.handed_out)))
        super().save(key_id, value)


class FailingStore(MemoryCounterStore):
    def save(self, key_id: str, value: int) -> None:
        raise OSError("disk full")


def test_memory_store_is_a_counter_store() -> None:
    store: CounterStore = MemoryCounterStore()
    assert store.load("ek") is None
    store.save("ek", 5)
    assert store.load("ek") == 5


def test_one_write_per_block() -> None:
    store = MemoryCounterStore()
    counter = OutgoingCounter(store, "guek", block=10)
    values = [counter.next() for _ in range(25)]
    assert values == list(range(25))
    assert store.saves == 3  # blocks [0,10), [10,20), [20,30)
    assert store.load("guek") == 30


def test_mark_saved_before_block_is_used() -> None:
    store = RecordingStore()
    counter = OutgoingCounter(store, "guek", block=4)
    for _ in range(9):
        store.handed_out.append(counter.next())
    for mark, before in store.log:
        # When a mark is saved, no value at or above the previous mark has been used.
        assert all(value < mark for value in before)
    assert [mark for mark, _ in store.log] == [4, 8, 12]
    assert store.log[1][1] == [0, 1, 2, 3]  # mark 8 saved before 4 was handed out


def test_failed_save_uses_no_value() -> None:
    counter = OutgoingCounter(FailingStore(), "guek")
    with pytest.raises(OSError):
        counter.next()
    assert counter.peek == 0


def test_crash_restart_never_reuses() -> None:
    store = MemoryCounterStore()
    first = OutgoingCounter(store, "guek", block=100)
    used = [first.next() for _ in range(42)]
    # "Crash": the object is lost; a new one over the same store.
    second = OutgoingCounter(store, "guek", block=100)
    resumed = second.next()
    assert resumed == 100 > max(used)
    assert store.saves == 2


def test_keys_are_independent() -> None:
    store = MemoryCounterStore()
    ek = OutgoingCounter(store, "guek", block=5)
    bk = OutgoingCounter(store, "gbek", block=5)
    assert [ek.next(), ek.next(), bk.next()] == [0, 1, 0]
    assert store.values == {"guek": 5, "gbek": 5}


def test_initial_value_only_for_new_keys() -> None:
    store = MemoryCounterStore()
    assert OutgoingCounter(store, "guek", initial=7).next() == 7
    assert OutgoingCounter(store, "guek", initial=0).next() == 1007


def test_wrap_refused() -> None:
    store = MemoryCounterStore()
    store.save("guek", MAX_INVOCATION_COUNTER - 2)
    counter = OutgoingCounter(store, "guek", block=1000)
    assert [counter.next() for _ in range(3)] == [
        MAX_INVOCATION_COUNTER - 2,
        MAX_INVOCATION_COUNTER - 1,
        MAX_INVOCATION_COUNTER,
    ]
    assert store.load("guek") == MAX_INVOCATION_COUNTER + 1
    assert counter.exhausted
    with pytest.raises(SecurityError, match="renewed"):
        counter.next()
    # Still refused after a restart.
    with pytest.raises(SecurityError, match="renewed"):
        OutgoingCounter(store, "guek").next()


def test_corrupt_store_and_bad_arguments() -> None:
    store = MemoryCounterStore()
    store.save("guek", -1)
    with pytest.raises(SecurityError):
        OutgoingCounter(store, "guek")
    store.save("guek", MAX_INVOCATION_COUNTER + 2)
    with pytest.raises(SecurityError):
        OutgoingCounter(store, "guek")
    with pytest.raises(ValueError):
        OutgoingCounter(MemoryCounterStore(), "guek", block=0)
    with pytest.raises(ValueError):
        OutgoingCounter(MemoryCounterStore(), "guek", initial=1 << 32)


@given(
    block=st.integers(1, 50),
    runs=st.lists(st.integers(0, 120), min_size=1, max_size=6),
)
def test_outgoing_property_never_reuses(block: int, runs: list[int]) -> None:
    """Any sequence of runs separated by crashes: values strictly increase, at most one
    save per block, and each restart skips fewer than ``block`` values."""
    store = MemoryCounterStore()
    seen: list[int] = []
    for run in runs:
        counter = OutgoingCounter(store, "k", block=block)
        saves_before = store.saves
        values = [counter.next() for _ in range(run)]
        if seen and values:
            assert values[0] - seen[-1] <= block
        seen.extend(values)
        assert store.saves - saves_before == -(-run // block)
        if values:
            assert store.load("k") is not None
            assert store.load("k") > values[-1]  # type: ignore[operator]
    assert seen == sorted(set(seen))


# --------------------------------------------------------------------------- incoming


def test_incoming_strictly_increasing() -> None:
    check = IncomingCounterCheck()
    check.check("guek", METER, 5)
    check.check("guek", METER, 6)
    check.check("guek", METER, 100)
    for stale in (100, 99, 6, 0):
        with pytest.raises(SecurityError, match="replayed or old invocation counter"):
            check.check("guek", METER, stale)
    assert check.last("guek", METER) == 100


def test_incoming_per_key_and_peer() -> None:
    check = IncomingCounterCheck()
    check.check("guek", METER, 10)
    check.check("guek", OTHER, 1)
    check.check("gbek", METER, 1)
    with pytest.raises(SecurityError):
        check.check("guek", OTHER, 1)
    assert check.last("gbek", OTHER) is None


def test_verify_records_nothing() -> None:
    check = IncomingCounterCheck()
    check.verify("guek", METER, 1000)  # e.g. before the tag is verified
    check.check("guek", METER, 3)  # a forged high counter did not lock the peer out
    with pytest.raises(SecurityError):
        check.verify("guek", METER, 3)
    check.record("guek", METER, 4)
    assert check.last("guek", METER) == 4


def test_incoming_range() -> None:
    check = IncomingCounterCheck()
    with pytest.raises(SecurityError):
        check.check("guek", METER, -1)
    with pytest.raises(SecurityError):
        check.check("guek", METER, MAX_INVOCATION_COUNTER + 1)
    check.check("guek", METER, MAX_INVOCATION_COUNTER)
    with pytest.raises(SecurityError):
        check.check("guek", METER, MAX_INVOCATION_COUNTER)


def test_window_policy() -> None:
    check = IncomingCounterCheck(window=4)
    check.check("k", METER, 10)
    check.check("k", METER, 8)  # reordered, within the window
    with pytest.raises(SecurityError):
        check.check("k", METER, 8)  # but only once
    check.check("k", METER, 7)
    with pytest.raises(SecurityError):
        check.check("k", METER, 6)  # 10 - 4: outside the window
    with pytest.raises(SecurityError):
        check.check("k", METER, 10)
    check.check("k", METER, 20)
    with pytest.raises(SecurityError):
        check.check("k", METER, 16)
    check.check("k", METER, 17)
    with pytest.raises(ValueError):
        IncomingCounterCheck(window=-1)


@given(st.lists(st.integers(0, 60), max_size=60))
def test_incoming_property_strict(counters: list[int]) -> None:
    """Without a window, exactly the values above every earlier accepted one pass."""
    check = IncomingCounterCheck()
    highest = -1
    for counter in counters:
        if counter > highest:
            check.check("k", METER, counter)
            highest = counter
        else:
            with pytest.raises(SecurityError):
                check.check("k", METER, counter)


@given(st.integers(1, 16), st.lists(st.integers(0, 80), max_size=80))
def test_incoming_property_window(window: int, counters: list[int]) -> None:
    """With a window: never the same value twice, never one at or below highest - window."""
    check = IncomingCounterCheck(window=window)
    accepted: set[int] = set()
    highest = -1
    for counter in counters:
        expected = counter not in accepted and (counter > highest or counter > highest - window)
        if expected:
            check.check("k", METER, counter)
            accepted.add(counter)
            highest = max(highest, counter)
        else:
            with pytest.raises(SecurityError):
                check.check("k", METER, counter)
