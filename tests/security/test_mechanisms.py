"""Tests of dlmskit.security.mechanisms (Green Book 9.2.7.4, HLS authentication mechanisms).

Vectors: SEC-01 (Green Book HLS-GMAC example, via u9n/dlms-cosem and arabine/opendlms tests),
SEC-05 (mechanism 3, arabine/opendlms tests/test_association.cpp TestVectorHLS3), SEC-06
(Saphir/Enerdis mechanism 2, arabine/opendlms TestVectorHLS2Saphir). Mechanisms 4, 6 and 7
are checked against hashlib / ``cryptography`` computed from the Green Book formulas (the
concatenation orders as in Gurux's reply_to_HLS_authentication: GXDLMSClient and
GXDLMSAssociationLogicalName, C#/C++/Python).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit import apdu, axdr
from dlmskit.errors import DecodeError, LocalProtocolError, SecurityError
from dlmskit.security.mechanisms import (
    SAPHIR_ENERDIS_SHA256,
    HlsContext,
    MechanismId,
    Role,
    ecdsa_message,
    ecdsa_sign,
    ecdsa_verify,
    gmac_response,
    hls2_function,
    lls_check,
    md5_response,
    new_challenge,
    parse_gmac_response,
    register_hls2,
    saphir_enerdis_sha256,
    sha1_response,
    sha256_response,
)
from tests.vectors import record

h = bytes.fromhex

SEC01 = record("SEC-01")
SEC05 = record("SEC-05")
SEC06 = record("SEC-06")

CLIENT_ST = h("4D4D4D0000000001")
SERVER_ST = h("4D4D4D0000BC614E")
SECRET = b"\x11" * 16
EK16, AK16 = bytes(range(16)), bytes(range(16, 32))
EK32, AK32 = bytes(range(32)), bytes(range(32, 64))


# --------------------------------------------------------------------------- enums, challenges


def test_mechanism_ids() -> None:
    assert [m.value for m in MechanismId] == list(range(8))
    assert int(MechanismId.HIGH_GMAC) == 5
    assert MechanismId.HIGH_ECDSA.name == "HIGH_ECDSA"


def test_new_challenge_bounds() -> None:
    assert len(new_challenge()) == 16
    assert len(new_challenge(8)) == 8
    assert len(new_challenge(64)) == 64
    assert new_challenge(8, random=lambda n: b"A" * n) == b"AAAAAAAA"
    for bad in (0, 7, 65):
        with pytest.raises(ValueError):
            new_challenge(bad)
    with pytest.raises(TypeError):
        new_challenge(True)
    with pytest.raises(SecurityError):
        new_challenge(8, random=lambda n: b"short")


def test_new_challenge_differs() -> None:
    assert len({new_challenge() for _ in range(20)}) == 20


def test_lls_check() -> None:
    assert lls_check(b"12345678", b"12345678")
    assert not lls_check(b"12345678", b"12345679")
    assert not lls_check(b"12345678", b"1234567")
    assert not lls_check(b"12345678", b"")


# --------------------------------------------------------------------------- SEC-01 (mechanism 5)


def _gmac_by_hand(key: bytes, iv: bytes, aad: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.GCM(iv)).encryptor()
    encryptor.authenticate_additional_data(aad)
    encryptor.finalize()
    return encryptor.tag[:12]


def test_sec01_intermediate_values() -> None:
    """SEC-01: AAD = SC ‖ AK ‖ StoC and IV = ST-C ‖ IC-C give the Green Book tag."""
    r = SEC01
    aad = h(r["SC"]) + h(r["AK"]) + h(r["StoC"])
    iv = h(r["client_ST"]) + h(r["client_IC"])
    assert aad == h(r["pass3_AAD"])
    assert iv == h(r["pass3_IV"])
    assert _gmac_by_hand(h(r["EK"]), iv, aad) == h(r["pass3_tag"])
    aad4 = h(r["SC"]) + h(r["AK"]) + h(r["CtoS"])
    iv4 = h(r["server_ST"]) + h(r["server_IC"])
    assert _gmac_by_hand(h(r["EK"]), iv4, aad4) == h(r["pass4_tag"])
    assert h(r["CtoS"]) == r["CtoS_ascii"].encode()
    assert h(r["StoC"]) == r["StoC_ascii"].encode()


def test_sec01_gmac_response() -> None:
    r = SEC01
    f_stoc = gmac_response(
        challenge=h(r["StoC"]),
        system_title=h(r["client_ST"]),
        invocation_counter=int(r["client_IC"], 16),
        encryption_key=h(r["EK"]),
        authentication_key=h(r["AK"]),
    )
    assert f_stoc == h(r["f_StoC"])
    assert f_stoc == h(r["SC"]) + h(r["client_IC"]) + h(r["pass3_tag"])
    f_ctos = gmac_response(
        challenge=h(r["CtoS"]),
        system_title=h(r["server_ST"]),
        invocation_counter=int(r["server_IC"], 16),
        encryption_key=h(r["EK"]),
        authentication_key=h(r["AK"]),
    )
    assert f_ctos == h(r["f_CtoS"])
    assert parse_gmac_response(f_ctos) == (0x10, 0x01234567, h(r["pass4_tag"]))


def _sec01_contexts() -> tuple[HlsContext, HlsContext]:
    r = SEC01
    common: dict[str, Any] = {
        "mechanism": MechanismId.HIGH_GMAC,
        "encryption_key": h(r["EK"]),
        "authentication_key": h(r["AK"]),
    }
    client = HlsContext(
        role=Role.CLIENT,
        own_challenge=h(r["CtoS"]),
        peer_challenge=h(r["StoC"]),
        own_system_title=h(r["client_ST"]),
        peer_system_title=h(r["server_ST"]),
        invocation_counter=int(r["client_IC"], 16),
        **common,
    )
    server = HlsContext(
        role=Role.SERVER,
        own_challenge=h(r["StoC"]),
        peer_challenge=h(r["CtoS"]),
        own_system_title=h(r["server_ST"]),
        peer_system_title=h(r["client_ST"]),
        invocation_counter=int(r["server_IC"], 16),
        **common,
    )
    return client, server


def test_sec01_contexts() -> None:
    client, server = _sec01_contexts()
    f_stoc = client.client_response()
    assert f_stoc == h(SEC01["f_StoC"])
    server.verify_client(f_stoc)
    f_ctos = server.server_response()
    assert f_ctos == h(SEC01["f_CtoS"])
    client.verify_server(f_ctos)


def test_sec01_action_examples_carry_f() -> None:
    """SEC-01: the pass 3 ACTION request carries f(StoC), the pass 4 response f(CtoS)."""
    client, server = _sec01_contexts()
    request = apdu.decode(h(SEC01["pass3_action_request_example"]))
    assert isinstance(request, apdu.action.ActionRequestNormal)
    assert request.cosem_method_descriptor.method_id == 1  # reply_to_HLS_authentication
    assert request.method_invocation_parameters is not None
    assert request.method_invocation_parameters.value == axdr.OctetString(client.client_response())
    response = apdu.decode(h(SEC01["pass4_action_response_example"]))
    assert isinstance(response, apdu.action.ActionResponseNormal)
    data = response.single_response.return_parameters
    assert data is not None
    assert data.value == axdr.OctetString(server.server_response())


def test_sec01_every_bit_flip_rejected() -> None:
    client, server = _sec01_contexts()
    f_stoc = client.client_response()
    for index in range(len(f_stoc) * 8):
        flipped = bytearray(f_stoc)
        flipped[index // 8] ^= 0x80 >> (index % 8)
        with pytest.raises(SecurityError):
            server.verify_client(bytes(flipped))
    for bad in (b"", f_stoc[:-1], f_stoc + b"\x00"):
        with pytest.raises(SecurityError):
            server.verify_client(bad)


def test_sec01_wrong_key_rejected() -> None:
    client, server = _sec01_contexts()
    other = HlsContext(
        mechanism=MechanismId.HIGH_GMAC,
        role=Role.CLIENT,
        own_challenge=client.own_challenge,
        peer_challenge=client.peer_challenge,
        own_system_title=client.own_system_title,
        peer_system_title=client.peer_system_title,
        invocation_counter=1,
        encryption_key=h(SEC01["EK"]),
        authentication_key=bytes(16),
    )
    with pytest.raises(SecurityError):
        server.verify_client(other.client_response())


def test_gmac_response_checks() -> None:
    kwargs: dict[str, Any] = {
        "challenge": b"12345678",
        "system_title": CLIENT_ST,
        "invocation_counter": 1,
        "encryption_key": EK16,
        "authentication_key": AK16,
    }
    with pytest.raises(SecurityError):
        gmac_response(**{**kwargs, "encryption_key": EK32})
    with pytest.raises(SecurityError):
        gmac_response(**{**kwargs, "suite": 2})
    with pytest.raises(SecurityError):
        gmac_response(**{**kwargs, "suite": 3})
    with pytest.raises(SecurityError):
        gmac_response(**{**kwargs, "system_title": b"short"})
    with pytest.raises(SecurityError):
        gmac_response(**{**kwargs, "invocation_counter": 2**32})
    assert gmac_response(**kwargs)[0] == 0x10
    assert gmac_response(**{**kwargs, "suite": 1})[0] == 0x11
    wide = gmac_response(
        **{**kwargs, "suite": 2, "encryption_key": EK32, "authentication_key": AK32}
    )
    assert wide[0] == 0x12
    assert len(wide) == 17
    with pytest.raises(DecodeError):
        parse_gmac_response(b"\x10\x00")


# --------------------------------------------------------------------------- SEC-05, 4, SEC-06


def test_sec05_md5() -> None:
    r = SEC05
    secret = h(r["HLS_secret"])
    assert md5_response(h(r["StoC"]), secret) == h(r["pass3_MD5_StoC_secret"])
    assert md5_response(h(r["CtoS"]), secret) == h(r["pass4_MD5_CtoS_secret"])
    client = HlsContext(
        mechanism=MechanismId.HIGH_MD5,
        role=Role.CLIENT,
        secret=secret,
        own_challenge=h(r["CtoS"]),
        peer_challenge=h(r["StoC"]),
    )
    server = HlsContext(
        mechanism=3,  # type: ignore[arg-type]  # plain ints are accepted and converted
        role=Role.SERVER,
        secret=secret,
        own_challenge=h(r["StoC"]),
        peer_challenge=h(r["CtoS"]),
    )
    assert server.mechanism is MechanismId.HIGH_MD5
    assert client.client_response() == h(r["pass3_MD5_StoC_secret"])
    assert server.server_response() == h(r["pass4_MD5_CtoS_secret"])
    server.verify_client(h(r["pass3_MD5_StoC_secret"]))
    client.verify_server(h(r["pass4_MD5_CtoS_secret"]))
    with pytest.raises(SecurityError):
        client.verify_server(h(r["pass3_MD5_StoC_secret"]))


def test_mechanism4_sha1_formula() -> None:
    """Mechanism 4: SHA-1(challenge ‖ secret), computed with SEC-05's inputs."""
    r = SEC05
    secret, stoc, ctos = h(r["HLS_secret"]), h(r["StoC"]), h(r["CtoS"])
    assert sha1_response(stoc, secret) == hashlib.sha1(stoc + secret).digest()
    client = HlsContext(
        mechanism=MechanismId.HIGH_SHA1,
        role=Role.CLIENT,
        secret=secret,
        own_challenge=ctos,
        peer_challenge=stoc,
    )
    assert client.client_response() == hashlib.sha1(stoc + secret).digest()
    client.verify_server(hashlib.sha1(ctos + secret).digest())


