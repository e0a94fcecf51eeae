"""The data key ring: SM4 keys by id, sealing and opening values with SM4-GCM, the blind index.

A sealed value is ``sm4gcm$<key id>$<base64url(nonce ‖ ciphertext ‖ tag)>``: a random 96-bit
nonce per value, a 128-bit tag, and the column it belongs to (``cases.subject.name``) as the
associated data, so a value moved to another column fails to open. The key id travels with the
value, so several keys can be in use at once while ``manage.py rotate_data_key`` re-seals the
rows under the current one.

The ring is an interface of three operations (``seal``, ``open``, ``blind_index``) and a current
key id: ``SettingsKeyRing`` holds the keys in the process, from the environment or a file outside
the repository; a cipher machine (密码机) or a KMS replaces it through ``DATA_KEY_RING`` without
touching the models, keeping the keys inside it.
"""

import base64
import functools
import os
import re
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from core.crypto import hmac_sm3

SCHEME = "sm4gcm"
SEPARATOR = "$"
FILE_PREFIX = f"{SCHEME}{SEPARATOR}".encode()
KEY_BYTES = 16  # SM4 has one key size: 128 bits
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
MINIMUM_INDEX_KEY_LENGTH = 32


class DecryptionFailed(Exception):
    """A stored value does not open: a wrong key under its id, or the value was altered."""


def is_sealed(value: str) -> bool:
    return value.startswith(SCHEME + SEPARATOR)


def key_id_of(token: str) -> str | None:
    """The id of the key a stored value is sealed under; None for a value stored in clear."""
    if not is_sealed(token):
        return None
    return token.split(SEPARATOR, 2)[1]


def key_id_of_file(head: bytes) -> str | None:
    """The key id a sealed file begins with (its first bytes suffice); None for a clear file."""
    if not head.startswith(FILE_PREFIX):
        return None
    return head[len(FILE_PREFIX) :].partition(SEPARATOR.encode())[0].decode("ascii", "replace")


def normalise_for_index(value: str) -> str:
    """What an exact-match search compares: full-width folded, case-folded, without spaces."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(folded.split())


class KeyRing:
    """The interface: a 密码机 binding implements ``encrypt``, ``decrypt``, ``blind_index``,
    ``key_ids`` and ``current_id``; the framing of sealed values and files is shared."""

    current_id: str

    def encrypt(self, plaintext: bytes, context: bytes) -> tuple[str, bytes]:
        """(key id, nonce ‖ ciphertext ‖ tag) under the current key."""
        raise NotImplementedError

    def decrypt(self, key_id: str, sealed: bytes, context: bytes) -> bytes:
        raise NotImplementedError

    def blind_index(self, value: str) -> str:
        raise NotImplementedError

    def key_ids(self) -> list[str]:
        raise NotImplementedError

    def seal(self, plaintext: bytes, context: bytes) -> str:
        """A column's value: ``sm4gcm$<key id>$<base64url>``."""
        key_id, sealed = self.encrypt(plaintext, context)
        return SEPARATOR.join((SCHEME, key_id, base64.urlsafe_b64encode(sealed).decode("ascii")))

    def open(self, token: str, context: bytes) -> bytes:
        key_id = key_id_of(token)
        if key_id is None:
            raise DecryptionFailed(f"{context.decode()}: the stored value is not sealed.")
        try:
            sealed = base64.urlsafe_b64decode(token.split(SEPARATOR, 2)[2])
        except ValueError as error:
            raise DecryptionFailed(f"{context.decode()}: a damaged value.") from error
        return self.decrypt(key_id, sealed, context)

    def seal_bytes(self, plaintext: bytes, context: bytes) -> bytes:
        """A file's content: the same framing, the sealed bytes as they are."""
        key_id, sealed = self.encrypt(plaintext, context)
        return FILE_PREFIX + key_id.encode() + SEPARATOR.encode() + sealed

    def open_bytes(self, data: bytes, context: bytes) -> bytes:
        if not data.startswith(FILE_PREFIX):
            raise DecryptionFailed(f"{context.decode()}: the stored file is not sealed.")
        key_id, _, sealed = data[len(FILE_PREFIX) :].partition(SEPARATOR.encode())
        return self.decrypt(key_id.decode("ascii", "replace"), sealed, context)


