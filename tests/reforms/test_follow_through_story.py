"""The loop's second half as one story: a letter's measures go through two reconciliation rounds
(one row disputed, one returned), are signed off, a follow-up review reopens one of them, a new case
in the same unit is flagged as a rebound, and a panel of three evaluates the letter — and the
dashboard, the 对账销号单 and the evaluation report count exactly that."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from core.domain import shanghai_today
from notifications.models import Notification
from oversight.dashboard import dashboard_data
from recommendations import evaluation
from recommendations import services as recommendation_services
from recommendations.models import Recommendation
from reforms import reconciliation, services
from reforms.models import FollowUpMeasure, Measure, ReboundFlag, ReconciliationRow
from tests import factories
from tests.recommendations.evaluation_helpers import full_marks, second_staff
from tests.security.pdf_text import compact, extract
from tests.test_evaluation_ranking import evaluated

from .conftest import advance
from .test_follow_through import new_problem

Status = Measure.Status
Answer = ReconciliationRow.Answer
Confirmation = ReconciliationRow.Confirmation
Verdict = FollowUpMeasure.Verdict


def in_days(days: int) -> datetime.date:
    return shanghai_today() + datetime.timedelta(days=days)


def reconcile(letter, staff, officer, answers: dict, confirmations: dict):
    """One round over the letter: the officer answers each measure, staff confirm, the round
    closes. ``answers``/``confirmations`` map a measure to (choice, note)."""
    round_ = reconciliation.open_round(
        actor=staff, recommendation=letter, answer_due_on=in_days(10)
    )
    rows = {row.measure_id: row for row in round_.rows.select_related("round", "measure")}
    for measure, (answer, note) in answers.items():
        reconciliation.answer_row(row=rows[measure.pk], actor=officer, answer=answer, note=note)
    for measure, (confirmation, note) in confirmations.items():
        row = ReconciliationRow.objects.select_related("round", "measure").get(
            pk=rows[measure.pk].pk
        )
        reconciliation.confirm_row(row=row, actor=staff, confirmation=confirmation, note=note)
    return reconciliation.close_round(round_=round_, actor=staff)


def shown(page: str, testid: str) -> str:
    """The number a dashboard figure shows."""
    return re.search(rf'data-testid="{testid}">(\d+)<', page).group(1)


def sheet_rows(client, user, round_) -> list[tuple]:
    client.force_login(user)
    response = client.get(reverse("documents:reconciliation_xlsx", args=[round_.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(min_row=3, values_only=True))


@pytest.fixture
def owner(world):
    return factories.user(Role.UNIT_OFFICER, world.units.housing, "housing_owner")


@pytest.fixture
def three_measures(world, letter, owner):
    officer = world.users.housing_officer
    made = [
        factories.measure(
            recommendation=letter,
            actor=officer,
            content=content,
            owner=owner if n == 0 else None,
        )
        for n, content in enumerate(["评审专家随机抽取", "招标文件公开审查", "项目结算联审"])
    ]
    for measure in made:
        advance(measure, to=Status.IN_PROGRESS, staff=world.users.city_staff, officer=officer)
    return made


def test_two_rounds_sign_off_a_review_that_reopens_and_a_flagged_rebound(
    world, client, letter, owner, three_measures
):
    staff, officer = world.users.city_staff, world.users.housing_officer
    experts, tenders, accounts = three_measures
    for measure in three_measures:
        services.evidence_add(measure=measure, actor=officer, file=factories.evidence_file())

    # ── First round: one completed, one disputed, one still in progress (returned by staff).
    first = reconcile(
        letter,
        staff,
        officer,
        answers={
            experts: (Answer.COMPLETED, "专家库已接入省平台"),
            tenders: (Answer.DISPUTED, "该措施已并入招标文件审查制度"),
            accounts: (Answer.IN_PROGRESS, "联审办法征求意见中"),
        },
        confirmations={
            experts: (Confirmation.AGREED, ""),
            tenders: (Confirmation.AGREED, "同意合并"),
            accounts: (Confirmation.RETURNED, "进度说明过于笼统，请附征求意见稿"),
        },
    )
    assert Measure.objects.get(pk=experts.pk).status == Status.AWAITING_SIGNOFF
    rows = {row[3]: row for row in sheet_rows(client, staff, first)}
    assert len(rows) == 3
    assert rows["招标文件公开审查"][8:10] == (
        str(Answer.DISPUTED.label),
        "该措施已并入招标文件审查制度",
    )
    assert rows["项目结算联审"][11:13] == (
        str(Confirmation.RETURNED.label),
        "进度说明过于笼统，请附征求意见稿",
    )

    # ── Second round: the other two completed and agreed; then everything is signed off.
    services.measure_sign_off(measure=experts, actor=staff, note="经核查，整改到位")
    second = reconcile(
        letter,
        staff,
        officer,
        answers={
            experts: (Answer.COMPLETED, "已销号"),
            tenders: (Answer.COMPLETED, "审查制度已印发"),
            accounts: (Answer.COMPLETED, "联审办法已印发"),
        },
        confirmations={
            experts: (Confirmation.AGREED, ""),
            tenders: (Confirmation.AGREED, ""),
            accounts: (Confirmation.AGREED, ""),
        },
    )
    assert second.rows.count() == 3  # the measure signed off since is reconciled too
    for measure in (tenders, accounts):
        services.measure_sign_off(
            measure=Measure.objects.get(pk=measure.pk), actor=staff, note="经核查，整改到位"
        )
    recommendation_services.recommendation_start_rectification(recommendation=letter, actor=officer)
    recommendation_services.recommendation_submit_reply(
        recommendation=letter, actor=officer, content="整改报告"
    )
    letter = recommendation_services.recommendation_close(recommendation=letter, actor=staff)
    assert dashboard_data(staff)["rebounds"]["reopened"] == 0

    # ── The follow-up review (回头看) reopens the experts measure; its owner is told.
    review = services.follow_up_schedule(
        recommendation=letter, actor=staff, scheduled_on=shanghai_today()
    )
    Notification.objects.all().delete()
    for row in services.follow_up_choose_measures(follow_up=review, actor=staff):
        rebounded = row.measure_id == experts.pk
        services.follow_up_mark(
            row=row,
            actor=staff,
            verdict=Verdict.REBOUNDED if rebounded else Verdict.HELD,
            findings="评审专家仍由业务科室指定" if rebounded else "",
            new_due_on=in_days(60) if rebounded else None,
        )
    assert Measure.objects.get(pk=experts.pk).status == Status.IN_PROGRESS
    assert Notification.objects.filter(recipient=owner, title__contains="评审专家随机抽取").exists()

    # ── A new case in the same unit repeats the rectified problem: flagged as a rebound.
    new_problem(world, unit=world.units.housing)
    assert ReboundFlag.objects.filter(unit=world.units.housing).count() == 1

    # ── The numbers, as the supervisor's dashboard and the statistics show them.
    figures = dashboard_data(world.users.supervisor)["rebounds"]
    assert (figures["reopened"], figures["flagged"]) == (1, 1)
    housing = next(row for row in figures["units"] if row["unit"]["pk"] == world.units.housing.pk)
    assert (housing["reopened"], housing["flagged"]) == (1, 1)
    client.force_login(world.users.supervisor)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert shown(page, "total-reopened") == shown(page, "total-flagged") == "1"

    # ── A panel of three evaluates the letter on site; the unit ranks behind a better one.
    evaluated(world, world.units.health, world.units.city, 95, shanghai_today())
    session = evaluation.evaluation_session_open(
        recommendation=letter, actor=staff, scheduled_on=shanghai_today()
    )
    panel = [staff, world.users.supervisor, second_staff(world)]
    for evaluator in panel:
        evaluation.evaluation_panel_add(session=session, actor=staff, user=evaluator)
    evaluation.evaluation_hearing_record(
        session=session,
        actor=staff,
        reporter="局长 王某",
        report="三项措施均已销号，一项经回头看重新整改。",
    )
    evaluation.evaluation_scoring_start(session=session, actor=staff)
    # Every indicator is scored up to its weight; the three give full marks, one and two points
    # less on each of the eleven: a mean of one point less on each, 89 in all — 良好.
    for less, evaluator in enumerate(panel):
        marks = {pk: top - less for pk, top in full_marks(session).items()}
        evaluation.evaluation_scores_submit(session=session, actor=evaluator, scores=marks)
    result = evaluation.evaluation_session_conclude(session=session, actor=staff)
    assert (result.score, result.rating) == (89, "good")
    assert Recommendation.objects.get(pk=letter.pk).status == Recommendation.Status.EVALUATED

    board = client.get(reverse("dashboard:index")).context["evaluations"]
    assert [(row["rank"], row["label"], row["mean"]) for row in board["units"]] == [
        (1, world.units.health.name, Decimal("95.00")),
        (2, world.units.housing.name, Decimal("89.00")),
    ]
    client.force_login(staff)
    report = client.get(reverse("documents:evaluation_report", args=[session.pk]))
    text = compact(extract(report.content))
    assert "89.00" in text and "计89分" in text and "良好" in text
