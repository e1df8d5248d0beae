"""Mechanisms 2-7 and security suites 1 and 2 configured in a model, associated over a
real loopback socket by our client session role."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from dlmskit.security import keys as keymod
from dlmskit.security.counters import MemoryCounterStore, OutgoingCounter
from dlmskit.security.keys import SecurityKeys
from dlmskit.security.mechanisms import SAPHIR_ENERDIS_SHA256, MechanismId
from dlmskit.server import load_model
from dlmskit.session import ClientSettings
from dlmskit.session._events import AssociationAccepted, GetResult, Released
from dlmskit.session.settings import Policy

from ._driver import Driver, running

NAMES = {2: "hls", 3: "hls-md5", 4: "hls-sha1", 5: "hls-gmac", 6: "hls-sha256", 7: "hls-ecdsa"}
CASES = [(m, s) for m in range(2, 8) for s in (0, 1, 2) if not (m == 7 and s == 0)]


@pytest.mark.parametrize(("mechanism", "suite"), CASES)
def test_configured_mechanism_and_suite(tmp_path: Path, mechanism: int, suite: int) -> None:
    length = 32 if suite == 2 else 16
    ek, ak = bytes(range(length)), bytes(range(0x40, 0x40 + length))
    extra_meter = ""
    extra_assoc = ""
    client_private = server_public = None
    if mechanism == 7:
        server_private = keymod.generate_private_key(suite)
        client_private = keymod.generate_private_key(suite)
        server_public = server_private.public_key()
        (tmp_path / "meter.pem").write_bytes(
            server_private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        (tmp_path / "client.pem").write_bytes(
            client_private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        extra_meter = "  private_key: meter.pem\n"
        extra_assoc = ", client_public_key: client.pem"
    secret = "" if mechanism in (5, 7) else ', secret: "s3cret-2"'
    hls2 = ", hls2: saphir-enerdis-sha256" if mechanism == 2 else ""
    model_path = tmp_path / "m.yaml"
    model_path.write_text(
        "meter:\n"
        f'  suite: {suite}\n  ek: "{ek.hex()}"\n  ak: "{ak.hex()}"\n{extra_meter}'
        "associations:\n"
        f"  hls: {{client: 32, mechanism: {NAMES[mechanism]}, "
        f"ciphering: authenticated-encrypted{secret}{hls2}{extra_assoc}}}\n"
        "objects:\n  - {obis: 0.0.42.0.0.255, class: 1, behaviour: logical_device_name}\n"
    )
    model = load_model(model_path)
    client = ClientSettings(
        mechanism=MechanismId(mechanism),
        secret=None if mechanism in (5, 7) else b"s3cret-2",
        keys=SecurityKeys(
            system_title=b"CLI\x00\x00\x00\x00\x07",
            suite=suite,
            global_unicast_key=ek,
            authentication_key=ak,
        ),
        outgoing_counter=OutgoingCounter(MemoryCounterStore(), "c"),
        policy=Policy(authenticated=True, encrypted=True),
        private_key=client_private,
        server_public_key=server_public,
        hls2=SAPHIR_ENERDIS_SHA256 if mechanism == 2 else None,
    )
    with running(model=model) as sim, Driver(sim.ports["wrapper"], client, client_sap=32) as c:
        assert isinstance(c.associate(), AssociationAccepted)
        result = c.get(1, "0.0.42.0.0.255", 2)
        assert isinstance(result, GetResult)
        assert bytes(result.results[0].value).startswith(b"DLK")
        assert isinstance(c.release(), Released)
