"""The case services: who may log and edit cases, analyses and problems, and that a refusal
leaves nothing half-saved."""

import datetime
from decimal import Decimal

import pytest

from cases import services
from cases.models import Case, CaseAnalysis, Problem, ProcessStage, Subject, ViolationType
from core.domain import InvalidInput, PermissionRefused, TransitionRefused
from tests import factories


def new_case(world, *, actor=None, **fields):
    defaults = {
        "number": "长纪立〔2026〕7号",
        "title": "市住建局某科长受贿案",
        "commission": world.units.city,
        "case_unit": world.units.housing,
        "sector": "construction",
        "level": Case.Level.SECTION,
        "opened_on": datetime.date(2026, 2, 3),
    }
    return services.case_create(actor=actor or world.users.city_staff, **defaults | fields)


@pytest.fixture
def education_case(world):
    return factories.case(
        case_unit=world.units.education,
        commission=world.units.county,
        created_by=world.users.county_staff,
        title="区教育局食堂采购案",
    )


@pytest.fixture
def water_case(world):
    return factories.case(
        case_unit=world.units.water,
        commission=world.units.other_city,
        created_by=world.users.other_staff,
    )


# ── Logging a case ───────────────────────────────────────────────────────────────────────────


def test_staff_log_a_case_with_its_subjects_types_and_links(world, housing_case):
    bribery = ViolationType.objects.get(name="受贿")

    case = new_case(
        world,
        amount=Decimal("1200000.00"),
        summary="利用职务便利在工程验收中收受好处费",
        violation_types=[bribery],
        linked_cases=[housing_case],
        subjects=[
            {"name": "张某", "position": "局长", "is_top_leader": True},
            {"name": "李某", "position": "科长", "disposition": "开除党籍"},
        ],
    )

    case.refresh_from_db()
    assert case.created_by == world.users.city_staff
    assert case.status == Case.Status.OPENED
    assert case.amount == Decimal("1200000.00")
    assert list(case.violation_types.all()) == [bribery]
    assert list(case.linked_cases.all()) == [housing_case]
    assert list(housing_case.linked_cases.all()) == [case]  # a series links both ways
    assert [(s.name, s.is_top_leader, s.disposition) for s in case.subjects.all()] == [
        ("张某", True, ""),
        ("李某", False, "开除党籍"),
    ]


def test_county_staff_log_a_case_of_their_county(world):
    case = new_case(
        world,
        actor=world.users.county_staff,
        commission=world.units.county,
        case_unit=world.units.education,
        sector="education",
    )

    assert case.case_unit == world.units.education


@pytest.mark.parametrize("who", ["supervisor", "housing_officer", "system_admin", "audit_admin"])
def test_only_discipline_staff_log_cases(world, who):
    with pytest.raises(PermissionRefused):
        new_case(world, actor=getattr(world.users, who))

    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"case_unit": "water"}, "The chosen unit is outside your jurisdiction."),
        ({"commission": "other_city"}, "The chosen unit is outside your jurisdiction."),
    ],
)
def test_a_case_stays_inside_the_jurisdiction(world, fields, message):
    fields = {name: getattr(world.units, unit) for name, unit in fields.items()}

    with pytest.raises(PermissionRefused) as refusal:
        new_case(world, **fields)

    assert refusal.value.message == message
    assert not Case.objects.exists()


def test_county_staff_cannot_log_a_case_of_a_city_unit(world):
    with pytest.raises(PermissionRefused):
        new_case(world, actor=world.users.county_staff, commission=world.units.county)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"commission": "housing"},
            "The handling commission must be a commission or a dispatched group.",
        ),
        ({"case_unit": "county"}, "The case unit must be a unit."),
    ],
)
def test_the_commission_and_the_unit_have_the_right_kind(world, fields, message):
    fields = {name: getattr(world.units, unit) for name, unit in fields.items()}

    with pytest.raises(TransitionRefused) as refusal:
        new_case(world, **fields)

    assert refusal.value.message == message


