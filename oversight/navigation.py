"""The main menu: which pages each role reaches from the top bar.

Each entry shows to whoever holds its permission: the same ``rules`` permission its page checks
(the back office entry is the administrators' own, ``accounts.administer``). Entries of a group
(the work after a letter's first round: reconciliation, typical cases, cross-case analysis,
self-inspection) share one dropdown, so the bar holds on one line at 1366 px in either language;
a group the user sees one entry of is that entry alone.
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
    group: str | Promise = ""  # the dropdown it sits in; its entries are neighbours in MENU
    query: str = ""  # the filters the page opens with from the menu

    def url(self) -> str:
        path = reverse(self.url_name)
        return f"{path}?{self.query}" if self.query else path


FOLLOW_THROUGH = _("Follow-through")


MENU = [
    NavItem("home", _("Home"), "oversight.view_home"),
    NavItem("dashboard:index", _("Dashboard"), "oversight.view_dashboard"),
    NavItem("statistics:index", _("Outcome statistics"), "oversight.view_statistics"),
    NavItem("cases:list", _("Cases"), "cases.view_case"),
    NavItem("recommendations:list", _("Recommendations"), "recommendations.view_recommendation"),
    # The work still to do, most overdue first; the page's 清除 shows the signed-off ones too.
    NavItem("reforms:measure_list", _("Measures"), "reforms.view_measure", query="is_open=true"),
    NavItem("reforms:signoff_queue", _("Sign-off queue"), "reforms.view_signoff_queue"),
    NavItem("reforms:extension_queue", _("Extension requests"), "reforms.view_extension_queue"),
    NavItem(
        "reforms:reconciliation_list",
        _("Reconciliation rounds"),
        "reforms.view_reconciliationround",
        FOLLOW_THROUGH,
    ),
    NavItem("cases:typical", _("Typical cases"), "cases.view_typicalcase", FOLLOW_THROUGH),
    NavItem(
        "crosscase:list",
        _("Cross-case analyses"),
        "crosscase.view_crosscaseanalysis",
        FOLLOW_THROUGH,
    ),
    NavItem(
        "campaigns:list",
        _("Self-inspection campaigns"),
        "campaigns.view_campaign",
        FOLLOW_THROUGH,
    ),
    NavItem(
        "negativelists:list",
        _("Negative lists"),
        "negativelists.view_negativelist",
        FOLLOW_THROUGH,
    ),
    NavItem("admin:index", _("Back office"), "accounts.administer"),
]


def menu_for(request) -> list[dict]:
    """The user's menu: entries, and groups holding their ``children``; the entry whose URL is
    the longest prefix of the current path is active, and so is its group."""
    user = request.user
    items = [
        {"url": entry.url(), "label": entry.label, "active": False, "group": entry.group}
        for entry in MENU
        if user.has_perm(entry.permission)
    ]
    matches = [item for item in items if _leads_to(item["url"], request.path)]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return group_entries(items)


def group_entries(items: list[dict]) -> list[dict]:
    """Neighbouring entries of one group gathered under it, the others as they are."""
    menu = []
    for item in items:
        group = item.pop("group")
        if group and menu and "children" in menu[-1] and menu[-1]["label"] == group:
            menu[-1]["children"].append(item)
            menu[-1]["active"] = menu[-1]["active"] or item["active"]
        elif group:
            menu.append({"label": group, "children": [item], "active": item["active"]})
        else:
            menu.append(item)
    # A group the user sees one entry of is that entry alone.
    return [
        entry["children"][0] if len(entry.get("children", ())) == 1 else entry for entry in menu
    ]


def _leads_to(url: str, path: str) -> bool:
    url = url.partition("?")[0]
    return path == url or (url != "/" and path.startswith(url))
