"""Recommendations (纪检监察建议书, 以案促改通知书), their items, the reply and the evaluation."""

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from accounts.scoping import ScopedQuerySet
from cases.models import Case, Problem
from core.domain import BoundedTextField, TimeStampedModel, TransitionRecord
from core.jobs import PersonalJob

# Unit officers see a recommendation once it is issued to their unit, never its draft.
NOT_DRAFT = ~Q(status="draft")


class RecommendationQuerySet(ScopedQuerySet):
    unit_lookup = "recipient_unit"
    officer_visible = NOT_DRAFT

    def with_item_count(self):
        """Each letter's number of items as ``item_count``: a subquery, so that a list's count
        and its page read the letters alone (a join to every item took a province 300 ms)."""
        items = (
            RecommendationItem.objects.filter(recommendation=OuterRef("pk"))
            .order_by()
            .values("recommendation")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(item_count=Coalesce(Subquery(items), 0))


class Recommendation(TimeStampedModel):
    """A formal document to a unit, numbered items each tied to the problems behind it."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("Discipline inspection recommendation")
        NOTICE = "notice", _("Rectification notice")
        # 自查整改清单: what a unit found in a self-inspection campaign (举一反三), issued to itself
        # by the campaign's commission (campaigns.services.submit_answers).
        SELF_INSPECTION = "self_inspection", _("Self-inspection rectification list")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RECTIFYING = "rectifying", _("Rectifying")
        REPLIED = "replied", _("Replied")
        CLOSED = "closed", _("Closed")
        EVALUATED = "evaluated", _("Evaluated")

    # Issued and not yet replied to: the unit owes its rectification report by ``reply_due_on``.
    AWAITING_REPLY = (Status.ISSUED, Status.ACKNOWLEDGED, Status.RECTIFYING)

    # The character after the issuer's abbreviation in the document number (长纪建, 长纪改).
    DOC_KIND_CHARACTER = {Kind.LETTER: "建", Kind.NOTICE: "改", Kind.SELF_INSPECTION: "查"}
    # The largest serial a document number takes (a year's letters of one issuer number far less).
    MAX_DOC_SERIAL = 999_999

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LETTER)
    title = models.CharField(_("title"), max_length=200)
    issuer = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="issued_recommendations",
        verbose_name=_("issuer"),
        limit_choices_to={"kind__in": [OrgUnit.Kind.COMMISSION, OrgUnit.Kind.GROUP]},
    )
    recipient_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="received_recommendations",
        verbose_name=_("recipient unit"),
        limit_choices_to={"kind": OrgUnit.Kind.UNIT},
    )
    recipient_name = models.CharField(
        _("addressed to"),
        max_length=200,
        blank=True,
        help_text=_("主送, e.g. 中共某某局党组; the recipient unit's name when empty."),
    )
    cases = models.ManyToManyField(
        Case, related_name="recommendations", verbose_name=_("cases"), blank=True
    )
    preamble = BoundedTextField(_("preamble"), max_length=2000, blank=True)
    # 抄送机关 of the 版记 (GB/T 9704-2012 7.4.2): printed at the foot of the letter's last page.
    copied_to = BoundedTextField(
        _("copied to"),
        max_length=300,
        blank=True,
        help_text=_("抄送: the other bodies that receive a copy, separated by commas or lines."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    doc_year = models.PositiveSmallIntegerField(_("document year"), null=True, blank=True)
    doc_serial = models.PositiveIntegerField(_("document serial"), null=True, blank=True)
    doc_number = models.CharField(_("document number"), max_length=50, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    reply_due_on = models.DateField(_("reply due on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = RecommendationQuerySet.as_manager()
    # The preamble may speak of the case (accounts.confidentiality).
    case_content_fields = ("preamble",)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-issued_on", "-pk"]
        indexes = [
            # The lists' orders, the page's (newest first) and the API's (by date of issue),
            # walked until a page of the scope is full: a province's first page sorted its
            # 60,000 letters (core.paging; 34 → 0.7 ms).
            models.Index(fields=["created_at", "id"], name="recommendation_created_id"),
            models.Index(fields=["issued_on", "id"], name="recommendation_issued_id"),
            # The dashboard's late replies: letters awaiting a reply, by reply deadline.
            models.Index(
                fields=["reply_due_on", "recipient_unit"],
                condition=Q(status__in=["issued", "acknowledged", "rectifying"]),
                name="recommendation_awaiting_reply",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "kind", "doc_year", "doc_serial"],
                condition=Q(doc_serial__isnull=False),
                name="recommendation_doc_number_unique",
                violation_error_message=_(
                    "This document number is already used by the issuer this year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(
                    doc_year__isnull=False,
                    doc_serial__isnull=False,
                    issued_on__isnull=False,
                    reply_due_on__isnull=False,
                ),
                name="recommendation_issued_is_numbered",
                violation_error_message=_(
                    "An issued recommendation needs its document number, issue date and "
                    "reply deadline."
                ),
            ),
            models.CheckConstraint(
                condition=Q(reply_due_on__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(reply_due_on__gt=F("issued_on")),
                name="recommendation_reply_after_issue",
                violation_error_message=_("The reply deadline must be after the issue date."),
            ),
            models.CheckConstraint(
                condition=Q(doc_serial__isnull=True) | Q(doc_serial__gte=1),
                name="recommendation_doc_serial_positive",
                violation_error_message=_("The document serial starts at 1."),
            ),
        ]

    def __str__(self):
        return f"{self.doc_number} {self.title}" if self.doc_number else self.title

    def audit_name(self) -> str:
        # The document number is no secret (the title may name the case's subject).
        return self.doc_number

    @classmethod
    def format_doc_number(cls, *, issuer: OrgUnit, kind: str, year: int, serial: int) -> str:
        """发文字号 as printed: 机关代字 + kind character + 〔year〕 + serial + 号."""
        return f"{issuer.doc_abbr}{cls.DOC_KIND_CHARACTER[kind]}〔{year}〕{serial}号"

    @property
    def is_draft(self) -> bool:
        """Not issued yet: no document number, marked as a draft wherever it is shown."""
        return self.status == self.Status.DRAFT

    @property
    def awaits_reply(self) -> bool:
        """Issued and not yet replied to: ``reply_due_on`` is the unit's deadline."""
        return self.status in self.AWAITING_REPLY


class RecommendationItemQuerySet(ScopedQuerySet):
    unit_lookup = "recommendation__recipient_unit"
    officer_visible = ~Q(recommendation__status="draft")


class RecommendationItem(models.Model):
    """建议事项: one numbered item of a recommendation, tied to the problems it answers."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("recommendation"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    content = BoundedTextField(_("content"), max_length=1000)
    problems = models.ManyToManyField(
        Problem, related_name="recommendation_items", verbose_name=_("problems"), blank=True
    )

    objects = RecommendationItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommendation item")
        verbose_name_plural = _("recommendation items")
        ordering = ["recommendation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "number"],
                name="recommendation_item_number_unique",
                violation_error_message=_("Item numbers are unique within a recommendation."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="recommendation_item_number_positive",
                violation_error_message=_("Item numbers start at 1."),
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.content[:40]}"


class ItemTallyQuerySet(ScopedQuerySet):
    unit_lookup = "unit"
    officer_visible = Q(draft=False)


class ItemTally(models.Model):
    """How many items the letters to a unit have, drafts apart: 成效统计 sums these rather than
    counting a province's 300,000 items through their letters.

    Kept by database triggers (migration ``0010``) on the items (insert, delete, a change of
    letter) and on the letters (a change of recipient, a draft issued or back, a deletion), in
    the transaction of the write whatever makes it; the nightly ``reforms.tasks.roll_tally``
    checks it against a recount (``recommendations.tally``)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    draft = models.BooleanField()
    n = models.IntegerField(default=0)

    objects = ItemTallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("item tally")
        verbose_name_plural = _("item tallies")
        constraints = [models.UniqueConstraint(fields=["unit", "draft"], name="item_tally_key")]

    def __str__(self):
        return f"{self.unit_id} {'draft' if self.draft else 'sent'}: {self.n}"


class RecommendationTransitionQuerySet(ScopedQuerySet):
    unit_lookup = "recommendation__recipient_unit"
    officer_visible = Q()


class RecommendationTransition(TransitionRecord):
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("recommendation"),
    )

    objects = RecommendationTransitionQuerySet.as_manager()

    class Meta(TransitionRecord.Meta):
        verbose_name = _("recommendation history")
        verbose_name_plural = _("recommendation history")