def test_sec06_saphir_through_mechanism_2() -> None:
    r = SEC06
    secret, stoc = h(r["secret"]), h(r["StoC"])
    client = HlsContext(
        mechanism=MechanismId.HIGH,
        role=Role.CLIENT,
        secret=secret,
        own_challenge=b"CtoS-abc",
        peer_challenge=stoc,
        hls2=SAPHIR_ENERDIS_SHA256,
    )
    assert client.client_response() == h(r["expected_sha256"])
    assert saphir_enerdis_sha256(secret, stoc, client) == h(r["expected_sha256"])
    assert hls2_function(SAPHIR_ENERDIS_SHA256) is saphir_enerdis_sha256
    # the challenge itself travels in the AARE's responding-authentication-value
    assert stoc.hex().upper() in r["aare"]


def test_mechanism_2_is_off_by_default() -> None:
    with pytest.raises(SecurityError):
        HlsContext(mechanism=MechanismId.HIGH, role=Role.CLIENT, secret=SECRET)
    with pytest.raises(SecurityError):
        HlsContext(
            mechanism=MechanismId.HIGH, role=Role.CLIENT, secret=SECRET, hls2="nobody"
        ).client_response()


def test_register_hls2() -> None:
    def xor_function(secret: bytes, challenge: bytes, context: HlsContext, /) -> bytes:
        return bytes(a ^ b for a, b in zip(challenge, secret * 8, strict=False))

    register_hls2("test-xor", xor_function)
    register_hls2("test-xor", xor_function, replace=True)
    with pytest.raises(ValueError):
        register_hls2("test-xor", xor_function)
    with pytest.raises(ValueError):
        register_hls2("", xor_function)
    with pytest.raises(TypeError):
        register_hls2("test-none", None)  # type: ignore[arg-type]
    ctx = HlsContext(
        mechanism=MechanismId.HIGH,
        role=Role.CLIENT,
        secret=b"\x01",
        peer_challenge=b"\x00" * 8,
        hls2="test-xor",
    )
    assert ctx.client_response() == b"\x01" * 8
    direct = HlsContext(
        mechanism=MechanismId.HIGH,
        role=Role.CLIENT,
        secret=b"\x01",
        peer_challenge=b"\x00" * 8,
        hls2=xor_function,
    )
    assert direct.client_response() == b"\x01" * 8


