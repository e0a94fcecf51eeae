"""The main menu: which pages each role reaches from the top bar.

Each entry shows to whoever holds its permission: the same ``rules`` permission its page checks
(the back office entry is the administrators' own, ``accounts.administer``).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    permission: str


MENU = [
    NavItem("home", _("Home"), "oversight.view_home"),
    NavItem("dashboard:index", _("Dashboard"), "oversight.view_dashboard"),
    NavItem("statistics:index", _("Outcome statistics"), "oversight.view_statistics"),
    NavItem("cases:list", _("Cases"), "cases.view_case"),
    NavItem("cases:typical", _("Typical cases"), "cases.view_typicalcase"),
    NavItem("recommendations:list", _("Recommendations"), "recommendations.view_recommendation"),
    NavItem("reforms:measure_list", _("Measures"), "reforms.view_measure"),
    NavItem(
        "reforms:reconciliation_list",
        _("Reconciliation rounds"),
        "reforms.view_reconciliationround",
    ),
    NavItem("campaigns:list", _("Self-inspection campaigns"), "campaigns.view_campaign"),
    NavItem("reforms:signoff_queue", _("Sign-off queue"), "reforms.view_signoff_queue"),
    NavItem("reforms:extension_queue", _("Extension requests"), "reforms.view_extension_queue"),
    NavItem("admin:index", _("Back office"), "accounts.administer"),
]


def menu_for(request) -> list[dict]:
    """The user's menu; the entry whose URL is the longest prefix of the current path is active."""
    user = request.user
    items = [
        {"url": reverse(entry.url_name), "label": entry.label, "active": False}
        for entry in MENU
        if user.has_perm(entry.permission)
    ]
    matches = [item for item in items if _leads_to(item["url"], request.path)]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return items


def _leads_to(url: str, path: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))
