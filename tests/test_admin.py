"""The back office: each page opens for each role, rows are scoped, changes go via services."""

import datetime

import pytest
import time_machine
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from demo.builder import HEADLINE_USERNAMES
from recommendations.models import Recommendation
from reforms.models import ExtensionRequest, Measure
from reforms.services import extension_request_submit

from . import factories

DEMO_USERNAMES = [
    *HEADLINE_USERNAMES,
    "staff_group",
    "staff_chaoyang",
    "staff_nongan",
    "officer_health",
    "officer_hospital",
    "officer_edu",
    "officer_water",
]
# A changelist of 50 rows in a constant number of queries: enough for session, user,
# permissions, counts and filters, far below one query per row.
CHANGELIST_QUERY_BUDGET = 25


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response) -> list[str]:
    """The messages shown on the page a followed redirect landed on."""
    return [str(message) for message in response.context["messages"]]


class TestEveryPageForEveryDemoUser:
    """Each demo login opens each back-office page it may, is refused the others, never a 500."""

    @pytest.mark.parametrize("username", DEMO_USERNAMES)
    def test_pages_open_or_are_refused(self, demo, db, client, username):
        user = User.objects.get(username=username)
        client.force_login(user)
        if not user.has_perm("accounts.use_back_office"):
            # Unit officers and supervisors have no back office: every page of it refuses them.
            assert client.get(reverse("admin:index")).status_code == 403
            for model in admin.site._registry:
                assert client.get(url(model, "changelist")).status_code == 403, model
            return
        assert client.get(reverse("admin:index")).status_code == 200

        for model, model_admin in admin.site._registry.items():
            request = client.get(reverse("admin:index")).wsgi_request
            may_view = model_admin.has_view_permission(request)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url(model, "changelist"))
            assert response.status_code == (200 if may_view else 403), model
            if not may_view:
                continue
            assert len(queries) <= CHANGELIST_QUERY_BUDGET, (model, len(queries))
            assert_says_choose(response, model)

            first = model_admin.get_queryset(request).first()
            if first is not None:
                response = client.get(url(model, "change", first.pk))
                assert response.status_code == 200, model
                assert_says_choose(response, model)
            if model_admin.has_add_permission(request):
                response = client.get(url(model, "add"))
                assert response.status_code == 200, model
                assert_says_choose(response, model)


def assert_says_choose(response, model) -> None:
    """An empty select reads 请选择 in the back office as in the pages, never Django's dashes."""
    page = response.content.decode()
    assert ">---------<" not in page, model


