"""``seed_demo`` builds a believable demo once, through the services, and prints the logins."""

import datetime
import itertools
from collections import Counter
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.files.storage import default_storage
from django.core.management import CommandError
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrgUnit, User
from accounts.roles import Role
from cases.models import Case, Problem
from core.domain import SHANGHAI, shanghai_today
from demo.builder import DEMO_PASSWORD, HEADLINE_USERNAMES
from notifications.models import Notification
from recommendations.models import Evaluation, Recommendation
from reforms.models import (
    Activity,
    Evidence,
    ExtensionRequest,
    FollowUp,
    Measure,
    ReboundFlag,
    ReconciliationRound,
    RuleChange,
    Signal,
)

from . import factories
from .factories import seed


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# ── What the demo contains ───────────────────────────────────────────────────────────────────────


class TestTheDemo:
    """Read-only stories over one seeded demo."""

    def test_an_organisation_tree_with_a_city_two_county_commissions_and_a_dispatched_group(
        self, demo, db
    ):
        root = OrgUnit.objects.get(depth=1, name="长春市纪委监委")
        assert (root.kind, root.doc_abbr) == (OrgUnit.Kind.COMMISSION, "长纪")
        units = OrgUnit.objects.filter(kind=OrgUnit.Kind.UNIT)
        assert units.count() >= 12
        assert not units.filter(sector="").exists()
        assert {"construction", "healthcare"} <= set(units.values_list("sector", flat=True))

        counties = OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMISSION, depth=2)
        assert counties.count() == 2
        for county in counties:
            assert county.doc_abbr
            assert OrgUnit.objects.get_children(county).filter(kind=OrgUnit.Kind.UNIT).exists()

        group = OrgUnit.objects.get(kind=OrgUnit.Kind.GROUP)
        assert group.doc_abbr
        assert list(group.posted_to.values_list("name", flat=True)) == ["长春市卫生健康委员会"]

    def test_linked_case_series_in_construction_and_healthcare_with_analyses_and_problems(
        self, demo, db
    ):
        for sector in ("construction", "healthcare"):
            series = [
                case for case in Case.objects.filter(sector=sector) if case.linked_cases.exists()
            ]
            assert len(series) >= 3
            for case in series:
                assert set(case.linked_cases.all()) == set(series) - {case}
        assert Case.objects.filter(subjects__is_top_leader=True).distinct().count() >= 3
        assert set(Case.objects.values_list("status", flat=True)) == set(Case.Status.values)
        for case in Case.objects.all():
            assert case.analysis.author.role == Role.DISCIPLINE_STAFF
            assert case.violation_types.exists()
            assert case.subjects.exists()
            if case.status == Case.Status.CLOSED:
                assert case.amount >= 0 and case.closed_on and case.analysis.completed_on

        # 典型案例: one construction case chosen for the sector's warning education.
        chosen = Case.objects.typical().select_related("typical")
        assert [case.sector for case in chosen] == ["construction"]
        assert chosen[0].status == Case.Status.CLOSED and chosen[0].problems.exists()
        marked_on = chosen[0].typical.marked_at.astimezone(SHANGHAI).date()
        assert marked_on == chosen[0].closed_on + datetime.timedelta(days=30)

        problems = Problem.objects.all()
        assert problems.count() >= 40
        assert set(problems.values_list("category", flat=True)) == set(Problem.Category.values)
        assert problems.values("process_stage").distinct().count() >= 8

    def test_a_13_item_letter_a_notice_and_every_recommendation_state(self, demo, db):
        letter = Recommendation.objects.get(kind=Recommendation.Kind.LETTER, items__number=13)
        assert letter.items.count() == 13
        assert letter.doc_number.startswith("长纪建〔")
        assert letter.recipient_unit.sector == "construction"
        assert set(letter.cases.values_list("sector", flat=True)) == {"construction"}
        notices = Recommendation.objects.filter(kind=Recommendation.Kind.NOTICE)
        assert notices.exclude(recipient_unit=letter.recipient_unit).exists()
        assert notices.filter(doc_number__contains="改〔").exists()

        statuses = set(Recommendation.objects.values_list("status", flat=True))
        assert statuses == set(Recommendation.Status.values)
        # A self-inspection list (举一反三) cites what the unit found, no case: its items are
        # the campaign's answers.
        for recommendation in Recommendation.objects.exclude(
            kind=Recommendation.Kind.SELF_INSPECTION
        ):
            case_ids = set(recommendation.cases.values_list("pk", flat=True))
            for item in recommendation.items.all():
                cited = list(item.problems.all())
                assert cited, f"item {item.number} of {recommendation} cites no problem"
                assert {problem.case_id for problem in cited} <= case_ids

    def test_a_launched_campaign_with_one_unit_answered_and_the_others_urged(self, demo, db):
        from campaigns.models import Campaign, CampaignUnit

        campaign = Campaign.objects.get(status=Campaign.Status.LAUNCHED, mode=Campaign.Mode.SELF)
        rows = campaign.units.all()
        assert rows.count() == 3 and campaign.sector == "construction"
        (answered,) = rows.filter(status=CampaignUnit.Status.ANSWERED)
        letter = answered.rectification
        assert letter.kind == Recommendation.Kind.SELF_INSPECTION and not letter.cases.exists()
        item = letter.items.get()
        assert item.campaign_answer.campaign_unit == answered
        assert item.measures.count() == 1
        assert set(rows.filter(urged_count=1).values_list("status", flat=True)) == {"pending"}
        assert rows.filter(urged_count=1).count() == 2

    def test_a_cross_inspection_answered_once_and_spot_checked(self, demo, db):
        from campaigns.models import Campaign, CampaignUnit, SpotCheckFinding

        campaign = Campaign.objects.get(mode=Campaign.Mode.CROSS)
        rows = campaign.units.select_related("unit", "inspector")
        assert rows.count() == 3 and all(row.inspector not in (None, row.unit) for row in rows)
        (answered,) = rows.filter(status=CampaignUnit.Status.ANSWERED)
        assert answered.inspector.name == "长春市卫生健康委员会" and answered.team
        letter = answered.rectification
        assert letter.recipient_unit == answered.unit and letter.title.startswith("交叉检查")
        spot = SpotCheckFinding.objects.get()
        assert spot.missed and spot.campaign_unit == answered
        assert letter.items.count() == 2 and spot.rectification_item.recommendation == letter

    def test_a_published_negative_list_drawn_from_a_case_and_checked(self, demo, db):
        from negativelists.models import NegativeList

        negative_list = NegativeList.objects.get()
        assert negative_list.status == NegativeList.Status.PUBLISHED
        assert negative_list.tier == NegativeList.Tier.PARTY_MEMBERS
        assert negative_list.unit.name == "汽开区住房保障局"
        assert list(negative_list.entries.values_list("number", flat=True)) == [1, 2, 3, 4]
        assert negative_list.source_cases.get().title == "李某某贪污、受贿案"
        check = negative_list.checks.get()
        assert check.breaches == 1
        told = Notification.objects.get(dedupe_key=f"negative_list_check:{check.pk}:breaches")
        assert told.recipient.username == "officer"

    def test_about_80_measures_in_every_state_and_overdue_by_days_weeks_and_months(self, demo, db):
        measures = Measure.objects.all()
        assert 75 <= measures.count() <= 90
        assert set(measures.values_list("status", flat=True)) == set(Measure.Status.values)
        assert measures.filter(is_standing=True).count() >= 3

        today = shanghai_today()
        lateness = [measure.days_overdue(today=today) for measure in measures.overdue(today=today)]
        assert any(days < 7 for days in lateness)
        assert any(8 <= days <= 30 for days in lateness)
        assert any(days > 30 for days in lateness)
        # Standing measures are never overdue, even past their date.
        assert not measures.overdue().filter(is_standing=True).exists()
        # Every colour of the code shows, yellow (due within the warning window) included.
        assert {measure.signal(today=today) for measure in measures} == set(Signal)

        # A due date moves by an approved extension, or when a review reopens a measure.
        extended = [m for m in measures if m.original_due_on < m.due_on and not m.reopen_count]
        assert extended
        approved = ExtensionRequest.objects.filter(status=ExtensionRequest.Status.APPROVED)
        assert {request.measure_id for request in approved} == {m.pk for m in extended}
        assert ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING).count() == 1
        assert ExtensionRequest.objects.filter(status=ExtensionRequest.Status.REJECTED).exists()

    def test_progress_is_reported_with_small_evidence_files(self, demo, db):
        assert Measure.objects.filter(progress_reports__isnull=False).distinct().count() >= 50
        evidence = list(Evidence.objects.all())
        assert len(evidence) >= 50
        # Evidence is checked by content (core.uploads): the demo's files are real PDFs.
        assert {item.original_name.rsplit(".", 1)[-1] for item in evidence} == {"pdf"}
        for item in evidence[:10]:
            with default_storage.open(item.file.name) as stored:
                data = stored.read()
            assert len(data) == item.size < 10_000
            assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        for measure in Measure.objects.exclude(status=Measure.Status.NOT_STARTED):
            assert measure.evidence.exists() or measure.status in {
                Measure.Status.IN_PROGRESS,
                Measure.Status.RETURNED,
            }

    def test_every_state_was_reached_through_the_services_on_a_believable_timeline(self, demo, db):
        now = timezone.now()
        for measure in Measure.objects.prefetch_related("transitions"):
            history = list(measure.transitions.order_by("pk"))
            if measure.status == Measure.Status.NOT_STARTED:
                assert history == []
                continue
            assert history[0].from_status == Measure.Status.NOT_STARTED
            assert history[-1].to_status == measure.status
            for before, after in itertools.pairwise(history):
                assert before.to_status == after.from_status
                assert before.at <= after.at
            assert measure.created_at <= history[0].at <= now
            if measure.status == Measure.Status.SIGNED_OFF:
                assert measure.signed_off_on == history[-1].at.astimezone(SHANGHAI).date()
                assert history[-1].actor.role == Role.DISCIPLINE_STAFF
        for recommendation in Recommendation.objects.prefetch_related("transitions"):
            history = list(recommendation.transitions.order_by("pk"))
            if recommendation.status == Recommendation.Status.DRAFT:
                assert history == []
                continue
            assert history[-1].to_status == recommendation.status
            assert history[0].at.astimezone(SHANGHAI).date() == recommendation.issued_on
            assert all(a.at <= b.at for a, b in itertools.pairwise(history))
        # Work spread over months, not stamped with the moment the demo was built.
        signed_off = Measure.objects.filter(status=Measure.Status.SIGNED_OFF)
        assert signed_off.values("signed_off_on").distinct().count() > 10

    def test_rule_changes_activities_follow_ups_and_an_evaluation(self, demo, db):
        assert set(RuleChange.objects.values_list("kind", flat=True)) == set(RuleChange.Kind.values)
        assert set(Activity.objects.values_list("kind", flat=True)) == set(Activity.Kind.values)
        assert not Activity.objects.filter(participant_count=0).exists()
        assert FollowUp.objects.filter(conducted_on__isnull=True, outcome="").exists()
        assert FollowUp.objects.filter(conducted_on__isnull=False).exclude(outcome="").exists()
        evaluation = Evaluation.objects.get()
        assert evaluation.recommendation.status == Recommendation.Status.EVALUATED
        # 现场答辩式评查: three evaluators, (94 + 90 + 92) / 3 = 92.00, excellent.
        session = evaluation.session
        assert (session.members.count(), session.total_score) == (3, Decimal("92.00"))
        assert (evaluation.method, evaluation.score, evaluation.rating) == (
            "on_site",
            92,
            "excellent",
        )

    def test_a_reconciliation_round_a_rebound_review_and_a_rebound_flag(self, demo, db):
        round_ = ReconciliationRound.objects.get()
        statuses = set(round_.rows.values_list("status", flat=True))
        assert statuses == {"pending", "answered", "confirmed"}
        assert set(round_.rows.values_list("confirmation", flat=True)) >= {"agreed", "returned"}
        assert round_.rows.filter(answer="disputed").exists()
        review = FollowUp.objects.get(outcome="rebounded")
        rebounded = review.rows.get(verdict="rebounded").measure
        assert (rebounded.status, rebounded.reopen_count) == (Measure.Status.IN_PROGRESS, 1)
        assert review.rows.filter(verdict="held").exists()
        flag = ReboundFlag.objects.get()
        assert flag.measure.status == Measure.Status.SIGNED_OFF
        assert Notification.objects.filter(dedupe_key__startswith="rebound:").exists()

    def test_the_output_lists_one_login_per_role_with_the_shared_password(self, demo, db):
        assert "演示数据已生成" in demo
        lines = demo.splitlines()
        for username in HEADLINE_USERNAMES:
            user = User.objects.get(username=username)
            row = next(line for line in lines if line.split()[:1] == [username])
            assert str(Role(user.role).label) in row
            assert user.org_unit.name in row
            assert DEMO_PASSWORD in row


