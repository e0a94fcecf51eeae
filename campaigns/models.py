"""Self-inspection campaigns (举一反三): a checklist sent to a sector's units (or chosen units).

A campaign is a self-inspection (自查: each unit answers for itself) or a cross-inspection
(交叉检查: each unit is inspected by a peer unit, its ``inspector``, whose officer answers
for it; staff's spot checks, ``SpotCheckFinding``, record what the inspection missed).

Campaign:  draft ──launch──▶ launched ──close──▶ closed
Unit:      pending ──submit──▶ answered   (answers saved as drafts until submitted)

On submit, what a unit found becomes its own self-inspection rectification list (自查整改清单): a
``Recommendation`` of kind ``self_inspection`` with one item per found answer, already acknowledged,
so the unit plans measures on it like on any letter (``services.submit_answers``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Sector
from accounts.roles import officer_of_a_unit, reads_cases
from accounts.scoping import ScopedQuerySet, jurisdiction_q
from cases.models import Problem, ProcessStage
from core.domain import BoundedTextField, TimeStampedModel
from recommendations.models import Recommendation, RecommendationItem


def _officer_rows_q(user, prefix: str = "") -> Q:
    """The campaign units an officer sees: their own units' rows and, in a cross-inspection, the
    rows of the units their unit inspects (``prefix`` reaches the campaign unit)."""
    return jurisdiction_q(user, f"{prefix}unit") | jurisdiction_q(user, f"{prefix}inspector")


class CampaignQuerySet(ScopedQuerySet):
    """Case readers see the campaigns their jurisdiction's commissions issued; an officer sees a
    launched or closed campaign that targets a unit of theirs or in which their unit inspects
    another (交叉检查)."""

    unit_lookup = "unit"

    def restrict(self, user):
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser:
            return self.all()
        if reads_cases(user):
            return self.filter(jurisdiction_q(user, "unit"))
        if officer_of_a_unit(user):
            targeted = CampaignUnit.objects.filter(_officer_rows_q(user)).values("campaign")
            return self.exclude(status=Campaign.Status.DRAFT).filter(pk__in=targeted)
        return self.none()

    def launched(self):
        return self.filter(status=Campaign.Status.LAUNCHED)


class Campaign(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LAUNCHED = "launched", _("Launched")
        CLOSED = "closed", _("Closed")

    class Mode(models.TextChoices):
        SELF = "self_inspection", _("Self-inspection")
        CROSS = "cross_inspection", _("Cross-inspection")

    title = models.CharField(_("title"), max_length=200)
    instructions = BoundedTextField(_("instructions"), max_length=4000, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("issuing commission"),
        limit_choices_to={"kind__in": [OrgUnit.Kind.COMMISSION, OrgUnit.Kind.GROUP]},
    )
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    # 自查: each unit answers for itself; 交叉检查: each unit is inspected by a peer unit.
    mode = models.CharField(_("mode"), max_length=32, choices=Mode.choices, default=Mode.SELF)
    source_recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("source recommendation"),
    )
    # 类案分析 → 举一反三: the cross-case analysis whose problems the checklist was drawn from.
    source_analysis = models.ForeignKey(
        "crosscase.CrossCaseAnalysis",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("source analysis"),
    )
    answer_due_on = models.DateField(_("answers due on"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()
    case_content_fields = ()

    class Meta:
        verbose_name = _("self-inspection campaign")
        verbose_name_plural = _("self-inspection campaigns")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    def audit_name(self) -> str:
        return self.title

    @property
    def is_cross(self) -> bool:
        return self.mode == self.Mode.CROSS


class CampaignItemQuerySet(ScopedQuerySet):
    unit_lookup = "campaign__unit"

    def restrict(self, user):
        return self.filter(campaign__in=Campaign.objects.restrict(user))


class CampaignItem(models.Model):
    """One line of the checklist: where to look (category × process stage) and what to check."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="items", verbose_name=_("campaign")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    category = models.CharField(_("category"), max_length=32, choices=Problem.Category.choices)
    process_stage = models.ForeignKey(
        ProcessStage,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("process stage"),
    )
    text = BoundedTextField(_("what to check"), max_length=1000)

    objects = CampaignItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"], name="campaign_item_number_unique"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.text[:40]}"


class CampaignUnitQuerySet(ScopedQuerySet):
    """An officer sees, once launched, their units' rows and the rows of the units their unit
    inspects (交叉检查): never another unit's."""

    unit_lookup = "unit"
    officer_visible = ~Q(campaign__status="draft")

    def officer_rows(self, user) -> Q:
        return _officer_rows_q(user) & self.officer_visible

    def unanswered(self):
        return self.filter(status=CampaignUnit.Status.PENDING)


