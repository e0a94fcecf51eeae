"""Case content encrypted at rest with SM4-GCM (密评, GB/T 39786-2021 §8.4 e and g).

``keyring``: the keys and the two operations on them (seal, open) plus the blind index;
``fields``: model fields that store their values sealed; ``rotation``: re-sealing the stored values
in batches (key rotation, and the first encryption of rows written in clear); ``checks``: the
start-up and deploy checks that refuse a missing or wrong key.
"""
