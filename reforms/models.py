"""Rectification: measures and everything a unit reports against them, and the follow-up."""

import datetime
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import OrgUnit, Sector
from accounts.roles import officer_of_a_unit
from accounts.scoping import ScopedQuerySet
from cases.models import Problem
from core.domain import BoundedTextField, TimeStampedModel, TransitionRecord, shanghai_today
from core.encryption.keyring import keyring
from recommendations.models import Recommendation, RecommendationItem


class Signal(models.TextChoices):
    """三色预警 plus blue for standing measures: one colour code on every page and document."""

    GREEN = "green", _("Signed off or on schedule")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")
    BLUE = "blue", _("Standing")


# Days overdue against the current due date: (first day, last day or None for open-ended).
AGING_BUCKETS = {
    "1-7": (1, 7),
    "8-30": (8, 30),
    "31-90": (31, 90),
    "90+": (91, None),
}


def open_q() -> Q:
    """Not signed off."""
    return ~Q(status=Measure.Status.SIGNED_OFF)


def overdue_q(today: datetime.date | None = None, *, against_original: bool = False) -> Q:
    """Not signed off, not standing, and past the current (or the original) due date."""
    due_field = "original_due_on" if against_original else "due_on"
    return open_q() & Q(is_standing=False, **{f"{due_field}__lt": today or shanghai_today()})


def due_soon_q(today: datetime.date | None = None) -> Q:
    """Open, not standing, due from today to the end of the warning window (yellow)."""
    today = today or shanghai_today()
    window_end = today + datetime.timedelta(days=settings.WARNING_WINDOW_DAYS)
    return open_q() & Q(is_standing=False, due_on__gte=today, due_on__lte=window_end)


def green_q(today: datetime.date | None = None) -> Q:
    """Signed off, or open, not standing and due after the warning window: neither red, yellow
    nor blue."""
    today = today or shanghai_today()
    window_end = today + datetime.timedelta(days=settings.WARNING_WINDOW_DAYS)
    return Q(status=Measure.Status.SIGNED_OFF) | (
        open_q() & Q(is_standing=False, due_on__gt=window_end)
    )


class WorkGroup(models.TextChoices):
    """The open measures in the order a unit's officer deals with them (the officer's home),
    each measure in one group: returned first, then the others by colour."""

    RETURNED = "returned", _("Returned")
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due within the warning window")
    LATER = "later", _("Later")


def work_group_q(group: str, today: datetime.date | None = None) -> Q:
    """The measures of one ``WorkGroup`` on ``today``."""
    returned = Q(status=Measure.Status.RETURNED)
    if group == WorkGroup.RETURNED:
        return returned
    others = open_q() & ~returned
    if group == WorkGroup.OVERDUE:
        return others & overdue_q(today)
    if group == WorkGroup.DUE_SOON:
        return others & due_soon_q(today)
    return others & ~overdue_q(today) & ~due_soon_q(today)


# Earliest due first, standing measures after every date: their due date is a placeholder no page
# shows (they are never due). The measure indexes that lists walk lead with these columns.
DUE_DATE_ORDER = ("is_standing", "due_on", "pk")


class MeasureQuerySet(ScopedQuerySet):
    """The colour code's sets, as filters; the same conditions count them in aggregates."""

    unit_lookup = "unit"
    officer_visible = Q()

    def count(self):
        """The tally's number when the list that made this queryset gave it one
        (``MeasureFilter.qs``, ``reforms.tally.list_count``), else the database's count."""
        kept = self.__dict__.get("kept_count")
        counted = kept() if kept else None
        return super().count() if counted is None else counted

    def open(self):
        return self.filter(open_q())

    def overdue(self, *, today: datetime.date | None = None, against_original: bool = False):
        return self.filter(overdue_q(today, against_original=against_original))

    def due_soon(self, *, today: datetime.date | None = None):
        return self.filter(due_soon_q(today))

    def green(self, *, today: datetime.date | None = None):
        return self.filter(green_q(today))

    def in_work_group(self, group: str, *, today: datetime.date | None = None):
        return self.filter(work_group_q(group, today))

    def by_due_date(self, *, latest_first: bool = False):
        """``DUE_DATE_ORDER``, or the same order backwards."""
        if latest_first:
            return self.order_by(*(f"-{field}" for field in DUE_DATE_ORDER))
        return self.order_by(*DUE_DATE_ORDER)

    def awaiting_signoff(self):
        """The staff's sign-off queue: the unit asked for sign-off (申请销号)."""
        return self.filter(status=Measure.Status.AWAITING_SIGNOFF)

    def reopened(self):
        """Reopened at least once by a follow-up review (回头看 found it rebounded)."""
        return self.filter(reopen_count__gt=0)