class ReplyQuerySet(ScopedQuerySet):
    unit_lookup = "recommendation__recipient_unit"
    officer_visible = Q()


class Reply(models.Model):
    """整改报告: the unit's written reply; a returned reply is followed by another."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name=_("recommendation"),
    )
    content = BoundedTextField(_("content"), max_length=10000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["recommendation", "submitted_at"]

    def __str__(self):
        return str(self.recommendation)


class EvaluationQuerySet(ScopedQuerySet):
    unit_lookup = "recommendation__recipient_unit"
    officer_visible = Q()


class Evaluation(models.Model):
    """质效评估: how well a closed recommendation was carried out."""

    class Method(models.TextChoices):
        WRITTEN = "written", _("Written review")
        ON_SITE = "on_site", _("In-person review with defence")

    class Rating(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")
        POOR = "poor", _("Poor")

    recommendation = models.OneToOneField(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="evaluation",
        verbose_name=_("recommendation"),
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices)
    comments = BoundedTextField(_("comments"), max_length=2000, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("evaluated by"),
    )
    evaluated_on = models.DateField(_("evaluated on"))

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__lte=100),
                name="evaluation_score_at_most_100",
                violation_error_message=_("The score is between 0 and 100."),
            ),
        ]

    def __str__(self):
        return f"{self.recommendation} {self.get_rating_display()}"


class EvaluationTemplate(TimeStampedModel):
    """评估指标体系: the weighted indicators an on-site evaluation is scored on.

    Kept by the system administrator in the back office (a setting, not case content). A template
    a session has used is frozen there, so a concluded evaluation always reads as it was scored:
    change a copy instead. Seeded with the default (migration ``0007``).
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = BoundedTextField(_("description"), max_length=1000, blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Offered when an evaluation session is opened.")
    )

    class Meta:
        verbose_name = _("evaluation template")
        verbose_name_plural = _("evaluation templates")
        ordering = ["-is_active", "name"]

    def __str__(self):
        return self.name

    @property
    def in_use(self) -> bool:
        return self.sessions.exists()


