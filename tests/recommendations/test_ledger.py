"""整改台账 as a unit keeps it: both due dates with the extension marked, the staff's latest word on
each measure (核查意见 or 退回原因) read in one query, and a large ledger laid out in parts at once
and joined with its pages numbered through.

Real WeasyPrint; the measures move through the services, as in the product.
"""

import datetime
import logging
import os
import re
import time
from pathlib import Path

import pytest

from accounts.models import User
from oversight import documents, pdf_parts, tasks
from oversight.models import DocumentJob
from reforms import services
from reforms.models import Measure, MeasureTransition
from tests import factories, pdf

Reason = MeasureTransition.ReturnReason


@pytest.fixture
def letter(world, housing_case):
    return factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=2
    )


@pytest.fixture
def make(world, letter, settings, tmp_path):
    """A measure of the letter, moved through the services by ``steps`` (staff verdicts and the
    unit's requests), each request with evidence on file."""
    settings.MEDIA_ROOT = tmp_path
    officer, staff = world.users.housing_officer, world.users.city_staff

    def build(content, *steps, **fields):
        measure = factories.measure(recommendation=letter, actor=officer, content=content, **fields)
        for step in steps:
            if step == "request":
                if measure.status == Measure.Status.NOT_STARTED:
                    services.progress_report_add(
                        measure=measure, actor=officer, content="已完成", percent_complete=100
                    )
                services.evidence_add(
                    measure=measure, actor=officer, file=factories.evidence_file()
                )
                services.measure_request_signoff(measure=measure, actor=officer)
            elif step[0] == "sign_off":
                services.measure_sign_off(measure=measure, actor=staff, note=step[1])
            else:  # ("return", code, reason)
                services.measure_return(
                    measure=measure, actor=staff, reason_code=step[1], reason=step[2]
                )
            measure.refresh_from_db()
        return measure

    return build


