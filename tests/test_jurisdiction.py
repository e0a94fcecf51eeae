"""``Model.objects.restrict(user)`` for every model and every role, inside and outside jurisdiction.

One full loop (case → … → evaluation, plus a draft) is built in each of four units: 住建局 and
卫健委 (city), 教育局 (county, inside the city), 水利局 (another city). Each user must see exactly
the rows of the units their jurisdiction covers, and only the kinds of rows their role may read.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Notification, OrgUnit, User
from accounts.roles import Role
from cases.models import Case, CaseAnalysis, Problem, Subject
from recommendations.models import (
    Evaluation,
    Recommendation,
    RecommendationItem,
    RecommendationTransition,
    Reply,
)
from reforms.models import (
    Activity,
    Evidence,
    ExtensionRequest,
    FollowUp,
    Measure,
    MeasureTransition,
    ProgressReport,
    RuleChange,
)

from . import factories

CITY = {"housing", "health", "education"}
ALL_UNITS = CITY | {"water"}
# The units each user's jurisdiction covers (the group is posted to 卫健委).
JURISDICTION = {
    "city_staff": CITY,
    "supervisor": CITY,
    "county_staff": {"education"},
    "county_supervisor": {"education"},
    "group_staff": {"health"},
    "other_staff": {"water"},
    "housing_officer": {"housing"},
    "health_officer": {"health"},
    "system_admin": set(),
    "security_admin": set(),
    "audit_admin": set(),
}
READERS = {"city_staff", "supervisor", "county_staff", "county_supervisor", "group_staff"}
READERS |= {"other_staff"}
OFFICERS = {"housing_officer", "health_officer"}

CASE_CONTENT = [Case, Subject, CaseAnalysis, Problem]
LOOP_RECORDS = [
    RecommendationTransition,
    Reply,
    Evaluation,
    Measure,
    MeasureTransition,
    ProgressReport,
    Evidence,
    ExtensionRequest,
    RuleChange,
    Activity,
    FollowUp,
]
EVERY_SCOPED_MODEL = [*CASE_CONTENT, Recommendation, RecommendationItem, *LOOP_RECORDS]
ON = datetime.date(2026, 3, 1)


def build_loop(world, unit_key: str) -> SimpleNamespace:
    """Every kind of row, attached to one unit, built directly (scoping, not transitions)."""
    unit = getattr(world.units, unit_key)
    commission = OrgUnit.objects.get_parent(unit)
    staff = {"water": world.users.other_staff, "education": world.users.county_staff}.get(
        unit_key, world.users.city_staff
    )
    case = factories.case(case_unit=unit, commission=commission, created_by=staff)
    Subject.objects.create(case=case, name="张某", is_top_leader=True)
    CaseAnalysis.objects.create(case=case, root_causes="权力过于集中", author=staff)
    draft = factories.draft_recommendation(staff=staff, the_case=case)
    issued = factories.issued_recommendation(staff=staff, the_case=case)
    Reply.objects.create(recommendation=issued, content="整改情况报告", submitted_by=staff)
    Evaluation.objects.create(
        recommendation=issued,
        method=Evaluation.Method.WRITTEN,
        score=90,
        rating=Evaluation.Rating.GOOD,
        evaluated_by=staff,
        evaluated_on=ON,
    )
    measure = factories.measure(recommendation=issued, actor=staff)
    MeasureTransition.objects.create(
        measure=measure, from_status="not_started", to_status="in_progress", actor=staff
    )
    report = ProgressReport.objects.create(measure=measure, content="已完成", reported_by=staff)
    Evidence.objects.create(
        measure=measure,
        progress_report=report,
        file="evidence/x.pdf",
        original_name="x.pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=staff,
    )
    ExtensionRequest.objects.create(
        measure=measure,
        previous_due_on=measure.due_on,
        requested_due_on=measure.due_on + datetime.timedelta(days=30),
        reason="等待上级文件",
        requested_by=staff,
    )
    RuleChange.objects.create(
        unit=unit, kind=RuleChange.Kind.ESTABLISHED, title="招投标管理办法", created_by=staff
    )
    Activity.objects.create(
        unit=unit,
        kind=Activity.Kind.WARNING_EDUCATION,
        title="警示教育大会",
        held_on=ON,
        created_by=staff,
    )
    FollowUp.objects.create(recommendation=issued, scheduled_on=ON, created_by=staff)
    return SimpleNamespace(case=case, draft=draft, issued=issued)


@pytest.fixture
def loops(world):
    return {key: build_loop(world, key) for key in sorted(ALL_UNITS)}


def unit_of(row) -> str:
    """Which of the four units a row belongs to (by the case number that started its loop)."""
    for path in UNIT_PATHS:
        target = row
        for step in path:
            target = getattr(target, step, None)
            if target is None:
                break
        else:
            return target
    raise AssertionError(f"no unit for {row!r}")


UNIT_PATHS = [
    ("case_unit",),
    ("case", "case_unit"),
    ("recipient_unit",),
    ("recommendation", "recipient_unit"),
    ("unit",),
    ("measure", "unit"),
]


def visible_units(model, user, world) -> set[str]:
    names = {getattr(world.units, key).pk: key for key in ALL_UNITS}
    return {names[unit_of(row).pk] for row in model.objects.restrict(user)}


def expected_units(model, username) -> set[str]:
    if username in READERS:
        return JURISDICTION[username]
    if username in OFFICERS and model not in CASE_CONTENT:
        return JURISDICTION[username]
    return set()


@pytest.mark.parametrize("model", EVERY_SCOPED_MODEL)
def test_each_user_sees_exactly_their_jurisdiction(world, loops, model):
    seen = {name: visible_units(model, getattr(world.users, name), world) for name in JURISDICTION}

    assert seen == {name: expected_units(model, name) for name in JURISDICTION}


@pytest.mark.parametrize("username", sorted(READERS | OFFICERS))
def test_drafts_are_for_discipline_staff_and_supervisors_only(world, loops, username):
    user = getattr(world.users, username)
    visible = set(Recommendation.objects.restrict(user))
    drafts = {loop.draft for loop in loops.values()} & visible
    items = RecommendationItem.objects.restrict(user).filter(recommendation__status="draft")

    if username in OFFICERS:
        assert not drafts and not items.exists()
    else:
        assert {d.recipient_unit for d in drafts} == {
            getattr(world.units, key) for key in JURISDICTION[username]
        }


def test_nobody_signed_out_or_inactive_sees_anything(world, loops):
    inactive = world.users.city_staff
    inactive.is_active = False
    inactive.save()

    for model in [*EVERY_SCOPED_MODEL, OrgUnit, User, Notification]:
        assert not model.objects.restrict(AnonymousUser()).exists(), model
        assert not model.objects.restrict(inactive).exists(), model


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("city_staff", {"长春市纪委监委", "长春市住房和城乡建设局", "市住建局质量监督站"}),
        ("county_staff", {"朝阳区纪委监委", "朝阳区教育局"}),
        ("group_staff", {"派驻市卫健委纪检监察组", "长春市卫生健康委员会"}),
        ("housing_officer", {"长春市住房和城乡建设局", "市住建局质量监督站"}),
        ("audit_admin", set()),
    ],
)
def test_the_org_tree_is_cut_at_the_users_node(world, username, expected):
    visible = {unit.name for unit in OrgUnit.objects.restrict(getattr(world.users, username))}

    assert expected <= visible
    assert "吉林市水利局" not in visible
    if username == "county_staff":
        assert "长春市住房和城乡建设局" not in visible


@pytest.mark.parametrize("username", ["system_admin", "security_admin"])
def test_account_admins_see_the_whole_tree_and_every_account(world, username):
    user = getattr(world.users, username)

    assert OrgUnit.objects.restrict(user).count() == OrgUnit.objects.count()
    assert User.objects.restrict(user).count() == User.objects.count()


def test_others_see_the_accounts_of_their_jurisdiction_only(world):
    county = {u.username for u in User.objects.restrict(world.users.county_staff)}
    audit = {u.username for u in User.objects.restrict(world.users.audit_admin)}

    assert county == {"county_staff", "county_supervisor"}
    assert audit == {"audit_admin"}


def test_notifications_are_private(world):
    Notification.objects.create(recipient=world.users.city_staff, title="到期提醒")

    assert Notification.objects.restrict(world.users.city_staff).count() == 1
    assert not Notification.objects.restrict(world.users.supervisor).exists()


@pytest.mark.parametrize("model", [*CASE_CONTENT, Recommendation, *LOOP_RECORDS])
def test_the_view_permission_agrees_with_the_scope(world, loops, model):
    """``has_perm("app.view_model", obj)`` (rules) answers as ``restrict`` does, row by row."""
    perm = f"{model._meta.app_label}.view_{model._meta.model_name}"
    for user in User.objects.filter(username__in=JURISDICTION):
        visible = set(model.objects.restrict(user).values_list("pk", flat=True))
        for row in model.objects.all():
            assert user.has_perm(perm, row) == (row.pk in visible), (user, perm, row.pk)


def test_the_separated_admins_hold_no_case_permissions(world, housing_case):
    for username in ("system_admin", "security_admin", "audit_admin"):
        user = getattr(world.users, username)
        assert user.role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
        assert not user.has_perm("cases.view_case", housing_case)
        assert not user.has_perm("cases.change_case", housing_case)
