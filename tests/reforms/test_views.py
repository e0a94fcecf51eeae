"""The measure pages: the list and its filters, one measure, the plan editor and the staff queues.

The housing bureau's measures sit under an acknowledged letter of the city commission (see
``conftest.py``). City staff and the city supervisor reach them; the housing officer reaches their
own unit's; county and other-city staff, the health officer and the separated admins do not.
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.http import QueryDict
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from core.domain import SHANGHAI
from recommendations import services as recommendation_services
from reforms import services
from reforms.filters import MeasureFilter
from reforms.models import (
    Evidence,
    ExtensionRequest,
    Measure,
    MeasureTransition,
    ProgressReport,
    Signal,
)
from reforms.views import PLAN_MEASURES_SHOWN
from tests import factories

Status = Measure.Status
HTMX = {"HX-Request": "true"}
NEEDS_NEW_WORK = (
    "After a return, add new progress or new evidence before requesting sign-off again."
)
PAPER = MeasureTransition.ReturnReason.PAPER_RECTIFICATION


def shanghai(year, month, day, hour=12, minute=0):
    """An instant given in Shanghai wall-clock time."""
    return datetime.datetime(
        year, month, day, hour, minute, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )


@pytest.fixture
def measure(measure_in):
    return measure_in(Status.NOT_STARTED)


IN_SCOPE = ["city_staff", "supervisor", "housing_officer"]
OUT_OF_SCOPE = ["county_staff", "other_staff", "group_staff", "health_officer", "county_supervisor"]
ADMINS = ["system_admin", "security_admin", "audit_admin"]
STAFF_OUT = ["housing_officer", "supervisor", *ADMINS]


# --- Who reaches which page --------------------------------------------------------------------


def test_a_stranger_is_asked_to_sign_in(client, measure):
    for url in (
        reverse("reforms:measure_list"),
        reverse("reforms:measure_detail", args=[measure.pk]),
        reverse("reforms:plan", args=[measure.item.recommendation_id]),
        reverse("reforms:signoff_queue"),
        reverse("reforms:extension_queue"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", IN_SCOPE)
def test_those_in_jurisdiction_see_the_measure_in_the_list(world, browse_en, measure, who):
    response = browse_en(getattr(world.users, who)).get(reverse("reforms:measure_list"))

    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [measure]
    assert f'class="badge signal signal-{measure.signal()}"' in response.text


@pytest.mark.parametrize("who", OUT_OF_SCOPE)
def test_others_get_an_empty_list(world, browse_en, measure, who):
    response = browse_en(getattr(world.users, who)).get(reverse("reforms:measure_list"))

    assert response.status_code == 200
    assert list(response.context["page_obj"]) == []


@pytest.mark.parametrize("who", ADMINS)
def test_the_separated_admins_reach_no_measure_page(world, browse_en, measure, who):
    client = browse_en(getattr(world.users, who))
    # The list is a page their role does not use (403); a record they cannot see is not there.
    assert client.get(reverse("reforms:measure_list")).status_code == 403
    for url in (
        reverse("reforms:measure_detail", args=[measure.pk]),
        reverse("reforms:plan", args=[measure.item.recommendation_id]),
    ):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", IN_SCOPE)
def test_the_measure_page_in_jurisdiction(world, browse_en, measure_in, who):
    measure = measure_in(Status.IN_PROGRESS)

    response = browse_en(getattr(world.users, who)).get(
        reverse("reforms:measure_detail", args=[measure.pk])
    )

    assert response.status_code == 200
    assert "修订招投标管理办法" in response.text
    assert "印发新办法并组织培训" in response.text
    assert "已起草新办法" in response.text  # the progress report
    assert "In progress" in response.text


@pytest.mark.parametrize("who", OUT_OF_SCOPE)
def test_the_measure_page_out_of_jurisdiction_is_not_found(world, browse_en, measure, who):
    response = browse_en(getattr(world.users, who)).get(
        reverse("reforms:measure_detail", args=[measure.pk])
    )

    assert response.status_code == 404


def test_each_role_sees_only_its_own_actions(world, browse_en, measure_in):
    in_progress = measure_in(Status.IN_PROGRESS)
    awaiting = measure_in(Status.AWAITING_SIGNOFF)
    detail = "reforms:measure_detail"

    officer = browse_en(world.users.housing_officer).get(reverse(detail, args=[in_progress.pk]))
    assert 'data-testid="report-progress"' in officer.text
    assert 'data-testid="request-signoff"' in officer.text
    assert 'data-testid="request-extension"' in officer.text
    assert 'data-testid="verify"' not in officer.text

    staff = browse_en(world.users.city_staff).get(reverse(detail, args=[awaiting.pk]))
    assert 'data-testid="verify"' in staff.text
    assert 'data-testid="report-progress"' not in staff.text
    assert "Paper rectification only" in staff.text

    supervisor = browse_en(world.users.supervisor).get(reverse(detail, args=[awaiting.pk]))
    for action in ("verify", "report-progress", "request-signoff", "request-extension"):
        assert f'data-testid="{action}"' not in supervisor.text


def test_the_measure_page_shows_original_and_current_due_dates_and_history(
    world, browse_en, measure_in
):
    measure = measure_in(Status.RETURNED)
    extension = services.extension_request_submit(
        measure=measure,
        actor=world.users.housing_officer,
        requested_due_on=datetime.date(2026, 9, 30),
        reason="需要上级审批",
    )
    services.extension_request_approve(request=extension, actor=world.users.city_staff)

    with time_machine.travel(shanghai(2026, 7, 10)):
        response = browse_en(world.users.housing_officer).get(
            reverse("reforms:measure_detail", args=[measure.pk])
        )

    assert "2026-06-30" in response.text  # the original due date
    assert "2026-09-30" in response.text  # the current one
    assert "10 days late against it" in response.text
    assert "Paper rectification only" in response.text  # the return, in the history
    assert "Awaiting sign-off" in response.text
    assert 'class="badge signal signal-green"' in response.text


def test_a_returned_measure_says_why_at_the_top_and_asks_for_new_work(world, browse_en, measure_in):
    measure = measure_in(Status.AWAITING_SIGNOFF)
    services.measure_return(
        measure=measure,
        actor=world.users.city_staff,
        reason_code=PAPER,
        reason="只有文件，未见培训签到",
    )
    client = browse_en(world.users.housing_officer)
    url = reverse("reforms:measure_detail", args=[measure.pk])

    page = client.get(url).text

    notice = page.index('data-testid="return-notice"')
    assert notice < page.index("Completion standard")  # at the top, above the measure
    top = page[notice : page.index("</div>\n", page.index("small mt-2", notice))]
    assert "Paper rectification only" in top
    assert "只有文件，未见培训签到" in top
    assert str(world.users.city_staff) in top
    assert measure.transitions.last().at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in top
    assert NEEDS_NEW_WORK in top
    # Sign-off is not offered; the hint stands in its place.
    assert 'data-testid="request-signoff"' not in page
    assert 'data-testid="request-signoff-hint"' in page
    again = client.post(reverse("reforms:signoff_request", args=[measure.pk]))
    assert again.status_code == 409
    assert NEEDS_NEW_WORK in again.text

    uploaded = client.post(
        reverse("reforms:evidence_add", args=[measure.pk]),
        {"file": factories.evidence_file("培训签到表.pdf"), "description": "培训签到"},
    )
    assert uploaded.status_code == 302

    page = client.get(url).text
    assert 'data-testid="return-notice"' in page  # still why it came back
    assert "New progress or evidence has been added since" in page
    assert 'data-testid="request-signoff"' in page
    assert 'data-testid="request-signoff-hint"' not in page
    requested = client.post(reverse("reforms:signoff_request", args=[measure.pk]))
    assert requested.status_code == 302
    page = client.get(url).text
    assert 'data-testid="return-notice"' not in page  # with the staff again


def test_a_measure_never_returned_shows_no_return_notice(world, browse_en, measure_in):
    measure = measure_in(Status.IN_PROGRESS)

    page = browse_en(world.users.housing_officer).get(
        reverse("reforms:measure_detail", args=[measure.pk])
    )

    assert 'data-testid="return-notice"' not in page.text
    assert 'data-testid="request-signoff-hint"' not in page.text


@pytest.mark.parametrize("who", ["city_staff", "supervisor", "housing_officer"])
def test_the_plan_in_jurisdiction(world, browse_en, measure, who):
    response = browse_en(getattr(world.users, who)).get(
        reverse("reforms:plan", args=[measure.item.recommendation_id])
    )

    assert response.status_code == 200
    assert "第1项：建立健全制度" in response.text
    assert "修订招投标管理办法" in response.text
    plans = who != "supervisor"
    assert ('data-testid="edit-measure"' in response.text) is plans
    assert ("Add a measure" in response.text) is plans


@pytest.mark.parametrize("who", OUT_OF_SCOPE)
def test_the_plan_out_of_jurisdiction_is_not_found(world, browse_en, measure, who):
    response = browse_en(getattr(world.users, who)).get(
        reverse("reforms:plan", args=[measure.item.recommendation_id])
    )

    assert response.status_code == 404


def test_an_officer_never_sees_the_plan_of_a_draft(world, browse_en, housing_case):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)

    officer = browse_en(world.users.housing_officer).get(reverse("reforms:plan", args=[draft.pk]))

    assert officer.status_code == 404


@pytest.mark.parametrize("queue", ["reforms:signoff_queue", "reforms:extension_queue"])
def test_the_queues_are_for_discipline_staff(world, browse_en, queue):
    assert browse_en(world.users.city_staff).get(reverse(queue)).status_code == 200
    for who in STAFF_OUT:
        assert browse_en(getattr(world.users, who)).get(reverse(queue)).status_code == 403


def test_the_queues_hold_only_the_jurisdictions_rows(world, browse_en, measure_in):
    awaiting = measure_in(Status.AWAITING_SIGNOFF)
    services.extension_request_submit(
        measure=awaiting,
        actor=world.users.housing_officer,
        requested_due_on=datetime.date(2026, 8, 31),
        reason="工期顺延",
    )

    for who, seen in (("city_staff", 1), ("county_staff", 0), ("other_staff", 0)):
        client = browse_en(getattr(world.users, who))
        assert len(client.get(reverse("reforms:signoff_queue")).context["page_obj"]) == seen
        assert len(client.get(reverse("reforms:extension_queue")).context["page_obj"]) == seen


# --- Evidence ----------------------------------------------------------------------------------


def test_evidence_downloads_with_its_original_name_in_jurisdiction(world, browse_en, measure):
    evidence = services.evidence_add(
        measure=measure,
        actor=world.users.housing_officer,
        file=factories.evidence_file("整改会议纪要.pdf", b"%PDF-1.4 minutes"),
    )

    for who in IN_SCOPE:
        response = browse_en(getattr(world.users, who)).get(
            reverse("reforms:evidence_download", args=[evidence.pk])
        )
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 minutes"
        assert response["Content-Disposition"].startswith("attachment")
        assert "filename*=utf-8''%E6%95%B4%E6%94%B9" in response["Content-Disposition"]
        assert evidence.file.name not in response["Content-Disposition"]


@pytest.mark.parametrize("who", [*OUT_OF_SCOPE, *ADMINS])
def test_evidence_out_of_jurisdiction_is_not_found(world, browse_en, measure, who):
    evidence = services.evidence_add(
        measure=measure, actor=world.users.housing_officer, file=factories.evidence_file()
    )

    response = browse_en(getattr(world.users, who)).get(
        reverse("reforms:evidence_download", args=[evidence.pk])
    )

    assert response.status_code == 404


def test_an_officer_reports_progress_with_evidence(world, browse_en, measure):
    response = browse_en(world.users.housing_officer).post(
        reverse("reforms:progress_add", args=[measure.pk]),
        {
            "content": "已召开专题会议",
            "percent_complete": 50,
            "file": factories.evidence_file("专题会议纪要.pdf"),
        },
    )

    assert response.status_code == 302
    report = ProgressReport.objects.get(measure=measure)
    assert report.percent_complete == 50
    assert [e.original_name for e in report.evidence.all()] == ["专题会议纪要.pdf"]
    measure.refresh_from_db()
    assert measure.status == Status.IN_PROGRESS


def test_evidence_larger_than_the_limit_is_refused_and_nothing_is_kept(
    world, browse_en, measure, settings
):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    client = browse_en(world.users.housing_officer)

    page = client.get(reverse("reforms:measure_detail", args=[measure.pk]))
    assert "Up to 1 MB per file." in page.text

    too_big = factories.evidence_file("扫描件.pdf", b"%PDF-" + b"x" * (1024 * 1024))
    response = client.post(
        reverse("reforms:progress_add", args=[measure.pk]),
        {"content": "已整改", "percent_complete": 100, "file": too_big},
    )

    assert response.status_code == 400
    assert "扫描件.pdf is larger than 1 MB." in response.text
    assert not ProgressReport.objects.filter(measure=measure).exists()
    assert not Evidence.objects.filter(measure=measure).exists()
    measure.refresh_from_db()
    assert measure.status == Status.NOT_STARTED

    alone = client.post(
        reverse("reforms:evidence_add", args=[measure.pk]),
        {"file": factories.evidence_file("扫描件.pdf", b"%PDF-" + b"x" * (1024 * 1024))},
    )
    assert alone.status_code == 400
    assert not Evidence.objects.filter(measure=measure).exists()


def test_an_officer_uploads_evidence_then_requests_sign_off(world, browse_en, measure_in):
    measure = measure_in(Status.IN_PROGRESS)
    client = browse_en(world.users.housing_officer)

    refused = client.post(
        reverse("reforms:signoff_request", args=[measure.pk]), {"request-note": "请销号"}
    )
    assert refused.status_code == 409
    assert "Upload evidence before requesting sign-off." in refused.text

    uploaded = client.post(
        reverse("reforms:evidence_add", args=[measure.pk]),
        {"file": factories.evidence_file(), "description": "制度文件"},
    )
    assert uploaded.status_code == 302
    requested = client.post(
        reverse("reforms:signoff_request", args=[measure.pk]), {"request-note": "请销号"}
    )

    assert requested.status_code == 302
    measure.refresh_from_db()
    assert measure.status == Status.AWAITING_SIGNOFF


def test_staff_cannot_report_progress_for_the_unit(world, browse_en, measure):
    response = browse_en(world.users.city_staff).post(
        reverse("reforms:progress_add", args=[measure.pk]),
        {"content": "代为填报", "percent_complete": 10},
    )

    assert response.status_code == 403
    assert "You are not allowed to do this." in response.text
    assert not ProgressReport.objects.exists()


def test_an_officer_requests_an_extension(world, browse_en, measure):
    client = browse_en(world.users.housing_officer)
    url = reverse("reforms:extension_request", args=[measure.pk])

    too_early = client.post(url, {"requested_due_on": "2026-06-01", "reason": "工期顺延"})
    assert too_early.status_code == 409
    assert "The requested due date must be later than the current one." in too_early.text
    assert not ExtensionRequest.objects.exists()

    response = client.post(url, {"requested_due_on": "2026-08-31", "reason": "工期顺延"})
    assert response.status_code == 302
    extension = ExtensionRequest.objects.get()
    assert extension.requested_due_on == datetime.date(2026, 8, 31)
    measure.refresh_from_db()
    assert measure.due_on == datetime.date(2026, 6, 30)  # until staff approve

    page = client.get(reverse("reforms:measure_detail", args=[measure.pk]))
    assert 'data-testid="pending-extension"' in page.text
    assert 'data-testid="request-extension"' not in page.text


def test_staff_sign_off_and_return_from_the_measure_page(world, browse_en, measure_in):
    client = browse_en(world.users.city_staff)
    signed = measure_in(Status.AWAITING_SIGNOFF)
    returned = measure_in(Status.AWAITING_SIGNOFF)

    page = client.get(reverse("reforms:measure_detail", args=[signed.pk])).text
    assert f'data-confirm="sign-off-{signed.pk}"' in page
    assert f'data-confirm="return-{signed.pk}"' in page
    assert "Verification opinion" in page

    refused = client.post(reverse("reforms:sign_off", args=[signed.pk]), {"signoff-note": " "})
    assert refused.status_code == 400
    assert 'data-testid="refusal"' in refused.text  # above the buttons, as the dialog is closed
    assert "This field is required." in refused.text

    response = client.post(
        reverse("reforms:sign_off", args=[signed.pk]), {"signoff-note": "材料齐全，整改到位"}
    )
    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.status == Status.SIGNED_OFF
    page = client.get(reverse("reforms:measure_detail", args=[signed.pk])).text
    history = page[page.index('data-testid="history"') :]
    assert "Verification opinion" in history
    assert "材料齐全，整改到位" in history

    response = client.post(
        reverse("reforms:return", args=[returned.pk]),
        {"reason_code": PAPER, "reason": "只有文件，没有落实"},
    )
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.status == Status.RETURNED
    assert returned.transitions.last().return_reason == PAPER


# --- The sign-off queue, in place ---------------------------------------------------------------


def test_sign_off_with_an_opinion_replaces_the_row_and_shows_it(world, browse_en, measure_in):
    measure = measure_in(Status.AWAITING_SIGNOFF)
    client = browse_en(world.users.city_staff)

    queue = client.get(reverse("reforms:signoff_queue"))
    assert "会议纪要.pdf" in queue.text  # the evidence link
    assert "已起草新办法" in queue.text  # the latest progress

    response = client.post(
        reverse("reforms:sign_off", args=[measure.pk]),
        {"signoff-note": "经核查，新办法已印发并培训"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="signoff-{measure.pk}"')
    assert 'data-testid="new-status"' in response.text
    assert "Signed off" in response.text
    assert "Verification opinion" in response.text
    assert "经核查，新办法已印发并培训" in response.text  # the opinion, in the swapped row
    measure.refresh_from_db()
    assert measure.status == Status.SIGNED_OFF
    assert measure.transitions.last().reason == "经核查，新办法已印发并培训"


def test_sign_off_without_an_opinion_is_refused_in_the_row(world, browse_en, measure_in):
    measure = measure_in(Status.AWAITING_SIGNOFF)

    response = browse_en(world.users.city_staff).post(
        reverse("reforms:sign_off", args=[measure.pk]), {"signoff-note": ""}, headers=HTMX
    )

    assert response.status_code == 400
    assert 'data-testid="refusal"' in response.text
    assert "This field is required." in response.text
    assert f'<tr id="signoff-{measure.pk}"' in response.text
    assert 'data-testid="accept"' in response.text  # still there, to try again
    measure.refresh_from_db()
    assert measure.status == Status.AWAITING_SIGNOFF


def test_the_home_and_the_queue_say_a_standing_measure_is_standing_and_give_the_others_date(
    world, browse_en, measure_in
):
    """A standing measure keeps a due date in its row (the same as the other's here), unshown."""
    for fields in ({}, {"is_standing": True}):
        measure_in(Status.AWAITING_SIGNOFF, due_on=datetime.date(2026, 6, 30), **fields)
    client = browse_en(world.users.city_staff)

    home = client.get(reverse("home")).text
    queue = client.get(reverse("reforms:signoff_queue")).text

    for page, standing in ((home, "· standing</small>"), (queue, " standing</div>")):
        assert page.count('<span class="text-nowrap">due 2026-06-30</span>') == 1
        assert page.count(standing) == 1


def test_each_queue_row_confirms_in_a_dialog_of_its_own(world, browse_en, measure_in):
    first, second = measure_in(Status.AWAITING_SIGNOFF), measure_in(Status.AWAITING_SIGNOFF)

    queue = browse_en(world.users.city_staff).get(reverse("reforms:signoff_queue")).text

    for measure in (first, second):
        # Each button opens its own dialog, which holds the opinion or the reason.
        assert f'data-confirm="sign-off-{measure.pk}"' in queue
        assert f'<dialog id="sign-off-{measure.pk}"' in queue
        assert f'data-confirm="return-{measure.pk}"' in queue
        assert f'<dialog id="return-{measure.pk}"' in queue
        assert f'id="id_m{measure.pk}_signoff-note"' in queue
        assert f'id="id_m{measure.pk}_reason_code"' in queue
    assert queue.count('name="signoff-note"') == 2
    assert queue.count('maxlength="1000"') >= 4  # the opinion and the explanation, per row
    assert (
        "Once signed off, the measure gets no more reminders, and this cannot be undone." in queue
    )


def test_signing_off_a_measure_no_longer_awaiting_is_refused_in_the_row(
    world, browse_en, measure_in
):
    measure = measure_in(Status.RETURNED)

    response = browse_en(world.users.city_staff).post(
        reverse("reforms:sign_off", args=[measure.pk]), {"signoff-note": "同意"}, headers=HTMX
    )

    assert response.status_code == 409
    assert 'data-testid="refusal"' in response.text
    assert "Only a measure awaiting sign-off can be signed off." in response.text
    measure.refresh_from_db()
    assert measure.status == Status.RETURNED
    assert measure.transitions.count() == 3


def test_a_supervisor_may_not_sign_off(world, browse_en, measure_in):
    measure = measure_in(Status.AWAITING_SIGNOFF)

    response = browse_en(world.users.supervisor).post(
        reverse("reforms:sign_off", args=[measure.pk]), {"signoff-note": "同意"}, headers=HTMX
    )

    assert response.status_code == 403
    assert "You are not allowed to do this." in response.text
    measure.refresh_from_db()
    assert measure.status == Status.AWAITING_SIGNOFF


def test_staff_outside_the_jurisdiction_cannot_find_the_measure(world, browse_en, measure_in):
    measure = measure_in(Status.AWAITING_SIGNOFF)

    for who in ("county_staff", "other_staff", "group_staff"):
        response = browse_en(getattr(world.users, who)).post(
            reverse("reforms:sign_off", args=[measure.pk]), headers=HTMX
        )
        assert response.status_code == 404
    measure.refresh_from_db()
    assert measure.status == Status.AWAITING_SIGNOFF


def test_returning_as_paper_rectification_replaces_the_row(world, browse_en, measure_in):
    measure = measure_in(Status.AWAITING_SIGNOFF)

    response = browse_en(world.users.city_staff).post(
        reverse("reforms:return", args=[measure.pk]),
        {"reason_code": PAPER, "reason": "只发了文件"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "Returned" in response.text
    assert "Paper rectification only" in response.text  # the reason, in the swapped row
    assert "只发了文件" in response.text
    measure.refresh_from_db()
    assert measure.status == Status.RETURNED
    last = measure.transitions.last()
    assert (last.return_reason, last.reason) == (PAPER, "只发了文件")


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"reason": "不够"}, 400, "This field is required."),
        ({"reason_code": "other"}, 409, "Explain the reason for returning the measure."),
    ],
)
def test_a_return_without_its_reason_is_refused_in_the_row(
    world, browse_en, measure_in, data, status, message
):
    measure = measure_in(Status.AWAITING_SIGNOFF)

    response = browse_en(world.users.city_staff).post(
        reverse("reforms:return", args=[measure.pk]), data, headers=HTMX
    )

    assert response.status_code == status
    assert message in response.text
    assert f'<tr id="signoff-{measure.pk}"' in response.text
    measure.refresh_from_db()
    assert measure.status == Status.AWAITING_SIGNOFF


