"""Workflow events notify through the inbox: who is told, exactly once, in the transition's
transaction, with a link and a Chinese title free of case content."""

import datetime
import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.urls import reverse

from accounts.roles import Role
from core.domain import PermissionRefused, TransitionRefused, shanghai_today
from notifications.models import Notification
from recommendations import services as recommendation_services
from recommendations.models import Recommendation
from reforms import services, workflow
from reforms.models import ExtensionRequest, Measure, MeasureTransition
from tests import factories

from .conftest import advance

Status = Measure.Status
KIND = Notification.Kind.WORKFLOW


@pytest.fixture
def people(world):
    """Who could wrongly be told: a second housing officer, an inactive one; and the owner, an
    officer of the unit too, told once whatever the two reasons to tell them."""
    housing = world.units.housing
    return {
        "second_officer": factories.user(Role.UNIT_OFFICER, housing, "housing_officer_2"),
        "inactive_officer": factories.user(
            Role.UNIT_OFFICER, housing, "housing_officer_gone", is_active=False
        ),
        "owner": factories.user(Role.UNIT_OFFICER, world.units.housing, "housing_owner"),
    }


def told(**filters) -> dict[str, int]:
    """Workflow notifications per recipient's username."""
    counts: dict[str, int] = {}
    for username in Notification.objects.filter(kind=KIND, **filters).values_list(
        "recipient__username", flat=True
    ):
        counts[username] = counts.get(username, 0) + 1
    return counts


def latest(username) -> Notification:
    return Notification.objects.filter(kind=KIND, recipient__username=username).first()


def assert_no_case_content(notification, the_case):
    text = notification.title + notification.body
    assert the_case.number not in text
    assert the_case.title not in text
    for subject in the_case.subjects.all():
        assert subject.name not in text


def test_an_issued_letter_asks_the_units_officers_to_acknowledge(world, housing_case, people):
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    assert told() == {"housing_officer": 1, "housing_officer_2": 1, "housing_owner": 1}
    item = latest("housing_officer")
    assert item.title == f"待签收：{letter.doc_number}"
    assert item.link == reverse("recommendations:detail", args=[letter.pk])
    assert "2026-12-31" in item.body
    assert_no_case_content(item, housing_case)


def test_acknowledge_and_reply_tell_the_staff_who_drafted_it(world, housing_case, people):
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    Notification.objects.all().delete()
    officer = world.users.housing_officer
    recommendation_services.recommendation_acknowledge(recommendation=letter, actor=officer)
    assert told() == {"city_staff": 1}
    assert latest("city_staff").title == f"已签收：{letter.doc_number}"

    factories.measure(recommendation=letter, actor=officer, is_standing=True)
    recommendation_services.recommendation_start_rectification(recommendation=letter, actor=officer)
    assert told() == {"city_staff": 1}  # the plan's submission is not an event told to anyone
    recommendation_services.recommendation_submit_reply(
        recommendation=letter, actor=officer, content="整改报告：已落实"
    )
    assert told() == {"city_staff": 2}
    item = latest("city_staff")
    assert item.title == f"整改报告已提交：{letter.doc_number}"
    assert item.link == reverse("recommendations:detail", args=[letter.pk])
    assert "整改报告：已落实" not in item.body


