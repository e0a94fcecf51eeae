"""Build evaluation sessions (现场答辩式评查) in any state through the services."""

import datetime

from accounts.roles import Role
from recommendations import evaluation
from recommendations.models import EvaluationSession, EvaluationTemplate
from tests import factories

SessionStatus = EvaluationSession.Status
SESSION_DAY = datetime.date(2026, 9, 15)


def default_template() -> EvaluationTemplate:
    return EvaluationTemplate.objects.get(name="以案促改质效评估指标（默认）")


def full_marks(session) -> dict:
    return {indicator.pk: indicator.max_score for indicator in session.template.indicators.all()}


def second_staff(world):
    """Another discipline staff member of the city commission (a third evaluator)."""
    return factories.user(Role.DISCIPLINE_STAFF, world.units.city, "city_staff_2")


def session_in(world, closed, status, *, members=None):
    """A session of the closed recommendation ``closed`` in ``status``; its panel is the city's
    staff and supervisor unless ``members`` says otherwise; the city's staff runs it."""
    staff = world.users.city_staff
    members = [world.users.city_staff, world.users.supervisor] if members is None else members
    session = evaluation.evaluation_session_open(
        recommendation=closed, actor=staff, scheduled_on=SESSION_DAY, place="市纪委三楼会议室"
    )
    for user in members:
        evaluation.evaluation_panel_add(session=session, actor=staff, user=user)
    evaluation.evaluation_hearing_record(
        session=session,
        actor=staff,
        reporter="局党组书记、局长 王某",
        report="13项问题已全部销号，修订制度8项。",
        questions="问：招投标制度如何防止评审专家被指定？答：改为系统随机抽取。",
    )
    if status == SessionStatus.SCHEDULED:
        return session
    if status == SessionStatus.CANCELLED:
        return evaluation.evaluation_session_cancel(session=session, actor=staff, reason="改期")
    evaluation.evaluation_scoring_start(session=session, actor=staff)
    if status == SessionStatus.SCORING:
        return session
    for user in members:
        evaluation.evaluation_scores_submit(session=session, actor=user, scores=full_marks(session))
    evaluation.evaluation_session_conclude(session=session, actor=staff, conclusion="整改到位")
    session.refresh_from_db()
    assert session.status == status
    return session
