"""Backdating: the services stamp what they record with the real clock; the story wants months."""

import datetime
from collections import defaultdict
from contextlib import contextmanager

from django.db.models.signals import post_save
from django.utils import timezone

from cases.models import Case, CaseAnalysis, Problem, TypicalCase
from core.domain import SHANGHAI
from recommendations.models import Recommendation, RecommendationTransition, Reply
from reforms.models import (
    Activity,
    Evidence,
    ExtensionRequest,
    FollowUp,
    Measure,
    MeasureTransition,
    ProgressReport,
    RuleChange,
)


class Clock:
    """Moves what each block of work writes to the day the story puts it on.

    Inside ``with clock.on(day):`` every saved row of a timestamped model is noted (post_save).
    ``flush()`` then sets, in a few bulk updates, each row's creation time, history time, sign-off
    date or decision time to the moment of the block that wrote it, and ``updated_at`` to the last
    one. Only this demo's own rows are touched, and only while the demo is being built.
    """

    CREATED_FIELDS = {
        Case: ["created_at"],
        CaseAnalysis: ["created_at"],
        Problem: ["created_at"],
        Recommendation: ["created_at"],
        Measure: ["created_at"],
        RuleChange: ["created_at"],
        Activity: ["created_at"],
        FollowUp: ["created_at"],
        RecommendationTransition: ["at"],
        MeasureTransition: ["at"],
        Reply: ["submitted_at"],
        ProgressReport: ["reported_at"],
        Evidence: ["uploaded_at"],
        ExtensionRequest: ["requested_at"],
        TypicalCase: ["created_at", "marked_at"],
    }
    UPDATED_FIELDS = {
        model: ["updated_at"]
        for model in (
            Case,
            CaseAnalysis,
            Problem,
            Recommendation,
            Measure,
            RuleChange,
            Activity,
            FollowUp,
            TypicalCase,
        )
    }

    def __init__(self, today: datetime.date):
        self.today = today
        self._touched = None
        self._minutes = defaultdict(int)
        self._stamps = defaultdict(lambda: defaultdict(dict))  # model → pk → field → value
        self.stored_files: list[str] = []  # evidence written to storage, to remove on failure

    def _note(self, sender, instance, created, **kwargs):
        if self._touched is None or sender not in self.CREATED_FIELDS:
            return
        if sender is Evidence and created:
            self.stored_files.append(instance.file.name)
        signed_off = sender is Measure and instance.status == Measure.Status.SIGNED_OFF
        decided = sender is ExtensionRequest and instance.decided_at is not None
        self._touched.append((sender, instance.pk, created, signed_off, decided))

    @contextmanager
    def listening(self):
        post_save.connect(self._note, dispatch_uid="seed_demo_clock", weak=False)
        try:
            yield self
        finally:
            post_save.disconnect(dispatch_uid="seed_demo_clock")

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A time on ``day`` in office hours, later than the previous one on that day."""
        now = timezone.now()
        if day >= self.today:
            return now
        self._minutes[day] += 7
        when = datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=SHANGHAI)
        return min(when + datetime.timedelta(minutes=min(self._minutes[day], 900)), now)

    @contextmanager
    def on(self, day: datetime.date):
        self._touched = []
        try:
            yield
            touched = self._touched
        finally:
            self._touched = None
        when = self.moment(day)
        for model, pk, created, signed_off, decided in touched:
            stamps = self._stamps[model][pk]
            if created:
                for field in self.CREATED_FIELDS[model]:
                    stamps.setdefault(field, when)
            for field in self.UPDATED_FIELDS.get(model, ()):
                stamps[field] = when
            if signed_off:
                stamps.setdefault("signed_off_on", day)
            if decided:
                stamps.setdefault("decided_at", when)

    def flush(self):
        for model, rows in self._stamps.items():
            by_fields = defaultdict(list)
            for pk, stamps in rows.items():
                by_fields[tuple(sorted(stamps))].append(model(pk=pk, **stamps))
            for fields, objects in by_fields.items():
                model.objects.bulk_update(objects, fields, batch_size=100)
        self._stamps.clear()


def pdf_bytes(lines: list[str]) -> bytes:
    """A small, valid one-page PDF (ASCII text in a standard font), standing in for a scan."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = " ".join(f"({escape(line)}) '" for line in lines)
    stream = f"BT /F1 12 Tf 72 770 Td 18 TL {text} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out
