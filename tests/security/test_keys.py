"""Tests of dlmskit.security.keys: key wrap, ECDH + KDF, ECDSA, key material."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit.errors import SecurityError
from dlmskit.security.keys import (
    ALGORITHM_ID_AES_GCM_128,
    ALGORITHM_ID_AES_GCM_256,
    KeyStore,
    SecurityKeys,
    concat_kdf,
    derive_shared_key,
    ecdh_shared_secret,
    generate_private_key,
    kdf_other_info,
    key_length,
    public_key_from_dlms,
    public_key_to_dlms,
    sign,
    unwrap_key,
    verify,
    wrap_key,
)

# --------------------------------------------------------------------------- key wrap

KEK_128 = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
KEK_192 = bytes.fromhex("000102030405060708090A0B0C0D0E0F1011121314151617")
KEK_256 = bytes.fromhex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
DATA_128 = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
DATA_192 = bytes.fromhex("00112233445566778899AABBCCDDEEFF0001020304050607")
DATA_256 = bytes.fromhex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")

# RFC 3394 (Schaad, Housley, 2002), section 4 "Test Vectors", 4.1 to 4.6.
RFC3394_VECTORS = [
    ("4.1", KEK_128, DATA_128, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"),
    ("4.2", KEK_192, DATA_128, "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D"),
    ("4.3", KEK_256, DATA_128, "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7"),
    ("4.4", KEK_192, DATA_192, "031D33264E15D33268F24EC260743EDCE1C6C7DDEE725A936BA814915C6762D2"),
    ("4.5", KEK_256, DATA_192, "A8F9BC1612C68B3FF6E6F4FBE30E71E4769C8B80A32CB8958CD5D17D6B254DA1"),
    (
        "4.6",
        KEK_256,
        DATA_256,
        "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21",
    ),
]


@pytest.mark.parametrize(("section", "kek", "data", "wrapped"), RFC3394_VECTORS)
def test_rfc3394_vectors(section: str, kek: bytes, data: bytes, wrapped: str) -> None:
    assert wrap_key(kek, data) == bytes.fromhex(wrapped), section
    assert unwrap_key(kek, bytes.fromhex(wrapped)) == data, section


def test_unwrap_wrong_kek_leaks_nothing() -> None:
    wrapped = wrap_key(KEK_128, DATA_128)
    wrong = bytes(16)
    with pytest.raises(SecurityError) as info:
        unwrap_key(wrong, wrapped)
    text = str(info.value).lower()
    for secret in (KEK_128, DATA_128, wrong, wrapped):
        assert secret.hex() not in text
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_unwrap_altered_data() -> None:
    wrapped = bytearray(wrap_key(KEK_256, DATA_256))
    wrapped[-1] ^= 1
    with pytest.raises(SecurityError):
        unwrap_key(KEK_256, bytes(wrapped))


@pytest.mark.parametrize(
    ("kek", "data"),
    [(bytes(15), DATA_128), (KEK_128, bytes(15)), (KEK_128, bytes(8)), (bytes(33), DATA_128)],
)
def test_wrap_bad_lengths(kek: bytes, data: bytes) -> None:
    with pytest.raises(SecurityError):
        wrap_key(kek, data)


@pytest.mark.parametrize("wrapped", [b"", bytes(16), bytes(25)])
def test_unwrap_bad_lengths(wrapped: bytes) -> None:
    with pytest.raises(SecurityError):
        unwrap_key(KEK_128, wrapped)


@settings(max_examples=50)
@given(
    kek=st.sampled_from([16, 24, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
    blocks=st.integers(2, 8),
    data=st.data(),
)
def test_wrap_round_trip(kek: bytes, blocks: int, data: st.DataObject) -> None:
    key = data.draw(st.binary(min_size=8 * blocks, max_size=8 * blocks))
    wrapped = wrap_key(kek, key)
    assert len(wrapped) == len(key) + 8
    assert unwrap_key(kek, wrapped) == key


# --------------------------------------------------------------------------- ECDH + KDF

CLIENT_TITLE = bytes.fromhex("4D4D4D0000BC614E")
METER_TITLE = bytes.fromhex("4D4D4D0000000001")


def test_algorithm_ids() -> None:
    # OID 2.16.756.5.8.3.n (Green Book, cryptographic algorithm IDs): 2.16 -> 0x60,
    # 756 -> 0x85 0x74. Gurux Java uses "60857405080300" for AES-GCM-128.
    assert bytes.fromhex("60857405080300") == ALGORITHM_ID_AES_GCM_128
    assert bytes.fromhex("60857405080301") == ALGORITHM_ID_AES_GCM_256


def test_other_info_layout() -> None:
    info = kdf_other_info(ALGORITHM_ID_AES_GCM_128, CLIENT_TITLE, METER_TITLE)
    assert info == ALGORITHM_ID_AES_GCM_128 + CLIENT_TITLE + METER_TITLE
    assert len(info) == 7 + 8 + 8
    assert kdf_other_info(b"A", b"U", b"V", b"P", b"Q") == b"AUVPQ"


@pytest.mark.parametrize(
    ("suite", "algorithm_id"), [(1, ALGORITHM_ID_AES_GCM_128), (2, ALGORITHM_ID_AES_GCM_256)]
)
def test_both_parties_agree_and_match_hand_kdf(suite: int, algorithm_id: bytes) -> None:
    curve = ec.SECP256R1() if suite == 1 else ec.SECP384R1()
    # One-pass: sender's ephemeral key, recipient's static key.
    ephemeral = ec.generate_private_key(curve)
    meter_static = ec.generate_private_key(curve)
    common = {"suite": suite, "algorithm_id": algorithm_id}
    sender = derive_shared_key(
        ephemeral,
        meter_static.public_key(),
        party_u=CLIENT_TITLE,
        party_v=METER_TITLE,
        **common,  # type: ignore[arg-type]
    )
    receiver = derive_shared_key(
        meter_static,
        ephemeral.public_key(),
        party_u=CLIENT_TITLE,
        party_v=METER_TITLE,
        **common,  # type: ignore[arg-type]
    )
    assert sender == receiver
    assert len(sender) == key_length(suite)
    # Independently: cryptography's ECDH and SP 800-56A 5.8.1 computed by hand,
    # H(counter=00000001 ‖ Z ‖ OtherInfo), leftmost bytes.
    z = ephemeral.exchange(ec.ECDH(), meter_static.public_key())
    assert z == ecdh_shared_secret(ephemeral, meter_static.public_key(), suite)
    hasher = hashlib.sha256 if suite == 1 else hashlib.sha384
    expected = hasher(b"\x00\x00\x00\x01" + z + algorithm_id + CLIENT_TITLE + METER_TITLE).digest()[
        : key_length(suite)
    ]
    assert sender == expected


def test_static_unified_and_swapped_titles_differ() -> None:
    client, meter = generate_private_key(1), generate_private_key(1)
    a = derive_shared_key(
        client,
        meter.public_key(),
        suite=1,
        algorithm_id=ALGORITHM_ID_AES_GCM_128,
        party_u=CLIENT_TITLE,
        party_v=METER_TITLE,
    )
    b = derive_shared_key(
        meter,
        client.public_key(),
        suite=1,
        algorithm_id=ALGORITHM_ID_AES_GCM_128,
        party_u=CLIENT_TITLE,
        party_v=METER_TITLE,
    )
    swapped = derive_shared_key(
        meter,
        client.public_key(),
        suite=1,
        algorithm_id=ALGORITHM_ID_AES_GCM_128,
        party_u=METER_TITLE,
        party_v=CLIENT_TITLE,
    )
    assert a == b != swapped


def test_concat_kdf_longer_output_uses_counter_two() -> None:
    z = bytes(range(32))
    info = b"other"
    out = concat_kdf(z, info, 1, length=48)
    first = hashlib.sha256(b"\x00\x00\x00\x01" + z + info).digest()
    second = hashlib.sha256(b"\x00\x00\x00\x02" + z + info).digest()
    assert out == (first + second)[:48]


def test_curve_must_match_suite() -> None:
    p256, p384 = generate_private_key(1), generate_private_key(2)
    with pytest.raises(SecurityError):
        ecdh_shared_secret(p256, p384.public_key(), 1)
    with pytest.raises(SecurityError):
        sign(p384, b"x", 1)
    with pytest.raises(SecurityError):
        generate_private_key(0)


# --------------------------------------------------------------------------- ECDSA


@pytest.mark.parametrize(("suite", "size"), [(1, 64), (2, 96)])
def test_sign_verify(suite: int, size: int) -> None:
    key = generate_private_key(suite)
    data = b"general-signing content"
    signature = sign(key, data, suite)
    assert len(signature) == size
    verify(key.public_key(), data, signature, suite)
    # Raw r ‖ s checks against cryptography's DER verification.
    half = size // 2
    r, s = int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
    key.public_key().verify(
        encode_dss_signature(r, s),
        data,
        ec.ECDSA(hashes.SHA256() if suite == 1 else hashes.SHA384()),
    )
    with pytest.raises(SecurityError):
        verify(key.public_key(), data + b"!", signature, suite)
    tampered = bytearray(signature)
    tampered[0] ^= 0x80
    with pytest.raises(SecurityError):
        verify(key.public_key(), data, bytes(tampered), suite)
    with pytest.raises(SecurityError):
        verify(key.public_key(), data, signature[:-1], suite)
    with pytest.raises(SecurityError):
        verify(key.public_key(), data, bytes(size), suite)


def test_verify_signature_made_by_cryptography() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.sign(b"abc", ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    verify(key.public_key(), b"abc", r.to_bytes(32, "big") + s.to_bytes(32, "big"), 1)


@pytest.mark.parametrize(("suite", "size"), [(1, 64), (2, 96)])
def test_public_key_dlms_form(suite: int, size: int) -> None:
    public = generate_private_key(suite).public_key()
    raw = public_key_to_dlms(public)
    assert len(raw) == size
    uncompressed = public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    assert uncompressed == b"\x04" + raw
    assert public_key_from_dlms(raw, suite).public_numbers() == public.public_numbers()
    assert public_key_from_dlms(b"\x04" + raw, suite).public_numbers() == public.public_numbers()
    with pytest.raises(SecurityError):
        public_key_from_dlms(raw[:-1], suite)
    with pytest.raises(SecurityError):
        public_key_from_dlms(bytes(size), suite)  # (0, 0) is not on the curve


# --------------------------------------------------------------------------- key material

EK = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
AK = bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")
KEK = bytes.fromhex("A1A2A3A4A5A6A7A8A9AAABACADAEAFB0")
EK32 = bytes(range(32, 64))


def test_security_keys_repr_redacts() -> None:
    keys = SecurityKeys(
        system_title=CLIENT_TITLE,
        global_unicast_key=EK,
        authentication_key=AK,
        kek=KEK,
        peer_system_title=METER_TITLE,
    )
    for text in (repr(keys), str(keys), f"{keys}"):
        for secret in (EK, AK, KEK):
            assert secret.hex() not in text.lower()
        assert "global_unicast_key=<16 bytes, redacted>" in text
        assert "dedicated_key" not in text
    dedicated = keys.with_dedicated_key(EK32[:16])
    assert dedicated.dedicated_key == EK32[:16]
    assert keys.dedicated_key is None
    assert "dedicated_key=<16 bytes, redacted>" in repr(dedicated)
    assert EK32[:16].hex() not in repr(dedicated)


@pytest.mark.parametrize(
    ("suite", "field", "value", "expected"),
    [
        (0, "global_unicast_key", EK32, 16),
        (1, "authentication_key", EK[:15], 16),
        (2, "global_unicast_key", EK, 32),
        (2, "kek", KEK, 32),
        (0, "dedicated_key", EK + b"\x00", 16),
        (0, "global_broadcast_key", b"", 16),
    ],
)
def test_security_keys_validation_leaks_nothing(
    suite: int, field: str, value: bytes, expected: int
) -> None:
    with pytest.raises(SecurityError) as info:
        SecurityKeys(system_title=CLIENT_TITLE, suite=suite, **{field: value})  # type: ignore[arg-type]
    message = str(info.value)
    assert field in message
    assert f"{expected} bytes" in message
    if value:
        assert value.hex() not in message.lower()


def test_security_keys_other_validation() -> None:
    SecurityKeys(system_title=CLIENT_TITLE, suite=2, global_unicast_key=EK32, kek=EK32)
    with pytest.raises(SecurityError, match="system_title"):
        SecurityKeys(system_title=b"short")
    with pytest.raises(SecurityError, match="peer_system_title"):
        SecurityKeys(system_title=CLIENT_TITLE, peer_system_title=b"abc")
    with pytest.raises(SecurityError, match="suite"):
        SecurityKeys(system_title=CLIENT_TITLE, suite=3)
    good = SecurityKeys(system_title=CLIENT_TITLE, global_unicast_key=EK)
    with pytest.raises(SecurityError):
        good.with_dedicated_key(b"\x00" * 5)
    assert good.same_keys(SecurityKeys(system_title=CLIENT_TITLE, global_unicast_key=EK))
    assert not good.same_keys(SecurityKeys(system_title=CLIENT_TITLE, global_unicast_key=AK))
    assert not good.same_keys(SecurityKeys(system_title=CLIENT_TITLE))


def test_key_store() -> None:
    meter_a = SecurityKeys(
        system_title=CLIENT_TITLE, global_unicast_key=EK, peer_system_title=METER_TITLE
    )
    other_title = bytes.fromhex("4B464D1020304050")
    meter_b = SecurityKeys(
        system_title=CLIENT_TITLE, global_unicast_key=AK, peer_system_title=other_title
    )
    store = KeyStore([meter_a, meter_b])
    assert store.find(METER_TITLE) is meter_a
    assert store.find(other_title) is meter_b
    assert len(store) == 2 and METER_TITLE in store
    with pytest.raises(SecurityError) as info:
        store.find(bytes(8))
    assert EK.hex() not in str(info.value).lower()
    with pytest.raises(SecurityError):
        store.find(b"")
    with pytest.raises(SecurityError):
        store.add(SecurityKeys(system_title=CLIENT_TITLE))
    store.remove(other_title)
    assert other_title not in store
    assert "redacted" not in repr(store) and EK.hex() not in repr(store).lower()


def test_key_store_empty_system_title_quirk() -> None:
    meter = SecurityKeys(
        system_title=CLIENT_TITLE, global_unicast_key=EK, peer_system_title=METER_TITLE
    )
    default = SecurityKeys(system_title=CLIENT_TITLE, global_unicast_key=AK)
    # Off by default: an empty system title finds nothing, even with a default set.
    with pytest.raises(SecurityError):
        KeyStore([meter], default=default).find(b"")
    # On: the default keys, or the only entry.
    assert KeyStore([meter], default=default, empty_system_title_fallback=True).find(b"") is default
    assert KeyStore([meter], empty_system_title_fallback=True).find(b"") is meter
    # A default serves unknown (non-empty) peers.
    assert KeyStore([meter], default=default).find(bytes(8)) is default
    two = KeyStore(
        [meter, SecurityKeys(system_title=CLIENT_TITLE, peer_system_title=bytes(8))],
        empty_system_title_fallback=True,
    )
    with pytest.raises(SecurityError):
        two.find(b"")
