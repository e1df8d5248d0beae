"""HLS mechanisms 3, 4 and 7 against vectors published by others.

Mechanisms 3 (MD5) and 4 (SHA-1): the EnergyICT / Honeywell Connexo DLMS stack, unit test
``ApplicationServiceObjectTest.handleHighLevelSecurityAuthenticationTest``
(github.com/chandangeek/Connexo_Code, upl/com.energyict.mdc.upl.impl/dlms/src/test/java/
com/energyict/dlms/aso/ApplicationServiceObjectTest.java, commit a26bfe63bb76; the secret
is the default of mocks/MockSecurityProvider.getHLSSecret()). The client's challenge CtoS
0102030405060708 and the HLS secret FF00EE11DD22CC33; the test's mock meter answers the
pass-3 ACTION with ``C7 01 81 00 01 00 09 14 <f(CtoS)>`` (SHA-1) or ``... 09 10 <f(CtoS)>``
(MD5), and the client checks it. Only the hex values are used here, not its code.

Mechanism 7 (ECDSA, suite 1): the Green Book's ECDSA examples (DLMS UA 1000-2 Ed. 8,
Table C.1) as the Connexo test ECDSASignatureImplTest quotes them (the client key and the
first signature are also in Gurux Java's GXSymmetricTest): the client's and the server's
signing key pairs, three messages and their raw r ‖ s signatures. The first message is a
key agreement entry (key id 0 ‖ the client's ephemeral public key X ‖ Y), which Security
setup key_agreement signs exactly so. No published example of the HLS-7 exchange itself
(a signature over ST-C ‖ ST-S ‖ StoC ‖ CtoS with its keys) was found: the message layout
follows the Green Book formula (``mechanisms.ecdsa_message``) and is checked client ↔
server in tests/security/test_mechanisms.py and over sockets against the simulator; the
signing step is checked here with the Green Book's own keys and signatures, and against
RFC 6979 in test_published_ec.py.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dlmskit.errors import SecurityError
from dlmskit.security import keys
from dlmskit.security.mechanisms import (
    HlsContext,
    MechanismId,
    Role,
    ecdsa_verify,
    md5_response,
    sha1_response,
)
from dlmskit.security.setup import KeyAgreement, KeyAgreementEntry, KeyId, key_agreement_respond

# --- mechanisms 3 and 4: Connexo ----------------------------------------------------------

SECRET = bytes.fromhex("FF00EE11DD22CC33")
CTOS = bytes.fromhex("0102030405060708")
STOC = bytes.fromhex("1122334455667788")  # any: f(CtoS) does not depend on it
SHA1_F_CTOS = bytes.fromhex("FBCADD395D8EDD8B7B53006CDF1367FBF370E780")
MD5_F_CTOS = bytes.fromhex("8DD44B47C06B0D86CEA4A09ECBF156B9")
# the mock meter's pass-3 answers, after the harness's 3-octet prefix 64 00 07
SHA1_ANSWER = bytes.fromhex("C701810001000914") + SHA1_F_CTOS
MD5_ANSWER = bytes.fromhex("C701810001000910") + MD5_F_CTOS


def test_mechanism_4_and_3_functions_reproduce_connexo() -> None:
    assert sha1_response(CTOS, SECRET) == SHA1_F_CTOS
    assert md5_response(CTOS, SECRET) == MD5_F_CTOS


@pytest.mark.parametrize(
    ("mechanism", "answer", "digest"),
    [
        (MechanismId.HIGH_SHA1, SHA1_ANSWER, SHA1_F_CTOS),
        (MechanismId.HIGH_MD5, MD5_ANSWER, MD5_F_CTOS),
    ],
    ids=["sha1", "md5"],
)
def test_server_answer_and_client_check_reproduce_connexo(
    mechanism: MechanismId, answer: bytes, digest: bytes
) -> None:
    """The server's f(CtoS) is the digest of the published answer; our client accepts
    that answer (decoded from the published ACTION response) and refuses a changed one."""
    from dlmskit.apdu import decode
    from dlmskit.apdu.action import ActionResponseNormal

    server = HlsContext(
        mechanism=mechanism,
        role=Role.SERVER,
        own_challenge=STOC,
        peer_challenge=CTOS,
        secret=SECRET,
    )
    assert server.server_response() == digest
    response = decode(answer)
    assert isinstance(response, ActionResponseNormal)
    returned = response.single_response.return_parameters
    assert returned is not None
    f_ctos = bytes(returned.value)  # type: ignore[union-attr, arg-type]
    client = HlsContext(
        mechanism=mechanism,
        role=Role.CLIENT,
        own_challenge=CTOS,
        peer_challenge=STOC,
        secret=SECRET,
    )
    client.verify_server(f_ctos)
    with pytest.raises(SecurityError):
        client.verify_server(bytes([f_ctos[0] ^ 1]) + f_ctos[1:])


# --- mechanism 7: the Green Book's ECDSA examples (suite 1, P-256 / SHA-256) ----------------

CLIENT_D = "418073C239FA6125011DE4D6CD2E645780289F761BB21BFB0835CB5585E8B373"
CLIENT_Q = (
    "BAAFFDE06A8CB1C9DAE8D94023C601DBBB249254BA22EDD827E820BCA2BCC643"
    "62FBB83D86A82B87BB8B7161D2AAB5521911A946B97A284A90F7785CD9047D25"
)
SERVER_D = "AE55414FFE079F9FC95649536BD1C2B5653D200813727E07D501A8B550C69207"
SERVER_Q = (
    "933ACF15B03A9248E029B2787FB52A0AECAF635F07C42A0019FB3197E38F8F54"
    "9A125EA36781B0CA96BE89A0E1FE2CF9B7361ED48B3C5E24592B9C0F4EDD31D1"
)
EPHEMERAL = (
    "2914D60E10AB705F62ED6CC349D7CB99B9AB3F3978E59278C7AF595B3AF98794"
    "1372DAB6D5AF1FA867E134167E6F23DE664A6693E05F43414611058D1B48F894"
)
SIGNATURE_A = (
    "06F0607702AA0E2435A183E2F6B1ECD19629712E389A213610C03F77B2590860"
    "EA840AF5C3FA1F2BCDF055D4744E9A01CE9A0E55026BCAA4EEBEB764CED64BB3"
)
# (signer, message, r ‖ s)
SIGNED = [
    ("client", "00" + EPHEMERAL, SIGNATURE_A),
    (
        "client",
        "C323C2BD45711DE4688637D919F92E9DB8FB2DFC213A88D21C9DC8DCBA917D81"
        "70511DE1BADB360D50058F794B0960AE11FA28D392CFF907A62D13E3357B1DC0",
        "B51BE089D0B682863B2217201E73A1A9031968A9B4121DCBC3281A69739AF874"
        "29F5B3AC5471E7B6A04A2C0F2F8A25FD772A317DF97FC5463FEAC248EB8AB8BE",
    ),
    (
        "server",
        "6439724714B47CD9CB988897D8424AB946DCD083D37A954637616011B9C23787"
        "73295F0F850D8DAFD1BBE9FE666E53E4F097CD10B38B69622152724A90987444",
        "E1FF47974A1F6931A6502F58147463F0E8CC517D47F55B0AC56DD8AC5C9D0E48"
        "1934F2D90F9893016BD82B6E3FFE21FF1588F3278B4E9D98EB4FB62ADD64B380",
    ),
]
PUBLIC = {"client": CLIENT_Q, "server": SERVER_Q}


def test_green_book_key_pairs_load_as_dlms_keys() -> None:
    """d → Q for both published key pairs, with Q in the DLMS form X ‖ Y."""
    for d, q in ((CLIENT_D, CLIENT_Q), (SERVER_D, SERVER_Q)):
        private = ec.derive_private_key(int(d, 16), ec.SECP256R1())
        assert keys.public_key_to_dlms(private.public_key()) == bytes.fromhex(q)
        loaded = keys.public_key_from_dlms(bytes.fromhex(q), 1)
        assert loaded.public_numbers() == private.public_key().public_numbers()


@pytest.mark.parametrize("vector", SIGNED, ids=["key-agreement", "message-B", "message-C"])
def test_green_book_signatures_verify_with_the_mechanism_7_primitive(
    vector: tuple[str, str, str],
) -> None:
    signer, message, signature = vector
    public = keys.public_key_from_dlms(bytes.fromhex(PUBLIC[signer]), 1)
    data, sig = bytes.fromhex(message), bytes.fromhex(signature)
    assert ecdsa_verify(public, data, sig, suite=1)
    # one bit of the message or of r or s changed: refused
    assert not ecdsa_verify(public, bytes([data[0] ^ 1]) + data[1:], sig, suite=1)
    assert not ecdsa_verify(public, data, sig[:-1] + bytes([sig[-1] ^ 0x10]), suite=1)
    # the other party's key does not verify it
    other = keys.public_key_from_dlms(
        bytes.fromhex(PUBLIC["server" if signer == "client" else "client"]), 1
    )
    assert not ecdsa_verify(other, data, sig, suite=1)


def test_green_book_key_agreement_entry_is_accepted_by_the_server() -> None:
    """The published signed ephemeral key (key id 0 = global unicast encryption key) as a
    key_agreement request: our server checks the signature over key id ‖ X ‖ Y with the
    client's published key before using the ephemeral key, and answers with its own."""
    client_public = keys.public_key_from_dlms(bytes.fromhex(CLIENT_Q), 1)
    server_private = ec.derive_private_key(int(SERVER_D, 16), ec.SECP256R1())
    entry = KeyAgreementEntry(
        KeyId.GLOBAL_UNICAST, bytes.fromhex(EPHEMERAL) + bytes.fromhex(SIGNATURE_A)
    )
    request = KeyAgreement((entry,))
    titles = {"client_title": b"CLIENT01", "server_title": b"SERVER01"}
    response, agreed = key_agreement_respond(request, client_public, server_private, 1, **titles)
    assert set(agreed) == {KeyId.GLOBAL_UNICAST} and len(agreed[KeyId.GLOBAL_UNICAST]) == 16
    assert len(response.entries[0].key_data) == 128
    # the same test's tampered signature (last octet B3 → ... 4F B3) is refused
    tampered = SIGNATURE_A[:-4] + "4FB3"
    bad = KeyAgreement(
        (KeyAgreementEntry(KeyId.GLOBAL_UNICAST, bytes.fromhex(EPHEMERAL + tampered)),)
    )
    with pytest.raises(SecurityError):
        key_agreement_respond(bad, client_public, server_private, 1, **titles)


