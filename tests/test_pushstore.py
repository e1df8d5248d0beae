"""The push store on real SQLite files: the duplicate rule (ciphered pushes once by system
title and invocation counter, plaintext as received, error rows outside the rule), batches
as single transactions, a store reopened intact after its writer was SIGKILLed, and files
that are not push stores refused with a clear error."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit._pushstore import PushRecord, PushStore, PushStoreError

TITLE_A = bytes.fromhex("4D4D4D0000BC614E")  # the system title of vectors.json's push examples
TITLE_B = bytes.fromhex("4C475A0000BC614E")


def ciphered(title: bytes, counter: int, at: float = 1.0) -> PushRecord:
    return PushRecord(
        received_at=at,
        source="tcp:127.0.0.1:5000",
        raw=b"\xdb" + title + counter.to_bytes(4, "big"),
        kind="data-notification",
        values='{"values":[1]}',
        system_title=title,
        invocation_counter=counter,
    )


def plaintext(at: float = 1.0) -> PushRecord:
    return PushRecord(
        received_at=at, source="udp:127.0.0.1:5001", raw=b"\x0f\x00", kind="data-notification"
    )


def test_ciphered_duplicates_are_stored_once_plaintext_as_received(tmp_path: Path) -> None:
    with PushStore(tmp_path / "p.sqlite") as store:
        ids = store.add_batch([ciphered(TITLE_A, 1), ciphered(TITLE_A, 1), ciphered(TITLE_B, 1)])
        assert ids[0] is not None and ids[1] is None and ids[2] is not None
        # the duplicate may come in a later batch too
        assert store.add_batch([ciphered(TITLE_A, 1, at=9.0), ciphered(TITLE_A, 2)])[0] is None
        assert all(i is not None for i in store.add_batch([plaintext(), plaintext()]))
        rows = store.rows()
    assert [(r[3], r[4]) for r in rows] == [
        (TITLE_A, 1),
        (TITLE_B, 1),
        (TITLE_A, 2),
        (None, None),
        (None, None),
    ]
    assert rows[0][1] == 1.0  # the first arrival is the one kept


def test_an_error_row_does_not_stand_in_for_the_genuine_push(tmp_path: Path) -> None:
    forged = PushRecord(
        received_at=1.0,
        source="tcp:10.0.0.9:1",
        raw=b"\xdb...",
        kind="error",
        system_title=TITLE_A,
        invocation_counter=7,
        error="authentication tag mismatch",
    )
    with PushStore(tmp_path / "p.sqlite") as store:
        ids = store.add_batch([forged, ciphered(TITLE_A, 7), ciphered(TITLE_A, 7)])
        assert ids[0] is not None and ids[1] is not None and ids[2] is None
        assert [r[5] for r in store.rows()] == ["error", "data-notification"]


def test_a_failing_batch_stores_nothing(tmp_path: Path) -> None:
    with PushStore(tmp_path / "p.sqlite") as store:
        store.add_batch([ciphered(TITLE_A, 1)])
        bad = PushRecord(received_at=1.0, source="x", raw=object(), kind="error")  # type: ignore[arg-type]
        with pytest.raises(sqlite3.Error):
            store.add_batch([ciphered(TITLE_A, 2), bad])
        assert store.count() == 1  # counter 2 was rolled back with the batch
        assert store.add_batch([ciphered(TITLE_A, 2)])[0] is not None


_WRITER = """
import sys
from dlmskit._pushstore import PushRecord, PushStore
store = PushStore(sys.argv[1])
title = bytes(8)
for batch in range(10**6):
    store.add_batch([
        PushRecord(received_at=float(batch), source="s", raw=bytes(200), kind="data-notification",
                   values="[]", system_title=title, invocation_counter=batch * 100 + i)
        for i in range(100)
    ])
    print(batch, flush=True)
"""


def test_reopens_intact_after_the_writer_is_killed(tmp_path: Path) -> None:
    db = tmp_path / "p.sqlite"
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    last = -1
    while last < 30:  # let it commit a few batches, then kill it in the middle of one
        last = int(writer.stdout.readline())
    writer.send_signal(signal.SIGKILL)
    writer.wait(10)
    last = max([last, *(int(x) for x in writer.stdout.read().split())])
    with PushStore(db) as store:
        count = store.count()
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counters = [r[4] for r in store.rows()]
    assert count % 100 == 0  # whole batches only
    assert count >= (last + 1) * 100  # every batch reported committed is there
    assert counters == list(range(count))
    with PushStore(db) as store:  # and it takes new rows
        assert store.add_batch([ciphered(TITLE_B, 1)])[0] == count + 1


def test_refuses_files_that_are_not_push_stores(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not an SQLite file at all, just text" * 100)
    with pytest.raises(PushStoreError, match="not a usable push database"):
        PushStore(junk)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notifications (id INTEGER, body TEXT)")
    with pytest.raises(PushStoreError, match="not a dlmskit push store"):
        PushStore(other)
    with pytest.raises(PushStoreError):
        PushStore(tmp_path / "no-such-dir" / "p.sqlite")


def test_records_are_checked() -> None:
    with pytest.raises(ValueError, match="kind"):
        PushRecord(received_at=0.0, source="s", raw=b"", kind="push")
    with pytest.raises(ValueError, match="go together"):
        PushRecord(received_at=0.0, source="s", raw=b"", kind="error", system_title=TITLE_A)
    with pytest.raises(ValueError, match="uint32"):
        PushRecord(
            received_at=0.0,
            source="s",
            raw=b"",
            kind="error",
            system_title=TITLE_A,
            invocation_counter=2**32,
        )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from([TITLE_A, TITLE_B, None]), st.integers(0, 5))),
        max_size=6,
    )
)
def test_each_identity_once_in_any_batching(
    tmp_path_factory: pytest.TempPathFactory, batches: list[list[tuple[bytes | None, int]]]
) -> None:
    db = tmp_path_factory.mktemp("store") / "p.sqlite"
    seen: set[tuple[bytes, int]] = set()
    expected_new = 0
    with PushStore(db) as store:
        for batch in batches:
            records = [ciphered(t, c) if t is not None else plaintext() for t, c in batch]
            ids = store.add_batch(records)
            for (t, c), row_id in zip(batch, ids, strict=True):
                fresh = t is None or (t, c) not in seen
                assert (row_id is not None) == fresh
                if t is not None:
                    seen.add((t, c))
                expected_new += fresh
        assert store.count() == expected_new