class Measure(TimeStampedModel):
    """整改措施: one task a unit commits to under a recommendation item.

    ``original_due_on`` is the deadline first promised; ``due_on`` is the current one and moves
    only through an approved extension request. Overdue is derived from them, never stored.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        AWAITING_SIGNOFF = "awaiting_signoff", _("Awaiting sign-off")
        SIGNED_OFF = "signed_off", _("Signed off")
        RETURNED = "returned", _("Returned")

    item = models.ForeignKey(
        RecommendationItem,
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name=_("recommendation item"),
    )
    # The recipient unit of the recommendation, kept here so scoping and dashboards need no joins.
    # No index of its own: measure_unit_due_id leads with the unit and serves every lookup by it
    # (the foreign key's checks too), and a second one made the planner's pick a toss-up.
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name=_("unit"),
        editable=False,
        db_index=False,
    )
    content = BoundedTextField(_("measure"), max_length=1000)
    standard = BoundedTextField(_("completion standard"), max_length=1000)
    # Optional: a small unit's measure may have an owner and a leader but no department.
    department = models.CharField(_("owning department"), max_length=100, blank=True)
    owner_name = models.CharField(_("owner"), max_length=50)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_measures",
        verbose_name=_("owner account"),
        help_text=_("The owner's account, if they have one; reminders go to it."),
    )
    leader_name = models.CharField(_("accountable leader"), max_length=50)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_measures",
        verbose_name=_("accountable leader's account"),
        help_text=_("The leader's account, if any: imminent and overdue reminders go to it."),
    )
    is_standing = models.BooleanField(
        _("standing"), default=False, help_text=_("长期坚持: an ongoing measure, never overdue.")
    )
    original_due_on = models.DateField(_("original due date"))
    due_on = models.DateField(_("current due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    signed_off_on = models.DateField(_("signed off on"), null=True, blank=True)
    # 整改反弹: how often a follow-up review found the signed-off measure rebounded and reopened
    # it; work after a reopening is counted apart from first-time work.
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0, editable=False)
    reopened_on = models.DateField(_("last reopened on"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["item", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("original_due_on")),
                name="measure_due_not_before_original",
                violation_error_message=_(
                    "The current due date cannot be earlier than the original one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="signed_off", signed_off_on__isnull=False)
                | (~Q(status="signed_off") & Q(signed_off_on__isnull=True)),
                name="measure_signed_off_has_date",
                violation_error_message=_("Only a signed-off measure has a sign-off date."),
            ),
        ]
        indexes = [
            # The lists over a unit's subtree: the subtree's units, then each one's measures in
            # DUE_DATE_ORDER, read from the index alone (the id for the page's order and the
            # deferred join, core.paging). docs/architecture.md, "Lists at province scale".
            models.Index(
                fields=["unit", "is_standing", "due_on", "id"], name="measure_unit_due_id"
            ),
            # The same list over a scope that holds most units (a province's, a large city's):
            # walked in due-date order, each row's unit checked, until the page is full, where the
            # index above made PostgreSQL sort the whole scope (a province's first page 214 →
            # 0.7 ms, a city's 12 → 1.8 ms); and its open measures alone, for the colour filters
            # over such a scope (without it, a city's overdue page walked this one: 3.7 → 11 ms).
            models.Index(fields=["is_standing", "due_on", "id"], name="measure_due_id"),
            models.Index(
                fields=["is_standing", "due_on", "id"],
                condition=~Q(status="signed_off"),
                name="measure_open_due_id",
            ),
            # A status's measures in DUE_DATE_ORDER over a scope that holds most units (a
            # province's returned measures: walked until the page is full).
            models.Index(
                fields=["status", "is_standing", "due_on", "id"], name="measure_status_due"
            ),
            # The same for the colour filters (overdue, aging, due soon, standing, open). Partial:
            # open measures are about a third of the table and the only ones these filters read.
            # The status too (PostgreSQL), for the officer's home: its groups and their counts
            # set returned measures apart, from the index alone (a unit's 9,000: 11 → 4 ms each).
            models.Index(
                fields=["unit", "is_standing", "due_on", "id"],
                include=["status"],
                condition=~Q(status="signed_off"),
                name="measure_open_unit_due",
            ),
            # The dashboard's weekly trend: measures that fell overdue (not standing, not signed
            # off by their due date) by due date, a few weeks of them read from the index alone.
            models.Index(
                fields=["due_on", "unit"],
                condition=Q(is_standing=False)
                & (Q(signed_off_on__isnull=True) | Q(signed_off_on__gt=F("due_on"))),
                name="measure_fell_overdue",
            ),
            # The sign-off queue and the staff's home count: measures awaiting sign-off in a
            # subtree, read from the index alone (6% of the table; the count was 128 → 12 ms for a
            # province of 1,000,000 measures).
            models.Index(
                fields=["unit", "is_standing", "due_on", "id"],
                condition=Q(status="awaiting_signoff"),
                name="measure_awaiting_unit_due",
            ),
            # Its first page over a scope that holds most units, walked in DUE_DATE_ORDER until
            # full: the open measures' index, which the planner took without it, held few
            # awaiting sign-off among the earliest due (a province's page of ids 170 → 0.7 ms).
            models.Index(
                fields=["is_standing", "due_on", "id"],
                condition=Q(status="awaiting_signoff"),
                name="measure_awaiting_due",
            ),
            # Measures a follow-up review reopened (整改反弹), by unit: a handful of a million.
            models.Index(fields=["unit"], condition=Q(reopen_count__gt=0), name="measure_reopened"),
        ]

    def __str__(self):
        return self.content[:40]

    def save(self, *args, **kwargs):
        if self.unit_id is None:
            self.unit_id = self.item.recommendation.recipient_unit_id
        super().save(*args, **kwargs)

    def days_overdue(self, *, today: datetime.date | None = None, against_original=False) -> int:
        """Days past the due date; 0 when not overdue (signed off, standing or not yet due)."""
        if self.status == self.Status.SIGNED_OFF or self.is_standing:
            return 0
        due = self.original_due_on if against_original else self.due_on
        return max(0, ((today or shanghai_today()) - due).days)

    @property
    def deadline(self) -> datetime.date | None:
        """The current due date as every page, export and API answer shows it: none for a
        standing measure, whose stored date is a placeholder (the column is not null)."""
        return None if self.is_standing else self.due_on

    @property
    def original_deadline(self) -> datetime.date | None:
        """The due date first promised, none for a standing measure (see ``deadline``)."""
        return None if self.is_standing else self.original_due_on

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue() > 0

    def signal(self, *, today: datetime.date | None = None) -> "Signal":
        """The colour of the 三色预警 code, the same rule as ``overdue()`` and ``due_soon()``."""
        if self.status == self.Status.SIGNED_OFF:
            return Signal.GREEN
        if self.is_standing:
            return Signal.BLUE
        today = today or shanghai_today()
        if self.due_on < today:
            return Signal.RED
        if (self.due_on - today).days <= settings.WARNING_WINDOW_DAYS:
            return Signal.YELLOW
        return Signal.GREEN


class TallyQuerySet(ScopedQuerySet):
    """Counts kept by unit (``MeasureTally``, ``UnitTally``), seen as the unit's measures are."""

    unit_lookup = "unit"
    officer_visible = Q()