# --- The extension queue, in place -------------------------------------------------------------


@pytest.fixture
def extension(world, measure):
    return services.extension_request_submit(
        measure=measure,
        actor=world.users.housing_officer,
        requested_due_on=datetime.date(2026, 8, 31),
        reason="招标流程延长",
    )


def test_approving_an_extension_moves_the_current_due_date_only(world, browse_en, extension):
    client = browse_en(world.users.city_staff)
    assert "招标流程延长" in client.get(reverse("reforms:extension_queue")).text

    response = client.post(reverse("reforms:extension_approve", args=[extension.pk]), headers=HTMX)

    assert response.status_code == 200
    assert "Approved" in response.text
    measure = Measure.objects.get(pk=extension.measure_id)
    assert measure.due_on == datetime.date(2026, 8, 31)
    assert measure.original_due_on == datetime.date(2026, 6, 30)


def test_the_extension_decisions_name_what_will_happen(world, browse_en, extension):
    queue = browse_en(world.users.city_staff).get(reverse("reforms:extension_queue")).text

    assert f'data-confirm="approve-{extension.pk}"' in queue
    assert f'data-confirm="reject-{extension.pk}"' in queue
    assert (
        "The current due date moves from 2026-06-30 to 2026-08-31; the original due date stays "
        "on record. This cannot be undone." in queue
    )
    assert "The due date stays 2026-06-30 and the unit is told your reason." in queue
    # The reason for refusing sits in the refusal's dialog, its own field.
    assert f'id="id_x{extension.pk}_reject_note"' in queue


