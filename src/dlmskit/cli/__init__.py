"""The ``dlmskit`` command (click + rich). Each command lives in its own module and is
registered lazily by :mod:`dlmskit.cli.main`."""
