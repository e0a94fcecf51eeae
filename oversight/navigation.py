"""The main menu: which pages each role reaches from the top bar."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

STAFF, OFFICER, SUPERVISOR = Role.DISCIPLINE_STAFF, Role.UNIT_OFFICER, Role.SUPERVISOR
ADMINS = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    roles: frozenset


MENU = [
    NavItem("home", _("Home"), frozenset({STAFF, OFFICER, SUPERVISOR})),
    NavItem("dashboard:index", _("Dashboard"), frozenset({SUPERVISOR, STAFF})),
    NavItem("cases:list", _("Cases"), frozenset({STAFF, SUPERVISOR})),
    NavItem("recommendations:list", _("Recommendations"), frozenset({STAFF, OFFICER, SUPERVISOR})),
    NavItem("reforms:measure_list", _("Measures"), frozenset({STAFF, OFFICER, SUPERVISOR})),
    NavItem("reforms:signoff_queue", _("Sign-off queue"), frozenset({STAFF})),
    NavItem("reforms:extension_queue", _("Extension requests"), frozenset({STAFF})),
    NavItem("admin:index", _("Back office"), frozenset(ADMINS)),
]


def menu_for(request) -> list[dict]:
    """The role's menu; the entry whose URL is the longest prefix of the current path is active."""
    role = getattr(request.user, "role", "")
    items = [
        {"url": reverse(entry.url_name), "label": entry.label, "active": False}
        for entry in MENU
        if role in entry.roles
    ]
    matches = [item for item in items if _leads_to(item["url"], request.path)]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return items


def _leads_to(url: str, path: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))
