"""The SM3 primitives (GB/T 32905-2016) every app uses, in one place: HMAC-SM3 (the audit log's
chain, API tokens, the blind index of sealed values) and PBKDF2-HMAC-SM3 (passwords).
``cryptography`` computes them with the OpenSSL of its wheel, so every machine computes the same
(``docs/cryptography.md``); the day a cipher machine holds the keys, these are the functions that
call it instead.
"""

from cryptography.hazmat.primitives import constant_time, hashes, hmac
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

SM3_DIGEST_SIZE = 32


def sm3():
    """An SM3 digest fed in pieces (``update``, then ``finalize``): files' digests."""
    return hashes.Hash(hashes.SM3())


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    """HMAC (RFC 2104) over SM3: 32 bytes."""
    code = hmac.HMAC(key, hashes.SM3())
    code.update(message)
    return code.finalize()


def pbkdf2_sm3(password: bytes, salt: bytes, iterations: int, length: int = SM3_DIGEST_SIZE):
    """PBKDF2 (RFC 8018) with HMAC-SM3 as its pseudorandom function."""
    return PBKDF2HMAC(hashes.SM3(), length, salt, iterations).derive(password)


def same(a: bytes | str, b: bytes | str) -> bool:
    """Two codes compared in constant time (as bytes; text is compared as its UTF-8)."""
    a = a.encode() if isinstance(a, str) else a
    b = b.encode() if isinstance(b, str) else b
    return constant_time.bytes_eq(a, b)