def test_a_case_cannot_link_to_a_case_the_actor_cannot_see(world, water_case):
    with pytest.raises(PermissionRefused) as refusal:
        new_case(world, linked_cases=[water_case], subjects=[{"name": "张某"}])

    assert refusal.value.message == "Some of the linked cases are outside your jurisdiction."
    assert not Case.objects.exclude(pk=water_case.pk).exists()
    assert not Subject.objects.exists()


def test_a_case_number_is_used_once(world, housing_case):
    with pytest.raises(InvalidInput) as refusal:
        new_case(world, number=housing_case.number, subjects=[{"name": "张某"}])

    assert refusal.value.message == "Another case already has this case number."
    assert refusal.value.errors == {"number": ["Another case already has this case number."]}
    assert refusal.value.status_code == 400
    assert Case.objects.count() == 1
    assert not Subject.objects.exists()


def test_a_closed_case_needs_its_closing_date(world):
    with pytest.raises(InvalidInput) as refusal:
        new_case(world, status=Case.Status.CLOSED)

    assert refusal.value.message == "A closed case needs its closing date."
    assert refusal.value.errors == {"non_field_errors": ["A closed case needs its closing date."]}


def test_a_subject_without_a_name_saves_nothing(world):
    with pytest.raises(TransitionRefused) as refusal:
        new_case(world, subjects=[{"name": "张某"}, {"name": "  "}])

    assert refusal.value.message == "Every subject needs a name."
    assert not Case.objects.exists()
    assert not Subject.objects.exists()


# ── Editing a case ───────────────────────────────────────────────────────────────────────────


def test_staff_edit_a_case_and_its_subjects(world, housing_case):
    kept = Subject.objects.create(case=housing_case, name="张某", position="科长")
    dropped = Subject.objects.create(case=housing_case, name="王某")

    services.case_update(
        case=housing_case,
        actor=world.users.city_staff,
        title="市住建局窝案",
        status=Case.Status.INVESTIGATING,
        subjects=[
            {"id": kept.pk, "name": "张某", "position": "副局长", "is_top_leader": True},
            {"name": "赵某", "position": "出纳"},
        ],
    )

    housing_case.refresh_from_db()
    assert housing_case.title == "市住建局窝案"
    assert housing_case.status == Case.Status.INVESTIGATING
    assert [(s.pk, s.name, s.position) for s in housing_case.subjects.order_by("pk")] == [
        (kept.pk, "张某", "副局长"),
        (housing_case.subjects.named("赵某").get().pk, "赵某", "出纳"),
    ]
    assert not Subject.objects.filter(pk=dropped.pk).exists()


def test_editing_without_subjects_leaves_them_alone(world, housing_case):
    Subject.objects.create(case=housing_case, name="张某")

    services.case_update(case=housing_case, actor=world.users.city_staff, title="新标题")

    assert housing_case.subjects.count() == 1


def test_a_subject_of_another_case_is_refused_and_nothing_changes(world, housing_case):
    other = factories.case(
        case_unit=world.units.health,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )
    stranger = Subject.objects.create(case=other, name="钱某")
    mine = Subject.objects.create(case=housing_case, name="张某")

    with pytest.raises(TransitionRefused):
        services.case_update(
            case=housing_case,
            actor=world.users.city_staff,
            title="改不了",
            subjects=[{"id": stranger.pk, "name": "钱某"}],
        )

    housing_case.refresh_from_db()
    assert housing_case.title == "某局工程项目受贿案"
    assert list(housing_case.subjects.all()) == [mine]
    assert Subject.objects.get(pk=stranger.pk).case == other


def test_links_the_actor_cannot_see_survive_an_edit(world, housing_case, education_case):
    """County staff see only their own case of a series the city links to a city case."""
    third = factories.case(
        case_unit=world.units.education,
        commission=world.units.county,
        created_by=world.users.county_staff,
    )
    education_case.linked_cases.set([housing_case])

    services.case_update(case=education_case, actor=world.users.county_staff, linked_cases=[third])

    assert set(education_case.linked_cases.all()) == {housing_case, third}

    services.case_update(case=education_case, actor=world.users.county_staff, linked_cases=[])

    assert set(education_case.linked_cases.all()) == {housing_case}


