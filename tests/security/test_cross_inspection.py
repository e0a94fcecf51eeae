"""交叉检查's promise: an inspector unit's officer sees the campaign, the checklist and the rows
and answers of the unit it inspects — never that unit's rectification list, its items, its
measures, nor any other unit's row; the inspected unit's officer reads its own row without
answering it; an unrelated officer sees none of it. On the pages, the sheet and the API alike.

In the scene the housing bureau is inspected by one peer and inspects another
(``inspected_campaign_unit``), whose answers its officer submitted; a spot check found what it
missed."""

import pytest
from django.urls import reverse

from campaigns.models import CampaignAnswer, CampaignUnit, SpotCheckFinding
from recommendations.models import Recommendation, RecommendationItem
from reforms.models import Measure
from tests import factories

from .clients import client_for, signed_in, with_csrf_cookie


@pytest.fixture
def inspected_measure(scene, db):
    """A measure the inspected unit planned on the list the inspection made."""
    row = scene.inside.inspected_campaign_unit
    officer = factories.user("unit_officer", row.unit, "inspected_officer")
    return factories.measure(
        recommendation=row.rectification, actor=officer, due_on=row.rectification.reply_due_on
    )


def test_the_inspector_reads_the_row_it_inspects_and_no_other(scene, user_of, db):
    officer = user_of("officer")
    inside = scene.inside
    rows = set(
        CampaignUnit.objects.restrict(officer)
        .filter(campaign=inside.cross_campaign)
        .values_list("pk", flat=True)
    )
    assert rows == {inside.cross_campaign_unit.pk, inside.inspected_campaign_unit.pk}
    page = signed_in(officer)
    detail = page.get(reverse("campaigns:detail", args=[inside.cross_campaign.pk]))
    assert detail.status_code == 200
    assert {row.pk for row in detail.context["rows"]} == rows
    answers = page.get(reverse("campaigns:answer", args=[inside.inspected_campaign_unit.pk]))
    assert answers.status_code == 200 and "评标专家由分管领导指定" in answers.content.decode()
    third = inside.cross_campaign.units.exclude(pk__in=rows).get()
    assert page.get(reverse("campaigns:answer", args=[third.pk])).status_code == 404
    assert client_for(officer).get(f"/api/v1/campaign-units/{third.pk}/").status_code == 404


def test_the_inspector_never_reads_the_inspected_units_list_or_measures(
    scene, user_of, inspected_measure, db
):
    officer = user_of("officer")
    row = scene.inside.inspected_campaign_unit
    rectification = row.rectification
    assert not Recommendation.objects.restrict(officer).filter(pk=rectification.pk).exists()
    assert (
        not RecommendationItem.objects.restrict(officer)
        .filter(recommendation=rectification)
        .exists()
    )
    assert not Measure.objects.restrict(officer).filter(pk=inspected_measure.pk).exists()
    page = signed_in(officer)
    for address in (
        reverse("recommendations:detail", args=[rectification.pk]),
        reverse("documents:letter", args=[rectification.pk]),
        reverse("reforms:measure_detail", args=[inspected_measure.pk]),
    ):
        assert page.get(address).status_code == 404, address
    for shown in (
        page.get(reverse("campaigns:detail", args=[row.campaign_id])),
        page.get(reverse("campaigns:answer", args=[row.pk])),
    ):
        html = shown.content.decode()
        assert rectification.doc_number not in html
        assert reverse("recommendations:detail", args=[rectification.pk]) not in html
        assert inspected_measure.content not in html
    api = client_for(officer)
    body = api.get(f"/api/v1/campaign-units/{row.pk}/").json()
    assert body["rectification"] is None and body["open_count"] is None
    assert all(answer["rectification_item"] is None for answer in body["answers"])
    assert api.get(f"/api/v1/recommendations/{rectification.pk}/").status_code == 404
    assert api.get(f"/api/v1/measures/{inspected_measure.pk}/").status_code == 404
    spot = api.get(f"/api/v1/spot-check-findings/{scene.inside.spot_check.pk}/")
    assert spot.status_code == 200 and spot.json()["missed"] is True


def test_the_inspected_unit_reads_its_row_but_does_not_answer(scene, user_of, db):
    """The housing bureau's own row is inspected by a peer: its officer reads it, may not answer."""
    officer = user_of("officer")
    row = scene.inside.cross_campaign_unit
    page = signed_in(officer)
    shown = page.get(reverse("campaigns:answer", args=[row.pk]))
    assert shown.status_code == 200 and shown.context["editable"] is False
    item = row.campaign.items.get()
    refused = page.post(
        reverse("campaigns:answer", args=[row.pk]),
        {f"item-{item.pk}-found": "no", "save": "1"},
        HTTP_X_CSRFTOKEN=with_csrf_cookie(page),
    )
    assert refused.status_code == 403  # the rule's refusal, the CSRF token being right
    assert refused.context["error"]  # the service's refusal shown on the page
    api = client_for(officer).post(
        f"/api/v1/campaign-units/{row.pk}/answer/",
        {"answers": [{"item": item.pk, "found": False}]},
        format="json",
    )
    assert api.status_code == 403
    assert not CampaignAnswer.objects.filter(campaign_unit=row).exists()


def test_an_unrelated_officer_sees_nothing_of_the_cross_inspection(scene, user_of, db):
    officer = user_of("other_officer")
    inside = scene.inside
    page, api = signed_in(officer), client_for(officer)
    assert page.get(reverse("campaigns:detail", args=[inside.cross_campaign.pk])).status_code == 404
    for row in inside.cross_campaign.units.all():
        assert page.get(reverse("campaigns:answer", args=[row.pk])).status_code == 404
        assert api.get(f"/api/v1/campaign-units/{row.pk}/").status_code == 404
    assert not SpotCheckFinding.objects.restrict(officer).exists()
    assert api.get("/api/v1/spot-check-findings/").json()["results"] == []
    assert api.get(f"/api/v1/spot-check-findings/{inside.spot_check.pk}/").status_code == 404
