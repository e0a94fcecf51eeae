"""The "before" of ``manage.py bench --crypto-only``: a key ring that frames values without a
cipher. Benchmark only: never in a setting of the project.

A value is ``sm4gcm$none$<base64url(plaintext)>``, the framing the real ring writes, so the fields,
the base64 and the key-id dispatch cost what they cost; only SM4-GCM (and its nonce and tag) is
left out. The blind index is the real one (HMAC-SM3 under ``BLIND_INDEX_KEY``): the search by
name was an exact match on the clear column before, and its index is what the page pays now.
"""

from core.encryption.keyring import DecryptionFailed, KeyRing, SettingsKeyRing

KEY_ID = "none"


class FramingOnlyKeyRing(KeyRing):
    current_id = KEY_ID

    def __init__(self, index: KeyRing):
        self._index = index

    @classmethod
    def from_settings(cls) -> "FramingOnlyKeyRing":
        return cls(SettingsKeyRing.from_settings())

    def key_ids(self) -> list[str]:
        return [KEY_ID]

    def encrypt(self, plaintext: bytes, context: bytes) -> tuple[str, bytes]:
        return KEY_ID, plaintext

    def decrypt(self, key_id: str, sealed: bytes, context: bytes) -> bytes:
        if key_id != KEY_ID:
            raise DecryptionFailed(f"{context.decode()}: sealed under {key_id!r}, not framed only.")
        return sealed

    def blind_index(self, value: str) -> str:
        return self._index.blind_index(value)