def test_a_case_cannot_be_linked_to_itself(world, housing_case):
    with pytest.raises(TransitionRefused) as refusal:
        services.case_update(
            case=housing_case, actor=world.users.city_staff, linked_cases=[housing_case]
        )

    assert refusal.value.message == "A case cannot be linked to itself."


def test_county_staff_may_edit_a_county_case_the_city_handles(world):
    case = factories.case(
        case_unit=world.units.education,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )

    services.case_update(case=case, actor=world.users.county_staff, title="区教育局系列案")

    case.refresh_from_db()
    assert case.title == "区教育局系列案"
    assert case.commission == world.units.city


def test_moving_a_case_outside_the_jurisdiction_is_refused(world, education_case):
    with pytest.raises(PermissionRefused):
        services.case_update(
            case=education_case,
            actor=world.users.county_staff,
            case_unit=world.units.housing,
        )

    education_case.refresh_from_db()
    assert education_case.case_unit == world.units.education


@pytest.mark.parametrize("who", ["county_staff", "other_staff", "supervisor", "housing_officer"])
def test_only_staff_covering_the_case_edit_it(world, housing_case, who):
    with pytest.raises(PermissionRefused):
        services.case_update(case=housing_case, actor=getattr(world.users, who), title="改")

    housing_case.refresh_from_db()
    assert housing_case.title == "某局工程项目受贿案"


def test_closing_a_case_without_a_date_is_refused(world, housing_case):
    with pytest.raises(InvalidInput):
        services.case_update(
            case=housing_case, actor=world.users.city_staff, status=Case.Status.CLOSED
        )

    services.case_update(
        case=housing_case,
        actor=world.users.city_staff,
        status=Case.Status.CLOSED,
        closed_on=datetime.date(2026, 1, 20),
    )
    housing_case.refresh_from_db()
    assert housing_case.status == Case.Status.CLOSED


def test_an_unknown_field_is_a_programming_error(world, housing_case):
    with pytest.raises(TypeError):
        services.case_update(case=housing_case, actor=world.users.city_staff, created_by=None)


# ── The analysis ─────────────────────────────────────────────────────────────────────────────


def test_staff_write_the_analysis_and_the_first_writer_is_its_author(world, housing_case):
    services.analysis_save(
        case=housing_case,
        actor=world.users.city_staff,
        trajectory="从收受购物卡到索要工程款",
        root_causes="理想信念动摇",
        loopholes="验收环节一人说了算",
        lessons="分权制衡",
    )
    services.analysis_save(
        case=housing_case,
        actor=world.users.city_staff,
        trajectory="从收受购物卡到索要工程款",
        root_causes="理想信念动摇；监督缺位",
        completed_on=datetime.date(2026, 3, 1),
    )

    analysis = CaseAnalysis.objects.get(case=housing_case)
    assert analysis.author == world.users.city_staff
    assert analysis.root_causes == "理想信念动摇；监督缺位"
    assert analysis.loopholes == ""
    assert analysis.completed_on == datetime.date(2026, 3, 1)


def test_county_staff_edit_the_analysis_of_a_county_case_keeping_its_author(world):
    case = factories.case(
        case_unit=world.units.education,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )
    services.analysis_save(case=case, actor=world.users.city_staff, trajectory="初稿")

    services.analysis_save(case=case, actor=world.users.county_staff, trajectory="修改稿")

    analysis = case.analysis
    analysis.refresh_from_db()
    assert (analysis.trajectory, analysis.author) == ("修改稿", world.users.city_staff)


@pytest.mark.parametrize("who", ["supervisor", "county_staff", "housing_officer"])
def test_readers_and_outsiders_cannot_write_the_analysis(world, housing_case, who):
    with pytest.raises(PermissionRefused):
        services.analysis_save(case=housing_case, actor=getattr(world.users, who), lessons="x")

    assert not CaseAnalysis.objects.exists()


