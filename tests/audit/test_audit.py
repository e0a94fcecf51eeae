"""The audit log: every login, write, state change, case view, download and refusal leaves one
append-only row, read and exported by the audit administrator alone."""

import csv
import importlib
import io

import pytest
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.utils import DatabaseError
from django.urls import reverse

from audit.models import AuditEntry
from recommendations import services as recommendation_services
from tests import factories
from tests.cases.test_views import case_form_data

Action = AuditEntry.Action
pytestmark = pytest.mark.django_db


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("pk"))


def login(client, username, password=factories.PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_login_a_failed_login_and_a_logout_are_logged_with_account_role_and_address(
    world, client
):
    login(client, "city_staff", "wrong password")
    login(client, "city_staff")
    client.post(reverse("logout"))

    failed, logged_in, logged_out = entries(action__in=["login", "login_failed", "logout"])
    assert (failed.action, failed.outcome, failed.username) == (
        "login_failed",
        "failure",
        "city_staff",
    )
    assert failed.user_id is None and failed.role == ""
    assert failed.ip == "127.0.0.1"
    assert (logged_in.action, logged_in.username, logged_in.role) == (
        "login",
        "city_staff",
        "discipline_staff",
    )
    assert logged_in.ip == "127.0.0.1"
    assert (logged_out.action, logged_out.username) == ("logout", "city_staff")


def test_a_page_write_is_logged_with_its_actor_and_the_fields_before_and_after(
    world, client, housing_case
):
    client.force_login(world.users.city_staff)
    response = client.post(
        reverse("cases:edit", args=[housing_case.pk]),
        case_form_data(world, number=housing_case.number, title="改过的案件名称"),
    )
    assert response.status_code == 302

    (update,) = entries(action=Action.UPDATE, object_type="cases.case")
    assert update.username == "city_staff"
    assert update.object_id == str(housing_case.pk)
    # The title is case content: recorded as changed, without its values (nor the case's name).
    assert update.changes["title"] == ["（案件内容，不予记录）", "（案件内容，不予记录）"]
    assert update.object_repr == f"案件 #{housing_case.pk}"
    assert "改过的案件名称" not in str(update.changes)
    assert "updated_at" not in update.changes


def test_links_added_and_removed_are_logged(world, housing_case):
    other = factories.case(
        case_unit=world.units.health, commission=world.units.city, created_by=world.users.city_staff
    )
    housing_case.linked_cases.add(other)
    housing_case.linked_cases.remove(other)

    added, removed = entries(action=Action.UPDATE, object_id=str(housing_case.pk))
    assert added.changes == {"linked_cases": {"added": [other.pk]}}
    assert removed.changes == {"linked_cases": {"removed": [other.pk]}}


def test_a_state_change_is_logged_as_a_transition(world, housing_case):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    recommendation_services.recommendation_issue(recommendation=draft, actor=world.users.city_staff)

    (issued,) = entries(action=Action.TRANSITION, object_type="recommendations.recommendation")
    assert issued.changes["status"] == ["draft", "issued"]
    assert issued.username == ""  # no request: the system (here a service called directly)


def test_creates_and_deletes_are_logged_and_secrets_never_are(world):
    officer = factories.user("unit_officer", world.units.housing, username="new_officer")
    officer.set_password("Another@2026")
    officer.save()
    pk = officer.pk
    officer.delete()

    created, changed, deleted = entries(object_type="accounts.user", object_id=str(pk))
    assert created.action == Action.CREATE and created.changes["username"] == [None, "new_officer"]
    assert changed.action == Action.UPDATE and changed.changes["password"][1] == "******"
    assert deleted.action == Action.DELETE and deleted.changes["password"][0] == "******"
    assert "Another@2026" not in str(created.changes) + str(changed.changes)


def test_reading_a_case_is_logged_on_the_page_and_through_the_api(world, client, housing_case):
    client.force_login(world.users.supervisor)
    client.get(reverse("cases:detail", args=[housing_case.pk]))
    client.get(f"/api/v1/cases/{housing_case.pk}/")

    views = entries(action=Action.VIEW, object_type="cases.case")
    assert [(view.username, view.object_id) for view in views] == [
        ("supervisor", str(housing_case.pk))
    ] * 2


def test_downloads_exports_and_refusals_are_logged(world, client, housing_case):
    client.force_login(world.users.city_staff)
    assert client.get(reverse("documents:case_analysis", args=[housing_case.pk])).status_code == 200
    assert client.get(reverse("documents:cases_xlsx")).status_code == 200
    client.force_login(world.users.housing_officer)
    assert client.get(reverse("cases:list")).status_code == 403

    download, export = entries(action__in=[Action.DOWNLOAD, Action.EXPORT])
    assert download.action == Action.DOWNLOAD and str(housing_case.pk) in download.detail
    assert export.action == Action.EXPORT and export.username == "city_staff"
    (refused,) = entries(outcome=AuditEntry.Outcome.FAILURE)
    assert refused.username == "housing_officer"
    assert refused.detail == f"GET {reverse('cases:list')}"


def test_a_service_refusal_is_logged_however_it_is_answered(world, client, housing_case):
    """A DomainError (not in this state, invalid, not allowed) leaves one failure entry, on a page
    (the form shown again, 409) and over the API (a JSON 409), though the service's transaction was
    rolled back; by its kind and code, never its message."""
    letter = recommendation_services.recommendation_acknowledge(
        recommendation=factories.issued_recommendation(
            staff=world.users.city_staff, the_case=housing_case
        ),
        actor=world.users.housing_officer,
    )
    measure = factories.measure(recommendation=letter, actor=world.users.housing_officer)
    client.force_login(world.users.housing_officer)

    page = client.post(reverse("reforms:signoff_request", args=[measure.pk]), {"request-note": "x"})
    api = client.post(
        f"/api/v1/measures/{measure.pk}/request-signoff/",
        {"note": "请销号"},
        content_type="application/json",
    )

    assert (page.status_code, api.status_code) == (409, 409)
    page_entry, api_entry = entries(outcome=AuditEntry.Outcome.FAILURE)
    assert page_entry.username == api_entry.username == "housing_officer"
    assert page_entry.detail == (
        f"POST {reverse('reforms:signoff_request', args=[measure.pk])} "
        "TransitionRefused(invalid_state) 409"
    )
    assert api_entry.detail.startswith(f"POST /api/v1/measures/{measure.pk}/request-signoff/ ")
    assert api_entry.detail.endswith(" 409")
    assert not entries(action=Action.TRANSITION, object_type="reforms.measure")


def test_a_refusal_answered_with_403_is_logged_once(world, client, housing_case):
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    client.force_login(world.users.supervisor)

    answer = client.post(f"/api/v1/recommendations/{letter.pk}/close/")

    assert answer.status_code == 403
    (refused,) = entries(outcome=AuditEntry.Outcome.FAILURE)
    assert refused.username == "supervisor"
    assert refused.detail.startswith(f"POST /api/v1/recommendations/{letter.pk}/close/")


def test_the_log_cannot_be_changed_or_deleted_through_the_application(world, client):
    login(client, "city_staff")
    entry = AuditEntry.objects.get(action=Action.LOGIN)

    entry.detail = "covered up"
    for attempt in (
        entry.save,
        entry.delete,
        lambda: AuditEntry.objects.update(detail="covered up"),
        lambda: AuditEntry.objects.all().delete(),
    ):
        with pytest.raises(PermissionError):
            attempt()
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_the_database_refuses_to_alter_audit_rows(world, client):
    login(client, "city_staff")
    entry = AuditEntry.objects.get(action=Action.LOGIN)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_auditentry SET username = 'nobody' WHERE id = %s", [entry.pk]
        )
    assert AuditEntry.objects.get(pk=entry.pk).username == "city_staff"


