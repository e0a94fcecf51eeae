"""Steps of the loop that several browser stories take the same way, one function a step."""

import datetime


def submit(page, form_selector: str) -> None:
    page.locator(form_selector).locator("button[type=submit]").first.click()


def plan_measures(page, contents: list[str], due_dates: list[datetime.date]) -> None:
    """On the plan page: one measure under each item, with its content and due date."""
    for index, (content, due_on) in enumerate(zip(contents, due_dates, strict=True)):
        block = page.locator("[data-testid=plan-item]").nth(index)
        block.locator("summary").click()
        block.locator("textarea[name$=content]").fill(content)
        block.locator("textarea[name$=standard]").fill("印发制度文件并组织全员培训")
        block.locator("input[name$=department]").fill("办公室")
        block.locator("input[name$=owner_name]").fill("李明")
        block.locator("input[name$=leader_name]").fill("王副局长")
        block.locator("input[name$=due_on]").fill(due_on.isoformat())
        block.locator("button[type=submit]").click()
        page.locator("[data-testid=plan-item]").nth(index).get_by_text(content).wait_for()


def start_rectification(page, letter_url: str) -> None:
    """开始整改, from the letter's page once the plan is made."""
    page.goto(letter_url)
    submit(page, "form[data-action=start]")
    page.wait_for_selector(".alert-success")


def report_progress(page, measure_url: str, content: str, evidence) -> None:
    """A progress report of 100 % with one evidence file."""
    page.goto(measure_url)
    report = page.locator("[data-testid=report-progress] form")
    report.locator("textarea[name=content]").fill(content)
    report.locator("input[name=percent_complete]").fill("100")
    report.locator("input[name=file]").set_input_files(str(evidence))
    report.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")


def request_signoff(page, measure_url: str) -> None:
    """申请销号: the measure then waits for staff (待销号)."""
    page.goto(measure_url)
    submit(page, "[data-testid=request-signoff] form")
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-testid=status]").inner_text() == "待销号"