def test_an_analysis_is_not_completed_before_the_case_opened(world, housing_case):
    with pytest.raises(TransitionRefused) as refusal:
        services.analysis_save(
            case=housing_case,
            actor=world.users.city_staff,
            completed_on=housing_case.opened_on - datetime.timedelta(days=1),
        )

    assert refusal.value.message == ("The analysis cannot be completed before the case was opened.")
    assert not CaseAnalysis.objects.exists()


# ── The problem list ─────────────────────────────────────────────────────────────────────────


def add_problem(world, case, *, actor=None, **fields):
    defaults = {
        "unit": case.case_unit,
        "category": Problem.Category.RISK_POINT,
        "process_stage": ProcessStage.objects.get(name="项目验收"),
        "description": "  验收由一人签字即可通过  ",
    }
    return services.problem_add(
        case=case, actor=actor or world.users.city_staff, **defaults | fields
    )


def test_staff_list_a_problem_of_the_case(world, housing_case):
    problem = add_problem(world, housing_case, unit=world.units.station)

    problem.refresh_from_db()
    assert problem.case == housing_case
    assert problem.unit == world.units.station
    assert problem.description == "验收由一人签字即可通过"


def test_a_problem_lies_in_a_unit_of_the_jurisdiction(world, housing_case):
    with pytest.raises(PermissionRefused):
        add_problem(world, housing_case, unit=world.units.water)

    assert not Problem.objects.exists()


def test_a_problem_lies_in_the_case_unit_or_below_it(world, housing_case):
    """The health commission is in the staff's jurisdiction, but not under the housing bureau."""
    with pytest.raises(InvalidInput) as refusal:
        add_problem(world, housing_case, unit=world.units.health)

    message = "A problem sits in the case unit or one of its subunits."
    assert refusal.value.errors == {"unit": [message]}
    problem = add_problem(world, housing_case)
    with pytest.raises(InvalidInput):
        services.problem_update(
            problem=problem, actor=world.users.city_staff, unit=world.units.health
        )
    problem.refresh_from_db()
    assert problem.unit == world.units.housing


def test_a_problem_needs_a_description(world, housing_case):
    with pytest.raises(TransitionRefused) as refusal:
        add_problem(world, housing_case, description="   ")

    assert refusal.value.message == "The problem needs its description."


@pytest.mark.parametrize("who", ["supervisor", "county_staff", "other_staff", "housing_officer"])
def test_only_staff_covering_the_case_list_its_problems(world, housing_case, who):
    with pytest.raises(PermissionRefused):
        add_problem(world, housing_case, actor=getattr(world.users, who))

    assert not Problem.objects.exists()


def test_staff_correct_a_problem(world, housing_case):
    problem = add_problem(world, housing_case)

    services.problem_update(
        problem=problem,
        actor=world.users.city_staff,
        category=Problem.Category.BLIND_SPOT,
        unit=world.units.station,
        description="验收无人复核",
    )

    problem.refresh_from_db()
    assert (problem.category, problem.unit, problem.description) == (
        Problem.Category.BLIND_SPOT,
        world.units.station,
        "验收无人复核",
    )


def test_a_problem_cannot_move_out_of_the_jurisdiction(world, housing_case):
    problem = add_problem(world, housing_case)

    with pytest.raises(PermissionRefused):
        services.problem_update(
            problem=problem, actor=world.users.city_staff, unit=world.units.water
        )

    problem.refresh_from_db()
    assert problem.unit == world.units.housing


@pytest.mark.parametrize("who", ["supervisor", "county_staff", "housing_officer"])
def test_only_staff_covering_the_case_correct_its_problems(world, housing_case, who):
    problem = add_problem(world, housing_case)

    with pytest.raises(PermissionRefused):
        services.problem_update(problem=problem, actor=getattr(world.users, who), description="改")

    problem.refresh_from_db()
    assert problem.description == "验收由一人签字即可通过"