# --------------------------------------------------------------------------- mechanism 6


def test_mechanism6_sha256_formula() -> None:
    stoc, ctos = b"S" * 16, b"C" * 16
    f_stoc = hashlib.sha256(SECRET + CLIENT_ST + SERVER_ST + stoc + ctos).digest()
    f_ctos = hashlib.sha256(SECRET + SERVER_ST + CLIENT_ST + ctos + stoc).digest()
    assert sha256_response(SECRET, CLIENT_ST, SERVER_ST, stoc, ctos) == f_stoc
    client, server = _pair(MechanismId.HIGH_SHA256, stoc=stoc, ctos=ctos)
    assert client.client_response() == f_stoc
    assert server.server_response() == f_ctos
    # not "hash of challenge and secret"
    assert f_stoc != hashlib.sha256(stoc + SECRET).digest()


# --------------------------------------------------------------------------- mechanism 7


@pytest.mark.parametrize(
    ("suite", "curve", "digest", "size"),
    [(1, ec.SECP256R1(), hashes.SHA256(), 32), (2, ec.SECP384R1(), hashes.SHA384(), 48)],
)
def test_ecdsa_sign_verify(
    suite: int, curve: ec.EllipticCurve, digest: hashes.HashAlgorithm, size: int
) -> None:
    key = ec.generate_private_key(curve)
    message = ecdsa_message(CLIENT_ST, SERVER_ST, b"S" * 16, b"C" * 16)
    assert message == CLIENT_ST + SERVER_ST + b"S" * 16 + b"C" * 16
    signature = ecdsa_sign(key, message, suite=suite)
    assert len(signature) == 2 * size
    # the raw r ‖ s is the DER signature's integers: cryptography verifies it
    der = encode_dss_signature(
        int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
    )
    key.public_key().verify(der, message, ec.ECDSA(digest))
    assert ecdsa_verify(key.public_key(), message, signature, suite=suite)
    # and a signature made by cryptography directly verifies here
    other = ec.generate_private_key(curve)
    assert not ecdsa_verify(other.public_key(), message, signature, suite=suite)
    assert not ecdsa_verify(key.public_key(), message + b"x", signature, suite=suite)
    assert not ecdsa_verify(key.public_key(), message, signature[:-1], suite=suite)
    for index in (0, size - 1, size, 2 * size - 1):
        flipped = bytearray(signature)
        flipped[index] ^= 0x01
        assert not ecdsa_verify(key.public_key(), message, bytes(flipped), suite=suite)


