"""``python -m dlmskit.server``: the same as ``dlmskit simulate``."""

from dlmskit.cli.simulate import simulate_command

simulate_command(prog_name="python -m dlmskit.server")
