"""HLS mechanisms 3, 4 and 6 cross-checked against an independent implementation: the
``gurux-dlms`` package from PyPI (test-only dependency), ``GXSecure.secure``, the function its
client and server use to answer and check HLS challenges (Green Book 9.2.7.4.2: mechanism 3
MD5(challenge ‖ secret), 4 SHA-1(challenge ‖ secret); for 6 Gurux hashes the concatenation
the caller composes: secret ‖ ST-C ‖ ST-S ‖ StoC ‖ CtoS).

No published reply_to_HLS example for mechanism 4 (SHA-1) was found in public sources (the
Gurux forum, the dlms-cosem and jDLMS test suites, GitHub issues), so this peer is its
independent check; mechanism 6 also has the Gurux forum vector in test_mechanisms_vectors.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gurux_dlms.enums import Authentication
from gurux_dlms.GXDLMSSettings import GXDLMSSettings
from gurux_dlms.GXSecure import GXSecure
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit.security import mechanisms

challenges = st.binary(min_size=8, max_size=64)
secrets_ = st.binary(min_size=1, max_size=32)


def _gurux(authentication: int, challenge: bytes, secret: bytes) -> bytes:
    peer = GXDLMSSettings(False, None)
    peer.authentication = authentication
    return bytes(GXSecure.secure(peer, None, 0, challenge, secret))


@pytest.mark.parametrize(
    ("authentication", "ours"),
    [
        (Authentication.HIGH_MD5, mechanisms.md5_response),
        (Authentication.HIGH_SHA1, mechanisms.sha1_response),
    ],
    ids=["mechanism-3-md5", "mechanism-4-sha1"],
)
@settings(max_examples=50, deadline=None)
@given(challenge=challenges, secret=secrets_)
def test_md5_and_sha1_answers_equal_gurux(
    authentication: int,
    ours: Callable[[bytes, bytes], bytes],
    challenge: bytes,
    secret: bytes,
) -> None:
    assert ours(challenge, secret) == _gurux(authentication, challenge, secret)


@settings(max_examples=50, deadline=None)
@given(
    secret=secrets_,
    client_title=st.binary(min_size=8, max_size=8),
    server_title=st.binary(min_size=8, max_size=8),
    stoc=challenges,
    ctos=challenges,
)
def test_sha256_answer_equals_gurux(
    secret: bytes, client_title: bytes, server_title: bytes, stoc: bytes, ctos: bytes
) -> None:
    composed = secret + client_title + server_title + stoc + ctos
    ours = mechanisms.sha256_response(secret, client_title, server_title, stoc, ctos)
    assert ours == _gurux(Authentication.HIGH_SHA256, stoc, composed)