class CampaignUnit(models.Model):
    """A unit the campaign is sent to: its answers, its self-inspection list, the urging."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not answered")
        ANSWERED = "answered", _("Answered")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="units", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("answered by"),
    )
    urged_count = models.PositiveSmallIntegerField(_("times urged"), default=0)
    last_urged_on = models.DateField(_("last urged on"), null=True, blank=True)
    rectification = models.OneToOneField(
        Recommendation,
        on_delete=models.PROTECT,
        related_name="campaign_unit",
        null=True,
        blank=True,
        verbose_name=_("self-inspection rectification list"),
    )
    # 交叉检查: the peer unit whose officers inspect this unit and answer for it (None: 自查).
    inspector = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("inspected by"),
    )
    team = BoundedTextField(_("inspection team"), max_length=500, blank=True)

    objects = CampaignUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign unit")
        verbose_name_plural = _("campaign units")
        ordering = ["campaign", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="campaign_unit_once"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.unit}"


class CampaignAnswerQuerySet(ScopedQuerySet):
    """An officer reads the answers of the rows they see (``CampaignUnitQuerySet``)."""

    unit_lookup = "campaign_unit__unit"
    officer_visible = Q()

    def officer_rows(self, user) -> Q:
        return _officer_rows_q(user, "campaign_unit__")


class CampaignAnswer(models.Model):
    """A unit's answer to one checklist item: found or not, and what was found."""

    campaign_unit = models.ForeignKey(
        CampaignUnit, on_delete=models.CASCADE, related_name="answers", verbose_name=_("unit")
    )
    item = models.ForeignKey(
        CampaignItem, on_delete=models.CASCADE, related_name="answers", verbose_name=_("item")
    )
    found = models.BooleanField(_("problem found"))
    finding = BoundedTextField(_("what was found"), max_length=1000, blank=True)
    rectification_item = models.OneToOneField(
        RecommendationItem,
        on_delete=models.SET_NULL,
        related_name="campaign_answer",
        null=True,
        blank=True,
        verbose_name=_("rectification item"),
    )

    objects = CampaignAnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign answer")
        verbose_name_plural = _("campaign answers")
        ordering = ["campaign_unit", "item__number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign_unit", "item"], name="campaign_answer_once"),
            models.CheckConstraint(
                condition=Q(found=False) | ~Q(finding=""), name="campaign_answer_found_has_text"
            ),
        ]

    def __str__(self):
        return f"{self.campaign_unit} · {self.item.number}"


class SpotCheckFindingQuerySet(ScopedQuerySet):
    """Case readers in scope see every finding; the inspected unit's officer sees the findings
    on their unit; the inspector's officer sees those its inspection missed (通报), no other."""

    unit_lookup = "campaign_unit__unit"
    officer_visible = Q()

    def officer_rows(self, user) -> Q:
        return jurisdiction_q(user, "campaign_unit__unit") | (
            jurisdiction_q(user, "campaign_unit__inspector") & Q(missed=True)
        )

    def missed(self):
        return self.filter(missed=True)


class SpotCheckFinding(TimeStampedModel):
    """机动督查组随机抽查 (监督的再监督): what staff found on a unit a cross-inspection
    answered for, whether the inspection should have found it (应发现未发现), and the
    rectification item it became on the inspected unit's list."""

    campaign_unit = models.ForeignKey(
        CampaignUnit,
        on_delete=models.CASCADE,
        related_name="spot_checks",
        verbose_name=_("unit"),
    )
    item = models.ForeignKey(
        CampaignItem,
        on_delete=models.SET_NULL,
        related_name="spot_checks",
        null=True,
        blank=True,
        verbose_name=_("item"),
    )
    finding = BoundedTextField(_("what was found"), max_length=1000)
    missed = models.BooleanField(_("missed by the cross-inspection"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    rectification_item = models.OneToOneField(
        RecommendationItem,
        on_delete=models.SET_NULL,
        related_name="spot_check",
        null=True,
        blank=True,
        verbose_name=_("rectification item"),
    )

    objects = SpotCheckFindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("spot-check finding")
        verbose_name_plural = _("spot-check findings")
        ordering = ["campaign_unit", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(finding=""), name="spot_check_has_finding"),
        ]

    def __str__(self):
        return f"{self.campaign_unit} · {self.finding[:40]}"
