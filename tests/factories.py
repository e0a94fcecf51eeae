"""Small builders for tests: each makes one valid object through the same paths the product uses."""

import datetime
import itertools
import zipfile
from io import BytesIO, StringIO
from pathlib import PurePath

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts import tokens
from accounts.models import ApiToken, OrgUnit, User
from cases.models import Case, Problem, ProcessStage
from recommendations import services as recommendation_services
from recommendations.models import Recommendation
from reforms import services as reform_services
from reforms.models import Measure, MeasureTransition

_sequence = itertools.count(1)

PASSWORD = "Test-pass-2026"

# Tokens issued by ``api_token``, in clear, by user id (only digests are stored).
_api_tokens: dict[int, str] = {}


def org_root(name: str, kind: str = OrgUnit.Kind.COMMISSION, **fields) -> OrgUnit:
    return OrgUnit.objects.add_root({"name": name, "kind": kind, **fields})


def org_child(parent: OrgUnit, name: str, kind: str = OrgUnit.Kind.UNIT, **fields) -> OrgUnit:
    return OrgUnit.objects.add_child(parent, {"name": name, "kind": kind, **fields})


def user(role: str, org_unit: OrgUnit, username: str | None = None, **fields) -> User:
    username = username or f"{role}-{next(_sequence)}"
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, org_unit=org_unit, **fields
    )


def api_token(user: User) -> str:
    """The user's API token in clear, issued as ``/api/v1/token/`` issues it. The same token again
    for the same user while it is still theirs, so several clients of one user may share it (a
    token issued since, or revoked, is replaced by a new one)."""
    token = _api_tokens.get(user.pk)
    if (
        token is None
        or not ApiToken.objects.filter(user=user, digest=tokens.digest_of(token)).exists()
    ):
        token = _api_tokens[user.pk] = tokens.issue(user)
    return token


def case(*, case_unit: OrgUnit, commission: OrgUnit, created_by: User, **fields) -> Case:
    defaults = {
        "number": f"案-{next(_sequence)}",
        "title": "某局工程项目受贿案",
        "sector": "construction",
        "level": Case.Level.SECTION,
        "opened_on": datetime.date(2025, 3, 1),
    }
    return Case.objects.create(
        case_unit=case_unit, commission=commission, created_by=created_by, **defaults | fields
    )


def problem(the_case: Case, **fields) -> Problem:
    defaults = {
        "unit": the_case.case_unit,
        "category": Problem.Category.INSTITUTIONAL_GAP,
        "process_stage": ProcessStage.objects.get(name="招投标"),
        "description": "招投标评审专家抽取制度缺失",
    }
    return Problem.objects.create(case=the_case, **defaults | fields)


def draft_recommendation(
    *, staff: User, the_case: Case, items: int = 1, **fields
) -> Recommendation:
    """A draft with ``items`` numbered items, each citing one problem of the case."""
    defaults = {
        "title": "关于推进以案促改工作的纪检监察建议",
        "issuer": the_case.commission,
        "recipient_unit": the_case.case_unit,
        "reply_due_on": datetime.date(2026, 12, 31),
    }
    recommendation = recommendation_services.recommendation_create(
        actor=staff, cases=[the_case], **defaults | fields
    )
    for number in range(1, items + 1):
        recommendation_services.recommendation_item_add(
            recommendation=recommendation,
            actor=staff,
            content=f"第{number}项：建立健全制度",
            problems=[problem(the_case)],
        )
    return recommendation


def issued_recommendation(
    *, staff: User, the_case: Case, items: int = 1, issued_on=datetime.date(2026, 1, 5), **fields
) -> Recommendation:
    recommendation = draft_recommendation(staff=staff, the_case=the_case, items=items, **fields)
    return recommendation_services.recommendation_issue(
        recommendation=recommendation, actor=staff, issued_on=issued_on
    )


def measure(*, recommendation: Recommendation, actor: User, **fields) -> Measure:
    defaults = {
        "item": recommendation.items.first(),
        "content": "修订招投标管理办法",
        "standard": "印发新办法并组织培训",
        "department": "办公室",
        "owner_name": "李明",
        "leader_name": "王局长",
        "due_on": datetime.date(2026, 6, 30),
    }
    return reform_services.measure_create(actor=actor, **defaults | fields)


