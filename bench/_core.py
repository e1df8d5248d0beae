"""The benchmark model: cases, implementations, targets, timing and results.

A :class:`Case` is one piece of work (say "decode this GET.response"). It lists
:class:`Impl` entries, one per (operation, library, path): each knows how to set itself
up (imports and fixtures; an ``ImportError`` there means "not available"), returns the
zero-argument callable that is timed, and verifies one result of that callable so that
no figure is reported for work that was not really done. :class:`Target` entries turn
the measured figures into PASS / MISS lines.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

SUBJECT = "dlmskit"

Role = Literal["subject", "peer", "floor"]
Status = Literal["ok", "unavailable", "failed"]


class VerificationError(Exception):
    """An implementation returned something other than the expected result."""


@dataclass(frozen=True)
class Impl:
    """One way of doing one operation of a case, by one library.

    ``setup`` does the imports and builds any fixtures, and returns the callable to time
    wrapped in a :class:`Prepared`.
    An ``ImportError`` (or :class:`Unavailable`) raised by ``setup`` marks the
    implementation as not available; any other exception is a failure of the benchmark.
    ``verify`` receives one return value of the timed callable, raises
    :class:`VerificationError` if it is wrong and may return a short description of it.
    """

    operation: str
    library: str
    path: str
    setup: Callable[[], Prepared]
    verify: Callable[[object], str | None]
    role: Role = "peer"


@dataclass(frozen=True)
class Prepared:
    """What an :class:`Impl` setup returns: the callable to time, and remarks to print."""

    fn: Callable[[], object]
    notes: tuple[str, ...] = ()


class Unavailable(Exception):
    """Raised by an :class:`Impl` setup when the implementation cannot run here."""


@dataclass(frozen=True)
class Timing:
    """Per-operation times in seconds over ``repeats`` runs of ``loops`` calls each."""

    loops: int
    per_op: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.per_op)

    @property
    def best(self) -> float:
        return min(self.per_op)


@dataclass
class Result:
    impl: Impl
    status: Status
    timing: Timing | None = None
    error: str = ""
    shape: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def median_ms(self) -> float | None:
        return None if self.timing is None else self.timing.median * 1e3


@dataclass(frozen=True)
class Target:
    """A goal for dlmskit on one operation.

    ``max_ms``: dlmskit's median must be at most this. ``peer`` with ``min_ratio``: the
    peer's median (its fastest path) divided by dlmskit's must be at least this.
    """

    operation: str
    max_ms: float | None = None
    peer: str | None = None
    min_ratio: float | None = None

    @property
    def label(self) -> str:
        if self.max_ms is not None:
            return f"{self.operation} ≤ {self.max_ms:g} ms"
        return f"{self.operation} ≥ {self.min_ratio:g}× faster than {self.peer}"


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    impls: Sequence[Impl]
    targets: Sequence[Target] = ()
    notes: Sequence[str] = ()


@dataclass(frozen=True)
class Settings:
    repeats: int
    min_time: float  # seconds one repeat should last at least (sets the loop count)


def _run(fn: Callable[[], object], loops: int) -> float:
    it = itertools.repeat(None, loops)
    start = time.perf_counter()
    for _ in it:
        fn()
    return time.perf_counter() - start


def measure(fn: Callable[[], object], settings: Settings) -> Timing:
    """Time ``fn`` like ``timeit``'s autorange + repeat, with the garbage collector on.

    The loop count is the first of 1, 2, 5, 10, 20, 50... for which one repeat lasts at
    least ``settings.min_time``; the calibration runs double as warm-up.
    """
    loops = 1
    for exp in itertools.count():
        for mult in (1, 2, 5):
            loops = mult * 10**exp
            if _run(fn, loops) >= settings.min_time:
                break
        else:
            continue
        break
    per_op = tuple(_run(fn, loops) / loops for _ in range(settings.repeats))
    return Timing(loops=loops, per_op=per_op)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_impl(impl: Impl, settings: Settings) -> Result:
    try:
        prepared = impl.setup()
    except (ImportError, Unavailable) as exc:
        return Result(impl, "unavailable", error=_describe(exc))
    except Exception as exc:
        return Result(impl, "failed", error=f"setup: {_describe(exc)}")
    fn = prepared.fn
    notes = list(prepared.notes)
    try:
        shape = impl.verify(fn()) or ""
    except Exception as exc:
        return Result(impl, "failed", error=f"wrong result: {_describe(exc)}", notes=notes)
    try:
        timing = measure(fn, settings)
        impl.verify(fn())  # still right after being run many times
    except Exception as exc:
        return Result(impl, "failed", error=f"while timing: {_describe(exc)}", notes=notes)
    return Result(impl, "ok", timing=timing, shape=shape, notes=notes)


@dataclass(frozen=True)
class Ratio:
    operation: str
    library: str
    value: float  # library's median / dlmskit's median
    library_ms: float
    subject_ms: float


@dataclass(frozen=True)
class Verdict:
    target: Target
    status: Literal["PASS", "MISS", "n/a"]
    detail: str


@dataclass
class CaseReport:
    case: Case
    results: list[Result]
    ratios: list[Ratio]
    verdicts: list[Verdict]

    @property
    def failed(self) -> bool:
        return any(r.status == "failed" for r in self.results)


def fastest(results: Sequence[Result], operation: str, library: str) -> Result | None:
    """The quickest successful path of ``library`` for ``operation``."""
    timed = [
        r
        for r in results
        if r.status == "ok" and r.impl.operation == operation and r.impl.library == library
    ]
    return min(timed, key=lambda r: r.timing.median if r.timing else 0.0, default=None)


def _judge(target: Target, results: Sequence[Result]) -> Verdict:
    ours = fastest(results, target.operation, SUBJECT)
    if ours is None or ours.median_ms is None:
        return Verdict(target, "n/a", f"no {SUBJECT} {target.operation} figure")
    if target.max_ms is not None:
        ok = ours.median_ms <= target.max_ms
        return Verdict(target, "PASS" if ok else "MISS", f"{ours.median_ms:.3f} ms")
    assert target.peer is not None and target.min_ratio is not None
    peer = fastest(results, target.operation, target.peer)
    if peer is None or peer.median_ms is None:
        return Verdict(target, "n/a", f"no {target.peer} {target.operation} figure")
    ratio = peer.median_ms / ours.median_ms
    status: Literal["PASS", "MISS"] = "PASS" if ratio >= target.min_ratio else "MISS"
    return Verdict(target, status, f"{ratio:.1f}×")


def run_case(
    case: Case, settings: Settings, progress: Callable[[str], Any] | None = None
) -> CaseReport:
    results = []
    for impl in case.impls:
        if progress:
            progress(f"{case.name}: {impl.operation} / {impl.library} ({impl.path})")
        results.append(run_impl(impl, settings))
    ratios = []
    operations = list(dict.fromkeys(i.operation for i in case.impls))
    for operation in operations:
        ours = fastest(results, operation, SUBJECT)
        if ours is None or ours.timing is None:
            continue
        libraries = dict.fromkeys(
            i.library for i in case.impls if i.operation == operation and i.library != SUBJECT
        )
        for library in libraries:
            theirs = fastest(results, operation, library)
            if theirs is not None and theirs.timing is not None:
                theirs_ms, ours_ms = theirs.timing.median * 1e3, ours.timing.median * 1e3
                ratios.append(Ratio(operation, library, theirs_ms / ours_ms, theirs_ms, ours_ms))
    verdicts = [_judge(t, results) for t in case.targets]
    return CaseReport(case, results, ratios, verdicts)