def test_a_returned_reply_and_a_follow_up_tell_the_officers(world, housing_case, people):
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = factories.issued_recommendation(staff=staff, the_case=housing_case)
    recommendation_services.recommendation_acknowledge(recommendation=letter, actor=officer)
    factories.measure(recommendation=letter, actor=officer, is_standing=True)
    recommendation_services.recommendation_start_rectification(recommendation=letter, actor=officer)
    recommendation_services.recommendation_submit_reply(
        recommendation=letter, actor=officer, content="整改报告"
    )
    Notification.objects.all().delete()
    recommendation_services.recommendation_return_reply(
        recommendation=letter, actor=staff, reason="报告过于简单"
    )
    assert told() == {"housing_officer": 1, "housing_officer_2": 1, "housing_owner": 1}
    assert latest("housing_officer").body == "原因：报告过于简单"

    recommendation_services.recommendation_submit_reply(
        recommendation=letter, actor=officer, content="整改报告（补充）"
    )
    recommendation_services.recommendation_close(recommendation=letter, actor=staff)
    Notification.objects.all().delete()
    day = shanghai_today() + datetime.timedelta(days=7)
    follow_up = services.follow_up_schedule(recommendation=letter, actor=staff, scheduled_on=day)
    assert told() == {"housing_officer": 1, "housing_officer_2": 1, "housing_owner": 1}
    item = latest("housing_officer")
    assert item.title == f"已安排回头看：{letter.doc_number}"
    assert f"{day:%Y-%m-%d}" in item.body
    # Written again (a retried job): nothing twice.
    workflow.follow_up_scheduled(follow_up, actor=staff)
    assert told() == {"housing_officer": 1, "housing_officer_2": 1, "housing_owner": 1}


def test_the_creator_is_not_told_once_out_of_service(world, housing_case):
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    world.users.city_staff.is_active = False
    world.users.city_staff.save()
    Notification.objects.all().delete()
    recommendation_services.recommendation_acknowledge(
        recommendation=letter, actor=world.users.housing_officer
    )
    assert told() == {}


@pytest.fixture
def measure(world, letter, people):
    measure = factories.measure(
        recommendation=letter, actor=world.users.housing_officer, owner=people["owner"]
    )
    return advance(
        measure,
        to=Status.IN_PROGRESS,
        staff=world.users.city_staff,
        officer=world.users.housing_officer,
    )


def test_sign_off_requested_tells_the_creator_only(world, measure):
    Notification.objects.all().delete()
    advance(
        measure,
        to=Status.AWAITING_SIGNOFF,
        staff=world.users.city_staff,
        officer=world.users.housing_officer,
    )
    assert told() == {"city_staff": 1}
    item = latest("city_staff")
    assert item.title == "申请销号：修订招投标管理办法"
    assert item.link == reverse("reforms:measure_detail", args=[measure.pk])


def test_a_returned_measure_tells_the_officers_and_the_owner_with_the_reason(world, measure):
    staff, officer = world.users.city_staff, world.users.housing_officer
    advance(measure, to=Status.AWAITING_SIGNOFF, staff=staff, officer=officer)
    Notification.objects.all().delete()
    services.measure_return(
        measure=measure,
        actor=staff,
        reason_code=MeasureTransition.ReturnReason.OTHER,
        reason="缺少培训签到表",
    )
    assert told() == {"housing_officer": 1, "housing_officer_2": 1, "housing_owner": 1}
    item = latest("housing_owner")
    assert item.title == "整改措施被退回：修订招投标管理办法"
    assert item.body == "原因：其他；缺少培训签到表"
    assert item.link == reverse("reforms:measure_detail", args=[measure.pk])


def test_a_signed_off_measure_tells_the_officers_and_the_owner(world, measure):
    staff, officer = world.users.city_staff, world.users.housing_officer
    advance(measure, to=Status.AWAITING_SIGNOFF, staff=staff, officer=officer)
    Notification.objects.all().delete()
    services.measure_sign_off(measure=measure, actor=staff, note="经核查，整改到位")
    assert told() == {"housing_officer": 1, "housing_officer_2": 1, "housing_owner": 1}
    assert latest("housing_officer").title == "整改措施已销号：修订招投标管理办法"


def test_the_actor_is_not_told_of_their_own_action(world, measure):
    """Whoever acts is left out of the recipients, whatever the rule would give."""
    staff, officer = world.users.city_staff, world.users.housing_officer
    advance(measure, to=Status.AWAITING_SIGNOFF, staff=staff, officer=officer)
    services.measure_return(
        measure=measure,
        actor=staff,
        reason_code=MeasureTransition.ReturnReason.PAPER_RECTIFICATION,
    )
    Notification.objects.all().delete()
    workflow.measure_event(measure, measure.transitions.latest("pk"), actor=officer)
    assert told() == {"housing_officer_2": 1, "housing_owner": 1}


