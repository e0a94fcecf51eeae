"""``Model.objects.restrict(user)`` as a table: every model × every viewer → the exact rows seen.

One row of every kind is built in each of five units (a draft recommendation and its item too):

    住建局 ``housing`` and its 质量监督站 ``station`` (a unit below a unit), 卫健委 ``health`` (the
    group is posted to it), 教育局 ``education`` (county, inside the city), 水利局 ``water``
    (another city, outside everyone's jurisdiction but other_staff's).

A row is labelled by its unit (``"housing"``), a draft or a draft's item by ``"housing/draft"``.
The tables below say which labels each viewer must see; the tests compare them with ``restrict``,
with the rules ``view`` permission and with the ``in_scope`` predicate, row by row.
"""

import datetime
import itertools
from types import SimpleNamespace

import pytest
import rules
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import OrgUnit, User
from accounts.roles import Role, in_scope
from accounts.scoping import ScopedQuerySet
from cases.models import Case, CaseAnalysis, Problem, ProblemTally, Subject, TypicalCase
from core.domain import shanghai_today
from crosscase.models import CrossCaseAnalysis
from negativelists.models import NegativeList, NegativeListCheck, NegativeListEntry
from recommendations.models import (
    Evaluation,
    EvaluationSession,
    EvaluationTemplate,
    IndicatorScore,
    ItemTally,
    PanelMember,
    Recommendation,
    RecommendationItem,
    RecommendationTransition,
    Reply,
)
from reforms import tally
from reforms.models import (
    Activity,
    Evidence,
    ExtensionRequest,
    FollowUp,
    FollowUpMeasure,
    Measure,
    MeasureTally,
    MeasureTransition,
    ProgressReport,
    ReboundFlag,
    ReconciliationRound,
    ReconciliationRow,
    ReconciliationSchedule,
    RuleChange,
    UnitTally,
    UrgingNotice,
)

from . import factories
from .conftest import build_world, built_once

ON = datetime.date(2026, 3, 1)

# ---------------------------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------------------------

ROW_UNITS = ("housing", "station", "health", "education", "water")
ALL_NODES = frozenset(
    {"city", "housing", "station", "health", "group", "county", "education", "other_city", "water"}
)
CITY_TREE = ALL_NODES - {"other_city", "water"}

# Who looks. Besides the world's users: an officer of the station (a unit below a unit), an
# inactive discipline staff of the city, a superuser with no role, and nobody signed in.
VIEWERS = (
    "city_staff",
    "county_staff",
    "group_staff",
    "other_staff",
    "supervisor",
    "county_supervisor",
    "housing_officer",
    "health_officer",
    "station_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
    "inactive",
    "anonymous",
    "superuser",
)
OFFICERS = frozenset({"housing_officer", "health_officer", "station_officer"})
ACCOUNT_ADMINS = frozenset({"system_admin", "security_admin"})

# The org nodes each viewer's jurisdiction covers: their node's subtree, plus for a dispatched
# group the subtrees of the units it is posted to.
JURISDICTION = {
    "city_staff": CITY_TREE,
    "supervisor": CITY_TREE,
    "county_staff": {"county", "education"},
    "county_supervisor": {"county", "education"},
    "group_staff": {"group", "health"},
    "other_staff": {"other_city", "water"},
    "housing_officer": {"housing", "station"},
    "health_officer": {"health"},
    "station_officer": {"station"},
    "system_admin": CITY_TREE,
    "security_admin": CITY_TREE,
    "audit_admin": CITY_TREE,
    "inactive": CITY_TREE,
    "anonymous": set(),
    "superuser": set(),
}

# The org nodes each viewer sees through ``OrgUnit.objects.restrict``.
ORG_UNITS_SEEN = {
    **{name: JURISDICTION[name] for name in VIEWERS},
    "system_admin": ALL_NODES,
    "security_admin": ALL_NODES,
    "superuser": ALL_NODES,
    "audit_admin": set(),
    "inactive": set(),
}

