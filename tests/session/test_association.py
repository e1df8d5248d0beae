"""Client and server sessions against each other, over real HDLC link machines and over
the TCP wrapper (tests/session/_pair.py), with seeded loss on HDLC."""

from __future__ import annotations

import pytest

from dlmskit import axdr
from dlmskit.apdu.common import (
    ActionResult as ApduActionResult,
)
from dlmskit.apdu.common import (
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    DataAccessResult,
)
from dlmskit.apdu.get import CosemAttributeDescriptorWithSelection, Data
from dlmskit.link.hdlc import HdlcParameters
from dlmskit.obis import Obis
from dlmskit.security.mechanisms import MechanismId
from dlmskit.session import (
    Action,
    ActionResult,
    ActionWithList,
    Associate,
    AssociationAccepted,
    AssociationConfig,
    AssociationEstablished,
    AssociationRejected,
    ClientSettings,
    ClientState,
    Get,
    GetResult,
    GetWithList,
    MethodCall,
    Release,
    Released,
    ServerSettings,
    ServerState,
    Set,
    SetResult,
    SetWithList,
)
from tests.session._pair import Objects, Pair

REGISTER = CosemAttributeDescriptor(
    class_id=3, instance_id=Obis(1, 0, 1, 8, 0, 255), attribute_id=2
)
NAME = CosemAttributeDescriptor(class_id=1, instance_id=Obis(0, 0, 42, 0, 0, 255), attribute_id=2)
MISSING = CosemAttributeDescriptor(
    class_id=1, instance_id=Obis(0, 0, 96, 1, 0, 255), attribute_id=2
)
PROFILE = CosemAttributeDescriptor(
    class_id=7, instance_id=Obis(1, 0, 99, 1, 0, 255), attribute_id=2
)
RESET = CosemMethodDescriptor(class_id=3, instance_id=Obis(1, 0, 1, 8, 0, 255), method_id=1)

TRANSPORTS = ["hdlc", "wrapper"]


def key(descriptor: CosemAttributeDescriptor) -> tuple[int, bytes, int]:
    return (descriptor.class_id, descriptor.instance_id.to_bytes(), descriptor.attribute_id)


def objects() -> Objects:
    return Objects(
        values={
            key(REGISTER): axdr.DoubleLongUnsigned(123456),
            key(NAME): axdr.OctetString(b"DLMSKIT0001"),
        }
    )


def settings(
    mechanism: MechanismId = MechanismId.LOWEST, secret: bytes | None = None
) -> tuple[ClientSettings, ServerSettings]:
    client = ClientSettings(mechanism=mechanism, secret=secret, max_receive_pdu_size=512)
    server = ServerSettings(
        associations={
            16: AssociationConfig(mechanism=mechanism, secret=secret, conformance=0x00FE1F)
        }
    )
    return client, server


