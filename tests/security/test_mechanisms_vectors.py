"""Published vectors for the HLS mechanisms, run through dlmskit.security.mechanisms.

Mechanism 6 (HLS SHA-256): Gurux forum thread "SHA256 does not count correctly in ANSI C"
(https://www.gurux.fi/index.php/comment/28043, 1 February 2024). The poster lists the
bytes hashed for the client's pass-3 answer f(StoC) = SHA-256(HLS secret ‖ SystemTitle-C
‖ SystemTitle-S ‖ StoC ‖ CtoS) (IEC 62056-5-3 / Green Book, as quoted in
https://www.gurux.fi/comment/15503) and the digest that the Gurux Java server expected
and "other calculators" give; the wrong digest of the buggy ANSI C library is given too.
Split of the 45 bytes: secret "Gurux" (5), ST-C "ABCDEFGH" (the client's -T 4142434445464748),
ST-S (8), StoC (8), CtoS (16: the AARQ calling-authentication-value 70389CCE... of the
same poster's trace in https://www.gurux.fi/comment/27389).

Mechanisms 3, 4 and 7: tests/security/test_published_hls.py (the Connexo DLMS stack's
MD5 / SHA-1 vector, the Green Book's ECDSA examples).
"""

from __future__ import annotations

import pytest

from dlmskit.errors import SecurityError
from dlmskit.security.mechanisms import HlsContext, MechanismId, Role, sha256_response

SECRET = b"Gurux"
ST_C = bytes.fromhex("4142434445464748")
ST_S = bytes.fromhex("38066D7907091D49")
STOC = bytes.fromhex("26605979683E0D5F")
CTOS = bytes.fromhex("70389CCE67B359AC56AB552A158A4522")
F_STOC = bytes.fromhex("C93338AA6D325E19EFD1D5A7E067DD252C8FB193ECC2091103596B0B5FC71876")
# what the faulty Gurux ANSI C SHA-256 produced for the same input (same forum post)
GURUX_C_WRONG = bytes.fromhex("E536DEFBB31B6D149D80F023E8C050BA858377A7AFEFD07F0012017530B4A4B8")


def test_sha256_function_reproduces_gurux_forum_vector() -> None:
    assert sha256_response(SECRET, ST_C, ST_S, STOC, CTOS) == F_STOC


def test_hls6_client_response_reproduces_gurux_forum_vector() -> None:
    client = HlsContext(
        mechanism=MechanismId.HIGH_SHA256,
        role=Role.CLIENT,
        own_challenge=CTOS,
        peer_challenge=STOC,
        secret=SECRET,
        own_system_title=ST_C,
        peer_system_title=ST_S,
    )
    assert client.client_response() == F_STOC


def test_hls6_server_accepts_vector_and_refuses_the_buggy_digest() -> None:
    server = HlsContext(
        mechanism=MechanismId.HIGH_SHA256,
        role=Role.SERVER,
        own_challenge=STOC,
        peer_challenge=CTOS,
        secret=SECRET,
        own_system_title=ST_S,
        peer_system_title=ST_C,
    )
    server.verify_client(F_STOC)
    with pytest.raises(SecurityError):
        server.verify_client(GURUX_C_WRONG)
