"""The error pages speak Chinese, in the site's layout, with a way back (DEBUG off, as deployed)."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


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
