"""Tests of dlmskit.security.context: a client and a server SecurityContext exchanging
GET request / response APDUs in every mode (SC 0x1n, 0x2n, 0x3n), suite (0, 1, 2) and
envelope; replay and downgrade refusal; the verify/record split; push decryption.

Sources: the shared vectors PUSH-01, -02, -03, -05, -07, -09 (each record names its public
source: fneur/smart-meter-tirol, esphome-libs/dlms_parser, reitermarkus/dlms-cosem-rs,
u9n/dlms-cosem); the GET APDUs are XDLMS-04-like values built with dlmskit.apdu.get.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit import apdu as apdu_module
from dlmskit import axdr
from dlmskit.apdu.ciphered import (
    GeneralGloCiphering,
    SecurityControl,
    ServiceSpecificCiphered,
)
from dlmskit.apdu.common import CosemAttributeDescriptor, InvokeIdAndPriority
from dlmskit.apdu.get import Data, GetRequestNormal, GetResponseNormal
from dlmskit.errors import DecodeError, SecurityError
from dlmskit.obis import Obis
from dlmskit.security import ciphering
from dlmskit.security.ciphering import Envelope
from dlmskit.security.context import (
    BROADCAST_KEY_ID,
    GLOBAL_KEY_ID,
    Policy,
    SecurityContext,
    decrypt_push,
)
from dlmskit.security.counters import IncomingCounterCheck, MemoryCounterStore, OutgoingCounter
from dlmskit.security.keys import SecurityKeys
from tests.vectors import push_records

CLIENT_TITLE = bytes.fromhex("4D4D4D0000000001")
SERVER_TITLE = bytes.fromhex("4D4D4D0000BC614E")

REQUEST = GetRequestNormal(
    invoke_id_and_priority=InvokeIdAndPriority(0xC1),
    cosem_attribute_descriptor=CosemAttributeDescriptor(
        class_id=3, instance_id=Obis(1, 0, 1, 8, 0, 255), attribute_id=2
    ),
).to_bytes()
RESPONSE = GetResponseNormal(
    invoke_id_and_priority=InvokeIdAndPriority(0xC1),
    result=Data(axdr.DoubleLongUnsigned(5009)),
).to_bytes()

MODES = [(True, False), (False, True), (True, True)]  # SC 0x1n, 0x2n, 0x3n
ENVELOPES = [Envelope.GLO, Envelope.DED, Envelope.GENERAL_GLO, Envelope.GENERAL_DED]


def _keys(suite: int, own: bytes, peer: bytes) -> SecurityKeys:
    n = 32 if suite == 2 else 16
    return SecurityKeys(
        system_title=own,
        peer_system_title=peer,
        suite=suite,
        global_unicast_key=bytes(range(n)),
        authentication_key=bytes(range(0xD0, 0xD0 + n)) if n == 16 else bytes(range(0xC0, 0xE0)),
        dedicated_key=bytes(range(0x40, 0x40 + n)),
    )


def _pair(
    suite: int = 0,
    authenticated: bool = True,
    encrypted: bool = True,
    envelope: Envelope = Envelope.GLO,
) -> tuple[SecurityContext, SecurityContext]:
    policy = Policy(authenticated=authenticated, encrypted=encrypted, envelope=envelope)
    client = SecurityContext(
        _keys(suite, CLIENT_TITLE, SERVER_TITLE),
        OutgoingCounter(MemoryCounterStore(), "client"),
        policy,
    )
    server = SecurityContext(
        _keys(suite, SERVER_TITLE, CLIENT_TITLE),
        OutgoingCounter(MemoryCounterStore(), "server", initial=100),
        policy,
    )
    return client, server


@pytest.mark.parametrize("envelope", ENVELOPES, ids=lambda e: e.value)
@pytest.mark.parametrize("suite", [0, 1, 2])
@pytest.mark.parametrize("mode", MODES, ids=["auth", "enc", "auth+enc"])
def test_get_round_trip(mode: tuple[bool, bool], suite: int, envelope: Envelope) -> None:
    authenticated, encrypted = mode
    client, server = _pair(suite, authenticated, encrypted, envelope)
    for exchange in range(3):
        request = client.protect(REQUEST)
        sc = request.security_control  # type: ignore[attr-defined]
        assert sc.value == (0x10 * authenticated | 0x20 * encrypted | suite)
        assert request.invocation_counter == exchange  # type: ignore[attr-defined]
        if envelope is Envelope.GLO:
            assert request.TAG == 0xC8  # glo-get-request
        elif envelope is Envelope.DED:
            assert request.TAG == 0xD0  # ded-get-request
        elif envelope is Envelope.GENERAL_GLO:
            assert request.TAG == 0xDB
        else:
            assert request.TAG == 0xDC
        wire = request.to_bytes()
        if encrypted:
            assert REQUEST not in wire
        # The server decodes the wire bytes; the plaintext decodes to the request.
        plain = server.unprotect(wire)
        assert plain == REQUEST
        assert isinstance(apdu_module.decode(plain), GetRequestNormal)
        response = server.protect(RESPONSE)
        assert response.invocation_counter == 100 + exchange  # type: ignore[attr-defined]
        plain = client.unprotect(response)
        assert plain == RESPONSE
        decoded = apdu_module.decode(plain)
        assert isinstance(decoded, GetResponseNormal)
        assert isinstance(decoded.result, Data) and decoded.result.value == 5009
    assert (
        server.incoming.last(
            "dedicated" if envelope in (Envelope.DED, Envelope.GENERAL_DED) else GLOBAL_KEY_ID,
            CLIENT_TITLE,
        )
        == 2
    )


@pytest.mark.parametrize("envelope", ENVELOPES, ids=lambda e: e.value)
def test_replay_refused(envelope: Envelope) -> None:
    client, server = _pair(envelope=envelope)
    wire = client.protect(REQUEST).to_bytes()
    assert server.unprotect(wire) == REQUEST
    with pytest.raises(SecurityError, match="replayed or old"):
        server.unprotect(wire)
    # An older counter is refused as well, a newer one goes through.
    older = client.protect(REQUEST)
    newer = client.protect(REQUEST)
    assert server.unprotect(newer) == REQUEST
    with pytest.raises(SecurityError, match="replayed or old"):
        server.unprotect(older)


@pytest.mark.parametrize("sent", [(True, False), (False, True)], ids=["auth", "enc"])
def test_downgrade_refused(sent: tuple[bool, bool]) -> None:
    # The server expects 0x30; a peer (or an attacker) sends a weaker frame.
    weak_client, _ = _pair(authenticated=sent[0], encrypted=sent[1])
    _, server = _pair()
    wire = weak_client.protect(REQUEST).to_bytes()
    with pytest.raises(SecurityError, match="security policy violated"):
        server.unprotect(wire)
    assert server.incoming.last(GLOBAL_KEY_ID, CLIENT_TITLE) is None


def test_stronger_frame_accepted() -> None:
    strong_client, _ = _pair()
    server = SecurityContext(
        _keys(0, SERVER_TITLE, CLIENT_TITLE),
        OutgoingCounter(MemoryCounterStore(), "server"),
        Policy(authenticated=False, encrypted=True),
    )
    assert server.unprotect(strong_client.protect(REQUEST)) == REQUEST


def test_forged_high_counter_does_not_lock_out() -> None:
    client, server = _pair()
    genuine = client.protect(REQUEST)
    assert isinstance(genuine, ServiceSpecificCiphered)
    # A forgery: the highest counter, a random-looking text with a tag that cannot match.
    forged = type(genuine)(
        security_control=genuine.security_control,
        invocation_counter=0xFFFFFFF0,
        ciphered_text=bytes(len(genuine.ciphered_text)),
    )
    with pytest.raises(SecurityError, match="authentication failed"):
        server.unprotect(forged)
    assert server.incoming.last(GLOBAL_KEY_ID, CLIENT_TITLE) is None
    assert server.unprotect(genuine) == REQUEST
    assert server.incoming.last(GLOBAL_KEY_ID, CLIENT_TITLE) == genuine.invocation_counter


def test_tampered_frame_refused_and_not_recorded() -> None:
    client, server = _pair(envelope=Envelope.GENERAL_GLO)
    wire = bytearray(client.protect(REQUEST).to_bytes())
    wire[-1] ^= 1
    with pytest.raises(SecurityError, match="authentication failed"):
        server.unprotect(bytes(wire))
    assert server.incoming.last(GLOBAL_KEY_ID, CLIENT_TITLE) is None


def test_wrong_system_title_and_suite_refused() -> None:
    client, _ = _pair(envelope=Envelope.GENERAL_GLO)
    stranger = SecurityContext(
        _keys(0, SERVER_TITLE, bytes(8)[:7] + b"\x09"),
        OutgoingCounter(MemoryCounterStore(), "x"),
        Policy(envelope=Envelope.GENERAL_GLO),
    )
    with pytest.raises(SecurityError, match="system title"):
        stranger.unprotect(client.protect(REQUEST))
    suite1_client, _ = _pair(suite=1)
    _, suite0_server = _pair(suite=0)
    with pytest.raises(SecurityError, match="suite"):
        suite0_server.unprotect(suite1_client.protect(REQUEST))


def test_missing_keys_and_non_ciphered() -> None:
    keys = SecurityKeys(system_title=CLIENT_TITLE, peer_system_title=SERVER_TITLE)
    context = SecurityContext(keys, OutgoingCounter(MemoryCounterStore(), "k"))
    with pytest.raises(SecurityError, match="global unicast key"):
        context.protect(REQUEST)
    _, server = _pair()
    with pytest.raises(SecurityError, match="not a ciphered APDU"):
        server.unprotect(REQUEST)
    client, _ = _pair()
    ded_client, _ = _pair(envelope=Envelope.DED)
    no_ded = SecurityContext(
        SecurityKeys(
            system_title=SERVER_TITLE,
            peer_system_title=CLIENT_TITLE,
            global_unicast_key=bytes(16),
            authentication_key=bytes(16),
        ),
        OutgoingCounter(MemoryCounterStore(), "k"),
    )
    with pytest.raises(SecurityError, match="dedicated key"):
        no_ded.unprotect(ded_client.protect(REQUEST))
    truncated = client.protect(REQUEST).to_bytes()[:-3]
    with pytest.raises(DecodeError):
        server.unprotect(truncated)


def test_policy_checks() -> None:
    with pytest.raises(ValueError):
        Policy(authenticated=False, encrypted=False)
    assert Policy().security_control(2) == SecurityControl(0x32)
    assert Policy(encrypted=False).security_control(0) == SecurityControl(0x10)


def test_verify_tag_false_without_authentication_key() -> None:
    client, _ = _pair()
    listener = SecurityContext(
        SecurityKeys(
            system_title=SERVER_TITLE,
            peer_system_title=CLIENT_TITLE,
            global_unicast_key=bytes(range(16)),
        ),
        OutgoingCounter(MemoryCounterStore(), "k"),
    )
    wire = client.protect(REQUEST).to_bytes()
    with pytest.raises(SecurityError, match="authentication key"):
        listener.unprotect(wire)
    assert listener.incoming.last(GLOBAL_KEY_ID, CLIENT_TITLE) is None
    assert listener.unprotect(wire, verify_tag=False) == REQUEST
    with pytest.raises(SecurityError, match="replayed"):
        listener.unprotect(wire, verify_tag=False)


def test_window_policy_passed_through() -> None:
    client, _ = _pair()
    server = SecurityContext(
        _keys(0, SERVER_TITLE, CLIENT_TITLE),
        OutgoingCounter(MemoryCounterStore(), "server"),
        incoming=IncomingCounterCheck(window=4),
    )
    frames = [client.protect(REQUEST) for _ in range(3)]
    for frame in (frames[2], frames[0], frames[1]):  # reordered, as over UDP
        assert server.unprotect(frame) == REQUEST
    with pytest.raises(SecurityError):
        server.unprotect(frames[0])


def test_repr_redacts_secrets() -> None:
    client, _ = _pair(suite=2)
    text = repr(client)
    for secret in (
        client.keys.global_unicast_key,
        client.keys.authentication_key,
        client.keys.dedicated_key,
    ):
        assert secret is not None
        assert secret.hex() not in text.lower()
        assert secret.hex().upper() not in text
        assert repr(secret) not in text
    assert "redacted" in text and str(client) == text


@settings(max_examples=40, deadline=None)
@given(
    plain=st.binary(min_size=1, max_size=300).map(lambda b: b"\xc0" + b),
    suite=st.sampled_from([0, 1, 2]),
    mode=st.sampled_from(MODES),
    envelope=st.sampled_from(ENVELOPES),
)
def test_round_trip_any_payload(
    plain: bytes, suite: int, mode: tuple[bool, bool], envelope: Envelope
) -> None:
    client, server = _pair(suite, mode[0], mode[1], envelope)
    assert server.unprotect(client.protect(plain).to_bytes()) == plain


# -- push ------------------------------------------------------------------------------------


def _push_keys(record: dict[str, Any]) -> SecurityKeys:
    ak = record.get("AK")
    return SecurityKeys(
        system_title=bytes(8),
        global_unicast_key=bytes.fromhex(record["EK"]),
        authentication_key=bytes.fromhex(ak) if ak else None,
    )


PUSH_CIPHERED = [r for r in push_records() if r.get("ciphered_apdu")]


def test_push_records_present() -> None:
    ids = {r["id"] for r in PUSH_CIPHERED}
    assert {"PUSH-01", "PUSH-02", "PUSH-03", "PUSH-05", "PUSH-07", "PUSH-09"} <= ids


@pytest.mark.parametrize("record", PUSH_CIPHERED, ids=lambda r: r["id"])
def test_decrypt_push_vectors(record: dict[str, Any]) -> None:
    wire = bytes.fromhex(record["ciphered_apdu"])
    plain = bytes.fromhex(record["plain_apdu"])
    keys = _push_keys(record)
    assert decrypt_push(wire, keys) == plain
    decoded = apdu_module.decode(wire)
    assert isinstance(decoded, GeneralGloCiphering)
    assert decrypt_push(decoded, keys, verify_tag=False) == plain
    assert apdu_module.decode(plain).TAG == 0x0F
    if record.get("gcm_tag_verified") is True:
        tampered = bytearray(wire)
        tampered[-1] ^= 0x80
        with pytest.raises(SecurityError, match="authentication failed"):
            decrypt_push(bytes(tampered), keys)


def test_decrypt_push_refuses_other_apdus() -> None:
    keys = _push_keys(PUSH_CIPHERED[0])
    with pytest.raises(SecurityError, match="general-glo-ciphering"):
        decrypt_push(REQUEST, keys)
    with pytest.raises(SecurityError, match="global unicast key"):
        decrypt_push(
            bytes.fromhex(PUSH_CIPHERED[0]["ciphered_apdu"]),
            SecurityKeys(system_title=bytes(8)),
        )


def test_push_through_a_context_refuses_replay() -> None:
    record = next(r for r in PUSH_CIPHERED if r["id"] == "PUSH-05")
    keys = SecurityKeys(
        system_title=bytes(8),
        global_unicast_key=bytes.fromhex(record["EK"]),
        authentication_key=bytes.fromhex(record["AK"]),
    )
    listener = SecurityContext(
        keys, OutgoingCounter(MemoryCounterStore(), "l"), Policy(envelope=Envelope.GENERAL_GLO)
    )
    wire = bytes.fromhex(record["ciphered_apdu"])
    assert listener.unprotect(wire) == bytes.fromhex(record["plain_apdu"])
    with pytest.raises(SecurityError, match="replayed"):
        listener.unprotect(wire)


def test_matches_ciphering_protect() -> None:
    # The context is a thin layer: its frame equals ciphering.protect with the same inputs.
    client, _ = _pair(envelope=Envelope.GENERAL_GLO)
    frame = client.protect(REQUEST)
    direct = ciphering.protect(
        REQUEST,
        envelope=Envelope.GENERAL_GLO,
        security_control=0x30,
        system_title=CLIENT_TITLE,
        invocation_counter=0,
        encryption_key=client.keys.global_unicast_key or b"",
        authentication_key=client.keys.authentication_key,
    )
    assert frame.to_bytes() == direct.to_bytes()


# -- the global broadcast key (key-set bit 0x40) ---------------------------------------------


def _broadcast_pair(envelope: Envelope = Envelope.GENERAL_GLO) -> tuple[SecurityContext, ...]:
    """A sender and a receiver sharing a broadcast key besides the unicast key."""
    broadcast = bytes(range(0x60, 0x70))
    sender, receiver = _pair(envelope=envelope)
    for context in (sender, receiver):
        context.keys = dataclasses.replace(context.keys, global_broadcast_key=broadcast)
    return sender, receiver


@pytest.mark.parametrize("envelope", [Envelope.GLO, Envelope.GENERAL_GLO], ids=lambda e: e.value)
def test_broadcast_key_round_trip(envelope: Envelope) -> None:
    """protect(broadcast=True) sets the key-set bit and ciphers with the broadcast key; the
    receiver picks the key from that bit, and its replay slot is the broadcast key's."""
    sender, receiver = _broadcast_pair(envelope)
    frame = sender.protect(REQUEST, broadcast=True)
    assert frame.security_control.value == 0x70  # type: ignore[attr-defined]
    wire = frame.to_bytes()
    assert receiver.unprotect(wire) == REQUEST
    assert receiver.incoming.last(BROADCAST_KEY_ID, CLIENT_TITLE) == 0
    assert receiver.incoming.last(GLOBAL_KEY_ID, CLIENT_TITLE) is None
    with pytest.raises(SecurityError, match="replayed or old"):
        receiver.unprotect(wire)
    # The same bytes with the key-set bit cleared are opened with the unicast key: the
    # tag (over the security control byte too) no longer matches.
    cleared = bytearray(sender.protect(REQUEST, broadcast=True).to_bytes())
    sc_at = cleared.index(0x70)
    cleared[sc_at] = 0x30
    with pytest.raises(SecurityError, match="authentication failed"):
        receiver.unprotect(bytes(cleared))
    # A unicast frame still goes through with the unicast key.
    assert receiver.unprotect(sender.protect(REQUEST).to_bytes()) == REQUEST


