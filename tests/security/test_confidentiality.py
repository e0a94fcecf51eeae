"""The first promise (docs/architecture.md): a case-unit officer never sees case content, and
none of the three administrators reads it — checked on the demo, over every route of the project.

Every demo unit officer and the three administrators walk the whole URL table found by the
resolver: each page and htmx fragment, each API list (every page) and detail, each download (PDF
text, every xlsx cell), the back office (index, each app, each model's changelist with a search for
a case number, add, change, history and delete pages), the audit log (its pages, entries, search
and CSV export), and each POST and API action once, in a savepoint rolled back afterwards. Every
address is opened with the ids the user can see and with ids they cannot (all cases, problems and
recommendations). The emails and webhook messages of the day's digests are read too. No secret of
``leaks.Secrets`` may appear anywhere; every finding is collected before the test fails.

Text a viewer legitimately reads elsewhere does not count: a subject's name that the demo puts in
the title of a letter the officer receives, or of an activity of their unit (``allowed_text``).

The control: discipline staff walking the same table do find every kind of secret, in every
channel, so the scan cannot pass by finding nothing; and the walk must cover every route.
"""

import datetime
import functools
import json
import logging
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import models, transaction
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import OrgUnit, User
from accounts.roles import Role
from accounts.scoping import jurisdiction_q
from audit.models import AuditEntry
from campaigns.models import Campaign, CampaignUnit, SpotCheckFinding
from cases.models import Case, Problem, Subject
from core.domain import shanghai_today
from crosscase.models import CrossCaseAnalysis
from negativelists.models import NegativeList, NegativeListCheck, NegativeListEntry
from notifications import delivery
from notifications.models import Digest
from oversight import tasks
from oversight.models import DocumentJob
from recommendations.models import (
    Evaluation,
    EvaluationSession,
    EvaluationTemplate,
    ImportJob,
    IndicatorScore,
    PanelMember,
    Recommendation,
    RecommendationItem,
)
from reforms import rebounds, reconciliation
from reforms import services as reform_services
from reforms.models import (
    Activity,
    Evidence,
    ExtensionRequest,
    FollowUp,
    FollowUpMeasure,
    Measure,
    ProgressReport,
    ReboundFlag,
    ReconciliationRound,
    ReconciliationRow,
    RuleChange,
)
from tests import factories
from tests.conftest import built_once

from .api_routes import API
from .api_routes import PUBLIC as API_PUBLIC
from .clients import client_for
from .leaks import SEPARATOR, Secrets, case_content_fields, compact, readable
from .routes import WEB, Found, walk

ADMINS = ("sysadmin", "secadmin", "auditadmin")
REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "confidentiality-leaks.json"
# The scene attribute each route names (routes.WEB / api_routes.API) → the model behind it.
TARGETS = {
    "unit": OrgUnit,
    "case": Case,
    "problem": Problem,
    "recommendation": Recommendation,
    "draft": Recommendation,
    "item": RecommendationItem,
    "draft_item": RecommendationItem,
    "measure": Measure,
    "open_measure": Measure,
    "report": ProgressReport,
    "evidence": Evidence,
    "extension": ExtensionRequest,
    "follow_up": FollowUp,
    "follow_up_row": FollowUpMeasure,
    "rebound_flag": ReboundFlag,
    "evaluation": Evaluation,
    "session": EvaluationSession,
    "panel_member": PanelMember,
    "indicator_score": IndicatorScore,
    "template": EvaluationTemplate,
    "rule_change": RuleChange,
    "activity": Activity,
    "reconciliation": ReconciliationRound,
    "reconciliation_row": ReconciliationRow,
    "campaign": Campaign,
    "campaign_draft": Campaign,
    "campaign_unit": CampaignUnit,
    "cross_campaign": Campaign,
    "cross_campaign_unit": CampaignUnit,
    "inspected_campaign_unit": CampaignUnit,
    "spot_check": SpotCheckFinding,
    "notification": apps.get_model("notifications", "Notification"),
    "import_job": ImportJob,
    "document_job": DocumentJob,
    "analysis": CrossCaseAnalysis,
    "negative_list": NegativeList,
    "negative_list_draft": NegativeList,
    "negative_list_draft_entry": NegativeListEntry,
    "negative_list_check": NegativeListCheck,
}
# Every record of these is opened by every walker, visible or not: they carry the case itself.
ALL_IDS = (Case, Problem, Subject, Recommendation)
# Of the other models' records, a walker opens this many it sees, spread over the ids (the demo
# builds them in the order of the story: early ids are signed off, late ones still open), and
# the first and last it does not see (the answer is the same 404 for any).
VISIBLE_SAMPLE = 8
HIDDEN_SAMPLE = 2
NEAR_SAMPLE = 10  # of an officer's own unit's case records they do not see
ADMIN_SAMPLE = 3  # back-office pages: change, history and delete of this many records seen