class EvaluationIndicator(models.Model):
    """One weighted indicator of a template, under one of the three questions of the seed
    (是否精准制发、是否深入整改到位、是否达到预期效果). ``metric`` names a figure computed from
    the letter's data (``recommendations.evaluation_metrics``) shown next to it while scoring."""

    class Group(models.TextChoices):
        PRECISE = "precise", _("Precise recommendation")
        THOROUGH = "thorough", _("Thorough rectification")
        EFFECTIVE = "effective", _("Real effect")

    class Metric(models.TextChoices):
        ITEMS = "items", _("Items of the recommendation")
        PROBLEMS = "problems", _("Problems the items answer")
        MEASURES = "measures", _("Measures planned")
        ON_TIME_RATE = "on_time_rate", _("Signed off on time (%)")
        RETURNS = "returns", _("Returns at sign-off")
        EXTENSIONS = "extensions", _("Extensions approved")
        EVIDENCE_PER_MEASURE = "evidence_per_measure", _("Evidence files per measure")
        REBOUNDS = "rebounds", _("Measures rebounded at follow-up")
        RULE_CHANGES = "rule_changes", _("Rule changes (立改废释)")
        ACTIVITIES = "activities", _("Activities (warning education, talks…)")
        RECURRENCES = "recurrences", _("Possible recurrences (整改反弹)")

    template = models.ForeignKey(
        EvaluationTemplate,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("template"),
    )
    group = models.CharField(_("group"), max_length=16, choices=Group.choices)
    name = models.CharField(_("indicator"), max_length=100)
    guidance = BoundedTextField(_("what to look at"), max_length=500, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), help_text=_("Its share of the total; a template's weights add up to 100.")
    )
    max_score = models.PositiveSmallIntegerField(
        _("maximum score"), help_text=_("Each evaluator scores it from 0 to this.")
    )
    metric = models.CharField(
        _("computed figure"), max_length=32, choices=Metric.choices, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("evaluation indicator")
        verbose_name_plural = _("evaluation indicators")
        ordering = ["template", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(max_score__gte=1),
                name="evaluation_indicator_weight_and_max_positive",
                violation_error_message=_("The weight and the maximum score are at least 1."),
            ),
            models.UniqueConstraint(
                fields=["template", "name"],
                name="evaluation_indicator_name_unique",
                violation_error_message=_("A template names each indicator once."),
            ),
        ]

    def __str__(self):
        return self.name


class EvaluationSessionQuerySet(ScopedQuerySet):
    unit_lookup = "recommendation__recipient_unit"
    officer_visible = Q()

    def open(self):
        return self.filter(status__in=EvaluationSession.OPEN)


