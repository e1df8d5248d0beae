"""``python -m dlmskit.cli``: the ``dlmskit`` command."""

from dlmskit.cli.main import main

main()
