"""What every ``dlmskit`` command shares: exit codes and one-line errors.

A :class:`~dlmskit.errors.DlmsError` (a protocol or meter error) ends the command with
exit code 1 and one or two lines on stderr that say what to check, never a traceback; a
bad option or argument is a click usage error (exit code 2).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Final, ParamSpec, TypeVar

import click

from dlmskit.errors import DlmsError

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "env_secret",
    "fail",
    "hex_bytes",
    "reports_errors",
]

EXIT_OK: Final = 0
EXIT_ERROR: Final = 1
EXIT_USAGE: Final = 2

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str) -> click.exceptions.Exit:
    """Print ``message`` to stderr and return the exit for a protocol / meter error."""
    click.echo(f"error: {message}", err=True)
    return click.exceptions.Exit(EXIT_ERROR)


def reports_errors(function: Callable[P, R]) -> Callable[P, R]:
    """Turn DlmsError / OSError / TimeoutError raised by a command into exit code 1."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except (DlmsError, OSError, TimeoutError) as exc:
            raise fail(str(exc) or type(exc).__name__) from None

    return wrapper


def hex_bytes(value: str | None, what: str, *, length: tuple[int, ...] = ()) -> bytes | None:
    """Parse a hex option (spaces, colons and a 0x prefix tolerated); a usage error names
    the option and never echoes the value (it may be a key)."""
    if value is None:
        return None
    text = value.strip().lower().removeprefix("0x").replace(" ", "").replace(":", "")
    try:
        data = bytes.fromhex(text)
    except ValueError:
        raise click.BadParameter("is not hexadecimal", param_hint=what) from None
    if length and len(data) not in length:
        sizes = " or ".join(str(n) for n in length)
        raise click.BadParameter(f"must be {sizes} bytes, not {len(data)}", param_hint=what)
    return data


def env_secret(value: str | None, variable: str) -> str | None:
    """An option's value, else the environment variable ``variable`` (secrets given this
    way stay out of shell history)."""
    if value is not None:
        return value
    return os.environ.get(variable) or None