def test_ecdsa_suite_and_curve_checks() -> None:
    p256 = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(SecurityError):
        ecdsa_sign(p256, b"m", suite=0)
    with pytest.raises(SecurityError):
        ecdsa_sign(p256, b"m", suite=2)
    with pytest.raises(SecurityError):
        ecdsa_verify(p256.public_key(), b"m", b"\x00" * 96, suite=2)
    with pytest.raises(SecurityError):
        HlsContext(
            mechanism=MechanismId.HIGH_ECDSA,
            role=Role.CLIENT,
            suite=0,
            own_system_title=CLIENT_ST,
            peer_system_title=SERVER_ST,
            private_key=p256,
        )


@pytest.mark.parametrize("suite", [1, 2])
def test_mechanism7_messages_and_rejection(suite: int) -> None:
    stoc, ctos = b"S" * 32, b"C" * 32
    client, server = _pair(MechanismId.HIGH_ECDSA, suite=suite, stoc=stoc, ctos=ctos)
    f_stoc = client.client_response()
    assert server.peer_public_key is not None
    assert ecdsa_verify(
        server.peer_public_key, CLIENT_ST + SERVER_ST + stoc + ctos, f_stoc, suite=suite
    )
    f_ctos = server.server_response()
    assert client.peer_public_key is not None
    assert ecdsa_verify(
        client.peer_public_key, SERVER_ST + CLIENT_ST + ctos + stoc, f_ctos, suite=suite
    )
    # the client's signature is not a valid server answer (the data signed differ)
    with pytest.raises(SecurityError):
        client.verify_server(f_stoc)
    flipped = bytearray(f_stoc)
    flipped[5] ^= 0x40
    with pytest.raises(SecurityError):
        server.verify_client(bytes(flipped))