def test_the_login_page_is_in_chinese(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert "以案促改" in response.content.decode()


def test_a_user_without_a_role_is_refused_the_back_office(world, client):
    client.force_login(User.objects.create_user("visitor", password="x-Visitor-2026"))

    assert client.get(reverse("admin:index")).status_code == 403


def test_a_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_rows_and_objects_outside_the_jurisdiction_stay_hidden(world, client, housing_case):
    county_case = factories.case(
        case_unit=world.units.education,
        commission=world.units.county,
        created_by=world.users.county_staff,
    )
    client.force_login(world.users.county_staff)

    listing = client.get(url(type(housing_case), "changelist"))
    outside = client.get(url(type(housing_case), "change", housing_case.pk))

    assert list(listing.context["cl"].result_list) == [county_case]
    assert outside.status_code == 302  # the admin's answer for "no such object"
    assert outside.url == reverse("admin:index")


@pytest.mark.parametrize("who", ["housing_officer", "supervisor"])
def test_officers_and_supervisors_have_no_back_office(world, client, housing_case, who):
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    client.force_login(getattr(world.users, who))

    for page in (
        reverse("admin:index"),
        url(Recommendation, "changelist"),
        url(Recommendation, "change", letter.pk),
        url(Recommendation, "history", letter.pk),
        url(type(housing_case), "change", housing_case.pk),
    ):
        response = client.get(page)
        assert response.status_code == 403, page
        html = response.content.decode()
        assert housing_case.number not in html
        # The site's own refusal page, with a way back to the user's home.
        assert 'data-testid="error-403"' in html and reverse("home") in html


def recommendation_form(world, the_case, **overrides) -> dict:
    return {
        "kind": Recommendation.Kind.LETTER,
        "title": "关于加强工程招投标监管的纪检监察建议书",
        "issuer": world.units.city.pk,
        "recipient_unit": world.units.housing.pk,
        "recipient_name": "市住建局党组",
        "cases": [the_case.pk],
        "preamble": "",
        "reply_due_on": "2026-12-31",
        **{f"{prefix}-{field}": value for prefix in INLINE_PREFIXES for field, value in EMPTY},
        **overrides,
    }


INLINE_PREFIXES = ["items", "replies", "transitions"]
EMPTY = [("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0")]


def test_a_new_recommendation_is_drafted_by_the_service(world, client, housing_case):
    client.force_login(world.users.city_staff)

    response = client.post(url(Recommendation, "add"), recommendation_form(world, housing_case))

    assert response.status_code == 302, response.context and response.context["errors"]
    draft = Recommendation.objects.get()
    assert (draft.status, draft.created_by) == (Recommendation.Status.DRAFT, world.users.city_staff)
    assert list(draft.cases.all()) == [housing_case]


def test_the_issue_action_numbers_the_document_and_reports_refusals(world, client, housing_case):
    ready = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    empty = factories.draft_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=0
    )
    client.force_login(world.users.city_staff)

    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)):
        response = client.post(
            url(Recommendation, "changelist"),
            {"action": "recommendation_issue", "_selected_action": [ready.pk, empty.pk]},
            follow=True,
        )

    ready.refresh_from_db()
    empty.refresh_from_db()
    assert (ready.status, ready.doc_number) == (Recommendation.Status.ISSUED, "长纪建〔2026〕1号")
    assert empty.status == Recommendation.Status.DRAFT
    assert messages_of(response) == [
        f"{empty}: 建议发出前至少需要一个建议事项。",
        "已更新 1 条记录。",
    ]


@pytest.fixture
def letter(world, housing_case):
    return factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)


def measure_form(letter, **overrides) -> dict:
    return {
        "item": letter.items.get().pk,
        "content": "修订工程招投标管理办法",
        "standard": "新办法经党组会审议印发",
        "department": "法规科",
        "owner_name": "李明",
        "owner": "",
        "leader_name": "王强",
        "due_on": "2026-06-30",
        "is_standing": "",
        **{f"{prefix}-{field}": value for prefix in MEASURE_INLINES for field, value in EMPTY},
        **overrides,
    }


def test_a_new_measure_is_planned_by_the_service(world, client, letter):
    client.force_login(world.users.city_staff)

    response = client.post(url(Measure, "add"), measure_form(letter))

    assert response.status_code == 302, response.context and response.context["errors"]
    measure = Measure.objects.get()
    assert measure.unit == world.units.housing
    assert measure.original_due_on == measure.due_on == datetime.date(2026, 6, 30)
    assert (measure.status, measure.created_by) == (
        Measure.Status.NOT_STARTED,
        world.users.city_staff,
    )


MEASURE_INLINES = ["progress_reports", "evidence", "transitions"]


def test_a_refused_measure_shows_the_reason_and_saves_nothing(world, client, letter):
    client.force_login(world.users.city_staff)

    response = client.post(
        url(Measure, "add"), measure_form(letter, due_on="2025-12-31"), follow=True
    )

    assert messages_of(response) == ["整改时限不能早于建议发文日期。"]
    assert not Measure.objects.exists()


def test_the_overdue_filter_reads_the_shanghai_date(world, client, letter):
    late = factories.measure(
        recommendation=letter, actor=world.users.housing_officer, due_on=datetime.date(2026, 3, 1)
    )
    factories.measure(
        recommendation=letter, actor=world.users.housing_officer, due_on=datetime.date(2026, 3, 2)
    )
    client.force_login(world.users.city_staff)

    # 2026-03-02 00:30 in Shanghai is still 1 March in UTC.
    with time_machine.travel(datetime.datetime(2026, 3, 1, 16, 30, tzinfo=datetime.UTC)):
        response = client.get(url(Measure, "changelist"), {"overdue": "current"})

    assert list(response.context["cl"].result_list) == [late]


