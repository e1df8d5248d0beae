"""The top-level ``dlmskit`` namespace: every name of ``__all__`` resolves, and importing
the package does not pull in the client, the simulator, the listener or the decoder (nor
asyncio, sqlite3, serial) until one of their names is used."""

from __future__ import annotations

import subprocess
import sys

import pytest

import dlmskit


@pytest.mark.parametrize("name", dlmskit.__all__)
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(dlmskit, name)
    assert value is not None
    assert name in dir(dlmskit)


def test_lazy_names_are_the_modules_own_objects() -> None:
    from dlmskit.client import AsyncClient, Client
    from dlmskit.decoder import decode_dump
    from dlmskit.listener import PushListener
    from dlmskit.server import Simulator

    assert dlmskit.Client is Client and dlmskit.AsyncClient is AsyncClient
    assert dlmskit.Simulator is Simulator and dlmskit.PushListener is PushListener
    assert dlmskit.decode_dump is decode_dump
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = dlmskit.Nope  # type: ignore[attr-defined]


def test_import_dlmskit_stays_light() -> None:
    code = (
        "import sys, dlmskit\n"
        "heavy = [m for m in ('dlmskit.client', 'dlmskit.server', 'dlmskit.listener',"
        " 'dlmskit.decoder', 'asyncio', 'sqlite3', 'serial') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
        "from dlmskit import Client\n"
        "print('dlmskit.client' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    heavy, loaded = result.stdout.splitlines()
    assert heavy == ""
    assert loaded == "True"
