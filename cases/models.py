"""Cases, the people in them, their analysis, and the problems they expose."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Sector
from accounts.scoping import ScopedQuerySet
from core.domain import BoundedTextField, TimeStampedModel
from core.encryption.fields import (
    BlindIndexField,
    SealedCharField,
    SealedDecimalField,
    SealedTextField,
)
from core.encryption.keyring import blind_index


class Taxonomy(models.Model):
    """A short, admin-editable list shared by all cases, so units and sectors can be compared."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class ViolationType(Taxonomy):
    """违纪违法类型: bribery, embezzlement, abuse of power, the eight-point rules…"""

    class Meta(Taxonomy.Meta):
        verbose_name = _("violation type")
        verbose_name_plural = _("violation types")


class ProcessStage(Taxonomy):
    """业务环节 where a problem sits: tendering, fund disbursement, personnel selection…"""

    class Meta(Taxonomy.Meta):
        verbose_name = _("process stage")
        verbose_name_plural = _("process stages")


class CaseQuerySet(ScopedQuerySet):
    # Case content is confidential: unit officers never see it.
    unit_lookup = "case_unit"

    def typical(self):
        """典型案例 in force: the selection later analyses and campaigns build on."""
        return self.filter(typical__isnull=False, typical__withdrawn_at__isnull=True)


