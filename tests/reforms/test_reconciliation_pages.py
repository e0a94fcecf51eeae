"""The reconciliation pages: opening a round from a recommendation or for a unit, the round's page
(the snapshot beside the unit's answer, differences highlighted, the forms each role may use), the
list of rounds, and refusals shown next to their forms."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from audit.models import AuditEntry
from core.domain import shanghai_today
from core.paging import LIST_QUERY_BUDGET
from reforms import reconciliation, reconciliation_views, services
from reforms.models import ReconciliationRound, ReconciliationRow
from tests import factories, pdf

from .conftest import Status

Answer = ReconciliationRow.Answer


def due() -> str:
    return (shanghai_today() + datetime.timedelta(days=14)).isoformat()


@pytest.fixture
def round_(world, letter, measure_in):
    """An open round over two housing measures: one in progress with evidence, one not started."""
    measure = measure_in(Status.IN_PROGRESS, content="修订招投标管理办法")
    services.evidence_add(
        measure=measure, actor=world.users.housing_officer, file=factories.evidence_file()
    )
    measure_in(Status.NOT_STARTED, content="开展警示教育")
    return reconciliation.open_round(
        actor=world.users.city_staff,
        recommendation=letter,
        answer_due_on=shanghai_today() + datetime.timedelta(days=14),
    )


def rows_of(round_):
    first, second = round_.rows.select_related("round", "measure").order_by("measure")
    return first, second


def detail(round_):
    return reverse("reforms:reconciliation_detail", args=[round_.pk])


def test_staff_open_a_round_from_the_recommendation_page(world, browse_en, letter, measure_in):
    measure_in(Status.IN_PROGRESS)
    client = browse_en(world.users.city_staff)

    page = client.get(reverse("recommendations:detail", args=[letter.pk])).content.decode()
    open_url = f"{reverse('reforms:reconciliation_open')}?recommendation={letter.pk}"
    assert open_url in page
    assert f"{reverse('reforms:reconciliation_list')}?recommendation={letter.pk}" in page

    form_page = client.get(open_url)
    assert form_page.status_code == 200
    assert 'data-testid="round-letter"' in form_page.content.decode()

    answer = client.post(
        reverse("reforms:reconciliation_open"),
        {
            "recommendation": letter.pk,
            "as_of": shanghai_today().isoformat(),
            "answer_due_on": due(),
        },
    )

    round_ = ReconciliationRound.objects.get()
    assert answer.status_code == 302 and answer.url == detail(round_)
    assert (round_.recommendation, round_.rows.count()) == (letter, 1)
    page = client.get(detail(round_)).content.decode()
    assert page.count('data-testid="reconciliation-row"') == 1
    assert "Awaiting the unit&#x27;s answer" in page


def test_the_unit_officer_sees_the_link_but_not_the_opening(world, browse_en, letter, measure_in):
    measure_in(Status.IN_PROGRESS)
    client = browse_en(world.users.housing_officer)

    page = client.get(reverse("recommendations:detail", args=[letter.pk])).content.decode()

    assert 'data-testid="reconciliation-rounds"' in page
    assert 'data-testid="open-reconciliation"' not in page
    assert client.get(reverse("reforms:reconciliation_open")).status_code == 403


def test_staff_open_a_round_for_a_unit(world, browse_en, letter, measure_in):
    measure_in(Status.IN_PROGRESS)
    client = browse_en(world.users.city_staff)

    answer = client.post(
        reverse("reforms:reconciliation_open"),
        {
            "unit": world.units.housing.pk,
            "as_of": shanghai_today().isoformat(),
            "answer_due_on": due(),
        },
    )

    round_ = ReconciliationRound.objects.get()
    assert answer.status_code == 302
    assert (round_.scope, round_.unit, round_.recommendation) == ("unit", world.units.housing, None)


def test_a_refused_opening_is_shown_next_to_its_field(world, browse, letter, measure_in):
    measure_in(Status.IN_PROGRESS)
    tomorrow = shanghai_today() + datetime.timedelta(days=1)

    answer = browse(world.users.city_staff).post(
        reverse("reforms:reconciliation_open"),
        {"recommendation": letter.pk, "as_of": tomorrow.isoformat(), "answer_due_on": due()},
    )

    assert answer.status_code == 409
    assert "对账基准日不能晚于今天。" in answer.content.decode()
    assert not ReconciliationRound.objects.exists()


def test_a_unit_outside_the_jurisdiction_cannot_be_chosen(world, browse_en, letter, measure_in):
    measure_in(Status.IN_PROGRESS)

    answer = browse_en(world.users.county_staff).post(
        reverse("reforms:reconciliation_open"),
        {
            "unit": world.units.housing.pk,
            "as_of": shanghai_today().isoformat(),
            "answer_due_on": due(),
        },
    )

    assert answer.status_code == 400  # not among the choices
    assert not ReconciliationRound.objects.exists()


def test_the_officer_answers_and_the_differences_are_highlighted(world, browse_en, round_):
    in_progress, not_started = rows_of(round_)
    client = browse_en(world.users.housing_officer)

    page = client.get(detail(round_)).content.decode()
    assert page.count('data-testid="answer-form"') == 2
    assert 'data-testid="confirm-form"' not in page
    assert 'data-testid="differences"' not in page

    answer = client.post(
        reverse("reforms:reconciliation_answer", args=[in_progress.pk]),
        {"answer": Answer.COMPLETED, "note": "新办法已印发"},
    )
    assert answer.status_code == 302
    assert answer.url == f"{detail(round_)}#row-{in_progress.pk}"
    client.post(
        reverse("reforms:reconciliation_answer", args=[not_started.pk]),
        {"answer": Answer.DISPUTED, "note": "该措施已并入第一项"},
    )

    page = client.get(detail(round_)).content.decode()
    assert page.count('data-testid="differences"') == 2
    assert "the unit says completed" in page
    assert "status now Awaiting sign-off" in page
    assert "the unit disputes the snapshot" in page
    assert "该措施已并入第一项" in page
    in_progress.measure.refresh_from_db()
    assert in_progress.measure.status == Status.AWAITING_SIGNOFF


def test_a_refused_answer_is_shown_in_its_row(world, browse, round_):
    in_progress, _ = rows_of(round_)

    answer = browse(world.users.housing_officer).post(
        reverse("reforms:reconciliation_answer", args=[in_progress.pk]),
        {"answer": Answer.IN_PROGRESS, "note": ""},
    )

    assert answer.status_code == 409
    assert "请说明措施的最新进展。" in answer.content.decode()
    in_progress.refresh_from_db()
    assert in_progress.status == ReconciliationRow.Status.PENDING


def test_staff_confirm_every_row_then_close(world, browse_en, round_):
    in_progress, not_started = rows_of(round_)
    for row in (in_progress, not_started):
        reconciliation.answer_row(
            row=row, actor=world.users.housing_officer, answer=Answer.DISPUTED, note="有误"
        )
    client = browse_en(world.users.city_staff)

    page = client.get(detail(round_)).content.decode()
    assert page.count('data-testid="confirm-form"') == 2
    assert 'data-testid="answer-form"' not in page
    assert 'data-testid="close-form"' not in page
    refused = client.post(reverse("reforms:reconciliation_close", args=[round_.pk]))
    assert refused.status_code == 409
    assert "Confirm every row before closing the round (2 left)." in refused.content.decode()

    no_reason = client.post(
        reverse("reforms:reconciliation_confirm", args=[in_progress.pk]),
        {"confirmation": "returned", "note": ""},
    )
    assert no_reason.status_code == 409
    assert "Give the reason for returning this row." in no_reason.content.decode()

    for row, confirmation, note in (
        (in_progress, "returned", "佐证不足"),
        (not_started, "agreed", ""),
    ):
        done = client.post(
            reverse("reforms:reconciliation_confirm", args=[row.pk]),
            {"confirmation": confirmation, "note": note},
        )
        assert done.status_code == 302
    page = client.get(detail(round_)).content.decode()
    assert 'data-testid="close-form"' in page
    assert "佐证不足" in page

    closed = client.post(reverse("reforms:reconciliation_close", args=[round_.pk]))

    assert closed.status_code == 302
    round_.refresh_from_db()
    assert round_.status == ReconciliationRound.Status.CLOSED
    page = client.get(detail(round_)).content.decode()
    assert 'data-testid="confirm-form"' not in page and 'data-testid="close-form"' not in page


def test_a_supervisor_reads_the_round_without_forms(world, browse_en, round_):
    page = browse_en(world.users.supervisor).get(detail(round_)).content.decode()

    assert page.count('data-testid="reconciliation-row"') == 2
    for form in ("answer-form", "confirm-form", "close-form"):
        assert f'data-testid="{form}"' not in page


@pytest.mark.parametrize("who", ["health_officer", "county_staff", "other_staff"])
def test_the_round_out_of_jurisdiction_is_not_found(world, browse_en, round_, who):
    client = browse_en(getattr(world.users, who))
    row = round_.rows.first()

    assert client.get(detail(round_)).status_code == 404
    answer = client.post(
        reverse("reforms:reconciliation_answer", args=[row.pk]),
        {"answer": Answer.DISPUTED, "note": "x"},
    )
    assert answer.status_code == 404


def test_the_list_shows_the_rounds_in_scope_with_their_counts(
    world, browse_en, round_, letter, django_assert_max_num_queries
):
    first, _ = rows_of(round_)
    reconciliation.answer_row(
        row=first, actor=world.users.housing_officer, answer=Answer.DISPUTED, note="有误"
    )
    for number in range(3):
        other = factories.issued_recommendation(
            staff=world.users.city_staff,
            the_case=letter.cases.first(),
            title=f"关于第{number}项的建议",
        )
        factories.measure(recommendation=other, actor=world.users.city_staff)
        reconciliation.open_round(
            actor=world.users.city_staff,
            recommendation=other,
            answer_due_on=shanghai_today() + datetime.timedelta(days=7),
        )
    client = browse_en(world.users.city_staff)
    client.get(reverse("reforms:reconciliation_list"))  # warm the session

    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        page = client.get(reverse("reforms:reconciliation_list")).content.decode()

    assert page.count('data-testid="round-row"') == 4
    assert "0 of 2 confirmed, 1 unanswered" in page
    assert "1 disputed" in page
    only_letter = client.get(
        f"{reverse('reforms:reconciliation_list')}?recommendation={letter.pk}"
    ).content.decode()
    assert only_letter.count('data-testid="round-row"') == 1
    assert (
        browse_en(world.users.other_staff)
        .get(reverse("reforms:reconciliation_list"))
        .content.decode()
        .count('data-testid="round-row"')
        == 0
    )
    assert (
        browse_en(world.users.system_admin).get(reverse("reforms:reconciliation_list")).status_code
        == 403
    )


def test_the_reconciliation_sheet_lists_both_sides_and_shades_the_differences(
    world, browse, round_
):
    in_progress, not_started = rows_of(round_)
    reconciliation.answer_row(
        row=in_progress, actor=world.users.housing_officer, answer=Answer.IN_PROGRESS, note="过半"
    )
    reconciliation.answer_row(
        row=not_started, actor=world.users.housing_officer, answer=Answer.DISPUTED, note="=1+1"
    )
    reconciliation.confirm_row(
        row=not_started, actor=world.users.city_staff, confirmation="returned", note="请补充说明"
    )
    url = reverse("documents:reconciliation_xlsx", args=[round_.pk])
    page = browse(world.users.housing_officer).get(detail(round_)).content.decode()
    assert f'href="{url}"' in page

    answer = browse(world.users.supervisor).get(url)

    assert answer.status_code == 200
    assert "attachment" in answer["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    letter, day = round_.recommendation.doc_number, f"{round_.as_of:%Y-%m-%d}"
    assert rows[0][0] == f"对账销号单：{letter}，基准日 {day}"
    assert rows[1][:4] == ("序号", "单位", "发文字号", "整改措施")
    body = {row[3]: row for row in rows[2:]}
    assert body["修订招投标管理办法"][8:10] == ("仍在整改", "过半")
    disputed = ("有异议", "=1+1", "housing_officer", "已退回", "请补充说明")
    assert body["开展警示教育"][8:13] == disputed
    assert body["开展警示教育"][14] == "单位对台账有异议"
    shaded = {row[3].value: row[0].fill.start_color.rgb for row in sheet.iter_rows(min_row=3)}
    assert shaded["开展警示教育"].endswith("FFF3CD")
    assert not shaded["修订招投标管理办法"].endswith("FFF3CD")
    # Text is never a formula.
    cell = next(row[9] for row in sheet.iter_rows(min_row=3) if row[3].value == "开展警示教育")
    assert cell.data_type == "s"


@pytest.mark.parametrize("who", ["health_officer", "county_staff", "other_staff"])
def test_the_sheet_out_of_jurisdiction_is_not_found(world, browse, round_, who):
    url = reverse("documents:reconciliation_xlsx", args=[round_.pk])

    assert browse(getattr(world.users, who)).get(url).status_code == 404


def test_an_officer_of_a_subunit_sees_only_their_rows_and_counts(world, browse_en, letter, round_):
    the_case = factories.case(
        case_unit=world.units.station,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )
    station_letter = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=the_case
    )
    factories.measure(
        recommendation=station_letter, actor=world.users.city_staff, content="质量监督站的措施"
    )
    unit_round = reconciliation.open_round(
        actor=world.users.city_staff,
        unit=world.units.housing,
        answer_due_on=shanghai_today() + datetime.timedelta(days=14),
    )
    station_officer = factories.user("unit_officer", world.units.station, "station_officer")

    page = browse_en(station_officer).get(detail(unit_round)).content.decode()

    assert page.count('data-testid="reconciliation-row"') == 1
    assert "质量监督站的措施" in page and "修订招投标管理办法" not in page
    assert "0 of 1 confirmed" in page
    assert browse_en(station_officer).get(detail(round_)).status_code == 404


def test_opening_answering_and_the_sheet_are_in_the_audit_log(world, browse, letter, measure_in):
    measure_in(Status.IN_PROGRESS)
    staff = browse(world.users.city_staff)
    today = shanghai_today().isoformat()
    staff.post(
        reverse("reforms:reconciliation_open"),
        {"recommendation": letter.pk, "as_of": today, "answer_due_on": due()},
    )
    round_ = ReconciliationRound.objects.get()
    row = round_.rows.get()
    browse(world.users.housing_officer).post(
        reverse("reforms:reconciliation_answer", args=[row.pk]),
        {"answer": Answer.DISPUTED, "note": "台账有误"},
    )
    staff = browse(world.users.city_staff)
    staff.get(reverse("documents:reconciliation_xlsx", args=[round_.pk]))

    opened = AuditEntry.objects.get(
        object_type="reforms.reconciliationround", object_id=str(round_.pk)
    )
    assert (opened.action, opened.username) == (AuditEntry.Action.CREATE, "city_staff")
    answered = AuditEntry.objects.get(
        object_type="reforms.reconciliationrow", object_id=str(row.pk)
    )
    assert answered.username == "housing_officer"
    assert answered.changes["status"] == ["pending", "answered"]
    assert "answer_note" in answered.changes  # free text: recorded as changed, not copied
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.EXPORT, username="city_staff"
    ).exists()


def test_the_open_form_dates_the_round_today_with_answers_due_in_ten_working_days(world, browse_en):
    from reforms.models import CalendarDay

    today = shanghai_today()
    days = (today + datetime.timedelta(days=n) for n in range(1, 40))
    weekdays = [day for day in days if day.weekday() < 5]
    # The six weeks ahead hold one holiday, on the first weekday, and no make-up working day.
    CalendarDay.objects.filter(date__gt=today, date__lt=weekdays[-1]).delete()
    CalendarDay.objects.create(date=weekdays[0], is_workday=False, note="假日")

    page = browse_en(world.users.city_staff).get(reverse("reforms:reconciliation_open"))

    html = page.content.decode()
    assert f'name="as_of" value="{today.isoformat()}"' in html
    # Ten working days: the weekdays after today, less the holiday, and no weekend.
    assert f'name="answer_due_on" value="{weekdays[10].isoformat()}"' in html


def test_staff_open_a_sector_round_and_its_sheets_name_the_sector(
    world, browse, letter, measure_in
):
    measure_in(Status.IN_PROGRESS, content="修订招投标管理办法")
    client = browse(world.users.city_staff)

    answer = client.post(
        reverse("reforms:reconciliation_open"),
        {
            "unit": world.units.city.pk,
            "sector": "construction",
            "as_of": shanghai_today().isoformat(),
            "answer_due_on": due(),
        },
    )

    round_ = ReconciliationRound.objects.get()
    assert answer.status_code == 302 and answer.url == detail(round_)
    assert (round_.scope, round_.unit, round_.sector) == (
        "sector",
        world.units.city,
        "construction",
    )
    with translation.override("zh-hans"):
        sector = str(round_.get_sector_display())
    page = client.get(detail(round_)).content.decode()
    assert f"长春市纪委监委 · {sector}" in page
    sheet = client.get(reverse("documents:reconciliation_xlsx", args=[round_.pk]))
    title = load_workbook(io.BytesIO(b"".join(sheet.streaming_content))).active["A1"].value
    assert title.startswith(f"对账销号单：长春市纪委监委 · {sector}")
    made = client.get(reverse("documents:reconciliation_pdf", args=[round_.pk])).content
    assert f"对账对象：长春市纪委监委范围内{sector}领域各单位" in pdf.compact(made)


def test_a_long_round_is_paged_and_an_answer_returns_to_its_page(
    world, browse_en, round_, monkeypatch
):
    monkeypatch.setattr(reconciliation_views, "ROWS_PER_PAGE", 1)
    first, second = rows_of(round_)
    client = browse_en(world.users.housing_officer)

    page_one = client.get(detail(round_)).content.decode()
    assert page_one.count('data-testid="reconciliation-row"') == 1
    assert f'id="row-{first.pk}"' in page_one
    assert "0 of 2 confirmed" in page_one  # the figures count the whole round
    assert f'id="row-{second.pk}"' in client.get(f"{detail(round_)}?page=2").content.decode()

    answer = client.post(
        reverse("reforms:reconciliation_answer", args=[second.pk]),
        {"answer": Answer.DISPUTED, "note": "已并入第一项"},
    )
    assert answer.url == f"{detail(round_)}?page=2#row-{second.pk}"

    disputed = client.get(f"{detail(round_)}?answer={Answer.DISPUTED}").content.decode()
    assert disputed.count('data-testid="reconciliation-row"') == 1
    assert f'id="row-{second.pk}"' in disputed
    pending = client.get(f"{detail(round_)}?status={ReconciliationRow.Status.PENDING}")
    assert f'id="row-{first.pk}"' in pending.content.decode()


def test_the_round_page_costs_the_same_queries_for_two_rows_or_eight(
    world, browse_en, round_, measure_in, letter
):
    client = browse_en(world.users.city_staff)

    def queries_of(round_):
        client.get(detail(round_))  # warm the session and the caches
        with CaptureQueriesContext(connection) as read:
            page = client.get(detail(round_)).content.decode()
        return len(read), page.count('data-testid="reconciliation-row"')

    for number in range(6):
        measure_in(Status.NOT_STARTED, content=f"第{number}项措施")
    of_the_unit = reconciliation.open_round(
        actor=world.users.city_staff,
        unit=letter.recipient_unit,
        answer_due_on=shanghai_today() + datetime.timedelta(days=14),
    )

    two, eight = queries_of(round_), queries_of(of_the_unit)
    assert (two[1], eight[1]) == (2, 8)
    assert two[0] == eight[0]
