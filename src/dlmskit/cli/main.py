"""The ``dlmskit`` command group.

Commands are imported lazily (``dlmskit decode`` does not import asyncio or the
simulator): ``_COMMANDS`` maps each name to ``module:function``. Exit codes: 0 success,
1 a protocol or meter error, 2 a usage error (click's own convention for bad options).
"""

from __future__ import annotations

import importlib
from typing import Final

import click

from dlmskit import __version__

#: command name → "module:attribute" of its click command.
_COMMANDS: Final = {
    "get": "dlmskit.cli.meter:get_command",
    "set": "dlmskit.cli.meter:set_command",
    "action": "dlmskit.cli.meter:action_command",
    "read": "dlmskit.cli.meter:read_command",
    "objects": "dlmskit.cli.meter:objects_command",
    "profile": "dlmskit.cli.meter:profile_command",
    "clock": "dlmskit.cli.meter:clock_command",
    "firmware": "dlmskit.cli.meter:firmware_command",
    "decode": "dlmskit.cli.decode:decode_command",
    "listen": "dlmskit.cli.listen:listen_command",
    "simulate": "dlmskit.cli.simulate:simulate_command",
}


def _load(name: str) -> click.Command | None:
    module_name, _, attribute = _COMMANDS[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:  # the command is not part of this build
            return None
        raise
    command = getattr(module, attribute, None)
    return command if isinstance(command, click.Command) else None


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in _COMMANDS if _load(name) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        return _load(cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dlmskit")
def main() -> None:
    """dlmskit: read, simulate, decode and listen to DLMS/COSEM (IEC 62056) meters."""


if __name__ == "__main__":  # pragma: no cover
    main()