def test_rejecting_needs_a_note(world, browse_en, extension):
    client = browse_en(world.users.city_staff)
    url = reverse("reforms:extension_reject", args=[extension.pk])

    refused = client.post(url, {"note": ""}, headers=HTMX)
    assert refused.status_code == 400
    assert 'data-testid="refusal"' in refused.text
    extension.refresh_from_db()
    assert extension.status == ExtensionRequest.Status.PENDING

    rejected = client.post(url, {"note": "理由不充分"}, headers=HTMX)
    assert rejected.status_code == 200
    assert "Rejected" in rejected.text
    extension.refresh_from_db()
    assert (extension.status, extension.decision_note) == ("rejected", "理由不充分")
    assert extension.measure.due_on == datetime.date(2026, 6, 30)


def test_deciding_twice_is_refused_in_the_row(world, browse_en, extension):
    services.extension_request_reject(
        request=extension, actor=world.users.city_staff, note="不同意"
    )

    response = browse_en(world.users.city_staff).post(
        reverse("reforms:extension_approve", args=[extension.pk]), headers=HTMX
    )

    assert response.status_code == 409
    assert "This extension request has already been decided." in response.text
    measure = Measure.objects.get(pk=extension.measure_id)
    assert measure.due_on == datetime.date(2026, 6, 30)


