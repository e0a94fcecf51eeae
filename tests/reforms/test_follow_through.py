"""回头看 that acts and 整改反弹: a review marks signed-off measures held or rebounded, a rebound
reopens the measure (one transition, told to the unit), a review may end with a 通报 or 约谈, and
a new problem matching a rectified one is flagged."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from cases import services as case_services
from cases.models import Case, Problem, ProcessStage
from core.domain import InvalidInput, PermissionRefused, TransitionRefused, shanghai_today
from notifications.models import Notification
from reforms import rebounds, services
from reforms.models import Activity, FollowUp, FollowUpMeasure, Measure, ReboundFlag
from tests import factories

from .conftest import advance

Status = Measure.Status
Verdict = FollowUpMeasure.Verdict


def later(days=60) -> datetime.date:
    return shanghai_today() + datetime.timedelta(days=days)


# ── Choosing the measures ──────────────────────────────────────────────────────────────────


def test_a_review_takes_all_signed_off_measures(world, review):
    rows = services.follow_up_choose_measures(follow_up=review, actor=world.users.city_staff)

    assert len(rows) == 3
    review.refresh_from_db()
    assert review.sample_size == 0
    assert {row.verdict for row in review.rows.all()} == {""}


def test_a_random_sample_is_recorded(world, review):
    services.follow_up_choose_measures(
        follow_up=review, actor=world.users.city_staff, sample_size=2
    )

    review.refresh_from_db()
    assert review.sample_size == 2
    assert review.rows.count() == 2
    with pytest.raises(TransitionRefused, match="already chosen"):
        services.follow_up_choose_measures(
            follow_up=review, actor=world.users.city_staff, sample_size=1
        )


def test_a_sample_holds_at_least_one(world, review):
    with pytest.raises(InvalidInput):
        services.follow_up_choose_measures(
            follow_up=review, actor=world.users.city_staff, sample_size=0
        )
    assert not review.rows.exists()


@pytest.mark.parametrize("who", ["housing_officer", "supervisor", "county_staff", "other_staff"])
def test_only_staff_in_scope_choose_measures(world, review, who):
    with pytest.raises(PermissionRefused):
        services.follow_up_choose_measures(follow_up=review, actor=getattr(world.users, who))
    assert not review.rows.exists()


# ── Marking: held, rebounded (reopens) ────────────────────────────────────────────────────


def test_a_held_measure_stays_signed_off(world, review):
    row = services.follow_up_choose_measures(follow_up=review, actor=world.users.city_staff)[1]
    services.follow_up_mark(row=row, actor=world.users.city_staff, verdict=Verdict.HELD)

    row.refresh_from_db()
    assert (row.verdict, row.new_due_on, row.checked_by) == (
        Verdict.HELD,
        None,
        world.users.city_staff,
    )
    assert row.measure.status == Status.SIGNED_OFF
    with pytest.raises(TransitionRefused, match="already marked"):
        services.follow_up_mark(row=row, actor=world.users.city_staff, verdict=Verdict.REBOUNDED)


def test_a_rebounded_measure_reopens_with_a_new_due_date_and_the_unit_is_told(world, review):
    row = services.follow_up_choose_measures(follow_up=review, actor=world.users.city_staff)[0]
    Notification.objects.all().delete()

    services.follow_up_mark(
        row=row,
        actor=world.users.city_staff,
        verdict=Verdict.REBOUNDED,
        findings="评审专家仍由业务科室指定",
        new_due_on=later(),
    )

    measure = Measure.objects.get(pk=row.measure_id)
    assert measure.status == Status.IN_PROGRESS
    assert measure.signed_off_on is None
    assert measure.due_on == later()
    assert measure.original_due_on == datetime.date(2026, 6, 30)
    assert (measure.reopen_count, measure.reopened_on) == (1, shanghai_today())
    last = measure.transitions.last()
    assert (last.from_status, last.to_status, last.reason) == (
        Status.SIGNED_OFF,
        Status.IN_PROGRESS,
        "评审专家仍由业务科室指定",
    )
    assert set(Measure.objects.reopened().values_list("pk", flat=True)) == {measure.pk}
    told = dict(
        Notification.objects.filter(kind=Notification.Kind.WORKFLOW).values_list(
            "recipient__username", "title"
        )
    )
    assert set(told) == {"housing_officer", "housing_owner"}
    assert told["housing_owner"] == "整改措施已重新打开：措施1"
    # Back in the ordinary workflow: reported, asked for and signed off again.
    advance(
        measure,
        to=Status.SIGNED_OFF,
        staff=world.users.city_staff,
        officer=world.users.housing_officer,
    )


def test_a_rebounded_standing_measure_reopens_without_a_due_date(world, review):
    row = services.follow_up_choose_measures(follow_up=review, actor=world.users.city_staff)[0]
    Measure.objects.filter(pk=row.measure_id).update(is_standing=True)
    row.measure.refresh_from_db()
    placeholder = row.measure.due_on
    Notification.objects.all().delete()
    mark = {"row": row, "actor": world.users.city_staff, "verdict": Verdict.REBOUNDED}

    with pytest.raises(TransitionRefused, match="reopened without a due date"):
        services.follow_up_mark(**mark, findings="警示教育已停开", new_due_on=later())
    services.follow_up_mark(**mark, findings="警示教育已停开")

    row.refresh_from_db()
    measure = Measure.objects.get(pk=row.measure_id)
    assert (row.verdict, row.new_due_on) == (Verdict.REBOUNDED, None)
    assert (measure.status, measure.due_on, measure.reopen_count) == (
        Status.IN_PROGRESS,
        placeholder,
        1,
    )
    bodies = set(Notification.objects.values_list("body", flat=True))
    assert bodies == {
        "回头看发现整改成果出现反弹，长期坚持措施已重新打开。 发现问题：警示教育已停开"
    }


@pytest.mark.parametrize(
    ("findings", "due", "message"),
    [
        ("", 60, "Describe what rebounded."),
        ("反弹", 0, "Give a new due date after today."),
        ("反弹", None, "Give a new due date after today."),
    ],
)
def test_a_rebound_needs_findings_and_a_new_due_date(world, review, findings, due, message):
    row = services.follow_up_choose_measures(follow_up=review, actor=world.users.city_staff)[0]
    with pytest.raises(TransitionRefused, match=message):
        services.follow_up_mark(
            row=row,
            actor=world.users.city_staff,
            verdict=Verdict.REBOUNDED,
            findings=findings,
            new_due_on=None if due is None else later(due),
        )
    row.refresh_from_db()
    assert row.verdict == ""
    assert Measure.objects.get(pk=row.measure_id).status == Status.SIGNED_OFF


def test_reopen_is_offered_on_signed_off_measures_to_staff_in_scope_only(world, measure_in):
    signed = measure_in(Status.SIGNED_OFF)
    in_progress = measure_in(Status.IN_PROGRESS)

    assert "reopen" in services.available_actions(world.users.city_staff, signed)
    assert "reopen" not in services.available_actions(world.users.city_staff, in_progress)
    for who in ("supervisor", "housing_officer", "county_staff"):
        assert "reopen" not in services.available_actions(getattr(world.users, who), signed)
    with pytest.raises(TransitionRefused, match="Only a signed-off measure can be reopened"):
        services.measure_reopen(
            measure=in_progress, actor=world.users.city_staff, due_on=later(), reason="反弹"
        )
    with pytest.raises(PermissionRefused):
        services.measure_reopen(
            measure=signed, actor=world.users.supervisor, due_on=later(), reason="反弹"
        )


@pytest.mark.parametrize("who", ["housing_officer", "supervisor", "county_staff"])
def test_only_staff_in_scope_mark_measures(world, review, who):
    row = services.follow_up_choose_measures(follow_up=review, actor=world.users.city_staff)[0]
    with pytest.raises(PermissionRefused):
        services.follow_up_mark(row=row, actor=getattr(world.users, who), verdict=Verdict.HELD)


# ── Recording and ending the review ───────────────────────────────────────────────────────


def test_the_review_is_recorded_once_every_measure_is_marked(world, review):
    staff = world.users.city_staff
    first, second, third = services.follow_up_choose_measures(follow_up=review, actor=staff)
    services.follow_up_mark(row=first, actor=staff, verdict=Verdict.HELD)
    with pytest.raises(TransitionRefused, match="Mark every measure"):
        services.follow_up_record(follow_up=review, actor=staff, outcome="consolidated")
    services.follow_up_mark(
        row=second, actor=staff, verdict=Verdict.REBOUNDED, findings="反弹", new_due_on=later()
    )
    services.follow_up_mark(row=third, actor=staff, verdict=Verdict.HELD)
    with pytest.raises(TransitionRefused, match="A measure rebounded"):
        services.follow_up_record(follow_up=review, actor=staff, outcome="consolidated")

    services.follow_up_record(
        follow_up=review, actor=staff, outcome="rebounded", findings="一项措施反弹"
    )

    with pytest.raises(TransitionRefused, match="already recorded"):
        services.follow_up_mark(row=third, actor=staff, verdict=Verdict.HELD)


def test_a_review_ends_with_a_public_notice(world, review):
    staff = world.users.city_staff
    with pytest.raises(TransitionRefused, match="Record the outcome of the review first"):
        services.follow_up_conclude(
            follow_up=review,
            actor=staff,
            kind=Activity.Kind.PUBLIC_NOTICE,
            title="通报",
            held_on=shanghai_today(),
            participant_count=1,
        )
    services.follow_up_record(follow_up=review, actor=staff, outcome="rebounded", findings="反弹")
    with pytest.raises(InvalidInput):
        services.follow_up_conclude(
            follow_up=review,
            actor=staff,
            kind=Activity.Kind.WARNING_EDUCATION,
            title="警示教育",
            held_on=shanghai_today(),
            participant_count=10,
        )
    with pytest.raises(PermissionRefused):
        services.follow_up_conclude(
            follow_up=review,
            actor=world.users.supervisor,
            kind=Activity.Kind.ADMONITION_TALK,
            title="约谈",
            held_on=shanghai_today(),
            participant_count=2,
        )

    activity = services.follow_up_conclude(
        follow_up=review,
        actor=staff,
        kind=Activity.Kind.PUBLIC_NOTICE,
        title="关于市住建局整改反弹问题的通报",
        held_on=shanghai_today(),
        participant_count=1,
    )

    review.refresh_from_db()
    assert review.closing_activity == activity
    assert (activity.unit, activity.recommendation) == (
        world.units.housing,
        review.recommendation,
    )
    with pytest.raises(TransitionRefused, match="already ended"):
        services.follow_up_conclude(
            follow_up=review,
            actor=staff,
            kind=Activity.Kind.ADMONITION_TALK,
            title="约谈",
            held_on=shanghai_today(),
            participant_count=2,
        )
    assert FollowUp.objects.get().outcome == "rebounded"


# ── 整改反弹: flags on new problems ────────────────────────────────────────────────────────


def new_problem(world, *, unit, sector="construction", commission=None, **fields):
    the_case = factories.case(
        case_unit=unit,
        commission=commission or world.units.city,
        created_by=world.users.city_staff,
        sector=sector,
    )
    defaults = {
        "unit": unit,
        "category": Problem.Category.INSTITUTIONAL_GAP,
        "process_stage": ProcessStage.objects.get(name="招投标"),
        "description": "评审专家抽取再次违规",
    }
    return case_services.problem_add(
        case=the_case, actor=world.users.city_staff, **defaults | fields
    )


def test_a_new_problem_like_a_rectified_one_is_flagged(world, closed_letter):
    earlier = Problem.objects.get(recommendation_items__recommendation=closed_letter)

    problem = new_problem(world, unit=world.units.housing)

    flag = ReboundFlag.objects.get()
    assert (flag.problem, flag.earlier_problem, flag.unit, flag.match) == (
        problem,
        earlier,
        world.units.housing,
        ReboundFlag.Match.UNIT,
    )
    assert flag.measure.item.recommendation == closed_letter
    assert list(ReboundFlag.objects.restrict(world.users.city_staff)) == [flag]
    assert list(ReboundFlag.objects.restrict(world.users.supervisor)) == [flag]
    assert not ReboundFlag.objects.restrict(world.users.housing_officer).exists()
    assert not ReboundFlag.objects.restrict(world.users.county_staff).exists()


def test_the_same_sector_elsewhere_is_flagged_as_a_sector_match(world, closed_letter):
    new_problem(world, unit=world.units.education, sector="construction")

    assert ReboundFlag.objects.get().match == ReboundFlag.Match.SECTOR


def test_the_same_sector_under_another_commission_is_not_a_rebound(world, closed_letter):
    new_problem(world, unit=world.units.education, commission=world.units.county)
    assert not ReboundFlag.objects.exists()


def test_the_sector_other_is_no_sector_to_match(world, closed_letter):
    Case.objects.filter(recommendations=closed_letter).update(sector="other")
    new_problem(world, unit=world.units.education, sector="other")
    assert not ReboundFlag.objects.exists()
    new_problem(world, unit=world.units.housing, sector="other")
    assert ReboundFlag.objects.get().match == ReboundFlag.Match.UNIT


def test_no_flag_for_another_stage_sector_or_an_open_measure(world, closed_letter, letter):
    new_problem(world, unit=world.units.health, sector="healthcare")
    other_stage = ProcessStage.objects.exclude(name="招投标")[0]
    new_problem(world, unit=world.units.housing, process_stage=other_stage)
    new_problem(world, unit=world.units.housing, category=Problem.Category.RISK_POINT)
    assert not ReboundFlag.objects.exists()


def test_a_sign_off_older_than_the_lookback_is_not_a_rebound(world, closed_letter, settings):
    Measure.objects.update(signed_off_on=rebounds.lookback_start() - datetime.timedelta(days=1))
    new_problem(world, unit=world.units.housing)
    assert not ReboundFlag.objects.exists()
    settings.REBOUND_LOOKBACK_YEARS = 5
    new_problem(world, unit=world.units.housing)
    assert ReboundFlag.objects.count() == 1


def test_a_corrected_problem_is_compared_afresh(world, closed_letter):
    problem = new_problem(world, unit=world.units.housing)
    assert ReboundFlag.objects.count() == 1

    case_services.problem_update(
        problem=problem, actor=world.users.city_staff, category=Problem.Category.RISK_POINT
    )
    assert not ReboundFlag.objects.exists()


def rebound_notices():
    return Notification.objects.filter(dedupe_key__startswith="rebound:").order_by(
        "recipient__username"
    )


def test_the_commissions_staff_who_read_a_flag_are_told(world, closed_letter):
    colleague = factories.user(Role.DISCIPLINE_STAFF, world.units.city, "city_colleague")
    factories.user(Role.DISCIPLINE_STAFF, world.units.city, "gone", is_active=False)
    Notification.objects.all().delete()

    problem = new_problem(world, unit=world.units.housing)

    flag = ReboundFlag.objects.get()
    notices = list(rebound_notices())
    assert [notice.recipient for notice in notices] == [colleague, world.users.city_staff]
    notice = notices[0]
    assert notice.kind == Notification.Kind.WORKFLOW
    assert notice.title == "疑似整改反弹：长春市住房和城乡建设局"
    assert flag.measure.content in notice.body
    assert notice.link == f"/cases/{problem.case_id}/#problem-{problem.pk}"
    # Neither the unit, the supervisor, nor staff of another commission is told.
    told = {notice.recipient_id for notice in notices}
    assert not told & {
        world.users.housing_officer.pk,
        world.users.supervisor.pk,
        world.users.county_staff.pk,
    }


def test_a_problem_flagged_again_against_the_same_one_tells_nobody_twice(world, closed_letter):
    problem = new_problem(world, unit=world.units.housing)
    assert rebound_notices().count() == 1

    case_services.problem_update(
        problem=problem, actor=world.users.city_staff, description="评审专家抽取仍然违规"
    )

    assert ReboundFlag.objects.count() == 1
    assert rebound_notices().count() == 1


def test_no_flag_tells_nobody(world, closed_letter):
    new_problem(world, unit=world.units.health, sector="healthcare")
    assert not rebound_notices().exists()


def test_staff_who_cannot_read_the_flag_are_not_told(world, closed_letter):
    """A case of the housing bureau handled by the county: the county's staff cannot read the
    city's problems, so only the staff who logged the case (city staff) is told."""
    new_problem(world, unit=world.units.housing, commission=world.units.county)

    assert ReboundFlag.objects.count() == 1
    assert not ReboundFlag.objects.restrict(world.users.county_staff).exists()
    told = list(rebound_notices().values_list("recipient__username", flat=True))
    assert told == ["city_staff"]


