"""The profile file: named meters with their settings, so that secrets do not end up in
shell history. YAML::

    meters:
      kitchen:
        url: hdlc+tcp://10.0.0.7:4001
        client_address: 1
        server_address: 1
        physical_address: 17
        mechanism: hls-gmac
        ek: 000102030405060708090A0B0C0D0E0F
        ak: D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF
        system_title: 4D4D4D0000BC614E     # the meter's (the listener finds keys by it)
        password: "12345678"
        quirks: [lenient-ua]                 # also max_pdu, gbt_window, large_frames

Found at ``--profile FILE``, else ``$DLMSKIT_PROFILE``, else
``~/.config/dlmskit/meters.yaml`` when it exists.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
import yaml

__all__ = ["load_profile", "meter_settings"]

_KEYS = {
    "url",
    "client_address",
    "server_address",
    "physical_address",
    "mechanism",
    "password",
    "secret",
    "ek",
    "ak",
    "broadcast_ek",
    "system_title",
    "client_system_title",
    "suite",
    "invocation_counter",
    "baud",
    "parity",
    "bytesize",
    "timeout",
    "retries",
    "quirks",
    "max_pdu",
    "gbt_window",
    "large_frames",
}


def profile_path(given: Path | None) -> Path | None:
    if given is not None:
        return given
    env = os.environ.get("DLMSKIT_PROFILE")
    if env:
        return Path(env)
    default = Path.home() / ".config" / "dlmskit" / "meters.yaml"
    return default if default.exists() else None


def load_profile(given: Path | None) -> dict[str, dict[str, Any]]:
    """The meters of the profile file (empty when there is none); a usage error names
    the file and what is wrong."""
    path = profile_path(given)
    if path is None:
        return {}
    try:
        document = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise click.UsageError(f"profile {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise click.UsageError(f"profile {path}: not valid YAML ({exc})") from None
    meters = (document or {}).get("meters") if isinstance(document, dict) else None
    if not isinstance(meters, dict):
        raise click.UsageError(f"profile {path}: expected a 'meters:' mapping of names")
    result: dict[str, dict[str, Any]] = {}
    for name, settings in meters.items():
        if not isinstance(settings, dict):
            raise click.UsageError(f"profile {path}: meter {name!r} must be a mapping")
        unknown = set(settings) - _KEYS
        if unknown:
            raise click.UsageError(
                f"profile {path}: meter {name!r}: unknown keys {sorted(unknown)}"
            )
        result[str(name)] = dict(settings)
    return result


def meter_settings(profile: dict[str, dict[str, Any]], name: str | None) -> dict[str, Any]:
    """The settings of meter ``name`` (a usage error when the profile has no such meter)."""
    if name is None:
        return {}
    if name not in profile:
        known = ", ".join(sorted(profile)) or "none"
        raise click.UsageError(f"no meter {name!r} in the profile (known: {known})")
    return profile[name]
