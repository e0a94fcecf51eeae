"""Negative lists (负面清单): after its cases, a unit writes the conduct it forbids, one list
per tier of cadres (领导班子和领导干部, 中层正职干部, 党员干部), each entry a power-use risk
point and the preventive or prohibitive requirement that answers it. The discipline staff check
the lists' execution (监督检查).

List:  draft ──publish──▶ published ──withdraw──▶ withdrawn
       (publishing a list withdraws the unit's published list of the same tier: the revised list
       replaces the old one; at most one is published per unit and tier)

A list is the unit's own rules, not case content: the unit's officer reads and writes it. The
cases it was drawn from are read through ``Case.objects.restrict`` (an officer sees none).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from accounts.scoping import ScopedQuerySet
from cases.models import Case, ProcessStage
from core.domain import BoundedTextField, TimeStampedModel
from reforms.models import Measure


class NegativeListQuerySet(ScopedQuerySet):
    """Case readers see the lists of their jurisdiction's units; an officer sees their unit's
    (and its subunits'), drafts included."""

    unit_lookup = "unit"
    officer_visible = Q()

    def published(self):
        return self.filter(status=NegativeList.Status.PUBLISHED)


class NegativeList(TimeStampedModel):
    class Tier(models.TextChoices):
        LEADERSHIP = "leadership", _("Leadership team and leading cadres")
        MIDDLE_MANAGERS = "middle_managers", _("Middle-level principal cadres")
        PARTY_MEMBERS = "party_members", _("Party member cadres")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="negative_lists",
        verbose_name=_("case unit"),
        limit_choices_to={"kind": OrgUnit.Kind.UNIT},
    )
    tier = models.CharField(_("tier"), max_length=32, choices=Tier.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    source_cases = models.ManyToManyField(
        Case, related_name="negative_lists", blank=True, verbose_name=_("source cases")
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="negative_lists",
        verbose_name=_("rectification measure"),
        help_text=_("The rectification measure this list fulfils."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = NegativeListQuerySet.as_manager()
    case_content_fields = ()

    class Meta:
        verbose_name = _("negative list")
        verbose_name_plural = _("negative lists")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "tier"],
                condition=Q(status="published"),
                name="negative_list_one_published_per_tier",
                violation_error_message=_("The unit already has a published list of this tier."),
            ),
        ]

    def __str__(self):
        return self.title

    def audit_name(self) -> str:
        return self.title


class NegativeListEntryQuerySet(ScopedQuerySet):
    unit_lookup = "negative_list__unit"
    officer_visible = Q()


class NegativeListEntry(models.Model):
    """One red line: where power is used at risk, and what is required or forbidden there."""

    class Kind(models.TextChoices):
        PREVENTIVE = "preventive", _("Preventive")
        PROHIBITIVE = "prohibitive", _("Prohibitive")

    negative_list = models.ForeignKey(
        NegativeList,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("negative list"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    risk_point = BoundedTextField(_("power-use risk point"), max_length=500, blank=True)
    requirement = BoundedTextField(_("requirement"), max_length=1000)
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.PROHIBITIVE
    )
    process_stage = models.ForeignKey(
        ProcessStage,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("process stage"),
    )

    objects = NegativeListEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("negative list entry")
        verbose_name_plural = _("negative list entries")
        ordering = ["negative_list", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["negative_list", "number"], name="negative_list_entry_number_unique"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.requirement[:40]}"


class NegativeListCheckQuerySet(ScopedQuerySet):
    unit_lookup = "negative_list__unit"
    officer_visible = Q()


class NegativeListCheck(TimeStampedModel):
    """A supervision check (监督检查) of a published list's execution, against its entries."""

    negative_list = models.ForeignKey(
        NegativeList,
        on_delete=models.PROTECT,
        related_name="checks",
        verbose_name=_("negative list"),
    )
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    finding = BoundedTextField(_("finding"), max_length=2000)
    breaches = models.PositiveIntegerField(
        _("breaches found"), default=0, help_text=_("How many breaches of the list were found.")
    )

    objects = NegativeListCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("negative list check")
        verbose_name_plural = _("negative list checks")
        ordering = ["-checked_on", "-pk"]

    def __str__(self):
        return f"{self.negative_list} · {self.checked_on:%Y-%m-%d}"
