"""ECDSA and ECDH of suites 1 and 2 against published known-answer vectors.

- RFC 6979 appendix A.2.5 (P-256, SHA-256, message "sample") and A.2.6 (P-384, SHA-384,
  message "sample"): private key, public key and the deterministic signature (r, s).
  Suites 1 and 2 use exactly these curve / hash pairs (Green Book 9.2.3.4, security suites),
  and DLMS carries the signature as raw r ‖ s and the public key as X ‖ Y.
- RFC 5903 section 8.1 (ECDH on the 256-bit random ECP group = P-256): both private keys,
  both public keys and the shared secret x coordinate, which is Z of the ECC CDH primitive
  that the DLMS key agreement feeds into its KDF.
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dlmskit.errors import SecurityError
from dlmskit.security import keys

# RFC 6979 A.2.5 / A.2.6: (suite, curve, private key, Ux, Uy, r, s)
RFC6979 = [
    (
        1,
        ec.SECP256R1(),
        "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
        "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6",
        "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299",
        "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
        "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
    ),
    (
        2,
        ec.SECP384R1(),
        "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5",
        None,
        None,
        "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46",
        "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8",
    ),
]


@pytest.mark.parametrize("vector", RFC6979, ids=["A.2.5-P-256", "A.2.6-P-384"])
def test_rfc6979_signature_verifies_as_raw_r_s(vector: tuple[Any, ...]) -> None:
    suite, curve, d, ux, uy, r, s = vector
    private = ec.derive_private_key(int(d, 16), curve)
    public_raw = keys.public_key_to_dlms(private.public_key())
    if ux is not None and uy is not None:
        assert public_raw == bytes.fromhex(ux + uy)
    public = keys.public_key_from_dlms(public_raw, suite)
    signature = bytes.fromhex(r + s)
    keys.verify(public, b"sample", signature, suite)  # raises if it does not verify
    for index in (0, len(signature) - 1):
        tampered = bytearray(signature)
        tampered[index] ^= 0x01
        with pytest.raises(SecurityError):
            keys.verify(public, b"sample", bytes(tampered), suite)
    with pytest.raises(SecurityError):
        keys.verify(public, b"samplf", signature, suite)


@pytest.mark.parametrize("vector", RFC6979, ids=["A.2.5-P-256", "A.2.6-P-384"])
def test_own_signature_verifies_under_the_published_key(vector: tuple[Any, ...]) -> None:
    suite, curve, d, _ux, _uy, r, s = vector
    private = ec.derive_private_key(int(d, 16), curve)
    signature = keys.sign(private, b"sample", suite)
    assert len(signature) == len(bytes.fromhex(r + s))
    keys.verify(private.public_key(), b"sample", signature, suite)


def test_rfc5903_ecdh_p256_shared_secret() -> None:
    i = ec.derive_private_key(
        int("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433", 16),
        ec.SECP256R1(),
    )
    r = ec.derive_private_key(
        int("C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53", 16),
        ec.SECP256R1(),
    )
    gi = bytes.fromhex(
        "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
        "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3"
    )
    gr = bytes.fromhex(
        "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
        "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB"
    )
    assert keys.public_key_to_dlms(i.public_key()) == gi
    assert keys.public_key_to_dlms(r.public_key()) == gr
    expected = bytes.fromhex("D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE")
    assert keys.ecdh_shared_secret(i, keys.public_key_from_dlms(gr, 1), 1) == expected
    assert keys.ecdh_shared_secret(r, keys.public_key_from_dlms(gi, 1), 1) == expected
    with pytest.raises(SecurityError):
        keys.ecdh_shared_secret(i, keys.public_key_from_dlms(gr, 1), 2)  # wrong suite's curve
