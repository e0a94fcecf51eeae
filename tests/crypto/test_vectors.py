"""The SM algorithms through cryptography's OpenSSL against the standards' own examples: SM3
(GB/T 32905-2016, appendix A), SM4 (GB/T 32907-2016, appendix A), and HMAC-SM3 and PBKDF2-HMAC-SM3
built on them (``core.crypto``, the one home of the project's SM3 primitives)."""

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from core.crypto import hmac_sm3, pbkdf2_sm3, same


def sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


@pytest.mark.parametrize(
    ("message", "digest"),
    [
        (b"abc", "66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0"),
        (b"abcd" * 16, "debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732"),
    ],
)
def test_sm3_gives_the_examples_of_gb_t_32905(message, digest):
    assert sm3(message) == digest.replace(" ", "")


def test_sm4_gives_the_example_of_gb_t_32907():
    key = plaintext = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    assert ciphertext.hex() == "681edf34d206965e86b3e94f536e4246"
    decryptor = Cipher(algorithms.SM4(key), modes.ECB()).decryptor()
    assert decryptor.update(ciphertext) + decryptor.finalize() == plaintext


def test_hmac_sm3_round_trip():
    key, message = b"k" * 32, "审计日志".encode()
    tag = hmac_sm3(key, message)
    assert len(tag) == 32
    assert tag == hmac_sm3(key, message)
    verifier = hmac.HMAC(key, hashes.SM3())
    verifier.update(message)
    verifier.verify(tag)
    for wrong_key, wrong_message in [(b"K" * 32, message), (key, message + b"!")]:
        verifier = hmac.HMAC(wrong_key, hashes.SM3())
        verifier.update(wrong_message)
        with pytest.raises(InvalidSignature):
            verifier.verify(tag)


def test_hmac_sm3_is_the_rfc_2104_construction_over_sm3():
    key, message = b"key", b"The quick brown fox jumps over the lazy dog"
    block = key.ljust(64, b"\0")
    inner = hashes.Hash(hashes.SM3())
    inner.update(bytes(b ^ 0x36 for b in block) + message)
    outer = hashes.Hash(hashes.SM3())
    outer.update(bytes(b ^ 0x5C for b in block) + inner.finalize())
    assert hmac_sm3(key, message) == outer.finalize()


def test_pbkdf2_hmac_sm3_is_deterministic_and_depends_on_each_input():
    derived = pbkdf2_sm3(b"password", b"salt", 1000)
    assert len(derived) == 32
    assert derived == pbkdf2_sm3(b"password", b"salt", 1000)
    assert derived != pbkdf2_sm3(b"password", b"salt", 1001)
    assert derived != pbkdf2_sm3(b"password", b"pepper", 1000)
    assert derived != pbkdf2_sm3(b"Password", b"salt", 1000)


def test_pbkdf2_hmac_sm3_one_round_is_hmac_sm3_of_the_salt_and_block_index():
    # RFC 8018: with one iteration, the first block is U1 = PRF(P, S || INT(1)).
    assert pbkdf2_sm3(b"password", b"salt", 1) == hmac_sm3(b"password", b"salt\0\0\0\1")


def test_codes_are_compared_whole():
    assert same("ab", "ab") and same(b"ab", "ab")
    assert not same("ab", "ac") and not same("ab", "abc")