def test_a_groups_case_beyond_its_posting_tells_the_commission_it_belongs_to(world, closed_letter):
    """The dispatched group handles a case of the housing bureau (where it is not posted): its
    staff cannot read the flag, the city commission's staff can and are told."""
    the_case = factories.case(
        case_unit=world.units.housing,
        commission=world.units.group,
        created_by=world.users.group_staff,
        sector="construction",
    )
    case_services.problem_add(
        case=the_case,
        actor=world.users.city_staff,
        unit=world.units.housing,
        category=Problem.Category.INSTITUTIONAL_GAP,
        process_stage=ProcessStage.objects.get(name="招投标"),
        description="评审专家抽取再次违规",
    )

    assert ReboundFlag.objects.count() == 1
    assert list(rebound_notices().values_list("recipient__username", flat=True)) == ["city_staff"]


def test_flagging_costs_the_same_queries_for_one_match_or_three(world, closed_letter):
    earlier = Problem.objects.get(recommendation_items__recommendation=closed_letter)
    first = new_problem(world, unit=world.units.housing)
    Notification.objects.all().delete()  # each run below tells afresh
    with CaptureQueriesContext(connection) as one_match:
        rebounds.detect([first])

    item = earlier.recommendation_items.get()
    for number in range(2):
        item.problems.add(
            Problem.objects.create(
                case=earlier.case,
                unit=earlier.unit,
                category=earlier.category,
                process_stage=earlier.process_stage,
                description=f"同类问题{number}",
            )
        )
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as three_matches:
        flags = rebounds.detect([first])

    assert len(flags) == 3
    assert rebound_notices().count() == 3
    assert len(three_matches) == len(one_match)