# The row units whose content each viewer sees (before the role filters below).
CONTENT_SEEN = {
    "city_staff": {"housing", "station", "health", "education"},
    "supervisor": {"housing", "station", "health", "education"},
    "county_staff": {"education"},
    "county_supervisor": {"education"},
    "group_staff": {"health"},
    "other_staff": {"water"},
    "housing_officer": {"housing", "station"},
    "health_officer": {"health"},
    "station_officer": {"station"},
    "system_admin": set(),
    "security_admin": set(),
    "audit_admin": set(),
    "inactive": set(),
    "anonymous": set(),
    "superuser": set(ROW_UNITS),
}

# Where each account lives (the rows of ``User``).
HOMES = {
    "city_staff": "city",
    "county_staff": "county",
    "group_staff": "group",
    "other_staff": "other_city",
    "supervisor": "city",
    "county_supervisor": "county",
    "housing_officer": "housing",
    "health_officer": "health",
    "station_officer": "station",
    "system_admin": "city",
    "security_admin": "city",
    "audit_admin": "city",
    "inactive": "city",
    "superuser": None,
}

CASE_CONTENT = (
    Case,
    Subject,
    CaseAnalysis,
    Problem,
    ProblemTally,
    ReboundFlag,
    TypicalCase,
    CrossCaseAnalysis,
)
DRAFTABLE = (Recommendation, RecommendationItem, ItemTally)
LOOP_RECORDS = (
    RecommendationTransition,
    Reply,
    Evaluation,
    Measure,
    MeasureTally,
    UnitTally,
    MeasureTransition,
    ProgressReport,
    Evidence,
    ExtensionRequest,
    RuleChange,
    Activity,
    FollowUp,
    UrgingNotice,
    ReconciliationRound,
    ReconciliationRow,
    ReconciliationSchedule,
    FollowUpMeasure,
    EvaluationSession,
    PanelMember,
)
# An evaluator's scores: case readers in scope once the session is concluded (each evaluator reads
# their own before, tests/recommendations/test_evaluation_services.py); never the unit.
PANEL_BALLOTS = (IndicatorScore,)
# 负面清单: the unit's own rules, read by its officer (drafts too) and the case readers in scope.
NEGATIVE_LISTS = (NegativeList, NegativeListEntry, NegativeListCheck)
CONTENT_MODELS = (*CASE_CONTENT, *DRAFTABLE, *LOOP_RECORDS, *PANEL_BALLOTS, *NEGATIVE_LISTS)
EVERY_MODEL = (OrgUnit, User, *CONTENT_MODELS)


def expected_labels(model, viewer: str) -> set[str]:
    """The labels of the rows of ``model`` that ``viewer`` must see."""
    if model is OrgUnit:
        return set(ORG_UNITS_SEEN[viewer])
    if model is User:
        if viewer in ACCOUNT_ADMINS | {"superuser"}:
            return set(HOMES)
        if viewer == "audit_admin":
            return {"audit_admin"}
        if viewer in {"inactive", "anonymous"}:
            return set()
        return {name for name, home in HOMES.items() if home in JURISDICTION[viewer]}
    if viewer in OFFICERS and model in (*CASE_CONTENT, *PANEL_BALLOTS):
        return set()  # case content is confidential; ballots are the panel's
    units = CONTENT_SEEN[viewer]
    labels = set(units)
    if model in DRAFTABLE and viewer not in OFFICERS:
        labels |= {f"{unit}/draft" for unit in units}
    return labels


def expected_view_perm(model, viewer: str, label: str) -> bool:
    """``has_perm("app.view_model", row)``: the scope, narrowed by role where rules.py says so."""
    if viewer == "superuser":
        return True  # Django grants an active superuser every permission
    visible = label in expected_labels(model, viewer)
    if model is User:
        return visible and viewer in ACCOUNT_ADMINS  # accounts are read in the back office
    return visible


# ---------------------------------------------------------------------------------------------
# The rows
# ---------------------------------------------------------------------------------------------

_serial = itertools.count(1)


