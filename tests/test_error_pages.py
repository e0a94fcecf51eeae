"""The error pages speak Chinese, in the site's layout, with a way back (DEBUG off, as deployed)."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from tests import factories


def test_a_missing_page_is_the_sites_404(world, client):
    client.force_login(world.users.city_staff)

    response = client.get("/cases/999999/")

    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="error-404"' in html and "您要打开的页面不存在" in html
    assert reverse("home") in html and 'id="main-nav"' in html  # the layout and its menu


def test_a_refusal_is_the_sites_403(world, client):
    client.force_login(world.users.housing_officer)

    response = client.get(reverse("dashboard:index"))

    assert response.status_code == 403
    assert "您无权打开此页面" in response.content.decode()


def test_a_form_sent_without_its_token_is_the_sites_csrf_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users.city_staff)

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    assert 'data-testid="error-csrf"' in response.content.decode()
    assert "表单已失效" in response.content.decode()


@pytest.mark.django_db
def test_a_server_error_is_the_sites_500_without_any_context():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert 'data-testid="error-500"' in html and "没有保存任何内容" in html


def test_the_api_keeps_its_json_errors(world, client):
    client.force_login(world.users.city_staff)

    response = client.get("/api/v1/cases/999999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_refusal_no_view_caught_answers_its_status_with_or_without_htmx(
    world, client, housing_case, monkeypatch
):
    """A service's refusal that reaches ``core.middleware.DomainErrorMiddleware`` (here a draft
    issued by someone else between the page and the click): the same status whether htmx asked
    (an alert fragment) or the browser did (a page with the message and a way back)."""
    from core.domain import TransitionRefused
    from recommendations import views

    def issued_meanwhile(**kwargs):
        raise TransitionRefused("建议书已发出，不能删除。")

    monkeypatch.setattr(views.services, "recommendation_delete", issued_meanwhile)
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    client.force_login(world.users.city_staff)
    url = reverse("recommendations:delete", args=[draft.pk])
    detail = f"http://testserver{reverse('recommendations:detail', args=[draft.pk])}"

    plain = client.post(url, headers={"Referer": detail})
    htmx = client.post(url, headers={"HX-Request": "true"})
    elsewhere = client.post(url, headers={"Referer": "https://evil.example/"})

    assert (plain.status_code, htmx.status_code, elsewhere.status_code) == (409, 409, 409)
    page = plain.content.decode()
    assert 'data-testid="refusal"' in page and "建议书已发出，不能删除。" in page
    assert f'href="{detail}"' in page and "未能办理" in page
    assert "建议书已发出，不能删除。" in htmx.content.decode()
    assert "evil.example" not in elsewhere.content.decode()