# ── Logins, idempotence, refusal ─────────────────────────────────────────────────────────────────


def test_each_roles_demo_user_can_log_in_with_a_strong_password(db, client, media_root):
    seed()
    headline = User.objects.filter(username__in=HEADLINE_USERNAMES)
    assert sorted(headline.values_list("role", flat=True)) == sorted(Role.values)
    for user in headline:
        assert user.full_name and user.org_unit
        validate_password(DEMO_PASSWORD, user)
        # Through the login page (django-axes watches it), straight in: no forced password
        # change, and no second factor in development.
        signed_in = client.post(
            reverse("login"), {"username": user.username, "password": DEMO_PASSWORD}
        )
        assert signed_in.status_code == 302, user.username
        assert not user.must_change_password
        landing = client.get(signed_in.url, follow=True)
        assert landing.status_code == 200
        assert landing.wsgi_request.path not in {
            reverse("password_change"),
            reverse("otp_enrol"),
        }, user.username
        client.post(reverse("logout"))
    # Every demo account is consistent with the model's own validation (an officer sits in a unit).
    for user in User.objects.all():
        user.full_clean(exclude=["password"])


def test_running_it_twice_changes_nothing(db, media_root):
    seed()
    counts = row_counts()
    files = sorted(path for path in media_root.rglob("*") if path.is_file())
    assert counts["accounts.OrgUnit"] >= 12 and counts["reforms.Measure"] >= 75

    output = seed()

    assert "演示数据已存在" in output
    assert "Demo@2026" in output
    assert row_counts() == counts
    assert sorted(path for path in media_root.rglob("*") if path.is_file()) == files


