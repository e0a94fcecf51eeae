"""Excel: exports honour the list pages' filters and scope; imports check every row, report every
error by row and column in Chinese, and save all rows or none."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cases.models import Problem
from oversight import excel, tasks
from recommendations.models import ImportJob
from reforms.models import Activity, Measure, RuleChange
from tests import factories

PROBLEM_HEADINGS = ["问题类别", "业务环节", "单位", "描述"]
PLAN_HEADINGS = [
    "建议事项序号",
    "整改措施",
    "完成标准",
    "责任部门",
    "责任人",
    "责任领导",
    "整改时限",
    "长期坚持",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def xlsx(headings, rows, name="导入.xlsx") -> SimpleUploadedFile:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=excel.XLSX)


def read(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def letter(world, housing_case):
    recommendation = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=3
    )
    for content in ("修订工程项目招投标管理办法", "开展评审专家库专项清理"):
        factories.measure(
            recommendation=recommendation, actor=world.users.housing_officer, content=content
        )
    return recommendation


# --- Exports -------------------------------------------------------------------------------------


def test_the_measure_export_follows_the_lists_filters(world, browse, letter):
    client = browse(world.users.city_staff)
    rows = read(client.get(reverse("documents:measures_xlsx")))
    assert rows[0][:5] == ("序号", "单位", "发文字号", "建议事项序号", "整改措施")
    assert {row[4] for row in rows[1:]} == {"修订工程项目招投标管理办法", "开展评审专家库专项清理"}
    assert rows[1][1] == "长春市住房和城乡建设局"
    assert rows[1][2] == "长纪建〔2026〕1号"
    rows = read(client.get(reverse("documents:measures_xlsx") + "?q=专家库"))
    assert [row[4] for row in rows[1:]] == ["开展评审专家库专项清理"]


def test_the_measure_export_leaves_a_standing_measures_placeholder_dates_out(world, browse, letter):
    factories.measure(
        recommendation=letter,
        actor=world.users.housing_officer,
        content="每季度开展廉政风险排查",
        is_standing=True,
        due_on=None,  # the letter's reply deadline, kept as a placeholder
    )
    rows = read(browse(world.users.city_staff).get(reverse("documents:measures_xlsx")))
    headings, *measures = rows
    dates = slice(headings.index("原定时限"), headings.index("长期坚持") + 1)
    assert headings[dates] == ("原定时限", "当前时限", "长期坚持")
    by_content = {row[4]: row[dates] for row in measures}
    assert by_content["每季度开展廉政风险排查"] == (None, None, "是")
    assert by_content["开展评审专家库专项清理"][2] == "否"
    assert isinstance(by_content["开展评审专家库专项清理"][0], datetime.datetime)


def test_the_measure_export_holds_only_the_jurisdiction(world, browse, letter):
    rows = read(browse(world.users.other_staff).get(reverse("documents:measures_xlsx")))
    assert len(rows) == 1  # the headings
    rows = read(browse(world.users.housing_officer).get(reverse("documents:measures_xlsx")))
    assert len(rows) == 3
    response = browse(world.users.audit_admin).get(reverse("documents:measures_xlsx"))
    assert response.status_code == 403


def test_the_case_export_follows_the_filters_and_scope(world, browse, housing_case):
    factories.case(
        case_unit=world.units.education,
        commission=world.units.county,
        created_by=world.users.county_staff,
        title="朝阳区教育局食堂采购案",
        sector="education",
    )
    client = browse(world.users.city_staff)
    rows = read(client.get(reverse("documents:cases_xlsx")))
    assert rows[0][:3] == ("序号", "案件编号", "标题")
    assert {row[2] for row in rows[1:]} == {housing_case.title, "朝阳区教育局食堂采购案"}
    rows = read(client.get(reverse("documents:cases_xlsx") + "?sector=education"))
    assert [row[2] for row in rows[1:]] == ["朝阳区教育局食堂采购案"]
    rows = read(browse(world.users.county_staff).get(reverse("documents:cases_xlsx")))
    assert [row[2] for row in rows[1:]] == ["朝阳区教育局食堂采购案"]


def test_the_recommendation_export_follows_the_filters_and_scope(world, browse, letter):
    url = reverse("documents:recommendations_xlsx")
    draft = factories.draft_recommendation(
        staff=world.users.city_staff, the_case=letter.cases.get(), title="关于医保基金监管的建议"
    )
    staff = browse(world.users.city_staff)
    rows = read(staff.get(url))
    assert rows[0][:4] == ("序号", "发文字号", "类型", "标题")
    assert {row[3] for row in rows[1:]} == {letter.title, draft.title}
    assert [row[3] for row in read(staff.get(url + "?status=draft"))[1:]] == [draft.title]
    # The unit sees its issued letter only, never a draft; another city sees nothing.
    rows = read(browse(world.users.housing_officer).get(url))
    assert [(row[1], row[3], row[9]) for row in rows[1:]] == [
        ("长纪建〔2026〕1号", letter.title, 3)
    ]
    assert len(read(browse(world.users.other_staff).get(url))) == 1


def test_unit_officers_export_no_cases(world, browse, housing_case):
    response = browse(world.users.housing_officer).get(reverse("documents:cases_xlsx"))
    assert response.status_code == 403


def test_the_list_pages_link_their_export_with_the_query_string(world, browse, letter):
    client = browse(world.users.city_staff)
    page = client.get(reverse("reforms:measure_list") + "?q=专家库").content.decode()
    assert reverse("documents:measures_xlsx") + "?q=%E4%B8%93%E5%AE%B6%E5%BA%93" in page
    page = client.get(reverse("cases:list") + "?sector=education").content.decode()
    assert reverse("documents:cases_xlsx") + "?sector=education" in page
    page = client.get(reverse("recommendations:list") + "?status=issued").content.decode()
    assert reverse("documents:recommendations_xlsx") + "?status=issued" in page


# --- Templates -----------------------------------------------------------------------------------


def test_the_templates_download_with_their_headings(world, browse):
    client = browse(world.users.city_staff)
    assert read(client.get(reverse("documents:import_template", args=["problems"])))[0] == tuple(
        PROBLEM_HEADINGS
    )
    officer = browse(world.users.housing_officer)
    plan = officer.get(reverse("documents:import_template", args=["plan"]))
    workbook = load_workbook(io.BytesIO(b"".join(plan.streaming_content)))
    assert tuple(cell.value for cell in workbook.worksheets[0][1]) == tuple(PLAN_HEADINGS)
    how_to = [row[0].value for row in workbook["填写说明"].iter_rows()]
    assert how_to[-1] == "整改时限：长期坚持的措施留空（长期坚持填“是”），填写的时限不予采用。"


def test_a_blank_template_imports_nothing(world, browse, housing_case):
    client = browse(world.users.city_staff)
    template = client.get(reverse("documents:import_template", args=["problems"]))
    upload = SimpleUploadedFile("模板.xlsx", b"".join(template.streaming_content))
    response = client.post(
        reverse("documents:problems_import", args=[housing_case.pk]), {"file": upload}
    )
    assert response.status_code == 400
    assert "文件中没有可导入的数据行。" in response.content.decode()


# --- Importing a problem list --------------------------------------------------------------------


def test_a_good_problem_list_is_imported(world, browse, housing_case):
    upload = xlsx(
        PROBLEM_HEADINGS,
        [
            ["制度建设薄弱点", "招投标", None, "评审专家抽取制度缺失"],
            ["权力运行风险点", "招投标", "市住建局质量监督站", "质量验收由一人说了算"],
            ["blind_spot", "招投标", "长春市住房和城乡建设局", "对工程款拨付缺乏监督"],
        ],
    )
    response = browse(world.users.city_staff).post(
        reverse("documents:problems_import", args=[housing_case.pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[housing_case.pk])
    problems = list(Problem.objects.filter(case=housing_case).order_by("pk"))
    assert [(p.category, p.unit.name, p.description) for p in problems] == [
        ("institutional_gap", "长春市住房和城乡建设局", "评审专家抽取制度缺失"),
        ("risk_point", "市住建局质量监督站", "质量验收由一人说了算"),
        ("blind_spot", "长春市住房和城乡建设局", "对工程款拨付缺乏监督"),
    ]


def test_a_problem_list_with_bad_rows_saves_nothing_and_names_every_error(
    world, browse, housing_case
):
    upload = xlsx(
        PROBLEM_HEADINGS,
        [
            ["制度建设薄弱点", "招投标", None, "这一行没有问题"],
            ["某种问题", "招投标", None, "类别不对"],
            ["制度建设薄弱点", "招投标", None, None],
            [],
            ["管理监督空白点", "招投标", "吉林市水利局", "单位不在管辖范围"],
            ["管理监督空白点", "不存在的环节", None, "环节不对"],
        ],
    )
    response = browse(world.users.city_staff).post(
        reverse("documents:problems_import", args=[housing_case.pk]), {"file": upload}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "未导入任何数据：共4处错误。" in page
    for error in (
        "第3行A列（问题类别）：问题类别不正确，应为：制度建设薄弱点、权力运行风险点、管理监督空白点。",
        "第4行D列（描述）：此项必填。",
        "第6行C列（单位）：您的管辖范围内没有该名称的单位。",
        "第7行B列（业务环节）：业务环节不正确，应为：",
    ):
        assert error in page, error
    assert not Problem.objects.filter(case=housing_case).exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("问题清单.xlsx", "这不是表格".encode(), content_type=excel.XLSX),
        SimpleUploadedFile("问题清单.pdf", b"%PDF-1.4 not a workbook"),
        SimpleUploadedFile("问题清单.csv", "问题类别,业务环节\n".encode()),
    ],
    ids=["text-named-xlsx", "pdf", "csv"],
)
def test_a_file_that_is_not_excel_is_refused_clearly(world, browse, housing_case, upload):
    response = browse(world.users.city_staff).post(
        reverse("documents:problems_import", args=[housing_case.pk]), {"file": upload}
    )
    assert response.status_code == 400
    assert (
        "该文件不是Excel工作簿（.xlsx）。请下载模板，填写后重新上传。" in response.content.decode()
    )
    assert not Problem.objects.filter(case=housing_case).exists()


def test_wrong_headings_are_refused(world, browse, housing_case):
    upload = xlsx(["甲", "乙"], [["制度建设薄弱点", "招投标"]])
    response = browse(world.users.city_staff).post(
        reverse("documents:problems_import", args=[housing_case.pk]), {"file": upload}
    )
    assert response.status_code == 400
    assert "第1行应为模板的列标题：问题类别、业务环节、单位、描述。" in response.content.decode()


@pytest.mark.parametrize("who", ["other_staff", "county_staff", "housing_officer"])
def test_no_problem_import_outside_the_jurisdiction(world, browse, housing_case, who):
    url = reverse("documents:problems_import", args=[housing_case.pk])
    assert browse(getattr(world.users, who)).get(url).status_code == 404


def test_supervisors_may_not_import_problems(world, browse, housing_case):
    url = reverse("documents:problems_import", args=[housing_case.pk])
    assert browse(world.users.supervisor).get(url).status_code == 403


def test_the_case_page_offers_the_import(world, browse, housing_case):
    page = browse(world.users.city_staff).get(reverse("cases:detail", args=[housing_case.pk]))
    assert reverse("documents:problems_import", args=[housing_case.pk]) in page.content.decode()


# --- Importing a rectification plan --------------------------------------------------------------


def plan_row(item=1, content="修订招投标管理办法", due="2026-06-30", **overrides):
    row = {
        "item": item,
        "content": content,
        "standard": "印发新办法",
        "department": "办公室",
        "owner": "李明",
        "leader": "王局长",
        "due": due,
        "standing": "否",
    } | overrides
    return list(row.values())


def test_a_good_plan_is_imported(world, browse, letter):
    upload = xlsx(
        PLAN_HEADINGS,
        [
            plan_row(1, "建立评审专家随机抽取制度", datetime.datetime(2026, 6, 30)),
            plan_row(2, "开展专项清理", "2026/7/15", department=None),
            # A date beside 长期坚持 is set aside: the measure keeps its letter's reply deadline.
            plan_row(3, "每季度廉政风险排查", "2026年9月30日", standing="是"),
        ],
    )
    before = Measure.objects.count()
    response = browse(world.users.housing_officer).post(
        reverse("documents:plan_import", args=[letter.pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert response.url == reverse("reforms:plan", args=[letter.pk])
    imported = Measure.objects.order_by("pk")[before:]
    assert [
        (m.item.number, m.content, m.department, m.due_on, m.is_standing) for m in imported
    ] == [
        (1, "建立评审专家随机抽取制度", "办公室", datetime.date(2026, 6, 30), False),
        (2, "开展专项清理", "", datetime.date(2026, 7, 15), False),  # the department is optional
        (3, "每季度廉政风险排查", "办公室", letter.reply_due_on, True),
    ]
    assert imported[2].deadline is None
    assert all(m.unit == world.units.housing for m in imported)


def test_a_plan_with_bad_rows_saves_nothing_and_names_every_error(world, browse, letter):
    upload = xlsx(
        PLAN_HEADINGS,
        [
            plan_row(1),
            plan_row(9),
            plan_row(1, due="明年六月"),
            plan_row(2, due="2025-12-01"),
            plan_row(2, owner=None),
            plan_row(3, standing="也许"),
            plan_row("一"),
        ],
    )
    before = Measure.objects.count()
    response = browse(world.users.housing_officer).post(
        reverse("documents:plan_import", args=[letter.pk]), {"file": upload}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "未导入任何数据：共6处错误。" in page
    for error in (
        "第3行A列（建议事项序号）：该建议书没有第9项建议事项。",
        "第4行G列（整改时限）：不是有效日期，请按2026-06-30格式填写。",
        "第5行G列（整改时限）：整改时限不能早于建议书印发日期（2026-01-05）。",
        "第6行E列（责任人）：此项必填。",
        "第7行H列（长期坚持）：请填写“是”或“否”。",
        "第8行A列（建议事项序号）：请填写建议事项的序号，如1。",
    ):
        assert error in page, error
    assert Measure.objects.count() == before


def test_a_refusal_by_the_service_rolls_the_whole_file_back(world, letter):
    """The rows pass the checks but the service refuses the user: nothing is saved."""
    upload = xlsx(PLAN_HEADINGS, [plan_row(1), plan_row(2)])
    before = Measure.objects.count()
    result = excel.import_plan(world.users.supervisor, letter, upload)  # supervisors read only
    assert not result.ok
    assert result.errors[0].startswith("第2行：")
    assert Measure.objects.count() == before


def test_no_plan_import_outside_the_jurisdiction(world, browse, letter):
    url = reverse("documents:plan_import", args=[letter.pk])
    assert browse(world.users.health_officer).get(url).status_code == 404
    assert browse(world.users.other_staff).get(url).status_code == 404


def test_the_plan_page_offers_the_import(world, browse, letter):
    page = browse(world.users.housing_officer).get(reverse("reforms:plan", args=[letter.pk]))
    assert reverse("documents:plan_import", args=[letter.pk]) in page.content.decode()


# --- Large imports: a Celery job with a progress bar ---------------------------------------------


def big_plan(rows: int, bad_row: int | None = None):
    return xlsx(
        PLAN_HEADINGS,
        [
            plan_row(1 + n % 3, f"第{n + 1}条措施", due="2026-09-30" if n != bad_row else "不详")
            for n in range(rows)
        ],
        name="整改方案2000条.xlsx",
    )


def test_a_2000_row_plan_runs_as_a_job_with_progress(
    world, browse, letter, django_capture_on_commit_callbacks
):
    client = browse(world.users.housing_officer)
    before = Measure.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("documents:plan_import", args=[letter.pk]), {"file": big_plan(2000)}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("documents:import_job", args=[job.pk])
    assert len(callbacks) == 1  # the Celery job is sent once the upload is committed
    assert (job.status, job.total, job.created_by) == ("pending", 2000, world.users.housing_officer)
    page = client.get(response.url).content.decode()
    assert reverse("documents:import_job_progress", args=[job.pk]) in page
    assert 'hx-trigger="every 1s"' in page
    # What the worker does with the message: the task itself, run here.
    tasks.import_excel.apply(args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.created, job.errors) == ("done", 2000, [])
    assert Measure.objects.count() == before + 2000
    fragment = client.get(reverse("documents:import_job_progress", args=[job.pk])).content.decode()
    assert "已导入2000项整改措施。" in fragment
    assert "hx-trigger" not in fragment  # finished: the page stops polling
    assert not job.file  # the upload is deleted once imported


def test_a_2000_row_plan_with_one_bad_row_saves_nothing(world, browse, letter):
    browse(world.users.housing_officer).post(
        reverse("documents:plan_import", args=[letter.pk]), {"file": big_plan(2000, bad_row=1499)}
    )
    job = ImportJob.objects.get()
    before = Measure.objects.count()
    tasks.run_import(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.errors == ["第1501行G列（整改时限）：不是有效日期，请按2026-06-30格式填写。"]
    assert Measure.objects.count() == before


def test_an_import_job_that_breaks_off_fails_and_says_so(world, browse, letter):
    """Whatever breaks an import (here its upload is gone) is recorded as a failure, so the
    progress page stops polling and tells the officer, rather than waiting for ever."""
    client = browse(world.users.housing_officer)
    client.post(reverse("documents:plan_import", args=[letter.pk]), {"file": big_plan(300)})
    job = ImportJob.objects.get()
    job.file.storage.delete(job.file.name)
    tasks.run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.errors) == ("failed", ["导入中断，请稍后重试或联系管理员。"])
    fragment = client.get(reverse("documents:import_job_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in fragment
    assert "导入中断，请稍后重试或联系管理员。" in fragment


def test_an_import_job_is_seen_only_by_who_started_it(world, browse, letter):
    browse(world.users.housing_officer).post(
        reverse("documents:plan_import", args=[letter.pk]), {"file": big_plan(300)}
    )
    job = ImportJob.objects.get()
    url = reverse("documents:import_job", args=[job.pk])
    assert browse(world.users.city_staff).get(url).status_code == 404


# --- Outcomes: rule changes and activities -------------------------------------------------------

RULE_CHANGE_HEADINGS = ["类型", "制度名称", "施行日期"]
ACTIVITY_HEADINGS = ["类型", "标题", "开展日期", "人次", "备注"]


def test_the_outcome_templates_download_with_their_headings_and_lists(world, browse):
    client = browse(world.users.housing_officer)
    for kind, headings in (
        ("rule_changes", RULE_CHANGE_HEADINGS),
        ("activities", ACTIVITY_HEADINGS),
    ):
        response = client.get(reverse("documents:import_template", args=[kind]))
        content = b"".join(response.streaming_content)
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        assert [cell.value for cell in sheet[1]] == headings
        (validation,) = sheet.data_validations.dataValidation
        assert str(validation.sqref).startswith("A2:")
    assert "立,改,废,释" in validation_formula(client, "rule_changes")
    assert (
        browse(world.users.supervisor)
        .get(reverse("documents:import_template", args=["activities"]))
        .status_code
        == 403
    )


def validation_formula(client, kind) -> str:
    response = client.get(reverse("documents:import_template", args=[kind]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    return sheet.data_validations.dataValidation[0].formula1


def test_rule_changes_are_imported_against_the_letter(world, browse, letter):
    upload = xlsx(
        RULE_CHANGE_HEADINGS,
        [
            ["立", "评审专家随机抽取和回避办法", "2026-03-01"],
            ["改", "工程变更签证管理规定", None],
            ["abolished", "临时工程款拨付通知", datetime.datetime(2026, 2, 1)],
        ],
    )
    response = browse(world.users.housing_officer).post(
        reverse("documents:rule_changes_import", args=[letter.pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert response.url == reverse("recommendations:detail", args=[letter.pk]) + "#outcomes"
    rows = RuleChange.objects.filter(recommendation=letter).order_by("pk")
    assert [(r.kind, r.title, r.effective_on) for r in rows] == [
        ("established", "评审专家随机抽取和回避办法", datetime.date(2026, 3, 1)),
        ("revised", "工程变更签证管理规定", None),
        ("abolished", "临时工程款拨付通知", datetime.date(2026, 2, 1)),
    ]
    assert {(r.unit, r.created_by, r.measure) for r in rows} == {
        (world.units.housing, world.users.housing_officer, None)
    }


def test_rule_changes_with_bad_rows_save_nothing_and_name_every_error(world, browse, letter):
    upload = xlsx(
        RULE_CHANGE_HEADINGS,
        [["立", "好的一行", None], ["定", "类型不对", None], ["改", None, "明年"]],
    )
    response = browse(world.users.housing_officer).post(
        reverse("documents:rule_changes_import", args=[letter.pk]), {"file": upload}
    )
    assert response.status_code == 400
    page = response.content.decode()
    for error in (
        "第3行A列（类型）：无法识别，请填写以下之一：立、改、废、释。",
        "第4行B列（制度名称）：此项必填。",
        "第4行C列（施行日期）：不是有效日期，请按2026-06-30格式填写。",
    ):
        assert error in page, error
    assert not RuleChange.objects.exists()


def test_a_rule_change_the_service_refuses_rolls_the_file_back(world, browse, letter):
    upload = xlsx(RULE_CHANGE_HEADINGS, [["立", "新办法", None], ["释", "旧解释", "2025-12-31"]])
    response = browse(world.users.housing_officer).post(
        reverse("documents:rule_changes_import", args=[letter.pk]), {"file": upload}
    )
    assert response.status_code == 400
    assert "第3行：施行日期不能早于建议书印发日期。" in response.content.decode()
    assert not RuleChange.objects.exists()


def test_activities_are_imported_with_their_head_counts(world, browse, letter):
    upload = xlsx(
        ACTIVITY_HEADINGS,
        [
            ["警示教育", "观看警示教育片《围猎》", "2026-03-10", 120, "全局干部职工"],
            ["轮岗交流", "重点岗位轮岗", "2026-04-01", "7", None],
        ],
    )
    response = browse(world.users.housing_officer).post(
        reverse("documents:activities_import", args=[letter.pk]), {"file": upload}
    )
    assert response.status_code == 302
    rows = Activity.objects.filter(recommendation=letter).order_by("pk")
    assert [(a.kind, a.title, a.held_on, a.participant_count, a.notes) for a in rows] == [
        (
            "warning_education",
            "观看警示教育片《围猎》",
            datetime.date(2026, 3, 10),
            120,
            "全局干部职工",
        ),
        ("job_rotation", "重点岗位轮岗", datetime.date(2026, 4, 1), 7, ""),
    ]


def test_activities_with_bad_rows_save_nothing(world, browse, letter):
    upload = xlsx(
        ACTIVITY_HEADINGS,
        [["警示教育", "会", "2026-03-10", "十人", None], ["其他", "会", "2026-03-10", 0, None]],
    )
    response = browse(world.users.housing_officer).post(
        reverse("documents:activities_import", args=[letter.pk]), {"file": upload}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "第2行D列（人次）：请填写不小于1的整数。" in page
    assert "第3行D列（人次）：请填写不小于1的整数。" in page
    assert not Activity.objects.exists()


@pytest.mark.parametrize("name", ["rule_changes_import", "activities_import"])
def test_outcome_imports_are_scoped_and_wait_for_the_issue(
    world, browse, letter, housing_case, name
):
    url = reverse(f"documents:{name}", args=[letter.pk])
    assert browse(world.users.health_officer).get(url).status_code == 404
    assert browse(world.users.supervisor).get(url).status_code == 403
    assert browse(world.users.city_staff).get(url).status_code == 200

    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    client = browse(world.users.city_staff)
    page = client.get(reverse(f"documents:{name}", args=[draft.pk])).content.decode()
    assert "建议书印发后方可登记整改成效。" in page
    assert 'data-testid="import-form"' not in page


def test_the_recommendation_page_offers_the_outcome_imports(world, browse, letter):
    page = browse(world.users.housing_officer).get(
        reverse("recommendations:detail", args=[letter.pk])
    )
    html = page.content.decode()
    assert reverse("documents:rule_changes_import", args=[letter.pk]) in html
    assert reverse("documents:activities_import", args=[letter.pk]) in html


def test_a_large_activity_file_runs_as_a_job(world, browse, letter):
    rows = [["警示教育", f"第{n}场警示教育", "2026-05-01", 30, None] for n in range(300)]
    client = browse(world.users.housing_officer)
    response = client.post(
        reverse("documents:activities_import", args=[letter.pk]),
        {"file": xlsx(ACTIVITY_HEADINGS, rows)},
    )
    job = ImportJob.objects.get()
    assert response.url == reverse("documents:import_job", args=[job.pk])
    tasks.run_import(job.pk)
    job.refresh_from_db()
    assert (job.kind, job.status, job.created) == ("activities", "done", 300)
    assert Activity.objects.filter(recommendation=letter).count() == 300
    fragment = client.get(reverse("documents:import_job_progress", args=[job.pk])).content.decode()
    assert "已导入300项活动。" in fragment
    assert reverse("recommendations:detail", args=[letter.pk]) + "#outcomes" in fragment
