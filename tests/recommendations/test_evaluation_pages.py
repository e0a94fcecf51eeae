"""The evaluation session pages, its report (PDF, real WeasyPrint and fonts) and its spreadsheet,
and the figures from the records shown next to the indicators."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from recommendations import evaluation, evaluation_metrics
from recommendations.models import EvaluationSession, Recommendation
from reforms import services as reform_services
from reforms.models import Activity, FollowUpMeasure, ReboundFlag, RuleChange
from tests import factories
from tests.security.pdf_text import compact, extract

from .evaluation_helpers import SESSION_DAY, SessionStatus, full_marks, session_in

Status = Recommendation.Status


@pytest.fixture
def closed(recommendation_in):
    return recommendation_in(Status.CLOSED)


def page(session) -> str:
    return f"/recommendations/evaluation-sessions/{session.pk}/"


def action(session, name) -> str:
    return f"{page(session)}{name}/"


def test_staff_run_a_session_through_the_pages(world, browse, closed):
    staff, supervisor = world.users.city_staff, world.users.supervisor
    client = browse(staff)

    detail = client.get(f"/recommendations/{closed.pk}/").content.decode()
    assert f"/recommendations/{closed.pk}/evaluation/open/" in detail
    opened = client.post(
        f"/recommendations/{closed.pk}/evaluation/open/",
        {
            "template": EvaluationSession._meta.get_field("template")
            .related_model.objects.get()
            .pk,
            "scheduled_on": "2026-09-15",
            "place": "市纪委三楼会议室",
        },
    )
    session = EvaluationSession.objects.get()
    assert opened.url == page(session)
    for user in (staff, supervisor):
        assert client.post(action(session, "add-member"), {"user": user.pk}).status_code == 302
    hearing = {"reporter": "局长 王某", "report": "问题已全部销号。", "questions": "问：如何巩固？"}
    assert client.post(action(session, "record-hearing"), hearing).status_code == 302
    assert client.post(action(session, "start-scoring"), {}).status_code == 302

    form = client.get(page(session)).content.decode()
    assert 'data-testid="scores-form"' in form
    assert "按期销号" in form and 'data-testid="figure"' in form
    scores = {f"score_{pk}": value for pk, value in full_marks(session).items()}
    assert client.post(action(session, "submit-scores"), scores).status_code == 302
    too_high = scores | {f"score_{session.template.indicators.first().pk}": "11"}
    refused = browse(supervisor).post(action(session, "submit-scores"), too_high)
    assert refused.status_code == 400
    assert browse(supervisor).post(action(session, "submit-scores"), scores).status_code == 302

    client = browse(staff)
    done = client.post(action(session, "conclude"), {"conclusion": "整改到位"}, follow=True)
    html = done.content.decode()
    assert 'data-testid="results"' in html and "100.00" in html
    assert Recommendation.objects.get(pk=closed.pk).status == Status.EVALUATED


def test_a_refusal_is_shown_next_to_its_form(world, browse, closed):
    session = session_in(world, closed, SessionStatus.SCHEDULED, members=[])

    answer = browse(world.users.city_staff).post(action(session, "start-scoring"), {})

    assert answer.status_code == 409
    assert "请先邀请至少一名评委。" in answer.content.decode()


@pytest.mark.parametrize(
    ("username", "sees_form", "sees_ballots"),
    [
        ("city_staff", True, True),
        ("supervisor", True, True),
        ("housing_officer", False, False),
    ],
)
def test_who_sees_what_on_the_session_page(
    username, sees_form, sees_ballots, world, browse, closed
):
    session = session_in(world, closed, SessionStatus.SCORING)
    client = browse(getattr(world.users, username))

    scoring = client.get(page(session)).content.decode()
    assert ('data-testid="scores-form"' in scoring) == sees_form
    assert 'data-testid="results"' not in scoring  # nothing combined before the end

    for user in (world.users.city_staff, world.users.supervisor):
        evaluation.evaluation_scores_submit(session=session, actor=user, scores=full_marks(session))
    evaluation.evaluation_session_conclude(session=session, actor=world.users.city_staff)
    concluded = client.get(page(session)).content.decode()
    assert 'data-testid="results"' in concluded
    assert ('data-testid="ballots"' in concluded) == sees_ballots


def test_the_session_is_not_found_outside_the_jurisdiction(world, browse, closed):
    session = session_in(world, closed, SessionStatus.SCORING)
    for username in ("county_staff", "health_officer", "other_staff"):
        assert browse(getattr(world.users, username)).get(page(session)).status_code == 404


# ── The report (PDF) and the spreadsheet ─────────────────────────────────────────────────────


@pytest.fixture
def concluded(world, closed):
    staff, supervisor = world.users.city_staff, world.users.supervisor
    session = session_in(world, closed, SessionStatus.SCORING)
    first = session.template.indicators.first()
    evaluation.evaluation_scores_submit(
        session=session,
        actor=staff,
        scores=full_marks(session) | {first.pk: 8},
        comments={first.pk: "问题找得准"},
    )
    evaluation.evaluation_scores_submit(
        session=session, actor=supervisor, scores=full_marks(session) | {first.pk: 7}
    )
    evaluation.evaluation_session_conclude(
        session=session, actor=staff, conclusion="整改总体到位，建议巩固成果。"
    )
    return session


@pytest.mark.parametrize("username", ["city_staff", "housing_officer"])
def test_the_evaluation_report_pdf(username, world, browse, concluded, tmp_path):
    answer = browse(getattr(world.users, username)).get(
        f"/documents/evaluations/{concluded.pk}/report.pdf"
    )

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    text = compact(extract(answer.content))
    unit = concluded.recommendation.recipient_unit.name
    assert f"关于{unit}落实纪检监察建议的质效评估报告" in text
    assert "现场答辩式评查" in text and "局党组书记、局长王某" in text
    # (8 + 7) / 2 = 7.5 of 10 on the first indicator; 90 for the rest: 97.50, 98, 优秀.
    assert "97.50" in text and "计98分" in text and "优秀" in text
    assert "7.50/10" in text and "问题找得准" in text
    assert "整改总体到位，建议巩固成果。" in text
    assert ("评委评分明细" in text) == (username == "city_staff")


def test_the_evaluation_spreadsheet(world, browse, concluded):
    answer = browse(world.users.city_staff).get(
        f"/documents/evaluations/{concluded.pk}/report.xlsx"
    )

    assert answer.status_code == 200
    workbook = load_workbook(BytesIO(b"".join(answer.streaming_content)))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    first = rows[2]
    assert first[2] == "问题查找精准"
    assert (first[6], first[7], first[8], first[9]) == (7.5, 7, 8, 1)
    assert rows[13][:4] == ("合计", None, None, 100)
    assert rows[13][11] == 97.5
    assert rows[14][:2] == ("得分", 98)
    assert rows[15][:2] == ("等次", "优秀")
    assert workbook.sheetnames[1] == "各评委评分"
    assert len(list(workbook.worksheets[1].iter_rows())) == 3  # heading and two evaluators


def test_the_unit_gets_no_individual_scores_in_the_spreadsheet(world, browse, concluded):
    answer = browse(world.users.housing_officer).get(
        f"/documents/evaluations/{concluded.pk}/report.xlsx"
    )
    workbook = load_workbook(BytesIO(b"".join(answer.streaming_content)))
    assert "各评委评分" not in workbook.sheetnames


# ── The figures from the records ─────────────────────────────────────────────────────────────


def test_the_figures_of_a_letter(world, housing_case, django_assert_max_num_queries):
    """Three measures: one signed off on time with two pieces of evidence after a return, one
    signed off late after an approved extension and later rebounded, one standing."""
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = factories.issued_recommendation(staff=staff, the_case=housing_case, items=2)
    Recommendation.objects.filter(pk=letter.pk).update(status=Status.ACKNOWLEDGED)
    on_time = factories.measure(
        recommendation=letter, actor=officer, due_on=datetime.date(2099, 6, 30)
    )
    late = factories.measure(
        recommendation=letter,
        actor=officer,
        item=letter.items.last(),
        due_on=datetime.date(2026, 1, 31),
    )
    factories.measure(recommendation=letter, actor=officer, is_standing=True)
    for measure in (on_time, late):
        reform_services.progress_report_add(
            measure=measure,
            actor=officer,
            content="已完成",
            percent_complete=100,
            files=(factories.evidence_file(),),
        )
    reform_services.measure_request_signoff(measure=on_time, actor=officer)
    reform_services.measure_return(
        measure=on_time, actor=staff, reason_code="insufficient_evidence", reason="补充材料"
    )
    reform_services.evidence_add(measure=on_time, actor=officer, file=factories.evidence_file())
    reform_services.measure_request_signoff(measure=on_time, actor=officer)
    reform_services.measure_sign_off(measure=on_time, actor=staff, note="属实")
    extension = reform_services.extension_request_submit(
        measure=late, actor=officer, requested_due_on=datetime.date(2026, 2, 28), reason="汛期"
    )
    reform_services.extension_request_approve(request=extension, actor=staff)
    reform_services.measure_request_signoff(measure=late, actor=officer)
    reform_services.measure_sign_off(measure=late, actor=staff, note="属实")
    RuleChange.objects.create(
        unit=letter.recipient_unit, measure=late, kind="revised", title="办法", created_by=officer
    )
    RuleChange.objects.create(
        unit=letter.recipient_unit,
        recommendation=letter,
        kind="established",
        title="制度",
        created_by=officer,
    )
    Activity.objects.create(
        unit=letter.recipient_unit,
        recommendation=letter,
        kind="warning_education",
        title="警示教育",
        held_on=datetime.date(2026, 3, 1),
        created_by=officer,
    )
    follow_up = reform_services.follow_up_schedule
    del follow_up  # the rebound is recorded directly: the review's own tests walk its pages
    review = letter.follow_ups.create(scheduled_on=datetime.date(2099, 1, 1), created_by=staff)
    FollowUpMeasure.objects.create(
        follow_up=review,
        measure=late,
        verdict="rebounded",
        findings="反弹",
        new_due_on=datetime.date(2099, 1, 1),
        checked_at="2026-05-01T00:00Z",
    )
    problem = housing_case.problems.first()
    ReboundFlag.objects.create(
        problem=problem, earlier_problem=problem, measure=on_time, unit=problem.unit, match="unit"
    )

    with django_assert_max_num_queries(9):
        figures = evaluation_metrics.figures(letter)

    assert (figures.items, figures.problems, figures.measures, figures.due_measures) == (2, 2, 3, 2)
    assert (figures.signed_off, figures.signed_off_on_time) == (2, 1)
    assert figures.on_time_rate == Decimal("50.0")
    assert (figures.returns, figures.extensions_requested, figures.extensions) == (1, 1, 1)
    assert (figures.evidence, figures.evidence_per_measure) == (3, Decimal("1.00"))
    assert (figures.rebounds, figures.recurrences) == (1, 1)
    assert (figures.rule_changes, figures.activities) == (2, 1)
    assert figures.shown("on_time_rate") == "50.0%（1/2）"
    assert figures.shown("extensions") == "1/1"
    assert figures.shown("") == ""


def test_figures_of_a_letter_without_measures(world, housing_case):
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    figures = evaluation_metrics.figures(letter)
    assert (figures.on_time_rate, figures.evidence_per_measure) == (None, None)
    assert figures.shown("on_time_rate") == "—"


def test_sessions_are_listed_on_the_letter(world, browse, closed):
    session = session_in(world, closed, SessionStatus.SCHEDULED)
    html = browse(world.users.housing_officer).get(f"/recommendations/{closed.pk}/").content
    assert page(session).encode() in html
    assert SESSION_DAY.isoformat().encode() in html