def test_only_staff_in_jurisdiction_decide_extensions(world, browse_en, extension):
    supervisor = browse_en(world.users.supervisor).post(
        reverse("reforms:extension_approve", args=[extension.pk]), headers=HTMX
    )
    assert supervisor.status_code == 403
    assert "You are not allowed to do this." in supervisor.text

    stranger = browse_en(world.users.other_staff).post(
        reverse("reforms:extension_approve", args=[extension.pk]), headers=HTMX
    )
    assert stranger.status_code == 404
    extension.refresh_from_db()
    assert extension.status == ExtensionRequest.Status.PENDING


def test_without_htmx_a_refused_decision_answers_its_status_on_the_queue(
    world, browse_en, extension
):
    client = browse_en(world.users.city_staff)
    reject = reverse("reforms:extension_reject", args=[extension.pk])

    no_note = client.post(reject, {"note": ""})
    assert no_note.status_code == 400
    assert 'data-testid="refusal"' in no_note.text
    assert "招标流程延长" in no_note.text  # the queue, with the row's refusal in place

    supervisor = browse_en(world.users.supervisor).post(
        reverse("reforms:extension_approve", args=[extension.pk])
    )
    assert supervisor.status_code == 403

    services.extension_request_reject(
        request=extension, actor=world.users.city_staff, note="不同意"
    )
    twice = browse_en(world.users.city_staff).post(
        reverse("reforms:extension_approve", args=[extension.pk])
    )
    assert twice.status_code == 409
    assert "This extension request has already been decided." in twice.text
    extension.refresh_from_db()
    assert extension.status == ExtensionRequest.Status.REJECTED