def test_staff_approve_an_extension_from_the_list(world, client, letter):
    measure = factories.measure(recommendation=letter, actor=world.users.housing_officer)
    request = extension_request_submit(
        measure=measure,
        actor=world.users.housing_officer,
        requested_due_on=measure.due_on + datetime.timedelta(days=30),
        reason="需待上级文件出台后修订",
    )
    client.force_login(world.users.city_staff)

    client.post(
        url(ExtensionRequest, "changelist"),
        {"action": "extension_request_approve", "_selected_action": [request.pk]},
    )

    measure.refresh_from_db()
    request.refresh_from_db()
    assert request.status == ExtensionRequest.Status.APPROVED
    assert measure.due_on == measure.original_due_on + datetime.timedelta(days=30)


# Edits in the back office go through the same services as the pages and the API.


def draft_edit(draft, **overrides) -> dict:
    return {
        "kind": draft.kind,
        "title": draft.title,
        "issuer": draft.issuer_id,
        "recipient_unit": draft.recipient_unit_id,
        "recipient_name": draft.recipient_name,
        "cases": list(draft.cases.values_list("pk", flat=True)),
        "preamble": draft.preamble,
        "reply_due_on": f"{draft.reply_due_on:%Y-%m-%d}",
        **{f"{prefix}-{field}": value for prefix in INLINE_PREFIXES for field, value in EMPTY},
        **overrides,
    }


def spy_on(monkeypatch, module, name: str) -> list:
    """Record each call of ``module.name`` (which still runs)."""
    calls, real = [], getattr(module, name)

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


