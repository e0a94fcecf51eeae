"""The real case at full size ([Real case], ``domain/seeds`` 000): one 13-item letter after a series
of four cases, with ~1,200 measures, 700+ problems, 300+ rule changes and 100 activities.

``build_large_letter`` writes it with ``bulk_create`` (the letter itself, its items and its
issue go through the services, so it is a letter like any other); ``manage.py bench`` then times
the pages and documents of that one letter. The proportions follow the city's report: 723
problems, 1,166 measures and 314 rules for 13 items; ``measures`` scales the rest with it (the CI
smoke run builds a tenth).
"""

import datetime
from dataclasses import dataclass

from django.db import transaction

from accounts.models import OrgUnit, User
from accounts.roles import Role
from cases.models import Case, Problem, ProcessStage
from core.domain import shanghai_today
from recommendations import services
from recommendations.models import Recommendation, RecommendationItem
from reforms.models import Activity, Measure, RuleChange
from reforms.services import standing_placeholder

TITLE = "关于深化工程建设领域系列案件以案促改的纪检监察建议"
ITEMS = 13
# The city's figures for its 13 items (seed 000): problems, measures and rules per measure.
PROBLEMS_PER_MEASURE = 723 / 1166
RULES_PER_MEASURE = 314 / 1166
ACTIVITIES_AT_FULL_SIZE = 100
FULL_SIZE = 1200


@dataclass(frozen=True)
class Size:
    measures: int
    problems: int
    rule_changes: int
    activities: int

    @classmethod
    def of(cls, measures: int) -> "Size":
        return cls(
            measures=measures,
            problems=max(ITEMS, round(measures * PROBLEMS_PER_MEASURE)),
            rule_changes=max(1, round(measures * RULES_PER_MEASURE)),
            activities=max(1, round(ACTIVITIES_AT_FULL_SIZE * measures / FULL_SIZE)),
        )


def _counts(letter: Recommendation) -> Size:
    return Size(
        measures=Measure.objects.filter(item__recommendation=letter).count(),
        problems=Problem.objects.filter(case__recommendations=letter).distinct().count(),
        rule_changes=RuleChange.objects.filter(recommendation=letter).count(),
        activities=Activity.objects.filter(recommendation=letter).count(),
    )


def build_large_letter(*, staff: User, unit: OrgUnit, measures: int = FULL_SIZE) -> Recommendation:
    """The letter of ``Size.of(measures)`` from ``staff``'s commission to ``unit``; made once and
    kept (the same size asked again returns it; another size replaces it)."""
    size = Size.of(measures)
    existing = Recommendation.objects.filter(title=TITLE, recipient_unit=unit).first()
    if existing is not None:
        if _counts(existing) == size:
            return existing
        _remove(existing)
    with transaction.atomic():
        return _build(staff, unit, size)


def _remove(letter: Recommendation) -> None:
    with transaction.atomic():
        cases = list(letter.cases.all())
        RuleChange.objects.filter(recommendation=letter).delete()
        Activity.objects.filter(recommendation=letter).delete()
        Measure.objects.filter(item__recommendation=letter).delete()
        letter.delete()
        Case.objects.filter(pk__in=[case.pk for case in cases]).delete()