def associate(pair: Pair) -> AssociationAccepted:
    pair.connect()
    event = pair.call(Associate())
    assert isinstance(event, AssociationAccepted), event
    assert pair.client.state is ClientState.ASSOCIATED
    assert pair.server.state is ServerState.ASSOCIATED
    assert any(isinstance(e, AssociationEstablished) for e in pair.server_events)
    return event


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("mechanism", "secret"), [(MechanismId.LOWEST, None), (MechanismId.LOW, b"12345678")]
)
def test_every_service_variant_and_release(
    transport: str, mechanism: MechanismId, secret: bytes | None
) -> None:
    client, server = settings(mechanism, secret)
    pair = Pair(client, server, transport=transport, objects=objects())  # type: ignore[arg-type]
    accepted = associate(pair)
    assert accepted.conformance == 0x00FE1F & client.conformance

    result = pair.call(Get(descriptor=REGISTER))
    assert result == GetResult(invoke_id=1, results=(Data(axdr.DoubleLongUnsigned(123456)),))

    result = pair.call(
        GetWithList(
            items=(
                CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=NAME),
                CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=MISSING),
            )
        )
    )
    assert isinstance(result, GetResult)
    assert result.results == (
        Data(axdr.OctetString(b"DLMSKIT0001")),
        DataAccessResult.OBJECT_UNDEFINED,
    )

    result = pair.call(Set(descriptor=REGISTER, value=axdr.DoubleLongUnsigned(0)))
    assert result == SetResult(invoke_id=1, results=(DataAccessResult.SUCCESS,))
    assert pair.objects.values[key(REGISTER)] == axdr.DoubleLongUnsigned(0)

    result = pair.call(
        SetWithList(
            items=(
                CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=NAME),
                CosemAttributeDescriptorWithSelection(cosem_attribute_descriptor=MISSING),
            ),
            values=(axdr.OctetString(b"renamed"), axdr.Unsigned(1)),
        )
    )
    assert isinstance(result, SetResult)
    assert result.results == (DataAccessResult.SUCCESS, DataAccessResult.OBJECT_UNDEFINED)

    result = pair.call(Action(descriptor=RESET, parameters=axdr.Integer(0)))
    assert isinstance(result, ActionResult)
    assert result.result.result == ApduActionResult.SUCCESS
    assert result.result.return_parameters == Data(axdr.Integer(0))

    result = pair.call(
        ActionWithList(
            calls=(
                MethodCall(descriptor=RESET),
                MethodCall(descriptor=RESET, parameters=axdr.Integer(7)),
            )
        )
    )
    assert isinstance(result, ActionResult)
    assert [r.return_parameters for r in result.results] == [Data(None), Data(axdr.Integer(7))]

    assert pair.call(Release()) == Released(reason="rlre")
    assert pair.client.state is ClientState.IDLE
    assert pair.server.state is ServerState.IDLE
    assert Released(reason="peer") in pair.server_events
    # and again: a session object serves any number of associations
    assert isinstance(pair.call(Associate()), AssociationAccepted)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_wrong_lls_password_is_rejected(transport: str) -> None:
    client = ClientSettings(mechanism=MechanismId.LOW, secret=b"wrong")
    _, server = settings(MechanismId.LOW, b"12345678")
    pair = Pair(client, server, transport=transport)  # type: ignore[arg-type]
    pair.connect()
    event = pair.call(Associate())
    assert isinstance(event, AssociationRejected)
    assert event.diagnostic.name == "AUTHENTICATION_FAILURE"
    assert pair.server.state is ServerState.IDLE


@pytest.mark.parametrize("seed", range(4))
def test_large_get_in_datablocks_over_lossy_hdlc(seed: int) -> None:
    """A 20 kB profile buffer read through a 256-byte client PDU: the server cuts it in
    datablocks, the client asks for each with get-request-next; HDLC frames of 128 bytes,
    window 3, 5 % of them lost or corrupted (seeded)."""
    rows = axdr.Array(
        axdr.Structure((axdr.DoubleLongUnsigned(i), axdr.OctetString(bytes([i % 256]) * 12)))
        for i in range(800)
    )
    model = Objects(values={key(PROFILE): rows})
    client = ClientSettings(max_receive_pdu_size=256)
    server = ServerSettings(associations={16: AssociationConfig(conformance=0x00FE1F)})
    pair = Pair(
        client,
        server,
        objects=model,
        loss=0.05,
        seed=seed,
        hdlc_parameters=HdlcParameters(
            max_info_transmit=128, max_info_receive=128, window_transmit=3, window_receive=3
        ),
    )
    associate(pair)
    result = pair.call(Get(descriptor=PROFILE))
    assert isinstance(result, GetResult)
    assert result.result == Data(rows)
    blocks = [a for d, a in pair.apdus if d == "s" and a[:2] == b"\xc4\x02"]
    assert len(blocks) > 50
    assert all(len(a) <= 256 for d, a in pair.apdus if d == "s")


def test_release_by_disconnect_quirk() -> None:
    client = ClientSettings(release_by_disconnect=True)
    _, server = settings()
    pair = Pair(client, server)
    associate(pair)
    before = len(pair.apdus)
    assert pair.call(Release()) == Released(reason="disconnect")
    assert len(pair.apdus) == before  # nothing on the wire
    pair.client_link.disconnect(pair.now)
    pair.run_until(lambda: pair.client_link.state.name == "DISCONNECTED")
    pair.server.connection_lost(pair.now)
    assert pair.server.state is ServerState.IDLE