# --------------------------------------------------------------------------- pairs, 1..7


def _pair(
    mechanism: MechanismId,
    *,
    suite: int = 0,
    stoc: bytes = b"StoC-challenge-1",
    ctos: bytes = b"CtoS-challenge-1",
    client_ic: int = 7,
    server_ic: int = 9,
) -> tuple[HlsContext, HlsContext]:
    extra_client: dict[str, Any] = {}
    extra_server: dict[str, Any] = {}
    if mechanism == MechanismId.HIGH_GMAC:
        ek, ak = (EK32, AK32) if suite == 2 else (EK16, AK16)
        extra_client = {"encryption_key": ek, "authentication_key": ak}
        extra_server = dict(extra_client)
    elif mechanism == MechanismId.HIGH_ECDSA:
        curve: ec.EllipticCurve = ec.SECP384R1() if suite == 2 else ec.SECP256R1()
        client_key = ec.generate_private_key(curve)
        server_key = ec.generate_private_key(curve)
        extra_client = {"private_key": client_key, "peer_public_key": server_key.public_key()}
        extra_server = {"private_key": server_key, "peer_public_key": client_key.public_key()}
    elif mechanism != MechanismId.LOWEST:
        extra_client = extra_server = {"secret": SECRET}
    if mechanism == MechanismId.HIGH:
        extra_client = extra_server = {"secret": SECRET, "hls2": SAPHIR_ENERDIS_SHA256}
    client = HlsContext(
        mechanism=mechanism,
        role=Role.CLIENT,
        suite=suite,
        own_challenge=ctos,
        peer_challenge=stoc,
        own_system_title=CLIENT_ST,
        peer_system_title=SERVER_ST,
        invocation_counter=client_ic,
        **extra_client,
    )
    server = HlsContext(
        mechanism=mechanism,
        role=Role.SERVER,
        suite=suite,
        own_challenge=stoc,
        peer_challenge=ctos,
        own_system_title=SERVER_ST,
        peer_system_title=CLIENT_ST,
        invocation_counter=server_ic,
        **extra_server,
    )
    return client, server


