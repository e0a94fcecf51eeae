"""Downloads go through scoped views: in jurisdiction a PDF attachment, outside it a 404, and
unit officers never get case content."""

import datetime
from urllib.parse import unquote

import pytest
from django.urls import reverse

from oversight import tasks
from oversight.models import DocumentJob
from recommendations.models import Recommendation
from tests import factories, pdf


@pytest.fixture
def letter(world, housing_case):
    recommendation = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=2
    )
    factories.measure(
        recommendation=recommendation,
        actor=world.users.housing_officer,
        content="修订工程项目招投标管理办法",
        due_on=datetime.date(2026, 3, 1),
    )
    return recommendation


def assert_pdf_attachment(response, filename_part: str):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # Chinese file names travel RFC 5987-encoded.
    assert filename_part in unquote(disposition)
    return response.content


@pytest.mark.parametrize("who", ["city_staff", "supervisor", "housing_officer"])
def test_the_letter_downloads_in_jurisdiction(world, browse, letter, who):
    response = browse(getattr(world.users, who)).get(reverse("documents:letter", args=[letter.pk]))
    content = assert_pdf_attachment(response, "长纪建〔2026〕1号.pdf")
    assert "长纪建〔2026〕1号" in pdf.compact(content)


@pytest.mark.parametrize("who", ["other_staff", "county_staff", "health_officer"])
def test_the_letter_out_of_jurisdiction_is_not_found(world, browse, letter, who):
    response = browse(getattr(world.users, who)).get(reverse("documents:letter", args=[letter.pk]))
    assert response.status_code == 404


def test_the_unit_gets_no_draft(world, browse, housing_case):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    url = reverse("documents:letter", args=[draft.pk])
    assert browse(world.users.housing_officer).get(url).status_code == 404
    assert_pdf_attachment(browse(world.users.city_staff).get(url), "（草稿）.pdf")


@pytest.mark.parametrize("who", ["system_admin", "security_admin", "audit_admin"])
def test_the_separated_admins_get_no_letter(world, browse, letter, who):
    response = browse(getattr(world.users, who)).get(reverse("documents:letter", args=[letter.pk]))
    assert response.status_code in {403, 404}


