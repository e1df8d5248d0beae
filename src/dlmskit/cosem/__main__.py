"""``python -m dlmskit.cosem classes``: the catalogue of declared interface classes.

One line per (class id, version) with the class name and its attribute and method counts
(``logical_name`` included), then the totals. The count is how much of the Blue Book the
object model covers.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from dlmskit.cosem.classes import catalogue

_USAGE = "usage: python -m dlmskit.cosem classes"


def classes_report() -> list[str]:
    """The lines the ``classes`` command prints."""
    specs = catalogue()
    lines = [f"{'class':>5}  {'ver':>3}  {'name':<40} {'attrs':>5}  {'methods':>7}"]
    attributes = methods = 0
    for spec in specs:
        n_attr = len(spec.all_attributes)
        n_meth = len(spec.methods)
        attributes += n_attr
        methods += n_meth
        lines.append(
            f"{spec.class_id:>5}  {spec.version:>3}  {spec.name:<40} {n_attr:>5}  {n_meth:>7}"
        )
    ids = len({spec.class_id for spec in specs})
    lines.append(
        f"total: {ids} classes, {len(specs)} class versions, "
        f"{attributes} attributes, {methods} methods"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["classes"]:
        print(_USAGE, file=sys.stderr)
        return 2
    print("\n".join(classes_report()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
