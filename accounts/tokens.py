"""API tokens stored as HMAC-SM3 digests (密评, GB/T 39786-2021 §8.4 e; ``docs/cryptography.md``).

A token is 32 random bytes, URL-safe base64 (43 characters). Only ``HMAC-SM3(API_TOKEN_KEY,
token)`` is stored, with the token's first characters to tell tokens apart in the back office; the
token itself is answered once, by ``issue``, and never again. A presented token is found by its
digest (a unique index). The index lookup's timing could tell something of a digest, never of a
token (finding a token from its digest needs the key and inverting HMAC), and the digest found is
compared again in constant time.

Tokens made before (REST framework's ``authtoken``, 40 hexadecimal characters, stored in clear)
were dropped by migration ``accounts.0012``, not converted: each such token had been written in
clear into the append-only audit log (as the record's id and name) and shown in the back office, so
it could not be trusted to stay secret. One of them presented is refused with a notice saying to
obtain a new token.
"""

import re
import secrets

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from core.crypto import hmac_sm3, same

from .models import ApiToken

TOKEN_BYTES = 32
PREFIX_LENGTH = 8
# The shape of the tokens dropped by accounts.0012 (REST framework's authtoken keys).
CLEAR_TOKEN = re.compile(r"[0-9a-f]{40}")


def token_key() -> bytes:
    key = settings.API_TOKEN_KEY
    if not key:
        raise ImproperlyConfigured("API_TOKEN_KEY must be set: API tokens cannot be checked.")
    return key.encode()


def digest_of(token: str) -> str:
    return hmac_sm3(token_key(), token.encode()).hex()


def issue(user) -> str:
    """A new token for ``user``, replacing any earlier one: the only time the token is known."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    values = {"digest": digest_of(token), "prefix": token[:PREFIX_LENGTH]}
    with transaction.atomic():
        ApiToken.objects.update_or_create(user=user, defaults={**values, "created": timezone.now()})
    return token


def find(token: str) -> ApiToken | None:
    """The stored token ``token`` is, with its user and their unit; ``None`` when there is none."""
    digest = digest_of(token)
    found = ApiToken.objects.select_related("user__org_unit").filter(digest=digest).first()
    if found is None or not same(found.digest, digest):
        return None
    return found


def dropped_by_the_migration(token: str) -> bool:
    """Whether ``token`` has the shape of the clear tokens that ``accounts.0012`` dropped."""
    return CLEAR_TOKEN.fullmatch(token) is not None