def extension_request(*, measure: Measure, actor: User):
    """The unit asks to move ``measure``'s due date to the year's last day."""
    return reform_services.extension_request_submit(
        measure=measure,
        actor=actor,
        requested_due_on=datetime.date(2026, 12, 31),
        reason="需经上级审批",
    )


def zip_bytes(*names: str) -> bytes:
    """A zip archive holding ``names`` (empty members): OOXML, OFD or neither, by its names."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


# Content that each accepted evidence type really starts with (or holds, for zip-based ones).
SAMPLE_CONTENT = {
    ".pdf": b"%PDF-1.4 evidence",
    ".jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 photo",
    ".jpeg": b"\xff\xd8\xff\xe1\x00\x10Exif\x00 photo",
    ".png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR scan",
    ".docx": zip_bytes("[Content_Types].xml", "word/document.xml"),
    ".xlsx": zip_bytes("[Content_Types].xml", "xl/workbook.xml"),
    ".ofd": zip_bytes("OFD.xml", "Doc_0/Document.xml"),
}


def evidence_file(name: str = "会议纪要.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    """An upload whose content matches its extension unless ``content`` says otherwise."""
    if content is None:
        content = SAMPLE_CONTENT[PurePath(name).suffix.lower()]
    return SimpleUploadedFile(name, content)


def seed() -> str:
    """Run ``seed_demo`` and return what it printed."""
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def large_letter(
    *, staff: User, officer: User, the_case: Case, measures: int = 1200, items: int = 13
) -> Recommendation:
    """An issued letter of ``items`` items and ``measures`` measures (bulk-created): the size of
    the real case behind "documents that scale" (docs/benchmarks.md). Every seventh measure's
    due date was extended by 30 days; every fifth is signed off with a note and the one after
    it returned with a reason (their last history rows), as the ledger shows them."""
    letter = issued_recommendation(staff=staff, the_case=the_case, items=items)
    item_rows = list(letter.items.order_by("number"))
    for item in item_rows:
        item.content = (
            f"第{item.number}项：健全工程项目招投标、变更签证和资金拨付的全流程监管制度，"
            "明确责任分工，建立定期检查和问责机制，确保整改措施落到实处。"
        )
        item.save(update_fields=["content"])
    unit = officer.org_unit
    start = datetime.date(2026, 3, 1)
    signed_off = datetime.date(2026, 4, 1)

    def status(n: int) -> dict:
        if n % 5 == 0:
            return {"status": Measure.Status.SIGNED_OFF, "signed_off_on": signed_off}
        if n % 5 == 1:
            return {"status": Measure.Status.RETURNED}
        return {}

    rows = Measure.objects.bulk_create(
        Measure(
            item=item_rows[n * items // measures],
            unit=unit,
            content=f"第{n + 1}条整改措施：修订管理办法，组织专题培训并开展专项检查",
            standard="印发新办法，培训全覆盖，检查发现问题全部整改到位",
            department="办公室",
            owner_name="李明",
            leader_name="王局长",
            original_due_on=start + datetime.timedelta(days=n % 90),
            due_on=start + datetime.timedelta(days=n % 90 + (30 if n % 7 == 0 else 0)),
            created_by=officer,
            **status(n),
        )
        for n in range(measures)
    )
    verdicts = {  # every fifth measure signed off, the next one returned
        0: {"to_status": Measure.Status.SIGNED_OFF, "reason": "材料齐全，整改到位，同意销号"},
        1: {
            "to_status": Measure.Status.RETURNED,
            "return_reason": MeasureTransition.ReturnReason.PAPER_RECTIFICATION,
            "reason": "只有文件没有落实，请补充检查记录",
        },
    }
    MeasureTransition.objects.bulk_create(
        MeasureTransition(
            measure=row, from_status=Measure.Status.AWAITING_SIGNOFF, actor=staff, **verdicts[n % 5]
        )
        for n, row in enumerate(rows)
        if n % 5 in verdicts
    )
    return letter
