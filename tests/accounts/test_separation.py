"""三员分立: the system administrator keeps accounts, the security administrator grants roles, the
audit administrator reads the log; none of them reads case content."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db

ADMINS = ["system_admin", "security_admin", "audit_admin"]


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def change_form(user, **changes) -> dict:
    """The account's change form as submitted, every field filled in from the row."""
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "phone": user.phone,
        "email": user.email,
        "org_unit": user.org_unit_id or "",
        "role": user.role,
        "is_active": "on" if user.is_active else "",
    }
    return {name: value for name, value in (data | changes).items() if value is not False}


def test_the_system_administrator_creates_an_account_without_a_role(world, client):
    client.force_login(world.users.system_admin)
    add = reverse("admin:accounts_user_add")
    assert "role" not in client.get(add).context["adminform"].form.fields

    response = client.post(
        add,
        {
            "username": "new_officer",
            "full_name": "新联络员",
            "org_unit": world.units.housing.pk,
            "password1": "Strong@2026x",
            "password2": "Strong@2026x",
            "role": "discipline_staff",  # not on the form: ignored
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="new_officer").role == ""


def test_the_system_administrator_cannot_grant_a_role(world, client):
    officer = world.users.housing_officer
    client.force_login(world.users.system_admin)

    response = client.post(
        change_url(officer), change_form(officer, role="supervisor", full_name="改名")
    )

    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.role, officer.full_name) == ("unit_officer", "改名")


def test_the_security_administrator_grants_roles_but_keeps_out_of_accounts(world, client):
    user = factories.user("", world.units.housing, username="waiting")
    client.force_login(world.users.security_admin)

    response = client.post(
        change_url(user), change_form(user, role="unit_officer", full_name="改名")
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.role, user.full_name) == ("unit_officer", user.full_name)
    assert user.full_name != "改名"
    password = reverse("admin:auth_user_password_change", args=[user.pk])
    assert client.get(password).status_code == 403


def test_nobody_changes_their_own_role(world, client):
    security_admin = world.users.security_admin
    client.force_login(security_admin)

    client.post(change_url(security_admin), change_form(security_admin, role="discipline_staff"))

    security_admin.refresh_from_db()
    assert security_admin.role == "security_admin"


def test_only_the_system_administrator_resets_a_password(world, client):
    officer = world.users.housing_officer
    password = reverse("admin:auth_user_password_change", args=[officer.pk])
    client.force_login(world.users.system_admin)
    assert client.get(password).status_code == 200


@pytest.mark.parametrize("username", ADMINS)
def test_no_separated_administrator_reads_case_content(world, client, housing_case, username):
    client.force_login(getattr(world.users, username))

    assert client.get(reverse("cases:list")).status_code == 403
    assert client.get(reverse("cases:detail", args=[housing_case.pk])).status_code in (403, 404)
    assert client.get(f"/api/v1/cases/{housing_case.pk}/").status_code in (403, 404)
    assert client.get(reverse("admin:cases_case_changelist")).status_code == 403


def test_the_security_administrator_finds_lockouts_and_second_factors_by_chinese_names(
    world, client
):
    client.force_login(world.users.security_admin)

    html = client.get(reverse("admin:index")).content.decode()

    assert "登录锁定" in html and "双因素认证" in html