def test_a_stranger_is_asked_to_sign_in(client, letter):
    response = client.get(reverse("documents:letter", args=[letter.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["city_staff", "supervisor", "housing_officer"])
def test_the_ledger_of_a_recommendation(world, browse, letter, who):
    url = f"{reverse('documents:ledger')}?recommendation={letter.pk}"
    content = assert_pdf_attachment(browse(getattr(world.users, who)).get(url), "整改台账-")
    assert "修订工程项目招投标管理办法" in pdf.compact(content)


@pytest.mark.parametrize("who", ["other_staff", "health_officer"])
def test_a_ledger_out_of_jurisdiction_holds_nothing(world, browse, letter, who):
    url = f"{reverse('documents:ledger')}?recommendation={letter.pk}"
    content = assert_pdf_attachment(browse(getattr(world.users, who)).get(url), "整改台账")
    text = pdf.compact(content)
    assert "无整改措施" in text
    assert "修订工程项目招投标管理办法" not in text


def test_the_ledger_follows_the_measure_lists_filters(world, browse, letter):
    client = browse(world.users.city_staff)
    url = reverse("documents:ledger")
    assert "修订工程项目招投标管理办法" in pdf.compact(client.get(f"{url}?q=招投标").content)
    assert "修订工程项目招投标管理办法" not in pdf.compact(client.get(f"{url}?q=专家库").content)


def test_the_overdue_report_for_staff_and_supervisors(world, browse, letter):
    for user in (world.users.city_staff, world.users.supervisor):
        response = browse(user).get(reverse("documents:overdue_report"))
        content = assert_pdf_attachment(response, "逾期情况通报-")
        assert "整改措施逾期情况通报" in pdf.compact(content)


@pytest.mark.parametrize("who", ["housing_officer", "system_admin", "audit_admin"])
def test_no_overdue_report_for_others(world, browse, who):
    response = browse(getattr(world.users, who)).get(reverse("documents:overdue_report"))
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["city_staff", "supervisor"])
def test_the_case_analysis_report_for_case_readers(world, browse, housing_case, who):
    url = reverse("documents:case_analysis", args=[housing_case.pk])
    content = assert_pdf_attachment(browse(getattr(world.users, who)).get(url), "案件剖析报告-")
    assert housing_case.number in pdf.compact(content)


@pytest.mark.parametrize(
    "who", ["other_staff", "county_staff", "housing_officer", "system_admin", "audit_admin"]
)
def test_the_case_analysis_report_is_not_found_for_anyone_else(world, browse, housing_case, who):
    url = reverse("documents:case_analysis", args=[housing_case.pk])
    assert browse(getattr(world.users, who)).get(url).status_code == 404


def test_the_pages_offer_their_downloads(world, browse, letter, housing_case):
    staff = browse(world.users.city_staff)
    letter_url = reverse("documents:letter", args=[letter.pk])
    ledger_url = f"{reverse('documents:ledger')}?recommendation={letter.pk}"
    page = staff.get(reverse("recommendations:detail", args=[letter.pk])).content.decode()
    assert letter_url in page
    assert ledger_url in page
    page = staff.get(reverse("cases:detail", args=[housing_case.pk])).content.decode()
    assert reverse("documents:case_analysis", args=[housing_case.pk]) in page
    page = staff.get(reverse("dashboard:index")).content.decode()
    assert reverse("documents:overdue_report") in page
    page = staff.get(reverse("reforms:measure_list") + "?status=not_started").content.decode()
    assert f"{reverse('documents:ledger')}?status=not_started" in page
    officer = browse(world.users.housing_officer)
    page = officer.get(reverse("recommendations:detail", args=[letter.pk])).content.decode()
    assert letter_url in page
    assert ledger_url in page
    assert Recommendation.objects.get(pk=letter.pk).status == "issued"


# --- a large ledger is made by a Celery job ------------------------------------------------------


@pytest.fixture
def large(world, housing_case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_ASYNC_MEASURES = 20
    return factories.large_letter(
        staff=world.users.city_staff,
        officer=world.users.housing_officer,
        the_case=housing_case,
        measures=30,
        items=3,
    )


def test_a_ledger_up_to_the_threshold_is_made_in_the_request(world, browse, letter, settings):
    settings.DOCUMENT_ASYNC_MEASURES = 1
    url = f"{reverse('documents:ledger')}?recommendation={letter.pk}"
    assert_pdf_attachment(browse(world.users.city_staff).get(url), "整改台账-")
    assert not DocumentJob.objects.exists()


def test_a_larger_ledger_is_a_job_with_progress_then_a_download(
    world, browse, large, django_capture_on_commit_callbacks
):
    client = browse(world.users.city_staff)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(
            f"{reverse('documents:ledger')}?recommendation={large.pk}",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    job = DocumentJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("documents:document_job", args=[job.pk])
    assert len(callbacks) == 1  # the Celery job is sent once the job row is committed
    assert (job.status, job.total, job.created_by) == ("pending", 30, world.users.city_staff)

    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "hx-trigger" in page  # the page polls until the document is ready
    assert "整改台账-长纪建〔2026〕1号.pdf" in page

    tasks.make_document.apply(args=[job.pk])  # the real task function, run here
    job.refresh_from_db()
    assert job.status == "done" and job.file and job.percent == 100

    progress = reverse("documents:document_job_progress", args=[job.pk])
    fragment = client.get(progress, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "hx-trigger" not in fragment  # ready: the page stops polling
    download = reverse("documents:document_job_download", args=[job.pk])
    assert download in fragment
    response = client.get(download)
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert "整改台账" in unquote(response["Content-Disposition"])
    text = pdf.compact(content)
    assert "共30项措施" in text and "第30条整改措施" in text


def test_a_document_job_is_seen_only_by_who_started_it(world, browse, large):
    browse(world.users.city_staff).get(f"{reverse('documents:ledger')}?recommendation={large.pk}")
    job = DocumentJob.objects.get()
    tasks.run_document_job(job.pk)
    for name in ("document_job", "document_job_progress", "document_job_download"):
        url = reverse(f"documents:{name}", args=[job.pk])
        assert browse(world.users.supervisor).get(url).status_code == 404


def test_a_document_job_reads_the_rows_as_its_creator(world, browse, large):
    """The job re-reads the measures through restrict(): another jurisdiction's job holds none."""
    job = DocumentJob.objects.create(
        kind=DocumentJob.Kind.LEDGER,
        query=f"recommendation={large.pk}",
        filename="整改台账.pdf",
        total=30,
        created_by=world.users.other_staff,
    )
    tasks.run_document_job(job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    with job.file.open("rb") as handle:
        assert "第1条整改措施" not in pdf.compact(handle.read())


def test_a_document_job_that_breaks_off_fails_and_says_so(world, browse, large, settings, tmp_path):
    """Whatever breaks a job (here the file store: its folder is a file) is recorded as a failure,
    so the progress page stops polling and tells the reader, rather than waiting for ever."""
    settings.MEDIA_ROOT = tmp_path / "not-a-folder"
    settings.MEDIA_ROOT.write_text("")
    client = browse(world.users.city_staff)
    client.get(f"{reverse('documents:ledger')}?recommendation={large.pk}")
    job = tasks.run_document_job(DocumentJob.objects.get().pk)
    assert (job.status, job.error, bool(job.file)) == ("failed", "broken", False)
    assert job.finished_at is not None
    fragment = client.get(
        reverse("documents:document_job_progress", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "hx-trigger" not in fragment
    assert "文档未能生成" in fragment


def test_a_document_job_over_its_budget_fails_and_says_so(world, browse, large, settings):
    settings.DOCUMENT_JOB_TIME_BUDGET_SECONDS = 0.001
    client = browse(world.users.city_staff)
    client.get(f"{reverse('documents:ledger')}?recommendation={large.pk}")
    job = tasks.run_document_job(DocumentJob.objects.get().pk)
    assert (job.status, job.error, bool(job.file)) == ("failed", "timeout", False)
    fragment = client.get(
        reverse("documents:document_job_progress", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "文档生成超时，请稍后重试或联系管理员。" in fragment
    download = reverse("documents:document_job_download", args=[job.pk])
    assert client.get(download).status_code == 404
