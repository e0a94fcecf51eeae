"""Evidence uploads: what a unit officer may upload, where it is kept, and how it comes back.

The rule lives in ``core/uploads.py`` and is the same for the measure page, the API and the
Excel import: the content decides the type (magic bytes, and the names inside a zip), the name
must agree with it, and the size is limited. Refusals are in Chinese and name the file; a refused
upload leaves neither a row nor a file on disk.
"""

import hashlib
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from core.domain import TransitionRefused
from core.uploads import files_removed_on_error
from recommendations import services as recommendation_services
from reforms import services
from reforms.models import Evidence, ProgressReport
from tests import factories


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def measure(world, housing_case):
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    recommendation_services.recommendation_acknowledge(
        recommendation=letter, actor=world.users.housing_officer
    )
    return factories.measure(recommendation=letter, actor=world.users.housing_officer)


@pytest.fixture
def officer_page(client, world):
    """The housing bureau's officer in the browser, reading Chinese (the default)."""
    client.force_login(world.users.housing_officer)
    return client


@pytest.fixture
def officer_api(world):
    token = factories.api_token(world.users.housing_officer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def upload_on_page(client, measure, file):
    return client.post(reverse("reforms:evidence_add", args=[measure.pk]), {"file": file})


SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

DISGUISED = {
    "executable renamed .pdf": ("整改报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00 program"),
    "html renamed .pdf": ("整改报告.pdf", b"<!doctype html><script>alert(1)</script>"),
    "svg with a script renamed .pdf": ("整改报告.pdf", SVG_WITH_SCRIPT),
    "zip that is not OOXML renamed .docx": ("制度汇编.docx", factories.zip_bytes("readme.txt")),
}


@pytest.mark.parametrize("name, content", DISGUISED.values(), ids=DISGUISED.keys())
def test_a_disguised_file_is_refused_by_its_content(officer_page, measure, media, name, content):
    answer = upload_on_page(officer_page, measure, factories.evidence_file(name, content))

    assert answer.status_code == 400
    assert f"文件“{name}”的内容不是允许的类型" in answer.text
    assert "只接受：PDF、JPEG、PNG、Word (.docx)、Excel (.xlsx)、OFD" in answer.text
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_a_pdf_renamed_png_is_refused_because_name_and_content_disagree(
    officer_page, measure, media
):
    answer = upload_on_page(
        officer_page, measure, factories.evidence_file("现场照片.png", b"%PDF-1.7 a letter")
    )

    assert answer.status_code == 400
    assert "文件“现场照片.png”的扩展名与内容不符（内容为PDF文件）" in answer.text
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_file_is_refused_on_the_page_and_nothing_is_saved(
    officer_page, measure, media, settings
):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    too_big = factories.evidence_file("扫描件.pdf", b"%PDF-" + b"0" * (1024 * 1024))

    answer = officer_page.post(
        reverse("reforms:progress_add", args=[measure.pk]),
        {"content": "已完成", "percent_complete": 100, "file": too_big},
    )

    assert answer.status_code == 400
    assert "文件“扫描件.pdf”超过 1 MB，无法上传。" in answer.text
    assert not ProgressReport.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_file_is_refused_by_the_api_and_nothing_is_saved(
    officer_api, measure, media, settings
):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    too_big = factories.evidence_file("扫描件.pdf", b"%PDF-" + b"0" * (1024 * 1024))

    answer = officer_api.post(
        "/api/v1/evidence/", {"measure": measure.pk, "file": too_big}, format="multipart"
    )

    assert answer.status_code == 422
    assert answer.json() == {
        "code": "invalid_file",
        "detail": "文件“扫描件.pdf”超过 1 MB，无法上传。",
        "errors": {},
    }
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_an_empty_file_breaks_the_schema_and_is_a_400(officer_api, measure, media):
    schema = officer_api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    upload = schema.json()["components"]["schemas"]["EvidenceUploadRequest"]["properties"]["file"]
    assert upload["format"] == "binary" and upload["minLength"] == 1

    empty = factories.evidence_file("扫描件.pdf", b"")
    answer = officer_api.post(
        "/api/v1/evidence/", {"measure": measure.pk, "file": empty}, format="multipart"
    )

    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["file"]
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_the_api_refuses_a_disguised_file_in_a_progress_report(officer_api, measure, media):
    answer = officer_api.post(
        f"/api/v1/measures/{measure.pk}/progress/",
        {
            "content": "已完成",
            "percent_complete": 50,
            "files": [
                factories.evidence_file("纪要.pdf"),
                factories.evidence_file("照片.jpg", SVG_WITH_SCRIPT),
            ],
        },
        format="multipart",
    )

    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("文件“照片.jpg”的内容不是允许的类型")
    assert not ProgressReport.objects.exists()
    assert stored_files(media) == []


ACCEPTED = [
    "会议纪要.pdf",
    "现场照片.JPG",
    "现场照片.jpeg",
    "截图.png",
    "制度.docx",
    "台账.xlsx",
    "公文.ofd",
]


@pytest.mark.parametrize("name", ACCEPTED)
def test_accepted_files_are_kept_under_a_random_name_outside_the_static_root(
    officer_page, measure, media, settings, name
):
    upload = factories.evidence_file(name, factories.SAMPLE_CONTENT[Path(name).suffix.lower()])

    answer = upload_on_page(officer_page, measure, upload)

    assert answer.status_code == 302
    evidence = Evidence.objects.get()
    stored = Path(evidence.file.path)
    assert evidence.original_name == name
    assert name not in evidence.file.name
    assert len(stored.stem) == 32  # uuid4 hex: nothing to guess from
    assert stored.is_relative_to(media)
    assert not stored.is_relative_to(settings.STATIC_ROOT)
    assert evidence.sha256 == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert evidence.size == stored.stat().st_size


def test_a_progress_report_that_fails_after_writing_its_files_leaves_none_on_disk(
    world, measure, media
):
    # The rows roll back with the transaction; the files must go with them.
    with pytest.raises(TransitionRefused), files_removed_on_error(), transaction.atomic():
        services._store_evidence(
            measure=measure,
            actor=world.users.housing_officer,
            file=factories.evidence_file(),
            description="",
            progress_report=None,
        )
        assert len(stored_files(media)) == 1
        raise TransitionRefused("refused after the file was written")

    assert stored_files(media) == []
    assert not Evidence.objects.exists()


def test_a_refused_progress_report_writes_none_of_its_files(officer_page, measure, media):
    answer = officer_page.post(
        reverse("reforms:progress_add", args=[measure.pk]),
        {"content": " ", "percent_complete": 100, "file": factories.evidence_file()},
    )

    assert answer.status_code == 400
    assert stored_files(media) == []


@pytest.fixture
def evidence(world, measure):
    return services.evidence_add(
        measure=measure,
        actor=world.users.housing_officer,
        file=factories.evidence_file("整改报告（终稿）.docx"),
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def assert_safe_attachment(answer):
    assert answer.status_code == 200
    assert answer["Content-Type"] == DOCX
    assert answer["X-Content-Type-Options"] == "nosniff"
    disposition = answer["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A" in disposition
    assert b"".join(answer.streaming_content) == factories.SAMPLE_CONTENT[".docx"]


def test_evidence_downloads_as_an_attachment_that_is_never_sniffed(officer_page, evidence):
    answer = officer_page.get(reverse("reforms:evidence_download", args=[evidence.pk]))
    assert_safe_attachment(answer)


def test_the_api_download_is_the_same_safe_attachment(officer_api, evidence):
    answer = officer_api.get(f"/api/v1/evidence/{evidence.pk}/download/")
    assert_safe_attachment(answer)


def test_another_units_evidence_is_not_found(client, world, evidence):
    client.force_login(world.users.health_officer)
    assert client.get(reverse("reforms:evidence_download", args=[evidence.pk])).status_code == 404

    token = factories.api_token(world.users.health_officer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(f"/api/v1/evidence/{evidence.pk}/download/").status_code == 404


def test_the_excel_import_takes_only_a_real_workbook_within_its_limit(
    client, world, housing_case, settings
):
    client.force_login(world.users.city_staff)
    url = reverse("documents:problems_import", args=[housing_case.pk])

    disguised = client.post(url, {"file": factories.evidence_file("问题清单.xlsx", b"%PDF-1.4")})
    assert disguised.status_code == 400
    assert "该文件不是Excel工作簿（.xlsx）" in disguised.text

    settings.IMPORT_MAX_BYTES = 1024 * 1024
    big = factories.evidence_file("问题清单.xlsx", b"PK\x03\x04" + b"0" * (1024 * 1024))
    too_big = client.post(url, {"file": big})
    assert too_big.status_code == 400
    assert "文件“问题清单.xlsx”超过 1 MB，无法上传。" in too_big.text


class _UnreadBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body of an oversized request was read")

    readline = read


@pytest.mark.parametrize("path", ["/measures/1/", "/api/v1/measures/1/progress/"])
def test_a_request_declaring_a_body_over_the_limit_is_refused_unread(client, settings, path):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    declared = str(settings.REQUEST_MAX_BYTES + 1)

    response = client.post(
        path,
        CONTENT_LENGTH=declared,
        CONTENT_TYPE="multipart/form-data; boundary=x",
        **{"wsgi.input": _UnreadBody()},
    )

    assert response.status_code == 413
    message = "请求超过 1 MB，未予接收。"
    if path.startswith("/api/"):
        assert response.json() == {"code": "request_too_large", "detail": message, "errors": {}}
    else:
        assert response.content.decode() == message


def test_a_request_within_the_limit_goes_through(db, client, settings):
    settings.REQUEST_MAX_BYTES = 1024 * 1024

    response = client.post("/api/v1/token/", {"username": "nobody", "password": "x"})

    assert response.status_code != 413