def test_extensions_requested_approved_and_refused(world, measure):
    staff, officer = world.users.city_staff, world.users.housing_officer
    Notification.objects.all().delete()
    request = services.extension_request_submit(
        measure=measure,
        actor=officer,
        requested_due_on=measure.due_on + datetime.timedelta(days=30),
        reason="需要招标",
    )
    assert told() == {"city_staff": 1}
    item = latest("city_staff")
    assert item.title == "申请延期：修订招投标管理办法"
    assert item.body == "申请将整改时限由2026-06-30延至2026-07-30。"
    assert item.link == reverse("reforms:extension_queue")

    Notification.objects.all().delete()
    services.extension_request_approve(request=request, actor=staff)
    assert told() == {"housing_officer": 1, "housing_officer_2": 1, "housing_owner": 1}
    assert latest("housing_officer").title == "延期申请已批准：修订招投标管理办法"
    assert latest("housing_officer").body == "整改时限由2026-06-30延至2026-07-30。"

    measure.refresh_from_db()
    second = services.extension_request_submit(
        measure=measure,
        actor=officer,
        requested_due_on=measure.due_on + datetime.timedelta(days=30),
        reason="仍需时间",
    )
    Notification.objects.all().delete()
    services.extension_request_reject(request=second, actor=staff, note="理由不充分")
    assert told() == {"housing_officer": 1, "housing_officer_2": 1, "housing_owner": 1}
    item = latest("housing_officer")
    assert item.title == "延期申请未获批准：修订招投标管理办法"
    assert item.body == "整改时限仍为2026-07-30。 原因：理由不充分"


def test_nobody_out_of_scope_is_told(world, measure):
    staff, officer = world.users.city_staff, world.users.housing_officer
    advance(measure, to=Status.AWAITING_SIGNOFF, staff=staff, officer=officer)
    services.measure_sign_off(measure=measure, actor=staff, note="经核查，整改到位")
    outsiders = {
        "health_officer",
        "county_staff",
        "group_staff",
        "other_staff",
        "supervisor",
        "county_supervisor",
        "system_admin",
        "security_admin",
        "audit_admin",
        "housing_officer_gone",
    }
    assert outsiders.isdisjoint(told())


def test_an_event_written_again_writes_nothing_twice(world, measure):
    """The dedupe key names the transition row: the event written again (a job run twice) and
    the service called again after its commit (a client that never heard the answer) add
    nothing."""
    staff, officer = world.users.city_staff, world.users.housing_officer
    advance(measure, to=Status.AWAITING_SIGNOFF, staff=staff, officer=officer)
    services.measure_sign_off(measure=measure, actor=staff, note="经核查，整改到位")
    before = Notification.objects.count()
    transition = measure.transitions.latest("pk")
    workflow.measure_event(measure, transition, actor=staff)
    workflow.measure_event(measure, transition, actor=staff)
    assert Notification.objects.count() == before
    with pytest.raises(TransitionRefused):
        services.measure_sign_off(measure=measure, actor=staff, note="经核查，整改到位")
    assert Notification.objects.count() == before
    keys = Notification.objects.filter(kind=KIND, recipient=officer).values_list(
        "dedupe_key", flat=True
    )
    assert f"measure:{measure.pk}:transition:{transition.pk}" in keys


class FailsOnceAfterNotifying:
    """An execute wrapper: the first INSERT into the notifications table is carried out, then
    the statement fails as PostgreSQL fails a transaction that lost a race under its isolation
    (SQLSTATE 40001) or a lock wait that timed out: the transaction has written its transition
    and its notifications, and must be rolled back and run again."""

    def __init__(self):
        self.armed = True
        self.written_before_failing = None

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if (
            self.armed
            and sql.lstrip().upper().startswith("INSERT")
            and "accounts_notification" in sql
        ):
            self.armed = False
            self.written_before_failing = Notification.objects.count()
            raise OperationalError("could not serialize access due to concurrent update")
        return result


