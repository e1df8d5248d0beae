"""Benchmark runner for dlmskit: ``make bench`` (``python -m bench`` from the repo root).

Each benchmark case (see :mod:`bench._core`) measures the same work done by dlmskit, by
the peer libraries ``gurux-dlms`` and ``dlms-cosem`` and, where it helps, by a hand-written
special-purpose floor, verifies every result, and checks dlmskit against the targets set
in the issues. The peers are benchmark-only dependencies (``bench/requirements.txt``);
nothing under ``src/`` may import them.

To add a benchmark, write a module that builds a :class:`bench._core.Case` and append it
to :data:`bench.cases.CASES`.
"""
