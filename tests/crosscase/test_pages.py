"""The analysis pages: the list with its search, the selection form, the detail page with all its
tables, the findings form, deleting; and who may use each."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from crosscase.models import CrossCaseAnalysis
from oversight import excel
from tests.pdf import compact

REFUSED = ["housing_officer", "health_officer", "system_admin", "security_admin", "audit_admin"]


def test_the_list_searches_and_links_each_analysis(world, by_criteria, by_hand, browse):
    client = browse(world.users.supervisor)
    page = client.get(reverse("crosscase:list"))
    assert page.status_code == 200
    assert {a.pk for a in page.context["page_obj"]} == {by_criteria.pk, by_hand.pk}
    assert not page.context["can_add"]
    found = client.get(reverse("crosscase:list"), {"q": "药品"})
    assert [a.pk for a in found.context["page_obj"]] == [by_hand.pk]
    assert reverse("crosscase:detail", args=[by_hand.pk]) in found.content.decode()


def test_the_menu_shows_the_entry_to_case_readers_only(world, browse):
    for name in ("city_staff", "supervisor", *REFUSED):
        body = browse(getattr(world.users, name)).get(reverse("notifications")).content.decode()
        assert (reverse("crosscase:list") in body) is (name in ("city_staff", "supervisor")), name


@pytest.mark.parametrize("name", REFUSED)
def test_officers_and_administrators_are_refused(world, by_criteria, browse, name):
    client = browse(getattr(world.users, name))
    assert client.get(reverse("crosscase:list")).status_code == 403
    assert client.get(reverse("crosscase:create")).status_code == 403
    for route in ("detail", "edit", "problems"):
        answer = client.get(reverse(f"crosscase:{route}", args=[by_criteria.pk]))
        assert answer.status_code == 404
        assert "道路工程" not in answer.content.decode()
    for route in ("report", "xlsx"):
        url = reverse(f"documents:crosscase_{route}", args=[by_criteria.pk])
        assert client.get(url).status_code == 404


def test_staff_of_another_subtree_get_a_404(world, by_criteria, browse):
    client = browse(world.users.county_staff)
    assert client.get(reverse("crosscase:detail", args=[by_criteria.pk])).status_code == 404
    answer = client.post(reverse("crosscase:delete", args=[by_criteria.pk]))
    assert answer.status_code == 404
    assert CrossCaseAnalysis.objects.filter(pk=by_criteria.pk).exists()


def test_staff_create_by_criteria_through_the_form(world, cases, browse):
    client = browse(world.users.city_staff)
    assert client.get(reverse("crosscase:create")).status_code == 200
    answer = client.post(
        reverse("crosscase:create"),
        {
            "title": "工程建设领域类案分析",
            "unit": world.units.city.pk,
            "mode": "criteria",
            "sector": "construction",
            "opened_from": "2025-01-01",
        },
    )
    analysis = CrossCaseAnalysis.objects.get()
    assert answer.status_code == 302
    assert answer.url == reverse("crosscase:detail", args=[analysis.pk])
    assert analysis.sector == "construction" and analysis.created_by == world.users.city_staff


def test_staff_pick_cases_by_number_and_an_unknown_number_is_shown(world, cases, browse):
    client = browse(world.users.city_staff)
    form = {"title": "两案对比", "unit": world.units.city.pk, "mode": "hand"}
    refused = client.post(
        reverse("crosscase:create"), form | {"case_numbers": "长纪〔2025〕1号 吉纪〔2025〕1号"}
    )
    assert refused.status_code == 400
    assert "吉纪〔2025〕1号" in refused.content.decode()
    assert not CrossCaseAnalysis.objects.exists()
    client.post(
        reverse("crosscase:create"), form | {"case_numbers": "长纪〔2025〕1号，长纪〔2025〕9号"}
    )
    analysis = CrossCaseAnalysis.objects.get()
    assert set(analysis.cases.all()) == {cases.roads, cases.drugs}
    edit = client.get(reverse("crosscase:edit", args=[analysis.pk]))
    assert "长纪〔2025〕9号" in edit.content.decode()


def test_the_detail_page_shows_every_table_and_links_each_figure(world, by_criteria, browse):
    client = browse(world.users.supervisor)
    page = client.get(reverse("crosscase:detail", args=[by_criteria.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    for testid in (
        "analysis-basics",
        "analysis-matrix",
        "analysis-involvement",
        "analysis-causes",
        "analysis-rectification",
        "analysis-findings",
    ):
        assert f'data-testid="{testid}"' in body
    assert body.count('data-testid="matrix-cell"') == 4  # the non-empty cells
    assert 'data-testid="case-count">3<' in body
    assert "评标专家由局长指定" in body
    assert "2,180,000.00" in body
    # A supervisor reads; no form, no edit.
    assert page.context["findings_form"] is None
    assert 'data-testid="analysis-edit"' not in body
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.VIEW, object_type="crosscase.crosscaseanalysis"
    ).exists()


def test_staff_write_the_findings_and_they_show(world, by_criteria, browse):
    client = browse(world.users.city_staff)
    url = reverse("crosscase:findings", args=[by_criteria.pk])
    answer = client.post(
        url,
        {
            "common_patterns": "一把手插手招投标",
            "institutional_gaps": "评标专家抽取无监督",
            "countermeasures": "推行电子化招投标",
        },
    )
    assert answer.status_code == 302
    detail = client.get(reverse("crosscase:detail", args=[by_criteria.pk])).content.decode()
    assert "推行电子化招投标" in detail
    too_long = client.post(url, {"common_patterns": "长" * 5001})
    assert too_long.status_code == 400
    by_criteria.refresh_from_db()
    assert by_criteria.common_patterns == "一把手插手招投标"
    assert browse(world.users.supervisor).post(url, {"common_patterns": "x"}).status_code == 403


def test_staff_delete_an_analysis(world, by_criteria, browse):
    answer = browse(world.users.city_staff).post(reverse("crosscase:delete", args=[by_criteria.pk]))
    assert answer.status_code == 302
    assert not CrossCaseAnalysis.objects.exists()


def test_the_report_pdf_has_the_sections_figures_and_findings(world, by_criteria, browse):
    from crosscase import analysis as services

    services.analysis_write_findings(
        analysis=by_criteria,
        actor=world.users.city_staff,
        common_patterns="招投标环节权力集中",
        institutional_gaps="评标专家由领导指定",
        countermeasures="建立专家随机抽取机制",
    )
    answer = browse(world.users.supervisor).get(
        reverse("documents:crosscase_report", args=[by_criteria.pk])
    )
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    text = compact(answer.content)
    for heading in (
        "一、基本情况",
        "二、问题分布",
        "三、涉案情况",
        "四、案发原因与漏洞",
        "五、整改情况",
        "六、共性问题",
        "七、制度漏洞",
        "八、对策建议",
    ):
        assert heading in text, heading
    assert "选取3件案件" in text
    assert "共暴露问题7个" in text
    assert "2,180,000.00" in text
    assert "招投标" in text and "项目验收" in text
    assert "建立专家随机抽取机制" in text
    assert "长春市纪委监委" in text


def test_the_annexes_have_the_case_list_matrix_and_problem_list(world, by_criteria, browse):
    answer = browse(world.users.city_staff).get(
        reverse("documents:crosscase_xlsx", args=[by_criteria.pk])
    )
    assert answer.status_code == 200
    assert answer["Content-Type"] == excel.XLSX
    book = load_workbook(io.BytesIO(b"".join(answer.streaming_content)), read_only=True)
    assert book.sheetnames == ["案件清单", "问题矩阵", "问题清单"]
    listing = list(book["案件清单"].iter_rows(values_only=True))
    assert len(listing) == 1 + 3
    assert {row[0] for row in listing[1:]} == {
        "长纪〔2025〕1号",
        "长纪〔2025〕2号",
        "长纪〔2025〕3号",
    }
    grid = list(book["问题矩阵"].iter_rows(values_only=True))
    assert grid[0] == ("问题类别", "招投标", "工程监管", "项目验收", "合计")
    assert grid[-1] == ("合计", 3, 1, 3, 7)
    problems = list(book["问题清单"].iter_rows(values_only=True))
    assert len(problems) == 1 + 7