class Case(TimeStampedModel):
    """案件: one investigated case of corruption or misconduct in a unit."""

    class Status(models.TextChoices):
        OPENED = "opened", _("Opened")
        INVESTIGATING = "investigating", _("Under investigation")
        CLOSED = "closed", _("Closed")

    class Level(models.TextChoices):
        """The management level of the principal subject (干部管理权限)."""

        PROVINCIAL = "provincial", _("Province-managed cadre")
        CITY = "city", _("City-managed cadre")
        COUNTY = "county", _("County-managed cadre")
        SECTION = "section", _("Section level and below")

    number = models.CharField(
        _("case number"),
        max_length=50,
        unique=True,
        error_messages={"unique": _("Another case already has this case number.")},
    )
    title = models.CharField(_("title"), max_length=200)
    commission = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="handled_cases",
        verbose_name=_("handling commission"),
        limit_choices_to={"kind__in": [OrgUnit.Kind.COMMISSION, OrgUnit.Kind.GROUP]},
    )
    case_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("case unit"),
        limit_choices_to={"kind": OrgUnit.Kind.UNIT},
    )
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    violation_types = models.ManyToManyField(
        ViolationType, blank=True, related_name="cases", verbose_name=_("violation types")
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    # Sealed (SM4-GCM, core/encryption): the database cannot sort, sum or check it any more.
    amount = SealedDecimalField(
        _("amount involved (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0, _("The amount involved cannot be negative."))],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPENED
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    summary = SealedTextField(_("summary"), max_length=5000, blank=True)
    linked_cases = models.ManyToManyField(
        "self",
        blank=True,
        verbose_name=_("linked cases"),
        help_text=_("串案窝案: cases handled together as one series."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = CaseQuerySet.as_manager()
    # Confidential (accounts.confidentiality): the number and title name the people in the case.
    case_content_fields = ("number", "title", "amount", "summary")

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-pk"]
        indexes = [
            # The list's order (page and API), walked until a page of the scope is full: a
            # province's first page sorted its 30,000 cases (core.paging; 27 → 0.6 ms).
            models.Index(fields=["opened_on", "id"], name="case_opened_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_after_opened",
                violation_error_message=_("A case cannot be closed before it was opened."),
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="case_closed_has_date",
                violation_error_message=_("A closed case needs its closing date."),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    # The badge colour of each status, as the case pages show it.
    STATUS_BADGES = {Status.CLOSED: "text-bg-success", Status.INVESTIGATING: "text-bg-warning"}

    @property
    def status_badge(self) -> str:
        return self.STATUS_BADGES.get(self.status, "text-bg-secondary")


class SubjectQuerySet(ScopedQuerySet):
    unit_lookup = "case__case_unit"

    def named(self, name: str):
        """The subjects of exactly this name (its blind index: spaces, width and case aside)."""
        return self.filter(name_index=blind_index(name)) if name.strip() else self.none()


class Subject(models.Model):
    """涉案人员: a person investigated in a case."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("case")
    )
    # Sealed (SM4-GCM, core/encryption); the name is found by exact match through its index.
    name = SealedCharField(_("full name"), max_length=50)
    name_index = BlindIndexField(source="name")
    position = SealedCharField(_("position"), max_length=200, blank=True)
    is_top_leader = models.BooleanField(
        _("top leader"), default=False, help_text=_("一把手 of the unit.")
    )
    disposition = SealedCharField(_("disposition"), max_length=200, blank=True)

    objects = SubjectQuerySet.as_manager()
    case_content_fields = ("name", "position", "disposition")

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["case", "-is_top_leader", "pk"]

    def __str__(self):
        return self.name


class CaseAnalysisQuerySet(ScopedQuerySet):
    unit_lookup = "case__case_unit"


class CaseAnalysis(TimeStampedModel):
    """案件剖析: how the case happened, why, and which loopholes it went through."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="analysis", verbose_name=_("case")
    )
    trajectory = SealedTextField(_("trajectory"), max_length=5000, blank=True)
    root_causes = SealedTextField(_("root causes"), max_length=5000, blank=True)
    loopholes = SealedTextField(_("loopholes"), max_length=5000, blank=True)
    lessons = SealedTextField(_("lessons"), max_length=5000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    objects = CaseAnalysisQuerySet.as_manager()
    case_content_fields = ("trajectory", "root_causes", "loopholes", "lessons")

    class Meta:
        verbose_name = _("case analysis")
        verbose_name_plural = _("case analyses")

    def __str__(self):
        return str(self.case)


class ProblemQuerySet(ScopedQuerySet):
    unit_lookup = "case__case_unit"


class Problem(TimeStampedModel):
    """问题清单 entry: one gap the case exposed, classified on the shared taxonomy."""

    class Category(models.TextChoices):
        INSTITUTIONAL_GAP = "institutional_gap", _("Institutional gap")
        RISK_POINT = "risk_point", _("Power-use risk point")
        BLIND_SPOT = "blind_spot", _("Supervision blind spot")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="problems", verbose_name=_("case")
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("unit"),
        help_text=_("The unit where the problem lies; usually the case unit."),
    )
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    process_stage = models.ForeignKey(
        ProcessStage,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("process stage"),
    )
    description = BoundedTextField(_("description"), max_length=1000)

    objects = ProblemQuerySet.as_manager()
    case_content_fields = ("description",)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["case", "pk"]

    def __str__(self):
        return self.description[:40]


class ProblemTallyQuerySet(ScopedQuerySet):
    # Seen as the problems are: through their case's unit (``ProblemQuerySet``).
    unit_lookup = "case_unit"


class ProblemTally(models.Model):
    """How many problems there are by their case's unit, their own unit, category and process
    stage: 成效统计 sums these rather than counting a province's 150,000 problems through their
    cases.

    Kept by database triggers (migration ``0011``) on the problems (insert, delete, a change of
    case, unit, category or stage) and on the cases (a change of case unit, a deletion), in the
    transaction of the write whatever makes it; the nightly ``reforms.tasks.roll_tally`` checks
    it against a recount (``cases.tally``)."""

    case_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=32, choices=Problem.Category.choices)
    process_stage = models.ForeignKey(ProcessStage, on_delete=models.CASCADE, related_name="+")
    n = models.IntegerField(default=0)

    objects = ProblemTallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem tally")
        verbose_name_plural = _("problem tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["case_unit", "unit", "category", "process_stage"], name="problem_tally_key"
            )
        ]

    def __str__(self):
        return (
            f"{self.case_unit_id} {self.unit_id} {self.category} {self.process_stage_id}: {self.n}"
        )


class TypicalReason(models.TextChoices):
    """Why a case is chosen for warning education (行业适配 + 典型性 + 警示性)."""

    SECTOR_FIT = "sector_fit", _("Fits the sector")
    TYPICALITY = "typicality", _("Typical")
    WARNING = "warning", _("Warning value")


class TypicalCaseQuerySet(ScopedQuerySet):
    unit_lookup = "case__case_unit"

    def current(self):
        """Selections in force (not withdrawn)."""
        return self.filter(withdrawn_at__isnull=True)


class TypicalCase(TimeStampedModel):
    """典型案例: a concluded case chosen for warning education, with why and for whom.

    One row per case, kept when the selection is withdrawn (``withdrawn_at``) so the page and the
    audit log keep its history; marking it again puts it back in force.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="typical", verbose_name=_("case")
    )
    # Lists of choice codes (JSON, so the demo's SQLite and PostgreSQL store them alike).
    reasons = models.JSONField(_("reasons"), default=list)
    audience_sectors = models.JSONField(_("audience sectors"), default=list, blank=True)
    audience_levels = models.JSONField(_("audience cadre levels"), default=list, blank=True)
    note = BoundedTextField(_("note"), max_length=1000, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("withdrawn by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = TypicalCaseQuerySet.as_manager()
    case_content_fields = ("note",)

    class Meta:
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")
        ordering = ["-marked_at", "-pk"]

    def __str__(self):
        return str(self.case)

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None

    def reason_labels(self) -> list[str]:
        return [str(TypicalReason(code).label) for code in self.reasons]

    def audience_sector_labels(self) -> list[str]:
        return [str(Sector(code).label) for code in self.audience_sectors]

    def audience_level_labels(self) -> list[str]:
        return [str(Case.Level(code).label) for code in self.audience_levels]