class SettingsKeyRing(KeyRing):
    """Keys held in the process: ``DATA_KEYS`` (or ``DATA_KEYS_FILE``), ``BLIND_INDEX_KEY``."""

    def __init__(self, keys: dict[str, bytes], current_id: str, index_key: bytes):
        self._keys = keys
        self.current_id = current_id
        self._index_key = index_key

    @classmethod
    def from_settings(cls) -> "SettingsKeyRing":
        text = settings.DATA_KEYS
        if settings.DATA_KEYS_FILE:
            try:
                with open(settings.DATA_KEYS_FILE, encoding="utf-8") as file:
                    text = file.read()
            except OSError as error:
                raise ImproperlyConfigured(f"DATA_KEYS_FILE cannot be read: {error}") from error
        keys = parse_keys(text)
        if not keys:
            raise ImproperlyConfigured(
                "No data key: set DATA_KEYS (or DATA_KEYS_FILE) to '<id>:<32 hex digits>'."
            )
        current_id = settings.DATA_KEY_CURRENT or list(keys)[-1]
        if current_id not in keys:
            raise ImproperlyConfigured(f"DATA_KEY_CURRENT {current_id!r} is not in the key ring.")
        index_key = settings.BLIND_INDEX_KEY
        if len(index_key) < MINIMUM_INDEX_KEY_LENGTH:
            raise ImproperlyConfigured(
                f"BLIND_INDEX_KEY must have at least {MINIMUM_INDEX_KEY_LENGTH} characters."
            )
        return cls(keys, current_id, index_key.encode())

    def key_ids(self) -> list[str]:
        return list(self._keys)

    def encrypt(self, plaintext: bytes, context: bytes) -> tuple[str, bytes]:
        nonce = os.urandom(NONCE_BYTES)
        key = self._keys[self.current_id]
        encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(context)
        ciphertext = encryptor.update(plaintext) + encryptor.finalize()
        return self.current_id, nonce + ciphertext + encryptor.tag

    def decrypt(self, key_id: str, sealed: bytes, context: bytes) -> bytes:
        if key_id not in self._keys:
            raise DecryptionFailed(f"{context.decode()}: no key {key_id!r} in the key ring.")
        nonce, body, tag = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:-TAG_BYTES], sealed[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self._keys[key_id]), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(context)
        try:
            return decryptor.update(body) + decryptor.finalize()
        except (InvalidTag, ValueError) as error:
            raise DecryptionFailed(
                f"{context.decode()}: the value does not open under key {key_id!r} "
                "(a wrong key, or the value was altered)."
            ) from error

    def blind_index(self, value: str) -> str:
        return hmac_sm3(self._index_key, normalise_for_index(value).encode()).hex()


def parse_keys(text: str) -> dict[str, bytes]:
    """``id:hex`` entries, separated by commas or new lines (``#`` starts a comment)."""
    keys = {}
    for line in text.replace(",", "\n").splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        key_id, _, hex_key = entry.partition(":")
        key_id, hex_key = key_id.strip(), hex_key.strip()
        if not KEY_ID.match(key_id):
            raise ImproperlyConfigured(f"Data key id {key_id!r}: letters, digits, - and _ only.")
        try:
            key = bytes.fromhex(hex_key)
        except ValueError as error:
            raise ImproperlyConfigured(f"Data key {key_id!r} is not hexadecimal.") from error
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"Data key {key_id!r} has {len(key)} bytes; SM4 keys have {KEY_BYTES} "
                f"({KEY_BYTES * 2} hex digits)."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"Data key {key_id!r} is listed twice.")
        keys[key_id] = key
    return keys


@functools.cache
def keyring() -> KeyRing:
    """The configured ring, built once per process; a configuration error is raised, loudly."""
    ring_class = import_string(settings.DATA_KEY_RING)
    return ring_class.from_settings()


def blind_index(value: str) -> str:
    return keyring().blind_index(value)


RING_SETTINGS = {
    "DATA_KEY_RING",
    "DATA_KEYS",
    "DATA_KEYS_FILE",
    "DATA_KEY_CURRENT",
    "BLIND_INDEX_KEY",
}


@receiver(setting_changed)
def _forget_ring(setting, **kwargs):
    if setting in RING_SETTINGS:
        keyring.cache_clear()