def spread(ids: list, count: int | None) -> list:
    if count is None or len(ids) <= count:
        return ids
    if count <= 1:
        return ids[:count]
    step = (len(ids) - 1) / (count - 1)
    return [ids[round(i * step)] for i in range(count)]


# ── The demo, with staff at work in it ───────────────────────────────────────────────────────


def reconciliation_rounds() -> None:
    """A reconciliation round (对账销号) open on every issued letter with measures, opened by the
    staff who drafted it, so the walk meets the rounds' pages, sheets and rows."""
    due = shanghai_today() + datetime.timedelta(days=14)
    letters = Recommendation.objects.exclude(status=Recommendation.Status.DRAFT).exclude(
        reconciliation_rounds__status=ReconciliationRound.Status.OPEN  # the demo's own round
    )
    for letter in letters:
        if letter.items.filter(measures__isnull=False).exists():
            reconciliation.open_round(
                actor=letter.created_by, recommendation=letter, answer_due_on=due
            )
    assert ReconciliationRound.objects.exists()


def staff_at_work(staff: User) -> None:
    """Staff log, edit and read a case through the API and the pages, so the audit log holds what
    the signals write about cases (the demo's own rows are written by the seeding command)."""
    api = client_for(staff)
    qkq = OrgUnit.objects.get(name="长春汽车经济技术开发区")
    created = api.post(
        reverse("api:case-list"),
        {
            "number": "长纪立〔2026〕99号",
            "title": "欧阳某某受贿、滥用职权案",
            "commission": staff.org_unit_id,
            "case_unit": qkq.pk,
            "sector": "construction",
            "level": "city",
            "amount": "2345678.00",
            "opened_on": "2026-03-02",
            "summary": (
                "欧阳某某利用负责保障性住房分配的职务便利，收受开发商财物折合人民币二百余万元。"
            ),
            "subjects": [
                {
                    "name": "欧阳某某",
                    "position": "汽开区住房保障局原局长",
                    "is_top_leader": True,
                    "disposition": "开除党籍、开除公职，移送检察机关",
                }
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    url = reverse("api:case-detail", kwargs={"pk": pk})
    updated = api.patch(
        url,
        {
            "summary": "欧阳某某在保障房分配中优亲厚友，收受财物共计二百三十四万余元。",
            "amount": "2345900.00",
        },
        format="json",
    )
    assert updated.status_code == 200, updated.content
    analysis = api.put(
        reverse("api:case-analysis", kwargs={"pk": pk}),
        {
            "trajectory": "欧阳某某自担任局长起逐步放松要求，从收受购物卡发展到索要巨额财物。",
            "root_causes": "理想信念动摇，把分配审批权当作谋取私利的工具。",
            "loopholes": "保障房轮候名单由局长一人审定，缺少公示复核环节。",
            "lessons": "分配审批须集体研究、全程留痕、结果公示。",
            "completed_on": None,  # PUT replaces the whole analysis
        },
        format="json",
    )
    assert analysis.status_code in {200, 201}, analysis.content
    problem = api.post(
        reverse("api:problem-list"),
        {
            "case": pk,
            "unit": qkq.pk,
            "category": "risk_point",
            "process_stage": Problem.objects.first().process_stage_id,
            "description": "保障房轮候排序由局长一人决定，未经集体研究也未公示。",
        },
        format="json",
    )
    assert problem.status_code == 201, problem.content
    api.get(url)
    pages = Client()
    pages.force_login(staff)
    for page in ("cases:detail", "chain:case", "documents:case_analysis"):
        assert pages.get(reverse(page, kwargs={"pk": pk})).status_code == 200
    # An Excel import of problems for that case: its page is its author's alone.
    ImportJob.objects.create(
        kind=ImportJob.Kind.PROBLEMS,
        case_id=pk,
        file="imports/problems.xlsx",
        original_name="问题清单.xlsx",
        created_by=staff,
    )


def made_ledger(user) -> DocumentJob:
    """A large ledger made by the job for ``user`` (all their measures): its page and its PDF are
    walked like every other answer."""
    job = DocumentJob.objects.create(
        kind=DocumentJob.Kind.LEDGER, filename="整改台账.pdf", created_by=user
    )
    return tasks.run_document_job(job.pk)


def reviews_and_rebounds() -> None:
    """A follow-up review with its measures chosen (回头看), and the possible rebounds (整改反弹)
    the demo's problems make: both walked like every other record."""
    for follow_up in FollowUp.objects.filter(conducted_on__isnull=True).order_by("pk"):
        letter_measures = Measure.objects.filter(item__recommendation=follow_up.recommendation_id)
        if letter_measures.filter(status=Measure.Status.SIGNED_OFF).exists():
            reform_services.follow_up_choose_measures(
                follow_up=follow_up, actor=follow_up.created_by
            )
            break
    for problem in Problem.objects.order_by("pk"):
        rebounds.detect([problem])
    assert FollowUpMeasure.objects.exists()
    assert ReboundFlag.objects.exists()


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    with built_once(
        django_db_blocker,
        tmp_path_factory,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ) as media:
        factories.seed()
        staff_at_work(User.objects.get(username="staff"))
        for officer in User.objects.filter(role=Role.UNIT_OFFICER):
            mine = Recommendation.objects.restrict(officer).first()
            if mine is not None:
                ImportJob.objects.create(
                    kind=ImportJob.Kind.PLAN,
                    recommendation=mine,
                    file="imports/plan.xlsx",
                    original_name="整改方案.xlsx",
                    created_by=officer,
                )
            made_ledger(officer)
        made_ledger(User.objects.get(username="staff"))
        reconciliation_rounds()
        reviews_and_rebounds()
        yield SimpleNamespace(secrets=Secrets.from_database(), media=media)


# ── What a viewer may read anyway ────────────────────────────────────────────────────────────


def text_fields(model) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


def allowed_text(user: User) -> str:
    """The text the user reads legitimately: for an officer, every text of the recommendations,
    measures and unit records they may see (not the preamble: case content); for an
    administrator, the accounts and the organisation tree."""
    confidential = {
        (model, name) for model, names in case_content_fields().items() for name in names
    }
    if user.role == Role.UNIT_OFFICER:
        sources = [
            model
            for model in apps.get_app_config("recommendations").get_models()
            if model is not ImportJob
        ] + list(apps.get_app_config("reforms").get_models())
    else:
        sources = [OrgUnit, User]
    parts = []
    for model in sources:
        names = [n for n in text_fields(model) if (model, n) not in confidential]
        if not names:
            continue
        rows = model._default_manager
        rows = rows.restrict(user) if hasattr(rows.all(), "restrict") else rows.all()
        for values in rows.values_list(*names):
            parts.extend(compact(v) for v in values if v)
    return SEPARATOR.join(parts)


# ── The walk ─────────────────────────────────────────────────────────────────────────────────


class Rollback(Exception):
    pass


@dataclass
class Finding:
    role: str
    username: str
    route: str
    address: str
    channel: str
    origin: str
    needle: str
    context: str


@dataclass
class Walk:
    user: User
    secrets: Secrets
    sample: int | None = None  # visible ids per route (None: all)
    findings: list[Finding] = field(default_factory=list)
    patterns: set[str] = field(default_factory=set)
    channels: Counter = field(default_factory=Counter)
    back_office_open: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answers: int = 0

    def __post_init__(self):
        # A server error is noted (``errors``) and the walk goes on.
        self.web = Client(raise_request_exception=False)
        self.web.force_login(self.user)
        self.api = client_for(self.user)
        self.api.raise_request_exception = False
        self.request = RequestFactory().get("/admin/")
        self.request.user = self.user

    # — reading answers —

    def read(self, answer, address: str, route: str, echo: str = "") -> None:
        self.answers += 1
        if answer.status_code >= 500:
            self.errors.append(f"{answer.status_code} {address}")
        data = b"".join(answer.streaming_content) if answer.streaming else answer.content
        channel, text = readable(data, answer.get("Content-Type", ""))
        headers = [
            urllib.parse.unquote(answer.get(name, ""))
            for name in ("Content-Disposition", "Location", "HX-Redirect", "HX-Trigger")
        ]
        self.channels[channel] += 1
        text = SEPARATOR.join([text, *headers])
        if echo:  # the search box shows what the user typed
            text = compact(text).replace(compact(echo), SEPARATOR)
        self.scan(text, channel, address, route)

    def scan(self, text: str, channel: str, address: str, route: str) -> None:
        for needle, origin, context in self.secrets.find(compact(text)):
            self.findings.append(
                Finding(
                    self.user.role,
                    self.user.username,
                    route,
                    address,
                    channel,
                    origin,
                    needle,
                    context.replace(SEPARATOR, " | "),
                )
            )

    def covered(self, address: str) -> str:
        match = resolve(urllib.parse.urlsplit(address).path)
        self.patterns.add(plain(match.route))
        return match.view_name

    def get(self, address: str, client=None, echo: str = "", **headers):
        route = self.covered(address)
        answer = (client or self.web).get(address, **headers)
        self.read(answer, f"GET {address}", route, echo)
        return answer

    def send(self, method: str, address: str, data=None, *, client=None, **extra):
        """A write, undone afterwards: what matters is what its answer shows."""
        route = self.covered(address)
        client = client or self.web
        try:
            with transaction.atomic():
                if client is self.web:
                    answer = client.post(address, data or {}, **extra)
                else:
                    answer = getattr(client, method)(address, data or {}, format="json")
                self.read(answer, f"{method.upper()} {address}", route)
                raise Rollback
        except Rollback:
            pass

    # — ids —

    def ids(self, model, visible_qs=None, sample: int | None = None) -> list[int]:
        """The ids of ``model`` this walk opens: those the user sees (all of the case content
        and letters, else ``sample`` of them) and some they do not: for an officer, every case,
        subject, problem and letter about their own unit, and two others."""
        manager = model._default_manager
        if visible_qs is None:
            visible_qs = manager.restrict(self.user) if hasattr(manager, "restrict") else manager
        visible = sorted(set(visible_qs.values_list("pk", flat=True)))
        shown = set(visible)
        every = manager.order_by("pk").values_list("pk", flat=True)
        hidden = [pk for pk in every if pk not in shown]
        near = []
        if model in ALL_IDS and self.user.role == Role.UNIT_OFFICER:
            mine = jurisdiction_q(self.user, manager.all().unit_lookup)
            near = manager.filter(mine).exclude(pk__in=shown).values_list("pk", flat=True)
            near = spread(list(near), NEAR_SAMPLE)
        hidden = near + spread([pk for pk in hidden if pk not in set(near)], HIDDEN_SAMPLE)
        if self.sample is not None:
            sample = self.sample
        elif sample is None and model not in ALL_IDS:
            sample = VISIBLE_SAMPLE
        return spread(visible, sample) + hidden


def form_for(pk) -> SimpleNamespace:
    """The scene a route's form body is written against (routes.WEB), from the record at hand."""
    problem = Problem.objects.order_by("pk").first()
    item = RecommendationItem.objects.filter(pk=pk).first() or RecommendationItem.objects.first()
    session = EvaluationSession.objects.filter(pk=pk).first() or EvaluationSession.objects.first()
    evaluator = User.objects.supervisors().order_by("pk").first()
    # 交叉检查: a unit to reassign an inspection to, an inspected row to spot-check.
    peer = OrgUnit.objects.filter(kind=OrgUnit.Kind.UNIT).order_by("pk").last()
    inspected = CampaignUnit.objects.filter(
        campaign__mode=Campaign.Mode.CROSS, status=CampaignUnit.Status.ANSWERED
    ).first()
    return SimpleNamespace(
        inside=SimpleNamespace(
            problem=problem,
            item=item,
            session=session,
            evaluator=evaluator,
            inspector_peer=peer,
            inspected_campaign_unit=inspected,
        )
    )


# Lists that take a search (``q``) and pages: searched for a case number and a subject's name.
SEARCHED = {
    "notifications",
    "cases:list",
    "recommendations:list",
    "reforms:measure_list",
    "documents:measures_xlsx",
    "documents:cases_xlsx",
    "documents:recommendations_xlsx",
}
WRITES_SAMPLE = 2  # a write is tried on this many records the user sees (and on hidden ones)


def search_terms() -> list[str]:
    case = Case.objects.order_by("pk").first()
    return [case.number, case.subjects.order_by("pk").first().name]


def walk_web(walk: Walk) -> None:
    last = ["logout", "set_language"]  # they end the session or change its language: at the end
    for name, route in sorted(WEB.items(), key=lambda pair: pair[0] in last):
        targets = [None]
        if route.target:
            targets = walk.ids(
                TARGETS[route.target], sample=None if route.method == "get" else WRITES_SAMPLE
            )
        for pk in targets:
            kwargs = dict(route.kwargs)
            if pk is not None:
                kwargs[route.pk_name] = pk
            address = reverse(name, kwargs=kwargs)
            if route.method == "post":
                walk.send("post", address, route.body(form_for(pk)), HTTP_HX_REQUEST="true")
                continue
            answer = walk.get(address)
            if answer.status_code == 200 and not name.startswith("documents:"):
                walk.get(address, HTTP_HX_REQUEST="true")  # the htmx fragment
        if name in SEARCHED:
            for query in search_terms():
                walk.get(f"{address}?q={urllib.parse.quote(query)}", echo=query)
            walk.get(f"{address}?page=2")
    walk.get(reverse("login"), client=Client())
    walk.get(reverse("favicon"))


def next_page(answer) -> str | None:
    """The next page of a paginated list; the short shared lists come whole, unpaginated."""
    if answer.status_code != 200:
        return None
    body = answer.json()
    return body.get("next") if isinstance(body, dict) else None


def walk_api(walk: Walk) -> None:
    lists = [name for name, route in API.items() if route.target is None]
    for name, route in sorted(API.items()):
        callback = next(r.callback for r in walk_routes() if r.name == name)
        methods = sorted(set(callback.actions) - {"head"})
        targets = walk.ids(TARGETS[route.target]) if route.target else [None]
        writable = walk.ids(TARGETS[route.target], sample=WRITES_SAMPLE) if route.target else []
        for pk in targets:
            kwargs = {"pk": pk} if pk is not None else {}
            address = reverse(name, kwargs=kwargs)
            for method in methods:
                if method == "get":
                    answer = walk.get(address, client=walk.api)
                    while name in lists and (following := next_page(answer)):
                        answer = walk.get(following, client=walk.api)
                elif pk is None or pk in writable:
                    walk.send(method, address, {}, client=walk.api)
        # A format suffix (".json") is no second address of the same view: it answers 404.
        suffixed = (
            reverse(name, kwargs={"pk": targets[0]} if route.target else {}).rstrip("/") + ".json"
        )
        if "get" in methods:
            walk.get(suffixed, client=walk.api)
        else:
            walk.send(methods[0], suffixed, {}, client=walk.api)
    for name in sorted(API_PUBLIC - {"api:<unnamed>"}):
        if name == "api:token":
            walk.send("post", reverse(name), {}, client=walk.api)
            continue
        walk.get(reverse(name), client=walk.api)
    walk.get("/api/v1/no-such-thing/", client=walk.api)
    for query in search_terms():
        walk.get(f"{reverse('api:case-list')}?q={urllib.parse.quote(query)}", client=walk.api)
        walk.get(
            f"{reverse('api:recommendation-list')}?q={urllib.parse.quote(query)}",
            client=walk.api,
        )


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def audit_entries_to_open(walk: Walk) -> list[int]:
    """Audit entries whose detail page the audit administrator opens: for each object type and
    action, a few that hold a secret in the database and one that does not."""
    chosen, seen = [], Counter()
    for entry in AuditEntry.objects.order_by("pk"):
        stored = compact(
            SEPARATOR.join(
                [entry.object_repr, entry.detail, json.dumps(entry.changes, ensure_ascii=False)]
            )
        )
        holds = next(walk.secrets.find(stored), None) is not None
        key = (entry.object_type, entry.action, holds)
        if seen[key] < (3 if holds else 1):
            seen[key] += 1
            chosen.append(entry.pk)
    return chosen


def walk_admin(walk: Walk) -> None:
    officer = walk.user.role == Role.UNIT_OFFICER

    # The login form is open to anyone; it shows nothing of the back office.
    public = {reverse("admin:login")}

    def open_page(address: str, **more):
        answer = walk.get(address, **more)
        if officer and answer.status_code == 200 and address.partition("?")[0] not in public:
            walk.back_office_open.append(address)
        return answer

    open_page(reverse("admin:index"))
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        open_page(reverse("admin:app_list", kwargs={"app_label": app_label}))
    open_page("/admin/no-such-page/")
    walk_admin_extras(walk, open_page)
    for model, model_admin in admin.site._registry.items():
        changelist = admin_url(model, "changelist")
        answer = open_page(changelist)
        if answer.status_code == 200:
            pages = answer.context["cl"].paginator.num_pages if answer.context else 1
            for number in range(2, pages + 1):
                open_page(f"{changelist}?p={number}")
            for query in search_terms():
                open_page(f"{changelist}?q={urllib.parse.quote(query)}", echo=query)
        open_page(admin_url(model, "add"))
        visible = model_admin.get_queryset(walk.request)
        if model is AuditEntry:
            targets = audit_entries_to_open(walk) if visible.exists() else walk.ids(model)[:2]
        else:
            targets = walk.ids(model, visible, sample=ADMIN_SAMPLE)
        targets = targets or [1]  # no such record: the page's answer for a missing one
        for pk in targets:
            for view in ("change", "history", "delete"):
                open_page(admin_url(model, view, pk))
            if model is User:
                open_page(reverse("admin:auth_user_password_change", args=[pk]))
        if targets:
            # The bare object address redirects to its change page.
            walk.get(
                reverse("admin:index")
                + f"{model._meta.app_label}/{model._meta.model_name}/{targets[0]}/"
            )
        if model is AuditEntry and answer.status_code == 200:
            export_audit_log(walk, changelist)


def walk_admin_extras(walk: Walk, open_page) -> None:
    """The back office's pages beside the models': sign-in and password pages, scripts, the
    org tree's fragments, "view on site", second-factor devices, and every autocomplete (which
    answers the names of the records it offers) searched for a case number."""
    for name in ("admin:login", "admin:password_change", "admin:password_change_done"):
        open_page(reverse(name))
    for name in ("admin:jsi18n", "admin:javascript-catalog"):
        walk.get(reverse(name))
    root = OrgUnit.objects.order_by("path").first()
    open_page(f"/admin/accounts/orgunit/children/{root.pk}/")
    open_page("/admin/accounts/orgunit/move/")
    device = TOTPDevice.objects.order_by("pk").values_list("pk", flat=True).first() or 1
    for name in ("admin:otp_totp_totpdevice_config", "admin:otp_totp_totpdevice_qrcode"):
        open_page(reverse(name, kwargs={"pk": device}))
    for model in (Case, Recommendation, Measure):
        content_type = ContentType.objects.get_for_model(model)
        pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
        walk.get(reverse("admin:view_on_site", args=[content_type.pk, pk]))
    number = Case.objects.order_by("pk").first().number
    for model, model_admin in admin.site._registry.items():
        for field_name in model_admin.autocomplete_fields:
            for term in ("", number[:4]):
                query = urllib.parse.urlencode(
                    {
                        "app_label": model._meta.app_label,
                        "model_name": model._meta.model_name,
                        "field_name": field_name,
                        "term": term,
                    }
                )
                open_page(f"{reverse('admin:autocomplete')}?{query}")
    # Signing out of the back office, in a session of its own (the walk goes on in its own).
    leaving = Client(raise_request_exception=False)
    leaving.force_login(walk.user)
    walk.covered(reverse("admin:logout"))
    walk.read(leaving.post(reverse("admin:logout")), "POST /admin/logout/", "admin:logout")


def export_audit_log(walk: Walk, changelist: str) -> None:
    """The CSV export of every entry, as the action of the changelist sends it."""
    walk.covered(changelist)
    answer = walk.web.post(
        changelist,
        {
            "action": "export_csv",
            "select_across": "1",
            "index": "0",
            "_selected_action": list(AuditEntry.objects.values_list("pk", flat=True)[:1]),
        },
    )
    assert answer.status_code == 200, answer.status_code
    walk.read(answer, f"POST {changelist} (export_csv)", "admin:audit_auditentry_changelist")


@functools.cache
def walk_routes() -> tuple[Found, ...]:
    return tuple(walk())


def walk_everything(user: User, secrets: Secrets, sample=None) -> Walk:
    allowed = allowed_text(user) if user.role != Role.DISCIPLINE_STAFF else ""
    the_walk = Walk(user, secrets.without(allowed) if allowed else secrets, sample)
    quiet = logging.getLogger("django.request")
    level, quiet.level = quiet.level, logging.CRITICAL  # thousands of 403s and 404s
    try:
        walk_api(the_walk)
        walk_admin(the_walk)
        walk_web(the_walk)  # last: it ends with logging out
    finally:
        quiet.level = level
    return the_walk


# ── Emails and webhook messages ──────────────────────────────────────────────────────────────


def deliver_digests() -> dict[int, list[tuple[str, str]]]:
    """Send every pending digest of the day (mail to the outbox) and render each one's webhook
    message; returns recipient id → [(channel, text)]."""
    delivery.digests_prepare(shanghai_today())
    mail.outbox.clear()
    texts = defaultdict(list)
    for digest in Digest.objects.filter(status=Digest.Status.PENDING).select_related("recipient"):
        items = list(digest.notifications.order_by("kind", "created_at", "pk"))
        webhook = delivery._render("emails/digest-webhook.md", digest, items)
        texts[digest.recipient_id].append(("webhook", webhook))
        delivery.digest_deliver(digest.pk)
    by_address = {user.email: user.pk for user in User.objects.exclude(email="")}
    for message in mail.outbox:
        parts = [message.subject, message.body]
        parts += [content for content, _type in getattr(message, "alternatives", [])]
        for _name, content, mimetype in message.attachments:
            data = content if isinstance(content, bytes) else str(content).encode()
            parts.append(readable(data, mimetype or "")[1])
        for address in message.to:
            texts[by_address[address]].append(("email", SEPARATOR.join(parts)))
    return texts


# ── The tests ────────────────────────────────────────────────────────────────────────────────


def summary(findings: list[Finding]) -> str:
    """One line per role, route and field, with a count and an example."""
    grouped = defaultdict(list)
    for finding in findings:
        field_name = finding.origin.split(" #")[0]
        grouped[(finding.username, finding.route, finding.channel, field_name)].append(finding)
    lines = []
    for (username, route, channel, field_name), group in sorted(grouped.items()):
        example = group[0]
        lines.append(
            f"{username} · {route} · {channel} · {field_name} ×{len(group)} · "
            f"{example.address} · {example.needle!r} in …{example.context}…"
        )
    return "\n".join(lines)


def save_report(name: str, findings: list[Finding]) -> None:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    existing[name] = [vars(finding) for finding in findings]
    REPORT.write_text(json.dumps(existing, ensure_ascii=False, indent=1))


def plain(pattern: str) -> str:
    """A pattern as the resolver reports a match (without the regex anchors of an include)."""
    return pattern.replace("^", "")


def every_pattern() -> set[str]:
    return {plain(route.pattern) for route in walk_routes()}


OFFICERS = ["officer", "officer_health", "officer_hospital", "officer_edu", "officer_water"]


def test_the_demo_has_these_officers(demo_world, db):
    assert set(
        User.objects.filter(role=Role.UNIT_OFFICER).values_list("username", flat=True)
    ) == set(OFFICERS)
    assert set(
        User.objects.filter(
            role__in=[Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN]
        ).values_list("username", flat=True)
    ) == set(ADMINS)


@pytest.fixture(scope="module")
def walks():
    return {}


@pytest.fixture
def walk_of(demo_world, walks, db):
    """The whole walk of a demo user, made once per module (two tests read it)."""

    def made(username: str) -> Walk:
        if username not in walks:
            walks[username] = walk_everything(
                User.objects.get(username=username), demo_world.secrets
            )
            done = walks[username]
            print(username, done.answers, "answers", dict(done.channels))
            exempt = demo_world.secrets.exempted_by(allowed_text(done.user))
            print("  not counted (the user reads them legitimately):", exempt)
        return walks[username]

    return made


@pytest.mark.parametrize("username", OFFICERS + list(ADMINS))
def test_no_case_content_anywhere(username, walk_of):
    the_walk = walk_of(username)

    save_report(username, the_walk.findings)
    missing = sorted(every_pattern() - the_walk.patterns)
    assert missing == [], "routes not walked:\n" + "\n".join(missing)
    assert the_walk.findings == [], (
        f"{len(the_walk.findings)} leaks in {the_walk.answers} answers:\n"
        + summary(the_walk.findings)
    )


@pytest.mark.parametrize("username", OFFICERS)
def test_an_officer_has_no_back_office(username, walk_of):
    the_walk = walk_of(username)

    opened = the_walk.back_office_open
    assert opened == [], f"{len(opened)} back-office pages open:\n" + "\n".join(opened)


def test_no_case_content_in_emails_or_webhook_messages(demo_world, db):
    texts = deliver_digests()
    findings = []
    readers = User.objects.exclude(role__in=[Role.DISCIPLINE_STAFF, Role.SUPERVISOR])
    channels = Counter(channel for user in readers for channel, _text in texts.get(user.pk, []))
    assert channels["email"] and channels["webhook"], f"nothing to check: {channels}"
    for user in readers:
        the_walk = Walk(user, demo_world.secrets.without(allowed_text(user)))
        for channel, text in texts.get(user.pk, []):
            the_walk.channels[channel] += 1
            the_walk.scan(text, channel, f"digest to {user.email}", channel)
        findings += the_walk.findings
    print(dict(channels), "digest messages to officers and administrators")
    save_report("digests", findings)
    assert findings == [], summary(findings)


def test_the_scan_finds_case_content_where_staff_read_it(demo_world, db):
    """The control: the same walk, as the city's discipline staff, finds every kind of secret
    in pages, JSON, PDF and xlsx — so the empty result above is not an empty scan."""
    staff = User.objects.get(username="staff")

    the_walk = walk_everything(staff, demo_world.secrets, sample=1)

    assert every_pattern() - the_walk.patterns == set(), "routes not walked"
    found_fields = {finding.origin.split(" #")[0] for finding in the_walk.findings}
    every_field = {
        f"{model.__name__}.{name}"
        for model, names in case_content_fields().items()
        for name in names
    }
    assert every_field - found_fields == set()
    found_channels = {finding.channel for finding in the_walk.findings}
    assert {"html", "json", "pdf", "xlsx"} <= found_channels


@pytest.mark.parametrize("username", OFFICERS + list(ADMINS))
def test_the_walk_meets_no_server_error(username, walk_of):
    errors = walk_of(username).errors
    assert errors == [], "\n".join(errors)