def build_rows(world, key: str, commission: OrgUnit) -> dict:
    """One row of every content model attached to one unit, built directly (no services)."""
    unit = getattr(world.units, key)
    staff = world.users.city_staff
    rows = {}
    case = factories.case(case_unit=unit, commission=commission, created_by=staff)
    rows[Case] = {key: case}
    rows[Subject] = {key: Subject.objects.create(case=case, name="张某", is_top_leader=True)}
    rows[CaseAnalysis] = {
        key: CaseAnalysis.objects.create(case=case, root_causes="权力过于集中", author=staff)
    }
    problem = factories.problem(case)
    rows[Problem] = {key: problem}
    rows[ProblemTally] = {key: ProblemTally.objects.get(case_unit=unit, unit=unit)}
    rows[TypicalCase] = {
        key: TypicalCase.objects.create(
            case=case, reasons=["warning"], marked_by=staff, marked_at=timezone.now()
        )
    }

    rows[CrossCaseAnalysis] = {  # 类案分析 of the unit's jurisdiction: case content
        key: CrossCaseAnalysis.objects.create(
            title="类案分析", unit=unit, mode=CrossCaseAnalysis.Mode.CRITERIA, created_by=staff
        )
    }

    draft = Recommendation.objects.create(
        title="关于推进以案促改工作的纪检监察建议（草稿）",
        issuer=commission,
        recipient_unit=unit,
        created_by=staff,
    )
    serial = next(_serial)
    issued = Recommendation.objects.create(
        title="关于推进以案促改工作的纪检监察建议",
        issuer=commission,
        recipient_unit=unit,
        status=Recommendation.Status.RECTIFYING,
        doc_year=2026,
        doc_serial=serial,
        doc_number=f"长纪建〔2026〕{serial}号",
        issued_on=datetime.date(2026, 1, 5),
        reply_due_on=datetime.date(2026, 12, 31),
        created_by=staff,
    )
    issued.cases.add(case)
    draft.cases.add(case)
    rows[Recommendation] = {key: issued, f"{key}/draft": draft}
    item = RecommendationItem.objects.create(recommendation=issued, number=1, content="建立制度")
    item.problems.add(problem)
    draft_item = RecommendationItem.objects.create(
        recommendation=draft, number=1, content="建立制度"
    )
    rows[RecommendationItem] = {key: item, f"{key}/draft": draft_item}
    tallies = ItemTally.objects.filter(unit=unit)
    rows[ItemTally] = {key: tallies.get(draft=False), f"{key}/draft": tallies.get(draft=True)}
    rows[RecommendationTransition] = {
        key: RecommendationTransition.objects.create(
            recommendation=issued, from_status="draft", to_status="issued", actor=staff
        )
    }
    rows[Reply] = {
        key: Reply.objects.create(recommendation=issued, content="整改报告", submitted_by=staff)
    }
    rows[Evaluation] = {
        key: Evaluation.objects.create(
            recommendation=issued,
            method=Evaluation.Method.WRITTEN,
            score=90,
            rating=Evaluation.Rating.GOOD,
            evaluated_by=staff,
            evaluated_on=ON,
        )
    }
    rows[FollowUp] = {
        key: FollowUp.objects.create(recommendation=issued, scheduled_on=ON, created_by=staff)
    }
    session = EvaluationSession.objects.create(
        recommendation=issued,
        template=EvaluationTemplate.objects.get(),
        scheduled_on=ON,
        status=EvaluationSession.Status.CONCLUDED,
        opened_by=staff,
    )
    rows[EvaluationSession] = {key: session}
    member = PanelMember.objects.create(session=session, user=staff, added_by=staff)
    rows[PanelMember] = {key: member}
    rows[IndicatorScore] = {
        key: IndicatorScore.objects.create(
            member=member, indicator=session.template.indicators.first(), score=8
        )
    }

    measure = Measure.objects.create(
        item=item,
        content="修订招投标管理办法",
        standard="印发新办法",
        department="办公室",
        owner_name="李明",
        leader_name="王局长",
        original_due_on=datetime.date(2026, 6, 30),
        due_on=datetime.date(2026, 6, 30),
        created_by=staff,
    )
    assert measure.unit == unit
    rows[Measure] = {key: measure}
    rows[MeasureTally] = {key: MeasureTally.objects.get(unit=unit)}
    rows[UnitTally] = {key: UnitTally.objects.get(unit=unit)}
    rows[MeasureTransition] = {
        key: MeasureTransition.objects.create(
            measure=measure, from_status="not_started", to_status="in_progress", actor=staff
        )
    }
    report = ProgressReport.objects.create(measure=measure, content="已完成", reported_by=staff)
    rows[ProgressReport] = {key: report}
    rows[Evidence] = {
        key: Evidence.objects.create(
            measure=measure,
            progress_report=report,
            file="evidence/x.pdf",
            original_name="x.pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by=staff,
        )
    }
    rows[ExtensionRequest] = {
        key: ExtensionRequest.objects.create(
            measure=measure,
            previous_due_on=measure.due_on,
            requested_due_on=measure.due_on + datetime.timedelta(days=30),
            reason="等待上级文件",
            requested_by=staff,
        )
    }
    rows[RuleChange] = {
        key: RuleChange.objects.create(
            unit=unit, kind=RuleChange.Kind.ESTABLISHED, title="招投标管理办法", created_by=staff
        )
    }
    rows[Activity] = {
        key: Activity.objects.create(
            unit=unit,
            kind=Activity.Kind.WARNING_EDUCATION,
            title="警示教育大会",
            held_on=ON,
            created_by=staff,
        )
    }
    rows[UrgingNotice] = {
        key: UrgingNotice.objects.create(
            number=f"督办〔2026〕{measure.pk}号",
            year=2026,
            serial=measure.pk,
            unit=unit,
            measure=measure,
            due_on=measure.due_on,
            days_overdue=31,
            issued_on=ON,
        )
    }
    round_ = ReconciliationRound.objects.create(
        scope=ReconciliationRound.Scope.RECOMMENDATION,
        recommendation=issued,
        unit=unit,
        as_of=ON,
        answer_due_on=ON,
        opened_by=staff,
    )
    rows[ReconciliationRound] = {key: round_}
    rows[ReconciliationSchedule] = {
        key: ReconciliationSchedule.objects.create(
            scope=ReconciliationRound.Scope.UNIT,
            unit=unit,
            frequency=ReconciliationSchedule.Frequency.MONTHLY,
            created_by=staff,
        )
    }
    rows[FollowUpMeasure] = {
        key: FollowUpMeasure.objects.create(follow_up=rows[FollowUp][key], measure=measure)
    }
    rows[ReboundFlag] = {  # a flag speaks of problems: read as they are
        key: ReboundFlag.objects.create(
            problem=problem,
            earlier_problem=problem,
            measure=measure,
            unit=problem.unit,
            match=ReboundFlag.Match.UNIT,
        )
    }
    rows[ReconciliationRow] = {
        key: ReconciliationRow.objects.create(
            round=round_,
            measure=measure,
            snapshot_status=Measure.Status.IN_PROGRESS,
            snapshot_due_on=measure.due_on,
            snapshot_signal="green",
        )
    }
    negative_list = NegativeList.objects.create(
        unit=unit,
        tier=NegativeList.Tier.PARTY_MEMBERS,
        title="党员干部负面清单",
        status=NegativeList.Status.PUBLISHED,
        published_on=ON,
        created_by=staff,
    )
    rows[NegativeList] = {key: negative_list}
    rows[NegativeListEntry] = {
        key: NegativeListEntry.objects.create(
            negative_list=negative_list, number=1, requirement="严禁插手干预工程招投标"
        )
    }
    rows[NegativeListCheck] = {
        key: NegativeListCheck.objects.create(
            negative_list=negative_list, checked_on=ON, checked_by=staff, finding="执行良好"
        )
    }
    return rows


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world and the table, built once for the module (each test runs in a savepoint)."""
    with built_once(django_db_blocker, tmp_path_factory):
        world = build_world()
        yield SimpleNamespace(world=world, table=build_table(world))


@pytest.fixture
def world(built, db):
    return built.world


@pytest.fixture
def table(built, db):
    """``{model: {label: row}}`` for every model, and ``{viewer: user}`` for every viewer."""
    return built.table


def build_table(world):
    units = world.units
    factories.user(Role.UNIT_OFFICER, units.station, "station_officer")
    factories.user(Role.DISCIPLINE_STAFF, units.city, "inactive", is_active=False)
    User.objects.create_superuser("superuser", password=factories.PASSWORD)

    commissions = {
        "housing": units.city,
        "station": units.city,
        "health": units.group,
        "education": units.county,
        "water": units.other_city,
    }
    rows = {model: {} for model in CONTENT_MODELS}
    tally.roll(shanghai_today())  # so that the triggers count each unit's measure
    for key in ROW_UNITS:
        for model, labelled in build_rows(world, key, commissions[key]).items():
            rows[model].update(labelled)
    rows[OrgUnit] = {key: OrgUnit.objects.get(pk=getattr(units, key).pk) for key in ALL_NODES}
    rows[User] = {user.username: user for user in User.objects.all()}
    assert set(rows[User]) == set(HOMES)
    assert {name: user.org_unit_id for name, user in rows[User].items()} == {
        name: home and getattr(units, home).pk for name, home in HOMES.items()
    }

    # Fresh instances, so no jurisdiction is cached from building the rows.
    viewers = {name: User.objects.get(username=name) for name in VIEWERS if name != "anonymous"}
    viewers["anonymous"] = AnonymousUser()
    return rows, viewers


def visible_labels(rows: dict, model, user) -> set[str]:
    scoped = model.objects.restrict(user)
    pks = list(scoped.values_list("pk", flat=True))
    assert len(pks) == len(set(pks)), f"{model.__name__}.restrict returns duplicates"
    labels = {row.pk: label for label, row in rows[model].items()}
    assert set(pks) <= set(labels), f"{model.__name__}.restrict returns rows not built here"
    return {labels[pk] for pk in pks}


# ---------------------------------------------------------------------------------------------
# restrict
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("model", EVERY_MODEL, ids=lambda model: model.__name__)
def test_restrict_shows_exactly_the_expected_rows(table, model, viewer):
    rows, viewers = table

    assert visible_labels(rows, model, viewers[viewer]) == expected_labels(model, viewer)


def test_the_table_has_rows_inside_and_outside_every_jurisdiction(table):
    """Every reader and officer sees some rows and not others, so each test can fail both ways."""
    rows, _viewers = table
    for viewer in VIEWERS:
        for model in EVERY_MODEL:
            assert expected_labels(model, viewer) <= set(rows[model]), (model, viewer)
    for viewer in OFFICERS | {"city_staff", "county_staff", "group_staff", "other_staff"}:
        assert set() < CONTENT_SEEN[viewer] < set(ROW_UNITS), viewer


def test_every_scoped_model_is_in_the_table():
    """A new model with ``restrict`` must join this table (notifications are per recipient)."""
    scoped = {
        model
        for model in apps.get_models()
        if hasattr(model._default_manager, "restrict") and model._meta.app_label != "auth"
    }
    from audit.models import AuditEntry, AuditVerification
    from campaigns.models import (
        Campaign,
        CampaignAnswer,
        CampaignItem,
        CampaignUnit,
        SpotCheckFinding,
    )
    from notifications.models import Notification
    from oversight.models import DocumentJob  # per user who asked (test_downloads.py)
    from recommendations.models import ImportJob  # per user who started it (tests/test_excel.py)

    # The audit log and its verifications: the audit administrator's alone (tests/audit/).
    audit = {AuditEntry, AuditVerification}
    # A campaign is seen by its targets' officers once launched, whatever their unit's place in
    # the tree: tests/campaigns/test_services.py walks each role in and out of scope; a
    # cross-inspection's rows, answers and spot checks (its inspectors' officers see some of them)
    # tests/campaigns/test_cross_inspection.py.
    campaigns = {Campaign, CampaignItem, CampaignUnit, CampaignAnswer, SpotCheckFinding}
    assert scoped == {*EVERY_MODEL, Notification, ImportJob, DocumentJob, *audit, *campaigns}


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda model: model.__name__)
def test_each_queryset_reaches_an_org_unit(model):
    queryset = model.objects.all()
    assert isinstance(queryset, ScopedQuerySet)
    target = model
    for step in queryset.unit_lookup.split("__"):
        target = target._meta.get_field(step).related_model
    assert target is OrgUnit


@pytest.mark.parametrize("model", CASE_CONTENT, ids=lambda model: model.__name__)
def test_officers_never_see_case_content(model):
    assert model.objects.all().officer_visible is None


def test_officers_see_no_draft():
    assert Recommendation.objects.all().officer_visible is not None
    assert RecommendationItem.objects.all().officer_visible is not None


def test_a_second_posting_widens_the_groups_jurisdiction(table, world):
    rows, _viewers = table
    world.units.group.posted_to.add(world.units.education)
    group_staff = User.objects.get(username="group_staff")

    assert visible_labels(rows, Measure, group_staff) == {"health", "education"}
    assert visible_labels(rows, Recommendation, group_staff) == {
        "health",
        "health/draft",
        "education",
        "education/draft",
    }
    assert visible_labels(rows, OrgUnit, group_staff) == {"group", "health", "education"}


def test_a_user_without_a_role_sees_no_case_content(table, world):
    rows, _viewers = table
    nobody = factories.user("", world.units.city, "nobody")

    for model in CONTENT_MODELS:
        assert not model.objects.restrict(nobody).exists(), model
        for row in rows[model].values():
            perm = f"{model._meta.app_label}.view_{model._meta.model_name}"
            assert not nobody.has_perm(perm, row), (perm, row)


def test_a_user_without_a_role_sees_no_org_node_and_only_their_own_account(table, world):
    nobody = factories.user("", world.units.city, "nobody")

    assert not OrgUnit.objects.restrict(nobody).exists()
    assert list(User.objects.restrict(nobody)) == [nobody]


# ---------------------------------------------------------------------------------------------
# Permissions and in_scope
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", EVERY_MODEL, ids=lambda model: model.__name__)
def test_the_view_permission_agrees_with_restrict(table, model):
    """``user.has_perm("app.view_model", row)`` for every viewer and every row of the model."""
    rows, viewers = table
    perm = f"{model._meta.app_label}.view_{model._meta.model_name}"
    assert rules.perm_exists(perm)
    answers = {
        (viewer, label): viewers[viewer].has_perm(perm, row)
        for viewer in VIEWERS
        for label, row in rows[model].items()
    }

    assert answers == {
        (viewer, label): expected_view_perm(model, viewer, label)
        for viewer in VIEWERS
        for label in rows[model]
    }


@pytest.mark.parametrize("model", EVERY_MODEL, ids=lambda model: model.__name__)
def test_in_scope_is_restrict_row_by_row(table, model):
    rows, viewers = table
    answers = {
        (viewer, label): in_scope.test(viewers[viewer], row)
        for viewer in VIEWERS
        for label, row in rows[model].items()
    }

    assert answers == {
        (viewer, label): label in expected_labels(model, viewer)
        for viewer in VIEWERS
        for label in rows[model]
    }


@pytest.mark.parametrize("viewer", VIEWERS)
def test_in_scope_holds_for_model_level_checks(table, viewer):
    _rows, viewers = table

    assert in_scope.test(viewers[viewer], None)


@pytest.mark.parametrize("viewer", ["system_admin", "security_admin", "audit_admin"])
def test_the_separated_admins_hold_no_permission_on_case_content(table, viewer):
    rows, viewers = table
    user = viewers[viewer]
    for model in CONTENT_MODELS:
        for action in ("view", "change", "delete"):
            perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
            if not rules.perm_exists(perm):
                continue
            for row in rows[model].values():
                assert not user.has_perm(perm, row), (viewer, perm, row)