# --- The plan editor, in place -------------------------------------------------------------------


def plan_data(item, **fields):
    data = {
        "content": "建立专家库随机抽取制度",
        "standard": "制度印发并运行三个月",
        "department": "招标办",
        "owner_name": "赵强",
        "leader_name": "孙副局长",
        "due_on": "2026-09-30",
        "is_standing": "",
    } | fields
    return {f"item{item.pk}-{name}": value for name, value in data.items()}


def test_an_officer_adds_a_measure_under_an_item(world, browse_en, letter):
    item = letter.items.get()

    response = browse_en(world.users.housing_officer).post(
        reverse("reforms:plan_measure_add", args=[item.pk]), plan_data(item), headers=HTMX
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<section class="card mb-3" id="item-{item.pk}"')
    assert "建立专家库随机抽取制度" in response.text
    measure = Measure.objects.get()
    assert (measure.original_due_on, measure.due_on) == (datetime.date(2026, 9, 30),) * 2
    assert measure.created_by == world.users.housing_officer


def plan_of(world, letter, count: int) -> list:
    """``count`` measures under the letter's one item, planned at once."""
    item = letter.items.get()
    plan = services.MeasurePlan(world.users.housing_officer)
    for n in range(count):
        plan.add(
            item=item,
            content=f"第{n + 1}条措施",
            standard="制度印发并运行三个月",
            department="招标办",
            owner_name="赵强",
            leader_name="孙副局长",
            due_on=datetime.date(2026, 9, 30),
        )
    return plan.save()


def test_a_long_plan_shows_an_items_first_measures_and_the_rest_on_demand(world, browse_en, letter):
    shown = PLAN_MEASURES_SHOWN
    measures = plan_of(world, letter, 2 * shown + 5)
    client = browse_en(world.users.housing_officer)

    page = client.get(reverse("reforms:plan", args=[letter.pk])).text
    assert page.count('data-testid="plan-measure"') == shown
    assert f"Show {shown} more ({shown + 5} not shown)" in page
    more = reverse("reforms:plan_item_measures", args=[letter.items.get().pk])
    assert f"{more}?after={measures[shown - 1].pk}" in page

    second = client.get(f"{more}?after={measures[shown - 1].pk}", headers=HTMX).text
    assert second.count('data-testid="plan-measure"') == shown
    assert f"第{shown + 1}条措施" in second and f"第{2 * shown}条措施" in second
    assert "Show 5 more (5 not shown)" in second
    last = client.get(f"{more}?after={measures[2 * shown - 1].pk}", headers=HTMX).text
    assert last.count('data-testid="plan-measure"') == 5
    assert 'data-testid="plan-more"' not in last


def test_the_plan_asks_the_same_queries_for_a_short_plan_and_a_long_one(world, browse_en, letter):
    client = browse_en(world.users.housing_officer)
    path = reverse("reforms:plan", args=[letter.pk])
    plan_of(world, letter, 3)
    with CaptureQueriesContext(connection) as short:
        client.get(path)
    plan_of(world, letter, 300)
    with CaptureQueriesContext(connection) as long:
        page = client.get(path)

    assert page.text.count('data-testid="plan-measure"') == PLAN_MEASURES_SHOWN
    assert len(long) == len(short)


def test_a_measure_added_past_the_first_ones_shows_at_the_end_of_its_item(world, browse_en, letter):
    plan_of(world, letter, PLAN_MEASURES_SHOWN + 3)
    item = letter.items.get()

    response = browse_en(world.users.housing_officer).post(
        reverse("reforms:plan_measure_add", args=[item.pk]), plan_data(item), headers=HTMX
    )

    assert response.status_code == 200
    assert response.text.count('data-testid="plan-measure"') == PLAN_MEASURES_SHOWN + 1
    assert "Show 4 more (4 not shown)" in response.text
    assert response.text.rindex("建立专家库随机抽取制度") > response.text.index("plan-more")


def test_show_more_after_no_number_starts_from_the_first(world, browse_en, letter):
    plan_of(world, letter, 3)
    more = reverse("reforms:plan_item_measures", args=[letter.items.get().pk])

    page = browse_en(world.users.housing_officer).get(f"{more}?after=abc", headers=HTMX)

    assert page.status_code == 200
    assert page.text.count('data-testid="plan-measure"') == 3


def test_a_measure_due_before_the_issue_date_is_refused_in_the_item(world, browse_en, letter):
    item = letter.items.get()

    response = browse_en(world.users.housing_officer).post(
        reverse("reforms:plan_measure_add", args=[item.pk]),
        plan_data(item, due_on="2025-12-31"),
        headers=HTMX,
    )

    assert response.status_code == 409
    assert "The due date cannot be before the recommendation was issued." in response.text
    assert "建立专家库随机抽取制度" in response.text  # what was typed stays
    assert not Measure.objects.exists()


def test_a_standing_measure_is_planned_without_a_date(world, browse_en, letter):
    item = letter.items.get()

    response = browse_en(world.users.housing_officer).post(
        reverse("reforms:plan_measure_add", args=[item.pk]),
        plan_data(item, due_on="", is_standing="on"),
        headers=HTMX,
    )

    assert response.status_code == 200
    measure = Measure.objects.get()
    assert measure.is_standing
    # The column is not null: the letter's reply deadline (or its issue date) stands in.
    assert measure.due_on == (letter.reply_due_on or letter.issued_on)
    assert measure.signal() == Signal.BLUE
    assert not Measure.objects.overdue().exists()
    assert not Measure.objects.due_soon().exists()


def test_a_measure_may_have_no_department(world, browse_en, letter):
    item = letter.items.get()

    response = browse_en(world.users.housing_officer).post(
        reverse("reforms:plan_measure_add", args=[item.pk]),
        plan_data(item, department=""),
        headers=HTMX,
    )

    assert response.status_code == 200
    assert Measure.objects.get().department == ""


def test_a_measure_not_standing_without_a_date_is_refused_under_the_date(world, browse, letter):
    item = letter.items.get()

    response = browse(world.users.housing_officer).post(
        reverse("reforms:plan_measure_add", args=[item.pk]),
        plan_data(item, due_on=""),
        headers=HTMX,
    )

    assert response.status_code == 409
    assert "请填写整改时限（长期坚持的措施可不填）。" in response.text
    assert not Measure.objects.exists()


def test_the_plan_form_does_not_make_the_browser_insist_on_a_date(world, browse_en, letter):
    page = browse_en(world.users.housing_officer).get(reverse("reforms:plan", args=[letter.pk]))

    item = letter.items.get()
    date_input = next(
        tag for tag in page.text.split("<input") if f'name="item{item.pk}-due_on"' in tag
    )
    assert " required" not in date_input.split(">")[0]
    assert f'data-required-unless="id_item{item.pk}-is_standing"' in date_input


def test_an_incomplete_measure_is_refused_in_the_item(world, browse_en, letter):
    item = letter.items.get()

    response = browse_en(world.users.housing_officer).post(
        reverse("reforms:plan_measure_add", args=[item.pk]),
        plan_data(item, content=""),
        headers=HTMX,
    )

    assert response.status_code == 400
    assert "This field is required." in response.text
    assert not Measure.objects.exists()


def test_a_supervisor_cannot_plan(world, browse_en, letter):
    item = letter.items.get()

    response = browse_en(world.users.supervisor).post(
        reverse("reforms:plan_measure_add", args=[item.pk]), plan_data(item), headers=HTMX
    )

    assert response.status_code == 403
    assert not Measure.objects.exists()


def test_nothing_is_planned_once_the_reply_is_in(world, browse_en, measure):
    letter = measure.item.recommendation
    recommendation_services.recommendation_start_rectification(
        recommendation=letter, actor=world.users.housing_officer
    )
    recommendation_services.recommendation_submit_reply(
        recommendation=letter, actor=world.users.housing_officer, content="整改情况报告"
    )
    client = browse_en(world.users.housing_officer)

    page = client.get(reverse("reforms:plan", args=[letter.pk]))
    assert 'data-testid="plan-closed"' in page.text
    response = client.post(
        reverse("reforms:plan_measure_add", args=[measure.item_id]),
        plan_data(measure.item),
        headers=HTMX,
    )

    assert response.status_code == 409
    assert Measure.objects.count() == 1


def test_a_measure_is_edited_in_place_but_never_its_dates(world, browse_en, measure):
    client = browse_en(world.users.housing_officer)
    url = reverse("reforms:measure_edit", args=[measure.pk])

    form = client.get(url, headers=HTMX)
    assert form.status_code == 200
    assert 'data-testid="plan-measure-edit"' in form.text
    assert 'name="due_on"' not in form.text

    response = client.post(
        url,
        {
            "content": "修订并印发招投标管理办法",
            "standard": "印发新办法",
            "department": "法规科",
            "owner_name": "李明",
            "leader_name": "王局长",
            "due_on": "2027-12-31",
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    assert 'data-testid="plan-measure"' in response.text
    measure.refresh_from_db()
    assert (measure.content, measure.department) == ("修订并印发招投标管理办法", "法规科")
    assert measure.due_on == measure.original_due_on == datetime.date(2026, 6, 30)

    cancel = client.get(reverse("reforms:plan_measure", args=[measure.pk]), headers=HTMX)
    assert "修订并印发招投标管理办法" in cancel.text


def test_a_signed_off_measure_is_no_longer_edited(world, browse_en, measure_in):
    measure = measure_in(Status.SIGNED_OFF)
    client = browse_en(world.users.housing_officer)
    url = reverse("reforms:measure_edit", args=[measure.pk])

    assert client.get(url, headers=HTMX).status_code == 403
    response = client.post(
        url,
        {
            "content": "改写",
            "standard": "改写",
            "department": "办公室",
            "owner_name": "李明",
            "leader_name": "王局长",
        },
        headers=HTMX,
    )

    assert response.status_code == 403
    assert 'data-testid="plan-measure-edit"' in response.text
    measure.refresh_from_db()
    assert measure.content == "修订招投标管理办法"


def test_an_edit_with_a_blank_owner_is_refused(world, browse_en, measure):
    response = browse_en(world.users.housing_officer).post(
        reverse("reforms:measure_edit", args=[measure.pk]),
        {"content": "x", "standard": "y", "department": "", "owner_name": " ", "leader_name": "王"},
        headers=HTMX,
    )

    assert response.status_code in {400, 409}
    measure.refresh_from_db()
    assert measure.owner_name == "李明"


def test_the_update_service_refuses_what_the_rules_refuse(world, measure_in):
    measure = measure_in(Status.IN_PROGRESS)
    fields = {
        "content": "新措施",
        "standard": "新标准",
        "department": "",
        "owner_name": "李明",
        "leader_name": "王局长",
    }

    with pytest.raises(services.PermissionRefused):
        services.measure_update(measure=measure, actor=world.users.supervisor, **fields)
    with pytest.raises(services.TransitionRefused, match=r"Fill in the owner\."):
        services.measure_update(
            measure=measure, actor=world.users.city_staff, **fields | {"owner_name": ""}
        )
    services.measure_update(measure=measure, actor=world.users.city_staff, **fields)
    measure.refresh_from_db()
    assert (measure.content, measure.status) == ("新措施", Status.IN_PROGRESS)


# --- The filters ---------------------------------------------------------------------------------


@pytest.fixture
def filtered(world):
    """``filtered(user, **params)``: the measures the filterset keeps, as a set."""

    def run(user=None, today=None, **params):
        request = RequestFactory().get("/measures/", params)
        request.user = user or world.users.city_staff
        filterset = MeasureFilter(
            request.GET,
            queryset=Measure.objects.restrict(request.user),
            request=request,
            today=today,
        )
        return set(filterset.qs)

    return run


@pytest.fixture
def station_measure(world, housing_case):
    """A measure of the housing bureau's inspection station, a subunit of the bureau."""
    case = factories.case(
        case_unit=world.units.station,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=case)
    return factories.measure(
        recommendation=letter,
        actor=world.users.city_staff,
        content="质量监督抽查制度",
        standard="每季度抽查一次",
        owner_name="周丽",
        due_on=datetime.date(2026, 4, 30),
    )


@pytest.fixture
def education_measure(world):
    case = factories.case(
        case_unit=world.units.education,
        commission=world.units.county,
        created_by=world.users.county_staff,
        sector="education",
    )
    letter = factories.issued_recommendation(staff=world.users.county_staff, the_case=case)
    return factories.measure(
        recommendation=letter,
        actor=world.users.county_staff,
        content="规范校服采购",
        standard="公开招标采购",
        leader_name="钱校长",
        department="后勤处",
        due_on=datetime.date(2026, 3, 31),
    )


def test_the_search_covers_content_standard_owner_leader_and_department(
    filtered, measure, station_measure, education_measure
):
    assert filtered(q="校服") == {education_measure}
    assert filtered(q="组织培训") == {measure}  # the standard
    assert filtered(q="周丽") == {station_measure}  # the owner
    assert filtered(q="钱校长") == {education_measure}
    assert filtered(q="后勤处") == {education_measure}
    assert filtered(q="不存在的词") == set()


def test_a_unit_filter_takes_its_subtree(
    world, filtered, measure, station_measure, education_measure
):
    assert filtered(unit=world.units.housing.pk) == {measure, station_measure}
    assert filtered(unit=world.units.station.pk) == {station_measure}
    assert filtered(unit=world.units.county.pk) == {education_measure}


def test_a_unit_outside_the_jurisdiction_shows_nothing(world, filtered, measure):
    officer = world.users.housing_officer
    assert filtered(officer) == {measure}
    assert filtered(officer, unit=world.units.water.pk) == set()
    assert filtered(officer, unit=world.units.health.pk) == set()


def test_sector_status_recommendation_standing_and_due_dates(
    world, filtered, measure_in, station_measure, education_measure
):
    signed = measure_in(Status.SIGNED_OFF)
    standing = measure_in(Status.NOT_STARTED, is_standing=True)

    assert filtered(sector="education") == {education_measure}
    assert filtered(sector="construction") == {signed, standing, station_measure}
    assert filtered(status=Status.SIGNED_OFF) == {signed}
    assert filtered(recommendation=signed.item.recommendation_id) == {signed, standing}
    assert filtered(is_standing="true") == {standing}
    assert filtered(due_before="2026-04-30") == {station_measure, education_measure}
    # A standing measure is never due: its placeholder date matches no due-date filter.
    assert standing.due_on >= datetime.date(2026, 4, 30)
    assert filtered(due_after="2026-04-30") == {signed, station_measure}
    assert filtered(due_after="2026-04-01", due_before="2026-04-30") == {station_measure}


def test_the_colours_follow_the_measure_rules(filtered, measure_in, station_measure):
    today = datetime.date(2026, 6, 25)
    due_soon = measure_in(Status.IN_PROGRESS)  # due 2026-06-30: inside the 7-day window
    signed = measure_in(Status.SIGNED_OFF)
    standing = measure_in(Status.NOT_STARTED, is_standing=True)
    later = measure_in(Status.NOT_STARTED, due_on=datetime.date(2026, 12, 31))
    overdue = station_measure  # due 2026-04-30

    colours = {
        colour: filtered(signal=colour, today=today)
        for colour in ("green", "yellow", "red", "blue")
    }

    assert colours == {
        "green": {signed, later},
        "yellow": {due_soon},
        "red": {overdue},
        "blue": {standing},
    }
    for colour, measures in colours.items():
        assert {m.signal(today=today) for m in measures} == {colour}


def test_overdue_against_the_current_or_the_original_due_date(world, filtered, measure_in):
    extended = measure_in(Status.IN_PROGRESS)
    request = services.extension_request_submit(
        measure=extended,
        actor=world.users.housing_officer,
        requested_due_on=datetime.date(2026, 9, 30),
        reason="工期顺延",
    )
    services.extension_request_approve(request=request, actor=world.users.city_staff)
    late = measure_in(Status.IN_PROGRESS)
    today = datetime.date(2026, 7, 15)

    assert filtered(overdue="current", today=today) == {late}
    assert filtered(overdue="original", today=today) == {extended, late}


def test_aging_buckets_turn_at_shanghai_midnight(filtered, measure_in):
    one_week = measure_in(Status.IN_PROGRESS, due_on=datetime.date(2026, 3, 1))
    one_month = measure_in(Status.IN_PROGRESS, due_on=datetime.date(2026, 2, 7))
    one_quarter = measure_in(Status.IN_PROGRESS, due_on=datetime.date(2026, 1, 8))

    # 23:59 on 8 March in Shanghai (15:59 UTC): 7, 29 and 59 days overdue.
    with time_machine.travel(shanghai(2026, 3, 8, 23, 59)):
        assert filtered(aging="1-7") == {one_week}
        assert filtered(aging="8-30") == {one_month}
        assert filtered(aging="31-90") == {one_quarter}
        assert filtered(aging="90+") == set()

    # Two minutes later it is 9 March in Shanghai though still 8 March in UTC: 8, 30, 60 days.
    with time_machine.travel(shanghai(2026, 3, 9, 0, 1)):
        assert filtered(aging="1-7") == set()
        assert filtered(aging="8-30") == {one_week, one_month}
        assert filtered(aging="31-90") == {one_quarter}

    # 91 days after 8 January.
    with time_machine.travel(shanghai(2026, 4, 9, 0, 1)):
        assert filtered(aging="90+") == {one_quarter}
        assert filtered(aging="31-90") == {one_week, one_month}


def test_the_list_sorts_by_due_date_days_overdue_and_unit(
    world, browse_en, measure_in, station_measure
):
    soon = measure_in(Status.IN_PROGRESS)  # 2026-06-30
    oldest = measure_in(Status.IN_PROGRESS, due_on=datetime.date(2026, 2, 1))
    # Its date is a placeholder, here before the others'.
    standing = measure_in(Status.NOT_STARTED, is_standing=True, due_on=datetime.date(2026, 1, 20))
    client = browse_en(world.users.city_staff)

    def order(sort):
        with time_machine.travel(shanghai(2026, 5, 15)):
            response = client.get(reverse("reforms:measure_list"), {"ordering": sort})
        return list(response.context["page_obj"])

    # A standing measure is never due: after every date, and first when the latest come first.
    assert order("due_on") == [oldest, station_measure, soon, standing]
    assert order("-due_on") == [standing, soon, station_measure, oldest]
    assert order("-days_overdue")[:2] == [oldest, station_measure]
    assert set(order("-days_overdue")[2:]) == {soon, standing}
    assert order("days_overdue")[-2:] == [station_measure, oldest]
    assert order("unit")[0] == station_measure  # 市住建局质量监督站 before 长春市住房…


def test_the_list_page_applies_the_filters_and_keeps_them_when_paging(
    world, browse_en, letter, measure_in
):
    for day in range(1, 28):
        factories.measure(
            recommendation=letter,
            actor=world.users.housing_officer,
            due_on=datetime.date(2026, 2, day),
        )
    measure_in(Status.SIGNED_OFF)
    client = browse_en(world.users.city_staff)

    with time_machine.travel(shanghai(2026, 3, 10)):
        first = client.get(reverse("reforms:measure_list"), {"signal": "red"})
        second = client.get(reverse("reforms:measure_list"), {"signal": "red", "page": 2})

    assert first.context["page_obj"].paginator.count == 27
    assert "signal=red&amp;page=2" in first.text
    assert len(second.context["page_obj"]) == 2
    assert "days overdue" in first.text


def test_the_menu_opens_the_list_on_the_work_still_to_do_and_clear_shows_all(
    world, browse_en, measure, measure_in
):
    signed = measure_in(Status.SIGNED_OFF)
    client = browse_en(world.users.housing_officer)
    menu = client.get(reverse("notifications")).context["nav_items"]
    entry = next(item for item in menu if item["label"] == "Measures")

    opened = client.get(entry["url"])
    cleared = client.get(reverse("reforms:measure_list"))

    assert list(opened.context["page_obj"]) == [measure]
    assert opened.context["filter"].form["is_open"].value() == "true"
    assert set(cleared.context["page_obj"]) == {measure, signed}
    active = [item["label"] for item in opened.context["nav_items"] if item.get("active")]
    assert active == ["Measures"]


def test_an_invalid_filter_shows_nothing_and_says_why(world, browse_en, measure):
    response = browse_en(world.users.city_staff).get(
        reverse("reforms:measure_list"), {"due_after": "not a date"}
    )
    assert not response.context["page_obj"]
    assert "Some filters are not valid; nothing is shown until they are corrected." in response.text


# --- Query bounds ------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_runs_the_same_queries_for_3_or_30_rows(world, browse_en, letter):
    client = browse_en(world.users.city_staff)
    url = reverse("reforms:measure_list") + "?signal=green&ordering=-days_overdue"

    def plan(count):
        for _ in range(count):
            factories.measure(recommendation=letter, actor=world.users.housing_officer)

    plan(3)
    few = count_queries(client, url)
    plan(27)
    many = count_queries(client, url)

    assert few == many
    assert many <= 12


def test_the_sign_off_queue_runs_the_same_queries_for_3_or_30_rows(
    world, browse_en, measure_in, django_assert_max_num_queries
):
    client = browse_en(world.users.city_staff)
    for _ in range(3):
        measure_in(Status.AWAITING_SIGNOFF)
    few = count_queries(client, reverse("reforms:signoff_queue"))
    for _ in range(27):
        measure_in(Status.AWAITING_SIGNOFF)

    with django_assert_max_num_queries(few):
        response = client.get(reverse("reforms:signoff_queue"))
    assert len(response.context["page_obj"]) == 25


def test_the_sign_off_queue_puts_standing_measures_after_every_date(world, browse_en, measure_in):
    standing = measure_in(
        Status.AWAITING_SIGNOFF, is_standing=True, due_on=datetime.date(2026, 1, 20)
    )
    later = measure_in(Status.AWAITING_SIGNOFF, due_on=datetime.date(2026, 9, 30))
    sooner = measure_in(Status.AWAITING_SIGNOFF, due_on=datetime.date(2026, 3, 31))

    response = browse_en(world.users.city_staff).get(reverse("reforms:signoff_queue"))

    assert list(response.context["page_obj"]) == [sooner, later, standing]


def test_the_extension_queue_runs_the_same_queries_for_3_or_30_rows(
    world, browse_en, letter, django_assert_max_num_queries
):
    client = browse_en(world.users.city_staff)

    def request_extensions(count):
        for _ in range(count):
            measure = factories.measure(recommendation=letter, actor=world.users.housing_officer)
            services.extension_request_submit(
                measure=measure,
                actor=world.users.housing_officer,
                requested_due_on=datetime.date(2026, 9, 30),
                reason="工期顺延",
            )

    request_extensions(3)
    few = count_queries(client, reverse("reforms:extension_queue"))
    request_extensions(27)

    with django_assert_max_num_queries(few):
        response = client.get(reverse("reforms:extension_queue"))
    assert len(response.context["page_obj"]) == 25


def test_the_recommendation_filter_is_a_chip_not_a_list_of_every_letter(world, client, letter):
    """A province holds tens of thousands of letters: the list never offers them all."""
    client.force_login(world.users.city_staff)

    html = client.get(f"/measures/?recommendation={letter.pk}").content.decode()

    assert f'<input type="hidden" name="recommendation" value="{letter.pk}"' in html
    assert 'data-name="recommendation"' in html
    assert letter.doc_number in html
    assert '<select name="recommendation"' not in html


def test_the_chosen_filters_are_chips_in_words_each_removable(world, browse_en, letter):
    query = {"is_open": "true", "signal": "red", "unit": world.units.housing.pk}
    response = browse_en(world.users.city_staff).get(
        reverse("reforms:measure_list"),
        {**query, "recommendation": letter.pk, "due_after": "2026-01-31", "ordering": "unit"},
    )

    chips = {chip["name"]: chip for chip in response.context["chips"]}

    assert {name: chip["value"] for name, chip in chips.items()} == {
        "unit": str(world.units.housing),
        "recommendation": str(letter),
        "signal": "Overdue",
        "is_open": "Yes",
        "due_after": "2026-01-31",
    }
    assert chips["is_open"]["label"] == "Open (not signed off)"
    # Without it, the others as they were (the sort order too), from the first page.
    without = QueryDict(chips["signal"]["without"])
    assert dict(without.items()) == {
        "is_open": "true",
        "unit": str(world.units.housing.pk),
        "recommendation": str(letter.pk),
        "due_after": "2026-01-31",
        "ordering": "unit",
    }
    assert f'href="?{escape(chips["signal"]["without"])}"' in response.text


def test_no_chips_for_the_bare_list_nor_for_a_wrong_filter_which_keeps_the_form_open(
    world, browse_en
):
    client = browse_en(world.users.city_staff)

    bare = client.get(reverse("reforms:measure_list"))
    wrong = client.get(reverse("reforms:measure_list"), {"is_open": "true", "due_after": "x"})

    assert bare.context["chips"] == wrong.context["chips"] == []
    assert 'data-testid="filter-chips"' not in bare.text
    assert "collapse d-lg-block show" in wrong.text
    assert "collapse d-lg-block show" not in bare.text
