"""Evidence files sealed on disk (``EVIDENCE_ENCRYPTION``), re-sealed by ``rotate_data_key``.

A file is re-sealed under a new random name (``evidence_upload_to``): the row points to the new
file in one transaction, then the old file is deleted, so a run stopped at any point loses no
evidence (at worst an unreferenced file is left behind). Files already under the current key are
skipped: a run resumes where it stopped.
"""

from collections import Counter

from django.core.files.base import ContentFile

from core.encryption.keyring import key_id_of_file, keyring
from core.encryption.rotation import Progress, SealedFiles

from .models import Evidence

HEADER_BYTES = 64  # enough for the prefix and any key id


def _key_of(evidence: Evidence) -> str | None:
    with evidence.file.open("rb") as handle:
        return key_id_of_file(handle.read(HEADER_BYTES))


def survey() -> Counter:
    return Counter(_key_of(evidence) for evidence in Evidence.objects.filter(sealed=True))


def reseal(batch_size: int = 100, progress: Progress | None = None) -> int:
    current = keyring().current_id
    sealed = Evidence.objects.filter(sealed=True).order_by("pk")
    total, read, rewritten, last = sealed.count(), 0, 0, 0
    while batch := list(sealed.filter(pk__gt=last)[:batch_size]):
        for evidence in batch:
            if _key_of(evidence) != current:
                _reseal(evidence)
                rewritten += 1
        read, last = read + len(batch), batch[-1].pk
        if progress:
            progress("reforms_evidence", read, total, rewritten)
    return rewritten


def _reseal(evidence: Evidence) -> None:
    old_name = evidence.file.name
    plaintext = evidence.content().read()
    sealed = ContentFile(keyring().seal_bytes(plaintext, Evidence.SEALING_CONTEXT))
    evidence.file.save(evidence.original_name, sealed, save=False)  # a new random name
    Evidence.objects.filter(pk=evidence.pk).update(file=evidence.file.name)
    evidence.file.storage.delete(old_name)


EVIDENCE_FILES = SealedFiles("reforms_evidence", survey, reseal)