def retried(action, attempts=3):
    """What a retrying caller does (a Celery task's retry, a client sending the request again):
    run the service, whose transaction is its own, again after a serialization or lock failure."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except OperationalError:
            if attempt == attempts:
                raise


def _issue(world, housing_case, people):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    issued = lambda: recommendation_services.recommendation_issue(  # noqa: E731
        recommendation=Recommendation.objects.get(pk=draft.pk),
        actor=world.users.city_staff,
        issued_on=datetime.date(2026, 1, 5),
    )
    officers = {"housing_officer": 1, "housing_officer_2": 1, "housing_owner": 1}
    return issued, officers, "recommendation"


def _measure_in_signoff(world, housing_case, people):
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = factories.issued_recommendation(staff=staff, the_case=housing_case)
    recommendation_services.recommendation_acknowledge(recommendation=letter, actor=officer)
    measure = factories.measure(recommendation=letter, actor=officer, owner=people["owner"])
    return advance(measure, to=Status.AWAITING_SIGNOFF, staff=staff, officer=officer)


def _sign_off(world, housing_case, people):
    measure = _measure_in_signoff(world, housing_case, people)
    signed_off = lambda: services.measure_sign_off(  # noqa: E731
        measure=Measure.objects.get(pk=measure.pk),
        actor=world.users.city_staff,
        note="经核查同意销号",
    )
    return signed_off, {"housing_officer": 1, "housing_officer_2": 1, "housing_owner": 1}, "measure"


def _approve_extension(world, housing_case, people):
    measure = _measure_in_signoff(world, housing_case, people)
    request = services.extension_request_submit(
        measure=measure,
        actor=world.users.housing_officer,
        requested_due_on=measure.due_on + datetime.timedelta(days=30),
        reason="需要招标",
    )
    approved = lambda: services.extension_request_approve(  # noqa: E731
        request=ExtensionRequest.objects.get(pk=request.pk), actor=world.users.city_staff
    )
    return approved, {"housing_officer": 1, "housing_officer_2": 1, "housing_owner": 1}, "extension"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("event", [_issue, _sign_off, _approve_extension])
def test_a_transaction_retried_after_a_serialization_failure_notifies_once(
    world, housing_case, people, event
):
    """Real transactions (no test transaction around them): the first attempt writes its
    notifications, fails, and is rolled back; the retry commits. Each recipient holds one
    notification of the event, keyed by what the retry committed, and one unread in the bell."""
    action, expected, key_prefix = event(world, housing_case, people)
    Notification.objects.all().delete()
    failure = FailsOnceAfterNotifying()

    with connection.execute_wrapper(failure):
        retried(action)

    assert failure.written_before_failing == sum(expected.values())  # written, then rolled back
    assert told() == expected
    assert len(set(Notification.objects.values_list("dedupe_key", flat=True))) == 1
    [key] = set(Notification.objects.values_list("dedupe_key", flat=True))
    assert key.startswith(f"{key_prefix}:")
    if key_prefix == "measure":  # one transition row survives, and the key names it
        [transition] = MeasureTransition.objects.filter(to_status=Status.SIGNED_OFF)
        assert key == f"measure:{transition.measure_id}:transition:{transition.pk}"
    for username in expected:
        assert Notification.objects.filter(recipient__username=username).unread().count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sign_offs_at_once_notify_once(world, housing_case, people):
    """Two staff tabs sign the same measure off at the same moment: the row lock (PostgreSQL) or
    the write lock (SQLite, IMMEDIATE transactions) queues the second behind the first, which then
    finds the measure signed off and is refused; the unit is told once."""
    measure = _measure_in_signoff(world, housing_case, people)
    Notification.objects.all().delete()
    start = threading.Barrier(2)
    outcomes = []

    def sign_off():
        try:
            start.wait()
            services.measure_sign_off(
                measure=Measure.objects.get(pk=measure.pk),
                actor=world.users.city_staff,
                note="经核查同意销号",
            )
            outcomes.append("signed off")
        except TransitionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_off) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["refused", "signed off"]
    assert told() == {"housing_officer": 1, "housing_officer_2": 1, "housing_owner": 1}
    assert MeasureTransition.objects.filter(to_status=Status.SIGNED_OFF).count() == 1


def test_a_refused_transition_notifies_nobody(world, measure):
    staff, officer = world.users.city_staff, world.users.housing_officer
    Notification.objects.all().delete()
    with pytest.raises(TransitionRefused):  # no evidence yet
        services.measure_request_signoff(measure=measure, actor=officer)
    with pytest.raises(TransitionRefused):  # not awaiting sign-off
        services.measure_sign_off(measure=measure, actor=staff, note="经核查，整改到位")
    with pytest.raises(PermissionRefused):  # another commission's staff
        services.measure_return(
            measure=measure,
            actor=world.users.other_staff,
            reason_code=MeasureTransition.ReturnReason.PAPER_RECTIFICATION,
        )
    request = services.extension_request_submit(
        measure=measure,
        actor=officer,
        requested_due_on=measure.due_on + datetime.timedelta(days=5),
        reason="需要时间",
    )
    Notification.objects.all().delete()
    with pytest.raises(TransitionRefused):  # a refusal needs its reason
        services.extension_request_reject(request=request, actor=staff, note=" ")
    services.extension_request_approve(request=request, actor=staff)
    Notification.objects.all().delete()
    with pytest.raises(TransitionRefused):  # already decided
        services.extension_request_approve(request=request, actor=staff)
    assert Notification.objects.count() == 0
    assert request.status == ExtensionRequest.Status.APPROVED


def test_a_transition_rolled_back_leaves_no_notification(world, housing_case):
    """Written in the transition's transaction: whatever rolls the issue back (a request that
    fails later, a job killed before commit) takes its notifications with it."""
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    with pytest.raises(RuntimeError), transaction.atomic():
        recommendation_services.recommendation_issue(
            recommendation=draft, actor=world.users.city_staff, issued_on=datetime.date(2026, 1, 5)
        )
        assert told() == {"housing_officer": 1}
        raise RuntimeError("the request failed after the transition")
    assert Notification.objects.count() == 0
    assert Recommendation.objects.get(pk=draft.pk).status == Recommendation.Status.DRAFT
    # Issued for real afterwards: told once.
    draft.refresh_from_db()
    recommendation_services.recommendation_issue(
        recommendation=draft, actor=world.users.city_staff, issued_on=datetime.date(2026, 1, 5)
    )
    assert told() == {"housing_officer": 1}


def test_the_bell_counts_a_workflow_event(world, housing_case, browse):
    officer = world.users.housing_officer
    page = browse(officer).get(reverse("notifications"))
    assert page.context["unread_notifications"] == 0
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    page = browse(officer).get(reverse("notifications"))
    assert page.context["unread_notifications"] == 1
    html = page.content.decode()
    assert 'data-testid="unread-count">1<' in html
    assert f"待签收：{letter.doc_number}" in html
    # The staff's bell moves when the officer acknowledges.
    recommendation_services.recommendation_acknowledge(recommendation=letter, actor=officer)
    page = browse(world.users.city_staff).get(reverse("notifications"))
    assert page.context["unread_notifications"] == 1


def test_workflow_events_go_into_the_daily_digest(world, housing_case, mailoutbox):
    from notifications import delivery

    officer = world.users.housing_officer
    officer.email = "officer@example.cn"
    officer.save()
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    for pk in delivery.digests_prepare(shanghai_today()):
        delivery.digest_deliver(pk)
    [message] = mailoutbox
    assert message.to == ["officer@example.cn"]
    assert f"待签收：{letter.doc_number}" in message.body
    assert reverse("recommendations:detail", args=[letter.pk]) in message.body
