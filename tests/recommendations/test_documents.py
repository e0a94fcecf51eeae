"""The PDFs themselves: the Chinese round-trips, CJK fonts are embedded, the page is the standard's.

Real WeasyPrint with the real Noto CJK fonts; text read back with pypdf, fonts with ``pdffonts``.
"""

import datetime
import logging
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases.models import CaseAnalysis, Subject
from oversight import documents
from recommendations.models import Recommendation
from reforms.models import Measure
from tests import factories, pdf
from tests.pdf import A4, MM

ISSUED_ON = datetime.date(2026, 1, 5)
ITEM_TEXT = (
    "建立健全工程建设项目招投标监管制度，严格落实评审专家随机抽取、回避和责任追究机制，"
    "堵塞制度漏洞，切实防范廉政风险。"
)
PREAMBLE = "近年来，我委查处了你局原局长王某某严重违纪违法案件。为深刻汲取教训，现提出如下建议："


@pytest.fixture
def letter(world, housing_case):
    Subject.objects.create(case=housing_case, name="王某某", position="原局长", is_top_leader=True)
    recommendation = factories.issued_recommendation(
        staff=world.users.city_staff,
        the_case=housing_case,
        items=13,
        issued_on=ISSUED_ON,
        preamble=PREAMBLE,
        recipient_name="中共长春市住房和城乡建设局党组",
    )
    for item in recommendation.items.all():
        item.content = ITEM_TEXT * (1 + item.number % 2)
        item.save()
    return recommendation