class EvaluationSession(TimeStampedModel):
    """现场答辩式评查: a panel evaluation of a closed recommendation.

    scheduled → scoring → concluded (or cancelled from either open state). The unit head reports
    in person and the panel asks; each member scores every indicator alone; concluding combines
    the scores (``recommendations.evaluation.results``) into the recommendation's ``Evaluation``.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SCORING = "scoring", _("Scoring")
        CONCLUDED = "concluded", _("Concluded")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.SCHEDULED, Status.SCORING)

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="evaluation_sessions",
        verbose_name=_("recommendation"),
    )
    template = models.ForeignKey(
        EvaluationTemplate,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("evaluation template"),
    )
    scheduled_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    reporter = models.CharField(
        _("reported by"),
        max_length=100,
        blank=True,
        help_text=_("The unit head who reports in person, with their position."),
    )
    report = BoundedTextField(_("the unit head's report"), max_length=5000, blank=True)
    questions = BoundedTextField(_("the panel's questions"), max_length=5000, blank=True)
    conclusion = BoundedTextField(_("the panel's conclusion"), max_length=2000, blank=True)
    total_score = models.DecimalField(
        _("total score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    evaluation = models.OneToOneField(
        Evaluation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session",
        verbose_name=_("evaluation"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concluded or cancelled by"),
    )
    closed_at = models.DateTimeField(_("concluded or cancelled at"), null=True, blank=True)
    cancel_reason = BoundedTextField(_("why it was cancelled"), max_length=1000, blank=True)

    objects = EvaluationSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation session")
        verbose_name_plural = _("evaluation sessions")
        ordering = ["-scheduled_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation"],
                condition=Q(status__in=["scheduled", "scoring"]),
                name="evaluation_session_one_open_per_recommendation",
                violation_error_message=_(
                    "This recommendation already has an evaluation session under way."
                ),
            ),
            models.CheckConstraint(
                condition=Q(total_score__isnull=True) | Q(total_score__gte=0, total_score__lte=100),
                name="evaluation_session_total_0_to_100",
                violation_error_message=_("The total score is between 0 and 100."),
            ),
        ]

    def __str__(self):
        return f"{self.recommendation} {self.scheduled_on:%Y-%m-%d}"

    def audit_name(self) -> str:
        return f"{self.recommendation.doc_number} {self.scheduled_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class PanelMemberQuerySet(ScopedQuerySet):
    unit_lookup = "session__recommendation__recipient_unit"
    officer_visible = Q()


class PanelMember(models.Model):
    """An evaluator on a session's panel: discipline staff or an invited supervisor, in scope."""

    session = models.ForeignKey(
        EvaluationSession,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("evaluation session"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evaluation_panels",
        verbose_name=_("evaluator"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    added_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("scores submitted at"), null=True, blank=True)

    objects = PanelMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        ordering = ["session", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                name="panel_member_once_per_session",
                violation_error_message=_("This evaluator is already on the panel."),
            ),
        ]

    def __str__(self):
        return str(self.user)


class IndicatorScoreQuerySet(ScopedQuerySet):
    unit_lookup = "member__session__recommendation__recipient_unit"
    # Ballots are the panel's: the unit sees the combined results on the session, not who gave
    # what (``officer_visible`` left None).

    def restrict(self, user):
        """Scored independently: until the session is concluded, each evaluator reads only their
        own scores; afterwards case readers in scope read every ballot."""
        scoped = super().restrict(user)
        if user.is_superuser or not user.is_authenticated:
            return scoped  # everything, or nothing
        return scoped.filter(
            Q(member__session__status=EvaluationSession.Status.CONCLUDED) | Q(member__user=user)
        )


class IndicatorScore(models.Model):
    """One evaluator's score of one indicator, with their comment."""

    member = models.ForeignKey(
        PanelMember, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluator")
    )
    indicator = models.ForeignKey(
        EvaluationIndicator,
        on_delete=models.PROTECT,
        related_name="scores",
        verbose_name=_("indicator"),
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    comment = BoundedTextField(_("comment"), max_length=500, blank=True)

    objects = IndicatorScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        ordering = ["member", "indicator__position", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "indicator"],
                name="indicator_score_once_per_evaluator",
                violation_error_message=_("An evaluator scores each indicator once."),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0),
                name="indicator_score_not_negative",
                violation_error_message=_("A score is not negative."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.score}"


class ImportJob(PersonalJob):
    """A large Excel import run by a Celery job; the page polls its progress."""

    class Kind(models.TextChoices):
        PROBLEMS = "problems", _("Problem list")
        PLAN = "plan", _("Rectification plan")
        RULE_CHANGES = "rule_changes", _("Rule changes")
        ACTIVITIES = "activities", _("Activities")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CHECKING = "checking", _("Checking the rows")
        SAVING = "saving", _("Saving")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    # The one error recorded when an import broke off for the system's reasons, not the file's.
    BROKEN = _("The import broke off. Try again later or ask the administrator.")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    created = models.PositiveIntegerField(_("rows imported"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta(PersonalJob.Meta):
        verbose_name = _("Excel import")
        verbose_name_plural = _("Excel imports")

    def __str__(self):
        return self.original_name

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if self.status == self.Status.SAVING:
            return 90  # one transaction: it ends all at once
        if not self.total:
            return 0
        return 80 * self.processed // self.total  # checking the rows: the bar's first part
