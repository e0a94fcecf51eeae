"""Construction cases of the housing bureau with problems in several categories × stages, one
case elsewhere in the city (healthcare) and one in 吉林市 (outside the city's jurisdiction)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from accounts.roles import Role
from cases.models import CaseAnalysis, Problem, ProcessStage, Subject, ViolationType
from crosscase import analysis as services
from tests import factories
from tests.api.conftest import api_as  # noqa: F401  (the API tests' fixture, reused here)

GAP, RISK, BLIND = (
    Problem.Category.INSTITUTIONAL_GAP,
    Problem.Category.RISK_POINT,
    Problem.Category.BLIND_SPOT,
)


def stage(name: str) -> ProcessStage:
    return ProcessStage.objects.get(name=name)


def violation(name: str) -> ViolationType:
    return ViolationType.objects.get(name=name)


def construction_case(world, *, number=None, amount="0", level="section", **fields):
    extra = {"number": number} if number else {}
    return factories.case(
        case_unit=fields.pop("case_unit", world.units.housing),
        commission=fields.pop("commission", world.units.city),
        created_by=world.users.city_staff,
        amount=Decimal(amount),
        level=level,
        **extra,
        **fields,
    )


def with_problems(case, *pairs):
    """Problems of the case, one per (category, stage name)."""
    for category, stage_name in pairs:
        factories.problem(case, category=category, process_stage=stage(stage_name))
    return case


@pytest.fixture
def cases(world):
    """Three construction cases (2025) with 7 problems over 3 stages, a healthcare case and a
    case of 吉林市 (both with problems)."""
    staff = world.users.city_staff
    roads = with_problems(
        construction_case(
            world,
            number="长纪〔2025〕1号",
            title="道路工程受贿案",
            amount="150000",
            level="county",
            opened_on=datetime.date(2025, 2, 1),
        ),
        (GAP, "招投标"),
        (GAP, "招投标"),
        (RISK, "工程监管"),
    )
    roads.violation_types.add(violation("受贿"), violation("违规插手工程项目"))
    Subject.objects.create(case=roads, name="张某", position="局长", is_top_leader=True)
    CaseAnalysis.objects.create(
        case=roads, author=staff, root_causes="理想信念动摇", loopholes="评标专家由局长指定"
    )
    bridge = with_problems(
        construction_case(
            world,
            number="长纪〔2025〕2号",
            title="桥梁监理失职案",
            amount="2000000",
            case_unit=world.units.station,
            opened_on=datetime.date(2025, 5, 1),
        ),
        (GAP, "招投标"),
        (BLIND, "项目验收"),
        (BLIND, "项目验收"),
    )
    bridge.violation_types.add(violation("受贿"))
    culvert = with_problems(
        construction_case(
            world,
            number="长纪〔2025〕3号",
            title="涵洞结算虚报案",
            amount="30000",
            opened_on=datetime.date(2025, 9, 1),
        ),
        (RISK, "项目验收"),
    )
    drugs = with_problems(
        construction_case(
            world,
            number="长纪〔2025〕9号",
            title="药品采购回扣案",
            case_unit=world.units.health,
            sector="healthcare",
            amount="500000",
            opened_on=datetime.date(2025, 3, 1),
        ),
        (RISK, "物资采购"),
    )
    jilin = with_problems(
        construction_case(
            world,
            number="吉纪〔2025〕1号",
            title="水利工程受贿案",
            case_unit=world.units.water,
            commission=world.units.other_city,
            amount="990000",
            opened_on=datetime.date(2025, 4, 1),
        ),
        (GAP, "招投标"),
    )
    return SimpleNamespace(roads=roads, bridge=bridge, culvert=culvert, drugs=drugs, jilin=jilin)


@pytest.fixture
def by_criteria(world, cases):
    """The city staff's analysis of construction cases opened in 2025."""
    return services.analysis_create(
        actor=world.users.city_staff,
        title="工程建设领域类案分析",
        mode="criteria",
        sector="construction",
        opened_from=datetime.date(2025, 1, 1),
        opened_to=datetime.date(2025, 12, 31),
    )


@pytest.fixture
def by_hand(world, cases):
    return services.analysis_create(
        actor=world.users.city_staff,
        title="道路与药品两案对比",
        mode="hand",
        cases=[cases.roads, cases.drugs],
    )


@pytest.fixture
def other_staff_analysis(world, cases):
    """吉林市's own analysis (outside the city's jurisdiction)."""
    return services.analysis_create(
        actor=world.users.other_staff, title="吉林水利类案", mode="criteria", sector="construction"
    )


@pytest.fixture
def water_officer(world):
    return factories.user(Role.UNIT_OFFICER, world.units.water, "water_officer")