@pytest.fixture
def no_tofu(caplog):
    """WeasyPrint logs a missing glyph (tofu) it draws as .notdef; none may be drawn."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    assert not [r for r in caplog.records if "notdef" in r.getMessage().lower()]


def embedded_cjk_fonts(data: bytes) -> set[str]:
    rows = pdf.fonts(data)
    assert rows, "no font at all"
    assert all(row["embedded"] for row in rows), rows
    # Subset names look like ABCDEF+Noto-Serif-CJK-SC-Bold.
    return {row["name"].split("+", 1)[-1] for row in rows}


# --- 纪检监察建议书 -------------------------------------------------------------------------------


def test_the_letter_reads_back_in_chinese(world, letter, no_tofu):
    data = documents.recommendation_pdf(world.users.city_staff, letter)
    text = pdf.compact(data)
    for expected in (
        "长春市纪委监委",
        "纪检监察建议书",
        "长纪建〔2026〕1号",
        "关于推进以案促改工作的纪检监察建议",
        "中共长春市住房和城乡建设局党组：",
        "近年来，我委查处了你局原局长王某某严重违纪违法案件。",
        "一、" + ITEM_TEXT,
        "十三、" + ITEM_TEXT,
        "请于2026年12月31日前将整改落实情况书面报告长春市纪委监委。",
        "2026年1月5日",
    ):
        assert expected in text, expected
    folios = [line for line in pdf.text(data).splitlines() if line.startswith("— ")]
    assert folios == ["— 1 —", "— 2 —", "— 3 —", "— 4 —"]
    numbers = [f"{documents.chinese_numeral(n)}、" for n in range(1, 14)]
    positions = [text.index(number + "建立健全") for number in numbers]
    assert positions == sorted(positions)


def test_the_letter_embeds_its_cjk_fonts(world, letter):
    data = documents.recommendation_pdf(world.users.city_staff, letter)
    names = embedded_cjk_fonts(data)
    # Body (仿宋 fallback: Noto Serif), 小标宋 title (Noto Serif Bold), 黑体 numbers (Noto Sans).
    assert {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold", "Noto-Sans-CJK-SC"} <= names


def test_the_letter_is_a4_on_the_gbt_9704_grid(world, letter):
    reader = pdf.reader(documents.recommendation_pdf(world.users.city_staff, letter))
    assert len(reader.pages) >= 3
    block_top, block_bottom = A4[1] - 37 * MM, 35 * MM
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.1)
        runs = pdf.lines(page)
        folio = [run for run in runs if run[2] == f"— {number} —"]
        assert len(folio) == 1, runs
        body = [run for run in runs if run not in folio]
        # Text starts at the left margin (28 mm) and stays inside the 225 mm block.
        assert min(x for x, _y, _t in body) == pytest.approx(28 * MM, abs=0.5)
        assert all(block_bottom < y < block_top for _x, y, _t in body)
        # The page number sits under the block: odd pages right, even pages left.
        x, y, _text = folio[0]
        assert y < block_bottom - 7 * MM + 1
        if number % 2:
            assert x > A4[0] / 2
        else:
            assert x == pytest.approx(28 * MM + 15.79, abs=0.5)
    # A full page holds 22 lines, 10.23 mm apart, and a full line 28 characters.
    middle = reader.pages[1]
    baselines = sorted({y for _x, y, _t in pdf.lines(middle)}, reverse=True)[:-1]  # not the folio
    assert len(baselines) == 22
    assert baselines[0] - baselines[1] == pytest.approx(225 * MM / 22, abs=0.1)
    full_lines = [line for line in middle.extract_text().splitlines() if len(line) >= 27]
    assert full_lines
    assert {len(line) for line in full_lines} == {28}


@pytest.mark.parametrize("items", [1, 3, 6, 13])
def test_the_signature_never_stands_alone_on_a_page(world, housing_case, items):
    """GB/T 9704: the 落款 keeps at least the last paragraph with it, whatever the length."""
    recommendation = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=items, preamble=PREAMBLE
    )
    reader = pdf.reader(documents.recommendation_pdf(world.users.city_staff, recommendation))
    # The 版记 may follow on a page of its own (tests/recommendations/test_letter.py).
    signed = [page for page in reader.pages if "2026年1月5日\n" in page.extract_text() + "\n"]
    text = "".join(signed[-1].extract_text().split())
    assert "请于2026年12月31日前将整改落实情况书面报告" in text
    assert text.index("长春市纪委监委2026年1月5日") > text.index("请于")


def test_a_notice_is_titled_and_numbered_as_a_notice(world, housing_case):
    notice = factories.issued_recommendation(
        staff=world.users.city_staff,
        the_case=housing_case,
        kind=Recommendation.Kind.NOTICE,
        title="关于开展以案促改工作的通知",
    )
    text = pdf.compact(documents.recommendation_pdf(world.users.city_staff, notice))
    assert "以案促改通知书" in text
    assert "长纪改〔2026〕1号" in text
    assert "纪检监察建议书" not in text


def test_a_draft_says_so_and_has_no_number(world, housing_case):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    text = pdf.compact(documents.recommendation_pdf(world.users.city_staff, draft))
    assert "草稿（未印发）" in text
    assert "长纪建" not in text
    assert documents.document_filename(draft) == "纪检监察建议书（草稿）.pdf"


def test_the_units_letter_holds_no_case_content(world, letter, housing_case):
    text = pdf.compact(documents.recommendation_pdf(world.users.housing_officer, letter))
    assert "十三、" + ITEM_TEXT in text
    assert "长纪建〔2026〕1号" in text
    for secret in ("王某某", housing_case.number, "原局长"):
        assert secret not in text


# --- 整改台账 -------------------------------------------------------------------------------------


@pytest.fixture
def planned(world, housing_case):
    """An issued housing-bureau letter with three measures, one of them signed off."""
    recommendation = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=2
    )
    officer = world.users.housing_officer
    first, second = recommendation.items.order_by("number")
    factories.measure(
        recommendation=recommendation,
        actor=officer,
        item=first,
        content="修订工程项目招投标管理办法",
        due_on=datetime.date(2026, 3, 1),
    )
    extended = factories.measure(
        recommendation=recommendation,
        actor=officer,
        item=second,
        content="开展评审专家库专项清理",
        owner_name="赵敏",
        leader_name="孙副局长",
        due_on=datetime.date(2026, 5, 20),
    )
    # An approved extension moves the current due date only.
    Measure.objects.filter(pk=extended.pk).update(due_on=datetime.date(2026, 7, 31))
    factories.measure(
        recommendation=recommendation,
        actor=officer,
        item=second,
        content="每季度开展廉政风险排查",
        is_standing=True,
    )
    return recommendation


def test_the_ledger_is_landscape_a4_and_lists_every_measure(world, planned, no_tofu):
    data = documents.recommendation_ledger_pdf(world.users.city_staff, planned)
    page = pdf.reader(data).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        (A4[1], A4[0]), abs=0.1
    )
    text = pdf.compact(data)
    for expected in (
        "整改台账",
        "长春市住房和城乡建设局",
        "长纪建〔2026〕1号",
        "整改措施",
        "完成标准",
        "责任部门责任人／责任领导",
        "原定时限当前时限",
        "状态",
        "核查意见／退回原因",
        "修订工程项目招投标管理办法",
        "开展评审专家库专项清理",
        "赵敏／孙副局长",
        "2026-05-20延至2026-07-31",
        "长期坚持",
        "未开始",
        "共3项措施",
    ):
        assert expected in text, expected
    assert "Noto-Serif-CJK-SC" in embedded_cjk_fonts(data)


def test_the_ledger_states_each_item_once_above_its_measures(world, planned):
    first, second = planned.items.order_by("number")
    data = documents.recommendation_ledger_pdf(world.users.city_staff, planned)
    text = pdf.compact(data)
    for item in (first, second):
        assert text.count("".join(item.content.split())) == 1
    assert text.index("一、") < text.index("修订工程项目招投标管理办法") < text.index("二、")
    assert text.index("二、") < text.index("开展评审专家库专项清理")
    assert "（2项措施）" in text


def test_the_ledger_of_the_list_groups_items_whatever_the_list_order(world, planned, client):
    """The measure list sorts by due date, which interleaves items; the ledger regroups them."""
    first = planned.items.order_by("number").first()
    factories.measure(
        recommendation=planned,
        actor=world.users.housing_officer,
        item=first,
        content="建立招投标全过程台账",
        due_on=datetime.date(2026, 9, 30),
    )
    client.force_login(world.users.city_staff)

    answer = client.get(reverse("documents:ledger"), {"recommendation": planned.pk})

    text = pdf.compact(answer.content)
    assert text.count("一、") == 1 and text.count("二、") == 1
    assert text.index("一、") < text.index("建立招投标全过程台账") < text.index("二、")


def test_a_large_ledger_fits_many_rows_a_page(world, housing_case):
    letter = factories.large_letter(
        staff=world.users.city_staff,
        officer=world.users.housing_officer,
        the_case=housing_case,
        measures=60,
        items=3,
    )
    data = documents.recommendation_ledger_pdf(world.users.city_staff, letter)
    assert len(pdf.reader(data).pages) <= 4  # 60 rows under 3 items: 15 or more a page


def test_a_ledger_shows_only_the_measures_in_scope(world, planned):
    data = documents.recommendation_ledger_pdf(world.users.other_staff, planned)
    text = pdf.compact(data)
    assert "无整改措施" in text
    assert "修订工程项目招投标管理办法" not in text


# --- 逾期情况通报 ---------------------------------------------------------------------------------


def test_the_overdue_report_counts_by_unit_and_age_then_lists(world, planned, no_tofu):
    today = datetime.date(2026, 4, 15)  # 45 days after the 1 March deadline; 20 May not yet
    data = documents.overdue_report_pdf(world.users.supervisor, today=today)
    text = pdf.compact(data)
    for expected in (
        "整改措施逾期情况通报",
        "范围：长春市纪委监委",
        "统计截至：2026年4月15日",
        "共有整改措施3项",
        "逾期未完成1项",
        "各单位逾期情况",
        "逾期时长分布",
        "逾期措施清单",
        "长春市住房和城乡建设局",
        "修订工程项目招投标管理办法",
        "2026-03-01",
    ):
        assert expected in text, expected
    assert "开展评审专家库专项清理" not in text  # due, not overdue
    assert "Noto-Sans-CJK-SC" in embedded_cjk_fonts(data)


def test_the_overdue_report_of_another_jurisdiction_is_empty(world, planned):
    data = documents.overdue_report_pdf(world.users.other_staff, today=datetime.date(2026, 4, 15))
    text = pdf.compact(data)
    assert "范围：吉林市纪委监委" in text
    assert "无逾期措施" in text
    assert "修订工程项目招投标管理办法" not in text


def test_unit_officers_get_no_overdue_report(world):
    with pytest.raises(PermissionDenied):
        documents.overdue_report_pdf(world.users.housing_officer)


# --- 案件剖析报告 ---------------------------------------------------------------------------------


def test_the_case_analysis_report(world, housing_case, no_tofu):
    Subject.objects.create(
        case=housing_case,
        name="王某某",
        position="原局长",
        is_top_leader=True,
        disposition="开除党籍",
    )
    CaseAnalysis.objects.create(
        case=housing_case,
        author=world.users.city_staff,
        trajectory="从收受节日礼金开始，逐步发展到大额受贿。",
        root_causes="一把手权力过于集中。",
        loopholes="评审专家抽取制度缺失。",
        lessons="必须强化对一把手的监督。",
    )
    factories.problem(housing_case, description="工程款拨付缺少集体决策")
    housing_case.amount = Decimal("1250000.00")
    housing_case.save(update_fields=["amount"])
    data = documents.case_analysis_pdf(world.users.city_staff, housing_case)
    page = pdf.reader(data).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.1)
    text = pdf.compact(data)
    for expected in (
        "内部资料注意保密",
        f"关于{housing_case.title}的剖析报告",
        f"案件编号：{housing_case.number}",
        "王某某（原局长，一把手），开除党籍",
        "从收受节日礼金开始，逐步发展到大额受贿。",
        "一把手权力过于集中。",
        "评审专家抽取制度缺失。",
        "必须强化对一把手的监督。",
        "六、问题清单",
        "工程款拨付缺少集体决策",
        "制度建设薄弱点",
        "涉案金额：1,250,000.00元",
    ):
        assert expected in text, expected
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"} <= embedded_cjk_fonts(data)


def test_unit_officers_get_no_case_analysis(world, housing_case):
    with pytest.raises(PermissionDenied):
        documents.case_analysis_pdf(world.users.housing_officer, housing_case)


# --- warm-up and timeouts ------------------------------------------------------------------------


def test_the_warm_up_renders_a_document_and_never_raises(monkeypatch):
    assert documents.warm_up() > 0

    def broken(*args, **kwargs):
        raise OSError("no fonts")

    monkeypatch.setattr(documents, "render_pdf", broken)
    assert documents.warm_up() >= 0  # logged; the first real document pays instead


def test_gunicorn_warms_up_and_outwaits_the_document_budget(settings, monkeypatch):
    import runpy

    monkeypatch.delenv("GUNICORN_TIMEOUT", raising=False)
    monkeypatch.delenv("DOCUMENT_TIME_BUDGET_SECONDS", raising=False)
    conf = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert conf["timeout"] > settings.DOCUMENT_TIME_BUDGET_SECONDS
    assert callable(conf["post_worker_init"])
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    for shipped in (dockerfile, compose):
        assert "gunicorn.conf.py" in shipped
        assert not re.search(r"gunicorn[^\n]*--timeout", shipped)  # one timeout: the config's


def test_celery_worker_processes_warm_up():
    from celery.signals import worker_process_init

    import config.celery

    receivers = [ref() for _key, ref in worker_process_init.receivers]
    assert config.celery.warm_documents in receivers