PAIRS = [
    (MechanismId.LOW, 0),
    (MechanismId.HIGH, 0),
    (MechanismId.HIGH_MD5, 0),
    (MechanismId.HIGH_SHA1, 0),
    (MechanismId.HIGH_GMAC, 0),
    (MechanismId.HIGH_GMAC, 1),
    (MechanismId.HIGH_GMAC, 2),
    (MechanismId.HIGH_SHA256, 0),
    (MechanismId.HIGH_ECDSA, 1),
    (MechanismId.HIGH_ECDSA, 2),
]


@pytest.mark.parametrize(("mechanism", "suite"), PAIRS)
def test_client_and_server_verify_each_other(mechanism: MechanismId, suite: int) -> None:
    client, server = _pair(mechanism, suite=suite)
    f_stoc = client.client_response()
    server.verify_client(f_stoc)
    if mechanism == MechanismId.LOW:
        assert f_stoc == SECRET
        with pytest.raises(LocalProtocolError):
            server.server_response()
        with pytest.raises(LocalProtocolError):
            client.verify_server(b"")
        with pytest.raises(SecurityError):
            server.verify_client(SECRET[:-1] + b"\x00")
        return
    f_ctos = server.server_response()
    client.verify_server(f_ctos)
    assert f_stoc != f_ctos
    # an answer for other challenges is refused
    _, other_server = _pair(mechanism, suite=suite, stoc=b"another-challenge")
    if mechanism != MechanismId.HIGH_ECDSA:
        with pytest.raises(SecurityError, match=r"^HLS authentication failed$"):
            other_server.verify_client(f_stoc)
    # roles are enforced
    with pytest.raises(LocalProtocolError):
        server.client_response()
    with pytest.raises(LocalProtocolError):
        client.server_response()
    with pytest.raises(LocalProtocolError):
        client.verify_client(f_stoc)
    with pytest.raises(LocalProtocolError):
        server.verify_server(f_ctos)


def test_mechanism0_has_nothing() -> None:
    client, server = _pair(MechanismId.LOWEST)
    with pytest.raises(LocalProtocolError):
        client.client_response()
    with pytest.raises(LocalProtocolError):
        server.verify_client(b"")


def test_gmac_server_takes_the_counter_from_the_response() -> None:
    """The server does not know IC-C in advance: it reads it from f(StoC)."""
    client, server = _pair(MechanismId.HIGH_GMAC, client_ic=0xFFFFFFFF)
    f_stoc = client.client_response()
    assert parse_gmac_response(f_stoc)[1] == 0xFFFFFFFF
    server.verify_client(f_stoc)