def test_an_edited_draft_is_written_by_the_service(world, client, housing_case, monkeypatch):
    from recommendations import services

    draft = factories.draft_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=0
    )
    second = factories.case(
        case_unit=world.units.housing,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )
    calls = spy_on(monkeypatch, services, "recommendation_update")
    client.force_login(world.users.city_staff)

    response = client.post(
        url(Recommendation, "change", draft.pk),
        draft_edit(draft, title="关于规范工程项目审批的纪检监察建议书", cases=[second.pk]),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert [call["actor"] for call in calls] == [world.users.city_staff]
    draft.refresh_from_db()
    assert draft.title == "关于规范工程项目审批的纪检监察建议书"
    assert list(draft.cases.all()) == [second]


def test_a_draft_edit_the_service_refuses_shows_its_reason(world, client, housing_case):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    second = factories.case(
        case_unit=world.units.housing,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )
    client.force_login(world.users.city_staff)

    # Its item cites a problem of the case taken off: the service refuses, the form cannot know.
    response = client.post(
        url(Recommendation, "change", draft.pk),
        draft_edit(draft, title="改过的标题", cases=[second.pk]),
        follow=True,
    )

    assert response.status_code == 200
    assert messages_of(response) == ["有建议事项关联了被移除案件的问题：请先修改这些事项。"]
    draft.refresh_from_db()
    assert draft.title != "改过的标题"
    assert list(draft.cases.all()) == [housing_case]


REFUSED = "您无权进行此操作。"


def test_a_letter_issued_while_its_draft_was_edited_is_not_changed(
    world, client, housing_case, monkeypatch
):
    from recommendations import services
    from recommendations.admin import RecommendationAdmin

    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    real_save_form = RecommendationAdmin.save_form

    def issued_meanwhile(self, request, form, change):
        # Another tab issues the letter after the admin checked it could be changed.
        services.recommendation_issue(recommendation=draft, actor=world.users.city_staff)
        return real_save_form(self, request, form, change)

    monkeypatch.setattr(RecommendationAdmin, "save_form", issued_meanwhile)
    client.force_login(world.users.city_staff)

    response = client.post(
        url(Recommendation, "change", draft.pk),
        draft_edit(draft, title="改过的标题"),
        follow=True,
    )

    # The service re-checks under the letter's current state: no longer a draft, no longer the
    # staff's to change (its refusal, not a 500, and the page's one transaction rolled back).
    assert response.status_code == 200
    assert messages_of(response) == [REFUSED]
    draft.refresh_from_db()
    assert (draft.title, draft.status) == (
        "关于推进以案促改工作的纪检监察建议",
        Recommendation.Status.DRAFT,
    )


def test_a_closed_letter_cannot_be_edited_in_the_back_office(world, client, letter):
    closed = Recommendation.objects.filter(pk=letter.pk)
    closed.update(status=Recommendation.Status.CLOSED)
    client.force_login(world.users.city_staff)

    response = client.post(
        url(Recommendation, "change", letter.pk), draft_edit(letter, title="改过的标题")
    )

    assert response.status_code == 403
    assert closed.get().title != "改过的标题"


def measure_edit(measure, **overrides) -> dict:
    return {
        "content": measure.content,
        "standard": measure.standard,
        "department": measure.department,
        "owner_name": measure.owner_name,
        "leader_name": measure.leader_name,
        **{f"{prefix}-{field}": value for prefix in MEASURE_INLINES for field, value in EMPTY},
        **overrides,
    }


def test_an_edited_measure_is_written_by_the_service(world, client, letter, monkeypatch):
    from reforms import services

    measure = factories.measure(recommendation=letter, actor=world.users.housing_officer)
    calls = spy_on(monkeypatch, services, "measure_update")
    client.force_login(world.users.city_staff)

    page = client.get(url(Measure, "change", measure.pk)).content.decode()
    response = client.post(
        url(Measure, "change", measure.pk),
        # The standing flag is not the service's to change: posted, it is ignored.
        measure_edit(measure, owner_name="赵敏", department="办公室", is_standing="on"),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert [call["actor"] for call in calls] == [world.users.city_staff]
    # Only what measure_update changes is a field of the form, as on the measure page.
    assert 'name="content"' in page and 'name="is_standing"' not in page
    assert 'name="owner"' not in page and 'name="due_on"' not in page
    saved = Measure.objects.get(pk=measure.pk)
    assert (saved.owner_name, saved.department) == ("赵敏", "办公室")
    assert saved.is_standing == measure.is_standing
    assert saved.status == measure.status


def test_a_measure_edit_the_service_refuses_shows_its_reason(world, client, letter, monkeypatch):
    from reforms.admin import MeasureAdmin

    measure = factories.measure(recommendation=letter, actor=world.users.housing_officer)
    real_save_form = MeasureAdmin.save_form

    def signed_off_meanwhile(self, request, form, change):
        Measure.objects.filter(pk=measure.pk).update(
            status=Measure.Status.SIGNED_OFF, signed_off_on=datetime.date(2026, 3, 2)
        )
        return real_save_form(self, request, form, change)

    monkeypatch.setattr(MeasureAdmin, "save_form", signed_off_meanwhile)
    client.force_login(world.users.city_staff)

    response = client.post(
        url(Measure, "change", measure.pk), measure_edit(measure, owner_name="赵敏"), follow=True
    )

    assert response.status_code == 200
    assert messages_of(response) == [REFUSED]
    assert Measure.objects.get(pk=measure.pk).owner_name == measure.owner_name


def test_a_rule_change_added_in_the_back_office_is_written_by_the_service(world, client, letter):
    from reforms.models import RuleChange

    measure = factories.measure(recommendation=letter, actor=world.users.housing_officer)
    client.force_login(world.users.city_staff)

    response = client.post(
        url(RuleChange, "add"),
        {
            "measure": measure.pk,
            "recommendation": letter.pk,
            "kind": RuleChange.Kind.REVISED,
            "title": "工程建设项目招投标管理办法",
            "effective_on": "2026-03-01",
        },
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    rule_change = RuleChange.objects.get()
    assert (rule_change.unit, rule_change.created_by) == (measure.unit, world.users.city_staff)


def test_an_activity_refused_by_the_service_saves_nothing(world, client, letter):
    from reforms.models import Activity

    client.force_login(world.users.city_staff)
    response = client.post(
        url(Activity, "add"),
        {
            "recommendation": letter.pk,
            "kind": Activity.Kind.WARNING_EDUCATION,
            "title": "警示教育大会",
            "held_on": "2099-01-01",
            "participant_count": 120,
            "notes": "",
        },
        follow=True,
    )

    assert messages_of(response) == ["活动须在举办后登记，开展日期不能晚于今天。"]
    assert not Activity.objects.exists()