class MeasureTally(models.Model):
    """How many of a unit's measures are in one status and one band of due dates: the counts the
    dashboard, the statistics and the overdue report read instead of counting a million measures.

    Kept by database triggers on ``reforms_measure`` (migration ``0014``), in the transaction of
    every insert, update and delete whatever makes it; the bands are relative to
    ``TallyBasis.as_of``, and the nightly ``reforms.tally.roll`` moves them to the new day and
    reports any drift. ``reforms/tally.py`` says how the numbers are read.
    """

    class Band(models.IntegerChoices):
        STANDING = 0, _("Standing")
        OVER_90 = 1, _("More than 90 days overdue")
        OVER_30 = 2, _("31–90 days overdue")
        OVER_7 = 3, _("8–30 days overdue")
        OVERDUE = 4, _("1–7 days overdue")
        DUE_TODAY = 5, _("Due today")
        DUE_SOON = 6, _("Due within the warning window")
        LATER = 7, _("Due later")

    # Indexed by ``measure_tally_unit_counts`` below.
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", db_index=False)
    status = models.CharField(max_length=20, choices=Measure.Status.choices)
    band = models.PositiveSmallIntegerField(choices=Band.choices)
    n = models.IntegerField(default=0)

    objects = TallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure tally")
        verbose_name_plural = _("measure tallies")
        constraints = [
            models.UniqueConstraint(fields=["unit", "status", "band"], name="measure_tally_key")
        ]
        indexes = [
            # A scope's sums from the index alone (PostgreSQL's INCLUDE; SQLite indexes the unit):
            # a city's ~300 units are looked up one by one instead of the whole tally being read
            # (its overdue count 5.7 → 2.0 ms at 1,000,000 measures).
            models.Index(
                fields=["unit"], include=["status", "band", "n"], name="measure_tally_unit_counts"
            )
        ]

    def __str__(self):
        return f"{self.unit_id} {self.status} {self.band}: {self.n}"


