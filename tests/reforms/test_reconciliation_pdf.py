"""The 对账销号单 as PDF: rendered by WeasyPrint for real, read back with pypdf, scoped as its
round (out of jurisdiction: 404), linked from the round's page."""

import datetime

import pytest
from django.urls import reverse

from core.domain import shanghai_today
from oversight import documents
from reforms import reconciliation
from reforms.models import ReconciliationRow
from tests import pdf

from .conftest import Status

Answer = ReconciliationRow.Answer


@pytest.fixture
def answered_round(world, letter, measure_in):
    """Four housing measures, one per group: agreed, returned, disputed, still pending."""
    staff, officer = world.users.city_staff, world.users.housing_officer
    contents = ("修订招投标管理办法", "开展警示教育", "清理违规审批事项", "建立廉政档案")
    for content in contents:
        measure_in(Status.IN_PROGRESS, content=content)
    round_ = reconciliation.open_round(
        actor=staff,
        recommendation=letter,
        answer_due_on=shanghai_today() + datetime.timedelta(days=14),
    )
    rows = {row.measure.content: row for row in round_.rows.select_related("round", "measure")}
    answers = (
        (contents[0], Answer.IN_PROGRESS, "已完成初稿", "agreed", ""),
        (contents[1], Answer.IN_PROGRESS, "已开两次会", "returned", "请附会议记录"),
        (contents[2], Answer.DISPUTED, "该事项已移交", "agreed", "同意移交"),
    )
    for content, answer, note, confirmation, staff_note in answers:
        reconciliation.answer_row(row=rows[content], actor=officer, answer=answer, note=note)
        reconciliation.confirm_row(
            row=rows[content], actor=staff, confirmation=confirmation, note=staff_note
        )
    return round_


def url(round_) -> str:
    return reverse("documents:reconciliation_pdf", args=[round_.pk])


def test_the_sheet_groups_the_rows_with_both_sides_words(world, browse, answered_round):
    page = browse(world.users.housing_officer).get(
        reverse("reforms:reconciliation_detail", args=[answered_round.pk])
    )
    assert f'href="{url(answered_round)}"' in page.content.decode()

    answer = browse(world.users.supervisor).get(url(answered_round))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert "attachment" in answer["Content-Disposition"]
    text = pdf.compact(answer.content)
    assert "对账销号单" in text
    assert "共4项措施，同意销号1项，退回1项，有异议1项，尚未确认1项" in text
    assert f"对账基准日：{answered_round.as_of:%Y年%-m月%-d日}" in text
    groups = [text.index(h) for h in ("一、同意销号", "二、退回", "三、有异议", "四、尚未确认")]
    assert groups == sorted(groups)
    placed = {
        word: text.index(word)
        for word in ("修订招投标管理办法", "请附会议记录", "该事项已移交", "建立廉政档案")
    }
    assert groups[0] < placed["修订招投标管理办法"] < groups[1]
    assert groups[1] < placed["请附会议记录"] < groups[2]
    assert groups[2] < placed["该事项已移交"] < groups[3] < placed["建立廉政档案"]
    # Both sides' words and the differences with the snapshot.
    assert "仍在整改（housing_officer）已开两次会" in text
    assert "已退回（city_staff）请附会议记录" in text
    assert "单位对台账有异议" in text
    assert "未答复" in text and "未确认" in text
    assert "单位联络员（签字）" in text and "经办人（签字）" in text
    fonts = pdf.fonts(answer.content)
    assert all(row["embedded"] for row in fonts)
    assert "Noto-Serif-CJK-SC" in {row["name"].split("+", 1)[-1] for row in fonts}


def test_the_differences_are_shaded(world, answered_round):
    with_difference = next(
        row for row in answered_round.rows.select_related("measure") if row.differences()
    )
    groups = documents.reconciliation_groups(
        list(answered_round.rows.select_related("measure__item__recommendation", "measure__unit"))
    )
    shaded = [row for group in groups for table in group["tables"] for row in table if row.diffs]

    assert [row.pk for row in shaded] == [with_difference.pk]


@pytest.mark.parametrize("who", ["health_officer", "county_staff", "other_staff"])
def test_the_sheet_out_of_jurisdiction_is_not_found(world, browse, answered_round, who):
    assert browse(getattr(world.users, who)).get(url(answered_round)).status_code == 404


def test_an_administrator_may_not_have_it(world, browse, answered_round):
    assert browse(world.users.system_admin).get(url(answered_round)).status_code == 404
