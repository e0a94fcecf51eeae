"""The evaluation templates in the back office: the system administrator keeps them; a template
a session has used is frozen; the weights add up to 100."""

import pytest

from recommendations.models import EvaluationTemplate, Recommendation

from .evaluation_helpers import SessionStatus, default_template, session_in

CHANGELIST = "/admin/recommendations/evaluationtemplate/"


def change_form(template) -> str:
    return f"{CHANGELIST}{template.pk}/change/"


def inline_data(template, **changes) -> dict:
    indicators = list(template.indicators.all())
    data = {
        "name": template.name,
        "description": template.description,
        "is_active": "on",
        "indicators-TOTAL_FORMS": str(len(indicators)),
        "indicators-INITIAL_FORMS": str(len(indicators)),
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
    }
    for n, indicator in enumerate(indicators):
        for name in ("position", "group", "name", "guidance", "weight", "max_score", "metric"):
            data[f"indicators-{n}-{name}"] = getattr(indicator, name)
        data[f"indicators-{n}-id"] = indicator.pk
        data[f"indicators-{n}-template"] = template.pk
    return data | changes


def test_the_system_administrator_edits_a_template(world, client):
    template = default_template()
    client.force_login(world.users.system_admin)

    assert client.get(CHANGELIST).status_code == 200
    form = client.get(change_form(template)).content.decode()
    assert ">---------<" not in form and "请选择" in form
    wrong = client.post(change_form(template), inline_data(template, **{"indicators-0-weight": 11}))
    assert wrong.status_code == 200
    assert "权重合计为 101" in wrong.content.decode()
    moved = inline_data(template, **{"indicators-0-weight": 11, "indicators-1-weight": 9})
    assert client.post(change_form(template), moved).status_code == 302
    assert list(template.indicators.values_list("weight", flat=True)[:2]) == [11, 9]


@pytest.mark.parametrize("username", ["city_staff", "supervisor", "security_admin"])
def test_only_the_system_administrator_changes_templates(username, world, client):
    template = default_template()
    client.force_login(getattr(world.users, username))

    client.post(change_form(template), inline_data(template, **{"indicators-0-name": "改"}))

    assert template.indicators.first().name == "问题查找精准"


def test_a_template_in_use_is_frozen_and_copied(world, client, recommendation_in):
    template = default_template()
    session_in(world, recommendation_in(Recommendation.Status.CLOSED), SessionStatus.SCHEDULED)
    client.force_login(world.users.system_admin)

    client.post(change_form(template), inline_data(template, **{"indicators-0-name": "改"}))
    assert template.indicators.first().name == "问题查找精准"

    client.post(CHANGELIST, {"action": "copy_templates", "_selected_action": [template.pk]})
    copy = EvaluationTemplate.objects.exclude(pk=template.pk).get()
    assert (copy.name, copy.is_active, copy.indicators.count()) == (
        "以案促改质效评估指标（默认）（副本）",
        False,
        11,
    )
