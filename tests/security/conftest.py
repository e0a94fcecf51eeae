"""One scene for the hostile-input tests, built once per module and rolled back after it.

The world of ``tests/conftest.py`` (one user per role), the housing bureau's records carried through
the whole loop (``inside``: in the city commission's jurisdiction) and the same in 吉林市水利局
(``outside``: nobody in the city may see them), plus one notification and one Excel import per side.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db.models import Max

from accounts.roles import Role
from campaigns import services as campaign_services
from core.domain import shanghai_today
from crosscase import analysis as crosscase_services
from negativelists import services as negative_list_services
from notifications.models import Notification
from oversight.models import DocumentJob
from recommendations import evaluation
from recommendations import services as recommendation_services
from recommendations.models import ImportJob
from reforms import reconciliation
from reforms import services as reform_services
from reforms.models import ReboundFlag, ReconciliationRound, ReconciliationSchedule
from tests import factories
from tests.api.conftest import build_chain
from tests.conftest import build_world, built_once

# The roles of the matrices: the world's user of each ("anonymous" is nobody).
ROLES = {
    "staff": "city_staff",
    "county_staff": "county_staff",
    "group_staff": "group_staff",
    "supervisor": "supervisor",
    "officer": "housing_officer",
    "other_officer": "health_officer",
    "system_admin": "system_admin",
    "security_admin": "security_admin",
    "audit_admin": "audit_admin",
    "anonymous": None,
}


def evaluation_session(case, *, staff, officer):
    """A second letter of the case, closed, with an on-site evaluation being scored: ``staff``
    is its panel and has scored."""
    letter = factories.issued_recommendation(staff=staff, the_case=case)
    recommendation_services.recommendation_acknowledge(recommendation=letter, actor=officer)
    factories.measure(recommendation=letter, actor=officer, is_standing=True)
    recommendation_services.recommendation_start_rectification(recommendation=letter, actor=officer)
    recommendation_services.recommendation_submit_reply(
        recommendation=letter, actor=officer, content="整改报告"
    )
    recommendation_services.recommendation_close(recommendation=letter, actor=staff)
    session = evaluation.evaluation_session_open(
        recommendation=letter, actor=staff, scheduled_on=shanghai_today()
    )
    member = evaluation.evaluation_panel_add(session=session, actor=staff, user=staff)
    evaluation.evaluation_scoring_start(session=session, actor=staff)
    scores = {indicator.pk: indicator.max_score for indicator in session.template.indicators.all()}
    (score, *_rest) = evaluation.evaluation_scores_submit(
        session=session, actor=staff, scores=scores
    )
    return session, member, score


def measure_awaiting_extension(case, *, staff, officer):
    """A third letter of the case, being planned: a measure not started, with a pending extension
    request (the chain's letter is closed, so its measures are signed off or standing)."""
    letter = recommendation_services.recommendation_acknowledge(
        recommendation=factories.issued_recommendation(staff=staff, the_case=case), actor=officer
    )
    measure = factories.measure(recommendation=letter, actor=officer)
    extension = factories.extension_request(measure=measure, actor=officer)
    return measure, extension


def cross_inspection(unit, commission, *, staff, officer, peer_names) -> SimpleNamespace:
    """交叉检查 of the side's unit and two peers (named to sort after the commission's other
    units, so the tree's paths do not move): the unit is inspected by the first peer and inspects
    the second, whose answers its officer has submitted; a spot check found what they missed."""
    peers = [factories.org_child(commission, name, sector=unit.sector) for name in peer_names]
    campaign = campaign_services.campaign_create(
        actor=staff,
        title="住建领域交叉检查",
        units=[unit, *peers],
        mode="cross_inspection",
        answer_due_on=shanghai_today() + datetime.timedelta(days=14),
        items=[campaign_services.ChecklistLine("risk_point", None, "检查评标专家抽取")],
    )
    campaign_services.campaign_launch(campaign=campaign, actor=staff)
    inspected = campaign.units.get(inspector=unit)
    (item,) = campaign.items.all()
    campaign_services.answers_submit(
        campaign_unit=inspected,
        actor=officer,
        answers=[campaign_services.AnswerLine(item, True, "评标专家由分管领导指定")],
        team="纪检专干+业务骨干+财会专家",
    )
    spot_check = campaign_services.spot_check_record(
        campaign_unit=inspected, actor=staff, finding="招标文件存在量身定制条款", missed=True
    )
    return SimpleNamespace(
        cross_campaign=campaign,
        cross_campaign_unit=campaign.units.get(unit=unit),
        inspected_campaign_unit=inspected,
        inspector_peer=inspected.unit,
        spot_check=spot_check,
    )


def side(world, *, unit, commission, staff, officer, peer_names) -> SimpleNamespace:
    chain = build_chain(unit=unit, commission=commission, staff=staff, officer=officer)
    session, panel_member, indicator_score = evaluation_session(
        chain.cases, staff=staff, officer=officer
    )
    recommendation = chain.recommendations
    draft = factories.draft_recommendation(staff=staff, the_case=chain.cases)
    open_measure, extension = measure_awaiting_extension(chain.cases, staff=staff, officer=officer)
    reconciliation_round = reconciliation.open_round(
        actor=staff,
        recommendation=open_measure.item.recommendation,
        answer_due_on=shanghai_today() + datetime.timedelta(days=14),
    )

    def drafted_campaign(title):
        return campaign_services.campaign_create(
            actor=staff,
            title=title,
            units=[unit],
            answer_due_on=shanghai_today() + datetime.timedelta(days=14),
            items=[campaign_services.ChecklistLine("risk_point", None, "检查招投标环节")],
        )

    campaign = campaign_services.campaign_launch(
        campaign=drafted_campaign("举一反三自查"), actor=staff
    )
    campaign_draft = drafted_campaign("举一反三自查（草稿）")
    follow_up = chain.__dict__["follow-ups"]
    (follow_up_row,) = reform_services.follow_up_choose_measures(follow_up=follow_up, actor=staff)
    # 类案分析: the commission's analysis of the side's case, picked by hand.
    cross_case_analysis = crosscase_services.analysis_create(
        actor=staff, title="工程建设领域类案分析", mode="hand", cases=[chain.cases]
    )
    negative_list = published_negative_list(unit, chain.cases, staff=staff)
    cross = cross_inspection(unit, commission, staff=staff, officer=officer, peer_names=peer_names)
    negative_list_draft = negative_list_services.list_create(
        actor=staff, unit=unit, tier="leadership", title="领导班子和领导干部负面清单"
    )
    negative_list_services.entry_add(
        negative_list=negative_list_draft, actor=staff, requirement="严禁违规干预干部选拔任用"
    )
    return SimpleNamespace(
        unit=unit,
        case=chain.cases,
        negative_list=negative_list,
        negative_list_draft=negative_list_draft,
        negative_list_draft_entry=negative_list_draft.entries.get(),
        negative_list_check=negative_list.checks.get(),
        analysis=cross_case_analysis,
        problem=chain.problems,
        recommendation=recommendation,
        item=recommendation.items.first(),
        draft=draft,
        draft_item=draft.items.first(),
        measure=chain.measures,  # signed off
        open_measure=open_measure,
        report=chain.__dict__["progress-reports"],
        evidence=chain.evidence,
        extension=extension,
        follow_up=follow_up,
        follow_up_row=follow_up_row,
        # 整改反弹: the case's problem flagged against itself (the routes need one flag per side).
        rebound_flag=ReboundFlag.objects.create(
            problem=chain.problems,
            earlier_problem=chain.problems,
            measure=chain.measures,
            unit=unit,
            match=ReboundFlag.Match.UNIT,
        ),
        evaluation=chain.evaluations,
        rule_change=chain.__dict__["rule-changes"],
        activity=chain.activities,
        import_job=ImportJob.objects.create(
            kind=ImportJob.Kind.PROBLEMS,
            case=chain.cases,
            file="imports/problems.xlsx",
            original_name="problems.xlsx",
            created_by=staff,
        ),
        notification=Notification.objects.create(recipient=staff, title="提醒"),
        document_job=document_job(staff),
        reconciliation=reconciliation_round,
        campaign=campaign,
        campaign_draft=campaign_draft,
        campaign_unit=campaign.units.get(),
        **vars(cross),
        session=session,
        panel_member=panel_member,
        indicator_score=indicator_score,
        evaluator=world.users.supervisor,
        template=session.template,
        reconciliation_row=reconciliation_round.rows.get(measure=open_measure),
        reconciliation_schedule=ReconciliationSchedule.objects.create(
            scope=ReconciliationRound.Scope.UNIT,
            unit=unit,
            frequency=ReconciliationSchedule.Frequency.MONTHLY,
            created_by=staff,
        ),
    )


def published_negative_list(unit, case, *, staff):
    """负面清单: the unit's published list for its party members, drawn from the side's case."""
    negative_list = negative_list_services.list_create(
        actor=staff, unit=unit, tier="party_members", title="党员干部负面清单", source_cases=[case]
    )
    negative_list_services.entry_add(
        negative_list=negative_list, actor=staff, requirement="严禁插手干预工程招投标"
    )
    negative_list_services.list_publish(negative_list=negative_list, actor=staff)
    negative_list_services.check_record(
        negative_list=negative_list, actor=staff, checked_on=shanghai_today(), finding="执行良好"
    )
    return negative_list


def document_job(staff) -> DocumentJob:
    """A large ledger made for ``staff``: ready, its file in the scene's media folder."""
    job = DocumentJob.objects.create(
        kind=DocumentJob.Kind.LEDGER,
        filename="整改台账.pdf",
        total=301,
        status=DocumentJob.Status.DONE,
        created_by=staff,
    )
    job.file.save("ledger.pdf", ContentFile(b"%PDF-1.4 ledger"))
    return job


def last_pks(built: SimpleNamespace) -> dict[type, int]:
    """The highest id of each kind of record once a side is built: ids above it are the next
    side's (or do not exist yet)."""
    models = {type(record) for record in vars(built).values()}
    return {model: model.objects.aggregate(last=Max("pk"))["last"] for model in models}


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker, tmp_path_factory):
    with built_once(django_db_blocker, tmp_path_factory) as media:
        world = build_world()
        water_officer = factories.user(Role.UNIT_OFFICER, world.units.water, "water_officer")
        inside = side(
            world,
            unit=world.units.housing,
            commission=world.units.city,
            staff=world.users.city_staff,
            officer=world.users.housing_officer,
            peer_names=("长春市水务局", "长春市自然资源局"),
        )
        last_inside_pk = last_pks(inside)
        outside = side(
            world,
            unit=world.units.water,
            commission=world.units.other_city,
            staff=world.users.other_staff,
            officer=water_officer,
            peer_names=("吉林市自然资源局", "吉林市财政局"),
        )
        yield SimpleNamespace(
            world=world,
            inside=inside,
            outside=outside,
            last_inside_pk=last_inside_pk,
            media=media,
        )


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttling and lockouts count in the cache: each test starts with none."""
    cache.clear()


@pytest.fixture
def user_of(scene):
    """``user_of("officer")``: the world's user of that role (None for anonymous)."""

    def find(role):
        username = ROLES[role]
        return getattr(scene.world.users, username) if username else None

    return find
