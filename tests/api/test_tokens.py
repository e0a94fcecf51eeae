"""Per-user API tokens: obtained with a password, revoked by the security administrator."""

from django.urls import reverse
from rest_framework.authtoken.models import Token, TokenProxy
from rest_framework.test import APIClient

from tests import factories


def test_obtain_a_token_and_use_it(world):
    client = APIClient()
    answer = client.post(
        "/api/v1/token/",
        {"username": "housing_officer", "password": factories.PASSWORD},
        format="json",
    )
    assert answer.status_code == 200
    key = answer.json()["token"]
    assert Token.objects.get(user=world.users.housing_officer).key == key
    again = client.post(
        "/api/v1/token/", {"username": "housing_officer", "password": factories.PASSWORD}
    )
    assert again.json()["token"] == key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/measures/").status_code == 200


def test_wrong_password(world):
    answer = APIClient().post(
        "/api/v1/token/", {"username": "housing_officer", "password": "nope"}, format="json"
    )
    assert answer.status_code == 401
    assert answer.json() == {
        "code": "authentication_failed",
        "detail": "用户名或密码错误。",
        "errors": {},
    }


def test_missing_fields_are_named(world):
    answer = APIClient().post("/api/v1/token/", {}, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "请求内容有误。"
    assert set(body["errors"]) == {"username", "password"}


def test_an_inactive_users_token_stops_working(world):
    token = Token.objects.create(user=world.users.housing_officer)
    world.users.housing_officer.is_active = False
    world.users.housing_officer.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/measures/").status_code == 401


def test_the_security_admin_revokes_a_token(world, client):
    token = Token.objects.create(user=world.users.housing_officer)
    client.force_login(world.users.security_admin)
    changelist = reverse("admin:authtoken_tokenproxy_changelist")
    assert client.get(changelist).status_code == 200
    delete = reverse("admin:authtoken_tokenproxy_delete", args=[token.user_id])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not TokenProxy.objects.exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/measures/").status_code == 401


def test_other_roles_do_not_see_tokens(world, client):
    Token.objects.create(user=world.users.housing_officer)
    for name in ("system_admin", "audit_admin", "city_staff"):
        client.force_login(getattr(world.users, name))
        assert client.get(reverse("admin:authtoken_tokenproxy_changelist")).status_code == 403


def test_the_token_endpoint_is_throttled(world, settings):
    """Ten requests a minute per client, right or wrong (wrong passwords lock out sooner: see
    tests/accounts/test_authentication.py)."""
    client = APIClient()
    answers = [
        client.post(
            "/api/v1/token/", {"username": "housing_officer", "password": factories.PASSWORD}
        )
        for _ in range(11)
    ]
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert answers[-1].json()["code"] == "throttled"


def test_the_token_request_s_fields_are_bounded_and_the_schema_says_so(world, api_as):
    answer = APIClient().post(
        "/api/v1/token/",
        {"username": "x" * 151, "password": "p" * 4097, "otp_token": "1" * 7},
        format="json",
    )
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"username", "password", "otp_token"}
    schema = api_as("staff").get("/api/v1/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["TokenRequestRequest"]["properties"]
    assert [fields[name]["maxLength"] for name in ("username", "password", "otp_token")] == [
        150,
        4096,
        6,
    ]
