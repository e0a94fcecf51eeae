"""Recommendations (纪检监察建议书, 以案促改通知书), their items, the reply and the evaluation."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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


class Recommendation(TimeStampedModel):
    """A formal document to a unit, numbered items each tied to the problems behind it."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("Discipline inspection recommendation")
        NOTICE = "notice", _("Rectification notice")

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
    DOC_KIND_CHARACTER = {Kind.LETTER: "建", Kind.NOTICE: "改"}

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