@pytest.fixture
def no_tofu(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    assert not [r for r in caplog.records if "notdef" in r.getMessage().lower()]


def ledger_text(user, letter) -> str:
    return pdf.compact(documents.recommendation_ledger_pdf(user, letter))


# --- both due dates -------------------------------------------------------------------------------


def test_the_ledger_shows_both_due_dates_and_marks_an_extension(world, letter, make):
    kept = make("按期完成的措施", due_on=datetime.date(2026, 3, 1))
    moved = make("延期完成的措施", due_on=datetime.date(2026, 5, 20))
    request = services.extension_request_submit(
        measure=moved,
        actor=world.users.housing_officer,
        requested_due_on=datetime.date(2026, 7, 31),
        reason="需待上级批复",
    )
    services.extension_request_approve(request=request, actor=world.users.city_staff)

    text = ledger_text(world.users.city_staff, letter)

    assert "原定时限当前时限" in text  # one column, headed by both
    row = text[text.index("延期完成的措施") :]
    assert row.startswith("延期完成的措施") and "2026-05-20延至2026-07-31" in row
    kept_row = text[text.index("按期完成的措施") : text.index("延期完成的措施")]
    assert "2026-03-01" in kept_row and "延至" not in kept_row
    assert kept.due_on == kept.original_due_on


def test_a_standing_measure_has_no_due_date_and_comes_after_the_dated_ones(world, letter, make):
    # Its date a placeholder, here before the other's: the item lists it last all the same.
    make("每季度开展廉政风险排查", is_standing=True, due_on=datetime.date(2026, 2, 1))
    make("修订工程项目招投标管理办法", due_on=datetime.date(2026, 6, 30))
    text = ledger_text(world.users.city_staff, letter)
    assert "长期坚持" in text and "延至" not in text and "2026-02-01" not in text
    assert text.index("修订工程项目招投标管理办法") < text.index("每季度开展廉政风险排查")


# --- the latest 核查意见 or 退回原因 ------------------------------------------------------------


def test_the_ledger_shows_the_latest_sign_off_opinion_or_return_reason(world, letter, make):
    make(
        "返工后销号的措施",
        "request",
        ("return", Reason.PAPER_RECTIFICATION, "只发了文件"),
        "request",
        ("sign_off", "整改到位，同意销号"),
    )
    make("被退回的措施", "request", ("return", Reason.OTHER, "缺少会议记录"))
    make("再次申请的措施", "request", ("return", Reason.INSUFFICIENT_EVIDENCE, ""), "request")
    make("简短意见销号的措施", "request", ("sign_off", "材料齐全"))
    make("尚未审核的措施", "request")

    text = ledger_text(world.users.city_staff, letter)

    assert "核查意见／退回原因" in text
    rows = re.split(r"\d+．", text.split("核查意见／退回原因", 1)[1])[1:]

    def row(content):
        (found,) = [row for row in rows if row.startswith(content)]
        return found

    assert row("返工后销号的措施").endswith("整改到位，同意销号")
    assert "只发了文件" not in text  # an earlier return gives way to the later sign-off
    assert row("被退回的措施").endswith("退回（其他）：缺少会议记录")
    # Asked again after a return: the return is still the staff's latest word.
    assert row("再次申请的措施").endswith("退回（佐证材料不足）")
    assert "待销号" in row("再次申请的措施")
    assert row("简短意见销号的措施").endswith("材料齐全")
    assert re.search(r"待销号(逾期\d+天)?$", row("尚未审核的措施"))  # no opinion yet


def test_a_unit_officer_reads_the_same_opinions(world, letter, make):
    make("被退回的措施", "request", ("return", Reason.PAPER_RECTIFICATION, "只有文件没有落实"))
    text = ledger_text(world.users.housing_officer, letter)
    assert "退回（纸面整改）：只有文件没有落实" in text


def test_a_long_opinion_is_cut_in_the_ledger_only(world, letter, make):
    long_reason = "检查记录不全" * 50  # 300 characters, within the field's 1,000
    measure = make("被退回的措施", "request", ("return", Reason.OTHER, long_reason))
    verdicts = documents.latest_verdicts(
        world.users.city_staff, Measure.objects.filter(pk=measure.pk)
    )
    opinion = documents.verdict_opinion(verdicts[measure.pk])
    assert len(opinion) == documents.OPINION_CHARACTERS and opinion.endswith("…")
    assert opinion.startswith("退回（其他）：检查记录不全")
    assert measure.transitions.last().reason == long_reason  # kept whole on the measure


def test_opinions_follow_the_readers_jurisdiction(world, letter, make):
    make("被退回的措施", "request", ("return", Reason.OTHER, "缺少会议记录"))
    measures = Measure.objects.filter(item__recommendation=letter)
    assert documents.latest_verdicts(world.users.other_staff, measures) == {}


# --- queries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 40])
def test_the_ledger_reads_in_the_same_queries_whatever_its_size(
    world, housing_case, size, django_assert_num_queries
):
    big = factories.large_letter(
        staff=world.users.city_staff,
        officer=world.users.housing_officer,
        the_case=housing_case,
        measures=size,
        items=3,
    )
    staff = User.objects.get(pk=world.users.city_staff.pk)  # nothing cached on it yet
    measures = Measure.objects.filter(item__recommendation=big)
    # 1. the user's unit and 2. the units it is posted to (their jurisdiction, then cached)
    # 3. the measures, with their items and letters
    # 4. their latest sign-offs and returns (a subquery of the same measures)
    with django_assert_num_queries(4):
        data = documents.ledger_pdf(staff, measures, title="整改台账")
    text = pdf.compact(data)
    assert f"共{size}项措施" in text
    assert text.count("材料齐全，整改到位，同意销号") == len(range(0, size, 5))
    assert text.count("退回（纸面整改）：只有文件没有落实，请补充检查记录") == len(
        range(1, size, 5)
    )


# --- a large ledger in parts ----------------------------------------------------------------------


def groups_of(*counts):
    groups, start = [], 0
    for index, count in enumerate(counts):
        rows = list(range(start, start + count))
        groups.append({"item_id": index, "rows": rows, "count": count})
        start += count
    return groups


def cut(counts, parts):
    runs = documents.ledger_parts(groups_of(*counts), parts)
    return [
        [(group["item_id"], len(group["rows"]), group["continued"]) for group in run]
        for run in runs
    ]


def test_a_ledger_is_cut_into_parts_of_equal_rows():
    # Inside an item when no item ends near the middle: its rows go on under its text again.
    assert cut((400, 400, 400), 2) == [
        [(0, 400, False), (1, 200, False)],
        [(1, 200, True), (2, 400, False)],
    ]
    assert cut((1200,), 3) == [[(0, 400, False)], [(0, 400, True)], [(0, 400, True)]]
    # Between two items when one ends within 4 % of the cut.
    assert cut((295, 310, 600), 2) == [[(0, 295, False), (1, 310, False)], [(2, 600, False)]]
    # Every row once, in order, whatever the sizes.
    for counts, parts in [((92,) * 13, 2), ((5, 500, 7, 3), 3), ((1, 1, 1), 2), ((10,), 4)]:
        runs = documents.ledger_parts(groups_of(*counts), parts)
        rows = [row for run in runs for group in run for row in group["rows"]]
        assert rows == list(range(sum(counts)))
        assert len(runs) <= parts


@pytest.fixture
def sixty(world, housing_case, monkeypatch):
    monkeypatch.setattr(documents, "LEDGER_PART_ROWS", 10)
    return factories.large_letter(
        staff=world.users.city_staff,
        officer=world.users.housing_officer,
        the_case=housing_case,
        measures=60,
        items=3,
    )


def folios(data: bytes) -> list[str]:
    return [
        line.strip()
        for page in pdf.reader(data).pages
        for line in page.extract_text().splitlines()
        if pdf.FOLIO.match(line.strip())
    ]


def test_a_ledger_laid_out_in_parts_holds_every_row_numbered_through(world, sixty, no_tofu):
    staff = world.users.city_staff
    measures = Measure.objects.filter(item__recommendation=sixty)

    whole = documents.ledger_pdf(staff, measures, title="整改台账")
    parted = documents.ledger_pdf(staff, measures, title="整改台账", processes=4)

    pages = len(pdf.reader(parted).pages)
    assert pages >= len(pdf.reader(whole).pages)  # each part starts on a page of its own
    assert folios(parted) == [f"— {n} —" for n in range(1, pages + 1)]  # one a page, in order
    text = pdf.compact(parted)
    assert text.count("整改台账") == 1 and text.count("共60项措施") == 1  # the title once
    numbers = [int(n) for n in re.findall(r"(\d+)．第\d+条整改措施", text)]
    assert numbers == list(range(1, 61))
    assert "（续）" in text  # 20 rows an item, 15 a part: items go on in the next part
    assert text.replace("（续）", "").count("第1项") == text.count("第1项")
    fonts = {row["name"].split("+", 1)[-1] for row in pdf.fonts(parted)}
    assert all(row["embedded"] for row in pdf.fonts(parted)) and "Noto-Serif-CJK-SC" in fonts


def children() -> set[int]:
    """This process's children, running or unreaped (their parent in /proc/<pid>/stat).

    Others may be there before a test: a browser test leaves Playwright's driver running for the
    session, in whichever pytest-xdist worker ran it."""
    mine = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            _state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue  # ended meanwhile
        if int(parent) == os.getpid():
            mine.add(int(stat.parent.name))
    return mine


def test_a_ledger_in_parts_over_its_budget_ends_its_processes(world, sixty, monkeypatch):
    def slow(html):
        time.sleep(60)

    monkeypatch.setattr(pdf_parts, "write_pdf", slow)  # the forked parts run this one
    measures = Measure.objects.filter(item__recommendation=sixty)
    before = children()
    started = time.perf_counter()
    with pytest.raises(documents.DocumentTimeout):
        documents.ledger_pdf(world.users.city_staff, measures, budget=1, processes=2)
    assert time.perf_counter() - started < 10
    assert children() - before == set()


def test_a_failing_part_fails_the_ledger(world, sixty, monkeypatch):
    def broken(html):
        raise RuntimeError("part failed")

    monkeypatch.setattr(pdf_parts, "write_pdf", broken)
    measures = Measure.objects.filter(item__recommendation=sixty)
    before = children()
    with pytest.raises(RuntimeError, match="part failed"):
        documents.ledger_pdf(world.users.city_staff, measures, processes=2)
    assert children() - before == set()


def test_a_document_job_lays_a_large_ledger_out_in_parts(world, sixty, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_JOB_PROCESSES = 2
    job = DocumentJob.objects.create(
        kind=DocumentJob.Kind.LEDGER,
        query=f"recommendation={sixty.pk}",
        filename="整改台账.pdf",
        total=60,
        created_by=world.users.city_staff,
    )
    tasks.make_document.apply(args=[job.pk])  # the real task function, run here
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE
    with job.file.open("rb") as handle:
        data = handle.read()
    pages = len(pdf.reader(data).pages)
    assert folios(data) == [f"— {n} —" for n in range(1, pages + 1)]
    assert "共60项措施" in pdf.compact(data) and "第60条整改措施" in pdf.compact(data)