def test_a_problem_list_is_flagged_together_alike_problems_matched_once(world, closed_letter):
    """A case's list recorded at once (``ProblemList``): each problem is flagged as it would be
    alone, the problems alike are matched by one query, and each case's staff are told of its
    own flags."""
    earlier = Problem.objects.get(recommendation_items__recommendation=closed_letter)
    first_case, second_case = (
        factories.case(
            case_unit=world.units.housing,
            commission=world.units.city,
            created_by=world.users.city_staff,
            sector="construction",
        )
        for _ in range(2)
    )
    alike = {
        "unit": world.units.housing,
        "category": earlier.category,
        "process_stage": earlier.process_stage,
    }
    other_stage = ProcessStage.objects.exclude(pk=earlier.process_stage_id).first()
    problems = case_services.ProblemList(world.users.city_staff)
    for number in range(5):
        problems.add(case=first_case, description=f"评审专家抽取违规{number}", **alike)
    problems.add(case=second_case, description="同类问题", **alike)
    problems.add(case=second_case, description="另一环节", **alike | {"process_stage": other_stage})
    Notification.objects.all().delete()

    with CaptureQueriesContext(connection) as queries:
        saved = problems.save()

    flags = ReboundFlag.objects.order_by("problem_id")
    assert [flag.problem for flag in flags] == saved[:6]
    assert {(flag.earlier_problem, flag.match) for flag in flags} == {
        (earlier, ReboundFlag.Match.UNIT)
    }
    matching = [q for q in queries if q["sql"].startswith('SELECT "cases_problem"."id"')]
    assert len(matching) == 3  # one a kind of problem in a case: two kinds in the second
    told = {notice.link for notice in rebound_notices()}
    assert told == {
        f"{reverse('cases:detail', args=[problem.case_id])}#problem-{problem.pk}"
        for problem in saved[:6]
    }
