"""The sign-in backend (``accounts.backends.PasswordBackend``).

Every permission is a rule of an app's ``rules.py``: a row in Django's permission tables, linked
to a user or to a group (by a shell, a restore, a careless script), grants nothing, and checking
a permission the rules refuse reads no table. The session's user comes with their unit, which
every page reads, in one query.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts import tokens
from accounts.backends import PasswordBackend
from accounts.models import OrgUnit, User
from accounts.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    commission = factories.org_root("市纪委监委")
    return factories.org_child(commission, "市住建局")


@pytest.fixture
def officer(unit):
    return factories.user(Role.UNIT_OFFICER, unit, "officer")


def case_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="cases", codename=codename)


def test_a_permission_granted_in_djangos_tables_opens_nothing(client, officer):
    officer.user_permissions.add(case_permission("view_case"), case_permission("add_case"))
    group = Group.objects.create(name="案件查看")
    group.permissions.add(case_permission("view_case"))
    officer.groups.add(group)

    fresh = User.objects.get(pk=officer.pk)
    assert not fresh.has_perm("cases.view_case")
    assert not fresh.has_perm("cases.add_case")
    assert fresh.get_all_permissions() == set()
    backend = "accounts.backends.PasswordBackend"
    assert not User.objects.with_perm("cases.view_case", backend=backend).exists()

    client.force_login(officer)
    assert client.get(reverse("cases:list")).status_code == 403
    assert client.get(reverse("cases:create")).status_code == 403


def test_the_rules_still_grant_what_they_grant(unit):
    staff = factories.user(Role.DISCIPLINE_STAFF, OrgUnit.objects.get(name="市纪委监委"), "staff")
    assert User.objects.get(pk=staff.pk).has_perm("cases.view_case")


def test_a_refused_permission_is_answered_without_a_query(officer, django_assert_num_queries):
    fresh = User.objects.get(pk=officer.pk)
    with django_assert_num_queries(0):
        assert not fresh.has_perm("accounts.administer")
        assert not fresh.has_module_perms("admin")


def test_a_password_still_signs_in(client, officer):
    response = client.post(
        reverse("login"), {"username": "officer", "password": factories.PASSWORD}, follow=True
    )
    assert response.wsgi_request.user == officer
    assert response.status_code == 200


def test_the_sessions_user_comes_with_their_unit_in_one_query(officer, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = PasswordBackend().get_user(officer.pk)
        assert user == officer
        assert user.org_unit.name == "市住建局"


def test_a_switched_off_or_unknown_user_has_no_session_user(officer):
    User.objects.filter(pk=officer.pk).update(is_active=False)
    assert PasswordBackend().get_user(officer.pk) is None
    assert PasswordBackend().get_user(officer.pk + 1000) is None


def test_an_api_tokens_user_comes_with_their_unit_in_one_query(officer, django_assert_num_queries):
    token = tokens.issue(officer)
    with django_assert_num_queries(1):
        found = tokens.find(token)
        assert found.user.org_unit.name == "市住建局"
