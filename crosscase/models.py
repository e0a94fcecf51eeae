"""类案分析: a saved selection of cases, analysed together, and the staff's written findings.

The selection is either criteria (sector, process stage, violation type, opening period, a unit
and its subtree, typical cases only) or cases picked by hand. The case set is resolved again at
every reading (``crosscase.tables``), so the figures follow new cases; the findings stay as
written.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Sector
from accounts.scoping import ScopedQuerySet
from cases.models import Case, ProcessStage, ViolationType
from core.domain import BoundedTextField, TimeStampedModel

FINDINGS_MAX_LENGTH = 5000


class CrossCaseAnalysisQuerySet(ScopedQuerySet):
    # An analysis is case content: a unit's officer sees none (``officer_visible`` left None).
    unit_lookup = "unit"


class CrossCaseAnalysis(TimeStampedModel):
    """类案分析: cases compared for their common patterns, with the staff's findings."""

    class Mode(models.TextChoices):
        CRITERIA = "criteria", _("By criteria")
        HAND = "hand", _("Cases picked by hand")

    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="cross_case_analyses",
        verbose_name=_("commission"),
        help_text=_("The commission or unit whose jurisdiction the analysis belongs to."),
    )
    mode = models.CharField(_("selection"), max_length=16, choices=Mode.choices)
    # The criteria (mode "criteria"): each left blank selects every case.
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    process_stage = models.ForeignKey(
        ProcessStage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("process stage"),
    )
    violation_type = models.ForeignKey(
        ViolationType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("violation type"),
    )
    opened_from = models.DateField(_("opened on or after"), null=True, blank=True)
    opened_to = models.DateField(_("opened on or before"), null=True, blank=True)
    case_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case unit (with its subunits)"),
    )
    typical_only = models.BooleanField(_("typical cases only"), default=False)
    # The selection (mode "hand").
    cases = models.ManyToManyField(
        Case, blank=True, related_name="cross_case_analyses", verbose_name=_("cases")
    )
    # The staff's findings on top of the computed tables.
    common_patterns = BoundedTextField(
        _("common patterns"), max_length=FINDINGS_MAX_LENGTH, blank=True
    )
    institutional_gaps = BoundedTextField(
        _("institutional gaps"), max_length=FINDINGS_MAX_LENGTH, blank=True
    )
    countermeasures = BoundedTextField(
        _("recommended countermeasures"), max_length=FINDINGS_MAX_LENGTH, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = CrossCaseAnalysisQuerySet.as_manager()
    # The findings speak of the cases (accounts.confidentiality).
    case_content_fields = ("title", "common_patterns", "institutional_gaps", "countermeasures")

    class Meta:
        verbose_name = _("cross-case analysis")
        verbose_name_plural = _("cross-case analyses")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opened_from__isnull=True)
                | Q(opened_to__isnull=True)
                | Q(opened_to__gte=F("opened_from")),
                name="crosscase_period_in_order",
                violation_error_message=_("The period ends before it begins."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def by_hand(self) -> bool:
        return self.mode == self.Mode.HAND