def test_broadcast_key_missing_or_impossible() -> None:
    sender, _ = _broadcast_pair()
    _, receiver = _pair(envelope=Envelope.GENERAL_GLO)  # no broadcast key
    with pytest.raises(SecurityError, match=r"global broadcast key .* no broadcast key is given"):
        receiver.unprotect(sender.protect(REQUEST, broadcast=True))
    with pytest.raises(SecurityError, match="no global broadcast key"):
        receiver.protect(REQUEST, broadcast=True)
    ded_sender, _ = _broadcast_pair(Envelope.DED)
    with pytest.raises(SecurityError, match="cannot use the broadcast key"):
        ded_sender.protect(REQUEST, broadcast=True)
    # A ded- frame whose security control claims the broadcast key is refused as such.
    ded_frame = bytearray(ded_sender.protect(REQUEST).to_bytes())
    ded_frame[ded_frame.index(0x30)] = 0x70
    _, ded_receiver = _broadcast_pair(Envelope.DED)
    with pytest.raises(SecurityError, match="dedicated envelope has no broadcast key"):
        ded_receiver.unprotect(bytes(ded_frame))


def test_decrypt_push_with_the_broadcast_key() -> None:
    """A push ciphered with the broadcast key (SC 0x70) opens with keys that have it."""
    sender, _ = _broadcast_pair(Envelope.GENERAL_GLO)
    push = bytes.fromhex("0F0000000100" + "0203" + "1100" + "1101" + "1102")
    wire = sender.protect(push, broadcast=True).to_bytes()
    keys = SecurityKeys(
        system_title=bytes(8),
        global_unicast_key=bytes(16),  # a wrong unicast key: not the one used
        global_broadcast_key=bytes(range(0x60, 0x70)),
        authentication_key=sender.keys.authentication_key,
    )
    assert decrypt_push(wire, keys) == push
    with pytest.raises(SecurityError, match="no broadcast key is given"):
        decrypt_push(wire, dataclasses.replace(keys, global_broadcast_key=None))
