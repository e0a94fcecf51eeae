from negativelists import services
from negativelists.models import NegativeList


def draft(actor, *, unit=None, tier=NegativeList.Tier.PARTY_MEMBERS, entries=0, **fields):
    """A draft list of ``unit`` (the actor's own unit by default) with ``entries`` entries."""
    values = {"title": "住建局党员干部负面清单", "tier": tier, "unit": unit}
    negative_list = services.list_create(actor=actor, **values | fields)
    for number in range(1, entries + 1):
        services.entry_add(
            negative_list=negative_list,
            actor=actor,
            risk_point=f"工程招投标第{number}环节",
            requirement=f"严禁插手干预工程招投标（第{number}条）",
        )
    return negative_list


def published(actor, **fields):
    fields.setdefault("entries", 2)
    return services.list_publish(negative_list=draft(actor, **fields), actor=actor)