def test_context_validation() -> None:
    with pytest.raises(SecurityError):
        HlsContext(mechanism=MechanismId.HIGH_MD5, role=Role.CLIENT)
    with pytest.raises(SecurityError):
        HlsContext(
            mechanism=MechanismId.HIGH_GMAC,
            role=Role.CLIENT,
            own_system_title=CLIENT_ST,
            peer_system_title=SERVER_ST,
            encryption_key=EK16,
            authentication_key=AK16,
            suite=2,
        )
    with pytest.raises(SecurityError):
        HlsContext(mechanism=MechanismId.HIGH_SHA256, role=Role.CLIENT, secret=SECRET, suite=0)
    with pytest.raises(SecurityError):
        HlsContext(mechanism=MechanismId.LOWEST, role=Role.CLIENT, suite=3)
    with pytest.raises(ValueError):
        HlsContext(mechanism=MechanismId.LOWEST, role=Role.CLIENT, own_system_title=b"1234567")
    with pytest.raises(ValueError):
        HlsContext(mechanism=MechanismId.LOWEST, role=Role.CLIENT, invocation_counter=-1)
    with pytest.raises(TypeError):
        HlsContext(mechanism=MechanismId.LOWEST, role=Role.CLIENT, own_challenge="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        HlsContext(mechanism=MechanismId.LOW, role=Role.CLIENT, secret="password")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        HlsContext(mechanism=9, role=Role.CLIENT)  # type: ignore[arg-type]
    client, _ = _pair(MechanismId.HIGH_ECDSA, suite=1)
    no_key = HlsContext(
        mechanism=MechanismId.HIGH_ECDSA,
        role=Role.CLIENT,
        suite=1,
        own_system_title=CLIENT_ST,
        peer_system_title=SERVER_ST,
    )
    with pytest.raises(SecurityError):
        no_key.client_response()
    with pytest.raises(SecurityError):
        no_key.verify_server(b"\x00" * 64)
    with pytest.raises(TypeError):
        client.verify_server("text")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- secrets stay secret


@pytest.mark.parametrize(("mechanism", "suite"), PAIRS)
def test_secrets_absent_from_reprs_and_errors(mechanism: MechanismId, suite: int) -> None:
    client, server = _pair(mechanism, suite=suite)
    text = repr(client) + repr(server) + str(client) + str(server)
    for secret in (SECRET, EK16, AK16, EK32, AK32):
        assert secret.hex() not in text.lower()
        assert secret.hex().upper() not in text
        assert repr(secret) not in text
    assert "redacted" in text
    assert "HlsContext(mechanism=" in text
    with pytest.raises(SecurityError) as caught:
        server.verify_client(b"\x00" * 17)
    message = str(caught.value)
    assert message == "HLS authentication failed"
    assert client.client_response().hex() not in message.lower()


def test_key_length_error_leaks_nothing() -> None:
    with pytest.raises(SecurityError) as caught:
        gmac_response(
            challenge=b"x" * 8,
            system_title=CLIENT_ST,
            invocation_counter=0,
            encryption_key=b"\xaa" * 15,
            authentication_key=AK16,
        )
    assert "aa" not in str(caught.value).lower().replace("bytes", "")


# --------------------------------------------------------------------------- properties


CHALLENGES = st.binary(min_size=8, max_size=64)
FAST_PAIRS = [p for p in PAIRS if p[0] != MechanismId.HIGH_ECDSA]


@settings(max_examples=60, deadline=None)
@given(stoc=CHALLENGES, ctos=CHALLENGES, index=st.integers(0, len(FAST_PAIRS) - 1))
def test_random_challenges_verify(stoc: bytes, ctos: bytes, index: int) -> None:
    mechanism, suite = FAST_PAIRS[index]
    client, server = _pair(mechanism, suite=suite, stoc=stoc, ctos=ctos)
    f_stoc = client.client_response()
    server.verify_client(f_stoc)
    if mechanism != MechanismId.LOW:
        server_answer = server.server_response()
        client.verify_server(server_answer)
        if stoc != ctos:
            with pytest.raises(SecurityError):
                client.verify_server(f_stoc)


@settings(max_examples=10, deadline=None)
@given(stoc=CHALLENGES, ctos=CHALLENGES, suite=st.sampled_from([1, 2]))
def test_random_challenges_ecdsa(stoc: bytes, ctos: bytes, suite: int) -> None:
    client, server = _pair(MechanismId.HIGH_ECDSA, suite=suite, stoc=stoc, ctos=ctos)
    server.verify_client(client.client_response())
    client.verify_server(server.server_response())


@settings(max_examples=100, deadline=None)
@given(stoc=CHALLENGES, secret=st.binary(min_size=1, max_size=32))
def test_hash_mechanisms_match_hashlib(stoc: bytes, secret: bytes) -> None:
    assert md5_response(stoc, secret) == hashlib.md5(stoc + secret).digest()
    assert sha1_response(stoc, secret) == hashlib.sha1(stoc + secret).digest()
    assert (
        sha256_response(secret, CLIENT_ST, SERVER_ST, stoc, b"c" * 8)
        == hashlib.sha256(secret + CLIENT_ST + SERVER_ST + stoc + b"c" * 8).digest()
    )


# --------------------------------------------------------------------------- cross-checks


@settings(max_examples=50, deadline=None)
@given(
    challenge=CHALLENGES,
    invocation_counter=st.integers(0, 2**32 - 1),
    suite=st.sampled_from([0, 1, 2]),
)
def test_gmac_response_agrees_with_ciphering(
    challenge: bytes, invocation_counter: int, suite: int
) -> None:
    """f = SC ‖ IC ‖ ciphering.gmac(...): the HLS-5 answer and the authentication-only tag
    of the ciphering module are the same GMAC (Green Book 9.2.7.4)."""
    from dlmskit.security import ciphering

    ek, ak = (EK32, AK32) if suite == 2 else (EK16, AK16)
    answer = gmac_response(
        challenge=challenge,
        system_title=CLIENT_ST,
        invocation_counter=invocation_counter,
        encryption_key=ek,
        authentication_key=ak,
        suite=suite,
    )
    tag = ciphering.gmac(
        security_control=0x10 | suite,
        system_title=CLIENT_ST,
        invocation_counter=invocation_counter,
        encryption_key=ek,
        authentication_key=ak,
        data=challenge,
    )
    assert answer == bytes((0x10 | suite,)) + invocation_counter.to_bytes(4, "big") + tag


@pytest.mark.parametrize("suite", [1, 2])
def test_ecdsa_degenerate_signatures_refused(suite: int) -> None:
    curve: ec.EllipticCurve = ec.SECP256R1() if suite == 1 else ec.SECP384R1()
    public = ec.generate_private_key(curve).public_key()
    size = 32 if suite == 1 else 48
    for signature in (bytes(2 * size), b"\x01" * size + bytes(size), b"\xff" * (2 * size)):
        assert not ecdsa_verify(public, b"message", signature, suite=suite)


@pytest.mark.parametrize("suite", [1, 2])
def test_ecdsa_answer_for_other_challenges_refused(suite: int) -> None:
    client, server = _pair(MechanismId.HIGH_ECDSA, suite=suite)
    moved = HlsContext(
        mechanism=MechanismId.HIGH_ECDSA,
        role=Role.SERVER,
        suite=suite,
        own_challenge=b"another-challenge",
        peer_challenge=server.peer_challenge,
        own_system_title=SERVER_ST,
        peer_system_title=CLIENT_ST,
        peer_public_key=server.peer_public_key,
    )
    f_stoc = client.client_response()
    server.verify_client(f_stoc)
    with pytest.raises(SecurityError, match=r"^HLS authentication failed$"):
        moved.verify_client(f_stoc)
    swapped = HlsContext(
        mechanism=MechanismId.HIGH_ECDSA,
        role=Role.SERVER,
        suite=suite,
        own_challenge=server.own_challenge,
        peer_challenge=server.peer_challenge,
        own_system_title=CLIENT_ST,
        peer_system_title=SERVER_ST,
        peer_public_key=server.peer_public_key,
    )
    with pytest.raises(SecurityError):
        swapped.verify_client(f_stoc)


def test_mechanism_names_as_users_write_them() -> None:
    from dlmskit.security.mechanisms import MechanismId

    assert MechanismId.from_name("hls-gmac") is MechanismId.HIGH_GMAC
    assert MechanismId.from_name(" LLS ") is MechanismId.LOW
    assert MechanismId.from_name("7") is MechanismId.HIGH_ECDSA
    assert MechanismId.from_name(0) is MechanismId.LOWEST
    with pytest.raises(ValueError, match="hls-sha256"):
        MechanismId.from_name("hls-sha512")
    with pytest.raises(ValueError, match=r"not 0\.\.7"):
        MechanismId.from_name("9")
