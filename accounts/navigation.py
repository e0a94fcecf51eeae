"""The main menu: which pages each role reaches from the top bar."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .roles import Role

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
    role = getattr(request.user, "role", "")
    items = []
    for entry in MENU:
        if role in entry.roles:
            url = reverse(entry.url_name)
            active = request.path == url or (url != "/" and request.path.startswith(url))
            items.append({"url": url, "label": entry.label, "active": active})
    return items
