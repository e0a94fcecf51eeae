"""The whole loop in a real browser, across three logins.

Staff log a case with its problems and issue a three-item recommendation; the housing bureau's
officer plans a measure under each item, reports progress with evidence and asks for sign-off on
two; staff return one as paper rectification and accept the other; the supervisor's overdue count
goes up once the third measure passes its due date.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.domain import shanghai_today
from recommendations.models import Recommendation
from reforms.models import Measure, MeasureTransition

from .confirm import confirm, open_dialog
from .conftest import screenshot
from .steps import plan_measures, report_progress, request_signoff, start_rectification, submit

pytestmark = pytest.mark.django_db(transaction=True)

PROBLEMS = [
    "招投标评审专家由项目单位自行指定，缺少随机抽取",
    "工程变更签证无集体研究程序",
    "质量监督站抽检结果无人复核",
]
ITEMS = [
    "建立评审专家随机抽取和回避制度",
    "规范工程变更签证审批，实行集体决策",
    "建立抽检结果复核与公开机制",
]


def staff_logs_case_with_problems(page, live_server, world) -> str:
    page.goto(f"{live_server.url}/cases/new/")
    form = "form[data-testid=case-form]"
    page.fill("input[name=number]", "长纪案〔2026〕88号")
    page.fill("input[name=title]", "市住建局原副局长张某受贿案")
    page.select_option("select[name=commission]", str(world.units.city.pk))
    page.select_option("select[name=case_unit]", str(world.units.housing.pk))
    page.select_option("select[name=sector]", "construction")
    page.select_option("select[name=level]", "county")
    page.select_option("select[name=status]", "closed")
    page.fill("input[name=opened_on]", "2026-03-02")
    page.fill("input[name=closed_on]", "2026-09-30")
    page.fill("textarea[name=summary]", "利用职务便利在工程招投标中为他人谋利。")
    page.fill("input[name='subjects-0-name']", "张某")
    page.fill("input[name='subjects-0-position']", "原副局长")
    submit(page, form)
    page.wait_for_url("**/cases/*/")
    case_url = page.url

    for description in PROBLEMS:
        add_form = page.locator("form[data-testid=problem-add-form]")
        add_form.locator("select[name=category]").select_option(index=1)
        add_form.locator("select[name=process_stage]").select_option(index=1)
        add_form.locator("textarea[name=description]").fill(description)
        add_form.locator("button[type=submit]").click()
        page.locator("#problems").get_by_text(description).wait_for()
    assert page.locator("#problems .card-header .badge").inner_text() == "3"
    return case_url


def staff_issues_recommendation(page, reply_due: datetime.date) -> str:
    page.click("[data-testid=draft-recommendation]")
    page.wait_for_url("**/recommendations/new/**")
    page.fill("input[name=reply_due_on]", reply_due.isoformat())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/recommendations/*/")
    recommendation_url = page.url

    for number, content in enumerate(ITEMS, start=1):
        add_form = page.locator("#items form[data-testid=item-add-form]")
        add_form.locator("textarea[name=content]").fill(content)
        add_form.locator("select[name=problems]").select_option(index=number - 1)
        add_form.locator("button[type=submit]").click()
        page.locator("#items [data-testid=item]").nth(number - 1).wait_for()
    assert page.locator("#items [data-testid=item]").count() == 3
    assert page.locator("#items").get_by_text("尚未关联问题").count() == 0

    dialog = open_dialog(page, page.locator("form[data-action=issue] [data-confirm]"))
    assert "发出后建议书编号生效，不可再修改" in dialog.inner_text()
    dialog.locator("[data-testid=confirm]").click()
    page.wait_for_selector(".alert-success")
    assert "已发出" in page.locator(".alert-success").inner_text()
    return recommendation_url


def officer_plans_measures(page, recommendation_url: str, due_dates: list[datetime.date]) -> None:
    page.goto(recommendation_url)
    confirm(page, page.locator("form[data-action=acknowledge] [data-confirm]"))
    page.wait_for_selector(".alert-success")
    page.click("[data-testid=plan-link]")
    page.wait_for_url("**/measures/plan/*/")
    plan_measures(page, [f"落实：{content}" for content in ITEMS], due_dates)
    screenshot(page, "loop-officer-plan")
    start_rectification(page, recommendation_url)
    assert "整改" in page.locator(".alert-success").inner_text()


def officer_reports_and_requests_signoff(page, live_server, measure: Measure, evidence) -> None:
    measure_url = f"{live_server.url}/measures/{measure.pk}/"
    report_progress(page, measure_url, "已起草制度并经党组会审议通过，组织培训两场。", evidence)
    assert page.locator("[data-testid=progress-reports]").get_by_text(evidence.name).count() == 1
    request_signoff(page, measure_url)


def staff_returns_one_and_accepts_one(page, live_server, returned: Measure, accepted: Measure):
    page.goto(f"{live_server.url}/measures/sign-off-queue/")
    assert page.locator("[data-testid=signoff-row]").count() == 2
    confirm(
        page,
        page.locator(f"#signoff-{returned.pk} [data-testid=return]"),
        select={"select[name=reason_code]": MeasureTransition.ReturnReason.PAPER_RECTIFICATION},
        fill={"textarea[name=reason]": "只有文件，未见培训签到和执行记录"},
    )
    page.locator(f"#signoff-{returned.pk} [data-testid=new-status]").wait_for()
    assert page.locator(f"#signoff-{returned.pk} [data-testid=new-status]").inner_text() == "已退回"
    assert (
        "只有文件，未见培训签到和执行记录" in page.locator(f"#signoff-{returned.pk}").inner_text()
    )

    confirm(
        page,
        page.locator(f"#signoff-{accepted.pk} [data-testid=accept]"),
        fill={"textarea[name=signoff-note]": "经核查，制度已印发，培训签到齐全，同意销号"},
    )
    page.locator(f"#signoff-{accepted.pk} [data-testid=new-status]").wait_for()
    assert page.locator(f"#signoff-{accepted.pk} [data-testid=new-status]").inner_text() == "已销号"
    assert "核查意见：经核查，制度已印发" in page.locator(f"#signoff-{accepted.pk}").inner_text()


def overdue_on_dashboard(page, live_server) -> int:
    page.goto(f"{live_server.url}/dashboard/")
    return int(page.locator("[data-testid=total-overdue]").inner_text())


def test_the_whole_loop_across_three_logins(world, log_in, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = shanghai_today()
    soon = today + datetime.timedelta(days=3)
    later = today + datetime.timedelta(days=30)
    evidence = tmp_path / "培训签到表.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% sign-in sheet of the training\n")

    staff = log_in("city_staff")
    case_url = staff_logs_case_with_problems(staff, live_server, world)
    staff.goto(case_url)
    recommendation_url = staff_issues_recommendation(staff, today + datetime.timedelta(days=40))
    recommendation = Recommendation.objects.get()
    assert recommendation.status == Recommendation.Status.ISSUED
    assert recommendation.doc_number.startswith("长纪建〔")

    officer = log_in("housing_officer")
    assert officer.locator("main").get_by_text(recommendation.title).count() >= 1
    officer_plans_measures(officer, recommendation_url, [later, later, soon])
    first, second, third = Measure.objects.order_by("item__number")
    for measure in (first, second):
        officer_reports_and_requests_signoff(officer, live_server, measure, evidence)
    officer.goto(live_server.url)
    screenshot(officer, "loop-officer-home")

    staff.goto(live_server.url)
    assert staff.locator("[data-testid=signoff-count]").inner_text() == "2"
    screenshot(staff, "loop-staff-home")
    staff_returns_one_and_accepts_one(staff, live_server, returned=first, accepted=second)
    screenshot(staff, "loop-staff-signoff-queue")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Measure.Status.RETURNED
    assert second.status == Measure.Status.SIGNED_OFF

    supervisor = log_in("supervisor")
    assert overdue_on_dashboard(supervisor, live_server) == 0
    screenshot(supervisor, "loop-supervisor-dashboard")
    after_due = datetime.datetime.combine(
        soon + datetime.timedelta(days=1), datetime.time(9), tzinfo=ZoneInfo("Asia/Shanghai")
    )
    with time_machine.travel(after_due, tick=True):
        supervisor = log_in("supervisor")  # days later: the idle session has ended
        assert overdue_on_dashboard(supervisor, live_server) == 1
        screenshot(supervisor, "loop-supervisor-dashboard-overdue")
        supervisor.click("[data-testid=total-overdue]")
        supervisor.wait_for_url("**/measures/**")
        overdue_links = supervisor.locator("main a[href*='/measures/']").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
        assert f"/measures/{third.pk}/" in overdue_links
        assert f"/measures/{first.pk}/" not in overdue_links