class UnitTally(models.Model):
    """A unit's ``MeasureTally`` rows in one: its open and its signed-off measures in each band
    (``open_<band>``, ``signed_<band>``, the names of ``MeasureTally.Band``), and its measures in
    each open status (``status_<status>``; the signed-off ones are the ``signed_<band>`` columns).

    What a dashboard reads of each unit: a province's ~4,600 rows, where the tally holds up to 40
    a unit (its read grew with the measures, 24 ms at 1,000,000). Kept by database triggers on
    ``reforms_measuretally`` (migrations ``0020``, ``0021``, ``0023``), in the transaction of
    every change to the tally; the nightly roll checks it against the tally. The statistics of a
    unit scope read their measures by status from it (a province's tally by status was ~50,000
    rows, ~30 ms at 1,000,000 measures).
    """

    unit = models.OneToOneField(
        OrgUnit, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    open_standing = models.IntegerField(default=0)
    open_over_90 = models.IntegerField(default=0)
    open_over_30 = models.IntegerField(default=0)
    open_over_7 = models.IntegerField(default=0)
    open_overdue = models.IntegerField(default=0)
    open_due_today = models.IntegerField(default=0)
    open_due_soon = models.IntegerField(default=0)
    open_later = models.IntegerField(default=0)
    signed_standing = models.IntegerField(default=0)
    signed_over_90 = models.IntegerField(default=0)
    signed_over_30 = models.IntegerField(default=0)
    signed_over_7 = models.IntegerField(default=0)
    signed_overdue = models.IntegerField(default=0)
    signed_due_today = models.IntegerField(default=0)
    signed_due_soon = models.IntegerField(default=0)
    signed_later = models.IntegerField(default=0)
    status_not_started = models.IntegerField(default=0)
    status_in_progress = models.IntegerField(default=0)
    status_awaiting_signoff = models.IntegerField(default=0)
    status_returned = models.IntegerField(default=0)

    objects = TallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit tally")
        verbose_name_plural = _("unit tallies")

    def __str__(self):
        return f"{self.unit_id}"


class TallyBasis(models.Model):
    """The one row saying which day the tally's bands are counted from, as the due dates that
    bound them (a trigger compares dates; it computes none)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    as_of = models.DateField()
    over_90_before = models.DateField()
    over_30_before = models.DateField()
    over_7_before = models.DateField()
    soon_until = models.DateField()

    class Meta:
        verbose_name = _("tally basis")
        verbose_name_plural = _("tally basis")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="tally_basis_one_row")]

    def __str__(self):
        return str(self.as_of)


class MeasureTransitionQuerySet(ScopedQuerySet):
    unit_lookup = "measure__unit"
    officer_visible = Q()


class MeasureTransition(TransitionRecord):
    class ReturnReason(models.TextChoices):
        PAPER_RECTIFICATION = "paper_rectification", _("Paper rectification only")
        INSUFFICIENT_EVIDENCE = "insufficient_evidence", _("Insufficient evidence")
        STANDARD_NOT_MET = "standard_not_met", _("Completion standard not met")
        OTHER = "other", _("Other")

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("measure")
    )
    return_reason = models.CharField(
        _("return reason"), max_length=32, choices=ReturnReason.choices, blank=True
    )

    objects = MeasureTransitionQuerySet.as_manager()

    class Meta(TransitionRecord.Meta):
        verbose_name = _("measure history")
        verbose_name_plural = _("measure history")

    @property
    def is_sign_off(self) -> bool:
        """This step ticked the measure off (销号): the chain shows who and when."""
        return self.to_status == Measure.Status.SIGNED_OFF


class MeasureChildQuerySet(ScopedQuerySet):
    unit_lookup = "measure__unit"
    officer_visible = Q()


class ExtensionRequestQuerySet(MeasureChildQuerySet):
    def pending(self):
        """Awaiting the staff's decision (at most one per measure)."""
        return self.filter(status=ExtensionRequest.Status.PENDING)


class ProgressReport(models.Model):
    """进展: what the unit reports it has done on a measure."""

    measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        related_name="progress_reports",
        verbose_name=_("measure"),
    )
    content = BoundedTextField(_("progress"), max_length=2000)
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), default=0)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    objects = MeasureChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["measure", "reported_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100),
                name="progress_percent_at_most_100",
                violation_error_message=_("Percent complete is between 0 and 100."),
            ),
        ]

    def __str__(self):
        return self.content[:40]