@pytest.mark.parametrize(
    ("mechanism", "answer"),
    [(MechanismId.HIGH_SHA1, SHA1_ANSWER), (MechanismId.HIGH_MD5, MD5_ANSWER)],
    ids=["sha1", "md5"],
)
def test_whole_association_answers_as_the_published_meter(
    mechanism: MechanismId, answer: bytes
) -> None:
    """Our client (its challenge fixed to the published CtoS) and our server (the
    published secret) run the association over the wrapper; the server's pass-3 answer is
    the published one, invoke id aside (0x81 there, 0xC1 here)."""
    from dlmskit.session import (
        Associate,
        AssociationAccepted,
        AssociationConfig,
        ClientSettings,
        ServerSettings,
    )
    from tests.session._pair import Pair

    client = ClientSettings(
        mechanism=mechanism, secret=SECRET, challenge_length=8, random=lambda n: CTOS[:n]
    )
    server = ServerSettings(
        associations={16: AssociationConfig(mechanism=mechanism, secret=SECRET)},
        challenge_length=8,
        random=lambda n: STOC[:n],
    )
    pair = Pair(client, server, transport="wrapper")
    pair.connect()
    assert isinstance(pair.call(Associate()), AssociationAccepted)
    pass_4 = [a for side, a in pair.apdus if side == "s" and a[0] == 0xC7]
    assert pass_4 == [answer[:2] + b"\xc1" + answer[3:]]
