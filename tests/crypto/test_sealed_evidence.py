"""Evidence files sealed on disk (``EVIDENCE_ENCRYPTION``): the disk holds SM4-GCM, the unit and
the staff download the file as uploaded, and every file carries the SM3 of its content."""

import hashlib
import io
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from django.core.management import call_command
from django.urls import reverse

from core.encryption.keyring import DecryptionFailed
from reforms import services
from reforms.models import Evidence
from tests import factories
from tests.test_uploads import (  # noqa: F401  (fixtures reused here)
    assert_safe_attachment,
    measure,
    media,
    officer_api,
    officer_page,
)

DOCX = factories.SAMPLE_CONTENT[".docx"]


def sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


@pytest.fixture(params=[True, False], ids=["sealed", "clear"])
def sealing(request, settings):
    settings.EVIDENCE_ENCRYPTION = request.param
    return request.param


@pytest.fixture
def evidence(world, measure, sealing):  # noqa: F811
    return services.evidence_add(
        measure=measure,
        actor=world.users.housing_officer,
        file=factories.evidence_file("整改报告（终稿）.docx"),
    )


def test_the_disk_holds_the_file_sealed_only_when_asked(evidence, sealing):
    stored = Path(evidence.file.path).read_bytes()
    assert evidence.sealed is sealing
    if sealing:
        assert stored.startswith(b"sm4gcm$dev1$")
        assert DOCX[:64] not in stored and len(stored) == len(DOCX) + len(b"sm4gcm$dev1$") + 28
    else:
        assert stored == DOCX
    # Size and digests are those of the file as uploaded, whichever way it is kept.
    assert evidence.size == len(DOCX)
    assert evidence.sha256 == hashlib.sha256(DOCX).hexdigest()
    assert evidence.sm3 == sm3(DOCX)


def test_the_unit_downloads_the_file_as_uploaded(officer_page, evidence):  # noqa: F811
    answer = officer_page.get(reverse("reforms:evidence_download", args=[evidence.pk]))
    assert_safe_attachment(answer)


def test_the_api_download_opens_it_too(officer_api, evidence):  # noqa: F811
    assert_safe_attachment(officer_api.get(f"/api/v1/evidence/{evidence.pk}/download/"))
    listed = officer_api.get(f"/api/v1/evidence/{evidence.pk}/").json()
    assert listed["sm3"] == sm3(DOCX)


def test_an_altered_sealed_file_does_not_open(world, measure, settings):  # noqa: F811
    settings.EVIDENCE_ENCRYPTION = True
    evidence = services.evidence_add(
        measure=measure, actor=world.users.housing_officer, file=factories.evidence_file()
    )
    path = Path(evidence.file.path)
    altered = bytearray(path.read_bytes())
    altered[-1] ^= 1
    path.write_bytes(bytes(altered))
    with pytest.raises(DecryptionFailed, match=r"reforms\.evidence\.file"):
        Evidence.objects.get(pk=evidence.pk).content()


def test_rotation_re_seals_the_files_and_keeps_them_readable(world, measure, settings):  # noqa: F811
    settings.EVIDENCE_ENCRYPTION = True
    uploaded = [
        services.evidence_add(
            measure=measure, actor=world.users.housing_officer, file=factories.evidence_file()
        )
        for _ in range(3)
    ]
    old_paths = [Path(evidence.file.path) for evidence in uploaded]
    settings.DATA_KEYS = f"{settings.DATA_KEYS},k2:0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    output = io.StringIO()
    call_command("rotate_data_key", "--dry-run", stdout=output)
    assert "reforms_evidence: dev1: 3" in output.getvalue()

    call_command("rotate_data_key", stdout=output)

    assert "reforms_evidence: 3 files re-sealed under 'k2'" in output.getvalue()
    for evidence, old_path in zip(uploaded, old_paths, strict=True):
        evidence.refresh_from_db()
        assert Path(evidence.file.path).read_bytes().startswith(b"sm4gcm$k2$")
        assert not old_path.exists()  # the file under the old key is gone
        assert evidence.content().read() == factories.SAMPLE_CONTENT[".pdf"]
    output = io.StringIO()
    call_command("rotate_data_key", stdout=output)
    assert "reforms_evidence: 0 files re-sealed" in output.getvalue()