def test_the_database_refuses_to_delete_recent_audit_rows(world, client):
    """PostgreSQL refuses at the row; SQLite (development only) leaves deletes to the model, as
    Django empties SQLite tables between tests with DELETE."""
    login(client, "city_staff")
    entry = AuditEntry.objects.get(action=Action.LOGIN)

    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_auditentry WHERE id = %s", [entry.pk])
    else:
        with pytest.raises(PermissionError):
            entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "username",
    ["city_staff", "supervisor", "housing_officer", "system_admin", "security_admin"],
)
def test_only_the_audit_administrator_reads_the_log(world, client, username):
    client.force_login(getattr(world.users, username))

    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403


def test_the_audit_administrator_searches_reads_and_exports_but_never_edits(world, client):
    login(client, "city_staff", "wrong password")
    login(client, "city_staff")
    client.force_login(world.users.audit_admin)
    changelist = reverse("admin:audit_auditentry_changelist")

    page = client.get(changelist, {"q": "city_staff", "action__exact": "login_failed"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    failed = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    detail = client.get(reverse("admin:audit_auditentry_change", args=[failed.pk]))
    assert detail.status_code == 200 and b'name="detail"' not in detail.content  # read-only
    assert (
        client.post(reverse("admin:audit_auditentry_delete", args=[failed.pk])).status_code == 403
    )

    export = client.post(
        changelist,
        {"action": "export_csv", "_selected_action": [failed.pk], "select_across": 0},
    )
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert export["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
    assert rows[1][1] == "city_staff" and rows[1][4] == "login_failed"
    assert AuditEntry.objects.filter(action=Action.EXPORT, username="audit_admin").exists()


def test_an_entry_shows_each_changed_field_by_its_name_before_and_after(
    world, client, housing_case
):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    recommendation_services.recommendation_issue(recommendation=draft, actor=world.users.city_staff)
    issued = AuditEntry.objects.get(action=Action.TRANSITION)
    client.force_login(world.users.audit_admin)

    page = client.get(reverse("admin:audit_auditentry_change", args=[issued.pk]))

    html = page.content.decode()
    assert "<td>状态</td><td>draft</td><td>issued</td>" in html
    assert "纪检监察建议" in html  # the object's kind


def test_an_exported_cell_never_starts_a_formula(world, client):
    login(client, '=HYPERLINK("http://evil")', "x")
    client.force_login(world.users.audit_admin)

    failed = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    export = client.post(
        reverse("admin:audit_auditentry_changelist"),
        {"action": "export_csv", "_selected_action": [failed.pk]},
    )
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


def test_hostile_text_typed_as_a_username_is_shown_escaped_to_the_audit_administrator(
    world, client
):
    login(client, "<script>alert(1)</script>", "x")
    client.force_login(world.users.audit_admin)
    failed = AuditEntry.objects.get(action=Action.LOGIN_FAILED)

    for url in (
        reverse("admin:audit_auditentry_changelist"),
        reverse("admin:audit_auditentry_change", args=[failed.pk]),
    ):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ── No case content in the log (accounts.confidentiality) ───────────────────────────────────

REDACTED = "（案件内容，不予记录）"


def test_case_records_are_named_by_kind_and_id_and_their_content_is_not_copied(world, housing_case):
    subject = housing_case.subjects.create(
        name="孙某某", position="原副局长", disposition="开除党籍"
    )
    draft = factories.draft_recommendation(
        staff=world.users.city_staff, the_case=housing_case, preamble="孙某某受贿案暴露出……"
    )

    (created,) = entries(action=Action.CREATE, object_type="cases.subject")
    assert created.object_repr == f"涉案人员 #{subject.pk}"
    assert created.changes["name"] == [None, REDACTED]
    assert created.changes["position"] == [None, REDACTED]
    assert created.changes["is_top_leader"] == [None, False]  # not case content: kept
    (letter,) = entries(action=Action.CREATE, object_type="recommendations.recommendation")
    assert letter.object_repr == f"纪检监察建议 #{draft.pk}"
    # Free text of the domain may name the case: recorded as set, not copied. Codes are kept.
    assert letter.changes["preamble"] == letter.changes["title"] == [None, REDACTED]
    assert letter.changes["status"] == [None, "draft"]
    issued = recommendation_services.recommendation_issue(
        recommendation=draft, actor=world.users.city_staff
    )
    (transition,) = entries(action=Action.TRANSITION, object_type="recommendations.recommendation")
    assert transition.object_repr == f"纪检监察建议 #{draft.pk} {issued.doc_number}"

    subject.delete()
    (deleted,) = entries(action=Action.DELETE, object_type="cases.subject")
    assert deleted.changes["name"] == [REDACTED, None]
    everything = str([(e.object_repr, e.changes, e.detail) for e in AuditEntry.objects.all()])
    for secret in ("孙某某", "原副局长", "开除党籍", housing_case.number, housing_case.title):
        assert secret not in everything


def test_a_search_term_is_recorded_by_name_only(world, client, housing_case):
    client.force_login(world.users.city_staff)
    client.get(reverse("documents:cases_xlsx"), {"q": "孙某某", "sector": "construction"})
    client.force_login(world.users.housing_officer)
    client.get(reverse("cases:list"), {"q": housing_case.number})

    export, refused = entries(action__in=[Action.EXPORT, Action.VIEW])
    assert export.detail == f"GET {reverse('documents:cases_xlsx')}?q=…&sector=construction"
    assert refused.detail == f"GET {reverse('cases:list')}?q=…"


def test_the_audit_administrator_finds_no_case_content_in_the_log(world, client, housing_case):
    client.force_login(world.users.city_staff)
    client.post(
        reverse("cases:edit", args=[housing_case.pk]),
        case_form_data(world, number=housing_case.number, title="孙某某受贿案"),
    )
    client.get(reverse("cases:detail", args=[housing_case.pk]))
    client.force_login(world.users.audit_admin)
    changelist = reverse("admin:audit_auditentry_changelist")

    for term in (housing_case.number, "孙某某"):
        assert client.get(changelist, {"q": term}).context["cl"].result_count == 0
    listing = client.get(changelist).content.decode()
    export = client.post(
        changelist,
        {
            "action": "export_csv",
            "_selected_action": list(AuditEntry.objects.values_list("pk", flat=True)),
        },
    )
    exported = b"".join(export.streaming_content).decode("utf-8-sig")
    update = AuditEntry.objects.get(action=Action.UPDATE, object_type="cases.case")
    detail = client.get(reverse("admin:audit_auditentry_change", args=[update.pk]))
    for text in (listing, exported, detail.content.decode()):
        assert f"案件 #{housing_case.pk}" in text
        assert housing_case.number not in text and "孙某某" not in text


class _SqlRunner:
    """What the migration asks of its schema editor: the connection, and SQL run on it."""

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql, params=None):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_the_migration_takes_case_content_out_of_earlier_entries_and_keeps_the_guard(
    world, housing_case
):
    migration = importlib.import_module("accounts.migrations.0009_audit_log_without_case_content")
    written_before = AuditEntry.objects.create(  # as the log wrote it until then
        action=Action.UPDATE,
        username="city_staff",
        object_type="cases.case",
        object_id=str(housing_case.pk),
        object_repr="长纪立〔2025〕27号 孙某某严重违纪违法案",
        changes={"amount": ["0", "1860000"], "status": ["opened", "closed"]},
        detail="GET /cases/?q=孙某某&page=2",
    )
    letter = AuditEntry.objects.create(
        action=Action.TRANSITION,
        object_type="recommendations.recommendation",
        object_id="7",
        object_repr="长纪建〔2026〕1号 关于蒋某某案件以案促改的纪检监察建议书",
        changes={"status": ["draft", "issued"], "doc_number": ["", "长纪建〔2026〕1号"]},
    )
    login = AuditEntry.objects.create(action=Action.LOGIN, username="city_staff", detail="")
    historical = MigrationLoader(connection).project_state(
        ("accounts", "0009_audit_log_without_case_content")
    )

    migration.redact(historical.apps, _SqlRunner(connection))

    entry = AuditEntry.objects.get(pk=written_before.pk)
    assert entry.object_repr == f"案件 #{housing_case.pk}"
    assert entry.changes == {"amount": [REDACTED, REDACTED], "status": ["opened", "closed"]}
    assert entry.detail == "GET /cases/?q=…&page=2"
    assert (entry.username, entry.at) == ("city_staff", written_before.at)
    letter = AuditEntry.objects.get(pk=letter.pk)
    assert letter.object_repr == "纪检监察建议 #7 长纪建〔2026〕1号"
    assert letter.changes == {"status": ["draft", "issued"], "doc_number": ["", REDACTED]}
    assert AuditEntry.objects.get(pk=login.pk).at == login.at
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET username = 'x' WHERE id = %s", [entry.pk])
