"""Passwords hashed with SM3 (GB/T 32905-2016) for 密评 (GB/T 39786-2021 §8.4 a, 身份鉴别).

PBKDF2-HMAC-SM3 (``core.crypto.pbkdf2_sm3``), with Django's own PBKDF2 iterations and a salt per
user. First in ``PASSWORD_HASHERS``: a password still stored as ``pbkdf2_sha256`` is rehashed
with SM3 at its next successful sign-in (Django's ``check_password`` calls its setter when the
hasher that matched is not the preferred one).
"""

import base64

from django.contrib.auth.hashers import PBKDF2PasswordHasher

from core.crypto import pbkdf2_sm3


class PBKDF2SM3PasswordHasher(PBKDF2PasswordHasher):
    """``pbkdf2_sm3$<iterations>$<salt>$<base64 hash>``: Django's PBKDF2 format, SM3 as its PRF.

    ``verify`` (a constant-time compare), ``decode``, ``safe_summary``, ``must_update`` (more
    iterations) and ``harden_runtime`` are Django's; only the derivation differs.
    """

    algorithm = "pbkdf2_sm3"
    digest = None  # not a hashlib digest: SM3 comes from cryptography's OpenSSL

    def encode(self, password, salt, iterations=None):
        self._check_encode_args(password, salt)
        iterations = iterations or self.iterations
        derived = pbkdf2_sm3(password.encode(), salt.encode(), iterations)
        hash = base64.b64encode(derived).decode("ascii").strip()
        return f"{self.algorithm}${iterations}${salt}${hash}"
