"""Per-user API tokens: obtained with a password, shown once, stored only as an HMAC-SM3 digest
(``accounts/tokens.py``), revoked by the security administrator."""

from io import StringIO

from django.core.checks import Tags, run_checks
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from audit.models import AuditEntry
from core.crypto import hmac_sm3
from tests import factories


def obtain(client=None, username="housing_officer") -> str:
    answer = (client or APIClient()).post(
        "/api/v1/token/", {"username": username, "password": factories.PASSWORD}, format="json"
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["token"]


def answer_with(token: str, path="/api/v1/measures/"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(path)


def stored_rows() -> list[tuple]:
    """The table as the database holds it, past the model."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT user_id, digest, prefix FROM accounts_apitoken")
        return cursor.fetchall()


def test_obtain_a_token_and_use_it(world):
    token = obtain()
    assert len(token) == 43
    assert answer_with(token).status_code == 200


def test_only_the_digest_is_stored(world, settings):
    token = obtain()
    [(user_id, digest, prefix)] = stored_rows()
    assert user_id == world.users.housing_officer.pk
    assert digest != token and token not in digest
    assert digest == hmac_sm3(settings.API_TOKEN_KEY.encode(), token.encode()).hex()
    assert prefix == token[:8] and len(prefix) < len(token)
    # The audit log records the token's issue without the token (nor its digest).
    entries = AuditEntry.objects.filter(object_type="accounts.apitoken")
    assert entries.exists()
    for entry in entries:
        logged = f"{entry.object_id} {entry.object_repr} {entry.changes}"
        assert token not in logged and digest not in logged


def test_obtaining_again_replaces_the_token(world):
    first = obtain()
    second = obtain()
    assert second != first
    assert ApiToken.objects.filter(user=world.users.housing_officer).count() == 1
    assert answer_with(first).status_code == 401
    assert answer_with(second).status_code == 200


def test_a_wrong_token_is_a_json_401(world):
    token = obtain()
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "not-a-token", token.upper()):
        answer = answer_with(wrong)
        assert answer.status_code == 401, wrong
        assert answer.json()["code"] == "authentication_failed"
        assert answer["WWW-Authenticate"] == "Token"


def test_a_token_of_the_old_clear_kind_is_told_to_obtain_a_new_one(world):
    answer = answer_with("973aa5da434c94619614c17fda858cc0a8074c39")
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_reissued"
    assert "/api/v1/token/" in answer.json()["detail"]


def test_another_key_finds_no_token(world, settings):
    token = factories.api_token(world.users.housing_officer)
    settings.API_TOKEN_KEY = "another key of at least thirty-two characters"
    assert answer_with(token).status_code == 401


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
    assert not ApiToken.objects.exists()


def test_missing_fields_are_named(world):
    answer = APIClient().post("/api/v1/token/", {}, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "请求内容有误。"
    assert set(body["errors"]) == {"username", "password"}


def test_an_inactive_users_token_stops_working(world):
    token = factories.api_token(world.users.housing_officer)
    world.users.housing_officer.is_active = False
    world.users.housing_officer.save()
    assert answer_with(token).status_code == 401


def test_the_security_admin_lists_and_revokes_a_token(world, client):
    token = factories.api_token(world.users.housing_officer)
    stored = ApiToken.objects.get()
    client.force_login(world.users.security_admin)
    listing = client.get(reverse("admin:accounts_apitoken_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert f"{token[:8]}…" in page and str(world.users.housing_officer) in page
    assert stored.digest not in page and token not in page
    change = client.get(reverse("admin:accounts_apitoken_change", args=[stored.pk]))
    assert change.status_code == 200 and stored.digest not in change.content.decode()
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    delete = reverse("admin:accounts_apitoken_delete", args=[stored.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not ApiToken.objects.exists()
    assert answer_with(token).status_code == 401


def test_other_roles_do_not_see_tokens(world, client):
    factories.api_token(world.users.housing_officer)
    stored = ApiToken.objects.get()
    for name in ("system_admin", "audit_admin", "city_staff"):
        client.force_login(getattr(world.users, name))
        assert client.get(reverse("admin:accounts_apitoken_changelist")).status_code == 403
        delete = reverse("admin:accounts_apitoken_delete", args=[stored.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ApiToken.objects.exists()


def test_the_command_issues_a_token_and_prints_it_once(world):
    out = StringIO()
    call_command("issue_api_token", "housing_officer", stdout=out)
    token = out.getvalue().strip()
    assert answer_with(token).status_code == 200
    assert [row[1] for row in stored_rows()] != [token]


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


def test_production_without_its_own_token_key_fails_the_deploy_check(settings):
    settings.PRODUCTION = True

    def errors():
        checks = run_checks(tags=[Tags.security], include_deployment_checks=True)
        return [check.id for check in checks if check.id == "accounts.E001"]

    for key in ("", settings.API_TOKEN_DEVELOPMENT_KEY, "short"):
        settings.API_TOKEN_KEY = key
        assert errors() == ["accounts.E001"]
    settings.API_TOKEN_KEY = "9" * 64
    assert errors() == []
    settings.PRODUCTION = False
    settings.API_TOKEN_KEY = ""
    assert errors() == []
