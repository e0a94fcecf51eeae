"""Correcting a draft before it is issued: its particulars, its items, their order."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from core.domain import PermissionRefused, TransitionRefused
from recommendations import services
from recommendations.models import Recommendation
from tests import factories

Status = Recommendation.Status
DUE = datetime.date(2027, 1, 29)


@pytest.fixture
def client(client):
    """Pages in English, so assertions read the exact refusal messages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def particulars(recommendation, **changes) -> dict:
    fields = {
        "title": recommendation.title,
        "kind": recommendation.kind,
        "issuer": recommendation.issuer,
        "recipient_unit": recommendation.recipient_unit,
        "recipient_name": recommendation.recipient_name,
        "cases": list(recommendation.cases.all()),
        "preamble": recommendation.preamble,
        "reply_due_on": recommendation.reply_due_on,
    }
    return fields | changes


def numbered(recommendation) -> list[tuple[int, str]]:
    return list(recommendation.items.order_by("number").values_list("number", "content"))


class TestServices:
    def test_staff_correct_the_particulars_of_their_draft(self, world, recommendation_in):
        draft = recommendation_in(Status.DRAFT)
        services.recommendation_update(
            recommendation=draft,
            actor=world.users.city_staff,
            **particulars(draft, title="关于加强工程建设领域监管的纪检监察建议", reply_due_on=DUE),
        )
        draft.refresh_from_db()
        assert (draft.title, draft.reply_due_on) == ("关于加强工程建设领域监管的纪检监察建议", DUE)

    def test_an_issued_recommendation_is_not_edited(self, world, recommendation_in):
        issued = recommendation_in(Status.ISSUED)
        with pytest.raises(PermissionRefused):
            services.recommendation_update(
                recommendation=issued,
                actor=world.users.city_staff,
                **particulars(issued, title="改过的标题"),
            )

    def test_a_case_its_items_cite_stays_on_the_draft(self, world, housing_case, recommendation_in):
        draft = recommendation_in(Status.DRAFT)
        other = factories.case(
            case_unit=world.units.housing,
            commission=world.units.city,
            created_by=world.users.city_staff,
        )
        with pytest.raises(TransitionRefused, match="change those items first"):
            services.recommendation_update(
                recommendation=draft,
                actor=world.users.city_staff,
                **particulars(draft, cases=[other]),
            )
        assert list(draft.cases.all()) == [housing_case]

    def test_removing_an_item_moves_the_later_ones_up(self, world, recommendation_in):
        draft = recommendation_in(Status.DRAFT, items=3)
        services.recommendation_item_remove(
            item=draft.items.get(number=1), actor=world.users.city_staff
        )
        assert numbered(draft) == [(1, "第2项：建立健全制度"), (2, "第3项：建立健全制度")]

    def test_an_item_is_reworded_and_relinked(self, world, housing_case, recommendation_in):
        draft = recommendation_in(Status.DRAFT)
        item = draft.items.get()
        problem = factories.problem(housing_case, description="变更签证无集体研究")
        services.recommendation_item_update(
            item=item, actor=world.users.city_staff, content="规范变更签证", problems=[problem]
        )
        item.refresh_from_db()
        assert item.content == "规范变更签证"
        assert list(item.problems.all()) == [problem]

    def test_items_of_an_issued_letter_stay_as_issued(self, world, recommendation_in):
        issued = recommendation_in(Status.ISSUED)
        item = issued.items.get()
        with pytest.raises(PermissionRefused):
            services.recommendation_item_remove(item=item, actor=world.users.city_staff)
        with pytest.raises(PermissionRefused):
            services.recommendation_item_update(
                item=item, actor=world.users.city_staff, content="改", problems=[]
            )


class TestPages:
    def test_staff_edit_their_draft(self, world, client, recommendation_in, housing_case):
        draft = recommendation_in(Status.DRAFT)
        client.force_login(world.users.city_staff)
        url = reverse("recommendations:edit", args=[draft.pk])

        page = client.get(url)
        assert page.status_code == 200
        assert 'value="关于推进以案促改工作的纪检监察建议"' in page.content.decode()

        response = client.post(
            url,
            {
                "title": "新标题",
                "kind": draft.kind,
                "issuer": draft.issuer_id,
                "recipient_unit": draft.recipient_unit_id,
                "cases": [housing_case.pk],
                "deadline_mode": "date",
                "reply_due_on": DUE.isoformat(),
            },
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert (draft.title, draft.reply_due_on) == ("新标题", DUE)

    @pytest.mark.parametrize(
        ("username", "status"),
        [("supervisor", 403), ("housing_officer", 404), ("other_staff", 404)],
    )
    def test_nobody_else_edits_it(self, world, client, recommendation_in, username, status):
        draft = recommendation_in(Status.DRAFT)
        client.force_login(getattr(world.users, username))
        assert client.get(reverse("recommendations:edit", args=[draft.pk])).status_code == status

    def test_an_issued_letter_has_no_edit_page(self, world, client, recommendation_in):
        issued = recommendation_in(Status.ISSUED)
        client.force_login(world.users.city_staff)
        assert client.get(reverse("recommendations:edit", args=[issued.pk])).status_code == 403
        assert (
            'data-testid="edit-draft"'
            not in client.get(reverse("recommendations:detail", args=[issued.pk])).content.decode()
        )

    def test_an_item_is_edited_and_removed_in_place(self, world, client, recommendation_in):
        draft = recommendation_in(Status.DRAFT, items=2)
        first, second = draft.items.order_by("number")
        client.force_login(world.users.city_staff)
        htmx = {"HTTP_HX_REQUEST": "true"}

        form = client.get(reverse("recommendations:item_edit", args=[first.pk]), **htmx)
        assert 'data-testid="item-edit-form"' in form.content.decode()

        saved = client.post(
            reverse("recommendations:item_edit", args=[first.pk]),
            {f"item{first.pk}-content": "建立评审专家随机抽取制度"},
            **htmx,
        )
        assert saved.status_code == 200
        assert "建立评审专家随机抽取制度" in saved.content.decode()

        removed = client.post(reverse("recommendations:item_remove", args=[first.pk]), **htmx)
        assert removed.status_code == 200
        assert numbered(draft) == [(1, second.content)]

    def test_an_empty_item_is_refused_next_to_its_form(self, world, client, recommendation_in):
        draft = recommendation_in(Status.DRAFT)
        item = draft.items.get()
        client.force_login(world.users.city_staff)

        response = client.post(
            reverse("recommendations:item_edit", args=[item.pk]),
            {f"item{item.pk}-content": ""},
            HTTP_HX_REQUEST="true",
        )

        assert response.status_code == 400
        assert 'data-testid="item-edit-form"' in response.content.decode()
        item.refresh_from_db()
        assert item.content == "第1项：建立健全制度"
