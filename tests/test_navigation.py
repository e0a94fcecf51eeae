"""The menu, the home pages, the dashboard and the queues follow the ``rules`` permissions; and the
one guard (``core.pages``) answers 403 for a page a role does not use, 404 for a record by id the
user cannot see, whatever the kind of record."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts import roles
from accounts.models import User
from core.pages import permission_required_or, require_permission
from oversight.navigation import MENU, group_entries
from tests import factories

EVERYONE = [
    "city_staff",
    "supervisor",
    "housing_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
]
ADMINS = ["system_admin", "security_admin", "audit_admin"]

# What each role finds in the top bar (docs/architecture.md), written out rather than read from
# the rules.
EXPECTED_MENU = {
    "city_staff": [
        "home",
        "dashboard:index",
        "statistics:index",
        "cases:list",
        "recommendations:list",
        "reforms:measure_list",
        "reforms:signoff_queue",
        "reforms:extension_queue",
        "reforms:reconciliation_list",
        "cases:typical",
        "crosscase:list",
        "campaigns:list",
        "negativelists:list",
    ],
    "supervisor": [
        "home",
        "dashboard:index",
        "statistics:index",
        "cases:list",
        "recommendations:list",
        "reforms:measure_list",
        "reforms:reconciliation_list",
        "cases:typical",
        "crosscase:list",
        "campaigns:list",
        "negativelists:list",
    ],
    "housing_officer": [
        "home",
        "recommendations:list",
        "reforms:measure_list",
        "reforms:reconciliation_list",
        "campaigns:list",
        "negativelists:list",
    ],
    **{admin: ["admin:index"] for admin in ADMINS},
}


def menu_urls(client):
    """The menu's entries in order, those of a group's dropdown where the group stands."""
    response = client.get(reverse("notifications"))
    assert response.status_code == 200
    return [
        entry["url"]
        for item in response.context["nav_items"]
        for entry in item.get("children", [item])
    ]


@pytest.mark.parametrize("who", EVERYONE)
def test_the_menu_is_the_entries_whose_permission_the_user_holds(world, browse, who):
    user = getattr(world.users, who)

    shown = menu_urls(browse(user))

    assert shown == [entry.url() for entry in MENU if user.has_perm(entry.permission)]
    assert [url.partition("?")[0] for url in shown] == [
        reverse(name) for name in EXPECTED_MENU[who]
    ]


@pytest.mark.parametrize("who", EVERYONE)
def test_every_menu_entry_opens_and_every_gated_page_left_out_is_refused(world, browse, who):
    """The menu and the pages read the same permission: no entry leads to a 403, and a gated page
    missing from the menu answers 403."""
    client = browse(getattr(world.users, who))
    shown = set(menu_urls(client))
    gated = [entry for entry in MENU if entry.url_name not in {"home", "admin:index"}]

    for entry in gated:
        url = entry.url()
        expected = {200} if url in shown else {403}
        assert client.get(url).status_code in expected, (who, url)


@pytest.mark.parametrize(
    ("who", "template", "redirect"),
    [
        ("city_staff", "oversight/home_staff.html", None),
        ("housing_officer", "oversight/home_officer.html", None),
        ("supervisor", None, "dashboard:index"),
        *[(admin, None, "admin:index") for admin in ADMINS],
    ],
)
def test_the_home_page_follows_the_home_permissions(world, browse, who, template, redirect):
    response = browse(getattr(world.users, who)).get(reverse("home"))

    if redirect:
        assert response.status_code == 302
        assert response.url == reverse(redirect)
    else:
        assert response.status_code == 200
        assert template in [t.name for t in response.templates]


@pytest.mark.parametrize("who", EVERYONE)
def test_the_dashboard_and_the_queues_answer_as_their_permissions_say(world, browse, who):
    user = getattr(world.users, who)
    client = browse(user)
    for perm, url_name in [
        ("oversight.view_dashboard", "dashboard:index"),
        ("reforms.view_signoff_queue", "reforms:signoff_queue"),
        ("reforms.view_extension_queue", "reforms:extension_queue"),
    ]:
        expected = 200 if user.has_perm(perm) else 403
        assert client.get(reverse(url_name)).status_code == expected, (who, url_name)


@pytest.mark.parametrize("who", ["city_staff", "supervisor", "housing_officer"])
def test_the_measure_list_links_the_queues_only_for_those_who_use_them(world, browse, who):
    user = getattr(world.users, who)

    html = browse(user).get(reverse("reforms:measure_list")).content.decode()

    for perm, url_name in [
        ("reforms.view_signoff_queue", "reforms:signoff_queue"),
        ("reforms.view_extension_queue", "reforms:extension_queue"),
    ]:
        assert (f'href="{reverse(url_name)}"' in html) == user.has_perm(perm)


# --- 403 or 404 -------------------------------------------------------------------------------

LISTS = ["cases:list", "recommendations:list", "reforms:measure_list", "dashboard:index"]


@pytest.mark.parametrize("who", ADMINS)
@pytest.mark.parametrize("url_name", LISTS)
def test_a_separated_admin_is_refused_every_list_with_403(world, browse, who, url_name):
    assert browse(getattr(world.users, who)).get(reverse(url_name)).status_code == 403


@pytest.fixture
def records(world, housing_case):
    letter = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=1
    )
    measure = factories.measure(recommendation=letter, actor=world.users.city_staff)
    return {
        "cases:detail": housing_case.pk,
        "recommendations:detail": letter.pk,
        "recommendations:print": letter.pk,
        "documents:letter": letter.pk,
        "reforms:measure_detail": measure.pk,
        "reforms:plan": letter.pk,
    }


@pytest.mark.parametrize("who", [*ADMINS, "other_staff"])
def test_a_record_the_user_cannot_see_is_404_whatever_its_kind(world, browse, records, who):
    """The same answer as an id that does not exist: for the separated admins (who read none of
    these kinds) and for staff of another city (whose jurisdiction it is not)."""
    client = browse(getattr(world.users, who))

    for url_name, pk in records.items():
        assert client.get(reverse(url_name, args=[pk])).status_code == 404, url_name


def test_a_record_seen_with_an_action_the_role_may_not_take_is_403(world, browse, records):
    officer = browse(world.users.housing_officer)

    assert (
        officer.get(
            reverse("recommendations:print", args=[records["documents:letter"]])
        ).status_code
        == 403
    )


def test_a_supervisor_may_not_open_a_measures_edit_form(world, browse, records):
    measure_pk = records["reforms:measure_detail"]

    answer = browse(world.users.supervisor).get(reverse("reforms:measure_edit", args=[measure_pk]))

    assert answer.status_code == 403


# --- The guard itself ----------------------------------------------------------------------------


def test_the_guard_sends_strangers_to_sign_in_and_refuses_the_rest(world):
    view = permission_required_or(403, "reforms.view_signoff_queue")(lambda request: HttpResponse())
    factory = RequestFactory()

    def call(user):
        request = factory.get("/somewhere/")
        request.user = user
        return view(request)

    assert call(AnonymousUser()).status_code == 302
    assert call(world.users.city_staff).status_code == 200
    with pytest.raises(PermissionDenied):
        call(world.users.supervisor)


def test_the_guard_knows_two_refusals_only(world):
    with pytest.raises(Http404):
        require_permission(world.users.system_admin, "cases.view_case", status=404)
    with pytest.raises(ValueError):
        permission_required_or(401, "cases.view_case")
    with pytest.raises(ValueError):
        require_permission(world.users.city_staff, "cases.view_case", status=400)


# --- Who is told: the accounts of each kind, by name --------------------------------------------


def test_the_user_queryset_names_each_kind_of_recipient(world):
    people = world.users

    def names(queryset):
        return set(queryset.values_list("username", flat=True))

    assert names(User.objects.unit_officers()) == {"housing_officer", "health_officer"}
    assert names(User.objects.supervisors()) == {"supervisor", "county_supervisor"}
    assert names(User.objects.discipline_staff()) == {
        "city_staff",
        "county_staff",
        "group_staff",
        "other_staff",
    }
    assert names(User.objects.case_readers()) == names(User.objects.discipline_staff()) | names(
        User.objects.supervisors()
    )
    assert people.system_admin.username not in names(User.objects.case_readers())


def test_the_role_helpers(world):
    people = world.users
    assert roles.covers_whole_tree(people.system_admin)
    assert roles.covers_whole_tree(people.security_admin)
    assert not roles.covers_whole_tree(people.audit_admin)
    assert not roles.covers_whole_tree(people.city_staff)
    assert roles.needs_second_factor(people.supervisor)
    assert roles.needs_second_factor(people.audit_admin)
    assert not roles.needs_second_factor(people.housing_officer)


def test_the_follow_through_pages_share_one_dropdown(world, browse, browse_en):
    staff = browse_en(world.users.city_staff).get(reverse("crosscase:list"))
    groups = [item for item in staff.context["nav_items"] if "children" in item]
    assert [(group["label"], group["active"]) for group in groups] == [("Follow-through", True)]
    assert [child["url"] for child in groups[0]["children"] if child["active"]] == [
        reverse("crosscase:list")
    ]
    assert 'data-testid="menu-group"' in staff.content.decode()

    officer = browse(world.users.housing_officer).get(reverse("home"))
    [group] = [item for item in officer.context["nav_items"] if "children" in item]
    assert [child["url"] for child in group["children"]] == [
        reverse("reforms:reconciliation_list"),
        reverse("campaigns:list"),
        reverse("negativelists:list"),
    ]


def test_a_group_the_user_sees_one_entry_of_is_that_entry_alone():
    entries = [
        {"url": "/a/", "label": "A", "active": False, "group": ""},
        {"url": "/b/", "label": "B", "active": True, "group": "G"},
        {"url": "/c/", "label": "C", "active": False, "group": ""},
    ]
    assert [entry["url"] for entry in group_entries(entries)] == ["/a/", "/b/", "/c/"]