def evidence_upload_to(instance, filename: str) -> str:
    """A random name, so stored files reveal nothing and cannot be guessed."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{shanghai_today():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """佐证材料: a file proving a measure was carried out."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("measure")
    )
    progress_report = models.ForeignKey(
        ProgressReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("progress report"),
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # Empty for files stored before SM3 digests were kept.
    sm3 = models.CharField(_("SM3"), max_length=64, blank=True)
    sealed = models.BooleanField(
        _("encrypted on disk"),
        default=False,
        editable=False,
        help_text=_("Stored sealed with SM4-GCM (EVIDENCE_ENCRYPTION); opened on download."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = MeasureChildQuerySet.as_manager()
    SEALING_CONTEXT = b"reforms.evidence.file"

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["measure", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def content(self):
        """The file as uploaded, to read or send: opened with the key ring when sealed."""
        if not self.sealed:
            return self.file
        with self.file.open("rb") as handle:
            data = keyring().open_bytes(handle.read(), self.SEALING_CONTEXT)
        return ContentFile(data, name=self.file.name)

    @classmethod
    def seal(cls, upload) -> ContentFile:
        """An upload's bytes sealed for the disk, under the key ring's current key."""
        data = b"".join(upload.chunks())
        return ContentFile(keyring().seal_bytes(data, cls.SEALING_CONTEXT), name=upload.name)


class ExtensionRequest(models.Model):
    """申请延期: the only way a measure's current due date moves."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        related_name="extension_requests",
        verbose_name=_("measure"),
    )
    previous_due_on = models.DateField(_("due date before"))
    requested_due_on = models.DateField(_("requested due date"))
    reason = BoundedTextField(_("reason"), max_length=1000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = BoundedTextField(_("decision note"), max_length=1000, blank=True)

    objects = ExtensionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(status="pending"),
                name="extension_one_pending_per_measure",
                violation_error_message=_("This measure already has a pending extension request."),
            ),
            models.CheckConstraint(
                condition=Q(requested_due_on__gt=F("previous_due_on")),
                name="extension_moves_due_date_later",
                violation_error_message=_(
                    "The requested due date must be later than the current one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="extension_decided_has_time",
                violation_error_message=_("Only a decided request has a decision time."),
            ),
        ]

    def __str__(self):
        return f"{self.measure} → {self.requested_due_on}"


class UnitRecordQuerySet(ScopedQuerySet):
    unit_lookup = "unit"
    officer_visible = Q()


class RuleChange(TimeStampedModel):
    """制度 立改废释: a rule the unit established, revised, abolished or interpreted."""

    class Kind(models.TextChoices):
        ESTABLISHED = "established", _("Established")
        REVISED = "revised", _("Revised")
        ABOLISHED = "abolished", _("Abolished")
        INTERPRETED = "interpreted", _("Interpreted")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="rule_changes", verbose_name=_("unit")
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rule_changes",
        verbose_name=_("recommendation"),
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rule_changes",
        verbose_name=_("measure"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("rule"), max_length=200)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = UnitRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule change")
        verbose_name_plural = _("rule changes")
        ordering = ["-effective_on", "-pk"]

    def __str__(self):
        return self.title


class Activity(TimeStampedModel):
    """Warning education, a special meeting, admonition talks or job rotations, with counts."""

    class Kind(models.TextChoices):
        WARNING_EDUCATION = "warning_education", _("Warning education")
        SPECIAL_MEETING = "special_meeting", _("Special democratic life meeting")
        ADMONITION_TALK = "admonition_talk", _("Admonition talk")
        JOB_ROTATION = "job_rotation", _("Job rotation")
        PUBLIC_NOTICE = "public_notice", _("Public notice")
        OTHER = "other", _("Other")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="activities", verbose_name=_("unit")
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("recommendation"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    participant_count = models.PositiveIntegerField(
        _("people"), default=0, help_text=_("Participants, people talked to or rotated (人次).")
    )
    notes = BoundedTextField(_("notes"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = UnitRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return self.title


class FollowUpQuerySet(ScopedQuerySet):
    unit_lookup = "recommendation__recipient_unit"
    officer_visible = Q()


class FollowUp(TimeStampedModel):
    """回头看: a review months later of whether the rectification held."""

    class Outcome(models.TextChoices):
        CONSOLIDATED = "consolidated", _("Results consolidated")
        REBOUNDED = "rebounded", _("Problems rebounded")

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("recommendation"),
    )
    scheduled_on = models.DateField(_("scheduled on"))
    conducted_on = models.DateField(_("conducted on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    findings = BoundedTextField(_("findings"), max_length=5000, blank=True)
    # The measures under review: null until chosen; 0 for all the signed-off measures, N for a
    # random sample of N (the sample itself is the review's rows, ``FollowUpMeasure``).
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    # How the review ended, if with a 通报 or a 约谈: an activity of the letter.
    closing_activity = models.OneToOneField(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up",
        verbose_name=_("closing activity"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up review")
        verbose_name_plural = _("follow-up reviews")
        ordering = ["-scheduled_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(conducted_on__isnull=True, outcome="")
                | Q(conducted_on__isnull=False) & ~Q(outcome=""),
                name="follow_up_outcome_when_conducted",
                violation_error_message=_(
                    "A conducted follow-up needs its outcome, and only then."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.recommendation} {self.scheduled_on}"


class FollowUpMeasureQuerySet(ScopedQuerySet):
    unit_lookup = "measure__unit"
    officer_visible = Q()

    def rebounded(self):
        return self.filter(verdict=FollowUpMeasure.Verdict.REBOUNDED)


class FollowUpMeasure(models.Model):
    """One signed-off measure a follow-up review looks at, and what the staff found: held, or
    rebounded (the measure is reopened with a new due date, none if standing:
    ``services.measure_reopen``)."""

    class Verdict(models.TextChoices):
        HELD = "held", _("Held")
        REBOUNDED = "rebounded", _("Rebounded")

    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="rows", verbose_name=_("follow-up review")
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("measure")
    )
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices, blank=True)
    findings = BoundedTextField(_("findings"), max_length=2000, blank=True)
    new_due_on = models.DateField(_("new due date"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    objects = FollowUpMeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure under review")
        verbose_name_plural = _("measures under review")
        ordering = ["follow_up", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "measure"], name="follow_up_measure_once"),
            models.CheckConstraint(
                condition=Q(verdict="", checked_at__isnull=True)
                | ~Q(verdict="") & Q(checked_at__isnull=False),
                name="follow_up_measure_checked_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.follow_up_id}: {self.measure}"


class ReboundFlagQuerySet(ScopedQuerySet):
    unit_lookup = "unit"
    # Flags speak of problems (case content): a unit's officer sees none (``officer_visible``
    # left None).

    def restrict(self, user):
        """In scope by the new problem's unit, and only while the earlier problem is readable
        too (a sector match may point into another jurisdiction)."""
        return super().restrict(user).filter(earlier_problem__in=Problem.objects.restrict(user))


class ReboundFlag(models.Model):
    """整改反弹: a new problem that matches, by category and process stage, an earlier problem
    a signed-off measure addressed — in the same unit or the same sector — within
    ``REBOUND_LOOKBACK_YEARS``. Written by ``reforms.rebounds`` when a problem is recorded."""

    class Match(models.TextChoices):
        UNIT = "unit", _("Same unit")
        SECTOR = "sector", _("Same sector")

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="rebound_flags", verbose_name=_("problem")
    )
    earlier_problem = models.ForeignKey(
        Problem,
        on_delete=models.CASCADE,
        related_name="rebounded_by",
        verbose_name=_("earlier problem"),
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        related_name="rebound_flags",
        verbose_name=_("signed-off measure"),
    )
    # The new problem's unit: the rebound counts against it.
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="rebound_flags", verbose_name=_("unit")
    )
    match = models.CharField(_("matched by"), max_length=8, choices=Match.choices)
    flagged_at = models.DateTimeField(_("flagged at"), auto_now_add=True)

    objects = ReboundFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("possible rebound")
        verbose_name_plural = _("possible rebounds")
        ordering = ["-flagged_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "earlier_problem"], name="rebound_flag_once_per_pair"
            ),
        ]

    def __str__(self):
        return f"{self.problem_id} ↺ {self.earlier_problem_id}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: an official holiday or a make-up working day (调休).

    Loaded from ``chinesecalendar`` for the years it knows; admins add each later year once the
    State Council announces it. Days not listed follow the week (see ``reforms.calendar``).
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        help_text=_("Ticked for a make-up working day on a weekend; empty for a holiday."),
    )
    note = models.CharField(_("note"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.note}".strip()


class ReminderPolicy(models.Model):
    """The 三色预警 ladder, one row edited in the back office (defaults as commissions use them)."""

    green_workdays = models.PositiveSmallIntegerField(
        _("green: working days before the due date"),
        default=10,
        help_text=_("Reminds the owner and the unit's officers."),
    )
    yellow_workdays = models.PositiveSmallIntegerField(
        _("yellow: working days before the due date"),
        default=3,
        help_text=_("Also reminds the accountable leader."),
    )
    red_repeat_days = models.PositiveSmallIntegerField(
        _("red: repeat every N days while overdue"),
        default=7,
        help_text=_("From the first day overdue; also reminds the unit's party organisation head."),
    )
    urging_after_days = models.PositiveSmallIntegerField(
        _("urging notice after N days overdue"),
        default=30,
        help_text=_("A numbered notice (督办) to the issuing commission's staff and supervisors."),
    )

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policy")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="reminder_policy_single_row"),
            models.CheckConstraint(
                condition=Q(green_workdays__gt=F("yellow_workdays")),
                name="reminder_policy_green_before_yellow",
                violation_error_message=_("Green must come before yellow (more working days)."),
            ),
            models.CheckConstraint(
                condition=Q(red_repeat_days__gt=0),
                name="reminder_policy_red_repeats",
                violation_error_message=_("Red reminders repeat at least every day."),
            ),
        ]

    def __str__(self):
        return str(_("Reminder policy"))

    @classmethod
    def current(cls) -> "ReminderPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class UrgingNoticeQuerySet(ScopedQuerySet):
    unit_lookup = "unit"
    officer_visible = Q()


class UrgingNotice(models.Model):
    """督办: a numbered notice recorded when a measure or a reply is long overdue.

    One per object and due date: moving the deadline by an approved extension starts afresh.
    """

    number = models.CharField(_("number"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial"))
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="urging_notices", verbose_name=_("unit")
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="urging_notices",
        verbose_name=_("measure"),
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="urging_notices",
        verbose_name=_("recommendation"),
    )
    due_on = models.DateField(_("due date urged"))
    days_overdue = models.PositiveIntegerField(_("days overdue"))
    issued_on = models.DateField(_("issued on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = UrgingNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("urging notice")
        verbose_name_plural = _("urging notices")
        ordering = ["-issued_on", "-serial"]
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="urging_serial_per_year"),
            models.UniqueConstraint(
                fields=["measure", "due_on"],
                condition=Q(measure__isnull=False),
                name="urging_once_per_measure_deadline",
            ),
            models.UniqueConstraint(
                fields=["recommendation", "due_on"],
                condition=Q(recommendation__isnull=False),
                name="urging_once_per_reply_deadline",
            ),
            models.CheckConstraint(
                condition=Q(measure__isnull=False, recommendation__isnull=True)
                | Q(measure__isnull=True, recommendation__isnull=False),
                name="urging_on_one_object",
            ),
        ]

    def __str__(self):
        return self.number


# ---------------------------------------------------------------------------------------------
# Reconciliation (定期对账销号): staff and the unit go through the open measures row by row.


class ReconciliationRoundQuerySet(ScopedQuerySet):
    unit_lookup = "unit"
    officer_visible = Q()

    def restrict(self, user):
        """In scope by the round's unit; an officer of a subunit also sees a round that holds
        measures of their unit (it is asked to answer them)."""
        scoped = super().restrict(user)
        if not officer_of_a_unit(user) or user.is_superuser:
            return scoped
        answering = ReconciliationRow.objects.restrict(user).values("round_id")
        return self.filter(Q(pk__in=scoped.values("pk")) | Q(pk__in=answering))

    def open(self):
        return self.filter(status=ReconciliationRound.Status.OPEN)


class ReconciliationRound(TimeStampedModel):
    """对账销号: a round staff open for a recommendation, or for a unit and its subunits, as of a
    date. Opening freezes one row per measure in scope that is open, or was signed off in the
    ``RECENT_SIGNOFF_DAYS`` before that date (``ReconciliationRow``); the unit answers each row,
    staff confirm each answer, and the round closes once every row is confirmed
    (``reforms.reconciliation``)."""

    # Measures signed off this many days before the round's date are reconciled too.
    RECENT_SIGNOFF_DAYS = 90

    class Scope(models.TextChoices):
        RECOMMENDATION = "recommendation", _("One recommendation")
        UNIT = "unit", _("A unit and its subunits")
        SECTOR = "sector", _("A sector's units within a jurisdiction")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("reconciliation round", "Open")
        CLOSED = "closed", pgettext_lazy("reconciliation round", "Closed")

    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reconciliation_rounds",
        verbose_name=_("recommendation"),
    )
    # The unit reconciled (with its subunits), the recommendation's recipient unit, or for a
    # sector the unit (usually the commission) whose subtree's units of that sector are reconciled.
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="reconciliation_rounds",
        verbose_name=_("unit"),
    )
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    # The schedule that opened the round, if one did (one round per schedule and period).
    schedule = models.ForeignKey(
        "ReconciliationSchedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rounds",
        verbose_name=_("schedule"),
    )
    as_of = models.DateField(_("as of"))
    answer_due_on = models.DateField(_("answers due on"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
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
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ReconciliationRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("reconciliation round")
        verbose_name_plural = _("reconciliation rounds")
        ordering = ["-as_of", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="recommendation", recommendation__isnull=False, sector="")
                | Q(scope="unit", recommendation__isnull=True, sector="")
                | Q(scope="sector", recommendation__isnull=True) & ~Q(sector=""),
                name="reconciliation_scope_matches",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="reconciliation_closed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(answer_due_on__gte=F("as_of")),
                name="reconciliation_answers_due_after_date",
                violation_error_message=_("Answers cannot be due before the round's date."),
            ),
            models.UniqueConstraint(
                fields=["recommendation"],
                condition=Q(status="open", scope="recommendation"),
                name="reconciliation_one_open_per_letter",
                violation_error_message=_(
                    "This recommendation already has an open reconciliation round."
                ),
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(status="open", scope="unit"),
                name="reconciliation_one_open_per_unit",
                violation_error_message=_("This unit already has an open reconciliation round."),
            ),
            models.UniqueConstraint(
                fields=["unit", "sector"],
                condition=Q(status="open", scope="sector"),
                name="reconciliation_one_open_per_sector",
                violation_error_message=_(
                    "This sector already has an open reconciliation round in this jurisdiction."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.target_name} {self.as_of:%Y-%m-%d}"

    @property
    def target_name(self) -> str:
        """What is reconciled, in words: the letter, the unit, or the sector within a unit."""
        if self.recommendation_id:
            return self.recommendation.doc_number or self.recommendation.title
        if self.sector:
            return f"{self.unit.name} · {self.get_sector_display()}"
        return self.unit.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ReconciliationRowQuerySet(ScopedQuerySet):
    unit_lookup = "measure__unit"
    officer_visible = Q()


class ReconciliationRow(models.Model):
    """One measure in a round: how it stood when the round was opened (the snapshot, never
    changed), the unit's answer, and the staff's confirmation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the unit's answer")
        ANSWERED = "answered", _("Answered, awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")

    class Answer(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Still in progress")
        COMPLETED = "completed", _("Completed, sign-off requested")
        DISPUTED = "disputed", _("Disputed")

    class Confirmation(models.TextChoices):
        AGREED = "agreed", _("Agreed")
        RETURNED = "returned", _("Returned")

    round = models.ForeignKey(
        ReconciliationRound,
        on_delete=models.CASCADE,
        related_name="rows",
        verbose_name=_("reconciliation round"),
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        related_name="reconciliation_rows",
        verbose_name=_("measure"),
    )
    # The snapshot: the measure as it stood when the round was opened.
    snapshot_status = models.CharField(
        _("status at snapshot"), max_length=20, choices=Measure.Status.choices
    )
    snapshot_due_on = models.DateField(  # none for a standing measure (Measure.deadline)
        _("due date at snapshot"), null=True, blank=True
    )
    snapshot_signal = models.CharField(
        _("colour at snapshot"), max_length=8, choices=Signal.choices
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    answer = models.CharField(_("unit's answer"), max_length=16, choices=Answer.choices, blank=True)
    answer_note = BoundedTextField(_("unit's note"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    confirmation = models.CharField(
        _("confirmation"), max_length=16, choices=Confirmation.choices, blank=True
    )
    confirmation_note = BoundedTextField(_("staff's note"), max_length=1000, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = ReconciliationRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("reconciliation row")
        verbose_name_plural = _("reconciliation rows")
        ordering = ["round", "measure__item", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["round", "measure"], name="reconciliation_row_once"),
            models.CheckConstraint(
                condition=Q(status="pending", answer="", answered_at__isnull=True)
                | ~Q(status="pending") & ~Q(answer="") & Q(answered_at__isnull=False),
                name="reconciliation_row_answered",
            ),
            models.CheckConstraint(
                condition=Q(status="confirmed", confirmed_at__isnull=False) & ~Q(confirmation="")
                | ~Q(status="confirmed") & Q(confirmed_at__isnull=True, confirmation=""),
                name="reconciliation_row_confirmed",
            ),
        ]

    def __str__(self):
        return f"{self.round_id}: {self.measure}"

    @property
    def snapshot_colour(self) -> Signal:
        """The colour frozen at snapshot, as the colour code (for the badge)."""
        return Signal(self.snapshot_signal)

    def differences(self) -> list[str]:
        """Where the unit's answer, or the measure today, departs from the snapshot (the page
        and the sheet highlight these)."""
        Status = Measure.Status
        found = []
        if self.answer == self.Answer.DISPUTED:
            found.append(str(_("the unit disputes the snapshot")))
        elif self.answer == self.Answer.COMPLETED and self.snapshot_status not in {
            Status.AWAITING_SIGNOFF,
            Status.SIGNED_OFF,
        }:
            found.append(str(_("the unit says completed")))
        elif self.answer == self.Answer.IN_PROGRESS and self.snapshot_status in {
            Status.AWAITING_SIGNOFF,
            Status.SIGNED_OFF,
        }:
            found.append(str(_("the unit says still in progress")))
        if self.measure.status != self.snapshot_status:
            found.append(
                str(_("status now %(status)s") % {"status": self.measure.get_status_display()})
            )
        if self.measure.deadline != self.snapshot_due_on:
            due = f"{self.measure.deadline:%Y-%m-%d}"
            found.append(str(_("due date now %(due)s") % {"due": due}))
        return found


class ReconciliationScheduleQuerySet(ScopedQuerySet):
    unit_lookup = "unit"
    officer_visible = Q()  # a unit may know when it is reconciled

    def active(self):
        return self.filter(active=True)


class ReconciliationSchedule(TimeStampedModel):
    """定期对账: a round opened every month or quarter for a recommendation, a unit (with its
    subunits) or a sector within a unit's subtree, on the period's first working day, by the
    daily job (``reforms.reconciliation_schedules``), in the name of the staff who made it."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    scope = models.CharField(_("scope"), max_length=16, choices=ReconciliationRound.Scope.choices)
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reconciliation_schedules",
        verbose_name=_("recommendation"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reconciliation_schedules",
        verbose_name=_("unit"),
        help_text=_("For a recommendation, leave empty: its recipient unit is reconciled."),
    )
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices)
    answer_working_days = models.PositiveSmallIntegerField(
        _("working days to answer"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
        help_text=_("Rounds are opened in this person's name and jurisdiction."),
    )

    objects = ReconciliationScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("reconciliation schedule")
        verbose_name_plural = _("reconciliation schedules")
        ordering = ["unit", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="recommendation", recommendation__isnull=False, sector="")
                | Q(scope="unit", recommendation__isnull=True, unit__isnull=False, sector="")
                | Q(scope="sector", recommendation__isnull=True, unit__isnull=False)
                & ~Q(sector=""),
                name="reconciliation_schedule_scope_matches",
                violation_error_message=_(
                    "Choose a recommendation, a unit, or a unit and a sector, as the scope says."
                ),
            ),
        ]

    def __str__(self):
        target = self.recommendation if self.recommendation_id else self.unit
        sector = f" · {self.get_sector_display()}" if self.sector else ""
        return f"{target}{sector} ({self.get_frequency_display()})"

    def save(self, *args, **kwargs):
        # A letter's schedule is scoped, like its rounds, by the letter's recipient unit.
        if self.recommendation_id:
            self.unit = self.recommendation.recipient_unit
        super().save(*args, **kwargs)

    def period_start(self, day: datetime.date) -> datetime.date:
        """The first day of the month or quarter ``day`` falls in."""
        if self.frequency == self.Frequency.QUARTERLY:
            return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        return day.replace(day=1)