def test_it_refuses_to_build_over_an_unrelated_tree_or_taken_usernames(db, media_root):
    factories.org_root("长春市纪委监委", doc_abbr="长纪")
    with pytest.raises(CommandError, match="不是演示数据"):
        seed()
    OrgUnit.objects.all().delete()

    someone = factories.org_root("吉林市纪委监委", doc_abbr="吉纪")
    factories.user(Role.DISCIPLINE_STAFF, someone, "staff")
    counts = row_counts()
    with pytest.raises(CommandError, match="已被占用：staff"):
        seed()
    assert row_counts() == counts


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI),  # New Year, a holiday
        datetime.datetime(2026, 2, 28, 23, 50, tzinfo=SHANGHAI),  # month end, late at night
    ],
)
def test_it_builds_the_same_picture_whatever_the_day(db, media_root, time_machine, moment):
    time_machine.move_to(moment)
    seed()
    today = shanghai_today()
    assert today == moment.date()
    measures = Measure.objects.all()
    statuses = Counter(measures.values_list("status", flat=True))
    assert set(statuses) == set(Measure.Status.values)
    lateness = [m.days_overdue(today=today) for m in measures.overdue(today=today)]
    assert min(lateness) < 7 and max(lateness) > 30
    assert any(8 <= days <= 30 for days in lateness)
    assert set(Recommendation.objects.values_list("status", flat=True)) == set(
        Recommendation.Status.values
    )
