"""The stages and violation types the real letters name, added to the shared lists.

Idempotent: an entry an administrator already added (or renamed back) is left as it is. New
entries go before "其他" (other), which stays last when it is still at the end of the list.
"""

from django.db import migrations
from django.db.models import Max

OTHER = "其他"

PROCESS_STAGES = [
    "“三重一大”集体决策",
    "一把手和领导班子监督",
    "项目审批",
    "政府投资项目建设",
    "财政资金管理",
]

VIOLATION_TYPES = [
    "严重违纪违法",
    "权力寻租",
]


def seed(apps, schema_editor):
    for model_name, names in (("ProcessStage", PROCESS_STAGES), ("ViolationType", VIOLATION_TYPES)):
        model = apps.get_model("cases", model_name)
        missing = [name for name in names if not model.objects.filter(name=name).exists()]
        if not missing:
            continue
        other = model.objects.filter(name=OTHER).first()
        last = model.objects.aggregate(last=Max("position"))["last"] or 0
        other_is_last = other is not None and other.position == last
        position = last - 1 if other_is_last else last
        for name in missing:
            position += 1
            model.objects.get_or_create(name=name, defaults={"position": position})
        if other_is_last:
            other.position = position + 1
            other.save(update_fields=["position"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_number_unique_message")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
