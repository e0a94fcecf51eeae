"""Outcomes (整改成效): rule changes (立改废释) and activities, recorded by the unit's officer for
their unit and by staff in scope, from the measure page, the recommendation page and the API;
refused to supervisors and administrators, validated with Chinese messages, audited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from audit.models import AuditEntry
from core.domain import DomainError, PermissionRefused, shanghai_today
from reforms import services
from reforms.models import Activity, RuleChange
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
RULE = {"rule-kind": "revised", "rule-title": "修订《招投标管理办法》", "rule-effective_on": ""}


def activity_post(**changes):
    return {
        "activity-kind": "warning_education",
        "activity-title": "以案促改警示教育大会",
        "activity-held_on": shanghai_today().isoformat(),
        "activity-participant_count": "120",
        "activity-notes": "",
    } | changes


@pytest.fixture
def measure(letter, world):
    return factories.measure(recommendation=letter, actor=world.users.housing_officer)


def api(user):
    token = factories.api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.django_db
class TestServices:
    def test_officer_records_a_rule_change_for_a_measure(self, world, measure):
        rule = services.rule_change_create(
            actor=world.users.housing_officer,
            measure=measure,
            kind=RuleChange.Kind.REVISED,
            title="  修订《招投标管理办法》 ",
            effective_on=datetime.date(2026, 3, 1),
        )
        assert (rule.unit, rule.recommendation, rule.measure) == (
            measure.unit,
            measure.item.recommendation,
            measure,
        )
        assert rule.title == "修订《招投标管理办法》"
        assert rule.created_by == world.users.housing_officer

    def test_staff_in_scope_records_an_activity_for_the_letter(self, world, letter):
        activity = services.activity_create(
            actor=world.users.city_staff,
            recommendation=letter,
            kind=Activity.Kind.JOB_ROTATION,
            title="关键岗位轮岗交流",
            held_on=datetime.date(2026, 4, 1),
            participant_count=6,
        )
        assert activity.unit == letter.recipient_unit

    @pytest.mark.parametrize("who", ["supervisor", "system_admin", "audit_admin"])
    def test_roles_that_do_not_write_outcomes_are_refused(self, world, measure, who):
        with pytest.raises(PermissionRefused):
            services.rule_change_create(
                actor=getattr(world.users, who), measure=measure, kind="revised", title="x"
            )

    @pytest.mark.parametrize("who", ["health_officer", "county_staff", "other_staff"])
    def test_outside_the_jurisdiction_is_refused(self, world, measure, letter, who):
        with pytest.raises(PermissionRefused):
            services.rule_change_create(
                actor=getattr(world.users, who), measure=measure, kind="revised", title="x"
            )
        with pytest.raises(PermissionRefused):
            services.activity_create(
                actor=getattr(world.users, who),
                recommendation=letter,
                kind="warning_education",
                title="x",
                held_on=datetime.date(2026, 4, 1),
                participant_count=1,
            )

    def test_officer_of_another_unit_cannot_change_or_delete(self, world, letter):
        activity = services.activity_create(
            actor=world.users.housing_officer,
            recommendation=letter,
            kind="admonition_talk",
            title="提醒谈话",
            held_on=datetime.date(2026, 4, 1),
            participant_count=3,
        )
        stranger = world.users.health_officer
        with pytest.raises(PermissionRefused):
            services.activity_update(
                activity=activity,
                actor=stranger,
                kind="admonition_talk",
                title="改",
                held_on=activity.held_on,
                participant_count=3,
            )
        with pytest.raises(PermissionRefused):
            services.activity_delete(activity=activity, actor=stranger)
        services.activity_delete(activity=activity, actor=world.users.city_staff)
        assert not Activity.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"title": "  "}, "请填写"),
            ({"participant_count": 0}, "参加人数"),
            # More than the column holds (a page, an import): words, not a database error.
            ({"participant_count": 2**31}, "参加人数"),
            ({"held_on": datetime.date(2099, 1, 1)}, "举办后"),
            ({"held_on": datetime.date(2025, 12, 1)}, "早于建议书印发日期"),
            ({"kind": "party"}, "活动类型"),
        ],
    )
    def test_validation_errors_are_in_chinese(self, world, letter, changes, message):
        fields = {
            "kind": "warning_education",
            "title": "警示教育大会",
            "held_on": datetime.date(2026, 4, 1),
            "participant_count": 10,
        }
        with translation.override("zh-hans"), pytest.raises(DomainError) as refusal:
            services.activity_create(
                actor=world.users.housing_officer, recommendation=letter, **fields | changes
            )
        assert message in str(refusal.value.message)

    def test_a_rule_change_needs_a_measure_or_a_letter(self, world):
        with translation.override("zh-hans"), pytest.raises(DomainError) as refusal:
            services.rule_change_create(actor=world.users.city_staff, kind="revised", title="x")
        assert "建议书" in str(refusal.value.message)

    def test_writes_are_audited(self, world, measure):
        rule = services.rule_change_create(
            actor=world.users.housing_officer, measure=measure, kind="established", title="新制度"
        )
        created = AuditEntry.objects.filter(
            action=AuditEntry.Action.CREATE, object_type__icontains="rule", object_id=str(rule.pk)
        )
        assert created.exists()
        services.rule_change_update(
            rule_change=rule,
            actor=world.users.city_staff,
            kind="revised",
            title="新制度",
            effective_on=None,
        )
        pk = rule.pk
        services.rule_change_delete(rule_change=rule, actor=world.users.city_staff)
        actions = set(
            AuditEntry.objects.filter(
                object_id=str(pk), object_type="reforms.rulechange"
            ).values_list("action", flat=True)
        )
        assert {"create", "update", "delete"} <= actions


@pytest.mark.django_db
class TestMeasurePage:
    def test_the_officer_sees_the_forms_and_records_with_htmx(self, client, world, measure):
        client.force_login(world.users.housing_officer)
        page = client.get(reverse("reforms:measure_detail", args=[measure.pk]))
        assert b'data-testid="add-rule-change"' in page.content
        assert b'data-testid="add-activity"' in page.content
        url = reverse("reforms:measure_rule_change_add", args=[measure.pk])
        answer = client.post(url, RULE, **HTMX)
        assert answer.status_code == 200
        assert "修订《招投标管理办法》" in answer.content.decode()
        assert RuleChange.objects.get().measure == measure
        url = reverse("reforms:measure_activity_add", args=[measure.pk])
        answer = client.post(url, activity_post(), **HTMX)
        assert answer.status_code == 200
        assert Activity.objects.get().recommendation == measure.item.recommendation

    def test_staff_in_scope_records_without_htmx(self, client, world, measure):
        client.force_login(world.users.city_staff)
        url = reverse("reforms:measure_rule_change_add", args=[measure.pk])
        answer = client.post(url, RULE)
        assert answer.status_code == 302
        assert RuleChange.objects.filter(created_by=world.users.city_staff).exists()

    def test_a_refusal_shows_next_to_the_form_in_chinese(self, client, world, measure):
        client.force_login(world.users.housing_officer)
        url = reverse("reforms:measure_activity_add", args=[measure.pk])
        answer = client.post(
            url,
            activity_post(**{"activity-held_on": "2099-01-01"}),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
            **HTMX,
        )
        assert answer.status_code == 400
        assert "举办后" in answer.content.decode()
        assert not Activity.objects.exists()

    def test_without_htmx_a_refusal_reopens_the_page_with_the_form(self, client, world, measure):
        client.force_login(world.users.housing_officer)
        url = reverse("reforms:measure_activity_add", args=[measure.pk])
        answer = client.post(
            url,
            activity_post(**{"activity-participant_count": "0"}),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert answer.status_code == 400
        page = answer.content.decode()
        assert "请填写参加人数" in page
        assert 'data-testid="report-progress"' in page  # the rest of the page is there

    def test_the_supervisor_reads_but_is_refused(self, client, world, measure):
        client.force_login(world.users.supervisor)
        page = client.get(reverse("reforms:measure_detail", args=[measure.pk]))
        assert page.status_code == 200
        assert b'data-testid="add-rule-change"' not in page.content
        url = reverse("reforms:measure_rule_change_add", args=[measure.pk])
        assert client.post(url, RULE).status_code == 403
        assert not RuleChange.objects.exists()

    def test_an_officer_of_another_unit_gets_404(self, client, world, measure):
        client.force_login(world.users.health_officer)
        url = reverse("reforms:measure_rule_change_add", args=[measure.pk])
        assert client.post(url, RULE).status_code == 404
        rule = services.rule_change_create(
            actor=world.users.housing_officer, measure=measure, kind="revised", title="x"
        )
        delete = reverse("reforms:rule_change_delete", args=[rule.pk])
        assert client.post(delete).status_code == 404
        assert RuleChange.objects.exists()

    def test_the_officer_deletes_with_htmx(self, client, world, measure):
        rule = services.rule_change_create(
            actor=world.users.housing_officer, measure=measure, kind="revised", title="旧办法"
        )
        client.force_login(world.users.housing_officer)
        delete = reverse("reforms:rule_change_delete", args=[rule.pk])
        answer = client.post(delete, {"measure": measure.pk}, **HTMX)
        assert answer.status_code == 200
        assert not RuleChange.objects.exists()

    def test_a_refused_delete_answers_its_status_with_or_without_htmx(
        self, client, world, measure, monkeypatch
    ):
        """A refusal from the service (its permission withdrawn between the page and the click):
        the htmx fragment and the plain page answer the same 403, not a 302 with a message."""
        rule = services.rule_change_create(
            actor=world.users.housing_officer, measure=measure, kind="revised", title="旧办法"
        )

        def withdrawn(**kwargs):
            raise PermissionRefused()

        monkeypatch.setattr(services, "rule_change_delete", withdrawn)
        client.force_login(world.users.housing_officer)
        delete = reverse("reforms:rule_change_delete", args=[rule.pk])

        htmx = client.post(delete, {"measure": measure.pk}, **HTMX)
        plain = client.post(delete, {"measure": measure.pk})

        assert (htmx.status_code, plain.status_code) == (403, 403)
        assert 'data-testid="refusal"' in plain.content.decode()
        assert RuleChange.objects.exists()


@pytest.mark.django_db
class TestRecommendationPage:
    @pytest.mark.parametrize("who", ["housing_officer", "city_staff"])
    def test_the_letter_lists_its_outcomes_and_offers_the_forms(self, client, world, letter, who):
        services.activity_create(
            actor=world.users.housing_officer,
            recommendation=letter,
            kind="special_meeting",
            title="专题民主生活会",
            held_on=datetime.date(2026, 4, 1),
            participant_count=9,
        )
        client.force_login(getattr(world.users, who))
        page = client.get(reverse("recommendations:detail", args=[letter.pk])).content.decode()
        assert 'data-testid="outcomes"' in page
        assert "专题民主生活会" in page
        assert 'data-testid="add-activity"' in page
        url = reverse("reforms:recommendation_rule_change_add", args=[letter.pk])
        answer = client.post(url, RULE, **HTMX)
        assert answer.status_code == 200
        assert RuleChange.objects.get().measure is None

    def test_without_htmx_a_refusal_goes_back_with_its_message(self, client, world, letter):
        client.force_login(world.users.city_staff)
        url = reverse("reforms:recommendation_rule_change_add", args=[letter.pk])
        body = RULE | {"rule-effective_on": "2025-01-01"}
        answer = client.post(url, body, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
        assert "施行日期不能早于建议书印发日期" in answer.content.decode()
        assert not RuleChange.objects.exists()

    def test_the_supervisor_sees_outcomes_without_forms(self, client, world, letter):
        client.force_login(world.users.supervisor)
        page = client.get(reverse("recommendations:detail", args=[letter.pk])).content.decode()
        assert 'data-testid="outcomes"' in page
        assert 'data-testid="add-activity"' not in page
        url = reverse("reforms:recommendation_activity_add", args=[letter.pk])
        assert client.post(url, activity_post()).status_code == 403


@pytest.mark.django_db
class TestApi:
    def test_officer_creates_updates_and_deletes(self, world, measure):
        client = api(world.users.housing_officer)
        answer = client.post(
            "/api/v1/rule-changes/",
            {"measure": measure.pk, "kind": "revised", "title": "修订办法"},
            format="json",
        )
        assert answer.status_code == 201, answer.content
        body = answer.json()
        assert body["measure"] == measure.pk
        assert body["recommendation"] == measure.item.recommendation_id
        pk = body["id"]
        answer = client.patch(f"/api/v1/rule-changes/{pk}/", {"kind": "abolished"}, format="json")
        assert answer.json()["kind"] == "abolished"
        assert client.delete(f"/api/v1/rule-changes/{pk}/").status_code == 204
        assert not RuleChange.objects.filter(pk=pk).exists()
        entries = AuditEntry.objects.filter(object_id=str(pk), object_type="reforms.rulechange")
        assert set(entries.values_list("action", flat=True)) >= {"create", "update", "delete"}
        assert set(entries.values_list("username", flat=True)) == {"housing_officer"}

    def test_validation_error_in_chinese(self, world, letter):
        client = api(world.users.housing_officer)
        answer = client.post(
            "/api/v1/activities/",
            {
                "recommendation": letter.pk,
                "kind": "warning_education",
                "title": "警示教育",
                "held_on": "2025-12-01",
                "participant_count": 5,
            },
            format="json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert answer.status_code == 422
        assert "早于建议书印发日期" in answer.json()["detail"]

    def test_officer_of_another_unit(self, world, measure):
        rule = services.rule_change_create(
            actor=world.users.housing_officer, measure=measure, kind="revised", title="x"
        )
        client = api(world.users.health_officer)
        answer = client.post(
            "/api/v1/rule-changes/",
            {"measure": measure.pk, "kind": "revised", "title": "x"},
            format="json",
        )
        assert answer.status_code == 422
        assert "measure" in answer.json()["errors"]
        assert (
            client.patch(
                f"/api/v1/rule-changes/{rule.pk}/", {"title": "y"}, format="json"
            ).status_code
            == 404
        )
        assert client.delete(f"/api/v1/rule-changes/{rule.pk}/").status_code == 404

    def test_supervisor_is_refused(self, world, letter):
        client = api(world.users.supervisor)
        answer = client.post(
            "/api/v1/activities/",
            {
                "recommendation": letter.pk,
                "kind": "warning_education",
                "title": "x",
                "held_on": "2026-04-01",
                "participant_count": 5,
            },
            format="json",
        )
        assert answer.status_code == 403


def test_a_letter_of_hundreds_of_outcomes_shows_the_latest_and_counts_them(world, client, letter):
    """Seed 000 revised 314 rules: the page lists the latest ten of each and says how many."""
    for number in range(12):
        services.rule_change_create(
            actor=world.users.housing_officer,
            recommendation=letter,
            kind="established",
            title=f"制度{number}",
        )
    client.force_login(world.users.city_staff)

    page = client.get(reverse("recommendations:detail", args=[letter.pk])).content.decode()

    assert page.count("bi-trash") >= 10
    assert "制度11" in page and "制度1<" not in page
    assert "共12项，显示最近10项。" in page
    statistics = reverse("statistics:records", args=["rule-changes"])
    assert f"{statistics}?recommendation={letter.pk}" in page
    client.force_login(world.users.housing_officer)
    officer_page = client.get(reverse("recommendations:detail", args=[letter.pk])).content.decode()
    assert "共12项，显示最近10项。" in officer_page
    assert statistics not in officer_page  # officers read no statistics


def test_the_letters_page_leads_readers_of_statistics_to_its_figures(world, client, letter):
    link = f"{reverse('statistics:index')}?recommendation={letter.pk}"
    client.force_login(world.users.city_staff)
    assert link in client.get(reverse("recommendations:detail", args=[letter.pk])).content.decode()
    client.force_login(world.users.housing_officer)
    assert (
        link not in client.get(reverse("recommendations:detail", args=[letter.pk])).content.decode()
    )
    client.force_login(world.users.city_staff)
    assert client.get(link).status_code == 200