def _build(staff: User, unit: OrgUnit, size: Size) -> Recommendation:
    today = shanghai_today()
    commission = staff.org_unit
    officer = User.objects.filter(role=Role.UNIT_OFFICER, org_unit=unit).first() or staff
    stages = list(ProcessStage.objects.order_by("pk"))
    categories = list(Problem.Category.values)
    # 四案合一: four linked cases in the unit, their problems spread over the four.
    cases = [
        Case.objects.create(
            number=f"规模测试〔{today.year}〕{unit.pk}-{n}号",
            title=f"某局原工作人员系列案件之{n}",
            commission=commission,
            case_unit=unit,
            sector=unit.sector or "construction",
            level=Case.Level.COUNTY,
            amount=1_250_000,
            status=Case.Status.CLOSED,
            opened_on=today - datetime.timedelta(days=400 + n),
            closed_on=today - datetime.timedelta(days=200 + n),
            summary="利用职务便利在工程项目招投标、变更签证和资金拨付中为他人谋取利益。",
            created_by=staff,
        )
        for n in range(1, 5)
    ]
    problems = Problem.objects.bulk_create(
        Problem(
            case=cases[n % len(cases)],
            unit=unit,
            category=categories[n % len(categories)],
            process_stage=stages[n % len(stages)],
            description=f"问题{n + 1}：工程项目变更签证审核把关不严，"
            "评审专家由分管领导指定，资金拨付前未经集体研究。",
        )
        for n in range(size.problems)
    )
    letter = services.recommendation_create(
        actor=staff,
        title=TITLE,
        issuer=commission,
        recipient_unit=unit,
        cases=cases,
        reply_due_on=today + datetime.timedelta(days=60),
        preamble="经查，该单位在工程建设领域存在制度漏洞和监管薄弱环节。现提出如下建议：",
    )
    for number in range(1, ITEMS + 1):
        services.recommendation_item_add(
            recommendation=letter,
            actor=staff,
            content=f"第{number}项：健全工程项目招投标、变更签证和资金拨付的全流程监管制度，"
            "明确责任分工，建立定期检查和问责机制，确保整改措施落到实处。",
            problems=[problems[number - 1]],
        )
    letter = services.recommendation_issue(
        recommendation=letter, actor=staff, issued_on=today - datetime.timedelta(days=180)
    )
    items = list(letter.items.order_by("number"))
    # Every problem answered by one item (the first 13 already are, through the service).
    links = RecommendationItem.problems.through
    links.objects.bulk_create(
        links(recommendationitem_id=items[n % ITEMS].pk, problem_id=problems[n].pk)
        for n in range(ITEMS, size.problems)
    )
    start = today - datetime.timedelta(days=150)
    placeholder = standing_placeholder(letter)
    rows = []
    for n in range(size.measures):
        standing = n % 23 == 0
        original = placeholder if standing else start + datetime.timedelta(days=n % 240)
        extended = not standing and n % 7 == 0
        signed = not standing and n % 3 == 0 and original <= today
        rows.append(
            Measure(
                item=items[n * ITEMS // size.measures],
                unit=unit,
                content=f"第{n + 1}条整改措施：修订管理办法，组织专题培训并开展专项检查",
                standard="印发新办法，培训全覆盖，检查发现问题全部整改到位",
                department=("办公室", "计划财务科", "建设管理科", "招标办")[n % 4],
                owner_name="李明",
                leader_name="王局长",
                is_standing=standing,
                original_due_on=original,
                due_on=original + datetime.timedelta(days=30 if extended else 0),
                status=Measure.Status.SIGNED_OFF
                if signed
                else (Measure.Status.IN_PROGRESS if n % 2 else Measure.Status.NOT_STARTED),
                signed_off_on=original if signed else None,
                created_by=officer,
            )
        )
    created = Measure.objects.bulk_create(rows)
    kinds = list(RuleChange.Kind.values)
    RuleChange.objects.bulk_create(
        RuleChange(
            unit=unit,
            recommendation=letter,
            measure=created[n * len(created) // size.rule_changes],
            kind=kinds[n % len(kinds)],
            title=f"工程建设项目管理制度（第{n + 1}项）",
            effective_on=start + datetime.timedelta(days=n % 150) if n % 5 else None,
            created_by=officer,
        )
        for n in range(size.rule_changes)
    )
    activity_kinds = list(Activity.Kind.values)
    Activity.objects.bulk_create(
        Activity(
            unit=unit,
            recommendation=letter,
            kind=activity_kinds[n % len(activity_kinds)],
            title=f"以案促改专项活动（第{n + 1}次）",
            held_on=start + datetime.timedelta(days=n),
            participant_count=20 + n % 80,
            created_by=officer,
        )
        for n in range(size.activities)
    )
    return letter
