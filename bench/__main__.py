"""``python -m bench``: run the benchmark cases and print figures, ratios and targets.

Exit status: 0 when every figure was measured and verified (whether the targets are met
or missed: this is a report), 1 when an implementation failed (an exception, or a result
that is not the expected one), 2 for a bad command line. An implementation that cannot
be imported is reported as "not available" and does not fail the run.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import textwrap
from importlib import metadata
from typing import Any

from bench._core import SUBJECT, CaseReport, Result, Settings, run_case
from bench.cases import CASES

LIBRARIES = {SUBJECT: "dlmskit", "gurux-dlms": "gurux-dlms", "dlms-cosem": "dlms-cosem"}


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure dlmskit against gurux-dlms and dlms-cosem on the same work.",
    )
    parser.add_argument("cases", nargs="*", metavar="CASE", help="cases to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--quick", action="store_true", help="fewer, shorter repeats (rougher figures)"
    )
    parser.add_argument("--repeats", type=int, help="timed repeats per figure (default 21)")
    parser.add_argument(
        "--min-time",
        type=float,
        help="seconds one repeat lasts at least, which sets the loop count (default 0.05)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    unknown = [name for name in args.cases if name not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(CASES)}")
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.min_time is not None and args.min_time <= 0:
        parser.error("--min-time must be positive")
    return args


def _versions() -> dict[str, str]:
    versions = {}
    for label, dist in LIBRARIES.items():
        try:
            versions[label] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[label] = "not installed"
    return versions


def _environment(settings: Settings) -> dict[str, Any]:
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": f"{platform.system()} {platform.machine()}",
        "versions": _versions(),
        "repeats": settings.repeats,
        "min_time_s": settings.min_time,
        "statistic": "median per operation over the repeats, garbage collector enabled",
    }


# --- text report --------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value * 1e3:9.3f}"


def _result_lines(result: Result) -> list[str]:
    impl = result.impl
    lead = f"  {impl.operation:<9} {impl.library:<11}"
    indent = " " * 14
    if result.status == "ok" and result.timing is not None:
        timing = result.timing
        lines = [f"{lead} {_ms(timing.median)}  {_ms(timing.best)}  {timing.loops:>6}  {impl.path}"]
    elif result.status == "unavailable":
        lines = [f"{lead} not available ({result.error})", f"{indent}{impl.path}"]
    else:
        lines = [f"{lead} FAILED: {result.error}", f"{indent}{impl.path}"]
    for note in result.notes:
        lines += textwrap.wrap(
            note,
            width=110,
            initial_indent=f"{indent}note: ",
            subsequent_indent=f"{indent}      ",
            break_on_hyphens=False,
        )
    if result.shape:
        lines.append(f"{indent}→ {result.shape}")
    return lines


def _text_report(reports: list[CaseReport], environment: dict[str, Any]) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in environment["versions"].items())
    out = [
        f"dlmskit benchmark: {environment['python']} on {environment['platform']}",
        f"versions: {versions}",
        f"figures: ms per operation, median and best of {environment['repeats']} repeats of "
        f"at least {environment['min_time_s']:g} s each, garbage collector enabled",
    ]
    for report in reports:
        case = report.case
        out += ["", f"[{case.name}] {case.title}"]
        out += [f"  {note}" for note in case.notes]
        out += [
            "",
            f"  {'operation':<9} {'library':<11} {'median ms':>9}  {'best ms':>9}  "
            f"{'loops':>6}  path",
        ]
        for result in report.results:
            out += _result_lines(result)
        out += ["", "  ratios (fastest path of each library, median / median of dlmskit):"]
        if report.ratios:
            for ratio in report.ratios:
                label = f"{ratio.library} / {SUBJECT}"
                out.append(
                    f"    {ratio.operation:<9} {label:<24} = {ratio.value:6.2f}×"
                    f"   ({ratio.library_ms:.3f} ms / {ratio.subject_ms:.3f} ms)"
                )
        else:
            out.append(f"    none: no {SUBJECT} figure")
        if report.verdicts:
            out += ["", "  targets:"]
            for verdict in report.verdicts:
                out.append(f"    {verdict.status:<4}  {verdict.target.label:<40} {verdict.detail}")
    return "\n".join(out)


# --- JSON report --------------------------------------------------------------------------


def _result_json(result: Result) -> dict[str, Any]:
    impl = result.impl
    data: dict[str, Any] = {
        "operation": impl.operation,
        "library": impl.library,
        "role": impl.role,
        "path": impl.path,
        "status": result.status,
        "notes": result.notes,
    }
    if result.timing is not None:
        data |= {
            "median_ms": result.timing.median * 1e3,
            "best_ms": result.timing.best * 1e3,
            "loops": result.timing.loops,
            "per_op_ms": [t * 1e3 for t in result.timing.per_op],
        }
    if result.error:
        data["error"] = result.error
    if result.shape:
        data["result"] = result.shape
    return data


def _json_report(reports: list[CaseReport], environment: dict[str, Any]) -> str:
    cases = [
        {
            "name": report.case.name,
            "title": report.case.title,
            "results": [_result_json(r) for r in report.results],
            "ratios": [
                {
                    "operation": r.operation,
                    "library": r.library,
                    "ratio": r.value,
                    "library_ms": r.library_ms,
                    "subject_ms": r.subject_ms,
                }
                for r in report.ratios
            ],
            "targets": [
                {"target": v.target.label, "status": v.status, "detail": v.detail}
                for v in report.verdicts
            ],
        }
        for report in reports
    ]
    return json.dumps({"environment": environment, "cases": cases}, indent=2)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.list:
        for name, factory in CASES.items():
            print(f"{name}: {factory().title}")
        return 0
    repeats = args.repeats or (7 if args.quick else 21)
    min_time = args.min_time or (0.02 if args.quick else 0.05)
    settings = Settings(repeats=repeats, min_time=min_time)

    def progress(message: str) -> None:
        if not args.quiet:
            print(f"measuring {message}", file=sys.stderr, flush=True)

    reports = [run_case(CASES[name](), settings, progress) for name in args.cases or CASES]
    environment = _environment(settings)
    if args.json:
        print(_json_report(reports, environment))
    else:
        print(_text_report(reports, environment))
    failed = [
        f"{r.impl.operation} / {r.impl.library} ({r.impl.path})"
        for report in reports
        for r in report.results
        if r.status == "failed"
    ]
    for what in failed:
        print(f"bench: FAILED {what}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
