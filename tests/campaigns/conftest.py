import datetime

from campaigns import services
from cases.models import Problem, ProcessStage
from core.domain import shanghai_today

Category = Problem.Category


def due():
    return shanghai_today() + datetime.timedelta(days=14)


def checklist(n: int = 2) -> list[services.ChecklistLine]:
    stage = ProcessStage.objects.get(name="招投标")
    categories = [Category.INSTITUTIONAL_GAP, Category.RISK_POINT, Category.BLIND_SPOT]
    return [
        services.ChecklistLine(categories[i % 3], stage, f"检查招投标环节第{i + 1}项")
        for i in range(n)
    ]


def draft(actor, **fields):
    values = {"title": "住建领域举一反三自查", "answer_due_on": due(), "items": checklist()}
    if "units" not in fields:
        values["sector"] = "construction"
    return services.campaign_create(actor=actor, **values | fields)


def launched(actor, **fields):
    return services.campaign_launch(campaign=draft(actor, **fields), actor=actor)


def answers(campaign, *found: str):
    """An ``AnswerLine`` per checklist item: the given findings first, then not found."""
    items = list(campaign.items.order_by("number"))
    return [
        services.AnswerLine(item, bool(text), text)
        for item, text in zip(items, [*found, *[""] * len(items)], strict=False)
    ]
